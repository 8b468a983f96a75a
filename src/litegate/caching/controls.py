"""Per-call caching controls: ``caching=True/False`` and ``cache={...}``.

``cache`` takes the keys of the HTTP ``Cache-Control`` family that litellm accepts:
``no-cache`` (don't read), ``no-store`` (don't write), ``ttl`` (seconds this answer is kept),
``s-maxage`` / ``s-max-age`` (accept only entries younger than that), ``namespace`` (a key
prefix), ``use-cache`` (opt in when the cache's mode is ``default_off``), and, for the semantic
cache, ``similarity_threshold``. They are checked here, before any request; a bad value is an
``InputValidationError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_KNOWN = frozenset(
    {"no-cache", "no-store", "ttl", "s-maxage", "s-max-age", "namespace", "use-cache", "similarity_threshold"}
)


@dataclass(slots=True, frozen=True)
class CacheControls:
    use: bool | None = None  # caching=True/False (or cache={"use-cache": ...}); None: the cache's mode decides
    no_cache: bool = False
    no_store: bool = False
    ttl: float | None = None
    max_age: float | None = None
    namespace: str | None = None
    similarity_threshold: float | None = None


def _fail(message: str, model: str, type_error: bool = False) -> Exception:
    from ..core.call import input_error

    return input_error(message, model, type_error=type_error)


def _seconds(name: str, value: Any, model: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(
            f"cache[{name!r}] must be a number of seconds, got {type(value).__name__} {value!r:.40}",
            model,
            type_error=True,
        )
    if not value >= 0 or value == float("inf"):
        raise _fail(f"cache[{name!r}] must be a finite number of seconds >= 0, got {value!r}", model)
    return float(value)


def _flag(name: str, value: Any, model: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(f"cache[{name!r}] must be True or False, got {value!r:.40}", model, type_error=True)
    return value


def cache_controls(caching: Any, cache: Any, model: str) -> CacheControls:
    """The validated per-call controls from ``caching=`` and ``cache=``."""
    use: bool | None = None
    if caching is not None:
        if isinstance(caching, dict):  # the spec also shows caching={"ttl": 300}
            if cache is not None:
                raise _fail("give caching=True/False and cache={...}, not two dicts", model)
            cache, use = caching, True
        elif isinstance(caching, bool):
            use = caching
        else:
            raise _fail(
                f"caching must be True, False or a dict of cache controls, got {caching!r:.40}", model, type_error=True
            )
    if cache is None:
        return CacheControls(use=use)
    if not isinstance(cache, dict):
        raise _fail(
            f"cache must be a dict such as {{'no-cache': True}} or {{'ttl': 60}}, got {type(cache).__name__}",
            model,
            type_error=True,
        )
    unknown = [k for k in cache if k not in _KNOWN]
    if unknown:
        raise _fail(f"cache has unknown key(s) {unknown!r:.80}; known: {sorted(_KNOWN)}", model)
    get = cache.get
    if "use-cache" in cache and get("use-cache") is not None:
        use = _flag("use-cache", get("use-cache"), model) if use is None else use
    ttl = get("ttl")
    max_age = get("s-maxage", get("s-max-age"))
    namespace = get("namespace")
    if namespace is not None and (
        not isinstance(namespace, str) or not namespace or len(namespace) > 256 or not namespace.isprintable()
    ):
        raise _fail(
            "cache['namespace'] must be a printable string of 1 to 256 characters",
            model,
            type_error=not isinstance(namespace, str),
        )
    threshold = get("similarity_threshold")
    if threshold is not None:
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
            raise _fail(
                f"cache['similarity_threshold'] must be a number, got {threshold!r:.40}", model, type_error=True
            )
        if not 0.0 <= threshold <= 1.0:
            raise _fail(f"cache['similarity_threshold'] must be between 0 and 1, got {threshold!r}", model)
    return CacheControls(
        use=use,
        no_cache=_flag("no-cache", get("no-cache"), model) if get("no-cache") is not None else False,
        no_store=_flag("no-store", get("no-store"), model) if get("no-store") is not None else False,
        ttl=_seconds("ttl", ttl, model) if ttl is not None else None,
        max_age=_seconds("s-maxage", max_age, model) if max_age is not None else None,
        namespace=namespace,
        similarity_threshold=float(threshold) if threshold is not None else None,
    )


NO_CONTROLS = CacheControls()

__all__ = ["CacheControls", "NO_CONTROLS", "cache_controls"]
