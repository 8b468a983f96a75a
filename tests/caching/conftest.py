"""Fixtures for the caching tests: a cache of each backend over real parts (memory, a real
directory, the real Redis server of the session, a local S3 server)."""

from __future__ import annotations

import pytest
from _cache_helpers import Clock

import litegate


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def redis_db(redis_url):
    """The session's Redis server, emptied for this test."""
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield redis_url
    client.flushdb()
    client.close()


@pytest.fixture(params=["local", "disk", "redis"])
def any_cache(request, tmp_path, clock):
    """A cache of each kind that needs no extra server beyond Redis (set as litegate.cache)."""
    if request.param == "local":
        cache = litegate.Cache(clock=clock)
    elif request.param == "disk":
        cache = litegate.Cache(type="disk", disk_cache_dir=str(tmp_path / "cache"), clock=clock)
    else:
        url = request.getfixturevalue("redis_db")
        cache = litegate.Cache(type="redis", url=url, clock=clock)
    litegate.cache = cache
    yield cache
    litegate.cache = None
    cache.close()
