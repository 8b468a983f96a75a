"""The AWS event-stream framer: the recorded Bedrock bodies decode to botocore's decoding; any
split of the bytes gives the same messages; corrupt, impossible or oversized frames raise a typed
error at once (never a wait for more bytes)."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from litegate import APIResponseValidationError
from litegate.providers.aws.eventstream import EventStreamFramer, encode_message

EXAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "bedrock" / "examples"
NAMES = ["converse_stream", "converse_stream_throttling_exception", "invoke_model_with_response_stream_anthropic"]


def _load(name):
    raw = (EXAMPLES / f"{name}.eventstream.bin").read_bytes()
    decoded = json.loads((EXAMPLES / f"{name}.decoded.json").read_text())
    return raw, decoded["frames"]


@pytest.mark.parametrize("name", NAMES)
def test_recorded_bodies_decode_like_botocore(name):
    raw, frames = _load(name)
    framer = EventStreamFramer()
    messages = framer.feed(raw)
    assert framer.flush() == []
    assert len(messages) == len(frames)
    for msg, frame in zip(messages, frames, strict=False):
        assert msg.headers == frame["headers"]
        assert json.loads(msg.payload) == frame["payload"]


@pytest.mark.parametrize("name", NAMES)
def test_encoder_reproduces_the_recorded_bytes(name):
    raw, _ = _load(name)
    messages = EventStreamFramer().feed(raw)
    assert b"".join(encode_message(m.headers, m.payload) for m in messages) == raw


def _split_feed(raw: bytes, cuts: list[int]) -> list:
    framer = EventStreamFramer()
    out = []
    prev = 0
    for cut in sorted(set(c % (len(raw) + 1) for c in cuts)) + [len(raw)]:
        out += framer.feed(raw[prev:cut])
        prev = cut
    out += framer.flush()
    return [(m.headers, m.payload) for m in out]


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from(NAMES), cuts=st.lists(st.integers(min_value=0, max_value=5000), max_size=40))
def test_any_split_gives_the_same_messages(name, cuts):
    raw, _ = _load(name)
    whole = [(m.headers, m.payload) for m in EventStreamFramer().feed(raw)]
    assert _split_feed(raw, cuts) == whole


def test_byte_by_byte():
    raw, frames = _load("converse_stream")
    framer = EventStreamFramer()
    got = []
    for i in range(len(raw)):
        got += framer.feed(raw[i : i + 1])
    assert len(got) == len(frames)
    assert framer.pending == 0


@settings(max_examples=100, deadline=None)
@given(position=st.integers(min_value=0, max_value=10_000), bit=st.integers(min_value=0, max_value=7))
def test_any_flipped_bit_is_a_typed_error_never_a_wait(position, bit):
    raw, _ = _load("converse_stream")
    pos = position % len(raw)
    corrupt = bytearray(raw)
    corrupt[pos] ^= 1 << bit
    framer = EventStreamFramer()
    with pytest.raises(APIResponseValidationError):
        got = framer.feed(bytes(corrupt))
        # the messages before the corrupt one come out; the error follows on the next call
        framer.feed(b"")
        pytest.fail(f"no error for a flipped bit at {pos} ({len(got)} messages)")


def test_messages_before_a_corrupt_one_are_kept_and_the_error_follows():
    good = encode_message({":message-type": "event", ":event-type": "a"}, b"{}")
    bad = bytearray(encode_message({":message-type": "event", ":event-type": "b"}, b"{}"))
    bad[-1] ^= 0xFF
    framer = EventStreamFramer()
    out = framer.feed(good + bytes(bad))
    assert [m.event_type for m in out] == ["a"]
    with pytest.raises(APIResponseValidationError, match="CRC"):
        framer.feed(b"")
    with pytest.raises(APIResponseValidationError):
        framer.flush()


def test_an_oversized_frame_is_refused_from_its_prelude():
    prelude = struct.pack(">II", 64 * 1024 * 1024, 0)
    prelude += struct.pack(">I", __import__("zlib").crc32(prelude))
    framer = EventStreamFramer()
    with pytest.raises(APIResponseValidationError, match="MAX_FRAME_BYTES"):
        framer.feed(prelude)  # refused before a single payload byte arrives


def test_impossible_lengths_are_refused():
    import zlib

    for total, hlen in ((8, 0), (20, 10)):
        prelude = struct.pack(">II", total, hlen)
        prelude += struct.pack(">I", zlib.crc32(prelude))
        with pytest.raises(APIResponseValidationError, match="impossible"):
            EventStreamFramer().feed(prelude + b"\0" * 8)


def test_a_cut_stream_leaves_a_partial_frame_for_the_decoder_to_report():
    raw, _ = _load("converse_stream")
    framer = EventStreamFramer()
    out = framer.feed(raw[:-5])
    assert framer.pending > 0
    assert framer.flush() == []
    assert len(out) == 9


def test_header_value_types():
    import uuid

    # int16, int64, timestamp, uuid and bytes headers written by hand (the encoder writes the common ones)
    u = uuid.UUID(int=5)
    hbytes = (
        b"\x01a"
        + b"\x03"
        + struct.pack(">h", -2)
        + b"\x01b"
        + b"\x05"
        + struct.pack(">q", 2**40)
        + b"\x01c"
        + b"\x08"
        + struct.pack(">q", 1700000000000)
        + b"\x01d"
        + b"\x09"
        + u.bytes
        + b"\x01e"
        + b"\x06"
        + struct.pack(">H", 3)
        + b"xyz"
        + b"\x01f\x00"
        + b"\x01g\x02\x07"
    )
    import zlib

    total = 16 + len(hbytes) + 2
    prelude = struct.pack(">II", total, len(hbytes))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    body = prelude + hbytes + b"{}"
    frame = body + struct.pack(">I", zlib.crc32(body))
    (msg,) = EventStreamFramer().feed(frame)
    assert msg.headers == {"a": -2, "b": 2**40, "c": 1700000000000, "d": u.bytes.hex(), "e": b"xyz", "f": True, "g": 7}
