"""AWS event-stream binary framing (``application/vnd.amazon.eventstream``).

Every message is length-prefixed and checksummed (all integers big-endian)::

    [4B total length][4B headers length][4B prelude CRC32 of the 8 bytes before]
    [headers: repeated {1B name length, name, 1B value type, value}]
    [payload: total - headers - 16 bytes]
    [4B message CRC32 of everything before it]

Header value types: 0 true, 1 false, 2 byte, 3 int16, 4 int32, 5 int64, 6 bytes (2B length),
7 string (2B length), 8 timestamp (int64 ms), 9 uuid (16 bytes).

:class:`EventStreamFramer` turns bytes, split anywhere, into :class:`EventMessage` items. Both
CRCs are verified; a frame shorter than its fixed parts, longer than :data:`MAX_FRAME_BYTES`, with
headers that overrun it or a checksum that does not match raises ``APIResponseValidationError``
(never a wait for bytes that cannot come). Memory is bounded by one frame. Messages framed before
an error in the same read are returned first; the error is raised by the next call, as the other
framers do (core/framing.py). :func:`encode_message` writes a message (tests, the fake server).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Mapping
from typing import Any

from ...exceptions import APIResponseValidationError

__all__ = [
    "EventMessage",
    "EventStreamFramer",
    "encode_message",
    "MAX_FRAME_BYTES",
    "stream_exception",
    "EXCEPTION_STATUS",
]

MAX_FRAME_BYTES = 16 * 1024 * 1024  # one message, prelude to CRC (AWS's own limit is 16 MiB)
_PRELUDE = 12
_MIN_FRAME = 16
_PRELUDE_FMT = struct.Struct(">III")
_CRC_FMT = struct.Struct(">I")


class EventMessage:
    """One decoded message: its headers (``:message-type``, ``:event-type`` ...) and payload bytes."""

    __slots__ = ("headers", "payload")

    def __init__(self, headers: dict[str, Any], payload: bytes):
        self.headers = headers
        self.payload = payload

    @property
    def message_type(self) -> str:
        return str(self.headers.get(":message-type") or "event")

    @property
    def event_type(self) -> str:
        return str(
            self.headers.get(":event-type")
            or self.headers.get(":exception-type")
            or self.headers.get(":error-code")
            or ""
        )

    def __repr__(self) -> str:
        return f"EventMessage({self.message_type}:{self.event_type}, {len(self.payload)} bytes)"


def _bad(message: str) -> APIResponseValidationError:
    return APIResponseValidationError(message=f"event stream: {message} (litegate.providers.aws.eventstream)")


_FIXED = {2: 1, 3: 2, 4: 4, 5: 8, 8: 8, 9: 16}
_INTS = {2: ">b", 3: ">h", 4: ">i", 5: ">q", 8: ">q"}


def _headers(raw: bytes) -> dict[str, Any]:
    out: dict[str, Any] = {}
    pos, end = 0, len(raw)
    while pos < end:
        size = raw[pos]
        pos += 1
        if pos + size + 1 > end:
            raise _bad("a header name runs past the headers")
        name = raw[pos : pos + size].decode("utf-8", "replace")
        pos += size
        kind = raw[pos]
        pos += 1
        if kind in (0, 1):
            value: Any = kind == 0
        elif kind in _FIXED:
            width = _FIXED[kind]
            if pos + width > end:
                raise _bad(f"header {name!r} runs past the headers")
            chunk = raw[pos : pos + width]
            value = chunk.hex() if kind == 9 else struct.unpack(_INTS[kind], chunk)[0]
            pos += width
        elif kind in (6, 7):
            if pos + 2 > end:
                raise _bad(f"header {name!r} runs past the headers")
            (length,) = struct.unpack(">H", raw[pos : pos + 2])
            pos += 2
            if pos + length > end:
                raise _bad(f"header {name!r} runs past the headers")
            chunk = raw[pos : pos + length]
            value = chunk.decode("utf-8", "replace") if kind == 7 else bytes(chunk)
            pos += length
        else:
            raise _bad(f"header {name!r} has an unknown value type {kind}")
        out[name] = value
    return out


class EventStreamFramer:
    """Bytes -> :class:`EventMessage` items, whatever the read boundaries."""

    __slots__ = ("_buf", "_error", "max_frame", "_seen")

    def __init__(self, max_frame: int = MAX_FRAME_BYTES) -> None:
        self._seen: dict[bytes, dict[str, Any]] = {}  # header blocks already parsed
        self._buf = bytearray()
        self._error: APIResponseValidationError | None = None
        self.max_frame = max_frame

    def feed(self, data: bytes) -> list[EventMessage]:
        if self._error is not None:
            raise self._error
        buf = self._buf
        buf += data
        out: list[EventMessage] = []
        pos = 0
        size = len(buf)
        view = memoryview(buf)  # slices of it are not copies (released before the buffer changes)
        crc32 = zlib.crc32
        try:
            while size - pos >= _PRELUDE:
                total, hlen, pcrc = _PRELUDE_FMT.unpack_from(buf, pos)
                if crc32(view[pos : pos + 8]) != pcrc:
                    raise _bad("prelude CRC mismatch (corrupt or not an event stream)")
                if total < _MIN_FRAME or hlen > total - _MIN_FRAME:
                    raise _bad(f"impossible frame lengths (total {total}, headers {hlen})")
                if total > self.max_frame:
                    raise _bad(f"a frame of {total} bytes is larger than the limit of MAX_FRAME_BYTES={self.max_frame}")
                if size - pos < total:
                    break
                end = pos + total
                (mcrc,) = _CRC_FMT.unpack_from(buf, end - 4)
                if crc32(view[pos : end - 4]) != mcrc:
                    raise _bad("message CRC mismatch (corrupt frame)")
                start = pos + _PRELUDE
                raw = bytes(view[start : start + hlen])
                headers = self._seen.get(raw)
                if headers is None:
                    headers = _headers(raw)
                    if len(self._seen) < 64:  # the same few header blocks repeat in every stream
                        self._seen[raw] = headers
                out.append(EventMessage(dict(headers), bytes(view[start + hlen : end - 4])))
                pos = end
        except APIResponseValidationError as exc:
            view.release()
            self._error = exc
            del buf[:]
            if out:
                return out
            raise
        view.release()
        if pos:
            del buf[:pos]
        return out

    def flush(self) -> list[EventMessage]:
        """End of input. A partial frame left over is a cut stream: the decoder's completeness
        rule reports it (nothing more to frame)."""
        if self._error is not None:
            raise self._error
        self._buf = bytearray()
        return []

    @property
    def pending(self) -> int:
        return len(self._buf)


def _encode_header(name: str, value: Any) -> bytes:
    raw = name.encode("utf-8")
    head = bytes([len(raw)]) + raw
    if value is True:
        return head + b"\x00"
    if value is False:
        return head + b"\x01"
    if isinstance(value, int):
        return head + b"\x04" + struct.pack(">i", value)
    if isinstance(value, (bytes, bytearray)):
        return head + b"\x06" + struct.pack(">H", len(value)) + bytes(value)
    text = str(value).encode("utf-8")
    return head + b"\x07" + struct.pack(">H", len(text)) + text


def encode_message(headers: Mapping[str, Any], payload: bytes) -> bytes:
    """One event-stream message (string, bytes, int32 and bool header values)."""
    hbytes = b"".join(_encode_header(k, v) for k, v in headers.items())
    total = _MIN_FRAME + len(hbytes) + len(payload)
    prelude = struct.pack(">II", total, len(hbytes))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    body = prelude + hbytes + payload
    return body + struct.pack(">I", zlib.crc32(body))


# HTTP status of each modeled in-stream exception (bedrock-runtime and sagemaker-runtime service
# models), so that one met inside a stream is classified like the same error sent as a response
EXCEPTION_STATUS = {
    "internalServerException": 500,
    "modelStreamErrorException": 424,
    "validationException": 400,
    "throttlingException": 429,
    "serviceUnavailableException": 503,
    "modelTimeoutException": 408,
    "ModelStreamError": 424,
    "InternalStreamFailure": 500,
}


def stream_exception(msg: EventMessage, provider: str, model: str) -> Exception:
    """The litegate exception for an ``exception`` / ``error`` message of an event stream: the
    message is read as the rest-json error it stands for (``x-amzn-ErrorType`` + ``{"message"}``)."""
    from ...core.errors import exception_from_response
    from ...core.http import Headers, HttpResponse
    from ...core.jsonutil import dumps, loads

    name = msg.event_type or "InternalServerException"
    try:
        body = loads(msg.payload) if msg.payload else {}
    except ValueError:
        body = {}
    text = None
    if isinstance(body, dict):
        text = body.get("message") or body.get("Message")
    if not text:
        text = str(msg.headers.get(":error-message") or name)
    aws_name = name[:1].upper() + name[1:]
    resp = HttpResponse(
        EXCEPTION_STATUS.get(name, 500),
        Headers({"x-amzn-errortype": aws_name, "content-type": "application/json"}),
        dumps({"message": text}),
    )
    return exception_from_response(resp, llm_provider=provider, model=model)
