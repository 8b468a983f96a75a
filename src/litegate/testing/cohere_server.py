"""A fake Cohere API v2 server: /v2/chat (JSON and SSE events), /v2/embed, /v2/rerank.

``FakeCohereServer`` is a dialect of the fake-server base (same life cycle, recording, queueing and
transport faults as :class:`FakeOpenAIServer`) and speaks Cohere's v2 wire format as its OpenAPI
description and guides document it:

* ``POST /v2/chat``: a JSON ``{id, message, finish_reason, usage}`` answer, or with
  ``"stream": true`` an SSE stream of named events (``message-start``, ``content-start`` /
  ``content-delta`` / ``content-end`` for thinking and text, ``tool-plan-delta``,
  ``tool-call-start`` / ``-delta`` / ``-end``, ``citation-start`` / ``-end``, ``message-end`` with
  ``finish_reason`` and ``usage``). No ``[DONE]`` terminator unless ``done_terminator=True``
  (the documented example streams have none);
* ``POST /v2/embed``: ``embeddings`` by type (``float``, ``int8``, ``uint8``, ``binary``,
  ``ubinary``, ``base64`` = the float32 little-endian bytes) with ``meta.billed_units``;
* ``POST /v2/rerank``: deterministic relevance scores from word overlap between the query and
  each document (lower-cased words of two or more characters, common stop words left out, a plural ``s`` and ``-ing`` /
  ``-ed`` endings stripped), ties broken by the Jaccard similarity and then the index; ``top_n``
  honoured; ``meta.billed_units.search_units`` = 1 per 100 documents;
* requests are checked as the API describes them (required fields, roles, tool-call ids,
  ranges such as ``temperature`` 0..1 and ``p`` 0.01..0.99, ``tool_choice`` ``REQUIRED`` /
  ``NONE``, ``input_type`` and ``embedding_types`` for embed, string documents for rerank) and
  rejected with Cohere error bodies ``{"id", "message"}`` (the documented messages where there
  is one). With ``strict=True`` (the default) unknown fields are rejected too, so a translator
  cannot send a field Cohere does not define unnoticed;
* ``enqueue_error`` (Cohere bodies for 400/401/402/404/422/429/498/499/5xx; 429 and 503 carry
  ``retry-after: 0``), ``enqueue_reply`` (text, tool plan, tool calls, thinking, citations, a
  finish reason such as ``MAX_TOKENS`` or ``ERROR``), ``enqueue_stream`` (your own events),
  ``enqueue_raw`` and ``enqueue_fault`` (``reset``, ``stall``, ``cut_stream``,
  ``malformed_stream``, ``stream_error_event`` = a ``message-end`` with ``finish_reason: ERROR``,
  ``no_message_end`` / ``no_done``).

The default chat reply is deterministic: tool calls when tools are offered and the last user
text asks for the weather or to call something (or ``tool_choice`` is ``REQUIRED``), with a
``tool_plan``; after tool results a text that quotes them; JSON matching the schema for
``response_format``; otherwise ``"This is a fake reply to: <last user text>"``. ``max_tokens``
(one word = one token) and ``stop_sequences`` cut the text (``MAX_TOKENS`` / ``STOP_SEQUENCE``);
``thinking: {"type": "enabled"}`` adds a thinking item first; ``documents`` make the first word
of the reply a citation of the first document; ``logprobs: true`` adds one logprob item per word.

Example::

    with FakeCohereServer(require_key="co-test") as srv:
        litegate.completion(model="cohere/command-r-plus-08-2024", api_base=srv.url, api_key="co-test",
                            messages=[{"role": "user", "content": "hi"}])
        srv.enqueue_error(429)
        assert srv.last_request.json["model"] == "command-r-plus-08-2024"

Standard library only.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
import uuid
from collections.abc import Mapping
from dataclasses import replace
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

__all__ = ["FakeCohereServer", "COHERE_FAULT_KINDS", "DEFAULT_ERRORS", "error_body", "sse", "rerank_scores"]

COHERE_FAULT_KINDS = frozenset(
    {"reset", "stall", "cut_stream", "malformed_stream", "stream_error_event", "no_message_end", "no_done"}
)
DEFAULT_MODEL = "command-a-03-2025"
PREAMBLE_TOKENS = 66  # Cohere's own system preamble: counted in usage.tokens, not billed

# status -> default message (quoted from Cohere's error documentation where it gives one)
DEFAULT_ERRORS: dict[int, str] = {
    400: "invalid request: message must be at least 1 token long or tool results must be specified.",
    401: "invalid api token",
    402: "Please add or update your payment method at https://dashboard.cohere.com/billing?tab=payment to continue",
    403: "Forbidden",
    404: "404 page not found",
    422: "invalid request: the request could not be processed",
    429: "You are past the per minute request limit, please wait and try again later.",
    498: "This error is returned when a request or response contains a deny-listed token.",
    499: "request cancelled",
    500: "internal server error",
    501: "Not implemented",
    503: "service unavailable",
    504: "gateway timeout",
}

_CHAT_FIELDS = frozenset(
    {
        "model",
        "messages",
        "stream",
        "tools",
        "strict_tools",
        "documents",
        "citation_options",
        "response_format",
        "safety_mode",
        "max_tokens",
        "stop_sequences",
        "temperature",
        "seed",
        "frequency_penalty",
        "presence_penalty",
        "k",
        "p",
        "logprobs",
        "tool_choice",
        "thinking",
        "priority",
    }
)
_EMBED_FIELDS = frozenset(
    {
        "model",
        "texts",
        "images",
        "inputs",
        "input_type",
        "max_tokens",
        "output_dimension",
        "embedding_types",
        "truncate",
        "priority",
    }
)
_RERANK_FIELDS = frozenset({"model", "query", "documents", "top_n", "max_tokens_per_doc", "priority", "relevant_spans"})
_MESSAGE_FIELDS = {
    "user": frozenset({"role", "content"}),
    "system": frozenset({"role", "content"}),
    "assistant": frozenset({"role", "content", "tool_calls", "tool_plan", "citations"}),
    "tool": frozenset({"role", "content", "tool_call_id"}),
}
_INPUT_TYPES = frozenset({"search_document", "search_query", "classification", "clustering", "image"})
_EMBEDDING_TYPES = frozenset({"float", "int8", "uint8", "binary", "ubinary", "base64"})
_TOOL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TRIGGER = re.compile(r"\b(weather|call)", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+")
_STOP_WORDS = frozenset(
    {
        "a",
        "an",
        "the",
        "in",
        "of",
        "on",
        "to",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "what",
        "which",
        "who",
        "how",
        "for",
        "with",
        "by",
        "at",
        "as",
        "it",
        "its",
        "be",
        "this",
        "that",
        "from",
        "do",
        "does",
        "did",
    }
)
_MALFORMED_EVENT = b'event: content-delta\ndata: {"type":"content-delta","index":0,"delta":{not json\n\n'
_MID_STREAM_ERROR = "internal server error: the generation failed"
_EMPTY_USAGE = {
    "billed_units": {"input_tokens": 0, "output_tokens": 0},
    "tokens": {"input_tokens": 0, "output_tokens": 0},
}


def error_body(status: int, message: str | None = None, error_id: str | None = None) -> dict[str, Any]:
    """Cohere's error body ``{"id", "message"}`` (the documented default message for ``status``)."""
    text = message or DEFAULT_ERRORS.get(status) or ("internal server error" if status >= 500 else "invalid request")
    return {"id": error_id or str(uuid.uuid4()), "message": text}


