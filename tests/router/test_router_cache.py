"""``cache_responses=True`` with a real ``litegate.Cache``: a second identical Router call is a cache
hit (the fake servers are not asked again), sync and async, with a local cache and with the Redis
cache on the real server; the Router's own cache on its Redis server when ``litegate.cache`` is not
set; TLS (``rediss://``) to a real TLS redis-server for both the routing state and the cache."""

from __future__ import annotations

import pytest
import redis
from _router_helpers import entry

import litegate
from litegate.router import Router

CHAT = "/chat/completions"


def _two(servers, group="g"):
    return [entry(group, servers[0], "d0"), entry(group, servers[1], "d1")]


def _hits(servers):
    return sum(s.hits(CHAT) for s in servers)


def _ask(router, text, **kw):
    return router.completion(model="g", messages=[{"role": "user", "content": text}], **kw)


@pytest.fixture
def flushed(redis_url):
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield redis_url, client
    client.flushdb()
    client.close()


# ------------------------------------------------------------------------------ local cache
def test_second_identical_call_is_a_hit_with_the_modules_cache(servers):
    litegate.cache = cache = litegate.Cache()
    router = Router(model_list=_two(servers), cache_responses=True)
    first = _ask(router, "cache me")
    assert first._hidden_params.get("cache_hit") is not True and _hits(servers) == 1
    for _ in range(6):  # whichever deployment the strategy picks: one answer for the group
        again = _ask(router, "cache me")
        assert again._hidden_params["cache_hit"] is True
        assert again.choices[0].message.content == first.choices[0].message.content
        assert again._hidden_params["model_group"] == "g"
    assert _hits(servers) == 1 and len(cache.cache) >= 1
    _ask(router, "something else")
    assert _hits(servers) == 2
    _ask(router, "cache me", caching=False)  # the caller opts out for one call
    assert _hits(servers) == 3
    assert router._own_cache is None  # litegate.cache was used


def test_without_litegate_cache_the_router_keeps_its_own(servers):
    router = Router(model_list=_two(servers), cache_responses=True)
    _ask(router, "own cache")
    assert _ask(router, "own cache")._hidden_params["cache_hit"] is True
    assert _hits(servers) == 1 and litegate.cache is None  # no global side effect
    assert isinstance(router._own_cache, litegate.Cache) and router._own_cache.type == "local"
    plain = Router(model_list=_two(servers))  # cache_responses off: every call goes out
    for _ in range(2):
        plain.completion(model="g", messages=[{"role": "user", "content": "own cache"}])
    assert _hits(servers) == 3
    router.flush_cache()
    assert _ask(router, "own cache")._hidden_params.get("cache_hit") is not True and _hits(servers) == 4


async def test_async_second_call_is_a_hit(servers):
    router = Router(model_list=_two(servers), cache_responses=True)
    msgs = [{"role": "user", "content": "async cache"}]
    first = await router.acompletion(model="g", messages=msgs)
    again = await router.acompletion(model="g", messages=msgs)
    assert first._hidden_params.get("cache_hit") is not True and again._hidden_params["cache_hit"] is True
    assert again.choices[0].message.content == first.choices[0].message.content
    assert _hits(servers) == 1
    # sync and async calls share the entries
    assert router.completion(model="g", messages=msgs)._hidden_params["cache_hit"] is True
    assert _hits(servers) == 1


def test_groups_do_not_share_answers(servers):
    ml = _two(servers) + [entry("other", servers[2], "o0")]
    router = Router(model_list=ml, cache_responses=True)
    _ask(router, "per group")
    router.completion(model="other", messages=[{"role": "user", "content": "per group"}])
    assert _hits(servers) == 2 and servers[2].hits(CHAT) == 1


