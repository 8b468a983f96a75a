"""Audio results: ``TranscriptionResponse`` (transcription), ``TranscriptionText`` (the plain text of
``response_format`` "text", "srt" and "vtt") and ``HttpxBinaryResponseContent`` (speech audio, file
contents): a binary body read as a stream, never held whole unless the caller asks for it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from typing import Any

from .base import OpenAIObject, _ResponseMixin


class TranscriptionResponse(_ResponseMixin, OpenAIObject):
    """OpenAI's ``Transcription`` / ``TranscriptionVerbose``: ``text``; with verbose_json also
    ``language``, ``duration`` (seconds), ``segments`` and ``words`` (dicts with ``word``,
    ``start``, ``end``); ``usage`` when the model reports it."""

    text: str = ""
    task: str | None = None
    language: str | None = None
    duration: float | None = None
    words: list[dict[str, Any]] | None = None
    segments: list[dict[str, Any]] | None = None
    usage: dict[str, Any] | None = None

    __hidden_when_none__ = frozenset({"task", "language", "duration", "words", "segments", "usage"})


class TranscriptionText(str):
    """The transcript as a ``str`` (``response_format`` "text", "srt" or "vtt"), as the spec
    describes, carrying the call's ``_hidden_params`` like every other answer."""

    _hidden_params: dict[str, Any]

    def __new__(cls, value: str) -> TranscriptionText:
        obj = super().__new__(cls, value)
        obj._hidden_params = {}
        return obj

    @property
    def text(self) -> str:
        return str(self)


class _HttpResponseInfo:
    """``response.http_response``: the status and headers of the answer (the body is the object's)."""

    __slots__ = ("status_code", "headers", "url")

    def __init__(self, status_code: int, headers: Any, url: str):
        self.status_code = status_code
        self.headers = headers
        self.url = url

    def __repr__(self) -> str:
        return f"<http_response {self.status_code}>"


_SPOOL_IN_MEMORY = 1024 * 1024  # async bodies beyond this go to a temporary file
MAX_BINARY_BYTES = 4 * 1024 * 1024 * 1024  # a binary answer larger than this is refused (bounded spool)


class HttpxBinaryResponseContent:
    """A binary answer (speech audio, a file's content), in the openai SDK's shape.

    * sync calls hand out the live response: ``stream_to_file(path)`` and ``iter_bytes()`` copy it
      piece by piece, so a 50 MB body never sits in memory; it can be consumed once.
    * async calls receive the whole body first, kept in memory up to 1 MiB and in a temporary file
      beyond; every method (sync and async) then reads from there, any number of times.

    ``read()`` / ``content`` return the whole body as bytes (in memory: the caller asked for it).
    Use it as a context manager (``with`` / ``async with``) or call ``close()``.
    """

    def __init__(
        self,
        *,
        stream: Any = None,
        content: bytes | None = None,
        status_code: int = 200,
        headers: Any = None,
        url: str = "",
    ):
        self._stream = stream
        self._content = content
        self._spool: Any = None
        self._consumed = False
        self._closed = False
        self._hidden_params: dict[str, Any] = {}
        self.http_response = _HttpResponseInfo(status_code, headers if headers is not None else {}, url)

    # ------------------------------------------------------------------ properties
    @property
    def response(self) -> _HttpResponseInfo:
        return self.http_response

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> Any:
        return self.http_response.headers

    @property
    def response_headers(self) -> Any:
        return self.http_response.headers

    @property
    def content(self) -> bytes:
        return self.read()

    @property
    def text(self) -> str:
        return self.read().decode("utf-8", errors="replace")

    def json(self) -> Any:
        from ..core.jsonutil import loads

        return loads(self.read())

    # ------------------------------------------------------------------ the lifecycle's hooks
    def prime(self) -> HttpxBinaryResponseContent:
        return self

    async def aprime(self) -> HttpxBinaryResponseContent:
        """Receive the whole async body (into the spool) inside the attempt: a failure is retried."""
        stream, self._stream = self._stream, None
        if stream is None:
            return self
        spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)
        total = 0
        try:
            async for piece in (getattr(stream, "aiter_decoded", None) or stream.aiter_bytes)():
                total += len(piece)
                if total > MAX_BINARY_BYTES:
                    from ..exceptions import APIConnectionError

                    raise APIConnectionError(message=f"the binary answer is larger than {MAX_BINARY_BYTES} bytes")
                spool.write(piece)
        except BaseException:
            spool.close()
            raise
        finally:
            await stream.aclose()
        spool.seek(0)
        self._spool = spool
        return self

    # ------------------------------------------------------------------ reading
    def _pieces(self) -> Iterator[bytes]:
        if self._closed:
            raise ValueError("the response is closed")
        if self._content is not None:
            yield self._content
            return
        if self._spool is not None:
            self._spool.seek(0)
            while True:
                piece = self._spool.read(256 * 1024)
                if not piece:
                    return
                yield piece
        if self._stream is None:
            return
        if self._consumed:
            raise ValueError(
                "the response body was already read: a live response can be consumed once (use read() first to keep it)"
            )
        self._consumed = True
        try:  # content-encoding undone (pyreqwest's streams always are; httpx's on request)
            yield from (getattr(self._stream, "iter_decoded", None) or self._stream.iter_bytes)()
        finally:
            self._stream.close()

    def read(self) -> bytes:
        if self._content is None:
            self._content = b"".join(self._pieces())
            if self._spool is not None:
                self._spool.close()
                self._spool = None
        return self._content

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        """The body in pieces of ``chunk_size`` bytes (the last may be shorter); as they come if None."""
        if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size <= 0):
            raise ValueError("chunk_size must be a positive integer")
        if chunk_size is None:
            for piece in self._pieces():
                if piece:
                    yield piece
            return
        buf = bytearray()
        for piece in self._pieces():
            buf += piece
            while len(buf) >= chunk_size:
                yield bytes(buf[:chunk_size])
                del buf[:chunk_size]
        if buf:
            yield bytes(buf)

    def iter_raw(self, chunk_size: int | None = None) -> Iterator[bytes]:
        return self.iter_bytes(chunk_size)

    def stream_to_file(self, file: Any, *, chunk_size: int | None = None) -> None:
        """Write the body to ``file`` (a path) piece by piece."""
        with open(os.fspath(file), "wb") as out:
            for piece in self.iter_bytes(chunk_size):
                out.write(piece)

    def write_to_file(self, file: Any) -> None:
        self.stream_to_file(file)

    async def aread(self) -> bytes:
        return self.read()  # async answers are already received (aprime); reading them does not block

    async def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        for piece in self.iter_bytes(chunk_size):
            yield piece

    async def astream_to_file(self, file: Any, *, chunk_size: int | None = None) -> None:
        self.stream_to_file(file, chunk_size=chunk_size)

    # ------------------------------------------------------------------ closing
    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._stream is not None:
            try:
                self._stream.close()
            except Exception:  # noqa: BLE001 - closing never raises
                pass
        if self._spool is not None:
            self._spool.close()
            self._spool = None

    async def aclose(self) -> None:
        self.close()

    def __enter__(self) -> HttpxBinaryResponseContent:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    async def __aenter__(self) -> HttpxBinaryResponseContent:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001
            pass

    def __repr__(self) -> str:
        return f"<HttpxBinaryResponseContent status={self.status_code}>"


BinaryResponseContent = HttpxBinaryResponseContent

__all__ = ["BinaryResponseContent", "HttpxBinaryResponseContent", "TranscriptionResponse", "TranscriptionText"]
