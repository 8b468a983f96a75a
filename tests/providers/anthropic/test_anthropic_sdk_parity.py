"""Parity with the official ``anthropic`` SDK.

1. The SDK and litegate make the equivalent call against the same capturing server
   (FakeAnthropicServer): request bodies, path and auth headers must agree. Documented
   differences: the SDK also sends ``accept``, ``user-agent`` and ``x-stainless-*`` headers;
   SDK 2.x sends the key as ``authorization: Bearer <key>`` with ``anthropic-version:
   2026-10-21``, while litegate sends ``x-api-key: <key>`` with ``anthropic-version: 2023-06-01``
   as the reference notes (NOTES.md) and the recorded SDK 0.x exchanges do. The same key must
   travel either way; an older SDK must agree header for header.
2. What the fake server emits (messages, every stream event, error bodies) must parse with the
   SDK's own models, so the fake cannot drift from the real wire format unnoticed.
"""

from __future__ import annotations

import json

import httpx
import pytest
from _anthropic_helpers import KEY, sse_events

import litegate

anthropic = pytest.importorskip("anthropic")
from anthropic.types import Message, RawMessageStreamEvent  # noqa: E402
from pydantic import TypeAdapter  # noqa: E402

SONNET = "claude-sonnet-4-6"
PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
SCHEMA = {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}
EVENTS = TypeAdapter(RawMessageStreamEvent)


@pytest.fixture
def sdk(anthropic_server):
    client = anthropic.Anthropic(base_url=anthropic_server.base_url, api_key=KEY, max_retries=0)
    yield client
    client.close()


def _litegate(srv, model=SONNET, **kw):
    return litegate.completion("anthropic/" + model, api_key=KEY, api_base=srv.base_url, **kw)


def _sdk_key(rec) -> str:
    auth = rec.header("authorization")
    return auth[len("Bearer ") :] if auth and auth.startswith("Bearer ") else rec.header("x-api-key")


def _assert_same_request(srv):
    ours, theirs = srv.requests[-1], srv.requests[-2]
    assert ours.path == theirs.path == "/v1/messages"
    assert ours.json == theirs.json
    assert ours.header("content-type") == theirs.header("content-type") == "application/json"
    assert ours.header("x-api-key") == _sdk_key(theirs) == KEY
    assert ours.header("authorization") is None
    assert ours.header("anthropic-version") == "2023-06-01"
    if theirs.header("x-api-key"):  # an SDK that speaks the 2023-06-01 dialect: every auth header agrees
        assert ours.header("anthropic-version") == theirs.header("anthropic-version")
    else:
        assert theirs.header("anthropic-version")


# --------------------------------------------------------------------------------- request parity


def test_parity_basic_parameters(anthropic_server, sdk):
    # this SDK version no longer takes the (deprecated) sampling knobs as arguments: extra_body sends them
    sdk.messages.create(
        model=SONNET,
        max_tokens=300,
        system="Be brief.",
        messages=[{"role": "user", "content": "Hello"}],
        stop_sequences=["END"],
        metadata={"user_id": "u-1"},
        extra_body={"temperature": 0.3, "top_p": 0.9, "top_k": 20},
    )
    _litegate(
        anthropic_server,
        messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"}],
        max_tokens=300,
        temperature=0.3,
        top_p=0.9,
        top_k=20,
        stop=["END"],
        user="u-1",
    )
    _assert_same_request(anthropic_server)


def test_parity_default_max_tokens_is_the_documented_rule(anthropic_server, sdk):
    sdk.messages.create(model="claude-3-5-haiku-latest", max_tokens=8192, messages=[{"role": "user", "content": "Hi"}])
    _litegate(anthropic_server, model="claude-3-5-haiku-latest", messages=[{"role": "user", "content": "Hi"}])
    _assert_same_request(anthropic_server)


