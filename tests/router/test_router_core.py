"""Router core: the model_list, every endpoint through a deployment, hidden params, per-call
overrides, retries across deployments, cooldowns, fallbacks between groups (fake servers over real
sockets; the attempts are counted on the servers)."""

from __future__ import annotations

import asyncio
import logging

import pytest
from _router_helpers import KEY, MSGS, entry

import litegate
from litegate.router import Deployment, Router


def hits(server) -> int:
    return len(server.requests)


# ================================================================================ model_list
def test_import_paths_and_generated_ids(servers):
    from litegate.router import Router as R2
    from litegate.types.router import Deployment as D2

    assert litegate.Router is Router is R2 and D2 is Deployment
    r = Router(
        model_list=[
            {
                "model_name": "g",
                "litellm_params": {"model": "openai/gpt-4o", "api_key": KEY, "api_base": servers[0].base_url},
            },
            entry("g", servers[1], "given-id"),
        ]
    )
    ids = r.get_model_ids()
    assert ids[1] == "given-id" and len(ids[0]) == 36 and ids[0] != ids[1]
    assert r.get_model_names() == ["g"]
    assert r.model_list[0]["model_info"]["id"] == ids[0]
    # another replica given the same list names its deployments alike (their state is shared)
    same = [
        {
            "model_name": "g",
            "litellm_params": {"model": "openai/gpt-4o", "api_key": KEY, "api_base": servers[0].base_url},
        }
    ] * 2
    first, second = Router(model_list=same).get_model_ids(), Router(model_list=same).get_model_ids()
    assert first == second and len(set(first)) == 2
    other_key = [
        {
            "model_name": "g",
            "litellm_params": {"model": "openai/gpt-4o", "api_key": "sk-other", "api_base": servers[0].base_url},
        }
    ]
    assert Router(model_list=other_key).get_model_ids()[0] == first[0]  # keys are not part of it
    assert r.add_deployment(same[0]).id not in r.get_model_ids()[:2]


@pytest.mark.parametrize(
    "bad",
    [
        [{"litellm_params": {"model": "gpt-4o"}}],
        [{"model_name": "g", "litellm_params": {}}],
        [{"model_name": "g", "litellm_params": {"model": "gpt-4o"}, "rpm": -1}],
        [{"model_name": "g", "litellm_params": {"model": "gpt-4o"}, "tpm": "many"}],
        [
            {"model_name": "g", "litellm_params": {"model": "gpt-4o"}, "model_info": {"id": "x"}},
            {"model_name": "g", "litellm_params": {"model": "gpt-4o"}, "model_info": {"id": "x"}},
        ],
        "not a list",
    ],
)
def test_bad_model_list_is_refused(bad):
    with pytest.raises(litegate.exceptions.BadRequestError):
        Router(model_list=bad)


def test_unknown_arguments_and_strategy_are_refused():
    with pytest.raises(TypeError):
        Router(model_list=[], routing_strateggy="least-busy")
    with pytest.raises(ValueError, match="unknown routing_strategy"):
        Router(model_list=[], routing_strategy="fastest")


def test_unknown_group_fails_before_any_request(servers):
    r = Router(model_list=[entry("g", servers[0], "a")])
    with pytest.raises(litegate.exceptions.BadRequestError, match="no deployment of this Router serves 'nope'"):
        r.completion(model="nope", messages=MSGS)
    assert hits(servers[0]) == 0


# ================================================================================ calls
def test_completion_hidden_params_name_the_deployment_without_its_key(servers):
    r = Router(model_list=[entry("g", servers[0], "dep-a")])
    resp = r.completion(model="g", messages=MSGS)
    hidden = resp._hidden_params
    assert resp.choices[0].message.content == "This is a fake reply to: route me"
    assert hidden["model_id"] == "dep-a" and hidden["model_group"] == "g"
    assert hidden["deployment"]["model_info"]["id"] == "dep-a"
    assert hidden["deployment"]["litellm_params"]["model"] == "openai/gpt-4o"
    assert hidden["deployment"]["litellm_params"]["api_key"] == "****"
    assert KEY not in repr(hidden)
    assert hidden["api_base"] == servers[0].base_url
    assert servers[0].requests[0].header("authorization") == f"Bearer {KEY}"
    body = servers[0].requests[0].json
    assert body["model"] == "gpt-4o" and "specific_deployment" not in body and "num_retries" not in body


