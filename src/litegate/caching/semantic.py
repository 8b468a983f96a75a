"""``type="redis-semantic"``: answers for prompts that mean the same, on a plain Redis server.

A chat or text prompt is embedded with ``redis_semantic_cache_embedding_model`` through
``litegate.embedding`` (so any provider works; ``embedding_kwargs`` such as ``api_base`` are
passed along) and stored as a unit vector beside its answer. A lookup embeds the new prompt and
compares it (cosine similarity) with the newest ``max_scan`` entries stored for the same model
and parameters (the "scope": everything in the key but the prompt); the best one at or above
``similarity_threshold`` (per call: ``cache={"similarity_threshold": x}``) is a hit. The exact
prompt is looked up first, without an embedding call. The list of entries per scope is bounded
(``max_entries``, default 1,000) and every entry expires with its TTL.

This uses plain Redis commands (LRANGE, MGET, SET PX), so any Redis server works. Whether the
server has vector search (the search module: ``MODULE LIST`` names it, or ``FT._LIST`` is
answered) is detected once, on the first lookup, and kept in ``vector_search``; the comparison
stays the plain one either way: a search-index path is not implemented (no server with the
module was available to test it against), so a server that has one gets a log line saying so.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import math
import operator
from array import array
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..types.utils import EmbeddingResponse

from .base import BaseCache
from .redis_cache import RedisCache, _px

log = logging.getLogger("litegate")
DEFAULT_MAX_SCAN = 256
_SEARCH_MODULES = frozenset({"search", "searchlight", "ft"})  # the names the search module registers


def _module_names(reply: Any) -> set[str]:
    """The module names in a ``MODULE LIST`` reply (a list of maps, or of flat name/value lists)."""
    names = set()
    for entry in reply or ():
        if isinstance(entry, dict):
            name = entry.get("name", entry.get(b"name"))
        elif isinstance(entry, (list, tuple)):
            pairs = dict(zip(entry[::2], entry[1::2], strict=False))  # an odd last item has no value
            name = pairs.get(b"name", pairs.get("name"))
        else:
            continue
        if isinstance(name, bytes):
            name = name.decode("utf-8", "replace")
        if isinstance(name, str):
            names.add(name.lower())
    return names


def _is_command_error(exc: BaseException) -> bool:
    """An error reply (unknown or refused command), not a connection failure."""
    import redis

    return isinstance(exc, redis.ResponseError)


DEFAULT_MAX_ENTRIES = 1000


def _unit(vector: Iterable[float]) -> array[float]:
    values = array("f", (float(x) for x in vector))
    norm = math.sqrt(sum(x * x for x in values)) or 1.0
    return array("f", (x / norm for x in values))


def _vector_of(response: EmbeddingResponse) -> array[float]:
    data = response.data[0]
    emb = data.embedding if hasattr(data, "embedding") else data["embedding"]
    if isinstance(emb, str):  # base64 float32
        emb = array("f", base64.b64decode(emb))
    return _unit(emb)


def _pack(vec: array[float]) -> str:
    return base64.b64encode(vec.tobytes()).decode("ascii")


def _unpack(text: str) -> array[float]:
    out = array("f")
    out.frombytes(base64.b64decode(text))
    return out


def _similarity(a: array[float], b: array[float]) -> float:
    if len(a) != len(b):
        return -1.0  # another embedding model wrote it: never a match
    dot: float = sum(map(operator.mul, a, b))
    return dot


class RedisSemanticCache(BaseCache):
    semantic = True
    async_in_thread = False

    def __init__(
        self,
        remote: RedisCache,
        embedding_model: str | None,
        similarity_threshold: float | None,
        embedding_kwargs: dict[str, Any] | None = None,
        max_scan: int = DEFAULT_MAX_SCAN,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        embedding_timeout: float = 5.0,
    ):
        super().__init__(remote.clock)
        if similarity_threshold is None:
            raise ValueError("Cache(type='redis-semantic') needs similarity_threshold (e.g. 0.9)")
        if not embedding_model:
            raise ValueError("Cache(type='redis-semantic') needs redis_semantic_cache_embedding_model")
        self.remote = remote
        self.embedding_model = embedding_model
        self.threshold = float(similarity_threshold)
        self.embedding_kwargs = dict(embedding_kwargs or {})
        self.max_scan = max(1, int(max_scan))
        self.max_entries = max(self.max_scan, int(max_entries))
        self.embedding_timeout = float(embedding_timeout)
        self.extra_timeout = self.embedding_timeout  # an async lookup may take the embedding call's time too
        self.embedding_calls = 0
        self.vector_search: bool | None = None  # None: not asked yet

    # ------------------------------------------------------------------ vector search detection
    def _searching(self, found: bool) -> bool:
        self.vector_search = found
        if found:
            log.info(
                "litegate: the Redis server has vector search; the semantic cache compares vectors "
                "itself (the server's index is not used by this version)"
            )
        return found

    def detect_vector_search(self) -> bool:
        """Whether the server has vector search: ``MODULE LIST`` names the search module, or (when
        MODULE is refused or renamed) ``FT._LIST`` is answered. Connection failures propagate."""
        client = self.remote.client
        try:
            if _module_names(client.execute_command("MODULE LIST")) & _SEARCH_MODULES:
                return self._searching(True)
        except Exception as exc:  # noqa: BLE001 - an error reply: ask the other way
            if not _is_command_error(exc):
                raise
        try:
            client.execute_command("FT._LIST")
        except Exception as exc:  # noqa: BLE001
            if not _is_command_error(exc):
                raise
            return self._searching(False)
        return self._searching(True)

    async def adetect_vector_search(self) -> bool:
        client = self.remote.aclient()
        try:
            if _module_names(await client.execute_command("MODULE LIST")) & _SEARCH_MODULES:
                return self._searching(True)
        except Exception as exc:  # noqa: BLE001
            if not _is_command_error(exc):
                raise
        try:
            await client.execute_command("FT._LIST")
        except Exception as exc:  # noqa: BLE001
            if not _is_command_error(exc):
                raise
            return self._searching(False)
        return self._searching(True)

    # ------------------------------------------------------------------ plain keys (embeddings, direct use)
    def get(self, key: str) -> bytes | None:
        return self.remote.get(key)

    def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        self.remote.set(key, value, ttl)

    def get_many(self, keys: list[str]) -> list[bytes | None]:
        return self.remote.get_many(keys)

    def set_many(self, items: Iterable[tuple[str, bytes]], ttl: float | None = None) -> None:
        self.remote.set_many(items, ttl)

    def delete(self, key: str) -> None:
        self.remote.delete(key)

    async def aget(self, key: str) -> bytes | None:
        return await self.remote.aget(key)

    async def aset(self, key: str, value: bytes, ttl: float | None = None) -> None:
        await self.remote.aset(key, value, ttl)

    async def aget_many(self, keys: list[str]) -> list[bytes | None]:
        return await self.remote.aget_many(keys)

    async def aset_many(self, items: Iterable[tuple[str, bytes]], ttl: float | None = None) -> None:
        await self.remote.aset_many(items, ttl)

    async def adelete(self, key: str) -> None:
        await self.remote.adelete(key)

    def flush(self, prefix: str = "") -> int:
        return self.remote.flush(prefix)

    def close(self) -> None:
        self.remote.close()

    async def aclose(self) -> None:
        await self.remote.aclose()

    # ------------------------------------------------------------------ embeddings
    def _embed_kwargs(self, text: str) -> dict[str, Any]:
        kw = {"num_retries": 0, "timeout": self.embedding_timeout, **self.embedding_kwargs}
        kw.update(model=self.embedding_model, input=[text], caching=False)
        return kw

    def embed(self, text: str) -> array[float]:
        import litegate

        self.embedding_calls += 1
        return _vector_of(litegate.embedding(**self._embed_kwargs(text)))

    async def aembed(self, text: str) -> array[float]:
        import litegate

        self.embedding_calls += 1
        return _vector_of(await litegate.aembedding(**self._embed_kwargs(text)))

    # ------------------------------------------------------------------ keys
    @staticmethod
    def _exact(scope: str, text: str) -> str:
        return f"{scope}:x:{hashlib.sha256(text.encode('utf-8')).hexdigest()}"

    @staticmethod
    def _ids(scope: str) -> str:
        return f"{scope}:ids"

    @staticmethod
    def _entry(scope: str, ident: str) -> str:
        return f"{scope}:v:{ident}"

    def _best(self, vec: array[float], raws: list[bytes | None], threshold: float | None) -> bytes | None:
        limit = self.threshold if threshold is None else threshold
        best, best_score = None, -2.0
        for raw in raws:
            if raw is None:
                continue
            try:
                entry = json.loads(raw)
                score = _similarity(vec, _unpack(entry["vec"]))
            except (ValueError, KeyError, TypeError):
                continue  # a corrupt vector entry is skipped
            if score > best_score:
                best, best_score = entry, score
        if best is None or best_score < limit:
            return None
        value = best.get("value")
        return value.encode("utf-8") if isinstance(value, str) else None

    def _record(self, scope: str, text: str, vec: array[float], raw: bytes) -> tuple[str, str, bytes, bytes]:
        ident = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
        entry = json.dumps({"vec": _pack(vec), "value": raw.decode("utf-8")}).encode("utf-8")
        return ident, self._entry(scope, ident), entry, raw

    def _pipeline_store(
        self, pipe: Any, scope: str, text: str, ident: str, entry_key: str, entry: bytes, raw: bytes, ttl: float | None
    ) -> None:
        px = _px(ttl if ttl is not None else self.remote.default_ttl)
        ids = self._ids(scope)
        pipe.set(self._exact(scope, text), raw, px=px)
        pipe.set(entry_key, entry, px=px)
        pipe.lrem(ids, 0, ident)
        pipe.lpush(ids, ident)
        pipe.ltrim(ids, 0, self.max_entries - 1)

    # ------------------------------------------------------------------ sync
    def get_similar(self, scope: str, text: str, threshold: float | None = None) -> bytes | None:
        if self.vector_search is None:
            self.detect_vector_search()
        exact = self.remote.get(self._exact(scope, text))
        if exact is not None:
            return exact
        client = self.remote.client
        ids = client.lrange(self._ids(scope), 0, self.max_scan - 1)
        if not ids:
            return None
        vec = self.embed(text)
        raws = client.mget([self._entry(scope, i.decode("ascii", "replace")) for i in ids])
        return self._best(vec, raws, threshold)

    def set_similar(self, scope: str, text: str, raw: bytes, ttl: float | None = None) -> None:
        vec = self.embed(text)
        ident, entry_key, entry, raw = self._record(scope, text, vec, raw)
        pipe = self.remote.client.pipeline(transaction=False)
        self._pipeline_store(pipe, scope, text, ident, entry_key, entry, raw, ttl)
        pipe.execute()

    # ------------------------------------------------------------------ async
    async def aget_similar(self, scope: str, text: str, threshold: float | None = None) -> bytes | None:
        if self.vector_search is None:
            await self.adetect_vector_search()
        exact = await self.remote.aget(self._exact(scope, text))
        if exact is not None:
            return exact
        client = self.remote.aclient()
        ids = await client.lrange(self._ids(scope), 0, self.max_scan - 1)
        if not ids:
            return None
        vec = await self.aembed(text)
        raws = await client.mget([self._entry(scope, i.decode("ascii", "replace")) for i in ids])
        return self._best(vec, raws, threshold)

    async def aset_similar(self, scope: str, text: str, raw: bytes, ttl: float | None = None) -> None:
        vec = await self.aembed(text)
        ident, entry_key, entry, raw = self._record(scope, text, vec, raw)
        pipe = self.remote.aclient().pipeline(transaction=False)
        self._pipeline_store(pipe, scope, text, ident, entry_key, entry, raw, ttl)
        await pipe.execute()


__all__ = ["RedisSemanticCache"]
