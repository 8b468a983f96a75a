"""Model information and capability checks over the model registry (spec section 10).

``get_model_info``, ``get_max_tokens``, the ``supports_*`` functions and ``get_valid_models``,
with litellm's names, signatures and results. Everything reads ``litegate.cost.registry``; nothing
here touches the network.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from . import registry

__all__ = [
    "get_model_info",
    "get_max_tokens",
    "get_valid_models",
    "is_prompt_caching_valid_prompt",
    "supports_assistant_prefill",
    "supports_function_calling",
    "supports_parallel_function_calling",
    "supports_tool_choice",
    "supports_system_messages",
    "supports_vision",
    "supports_embedding_image_input",
    "supports_prompt_caching",
    "supports_response_schema",
    "supports_native_streaming",
    "supports_web_search",
    "supports_url_context",
    "supports_audio_input",
    "supports_audio_output",
    "supports_pdf_input",
    "supports_reasoning",
    "supports_computer_use",
]

log = logging.getLogger("litegate")

# The keys of litellm's ModelInfo, each present in every get_model_info result (None when the
# registry states nothing). Entries may carry more keys (priority or batch prices, ...): those are
# returned too.
_MODEL_INFO_KEYS = (
    "key",
    "max_tokens",
    "max_input_tokens",
    "max_output_tokens",
    "input_cost_per_token",
    "output_cost_per_token",
    "cache_creation_input_token_cost",
    "cache_creation_input_token_cost_above_1hr",
    "cache_read_input_token_cost",
    "input_cost_per_character",
    "output_cost_per_character",
    "input_cost_per_token_above_128k_tokens",
    "output_cost_per_token_above_128k_tokens",
    "input_cost_per_token_above_200k_tokens",
    "output_cost_per_token_above_200k_tokens",
    "output_cost_per_character_above_128k_tokens",
    "input_cost_per_query",
    "input_cost_per_second",
    "output_cost_per_second",
    "input_cost_per_audio_token",
    "output_cost_per_audio_token",
    "input_cost_per_token_batches",
    "output_cost_per_token_batches",
    "input_cost_per_token_flex",
    "output_cost_per_token_flex",
    "input_cost_per_token_priority",
    "output_cost_per_token_priority",
    "cache_read_input_token_cost_flex",
    "cache_read_input_token_cost_priority",
    "output_cost_per_reasoning_token",
    "input_cost_per_image",
    "output_cost_per_image",
    "output_cost_per_video_per_second",
    "output_vector_size",
    "citation_cost_per_token",
    "search_context_cost_per_query",
    "tpm",
    "rpm",
    "litellm_provider",
    "mode",
    "supports_system_messages",
    "supports_response_schema",
    "supports_vision",
    "supports_function_calling",
    "supports_parallel_function_calling",
    "supports_tool_choice",
    "supports_assistant_prefill",
    "supports_prompt_caching",
    "supports_audio_input",
    "supports_audio_output",
    "supports_pdf_input",
    "supports_embedding_image_input",
    "supports_native_streaming",
    "supports_web_search",
    "supports_url_context",
    "supports_reasoning",
    "supports_computer_use",
    "supported_openai_params",
)

# Providers whose every model accepts response_format with a JSON schema (as in litellm).
_SCHEMA_EVERYWHERE = frozenset({"fireworks_ai", "lm_studio", "predibase"})


def _not_mapped(model: Any, custom_llm_provider: str | None) -> Exception:
    from ..exceptions import NotFoundException

    return NotFoundException(
        message=(
            f"This model isn't mapped yet. model={model}, custom_llm_provider={custom_llm_provider}. "
            "Add it with litegate.register_model({...}) (litellm's JSON format works; see docs/MODELS.md)."
        ),
        model=model if isinstance(model, str) else None,
        llm_provider=custom_llm_provider,
    )


def _supported_openai_params(entry: dict[str, Any]) -> list[str] | None:
    """The OpenAI chat parameters litegate passes to this model's provider, where it knows them."""
    if entry.get("mode") not in ("chat", "completion", "responses"):
        return None
    group = registry.provider_group(entry.get("litellm_provider"))
    from ..core.params import OPENAI_CHAT_COMPLETION_PARAMS

    if group in ("openai", "azure"):
        return list(OPENAI_CHAT_COMPLETION_PARAMS)
    from ..providers import openai_compatible

    row = openai_compatible.PROVIDERS.get(group or "")
    if row is None:
        return None
    return [p for p in OPENAI_CHAT_COMPLETION_PARAMS if p not in row.unsupported_params]


