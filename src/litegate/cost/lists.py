"""Model-name constants derived from the model registry (spec section 11).

``models_by_provider``, ``model_list`` and the per-provider lists (``open_ai_chat_completion_models``,
``anthropic_models``, ``groq_models``, ...) are computed from ``litegate.cost.registry``: there is
one source of model facts, never a second hand-kept list. Each list holds registry names exactly as
stored (``"gpt-4o"``, ``"groq/openai/gpt-oss-120b"``). ``register_model`` updates them in place, so
a reference taken earlier (``from litegate import groq_models``) sees new models too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from . import registry

Rule = Callable[[str, dict[str, Any]], bool]


def _group(name: str) -> Rule:
    return lambda key, entry: registry.provider_group(entry.get("litellm_provider")) == name


def _lp(*names: str) -> Rule:
    wanted = frozenset(names)
    return lambda key, entry: entry.get("litellm_provider") in wanted


def _both(first: Rule, *modes: str) -> Rule:
    wanted = frozenset(modes)
    return lambda key, entry: first(key, entry) and entry.get("mode", "chat") in wanted


# Provider groups with a ``<group>_models`` list (the providers of the data file and the ones the
# spec names even where the registry has no model for them yet).
_GROUPS = (
    "openai",
    "azure",
    "anthropic",
    "gemini",
    "vertex_ai",
    "bedrock",
    "cohere",
    "mistral",
    "codestral",
    "xai",
    "deepseek",
    "groq",
    "cerebras",
    "perplexity",
    "voyage",
    "ollama",
    "ai21",
    "nlp_cloud",
    "sambanova",
    "moonshot",
    "dashscope",
    "volcengine",
    "nvidia_nim",
    "meta_llama",
    "xiaomi_mimo",
    "featherless_ai",
    "sagemaker",
    "jina_ai",
    "together_ai",
    "fireworks_ai",
    "deepinfra",
    "replicate",
    "baseten",
    "novita",
    "nebius",
    "hyperbolic",
    "lambda_ai",
    "nscale",
    "scaleway",
    "friendliai",
    "crusoe",
    "gmi",
    "aihubmix",
    "openrouter",
    "huggingface",
    "aleph_alpha",
    "petals",
    "maritalk",
    "databricks",
    "azure_ai",
)

# Models some providers serve that the registry has no price for (their catalogues are the
# caller's own deployments or a router's): a few well-known names each, so the lists the spec names
# (``huggingface_models`` ...) say what such a model string looks like. Registry entries come first.
_SERVED: dict[str, tuple[str, ...]] = {
    "huggingface": (
        "meta-llama/Llama-3.1-8B-Instruct",
        "HuggingFaceH4/zephyr-7b-beta",
        "TinyLlama/TinyLlama-1.1B-Chat-v1.0",
        "mistralai/Mistral-7B-Instruct-v0.3",
    ),
    "openrouter": (
        "openai/gpt-4o",
        "openai/gpt-4o-mini",
        "anthropic/claude-3.5-sonnet",
        "meta-llama/llama-3.1-70b-instruct",
        "mistralai/mistral-large",
    ),
    "aleph_alpha": ("luminous-base", "luminous-extended", "luminous-supreme"),
    "petals": ("petals-team/StableBeluga2", "huggyllama/llama-65b"),
    "maritalk": ("sabia-3",),
    "databricks": ("databricks-meta-llama-3-1-70b-instruct", "databricks-dbrx-instruct", "databricks-bge-large-en"),
    "azure_ai": ("Meta-Llama-3.1-70B-Instruct", "Mistral-large", "Cohere-command-r-plus"),
}

# litellm's list names -> which registry entries they hold.
_RULES: dict[str, Rule] = {
    "open_ai_chat_completion_models": _both(_lp("openai"), "chat", "responses"),
    "open_ai_text_completion_models": _lp("text-completion-openai"),
    "open_ai_embedding_models": _both(_lp("openai"), "embedding"),
    "open_ai_image_generation_models": _both(_lp("openai"), "image_generation"),
    "cohere_chat_models": _lp("cohere_chat"),
    "cohere_embedding_models": _both(_group("cohere"), "embedding"),
    "azure_text_models": _lp("azure_text"),
    "azure_embedding_models": _both(_group("azure"), "embedding"),
    "bedrock_converse_models": _lp("bedrock_converse"),
    "bedrock_embedding_models": _both(_group("bedrock"), "embedding"),
    "vertex_models": _group("vertex_ai"),
    "vertex_language_models": _lp("vertex_ai-language-models"),
    "vertex_text_models": _lp("vertex_ai-text-models"),
    "vertex_chat_models": _lp("vertex_ai-chat-models"),
    "vertex_anthropic_models": _lp("vertex_ai-anthropic_models"),
    "vertex_mistral_models": _lp("vertex_ai-mistral_models"),
    "vertex_llama3_models": _lp("vertex_ai-llama_models"),
    "vertex_ai_ai21_models": _lp("vertex_ai-ai21_models"),
    "vertex_deepseek_models": _lp("vertex_ai-deepseek_models"),
    "vertex_embedding_models": _lp("vertex_ai-embedding-models"),
    "text_completion_codestral_models": _lp("text-completion-codestral"),
}
for _name in _GROUPS:
    _RULES[f"{_name}_models"] = _group(_name)
del _name

# Aliases litellm users know under two names (the same list object).
_ALIASES = {
    "open_ai_completion_models": "open_ai_text_completion_models",
    "vertex_ai_models": "vertex_models",
}

# models_by_provider keys beyond the groups: litellm_provider values with lists of their own.
_SUBPROVIDERS = {
    "text-completion-openai": "open_ai_text_completion_models",
    "cohere_chat": "cohere_chat_models",
    "bedrock_converse": "bedrock_converse_models",
    "azure_text": "azure_text_models",
    "text-completion-codestral": "text_completion_codestral_models",
}

__all__ = ["models_by_provider", "model_list", *sorted(_RULES), *sorted(_ALIASES)]

models_by_provider: dict[str, list[str]] = {}
model_list: list[str] = []


_fill_lock = threading.Lock()


def _fill() -> None:
    with _fill_lock:
        _fill_locked()


def _fill_locked() -> None:
    cost = registry.model_cost
    names = globals()
    with registry._lock:
        items = list(cost.items())
    for list_name, rule in _RULES.items():
        values = [key for key, entry in items if rule(key, entry)]
        served = _SERVED.get(list_name[:-7]) if list_name.endswith("_models") else None
        if served:
            values += [name for name in served if name not in values]
        current = names.get(list_name)
        if isinstance(current, list):
            current[:] = values  # in place: earlier references stay current
        else:
            names[list_name] = values
    for alias, target in _ALIASES.items():
        names[alias] = names[target]
    model_list[:] = [key for key, _ in items]
    by_provider: dict[str, list[str]] = {}
    groups = list(_GROUPS) + sorted(
        {registry.provider_group(e.get("litellm_provider")) or "" for _, e in items} - set(_GROUPS) - {""}
    )
    for group in groups:
        by_provider[group] = names.get(f"{group}_models") or [
            key for key, entry in items if registry.provider_group(entry.get("litellm_provider")) == group
        ]
    for provider, list_name in _SUBPROVIDERS.items():
        by_provider[provider] = names[list_name]
    from ..providers.spec import provider_list

    for provider in provider_list:
        if provider not in by_provider:
            group = registry.provider_group(provider) or provider
            by_provider[provider] = by_provider.get(group, [])
    # exactly the providers a call can use: recognised names without a translator (none today)
    # and litellm's sub-provider keys keep only their named lists (``cohere_chat_models`` ...)
    usable = frozenset(provider_list)
    by_provider = {p: v for p, v in by_provider.items() if p in usable}
    for provider in [p for p in models_by_provider if p not in by_provider]:
        del models_by_provider[provider]
    for provider, values in by_provider.items():
        current = models_by_provider.get(provider)
        if current is not None and current is not values:
            current[:] = values
        else:
            models_by_provider[provider] = values


_fill()
registry._on_register(_fill)
