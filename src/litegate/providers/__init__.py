"""Provider translators, looked up by provider name and created on first use."""

from __future__ import annotations

from typing import Any

_cache: dict[str, Any] = {}


def get_provider(name: str) -> Any:
    provider = _cache.get(name)
    if provider is None:
        provider = _cache[name] = _create(name)
    return provider


def _create(name: str) -> Any:
    from . import openai as oa
    from .openai_compatible import PROVIDERS

    if name in ("openai", "text-completion-openai"):
        return oa.OpenAI()
    if name == "azure":
        return oa.Azure()
    row = PROVIDERS.get(name)
    if row is not None:
        return oa.Compatible(row)
    raise KeyError(name)
