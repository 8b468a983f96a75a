"""Streaming against the fake server: chunks, tool-call pieces, usage, rebuild, faults, release."""

from __future__ import annotations

import asyncio
import gc
import json
import time

import pytest
from _core_helpers import KEY, async_pools, busy_connections, pool_of, reference_stream_error_message, user_messages

import litegate
import litegate.constants as constants

MODEL = "gpt-4o-mini"
TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
TEXT = "The quick brown fox jumps over the lazy dog near the river bank"


def _stream(server, **kw):
    kw.setdefault("api_key", KEY)
    kw.setdefault("api_base", server.base_url)
    kw.setdefault("messages", user_messages())
    return litegate.completion(kw.pop("model", MODEL), stream=True, **kw)


async def _astream(server, **kw):
    kw.setdefault("api_key", KEY)
    kw.setdefault("api_base", server.base_url)
    kw.setdefault("messages", user_messages())
    return await litegate.acompletion(kw.pop("model", MODEL), stream=True, **kw)


def _content(chunks) -> str:
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


def _check_text_chunks(chunks, text):
    assert len(chunks) > 2, "the text should arrive in several pieces"
    assert chunks[0].choices[0].delta.role == "assistant"
    assert all(c.choices[0].delta.role in (None, "assistant") for c in chunks[1:])
    assert _content(chunks) == text
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices]
    assert finishes[-1] == "stop"
    assert all(f is None for f in finishes[:-1])
    for c in chunks:
        assert isinstance(c, litegate.ModelResponse) or isinstance(c, litegate.ModelResponseStream)
        assert c.object == "chat.completion.chunk"
        assert c["choices"][0]["delta"] is not None  # dict access on chunks


# --------------------------------------------------------------------------------- text


def test_sync_text_stream(server):
    server.enqueue_reply(TEXT)
    stream = _stream(server)
    assert isinstance(stream, litegate.CustomStreamWrapper)
    chunks = list(stream)
    _check_text_chunks(chunks, TEXT)
    assert server.last_request.json["stream"] is True


async def test_async_text_stream(server):
    server.enqueue_reply(TEXT)
    stream = await _astream(server)
    chunks = [c async for c in stream]
    _check_text_chunks(chunks, TEXT)
    assert server.last_request.json["stream"] is True


def test_usage_on_final_chunk_with_include_usage(server):
    server.enqueue_reply(TEXT, usage={"prompt_tokens": 21, "completion_tokens": 13})
    chunks = list(_stream(server, stream_options={"include_usage": True}))
    assert server.last_request.json["stream_options"] == {"include_usage": True}
    usage = chunks[-1].usage
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (21, 13, 34)
    assert all(getattr(c, "usage", None) is None for c in chunks[:-1])
    assert _content(chunks) == TEXT


async def test_async_usage_on_final_chunk(server):
    server.enqueue_reply(TEXT, usage={"prompt_tokens": 5, "completion_tokens": 9})
    stream = await _astream(server, stream_options={"include_usage": True})
    chunks = [c async for c in stream]
    assert chunks[-1].usage.total_tokens == 14
    assert _content(chunks) == TEXT


def test_no_usage_chunk_without_include_usage(server):
    chunks = list(_stream(server))
    assert all(getattr(c, "usage", None) is None for c in chunks)


def test_n_choices_stream(server):
    chunks = list(_stream(server, n=2))
    by_index: dict = {}
    for c in chunks:
        for ch in c.choices:
            by_index.setdefault(ch.index, []).append(ch.delta.content or "")
    assert set(by_index) == {0, 1}
    assert "".join(by_index[0]) == "".join(by_index[1]) != ""


# --------------------------------------------------------------------------------- tool calls


def _tool_fragments(chunks):
    frags = []
    for c in chunks:
        for ch in c.choices:
            for tc in ch.delta.tool_calls or []:
                frags.append(tc)
    return frags


def _check_tool_stream(chunks, expected_calls):
    assert chunks[0].choices[0].delta.role == "assistant"
    frags = _tool_fragments(chunks)
    assert len(frags) > len(expected_calls), "arguments should be streamed in several fragments"
    by_index: dict = {}
    for f in frags:
        entry = by_index.setdefault(f.index, {"id": None, "name": None, "args": "", "first": None})
        if entry["first"] is None:
            entry["first"] = f
        if f.id:
            entry["id"] = entry["id"] or f.id
        if f.function and f.function.name:
            entry["name"] = entry["name"] or f.function.name
        if f.function and f.function.arguments:
            entry["args"] += f.function.arguments
    assert sorted(by_index) == list(range(len(expected_calls)))
    for i, (name, args) in enumerate(expected_calls):
        entry = by_index[i]
        assert entry["first"].id, "the first fragment of a call carries its id"
        assert entry["first"].function.name == name, "the first fragment of a call carries its name"
        assert json.loads(entry["args"]) == args
    finishes = [ch.finish_reason for c in chunks for ch in c.choices]
    assert finishes[-1] == "tool_calls"
    assert all(f is None for f in finishes[:-1])


