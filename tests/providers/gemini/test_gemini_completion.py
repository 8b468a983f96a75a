"""litegate.completion / acompletion / embedding on the gemini/ route, end to end against
FakeGeminiServer over real sockets: what is sent, what comes back, tool loops, vision, JSON mode,
thinking, safety blocks, errors, retries and stream faults."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import struct

import pytest
from _gemini_helpers import KEY, PNG_B64, WEATHER

import litegate
from litegate.testing import embedding_vector
from litegate.types.streaming import stream_chunk_builder

MODEL = "gemini/gemini-2.5-flash"
TIME = {
    "type": "function",
    "function": {
        "name": "get_time",
        "description": "Local time",
        "parameters": {"type": "object", "properties": {"location": {"type": "string"}}},
    },
}


def _call(srv, **kw):
    kw.setdefault("api_key", KEY)
    kw.setdefault("api_base", srv.url)
    kw.setdefault("messages", [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello there"}])
    return litegate.completion(kw.pop("model", MODEL), **kw)


async def _acall(srv, **kw):
    kw.setdefault("api_key", KEY)
    kw.setdefault("api_base", srv.url)
    kw.setdefault("messages", [{"role": "user", "content": "Hello there"}])
    return await litegate.acompletion(kw.pop("model", MODEL), **kw)


# ------------------------------------------------------------------------------ plain calls


def test_sync_completion_request_and_response(gemini_server):
    resp = _call(gemini_server, temperature=0.3, max_tokens=300, stop=["\n\n"], seed=3)
    req = gemini_server.last_request
    assert req.method == "POST" and req.path == "/v1beta/models/gemini-2.5-flash:generateContent"
    assert req.query == {}
    assert req.header("x-goog-api-key") == KEY and req.header("authorization") is None
    assert req.header("content-type") == "application/json"
    assert req.json == {
        "contents": [{"role": "user", "parts": [{"text": "Hello there"}]}],
        "systemInstruction": {"parts": [{"text": "Be brief."}]},
        "generationConfig": {"temperature": 0.3, "maxOutputTokens": 300, "stopSequences": ["\n\n"], "seed": 3},
    }
    assert isinstance(resp, litegate.ModelResponse)
    assert resp.id.startswith("resp-")
    assert resp.model == "gemini-2.5-flash"
    assert resp.choices[0].message.content == "This is a fake reply to: Hello there"
    assert resp.choices[0].finish_reason == "stop"
    assert resp.usage.prompt_tokens > 0 and resp.usage.completion_tokens > 0
    assert resp._hidden_params["custom_llm_provider"] == "gemini"
    assert resp._hidden_params["additional_headers"]["x-goog-request-id"].startswith("req-")


def test_env_and_module_keys(gemini_server, monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", KEY)
    monkeypatch.setenv("GEMINI_API_BASE", gemini_server.url)
    resp = litegate.completion(MODEL, messages=[{"role": "user", "content": "hi"}])
    assert resp.choices[0].message.content == "This is a fake reply to: hi"
    monkeypatch.delenv("GEMINI_API_KEY")
    monkeypatch.setenv("GOOGLE_API_KEY", KEY)
    assert litegate.completion(MODEL, messages=[{"role": "user", "content": "hi"}]).choices[0].message.content
    monkeypatch.delenv("GOOGLE_API_KEY")
    litegate.gemini_key = KEY
    assert litegate.completion(MODEL, messages=[{"role": "user", "content": "hi"}]).choices[0].message.content


def test_key_never_reaches_url_or_errors(gemini_server):
    with pytest.raises(litegate.AuthenticationError) as info:
        _call(gemini_server, api_key="AIzaSyWrongKeyWrongKeyWrongKey000")
    assert "AIzaSyWrongKey" not in str(info.value)
    assert all("key" not in r.query for r in gemini_server.requests)


async def test_async_completion(gemini_server):
    gemini_server.enqueue_reply(
        "Async hello.", usage={"promptTokenCount": 12, "candidatesTokenCount": 3, "totalTokenCount": 15}
    )
    resp = await _acall(gemini_server)
    assert resp.choices[0].message.content == "Async hello."
    assert (resp.usage.prompt_tokens, resp.usage.completion_tokens, resp.usage.total_tokens) == (12, 3, 15)


async def test_async_calls_in_parallel(gemini_server):
    results = await asyncio.gather(
        *[_acall(gemini_server, messages=[{"role": "user", "content": f"question {i}"}]) for i in range(8)]
    )
    assert sorted(r.choices[0].message.content for r in results) == sorted(
        f"This is a fake reply to: question {i}" for i in range(8)
    )


def test_max_tokens_stop_and_n(gemini_server):
    resp = _call(gemini_server, max_tokens=3)
    assert resp.choices[0].finish_reason == "length"
    assert resp.choices[0].message.content == "This is a"
    resp = _call(gemini_server, stop="reply")
    assert resp.choices[0].message.content == "This is a fake "
    resp = _call(gemini_server, n=2)
    assert [c.index for c in resp.choices] == [0, 1]


# ------------------------------------------------------------------------------ streaming


def _check_stream(chunks, text):
    assert chunks[0].choices[0].delta.role == "assistant"
    assert [c.choices[0].finish_reason for c in chunks].count("stop") == 1
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == text
    assert len({c.id for c in chunks}) == 1


def test_sync_stream(gemini_server):
    chunks = list(
        _call(
            gemini_server,
            stream=True,
            stream_options={"include_usage": True},
            messages=[{"role": "user", "content": "Tell me a short story about a fox"}],
        )
    )
    req = gemini_server.last_request
    assert req.path == "/v1beta/models/gemini-2.5-flash:streamGenerateContent" and req.query == {"alt": "sse"}
    _check_stream(chunks, "This is a fake reply to: Tell me a short story about a fox")
    assert len(chunks) > 3
    assert chunks[-1].usage.total_tokens > 0
    rebuilt = stream_chunk_builder(chunks)
    assert rebuilt.choices[0].message.content == "This is a fake reply to: Tell me a short story about a fox"


async def test_async_stream(gemini_server):
    stream = await _acall(gemini_server, stream=True)
    chunks = [c async for c in stream]
    _check_stream(chunks, "This is a fake reply to: Hello there")


def test_stream_with_thinking(gemini_server):
    chunks = list(_call(gemini_server, stream=True, reasoning_effort="low", stream_options={"include_usage": True}))
    assert gemini_server.last_request.json["generationConfig"]["thinkingConfig"] == {
        "thinkingBudget": 1024,
        "includeThoughts": True,
    }
    reasoning = "".join(c.choices[0].delta.reasoning_content or "" for c in chunks)
    assert reasoning.startswith("**Considering the request**")
    assert chunks[-1].usage.completion_tokens_details.reasoning_tokens > 0


@pytest.mark.parametrize(
    "fault, exc",
    [
        ("cut_stream", litegate.APIConnectionError),
        ("no_finish", litegate.APIConnectionError),
        ("malformed_stream", litegate.APIResponseValidationError),
        ("stream_error_event", litegate.ServiceUnavailableError),
    ],
)
def test_stream_faults(gemini_server, fault, exc):
    gemini_server.enqueue_fault(fault)
    seen = []
    with pytest.raises(exc):
        for chunk in _call(
            gemini_server, stream=True, messages=[{"role": "user", "content": "one two three four five six"}]
        ):
            seen.append(chunk)
    assert seen and seen[0].choices[0].delta.role == "assistant"


def test_stream_prompt_blocked(gemini_server):
    gemini_server.enqueue_block("PROHIBITED_CONTENT", "Blocked for testing")
    with pytest.raises(litegate.ContentPolicyViolationError, match="Blocked for testing"):
        list(_call(gemini_server, stream=True))


# ------------------------------------------------------------------------------ tools


def test_tool_call_round_trip(gemini_server):
    first = _call(
        gemini_server, tools=[WEATHER], messages=[{"role": "user", "content": "What's the weather in Paris?"}]
    )
    msg = first.choices[0].message
    assert first.choices[0].finish_reason == "tool_calls"
    assert msg.tool_calls[0].function.name == "get_weather"
    args = json.loads(msg.tool_calls[0].function.arguments)
    assert args == {"location": "San Francisco, CA"}
    second = _call(
        gemini_server,
        tools=[WEATHER],
        messages=[
            {"role": "user", "content": "What's the weather in Paris?"},
            msg.model_dump(),
            {"role": "tool", "tool_call_id": msg.tool_calls[0].id, "content": "18C and sunny"},
        ],
    )
    sent = gemini_server.last_request.json["contents"]
    assert sent[1]["parts"][0]["functionCall"]["name"] == "get_weather"
    assert sent[2] == {
        "role": "user",
        "parts": [{"functionResponse": {"name": "get_weather", "response": {"content": "18C and sunny"}}}],
    }
    assert second.choices[0].finish_reason == "stop"
    assert second.choices[0].message.content == "This is a fake reply to: 18C and sunny"


def test_parallel_tool_calls_streamed(gemini_server):
    chunks = list(
        _call(
            gemini_server,
            stream=True,
            tools=[WEATHER, TIME],
            messages=[{"role": "user", "content": "Call get_weather and get_time for Oslo"}],
        )
    )
    calls = [tc for c in chunks for tc in c.choices[0].delta.tool_calls or ()]
    assert [(c.index, c.function.name) for c in calls] == [(0, "get_weather"), (1, "get_time")]
    assert chunks[-1].choices[0].finish_reason == "tool_calls"
    rebuilt = stream_chunk_builder(chunks)
    assert [t.function.name for t in rebuilt.choices[0].message.tool_calls] == ["get_weather", "get_time"]


def test_named_tool_choice_forces_the_call(gemini_server):
    resp = _call(
        gemini_server, tools=[WEATHER, TIME], tool_choice={"type": "function", "function": {"name": "get_time"}}
    )
    assert gemini_server.last_request.json["toolConfig"] == {
        "functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_time"]}
    }
    assert resp.choices[0].message.tool_calls[0].function.name == "get_time"
    resp = _call(
        gemini_server, tools=[WEATHER], tool_choice="none", messages=[{"role": "user", "content": "weather please"}]
    )
    assert resp.choices[0].message.tool_calls is None


def test_thinking_tool_loop_sends_the_signature_back(gemini_server):
    first = _call(
        gemini_server,
        tools=[WEATHER],
        reasoning_effort="medium",
        messages=[{"role": "user", "content": "weather in Rome?"}],
    )
    msg = first.choices[0].message
    sig = msg.tool_calls[0].provider_specific_fields["thought_signature"]
    assert msg.reasoning_content
    _call(
        gemini_server,
        tools=[WEATHER],
        messages=[
            {"role": "user", "content": "weather in Rome?"},
            msg.model_dump(),
            {"role": "tool", "tool_call_id": msg.tool_calls[0].id, "content": "20C"},
        ],
    )
    assert gemini_server.last_request.json["contents"][1]["parts"][0]["thoughtSignature"] == sig


def test_schema_warnings_are_logged_and_the_request_is_accepted(gemini_server, caplog):
    tool = {
        "type": "function",
        "function": {
            "name": "lookup",
            "parameters": {
                "type": "object",
                "additionalProperties": False,
                "$schema": "http://json-schema.org/draft-07/schema#",
                "properties": {
                    "ids": {"type": "array", "items": {"type": "integer"}, "uniqueItems": True},
                    "kind": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                },
            },
        },
    }
    with caplog.at_level(logging.WARNING, logger="litegate"):
        resp = _call(gemini_server, tools=[tool], messages=[{"role": "user", "content": "call lookup"}])
    assert resp.choices[0].message.tool_calls[0].function.name == "lookup"
    assert "additionalProperties" in caplog.text and "uniqueItems" in caplog.text and "$schema" in caplog.text


# ------------------------------------------------------------------------------ vision, JSON, extras


def test_vision(gemini_server):
    _call(
        gemini_server,
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Describe"},
                    {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG_B64}"}},
                    {"type": "image_url", "image_url": {"url": "https://example.com/photo.jpg"}},
                ],
            }
        ],
    )
    parts = gemini_server.last_request.json["contents"][0]["parts"]
    assert parts[1] == {"inlineData": {"mimeType": "image/png", "data": PNG_B64}}
    assert parts[2] == {"fileData": {"fileUri": "https://example.com/photo.jpg", "mimeType": "image/jpeg"}}


def test_json_schema_response(gemini_server):
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "population": {"type": "integer"}},
        "required": ["city", "population"],
    }
    fmt = {"type": "json_schema", "json_schema": {"name": "City", "schema": schema}}
    resp = _call(gemini_server, response_format=fmt)
    assert json.loads(resp.choices[0].message.content) == {"city": "San Francisco, CA", "population": 1}
    resp = _call(
        gemini_server,
        model="gemini/gemini-2.0-flash",
        response_format={"type": "json_schema", "json_schema": {"name": "City", "schema": schema}},
    )
    assert gemini_server.last_request.json["generationConfig"]["responseSchema"]["propertyOrdering"] == [
        "city",
        "population",
    ]
    assert json.loads(resp.choices[0].message.content) == {"city": "San Francisco, CA", "population": 1}
    resp = _call(gemini_server, response_format={"type": "json_object"})
    assert json.loads(resp.choices[0].message.content) == {"reply": "Hello there"}


def test_cached_content_tokens(gemini_server):
    resp = _call(gemini_server, cached_content="cachedContents/abc123")
    assert gemini_server.last_request.json["cachedContent"] == "cachedContents/abc123"
    assert resp.usage.prompt_tokens_details.cached_tokens == 64


def test_safety_finish_answer_and_blocked_prompt(gemini_server):
    gemini_server.enqueue_reply("Partial answer", finish_reason="SAFETY")
    resp = _call(gemini_server)
    assert resp.choices[0].finish_reason == "content_filter"
    gemini_server.enqueue_reply(None, finish_reason="SAFETY")
    with pytest.raises(litegate.ContentPolicyViolationError, match="finishReason SAFETY"):
        _call(gemini_server)
    gemini_server.enqueue_block()
    with pytest.raises(litegate.ContentPolicyViolationError) as info:
        _call(gemini_server)
    assert info.value.provider_specific_fields["promptFeedback"]["blockReason"] == "SAFETY"


def test_drop_params(gemini_server):
    with pytest.raises(litegate.UnsupportedParamsError):
        _call(gemini_server, user="someone")
    assert gemini_server.hits() == 0
    resp = _call(gemini_server, user="someone", drop_params=True)
    assert resp.choices[0].message.content


# ------------------------------------------------------------------------------ errors and retries


@pytest.mark.parametrize(
    "status, cls",
    [
        (400, litegate.BadRequestError),
        (401, litegate.AuthenticationError),
        (403, litegate.PermissionDeniedError),
        (404, litegate.NotFoundError),
        (429, litegate.RateLimitError),
        (500, litegate.InternalServerError),
        (503, litegate.ServiceUnavailableError),
        (504, litegate.Timeout),
    ],
)
def test_errors_are_mapped(gemini_server, status, cls):
    gemini_server.enqueue_error(status)
    with pytest.raises(cls) as info:
        _call(gemini_server, num_retries=0)
    assert info.value.llm_provider == "gemini"
    assert info.value.response.status_code == status


def test_invalid_key_and_missing_key(gemini_server):
    with pytest.raises(litegate.AuthenticationError, match="API key not valid"):
        _call(gemini_server, api_key="AIza-not-the-right-one")
    gemini_server.enqueue_error(
        403,
        message="Method doesn't allow unregistered callers (callers without established "
        "identity). Please use API Key or other form of API consumer identity.",
    )
    with pytest.raises(litegate.AuthenticationError, match="unregistered callers"):  # a missing key
        _call(gemini_server)


def test_context_window_error(gemini_server):
    gemini_server.enqueue_error(
        400, message="The input token count (1200000) exceeds the maximum number of tokens allowed (1048576)."
    )
    with pytest.raises(litegate.ContextWindowExceededError):
        _call(gemini_server)


def test_rate_limit_is_retried_with_the_retry_info_delay(gemini_server):
    gemini_server.enqueue_error(429, count=2)
    resp = _call(gemini_server, num_retries=2)
    assert resp.choices[0].message.content
    assert gemini_server.hits("generateContent") == 3


def test_overloaded_is_retried(gemini_server, fast_backoff):
    gemini_server.enqueue_error(503)
    assert _call(gemini_server, num_retries=1).choices[0].message.content
    assert gemini_server.hits("generateContent") == 2


def test_connection_reset(gemini_server, fast_backoff):
    gemini_server.enqueue_fault("reset")
    with pytest.raises(litegate.APIConnectionError):
        _call(gemini_server, num_retries=0)


# ------------------------------------------------------------------------------ embeddings


def test_embedding_single_and_batch(gemini_server):
    one = litegate.embedding(
        "gemini/gemini-embedding-001",
        input="hello",
        api_key=KEY,
        api_base=gemini_server.url,
        dimensions=4,
        task_type="RETRIEVAL_QUERY",
    )
    req = gemini_server.last_request
    assert req.path == "/v1beta/models/gemini-embedding-001:embedContent"
    assert req.json == {
        "model": "models/gemini-embedding-001",
        "content": {"parts": [{"text": "hello"}]},
        "outputDimensionality": 4,
        "taskType": "RETRIEVAL_QUERY",
    }
    assert one.data[0]["embedding"] == pytest.approx(embedding_vector("hello", 4))
    many = litegate.embedding(
        "gemini/gemini-embedding-001", input=["a", "b", "c"], api_key=KEY, api_base=gemini_server.url
    )
    assert gemini_server.last_request.path.endswith(":batchEmbedContents")
    assert [d["index"] for d in many.data] == [0, 1, 2]
    assert many.data[2]["embedding"] == pytest.approx(embedding_vector("c", 8))
    assert many.model == "gemini-embedding-001"


async def test_async_embedding_base64(gemini_server):
    resp = await litegate.aembedding(
        "gemini/gemini-embedding-001", input=["x"], api_key=KEY, api_base=gemini_server.url, encoding_format="base64"
    )
    raw = base64.b64decode(resp.data[0]["embedding"])
    assert list(struct.unpack("<8f", raw)) == pytest.approx(embedding_vector("x", 8))


def test_embedding_errors(gemini_server):
    gemini_server.enqueue_error(404, message="models/nope is not found for API version v1beta")
    with pytest.raises(litegate.NotFoundError):
        litegate.embedding("gemini/nope", input="x", api_key=KEY, api_base=gemini_server.url)