def get_model_info(model: str, custom_llm_provider: str | None = None) -> dict[str, Any]:
    """Everything the registry knows about a model, as litellm's ``ModelInfo`` dict.

    Keys: ``key`` (the registry name matched), ``max_tokens``, ``max_input_tokens``,
    ``max_output_tokens``, ``input_cost_per_token`` and ``output_cost_per_token`` (0.0 where the
    model is not billed per token), the other prices, ``litellm_provider``, ``mode``, the
    ``supports_*`` flags (None where the registry states nothing) and ``supported_openai_params``.
    Raises ``litegate.exceptions.NotFoundException`` (an ``Exception``, as litellm raises) for a
    model the registry does not know.
    """
    key = registry.find_model(model, custom_llm_provider)
    if key is None:
        raise _not_mapped(model, custom_llm_provider)
    entry = registry.model_cost[key]
    info: dict[str, Any] = dict.fromkeys(_MODEL_INFO_KEYS)
    info.update(entry)
    info["key"] = key
    for price in ("input_cost_per_token", "output_cost_per_token"):
        if info[price] is None:
            info[price] = 0.0  # litellm's ModelInfo requires a number here
    if info["litellm_provider"] is None:
        info["litellm_provider"] = custom_llm_provider
    if info["supported_openai_params"] is None:
        info["supported_openai_params"] = _supported_openai_params(entry)
    for name in ("search_context_cost_per_query", "tiered_pricing"):
        if isinstance(info.get(name), (dict, list)):
            info[name] = _copy(info[name])  # the caller may modify the result freely
    return info


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def get_max_tokens(model: str) -> int | None:
    """The model's total context window (spec section 10: ``Optional[int]``).

    ``max_input_tokens`` from the registry (the legacy ``max_tokens`` when that is all it states);
    None for a model the registry does not know or that states no limit.
    """
    try:
        entry = registry.get_model_entry(model)
    except Exception:  # noqa: BLE001 - a malformed name is an unknown model
        return None
    if entry is None:
        return None
    value = entry.get("max_input_tokens")
    if value is None:
        value = entry.get("max_tokens")
    return value


# --------------------------------------------------------------------------------------------
# supports_*
# --------------------------------------------------------------------------------------------


def _flag(model: str, custom_llm_provider: str | None, name: str) -> bool:
    try:
        entry = registry.get_model_entry(model, custom_llm_provider)
    except Exception as exc:  # a malformed argument is "not supported", as in litellm
        log.debug("%s(%r): %s", name, model, exc)
        return False
    if entry is None:
        log.debug(
            "%s: model %r (custom_llm_provider=%r) is not in the registry; returning False",
            name,
            model,
            custom_llm_provider,
        )
        return False
    return entry.get(name) is True


def supports_assistant_prefill(model: str, custom_llm_provider: str | None = None) -> bool:
    """Whether the model continues a trailing assistant message (prefill)."""
    return _flag(model, custom_llm_provider, "supports_assistant_prefill")


def supports_function_calling(model: str, custom_llm_provider: str | None = None) -> bool:
    """True if the model accepts ``tools`` / ``functions``; False if not or unknown."""
    return _flag(model, custom_llm_provider, "supports_function_calling")


def supports_parallel_function_calling(model: str, custom_llm_provider: str | None = None) -> bool:
    """True if the model can return several tool calls in one response."""
    return _flag(model, custom_llm_provider, "supports_parallel_function_calling")


