"""Hardening of the stream framers (core/framing.py, the Gemini framer, StreamDecoder):

* decoding copies O(total bytes), never the whole buffer per read (was quadratic);
* a line / an event larger than the documented limit raises ``APIResponseValidationError``
  naming the limit, however the bytes are split (was: unbounded buffering, then MemoryError);
* a stream of keep-alive comments (or blank lines) without data ends with
  ``APIResponseValidationError`` after a bound (was: forever, each ping resetting the idle timeout);
* bytes that are not UTF-8 raise ``APIResponseValidationError`` (was: a raw ``UnicodeDecodeError``).
"""

from __future__ import annotations

import pytest

import litegate
from litegate.core import framing
from litegate.core.framing import NDJSONFramer, SSEFramer
from litegate.providers.base import StreamDecoder
from litegate.providers.gemini import streaming as gemini_streaming
from litegate.providers.gemini.streaming import GeminiStreamDecoder, GoogleStreamFramer
from litegate.providers.ollama import OllamaStreamDecoder
from litegate.providers.openai import OpenAIStreamDecoder

MiB = 1024 * 1024


# --------------------------------------------------------------------------- linear copying


class _Counted(bytes):
    """A read whose concatenations are counted: ``buf + read`` (the old framers) lands in
    ``__radd__``/``__add__``; the framers' ``_join`` hook is counted by the subclasses below."""

    copied = [0]

    def __add__(self, other):
        _Counted.copied[0] += len(self) + len(other)
        return bytes.__add__(bytes(self), bytes(other))

    def __radd__(self, other):
        _Counted.copied[0] += len(self) + len(other)
        return bytes.__add__(bytes(other), bytes(self))


def _counting(cls):
    class Counting(cls):
        __slots__ = ()

        @staticmethod
        def _join(parts):
            _Counted.copied[0] += sum(len(p) for p in parts)
            return b"".join(parts)

    return Counting


@pytest.mark.parametrize("cls", [SSEFramer, NDJSONFramer, GoogleStreamFramer])
def test_partial_line_is_copied_linearly_not_per_read(cls):
    """A 1 MiB line arriving in 2,048 reads of 512 bytes: the old framers copied the whole buffer
    on every read (``self._buf + chunk``), about 1 GiB of copying; now each byte is joined once."""
    framer = _counting(cls)()
    _Counted.copied[0] = 0
    head = b"data: " if cls is not NDJSONFramer else b""
    piece = b"x" * 512
    total = 0
    assert framer.feed(_Counted(head)) == []
    for _ in range(2048):
        assert framer.feed(_Counted(piece)) == []
        total += len(piece)
    items = framer.feed(_Counted(b"\n\n"))
    items += framer.flush()
    assert len(items) == 1
    assert _Counted.copied[0] <= 2 * (total + len(head) + 2), _Counted.copied[0]


def test_many_events_in_one_read_copy_linearly():
    framer = _counting(SSEFramer)()
    _Counted.copied[0] = 0
    body = b"".join(b'data: {"i": %d}\n\n' % i for i in range(5000))
    items = []
    for i in range(0, len(body), 100):  # reads that end mid-line
        items += framer.feed(_Counted(body[i : i + 100]))
    items += framer.flush()
    assert [d for _, d in items] == ['{"i": %d}' % i for i in range(5000)]
    assert _Counted.copied[0] <= 2 * len(body)


# --------------------------------------------------------------------------- size limits


def test_limits_are_documented_module_constants():
    assert framing.MAX_LINE_BYTES == 16 * MiB
    assert framing.MAX_EVENT_BYTES == 16 * MiB
    assert "MAX_LINE_BYTES" in framing.__doc__ and "MAX_KEEPALIVE_LINES" in framing.__doc__


@pytest.mark.parametrize("cls", [SSEFramer, NDJSONFramer, GoogleStreamFramer])
def test_line_without_newline_past_the_real_limit_raises(cls):
    """17 MiB without a newline, in 1 MiB reads: an APIResponseValidationError naming the limit as
    soon as the pending line passes 16 MiB (not unbounded buffering, not MemoryError)."""
    framer = cls()
    block = b"data: " + b"y" * (MiB - 6) if cls is not NDJSONFramer else b"y" * MiB
    with pytest.raises(litegate.APIResponseValidationError, match="MAX_LINE_BYTES"):
        for i in range(17):
            framer.feed(block if i == 0 else b"y" * MiB)
    assert i == 16  # raised on the read that went past 16 MiB, not before
    assert framer._pending <= 17 * MiB
    with pytest.raises(litegate.APIResponseValidationError):  # and it stays failed
        framer.feed(b"\n\n")


