"""``type="local"``: an in-memory LRU, bounded by item count and by bytes, with per-entry TTL.

Thread-safe (one lock; every operation is O(1)). Expired entries are dropped when read and when
the bounds push the least recently used ones out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

from .base import BaseCache

DEFAULT_MAX_ITEMS = 10_000
DEFAULT_MAX_BYTES = 256 * 1024 * 1024


class InMemoryCache(BaseCache):
    async_in_thread = False
    in_memory = True  # no I/O: safe to call from an event loop

    def __init__(
        self,
        max_size_in_memory: int | None = None,
        max_bytes: int | None = None,
        default_ttl: float | None = None,
        clock: Callable[[], float] | None = None,
        **_: Any,
    ):
        super().__init__(clock)
        self.max_items = int(max_size_in_memory or DEFAULT_MAX_ITEMS)
        self.max_bytes = int(max_bytes or DEFAULT_MAX_BYTES)
        if self.max_items < 1 or self.max_bytes < 1:
            raise ValueError("the local cache needs max_size_in_memory >= 1 and max_bytes >= 1")
        self.default_ttl = default_ttl
        self._data: OrderedDict[str, tuple[bytes, float | None]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._data)

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def get(self, key: str) -> bytes | None:
        with self._lock:
            entry = self._data.get(key)
            if entry is None:
                return None
            value, expires = entry
            if expires is not None and self.clock() >= expires:
                del self._data[key]
                self._bytes -= len(value) + len(key)
                return None
            self._data.move_to_end(key)
            return value

    def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        if ttl is None:
            ttl = self.default_ttl
        size = len(value) + len(key)
        if size > self.max_bytes:
            return  # larger than the whole cache: not kept
        expires = self.clock() + ttl if ttl is not None else None
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._bytes -= len(old[0]) + len(key)
            self._data[key] = (value, expires)
            self._bytes += size
            data = self._data
            while len(data) > self.max_items or self._bytes > self.max_bytes:
                k, (v, _) = data.popitem(last=False)
                self._bytes -= len(v) + len(k)

    def expires_at(self, key: str) -> float | None:
        entry = self._data.get(key)
        return entry[1] if entry is not None else None

    def delete(self, key: str) -> None:
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._bytes -= len(old[0]) + len(key)

    def flush(self, prefix: str = "") -> int:
        """Drop the entries whose key starts with ``prefix`` (all of them with ``""``)."""
        with self._lock:
            if not prefix:
                n = len(self._data)
                self._data.clear()
                self._bytes = 0
                return n
            gone = [k for k in self._data if k.startswith(prefix)]
            for k in gone:
                value, _ = self._data.pop(k)
                self._bytes -= len(value) + len(k)
            return len(gone)


__all__ = ["InMemoryCache"]
