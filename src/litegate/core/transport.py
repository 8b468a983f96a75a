"""The only place that does network I/O.

Two backends behind one small interface (``send`` / ``open_stream`` / ``asend`` /
``aopen_stream`` / ``close`` / ``aclose``), chosen by measurement (docs/TRANSPORT.md):

* ``pyreqwest`` (default on Python >= 3.11): a Rust HTTP client. One pooled client per process
  serves every thread and every event loop; about 5x less CPU per call than httpx and tens of
  times its async throughput.
* ``httpx`` (fallback: Python 3.10, a process forked after pyreqwest started, or on request):
  one pooled ``httpx.Client`` for sync calls and one ``httpx.AsyncClient`` per event loop.
* ``aiohttp`` (optional extra): async calls only, one ``ClientSession`` per event loop. The default
  transport hands its async calls to it (to httpx without aiohttp), because pyreqwest cannot
  abandon a request when its task is cancelled.

None is imported at ``import litegate``. Backend errors become litegate exceptions here
(``Timeout``, ``APIConnectionError``); the pipeline fills in provider and model. Every path that
fails after a response was opened closes it, so no connection stays checked out of the pool.
"""

from __future__ import annotations

import os
import sys
import threading
import weakref
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator
from time import monotonic
from typing import TYPE_CHECKING, Any, cast

from .. import constants as C
from .http import HttpRequest, HttpResponse
from .jsonutil import dumps

if TYPE_CHECKING:
    from collections.abc import Awaitable
    from typing import Literal, Protocol, TypeAlias

    from ..exceptions import APIConnectionError, Timeout

    # What the lifecycle asks of a transport and of the streams it opens (see BaseTransport).

    class SyncStream(Protocol):
        """An opened response, read as it arrives (sync calls)."""

        status_code: int
        url: str
        headers: Any  # the backend's case-insensitive header mapping

        def iter_bytes(self) -> Iterator[bytes]: ...

        def read(self) -> bytes: ...

        def close(self) -> None: ...

    class AsyncStream(Protocol):
        """An opened response, read as it arrives (async calls)."""

        status_code: int
        url: str
        headers: Any

        def aiter_bytes(self) -> AsyncIterator[bytes]: ...

        async def aread(self) -> bytes: ...

        async def aclose(self) -> None: ...

    class HttpTransport(Protocol):
        """Any object with these methods serves as a transport (``Client(transport=...)``)."""

        def send(self, request: HttpRequest, timeout: Timeouts, /) -> HttpResponse: ...

        def open_stream(self, request: HttpRequest, timeout: Timeouts, /) -> SyncStream: ...

        async def asend(self, request: HttpRequest, timeout: Timeouts, /) -> HttpResponse: ...

        async def aopen_stream(self, request: HttpRequest, timeout: Timeouts, /) -> AsyncStream: ...

        def close(self) -> None: ...

        async def aclose(self) -> None: ...

    # the transports Transport() makes
    Backend: TypeAlias = "ReqwestTransport | HttpxTransport | AiohttpTransport"

    # what a MockTransport handler returns (an async handler: an awaitable of it)
    MockAnswer: TypeAlias = "MockResponse | HttpResponse | dict[str, Any]"


# ---------------------------------------------------------------------------------- timeouts
class Timeouts:
    """Per-attempt timeouts: ``total`` for a whole non-stream attempt, ``read`` = longest wait
    between two reads (stream idle), ``connect`` and ``pool`` capped by the total."""

    __slots__ = ("total", "read", "connect", "pool", "_cache")

    def __init__(
        self, total: float, read: float | None = None, connect: float | None = None, pool: float | None = None
    ):
        self.total = total
        self.read = total if read is None else read
        self.connect = min(total, C.DEFAULT_CONNECT_TIMEOUT) if connect is None else connect
        self.pool = min(total, C.DEFAULT_POOL_TIMEOUT) if pool is None else pool
        self._cache: dict[str, Any] = {}

    def converted(self, kind: str, make: Callable[[Timeouts], Any]) -> Any:
        """A backend's own timeout object, built once per Timeouts value."""
        value = self._cache.get(kind)
        if value is None:
            value = self._cache[kind] = make(self)
        return value

    def __repr__(self) -> str:
        return f"Timeouts(total={self.total}, read={self.read}, connect={self.connect}, pool={self.pool})"


_timeouts: dict[tuple[float, float | None], Timeouts] = {}


def make_timeout(timeout: Any, read: float | None = None) -> Timeouts:
    """One number (seconds) or an ``httpx.Timeout``-like object -> :class:`Timeouts` (cached)."""
    if isinstance(timeout, (int, float)):
        key = (timeout, read)
        cached = _timeouts.get(key)
        if cached is not None:
            return cached
        if len(_timeouts) > 256:
            _timeouts.clear()
        value = _timeouts[key] = Timeouts(float(timeout), None if read is None else float(read))
        return value
    if isinstance(timeout, Timeouts):
        return timeout
    # httpx.Timeout or anything with the same attributes
    rd = getattr(timeout, "read", None)
    total = (
        max(x for x in (rd, getattr(timeout, "write", None), getattr(timeout, "connect", None), 600.0) if x is not None)
        if rd is None
        else rd
    )
    return Timeouts(
        float(total),
        float(read if read is not None else rd or total),
        getattr(timeout, "connect", None),
        getattr(timeout, "pool", None),
    )


def _safe_url(url: str) -> str:
    # never echo query strings (some providers take ?key=...)
    return url.split("?", 1)[0]


def _errors() -> tuple[type[APIConnectionError], type[Timeout]]:
    from ..exceptions import APIConnectionError, Timeout

    return APIConnectionError, Timeout


# ---------------------------------------------------------------------- shared checks
_PHASES = {
    "connect": "connect timeout: no connection to the server within {s:g} s",
    "pool": "pool timeout: no free pooled connection within {s:g} s",
    "write": "write timeout: the request could not be sent within {s:g} s",
    "read": "read timeout: the server sent nothing for {s:g} s",
    "total": "total timeout: the attempt did not finish within {s:g} s",
}


def _timeout_error(url: str, phase: str, timeout: Timeouts, detail: str = "") -> Exception:
    """A litegate ``Timeout`` that names the phase that ran out (connect, pool, write, read, total)."""
    _, Timeout = _errors()
    seconds = {"connect": timeout.connect, "pool": timeout.pool, "read": timeout.read}.get(phase, timeout.total)
    where = f" ({_safe_url(url)})" if url else ""
    text = _PHASES[phase].format(s=seconds)
    return Timeout(message=f"Request timed out{where}: {text}{f' ({detail})' if detail else ''}")


def _too_large(url: str, limit: int) -> Exception:
    from ..exceptions import APIResponseValidationError

    return APIResponseValidationError(
        message=f"the response body from {_safe_url(url)} is larger than the {limit:,}-byte limit "
        f"(litegate.constants.MAX_RESPONSE_BYTES, after content decoding); the connection was closed"
    )


def _redirect_error(status: int, headers: Any, url: str) -> Exception:
    """A 3xx answer as an ``APIError`` with that status; litegate never follows redirects. Only the
    target's host is named: a Location's path and query may carry secrets."""
    from urllib.parse import urlsplit

    from ..exceptions import APIError

    location = ""
    try:
        location = headers.get("location") or ""
    except Exception:  # noqa: BLE001 - a header we cannot read is a missing one
        pass
    try:
        host = urlsplit(location).hostname or (urlsplit(url).hostname if location else None)
    except ValueError:
        host = None
    target = f" to {host}" if host else " without a Location"
    exc = APIError(
        status_code=status,
        message=f"the server answered a redirect (HTTP {status}{target}); litegate does not follow redirects",
    )
    exc._location = location  # type: ignore[attr-defined]  # for callers that follow redirects themselves (core/remote_media.py)
    return exc


def _is_redirect(status: int) -> bool:
    return 300 <= status < 400


def _body_bytes(req: HttpRequest) -> bytes | None:
    if req.content is not None:
        return req.content
    if req.json is not None:
        try:
            return dumps(req.json)
        except (TypeError, ValueError, RecursionError) as exc:  # e.g. an object inside a message
            from .call import input_error

            raise input_error(
                f"the request body cannot be sent as JSON: {type(exc).__name__}: {str(exc)[:200]}",
                None,
                type_error=True,
            ) from None
    return None


def _headers(req: HttpRequest) -> dict[str, str]:
    if req.body is not None:
        h = {"content-type": req.body.content_type, "content-length": str(req.body.length)}
        h.update(req.headers)
        return h
    if req.json is not None and req.content is None and req.files is None:
        h = {"content-type": "application/json"}
        h.update(req.headers)
        return h
    return req.headers


# ======================================================================================= httpx
_httpx: Any = None


def _lib() -> Any:
    global _httpx
    if _httpx is None:
        import httpx

        _httpx = httpx
    return _httpx