@pytest.mark.parametrize("cut", [None, 1, 7, 99, 100, 101])
def test_line_limit_does_not_depend_on_the_split(monkeypatch, cut):
    monkeypatch.setattr(framing, "MAX_LINE_BYTES", 100)

    def run(data: bytes, cls=SSEFramer):
        framer = cls()
        step = cut or len(data)
        out = []
        for i in range(0, len(data), step):
            out += framer.feed(data[i : i + step])
        return out + framer.flush()

    ok = b"data: " + b"a" * 94 + b"\n\n"  # a line of exactly 100 bytes
    assert run(ok) == [(None, "a" * 94)]
    with pytest.raises(litegate.APIResponseValidationError, match="MAX_LINE_BYTES"):
        run(b"data: " + b"a" * 95 + b"\n\n")
    assert run(b"b" * 100 + b"\n", NDJSONFramer) == [b"b" * 100]
    with pytest.raises(litegate.APIResponseValidationError, match="MAX_LINE_BYTES"):
        run(b"b" * 101 + b"\n", NDJSONFramer)


def test_event_of_many_data_lines_past_the_limit_raises(monkeypatch):
    monkeypatch.setattr(framing, "MAX_EVENT_BYTES", 1000)
    framer = SSEFramer()
    assert framer.feed(b"data: " + b"z" * 500 + b"\n" + b"data: " + b"z" * 500 + b"\n\n") == [
        (None, "z" * 500 + "\n" + "z" * 500)
    ]
    with pytest.raises(litegate.APIResponseValidationError, match="MAX_EVENT_BYTES"):
        for _ in range(3):
            framer.feed(b"data: " + b"z" * 400 + b"\n")


def test_items_before_an_error_in_the_same_read_are_kept_then_it_raises(monkeypatch):
    monkeypatch.setattr(framing, "MAX_LINE_BYTES", 50)
    framer = SSEFramer()
    assert framer.feed(b"data: one\n\n" + b"data: " + b"x" * 60 + b"\n") == [(None, "one")]
    with pytest.raises(litegate.APIResponseValidationError, match="MAX_LINE_BYTES"):
        framer.feed(b"\n")
    with pytest.raises(litegate.APIResponseValidationError):
        framer.flush()


def test_decoder_error_from_the_framer_names_provider_and_model(monkeypatch):
    monkeypatch.setattr(framing, "MAX_LINE_BYTES", 50)
    dec = OpenAIStreamDecoder("openai", "gpt-4o-mini")
    with pytest.raises(litegate.APIResponseValidationError) as info:
        dec.feed(b"data: " + b"x" * 60)
    assert info.value.llm_provider == "openai" and info.value.model == "gpt-4o-mini"


# --------------------------------------------------------------------------- keep-alives


def test_endless_keepalive_comments_end_the_stream():
    """``: ping`` forever used to reset the idle timeout forever with no chunk."""
    dec = OpenAIStreamDecoder("openai", "gpt-4o-mini")
    with pytest.raises(litegate.APIResponseValidationError, match="only keep-alive") as info:
        for _ in range(5000):
            assert dec.feed(b": ping\n\n") == []
    assert "MAX_KEEPALIVE_LINES" in str(info.value)
    assert info.value.llm_provider == "openai"