def supports_tool_choice(model: str, custom_llm_provider: str | None = None) -> bool:
    """True if the model accepts ``tool_choice``."""
    return _flag(model, custom_llm_provider, "supports_tool_choice")


def supports_system_messages(model: str, custom_llm_provider: str | None = None) -> bool:
    """True if the registry states the model accepts ``system`` messages."""
    return _flag(model, custom_llm_provider, "supports_system_messages")


def supports_vision(model: str, custom_llm_provider: str | None = None) -> bool:
    """True if the model accepts image input."""
    return _flag(model, custom_llm_provider, "supports_vision")


def supports_embedding_image_input(model: str, custom_llm_provider: str | None = None) -> bool:
    """True if the embedding model accepts images."""
    return _flag(model, custom_llm_provider, "supports_embedding_image_input")


def supports_prompt_caching(model: str, custom_llm_provider: str | None = None) -> bool:
    """True if the provider caches prompts for this model (cached-input prices apply)."""
    return _flag(model, custom_llm_provider, "supports_prompt_caching")


def supports_response_schema(model: str, custom_llm_provider: str | None = None) -> bool:
    """True if the model accepts ``response_format`` with a JSON schema.

    As in litellm, every model of Fireworks AI, LM Studio and Predibase counts as supporting it.
    """
    provider = custom_llm_provider
    if provider is None and isinstance(model, str) and "/" in model:
        provider = model.partition("/")[0]
    if provider in _SCHEMA_EVERYWHERE:
        return True
    return _flag(model, custom_llm_provider, "supports_response_schema")


def supports_native_streaming(model: str, custom_llm_provider: str | None = None) -> bool:
    """True if the provider streams this model natively (the default for a known model)."""
    try:
        entry = registry.get_model_entry(model, custom_llm_provider)
    except Exception:
        return False
    if entry is None:
        return False
    value = entry.get("supports_native_streaming")
    return True if value is None else value is True


def supports_web_search(model: str, custom_llm_provider: str | None = None) -> bool:
    """True if the model can search the web (``web_search_options``)."""
    return _flag(model, custom_llm_provider, "supports_web_search")


def supports_url_context(model: str, custom_llm_provider: str | None = None) -> bool:
    """True if the model can read URLs given in the prompt (Gemini's URL context tool)."""
    return _flag(model, custom_llm_provider, "supports_url_context")


def supports_audio_input(model: str, custom_llm_provider: str | None = None) -> bool:
    """True if the model accepts audio input."""
    return _flag(model, custom_llm_provider, "supports_audio_input")


def supports_audio_output(model: str, custom_llm_provider: str | None = None) -> bool:
    """True if the model can answer with audio."""
    return _flag(model, custom_llm_provider, "supports_audio_output")


def supports_pdf_input(model: str, custom_llm_provider: str | None = None) -> bool:
    """True if the model accepts PDF documents."""
    return _flag(model, custom_llm_provider, "supports_pdf_input")


def supports_reasoning(model: str, custom_llm_provider: str | None = None) -> bool:
    """True if the model reasons before answering (``reasoning_effort`` / thinking)."""
    return _flag(model, custom_llm_provider, "supports_reasoning")


def supports_computer_use(model: str, custom_llm_provider: str | None = None) -> bool:
    """True if the model supports the computer-use tool."""
    return _flag(model, custom_llm_provider, "supports_computer_use")


# --------------------------------------------------------------------------------------------
# is_prompt_caching_valid_prompt
# --------------------------------------------------------------------------------------------

MINIMUM_PROMPT_CACHE_TOKEN_COUNT = 1024  # OpenAI's and Anthropic's smallest cacheable prompt


