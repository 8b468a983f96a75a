"""The only place that does network I/O.

One pooled ``httpx.Client`` per transport for sync calls, and one ``httpx.AsyncClient`` per event
loop for async calls (an async client is never reused across loops: its connections belong to the
loop that opened them). httpx is imported on first use, not at ``import litegate``.

Backend errors become litegate exceptions here (``Timeout``, ``APIConnectionError``); the pipeline
fills in provider and model. Every path that fails after a response was opened closes it, so no
connection is left checked out of the pool.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any, AsyncIterator, Iterator

from .. import constants as C
from .http import HttpRequest, HttpResponse
from .jsonutil import dumps

_httpx: Any = None


def _lib() -> Any:
    global _httpx
    if _httpx is None:
        import httpx

        _httpx = httpx
    return _httpx


_timeouts: dict = {}


def make_timeout(timeout: Any, read: float | None = None) -> Any:
    """Split one number into connect / read / write / pool timeouts (httpx.Timeout passes through)."""
    key = (timeout, read)
    cached = _timeouts.get(key) if isinstance(timeout, (int, float)) else None
    if cached is not None:
        return cached
    httpx = _lib()
    if isinstance(timeout, httpx.Timeout):
        return timeout
    total = float(timeout)
    if len(_timeouts) > 256:
        _timeouts.clear()
    value = _timeouts[key] = httpx.Timeout(
        total if read is None else float(read),
        connect=min(total, C.DEFAULT_CONNECT_TIMEOUT),
        write=total,
        pool=min(total, C.DEFAULT_POOL_TIMEOUT),
    )
    return value


def _body(req: HttpRequest) -> dict:
    if req.content is not None:
        return {"content": req.content}
    if req.files is not None:
        return {"files": req.files, "data": req.data}
    if req.json is not None:
        return {"content": dumps(req.json)}
    if req.data is not None:
        return {"data": req.data}
    return {}


def _headers(req: HttpRequest) -> dict:
    if req.json is not None and req.content is None and req.files is None:
        h = {"content-type": "application/json"}
        h.update(req.headers)
        return h
    return req.headers


def translate_error(exc: BaseException, url: str = "") -> Exception:
    """Map a backend exception to Timeout / APIConnectionError (provider and model unset)."""
    from ..exceptions import APIConnectionError, Timeout

    httpx = _lib()
    where = f" ({_safe_url(url)})" if url else ""
    if isinstance(exc, httpx.TimeoutException):
        kind = type(exc).__name__
        return Timeout(message=f"Request timed out{where}: {kind}")
    if isinstance(exc, (httpx.TransportError, OSError)):
        return APIConnectionError(message=f"Connection error{where}: {type(exc).__name__}: {exc}")
    return exc  # type: ignore[return-value]


def _safe_url(url: str) -> str:
    # never echo query strings (some providers take ?key=...)
    return url.split("?", 1)[0]


class SyncStream:
    """An open streaming response. Iterate ``iter_bytes()``; always ``close()`` (idempotent)."""

    __slots__ = ("status_code", "headers", "_resp", "_closed", "url")

    def __init__(self, resp: Any, url: str):
        self._resp = resp
        self.status_code: int = resp.status_code
        self.headers = resp.headers  # httpx.Headers: case-insensitive already
        self._closed = False
        self.url = url

    def iter_bytes(self) -> Iterator[bytes]:
        try:
            for piece in self._resp.iter_raw():
                if piece:
                    yield piece
        except Exception as exc:  # noqa: BLE001 - translated, then re-raised
            self.close()
            raise translate_error(exc, self.url) from exc

    def read(self) -> bytes:
        try:
            return self._resp.read()
        except Exception as exc:  # noqa: BLE001
            raise translate_error(exc, self.url) from exc
        finally:
            self.close()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            try:
                self._resp.close()
            except Exception:  # noqa: BLE001 - closing must never raise
                pass


class AsyncStream:
    __slots__ = ("status_code", "headers", "_resp", "_closed", "url")

    def __init__(self, resp: Any, url: str):
        self._resp = resp
        self.status_code: int = resp.status_code
        self.headers = resp.headers  # httpx.Headers: case-insensitive already
        self._closed = False
        self.url = url

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        try:
            async for piece in self._resp.aiter_raw():
                if piece:
                    yield piece
        except Exception as exc:  # noqa: BLE001
            await self.aclose()
            raise translate_error(exc, self.url) from exc

    async def aread(self) -> bytes:
        try:
            return await self._resp.aread()
        except Exception as exc:  # noqa: BLE001
            raise translate_error(exc, self.url) from exc
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            try:
                await self._resp.aclose()
            except Exception:  # noqa: BLE001
                pass

    @property
    def closed(self) -> bool:
        return self._closed


class Transport:
    """Pooled HTTP for sync and async calls. Thread-safe; one async client per event loop."""

    def __init__(self, *, verify: Any = True, proxy: str | None = None, http2: bool = False):
        self._verify = verify
        self._proxy = proxy
        self._lock = threading.Lock()
        self._sync: Any = None
        self._async: "weakref.WeakKeyDictionary[Any, Any]" = weakref.WeakKeyDictionary()

    # ---------------------------------------------------------------- clients
    def _limits(self) -> Any:
        return _lib().Limits(
            max_connections=C.MAX_CONNECTIONS,
            max_keepalive_connections=C.MAX_KEEPALIVE_CONNECTIONS,
            keepalive_expiry=C.KEEPALIVE_EXPIRY,
        )

    def sync_client(self) -> Any:
        client = self._sync
        if client is None:
            with self._lock:
                if self._sync is None:
                    self._sync = _lib().Client(
                        limits=self._limits(), verify=self._verify, proxy=self._proxy, follow_redirects=False
                    )
                client = self._sync
        return client

    def async_client(self) -> Any:
        import asyncio

        loop = asyncio.get_running_loop()
        client = self._async.get(loop)
        if client is None or client.is_closed:
            client = _lib().AsyncClient(
                limits=self._limits(), verify=self._verify, proxy=self._proxy, follow_redirects=False
            )
            self._async[loop] = client
        return client

    # ---------------------------------------------------------------- sync
    def send(self, req: HttpRequest, timeout: Any) -> HttpResponse:
        client = self.sync_client()
        try:
            r = client.request(
                req.method, req.url, headers=_headers(req), params=req.params, timeout=timeout, **_body(req)
            )
        except Exception as exc:  # noqa: BLE001
            raise translate_error(exc, req.url) from exc
        return HttpResponse(r.status_code, r.headers, r.content, req.url)

    def open_stream(self, req: HttpRequest, timeout: Any) -> SyncStream:
        client = self.sync_client()
        try:
            request = client.build_request(
                req.method, req.url, headers=_headers(req), params=req.params, timeout=timeout, **_body(req)
            )
            resp = client.send(request, stream=True)
        except Exception as exc:  # noqa: BLE001
            raise translate_error(exc, req.url) from exc
        return SyncStream(resp, req.url)

    # ---------------------------------------------------------------- async
    async def asend(self, req: HttpRequest, timeout: Any) -> HttpResponse:
        client = self.async_client()
        try:
            r = await client.request(
                req.method, req.url, headers=_headers(req), params=req.params, timeout=timeout, **_body(req)
            )
        except Exception as exc:  # noqa: BLE001
            raise translate_error(exc, req.url) from exc
        return HttpResponse(r.status_code, r.headers, r.content, req.url)

    async def aopen_stream(self, req: HttpRequest, timeout: Any) -> AsyncStream:
        client = self.async_client()
        try:
            request = client.build_request(
                req.method, req.url, headers=_headers(req), params=req.params, timeout=timeout, **_body(req)
            )
            resp = await client.send(request, stream=True)
        except Exception as exc:  # noqa: BLE001
            raise translate_error(exc, req.url) from exc
        return AsyncStream(resp, req.url)

    # ---------------------------------------------------------------- lifecycle
    def close(self) -> None:
        with self._lock:
            client, self._sync = self._sync, None
        if client is not None:
            client.close()

    async def aclose(self) -> None:
        import asyncio

        loop = asyncio.get_running_loop()
        client = self._async.pop(loop, None)
        if client is not None:
            await client.aclose()


_default: Transport | None = None
_default_lock = threading.Lock()


def default_transport() -> Transport:
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Transport()
    return _default