def test_sync_tool_call_stream(server):
    args = {"city": "Paris", "days": 3}
    server.enqueue_reply(None, tool_calls=[{"name": "get_weather", "arguments": args}])
    chunks = list(_stream(server, tools=[TOOL], messages=user_messages("weather in Paris")))
    _check_tool_stream(chunks, [("get_weather", args)])


async def test_async_parallel_tool_calls_stream(server):
    calls = [("get_weather", {"city": "Paris"}), ("get_time", {"zone": "Europe/Paris"})]
    server.enqueue_reply(None, tool_calls=[{"name": n, "arguments": a} for n, a in calls])
    stream = await _astream(server, tools=[TOOL], messages=user_messages("weather and time in Paris"))
    chunks = [c async for c in stream]
    _check_tool_stream(chunks, calls)


def test_tool_call_stream_rebuilds(server):
    args = {"city": "Lima"}
    server.enqueue_reply(None, tool_calls=[{"name": "get_weather", "arguments": args}])
    chunks = list(_stream(server, tools=[TOOL]))
    rebuilt = litegate.stream_chunk_builder(chunks)
    msg = rebuilt.choices[0].message
    assert rebuilt.choices[0].finish_reason == "tool_calls"
    assert msg.tool_calls[0].function.name == "get_weather"
    assert json.loads(msg.tool_calls[0].function.arguments) == args
    assert msg.tool_calls[0].id == _tool_fragments(chunks)[0].id


# --------------------------------------------------------------------------------- rebuild


def test_stream_chunk_builder_matches_non_stream_call(server):
    messages = user_messages("Describe a lighthouse in a storm")
    plain = litegate.completion(MODEL, messages, api_key=KEY, api_base=server.base_url)
    chunks = list(_stream(server, messages=messages, stream_options={"include_usage": True}))
    rebuilt = litegate.stream_chunk_builder(chunks, messages=messages)
    assert isinstance(rebuilt, litegate.ModelResponse)
    assert rebuilt.choices[0].message.content == plain.choices[0].message.content
    assert rebuilt.choices[0].message.role == "assistant"
    assert rebuilt.choices[0].finish_reason == plain.choices[0].finish_reason
    assert rebuilt.usage.prompt_tokens == plain.usage.prompt_tokens
    assert rebuilt.usage.completion_tokens == plain.usage.completion_tokens
    assert rebuilt.usage.total_tokens == plain.usage.total_tokens
    assert rebuilt.model == plain.model
    assert rebuilt.id == chunks[0].id


# --------------------------------------------------------------------------------- faults


def _drain_expecting(stream, exc_type):
    got = []
    with pytest.raises(exc_type) as info:
        for c in stream:
            got.append(c)
    return got, info.value


async def _adrain_expecting(stream, exc_type):
    got = []
    with pytest.raises(exc_type) as info:
        async for c in stream:
            got.append(c)
    return got, info.value


def _check_error_context(exc):
    assert exc.llm_provider == "openai"
    assert exc.model == MODEL


def test_cut_stream_raises_connection_error(server):
    server.enqueue_fault("cut_stream")
    got, exc = _drain_expecting(_stream(server, num_retries=0), litegate.APIConnectionError)
    assert got, "the chunks before the cut are delivered first"
    _check_error_context(exc)


async def test_async_cut_stream_raises_connection_error(server):
    server.enqueue_fault("cut_stream")
    stream = await _astream(server, num_retries=0)
    got, exc = await _adrain_expecting(stream, litegate.APIConnectionError)
    assert got
    _check_error_context(exc)


def test_missing_done_marker_after_a_finish_reason_is_a_complete_answer(server):
    """[DONE] is an optional sentinel: a stream whose choices all finished is whole (the answer was
    paid for); it ends cleanly with every chunk, and nothing is retried."""
    server.enqueue_fault("no_done")
    chunks = list(_stream(server))
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert "".join(c.choices[0].delta.content or "" for c in chunks)
    assert server.hits() == 1


