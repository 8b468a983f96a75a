"""Cache keys: a SHA-256 of everything that changes the answer, nothing that does not.

In a key: the endpoint, the provider and model after alias resolution, the base URL given per
call, the messages / prompt / embedding input, and every request parameter (OpenAI parameters
such as tools, tool_choice, temperature, response_format, seed, n, stop, and provider keyword
arguments passed through to the body). Not in a key: ``stream`` and ``stream_options`` (a
streamed and a plain call share entries), ``user``, and every control that steers litegate
(metadata, timeouts, retries, callbacks, fallbacks, credentials). Provider keyword arguments
whose names say they hold a secret (``*key*``, ``*secret*``, ``*token*``, ``*password*``,
``*credentials``) are left out too: a key is a hash, but a secret should not even feed one.
A call made by the Router names its model group in place of the deployment's model and base URL
(``Controls.cache_group``), so every deployment of a group reads the same entries.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any, cast

from ..core.redact import is_secret_name
from ..core.resolve import split_model

if TYPE_CHECKING:
    from typing import TypeAlias

    from ..core.call import ChatCall, EmbeddingCall, TextCall

    #: a call whose answers are cached
    CachedCall: TypeAlias = ChatCall | TextCall | EmbeddingCall

# request parameters that never change the answer's content
_NOT_ANSWER = frozenset({"stream", "stream_options", "user"})


def _default(obj: Any) -> Any:
    dump = getattr(obj, "model_dump", None)
    if dump is not None:
        return dump(exclude_none=True)
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    if isinstance(obj, bytes):
        return obj.hex()
    return repr(type(obj))  # an object that cannot be described: its type only (never its value)


_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default).encode


def _canonical(obj: Any) -> bytes:
    return _ENCODE(obj).encode()


def _params(params: dict[str, Any]) -> dict[str, Any]:
    if not params:
        return params
    return {k: v for k, v in params.items() if k not in _NOT_ANSWER}


def _extra(extra: dict[str, Any]) -> dict[str, Any]:
    if not extra:
        return extra
    return {k: v for k, v in extra.items() if not is_secret_name(k)}


def resolved_model(call: CachedCall, cfg: object) -> list[str]:
    """[provider, model] after ``model_alias_map`` (``gpt-4o`` and ``openai/gpt-4o`` are one model)."""
    try:
        return list(split_model(call.model, call.ctl.custom_llm_provider, getattr(cfg, "model_alias_map", None)))
    except Exception:  # noqa: BLE001 - an unknown model fails on its own attempt; the key still differs
        return [call.ctl.custom_llm_provider or "", call.model]


def base_fields(kind: str, call: CachedCall, cfg: object, resolved: list[str] | None = None) -> dict[str, Any]:
    """The fields every key of this call shares (everything but the input). A Router call names its
    model group instead of the deployment's model and base URL: the group's deployments are
    interchangeable, so they share entries."""
    group = call.ctl.cache_group
    model: list[str]
    if group is not None:
        model, base = ["router-group", group], None
    else:
        model, base = resolved or resolved_model(call, cfg), call.ctl.api_base or None
    return {
        "endpoint": kind,
        "model": model,
        "api_base": base,
        "params": _params(call.params),
        "extra": _extra(call.extra),
    }


def digest(fields: dict[str, Any]) -> str:
    return hashlib.sha256(_canonical(fields)).hexdigest()


def call_key(kind: str, call: ChatCall | TextCall, cfg: object, resolved: list[str] | None = None) -> str:
    """The key of a whole chat or text-completion call."""
    fields = base_fields(kind, call, cfg, resolved)
    if kind == "chat":
        fields["messages"] = cast("ChatCall", call).messages
    else:
        fields["prompt"] = cast("TextCall", call).prompt
    return digest(fields)


def item_keys(call: CachedCall, cfg: object, items: list[Any], resolved: list[str] | None = None) -> list[str]:
    """One key per embedding input item (so a list with some cached items only sends the rest)."""
    base = _canonical(base_fields("embedding", call, cfg, resolved))
    out = []
    for item in items:
        h = hashlib.sha256(base)
        h.update(b"\x00")
        h.update(_canonical(item))
        out.append(h.hexdigest())
    return out


def semantic_scope(kind: str, call: CachedCall, cfg: object, resolved: list[str] | None = None) -> str:
    """What must match exactly for a semantic hit: everything but the prompt text."""
    return digest(base_fields(kind, call, cfg, resolved))


__all__ = ["call_key", "digest", "item_keys", "resolved_model", "semantic_scope"]
