"""What a cache entry holds, and how a hit becomes a response again.

Entries are JSON (never pickle: a cache shared with others must not run code when read):
``{"v": 1, "t": <unix time stored>, "k": <kind>, "r": <the response as JSON>}`` for chat and
text completions, ``{"v": 1, "t": ..., "k": "emb", "e": <vector or base64 string>}`` for one
embedding item. A hit is rebuilt as the same response type, a fresh object every time (a caller
that changes it does not change the cache), marked ``_hidden_params["cache_hit"] = True`` with
``response_cost`` 0. Anything that does not decode as such an entry is corrupt: a miss.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.jsonutil import dumps as _dumps
from ..core.jsonutil import loads as _loads

if TYPE_CHECKING:
    from typing import TypeAlias

    from ..core.call import ChatCall, TextCall
    from ..core.streaming import CustomStreamWrapper
    from ..types.utils import ModelResponse, ModelResponseStream, TextCompletionResponse

    #: a decoded entry: ``{"v", "t", "k", "r" | "e"}``
    Entry: TypeAlias = dict[str, Any]
    #: a whole answer an entry holds (embeddings are stored per item)
    CachedResponse: TypeAlias = ModelResponse | TextCompletionResponse

VERSION = 1


class CorruptEntry(ValueError):
    """A stored value that is not an entry this version wrote."""


def encode_response(kind: str, response: CachedResponse, now: float) -> bytes:
    data = response.model_dump()
    data.pop("_hidden_params", None)
    return _dumps({"v": VERSION, "t": now, "k": kind, "r": data})


def encode_item(vector: Any, now: float) -> bytes:
    return _dumps({"v": VERSION, "t": now, "k": "emb", "e": vector})


def decode(raw: bytes | str, kind: str) -> Entry:
    """The entry in ``raw`` (bytes from a backend); raises CorruptEntry. Each call decodes anew:
    the objects of a hit are its own (a caller that changes them does not change later hits)."""
    return _decode(raw, kind)


def _decode(raw: bytes | str, kind: str) -> Entry:
    try:
        entry = _loads(raw)
    except (TypeError, ValueError, UnicodeDecodeError) as exc:
        raise CorruptEntry(f"not JSON: {type(exc).__name__}") from None
    if (
        not isinstance(entry, dict)
        or entry.get("v") != VERSION
        or entry.get("k") != kind
        or not isinstance(entry.get("t"), (int, float))
        or isinstance(entry.get("t"), bool)
    ):
        raise CorruptEntry("not a litegate cache entry of this kind")
    if kind == "emb":
        vector = entry.get("e")
        if not (isinstance(vector, str) or (isinstance(vector, list) and all(type(x) in (float, int) for x in vector))):
            raise CorruptEntry("an embedding entry without a vector")
    else:
        response = entry.get("r")
        choices = response.get("choices") if isinstance(response, dict) else None
        if not choices or not isinstance(choices, list) or not all(isinstance(c, dict) for c in choices):
            raise CorruptEntry("an entry without a response")
    return entry


def fresh(entry: Entry, max_age: float | None, now: float) -> bool:
    """s-maxage: only entries younger than ``max_age`` seconds are accepted."""
    return max_age is None or now - entry["t"] <= max_age


def _mark(response: CachedResponse, provider: str | None, model: str) -> CachedResponse:
    hidden = response._hidden_params
    hidden["cache_hit"] = True
    hidden["response_cost"] = 0.0  # nothing was paid for this answer
    hidden["custom_llm_provider"] = provider
    hidden["model"] = model
    return response


_TYPES: dict[str, type[CachedResponse]] = {}


def _types() -> dict[str, type[CachedResponse]]:
    from ..types.utils import ModelResponse, TextCompletionResponse

    _TYPES.update(chat=ModelResponse, text=TextCompletionResponse)
    return _TYPES


def response_from(entry: Entry, kind: str, provider: str | None, model: str) -> CachedResponse:
    """A new response object from an entry (raises CorruptEntry if it does not build)."""
    cls = (_TYPES or _types())[kind]
    try:
        response = cls(**entry["r"])
    except Exception as exc:  # noqa: BLE001 - any failure to build is a corrupt entry
        raise CorruptEntry(f"does not build a {cls.__name__}: {type(exc).__name__}") from None
    return _mark(response, provider, model)


def replay_stream(response: CachedResponse, call: ChatCall | TextCall, kind: str) -> CustomStreamWrapper[Any]:
    """A cached answer handed out as a stream: the chunks a provider would send, usage included."""
    from ..core.streaming import CustomStreamWrapper

    hidden = dict(response._hidden_params)
    usage = response.usage
    if usage is not None:
        hidden["usage"] = usage.model_dump(exclude_none=True)
    include_usage = bool((call.params.get("stream_options") or {}).get("include_usage"))
    chunks: list[ModelResponseStream] | list[TextCompletionResponse]
    if kind == "chat":
        from ..core.mock import chat_chunks

        chunks = chat_chunks(response, include_usage)
    else:
        from ..core.textcompat import text_chunks

        chunks = text_chunks(response, include_usage)
    for chunk in chunks:
        chunk._hidden_params["cache_hit"] = True
    return CustomStreamWrapper(
        completion_stream=chunks,
        model=call.model,
        custom_llm_provider=hidden.get("custom_llm_provider"),
        hidden_params=hidden,
    )


__all__ = ["CorruptEntry", "decode", "encode_item", "encode_response", "fresh", "replay_stream", "response_from"]
