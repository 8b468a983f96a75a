"""Package-level promises: a light import, litellm's public names, the demo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import litegate

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=ENV)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_import_loads_nothing_heavy():
    loaded = json.loads(_run("import sys, json, litegate; print(json.dumps(sorted(sys.modules)))"))
    for heavy in (
        "httpx",
        "aiohttp",
        "pydantic",
        "pyreqwest",
        "asyncio",
        "litegate.types",
        "litegate.core.transport",
        "litegate.testing",
        "ssl",
        "email",
    ):
        assert heavy not in loaded, heavy
    assert sum(1 for m in loaded if m.startswith("litegate")) <= 4


def test_version_and_litellm_style_names():
    import litegate as litellm

    assert litellm.__version__.count(".") == 2
    for name in (
        "completion",
        "acompletion",
        "embedding",
        "aembedding",
        "ModelResponse",
        "Choices",
        "Message",
        "Delta",
        "StreamingChoices",
        "Usage",
        "EmbeddingResponse",
        "CustomStreamWrapper",
        "stream_chunk_builder",
        "Client",
        "exceptions",
        "provider_list",
        "RateLimitError",
        "ContextWindowExceededError",
        "BudgetExceededError",
        "OPENAI_CHAT_COMPLETION_PARAMS",
    ):
        assert getattr(litellm, name) is not None, name
    assert litellm.exceptions.RateLimitError is litellm.RateLimitError
    for setting, default in (
        ("num_retries", 3),
        ("request_timeout", 600),
        ("drop_params", False),
        ("api_key", None),
        ("openai_key", None),
        ("azure_key", None),
        ("groq_key", None),
        ("model_alias_map", {}),
        ("success_callback", []),
        ("max_budget", 0.0),
    ):
        assert getattr(litellm, setting) == default, setting
    assert {"openai", "azure", "groq", "mistral", "hosted_vllm", "lm_studio"} <= set(litellm.provider_list)


def test_every_lazy_name_resolves():
    out = _run("import litegate\nfor n in litegate._LAZY: getattr(litegate, n)\nprint('ok')")
    assert out.strip() == "ok"


def test_unknown_attribute_is_an_attribute_error():
    try:
        litegate.no_such_name_here
    except AttributeError as exc:
        assert "no_such_name_here" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_demo_runs_offline():
    out = subprocess.run(
        [sys.executable, "-m", "litegate", "demo"], capture_output=True, text=True, timeout=120, env=ENV
    )
    assert out.returncode == 0, out.stderr[-3000:]
    for marker in (
        "1. completion",
        "2. streaming",
        "3. tool call",
        "ContextWindowExceededError",
        "server hits:   3",
        "demo finished",
    ):
        assert marker in out.stdout, marker


def test_issue5_public_names_at_top_level():
    import litegate as litellm

    for name in (
        "model_cost",
        "register_model",
        "completion_cost",
        "cost_per_token",
        "response_cost_calculator",
        "token_counter",
        "encode",
        "decode",
        "create_pretrained_tokenizer",
        "create_tokenizer",
        "openai_token_counter",
        "get_model_info",
        "get_max_tokens",
        "get_valid_models",
        "supports_vision",
        "supports_function_calling",
        "supports_response_schema",
        "BudgetManager",
        "trim_messages",
        "function_to_dict",
        "validate_environment",
        "models_by_provider",
        "model_list",
        "open_ai_chat_completion_models",
        "anthropic_models",
        "groq_models",
        "custom_prompt_dict",
        "register_prompt_template",
    ):
        assert getattr(litellm, name) is not None, name
    assert litellm.utils.get_utc_datetime().tzinfo is not None
    # the derived lists agree with the registry they come from
    assert "gpt-4o" in litellm.open_ai_chat_completion_models
    assert all(litellm.model_cost[m]["litellm_provider"] == "groq" for m in litellm.groq_models)
    assert set(litellm.models_by_provider) >= {"openai", "anthropic", "groq"}
