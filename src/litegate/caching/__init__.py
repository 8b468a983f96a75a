"""Response caching: ``litegate.Cache`` and its backends (local, disk, Redis, Redis semantic, S3).

``from litegate.caching import Cache`` and ``from litegate.caching.caching import Cache`` both work,
as in litellm. Backends load on first use; their optional packages (``redis``) only when chosen.
"""

from __future__ import annotations

from .caching import Cache, CacheMode, LiteLLMCacheType, disable_cache, enable_cache, update_cache

_BACKENDS = {
    "BaseCache": ".base",
    "InMemoryCache": ".local",
    "DiskCache": ".disk",
    "RedisCache": ".redis_cache",
    "DualCache": ".redis_cache",
    "RedisSemanticCache": ".semantic",
    "S3Cache": ".s3",
}


def __getattr__(name: str) -> object:
    module = _BACKENDS.get(name)
    if module is None:
        raise AttributeError(f"module 'litegate.caching' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(module, __name__), name)


__all__ = ["Cache", "CacheMode", "LiteLLMCacheType", "disable_cache", "enable_cache", "update_cache", *_BACKENDS]
