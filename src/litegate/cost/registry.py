"""The model registry: ``model_cost``, name lookup and ``register_model``.

``model_cost`` maps a model name to a litellm-shaped entry (``input_cost_per_token``,
``max_input_tokens``, ``litellm_provider``, ``mode``, ``supports_vision``, ...). It is built from
``litegate/data/models.json`` the first time anything here needs it: importing this module is
cheap, and ``import litegate`` does not import it at all. The data file is written in a compact
format of our own (grouped by provider, token prices in USD per million tokens); the format is
described in ``docs/MODELS.md`` and produced by ``tools/build_registry.py``.

``register_model`` adds or overrides entries from a dict, a local JSON file or an http(s) URL, in
litellm's format (``{"model-name": {...litellm keys...}}``) or ours. Nothing is ever fetched from
the network unless the caller passes a URL to ``register_model``.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable
from typing import Any

__all__ = [
    "model_cost",
    "get_model_entry",
    "find_model",
    "register_model",
    "provider_group",
    "expand_entry",
    "compact_entry",
    "load_model_cost_map",
]

# --------------------------------------------------------------------------------------------
# The compact format's vocabulary (shared with tools/build_registry.py)
# --------------------------------------------------------------------------------------------

# Short price name -> (litellm key, per_million). ``per_million`` prices are stored in USD per
# million units (tokens or characters) and become per-unit values in ``model_cost``; the others
# (per image, per pixel, per second, per query, per request) are stored as they are billed.
PRICE_KEYS: dict[str, tuple[str, bool]] = {
    "in": ("input_cost_per_token", True),
    "out": ("output_cost_per_token", True),
    "cache_read": ("cache_read_input_token_cost", True),
    "cache_write": ("cache_creation_input_token_cost", True),
    "cache_write_1h": ("cache_creation_input_token_cost_above_1hr", True),
    "cache_write_12h": ("cache_creation_input_token_cost_above_12hr", True),
    "in_cache_hit": ("input_cost_per_token_cache_hit", True),
    "in_audio": ("input_cost_per_audio_token", True),
    "out_audio": ("output_cost_per_audio_token", True),
    "cache_read_audio": ("cache_read_input_audio_token_cost", True),
    "cache_write_audio": ("cache_creation_input_audio_token_cost", True),
    "in_image_token": ("input_cost_per_image_token", True),
    "out_image_token": ("output_cost_per_image_token", True),
    "cache_read_image": ("cache_read_input_image_token_cost", True),
    "in_video_token": ("input_cost_per_video_token", True),
    "out_video_token": ("output_cost_per_video_token", True),
    "out_reasoning": ("output_cost_per_reasoning_token", True),
    "in_char": ("input_cost_per_character", True),
    "out_char": ("output_cost_per_character", True),
    "in_image": ("input_cost_per_image", False),
    "out_image": ("output_cost_per_image", False),
    "in_pixel": ("input_cost_per_pixel", False),
    "out_pixel": ("output_cost_per_pixel", False),
    "in_sec": ("input_cost_per_second", False),
    "out_sec": ("output_cost_per_second", False),
    "in_audio_sec": ("input_cost_per_audio_per_second", False),
    "in_video_sec": ("input_cost_per_video_per_second", False),
    "out_video_sec": ("output_cost_per_video_per_second", False),
    "in_query": ("input_cost_per_query", False),
    "in_request": ("input_cost_per_request", False),
}
# A price name may carry a context tier and a service tier: "in>200k" is
# input_cost_per_token_above_200k_tokens, "out@priority" is output_cost_per_token_priority,
# "cache_read>272k@flex" is cache_read_input_token_cost_above_272k_tokens_flex.
PRICE_VARIANTS = ("batches", "priority", "flex", "ultrafast", "balanced")
_SHORT_PRICE = re.compile(r"^([a-z_0-9]+?)(?:>(\d+k))?(?:@([a-z]+))?$")
_LONG_SUFFIX = re.compile(r"^(?:_above_(\d+k)_tokens)?(?:_(" + "|".join(PRICE_VARIANTS) + r"))?$")
_LONG_BASES = sorted(((lk, short) for short, (lk, _) in PRICE_KEYS.items()), key=lambda p: -len(p[0]))

# Capability flags kept in the registry: "vision" is supports_vision, and so on.
FLAGS: tuple[str, ...] = (
    "vision",
    "function_calling",
    "parallel_function_calling",
    "tool_choice",
    "response_schema",
    "system_messages",
    "prompt_caching",
    "audio_input",
    "audio_output",
    "pdf_input",
    "web_search",
    "reasoning",
    "embedding_image_input",
    "native_streaming",
    "computer_use",
    "video_input",
    "assistant_prefill",
    "url_context",
)
_FLAG_SET = frozenset(FLAGS)

# Other entry fields: short name -> litellm key.
FIELDS: dict[str, str] = {
    "mode": "mode",
    "max_in": "max_input_tokens",
    "max_out": "max_output_tokens",
    "max_tokens": "max_tokens",
    "deprecated": "deprecation_date",
    "vector_size": "output_vector_size",
    "cache_min": "prompt_cache_min_tokens",
    "search_price": "search_context_cost_per_query",
}
_FIELD_BY_LONG = {v: k for k, v in FIELDS.items()}

MODES = frozenset(
    {
        "chat",
        "completion",
        "embedding",
        "image_generation",
        "audio_transcription",
        "audio_speech",
        "rerank",
        "moderation",
        "responses",
    }
)

DATA_FORMAT = "litegate-models"
_DATA_FILE = ("data", "models.json")

# litellm_provider values that name the same service as a wider provider (model_cost keeps
# litellm's value; the lookup and the per-provider lists use the group). Only true aliases: a
# different service with its own prices (bedrock_mantle, azure_ai) stays a group of its own.
_GROUP_ALIASES = {
    "text-completion-openai": "openai",
    "azure_text": "azure",
    "azure_openai": "azure",
    "cohere_chat": "cohere",
    "text-completion-codestral": "codestral",
    "ollama_chat": "ollama",
    "bedrock_converse": "bedrock",
    "vertex_ai_beta": "vertex_ai",
}
# Model-name prefixes that are another spelling of a provider whose keys carry its own prefix
# ("ollama_chat/llama3.1" is stored as "ollama/llama3.1").
_PREFIX_ALIASES = {"ollama_chat": "ollama", "azure_openai": "azure"}


def provider_group(litellm_provider: str | None) -> str | None:
    """The provider a ``litellm_provider`` value belongs to ("vertex_ai-anthropic_models" -> "vertex_ai")."""
    if not litellm_provider:
        return None
    group = _GROUP_ALIASES.get(litellm_provider)
    if group is not None:
        return group
    # Vertex AI and Fireworks file their model families as sub-providers of one service
    if litellm_provider.startswith(("vertex_ai-", "fireworks_ai-")):
        return litellm_provider.partition("-")[0]
    return litellm_provider


# --------------------------------------------------------------------------------------------
# Conversion between the compact format and litellm's
# --------------------------------------------------------------------------------------------


def _price_value(value: Any, per_million: bool, where: str) -> float:
    if value.__class__ is str:
        text = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        text = repr(value)
    else:
        raise ValueError(f"{where}: a price must be a number, got {value!r}")
    if per_million:
        # shift the decimal exponent instead of dividing, so the result is the double nearest to
        # the written decimal (the value litellm's own file spells, to the last bit)
        if "e" in text or "E" in text:
            mantissa, _, exponent = text.lower().partition("e")
            text = f"{mantissa}e{int(exponent) - 6}"
        else:
            text += "e-6"
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{where}: a price must be a number, got {value!r}") from None
    if not 0 <= number < float("inf"):
        raise ValueError(f"{where}: a price must be a finite non-negative number, got {value!r}")
    return number


_long_price_cache: dict[str, tuple[str, bool]] = {}


def _long_price_key(short: str, where: str) -> tuple[str, bool]:
    cached = _long_price_cache.get(short)
    if cached is not None:
        return cached
    m = _SHORT_PRICE.match(short)
    base = PRICE_KEYS.get(m.group(1)) if m else None
    if m is None or base is None or (m.group(3) and m.group(3) not in PRICE_VARIANTS):
        raise ValueError(f"{where}: unknown price name {short!r} (see docs/MODELS.md)")
    key, per_million = base
    if m.group(2):
        key += f"_above_{m.group(2)}_tokens"
    if m.group(3):
        key += f"_{m.group(3)}"
    _long_price_cache[short] = (key, per_million)
    return key, per_million


def expand_entry(short: dict[str, Any], litellm_provider: str | None = None, name: str = "?") -> dict[str, Any]:
    """A compact-format entry as a litellm-shaped ``model_cost`` entry."""
    if not isinstance(short, dict):
        raise ValueError(f"model {name!r}: an entry must be an object, got {type(short).__name__}")
    out: dict[str, Any] = {}
    where = f"model {name!r}"
    for field, value in short.items():
        if field == "price":
            if not isinstance(value, dict):
                raise ValueError(f"model {name!r}: 'price' must be an object")
            for pname, pvalue in value.items():
                if pvalue is None:
                    continue
                key, per_million = _long_price_key(pname, where)
                out[key] = _price_value(pvalue, per_million, where)
        elif field in ("supports", "unsupported"):
            flag_value = field == "supports"
            for flag in value or ():
                if flag not in _FLAG_SET:
                    raise ValueError(f"{where}: unknown capability {flag!r} (known: {', '.join(FLAGS)})")
                out[f"supports_{flag}"] = flag_value
        elif field == "lp":
            litellm_provider = value
        elif field == "extra":
            if not isinstance(value, dict):
                raise ValueError(f"{where}: 'extra' must be an object of litellm keys")
            out.update(value)
        elif field == "search_price":
            if not isinstance(value, dict):
                raise ValueError(f"{where}: 'search_price' must be an object")
            out["search_context_cost_per_query"] = {
                k: _price_value(v, False, f"{where} search_price {k!r}") for k, v in value.items()
            }
        elif field in FIELDS:
            if value is not None:
                out[FIELDS[field]] = value
        else:
            raise ValueError(f"{where}: unknown field {field!r} (see docs/MODELS.md)")
    max_in, max_out = out.get("max_input_tokens"), out.get("max_output_tokens")
    if "max_tokens" not in out and (max_out or max_in):
        # litellm's legacy field: the output limit where the provider states one, else the input
        out["max_tokens"] = max_out or max_in
    out.setdefault("mode", "chat")
    if litellm_provider:
        out["litellm_provider"] = litellm_provider
    return out


def _short_price_name(long_key: str) -> str | None:
    for base, short in _LONG_BASES:
        if long_key.startswith(base):
            m = _LONG_SUFFIX.match(long_key[len(base) :])
            if m:
                return short + (f">{m.group(1)}" if m.group(1) else "") + (f"@{m.group(2)}" if m.group(2) else "")
    return None


def compact_entry(entry: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A litellm entry in the compact format (prices per million left as floats), plus the keys
    the compact format does not carry. Used by ``tools/build_registry.py``."""
    short: dict[str, Any] = {}
    price: dict[str, Any] = {}
    supports: list[str] = []
    unsupported: list[str] = []
    dropped: list[str] = []
    for key, value in entry.items():
        if key.startswith("supports_") and key[9:] in _FLAG_SET and isinstance(value, bool):
            (supports if value else unsupported).append(key[9:])
        elif key in _FIELD_BY_LONG:
            short[_FIELD_BY_LONG[key]] = value
        elif key == "litellm_provider":
            short["lp"] = value
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and (short_name := _short_price_name(key)):
            price[short_name] = value
        else:
            dropped.append(key)
    if price:
        short["price"] = price
    if supports:
        short["supports"] = [f for f in FLAGS if f in supports]
    if unsupported:
        short["unsupported"] = [f for f in FLAGS if f in unsupported]
    return short, dropped


