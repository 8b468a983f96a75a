"""A fake Anthropic Messages API server (standard library only).

``FakeAnthropicServer`` is a dialect of the fake-server base (same life cycle, recording, queueing
and transport faults as :class:`FakeOpenAIServer`) and speaks Anthropic's wire format:

* ``POST /v1/messages``: JSON replies and SSE streams with every event type (``message_start``,
  ``content_block_start`` / ``_delta`` / ``_stop`` for text, thinking + signature and tool use with
  ``input_json_delta``, ``ping``, ``message_delta`` with usage, ``message_stop``);
* ``POST /v1/messages/count_tokens`` and ``GET /v1/models``;
* requests are checked like the real API (required fields, unknown fields, roles, tool_use /
  tool_result pairing, thinking budget, a final assistant prefill ending in whitespace, the API key
  and ``anthropic-version`` headers) and rejected with Anthropic error bodies;
* prompt caching is simulated: the prefix up to the last ``cache_control`` breakpoint is reported
  as ``cache_creation_input_tokens`` the first time and as ``cache_read_input_tokens`` after
  (no minimum prefix length, unlike the real API);
* ``enqueue_error`` (Anthropic error bodies; 429 with ``retry-after``; 529 ``overloaded_error``),
  ``enqueue_reply``, ``enqueue_stream``, ``enqueue_raw`` and ``enqueue_fault`` (``reset``,
  ``stall``, ``cut_stream``, ``malformed_stream``, ``stream_error_event``, ``no_message_stop``).

The default reply is deterministic: a tool call when tools are offered and the last user text
asks for the weather or to call something (or ``tool_choice`` forces one), JSON matching the
schema for structured outputs, otherwise ``"This is a fake reply to: <last user text>"``; a
thinking block first when ``thinking`` is enabled.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import _payloads as P
from ._server import (
    Answer,
    Call,
    Events,
    FakeServerBase,
    Invalid,
    RecordedRequest,
    Route,
    Streams,
    _Raw,
    _Reply,
    encode_typed_event,
    typed_sse,
)

__all__ = ["FakeAnthropicServer", "ANTHROPIC_FAULT_KINDS"]

ANTHROPIC_FAULT_KINDS = frozenset(
    {"reset", "stall", "cut_stream", "malformed_stream", "stream_error_event", "no_message_stop", "no_done"}
)
DEFAULT_MODEL = "claude-sonnet-4-5-20250929"
MODEL_IDS = (
    "claude-opus-4-5-20251101",
    "claude-sonnet-4-5-20250929",
    "claude-haiku-4-5-20251001",
    "claude-opus-4-1-20250805",
    "claude-sonnet-4-20250514",
    "claude-3-7-sonnet-20250219",
    "claude-3-5-haiku-20241022",
)

_REQUEST_FIELDS = frozenset(
    {
        "model",
        "messages",
        "max_tokens",
        "system",
        "stop_sequences",
        "temperature",
        "top_p",
        "top_k",
        "stream",
        "metadata",
        "tools",
        "tool_choice",
        "thinking",
        "service_tier",
        "container",
        "mcp_servers",
        "output_config",
        "output_format",
        "context_management",
        "cache_control",
        "inference_geo",
    }
)
_BLOCK_TYPES = frozenset(
    {
        "text",
        "image",
        "document",
        "search_result",
        "tool_use",
        "tool_result",
        "thinking",
        "redacted_thinking",
        "server_tool_use",
        "web_search_tool_result",
        "container_upload",
        "tool_reference",
    }
)
_IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,128}$")
_TRIGGER = re.compile(r"\b(weather|call)", re.IGNORECASE)
_RETRYABLE = frozenset({408, 429, 500, 502, 503, 504, 529})

# status -> (error type, default message), from the Anthropic errors documentation
ERROR_TYPES: dict[int, tuple[str, str]] = {
    400: ("invalid_request_error", "There was an issue with the format or content of your request."),
    401: ("authentication_error", "invalid x-api-key"),
    402: ("billing_error", "There is an issue with your account's billing or payment information."),
    403: ("permission_error", "Your API key does not have permission to use the specified resource."),
    404: ("not_found_error", "The requested resource was not found."),
    413: ("request_too_large", "Request exceeds the maximum allowed number of bytes."),
    429: (
        "rate_limit_error",
        "This request would exceed the rate limit for your organization of 50 requests "
        "per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits.",
    ),
    500: ("api_error", "Internal server error"),
    504: ("timeout_error", "Request timed out"),
    529: ("overloaded_error", "Overloaded"),
}

_MALFORMED_EVENT = b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{not json\n\n'
_PING = b'event: ping\ndata: {"type": "ping"}\n\n'


def error_body(
    status: int,
    message: str | None = None,
    type: str | None = None,  # noqa: A002
    request_id: str | None = None,
) -> dict[str, Any]:
    """Anthropic's error body: ``{"type": "error", "error": {"type", "message"}, "request_id"}``."""
    kind, default = ERROR_TYPES.get(status, ("api_error" if status >= 500 else "invalid_request_error", "Error"))
    body: dict[str, Any] = {"type": "error", "error": {"type": type or kind, "message": message or default}}
    if request_id:
        body["request_id"] = request_id
    return body


