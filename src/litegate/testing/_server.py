"""The fake-server base: a real HTTP/1.1 server on asyncio (standard library only).

:class:`FakeServerBase` owns everything that is not a provider's wire format: the HTTP handling
(keep-alive, ``Content-Length`` and chunked request bodies, ``Expect: 100-continue``, chunked or
close-delimited streams), the life cycle, request recording, the behaviour queue (queued errors,
replies, raw answers, streams and transport faults), delays, the admission path (record, check
auth, take the queued behaviour) and the stream encoders (SSE, typed SSE events, NDJSON). It is
tuned for throughput: replies that need no waiting are written straight from ``data_received``
without creating a task, and static response parts are pre-encoded.

A dialect server (``FakeOpenAIServer``, ``FakeAnthropicServer``, ...) plugs into it by
declaration; the hooks below are all it overrides (besides ``base_url`` and extending ``reset``
for its own state), each with the base's signature:

* ``routes``: the routing table, ``Route(pattern, handler, methods)``. ``pattern`` is a regular
  expression matched against the whole request path (trailing ``/`` removed); ``handler`` names a
  method ``handler(call) -> Answer`` that builds the response for one request: a :class:`_Raw`
  (``self._json(status, obj)``) or, for a streamed answer, :class:`Events`. A handler may raise
  :class:`Invalid` for a dialect error (answered with ``_error``);
* the auth rule: ``key_headers`` (where ``require_key`` may be presented) with ``_auth_error``,
  or ``_auth(call)`` for a rule that is not a key in a header;
* ``streams`` (:class:`Streams`): how the dialect frames a stream and how the stream faults
  break it; ``fault_kinds``;
* the dialect's answers for what no handler builds: ``_error(status, message)``,
  ``_not_found(rec)``, ``_wrong_method(rec, route)``, and ``_headers()`` for its JSON answers.

Its public ``enqueue_error`` / ``enqueue_reply`` / ``enqueue_stream`` speak the dialect's words
and queue through ``_queue_response`` / ``_queue_reply`` / ``_queue_stream``.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import struct
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias, TypeVar, overload
from urllib.parse import parse_qsl, unquote

from . import _payloads as P

if TYPE_CHECKING:
    from collections.abc import Coroutine

__all__ = ["FakeServerBase", "RecordedRequest", "FAULT_KINDS", "Route", "Call", "Events", "Streams", "Invalid"]

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
_STATUS_LINES: dict[int, bytes] = {}


def _status_line(status: int) -> bytes:
    line = _STATUS_LINES.get(status)
    if line is None:
        line = f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}\r\n".encode("latin-1")
        _STATUS_LINES[status] = line
    return line


_JSON_HEAD = b"content-type: application/json\r\ncontent-length: "
_CONN_CLOSE = b"connection: close\r\n"
_CHUNKED_END = b"0\r\n\r\n"
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


@dataclass(eq=False)
class RecordedRequest:
    """One request as the server received it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    json: Any = None  # the decoded JSON body, or None
    # when the whole request had arrived (``time.monotonic()``, comparable with the test's clock)
    received_at: float = field(default_factory=time.monotonic)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @overload
    def header(self, name: str) -> str | None: ...
    @overload
    def header(self, name: str, default: str) -> str: ...
    @overload
    def header(self, name: str, default: str | None) -> str | None: ...
    def header(self, name: str, default: str | None = None) -> str | None:
        """The value of header ``name`` (any case), or ``default``."""
        return self.headers.get(name.lower(), default)

    def __repr__(self) -> str:
        return f"RecordedRequest({self.method} {self.path}, {len(self.body)} bytes)"


# ---------------------------------------------------------------------------------------------
# encoders
# ---------------------------------------------------------------------------------------------


