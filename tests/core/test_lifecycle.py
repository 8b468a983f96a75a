"""The call lifecycle and the provider contract: regression tests for the rules they introduced.

Real sockets to ``FakeOpenAIServer`` where a server is involved; ``MockTransport`` where the point
is the transport seam itself.
"""

from __future__ import annotations

import asyncio
import inspect

import pytest
from _core_helpers import KEY, user_messages

import litegate
from litegate.core.endpoints import ENDPOINTS
from litegate.providers import get_provider
from litegate.providers.base import Dialect
from litegate.providers.spec import SPECS

MODEL = "openai/gpt-4o-mini"


def _kw(server, **more):
    return {"api_key": KEY, "api_base": server.base_url, **more}


# ------------------------------------------------------------------ parse outside the retry loop
def test_unparseable_200_is_not_retried(server, fast_backoff):
    server.enqueue_raw(200, b"<html>gateway hiccup</html>", {"content-type": "text/html"})
    with pytest.raises(litegate.APIResponseValidationError):
        litegate.completion(model=MODEL, messages=user_messages(), num_retries=2, **_kw(server))
    assert server.hits() == 1, "a billed 2xx must not be asked for again"


async def test_unparseable_200_is_not_retried_async(server, fast_backoff):
    server.enqueue_raw(200, {"unexpected": True})
    with pytest.raises(litegate.APIResponseValidationError):
        await litegate.acompletion(model=MODEL, messages=user_messages(), num_retries=2, **_kw(server))
    assert server.hits() == 1


def test_a_500_is_still_retried(server, fast_backoff):
    server.enqueue_error(status=500)
    resp = litegate.completion(model=MODEL, messages=user_messages(), num_retries=2, **_kw(server))
    assert resp.choices[0].message.content
    assert server.hits() == 2


# ------------------------------------------------------------------ per-attempt auth
def test_token_provider_is_asked_on_every_attempt(server, fast_backoff):
    tokens = iter(["tok-one-0123456789", "tok-two-0123456789"])
    asked = []

    def provider():
        asked.append(1)
        return next(tokens)

    server.enqueue_error(status=503)
    litegate.completion(
        model="azure/my-deployment",
        messages=user_messages(),
        api_base=server.base_url,
        api_version="2024-10-21",
        azure_ad_token_provider=provider,
        num_retries=1,
    )
    assert len(asked) == 2
    sent = [r.header("authorization") for r in server.requests]
    assert sent == ["Bearer tok-one-0123456789", "Bearer tok-two-0123456789"]


async def test_token_provider_runs_off_the_event_loop(server):
    loop_thread = []

    def provider():
        import threading

        loop_thread.append(threading.current_thread())
        return "tok-async-0123456789"

    await litegate.acompletion(
        model="azure/dep",
        messages=user_messages(),
        api_base=server.base_url,
        api_version="2024-10-21",
        azure_ad_token_provider=provider,
    )
    import threading

    assert loop_thread and loop_thread[0] is not threading.current_thread()
    assert server.requests[-1].header("authorization") == "Bearer tok-async-0123456789"


def test_retry_count_header(server, fast_backoff):
    litegate.retry_count_header = "x-attempt"
    server.enqueue_error(status=429, headers={"retry-after": "0"})
    litegate.completion(model=MODEL, messages=user_messages(), num_retries=1, **_kw(server))
    assert [r.header("x-attempt") for r in server.requests] == ["0", "1"]


# ------------------------------------------------------------------ drop_params and warnings
def test_module_drop_params_reaches_text_completion_through_chat(monkeypatch):
    """A chat-only provider gets the prompt as one message; echo needs /completions, so it is
    dropped when litegate.drop_params is on (it used to read only the per-call value)."""
    seen = []

    def handler(req):
        seen.append(req.json)
        return {
            "id": "x",
            "object": "chat.completion",
            "created": 1,
            "model": "m",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }

    client = litegate.Client(transport=litegate.MockTransport(handler), drop_params=True)
    resp = client.text_completion(model="groq/llama-3.1-8b-instant", prompt="hello", echo=True, api_key=KEY)
    assert resp.choices[0].text == "hi"
    assert "echo" not in seen[0] and seen[0]["messages"] == [{"role": "user", "content": "hello"}]
    assert any("echo" in w for w in resp._hidden_params["warnings"])
    strict = litegate.Client(transport=litegate.MockTransport(handler))
    with pytest.raises(litegate.UnsupportedParamsError):
        strict.text_completion(model="groq/llama-3.1-8b-instant", prompt="hello", echo=True, api_key=KEY)