sse = typed_sse  # one event in the ``event:`` + ``data:`` framing


# ---------------------------------------------------------------------------------------------
# request checks
# ---------------------------------------------------------------------------------------------


def _turns(messages: list[Any]) -> list[dict[str, Any]]:
    """Check roles and content; merge consecutive same-role turns as the API does."""
    out: list[dict[str, Any]] = []
    last = len(messages) - 1
    for i, msg in enumerate(messages):
        if not isinstance(msg, dict):
            raise Invalid(f"messages.{i}: Input should be a valid dictionary")
        role = msg.get("role")
        if role not in ("user", "assistant"):
            hint = " The Messages API accepts a top-level `system` parameter." if role == "system" else ""
            raise Invalid(f"messages.{i}.role: Input should be 'user' or 'assistant'.{hint}")
        content = msg.get("content")
        if isinstance(content, str):
            if not content and not (role == "assistant" and i == last):
                raise Invalid(
                    f"messages.{i}: all messages must have non-empty content except for the optional "
                    "final assistant message"
                )
            blocks = [{"type": "text", "text": content}] if content else []
        elif isinstance(content, list):
            if not content and not (role == "assistant" and i == last):
                raise Invalid(
                    f"messages.{i}: all messages must have non-empty content except for the optional "
                    "final assistant message"
                )
            for j, block in enumerate(content):
                _check_block(block, f"messages.{i}.content.{j}")
            blocks = list(content)
        else:
            raise Invalid(f"messages.{i}.content: Field required")
        extra = set(msg) - {"role", "content"}
        if extra:
            raise Invalid(f"messages.{i}.{sorted(extra)[0]}: Extra inputs are not permitted")
        if out and out[-1]["role"] == role:
            out[-1]["content"].extend(blocks)
        else:
            out.append({"role": role, "content": blocks})
    return out


def _check_block(block: Any, where: str) -> None:
    if not isinstance(block, dict) or not isinstance(block.get("type"), str):
        raise Invalid(f"{where}: Input should be a valid dictionary or object to extract fields from")
    kind = block["type"]
    if kind not in _BLOCK_TYPES:
        raise Invalid(f"{where}.type: Input tag '{kind}' found using 'type' does not match any of the expected tags")
    if kind == "text":
        text = block.get("text")
        if not isinstance(text, str):
            raise Invalid(f"{where}.text: Field required")
        if not text.strip():
            raise Invalid("messages: text content blocks must contain non-whitespace text")
    elif kind == "image":
        src = block.get("source")
        if not isinstance(src, dict):
            raise Invalid(f"{where}.image.source: Field required")
        if src.get("type") == "base64":
            if src.get("media_type") not in _IMAGE_TYPES:
                raise Invalid(
                    f"{where}.image.source.base64.media_type: Input should be 'image/jpeg', "
                    "'image/png', 'image/gif' or 'image/webp'"
                )
            try:
                base64.b64decode(src.get("data") or "", validate=True)
            except (ValueError, TypeError):
                raise Invalid(f"{where}.image.source.base64.data: invalid base64 data") from None
        elif src.get("type") == "url":
            if not str(src.get("url", "")).startswith(("http://", "https://")):
                raise Invalid(f"{where}.image.source.url.url: invalid URL")
        elif src.get("type") != "file":
            raise Invalid(
                f"{where}.image.source: Input tag '{src.get('type')}' does not match any of the "
                "expected tags: 'base64', 'url', 'file'"
            )
    elif kind == "tool_use":
        if not isinstance(block.get("id"), str) or not block["id"]:
            raise Invalid(f"{where}.tool_use.id: Field required")
        if not isinstance(block.get("name"), str):
            raise Invalid(f"{where}.tool_use.name: Field required")
        if not isinstance(block.get("input"), dict):
            raise Invalid(f"{where}.tool_use.input: Input should be a valid dictionary")
    elif kind == "tool_result":
        if not isinstance(block.get("tool_use_id"), str) or not block["tool_use_id"]:
            raise Invalid(f"{where}.tool_result.tool_use_id: Field required")
        content = block.get("content")
        if isinstance(content, list):
            for k, inner in enumerate(content):
                _check_block(inner, f"{where}.tool_result.content.{k}")
    elif kind == "thinking":
        if not isinstance(block.get("signature"), str) or not isinstance(block.get("thinking"), str):
            raise Invalid(f"{where}.thinking.signature: Field required")


