"""Cost of a call in USD (spec section 8): ``completion_cost``, ``cost_per_token``,
``response_cost_calculator`` and the pipeline's ``compute_response_cost``.

Prices come from the model registry (``litegate.cost.registry``: litellm-shaped entries such as
``input_cost_per_token``) or from the caller (``custom_cost_per_token`` / ``custom_cost_per_second``).

Rules, shared by every function here:

* ``prompt_tokens`` is the whole prompt, cached tokens included (OpenAI's convention, also what
  litegate's ``Usage`` carries for Anthropic). Cache reads are billed at
  ``cache_read_input_token_cost``, cache writes at ``cache_creation_input_token_cost``, and only
  the rest at ``input_cost_per_token``. When the cache counts exceed ``prompt_tokens`` the counts
  can only be Anthropic's native ones (``input_tokens`` without the cache), so the whole
  ``prompt_tokens`` is billed at the input price and the cache counts on top.
* Audio tokens (``prompt_tokens_details.audio_tokens`` / ``completion_tokens_details.audio_tokens``)
  and reasoning tokens use their own prices when the entry has them, else the text price.
* Long-context tiers (``input_cost_per_token_above_200k_tokens`` and the like) apply to the whole
  request once the prompt is above the threshold.
* A model with no known price raises :class:`~litegate.exceptions.NotFoundException` (or, in
  ``response_cost_calculator`` / ``compute_response_cost``, gives ``None`` plus one logged warning
  per model): an unknown cost is never reported as $0. A model whose registry price is 0 (local
  models such as Ollama's) legitimately costs 0.0.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from ..exceptions import InputValidationError, NotFoundException

__all__ = [
    "completion_cost",
    "cost_per_token",
    "response_cost_calculator",
    "compute_response_cost",
]

log = logging.getLogger("litegate")

# call type -> cost family
_CALL_TYPES: dict[str, str] = {
    "completion": "completion",
    "acompletion": "completion",
    "chat": "completion",
    "responses": "completion",
    "aresponses": "completion",
    "moderation": "completion",
    "amoderation": "completion",
    "text_completion": "text_completion",
    "atext_completion": "text_completion",
    "embedding": "embedding",
    "aembedding": "embedding",
    "image_generation": "image_generation",
    "aimage_generation": "image_generation",
    "image_edit": "image_generation",
    "aimage_edit": "image_generation",
    "transcription": "transcription",
    "atranscription": "transcription",
    "speech": "speech",
    "aspeech": "speech",
    "rerank": "rerank",
    "arerank": "rerank",
}
_TOKEN_FAMILIES = frozenset({"completion", "text_completion", "embedding"})
# call types compute_response_cost prices inline when the response is a plain one
_FAST_CALL_TYPES = frozenset(
    {"completion", "acompletion", "embedding", "aembedding", "text_completion", "atext_completion"}
)
# cost family -> the registry's mode for such models (used in error messages)
_MODES = {
    "completion": "chat",
    "text_completion": "completion",
    "embedding": "embedding",
    "image_generation": "image_generation",
    "transcription": "audio_transcription",
    "speech": "audio_speech",
    "rerank": "rerank",
}

# Characters per token, used only to price a per-character model when no text is available.
_CHARS_PER_TOKEN = 4
# Smallest long-context threshold seen in price tables (32k); below it no tier lookup is made.
_MIN_TIER_TOKENS = 32_000
_TIER_KEY = re.compile(r"_above_(\d+)k_tokens$")

_registry_module: Any = None
_warned: set[tuple[str, str]] = set()
_warn_lock = threading.Lock()


# --------------------------------------------------------------------------------------------
# registry access
# --------------------------------------------------------------------------------------------


def _registry() -> Any:
    global _registry_module
    if _registry_module is None:
        from . import registry

        hook = getattr(registry, "_on_register", None)
        if hook is not None:
            hook(_forget)  # register_model may add or change any name's entry
        _registry_module = registry
    return _registry_module


# (model, provider) -> the registry key it resolves to, or None. Keys, not entries, so that an
# entry replaced or removed in ``model_cost`` directly is seen at once; a remembered miss is
# trusted only while ``model_cost`` keeps the size it had (a model added directly is found), and
# register_model clears everything.
_entries: dict[tuple[str, str | None], str | None] = {}
# (call_type, model, provider, response.model) that compute_response_cost found unpriced
_unpriced: set[tuple[Any, ...]] = set()
_memo_size = -1  # len(model_cost) when the remembered misses were made
_MAX_MEMO = 4096


def _forget() -> None:
    global _memo_size
    _entries.clear()
    _unpriced.clear()
    _memo_size = -1


def _misses_valid(table: dict[str, Any]) -> bool:
    global _memo_size
    size = len(table)
    if size == _memo_size:
        return True
    _forget()
    _memo_size = size
    return False


def _lookup(model: str | None, provider: str | None) -> dict[str, Any] | None:
    """The registry entry for ``model`` (after ``litegate.model_alias_map``), or None."""
    if not model:
        return None
    aliases = getattr(sys.modules.get("litegate"), "model_alias_map", None)
    if aliases:
        model = aliases.get(model, model)
    reg = _registry()
    table = reg.model_cost
    key = (model, provider or None)
    found = _entries.get(key, _entries)  # the dict itself marks "not remembered"
    if found is not _entries:
        if found is None:
            if _misses_valid(table):
                return None
        else:
            entry: dict[str, Any] | None = table.get(found)
            if entry is not None:
                return entry
    name = reg.find_model(model, provider or None)
    if name is None and _memo_size != len(table):
        _misses_valid(table)
    if len(_entries) >= _MAX_MEMO:
        _entries.clear()
    _entries[key] = name
    return None if name is None else table.get(name)


def _not_found(names: Iterable[str | None], provider: str | None, call_type: str) -> NotFoundException:
    names = [n for n in dict.fromkeys(names) if n]
    model = names[0] if names else None
    where = f" (provider {provider!r})" if provider else ""
    if not names:
        what = "No model was given (model=... or a response carrying .model)"
    elif len(names) == 1:
        what = f"Model {model!r}{where} has no price in litegate's model registry"
    else:
        what = (
            f"None of the model names {', '.join(repr(n) for n in names)}{where} has a price in "
            f"litegate's model registry"
        )
    example = model or "my-model"
    mode = _MODES.get(_CALL_TYPES.get(call_type, ""), "chat")
    message = (
        f"Cost unknown ({call_type}): {what}, and no custom prices were given. Pass "
        "custom_cost_per_token={'input_cost_per_token': ..., 'output_cost_per_token': ...} "
        "(or custom_cost_per_second=...), or add the model's prices with litegate.register_model("
        f"{{{example!r}: {{'input_cost_per_token': ..., 'output_cost_per_token': ..., "
        f"'litellm_provider': {provider or '...'!r}, 'mode': {mode!r}}}}})."
    )
    exc = NotFoundException(message=message, model=model, llm_provider=provider)
    exc._unknown_model = True  # type: ignore[attr-defined]  # no registry entry at all (memoizable)
    return exc


def _no_price(model: str | None, provider: str | None, what: str) -> NotFoundException:
    where = f" (provider {provider!r})" if provider else ""
    return NotFoundException(
        message=(
            f"Cost unknown: the registry entry for model {model!r}{where} has no {what}. Pass "
            "custom_cost_per_token=... / custom_cost_per_second=..., or add the price with "
            "litegate.register_model(...)."
        ),
        model=model,
        llm_provider=provider,
    )


def _warn_once(model: str | None, provider: str | None, reason: BaseException | str) -> None:
    key = (provider or "", model or "")
    with _warn_lock:
        if key in _warned:
            return
        _warned.add(key)
    text = getattr(reason, "message", None) or str(reason)
    log.warning(
        "litegate: cost of model %r%s is unknown (response_cost is None, not 0): %s",
        model,
        f" (provider {provider!r})" if provider else "",
        text,
    )


# --------------------------------------------------------------------------------------------
# small readers that work on response objects and plain dicts alike
# --------------------------------------------------------------------------------------------


def _get(obj: Any, key: str) -> Any:
    """``obj[key]`` / ``obj.key``, or None. Pydantic models are read from their field and extra
    dicts: a missing attribute would otherwise cost an exception inside pydantic."""
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(key)
    if key[:1] != "_":
        try:
            extra = obj.__pydantic_extra__
        except AttributeError:
            if isinstance(obj, Mapping):
                return obj.get(key)
        else:  # a pydantic model
            value = obj.__dict__.get(key)
            if value is None and extra:
                value = extra.get(key)
            return value
    try:
        return getattr(obj, key, None)
    except Exception:  # noqa: BLE001 - a foreign object whose attribute access fails
        return None


def _hidden(response: Any) -> Mapping[str, Any]:
    if response is None:
        return {}
    if isinstance(response, Mapping):
        hp = response.get("_hidden_params")
    else:
        hp = getattr(response, "_hidden_params", None)
    return hp if isinstance(hp, Mapping) else {}


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


class _Counts:
    """Token counts of one call (plain attributes; all ints)."""

    __slots__ = ("prompt", "completion", "cache_read", "cache_write", "audio_in", "audio_out", "reasoning", "image_in")

    def __init__(
        self,
        prompt: int = 0,
        completion: int = 0,
        cache_read: int = 0,
        cache_write: int = 0,
        audio_in: int = 0,
        audio_out: int = 0,
        reasoning: int = 0,
        image_in: int = 0,
    ) -> None:
        self.prompt = prompt
        self.completion = completion
        self.cache_read = cache_read
        self.cache_write = cache_write
        self.audio_in = audio_in
        self.audio_out = audio_out
        self.reasoning = reasoning
        self.image_in = image_in


class _Attrs:
    """``.get`` over the attributes of an arbitrary object."""

    __slots__ = ("_obj",)

    def __init__(self, obj: Any) -> None:
        self._obj = obj

    def get(self, key: str, default: Any = None) -> Any:
        try:
            value = getattr(self._obj, key, None)
        except Exception:  # noqa: BLE001
            value = None
        return default if value is None else value


_NO_FIELDS: dict[str, Any] = {}


def _fields(obj: Any) -> Any:
    """Something with ``.get`` over ``obj``'s fields: the dict itself, a pydantic model's field and
    extra values (read directly, without pydantic's attribute machinery), or its attributes."""
    if obj is None:
        return _NO_FIELDS
    if type(obj) is dict:
        return obj
    try:
        extra = obj.__pydantic_extra__
    except AttributeError:
        return obj if isinstance(obj, Mapping) else _Attrs(obj)
    return {**extra, **obj.__dict__} if extra else obj.__dict__


def _usage_counts(usage: Any) -> _Counts | None:
    """Counts from a ``Usage`` (object or dict, OpenAI / Anthropic / Responses-API names)."""
    if usage is None:
        return None
    u = _fields(usage)
    prompt = u.get("prompt_tokens")
    if prompt is None:
        prompt = u.get("input_tokens")
    completion = u.get("completion_tokens")
    if completion is None:
        completion = u.get("output_tokens")
    billed = _fields(u.get("billed_units"))  # what the provider charges, when it differs (Cohere)
    if billed.get("input_tokens") is not None:
        prompt = billed["input_tokens"]
    if billed.get("output_tokens") is not None:
        completion = billed["output_tokens"]
    if prompt is None and completion is None:
        return None
    ptd = u.get("prompt_tokens_details") or u.get("input_tokens_details") or u.get("input_token_details")
    ptd = _fields(ptd)
    ctd = _fields(u.get("completion_tokens_details") or u.get("output_tokens_details"))
    cache_read = ptd.get("cached_tokens")
    if cache_read is None:
        cache_read = u.get("cache_read_input_tokens")
    if cache_read is None:
        cache_read = u.get("prompt_cache_hit_tokens")
    cache_write = u.get("cache_creation_input_tokens")
    if cache_write is None:
        cache_write = ptd.get("cache_creation_tokens")
    return _Counts(
        _int(prompt),
        _int(completion),
        _int(cache_read),
        _int(cache_write),
        _int(ptd.get("audio_tokens")),
        _int(ctd.get("audio_tokens")),
        _int(ctd.get("reasoning_tokens")),
        _int(ptd.get("image_tokens")),
    )


def _response_text(response: Any) -> str:
    """The generated text of a chat or text completion response ('' when there is none)."""
    choices = _get(response, "choices")
    if not choices:
        return ""
    parts = []
    for choice in choices:
        message = _get(choice, "message")
        if message is None:
            message = _get(choice, "delta")
        text = _get(message, "content") if message is not None else _get(choice, "text")
        if isinstance(text, str):
            parts.append(text)
    return "".join(parts)


def _messages_text(messages: Any) -> str:
    out = []
    for message in messages or ():
        content = _get(message, "content")
        if isinstance(content, str):
            out.append(content)
        elif isinstance(content, list):
            for part in content:
                text = _get(part, "text")
                if isinstance(text, str):
                    out.append(text)
    return "".join(out)


# --------------------------------------------------------------------------------------------
# arithmetic
# --------------------------------------------------------------------------------------------


class _View(Mapping[str, Any]):
    """An entry seen through price variants: ``key`` reads ``key + suffix`` for each suffix in
    turn (e.g. ``_above_200k_tokens``, ``_priority``), then ``key`` itself."""

    __slots__ = ("_entry", "_suffixes")

    def __init__(self, entry: Mapping[str, Any], suffixes: tuple[str, ...]) -> None:
        self._entry = entry
        self._suffixes = suffixes

    def get(self, key: str, default: Any = None) -> Any:
        entry = self._entry
        for suffix in self._suffixes:
            value = entry.get(key + suffix)
            if value is not None:
                return value
        return entry.get(key, default)

    def __getitem__(self, key: str) -> Any:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __iter__(self) -> Any:
        return iter(self._entry)

    def __len__(self) -> int:
        return len(self._entry)


# service_tier values that have their own prices in the registry (key suffix)
_SERVICE_TIERS = {"priority": "_priority", "flex": "_flex"}


def _priced(entry: Mapping[str, Any], prompt_tokens: int, service_tier: Any = None) -> Mapping[str, Any]:
    """``entry`` with the long-context tier for ``prompt_tokens`` and the service tier applied."""
    context = ""
    if prompt_tokens > _MIN_TIER_TOKENS:
        best = 0
        for key in entry:
            m = _TIER_KEY.search(key)
            if m is not None:
                n = int(m.group(1))
                if best < n and prompt_tokens > n * 1000:
                    best = n
        if best:
            context = f"_above_{best}k_tokens"
    service = _SERVICE_TIERS.get(service_tier) if isinstance(service_tier, str) else None
    if service and not any(key.endswith(service) for key in entry):
        service = None
    if not context and not service:
        return entry
    if context and service:
        return _View(entry, (context + service, context, service))
    return _View(entry, (context or service,))  # type: ignore[arg-type]


def _has_token_prices(entry: Mapping[str, Any]) -> bool:
    return entry.get("input_cost_per_token") is not None or entry.get("output_cost_per_token") is not None


def _token_cost(p: Mapping[str, Any], c: _Counts) -> tuple[float, float]:
    """(prompt_cost, completion_cost) of token counts under the prices ``p``."""
    ip = p.get("input_cost_per_token") or 0.0
    op = p.get("output_cost_per_token") or 0.0
    text = c.prompt
    prompt_cost = 0.0
    if c.cache_read or c.cache_write:
        cr = p.get("cache_read_input_token_cost")
        cw = p.get("cache_creation_input_token_cost")
        if c.cache_read + c.cache_write <= text:
            text -= c.cache_read + c.cache_write
        prompt_cost = c.cache_read * (ip if cr is None else cr) + c.cache_write * (ip if cw is None else cw)
    if c.audio_in:
        price = p.get("input_cost_per_audio_token")
        if price is not None:
            moved = c.audio_in if c.audio_in < text else text
            text -= moved
            prompt_cost += moved * price
    if c.image_in:
        price = p.get("input_cost_per_image_token")
        if price is not None:
            moved = c.image_in if c.image_in < text else text
            text -= moved
            prompt_cost += moved * price
    prompt_cost += text * ip

    out = c.completion
    completion_cost = 0.0
    if c.audio_out:
        price = p.get("output_cost_per_audio_token")
        if price is not None:
            moved = c.audio_out if c.audio_out < out else out
            out -= moved
            completion_cost += moved * price
    if c.reasoning:
        price = p.get("output_cost_per_reasoning_token")
        if price is not None:
            moved = c.reasoning if c.reasoning < out else out
            out -= moved
            completion_cost += moved * price
    completion_cost += out * op
    return prompt_cost, completion_cost


def _seconds_cost(
    entry: Mapping[str, Any], seconds: float | None, model: str | None, provider: str | None
) -> tuple[float, float]:
    if seconds is None:
        raise InputValidationError(
            message=(
                f"Model {model!r} is priced per second of processing time, but the duration is "
                "unknown: pass response_time_ms=... (cost_per_token) or total_time=... "
                "(completion_cost, in seconds)."
            ),
            model=model,
            llm_provider=provider,
        )
    return (
        (entry.get("input_cost_per_second") or 0.0) * seconds,
        (entry.get("output_cost_per_second") or 0.0) * seconds,
    )


def _generic_cost(
    entry: Mapping[str, Any],
    counts: _Counts,
    family: str,
    *,
    model: str | None,
    provider: str | None,
    seconds: float | None = None,
    prompt_characters: int | None = None,
    completion_characters: int | None = None,
    audio_seconds: float | None = None,
    queries: float | None = None,
    service_tier: Any = None,
) -> tuple[float, float]:
    """(prompt_cost, completion_cost) for every family except image generation."""
    if family == "transcription":
        # token-billed models (gpt-4o-transcribe) report usage; others bill seconds of audio
        if _has_token_prices(entry) and (counts.prompt or counts.completion):
            if counts.audio_in == 0 and entry.get("input_cost_per_audio_token") is not None:
                counts.audio_in = counts.prompt  # transcription input is audio
            return _token_cost(entry, counts)
        if entry.get("input_cost_per_second") is not None:
            if audio_seconds is None:
                raise InputValidationError(
                    message=(
                        f"Model {model!r} is priced per second of audio, but the audio duration is "
                        "unknown: the response has no 'duration'; pass total_time=... (seconds)."
                    ),
                    model=model,
                    llm_provider=provider,
                )
            return entry["input_cost_per_second"] * audio_seconds, 0.0
        raise _no_price(model, provider, "price per second of audio or per token")
    if family == "speech":
        price = entry.get("input_cost_per_character")
        if price is not None:
            if prompt_characters is None:
                raise InputValidationError(
                    message=(
                        f"Model {model!r} is priced per character of input text; pass the text as "
                        "prompt=... (or input_text=...)."
                    ),
                    model=model,
                    llm_provider=provider,
                )
            return price * prompt_characters, 0.0
        if entry.get("input_cost_per_token") is None:
            raise _no_price(model, provider, "price per character or per token")
        if not counts.prompt:
            raise InputValidationError(
                message=(
                    f"Model {model!r} is priced per token of input text; pass the text as prompt=... "
                    "(or input_text=...)."
                ),
                model=model,
                llm_provider=provider,
            )
        prompt_cost = counts.prompt * entry["input_cost_per_token"]
        out_sec = entry.get("output_cost_per_second")
        if counts.completion:  # audio output tokens, when the caller knows them
            out_price = entry.get("output_cost_per_audio_token")
            if out_price is None:
                out_price = entry.get("output_cost_per_token") or 0.0
            return prompt_cost, counts.completion * out_price
        if out_sec is not None or entry.get("output_cost_per_audio_token") is not None:
            if out_sec is None or audio_seconds is None:
                raise InputValidationError(
                    message=(
                        f"Model {model!r} also bills the generated audio; its length is unknown: pass "
                        "total_time=<seconds of audio> (or completion_tokens=<audio tokens>)."
                    ),
                    model=model,
                    llm_provider=provider,
                )
            return prompt_cost, out_sec * audio_seconds
        return prompt_cost, 0.0
    if family == "rerank":
        price = entry.get("input_cost_per_query")
        if price is not None:
            return price * (1 if queries is None else queries), 0.0
        if _has_token_prices(entry):
            return _token_cost(entry, counts)
        raise _no_price(model, provider, "price per query or per token")

    # completion, text_completion, embedding
    if _has_token_prices(entry):
        return _token_cost(_priced(entry, counts.prompt, service_tier), counts)
    in_char = entry.get("input_cost_per_character")
    out_char = entry.get("output_cost_per_character")
    if in_char is not None or out_char is not None:
        pc = prompt_characters if prompt_characters is not None else counts.prompt * _CHARS_PER_TOKEN
        cc = completion_characters if completion_characters is not None else counts.completion * _CHARS_PER_TOKEN
        return (in_char or 0.0) * pc, (out_char or 0.0) * cc
    if entry.get("input_cost_per_second") is not None or entry.get("output_cost_per_second") is not None:
        return _seconds_cost(entry, seconds, model, provider)
    raise _no_price(model, provider, "price per token")


def _custom_entry(custom_cost_per_token: Any) -> dict[str, Any]:
    if not isinstance(custom_cost_per_token, Mapping):
        raise InputValidationError(
            message=(
                "custom_cost_per_token must be a dict like {'input_cost_per_token': 2e-06, "
                f"'output_cost_per_token': 4e-06}}, got {type(custom_cost_per_token).__name__}"
            ),
            model=None,
            llm_provider=None,
        )
    # used as the model's whole entry: prices it does not name are not taken from the registry
    return {k: v for k, v in custom_cost_per_token.items() if v is not None}


def _family(call_type: str | None) -> str:
    family = _CALL_TYPES.get(call_type or "completion")
    if family is None:
        raise InputValidationError(
            message=(
                f"Unknown call_type {call_type!r} for cost calculation; use one of "
                "completion, embedding, image_generation, text_completion, transcription, "
                "speech, rerank (or their 'a'-prefixed async names)."
            ),
            model=None,
            llm_provider=None,
        )
    return family


# --------------------------------------------------------------------------------------------
# cost_per_token
# --------------------------------------------------------------------------------------------


def cost_per_token(
    model: str = "",
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
    response_time_ms: float | None = None,
    custom_llm_provider: str | None = None,
    region_name: str | None = None,
    prompt_characters: int | None = None,
    completion_characters: int | None = None,
    cache_creation_input_tokens: int | None = 0,
    cache_read_input_tokens: int | None = 0,
    custom_cost_per_token: dict[str, Any] | None = None,
    custom_cost_per_second: float | None = None,
    number_of_queries: int | None = None,
    usage_object: Any = None,
    rerank_billed_units: Any = None,
    call_type: str = "completion",
    audio_transcription_file_duration: float | None = 0.0,
    service_tier: str | None = None,
    response: Any = None,
) -> tuple[float, float]:
    """Return ``(prompt_cost_usd, completion_cost_usd)`` for known token counts.

    ``prompt_tokens`` includes ``cache_read_input_tokens`` / ``cache_creation_input_tokens``;
    those are billed at the model's cache prices instead of the input price. ``usage_object``
    (a ``Usage``) replaces the separate counts. Models priced per second use
    ``response_time_ms`` (or ``audio_transcription_file_duration`` for transcriptions), per
    character ``prompt_characters`` / ``completion_characters``, rerank models
    ``number_of_queries`` / ``rerank_billed_units``. ``custom_cost_per_token`` (a dict of
    registry-style prices) or ``custom_cost_per_second`` replace the registry.

    Raises ``NotFoundException`` when the model has no known price and no custom price is given.
    ``service_tier`` ("priority", "flex") selects the entry's ``*_priority`` / ``*_flex`` prices
    where it has them. ``region_name`` and ``response`` are accepted for litellm compatibility
    and not used.
    """
    family = _family(call_type)
    if usage_object is not None:
        counts = _usage_counts(usage_object) or _Counts()
    else:
        counts = _Counts(
            prompt=_int(prompt_tokens),
            completion=_int(completion_tokens),
            cache_read=_int(cache_read_input_tokens),
            cache_write=_int(cache_creation_input_tokens),
        )
    seconds = response_time_ms / 1000.0 if response_time_ms is not None else None
    audio_seconds = audio_transcription_file_duration or None
    if custom_cost_per_second is not None:
        secs = audio_seconds if family == "transcription" and audio_seconds is not None else seconds
        return _seconds_cost({"input_cost_per_second": custom_cost_per_second}, secs, model, custom_llm_provider)
    entry: Mapping[str, Any] | None
    if custom_cost_per_token is not None:
        entry = _custom_entry(custom_cost_per_token)
    else:
        entry = _lookup(model, custom_llm_provider)
    if entry is None:
        raise _not_found([model], custom_llm_provider, call_type)
    queries = number_of_queries
    if queries is None and rerank_billed_units is not None:
        queries = _get(rerank_billed_units, "search_units")
    return _generic_cost(
        entry,
        counts,
        family,
        model=model,
        provider=custom_llm_provider,
        seconds=seconds,
        prompt_characters=prompt_characters,
        completion_characters=completion_characters,
        audio_seconds=audio_seconds,
        queries=queries,
        service_tier=service_tier,
    )


# --------------------------------------------------------------------------------------------
# completion_cost
# --------------------------------------------------------------------------------------------


def _infer_family(response: Any, family: str) -> str:
    """The call type a response object implies (only refines the default 'completion')."""
    if response is None or family != "completion":
        return family
    name = type(response).__name__
    obj = _get(response, "object")
    if name == "EmbeddingResponse":
        return "embedding"
    if name == "TextCompletionResponse" or obj == "text_completion":
        return "text_completion"
    if name == "ImageResponse":
        return "image_generation"
    if name in ("TranscriptionResponse", "TranscriptionText"):  # TranscriptionText: the str of text formats
        return "transcription"
    if name == "RerankResponse":
        return "rerank"
    if _get(response, "choices") is not None:
        return "completion"
    data = _get(response, "data")
    if isinstance(data, list) and data:
        first = data[0]
        if _get(first, "embedding") is not None:
            return "embedding"
        if _get(first, "url") is not None or _get(first, "b64_json") is not None:
            return "image_generation"
    if _get(response, "results") is not None:
        return "rerank"
    if _get(response, "text") is not None and _get(response, "choices") is None:
        return "transcription"
    return family


def _split_provider(model: str, provider: str | None) -> tuple[str, str | None]:
    if provider:
        prefix = provider + "/"
        return (model[len(prefix) :] if model.startswith(prefix) else model), provider
    head, sep, rest = model.partition("/")
    if sep:
        from ..providers.spec import SPECS

        if head in SPECS:
            return rest, head
    return model, provider


_IMAGE_QUALITIES_DESC = ("hd", "high", "medium", "low")


def _image_size(size: Any) -> tuple[str, int, int]:
    text = str(size or "1024x1024").strip().lower().replace("-x-", "x")
    w, sep, h = text.partition("x")
    try:
        width, height = int(w), int(h)
    except ValueError:
        raise InputValidationError(
            message=f"size must look like '1024x1024', got {size!r}",
            model=None,
            llm_provider=None,
        ) from None
    return f"{width}-x-{height}", width, height


def _per_image_price(entry: Mapping[str, Any], width: int, height: int) -> float | None:
    price: float | None = entry.get("output_cost_per_image")
    if price is None:
        price = entry.get("input_cost_per_image")
    if price is not None:
        return price
    pixel_in = entry.get("input_cost_per_pixel")
    pixel_out = entry.get("output_cost_per_pixel")
    if pixel_in is None and pixel_out is None:
        return None
    return ((pixel_in or 0.0) + (pixel_out or 0.0)) * width * height


def _step_keys(size_key: str, width: int, height: int, steps: Any, bare: str) -> list[str]:
    """Registry keys of a model priced per image by size tier and step bucket (Bedrock's Stability
    SDXL: ``1024-x-1024/50-steps/stability.stable-diffusion-xl-v1``): up to 50 steps (the default
    when none is given) is the ``50-steps`` bucket, more is ``max-steps``; the size is the exact
    one, else the smallest square tier holding as many pixels, else ``max-x-max``."""
    try:
        many = steps is not None and int(steps) > 50
    except (TypeError, ValueError):
        many = False
    bucket = "max-steps" if many else "50-steps"
    sizes = [size_key] + [f"{side}-x-{side}" for side in (512, 1024) if width * height <= side * side]
    sizes.append("max-x-max")
    return [f"{s}/{bucket}/{bare}" for s in dict.fromkeys(sizes)]


def image_cost_params(call: Any) -> dict[str, Any]:
    """What prices an image generation call, from its arguments: ``size`` (``WxH``, or from
    ``width`` / ``height``), ``quality``, ``n`` and ``steps`` (``completion_cost``'s
    ``optional_params``)."""
    params = getattr(call, "params", None) or {}
    extra = getattr(call, "extra", None) or {}
    out: dict[str, Any] = {}
    size = params.get("size")
    if isinstance(size, str) and re.fullmatch(r"\d+\s*[xX]\s*\d+|\d+-x-\d+", size.strip()):
        out["size"] = size
    elif isinstance(extra.get("width"), int) and isinstance(extra.get("height"), int):
        out["size"] = f"{extra['width']}x{extra['height']}"
    for name in ("quality", "n"):
        if params.get(name) is not None:
            out[name] = params[name]
    if extra.get("steps") is not None:
        out["steps"] = extra["steps"]
    return out


def _image_cost(
    names: list[str],
    provider: str | None,
    custom: Mapping[str, Any] | None,
    response: Any,
    size: Any,
    quality: Any,
    n: Any,
    steps: Any = None,
) -> float:
    size_key, width, height = _image_size(size)
    count = n
    if count is None:
        data = _get(response, "data")
        count = len(data) if isinstance(data, list) and data else 1
    count = _int(count) or 1
    usage = _usage_counts(_get(response, "usage"))

    if custom is not None:
        price = _per_image_price(custom, width, height)
        if price is not None:
            return price * count
        if usage is not None:
            return sum(_token_cost(custom, usage))
        raise _no_price(names[0] if names else None, provider, "price per image (custom_cost_per_token)")

    tried: list[str] = []
    for name in names:
        bare, prov = _split_provider(name, provider)
        base = _lookup(name, provider)
        if (
            base is not None
            and usage is not None
            and (usage.prompt or usage.completion)
            and (base.get("output_cost_per_image_token") is not None)
        ):
            priced = dict(base)
            priced["output_cost_per_token"] = base["output_cost_per_image_token"]
            return sum(_token_cost(priced, usage))
        # the quality asked for, then the model's default: "standard" (DALL-E) or the size-only
        # entry; with neither, the highest quality (an upper bound, never an underestimate)
        first = [quality] if quality and quality != "auto" else []
        keys = [f"{q}/{size_key}/{bare}" for q in first + [q for q in ("standard",) if q not in first]]
        keys.append(f"{size_key}/{bare}")
        keys += [f"{q}/{size_key}/{bare}" for q in _IMAGE_QUALITIES_DESC if q not in first]
        keys += _step_keys(size_key, width, height, steps, bare)
        for key in keys:
            tried.append(key)
            entry = _lookup(key, prov)
            if entry is not None:
                price = _per_image_price(entry, width, height)
                if price is not None:
                    return price * count
        tried.append(name)
        if base is not None:
            price = _per_image_price(base, width, height)
            if price is not None:
                return price * count
            if usage is not None and _has_token_prices(base) and (usage.prompt or usage.completion):
                return sum(_token_cost(base, usage))
            raise _no_price(name, provider, f"price per image for size {size_key!r}")
    raise _not_found(tried or names, provider, "image_generation")


def _count_tokens(model: str, *, text: Any = None, messages: Any = None) -> int:
    if not messages and not text:
        return 0
    from ..tokens import token_counter

    if messages:
        return int(token_counter(model=model, messages=messages))
    if isinstance(text, (list, tuple)):
        return sum(int(token_counter(model=model, text=t)) for t in text if t)
    if text:
        return int(token_counter(model=model, text=text))
    return 0


def completion_cost(
    completion_response: Any = None,
    model: str | None = None,
    call_type: str = "completion",
    size: str | None = None,
    quality: str | None = None,
    n: int | None = None,
    prompt: str = "",
    messages: list[Any] | None = None,
    completion: str = "",
    total_time: float | None = None,
    custom_llm_provider: str | None = None,
    custom_cost_per_token: dict[str, Any] | None = None,
    custom_cost_per_second: float | None = None,
    prompt_tokens: int | None = None,
    completion_tokens: int | None = None,
    input_text: str | list[Any] | None = None,
    output_text: str | None = None,
    *,
    region_name: str | None = None,
    optional_params: dict[str, Any] | None = None,
    custom_pricing: bool | None = None,
    base_model: str | None = None,
    is_streaming: bool = False,
    service_tier: str | None = None,
) -> float:
    """Estimated cost in USD of one call (spec section 8).

    From a response object (model and usage read from it; call type inferred from its kind), or
    from ``model`` plus explicit ``prompt_tokens`` / ``completion_tokens`` (these win), or plus
    text (``messages`` / ``prompt`` / ``input_text`` and ``completion`` / ``output_text``, counted
    with ``litegate.token_counter``). Call types: completion, embedding, image_generation
    (``size``, ``quality``, ``n``), text_completion, transcription (seconds of audio from the
    response's ``duration`` or ``total_time``), speech (characters of ``prompt``/``input_text``),
    rerank (per query / search unit), and their async names.

    The model priced is the first of ``model``, the response's ``_hidden_params["model"]`` (with
    its ``custom_llm_provider``) and ``response.model`` that the registry knows (``base_model``
    replaces them all). ``total_time`` (seconds) is the processing time for models priced per
    second and the audio length for transcription and speech when the response does not carry
    a ``duration``. ``custom_cost_per_token`` is a dict of registry-style prices used as the
    model's whole entry (``input_cost_per_token``, ``output_cost_per_token``, optionally
    ``cache_read_input_token_cost``, ``input_cost_per_character``, ``output_cost_per_image`` ...).
    ``service_tier`` (or the response's) selects ``*_priority`` / ``*_flex`` prices. Of the
    keyword-only litellm arguments, ``optional_params`` supplies ``size`` / ``quality`` / ``n``
    and ``region_name``, ``custom_pricing`` and ``is_streaming`` are accepted and not used.

    Raises ``NotFoundException`` when the model has no known price and no custom price is given,
    and ``InputValidationError`` (a ``ValueError``) when the price needs something not given
    (the duration for a per-second model, the text for a per-character one).
    """
    family = _infer_family(completion_response, _family(call_type))
    hp = _hidden(completion_response)
    if service_tier is None and completion_response is not None:
        service_tier = _get(completion_response, "service_tier")
    provider = custom_llm_provider or hp.get("custom_llm_provider") or None
    steps = None
    if optional_params:
        size = size or optional_params.get("size")
        if size is None and optional_params.get("width") and optional_params.get("height"):
            size = f"{optional_params['width']}x{optional_params['height']}"
        quality = quality or optional_params.get("quality")
        n = n if n is not None else optional_params.get("n")
        steps = optional_params.get("steps")

    # model names to price, best first
    if base_model:
        names = [base_model]
    else:
        candidates = [model, hp.get("model"), _get(completion_response, "model")]
        names = [m for m in dict.fromkeys(candidates) if isinstance(m, str) and m]
    count_model = names[0] if names else "gpt-3.5-turbo"

    custom: dict[str, Any] | None = _custom_entry(custom_cost_per_token) if custom_cost_per_token is not None else None

    if family == "image_generation" and custom_cost_per_second is None:
        return float(_image_cost(names, provider, custom, completion_response, size, quality, n, steps))

    # durations
    seconds = total_time
    if seconds is None and completion_response is not None:
        ms = _get(completion_response, "_response_ms")
        if ms is not None:
            seconds = ms / 1000.0
    raw_usage = _get(completion_response, "usage")
    audio_seconds = None
    if family in ("transcription", "speech"):
        audio_seconds = _get(completion_response, "duration")
        if audio_seconds is None:
            audio_seconds = hp.get("audio_transcription_duration")
        if audio_seconds is None and _get(raw_usage, "type") == "duration":
            audio_seconds = _get(raw_usage, "seconds")
        if audio_seconds is None:
            audio_seconds = total_time

    if custom_cost_per_second is not None:
        secs = audio_seconds if family == "transcription" and audio_seconds is not None else seconds
        return float(sum(_seconds_cost({"input_cost_per_second": custom_cost_per_second}, secs, count_model, provider)))

    if (
        family in ("completion", "text_completion", "embedding")
        and prompt_tokens is None
        and completion_tokens is None
        and not (messages or prompt or input_text or completion or output_text)
    ):
        zero = _usage_counts(raw_usage)
        if (
            zero is not None
            and not (zero.prompt or zero.completion)
            and (family == "embedding" or not _response_text(completion_response))
        ):
            return 0.0  # a response that used no tokens costs nothing, priced model or not

    entry: Mapping[str, Any] | None = custom
    used = count_model
    if entry is None:
        for name in names:
            entry = _lookup(name, provider)
            if entry is not None:
                used = name
                break
        else:
            raise _not_found(names, provider, call_type)

    # token counts: explicit > response usage > counted from text
    prompt_input = input_text if input_text is not None else prompt
    completion_text = output_text or completion
    if not completion_text and completion_response is not None and family in ("completion", "text_completion"):
        completion_text = _response_text(completion_response)
    usage = _usage_counts(raw_usage)
    if usage is not None and not (usage.prompt or usage.completion) and (messages or prompt_input or completion_text):
        usage = None  # an empty usage block: count the text we were given instead
    counts = usage or _Counts()
    needs_tokens = family in _TOKEN_FAMILIES or (family == "speech" and entry.get("input_cost_per_character") is None)
    if prompt_tokens is not None:
        counts.prompt = _int(prompt_tokens)
    elif usage is None and needs_tokens:
        counts.prompt = _count_tokens(count_model, text=prompt_input, messages=messages)
    if completion_tokens is not None:
        counts.completion = _int(completion_tokens)
    elif usage is None and family in ("completion", "text_completion"):
        counts.completion = _count_tokens(count_model, text=completion_text)

    # characters (speech; per-character chat models)
    prompt_chars = completion_chars = None
    if (
        family == "speech"
        or entry.get("input_cost_per_character") is not None
        or (entry.get("output_cost_per_character") is not None)
    ):
        if messages:
            prompt_chars = len(_messages_text(messages))
        elif isinstance(prompt_input, (list, tuple)):
            prompt_chars = sum(len(t) for t in prompt_input if isinstance(t, str))
        elif prompt_input:
            prompt_chars = len(prompt_input)
        if completion_text:
            completion_chars = len(completion_text)

    queries = None
    if family == "rerank":
        meta = _get(completion_response, "meta")
        billed = _get(meta, "billed_units")
        queries = _get(billed, "search_units")
        if usage is None and not counts.prompt:
            tokens = _get(billed, "total_tokens")
            if tokens is None:
                tokens = _get(_get(meta, "tokens"), "input_tokens")
            counts.prompt = _int(tokens)

    prompt_cost, completion_cost_ = _generic_cost(
        entry,
        counts,
        family,
        model=used,
        provider=provider,
        seconds=seconds,
        prompt_characters=prompt_chars,
        completion_characters=completion_chars,
        audio_seconds=audio_seconds,
        queries=queries,
        service_tier=service_tier,
    )
    return float(prompt_cost + completion_cost_)


# --------------------------------------------------------------------------------------------
# response_cost_calculator and the pipeline hook
# --------------------------------------------------------------------------------------------


def response_cost_calculator(
    response_object: Any,
    model: str | None,
    custom_llm_provider: str | None = None,
    call_type: str = "completion",
    optional_params: dict[str, Any] | None = None,
    cache_hit: bool | None = None,
    base_model: str | None = None,
    custom_pricing: bool | None = None,
    prompt: str = "",
) -> float | None:
    """Cost of a finished call for logging and callbacks: ``completion_cost`` that never raises.

    Returns 0.0 for a cache hit, the cost in USD when it can be determined, and ``None`` when it
    cannot (unknown model, missing duration ...). A model whose cost is unknown is reported
    once per process with a warning on the ``litegate`` logger.
    """
    if cache_hit or _hidden(response_object).get("cache_hit"):
        return 0.0
    optional_params = optional_params or {}
    custom = None
    if optional_params.get("input_cost_per_token") is not None or (
        optional_params.get("output_cost_per_token") is not None
    ):
        custom = {
            "input_cost_per_token": optional_params.get("input_cost_per_token") or 0.0,
            "output_cost_per_token": optional_params.get("output_cost_per_token") or 0.0,
        }
    per_second = optional_params.get("input_cost_per_second")
    try:
        return completion_cost(
            completion_response=response_object,
            model=model,
            call_type=call_type,
            custom_llm_provider=custom_llm_provider,
            optional_params=optional_params,
            base_model=base_model,
            custom_pricing=custom_pricing,
            prompt=prompt or "",
            custom_cost_per_token=custom,
            custom_cost_per_second=per_second,
        )
    except Exception as exc:  # noqa: BLE001 - this helper reports, it never fails a call
        _warn_once(base_model or model or _get(response_object, "model"), custom_llm_provider, exc)
        return None


def compute_response_cost(
    response: Any,
    *,
    call_type: str,
    model: str | None,
    provider: str | None,
    custom_cost_per_token: dict[str, Any] | None = None,
    custom_cost_per_second: float | None = None,
    optional_params: dict[str, Any] | None = None,
) -> float | None:
    """The pipeline's cost hook: the cost of ``response`` in USD, or ``None`` when unknown.

    ``model`` / ``provider`` are the model and provider the call went to (``response.model`` and
    ``_hidden_params["model"]`` are tried after them). A plain chat, embedding or text completion
    response is priced with one memoized registry lookup and a few multiplications; anything else
    goes through ``completion_cost``. A cache hit (``_hidden_params["cache_hit"]``) costs 0.0.
    Never raises; an unknown cost is logged once per model.
    """
    try:
        if response._hidden_params.get("cache_hit"):
            return 0.0
    except Exception:  # noqa: BLE001 - a response without hidden params
        if _hidden(response).get("cache_hit"):
            return 0.0
    if custom_cost_per_token is None and custom_cost_per_second is None and call_type in _FAST_CALL_TYPES:
        try:
            usage = response.usage
            entry = _lookup(model, provider)
            response_extra = response.__pydantic_extra__
            if (
                entry is not None
                and usage is not None
                and not (response_extra and response_extra.get("service_tier") in _SERVICE_TIERS)
            ):
                ip = entry.get("input_cost_per_token")
                op = entry.get("output_cost_per_token")
                prompt = usage.prompt_tokens
                if ip is not None and op is not None and prompt <= _MIN_TIER_TOKENS:
                    ptd = usage.prompt_tokens_details
                    ctd = usage.completion_tokens_details
                    extra = usage.__pydantic_extra__
                    if (
                        (ptd is None or not (ptd.cached_tokens or ptd.audio_tokens))
                        and (ctd is None or not (ctd.audio_tokens or ctd.reasoning_tokens))
                        and not (extra and (extra.get("cache_creation_input_tokens") or extra.get("billed_units")))
                        and (entry.get("input_cost_per_image_token") is None)
                    ):
                        plain_cost: float = prompt * ip + usage.completion_tokens * op
                        return plain_cost
                    return sum(_token_cost(entry, _usage_counts(usage)))  # type: ignore[arg-type]
        except Exception:  # noqa: BLE001 - not a plain litegate response: take the general path
            pass
    memo_key = None
    if custom_cost_per_token is None and custom_cost_per_second is None:
        memo_key = (call_type, model, provider, _get(response, "model"))
        if memo_key in _unpriced and _misses_valid(_registry().model_cost):
            return None
    try:
        return completion_cost(
            completion_response=response,
            model=model,
            call_type=call_type,
            custom_llm_provider=provider,
            custom_cost_per_token=custom_cost_per_token,
            custom_cost_per_second=custom_cost_per_second,
            optional_params=optional_params,
        )
    except Exception as exc:  # noqa: BLE001 - cost must never fail a successful call
        _warn_once(model or _get(response, "model"), provider, exc)
        if (
            memo_key is not None
            and getattr(exc, "_unknown_model", False)
            and (
                _CALL_TYPES.get(call_type) != "image_generation"  # another size may be priced
            )
        ):
            if len(_unpriced) >= _MAX_MEMO:
                _unpriced.clear()
            _unpriced.add(memo_key)
        return None
