"""Bedrock Converse / ConverseStream: translation checked against the recorded transcripts, and
litegate.completion / acompletion end to end against FakeBedrockServer (which recomputes every
SigV4 signature) over real sockets: plain calls, streams, tools, images, documents, caching,
reasoning, errors, retries and stream faults."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from _bedrock_helpers import AKID, REGION, SECRET

import litegate
from litegate.core.http import Headers, HttpResponse
from litegate.providers.bedrock.converse import ConverseStreamDecoder
from litegate.testing.bedrock_server import event_frame, exception_frame

EXAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "bedrock" / "examples"
MODEL = "bedrock/converse/anthropic.claude-3-5-sonnet-20240620-v1:0"
NOVA = "bedrock/amazon.nova-lite-v1:0"
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather for a city",
        "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]},
    },
}


def _example(name):
    return json.loads((EXAMPLES / name).read_text())


def _call(aws, model=NOVA, **kw):
    kw.setdefault("messages", [{"role": "user", "content": "Hello there"}])
    return litegate.completion(model, **aws, **kw)


# ------------------------------------------------------------------------------ recorded transcripts


def test_request_matches_the_recorded_tool_use_request(bedrock_server, aws):
    ex = _example("converse_tool_use.json")
    bedrock_server.enqueue_reply("ok")
    _call(
        aws,
        MODEL,
        messages=[
            {"role": "system", "content": "You are a weather assistant."},
            {"role": "user", "content": "What's the weather in Paris?"},
        ],
        max_tokens=512,
        temperature=0.5,
        top_p=0.9,
        stop=["\n\nHuman:"],
        tools=[WEATHER],
        tool_choice="auto",
        top_k=250,
    )
    req = bedrock_server.last_request
    assert req.json == ex["request"]["json"]
    assert req.path == "/model/anthropic.claude-3-5-sonnet-20240620-v1:0/converse"
    assert req.header("authorization").startswith(f"AWS4-HMAC-SHA256 Credential={AKID}/")
    assert f"/{REGION}/bedrock/aws4_request" in req.header("authorization")
    assert bedrock_server.signatures_checked == 1


def test_tool_result_turn_matches_the_recorded_request(bedrock_server, aws):
    ex = _example("converse_tool_result.json")
    bedrock_server.enqueue_reply("It is 18°C and cloudy in Paris.")
    resp = _call(
        aws,
        MODEL,
        messages=[
            {"role": "user", "content": "What's the weather in Paris?"},
            {
                "role": "assistant",
                "content": "Let me check the weather.",
                "tool_calls": [
                    {
                        "id": "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"location": "Paris"}'},
                    }
                ],
            },
            {
                "role": "tool",
                "tool_call_id": "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q",
                "content": '{"temperature_c": 18, "condition": "cloudy"}',
            },
        ],
        tools=[WEATHER],
        tool_choice="auto",
    )
    body = bedrock_server.last_request.json
    want = ex["request"]["json"]
    # the recorded request marks the result "success" explicitly (the default)
    want["messages"][2]["content"][0]["toolResult"].pop("status")
    assert body == want
    assert resp.choices[0].message.content == "It is 18°C and cloudy in Paris."


def test_recorded_tool_use_response_parses():
    from litegate.core.call import build_chat_call
    from litegate.core.resolve import Target
    from litegate.providers import get_provider

    ex = _example("converse_tool_use.json")["response"]
    provider = get_provider("bedrock")
    target = Target(
        "bedrock", "anthropic.claude-3-5-sonnet-20240620-v1:0", "https://x", None, meta={"route": "converse"}
    )
    call = build_chat_call("bedrock/x", [{"role": "user", "content": "hi"}], {})
    resp = provider.parse_chat(HttpResponse(200, Headers(ex["headers"]), json.dumps(ex["body"]).encode()), call, target)
    msg = resp.choices[0].message
    assert msg.content == "Let me check the weather."
    assert msg.tool_calls[0].id == "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q"
    assert json.loads(msg.tool_calls[0].function.arguments) == {"location": "Paris"}
    assert resp.choices[0].finish_reason == "tool_calls"
    assert (resp.usage.prompt_tokens, resp.usage.completion_tokens, resp.usage.total_tokens) == (412, 53, 465)
    assert resp.id == "6b2f0c1e-0000-4000-8000-000000000000"


def _decode(raw: bytes, include_usage=True, pieces=None):
    dec = ConverseStreamDecoder("anthropic.claude-3-5-sonnet-20240620-v1:0", include_usage, False)
    out = []
    step = pieces or len(raw)
    for i in range(0, len(raw), step):
        out += dec.feed(raw[i : i + step])
    return out + dec.finish()


def test_recorded_converse_stream_decodes():
    raw = (EXAMPLES / "converse_stream.eventstream.bin").read_bytes()
    chunks = _decode(raw)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == "Let me check the weather."
    calls = [tc for c in chunks for tc in (c.choices[0].delta.tool_calls or [])]
    assert calls[0].function.name == "get_weather" and calls[0].id
    assert json.loads("".join(tc.function.arguments or "" for tc in calls)) == {"location": "Paris"}
    assert chunks[-1].choices[0].finish_reason == "tool_calls"
    decoded = json.loads((EXAMPLES / "converse_stream.decoded.json").read_text())
    usage = decoded["frames"][-1]["payload"]["usage"]
    assert chunks[-1].usage.prompt_tokens == usage["inputTokens"]
    assert chunks[-1].usage.completion_tokens == usage["outputTokens"]
    # byte by byte: the same chunks
    assert [c.choices[0].delta.model_dump() for c in _decode(raw, pieces=1)] == [
        c.choices[0].delta.model_dump() for c in chunks
    ]


def test_recorded_stream_with_a_throttling_exception_raises_rate_limit_after_its_chunks():
    raw = (EXAMPLES / "converse_stream_throttling_exception.eventstream.bin").read_bytes()
    dec = ConverseStreamDecoder("m", False, False)
    got = dec.feed(raw)
    assert got  # the chunks before the exception frame come out first
    with pytest.raises(litegate.RateLimitError, match="Too many requests"):
        dec.feed(b"")


# ------------------------------------------------------------------------------ end to end


def test_sync_plain_call(bedrock_server, aws):
    resp = _call(
        aws,
        messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello there"}],
        max_tokens=100,
        temperature=0.2,
    )
    assert resp.choices[0].message.content == "This is a fake reply to: Hello there"
    assert resp.choices[0].finish_reason == "stop"
    assert resp.model == "amazon.nova-lite-v1:0"
    req = bedrock_server.last_request
    assert req.path == "/model/amazon.nova-lite-v1:0/converse"
    assert req.json["system"] == [{"text": "Be brief."}]
    assert req.json["inferenceConfig"] == {"maxTokens": 100, "temperature": 0.2}
    assert resp._hidden_params["custom_llm_provider"] == "bedrock"
    cost = resp._hidden_params["response_cost"]
    info = litegate.get_model_info("bedrock/amazon.nova-lite-v1:0")
    assert cost == pytest.approx(
        resp.usage.prompt_tokens * info["input_cost_per_token"]
        + resp.usage.completion_tokens * info["output_cost_per_token"]
    )


def test_async_call(bedrock_server, aws):
    async def go():
        return await litegate.acompletion(NOVA, messages=[{"role": "user", "content": "Hi async"}], **aws)

    resp = asyncio.run(go())
    assert resp.choices[0].message.content == "This is a fake reply to: Hi async"
    assert bedrock_server.signatures_checked == 1


def test_stream_sync_and_async(bedrock_server, aws):
    stream = _call(aws, stream=True, stream_options={"include_usage": True})
    chunks = list(stream)
    assert (
        "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "This is a fake reply to: Hello there"
    )
    assert chunks[-1].usage.total_tokens > 0
    assert bedrock_server.last_request.path.endswith("/converse-stream")
    assert bedrock_server.last_request.header("accept") == "application/vnd.amazon.eventstream"

    async def go():
        s = await litegate.acompletion(NOVA, messages=[{"role": "user", "content": "Hi"}], stream=True, **aws)
        return [c async for c in s]

    chunks = asyncio.run(go())
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "This is a fake reply to: Hi"
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_tool_loop_streamed_and_not(bedrock_server, aws):
    msgs = [{"role": "user", "content": "What's the weather in Paris?"}]
    resp = _call(aws, MODEL, messages=msgs, tools=[WEATHER])
    call = resp.choices[0].message.tool_calls[0]
    assert resp.choices[0].finish_reason == "tool_calls" and call.function.name == "get_weather"
    msgs += [resp.choices[0].message.model_dump(), {"role": "tool", "tool_call_id": call.id, "content": "18C"}]
    final = _call(aws, MODEL, messages=msgs, tools=[WEATHER])
    assert final.choices[0].message.content.startswith("This is a fake reply")
    sent = bedrock_server.last_request.json["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert sent[2]["content"][0]["toolResult"] == {"toolUseId": call.id, "content": [{"text": "18C"}]}

    chunks = list(_call(aws, MODEL, messages=msgs[:1], tools=[WEATHER], stream=True))
    deltas = [tc for c in chunks for tc in (c.choices[0].delta.tool_calls or [])]
    assert deltas[0].function.name == "get_weather"
    assert json.loads("".join(d.function.arguments for d in deltas)) == {"location": "San Francisco, CA"}
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


def test_forced_and_required_tool_choice(bedrock_server, aws):
    _call(aws, tools=[WEATHER], tool_choice={"type": "function", "function": {"name": "get_weather"}})
    assert bedrock_server.last_request.json["toolConfig"]["toolChoice"] == {"tool": {"name": "get_weather"}}
    resp = _call(aws, tools=[WEATHER], tool_choice="required")
    assert bedrock_server.last_request.json["toolConfig"]["toolChoice"] == {"any": {}}
    assert resp.choices[0].message.tool_calls


def test_images_and_documents(bedrock_server, aws):
    pdf = "JVBERi0xLjQK"
    _call(
        aws,
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is in these?"},
                    {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
                    {
                        "type": "file",
                        "file": {"filename": "report.pdf", "file_data": f"data:application/pdf;base64,{pdf}"},
                    },
                    {"type": "image_url", "image_url": {"url": "s3://bucket/cat.jpg"}},
                ],
            }
        ],
    )
    content = bedrock_server.last_request.json["messages"][0]["content"]
    assert content == [
        {"text": "What is in these?"},
        {"image": {"format": "png", "source": {"bytes": PNG}}},
        {"document": {"format": "pdf", "name": "report", "source": {"bytes": pdf}}},
        {"image": {"format": "jpeg", "source": {"s3Location": {"uri": "s3://bucket/cat.jpg"}}}},
    ]
    with pytest.raises(litegate.BadRequestError, match="data URLs, s3:// or http"):
        _call(
            aws,
            messages=[
                {
                    "role": "user",
                    "content": [{"type": "image_url", "image_url": {"url": "gopher://example.com/cat.png"}}],
                }
            ],
        )


def test_stop_sequences_and_max_tokens_finish_reasons(bedrock_server, aws):
    resp = _call(aws, messages=[{"role": "user", "content": "alpha beta gamma"}], stop="beta")
    assert bedrock_server.last_request.json["inferenceConfig"]["stopSequences"] == ["beta"]
    assert resp.choices[0].finish_reason == "stop"
    assert "beta" not in resp.choices[0].message.content
    resp = _call(aws, messages=[{"role": "user", "content": "alpha beta gamma"}], max_tokens=2)
    assert resp.choices[0].finish_reason == "length"


def test_prompt_caching_usage(bedrock_server, aws):
    long_system = {
        "role": "system",
        "content": [{"type": "text", "text": "Rules. " * 50, "cache_control": {"type": "ephemeral"}}],
    }
    first = _call(aws, MODEL, messages=[long_system, {"role": "user", "content": "Hi"}])
    assert bedrock_server.last_request.json["system"][-1] == {"cachePoint": {"type": "default"}}
    second = _call(aws, MODEL, messages=[long_system, {"role": "user", "content": "Hi again"}])
    write = first.usage.cache_creation_input_tokens
    read = second.usage.cache_read_input_tokens
    assert write > 0 and read == write
    assert second.usage.prompt_tokens_details.cached_tokens == read
    assert second.usage.prompt_tokens > read  # cached tokens are counted in the prompt
    info = litegate.get_model_info("bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0")
    assert info.get("cache_read_input_token_cost") is not None
    u = second.usage
    fresh = u.prompt_tokens - read
    assert second._hidden_params["response_cost"] == pytest.approx(
        fresh * info["input_cost_per_token"]
        + read * info["cache_read_input_token_cost"]
        + u.completion_tokens * info["output_cost_per_token"]
    )
    w = first.usage
    assert first._hidden_params["response_cost"] == pytest.approx(
        (w.prompt_tokens - write) * info["input_cost_per_token"]
        + write * info["cache_creation_input_token_cost"]
        + w.completion_tokens * info["output_cost_per_token"]
    )


def test_reasoning_content(bedrock_server, aws):
    resp = _call(
        aws, "bedrock/converse/anthropic.claude-3-7-sonnet-20250219-v1:0", reasoning_effort="low", max_tokens=4096
    )
    assert bedrock_server.last_request.json["additionalModelRequestFields"] == {
        "thinking": {"type": "enabled", "budget_tokens": 1024}
    }
    msg = resp.choices[0].message
    assert msg.reasoning_content.startswith("The user asks")
    assert msg.thinking_blocks[0]["signature"]
    chunks = list(
        _call(
            aws,
            "bedrock/converse/anthropic.claude-3-7-sonnet-20250219-v1:0",
            reasoning_effort="low",
            max_tokens=4096,
            stream=True,
        )
    )
    reasoning = "".join(getattr(c.choices[0].delta, "reasoning_content", None) or "" for c in chunks)
    assert reasoning == msg.reasoning_content
    # thinking blocks go back as reasoningContent on the next turn
    _call(
        aws,
        "bedrock/converse/anthropic.claude-3-7-sonnet-20250219-v1:0",
        max_tokens=4096,
        messages=[{"role": "user", "content": "Hi"}, msg.model_dump(), {"role": "user", "content": "More"}],
    )
    sent = bedrock_server.last_request.json["messages"][1]["content"][0]
    assert sent == {
        "reasoningContent": {
            "reasoningText": {"text": msg.reasoning_content, "signature": msg.thinking_blocks[0]["signature"]}
        }
    }


def test_json_response_format_uses_a_forced_tool(bedrock_server, aws):
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    resp = _call(aws, response_format={"type": "json_schema", "json_schema": {"name": "x", "schema": schema}})
    cfg = bedrock_server.last_request.json["toolConfig"]
    assert cfg["toolChoice"] == {"tool": {"name": "json_tool_call"}}
    assert json.loads(resp.choices[0].message.content).keys() == {"city"}
    assert resp.choices[0].finish_reason == "stop" and not resp.choices[0].message.tool_calls


def test_unsupported_params_refused_or_dropped(bedrock_server, aws):
    with pytest.raises(litegate.UnsupportedParamsError, match="frequency_penalty"):
        _call(aws, frequency_penalty=0.5)
    assert bedrock_server.hits() == 0
    resp = _call(aws, frequency_penalty=0.5, drop_params=True)
    assert "frequency_penalty" not in json.dumps(bedrock_server.last_request.json)
    assert resp._hidden_params["warnings"]


def test_cross_region_profile_and_extra_fields(bedrock_server, aws):
    resp = _call(
        aws, "bedrock/us.amazon.nova-lite-v1:0", guardrailConfig={"guardrailIdentifier": "g", "guardrailVersion": "1"}
    )
    req = bedrock_server.last_request
    assert req.path == "/model/us.amazon.nova-lite-v1:0/converse"
    assert req.json["guardrailConfig"] == {"guardrailIdentifier": "g", "guardrailVersion": "1"}
    assert "aws_access_key_id" not in json.dumps(req.json)  # control arguments never reach the body
    assert resp._hidden_params["response_cost"] > 0  # the profile's price is in the registry


def test_default_endpoint_is_the_regional_host():
    from litegate.core.transport import MockResponse, MockTransport

    seen = []

    def handler(req):
        seen.append(req)
        return MockResponse(
            200,
            json={
                "id": "msg_1",
                "type": "message",
                "role": "assistant",
                "model": "c",
                "content": [{"type": "text", "text": "x"}],
                "stop_reason": "end_turn",
                "usage": {"input_tokens": 1, "output_tokens": 1},
            },
        )

    client = litegate.Client(transport=MockTransport(handler))
    client.completion(
        "bedrock/eu.anthropic.claude-3-5-sonnet-20240620-v1:0",
        messages=[{"role": "user", "content": "x"}],
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
        aws_region_name="eu-west-1",
        custom_llm_provider=None,
    )
    assert seen[0].url == (
        "https://bedrock-runtime.eu-west-1.amazonaws.com/model/eu.anthropic.claude-3-5-sonnet-20240620-v1%3A0/invoke"
    )
    assert "/eu-west-1/bedrock/aws4_request" in seen[0].headers["Authorization"]


# ------------------------------------------------------------------------------ errors and retries

ERROR_CASES = [
    ("429_throttling_exception.json", litegate.RateLimitError),
    ("403_access_denied.json", litegate.PermissionDeniedError),
    ("403_invalid_signature.json", litegate.AuthenticationError),
    ("400_validation_exception.json", litegate.BadRequestError),
]


@pytest.mark.parametrize("name,cls", ERROR_CASES)
def test_recorded_errors_map(bedrock_server, aws, name, cls):
    ex = json.loads((EXAMPLES.parent / "errors" / name).read_text())
    bedrock_server.enqueue_raw(ex["status"], ex["body"], ex["headers"])
    with pytest.raises(cls) as info:
        _call(aws, num_retries=0)
    assert info.value.llm_provider == "bedrock"
    message = ex["body"].get("message") or ex["body"].get("Message")
    assert message[:40] in str(info.value)


@pytest.mark.parametrize(
    "status,code,message,cls",
    [
        (400, "ValidationException", "Input is too long for requested model.", litegate.ContextWindowExceededError),
        (429, "ModelNotReadyException", "Model is not ready", litegate.RateLimitError),
        (503, "ServiceUnavailableException", "Service unavailable", litegate.ServiceUnavailableError),
        (500, "InternalServerException", "boom", litegate.InternalServerError),
        (404, "ResourceNotFoundException", "no such model", litegate.NotFoundError),
        (408, "ModelTimeoutException", "Model timed out", litegate.Timeout),
    ],
)
def test_error_codes_map(bedrock_server, aws, status, code, message, cls):
    bedrock_server.enqueue_error(status, code=code, message=message)
    with pytest.raises(cls):
        _call(aws, num_retries=0)


def test_retries_are_signed_afresh_and_verified(bedrock_server, aws, fast_backoff):
    bedrock_server.enqueue_error(503, code="ServiceUnavailableException", count=2)
    resp = _call(aws, num_retries=2)
    assert resp.choices[0].message.content
    assert bedrock_server.hits() == 3
    assert bedrock_server.signatures_checked == 3
    assert resp._hidden_params["attempts"] == 3


def test_wrong_secret_is_an_authentication_error_without_the_secret(bedrock_server, aws):
    with pytest.raises(litegate.AuthenticationError) as info:
        _call(dict(aws, aws_secret_access_key="not-the-secret-123456"))
    assert "signature we calculated does not match" in str(info.value)
    assert "not-the-secret-123456" not in str(info.value) and "not-the-secret-123456" not in repr(info.value.__dict__)
    assert bedrock_server.signatures_checked == 0


@pytest.mark.parametrize(
    "fault,cls",
    [
        ("malformed_stream", litegate.APIResponseValidationError),
        ("cut_stream", litegate.APIConnectionError),
        ("no_done", litegate.APIConnectionError),
        ("stream_error_event", litegate.RateLimitError),
    ],
)
def test_stream_faults(bedrock_server, aws, fault, cls):
    bedrock_server.enqueue_fault(fault)
    with pytest.raises(cls):
        for _ in _call(aws, stream=True, messages=[{"role": "user", "content": "one two three four five six"}]):
            pass


def test_an_exception_before_any_content_is_retried(bedrock_server, aws, fast_backoff):
    bedrock_server.enqueue_stream([exception_frame("throttlingException", "slow down")])
    chunks = list(_call(aws, stream=True, num_retries=1))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "This is a fake reply to: Hello there"
    assert bedrock_server.hits() == 2


def test_queued_event_stream(bedrock_server, aws):
    bedrock_server.enqueue_stream(
        [
            {"event": "messageStart", "role": "assistant"},
            {"event": "contentBlockDelta", "contentBlockIndex": 0, "delta": {"text": "Hi"}},
            {"event": "contentBlockStop", "contentBlockIndex": 0},
            {"event": "messageStop", "stopReason": "max_tokens"},
            event_frame(
                "metadata",
                {
                    "usage": {"inputTokens": 3, "outputTokens": 1, "totalTokens": 4, "cacheReadInputTokens": 2},
                    "metrics": {"latencyMs": 1},
                },
            ),
        ]
    )
    chunks = list(_call(aws, stream=True, stream_options={"include_usage": True}))
    assert chunks[-1].choices[0].finish_reason == "length"
    assert chunks[-1].usage.prompt_tokens == 5 and chunks[-1].usage.cache_read_input_tokens == 2