def _json_text(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def sse_event(payload: str, eol: str = "\n") -> bytes:
    """One SSE event carrying ``payload`` (a multi-line payload becomes several ``data:`` lines)."""
    if "\n" in payload:
        return ("".join("data: " + line + eol for line in payload.split("\n")) + eol).encode("utf-8")
    return ("data: " + payload + eol + eol).encode("utf-8")


def encode_sse(item: Any, eol: str = "\n") -> bytes:
    """A stream item as an SSE event: bytes verbatim, a ``str`` as the data payload, else its JSON."""
    if isinstance(item, (bytes, bytearray, memoryview)):
        return bytes(item)
    return sse_event(item if isinstance(item, str) else _json_text(item), eol)


def encode_sse_crlf(item: Any) -> bytes:
    """:func:`encode_sse` with CRLF line ends (Google's framing)."""
    return encode_sse(item, "\r\n")


def typed_sse(event: dict[str, Any]) -> bytes:
    """One SSE event framed as ``event: <type>`` then ``data: <json>`` (Anthropic's and Cohere's form)."""
    return b"event: " + str(event.get("type")).encode() + b"\ndata: " + P.dumps(event) + b"\n\n"


def encode_typed_event(item: Any) -> bytes:
    """A stream item as a typed SSE event: bytes verbatim, a JSON text framed with its ``type``, a
    dict through :func:`typed_sse`."""
    if isinstance(item, (bytes, bytearray, memoryview)):
        return bytes(item)
    if isinstance(item, str):
        try:
            name = json.loads(item).get("type")
        except (ValueError, AttributeError):
            name = None
        head = b"event: " + str(name).encode() + b"\n" if name else b""
        return head + b"data: " + item.encode("utf-8") + b"\n\n"
    return typed_sse(item)


def ndjson_line(item: Any) -> bytes:
    """A stream item as one NDJSON line: bytes verbatim, a ``str`` with a newline added, else its JSON."""
    if isinstance(item, (bytes, bytearray, memoryview)):
        return bytes(item)
    if isinstance(item, str):
        return (item if item.endswith("\n") else item + "\n").encode("utf-8")
    return P.dumps(item) + b"\n"


SSE_HEADERS: Mapping[str, str] = {"content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache"}


@dataclass(frozen=True)
class Streams:
    """How a dialect streams. The base frames, delays, cuts and breaks streams from this."""

    headers: Mapping[str, str] = field(default_factory=lambda: dict(SSE_HEADERS))  # of a streamed response
    encode: Callable[[Any], bytes] = encode_sse  # one queued item (dict / str / bytes) -> its bytes
    terminator: bytes | None = None  # written after a complete stream (OpenAI's ``data: [DONE]``)
    final_event: bool = True  # the last event ends the stream; an unfinished stream (no_done) lacks it
    # appended to queued events (``terminate=True``) when none of them holds ``closing_marker``
    closing_event: bytes | None = None
    closing_marker: bytes = b""
    malformed_event: bytes = b"data: {not json\n\n"  # malformed_stream: an event whose data is not JSON
    malformed_keeps_rest: bool = False  # malformed_stream goes on with the rest of the stream
    error_event: bytes = b'data: {"error":{"message":"stream error"}}\n\n'  # stream_error_event's last event
    # the pre-encoded head of a plain streamed response: (close-delimited, chunked)
    heads: tuple[bytes, bytes] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        heads = tuple(
            _status_line(200) + _header_bytes(_merge_headers(self.headers, framing)) + b"\r\n"
            for framing in ({"connection": "close"}, {"transfer-encoding": "chunked"})
        )
        object.__setattr__(self, "heads", heads)


def _merge_headers(defaults: Mapping[str, str], extra: Mapping[str, str | None] | None) -> dict[str, str]:
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


def _body_bytes(body: Any) -> bytes:
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    return P.dumps(body)


# ---------------------------------------------------------------------------------------------
# queued behaviours and answers
# ---------------------------------------------------------------------------------------------


@dataclass(eq=False, slots=True)
class _Raw:
    """A complete response: a queued one (``enqueue_error`` / ``enqueue_raw``) or one a route built.
    ``headers=None`` is a plain JSON answer (written from pre-encoded parts)."""

    status: int
    body: bytes
    headers: dict[str, str] | None = None
    delay: float = 0.0
    path: str | None = None


@dataclass(eq=False, slots=True)
class _Reply:
    """A queued successful answer; ``custom`` holds the dialect's extra fields."""

    content: str | None
    tool_calls: list[Any] | None
    finish_reason: str | None
    usage: dict[str, Any] | None
    delay: float
    model: str | None
    custom: Any
    path: str | None


@dataclass(eq=False, slots=True)
class _Stream:
    """A queued stream: ``events`` already encoded (and terminated), or None for the route's own stream.

    ``delay`` passes before the headers, ``first_delay`` between the headers and the first event,
    ``chunk_delay`` between two events; ``cut_after`` closes the connection after that many events,
    ``stall_after`` goes silent after that many (the connection stays open until the client closes it)."""

    events: list[bytes] | None
    chunk_delay: float
    terminate: bool
    cut_after: int | None
    delay: float
    status: int
    headers: dict[str, str | None]  # a None value removes a default header
    path: str | None
    first_delay: float = 0.0
    stall_after: int | None = None


@dataclass(eq=False, slots=True)
class _Fault:
    kind: str
    path: str | None


_Behaviour: TypeAlias = _Raw | _Reply | _Stream | _Fault


class Events:
    """A streamed answer built by a route: its encoded events in order. ``unfinished`` (the stream
    without its clean end) and ``error_event`` override the dialect's defaults for the ``no_done``
    and ``stream_error_event`` faults."""

    __slots__ = ("events", "unfinished", "error_event")

    def __init__(
        self, events: list[bytes], unfinished: list[bytes] | None = None, error_event: bytes | None = None
    ) -> None:
        self.events = events
        self.unfinished = unfinished
        self.error_event = error_event


Answer: TypeAlias = _Raw | Events


class Invalid(Exception):
    """Raised by a route handler (or a request check): answer with the dialect's ``_error(status, message)``."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


class Route:
    """One entry of a dialect's routing table."""

    __slots__ = ("pattern", "handler", "methods", "shared_queue")

    def __init__(
        self, pattern: str, handler: str, methods: tuple[str, ...] = ("POST",), *, shared_queue: bool = True
    ) -> None:
        self.pattern = re.compile(pattern)  # matched against the whole path (trailing "/" removed)
        self.handler = handler  # the name of the server method building the answer: handler(call)
        self.methods = methods  # () = any method
        self.shared_queue = shared_queue  # False: only behaviours queued with a matching ``path`` apply

    def __repr__(self) -> str:
        return f"Route({self.pattern.pattern!r}, {self.handler!r})"


class Call:
    """One admitted request: its route (None: no route matches), the pattern's named groups and
    the queued behaviour taken for it (None: the default answer)."""

    __slots__ = ("rec", "route", "params", "behaviour")

    def __init__(self, rec: RecordedRequest, route: Route | None, params: dict[str, Any]) -> None:
        self.rec = rec
        self.route = route
        self.params = params
        self.behaviour: _Behaviour | None = None

    @property
    def reply(self) -> _Reply | None:
        """The queued reply to answer with (None: the default answer)."""
        b = self.behaviour
        return b if type(b) is _Reply else None

    @property
    def stream(self) -> bool:
        """A queued stream or stream fault wants this answer streamed."""
        return type(self.behaviour) in (_Stream, _Fault)


class _BadRequest(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def _parse_chunked(buf: bytearray, start: int) -> tuple[bytes, int] | None:
    """Decode a chunked body starting at ``start``; (body, end offset) or None when incomplete."""
    parts: list[bytes] = []
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
        "silent",
    )

    def __init__(self, srv: FakeServerBase) -> None:
        self.srv = srv
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.busy = False
        self.closed = False
        self.task: asyncio.Task[None] | None = None
        # parsed request head waiting for its body: (method, target, version, headers, body_start, length|-1)
        self.head: tuple[str, str, str, dict[str, str], int, int] | None = None
        self.sent_continue = False
        self.eof = False
        self.silent = False  # held open in silence (stall fault, stall_after): the client's EOF ends it

    # -- asyncio callbacks ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.srv._conns.add(self)

    def connection_lost(self, exc: BaseException | None) -> None:
        self.closed = True
        self.srv._conns.discard(self)
        task = self.task
        if task is not None and not task.done():
            task.cancel()

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if not self.busy:
            self._process()

    def eof_received(self) -> bool | None:
        self.eof = True
        if self.silent:  # the client gave up on a stalled stream: nothing more will be sent
            self.abort()
            return None
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
                self._write_raw(self.srv._error(e.status, str(e)), False)
                return
            if req is None:
                return
            self._dispatch(*req)
        if self.eof and not self.busy and not self.closed:
            self._close()

    def _parse(self, buf: bytearray) -> tuple[str, str, str, dict[str, str], bytes] | None:
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
            headers: dict[str, str] = {}
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

    def _maybe_continue(self, headers: dict[str, str]) -> None:
        if not self.sent_continue and headers.get("expect", "").lower() == "100-continue":
            self.sent_continue = True
            if self.transport is not None:
                self.transport.write(_CONTINUE)

    # -- request handling ----------------------------------------------------------------------

    def _dispatch(self, method: str, target: str, version: str, headers: dict[str, str], body: bytes) -> None:
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
        call = srv._admit(RecordedRequest(method, path, query, headers, body, data))
        b = call.behaviour
        try:
            if b is None or type(b) is _Reply:
                delay = srv.default_delay if b is None else b.delay
                if delay > 0:
                    self._spawn(self._later(delay, self._respond, call, keep_alive))
                else:
                    self._respond(call, keep_alive)
            elif type(b) is _Raw:
                if b.delay > 0:
                    self._spawn(self._later(b.delay, self._write_raw, b, keep_alive))
                else:
                    self._write_raw(b, keep_alive)
            elif type(b) is _Stream:
                self._handle_stream(call, b, keep_alive)
            elif type(b) is _Fault:
                self._handle_fault(call, b.kind, keep_alive)
        except Exception as exc:  # never let a handler bug kill the connection silently
            if not self.closed and not self.busy:
                self._write_raw(srv._error(500, f"fake server error: {exc!r}"), False)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        self.busy = True
        self.task = asyncio.get_running_loop().create_task(self._guard(coro))

    async def _guard(self, coro: Coroutine[Any, Any, None]) -> None:
        try:
            await coro
        except asyncio.CancelledError:
            pass
        except Exception as exc:
            if not self.closed:
                try:
                    self._write_raw(self.srv._error(500, f"fake server error: {exc!r}"), False)
                except Exception:
                    self.abort()
        finally:
            self.task = None
            self.busy = False
            if not self.closed and (self.buf or self.eof):
                self._process()

    async def _later(self, delay: float, write: Callable[..., None], *args: Any) -> None:
        await asyncio.sleep(delay)
        if not self.closed:
            write(*args)

    def _respond(self, call: Call, keep_alive: bool) -> None:
        """The route's answer (a queued reply's, or the default one)."""
        ans = self.srv._answer(call)
        if isinstance(ans, _Raw):
            self._write_raw(ans, keep_alive)
        else:
            self._write_stream(self.srv._complete(ans), keep_alive)

    def _handle_stream(self, call: Call, s: _Stream, keep_alive: bool) -> None:
        srv = self.srv
        if s.events is not None:
            events = s.events
        else:
            ans = srv._answer(call)
            if isinstance(ans, _Raw):  # no stream on this route (or an error): answer as it says
                if s.delay > 0:
                    self._spawn(self._later(s.delay, self._write_raw, ans, keep_alive))
                else:
                    self._write_raw(ans, keep_alive)
                return
            events = srv._complete(ans) if s.terminate else srv._unfinished(ans)
        plain = s.status == 200 and not s.headers
        if (
            s.delay <= 0
            and s.chunk_delay <= 0
            and s.first_delay <= 0
            and s.cut_after is None
            and s.stall_after is None
            and plain
        ):
            self._write_stream(events, keep_alive)
            return
        self._spawn(self._slow_stream(s, events, keep_alive))

    def _handle_fault(self, call: Call, kind: str, keep_alive: bool) -> None:
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
            self.silent = True
            if self.eof:
                self.abort()
            return
        ans = self.srv._answer(call)
        if isinstance(ans, _Raw):  # no stream to break on this route (or an error)
            self._write_raw(ans, keep_alive)
            return
        events, cut = self.srv._broken(kind, ans)
        self._write_stream(events, keep_alive, cut=cut)

    # -- writers -------------------------------------------------------------------------------

    def _write_json(self, status: int, body: bytes, keep_alive: bool) -> None:
        t = self.transport
        if t is None or self.closed:
            return
        parts = [_status_line(status), _JSON_HEAD, str(len(body)).encode(), b"\r\n"]
        if not keep_alive:
            parts.append(_CONN_CLOSE)
        parts.append(b"\r\n")
        parts.append(body)
        t.write(b"".join(parts))
        if not keep_alive:
            self._close()

    def _write_raw(self, b: _Raw, keep_alive: bool) -> None:
        if b.headers is None:
            self._write_json(b.status, b.body, keep_alive)
            return
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

    def _stream_head(
        self, keep_alive: bool, status: int = 200, headers: Mapping[str, str | None] | None = None
    ) -> tuple[bytes, bool]:
        """(header bytes, chunked?) of a streamed response."""
        srv = self.srv
        chunked = keep_alive and srv.sse_framing == "chunked"
        if status == 200 and not headers:
            return srv.streams.heads[chunked], chunked
        h = _merge_headers(srv.streams.headers, headers)
        if chunked:
            h["transfer-encoding"] = "chunked"
        else:
            h["connection"] = "close"
        return _status_line(status) + _header_bytes(h) + b"\r\n", chunked

    def _write_stream(self, events: list[bytes], keep_alive: bool, cut: bool = False) -> None:
        """Write a whole stream at once; ``cut``: close the connection after it without ending the
        stream (no chunked terminator)."""
        t = self.transport
        if t is None or self.closed:
            return
        head, chunked = self._stream_head(keep_alive)
        if chunked:
            out = [head]
            for ev in events:
                out.append(b"%x\r\n" % len(ev))
                out.append(ev)
                out.append(b"\r\n")
            if not cut:
                out.append(_CHUNKED_END)
            t.write(b"".join(out))
        else:
            t.write(head + b"".join(events))
        if cut or not chunked:
            self._close()

    async def _slow_stream(self, s: _Stream, events: list[bytes], keep_alive: bool) -> None:
        """Write ``events`` after ``s.delay``: the headers at once, then ``s.first_delay``, then the
        events one by one with ``s.chunk_delay`` between them; with ``s.cut_after`` close the
        connection (no chunked terminator) after that many events; with ``s.stall_after`` send
        nothing more after that many events (nor the end of the body) until the client closes the
        connection."""
        if s.delay > 0:
            await asyncio.sleep(s.delay)
        t = self.transport
        if t is None or self.closed:
            return
        head, chunked = self._stream_head(keep_alive, s.status, s.headers)
        t.write(head)
        if s.first_delay > 0:
            await asyncio.sleep(s.first_delay)
        cut = stall = False
        for i, ev in enumerate(events):
            if s.cut_after is not None and i >= s.cut_after:
                cut = True
                break
            if s.stall_after is not None and i >= s.stall_after:
                stall = True
                break
            if i and s.chunk_delay > 0:
                await asyncio.sleep(s.chunk_delay)
            if self.closed:
                return
            t.write(b"%x\r\n%s\r\n" % (len(ev), ev) if chunked else ev)
        else:
            cut = s.cut_after is not None
            stall = not cut and s.stall_after is not None
        if stall:
            await self._silence()
            return
        if cut or not chunked:
            self._close()
        else:
            t.write(_CHUNKED_END)

    async def _silence(self) -> None:
        """Send nothing more: wait until the client closes the connection (``connection_lost``
        cancels this task) or the server stops."""
        if self.closed:
            return
        if self.eof:  # the client already left
            self.abort()
            return
        self.silent = True
        try:
            await asyncio.get_running_loop().create_future()
        finally:
            self.silent = False


# ---------------------------------------------------------------------------------------------
# the server
# ---------------------------------------------------------------------------------------------

_S = TypeVar("_S", bound="FakeServerBase")


class FakeServerBase:
    """A fake provider server on 127.0.0.1 for tests, demos and benchmarks; a dialect subclass
    declares what it speaks (see the module documentation).

    Runs on its own event loop in a daemon thread (``start()`` / ``stop()`` or ``with``).
    Behaviours queued with ``enqueue_*`` are consumed one per request (FIFO; an optional ``path``
    suffix restricts which requests an entry applies to); with an empty queue the route's default
    answer is sent.
    """

    # -- what a dialect declares -----------------------------------------------------------------
    routes: ClassVar[tuple[Route, ...]] = ()
    key_headers: ClassVar[tuple[tuple[str, str], ...]] = (("authorization", "Bearer "),)  # (header, prefix)
    fault_kinds: ClassVar[frozenset[str]] = FAULT_KINDS
    streams: Streams = Streams()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for route in cls.routes:
            if not callable(getattr(cls, route.handler, None)):
                raise TypeError(f"{cls.__name__}: route {route!r} names no method {route.handler!r}")

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        require_key: str | None = None,
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
        self._requests: list[RecordedRequest] = []
        self._hits: Counter[str] = Counter()
        self._queue: deque[_Behaviour] = deque()
        self._conns: set[_Connection] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.AbstractServer | None = None
        self._thread: threading.Thread | None = None
        self._id_prefix = os.urandom(6).hex()
        self._seq = 0
        self._route_cache: dict[str, tuple[Route | None, dict[str, Any]]] = {}

    # -- lifecycle -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What a client takes as its API base (the server root unless the dialect says otherwise)."""
        return self.url

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self: _S, timeout: float = 10.0) -> _S:
        """Start serving in a background daemon thread; returns the server once the socket is listening."""
        if self._thread is not None:
            return self
        ready = threading.Event()
        errors: list[BaseException] = []

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

        th = threading.Thread(target=run, name=f"{type(self).__name__}:{self.port}", daemon=True)
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

    async def serve_forever(self: _S, on_ready: Callable[[_S], None] | None = None) -> None:
        """Serve on the *current* event loop until cancelled (used by ``python -m litegate.testing serve``)."""
        await self._open()
        if on_ready is not None:
            on_ready(self)
        try:
            await asyncio.Event().wait()
        finally:
            self._shutdown_in_loop()

    def __enter__(self: _S) -> _S:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    async def __aenter__(self: _S) -> _S:
        return self.start()

    async def __aexit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.url} {'running' if self.running else 'stopped'}>"

    # -- recordings ----------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot list of the recorded requests (oldest first)."""
        with self._lock:
            return list(self._requests)

    @property
    def last_request(self) -> RecordedRequest | None:
        with self._lock:
            return self._requests[-1] if self._requests else None

    @property
    def open_connections(self) -> int:
        """Client connections currently open to this server (a leak test reads this)."""
        return len(self._conns)

    @property
    def stalled_connections(self) -> int:
        """Connections held open in silence (the ``stall`` fault, ``enqueue_stream(stall_after=...)``)
        that the client has not closed yet."""
        return sum(1 for c in list(self._conns) if c.silent)

    def hits(self, path_suffix: str | None = None) -> int:
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

    def wait_for_hits(self, n: int, timeout: float = 5.0, path_suffix: str | None = None) -> bool:
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

    def _queue_response(
        self,
        status: int,
        body: Any,
        defaults: Mapping[str, str],
        headers: Mapping[str, str | None] | None,
        count: int,
        delay: float,
        path: str | None,
    ) -> None:
        """Queue ``count`` exact responses (``defaults`` headers, overridden or removed by ``headers``)."""
        raw = _body_bytes(body)
        hdrs = _merge_headers(defaults, headers)
        self._push(_Raw(int(status), raw, hdrs, float(delay), path) for _ in range(count))

    def _queue_reply(
        self,
        content: str | None,
        tool_calls: list[Any] | None,
        finish_reason: str | None,
        usage: dict[str, Any] | None,
        delay: float,
        model: str | None,
        custom: Any,
        count: int,
        path: str | None,
    ) -> None:
        """Queue ``count`` successful answers for the routes to render in the dialect."""
        self._push(
            _Reply(content, tool_calls, finish_reason, usage, float(delay), model, custom, path) for _ in range(count)
        )

    def _queue_stream(
        self,
        events: list[Any] | None,
        chunk_delay: float,
        terminate: bool,
        cut_after: int | None,
        delay: float,
        status: int,
        headers: Mapping[str, str | None] | None,
        path: str | None,
        *,
        first_delay: float = 0.0,
        stall_after: int | None = None,
    ) -> None:
        """Queue a stream: ``events`` encoded with the dialect's encoder (closed and terminated the
        dialect's way with ``terminate``), or None for the route's own stream (without its clean end
        unless ``terminate``). ``first_delay``: seconds between the headers (sent at once) and the
        first event; ``stall_after=k``: after ``k`` events (the terminator counts as one) nothing
        more is sent, the body is not ended and the connection stays open until the client closes
        it."""
        if first_delay < 0:
            raise ValueError("first_delay must be >= 0")
        if stall_after is not None and stall_after < 0:
            raise ValueError("stall_after must be >= 0")
        evs: list[bytes] | None = None
        if events is not None:
            s = self.streams
            evs = [s.encode(e) for e in events]
            if terminate:
                if s.closing_event is not None and not any(s.closing_marker in e for e in evs):
                    evs.append(s.closing_event)
                if s.terminator is not None:
                    evs.append(s.terminator)
        hdrs = dict(headers or {})
        self._push(
            [
                _Stream(
                    evs,
                    float(chunk_delay),
                    terminate,
                    cut_after,
                    float(delay),
                    int(status),
                    hdrs,
                    path,
                    float(first_delay),
                    stall_after,
                )
            ]
        )

    def enqueue_raw(
        self,
        status: int,
        body: bytes | str | dict[str, Any] | list[Any],
        headers: Mapping[str, str | None] | None = None,
        *,
        delay: float = 0.0,
        count: int = 1,
        path: str | None = None,
    ) -> None:
        """Queue an exact response (``dict``/``list`` bodies are JSON-encoded; content-type defaults to JSON)."""
        self._queue_response(status, body, {"content-type": "application/json"}, headers, count, delay, path)

    def enqueue_fault(self, kind: str, *, count: int = 1, path: str | None = None) -> None:
        """Queue a fault, one of ``fault_kinds``: ``reset`` (connection reset), ``stall`` (no answer),
        ``cut_stream`` (the connection closed mid-stream), ``malformed_stream`` (an event whose data
        is not JSON), ``stream_error_event`` (an error event after the stream started) or
        ``no_done`` and the dialect's names for it (the stream ends cleanly without its last
        event or terminator)."""
        if kind not in self.fault_kinds:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(self.fault_kinds)}")
        self._push(_Fault(kind, path) for _ in range(count))

    # -- admission (runs on the server loop) -------------------------------------------------------

    def _admit(self, rec: RecordedRequest) -> Call:
        """Record ``rec``, check the auth rule and take the queued behaviour for it."""
        route, params = self._find_route(rec.path)
        call = Call(rec, route, params)
        with self._lock:
            if self.record:
                self._requests.append(rec)
            self._hits[rec.path] += 1
            denied = self._auth(call)
            call.behaviour = denied if denied is not None else self._take(call)
        return call

    def _find_route(self, path: str) -> tuple[Route | None, dict[str, Any]]:
        hit = self._route_cache.get(path)
        if hit is None:
            p = path.rstrip("/") or "/"
            hit = (None, {})
            for route in self.routes:
                m = route.pattern.fullmatch(p)
                if m is not None:
                    hit = (route, m.groupdict())
                    break
            if len(self._route_cache) > 4096:
                self._route_cache.clear()
            self._route_cache[path] = hit
        return hit

    def _take(self, call: Call) -> _Behaviour | None:
        """The first queued behaviour meant for this request (called with the lock held)."""
        path = call.rec.path
        shared = call.route is None or call.route.shared_queue
        q = self._queue
        for i, b in enumerate(q):
            if (b.path is None and shared) or (b.path is not None and path.endswith(b.path)):
                del q[i]
                return b
        return None

    def _auth(self, call: Call) -> _Raw | None:
        """The auth rule (called with the lock held): None to let the request in, else the answer.
        The default: ``require_key`` in one of ``key_headers``."""
        key = self.require_key
        if key is None:
            return None
        h = call.rec.headers
        for name, prefix in self.key_headers:
            if h.get(name) == prefix + key:
                return None
        return self._auth_error(call.rec)

    def _auth_error(self, rec: RecordedRequest) -> _Raw:
        return self._error(401, "invalid API key")

    # -- answers (run on the server loop) ------------------------------------------------------------

    def _answer(self, call: Call) -> Answer:
        """What the route answers to ``call`` (the dialect's error answer when there is none)."""
        rec, route = call.rec, call.route
        try:
            if route is None:
                return self._not_found(rec)
            if route.methods and rec.method not in route.methods:
                return self._wrong_method(rec, route)
            handler: Callable[[Call], Answer] = getattr(self, route.handler)
            return handler(call)
        except Invalid as e:
            return self._error(e.status, str(e))
        except Exception as exc:  # noqa: BLE001 - a bug in a dialect's answer must still answer the client
            return self._error(500, f"fake server error: {exc!r}")

    def _headers(self) -> dict[str, str] | None:
        """The headers of a JSON answer (None: just ``content-type: application/json``)."""
        return None

    def _json(self, status: int, body: Any) -> _Raw:
        """A JSON answer (``body`` an object, or bytes already encoded)."""
        return _Raw(status, body if isinstance(body, bytes) else P.dumps(body), self._headers())

    def _error(self, status: int, message: str) -> _Raw:
        """The dialect's error answer."""
        return self._json(status, {"error": {"message": message}})

    def _not_found(self, rec: RecordedRequest) -> _Raw:
        return self._error(404, f"no route for {rec.method} {rec.path}")

    def _wrong_method(self, rec: RecordedRequest, route: Route) -> _Raw:
        return self._error(405, f"method {rec.method} not allowed for {rec.path}")

    def _next_id(self, prefix: str) -> str:
        self._seq += 1
        return f"{prefix}{self._id_prefix}{self._seq:010d}"

    # -- streams ---------------------------------------------------------------------------------

    def _complete(self, ans: Events) -> list[bytes]:
        """The stream as sent when nothing breaks it."""
        term = self.streams.terminator
        return ans.events if term is None else ans.events + [term]

    def _unfinished(self, ans: Events) -> list[bytes]:
        """The stream without its clean end (no terminator, no final event)."""
        if ans.unfinished is not None:
            return ans.unfinished
        return ans.events[:-1] if self.streams.final_event else ans.events

    def _broken(self, kind: str, ans: Events) -> tuple[list[bytes], bool]:
        """(events, cut the connection after them?) of the stream fault ``kind``."""
        s = self.streams
        events = ans.events
        if kind == "cut_stream":
            return events[: max(1, min(3, len(events) - 1))], True
        if kind == "malformed_stream":
            rest = events[1:] if s.malformed_keeps_rest else []
            term = [s.terminator] if s.terminator is not None else []
            return events[:1] + [s.malformed_event] + rest + term, False
        if kind == "stream_error_event":
            error = ans.error_event if ans.error_event is not None else s.error_event
            return events[: max(1, min(2, len(events) - 1))] + [error], False
        return self._unfinished(ans), False  # no_done and the dialect's names for it


def __getattr__(name: str) -> Any:
    if name == "FakeOpenAIServer":  # it lived here before the dialects had modules of their own
        from .openai_server import FakeOpenAIServer

        return FakeOpenAIServer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
