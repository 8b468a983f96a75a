"""The cache stage over real sockets: hits are counted by the fake server's hits, for every
backend that needs no extra server (memory, a real directory, the real Redis server)."""

from __future__ import annotations

import asyncio

import pytest
from _cache_helpers import chat_kw

import litegate

CHAT = "/chat/completions"


def test_second_identical_call_is_a_hit(server, any_cache):
    first = litegate.completion(**chat_kw(server))
    second = litegate.completion(**chat_kw(server))
    assert server.hits(CHAT) == 1
    assert first._hidden_params.get("cache_hit") is not True
    assert second._hidden_params["cache_hit"] is True
    assert second._hidden_params["response_cost"] == 0.0
    assert second._hidden_params["custom_llm_provider"] == "openai"
    assert type(second) is type(first)
    assert second.choices[0].message.content == first.choices[0].message.content
    assert second.id == first.id
    assert second.usage.total_tokens == first.usage.total_tokens


async def test_async_second_identical_call_is_a_hit(server, any_cache):
    first = await litegate.acompletion(**chat_kw(server, "async"))
    second = await litegate.acompletion(**chat_kw(server, "async"))
    assert server.hits(CHAT) == 1
    assert second._hidden_params["cache_hit"] is True
    assert second.choices[0].message.content == first.choices[0].message.content


def test_sync_store_async_hit_share_entries(server, any_cache):
    litegate.completion(**chat_kw(server, "shared"))
    hit = asyncio.run(litegate.acompletion(**chat_kw(server, "shared")))
    assert hit._hidden_params["cache_hit"] is True
    assert server.hits(CHAT) == 1


def test_a_hit_is_a_fresh_object_each_time(server, any_cache):
    litegate.completion(**chat_kw(server))
    hit = litegate.completion(**chat_kw(server))
    hit.choices[0].message.content = "changed by the caller"
    hit._hidden_params["cache_hit"] = "changed"
    again = litegate.completion(**chat_kw(server))
    assert again.choices[0].message.content.startswith("This is a fake reply")
    assert again._hidden_params["cache_hit"] is True
    assert again is not hit


