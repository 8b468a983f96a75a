"""Routing strategies, each checked by counting the requests that reached several fake servers."""

from __future__ import annotations

import asyncio
import math

import pytest
from _router_helpers import MSGS, entry

import litegate
from litegate.router import Router


def counts(servers) -> list:
    return [len(s.requests) for s in servers]


def within(observed: int, n: int, p: float, sigmas: float = 5.0) -> bool:
    """``observed`` hits out of ``n`` draws with probability ``p``, within ``sigmas`` standard deviations."""
    mean = n * p
    sd = math.sqrt(n * p * (1 - p))
    return abs(observed - mean) <= sigmas * sd


async def _many(r, n, group="g", **kw):
    return await asyncio.gather(*(r.acompletion(model=group, messages=MSGS, **kw) for _ in range(n)))


def test_simple_shuffle_spreads_evenly(servers):
    r = Router(model_list=[entry("g", s, f"d{i}") for i, s in enumerate(servers)])
    n = 400
    asyncio.run(_many(r, n))
    c = counts(servers)
    assert sum(c) == n
    assert all(within(x, n, 0.25) for x in c), c
    assert min(c) > 0


def test_simple_shuffle_weights_by_rpm_then_weight(servers):
    n = 400
    r = Router(model_list=[entry("g", servers[0], "a", rpm=100), entry("g", servers[1], "b", rpm=300)])
    asyncio.run(_many(r, n))
    a, b = counts(servers[:2])
    assert a + b == n and within(a, n, 0.25), (a, b)
    r2 = Router(
        model_list=[entry("h", servers[2], "c", weight=9, rpm=1), entry("h", servers[3], "d", weight=1, rpm=1000)]
    )
    asyncio.run(_many(r2, n, "h"))
    c, d = counts(servers[2:])
    assert within(c, n, 0.9), (c, d)  # weight wins over rpm


def test_weighted_random(servers):
    n = 400
    r = Router(
        model_list=[
            entry("g", servers[0], "a", weight=1),
            entry("g", servers[1], "b", weight=3),
            entry("g", servers[2], "c", weight=0),
        ],
        routing_strategy="weighted-random",
    )
    asyncio.run(_many(r, n))
    a, b, c = counts(servers[:3])
    assert c == 0 and a + b == n and within(a, n, 0.25), (a, b, c)


def test_least_busy_balances_open_streams(servers):
    r = Router(model_list=[entry("g", s, f"d{i}") for i, s in enumerate(servers)], routing_strategy="least-busy")
    streams = [r.completion(model="g", messages=MSGS, stream=True) for _ in range(8)]
    assert counts(servers) == [2, 2, 2, 2]  # each new call went to a least-busy deployment
    snap = r.state.snapshot("g", r.get_model_ids(), inflight=True)
    assert sorted(snap.inflight.values()) == [2, 2, 2, 2]
    for s in streams[:4]:
        list(s)
    ids_done = {s._hidden_params["model_id"] for s in streams[:4]}
    snap = r.state.snapshot("g", r.get_model_ids(), inflight=True)
    assert sum(snap.inflight.values()) == 4
    # the next call goes where the fewest are in flight
    nxt = r.completion(model="g", messages=MSGS)
    low = min(snap.inflight.values())
    assert snap.inflight[nxt._hidden_params["model_id"]] == low
    for s in streams[4:]:
        list(s)
    assert sum(r.state.snapshot("g", r.get_model_ids(), inflight=True).inflight.values()) == 0
    assert ids_done


def test_least_busy_async_concurrency(servers):
    for s in servers[:2]:
        s.enqueue_reply("slow", delay=0.3, count=1)  # the first call on each is slow
    r = Router(model_list=[entry("g", servers[0], "a"), entry("g", servers[1], "b")], routing_strategy="least-busy")

    async def go():
        first = [asyncio.create_task(r.acompletion(model="g", messages=MSGS)) for _ in range(2)]
        await asyncio.sleep(0.1)  # both slow calls are in flight, one per deployment
        snap = r.state.snapshot("g", ["a", "b"], inflight=True)
        await asyncio.gather(*first)
        return snap

    snap = asyncio.run(go())
    assert snap.inflight == {"a": 1, "b": 1}


