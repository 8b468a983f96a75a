"""The Cohere v2 dialect (``cohere/<model>`` and bare ``command...`` names): chat, embed, rerank.

A pure translator, like the other dialects: a ``ChatCall`` / ``EmbeddingCall`` / ``RerankCall`` +
``Target`` become one ``HttpRequest``; the JSON reply or the SSE byte stream becomes our response
types, and error bodies become the exception hierarchy. No I/O here. Wire format: Cohere's OpenAPI
description (``/v2/chat``, ``/v2/embed``, ``/v2/rerank`` with their documented examples) and the
v2 guides on streaming, tool use, embeddings and reranking.

Requests
--------
* ``POST {api_base}/v2/chat`` | ``/v2/embed`` | ``/v2/rerank`` with ``Authorization: Bearer <key>``
  and ``content-type: application/json``; ``extra_headers`` are added and may override them. An
  ``api_base`` that already ends with one of these paths, or with ``/v1`` / ``/v2``, is reduced to
  the server root first (``https://api.cohere.com`` is the default, ``COHERE_API_BASE`` overrides).

Chat messages (Cohere v2 messages are close to OpenAI's)
  * ``system`` and ``developer`` -> ``system`` (kept where they stand); ``user`` as given: string
    content stays a string, content lists keep ``text`` and ``image_url`` parts (``detail``
    included; image URLs and base64 data URLs are both passed as Cohere accepts both; only the
    vision models, e.g. ``command-a-vision-07-2025``, take images). Other part types (files, audio)
    are rejected before any request.
  * ``assistant``: ``tool_calls`` are sent as given (OpenAI form, JSON-string arguments). The text
    of an assistant turn *with* tool calls is Cohere's ``tool_plan`` (an explicit ``tool_plan``
    on the message, or in its ``provider_specific_fields``, wins; text beyond it stays content);
    without tool calls the text is the content. ``reasoning_content`` goes back first as a
    ``thinking`` content item. An assistant turn with neither text nor tool calls is skipped.
  * ``tool`` -> ``{"role": "tool", "tool_call_id", "content": [...]}``, content as Cohere's tool
    guide builds it: a string holding a JSON object -> one ``document`` item (``data`` is that
    string, so the model can cite it); a JSON array of objects -> one document per element; any
    other string -> one ``text`` item; a list of parts -> ``text`` items (Cohere ``document``
    items pass through as given).
  * legacy ``function`` messages carry no call id: rejected with a clear message.

Chat parameters
  * ``temperature``, ``seed``, ``frequency_penalty``, ``presence_penalty``, ``logprobs`` as given;
    ``max_completion_tokens`` / ``max_tokens`` -> ``max_tokens``; ``stop`` -> ``stop_sequences``
    (always a list); ``top_p`` -> ``p`` clamped to Cohere's range 0.01..0.99 with a logged warning
    (so the common ``top_p=1`` works); a ``top_k`` keyword argument -> ``k``. Every other keyword
    argument (``documents``, ``citation_options``, ``safety_mode``, ``thinking``, ``strict_tools``,
    ``priority``, ``k``, ``p`` ...) is sent as given and wins over mapped values.
  * ``tools`` in OpenAI's function form are what Cohere takes (``parameters`` defaults to an empty
    object schema); ``strict: true`` on the functions becomes Cohere's request-wide
    ``strict_tools: true`` (a logged warning when only some tools are strict).
  * ``tool_choice``: ``"auto"`` -> not sent; ``"none"`` -> ``"NONE"``; ``"required"`` ->
    ``"REQUIRED"``; a named function -> ``"REQUIRED"`` with ``tools`` narrowed to that function
    (Cohere cannot name a tool; forcing a call among one tool is the same thing). Not sent
    without tools. ``parallel_tool_calls=False`` cannot be expressed: ``UnsupportedParamsError``
    unless ``drop_params`` (``True`` is Cohere's behaviour and is accepted).
  * ``response_format``: ``json_object`` -> ``{"type": "json_object"}``; ``json_schema`` ->
    ``{"type": "json_object", "json_schema": <schema>}``; ``text`` -> not sent.
  * ``reasoning_effort`` (reasoning models, names containing ``reasoning``): ``"none"`` ->
    ``thinking: {"type": "disabled"}``; ``minimal`` / ``low`` / ``medium`` -> ``{"type":
    "enabled", "token_budget": 512 | 1024 | 4096}``; ``high`` -> ``{"type": "enabled"}`` (no cap).
  * ``n`` > 1, ``top_logprobs``, ``logit_bias``, ``user``, legacy ``functions`` and the audio /
    modality / prediction / service options have no Cohere equivalent: ``UnsupportedParamsError``
    unless ``drop_params``.

Chat responses
--------------
``message.content`` text items are joined into ``content``; ``thinking`` items ->
``reasoning_content``; ``tool_calls`` -> OpenAI tool calls; ``tool_plan`` is put in front of the
text content (it is the assistant's words beside its tool calls; streamed as content deltas, so a
rebuilt stream equals the JSON answer) and also kept in ``provider_specific_fields["tool_plan"]``;
``citations`` -> ``provider_specific_fields["citations"]``; ``logprobs`` (one item per text chunk:
``text``, ``token_ids``, ``logprobs``) -> OpenAI logprobs, one entry per chunk with the summed log
probability. ``finish_reason``: ``COMPLETE`` / ``STOP_SEQUENCE`` -> ``stop``, ``MAX_TOKENS`` ->
``length``, ``TOOL_CALL`` -> ``tool_calls``; ``ERROR`` raises ``InternalServerError`` and ``TIMEOUT``
raises ``Timeout`` (both retryable): the answer is incomplete and is never handed out as if it
were whole. Usage reports the tokens the model processed (Cohere's ``tokens``, which also count its
own system preamble), falling back to ``billed_units`` when no tokens are given; the billed units
are kept as ``usage.billed_units``, and the cost is computed from them (what the call is charged);
``cached_tokens`` -> ``prompt_tokens_details.cached_tokens``.

Streams are SSE events named by their ``type``: ``message-start`` gives the first chunk (role
``assistant``), ``content-delta`` text / thinking, ``tool-plan-delta`` content (with the plan so
far in ``provider_specific_fields["tool_plan"]``), ``tool-call-start`` / ``tool-call-delta``
tool-call fragments (arguments as streamed), ``citation-start`` a chunk whose
``provider_specific_fields["citations"]`` holds every citation so far, and ``message-end`` the last
chunk with ``finish_reason`` (and ``usage`` with ``stream_options={"include_usage": True}``).
``content-start`` with text, ``content-end``, ``tool-call-end``, ``citation-end``, ``debug``,
unknown events and a ``[DONE]`` terminator carry nothing more. A stream that ends without
``message-end`` raises ``APIConnectionError``; an event that is not JSON raises
``APIResponseValidationError``.

Embeddings
----------
``POST /v2/embed`` ``{model, texts, input_type, embedding_types}``. ``input_type`` is required by
Cohere's v3 and later embedding models: pass ``input_type="search_query"`` (or ``classification``,
``clustering``, ``image``) as a keyword argument; **the default is ``"search_document"``** (the
right choice for passages stored for search). Inputs that are all image data URLs are sent as
``images`` with default ``input_type`` ``"image"`` (the documented image example; Cohere rejects
images with another input type on the v3 models and treats ``image`` as ``search_document`` on
v4). ``embedding_types`` is ``["float"]``, or ``["base64"]`` with ``encoding_format="base64"``
(Cohere's base64 is the float32 bytes of the vector, as OpenAI's); an explicit ``embedding_types``
keyword argument wins and its first type is returned.
``dimensions`` -> ``output_dimension``; ``truncate``, ``max_tokens``, ``priority`` pass through.
Usage: ``meta.billed_units.input_tokens`` (+ ``image_tokens``). Token-id inputs are rejected.

Rerank
------
``POST /v2/rerank`` ``{model, query, documents, top_n?, max_tokens_per_doc?}``. Cohere v2 ranks
strings, so dict documents are turned into text by this rule: with one rank field (``rank_fields``
defaults to ``["text"]``) the text is that field's value; with several it is one ``field: value``
line (newline-terminated) per field present, in ``rank_fields`` order -- the YAML form Cohere's
rerank guide sends for structured documents (``"Title: ...\\nContent: ...\\n"``; values are not
YAML-quoted). Non-string values are written as JSON. A dict without any of the rank fields is
rejected before the request. ``return_documents`` (default true) is applied here, not sent: each
result's ``document`` is the caller's *original* document (the dict as given, ids included, or
``{"text": s}`` for a string), or None. ``max_chunks_per_doc`` belongs to Cohere's v1 API:
``UnsupportedParamsError`` unless ``drop_params``. Results are sorted by relevance (highest
first) and ``meta`` (billed search units) is kept.

Errors
------
Cohere error bodies are ``{"id", "message"}``; ``core.errors.exception_from_response`` maps them
by status and message ("invalid api token" -> ``AuthenticationError``, "too many tokens" ->
``ContextWindowExceededError``, 429 -> ``RateLimitError``, 498 -> ``BadRequestError`` as litellm
does). 499 (request cancelled) becomes an ``APIError`` with status 499.

Deliberate differences from litellm: ``ERROR`` / ``TIMEOUT`` finish reasons raise instead of
ending as ``"stop"``; ``top_p`` is clamped into Cohere's range; a named ``tool_choice`` narrows
``tools`` instead of being dropped; rerank always uses v2 and maps dict documents by the rule
above.
"""

