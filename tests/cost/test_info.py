"""get_model_info, get_max_tokens, the supports_* functions and get_valid_models."""

from __future__ import annotations

import inspect
import json

import pytest

from litegate.cost import info, registry
from litegate.cost.info import get_max_tokens, get_model_info, get_valid_models
from litegate.cost.registry import model_cost, register_model
from litegate.exceptions import NotFoundException

# every supports_* function of spec section 10, plus litellm's supports_reasoning,
# supports_computer_use and supports_url_context
SUPPORTS = {
    "supports_function_calling": "supports_function_calling",
    "supports_parallel_function_calling": "supports_parallel_function_calling",
    "supports_tool_choice": "supports_tool_choice",
    "supports_system_messages": "supports_system_messages",
    "supports_vision": "supports_vision",
    "supports_embedding_image_input": "supports_embedding_image_input",
    "supports_prompt_caching": "supports_prompt_caching",
    "supports_response_schema": "supports_response_schema",
    "supports_native_streaming": "supports_native_streaming",
    "supports_web_search": "supports_web_search",
    "supports_audio_input": "supports_audio_input",
    "supports_pdf_input": "supports_pdf_input",
    "supports_audio_output": "supports_audio_output",
    "supports_reasoning": "supports_reasoning",
    "supports_computer_use": "supports_computer_use",
    "supports_url_context": "supports_url_context",
}

MODEL_INFO_KEYS = {
    "key",
    "max_tokens",
    "max_input_tokens",
    "max_output_tokens",
    "input_cost_per_token",
    "output_cost_per_token",
    "cache_creation_input_token_cost",
    "cache_read_input_token_cost",
    "input_cost_per_character",
    "output_cost_per_character",
    "input_cost_per_second",
    "output_cost_per_second",
    "input_cost_per_audio_token",
    "output_cost_per_audio_token",
    "output_cost_per_reasoning_token",
    "output_cost_per_image",
    "output_vector_size",
    "litellm_provider",
    "mode",
    "supports_system_messages",
    "supports_response_schema",
    "supports_vision",
    "supports_function_calling",
    "supports_tool_choice",
    "supports_assistant_prefill",
    "supports_prompt_caching",
    "supports_audio_input",
    "supports_audio_output",
    "supports_pdf_input",
    "supports_embedding_image_input",
    "supports_native_streaming",
    "supports_web_search",
    "supports_reasoning",
    "supports_computer_use",
    "search_context_cost_per_query",
    "tpm",
    "rpm",
    "supported_openai_params",
}


@pytest.fixture
def restore_registry():
    saved = {name: dict(entry) for name, entry in model_cost.items()}
    yield
    with registry._lock:
        for name in list(model_cost):
            if name not in saved:
                del model_cost[name]
            else:
                model_cost[name].clear()
                model_cost[name].update(saved[name])
        registry._lower.clear()
        registry._index(model_cost)
    for listener in list(registry._listeners):
        listener()


# --------------------------------------------------------------------------------------------
# get_model_info
# --------------------------------------------------------------------------------------------


def test_get_model_info_for_a_known_model():
    data = get_model_info("gpt-4o")
    assert MODEL_INFO_KEYS <= set(data)
    assert data["key"] == "gpt-4o"
    assert data["litellm_provider"] == "openai" and data["mode"] == "chat"
    assert (data["max_input_tokens"], data["max_output_tokens"], data["max_tokens"]) == (128000, 16384, 16384)
    assert data["input_cost_per_token"] == 2.5e-06 and data["output_cost_per_token"] == 1e-05
    assert data["cache_read_input_token_cost"] == 1.25e-06
    assert data["supports_vision"] is True and data["supports_function_calling"] is True
    assert data["supports_audio_output"] is None  # not stated by the registry
    assert "tools" in data["supported_openai_params"]


