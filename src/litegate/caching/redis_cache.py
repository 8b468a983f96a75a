"""``type="redis"``: Redis (or Redis Cluster) with an in-memory layer in front (the dual cache).

:class:`RedisCache` holds a sync client and, per event loop, an async one (``redis`` package,
optional: ``pip install litegate[redis]``). Connection settings: ``url`` (``redis://``, or
``rediss://`` for TLS), else ``host`` / ``port`` / ``password`` / ``username`` / ``db`` / ``ssl``,
else the ``REDIS_URL`` or ``REDIS_HOST`` / ``REDIS_PORT`` / ``REDIS_PASSWORD`` environment
variables; ``redis_startup_nodes=[{"host": ..., "port": ...}]`` selects Redis Cluster. Every
command is bounded by the cache timeout (socket connect and read timeouts); TTLs are Redis
expiries (``SET ... PX``).

:class:`DualCache` reads memory first, then Redis; writes go to both. An entry read from Redis is
kept in memory for its remaining Redis lifetime (asked with the value, one round trip) or, when
``default_in_memory_ttl`` is set, for that long (then an entry may outlive its Redis copy in
this process by up to that much); ``default_in_memory_ttl=0`` turns the memory layer off.
"""

from __future__ import annotations

import asyncio
import os
import time
import weakref
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from .base import BaseCache, bounded
from .local import InMemoryCache

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from typing import TypeVar

    from .resp import AsyncRespClient, Command, RespClient

    _T = TypeVar("_T")


def _redis() -> Any:
    try:
        import redis
    except ImportError:
        raise ImportError("Cache(type='redis') needs the redis package: pip install 'litegate[redis]'") from None
    return redis


def redis_client(is_async: bool, target: dict[str, Any], options: dict[str, Any]) -> Any:
    """A ``redis`` package client, sync or asyncio, for ``target`` (``{"url": ...}``,
    ``{"nodes": [(host, port), ...]}`` for Redis Cluster, or ``{"host", "port", "db"}``). Each
    command is tried once unless ``options`` gives a ``retry``: the caller's timeout bounds the
    operation and its fallback (a cache miss, the Router's local state) takes over at once.
    The cache and the Router's shared state both connect through here."""
    from redis.backoff import NoBackoff

    module: Any
    retry: object
    if is_async:
        import redis.asyncio as module
        from redis.asyncio.retry import Retry as AsyncRetry

        retry = AsyncRetry(NoBackoff(), 0)
    else:
        module = _redis()
        from redis.retry import Retry

        retry = Retry(NoBackoff(), 0)
    options = dict(options)
    options.setdefault("retry", retry)
    if "nodes" in target:
        nodes = [module.cluster.ClusterNode(h, p) for h, p in target["nodes"]]
        return module.cluster.RedisCluster(startup_nodes=nodes, **options)
    if "url" in target:
        return module.Redis.from_url(target["url"], **options)
    return module.Redis(host=target["host"], port=target["port"], db=target["db"], **options)


def _px(ttl: float | None) -> int | None:
    if ttl is None:
        return None
    return max(1, int(ttl * 1000))


