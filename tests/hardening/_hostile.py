"""Raw-socket hostile HTTP servers on 127.0.0.1 for the transport hardening tests.

One thread per connection; ``handler(conn, head, body)`` answers a request however it likes and
returns True to keep the connection for another request. The server records every connection:
when it opened, when the client went away (``closed_at``), and which connection served which
request, so tests can check from the server's side that the client disconnected or reused nothing.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import zlib
from collections.abc import Callable
from typing import Any


class Conn:
    def __init__(self, sock: socket.socket, index: int):
        self.sock = sock
        self.index = index
        self.opened_at = time.monotonic()
        self.closed_at: float | None = None
        self.requests = 0


class HostileServer:
    def __init__(self, handler: Callable[[Conn, bytes, bytes], bool], *, ssl_context: Any = None):
        self.handler = handler
        self.ssl_context = ssl_context
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(1024)
        self.port = self._sock.getsockname()[1]
        self.conns: list[Conn] = []
        self.lock = threading.Lock()
        self._stop = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        scheme = "https" if self.ssl_context is not None else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    @property
    def open_connections(self) -> int:
        with self.lock:
            return sum(1 for c in self.conns if c.closed_at is None)

    def _accept(self) -> None:
        while not self._stop:
            try:
                sock, _ = self._sock.accept()
            except OSError:
                return
            if self._stop:
                sock.close()
                return
            with self.lock:
                conn = Conn(sock, len(self.conns))
                self.conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: Conn) -> None:
        try:
            if self.ssl_context is not None:
                conn.sock = self.ssl_context.wrap_socket(conn.sock, server_side=True)
            buf = b""
            while True:
                while b"\r\n\r\n" not in buf:
                    data = conn.sock.recv(65536)
                    if not data:
                        return
                    buf += data
                head, buf = buf.split(b"\r\n\r\n", 1)
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                while len(buf) < length:
                    data = conn.sock.recv(65536)
                    if not data:
                        return
                    buf += data
                body, buf = buf[:length], buf[length:]
                conn.requests += 1
                if not self.handler(conn, head, body):
                    return
        except OSError:
            return
        finally:
            conn.closed_at = conn.closed_at or time.monotonic()
            try:
                conn.sock.close()
            except OSError:
                pass

    def close(self) -> None:
        self._stop = True
        try:
            self._sock.close()
        except OSError:
            pass
        with self.lock:
            conns = list(self.conns)
        for c in conns:
            try:
                c.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self) -> HostileServer:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


# ------------------------------------------------------------------------------ handlers
CHAT = {
    "id": "c1",
    "object": "chat.completion",
    "created": 1,
    "model": "m",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "hello"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
}


def respond(conn: Conn, status: int = 200, body: bytes = b"", headers: dict | None = None) -> None:
    hdrs = {"content-type": "application/json", "content-length": str(len(body)), **(headers or {})}
    head = f"HTTP/1.1 {status} X\r\n" + "".join(f"{k}: {v}\r\n" for k, v in hdrs.items()) + "\r\n"
    conn.sock.sendall(head.encode("latin-1") + body)


def ok_json(conn: Conn, head: bytes, body: bytes) -> bool:
    data = json.dumps({**CHAT, "conn": conn.index}).encode()
    respond(conn, 200, data)
    return True


def wait_disconnect(conn: Conn, limit: float = 30.0) -> None:
    """Block until the client closes the connection (records ``closed_at``) or ``limit`` passes."""
    conn.sock.settimeout(limit)
    try:
        while conn.sock.recv(65536):
            pass
    except OSError:
        pass
    conn.closed_at = time.monotonic()


def big_body(size: int) -> Callable[[Conn, bytes, bytes], bool]:
    """A JSON-typed body of ``size`` bytes (announced with content-length), sent in 64 KB pieces."""

    def handler(conn: Conn, head: bytes, body: bytes) -> bool:
        piece = b" " * 65536
        conn.sock.sendall(
            f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {size}\r\n\r\n".encode()
        )
        sent = 0
        try:
            while sent < size:
                n = min(len(piece), size - sent)
                conn.sock.sendall(piece[:n])
                sent += n
        except OSError:
            pass
        return False

    return handler


def gzip_bomb(expanded: int, chunked: bool = True) -> Callable[[Conn, bytes, bytes], bool]:
    """A gzip body of zeros that expands to ``expanded`` bytes, compressed on the fly (about 1:1000),
    sent with chunked transfer encoding until done or until the client goes away."""

    def handler(conn: Conn, head: bytes, body: bytes) -> bool:
        conn.sock.sendall(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-encoding: gzip\r\n"
            b"transfer-encoding: chunked\r\n\r\n"
        )
        comp = zlib.compressobj(9, zlib.DEFLATED, 31)
        zeros = b"\0" * (1 << 20)
        try:
            for i in range(expanded >> 20):
                out = comp.compress(zeros)
                if i % 16 == 15:
                    out += comp.flush(zlib.Z_SYNC_FLUSH)
                if out:
                    conn.sock.sendall(b"%x\r\n%s\r\n" % (len(out), out))
            out = comp.flush()
            conn.sock.sendall(b"%x\r\n%s\r\n0\r\n\r\n" % (len(out), out))
        except OSError:
            pass
        return False

    return handler


def trickle(interval: float, total: int = 10_000) -> Callable[[Conn, bytes, bytes], bool]:
    """Announces a body of ``total`` bytes and sends one byte every ``interval`` seconds."""

    def handler(conn: Conn, head: bytes, body: bytes) -> bool:
        try:
            conn.sock.sendall(
                f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {total}\r\n\r\n".encode()
            )
            for _ in range(total):
                time.sleep(interval)
                conn.sock.sendall(b" ")
        except OSError:
            pass
        conn.closed_at = time.monotonic()
        return False

    return handler


def stall(conn: Conn, head: bytes, body: bytes) -> bool:
    """Reads the request and never answers; returns when the client disconnects."""
    wait_disconnect(conn, 60)
    return False


def stall_after_head(conn: Conn, head: bytes, body: bytes) -> bool:
    """Sends the status line and headers of an event stream, then nothing; waits for the disconnect."""
    conn.sock.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n")
    wait_disconnect(conn, 60)
    return False


def redirect(location: str, status: int = 302) -> Callable[[Conn, bytes, bytes], bool]:
    def handler(conn: Conn, head: bytes, body: bytes) -> bool:
        respond(conn, status, b'{"moved": true}', {"location": location})
        return True

    return handler


def never_accepting_server() -> tuple[socket.socket, str]:
    """A listening socket nobody accepts from (connections complete in the kernel backlog)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    return s, f"http://127.0.0.1:{s.getsockname()[1]}"