def is_prompt_caching_valid_prompt(
    model: str, messages: list[Any] | None, tools: list[Any] | None = None, custom_llm_provider: str | None = None
) -> bool:
    """True if messages plus tools are long enough for the provider to cache the prompt.

    The threshold is the model's ``prompt_cache_min_tokens`` where the registry states one (some
    models need 2048 or 4096 tokens), else 1024 tokens as in litellm. Never raises: False on error.
    """
    try:
        if messages is None and tools is None:
            return False
        from ..tokens import token_counter

        count = token_counter(model=model or "", messages=messages, tools=tools, use_default_image_token_count=True)
        threshold = MINIMUM_PROMPT_CACHE_TOKEN_COUNT
        entry = registry.get_model_entry(model, custom_llm_provider) if model else None
        if entry is not None and isinstance(entry.get("prompt_cache_min_tokens"), int):
            threshold = entry["prompt_cache_min_tokens"]
        return count >= threshold
    except Exception as exc:
        log.debug("is_prompt_caching_valid_prompt(%r): %s", model, exc)
        return False


# --------------------------------------------------------------------------------------------
# get_valid_models
# --------------------------------------------------------------------------------------------


def _credential_variables(provider: str) -> tuple[str, ...]:
    names: list[str] = []
    from ..providers.spec import get_spec

    spec = get_spec(provider)
    if spec is not None:  # otherwise only litellm's naming convention below
        names.extend(spec.key_env)
        names.extend(spec.credential_hints)
    names.append(f"{provider.replace('_', '').replace('-', '').upper()}_API_KEY")
    return tuple(dict.fromkeys(names))


def _has_credentials(provider: str) -> bool:
    return any(os.environ.get(name) for name in _credential_variables(provider))


def _listed_models(provider: str, litellm_params: Any) -> list[str] | None:
    """The model ids ``provider`` lists at its endpoint, or None when it has no listing or it failed."""
    from ..providers import get_provider, is_implemented

    if not is_implemented(provider) or not get_provider(provider).offers("models"):
        return None
    import litegate

    from ..client import default_client
    from ..core import lifecycle
    from ..core.endpoints import ENDPOINTS, bind

    endpoint = ENDPOINTS["list_provider_models"]
    params = litellm_params if isinstance(litellm_params, dict) else {}
    kw = {k: v for k, v in params.items() if k in ("api_key", "api_base", "api_version", "timeout", "num_retries")}
    client = default_client()
    try:
        answer = lifecycle.execute(
            bind(endpoint, (provider,), kw), litegate, client.transport, endpoint, endpoint.call_type
        )
    except Exception as exc:  # noqa: BLE001 - never raises: the registry answers instead
        log.warning(
            "get_valid_models: listing %s's models failed (%s); answering from the registry",
            provider,
            type(exc).__name__,
        )
        return None
    ids = answer.ids()
    return ids if provider == "openai" else [f"{provider}/{i}" for i in ids]


def get_valid_models(
    check_provider_endpoint: bool | None = False, custom_llm_provider: str | None = None, litellm_params: Any = None
) -> list[str]:
    """Models of the providers whose credentials are set in the environment.

    With ``custom_llm_provider``, that provider's models whatever the environment holds. The
    answer comes from the model registry; with ``check_provider_endpoint=True`` a provider that
    lists its models (``GET /models``: OpenAI and the compatible rows that document it) is asked
    instead, through the call path (credentials, transport, retries as for any call;
    ``litellm_params`` may carry ``api_key`` / ``api_base``). A provider whose listing fails is
    answered from the registry and the failure logged. Never raises: on error it returns [].
    """
    try:
        from .lists import models_by_provider

        if custom_llm_provider:
            providers = [custom_llm_provider]
        else:
            providers = [p for p in models_by_provider if _has_credentials(p)]
        models: list[str] = []
        for provider in providers:
            listed = _listed_models(provider, litellm_params) if check_provider_endpoint else None
            if listed is not None:
                models.extend(listed)
                continue
            models.extend(
                models_by_provider.get(provider) or models_by_provider.get(registry.provider_group(provider) or "", [])
            )
        return list(dict.fromkeys(models))
    except Exception as exc:  # pragma: no cover - defensive, as litellm's
        log.debug("get_valid_models failed: %s", exc)
        return []
