"""Parity with the official ``cohere`` SDK (``cohere.ClientV2``).

1. The SDK and litegate make the equivalent call against the same capturing server
   (FakeCohereServer): path, request body, ``Authorization`` and ``content-type`` must agree.
   Documented differences: the SDK also sends ``user-agent`` and ``x-fern-*`` headers (litegate
   sends neither); litegate always says ``"stream": false`` on plain chat calls, as the SDK does,
   and the bodies are otherwise identical key for key.
2. What the fake server emits (chat answers, every stream event, embed and rerank answers, error
   statuses) must parse with the SDK's own models and client, so the fake cannot drift from the
   wire format the SDK expects unnoticed. The documented examples of the transcripts do too.
"""

from __future__ import annotations

import json

import pytest
from _cohere_helpers import KEY, PNG_B64, TIME, WEATHER, example, load, sse_bytes, sse_events, sse_files

import litegate

cohere = pytest.importorskip("cohere")
from pydantic import TypeAdapter  # noqa: E402

MODEL = "command-r-plus-08-2024"
EVENTS = TypeAdapter(cohere.V2ChatStreamResponse)
FINISH_REASONS = {"COMPLETE", "STOP_SEQUENCE", "MAX_TOKENS", "TOOL_CALL", "ERROR", "TIMEOUT"}  # the OpenAPI enum
# the SDK's own model code reads a field pydantic 2 deprecates; not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore:The `__fields__` attribute is deprecated")


@pytest.fixture
def sdk(cohere_server):
    return cohere.ClientV2(api_key=KEY, base_url=cohere_server.url, max_retries=0)


def _litegate(srv, model=MODEL, **kw):
    kw.setdefault("num_retries", 0)
    return litegate.completion("cohere/" + model, api_key=KEY, api_base=srv.url, **kw)


def _assert_same_request(srv, path="/v2/chat"):
    ours, theirs = srv.requests[-1], srv.requests[-2]
    assert ours.path == theirs.path == path
    assert ours.json == theirs.json
    assert ours.header("authorization") == theirs.header("authorization") == "Bearer " + KEY
    assert ours.header("content-type") == theirs.header("content-type") == "application/json"
    assert theirs.header("x-fern-sdk-name") == "cohere" and ours.header("x-fern-sdk-name") is None


def _drain(result):
    return result if isinstance(result, litegate.ModelResponse) else list(result)


# --------------------------------------------------------------------------------- request parity


def test_parity_sampling_parameters(cohere_server, sdk):
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"}]
    sdk.chat(
        model=MODEL,
        messages=messages,
        temperature=0.3,
        p=0.9,
        k=20,
        max_tokens=300,
        stop_sequences=["END"],
        seed=5,
        frequency_penalty=0.1,
        presence_penalty=0.2,
        logprobs=True,
    )
    _litegate(
        cohere_server,
        messages=messages,
        temperature=0.3,
        top_p=0.9,
        top_k=20,
        max_tokens=300,
        stop="END",
        seed=5,
        frequency_penalty=0.1,
        presence_penalty=0.2,
        logprobs=True,
    )
    _assert_same_request(cohere_server)


def test_parity_streaming(cohere_server, sdk):
    messages = [{"role": "user", "content": "Tell me about LLMs"}]
    list(sdk.chat_stream(model=MODEL, messages=messages, max_tokens=50))
    _drain(_litegate(cohere_server, messages=messages, max_tokens=50, stream=True))
    _assert_same_request(cohere_server)
    assert cohere_server.last_request.json["stream"] is True


def test_parity_tools_and_tool_choice(cohere_server, sdk):
    messages = [{"role": "user", "content": "What is the weather in Oslo?"}]
    sdk.chat(model=MODEL, messages=messages, tools=[WEATHER, TIME], tool_choice="REQUIRED", strict_tools=True)
    strict = [{"type": "function", "function": dict(t["function"], strict=True)} for t in (WEATHER, TIME)]
    _litegate(cohere_server, messages=messages, tools=strict, tool_choice="required")
    _assert_same_request(cohere_server)


def test_parity_documented_tool_history(cohere_server, sdk):
    req = load("docs_tool_use_history_request.json")["request"]
    sdk.chat(model=MODEL, messages=req["messages"], tools=req["tools"])
    user, assistant, tool = req["messages"]
    openai_messages = [
        user,
        {"role": "assistant", "content": assistant["tool_plan"], "tool_calls": assistant["tool_calls"]},
        {"role": "tool", "tool_call_id": tool["tool_call_id"], "content": tool["content"][0]["document"]["data"]},
    ]
    _litegate(cohere_server, messages=openai_messages, tools=req["tools"])
    _assert_same_request(cohere_server)


