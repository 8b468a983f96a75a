"""batch_completion / abatch_completion and health_check / ahealth_check, end to end against the fake
servers over real sockets."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import pytest

import litegate
from litegate.batch import abatch_completion, batch_completion
from litegate.health import HealthCheckResponse, ahealth_check, health_check
from litegate.testing import FakeAnthropicServer, FakeOpenAIServer

GOOD_KEY = "sk-good-batch-0123456789abcdef"
BAD_KEY = "sk-invalid-batch-fedcba9876543210"


def _msgs(text: str) -> list:
    return [{"role": "user", "content": text}]


@pytest.fixture
def keyed():
    with FakeOpenAIServer(require_key=GOOD_KEY) as srv:
        yield srv


def _dead_base() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


# ------------------------------------------------------------------------------ batch: sync


def test_requests_form_preserves_order(server):
    reqs = [
        {
            "model": "gpt-3.5-turbo",
            "messages": _msgs(f"question {i}"),
            "api_base": server.base_url,
            "api_key": "sk-test",
        }
        for i in range(8)
    ]
    out = batch_completion(requests=reqs, max_concurrent_requests=4)
    assert len(out) == 8
    for i, r in enumerate(out):
        assert isinstance(r, litegate.ModelResponse)
        assert f"question {i}" in r.choices[0].message.content
    assert server.hits("/chat/completions") == 8


def test_one_failure_stays_in_its_slot(keyed):
    reqs = [
        {"model": "gpt-4o", "messages": _msgs(f"q{i}"), "api_base": keyed.base_url, "api_key": GOOD_KEY}
        for i in range(5)
    ]
    reqs[2]["api_key"] = BAD_KEY
    reqs[4] = {
        "model": "gpt-4o",
        "messages": _msgs("q4"),
        "api_base": _dead_base(),
        "api_key": GOOD_KEY,
        "num_retries": 0,
    }
    out = batch_completion(requests=reqs, num_retries=0)  # common kwargs; per-request values win
    assert [type(r).__name__ for r in out] == [
        "ModelResponse",
        "ModelResponse",
        "AuthenticationError",
        "ModelResponse",
        "APIConnectionError",
    ]
    assert isinstance(out[2], litegate.AuthenticationError)
    assert isinstance(out[4], litegate.APIConnectionError)
    assert "q3" in out[3].choices[0].message.content
    assert BAD_KEY not in str(out[2])


def test_classic_model_messages_form(server):
    out = batch_completion(
        model="gpt-4o",
        messages=[_msgs("alpha"), _msgs("beta"), _msgs("gamma")],
        api_base=server.base_url,
        api_key="sk-test",
        max_tokens=10,
    )
    assert [type(r).__name__ for r in out] == ["ModelResponse"] * 3
    for r, word in zip(out, ("alpha", "beta", "gamma"), strict=False):
        assert word in r.choices[0].message.content
    assert all(req.json["max_tokens"] == 10 for req in server.requests)
    # positional classic call, as litellm allows
    out2 = batch_completion("gpt-4o", [_msgs("delta")], api_base=server.base_url, api_key="sk-test")
    assert "delta" in out2[0].choices[0].message.content


def test_mock_response_and_empty_batch():
    out = batch_completion(
        requests=[{"model": "gpt-4o", "messages": _msgs("x"), "mock_response": f"m{i}"} for i in range(3)],
        use_threadpool=True,
    )
    assert [r.choices[0].message.content for r in out] == ["m0", "m1", "m2"]
    assert batch_completion(requests=[]) == []


def test_malformed_batch_raises_before_sending(server):
    with pytest.raises(ValueError):
        batch_completion(requests=[{"messages": _msgs("no model")}])
    with pytest.raises(ValueError):
        batch_completion(requests=[{"model": "gpt-4o"}])
    with pytest.raises(TypeError):
        batch_completion(requests=["not a dict"])
    with pytest.raises(ValueError):
        batch_completion()
    with pytest.raises(ValueError):
        batch_completion(requests=[{"model": "gpt-4o", "messages": _msgs("x")}], max_concurrent_requests=0)
    assert server.hits() == 0


def test_sync_concurrency_bound(server):
    server.enqueue_reply("slow", delay=0.3, count=6)
    reqs = [
        {"model": "gpt-4o", "messages": _msgs(f"s{i}"), "api_base": server.base_url, "api_key": "sk-test"}
        for i in range(6)
    ]
    box: dict = {}

    def go() -> None:
        t0 = time.perf_counter()
        box["out"] = batch_completion(requests=reqs, max_concurrent_requests=2)
        box["elapsed"] = time.perf_counter() - t0

    th = threading.Thread(target=go)
    th.start()
    assert server.wait_for_hits(2, timeout=5)
    time.sleep(0.15)  # the first two are still being answered: nobody else may be in flight
    assert server.hits() == 2
    th.join(10)
    assert all(isinstance(r, litegate.ModelResponse) for r in box["out"])
    # 3 waves of 0.3 s; unbounded would take ~0.3 s, one at a time ~1.8 s
    assert 0.85 <= box["elapsed"] < 1.7


# ------------------------------------------------------------------------------ batch: async


async def test_async_batch_order_failure_and_bound(keyed):
    keyed.enqueue_reply("slow", delay=0.3, count=6)
    reqs = [
        {
            "model": "gpt-4o",
            "messages": _msgs(f"a{i}"),
            "api_base": keyed.base_url,
            "api_key": GOOD_KEY,
            "num_retries": 0,
        }
        for i in range(6)
    ]
    t0 = time.perf_counter()
    out = await abatch_completion(requests=reqs, max_concurrent_requests=3)
    elapsed = time.perf_counter() - t0
    assert [type(r).__name__ for r in out] == ["ModelResponse"] * 6
    assert 0.55 <= elapsed < 1.2  # two waves of three
    assert keyed.hits() == 6

    reqs[1]["api_key"] = BAD_KEY
    out = await abatch_completion(requests=reqs, max_concurrent_requests=6)
    assert isinstance(out[1], litegate.AuthenticationError)
    assert all(isinstance(r, litegate.ModelResponse) for i, r in enumerate(out) if i != 1)
    assert "a5" in out[5].choices[0].message.content


async def test_async_classic_form(server):
    out = await abatch_completion(
        model="gpt-4o", messages=[_msgs("one"), _msgs("two")], api_base=server.base_url, api_key="sk-test"
    )
    assert ["one" in out[0].choices[0].message.content, "two" in out[1].choices[0].message.content] == [True, True]


async def test_spec_example_shape(keyed):
    """The spec's "Processing Batch Results" example, pointed at fake OpenAI and Anthropic servers."""
    with FakeAnthropicServer() as anth:
        list_of_requests = []
        for i in range(5):
            list_of_requests.append(
                {
                    "model": "gpt-3.5-turbo",
                    "messages": [{"role": "user", "content": f"Request {i + 1}: Tell me a unique fact."}],
                    "max_tokens": 30,
                    "temperature": 0.6 + i * 0.1,
                    "metadata": {"batch_index": i, "attempt_id": f"fact_batch_{int(time.time())}"},
                    "api_base": keyed.base_url,
                    "api_key": GOOD_KEY,
                }
            )
        list_of_requests.append(
            {
                "model": "claude-3-haiku-20240307",
                "messages": [{"role": "user", "content": "Request 6: What is Anthropic known for?"}],
                "max_tokens": 40,
                "metadata": {"batch_index": 5},
                "api_base": anth.base_url,
                "api_key": "sk-ant-test",
            }
        )
        list_of_requests.append(
            {
                "model": "gpt-4",
                "messages": [{"role": "user", "content": "Fail this."}],
                "api_key": "invalid-key",
                "metadata": {"batch_index": 6},
                "api_base": keyed.base_url,
                "num_retries": 0,
            }
        )
        batch_results = await abatch_completion(requests=list_of_requests, max_concurrent_requests=5)

    successes, failures = [], []
    for i, result in enumerate(batch_results):
        if isinstance(result, litegate.ModelResponse):
            successes.append(
                {
                    "index": i,
                    "model": result.model,
                    "response": result.choices[0].message.content[:80].strip() + "...",
                    "usage": result.usage,
                }
            )
        elif isinstance(result, Exception):
            failures.append({"index": i, "error_type": type(result).__name__, "error_message": str(result)})
    assert [s["index"] for s in successes] == [0, 1, 2, 3, 4, 5]
    assert failures[0]["index"] == 6 and failures[0]["error_type"] == "AuthenticationError"
    assert successes[5]["usage"].total_tokens > 0
    assert anth.hits() == 1