def test_get_model_info_name_forms_and_provider():
    assert get_model_info("openai/gpt-4o")["key"] == "gpt-4o"
    assert get_model_info("gpt-4o", custom_llm_provider="azure")["key"] == "azure/gpt-4o"
    groq = get_model_info("openai/gpt-oss-120b", custom_llm_provider="groq")
    assert groq["key"] == "groq/openai/gpt-oss-120b" and groq["litellm_provider"] == "groq"
    assert "logit_bias" not in groq["supported_openai_params"]  # Groq rejects it (provider table)
    claude = get_model_info("anthropic/claude-sonnet-4-5")
    assert claude["supports_prompt_caching"] is True and claude["cache_creation_input_token_cost"] == 3.75e-06
    assert get_model_info("vertex_ai/gemini-2.5-pro")["litellm_provider"] == "vertex_ai-language-models"


def test_get_model_info_for_non_token_models():
    tts = get_model_info("tts-1")
    assert tts["mode"] == "audio_speech" and tts["input_cost_per_character"] == 1.5e-05
    assert tts["input_cost_per_token"] == 0.0  # litellm's ModelInfo always has a number here
    whisper = get_model_info("whisper-1")
    assert whisper["mode"] == "audio_transcription" and whisper["input_cost_per_second"] == 0.0001
    emb = get_model_info("text-embedding-3-small")
    assert emb["mode"] == "embedding" and emb["output_cost_per_token"] == 0.0
    assert emb["supported_openai_params"] is None


def test_get_model_info_unknown_model_raises_clearly():
    with pytest.raises(NotFoundException) as caught:
        get_model_info("acme/not-a-model")
    assert isinstance(caught.value, Exception)
    assert "This model isn't mapped yet" in str(caught.value)
    assert "acme/not-a-model" in str(caught.value)
    assert "register_model" in str(caught.value)
    with pytest.raises(Exception, match="isn't mapped yet"):  # what litellm users catch
        get_model_info("gpt-4o", custom_llm_provider="groq")


def test_get_model_info_returns_a_copy():
    data = get_model_info("gpt-5")
    data["input_cost_per_token"] = 123.0
    data["search_context_cost_per_query"]["search_context_size_low"] = 99.0
    assert model_cost["gpt-5"]["input_cost_per_token"] != 123.0
    assert model_cost["gpt-5"]["search_context_cost_per_query"]["search_context_size_low"] != 99.0


def test_get_model_info_sees_registered_models(restore_registry):
    register_model(
        {
            "acme/model-y": {
                "litellm_provider": "openai",
                "mode": "chat",
                "max_tokens": 2048,
                "input_cost_per_token": 1e-06,
                "output_cost_per_token": 3e-06,
                "supports_function_calling": True,
            }
        }
    )
    data = get_model_info("acme/model-y")
    assert data["max_tokens"] == 2048 and data["output_cost_per_token"] == 3e-06
    assert info.supports_function_calling("acme/model-y") is True
    assert info.supports_vision("acme/model-y") is False


# --------------------------------------------------------------------------------------------
# get_max_tokens
# --------------------------------------------------------------------------------------------


def test_get_max_tokens():
    # the spec (section 10): the total context window, Optional[int]
    assert get_max_tokens("gpt-4o") == 128000
    assert get_max_tokens("claude-sonnet-4-5") == model_cost["claude-sonnet-4-5"]["max_input_tokens"]
    assert get_max_tokens("openai/gpt-4o-mini") == 128000
    assert get_max_tokens("acme/not-a-model") is None  # unknown: None, not an exception


def test_get_max_tokens_falls_back_to_max_tokens(restore_registry):
    register_model({"acme/legacy": {"litellm_provider": "openai", "mode": "chat", "max_tokens": 4097}})
    assert get_max_tokens("acme/legacy") == 4097
    register_model({"acme/no-limit": {"litellm_provider": "openai", "mode": "chat"}})
    assert get_max_tokens("acme/no-limit") is None


# --------------------------------------------------------------------------------------------
# supports_*
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SUPPORTS))
def test_every_supports_function_exists_with_litellm_s_signature(name):
    fn = getattr(info, name)
    params = list(inspect.signature(fn).parameters.values())
    assert [p.name for p in params] == ["model", "custom_llm_provider"]
    assert params[1].default is None
    assert fn("acme/not-a-model") is False
    assert fn("") is False
    assert name in info.__all__


