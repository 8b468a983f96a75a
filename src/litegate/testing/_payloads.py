"""OpenAI-dialect payload builders for the fake server (standard library only).

Everything here is pure: request JSON in, response dicts / SSE event bytes out. The HTTP layer
lives in ``_server.py``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import struct
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode

SYSTEM_FINGERPRINT = "fp_fake00litegate"
DEFAULT_CHAT_MODEL = "gpt-4o-mini"
DEFAULT_EMBEDDING_MODEL = "text-embedding-3-small"
DEFAULT_COMPLETION_MODEL = "gpt-3.5-turbo-instruct"
DEFAULT_EMBEDDING_DIMS = 8


def dumps(obj: Any) -> bytes:
    """Compact JSON as UTF-8 bytes."""
    return _encode(obj).encode("utf-8")


# ---------------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------------

_DEFAULT_ERRORS: dict[int, tuple[str, str | None, str | None]] = {
    # status: (message, type, code)
    400: ("Invalid request: the request body is not valid for this endpoint.", "invalid_request_error", None),
    401: (
        "Incorrect API key provided: sk-fake***********test. You can find your API key at "
        "https://platform.openai.com/account/api-keys.",
        "invalid_request_error",
        "invalid_api_key",
    ),
    403: ("You are not allowed to perform this request.", "invalid_request_error", "permission_denied"),
    404: ("The model does not exist or you do not have access to it.", "invalid_request_error", "model_not_found"),
    408: ("Request timed out.", "timeout", None),
    409: ("The request conflicts with the current state of the resource.", "invalid_request_error", None),
    413: ("The request body is too large.", "invalid_request_error", None),
    422: ("Unprocessable request.", "invalid_request_error", None),
    429: (
        "Rate limit reached for gpt-4o-mini in organization org-fake on requests per min (RPM): "
        "Limit 500, Used 500, Requested 1. Please try again in 120ms. "
        "Visit https://platform.openai.com/account/rate-limits to learn more.",
        "requests",
        "rate_limit_exceeded",
    ),
    500: ("The server had an error while processing your request. Sorry about that!", "server_error", None),
    502: ("Bad gateway.", "server_error", None),
    503: ("The engine is currently overloaded, please try again later.", "server_error", None),
    504: ("Gateway timeout.", "server_error", None),
}

_ERRORS_BY_CODE: dict[str, tuple[str, str | None, str | None]] = {
    # code: (message, type, param)
    "context_length_exceeded": (
        "This model's maximum context length is 128000 tokens. However, your messages resulted in "
        "130512 tokens. Please reduce the length of the messages.",
        "invalid_request_error",
        "messages",
    ),
    "insufficient_quota": (
        "You exceeded your current quota, please check your plan and billing details. For more "
        "information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.",
        "insufficient_quota",
        None,
    ),
    "rate_limit_exceeded": (_DEFAULT_ERRORS[429][0], "requests", None),
    "invalid_api_key": (_DEFAULT_ERRORS[401][0], "invalid_request_error", None),
    "content_filter": (
        "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. "
        "Please modify your prompt and retry.",
        "invalid_request_error",
        "prompt",
    ),
    "model_not_found": (_DEFAULT_ERRORS[404][0], "invalid_request_error", None),
}

_UNSET: Any = object()


def error_body(
    status: int,
    code: Any = _UNSET,
    message: str | None = None,
    type: Any = _UNSET,  # noqa: A002 - mirrors the wire field name
    param: Any = _UNSET,
) -> dict[str, Any]:
    """An OpenAI-shaped ``{"error": {...}}`` body for ``status`` (fields overridable)."""
    if code is not _UNSET and code in _ERRORS_BY_CODE:
        d_msg, d_type, d_param = _ERRORS_BY_CODE[code]
        d_code: str | None = code
    else:
        if status in _DEFAULT_ERRORS:
            d_msg, d_type, d_code = _DEFAULT_ERRORS[status]
        elif status >= 500:
            d_msg, d_type, d_code = _DEFAULT_ERRORS[500]
        else:
            d_msg, d_type, d_code = (f"Request failed with status {status}.", "invalid_request_error", None)
        d_param = None
        if code is not _UNSET:
            d_code = code
    return {
        "error": {
            "message": message if message is not None else d_msg,
            "type": d_type if type is _UNSET else type,
            "param": d_param if param is _UNSET else param,
            "code": d_code,
        }
    }


def azure_auth_error_body() -> dict[str, Any]:
    return {
        "error": {
            "code": "401",
            "message": "Access denied due to invalid subscription key or wrong API endpoint. Make sure to "
            "provide a valid key for an active subscription and use a correct regional API endpoint for "
            "your resource.",
        }
    }


def missing_key_error_body() -> dict[str, Any]:
    return {
        "error": {
            "message": "You didn't provide an API key. You need to provide your API key in an Authorization "
            "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with "
            "blank username) if you're accessing the API from your browser and are prompted for a username "
            "and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
            "type": "invalid_request_error",
            "param": None,
            "code": None,
        }
    }


def wrong_key_error_body(key: str) -> dict[str, Any]:
    masked = (key[:3] + "*" * max(len(key) - 7, 1) + key[-4:]) if len(key) > 8 else "*" * len(key)
    body = error_body(401, code="invalid_api_key")
    body["error"]["message"] = (
        f"Incorrect API key provided: {masked}. You can find your API key at "
        "https://platform.openai.com/account/api-keys."
    )
    return body


def invalid_url_body(method: str, path: str) -> dict[str, Any]:
    return error_body(404, code=None, message=f"Invalid URL ({method} {path})", type="invalid_request_error")


def bad_request_body(message: str, param: str | None = None, code: str | None = None) -> dict[str, Any]:
    return error_body(400, code=code, message=message, type="invalid_request_error", param=param)


# ---------------------------------------------------------------------------------------------
# text helpers
# ---------------------------------------------------------------------------------------------

_SPLIT_WORDS = re.compile(r"(?<=\S)(?=\s)")
_SPLIT_JSON = re.compile(r"[A-Za-z0-9_]+|[^A-Za-z0-9_]+")
_TRIGGER = re.compile(r"\b(weather|call)", re.IGNORECASE)


def split_words(text: str) -> list[str]:
    """Split ``text`` into word pieces (each but the first keeps its leading space); joins back exactly."""
    if not text:
        return []
    return _SPLIT_WORDS.split(text)


def split_json(text: str) -> list[str]:
    """Token-like fragments of a JSON string (concatenation equals the input)."""
    return _SPLIT_JSON.findall(text)


def count_tokens(text: str) -> int:
    """A rough, deterministic token estimate (whitespace-separated words)."""
    return len(text.split()) if text else 0


def content_text(content: Any) -> str:
    """The text of a chat message ``content`` (string or list of parts)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        out = []
        for part in content:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, dict):
                t = part.get("text")
                if isinstance(t, str):
                    out.append(t)
        return " ".join(out)
    return str(content)