def _httpx_timeout(t: Timeouts) -> Any:
    return _lib().Timeout(t.read, connect=t.connect, write=t.total, pool=t.pool)


def _httpx_error(
    exc: BaseException,
    url: str = "",
    timeout: Timeouts | None = None,
    started: float | None = None,
    stream: bool = True,
    head: bool = True,
) -> BaseException:
    """``stream``: read timeouts are idle timeouts; otherwise (a non-stream attempt) the read timeout
    is the remaining total, so running out of it is the total deadline."""
    APIConnectionError, Timeout = _errors()
    httpx = _lib()
    where = f" ({_safe_url(url)})" if url else ""
    if isinstance(exc, httpx.TimeoutException):
        if timeout is None:
            return Timeout(message=f"Request timed out{where}: {type(exc).__name__}")
        if isinstance(exc, httpx.ConnectTimeout):
            phase = "connect"
        elif isinstance(exc, httpx.PoolTimeout):
            phase = "pool"
        elif isinstance(exc, httpx.WriteTimeout):
            phase = "write"
        else:
            phase = "read" if stream else "total"
        if not stream and started is not None and monotonic() - started >= timeout.total * 0.95:
            phase = "total"
        return _timeout_error(url, phase, timeout, "" if head else "waiting for the response headers")
    # InvalidURL: a redirect whose Location httpx cannot parse (it reads every redirect's Location)
    if isinstance(exc, (httpx.TransportError, httpx.HTTPError, httpx.InvalidURL, OSError)):
        return APIConnectionError(message=f"Connection error{where}: {type(exc).__name__}: {exc}")
    return exc  # not a network error: the caller raises it as it is


def _httpx_body(req: HttpRequest, is_async: bool = False) -> dict[str, Any]:
    if req.body is not None:  # streamed (from disk), one fresh iterator per attempt
        return {"content": req.body.achunks() if is_async else req.body.chunks()}
    if req.files is not None:
        return {"files": req.files, "data": req.data}
    body = _body_bytes(req)
    if body is not None:
        return {"content": body}
    if req.data is not None:
        return {"data": req.data}
    return {}


class _HttpxSyncStream:
    __slots__ = ("status_code", "headers", "_resp", "_closed", "url", "_timeout")

    def __init__(self, resp: Any, url: str, timeout: Timeouts | None = None):
        self._timeout = timeout
        self._resp = resp
        self.status_code: int = resp.status_code
        self.headers = resp.headers  # httpx.Headers: case-insensitive
        self._closed = False
        self.url = url

    def iter_bytes(self) -> Iterator[bytes]:
        return self._pieces(self._resp.iter_raw)

    def iter_decoded(self) -> Iterator[bytes]:
        """The body with its content-encoding undone (binary answers: audio, file contents)."""
        return self._pieces(self._resp.iter_bytes)

    def _pieces(self, source: Any) -> Iterator[bytes]:
        try:
            for piece in source():
                if piece:
                    yield piece
        except Exception as exc:  # noqa: BLE001 - translated, then re-raised
            self.close()
            raise _httpx_error(exc, self.url, self._timeout) from exc

    def read(self) -> bytes:
        """The whole (decoded) body, at most ``MAX_RESPONSE_BYTES``; e.g. an error answer."""
        try:
            return _httpx_read_bounded(self._resp, self.url, idle=self._timeout)
        finally:
            self.close()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            try:
                self._resp.close()
            except Exception:  # noqa: BLE001 - closing must never raise
                pass


class _HttpxAsyncStream:
    __slots__ = ("status_code", "headers", "_resp", "_closed", "url", "_timeout")

    def __init__(self, resp: Any, url: str, timeout: Timeouts | None = None):
        self._timeout = timeout
        self._resp = resp
        self.status_code: int = resp.status_code
        self.headers = resp.headers
        self._closed = False
        self.url = url

    def aiter_bytes(self) -> AsyncIterator[bytes]:
        return self._pieces(self._resp.aiter_raw)

    def aiter_decoded(self) -> AsyncIterator[bytes]:
        """The body with its content-encoding undone (binary answers: audio, file contents)."""
        return self._pieces(self._resp.aiter_bytes)

    async def _pieces(self, source: Any) -> AsyncIterator[bytes]:
        try:
            async for piece in source():
                if piece:
                    yield piece
        except Exception as exc:  # noqa: BLE001
            await self.aclose()
            raise _httpx_error(exc, self.url, self._timeout) from exc

    async def aread(self) -> bytes:
        try:
            return await _httpx_aread_bounded(self._resp, self.url, idle=self._timeout)
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


def _httpx_read_bounded(
    resp: Any,
    url: str,
    timeout: Timeouts | None = None,
    started: float = 0.0,
    request: Any = None,
    idle: Timeouts | None = None,
) -> bytes:
    """Read a response's decoded body piece by piece: at most ``MAX_RESPONSE_BYTES`` (then
    ``APIResponseValidationError``) and, with ``timeout``, within its total deadline: before each read
    the read timeout httpcore applies is cut down to the time left (it looks it up per read)."""
    limit = C.MAX_RESPONSE_BYTES
    parts: list[bytes] = []
    size = 0
    deadline = started + timeout.total if timeout is not None else None
    total = cast("Timeouts", timeout)  # read only while there is a deadline: set then
    tdict = request.extensions.get("timeout") if request is not None else None
    try:
        if deadline is not None:
            _cut_read_timeout(tdict, deadline, url, total)
        for piece in resp.iter_bytes():
            size += len(piece)
            if size > limit:
                raise _too_large(url, limit)
            parts.append(piece)
            if deadline is not None:
                _cut_read_timeout(tdict, deadline, url, total)
    except _lib().HTTPError as exc:
        raise _httpx_error(exc, url, timeout or idle, started, stream=deadline is None) from exc
    except OSError as exc:
        raise _httpx_error(exc, url) from exc
    return b"".join(parts)


async def _httpx_aread_bounded(
    resp: Any,
    url: str,
    timeout: Timeouts | None = None,
    started: float = 0.0,
    request: Any = None,
    idle: Timeouts | None = None,
) -> bytes:
    limit = C.MAX_RESPONSE_BYTES
    parts: list[bytes] = []
    size = 0
    deadline = started + timeout.total if timeout is not None else None
    total = cast("Timeouts", timeout)  # read only while there is a deadline: set then
    tdict = request.extensions.get("timeout") if request is not None else None
    try:
        if deadline is not None:
            _cut_read_timeout(tdict, deadline, url, total)
        async for piece in resp.aiter_bytes():
            size += len(piece)
            if size > limit:
                raise _too_large(url, limit)
            parts.append(piece)
            if deadline is not None:
                _cut_read_timeout(tdict, deadline, url, total)
    except _lib().HTTPError as exc:
        raise _httpx_error(exc, url, timeout or idle, started, stream=deadline is None) from exc
    except OSError as exc:
        raise _httpx_error(exc, url) from exc
    return b"".join(parts)


def _cut_read_timeout(tdict: Any, deadline: float, url: str, timeout: Timeouts) -> None:
    left = deadline - monotonic()
    if left <= 0:
        raise _timeout_error(url, "total", timeout, "reading the response body")
    if tdict is not None:
        current = tdict.get("read")
        if current is None or current > left:
            tdict["read"] = left


def _httpx_shards() -> int:
    """Async clients per event loop: ``HTTPX_ASYNC_SHARDS``, never more than the connection bounds
    (each client gets at least one connection and one idle one; their sum stays within the totals)."""
    return max(1, min(C.HTTPX_ASYNC_SHARDS, C.MAX_KEEPALIVE_CONNECTIONS, C.MAX_CONNECTIONS))


async def _close_at_loop_shutdown(client: Any) -> AsyncGenerator[None, None]:
    try:
        yield
    finally:
        if not client.is_closed:
            await client.aclose()


_httpx_transports: weakref.WeakSet[HttpxTransport] = weakref.WeakSet()
_left_in_parent: list[Any] = []  # httpx clients inherited over fork(): kept alive, never used or closed


def _httpx_after_fork_in_child() -> None:
    """A forked child must not touch the parent's pooled connections: its sockets are the same
    kernel sockets as the parent's. Replace the clients (and the lock another thread may have held
    at the fork) and keep the old objects referenced so that nothing closes them in the child."""
    for t in list(_httpx_transports):
        _left_in_parent.append((t._sync, dict(t._async)))
        t._lock = threading.Lock()
        t._sync = None
        t._async = weakref.WeakKeyDictionary()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_httpx_after_fork_in_child)


def _httpx_verify(verify: Any) -> Any:
    """False and an ``ssl.SSLContext`` as they are; a CA bundle path -> an ``ssl`` context trusting
    exactly that bundle (httpx deprecates string paths); True -> httpx's default context (it honours
    SSL_CERT_FILE / SSL_CERT_DIR), built once (loading the CA bundle costs ~30 ms) and shared by the
    transport's clients."""
    if verify is True:
        make = getattr(_lib(), "create_ssl_context", None)
        return make() if make is not None else True
    if isinstance(verify, (str, os.PathLike)):
        import ssl

        path = os.fspath(verify)
        if os.path.isdir(path):
            return ssl.create_default_context(capath=path)
        return ssl.create_default_context(cafile=path)
    return verify


