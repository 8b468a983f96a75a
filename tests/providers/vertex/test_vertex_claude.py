"""Claude on Vertex AI (``vertex_ai/claude-...``): the Anthropic translator on Vertex's
publishers/anthropic rawPredict / streamRawPredict, authorised by the Google OAuth flow, end to
end against FakeGeminiServer (which checks the tokens it issued)."""

from __future__ import annotations

import asyncio

import pytest

import litegate
from litegate.providers.anthropic import Anthropic
from litegate.providers.vertex_anthropic import VertexAnthropic

MODEL = "vertex_ai/claude-sonnet-4-5@20250929"
PATH = "/v1/projects/my-project/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929"


@pytest.fixture
def kw(vertex_server, service_account):
    return dict(
        api_base=vertex_server.url,
        vertex_credentials=service_account,
        vertex_project="my-project",
        vertex_location="us-east5",
    )


def test_the_anthropic_translator_is_reused():
    assert issubclass(VertexAnthropic, Anthropic)
    for cls in VertexAnthropic.__mro__[:2]:
        for name in ("adapt_params", "unsupported", "parse_chat", "chat_request", "stream_decoder"):
            assert name not in vars(cls)


def test_sync_call(vertex_server, kw):
    resp = litegate.completion(
        MODEL,
        messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello there"}],
        max_tokens=100,
        extra_headers={"anthropic-beta": "context-1m-2025-08-07"},
        **kw,
    )
    req = vertex_server.last_request
    assert req.path == PATH + ":rawPredict"
    assert req.header("authorization") == "Bearer " + vertex_server.issued_tokens[0]
    assert req.header("x-api-key") is None
    assert req.json == {
        "anthropic_version": "vertex-2023-10-16",
        "system": "Be brief.",
        "max_tokens": 100,
        "messages": [{"role": "user", "content": "Hello there"}],
        "anthropic_beta": ["context-1m-2025-08-07"],
    }
    assert resp.choices[0].message.content == "This is a fake reply to: Hello there"
    assert resp._hidden_params["custom_llm_provider"] == "vertex_ai"
    info = litegate.get_model_info(MODEL)
    assert resp._hidden_params["response_cost"] == pytest.approx(
        resp.usage.prompt_tokens * info["input_cost_per_token"]
        + resp.usage.completion_tokens * info["output_cost_per_token"]
    )


def test_stream_and_async(vertex_server, kw):
    chunks = list(
        litegate.completion(
            MODEL,
            messages=[{"role": "user", "content": "Stream it"}],
            stream=True,
            stream_options={"include_usage": True},
            **kw,
        )
    )
    assert vertex_server.last_request.path == PATH + ":streamRawPredict"
    assert vertex_server.last_request.json["stream"] is True
    assert (
        "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "This is a fake reply to: Stream it"
    )
    assert chunks[-1].usage.completion_tokens > 0

    async def go():
        return await litegate.acompletion(MODEL, messages=[{"role": "user", "content": "Hi"}], **kw)

    assert asyncio.run(go()).choices[0].message.content == "This is a fake reply to: Hi"


def test_tools_and_errors(vertex_server, kw):
    tool = {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"location": {"type": "string"}}},
        },
    }
    resp = litegate.completion(MODEL, messages=[{"role": "user", "content": "weather in Rome?"}], tools=[tool], **kw)
    assert resp.choices[0].message.tool_calls[0].function.name == "get_weather"
    assert vertex_server.last_request.json["tools"][0]["name"] == "get_weather"
    vertex_server.enqueue_raw(429, {"type": "error", "error": {"type": "rate_limit_error", "message": "slow"}})
    with pytest.raises(litegate.RateLimitError):
        litegate.completion(MODEL, messages=[{"role": "user", "content": "x"}], num_retries=0, **kw)
