"""Anthropic responses, streams and error bodies -> litegate types and exceptions.

Every recorded message and every recorded / documented stream in tests/fixtures/anthropic is
parsed. Streams are also checked against the official SDK's own accumulator: the message the SDK
builds from the same events, parsed by litegate, must equal the response litegate rebuilds from
its chunks.
"""

from __future__ import annotations

import json

import pytest
from _anthropic_helpers import (
    FIXTURES,
    PROVIDER,
    all_streams,
    decode,
    parse,
    recorded_messages,
    response,
    sse_events,
    target,
)

import litegate
from litegate.core.errors import is_retryable
from litegate.providers.anthropic import FINISH_REASONS, JSON_TOOL_NAME, AnthropicStreamDecoder
from litegate.types.streaming import stream_chunk_builder

MESSAGES = recorded_messages()
STREAMS = all_streams()


# --------------------------------------------------------------------------------- messages


def test_fixture_coverage():
    assert len(MESSAGES) >= 20
    assert len(STREAMS) >= 15
    kinds = {b["type"] for _, _, m in MESSAGES for b in m["content"]}
    assert {"text", "tool_use", "server_tool_use", "web_search_tool_result"} <= kinds


@pytest.mark.parametrize("rid, request_body, message", MESSAGES, ids=[m[0] for m in MESSAGES])
def test_recorded_message_parses(rid, request_body, message):
    resp = parse(message, message["model"])
    choice = resp.choices[0]
    texts = [b["text"] for b in message["content"] if b["type"] == "text"]
    tools = [b for b in message["content"] if b["type"] == "tool_use"]
    assert resp.id == message["id"]
    assert resp.model == message["model"]
    assert resp.object == "chat.completion"
    assert choice.message.role == "assistant"
    assert choice.message.content == ("".join(texts) if texts else None)
    if tools:
        assert [(c.id, c.function.name, json.loads(c.function.arguments)) for c in choice.message.tool_calls] == [
            (b["id"], b["name"], b["input"]) for b in tools
        ]
        assert all(c.type == "function" for c in choice.message.tool_calls)
    else:
        assert choice.message.tool_calls is None
    expected_finish = FINISH_REASONS[message["stop_reason"]]
    assert choice.finish_reason == expected_finish
    u = message["usage"]
    cached = u.get("cache_read_input_tokens") or 0
    created = u.get("cache_creation_input_tokens") or 0
    assert resp.usage.prompt_tokens == u["input_tokens"] + cached + created
    assert resp.usage.completion_tokens == u["output_tokens"]
    assert resp.usage.total_tokens == resp.usage.prompt_tokens + resp.usage.completion_tokens
    assert resp.usage.prompt_tokens_details.cached_tokens == cached
    server_blocks = [b for b in message["content"] if b["type"] not in ("text", "tool_use", "thinking")]
    if server_blocks:
        assert choice.message.provider_specific_fields["content_blocks"] == server_blocks
    # OpenAI consumers see a plain chat.completion
    dumped = resp.model_dump()
    assert set(dumped["choices"][0]["message"]) >= {"content", "role", "tool_calls", "function_call"}


def test_cache_usage_and_thinking_blocks():
    body = {
        "id": "msg_01",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": [
            {"type": "thinking", "thinking": "Let me add.", "signature": "c2lnMQ=="},
            {"type": "redacted_thinking", "data": "EmwKAhgBEgy"},
            {"type": "text", "text": "2 + 2 = 4", "citations": [{"type": "char_location", "cited_text": "x"}]},
        ],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {
            "input_tokens": 21,
            "cache_creation_input_tokens": 188086,
            "cache_read_input_tokens": 1500,
            "cache_creation": {"ephemeral_5m_input_tokens": 188086, "ephemeral_1h_input_tokens": 0},
            "output_tokens": 393,
            "output_tokens_details": {"thinking_tokens": 100},
        },
    }
    resp = parse(body)
    msg = resp.choices[0].message
    assert msg.content == "2 + 2 = 4"
    assert msg.reasoning_content == "Let me add."
    assert msg.thinking_blocks == [
        {"type": "thinking", "thinking": "Let me add.", "signature": "c2lnMQ=="},
        {"type": "redacted_thinking", "data": "EmwKAhgBEgy"},
    ]
    assert msg.provider_specific_fields["citations"] == [[{"type": "char_location", "cited_text": "x"}]]
    u = resp.usage
    assert u.prompt_tokens == 21 + 188086 + 1500
    assert u.completion_tokens == 393
    assert u.prompt_tokens_details.cached_tokens == 1500
    assert u.prompt_tokens_details.cache_creation_tokens == 188086
    assert u.cache_read_input_tokens == 1500
    assert u.cache_creation_input_tokens == 188086
    assert u.completion_tokens_details.reasoning_tokens == 100
    # an OpenAI-shaped consumer is unaffected by the extra fields
    from openai.types.chat import ChatCompletion

    ChatCompletion.model_validate(resp.model_dump())