sse = typed_sse  # one event in the ``event:`` + ``data:`` framing
_CLOSING_EVENT = sse({"type": "message-end", "delta": {"finish_reason": "COMPLETE", "usage": _EMPTY_USAGE}})


def _unknown_model(model: Any) -> str:
    return f"model '{model}' not found, make sure the correct model ID was used and that you have access to the model."


def _words(text: str) -> list[str]:
    out = []
    for w in _WORD.findall(text.lower()):
        if len(w) < 2 or w in _STOP_WORDS:
            continue
        if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        for suffix in ("ing", "ed"):
            if len(w) > 5 and w.endswith(suffix):
                w = w[: -len(suffix)]
                break
        out.append(w)
    return out


def rerank_scores(query: str, documents: list[str]) -> list[tuple[int, float]]:
    """(index, relevance score in 0..1) for every document, most relevant first (deterministic)."""
    q = set(_words(query))
    scored = []
    for i, doc in enumerate(documents):
        d = set(_words(doc))
        overlap = len(q & d) / len(q) if q else 0.0
        union = q | d
        jaccard = len(q & d) / len(union) if union else 0.0
        scored.append((i, round(0.01 + 0.9 * overlap + 0.08 * jaccard, 7)))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored


# ---------------------------------------------------------------------------------------------
# request checks
# ---------------------------------------------------------------------------------------------


def _check_unknown(body: dict[str, Any], allowed: frozenset[str], where: str = "") -> None:
    extra = sorted(set(body) - allowed)
    if extra:
        raise Invalid(f"invalid request: unknown field '{where}{extra[0]}'")


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _check_range(body: dict[str, Any], key: str, lo: float, hi: float, integer: bool = False) -> None:
    v = body.get(key)
    if v is None:
        return
    if not (_is_int(v) if integer else _is_num(v)):
        raise Invalid(f"invalid request: {key} must be {'an integer' if integer else 'a number'}")
    if not lo <= v <= hi:
        hi_text = "1.0" if key == "temperature" else f"{hi:g}"
        raise Invalid(f"invalid request: {key} must be between {lo:g} and {hi_text} inclusive.")


def _check_positive(body: dict[str, Any], key: str) -> None:
    v = body.get(key)
    if v is not None and (not _is_int(v) or v < 1):
        raise Invalid(f"invalid request: {key} must be a positive integer")


