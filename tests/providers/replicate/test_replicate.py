"""Replicate: create a prediction, poll it (bounded, backing off, within the timeout; cancelled
past it), read or stream its output, end to end against FakeReplicateServer."""

from __future__ import annotations

import asyncio

import pytest

import litegate
from litegate.providers import replicate as rep

KEY = "r8_test_token"
MODEL = "replicate/meta/meta-llama-3-8b-instruct"


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


def _call(server, **kw):
    kw.setdefault("messages", [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello there"}])
    return litegate.completion(kw.pop("model", MODEL), api_key=KEY, api_base=server.base_url, **kw)


def test_create_poll_and_read(server):
    resp = _call(server, max_tokens=50, temperature=0.3, stop=["\n", "END"], top_k=5)
    methods = [(r.method, r.path) for r in server.requests]
    pid = next(iter(server.predictions))
    assert methods == [
        ("POST", "/v1/models/meta/meta-llama-3-8b-instruct/predictions"),
        ("GET", f"/v1/predictions/{pid}"),
        ("GET", f"/v1/predictions/{pid}"),
        ("GET", f"/v1/predictions/{pid}"),
    ]
    create = server.requests[0]
    assert create.header("authorization") == "Bearer " + KEY
    assert create.header("prefer") == "wait=25"
    assert create.json == {
        "input": {
            "prompt": "Hello there",
            "system_prompt": "Be brief.",
            "max_new_tokens": 50,
            "temperature": 0.3,
            "stop_sequences": "\n,END",
            "top_k": 5,
        }
    }
    assert resp.choices[0].message.content == "This is a fake reply to: Hello there"
    assert resp.usage.completion_tokens > 0 and resp.id == pid
    assert resp._hidden_params["custom_llm_provider"] == "replicate"


def test_finished_by_prefer_wait_needs_no_poll(server):
    server.honour_wait = True
    _call(server)
    assert [r.method for r in server.requests] == ["POST", "GET"]


def test_version_form_and_cost(server):
    resp = _call(
        server,
        model="replicate/meta/llama-3-8b-instruct:5a6809ca6288247d06daf6365557e5e429063f32a21146b2a8",
    )
    assert server.requests[0].path == "/v1/predictions"
    assert server.requests[0].json["version"].startswith("5a6809ca")
    assert resp.model == "meta/llama-3-8b-instruct"
    info = litegate.get_model_info("replicate/meta/llama-3-8b-instruct")
    assert resp._hidden_params["response_cost"] == pytest.approx(
        resp.usage.prompt_tokens * info["input_cost_per_token"]
        + resp.usage.completion_tokens * info["output_cost_per_token"]
    )


def test_async_and_stream(server):
    async def go():
        r = await litegate.acompletion(
            MODEL, messages=[{"role": "user", "content": "Hi"}], api_key=KEY, api_base=server.base_url
        )
        s = await litegate.acompletion(
            MODEL,
            messages=[{"role": "user", "content": "Stream me"}],
            api_key=KEY,
            api_base=server.base_url,
            stream=True,
        )
        return r, [c async for c in s]

    r, chunks = asyncio.run(go())
    assert r.choices[0].message.content == "This is a fake reply to: Hi"
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "This is a fake reply to: Stream me"
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert server.requests[-1].path.endswith("/stream")
    assert server.requests[-1].header("accept") == "text/event-stream"
    chunks = list(_call(server, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "This is a fake reply to: Hello there"


def test_timeout_cancels_the_prediction(server):
    server.polls_needed = 10_000
    with pytest.raises(litegate.Timeout, match="cancelled"):
        _call(server, timeout=0.3, num_retries=0)
    assert server.cancelled == [next(iter(server.predictions))]
    polls = sum(1 for r in server.requests if r.method == "GET")
    assert 2 <= polls < 60  # backed off, bounded


def test_failed_prediction_and_errors(server):
    server.enqueue_prediction_failure("CUDA out of memory")
    with pytest.raises(litegate.APIError, match="CUDA out of memory"):
        _call(server, num_retries=0)
    with pytest.raises(litegate.AuthenticationError):
        litegate.completion(MODEL, messages=[{"role": "user", "content": "x"}], api_key="bad", api_base=server.base_url)
    server.enqueue_raw(
        429,
        {"title": "Request was throttled", "detail": "Expected available in 1 second.", "status": 429},
        {"retry-after": "0"},
    )
    with pytest.raises(litegate.RateLimitError, match="Expected available"):
        _call(server, num_retries=0)
    server.enqueue_prediction_failure("boom")
    with pytest.raises(litegate.APIError, match="boom"):
        for _ in _call(server, stream=True, num_retries=0):
            pass


def test_bad_model_string_refused_before_any_request(server):
    with pytest.raises(litegate.BadRequestError, match="owner/name"):
        _call(server, model="replicate/just-a-name")
    assert server.hits() == 0
