"""What the aiohttp async backend must hold beyond the tests parameterized over every backend
(test_transport.py, test_interrupt.py, tests/core/test_release_backends.py): its own content
decoding, one session per event loop, fork safety, multipart uploads streamed from disk, proxies
from the environment, and no URL credentials in its errors. Real sockets to 127.0.0.1 only."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

import litegate
from litegate.core.http import HttpRequest
from litegate.core.transport import Timeouts, Transport, aiohttp_available, make_timeout

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _hostile as H  # noqa: E402

pytestmark = pytest.mark.skipif(not aiohttp_available(), reason="the aiohttp extra is not installed")


def _req(url: str, **kw) -> HttpRequest:
    return HttpRequest("POST", url + "/v1/chat/completions", json={"x": 1}, **kw)


def _encoded(encoding: str, payload: bytes):
    def handler(conn, head, body):
        H.respond(conn, 200, payload, {"content-encoding": encoding})
        return True

    return handler


# ------------------------------------------------------------------------ content decoding
@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw-deflate", "identity"])
def test_bodies_are_decoded_by_litegate_with_what_it_asked_for(encoding):
    text = json.dumps({"words": ["w%d" % i for i in range(20_000)]}).encode()
    if encoding == "gzip":
        payload = gzip.compress(text)
    elif encoding == "deflate":
        payload = zlib.compress(text)
    elif encoding == "raw-deflate":  # some servers send deflate without the zlib header
        c = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        payload = c.compress(text) + c.flush()
    else:
        payload = text
    heads = []

    def handler(conn, head, body):
        heads.append(head.lower())
        return _encoded("deflate" if encoding == "raw-deflate" else encoding, payload)(conn, head, body)

    t = Transport("aiohttp")
    with H.HostileServer(handler) as srv:

        async def both():
            whole = await t.asend(_req(srv.url), make_timeout(10))
            stream = await t.aopen_stream(_req(srv.url), make_timeout(10))
            pieces = [p async for p in stream.aiter_bytes()]
            return whole, pieces

        whole, pieces = asyncio.run(both())
    assert whole.content == text
    assert b"".join(pieces) == text
    if encoding != "identity":
        assert max(len(p) for p in pieces) <= 1 << 16  # decoded in bounded pieces
    assert all(b"accept-encoding: gzip, deflate\r\n" in h + b"\r\n" for h in heads), heads


def test_an_encoding_litegate_did_not_ask_for_is_a_clear_error():
    t = Transport("aiohttp")
    with H.HostileServer(_encoded("br", b"\x8b\x02\x80hello\x03")) as srv:
        with pytest.raises(litegate.APIConnectionError, match="content-encoding 'br'"):
            asyncio.run(t.asend(_req(srv.url), make_timeout(10)))


def test_a_gzip_bomb_in_a_stream_is_decoded_in_bounded_pieces():
    t = Transport("aiohttp")
    with H.HostileServer(H.gzip_bomb(64 << 20)) as srv:

        async def read():
            stream = await t.aopen_stream(_req(srv.url), make_timeout(30))
            biggest = total = 0
            async for piece in stream.aiter_bytes():
                biggest = max(biggest, len(piece))
                total += len(piece)
            return biggest, total

        biggest, total = asyncio.run(read())
    assert total == 64 << 20 and biggest <= 1 << 16


# ----------------------------------------------------------------------- sessions and loops
def test_each_event_loop_gets_its_own_session_closed_with_the_loop():
    t = Transport("aiohttp")
    with H.HostileServer(H.ok_json) as srv:
        sessions = []

        async def call():
            out = await t.asend(_req(srv.url), make_timeout(10))
            sessions.append(t.session())
            again = await t.asend(_req(srv.url), make_timeout(10))  # same loop: same pooled connection
            return json.loads(out.content)["conn"], json.loads(again.content)["conn"]

        firsts = [asyncio.run(call()) for _ in range(3)]
        assert _wait_closed_all(srv)  # each loop's connection closed with its session
    assert all(a == b for a, b in firsts)  # reused within a loop
    assert len({a for a, _ in firsts}) == 3  # never across loops
    assert len({id(s) for s in sessions}) == 3 and all(s.closed for s in sessions)
    assert t._sessions == {}  # a finished loop's session is dropped, not kept


def _wait_closed_all(srv, timeout=3.0):
    import time

    end = time.monotonic() + timeout
    while srv.open_connections and time.monotonic() < end:
        time.sleep(0.01)
    return srv.open_connections == 0


def test_a_closed_loop_that_skipped_shutdown_has_its_session_dropped():
    t = Transport("aiohttp")
    with H.HostileServer(H.ok_json) as srv:
        loop = asyncio.new_event_loop()
        loop.run_until_complete(t.asend(_req(srv.url), make_timeout(10)))
        loop.close()  # no shutdown_asyncgens: the session was not closed by its loop
        assert loop in t._sessions
        assert asyncio.run(t.asend(_req(srv.url), make_timeout(10))).status_code == 200
    assert loop not in t._sessions


_FORK_CHILD = r"""
import asyncio, gc, json, os
from litegate.core.transport import Transport, make_timeout
from litegate.core.http import HttpRequest
t = Transport("aiohttp")
req = lambda: HttpRequest("POST", {url!r} + "/v1/chat/completions", json={{"x": 1}})
loop = asyncio.new_event_loop()
call = lambda lp: json.loads(lp.run_until_complete(t.asend(req(), make_timeout(5))).content)["conn"]
first = call(loop)
session = t._sessions[loop][0]
pid = os.fork()
if pid == 0:
    try:
        # the parent's sessions are forgotten (asyncio loops do not survive fork(): a child runs its own)
        fresh = t._sessions == {{}}
        gc.collect()
        got = asyncio.run(t.asend(req(), make_timeout(5)))
        os.write(1, json.dumps({{"child_conn": json.loads(got.content)["conn"], "fresh": fresh,
                                "parent_session_open": not session.closed}}).encode() + b"\n")
    finally:
        os._exit(0)
