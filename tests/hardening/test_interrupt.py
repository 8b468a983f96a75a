"""Ctrl-C and task cancellation close the connection at once, on both backends (issue 16, items 1-2).

Sync: a child interpreter calls a local server that never answers (or, for a stream, sends the
response head and then nothing); SIGINT arrives 0.5 s after the server got the request. The child
must raise ``KeyboardInterrupt`` within 0.2 s, run its ``finally``, go on (a second call to a
working server), and exit with status 0; the server must see the disconnect within 0.2 s.

Async: an ``acompletion`` task is cancelled before the response headers, and while waiting for the
next stream chunk; the server must see the disconnect within 0.2 s of ``task.cancel()``.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import litegate
from litegate.core.http import HttpRequest
from litegate.core.transport import BACKENDS, Transport, aiohttp_available, make_timeout, reqwest_available

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _hostile as H  # noqa: E402

BACKEND_PARAMS = [
    b for b in BACKENDS if (b != "pyreqwest" or reqwest_available()) and (b != "aiohttp" or aiohttp_available())
]
MSGS = [{"role": "user", "content": "hi"}]
LIMIT = 0.2  # seconds, from the signal (or cancel) to the exception and to the server's disconnect


def _head_then_one_event(conn, head, body):
    """A stream that sends its head and one event, then nothing until the client goes away."""
    event = {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hel"}, "finish_reason": None}],
    }
    data = b"data: " + json.dumps(event).encode() + b"\n\n"
    conn.sock.sendall(
        b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
        + b"%x\r\n%s\r\n" % (len(data), data)
    )
    H.wait_disconnect(conn, 60)
    return False


def _first_request(srv, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with srv.lock:
            conns = [c for c in srv.conns if c.requests]
        if conns:
            return conns[0]
        time.sleep(0.005)
    raise AssertionError("the server never got the request")


def _wait_closed(conn, timeout=5.0):
    end = time.monotonic() + timeout
    while conn.closed_at is None and time.monotonic() < end:
        time.sleep(0.005)
    return conn.closed_at


# ------------------------------------------------------------------------------- Ctrl-C
_CHILD = r"""
import json, signal, sys, time
import litegate
# as in an interactive program, whatever this test's parent ignores
signal.signal(signal.SIGINT, signal.default_int_handler)

def out(**kw):
    sys.stdout.write(json.dumps(kw) + "\n"); sys.stdout.flush()

client = litegate.Client(api_key="sk-interrupt-0123456789", api_base={url!r} + "/v1", num_retries=0,
                         timeout=8, stream_timeout=8, http_backend={backend!r})
ran_finally = False
try:
    if {stream!r}:
        for chunk in client.completion("openai/gpt-4o-mini", [{{"role": "user", "content": "hi"}}], stream=True):
            out(chunk=chunk.choices[0].delta.content)
    else:
        client.completion("openai/gpt-4o-mini", [{{"role": "user", "content": "hi"}}])
    out(result="returned")
except KeyboardInterrupt:
    out(interrupted=time.monotonic())
except BaseException as exc:
    out(result=type(exc).__name__ + ": " + str(exc)[:300])
finally:
    ran_finally = True
# the interpreter goes on: another call, to a server that answers
ok = litegate.Client(api_key="sk-interrupt-0123456789", api_base={ok_url!r} + "/v1", num_retries=0,
                     timeout=10, http_backend={backend!r})
