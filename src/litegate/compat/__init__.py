"""litellm names that litegate offers only for compatibility with code written for litellm.

Frameworks that import litellm (DSPy, langchain-litellm, smolagents, aider, ...) read these. They
are reachable as ``litegate.<name>`` and, in alias mode (:mod:`litegate.alias`), as
``litellm.<name>``:

* settings litellm has that change nothing here (``telemetry``, ``suppress_debug_info``, ...):
  they can be read and set;
* ``get_supported_openai_params`` / ``get_optional_params``, answered by litegate's translators;
* ``get_secret`` / ``get_secret_str`` / ``get_secret_bool`` (environment variables);
* exception classes litellm exports that litegate never raises itself (``AzureOpenAIError``,
  ``ImageFetchError``, ``RouterRateLimitError``), so ``except litellm.X`` clauses work.
"""

from __future__ import annotations

import os
from typing import Any

# ------------------------------------------------------------------------ settings accepted as no-ops
# name -> litellm's default. Reading gives the default until set; setting is kept and changes nothing.
NOOP_SETTINGS: dict[str, Any] = {
    "telemetry": True,
    "suppress_debug_info": False,
    "modify_params": False,
    "use_litellm_proxy": False,
    "model_fallbacks": None,
    "max_tokens": 256,
    "retry": True,
    "add_function_to_prompt": False,
    "client_session": None,
    "aclient_session": None,
    "disable_streaming_logging": False,
    "return_response_headers": False,
    "enable_json_schema_validation": False,
    "enable_caching_on_provider_specific_optional_params": False,
    "ssl_certificate": None,
    "disable_add_transform_inline_image_block": False,
    "safe_memory_mode": False,
    "use_client": False,
    "always_read_redis": True,
    "redact_messages_in_exceptions": False,
    "redact_user_api_key_info": False,
    "json_logs": False,
    "email": None,
    "token": None,
    "callback_settings": {},
    "service_callback": [],
    "_async_success_callback": [],
    "_async_failure_callback": [],
    "default_fallbacks": None,
    "force_ipv4": False,
    "allowed_fails": 3,
    "disable_aiohttp_transport": False,
    "disable_token_counter": False,
    "cache_responses": False,
    "openai_like_key": None,
    "headers": None,
}


_EXCEPTIONS = ("AzureOpenAIError", "ImageFetchError", "RouterRateLimitError")


def __getattr__(name: str) -> Any:
    if name in NOOP_SETTINGS:
        value = NOOP_SETTINGS[name]
        return value.copy() if isinstance(value, (dict, list)) else value
    if name in _EXCEPTIONS:  # loaded on first use: importing this module stays cheap
        from . import _exceptions

        return getattr(_exceptions, name)
    raise AttributeError(f"module 'litegate.compat' has no attribute {name!r}")


# ------------------------------------------------------------------------ parameters
def get_supported_openai_params(
    model: str, custom_llm_provider: str | None = None, request_type: str = "chat_completion"
) -> list[str] | None:
    """The OpenAI parameters litegate sends for ``model`` (litellm's function of that name).

    ``None`` when the provider is unknown or has no translator in this version, as litellm answers.
    """
    import litegate

    from ..core.resolve import split_model
    from ..providers import get_provider, is_implemented

    try:
        provider, provider_model = split_model(model, custom_llm_provider, litegate.model_alias_map)
    except Exception:  # unknown provider: litellm answers None
        return None
    if not is_implemented(provider):
        return None
    if request_type in ("embeddings", "embedding"):
        return ["dimensions", "encoding_format", "user"]
    if request_type not in ("chat_completion", "completion", "text_completion"):
        return None
    return list(get_provider(provider).supported_openai_params(provider_model))


def get_optional_params(
    model: str, custom_llm_provider: str | None = None, drop_params: bool | None = None, **params: Any
) -> dict[str, Any]:
    """The given OpenAI parameters as ``model``'s provider receives them (litellm's function).

    Unsupported ones are dropped with ``drop_params=True`` (else ``UnsupportedParamsError``);
    parameters given as None are left out, as are litellm-internal ones.
    """
    import litegate

    from ..core.params import OPENAI_CHAT_COMPLETION_PARAMS, is_litellm_internal
    from ..core.resolve import split_model
    from ..providers import get_provider

    provider, provider_model = split_model(model, custom_llm_provider, litegate.model_alias_map)
    known = set(OPENAI_CHAT_COMPLETION_PARAMS)
    given = {k: v for k, v in params.items() if v is not None and k in known and k != "extra_headers"}
    extra = {
        k: v
        for k, v in params.items()
        if v is not None and k not in known and not is_litellm_internal(k) and k != "additional_drop_params"
    }
    drop = litegate.drop_params if drop_params is None else drop_params
    mapped = dict(get_provider(provider).map_params(given, provider_model, drop))
    mapped.update(extra)
    return mapped


def validate_and_fix_thinking_param(thinking: Any) -> Any:
    """litellm's normaliser of an Anthropic ``thinking`` value: ``True`` -> enabled with the medium
    budget, ``False`` -> None, a ``budgetTokens`` key -> ``budget_tokens``; anything else unchanged."""
    if thinking is True:
        from ..providers.anthropic import REASONING_BUDGETS

        return {"type": "enabled", "budget_tokens": REASONING_BUDGETS["medium"]}
    if thinking is False:
        return None
    if not isinstance(thinking, dict):
        return thinking
    out = dict(thinking)
    camel = out.pop("budgetTokens", None)
    if camel is not None and "budget_tokens" not in out:
        out["budget_tokens"] = camel
    return out


# ------------------------------------------------------------------------ secrets
def get_secret(secret_name: str, default_value: Any = None) -> Any:
    """An environment variable (``os.environ/NAME`` accepted), or ``default_value``."""
    name = secret_name.removeprefix("os.environ/") if isinstance(secret_name, str) else secret_name
    value = os.environ.get(name)
    return default_value if value is None else value


def get_secret_str(secret_name: str, default_value: str | None = None) -> str | None:
    value = get_secret(secret_name, default_value)
    return value if value is None or isinstance(value, str) else str(value)


def get_secret_bool(secret_name: str, default_value: bool | None = None) -> bool | None:
    """``True``/``False`` from an environment variable (``"true"``/``"false"``, any case)."""
    value = get_secret(secret_name)
    if value is None:
        return default_value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    return default_value


__all__ = [
    "NOOP_SETTINGS",
    "get_supported_openai_params",
    "get_optional_params",
    "get_secret",
    "get_secret_str",
    "get_secret_bool",
    "validate_and_fix_thinking_param",
    "AzureOpenAIError",
    "ImageFetchError",
    "RouterRateLimitError",
]
