"""Provider translators, looked up by provider name and created on first use.

Native dialects live in one module each and are listed in ``NATIVE``; the OpenAI dialect serves
OpenAI, Azure and every row of ``openai_compatible.PROVIDERS``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# provider name -> (module in this package, class name)
NATIVE: dict[str, tuple[str, str]] = {
    "openai": ("openai", "OpenAI"),
    "text-completion-openai": ("openai", "OpenAI"),
    "azure": ("openai", "Azure"),
    "anthropic": ("anthropic", "Anthropic"),
    "ollama": ("ollama", "Ollama"),
    "ollama_chat": ("ollama", "OllamaChat"),
    "gemini": ("gemini", "Gemini"),
    "vertex_ai": ("vertex", "VertexAI"),
    "cohere": ("cohere", "Cohere"),
}

_cache: dict[str, Any] = {}


def get_provider(name: str) -> Any:
    provider = _cache.get(name)
    if provider is None:
        provider = _cache[name] = _create(name)
    return provider


def is_implemented(name: str) -> bool:
    """True when a translator for ``name`` can be loaded in this installation."""
    if name in _cache:
        return True
    try:
        get_provider(name)
    except (KeyError, ImportError, AttributeError):
        return False
    return True


def _create(name: str) -> Any:
    spec = NATIVE.get(name)
    if spec is not None:
        module = import_module(f".{spec[0]}", __name__)
        return getattr(module, spec[1])()
    from . import openai as oa
    from .openai_compatible import PROVIDERS

    row = PROVIDERS.get(name)
    if row is not None:
        return oa.Compatible(row)
    raise KeyError(name)
