"""litegate.completion / acompletion on the Anthropic route, end to end against FakeAnthropicServer
over real sockets: what is sent, what comes back, tool loops, vision, caching, thinking, errors,
retries and stream faults."""

from __future__ import annotations

import asyncio
import json

import pytest
from _anthropic_helpers import KEY

import litegate
from litegate.types.streaming import stream_chunk_builder

MODEL = "anthropic/claude-sonnet-4-5"
PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]},
    },
}
TIME = {
    "type": "function",
    "function": {
        "name": "get_time",
        "description": "Local time in a city",
        "parameters": {"type": "object", "properties": {"location": {"type": "string"}}},
    },
}


def _call(srv, **kw):
    kw.setdefault("api_key", KEY)
    kw.setdefault("api_base", srv.base_url)
    kw.setdefault("messages", [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello there"}])
    return litegate.completion(kw.pop("model", MODEL), **kw)


async def _acall(srv, **kw):
    kw.setdefault("api_key", KEY)
    kw.setdefault("api_base", srv.base_url)
    kw.setdefault("messages", [{"role": "user", "content": "Hello there"}])
    return await litegate.acompletion(kw.pop("model", MODEL), **kw)


# --------------------------------------------------------------------------------- plain calls


def test_sync_completion_request_and_response(anthropic_server):
    resp = _call(anthropic_server, temperature=0.3, stop=["\n\nHuman:"], user="u-1", max_tokens=300)
    req = anthropic_server.last_request
    assert req.method == "POST" and req.path == "/v1/messages"
    assert req.header("x-api-key") == KEY
    assert req.header("anthropic-version") == "2023-06-01"
    assert req.header("content-type") == "application/json"
    assert req.header("authorization") is None
    assert req.json == {
        "model": "claude-sonnet-4-5",
        "system": "Be brief.",
        "messages": [{"role": "user", "content": "Hello there"}],
        "max_tokens": 300,
        "temperature": 0.3,
        "stop_sequences": ["\n\nHuman:"],
        "metadata": {"user_id": "u-1"},
    }
    assert isinstance(resp, litegate.ModelResponse)
    assert resp.id.startswith("msg_")
    assert resp.choices[0].message.content == "This is a fake reply to: Hello there"
    assert resp.choices[0].finish_reason == "stop"
    assert resp.usage.completion_tokens > 0 and resp.usage.prompt_tokens > 0
    assert resp._hidden_params["custom_llm_provider"] == "anthropic"
    assert resp._hidden_params["additional_headers"]["request-id"].startswith("req_")


def test_bare_claude_name_env_key_and_default_max_tokens(anthropic_server, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    monkeypatch.setenv("ANTHROPIC_API_BASE", anthropic_server.base_url)
    resp = litegate.completion("claude-3-5-haiku-20241022", messages=[{"role": "user", "content": "hi"}])
    assert resp.choices[0].message.content == "This is a fake reply to: hi"
    assert anthropic_server.last_request.json["max_tokens"] == 8192
    assert anthropic_server.last_request.json["model"] == "claude-3-5-haiku-20241022"


def test_module_key_setting(anthropic_server):
    litegate.anthropic_key = KEY
    resp = litegate.completion(MODEL, messages=[{"role": "user", "content": "x"}], api_base=anthropic_server.base_url)
    assert resp.choices[0].message.content


async def test_async_completion(anthropic_server):
    anthropic_server.enqueue_reply("Async hello.", usage={"input_tokens": 12, "output_tokens": 3})
    resp = await _acall(anthropic_server)
    assert resp.choices[0].message.content == "Async hello."
    assert (resp.usage.prompt_tokens, resp.usage.completion_tokens, resp.usage.total_tokens) == (12, 3, 15)


async def test_async_calls_in_parallel(anthropic_server):
    results = await asyncio.gather(
        *[_acall(anthropic_server, messages=[{"role": "user", "content": f"question {i}"}]) for i in range(8)]
    )
    assert sorted(r.choices[0].message.content for r in results) == sorted(
        f"This is a fake reply to: question {i}" for i in range(8)
    )


def test_stop_sequence_and_max_tokens_finish_reasons(anthropic_server):
    resp = _call(anthropic_server, messages=[{"role": "user", "content": "count one two three"}], stop="two")
    assert resp.choices[0].finish_reason == "stop"
    assert resp.choices[0].message.content == "This is a fake reply to: count one "
    resp = _call(anthropic_server, max_tokens=3)
    assert resp.choices[0].finish_reason == "length"
    assert resp.choices[0].message.content == "This is a"  # three word pieces


# --------------------------------------------------------------------------------- streaming


def _check_stream(chunks, text):
    assert chunks[0].choices[0].delta.role == "assistant"
    assert [c.choices[0].finish_reason for c in chunks].count("stop") == 1
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == text
    assert len({c.id for c in chunks}) == 1


def test_stream_sync(anthropic_server):
    stream = _call(anthropic_server, stream=True, stream_options={"include_usage": True})
    chunks = list(stream)
    assert anthropic_server.last_request.json["stream"] is True
    assert "stream_options" not in anthropic_server.last_request.json
    _check_stream(chunks, "This is a fake reply to: Hello there")
    assert len(chunks) > 4
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0
    assert all(c.usage is None for c in chunks[:-1])
    built = stream_chunk_builder(chunks)
    plain = _call(anthropic_server)
    assert built.choices[0].message.content == plain.choices[0].message.content
    assert built.usage.prompt_tokens == plain.usage.prompt_tokens


def test_stream_without_include_usage(anthropic_server):
    chunks = list(_call(anthropic_server, stream=True))
    assert all(c.usage is None for c in chunks)


async def test_stream_async(anthropic_server):
    stream = await _acall(anthropic_server, stream=True, stream_options={"include_usage": True})
    chunks = [c async for c in stream]
    _check_stream(chunks, "This is a fake reply to: Hello there")
    assert chunks[-1].usage.total_tokens > 0


# --------------------------------------------------------------------------------- tools


def test_tool_call_round_trip_with_parallel_calls(anthropic_server):
    messages = [{"role": "user", "content": "What's the weather and get_time in Paris? Call get_weather and get_time."}]
    first = _call(anthropic_server, messages=messages, tools=[WEATHER, TIME])
    msg = first.choices[0].message
    assert first.choices[0].finish_reason == "tool_calls"
    assert [c.function.name for c in msg.tool_calls] == ["get_weather", "get_time"]
    assert json.loads(msg.tool_calls[0].function.arguments) == {"location": "San Francisco, CA"}
    assert all(c.id.startswith("toolu_") for c in msg.tool_calls)
    sent = anthropic_server.last_request.json
    assert sent["tools"][0] == {
        "name": "get_weather",
        "description": "Current weather for a city",
        "input_schema": WEATHER["function"]["parameters"],
    }

    messages.append(msg)  # the response message object is sent back as is
    messages.append({"role": "tool", "tool_call_id": msg.tool_calls[0].id, "content": "18C and sunny"})
    messages.append({"role": "tool", "tool_call_id": msg.tool_calls[1].id, "content": "14:05"})
    second = _call(anthropic_server, messages=messages, tools=[WEATHER, TIME])
    assert second.choices[0].finish_reason == "stop"
    assert second.choices[0].message.content == "This is a fake reply to: 18C and sunny 14:05"
    sent = anthropic_server.last_request.json
    assert [m["role"] for m in sent["messages"]] == ["user", "assistant", "user"]
    assert [b["type"] for b in sent["messages"][1]["content"]] == ["tool_use", "tool_use"]
    assert sent["messages"][2]["content"] == [
        {"type": "tool_result", "tool_use_id": msg.tool_calls[0].id, "content": "18C and sunny"},
        {"type": "tool_result", "tool_use_id": msg.tool_calls[1].id, "content": "14:05"},
    ]


def test_tool_choice_forced_and_parallel_disabled(anthropic_server):
    forced = {"type": "function", "function": {"name": "get_time"}}
    resp = _call(anthropic_server, tools=[WEATHER, TIME], tool_choice=forced, parallel_tool_calls=False)
    assert anthropic_server.last_request.json["tool_choice"] == {
        "type": "tool",
        "name": "get_time",
        "disable_parallel_tool_use": True,
    }
    assert [c.function.name for c in resp.choices[0].message.tool_calls] == ["get_time"]
    resp = _call(
        anthropic_server, tools=[WEATHER], tool_choice="none", messages=[{"role": "user", "content": "weather?"}]
    )
    assert resp.choices[0].message.tool_calls is None


def test_streamed_tool_call_arguments_arrive_as_fragments(anthropic_server):
    chunks = list(_call(anthropic_server, stream=True, tools=[WEATHER], tool_choice="required"))
    fragments = [c.choices[0].delta.tool_calls[0] for c in chunks if c.choices[0].delta.tool_calls]
    assert fragments[0].id and fragments[0].function.name == "get_weather" and fragments[0].function.arguments == ""
    assert len(fragments) > 3
    built = stream_chunk_builder(chunks)
    call = built.choices[0].message.tool_calls[0]
    assert json.loads(call.function.arguments) == {"location": "San Francisco, CA"}
    assert built.choices[0].finish_reason == "tool_calls"


def test_enqueued_tool_reply(anthropic_server):
    call = {"name": "get_weather", "arguments": {"location": "Oslo"}, "id": "toolu_fixed"}
    anthropic_server.enqueue_reply("Let me check.", tool_calls=[call])
    resp = _call(anthropic_server, tools=[WEATHER])
    msg = resp.choices[0].message
    assert msg.content == "Let me check."
    assert msg.tool_calls[0].id == "toolu_fixed"
    assert json.loads(msg.tool_calls[0].function.arguments) == {"location": "Oslo"}


# --------------------------------------------------------------------------------- vision, json, caching, thinking


def test_vision_url_and_base64(anthropic_server):
    resp = _call(
        anthropic_server,
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is in these images?"},
                    {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}},
                    {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG_B64}"}},
                ],
            }
        ],
    )
    assert resp.choices[0].message.content == "This is a fake reply to: What is in these images?"
    blocks = anthropic_server.last_request.json["messages"][0]["content"]
    assert blocks[1] == {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.png"}}
    assert blocks[2]["source"] == {"type": "base64", "media_type": "image/png", "data": PNG_B64}


def test_structured_output_and_json_mode(anthropic_server):
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
        "required": ["city", "days"],
        "additionalProperties": False,
    }
    rf = {"type": "json_schema", "json_schema": {"name": "Trip", "schema": schema}}
    resp = _call(anthropic_server, response_format=rf)
    assert json.loads(resp.choices[0].message.content) == {"city": "San Francisco, CA", "days": 1}
    assert anthropic_server.last_request.json["output_config"] == {"format": {"type": "json_schema", "schema": schema}}
    # an older model: the forced json tool, streamed too
    old = "anthropic/claude-3-5-haiku-20241022"
    resp = _call(anthropic_server, model=old, response_format=rf)
    assert json.loads(resp.choices[0].message.content) == {"city": "San Francisco, CA", "days": 1}
    assert resp.choices[0].finish_reason == "stop" and resp.choices[0].message.tool_calls is None
    built = stream_chunk_builder(list(_call(anthropic_server, model=old, response_format=rf, stream=True)))
    assert json.loads(built.choices[0].message.content) == {"city": "San Francisco, CA", "days": 1}
    assert built.choices[0].finish_reason == "stop"