def test_dropped_params_are_reported_as_warnings(server):
    resp = litegate.completion(
        model="groq/llama-3.1-8b-instant",
        messages=user_messages(),
        logit_bias={"1": 2},
        drop_params=True,
        **_kw(server),
    )
    assert "logit_bias" not in server.requests[-1].json
    assert any("logit_bias" in w for w in resp._hidden_params["warnings"])
    plain = litegate.completion(model=MODEL, messages=user_messages(), **_kw(server))
    assert "warnings" not in plain._hidden_params


# ------------------------------------------------------------------ always-on stream observation
def test_stream_has_usage_cost_latency_without_callbacks(server):
    stream = litegate.completion(
        model=MODEL, messages=user_messages(), stream=True, stream_options={"include_usage": True}, **_kw(server)
    )
    chunks = list(stream)
    hidden = stream._hidden_params
    assert chunks
    assert hidden["usage"]["total_tokens"] > 0 and "usage_estimated" not in hidden
    assert hidden["response_cost"] > 0
    assert 0 <= hidden["time_to_first_token"] <= hidden["latency"]


async def test_stream_without_usage_gets_an_estimate_and_charges_the_budget(server):
    litegate.max_budget = 100.0
    litegate._current_cost = 0.0
    stream = await litegate.acompletion(model=MODEL, messages=user_messages(), stream=True, **_kw(server))
    text = "".join([c.choices[0].delta.content or "" async for c in stream])
    hidden = stream._hidden_params
    assert text and hidden["usage_estimated"] is True
    assert hidden["usage"]["completion_tokens"] > 0
    assert hidden["response_cost"] > 0
    assert litegate._current_cost == pytest.approx(hidden["response_cost"])


# ------------------------------------------------------------------ injectable transport
def _chat_json(text):
    return {
        "id": "c1",
        "object": "chat.completion",
        "created": 1,
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
    }


def test_mock_transport_answers_sync_async_and_streams():
    def handler(req):
        assert req.headers["authorization"] == "Bearer " + KEY
        if req.json.get("stream"):
            return litegate.MockResponse(
                200,
                headers={"content-type": "text/event-stream"},
                chunks=[
                    b'data: {"id":"s","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,',
                    b'"delta":{"content":"strea"},"finish_reason":null}]}\n\n',
                    b'data: {"id":"s","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,'
                    b'"delta":{"content":"med"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n',
                ],
            )
        return _chat_json("from the handler")

    transport = litegate.MockTransport(handler)
    client = litegate.Client(api_key=KEY, transport=transport)
    assert client.completion("gpt-4o-mini", user_messages()).choices[0].message.content == "from the handler"
    text = "".join(
        c.choices[0].delta.content or "" for c in client.completion("gpt-4o-mini", user_messages(), stream=True)
    )
    assert text == "streamed"

    async def go():
        return await client.acompletion("gpt-4o-mini", user_messages())

    assert asyncio.run(go()).choices[0].message.content == "from the handler"
    assert len(transport.requests) == 3
    assert transport.requests[0].url == "https://api.openai.com/v1/chat/completions"


def test_mock_transport_errors_map_and_retry(fast_backoff):
    answers = [
        litegate.MockResponse(
            429, json={"error": {"message": "slow down", "type": "rate_limit_error"}}, headers={"retry-after": "0"}
        ),
        _chat_json("ok"),
    ]
    transport = litegate.MockTransport(lambda req: answers.pop(0))
    client = litegate.Client(api_key=KEY, transport=transport, num_retries=1)
    assert client.completion("gpt-4o-mini", user_messages()).choices[0].message.content == "ok"
    with pytest.raises(TypeError):
        litegate.Client(transport=transport, http_backend="httpx")