def test_parity_tools_and_tool_choice(anthropic_server, sdk):
    sdk.messages.create(
        model=SONNET,
        max_tokens=1024,
        messages=[{"role": "user", "content": "Weather in Paris?"}],
        tools=[{"name": "get_weather", "description": "Current weather", "input_schema": SCHEMA}],
        tool_choice={"type": "any", "disable_parallel_tool_use": True},
    )
    _litegate(
        anthropic_server,
        messages=[{"role": "user", "content": "Weather in Paris?"}],
        max_tokens=1024,
        tools=[
            {
                "type": "function",
                "function": {"name": "get_weather", "description": "Current weather", "parameters": SCHEMA},
            }
        ],
        tool_choice="required",
        parallel_tool_calls=False,
    )
    _assert_same_request(anthropic_server)


def test_parity_tool_loop_with_parallel_results(anthropic_server, sdk):
    tools = [{"name": "get_weather", "description": "Current weather", "input_schema": SCHEMA}]
    sdk.messages.create(
        model=SONNET,
        max_tokens=1024,
        tools=tools,
        messages=[
            {"role": "user", "content": "Weather in Paris and Rome?"},
            {
                "role": "assistant",
                "content": [
                    {"type": "text", "text": "Checking both."},
                    {"type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": {"location": "Paris"}},
                    {"type": "tool_use", "id": "toolu_02", "name": "get_weather", "input": {"location": "Rome"}},
                ],
            },
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": "toolu_01", "content": "18C"},
                    {"type": "tool_result", "tool_use_id": "toolu_02", "content": "24C"},
                ],
            },
        ],
    )
    _litegate(
        anthropic_server,
        max_tokens=1024,
        tools=[
            {
                "type": "function",
                "function": {"name": "get_weather", "description": "Current weather", "parameters": SCHEMA},
            }
        ],
        messages=[
            {"role": "user", "content": "Weather in Paris and Rome?"},
            {
                "role": "assistant",
                "content": "Checking both.",
                "tool_calls": [
                    {
                        "id": "toolu_01",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"location": "Paris"}'},
                    },
                    {
                        "id": "toolu_02",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"location": "Rome"}'},
                    },
                ],
            },
            {"role": "tool", "tool_call_id": "toolu_01", "content": "18C"},
            {"role": "tool", "tool_call_id": "toolu_02", "content": "24C"},
        ],
    )
    _assert_same_request(anthropic_server)


def test_parity_vision(anthropic_server, sdk):
    sdk.messages.create(
        model=SONNET,
        max_tokens=500,
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Describe"},
                    {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}},
                    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG_B64}},
                ],
            }
        ],
    )
    _litegate(
        anthropic_server,
        max_tokens=500,
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Describe"},
                    {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
                    {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG_B64}"}},
                ],
            }
        ],
    )
    _assert_same_request(anthropic_server)


def test_parity_prompt_caching(anthropic_server, sdk):
    cc = {"type": "ephemeral"}
    sdk.messages.create(
        model=SONNET,
        max_tokens=100,
        system=[
            {"type": "text", "text": "You are a librarian."},
            {"type": "text", "text": "Book text " * 50, "cache_control": cc},
        ],
        tools=[{"name": "get_weather", "description": "w", "input_schema": SCHEMA, "cache_control": cc}],
        messages=[{"role": "user", "content": [{"type": "text", "text": "Who is the author?", "cache_control": cc}]}],
    )
    _litegate(
        anthropic_server,
        max_tokens=100,
        tools=[
            {
                "type": "function",
                "function": {"name": "get_weather", "description": "w", "parameters": SCHEMA},
                "cache_control": cc,
            }
        ],
        messages=[
            {
                "role": "system",
                "content": [
                    {"type": "text", "text": "You are a librarian."},
                    {"type": "text", "text": "Book text " * 50, "cache_control": cc},
                ],
            },
            {"role": "user", "content": "Who is the author?", "cache_control": cc},
        ],
    )
    _assert_same_request(anthropic_server)