def _expand_document(doc: dict[str, Any], source: str) -> dict[str, dict[str, Any]]:
    """Every entry of a compact-format document, litellm-shaped, in file order."""
    providers = doc.get("providers")
    if not isinstance(providers, dict):
        raise ValueError(f"{source}: a {DATA_FORMAT} document needs a 'providers' object")
    out: dict[str, dict[str, Any]] = {}
    for group, block in providers.items():
        if not isinstance(block, dict) or not isinstance(block.get("models"), dict):
            raise ValueError(f"{source}: provider {group!r} needs a 'models' object")
        default_lp = block.get("litellm_provider", group)
        for name, short in block["models"].items():
            out[name] = expand_entry(short, default_lp, name)
    return out


def _is_compact(doc: Any) -> bool:
    if not isinstance(doc, dict):
        return False
    if doc.get("format") == DATA_FORMAT:
        return True
    providers = doc.get("providers")
    return (
        isinstance(providers, dict)
        and bool(providers)
        and all(isinstance(block, dict) and isinstance(block.get("models"), dict) for block in providers.values())
    )


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------

_lock = threading.RLock()
_lower: dict[str, str] = {}  # lower-cased name -> name, for names that differ only in case
_listeners: list[Callable[[], None]] = []  # run after register_model (the derived model lists)


