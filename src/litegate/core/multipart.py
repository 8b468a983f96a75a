"""multipart/form-data bodies streamed from their sources (audio files, Files API uploads).

A :class:`MultipartBody` is built once per call (pure: sizes are read, nothing is sent) and is
iterated afresh on every attempt, so retries resend the same bytes. Files are read in
``CHUNK`` pieces from disk (a path is opened per attempt; an open file is rewound to where it
stood when the call was made); only form fields and part headers are held in memory. The body
knows its length up front, so it goes out with a ``content-length`` on every transport
(pyreqwest and httpx take it as a byte iterator, sync or async).
"""

from __future__ import annotations

import mimetypes
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing import IO

CHUNK = 256 * 1024


def _quote(value: str) -> str:
    """A name or filename inside a Content-Disposition header (WHATWG form encoding)."""
    return value.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


@dataclass(slots=True, repr=False)
class FilePart:
    """One file field. ``source`` is bytes, a filesystem path (str), or an open binary file whose
    data starts at ``start``; ``size`` is the number of bytes it contributes."""

    name: str
    filename: str
    content_type: str
    source: bytes | bytearray | memoryview | str | IO[bytes]
    size: int
    start: int = 0

    def __repr__(self) -> str:  # never the content (callbacks and logs see this)
        return (
            f"FilePart({self.name!r}, filename={self.filename!r}, content_type={self.content_type!r}, size={self.size})"
        )

    def head(self, n: int) -> bytes:
        """The first ``n`` bytes of the content (an open file is left where it stood)."""
        src = self.source
        if isinstance(src, (bytes, bytearray, memoryview)):
            return bytes(src[:n])
        if isinstance(src, str):
            with open(src, "rb") as fh:
                return fh.read(n)
        src.seek(self.start)
        try:
            return src.read(min(n, self.size))
        finally:
            src.seek(self.start)

    def pieces(self) -> Iterator[bytes]:
        src = self.source
        if isinstance(src, (bytes, bytearray, memoryview)):
            view = memoryview(src)
            for i in range(0, len(view), CHUNK):
                yield bytes(view[i : i + CHUNK])
            return
        if isinstance(src, str):
            with open(src, "rb") as fh:
                yield from self._read(fh)
            return
        src.seek(self.start)
        yield from self._read(src)

    def _read(self, fh: IO[bytes]) -> Iterator[bytes]:
        left = self.size
        while left > 0:
            piece = fh.read(min(CHUNK, left))
            if not piece:
                break
            left -= len(piece)
            yield piece
        if left:
            from ..exceptions import APIConnectionError

            raise APIConnectionError(
                message=f"the file {self.filename!r} became shorter while it was being sent ({left} bytes missing)"
            )


def guess_type(filename: str) -> str:
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


class MultipartBody:
    """A multipart/form-data body: plain ``fields`` (name, text) then ``files``."""

    __slots__ = ("boundary", "fields", "files", "_heads", "_tail", "length")

    def __init__(self, fields: list[tuple[str, str]], files: list[FilePart]):
        self.boundary = "litegate-" + uuid.uuid4().hex
        self.fields = fields
        self.files = files
        b = self.boundary
        head = b""
        for name, value in fields:
            head += (
                f'--{b}\r\nContent-Disposition: form-data; name="{_quote(name)}"\r\n\r\n'.encode()
                + value.encode("utf-8")
                + b"\r\n"
            )
        heads = []
        for part in files:
            heads.append(
                head
                + (
                    f'--{b}\r\nContent-Disposition: form-data; name="{_quote(part.name)}"; '
                    f'filename="{_quote(part.filename)}"\r\nContent-Type: {part.content_type}\r\n\r\n'
                ).encode()
            )
            head = b"\r\n"
        self._heads = heads
        self._tail = head + f"--{b}--\r\n".encode()
        self.length = sum(len(h) for h in heads) + sum(p.size for p in files) + len(self._tail)

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def chunks(self) -> Iterator[bytes]:
        """The body, from the start (one fresh iterator per attempt)."""
        for head, part in zip(self._heads, self.files, strict=False):
            yield head
            yield from part.pieces()
        yield self._tail

    async def achunks(self) -> AsyncIterator[bytes]:
        """The same bytes for async clients (disk reads are short and local)."""
        for piece in self.chunks():
            yield piece

    def __bytes__(self) -> bytes:  # small bodies in tests and logs
        return b"".join(self.chunks())


