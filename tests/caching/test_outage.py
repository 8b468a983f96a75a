"""Failure is not an error: a cache that is down, slow or returns corrupt data sends the call to
the provider with one warning, never fails it and never holds it past the cache timeout."""

from __future__ import annotations

import socket
import sqlite3
import threading
import time

import pytest
import redis
from _cache_helpers import chat_kw, emb_kw, free_port, start_redis_server

import litegate

CHAT = "/chat/completions"


class OwnRedis:
    """A redis-server of this test's own, to kill and start again."""

    def __init__(self):
        self.port = free_port()
        self.proc = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = start_redis_server(self.port)

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=5)


@pytest.fixture
def own_redis():
    srv = OwnRedis()
    srv.start()
    yield srv
    if srv.proc.poll() is None:
        srv.kill()


def _warnings(caplog) -> list:
    return [r for r in caplog.records if r.levelname == "WARNING" and "cache failed" in r.getMessage()]


def test_redis_killed_mid_run_then_back(server, own_redis, caplog):
    cache = litegate.Cache(type="redis", url=own_redis.url, failure_cooldown=0.2, default_in_memory_ttl=0.001)
    litegate.cache = cache
    litegate.completion(**chat_kw(server, "before"))
    assert litegate.completion(**chat_kw(server, "before"))._hidden_params["cache_hit"] is True
    own_redis.kill()
    with caplog.at_level("WARNING", logger="litegate"):
        for i in range(5):
            answer = litegate.completion(**chat_kw(server, f"during {i}"))
            assert answer.choices[0].message.content.endswith(f"during {i}")
    assert server.hits(CHAT) == 6
    assert len(_warnings(caplog)) == 1  # one warning, not one per call
    assert "password" not in caplog.text
    own_redis.start()
    time.sleep(0.25)  # the cooldown passes
    litegate.completion(**chat_kw(server, "after"))
    time.sleep(0.01)
    assert litegate.completion(**chat_kw(server, "after"))._hidden_params["cache_hit"] is True


async def test_async_redis_killed_mid_run(server, own_redis, caplog):
    litegate.cache = litegate.Cache(type="redis", url=own_redis.url, default_in_memory_ttl=0.001)
    await litegate.acompletion(**chat_kw(server, "a-before"))
    own_redis.kill()
    with caplog.at_level("WARNING", logger="litegate"):
        for i in range(3):
            answer = await litegate.acompletion(**chat_kw(server, f"a-during {i}"))
            assert answer.choices[0].message.content
        emb = await litegate.aembedding(**emb_kw(server, ["p", "q"]))
        assert len(emb.data) == 2
    assert server.hits(CHAT) == 4
    assert len(_warnings(caplog)) == 1


def test_closed_port_from_the_start(server, caplog):
    litegate.cache = litegate.Cache(type="redis", host="127.0.0.1", port=free_port(), password="pw-never-logged-1")
    with caplog.at_level("WARNING", logger="litegate"):
        for _ in range(3):  # the first goes to the provider; the memory layer answers the others
            litegate.completion(**chat_kw(server, "closed"))
        litegate.embedding(**emb_kw(server, ["x"]))
        list(litegate.completion(stream=True, **chat_kw(server, "closed stream")))
    assert server.hits(CHAT) == 2
    assert len(_warnings(caplog)) == 1
    assert "pw-never-logged-1" not in caplog.text


def test_the_memory_layer_answers_and_stores_while_redis_is_down(server, own_redis, caplog):
    litegate.cache = litegate.Cache(type="redis", url=own_redis.url, failure_cooldown=30)
    litegate.completion(**chat_kw(server, "kept"))  # in memory and in Redis
    own_redis.kill()
    with caplog.at_level("WARNING", logger="litegate"):
        litegate.completion(**chat_kw(server, "new"))  # a memory miss: Redis fails, skipped from now on
        assert litegate.completion(**chat_kw(server, "kept"))._hidden_params["cache_hit"] is True
        assert litegate.completion(**chat_kw(server, "new"))._hidden_params["cache_hit"] is True  # stored in memory
        emb = [litegate.embedding(**emb_kw(server, ["e1", "e2"])) for _ in range(2)]
    assert emb[1]._hidden_params["cache_hit"] is True
    assert server.hits(CHAT) == 2 and server.hits("/embeddings") == 1
    assert len(_warnings(caplog)) == 1
    assert "memory layer" in _warnings(caplog)[0].getMessage()


