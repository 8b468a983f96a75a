"""Fallbacks (spec section 4): general, context-window and content-policy lists; per call and module."""

from __future__ import annotations

import pytest

import litegate

MSGS = [{"role": "user", "content": "fallback test"}]
KEY = "sk-fallback-0000000000"


def _models_called(server):
    return [r.json["model"] for r in server.requests if r.json]


def test_module_fallbacks_after_retries(server, fast_backoff):
    litegate.fallbacks = [{"openai/gpt-4o": ["openai/gpt-4o-mini"]}]
    server.enqueue_error(status=500, count=2)  # primary: first attempt + one retry
    resp = litegate.completion(
        model="openai/gpt-4o", messages=MSGS, num_retries=1, api_base=server.base_url, api_key=KEY
    )
    assert _models_called(server) == ["gpt-4o", "gpt-4o", "gpt-4o-mini"]
    assert resp._hidden_params["model"] == "gpt-4o-mini"
    assert resp.model == "gpt-4o-mini"


def test_catch_all_rule_and_order(server):
    litegate.fallbacks = [{"openai/other": ["openai/x"]}, {"*": ["openai/first", "openai/second"]}]
    server.enqueue_error(status=400, count=2)  # primary and first fallback fail (not retried)
    resp = litegate.completion(model="openai/gpt-4o", messages=MSGS, api_base=server.base_url, api_key=KEY)
    assert _models_called(server) == ["gpt-4o", "first", "second"]
    assert resp.model == "second"


def test_context_window_fallbacks_are_used_for_context_errors_only(server):
    litegate.context_window_fallbacks = [{"openai/small": ["openai/big"]}]
    server.enqueue_error(
        status=400,
        code="context_length_exceeded",
        message="This model's maximum context length is 10 tokens. However, you requested 20 tokens.",
    )
    resp = litegate.completion(model="openai/small", messages=MSGS, api_base=server.base_url, api_key=KEY)
    assert _models_called(server) == ["small", "big"]
    assert resp.model == "big"
    server.reset()
    server.enqueue_error(status=401)
    with pytest.raises(litegate.AuthenticationError):
        litegate.completion(model="openai/small", messages=MSGS, api_base=server.base_url, api_key=KEY)
    assert _models_called(server) == ["small"]


def test_content_policy_fallbacks(server):
    litegate.content_policy_fallbacks = [{"*": ["openai/reviewer"]}]
    server.enqueue_error(status=400, code="content_policy_violation", message="blocked by the safety system")
    resp = litegate.completion(model="openai/gpt-4o", messages=MSGS, api_base=server.base_url, api_key=KEY)
    assert resp.model == "reviewer"


def test_per_call_plain_list_and_all_failing_raises_the_last_error(server):
    server.enqueue_error(status=400, count=1)
    server.enqueue_error(status=404, count=1)
    with pytest.raises(litegate.NotFoundError):
        litegate.completion(
            model="openai/a", messages=MSGS, fallbacks=["openai/b"], api_base=server.base_url, api_key=KEY
        )
    assert _models_called(server) == ["a", "b"]


def test_mock_exception_triggers_the_fallback_as_in_the_spec(server):
    litegate.fallbacks = [{"*": ["openai/gpt-4o-mini"]}]
    resp = litegate.completion(
        model="openai/gpt-4-turbo",
        messages=MSGS,
        api_base=server.base_url,
        api_key=KEY,
        mock_response=litegate.RateLimitError("Simulate failure"),
    )
    assert resp.model == "gpt-4o-mini"  # the fallback made a real call (mock not carried over)
    assert server.hits() == 1


def test_per_call_credentials_do_not_leak_to_another_provider(server, monkeypatch):
    monkeypatch.setenv("GROQ_API_KEY", "gsk-groq-key-000000000")
    monkeypatch.setenv("GROQ_API_BASE", server.base_url)
    server.enqueue_error(status=400)
    litegate.completion(
        model="openai/gpt-4o",
        messages=MSGS,
        fallbacks=["groq/llama-3.1-8b-instant"],
        api_base=server.base_url,
        api_key=KEY,
    )
    first, second = server.requests
    assert first.headers["authorization"] == f"Bearer {KEY}"
    assert second.headers["authorization"] == "Bearer gsk-groq-key-000000000"


async def test_async_fallbacks_and_callbacks(server):
    seen = []
    litegate.success_callback = [lambda kw, r, s, e: seen.append(r.model)]
    server.enqueue_error(status=400)
    resp = await litegate.acompletion(
        model="openai/a", messages=MSGS, fallbacks=["openai/b"], api_base=server.base_url, api_key=KEY
    )
    assert resp.model == "b" and seen == ["b"]


def test_no_fallbacks_configured_raises_directly(server):
    server.enqueue_error(status=400)
    with pytest.raises(litegate.BadRequestError):
        litegate.completion(model="openai/a", messages=MSGS, api_base=server.base_url, api_key=KEY)
    assert server.hits() == 1


def test_fallbacks_must_be_a_list(server):
    with pytest.raises(litegate.BadRequestError):
        litegate.completion(
            model="openai/a", messages=MSGS, fallbacks="openai/b", api_base=server.base_url, api_key=KEY
        )
    assert server.hits() == 0
