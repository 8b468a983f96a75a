"""The Redis cache on the real server: TTL as Redis expiry, the in-memory layer in front of it,
connection settings (host/port/db, URL, environment variables)."""

from __future__ import annotations

import time

import pytest
import redis
from _cache_helpers import chat_kw, free_port, start_redis_server

import litegate

CHAT = "/chat/completions"


def test_ttl_is_a_real_redis_expiry(server, redis_db):
    litegate.cache = litegate.Cache(type="redis", url=redis_db, ttl=1.5, default_in_memory_ttl=0)
    litegate.completion(**chat_kw(server, "expiring"))
    client = redis.Redis.from_url(redis_db)
    (key,) = client.keys("*")
    assert 0 < client.pttl(key) <= 1500
    assert litegate.completion(**chat_kw(server, "expiring"))._hidden_params["cache_hit"] is True
    time.sleep(1.7)
    assert client.keys("*") == []
    assert litegate.completion(**chat_kw(server, "expiring"))._hidden_params.get("cache_hit") is not True
    assert server.hits(CHAT) == 2


def test_per_call_ttl_sets_the_expiry(server, redis_db):
    litegate.cache = litegate.Cache(type="redis", url=redis_db)
    litegate.completion(**chat_kw(server, "no expiry"))
    litegate.completion(**chat_kw(server, "one minute", cache={"ttl": 60}))
    client = redis.Redis.from_url(redis_db)
    ttls = sorted(client.pttl(k) for k in client.keys("*"))
    assert ttls[0] == -1 and 55_000 < ttls[1] <= 60_000


def test_memory_layer_keeps_an_entry_no_longer_than_redis(server, redis_db):
    writer = litegate.Cache(type="redis", url=redis_db, ttl=1.5)
    litegate.cache = writer
    litegate.completion(**chat_kw(server, "layered"))
    reader = litegate.Cache(type="redis", url=redis_db)  # another process's view: an empty memory layer
    litegate.cache = reader
    assert litegate.completion(**chat_kw(server, "layered"))._hidden_params["cache_hit"] is True
    assert len(reader.cache.local) == 1  # filled from Redis
    redis.Redis.from_url(redis_db).flushdb()
    assert litegate.completion(**chat_kw(server, "layered"))._hidden_params["cache_hit"] is True  # from memory
    time.sleep(1.7)
    assert litegate.completion(**chat_kw(server, "layered"))._hidden_params.get("cache_hit") is not True


def test_host_port_db_and_environment(server, redis_db, monkeypatch):
    port = int(redis_db.rsplit(":", 1)[1].split("/")[0])
    litegate.cache = litegate.Cache(type="redis", host="127.0.0.1", port=port, db=3)
    litegate.completion(**chat_kw(server, "db three"))
    assert redis.Redis(port=port, db=3).dbsize() == 1
    assert redis.Redis(port=port, db=0).dbsize() == 0
    redis.Redis(port=port, db=3).flushdb()
    monkeypatch.setenv("REDIS_HOST", "127.0.0.1")
    monkeypatch.setenv("REDIS_PORT", str(port))
    litegate.cache = litegate.Cache(type="redis")
    litegate.completion(**chat_kw(server, "from env"))
    assert redis.Redis(port=port, db=0).dbsize() == 1


def test_repr_never_shows_the_password(redis_db):
    cache = litegate.Cache(type="redis", host="127.0.0.1", port=1, password="hunter2-secret")
    assert "hunter2" not in repr(cache) + repr(cache.cache) + repr(cache.cache.remote)


# ------------------------------------------------------------------ TLS (rediss://: tls_redis in tests/conftest.py)
def test_rediss_url_speaks_tls(server, tls_redis, caplog):
    port, ca = tls_redis
    litegate.cache = litegate.Cache(type="redis", url=f"rediss://127.0.0.1:{port}/0", ssl_ca_certs=str(ca))
    litegate.completion(**chat_kw(server, "over tls"))
    litegate.cache.cache.local.flush()
    assert litegate.completion(**chat_kw(server, "over tls"))._hidden_params["cache_hit"] is True
    # without trusting the CA the TLS handshake fails: a miss with a warning, never an error
    litegate.cache = litegate.Cache(type="redis", url=f"rediss://127.0.0.1:{port}/0")
    with caplog.at_level("WARNING", logger="litegate"):
        answer = litegate.completion(**chat_kw(server, "untrusted"))
    assert answer.choices[0].message.content
    assert any("redis cache failed" in r.getMessage() for r in caplog.records)