@pytest.mark.parametrize("name, key", sorted(SUPPORTS.items()))
def test_supports_functions_agree_with_the_registry(name, key):
    fn = getattr(info, name)
    for model, entry in model_cost.items():
        expected = entry.get(key) is True
        if key == "supports_native_streaming":
            expected = entry.get(key) is not False
        if key == "supports_response_schema" and registry.provider_group(entry["litellm_provider"]) == "fireworks_ai":
            continue  # every Fireworks model counts as supporting it (as in litellm)
        assert fn(model) is expected, (name, model)


@pytest.mark.parametrize(
    "name, model, provider, expected",
    [
        ("supports_vision", "gpt-4o", None, True),
        ("supports_vision", "gpt-4o", "openai", True),
        ("supports_vision", "text-embedding-3-small", None, False),
        ("supports_function_calling", "gpt-4o-mini", None, True),
        ("supports_function_calling", "openai/gpt-oss-120b", "groq", True),
        ("supports_function_calling", "whisper-1", None, False),
        ("supports_parallel_function_calling", "gpt-4o", None, True),
        ("supports_parallel_function_calling", "o1", None, False),
        ("supports_tool_choice", "claude-sonnet-4-5", None, True),
        ("supports_system_messages", "gpt-4o", None, True),
        ("supports_system_messages", "gpt-5.3-codex", None, False),
        ("supports_prompt_caching", "anthropic/claude-sonnet-4-5", None, True),
        ("supports_response_schema", "gpt-4o", None, True),
        ("supports_response_schema", "fireworks_ai/accounts/fireworks/models/not-in-registry", None, True),
        ("supports_response_schema", "not-in-registry", "lm_studio", True),
        ("supports_reasoning", "o3", None, True),
        ("supports_reasoning", "gpt-4o", None, False),
        ("supports_audio_input", "gpt-4o-audio-preview-2024-12-17", None, True),
        ("supports_audio_output", "gpt-4o-audio-preview-2024-12-17", None, True),
        ("supports_audio_output", "gpt-4o", None, False),
        ("supports_pdf_input", "claude-sonnet-4-5", None, True),
        ("supports_web_search", "gpt-4.1", None, True),
        ("supports_embedding_image_input", "gemini/gemini-embedding-2", None, True),
        ("supports_embedding_image_input", "text-embedding-3-small", None, False),
        ("supports_native_streaming", "gpt-4o", None, True),
        ("supports_native_streaming", "o1-pro", None, False),
        ("supports_native_streaming", "acme/not-a-model", None, False),
        ("supports_url_context", "gemini/gemini-2.5-flash", None, True),
        ("supports_computer_use", "claude-sonnet-4-5", None, True),
    ],
)
def test_supports_examples(name, model, provider, expected):
    assert getattr(info, name)(model, provider) is expected


def test_supports_unknown_model_is_false_not_an_error():
    for name in SUPPORTS:
        if name == "supports_response_schema":
            continue
        assert getattr(info, name)("fireworks_ai/nope") is False, name
        assert getattr(info, name)(None) is False, name  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# get_valid_models
# --------------------------------------------------------------------------------------------


@pytest.fixture
def bare_env(monkeypatch):
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_PROFILE",
        "AWS_BEARER_TOKEN_BEDROCK",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "VERTEXAI_PROJECT",
        "VERTEX_PROJECT",
        "OLLAMA_API_BASE",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_get_valid_models_without_credentials_is_empty(bare_env):
    assert get_valid_models() == []


