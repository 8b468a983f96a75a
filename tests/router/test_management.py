"""Managing and inspecting a Router: deployments added, edited, deleted while calls run; the
inspection methods; concurrency (threads and 1,000 async calls) without lost or double-counted usage."""

from __future__ import annotations

import asyncio
import threading

from _router_helpers import KEY, MSGS, entry

from litegate.router import Deployment, Router


def test_add_upsert_delete(servers):
    r = Router(model_list=[entry("g", servers[0], "a", tpm=100, rpm=10)])
    added = r.add_deployment(entry("h", servers[1], "b"))
    assert isinstance(added, Deployment) and added.model_info.id == "b"
    assert r.add_deployment(entry("h", servers[1], "b")) is None  # the id exists
    assert r.get_model_names() == ["g", "h"]
    assert r.completion(model="h", messages=MSGS)._hidden_params["model_id"] == "b"

    d = r.get_deployment("a")
    d.tpm, d.rpm = 750, 60
    d.litellm_params["api_base"] = servers[2].base_url
    assert r.get_deployment("a").tpm == 100  # a copy: nothing changes until upserted
    up = r.upsert_deployment(d)
    assert (up.tpm, up.rpm) == (750, 60) and r.get_deployment("a").rpm == 60
    r.completion(model="g", messages=MSGS)
    assert len(servers[2].requests) == 1 and len(servers[0].requests) == 0

    new = r.upsert_deployment(
        Deployment("g", {"model": "openai/gpt-4o", "api_key": KEY, "api_base": servers[3].base_url}, {"id": "c"})
    )
    assert new.id == "c" and r.get_model_ids("g") == ["a", "c"]

    gone = r.delete_deployment(id="a")
    assert gone["litellm_params"]["model"] == "openai/gpt-4o" and gone["tpm"] == 750
    assert r.delete_deployment(id="a") is None
    assert r.get_model_ids() == ["b", "c"]
    r.set_model_list([entry("z", servers[0], "z")])
    assert r.get_model_names() == ["z"] and r.get_model_ids() == ["z"]


def test_deployment_reads_like_litellms(servers):
    r = Router(model_list=[entry("g", servers[0], "a", tpm=5, rpm=1, deployment_tags=["eu"])])
    d = r.get_deployment("a")
    assert d.model_name == "g" and d.litellm_params["model"] == "openai/gpt-4o"
    assert d.litellm_params.model == "openai/gpt-4o" and d.model_info.id == d.model_info["id"] == "a"
    assert d["model_name"] == "g" and d.get("tpm") == 5 and d.tags == ["eu"]
    dumped = d.model_dump()
    assert dumped["litellm_params"]["api_key"] == KEY and dumped["rpm"] == 1
    assert r.get_model_list("g")[0]["model_info"]["id"] == "a"
    assert r.get_model_list("nope") == []


def test_inspection(servers):
    r = Router(
        model_list=[
            entry("g", servers[0], "a", tpm=100, rpm=10),
            entry("g", servers[1], "b", tpm=50, rpm=5, model="openai/gpt-4o-mini"),
        ],
        num_retries=4,
        timeout=12,
        allowed_fails=2,
        cooldown_time=9,
        redis_password=None,
        model_group_alias={"chat": "g"},
    )
    info = r.get_model_group_info("chat")
    assert info.model_group == "g" and info.tpm == 150 and info.rpm == 15
    assert info.providers == ["openai"] and info.max_input_tokens == 128000 and info.mode == "chat"
    assert info.supports_function_calling is True
    assert r.get_model_group_info("nope") is None
    s = r.get_settings()
    assert (s["routing_strategy"], s["num_retries"], s["timeout"], s["allowed_fails"], s["cooldown_time"]) == (
        "simple-shuffle",
        4,
        12,
        2,
        9,
    )
    assert s["enable_health_checks"] is False and s["cache_responses"] is False
    picked = r.get_available_deployment("chat", messages=MSGS)
    assert picked.id in ("a", "b")
    assert len(servers[0].requests) + len(servers[1].requests) == 0


def test_settings_never_show_the_redis_password():
    r = Router(model_list=[], redis_url="redis://:hunter2secret@127.0.0.1:1/0", enable_health_checks=False)
    try:
        assert "hunter2secret" not in repr(r.get_settings())
    finally:
        r.close()