class RedisCache(BaseCache):
    async_in_thread = False

    def __init__(
        self,
        host: str | None = None,
        port: int | str | None = None,
        password: str | None = None,
        db: int | str | None = None,
        url: str | None = None,
        username: str | None = None,
        ssl: bool | None = None,
        redis_startup_nodes: list[dict[str, Any]] | None = None,
        default_ttl: float | None = None,
        timeout: float = 1.0,
        clock: Callable[[], float] | None = None,
        redis_flush_size: int | None = None,
        max_connections: int | None = None,
        **kwargs: Any,
    ):
        super().__init__(clock)
        _redis()  # fail at configuration, not on the first call
        env = os.environ
        if url is None and host is None and not redis_startup_nodes:
            url = env.get("REDIS_URL") or env.get("REDIS_SSL_URL")
            if url is None:
                host = env.get("REDIS_HOST", "localhost")
                port = port or env.get("REDIS_PORT")
                password = password or env.get("REDIS_PASSWORD")
                username = username or env.get("REDIS_USERNAME")
        self.default_ttl = default_ttl
        self.timeout = float(timeout)
        self.cluster = bool(redis_startup_nodes)
        self._options: dict[str, Any] = {
            "socket_timeout": self.timeout,
            "socket_connect_timeout": self.timeout,
            **kwargs,
        }
        if max_connections is not None:
            self._options["max_connections"] = int(max_connections)
        if url is not None:
            self._target: dict[str, Any] = {"url": url}
            if password is not None:
                self._options["password"] = password
        elif self.cluster:
            self._target = {"nodes": [(n["host"], int(n["port"])) for n in redis_startup_nodes or ()]}
            for name, value in (("password", password), ("username", username), ("ssl", ssl)):
                if value is not None:
                    self._options[name] = value
        else:
            self._target = {"host": host or "localhost", "port": int(port or 6379), "db": int(db or 0)}
            for name, value in (("password", password), ("username", username), ("ssl", ssl)):
                if value is not None:
                    self._options[name] = value
        self._client: Any = None
        self._aclients: Any = weakref.WeakKeyDictionary()  # event loop -> its async client
        self.fast = self._fast_client(kwargs, ssl)  # the cache's own small client, when it can serve
        if self.fast is not None:
            from .resp import AsyncRespClient

            self.afast: AsyncRespClient | None = AsyncRespClient(self.fast)
        else:
            self.afast = None

    _FAST_OPTIONS = frozenset(
        {"socket_timeout", "socket_connect_timeout", "password", "username", "ssl", "ssl_ca_certs", "max_connections"}
    )

    def _fast_client(self, kwargs: dict[str, Any], ssl: bool | None) -> RespClient | None:
        from .resp import RespClient, _context

        if self.cluster or not set(self._options) <= self._FAST_OPTIONS:
            return None
        ca = kwargs.get("ssl_ca_certs")
        target = self._target
        if "url" in target:
            return RespClient.from_url(target["url"], self.timeout, self._options.get("password"), ca)
        return RespClient(
            target["host"],
            target["port"],
            target["db"],
            self._options.get("username"),
            self._options.get("password"),
            bool(ssl),
            _context(ca) if ssl else None,
            self.timeout,
        )

    def __repr__(self) -> str:  # never the password
        where = (
            "cluster"
            if self.cluster
            else "url"
            if "url" in self._target
            else f"{self._target['host']}:{self._target['port']}"
        )
        return f"RedisCache({where})"

    # ------------------------------------------------------------------ clients
    @property
    def client(self) -> Any:
        client = self._client
        if client is None:
            client = self._client = redis_client(False, self._target, self._options)
        return client

    def aclient(self) -> Any:
        """The async client of the running event loop (an asyncio client belongs to one loop)."""
        loop = asyncio.get_running_loop()
        client = self._aclients.get(loop)
        if client is None:
            client = self._aclients[loop] = redis_client(True, self._target, self._options)
        return client

    # ------------------------------------------------------------------ sync
    def get(self, key: str) -> bytes | None:
        if self.fast is not None:
            return cast("bytes | None", self.fast.command("GET", key))
        return cast("bytes | None", self.client.get(key))

    def get_with_ttl(self, key: str) -> tuple[bytes | None, float | None]:
        """The value and its remaining lifetime in seconds (None: no expiry)."""
        if self.fast is not None:
            value, pttl = self.fast.pipeline([("GET", key), ("PTTL", key)])
        else:
            pipe = self.client.pipeline(transaction=False)
            pipe.get(key)
            pipe.pttl(key)
            value, pttl = pipe.execute()
        return value, (pttl / 1000.0 if pttl is not None and pttl >= 0 else None)

    @staticmethod
    def _set_command(key: str, value: bytes, px: int | None) -> Command:
        return ("SET", key, value) if px is None else ("SET", key, value, "PX", px)

    def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        if ttl is None:
            ttl = self.default_ttl
        if self.fast is not None:
            self.fast.command(*self._set_command(key, value, _px(ttl)))
            return
        self.client.set(key, value, px=_px(ttl))

    def get_many(self, keys: list[str]) -> list[bytes | None]:
        if self.fast is not None:
            return cast("list[bytes | None]", self.fast.command("MGET", *keys))
        if self.cluster:
            return cast("list[bytes | None]", self.client.mget_nonatomic(keys))
        return cast("list[bytes | None]", self.client.mget(keys))

    def set_many(self, items: Iterable[tuple[str, bytes]], ttl: float | None = None) -> None:
        if ttl is None:
            ttl = self.default_ttl
        px = _px(ttl)
        if self.fast is not None:
            commands = [self._set_command(k, v, px) for k, v in items]
            if commands:
                self.fast.pipeline(commands)
            return
        pipe = self.client.pipeline(transaction=False)
        for key, value in items:
            pipe.set(key, value, px=px)
        pipe.execute()

    def delete(self, key: str) -> None:
        if self.fast is not None:
            self.fast.command("DEL", key)
            return
        self.client.delete(key)

    #: keys looked at per SCAN round, deleted per UNLINK, and the most a flush deletes in all
    FLUSH_BATCH = 500
    FLUSH_MAX_KEYS = 10_000_000

    def flush(self, prefix: str = "") -> int:
        """Delete the keys that start with ``prefix`` (SCAN + UNLINK in bounded batches), never the
        rest of the database: Redis may hold the Router's state and the user's own keys. Returns
        how many were deleted. An empty prefix is refused (it would be the whole database)."""
        if not prefix:
            raise ValueError("RedisCache.flush needs a key prefix: it never empties the whole database")
        pattern = "".join("\\" + ch if ch in "*?[]\\" else ch for ch in prefix) + "*"
        client = self.client
        options = {"target_nodes": client.ALL_NODES} if self.cluster else {}
        batch: list[bytes] = []
        deleted = 0
        for seen, key in enumerate(client.scan_iter(match=pattern, count=self.FLUSH_BATCH, **options)):
            if seen >= self.FLUSH_MAX_KEYS:
                break
            batch.append(key)
            if len(batch) >= self.FLUSH_BATCH:
                deleted += client.unlink(*batch)
                batch = []
        if batch:
            deleted += client.unlink(*batch)
        return deleted

    def close(self) -> None:
        if self.fast is not None:
            self.fast.close()
        if self._client is not None:
            self._client.close()
            self._client = None

    # ------------------------------------------------------------------ async
    async def aget(self, key: str) -> bytes | None:
        if self.afast is not None:
            return cast("bytes | None", await self.afast.command("GET", key))
        return cast("bytes | None", await self.aclient().get(key))

    async def aget_with_ttl(self, key: str) -> tuple[bytes | None, float | None]:
        if self.afast is not None:
            value, pttl = await self.afast.pipeline([("GET", key), ("PTTL", key)])
        else:
            pipe = self.aclient().pipeline(transaction=False)
            pipe.get(key)
            pipe.pttl(key)
            value, pttl = await pipe.execute()
        return value, (pttl / 1000.0 if pttl is not None and pttl >= 0 else None)

    async def aset(self, key: str, value: bytes, ttl: float | None = None) -> None:
        if ttl is None:
            ttl = self.default_ttl
        if self.afast is not None:
            await self.afast.command(*self._set_command(key, value, _px(ttl)))
            return
        await self.aclient().set(key, value, px=_px(ttl))

    async def aget_many(self, keys: list[str]) -> list[bytes | None]:
        if self.afast is not None:
            return cast("list[bytes | None]", await self.afast.command("MGET", *keys))
        client = self.aclient()
        if self.cluster:
            return cast("list[bytes | None]", await client.mget_nonatomic(keys))
        return cast("list[bytes | None]", await client.mget(keys))

    async def aset_many(self, items: Iterable[tuple[str, bytes]], ttl: float | None = None) -> None:
        if ttl is None:
            ttl = self.default_ttl
        px = _px(ttl)
        if self.afast is not None:
            commands = [self._set_command(k, v, px) for k, v in items]
            if commands:
                await self.afast.pipeline(commands)
            return
        pipe = self.aclient().pipeline(transaction=False)
        for key, value in items:
            pipe.set(key, value, px=px)
        await pipe.execute()

    async def adelete(self, key: str) -> None:
        if self.afast is not None:
            await self.afast.command("DEL", key)
            return
        await self.aclient().delete(key)

    async def aclose(self) -> None:
        if self.afast is not None:
            self.afast.close()
        try:
            client = self._aclients.pop(asyncio.get_running_loop(), None)
        except RuntimeError:
            client = None
        if client is not None:
            await client.aclose()
        self.close()