def _reentrant_pool_locks(client: Any) -> Any:
    """Give the sync client's connection pools a re-entrant lock.

    httpcore guards each pool with a plain ``threading.Lock`` and takes it again when a response
    stream is closed. A stream the caller abandoned mid-way (``break`` out of the loop, the stream
    left in a reference cycle) is closed by the garbage collector, in whichever thread allocates
    next: when that is a thread inside the pool's locked region (sending the next request), the
    close waits for the lock its own thread holds, and the process hangs for good. With a
    re-entrant lock the close runs there and then; what it does under the lock (drop its request
    from the queue, hand free connections to queued requests) is safe to nest inside the pool's
    own bookkeeping. Pools without the expected attribute (another httpcore) are left as they are.
    """
    transports = [getattr(client, "_transport", None), *getattr(client, "_mounts", {}).values()]
    for transport in transports:
        guard = getattr(getattr(transport, "_pool", None), "_optional_thread_lock", None)
        if guard is not None and type(getattr(guard, "_lock", None)) is type(threading.Lock()):
            guard._lock = threading.RLock()
    return client


class HttpxTransport:
    """httpx backend: one pooled sync client; one async client per event loop."""

    backend: Literal["httpx"] = "httpx"
    _verify_ref: Any  # on a sibling made by _with_verify: its verify value, kept alive

    def __init__(self, *, verify: Any = True, proxy: str | None = None):
        self._verify = verify
        self._proxy = proxy
        self._lock = threading.Lock()
        self._sync: Any = None
        self._async: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
        self._ssl: Any = None
        self._siblings: dict[Any, Backend] = {}
        _httpx_transports.add(self)

    def _ssl_verify(self) -> Any:
        if self._ssl is None:
            self._ssl = _httpx_verify(self._verify)
        return self._ssl

    def with_verify(self, verify: Any) -> Backend:
        return _with_verify(self, verify)

    def _limits(self, shards: int = 1) -> Any:
        return _lib().Limits(
            max_connections=max(1, C.MAX_CONNECTIONS // shards),
            max_keepalive_connections=max(1, C.MAX_KEEPALIVE_CONNECTIONS // shards),
            keepalive_expiry=C.KEEPALIVE_EXPIRY,
        )

    def sync_client(self) -> Any:
        client = self._sync
        if client is None:
            with self._lock:
                if self._sync is None:
                    self._sync = _reentrant_pool_locks(
                        _lib().Client(
                            limits=self._limits(), verify=self._ssl_verify(), proxy=self._proxy, follow_redirects=False
                        )
                    )
                client = self._sync
        return client

    def async_client(self) -> Any:
        """One of the running loop's ``HTTPX_ASYNC_SHARDS`` clients, in turn. httpcore's pool does
        work per request that grows with the requests in flight in that pool (at 100 in flight,
        about 4x the CPU per request of 20 pools, see docs/TRANSPORT.md), so the loop's requests
        are spread over several pools; the connection bounds are split between them."""
        import asyncio

        loop = asyncio.get_running_loop()
        entry = self._async.get(loop)
        if entry is None:
            entry = self._async[loop] = [0, [], []]  # next turn, clients, their loop-shutdown closers
        turn = entry[0]
        clients = entry[1]
        entry[0] = turn + 1 if turn + 1 < _httpx_shards() else 0
        if turn < len(clients):
            client = clients[turn]
            if not client.is_closed:
                return client
        client = _lib().AsyncClient(
            limits=self._limits(_httpx_shards()), verify=self._ssl_verify(), proxy=self._proxy, follow_redirects=False
        )
        # close the client when its loop shuts down: asyncio.run() finalizes the loop's async
        # generators, and this one's ``finally`` closes the client's connections there (the entry
        # keeps the generator alive: collected early, it would close the client at once)
        closer = _close_at_loop_shutdown(client)
        loop.create_task(closer.__anext__())
        if turn < len(clients):
            clients[turn] = client
            entry[2][turn] = closer
        else:
            clients.append(client)
            entry[2].append(closer)
        return client

    def async_clients(self) -> list[Any]:
        """The running loop's async clients made so far (for inspection; calls use ``async_client``)."""
        import asyncio

        entry = self._async.get(asyncio.get_running_loop())
        return list(entry[1]) if entry is not None else []

    # Non-stream attempts are streamed too: the body is read piece by piece, so that its decoded
    # size is bounded (MAX_RESPONSE_BYTES) and ``timeout.total`` is a deadline for the whole attempt
    # (httpx's own timeouts are per read: a server trickling a byte a second would never time out).
    def send(self, req: HttpRequest, timeout: Timeouts) -> HttpResponse:
        client = self.sync_client()
        started = monotonic()
        try:
            request = client.build_request(
                req.method,
                req.url,
                headers=_headers(req),
                params=req.params,
                timeout=timeout.converted("httpx", _httpx_timeout),
                **_httpx_body(req),
            )
            r = client.send(request, stream=True)
        except Exception as exc:  # noqa: BLE001
            raise _httpx_error(exc, req.url, timeout, started, stream=False, head=False) from exc
        try:
            if _is_redirect(r.status_code):
                raise _redirect_error(r.status_code, r.headers, req.url)
            content = _httpx_read_bounded(r, req.url, timeout, started, request)
        finally:
            r.close()
        return HttpResponse(r.status_code, r.headers, content, req.url)

    def open_stream(self, req: HttpRequest, timeout: Timeouts) -> _HttpxSyncStream:
        client = self.sync_client()
        started = monotonic()
        try:
            request = client.build_request(
                req.method,
                req.url,
                headers=_headers(req),
                params=req.params,
                timeout=timeout.converted("httpx", _httpx_timeout),
                **_httpx_body(req),
            )
            resp = client.send(request, stream=True)
        except Exception as exc:  # noqa: BLE001
            raise _httpx_error(exc, req.url, timeout, started, head=False) from exc
        if _is_redirect(resp.status_code):
            resp.close()
            raise _redirect_error(resp.status_code, resp.headers, req.url)
        return _HttpxSyncStream(resp, req.url, timeout)

    async def asend(self, req: HttpRequest, timeout: Timeouts) -> HttpResponse:
        client = self.async_client()
        started = monotonic()
        try:
            request = client.build_request(
                req.method,
                req.url,
                headers=_headers(req),
                params=req.params,
                timeout=timeout.converted("httpx", _httpx_timeout),
                **_httpx_body(req, True),
            )
            r = await client.send(request, stream=True)
        except Exception as exc:  # noqa: BLE001
            raise _httpx_error(exc, req.url, timeout, started, stream=False, head=False) from exc
        try:
            if _is_redirect(r.status_code):
                raise _redirect_error(r.status_code, r.headers, req.url)
            content = await _httpx_aread_bounded(r, req.url, timeout, started, request)
        finally:
            await r.aclose()
        return HttpResponse(r.status_code, r.headers, content, req.url)

    async def aopen_stream(self, req: HttpRequest, timeout: Timeouts) -> _HttpxAsyncStream:
        client = self.async_client()
        started = monotonic()
        try:
            request = client.build_request(
                req.method,
                req.url,
                headers=_headers(req),
                params=req.params,
                timeout=timeout.converted("httpx", _httpx_timeout),
                **_httpx_body(req, True),
            )
            resp = await client.send(request, stream=True)
        except Exception as exc:  # noqa: BLE001
            raise _httpx_error(exc, req.url, timeout, started, head=False) from exc
        if _is_redirect(resp.status_code):
            await resp.aclose()
            raise _redirect_error(resp.status_code, resp.headers, req.url)
        return _HttpxAsyncStream(resp, req.url, timeout)

    def close(self) -> None:
        with self._lock:
            client, self._sync = self._sync, None
        if client is not None:
            client.close()
        for sibling in list(self._siblings.values()):
            sibling.close()

    async def aclose(self) -> None:
        import asyncio

        loop = asyncio.get_running_loop()
        entry = self._async.pop(loop, None)
        for client in entry[1] if entry is not None else ():
            await client.aclose()
        for sibling in list(self._siblings.values()):
            await sibling.aclose()


# ===================================================================================== aiohttp
# The async backend of the default transport when aiohttp is installed (the ``aiohttp`` extra):
# pyreqwest cannot abandon a request (see the pyreqwest section), httpx can but costs about 4x
# aiohttp's CPU per request. aiohttp's own body decoding is off (``auto_decompress=False``): the
# body is decoded here, in pieces of at most ``_DECODE_PIECE`` bytes, so that a small compressed
# answer cannot expand past MAX_RESPONSE_BYTES in memory.
_aiohttp: Any = None
_DECODE_PIECE = 1 << 16
_ACCEPT_ENCODING = "gzip, deflate"  # what _Decoder decodes; aiohttp would also offer br/zstd


def aiohttp_available() -> bool:
    try:
        _aio()
    except ImportError:
        return False
    return True


def _aio() -> Any:
    global _aiohttp
    if _aiohttp is None:
        import aiohttp

        _aiohttp = aiohttp
    return _aiohttp


class _Decoder:
    """Content-Encoding decoding with bounded output per step (gzip, deflate, identity)."""

    __slots__ = ("_obj", "_kind", "_url", "_first")

    def __init__(self, encoding: str, url: str):
        import zlib

        self._url = url
        self._first = True
        kind = (encoding or "identity").strip().lower()
        if kind in ("", "identity"):
            self._obj = None
        elif kind in ("gzip", "x-gzip"):
            self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif kind == "deflate":
            self._obj = zlib.decompressobj()
        else:
            APIConnectionError, _ = _errors()
            raise APIConnectionError(
                message=f"Connection error ({_safe_url(url)}): the response uses "
                f"content-encoding {kind[:40]!r}, which litegate did not ask for "
                f"(it accepts {_ACCEPT_ENCODING})"
            )
        self._kind = kind

    def feed(self, data: bytes) -> Iterator[bytes]:
        import zlib

        if self._obj is None:
            if data:
                yield data
            return
        try:
            while data:
                out = self._obj.decompress(data, _DECODE_PIECE)
                if self._first and self._kind == "deflate":
                    self._first = False
                data = self._obj.unconsumed_tail
                if self._obj.eof and self._obj.unused_data and self._kind != "deflate":
                    data = self._obj.unused_data  # a further gzip member
                    self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
                if out:
                    yield out
        except zlib.error as exc:
            if self._first and self._kind == "deflate":  # raw deflate without the zlib header
                self._first = False
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
                yield from self.feed(data)
                return
            APIConnectionError, _ = _errors()
            raise APIConnectionError(
                message=f"Connection error ({_safe_url(self._url)}): the "
                f"{self._kind} response body cannot be decoded: {exc}"
            ) from None

    def flush(self) -> bytes:
        if self._obj is None:
            return b""
        return self._obj.flush(_DECODE_PIECE) if hasattr(self._obj, "flush") else b""


def _aio_error(
    exc: BaseException,
    url: str = "",
    timeout: Timeouts | None = None,
    started: float | None = None,
    stream: bool = True,
    head: bool = True,
) -> BaseException:
    """aiohttp's error -> litegate's. aiohttp names the URL (with its query and any user:password)
    in some messages, so only the exception's kind and its OS error go into the text."""
    APIConnectionError, Timeout = _errors()
    aiohttp = _aio()
    where = f" ({_safe_url(url)})" if url else ""
    if isinstance(exc, (TimeoutError, _asyncio_timeout_error())):
        if timeout is None:
            return Timeout(message=f"Request timed out{where}: {type(exc).__name__}")
        elapsed = monotonic() - started if started is not None else 0.0
        if isinstance(exc, aiohttp.ConnectionTimeoutError):
            phase = "pool" if elapsed >= timeout.connect * 1.5 and timeout.pool > timeout.connect else "connect"
        elif isinstance(exc, aiohttp.SocketTimeoutError):
            phase = "read" if stream else "total"
        else:
            phase = "read" if stream else "total"  # the ClientTimeout.total timer of a non-stream attempt
        return _timeout_error(url, phase, timeout, "" if head else "waiting for the response headers")
    if isinstance(exc, aiohttp.ClientConnectorError):
        detail = f"cannot connect to {exc.host}:{exc.port}: {exc.os_error}"
    elif isinstance(exc, aiohttp.InvalidURL):
        detail = "invalid URL"
    elif isinstance(exc, (aiohttp.ClientError, OSError)):
        from .redact import redact

        detail = redact(str(exc).split("\n", 1)[0][:300])
    else:
        return exc  # not a network error: the caller raises it as it is
    return APIConnectionError(message=f"Connection error{where}: {type(exc).__name__}: {detail}")


def _aio_timeout(t: Timeouts, stream: bool) -> Any:
    """Non-stream: ``total`` bounds the whole attempt (aiohttp's timer also covers the body reads).
    Stream: no total; ``sock_read`` is the idle timeout, also while waiting for the headers."""
    ClientTimeout = _aio().ClientTimeout
    if stream:
        return ClientTimeout(total=None, connect=t.pool + t.connect, sock_connect=t.connect, sock_read=t.read)
    return ClientTimeout(total=t.total, connect=min(t.total, t.pool + t.connect), sock_connect=t.connect)


def _asyncio_timeout_error() -> Any:
    import asyncio

    return asyncio.TimeoutError


def _aio_total_timeout(t: Timeouts) -> Any:
    return _aio_timeout(t, False)


def _aio_stream_timeout(t: Timeouts) -> Any:
    return _aio_timeout(t, True)


def _aio_connector_class() -> Any:
    """aiohttp's ``TCPConnector`` keeps every idle connection until its keep-alive expiry; this
    one also closes the oldest idle ones of a host beyond ``MAX_KEEPALIVE_CONNECTIONS``."""
    cls = _aio_connector_class.__dict__.get("cls")
    if cls is None:
        base = _aio().TCPConnector

        class BoundedIdleConnector(base):  # type: ignore[misc, valid-type]  # aiohttp's class, imported on first use
            def _release(self, key: Any, protocol: Any, *, should_close: bool = False) -> None:
                super()._release(key, protocol, should_close=should_close)
                idle = self._conns.get(key)
                while idle is not None and len(idle) > max(0, C.MAX_KEEPALIVE_CONNECTIONS):
                    proto, _ = idle.popleft()
                    proto.close()

        cls = _aio_connector_class.cls = BoundedIdleConnector  # type: ignore[attr-defined]  # kept on the function
    return cls


def _aio_data(req: HttpRequest) -> Any:
    """The request body for aiohttp. Multipart uploads become a ``FormData`` whose file parts are
    streamed by aiohttp (an open file is read piece by piece, never whole into memory)."""
    if req.body is not None:  # streamed (from disk), one fresh iterator per attempt
        return req.body.achunks()
    if req.files is not None:
        form = _aio().FormData()
        for name, value in (req.data or {}).items():
            form.add_field(name, value if isinstance(value, (str, bytes)) else str(value))
        for name, spec in req.files.items():
            if isinstance(spec, tuple):
                filename, content = spec[0], spec[1]
                ctype = spec[2] if len(spec) > 2 else None
            else:
                filename, content, ctype = getattr(spec, "name", name), spec, None
            form.add_field(
                name,
                content,
                filename=os.path.basename(os.fspath(filename)) if filename else None,
                content_type=ctype or "application/octet-stream",
            )
        return form
    body = _body_bytes(req)
    if body is not None:
        return body
    return req.data


async def _aio_read_bounded(resp: Any, url: str) -> bytes:
    """The decoded body, at most ``MAX_RESPONSE_BYTES`` (counted after decoding, piece by piece)."""
    limit = C.MAX_RESPONSE_BYTES
    decoder = _Decoder(resp.headers.get("content-encoding", ""), url)
    parts: list[bytes] = []
    size = 0
    content = resp.content
    while True:
        raw = await content.readany()
        pieces = decoder.feed(raw) if raw else iter((decoder.flush(),))
        for piece in pieces:
            size += len(piece)
            if size > limit:
                raise _too_large(url, limit)
            parts.append(piece)
        if not raw:
            return b"".join(parts)


class _AioStream:
    __slots__ = ("status_code", "headers", "_resp", "_closed", "url", "_timeout")

    def __init__(self, resp: Any, url: str, timeout: Timeouts | None = None):
        self._timeout = timeout
        self._resp = resp
        self.status_code: int = resp.status
        self.headers = resp.headers  # CIMultiDictProxy: case-insensitive
        self._closed = False
        self.url = url

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        decoder = _Decoder(self._resp.headers.get("content-encoding", ""), self.url)
        content = self._resp.content
        try:
            while True:
                raw = await content.readany()
                if not raw:
                    tail = decoder.flush()
                    if tail:
                        yield tail
                    break
                for piece in decoder.feed(raw):
                    yield piece
        except Exception as exc:  # noqa: BLE001
            self._drop()
            if _is_litegate(exc):
                raise
            raise _aio_error(exc, self.url, self._timeout) from exc
        except BaseException:  # a cancelled task or Ctrl-C: close the connection, never pool it
            self._drop()
            raise
        self._resp.release()
        self._closed = True

    async def aread(self) -> bytes:
        try:
            data = await _aio_read_bounded(self._resp, self.url)
        except Exception as exc:  # noqa: BLE001
            self._drop()
            if _is_litegate(exc):
                raise
            raise _aio_error(exc, self.url, self._timeout) from exc
        except BaseException:
            self._drop()
            raise
        await self.aclose()
        return data

    def _drop(self) -> None:
        self._closed = True
        self._resp.close()  # closes the connection (a released one goes back to the pool)

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            # a body read to its end goes back to the pool; one left part-way closes its connection
            if self._resp.content.at_eof():
                self._resp.release()
            else:
                self._resp.close()

    def close(self) -> None:
        if not self._closed:
            self._drop()

    @property
    def closed(self) -> bool:
        return self._closed


async def _aio_close_at_loop_shutdown(
    transport: AiohttpTransport, loop: Any, session: Any
) -> AsyncGenerator[None, None]:
    try:
        yield
    finally:
        if transport._sessions.get(loop, (None,))[0] is session:
            transport._sessions.pop(loop, None)
        if not session.closed:
            await session.close()


_aio_transports: weakref.WeakSet[AiohttpTransport] = weakref.WeakSet()


def _aio_after_fork_in_child() -> None:
    """As for httpx: a forked child never uses (or closes) the parent's sessions and sockets."""
    for t in list(_aio_transports):
        _left_in_parent.append(dict(t._sessions))
        t._sessions = {}


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_aio_after_fork_in_child)


class AiohttpTransport:
    """aiohttp backend for async calls: one ``ClientSession`` per event loop (closed when that
    loop shuts down, dropped once the loop is closed). Sync calls go to an httpx transport: aiohttp
    has no sync client."""

    backend: Literal["aiohttp"] = "aiohttp"
    _verify_ref: Any  # on a sibling made by _with_verify: its verify value, kept alive

    def __init__(self, *, verify: Any = True, proxy: str | None = None, sync: HttpxTransport | None = None):
        self._verify = verify
        self._proxy = proxy
        self._lock = threading.Lock()
        # loop -> (session, its loop-shutdown closer)
        self._sessions: dict[Any, tuple[Any, AsyncGenerator[None, None]]] = {}
        self._ssl: Any = None
        self._siblings: dict[Any, Backend] = {}
        self._sync_transport = sync
        self._env_proxies: dict[str, str] | None = None  # read once, at the first session, as httpx does
        self._proxy_for_origin: dict[str, str | None] = {}
        _aio_transports.add(self)

    def with_verify(self, verify: Any) -> Backend:
        return _with_verify(self, verify)

    def _sync(self) -> HttpxTransport:
        sync = self._sync_transport
        if sync is None:
            with self._lock:
                if self._sync_transport is None:
                    self._sync_transport = HttpxTransport(verify=self._verify, proxy=self._proxy)
                sync = self._sync_transport
        return sync

    def _ssl_arg(self) -> Any:
        if self._ssl is None:
            verify = self._verify
            if verify is True:
                self._ssl = True  # aiohttp's default context (honours SSL_CERT_FILE / SSL_CERT_DIR)
            elif verify is False:
                self._ssl = False
            else:
                self._ssl = _httpx_verify(verify)  # a CA bundle path or directory -> an SSLContext
        return self._ssl

    def session(self) -> Any:
        import asyncio

        loop = asyncio.get_running_loop()
        entry = self._sessions.get(loop)
        if entry is not None and not entry[0].closed:
            return entry[0]
        for old in [lp for lp in self._sessions if lp.is_closed()]:  # their sessions are unusable
            del self._sessions[old]
        aiohttp = _aio()
        connector = _aio_connector_class()(
            limit=max(1, C.MAX_CONNECTIONS), limit_per_host=0, keepalive_timeout=C.KEEPALIVE_EXPIRY, ssl=self._ssl_arg()
        )
        # trust_env stays off: with it aiohttp hands every request to a worker thread twice (netrc
        # and proxy look-ups), about 2.5x its CPU per request; proxies are looked up here instead
        session = aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,
            trust_env=False,
            proxy=self._proxy,
            headers={"accept-encoding": _ACCEPT_ENCODING},
        )
        closer = _aio_close_at_loop_shutdown(self, loop, session)
        loop.create_task(closer.__anext__())
        self._sessions[loop] = (session, closer)
        return session

    def _env_proxy(self, url: str) -> str | None:
        """The proxy the environment names for ``url`` (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY),
        like httpx's ``trust_env``: the variables are read once; the answer is kept per origin."""
        origin = url.split("/", 3)[:3]
        key = "/".join(origin)
        if key in self._proxy_for_origin:
            return self._proxy_for_origin[key]
        if self._env_proxies is None:
            from urllib.request import getproxies

            self._env_proxies = {k.lower(): v for k, v in getproxies().items()}
        proxy = None
        env = self._env_proxies
        scheme = origin[0].rstrip(":").lower()
        candidate = env.get(scheme) or env.get("all")
        if candidate:
            from urllib.parse import urlsplit
            from urllib.request import proxy_bypass_environment  # type: ignore[attr-defined]  # undocumented

            host = urlsplit(key).hostname or ""
            if not proxy_bypass_environment(host, env):
                proxy = candidate if "://" in candidate else "http://" + candidate
        if len(self._proxy_for_origin) > 256:
            self._proxy_for_origin.clear()
        self._proxy_for_origin[key] = proxy
        return proxy

    async def _open(self, req: HttpRequest, timeout: Timeouts, stream: bool) -> Any:
        session = self.session()
        proxy = self._proxy or self._env_proxy(req.url)
        return await session.request(
            req.method,
            req.url,
            headers=_headers(req),
            params=req.params,
            data=_aio_data(req),
            allow_redirects=False,
            proxy=proxy,
            timeout=timeout.converted("aio-stream", _aio_stream_timeout)
            if stream
            else timeout.converted("aio", _aio_total_timeout),
        )

    async def asend(self, req: HttpRequest, timeout: Timeouts) -> HttpResponse:
        started = monotonic()
        head = False
        resp = None
        try:
            resp = await self._open(req, timeout, stream=False)
            head = True
            if _is_redirect(resp.status):
                raise _redirect_error(resp.status, resp.headers, req.url)
            content = await _aio_read_bounded(resp, req.url)
        except Exception as exc:  # noqa: BLE001
            if resp is not None:
                resp.close()
            if _is_litegate(exc):
                raise
            raise _aio_error(exc, req.url, timeout, started, stream=False, head=head) from exc
        except BaseException:  # cancelled: the connection is closed, never returned to the pool
            if resp is not None:
                resp.close()
            raise
        resp.release()
        return HttpResponse(resp.status, resp.headers, content, req.url)

    async def aopen_stream(self, req: HttpRequest, timeout: Timeouts) -> _AioStream:
        started = monotonic()
        try:
            resp = await self._open(req, timeout, stream=True)
        except Exception as exc:  # noqa: BLE001
            if _is_litegate(exc):
                raise
            raise _aio_error(exc, req.url, timeout, started, head=False) from exc
        if _is_redirect(resp.status):
            resp.close()
            raise _redirect_error(resp.status, resp.headers, req.url)
        return _AioStream(resp, req.url, timeout)

    def send(self, req: HttpRequest, timeout: Timeouts) -> HttpResponse:
        return self._sync().send(req, timeout)

    def open_stream(self, req: HttpRequest, timeout: Timeouts) -> _HttpxSyncStream:
        return self._sync().open_stream(req, timeout)

    def close(self) -> None:
        if self._sync_transport is not None:
            self._sync_transport.close()
        for sibling in list(self._siblings.values()):
            sibling.close()

    async def aclose(self) -> None:
        import asyncio

        entry = self._sessions.pop(asyncio.get_running_loop(), None)
        if entry is not None and not entry[0].closed:
            await entry[0].close()
        if self._sync_transport is not None:
            await self._sync_transport.aclose()
        for sibling in list(self._siblings.values()):
            await sibling.aclose()