@pytest.mark.parametrize(
    "stop_reason, finish",
    [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("pause_turn", "stop"),
        ("max_tokens", "length"),
        ("tool_use", "tool_calls"),
        ("refusal", "content_filter"),
        ("model_context_window_exceeded", "length"),
        (None, "stop"),
        ("something_new", "stop"),
    ],
)
def test_finish_reason_mapping(stop_reason, finish):
    content = (
        [{"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}]
        if finish == "tool_calls"
        else [{"type": "text", "text": "x"}]
    )
    body = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "m",
        "content": content,
        "stop_reason": stop_reason,
        "usage": {"input_tokens": 1, "output_tokens": 1},
    }
    assert parse(body).choices[0].finish_reason == finish


def test_refusal_details_are_kept():
    body = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "m",
        "content": [],
        "stop_reason": "refusal",
        "stop_details": {"type": "refusal", "category": "cyber"},
        "usage": {"input_tokens": 1, "output_tokens": 0},
    }
    resp = parse(body)
    assert resp.choices[0].finish_reason == "content_filter"
    assert resp.choices[0].message.content is None
    fields = resp.choices[0].message.provider_specific_fields
    assert fields == {"stop_details": {"type": "refusal", "category": "cyber"}}


def test_json_tool_answer_becomes_content():
    body = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-3-5-sonnet-latest",
        "content": [{"type": "tool_use", "id": "toolu_1", "name": JSON_TOOL_NAME, "input": {"name": "Ada"}}],
        "stop_reason": "tool_use",
        "usage": {"input_tokens": 1, "output_tokens": 1},
    }
    resp = parse(body, "claude-3-5-sonnet-latest", response_format={"type": "json_object"})
    assert json.loads(resp.choices[0].message.content) == {"name": "Ada"}
    assert resp.choices[0].message.tool_calls is None
    assert resp.choices[0].finish_reason == "stop"
    # without response_format a tool named json_tool_call is an ordinary tool call
    plain = parse(body, "claude-3-5-sonnet-latest")
    assert plain.choices[0].message.tool_calls[0].function.name == JSON_TOOL_NAME


def test_bad_bodies():
    call_model = "claude-sonnet-4-5"
    with pytest.raises(litegate.APIResponseValidationError, match="not JSON"):
        PROVIDER.parse_chat(response(b"<html>oops</html>"), None, target(call_model))
    with pytest.raises(litegate.APIResponseValidationError, match="content"):
        parse({"id": "x", "type": "message"})
    err = json.loads((FIXTURES / "errors" / "529_overloaded_error.json").read_text())["body"]
    with pytest.raises(litegate.ServiceUnavailableError):
        parse(err)


# --------------------------------------------------------------------------------- streams


def _expected_from_events(events: list) -> dict:
    """What the chunks must add up to, read directly from the Anthropic events."""
    text, reasoning, tools, blocks, stop_reason = [], [], {}, {}, None
    usage: dict = {}
    for ev in events:
        kind = ev["type"]
        if kind == "message_start":
            usage.update(ev["message"]["usage"])
        elif kind == "content_block_start":
            blocks[ev["index"]] = ev["content_block"]
            if ev["content_block"]["type"] == "tool_use":
                tools[ev["index"]] = [ev["content_block"]["id"], ev["content_block"]["name"], ""]
        elif kind == "content_block_delta":
            d = ev["delta"]
            if d["type"] == "text_delta":
                text.append(d["text"])
            elif d["type"] == "thinking_delta":
                reasoning.append(d["thinking"])
            elif d["type"] == "input_json_delta" and ev["index"] in tools:
                tools[ev["index"]][2] += d["partial_json"]
        elif kind == "message_delta":
            stop_reason = ev["delta"].get("stop_reason")
            usage.update({k: v for k, v in ev["usage"].items() if v is not None})
    return {
        "text": "".join(text),
        "reasoning": "".join(reasoning),
        "tools": list(tools.values()),
        "finish": FINISH_REASONS.get(stop_reason, "stop"),
        "usage": usage,
    }