def test_latency_based_prefers_the_fast_deployment(servers):
    servers[0].enqueue_reply("slow", delay=0.25, count=3)
    r = Router(
        model_list=[entry("g", servers[0], "slow"), entry("g", servers[1], "fast")],
        routing_strategy="latency-based-routing",
    )
    picked = [r.completion(model="g", messages=MSGS)._hidden_params["model_id"] for _ in range(12)]
    assert set(picked[:2]) == {"slow", "fast"}  # each measured once first
    assert picked[2:] == ["fast"] * 10
    lat = r.state.snapshot("g", ["slow", "fast"], latency=True).latency
    assert lat["slow"] > 0.2 > lat["fast"]


def test_latency_based_uses_time_to_first_token_for_streams(servers):
    servers[0].enqueue_stream(first_delay=0.3)
    r = Router(
        model_list=[entry("g", servers[0], "late"), entry("g", servers[1], "early")],
        routing_strategy="latency-based-routing",
    )
    for _ in range(2):
        s = r.completion(model="g", messages=MSGS, stream=True)
        if s._hidden_params["model_id"] == "late":
            servers[0].enqueue_stream(first_delay=0.3)
        list(s)
    lat = r.state.snapshot("g", ["late", "early"], latency=True).latency
    assert lat["late"] >= 0.25 and lat["early"] < 0.2
    picks = {r.completion(model="g", messages=MSGS, stream=True)._hidden_params["model_id"] for _ in range(5)}
    assert picks == {"early"}


def test_configured_latency_seeds_the_choice(servers):
    r = Router(
        model_list=[entry("g", servers[0], "a", latency=5.0), entry("g", servers[1], "b", latency=0.01)],
        routing_strategy="latency-based-routing",
    )
    assert r.completion(model="g", messages=MSGS)._hidden_params["model_id"] == "b"


def test_cost_based_picks_the_cheapest(servers):
    r = Router(
        model_list=[
            entry(
                "g", servers[0], "dear", cost_per_token={"input_cost_per_token": 5e-6, "output_cost_per_token": 1.5e-5}
            ),
            entry(
                "g", servers[1], "cheap", cost_per_token={"input_cost_per_token": 1e-7, "output_cost_per_token": 2e-6}
            ),
            entry("g", servers[2], "registry", model="openai/gpt-4o"),  # priced from the model registry
        ],
        routing_strategy="cost-based-routing",
    )
    asyncio.run(_many(r, 20))
    assert counts(servers[:3]) == [0, 20, 0]


def test_cost_based_counts_expected_output(servers):
    # cheap input, dear output vs the reverse: max_tokens decides
    a = entry("g", servers[0], "a", cost_per_token={"input_cost_per_token": 1e-6, "output_cost_per_token": 1e-4})
    b = entry("g", servers[1], "b", cost_per_token={"input_cost_per_token": 1e-5, "output_cost_per_token": 1e-6})
    r = Router(model_list=[a, b], routing_strategy="cost-based-routing")
    assert r.completion(model="g", messages=MSGS)._hidden_params["model_id"] == "a"
    assert r.completion(model="g", messages=MSGS, max_tokens=500)._hidden_params["model_id"] == "b"


def test_usage_based_rpm_limits_are_exact(servers, clock):
    r = Router(
        model_list=[entry("g", servers[0], "a", rpm=3), entry("g", servers[1], "b", rpm=5)],
        routing_strategy="usage-based-routing",
        clock=clock,
    )
    for _ in range(8):
        r.completion(model="g", messages=MSGS)
    assert counts(servers[:2]) == [3, 5]
    with pytest.raises(litegate.exceptions.RateLimitError, match="at their TPM/RPM limits"):
        r.completion(model="g", messages=MSGS)
    assert counts(servers[:2]) == [3, 5]
    assert asyncio.run(r.get_model_group_usage("g"))[1] == 8
    clock.advance(60)  # a new minute
    r.completion(model="g", messages=MSGS)
    assert sum(counts(servers[:2])) == 9


