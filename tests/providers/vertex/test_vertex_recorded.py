"""Every recorded Vertex AI response and stream, parsed by the vertex_ai translator."""

from __future__ import annotations

import json

import pytest
from _vertex_helpers import FIXTURES, PROVIDER, decode, joined, load, parse, prepared, response, text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import litegate

RECORDED = FIXTURES / "recorded"
SUCCESS = sorted(p.name for p in RECORDED.glob("unary-success-*.json"))


@pytest.mark.parametrize("name", SUCCESS)
def test_every_recorded_success_parses(name):
    body = load(f"recorded/{name}")
    resp = parse(body)
    assert isinstance(resp, litegate.ModelResponse)
    assert len(resp.choices) == len(body["candidates"])
    meta = body.get("usageMetadata") or {}
    assert resp.usage.prompt_tokens == meta.get("promptTokenCount", 0) + meta.get("toolUsePromptTokenCount", 0)
    assert resp.usage.completion_tokens == meta.get("candidatesTokenCount", 0) + meta.get("thoughtsTokenCount", 0)
    assert resp.choices[0].finish_reason in ("stop", "tool_calls")


@pytest.mark.parametrize(
    "name, calls",
    [
        ("unary-success-function-call-no-arguments.json", [("current_time", {})]),
        ("unary-success-function-call-empty-arguments.json", [("current_time", {})]),
        ("unary-success-function-call-with-arguments.json", [("sum", {"y": 5, "x": 4})]),
        ("unary-success-function-call-null.json", [("functionName", {"original_title": "String", "season": None})]),
        (
            "unary-success-function-call-json-literal.json",
            [("functionName", {"original_title": "String", "current": True})],
        ),
        (
            "unary-success-function-call-complex-json-literal.json",
            [
                (
                    "functionName",
                    {
                        "original_title": "Longer String",
                        "current": True,
                        "testObject": {"testProperty": "string property"},
                    },
                )
            ],
        ),
        (
            "unary-success-function-call-parallel-calls.json",
            [("sum", {"y": 1, "x": 2}), ("sum", {"y": 3, "x": 4}), ("sum", {"y": 5, "x": 6})],
        ),
        (
            "unary-success-function-call-different-parallel-calls.json",
            [("sum", {"y": 1, "x": 2}), ("multiply", {"y": 3, "x": 4}), ("subtract", {"y": 5, "x": 6})],
        ),
    ],
)
def test_function_calls(name, calls):
    msg = parse(load(f"recorded/{name}")).choices[0].message
    assert [(c.function.name, json.loads(c.function.arguments)) for c in msg.tool_calls] == calls
    assert len({c.id for c in msg.tool_calls}) == len(calls)


def test_function_calls_mixed_with_text():
    choice = parse(load("recorded/unary-success-function-call-mixed-content.json")).choices[0]
    assert choice.message.content == "The sum of [1, 2,3] is"
    assert [c.function.name for c in choice.message.tool_calls] == ["sum", "sum"]
    assert choice.finish_reason == "tool_calls"


def test_usage_details():
    resp = parse(load("recorded/unary-success-implicit-caching.json"))
    assert resp.usage.prompt_tokens == 12013
    assert resp.usage.prompt_tokens_details.cached_tokens == 11243
    assert resp.usage.completion_tokens == 15 + 73
    assert resp.usage.completion_tokens_details.reasoning_tokens == 73
    assert resp.usage.total_tokens == 12101
    partial = parse(load("recorded/unary-success-partial-usage-metadata.json"))
    assert (partial.usage.prompt_tokens, partial.usage.completion_tokens, partial.usage.total_tokens) == (6, 0, 6)
    detailed = parse(load("recorded/unary-success-basic-response-long-usage-metadata.json"))
    assert detailed.usage.prompt_tokens_details.image_tokens == 1806


def test_empty_parts_and_images():
    msg = parse(load("recorded/unary-success-empty-part.json")).choices[0].message
    assert msg.content.startswith("I can certainly help you")
    assert len(msg.images) == 1
    assert parse(load("recorded/unary-success-empty-text-part.json")).choices[0].message.content == ""


def test_unknown_enums_are_tolerated():
    assert (
        parse(load("recorded/unary-success-unknown-enum-safety-ratings.json")).choices[0].message.content == "Some text"
    )
    choice = parse(load("recorded/unary-failure-unknown-enum-finish-reason.json")).choices[0]
    assert choice.finish_reason == "stop" and choice.message.content == "Some text"


@pytest.mark.parametrize("name", ["unary-failure-empty-content.json", "unary-failure-malformed-content.json"])
def test_candidates_without_content(name):
    choice = parse(load(f"recorded/{name}")).choices[0]
    assert choice.message.content is None and choice.message.tool_calls is None


@pytest.mark.parametrize(
    "name, match",
    [
        ("unary-failure-prompt-blocked-safety.json", "blockReason SAFETY"),
        ("unary-failure-prompt-blocked-safety-with-message.json", "Reasons"),
        ("unary-failure-unknown-enum-prompt-blocked.json", "FAKE_NEW_BLOCK_REASON"),
        ("unary-failure-finish-reason-safety-no-content.json", "finishReason SAFETY"),
    ],
)
def test_blocks_raise_content_policy_violation(name, match):
    with pytest.raises(litegate.ContentPolicyViolationError, match=match) as info:
        parse(load(f"recorded/{name}"))
    assert info.value.llm_provider == "vertex_ai"
    assert info.value.provider_specific_fields


def test_safety_finish_with_content_is_returned():
    choice = parse(load("recorded/unary-failure-finish-reason-safety.json")).choices[0]
    assert choice.finish_reason == "content_filter" and choice.message.content == "<redacted>"


