"""``type="disk"``: a persistent cache in one SQLite file, safe with several processes at once.

The directory is ``disk_cache_dir`` (litellm's name) or ``directory`` (the spec's), default
``./.litegate_cache``. SQLite in WAL mode gives atomic writes and concurrent readers across
processes; a writer waits for another at most the cache timeout (``busy_timeout``). Async reads
run on the event loop (a WAL reader does not wait for writers); async writes in a worker thread. Each thread
of each process has its own connection (a connection is never shared across a fork). The file
holds at most ``max_items`` entries (default 100,000) and ``max_bytes`` of keys and values (default
1 GiB): past either, the oldest writes go first; expired entries are never returned; both are
enforced every 256 writes (and by ``prune()``). ``flush()`` deletes rows of its own table only.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

from .base import BaseCache

DEFAULT_DIRECTORY = ".litegate_cache"
FILENAME = "litegate-cache.sqlite3"
DEFAULT_MAX_ITEMS = 100_000
DEFAULT_MAX_BYTES = 1024**3
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB NOT NULL, expires REAL, stored REAL NOT NULL)"
)


class DiskCache(BaseCache):
    def __init__(
        self,
        directory: str | os.PathLike[str] | None = None,
        timeout: float = 1.0,
        clock: Callable[[], float] | None = None,
        max_items: int | None = None,
        max_bytes: int | None = None,
        **_: Any,
    ):
        super().__init__(clock)
        self.directory = os.fspath(directory) if directory is not None else DEFAULT_DIRECTORY
        os.makedirs(self.directory, exist_ok=True)
        self.path = os.path.join(self.directory, FILENAME)
        self.timeout = float(timeout)
        self.max_items = int(max_items if max_items is not None else DEFAULT_MAX_ITEMS)
        self.max_bytes = int(max_bytes if max_bytes is not None else DEFAULT_MAX_BYTES)
        if self.max_items < 1 or self.max_bytes < 1:
            raise ValueError("the disk cache needs max_items >= 1 and max_bytes >= 1")
        self._local = threading.local()
        self._writes = 0
        self._conn()  # create the file and table now: a bad directory fails at configuration

    def __repr__(self) -> str:
        return f"DiskCache({self.directory!r})"

    def _conn(self) -> sqlite3.Connection:
        local = self._local
        conn: sqlite3.Connection | None = getattr(local, "conn", None)
        if conn is not None and local.pid == os.getpid():
            return conn
        conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None, check_same_thread=True)
        conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
        try:
            conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError:  # another process is switching it right now: it will be WAL
            pass
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute(_SCHEMA)
        conn.execute("CREATE INDEX IF NOT EXISTS entries_stored ON entries (stored)")
        local.conn, local.pid = conn, os.getpid()
        return conn

    def get(self, key: str) -> bytes | None:
        row = self._conn().execute("SELECT value, expires FROM entries WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        value, expires = row
        if expires is not None and self.clock() >= expires:
            return None  # left for prune(): a read never writes
        return bytes(value)

    def get_many(self, keys: list[str]) -> list[bytes | None]:
        return [self.get(k) for k in keys]

    # Reads run on the event loop itself: in WAL mode a reader never waits for a writer, and a
    # lookup is one indexed SELECT; writes (which may wait for another writer) go to a thread.
    async def aget(self, key: str) -> bytes | None:
        return self.get(key)

    async def aget_many(self, keys: list[str]) -> list[bytes | None]:
        return self.get_many(keys)

    def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        self.set_many([(key, value)], ttl)

    def set_many(self, items: Iterable[tuple[str, bytes]], ttl: float | None = None) -> None:
        now = self.clock()
        expires = now + ttl if ttl is not None else None
        rows = [(k, sqlite3.Binary(v), expires, now) for k, v in items]
        conn = self._conn()
        with _transaction(conn):
            conn.executemany("INSERT OR REPLACE INTO entries (key, value, expires, stored) VALUES (?, ?, ?, ?)", rows)
        self._writes += len(rows)
        if self._writes >= 256:
            self._writes = 0
            self.prune()

    def prune(self) -> None:
        """Remove expired entries, then the oldest writes beyond ``max_items``."""
        conn = self._conn()
        with _transaction(conn):
            conn.execute("DELETE FROM entries WHERE expires IS NOT NULL AND expires <= ?", (self.clock(),))
            (count,) = conn.execute("SELECT COUNT(*) FROM entries").fetchone()
            if count > self.max_items:
                conn.execute(
                    "DELETE FROM entries WHERE key IN (SELECT key FROM entries ORDER BY stored LIMIT ?)",
                    (count - self.max_items,),
                )
            (size,) = conn.execute("SELECT COALESCE(SUM(length(key) + length(value)), 0) FROM entries").fetchone()
            if size > self.max_bytes:  # the newest writes that fit stay; the older ones go
                conn.execute(
                    "DELETE FROM entries WHERE key IN (SELECT key FROM (SELECT key, SUM(length(key) + length(value)) "
                    "OVER (ORDER BY stored DESC, key) AS running FROM entries) WHERE running > ?)",
                    (self.max_bytes,),
                )

    def delete(self, key: str) -> None:
        self._conn().execute("DELETE FROM entries WHERE key = ?", (key,))

    def flush(self, prefix: str = "") -> int:
        """Delete this cache's rows whose key starts with ``prefix`` (its table only: the file and
        directory, and anything else in them, stay)."""
        conn = self._conn()
        if not prefix:
            return conn.execute("DELETE FROM entries").rowcount
        return conn.execute("DELETE FROM entries WHERE substr(key, 1, ?) = ?", (len(prefix), prefix)).rowcount

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


class _transaction:
    __slots__ = ("conn",)

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        self.conn.execute("ROLLBACK" if exc_type is not None else "COMMIT")


__all__ = ["DiskCache"]
