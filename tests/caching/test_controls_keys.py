"""Per-call controls are checked before any request and never sent; keys and stored values never
hold an API key; the local LRU keeps its bounds and TTLs."""

from __future__ import annotations

import threading

import pytest
import redis
from _cache_helpers import chat_kw, emb_kw

import litegate
from litegate.caching import InMemoryCache
from litegate.caching.keys import call_key

CHAT = "/chat/completions"
KEY = "sk-test-cache-key-0001"


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"cache": "no-cache"}, "cache must be a dict"),
        ({"cache": {"no-cahce": True}}, "unknown key"),
        ({"cache": {"ttl": -1}}, "ttl"),
        ({"cache": {"ttl": "60"}}, "ttl"),
        ({"cache": {"s-maxage": float("nan")}}, "s-maxage"),
        ({"cache": {"no-store": "yes"}}, "no-store"),
        ({"cache": {"namespace": ""}}, "namespace"),
        ({"cache": {"similarity_threshold": 1.5}}, "similarity_threshold"),
        ({"caching": "yes"}, "caching must be"),
    ],
)
def test_bad_controls_fail_before_any_request(server, kw, match):
    litegate.cache = litegate.Cache()
    with pytest.raises(litegate.InputValidationError, match=match):
        litegate.completion(**chat_kw(server, **kw))
    assert server.hits(CHAT) == 0


def test_caching_args_are_never_sent(server):
    litegate.completion(**chat_kw(server, caching=True, cache={"ttl": 5, "namespace": "n"}))  # no cache set
    litegate.embedding(**emb_kw(server, ["x"], caching=False, cache={"no-store": True}))
    for rec in server.requests:
        assert "caching" not in rec.json and "cache" not in rec.json


def test_caching_dict_is_accepted_as_controls(server):
    litegate.cache = litegate.Cache()
    litegate.completion(**chat_kw(server, caching={"no-store": True}))
    assert litegate.completion(**chat_kw(server))._hidden_params.get("cache_hit") is not True


def test_keys_and_values_never_hold_the_api_key(server, redis_db, tmp_path):
    disk = tmp_path / "disk"
    for cache in (litegate.Cache(type="redis", url=redis_db), litegate.Cache(type="disk", directory=str(disk))):
        litegate.cache = cache
        litegate.completion(**chat_kw(server, "secret check"))
        litegate.completion(stream=True, **chat_kw(server, "secret stream"))
        list(litegate.completion(stream=True, **chat_kw(server, "secret stream 2")))
        litegate.embedding(**emb_kw(server, ["e1", "e2"]))
        litegate.completion(**chat_kw(server, "extra", aws_secret_access_key="AKSECRETVALUE123456"))
        cache.close()
    client = redis.Redis.from_url(redis_db)
    keys = client.keys("*")
    assert len(keys) >= 4
    for k in keys:
        blob = k + client.get(k)
        assert KEY.encode() not in blob and b"AKSECRETVALUE" not in blob
    raw = b"".join(p.read_bytes() for p in disk.iterdir())
    assert raw and KEY.encode() not in raw and b"AKSECRETVALUE" not in raw


def test_a_secret_extra_argument_does_not_feed_the_key(server):
    litegate.cache = litegate.Cache()
    a = litegate.completion(**chat_kw(server, "k", aws_secret_access_key="one-secret-1234567"))
    b = litegate.completion(**chat_kw(server, "k", aws_secret_access_key="two-secret-7654321"))
    assert a._hidden_params.get("cache_hit") is not True and b._hidden_params["cache_hit"] is True


def test_key_is_stable_and_sha256():
    from litegate.core.call import build_chat_call

    def key(**kw):
        call = build_chat_call("gpt-4o", [{"role": "user", "content": "x"}], dict(kw))
        return call_key("chat", call, litegate)

    assert key(temperature=0.1, top_p=0.5) == key(top_p=0.5, temperature=0.1)
    assert key(stream=True) == key() == key(metadata={"a": 1}, num_retries=3, timeout=9, api_key="sk-abc")
    assert key(temperature=0.1) != key(temperature=0.2)
    assert len(key()) == 64


# ------------------------------------------------------------------ the local LRU
def test_lru_bounded_by_items_and_bytes(clock):
    cache = InMemoryCache(max_size_in_memory=3, max_bytes=10_000, clock=clock)
    for i in range(5):
        cache.set(f"k{i}", b"v")
    assert len(cache) == 3 and cache.get("k0") is None and cache.get("k4") == b"v"
    cache.get("k2")  # now most recently used
    cache.set("k5", b"v")
    assert cache.get("k2") == b"v" and cache.get("k3") is None
    small = InMemoryCache(max_size_in_memory=100, max_bytes=100, clock=clock)
    for i in range(10):
        small.set(f"key{i}", b"x" * 30)
    assert small.size_bytes <= 100 and len(small) == 2
    small.set("huge", b"x" * 200)  # larger than the whole cache: not kept, nothing else lost
    assert small.get("huge") is None and len(small) == 2