def test_stream_hidden_params_and_usage_are_booked(servers):
    r = Router(model_list=[entry("g", servers[0], "dep-a")])
    stream = r.completion(model="g", messages=MSGS, stream=True)
    assert stream._hidden_params["model_id"] == "dep-a"
    text = "".join(c.choices[0].delta.content or "" for c in stream)
    assert text == "This is a fake reply to: route me"
    usage = stream._hidden_params["usage"]
    tokens, requests = asyncio.run(r.get_model_group_usage("g"))
    assert (tokens, requests) == (usage["total_tokens"], 1)


async def _async_calls(r):
    chat = await r.acompletion(model="g", messages=MSGS)
    emb = await r.aembedding(model="g", input=["a", "b"])
    text = await r.atext_completion(model="g", prompt="say it")
    stream = await r.acompletion(model="g", messages=MSGS, stream=True)
    chunks = [c async for c in stream]
    return chat, emb, text, stream, chunks


def test_async_endpoints(servers):
    r = Router(model_list=[entry("g", servers[0], "dep-a")])
    chat, emb, text, stream, chunks = asyncio.run(_async_calls(r))
    assert chat._hidden_params["model_id"] == emb._hidden_params["model_id"] == "dep-a"
    assert len(emb.data) == 2 and text.choices[0].text
    assert stream._hidden_params["model_id"] == "dep-a" and chunks
    paths = [q.path for q in servers[0].requests]
    assert paths == ["/v1/chat/completions", "/v1/embeddings", "/v1/completions", "/v1/chat/completions"]


def test_rerank_routes_to_a_cohere_deployment():
    from litegate.testing import FakeCohereServer

    with FakeCohereServer() as srv:
        r = Router(
            model_list=[
                {
                    "model_name": "rr",
                    "model_info": {"id": "co"},
                    "litellm_params": {"model": "cohere/rerank-v3.5", "api_key": KEY, "api_base": srv.url},
                }
            ]
        )
        resp = r.rerank(model="rr", query="capital?", documents=["Paris is a capital", "cats"], top_n=1)
        assert resp._hidden_params["model_id"] == "co" and len(resp.results) == 1
        assert srv.requests[0].path == "/v2/rerank" and srv.requests[0].json["top_n"] == 1


def test_image_and_moderation_route_through_the_lifecycle_mock():
    r = Router(
        model_list=[
            {
                "model_name": "img",
                "model_info": {"id": "i"},
                "litellm_params": {"model": "openai/dall-e-3", "mock_response": "ok"},
            },
            {
                "model_name": "mod",
                "model_info": {"id": "m"},
                "litellm_params": {"model": "openai/omni-moderation-latest", "mock_response": "ok"},
            },
        ]
    )
    img = r.image_generation(prompt="a cat", model="img")
    mod = asyncio.run(r.amoderation(input="hello", model="mod"))
    assert type(img).__name__ == "ImageResponse" and img._hidden_params["model_id"] == "i"
    assert type(mod).__name__ == "ModerationResponse" and mod._hidden_params["model_id"] == "m"


def test_endpoints_litegate_lacks_say_so_before_any_request(servers):
    r = Router(model_list=[entry("g", servers[0], "a")])
    for name in ("transcription", "speech"):
        if hasattr(litegate, name):
            continue  # another part of litegate provides it: delegated by name
        with pytest.raises(litegate.exceptions.BadRequestError, match=f"no {name}"):
            getattr(r, name)(model="g", input="x") if name == "speech" else r.transcription(model="g", file=b"x")
    assert hits(servers[0]) == 0


def test_specific_deployment_and_alias(servers):
    r = Router(model_list=[entry("g", servers[0], "a"), entry("g", servers[1], "b")], model_group_alias={"chat": "g"})
    for _ in range(6):
        resp = r.completion(model="chat", messages=MSGS, specific_deployment="b")
        assert resp._hidden_params["model_id"] == "b"
    assert hits(servers[0]) == 0 and hits(servers[1]) == 6
    r2 = Router(model_list=[entry("g", servers[1], "b")], model_group_alias={"hidden": {"model": "g", "hidden": True}})
    assert r2.completion(model="hidden", messages=MSGS)._hidden_params["model_group"] == "g"
    resp = r.completion(model="a", messages=MSGS, specific_deployment=True)
    assert resp._hidden_params["model_id"] == "a"
    with pytest.raises(litegate.exceptions.BadRequestError, match="not a deployment id"):
        r.completion(model="g", messages=MSGS, specific_deployment="zzz")