def test_budget_manager_and_register_model_use_the_transport(monkeypatch):
    from litegate.core import transport as tr

    seen = []

    def handler(req):
        seen.append(req.url)
        if req.url.endswith("/get_budget"):
            return {"status": "success", "data": {"u1": {"total_budget": 5.0, "current_cost": 1.0}}}
        return {
            "test-org/registered-through-transport": {
                "input_cost_per_token": 0.5,
                "output_cost_per_token": 1.0,
                "litellm_provider": "openai",
                "mode": "chat",
            }
        }

    mock = litegate.MockTransport(handler)
    bm = litegate.BudgetManager(
        project_name="p", client_type="hosted", api_base="http://budget.invalid", transport=mock
    )
    assert bm.get_total_budget("u1") == 5.0
    monkeypatch.setattr(tr, "_default", mock)
    from litegate.cost import registry

    name = "test-org/registered-through-transport"
    try:
        litegate.register_model("https://models.invalid/map.json")
        assert seen == ["http://budget.invalid/get_budget", "https://models.invalid/map.json"]
        assert litegate.model_cost[name]["input_cost_per_token"] == 0.5
    finally:
        with registry._lock:
            registry.model_cost.pop(name, None)
            registry._lower.pop(name.lower(), None)
        for listener in list(registry._listeners):
            listener()


# ------------------------------------------------------------------ the contract, by declaration
def test_every_declared_endpoint_is_implemented_and_the_rest_refused():
    for name, spec in SPECS.items():
        if spec.dialect is None:
            continue
        provider = get_provider(name)
        assert provider.endpoints == spec.endpoints, name
        for ep in ENDPOINTS.values():
            method = "chat_request" if ep.kind == "text" and provider.text_via_chat else ep.request
            native = getattr(type(provider), method) is not getattr(Dialect, method)
            assert provider.offers(ep.kind) == (ep.kind in spec.endpoints), (name, ep.kind)
            if provider.offers(ep.kind):
                assert native, f"{name} declares {ep.kind} but has no builder for it"
            elif not native:
                with pytest.raises(litegate.BadRequestError, match="offers no"):
                    getattr(provider, ep.request)(_AnyCall(), None, False)


class _AnyCall:
    model = "some-model"


def test_an_undeclared_endpoint_fails_before_any_request(server):
    with pytest.raises(litegate.BadRequestError, match="offers no embeddings"):
        litegate.embedding(model="perplexity/sonar", input="hi", **_kw(server))
    assert server.hits() == 0


def test_client_methods_come_from_the_endpoint_table():
    assert not hasattr(litegate.Client, "list_provider_models")  # internal rows get no method
    for ep in ENDPOINTS.values():
        if not ep.public:
            continue
        for name in (ep.name, "a" + ep.name):
            method = getattr(litegate.Client, name)
            params = list(inspect.signature(method).parameters)
            assert params[1 : 1 + len(ep.positional)] == list(ep.positional), name
            assert callable(getattr(litegate, name)), name
        assert inspect.iscoroutinefunction(getattr(litegate.Client, "a" + ep.name))


def test_provider_addressed_call_needs_no_model(server):
    """The models listing is addressed to a provider, not a model: the path resolves the provider's
    credentials and base URL like any call, and refuses a provider that does not declare it."""
    from litegate.core import lifecycle
    from litegate.core.endpoints import bind

    ep = ENDPOINTS["list_provider_models"]
    answer = lifecycle.execute(
        bind(ep, ("groq",), {"api_key": KEY, "api_base": server.base_url}),
        litegate,
        litegate.Client().transport,
        ep,
        ep.call_type,
    )
    assert answer.ids() and server.requests[-1].path.endswith("/models")
    assert answer._hidden_params["custom_llm_provider"] == "groq"
    with pytest.raises(litegate.BadRequestError, match="offers no model listings"):
        lifecycle.execute(bind(ep, ("perplexity",), {"api_key": KEY}), litegate, None, ep, ep.call_type)
    assert server.hits() == 1


