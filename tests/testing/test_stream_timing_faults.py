"""The fake servers' stream timing knobs used by the reliability suite (tests/reliability):
``enqueue_stream(first_delay=...)`` (headers at once, the first event later) and
``enqueue_stream(stall_after=...)`` (silence after some events, the connection held open until
the client closes it). Real sockets, a plain httpx client."""

from __future__ import annotations

import socket
import time
from typing import Any

import httpx
import pytest

from litegate.testing import FakeAnthropicServer, FakeOllamaServer, FakeOpenAIServer


def _body(**extra: Any) -> dict[str, Any]:
    return {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "timing"}], "stream": True, **extra}


def _chunk(text: str) -> dict[str, Any]:
    return {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "m",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}],
    }


def _wait(predicate, timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


@pytest.fixture
def srv():
    with FakeOpenAIServer() as s:
        yield s


# ------------------------------------------------------------------------------ first_delay


@pytest.mark.parametrize("framing", ["chunked", "close"])
def test_first_delay_sends_headers_at_once_then_waits_before_the_first_event(framing):
    with FakeOpenAIServer(sse_framing=framing) as srv, httpx.Client(base_url=srv.base_url, timeout=5) as c:
        srv.enqueue_stream([_chunk("a"), _chunk("b")], first_delay=0.4)
        t0 = time.monotonic()
        with c.stream("POST", "/chat/completions", json=_body()) as r:
            headers_at = time.monotonic() - t0
            assert r.status_code == 200
            assert r.headers["content-type"].startswith("text/event-stream")
            lines = []
            first_at = None
            for line in r.iter_lines():
                if line.startswith("data:"):
                    if first_at is None:
                        first_at = time.monotonic() - t0
                    lines.append(line)
    assert headers_at < 0.2, "the headers must not wait for first_delay"
    assert first_at is not None and first_at >= 0.4
    assert len(lines) == 3 and lines[-1] == "data: [DONE]"  # the rest comes without further delay
    assert srv.hits() == 1


def test_first_delay_with_the_default_stream_and_chunk_delay(srv):
    srv.enqueue_stream(None, first_delay=0.3, chunk_delay=0.01)
    with httpx.Client(base_url=srv.base_url, timeout=5) as c:
        t0 = time.monotonic()
        with c.stream("POST", "/chat/completions", json=_body()) as r:
            assert time.monotonic() - t0 < 0.2
            text = r.read().decode()
        assert time.monotonic() - t0 >= 0.3
    assert text.rstrip().endswith("data: [DONE]")


def test_first_delay_on_another_dialect():
    with FakeAnthropicServer() as srv, httpx.Client(base_url=srv.url, timeout=5) as c:
        srv.enqueue_stream(None, first_delay=0.3)
        body = {
            "model": "claude-sonnet-4-5",
            "max_tokens": 50,
            "stream": True,
            "messages": [{"role": "user", "content": "hi"}],
        }
        t0 = time.monotonic()
        with c.stream("POST", "/v1/messages", json=body, headers={"anthropic-version": "2023-06-01"}) as r:
            assert time.monotonic() - t0 < 0.2
            text = r.read().decode()
        assert time.monotonic() - t0 >= 0.3
    assert "message_stop" in text


# ------------------------------------------------------------------------------ stall_after


def test_stall_after_goes_silent_and_holds_the_connection_until_the_client_closes(srv):
    events = [_chunk(str(i)) for i in range(5)]
    srv.enqueue_stream(events, stall_after=2)
    got: list[str] = []
    with httpx.Client(base_url=srv.base_url, timeout=httpx.Timeout(5.0, read=0.4)) as c:
        t0 = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            with c.stream("POST", "/chat/completions", json=_body()) as r:
                for line in r.iter_lines():
                    if line.startswith("data:"):
                        got.append(line)
        assert time.monotonic() - t0 >= 0.4
        assert len(got) == 2  # exactly the first two events, then nothing (no [DONE], no end)
    assert _wait(lambda: srv.open_connections == 0), "the server must release the stalled connection"
    assert srv.stalled_connections == 0
    # the server stays usable
    with httpx.Client(base_url=srv.base_url, timeout=5) as c:
        assert c.post("/chat/completions", json=_body(stream=False)).status_code == 200
    assert srv.hits() == 2


def test_stall_keeps_the_socket_open_while_the_client_waits(srv):
    """Raw socket: after the stall the server neither sends nor closes."""
    srv.enqueue_stream([_chunk("x")], stall_after=1)
    payload = httpx.Request("POST", srv.base_url + "/chat/completions", json=_body())
    body = payload.read()
    head = (
        f"POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    ).encode() + body
    with socket.create_connection((srv.host, srv.port), timeout=2) as s:
        s.sendall(head)
        received = b""
        deadline = time.monotonic() + 2
        while b'"x"' not in received and time.monotonic() < deadline:
            received += s.recv(65536)
        assert b"200 OK" in received and b'"x"' in received
        s.settimeout(0.4)
        with pytest.raises(socket.timeout):
            more = s.recv(65536)  # neither data nor EOF (b"" would mean closed)
            raise AssertionError(f"unexpected bytes after the stall: {more!r}")
        assert srv.open_connections == 1 and srv.stalled_connections == 1
    assert _wait(lambda: srv.open_connections == 0)
    assert srv.stalled_connections == 0


def test_stall_after_all_events_withholds_only_the_end_of_the_body(srv):
    events = [_chunk("a"), _chunk("b")]
    srv.enqueue_stream(events, stall_after=10)  # more than there are: everything, then silence
    lines: list[str] = []
    with httpx.Client(base_url=srv.base_url, timeout=httpx.Timeout(5.0, read=0.3)) as c:
        with pytest.raises(httpx.ReadTimeout):
            with c.stream("POST", "/chat/completions", json=_body()) as r:
                for line in r.iter_lines():
                    if line.startswith("data:"):
                        lines.append(line)
    assert lines[-1] == "data: [DONE]" and len(lines) == 3


def test_stall_after_zero_sends_headers_only(srv):
    srv.enqueue_stream([_chunk("a")], stall_after=0)
    with httpx.Client(base_url=srv.base_url, timeout=httpx.Timeout(5.0, read=0.3)) as c:
        with c.stream("POST", "/chat/completions", json=_body()) as r:
            assert r.status_code == 200
            with pytest.raises(httpx.ReadTimeout):
                r.read()


def test_stall_after_on_an_ndjson_dialect():
    with FakeOllamaServer() as srv, httpx.Client(base_url=srv.url, timeout=httpx.Timeout(5.0, read=0.3)) as c:
        srv.enqueue_stream([{"n": 1}, {"n": 2}, {"n": 3}], stall_after=1)
        got = []
        with pytest.raises(httpx.ReadTimeout):
            with c.stream(
                "POST", "/api/chat", json={"model": "llama3", "messages": [{"role": "user", "content": "x"}]}
            ) as r:
                for line in r.iter_lines():
                    if line:
                        got.append(line)
        assert got == ['{"n":1}']


def test_stall_and_first_delay_are_checked(srv):
    with pytest.raises(ValueError):
        srv.enqueue_stream([_chunk("a")], first_delay=-1)
    with pytest.raises(ValueError):
        srv.enqueue_stream([_chunk("a")], stall_after=-1)
    assert srv.pending == 0


def test_server_stop_ends_a_stalled_stream(srv):
    srv.enqueue_stream([_chunk("a")], stall_after=1)
    with httpx.Client(base_url=srv.base_url, timeout=httpx.Timeout(5.0, read=3.0)) as c:
        with c.stream("POST", "/chat/completions", json=_body()) as r:
            it = r.iter_lines()
            assert next(it).startswith("data:")
            t0 = time.monotonic()
            srv.stop()
            with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
                for _ in it:
                    pass
            assert time.monotonic() - t0 < 2.0


def test_stall_fault_is_counted_and_released_when_the_client_leaves(srv):
    srv.enqueue_fault("stall")
    with httpx.Client(base_url=srv.base_url, timeout=0.3) as c:
        with pytest.raises(httpx.ReadTimeout):
            c.post("/chat/completions", json=_body(stream=False))
        assert srv.stalled_connections <= 1
    assert _wait(lambda: srv.stalled_connections == 0 and srv.open_connections == 0)


# ------------------------------------------------------------------------------ received_at


def test_requests_record_when_they_arrived(srv):
    srv.enqueue_error(500, delay=0.0)
    with httpx.Client(base_url=srv.base_url, timeout=5) as c:
        t0 = time.monotonic()
        c.post("/chat/completions", json=_body(stream=False))
        time.sleep(0.2)
        c.post("/chat/completions", json=_body(stream=False))
        t1 = time.monotonic()
    first, second = (r.received_at for r in srv.requests)
    assert t0 <= first <= second <= t1
    assert second - first >= 0.2