def test_prompt_caching_usage(anthropic_server):
    long_doc = " ".join(["word"] * 300)
    messages = [
        {"role": "system", "content": [{"type": "text", "text": long_doc, "cache_control": {"type": "ephemeral"}}]},
        {"role": "user", "content": "Summarise the document."},
    ]
    first = _call(anthropic_server, messages=messages)
    assert anthropic_server.last_request.json["system"][0]["cache_control"] == {"type": "ephemeral"}
    second = _call(anthropic_server, messages=messages)
    u1, u2 = first.usage, second.usage
    assert u1.cache_creation_input_tokens > 300 and u1.cache_read_input_tokens == 0
    assert u2.cache_read_input_tokens == u1.cache_creation_input_tokens
    assert u2.prompt_tokens_details.cached_tokens == u2.cache_read_input_tokens
    assert u1.prompt_tokens == u2.prompt_tokens  # cached tokens are counted in prompt_tokens
    third = stream_chunk_builder(
        list(_call(anthropic_server, messages=messages, stream=True, stream_options={"include_usage": True}))
    )
    assert third.usage.prompt_tokens_details.cached_tokens == u2.cache_read_input_tokens


def test_thinking_then_tool_loop(anthropic_server):
    model = "anthropic/claude-3-7-sonnet-20250219"
    messages = [{"role": "user", "content": "What's the weather in Rome?"}]
    first = _call(anthropic_server, model=model, messages=messages, tools=[WEATHER], reasoning_effort="low")
    assert anthropic_server.last_request.json["thinking"] == {"type": "enabled", "budget_tokens": 1024}
    msg = first.choices[0].message
    assert msg.reasoning_content.startswith("The user asks")
    assert msg.thinking_blocks[0]["type"] == "thinking" and msg.thinking_blocks[0]["signature"]
    assert msg.tool_calls
    messages += [msg, {"role": "tool", "tool_call_id": msg.tool_calls[0].id, "content": "22C"}]
    second = _call(anthropic_server, model=model, messages=messages, tools=[WEATHER], reasoning_effort="low")
    sent = anthropic_server.last_request.json["messages"][1]["content"]
    assert sent[0] == {
        "type": "thinking",
        "thinking": msg.reasoning_content,
        "signature": msg.thinking_blocks[0]["signature"],
    }
    assert sent[1]["type"] == "tool_use"
    assert second.choices[0].message.content == "This is a fake reply to: 22C"
    streamed = stream_chunk_builder(
        list(
            _call(
                anthropic_server,
                model=model,
                messages=messages[:1],
                thinking={"type": "enabled", "budget_tokens": 2048},
                stream=True,
            )
        )
    )
    assert streamed.choices[0].message.thinking_blocks[0]["signature"] == msg.thinking_blocks[0]["signature"]