def _messages(body: dict[str, Any]) -> list[dict[str, Any]]:
    msgs = body.get("messages")
    if not isinstance(msgs, list):
        return []
    return [m for m in msgs if isinstance(m, dict)]


def last_user_text(body: dict[str, Any]) -> str:
    for m in reversed(_messages(body)):
        if m.get("role") == "user":
            return content_text(m.get("content"))
    return ""


def object_field(body: dict[str, Any], key: str) -> dict[str, Any]:
    """``body[key]`` when it is a JSON object, else an empty one."""
    value = body.get(key)
    return value if isinstance(value, dict) else {}


def _snippet(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 3].rstrip() + "..."
    return text


def chat_reply_text(body: dict[str, Any]) -> str:
    """The deterministic assistant reply for a chat request."""
    last = _snippet(last_user_text(body))
    if last:
        return "This is a fake reply to: " + last
    return "This is a fake reply."


def completion_reply_text(prompt: str) -> str:
    snip = _snippet(prompt)
    if snip:
        return " This is a fake completion for: " + snip
    return " This is a fake completion."


def prompt_tokens_for_chat(body: dict[str, Any]) -> int:
    total = 3
    for m in _messages(body):
        total += 3 + count_tokens(content_text(m.get("content")))
    return total


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def n_choices(body: dict[str, Any]) -> int:
    n = _int_or_none(body.get("n"))
    if n is None or n < 1:
        return 1
    return min(n, 128)