def test_per_call_metadata_and_timeout_reach_the_call(servers):
    seen = []

    def cb(kwargs, response, start, end):
        seen.append(kwargs["metadata"])

    litegate.success_callback = [cb]
    r = Router(model_list=[entry("g", servers[0], "a")], timeout=30)
    r.completion(model="g", messages=MSGS, metadata={"trace": "t-1"})
    assert seen == [
        {
            "trace": "t-1",
            "model_group": "g",
            "deployment": "openai/gpt-4o",
            "model_info": {"id": "a"},
            "routing_strategy": "simple-shuffle",
        }
    ]  # the caller's metadata and the Router's labels
    servers[0].enqueue_reply("slow", delay=1.0)
    with pytest.raises(litegate.exceptions.Timeout):
        r.completion(model="g", messages=MSGS, timeout=0.2, num_retries=0)


def test_per_call_none_credentials_leave_the_deployment_s_own(monkeypatch):
    """Frameworks (smolagents' LiteLLMRouterModel) pass api_key=None, api_base=None on every call: a
    None connection argument is "not given", so the deployment's key, URL and timeout apply (no
    environment variable is set); a real per-call value still overrides, and a None sampling
    parameter still clears the deployment's (as in litellm)."""
    from litegate.testing import FakeOpenAIServer

    with FakeOpenAIServer(require_key=KEY) as srv:
        r = Router(model_list=[entry("g", srv, "a", params={"temperature": 0.5, "timeout": 0.3})])
        unset = dict(api_key=None, api_base=None, base_url=None, api_version=None, organization=None, timeout=None)
        resp = r.completion(model="g", messages=MSGS, **unset)
        assert resp._hidden_params["model_id"] == "a"
        emb = asyncio.run(r.aembedding(model="g", input=["x"], **unset))
        stream = r.completion(model="g", messages=MSGS, stream=True, **unset)
        assert "".join(c.choices[0].delta.content or "" for c in stream) == "This is a fake reply to: route me"
        assert len(emb.data) == 1 and srv.hits() == 3
        assert [q.header("authorization") for q in srv.requests] == [f"Bearer {KEY}"] * 3
        assert srv.requests[0].json["temperature"] == 0.5
        # the deployment's own timeout (0.3 s) bounds a call that passed timeout=None
        srv.enqueue_reply("slow", delay=1.0)
        with pytest.raises(litegate.exceptions.Timeout):
            r.completion(model="g", messages=MSGS, num_retries=0, **unset)
        # a given key replaces the deployment's (the server refuses it), and a None temperature clears it
        with pytest.raises(litegate.exceptions.AuthenticationError):
            r.completion(model="g", messages=MSGS, api_key="sk-someone-else-000000", num_retries=0)
        assert srv.requests[-1].header("authorization") == "Bearer sk-someone-else-000000"
        r.completion(model="g", messages=MSGS, temperature=None, api_key=None)
        assert "temperature" not in srv.requests[-1].json
        # provider-addressed pass-through calls take the deployment's credentials alike
        thread = r.create_thread(custom_llm_provider="openai", messages=[{"role": "user", "content": "hi"}], **unset)
        assert thread.id and srv.requests[-1].path.endswith("/threads")
        assert srv.requests[-1].header("authorization") == f"Bearer {KEY}"


def test_cache_responses_passes_caching_to_the_call(servers, monkeypatch):
    from litegate.core import lifecycle

    seen = []
    real = lifecycle.execute

    def spy(call, cfg, transport, endpoint, call_type):
        seen.append(call.ctl)
        return real(call, cfg, transport, endpoint, call_type)

    monkeypatch.setattr(lifecycle, "execute", spy)
    r = Router(model_list=[entry("g", servers[0], "a")], cache_responses=True)
    r.completion(model="g", messages=MSGS)
    assert r.cache_responses is True and len(seen) == 1
    assert "caching" not in servers[0].requests[0].json  # a control, never sent


def test_mock_response_in_litellm_params(servers):
    r = Router(model_list=[{"model_name": "m", "litellm_params": {"model": "gpt-4o", "mock_response": "mocked"}}])
    resp = r.completion(model="m", messages=MSGS)
    assert resp.choices[0].message.content == "mocked"
    assert resp._hidden_params["model_group"] == "m"