from __future__ import annotations

import base64
import json
import struct
import time
import uuid
from typing import TYPE_CHECKING, Any

from ..core.errors import exception_from_response, mid_stream_error
from ..core.http import HttpRequest, HttpResponse
from ..core.log import log
from ..exceptions import (
    APIError,
    BadRequestError,
    InternalServerError,
    Timeout,
    UnsupportedParamsError,
)
from ..types.utils import EmbeddingResponse, ModelResponse, ModelResponseStream
from .base import Dialect, StreamDecoder, bad_input, drop_unsupported, max_output_tokens, plain

if TYPE_CHECKING:
    from ..core.call import ChatCall, EmbeddingCall, RerankCall, TextCall
    from ..core.resolve import Target
    from ..types.rerank import RerankResponse, RerankResult
    from .base import Chunk, Drop


__all__ = ["Cohere", "CohereStreamDecoder", "FINISH_REASONS", "convert_messages", "rerank_text"]

# Cohere finish_reason -> OpenAI finish_reason (ERROR and TIMEOUT raise instead; see _FAILED)
FINISH_REASONS = {
    "COMPLETE": "stop",
    "STOP_SEQUENCE": "stop",
    "MAX_TOKENS": "length",
    "TOOL_CALL": "tool_calls",
    "ERROR_TOXIC": "content_filter",  # v1 value, kept for older deployments
    "ERROR_LIMIT": "length",  # v1 value
}
_FAILED = ("ERROR", "TIMEOUT")

