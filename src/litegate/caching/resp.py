"""A small synchronous Redis client (RESP2) for the cache's own commands: GET, MGET, SET, PTTL.

Why: a cache hit must cost a fraction of an LLM call, and the general-purpose client spends most
of a loopback round trip in Python (connection pool, command packing, response callbacks): about
5x the CPU of a plain socket exchange. This client keeps one connection per thread (and per
process: a fork gets its own), sends pipelined commands in one write and parses only the replies
these commands give (bulk strings, integers, simple strings, nil, errors, arrays). It speaks TCP
or TLS (``rediss://``), with AUTH and SELECT on connect. Every connect and read is bounded by the
timeout; any failure closes the connection and raises (the cache turns that into a miss).
:class:`AsyncRespClient` does the same under asyncio (a few idle connections per event loop).
Redis Cluster and any connection option beyond these use the ``redis`` package.
"""

from __future__ import annotations

import os
import socket
import ssl
import threading
import weakref
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    import asyncio
    from typing import TypeAlias

    #: one command: its name and arguments (text, bytes or integers)
    Command: TypeAlias = tuple[str | bytes | int, ...]

MAX_REPLY = 64 * 1024 * 1024  # one reply larger than this is refused (a bounded read)


class RespError(Exception):
    """An error reply from the server, or a reply that is not RESP."""


def _pack(args: Command) -> bytes:
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        if isinstance(arg, str):
            arg = arg.encode("utf-8")
        elif isinstance(arg, int):
            arg = str(arg).encode("ascii")
        out.append(b"$%d\r\n%s\r\n" % (len(arg), arg))
    return b"".join(out)


class _Conn:
    __slots__ = ("sock", "buf", "pos")

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.buf = b""
        self.pos = 0

    def _fill(self) -> None:
        data = self.sock.recv(65536)  # below the allocator's mmap threshold: a larger buffer costs page faults
        if not data:
            raise ConnectionError("the Redis server closed the connection")
        if self.pos:
            self.buf = self.buf[self.pos :] + data
            self.pos = 0
        else:
            self.buf += data
        if len(self.buf) > MAX_REPLY + 64:
            raise RespError("a Redis reply larger than the cache accepts")

    def _line(self) -> bytes:
        while True:
            end = self.buf.find(b"\r\n", self.pos)
            if end >= 0:
                line = self.buf[self.pos : end]
                self.pos = end + 2
                return line
            self._fill()

    def reply(self, depth: int = 0) -> Any:
        """The next reply: bytes, an int, None (nil), or a list of replies (what a command answers)."""
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"$":
            size = int(rest)
            if size < 0:
                return None
            if size > MAX_REPLY:
                raise RespError("a Redis reply larger than the cache accepts")
            while len(self.buf) - self.pos < size + 2:
                self._fill()
            value = self.buf[self.pos : self.pos + size]
            self.pos += size + 2
            return value
        if kind == b":":
            return int(rest)
        if kind == b"+":
            return rest
        if kind == b"-":
            raise RespError(rest.decode("utf-8", "replace")[:200])
        if kind == b"*" and depth < 2:
            count = int(rest)
            if count < 0:
                return None
            return [self.reply(depth + 1) for _ in range(count)]
        raise RespError("not a Redis reply")


class RespClient:
    """One connection per thread to one Redis server."""

    def __init__(
        self,
        host: str,
        port: int,
        db: int = 0,
        username: str | None = None,
        password: str | None = None,
        tls: bool = False,
        ssl_context: ssl.SSLContext | None = None,
        timeout: float = 1.0,
    ):
        self.host, self.port, self.db = host, int(port), int(db)
        self._username, self._password = username, password
        self.tls = tls
        self._ssl = ssl_context
        self.timeout = timeout
        self._local = threading.local()
        _CLIENTS.add(self)

    @classmethod
    def from_url(
        cls, url: str, timeout: float, password: str | None = None, ssl_ca_certs: str | None = None
    ) -> RespClient | None:
        """A client for ``redis://`` / ``rediss://`` URLs it can serve, else None."""
        parts = urlsplit(url)
        if parts.scheme not in ("redis", "rediss") or not parts.hostname or parts.query:
            return None
        db = parts.path.strip("/") or "0"
        if not db.isdigit():
            return None
        tls = parts.scheme == "rediss"
        return cls(
            parts.hostname,
            parts.port or 6379,
            int(db),
            unquote(parts.username) if parts.username else None,
            password if password is not None else (unquote(parts.password) if parts.password else None),
            tls,
            _context(ssl_ca_certs) if tls else None,
            timeout,
        )

    def __repr__(self) -> str:
        return f"RespClient({self.host}:{self.port}/{self.db})"

    def _connect(self) -> _Conn:
        sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.tls:
                sock = (self._ssl or ssl.create_default_context()).wrap_socket(sock, server_hostname=self.host)
            sock.settimeout(self.timeout)
            conn = _Conn(sock)
            hello: list[Command] = []
            if self._password is not None:
                hello.append(("AUTH", self._username, self._password) if self._username else ("AUTH", self._password))
            if self.db:
                hello.append(("SELECT", self.db))
            if hello:
                sock.sendall(b"".join(_pack(c) for c in hello))
                for _ in hello:
                    conn.reply()
            return conn
        except BaseException:
            sock.close()
            raise

    def _conn(self) -> _Conn:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        return conn

    def _forget(self) -> None:
        """In a forked child: the parent's connections are not this process's to use."""
        self._local = threading.local()

    def pipeline(self, commands: list[Command]) -> list[Any]:
        """Send the commands in one write; their replies in order (an error reply raises)."""
        conn = self._conn()
        try:
            conn.sock.sendall(b"".join(_pack(c) for c in commands))
            replies = [conn.reply() for _ in commands]
        except BaseException:
            self.close()  # the stream's position is unknown now: start over next time
            raise
        conn.buf = conn.buf[conn.pos :]
        conn.pos = 0
        return replies

    def command(self, *args: str | bytes | int) -> Any:
        return self.pipeline([args])[0]

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            try:
                conn.sock.close()
            except OSError:
                pass