async def test_async_missing_done_marker_after_a_finish_reason(server):
    server.enqueue_fault("no_done")
    stream = await _astream(server)
    chunks = [c async for c in stream]
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_stream_ending_without_finish_reason_or_done_is_truncated(server):
    """Cut after some content chunks (no finish_reason, no [DONE]): the answer is incomplete."""
    events = [
        {"choices": [{"index": 0, "delta": {"content": "par"}, "finish_reason": None}]},
        {"choices": [{"index": 0, "delta": {"content": "tial"}, "finish_reason": None}]},
    ]
    server.enqueue_stream(events=events, terminate=False)
    got, exc = _drain_expecting(_stream(server), litegate.APIConnectionError)
    assert got, "every event before the end is delivered"
    _check_error_context(exc)


def test_stream_with_one_of_two_choices_finished_is_truncated(server):
    events = [
        {
            "choices": [
                {"index": 0, "delta": {"content": "a"}, "finish_reason": None},
                {"index": 1, "delta": {"content": "b"}, "finish_reason": None},
            ]
        },
        {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
    ]
    server.enqueue_stream(events=events, terminate=False)
    _drain_expecting(_stream(server), litegate.APIConnectionError)


def test_stream_cut_by_cut_after_raises(server):
    server.enqueue_stream(events=None, cut_after=2)
    got, exc = _drain_expecting(_stream(server), litegate.APIConnectionError)
    assert len(got) <= 2
    _check_error_context(exc)


def test_malformed_event_raises_response_validation_error(server):
    server.enqueue_fault("malformed_stream")
    _, exc = _drain_expecting(_stream(server), litegate.APIResponseValidationError)
    _check_error_context(exc)


async def test_async_malformed_event(server):
    server.enqueue_fault("malformed_stream")
    stream = await _astream(server)
    _, exc = await _adrain_expecting(stream, litegate.APIResponseValidationError)
    _check_error_context(exc)


def test_error_event_raises_api_error_with_provider_message(server):
    server.enqueue_fault("stream_error_event")
    got, exc = _drain_expecting(_stream(server), litegate.APIError)
    assert got, "chunks before the error event are delivered"
    assert reference_stream_error_message() in str(exc)
    assert reference_stream_error_message() in exc.message
    _check_error_context(exc)


async def test_async_error_event_with_custom_message(server):
    message = "upstream model crashed while generating"
    server.enqueue_stream(
        events=[
            {
                "id": "c1",
                "object": "chat.completion.chunk",
                "created": 1,
                "model": MODEL,
                "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hel"}, "finish_reason": None}],
            },
            {"error": {"message": message, "type": "server_error", "param": None, "code": None}},
        ],
        terminate=False,
    )
    stream = await _astream(server)
    got, exc = await _adrain_expecting(stream, litegate.APIError)
    assert _content(got) == "Hel"
    assert message in str(exc)
    _check_error_context(exc)


def test_stall_before_headers_with_stream_timeout_raises_timeout(server):
    server.enqueue_fault("stall")
    start = time.monotonic()
    with pytest.raises(litegate.Timeout) as info:
        list(_stream(server, stream_timeout=0.3, num_retries=0))
    assert time.monotonic() - start < 3.0
    _check_error_context(info.value)


def test_stall_between_events_with_stream_timeout(server):
    server.enqueue_stream(events=None, chunk_delay=3.0)
    stream = _stream(server, stream_timeout=0.3, num_retries=0)
    start = time.monotonic()
    got, exc = _drain_expecting(stream, litegate.Timeout)
    assert time.monotonic() - start < 2.0
    assert len(got) >= 1, "the first event arrived before the stall"
    _check_error_context(exc)


def test_module_level_stream_timeout(server):
    litegate.stream_timeout = 0.3
    server.enqueue_stream(events=None, chunk_delay=3.0)
    start = time.monotonic()
    _drain_expecting(_stream(server, num_retries=0), litegate.Timeout)
    assert time.monotonic() - start < 2.0


async def test_async_stall_with_timeout(server):
    server.enqueue_fault("stall")
    start = time.monotonic()
    with pytest.raises(litegate.Timeout) as info:
        stream = await _astream(server, timeout=0.3, num_retries=0)
        async for _ in stream:
            pass
    assert time.monotonic() - start < 3.0
    _check_error_context(info.value)


def test_stream_open_error_is_retried(server):
    server.enqueue_error(429, count=2)
    chunks = list(_stream(server, num_retries=2))
    assert server.hits("/chat/completions") == 3
    assert _content(chunks)


