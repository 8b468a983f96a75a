"""Router state shared through a real Redis server: limits that hold across processes, cooldowns
seen by every replica, keys that all expire and share their group's cluster slot, and a Redis
outage in the middle of a run."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from _router_helpers import MSGS, entry

import litegate
from litegate.router import Router

SRC = str(Path(litegate.__file__).resolve().parents[1])
NOW = 1_800_000_000.0  # every process routes at the same fixed time: one minute window for all

CHILD = r"""
import asyncio, json, sys, litegate
from litegate.router import Router
cfg = json.loads(sys.argv[1])
r = Router(model_list=cfg["model_list"], routing_strategy=cfg.get("strategy", "usage-based-routing"),
           redis_url=cfg["redis_url"], num_retries=cfg.get("num_retries", 0), allowed_fails=cfg.get("allowed_fails"),
           cooldown_time=cfg.get("cooldown_time"), enable_health_checks=False, clock=lambda: cfg["now"],
           # several children start at once on a small machine: a round trip may take over the 1 s default
           cache_kwargs={"socket_timeout": 10})
msgs = [{"role": "user", "content": "route me"}]
ok, limited, other, tokens = 0, 0, [], 0

async def one():
    global ok, limited, tokens
    try:
        resp = await r.acompletion(model=cfg["group"], messages=msgs)
        ok += 1
        tokens += resp.usage.total_tokens
    except litegate.exceptions.RateLimitError as e:
        limited += 1
    except Exception as e:
        other.append(type(e).__name__)

async def main():
    for _ in range(cfg["rounds"]):
        await asyncio.gather(*(one() for _ in range(cfg["concurrency"])))

asyncio.run(main())
print(json.dumps({"ok": ok, "limited": limited, "other": other, "tokens": tokens,
                  "local": r.state.outages}))