class DualCache(BaseCache):
    """An in-memory layer in front of Redis: reads hit memory first, writes go to both.

    Redis failing does not stop the memory layer: a failed Redis operation is reported (``report``,
    set by the :class:`~.caching.Cache`: one rate-limited warning) and Redis alone is skipped for
    ``cooldown`` seconds, while memory keeps answering and storing. Async Redis operations are
    bounded by ``timeout`` here, so a hung Redis costs a memory miss at most that long."""

    async_in_thread = False

    def __init__(
        self,
        local: InMemoryCache,
        remote: RedisCache,
        default_in_memory_ttl: float | None = None,
        cooldown: float = 5.0,
        timeout: float | None = None,
    ):
        super().__init__(local.clock)
        self.local = local
        self.remote = remote
        self.in_memory_ttl = default_in_memory_ttl
        self.cooldown = float(cooldown)
        self.timeout = float(timeout if timeout is not None else remote.timeout)
        # the Cache's own deadline on an operation must leave this one room to fire first
        self.extra_timeout = max(0.1, self.timeout / 4)
        self.report: Callable[[str, BaseException], None] | None = None  # report(op, exc): the Cache's warning
        self._remote_down_until = 0.0

    # ------------------------------------------------------------------ Redis, guarded
    def remote_up(self) -> bool:
        return time.monotonic() >= self._remote_down_until

    def _remote_failed(self, op: str, exc: BaseException) -> None:
        self._remote_down_until = time.monotonic() + self.cooldown
        if self.report is not None:
            self.report(op, exc)

    def _sync(self, op: str, fn: Callable[..., _T], *args: Any, default: _T | None = None) -> _T | None:
        if not self.remote_up():
            return default
        try:
            return fn(*args)
        except Exception as exc:  # noqa: BLE001 - Redis down: memory answers alone for a while
            self._remote_failed(op, exc)
            return default

    async def _async(
        self, op: str, fn: Callable[..., Awaitable[_T]], *args: Any, default: _T | None = None
    ) -> _T | None:
        if not self.remote_up():
            return default
        try:
            return await bounded(self.timeout, fn, *args)
        except Exception as exc:  # noqa: BLE001 - includes the timeout; cancellation passes through
            self._remote_failed(op, exc)
            return default

    # ------------------------------------------------------------------ reads
    def _local_ttl(self, ttl: float | None) -> float | None:
        if self.in_memory_ttl is None:
            return ttl
        return self.in_memory_ttl if ttl is None else min(ttl, self.in_memory_ttl)

    def _keep_local(self, key: str, value: bytes, ttl: float | None) -> None:
        ttl = self._local_ttl(ttl)
        if ttl is None or ttl > 0:
            self.local.set(key, value, ttl)

    def _fetched(self, key: str, got: Any) -> bytes | None:
        """Keep what Redis returned in memory: for ``default_in_memory_ttl``, else its Redis lifetime.
        ``got``: the value (with ``default_in_memory_ttl``), else ``(value, seconds left)``."""
        value: bytes | None
        if self.in_memory_ttl is not None:
            value = got
            if value is not None and self.in_memory_ttl > 0:
                self.local.set(key, value, self.in_memory_ttl)
            return value
        value, left = got
        if value is not None:
            self.local.set(key, value, left)
        return value

    def get(self, key: str) -> bytes | None:
        value = self.local.get(key)
        if value is not None:
            return value
        if self.in_memory_ttl is not None:  # the memory layer's own bound: no need for Redis's
            return self._fetched(key, self._sync("Redis read", self.remote.get, key))
        return self._fetched(key, self._sync("Redis read", self.remote.get_with_ttl, key, default=(None, None)))

    async def aget(self, key: str) -> bytes | None:
        value = self.local.get(key)
        if value is not None:
            return value
        if self.in_memory_ttl is not None:
            return self._fetched(key, await self._async("Redis read", self.remote.aget, key))
        return self._fetched(key, await self._async("Redis read", self.remote.aget_with_ttl, key, default=(None, None)))

    def _split(self, keys: list[str]) -> tuple[list[bytes | None], list[int]]:
        found = [self.local.get(k) for k in keys]
        return found, [i for i, v in enumerate(found) if v is None]

    @staticmethod
    def _merge(found: list[bytes | None], missing: list[int], fetched: list[bytes | None] | None) -> list[bytes | None]:
        # fetched values are not put in memory: their remaining lifetime is unknown here
        for i, value in zip(missing, fetched or (), strict=False):  # nothing fetched: Redis failed
            found[i] = value
        return found

    def get_many(self, keys: list[str]) -> list[bytes | None]:
        found, missing = self._split(keys)
        if missing:
            self._merge(found, missing, self._sync("Redis read", self.remote.get_many, [keys[i] for i in missing]))
        return found

    async def aget_many(self, keys: list[str]) -> list[bytes | None]:
        found, missing = self._split(keys)
        if missing:
            self._merge(
                found, missing, await self._async("Redis read", self.remote.aget_many, [keys[i] for i in missing])
            )
        return found

    # ------------------------------------------------------------------ writes
    def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        ttl = self.remote.default_ttl if ttl is None else ttl
        self._keep_local(key, value, ttl)
        self._sync("Redis write", self.remote.set, key, value, ttl)

    async def aset(self, key: str, value: bytes, ttl: float | None = None) -> None:
        ttl = self.remote.default_ttl if ttl is None else ttl
        self._keep_local(key, value, ttl)
        await self._async("Redis write", self.remote.aset, key, value, ttl)

    def set_many(self, items: Iterable[tuple[str, bytes]], ttl: float | None = None) -> None:
        items = list(items)
        ttl = self.remote.default_ttl if ttl is None else ttl
        for key, value in items:
            self._keep_local(key, value, ttl)
        self._sync("Redis write", self.remote.set_many, items, ttl)

    async def aset_many(self, items: Iterable[tuple[str, bytes]], ttl: float | None = None) -> None:
        items = list(items)
        ttl = self.remote.default_ttl if ttl is None else ttl
        for key, value in items:
            self._keep_local(key, value, ttl)
        await self._async("Redis write", self.remote.aset_many, items, ttl)

    def delete(self, key: str) -> None:
        self.local.delete(key)
        self.remote.delete(key)

    async def adelete(self, key: str) -> None:
        self.local.delete(key)
        await self.remote.adelete(key)

    def flush(self, prefix: str = "") -> int:
        self.local.flush(prefix)
        return self.remote.flush(prefix)  # the memory layer holds copies: Redis's count is the cache's

    def close(self) -> None:
        self.remote.close()

    async def aclose(self) -> None:
        await self.remote.aclose()


__all__ = ["DualCache", "RedisCache"]