_SUPPORTED = (
    "temperature",
    "top_p",
    "stream",
    "stream_options",
    "stop",
    "max_tokens",
    "max_completion_tokens",
    "n",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "response_format",
    "seed",
    "frequency_penalty",
    "presence_penalty",
    "logprobs",
    "extra_headers",
)
_ALWAYS_OK = frozenset(_SUPPORTED) | {"reasoning_effort", "top_logprobs"}  # checked by value / model

# reasoning_effort -> Cohere ``thinking``
_THINKING: dict[str, dict[str, Any]] = {
    "none": {"type": "disabled"},
    "minimal": {"type": "enabled", "token_budget": 512},
    "low": {"type": "enabled", "token_budget": 1024},
    "medium": {"type": "enabled", "token_budget": 4096},
    "high": {"type": "enabled"},
}

_P_MIN, _P_MAX = 0.01, 0.99
_ENDPOINTS = ("/v2/chat", "/v2/embed", "/v2/rerank", "/v1/chat", "/v1/embed", "/v1/rerank")
_KEPT_HEADERS = (
    "x-ratelimit-",
    "retry-after",
    "x-request-id",
    "x-debug-trace-id",
    "x-api-warning",
    "x-trial-endpoint-call-",
    "x-endpoint-monthly-call-limit",
)
_RERANK_SENT = ("top_n", "max_tokens_per_doc")
_RERANK_LOCAL = ("rank_fields", "return_documents")


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def _fail(message: str, model: str) -> Exception:
    return bad_input(f"cohere: {message}", model)


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def supports_reasoning(model: str) -> bool:
    """Cohere's reasoning models (``command-a-reasoning-...``) take ``thinking``."""
    return "reasoning" in model.lower()


def finish_reason(value: Any) -> str:
    if not isinstance(value, str):
        return "stop"
    return FINISH_REASONS.get(value.upper(), "stop")


def _failed_generation(reason: str, detail: Any, model: str) -> APIError:
    """The exception for a generation Cohere ended with ``ERROR`` or ``TIMEOUT``."""
    text = detail if isinstance(detail, str) and detail else None
    if reason == "TIMEOUT":
        return Timeout(
            message=text
            or "cohere stopped the generation: it exceeded the allowed time limit "
            "(finish_reason TIMEOUT); the answer is incomplete",
            model=model,
            llm_provider="cohere",
        )
    return InternalServerError(
        message=text
        or "cohere reported an internal error during generation (finish_reason ERROR); the answer is incomplete",
        llm_provider="cohere",
        model=model,
    )


# ---------------------------------------------------------------------------------------------
# messages
# ---------------------------------------------------------------------------------------------


def _image_part(part: dict[str, Any], where: str, model: str) -> dict[str, Any]:
    iu = part.get("image_url")
    if isinstance(iu, str):
        iu = {"url": iu}
    if not isinstance(iu, dict) or not isinstance(iu.get("url"), str) or not iu["url"].strip():
        raise _fail(f"{where}: image_url part has no url", model)
    out: dict[str, Any] = {"url": iu["url"].strip()}
    detail = iu.get("detail")
    if detail is not None:
        if detail not in ("auto", "low", "high"):
            raise _fail(f"{where}: image_url.detail must be 'auto', 'low' or 'high', got {detail!r}", model)
        out["detail"] = detail
    return {"type": "image_url", "image_url": out}


def _text_items(content: Any, where: str, model: str, *, images: bool) -> list[dict[str, Any]]:
    """OpenAI content parts -> Cohere content items (text, and image_url when ``images``)."""
    items: list[dict[str, Any]] = []
    for j, part in enumerate(content):
        part = plain(part)
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "text":
            text = part.get("text")
            if not isinstance(text, str):
                raise _fail(f"{where}.content[{j}]: text part has no text", model)
            items.append({"type": "text", "text": text})
        elif kind == "refusal" and isinstance(part.get("refusal"), str):
            items.append({"type": "text", "text": part["refusal"]})
        elif kind == "image_url" and images:
            items.append(_image_part(part, f"{where}.content[{j}]", model))
        else:
            allowed = "text and image_url" if images else "text"
            raise _fail(
                f"{where}.content[{j}]: Cohere takes {allowed} parts here; a {kind!r} part cannot be sent", model
            )
    return items


def _joined_text(content: Any, where: str, model: str) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(item["text"] for item in _text_items(content, where, model, images=False))


def _tool_call_out(tc: Any, where: str, model: str) -> dict[str, Any]:
    tc = plain(tc)
    if not isinstance(tc, dict):
        raise _fail(f"{where} must be a dict in OpenAI tool-call form", model)
    fn = plain(tc.get("function"))
    if not isinstance(fn, dict) or not isinstance(fn.get("name"), str) or not fn["name"]:
        raise _fail(f"{where}.function.name is required", model)
    if not tc.get("id"):
        raise _fail(f"{where}.id is required (Cohere answers tool calls by id)", model)
    args = fn.get("arguments")
    if args is None or args == "":
        args = "{}"
    elif not isinstance(args, str):
        args = _compact(args)
    return {"id": tc["id"], "type": "function", "function": {"name": fn["name"], "arguments": args}}