# --------------------------------------------------------------------------------- errors and retries


@pytest.mark.parametrize(
    "status, cls",
    [
        (400, litegate.BadRequestError),
        (401, litegate.AuthenticationError),
        (403, litegate.PermissionDeniedError),
        (404, litegate.NotFoundError),
        (429, litegate.RateLimitError),
        (500, litegate.InternalServerError),
        (529, litegate.ServiceUnavailableError),
    ],
)
def test_error_statuses(anthropic_server, status, cls):
    anthropic_server.enqueue_error(status)
    with pytest.raises(cls) as info:
        _call(anthropic_server, num_retries=0)
    assert info.value.llm_provider == "anthropic"
    assert info.value.model == "claude-sonnet-4-5"
    assert anthropic_server.hits("/v1/messages") == 1


def test_overloaded_529_is_retried(anthropic_server, fast_backoff):
    anthropic_server.enqueue_error(529, count=2)
    resp = _call(anthropic_server, num_retries=3)
    assert resp.choices[0].message.content
    assert anthropic_server.hits("/v1/messages") == 3


def test_529_retries_run_out(anthropic_server, fast_backoff):
    anthropic_server.enqueue_error(529, count=5)
    with pytest.raises(litegate.ServiceUnavailableError, match="Overloaded"):
        _call(anthropic_server, num_retries=2)
    assert anthropic_server.hits("/v1/messages") == 3