def max_tokens_of(body: dict[str, Any]) -> int | None:
    for key in ("max_completion_tokens", "max_tokens"):
        v = _int_or_none(body.get(key))
        if v is not None and v > 0:
            return v
    return None


def include_usage(body: dict[str, Any]) -> bool:
    so = body.get("stream_options")
    return isinstance(so, dict) and so.get("include_usage") is True


def make_usage(prompt_tokens: int, completion_tokens: int) -> dict[str, Any]:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def normalize_usage(usage: dict[str, Any]) -> dict[str, Any]:
    """Fill ``total_tokens`` (and zero missing counts) in a caller-supplied usage dict."""
    u = dict(usage)
    p = u.setdefault("prompt_tokens", 0)
    c = u.setdefault("completion_tokens", 0)
    if "total_tokens" not in u:
        u["total_tokens"] = (p or 0) + (c or 0)
    return u


# ---------------------------------------------------------------------------------------------
# tool calls
# ---------------------------------------------------------------------------------------------


def example_value(schema: Any, name: str = "", depth: int = 0) -> Any:
    """A deterministic example value for a JSON-schema fragment."""
    if not isinstance(schema, dict) or depth > 6:
        return f"{name}_value" if name else "value"
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return enum[0]
    if "const" in schema:
        return schema["const"]
    typ = schema.get("type")
    if isinstance(typ, list):
        typ = next((t for t in typ if t != "null"), "null")
    if typ is None:
        for key in ("anyOf", "oneOf", "allOf"):
            alts = schema.get(key)
            if isinstance(alts, list) and alts:
                return example_value(alts[0], name, depth + 1)
        if "properties" in schema:
            typ = "object"
        else:
            typ = "string"
    if typ == "object":
        props = schema.get("properties")
        if not isinstance(props, dict):
            return {}
        return {k: example_value(v, k, depth + 1) for k, v in props.items()}
    if typ == "array":
        return [example_value(schema.get("items"), name, depth + 1)]
    if typ == "integer":
        return 1
    if typ == "number":
        return 1.5
    if typ == "boolean":
        return True
    if typ == "null":
        return None
    lname = name.lower()
    if lname in ("location", "city", "place", "address"):
        return "San Francisco, CA"
    if lname in ("unit", "units"):
        return "celsius"
    return f"{name}_value" if name else "value"


def _function_of(item: dict[str, Any]) -> dict[str, Any]:
    """The ``function`` object of a tool, tool choice or tool call (the item itself in the legacy form)."""
    fn = item.get("function")
    return fn if isinstance(fn, dict) else item


