"""Parity with the official ``google-genai`` SDK (Gemini API).

1. The SDK and litegate make the equivalent call against the same capturing server
   (FakeGeminiServer): path, request body and auth header must agree. Documented differences
   (normalised by :func:`_normal` before comparing):

   * the SDK sends ``systemInstruction`` with ``"role": "user"``; litegate leaves the role out, as
     the REST reference's examples do (the API ignores it);
   * the SDK sends the fields of ``thinkingConfig``, ``fileData`` and ``inlineData`` in snake_case
     (``include_thoughts``, ``file_uri``); litegate sends the lowerCamelCase JSON names (the API
     accepts both);
   * the SDK sends an empty ``generationConfig: {}`` when it has none; litegate leaves it out;
   * the SDK encodes inline bytes as URL-safe base64; litegate sends the caller's data URL payload
     (standard base64) as given (the API accepts both, so the decoded bytes are compared);
   * embeddings: the SDK sends ``"role": "user"`` in each embedded content and always calls
     ``:batchEmbedContents``; litegate sends no role and calls ``:embedContent`` for one string;
   * the SDK also sends ``user-agent`` / ``x-goog-api-client`` headers.

2. What the fake server emits (answers, every stream event, embeddings, blocks) validates with the
   SDK's own pydantic models (``extra="forbid"``), and the SDK maps the fake's error bodies.
"""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from _gemini_helpers import KEY, PNG_B64, WEATHER, sse_events

import litegate

genai = pytest.importorskip("google.genai")
from google.genai import errors as genai_errors  # noqa: E402
from google.genai import types  # noqa: E402

# google-genai's async client subclasses aiohttp's ClientSession, which aiohttp warns about
pytestmark = pytest.mark.filterwarnings("ignore:Inheritance class AiohttpClientSession:DeprecationWarning")

MODEL = "gemini-2.5-flash"
SCHEMA = {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}


@pytest.fixture
def sdk(gemini_server):
    return genai.Client(api_key=KEY, http_options=types.HttpOptions(base_url=gemini_server.url, api_version="v1beta"))


def _litegate(srv, model=MODEL, **kw):
    return litegate.completion("gemini/" + model, api_key=KEY, api_base=srv.url, **kw)


def _camel_keys(obj: dict) -> dict:
    return {"".join(w if i == 0 else w.title() for i, w in enumerate(k.split("_"))): v for k, v in obj.items()}


def _normal(body: dict) -> dict:
    """A request body with the documented differences taken out."""
    body = json.loads(json.dumps(body))  # a copy
    system = body.get("systemInstruction")
    if isinstance(system, dict):
        system.pop("role", None)
    if body.get("generationConfig") == {}:
        del body["generationConfig"]
    for content in body.get("contents") or ():
        for part in content.get("parts") or ():
            if "inlineData" in part:
                part["inlineData"] = _camel_keys(part["inlineData"])
                part["inlineData"]["data"] = base64.urlsafe_b64decode(
                    part["inlineData"]["data"].replace("+", "-").replace("/", "_")
                )
            if "fileData" in part:
                part["fileData"] = _camel_keys(part["fileData"])
    thinking = (body.get("generationConfig") or {}).get("thinkingConfig")
    if isinstance(thinking, dict):
        body["generationConfig"]["thinkingConfig"] = _camel_keys(thinking)
    for req in body.get("requests") or ():
        req.get("content", {}).pop("role", None)
    return body


def _assert_same_request(srv):
    ours, theirs = srv.requests[-1], srv.requests[-2]
    assert ours.path == theirs.path
    assert ours.query == theirs.query
    assert _normal(ours.json) == _normal(theirs.json)
    assert ours.header("x-goog-api-key") == theirs.header("x-goog-api-key") == KEY
    assert ours.header("authorization") is None and theirs.header("authorization") is None
    assert ours.header("content-type") == theirs.header("content-type") == "application/json"


# --------------------------------------------------------------------------------- request parity


