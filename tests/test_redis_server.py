"""The test command provides a real Redis server to the tests that need one (Router and caching
state will use it); this proves the provisioning works on a fresh machine."""

from __future__ import annotations


def test_redis_server_is_real_and_isolated(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        assert client.ping() is True
        client.set("litegate:probe", "1", ex=30)
        assert client.get("litegate:probe") == b"1"
        assert client.incr("litegate:counter") == 1  # a fresh server: nothing left from elsewhere
    finally:
        client.close()