def _read_packaged() -> str:
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), *_DATA_FILE)
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def _build() -> dict[str, dict[str, Any]]:
    text = _read_packaged()
    doc = json.loads(text, parse_float=str)  # prices stay decimal text until scaled exactly
    if doc.get("format") != DATA_FORMAT:
        raise RuntimeError(f"litegate's model data file is not in the {DATA_FORMAT} format")
    return _expand_document(doc, "litegate/data/models.json")


def _index(names: Any) -> None:
    for name in names:
        _lower.setdefault(name.lower(), name)


def _ensure() -> dict[str, dict[str, Any]]:
    registry: dict[str, dict[str, Any]] | None = globals().get("model_cost")
    if registry is not None:
        return registry
    with _lock:
        registry = globals().get("model_cost")
        if registry is None:
            registry = _build()
            _index(registry)
            _add_prefixes(registry.values())
            globals()["model_cost"] = registry
    return registry


# ``model_cost`` (model name -> litellm-shaped entry) is built on first access, by ``__getattr__``;
# declared here (no value) for type checkers and ``__all__``.
model_cost: dict[str, dict[str, Any]]


def __getattr__(name: str) -> Any:
    if name == "model_cost":
        return _ensure()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --------------------------------------------------------------------------------------------
# Lookup
# --------------------------------------------------------------------------------------------