def _function_defs(body: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    """(function definitions, legacy) from ``tools`` or, failing that, legacy ``functions``."""
    tools = body.get("tools")
    out: list[dict[str, Any]] = []
    if isinstance(tools, list) and tools:
        for t in tools:
            if not isinstance(t, dict):
                continue
            fn = _function_of(t)
            if isinstance(fn.get("name"), str):
                out.append(fn)
        return out, False
    functions = body.get("functions")
    if isinstance(functions, list) and functions:
        out = [f for f in functions if isinstance(f, dict) and isinstance(f.get("name"), str)]
        return out, True
    return out, False


def choose_tool_calls(body: dict[str, Any]) -> tuple[list[tuple[str, str]] | None, bool]:
    """Decide whether the default reply is a tool call.

    Returns ``([(name, arguments_json), ...] or None, legacy_function_call)``.
    """
    fns, legacy = _function_defs(body)
    choice = body.get("function_call" if legacy else "tool_choice")
    forced: str | None = None
    if choice == "none":
        return None, legacy
    if isinstance(choice, dict):
        fn = _function_of(choice)
        if isinstance(fn.get("name"), str):
            forced = fn["name"]
    if forced is None and not fns:
        return None, legacy
    by_name = {f["name"]: f for f in fns}
    text = last_user_text(body)
    chosen: list[dict[str, Any]]
    if forced is not None:
        chosen = [by_name.get(forced, {"name": forced})]
    elif choice in ("required", "any") or _TRIGGER.search(text):
        low = text.lower()
        mentioned = [f for f in fns if f["name"].lower() in low]
        if len(mentioned) > 1 and body.get("parallel_tool_calls") is not False and not legacy:
            chosen = mentioned
        elif mentioned:
            chosen = mentioned[:1]
        else:
            weather = [f for f in fns if "weather" in f["name"].lower()] if "weather" in low else []
            chosen = (weather or fns)[:1]
    else:
        return None, legacy
    calls = []
    for f in chosen:
        args = example_value(f.get("parameters") or {"type": "object", "properties": {}})
        if not isinstance(args, dict):
            args = {}
        calls.append((f["name"], _encode(args)))
    return calls, legacy


def normalize_tool_calls(tool_calls: list[Any]) -> list[tuple[str, str, str | None]]:
    """Caller-supplied tool calls -> [(name, arguments_json, id_or_None)].

    Accepts the OpenAI form ``{"id", "type", "function": {"name", "arguments"}}`` or the shorthand
    ``{"name": ..., "arguments": dict | str}`` (or ``(name, arguments)`` tuples).
    """
    out = []
    for tc in tool_calls:
        if isinstance(tc, (tuple, list)):
            name, args = tc[0], tc[1] if len(tc) > 1 else {}
            call_id = None
        elif isinstance(tc, dict):
            fn = _function_of(tc)
            name = fn.get("name", "function")
            args = fn.get("arguments", {})
            call_id = tc.get("id")
        else:
            raise TypeError(f"unsupported tool call spec: {tc!r}")
        if not isinstance(args, str):
            args = _encode(args)
        out.append((str(name), args, call_id))
    return out


def tool_call_objects(tool_calls: list[Any]) -> list[tuple[str, dict[str, Any], str | None]]:
    """:func:`normalize_tool_calls` with the arguments as a JSON object (a non-object is ``{"value": v}``)."""
    out = []
    for name, args, call_id in normalize_tool_calls(tool_calls):
        value = json.loads(args) if args else {}
        out.append((name, value if isinstance(value, dict) else {"value": value}, call_id))
    return out


# ---------------------------------------------------------------------------------------------
# chat completions
# ---------------------------------------------------------------------------------------------


@dataclass(eq=False)
class _Plan:
    """What every reply says: the model, ``n`` choices, their finish reason and the usage."""

    model: str
    n: int
    finish_reason: str
    usage: dict[str, Any]


@dataclass(eq=False)
class ChatPlan(_Plan):
    """What a chat reply says, shared by the JSON and the SSE renderings."""

    content: str | None
    pieces: list[str]
    tool_calls: list[tuple[str, str, str]] | None
    legacy: bool


def plan_chat(
    body: dict[str, Any],
    model: str,
    new_call_id: Callable[[], str],
    content: str | None = None,
    tool_calls: list[Any] | None = None,
    finish_reason: str | None = None,
    usage: dict[str, Any] | None = None,
    use_default: bool = True,
) -> ChatPlan:
    """Build the reply plan for a chat request.

    With ``use_default`` the content / tool calls are derived from the request; otherwise the given
    ``content`` / ``tool_calls`` are used as-is.
    """
    n = n_choices(body)
    legacy = False
    calls: list[tuple[str, str, str]] | None = None
    if use_default:
        chosen, legacy = choose_tool_calls(body)
        if chosen:
            calls = [(name, args, new_call_id()) for name, args in chosen]
            content = None
        else:
            content = chat_reply_text(body)
    elif tool_calls:
        calls = [(name, args, cid or new_call_id()) for name, args, cid in normalize_tool_calls(tool_calls)]

    pieces: list[str] = []
    if calls:
        fr = "function_call" if legacy else "tool_calls"
        completion = sum(max(1, len(args) // 4) for _, args, _ in calls)
    else:
        pieces = split_words(content or "")
        fr = "stop"
        limit = max_tokens_of(body) if use_default else None
        if limit is not None and len(pieces) > limit:
            pieces = pieces[:limit]
            content = "".join(pieces)
            fr = "length"
        completion = len(pieces)
    if finish_reason is not None:
        fr = finish_reason
    if usage is not None:
        u = normalize_usage(usage)
    else:
        u = make_usage(prompt_tokens_for_chat(body), completion * n)
    return ChatPlan(model, n, fr, u, content, pieces, calls, legacy)


def chat_completion(plan: ChatPlan, completion_id: str, created: int, azure: bool = False) -> dict[str, Any]:
    choices = []
    for i in range(plan.n):
        msg: dict[str, Any] = {"role": "assistant", "content": plan.content, "refusal": None, "annotations": []}
        if plan.tool_calls:
            if plan.legacy:
                name, args, _ = plan.tool_calls[0]
                msg["function_call"] = {"name": name, "arguments": args}
            else:
                msg["tool_calls"] = [
                    {"id": cid, "type": "function", "function": {"name": name, "arguments": args}}
                    for name, args, cid in plan.tool_calls
                ]
        choice: dict[str, Any] = {"index": i, "message": msg, "logprobs": None, "finish_reason": plan.finish_reason}
        if azure:
            choice["content_filter_results"] = _AZURE_FILTER_OK
        choices.append(choice)
    out: dict[str, Any] = {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": plan.model,
        "choices": choices,
        "usage": plan.usage,
        "service_tier": "default",
        "system_fingerprint": SYSTEM_FINGERPRINT,
    }
    if azure:
        out["prompt_filter_results"] = [{"prompt_index": 0, "content_filter_results": _AZURE_FILTER_OK}]
    return out


_AZURE_FILTER_OK = {
    "hate": {"filtered": False, "severity": "safe"},
    "self_harm": {"filtered": False, "severity": "safe"},
    "sexual": {"filtered": False, "severity": "safe"},
    "violence": {"filtered": False, "severity": "safe"},
}


DONE_EVENT = b"data: [DONE]\n\n"


def _chunk_prefix(obj: str, completion_id: str, created: int, model: str) -> str:
    """The start of every ``data:`` line of a stream, up to the opening of its ``choices`` list."""
    head = _encode(
        {
            "id": completion_id,
            "object": obj,
            "created": created,
            "model": model,
            "system_fingerprint": SYSTEM_FINGERPRINT,
        }
    )
    return "data: " + head[:-1] + ',"choices":['


def chat_stream_events(plan: ChatPlan, completion_id: str, created: int, with_usage: bool) -> list[bytes]:
    """The SSE events (without the final ``[DONE]``) streaming ``plan``."""
    prefix = _chunk_prefix("chat.completion.chunk", completion_id, created, plan.model)
    tail = "]}\n\n"
    events: list[str] = []
    n = plan.n
    choice_tail = ',"logprobs":null,"finish_reason":null}'

    if plan.tool_calls:
        for i in range(n):
            events.append(
                f'{prefix}{{"index":{i},"delta":{{"role":"assistant","content":null,"refusal":null}}{choice_tail}{tail}'
            )
        for i in range(n):
            for t_index, (name, args, cid) in enumerate(plan.tool_calls):
                first: dict[str, Any]
                if plan.legacy:
                    first = {"function_call": {"name": name, "arguments": ""}}
                else:
                    first = {
                        "tool_calls": [
                            {
                                "index": t_index,
                                "id": cid,
                                "type": "function",
                                "function": {"name": name, "arguments": ""},
                            }
                        ]
                    }
                events.append(f'{prefix}{{"index":{i},"delta":{_encode(first)}{choice_tail}{tail}')
                for frag in split_json(args):
                    delta: dict[str, Any]
                    if plan.legacy:
                        delta = {"function_call": {"arguments": frag}}
                    else:
                        delta = {"tool_calls": [{"index": t_index, "function": {"arguments": frag}}]}
                    events.append(f'{prefix}{{"index":{i},"delta":{_encode(delta)}{choice_tail}{tail}')
                if plan.legacy:
                    break
    else:
        for i in range(n):
            events.append(
                f'{prefix}{{"index":{i},"delta":{{"role":"assistant","content":"","refusal":null}}{choice_tail}{tail}'
            )
        for piece in plan.pieces:
            piece_json = _encode(piece)
            for i in range(n):
                events.append(f'{prefix}{{"index":{i},"delta":{{"content":{piece_json}}}{choice_tail}{tail}')
    fr = _encode(plan.finish_reason)
    for i in range(n):
        events.append(f'{prefix}{{"index":{i},"delta":{{}},"logprobs":null,"finish_reason":{fr}}}{tail}')
    if with_usage:
        events.append(f'{prefix}],"usage":{_encode(plan.usage)}}}\n\n')
    return [e.encode("utf-8") for e in events]


# ---------------------------------------------------------------------------------------------
# legacy text completions
# ---------------------------------------------------------------------------------------------


def _prompts(body: dict[str, Any]) -> list[str]:
    prompt = body.get("prompt", "")
    if isinstance(prompt, str):
        return [prompt]
    if isinstance(prompt, list):
        if not prompt:
            return [""]
        if all(isinstance(p, int) and not isinstance(p, bool) for p in prompt):
            return [" ".join(str(p) for p in prompt)]
        return [
            p if isinstance(p, str) else " ".join(str(x) for x in p) if isinstance(p, list) else str(p) for p in prompt
        ]
    return [str(prompt)]


@dataclass(eq=False)
class CompletionPlan(_Plan):
    """What a legacy completion says: one text (and its stream pieces) per prompt."""

    texts: list[str]
    pieces: list[list[str]]


def plan_completion(
    body: dict[str, Any],
    model: str,
    content: str | None = None,
    finish_reason: str | None = None,
    usage: dict[str, Any] | None = None,
) -> CompletionPlan:
    prompts = _prompts(body)
    n = n_choices(body)
    limit = max_tokens_of(body)
    texts: list[str] = []
    pieces: list[list[str]] = []
    fr = "stop"
    completion = 0
    for p in prompts:
        text = content if content is not None else completion_reply_text(p)
        ps = split_words(text)
        if content is None and limit is not None and len(ps) > limit:
            ps = ps[:limit]
            text = "".join(ps)
            fr = "length"
        texts.append(text)
        pieces.append(ps)
        completion += len(ps) * n
    if finish_reason is not None:
        fr = finish_reason
    if usage is not None:
        u = normalize_usage(usage)
    else:
        u = {
            "prompt_tokens": sum(max(1, count_tokens(p)) for p in prompts),
            "completion_tokens": completion,
        }
        u["total_tokens"] = u["prompt_tokens"] + u["completion_tokens"]
    return CompletionPlan(model, n, fr, u, texts, pieces)


def text_completion(plan: CompletionPlan, completion_id: str, created: int) -> dict[str, Any]:
    choices = []
    idx = 0
    for text in plan.texts:
        for _ in range(plan.n):
            choices.append({"text": text, "index": idx, "logprobs": None, "finish_reason": plan.finish_reason})
            idx += 1
    return {
        "id": completion_id,
        "object": "text_completion",
        "created": created,
        "model": plan.model,
        "system_fingerprint": SYSTEM_FINGERPRINT,
        "choices": choices,
        "usage": plan.usage,
    }


def completion_stream_events(plan: CompletionPlan, completion_id: str, created: int, with_usage: bool) -> list[bytes]:
    prefix = _chunk_prefix("text_completion", completion_id, created, plan.model)
    tail = "]}\n\n"
    events: list[str] = []
    idx = 0
    for ps in plan.pieces:
        for _ in range(plan.n):
            for piece in ps:
                events.append(
                    f'{prefix}{{"text":{_encode(piece)},"index":{idx},"logprobs":null,"finish_reason":null}}{tail}'
                )
            events.append(
                f'{prefix}{{"text":"","index":{idx},"logprobs":null,"finish_reason":{_encode(plan.finish_reason)}}}{tail}'
            )
            idx += 1
    if with_usage:
        events.append(f'{prefix}],"usage":{_encode(plan.usage)}}}\n\n')
    return [e.encode("utf-8") for e in events]


# ---------------------------------------------------------------------------------------------
# embeddings
# ---------------------------------------------------------------------------------------------


def embedding_inputs(value: Any) -> list[Any] | None:
    """Normalise ``input`` to a list of items (strings or token lists); None when invalid."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value:
        if all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            return [value]
        if all(isinstance(v, str) for v in value):
            return list(value)
        if all(isinstance(v, list) and all(isinstance(x, int) and not isinstance(x, bool) for x in v) for v in value):
            return list(value)
    return None


@lru_cache(maxsize=4096)
def _vector_bytes(key: bytes, dims: int) -> bytes:
    raw = hashlib.shake_256(key).digest(2 * dims)
    ints = struct.unpack(f"<{dims}H", raw)
    vals = [x / 32767.5 - 1.0 for x in ints]
    norm = math.sqrt(sum(v * v for v in vals)) or 1.0
    return struct.pack(f"<{dims}f", *[v / norm for v in vals])


def embedding_vector_bytes(item: str | Iterable[int], dims: int) -> bytes:
    """Little-endian float32 bytes of the deterministic, unit-length embedding of ``item``."""
    if isinstance(item, str):
        key = b"s:" + item.encode("utf-8")
    else:
        key = b"t:" + ",".join(str(int(x)) for x in item).encode("ascii")
    return _vector_bytes(key, dims)


def embedding_vector(item: str | Iterable[int], dims: int = DEFAULT_EMBEDDING_DIMS) -> list[float]:
    """The deterministic embedding the fake server returns for ``item`` (a string or token list)."""
    return list(struct.unpack(f"<{dims}f", embedding_vector_bytes(item, dims)))


def embeddings_response(items: list[Any], dims: int, model: str, base64_format: bool) -> dict[str, Any]:
    data = []
    tokens = 0
    for i, item in enumerate(items):
        raw = embedding_vector_bytes(item, dims)
        if base64_format:
            emb: Any = base64.b64encode(raw).decode("ascii")
        else:
            emb = list(struct.unpack(f"<{dims}f", raw))
        data.append({"object": "embedding", "index": i, "embedding": emb})
        tokens += max(1, count_tokens(item)) if isinstance(item, str) else len(item)
    return {
        "object": "list",
        "data": data,
        "model": model,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }


# ---------------------------------------------------------------------------------------------
# models
# ---------------------------------------------------------------------------------------------

MODEL_IDS = (
    "gpt-4o-mini",
    "gpt-4o",
    "gpt-4.1-mini",
    "gpt-3.5-turbo",
    "gpt-3.5-turbo-instruct",
    "text-embedding-3-small",
    "text-embedding-3-large",
    "text-embedding-ada-002",
)


def model_object(model_id: str) -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": 1686935002, "owned_by": "openai"}


def models_list() -> dict[str, Any]:
    return {"object": "list", "data": [model_object(m) for m in MODEL_IDS]}
