"""A fake OpenAI-dialect HTTP/1.1 server on asyncio (standard library only).

The server speaks just enough HTTP/1.1 for real clients (keep-alive, ``Content-Length`` and chunked
request bodies, ``Expect: 100-continue``, chunked or close-delimited SSE responses) and is tuned
for throughput: replies that need no waiting are written straight from ``data_received`` without
creating a task, and static response parts are pre-encoded.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import struct
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass
from typing import Any, Callable, Deque, Dict, Iterable, List, Mapping, Optional, Tuple, Union
from urllib.parse import parse_qsl, unquote

from . import _payloads as P

__all__ = ["FakeOpenAIServer", "RecordedRequest", "FAULT_KINDS"]

FAULT_KINDS = frozenset({"reset", "stall", "cut_stream", "malformed_stream", "stream_error_event", "no_done"})

_MAX_HEAD = 64 * 1024
_MAX_BODY = 64 * 1024 * 1024

_REASONS = {
    100: "Continue",
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    409: "Conflict",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
    529: "Site Overloaded",
}
_STATUS_LINES: Dict[int, bytes] = {}


def _status_line(status: int) -> bytes:
    line = _STATUS_LINES.get(status)
    if line is None:
        line = f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}\r\n".encode("latin-1")
        _STATUS_LINES[status] = line
    return line


_JSON_HEAD = b"content-type: application/json\r\ncontent-length: "
_SSE_HEAD_CHUNKED = (
    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\n"
    b"cache-control: no-cache\r\ntransfer-encoding: chunked\r\n"
)
_SSE_HEAD_CLOSE = (
    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\n"
    b"cache-control: no-cache\r\nconnection: close\r\n"
)
_CONN_CLOSE = b"connection: close\r\n"
_CHUNKED_END = b"0\r\n\r\n"
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_MALFORMED_EVENT = b"data: {not json\n\n"


@dataclass(eq=False)
class RecordedRequest:
    """One request as the server received it."""

    method: str
    path: str
    query: Dict[str, str]
    headers: Dict[str, str]  # lower-case names
    body: bytes
    json: Any = None  # the decoded JSON body, or None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def header(self, name: str, default: Optional[str] = None) -> Optional[str]:
        return self.headers.get(name.lower(), default)

    def __repr__(self) -> str:
        return f"RecordedRequest({self.method} {self.path}, {len(self.body)} bytes)"


# ---------------------------------------------------------------------------------------------
# queued behaviours
# ---------------------------------------------------------------------------------------------


class _Behaviour:
    __slots__ = ("path",)
    path: Optional[str]


class _Reply(_Behaviour):
    __slots__ = ("content", "tool_calls", "finish_reason", "usage", "delay", "model", "custom")

    def __init__(self, content, tool_calls, finish_reason, usage, delay, model, custom, path):  # type: ignore[no-untyped-def]
        self.content = content
        self.tool_calls = tool_calls
        self.finish_reason = finish_reason
        self.usage = usage
        self.delay = delay
        self.model = model
        self.custom = custom
        self.path = path


class _Raw(_Behaviour):
    __slots__ = ("status", "body", "headers", "delay")

    def __init__(self, status: int, body: bytes, headers: Dict[str, str], delay: float, path: Optional[str]):
        self.status = status
        self.body = body
        self.headers = headers
        self.delay = delay
        self.path = path


class _Stream(_Behaviour):
    __slots__ = ("events", "chunk_delay", "terminate", "cut_after", "delay", "status", "headers")

    def __init__(self, events, chunk_delay, terminate, cut_after, delay, status, headers, path):  # type: ignore[no-untyped-def]
        self.events = events
        self.chunk_delay = chunk_delay
        self.terminate = terminate
        self.cut_after = cut_after
        self.delay = delay
        self.status = status
        self.headers = headers
        self.path = path


class _Fault(_Behaviour):
    __slots__ = ("kind",)

    def __init__(self, kind: str, path: Optional[str]):
        self.kind = kind
        self.path = path


def _encode_event(ev: Any) -> bytes:
    if isinstance(ev, (bytes, bytearray, memoryview)):
        return bytes(ev)
    if isinstance(ev, str):
        return P.sse_event(ev)
    return P.sse_event(json.dumps(ev, separators=(",", ":"), ensure_ascii=False))


def _merge_headers(defaults: Mapping[str, str], extra: Optional[Mapping[str, Optional[str]]]) -> Dict[str, str]:
    out = {k.lower(): v for k, v in defaults.items()}
    if extra:
        for k, v in extra.items():
            if v is None:
                out.pop(k.lower(), None)
            else:
                out[k.lower()] = str(v)
    return out


def _header_bytes(headers: Mapping[str, str]) -> bytes:
    return "".join(f"{k}: {v}\r\n" for k, v in headers.items()).encode("latin-1")


class _BadRequest(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def _parse_chunked(buf: bytearray, start: int) -> Optional[Tuple[bytes, int]]:
    """Decode a chunked body starting at ``start``; (body, end offset) or None when incomplete."""
    parts: List[bytes] = []
    pos = start
    while True:
        eol = buf.find(b"\r\n", pos)
        if eol < 0:
            if len(buf) - pos > 1024:
                raise _BadRequest(400, "invalid chunk size line")
            return None
        size_s = bytes(buf[pos:eol]).split(b";", 1)[0].strip()
        try:
            size = int(size_s, 16)
        except ValueError:
            raise _BadRequest(400, "invalid chunk size") from None
        if size == 0:
            # trailers, ended by an empty line
            pos = eol + 2
            while True:
                eol = buf.find(b"\r\n", pos)
                if eol < 0:
                    return None
                if eol == pos:
                    return b"".join(parts), eol + 2
                pos = eol + 2
        data_start = eol + 2
        data_end = data_start + size
        if len(buf) < data_end + 2:
            return None
        parts.append(bytes(buf[data_start:data_end]))
        pos = data_end + 2
        if pos - start > _MAX_BODY:
            raise _BadRequest(413, "request body too large")


# ---------------------------------------------------------------------------------------------
# connection protocol
# ---------------------------------------------------------------------------------------------


class _Connection(asyncio.Protocol):
    __slots__ = (
        "srv",
        "transport",
        "buf",
        "busy",
        "closed",
        "task",
        "head",
        "sent_continue",
        "eof",
    )

    def __init__(self, srv: "FakeOpenAIServer") -> None:
        self.srv = srv
        self.transport: Optional[asyncio.Transport] = None
        self.buf = bytearray()
        self.busy = False
        self.closed = False
        self.task: Optional[asyncio.Task] = None
        # parsed request head waiting for its body: (method, target, version, headers, body_start, length|-1)
        self.head: Optional[Tuple[str, str, str, Dict[str, str], int, int]] = None
        self.sent_continue = False
        self.eof = False

    # -- asyncio callbacks ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.srv._conns.add(self)

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        self.closed = True
        self.srv._conns.discard(self)
        task = self.task
        if task is not None and not task.done():
            task.cancel()

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if not self.busy:
            self._process()

    def eof_received(self) -> Optional[bool]:
        self.eof = True
        # keep the socket open while a reply is in progress (the client only half-closed)
        return True if self.busy else None

    # -- helpers -------------------------------------------------------------------------------

    def abort(self) -> None:
        self.closed = True
        t = self.transport
        if t is not None:
            t.abort()

    def _close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def _process(self) -> None:
        buf = self.buf
        while buf and not self.busy and not self.closed:
            try:
                req = self._parse(buf)
            except _BadRequest as e:
                body = P.dumps(P.error_body(e.status, code=None, message=str(e), type="invalid_request_error"))
                self._write_json(e.status, body, None, False)
                return
            if req is None:
                return
            self._dispatch(*req)
        if self.eof and not self.busy and not self.closed:
            self._close()

    def _parse(self, buf: bytearray) -> Optional[Tuple[str, str, str, Dict[str, str], bytes]]:
        head = self.head
        if head is None:
            # tolerate stray CRLFs between requests
            while buf[:2] == b"\r\n":
                del buf[:2]
            idx = buf.find(b"\r\n\r\n")
            if idx < 0:
                if len(buf) > _MAX_HEAD:
                    raise _BadRequest(431, "request header too large")
                return None
            lines = bytes(buf[:idx]).decode("latin-1").split("\r\n")
            parts = lines[0].split(" ")
            if len(parts) != 3 or not parts[2].startswith("HTTP/"):
                raise _BadRequest(400, "malformed request line")
            method, target, version = parts
            headers: Dict[str, str] = {}
            for line in lines[1:]:
                name, sep, value = line.partition(":")
                if not sep:
                    raise _BadRequest(400, "malformed header line")
                name = name.strip().lower()
                value = value.strip()
                if name in headers:
                    headers[name] = headers[name] + ", " + value
                else:
                    headers[name] = value
            body_start = idx + 4
            te = headers.get("transfer-encoding")
            if te is not None and "chunked" in te.lower():
                length = -1
            else:
                cl = headers.get("content-length")
                if cl is None:
                    length = 0
                else:
                    try:
                        length = int(cl)
                    except ValueError:
                        raise _BadRequest(400, "invalid content-length") from None
                    if length < 0:
                        raise _BadRequest(400, "invalid content-length")
                    if length > _MAX_BODY:
                        raise _BadRequest(413, "request body too large")
            head = (method, target, version, headers, body_start, length)
            self.head = head
            self.sent_continue = False
        method, target, version, headers, body_start, length = head
        if length >= 0:
            end = body_start + length
            if len(buf) < end:
                self._maybe_continue(headers)
                return None
            body = bytes(buf[body_start:end])
        else:
            res = _parse_chunked(buf, body_start)
            if res is None:
                self._maybe_continue(headers)
                return None
            body, end = res
        del buf[:end]
        self.head = None
        return method, target, version, headers, body

    def _maybe_continue(self, headers: Dict[str, str]) -> None:
        if not self.sent_continue and headers.get("expect", "").lower() == "100-continue":
            self.sent_continue = True
            if self.transport is not None:
                self.transport.write(_CONTINUE)

    # -- request handling ----------------------------------------------------------------------

    def _dispatch(self, method: str, target: str, version: str, headers: Dict[str, str], body: bytes) -> None:
        srv = self.srv
        if target.startswith(("http://", "https://")):
            slash = target.find("/", target.find("//") + 2)
            target = target[slash:] if slash >= 0 else "/"
        path, _, qs = target.partition("?")
        if "%" in path:
            path = unquote(path)
        query = dict(parse_qsl(qs, keep_blank_values=True)) if qs else {}
        conn_hdr = headers.get("connection")
        if version == "HTTP/1.1":
            keep_alive = conn_hdr is None or "close" not in conn_hdr.lower()
        else:
            keep_alive = conn_hdr is not None and "keep-alive" in conn_hdr.lower()
        data: Any = None
        if body:
            try:
                data = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                data = None
        rec = RecordedRequest(method, path, query, headers, body, data)
        behaviour = srv._admit(rec)
        try:
            if behaviour is _AUTH_FAILED:
                self._write_json(401, srv._auth_error(rec), None, keep_alive)
                return
            if behaviour is None:
                delay = srv.default_delay
                if delay > 0:
                    self._spawn(self._delayed_default(rec, keep_alive, delay))
                else:
                    self._respond_default(rec, keep_alive, None)
                return
            cls = type(behaviour)
            if cls is _Reply:
                if behaviour.delay > 0:
                    self._spawn(self._delayed_default(rec, keep_alive, behaviour.delay, behaviour))
                else:
                    self._respond_default(rec, keep_alive, behaviour)
            elif cls is _Raw:
                if behaviour.delay > 0:
                    self._spawn(self._delayed_raw(behaviour, keep_alive))
                else:
                    self._write_raw(behaviour, keep_alive)
            elif cls is _Stream:
                self._handle_stream(rec, behaviour, keep_alive)
            else:
                self._handle_fault(rec, behaviour.kind, keep_alive)
        except Exception as exc:  # never let a handler bug kill the connection silently
            if not self.closed and not self.busy:
                body_b = P.dumps(P.error_body(500, message=f"fake server error: {exc!r}"))
                self._write_json(500, body_b, None, False)

    def _spawn(self, coro: Any) -> None:
        self.busy = True
        self.task = asyncio.get_running_loop().create_task(self._guard(coro))

    async def _guard(self, coro: Any) -> None:
        try:
            await coro
        except asyncio.CancelledError:
            pass
        except Exception as exc:
            if not self.closed:
                try:
                    body_b = P.dumps(P.error_body(500, message=f"fake server error: {exc!r}"))
                    self._write_json(500, body_b, None, False)
                except Exception:
                    self.abort()
        finally:
            self.task = None
            self.busy = False
            if not self.closed and (self.buf or self.eof):
                self._process()

    # -- writers -------------------------------------------------------------------------------

    def _write_json(self, status: int, body: bytes, extra: Optional[bytes], keep_alive: bool) -> None:
        t = self.transport
        if t is None or self.closed:
            return
        parts = [_status_line(status), _JSON_HEAD, str(len(body)).encode(), b"\r\n"]
        if extra:
            parts.append(extra)
        if not keep_alive:
            parts.append(_CONN_CLOSE)
        parts.append(b"\r\n")
        parts.append(body)
        t.write(b"".join(parts))
        if not keep_alive:
            self._close()

    def _write_raw(self, b: _Raw, keep_alive: bool) -> None:
        t = self.transport
        if t is None or self.closed:
            return
        headers = dict(b.headers)
        headers["content-length"] = str(len(b.body))
        if not keep_alive:
            headers["connection"] = "close"
        elif headers.get("connection", "").lower() == "close":
            keep_alive = False
        t.write(_status_line(b.status) + _header_bytes(headers) + b"\r\n" + b.body)
        if not keep_alive:
            self._close()

    def _sse_head(self, keep_alive: bool, status: int = 200, headers: Optional[Dict[str, str]] = None) -> Tuple[bytes, bool]:
        """(header bytes, chunked?) for an SSE response."""
        chunked = keep_alive and self.srv.sse_framing == "chunked"
        if status == 200 and not headers:
            return (_SSE_HEAD_CHUNKED if chunked else _SSE_HEAD_CLOSE) + b"\r\n", chunked
        h = {"content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache"}
        if headers:
            h = _merge_headers(h, headers)
        if chunked:
            h["transfer-encoding"] = "chunked"
        else:
            h["connection"] = "close"
        return _status_line(status) + _header_bytes(h) + b"\r\n", chunked

    def _write_stream_all(self, events: List[bytes], terminator: Optional[bytes], keep_alive: bool) -> None:
        t = self.transport
        if t is None or self.closed:
            return
        head, chunked = self._sse_head(keep_alive)
        if terminator is not None:
            events = events + [terminator]
        if chunked:
            out = [head]
            for ev in events:
                out.append(b"%x\r\n" % len(ev))
                out.append(ev)
                out.append(b"\r\n")
            out.append(_CHUNKED_END)
            t.write(b"".join(out))
        else:
            t.write(head + b"".join(events))
            self._close()

    async def _write_stream_slow(
        self,
        head: bytes,
        chunked: bool,
        events: List[bytes],
        chunk_delay: float,
        cut_after: Optional[int],
    ) -> None:
        """Write ``events`` one by one, sleeping ``chunk_delay`` between them; with ``cut_after``
        close the connection (no chunked terminator) after that many events."""
        t = self.transport
        if t is None or self.closed:
            return
        t.write(head)
        for i, ev in enumerate(events):
            if cut_after is not None and i >= cut_after:
                break
            if i and chunk_delay > 0:
                await asyncio.sleep(chunk_delay)
            if self.closed:
                return
            t.write(b"%x\r\n%s\r\n" % (len(ev), ev) if chunked else ev)
        if cut_after is not None or not chunked:
            self._close()
        else:
            t.write(_CHUNKED_END)

    # -- default replies -----------------------------------------------------------------------

    async def _delayed_default(self, rec: RecordedRequest, keep_alive: bool, delay: float, reply: Optional[_Reply] = None) -> None:
        await asyncio.sleep(delay)
        if not self.closed:
            self._respond_default(rec, keep_alive, reply)

    async def _delayed_raw(self, b: _Raw, keep_alive: bool) -> None:
        await asyncio.sleep(b.delay)
        self._write_raw(b, keep_alive)

    def _respond_default(self, rec: RecordedRequest, keep_alive: bool, reply: Optional[_Reply]) -> None:
        res = self.srv._route(rec, reply)
        if res[0] == "json":
            _, status, body, extra = res
            self._write_json(status, body, extra, keep_alive)
        else:
            self._write_stream_all(res[1], P.DONE_EVENT, keep_alive)

    # -- queued streams and faults ---------------------------------------------------------------

    def _handle_stream(self, rec: RecordedRequest, s: _Stream, keep_alive: bool) -> None:
        if s.events is None:
            events = self.srv._default_events(rec)
        else:
            events = [_encode_event(e) for e in s.events]
        terminator = P.DONE_EVENT if s.terminate else None
        plain = s.status == 200 and not s.headers
        if s.delay <= 0 and s.chunk_delay <= 0 and s.cut_after is None and plain:
            self._write_stream_all(events, terminator, keep_alive)
            return
        if terminator is not None:
            events = events + [terminator]
        self._spawn(self._slow_stream(s, events, keep_alive))

    async def _slow_stream(self, s: _Stream, events: List[bytes], keep_alive: bool) -> None:
        if s.delay > 0:
            await asyncio.sleep(s.delay)
        if self.closed:
            return
        head, chunked = self._sse_head(keep_alive, s.status, s.headers)
        await self._write_stream_slow(head, chunked, events, s.chunk_delay, s.cut_after)

    def _handle_fault(self, rec: RecordedRequest, kind: str, keep_alive: bool) -> None:
        if kind == "reset":
            t = self.transport
            if t is not None:
                sock = t.get_extra_info("socket")
                if sock is not None:
                    try:
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    except OSError:
                        pass
            self.abort()
            return
        if kind == "stall":
            self.busy = True  # never answers; stop() or the client closing ends it
            return
        events = self.srv._default_events(rec)
        if kind == "cut_stream":
            keep = max(1, min(3, len(events) - 1))
            head, chunked = self._sse_head(keep_alive)
            t = self.transport
            if t is not None and not self.closed:
                out = [head]
                for ev in events[:keep]:
                    out.append(b"%x\r\n%s\r\n" % (len(ev), ev) if chunked else ev)
                t.write(b"".join(out))
                self._close()
            return
        if kind == "malformed_stream":
            self._write_stream_all(events[:1] + [_MALFORMED_EVENT], P.DONE_EVENT, keep_alive)
            return
        if kind == "stream_error_event":
            keep = max(1, min(2, len(events) - 1))
            self._write_stream_all(events[:keep] + [P.stream_error_event()], None, keep_alive)
            return
        if kind == "no_done":
            self._write_stream_all(events, None, keep_alive)
            return
        raise ValueError(f"unknown fault kind {kind!r}")


_AUTH_FAILED: Any = object()


# ---------------------------------------------------------------------------------------------
# the server
# ---------------------------------------------------------------------------------------------

_Route = Union[Tuple[str, int, bytes, Optional[bytes]], Tuple[str, List[bytes]]]


class FakeOpenAIServer:
    """An OpenAI-compatible HTTP server on 127.0.0.1 for tests, demos and benchmarks.

    Runs on its own event loop in a daemon thread (``start()`` / ``stop()`` or ``with``)::

        with FakeOpenAIServer() as srv:
            client = openai.OpenAI(base_url=srv.base_url, api_key="sk-test")
            srv.enqueue_error(429, count=2)
            ...
            assert srv.hits("/chat/completions") == 3

    Behaviours queued with ``enqueue_*`` are consumed one per request (FIFO; an optional ``path``
    suffix restricts which requests an entry applies to); with an empty queue the default reply for
    the endpoint is sent.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        require_key: Optional[str] = None,
        default_delay: float = 0.0,
        record: bool = True,
        sse_framing: str = "chunked",
        embedding_dims: int = P.DEFAULT_EMBEDDING_DIMS,
    ) -> None:
        if sse_framing not in ("chunked", "close"):
            raise ValueError("sse_framing must be 'chunked' or 'close'")
        self.host = host
        self.port = port
        self.require_key = require_key
        self.default_delay = float(default_delay)
        self.record = record
        self.sse_framing = sse_framing
        self.embedding_dims = embedding_dims
        self._lock = threading.Lock()
        self._requests: List[RecordedRequest] = []
        self._hits: Counter = Counter()
        self._queue: Deque[_Behaviour] = deque()
        self._conns: "set[_Connection]" = set()
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._server: Optional[asyncio.AbstractServer] = None
        self._thread: Optional[threading.Thread] = None
        self._id_prefix = os.urandom(6).hex()
        self._seq = 0
        self._model_list_body = P.dumps(P.models_list())

    # -- lifecycle -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self, timeout: float = 10.0) -> "FakeOpenAIServer":
        """Start serving in a background daemon thread; returns once the socket is listening."""
        if self._thread is not None:
            return self
        ready = threading.Event()
        errors: List[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            try:
                asyncio.set_event_loop(loop)
                try:
                    loop.run_until_complete(self._open())
                except BaseException as exc:  # report to start()
                    errors.append(exc)
                    return
                finally:
                    ready.set()
                loop.run_forever()
            finally:
                try:
                    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
                    for t in pending:
                        t.cancel()
                    if pending:
                        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
                    loop.run_until_complete(asyncio.sleep(0))
                finally:
                    asyncio.set_event_loop(None)
                    loop.close()

        th = threading.Thread(target=run, name=f"FakeOpenAIServer:{self.port}", daemon=True)
        self._thread = th
        th.start()
        if not ready.wait(timeout):
            raise RuntimeError("fake server did not start in time")
        if errors:
            self._thread = None
            th.join(1.0)
            raise errors[0]
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Close the listening socket and every client connection (stalled ones too); join the thread."""
        th = self._thread
        loop = self._loop
        if th is None:
            return
        self._thread = None
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(self._shutdown_in_loop, True)
            except RuntimeError:  # loop already closed
                pass
        th.join(timeout)

    def _shutdown_in_loop(self, stop_loop: bool = False) -> None:
        server = self._server
        self._server = None
        if server is not None:
            server.close()
        for conn in list(self._conns):
            conn.abort()
        self._conns.clear()
        if stop_loop and self._loop is not None:
            self._loop.stop()

    async def _open(self) -> None:
        """Create the listening socket on the running loop."""
        loop = asyncio.get_running_loop()
        self._loop = loop
        self._server = await loop.create_server(
            lambda: _Connection(self), self.host, self.port, backlog=2048, reuse_address=True
        )
        sock = self._server.sockets[0]
        self.port = sock.getsockname()[1]

    async def serve_forever(self, on_ready: Optional[Callable[["FakeOpenAIServer"], None]] = None) -> None:
        """Serve on the *current* event loop until cancelled (used by ``python -m litegate.testing serve``)."""
        await self._open()
        if on_ready is not None:
            on_ready(self)
        try:
            await asyncio.Event().wait()
        finally:
            self._shutdown_in_loop()

    def __enter__(self) -> "FakeOpenAIServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    async def __aenter__(self) -> "FakeOpenAIServer":
        return self.start()

    async def __aexit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<FakeOpenAIServer {self.url} {'running' if self.running else 'stopped'}>"

    # -- recordings ----------------------------------------------------------------------------

    @property
    def requests(self) -> List[RecordedRequest]:
        """A snapshot list of the recorded requests (oldest first)."""
        with self._lock:
            return list(self._requests)

    @property
    def last_request(self) -> Optional[RecordedRequest]:
        with self._lock:
            return self._requests[-1] if self._requests else None

    @property
    def open_connections(self) -> int:
        """Client connections currently open to this server (a leak test reads this)."""
        return len(self._conns)

    def hits(self, path_suffix: Optional[str] = None) -> int:
        """Number of requests received (optionally only those whose path ends with ``path_suffix``)."""
        with self._lock:
            if path_suffix is None:
                return sum(self._hits.values())
            return sum(v for p, v in self._hits.items() if p.endswith(path_suffix))

    def reset(self) -> None:
        """Forget recorded requests and drop every queued behaviour."""
        with self._lock:
            self._requests.clear()
            self._hits.clear()
            self._queue.clear()

    @property
    def pending(self) -> int:
        """Number of queued behaviours not yet consumed."""
        with self._lock:
            return len(self._queue)

    def wait_for_hits(self, n: int, timeout: float = 5.0, path_suffix: Optional[str] = None) -> bool:
        """Poll until at least ``n`` requests arrived; False on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            if self.hits(path_suffix) >= n:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.005)

    # -- queueing ------------------------------------------------------------------------------

    def _push(self, items: Iterable[_Behaviour]) -> None:
        with self._lock:
            self._queue.extend(items)

    def enqueue_error(
        self,
        status: int = 429,
        count: int = 1,
        body: Optional[Union[bytes, str, Dict[str, Any]]] = None,
        headers: Optional[Mapping[str, Optional[str]]] = None,
        *,
        code: Optional[str] = None,
        message: Optional[str] = None,
        type: Optional[str] = None,  # noqa: A002 - the wire field's name
        param: Optional[str] = None,
        delay: float = 0.0,
        path: Optional[str] = None,
    ) -> None:
        """Queue ``count`` error responses.

        ``body`` defaults to OpenAI's error shape for ``status`` (``code`` / ``message`` / ``type`` /
        ``param`` override its fields; e.g. ``enqueue_error(400, code="context_length_exceeded")``).
        429 and 503 carry ``retry-after: 0`` unless ``headers`` says otherwise (a ``None`` value
        removes a default header).
        """
        if body is None:
            kw: Dict[str, Any] = {}
            if code is not None:
                kw["code"] = code
            if type is not None:
                kw["type"] = type
            if param is not None:
                kw["param"] = param
            raw = P.dumps(P.error_body(status, message=message, **kw))
        else:
            raw = _body_bytes(body)
        defaults = {"content-type": "application/json; charset=utf-8"}
        if status in (429, 503):
            defaults["retry-after"] = "0"
        if status == 429:
            defaults["x-ratelimit-remaining-requests"] = "0"
        hdrs = _merge_headers(defaults, headers)
        self._push(_Raw(status, raw, hdrs, delay, path) for _ in range(count))

    def enqueue_reply(
        self,
        content: Optional[str] = "hello",
        tool_calls: Optional[List[Any]] = None,
        finish_reason: Optional[str] = None,
        usage: Optional[Dict[str, Any]] = None,
        delay: float = 0.0,
        model: Optional[str] = None,
        *,
        count: int = 1,
        path: Optional[str] = None,
    ) -> None:
        """Queue a successful reply with the given content (or tool calls).

        Streamed automatically when the request has ``"stream": true``. ``tool_calls`` items are
        ``{"name": ..., "arguments": dict|str}`` or the full OpenAI ``{"id", "type", "function"}``
        form. ``finish_reason`` defaults to ``"tool_calls"`` with tool calls, else ``"stop"``.
        ``delay`` seconds pass before the response headers. On non-chat endpoints the reply is the
        endpoint's default one (``content`` becomes the text of a legacy completion).
        """
        self._push(
            _Reply(content, tool_calls, finish_reason, usage, float(delay), model, True, path) for _ in range(count)
        )

    def enqueue_raw(
        self,
        status: int,
        body: Union[bytes, str, Dict[str, Any], List[Any]],
        headers: Optional[Mapping[str, Optional[str]]] = None,
        *,
        delay: float = 0.0,
        count: int = 1,
        path: Optional[str] = None,
    ) -> None:
        """Queue an exact response (``dict``/``list`` bodies are JSON-encoded; content-type defaults to JSON)."""
        raw = _body_bytes(body)
        hdrs = _merge_headers({"content-type": "application/json"}, headers)
        self._push(_Raw(int(status), raw, hdrs, float(delay), path) for _ in range(count))

    def enqueue_stream(
        self,
        events: Optional[List[Any]] = None,
        chunk_delay: float = 0.0,
        terminate: bool = True,
        cut_after: Optional[int] = None,
        *,
        delay: float = 0.0,
        status: int = 200,
        headers: Optional[Mapping[str, Optional[str]]] = None,
        path: Optional[str] = None,
    ) -> None:
        """Queue an SSE response.

        ``events``: ``dict`` items are JSON-encoded, ``str`` items are sent as the ``data:`` payload,
        ``bytes`` items are written verbatim (your own framing); ``None`` = the default stream for
        the request. ``terminate`` appends ``data: [DONE]``. ``cut_after=k`` closes the connection
        after ``k`` events (no chunked terminator). ``chunk_delay`` sleeps between events; ``delay``
        before the headers.
        """
        evs = None if events is None else list(events)
        self._push(
            [_Stream(evs, float(chunk_delay), terminate, cut_after, float(delay), int(status), dict(headers or {}), path)]
        )

    def enqueue_fault(self, kind: str, *, count: int = 1, path: Optional[str] = None) -> None:
        """Queue a transport fault: ``reset``, ``stall``, ``cut_stream``, ``malformed_stream``,
        ``stream_error_event`` or ``no_done``."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(FAULT_KINDS)}")
        self._push(_Fault(kind, path) for _ in range(count))

    # -- per-request logic (runs on the server loop) ----------------------------------------------

    def _admit(self, rec: RecordedRequest) -> Any:
        """Record ``rec`` and take the behaviour for it (None = default; _AUTH_FAILED).

        Dialect servers override the three steps: ``_authorized`` (their auth header),
        ``_take`` (which queued behaviour a request may use) and ``_resolve`` (turn it into a reply).
        """
        with self._lock:
            if self.record:
                self._requests.append(rec)
            self._hits[rec.path] += 1
            if self.require_key is not None and not self._authorized(rec):
                return _AUTH_FAILED
            behaviour = self._take(rec)
        try:
            return self._resolve(rec, behaviour)
        except Exception as exc:  # noqa: BLE001 - a bug in a dialect's reply must still answer the client
            return self._resolve_failed(exc)

    def _authorized(self, rec: RecordedRequest) -> bool:
        key = self.require_key
        h = rec.headers
        return h.get("authorization") == "Bearer " + key or h.get("api-key") == key

    def _take(self, rec: RecordedRequest) -> Optional[_Behaviour]:
        """The first queued behaviour meant for this request's path (called with the lock held)."""
        q = self._queue
        for i, b in enumerate(q):
            if b.path is None or rec.path.endswith(b.path):
                del q[i]
                return b
        return None

    def _resolve(self, rec: RecordedRequest, behaviour: Optional[_Behaviour]) -> Any:
        return behaviour

    def _resolve_failed(self, exc: Exception) -> Any:
        raise exc

    def _auth_error(self, rec: RecordedRequest) -> bytes:
        if rec.path.startswith("/openai/"):
            return P.dumps(P.azure_auth_error_body())
        auth = rec.headers.get("authorization", "")
        key = auth[7:] if auth.startswith("Bearer ") else rec.headers.get("api-key", "")
        if not key:
            return P.dumps(P.missing_key_error_body())
        return P.dumps(P.wrong_key_error_body(key))

    def _next_id(self, prefix: str) -> str:
        self._seq += 1
        return f"{prefix}{self._id_prefix}{self._seq:010d}"

    def _new_call_id(self) -> str:
        return self._next_id("call_")

    @staticmethod
    def _endpoint(path: str) -> Tuple[Optional[str], Optional[str]]:
        """(endpoint kind, azure deployment) for ``path``."""
        deployment = None
        if path.startswith("/openai/deployments/"):
            rest = path[len("/openai/deployments/") :]
            deployment, _, path = rest.partition("/")
            path = "/" + path
        p = path.rstrip("/")
        if p.endswith("/chat/completions"):
            return "chat", deployment
        if p.endswith("/completions"):
            return "completions", deployment
        if p.endswith("/embeddings"):
            return "embeddings", deployment
        if p.endswith("/models") or "/models/" in p:
            return "models", deployment
        return None, deployment

    def _route(self, rec: RecordedRequest, reply: Optional[_Reply]) -> _Route:
        kind, deployment = self._endpoint(rec.path)
        if kind is None:
            return ("json", 404, P.dumps(P.invalid_url_body(rec.method, rec.path)), None)
        if kind == "models":
            if rec.method != "GET":
                return ("json", 404, P.dumps(P.invalid_url_body(rec.method, rec.path)), None)
            p = rec.path.rstrip("/")
            if p.endswith("/models"):
                return ("json", 200, self._model_list_body, None)
            model_id = p[p.rfind("/models/") + len("/models/") :]
            return ("json", 200, P.dumps(P.model_object(model_id)), None)
        if rec.method != "POST":
            return ("json", 405, P.dumps(P.error_body(405, message=f"Method {rec.method} not allowed for {rec.path}")), None)
        body = rec.json
        if not isinstance(body, dict):
            return (
                "json",
                400,
                P.dumps(
                    P.bad_request_body(
                        "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
                        "using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was "
                        "sent was not valid JSON.)"
                    )
                ),
                None,
            )
        model = deployment or body.get("model")
        if reply is not None and reply.model:
            model = reply.model
        if kind == "chat":
            return self._route_chat(body, model, reply, deployment is not None)
        if kind == "embeddings":
            return self._route_embeddings(body, model)
        return self._route_completions(body, model, reply)

    def _route_chat(self, body: Dict[str, Any], model: Any, reply: Optional[_Reply], azure: bool) -> _Route:
        msgs = body.get("messages")
        if not isinstance(msgs, list) or not msgs:
            return (
                "json",
                400,
                P.dumps(
                    P.bad_request_body(
                        "Missing required parameter: 'messages'.", "messages", "missing_required_parameter"
                    )
                ),
                None,
            )
        if not isinstance(model, str) or not model:
            return ("json", 400, P.dumps(P.bad_request_body("you must provide a model parameter")), None)
        if reply is None:
            plan = P.plan_chat(body, model, self._new_call_id)
        else:
            plan = P.plan_chat(
                body,
                model,
                self._new_call_id,
                content=reply.content,
                tool_calls=reply.tool_calls,
                finish_reason=reply.finish_reason,
                usage=reply.usage,
                use_default=False,
            )
        cid = self._next_id("chatcmpl-")
        created = int(time.time())
        if body.get("stream") is True:
            return ("sse", P.chat_stream_events(plan, cid, created, P.include_usage(body)))
        return ("json", 200, P.dumps(P.chat_completion(plan, cid, created, azure)), None)

    def _route_completions(self, body: Dict[str, Any], model: Any, reply: Optional[_Reply]) -> _Route:
        if not isinstance(model, str) or not model:
            return ("json", 400, P.dumps(P.bad_request_body("you must provide a model parameter")), None)
        if reply is not None:
            plan = P.plan_completion(body, model, reply.content, reply.finish_reason, reply.usage)
        else:
            plan = P.plan_completion(body, model)
        cid = self._next_id("cmpl-")
        created = int(time.time())
        if body.get("stream") is True:
            return ("sse", P.completion_stream_events(plan, cid, created, P.include_usage(body)))
        return ("json", 200, P.dumps(P.text_completion(plan, cid, created)), None)

    def _route_embeddings(self, body: Dict[str, Any], model: Any) -> _Route:
        items = P.embedding_inputs(body.get("input"))
        if items is None:
            return (
                "json",
                400,
                P.dumps(P.bad_request_body("'input' must be a non-empty string, array of strings or token arrays.", "input")),
                None,
            )
        if not isinstance(model, str) or not model:
            return ("json", 400, P.dumps(P.bad_request_body("you must provide a model parameter")), None)
        dims = body.get("dimensions")
        if dims is None:
            dims = self.embedding_dims
        if isinstance(dims, bool) or not isinstance(dims, int) or not 1 <= dims <= 16384:
            return ("json", 400, P.dumps(P.bad_request_body("Invalid 'dimensions'.", "dimensions")), None)
        b64 = body.get("encoding_format") == "base64"
        return ("json", 200, P.dumps(P.embeddings_response(items, dims, model, b64)), None)

    def _default_events(self, rec: RecordedRequest) -> List[bytes]:
        """SSE events (without ``[DONE]``) of the default stream for ``rec`` (used by faults)."""
        kind, deployment = self._endpoint(rec.path)
        body = rec.json if isinstance(rec.json, dict) else {}
        model = deployment or body.get("model") or (
            P.DEFAULT_COMPLETION_MODEL if kind == "completions" else P.DEFAULT_CHAT_MODEL
        )
        created = int(time.time())
        if kind == "completions":
            cplan = P.plan_completion(body, str(model))
            return P.completion_stream_events(cplan, self._next_id("cmpl-"), created, P.include_usage(body))
        if not isinstance(body.get("messages"), list):
            body = dict(body, messages=[{"role": "user", "content": "hello"}])
        plan = P.plan_chat(body, str(model), self._new_call_id)
        return P.chat_stream_events(plan, self._next_id("chatcmpl-"), created, P.include_usage(body))


def _body_bytes(body: Any) -> bytes:
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    return P.dumps(body)