# =================================================================================== pyreqwest
try:  # the C module: no import of signal.py (enum machinery) at ``import litegate``
    from _signal import SIGINT as _SIGINT
    from _signal import getsignal as _getsignal
except ImportError:  # pragma: no cover - other interpreters
    from signal import SIGINT as _SIGINT
    from signal import getsignal as _getsignal

_forked = False  # set in a child process forked after pyreqwest's runtime started
_reqwest_started = False
_exit_guard = False


def _after_fork_in_child() -> None:
    global _forked
    if _reqwest_started:
        _forked = True


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def reqwest_available() -> bool:
    if sys.version_info < (3, 11) or _forked:
        return False
    try:
        import pyreqwest.client  # noqa: F401
    except ImportError:
        return False
    return True


def _ctrl_c_can_land_here() -> bool:
    """True in the main thread while SIGINT has a Python-level handler (by default the one that
    raises ``KeyboardInterrupt``): the only thread where Python runs signal handlers. With SIG_DFL
    the kernel ends the process (and its sockets) at once; with SIG_IGN nothing happens."""
    if threading.get_ident() != threading.main_thread().ident:
        return False
    return callable(_getsignal(_SIGINT))


def _td(seconds: float) -> Any:
    from datetime import timedelta

    return timedelta(seconds=seconds)