async def test_async_memory_layer_answers_while_redis_is_down(server, own_redis, silent):
    litegate.cache = litegate.Cache(type="redis", url=own_redis.url, failure_cooldown=30)
    await litegate.acompletion(**chat_kw(server, "a-kept"))
    own_redis.kill()
    await litegate.acompletion(**chat_kw(server, "a-new"))
    assert (await litegate.acompletion(**chat_kw(server, "a-kept")))._hidden_params["cache_hit"] is True
    assert (await litegate.acompletion(**chat_kw(server, "a-new")))._hidden_params["cache_hit"] is True
    assert server.hits(CHAT) == 2
    # a hung Redis: the memory layer's answers do not wait for it, and a miss waits one cache timeout
    litegate.cache = litegate.Cache(type="redis", host="127.0.0.1", port=silent.port, cache_timeout=0.3)
    started = time.monotonic()
    await litegate.acompletion(**chat_kw(server, "a-hung"))
    hit = await litegate.acompletion(**chat_kw(server, "a-hung"))
    assert hit._hidden_params["cache_hit"] is True
    assert time.monotonic() - started < 2.0


class SilentServer:
    """Accepts TCP connections and never answers (a hung cache server)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        self.stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        self.sock.settimeout(0.1)
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
                self.conns.append(conn)
            except OSError:
                continue

    def close(self):
        self.stop = True
        for c in self.conns:
            c.close()
        self.sock.close()


@pytest.fixture
def silent():
    srv = SilentServer()
    yield srv
    srv.close()


def test_a_hung_redis_costs_at_most_the_cache_timeout(server, silent, caplog):
    litegate.cache = litegate.Cache(type="redis", host="127.0.0.1", port=silent.port, cache_timeout=0.3)
    started = time.monotonic()
    with caplog.at_level("WARNING", logger="litegate"):
        answer = litegate.completion(**chat_kw(server, "hung"))
        litegate.completion(**chat_kw(server, "hung 2"))  # the cache is skipped now: no second wait
    elapsed = time.monotonic() - started
    assert answer.choices[0].message.content
    assert elapsed < 2.0, elapsed  # one read timeout (0.3 s), not a hang
    assert len(_warnings(caplog)) == 1


async def test_async_hung_redis_costs_at_most_the_cache_timeout(server, silent):
    litegate.cache = litegate.Cache(type="redis", host="127.0.0.1", port=silent.port, cache_timeout=0.3)
    started = time.monotonic()
    answer = await litegate.acompletion(**chat_kw(server, "hung async"))
    assert answer.choices[0].message.content
    assert time.monotonic() - started < 2.0


def test_corrupt_redis_entry_is_a_miss_and_is_replaced(server, redis_db, caplog):
    cache = litegate.Cache(type="redis", url=redis_db)  # a corrupt entry does not stop the cache
    litegate.cache = cache
    litegate.completion(**chat_kw(server, "corrupt"))
    client = redis.Redis.from_url(redis_db)
    (key,) = client.keys("*")
    for junk in (
        b"\x80\x04not json at all",
        b'{"v": 1, "t": 1, "k": "chat", "r": {"choices": 5}}',
        b'{"v": 99}',
        b"cos\nsystem\n(S'echo pwned'\ntR.",
    ):  # the last one is a pickle
        client.set(key, junk)
        cache.cache.local.flush()  # make the read reach Redis
        with caplog.at_level("WARNING", logger="litegate"):
            answer = litegate.completion(**chat_kw(server, "corrupt"))
        assert answer._hidden_params.get("cache_hit") is not True
        assert answer.choices[0].message.content.endswith("corrupt")
    assert server.hits(CHAT) == 5
    assert _warnings(caplog)
    cache.cache.local.flush()
    assert litegate.completion(**chat_kw(server, "corrupt"))._hidden_params["cache_hit"] is True  # replaced


def test_corrupt_disk_entry_is_a_miss(server, tmp_path):
    litegate.cache = litegate.Cache(type="disk", directory=str(tmp_path))
    litegate.completion(**chat_kw(server, "disk corrupt"))
    db = sqlite3.connect(str(tmp_path / "litegate-cache.sqlite3"))
    db.execute("UPDATE entries SET value = ?", (b"[1, 2, 3]",))
    db.commit()
    db.close()
    answer = litegate.completion(**chat_kw(server, "disk corrupt"))
    assert answer._hidden_params.get("cache_hit") is not True
    assert litegate.completion(**chat_kw(server, "disk corrupt"))._hidden_params["cache_hit"] is True


def test_unreadable_disk_directory_is_a_miss(server, tmp_path, caplog):
    cache = litegate.Cache(type="disk", directory=str(tmp_path))
    litegate.cache = cache
    cache.cache.close()
    for extra in ("-wal", "-shm"):
        (tmp_path / ("litegate-cache.sqlite3" + extra)).unlink(missing_ok=True)
    (tmp_path / "litegate-cache.sqlite3").write_bytes(b"this is not a database file" * 100)
    with caplog.at_level("WARNING", logger="litegate"):
        answer = litegate.completion(**chat_kw(server, "bad file"))
    assert answer.choices[0].message.content
    assert len(_warnings(caplog)) == 1