# ================================================================================ retries
def test_retry_moves_to_another_deployment(servers):
    servers[0].enqueue_error(500)
    r = Router(model_list=[entry("g", servers[0], "a")] + [entry("g", servers[1], "b")], num_retries=1)
    r.set_custom_routing_strategy(_FirstUntried())
    resp = r.completion(model="g", messages=MSGS)
    assert resp._hidden_params["model_id"] == "b" and resp._hidden_params["attempts"] == 2
    assert hits(servers[0]) == 1 and hits(servers[1]) == 1


class _FirstUntried:
    """A custom strategy object: always the first healthy deployment it is offered."""

    def get_available_deployment(
        self, model, messages=None, input=None, specific_deployment=False, request_kwargs=None, healthy_deployments=()
    ):
        return healthy_deployments[0]

    async def async_get_available_deployment(self, **kw):
        return self.get_available_deployment(**kw)


def test_no_retry_on_a_caller_error(servers):
    servers[0].enqueue_error(400, message="bad field")
    r = Router(model_list=[entry("g", servers[0], "a"), entry("g", servers[1], "b")], num_retries=3)
    r.set_custom_routing_strategy(_FirstUntried())
    with pytest.raises(litegate.exceptions.BadRequestError):
        r.completion(model="g", messages=MSGS)
    assert hits(servers[0]) == 1 and hits(servers[1]) == 0


def test_single_deployment_retries_after_the_policy_wait(servers):
    servers[0].enqueue_error(429, count=2, headers={"retry-after": "0.2"})
    r = Router(model_list=[entry("g", servers[0], "a")], num_retries=2, allowed_fails=10)
    resp = r.completion(model="g", messages=MSGS)
    assert resp._hidden_params["attempts"] == 3
    t = [q.received_at for q in servers[0].requests]
    assert t[1] - t[0] >= 0.2 and t[2] - t[1] >= 0.2


def test_retries_exhausted_raise_the_typed_error(servers):
    servers[0].enqueue_error(503, count=5)
    servers[1].enqueue_error(503, count=5)
    r = Router(model_list=[entry("g", servers[0], "a"), entry("g", servers[1], "b")], num_retries=1, allowed_fails=10)
    with pytest.raises(litegate.exceptions.ServiceUnavailableError):
        r.completion(model="g", messages=MSGS)
    assert hits(servers[0]) + hits(servers[1]) == 2


# ================================================================================ cooldowns
def test_allowed_fails_cooldown_and_recovery_with_the_clock(servers, clock):
    r = Router(
        model_list=[entry("g", servers[0], "a"), entry("g", servers[1], "b")],
        num_retries=0,
        allowed_fails=2,
        cooldown_time=30,
        clock=clock,
    )
    r.set_custom_routing_strategy(_FirstUntried())
    servers[0].enqueue_error(500, count=2)
    for _ in range(2):
        with pytest.raises(litegate.exceptions.InternalServerError):
            r.completion(model="g", messages=MSGS)
    assert [d.id for d in r.get_available_deployments("g")] == ["b"]
    for _ in range(3):
        assert r.completion(model="g", messages=MSGS)._hidden_params["model_id"] == "b"
    assert hits(servers[0]) == 2
    clock.advance(29.9)
    assert r.completion(model="g", messages=MSGS)._hidden_params["model_id"] == "b"
    clock.advance(0.2)  # the cooldown is over: "a" is probed again
    assert r.completion(model="g", messages=MSGS)._hidden_params["model_id"] == "a"
    assert hits(servers[0]) == 3


def test_caller_errors_do_not_cool_down(servers, clock):
    r = Router(model_list=[entry("g", servers[0], "a")], num_retries=0, allowed_fails=1, clock=clock)
    servers[0].enqueue_error(400, count=3)
    for _ in range(3):
        with pytest.raises(litegate.exceptions.BadRequestError):
            r.completion(model="g", messages=MSGS)
    assert [d.id for d in r.get_available_deployments("g")] == ["a"]


def test_success_resets_the_consecutive_count(servers, clock):
    r = Router(model_list=[entry("g", servers[0], "a")], num_retries=0, allowed_fails=2, clock=clock)
    for _ in range(3):
        servers[0].enqueue_error(500)
        with pytest.raises(litegate.exceptions.InternalServerError):
            r.completion(model="g", messages=MSGS)
        r.completion(model="g", messages=MSGS)
    assert r.get_available_deployments("g")