@pytest.mark.parametrize(
    "name, cls",
    [
        ("unary-failure-api-key.json", litegate.AuthenticationError),
        ("unary-failure-iam-permission-denied.json", litegate.PermissionDeniedError),
        ("unary-failure-quota-exceeded.json", litegate.RateLimitError),
        ("unary-failure-unknown-model.json", litegate.NotFoundError),
        ("unary-failure-model-not-found.json", litegate.NotFoundError),
        ("unary-failure-context-cache-not-found.json", litegate.NotFoundError),
        ("unary-failure-invalid-context-cache-id.json", litegate.BadRequestError),
        ("unary-failure-unsupported-user-location.json", litegate.BadRequestError),
        ("unary-failure-image-rejected.json", litegate.BadRequestError),
        ("unary-failure-firebasevertexai-api-not-enabled.json", litegate.PermissionDeniedError),
        ("streaming-failure-api-key.txt", litegate.AuthenticationError),
        ("streaming-failure-unknown-model.txt", litegate.NotFoundError),
        ("streaming-failure-http-error.txt", litegate.BadRequestError),
    ],
)
def test_recorded_error_bodies(name, cls):
    raw = text(f"recorded/{name}")
    status = json.loads(raw)["error"]["code"]
    exc = PROVIDER.error(response(raw, status), prepared())
    assert type(exc) is cls
    assert exc.llm_provider == "vertex_ai"


def test_html_404_for_an_invalid_location():
    exc = PROVIDER.error(response(text("recorded/unary-failure-invalid-location-url-not-found.html"), 404), prepared())
    assert isinstance(exc, litegate.NotFoundError)
    assert "was not found on this server" in exc.message


def test_a_body_that_is_not_a_response():
    with pytest.raises(litegate.APIResponseValidationError):
        parse(load("recorded/unary-failure-invalid-response.json"))


# ------------------------------------------------------------------------------ streams

STREAMS = sorted(p.name for p in RECORDED.glob("streaming-success-*.txt") if b"finishReason" in p.read_bytes())


@pytest.mark.parametrize("name", STREAMS)
def test_every_complete_recorded_stream(name):
    chunks = decode((RECORDED / name).read_bytes())
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices[0].finish_reason in ("stop", "tool_calls")
    assert (
        joined(chunks)
        or any(c.choices[0].delta.tool_calls for c in chunks)
        or any(c.choices[0].delta.images for c in chunks)
    )


def test_utf8_and_escaped_quotes():
    text_ = joined(decode((RECORDED / "streaming-success-utf8.txt").read_bytes()))
    assert "水" in text_ or any(ord(ch) > 127 for ch in text_)


def test_function_call_stream():
    chunks = decode((RECORDED / "streaming-success-function-call-short.txt").read_bytes())
    call = chunks[0].choices[0].delta.tool_calls[0]
    assert call.function.name == "getTemperature" and json.loads(call.function.arguments) == {"city": "San Jose"}
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


def test_unknown_finish_reason_in_a_stream():
    chunks = decode((RECORDED / "streaming-failure-unknown-finish-enum.txt").read_bytes())
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_stream_without_finish_reason_is_incomplete():
    """An old recording of a stream that simply stops: litegate is strict, the chunks come first."""
    data = (RECORDED / "streaming-success-quotes-escaped.txt").read_bytes()
    dec = PROVIDER.stream_decoder(
        litegate.core.call.build_chat_call("vertex_ai/m", [{"role": "user", "content": "x"}], {"stream": True}),
        prepared(),
    )
    chunks = dec.feed(data)
    assert '"' in joined(chunks)
    with pytest.raises(litegate.APIConnectionError, match="finish reason"):
        dec.finish()


@pytest.mark.parametrize(
    "name, exc",
    [
        ("streaming-failure-prompt-blocked-safety.txt", litegate.ContentPolicyViolationError),
        ("streaming-failure-prompt-blocked-safety-with-message.txt", litegate.ContentPolicyViolationError),
        ("streaming-failure-empty-content.txt", litegate.APIConnectionError),
        ("streaming-failure-malformed-content.txt", litegate.APIConnectionError),
        ("streaming-failure-invalid-json.txt", litegate.APIResponseValidationError),
        ("streaming-failure-error-mid-stream.txt", litegate.APIError),
    ],
)
def test_failing_streams(name, exc):
    with pytest.raises(exc):
        decode((RECORDED / name).read_bytes())


def test_safety_and_recitation_finishes_after_content():
    chunks = decode((RECORDED / "streaming-failure-finish-reason-safety.txt").read_bytes())
    assert joined(chunks) == "<redacted>" and chunks[-1].choices[0].finish_reason == "content_filter"
    chunks = decode((RECORDED / "streaming-failure-recitation-no-content.txt").read_bytes())
    assert chunks[-1].choices[0].finish_reason == "content_filter"


SPLIT = {name: (RECORDED / name).read_bytes() for name in STREAMS[:6]}
BASE = {name: [c.model_dump(exclude={"created", "id"}) for c in decode(raw)] for name, raw in SPLIT.items()}


@pytest.mark.parametrize("name", sorted(SPLIT))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_split_gives_the_same_chunks(name, data):
    raw = SPLIT[name]
    cuts = data.draw(st.lists(st.integers(min_value=0, max_value=len(raw)), max_size=30))
    chunks = [c.model_dump(exclude={"created", "id"}) for c in decode(raw, cuts)]
    for chunk in chunks + BASE[name]:
        for choice in chunk["choices"]:
            for call in (choice.get("delta") or {}).get("tool_calls") or ():
                call.pop("id", None)
    assert chunks == BASE[name]
