"""``stream_deadline``: a whole stream must finish in time, even when the server keeps it alive
with keep-alive comments or slow chunks (real sockets to the fake OpenAI server)."""

from __future__ import annotations

import time

import pytest

import litegate

MSGS = [{"role": "user", "content": "hi"}]
KEY = "sk-test-deadline-0123456789"


def _slow_events(n: int) -> list:
    return [{"choices": [{"index": 0, "delta": {"content": f"w{i} "}, "finish_reason": None}]} for i in range(n)]


@pytest.mark.parametrize("per_call", [True, False])
def test_slow_stream_ends_at_the_deadline(server, per_call):
    server.enqueue_stream(events=_slow_events(40), chunk_delay=0.05)
    kw = {"stream_deadline": 0.5} if per_call else {}
    if not per_call:
        litegate.stream_deadline = 0.5
    start = time.monotonic()
    stream = litegate.completion(
        model="openai/m", messages=MSGS, stream=True, api_key=KEY, api_base=server.base_url, num_retries=0, **kw
    )
    got = []
    with pytest.raises(litegate.Timeout, match="stream_deadline"):
        for chunk in stream:
            got.append(chunk)
    assert 0.4 < time.monotonic() - start < 1.5
    assert 3 < len(got) < 40


async def test_keepalive_comments_do_not_extend_the_deadline(server):
    pings = [b": ping\n\n"] * 200
    server.enqueue_stream(events=_slow_events(1) + pings, chunk_delay=0.02, terminate=False)
    stream = await litegate.acompletion(
        model="openai/m",
        messages=MSGS,
        stream=True,
        api_key=KEY,
        api_base=server.base_url,
        num_retries=0,
        stream_deadline=0.4,
        stream_timeout=5,
    )
    start = time.monotonic()
    with pytest.raises(litegate.Timeout, match="stream_deadline"):
        async for _ in stream:
            pass
    assert time.monotonic() - start < 1.5


def test_the_deadline_is_not_a_reason_to_resume_elsewhere(server):
    server.enqueue_stream(events=_slow_events(40), chunk_delay=0.05)
    stream = litegate.completion(
        model="openai/m",
        messages=MSGS,
        stream=True,
        api_key=KEY,
        api_base=server.base_url,
        num_retries=0,
        stream_deadline=0.3,
        stream_recovery=True,
        assistant_prefill_models=["openai/m"],
    )
    with pytest.raises(litegate.Timeout):
        list(stream)
    assert server.hits() == 1


def test_bad_deadline_fails_before_any_request(server):
    with pytest.raises(litegate.BadRequestError):
        litegate.completion(
            model="openai/m", messages=MSGS, stream=True, api_key=KEY, api_base=server.base_url, stream_deadline=-1
        )
    assert server.hits() == 0