def _content_items(content: Any, where: str, allowed: frozenset[str]) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if not isinstance(content, list):
        raise Invalid(f"invalid request: {where}.content must be a string or a list of content items")
    for j, item in enumerate(content):
        kind = item.get("type") if isinstance(item, dict) else None
        if kind not in allowed:
            raise Invalid(f"invalid request: {where}.content[{j}] has invalid type {kind!r}")
        if kind == "text" and not isinstance(item.get("text"), str):
            raise Invalid(f"invalid request: {where}.content[{j}]: required 'text' param is missing or empty.")
        if kind == "thinking" and not isinstance(item.get("thinking"), str):
            raise Invalid(f"invalid request: {where}.content[{j}]: required 'thinking' param is missing")
        if kind == "image_url":
            iu = item.get("image_url")
            if not isinstance(iu, dict) or not isinstance(iu.get("url"), str) or not iu["url"]:
                raise Invalid(f"invalid request: {where}.content[{j}].image_url.url is required")
            if iu.get("detail") not in (None, "auto", "low", "high"):
                raise Invalid(f"invalid request: {where}.content[{j}].image_url.detail must be auto, low or high")
            url = iu["url"]
            if url.startswith("data:"):
                head, _, data = url.partition(",")
                try:
                    base64.b64decode(data, validate=True)
                except (ValueError, TypeError):
                    raise Invalid(f"invalid request: {where}.content[{j}]: invalid base64 image data") from None
                if ";base64" not in head:
                    raise Invalid(f"invalid request: {where}.content[{j}]: image data URLs must be base64")
            elif not url.startswith(("http://", "https://")):
                raise Invalid(f"invalid request: {where}.content[{j}]: image url must be a web URL or a data URL")
        if kind == "document":
            doc = item.get("document")
            if not isinstance(doc, dict) or "data" not in doc:
                raise Invalid(f"invalid request: {where}.content[{j}].document.data is required")
    return content


def _check_body(body: Any, allowed: frozenset[str], strict: bool) -> dict[str, Any]:
    """What every endpoint checks first: a JSON object, no unknown fields (``strict``), a model."""
    if not isinstance(body, dict):
        raise Invalid("invalid json syntax: the request body must be a JSON object")
    if strict:
        _check_unknown(body, allowed)
    if not isinstance(body.get("model"), str) or not body["model"]:
        raise Invalid("a model parameter is required for this endpoint.")
    return body


def check_chat(body: Any, strict: bool = True) -> list[dict[str, Any]]:
    """Validate a /v2/chat body like the API; returns its messages."""
    _check_body(body, _CHAT_FIELDS, strict)
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise Invalid("invalid request: messages must be a non-empty list")
    call_ids: set[str] = set()
    for i, msg in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(msg, dict):
            raise Invalid(f"invalid request: {where} must be an object")
        role = msg.get("role")
        if role not in _MESSAGE_FIELDS:
            raise Invalid(f"invalid request: {where}.role must be one of user, assistant, system, tool")
        if strict:
            _check_unknown(msg, _MESSAGE_FIELDS[role], where + ".")
        content = msg.get("content")
        if role == "user":
            items = _content_items(content, where, frozenset({"text", "image_url"}))
            if not any(it.get("type") == "image_url" or (it.get("text") or "").strip() for it in items):
                raise Invalid(
                    "invalid request: message must be at least 1 token long or tool results must be specified."
                )
        elif role == "system":
            _content_items(content, where, frozenset({"text"}))
        elif role == "assistant":
            calls = msg.get("tool_calls")
            if content is not None:
                _content_items(content, where, frozenset({"text", "thinking"}))
            if calls is not None:
                if not isinstance(calls, list):
                    raise Invalid(f"invalid request: {where}.tool_calls must be a list")
                for k, tc in enumerate(calls):
                    fn = tc.get("function") if isinstance(tc, dict) else None
                    if not isinstance(tc, dict) or tc.get("type", "function") != "function":
                        raise Invalid("tool call must be of type function")
                    if not isinstance(tc.get("id"), str) or not tc["id"]:
                        raise Invalid(f"invalid request: {where}.tool_calls[{k}].id is required")
                    if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
                        raise Invalid(f"invalid request: {where}.tool_calls[{k}].function.name is required")
                    if not isinstance(fn.get("arguments", ""), str):
                        raise Invalid(
                            f"invalid request: {where}.tool_calls[{k}].function.arguments must be a JSON string"
                        )
                    if tc["id"] in call_ids:
                        raise Invalid("cannot have duplicate tool ids")
                    call_ids.add(tc["id"])
            if not calls and not content and not msg.get("tool_plan"):
                raise Invalid("message must not be empty in a turn")
            if msg.get("tool_plan") is not None and not isinstance(msg["tool_plan"], str):
                raise Invalid(f"invalid request: {where}.tool_plan must be a string")
        else:  # tool
            if not isinstance(msg.get("tool_call_id"), str) or not msg["tool_call_id"]:
                raise Invalid("tool call id must be provided with tool message")
            if msg["tool_call_id"] not in call_ids:
                raise Invalid("tool call id not found in previous tool calls")
            _content_items(content, where, frozenset({"text", "document"}))
    tools = body.get("tools")
    names: set[str] = set()
    if tools is not None:
        if not isinstance(tools, list):
            raise Invalid("invalid request: tools must be a list")
        for i, tool in enumerate(tools):
            fn = tool.get("function") if isinstance(tool, dict) else None
            if not isinstance(tool, dict) or tool.get("type") != "function" or not isinstance(fn, dict):
                raise Invalid(f"invalid request: tools[{i}] must be {{'type': 'function', 'function': {{...}}}}")
            if strict:
                _check_unknown(tool, frozenset({"type", "function"}), f"tools[{i}].")
                _check_unknown(fn, frozenset({"name", "description", "parameters"}), f"tools[{i}].function.")
            name = fn.get("name")
            if not isinstance(name, str) or not _TOOL_NAME.match(name):
                raise Invalid(
                    "invalid request: tool names can only contain certain characters (A-Za-z0-9_) and "
                    f"can't begin with a digit (provided name: '{name}')."
                )
            if not isinstance(fn.get("parameters"), dict):
                raise Invalid(f"invalid request: tools[{i}].function.parameters is required")
            if fn["parameters"].get("type", "object") != "object":
                raise Invalid("schema must be an object")
            names.add(name)
    choice = body.get("tool_choice")
    if choice is not None:
        if choice not in ("REQUIRED", "NONE"):
            raise Invalid("invalid request: tool_choice must be one of REQUIRED, NONE")
        if choice == "REQUIRED" and not names:
            raise Invalid("invalid request: tool_choice REQUIRED needs the tools parameter")
    rf = body.get("response_format")
    if rf is not None:
        if not isinstance(rf, dict) or rf.get("type") not in ("text", "json_object"):
            raise Invalid("invalid request: response_format.type must be one of text, json_object")
        if "json_schema" in rf:
            if rf["type"] != "json_object":
                raise Invalid("invalid request: json_schema must not be specified when the type is text")
            if not isinstance(rf["json_schema"], dict):
                raise Invalid("schema must be an object")
        if rf["type"] == "json_object" and (body.get("documents") or names):
            raise Invalid("invalid request: response_format is not supported with RAG.")
    _check_range(body, "temperature", 0, 1)
    _check_range(body, "p", 0.01, 0.99)
    _check_range(body, "k", 0, 500, integer=True)
    _check_range(body, "frequency_penalty", 0, 1)
    _check_range(body, "presence_penalty", 0, 1)
    _check_range(body, "priority", 0, 999, integer=True)
    _check_positive(body, "max_tokens")
    seed = body.get("seed")
    if seed is not None and (not _is_int(seed) or seed < 0):
        raise Invalid("invalid request: seed must be a non-negative integer")
    stops = body.get("stop_sequences")
    if stops is not None:
        if not isinstance(stops, list) or not all(isinstance(s, str) for s in stops):
            raise Invalid("invalid request: stop_sequences must be a list of strings")
        if len(stops) > 5:
            raise Invalid("invalid request: stop_sequences can contain at most 5 items")
    for key in ("stream", "logprobs", "strict_tools"):
        if body.get(key) is not None and not isinstance(body[key], bool):
            raise Invalid(f"invalid request: {key} must be a boolean")
    if body.get("safety_mode") not in (None, "CONTEXTUAL", "STRICT", "OFF"):
        raise Invalid("invalid request: safety_mode must be one of CONTEXTUAL, STRICT, OFF")
    thinking = body.get("thinking")
    if thinking is not None:
        if not isinstance(thinking, dict) or thinking.get("type") not in ("enabled", "disabled"):
            raise Invalid("invalid request: thinking.type must be one of enabled, disabled")
        budget = thinking.get("token_budget")
        if budget is not None and (not _is_int(budget) or budget < 1):
            raise Invalid("invalid request: thinking.token_budget must be a positive integer")
    docs = body.get("documents")
    if docs is not None:
        if not isinstance(docs, list):
            raise Invalid("invalid request: documents must be a list")
        for i, doc in enumerate(docs):
            if not isinstance(doc, str) and not (isinstance(doc, dict) and isinstance(doc.get("data"), (dict, str))):
                raise Invalid(f"invalid request: documents[{i}] must be a string or {{'data': {{...}}}}")
    return messages