# A trailing snapshot date: gpt-4o-2024-08-06, claude-sonnet-4-5-20250929, claude-...@20250929.
_DATED = re.compile(r"(?:-\d{4}-\d{2}-\d{2}|-20\d{6}|@20\d{6})$")


# Model-name prefixes that name a provider: every litellm_provider in the registry, its group,
# and a few spellings of our own. Grows with register_model.
_prefixes: set[str] = {"azure_ai", "custom_openai", *_GROUP_ALIASES, *_PREFIX_ALIASES}


def _add_prefixes(entries: Any) -> None:
    for entry in entries:
        lp = entry.get("litellm_provider")
        if isinstance(lp, str) and lp:
            _prefixes.add(lp)
            _prefixes.add(provider_group(lp) or lp)


def _split(model: str, custom_llm_provider: str | None, registry: dict[str, Any]) -> tuple[str | None, str]:
    if custom_llm_provider:
        prefix = custom_llm_provider + "/"
        return custom_llm_provider, model[len(prefix) :] if model.startswith(prefix) else model
    head, sep, rest = model.partition("/")
    if sep and head in _prefixes:
        return head, rest
    return None, model


def _group_of(provider: str) -> str:
    return provider_group(provider) or provider


def _matches(entry: dict[str, Any], group: str | None) -> bool:
    return group is None or provider_group(entry.get("litellm_provider")) == group