def _reqwest_error(
    exc: BaseException,
    url: str = "",
    timeout: Timeouts | None = None,
    started: float | None = None,
    stream: bool = True,
    head: bool = True,
) -> BaseException:
    """pyreqwest's timeout classes do not tell the phase reliably: a server that accepts and never
    answers gives ``ConnectTimeoutError`` and a request's total timeout gives either class. The phase
    is decided here from what had happened (``head``: the response headers had arrived) and how
    long the attempt had run."""
    APIConnectionError, Timeout = _errors()
    from pyreqwest import exceptions as rx

    where = f" ({_safe_url(url)})" if url else ""
    if isinstance(exc, rx.RequestTimeoutError):
        if timeout is None:
            return Timeout(message=f"Request timed out{where}: {type(exc).__name__}")
        elapsed = monotonic() - started if started is not None else 0.0
        if isinstance(exc, rx.PoolTimeoutError):
            phase = "pool"
        elif not stream and elapsed >= timeout.total * 0.95:
            phase = "total"
        elif head:
            phase = "read" if stream else "total"
        elif isinstance(exc, rx.ConnectTimeoutError) and elapsed < 0.95 * (timeout.read if stream else timeout.total):
            phase = "connect"
        elif isinstance(exc, rx.WriteTimeoutError):
            phase = "write"
        else:
            phase = "read" if stream else "total"
        return _timeout_error(url, phase, timeout, "" if head else "waiting for the response headers")
    if isinstance(exc, (rx.TransportError, rx.RequestError, OSError)):
        detail = str(exc).split("\n", 1)[0][:300]
        return APIConnectionError(message=f"Connection error{where}: {type(exc).__name__}: {detail}")
    return exc  # not a network error: the caller raises it as it is


