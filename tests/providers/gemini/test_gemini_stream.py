"""Recorded Gemini SSE streams -> chunks; strict about how a stream ends."""

from __future__ import annotations

import json

import pytest
from _gemini_helpers import FIXTURES, decode, joined, sse_events, text

import litegate
from litegate.providers.gemini import GeminiStreamDecoder
from litegate.types.streaming import stream_chunk_builder

STREAMS = sorted(p.name for p in (FIXTURES / "recorded").glob("streaming-success-*.txt"))


def _data(name: str) -> bytes:
    return text(name).encode("utf-8")


def _expected_text(raw: str, thought: bool = False) -> str:
    out = []
    for ev in sse_events(raw):
        for cand in ev.get("candidates") or ():
            for part in (cand.get("content") or {}).get("parts") or ():
                if isinstance(part.get("text"), str) and bool(part.get("thought")) == thought:
                    out.append(part["text"])
    return "".join(out)


@pytest.mark.parametrize("name", STREAMS)
def test_every_recorded_success_stream(name):
    raw = text(f"recorded/{name}")
    chunks = decode(raw.encode())
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices[0].finish_reason in ("stop", "tool_calls")
    assert [c.choices[0].finish_reason for c in chunks if c.choices].count(None) == len(chunks) - 1
    events = sse_events(raw)
    if "code-execution" not in name:
        assert joined(chunks) == _expected_text(raw)
    assert joined(chunks, "reasoning_content") == _expected_text(raw, thought=True)
    last_usage = [e["usageMetadata"] for e in events if "usageMetadata" in e]
    if last_usage:
        u = last_usage[-1]
        assert chunks[-1].usage.prompt_tokens == u.get("promptTokenCount", 0) + u.get("toolUsePromptTokenCount", 0)
        assert chunks[-1].usage.completion_tokens == u.get("candidatesTokenCount", 0) + u.get("thoughtsTokenCount", 0)
    model = next((e["modelVersion"] for e in events if "modelVersion" in e), "gemini-2.5-flash")
    assert {c.model for c in chunks} == {model}
    assert len({c.id for c in chunks}) == 1


def test_short_reply_chunks():
    chunks = decode(_data("recorded/streaming-success-basic-reply-short.txt"))
    assert [c.choices[0].delta.content for c in chunks] == ["The", " capital of Wyoming", " is **Cheyenne**.\n", None]
    final = chunks[-1]
    assert final.choices[0].finish_reason == "stop"
    assert (final.usage.prompt_tokens, final.usage.completion_tokens, final.usage.total_tokens) == (7, 10, 17)
    rebuilt = stream_chunk_builder(chunks)
    assert rebuilt.choices[0].message.content == "The capital of Wyoming is **Cheyenne**.\n"
    assert rebuilt.usage.total_tokens == 17


def test_usage_only_with_include_usage():
    chunks = decode(_data("recorded/streaming-success-basic-reply-short.txt"), include_usage=False)
    assert all(getattr(c, "usage", None) is None for c in chunks)


def test_thinking_function_call_stream():
    raw = text("recorded/streaming-success-thinking-function-call-thought-summary-signature.txt")
    chunks = decode(raw.encode())
    calls = [tc for c in chunks for tc in c.choices[0].delta.tool_calls or ()]
    assert len(calls) == 1
    assert calls[0].function.name == "now" and calls[0].function.arguments == "{}" and calls[0].index == 0
    sig = sse_events(raw)[-1]["candidates"][0]["content"]["parts"][0]["thoughtSignature"]
    assert calls[0].provider_specific_fields == {"thought_signature": sig}
    assert chunks[-1].choices[0].finish_reason == "tool_calls"
    assert chunks[-1].usage.completion_tokens_details.reasoning_tokens == 168
    rebuilt = stream_chunk_builder(chunks)
    msg = rebuilt.choices[0].message
    assert msg.tool_calls[0].provider_specific_fields == {"thought_signature": sig}
    assert msg.reasoning_content.startswith("**Calculating the Days**")
    assert rebuilt.choices[0].finish_reason == "tool_calls"


def test_code_execution_stream_renders_code_blocks():
    content = joined(decode(_data("recorded/streaming-success-code-execution.txt")))
    assert "```python\nprime_numbers = [2, 3, 5, 7, 11]" in content
    assert "```output\nThe sum of the first 5 prime numbers is: 28\n```" in content


def test_inline_image_and_empty_parts_stream():
    chunks = decode(_data("recorded/streaming-success-empty-parts.txt"))
    images = [img for c in chunks for img in c.choices[0].delta.images or ()]
    assert len(images) == 1 and images[0]["image_url"]["url"].startswith("data:image/png;base64,iVBOR")


