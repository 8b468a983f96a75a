"""Property: the Gemini stream decoder yields the same chunks however the bytes are split into reads."""

from __future__ import annotations

import pytest
from _gemini_helpers import FIXTURES, VERTEX_FIXTURES, decode, dumps_without_ids
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import litegate
from litegate.providers.gemini import GeminiStreamDecoder


def _complete_streams() -> dict:
    out = {}
    for root, tag in (
        (FIXTURES / "recorded", "gemini"),
        (FIXTURES / "generative-ai-js", "js"),
        (VERTEX_FIXTURES / "recorded", "vertex"),
    ):
        for path in sorted(root.glob("streaming-success-*.txt")):
            data = path.read_bytes()
            if b"finishReason" in data:
                out[f"{tag}/{path.name}"] = data
    return out


DATA = _complete_streams()
# the same transcripts with LF-only line endings (Google sends CRLF; both are valid SSE)
DATA.update({sid + " (lf)": raw.replace(b"\r\n", b"\n") for sid, raw in list(DATA.items())[:4]})
BASELINE = {sid: dumps_without_ids(decode(raw)) for sid, raw in DATA.items()}

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _cuts(size: int):
    return st.lists(st.integers(min_value=0, max_value=size), max_size=40)


@pytest.mark.parametrize("sid", sorted(DATA))
@SETTINGS
@given(data=st.data())
def test_any_split_gives_the_same_chunks(sid, data):
    raw = DATA[sid]
    cuts = data.draw(_cuts(len(raw)))
    assert dumps_without_ids(decode(raw, cuts)) == BASELINE[sid]


@pytest.mark.parametrize("sid", sorted(DATA)[:5])
def test_byte_at_a_time(sid):
    raw = DATA[sid]
    assert dumps_without_ids(decode(raw, list(range(1, len(raw))))) == BASELINE[sid]


def test_multibyte_characters_split_anywhere():
    raw = (VERTEX_FIXTURES / "recorded" / "streaming-success-utf8.txt").read_bytes()
    assert any(b > 127 for b in raw)
    assert dumps_without_ids(decode(raw, list(range(1, len(raw), 3)))) == BASELINE["vertex/streaming-success-utf8.txt"]


ERROR_STREAM = (VERTEX_FIXTURES / "recorded" / "streaming-failure-error-mid-stream.txt").read_bytes()


@SETTINGS
@given(cuts=_cuts(len(ERROR_STREAM)))
def test_appended_error_raises_the_same_way_for_any_split(cuts):
    dec = GeminiStreamDecoder("vertex_ai", "gemini-2.5-flash")
    seen = []
    start = 0
    with pytest.raises(litegate.APIError, match="The operation was cancelled"):
        for cut in sorted(set(cuts)) + [len(ERROR_STREAM)]:
            seen.extend(dec.feed(ERROR_STREAM[start:cut]))
            start = cut
        dec.finish()
    assert "".join(c.choices[0].delta.content or "" for c in seen) == "First Second "


TRUNCATED = (FIXTURES / "recorded" / "streaming-success-thinking-reply-thought-summary.txt").read_bytes()
TRUNCATED = TRUNCATED[: TRUNCATED.rindex(b"data:")]


@SETTINGS
@given(cuts=_cuts(len(TRUNCATED)))
def test_missing_finish_reason_is_detected_for_any_split(cuts):
    with pytest.raises(litegate.APIConnectionError, match="finish reason"):
        decode(TRUNCATED, cuts)