class _AsyncConn:
    __slots__ = ("reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer

    async def reply(self, depth: int = 0) -> Any:
        line = await self.reader.readuntil(b"\r\n")
        kind, rest = line[:1], line[1:-2]
        if kind == b"$":
            size = int(rest)
            if size < 0:
                return None
            if size > MAX_REPLY:
                raise RespError("a Redis reply larger than the cache accepts")
            return (await self.reader.readexactly(size + 2))[:-2]
        if kind == b":":
            return int(rest)
        if kind == b"+":
            return rest
        if kind == b"-":
            raise RespError(rest.decode("utf-8", "replace")[:200])
        if kind == b"*" and depth < 2:
            count = int(rest)
            if count < 0:
                return None
            return [await self.reply(depth + 1) for _ in range(count)]
        raise RespError("not a Redis reply")

    def close(self) -> None:
        try:
            self.writer.close()
        except Exception:  # noqa: BLE001 - a transport of a closed loop
            pass


class AsyncRespClient:
    """The async twin of :class:`RespClient`: per event loop, a few idle connections reused
    (at most ``max_idle``; more are opened while they are busy and closed after)."""

    def __init__(self, sync: RespClient, max_idle: int = 8):
        self.sync = sync
        self.max_idle = max_idle
        # event loop -> its idle connections
        self._pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, list[_AsyncConn]] = (
            weakref.WeakKeyDictionary()
        )

    async def _connect(self) -> _AsyncConn:
        import asyncio

        s = self.sync
        ctx = (s._ssl or ssl.create_default_context()) if s.tls else None
        reader, writer = await asyncio.open_connection(
            s.host, s.port, ssl=ctx, server_hostname=s.host if ctx is not None else None
        )
        conn = _AsyncConn(reader, writer)
        try:
            sock = writer.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            hello: list[Command] = []
            if s._password is not None:
                hello.append(("AUTH", s._username, s._password) if s._username else ("AUTH", s._password))
            if s.db:
                hello.append(("SELECT", s.db))
            if hello:
                writer.write(b"".join(_pack(c) for c in hello))
                for _ in hello:
                    await conn.reply()
        except BaseException:
            conn.close()
            raise
        return conn

    async def pipeline(self, commands: list[Command]) -> list[Any]:
        import asyncio

        loop = asyncio.get_running_loop()
        idle = self._pools.get(loop)  # connections belong to the loop that opened them
        if idle is None:
            idle = self._pools[loop] = []
        conn = idle.pop() if idle else await self._connect()
        try:
            conn.writer.write(b"".join(_pack(c) for c in commands))
            replies = [await conn.reply() for _ in commands]
        except BaseException:  # includes cancellation at the cache deadline: the stream is unusable
            conn.close()
            raise
        if len(idle) < self.max_idle:
            idle.append(conn)
        else:
            conn.close()
        return replies

    async def command(self, *args: str | bytes | int) -> Any:
        return (await self.pipeline([args]))[0]

    def close(self) -> None:
        pools = list(self._pools.values())
        self._pools.clear()
        for idle in pools:
            for conn in idle:
                conn.close()


_CLIENTS: weakref.WeakSet[RespClient] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for client in list(_CLIENTS):
        client._forget()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _context(ca: str | None) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=ca) if ca else ssl.create_default_context()


__all__ = ["AsyncRespClient", "RespClient", "RespError"]