@pytest.mark.parametrize("sid, text", STREAMS, ids=[s[0] for s in STREAMS])
def test_stream_decodes(sid, text):
    events = sse_events(text)
    chunks = decode(text.encode("utf-8"))
    expected = _expected_from_events(events)
    first = events[0]["message"]
    assert chunks[0].choices[0].delta.role == "assistant"
    assert all(c.id == first["id"] and c.model == first["model"] for c in chunks)
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices[0].finish_reason]
    assert finishes == [expected["finish"]]
    assert chunks[-1].choices[0].finish_reason == expected["finish"]
    built = stream_chunk_builder(chunks)
    msg = built.choices[0].message
    assert (msg.content or "") == expected["text"]
    assert (msg.reasoning_content or "") == expected["reasoning"]
    calls = [(c.id, c.function.name, c.function.arguments) for c in (msg.tool_calls or [])]
    assert calls == [tuple(t) for t in expected["tools"]]
    u = expected["usage"]
    prompt = u["input_tokens"] + (u.get("cache_read_input_tokens") or 0) + (u.get("cache_creation_input_tokens") or 0)
    assert chunks[-1].usage.prompt_tokens == prompt
    assert chunks[-1].usage.completion_tokens == u["output_tokens"]
    assert built.usage.total_tokens == prompt + u["output_tokens"]


@pytest.mark.parametrize("sid, text", STREAMS, ids=[s[0] for s in STREAMS])
def test_stream_matches_the_sdk_accumulated_message(sid, text):
    streaming = pytest.importorskip("anthropic.lib.streaming._messages")
    snapshot = None
    bufs: dict = {}
    for ev in sse_events(text):
        if ev["type"] in ("ping", "error"):
            continue
        snapshot = streaming.accumulate_event(event=ev, current_snapshot=snapshot, json_bufs=bufs)
    sdk_message = snapshot.model_dump(mode="json", warnings=False)  # unknown block types: no SDK warnings
    from_sdk = parse(sdk_message, sdk_message["model"]).choices[0]
    from_chunks = stream_chunk_builder(decode(text.encode("utf-8"))).choices[0]
    assert from_chunks.finish_reason == from_sdk.finish_reason
    assert (from_chunks.message.content or "") == (from_sdk.message.content or "")
    assert from_chunks.message.reasoning_content == from_sdk.message.reasoning_content
    assert from_chunks.message.thinking_blocks == from_sdk.message.thinking_blocks
    ours = from_chunks.message.tool_calls or []
    theirs = from_sdk.message.tool_calls or []
    assert [(c.id, c.function.name) for c in ours] == [(c.id, c.function.name) for c in theirs]
    if "incomplete_partial_json" not in sid:  # there the SDK parses a cut JSON leniently
        assert [json.loads(c.function.arguments) for c in ours] == [json.loads(c.function.arguments) for c in theirs]


def test_tool_stream_chunks_in_detail():
    text = (FIXTURES / "sse" / "tool_use_response.txt").read_text()
    chunks = decode(text.encode())
    deltas = [c.choices[0].delta for c in chunks]
    starts = [d.tool_calls[0] for d in deltas if d.tool_calls and d.tool_calls[0].id]
    assert len(starts) == 1
    assert starts[0].index == 0 and starts[0].function.name == "get_weather" and starts[0].function.arguments == ""
    fragments = [d.tool_calls[0].function.arguments for d in deltas if d.tool_calls and not d.tool_calls[0].id]
    assert fragments == ['{"locati', 'on": "P', "ar", 'is"}']
    assert all(d.tool_calls[0].index == 0 for d in deltas if d.tool_calls)


def test_thinking_stream_keeps_signature():
    text = (FIXTURES / "sse" / "stream-a-refusal.sse").read_text()
    built = stream_chunk_builder(decode(text.encode()))
    msg = built.choices[0].message
    assert built.choices[0].finish_reason == "content_filter"
    assert msg.reasoning_content.startswith("Simple educ")
    signature = "c3ludGhldGljLXNpZ25hdHVyZS1maXh0dXJlLWEtbm90LWEtcmVhbC1zaWduYXR1cmU="
    assert msg.thinking_blocks == [{"type": "thinking", "thinking": msg.reasoning_content, "signature": signature}]
    assert msg.provider_specific_fields["stop_details"]["type"] == "refusal"
    assert built.usage.completion_tokens_details.reasoning_tokens == 67


def test_server_tool_input_is_not_a_client_tool_call():
    text = (FIXTURES / "sse" / "stream-a-toolrefusal.sse").read_text()
    built = stream_chunk_builder(decode(text.encode()))
    assert built.choices[0].message.tool_calls is None
    assert built.choices[0].message.content.startswith("Here's a summary")


def test_usage_only_with_include_usage():
    text = (FIXTURES / "sse" / "basic_response.txt").read_text().encode()
    assert all(c.usage is None for c in decode(text, include_usage=False))
    assert decode(text)[-1].usage.completion_tokens == 6