def test_all_cooled_down_names_the_group_and_sends_nothing(servers, clock, caplog):
    r = Router(model_list=[entry("g", servers[0], "a")], num_retries=0, allowed_fails=1, cooldown_time=60, clock=clock)
    servers[0].enqueue_error(503)
    with caplog.at_level(logging.WARNING, logger="litegate.router"):
        with pytest.raises(litegate.exceptions.ServiceUnavailableError):
            r.completion(model="g", messages=MSGS)
    assert "cooling down" in caplog.text
    with pytest.raises(litegate.exceptions.RateLimitError, match="model group 'g' are cooling down") as info:
        r.completion(model="g", messages=MSGS)
    assert "60.0s" in str(info.value)
    assert hits(servers[0]) == 1


def test_a_second_cooldown_never_shortens_a_longer_one(clock):
    from litegate.router.state import MemoryState, Outcome

    s = MemoryState(clock)
    assert s.cooldown("g", "a", 300)
    assert not s.cooldown("g", "a", 5)  # shorter: ignored
    assert s.finish("g", "a", Outcome(failed=True), 1, 10) is False  # a failure's short cooldown too
    clock.advance(100)
    assert "a" in s.snapshot("g", ["a"]).cooled
    clock.advance(199)
    assert "a" in s.snapshot("g", ["a"]).cooled
    clock.advance(2)
    assert "a" not in s.snapshot("g", ["a"]).cooled
    assert s.cooldown("g", "a", 5)


def test_reset_clears_cooldowns(servers, clock):
    r = Router(model_list=[entry("g", servers[0], "a")], num_retries=0, allowed_fails=1, clock=clock)
    servers[0].enqueue_error(500)
    with pytest.raises(litegate.exceptions.InternalServerError):
        r.completion(model="g", messages=MSGS)
    assert r.get_available_deployments("g") == []
    r.reset()
    assert r.completion(model="g", messages=MSGS)._hidden_params["model_id"] == "a"


# ================================================================================ fallbacks
def test_fallback_group_answers_after_the_group_fails(servers):
    servers[0].enqueue_error(500, count=3)
    r = Router(
        model_list=[entry("primary", servers[0], "p"), entry("fallback", servers[1], "f")],
        fallbacks=[{"primary": ["fallback"]}],
        num_retries=2,
        allowed_fails=10,
    )
    resp = r.completion(model="primary", messages=MSGS)
    assert resp._hidden_params["model_id"] == "f" and resp._hidden_params["fallback_from"] == "primary"
    assert resp._hidden_params["attempts"] == 4
    assert hits(servers[0]) == 3 and hits(servers[1]) == 1


def test_per_call_fallbacks_and_catch_all(servers):
    servers[0].enqueue_error(500, count=2)
    r = Router(
        model_list=[entry("a", servers[0], "a"), entry("b", servers[1], "b"), entry("c", servers[2], "c")],
        fallbacks=[{"*": ["c"]}],
        num_retries=0,
        allowed_fails=10,
    )
    assert r.completion(model="a", messages=MSGS)._hidden_params["model_id"] == "c"
    assert r.completion(model="a", messages=MSGS, fallbacks=["b"])._hidden_params["model_id"] == "b"


def test_fallbacks_are_bounded(servers):
    from litegate import constants

    groups = [entry(f"g{i}", servers[0], f"d{i}") for i in range(8)]
    servers[0].enqueue_error(500, count=20)
    r = Router(model_list=groups, fallbacks=[{"g0": [f"g{i}" for i in range(1, 8)]}], num_retries=0, allowed_fails=100)
    with pytest.raises(litegate.exceptions.InternalServerError):
        r.completion(model="g0", messages=MSGS)
    assert hits(servers[0]) == 1 + constants.ROUTER_MAX_FALLBACKS


def test_content_policy_uses_only_its_list(servers):
    servers[0].enqueue_error(400, code="content_policy_violation", message="flagged", count=2)
    r = Router(
        model_list=[entry("a", servers[0], "a"), entry("b", servers[1], "b"), entry("c", servers[2], "c")],
        fallbacks=[{"a": ["b"]}],
        content_policy_fallbacks=[{"a": ["c"]}],
        num_retries=0,
    )
    assert r.completion(model="a", messages=MSGS)._hidden_params["model_id"] == "c"
    r2 = Router(
        model_list=[entry("a", servers[0], "a"), entry("b", servers[1], "b")], fallbacks=[{"a": ["b"]}], num_retries=0
    )
    with pytest.raises(litegate.exceptions.ContentPolicyViolationError):
        r2.completion(model="a", messages=MSGS)
    assert hits(servers[1]) == 0


