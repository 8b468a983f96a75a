"""Framing: the byte stream of a streamed response -> framed items, before any dialect reads them.

A framer only knows how items are delimited on the wire; what an item means is the dialect's
business (providers/base.StreamDecoder). So one dialect can be carried by another framing (the
Anthropic Messages events inside AWS event-stream frames on Bedrock) without a copy of its
translation. Each framer gives the same items however the bytes are split into reads.

* :class:`SSEFramer` - Server-Sent Events -> ``(event, data)`` pairs (OpenAI, Anthropic, Cohere, Gemini).
* :class:`NDJSONFramer` - newline-delimited JSON -> one ``bytes`` line per item (Ollama).

An AWS event-stream framer (length-prefixed, CRC-checked binary frames) plugs in the same way.
"""

from __future__ import annotations


class SSEFramer:
    """Incremental Server-Sent Events parser: ``feed(bytes)`` -> list of (event, data) pairs."""

    __slots__ = ("_buf", "_data", "_event")

    def __init__(self) -> None:
        self._buf = b""
        self._data: list[str] = []
        self._event: str | None = None

    def feed(self, chunk: bytes) -> list[tuple[str | None, str]]:
        buf = self._buf + chunk if self._buf else chunk
        if b"\n" not in buf:
            self._buf = buf
            return []
        lines = buf.split(b"\n")
        self._buf = lines.pop()
        out: list[tuple[str | None, str]] = []
        for line in lines:
            self._line(line, out)
        return out

    def flush(self) -> list[tuple[str | None, str]]:
        """End of input: a last line without newline still counts, and a pending event is sent."""
        out: list[tuple[str | None, str]] = []
        if self._buf:
            self._line(self._buf, out)
            self._buf = b""
        self._line(b"", out)
        return out

    def _line(self, line: bytes, out: list) -> None:
        if line.endswith(b"\r"):
            line = line[:-1]
        if not line:
            if self._data:
                out.append((self._event, "\n".join(self._data)))
            self._data = []
            self._event = None
            return
        if line[0] == 58:  # b":" comment / keep-alive
            return
        name, _, value = line.partition(b":")
        if value[:1] == b" ":
            value = value[1:]
        if name == b"data":
            self._data.append(value.decode("utf-8"))
        elif name == b"event":
            self._event = value.decode("utf-8")
        # "id" and "retry" fields carry nothing we use


class NDJSONFramer:
    """Newline-delimited JSON: ``feed(bytes)`` -> the complete, non-blank lines (still bytes)."""

    __slots__ = ("_buf",)

    def __init__(self) -> None:
        self._buf = b""

    def feed(self, chunk: bytes) -> list[bytes]:
        buf = self._buf + chunk if self._buf else chunk
        if b"\n" not in buf:
            self._buf = buf
            return []
        lines = buf.split(b"\n")
        self._buf = lines.pop()
        return [line for line in lines if line.strip()]

    def flush(self) -> list[bytes]:
        line, self._buf = self._buf, b""
        return [line] if line.strip() else []

    def reset(self) -> None:
        self._buf = b""