def test_parity_basic_parameters(gemini_server, sdk):
    sdk.models.generate_content(
        model=MODEL,
        contents="Hello",
        config=types.GenerateContentConfig(
            system_instruction="Be brief.",
            temperature=0.3,
            top_p=0.9,
            max_output_tokens=300,
            stop_sequences=["END"],
            candidate_count=2,
            seed=5,
            presence_penalty=0.1,
            frequency_penalty=0.2,
        ),
    )
    _litegate(
        gemini_server,
        messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"}],
        temperature=0.3,
        top_p=0.9,
        max_tokens=300,
        stop=["END"],
        n=2,
        seed=5,
        presence_penalty=0.1,
        frequency_penalty=0.2,
    )
    _assert_same_request(gemini_server)


def test_parity_multi_turn(gemini_server, sdk):
    sdk.models.generate_content(
        model=MODEL,
        contents=[
            types.Content(role="user", parts=[types.Part(text="Hi")]),
            types.Content(role="model", parts=[types.Part(text="Hello!")]),
            types.Content(role="user", parts=[types.Part(text="How are you?")]),
        ],
    )
    _litegate(
        gemini_server,
        messages=[
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello!"},
            {"role": "user", "content": "How are you?"},
        ],
    )
    _assert_same_request(gemini_server)


def test_parity_tools_and_forced_choice(gemini_server, sdk):
    sdk.models.generate_content(
        model=MODEL,
        contents="Weather in Paris?",
        config=types.GenerateContentConfig(
            tools=[
                types.Tool(
                    function_declarations=[
                        types.FunctionDeclaration(
                            name="get_weather", description="Current weather for a city", parameters=SCHEMA
                        )
                    ]
                )
            ],
            tool_config=types.ToolConfig(
                function_calling_config=types.FunctionCallingConfig(mode="ANY", allowed_function_names=["get_weather"])
            ),
        ),
    )
    _litegate(
        gemini_server,
        messages=[{"role": "user", "content": "Weather in Paris?"}],
        tools=[WEATHER],
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
    )
    _assert_same_request(gemini_server)


def test_parity_tool_loop_with_parallel_results(gemini_server, sdk):
    decl = types.FunctionDeclaration(name="get_weather", description="Current weather for a city", parameters=SCHEMA)
    sdk.models.generate_content(
        model=MODEL,
        config=types.GenerateContentConfig(tools=[types.Tool(function_declarations=[decl])]),
        contents=[
            types.Content(role="user", parts=[types.Part(text="Weather in Paris and Rome?")]),
            types.Content(
                role="model",
                parts=[
                    types.Part(function_call=types.FunctionCall(name="get_weather", args={"location": "Paris"})),
                    types.Part(function_call=types.FunctionCall(name="get_weather", args={"location": "Rome"})),
                ],
            ),
            types.Content(
                role="user",
                parts=[
                    types.Part.from_function_response(name="get_weather", response={"content": "18C"}),
                    types.Part.from_function_response(name="get_weather", response={"content": "24C"}),
                ],
            ),
        ],
    )
    _litegate(
        gemini_server,
        tools=[WEATHER],
        messages=[
            {"role": "user", "content": "Weather in Paris and Rome?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "c1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"location": "Paris"}'},
                    },
                    {
                        "id": "c2",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"location": "Rome"}'},
                    },
                ],
            },
            {"role": "tool", "tool_call_id": "c1", "content": "18C"},
            {"role": "tool", "tool_call_id": "c2", "content": "24C"},
        ],
    )
    _assert_same_request(gemini_server)


def test_parity_vision(gemini_server, sdk):
    sdk.models.generate_content(
        model=MODEL,
        contents=[
            types.Content(
                role="user",
                parts=[
                    types.Part(text="Describe"),
                    types.Part.from_bytes(data=base64.b64decode(PNG_B64), mime_type="image/png"),
                    types.Part.from_uri(file_uri="https://example.com/cat.jpg", mime_type="image/jpeg"),
                ],
            )
        ],
    )
    _litegate(
        gemini_server,
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Describe"},
                    {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG_B64}"}},
                    {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg"}},
                ],
            }
        ],
    )
    _assert_same_request(gemini_server)


def test_parity_json_schema_and_thinking(gemini_server, sdk):
    sdk.models.generate_content(
        model=MODEL,
        contents="Where?",
        config=types.GenerateContentConfig(
            response_mime_type="application/json",
            response_json_schema=SCHEMA,
            thinking_config=types.ThinkingConfig(thinking_budget=2048, include_thoughts=True),
        ),
    )
    _litegate(
        gemini_server,
        messages=[{"role": "user", "content": "Where?"}],
        reasoning_effort="medium",
        response_format={"type": "json_schema", "json_schema": {"name": "Place", "schema": SCHEMA}},
    )
    _assert_same_request(gemini_server)


