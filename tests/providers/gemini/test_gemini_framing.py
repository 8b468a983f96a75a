"""The Gemini stream framer (SSE plus the bare JSON Google appends) and the decoder on a given framer."""

from __future__ import annotations

import json

import pytest
from _gemini_helpers import FIXTURES, decode, dumps_without_ids, sse_events, text
from hypothesis import given, settings
from hypothesis import strategies as st

import litegate
from litegate.providers.base import StreamDecoder
from litegate.providers.gemini import GeminiStreamDecoder, GoogleStreamFramer
from litegate.providers.gemini.streaming import RAW_JSON, UNPARSED

ERROR = {"error": {"code": 429, "message": "Quota", "status": "RESOURCE_EXHAUSTED"}}
STREAM = (
    b": keep-alive\r\n\r\n"
    b'data: {"candidates": [{"content": {"parts": [{"text": "Hi"}]}}]}\r\n\r\n'
    b'event: ignored\r\ndata: {"a":\r\ndata: 1}\r\n\r\n' + json.dumps([ERROR], indent=2).encode() + b"\n"
)


def _items(data: bytes, cuts=()) -> list:
    framer = GoogleStreamFramer()
    out, start = [], 0
    for cut in sorted(set(cuts)) + [len(data)]:
        out += framer.feed(data[start:cut])
        start = cut
    return out + framer.flush()


def test_items_are_sse_events_and_bare_json_values():
    assert _items(STREAM) == [
        (None, '{"candidates": [{"content": {"parts": [{"text": "Hi"}]}}]}'),
        ("ignored", '{"a":\n1}'),
        (RAW_JSON, [ERROR]),
    ]


@settings(max_examples=50, deadline=None)
@given(cuts=st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=20))
def test_the_same_items_for_any_split(cuts):
    assert _items(STREAM, cuts) == _items(STREAM)


def test_bare_lines_that_never_parse_are_handed_on_at_the_end():
    assert _items(b'data: {"x": 1}\n\n{"unterminated": \n  "still"\n') == [
        (None, '{"x": 1}'),
        (UNPARSED, '{"unterminated": \n  "still"'),
    ]


def test_the_decoder_is_a_stream_decoder_over_the_google_framer():
    dec = GeminiStreamDecoder("gemini", "gemini-2.5-flash")
    assert isinstance(dec, StreamDecoder) and isinstance(dec._frames, GoogleStreamFramer)


class _OneEventPerRead:
    """A framer for a carrier that delivers each event whole (as an AWS event-stream frame would)."""

    def feed(self, data: bytes) -> list:
        return [(None, data.decode())]

    def flush(self) -> list:
        return []


def test_the_decoder_reads_items_from_the_framer_it_is_given():
    raw = text("recorded/streaming-success-basic-reply-short.txt")
    dec = GeminiStreamDecoder("gemini", "gemini-2.5-flash", True, framer=_OneEventPerRead())
    chunks = []
    for event in sse_events(raw):
        chunks += dec.feed(json.dumps(event).encode())
    chunks += dec.finish()
    assert dumps_without_ids(chunks) == dumps_without_ids(decode(raw.encode()))


def test_stream_end_rule_with_any_framer():
    dec = GeminiStreamDecoder("gemini", "gemini-2.5-flash", framer=_OneEventPerRead())
    dec.feed(b'{"candidates": [{"content": {"parts": [{"text": "cut"}]}}]}')
    with pytest.raises(litegate.APIConnectionError, match="ended before a finish reason"):
        dec.finish()


def test_an_error_after_chunks_of_the_same_read_is_raised_by_the_next_call():
    data = (FIXTURES / "recorded" / "streaming-success-basic-reply-short.txt").read_bytes()
    head = data[: data.rindex(b"data:")]
    dec = GeminiStreamDecoder("gemini", "gemini-2.5-flash")
    chunks = dec.feed(head + json.dumps(ERROR).encode() + b"\n")
    assert chunks and "".join(c.choices[0].delta.content or "" for c in chunks) == "The capital of Wyoming"
    with pytest.raises(litegate.RateLimitError, match="Quota"):
        dec.feed(b"")