async def test_rate_limit_retried_async_and_in_streams(anthropic_server, fast_backoff):
    anthropic_server.enqueue_error(429)
    resp = await _acall(anthropic_server, num_retries=1)
    assert resp.choices[0].message.content
    anthropic_server.enqueue_error(529)
    stream = await _acall(anthropic_server, num_retries=1, stream=True)
    assert "".join([c.choices[0].delta.content or "" async for c in stream])
    assert anthropic_server.hits("/v1/messages") == 4


def test_bad_request_is_not_retried_and_server_validation_shows(anthropic_server, fast_backoff):
    with pytest.raises(litegate.BadRequestError, match="less than or equal to 1"):
        _call(anthropic_server, temperature=1.5, num_retries=3)
    assert anthropic_server.hits("/v1/messages") == 1


def test_wrong_key(anthropic_server):
    with pytest.raises(litegate.AuthenticationError, match="invalid x-api-key"):
        _call(anthropic_server, api_key="sk-ant-wrong")


def test_unsupported_params_fail_before_any_request(anthropic_server):
    with pytest.raises(litegate.UnsupportedParamsError, match="presence_penalty"):
        _call(anthropic_server, presence_penalty=0.5, n=2)
    assert anthropic_server.hits() == 0
    resp = _call(anthropic_server, presence_penalty=0.5, n=2, drop_params=True)
    assert resp.choices[0].message.content
    assert "presence_penalty" not in anthropic_server.last_request.json


@pytest.mark.parametrize(
    "kind, cls",
    [
        ("cut_stream", litegate.APIConnectionError),
        ("malformed_stream", litegate.APIResponseValidationError),
        ("stream_error_event", litegate.ServiceUnavailableError),
        ("no_message_stop", litegate.APIConnectionError),
    ],
)
def test_stream_faults_raise_typed_errors(anthropic_server, kind, cls):
    anthropic_server.enqueue_fault(kind)
    stream = _call(anthropic_server, stream=True)
    with pytest.raises(cls):
        for _ in stream:
            pass


async def test_stream_faults_async(anthropic_server):
    anthropic_server.enqueue_fault("stream_error_event")
    stream = await _acall(anthropic_server, stream=True)
    with pytest.raises(litegate.ServiceUnavailableError):
        async for _ in stream:
            pass


def test_enqueued_stream_events(anthropic_server):
    anthropic_server.enqueue_stream(
        [
            {
                "type": "message_start",
                "message": {
                    "id": "msg_x",
                    "type": "message",
                    "role": "assistant",
                    "content": [],
                    "model": "claude-sonnet-4-5",
                    "usage": {"input_tokens": 3, "output_tokens": 1},
                },
            },
            {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
            {"type": "ping"},
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi!"}},
            {"type": "content_block_stop", "index": 0},
            {"type": "message_delta", "delta": {"stop_reason": "max_tokens"}, "usage": {"output_tokens": 2}},
        ]
    )
    built = stream_chunk_builder(list(_call(anthropic_server, stream=True)))
    assert built.choices[0].message.content == "Hi!"
    assert built.choices[0].finish_reason == "length"