def test_parity_logprobs_and_safety_settings(gemini_server, sdk):
    safety = [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_ONLY_HIGH"}]
    sdk.models.generate_content(
        model=MODEL,
        contents="Hi",
        config=types.GenerateContentConfig(
            response_logprobs=True, logprobs=2, top_k=40, safety_settings=[types.SafetySetting(**safety[0])]
        ),
    )
    _litegate(
        gemini_server,
        messages=[{"role": "user", "content": "Hi"}],
        logprobs=True,
        top_logprobs=2,
        top_k=40,
        safety_settings=safety,
    )
    _assert_same_request(gemini_server)


def test_parity_streaming(gemini_server, sdk):
    sdk_text = "".join(
        chunk.text or "" for chunk in sdk.models.generate_content_stream(model=MODEL, contents="Tell me about foxes")
    )
    chunks = list(_litegate(gemini_server, stream=True, messages=[{"role": "user", "content": "Tell me about foxes"}]))
    _assert_same_request(gemini_server)
    assert gemini_server.last_request.query == {"alt": "sse"}
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == sdk_text


async def test_parity_async(gemini_server, sdk):
    resp = await sdk.aio.models.generate_content(model=MODEL, contents="Hey")
    ours = await litegate.acompletion(
        "gemini/" + MODEL, api_key=KEY, api_base=gemini_server.url, messages=[{"role": "user", "content": "Hey"}]
    )
    _assert_same_request(gemini_server)
    assert ours.choices[0].message.content == resp.text
    assert ours.usage.prompt_tokens == resp.usage_metadata.prompt_token_count
    assert ours.usage.completion_tokens == resp.usage_metadata.candidates_token_count


def test_parity_batch_embeddings(gemini_server, sdk):
    sdk_resp = sdk.models.embed_content(
        model="gemini-embedding-001",
        contents=["a", "b"],
        config=types.EmbedContentConfig(task_type="RETRIEVAL_QUERY", output_dimensionality=4),
    )
    ours = litegate.embedding(
        "gemini/gemini-embedding-001",
        input=["a", "b"],
        api_key=KEY,
        api_base=gemini_server.url,
        task_type="RETRIEVAL_QUERY",
        dimensions=4,
    )
    _assert_same_request(gemini_server)
    assert [d["embedding"] for d in ours.data] == [e.values for e in sdk_resp.embeddings]


def test_single_embedding_differs_only_in_endpoint(gemini_server, sdk):
    sdk.models.embed_content(model="gemini-embedding-001", contents="a")
    litegate.embedding("gemini/gemini-embedding-001", input="a", api_key=KEY, api_base=gemini_server.url)
    ours, theirs = gemini_server.requests[-1], gemini_server.requests[-2]
    assert theirs.path.endswith(":batchEmbedContents") and ours.path.endswith(":embedContent")
    assert _normal(theirs.json)["requests"][0] == ours.json


def test_sdk_reads_our_tool_call_answer(gemini_server, sdk):
    resp = sdk.models.generate_content(
        model=MODEL,
        contents="What's the weather in Oslo?",
        config=types.GenerateContentConfig(
            tools=[types.Tool(function_declarations=[types.FunctionDeclaration(name="get_weather", parameters=SCHEMA)])]
        ),
    )
    assert resp.function_calls[0].name == "get_weather"
    assert resp.function_calls[0].args == {"location": "San Francisco, CA"}


# ------------------------------------------------------------------------- the fake parses with the SDK's models

SCENARIOS = {
    "text": {"contents": [{"role": "user", "parts": [{"text": "Hello"}]}]},
    "tools": {
        "contents": [{"role": "user", "parts": [{"text": "What's the weather in Paris?"}]}],
        "tools": [
            {
                "functionDeclarations": [
                    {
                        "name": "get_weather",
                        "parameters": {"type": "OBJECT", "properties": {"location": {"type": "STRING"}}},
                    }
                ]
            }
        ],
    },
    "thinking": {
        "contents": [{"role": "user", "parts": [{"text": "Think"}]}],
        "generationConfig": {"thinkingConfig": {"includeThoughts": True, "thinkingBudget": 1024}},
    },
    "json": {
        "contents": [{"role": "user", "parts": [{"text": "Where?"}]}],
        "generationConfig": {"responseMimeType": "application/json", "responseJsonSchema": SCHEMA},
    },
    "candidates": {
        "contents": [{"role": "user", "parts": [{"text": "Two please"}]}],
        "generationConfig": {"candidateCount": 2, "maxOutputTokens": 3},
    },
    "cached": {"contents": [{"role": "user", "parts": [{"text": "Hi"}]}], "cachedContent": "cachedContents/x"},
}


def _post(srv, body, method="generateContent", params=None):
    return httpx.post(
        f"{srv.url}/v1beta/models/{MODEL}:{method}",
        params=params,
        json=body,
        headers={"x-goog-api-key": KEY},
        timeout=10,
    )


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_fake_answers_validate_with_sdk_models(gemini_server, name):
    r = _post(gemini_server, SCENARIOS[name])
    assert r.status_code == 200
    resp = types.GenerateContentResponse.model_validate(r.json())
    assert resp.candidates and resp.usage_metadata.total_token_count > 0
    if name == "tools":
        assert resp.candidates[0].content.parts[0].function_call.name == "get_weather"
    if name == "thinking":
        assert resp.candidates[0].content.parts[0].thought is True
    if name == "candidates":
        assert len(resp.candidates) == 2 and resp.candidates[0].finish_reason == types.FinishReason.MAX_TOKENS
    if name == "cached":
        assert resp.usage_metadata.cached_content_token_count == 64


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_fake_stream_events_validate_with_sdk_models(gemini_server, name):
    r = _post(gemini_server, SCENARIOS[name], "streamGenerateContent", {"alt": "sse"})
    assert r.headers["content-type"].startswith("text/event-stream")
    events = sse_events(r.text)
    parsed = [types.GenerateContentResponse.model_validate(ev) for ev in events]
    assert parsed[-1].candidates[0].finish_reason is not None
    assert all(p.candidates[0].finish_reason is None for p in parsed[:-1])
    assert "\r\n\r\n" in r.text  # Google's framing


def test_fake_non_sse_stream_is_a_json_array(gemini_server):
    r = _post(gemini_server, SCENARIOS["text"], "streamGenerateContent")
    events = r.json()
    assert isinstance(events, list) and len(events) > 1
    for ev in events:
        types.GenerateContentResponse.model_validate(ev)


def test_fake_block_and_embeddings_validate(gemini_server):
    gemini_server.enqueue_block()
    blocked = types.GenerateContentResponse.model_validate(_post(gemini_server, SCENARIOS["text"]).json())
    assert blocked.prompt_feedback.block_reason == types.BlockedReason.SAFETY and not blocked.candidates
    r = httpx.post(
        f"{gemini_server.url}/v1beta/models/gemini-embedding-001:batchEmbedContents",
        headers={"x-goog-api-key": KEY},
        json={"requests": [{"model": "models/gemini-embedding-001", "content": {"parts": [{"text": "a"}]}}]},
    )
    assert types.EmbedContentResponse.model_validate(r.json()).embeddings[0].values


@pytest.mark.parametrize(
    "status, cls",
    [
        (400, genai_errors.ClientError),
        (404, genai_errors.ClientError),
        (429, genai_errors.ClientError),
        (500, genai_errors.ServerError),
        (503, genai_errors.ServerError),
    ],
)
def test_fake_errors_map_in_the_sdk(gemini_server, sdk, status, cls):
    gemini_server.enqueue_error(status)
    with pytest.raises(cls) as info:
        sdk.models.generate_content(
            model=MODEL,
            contents="Hi",
            config=types.GenerateContentConfig(
                http_options=types.HttpOptions(retry_options=types.HttpRetryOptions(attempts=1))
            ),
        )
    assert info.value.code == status
    assert info.value.status


def test_sdk_sees_the_fake_invalid_key(gemini_server):
    client = genai.Client(
        api_key="AIza-wrong", http_options=types.HttpOptions(base_url=gemini_server.url, api_version="v1beta")
    )
    with pytest.raises(genai_errors.ClientError) as info:
        client.models.generate_content(model=MODEL, contents="Hi")
    assert info.value.code == 400 and "API key not valid" in info.value.message