def test_get_valid_models_follows_the_environment(bare_env):
    from litegate.cost.lists import models_by_provider

    bare_env.setenv("OPENAI_API_KEY", "sk-test")
    models = get_valid_models()
    assert "gpt-4o" in models and "text-embedding-3-small" in models
    assert all(registry.provider_group(model_cost[m]["litellm_provider"]) == "openai" for m in models)
    assert len(models) == len(set(models)) == len(models_by_provider["openai"])

    bare_env.setenv("GROQ_API_KEY", "gsk-test")
    models = get_valid_models()
    assert "groq/openai/gpt-oss-120b" in models and "gpt-4o" in models

    bare_env.setenv("TOGETHER_API_KEY", "t")  # any of the provider's variables counts
    assert "together_ai/moonshotai/Kimi-K2-Instruct" in get_valid_models()

    bare_env.setenv("AWS_ACCESS_KEY_ID", "AKIA...")
    assert "anthropic.claude-sonnet-4-20250514-v1:0" in get_valid_models()


def test_get_valid_models_for_one_provider(bare_env):
    models = get_valid_models(custom_llm_provider="anthropic")
    assert models and "claude-sonnet-4-5" in models
    assert all(model_cost[m]["litellm_provider"] == "anthropic" for m in models)
    assert get_valid_models(custom_llm_provider="no-such-provider") == []


def test_get_valid_models_without_check_never_calls_the_network(bare_env, server):
    bare_env.setenv("OPENAI_API_KEY", "sk-test")
    bare_env.setenv("OPENAI_API_BASE", server.base_url)
    assert get_valid_models() and server.hits() == 0


def test_get_valid_models_asks_the_provider_endpoint(bare_env, server):
    """check_provider_endpoint=True lists what the provider serves (GET /models), through the
    provider-addressed call path: credentials and base URL as for any call."""
    bare_env.setenv("OPENAI_API_KEY", "sk-test-listing")
    models = get_valid_models(
        check_provider_endpoint=True, custom_llm_provider="openai", litellm_params={"api_base": server.base_url}
    )
    assert server.hits() == 1
    req = server.requests[0]
    assert req.method == "GET" and req.path.endswith("/models")
    assert req.header("authorization") == "Bearer sk-test-listing"
    listed = [m["id"] for m in _fetch_json(server.base_url + "/models", "sk-test-listing")["data"]]
    assert models == listed and len(listed) > 1


def test_get_valid_models_falls_back_to_the_registry_when_listing_fails(bare_env, server):
    server.enqueue_error(status=401)
    models = get_valid_models(
        check_provider_endpoint=True,
        custom_llm_provider="openai",
        litellm_params={"api_base": server.base_url, "api_key": "sk-bad", "num_retries": 0},
    )
    assert models == get_valid_models(custom_llm_provider="openai")
    assert server.hits() == 1


def _fetch_json(url: str, key: str) -> dict:
    import urllib.request

    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + key})
    with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - the local fake server
        return json.loads(resp.read())


# --------------------------------------------------------------------------------------------
# is_prompt_caching_valid_prompt
# --------------------------------------------------------------------------------------------


def test_prompt_caching_threshold():
    from litegate.cost.info import is_prompt_caching_valid_prompt
    from litegate.tokens import token_counter

    long = [{"role": "user", "content": "word " * 1500}]
    longer = [{"role": "user", "content": "word " * 5000}]
    short = [{"role": "user", "content": "hello"}]
    assert 1024 <= token_counter(model="gpt-4o", messages=long) < 4096
    assert is_prompt_caching_valid_prompt("gpt-4o", long) is True
    assert is_prompt_caching_valid_prompt("gpt-4o", short) is False
    assert is_prompt_caching_valid_prompt("gpt-4o", None) is False
    # the registry's own minimum where it states one (4096 tokens for this model)
    assert model_cost["claude-opus-4-5"]["prompt_cache_min_tokens"] == 4096
    assert is_prompt_caching_valid_prompt("claude-opus-4-5", long) is False
    assert is_prompt_caching_valid_prompt("claude-opus-4-5", longer) is True
    # tools count too; an unknown model uses 1024
    tools = [{"type": "function", "function": {"name": "f", "description": "d " * 1500, "parameters": {}}}]
    assert is_prompt_caching_valid_prompt("acme/unknown", short, tools=tools) is True