# ------------------------------------------------------------------------------ health checks


def test_health_check_healthy_chat(server):
    res = health_check(model="gpt-3.5-turbo", api_base=server.base_url, api_key="sk-test")
    assert res["healthy"] is True and res["error_message"] is None
    assert res["response_time_ms"] >= 0
    body = server.last_request.json
    assert body["max_tokens"] == 1 and server.last_request.path.endswith("/chat/completions")
    assert health_check(model="gpt-4o", mode="chat", api_base=server.base_url, api_key="sk-test")["healthy"]


@pytest.mark.parametrize("status, kind", [(401, "AuthenticationError"), (500, "InternalServerError")])
def test_health_check_unhealthy_never_raises(server, status, kind):
    server.enqueue_error(status=status, count=5)
    res = health_check(model="gpt-4o", api_base=server.base_url, api_key=BAD_KEY, timeout=5)
    assert res["healthy"] is False
    assert res["error_message"].startswith(kind + ": ")
    assert BAD_KEY not in repr(res)
    assert server.hits() == 1  # no retries by default


def test_health_check_wrong_key_is_redacted(keyed):
    res = health_check(model="gpt-4o", api_base=keyed.base_url, api_key=BAD_KEY)
    assert res["healthy"] is False and res["error_message"].startswith("AuthenticationError: ")
    assert BAD_KEY not in repr(res) and BAD_KEY[6:-4] not in repr(res)
    assert health_check(model="gpt-4o", api_base=keyed.base_url, api_key=GOOD_KEY)["healthy"] is True