def test_stream_open_error_status_maps_to_exception(server):
    server.enqueue_error(401, message="Incorrect API key provided")
    with pytest.raises(litegate.AuthenticationError) as info:
        _stream(server, num_retries=0)
    assert server.hits() == 1
    _check_error_context(info.value)


# --------------------------------------------------------------------------------- release


@pytest.fixture
def own_client(server):
    # these tests read httpx's pool directly; tests/core/test_release_backends.py checks every
    # backend from the server's side
    client = litegate.Client(api_key=KEY, api_base=server.base_url, num_retries=0, http_backend="httpx")
    yield client
    client.close()


def _chunk(delta, finish_reason=None):
    return {
        "id": "chatcmpl-slow",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }


def _slow_long_stream(server):
    # 42 events, 0.1 s apart: reading them all would take about 4 s
    events = [_chunk({"role": "assistant", "content": ""})]
    events += [_chunk({"content": f" w{i}"}) for i in range(40)]
    events.append(_chunk({}, "stop"))
    server.enqueue_stream(events=events, chunk_delay=0.1)


def _sync_pool(client):
    return pool_of(client.transport.sync_client())


def test_break_and_close_releases_connection(server, own_client):
    _slow_long_stream(server)
    start = time.monotonic()
    stream = own_client.completion(MODEL, user_messages(), stream=True)
    for _ in stream:
        break
    assert busy_connections(_sync_pool(own_client))[0] == 1, "the stream holds its connection while open"
    stream.close()
    assert busy_connections(_sync_pool(own_client)) == (0, 0)
    assert time.monotonic() - start < 2.0, "close() must not wait for the rest of the stream"


def test_with_block_releases_connection(server, own_client):
    _slow_long_stream(server)
    with own_client.completion(MODEL, user_messages(), stream=True) as stream:
        next(iter(stream))
    assert busy_connections(_sync_pool(own_client)) == (0, 0)


def test_abandoned_stream_is_released_on_garbage_collection(server, own_client):
    _slow_long_stream(server)
    stream = own_client.completion(MODEL, user_messages(), stream=True)
    next(iter(stream))
    assert busy_connections(_sync_pool(own_client))[0] == 1
    del stream
    gc.collect()
    assert busy_connections(_sync_pool(own_client)) == (0, 0)


def test_stream_abandoned_before_first_read_is_released(server, own_client):
    _slow_long_stream(server)
    stream = own_client.completion(MODEL, user_messages(), stream=True)
    assert busy_connections(_sync_pool(own_client))[0] == 1
    del stream
    gc.collect()
    assert busy_connections(_sync_pool(own_client)) == (0, 0)


def test_fully_consumed_stream_returns_connection_for_reuse(server, own_client):
    for _ in range(3):
        list(own_client.completion(MODEL, user_messages(), stream=True))
        assert busy_connections(_sync_pool(own_client)) == (0, 0)
    pool = _sync_pool(own_client)
    assert len([c for c in pool.connections if c.is_idle()]) == 1, "one keep-alive connection is reused"


def test_error_paths_release_connection(server, own_client):
    for fault in ("cut_stream", "malformed_stream", "stream_error_event"):
        server.enqueue_fault(fault)
        with pytest.raises(litegate.APIError):
            list(own_client.completion(MODEL, user_messages(), stream=True))
        assert busy_connections(_sync_pool(own_client)) == (0, 0), fault
    server.enqueue_error(400)
    with pytest.raises(litegate.BadRequestError):
        own_client.completion(MODEL, user_messages(), stream=True)
    assert busy_connections(_sync_pool(own_client)) == (0, 0)
    server.enqueue_stream(events=None, chunk_delay=3.0)
    with pytest.raises(litegate.Timeout):
        list(own_client.completion(MODEL, user_messages(), stream=True, stream_timeout=0.2))
    assert busy_connections(_sync_pool(own_client)) == (0, 0)


def test_single_connection_pool_survives_abandoned_streams(server, monkeypatch):
    # with room for one connection only, a leaked stream would make the next call wait for the pool
    monkeypatch.setattr(constants, "MAX_CONNECTIONS", 1)
    monkeypatch.setattr(constants, "MAX_KEEPALIVE_CONNECTIONS", 1)
    client = litegate.Client(api_key=KEY, api_base=server.base_url, num_retries=0, timeout=2)
    try:
        for _ in range(3):
            server.enqueue_stream(events=None, chunk_delay=0.2)
            stream = client.completion(MODEL, user_messages("one two three four five six"), stream=True)
            next(iter(stream))
            stream.close()
        start = time.monotonic()
        resp = client.completion(MODEL, user_messages())
        assert resp.choices[0].message.content
        assert time.monotonic() - start < 1.5
    finally:
        client.close()