def test_parity_tool_round_trip_from_our_own_response(cohere_server, sdk):
    """The SDK's documented loop (append response.message, then tool results) and litegate's
    OpenAI loop (append choices[0].message, then tool messages) send the same second request."""
    messages = [{"role": "user", "content": "What is the weather in Oslo?"}]
    cohere_server.enqueue_reply(
        None,
        tool_calls=[{"id": "get_weather_1", "name": "get_weather", "arguments": {"location": "Oslo"}}],
        tool_plan="I will check.",
        thinking="The user wants the weather.",
        count=2,
    )
    first = sdk.chat(model=MODEL, messages=messages, tools=[WEATHER])
    ours = _litegate(cohere_server, messages=messages, tools=[WEATHER])
    result = json.dumps({"temp_c": 4})
    sdk.chat(
        model=MODEL,
        tools=[WEATHER],
        messages=messages
        + [
            first.message,
            {
                "role": "tool",
                "tool_call_id": "get_weather_1",
                "content": [{"type": "document", "document": {"data": result}}],
            },
        ],
    )
    _litegate(
        cohere_server,
        tools=[WEATHER],
        messages=messages
        + [ours.choices[0].message, {"role": "tool", "tool_call_id": "get_weather_1", "content": result}],
    )
    _assert_same_request(cohere_server)


def test_parity_images(cohere_server, sdk):
    messages = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Describe this image"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64," + PNG_B64, "detail": "auto"}},
            ],
        }
    ]
    sdk.chat(model="command-a-vision-07-2025", messages=messages)
    _litegate(cohere_server, "command-a-vision-07-2025", messages=messages)
    _assert_same_request(cohere_server)


def test_parity_json_schema(cohere_server, sdk):
    schema = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    messages = [{"role": "user", "content": "A person as JSON"}]
    sdk.chat(model=MODEL, messages=messages, response_format={"type": "json_object", "json_schema": schema})
    _litegate(
        cohere_server,
        messages=messages,
        response_format={"type": "json_schema", "json_schema": {"name": "person", "schema": schema}},
    )
    _assert_same_request(cohere_server)


def test_parity_documents_thinking_and_safety(cohere_server, sdk):
    req = example("v2_chat__01_documents.json")["request"]
    sdk.chat(
        model="command-a-reasoning-08-2025",
        messages=req["messages"],
        documents=req["documents"],
        safety_mode="STRICT",
        thinking={"type": "enabled", "token_budget": 1024},
    )
    _litegate(
        cohere_server,
        "command-a-reasoning-08-2025",
        messages=req["messages"],
        documents=req["documents"],
        safety_mode="STRICT",
        reasoning_effort="low",
    )
    _assert_same_request(cohere_server)


def test_parity_embed(cohere_server, sdk):
    sdk.embed(model="embed-v4.0", texts=["hello", "goodbye"], input_type="classification", embedding_types=["float"])
    litegate.embedding(
        "cohere/embed-v4.0",
        input=["hello", "goodbye"],
        input_type="classification",
        api_key=KEY,
        api_base=cohere_server.url,
    )
    _assert_same_request(cohere_server, "/v2/embed")


def test_parity_embed_default_input_type_base64_and_dimensions(cohere_server, sdk):
    sdk.embed(
        model="embed-v4.0",
        texts=["hello"],
        input_type="search_document",
        embedding_types=["base64"],
        output_dimension=512,
    )
    litegate.embedding(
        "cohere/embed-v4.0",
        input="hello",
        encoding_format="base64",
        dimensions=512,
        api_key=KEY,
        api_base=cohere_server.url,
    )
    _assert_same_request(cohere_server, "/v2/embed")


def test_parity_embed_images(cohere_server, sdk):
    image = "data:image/png;base64," + PNG_B64
    sdk.embed(model="embed-v4.0", images=[image], input_type="image", embedding_types=["float"])
    litegate.embedding("cohere/embed-v4.0", input=[image], api_key=KEY, api_base=cohere_server.url)
    _assert_same_request(cohere_server, "/v2/embed")


def test_parity_rerank(cohere_server, sdk):
    req = example("v2_rerank__00_cohere_typescript_sdk.json")["request"]
    sdk.rerank(model=req["model"], query=req["query"], documents=req["documents"], top_n=3, max_tokens_per_doc=512)
    litegate.rerank(
        "cohere/" + req["model"],
        query=req["query"],
        documents=req["documents"],
        top_n=3,
        max_tokens_per_doc=512,
        api_key=KEY,
        api_base=cohere_server.url,
    )
    _assert_same_request(cohere_server, "/v2/rerank")


def test_parity_rerank_structured_documents(cohere_server, sdk):
    """The rerank guide sends dicts as YAML strings with the SDK; litegate does it from the dicts."""
    fx = load("docs_rerank_structured_request.json")
    req = fx["request"]
    sdk.rerank(model=req["model"], query=req["query"], documents=req["documents"], top_n=req["top_n"])
    resp = litegate.rerank(
        "cohere/" + req["model"],
        query=req["query"],
        documents=fx["documents"],
        rank_fields=["Title", "Content"],
        top_n=req["top_n"],
        api_key=KEY,
        api_base=cohere_server.url,
    )
    _assert_same_request(cohere_server, "/v2/rerank")
    assert all(r.document == fx["documents"][r.index] for r in resp.results)


# --------------------------------------------------------------------------------- the fake's answers