def test_health_check_connection_refused():
    res = health_check(model="gpt-4o", api_base=_dead_base(), api_key=GOOD_KEY, timeout=5)
    assert res["healthy"] is False and res["error_message"].startswith("APIConnectionError")
    assert GOOD_KEY not in repr(res)


def test_health_check_embedding_mode(server):
    res = health_check(model="text-embedding-3-small", mode="embedding", api_base=server.base_url, api_key="sk-t")
    assert res["healthy"] is True
    assert server.last_request.path.endswith("/embeddings")
    assert server.last_request.json["input"] == ["ping"]
    server.enqueue_error(status=401)
    bad = health_check(model="text-embedding-3-small", mode="embedding", api_base=server.base_url, api_key=BAD_KEY)
    assert bad["healthy"] is False and BAD_KEY not in repr(bad)


def test_health_check_bad_mode():
    with pytest.raises(ValueError):
        health_check(model="gpt-4o", mode="telepathy")


async def test_ahealth_check(keyed):
    ok: HealthCheckResponse = await ahealth_check(
        model="gpt-3.5-turbo", api_base=keyed.base_url, api_key=GOOD_KEY, timeout=15
    )
    assert ok["healthy"] is True and ok.get("error_message") is None
    bad = await ahealth_check(model="gpt-3.5-turbo", api_base=keyed.base_url, api_key=BAD_KEY, timeout=15)
    assert bad["healthy"] is False and "AuthenticationError" in bad["error_message"]
    assert BAD_KEY not in repr(bad)
    emb = await ahealth_check(
        model="text-embedding-3-small", mode="embedding", api_base=keyed.base_url, api_key=GOOD_KEY
    )
    assert emb["healthy"] is True
    keyed.enqueue_error(status=500, count=3)
    down = await ahealth_check(model="gpt-4o", api_base=keyed.base_url, api_key=GOOD_KEY)
    assert down == {
        "healthy": False,
        "error_message": down["error_message"],
        "response_time_ms": down["response_time_ms"],
    }
    assert down["error_message"].startswith("InternalServerError: ")


async def test_spec_health_example_shape(keyed):
    """The spec's "Checking Multiple Endpoints" loop, against a good and a dead endpoint."""
    endpoints = [
        {"name": "OK", "model": "gpt-3.5-turbo", "api_base": keyed.base_url},
        {"name": "Dead", "model": "gpt-3.5-turbo", "api_base": _dead_base()},
    ]
    results = {}
    for info in endpoints:
        status = await ahealth_check(model=info["model"], timeout=15, api_base=info["api_base"], api_key=GOOD_KEY)
        results[info["name"]] = status
    assert results["OK"].get("healthy") is True
    assert results["Dead"].get("healthy") is False and results["Dead"].get("error_message", "Unknown error")
    assert asyncio.iscoroutinefunction(ahealth_check)