os.waitpid(pid, 0)
again = call(loop)
print(json.dumps({{"first": first, "again": again, "same_session": t._sessions[loop][0] is session}}))
loop.run_until_complete(t.aclose())
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork() exists only on POSIX")
def test_forked_child_never_reuses_the_parents_connections():
    with H.HostileServer(H.ok_json) as srv:
        src = str(Path(litegate.__file__).resolve().parents[1])
        env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
        out = subprocess.run(
            [sys.executable, "-c", _FORK_CHILD.format(url=srv.url)], capture_output=True, text=True, timeout=60, env=env
        )
    assert out.returncode == 0, out.stderr[-2000:]
    lines = [json.loads(x) for x in out.stdout.strip().splitlines()]
    child = next((x for x in lines if "child_conn" in x), None)
    assert child is not None, (lines, out.stderr[-2000:])
    parent = next(x for x in lines if "first" in x)
    assert child["fresh"] is True and child["child_conn"] != parent["first"], lines
    assert child["parent_session_open"] is True, lines
    assert parent["again"] == parent["first"] and parent["same_session"] is True, lines


# ------------------------------------------------------------------ uploads, proxies, secrets
@pytest.mark.parametrize("backend", ["aiohttp", "httpx"])
def test_multipart_upload_streams_an_open_file(tmp_path, backend):
    blob = os.urandom(3 << 20)
    path = tmp_path / "batch.jsonl"
    path.write_bytes(blob)
    bodies, heads = [], []

    def recording(conn, head, body):
        heads.append(head.lower())
        bodies.append(body)
        return H.ok_json(conn, head, body)

    t = Transport(backend)
    with H.HostileServer(recording) as srv, open(path, "rb") as f:
        req = HttpRequest(
            "POST",
            srv.url + "/v1/files",
            files={"file": ("batch.jsonl", f, "application/jsonl")},
            data={"purpose": "batch"},
        )
        assert asyncio.run(t.asend(req, make_timeout(30))).status_code == 200
    body = bodies[0]
    assert b"multipart/form-data; boundary=" in heads[0]
    assert blob in body
    assert b'name="purpose"' in body and b"\r\n\r\nbatch\r\n" in body
    assert b'filename="batch.jsonl"' in body and b"application/jsonl" in body


@pytest.mark.parametrize("backend", ["aiohttp", "httpx"])
def test_proxy_from_the_environment_and_given_explicitly(monkeypatch, backend):
    heads = []

    def proxy(conn, head, body):
        heads.append(head.split(b"\r\n", 1)[0])
        return H.ok_json(conn, head, body)

    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    with H.HostileServer(proxy) as srv:
        monkeypatch.setenv("HTTP_PROXY", srv.url)
        monkeypatch.setenv("http_proxy", srv.url)
        target = "http://api.example.invalid"
        assert asyncio.run(Transport(backend).asend(_req(target), make_timeout(10))).status_code == 200
        # NO_PROXY: a listed host is reached directly
        direct_heads = []

        def direct(conn, head, body):
            direct_heads.append(head.split(b"\r\n", 1)[0])
            return H.ok_json(conn, head, body)

        with H.HostileServer(direct) as other:
            monkeypatch.setenv("NO_PROXY", "127.0.0.1")
            monkeypatch.setenv("no_proxy", "127.0.0.1")
            assert asyncio.run(Transport(backend).asend(_req(other.url), make_timeout(10))).status_code == 200
        assert direct_heads == [b"POST /v1/chat/completions HTTP/1.1"]
        for name in ("HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name)
        assert asyncio.run(Transport(backend, proxy=srv.url).asend(_req(target), make_timeout(10))).status_code == 200
    assert heads == [b"POST http://api.example.invalid/v1/chat/completions HTTP/1.1"] * 2, heads


def test_connection_errors_name_no_url_credentials_or_query():
    sock, url = H.never_accepting_server()
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now: connection refused
    secret_url = url.replace("http://", "http://alice:pw-Sup3rSecret@") + "?key=sk-query-secret-123"
    t = Transport("aiohttp")
    with pytest.raises(litegate.APIConnectionError) as info:
        asyncio.run(t.asend(HttpRequest("POST", secret_url, json={"x": 1}), make_timeout(5)))
    text = str(info.value) + repr(info.value)
    assert f"127.0.0.1:{port}" in text
    for secret in ("pw-Sup3rSecret", "alice", "sk-query-secret-123"):
        assert secret not in text, text


def test_connect_timeout_is_named_connect():
    # a listening socket with a full backlog never completes new connections
    sock, url = H.never_accepting_server()
    import socket

    fillers = []
    try:
        for _ in range(8):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(sock.getsockname())
            fillers.append(s)
        t = Transport("aiohttp")
        with pytest.raises(litegate.Timeout, match="connect timeout"):
            asyncio.run(t.asend(_req(url), Timeouts(3.0, connect=0.3)))
    finally:
        for s in fillers:
            s.close()
        sock.close()