def test_deployments_change_while_threads_call(servers):
    r = Router(model_list=[entry("g", servers[0], "a"), entry("g", servers[1], "b")])
    errors: list = []
    done = threading.Event()

    def caller():
        while not done.is_set():
            try:
                r.completion(model="g", messages=MSGS)
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)

    threads = [threading.Thread(target=caller) for _ in range(4)]
    for t in threads:
        t.start()
    for i in range(30):
        r.upsert_deployment(entry("g", servers[2], f"x{i % 3}"))
        r.delete_deployment(id=f"x{(i + 1) % 3}")
    done.set()
    for t in threads:
        t.join(10)
    assert errors == []
    assert set(r.get_model_ids()) >= {"a", "b"}


def test_thousand_async_calls_no_lost_or_double_counted_usage(servers):
    # usage is counted per clock minute: a frozen clock keeps a slow run inside one minute
    r = Router(
        model_list=[entry("g", s, f"d{i}") for i, s in enumerate(servers)],
        routing_strategy="least-busy",
        clock=lambda: 60_000_030.0,
    )

    async def go():
        gate = asyncio.Semaphore(200)

        async def one(i):
            async with gate:
                if i % 4 == 0:
                    s = await r.acompletion(model="g", messages=MSGS, stream=True)
                    async for _ in s:
                        pass
                    return s._hidden_params["usage"]["total_tokens"]
                resp = await r.acompletion(model="g", messages=MSGS)
                return resp.usage.total_tokens

        return await asyncio.gather(*(one(i) for i in range(1000)))

    totals = asyncio.run(go())
    tokens, requests = asyncio.run(r.get_model_group_usage("g"))
    assert requests == 1000 == sum(len(s.requests) for s in servers)
    assert tokens == sum(totals)
    snap = r.state.snapshot("g", r.get_model_ids(), inflight=True)
    assert sum(snap.inflight.values()) == 0


def test_health_checks_cool_down_a_dead_deployment(servers, clock):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/v1"
    r = Router(
        model_list=[
            entry("g", servers[0], "ok"),
            {
                "model_name": "g",
                "model_info": {"id": "dead"},
                "litellm_params": {"model": "openai/gpt-4o", "api_key": KEY, "api_base": dead},
            },
        ],
        enable_health_checks=True,
        health_check_interval=0.05,
        cooldown_time=600,
        clock=clock,
    )
    try:
        for _ in range(200):
            if [d.id for d in r.get_available_deployments("g")] == ["ok"]:
                break
            threading.Event().wait(0.02)
        assert [d.id for d in r.get_available_deployments("g")] == ["ok"]
        assert servers[0].requests  # the healthy one was checked too
    finally:
        r.close()
    assert not r._health.is_alive()


def test_close_stops_the_health_thread_promptly(servers):
    r = Router(model_list=[entry("g", servers[0], "a")], enable_health_checks=True, health_check_interval=3600)
    assert r._health.is_alive()
    r.close()
    assert not r._health.is_alive()


def test_batch_forms_keep_order_and_put_errors_in_their_slot(servers):
    r = Router(model_list=[entry("a", servers[0], "a"), entry("b", servers[1], "b")], num_retries=0)
    servers[1].enqueue_error(400, message="bad for b")
    out = r.batch_completion(models=["a", "b", "a"], messages=MSGS)
    assert [o._hidden_params["model_id"] for o in (out[0], out[2])] == ["a", "a"]
    assert isinstance(out[1], Exception) and "bad for b" in str(out[1])
    many = [[{"role": "user", "content": f"question {i}"}] for i in range(6)]
    got = asyncio.run(r.abatch_completion_one_model_multiple_requests("a", many, max_concurrency=2))
    assert [g.choices[0].message.content for g in got] == [f"This is a fake reply to: question {i}" for i in range(6)]
    both = asyncio.run(r.abatch_completion(["a", "b"], MSGS))
    assert [x._hidden_params["model_id"] for x in both] == ["a", "b"]
    sync_many = r.batch_completion("a", many[:3])
    assert [g.choices[0].message.content[-10:] for g in sync_many] == [f"question {i}" for i in range(3)]
