"""Property: the Anthropic stream decoder yields the same chunks however the bytes are split into reads."""

from __future__ import annotations

import pytest
from _anthropic_helpers import FIXTURES, all_streams, decode, dumps_without_created
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import litegate
from litegate.providers.anthropic import AnthropicStreamDecoder

STREAMS = all_streams()
# the same transcripts with CRLF line endings (allowed by the SSE format)
STREAMS += [(sid + " (crlf)", text.replace("\n", "\r\n")) for sid, text in STREAMS[:4]]
DATA = {sid: text.encode("utf-8") for sid, text in STREAMS}
BASELINE = {sid: dumps_without_created(decode(data)) for sid, data in DATA.items()}

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _cuts(size: int):
    return st.lists(st.integers(min_value=0, max_value=size), max_size=40)


@pytest.mark.parametrize("sid", sorted(DATA))
@SETTINGS
@given(data=st.data())
def test_any_split_gives_the_same_chunks(sid, data):
    raw = DATA[sid]
    cuts = data.draw(_cuts(len(raw)))
    assert dumps_without_created(decode(raw, cuts)) == BASELINE[sid]


@pytest.mark.parametrize("sid", sorted(DATA)[:6])
def test_byte_at_a_time(sid):
    raw = DATA[sid]
    assert dumps_without_created(decode(raw, list(range(1, len(raw))))) == BASELINE[sid]


ERROR_STREAM = (FIXTURES / "errors" / "stream_error_event.sse").read_bytes()


@SETTINGS
@given(cuts=_cuts(len(ERROR_STREAM)))
def test_error_event_raises_the_same_way_for_any_split(cuts):
    dec = AnthropicStreamDecoder("claude-sonnet-4-5")
    seen = []
    start = 0
    with pytest.raises(litegate.ServiceUnavailableError, match="Overloaded"):
        for cut in sorted(set(cuts)) + [len(ERROR_STREAM)]:
            seen.extend(dec.feed(ERROR_STREAM[start:cut]))
            start = cut
        dec.finish()
    assert [c.choices[0].delta.role for c in seen] == ["assistant"]


TRUNCATED = (FIXTURES / "sse" / "tool_use_response.txt").read_bytes().split(b"event: message_stop")[0]


@SETTINGS
@given(cuts=_cuts(len(TRUNCATED)))
def test_missing_message_stop_is_detected_for_any_split(cuts):
    with pytest.raises(litegate.APIConnectionError, match="message_stop"):
        decode(TRUNCATED, cuts)