def _assistant(msg: dict[str, Any], where: str, model: str) -> dict[str, Any] | None:
    calls = msg.get("tool_calls") or []
    text = _joined_text(msg.get("content"), where, model)
    reasoning = msg.get("reasoning_content")
    out: dict[str, Any] = {"role": "assistant"}
    content: list[dict[str, Any]] = []
    if isinstance(reasoning, str) and reasoning:
        content.append({"type": "thinking", "thinking": reasoning})
    if calls:
        out["tool_calls"] = [_tool_call_out(tc, f"{where}.tool_calls[{k}]", model) for k, tc in enumerate(calls)]
        psf = msg.get("provider_specific_fields")
        plan = msg.get("tool_plan")
        if plan is None and isinstance(psf, dict):
            plan = psf.get("tool_plan")
        if not isinstance(plan, str) or not plan:
            plan, text = text, ""
        elif text.startswith(plan):
            text = text[len(plan) :]
        if plan:
            out["tool_plan"] = plan
    if text:
        content.append({"type": "text", "text": text})
    if not content and not calls:
        return None
    if content:
        if len(content) == 1 and content[0]["type"] == "text":
            out["content"] = content[0]["text"]
        else:
            out["content"] = content
    return out


def _tool_content(content: Any, where: str, model: str) -> list[dict[str, Any]]:
    """A tool result -> Cohere tool content items (documents or text)."""
    if content is None:
        return [{"type": "text", "text": ""}]
    if isinstance(content, str):
        stripped = content.strip()
        if stripped[:1] in ("{", "["):
            try:
                value = json.loads(stripped)
            except ValueError:
                value = None
            if isinstance(value, dict):
                return [{"type": "document", "document": {"data": content}}]
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                return [{"type": "document", "document": {"data": _compact(v)}} for v in value]
        return [{"type": "text", "text": content}]
    items: list[dict[str, Any]] = []
    for j, part in enumerate(content):
        part = plain(part)
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "text" and isinstance(part.get("text"), str):
            items.append({"type": "text", "text": part["text"]})
        elif kind == "document" and isinstance(part.get("document"), dict):
            items.append(part)
        else:
            raise _fail(
                f"{where}.content[{j}]: a tool result takes text (or Cohere document) parts, not {kind!r}", model
            )
    return items


def convert_messages(messages: list[Any], model: str) -> list[dict[str, Any]]:
    """OpenAI chat messages -> Cohere v2 messages (see the module docstring for the rules)."""
    out: list[dict[str, Any]] = []
    for i, msg in enumerate(messages):
        msg = plain(msg)
        where = f"messages[{i}]"
        role = msg.get("role")
        content = msg.get("content")
        if role in ("system", "developer"):
            if isinstance(content, list):
                out.append({"role": "system", "content": _text_items(content, where, model, images=False)})
            else:
                out.append({"role": "system", "content": content if isinstance(content, str) else ""})
        elif role == "user":
            if isinstance(content, list):
                out.append({"role": "user", "content": _text_items(content, where, model, images=True)})
            else:
                out.append({"role": "user", "content": content if isinstance(content, str) else ""})
        elif role == "assistant":
            converted = _assistant(msg, where, model)
            if converted is not None:
                out.append(converted)
        elif role == "tool":
            out.append(
                {
                    "role": "tool",
                    "tool_call_id": msg.get("tool_call_id"),
                    "content": _tool_content(content, where, model),
                }
            )
        else:
            raise _fail(
                f"{where}: legacy {role!r} messages carry no tool_call_id and cannot be sent to Cohere; "
                "send tool results as 'tool' messages",
                model,
            )
    return out


# ---------------------------------------------------------------------------------------------
# tools, tool_choice, response_format
# ---------------------------------------------------------------------------------------------


def convert_tools(tools: list[Any], model: str) -> tuple[list[dict[str, Any]], bool]:
    """OpenAI tools -> (Cohere tools, strict_tools)."""
    out: list[dict[str, Any]] = []
    strict: list[bool] = []
    for i, tool in enumerate(tools):
        tool = plain(tool)
        fn = tool.get("function") if isinstance(tool, dict) else None
        if not isinstance(tool, dict) or tool.get("type", "function") != "function" or not isinstance(fn, dict):
            raise _fail(
                f"tools[{i}]: Cohere takes function tools in OpenAI form ({{'type': 'function', 'function': {{...}}}})",
                model,
            )
        name = fn.get("name")
        if not isinstance(name, str) or not name:
            raise _fail(f"tools[{i}].function.name is required", model)
        item: dict[str, Any] = {"name": name}
        if fn.get("description") is not None:
            item["description"] = fn["description"]
        params = fn.get("parameters")
        item["parameters"] = params if isinstance(params, dict) else {"type": "object", "properties": {}}
        strict.append(fn.get("strict") is True)
        out.append({"type": "function", "function": item})
    if any(strict) and not all(strict):
        log.warning(
            "cohere: strict_tools applies to every tool of a request; some tools were not marked strict "
            "and are made strict too (model=%s)",
            model,
        )
    return out, any(strict)


def _tool_choice(choice: Any, tools: list[dict[str, Any]], model: str) -> tuple[list[dict[str, Any]], str | None]:
    """(tools to send, Cohere tool_choice or None) for an OpenAI ``tool_choice``."""
    if choice == "auto" or choice is None:
        return tools, None
    if choice == "none":
        return tools, "NONE"
    if choice in ("required", "any"):
        return tools, "REQUIRED"
    if isinstance(choice, dict):
        fn = choice.get("function")
        if not isinstance(fn, dict):
            fn = choice
        name = fn.get("name")
        if isinstance(name, str) and name:
            chosen = [t for t in tools if t["function"]["name"] == name]
            if not chosen:
                raise _fail(f"tool_choice names function {name!r}, which is not in tools", model)
            return chosen, "REQUIRED"
    raise _fail(f"tool_choice must be 'auto', 'none', 'required' or a named function, got {choice!r}", model)