answer = ok.completion("openai/gpt-4o-mini", [{{"role": "user", "content": "hi"}}])
out(finally_ran=ran_finally, after=answer.choices[0].message.content)
"""


def _interrupt_child(
    backend: str, handler, stream: bool
) -> tuple[dict, float, float | None, subprocess.CompletedProcess]:
    with H.HostileServer(handler) as srv, H.HostileServer(H.ok_json) as ok:
        script = _CHILD.format(url=srv.url, ok_url=ok.url, backend=backend, stream=stream)
        src = str(Path(litegate.__file__).resolve().parents[1])
        env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
        env.pop("LITEGATE_HTTP_BACKEND", None)
        env.pop("LITEGATE_INTERRUPT_SAFE", None)
        proc = subprocess.Popen(
            [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        try:
            conn = _first_request(srv)
            time.sleep(0.5)
            sent = time.monotonic()
            proc.send_signal(signal.SIGINT)
            closed = _wait_closed(conn)
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    lines = [json.loads(x) for x in out.splitlines() if x.startswith("{")]
    merged: dict = {}
    for line in lines:
        merged.update(line)
    return merged, sent, closed, subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.parametrize("stream", [False, True], ids=["call", "stream"])
@pytest.mark.parametrize("backend", BACKEND_PARAMS)
def test_ctrl_c_raises_keyboard_interrupt_and_closes_the_connection(backend, stream):
    handler = _head_then_one_event if stream else H.stall
    got, sent, closed, proc = _interrupt_child(backend, handler, stream)
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-3000:])
    assert "Fatal Python error" not in proc.stderr and "panic" not in proc.stderr, proc.stderr[-3000:]
    assert "interrupted" in got, (got, proc.stderr[-2000:])
    if stream:
        assert got.get("chunk") == "Hel"  # the stream was really under way
    assert got["interrupted"] - sent < LIMIT, f"KeyboardInterrupt {got['interrupted'] - sent:.3f} s after SIGINT"
    assert got["finally_ran"] is True and got["after"] == "hello"
    assert closed is not None and closed - sent < LIMIT, (
        f"the server saw the disconnect {None if closed is None else round(closed - sent, 3)} s after SIGINT"
    )


# ------------------------------------------------------------------------- cancellation
async def _cancel_after_request(srv, task, wait: float = 5.0) -> tuple[float, float | None]:
    conn = await asyncio.to_thread(_first_request, srv)
    await asyncio.sleep(0.5)
    sent = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    closed = await asyncio.to_thread(_wait_closed, conn, wait)
    return sent, closed


@pytest.mark.parametrize("stream", [False, True], ids=["call", "stream"])
@pytest.mark.parametrize("backend", BACKEND_PARAMS)
def test_cancelled_acompletion_before_headers_closes_the_connection(monkeypatch, backend, stream):
    monkeypatch.delenv("LITEGATE_INTERRUPT_SAFE", raising=False)
    with H.HostileServer(H.stall) as srv:
        client = litegate.Client(
            api_key="sk-cancel-0123456789",
            api_base=srv.url + "/v1",
            num_retries=0,
            timeout=8,
            stream_timeout=8,
            http_backend=backend,
        )

        async def main():
            task = asyncio.create_task(client.acompletion("openai/gpt-4o-mini", MSGS, stream=stream))
            return await _cancel_after_request(srv, task)

        sent, closed = asyncio.run(main())
    assert closed is not None and closed - sent < LIMIT, (
        f"the server saw the disconnect {None if closed is None else round(closed - sent, 3)} s after cancel()"
    )


@pytest.mark.parametrize("backend", BACKEND_PARAMS)
def test_cancelled_acompletion_mid_stream_closes_the_connection(monkeypatch, backend):
    monkeypatch.delenv("LITEGATE_INTERRUPT_SAFE", raising=False)
    with H.HostileServer(_head_then_one_event) as srv:
        client = litegate.Client(
            api_key="sk-cancel-0123456789",
            api_base=srv.url + "/v1",
            num_retries=0,
            timeout=8,
            stream_timeout=8,
            http_backend=backend,
        )
        seen = []

        async def consume():
            stream = await client.acompletion("openai/gpt-4o-mini", MSGS, stream=True)
            async for chunk in stream:
                seen.append(chunk.choices[0].delta.content)

        async def main():
            task = asyncio.create_task(consume())
            return await _cancel_after_request(srv, task)

        sent, closed = asyncio.run(main())
    assert seen == ["Hel"]  # the stream was under way when the task was cancelled
    assert closed is not None and closed - sent < LIMIT, (
        f"the server saw the disconnect {None if closed is None else round(closed - sent, 3)} s after cancel()"
    )


# ----------------------------------------------------------- which client carries what
def _user_agents(transport, calls) -> list[str]:
    heads = []

    def recording(conn, head, body):
        heads.append(head)
        return H.ok_json(conn, head, body)

    with H.HostileServer(recording) as srv:
        req = lambda: HttpRequest("POST", srv.url + "/v1/chat/completions", json={"x": 1})  # noqa: E731
        for call in calls:
            call(transport, req())
    agents = []
    for head in heads:
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"user-agent:"):
                agents.append(line.split(b":", 1)[1].strip().decode().split("/")[0])
    return agents


def _in_main(t, req):
    t.send(req, make_timeout(5))


def _stream_in_main(t, req):
    t.open_stream(req, make_timeout(5)).read()


def _in_thread(t, req):
    th = threading.Thread(target=t.send, args=(req, make_timeout(5)))
    th.start()
    th.join()


def _stream_in_thread(t, req):
    th = threading.Thread(target=lambda: t.open_stream(req, make_timeout(5)).read())
    th.start()
    th.join()


def _async(t, req):
    asyncio.run(t.asend(req, make_timeout(5)))


def _async_stream(t, req):
    async def go():
        await (await t.aopen_stream(req, make_timeout(5))).aread()

    asyncio.run(go())


ALL_CALLS = [_in_main, _stream_in_main, _in_thread, _stream_in_thread, _async, _async_stream]


@pytest.mark.skipif(not reqwest_available(), reason="pyreqwest needs Python >= 3.11")
def test_pyreqwest_keeps_only_the_calls_no_interrupt_can_reach(monkeypatch):
    """Sync calls in other threads stay on pyreqwest; what Ctrl-C or a cancel can reach goes to httpx
    (async calls: to aiohttp when it is installed)."""
    assert threading.current_thread() is threading.main_thread()
    monkeypatch.delenv("LITEGATE_INTERRUPT_SAFE", raising=False)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in an interactive program
    try:
        transport = Transport("pyreqwest")
        # async calls: aiohttp when it is installed (its agent is "Python/3.x aiohttp/..."), else httpx
        aio = "Python" if aiohttp_available() else "python-httpx"
        assert _user_agents(transport, ALL_CALLS) == [
            "python-httpx",
            "python-httpx",
            "python-pyreqwest",
            "python-pyreqwest",
            aio,
            aio,
        ]
        import litegate.core.transport as T

        real = T.aiohttp_available
        monkeypatch.setattr(T, "aiohttp_available", lambda: False)  # as without the aiohttp extra
        without = Transport("pyreqwest")
        assert _user_agents(without, [_async, _async_stream]) == ["python-httpx"] * 2
        without.close()
        monkeypatch.setattr(T, "aiohttp_available", real)
        # no Python SIGINT handler in the main thread: Ctrl-C ends the process (or nothing happens)
        for disposition in (signal.SIG_IGN, signal.SIG_DFL):
            signal.signal(signal.SIGINT, disposition)
            assert _user_agents(transport, [_in_main, _stream_in_main]) == ["python-pyreqwest"] * 2
    finally:
        signal.signal(signal.SIGINT, previous)
    transport.close()
    # interrupt_safe=False (or LITEGATE_INTERRUPT_SAFE=0): everything on pyreqwest, as before
    fast = Transport("pyreqwest", interrupt_safe=False)
    assert _user_agents(fast, ALL_CALLS) == ["python-pyreqwest"] * 6
    assert fast.with_verify(False)._interrupt_safe is False
    fast.close()
    monkeypatch.setenv("LITEGATE_INTERRUPT_SAFE", "0")
    from_env = Transport("pyreqwest")
    assert _user_agents(from_env, [_in_main, _async]) == ["python-pyreqwest"] * 2
    assert Transport("pyreqwest", interrupt_safe=True)._interrupt_safe is True
    from_env.close()


@pytest.mark.skipif(not reqwest_available(), reason="pyreqwest needs Python >= 3.11")
def test_pyreqwest_still_cannot_abandon_a_request_before_its_headers():
    """Why the routing above exists (pyreqwest 0.15): a cancelled request keeps its connection open
    until it is answered or times out. If this starts failing, pyreqwest learned to abort requests:
    measure again and reconsider the routing in docs/TRANSPORT.md."""
    transport = Transport("pyreqwest", interrupt_safe=False)
    with H.HostileServer(H.stall) as srv:

        async def main():
            req = HttpRequest("POST", srv.url + "/v1/chat/completions", json={"x": 1})
            task = asyncio.create_task(transport.asend(req, make_timeout(5)))
            sent, closed = await _cancel_after_request(srv, task, wait=1.0)
            return sent, closed

        sent, closed = asyncio.run(main())
    assert closed is None, f"pyreqwest closed the abandoned request {closed - sent:.3f} s after cancel()"


@pytest.mark.skipif(not reqwest_available(), reason="pyreqwest needs Python >= 3.11")
def test_fast_pyreqwest_closes_a_stream_cancelled_mid_way():
    """With interrupt_safe=False a task cancelled while waiting for a stream chunk still closes the
    connection (the response is left, which pyreqwest does abort)."""
    transport = Transport("pyreqwest", interrupt_safe=False)
    with H.HostileServer(_head_then_one_event) as srv:
        client = litegate.Client(
            transport=transport,
            api_key="sk-cancel-0123456789",
            api_base=srv.url + "/v1",
            num_retries=0,
            timeout=8,
            stream_timeout=8,
        )
        seen = []

        async def consume():
            async for chunk in await client.acompletion("openai/gpt-4o-mini", MSGS, stream=True):
                seen.append(chunk.choices[0].delta.content)

        async def main():
            return await _cancel_after_request(srv, asyncio.create_task(consume()))

        sent, closed = asyncio.run(main())
    assert seen == ["Hel"]
    assert closed is not None and closed - sent < LIMIT, closed