async def test_async_aclose_releases_connection(server, own_client):
    _slow_long_stream(server)
    stream = await own_client.acompletion(MODEL, user_messages(), stream=True)
    async for _ in stream:
        break
    pool = async_pools(own_client.transport)
    assert busy_connections(pool)[0] == 1
    start = time.monotonic()
    await stream.aclose()
    assert busy_connections(pool) == (0, 0)
    assert time.monotonic() - start < 2.0


async def test_async_with_block_releases_connection(server, own_client):
    _slow_long_stream(server)
    stream = await own_client.acompletion(MODEL, user_messages(), stream=True)
    async with stream:
        await stream.__anext__()
    assert busy_connections(async_pools(own_client.transport)) == (0, 0)


async def test_async_abandoned_stream_released_after_gc(server, own_client):
    _slow_long_stream(server)
    stream = await own_client.acompletion(MODEL, user_messages(), stream=True)
    await stream.__anext__()
    pool = async_pools(own_client.transport)
    assert busy_connections(pool)[0] == 1
    del stream
    gc.collect()
    for _ in range(50):
        await asyncio.sleep(0.01)
        if busy_connections(pool) == (0, 0):
            break
    assert busy_connections(pool) == (0, 0)


async def test_async_stream_abandoned_before_first_read_is_released(server, own_client):
    _slow_long_stream(server)
    stream = await own_client.acompletion(MODEL, user_messages(), stream=True)
    pool = async_pools(own_client.transport)
    assert busy_connections(pool)[0] == 1
    del stream
    gc.collect()
    for _ in range(50):
        await asyncio.sleep(0.01)
        if busy_connections(pool) == (0, 0):
            break
    assert busy_connections(pool) == (0, 0)


async def test_async_error_path_releases_connection(server, own_client):
    server.enqueue_fault("cut_stream")
    stream = await own_client.acompletion(MODEL, user_messages(), stream=True)
    with pytest.raises(litegate.APIConnectionError):
        async for _ in stream:
            pass
    assert busy_connections(async_pools(own_client.transport)) == (0, 0)


def test_module_level_stream_close_releases_default_pool(server, monkeypatch):
    from litegate.client import default_client
    from litegate.core.transport import HttpxTransport

    monkeypatch.setattr(default_client(), "transport", HttpxTransport())

    _slow_long_stream(server)
    stream = _stream(server, messages=user_messages())
    next(iter(stream))
    pool = pool_of(default_client().transport.sync_client())
    before = busy_connections(pool)
    assert before[0] >= 1
    stream.close()
    after = busy_connections(pool)
    assert after[0] == before[0] - 1
    assert after[1] == before[1] - 1


_GC_IN_POOL_LOCK = """
import gc, time
from litegate.core.http import HttpRequest
from litegate.core.transport import HttpxTransport, Timeouts
from litegate.testing import FakeOpenAIServer

server = FakeOpenAIServer().start()
events = [{"choices": [{"index": 0, "delta": {"content": " w%d" % i}}]} for i in range(40)]
server.enqueue_stream(events=events, chunk_delay=0.1)
transport = HttpxTransport()
body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "stream": True}
request = HttpRequest("POST", server.base_url + "/chat/completions", {"authorization": "Bearer sk-test"}, json=body)
gc.disable()  # the collection below is the only one
pieces = transport.open_stream(request, Timeouts(10.0)).iter_bytes()
next(pieces)
cycle = [pieces]
cycle.append(cycle)  # a half-read stream, abandoned, reachable only from a reference cycle
del pieces, cycle
pool = transport.sync_client()._transport._pool
with pool._optional_thread_lock:  # as when the next request allocates inside the pool's lock ...
    gc.collect()  # ... and the allocation starts a collection, which finalizes the stream here
print("requests left", len(pool._requests))
server.enqueue_stream(events=events[:2])
again = transport.open_stream(request, Timeouts(10.0))
print("next status", again.status_code, len(b"".join(again.iter_bytes())) > 0)
server.stop()
"""


def test_stream_collected_inside_the_pools_lock_does_not_hang():
    """The collector can finalize an abandoned stream in a thread that holds the pool's lock;
    closing it must not wait for that lock (with httpcore's plain Lock the process hung)."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", _GC_IN_POOL_LOCK], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "requests left 0" in proc.stdout  # closed there and then: the request left the pool
    assert "next status 200 True" in proc.stdout