def test_lru_ttl_with_injected_clock(clock):
    cache = InMemoryCache(clock=clock)
    cache.set("a", b"1", ttl=10)
    cache.set("b", b"2")
    clock.advance(9.9)
    assert cache.get("a") == b"1"
    clock.advance(0.2)
    assert cache.get("a") is None and cache.get("b") == b"2"


def test_lru_is_thread_safe(clock):
    cache = InMemoryCache(max_size_in_memory=50, clock=clock)
    errors = []

    def work(n):
        try:
            for i in range(2000):
                cache.set(f"{n}-{i % 80}", b"x" * (i % 7))
                cache.get(f"{(n + 1) % 4}-{i % 80}")
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(cache) == 50
    assert cache.size_bytes == sum(len(k) + len(v) for k, (v, _) in cache._data.items())


def test_ttl_per_call_and_default(server, clock):
    litegate.cache = litegate.Cache(ttl=100, clock=clock)
    litegate.completion(**chat_kw(server, "default ttl"))
    litegate.completion(**chat_kw(server, "short ttl", cache={"ttl": 5}))
    clock.advance(6)
    assert litegate.completion(**chat_kw(server, "default ttl"))._hidden_params["cache_hit"] is True
    assert litegate.completion(**chat_kw(server, "short ttl"))._hidden_params.get("cache_hit") is not True
    clock.advance(100)
    assert litegate.completion(**chat_kw(server, "default ttl"))._hidden_params.get("cache_hit") is not True
    assert server.hits(CHAT) == 4


def test_disk_ttl_with_injected_clock(server, tmp_path, clock):
    litegate.cache = litegate.Cache(type="disk", directory=str(tmp_path), ttl=10, clock=clock)
    litegate.completion(**chat_kw(server, "disk ttl"))
    clock.advance(9)
    assert litegate.completion(**chat_kw(server, "disk ttl"))._hidden_params["cache_hit"] is True
    clock.advance(2)
    assert litegate.completion(**chat_kw(server, "disk ttl"))._hidden_params.get("cache_hit") is not True


def test_bad_cache_configuration_is_refused():
    with pytest.raises(ValueError, match="type"):
        litegate.Cache(type="memcached")
    with pytest.raises(ValueError, match="mode"):
        litegate.Cache(mode="sometimes")
    with pytest.raises(ValueError, match="ttl"):
        litegate.Cache(ttl=-5)


def test_module_paths_like_litellm():
    from litegate.caching import Cache as A
    from litegate.caching.caching import Cache as B

    assert A is B is litegate.Cache
    assert litegate.caching.Cache is A
    assert litegate.caching.DualCache.__name__ == "DualCache"


def test_a_cache_setting_that_is_not_a_cache_fails_clearly(server):
    litegate.cache = litegate.Cache  # the class, not an instance
    with pytest.raises(litegate.InputTypeError, match="must be a litegate.Cache"):
        litegate.completion(**chat_kw(server))
    assert server.hits(CHAT) == 0


def test_disk_cache_is_bounded_and_prunes_expired(tmp_path, clock):
    import sqlite3

    from litegate.caching import DiskCache

    disk = DiskCache(str(tmp_path), clock=clock, max_items=10)
    for i in range(300):  # a prune runs after 256 writes
        disk.set(f"k{i}", b"v", ttl=5 if i % 2 else None)
    count = lambda: sqlite3.connect(disk.path).execute("SELECT COUNT(*) FROM entries").fetchone()[0]  # noqa: E731
    assert count() <= 10 + 44
    assert disk.get("k299") == b"v" and disk.get("k0") is None  # the oldest writes went first
    clock.advance(6)
    assert disk.get("k299") is None  # expired: never returned
    disk.prune()
    assert 0 < count() <= 10
    assert all(disk.get(f"k{i}") is None for i in range(1, 300, 2))


def test_without_a_cache_the_caching_package_is_never_loaded(server):
    import os
    import subprocess
    import sys

    code = (
        f"import sys, litegate; litegate.completion(model='openai/gpt-4o-mini', api_key='sk-x', "
        f"api_base={server.base_url!r}, messages=[{{'role': 'user', 'content': 'x'}}]); "
        "print('litegate.caching' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert out.stdout.strip() == "False", out.stderr[-500:]


def test_a_tokens_count_feeds_the_key_and_a_credential_does_not():
    """One rule (core.redact.is_secret_name) leaves credentials out: "...tokens" counts are no
    secret, so two calls with different budgets do not share an entry."""
    from litegate.core.call import build_chat_call

    def key(**kw):
        call = build_chat_call("gpt-4o", [{"role": "user", "content": "x"}], dict(kw))
        return call_key("chat", call, litegate)

    assert key(reasoning_tokens=100) != key(reasoning_tokens=200)
    assert key(vertex_credentials="one-secret-1234567") == key(vertex_credentials="two-secret-7654321") == key()
    assert key(azure_ad_token="tok-one-1234567") == key()