r.close()
"""


def _children(n: int, cfg: dict) -> list:
    env = dict(os.environ, PYTHONPATH=SRC)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, json.dumps(cfg)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
        for _ in range(n)
    ]
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=120)
        assert p.returncode == 0, stderr
        out.append(dict(json.loads(stdout.strip().splitlines()[-1]), stderr=stderr[-2000:]))
    return out


def _group() -> str:
    return f"g-{uuid.uuid4().hex[:8]}"


@pytest.mark.parametrize("processes", [2, 4])
def test_rpm_limits_hold_exactly_across_processes(servers, redis_url, processes):
    group = _group()
    ml = [entry(group, servers[0], f"{group}-a", rpm=7), entry(group, servers[1], f"{group}-b", rpm=11)]
    results = _children(
        processes, {"model_list": ml, "redis_url": redis_url, "group": group, "now": NOW, "rounds": 3, "concurrency": 5}
    )
    ok = sum(r["ok"] for r in results)
    assert [r["other"] for r in results] == [[]] * processes
    assert not any(r["local"] for r in results), [r["stderr"] for r in results]
    assert ok == 18 and sum(r["limited"] for r in results) == processes * 15 - 18
    assert (len(servers[0].requests), len(servers[1].requests)) == (7, 11)
    # a Router in this process sees the same minute
    r = Router(
        model_list=ml,
        redis_url=redis_url,
        routing_strategy="usage-based-routing",
        clock=lambda: NOW,
        enable_health_checks=False,
    )
    try:
        assert asyncio.run(r.get_model_group_usage(group)) == (sum(x["tokens"] for x in results), 18)
        with pytest.raises(litegate.exceptions.RateLimitError, match="TPM/RPM limits"):
            r.completion(model=group, messages=MSGS)
    finally:
        r.close()


def test_tpm_limits_across_processes_count_every_token_once(servers, redis_url):
    group = _group()
    tpm = 200
    ml = [entry(group, servers[0], f"{group}-a", tpm=tpm)]
    results = _children(
        4, {"model_list": ml, "redis_url": redis_url, "group": group, "now": NOW, "rounds": 4, "concurrency": 3}
    )
    ok = sum(r["ok"] for r in results)
    used = sum(r["tokens"] for r in results)
    assert not any(r["local"] for r in results), [r["stderr"] for r in results]
    assert ok == len(servers[0].requests) and ok > 0
    r = Router(
        model_list=ml,
        redis_url=redis_url,
        routing_strategy="usage-based-routing",
        clock=lambda: NOW,
        enable_health_checks=False,
    )
    try:
        assert asyncio.run(r.get_model_group_usage(group)) == (used, ok)
    finally:
        r.close()
    est = litegate.token_counter(model="gpt-4o", messages=MSGS)
    per_call = used // ok
    # admission reserves the estimate atomically; the rest of each call's tokens is booked at its end,
    # so the total passes the limit by at most what the calls admitted together could add beyond it
    assert used <= tpm + 12 * (per_call - est)
    assert used + est > tpm  # and calls stopped only when the next estimate no longer fitted


def test_a_cooldown_set_by_one_process_is_seen_by_another(servers, redis_url, clock):
    group = _group()
    ml = [entry(group, servers[0], f"{group}-bad"), entry(group, servers[1], f"{group}-good")]
    servers[0].enqueue_error(500, count=50)
    # the child only knows the bad deployment: its failures cool it down in Redis
    child_ml = ml[:1]
    res = _children(
        1,
        {
            "model_list": child_ml,
            "redis_url": redis_url,
            "group": group,
            "now": clock(),
            "rounds": 2,
            "concurrency": 1,
            "strategy": "simple-shuffle",
            "allowed_fails": 2,
            "cooldown_time": 120,
        },
    )
    assert res[0]["other"] == ["InternalServerError", "InternalServerError"]
    bad_hits = len(servers[0].requests)
    r = Router(model_list=ml, redis_url=redis_url, clock=clock, cooldown_time=120, enable_health_checks=False)
    try:
        assert [d.id for d in r.get_available_deployments(group)] == [f"{group}-good"]
        for _ in range(10):
            assert r.completion(model=group, messages=MSGS)._hidden_params["model_id"] == f"{group}-good"
        assert len(servers[0].requests) == bad_hits
        clock.advance(121)
        assert len(r.get_available_deployments(group)) == 2
    finally:
        r.close()


def test_every_key_expires_and_shares_the_group_slot(servers, redis_url, clock):
    import redis

    group = _group()
    servers[0].enqueue_error(500, count=1)
    for strategy in ("usage-based-routing", "least-busy", "latency-based-routing"):
        r = Router(
            model_list=[
                entry(group, servers[0], f"{group}-a", rpm=100),
                entry(group, servers[1], f"{group}-b", rpm=100),
            ],
            redis_url=redis_url,
            routing_strategy=strategy,
            clock=clock,
            allowed_fails=1,
            num_retries=1,
            enable_health_checks=False,
        )
        try:
            for _ in range(4):
                r.completion(model=group, messages=MSGS)
            s = r.completion(model=group, messages=MSGS, stream=True)
            list(s)
        finally:
            r.close()
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"*{group}*"))
    kinds = {k.decode().split(":")[3] for k in keys}
    assert {"use", "busy", "lat", "cool"} <= kinds, kinds
    for k in keys:
        assert f"{{{group}}}" in k.decode()
        assert client.ttl(k) > 0, k  # -1 would mean a key that lives forever
    from redis.cluster import key_slot

    assert len({key_slot(k) for k in keys}) == 1


def test_router_ttl_bounds_the_latency_and_in_flight_keys(servers, redis_url):
    import redis

    group = _group()
    r = Router(
        model_list=[entry(group, servers[0], f"{group}-a")],
        redis_url=redis_url,
        router_ttl=30,
        routing_strategy="latency-based-routing",
        enable_health_checks=False,
    )
    try:
        r.completion(model=group, messages=MSGS)
    finally:
        r.close()
    client = redis.Redis.from_url(redis_url)
    (key,) = [k for k in client.scan_iter(match=f"*{group}*:lat:*")]
    assert 0 < client.ttl(key) <= 30


# ================================================================================ outage
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_server(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("redis-server did not start")


def test_redis_outage_mid_run_keeps_routing_on_local_state(servers, caplog, redis_url):
    port = _free_port()
    proc = _redis_server(port)
    group = _group()
    r = Router(
        model_list=[entry(group, servers[0], "a", rpm=1000), entry(group, servers[1], "b", rpm=1000)],
        redis_host="127.0.0.1",
        redis_port=port,
        routing_strategy="usage-based-routing",
        enable_health_checks=False,
    )
    try:
        for _ in range(3):
            r.completion(model=group, messages=MSGS)
        assert asyncio.run(r.get_model_group_usage(group))[1] == 3
        proc.terminate()
        proc.wait(5)
        with caplog.at_level(logging.WARNING, logger="litegate.router"):
            for _ in range(5):
                t = time.monotonic()
                r.completion(model=group, messages=MSGS)
                assert time.monotonic() - t < 2.0  # a bounded wait on the dead Redis, not a hang
            out = asyncio.run(r.acompletion(model=group, messages=MSGS))
        assert out._hidden_params["model_id"] in ("a", "b")
        warnings = [rec for rec in caplog.records if "Redis is unreachable" in rec.getMessage()]
        assert len(warnings) == 1  # said once, not per call
        assert sum(len(s.requests) for s in servers[:2]) == 9
        assert r.state.local.snapshot(group, ["a", "b"], usage=True).usage  # counted locally meanwhile
        proc = _redis_server(port)  # Redis comes back
        r.state._down_until = 0.0  # skip the pause before trying it again (RETRY_AFTER seconds)
        with caplog.at_level(logging.WARNING, logger="litegate.router"):
            r.completion(model=group, messages=MSGS)
        assert any("reachable again" in rec.getMessage() for rec in caplog.records)
        assert asyncio.run(r.get_model_group_usage(group))[1] == 1  # the new Redis counts from here
    finally:
        r.close()
        proc.terminate()
        proc.wait(5)


def test_reset_and_delete_touch_only_their_own_keys(servers, redis_url, clock):
    mine, theirs = _group(), _group()
    a = Router(
        model_list=[entry(mine, servers[0], f"{mine}-x"), entry(mine, servers[0], f"{mine}-xy")],
        redis_url=redis_url,
        clock=clock,
        enable_health_checks=False,
    )
    b = Router(
        model_list=[entry(theirs, servers[1], f"{theirs}-x")],
        redis_url=redis_url,
        clock=clock,
        enable_health_checks=False,
    )
    try:
        for r, g, ids in ((a, mine, (f"{mine}-x", f"{mine}-xy")), (b, theirs, (f"{theirs}-x",))):
            for i in ids:
                r.state.cooldown(g, i, 300)
        a.delete_deployment(id=f"{mine}-x")  # clears "-x" only, not "-xy" whose id starts the same
        assert [d.id for d in a.get_available_deployments(mine)] == []
        a.reset()
        assert [d.id for d in a.get_available_deployments(mine)] == [f"{mine}-xy"]
        assert b.get_available_deployments(theirs) == []  # another Router's cooldown stays
    finally:
        a.close()
        b.close()


# ================================================================================ Redis Cluster
def _cluster_port() -> int:
    """A free port whose cluster bus port (port + 10000) is free and valid too."""
    for _ in range(1000):
        port = _free_port()
        if port + 10000 > 65535:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port pair for a cluster node")


@pytest.fixture
def redis_cluster(tmp_path):
    """Three cluster-enabled redis-servers on loopback, joined into one cluster (all slots covered)."""
    procs, nodes = [], []
    try:
        for i in range(3):
            port = _cluster_port()
            d = tmp_path / f"n{i}"
            d.mkdir()
            procs.append(
                subprocess.Popen(
                    [
                        shutil.which("redis-server"),
                        "--port",
                        str(port),
                        "--bind",
                        "127.0.0.1",
                        "--cluster-enabled",
                        "yes",
                        "--cluster-config-file",
                        str(d / "nodes.conf"),
                        "--dir",
                        str(d),
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            nodes.append(f"127.0.0.1:{port}")
        for node in nodes:
            host, port = node.split(":")
            for _ in range(200):
                try:
                    with socket.create_connection((host, int(port)), timeout=0.2):
                        break
                except OSError:
                    time.sleep(0.05)
        for _attempt in range(5):  # a node may still be starting up
            made = subprocess.run(
                [shutil.which("redis-cli"), "--cluster", "create", *nodes, "--cluster-replicas", "0", "--cluster-yes"],
                capture_output=True,
                text=True,
                timeout=60,
            )
            if made.returncode == 0:
                break
            time.sleep(0.3)
        assert made.returncode == 0, made.stdout[-2000:] + made.stderr[-2000:]
        import redis

        probe = redis.Redis(host="127.0.0.1", port=int(nodes[0].split(":")[1]))
        for _ in range(200):
            if b"cluster_state:ok" in probe.execute_command("CLUSTER", "INFO"):
                break
            time.sleep(0.05)
        yield nodes
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(5)


def test_redis_cluster_shares_limits_and_cooldowns_between_replicas(servers, redis_cluster, clock):
    import redis
    from redis.cluster import key_slot

    groups = [_group() for _ in range(3)]  # several groups: their keys land on different nodes
    ml = [entry(g, servers[i % 2], f"{g}-{i}", rpm=3) for g in groups for i in range(2)]
    replicas = [
        Router(
            model_list=ml,
            redis_startup_nodes=redis_cluster,
            routing_strategy="usage-based-routing",
            clock=clock,
            allowed_fails=1,
            cooldown_time=60,
            num_retries=0,
            enable_health_checks=False,
        )
        for _ in range(2)
    ]
    try:
        for g in groups:
            ok = 0
            for i in range(10):
                try:
                    replicas[i % 2].completion(model=g, messages=MSGS)
                    ok += 1
                except litegate.exceptions.RateLimitError:
                    pass
            assert ok == 6, g  # 2 deployments x rpm 3, held in total by both replicas
            assert asyncio.run(replicas[1].get_model_group_usage(g))[1] == 6
        # a cooldown set through one replica is seen by the other (in a new minute: limits are full)
        clock.advance(60)
        servers[0].enqueue_error(500)
        g = groups[0]
        with pytest.raises(litegate.exceptions.InternalServerError):
            replicas[0].completion(model=g, messages=MSGS, specific_deployment=f"{g}-0")
        assert [d.id for d in replicas[1].get_available_deployments(g)] == [f"{g}-1"]
    finally:
        for r in replicas:
            r.close()
    slots = set()
    client = redis.RedisCluster(host="127.0.0.1", port=int(redis_cluster[0].split(":")[1]))
    for g in groups:
        keys = list(client.scan_iter(match=f"*{g}*", target_nodes=client.ALL_NODES))
        assert keys and len({key_slot(k) for k in keys}) == 1  # one slot per group
        assert all(client.ttl(k) > 0 for k in keys)
        slots.add(key_slot(keys[0]))
    assert len(slots) == 3


def test_cache_responses_on_a_cluster_caches_in_the_cluster(servers, redis_cluster):
    g = _group()
    ml = [entry(g, servers[0], f"{g}-0"), entry(g, servers[1], f"{g}-1")]
    msgs = [{"role": "user", "content": f"cached in the cluster {g}"}]
    replicas = [
        Router(model_list=ml, redis_startup_nodes=redis_cluster, cache_responses=True, enable_health_checks=False)
        for _ in range(2)
    ]
    try:
        first = replicas[0].completion(model=g, messages=msgs)
        assert first._hidden_params.get("cache_hit") is not True
        assert replicas[0]._own_cache.type == "redis"
        # the other replica (its own, empty memory layer) finds it in the cluster
        again = replicas[1].completion(model=g, messages=msgs)
        assert again._hidden_params["cache_hit"] is True
        assert again.choices[0].message.content == first.choices[0].message.content
        assert servers[0].hits("/chat/completions") + servers[1].hits("/chat/completions") == 1
    finally:
        for r in replicas:
            r.close()


# ================================================================================ Sentinel failover
def test_sentinel_primary_failover(servers, tmp_path, caplog):
    """A primary, its replica and one Sentinel: the Router finds the primary through the Sentinel;
    when the primary dies the Router routes on local state (one warning), the Sentinel promotes
    the replica, and the Router's state goes to the new primary."""
    import redis

    primary_port, replica_port, sentinel_port = _free_port(), _free_port(), _free_port()
    primary = _redis_server(primary_port)
    replica = subprocess.Popen(
        [
            shutil.which("redis-server"),
            "--port",
            str(replica_port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--replicaof",
            "127.0.0.1",
            str(primary_port),
            "--dir",
            str(tmp_path),
        ],  # the replica's copy of the data goes there
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    conf = tmp_path / "sentinel.conf"
    conf.write_text(
        f"port {sentinel_port}\nbind 127.0.0.1\ndir {tmp_path}\n"
        f"sentinel monitor mymaster 127.0.0.1 {primary_port} 1\n"
        "sentinel down-after-milliseconds mymaster 300\nsentinel failover-timeout mymaster 2000\n"
    )
    sentinel = subprocess.Popen(
        [shutil.which("redis-server"), str(conf), "--sentinel"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    group = _group()
    r = None
    try:
        for port in (replica_port, sentinel_port):
            for _ in range(200):
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                        break
                except OSError:
                    time.sleep(0.05)
        rep = redis.Redis(port=replica_port)
        for _ in range(200):  # the replica has synced with the primary
            if rep.info("replication").get("master_link_status") == "up":
                break
            time.sleep(0.05)
        from redis.sentinel import Sentinel

        watch = Sentinel([("127.0.0.1", sentinel_port)], socket_timeout=0.5)
        for _ in range(600):  # the Sentinel has learnt of the replica (from the primary's INFO, polled
            try:  # every 10 s); a Sentinel that knows no replica has nothing to promote
                if any(port == replica_port for _, port in watch.discover_slaves("mymaster")):
                    break
            except redis.RedisError:
                pass
            time.sleep(0.05)
        assert any(port == replica_port for _, port in watch.discover_slaves("mymaster"))
        r = Router(
            model_list=[entry(group, servers[0], "a", rpm=1000)],
            routing_strategy="usage-based-routing",
            redis_sentinel_nodes=[f"127.0.0.1:{sentinel_port}"],
            redis_service_name="mymaster",
            enable_health_checks=False,
        )
        for _ in range(3):
            r.completion(model=group, messages=MSGS)
        assert asyncio.run(r.get_model_group_usage(group))[1] == 3
        primary.terminate()
        primary.wait(5)
        with caplog.at_level(logging.WARNING, logger="litegate.router"):
            r.completion(model=group, messages=MSGS)  # answered on local state
        assert any("Redis is unreachable" in rec.getMessage() for rec in caplog.records)
        for _ in range(600):  # the Sentinel promotes the replica (bounded: 30 s on a loaded machine)
            if rep.info("replication").get("role") == "master":
                break
            time.sleep(0.05)
        assert rep.info("replication").get("role") == "master"
        for _ in range(600):  # ... and says so
            try:
                if watch.discover_master("mymaster")[1] == replica_port:
                    break
            except redis.RedisError:
                pass
            time.sleep(0.05)
        r.state._down_until = 0.0  # skip the pause before trying Redis again (RETRY_AFTER seconds)
        with caplog.at_level(logging.WARNING, logger="litegate.router"):
            for _ in range(2):
                r.completion(model=group, messages=MSGS)
        assert any("reachable again" in rec.getMessage() for rec in caplog.records)
        usage_keys = [k for k in rep.scan_iter(match=f"*{group}*:use:*")]
        assert usage_keys  # the new primary holds the shared state now
        # what the old primary had replicated is there too: 3 before, 2 after (the one routed on
        # local state during the outage stays local)
        assert asyncio.run(r.get_model_group_usage(group))[1] == 5
    finally:
        if r is not None:
            r.close()
        for p in (sentinel, replica, primary):
            if p.poll() is None:
                p.terminate()
                p.wait(5)
