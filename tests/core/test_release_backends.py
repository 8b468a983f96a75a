"""Abandoned or closed streams release their connection, for every HTTP backend.

Checked from the server's side: if a closed stream kept its connection checked out, each new
stream would need a new connection and the server's count of open connections would grow.
"""

from __future__ import annotations

import asyncio
import gc
import time

import pytest

import litegate
from litegate.core.transport import BACKENDS, aiohttp_available, reqwest_available

MODEL = "openai/gpt-4o-mini"
KEY = "sk-release-test-000000"
BACKEND_PARAMS = [
    b for b in BACKENDS if (b != "pyreqwest" or reqwest_available()) and (b != "aiohttp" or aiohttp_available())
]


def _slow_stream(server, n=40):
    chunk = lambda d, f=None: {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",  # noqa: E731
        "choices": [{"index": 0, "delta": d, "finish_reason": f}],
    }
    server.enqueue_stream(
        events=[chunk({"role": "assistant", "content": ""})]
        + [chunk({"content": f" w{i}"}) for i in range(n)]
        + [chunk({}, "stop")],
        chunk_delay=0.1,
    )


def _wait_for(cond, timeout=3.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    return cond()


@pytest.mark.parametrize("backend", BACKEND_PARAMS)
@pytest.mark.parametrize("how", ["close", "with", "del"])
def test_sync_streams_do_not_hold_connections(server, backend, how):
    client = litegate.Client(api_key=KEY, api_base=server.base_url, num_retries=0, http_backend=backend)
    started = time.monotonic()
    collecting = 0.0  # time spent in gc.collect() itself grows with the test process's heap: not counted
    for _ in range(12):
        _slow_stream(server)
        stream = client.completion(MODEL, [{"role": "user", "content": "hi"}], stream=True)
        if how == "with":
            with stream as s:
                next(iter(s))
        else:
            next(iter(stream))
            if how == "close":
                stream.close()
            else:
                del stream
                t0 = time.monotonic()
                gc.collect()
                collecting += time.monotonic() - t0
    # twelve 4-second streams abandoned after their first chunk: done in well under their total
    # length (48 s; reading each to its end would take it), with room for a loaded machine
    assert time.monotonic() - started - collecting < 20
    assert _wait_for(lambda: server.open_connections <= 2), server.open_connections
    # and the client still works afterwards
    resp = client.completion(MODEL, [{"role": "user", "content": "after"}])
    assert "after" in resp.choices[0].message.content
    client.close()


@pytest.mark.parametrize("backend", BACKEND_PARAMS)
async def test_async_streams_do_not_hold_connections(server, backend):
    client = litegate.Client(api_key=KEY, api_base=server.base_url, num_retries=0, http_backend=backend)
    for _ in range(12):
        _slow_stream(server)
        stream = await client.acompletion(MODEL, [{"role": "user", "content": "hi"}], stream=True)
        await stream.__anext__()
        await stream.aclose()
    await asyncio.sleep(0)
    end = time.monotonic() + 3
    while server.open_connections > 2 and time.monotonic() < end:
        await asyncio.sleep(0.02)
    assert server.open_connections <= 2
    resp = await client.acompletion(MODEL, [{"role": "user", "content": "after"}])
    assert "after" in resp.choices[0].message.content
    await client.aclose()


@pytest.mark.parametrize("backend", BACKEND_PARAMS)
def test_errors_do_not_hold_connections(server, backend):
    client = litegate.Client(api_key=KEY, api_base=server.base_url, num_retries=0, http_backend=backend)
    for kind in ["cut_stream", "malformed_stream", "stream_error_event", "no_done"] * 3:
        server.enqueue_fault(kind)
        if kind == "no_done":  # finished choices without the optional [DONE]: a complete answer
            list(client.completion(MODEL, [{"role": "user", "content": "hi"}], stream=True))
            continue
        with pytest.raises(litegate.APIError):
            list(client.completion(MODEL, [{"role": "user", "content": "hi"}], stream=True))
    for _ in range(6):
        server.enqueue_error(status=500)
        with pytest.raises(litegate.InternalServerError):
            client.completion(MODEL, [{"role": "user", "content": "hi"}], stream=True)
    assert _wait_for(lambda: server.open_connections <= 2), server.open_connections
    client.close()


@pytest.mark.parametrize("backend", BACKEND_PARAMS)
def test_async_calls_work_across_event_loops(server, backend):
    """Each asyncio.run() makes a new loop; the transport never hands a loop another loop's connections."""
    client = litegate.Client(api_key=KEY, api_base=server.base_url, num_retries=0, http_backend=backend)

    async def once(i):
        resp = await client.acompletion(MODEL, [{"role": "user", "content": f"loop {i}"}])
        stream = await client.acompletion(MODEL, [{"role": "user", "content": f"stream {i}"}], stream=True)
        text = "".join([c.choices[0].delta.content or "" async for c in stream])
        return resp.choices[0].message.content, text

    for i in range(3):
        content, text = asyncio.run(once(i))
        assert f"loop {i}" in content and f"stream {i}" in text
    client.close()
