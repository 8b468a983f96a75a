"""Provider translators, looked up by provider name and created on first use from the registry.

``spec.SPECS`` names each provider's dialect (``"module:Class"``); the instance gets the spec's
declared endpoints. The OpenAI dialect serves OpenAI, Azure and every OpenAI-compatible row.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from .spec import SPECS, get_spec

if TYPE_CHECKING:
    from .base import Dialect

_cache: dict[str, Dialect] = {}


def get_provider(name: str) -> Dialect:
    """The translator for provider ``name`` (created on first use; ``KeyError`` for an unknown name)."""
    provider = _cache.get(name)
    if provider is None:
        provider = _cache[name] = _create(name)
    return provider


def is_implemented(name: str) -> bool:
    """True when a translator for ``name`` can be loaded in this installation."""
    if name in _cache:
        return True
    spec = get_spec(name)
    if spec is None or spec.dialect is None:
        return False
    try:
        get_provider(name)
    except (KeyError, ImportError, AttributeError):
        return False
    return True


def _create(name: str) -> Dialect:
    spec = SPECS.get(name)
    if spec is None or spec.dialect is None:
        raise KeyError(name)
    module_name, _, cls_name = spec.dialect.partition(":")
    cls = getattr(import_module(f".{module_name}", __name__), cls_name)
    if cls_name == "Compatible":
        from .openai_compatible import PROVIDERS

        provider: Dialect = cls(PROVIDERS[name])
    else:
        provider = cls()
    provider.endpoints = spec.endpoints
    return provider


__all__ = ["SPECS", "get_provider", "get_spec", "is_implemented"]