def test_pre_call_context_window_filter_and_fallback(servers):
    small = entry("g", servers[0], "small", model_info={"id": "small", "max_input_tokens": 50})
    big = entry("g", servers[1], "big", model_info={"id": "big", "max_input_tokens": 100000})
    r = Router(model_list=[small, big])
    long = [{"role": "user", "content": "word " * 400}]
    for _ in range(5):
        assert r.completion(model="g", messages=long)._hidden_params["model_id"] == "big"
    assert hits(servers[0]) == 0
    r2 = Router(
        model_list=[
            entry("s", servers[0], "s", model_info={"id": "s", "max_input_tokens": 50}),
            entry("l", servers[2], "l"),
        ],
        context_window_fallbacks=[{"s": ["l"]}],
    )
    resp = r2.completion(model="s", messages=long)
    assert resp._hidden_params["model_id"] == "l" and hits(servers[0]) == 0
    r3 = Router(model_list=[entry("s", servers[0], "s", model_info={"id": "s", "max_input_tokens": 50})])
    with pytest.raises(litegate.exceptions.ContextWindowExceededError, match="model group 's'"):
        r3.completion(model="s", messages=long)
    assert hits(servers[0]) == 0


# ================================================================================ streams
def test_stream_failing_before_its_first_chunk_moves_on(servers):
    servers[0].enqueue_fault("reset")
    r = Router(model_list=[entry("g", servers[0], "a"), entry("g", servers[1], "b")], num_retries=1)
    r.set_custom_routing_strategy(_FirstUntried())
    stream = r.completion(model="g", messages=MSGS, stream=True)
    assert stream._hidden_params["model_id"] == "b"
    assert "".join(c.choices[0].delta.content or "" for c in stream) == "This is a fake reply to: route me"


def test_stream_failing_after_its_first_chunk_raises_typed(servers, clock):
    servers[0].enqueue_fault("cut_stream")
    r = Router(
        model_list=[entry("g", servers[0], "a"), entry("g", servers[1], "b")],
        num_retries=1,
        allowed_fails=1,
        clock=clock,
    )
    r.set_custom_routing_strategy(_FirstUntried())
    stream = r.completion(model="g", messages=MSGS, stream=True)
    with pytest.raises(litegate.exceptions.APIConnectionError):
        for _ in stream:
            pass
    assert hits(servers[1]) == 0
    # the broken stream counted as the deployment's failure: it cools down
    assert [d.id for d in r.get_available_deployments("g")] == ["b"]


def test_async_stream_failing_before_first_chunk_falls_back(servers):
    servers[0].enqueue_error(503, count=5)
    r = Router(
        model_list=[entry("p", servers[0], "p"), entry("f", servers[1], "f")], fallbacks=[{"p": ["f"]}], num_retries=1
    )

    async def go():
        stream = await r.acompletion(model="p", messages=MSGS, stream=True)
        return stream, [c async for c in stream]

    stream, chunks = asyncio.run(go())
    assert stream._hidden_params["model_id"] == "f" and stream._hidden_params["fallback_from"] == "p"
    assert chunks and hits(servers[0]) == 2


def test_deployment_masking_hides_credentials_and_shows_token_counts():
    from litegate.router.deployment import masked, stable_id

    params = {
        "model": "openai/gpt-4o",
        "api_key": "sk-one-123456789",
        "max_tokens": 50,
        "vertex_credentials": '{"private_key": "x"}',
        "azure_ad_token": "tok-123456789",
        "api_base": "https://user:pw-123456789@example.test/v1",
    }
    shown = masked(params)
    assert shown["max_tokens"] == 50 and shown["model"] == "openai/gpt-4o"
    assert shown["api_key"] == shown["vertex_credentials"] == shown["azure_ad_token"] == "****"
    assert "pw-123456789" not in shown["api_base"] and "example.test" in shown["api_base"]
    # the id of an entry without one ignores credentials, not token counts
    assert stable_id("g", params) == stable_id("g", {**params, "api_key": "sk-two-987654321"})
    assert stable_id("g", params) != stable_id("g", {**params, "max_tokens": 51})