def _check_tool_pairing(turns: list[dict[str, Any]]) -> None:
    for i, turn in enumerate(turns):
        if turn["role"] == "user":
            prev_ids = set()
            if i > 0:
                prev_ids = {b.get("id") for b in turns[i - 1]["content"] if b.get("type") == "tool_use"}
            for j, block in enumerate(turn["content"]):
                if block.get("type") == "tool_result" and block.get("tool_use_id") not in prev_ids:
                    raise Invalid(
                        f"messages.{i}.content.{j}: unexpected `tool_use_id` found in `tool_result` blocks: "
                        f"{block.get('tool_use_id')}. Each `tool_result` block must have a corresponding "
                        "`tool_use` block in the previous message."
                    )
        elif i + 1 < len(turns):
            ids = [b.get("id") for b in turn["content"] if b.get("type") == "tool_use"]
            if ids:
                answered = {b.get("tool_use_id") for b in turns[i + 1]["content"] if b.get("type") == "tool_result"}
                missing = [x for x in ids if x not in answered]
                if missing:
                    raise Invalid(
                        f"messages.{i + 1}: `tool_use` ids were found without `tool_result` blocks immediately "
                        f"after: {', '.join(missing)}. Each `tool_use` block must have a corresponding "
                        "`tool_result` block in the next message."
                    )