def test_grounding_arrives_after_the_finish_reason():
    raw = text("generative-ai-js/streaming-success-search-grounding.txt")
    chunks = decode(raw.encode())
    assert chunks[-1].choices[0].finish_reason == "stop"
    fields = [
        c.choices[0].delta.provider_specific_fields for c in chunks if c.choices[0].delta.provider_specific_fields
    ]
    assert any("grounding_metadata" in f for f in fields)
    assert joined(chunks) == _expected_text(raw)


def test_recitation_after_content_is_a_content_filter_finish():
    chunks = decode(_data("recorded/streaming-failure-recitation-no-content.txt"))
    assert chunks[-1].choices[0].finish_reason == "content_filter"
    assert joined(chunks).startswith("text1text2")


def test_prompt_blocked_stream_raises():
    with pytest.raises(litegate.ContentPolicyViolationError) as info:
        decode(_data("recorded/streaming-failure-prompt-blocked-safety.txt"))
    assert info.value.provider_specific_fields["promptFeedback"]["blockReason"] == "SAFETY"


def test_safety_stop_without_content_raises():
    raw = (
        b'data: {"candidates": [{"finishReason": "SAFETY", "index": 0, "safetyRatings": '
        b'[{"category": "HARM_CATEGORY_HARASSMENT", "probability": "HIGH", "blocked": true}]}]}\r\n\r\n'
    )
    with pytest.raises(litegate.ContentPolicyViolationError, match="finishReason SAFETY"):
        decode(raw)


def test_stream_without_finish_reason_is_incomplete():
    raw = _data("recorded/streaming-success-basic-reply-short.txt")
    truncated = raw[: raw.rindex(b"data:")]
    dec = GeminiStreamDecoder("gemini", "gemini-2.0-flash", True)
    chunks = dec.feed(truncated)
    assert joined(chunks) == "The capital of Wyoming"
    with pytest.raises(litegate.APIConnectionError, match="ended before a finish reason"):
        dec.finish()


def test_mid_stream_error_event():
    raw = (
        b'data: {"candidates": [{"content": {"parts": [{"text": "Hi"}], "role": "model"}}]}\r\n\r\n'
        b'data: {"error": {"code": 503, "message": "The model is overloaded. Please try again later.", '
        b'"status": "UNAVAILABLE"}}\r\n\r\n'
    )
    dec = GeminiStreamDecoder("gemini", "gemini-2.5-flash")
    chunks = dec.feed(raw)
    assert joined(chunks) == "Hi"  # chunks before the error are handed out first
    with pytest.raises(litegate.ServiceUnavailableError, match="overloaded"):
        dec.finish()


def test_raw_error_object_appended_to_the_stream():
    raw = (
        b'data: {"candidates": [{"content": {"parts": [{"text": "Hi"}], "role": "model"}}]}\r\n\r\n'
        + json.dumps({"error": {"code": 429, "message": "Quota", "status": "RESOURCE_EXHAUSTED"}}, indent=2).encode()
        + b"\n"
    )
    with pytest.raises(litegate.RateLimitError, match="Quota"):
        decode(raw)


@pytest.mark.parametrize(
    "raw",
    [
        b'data: {"candidates": [{"content": {not json\r\n\r\n',
        b"data: [1, 2]\r\n\r\n",
        b'data: {"this": "is not a response"}\r\n\r\n',
        b'{"unterminated": \n',
    ],
)
def test_malformed_streams(raw):
    with pytest.raises(litegate.APIResponseValidationError):
        decode(raw)


def test_comments_and_lf_framing():
    raw = (
        b': keep-alive\n\ndata: {"candidates": [{"content": {"parts": [{"text": "a"}]}, "index": 0}]}\n\n'
        b'data: {"candidates": [{"content": {"parts": [{"text": "b"}]}, "finishReason": "STOP", "index": 0}]}\n\n'
    )
    assert joined(decode(raw)) == "ab"


def test_several_candidates():
    raw = b"".join(
        b"data: " + json.dumps(ev).encode() + b"\r\n\r\n"
        for ev in [
            {
                "candidates": [
                    {"content": {"parts": [{"text": "a"}]}, "index": 0},
                    {"content": {"parts": [{"text": "x"}]}, "index": 1},
                ]
            },
            {
                "candidates": [
                    {"content": {"parts": [{"text": "b"}]}, "index": 0, "finishReason": "STOP"},
                    {"content": {"parts": [{"text": "y"}]}, "index": 1, "finishReason": "MAX_TOKENS"},
                ]
            },
        ]
    )
    chunks = decode(raw)
    rebuilt = stream_chunk_builder(chunks)
    assert [(c.index, c.message.content, c.finish_reason) for c in rebuilt.choices] == [
        (0, "ab", "stop"),
        (1, "xy", "length"),
    ]
