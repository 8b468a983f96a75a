"""Transport hardening against hostile or broken servers (127.0.0.1 only), on both backends.

Body size bounds (decoded), whole-attempt deadlines, timeout phases, redirects, fork safety of
the httpx pools, CA bundles and idle-pool bounds.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest

import litegate
from litegate import constants as C
from litegate.core.http import HttpRequest
from litegate.core.transport import BACKENDS, Transport, aiohttp_available, make_timeout, reqwest_available

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _hostile as H  # noqa: E402

BACKEND_PARAMS = [
    b for b in BACKENDS if (b != "pyreqwest" or reqwest_available()) and (b != "aiohttp" or aiohttp_available())
]
MB = 1 << 20


def _transport(backend: str, **kw):
    """The backend itself: pyreqwest's own paths (``interrupt_safe=False``), not its hand-off of
    async and main-thread calls to httpx (that is tested in test_interrupt.py)."""
    if backend == "pyreqwest":
        kw["interrupt_safe"] = False
    return Transport(backend, **kw)


def _req(url: str, path: str = "/v1/chat/completions") -> HttpRequest:
    return HttpRequest("POST", url + path, headers={"authorization": "Bearer sk-hardening"}, json={"x": 1})


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _wait_for(cond, timeout=3.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    return cond()


def _send(transport, req, timeout, mode):
    t = make_timeout(timeout)
    if mode == "sync":
        return transport.send(req, t)
    return asyncio.run(transport.asend(req, t))


# --------------------------------------------------------------------------- 3+4: body size
@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("backend", BACKEND_PARAMS)
def test_oversized_body_is_cut_off_at_the_limit(monkeypatch, backend, mode):
    monkeypatch.setattr(C, "MAX_RESPONSE_BYTES", 1 * MB)
    transport = _transport(backend)
    with H.HostileServer(H.big_body(200 * MB)) as srv:
        started = time.monotonic()
        with pytest.raises(litegate.APIResponseValidationError, match="1,048,576-byte limit") as info:
            _send(transport, _req(srv.url), 30, mode)
        assert time.monotonic() - started < 10
        assert "?" not in str(info.value)
        # the connection was closed, not read to the end and not pooled
        assert _wait_for(lambda: srv.open_connections == 0), srv.open_connections
    transport.close()


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("backend", BACKEND_PARAMS)
def test_gzip_bomb_is_bounded_after_decoding(monkeypatch, backend, mode):
    monkeypatch.setattr(C, "MAX_RESPONSE_BYTES", 8 * MB)
    transport = _transport(backend)
    with H.HostileServer(H.gzip_bomb(1024 * MB)) as srv:
        before = _rss_mb()
        with pytest.raises(litegate.APIResponseValidationError, match="limit"):
            _send(transport, _req(srv.url), 60, mode)
        grown = _rss_mb() - before
        assert grown < 200, f"RSS grew by {grown:.0f} MB"
        assert _wait_for(lambda: srv.open_connections == 0), srv.open_connections
    transport.close()


@pytest.mark.parametrize("backend", BACKEND_PARAMS)
def test_error_answer_to_a_stream_is_bounded(monkeypatch, backend):
    """The lifecycle reads a >= 400 answer to a stream request whole with ``stream.read()``."""
    monkeypatch.setattr(C, "MAX_RESPONSE_BYTES", 1 * MB)

    def handler(conn, head, body):
        size = 50 * MB
        conn.sock.sendall(
            f"HTTP/1.1 500 X\r\ncontent-type: application/json\r\ncontent-length: {size}\r\n\r\n".encode()
        )
        try:
            for _ in range(size // 65536):
                conn.sock.sendall(b" " * 65536)
        except OSError:
            pass
        return False

    transport = _transport(backend)
    with H.HostileServer(handler) as srv:
        stream = transport.open_stream(_req(srv.url), make_timeout(30))
        assert stream.status_code == 500
        with pytest.raises(litegate.APIResponseValidationError, match="limit"):
            stream.read()
    transport.close()


@pytest.mark.parametrize("backend", BACKEND_PARAMS)
def test_bodies_under_the_limit_still_arrive_whole(backend):
    transport = _transport(backend)
    with H.HostileServer(H.big_body(3 * MB)) as srv:
        for mode in ("sync", "async"):
            resp = _send(transport, _req(srv.url), 30, mode)
            assert resp.status_code == 200 and len(resp.content) == 3 * MB
    transport.close()


# --------------------------------------------------------------- 7: whole-attempt deadline
@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("backend", BACKEND_PARAMS)
def test_trickling_server_hits_the_total_deadline(backend, mode):
    transport = _transport(backend)
    with H.HostileServer(H.trickle(0.2, total=40)) as srv:
        started = time.monotonic()
        with pytest.raises(litegate.Timeout, match="total timeout") as info:
            _send(transport, _req(srv.url), 1, mode)
        took = time.monotonic() - started
        assert 0.9 <= took < 1.8, took
        assert "1 s" in str(info.value)
    transport.close()


# --------------------------------------------------------------------- 16: timeout phases
@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("backend", BACKEND_PARAMS)
def test_server_that_never_answers_is_a_total_timeout_not_connect(backend, mode):
    transport = _transport(backend)
    with H.HostileServer(H.stall) as srv:
        with pytest.raises(litegate.Timeout) as info:
            _send(transport, _req(srv.url), 1, mode)
    msg = str(info.value)
    assert "total timeout" in msg and "waiting for the response headers" in msg, msg
    assert "connect" not in msg.lower(), msg
    transport.close()


@pytest.mark.parametrize("backend", BACKEND_PARAMS)
def test_stream_that_goes_quiet_is_a_read_timeout(backend):
    transport = _transport(backend)
    with H.HostileServer(H.stall_after_head) as srv:
        stream = transport.open_stream(_req(srv.url), make_timeout(1))
        with pytest.raises(litegate.Timeout, match="read timeout") as info:
            list(stream.iter_bytes())
        assert "connect" not in str(info.value).lower()
    transport.close()


@pytest.mark.parametrize("backend", BACKEND_PARAMS)
def test_stream_without_response_headers_is_not_a_connect_timeout(backend):
    transport = _transport(backend)
    with H.HostileServer(H.stall) as srv:
        with pytest.raises(litegate.Timeout) as info:
            transport.open_stream(_req(srv.url), make_timeout(1))
    msg = str(info.value)
    assert "read timeout" in msg and "waiting for the response headers" in msg, msg
    transport.close()


# ---------------------------------------------------------------------------- 13: redirects
@pytest.mark.parametrize("backend", BACKEND_PARAMS)
@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirect_is_an_error_naming_only_the_host(backend, status):
    transport = _transport(backend)
    location = "https://evil.example.net/steal?api_key=sk-secret-123&x=1"
    with H.HostileServer(H.redirect(location, status)) as srv:
        for call in ("send", "asend", "open_stream", "aopen_stream"):
            with pytest.raises(litegate.APIError) as info:
                if call == "send":
                    transport.send(_req(srv.url), make_timeout(5))
                elif call == "open_stream":
                    transport.open_stream(_req(srv.url), make_timeout(5))
                else:
                    asyncio.run(getattr(transport, call)(_req(srv.url), make_timeout(5)))
            exc = info.value
            assert exc.status_code == status, call
            assert str(exc).count("evil.example.net") >= 1
            assert f"HTTP {status} to evil.example.net" in exc.message
            assert "litegate does not follow redirects" in exc.message
            assert "sk-secret" not in str(exc) and "/steal" not in str(exc)
    transport.close()


@pytest.mark.parametrize("backend", BACKEND_PARAMS)
@pytest.mark.parametrize("location", ["data:text/plain,hi", "http://[not-a-host/x", "http://h:99999999/"])
def test_a_redirect_to_an_unusable_location_is_still_a_litegate_error(backend, location):
    """httpx parses every redirect's Location; one it cannot parse must not escape as httpx's own
    exception (a hostile server chooses the header)."""
    transport = _transport(backend)
    with H.HostileServer(H.redirect(location)) as srv:
        for call in ("send", "asend", "open_stream", "aopen_stream"):
            with pytest.raises(litegate.APIError):
                if call == "send":
                    transport.send(_req(srv.url), make_timeout(5))
                elif call == "open_stream":
                    transport.open_stream(_req(srv.url), make_timeout(5))
                else:
                    asyncio.run(getattr(transport, call)(_req(srv.url), make_timeout(5)))
    transport.close()


@pytest.mark.parametrize("backend", BACKEND_PARAMS)
def test_completion_reports_a_redirect_with_its_status(backend):
    with H.HostileServer(H.redirect("http://other.test/v1?key=sk-x")) as srv:
        client = litegate.Client(
            api_key="sk-redirect-0000", api_base=srv.url + "/v1", num_retries=0, http_backend=backend
        )
        with pytest.raises(litegate.APIError) as info:
            client.completion("openai/gpt-4o-mini", [{"role": "user", "content": "hi"}])
        assert info.value.status_code == 302
        assert "other.test" in str(info.value) and "sk-x" not in str(info.value)
        assert "choices" not in str(info.value)
        client.close()


# ------------------------------------------------------------------- 8: httpx after fork
_FORK_CHILD = r"""
import json, os, sys
from litegate.core.transport import Transport, make_timeout
from litegate.core.http import HttpRequest
t = Transport("httpx")
req = HttpRequest("POST", {url!r} + "/v1/chat/completions", json={{"x": 1}})
first = json.loads(t.send(req, make_timeout(5)).content)["conn"]
parent_client = t._sync
pid = os.fork()
if pid == 0:
    try:
        got = json.loads(t.send(req, make_timeout(5)).content)["conn"]
        fresh = t._sync is not parent_client
        os.write(1, json.dumps({{"child_conn": got, "fresh": fresh}}).encode() + b"\n")
    finally:
        os._exit(0)
