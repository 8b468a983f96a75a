"""Two processes share the disk and Redis caches: what one stores the other reads, and writing
at the same time corrupts nothing. A Redis Cluster (one node owning every slot) works too."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
import redis
from _cache_helpers import chat_kw, free_port, start_redis_server

import litegate

CHAT = "/chat/completions"

WORKER = r"""
import json, sys
import litegate
cfg = json.loads(sys.argv[1])
litegate.cache = litegate.Cache(**cfg["cache"])
hits = 0
for i in cfg["items"]:
    r = litegate.completion(model="openai/gpt-4o-mini", messages=[{"role": "user", "content": f"shared {i}"}],
                            api_base=cfg["base"], api_key="sk-worker-key-0001")
    assert r.choices[0].message.content.endswith(f"shared {i}"), r.choices[0].message.content
    hits += bool(r._hidden_params.get("cache_hit"))
print(json.dumps({"hits": hits}))
"""


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    return env


def _spawn(server, cache: dict, items: list) -> subprocess.Popen:
    cfg = json.dumps({"cache": cache, "base": server.base_url, "items": items})
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, cfg], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env()
    )


def _result(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()[-2000:]
    return json.loads(out.decode().strip().splitlines()[-1])


@pytest.fixture(params=["disk", "redis"])
def shared_cache(request, tmp_path):
    if request.param == "disk":
        return {"type": "disk", "disk_cache_dir": str(tmp_path / "shared")}
    return {"type": "redis", "url": request.getfixturevalue("redis_db")}


def test_one_process_stores_the_other_reads(server, shared_cache):
    first = _result(_spawn(server, shared_cache, list(range(10))))
    assert first["hits"] == 0
    second = _result(_spawn(server, shared_cache, list(range(10))))
    assert second["hits"] == 10
    assert server.hits(CHAT) == 10
    litegate.cache = litegate.Cache(**shared_cache)  # and this process too
    assert litegate.completion(**dict(chat_kw(server, "shared 3")))._hidden_params["cache_hit"] is True


def test_two_processes_writing_at_once(server, shared_cache):
    procs = [_spawn(server, shared_cache, list(range(n, 60, 2))) for n in (0, 1)]
    procs += [_spawn(server, shared_cache, list(range(60)))]
    results = [_result(p) for p in procs]
    # every prompt was asked at least once and at most three times; nothing failed or came back wrong
    assert 60 <= server.hits(CHAT) <= 90
    again = _result(_spawn(server, shared_cache, list(range(60))))
    assert again["hits"] == 60
    assert server.hits(CHAT) == 120 - sum(r["hits"] for r in results)


# ------------------------------------------------------------------ Redis Cluster
@pytest.fixture
def cluster_node(tmp_path):
    port = free_port()
    while port + 10000 > 65535 or port < 1024:  # the cluster bus listens on port + 10000
        port = free_port()
    proc = start_redis_server(
        port, "--cluster-enabled", "yes", "--cluster-config-file", str(tmp_path / "nodes.conf"), cwd=str(tmp_path)
    )
    client = redis.Redis(port=port, socket_timeout=2)
    deadline = time.time() + 10
    client.execute_command("CLUSTER", "ADDSLOTSRANGE", 0, 16383)
    while time.time() < deadline and client.execute_command("CLUSTER", "INFO").decode().find("cluster_state:ok") < 0:
        time.sleep(0.05)
    yield port
    proc.terminate()
    proc.wait(timeout=5)


def test_redis_cluster(server, cluster_node):
    litegate.cache = litegate.Cache(type="redis", redis_startup_nodes=[{"host": "127.0.0.1", "port": cluster_node}])
    litegate.completion(**chat_kw(server, "cluster"))
    litegate.cache.cache.local.flush()  # the answer must come from the cluster
    assert litegate.completion(**chat_kw(server, "cluster"))._hidden_params["cache_hit"] is True
    litegate.embedding(
        model="openai/text-embedding-3-small", input=["c1", "c2"], api_base=server.base_url, api_key="sk-x"
    )
    litegate.cache.cache.local.flush()
    hit = litegate.embedding(
        model="openai/text-embedding-3-small", input=["c2", "c1"], api_base=server.base_url, api_key="sk-x"
    )
    assert hit._hidden_params["cache_hit"] is True
    assert server.hits(CHAT) == 1
    import asyncio

    async def both():
        await litegate.acompletion(**chat_kw(server, "cluster async"))
        litegate.cache.cache.local.flush()
        return await litegate.acompletion(**chat_kw(server, "cluster async"))

    assert asyncio.run(both())._hidden_params["cache_hit"] is True
    assert server.hits(CHAT) == 2
