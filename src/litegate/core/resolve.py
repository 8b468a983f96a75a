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
from ..providers import openai_compatible as _compat
from .call import Controls, _fail


@dataclass(frozen=True, slots=True)
class CredentialSpec:
    """Where one provider's key and base URL come from."""

    key_settings: tuple[str, ...] = ()
    key_env: tuple[str, ...] = ()
    base_env: tuple[str, ...] = ()
    default_base: str | None = None
    key_required: bool = True


# Native providers and the two OpenAI first parties. The OpenAI-compatible family comes from
# providers/openai_compatible.py.
_NATIVE: dict[str, CredentialSpec] = {
    "openai": CredentialSpec(("openai_key",), ("OPENAI_API_KEY",), ("OPENAI_API_BASE", "OPENAI_BASE_URL"),
                             "https://api.openai.com/v1"),
    "text-completion-openai": CredentialSpec(("openai_key",), ("OPENAI_API_KEY",),
                                             ("OPENAI_API_BASE", "OPENAI_BASE_URL"), "https://api.openai.com/v1"),
    "azure": CredentialSpec(("azure_key",), ("AZURE_API_KEY", "AZURE_OPENAI_API_KEY"),
                            ("AZURE_API_BASE", "AZURE_OPENAI_ENDPOINT"), None),
    "anthropic": CredentialSpec(("anthropic_key",), ("ANTHROPIC_API_KEY",), ("ANTHROPIC_API_BASE",),
                                "https://api.anthropic.com"),
    "gemini": CredentialSpec(("gemini_key", "google_api_key"), ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
                             ("GEMINI_API_BASE",), "https://generativelanguage.googleapis.com"),
    "vertex_ai": CredentialSpec((), (), ("VERTEXAI_API_BASE",), None, key_required=False),
    "cohere": CredentialSpec(("cohere_key",), ("COHERE_API_KEY", "CO_API_KEY"), ("COHERE_API_BASE",),
                             "https://api.cohere.com"),
    "ollama": CredentialSpec((), ("OLLAMA_API_KEY",), ("OLLAMA_API_BASE",), "http://localhost:11434",
                             key_required=False),
    "ollama_chat": CredentialSpec((), ("OLLAMA_API_KEY",), ("OLLAMA_API_BASE",), "http://localhost:11434",
                                  key_required=False),
    "bedrock": CredentialSpec((), (), (), None, key_required=False),
    "huggingface": CredentialSpec(("huggingface_key",), ("HUGGINGFACE_API_KEY", "HF_TOKEN"),
                                  ("HUGGINGFACE_API_BASE",), None),
    "replicate": CredentialSpec(("replicate_key",), ("REPLICATE_API_KEY", "REPLICATE_API_TOKEN"), (),
                                "https://api.replicate.com/v1"),
    "ai21": CredentialSpec(("ai21_key",), ("AI21_API_KEY",), (), None),
    "nlp_cloud": CredentialSpec(("nlp_cloud_key",), ("NLP_CLOUD_API_KEY",), (), None),
    "aleph_alpha": CredentialSpec(("aleph_alpha_key",), ("ALEPH_ALPHA_API_KEY",), (), None),
    "baseten": CredentialSpec(("baseten_key",), ("BASETEN_API_KEY",), (), None),
    "petals": CredentialSpec(("petals_key",), ("PETALS_API_KEY",), (), None, key_required=False),
    "maritalk": CredentialSpec(("maritalk_key",), ("MARITALK_API_KEY",), (), None),
    "voyage": CredentialSpec(("voyage_key",), ("VOYAGE_API_KEY",), (), None),
    "sagemaker": CredentialSpec((), (), (), None, key_required=False),
}


_OPENAI_BARE = re.compile(
    r"^(gpt-|o\d|chatgpt-|text-embedding-|davinci|babbage|ft:|dall-e|gpt-image|whisper|tts-|"
    r"omni-moderation|text-moderation|computer-use|codex-)"
)


# providers whose URL the translator builds itself (from project / region settings)
_BASE_FROM_PROVIDER = frozenset({"vertex_ai", "bedrock", "sagemaker"})