os.waitpid(pid, 0)
again = json.loads(t.send(req, make_timeout(5)).content)["conn"]
print(json.dumps({{"first": first, "again": again, "same_client": t._sync is parent_client}}))
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork() exists only on POSIX")
def test_httpx_forked_child_never_reuses_the_parents_connections():
    import json

    with H.HostileServer(H.ok_json) as srv:
        script = _FORK_CHILD.format(url=srv.url)
        # the child imports the same litegate as this process
        src = str(Path(litegate.__file__).resolve().parents[1])
        env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env)
        assert out.returncode == 0, out.stderr[-2000:]
        lines = [json.loads(x) for x in out.stdout.strip().splitlines()]
        child = next(x for x in lines if "child_conn" in x)
        parent = next(x for x in lines if "first" in x)
    assert child["fresh"] is True
    assert child["child_conn"] != parent["first"], lines  # the child opened its own connection
    assert parent["again"] == parent["first"], lines  # the parent's pooled connection survived
    assert parent["same_client"] is True


# ------------------------------------------------------------------------ 15: CA bundles
@pytest.mark.parametrize("backend", BACKEND_PARAMS)
def test_verify_accepts_a_ca_bundle_path(tmp_path, monkeypatch, backend, test_ca):
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    ca, cert, key = test_ca
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    with H.HostileServer(H.ok_json, ssl_context=ctx) as srv:
        plain = _transport(backend)
        with pytest.raises(litegate.APIConnectionError):
            plain.send(_req(srv.url), make_timeout(5))
        for verify in (str(ca), ca):
            trusting = _transport(backend, verify=verify)
            assert trusting.send(_req(srv.url), make_timeout(5)).status_code == 200
            assert asyncio.run(trusting.asend(_req(srv.url), make_timeout(5))).status_code == 200
            stream = trusting.open_stream(_req(srv.url), make_timeout(5))
            assert stream.read().startswith(b"{")
            trusting.close()
        sibling = plain.with_verify(str(ca))
        assert sibling is plain.with_verify(str(ca)) and sibling is not plain
        assert sibling.backend == backend
        assert plain.with_verify(True) is plain
        assert sibling.send(_req(srv.url), make_timeout(5)).status_code == 200
        # an ssl.SSLContext goes to httpx (rustls cannot take one); aiohttp takes one itself
        client_ctx = ssl.create_default_context(cafile=str(ca))
        by_ctx = plain.with_verify(client_ctx)
        assert by_ctx.backend == ("aiohttp" if backend == "aiohttp" else "httpx")
        assert by_ctx.send(_req(srv.url), make_timeout(5)).status_code == 200
        assert asyncio.run(by_ctx.asend(_req(srv.url), make_timeout(5))).status_code == 200
        # unknown CA: refused on the async path too, unless verification is off
        with pytest.raises(litegate.APIConnectionError):
            asyncio.run(plain.asend(_req(srv.url), make_timeout(5)))
        assert asyncio.run(plain.with_verify(False).asend(_req(srv.url), make_timeout(5))).status_code == 200
        plain.close()


