"""Normalized, validated calls. Bad input fails here, before any network I/O, with a clear message."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..exceptions import AuthenticationError, InputTypeError, InputValidationError
from .jsonutil import dumps
from .params import (
    CONTROL_PARAMS,
    LITELLM_INTERNAL_PREFIXES,
    OPENAI_CHAT_COMPLETION_PARAMS,
    check_param,
    is_litellm_internal,
)

_OPENAI_PARAMS = frozenset(OPENAI_CHAT_COMPLETION_PARAMS) - {"stream", "extra_headers"}
_ROLES = frozenset({"system", "user", "assistant", "tool", "function", "developer"})


def input_error(message: str, model: Any, *, type_error: bool = False) -> Exception:
    """The exception for bad input found before any request (``InputValidationError``, which is a
    ``BadRequestError`` and a ``ValueError``; ``InputTypeError`` for a wrong type)."""
    cls = InputTypeError if type_error else InputValidationError
    return cls(message=message, model=model if isinstance(model, str) else None, llm_provider=None)


_fail = input_error  # the short name used throughout this module


@dataclass(slots=True)
class Controls:
    """Per-call settings that steer litegate (never sent to the provider)."""

    api_key: str | None = None
    api_base: str | None = None
    api_version: str | None = None
    organization: str | None = None
    custom_llm_provider: str | None = None
    azure_ad_token: str | None = None
    azure_ad_token_provider: Any = None  # a callable returning a fresh Entra ID token (asked per attempt)
    num_retries: int | None = None
    timeout: Any = None
    stream_timeout: float | None = None
    stream_first_token_timeout: float | None = None  # the first chunk must come within this (seconds)
    stream_deadline: float | None = None  # a whole stream must end within this (seconds)
    ssl_verify: Any = None  # False, True, or a CA bundle path (never sent to the provider)
    stream_recovery: bool | None = None  # resume a broken stream on a model that takes assistant prefill
    assistant_prefill_models: list[str] | None = None  # models that continue a trailing assistant message
    drop_params: bool | None = None
    mock_response: Any = None
    metadata: dict[str, Any] | None = None
    extra_headers: dict[str, str] | None = None
    custom_cost_per_token: dict[str, float] | None = None  # {"input_cost_per_token": ..., "output_cost_per_token": ...}
    custom_cost_per_second: float | None = None
    fallbacks: list[Any] | None = None
    context_window_fallbacks: list[Any] | None = None
    content_policy_fallbacks: list[Any] | None = None
    cache: Any = None  # per-call caching controls (caching=..., cache={...}): litegate.caching.controls
    base_model: str | None = None  # litellm's base_model: the registry entry that prices the answer
    litellm_call_id: str | None = None  # the caller's id for this call (callbacks see it)
    cache_group: str | None = None  # set by the Router: its model group stands for the model in cache keys


@dataclass(slots=True)
class ChatCall:
    model: str
    messages: list[dict[str, Any]]
    stream: bool
    params: dict[str, Any]  # OpenAI parameters given (value not None)
    extra: dict[str, Any]  # other provider keyword arguments, passed through to the request body
    ctl: Controls = field(default_factory=Controls)


@dataclass(slots=True)
class EmbeddingCall:
    model: str
    input: Any
    params: dict[str, Any]
    extra: dict[str, Any]
    ctl: Controls = field(default_factory=Controls)


@dataclass(slots=True)
class TextCall:
    model: str
    prompt: Any  # str, list of str, or token ids
    stream: bool
    params: dict[str, Any]
    extra: dict[str, Any]
    ctl: Controls = field(default_factory=Controls)


@dataclass(slots=True)
class MediaCall:
    """image_generation (``input`` is the prompt) or moderation (``input`` is the text(s))."""

    model: str
    input: Any
    params: dict[str, Any]
    extra: dict[str, Any]
    ctl: Controls = field(default_factory=Controls)


@dataclass(slots=True)
class RerankCall:
    model: str
    query: str
    documents: list[str | dict[str, Any]]
    params: dict[str, Any]  # top_n, rank_fields, return_documents, max_chunks_per_doc, max_tokens_per_doc
    extra: dict[str, Any]
    ctl: Controls = field(default_factory=Controls)


@dataclass(slots=True)
class ProviderCall:
    """A provider-addressed call (no model): model listings, files, batches, fine-tuning.
    ``model`` stays "" and the provider is ``ctl.custom_llm_provider``."""

    model: str
    params: dict[str, Any]
    extra: dict[str, Any]
    ctl: Controls = field(default_factory=Controls)


def build_provider_call(custom_llm_provider: Any, kw: dict[str, Any]) -> ProviderCall:
    """Validate a provider-addressed call; the provider defaults to ``"openai"``."""
    provider = custom_llm_provider or kw.pop("custom_llm_provider", None) or "openai"
    if not isinstance(provider, str) or not provider.strip():
        raise _fail(
            f"custom_llm_provider must be a provider name such as 'openai', got {provider!r}",
            None,
            type_error=not isinstance(provider, str),
        )
    kw.pop("custom_llm_provider", None)
    ctl = _controls(kw, "")
    ctl.custom_llm_provider = provider.strip()
    extra = {k: v for k, v in kw.items() if v is not None}
    return ProviderCall("", {}, extra, ctl)


# control parameters copied as they are onto Controls (the rest need a rename, a merge or a check)
_PLAIN_CONTROLS = frozenset(
    {
        "api_key",
        "api_base",
        "api_version",
        "organization",
        "custom_llm_provider",
        "azure_ad_token",
        "azure_ad_token_provider",
        "stream_timeout",
        "stream_first_token_timeout",
        "stream_recovery",
        "assistant_prefill_models",
        "stream_deadline",
        "ssl_verify",
        "drop_params",
        "mock_response",
        "custom_cost_per_token",
        "custom_cost_per_second",
        "num_retries",  # checked by _check_retries; max_retries (its alias) is read from the rest
    }
)
_LIST_CONTROLS = ("fallbacks", "context_window_fallbacks", "content_policy_fallbacks")


def _controls(kw: dict[str, Any], model: str) -> Controls:
    """Take the control parameters out of ``kw`` (one pass over the given keys only)."""
    ctl = Controls()
    found = [name for name in kw if name in CONTROL_PARAMS or name.startswith(LITELLM_INTERNAL_PREFIXES)]
    if not found:
        return ctl
    rest: dict[str, Any] = {}
    for name in found:
        value = kw.pop(name)
        if value is None:
            continue
        check = _CONTROL_CHECKS.get(name)
        if check is not None:
            value = check(name, value, model)
        if name in _PLAIN_CONTROLS:
            setattr(ctl, name, value)
        else:
            rest[name] = value
    if not rest:
        return ctl
    get = rest.get
    if ctl.api_base is None and "base_url" in rest:
        ctl.api_base = rest["base_url"]
    retries = get("max_retries") if ctl.num_retries is None else None
    if retries is not None:
        if not isinstance(retries, int) or isinstance(retries, bool) or retries < 0:
            raise _fail(f"num_retries must be a non-negative integer, got {retries!r}", model, type_error=True)
        ctl.num_retries = retries
    timeout = get("timeout", get("request_timeout"))
    if timeout is not None:
        if not _is_timeout(timeout):
            raise _fail(f"timeout must be a positive number of seconds, got {timeout!r}", model, type_error=True)
        ctl.timeout = timeout
    md = get("metadata")
    if md is not None:
        if not isinstance(md, dict):
            raise _fail(f"metadata must be a dict, got {type(md).__name__}", model, type_error=True)
        ctl.metadata = md
    headers = get("extra_headers")
    more = get("headers")
    if more:
        headers = {**more, **(headers or {})}
    ctl.extra_headers = headers
    if ctl.custom_cost_per_token is None and ("input_cost_per_token" in rest or "output_cost_per_token" in rest):
        ctl.custom_cost_per_token = {
            "input_cost_per_token": get("input_cost_per_token") or 0.0,
            "output_cost_per_token": get("output_cost_per_token") or 0.0,
        }
    if ctl.custom_cost_per_second is None and "input_cost_per_second" in rest:
        ctl.custom_cost_per_second = rest["input_cost_per_second"]
    for name in _LIST_CONTROLS:
        value = get(name)
        if value is not None:
            if not isinstance(value, list):
                raise _fail(
                    f"{name} must be a list, e.g. [{{'gpt-4o': ['gpt-4o-mini']}}] or ['gpt-4o-mini']",
                    model,
                    type_error=True,
                )
            setattr(ctl, name, value)
    if "caching" in rest or "cache" in rest:  # consumed here: never sent to the provider
        from ..caching.controls import cache_controls

        ctl.cache = cache_controls(get("caching"), get("cache"), model)
    _litellm_internal(rest, ctl, model)
    return ctl


# the control parameters read above from ``rest``; any other is a litellm-internal argument
_READ_FROM_REST = frozenset(
    {
        "base_url",
        "num_retries",
        "max_retries",
        "timeout",
        "request_timeout",
        "metadata",
        "extra_headers",
        "headers",
        "input_cost_per_token",
        "output_cost_per_token",
        "input_cost_per_second",
        *_LIST_CONTROLS,
    }
)


def _litellm_internal(rest: dict[str, Any], ctl: Controls, model: str) -> None:
    """Use the litellm-internal arguments that mean something here; drop the others with a debug line.
    None of them is ever sent to a provider, whatever ``drop_params`` says."""
    dropped = []
    for name, value in rest.items():
        if name in _READ_FROM_REST:
            continue
        if name == "litellm_metadata":  # litellm's metadata channel when `metadata` goes to the provider
            if ctl.metadata is None and isinstance(value, dict):
                ctl.metadata = value
        elif name == "mock_timeout":  # litellm: raise a Timeout instead of calling
            if value is True and ctl.mock_response is None:
                from ..exceptions import Timeout

                ctl.mock_response = Timeout(message=f"mock_timeout: {model} timed out", model=model)
        elif name == "base_model" and isinstance(value, str) and value:
            ctl.base_model = value  # the answer is priced as this model
        elif name == "litellm_call_id" and isinstance(value, str) and value:
            ctl.litellm_call_id = value
        elif is_litellm_internal(name):
            dropped.append(name)
    if dropped and _log.isEnabledFor(logging.DEBUG):
        _log.debug(
            "litegate: %s: not sent to the provider (litellm-internal argument%s)",
            ", ".join(sorted(dropped)),
            "s" if len(dropped) > 1 else "",
        )


def check_api_key(name: str, key: Any, model: str) -> str:
    """A key must be a string; surrounding whitespace (``open(f).read()``) is stripped; a line break
    or control character inside it raises ``AuthenticationError``. The key is never in a message."""
    if not isinstance(key, str):
        raise _fail(f"{name} must be a string, got {type(key).__name__}", model, type_error=True)
    stripped = key.strip()
    if stripped is key and key.isprintable():
        return key
    if stripped != key:
        _log.debug("litegate: %s had surrounding whitespace or a line break at its end; stripped it", name)
    if not stripped.isprintable():  # a control character, line or paragraph separator inside
        raise AuthenticationError(
            message=f"{name} contains a line break or control character inside it (the key is not shown); "
            "check how it was read (a file with several lines, a pasted key)",
            llm_provider=None,
            model=model or None,
        )
    return stripped


_check_api_key = check_api_key


_GOOD_BASES: dict[str, str] = {}  # api_base -> its checked form (strings are immutable: safe to keep)


def _check_api_base(name: str, base: Any, model: str) -> str:
    good = _GOOD_BASES.get(base) if type(base) is str else None
    if good is not None:
        return good
    if not isinstance(base, str):
        raise _fail(
            f"{name} must be a string URL such as 'https://api.example.com/v1', got {type(base).__name__}",
            model,
            type_error=True,
        )
    scheme: str | None
    host: str | None
    try:
        parts = urlsplit(base.strip())
        scheme, host = parts.scheme.lower(), parts.hostname
    except ValueError:
        scheme = host = None
    if scheme not in ("http", "https") or not host or any(ord(c) < 33 or c == "\x7f" for c in base.strip()):
        raise _fail(
            f"{name} must be an http(s) URL with a host, such as 'https://api.example.com/v1'; got {base!r:.100}", model
        )
    if len(_GOOD_BASES) >= 256:
        _GOOD_BASES.clear()
    good = _GOOD_BASES[base] = base.strip()
    return good


def _check_seconds(name: str, value: Any, model: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(
            f"{name} must be a positive number of seconds, got {type(value).__name__} {value!r:.40}",
            model,
            type_error=True,
        )
    if not value > 0:  # also NaN
        raise _fail(f"{name} must be a positive number of seconds, got {value!r}", model)
    return value


def _check_headers(name: str, headers: Any, model: str) -> dict[str, str]:
    """Headers map str -> str, with no line break (a header injection) in a name or value. Values
    are never shown: they often carry credentials."""
    if not isinstance(headers, dict):
        raise _fail(f"{name} must be a dict of str -> str, got {type(headers).__name__}", model, type_error=True)
    for key, value in headers.items():
        if not isinstance(key, str):
            raise _fail(f"{name} keys must be strings, got {type(key).__name__} {key!r:.40}", model, type_error=True)
        if not isinstance(value, str):
            raise _fail(f"{name}[{key!r:.60}] must be a string, got {type(value).__name__}", model, type_error=True)
        if not (key.isprintable() and value.isprintable()) and (
            any(ord(c) < 32 and c != "\t" or c == "\x7f" for c in key + value)
        ):
            raise _fail(f"{name}[{key!r:.60}] contains a line break or control character (value not shown)", model)
    return headers


def _check_retries(name: str, value: Any, model: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _fail(f"num_retries must be a non-negative integer, got {value!r}", model, type_error=True)
    return value


_CONTROL_CHECKS = {
    "num_retries": _check_retries,
    "api_key": _check_api_key,
    "api_base": _check_api_base,
    "base_url": _check_api_base,
    "stream_timeout": _check_seconds,
    "stream_first_token_timeout": _check_seconds,
    "stream_deadline": _check_seconds,
    "extra_headers": _check_headers,
    "headers": _check_headers,
}

_log = logging.getLogger("litegate")

# provider keyword arguments read by the provider and never sent (``vertex_credentials`` may be a
# credentials object): not checked as JSON
_LOCAL_SUFFIX = "_credentials"

# JSON types sent as they are; containers go through the encoder, and are walked only to name
# the culprit when it fails
_JSON_SCALARS = frozenset({str, int, bool, type(None)})
_JSON_DEPTH = 32


def check_json_values(values: dict[str, Any], model: str, local_suffix: str | None = None) -> None:
    """Raise ``InputTypeError`` for a value the request encoder cannot send (an object, bytes, a
    Decimal, a cycle) or a NaN / infinite float at the top level. Cheap: scalars cost one set
    lookup; the containers are encoded once by :func:`litegate.core.jsonutil.dumps` (C speed with
    orjson) and walked, to a bounded depth, only when that fails, to name the bad value. Keys
    ending in ``local_suffix`` are read by the provider, never sent, and are skipped."""
    containers = None
    for key, value in values.items():
        kind = type(value)
        if kind in _JSON_SCALARS:
            continue
        if kind is float:
            if value - value == 0.0:  # finite
                continue
            raise _fail(f"{key} must be a finite number, got {value!r}", model)
        if local_suffix is not None and key.endswith(local_suffix):
            continue
        if containers is None:
            containers = {}
        containers[key] = value
    if containers is None:
        return
    try:
        dumps(containers)
    except (TypeError, ValueError, RecursionError, OverflowError) as exc:
        for key, value in containers.items():
            problem = _json_problem(value, 0)
            if problem is not None:
                raise _fail(f"{key}{problem[0]} cannot be sent as JSON: {problem[1]}", model, type_error=True) from None
        raise _fail(f"{', '.join(containers)} cannot be sent as JSON: {exc}", model, type_error=True) from None


def _json_problem(value: Any, depth: int) -> tuple[str, str] | None:
    """(path, what) of the first value in ``value`` the encoder cannot take, looking ``_JSON_DEPTH`` deep."""
    kind = type(value)
    if kind in _JSON_SCALARS or isinstance(value, (str, int, float)):
        return None
    if depth >= _JSON_DEPTH:
        return None  # deeper than we look
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, (str, int, float)) and k is not None:
                return f"[{k!r:.40}]", f"a key of type {type(k).__name__}"
            problem = _json_problem(v, depth + 1)
            if problem is not None:
                return f"[{k!r:.40}]{problem[0]}", problem[1]
        return None
    if isinstance(value, (list, tuple, set, frozenset)):
        for i, v in enumerate(value):
            problem = _json_problem(v, depth + 1)
            if problem is not None:
                return f"[{i}]{problem[0]}", problem[1]
        return None
    if hasattr(value, "model_dump"):
        return None  # the encoder converts pydantic models
    return "", f"an object of type {kind.__name__} is not a JSON value"


def _is_timeout(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return value > 0
    # httpx.Timeout (or any object with a read attribute) is accepted as given
    return hasattr(value, "read") and hasattr(value, "connect")


def _check_model(model: Any) -> str:
    if not isinstance(model, str) or not model.strip():
        raise _fail(
            f"model is required and must be a non-empty string such as 'gpt-4o-mini' or "
            f"'groq/llama-3.1-8b-instant'; got {model!r}",
            None,
            type_error=not isinstance(model, str),
        )
    return model.strip()


def check_messages(messages: Any, model: str) -> list[dict[str, Any]]:
    if not isinstance(messages, list):
        raise _fail(
            f"messages must be a list of dicts like [{{'role': 'user', 'content': 'hi'}}], "
            f"got {type(messages).__name__}",
            model,
            type_error=True,
        )
    if not messages:
        raise _fail("messages must not be empty", model)
    out = messages
    for i, msg in enumerate(messages):
        if not isinstance(msg, dict):
            dump = getattr(msg, "model_dump", None)
            if dump is None:
                raise _fail(f"messages[{i}] must be a dict, got {type(msg).__name__}", model, type_error=True)
            if out is messages:
                out = list(messages)
            msg = out[i] = dump(exclude_none=True)
        role = msg.get("role")
        if role not in _ROLES:
            raise _fail(
                f"messages[{i}] has invalid role {role!r}; expected one of "
                "'system', 'user', 'assistant', 'tool', 'developer' (or legacy 'function')",
                model,
            )
        content = msg.get("content")
        if role == "tool":
            if not msg.get("tool_call_id"):
                raise _fail(
                    f"messages[{i}] has role 'tool' but no 'tool_call_id': a tool result must name "
                    "the id of the assistant tool call it answers",
                    model,
                )
        if content is not None and not isinstance(content, (str, list)):
            raise _fail(
                f"messages[{i}].content must be a string, a list of content parts, or None; "
                f"got {type(content).__name__}",
                model,
                type_error=True,
            )
        if isinstance(content, list):
            for j, part in enumerate(content):
                if not isinstance(part, dict) or not isinstance(part.get("type"), str):
                    raise _fail(
                        f"messages[{i}].content[{j}] must be a dict with a 'type' such as 'text' or 'image_url'",
                        model,
                        type_error=not isinstance(part, dict),
                    )
        elif content is None and role in ("user", "system", "developer"):
            raise _fail(f"messages[{i}] (role {role!r}) has no content", model)
        tool_calls = msg.get("tool_calls")
        if tool_calls is not None and not isinstance(tool_calls, list):
            raise _fail(f"messages[{i}].tool_calls must be a list", model, type_error=True)
    return out


def build_chat_call(model: Any, messages: Any, kw: dict[str, Any]) -> ChatCall:
    """Turn ``completion(**kwargs)`` into a validated :class:`ChatCall`. ``kw`` is consumed."""
    model = _check_model(model)
    ctl = _controls(kw, model)
    if ctl.mock_response is None:
        messages = check_messages(messages, model)
    elif messages is None:
        messages = []
    else:
        messages = check_messages(messages, model)
    stream = kw.pop("stream", False)
    if stream is None:
        stream = False
    elif not isinstance(stream, bool):
        raise _fail(f"stream must be a boolean, got {stream!r}", model, type_error=True)
    params: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for name, value in kw.items():
        if value is None:
            continue
        if name in _OPENAI_PARAMS:
            problem = check_param(name, value)
            if problem is not None:
                raise _fail(problem[0], model, type_error=problem[1])
            params[name] = value
        elif name == "extra_body" and isinstance(value, dict):
            extra.update(value)
        else:
            extra[name] = value
    if "stop" in params:
        stop = params["stop"]
        if isinstance(stop, str):
            pass
        elif not (isinstance(stop, list) and all(isinstance(s, str) for s in stop)):
            raise _fail("stop must be a string or a list of strings", model, type_error=True)
    if "tool_choice" in params and not isinstance(params["tool_choice"], (str, dict)):
        raise _fail(
            "tool_choice must be 'auto', 'none', 'required' or a dict naming a function", model, type_error=True
        )
    rf = params.get("response_format")
    if rf is not None and not isinstance(rf, dict):
        params["response_format"] = _response_format_from_type(rf, model)
    if "tools" in params:
        for i, tool in enumerate(params["tools"]):
            if not isinstance(tool, dict):
                raise _fail(f"tools[{i}] must be a dict in OpenAI tool form", model, type_error=True)
    if params:
        check_json_values(params, model)
    if extra:
        check_json_values(extra, model, _LOCAL_SUFFIX)
    return ChatCall(model, messages, stream, params, extra, ctl)


def _response_format_from_type(rf: Any, model: str) -> dict[str, Any]:
    """Accept a pydantic model class as response_format, as litellm does: send its JSON schema."""
    schema_fn = getattr(rf, "model_json_schema", None)
    if schema_fn is None:
        raise _fail(
            "response_format must be a dict such as {'type': 'json_object'} or a pydantic model class",
            model,
            type_error=True,
        )
    schema = schema_fn()
    schema.setdefault("additionalProperties", False)
    return {
        "type": "json_schema",
        "json_schema": {"name": getattr(rf, "__name__", "response"), "schema": schema, "strict": True},
    }


def build_embedding_call(model: Any, input: Any, kw: dict[str, Any]) -> EmbeddingCall:
    model = _check_model(model)
    ctl = _controls(kw, model)
    if ctl.mock_response is None:
        _check_embedding_input(input, model)
    params: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for name, value in kw.items():
        if value is None:
            continue
        if name == "dimensions":
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise _fail(f"dimensions must be a positive integer, got {value!r}", model, type_error=True)
            params[name] = value
        elif name == "encoding_format":
            if value not in ("float", "base64"):
                raise _fail(f"encoding_format must be 'float' or 'base64', got {value!r}", model)
            params[name] = value
        elif name == "user":
            params[name] = value
        elif name == "extra_body" and isinstance(value, dict):
            extra.update(value)
        else:
            extra[name] = value
    if extra:
        check_json_values(extra, model, _LOCAL_SUFFIX)
    return EmbeddingCall(model, input, params, extra, ctl)


def _check_embedding_input(value: Any, model: str) -> None:
    if isinstance(value, str):
        if not value:
            raise _fail("input must not be an empty string", model)
        return
    if isinstance(value, list) and value:
        first = value[0]
        if isinstance(first, str):
            if all(isinstance(v, str) and v for v in value):
                return
            raise _fail("input list must hold only non-empty strings", model)
        if isinstance(first, int) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            return  # one pre-tokenized input
        if isinstance(first, list) and all(isinstance(v, list) and v for v in value):
            return  # several pre-tokenized inputs
    raise _fail(
        f"input must be a non-empty string or a non-empty list of strings, got {value!r:.80}",
        model,
        type_error=not isinstance(value, (str, list)),
    )


_RERANK_PARAMS = ("top_n", "rank_fields", "return_documents", "max_chunks_per_doc", "max_tokens_per_doc")


def build_rerank_call(model: Any, query: Any, documents: Any, kw: dict[str, Any]) -> RerankCall:
    """Validate ``rerank(model, query, documents, ...)`` before any request."""
    model = _check_model(model)
    ctl = _controls(kw, model)
    if ctl.mock_response is None or query is not None:
        if not isinstance(query, str) or not query.strip():
            raise _fail(
                f"query must be a non-empty string, got {query!r:.60}", model, type_error=not isinstance(query, str)
            )
    if not isinstance(documents, list) or not documents:
        raise _fail(
            "documents must be a non-empty list of strings or dicts", model, type_error=not isinstance(documents, list)
        )
    for i, doc in enumerate(documents):
        if not isinstance(doc, (str, dict)):
            raise _fail(f"documents[{i}] must be a string or a dict, got {type(doc).__name__}", model, type_error=True)
    params: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for name, value in kw.items():
        if value is None:
            continue
        if name in _RERANK_PARAMS:
            params[name] = value
        else:
            extra[name] = value
    top_n = params.get("top_n")
    if top_n is not None and (not isinstance(top_n, int) or isinstance(top_n, bool) or top_n < 1):
        raise _fail(f"top_n must be a positive integer, got {top_n!r}", model, type_error=not isinstance(top_n, int))
    rank_fields = params.get("rank_fields")
    if rank_fields is not None and not (isinstance(rank_fields, list) and all(isinstance(f, str) for f in rank_fields)):
        raise _fail("rank_fields must be a list of field names", model, type_error=True)
    if "return_documents" in params and not isinstance(params["return_documents"], bool):
        raise _fail("return_documents must be a boolean", model, type_error=True)
    return RerankCall(model, query, documents, params, extra, ctl)


# OpenAI legacy completions parameters (besides model, prompt and stream)
_TEXT_PARAMS = frozenset(
    {
        "max_tokens",
        "temperature",
        "top_p",
        "n",
        "logprobs",
        "echo",
        "stop",
        "presence_penalty",
        "frequency_penalty",
        "best_of",
        "suffix",
        "user",
        "seed",
        "logit_bias",
        "stream_options",
    }
)


def build_text_call(model: Any, prompt: Any, kw: dict[str, Any]) -> TextCall:
    """Validate ``text_completion(model, prompt, ...)`` before any request."""
    model = _check_model(model)
    ctl = _controls(kw, model)
    if ctl.mock_response is None or prompt is not None:
        ok = isinstance(prompt, str) or (
            isinstance(prompt, list)
            and prompt
            and (
                all(isinstance(p, str) for p in prompt)
                or all(isinstance(t, int) and not isinstance(t, bool) for t in prompt)
                or all(isinstance(p, list) and p for p in prompt)
            )
        )
        if not ok:
            raise _fail(
                f"prompt must be a string, a list of strings, or token ids; got {prompt!r:.60}",
                model,
                type_error=not isinstance(prompt, (str, list)),
            )
    stream = kw.pop("stream", False) or False
    if not isinstance(stream, bool):
        raise _fail(f"stream must be a boolean, got {stream!r}", model, type_error=True)
    params: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for name, value in kw.items():
        if value is None:
            continue
        if name in _TEXT_PARAMS:
            if name == "logprobs":
                if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 5:
                    raise _fail(
                        f"logprobs must be an integer from 0 to 5 for text completions, got {value!r}",
                        model,
                        type_error=not isinstance(value, int) or isinstance(value, bool),
                    )
            elif name in ("echo",):
                if not isinstance(value, bool):
                    raise _fail(f"{name} must be a boolean, got {value!r}", model, type_error=True)
            elif name in ("best_of",):
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    raise _fail(f"best_of must be a positive integer, got {value!r}", model, type_error=True)
            else:
                problem = check_param(name, value)
                if problem is not None:
                    raise _fail(problem[0], model, type_error=problem[1])
            params[name] = value
        elif name == "extra_body" and isinstance(value, dict):
            extra.update(value)
        else:
            extra[name] = value
    if params:
        check_json_values(params, model)
    if extra:
        check_json_values(extra, model, _LOCAL_SUFFIX)
    return TextCall(model, prompt, stream, params, extra, ctl)


_IMAGE_PARAMS = frozenset(
    {
        "n",
        "size",
        "quality",
        "style",
        "response_format",
        "user",
        "background",
        "moderation",
        "output_format",
        "output_compression",
    }
)


def build_image_call(model: Any, prompt: Any, kw: dict[str, Any]) -> MediaCall:
    model = _check_model(model)
    ctl = _controls(kw, model)
    if ctl.mock_response is None and (not isinstance(prompt, str) or not prompt.strip()):
        raise _fail(
            f"prompt must be a non-empty string, got {prompt!r:.60}", model, type_error=not isinstance(prompt, str)
        )
    params: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for name, value in kw.items():
        if value is None:
            continue
        if name == "n" and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise _fail(f"n must be a positive integer, got {value!r}", model, type_error=not isinstance(value, int))
        if name == "response_format" and value not in ("url", "b64_json"):
            raise _fail(f"response_format must be 'url' or 'b64_json', got {value!r}", model)
        (params if name in _IMAGE_PARAMS else extra)[name] = value
    return MediaCall(model, prompt, params, extra, ctl)


def build_moderation_call(model: Any, input: Any, kw: dict[str, Any]) -> MediaCall:
    model = _check_model(model or "text-moderation-latest")
    ctl = _controls(kw, model)
    if ctl.mock_response is None:
        ok = (isinstance(input, str) and input != "") or (
            isinstance(input, list) and input and all(isinstance(i, (str, dict)) for i in input)
        )
        if not ok:
            raise _fail(
                f"input must be a non-empty string or list, got {input!r:.60}",
                model,
                type_error=not isinstance(input, (str, list)),
            )
    extra = {k: v for k, v in kw.items() if v is not None}
    return MediaCall(model, input, {}, extra, ctl)