def check_request(body: Any) -> list[dict[str, Any]]:
    """Validate a Messages request like the API; returns the merged turns or raises ``Invalid``."""
    if not isinstance(body, dict):
        raise Invalid("The request body is not valid JSON.")
    for name in ("model", "max_tokens", "messages"):
        if name not in body:
            raise Invalid(f"{name}: Field required")
    extra = sorted(set(body) - _REQUEST_FIELDS)
    if extra:
        raise Invalid(f"{extra[0]}: Extra inputs are not permitted")
    if not isinstance(body["model"], str) or not body["model"]:
        raise Invalid("model: Input should be a valid string")
    mt = body["max_tokens"]
    if isinstance(mt, bool) or not isinstance(mt, int) or mt < 0:
        raise Invalid("max_tokens: Input should be a valid integer greater than or equal to 0")
    messages = body["messages"]
    if not isinstance(messages, list) or not messages:
        raise Invalid("messages: at least one message is required")
    for name in ("temperature", "top_p"):
        value = body.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise Invalid(f"{name}: Input should be less than or equal to 1")
    stops = body.get("stop_sequences")
    if stops is not None and (not isinstance(stops, list) or not all(isinstance(s, str) for s in stops)):
        raise Invalid("stop_sequences: Input should be a valid list of strings")
    system = body.get("system")
    if system is not None and not isinstance(system, str):
        if not isinstance(system, list):
            raise Invalid("system: Input should be a valid string or list")
        for j, block in enumerate(system):
            if not isinstance(block, dict) or block.get("type") != "text" or not isinstance(block.get("text"), str):
                raise Invalid(f"system.{j}: Input should be a text block")
    md = body.get("metadata")
    if md is not None and (not isinstance(md, dict) or set(md) - {"user_id"}):
        raise Invalid("metadata: only user_id is permitted")
    tools = body.get("tools")
    names = set()
    if tools is not None:
        if not isinstance(tools, list):
            raise Invalid("tools: Input should be a valid list")
        for i, tool in enumerate(tools):
            if not isinstance(tool, dict):
                raise Invalid(f"tools.{i}: Input should be a valid dictionary")
            if tool.get("type") not in (None, "custom"):
                names.add(tool.get("name"))
                continue  # a server tool
            if not isinstance(tool.get("name"), str) or not _TOOL_NAME.match(tool["name"]):
                raise Invalid(f"tools.{i}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{{1,128}}$'")
            schema = tool.get("input_schema")
            if not isinstance(schema, dict) or schema.get("type") != "object":
                raise Invalid(f"tools.{i}.custom.input_schema.type: Input should be 'object'")
            extra_keys = set(tool) - {
                "type",
                "name",
                "description",
                "input_schema",
                "cache_control",
                "strict",
                "input_examples",
                "allowed_callers",
                "defer_loading",
                "eager_input_streaming",
            }
            if extra_keys:
                raise Invalid(f"tools.{i}.custom.{sorted(extra_keys)[0]}: Extra inputs are not permitted")
            names.add(tool["name"])
    choice = body.get("tool_choice")
    if choice is not None:
        if not isinstance(choice, dict) or choice.get("type") not in ("auto", "any", "tool", "none"):
            raise Invalid(
                "tool_choice: Input tag does not match any of the expected tags: 'auto', 'any', 'tool', 'none'"
            )
        if choice["type"] == "tool" and choice.get("name") not in names:
            raise Invalid(f"tool_choice.tool.name: tool {choice.get('name')!r} is not in tools")
    thinking = body.get("thinking")
    if thinking is not None:
        kind = thinking.get("type") if isinstance(thinking, dict) else None
        if kind == "enabled":
            budget = thinking.get("budget_tokens")
            if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1024:
                raise Invalid("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024")
            if mt <= budget:
                raise Invalid(
                    "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our "
                    "documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking"
                )
        elif kind not in ("disabled", "adaptive"):
            raise Invalid(
                "thinking: Input tag does not match any of the expected tags: 'enabled', 'disabled', 'adaptive'"
            )
    oc = body.get("output_config")
    if oc is not None:
        fmt = oc.get("format") if isinstance(oc, dict) else None
        if fmt is not None and (
            not isinstance(fmt, dict) or fmt.get("type") != "json_schema" or not isinstance(fmt.get("schema"), dict)
        ):
            raise Invalid("output_config.format: expected {'type': 'json_schema', 'schema': {...}}")
    turns = _turns(messages)
    _check_tool_pairing(turns)
    _check_prefill(turns)
    return turns


def _check_prefill(turns: list[dict[str, Any]]) -> None:
    """A final assistant turn is a prefill the model continues; the API refuses one whose last text
    ends with whitespace."""
    last = turns[-1] if turns else None
    if last is None or last["role"] != "assistant" or not last["content"]:
        return
    block = last["content"][-1]
    if isinstance(block, dict) and block.get("type") == "text":
        text = block.get("text")
        if isinstance(text, str) and text and text != text.rstrip():
            raise Invalid("messages: final assistant content cannot end with trailing whitespace")


# ---------------------------------------------------------------------------------------------
# replies
# ---------------------------------------------------------------------------------------------


def _block_text(block: dict[str, Any]) -> str:
    kind = block.get("type")
    if kind == "text":
        return str(block.get("text", ""))
    if kind == "tool_result":
        content = block.get("content")
        if isinstance(content, str):
            return content
        if isinstance(content, list):
            return " ".join(_block_text(b) for b in content if isinstance(b, dict))
    return ""


def _tokens(obj: Any) -> int:
    """A rough, deterministic token count of any request fragment."""
    if isinstance(obj, str):
        return P.count_tokens(obj)
    if isinstance(obj, dict):
        if obj.get("type") in ("image", "document"):
            return 85
        return 1 + sum(_tokens(v) for k, v in obj.items() if k not in ("type", "cache_control", "id"))
    if isinstance(obj, list):
        return sum(_tokens(v) for v in obj)
    return 0


def _segments(body: dict[str, Any], turns: list[dict[str, Any]]) -> list[Any]:
    """The prompt in cache order (tools, system, message blocks)."""
    segs: list[Any] = list(body.get("tools") or [])
    system = body.get("system")
    if isinstance(system, str):
        segs.append({"type": "text", "text": system})
    elif isinstance(system, list):
        segs.extend(system)
    for turn in turns:
        segs.extend(turn["content"])
    return segs


