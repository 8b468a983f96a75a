"""The cache stage of the call lifecycle: lookup before the attempts, store after a success.

``begin`` decides whether a call uses the cache (its endpoint, the cache's supported call types
and mode, the per-call controls) and returns a :class:`CacheStage`, or None. Then, in
``lifecycle.execute`` / ``aexecute``:

* ``lookup`` / ``alookup``: a whole answer (a response, or for a streaming call a stream that
  replays it), or None. For embeddings, items found in the cache are kept and ``call`` is
  narrowed to the items still missing.
* ``store`` / ``astore``: a plain answer is stored at once (embeddings: per item, then merged in
  input order with the cached items); a stream is stored when it completes, from the stream
  observer's end (``core/observe.py``), with the answer the observer rebuilt.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import TYPE_CHECKING, Any, cast

from . import entries as E
from .controls import NO_CONTROLS
from .keys import call_key, item_keys, resolved_model, semantic_scope

if TYPE_CHECKING:
    from typing import TypeAlias

    from ..core.call import ChatCall, EmbeddingCall, TextCall
    from ..core.endpoints import Endpoint
    from ..core.observe import StreamObserver
    from ..core.streaming import CustomStreamWrapper
    from ..types.utils import EmbeddingResponse
    from .caching import Cache
    from .controls import CacheControls
    from .entries import CachedResponse, Entry
    from .keys import CachedCall
    from .semantic import RedisSemanticCache

    #: what a cached call answers: a response, or a stream replaying one
    Answer: TypeAlias = CachedResponse | EmbeddingResponse | CustomStreamWrapper[Any]
    #: one embedding item as stored: its vector (floats, or base64 float32)
    Vector: TypeAlias = list[float] | str

log = logging.getLogger("litegate")

_KINDS = {"chat": "chat", "text": "text", "embedding": "emb"}


def embedding_items(value: Any) -> list[Any]:
    """The input as a list of items (each string or token list is one item)."""
    if isinstance(value, list) and value and not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return list(value)
    return [value]


def _prompt_text(call: ChatCall | TextCall, kind: str) -> str:
    """The text a semantic cache compares: the messages' text (roles kept) or the prompt."""
    if kind != "chat":
        prompt = cast("TextCall", call).prompt
        return prompt if isinstance(prompt, str) else str(prompt)
    parts = []
    for m in cast("ChatCall", call).messages:
        content = m.get("content")
        if isinstance(content, list):
            content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
        parts.append(f"{m.get('role')}: {content or ''}")
    return "\n".join(parts)