def _guard_exit() -> None:
    """pyreqwest's runtime threads can trip over interpreter finalization right after async use;
    a short pause at exit lets them finish first (see docs/TRANSPORT.md)."""
    global _exit_guard
    if not _exit_guard:
        _exit_guard = True
        import atexit
        import time

        atexit.register(time.sleep, 0.05)


def _reqwest_read_bounded(reader: Any, url: str) -> bytes:
    limit = C.MAX_RESPONSE_BYTES
    parts: list[bytes] = []
    size = 0
    while True:
        chunk = reader.read_chunk()
        if chunk is None:
            return b"".join(parts)
        size += len(chunk)
        if size > limit:
            raise _too_large(url, limit)
        parts.append(chunk.to_bytes())


async def _reqwest_aread_bounded(reader: Any, url: str) -> bytes:
    limit = C.MAX_RESPONSE_BYTES
    parts: list[bytes] = []
    size = 0
    while True:
        chunk = await reader.read_chunk()
        if chunk is None:
            return b"".join(parts)
        size += len(chunk)
        if size > limit:
            raise _too_large(url, limit)
        parts.append(chunk.to_bytes())


class _ReqwestSyncStream:
    __slots__ = ("status_code", "headers", "_req", "_resp", "_closed", "url", "_timeout")

    def __init__(self, stream_req: Any, resp: Any, url: str, timeout: Timeouts | None = None):
        self._timeout = timeout
        self._req = stream_req
        self._resp = resp
        self.status_code: int = resp.status
        self.headers = resp.headers  # HeaderMap: case-insensitive get()
        self._closed = False
        self.url = url

    def iter_bytes(self) -> Iterator[bytes]:
        reader = self._resp.body_reader
        try:
            while True:
                chunk = reader.read_chunk()
                if chunk is None:
                    return
                yield chunk.to_bytes()
        except Exception as exc:  # noqa: BLE001
            self.close()
            raise _reqwest_error(exc, self.url, self._timeout) from exc

    def read(self) -> bytes:
        """The whole (decoded) body, at most ``MAX_RESPONSE_BYTES``; e.g. an error answer."""
        try:
            return _reqwest_read_bounded(self._resp.body_reader, self.url)
        except (OSError, ImportError) as exc:
            raise _reqwest_error(exc, self.url, self._timeout) from exc
        except Exception as exc:  # noqa: BLE001
            from pyreqwest.exceptions import PyreqwestError

            if isinstance(exc, PyreqwestError):
                raise _reqwest_error(exc, self.url, self._timeout) from exc
            raise
        finally:
            self.close()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            try:
                self._req.__exit__(None, None, None)
            except Exception:  # noqa: BLE001
                pass


class _ReqwestAsyncStream:
    __slots__ = ("status_code", "headers", "_req", "_resp", "_closed", "url", "_timeout")

    def __init__(self, stream_req: Any, resp: Any, url: str, timeout: Timeouts | None = None):
        self._timeout = timeout
        self._req = stream_req
        self._resp = resp
        self.status_code: int = resp.status
        self.headers = resp.headers
        self._closed = False
        self.url = url

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        reader = self._resp.body_reader
        try:
            while True:
                chunk = await reader.read_chunk()
                if chunk is None:
                    return
                yield chunk.to_bytes()
        except Exception as exc:  # noqa: BLE001
            await self.aclose()
            raise _reqwest_error(exc, self.url, self._timeout) from exc
        except BaseException:  # a cancelled task: leaving the request closes its connection
            await self.aclose()
            raise

    async def aread(self) -> bytes:
        try:
            return await _reqwest_aread_bounded(self._resp.body_reader, self.url)
        except Exception as exc:  # noqa: BLE001
            from pyreqwest.exceptions import PyreqwestError

            if isinstance(exc, (PyreqwestError, OSError)):
                raise _reqwest_error(exc, self.url, self._timeout) from exc
            raise
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            try:
                await self._req.__aexit__(None, None, None)
            except Exception:  # noqa: BLE001
                pass

    def close(self) -> None:
        """Synchronous release for garbage collection: drop the response without awaiting."""
        self._closed = True
        self._req = None
        self._resp = None

    @property
    def closed(self) -> bool:
        return self._closed


