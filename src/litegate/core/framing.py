"""Framing: the byte stream of a streamed response -> framed items, before any dialect reads them.

A framer only knows how items are delimited on the wire; what an item means is the dialect's
business (providers/base.StreamDecoder). So one dialect can be carried by another framing (the
Anthropic Messages events inside AWS event-stream frames on Bedrock) without a copy of its
translation. Each framer gives the same items however the bytes are split into reads.

* :class:`SSEFramer` - Server-Sent Events -> ``(event, data)`` pairs (OpenAI, Anthropic, Cohere, Gemini).
* :class:`NDJSONFramer` - newline-delimited JSON -> one ``bytes`` line per item (Ollama).

An AWS event-stream framer (length-prefixed, CRC-checked binary frames) plugs in the same way.

Cost and limits. Decoding is linear in the bytes received: a partial line is kept as a list of
the reads that make it and joined once, when its newline arrives; each read is searched for a
newline only once. A hostile or broken server cannot make a framer hold unbounded memory or
keep a stream alive without sending anything:

* :data:`MAX_LINE_BYTES` - the longest line (SSE field line or NDJSON line), newline excluded;
* :data:`MAX_EVENT_BYTES` - the most ``data`` one SSE event may carry (its data lines together);
* :data:`MAX_KEEPALIVE_LINES` / :data:`MAX_KEEPALIVE_BYTES` - how many lines (and bytes) may
  arrive in a row without any data: SSE comments (``: ping``), blank lines and ``id:`` /
  ``retry:`` / ``event:`` lines of an SSE stream, blank lines of an NDJSON stream. Keep-alives
  reset a transport's idle timeout, so without this bound a server pinging forever would hold
  the consumer forever without a single chunk.

Going past a limit, or a line that is not UTF-8 where text is needed, raises
``litegate.APIResponseValidationError`` naming the limit. Items framed before the error in the
same read are still returned; the error is raised by the next call, so what a consumer sees
never depends on how the bytes were split.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..exceptions import APIResponseValidationError

if TYPE_CHECKING:
    from typing import TypeVar

    _Item = TypeVar("_Item")

__all__ = [
    "SSEFramer",
    "NDJSONFramer",
    "MAX_LINE_BYTES",
    "MAX_EVENT_BYTES",
    "MAX_KEEPALIVE_LINES",
    "MAX_KEEPALIVE_BYTES",
]

MAX_EVENT_BYTES = 16 * 1024 * 1024  # data of one SSE event (its data lines together)
MAX_LINE_BYTES = 16 * 1024 * 1024  # one line: an SSE field line, or one NDJSON object
MAX_KEEPALIVE_LINES = 2000  # lines in a row without data (about 1000 ``: ping`` + blank line pairs)
MAX_KEEPALIVE_BYTES = 1024 * 1024  # bytes of such lines in a row


def _line_too_long(what: str) -> APIResponseValidationError:
    return APIResponseValidationError(
        message=f"stream {what} is longer than the limit of MAX_LINE_BYTES={MAX_LINE_BYTES} bytes "
        "(litegate.core.framing): the response is not a valid stream"
    )


def _keepalive_error(kind: str, lines: int, size: int) -> APIResponseValidationError:
    return APIResponseValidationError(
        message=f"stream sent only keep-alive {kind} ({lines} lines, {size} bytes in a row without data), "
        f"past the limit of MAX_KEEPALIVE_LINES={MAX_KEEPALIVE_LINES} / "
        f"MAX_KEEPALIVE_BYTES={MAX_KEEPALIVE_BYTES} (litegate.core.framing)"
    )


def _not_utf8(exc: UnicodeDecodeError) -> APIResponseValidationError:
    return APIResponseValidationError(
        message=f"stream sent an SSE line that is not valid UTF-8 ({exc.reason} at byte {exc.start}: "
        f"{exc.object[max(0, exc.start - 20) : exc.start + 20]!r})"
    )


class _Lines:
    """The line buffer both framers share: pieces of an unfinished line are kept in a list and
    joined once, when its newline arrives (linear in the bytes read), never past MAX_LINE_BYTES."""

    __slots__ = ("_parts", "_pending", "_error")

    _parts: list[bytes]  # reads (pieces) of the line not yet ended by a newline
    _pending: int  # their total length
    _error: APIResponseValidationError | None  # raised by the next call

    # how pending pieces of a line are joined (tests count the bytes it copies)
    _join = staticmethod(b"".join)

    def _split(self, chunk: bytes, what: str) -> tuple[list[bytes], bytes] | None:
        """(the complete lines of ``chunk`` - the first joined with what was pending -, the rest),
        or None when ``chunk`` completes no line."""
        if chunk.find(b"\n") < 0:
            if chunk:
                self._pending += len(chunk)
                self._parts.append(chunk)
                if self._pending > MAX_LINE_BYTES:
                    self._error = _line_too_long(what)
                    raise self._error
            return None
        lines = chunk.split(b"\n")
        tail = lines.pop()
        if self._parts:
            self._parts.append(lines[0])
            lines[0] = self._join(self._parts)
            self._parts = []
            if len(lines[0]) > MAX_LINE_BYTES:
                self._pending = 0
                self._error = _line_too_long(what)
                raise self._error
        self._pending = 0
        return lines, tail

    def _defer(self, out: list[_Item], error: APIResponseValidationError) -> list[_Item]:
        """Hand out the items framed before ``error``; it is raised now if there are none, else by
        the next call (so the items never depend on how the bytes were split into reads)."""
        self._error = error
        if out:
            return out
        raise error


class SSEFramer(_Lines):
    """Incremental Server-Sent Events parser: ``feed(bytes)`` -> list of (event, data) pairs."""

    __slots__ = ("_data", "_size", "_event", "_idle", "_idle_bytes")

    def __init__(self) -> None:
        self._parts: list[bytes] = []  # reads (pieces) of the line not yet ended by a newline
        self._pending = 0  # their total length
        self._data: list[str] = []
        self._size = 0  # bytes of data in the current event
        self._event: str | None = None
        self._idle = 0  # lines in a row without data
        self._idle_bytes = 0
        self._error: APIResponseValidationError | None = None

    def feed(self, chunk: bytes) -> list[tuple[str | None, str]]:
        if self._error is not None:
            raise self._error
        split = self._split(chunk, "line")
        if split is None:
            return []
        lines, tail = split
        out: list[tuple[str | None, str]] = []
        # past the first, a line can be too long only when the read itself is
        long = len(chunk) > MAX_LINE_BYTES
        try:
            for line in lines:
                if long and len(line) > MAX_LINE_BYTES:
                    raise _line_too_long("line")
                self._line(line, out)
            if tail:
                self._parts.append(tail)
                self._pending = len(tail)
                if self._pending > MAX_LINE_BYTES:
                    raise _line_too_long("line")
        except UnicodeDecodeError as exc:
            return self._defer(out, _not_utf8(exc))
        except APIResponseValidationError as exc:
            return self._defer(out, exc)
        return out

    def flush(self) -> list[tuple[str | None, str]]:
        """End of input: a last line without newline still counts, and a pending event is sent."""
        if self._error is not None:
            raise self._error
        out: list[tuple[str | None, str]] = []
        try:
            if self._parts:
                line = self._join(self._parts)
                self._parts = []
                self._pending = 0
                if len(line) > MAX_LINE_BYTES:
                    raise _line_too_long("line")
                self._line(line, out)
            self._line(b"", out)
        except UnicodeDecodeError as exc:
            return self._defer(out, _not_utf8(exc))
        except APIResponseValidationError as exc:
            return self._defer(out, exc)
        return out

    def _idle_line(self, line: bytes) -> None:
        """A line that is no data: keep-alive comment, blank line, id/retry/event field. The count
        starts again when an event with data is sent."""
        self._idle += 1
        self._idle_bytes += len(line) + 1
        if self._idle > MAX_KEEPALIVE_LINES or self._idle_bytes > MAX_KEEPALIVE_BYTES:
            raise _keepalive_error("comments", self._idle, self._idle_bytes)

    def _line(self, line: bytes, out: list[tuple[str | None, str]]) -> None:
        if line.endswith(b"\r"):
            line = line[:-1]
        if not line:
            if self._data:
                out.append((self._event, "\n".join(self._data)))
                self._data = []
                self._size = 0
                if self._idle:
                    self._idle = self._idle_bytes = 0
            else:
                self._idle_line(line)
            self._event = None
            return
        if line[0] == 58:  # b":" comment / keep-alive
            self._idle_line(line)
            return
        name, _, value = line.partition(b":")
        if value[:1] == b" ":
            value = value[1:]
        if name == b"data":
            self._size += len(value)
            if self._size > MAX_EVENT_BYTES:
                raise APIResponseValidationError(
                    message=f"stream event is larger than the limit of MAX_EVENT_BYTES={MAX_EVENT_BYTES} bytes "
                    "(litegate.core.framing): the response is not a valid stream"
                )
            self._data.append(value.decode("utf-8"))
            return
        self._idle_line(line)
        if name == b"event":
            self._event = value.decode("utf-8")
        # "id" and "retry" fields carry nothing we use


class NDJSONFramer(_Lines):
    """Newline-delimited JSON: ``feed(bytes)`` -> the complete, non-blank lines (still bytes)."""

    __slots__ = ("_idle", "_idle_bytes")

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._pending = 0
        self._idle = 0  # blank lines in a row
        self._idle_bytes = 0
        self._error: APIResponseValidationError | None = None

    def feed(self, chunk: bytes) -> list[bytes]:
        if self._error is not None:
            raise self._error
        split = self._split(chunk, "NDJSON line")
        if split is None:
            return []
        lines, tail = split
        if len(chunk) > MAX_LINE_BYTES:
            for i, line in enumerate(lines):
                if len(line) > MAX_LINE_BYTES:  # keep the lines before it; raise on the next call
                    self._error = _line_too_long("NDJSON line")
                    del lines[i:]
                    tail = b""
                    break
        out = [line for line in lines if line and not line.isspace()]
        if len(out) < len(lines):  # blank lines: keep-alives, bounded when in a row
            cut = self._count_blank(lines)
            if cut is not None:  # only the lines before the one past the bound count
                out = [line for line in lines[:cut] if line and not line.isspace()]
                tail = b""
        elif out:
            self._idle = self._idle_bytes = 0
        if tail and self._error is None:
            self._parts.append(tail)
            self._pending = len(tail)
            if self._pending > MAX_LINE_BYTES:
                self._error = _line_too_long("NDJSON line")
        if self._error is not None and not out:
            raise self._error
        return out

    def _count_blank(self, lines: list[bytes]) -> int | None:
        """Count blank lines in a row; the index of the one past the bound (error set), else None."""
        for i, line in enumerate(lines):
            if line and not line.isspace():
                self._idle = self._idle_bytes = 0
                continue
            self._idle += 1
            self._idle_bytes += len(line) + 1
            if self._idle > MAX_KEEPALIVE_LINES or self._idle_bytes > MAX_KEEPALIVE_BYTES:
                self._error = _keepalive_error("blank lines", self._idle, self._idle_bytes)
                return i
        return None

    def flush(self) -> list[bytes]:
        if self._error is not None:
            raise self._error
        line = self._join(self._parts) if self._parts else b""
        self.reset()
        return [line] if line and not line.isspace() else []

    def reset(self) -> None:
        self._parts = []
        self._pending = 0
        self._idle = self._idle_bytes = 0
