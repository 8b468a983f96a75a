"""The spec's four Router examples (section 6), run as written against fake servers and a real Redis.

The examples are kept verbatim in ``tests/fixtures/router/``. The only change is the import name
(``import litellm`` -> ``import litegate as litellm``). The environment variables they read point
at fake OpenAI (also serving the Azure routes) and Anthropic servers and at the test Redis server.

One more line differs in the second example, which is a bug of the example itself: inside
``async def run_router_calls()`` the guard ``'router' not in locals()`` is always true (``router`` is
a global), so as written the example skips every call; it is run once as written (it must say it
skipped) and once with ``globals()`` in the guard.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
from pathlib import Path
from urllib.parse import urlparse

import pytest

from litegate.testing import FakeAnthropicServer, FakeOpenAIServer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "router"


def _source(name: str) -> str:
    text = (FIXTURES / name).read_text()
    text = text.replace("from litellm.types.router import", "from litegate.types.router import")
    return text.replace("import litellm\n", "import litegate as litellm\n")


def _run(name: str, namespace: dict, *, fix: tuple | None = None) -> str:
    code = _source(name)
    if fix is not None:
        assert fix[0] in code
        code = code.replace(*fix)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, f"spec:{name}", "exec"), namespace)
    return out.getvalue()


@pytest.fixture
def env(monkeypatch, redis_url):
    with FakeOpenAIServer() as openai_srv, FakeAnthropicServer() as anthropic_srv:
        redis = urlparse(redis_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-spec-000000000000")
        monkeypatch.setenv("OPENAI_API_BASE", openai_srv.base_url)
        monkeypatch.setenv("AZURE_API_KEY", "azure-spec-key-0000000000")
        monkeypatch.setenv("AZURE_API_BASE", openai_srv.url)
        monkeypatch.setenv("AZURE_API_VERSION", "2024-10-21")
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-spec-000000000000")
        monkeypatch.setenv("ANTHROPIC_API_BASE", anthropic_srv.url)
        monkeypatch.setenv("COHERE_API_KEY", "co-spec-000000000000")
        monkeypatch.setenv("REDIS_HOST", redis.hostname)
        monkeypatch.setenv("REDIS_PORT", str(redis.port))
        yield openai_srv, anthropic_srv


def test_the_spec_router_examples_run(env):
    openai_srv, _ = env
    ns: dict = {"__name__": "spec_example"}
    out = _run("spec_init.py", ns)
    assert "Router initialized successfully with Redis." in out, out
    assert "Strategy: least-busy, Cache Enabled: True" in out
    assert "Model Groups: ['prod-chat', 'prod-embed', 'backup-chat']" in out
    router = ns["router"]
    try:
        router.reset()
        # as written the calls example skips itself (see the module docstring)
        out = _run("spec_calls.py", ns)
        skipped = io.StringIO()
        with contextlib.redirect_stdout(skipped):
            asyncio.run(ns["run_router_calls"]())
        assert skipped.getvalue().strip() == "Router not initialized, skipping calls."
        _run("spec_calls.py", ns, fix=("'router' not in locals()", "'router' not in globals()"))
        calls = io.StringIO()
        with contextlib.redirect_stdout(calls):
            asyncio.run(ns["run_router_calls"]())
        text = calls.getvalue()
        assert "FAILED" not in text, text
        assert "Routed chat completed using deployment ID: " in text
        assert "Routed embedding completed using deployment ID: openai-embed-large" in text
        assert "Received 1 embedding(s)." in text
        assert "Stream finished." in text
        assert "Call forced to deployment ID: azure-gpt4o-eastus (Should match target)" in text
        paths = [q.path for q in openai_srv.requests]
        assert "/v1/embeddings" in paths
        assert any(p.startswith("/openai/deployments/my-gpt4o-deploy/") for p in paths)

        out = _run("spec_management.py", ns)
        assert "Success. New Groups: ['prod-chat', 'prod-embed', 'backup-chat', 'cohere-prod']" in out, out
        assert "Success. Updated TPM: 75000, RPM: 600" in out
        assert "Success. Deleted deployment model: azure/my-gpt4o-deploy" in out
        assert "azure-gpt4o-eastus" not in router.get_model_ids()
        assert router.get_deployment("openai-gpt4o-1").tpm == 75000

        out = _run("spec_inspection.py", ns)
        assert "Strategy: least-busy" in out and "Retries: 2, Timeout: 300s" in out
        assert "Cooldown Time: 120s, Allowed Fails: 5" in out and "Redis Connected: True" in out
        assert "Health Checks Enabled: True" in out
        assert "Max Input Tokens: 128000" in out
        assert "Total TPM: 75000, Total RPM: 600" in out and "Providers: ['openai']" in out
        assert "Available (Healthy) Deployments: ['openai-gpt4o-1']" in out
        assert "Underlying Model: gpt-4o" in out and "Configured TPM: 75000, RPM: 600" in out
        usage = io.StringIO()
        with contextlib.redirect_stdout(usage):
            result = asyncio.run(ns["check_all_usage"]())
        # since the reset: the chat calls the remaining deployment served (the azure one, deleted,
        # took its counts with it) and one embedding
        on_openai = sum(1 for q in openai_srv.requests if q.path == "/v1/chat/completions")
        assert result["prod-chat"][1] == on_openai and result["prod-embed"][1] == 1
        assert (result["prod-chat"][0] > 0) == (on_openai > 0) and result["prod-embed"][0] > 0
        assert "Could not get usage" not in usage.getvalue()
    finally:
        router.close()