def file_part(name: str, value: Any, where: str, model: Any) -> FilePart:
    """A validated :class:`FilePart` from what a caller passed as a file: an open binary file, a
    path, bytes, or a ``(filename, content[, content_type])`` tuple. Bad input raises a litegate
    input error before any request."""
    from .call import input_error

    filename: str | None = None
    content_type: str | None = None
    if isinstance(value, tuple):
        if not 2 <= len(value) <= 4 or not isinstance(value[0], (str, type(None))):
            raise input_error(
                f"{where} as a tuple must be (filename, content) or (filename, content, content_type)",
                model,
                type_error=True,
            )
        filename = value[0]
        if len(value) >= 3 and value[2] is not None:
            if not isinstance(value[2], str):
                raise input_error(f"{where}: the content type must be a string", model, type_error=True)
            content_type = value[2]
        value = value[1]
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        size = len(value)
        source: Any = bytes(value) if isinstance(value, memoryview) else value
        start = 0
        filename = filename or "file"
    elif isinstance(value, str):
        if os.path.isdir(value):
            raise input_error(f"{where}: {value!r} is a directory, not a file", model)
        if not os.path.isfile(value):
            raise input_error(f"{where}: no such file: {value!r}", model)
        if not os.access(value, os.R_OK):
            raise input_error(f"{where}: the file {value!r} cannot be read", model)
        size = os.path.getsize(value)
        source, start = value, 0
        filename = filename or os.path.basename(value)
    elif hasattr(value, "read"):
        mode = getattr(value, "mode", "rb")
        if getattr(value, "closed", False):
            raise input_error(f"{where}: the file is closed", model)
        if isinstance(mode, str) and "b" not in mode:
            raise input_error(f"{where}: open the file in binary mode ('rb'), not {mode!r}", model, type_error=True)
        path = getattr(value, "name", None)
        filename = filename or (os.path.basename(path) if isinstance(path, str) else "file")
        try:
            seekable = value.seekable()
        except Exception:  # noqa: BLE001 - objects without seekable(): treat as a stream
            seekable = False
        if seekable:
            start = value.tell()
            size = value.seek(0, os.SEEK_END) - start
            value.seek(start)
            source = value
        else:  # a pipe or socket: it can only be read once, so it is read now (bounded)
            data = value.read(_MAX_UNSEEKABLE + 1)
            if not isinstance(data, (bytes, bytearray)):
                raise input_error(f"{where}: the file must be opened in binary mode", model, type_error=True)
            if len(data) > _MAX_UNSEEKABLE:
                raise input_error(
                    f"{where}: a file that cannot be rewound is read into memory, up to "
                    f"{_MAX_UNSEEKABLE} bytes; save it to disk and pass the path",
                    model,
                )
            source, size, start = bytes(data), len(data), 0
    else:
        raise input_error(
            f"{where} must be an open binary file, a path, bytes or a (filename, bytes, content_type) "
            f"tuple, got {type(value).__name__}",
            model,
            type_error=True,
        )
    if size <= 0:
        raise input_error(f"{where} is empty", model)
    return FilePart(name, filename, content_type or guess_type(filename), source, size, start)


_MAX_UNSEEKABLE = 64 * 1024 * 1024

__all__ = ["CHUNK", "FilePart", "MultipartBody", "file_part", "guess_type"]