def _lookup(registry: dict[str, Any], provider: str | None, bare: str, fold: bool) -> str | None:
    """One pass over the names ``bare`` may be stored under; ``fold`` compares case-insensitively."""
    if fold:

        def get(name: str) -> str | None:
            return _lower.get(name.lower())
    else:

        def get(name: str) -> str | None:
            return name if name in registry else None

    if provider is None:
        return get(bare)
    group = _group_of(provider)
    for name in dict.fromkeys((f"{provider}/{bare}", f"{_PREFIX_ALIASES.get(provider, provider)}/{bare}")):
        hit = get(name)
        if hit is not None:
            return hit  # a provider-prefixed key names its provider
    if bare.startswith((f"{provider}/", f"{group}/")):
        return None  # "perplexity/perplexity/sonar" is not "perplexity/sonar"
    hit = get(bare)
    if hit is not None and _matches(registry[hit], group):
        return hit  # stored bare ("gpt-4o"): only if it is the same provider's model
    return None


def _resolve(model: str, custom_llm_provider: str | None, fallbacks: bool) -> str | None:
    registry = _ensure()
    if not isinstance(model, str) or not model:
        return None
    if custom_llm_provider is None and model in registry:
        return model
    provider, bare = _split(model, custom_llm_provider, registry)
    if provider is not None and _group_of(provider) == "bedrock" and bare.startswith(("converse/", "invoke/")):
        bare = bare.partition("/")[2]  # bedrock/converse/<id> and bedrock/invoke/<id> name the same model
    names = [bare]
    if fallbacks:
        # an OpenAI fine-tune is billed at its base model's fine-tuning rates:
        # ft:gpt-4o-mini-2024-07-18:my-org:custom-suffix:id -> ft:gpt-4o-mini-2024-07-18
        if bare.startswith("ft:") and bare.count(":") >= 2:
            names.append("ft:" + bare.split(":")[1])
        # a dated snapshot missing from the registry is priced as the undated name of the same
        # model (gpt-4o-2099-01-01 -> gpt-4o); never as a different model
        dated = _DATED.search(bare)
        if dated:
            names.append(bare[: dated.start()])
    for name in names:
        for fold in (False, True) if fallbacks else (False,):
            hit = _lookup(registry, provider, name, fold)
            if hit is not None:
                return hit
    return None


def find_model(model: str, custom_llm_provider: str | None = None) -> str | None:
    """The ``model_cost`` key a model string resolves to, or None.

    Handles "provider/model" strings, bare names, ``custom_llm_provider``, keys stored with their
    provider prefix ("groq/openai/gpt-oss-120b") or without it ("gpt-4o"), Azure names
    ("azure/gpt-4o"), case differences, OpenAI fine-tune ids (priced as their ``ft:`` base) and
    dated snapshots missing from the registry (priced as the undated name of the same model, never
    as another model family).
    """
    return _resolve(model, custom_llm_provider, fallbacks=True)


def get_model_entry(model: str, custom_llm_provider: str | None = None) -> dict[str, Any] | None:
    """The ``model_cost`` entry for a model string (see ``find_model``), or None if unknown.

    The returned dict is the registry's own entry: read it, do not modify it (use
    ``register_model`` to change prices).
    """
    key = _resolve(model, custom_llm_provider, fallbacks=True)
    return None if key is None else _ensure()[key]


# --------------------------------------------------------------------------------------------
# register_model
# --------------------------------------------------------------------------------------------

_URL = re.compile(r"^https?://", re.IGNORECASE)


