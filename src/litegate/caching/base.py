"""The backend interface: bytes in, bytes out, keyed by string, with an optional TTL.

Every backend answers ``get`` / ``set`` / ``delete`` / ``get_many`` / ``set_many`` and their
async twins. The async twins of a backend without async I/O of its own run the sync method in a
worker thread (disk) or directly (memory). Backends raise on failure; the :class:`~.caching.Cache`
turns any failure into a miss with a warning (never an error for the call).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from typing import TypeVar

    _T = TypeVar("_T")

_timeout = getattr(asyncio, "timeout", None)


async def bounded(seconds: float, fn: Callable[..., Awaitable[_T]], *args: Any) -> _T:
    """``await fn(*args)`` under a deadline (Python 3.11+: on this task, without a task of its own)."""
    if _timeout is not None:
        async with _timeout(seconds):
            return await fn(*args)
    return await asyncio.wait_for(fn(*args), seconds)


class BaseCache:
    """A key -> bytes store. ``ttl`` is seconds (None: no expiry)."""

    #: async methods run the sync ones in a thread (False: directly, for memory-speed backends)
    async_in_thread = True

    def __init__(self, clock: Callable[[], float] | None = None):
        self.clock: Callable[[], float] = clock or time.time

    # -- sync
    def get(self, key: str) -> bytes | None:
        raise NotImplementedError

    def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        raise NotImplementedError

    def delete(self, key: str) -> None:
        raise NotImplementedError

    def get_many(self, keys: list[str]) -> list[bytes | None]:
        return [self.get(k) for k in keys]

    def set_many(self, items: Iterable[tuple[str, bytes]], ttl: float | None = None) -> None:
        for key, value in items:
            self.set(key, value, ttl)

    def flush(self, prefix: str = "") -> int:
        """Delete this cache's entries whose key starts with ``prefix``, and nothing else that
        shares the store; returns how many."""
        raise NotImplementedError

    def close(self) -> None:
        pass

    # -- async
    async def _run(self, fn: Callable[..., _T], *args: Any) -> _T:
        if self.async_in_thread:
            return await asyncio.to_thread(fn, *args)
        return fn(*args)

    async def aget(self, key: str) -> bytes | None:
        return await self._run(self.get, key)

    async def aset(self, key: str, value: bytes, ttl: float | None = None) -> None:
        await self._run(self.set, key, value, ttl)

    async def adelete(self, key: str) -> None:
        await self._run(self.delete, key)

    async def aget_many(self, keys: list[str]) -> list[bytes | None]:
        return await self._run(self.get_many, keys)

    async def aset_many(self, items: list[tuple[str, bytes]], ttl: float | None = None) -> None:
        await self._run(self.set_many, items, ttl)

    async def aclose(self) -> None:
        self.close()


__all__ = ["BaseCache", "bounded"]