def _response_format(rf: Any, model: str) -> dict[str, Any] | None:
    if not isinstance(rf, dict):
        raise _fail("response_format must be a dict such as {'type': 'json_object'}", model)
    kind = rf.get("type")
    if kind in (None, "text"):
        return None
    if kind == "json_object":
        out: dict[str, Any] = {"type": "json_object"}
        schema = rf.get("schema") or rf.get("json_schema")
        if isinstance(schema, dict):
            out["json_schema"] = schema
        return out
    if kind == "json_schema":
        js = rf.get("json_schema")
        schema = js.get("schema") if isinstance(js, dict) else None
        out = {"type": "json_object"}
        if isinstance(schema, dict):
            out["json_schema"] = schema
        return out
    raise _fail(f"response_format type {kind!r} is not supported (json_object, json_schema, text)", model)


# ---------------------------------------------------------------------------------------------
# responses
# ---------------------------------------------------------------------------------------------


def _count(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _usage(u: Any) -> dict[str, Any]:
    """Cohere ``usage`` -> OpenAI usage: the tokens the model processed (``tokens``, else the billed
    units), with the billed units kept as ``usage.billed_units`` (what the cost is computed from)."""
    if not isinstance(u, dict):
        return {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
    billed = u.get("billed_units")
    if not isinstance(billed, dict):
        billed = {}
    tokens = u.get("tokens")
    if not isinstance(tokens, dict):
        tokens = {}

    def pick(key: str) -> int:
        value = tokens.get(key)
        if value is None:
            value = billed.get(key)
        return _count(value)

    prompt = pick("input_tokens")
    completion = pick("output_tokens")
    out: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }
    kept = {
        k: _count(billed[k]) for k in ("input_tokens", "output_tokens", "image_tokens") if billed.get(k) is not None
    }
    if kept:
        out["billed_units"] = kept
    cached = u.get("cached_tokens")
    if cached:
        out["prompt_tokens_details"] = {"cached_tokens": _count(cached)}
    return out


def _logprob_entry(item: Any) -> dict[str, Any] | None:
    if not isinstance(item, dict):
        return None
    text = item.get("text")
    if not isinstance(text, str):
        text = ""
    values = item.get("logprobs")
    if not isinstance(values, list):
        values = []
    total = 0.0
    for v in values:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            total += v
    return {"token": text, "logprob": total, "bytes": list(text.encode("utf-8")), "top_logprobs": []}


def _logprobs(items: Any) -> dict[str, Any] | None:
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list) or not items:
        return None
    content = [e for e in (_logprob_entry(it) for it in items) if e is not None]
    return {"content": content} if content else None


