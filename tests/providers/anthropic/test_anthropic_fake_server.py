"""FakeAnthropicServer over real sockets: routes, request checks like the real API, queued
behaviours, error injection and stream faults."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from _anthropic_helpers import KEY, sse_events

import litegate
from litegate.testing import FakeAnthropicServer

HEADERS = {"x-api-key": KEY, "anthropic-version": "2023-06-01"}
TOOL = {
    "name": "get_weather",
    "description": "w",
    "input_schema": {"type": "object", "properties": {"location": {"type": "string"}}},
}
TIME_TOOL = {"name": "get_time", "input_schema": {"type": "object", "properties": {"tz": {"type": "string"}}}}


def _body(**kw):
    body = {"model": "claude-sonnet-4-5", "max_tokens": 256, "messages": [{"role": "user", "content": "Hello"}]}
    body.update(kw)
    return body


def _post(srv, body, headers=HEADERS, path="/v1/messages"):
    return httpx.post(srv.base_url + path, json=body, headers=headers, timeout=10)


def _error(r):
    data = r.json()
    assert data["type"] == "error"
    return data["error"]["type"], data["error"]["message"]


def test_exports_and_urls():
    from litegate import testing

    assert "FakeAnthropicServer" in dir(testing) or hasattr(testing, "FakeAnthropicServer")
    srv = FakeAnthropicServer()
    assert "stopped" in repr(srv)
    with srv:
        assert srv.base_url == srv.url and srv.messages_url == srv.url + "/v1/messages"
        assert "running" in repr(srv)


def test_default_reply_and_recording(anthropic_server):
    r = _post(anthropic_server, _body(system="Be nice."))
    assert r.status_code == 200 and r.headers["request-id"].startswith("req_")
    msg = r.json()
    assert msg["type"] == "message" and msg["role"] == "assistant" and msg["id"].startswith("msg_")
    assert msg["content"] == [{"type": "text", "text": "This is a fake reply to: Hello"}]
    assert msg["stop_reason"] == "end_turn" and msg["stop_sequence"] is None
    assert set(msg["usage"]) >= {
        "input_tokens",
        "output_tokens",
        "cache_creation_input_tokens",
        "cache_read_input_tokens",
        "cache_creation",
        "service_tier",
    }
    rec = anthropic_server.last_request
    assert rec.json["system"] == "Be nice." and rec.header("x-api-key") == KEY
    assert anthropic_server.hits("/v1/messages") == 1 and len(anthropic_server.requests) == 1


@pytest.mark.parametrize(
    "headers, message",
    [
        ({"anthropic-version": "2023-06-01"}, "x-api-key header is required"),
        ({"x-api-key": "wrong", "anthropic-version": "2023-06-01"}, "invalid x-api-key"),
    ],
)
def test_auth(anthropic_server, headers, message):
    r = _post(anthropic_server, _body(), headers=headers)
    assert r.status_code == 401
    assert _error(r) == ("authentication_error", message)
    r = _post(anthropic_server, _body(), headers={"authorization": f"Bearer {KEY}", "anthropic-version": "2023-06-01"})
    assert r.status_code == 200


def test_version_header_required(anthropic_server):
    r = _post(anthropic_server, _body(), headers={"x-api-key": KEY})
    assert r.status_code == 400 and "anthropic-version" in _error(r)[1]


@pytest.mark.parametrize(
    "body, needle",
    [
        ({"model": "m", "messages": [{"role": "user", "content": "x"}]}, "max_tokens: Field required"),
        (_body(n=2), "n: Extra inputs are not permitted"),
        (_body(messages=[{"role": "system", "content": "x"}, {"role": "user", "content": "y"}]), "top-level `system`"),
        (_body(messages=[]), "at least one message"),
        (_body(messages=[{"role": "user", "content": ""}]), "non-empty content"),
        (_body(messages=[{"role": "user", "content": [{"type": "text", "text": "  "}]}]), "non-whitespace"),
        (_body(temperature=1.5), "temperature"),
        (_body(thinking={"type": "enabled", "budget_tokens": 512}), "greater than or equal to 1024"),
        (
            _body(thinking={"type": "enabled", "budget_tokens": 1024}, max_tokens=1024),
            "greater than `thinking.budget_tokens`",
        ),
        (_body(tools=[{"name": "x", "input_schema": {"type": "string"}}]), "input_schema.type"),
        (_body(tools=[TOOL], tool_choice={"type": "tool", "name": "nope"}), "not in tools"),
        (_body(tool_choice={"type": "required"}), "tool_choice"),
        (
            _body(
                messages=[
                    {
                        "role": "user",
                        "content": [
                            {"type": "image", "source": {"type": "base64", "media_type": "image/bmp", "data": "AAAA"}}
                        ],
                    }
                ]
            ),
            "media_type",
        ),
        (_body(messages=[{"role": "user", "content": "hi", "name": "bob"}]), "Extra inputs"),
        (
            _body(
                messages=[
                    {"role": "user", "content": "Weather?"},
                    {
                        "role": "user",
                        "content": [{"type": "tool_result", "tool_use_id": "toolu_x", "content": "sunny"}],
                    },
                ]
            ),
            "unexpected `tool_use_id`",
        ),
        (
            _body(
                messages=[
                    {"role": "user", "content": "Weather?"},
                    {
                        "role": "assistant",
                        "content": [{"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}}],
                    },
                    {"role": "user", "content": "never mind"},
                ]
            ),
            "without `tool_result`",
        ),
    ],
)
def test_requests_are_checked_like_the_api(anthropic_server, body, needle):
    r = _post(anthropic_server, body)
    assert r.status_code == 400
    kind, message = _error(r)
    assert kind == "invalid_request_error" and needle in message


def test_recorded_api_error_is_reproduced(anthropic_server):
    # the exact request the real API rejected in recorded/tools_..._f59a9391 (exchange 1)
    from _anthropic_helpers import recorded

    ex = recorded("tools_test_runners_TestSyncRunTools_f59a9391-643b-422c-96dc-1f28bc7ea4d7.json")[1]
    r = _post(anthropic_server, ex["request"]["body"])
    assert r.status_code == ex["response"]["status_code"] == 400
    assert r.json()["error"] == ex["response"]["body"]["error"]


def test_tool_choices_and_parallel_tools(anthropic_server):
    ask = [{"role": "user", "content": "Call get_weather and get_time please"}]
    msg = _post(anthropic_server, _body(messages=ask, tools=[TOOL, TIME_TOOL])).json()
    assert [b["name"] for b in msg["content"]] == ["get_weather", "get_time"] and msg["stop_reason"] == "tool_use"
    msg = _post(
        anthropic_server,
        _body(messages=ask, tools=[TOOL, TIME_TOOL], tool_choice={"type": "auto", "disable_parallel_tool_use": True}),
    ).json()
    assert [b["name"] for b in msg["content"]] == ["get_weather"]
    msg = _post(anthropic_server, _body(tools=[TOOL], tool_choice={"type": "any"})).json()
    assert msg["content"][0]["input"] == {"location": "San Francisco, CA"}
    msg = _post(anthropic_server, _body(messages=ask, tools=[TOOL], tool_choice={"type": "none"})).json()
    assert msg["content"][0]["type"] == "text"


def test_max_tokens_and_stop_sequences(anthropic_server):
    msg = _post(anthropic_server, _body(max_tokens=2)).json()
    assert msg["stop_reason"] == "max_tokens" and msg["content"][0]["text"] == "This is"
    msg = _post(anthropic_server, _body(stop_sequences=["fake"])).json()
    assert msg["stop_reason"] == "stop_sequence" and msg["stop_sequence"] == "fake"
    assert msg["content"][0]["text"] == "This is a "


def test_prompt_cache_simulation_and_reset(anthropic_server):
    body = _body(system=[{"type": "text", "text": "doc " * 30, "cache_control": {"type": "ephemeral"}}])
    first = _post(anthropic_server, body).json()["usage"]
    second = _post(anthropic_server, body).json()["usage"]
    assert first["cache_creation_input_tokens"] > 0 and first["cache_read_input_tokens"] == 0
    assert second["cache_read_input_tokens"] == first["cache_creation_input_tokens"]
    assert second["cache_creation_input_tokens"] == 0
    assert first["input_tokens"] == second["input_tokens"]
    assert first["cache_creation"]["ephemeral_5m_input_tokens"] == first["cache_creation_input_tokens"]
    anthropic_server.reset()
    assert _post(anthropic_server, body).json()["usage"]["cache_creation_input_tokens"] > 0


def test_stream_framing(anthropic_server):
    r = _post(
        anthropic_server,
        _body(
            stream=True,
            tools=[TOOL],
            thinking={"type": "enabled", "budget_tokens": 1024},
            max_tokens=2048,
            messages=[{"role": "user", "content": "weather?"}],
        ),
    )
    events = sse_events(r.text)
    kinds = [e["type"] for e in events]
    assert kinds[0] == "message_start" and kinds[-2:] == ["message_delta", "message_stop"] and "ping" in kinds
    deltas = [e["delta"]["type"] for e in events if e["type"] == "content_block_delta"]
    assert {"thinking_delta", "signature_delta", "input_json_delta"} <= set(deltas)
    starts = [e["content_block"]["type"] for e in events if e["type"] == "content_block_start"]
    assert starts == ["thinking", "tool_use"]
    assert events[-2]["delta"]["stop_reason"] == "tool_use"


def test_enqueued_reply_error_raw_and_paths(anthropic_server):
    anthropic_server.enqueue_reply("Hi", thinking="hmm", stop_reason="max_tokens", usage={"output_tokens": 99})
    msg = _post(anthropic_server, _body()).json()
    assert [b["type"] for b in msg["content"]] == ["thinking", "text"]
    assert msg["stop_reason"] == "max_tokens" and msg["usage"]["output_tokens"] == 99
    anthropic_server.enqueue_reply(
        None, tool_calls=[{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}}]
    )
    msg = _post(anthropic_server, _body()).json()
    assert msg["content"] == [{"type": "tool_use", "id": "call_1", "name": "f", "input": {"a": 1}}]
    assert msg["stop_reason"] == "tool_use"
    anthropic_server.enqueue_error(429)
    r = _post(anthropic_server, _body())
    assert r.status_code == 429 and r.headers["retry-after"] == "0" and r.headers["x-should-retry"] == "true"
    assert r.headers["anthropic-ratelimit-requests-remaining"] == "0"
    assert _error(r)[0] == "rate_limit_error" and r.json()["request_id"] == r.headers["request-id"]
    anthropic_server.enqueue_error(529, headers={"retry-after": "1"})
    r = _post(anthropic_server, _body())
    assert r.status_code == 529 and _error(r) == ("overloaded_error", "Overloaded") and r.headers["retry-after"] == "1"
    anthropic_server.enqueue_error(
        400, type="invalid_request_error", message="prompt is too long: 300000 tokens > 200000 maximum"
    )
    with pytest.raises(litegate.ContextWindowExceededError):
        litegate.completion(
            "anthropic/claude-sonnet-4-5",
            messages=[{"role": "user", "content": "x"}],
            api_key=KEY,
            api_base=anthropic_server.base_url,
        )
    anthropic_server.enqueue_raw(200, {"weird": True}, path="/count_tokens")
    assert _post(anthropic_server, _body()).status_code == 200  # the raw reply waits for its path
    assert anthropic_server.pending == 1
    r = _post(
        anthropic_server,
        {"model": "m", "messages": [{"role": "user", "content": "x"}]},
        path="/v1/messages/count_tokens",
    )
    assert r.json() == {"weird": True} and anthropic_server.pending == 0


def test_count_tokens_models_and_unknown_routes(anthropic_server):
    r = _post(
        anthropic_server,
        {"model": "m", "messages": [{"role": "user", "content": "one two three"}]},
        path="/v1/messages/count_tokens",
    )
    assert r.status_code == 200 and r.json()["input_tokens"] > 3
    r = httpx.get(anthropic_server.base_url + "/v1/models", headers=HEADERS)
    assert r.json()["data"][0]["type"] == "model" and r.json()["has_more"] is False
    r = httpx.get(anthropic_server.base_url + "/v1/models/claude-x", headers=HEADERS)
    assert r.json()["id"] == "claude-x"
    r = _post(anthropic_server, _body(), path="/v1/nope")
    assert r.status_code == 404 and _error(r)[0] == "not_found_error"
    r = httpx.get(anthropic_server.messages_url, headers=HEADERS)
    assert r.status_code == 405


def test_enqueue_stream_variants(anthropic_server):
    anthropic_server.enqueue_stream(terminate=False)
    events = sse_events(_post(anthropic_server, _body(stream=True)).text)
    assert events[-1]["type"] == "message_delta"
    anthropic_server.enqueue_stream([json.dumps({"type": "message_start", "message": {"id": "m"}})])
    r = _post(anthropic_server, _body(stream=True))
    assert r.text.startswith("event: message_start\n") and sse_events(r.text)[-1] == {"type": "message_stop"}
    anthropic_server.enqueue_stream(None, chunk_delay=0.01, cut_after=2)
    with pytest.raises(httpx.HTTPError):
        _post(anthropic_server, _body(stream=True))


@pytest.mark.parametrize(
    "kind, expect",
    [
        ("cut_stream", None),
        ("malformed_stream", "{not json"),
        ("stream_error_event", "overloaded_error"),
        ("no_message_stop", "message_delta"),
        ("no_done", "message_delta"),
    ],
)
def test_faults_on_the_wire(anthropic_server, kind, expect):
    anthropic_server.enqueue_fault(kind)
    if expect is None:
        with pytest.raises(httpx.HTTPError):
            _post(anthropic_server, _body(stream=True))
        return
    text = _post(anthropic_server, _body(stream=True)).text
    assert expect in text and "message_stop" not in text and "[DONE]" not in text


def test_reset_fault_and_unknown_kind(anthropic_server):
    anthropic_server.enqueue_fault("reset")
    with pytest.raises(litegate.APIConnectionError):
        litegate.completion(
            "anthropic/claude-sonnet-4-5",
            messages=[{"role": "user", "content": "x"}],
            api_key=KEY,
            api_base=anthropic_server.base_url,
            num_retries=0,
        )
    with pytest.raises(ValueError, match="unknown fault"):
        anthropic_server.enqueue_fault("explode")


def test_delays():
    with FakeAnthropicServer(default_delay=0.2) as srv:
        start = time.monotonic()
        assert _post(srv, _body()).status_code == 200
        assert time.monotonic() - start >= 0.2
        srv.enqueue_reply("slow", delay=0.2)
        start = time.monotonic()
        chunks = list(
            litegate.completion(
                "anthropic/claude-sonnet-4-5",
                messages=[{"role": "user", "content": "x"}],
                api_key=KEY,
                api_base=srv.base_url,
                stream=True,
            )
        )
        assert time.monotonic() - start >= 0.2
        assert "".join(c.choices[0].delta.content or "" for c in chunks) == "slow"


def test_close_framing():
    with FakeAnthropicServer(sse_framing="close") as srv:
        events = sse_events(_post(srv, _body(stream=True)).text)
        assert events[-1] == {"type": "message_stop"}