def test_json_tool_stream_becomes_content():
    events = [
        {
            "type": "message_start",
            "message": {
                "id": "msg_1",
                "type": "message",
                "role": "assistant",
                "content": [],
                "model": "claude-3-5-haiku-latest",
                "usage": {"input_tokens": 5, "output_tokens": 1},
            },
        },
        {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "tool_use", "id": "toolu_1", "name": JSON_TOOL_NAME, "input": {}},
        },
        {"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": '{"a"'}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": ": 1}"}},
        {"type": "content_block_stop", "index": 0},
        {"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 4}},
        {"type": "message_stop"},
    ]
    data = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events).encode()
    built = stream_chunk_builder(decode(data, json_tool=True))
    assert built.choices[0].message.content == '{"a": 1}'
    assert built.choices[0].message.tool_calls is None
    assert built.choices[0].finish_reason == "stop"


def test_stream_error_event_raises_the_mapped_exception():
    text = (FIXTURES / "errors" / "stream_error_event.sse").read_text()
    dec = AnthropicStreamDecoder("claude-sonnet-4-5")
    # the message_start chunk read with the error is handed out first; the error follows
    chunks = dec.feed(text.encode())
    assert [c.choices[0].delta.role for c in chunks] == ["assistant"]
    with pytest.raises(litegate.ServiceUnavailableError) as info:
        dec.finish()
    assert "Overloaded" in str(info.value)
    with pytest.raises(litegate.ServiceUnavailableError):
        AnthropicStreamDecoder("m").feed(("event: error" + text.split("event: error")[1]).encode())
    assert info.value.llm_provider == "anthropic"
    assert is_retryable(info.value)


def test_missing_message_stop_raises_at_the_end():
    text = (FIXTURES / "sse" / "basic_response.txt").read_text()
    cut = text[: text.index("event: message_stop")]
    dec = AnthropicStreamDecoder("claude-sonnet-4-5")
    chunks = dec.feed(cut.encode())
    assert chunks and all(c.choices[0].finish_reason is None for c in chunks)
    with pytest.raises(litegate.APIConnectionError, match="message_stop"):
        dec.finish()


def test_malformed_event_and_trailing_data():
    dec = AnthropicStreamDecoder("claude-sonnet-4-5")
    with pytest.raises(litegate.APIResponseValidationError, match="malformed"):
        dec.feed(b"event: message_start\ndata: {nope\n\n")
    text = (FIXTURES / "sse" / "basic_response.txt").read_text()
    extra = (
        text + '\n\nevent: content_block_delta\ndata: {"type":"content_block_delta","index":0,'
        '"delta":{"type":"text_delta","text":"late"}}\n\n'
    )
    built = stream_chunk_builder(decode(extra.encode()))
    assert built.choices[0].message.content == "Hello there!"


def test_unknown_events_and_comments_are_ignored():
    text = (FIXTURES / "sse" / "basic_response.txt").read_text()
    noisy = ': keep-alive\n\nevent: future_event\ndata: {"type": "future_event", "x": 1}\n\n' + text
    assert stream_chunk_builder(decode(noisy.encode())).choices[0].message.content == "Hello there!"


# --------------------------------------------------------------------------------- error bodies


@pytest.mark.parametrize(
    "name, cls",
    [
        ("400_invalid_request_error.json", litegate.BadRequestError),
        ("400_invalid_request_error.recorded.json", litegate.BadRequestError),
        ("401_authentication_error.json", litegate.AuthenticationError),
        ("429_rate_limit_error.json", litegate.RateLimitError),
        ("429_rate_limit_error.recorded.json", litegate.RateLimitError),
        ("529_overloaded_error.json", litegate.ServiceUnavailableError),
    ],
)
def test_error_bodies_map_onto_the_hierarchy(name, cls):
    fx = json.loads((FIXTURES / "errors" / name).read_text())
    resp = response(fx["body"], fx["status"], fx["headers"])
    err = PROVIDER.error(resp, target())
    assert type(err) is cls
    assert fx["body"]["error"]["message"][:60] in str(err)
    assert err.llm_provider == "anthropic"
    assert is_retryable(err) == (fx["status"] in (429, 529))
    if fx["headers"].get("retry-after"):
        assert err.retry_after == float(fx["headers"]["retry-after"])


def test_rate_limit_headers_are_reported():
    fx = json.loads((FIXTURES / "errors" / "429_rate_limit_error.json").read_text())
    headers = PROVIDER.response_headers(response(fx["body"], 429, fx["headers"]))
    assert headers["anthropic-ratelimit-requests-remaining"] == "0"
    assert headers["x-ratelimit-remaining-requests"] == "0"
    assert headers["x-ratelimit-limit-requests"] == "50"
    assert headers["retry-after"] == "15"
    assert "content-type" not in headers
