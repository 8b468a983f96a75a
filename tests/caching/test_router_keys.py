"""Cache keys after the Router, the litellm-internal arguments and the observability callbacks: none
of them may change which entry a call reads. Hits are counted by the fake servers' own hits."""

from __future__ import annotations

import pytest
from _cache_helpers import chat_kw

import litegate
from litegate.testing import FakeOpenAIServer

CHAT = "/chat/completions"
KEY = "sk-test-cache-key-0001"


@pytest.fixture
def two_servers():
    srvs = [FakeOpenAIServer(), FakeOpenAIServer()]
    for s in srvs:
        s.start()
    try:
        yield srvs
    finally:
        for s in srvs:
            s.stop()


class _Alternate:
    """A custom routing strategy: the deployments in turn (so both are used, deterministically)."""

    def __init__(self):
        self.n = 0

    def get_available_deployment(
        self, model, messages=None, input=None, specific_deployment=False, request_kwargs=None, healthy_deployments=()
    ):
        self.n += 1
        return healthy_deployments[self.n % len(healthy_deployments)]

    async def async_get_available_deployment(self, **kw):
        return self.get_available_deployment(**kw)


def _router(servers, models=("openai/gpt-4o", "openai/gpt-4o-mini")):
    router = litegate.Router(
        model_list=[
            {
                "model_name": "g",
                "litellm_params": {"model": m, "api_key": KEY, "api_base": s.base_url},
                "model_info": {"id": f"d{i}"},
            }
            for i, (s, m) in enumerate(zip(servers, models, strict=False))
        ],
        cache_responses=True,
    )
    router.set_custom_routing_strategy(_Alternate())
    return router


def _hits(servers) -> int:
    return sum(s.hits(CHAT) for s in servers)


@pytest.mark.parametrize("kind", ["local", "redis"])
def test_two_deployments_of_one_group_share_entries(two_servers, kind, request, tmp_path):
    if kind == "redis":
        litegate.cache = litegate.Cache(type="redis", url=request.getfixturevalue("redis_db"))
    else:
        litegate.cache = litegate.Cache()
    try:
        router = _router(two_servers)
        msgs = [{"role": "user", "content": "same prompt through the group"}]
        seen = set()
        answers = []
        for i in range(4):
            resp = router.completion(
                model="g",
                messages=msgs,
                litellm_call_id=f"call-{i}",
                litellm_trace_id=f"trace-{i}",
                metadata={"run": i},
            )
            seen.add(resp._hidden_params["model_id"])
            answers.append(resp)
        assert seen == {"d0", "d1"}  # both deployments answered
        assert _hits(two_servers) == 1  # one provider call; every later one is a hit
        assert all(a._hidden_params["cache_hit"] is True for a in answers[1:])
        assert answers[-1].choices[0].message.content == answers[0].choices[0].message.content
        # the same prompt outside the Router is another entry (the group is not a model name)
        direct = litegate.completion(
            model="openai/gpt-4o", messages=msgs, api_key=KEY, api_base=two_servers[0].base_url
        )
        assert direct._hidden_params.get("cache_hit") is not True
    finally:
        litegate.cache.close()
        litegate.cache = None


async def test_async_router_calls_share_entries_across_deployments(two_servers):
    litegate.cache = litegate.Cache()
    try:
        router = _router(two_servers)
        msgs = [{"role": "user", "content": "async group prompt"}]
        for i in range(6):
            await router.acompletion(model="g", messages=msgs, litellm_call_id=f"a-{i}")
        assert _hits(two_servers) == 1
    finally:
        litegate.cache = None


def test_internal_arguments_and_callbacks_do_not_change_the_key(server):
    litegate.cache = litegate.Cache()
    seen = []

    class Recorder(litegate.CustomLogger):
        def log_success_event(self, kwargs, response_obj, start_time, end_time):
            seen.append(kwargs.get("litellm_call_id"))

    litegate.callbacks = [Recorder()]
    try:
        base = litegate.cache.get_cache_key(**chat_kw(server, "internal"))
        variants = [
            dict(litellm_call_id="id-1"),
            dict(litellm_call_id="id-2", litellm_trace_id="t-2"),
            dict(metadata={"user_id": "u"}),
            dict(litellm_metadata={"tags": ["x"]}),
            dict(litellm_session_id="s-1"),
            dict(proxy_server_request={"url": "/v1"}),
            dict(model_info={"id": "m-1"}),
            dict(litellm_logging_obj=None),
        ]
        for extra in variants:
            assert litegate.cache.get_cache_key(**chat_kw(server, "internal", **extra)) == base, extra
        for extra in variants:
            litegate.completion(**chat_kw(server, "internal", **extra))
        assert server.hits(CHAT) == 1
        assert seen and seen[0] != seen[-1]  # the callbacks saw distinct calls, all but one of them hits
        # a parameter that changes the answer still changes the key
        assert litegate.cache.get_cache_key(**chat_kw(server, "internal", temperature=0.1)) != base
    finally:
        litegate.callbacks = []
        litegate.cache = None
