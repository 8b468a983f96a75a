"""Replicate: a prediction the caller gives up on is cancelled upstream (``POST urls.cancel``),
best-effort and bounded, and the caller's cancellation or error goes on unchanged: asyncio task
cancellation while polling, Ctrl-C or an error during a sync poll, a stream closed before its end.
Each case against FakeReplicateServer over real sockets; the fake records when the cancel arrived."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import threading
import time

import pytest

import litegate
from litegate.core import auth as core_auth
from litegate.providers import replicate as rep

KEY = "r8_test_token"
MODEL = "replicate/meta/meta-llama-3-8b-instruct"
MESSAGES = [{"role": "user", "content": "Hello there"}]


@pytest.fixture
def server():
    from litegate.testing import FakeReplicateServer

    with FakeReplicateServer(require_key=KEY) as srv:
        yield srv


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch):
    monkeypatch.setattr(rep, "FIRST_POLL_DELAY", 0.01)
    monkeypatch.setattr(rep, "MAX_POLL_DELAY", 0.05)
    for name in ("REPLICATE_API_KEY", "REPLICATE_API_TOKEN", "REPLICATE_API_BASE"):
        monkeypatch.delenv(name, raising=False)


def _kw(server, **kw):
    return {"api_key": KEY, "api_base": server.base_url, "messages": MESSAGES, **kw}


def _polls(server) -> int:
    return sum(1 for r in server.requests if r.method == "GET" and not r.path.endswith("/stream"))


def _wait_until(condition, timeout: float = 5.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out waiting"
        time.sleep(0.005)


def _cancel_requests(server) -> list:
    return [r for r in server.requests if r.method == "POST" and r.path.endswith("/cancel")]


# ------------------------------------------------------------------------------ finished calls
def test_a_finished_call_cancels_nothing_and_bounds_the_prediction_upstream(server):
    resp = litegate.completion(MODEL, **_kw(server, timeout=42.5))
    assert resp.choices[0].message.content.startswith("This is a fake reply")
    assert server.cancelled == []
    # Replicate stops the prediction itself past the call's timeout, even if the client vanished
    assert server.requests[0].header("cancel-after") == "43s"
    chunks = list(litegate.completion(MODEL, **_kw(server, stream=True)))
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert server.cancelled == []  # a stream read to its end owns nothing to cancel
    assert server.requests[-2].header("cancel-after") is None  # streams are not cut at the timeout


# ------------------------------------------------------------------------------ async cancellation
def test_cancelling_the_task_while_polling_cancels_the_prediction(server):
    server.polls_needed = 10_000

    async def go():
        task = asyncio.create_task(litegate.acompletion(MODEL, **_kw(server, num_retries=0)))
        while _polls(server) < 2:
            await asyncio.sleep(0.005)
        cancelled_at = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return cancelled_at, time.monotonic() - cancelled_at

    cancelled_at, took = asyncio.run(go())
    pid = next(iter(server.predictions))
    assert server.cancelled == [pid]
    assert server.cancelled_at[0] >= cancelled_at  # sent after the caller gave up, before it got control back
    assert took < core_auth.RELEASE_TIMEOUT + 1.0
    cancel = _cancel_requests(server)[0]
    assert cancel.header("authorization") == "Bearer " + KEY
    assert server.predictions[pid]["status"] == "canceled"


def test_a_task_cancelled_while_the_cancel_hangs_is_not_held_up(server, monkeypatch):
    """The release request is bounded: a server that never answers it costs RELEASE_TIMEOUT at most."""
    server.polls_needed = 10_000
    monkeypatch.setattr(core_auth, "RELEASE_TIMEOUT", 0.3)
    server.enqueue_fault("stall", path="/cancel")

    async def go():
        task = asyncio.create_task(litegate.acompletion(MODEL, **_kw(server, num_retries=0)))
        while _polls(server) < 1:
            await asyncio.sleep(0.005)
        start = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return time.monotonic() - start

    took = asyncio.run(go())
    assert took < 2.0
    assert len(_cancel_requests(server)) == 1


def test_asyncio_timeout_around_the_call_cancels_the_prediction(server):
    server.polls_needed = 10_000

    async def go():
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(litegate.acompletion(MODEL, **_kw(server, num_retries=0)), 0.3)

    asyncio.run(go())
    assert server.cancelled == [next(iter(server.predictions))]


# ------------------------------------------------------------------------------ sync polls
def test_ctrl_c_during_a_sync_poll_cancels_the_prediction(server):
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("SIGINT is delivered to the main thread")
    server.polls_needed = 10_000
    sent: list[float] = []

    def interrupt():
        _wait_until(lambda: _polls(server) >= 2)
        sent.append(time.monotonic())
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=interrupt, daemon=True).start()
    with pytest.raises(KeyboardInterrupt):
        litegate.completion(MODEL, **_kw(server, num_retries=0, timeout=30))
    pid = next(iter(server.predictions))
    assert server.cancelled == [pid]
    assert server.cancelled_at[0] >= sent[0]


def test_an_error_during_a_poll_cancels_the_orphaned_prediction(server):
    server.polls_needed = 10_000
    server.enqueue_poll_error(500, "upstream hiccup")
    with pytest.raises(litegate.APIError, match="upstream hiccup"):
        litegate.completion(MODEL, **_kw(server, num_retries=0))
    assert server.cancelled == [next(iter(server.predictions))]


def test_a_retried_poll_error_cancels_the_first_prediction_only(server):
    server.polls_needed = 2
    server.enqueue_poll_error(503, "try again")
    resp = litegate.completion(MODEL, **_kw(server, num_retries=1))
    first, second = list(server.predictions)
    assert server.cancelled == [first]  # the retry made a new prediction, which finished
    assert resp.id == second


def test_the_timeout_cancels_once(server):
    server.polls_needed = 10_000
    with pytest.raises(litegate.Timeout):
        litegate.completion(MODEL, **_kw(server, num_retries=0, timeout=0.3))
    assert len(_cancel_requests(server)) == 1


# ------------------------------------------------------------------------------ streams
def test_a_sync_stream_closed_early_cancels_the_prediction(server):
    server.enqueue_stream(chunk_delay=0.05)
    stream = litegate.completion(MODEL, **_kw(server, stream=True))
    first = next(stream)
    assert first.choices[0].delta.content
    closed_at = time.monotonic()
    stream.close()
    pid = next(iter(server.predictions))
    assert server.cancelled == [pid]
    assert server.cancelled_at[0] >= closed_at


def test_a_sync_stream_left_in_a_with_block_cancels_the_prediction(server):
    server.enqueue_stream(chunk_delay=0.05)
    with litegate.completion(MODEL, **_kw(server, stream=True)) as stream:
        for _ in stream:
            break
    assert server.wait_for_cancel(5)
    assert server.cancelled == [next(iter(server.predictions))]


def test_an_abandoned_sync_stream_cancels_the_prediction(server):
    server.enqueue_stream(chunk_delay=0.05)
    stream = litegate.completion(MODEL, **_kw(server, stream=True))
    next(stream)
    del stream  # garbage: closed by the helper thread, which cancels too
    gc.collect()
    assert server.wait_for_cancel(5)
    assert server.cancelled == [next(iter(server.predictions))]


def test_an_async_stream_closed_early_cancels_the_prediction(server):
    server.enqueue_stream(chunk_delay=0.05)

    async def go():
        stream = await litegate.acompletion(MODEL, **_kw(server, stream=True))
        first = await stream.__anext__()
        closed_at = time.monotonic()
        await stream.aclose()
        return first, closed_at

    first, closed_at = asyncio.run(go())
    assert first.choices[0].delta.content
    assert server.cancelled == [next(iter(server.predictions))]
    assert server.cancelled_at[0] >= closed_at


def test_cancelling_a_task_reading_a_stream_cancels_the_prediction(server):
    server.enqueue_stream(chunk_delay=0.2)

    async def go():
        async def read():
            stream = await litegate.acompletion(MODEL, **_kw(server, stream=True))
            async with stream:
                async for _ in stream:
                    pass

        task = asyncio.create_task(read())
        while not any(r.path.endswith("/stream") for r in server.requests):
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(go())
    assert server.cancelled == [next(iter(server.predictions))]


def test_a_stream_read_to_the_end_cancels_nothing_async(server):
    async def go():
        stream = await litegate.acompletion(MODEL, **_kw(server, stream=True))
        async with stream:
            return [c async for c in stream]

    chunks = asyncio.run(go())
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert server.cancelled == []


def test_a_failed_prediction_stream_sends_no_cancel(server):
    server.enqueue_prediction_failure("CUDA out of memory")
    with pytest.raises(litegate.APIError, match="CUDA out of memory"):
        for _ in litegate.completion(MODEL, **_kw(server, stream=True, num_retries=0)):
            pass
    assert server.cancelled == []  # the prediction ended upstream: nothing to stop
