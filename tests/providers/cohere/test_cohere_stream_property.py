"""Property: the Cohere stream decoder yields the same chunks however the bytes are split into reads
(documented streams, the fake server's streams, CRLF framing, errors and truncation included)."""

from __future__ import annotations

import json

import pytest
from _cohere_helpers import MODEL, decode, dumps_without_created, sse_bytes, sse_files
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import litegate
from litegate.providers.cohere import CohereStreamDecoder
from litegate.testing.cohere_server import FakeCohereServer, _Plan


def _fake_stream(**plan_fields) -> bytes:
    """A stream as the fake server renders it (thinking, tool plan, calls, text with citations, logprobs)."""
    plan = _Plan()
    for k, v in plan_fields.items():
        setattr(plan, k, v)
    plan.usage = {"billed_units": {"input_tokens": 5, "output_tokens": 9}}
    return b"".join(FakeCohereServer()._events(plan, "fake-id"))


FAKE = {
    "fake: thinking + text + citation + logprobs": _fake_stream(
        thinking="Let me think \u00e9\u00e8 \U0001f600.",
        text="Emperor penguins are the tallest.",
        citations=[
            {
                "start": 0,
                "end": 7,
                "text": "Emperor",
                "type": "TEXT_CONTENT",
                "sources": [{"type": "document", "id": "doc:0", "document": {"id": "doc:0", "text": "x"}}],
            }
        ],
        logprobs=True,
    ),
    "fake: tool plan + parallel calls": _fake_stream(
        tool_plan="I will call both tools.",
        finish_reason="TOOL_CALL",
        calls=[
            ("get_weather_1", "get_weather", json.dumps({"location": "Z\u00fcrich"})),
            ("get_time_2", "get_time", json.dumps({"location": "Oslo", "tz": [1, 2]})),
        ],
    ),
}
STREAMS = {f"documented: {n}": sse_bytes(n) for n in sse_files()}
STREAMS.update(FAKE)
# the same transcripts with CRLF line endings (allowed by the SSE format)
STREAMS.update({sid + " (crlf)": raw.replace(b"\n", b"\r\n") for sid, raw in list(STREAMS.items())[:3]})
BASELINE = {sid: dumps_without_created(decode(raw)) for sid, raw in STREAMS.items()}

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _cuts(size: int):
    return st.lists(st.integers(min_value=0, max_value=size), max_size=40)


@pytest.mark.parametrize("sid", sorted(STREAMS))
@SETTINGS
@given(data=st.data())
def test_any_split_gives_the_same_chunks(sid, data):
    raw = STREAMS[sid]
    cuts = data.draw(_cuts(len(raw)))
    assert dumps_without_created(decode(raw, cuts)) == BASELINE[sid]


@pytest.mark.parametrize("sid", sorted(STREAMS)[:4])
def test_byte_at_a_time(sid):
    raw = STREAMS[sid]
    assert dumps_without_created(decode(raw, list(range(1, len(raw))))) == BASELINE[sid]


ERROR_STREAM = sse_bytes("v2_chat__02_default.sse").split(b"event: message-end")[0] + (
    b'event: message-end\ndata: {"type":"message-end","delta":{"finish_reason":"ERROR","error":"model failed"}}\n\n'
)


@SETTINGS
@given(cuts=_cuts(len(ERROR_STREAM)))
def test_error_end_raises_the_same_way_for_any_split(cuts):
    dec = CohereStreamDecoder(MODEL)
    seen = []
    start = 0
    with pytest.raises(litegate.InternalServerError, match="model failed"):
        for cut in sorted(set(cuts)) + [len(ERROR_STREAM)]:
            seen.extend(dec.feed(ERROR_STREAM[start:cut]))
            start = cut
        dec.finish()
    assert "".join(c.choices[0].delta.content or "" for c in seen).startswith("LLMs stand for")
    assert all(c.choices[0].finish_reason is None for c in seen)


TRUNCATED = sse_bytes("v2_chat__06_tools.sse").split(b"event: message-end")[0]


@SETTINGS
@given(cuts=_cuts(len(TRUNCATED)))
def test_missing_message_end_is_detected_for_any_split(cuts):
    with pytest.raises(litegate.APIConnectionError, match="message-end"):
        decode(TRUNCATED, cuts)
