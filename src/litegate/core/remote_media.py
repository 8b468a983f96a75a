"""Media a request names by URL, downloaded for providers that take only bytes (Bedrock: Converse, and Claude through InvokeModel).

A translator that meets an ``http(s)`` image URL it cannot send as such puts a :class:`Pending`
placeholder in the request body (a dict, so logging the built body still works) and its dialect's
``auth`` returns :class:`FetchFirst` around its own auth flow. On the first attempt the flow
downloads every placeholder's URL with :func:`fetch_flow` -- GET requests yielded as side requests,
so they go through the call's own transport (sync or async, its proxies and TLS settings) -- puts
the bytes in (what the placeholder's ``build`` makes of them), keeps the filled body for the retries
and hands the request to the wrapped flow (which signs the final bytes). Nothing is downloaded
while the request is built: building stays pure.

Bounds of one download (the caller named the URL, but a server can answer anything):

* ``http`` and ``https`` only, also for every redirect; at most :data:`MAX_REDIRECTS` redirects
  (the transport never follows one by itself; this module follows them);
* each request within the call's side-request timeout (``core.auth``: the call's ``timeout``, at
  most 30 s);
* at most :data:`MAX_BYTES` (20 MiB) of image: a larger ``Content-Length`` or body is refused (the
  transport never reads more than ``constants.MAX_RESPONSE_BYTES`` of any body);
* the image must be PNG, JPEG, GIF or WebP, recognised from its first bytes (magic numbers), else
  from its ``Content-Type``.

Credentials in the URL (``https://user:pass@host/...``) are sent as HTTP Basic auth to that host
only (dropped on a redirect to another host), registered as secrets for log redaction, and never
shown: an error names the URL as ``scheme://host/path`` (no user info, no query, which may hold a
signature). Any failure is an ``InputValidationError`` (a ``BadRequestError``) raised before the
provider's request is sent, and it is not retried.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from .auth import Auth, pending_release

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterator

    from .auth import Flow
    from .http import HttpRequest

__all__ = [
    "MAX_BYTES",
    "MAX_REDIRECTS",
    "IMAGE_FORMATS",
    "Media",
    "Pending",
    "FetchFirst",
    "fetch_flow",
    "image_format",
    "is_remote",
    "shown_url",
]

MAX_BYTES = 20 * 1024 * 1024  # largest image downloaded on the caller's behalf
MAX_REDIRECTS = 5
IMAGE_FORMATS = {
    "image/png": "png",
    "image/jpeg": "jpeg",
    "image/jpg": "jpeg",
    "image/pjpeg": "jpeg",
    "image/gif": "gif",
    "image/webp": "webp",
}
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True)
class Media:
    """A downloaded image: its bytes, format (``png``, ``jpeg``, ``gif``, ``webp``) and media type."""

    data: bytes
    format: str
    media_type: str

    @property
    def base64(self) -> str:
        return base64.b64encode(self.data).decode("ascii")


class Pending(dict):  # type: ignore[type-arg]
    """A stand-in for media to download before sending: ``build(media)`` is what replaces it in
    the body. As a dict it shows only the URL's safe form (for logs of the built request)."""

    __slots__ = ("url", "build")

    def __init__(self, url: str, build: Callable[[Media], Any]):
        super().__init__(pending_download=shown_url(url))
        self.url = url
        self.build = build


def is_remote(url: Any) -> bool:
    return isinstance(url, str) and url[:8].lower().startswith(("http://", "https://"))


def shown_url(url: str, limit: int = 120) -> str:
    """``url`` as it may appear in an error or a log: scheme, host, port and path only."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        port = f":{parts.port}" if parts.port else ""
        text = f"{parts.scheme}://{host}{port}{parts.path}"
    except ValueError:
        text = "(an unparseable URL)"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def image_format(data: bytes, content_type: str | None) -> tuple[str, str] | None:
    """(format, media type) of an image, from its first bytes, else from ``content_type``."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg", "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif", "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp", "image/webp"
    media = (content_type or "").split(";", 1)[0].strip().lower()
    fmt = IMAGE_FORMATS.get(media)
    if fmt is None or not data:
        return None
    return fmt, "image/jpeg" if fmt == "jpeg" else media


def _fail(message: str, model: Any) -> Exception:
    from .call import input_error

    return input_error(message, model)