def test_provider_list_is_the_registry_of_usable_providers(monkeypatch):
    import dataclasses

    from litegate.core import resolve

    assert litegate.provider_list == [name for name, spec in SPECS.items() if spec.dialect is not None]
    for name in litegate.provider_list:  # every listed name has a working translator
        assert get_provider(name).name
    assert "bedrock" in litegate.provider_list
    assert "sagemaker" in litegate.provider_list
    assert "petals" in litegate.provider_list
    # a recognised name without a translator is refused before any request
    monkeypatch.setitem(resolve._SPECS, "petals", dataclasses.replace(SPECS["petals"], dialect=None))
    with pytest.raises(litegate.BadRequestError, match="not available"):
        litegate.completion(
            model="petals/petals-team/StableBeluga2",
            messages=user_messages(),
            api_key="k",
            api_base="https://petals.example.test",
        )
    for name in litegate.openai_compatible_providers:
        assert SPECS[name].dialect == "openai:Compatible"


def test_every_native_dialect_reports_its_drops():
    """Each translator's drop path goes through the one rule that records the warning."""
    from litegate.core.call import build_chat_call
    from litegate.core.resolve import Target
    from litegate.providers.base import Drop

    cases = {
        "anthropic": ("claude-sonnet-4-5", {"logit_bias": {"1": 1}}),
        "cohere": ("command-a-03-2025", {"logit_bias": {"1": 1}}),
        "ollama_chat": ("llama3.1", {"logit_bias": {"1": 1}}),
        "gemini": ("gemini-2.5-flash", {"logit_bias": {"1": 1}}),
        "groq": ("llama-3.1-8b-instant", {"logit_bias": {"1": 1}}),
        "bedrock": ("amazon.nova-lite-v1:0", {"logit_bias": {"1": 1}}),
    }
    for name, (model, params) in cases.items():
        provider = get_provider(name)
        call = build_chat_call(f"{name}/{model}", user_messages(), dict(params))
        drop = Drop(True)
        request = provider.chat_request(call, Target(name, model, "http://127.0.0.1:9", KEY), drop)
        assert "logit_bias" not in (request.json or {}), name
        assert drop.warnings and "logit_bias" in drop.warnings[0], name
        with pytest.raises(litegate.UnsupportedParamsError):
            provider.chat_request(call, Target(name, model, "http://127.0.0.1:9", KEY), Drop(False))


def test_the_observer_keeps_bounded_text_and_still_estimates_usage(server, monkeypatch):
    from litegate.core import observe

    monkeypatch.setattr(observe, "MAX_KEPT_CHARS", 40)
    events = [{"choices": [{"index": 0, "delta": {"content": "word " * 4}, "finish_reason": None}]} for _ in range(30)]
    events.append({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    server.enqueue_stream(events=events)
    stream = litegate.completion(model=MODEL, messages=user_messages(), stream=True, **_kw(server))
    text = "".join(c.choices[0].delta.content or "" for c in stream)
    observer = stream._observer
    assert len(text) == 600 and observer.kept <= 40 + 20 and observer.kept + observer.dropped == 600
    assert stream._hidden_params["usage"]["completion_tokens"] >= observer.dropped // 4


def test_a_model_listing_with_odd_items_is_not_a_raw_error(server):
    from litegate.core import lifecycle
    from litegate.core.endpoints import bind

    server.enqueue_raw(200, {"object": "list", "data": [{"id": "a"}, "b", 3]})
    ep = ENDPOINTS["list_provider_models"]
    answer = lifecycle.execute(
        bind(ep, ("openai",), {"api_key": KEY, "api_base": server.base_url}),
        litegate,
        litegate.Client().transport,
        ep,
        ep.call_type,
    )
    assert answer.ids() == ["a"]
