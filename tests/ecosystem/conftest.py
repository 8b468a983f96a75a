"""Frameworks that import litellm, run on litegate through alias mode against the fake servers.

Alias mode is switched on here, before any framework is imported (as a program would at its
start). The ``server`` fixture (a FakeOpenAIServer) comes from tests/conftest.py. These tests run
in their own virtualenv (scripts/test-ecosystem.sh installs DSPy, langchain-litellm, smolagents,
the OpenAI Agents SDK and instructor there); the main test run does not collect this directory when the
frameworks are not installed (tests/conftest.py).
"""

from __future__ import annotations

import litegate

litegate.alias_litellm()

import pytest  # noqa: E402

from litegate.core.params import is_litellm_internal  # noqa: E402

KEY = "sk-ecosystem-test-0123456789"


@pytest.fixture
def litegate_calls(monkeypatch):
    """Every call litegate answers (a success callback): proves the framework went through litegate."""
    seen: list = []

    def record(kwargs, response, start, end):
        seen.append(kwargs["model"])

    monkeypatch.setattr(litegate, "success_callback", [record])
    return seen


def assert_clean_bodies(server) -> list:
    """No request body holds a litellm-internal argument; returns the bodies."""
    bodies = [r.json for r in server.requests if r.body]
    assert bodies, "the fake server received no request"
    for body in bodies:
        internal = [k for k in body if is_litellm_internal(k)]
        assert not internal, f"litellm-internal arguments reached the provider: {internal}"
    return bodies


@pytest.fixture
def two_servers():
    """Two fake OpenAI servers that only answer ``KEY``: one per Router deployment (a request that
    did not carry the deployment's own key gets a 401)."""
    from litegate.testing import FakeOpenAIServer

    with FakeOpenAIServer(require_key=KEY) as first, FakeOpenAIServer(require_key=KEY) as second:
        yield first, second


def router_model_list(group: str, servers, model: str = "openai/gpt-4o-mini") -> list:
    """A Router model_list: one deployment of ``group`` per server, ``deployment-0`` first. The
    first one is the cheapest, so ``routing_strategy=ROUTING`` always tries it first (a
    deterministic order, unlike the random strategies and the measured latencies)."""
    return [
        {
            "model_name": group,
            "litellm_params": {"model": model, "api_key": KEY, "api_base": srv.base_url},
            "model_info": {"id": f"deployment-{i}"},
            "cost_per_token": {"input_cost_per_token": 1e-7 * (i + 1), "output_cost_per_token": 1e-7 * (i + 1)},
        }
        for i, srv in enumerate(servers)
    ]


ROUTING = "cost-based-routing"