@pytest.fixture
def password_redis():
    port = free_port()
    proc = start_redis_server(port, "--requirepass", "s3cret-redis-pw")
    yield port
    proc.terminate()
    proc.wait(timeout=5)


@pytest.mark.parametrize("form", ["url", "host"])
def test_password_and_db_sync_and_async(server, password_redis, form, caplog):
    port = password_redis
    if form == "url":
        good = dict(url=f"redis://:s3cret-redis-pw@127.0.0.1:{port}/2")
        bad = dict(url=f"redis://:wrong-pw-value@127.0.0.1:{port}/2")
    else:
        good = dict(host="127.0.0.1", port=port, password="s3cret-redis-pw", db=2)
        bad = dict(host="127.0.0.1", port=port, password="wrong-pw-value", db=2)
    litegate.cache = litegate.Cache(type="redis", default_in_memory_ttl=0, **good)
    litegate.completion(**chat_kw(server, "auth"))
    assert litegate.completion(**chat_kw(server, "auth"))._hidden_params["cache_hit"] is True
    import asyncio

    assert asyncio.run(litegate.acompletion(**chat_kw(server, "auth")))._hidden_params["cache_hit"] is True
    assert redis.Redis(port=port, password="s3cret-redis-pw", db=2).dbsize() == 1
    litegate.cache = litegate.Cache(type="redis", **bad)
    with caplog.at_level("WARNING", logger="litegate"):
        assert litegate.completion(**chat_kw(server, "auth")).choices[0].message.content
    assert any("redis cache failed" in r.getMessage() for r in caplog.records)
    assert "wrong-pw-value" not in caplog.text and "s3cret-redis-pw" not in caplog.text


def test_resp_client_replies(redis_db):
    from litegate.caching.resp import RespClient, RespError

    client = RespClient.from_url(redis_db, timeout=1.0)
    big = bytes(range(256)) * 4096  # 1 MiB with every byte value, \r\n included
    assert client.command("SET", "big", big) == b"OK"
    assert client.command("GET", "big") == big
    assert client.command("MGET", "big", "missing") == [big, None]
    assert client.pipeline([("SET", "n", b"1", "PX", 5000), ("PTTL", "n"), ("GET", "nope")])[2] is None
    with pytest.raises(RespError, match="WRONGTYPE|wrong"):
        client.command("LPUSH", "big", b"x")
    assert client.command("GET", "n") == b"1"  # the connection is usable after an error reply


async def test_async_resp_client_replies_and_cancellation(redis_db):
    import asyncio

    from litegate.caching.resp import AsyncRespClient, RespClient, RespError

    client = AsyncRespClient(RespClient.from_url(redis_db, timeout=1.0), max_idle=2)
    big = bytes(range(256)) * 4096
    assert await client.command("SET", "abig", big) == b"OK"
    got = await asyncio.gather(*(client.command("GET", "abig") for _ in range(5)))  # concurrent: several connections
    assert got == [big] * 5
    assert len(client._pools[asyncio.get_running_loop()]) == 2  # at most max_idle kept
    assert await client.command("MGET", "abig", "none") == [big, None]
    with pytest.raises(RespError):
        await client.command("LPUSH", "abig", b"x")
    # cancelled in the middle of an exchange: that connection is dropped, the next call works
    task = asyncio.ensure_future(client.command("BLPOP", "empty-list", 5))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await client.command("GET", "abig") == big
    client.close()


def test_one_cache_in_several_event_loops_at_once(server, redis_db):
    import asyncio
    import threading

    cache = litegate.Cache(type="redis", url=redis_db, default_in_memory_ttl=0)
    litegate.cache = cache
    litegate.completion(**chat_kw(server, "loops"))
    results: list = []

    def worker() -> None:
        async def go() -> list:
            out = []
            for _ in range(20):
                answer = await litegate.acompletion(**chat_kw(server, "loops"))
                out.append(answer._hidden_params.get("cache_hit"))
            return out

        results.extend(asyncio.run(go()))

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True] * 60
    assert cache.failures == 0
    assert server.hits(CHAT) == 1