# ----------------------------------------------------------------- 17: idle pool bound
@pytest.mark.parametrize("backend", BACKEND_PARAMS)
def test_idle_connections_per_host_are_bounded_after_a_burst(monkeypatch, backend):
    monkeypatch.setattr(C, "MAX_KEEPALIVE_CONNECTIONS", 5)

    def slow_ok(conn, head, body):
        time.sleep(0.3)
        return H.ok_json(conn, head, body)

    transport = _transport(backend)
    with H.HostileServer(slow_ok) as srv:

        async def burst():
            await asyncio.gather(*[transport.asend(_req(srv.url), make_timeout(30)) for _ in range(60)])
            await asyncio.sleep(0.5)
            return srv.open_connections, len(srv.conns)

        still_open, opened = asyncio.run(burst())
    assert opened >= 30, opened  # the burst really used many connections at once
    assert still_open <= 5, (still_open, opened)
    transport.close()


# ---------------------------------------------------------- 15: ssl_verify through a call
def test_ssl_verify_per_call_and_setting_reach_the_transport_and_never_the_body(tmp_path, monkeypatch, test_ca):
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    ca, cert, key = test_ca
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    bodies = []

    def recording(conn, head, body):
        bodies.append(body)
        return H.ok_json(conn, head, body)

    with H.HostileServer(recording, ssl_context=ctx) as srv:
        client = litegate.Client(api_key="sk-test-0123456789abcdef", api_base=srv.url + "/v1", num_retries=0)
        msgs = [{"role": "user", "content": "hi"}]
        with pytest.raises(litegate.APIConnectionError):  # an unknown CA is refused by default
            client.completion("gpt-4o-mini", msgs)
        assert client.completion("gpt-4o-mini", msgs, ssl_verify=str(ca)).choices[0].message.content
        assert client.completion("gpt-4o-mini", msgs, ssl_verify=False).choices[0].message.content
        assert asyncio.run(client.acompletion("gpt-4o-mini", msgs, ssl_verify=False)).choices
        litegate.ssl_verify = str(ca)
        try:
            assert litegate.completion(
                model="gpt-4o-mini",
                messages=msgs,
                api_key="sk-test-0123456789abcdef",
                api_base=srv.url + "/v1",
                num_retries=0,
            ).choices
        finally:
            litegate.ssl_verify = True
        client.close()
    assert bodies and all(b"ssl_verify" not in b for b in bodies)


# ------------------------------------------- connection bounds hold across httpx's async pools
@pytest.mark.parametrize("backend", BACKEND_PARAMS)
def test_concurrent_async_calls_stay_within_the_connection_bound(monkeypatch, backend):
    """httpx spreads a loop's requests over several clients (HTTPX_ASYNC_SHARDS); their pools share
    MAX_CONNECTIONS, so the server never sees more connections at once than that."""
    monkeypatch.setattr(C, "MAX_CONNECTIONS", 4)

    def slow_ok(conn, head, body):
        time.sleep(0.05)
        return H.ok_json(conn, head, body)

    transport = _transport(backend)
    with H.HostileServer(slow_ok) as srv:

        async def burst():
            return await asyncio.gather(*[transport.asend(_req(srv.url), make_timeout(30)) for _ in range(40)])

        answers = asyncio.run(burst())
        conns = list(srv.conns)
    assert [a.status_code for a in answers] == [200] * 40
    # the most connections open at one moment, from the server's records
    peak = max(
        sum(1 for o in conns if o.opened_at <= c.opened_at and (o.closed_at is None or o.closed_at > c.opened_at))
        for c in conns
    )
    assert peak <= 4, (peak, len(conns))
    transport.close()