def test_usage_based_spreads_by_share_of_limit(servers, clock):
    r = Router(
        model_list=[entry("g", servers[0], "a", rpm=10), entry("g", servers[1], "b", rpm=30)],
        routing_strategy="usage-based-routing",
        clock=clock,
    )
    asyncio.run(_many(r, 40))
    assert counts(servers[:2]) == [10, 30]


def test_usage_based_tpm(servers, clock):
    r = Router(model_list=[entry("g", servers[0], "a", tpm=60)], routing_strategy="usage-based-routing", clock=clock)
    used = 0
    made = 0
    while True:
        try:
            resp = r.completion(model="g", messages=MSGS)
        except litegate.exceptions.RateLimitError:
            break
        used += resp.usage.total_tokens
        made += 1
        assert made < 20
    tokens, requests = asyncio.run(r.get_model_group_usage("g"))
    assert (tokens, requests) == (used, made) and made >= 1
    est = litegate.token_counter(model="gpt-4o", messages=MSGS)  # what a call reserves up front
    last = resp.usage.total_tokens
    assert tokens + est > 60, "refused although the next call's estimate fitted"
    assert tokens - last + est <= 60, "the last call was admitted past the limit"


def test_custom_strategy_by_name_for_later_routers(servers):
    seen = []

    def last_one(model_group, healthy_deployments, **kwargs):
        seen.append((model_group, [d.model_info.id for d in healthy_deployments], bool(kwargs.get("messages"))))
        return healthy_deployments[-1]

    r = Router(model_list=[entry("g", servers[0], "a"), entry("g", servers[1], "b")])
    r.set_custom_routing_strategy("my_logic", last_one)
    r2 = Router(model_list=[entry("g", servers[0], "a"), entry("g", servers[1], "b")], routing_strategy="my_logic")
    for _ in range(3):
        assert r2.completion(model="g", messages=MSGS)._hidden_params["model_id"] == "b"
    assert seen[0] == ("g", ["a", "b"], True)


def test_custom_strategy_object_async(servers):
    class Second:
        async def async_get_available_deployment(
            self, model, messages=None, input=None, specific_deployment=False, request_kwargs=None, **kw
        ):
            return kw["healthy_deployments"][1].model_info["id"]

        def get_available_deployment(self, **kw):
            raise AssertionError("the async form is used by async calls")

    r = Router(model_list=[entry("g", servers[0], "a"), entry("g", servers[1], "b")])
    r.set_custom_routing_strategy(Second())
    out = asyncio.run(_many(r, 5))
    assert {x._hidden_params["model_id"] for x in out} == {"b"}


def test_custom_strategy_returning_a_stranger_is_an_error(servers):
    r = Router(model_list=[entry("g", servers[0], "a")])
    r.set_custom_routing_strategy("bogus", lambda group, healthy, **kw: {"model_info": {"id": "zzz"}})
    r2 = Router(model_list=[entry("g", servers[0], "a")], routing_strategy="bogus")
    with pytest.raises(ValueError, match="not one of the healthy"):
        r2.completion(model="g", messages=MSGS)
    assert counts(servers[:1]) == [0]


def test_simple_shuffle_across_groups_with_and_without_weights(servers):
    """A call naming a deployment's model that a weighted and an unweighted group both serve: the
    deployments are weighed together (it once failed with a TypeError summing the weights)."""
    n = 200
    r = Router(
        model_list=[
            entry("weighted", servers[0], "a", weight=3),
            entry("weighted", servers[1], "b", model="openai/other", weight=1),
            entry("plain", servers[2], "c"),
        ]
    )
    asyncio.run(_many(r, n, "openai/gpt-4o"))
    a, b, c = counts(servers[:3])
    assert b == 0 and a + c == n, (a, b, c)
    assert within(a, n, 0.5), (a, c)  # "c" declares no weight: it counts as the mean of those given (3)