def _target(url: str, model: Any) -> tuple[str, dict[str, str], str]:
    """(URL without user info, headers carrying it as Basic auth, the URL as shown)."""
    shown = shown_url(url)
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise _fail(f"the image URL {shown} is not a valid URL", model) from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise _fail(f"the image URL {shown} is not an http(s) URL", model)
    headers = {"accept": "image/png, image/jpeg, image/gif, image/webp;q=0.9, */*;q=0.1"}
    if "@" in parts.netloc:
        from .redact import register_secret

        user = unquote(parts.username or "")
        password = unquote(parts.password or "")
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        register_secret(password)
        register_secret(token)
        headers["authorization"] = "Basic " + token
        url = urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, parts.query, ""))
    elif parts.fragment:
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
    return url, headers, shown


def fetch_flow(
    url: str, model: Any = None, *, max_bytes: int = MAX_BYTES, max_redirects: int = MAX_REDIRECTS
) -> Generator[HttpRequest, Any, Media]:
    """Download the image at ``url``: yields GET requests (for the flow driver to send), returns a
    :class:`Media`; raises ``InputValidationError`` naming the URL's safe form on any failure."""
    from ..exceptions import LiteLLMException
    from .http import HttpRequest

    current, headers, shown = _target(url, model)
    host = urlsplit(current).hostname
    first = shown
    for _ in range(max_redirects + 1):
        try:
            resp = yield HttpRequest("GET", current, dict(headers))
        except Exception as exc:  # noqa: BLE001 - any failure of the download is the caller's bad input
            location = getattr(exc, "_location", None) if isinstance(exc, LiteLLMException) else None
            if getattr(exc, "status_code", None) not in _REDIRECTS or not location:
                reason = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
                raise _fail(f"could not download the image at {first}: {reason}", model) from None
            current = urljoin(current, location)
            parts = urlsplit(current)
            if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
                raise _fail(
                    f"the image at {first} redirects to a URL that is not http(s) ({parts.scheme or 'no'} scheme)",
                    model,
                ) from None
            if parts.hostname != host:
                headers.pop("authorization", None)  # the URL's credentials are for its own host
                host = parts.hostname
            if parts.fragment:
                current = urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
            continue
        if resp.status_code >= 400:
            raise _fail(f"could not download the image at {first}: HTTP {resp.status_code}", model)
        length = resp.headers.get("content-length")
        data = resp.content
        if (length is not None and length.isdigit() and int(length) > max_bytes) or len(data) > max_bytes:
            raise _fail(
                f"the image at {first} is larger than {max_bytes / (1024 * 1024):g} MiB "
                "(litegate.core.remote_media.MAX_BYTES); pass a smaller image",
                model,
            )
        found = image_format(data, resp.headers.get("content-type"))
        if found is None:
            kind = resp.headers.get("content-type") or "no content-type"
            raise _fail(f"the file at {first} is not a PNG, JPEG, GIF or WebP image ({kind})", model)
        return Media(data, found[0], found[1])
    raise _fail(f"the image at {first} redirects more than {max_redirects} times", model)


def pending(value: Any) -> Iterator[Pending]:
    """Every :class:`Pending` placeholder in a JSON-like body, in order."""
    if isinstance(value, Pending):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from pending(item)
    elif isinstance(value, list):
        for item in value:
            yield from pending(item)


def fill(value: Any, media: dict[str, Media]) -> Any:
    """A copy of the body with each placeholder replaced by what it builds from its download."""
    if isinstance(value, Pending):
        return value.build(media[value.url])
    if isinstance(value, dict):
        return {k: fill(v, media) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, media) for v in value]
    return value


class FetchFirst(Auth):
    """The per-attempt flow of a request with :class:`Pending` media: download them (first attempt
    only; the filled body is kept for retries), then run the wrapped flow, if any, on the filled
    request."""

    def __init__(self, inner: Any, model: Any = None):
        self.inner = inner
        self.model = model
        self._body: Any = None

    def flow(self, request: HttpRequest) -> Flow:
        if self._body is None:
            media: dict[str, Media] = {}
            for placeholder in pending(request.json):
                if placeholder.url not in media:
                    media[placeholder.url] = yield from fetch_flow(placeholder.url, self.model)
            self._body = fill(request.json, media)
        request = replace(request, json=self._body, content=None)
        if self.inner is None:
            return request
        signed: HttpRequest = yield from self.inner.flow(request)
        return signed

    def take_release(self) -> HttpRequest | None:
        return pending_release(self.inner) if self.inner is not None else None