def load_model_cost_map(source: str | os.PathLike[str], timeout: float = 10.0) -> dict[str, Any]:
    """Read a model map (litellm's format or ours) from a local JSON file or an http(s) URL."""
    if isinstance(source, str) and _URL.match(source):
        return _fetch(source, timeout)
    path = os.fspath(source)
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        raise FileNotFoundError(
            f"register_model: no such file: {path!r} (pass a dict, a JSON file path or an http(s) URL)"
        ) from None
    try:
        loaded: dict[str, Any] = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"register_model: {path!r} is not valid JSON: {exc}") from None
    return loaded


def _fetch(url: str, timeout: float) -> dict[str, Any]:
    from ..core.http import HttpRequest
    from ..core.transport import fetch
    from ..exceptions import LiteLLMException

    request = HttpRequest("GET", url, {"accept": "application/json", "user-agent": "litegate"})
    try:
        response = fetch(request, timeout)  # through the package's transport, like every request
    except LiteLLMException as exc:
        raise ConnectionError(f"register_model: fetching {url} failed: {exc.message} (timeout {timeout}s)") from None
    if response.status_code >= 400:
        raise ConnectionError(f"register_model: fetching {url} failed: HTTP {response.status_code}")
    body = response.content
    try:
        loaded: dict[str, Any] = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"register_model: {url} did not return valid JSON: {exc}") from None
    return loaded


def _litellm_entries(loaded: dict[str, Any], source: str) -> dict[str, dict[str, Any]]:
    if _is_compact(loaded):
        return _expand_document(loaded, source)
    out: dict[str, dict[str, Any]] = {}
    for name, entry in loaded.items():
        if name == "sample_spec":
            continue  # the documentation entry at the top of litellm's file
        if not isinstance(name, str) or not name:
            raise ValueError(f"{source}: model names must be non-empty strings, got {name!r}")
        if not isinstance(entry, dict):
            raise ValueError(f"{source}: the entry for {name!r} must be an object, got {type(entry).__name__}")
        checked = {}
        for key, value in entry.items():
            if value is None:
                continue  # litellm's merge ignores None values too
            if ("cost_per" in key or key.endswith("_token_cost") or "_token_cost_" in key) and not isinstance(
                value, dict
            ):
                value = _price_value(value, False, f"{source}: {name!r} {key}")
            checked[key] = value
        out[name] = checked
    return out


def register_model(model_cost: dict[str, Any] | str | os.PathLike[str], *, timeout: float = 10.0) -> dict[str, Any]:
    """Add models to the registry or override fields of existing ones; returns the loaded map.

    ``model_cost`` is a dict, a path to a JSON file, or an http(s) URL of a JSON file (fetched
    only because you asked, with ``timeout`` seconds). The map is either in litellm's format, as in
    litellm's ``model_prices_and_context_window.json``::

        register_model({"my-model": {"litellm_provider": "openai", "mode": "chat",
                                     "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06}})

    or in litegate's compact format (``docs/MODELS.md``). A name that already resolves to a
    registry entry ("openai/gpt-4o" -> "gpt-4o") updates that entry field by field; others are
    added under the given name.
    """
    if isinstance(model_cost, dict):
        loaded, source = model_cost, "register_model"
    elif isinstance(model_cost, (str, os.PathLike)):
        loaded, source = load_model_cost_map(model_cost, timeout), f"register_model({os.fspath(model_cost)!r})"
        if not isinstance(loaded, dict):
            raise ValueError(f"{source}: expected a JSON object mapping model names to entries")
    else:
        raise TypeError(f"register_model expects a dict, a file path or a URL, got {type(model_cost).__name__}")
    entries = _litellm_entries(loaded, source)
    registry = _ensure()
    with _lock:
        for name, entry in entries.items():
            key = _resolve(name, None, fallbacks=False) or name
            target = registry.get(key)
            if target is None:
                target = registry[key] = {}
                _lower.setdefault(key.lower(), key)
            target.update(entry)
            _add_prefixes((target,))
        listeners = list(_listeners)
    for listener in listeners:
        listener()
    return loaded


def _on_register(callback: Callable[[], None]) -> None:
    """Run ``callback`` after every ``register_model`` (used by the derived model lists)."""
    with _lock:
        _listeners.append(callback)