def test_answer_changing_params_make_different_keys(server, any_cache):
    base = chat_kw(server)
    variants = [
        dict(base),
        dict(base, temperature=0.5),
        dict(base, seed=3),
        dict(base, n=2),
        dict(base, stop=["x"]),
        dict(base, response_format={"type": "json_object"}),
        dict(base, tools=[{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]),
        dict(base, messages=[{"role": "user", "content": "other"}]),
        dict(base, model="openai/gpt-4o"),
    ]
    for kw in variants:
        litegate.completion(**kw)
    assert server.hits(CHAT) == len(variants)
    for kw in variants:  # each one is now cached on its own
        assert litegate.completion(**kw)._hidden_params["cache_hit"] is True
    assert server.hits(CHAT) == len(variants)


def test_controls_that_do_not_change_the_answer_share_a_key(server, any_cache):
    litegate.completion(**chat_kw(server))
    other = chat_kw(server, metadata={"trace": "x"}, timeout=30, num_retries=2, user="u-1")
    other["api_key"] = "sk-another-key-entirely-0002"
    hit = litegate.completion(**other)
    assert hit._hidden_params["cache_hit"] is True
    assert server.hits(CHAT) == 1


def test_model_alias_resolves_before_the_key(server, any_cache):
    litegate.model_alias_map = {"short": "openai/gpt-4o-mini"}
    litegate.completion(**chat_kw(server))
    hit = litegate.completion(**dict(chat_kw(server), model="short"))
    assert hit._hidden_params["cache_hit"] is True
    assert server.hits(CHAT) == 1


def test_no_cache_skips_the_read_but_stores(server, any_cache):
    litegate.completion(**chat_kw(server))
    fresh = litegate.completion(**chat_kw(server, cache={"no-cache": True}))
    assert fresh._hidden_params.get("cache_hit") is not True
    assert server.hits(CHAT) == 2


def test_no_store_does_not_write(server, any_cache):
    litegate.completion(**chat_kw(server, cache={"no-store": True}))
    second = litegate.completion(**chat_kw(server))
    assert second._hidden_params.get("cache_hit") is not True
    assert server.hits(CHAT) == 2
    assert litegate.completion(**chat_kw(server))._hidden_params["cache_hit"] is True


def test_s_maxage_accepts_only_young_entries(server, any_cache, clock):
    litegate.completion(**chat_kw(server))
    clock.advance(30)
    young = litegate.completion(**chat_kw(server, cache={"s-maxage": 60}))
    assert young._hidden_params["cache_hit"] is True
    too_old = litegate.completion(**chat_kw(server, cache={"s-maxage": 10}))
    assert too_old._hidden_params.get("cache_hit") is not True
    assert server.hits(CHAT) == 2


def test_caching_false_bypasses_the_cache(server, any_cache):
    litegate.completion(**chat_kw(server))
    off = litegate.completion(**chat_kw(server, caching=False))
    assert off._hidden_params.get("cache_hit") is not True
    assert server.hits(CHAT) == 2


def test_namespace_separates_entries(server, any_cache):
    litegate.completion(**chat_kw(server, cache={"namespace": "team-a"}))
    litegate.completion(**chat_kw(server, cache={"namespace": "team-b"}))
    assert server.hits(CHAT) == 2
    hit = litegate.completion(**chat_kw(server, cache={"namespace": "team-a"}))
    assert hit._hidden_params["cache_hit"] is True
    assert server.hits(CHAT) == 2


def test_text_completion_is_cached(server, any_cache):
    kw = dict(model="openai/gpt-3.5-turbo-instruct", prompt="once upon", api_base=server.base_url, api_key="sk-t")
    first = litegate.text_completion(**kw)
    second = litegate.text_completion(**kw)
    assert server.hits("/completions") == 1
    assert type(second).__name__ == "TextCompletionResponse"
    assert second.choices[0].text == first.choices[0].text
    assert second._hidden_params["cache_hit"] is True


async def test_async_text_completion_is_cached(server, any_cache):
    kw = dict(model="openai/gpt-3.5-turbo-instruct", prompt="async upon", api_base=server.base_url, api_key="sk-t")
    await litegate.atext_completion(**kw)
    second = await litegate.atext_completion(**kw)
    assert server.hits("/completions") == 1
    assert second._hidden_params["cache_hit"] is True


def test_callbacks_run_on_hits(server, any_cache):
    seen = []

    def on_success(kwargs, response, start, end):
        seen.append((kwargs.get("cache_hit"), response._hidden_params.get("cache_hit"), kwargs["response_cost"]))

    litegate.success_callback = [on_success]
    litegate.completion(**chat_kw(server))
    litegate.completion(**chat_kw(server))
    assert server.hits(CHAT) == 1
    assert len(seen) == 2
    assert seen[1] == (True, True, 0.0)
    assert seen[0][0] is False  # a miss says so (as the callback kwargs do for every call)


def test_errors_are_not_cached(server, any_cache):
    server.enqueue_error(400, message="bad")
    with pytest.raises(litegate.BadRequestError):
        litegate.completion(**chat_kw(server))
    ok = litegate.completion(**chat_kw(server))
    assert ok._hidden_params.get("cache_hit") is not True
    assert server.hits(CHAT) == 2


def test_mode_default_off_needs_caching_true(server, tmp_path):
    litegate.cache = litegate.Cache(mode="default_off")
    litegate.completion(**chat_kw(server))
    litegate.completion(**chat_kw(server))
    assert server.hits(CHAT) == 2
    litegate.completion(**chat_kw(server, caching=True))
    hit = litegate.completion(**chat_kw(server, caching=True))
    assert hit._hidden_params["cache_hit"] is True
    assert server.hits(CHAT) == 3


def test_supported_call_types_limit_what_is_cached(server):
    litegate.cache = litegate.Cache(supported_call_types=["acompletion"])
    litegate.completion(**chat_kw(server))
    litegate.completion(**chat_kw(server))
    assert server.hits(CHAT) == 2  # sync completion is not in the list
    asyncio.run(litegate.acompletion(**chat_kw(server)))
    hit = asyncio.run(litegate.acompletion(**chat_kw(server)))
    assert hit._hidden_params["cache_hit"] is True
    assert server.hits(CHAT) == 3


def test_client_with_its_own_cache(server):
    client = litegate.Client(cache=litegate.Cache())
    client.completion(**chat_kw(server))
    hit = client.completion(**chat_kw(server))
    assert hit._hidden_params["cache_hit"] is True
    litegate.completion(**chat_kw(server))  # the module has no cache
    assert server.hits(CHAT) == 2


def test_enable_update_disable_cache(server):
    litegate.enable_cache()
    assert isinstance(litegate.cache, litegate.Cache)
    first = litegate.cache
    litegate.enable_cache(type="local")
    assert litegate.cache is first  # already on: kept
    litegate.update_cache(type="local")
    assert litegate.cache is not first
    litegate.disable_cache()
    assert litegate.cache is None
    litegate.completion(**chat_kw(server))
    litegate.completion(**chat_kw(server))
    assert server.hits(CHAT) == 2


def test_direct_get_and_add(server):
    cache = litegate.Cache()
    kw = chat_kw(server)
    assert cache.get_cache(**kw) is None
    response = litegate.completion(**kw)
    cache.add_cache(response, **kw)
    got = cache.get_cache(**kw)
    assert got.choices[0].message.content == response.choices[0].message.content
    assert got._hidden_params["cache_hit"] is True
    key = cache.get_cache_key(**kw)
    assert len(key) == 64 and all(c in "0123456789abcdef" for c in key)
    assert asyncio.run(cache.async_get_cache(**kw)).id == response.id
