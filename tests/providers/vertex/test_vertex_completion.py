"""litegate.completion / acompletion / embedding on the vertex_ai/ route, end to end against
FakeGeminiServer (Vertex URL layout, tokens issued and checked by its OAuth endpoint)."""

from __future__ import annotations

import json

import pytest
from _vertex_helpers import WEATHER

import litegate
from litegate.testing import embedding_vector
from litegate.types.streaming import stream_chunk_builder

MODEL = "vertex_ai/gemini-2.5-flash"
PATH = "/v1/projects/my-project/locations/us-central1/publishers/google/models/gemini-2.5-flash"


@pytest.fixture
def call(vertex_server, service_account):
    def run(**kw):
        kw.setdefault("api_base", vertex_server.url)
        kw.setdefault("vertex_credentials", service_account)
        kw.setdefault("vertex_project", "my-project")
        kw.setdefault(
            "messages", [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello there"}]
        )
        return litegate.completion(kw.pop("model", MODEL), **kw)

    return run


def test_sync_completion(vertex_server, call):
    resp = call(temperature=0.2, max_completion_tokens=50)
    req = vertex_server.last_request
    assert req.path == PATH + ":generateContent"
    assert req.header("authorization") == "Bearer " + vertex_server.issued_tokens[0]
    assert req.header("x-goog-api-key") is None
    assert req.json == {
        "contents": [{"role": "user", "parts": [{"text": "Hello there"}]}],
        "systemInstruction": {"parts": [{"text": "Be brief."}]},
        "generationConfig": {"temperature": 0.2, "maxOutputTokens": 50},
    }
    assert resp.choices[0].message.content == "This is a fake reply to: Hello there"
    assert resp._hidden_params["custom_llm_provider"] == "vertex_ai"
    assert resp._hidden_params["api_base"] == vertex_server.url + "/v1/projects/my-project/locations/us-central1"


def test_bare_gemini_name_routes_to_vertex(vertex_server, service_account, monkeypatch):
    monkeypatch.setenv("VERTEXAI_API_BASE", vertex_server.url)
    monkeypatch.setenv("VERTEXAI_PROJECT", "env-project")
    resp = litegate.completion(
        "gemini-2.0-flash", vertex_credentials=service_account, messages=[{"role": "user", "content": "hi"}]
    )
    assert resp.choices[0].message.content == "This is a fake reply to: hi"
    assert vertex_server.last_request.path.startswith("/v1/projects/env-project/locations/us-central1/")


async def test_async_completion_and_stream(vertex_server, service_account):
    kw = dict(
        api_base=vertex_server.url,
        vertex_credentials=service_account,
        vertex_project="my-project",
        messages=[{"role": "user", "content": "Stream this answer please"}],
    )
    resp = await litegate.acompletion(MODEL, **kw)
    assert resp.choices[0].message.content == "This is a fake reply to: Stream this answer please"
    stream = await litegate.acompletion(MODEL, stream=True, stream_options={"include_usage": True}, **kw)
    chunks = [c async for c in stream]
    assert vertex_server.last_request.path == PATH + ":streamGenerateContent"
    assert vertex_server.last_request.query == {"alt": "sse"}
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == resp.choices[0].message.content
    assert chunks[-1].choices[0].finish_reason == "stop" and chunks[-1].usage.total_tokens > 0
    assert vertex_server.hits("/token") == 1


def test_sync_stream_and_fault(vertex_server, call):
    chunks = list(call(stream=True))
    assert stream_chunk_builder(chunks).choices[0].message.content == "This is a fake reply to: Hello there"
    vertex_server.enqueue_fault("stream_error_event")
    with pytest.raises(litegate.ServiceUnavailableError):
        list(call(stream=True, messages=[{"role": "user", "content": "one two three four five six seven"}]))


def test_tool_round_trip(vertex_server, call):
    first = call(tools=[WEATHER], messages=[{"role": "user", "content": "What's the weather in Lima?"}])
    msg = first.choices[0].message
    assert first.choices[0].finish_reason == "tool_calls"
    second = call(
        tools=[WEATHER],
        messages=[
            {"role": "user", "content": "What's the weather in Lima?"},
            msg.model_dump(),
            {"role": "tool", "tool_call_id": msg.tool_calls[0].id, "content": "22C"},
        ],
    )
    assert vertex_server.last_request.json["contents"][2]["parts"][0]["functionResponse"] == {
        "name": "get_weather",
        "response": {"content": "22C"},
    }
    assert second.choices[0].message.content == "This is a fake reply to: 22C"


def test_vertex_keeps_additional_properties_on_the_wire(vertex_server, call):
    tool = {
        "type": "function",
        "function": {
            "name": "lookup",
            "parameters": {"type": "object", "properties": {"q": {"type": "string"}}, "additionalProperties": False},
        },
    }
    resp = call(tools=[tool], messages=[{"role": "user", "content": "call lookup"}])
    params = vertex_server.last_request.json["tools"][0]["functionDeclarations"][0]["parameters"]
    assert params["additionalProperties"] is False
    assert resp.choices[0].message.tool_calls[0].function.name == "lookup"


def test_json_schema_response(vertex_server, call):
    schema = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    resp = call(response_format={"type": "json_schema", "json_schema": {"name": "N", "schema": schema}})
    assert json.loads(resp.choices[0].message.content) == {"name": "name_value"}


def test_safety_block(vertex_server, call):
    vertex_server.enqueue_block("SAFETY", "Blocked by the fake")
    with pytest.raises(litegate.ContentPolicyViolationError, match="Blocked by the fake"):
        call()


@pytest.mark.parametrize(
    "status, cls",
    [
        (400, litegate.BadRequestError),
        (403, litegate.PermissionDeniedError),
        (404, litegate.NotFoundError),
        (429, litegate.RateLimitError),
        (500, litegate.InternalServerError),
        (503, litegate.ServiceUnavailableError),
    ],
)
def test_errors(vertex_server, call, status, cls):
    vertex_server.enqueue_error(status, path=":generateContent")
    with pytest.raises(cls) as info:
        call(num_retries=0)
    assert info.value.llm_provider == "vertex_ai"


def test_quota_errors_are_retried(vertex_server, call):
    vertex_server.enqueue_error(429, count=2, path=":generateContent")
    assert call(num_retries=2).choices[0].message.content
    assert vertex_server.hits(":generateContent") == 3
    assert vertex_server.hits("/token") == 1


def test_embeddings(vertex_server, service_account):
    kw = dict(api_base=vertex_server.url, vertex_credentials=service_account, vertex_project="my-project")
    resp = litegate.embedding(
        "vertex_ai/text-embedding-005", input=["a b", "c"], dimensions=4, input_type="search_document", **kw
    )
    req = vertex_server.last_request
    assert req.path.endswith("/models/text-embedding-005:predict")
    assert req.json["instances"][0] == {"content": "a b", "task_type": "RETRIEVAL_DOCUMENT"}
    assert resp.data[1]["embedding"] == pytest.approx(embedding_vector("c", 4))
    assert resp.usage.prompt_tokens == 3
    resp = litegate.embedding("vertex_ai/gemini-embedding-001", input=["x", "y"], **kw)
    assert vertex_server.last_request.path.endswith("/models/gemini-embedding-001:batchEmbedContents")
    assert [d["index"] for d in resp.data] == [0, 1] and resp.usage.prompt_tokens == 2
    resp = litegate.embedding("vertex_ai/gemini-embedding-001", input="x", **kw)
    assert vertex_server.last_request.path.endswith(":embedContent")
    assert resp.data[0]["embedding"] == pytest.approx(embedding_vector("x", 8))