def test_parity_thinking_budget(anthropic_server, sdk):
    sdk.messages.create(
        model="claude-haiku-4-5",
        max_tokens=4096,
        thinking={"type": "enabled", "budget_tokens": 2048},
        messages=[{"role": "user", "content": "Why is the sky blue?"}],
    )
    _litegate(
        anthropic_server,
        model="claude-haiku-4-5",
        max_tokens=4096,
        reasoning_effort="medium",
        messages=[{"role": "user", "content": "Why is the sky blue?"}],
    )
    _assert_same_request(anthropic_server)


def test_parity_adaptive_thinking(anthropic_server, sdk):
    sdk.messages.create(
        model="claude-opus-4-6",
        max_tokens=4096,
        thinking={"type": "adaptive"},
        output_config={"effort": "high"},
        messages=[{"role": "user", "content": "Prove it."}],
    )
    _litegate(
        anthropic_server,
        model="claude-opus-4-6",
        max_tokens=4096,
        reasoning_effort="high",
        messages=[{"role": "user", "content": "Prove it."}],
    )
    _assert_same_request(anthropic_server)


def test_parity_structured_output(anthropic_server, sdk):
    schema = dict(SCHEMA, additionalProperties=False)
    sdk.messages.create(
        model=SONNET,
        max_tokens=1024,
        messages=[{"role": "user", "content": "Where?"}],
        output_config={"format": {"type": "json_schema", "schema": schema}},
    )
    _litegate(
        anthropic_server,
        max_tokens=1024,
        messages=[{"role": "user", "content": "Where?"}],
        response_format={"type": "json_schema", "json_schema": {"name": "Place", "schema": schema}},
    )
    _assert_same_request(anthropic_server)


def test_parity_streaming(anthropic_server, sdk):
    with sdk.messages.stream(model=SONNET, max_tokens=64, messages=[{"role": "user", "content": "Hi"}]) as stream:
        sdk_text = stream.get_final_text()
    chunks = list(_litegate(anthropic_server, max_tokens=64, stream=True, messages=[{"role": "user", "content": "Hi"}]))
    _assert_same_request(anthropic_server)
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == sdk_text


async def test_parity_async(anthropic_server):
    client = anthropic.AsyncAnthropic(base_url=anthropic_server.base_url, api_key=KEY, max_retries=0)
    try:
        msg = await client.messages.create(model=SONNET, max_tokens=50, messages=[{"role": "user", "content": "Hey"}])
    finally:
        await client.close()
    resp = await litegate.acompletion(
        "anthropic/" + SONNET,
        api_key=KEY,
        api_base=anthropic_server.base_url,
        max_tokens=50,
        messages=[{"role": "user", "content": "Hey"}],
    )
    _assert_same_request(anthropic_server)
    assert resp.choices[0].message.content == msg.content[0].text
    assert resp.usage.completion_tokens == msg.usage.output_tokens


# ------------------------------------------------------------------------- the fake parses with the SDK's models


SCENARIOS = {
    "text": {"messages": [{"role": "user", "content": "Hello"}]},
    "tool_use": {
        "messages": [{"role": "user", "content": "What's the weather in Paris?"}],
        "tools": [{"name": "get_weather", "description": "w", "input_schema": SCHEMA}],
    },
    "thinking": {
        "messages": [{"role": "user", "content": "Think"}],
        "max_tokens": 4096,
        "thinking": {"type": "enabled", "budget_tokens": 1024},
    },
    "structured": {
        "messages": [{"role": "user", "content": "Where?"}],
        "output_config": {"format": {"type": "json_schema", "schema": SCHEMA}},
    },
    "cached": {
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "doc " * 40, "cache_control": {"type": "ephemeral"}}]}
        ]
    },
}


def _body(name: str, stream: bool = False) -> dict:
    body = {"model": SONNET, "max_tokens": 512, **SCENARIOS[name]}
    if stream:
        body["stream"] = True
    return body


