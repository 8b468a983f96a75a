"""Plain values that cross the seam between providers (pure translators) and the transport.

Providers build an :class:`HttpRequest` and read an :class:`HttpResponse`; only the transport
touches sockets. Nothing here imports an HTTP library.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    from typing import TypeVar

    from .multipart import MultipartBody

    _T = TypeVar("_T")


@dataclass(slots=True)
class HttpRequest:
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    json: Any = None  # encoded by the transport when ``content`` is None
    content: bytes | None = None
    params: dict[str, str] | None = None
    # multipart uploads: {"field": (filename, bytes, content_type)}; plain form fields in ``data``
    files: dict[str, Any] | None = None
    data: dict[str, Any] | None = None
    # a streamed body: ``content_type``, ``length``, ``chunks()``, ``achunks()``; iterated afresh
    # on every attempt
    body: MultipartBody | None = None


class Headers(dict[str, str]):
    """Case-insensitive, read-mostly header mapping (keys stored lower-case)."""

    __slots__ = ()

    def __init__(self, items: Any = ()):  # accepts a mapping or an iterable of pairs
        super().__init__()
        if isinstance(items, Mapping):
            items = items.items()
        for k, v in items:
            if isinstance(k, bytes):
                k = k.decode("latin-1")
            if isinstance(v, bytes):
                v = v.decode("latin-1")
            super().__setitem__(k.lower(), v)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    @overload
    def get(self, key: str, default: None = None) -> str | None: ...
    @overload
    def get(self, key: str, default: str) -> str: ...
    @overload
    def get(self, key: str, default: _T) -> str | _T: ...
    def get(self, key: str, default: object = None) -> object:
        return super().get(key.lower(), default)


@dataclass(slots=True)
class HttpResponse:
    status_code: int
    headers: Headers
    content: bytes
    url: str = ""

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        from .jsonutil import loads

        return loads(self.content)