def _check_answer(data: dict) -> None:
    parsed = cohere.V2ChatResponse.model_validate(data)
    assert parsed.finish_reason in FINISH_REASONS
    assert parsed.message.role == "assistant"


@pytest.mark.parametrize(
    "kw",
    [
        {"messages": [{"role": "user", "content": "Hello"}]},
        {"messages": [{"role": "user", "content": "What is the weather in Oslo?"}], "tools": [WEATHER]},
        {"messages": [{"role": "user", "content": "Hi"}], "documents": ["Penguins are birds."], "logprobs": True},
        {"messages": [{"role": "user", "content": "Think"}], "thinking": {"type": "enabled"}, "max_tokens": 2},
        {"messages": [{"role": "user", "content": "JSON"}], "response_format": {"type": "json_object"}},
    ],
)
def test_fake_answers_parse_with_the_sdk(cohere_server, sdk, kw):
    resp = sdk.chat(model=MODEL, **kw)  # the SDK client itself
    assert resp.id and resp.finish_reason in FINISH_REASONS
    _check_answer(json.loads(_last_body(cohere_server, kw)))


def _last_body(srv, kw) -> str:
    """The fake's JSON answer for ``kw`` fetched over plain HTTP (the SDK keeps only its model)."""
    import httpx

    r = httpx.post(srv.url + "/v2/chat", json=dict(kw, model=MODEL), headers={"authorization": "Bearer " + KEY})
    assert r.status_code == 200
    return r.text


@pytest.mark.parametrize(
    "kw",
    [
        {"messages": [{"role": "user", "content": "Hello"}], "logprobs": True},
        {"messages": [{"role": "user", "content": "call get_weather and get_time"}], "tools": [WEATHER, TIME]},
        {"messages": [{"role": "user", "content": "Hi"}], "documents": [{"id": "d1", "data": {"text": "Birds."}}]},
        {"messages": [{"role": "user", "content": "Think"}], "thinking": {"type": "enabled"}},
    ],
)
def test_fake_stream_events_parse_with_the_sdk(cohere_server, sdk, kw):
    import httpx

    r = httpx.post(
        cohere_server.url + "/v2/chat",
        json=dict(kw, model=MODEL, stream=True),
        headers={"authorization": "Bearer " + KEY},
    )
    events = sse_events(r.content)
    assert events[0][0] == "message-start" and events[-1][0] == "message-end"
    for name, data in events:
        assert name == data["type"]
        parsed = EVENTS.validate_python(data)
        assert type(parsed).__name__.lower().startswith(name.replace("-", ""))
    sdk_events = list(sdk.chat_stream(model=MODEL, **kw))  # and the SDK's stream reader takes them
    assert [e.type for e in sdk_events] == [name for name, _ in events]


def test_fake_embed_and_rerank_answers_parse_with_the_sdk(cohere_server, sdk):
    got = sdk.embed(
        model="embed-english-v3.0",
        texts=["a", "b"],
        input_type="search_query",
        embedding_types=["float", "int8", "uint8", "binary", "ubinary", "base64"],
    )
    assert len(got.embeddings.float_) == 2 and len(got.embeddings.float_[0]) == 1024
    assert len(got.embeddings.ubinary[0]) == 128 and all(0 <= b <= 255 for b in got.embeddings.ubinary[0])
    assert all(-128 <= b <= 127 for b in got.embeddings.binary[0])
    assert all(-128 <= b <= 127 for b in got.embeddings.int8[0])
    assert got.meta.billed_units.input_tokens == 2
    rr = sdk.rerank(
        model="rerank-v3.5", query="capital of France", documents=["Paris is the capital of France", "x y"], top_n=1
    )
    assert [r.index for r in rr.results] == [0]
    assert rr.meta.billed_units.search_units == 1


@pytest.mark.parametrize(
    "status, sdk_error",
    [
        (400, "BadRequestError"),
        (401, "UnauthorizedError"),
        (404, "NotFoundError"),
        (429, "TooManyRequestsError"),
        (498, "InvalidTokenError"),
        (499, "ClientClosedRequestError"),
        (500, "InternalServerError"),
        (503, "ServiceUnavailableError"),
    ],
)
def test_fake_error_statuses_are_what_the_sdk_expects(cohere_server, sdk, status, sdk_error):
    cohere_server.enqueue_error(status)
    with pytest.raises(getattr(cohere.errors, sdk_error)) as info:
        sdk.chat(model=MODEL, messages=[{"role": "user", "content": "hi"}])
    assert set(info.value.body) == {"id", "message"}


def test_documented_examples_parse_with_the_sdk():
    for name in (
        "v2_chat__00_default.json",
        "v2_chat__01_documents.json",
        "v2_chat__03_tools.json",
        "v2_chat__04_images.json",
    ):
        _check_answer(example(name)["response"]["body"])
    for name in sse_files():
        for _, data in sse_events(sse_bytes(name)):
            EVENTS.validate_python(data)
    cohere.EmbedByTypeResponse.model_validate(example("v2_embed__00_texts.json")["response"]["body"])
    cohere.V2RerankResponse.model_validate(example("v2_rerank__00_cohere_typescript_sdk.json")["response"]["body"])