def _tool_calls_in(calls: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for tc in calls or []:
        if not isinstance(tc, dict):
            continue
        fn = tc.get("function")
        if not isinstance(fn, dict):
            fn = {}
        args = fn.get("arguments")
        if args is None or args == "":
            args = "{}"
        elif not isinstance(args, str):
            args = _compact(args)
        out.append(
            {
                "id": tc.get("id") or "call_" + uuid.uuid4().hex[:24],
                "type": "function",
                "function": {"name": fn.get("name"), "arguments": args},
            }
        )
    return out


def _message(msg: dict[str, Any]) -> dict[str, Any]:
    """Cohere ``message`` -> OpenAI message dict."""
    texts: list[str] = []
    thinking: list[str] = []
    for item in msg.get("content") or []:
        if not isinstance(item, dict):
            continue
        kind = item.get("type")
        if kind == "text" and isinstance(item.get("text"), str):
            texts.append(item["text"])
        elif kind == "thinking" and isinstance(item.get("thinking"), str):
            thinking.append(item["thinking"])
    plan = msg.get("tool_plan")
    if not isinstance(plan, str):
        plan = ""
    text = plan + "".join(texts)
    calls = _tool_calls_in(msg.get("tool_calls"))
    out: dict[str, Any] = {"role": "assistant", "content": text if text or not calls else None}
    if calls:
        out["tool_calls"] = calls
    if thinking:
        out["reasoning_content"] = "".join(thinking)
    psf: dict[str, Any] = {}
    if plan:
        psf["tool_plan"] = plan
    if msg.get("citations"):
        psf["citations"] = msg["citations"]
    if psf:
        out["provider_specific_fields"] = psf
    return out


# ---------------------------------------------------------------------------------------------
# rerank
# ---------------------------------------------------------------------------------------------


def _field_text(value: Any) -> str:
    return value if isinstance(value, str) else _compact(value)


def rerank_text(doc: Any, rank_fields: list[str], index: int, model: str) -> str:
    """The text Cohere ranks for one document (a string as is; a dict by the rank_fields rule)."""
    if isinstance(doc, str):
        return doc
    if not isinstance(doc, dict):
        raise _fail(f"documents[{index}] must be a string or a dict, got {type(doc).__name__}", model)
    present = [(f, doc[f]) for f in rank_fields if doc.get(f) is not None]
    if not present:
        raise _fail(
            f"documents[{index}] has none of the rank_fields {rank_fields}: add the field, or pass "
            "rank_fields=[...] naming the fields that hold the document's text",
            model,
        )
    if len(rank_fields) == 1:
        return _field_text(present[0][1])
    return "".join(f"{name}: {_field_text(value)}\n" for name, value in present)


# ---------------------------------------------------------------------------------------------
# the dialect
# ---------------------------------------------------------------------------------------------


class Cohere(Dialect):
    """Cohere API v2: ``/v2/chat``, ``/v2/embed``, ``/v2/rerank``."""

    name = "cohere"
    kept_headers = _KEPT_HEADERS
    key_hint = "COHERE_API_KEY / CO_API_KEY / litegate.cohere_key"

    # ------------------------------------------------------------------ params
    def supported_openai_params(self, model: str) -> list[str]:
        params = list(_SUPPORTED)
        if supports_reasoning(model):
            params.append("reasoning_effort")
        return params

    def unsupported(self, params: dict[str, Any], model: str) -> list[str]:
        bad = [p for p in params if p not in _ALWAYS_OK]
        n = params.get("n")
        if n is not None and n != 1:
            bad.append("n")
        if params.get("parallel_tool_calls") is False:
            bad.append("parallel_tool_calls")
        if params.get("top_logprobs"):
            bad.append("top_logprobs")
        effort = params.get("reasoning_effort")
        if effort is not None and effort != "none" and not supports_reasoning(model):
            bad.append("reasoning_effort")
        return bad

    def adapt_params(self, params: dict[str, Any], model: str) -> dict[str, Any]:
        """OpenAI params -> the Cohere request fields they become (no messages / model / stream)."""
        out: dict[str, Any] = {}
        get = params.get
        max_tokens = max_output_tokens(params)
        if max_tokens is not None:
            out["max_tokens"] = max_tokens
        for key in ("temperature", "seed", "frequency_penalty", "presence_penalty", "logprobs"):
            if key in params:
                out[key] = params[key]
        if "top_p" in params:
            p = params["top_p"]
            clamped = min(max(p, _P_MIN), _P_MAX)
            if clamped != p:
                log.warning(
                    "cohere: top_p=%s is outside Cohere's range %s..%s for p; sending p=%s (model=%s)",
                    p,
                    _P_MIN,
                    _P_MAX,
                    clamped,
                    model,
                )
            out["p"] = clamped
        stop = get("stop")
        if stop is not None:
            out["stop_sequences"] = [stop] if isinstance(stop, str) else list(stop)
        tools, strict = convert_tools(get("tools") or [], model)
        if tools:
            tools, choice = _tool_choice(get("tool_choice"), tools, model)
            out["tools"] = tools
            if strict:
                out["strict_tools"] = True
            if choice is not None:
                out["tool_choice"] = choice
        rf = get("response_format")
        if rf is not None:
            fmt = _response_format(rf, model)
            if fmt is not None:
                out["response_format"] = fmt
        effort = get("reasoning_effort")
        if effort is not None and (effort != "none" or supports_reasoning(model)):
            thinking = _THINKING.get(effort)
            if thinking is None:
                raise _fail(f"reasoning_effort must be one of {', '.join(_THINKING)}; got {effort!r}", model)
            out["thinking"] = dict(thinking)
        return out

    # ------------------------------------------------------------------ requests
    def headers(self, target: Target) -> dict[str, str]:
        if not target.api_key:
            raise self.missing_key(target)
        h = {"authorization": "Bearer " + target.api_key, "content-type": "application/json"}
        if target.headers:
            h.update(target.headers)
        return h

    @staticmethod
    def url(target: Target, path: str) -> str:
        base = target.api_base or ""
        for endpoint in _ENDPOINTS:
            if base.endswith(endpoint):
                base = base[: -len(endpoint)]
                break
        if base.endswith(("/v1", "/v2")):
            base = base[:-3]
        return base + path

    def chat_request(self, call: ChatCall, target: Target, drop: Drop) -> HttpRequest:
        model = target.model
        body: dict[str, Any] = {"model": model, "messages": convert_messages(call.messages, model)}
        if call.params:
            body.update(self.map_params(call.params, model, drop))
        if call.extra:
            for key, value in call.extra.items():
                body["k" if key == "top_k" else key] = value
        body["stream"] = bool(call.stream)
        return HttpRequest("POST", self.url(target, "/v2/chat"), self.headers(target), body)

    def embedding_request(self, call: EmbeddingCall, target: Target, drop: Drop) -> HttpRequest:
        model = target.model
        value = call.input
        items = [value] if isinstance(value, str) else list(value)
        if not all(isinstance(v, str) for v in items):
            raise _fail(
                "Cohere embeds text (or image data URLs): input must be a string or a list of strings; "
                "token ids are not accepted",
                model,
            )
        params = call.params or {}
        if "user" in params and not drop:
            raise UnsupportedParamsError(
                message=f"cohere does not support parameters ['user'] for embeddings with model={model}. "
                "Set litegate.drop_params=True (or pass drop_params=True) to drop them.",
                model=model,
                llm_provider=self.name,
            )
        images = [v.startswith("data:") for v in items]
        if any(images) and not all(images):
            raise _fail("input mixes texts and image data URLs; embed texts and images in separate calls", model)
        is_images = all(images)
        extra = dict(call.extra or {})
        input_type = extra.pop("input_type", None)
        if input_type is None:
            input_type = "image" if is_images else "search_document"
        types = extra.pop("embedding_types", None)
        if types is None:
            types = ["base64"] if params.get("encoding_format") == "base64" else ["float"]
        elif isinstance(types, str):
            types = [types]
        body: dict[str, Any] = {
            "model": model,
            ("images" if is_images else "texts"): items,
            "input_type": input_type,
            "embedding_types": list(types),
        }
        if params.get("dimensions") is not None:
            body["output_dimension"] = params["dimensions"]
        body.update(extra)
        return HttpRequest("POST", self.url(target, "/v2/embed"), self.headers(target), body)

    def rerank_request(self, call: RerankCall, target: Target, drop: Drop) -> HttpRequest:
        model = target.model
        params = dict(call.params or {})
        bad = [k for k in params if k not in _RERANK_SENT and k not in _RERANK_LOCAL]
        if bad:
            params = drop_unsupported(self.name, params, bad, model, drop, where=" rerank (v2)")
        rank_fields = params.get("rank_fields")
        if rank_fields is None:
            rank_fields = ["text"]
        elif not rank_fields:
            raise _fail("rank_fields must not be empty: name at least one field, or leave it out", model)
        documents = [rerank_text(doc, list(rank_fields), i, model) for i, doc in enumerate(call.documents)]
        body: dict[str, Any] = {"model": model, "query": call.query, "documents": documents}
        for key in _RERANK_SENT:
            if params.get(key) is not None:
                body[key] = params[key]
        if call.extra:
            body.update(call.extra)
        return HttpRequest("POST", self.url(target, "/v2/rerank"), self.headers(target), body)

    # ------------------------------------------------------------------ responses
    def embedded_error(self, data: dict[str, Any], resp: HttpResponse, target: Target) -> Exception | None:
        if isinstance(data.get("message"), str):  # an error body ({"id", "message"}) with a success status
            return mid_stream_error({"message": data["message"]}, llm_provider=self.name, model=target.model)
        return None

    def parse_chat(self, resp: HttpResponse, call: ChatCall, target: Target) -> ModelResponse:
        data = self._json(resp, target, "finish_reason")
        msg = data.get("message")
        if not isinstance(msg, dict):
            raise self._invalid("response has no 'message' object", target)
        reason = data.get("finish_reason")
        if reason in _FAILED:
            raise _failed_generation(reason, data.get("error"), target.model)
        message = _message(msg)
        fr = finish_reason(reason)
        if fr == "tool_calls" and "tool_calls" not in message:
            fr = "stop"
        choice: dict[str, Any] = {"index": 0, "message": message, "finish_reason": fr}
        lp = _logprobs(data.get("logprobs"))
        if lp is not None:
            choice["logprobs"] = lp
        return ModelResponse(
            id=data.get("id") or "",
            created=int(time.time()),
            model=target.model,
            object="chat.completion",
            choices=[choice],
            usage=_usage(data.get("usage")),
        )

    def parse_embedding(self, resp: HttpResponse, call: EmbeddingCall, target: Target) -> EmbeddingResponse:
        data = self._json(resp, target, "embeddings")
        embeddings = data["embeddings"]
        b64 = (call.params or {}).get("encoding_format") == "base64"
        requested = (call.extra or {}).get("embedding_types")
        if isinstance(requested, str):
            requested = [requested]
        order = list(requested) if requested else (["base64", "float"] if b64 else ["float"])
        kind: str | None
        if isinstance(embeddings, list):  # the older "embeddings_floats" shape
            vectors, kind = embeddings, "float"
        elif isinstance(embeddings, dict):
            kind = next((k for k in order if isinstance(embeddings.get(k), list)), None)
            if kind is None:
                raise self._invalid("response 'embeddings' holds no embedding type we asked for", target)
            vectors = embeddings[kind]
        else:
            raise self._invalid("response 'embeddings' is neither a list nor an object", target)
        items: list[dict[str, Any]] = []
        for i, vec in enumerate(vectors):
            if b64 and kind == "float" and isinstance(vec, list):
                vec = base64.b64encode(struct.pack(f"<{len(vec)}f", *vec)).decode("ascii")
            items.append({"object": "embedding", "index": i, "embedding": vec})
        meta = data.get("meta")
        if not isinstance(meta, dict):
            meta = {}
        billed = meta.get("billed_units")
        if not isinstance(billed, dict):
            billed = {}
        tokens = _count(billed.get("input_tokens")) + _count(billed.get("image_tokens"))
        return EmbeddingResponse(
            model=target.model,
            data=items,
            usage={"prompt_tokens": tokens, "completion_tokens": 0, "total_tokens": tokens},
        )

    def parse_rerank(self, resp: HttpResponse, call: RerankCall, target: Target) -> RerankResponse:
        from ..types.rerank import RerankResponse, RerankResult

        data = self._json(resp, target, "results")
        results = data["results"]
        if not isinstance(results, list):
            raise self._invalid("response 'results' is not a list", target)
        params = call.params or {}
        keep = params.get("return_documents", True) is not False
        docs = call.documents
        out: list[RerankResult] = []
        for r in results:
            index = r.get("index") if isinstance(r, dict) else None
            if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(docs):
                raise self._invalid(
                    f"rerank result names document index {index!r}, but {len(docs)} documents were sent", target
                )
            score = r.get("relevance_score")
            if isinstance(score, bool) or not isinstance(score, (int, float)):
                raise self._invalid(f"rerank result for index {index} has no relevance_score", target)
            document = None
            if keep:
                original = docs[index]
                document = original if isinstance(original, dict) else {"text": original}
            out.append(RerankResult(index=index, relevance_score=float(score), document=document))
        out.sort(key=lambda item: -item.relevance_score)
        top_n = params.get("top_n")
        if isinstance(top_n, int) and top_n > 0:
            out = out[:top_n]
        meta = data.get("meta")
        if not isinstance(meta, dict):
            meta = {}
        kw: dict[str, Any] = {"results": out, "meta": meta}
        if data.get("id"):
            kw["id"] = data["id"]
        return RerankResponse(**kw)

    def stream_decoder(self, call: ChatCall | TextCall, target: Target) -> CohereStreamDecoder:
        so = (call.params or {}).get("stream_options")
        include_usage = isinstance(so, dict) and so.get("include_usage") is True
        return CohereStreamDecoder(target.model, include_usage)

    def error(self, resp: HttpResponse, target: Target) -> Exception:
        err = exception_from_response(resp, llm_provider=self.name, model=target.model)
        if resp.status_code == 499 and type(err) is BadRequestError:
            # Cohere: "request cancelled" (try again); not a malformed request
            return APIError(
                status_code=499, message=err.message, llm_provider=self.name, model=target.model, response=resp
            )
        return err


# ---------------------------------------------------------------------------------------------
# streaming
# ---------------------------------------------------------------------------------------------


class CohereStreamDecoder(StreamDecoder):
    """Bytes of a Cohere v2 SSE stream -> ``ModelResponseStream`` chunks; strict about how it ends.

    Gives the same chunks however the bytes are split into reads (events are decoded only once
    complete), errors included: an error met after some chunks of the same read is kept and raised
    by the next ``feed`` / ``finish``. The stream must contain ``message-end``.
    """

    __slots__ = ("include_usage", "id", "created", "_tool_index", "_citations", "_saw_tool", "_plan")

    end_marker = "message-end"

    def __init__(self, model: str, include_usage: bool = False):
        super().__init__("cohere", model)
        self.include_usage = include_usage
        self.id = ""
        self.created = int(time.time())
        self._tool_index: dict[Any, int] = {}  # Cohere event index -> OpenAI tool-call index
        self._citations: list[Any] = []
        self._saw_tool = False
        self._plan = ""  # the tool plan so far (each tool-plan chunk carries it whole)

    def _chunk(
        self, delta: dict[str, Any], finish: str | None = None, usage: Any = None, logprobs: Any = None
    ) -> ModelResponseStream:
        choice: dict[str, Any] = {"index": 0, "delta": delta, "finish_reason": finish}
        if logprobs is not None:
            choice["logprobs"] = logprobs
        kw: dict[str, Any] = {
            "id": self.id,
            "created": self.created,
            "model": self.model,
            "object": "chat.completion.chunk",
            "choices": [choice],
        }
        if usage is not None:
            kw["usage"] = usage
        return ModelResponseStream(**kw)

    def _convert_into(self, events: list[tuple[str | None, str]], out: list[Chunk]) -> None:
        for event, data in events:
            if self.done:
                return
            obj = self.event_json(data)
            if obj is None:
                continue
            kind = obj.get("type") or event
            delta = obj.get("delta")
            if not isinstance(delta, dict):
                delta = {}
            message = delta.get("message")
            if not isinstance(message, dict):
                message = {}
            if kind == "content-delta":
                chunk = self._content(message.get("content"), obj.get("logprobs"))
                if chunk is not None:
                    out.append(chunk)
            elif kind == "tool-call-delta":
                calls = message.get("tool_calls")
                if not isinstance(calls, dict):
                    calls = {}
                fn = calls.get("function")
                if not isinstance(fn, dict):
                    fn = {}
                args = fn.get("arguments")
                if isinstance(args, str) and args:
                    out.append(
                        self._chunk(
                            {
                                "tool_calls": [
                                    {"index": self._position(obj.get("index")), "function": {"arguments": args}}
                                ]
                            }
                        )
                    )
            elif kind == "tool-plan-delta":
                plan = message.get("tool_plan")
                if isinstance(plan, str) and plan:
                    self._plan += plan
                    out.append(self._chunk({"content": plan, "provider_specific_fields": {"tool_plan": self._plan}}))
            elif kind == "message-start":
                if isinstance(obj.get("id"), str):
                    self.id = obj["id"]
                out.append(self._chunk({"role": "assistant", "content": ""}))
            elif kind == "content-start":
                chunk = self._content(message.get("content"), None)
                if chunk is not None:
                    out.append(chunk)
            elif kind == "tool-call-start":
                calls = message.get("tool_calls")
                if not isinstance(calls, dict):
                    calls = {}
                fn = calls.get("function")
                if not isinstance(fn, dict):
                    fn = {}
                self._saw_tool = True
                args = fn.get("arguments")
                if not isinstance(args, str):
                    args = ""
                out.append(
                    self._chunk(
                        {
                            "tool_calls": [
                                {
                                    "index": self._position(obj.get("index")),
                                    "id": calls.get("id") or "call_" + uuid.uuid4().hex[:24],
                                    "type": "function",
                                    "function": {"name": fn.get("name"), "arguments": args},
                                }
                            ]
                        }
                    )
                )
            elif kind == "citation-start":
                citation = message.get("citations")
                if citation is not None:
                    self._citations.append(citation)
                    out.append(self._chunk({"provider_specific_fields": {"citations": list(self._citations)}}))
            elif kind == "message-end":
                reason = delta.get("finish_reason")
                if reason in _FAILED or (delta.get("error") and reason is None):
                    raise _failed_generation(reason or "ERROR", delta.get("error"), self.model)
                self.done = True
                fr = finish_reason(reason)
                if fr == "tool_calls" and not self._saw_tool:
                    fr = "stop"
                out.append(self._chunk({}, fr, _usage(delta.get("usage")) if self.include_usage else None))
            elif kind == "error":
                raise mid_stream_error(obj, llm_provider=self.provider, model=self.model)
            # content-end, tool-call-end, citation-end, debug and unknown events carry nothing more

    def _position(self, index: Any) -> int:
        position = self._tool_index.get(index)
        if position is None:
            position = self._tool_index[index] = len(self._tool_index)
        return position

    def _content(self, content: Any, logprobs: Any) -> ModelResponseStream | None:
        if not isinstance(content, dict):
            content = {}
        delta: dict[str, Any] = {}
        text = content.get("text")
        if isinstance(text, str) and text:
            delta["content"] = text
        thinking = content.get("thinking")
        if isinstance(thinking, str) and thinking:
            delta["reasoning_content"] = thinking
        lp = _logprobs(logprobs)
        if not delta and lp is None:
            return None
        return self._chunk(delta, logprobs=lp)
