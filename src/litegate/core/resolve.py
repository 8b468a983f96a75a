"""Resolution: model string -> provider + provider model -> credentials -> api_base.

Credential priority (spec section 3): per-call argument, then code configuration (the
provider's own setting such as ``openai_key``, then the generic ``api_key``), then environment
variables. The first non-empty value wins, separately for the key, the base URL and the version.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

from ..constants import AZURE_DEFAULT_API_VERSION
from ..providers.spec import ALIASES, SPECS, ProviderSpec, all_key_settings, openai_compatible_providers, provider_list
from .call import Controls, _fail

__all__ = [
    "Target",
    "resolve",
    "split_model",
    "credential_spec",
    "get_llm_provider",
    "provider_list",
    "openai_compatible_providers",
    "all_key_settings",
]

_OPENAI_BARE = re.compile(
    r"^(gpt-|o\d|chatgpt-|text-embedding-|davinci|babbage|ft:|dall-e|gpt-image|whisper|tts-|"
    r"omni-moderation|text-moderation|computer-use|codex-)"
)


_SPECS = dict(SPECS)  # a plain dict for the hot path (SPECS is a read-only view)


def credential_spec(provider: str) -> ProviderSpec:
    """The registry row of ``provider`` (key settings and variables, base URL, ...)."""
    return SPECS[provider]


def split_model(model: str, custom_llm_provider: str | None, alias_map: dict[str, str] | None) -> tuple[str, str]:
    """Return (provider, provider_model) for a model string; raise a clear error if unknown."""
    if alias_map:
        model = alias_map.get(model, model)
    if custom_llm_provider:
        provider = custom_llm_provider
        if provider not in _SPECS:
            raise _unknown_provider(provider, model)
        prefix = provider + "/"
        return provider, model[len(prefix) :] if model.startswith(prefix) else model
    head, sep, rest = model.partition("/")
    if sep:
        if head in _SPECS:
            return head, rest
        if head in ALIASES:
            return ALIASES[head], rest
    if _OPENAI_BARE.match(model):
        return "openai", model
    if model.startswith("claude-"):
        return "anthropic", model
    if model.startswith(("command", "embed-english", "embed-multilingual", "embed-v", "rerank-")):
        return "cohere", model
    if model.startswith("gemini-"):
        return "vertex_ai", model
    if sep:
        raise _unknown_provider(head, model)
    raise _fail(
        f"LLM provider not given and not recognised from model={model!r}. Prefix the model with its "
        f"provider, e.g. 'openai/{model}' or 'groq/{model}', or pass custom_llm_provider=... "
        f"(known providers: {', '.join(provider_list[:12])}, ...; see litegate.provider_list)",
        model,
    )


def _unknown_provider(name: str, model: str) -> Exception:
    import difflib

    close = difflib.get_close_matches(name, provider_list, n=3, cutoff=0.5)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    return _fail(
        f"Unknown provider {name!r} in model={model!r}.{hint} See litegate.provider_list for all providers.",
        model,
    )


def _first(cfg: Any, names: tuple[str, ...]) -> Any:
    for name in names:
        value = getattr(cfg, name, None)
        if value:
            return value
    return None


# os.environ.get goes through Mapping.get, key encoding and a caught KeyError on every miss (about
# a microsecond each, several per call on the hot path). On POSIX, os.environ keeps its contents
# in a plain dict of bytes (``_data``, updated by every os.environ assignment and deletion), which
# is read directly here; anywhere else the public mapping is used.
_ENV_DATA = getattr(os.environ, "_data", None) if os.name == "posix" else None
_ENV_KEYS: dict[str, bytes] = {}


def env_value(names: tuple[str, ...]) -> str | None:
    """The first non-empty environment variable of ``names``."""
    data = _ENV_DATA
    if data is None or not isinstance(data, dict):
        environ = os.environ
        for name in names:
            value = environ.get(name)
            if value:
                return value
        return None
    for name in names:
        key = _ENV_KEYS.get(name)
        if key is None:
            key = _ENV_KEYS[name] = os.fsencode(name)
        raw = data.get(key)
        if raw:
            return os.fsdecode(raw)
    return None


_env = env_value


@dataclass(slots=True)
class Target:
    """Everything a provider needs to address one request."""

    provider: str
    model: str
    api_base: str | None
    api_key: str | None
    api_version: str | None = None
    organization: str | None = None
    azure_ad_token: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    token_flow: bool = False  # an auth flow adds the credential on every attempt (core/auth.py)
    meta: dict[str, Any] | None = None  # provider-private facts its prepare() resolved (Bedrock: region, route)


def resolve(model: str, ctl: Controls, cfg: Any) -> Target:
    """Resolve provider and credentials for one call. ``cfg`` is the settings source."""
    provider, provider_model = split_model(model, ctl.custom_llm_provider, getattr(cfg, "model_alias_map", None))
    spec = _SPECS[provider]
    api_key = ctl.api_key
    if not api_key:  # from a setting or the environment: the same rules as a per-call key
        api_key = _first(cfg, spec.key_settings) or getattr(cfg, "api_key", None) or _env(spec.key_env)
        if api_key is not None and (
            type(api_key) is not str or not api_key.isprintable() or api_key[:1].isspace() or api_key[-1:].isspace()
        ):
            from .call import check_api_key

            api_key = check_api_key("the API key from settings or the environment", api_key, model)
    api_base = ctl.api_base or getattr(cfg, "api_base", None) or _env(spec.base_env) or spec.default_base
    target = Target(provider, provider_model, api_base.rstrip("/") if api_base else None, api_key)
    if spec.api_version_env:
        target.api_version = (
            ctl.api_version
            or getattr(cfg, "api_version", None)
            or _env(spec.api_version_env)
            or spec.api_version_default
            or AZURE_DEFAULT_API_VERSION
        )
        target.azure_ad_token = (
            ctl.azure_ad_token
            or getattr(cfg, "azure_ad_token", None)
            or (_env(("AZURE_AD_TOKEN",)) if (api_key is None or getattr(cfg, "use_azure_ad_token", False)) else None)
        )
    elif spec.organization:
        target.organization = ctl.organization or getattr(cfg, "organization", None) or _env(("OPENAI_ORGANIZATION",))
    if target.api_base is None and not spec.base_from_provider:
        raise _fail(
            f"No api_base for provider {provider!r}: pass api_base=... or set "
            f"{' / '.join(spec.base_env) or 'litegate.api_base'}",
            model,
        )
    if spec.dialect is None:
        raise _fail(
            f"Provider {provider!r} is recognised but its translator is not available in litegate "
            f"{_version()} yet; OpenAI, Azure, the native providers that are, and the OpenAI-compatible providers "
            f"({', '.join(openai_compatible_providers)}) are.",
            model,
        )
    if ctl.extra_headers:
        target.headers = dict(ctl.extra_headers)
    return target


def _version() -> str:
    from .._version import __version__

    return __version__


def get_llm_provider(
    model: str,
    custom_llm_provider: str | None = None,
    api_base: str | None = None,
    api_key: str | None = None,
) -> tuple[str, str, str | None, str | None]:
    """litellm-compatible: return (model, provider, api_key, api_base) for a model string."""
    import litegate

    provider, provider_model = split_model(model, custom_llm_provider, litegate.model_alias_map)
    spec = credential_spec(provider)
    key = api_key or _first(litegate, spec.key_settings) or litegate.api_key or _env(spec.key_env)
    base = api_base or litegate.api_base or _env(spec.base_env) or spec.default_base
    return provider_model, provider, key, base