# ------------------------------------------------------------------------------ Redis
def test_redis_settings_give_a_redis_cache_on_the_same_server(servers, flushed):
    url, client = flushed
    router = Router(model_list=_two(servers), redis_url=url, cache_responses=True, enable_health_checks=False)
    try:
        _ask(router, "shared via redis")
        assert router._own_cache.type == "redis"
        assert _ask(router, "shared via redis")._hidden_params["cache_hit"] is True
        assert _hits(servers) == 1
    finally:
        router.close()
    # another replica (an empty memory layer) finds the answer in Redis
    other = Router(model_list=_two(servers), redis_url=url, cache_responses=True, enable_health_checks=False)
    try:
        assert _ask(other, "shared via redis")._hidden_params["cache_hit"] is True
        assert _hits(servers) == 1
        client.flushdb()
        other._own_cache.cache.local.flush()
        assert _ask(other, "shared via redis")._hidden_params.get("cache_hit") is not True
        assert _hits(servers) == 2
    finally:
        other.close()


async def test_redis_cache_async_with_host_and_port(servers, flushed):
    url, client = flushed
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    router = Router(
        model_list=_two(servers),
        redis_host="127.0.0.1",
        redis_port=port,
        cache_responses=True,
        cache_kwargs={"ttl": 60},
        enable_health_checks=False,
    )
    try:
        msgs = [{"role": "user", "content": "async redis"}]
        await router.acompletion(model="g", messages=msgs)
        assert (await router.acompletion(model="g", messages=msgs))._hidden_params["cache_hit"] is True
        assert _hits(servers) == 1
        ttls = [client.pttl(k) for k in client.keys("*") if client.type(k) == b"string"]
        assert any(55_000 < t <= 60_000 for t in ttls)  # cache_kwargs reached the cache
    finally:
        router.close()


def test_the_modules_redis_cache_is_used_when_set(servers, flushed):
    url, client = flushed
    litegate.cache = litegate.Cache(type="redis", url=url)
    router = Router(model_list=_two(servers), cache_responses=True)
    _ask(router, "module redis")
    assert _ask(router, "module redis")._hidden_params["cache_hit"] is True
    assert _hits(servers) == 1 and client.dbsize() == 1 and router._own_cache is None
    litegate.cache.close()


# ------------------------------------------------------------------------------ TLS (rediss://)
def test_rediss_state_and_cache_over_tls(servers, tls_redis, clock):
    port, ca = tls_redis
    url = f"rediss://127.0.0.1:{port}/0"
    ml = _two(servers)
    servers[0].enqueue_error(500, count=50)
    kw = dict(
        redis_url=url,
        # a TLS handshake on a loaded 2-core machine can take longer than the 1 s default
        cache_kwargs={"ssl_ca_certs": str(ca), "socket_timeout": 10},
        cache_responses=True,
        clock=clock,
        allowed_fails=1,
        cooldown_time=60,
        num_retries=1,
        enable_health_checks=False,
    )
    first = Router(model_list=ml, **kw)
    second = Router(model_list=ml, **kw)
    try:
        for i in range(40):  # until the shuffle has picked d0: it fails and is cooled down in Redis
            assert _ask(first, f"tls {i}")._hidden_params["model_id"] == "d1"
            if [d.id for d in first.get_available_deployments("g")] == ["d1"]:
                break
        assert servers[0].hits(CHAT) >= 1
        first.state.flush()
        assert first.state.outages == 0
        # the cooldown is shared through the TLS server
        assert [d.id for d in second.get_available_deployments("g")] == ["d1"]
        # and so are the cached answers
        before = _hits(servers)
        assert _ask(second, "tls 0")._hidden_params["cache_hit"] is True
        assert _hits(servers) == before and second.state.outages == 0
        with redis.Redis(host="127.0.0.1", port=port, ssl=True, ssl_ca_certs=str(ca)) as direct:
            assert direct.dbsize() >= 2  # state and cache entries are on the TLS server
    finally:
        first.close()
        second.close()


def test_rediss_without_the_ca_falls_back_to_local_state(servers, tls_redis, caplog):
    port, _ = tls_redis
    router = Router(model_list=_two(servers), redis_url=f"rediss://127.0.0.1:{port}/0", enable_health_checks=False)
    try:
        with caplog.at_level("WARNING"):
            answer = _ask(router, "untrusted server")
        assert answer.choices[0].message.content and router.state.outages >= 1  # routed on local state
    finally:
        router.close()
