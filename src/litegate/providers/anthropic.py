"""The Anthropic Messages dialect (``anthropic/<model>`` and bare ``claude-...`` names).

A pure translator, like the OpenAI dialect: a ``ChatCall`` in OpenAI form + a ``Target`` become
one ``POST {api_base}/v1/messages``; the JSON reply or the SSE byte stream becomes our OpenAI-shaped
response types, and error bodies become the exception hierarchy. No I/O here.

Translation rules (the documented choices):

* ``POST {api_base}/v1/messages`` (an ``api_base`` ending in ``/v1`` or ``/v1/messages`` is used
  as given) with ``x-api-key``, ``anthropic-version: 2023-06-01`` and ``content-type`` headers;
  ``extra_headers`` (e.g. ``anthropic-beta``) are added and may override them.

* ``system`` / ``developer`` messages, wherever they stand, become the top-level ``system``: a
  string when there is exactly one system message with string content and no ``cache_control``,
  otherwise a list of text blocks (``cache_control`` kept on each block).
* ``tool`` messages become ``tool_result`` blocks of a user turn; consecutive turns of the same
  role are merged into one (parallel tool results share one user turn, ``tool_result`` blocks
  first), as the Messages API expects alternating turns.
* assistant ``tool_calls`` become ``tool_use`` blocks (arguments parsed from their JSON string);
  ``thinking_blocks`` on an assistant message are sent back first, unchanged (tool loops with
  extended thinking need them). Assistant messages with no content and no tool calls are skipped.
* images: ``http(s)`` URLs -> ``{"type": "image", "source": {"type": "url", ...}}``; ``data:``
  URLs -> a base64 source with the media type (``data:application/pdf`` -> a ``document``
  block); OpenAI ``file`` parts -> ``document`` blocks. Blocks already in Anthropic form pass
  through. ``cache_control`` on a part (or on a message: applied to its last block) passes through.
* ``max_tokens`` is always sent: ``max_completion_tokens`` (preferred) or ``max_tokens`` when
  given, else :func:`default_max_tokens` for the model (raised above a thinking budget).
* ``stop`` -> ``stop_sequences``; ``user`` -> ``metadata.user_id``; ``temperature`` / ``top_p``
  as given; ``top_k`` and other Anthropic fields given as extra keyword arguments pass through.
* ``tool_choice``: auto / none / required -> ``any`` / named -> ``{"type": "tool", "name"}``;
  ``parallel_tool_calls=False`` -> ``disable_parallel_tool_use``. ``tool_choice`` without tools is
  not sent (Anthropic rejects it).
* ``response_format``: ``json_schema`` uses Anthropic's structured outputs
  (``output_config.format``) on models that have them (:func:`supports_structured_output`);
  otherwise, and for ``json_object``, a forced tool named ``json_tool_call`` whose input is
  returned as the message content (finish reason ``stop``), as litellm does. (Anthropic does not
  allow a forced tool together with extended thinking.)
* ``reasoning_effort`` -> ``thinking`` with a budget (minimal/low 1024, medium 2048, high 4096;
  ``none`` sends nothing); on models with adaptive thinking (:func:`supports_adaptive_thinking`)
  -> ``thinking: {"type": "adaptive"}`` + ``output_config.effort``. A ``thinking`` argument is
  sent as given and wins.
* models released after Opus 4.6 (:func:`fixed_sampling`) reject ``temperature`` other than 1 and
  ``top_p`` below 0.99: those values raise ``UnsupportedParamsError`` unless ``drop_params``.
* ``n`` > 1, penalties, ``logit_bias``, ``logprobs``, ``seed`` and the other OpenAI-only params
  raise ``UnsupportedParamsError`` unless ``drop_params``.

Responses: text blocks are joined into ``message.content``; ``tool_use`` -> ``tool_calls``;
thinking blocks -> ``message.reasoning_content`` + ``message.thinking_blocks``; citations and
server-tool blocks -> ``message.provider_specific_fields``. Usage: ``prompt_tokens`` =
``input_tokens + cache_read_input_tokens + cache_creation_input_tokens`` (Anthropic's
``input_tokens`` excludes cached tokens; litellm counts them in), ``completion_tokens`` =
``output_tokens``, ``prompt_tokens_details.cached_tokens`` = cache reads, and the two Anthropic
cache counters are kept on ``Usage``.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any, cast

from ..core.errors import mid_stream_error
from ..core.http import HttpRequest, HttpResponse
from ..core.jsonutil import dumps
from ..core.log import log
from ..types.utils import ModelResponse, ModelResponseStream
from .base import Dialect, StreamDecoder, bad_input, max_output_tokens, plain, tool_arguments

if TYPE_CHECKING:
    from ..core.call import ChatCall, TextCall
    from ..core.resolve import Target
    from .base import Chunk, Drop, HasHeaders


ANTHROPIC_VERSION = "2023-06-01"
JSON_TOOL_NAME = "json_tool_call"
DEFAULT_MAX_TOKENS = 4096

# reasoning_effort -> thinking budget_tokens (Anthropic's minimum budget is 1024)
REASONING_BUDGETS = {"minimal": 1024, "low": 1024, "medium": 2048, "high": 4096}
# reasoning_effort -> output_config.effort on models with adaptive thinking
ADAPTIVE_EFFORTS = {"minimal": "low", "low": "low", "medium": "medium", "high": "high", "xhigh": "xhigh", "max": "max"}

FINISH_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}

# OpenAI parameters Anthropic has an equivalent for (``reasoning_effort`` only on thinking models)
_SUPPORTED = (
    "temperature",
    "top_p",
    "stream",
    "stream_options",
    "stop",
    "max_tokens",
    "max_completion_tokens",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "response_format",
    "user",
    "service_tier",
    "web_search_options",
    "extra_headers",
)
_ALWAYS_OK = frozenset(_SUPPORTED) | {"n", "reasoning_effort"}  # n and reasoning_effort checked by value / model
_SERVICE_TIERS = {"auto": "auto", "standard_only": "standard_only", "default": "standard_only"}
_SEARCH_USES: dict[str | None, int] = {"low": 1, "medium": 5, "high": 10}

# Anthropic content block types accepted as given inside OpenAI-form messages
_NATIVE_BLOCKS = frozenset(
    {
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
_RATE_HEADER_RENAMES = {
    "anthropic-ratelimit-requests-limit": "x-ratelimit-limit-requests",
    "anthropic-ratelimit-requests-remaining": "x-ratelimit-remaining-requests",
    "anthropic-ratelimit-requests-reset": "x-ratelimit-reset-requests",
    "anthropic-ratelimit-tokens-limit": "x-ratelimit-limit-tokens",
    "anthropic-ratelimit-tokens-remaining": "x-ratelimit-remaining-tokens",
    "anthropic-ratelimit-tokens-reset": "x-ratelimit-reset-tokens",
}
_KEPT_HEADERS = (
    "anthropic-ratelimit-",
    "retry-after",
    "request-id",
    "x-request-id",
    "anthropic-organization-id",
    "x-should-retry",
)

# claude-<family>-<major>[-<minor>] (current names) and claude-<major>[-.<minor>]-<family> (3.x names)
_NEW_NAME = re.compile(r"claude-(opus|sonnet|haiku)-(\d+)(?:[-.](\d{1,2}))?(?![0-9])")
_OLD_NAME = re.compile(r"claude-(\d+)(?:[-.](\d))?(?:-(opus|sonnet|haiku))?(?![0-9])")


# ---------------------------------------------------------------------------------------------
# model facts
# ---------------------------------------------------------------------------------------------


def model_version(model: str) -> tuple[str, int, int] | None:
    """(family, major, minor) read from a Claude model name, or None when it is not one we know.

    ``claude-sonnet-4-5-20250929`` -> ("sonnet", 4, 5); ``claude-3-5-haiku-latest`` -> ("haiku", 3, 5);
    ``claude-opus-4-20250514`` -> ("opus", 4, 0) (an 8-digit date is not a minor version).
    """
    m = _NEW_NAME.search(model)
    if m:
        return m.group(1), int(m.group(2)), int(m.group(3) or 0)
    m = _OLD_NAME.search(model)
    if m:
        return m.group(3) or "", int(m.group(1)), int(m.group(2) or 0)
    return None


def default_max_tokens(model: str) -> int:
    """``max_tokens`` sent when the caller gives none: the model generation's output limit.

    Claude 1/2/instant and 3.0: 4096; 3.5: 8192; 3.7: 64000; Opus 4.0 / 4.1: 32000; any other
    Claude 4 or later model: 64000; a name we cannot read: 4096.
    """
    v = model_version(model)
    if v is None:
        return DEFAULT_MAX_TOKENS
    family, major, minor = v
    if major < 3 or (major == 3 and minor < 5):
        return 4096
    if major == 3:
        return 8192 if minor < 7 else 64000
    if major == 4 and family == "opus" and minor <= 1:
        return 32000
    return 64000


def supports_thinking(model: str) -> bool:
    """Extended thinking: Claude 3.7 and Claude 4 or later (unknown names: assumed yes)."""
    v = model_version(model)
    if v is None:
        return True
    return v[1] >= 4 or (v[1] == 3 and v[2] >= 7)


def _is_mythos(model: str) -> bool:
    return "claude-mythos" in model


def supports_adaptive_thinking(model: str) -> bool:
    """Adaptive thinking + ``output_config.effort`` (where ``budget_tokens`` is deprecated):
    Opus / Sonnet 4.6 and later, any Claude 5 or later, Mythos."""
    if _is_mythos(model):
        return True
    v = model_version(model)
    if v is None:
        return False
    family, major, minor = v
    return major >= 5 or (major == 4 and minor >= 6 and family in ("opus", "sonnet"))


def fixed_sampling(model: str) -> bool:
    """Models released after Claude Opus 4.6 reject ``temperature`` other than 1 and ``top_p`` below
    0.99 (openapi.json deprecation notes): Opus 4.7+ (any 4.7+), Claude 5 or later, Mythos."""
    if _is_mythos(model):
        return True
    v = model_version(model)
    if v is None:
        return False
    return v[1] >= 5 or (v[1] == 4 and v[2] >= 7)


def supports_structured_output(model: str) -> bool:
    """Structured outputs (``output_config.format`` / strict tools): Opus 4.1+, Sonnet and Haiku 4.5+,
    any Claude 5 or later."""
    if _is_mythos(model):
        return True
    v = model_version(model)
    if v is None:
        return False
    family, major, minor = v
    if major >= 5:
        return True
    if major == 4:
        return minor >= (1 if family == "opus" else 5)
    return False


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def _fail(message: str, model: str) -> Exception:
    return bad_input(f"anthropic: {message}", model)


def _data_url(url: str, model: str) -> tuple[str, str]:
    """(media type, base64 data) of a ``data:<type>;base64,<data>`` URL."""
    head, sep, data = url.partition(",")
    if not sep or not head.startswith("data:") or not head.endswith(";base64"):
        raise _fail(f"only base64 data URLs are supported ('data:<type>;base64,...'), got {url[:40]!r}", model)
    media = head[5:-7].strip().lower()
    if media == "image/jpg":
        media = "image/jpeg"
    return media, data


def _image_block(url: str, model: str) -> dict[str, Any]:
    if url.startswith("data:"):
        media, data = _data_url(url, model)
        if media == "application/pdf":
            return {"type": "document", "source": {"type": "base64", "media_type": media, "data": data}}
        if media not in _IMAGE_TYPES:
            raise _fail(f"image media type {media!r} is not supported (jpeg, png, gif, webp)", model)
        return {"type": "image", "source": {"type": "base64", "media_type": media, "data": data}}
    if url.startswith(("http://", "https://")):
        return {"type": "image", "source": {"type": "url", "url": url}}
    raise _fail(f"image_url must be an http(s) URL or a base64 data URL, got {url[:40]!r}", model)


def _file_block(file: Any, model: str) -> dict[str, Any]:
    if not isinstance(file, dict):
        raise _fail("a 'file' content part needs a 'file' object with 'file_data' or 'file_id'", model)
    if file.get("file_id"):
        return {"type": "document", "source": {"type": "file", "file_id": file["file_id"]}}
    data = file.get("file_data")
    if not isinstance(data, str):
        raise _fail("a 'file' content part needs 'file_data' (a base64 data URL) or 'file_id'", model)
    media, payload = _data_url(data, model)
    if media.startswith("image/"):
        return _image_block(data, model)
    if media == "text/plain":
        import base64

        text = base64.b64decode(payload).decode("utf-8", "replace")
        return {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": text}}
    return {"type": "document", "source": {"type": "base64", "media_type": media, "data": payload}}


def _part(part: Any, model: str) -> dict[str, Any]:
    """One OpenAI content part -> one Anthropic content block."""
    part = plain(part)
    kind = part.get("type")
    if kind == "text":
        block: dict[str, Any] = {"type": "text", "text": part.get("text", "")}
    elif kind == "image_url":
        image = part.get("image_url")
        url = image.get("url") if isinstance(image, dict) else image
        if not isinstance(url, str):
            raise _fail("an 'image_url' part needs image_url.url", model)
        block = _image_block(url, model)
    elif kind == "file":
        block = _file_block(part.get("file"), model)
    elif kind in _NATIVE_BLOCKS:
        return cast("dict[str, Any]", part)
    else:
        raise _fail(f"content part type {kind!r} is not supported by the Messages API", model)
    cc = part.get("cache_control")
    if cc is not None:
        block["cache_control"] = cc
    return block


def _blocks(content: Any, model: str) -> list[dict[str, Any]]:
    """Message content (string, parts, or None) -> a list of content blocks."""
    if content is None:
        return []
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    return [_part(p, model) for p in content]


def _with_cache_control(content: Any, cc: Any, model: str) -> list[dict[str, Any]]:
    """Content as blocks with ``cc`` on the last block (message-level ``cache_control``)."""
    blocks = _blocks(content, model)
    if blocks:
        blocks[-1] = dict(blocks[-1], cache_control=cc)
    return blocks


def _assistant_content(msg: dict[str, Any], model: str) -> str | list[dict[str, Any]] | None:
    """An assistant message -> its content (a string when it is plain text, else blocks)."""
    content = msg.get("content")
    calls = msg.get("tool_calls")
    thinking = msg.get("thinking_blocks")
    cc = msg.get("cache_control")
    if not calls and not thinking and cc is None and isinstance(content, str):
        return content or None
    blocks: list[dict[str, Any]] = []
    if thinking:
        for tb in thinking:
            tb = plain(tb)
            if isinstance(tb, dict) and tb.get("type") == "thinking":
                blocks.append(
                    {"type": "thinking", "thinking": tb.get("thinking") or "", "signature": tb.get("signature") or ""}
                )
            elif isinstance(tb, dict) and tb.get("type") == "redacted_thinking":
                blocks.append({"type": "redacted_thinking", "data": tb.get("data") or ""})
    for b in _blocks(content, model):
        if b.get("type") == "text" and not (b.get("text") or "").strip():
            continue  # Anthropic rejects empty / whitespace-only text blocks
        blocks.append(b)
    for call in calls or ():
        call = plain(call)
        fn = plain(call.get("function") or {})
        name = fn.get("name")
        if not name:
            raise _fail("an assistant tool call has no function name", model)
        blocks.append(
            {
                "type": "tool_use",
                "id": call.get("id") or "",
                "name": name,
                "input": tool_arguments(fn.get("arguments"), model, "anthropic"),
            }
        )
    if cc is not None and blocks:
        blocks[-1] = dict(blocks[-1], cache_control=cc)
    return blocks or None


def _tool_result(msg: dict[str, Any], model: str) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "tool_result", "tool_use_id": msg["tool_call_id"]}
    content = msg.get("content")
    if isinstance(content, list):
        converted = [_part(p, model) for p in content]
        if converted:
            block["content"] = converted
    elif content:
        block["content"] = content if isinstance(content, str) else str(content)
    if msg.get("is_error"):
        block["is_error"] = True
    cc = msg.get("cache_control")
    if cc is not None:
        block["cache_control"] = cc
    return block


def convert_messages(messages: list[Any], model: str) -> tuple[str | list[dict[str, Any]] | None, list[dict[str, Any]]]:
    """OpenAI messages -> (Anthropic ``system`` or None, Anthropic ``messages``)."""
    system: list[dict[str, Any]] = []
    system_plain: list[str] = []  # string contents without cache_control (for the one-string form)
    turns: list[tuple[str, Any]] = []  # (role, content) with content a string or a list of blocks
    for msg in messages:
        role = msg.get("role")
        if role in ("system", "developer"):
            content = msg.get("content")
            cc = msg.get("cache_control")
            if isinstance(content, str) and cc is None:
                system_plain.append(content)
            blocks = _with_cache_control(content, cc, model) if cc is not None else _blocks(content, model)
            for b in blocks:
                if b.get("type") != "text":
                    raise _fail("system messages may only hold text", model)
            system.extend(blocks)
            continue
        if role == "user":
            cc = msg.get("cache_control")
            content = msg.get("content")
            if cc is not None:
                content = _with_cache_control(content, cc, model)
            elif not isinstance(content, str):
                content = _blocks(content, model)
            turns.append(("user", content))
        elif role == "assistant":
            if msg.get("function_call"):
                raise _fail("legacy function_call messages are not supported; use tools / tool_calls", model)
            content = _assistant_content(msg, model)
            if content is not None:
                turns.append(("assistant", content))
        elif role == "tool":
            turns.append(("user", [_tool_result(msg, model)]))
        else:
            raise _fail(f"role {role!r} is not supported; use tools / tool messages", model)
    if not turns:
        raise _fail("the Messages API needs at least one user or assistant message besides system prompts", model)
    out: list[dict[str, Any]] = []
    for role, content in turns:
        if out and out[-1]["role"] == role:
            prev = out[-1]
            merged = _as_blocks(prev["content"]) + _as_blocks(content)
            if role == "user":  # tool_result blocks must open the user turn
                merged = [b for b in merged if b.get("type") == "tool_result"] + [
                    b for b in merged if b.get("type") != "tool_result"
                ]
            prev["content"] = merged
        else:
            out.append({"role": role, "content": content})
    if len(system) == 1 and len(system_plain) == 1:
        return system_plain[0], out
    return (system or None), out


def _as_blocks(content: Any) -> list[Any]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    return list(content)


def convert_tools(tools: list[Any], model: str) -> list[dict[str, Any]]:
    """OpenAI function tools -> Anthropic tools; Anthropic-form and server tools pass through."""
    out: list[dict[str, Any]] = []
    for tool in tools:
        tool = plain(tool)
        fn = tool.get("function")
        if tool.get("type") == "function" and isinstance(fn, dict):
            name = fn.get("name")
            if not isinstance(name, str) or not name:
                raise _fail("every function tool needs a name", model)
            item: dict[str, Any] = {"name": name}
            if fn.get("description") is not None:
                item["description"] = fn["description"]
            schema = fn.get("parameters")
            if not schema:
                schema = {"type": "object", "properties": {}}
            elif schema.get("type") != "object":
                log.warning(
                    "anthropic: tool %r has a parameters schema of type %r; Anthropic expects an "
                    "object schema, sent as given",
                    name,
                    schema.get("type"),
                )
            item["input_schema"] = schema
            cc = tool.get("cache_control", fn.get("cache_control"))
            if cc is not None:
                item["cache_control"] = cc
            if fn.get("strict") is True:
                if supports_structured_output(model):
                    item["strict"] = True
                else:
                    log.warning("anthropic: %s has no strict tool schemas; 'strict' of tool %r not sent", model, name)
            out.append(item)
        elif "input_schema" in tool or (isinstance(tool.get("type"), str) and tool.get("type") != "function"):
            out.append(tool)  # already Anthropic form (custom or server tool)
        else:
            raise _fail(f"tool {str(tool)[:80]!r} is neither an OpenAI function tool nor an Anthropic tool", model)
    return out


def _tool_choice(choice: Any, model: str) -> dict[str, Any]:
    if choice == "auto":
        return {"type": "auto"}
    if choice == "none":
        return {"type": "none"}
    if choice in ("required", "any"):
        return {"type": "any"}
    if isinstance(choice, dict):
        if choice.get("type") in ("auto", "any", "none", "tool"):
            return dict(choice)  # Anthropic form
        fn = choice.get("function")
        name = fn.get("name") if isinstance(fn, dict) else choice.get("name")
        if isinstance(name, str) and name:
            return {"type": "tool", "name": name}
    raise _fail(f"tool_choice {choice!r} is not 'auto', 'none', 'required' or a named function", model)


def _web_search_tool(options: Any) -> dict[str, Any]:
    tool: dict[str, Any] = {"type": "web_search_20250305", "name": "web_search"}
    if isinstance(options, dict):
        uses = _SEARCH_USES.get(options.get("search_context_size"))
        if uses:
            tool["max_uses"] = uses
        loc = options.get("user_location")
        if isinstance(loc, dict):
            approx = loc.get("approximate")
            if not isinstance(approx, dict):
                approx = loc
            fields = {k: approx[k] for k in ("city", "region", "country", "timezone") if approx.get(k)}
            if fields:
                tool["user_location"] = {"type": "approximate", **fields}
    return tool


def uses_json_tool(params: dict[str, Any], model: str) -> bool:
    """True when ``response_format`` is served by the forced ``json_tool_call`` tool."""
    rf = params.get("response_format")
    if not isinstance(rf, dict):
        return False
    kind = rf.get("type")
    if kind == "json_object":
        return True
    return kind == "json_schema" and not supports_structured_output(model)


def _json_schema_of(rf: dict[str, Any], model: str) -> dict[str, Any]:
    spec = rf.get("json_schema")
    schema = spec.get("schema") if isinstance(spec, dict) else None
    if not isinstance(schema, dict):
        raise _fail("response_format json_schema needs json_schema.schema", model)
    return schema


def _usage(u: Any) -> dict[str, Any]:
    """Anthropic usage -> OpenAI usage (see the module docstring for the prompt_tokens rule)."""
    if not isinstance(u, dict):
        u = {}
    inp = u.get("input_tokens") or 0
    read = u.get("cache_read_input_tokens") or 0
    write = u.get("cache_creation_input_tokens") or 0
    out = u.get("output_tokens") or 0
    prompt = inp + read + write
    usage: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": out,
        "total_tokens": prompt + out,
        "prompt_tokens_details": {"cached_tokens": read, "cache_creation_tokens": write},
        "cache_read_input_tokens": read,
        "cache_creation_input_tokens": write,
    }
    details = u.get("output_tokens_details")
    if isinstance(details, dict) and details.get("thinking_tokens") is not None:
        usage["completion_tokens_details"] = {"reasoning_tokens": details["thinking_tokens"]}
    if u.get("server_tool_use") is not None:
        usage["server_tool_use"] = u["server_tool_use"]
    return usage


def finish_reason(stop_reason: Any) -> str:
    if stop_reason is None:
        return "stop"
    return FINISH_REASONS.get(stop_reason, "stop")


# ---------------------------------------------------------------------------------------------
# the dialect
# ---------------------------------------------------------------------------------------------


class Anthropic(Dialect):
    """Anthropic Messages API (``POST /v1/messages``)."""

    name = "anthropic"
    kept_headers = _KEPT_HEADERS
    key_hint = "ANTHROPIC_API_KEY / litegate.anthropic_key"

    # ------------------------------------------------------------------ params
    def supported_openai_params(self, model: str) -> list[str]:
        params = list(_SUPPORTED)
        if fixed_sampling(model):
            params = [p for p in params if p not in ("temperature", "top_p")]
        if supports_thinking(model):
            params.append("reasoning_effort")
        return params

    def unsupported(self, params: dict[str, Any], model: str) -> list[str]:
        bad = [p for p in params if p not in _ALWAYS_OK]
        n = params.get("n")
        if n is not None and n != 1:
            bad.append("n")
        if params.get("reasoning_effort") not in (None, "none") and not supports_thinking(model):
            bad.append("reasoning_effort")
        tier = params.get("service_tier")
        if tier is not None and tier not in _SERVICE_TIERS:
            bad.append("service_tier")
        if fixed_sampling(model):
            if params.get("temperature") not in (None, 1):
                bad.append("temperature")
            if params.get("top_p") is not None and params["top_p"] < 0.99:
                bad.append("top_p")
        return bad

    def adapt_params(self, params: dict[str, Any], model: str) -> dict[str, Any]:
        """OpenAI params -> the Anthropic request fields they become (no messages/system/model)."""
        out: dict[str, Any] = {}
        get = params.get
        max_tokens = max_output_tokens(params)
        if max_tokens is not None:
            out["max_tokens"] = max_tokens
        if "temperature" in params:
            out["temperature"] = params["temperature"]
        if "top_p" in params:
            out["top_p"] = params["top_p"]
        stop = get("stop")
        if stop is not None:
            out["stop_sequences"] = [stop] if isinstance(stop, str) else list(stop)
        user = get("user")
        if user is not None:
            out["metadata"] = {"user_id": user}
        tier = get("service_tier")
        if tier is not None:
            out["service_tier"] = _SERVICE_TIERS[tier]
        tools = convert_tools(get("tools") or [], model)
        if get("web_search_options") is not None:
            tools.append(_web_search_tool(get("web_search_options")))
        choice = None
        if tools and get("tool_choice") is not None:
            choice = _tool_choice(get("tool_choice"), model)
        rf = get("response_format")
        if isinstance(rf, dict) and rf.get("type") in ("json_object", "json_schema"):
            if uses_json_tool(params, model):
                schema = _json_schema_of(rf, model) if rf.get("type") == "json_schema" else {"type": "object"}
                tools.append(
                    {"name": JSON_TOOL_NAME, "description": "Respond with a JSON object.", "input_schema": schema}
                )
                choice = {"type": "tool", "name": JSON_TOOL_NAME}
            else:
                out["output_config"] = {"format": {"type": "json_schema", "schema": _json_schema_of(rf, model)}}
        if get("parallel_tool_calls") is False and tools:
            if choice is None:
                choice = {"type": "auto"}
            if choice.get("type") != "none":
                choice = dict(choice, disable_parallel_tool_use=True)
        if tools:
            out["tools"] = tools
        if choice is not None:
            out["tool_choice"] = choice
        effort = get("reasoning_effort")
        if effort is not None and effort != "none":
            if supports_adaptive_thinking(model):
                level = ADAPTIVE_EFFORTS.get(effort)
                if level is None:
                    raise _fail(
                        f"reasoning_effort must be one of none, {', '.join(ADAPTIVE_EFFORTS)}; got {effort!r}", model
                    )
                out["thinking"] = {"type": "adaptive"}
                out["output_config"] = dict(out.get("output_config") or {}, effort=level)
            else:
                budget = REASONING_BUDGETS.get(effort)
                if budget is None:
                    raise _fail(
                        f"reasoning_effort must be one of none, {', '.join(REASONING_BUDGETS)}; got {effort!r}", model
                    )
                out["thinking"] = {"type": "enabled", "budget_tokens": budget}
        return out

    def prefill_text(self, text: str) -> str:
        return text.rstrip()  # the Messages API refuses a final assistant turn ending in whitespace

    # ------------------------------------------------------------------ requests
    def auth_headers(self, target: Target) -> dict[str, str]:
        if not target.api_key:
            raise self.missing_key(target)
        h = {"x-api-key": target.api_key, "anthropic-version": ANTHROPIC_VERSION, "content-type": "application/json"}
        if target.headers:
            h.update(target.headers)
        return h

    @staticmethod
    def url(target: Target) -> str:
        base = cast(str, target.api_base)  # the spec's default when none is given
        if base.endswith("/v1/messages"):
            return base
        if base.endswith("/v1"):
            return base + "/messages"
        return base + "/v1/messages"

    def chat_request(self, call: ChatCall, target: Target, drop: Drop) -> HttpRequest:
        model = target.model
        system, messages = convert_messages(call.messages, model)
        body: dict[str, Any] = {"model": model, "messages": messages}
        if system is not None:
            body["system"] = system
        if call.params:
            body.update(self.map_params(call.params, model, drop))
        if call.extra:
            body.update(call.extra)  # top_k, thinking, and any other Anthropic field, as given
        if body.get("max_tokens") is None:
            default = default_max_tokens(model)
            thinking = body.get("thinking")
            if isinstance(thinking, dict) and isinstance(thinking.get("budget_tokens"), int):
                default = max(default, thinking["budget_tokens"] + 1024)
            body["max_tokens"] = default
        if call.stream:
            body["stream"] = True
        return HttpRequest("POST", self.url(target), self.auth_headers(target), body)

    # ------------------------------------------------------------------ responses
    def embedded_error(self, data: dict[str, Any], resp: HttpResponse, target: Target) -> Exception | None:
        if data.get("type") == "error" or "error" in data:
            # an error body with a success status: classified by its error type
            return mid_stream_error(data, llm_provider=self.name, model=target.model)
        return None

    def parse_chat(self, resp: HttpResponse, call: ChatCall, target: Target) -> ModelResponse:
        data = self.json_body(resp, target, "content")
        content = data.get("content")
        if not isinstance(content, list):
            raise self._invalid("response has no 'content' list", target)
        json_tool = uses_json_tool(call.params, target.model) if call.params else False
        message, fr = _message(content, data.get("stop_reason"), json_tool)
        if data.get("stop_details") is not None:
            message.setdefault("provider_specific_fields", {})["stop_details"] = data["stop_details"]
        if fr == "tool_calls" and "tool_calls" not in message:
            fr = "stop"
        return ModelResponse(
            id=data.get("id") or "",
            created=int(time.time()),
            model=data.get("model") or target.model,
            object="chat.completion",
            choices=[{"index": 0, "message": message, "finish_reason": fr}],
            usage=_usage(data.get("usage")),
        )

    def stream_decoder(self, call: ChatCall | TextCall, target: Target) -> AnthropicStreamDecoder:
        params = call.params or {}
        so = params.get("stream_options")
        include_usage = isinstance(so, dict) and so.get("include_usage") is True
        return AnthropicStreamDecoder(target.model, include_usage, uses_json_tool(params, target.model))

    def response_headers(self, resp: HasHeaders) -> dict[str, str]:
        out = {}
        for k, v in resp.headers.items():  # kept, and the rate-limit ones also under OpenAI's names
            if k.startswith(_KEPT_HEADERS):
                out[k] = v
                renamed = _RATE_HEADER_RENAMES.get(k)
                if renamed is not None:
                    out[renamed] = v
        return out


def _message(content: list[Any], stop_reason: Any, json_tool: bool) -> tuple[dict[str, Any], str]:
    """Anthropic content blocks -> (OpenAI message dict, finish reason)."""
    texts: list[str] = []
    calls: list[dict[str, Any]] = []
    reasoning: list[str] = []
    thinking_blocks: list[dict[str, Any]] = []
    citations: list[Any] = []
    others: list[dict[str, Any]] = []
    fr = finish_reason(stop_reason)
    for block in content:
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "text":
            texts.append(block.get("text") or "")
            if block.get("citations"):
                citations.append(block["citations"])
        elif kind == "tool_use":
            if json_tool and block.get("name") == JSON_TOOL_NAME:
                texts.append(dumps(block.get("input") or {}).decode("utf-8"))
                fr = "stop"
                continue
            calls.append(
                {
                    "id": block.get("id"),
                    "type": "function",
                    "function": {
                        "name": block.get("name"),
                        "arguments": dumps(block.get("input") or {}).decode("utf-8"),
                    },
                }
            )
        elif kind == "thinking":
            reasoning.append(block.get("thinking") or "")
            thinking_blocks.append(
                {"type": "thinking", "thinking": block.get("thinking") or "", "signature": block.get("signature")}
            )
        elif kind == "redacted_thinking":
            thinking_blocks.append({"type": "redacted_thinking", "data": block.get("data")})
        else:
            others.append(block)
    message: dict[str, Any] = {"role": "assistant", "content": "".join(texts) if texts else None}
    if calls:
        message["tool_calls"] = calls
    if thinking_blocks:
        message["reasoning_content"] = "".join(reasoning)
        message["thinking_blocks"] = thinking_blocks
    psf: dict[str, Any] = {}
    if citations:
        psf["citations"] = citations
    if others:
        psf["content_blocks"] = others
    if psf:
        message["provider_specific_fields"] = psf
    return message, fr


# ---------------------------------------------------------------------------------------------
# streaming
# ---------------------------------------------------------------------------------------------


class AnthropicStreamDecoder(StreamDecoder):
    """Bytes of an Anthropic SSE stream -> ``ModelResponseStream`` chunks; strict about how it ends.

    ``message_start`` gives the first chunk (role ``assistant``); text, tool-call, thinking and
    signature deltas each give a chunk; ``message_stop`` gives the final chunk with
    ``finish_reason`` (and ``usage`` when ``stream_options.include_usage``). ``ping`` and
    unknown events are ignored; an ``error`` event raises the mapped exception; a stream that
    ends without ``message_stop`` raises ``APIConnectionError``.
    """

    __slots__ = (
        "include_usage",
        "json_tool",
        "id",
        "created",
        "resp_model",
        "usage",
        "stop_reason",
        "_tool_index",
        "_kinds",
        "_make",
        "stop_details",
    )

    end_marker = "message_stop"

    def __init__(self, model: str, include_usage: bool = False, json_tool: bool = False):
        super().__init__("anthropic", model)
        self.include_usage = include_usage
        self.json_tool = json_tool
        self.id = ""
        self.created = int(time.time())
        self.resp_model = model
        self.usage: dict[str, Any] = {}
        self.stop_reason: Any = None
        self.stop_details: Any = None
        self._tool_index: dict[Any, int] = {}  # content block index -> OpenAI tool call index
        self._kinds: dict[Any, str] = {}  # content block index -> "text" | "tool" | "json" | "thinking" | "other"
        self._make = ModelResponseStream  # what ModelResponse(stream=True, ...) makes

    def _chunk(self, delta: dict[str, Any], finish: str | None = None, usage: Any = None) -> ModelResponseStream:
        kw: dict[str, Any] = {
            "id": self.id,
            "created": self.created,
            "model": self.resp_model,
            "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        if usage is not None:
            kw["usage"] = usage
        return self._make(**kw)

    def _convert_into(self, events: list[tuple[str | None, str]], out: list[Chunk]) -> None:
        for event, data in events:
            if self.done:
                return
            obj = self.event_json(data)
            if obj is None:
                continue
            kind = obj.get("type") or event
            if kind == "content_block_delta":
                chunk = self._delta(obj)
                if chunk is not None:
                    out.append(chunk)
            elif kind == "content_block_start":
                chunk = self._block_start(obj)
                if chunk is not None:
                    out.append(chunk)
            elif kind == "message_start":
                msg = obj.get("message") or {}
                self.id = msg.get("id") or self.id
                self.resp_model = msg.get("model") or self.resp_model
                usage = msg.get("usage")
                if isinstance(usage, dict):
                    self.usage.update(usage)
                out.append(self._chunk({"role": "assistant", "content": ""}))
            elif kind == "message_delta":
                delta = obj.get("delta") or {}
                if delta.get("stop_reason") is not None:
                    self.stop_reason = delta["stop_reason"]
                if delta.get("stop_details") is not None:
                    self.stop_details = delta["stop_details"]
                usage = obj.get("usage")
                if isinstance(usage, dict):
                    self.usage.update({k: v for k, v in usage.items() if v is not None})
            elif kind == "message_stop":
                self.done = True
                out.append(self._final())
            elif kind == "error" or event == "error":
                raise mid_stream_error(obj, llm_provider=self.provider, model=self.model)
            # ping, content_block_stop and unknown events carry nothing for the caller

    def _final(self) -> ModelResponseStream:
        fr = finish_reason(self.stop_reason)
        if self.json_tool and fr == "tool_calls" and "tool" not in self._kinds.values():
            fr = "stop"
        delta: dict[str, Any] = {}
        if self.stop_details is not None:
            delta["provider_specific_fields"] = {"stop_details": self.stop_details}
        return self._chunk(delta, fr, _usage(self.usage) if self.include_usage else None)

    def _block_start(self, obj: dict[str, Any]) -> ModelResponseStream | None:
        index = obj.get("index")
        block = obj.get("content_block") or {}
        kind = block.get("type")
        if kind == "text":
            self._kinds[index] = "text"
            text = block.get("text")
            return self._chunk({"content": text}) if text else None
        if kind == "tool_use":
            if self.json_tool and block.get("name") == JSON_TOOL_NAME:
                self._kinds[index] = "json"
                return None
            self._kinds[index] = "tool"
            position = self._tool_index[index] = len(self._tool_index)
            return self._chunk(
                {
                    "tool_calls": [
                        {
                            "index": position,
                            "id": block.get("id"),
                            "type": "function",
                            "function": {"name": block.get("name"), "arguments": ""},
                        }
                    ]
                }
            )
        if kind == "thinking":
            self._kinds[index] = "thinking"
            text = block.get("thinking")
            if text:
                return self._chunk(
                    {"reasoning_content": text, "thinking_blocks": [{"type": "thinking", "thinking": text}]}
                )
            return None
        if kind == "redacted_thinking":
            self._kinds[index] = "other"
            return self._chunk({"thinking_blocks": [{"type": "redacted_thinking", "data": block.get("data")}]})
        self._kinds[index] = "other"  # server tools, their results, compaction, fallback ...
        return None

    def _delta(self, obj: dict[str, Any]) -> ModelResponseStream | None:
        delta = obj.get("delta") or {}
        kind = delta.get("type")
        if kind == "text_delta":
            text = delta.get("text")
            return self._chunk({"content": text}) if text else None
        if kind == "input_json_delta":
            part = delta.get("partial_json")
            if not part:
                return None
            index = obj.get("index")
            where = self._kinds.get(index)
            if where == "tool":
                return self._chunk(
                    {"tool_calls": [{"index": self._tool_index[index], "function": {"arguments": part}}]}
                )
            if where == "json":
                return self._chunk({"content": part})
            return None  # server tool input: not a client tool call
        if kind == "thinking_delta":
            text = delta.get("thinking")
            if not text:
                return None
            return self._chunk({"reasoning_content": text, "thinking_blocks": [{"type": "thinking", "thinking": text}]})
        if kind == "signature_delta":
            sig = delta.get("signature")
            if not sig:
                return None
            return self._chunk({"thinking_blocks": [{"type": "thinking", "thinking": "", "signature": sig}]})
        if kind == "citations_delta":
            return self._chunk({"provider_specific_fields": {"citation": delta.get("citation")}})
        return None