class CacheStage:
    __slots__ = (
        "cache",
        "cfg",
        "call",
        "kind",
        "controls",
        "key",
        "stream",
        "items",
        "keys",
        "hits",
        "scope",
        "text",
        "resolved",
    )

    def __init__(self, cache: Cache, call: CachedCall, cfg: object, kind: str, controls: CacheControls):
        self.cache = cache
        self.cfg = cfg
        self.call: CachedCall = call
        self.kind = kind
        self.controls = controls
        self.stream = kind != "embedding" and bool(cast("ChatCall | TextCall", call).stream)
        self.key: str | None = None
        self.items: list[Any] | None = None
        self.keys: list[str] | None = None
        self.hits: list[Vector | None] | None = None  # embeddings: per item, the cached vector or None
        self.scope: str | None = None
        self.text: str | None = None
        self.resolved = resolved = resolved_model(call, cfg)  # [provider, model] after aliases
        ns = controls.namespace
        if kind == "embedding":
            self.items = embedding_items(cast("EmbeddingCall", call).input)
            self.keys = [cache.key(k, ns) for k in item_keys(call, cfg, self.items, resolved)]
        elif cache.semantic:
            self.scope = cache.key(semantic_scope(kind, call, cfg, resolved), ns)
            self.text = _prompt_text(cast("ChatCall | TextCall", call), kind)
        else:
            self.key = cache.key(call_key(kind, cast("ChatCall | TextCall", call), cfg, resolved), ns)

    @property
    def ttl(self) -> float | None:
        ttl = self.controls.ttl
        return self.cache.ttl if ttl is None else ttl

    @property
    def threshold(self) -> float | None:
        t = self.controls.similarity_threshold
        return self.cache.similarity_threshold if t is None else t

    # ------------------------------------------------------------------ lookup
    def _entry(self, raw: bytes | None, kind: str) -> Entry | None:
        if raw is None:
            return None
        cache = self.cache
        try:
            entry = E.decode(raw, kind)
        except E.CorruptEntry as exc:
            cache.failed("read (a corrupt entry)", exc, cooldown=False)
            return None
        if not E.fresh(entry, self.controls.max_age, cache.clock()):
            return None
        return entry

    def _answer(self, raw: bytes | None) -> CachedResponse | CustomStreamWrapper[Any] | None:
        kind = _KINDS[self.kind]
        entry = self._entry(raw, kind)
        if entry is None:
            return None
        try:
            response = E.response_from(entry, kind, self.resolved[0], self.resolved[1])
        except E.CorruptEntry as exc:
            self.cache.failed("read (a corrupt entry)", exc, cooldown=False)
            return None
        if self.stream:
            return E.replay_stream(response, cast("ChatCall | TextCall", self.call), kind)
        return response

    def _embedding_hit(self, raws: list[bytes | None] | None) -> EmbeddingResponse | None:
        if raws is None:
            return None
        items = cast("list[Any]", self.items)  # set for embeddings
        hits: list[Vector | None] = [None] * len(cast("list[str]", self.keys))
        self.hits = hits
        for i, raw in enumerate(raws):
            entry = self._entry(raw, "emb")
            if entry is not None:
                hits[i] = entry["e"]
        missing = [item for item, hit in zip(items, hits, strict=True) if hit is None]
        if not missing:
            return self._merged(None)
        if len(missing) < len(items):
            self.call = dataclasses.replace(cast("EmbeddingCall", self.call), input=missing)
        return None

    def lookup(self) -> Answer | None:
        if self.controls.no_cache:
            return None
        cache = self.cache
        if self.kind == "embedding":
            return self._embedding_hit(cache.run("read", cache.cache.get_many, self.keys))
        if self.scope is not None:
            semantic = cast("RedisSemanticCache", cache.cache)
            return self._answer(cache.run("read", semantic.get_similar, self.scope, self.text, self.threshold))
        return self._answer(cache.run("read", cache.cache.get, self.key))

    async def alookup(self) -> Answer | None:
        if self.controls.no_cache:
            return None
        cache = self.cache
        if self.kind == "embedding":
            return self._embedding_hit(await cache.arun("read", cache.cache.aget_many, self.keys))
        if self.scope is not None:
            semantic = cast("RedisSemanticCache", cache.cache)
            return self._answer(await cache.arun("read", semantic.aget_similar, self.scope, self.text, self.threshold))
        return self._answer(await cache.arun("read", cache.cache.aget, self.key))

    # ------------------------------------------------------------------ store
    def _merged(self, result: EmbeddingResponse | None) -> EmbeddingResponse:
        """The embedding answer in input order: cached items and the fresh ones (``result``)."""
        from ..types.utils import EmbeddingResponse

        hits = cast("list[Vector | None]", self.hits)  # set by the lookup
        if result is not None and len(result.data) != sum(1 for h in hits if h is None):
            return result  # not one vector per item sent: the provider's answer as it is
        fresh = iter(sorted(result.data, key=lambda d: d.index) if result is not None else ())
        data = []
        for i, hit in enumerate(hits):
            vector = hit if hit is not None else next(fresh).embedding
            data.append({"object": "embedding", "index": i, "embedding": vector})
        cached = sum(1 for h in hits if h is not None)
        if result is None:
            out = EmbeddingResponse(
                model=self.call.model, data=data, usage={"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
            )
            hidden = out._hidden_params
            hidden["cache_hit"] = True
            hidden["response_cost"] = 0.0
            hidden["custom_llm_provider"], hidden["model"] = self.resolved
        else:  # usage and cost are those of the items sent (the cached ones cost nothing)
            out = EmbeddingResponse(model=result.model, data=data, usage=result.usage)
            out._hidden_params.update(result._hidden_params)
            out._hidden_params["cache_hit"] = False
        out._hidden_params["cached_items"] = cached
        return out

    def _writes(self, result: Answer) -> list[tuple[str, bytes]]:
        """(key, bytes) pairs to store for a plain answer."""
        now = self.cache.clock()
        if self.kind == "embedding":
            fresh = sorted(cast("EmbeddingResponse", result).data, key=lambda d: d.index)
            all_keys = cast("list[str]", self.keys)  # set for embeddings
            hits = self.hits
            keys = all_keys if hits is None else [k for k, h in zip(all_keys, hits, strict=True) if h is None]
            if len(fresh) != len(keys):
                return []  # not one vector per item sent: nothing can be matched to its key
            return [(k, E.encode_item(d.embedding, now)) for k, d in zip(keys, fresh, strict=True)]
        return [(cast(str, self.key), E.encode_response(_KINDS[self.kind], cast("CachedResponse", result), now))]

    def _storable(self, result: object) -> bool:
        return not self.controls.no_store and self.cache.available() and result is not None

    def store(self, result: Answer) -> Answer:
        if self.stream:
            self._watch(cast("CustomStreamWrapper[Any]", result), False)
            return result
        if self._storable(result):
            cache = self.cache
            if self.scope is not None:
                cache.run(
                    "write",
                    cast("RedisSemanticCache", cache.cache).set_similar,
                    self.scope,
                    self.text,
                    E.encode_response(_KINDS[self.kind], cast("CachedResponse", result), cache.clock()),
                    self.ttl,
                )
            else:
                writes = self._writes(result)
                if writes:
                    cache.run("write", cache.cache.set_many, writes, self.ttl)
        return self._merged(cast("EmbeddingResponse", result)) if self.hits is not None else result

    async def astore(self, result: Answer) -> Answer:
        if self.stream:
            self._watch(cast("CustomStreamWrapper[Any]", result), True)
            return result
        if self._storable(result):
            cache = self.cache
            if self.scope is not None:
                await cache.arun(
                    "write",
                    cast("RedisSemanticCache", cache.cache).aset_similar,
                    self.scope,
                    self.text,
                    E.encode_response(_KINDS[self.kind], cast("CachedResponse", result), cache.clock()),
                    self.ttl,
                )
            else:
                writes = self._writes(result)
                if writes:
                    await cache.arun("write", cache.cache.aset_many, writes, self.ttl)
        return self._merged(cast("EmbeddingResponse", result)) if self.hits is not None else result

    # ------------------------------------------------------------------ streams
    def _watch(self, wrapper: CustomStreamWrapper[Any], is_async: bool) -> None:
        """Store the stream's answer when it completes (not when it fails or is abandoned)."""
        if self.controls.no_store or not hasattr(wrapper, "_on_end"):
            return
        from ..core.observe import StreamObserver
        from ..types.streaming import ChunkAccumulator

        observer = getattr(wrapper, "_observer", None)
        if observer is None:  # a mock stream: observe it too
            observer = StreamObserver(None).attach(wrapper)
        if observer.acc is None:  # callbacks add one too; either way it sees every chunk
            observer.acc = acc = ChunkAccumulator(messages=getattr(self.call, "messages", None))
            for chunk in wrapper._pending[wrapper._pos :]:  # the read-ahead first chunk
                acc.add(chunk)
        ended = wrapper._on_end

        def on_end() -> None:
            if ended is not None:
                ended()  # the observer's end: usage, cost, callbacks
            self._stream_done(wrapper, observer, is_async)

        wrapper._on_end = on_end

    def _stream_done(self, wrapper: CustomStreamWrapper[Any], observer: StreamObserver, is_async: bool) -> None:
        try:
            response = observer.acc.build() if observer.acc is not None else None
            if response is None or getattr(wrapper, "_hidden_params", {}).get("cache_hit"):
                return
            usage = wrapper._hidden_params.get("usage")
            if usage and not getattr(response, "usage", None):
                response.usage = usage
            raw = E.encode_response(_KINDS[self.kind], response, self.cache.clock())
        except Exception as exc:  # noqa: BLE001 - storing must never break the caller's stream
            log.debug("litegate: a streamed answer could not be stored in the cache (%s)", type(exc).__name__)
            return
        cache = self.cache
        if not cache.available():
            return
        if not is_async or getattr(cache.cache, "in_memory", False):
            self._write_now(raw)  # sync, or the in-memory backend: nothing that could block a loop
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            self._write_now(raw)
            return
        from ..core.background import spawn

        spawn(self._awrite(raw))  # past the bound of pending work the entry is not stored

    def _write_now(self, raw: bytes) -> None:
        cache = self.cache
        if self.scope is not None:
            cache.run(
                "write", cast("RedisSemanticCache", cache.cache).set_similar, self.scope, self.text, raw, self.ttl
            )
        else:
            cache.run("write", cache.cache.set, self.key, raw, self.ttl)

    async def _awrite(self, raw: bytes) -> None:
        cache = self.cache
        if self.scope is not None:
            semantic = cast("RedisSemanticCache", cache.cache)
            await cache.arun("write", semantic.aset_similar, self.scope, self.text, raw, self.ttl)
        else:
            await cache.arun("write", cache.cache.aset, self.key, raw, self.ttl)


def begin(cache: object, call: CachedCall, cfg: object, endpoint: Endpoint, call_type: str) -> CacheStage | None:
    """The cache stage for this call, or None when the call does not use the cache."""
    kind = endpoint.kind
    if kind not in _KINDS:
        return None
    applies = getattr(cache, "applies", None)
    if applies is None or isinstance(cache, type):
        from ..core.call import input_error

        raise input_error(
            f"litegate.cache must be a litegate.Cache(...) instance (or None), got {cache!r:.80}",
            call.model,
            type_error=True,
        )
    controls: CacheControls = call.ctl.cache or NO_CONTROLS
    if not applies(call_type, controls):
        return None
    if controls.no_cache and controls.no_store:
        return None
    return CacheStage(cast("Cache", cache), call, cfg, kind, controls)


# ---------------------------------------------------------------------- Cache.get_cache & co
def bind_kwargs(kwargs: dict[str, Any]) -> tuple[CachedCall, Endpoint]:
    from ..core.endpoints import ENDPOINTS, bind

    kw = dict(kwargs)
    name = "embedding" if "input" in kw else "text_completion" if "prompt" in kw else "completion"
    endpoint = ENDPOINTS[name]
    return bind(endpoint, (), kw), endpoint


def _direct_stage(cache: Cache, kwargs: dict[str, Any]) -> CacheStage:
    import litegate

    call, endpoint = bind_kwargs(kwargs)
    if endpoint.kind != "embedding":
        call = dataclasses.replace(cast("ChatCall | TextCall", call), stream=False)
    ctl: CacheControls = call.ctl.cache or NO_CONTROLS
    return CacheStage(cache, call, litegate, endpoint.kind, ctl)


def direct_get(cache: Cache, kwargs: dict[str, Any]) -> Answer | None:
    return _direct_stage(cache, kwargs).lookup()


async def adirect_get(cache: Cache, kwargs: dict[str, Any]) -> Answer | None:
    return await _direct_stage(cache, kwargs).alookup()


def direct_add(cache: Cache, result: Answer, kwargs: dict[str, Any]) -> None:
    _direct_stage(cache, kwargs).store(result)


async def adirect_add(cache: Cache, result: Answer, kwargs: dict[str, Any]) -> None:
    await _direct_stage(cache, kwargs).astore(result)


__all__ = ["CacheStage", "begin", "embedding_items"]