class ReqwestTransport:
    """pyreqwest backend. Clients are keyed by stream-idle timeout (reqwest sets read timeouts
    per client); non-stream attempts use a per-request total timeout instead."""

    backend: Literal["pyreqwest"] = "pyreqwest"
    _verify_ref: Any  # on a sibling made by _with_verify: its verify value, kept alive

    def __init__(self, *, verify: Any = True, proxy: str | None = None, interrupt_safe: bool = True):
        if not (isinstance(verify, (bool, str, os.PathLike))):
            raise ValueError(
                "the pyreqwest backend takes verify=True/False or a CA bundle path; "
                "an ssl.SSLContext needs the httpx backend"
            )
        self._verify = verify
        self._proxy = proxy
        self._interrupt_safe = bool(interrupt_safe)
        self._lock = threading.Lock()
        self._sync: dict[float | None, Any] = {}  # stream-idle timeout -> pyreqwest client
        self._async: dict[float | None, Any] = {}
        self._fallback: HttpxTransport | None = None
        self._afallback: AiohttpTransport | HttpxTransport | None = None
        self._siblings: dict[Any, Backend] = {}
        self._ca_pem: bytes | None = None
        if isinstance(verify, (str, os.PathLike)):
            self._ca_pem = _read_ca_bundle(verify)

    def with_verify(self, verify: Any) -> Backend:
        return _with_verify(self, verify)

    def _fallback_transport(self) -> HttpxTransport:
        fallback = self._fallback
        if fallback is None:
            with self._lock:  # one fallback (and one set of pools) however many threads race here
                if self._fallback is None:
                    self._fallback = HttpxTransport(verify=self._verify, proxy=self._proxy)
                fallback = self._fallback
        return fallback

    def _async_fallback(self) -> AiohttpTransport | HttpxTransport:
        """Where async calls go instead of pyreqwest: aiohttp when it is installed (cancelling a
        task closes its connection, at about a quarter of httpx's CPU per request), else httpx."""
        fallback = self._afallback
        if fallback is None:
            sync = self._fallback_transport()
            with self._lock:
                if self._afallback is None:
                    self._afallback = (
                        AiohttpTransport(verify=self._verify, proxy=self._proxy, sync=sync)
                        if aiohttp_available()
                        else sync
                    )
                fallback = self._afallback
        return fallback

    def _build(self, builder: Any, read: float | None) -> Any:
        global _reqwest_started
        b = (
            builder.max_connections(C.MAX_CONNECTIONS)
            .pool_idle_timeout(_td(C.KEEPALIVE_EXPIRY))
            .pool_timeout(_td(C.DEFAULT_POOL_TIMEOUT))
            .pool_max_idle_per_host(C.MAX_KEEPALIVE_CONNECTIONS)
            .connect_timeout(_td(min(C.DEFAULT_CONNECT_TIMEOUT, read or C.DEFAULT_CONNECT_TIMEOUT)))
            .follow_redirects(False)
        )
        if read is not None:
            b = b.read_timeout(_td(read))
        if self._verify is False:
            b = b.danger_accept_invalid_certs(True)
        elif self._ca_pem is not None:
            b = b.add_root_certificate_pem(self._ca_pem)
        if self._proxy:
            from pyreqwest.proxy import ProxyBuilder

            b = b.proxy(ProxyBuilder.all(self._proxy))
        client = b.build()
        _reqwest_started = True
        return client

    def _client(self, table: dict[float | None, Any], builder_cls: Any, read: float | None) -> Any:
        client = table.get(read)
        if client is None:
            with self._lock:
                client = table.get(read)
                if client is None:
                    if len(table) > 16:  # unusual: many distinct stream timeouts; keep the table small
                        table.clear()
                    client = table[read] = self._build(builder_cls(), read)
        return client

    def _sync_client(self, read: float | None) -> Any:
        client = self._sync.get(read)
        if client is not None:
            return client
        from pyreqwest.client import SyncClientBuilder

        return self._client(self._sync, SyncClientBuilder, read)

    def _async_client(self, read: float | None) -> Any:
        client = self._async.get(read)
        if client is not None:
            return client
        from pyreqwest.client import ClientBuilder

        _guard_exit()
        return self._client(self._async, ClientBuilder, read)

    @staticmethod
    def _prepare(client: Any, req: HttpRequest, is_async: bool = False) -> Any:
        b = client.request(req.method, req.url).headers(_headers(req))
        if req.params:
            b = b.query(req.params)
        if req.body is not None:  # streamed (from disk), one fresh iterator per attempt
            return b.body_stream(req.body.achunks() if is_async else req.body.chunks())
        body = _body_bytes(req)
        if body is not None:
            b = b.body_bytes(body)
        return b

    # ------------------------------------------------------------------ sync
    # Ctrl-C and cancellation: pyreqwest cannot abandon a request before its response headers
    # (the request runs as a detached task on its runtime until it answers or times out, and a
    # blocked sync call never lets Python's SIGINT handler run). So, unless ``interrupt_safe`` is
    # off, the calls a Ctrl-C or a task cancellation can reach go to the httpx fallback: every
    # async call, and sync calls in the main thread while SIGINT has a Python handler. Sync calls
    # in other threads (no signal ever lands there) stay on pyreqwest. See docs/TRANSPORT.md.
    # Non-stream attempts are read as streams with the request's total timeout: the decoded body
    # (pyreqwest decodes gzip, deflate, brotli and zstd) is counted piece by piece and cut off at
    # MAX_RESPONSE_BYTES; leaving the request unfinished drops (closes) its connection.
    def send(self, req: HttpRequest, timeout: Timeouts) -> HttpResponse:
        if _forked or req.files is not None or (self._interrupt_safe and _ctrl_c_can_land_here()):
            return self._fallback_transport().send(req, timeout)
        started = monotonic()
        head = False
        stream_req = None
        try:
            stream_req = (
                self._prepare(self._sync_client(None), req).timeout(timeout.converted("td", _total_td)).build_streamed()
            )
            resp = stream_req.__enter__()
            head = True
            if _is_redirect(resp.status):
                raise _redirect_error(resp.status, resp.headers, req.url)
            content = _reqwest_read_bounded(resp.body_reader, req.url)
        except Exception as exc:  # noqa: BLE001
            if _is_litegate(exc):
                raise
            raise _reqwest_error(exc, req.url, timeout, started, stream=False, head=head) from exc
        finally:
            if stream_req is not None:
                try:
                    stream_req.__exit__(None, None, None)
                except Exception:  # noqa: BLE001
                    pass
        return HttpResponse(resp.status, resp.headers, content, req.url)

    def open_stream(self, req: HttpRequest, timeout: Timeouts) -> _ReqwestSyncStream | _HttpxSyncStream:
        if _forked or req.files is not None or (self._interrupt_safe and _ctrl_c_can_land_here()):
            return self._fallback_transport().open_stream(req, timeout)
        stream_req = None
        started = monotonic()
        try:
            stream_req = (
                self._prepare(self._sync_client(timeout.read), req).streamed_read_buffer_limit(0).build_streamed()
            )
            resp = stream_req.__enter__()
        except Exception as exc:  # noqa: BLE001
            if stream_req is not None:
                try:
                    stream_req.__exit__(None, None, None)
                except Exception:  # noqa: BLE001
                    pass
            raise _reqwest_error(exc, req.url, timeout, started, head=False) from exc
        if _is_redirect(resp.status):
            try:
                stream_req.__exit__(None, None, None)
            except Exception:  # noqa: BLE001
                pass
            raise _redirect_error(resp.status, resp.headers, req.url)
        return _ReqwestSyncStream(stream_req, resp, req.url, timeout)

    # ------------------------------------------------------------------ async
    async def asend(self, req: HttpRequest, timeout: Timeouts) -> HttpResponse:
        if _forked or req.files is not None or self._interrupt_safe:
            return await self._async_fallback().asend(req, timeout)
        started = monotonic()
        head = False
        stream_req = None
        try:
            stream_req = (
                self._prepare(self._async_client(None), req, True)
                .timeout(timeout.converted("td", _total_td))
                .build_streamed()
            )
            resp = await stream_req.__aenter__()
            head = True
            if _is_redirect(resp.status):
                raise _redirect_error(resp.status, resp.headers, req.url)
            content = await _reqwest_aread_bounded(resp.body_reader, req.url)
        except Exception as exc:  # noqa: BLE001
            if _is_litegate(exc):
                raise
            raise _reqwest_error(exc, req.url, timeout, started, stream=False, head=head) from exc
        finally:
            if stream_req is not None:
                try:
                    await stream_req.__aexit__(None, None, None)
                except Exception:  # noqa: BLE001
                    pass
        return HttpResponse(resp.status, resp.headers, content, req.url)

    async def aopen_stream(
        self, req: HttpRequest, timeout: Timeouts
    ) -> _ReqwestAsyncStream | _AioStream | _HttpxAsyncStream:
        if _forked or req.files is not None or self._interrupt_safe:
            return await self._async_fallback().aopen_stream(req, timeout)
        stream_req = None
        started = monotonic()
        try:
            stream_req = (
                self._prepare(self._async_client(timeout.read), req, True)
                .streamed_read_buffer_limit(0)
                .build_streamed()
            )
            resp = await stream_req.__aenter__()
        except Exception as exc:  # noqa: BLE001
            if stream_req is not None:
                try:
                    await stream_req.__aexit__(None, None, None)
                except Exception:  # noqa: BLE001
                    pass
            raise _reqwest_error(exc, req.url, timeout, started, head=False) from exc
        if _is_redirect(resp.status):
            try:
                await stream_req.__aexit__(None, None, None)
            except Exception:  # noqa: BLE001
                pass
            raise _redirect_error(resp.status, resp.headers, req.url)
        return _ReqwestAsyncStream(stream_req, resp, req.url, timeout)

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        with self._lock:
            clients, self._sync = list(self._sync.values()), {}
        for client in clients:
            try:
                client.close()
            except Exception:  # noqa: BLE001
                pass
        if self._fallback is not None:
            self._fallback.close()
        for sibling in list(self._siblings.values()):
            sibling.close()

    async def aclose(self) -> None:
        import inspect

        with self._lock:
            clients, self._async = list(self._async.values()), {}
        for client in clients:
            try:
                out = client.close()
                if inspect.isawaitable(out):
                    await out
            except Exception:  # noqa: BLE001
                pass
        if self._afallback is not None and self._afallback is not self._fallback:
            await self._afallback.aclose()  # its aclose() also closes the shared httpx fallback
        elif self._fallback is not None:
            await self._fallback.aclose()
        for sibling in list(self._siblings.values()):
            await sibling.aclose()


def _total_td(t: Timeouts) -> Any:
    return _td(t.total)


def _is_litegate(exc: BaseException) -> bool:
    from ..exceptions import LiteLLMException

    return isinstance(exc, LiteLLMException)


def _read_ca_bundle(path: Any) -> bytes:
    path = os.fspath(path)
    if os.path.isdir(path):
        raise ValueError(
            f"verify={path!r}: the pyreqwest backend takes a CA bundle file, not a directory "
            "(use the httpx backend for a c_rehash directory)"
        )
    with open(path, "rb") as f:
        return f.read()


def _verify_key(verify: Any) -> Any:
    if isinstance(verify, (bool, str, os.PathLike)):
        return (type(verify).__name__, os.fspath(verify) if not isinstance(verify, bool) else verify)
    return ("object", id(verify))