def _post(srv, body):
    return httpx.post(
        srv.base_url + "/v1/messages",
        json=body,
        headers={"x-api-key": KEY, "anthropic-version": "2023-06-01"},
        timeout=10,
    )


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_fake_messages_validate_with_sdk_model(anthropic_server, name):
    r = _post(anthropic_server, _body(name))
    assert r.status_code == 200
    msg = Message.model_validate(r.json())
    assert msg.role == "assistant" and msg.content
    if name == "tool_use":
        assert msg.stop_reason == "tool_use" and msg.content[-1].type == "tool_use"
    if name == "thinking":
        assert msg.content[0].type == "thinking" and msg.content[0].signature


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_fake_stream_events_validate_with_sdk_models(anthropic_server, name):
    r = _post(anthropic_server, _body(name, stream=True))
    assert r.headers["content-type"].startswith("text/event-stream")
    events = sse_events(r.text)
    kinds = [EVENTS.validate_python(ev).type for ev in events if ev["type"] != "ping"]
    assert kinds[0] == "message_start" and kinds[-1] == "message_stop" and "message_delta" in kinds
    assert "ping" in [ev["type"] for ev in events]
    # every event line names the event its data holds
    for block in r.text.strip().split("\n\n"):
        lines = block.split("\n")
        assert lines[0].startswith("event: ")
        assert json.loads(lines[1][len("data: ") :])["type"] == lines[0][len("event: ") :]


def test_sdk_stream_helper_accumulates_the_fake_stream(anthropic_server, sdk):
    with sdk.messages.stream(**_body("tool_use")) as stream:
        final = stream.get_final_message()
    assert final.stop_reason == "tool_use"
    assert final.content[0].type == "tool_use" and final.content[0].input == {"location": "San Francisco, CA"}
    with sdk.messages.stream(**_body("thinking")) as stream:
        final = stream.get_final_message()
    assert [b.type for b in final.content] == ["thinking", "text"]
    msg = sdk.messages.create(**_body("cached"))
    again = sdk.messages.create(**_body("cached"))
    assert msg.usage.cache_creation_input_tokens > 0
    assert again.usage.cache_read_input_tokens == msg.usage.cache_creation_input_tokens


@pytest.mark.parametrize(
    "status, cls",
    [
        (400, "BadRequestError"),
        (401, "AuthenticationError"),
        (403, "PermissionDeniedError"),
        (404, "NotFoundError"),
        (429, "RateLimitError"),
        (500, "InternalServerError"),
        (529, "OverloadedError"),
    ],
)
def test_fake_errors_map_in_the_sdk(anthropic_server, sdk, status, cls):
    anthropic_server.enqueue_error(status)
    with pytest.raises(getattr(anthropic, cls)) as info:
        sdk.messages.create(**_body("text"))
    assert info.value.status_code == status
    assert info.value.body["type"] == "error"
    assert info.value.request_id and info.value.request_id.startswith("req_")


def test_sdk_retries_the_fake_overloaded_errors(anthropic_server):
    anthropic_server.enqueue_error(529, count=2, headers={"retry-after": "0"})
    client = anthropic.Anthropic(base_url=anthropic_server.base_url, api_key=KEY, max_retries=2)
    try:
        msg = client.messages.create(**_body("text"))
    finally:
        client.close()
    assert msg.content[0].text
    assert anthropic_server.hits("/v1/messages") == 3


def test_sdk_sees_the_fake_stream_error_event(anthropic_server, sdk):
    anthropic_server.enqueue_fault("stream_error_event")
    with pytest.raises(anthropic.APIStatusError, match="overloaded_error"):
        with sdk.messages.stream(**_body("text")) as stream:
            stream.get_final_message()


def test_sdk_count_tokens_and_models(anthropic_server, sdk):
    counted = sdk.messages.count_tokens(model=SONNET, messages=[{"role": "user", "content": "one two three"}])
    assert counted.input_tokens > 3
    models = sdk.models.list()
    assert any(m.id.startswith("claude-") for m in models.data)