def check_embed(body: Any, strict: bool = True) -> tuple[str, list[str]]:
    """Validate a /v2/embed body; returns ("texts" | "images", the inputs)."""
    model = _check_body(body, _EMBED_FIELDS, strict)["model"]
    if body.get("input_type") not in _INPUT_TYPES:
        raise Invalid("invalid request: valid input_type must be provided with the provided model")
    types = body.get("embedding_types")
    if types is None:
        raise Invalid("embedding_types parameter is required")
    if not isinstance(types, list) or not types or not all(t in _EMBEDDING_TYPES for t in types):
        raise Invalid("invalid request: embedding_types must be a list of float, int8, uint8, binary, ubinary, base64")
    given = [k for k in ("texts", "images", "inputs") if body.get(k) is not None]
    if len(given) != 1:
        raise Invalid("invalid request: exactly one of texts, images or inputs must be given")
    kind = given[0]
    if kind == "inputs":
        raise Invalid("invalid request: this fake server embeds texts and images only")
    items = body[kind]
    if not isinstance(items, list) or not items or not all(isinstance(v, str) for v in items):
        raise Invalid(f"invalid request: {kind} must be a non-empty list of strings")
    if kind == "texts" and len(items) > 96:
        raise Invalid(f"invalid request: total number of texts must be at most 96 - received {len(items)}")
    for i, item in enumerate(items):
        if not item:
            raise Invalid(f"invalid request: inputs contains an element that is the empty string at index {i}")
    if kind == "images":
        if body["input_type"] != "image":
            raise Invalid("invalid request: images must be used with input_type=image")
        for item in items:
            if not item.startswith("data:image/") or ";base64," not in item:
                raise Invalid("invalid request: images must be base64 data URIs (data:image/<type>;base64,...)")
    dim = body.get("output_dimension")
    if dim is not None:
        if "v4" not in model:
            raise Invalid("invalid request: output_dimension is only available for embed-v4.0 and newer models")
        if dim not in (256, 512, 1024, 1536):
            raise Invalid("invalid request: output_dimension must be one of 256, 512, 1024, 1536")
    if body.get("truncate") not in (None, "NONE", "START", "END"):
        raise Invalid("invalid request: truncate must be one of NONE, START, END")
    _check_range(body, "priority", 0, 999, integer=True)
    return kind, items