@dataclass(eq=False, slots=True)
class _Plan:
    blocks: list[dict[str, Any]]
    stop_reason: str
    stop_sequence: str | None
    usage: dict[str, Any]
    model: str


def _example_input(tool: dict[str, Any]) -> dict[str, Any]:
    value = P.example_value(tool.get("input_schema") or {"type": "object", "properties": {}})
    return value if isinstance(value, dict) else {}


def _choose_tools(body: dict[str, Any], turns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    tools = [t for t in body.get("tools") or [] if isinstance(t, dict) and t.get("type") in (None, "custom")]
    choice = body.get("tool_choice") or {"type": "auto"}
    kind = choice.get("type")
    if not tools or kind == "none":
        return []
    by_name = {t["name"]: t for t in tools}
    if kind == "tool":
        return [by_name[choice["name"]]]
    last: dict[str, Any] = turns[-1] if turns else {"role": "user", "content": []}
    if last["role"] != "user":
        return []
    answered = any(b.get("type") == "tool_result" for b in last["content"])
    text = " ".join(_block_text(b) for b in last["content"] if b.get("type") == "text")
    if kind != "any" and (answered or not _TRIGGER.search(text)):
        return []
    low = text.lower()
    mentioned = [t for t in tools if t["name"].lower() in low]
    if len(mentioned) > 1 and not choice.get("disable_parallel_tool_use"):
        return mentioned
    if mentioned:
        return mentioned[:1]
    weather = [t for t in tools if "weather" in t["name"].lower()] if "weather" in low else []
    return (weather or tools)[:1]


def _last_user_text(turns: list[dict[str, Any]]) -> str:
    for turn in reversed(turns):
        if turn["role"] == "user":
            return " ".join(t for t in (_block_text(b) for b in turn["content"]) if t)
    return ""


def _signature(text: str) -> str:
    return base64.b64encode(b"fake-signature:" + hashlib.sha256(text.encode()).digest()[:12]).decode()


# ---------------------------------------------------------------------------------------------
# the server
# ---------------------------------------------------------------------------------------------


class FakeAnthropicServer(FakeServerBase):
    """An Anthropic Messages API server on 127.0.0.1 for tests, demos and benchmarks.

    Same life cycle and helpers as the other fake servers (``with`` / ``start()`` / ``stop()``,
    ``requests``, ``last_request``, ``hits()``, ``reset()``, ``enqueue_*``)::

        with FakeAnthropicServer() as srv:
            client = anthropic.Anthropic(base_url=srv.base_url, api_key="sk-ant-test")
            srv.enqueue_error(529, count=2)
            ...
            assert srv.hits("/v1/messages") == 3

    ``base_url`` is the server root (clients append ``/v1/messages``). ``require_key`` checks the
    ``x-api-key`` header (or ``authorization: Bearer <key>``, which newer official SDKs send).
    Faults: ``reset``, ``stall``, ``cut_stream`` (connection closed mid-stream),
    ``malformed_stream`` (an event whose data is not JSON), ``stream_error_event`` (an
    ``overloaded_error`` event after the stream started) or ``no_message_stop`` (the stream ends
    cleanly without ``message_stop``; ``no_done`` is an alias).
    """

    routes = (
        Route(r"/v1/models(?:/(?P<model>.+))?", "_models", ("GET",)),
        Route(r"/v1/messages", "_messages"),
        Route(r"/v1/messages/count_tokens", "_count_tokens"),
    )
    key_headers = (("x-api-key", ""), ("authorization", "Bearer "))
    fault_kinds = ANTHROPIC_FAULT_KINDS
    streams = Streams(
        encode=encode_typed_event,
        closing_event=sse({"type": "message_stop"}),
        closing_marker=b"message_stop",
        malformed_event=_MALFORMED_EVENT,
        error_event=sse(error_body(529)),
    )

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        require_key: str | None = None,
        default_delay: float = 0.0,
        record: bool = True,
        sse_framing: str = "chunked",
        require_version: bool = True,
    ) -> None:
        super().__init__(
            host, port, require_key=require_key, default_delay=default_delay, record=record, sse_framing=sse_framing
        )
        self.require_version = require_version
        self._cached_prefixes: set[str] = set()

    @property
    def messages_url(self) -> str:
        return self.url + "/v1/messages"

    def reset(self) -> None:
        """Forget recorded requests, queued behaviours and the simulated prompt cache."""
        super().reset()
        self._cached_prefixes.clear()

    # -- queueing ------------------------------------------------------------------------------

    def enqueue_error(
        self,
        status: int = 429,
        count: int = 1,
        body: bytes | str | dict[str, Any] | None = None,
        headers: Mapping[str, str | None] | None = None,
        *,
        type: str | None = None,
        message: str | None = None,  # noqa: A002 - the wire field's name
        delay: float = 0.0,
        path: str | None = None,
    ) -> None:
        """Queue ``count`` error responses with Anthropic's error body for ``status``.

        ``type`` / ``message`` override the body's ``error.type`` / ``error.message``. 429 carries
        ``retry-after: 0`` and the ``anthropic-ratelimit-*`` headers; every error carries
        ``request-id`` and ``x-should-retry`` (true for 408/429/5xx/529) like the real API. A
        ``None`` header value removes a default header.
        """
        rid = self._next_id("req_")
        defaults = {
            "content-type": "application/json",
            "request-id": rid,
            "x-should-retry": "true" if status in _RETRYABLE else "false",
        }
        if status == 429:
            defaults.update(
                {
                    "retry-after": "0",
                    "anthropic-ratelimit-requests-limit": "50",
                    "anthropic-ratelimit-requests-remaining": "0",
                    "anthropic-ratelimit-requests-reset": "2025-01-01T00:00:15Z",
                }
            )
        raw = error_body(status, message, type, rid) if body is None else body
        self._queue_response(status, raw, defaults, headers, count, delay, path)

    def enqueue_reply(
        self,
        content: str | None = "hello",
        tool_calls: list[Any] | None = None,
        stop_reason: str | None = None,
        usage: dict[str, Any] | None = None,
        delay: float = 0.0,
        model: str | None = None,
        *,
        thinking: str | None = None,
        stop_sequence: str | None = None,
        count: int = 1,
        path: str | None = None,
    ) -> None:
        """Queue a successful message (streamed when the request has ``"stream": true``).

        ``content`` is the text block (None or "" for none); ``tool_calls`` items are
        ``{"name", "arguments": dict|str, "id"?}`` or the OpenAI ``{"id", "type", "function"}`` form
        and become ``tool_use`` blocks; ``thinking`` adds a signed thinking block first.
        ``stop_reason`` defaults to ``tool_use`` with tool calls, else ``end_turn``. ``usage``
        (Anthropic names) overrides the computed counts.
        """
        extra = {"thinking": thinking, "stop_sequence": stop_sequence}
        self._queue_reply(content, tool_calls, stop_reason, usage, delay, model, extra, count, path)

    def enqueue_stream(
        self,
        events: list[Any] | None = None,
        chunk_delay: float = 0.0,
        terminate: bool = True,
        cut_after: int | None = None,
        *,
        delay: float = 0.0,
        status: int = 200,
        headers: Mapping[str, str | None] | None = None,
        path: str | None = None,
        first_delay: float = 0.0,
        stall_after: int | None = None,
    ) -> None:
        """Queue an SSE response.

        ``events``: ``dict`` items are sent as ``event: <type>`` + ``data: <json>``; ``str`` items
        are JSON texts framed the same way (the event name read from their ``type``); ``bytes``
        are written verbatim. ``None`` = the default stream for the request. ``terminate`` ends the
        stream with ``message_stop`` when the events hold none (``terminate=False`` with
        ``events=None`` sends the default stream without it). ``cut_after=k`` closes the
        connection after ``k`` events; ``chunk_delay`` sleeps between events, ``delay`` before
        the headers.
        ``first_delay`` passes between the headers (sent at once) and the first event; ``stall_after=k``
        goes silent after ``k`` events (the connection stays open until the client closes it).
        """
        self._queue_stream(
            events,
            chunk_delay,
            terminate,
            cut_after,
            delay,
            status,
            headers,
            path,
            first_delay=first_delay,
            stall_after=stall_after,
        )

    # -- the dialect's answers -----------------------------------------------------------------

    def _headers(self) -> dict[str, str] | None:
        return {"content-type": "application/json", "request-id": self._next_id("req_")}

    def _error(self, status: int, message: str) -> _Raw:
        return self._json(status, error_body(status, message))

    def _auth_error(self, rec: RecordedRequest) -> _Raw:
        if not rec.headers.get("x-api-key") and not rec.headers.get("authorization"):
            return self._error(401, "x-api-key header is required")
        return self._error(401, "invalid x-api-key")

    def _not_found(self, rec: RecordedRequest) -> _Raw:
        return self._error(404, f"Not found: {rec.method} {rec.path}")

    def _wrong_method(self, rec: RecordedRequest, route: Route) -> _Raw:
        return self._json(405, error_body(405, f"Method {rec.method} not allowed", "invalid_request_error"))

    def _check_version(self, rec: RecordedRequest) -> None:
        if self.require_version and not rec.headers.get("anthropic-version"):
            raise Invalid("anthropic-version: header is required")

    # -- routes --------------------------------------------------------------------------------

    def _messages(self, call: Call) -> Answer:
        self._check_version(call.rec)
        body = call.rec.json
        turns = check_request(body)
        plan = self._plan(body, turns, call.reply)
        msg_id = self._next_id("msg_")
        if call.stream or body.get("stream") is True:
            return Events(self._events(plan, msg_id))
        return self._json(200, self._message(plan, msg_id))

    def _count_tokens(self, call: Call) -> Answer:
        self._check_version(call.rec)
        body = call.rec.json
        if isinstance(body, dict) and "max_tokens" not in body:
            body = dict(body, max_tokens=1 << 30)  # count_tokens takes no max_tokens
        turns = check_request(body)
        return self._json(200, {"input_tokens": _tokens(_segments(body, turns)) + 3})

    def _models(self, call: Call) -> Answer:
        def one(mid: str) -> dict[str, Any]:
            return {"type": "model", "id": mid, "display_name": mid, "created_at": "2025-01-01T00:00:00Z"}

        model_id = call.params.get("model")
        if model_id is not None:
            return self._json(200, one(model_id))
        return self._json(
            200,
            {
                "data": [one(m) for m in MODEL_IDS],
                "has_more": False,
                "first_id": MODEL_IDS[0],
                "last_id": MODEL_IDS[-1],
            },
        )

    # -- the reply -------------------------------------------------------------------------------

    def _cache_usage(self, body: dict[str, Any], turns: list[dict[str, Any]]) -> dict[str, int]:
        segs = _segments(body, turns)
        total = _tokens(segs) + 3
        marks = [i for i, s in enumerate(segs) if isinstance(s, dict) and s.get("cache_control")]
        if body.get("cache_control") and segs:
            marks.append(len(segs) - 1)
        if not marks:
            return {"input_tokens": total, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
        prefix = segs[: max(marks) + 1]
        size = _tokens(prefix)
        key = hashlib.sha256(P.dumps([body.get("model"), prefix])).hexdigest()
        if key in self._cached_prefixes:
            return {"input_tokens": total - size, "cache_creation_input_tokens": 0, "cache_read_input_tokens": size}
        self._cached_prefixes.add(key)
        return {"input_tokens": total - size, "cache_creation_input_tokens": size, "cache_read_input_tokens": 0}

    def _plan(self, body: dict[str, Any], turns: list[dict[str, Any]], reply: _Reply | None) -> _Plan:
        model = (reply.model if reply is not None and reply.model else None) or body.get("model") or DEFAULT_MODEL
        blocks: list[dict[str, Any]] = []
        extra = reply.custom if reply is not None and isinstance(reply.custom, dict) else {}
        thinking_cfg = P.object_field(body, "thinking")
        thinking_text = extra.get("thinking")
        if thinking_text is None and thinking_cfg.get("type") in ("enabled", "adaptive"):
            thinking_text = "The user asks: " + P._snippet(_last_user_text(turns)) + ". Let me answer directly."
        if thinking_text:
            blocks.append({"type": "thinking", "thinking": thinking_text, "signature": _signature(thinking_text)})
        stop_reason: str | None = None
        stop_sequence: str | None = None
        text: str | None
        calls: list[tuple[str, dict[str, Any], str | None]] = []
        if reply is not None:
            text = reply.content
            calls = P.tool_call_objects(reply.tool_calls or [])
        else:
            chosen = _choose_tools(body, turns)
            calls = [(t["name"], _example_input(t), None) for t in chosen]
            fmt = (
                (body.get("output_config") or {}).get("format") if isinstance(body.get("output_config"), dict) else None
            )
            if calls:
                text = None
            elif isinstance(fmt, dict):
                text = json.dumps(P.example_value(fmt.get("schema")), separators=(",", ":"))
            else:
                last = P._snippet(_last_user_text(turns))
                text = "This is a fake reply to: " + last if last else "This is a fake reply."
            if text:
                for seq in body.get("stop_sequences") or ():
                    pos = text.find(seq) if seq else -1
                    if pos >= 0:
                        text, stop_reason, stop_sequence = text[:pos], "stop_sequence", seq
                        break
                pieces = P.split_words(text)
                if len(pieces) > body["max_tokens"] and stop_reason is None:
                    text = "".join(pieces[: body["max_tokens"]])
                    stop_reason = "max_tokens"
        if text:
            blocks.append({"type": "text", "text": text})
        for name, value, cid in calls:
            blocks.append({"type": "tool_use", "id": cid or self._next_id("toolu_"), "name": name, "input": value})
        if reply is not None and reply.finish_reason:
            stop_reason = reply.finish_reason
            stop_sequence = extra.get("stop_sequence")
        elif stop_reason is None:
            stop_reason = "tool_use" if calls else "end_turn"
        usage: dict[str, Any] = dict(self._cache_usage(body, turns))
        usage["cache_creation"] = {
            "ephemeral_5m_input_tokens": usage["cache_creation_input_tokens"],
            "ephemeral_1h_input_tokens": 0,
        }
        out_tokens = sum(
            _tokens(b.get("text") or b.get("thinking") or "") + (_tokens(b["input"]) if "input" in b else 0)
            for b in blocks
        )
        usage["output_tokens"] = max(1, out_tokens)
        usage["service_tier"] = "standard"
        if reply is not None and reply.usage:
            usage.update(reply.usage)
        return _Plan(blocks, stop_reason, stop_sequence, usage, str(model))

    @staticmethod
    def _message(plan: _Plan, msg_id: str) -> dict[str, Any]:
        return {
            "model": plan.model,
            "id": msg_id,
            "type": "message",
            "role": "assistant",
            "content": plan.blocks,
            "stop_reason": plan.stop_reason,
            "stop_sequence": plan.stop_sequence,
            "usage": plan.usage,
        }

    @staticmethod
    def _events(plan: _Plan, msg_id: str) -> list[bytes]:
        """The SSE rendering of ``plan`` (ends with ``message_stop``)."""
        start_usage = dict(plan.usage, output_tokens=1)
        out = [
            sse(
                {
                    "type": "message_start",
                    "message": {
                        "model": plan.model,
                        "id": msg_id,
                        "type": "message",
                        "role": "assistant",
                        "content": [],
                        "stop_reason": None,
                        "stop_sequence": None,
                        "usage": start_usage,
                    },
                }
            )
        ]
        for index, block in enumerate(plan.blocks):
            kind = block["type"]
            first: dict[str, Any]
            deltas: list[dict[str, Any]]
            if kind == "text":
                first = {"type": "text", "text": ""}
                deltas = [{"type": "text_delta", "text": p} for p in P.split_words(block["text"])]
            elif kind == "thinking":
                first = {"type": "thinking", "thinking": "", "signature": ""}
                deltas = [{"type": "thinking_delta", "thinking": p} for p in P.split_words(block["thinking"])]
                deltas.append({"type": "signature_delta", "signature": block["signature"]})
            elif kind == "tool_use":
                first = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
                arguments = json.dumps(block["input"], separators=(",", ":"), ensure_ascii=False)
                deltas = [{"type": "input_json_delta", "partial_json": ""}]
                deltas += [{"type": "input_json_delta", "partial_json": p} for p in P.split_json(arguments)]
            else:
                first, deltas = block, []
            out.append(sse({"type": "content_block_start", "index": index, "content_block": first}))
            if index == 0:
                out.append(_PING)
            for d in deltas:
                out.append(sse({"type": "content_block_delta", "index": index, "delta": d}))
            out.append(sse({"type": "content_block_stop", "index": index}))
        u = plan.usage
        final_usage = {
            k: u[k]
            for k in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "output_tokens")
            if k in u
        }
        out.append(
            sse(
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": plan.stop_reason, "stop_sequence": plan.stop_sequence},
                    "usage": final_usage,
                }
            )
        )
        out.append(sse({"type": "message_stop"}))
        return out
