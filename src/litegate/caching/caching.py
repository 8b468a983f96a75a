"""``litegate.Cache``: response caching for completion, text_completion and embedding calls.

::

    litegate.cache = litegate.Cache()                                   # in memory (LRU, bounded)
    litegate.cache = litegate.Cache(type="redis", host=..., port=..., password=...)
    litegate.cache = litegate.Cache(type="disk", disk_cache_dir="./cache")   # or directory=
    litegate.cache = litegate.Cache(type="s3", s3_bucket_name=..., s3_region_name=..., s3_endpoint_url=...)
    litegate.cache = litegate.Cache(type="redis-semantic", host=..., similarity_threshold=0.9,
                                    redis_semantic_cache_embedding_model="text-embedding-3-small")

The lifecycle (core/lifecycle.py) asks the cache before any attempt and stores a successful
answer after it (streams: when they complete, from the stream observer); :mod:`.stage` holds that
stage. A cache that fails - down, slow, or returning something that is not an entry - is a miss:
the call goes to the provider, a warning is logged (at most one per ``warning_interval`` seconds
per cache), and the cache is left alone for ``failure_cooldown`` seconds. Every cache operation is
bounded by ``cache_timeout`` seconds (1 s by default).
"""

from __future__ import annotations

import asyncio
import logging
import time
from enum import Enum
from typing import TYPE_CHECKING, Any, cast

from .base import BaseCache, bounded

if TYPE_CHECKING:
    import os
    from collections.abc import Awaitable, Callable, Iterable
    from typing import TypeVar

    from ..core.call import ChatCall, EmbeddingCall, TextCall
    from .controls import CacheControls
    from .redis_cache import DualCache
    from .stage import Answer

    _T = TypeVar("_T")

log = logging.getLogger("litegate")


class LiteLLMCacheType(str, Enum):
    LOCAL = "local"
    REDIS = "redis"
    REDIS_SEMANTIC = "redis-semantic"
    S3 = "s3"
    DISK = "disk"


class CacheMode(str, Enum):
    default_on = "default_on"  # every supported call is cached unless it says caching=False
    default_off = "default_off"  # only calls that say caching=True (or cache={"use-cache": True})


DEFAULT_CALL_TYPES = ("completion", "acompletion", "text_completion", "atext_completion", "embedding", "aembedding")


_NOT_REDIS = frozenset(
    {
        "disk_cache_dir",
        "max_size_in_memory",
        "max_bytes",
        "similarity_threshold",
        "default_in_memory_ttl",
        "default_in_redis_ttl",
        "embedding_kwargs",
        "max_scan",
        "max_entries",
        "embedding_timeout",
        "disk_max_items",
        "disk_max_bytes",
    }
)

#: every key a Redis-backed cache writes starts with this (then the namespace, if any): its flush
#: deletes these keys only, never the Router's state (``litegate:router:``) or the user's own keys
REDIS_KEY_PREFIX = "litegate:cache:"


def _value(x: Any) -> Any:
    return x.value if isinstance(x, Enum) else x