def check_rerank(body: Any, strict: bool = True) -> None:
    """Validate a /v2/rerank body like the API."""
    _check_body(body, _RERANK_FIELDS, strict)
    query = body.get("query")
    if not isinstance(query, str) or not query.strip():
        raise Invalid("invalid request: query must not be empty or be only whitespace")
    docs = body.get("documents")
    if not isinstance(docs, list) or not docs:
        raise Invalid("invalid request: list of documents must not be empty")
    for i, doc in enumerate(docs):
        if not isinstance(doc, str):
            raise Invalid(f"invalid request: documents[{i}] must be a string (v2 rerank takes a list of texts)")
        if not doc.strip():
            raise Invalid(f"invalid request: document at index {i} cannot be empty")
    _check_positive(body, "top_n")
    _check_positive(body, "max_tokens_per_doc")
    _check_range(body, "priority", 0, 999, integer=True)


# ---------------------------------------------------------------------------------------------
# the chat answer
# ---------------------------------------------------------------------------------------------


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for item in content:
            if not isinstance(item, dict):
                continue
            if isinstance(item.get("text"), str):
                parts.append(item["text"])
            elif isinstance(item.get("document"), dict):
                data = item["document"].get("data")
                parts.append(data if isinstance(data, str) else P.dumps(data).decode())
        return " ".join(parts)
    return ""


def _tokens(text: str) -> int:
    return P.count_tokens(text)


class _Plan:
    """What one chat answer says, shared by the JSON and the SSE renderings."""

    __slots__ = ("thinking", "tool_plan", "calls", "text", "citations", "finish_reason", "usage", "error", "logprobs")

    def __init__(self) -> None:
        self.thinking: str | None = None
        self.tool_plan: str | None = None
        self.calls: list[tuple[str, str, str]] = []  # (id, name, arguments JSON)
        self.text: str | None = None
        self.citations: list[dict[str, Any]] = []
        self.finish_reason = "COMPLETE"
        self.usage: dict[str, Any] = {}
        self.error: str | None = None
        self.logprobs = False


