"""The trimmed per-call path keeps its meaning: prepared per-deployment arguments follow the
Router's settings and the deployment table, retries stay the Router's whatever
``litegate.num_retries`` says, and the lean success record still counts usage and resets the
consecutive-failure count (fake servers over real sockets, an injected clock)."""

from __future__ import annotations

import asyncio

import pytest
from _router_helpers import KEY, MSGS, entry

import litegate
from litegate.router import Router

CHAT = "/chat/completions"


def test_prepared_arguments_follow_settings_and_upserts(servers):
    a, b = servers[:2]
    router = Router(model_list=[entry("g", a, "only")])
    router.completion(model="g", messages=MSGS)
    assert "temperature" not in a.last_request.json
    router.default_litellm_params = {"temperature": 0.25}
    router.completion(model="g", messages=MSGS)
    assert a.last_request.json["temperature"] == 0.25
    assert router.completion(model="g", messages=MSGS, temperature=0.75) and a.last_request.json["temperature"] == 0.75
    router.cache_responses = True
    router.completion(model="g", messages=MSGS)
    assert router.completion(model="g", messages=MSGS)._hidden_params["cache_hit"] is True
    router.cache_responses = False
    before = a.hits(CHAT)
    router.completion(model="g", messages=MSGS)
    assert a.hits(CHAT) == before + 1
    # a deployment replaced in place: the next call uses its new server and key
    router.upsert_deployment(
        {
            "model_name": "g",
            "model_info": {"id": "only"},
            "litellm_params": {"model": "openai/gpt-4o", "api_key": "sk-new-key-00000000", "api_base": b.base_url},
        }
    )
    answer = router.completion(model="g", messages=MSGS)
    assert answer._hidden_params["api_base"] == b.base_url
    assert b.last_request.headers["authorization"] == "Bearer sk-new-key-00000000"


@pytest.mark.parametrize("module_retries", [None, 0, 3])
def test_a_deployment_attempt_never_retries_by_itself(servers, module_retries):
    a = servers[0]
    litegate.num_retries = module_retries
    router = Router(model_list=[entry("g", a, "only")], num_retries=0)
    a.enqueue_error(500, count=5)
    with pytest.raises(litegate.InternalServerError):
        router.completion(model="g", messages=MSGS)
    assert a.hits(CHAT) == 1
    # a deployment's own num_retries / max_retries do not make the attempt retry either
    router = Router(model_list=[entry("g", a, "own", params={"num_retries": 4, "max_retries": 4})], num_retries=0)
    with pytest.raises(litegate.InternalServerError):
        router.completion(model="g", messages=MSGS)
    assert a.hits(CHAT) == 2


def test_lean_record_counts_usage_and_resets_failures(servers, clock):
    a = servers[0]
    router = Router(model_list=[entry("g", a, "only")], clock=clock, allowed_fails=2, cooldown_time=60, num_retries=0)
    tokens = 0
    for _ in range(3):
        tokens += router.completion(model="g", messages=MSGS).usage.total_tokens
    assert asyncio.run(router.get_model_group_usage("g")) == (tokens, 3)
    # fail, succeed, fail: never two consecutive failures, so never cooled down
    for status in (500, None, 500):
        if status:
            a.enqueue_error(status)
            with pytest.raises(litegate.InternalServerError):
                router.completion(model="g", messages=MSGS)
        else:
            router.completion(model="g", messages=MSGS)
    assert [d.id for d in router.get_available_deployments("g")] == ["only"]
    a.enqueue_error(500)
    with pytest.raises(litegate.InternalServerError):
        router.completion(model="g", messages=MSGS)
    assert router.get_available_deployments("g") == []  # the second in a row cools it
    with pytest.raises(litegate.RateLimitError, match="cooling down"):
        router.completion(model="g", messages=MSGS)
    clock.advance(61)
    assert router.completion(model="g", messages=MSGS).choices[0].message.content


def test_the_key_in_a_call_wins_over_the_deployments(servers):
    a = servers[0]
    router = Router(model_list=[entry("g", a, "only")])
    router.completion(model="g", messages=MSGS, api_key="sk-callers-own-000000")
    assert a.last_request.headers["authorization"] == "Bearer sk-callers-own-000000"
    router.completion(model="g", messages=MSGS)
    assert a.last_request.headers["authorization"] == f"Bearer {KEY}"