class Cache:
    """A response cache; assign it to ``litegate.cache`` (or pass ``cache=`` to a ``Client``).

    ``type``: ``"local"``, ``"redis"``, ``"redis-semantic"``, ``"disk"`` or ``"s3"``. ``ttl``: default
    seconds an answer is kept (None: until evicted). ``namespace``: a prefix for every key.
    ``supported_call_types``: which calls are cached. ``mode``: ``"default_on"`` or ``"default_off"``.
    Backend parameters:

    * local: ``max_size_in_memory`` (items, default 10,000), ``max_bytes`` (default 256 MiB).
    * redis / redis-semantic: ``host``, ``port``, ``password``, ``db``, ``username``, ``url``
      (``redis://`` or ``rediss://`` for TLS), ``ssl``, ``redis_startup_nodes`` (Redis Cluster),
      ``default_in_memory_ttl`` (the in-memory layer in front of Redis), ``default_in_redis_ttl``.
    * redis-semantic: ``similarity_threshold``, ``redis_semantic_cache_embedding_model``,
      ``embedding_kwargs`` (e.g. ``api_base``), ``max_scan`` (entries compared per lookup, 256),
      ``max_entries`` (kept per model and parameters, 1,000), ``embedding_timeout`` (5 s).
    * disk: ``disk_cache_dir`` or ``directory`` (one SQLite file), ``disk_max_items`` (entries kept,
      default 100,000), ``disk_max_bytes`` (keys and values kept, default 1 GiB).
    * s3: ``s3_bucket_name``, ``s3_region_name``, ``s3_endpoint_url``, ``s3_path`` (key prefix),
      ``s3_aws_access_key_id`` / ``s3_aws_secret_access_key`` / ``s3_aws_session_token`` (else
      the ``AWS_*`` environment variables).
    * any: ``cache_timeout`` (seconds per cache operation, default 1), ``failure_cooldown``
      (seconds a failed cache is skipped, default 5), ``clock`` (a ``time.time``-like function).
    """

    def __init__(
        self,
        type: str | LiteLLMCacheType | None = "local",  # noqa: A002 - litellm's parameter name
        mode: str | CacheMode | None = "default_on",
        host: str | None = None,
        port: int | str | None = None,
        password: str | None = None,
        namespace: str | None = None,
        ttl: float | None = None,
        default_in_memory_ttl: float | None = None,
        default_in_redis_ttl: float | None = None,
        similarity_threshold: float | None = None,
        supported_call_types: Iterable[str] | None = DEFAULT_CALL_TYPES,
        s3_bucket_name: str | None = None,
        s3_region_name: str | None = None,
        s3_api_version: str | None = None,
        s3_use_ssl: bool | None = True,
        s3_verify: bool | str | None = None,
        s3_endpoint_url: str | None = None,
        s3_aws_access_key_id: str | None = None,
        s3_aws_secret_access_key: str | None = None,
        s3_aws_session_token: str | None = None,
        s3_config: Any = None,
        s3_path: str | None = None,
        redis_semantic_cache_use_async: bool = False,
        redis_semantic_cache_embedding_model: str = "text-embedding-ada-002",
        redis_flush_size: int | None = None,
        redis_startup_nodes: list[dict[str, Any]] | None = None,
        disk_cache_dir: str | os.PathLike[str] | None = None,
        directory: str | os.PathLike[str] | None = None,
        max_size_in_memory: int | None = None,
        max_bytes: int | None = None,
        disk_max_items: int | None = None,
        disk_max_bytes: int | None = None,
        cache_timeout: float = 1.0,
        failure_cooldown: float = 5.0,
        warning_interval: float = 30.0,
        clock: Callable[[], float] | None = None,
        **kwargs: Any,
    ):
        kind = _value(type) or "local"
        if kind not in {t.value for t in LiteLLMCacheType}:
            raise ValueError(f"Cache type must be one of {[t.value for t in LiteLLMCacheType]}, got {kind!r}")
        mode = _value(mode) or "default_on"
        if mode not in ("default_on", "default_off"):
            raise ValueError(f"Cache mode must be 'default_on' or 'default_off', got {mode!r}")
        for name, value in (("ttl", ttl), ("cache_timeout", cache_timeout), ("failure_cooldown", failure_cooldown)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
                raise ValueError(f"Cache {name} must be a number of seconds >= 0, got {value!r}")
        if similarity_threshold is not None and not 0.0 <= float(similarity_threshold) <= 1.0:
            raise ValueError(f"similarity_threshold must be between 0 and 1, got {similarity_threshold!r}")
        self.type = kind
        self.mode = mode
        self.namespace = namespace
        self.ttl = ttl
        self.similarity_threshold = similarity_threshold
        self.supported_call_types = list(supported_call_types or ())
        self._types = frozenset(_value(t) for t in self.supported_call_types)
        self.cache_timeout = float(cache_timeout)
        self.failure_cooldown = float(failure_cooldown)
        self.warning_interval = float(warning_interval)
        self.clock: Callable[[], float] = clock or time.time
        self._down_until = 0.0  # monotonic time until which the backend is skipped after a failure
        self._next_warning = 0.0
        self.failures = 0  # cache operations that failed (for tests and monitoring)
        self.cache: BaseCache = self._backend(
            kind,
            dict(
                host=host,
                port=port,
                password=password,
                default_in_memory_ttl=default_in_memory_ttl,
                default_in_redis_ttl=default_in_redis_ttl,
                similarity_threshold=similarity_threshold,
                s3_bucket_name=s3_bucket_name,
                s3_region_name=s3_region_name,
                s3_api_version=s3_api_version,
                s3_use_ssl=s3_use_ssl,
                s3_verify=s3_verify,
                s3_endpoint_url=s3_endpoint_url,
                s3_aws_access_key_id=s3_aws_access_key_id,
                s3_aws_secret_access_key=s3_aws_secret_access_key,
                s3_aws_session_token=s3_aws_session_token,
                s3_config=s3_config,
                s3_path=s3_path,
                redis_semantic_cache_use_async=redis_semantic_cache_use_async,
                redis_semantic_cache_embedding_model=redis_semantic_cache_embedding_model,
                redis_flush_size=redis_flush_size,
                redis_startup_nodes=redis_startup_nodes,
                disk_cache_dir=disk_cache_dir if disk_cache_dir is not None else directory,
                max_size_in_memory=max_size_in_memory,
                max_bytes=max_bytes,
                disk_max_items=disk_max_items,
                disk_max_bytes=disk_max_bytes,
                **kwargs,
            ),
        )
        self._prefix = REDIS_KEY_PREFIX if kind in ("redis", "redis-semantic") else ""
        if getattr(self.cache, "report", False) is None:  # the dual cache: Redis fails alone
            cast("DualCache", self.cache).report = self._layer_failed
        self.semantic = bool(getattr(self.cache, "semantic", False))
        # the async bound: the backend's own socket timeouts bound sync calls; a semantic lookup
        # includes an embedding call and is allowed that call's timeout on top
        self._async_timeout = self.cache_timeout + float(getattr(self.cache, "extra_timeout", 0.0))

    def _backend(self, kind: str, kw: dict[str, Any]) -> BaseCache:
        common: dict[str, Any] = {"clock": self.clock, "timeout": self.cache_timeout}
        if kind == "local":
            from .local import InMemoryCache

            return InMemoryCache(kw.get("max_size_in_memory"), kw.get("max_bytes"), clock=self.clock)
        if kind == "disk":
            from .disk import DiskCache

            return DiskCache(
                kw.get("disk_cache_dir"),
                max_items=kw.get("disk_max_items"),
                max_bytes=kw.get("disk_max_bytes"),
                **common,
            )
        if kind == "s3":
            from .s3 import S3Cache

            return S3Cache(**{k: v for k, v in kw.items() if k.startswith("s3_")}, **common)
        redis_kw = {k: v for k, v in kw.items() if k not in _NOT_REDIS and not k.startswith(("s3_", "redis_semantic"))}
        from .redis_cache import DualCache, RedisCache

        remote = RedisCache(**redis_kw, default_ttl=kw.get("default_in_redis_ttl"), **common)
        if kind == "redis-semantic":
            from .semantic import RedisSemanticCache

            return RedisSemanticCache(
                remote,
                kw.get("redis_semantic_cache_embedding_model"),
                kw.get("similarity_threshold"),
                **{k: kw[k] for k in ("embedding_kwargs", "max_scan", "max_entries", "embedding_timeout") if k in kw},
            )
        from .local import InMemoryCache

        local = InMemoryCache(kw.get("max_size_in_memory"), kw.get("max_bytes"), clock=self.clock)
        return DualCache(
            local, remote, kw.get("default_in_memory_ttl"), cooldown=self.failure_cooldown, timeout=self.cache_timeout
        )

    def __repr__(self) -> str:
        return f"litegate.Cache(type={self.type!r}, mode={self.mode!r}, namespace={self.namespace!r})"

    # ------------------------------------------------------------------ failure is not an error
    def available(self) -> bool:
        return time.monotonic() >= self._down_until

    def failed(
        self, op: str, exc: BaseException, cooldown: bool = True, outcome: str = "the call goes to the provider"
    ) -> None:
        """A cache operation failed: log (rate-limited), skip the cache for a while (not for one
        corrupt entry: the backend itself answers); never raise."""
        from ..core.redact import redact

        self.failures += 1
        now = time.monotonic()
        if cooldown:
            self._down_until = now + self.failure_cooldown
        detail = redact(str(exc))[:300] if not isinstance(exc, (asyncio.TimeoutError, TimeoutError)) else ""
        if now >= self._next_warning:
            self._next_warning = now + self.warning_interval
            log.warning(
                "litegate: the %s cache failed on %s (%s%s); %s%s",
                self.type,
                op,
                type(exc).__name__,
                ": " + detail if detail else "",
                outcome,
                f", the cache is skipped for {self.failure_cooldown}s" if cooldown else "",
            )
        else:
            log.debug("litegate: the %s cache failed on %s (%s)", self.type, op, type(exc).__name__)

    def _layer_failed(self, op: str, exc: BaseException) -> None:
        """Redis behind the memory layer failed: the memory layer goes on alone for the cooldown."""
        self.failed(op, exc, cooldown=False, outcome=f"the memory layer alone answers for {self.failure_cooldown}s")

    def run(self, op: str, fn: Callable[..., _T], *args: Any) -> _T | None:
        if not self.available():
            return None
        try:
            return fn(*args)
        except Exception as exc:  # noqa: BLE001 - a cache failure is a miss, never the call's error
            self.failed(op, exc)
            return None

    async def arun(self, op: str, fn: Callable[..., Awaitable[_T]], *args: Any) -> _T | None:
        if not self.available():
            return None
        try:
            return await bounded(self._async_timeout, fn, *args)
        except Exception as exc:  # noqa: BLE001 - includes the timeout; cancellation passes through
            self.failed(op, exc)
            return None

    def key(self, key: str, namespace: str | None = None) -> str:
        ns = namespace or self.namespace
        return f"{self._prefix}{ns}:{key}" if ns else self._prefix + key

    def applies(self, call_type: str, controls: CacheControls | None) -> bool:
        """Whether this call uses the cache at all (mode, ``caching=``, supported call types)."""
        if call_type not in self._types:
            return False
        use = controls.use if controls is not None else None
        if use is None:
            return self.mode == "default_on"
        return use

    # ------------------------------------------------------------------ litellm's direct methods
    def get_cache_key(self, **kwargs: Any) -> str:
        """The key litegate uses for a call given as its keyword arguments (without namespace; for
        an embedding call, the key of its first input item: embeddings are cached per item)."""
        from . import stage

        call, endpoint = stage.bind_kwargs(kwargs)
        if endpoint.kind == "embedding":
            from .keys import item_keys

            items = stage.embedding_items(cast("EmbeddingCall", call).input)
            return item_keys(call, _settings(), items)[0]
        from .keys import call_key

        return call_key(endpoint.kind, cast("ChatCall | TextCall", call), _settings())

    def get_cache(self, **kwargs: Any) -> Answer | None:
        """The cached answer for a call given as keyword arguments, or None."""
        from . import stage

        return stage.direct_get(self, kwargs)

    async def async_get_cache(self, **kwargs: Any) -> Answer | None:
        from . import stage

        return await stage.adirect_get(self, kwargs)

    def add_cache(self, result: Answer, **kwargs: Any) -> None:
        """Store ``result`` as the answer of the call given as keyword arguments."""
        from . import stage

        stage.direct_add(self, result, kwargs)

    async def async_add_cache(self, result: Answer, **kwargs: Any) -> None:
        from . import stage

        await stage.adirect_add(self, result, kwargs)

    def flush(self) -> int:
        """Delete this cache's entries (those of its ``namespace`` when it has one) and nothing
        else in a shared store: Redis keys under its prefix, rows of the disk cache's table,
        S3 objects under ``s3_path`` that are cache entries. Returns how many were deleted."""
        ns = f"{self.namespace}:" if self.namespace else ""
        return self.cache.flush(self._prefix + ns)

    def close(self) -> None:
        self.cache.close()

    async def aclose(self) -> None:
        await self.cache.aclose()


def _settings() -> object:
    import litegate

    return litegate


def enable_cache(
    type: str | LiteLLMCacheType | None = "local",
    host: str | None = None,
    port: int | str | None = None,  # noqa: A002
    password: str | None = None,
    supported_call_types: Iterable[str] | None = DEFAULT_CALL_TYPES,
    **kwargs: Any,
) -> None:
    """Turn caching on for the module-level functions (``litegate.cache = Cache(...)``), unless a cache is set."""
    import litegate

    if litegate.cache is None:
        litegate.cache = Cache(
            type=type, host=host, port=port, password=password, supported_call_types=supported_call_types, **kwargs
        )


def update_cache(
    type: str | LiteLLMCacheType | None = "local",
    host: str | None = None,
    port: int | str | None = None,  # noqa: A002
    password: str | None = None,
    supported_call_types: Iterable[str] | None = DEFAULT_CALL_TYPES,
    **kwargs: Any,
) -> None:
    """Replace the module-level cache with a new one."""
    import litegate

    litegate.cache = Cache(
        type=type, host=host, port=port, password=password, supported_call_types=supported_call_types, **kwargs
    )


def disable_cache() -> None:
    """Turn caching off for the module-level functions."""
    import litegate

    litegate.cache = None


__all__ = ["Cache", "CacheMode", "LiteLLMCacheType", "disable_cache", "enable_cache", "update_cache"]
