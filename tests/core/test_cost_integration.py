"""Every response carries its cost; an unknown cost is None (with a warning), never $0; max_budget."""

from __future__ import annotations

import logging

import pytest

import litegate

MSGS = [{"role": "user", "content": "price this"}]


def _kw(server):
    return {"api_base": server.base_url, "api_key": "sk-cost-0000000000"}


def test_known_model_cost_matches_registry_prices(server):
    resp = litegate.completion(model="openai/gpt-4o-mini", messages=MSGS, **_kw(server))
    entry = litegate.model_cost["gpt-4o-mini"]
    expected = (
        resp.usage.prompt_tokens * entry["input_cost_per_token"]
        + resp.usage.completion_tokens * entry["output_cost_per_token"]
    )
    assert resp._hidden_params["response_cost"] == pytest.approx(expected)
    assert expected > 0


def test_unknown_model_cost_is_none_with_a_warning(server, caplog):
    caplog.set_level(logging.WARNING, logger="litegate")
    resp = litegate.completion(model="openai/model-nobody-prices-xyz", messages=MSGS, **_kw(server))
    assert resp._hidden_params["response_cost"] is None
    assert any("model-nobody-prices-xyz" in r.getMessage() and "unknown" in r.getMessage() for r in caplog.records)


def test_per_call_custom_prices(server):
    resp = litegate.completion(
        model="openai/model-nobody-prices-xyz",
        messages=MSGS,
        input_cost_per_token=1e-3,
        output_cost_per_token=2e-3,
        **_kw(server),
    )
    expected = resp.usage.prompt_tokens * 1e-3 + resp.usage.completion_tokens * 2e-3
    assert resp._hidden_params["response_cost"] == pytest.approx(expected)
    assert "input_cost_per_token" not in server.last_request.json  # steering, never sent


def test_embedding_cost(server):
    resp = litegate.embedding(model="text-embedding-3-small", input=["a b c", "d e"], **_kw(server))
    entry = litegate.model_cost["text-embedding-3-small"]
    assert resp._hidden_params["response_cost"] == pytest.approx(
        resp.usage.prompt_tokens * entry["input_cost_per_token"]
    )


def test_stream_cost_reaches_success_callback(server):
    seen = []
    litegate.success_callback = [lambda kw, r, s, e: seen.append((kw["response_cost"], r))]
    list(
        litegate.completion(
            model="openai/gpt-4o-mini",
            messages=MSGS,
            stream=True,
            stream_options={"include_usage": True},
            **_kw(server),
        )
    )
    cost, response = seen[0]
    entry = litegate.model_cost["gpt-4o-mini"]
    expected = (
        response.usage.prompt_tokens * entry["input_cost_per_token"]
        + response.usage.completion_tokens * entry["output_cost_per_token"]
    )
    assert cost == pytest.approx(expected) and cost > 0


def test_max_budget_blocks_calls_once_spent(server):
    litegate.max_budget = 1e-9
    litegate._current_cost = 0.0
    litegate.completion(model="openai/gpt-4o-mini", messages=MSGS, **_kw(server))
    assert litegate._current_cost > 1e-9
    with pytest.raises(litegate.BudgetExceededError) as info:
        litegate.completion(model="openai/gpt-4o-mini", messages=MSGS, **_kw(server))
    assert info.value.max_budget == 1e-9
    assert server.hits() == 1  # the refused call never left the process


def test_self_hosted_models_cost_zero_not_unknown(caplog):
    from litegate.testing import FakeOllamaServer

    caplog.set_level(logging.WARNING, logger="litegate")
    with FakeOllamaServer() as srv:
        resp = litegate.completion(model="ollama_chat/some-local-model", messages=MSGS, api_base=srv.url)
    assert resp._hidden_params["response_cost"] == 0.0
    assert not [r for r in caplog.records if "unknown" in r.getMessage()]