def _choose_tools(body: dict[str, Any], messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    tools = [t["function"] for t in body.get("tools") or []]
    choice = body.get("tool_choice")
    if not tools or choice == "NONE":
        return []
    last = messages[-1]
    if last.get("role") != "user":
        return []
    text = _text_of(last.get("content"))
    if choice != "REQUIRED" and not _TRIGGER.search(text):
        return []
    low = text.lower()
    mentioned = [t for t in tools if t["name"].lower() in low]
    if mentioned:
        return mentioned
    weather = [t for t in tools if "weather" in t["name"].lower()] if "weather" in low else []
    return (weather or tools)[:1]


def _last_user_text(messages: list[dict[str, Any]]) -> str:
    for msg in reversed(messages):
        if msg.get("role") == "user":
            return _text_of(msg.get("content"))
    return ""


# ---------------------------------------------------------------------------------------------
# the server
# ---------------------------------------------------------------------------------------------


class FakeCohereServer(FakeServerBase):
    """A Cohere API v2 server on 127.0.0.1 for tests, demos and benchmarks.

    Same life cycle and helpers as the other fake servers (``with`` / ``start()`` / ``stop()``,
    ``requests``, ``last_request``, ``hits()``, ``reset()``, ``enqueue_*``). ``url`` (= ``base_url``)
    is the server root: clients append ``/v2/chat`` etc. ``require_key`` checks ``Authorization:
    Bearer <key>`` (401 ``no api key supplied`` / ``invalid api token`` otherwise). ``models``: when
    given, any other model gets Cohere's 404. ``strict=False`` accepts unknown request fields.
    ``done_terminator``: streams end with ``data: [DONE]``. Faults: ``reset``, ``stall``,
    ``cut_stream`` (connection closed mid-stream), ``malformed_stream`` (an event whose data is not
    JSON), ``stream_error_event`` (a ``message-end`` with ``finish_reason: ERROR`` and an ``error``
    text after the stream started) or ``no_message_end`` (the stream ends cleanly without
    ``message-end``; ``no_done`` is an alias).
    """

    routes = (Route(r"/v2/chat", "_chat"), Route(r"/v2/embed", "_embed"), Route(r"/v2/rerank", "_rerank"))
    key_headers = (("authorization", "Bearer "), ("authorization", "bearer "))
    fault_kinds = COHERE_FAULT_KINDS
    streams = Streams(
        encode=encode_typed_event,
        closing_event=_CLOSING_EVENT,
        closing_marker=b"message-end",
        malformed_event=_MALFORMED_EVENT,
    )

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        require_key: str | None = None,
        models: list[str] | None = None,
        default_delay: float = 0.0,
        record: bool = True,
        sse_framing: str = "chunked",
        strict: bool = True,
        done_terminator: bool = False,
    ) -> None:
        super().__init__(
            host, port, require_key=require_key, default_delay=default_delay, record=record, sse_framing=sse_framing
        )
        self.models = list(models) if models is not None else None
        self.strict = strict
        self.done_terminator = done_terminator

    @property
    def done_terminator(self) -> bool:
        """Whether streams end with ``data: [DONE]`` (the documented ones do not)."""
        return self.streams.terminator is not None

    @done_terminator.setter
    def done_terminator(self, on: bool) -> None:
        self.streams = replace(self.streams, terminator=P.DONE_EVENT if on else None)

    # -- queueing ------------------------------------------------------------------------------

    def enqueue_error(
        self,
        status: int = 429,
        count: int = 1,
        body: bytes | str | dict[str, Any] | None = None,
        headers: Mapping[str, str | None] | None = None,
        *,
        message: str | None = None,
        model: str | None = None,
        delay: float = 0.0,
        path: str | None = None,
    ) -> None:
        """Queue ``count`` error responses with Cohere's body ``{"id", "message"}`` for ``status``.

        ``message`` overrides the documented default (404 with ``model="x"``: Cohere's "model 'x'
        not found ..."). 429 and 503 carry ``retry-after: 0`` unless ``headers`` says otherwise (a
        ``None`` value removes a default header).
        """
        if body is None:
            if message is None and status == 404 and model:
                message = _unknown_model(model)
            body = error_body(status, message)
        defaults = {"content-type": "application/json", "x-debug-trace-id": uuid.uuid4().hex}
        if status in (429, 503):
            defaults["retry-after"] = "0"
        self._queue_response(status, body, defaults, headers, count, delay, path)

    def enqueue_reply(
        self,
        content: str | None = "hello",
        tool_calls: list[Any] | None = None,
        finish_reason: str | None = None,
        usage: dict[str, Any] | None = None,
        delay: float = 0.0,
        model: str | None = None,
        *,
        tool_plan: str | None = None,
        thinking: str | None = None,
        citations: list[dict[str, Any]] | None = None,
        error: str | None = None,
        count: int = 1,
        path: str | None = None,
    ) -> None:
        """Queue a successful chat answer (streamed when the request has ``"stream": true``).

        ``content`` is the text (None / "" for none); ``tool_calls`` items are ``{"name",
        "arguments": dict|str, "id"?}`` or the OpenAI form; ``tool_plan`` and ``thinking`` as
        Cohere sends them; ``citations`` as Cohere's citation objects; ``finish_reason`` defaults
        to ``TOOL_CALL`` with tool calls, else ``COMPLETE`` (``ERROR`` with ``error`` sets
        ``message-end``'s ``delta.error`` in a stream); ``usage`` is Cohere's ``{"billed_units",
        "tokens"}`` and replaces the computed one.
        """
        extra = {"tool_plan": tool_plan, "thinking": thinking, "citations": citations, "error": error}
        self._queue_reply(content, tool_calls, finish_reason, usage, delay, model, extra, count, path)

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
        are JSON texts framed the same way; ``bytes`` are written verbatim. ``None`` = the default
        stream for the request. ``terminate`` appends a ``message-end`` (``COMPLETE``) when the
        events hold none (``terminate=False`` with ``events=None`` sends the default stream without
        it). ``cut_after=k`` closes the connection after ``k`` events; ``chunk_delay`` sleeps
        between events, ``delay`` before the headers.
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
        return {"content-type": "application/json", "x-debug-trace-id": uuid.uuid4().hex}

    def _error(self, status: int, message: str) -> _Raw:
        return self._json(status, error_body(status, message))

    def _auth_error(self, rec: RecordedRequest) -> _Raw:
        if not rec.headers.get("authorization"):
            return self._error(401, "no api key supplied")
        return self._error(401, "invalid api token")

    def _not_found(self, rec: RecordedRequest) -> _Raw:
        return self._error(404, "404 page not found")

    def _wrong_method(self, rec: RecordedRequest, route: Route) -> _Raw:
        return self._not_found(rec)

    def _body(self, call: Call) -> Any:
        """The request body, after the ``models`` check (Cohere's 404 for another model)."""
        body = call.rec.json
        if isinstance(body, dict) and self.models is not None and body.get("model") not in self.models:
            raise Invalid(_unknown_model(body.get("model")), 404)
        return body

    # -- routes --------------------------------------------------------------------------------

    def _chat(self, call: Call) -> Answer:
        body = self._body(call)
        messages = check_chat(body, self.strict)
        plan = self._plan(body, messages, call.reply)
        reply_id = str(uuid.uuid4())
        if not (call.stream or body.get("stream") is True):
            return self._json(200, self._response(plan, reply_id))
        error = sse(
            {
                "type": "message-end",
                "delta": {"error": _MID_STREAM_ERROR, "finish_reason": "ERROR", "usage": plan.usage},
            }
        )
        return Events(self._events(plan, reply_id), error_event=error)

    def _embed(self, call: Call) -> Answer:
        body = self._body(call)
        kind, items = check_embed(body, self.strict)
        return self._json(200, self._embedding(body, kind, items))

    def _rerank(self, call: Call) -> Answer:
        body = self._body(call)
        check_rerank(body, self.strict)
        return self._json(200, self._ranking(body))

    # -- chat ----------------------------------------------------------------------------------

    def _call_id(self, name: str) -> str:
        digest = hashlib.sha256(self._next_id("call").encode()).hexdigest()
        return f"{name}_{digest[:12]}"

    def _plan(self, body: dict[str, Any], messages: list[dict[str, Any]], reply: _Reply | None) -> _Plan:
        plan = _Plan()
        plan.logprobs = body.get("logprobs") is True
        extra = reply.custom if reply is not None and isinstance(reply.custom, dict) else {}
        thinking_cfg = P.object_field(body, "thinking")
        plan.thinking = extra.get("thinking")
        if plan.thinking is None and thinking_cfg.get("type") == "enabled":
            plan.thinking = "The user asks: " + P._snippet(_last_user_text(messages)) + ". Let me answer directly."
        limited = False
        if reply is not None:
            plan.text = reply.content or None
            for name, args, cid in P.normalize_tool_calls(reply.tool_calls or []):
                plan.calls.append((cid or self._call_id(name), name, args))
            plan.tool_plan = extra.get("tool_plan")
            plan.citations = list(extra.get("citations") or [])
            plan.error = extra.get("error")
        else:
            chosen = _choose_tools(body, messages)
            if chosen:
                plan.tool_plan = (
                    "I will use the "
                    + ", ".join(t["name"] for t in chosen)
                    + " tool"
                    + ("s" if len(chosen) > 1 else "")
                    + " to answer."
                )
                for t in chosen:
                    args = P.example_value(t.get("parameters") or {"type": "object", "properties": {}})
                    plan.calls.append(
                        (self._call_id(t["name"]), t["name"], json.dumps(args if isinstance(args, dict) else {}))
                    )
            elif messages[-1].get("role") == "tool":
                results = [_text_of(m.get("content")) for m in messages if m.get("role") == "tool"]
                plan.text = "According to the tool results: " + P._snippet(" ".join(results))
            else:
                rf = P.object_field(body, "response_format")
                last = P._snippet(_last_user_text(messages))
                if rf.get("type") == "json_object":
                    schema = rf.get("json_schema")
                    value = P.example_value(schema) if isinstance(schema, dict) else {"reply": last}
                    plan.text = json.dumps(value, separators=(",", ":"))
                else:
                    plan.text = "This is a fake reply to: " + last if last else "This is a fake reply."
            if plan.text:
                for seq in body.get("stop_sequences") or ():
                    pos = plan.text.find(seq) if seq else -1
                    if pos >= 0:
                        plan.text, plan.finish_reason = plan.text[:pos], "STOP_SEQUENCE"
                        limited = True
                        break
                pieces = P.split_words(plan.text)
                limit = body.get("max_tokens")
                if isinstance(limit, int) and len(pieces) > limit and not limited:
                    plan.text = "".join(pieces[:limit])
                    plan.finish_reason = "MAX_TOKENS"
                    limited = True
            docs = body.get("documents")
            if docs and plan.text:
                plan.citations = [self._citation(plan.text, docs[0])]
        if reply is not None and reply.finish_reason:
            plan.finish_reason = reply.finish_reason
        elif not limited:
            plan.finish_reason = "TOOL_CALL" if plan.calls else "COMPLETE"
        prompt = sum(_tokens(_text_of(m.get("content"))) + 3 for m in messages) + sum(
            _tokens(P.dumps(t).decode()) for t in body.get("tools") or []
        )
        output = sum(_tokens(x or "") for x in (plan.text, plan.thinking, plan.tool_plan)) + sum(
            _tokens(a) + 2 for _, _, a in plan.calls
        )
        plan.usage = {
            "billed_units": {"input_tokens": prompt, "output_tokens": max(1, output)},
            "tokens": {"input_tokens": prompt + PREAMBLE_TOKENS, "output_tokens": max(1, output) + 2},
        }
        if reply is not None and reply.usage:
            plan.usage = reply.usage
        return plan

    @staticmethod
    def _citation(text: str, doc: Any) -> dict[str, Any]:
        first = P.split_words(text)[0].strip()
        start = text.find(first)
        data = doc if isinstance(doc, str) else doc.get("data")
        document: dict[str, Any] = {"id": (doc.get("id") if isinstance(doc, dict) else None) or "doc:0"}
        if isinstance(data, dict):
            document.update(data)
        else:
            document["text"] = data
        return {
            "start": start,
            "end": start + len(first),
            "text": first,
            "type": "TEXT_CONTENT",
            "sources": [{"type": "document", "id": document["id"], "document": document}],
        }

    @staticmethod
    def _logprob(piece: str) -> dict[str, Any]:
        ids = [int(hashlib.sha256(piece.encode()).hexdigest()[:6], 16) % 100000]
        return {"text": piece, "token_ids": ids, "logprobs": [-round(0.01 * (1 + len(piece) % 7), 4)]}

    def _response(self, plan: _Plan, reply_id: str) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant"}
        content: list[dict[str, Any]] = []
        if plan.thinking:
            content.append({"type": "thinking", "thinking": plan.thinking})
        if plan.text:
            content.append({"type": "text", "text": plan.text})
        if plan.tool_plan:
            message["tool_plan"] = plan.tool_plan
        if plan.calls:
            message["tool_calls"] = [
                {"id": cid, "type": "function", "function": {"name": name, "arguments": args}}
                for cid, name, args in plan.calls
            ]
        if content:
            message["content"] = content
        if plan.citations:
            message["citations"] = plan.citations
        out: dict[str, Any] = {
            "id": reply_id,
            "message": message,
            "finish_reason": plan.finish_reason,
            "usage": plan.usage,
        }
        if plan.logprobs and plan.text:
            out["logprobs"] = [self._logprob(p) for p in P.split_words(plan.text)]
        return out

    def _events(self, plan: _Plan, reply_id: str) -> list[bytes]:
        """The SSE rendering of ``plan`` (ends with ``message-end``)."""
        out = [sse({"type": "message-start", "id": reply_id, "delta": {"message": {"role": "assistant"}}})]
        index = 0
        if plan.thinking:
            out.append(
                sse(
                    {
                        "type": "content-start",
                        "index": index,
                        "delta": {"message": {"content": {"type": "thinking", "thinking": ""}}},
                    }
                )
            )
            for piece in P.split_words(plan.thinking):
                out.append(
                    sse(
                        {
                            "type": "content-delta",
                            "index": index,
                            "delta": {"message": {"content": {"thinking": piece}}},
                        }
                    )
                )
            out.append(sse({"type": "content-end", "index": index}))
            index += 1
        if plan.tool_plan:
            for piece in P.split_words(plan.tool_plan):
                out.append(sse({"type": "tool-plan-delta", "delta": {"message": {"tool_plan": piece}}}))
        for k, (cid, name, args) in enumerate(plan.calls):
            out.append(
                sse(
                    {
                        "type": "tool-call-start",
                        "index": k,
                        "delta": {
                            "message": {
                                "tool_calls": {
                                    "id": cid,
                                    "type": "function",
                                    "function": {"name": name, "arguments": ""},
                                }
                            }
                        },
                    }
                )
            )
            for piece in P.split_json(args):
                out.append(
                    sse(
                        {
                            "type": "tool-call-delta",
                            "index": k,
                            "delta": {"message": {"tool_calls": {"function": {"arguments": piece}}}},
                        }
                    )
                )
            out.append(sse({"type": "tool-call-end", "index": k}))
        if plan.text:
            out.append(
                sse(
                    {
                        "type": "content-start",
                        "index": index,
                        "delta": {"message": {"content": {"type": "text", "text": ""}}},
                    }
                )
            )
            pending = sorted(plan.citations, key=lambda c: c.get("end", 0))
            sent = 0
            for piece in P.split_words(plan.text):
                event: dict[str, Any] = {
                    "type": "content-delta",
                    "index": index,
                    "delta": {"message": {"content": {"text": piece}}},
                }
                if plan.logprobs:
                    event["logprobs"] = self._logprob(piece)
                out.append(sse(event))
                sent += len(piece)
                while pending and pending[0].get("end", 0) <= sent:
                    cit = pending.pop(0)
                    out.append(
                        sse(
                            {
                                "type": "citation-start",
                                "index": len(plan.citations) - len(pending) - 1,
                                "delta": {"message": {"citations": cit}},
                            }
                        )
                    )
                    out.append(sse({"type": "citation-end", "index": len(plan.citations) - len(pending) - 1}))
            for cit in pending:
                n = len(plan.citations) - len(pending)
                out.append(sse({"type": "citation-start", "index": n, "delta": {"message": {"citations": cit}}}))
                out.append(sse({"type": "citation-end", "index": n}))
            out.append(sse({"type": "content-end", "index": index}))
        end: dict[str, Any] = {"finish_reason": plan.finish_reason, "usage": plan.usage}
        if plan.error:
            end["error"] = plan.error
        out.append(sse({"type": "message-end", "delta": end}))
        return out

    # -- embed and rerank ----------------------------------------------------------------------

    @staticmethod
    def _dims(body: dict[str, Any]) -> int:
        model = body["model"]
        if body.get("output_dimension"):
            return int(body["output_dimension"])
        if "v4" in model:
            return 1536
        if "light" in model:
            return 384
        return 1024

    def _embedding(self, body: dict[str, Any], kind: str, items: list[str]) -> dict[str, Any]:
        dims = self._dims(body)
        raws = [P.embedding_vector_bytes(item, dims) for item in items]
        floats = [list(struct.unpack(f"<{dims}f", raw)) for raw in raws]
        embeddings: dict[str, Any] = {}
        for t in body["embedding_types"]:
            if t == "float":
                embeddings[t] = floats
            elif t == "base64":
                embeddings[t] = [base64.b64encode(raw).decode("ascii") for raw in raws]
            elif t in ("int8", "uint8"):
                shift = 0 if t == "int8" else 128
                embeddings[t] = [[max(-128, min(127, round(v * 127 * 8))) + shift for v in vec] for vec in floats]
            else:  # binary / ubinary: one bit per dimension, packed 8 to a byte
                packed = []
                for vec in floats:
                    row = []
                    for i in range(0, dims, 8):
                        byte = 0
                        for v in vec[i : i + 8]:
                            byte = (byte << 1) | (1 if v > 0 else 0)
                        row.append(byte - 128 if t == "binary" else byte)
                    packed.append(row)
                embeddings[t] = packed
        meta: dict[str, Any] = {"api_version": {"version": "2"}}
        out: dict[str, Any] = {"id": str(uuid.uuid4()), "embeddings": embeddings, "response_type": "embeddings_by_type"}
        if kind == "texts":
            out["texts"] = items
            meta["billed_units"] = {"input_tokens": sum(max(1, _tokens(t)) for t in items)}
        else:
            out["texts"] = []
            out["images"] = [
                {"width": 400, "height": 400, "format": item[11 : item.index(";")], "bit_depth": 24} for item in items
            ]
            meta["billed_units"] = {"images": len(items)}
        out["meta"] = meta
        return out

    def _ranking(self, body: dict[str, Any]) -> dict[str, Any]:
        scored = rerank_scores(body["query"], body["documents"])
        top_n = body.get("top_n")
        if top_n:
            scored = scored[:top_n]
        units = max(1, -(-len(body["documents"]) // 100))
        return {
            "id": str(uuid.uuid4()),
            "results": [{"index": i, "relevance_score": s} for i, s in scored],
            "meta": {
                "api_version": {"version": "2", "is_experimental": False},
                "billed_units": {"search_units": units},
            },
        }