def _with_verify(transport: Backend, verify: Any) -> Backend:
    """A sibling transport of the same backend and proxy that verifies TLS with ``verify`` (True,
    False, a CA bundle path, or an ``ssl.SSLContext``: httpx only, so it gives an httpx sibling).
    Built once per value and kept on ``transport``; it shares no clients or pools with it."""
    key = _verify_key(verify)
    if key == _verify_key(transport._verify):
        return transport
    sibling = transport._siblings.get(key)
    if sibling is None:
        with transport._lock:
            sibling = transport._siblings.get(key)
            if sibling is None:
                if len(transport._siblings) > 16:
                    transport._siblings.clear()
                if transport.backend == "pyreqwest" and isinstance(verify, (bool, str, os.PathLike)):
                    sibling = ReqwestTransport(
                        verify=verify, proxy=transport._proxy, interrupt_safe=transport._interrupt_safe
                    )
                elif transport.backend == "aiohttp":
                    sibling = AiohttpTransport(verify=verify, proxy=transport._proxy)
                else:
                    sibling = HttpxTransport(verify=verify, proxy=transport._proxy)
                sibling._verify_ref = verify  # keeps an SSLContext alive while its id is the key
                transport._siblings[key] = sibling
    return sibling


# ================================================================================== selection
BACKENDS = ("pyreqwest", "httpx", "aiohttp")


def Transport(
    backend: str | None = None, *, verify: Any = True, proxy: str | None = None, interrupt_safe: bool | None = None
) -> Backend:
    """A transport for ``backend`` ("pyreqwest", "httpx", "aiohttp"; None = the fastest one available).
    "aiohttp" serves async calls with aiohttp and sync calls with httpx.

    ``LITEGATE_HTTP_BACKEND`` in the environment overrides the automatic choice.
    ``interrupt_safe=False`` (pyreqwest only; default: ``LITEGATE_INTERRUPT_SAFE=0`` in the
    environment, else True) keeps async calls and main-thread sync calls on pyreqwest too: faster,
    but a cancelled task's request then runs on until it is answered or times out, and Ctrl-C
    waits for the call to end and then aborts the process (docs/TRANSPORT.md).
    """
    if interrupt_safe is None:
        interrupt_safe = os.environ.get("LITEGATE_INTERRUPT_SAFE", "1").strip().lower() not in (
            "0",
            "false",
            "no",
            "off",
        )
    name = backend or os.environ.get("LITEGATE_HTTP_BACKEND") or None
    if name is None:
        # an ssl.SSLContext cannot be handed to rustls: only httpx takes one
        plain = isinstance(verify, (bool, str, os.PathLike))
        name = "pyreqwest" if plain and reqwest_available() else "httpx"
    if name == "pyreqwest":
        if not reqwest_available():
            raise ValueError("the pyreqwest backend needs Python >= 3.11 and the pyreqwest package")
        return ReqwestTransport(verify=verify, proxy=proxy, interrupt_safe=interrupt_safe)
    if name == "httpx":
        return HttpxTransport(verify=verify, proxy=proxy)
    if name == "aiohttp":
        if not aiohttp_available():
            raise ValueError("the aiohttp backend needs the aiohttp package (pip install 'litegate[aiohttp]')")
        return AiohttpTransport(verify=verify, proxy=proxy)
    raise ValueError(f"unknown HTTP backend {name!r}; choose one of {BACKENDS}")


_default: Backend | None = None
_default_lock = threading.Lock()


def default_transport() -> Backend:
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Transport()
    return _default


# ================================================================================ the interface
class BaseTransport:
    """What the lifecycle asks of a transport (any object with these methods will do).

    ``send(request, timeouts) -> HttpResponse`` and ``open_stream(request, timeouts)`` -> a stream
    with ``status_code``, ``headers``, ``url``, ``iter_bytes()``, ``read()``, ``close()``; the async
    twins ``asend`` / ``aopen_stream`` (stream: ``aiter_bytes()``, ``aread()``, ``aclose()``); and
    ``close()`` / ``aclose()``. Every piece of I/O in the package goes through one: calls, auth
    flows (token exchanges), the hosted BudgetManager and ``register_model(url)``.
    """

    def send(self, request: HttpRequest, timeout: Timeouts) -> HttpResponse:
        raise NotImplementedError

    def open_stream(self, request: HttpRequest, timeout: Timeouts) -> SyncStream:
        raise NotImplementedError

    async def asend(self, request: HttpRequest, timeout: Timeouts) -> HttpResponse:
        raise NotImplementedError

    async def aopen_stream(self, request: HttpRequest, timeout: Timeouts) -> AsyncStream:
        raise NotImplementedError

    def close(self) -> None:
        pass

    async def aclose(self) -> None:
        pass


class MockResponse:
    """An answer for :class:`MockTransport`: ``json`` or ``content`` (bytes/str) as the body; for
    streamed requests ``chunks`` (a list of bytes pieces) are handed out one read at a time. An
    exception among the chunks is raised where it stands (a connection cut mid-stream)."""

    __slots__ = ("status_code", "headers", "content", "chunks")

    def __init__(
        self,
        status_code: int = 200,
        *,
        json: Any = None,
        content: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        chunks: list[bytes | BaseException] | None = None,
    ):
        from .http import Headers

        if json is not None:
            content = dumps(json)
            headers = {"content-type": "application/json", **(headers or {})}
        elif isinstance(content, str):
            content = content.encode("utf-8")
        self.status_code = status_code
        self.headers = Headers(headers or {})
        self.chunks = list(chunks) if chunks is not None else None
        self.content = (
            content if content is not None else b"".join(p for p in self.chunks or () if isinstance(p, bytes))
        )


class _MockStream:
    __slots__ = ("status_code", "headers", "url", "_chunks", "closed")

    def __init__(self, resp: MockResponse, url: str):
        self.status_code = resp.status_code
        self.headers = resp.headers
        self.url = url
        self._chunks = resp.chunks if resp.chunks is not None else [resp.content]
        self.closed = False

    def iter_bytes(self) -> Iterator[bytes]:
        for piece in self._chunks:
            if self.closed:
                return
            if isinstance(piece, BaseException):
                raise piece
            yield piece

    def read(self) -> bytes:
        data = b"".join(p for p in self._chunks if isinstance(p, bytes))
        self.close()
        return data

    def close(self) -> None:
        self.closed = True

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        for piece in self.iter_bytes():
            yield piece

    async def aread(self) -> bytes:
        return self.read()

    async def aclose(self) -> None:
        self.close()


class MockTransport(BaseTransport):
    """A transport that is a function: ``handler(request) -> MockResponse | HttpResponse | dict``
    (a dict is a 200 JSON answer); an async handler serves the async calls. Raising a litegate
    exception (e.g. ``APIConnectionError``) from the handler simulates a network failure. Every
    request is kept in ``requests``. For users' tests: ``litegate.Client(transport=MockTransport(f))``.
    """

    def __init__(self, handler: Callable[[HttpRequest], MockAnswer | Awaitable[MockAnswer]]):
        self.handler = handler
        self.requests: list[HttpRequest] = []

    def _answer(self, out: object, req: HttpRequest) -> MockResponse:
        if isinstance(out, MockResponse):
            return out
        if isinstance(out, HttpResponse):
            return MockResponse(out.status_code, content=out.content, headers=dict(out.headers))
        if isinstance(out, dict):
            return MockResponse(200, json=out)
        raise TypeError(f"MockTransport handler must return a MockResponse, HttpResponse or dict, got {out!r:.80}")

    def _call(self, req: HttpRequest) -> MockResponse:
        import inspect

        self.requests.append(req)
        out = self.handler(req)
        if inspect.isawaitable(out):
            out.close()  # type: ignore[attr-defined]  # a coroutine nobody will await: closed unrun
            raise TypeError("an async MockTransport handler serves only async calls")
        return self._answer(out, req)

    async def _acall(self, req: HttpRequest) -> MockResponse:
        import inspect

        self.requests.append(req)
        out = self.handler(req)
        if inspect.isawaitable(out):
            out = await out
        return self._answer(out, req)

    def send(self, request: HttpRequest, timeout: Timeouts) -> HttpResponse:
        r = self._call(request)
        return HttpResponse(r.status_code, r.headers, r.content, request.url)

    def open_stream(self, request: HttpRequest, timeout: Timeouts) -> _MockStream:
        return _MockStream(self._call(request), request.url)

    async def asend(self, request: HttpRequest, timeout: Timeouts) -> HttpResponse:
        r = await self._acall(request)
        return HttpResponse(r.status_code, r.headers, r.content, request.url)

    async def aopen_stream(self, request: HttpRequest, timeout: Timeouts) -> _MockStream:
        return _MockStream(await self._acall(request), request.url)


def fetch(request: HttpRequest, timeout: float = 30.0, transport: HttpTransport | None = None) -> HttpResponse:
    """One plain sync request through ``transport`` (default: the process transport), for the
    package's own I/O outside calls (model maps, the hosted budget service)."""
    return (transport or default_transport()).send(request, make_timeout(timeout))


if TYPE_CHECKING:  # the checker confirms that every transport here has the interface the lifecycle uses

    def _interface(
        a: ReqwestTransport, b: HttpxTransport, c: AiohttpTransport, d: MockTransport, e: BaseTransport
    ) -> list[HttpTransport]:
        return [a, b, c, d, e]