def test_keepalive_bound_counts_only_lines_in_a_row_without_data():
    framer = SSEFramer()
    for i in range(5):
        for _ in range(framing.MAX_KEEPALIVE_LINES // 2 - 1):  # a little below the bound, then an event
            framer.feed(b": OPENROUTER PROCESSING\n\n")
        assert framer.feed(b'data: {"i": %d}\n\n' % i) == [(None, '{"i": %d}' % i)]


def test_big_keepalive_comments_are_bounded_by_bytes():
    framer = SSEFramer()
    comment = b": " + b"p" * 10_000 + b"\n"
    with pytest.raises(litegate.APIResponseValidationError, match="MAX_KEEPALIVE_BYTES"):
        for _ in range(framing.MAX_KEEPALIVE_BYTES // len(comment) + 2):
            framer.feed(comment)


def test_endless_blank_lines_end_an_ndjson_stream():
    framer = NDJSONFramer()
    with pytest.raises(litegate.APIResponseValidationError, match="only keep-alive"):
        for _ in range(framing.MAX_KEEPALIVE_LINES + 10):
            framer.feed(b"\n")
    framer = NDJSONFramer()
    for _ in range(3):
        for _ in range(framing.MAX_KEEPALIVE_LINES - 1):
            framer.feed(b" \n")
        assert framer.feed(b"{}\n") == [b"{}"]


# --------------------------------------------------------------------------- invalid UTF-8


@pytest.mark.parametrize("data", [b'data: {"a": "\xff\xfe"}\n\n', b"event: \xc3\x28\ndata: {}\n\n"])
def test_sse_bytes_that_are_not_utf8_raise_validation_error(data):
    for split in (None, 1, 3):
        framer = SSEFramer()
        with pytest.raises(litegate.APIResponseValidationError, match="UTF-8") as info:
            step = split or len(data)
            for i in range(0, len(data), step):
                framer.feed(data[i : i + step])
            framer.flush()
        assert not isinstance(info.value, UnicodeDecodeError)


def test_openai_stream_with_invalid_utf8_raises_validation_error_after_earlier_chunks():
    dec = OpenAIStreamDecoder("openai", "gpt-4o-mini")
    good = (
        b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":'
        b'[{"index":0,"delta":{"role":"assistant","content":"hi"},"finish_reason":null}]}\n\n'
    )
    out = dec.feed(good + b'data: {"x": "\x80"}\n\n')
    assert len(out) == 1
    with pytest.raises(litegate.APIResponseValidationError) as info:
        dec.feed(b"")
    assert info.value.llm_provider == "openai"


def test_ndjson_line_that_is_not_utf8_raises_validation_error():
    dec = OllamaStreamDecoder("ollama_chat", "m", chat=True)
    with pytest.raises(litegate.APIResponseValidationError):
        dec.feed(b'{"message": {"role": "assistant", "content": "\xff"}, "done": false}\n')


def test_a_dialect_decoding_text_itself_gets_validation_error_not_unicode_error():
    class TextDecoder(StreamDecoder):
        __slots__ = ()
        framing = NDJSONFramer

        def _convert_into(self, items, out):
            for line in items:
                out.append(line.decode("utf-8"))

    dec = TextDecoder("custom", "m")
    assert dec.feed(b"ok\n") == ["ok"]
    with pytest.raises(litegate.APIResponseValidationError, match="UTF-8") as info:
        dec.feed(b"bad \xff\n")
    assert info.value.llm_provider == "custom"


# --------------------------------------------------------------------------- Gemini bare lines


def test_gemini_bare_lines_are_not_reparsed_on_every_line(monkeypatch):
    """Bare (non-SSE) lines were joined and parsed again on every line: quadratic."""
    calls = [0]
    real = gemini_streaming.loads

    def counting(text):
        calls[0] += 1
        return real(text)

    monkeypatch.setattr(gemini_streaming, "loads", counting)
    framer = GoogleStreamFramer()
    lines = [b"{", b'  "error": {', b'    "code": 429,']
    lines += [b'    "k%d": "v",' % i for i in range(300)]
    lines += [b'    "message": "slow down"', b"  }", b"}"]
    items = framer.feed(b"\n".join(lines) + b"\n")
    assert len(items) == 1 and items[0][0] is gemini_streaming.RAW_JSON
    assert items[0][1]["error"]["code"] == 429
    assert calls[0] <= 3  # the first line, "  }" and "}" - not one parse per line


def test_gemini_bare_lines_are_bounded():
    framer = GoogleStreamFramer()
    with pytest.raises(litegate.APIResponseValidationError, match="MAX_RAW_JSON"):
        framer.feed(b"[\n" + b"1,\n" * (gemini_streaming.MAX_RAW_JSON_LINES + 5))


def test_gemini_pretty_error_still_raises_the_mapped_error():
    dec = GeminiStreamDecoder("gemini", "gemini-2.0-flash")
    body = (
        b'[{\n  "error": {\n    "code": 429,\n    "message": "Resource exhausted",\n'
        b'    "status": "RESOURCE_EXHAUSTED"\n  }\n}\n]\n'
    )
    with pytest.raises(litegate.RateLimitError):
        for i in range(len(body)):
            dec.feed(body[i : i + 1])
        dec.finish()


# --------------------------------------------------------------------------- split-independence


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_SSE_LINES = st.sampled_from(
    [
        b"data: a",
        b"data: " + b"b" * 30,
        b": ping",
        b"",
        b"event: e",
        b"id: 1",
        b"data: " + b"c" * 70,
        b"data: \xff",
        b"x" * 45,
    ]
)
_ND_LINES = st.sampled_from([b"{}", b"", b" ", b'{"a": 1}', b"d" * 70, b"e" * 40])


def _frame(cls, data: bytes, cuts: list[int]):
    framer = cls()
    bounds = [0] + sorted(set(c for c in cuts if 0 < c < len(data))) + [len(data)]
    out: list = []
    try:
        for a, b in zip(bounds, bounds[1:], strict=False):
            out += framer.feed(data[a:b])
        out += framer.flush()
    except litegate.APIResponseValidationError as exc:
        return out, str(exc).split(":")[1][:30]
    return out, None


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_limits_give_the_same_items_and_error_however_the_bytes_are_split(data):
    limits = {"MAX_LINE_BYTES": 60, "MAX_EVENT_BYTES": 80, "MAX_KEEPALIVE_LINES": 6, "MAX_KEEPALIVE_BYTES": 60}
    saved = {k: getattr(framing, k) for k in limits}
    try:
        for k, v in limits.items():
            setattr(framing, k, v)
        for cls, lines in ((SSEFramer, _SSE_LINES), (NDJSONFramer, _ND_LINES), (GoogleStreamFramer, _SSE_LINES)):
            raw = b"\n".join(data.draw(st.lists(lines, max_size=30))) + data.draw(st.sampled_from([b"", b"\n"]))
            whole = _frame(cls, raw, [])
            assert _frame(cls, raw, data.draw(st.lists(st.integers(0, len(raw)), max_size=12))) == whole
            assert _frame(cls, raw, list(range(len(raw)))) == whole
    finally:
        for k, v in saved.items():
            setattr(framing, k, v)