def _all_providers() -> list[str]:
    names = dict.fromkeys(_NATIVE)
    names.update(dict.fromkeys(_compat.PROVIDERS))
    return list(names)


provider_list: list[str] = _all_providers()
openai_compatible_providers: list[str] = list(_compat.PROVIDERS)


def all_key_settings() -> frozenset[str]:
    """Every module-level key setting any provider reads (e.g. ``groq_key``)."""
    names = {n for spec in _NATIVE.values() for n in spec.key_settings}
    names.update(n for row in _compat.PROVIDERS.values() for n in row.key_settings)
    return frozenset(names)


def credential_spec(provider: str) -> CredentialSpec:
    spec = _NATIVE.get(provider)
    if spec is not None:
        return spec
    row = _compat.PROVIDERS.get(provider)
    if row is None:  # pragma: no cover - resolve() never hands out unknown names
        raise KeyError(provider)
    return CredentialSpec(row.key_settings, row.key_env, row.base_env, row.api_base, row.key_required)


def split_model(model: str, custom_llm_provider: str | None, alias_map: dict | None) -> tuple[str, str]:
    """Return (provider, provider_model) for a model string; raise a clear error if unknown."""
    if alias_map:
        model = alias_map.get(model, model)
    if custom_llm_provider:
        provider = custom_llm_provider
        if provider not in _NATIVE and provider not in _compat.PROVIDERS:
            raise _unknown_provider(provider, model)
        prefix = provider + "/"
        return provider, model[len(prefix):] if model.startswith(prefix) else model
    head, sep, rest = model.partition("/")
    if sep:
        if head in _NATIVE or head in _compat.PROVIDERS:
            return head, rest
        if head == "azure_ai" or head == "azure_openai":
            return "azure", rest
        if head == "cohere_chat":
            return "cohere", rest
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


def _env(names: tuple[str, ...]) -> str | None:
    environ = os.environ
    for name in names:
        value = environ.get(name)
        if value:
            return value
    return None


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
    headers: dict = field(default_factory=dict)


def resolve(model: str, ctl: Controls, cfg: Any) -> Target:
    """Resolve provider and credentials for one call. ``cfg`` is the settings source."""
    provider, provider_model = split_model(model, ctl.custom_llm_provider, getattr(cfg, "model_alias_map", None))
    spec = credential_spec(provider)
    api_key = ctl.api_key or _first(cfg, spec.key_settings) or getattr(cfg, "api_key", None) or _env(spec.key_env)
    api_base = ctl.api_base or getattr(cfg, "api_base", None) or _env(spec.base_env) or spec.default_base
    target = Target(provider, provider_model, api_base.rstrip("/") if api_base else None, api_key)
    if provider == "azure":
        target.api_version = (
            ctl.api_version or getattr(cfg, "api_version", None) or _env(("AZURE_API_VERSION", "OPENAI_API_VERSION"))
            or AZURE_DEFAULT_API_VERSION
        )
        target.azure_ad_token = ctl.azure_ad_token or getattr(cfg, "azure_ad_token", None) or (
            _env(("AZURE_AD_TOKEN",)) if (api_key is None or getattr(cfg, "use_azure_ad_token", False)) else None
        )
    elif provider in ("openai", "text-completion-openai"):
        target.organization = ctl.organization or getattr(cfg, "organization", None) or _env(("OPENAI_ORGANIZATION",))
    if target.api_base is None and provider not in _BASE_FROM_PROVIDER:
        raise _fail(
            f"No api_base for provider {provider!r}: pass api_base=... or set "
            f"{' / '.join(spec.base_env) or 'litegate.api_base'}",
            model,
        )
    if provider not in _compat.PROVIDERS and not _implemented(provider):
        raise _fail(
            f"Provider {provider!r} is recognised but its translator is not available in litegate "
            f"{_version()} yet; OpenAI, Azure, the native providers that are, and the OpenAI-compatible providers "
            f"({', '.join(openai_compatible_providers)}) are.",
            model,
        )
    if ctl.extra_headers:
        target.headers = dict(ctl.extra_headers)
    return target


def _implemented(provider: str) -> bool:
    from .. import providers

    return provider in providers._cache or providers.is_implemented(provider)


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
