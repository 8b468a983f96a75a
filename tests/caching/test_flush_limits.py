"""``Cache.flush()`` deletes the cache's own entries and nothing else in a shared store (the real
Redis server, a real SQLite file), and ``Cache(type="disk", ...)`` passes its limits through."""

from __future__ import annotations

import sqlite3

import redis
from _cache_helpers import chat_kw

import litegate

CHAT = "/chat/completions"
OTHERS = {
    b"litegate:router:{g}:cool:d1": b"1",
    b"user:session:42": b"alive",
    b"0" * 64: b"a user's key that looks like a hash",
    b"litegate:cachex": b"not under the prefix",
}


def test_redis_flush_deletes_only_its_keys_in_batches(server, redis_db):
    client = redis.Redis.from_url(redis_db)
    for k, v in OTHERS.items():
        client.set(k, v)
    other_ns = litegate.Cache(type="redis", url=redis_db, namespace="b")
    litegate.cache = other_ns
    litegate.completion(**chat_kw(server, "namespace b"))
    cache = litegate.Cache(type="redis", url=redis_db, namespace="a")
    litegate.cache = cache
    for i in range(7):
        litegate.completion(**chat_kw(server, f"entry {i}"))
    assert all(k.startswith(b"litegate:cache:") for k in client.keys("*") if k not in OTHERS)
    cache.cache.remote.FLUSH_BATCH = 3  # several SCAN rounds and UNLINK batches
    assert cache.flush() == 7
    left = set(client.keys("*"))
    assert set(OTHERS) <= left  # the Router's state, the user's keys
    assert len(left - set(OTHERS)) == 1  # namespace b's entry
    assert litegate.completion(**chat_kw(server, "entry 0"))._hidden_params.get("cache_hit") is not True
    # the memory layer was flushed too: the other namespace still hits, from Redis
    litegate.cache = other_ns
    assert litegate.completion(**chat_kw(server, "namespace b"))._hidden_params["cache_hit"] is True
    # without a namespace: every entry of the cache prefix, still nothing else
    assert litegate.Cache(type="redis", url=redis_db).flush() == 2
    assert set(client.keys("*")) == set(OTHERS)
    for k, v in OTHERS.items():
        assert client.get(k) == v
    client.close()


def test_redis_flush_escapes_glob_characters_in_the_namespace(server, redis_db):
    client = redis.Redis.from_url(redis_db)
    litegate.cache = litegate.Cache(type="redis", url=redis_db, namespace="a?")
    litegate.completion(**chat_kw(server, "glob"))
    neighbour = litegate.Cache(type="redis", url=redis_db, namespace="ab")
    litegate.cache = neighbour
    litegate.completion(**chat_kw(server, "glob"))
    assert litegate.Cache(type="redis", url=redis_db, namespace="a?").flush() == 1
    assert len(client.keys("litegate:cache:ab:*")) == 1  # "a?" is not a pattern
    client.close()


def test_disk_flush_deletes_only_its_rows(server, tmp_path):
    directory = str(tmp_path / "shared")
    b = litegate.Cache(type="disk", directory=directory, namespace="b")
    litegate.cache = b
    litegate.completion(**chat_kw(server, "disk b"))
    a = litegate.Cache(type="disk", directory=directory, namespace="a")
    litegate.cache = a
    for i in range(3):
        litegate.completion(**chat_kw(server, f"disk a {i}"))
    db = sqlite3.connect(str(tmp_path / "shared" / "litegate-cache.sqlite3"))
    db.execute("CREATE TABLE user_notes (n TEXT)")
    db.execute("INSERT INTO user_notes VALUES ('keep')")
    db.commit()
    (tmp_path / "shared" / "README.txt").write_text("keep")
    assert a.flush() == 3
    assert db.execute("SELECT COUNT(*) FROM entries").fetchone()[0] == 1
    assert db.execute("SELECT n FROM user_notes").fetchall() == [("keep",)]
    assert (tmp_path / "shared" / "README.txt").read_text() == "keep"
    litegate.cache = b
    assert litegate.completion(**chat_kw(server, "disk b"))._hidden_params["cache_hit"] is True
    db.close()


def test_local_flush_with_a_namespace():
    cache = litegate.Cache(namespace="a")
    cache.cache.set("a:1", b"x")
    cache.cache.set("b:1", b"y")
    assert cache.flush() == 1
    assert cache.cache.get("b:1") == b"y" and cache.cache.get("a:1") is None
    assert cache.cache.size_bytes == len(b"y") + len("b:1")


def test_disk_limits_are_passed_through_cache(server, tmp_path):
    cache = litegate.Cache(type="disk", directory=str(tmp_path), disk_max_items=5, disk_max_bytes=10_000)
    assert (cache.cache.max_items, cache.cache.max_bytes) == (5, 10_000)
    items = [(f"{i:064x}", b"v" * 100) for i in range(300)]  # past 256 writes: the limits are enforced
    cache.cache.set_many(items[:200])
    cache.cache.set_many(items[200:])
    db = sqlite3.connect(str(tmp_path / "litegate-cache.sqlite3"))
    count, size = db.execute("SELECT COUNT(*), SUM(length(key) + length(value)) FROM entries").fetchone()
    assert count <= 5 + 255 and cache.cache.get(items[-1][0]) == b"v" * 100
    cache.cache.prune()
    count, size = db.execute("SELECT COUNT(*), SUM(length(key) + length(value)) FROM entries").fetchone()
    assert count == 5
    db.close()


def test_disk_byte_limit_keeps_the_newest(tmp_path, clock):
    cache = litegate.Cache(type="disk", directory=str(tmp_path), disk_max_bytes=1000, clock=clock)
    for i in range(10):
        clock.advance(1)
        cache.cache.set(f"k{i}", b"x" * 198)  # 200 bytes with the key
    cache.cache.prune()
    kept = [i for i in range(10) if cache.cache.get(f"k{i}") is not None]
    assert kept == [5, 6, 7, 8, 9]
