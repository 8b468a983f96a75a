"""The Ollama dialect: ``ollama_chat/<model>`` (POST /api/chat) and ``ollama/<model>`` (POST /api/generate).

A pure translator, like the OpenAI one: a ``ChatCall`` / ``EmbeddingCall`` + ``Target`` become an
``HttpRequest``; an ``HttpResponse`` or an NDJSON byte stream becomes our response types or an
exception. Wire format: Ollama's API reference (``docs/api.md``, the OpenAPI description and the
capability pages for tool calling, vision, structured outputs, thinking, streaming, embeddings).

Requests
--------
* ``stream`` is always sent (Ollama streams unless told ``"stream": false``).
* OpenAI sampling parameters become ``options``: ``temperature``, ``top_p``, ``seed``,
  ``presence_penalty``, ``frequency_penalty``, ``stop`` (always a list), ``max_tokens`` /
  ``max_completion_tokens`` -> ``num_predict``. Ollama's own options given as keyword arguments
  (``top_k``, ``num_ctx``, ``repeat_penalty``, ``min_p``, ``mirostat`` ...) also go into
  ``options``, as does an ``options={...}`` dict (which wins over mapped values). Other keyword
  arguments (``keep_alive``, ``think``, ``format``, ``raw``, ``suffix`` ...) are top-level fields.
* ``response_format``: ``json_object`` -> ``"format": "json"``; ``json_schema`` -> ``"format": <schema>``.
* ``reasoning_effort`` -> ``think``: ``"none"`` -> false, ``"minimal"`` -> ``"low"``, ``low`` /
  ``medium`` / ``high`` as given (Ollama's thinking levels). An explicit ``think=`` wins.
* ``logprobs`` / ``top_logprobs`` are sent as Ollama's fields of the same names.
* ``n`` > 1, ``user``, ``logit_bias``, audio / modalities / prediction / service options have no
  Ollama equivalent: ``UnsupportedParamsError`` unless ``drop_params``.

``ollama_chat`` (/api/chat)
  * messages: ``system`` and ``developer`` -> ``system``; ``user``; ``assistant`` (its
    ``reasoning_content`` -> ``thinking``; ``tool_calls`` -> ``{"function": {"name", "arguments"}}``
    with ``arguments`` as an object, as in the reference's history example; a ``None`` content
    beside tool calls is left out, an empty string is kept); ``tool`` -> ``tool`` with
    ``tool_name`` (the function name of the assistant tool call its ``tool_call_id`` answers, or
    the message's ``name``); legacy ``function`` messages and ``function_call`` likewise.
  * content lists: text parts are joined with ``"\\n"``; ``image_url`` parts with a base64 data URL
    (or a bare base64 string) go, base64 only, into the message's ``images``. Image URLs on the
    web are not downloaded: they are rejected with a ``BadRequestError`` (an
    ``InputValidationError``) before any request, as are other part types.
  * ``tools`` are sent in OpenAI's function form, which Ollama takes as is (``strict`` is removed
    with a logged warning: Ollama does not enforce schemas). Legacy ``functions`` become tools.
  * ``tool_choice``: ``"auto"`` sends the tools; ``"none"`` sends no tools. Ollama cannot force a
    call, so ``"required"`` and a named function are sent as best effort (a named function
    narrows ``tools`` to that one) with a logged warning. ``parallel_tool_calls=False`` cannot be
    expressed either: logged warning.

``ollama`` (/api/generate), the prompt rule
  * system / developer messages, joined with a blank line, become ``system``;
  * a conversation of exactly one user message is sent as ``prompt`` verbatim (so the model's own
    template applies, as it would for a direct call);
  * any other conversation is flattened into a transcript: one block per message, ``### User:``,
    ``### Assistant:`` or ``### Tool result (<name>):`` followed by a newline and the text (an
    assistant's tool calls as ``Tool call: name({...})`` lines), blocks joined by a blank line,
    ending with ``### Assistant:\\n`` so the model answers next. When the last message is from
    the assistant the transcript ends with its text instead, which the model continues;
  * with only system messages, their text is the prompt;
  * images of every message go, in order, into ``images``;
  * tools cannot be sent to /api/generate: ``UnsupportedParamsError`` (use ``ollama_chat/``)
    unless ``drop_params``.

Responses
---------
``message.content`` / ``response`` -> content; ``thinking`` -> ``reasoning_content``; tool calls
(Ollama gives ``arguments`` as an object) -> OpenAI tool calls with JSON-string arguments and an id
(Ollama's, or a generated ``call_...``); ``done_reason`` -> ``finish_reason`` (``"tool_calls"``
whenever the answer holds tool calls, ``"length"`` for ``length``, ``"stop"`` otherwise);
``prompt_eval_count`` / ``eval_count`` -> ``usage``; ``logprobs`` -> OpenAI chat logprobs.
``created_at`` becomes ``created``; ``model`` is the model Ollama names.

Streams are NDJSON (one JSON object a line). The first chunk carries ``role: "assistant"``;
the object with ``"done": true`` gives the last chunk, with ``finish_reason`` and (with
``stream_options={"include_usage": True}``) ``usage``. A stream that ends without that object
raises ``APIConnectionError``; a line that is not JSON raises ``APIResponseValidationError``; an
``{"error": ...}`` line raises the mapped exception (after the chunks of the lines before it).

Embeddings: POST /api/embed ``{model, input, dimensions?}`` (``truncate``, ``keep_alive``,
``options`` pass through) -> ``EmbeddingResponse`` with ``usage.prompt_tokens`` from
``prompt_eval_count``. ``encoding_format="base64"`` is produced here (float32, little-endian, as
OpenAI encodes it); token-id inputs are rejected (Ollama embeds text only).

Auth and URL: ``Authorization: Bearer <key>`` only when a key is given (``api_key`` or
``OLLAMA_API_KEY``; a local Ollama takes none). ``api_base`` may already end with the endpoint
path (``.../api/chat``), as litellm allows.

Deliberate differences from litellm's Ollama translation: ``frequency_penalty`` is sent as
Ollama's own ``frequency_penalty`` option (litellm sends it as ``repeat_penalty``) and
``presence_penalty`` is supported; tool results carry ``tool_name``; image URLs are not
downloaded; ``options`` is left out when empty; ``response.model`` is the model Ollama names
(litellm prefixes non-stream answers with ``ollama/`` / ``ollama_chat/``); tools on ``ollama/``
raise instead of being emulated with a JSON-mode prompt; the /api/generate prompt rule above is
litegate's own.
"""

from __future__ import annotations

import base64
import calendar
import json
import re
import struct
import time
import uuid
from typing import TYPE_CHECKING, Any, cast

from ..core.errors import mid_stream_error
from ..core.http import HttpRequest, HttpResponse
from ..core.jsonutil import loads
from ..core.log import log
from ..core.prompt_templates import format_prompt, get_prompt_template
from ..exceptions import APIResponseValidationError, UnsupportedParamsError
from ..types.utils import EmbeddingResponse, ModelResponse, ModelResponseStream
from .base import Dialect, NDJSONStreamDecoder, bad_input, drop_unsupported

if TYPE_CHECKING:
    from ..core.call import ChatCall, EmbeddingCall, TextCall
    from ..core.framing import NDJSONFramer
    from ..core.resolve import Target
    from .base import Chunk, Drop


__all__ = ["Ollama", "OllamaChat", "OllamaStreamDecoder", "OPTION_NAMES", "generate_prompt"]

# Ollama's runtime options (the Modelfile parameters the API takes in ``options``).
OPTION_NAMES: frozenset[str] = frozenset(
    {
        "num_keep",
        "seed",
        "num_predict",
        "draft_num_predict",
        "top_k",
        "top_p",
        "min_p",
        "typical_p",
        "tfs_z",
        "repeat_last_n",
        "temperature",
        "repeat_penalty",
        "presence_penalty",
        "frequency_penalty",
        "penalize_newline",
        "stop",
        "mirostat",
        "mirostat_tau",
        "mirostat_eta",
        "numa",
        "num_ctx",
        "num_batch",
        "num_gpu",
        "main_gpu",
        "low_vram",
        "f16_kv",
        "logits_all",
        "vocab_only",
        "use_mmap",
        "use_mlock",
        "embedding_only",
        "num_thread",
        "num_gqa",
    }
)

# OpenAI parameters passed to ``options`` under the same name.
_SAME_NAME_OPTIONS = frozenset({"temperature", "top_p", "seed", "presence_penalty", "frequency_penalty"})

_COMMON_SUPPORTED = (
    "max_tokens",
    "max_completion_tokens",
    "stream",
    "stream_options",
    "temperature",
    "top_p",
    "seed",
    "presence_penalty",
    "frequency_penalty",
    "stop",
    "n",
    "response_format",
    "reasoning_effort",
    "logprobs",
    "top_logprobs",
)
_TOOL_PARAMS = ("tools", "tool_choice", "parallel_tool_calls", "functions", "function_call")

_THINK_LEVELS = {"none": False, "disable": False, "minimal": "low", "low": "low", "medium": "medium", "high": "high"}

_DONE_REASONS = {"stop": "stop", "length": "length", "load": "stop", "unload": "stop"}

_RATE_HEADERS = ("x-ratelimit-", "retry-after", "x-request-id")
_ENDPOINTS = ("/api/chat", "/api/generate", "/api/embed")

_ISO = re.compile(r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.\d+)?(Z|[+-]\d\d:?\d\d)?$")

_DATA_URL = re.compile(r"data:([^;,]*)((?:;[^;,]*)*),(.*)", re.DOTALL)
_B64 = re.compile(r"[A-Za-z0-9+/=\s]+")


# ---------------------------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------------------------


def _fail(message: str, model: str) -> Exception:
    return bad_input(message, model)


def _epoch(value: Any) -> int | None:
    """Seconds since the epoch for Ollama's RFC 3339 ``created_at`` (nanosecond precision)."""
    if not isinstance(value, str):
        return None
    m = _ISO.match(value)
    if m is None:
        return None
    y, mo, d, h, mi, s, tz = m.groups()
    seconds = calendar.timegm((int(y), int(mo), int(d), int(h), int(mi), int(s), 0, 0, 0))
    if tz and tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        digits = tz[1:].replace(":", "")
        seconds -= sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    return seconds


def _finish_reason(done_reason: Any, has_tool_calls: bool) -> str:
    if has_tool_calls:
        return "tool_calls"
    return _DONE_REASONS.get(done_reason, "stop") if isinstance(done_reason, str) else "stop"


def _usage(obj: dict[str, Any]) -> dict[str, Any]:
    prompt = obj.get("prompt_eval_count") or 0
    completion = obj.get("eval_count") or 0
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _new_call_id() -> str:
    return "call_" + uuid.uuid4().hex[:24]


def _arguments_json(args: Any) -> str:
    if isinstance(args, str):
        return args
    if args is None:
        return "{}"
    return json.dumps(args)


def _tool_calls_out(calls: Any, start: int = 0, stream: bool = False) -> list[dict[str, Any]] | None:
    """Ollama tool calls -> OpenAI tool calls (deltas with ``index`` when ``stream``)."""
    if not calls or not isinstance(calls, list):
        return None
    out: list[dict[str, Any]] = []
    for k, tc in enumerate(calls):
        if not isinstance(tc, dict):
            continue
        fn = tc.get("function")
        if not isinstance(fn, dict):
            fn = {}
        item: dict[str, Any] = {
            "id": tc.get("id") or _new_call_id(),
            "type": "function",
            "function": {"name": fn.get("name"), "arguments": _arguments_json(fn.get("arguments"))},
        }
        if stream:
            item["index"] = start + k
        out.append(item)
    return out or None


def _logprobs(items: Any) -> dict[str, Any] | None:
    """Ollama's ``logprobs`` list -> OpenAI's ``{"content": [...]}``."""
    if not items or not isinstance(items, list):
        return None
    content: list[dict[str, Any]] = []
    for it in items:
        if not isinstance(it, dict):
            continue
        top = it.get("top_logprobs") or []
        content.append(
            {
                "token": it.get("token", ""),
                "logprob": it.get("logprob", 0.0),
                "bytes": it.get("bytes"),
                "top_logprobs": [
                    {"token": t.get("token", ""), "logprob": t.get("logprob", 0.0), "bytes": t.get("bytes")}
                    for t in top
                    if isinstance(t, dict)
                ],
            }
        )
    return {"content": content}


# ---------------------------------------------------------------------------------------------
# messages
# ---------------------------------------------------------------------------------------------


def _image(part: dict[str, Any], where: str, model: str) -> str:
    """An ``image_url`` part -> the bare base64 data Ollama takes."""
    iu = part.get("image_url")
    url = iu.get("url") if isinstance(iu, dict) else iu
    if not isinstance(url, str) or not url.strip():
        raise _fail(f"{where}: image_url part has no url", model)
    url = url.strip()
    low = url[:8].lower()
    if low.startswith("data:"):
        m = _DATA_URL.match(url)
        if m is None or ";base64" not in m.group(2).lower():
            raise _fail(
                f"{where}: Ollama takes images as base64; the data URL must be 'data:<mime>;base64,<data>'", model
            )
        return m.group(3).strip()
    if low.startswith(("http://", "https:/")):
        raise _fail(
            f"{where}: Ollama takes images inline as base64 and litegate does not download image URLs; "
            f"pass the image as a data URL ('data:image/png;base64,...') instead of {url[:60]!r}",
            model,
        )
    if _B64.fullmatch(url) is None:
        raise _fail(f"{where}: image_url must be a base64 data URL or base64 data", model)
    return "".join(url.split())


def _content(content: Any, where: str, model: str) -> tuple[str, list[str]]:
    """OpenAI message content -> (text, base64 images)."""
    if content is None:
        return "", []
    if isinstance(content, str):
        return content, []
    texts: list[str] = []
    images: list[str] = []
    for j, part in enumerate(content):
        kind = part.get("type")
        if kind == "text":
            text = part.get("text")
            if isinstance(text, str):
                texts.append(text)
        elif kind == "image_url":
            images.append(_image(part, f"{where}.content[{j}]", model))
        elif kind == "refusal" and isinstance(part.get("refusal"), str):
            texts.append(part["refusal"])
        else:
            raise _fail(
                f"{where}.content[{j}]: Ollama takes text and image_url parts; a {kind!r} part cannot be sent", model
            )
    return "\n".join(texts), images


def _arguments_object(raw: Any, where: str, model: str) -> Any:
    """OpenAI's JSON-string arguments -> the object Ollama expects."""
    if raw is None or raw == "":
        return {}
    if isinstance(raw, (dict, list)):
        return raw
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            raise _fail(
                f"{where}: tool call arguments are not valid JSON ({raw[:80]!r}); Ollama needs them as a JSON object",
                model,
            ) from None
    raise _fail(f"{where}: tool call arguments must be a JSON string", model)


def _assistant_calls(msg: dict[str, Any], where: str, model: str, names: dict[str | None, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    calls = msg.get("tool_calls") or []
    for k, tc in enumerate(calls):
        if not isinstance(tc, dict):
            raise _fail(f"{where}.tool_calls[{k}] must be a dict", model)
        fn = tc.get("function")
        if not isinstance(fn, dict):
            fn = {}
        name = fn.get("name")
        if tc.get("id"):
            names[tc["id"]] = name
        out.append(
            {
                "function": {
                    "name": name or "",
                    "arguments": _arguments_object(fn.get("arguments"), f"{where}.tool_calls[{k}]", model),
                }
            }
        )
    fc = msg.get("function_call")
    if isinstance(fc, dict) and not calls:
        out.append(
            {
                "function": {
                    "name": fc.get("name") or "",
                    "arguments": _arguments_object(fc.get("arguments"), f"{where}.function_call", model),
                }
            }
        )
    return out


def chat_messages(messages: list[Any], model: str) -> list[dict[str, Any]]:
    """OpenAI messages -> Ollama /api/chat messages."""
    out: list[dict[str, Any]] = []
    names: dict[str | None, Any] = {}  # tool_call_id -> function name, for tool results
    for i, msg in enumerate(messages):
        where = f"messages[{i}]"
        role = msg.get("role")
        text, images = _content(msg.get("content"), where, model)
        if role in ("system", "developer"):
            item: dict[str, Any] = {"role": "system", "content": text}
        elif role == "user":
            item = {"role": "user", "content": text}
        elif role == "assistant":
            item = {"role": "assistant"}
            calls = _assistant_calls(msg, where, model, names)
            if msg.get("content") is not None or not calls:
                item["content"] = text
            thinking = msg.get("reasoning_content") or msg.get("thinking")
            if isinstance(thinking, str) and thinking:
                item["thinking"] = thinking
            if calls:
                item["tool_calls"] = calls
        elif role == "tool":
            item = {"role": "tool", "content": text}
            name = names.get(msg.get("tool_call_id")) or msg.get("name")
            if name:
                item["tool_name"] = name
        else:  # legacy "function" result
            item = {"role": "tool", "content": text}
            if msg.get("name"):
                item["tool_name"] = msg["name"]
        if images:
            item["images"] = images
        out.append(item)
    return out


def generate_prompt(messages: list[Any], model: str) -> tuple[str, str | None, list[str]]:
    """The /api/generate rule: (prompt, system or None, images). See the module docstring."""
    system: list[str] = []
    convo: list[tuple[str, str, dict[str, Any]]] = []
    images: list[str] = []
    names: dict[str | None, Any] = {}
    for i, msg in enumerate(messages):
        where = f"messages[{i}]"
        role = msg.get("role")
        text, imgs = _content(msg.get("content"), where, model)
        images.extend(imgs)
        if role in ("system", "developer"):
            system.append(text)
        else:
            convo.append((role, text, msg))
            if role == "assistant":
                for tc in msg.get("tool_calls") or []:
                    if isinstance(tc, dict) and tc.get("id") and isinstance(tc.get("function"), dict):
                        names[tc["id"]] = tc["function"].get("name")
    system_text = "\n\n".join(system) if system else None
    if not convo:
        return system_text or "", None, images
    if len(convo) == 1 and convo[0][0] == "user":
        return convo[0][1], system_text, images
    blocks: list[str] = []
    for role, text, msg in convo:
        if role == "user":
            blocks.append("### User:\n" + text)
        elif role == "assistant":
            lines = [text] if text else []
            for call in _assistant_calls(msg, "assistant", model, {}):
                fn = call["function"]
                lines.append(f"Tool call: {fn['name']}({json.dumps(fn['arguments'])})")
            blocks.append("### Assistant:\n" + "\n".join(lines))
        else:
            name = names.get(msg.get("tool_call_id")) or msg.get("name") or "tool"
            blocks.append(f"### Tool result ({name}):\n" + text)
    prompt = "\n\n".join(blocks)
    if convo[-1][0] != "assistant":
        prompt += "\n\n### Assistant:\n"
    return prompt, system_text, images


# ---------------------------------------------------------------------------------------------
# the dialect
# ---------------------------------------------------------------------------------------------


class _OllamaDialect(Dialect):
    name = "ollama"
    kept_headers = _RATE_HEADERS
    path = "/api/generate"
    tools_supported = False
    required = "response"  # the key a non-stream answer must have

    def __init__(self) -> None:
        from ..core.params import OPENAI_CHAT_COMPLETION_PARAMS

        supported = set(_COMMON_SUPPORTED)
        if self.tools_supported:
            supported.update(_TOOL_PARAMS)
        self._supported = [p for p in OPENAI_CHAT_COMPLETION_PARAMS if p in supported]
        self._unsupported = frozenset(
            p for p in OPENAI_CHAT_COMPLETION_PARAMS if p not in supported and p != "extra_headers"
        )

    # ------------------------------------------------------------------ params
    def supported_openai_params(self, model: str) -> list[str]:
        return list(self._supported)

    def _unsupported_error(self, found: list[Any], model: str, why: str = "") -> UnsupportedParamsError:
        return UnsupportedParamsError(
            message=(
                f"{self.name} does not support parameters {found} for model={model}{why}. "
                f"Set litegate.drop_params=True (or pass drop_params=True) to drop them."
            ),
            model=model,
            llm_provider=self.name,
        )

    def map_params(self, params: dict[str, Any], model: str, drop: Drop | bool | None) -> dict[str, Any]:
        """OpenAI parameters -> Ollama body fields (``options`` nested); raise or drop the rest."""
        found = [p for p in params if p in self._unsupported]
        n = params.get("n")
        if n is not None and n > 1:
            found.append("n")
        if found:
            if not drop:
                why = ""
                if not self.tools_supported and any(p in _TOOL_PARAMS for p in found):
                    why = " (/api/generate takes no tools: use the ollama_chat/ prefix for tool calling)"
                elif "n" in found:
                    why = " (Ollama returns one choice: n must be 1)"
                raise self._unsupported_error(found, model, why)
            params = drop_unsupported(self.name, params, found, model, drop)  # drops and notes the warning
        out: dict[str, Any] = {}
        options: dict[str, Any] = {}
        for key, value in params.items():
            if key in _SAME_NAME_OPTIONS:
                options[key] = value
            elif key == "max_tokens":
                options.setdefault("num_predict", value)
            elif key == "max_completion_tokens":
                options["num_predict"] = value
            elif key == "stop":
                options["stop"] = [value] if isinstance(value, str) else list(value)
            elif key == "response_format":
                fmt = self._format(value, model)
                if fmt is not None:
                    out["format"] = fmt
            elif key == "reasoning_effort":
                out["think"] = _THINK_LEVELS.get(value, True) if isinstance(value, str) else bool(value)
            elif key in ("logprobs", "top_logprobs"):
                out[key] = value
        if options:
            out["options"] = options
        if self.tools_supported:
            tools = self._tools(params, model)
            if tools:
                out["tools"] = tools
        return out

    @staticmethod
    def _format(rf: Any, model: str) -> str | dict[str, Any] | None:
        kind = rf.get("type") if isinstance(rf, dict) else None
        if kind == "json_object":
            return "json"
        if kind == "json_schema":
            js = rf.get("json_schema")
            schema = js.get("schema") if isinstance(js, dict) else None
            if not isinstance(schema, dict):
                raise _fail("response_format json_schema needs json_schema.schema (a JSON schema object)", model)
            return schema
        if kind == "text" or kind is None and not rf:
            return None
        raise _fail(
            f"response_format type {kind!r} is not supported by Ollama (use 'json_object' or 'json_schema')", model
        )

    def _tools(self, params: dict[str, Any], model: str) -> list[dict[str, Any]] | None:
        tools = params.get("tools")
        choice = params.get("tool_choice")
        if tools is None and params.get("functions"):
            tools = [{"type": "function", "function": f} for f in params["functions"]]
            choice = params.get("function_call", choice)
            if isinstance(choice, dict) and "function" not in choice and choice.get("name"):
                choice = {"type": "function", "function": {"name": choice["name"]}}
        if not tools:
            return None
        if choice == "none":
            return None
        out: list[dict[str, Any]] = []
        strict = False
        for i, tool in enumerate(tools):
            if tool.get("type", "function") != "function" or not isinstance(tool.get("function"), dict):
                raise _fail(
                    f"tools[{i}]: Ollama takes function tools only ({{'type': 'function', "
                    f"'function': {{...}}}}), got type {tool.get('type')!r}",
                    model,
                )
            fn = dict(tool["function"])
            if not fn.get("name"):
                raise _fail(f"tools[{i}].function needs a name", model)
            if fn.pop("strict", None):
                strict = True
            if fn.get("parameters") is None:
                fn["parameters"] = {"type": "object", "properties": {}}
            out.append({"type": "function", "function": fn})
        if strict:
            log.warning(
                "litegate: Ollama does not enforce tool schemas; 'strict' was left out of the tools sent for model=%s",
                model,
            )
        if choice == "required" or choice == "any":
            log.warning(
                "litegate: Ollama cannot force a tool call (tool_choice=%r); the tools are sent and "
                "the model decides (model=%s)",
                choice,
                model,
            )
        elif isinstance(choice, dict):
            named = choice.get("function")
            if not isinstance(named, dict):
                named = choice
            wanted = named.get("name")
            narrowed = [t for t in out if t["function"]["name"] == wanted]
            if not narrowed:
                raise _fail(f"tool_choice names function {wanted!r}, which is not in tools", model)
            log.warning(
                "litegate: Ollama cannot force a tool call; only the tool named by tool_choice "
                "(%r) is sent and the model decides whether to call it (model=%s)",
                wanted,
                model,
            )
            out = narrowed
        if params.get("parallel_tool_calls") is False:
            log.warning(
                "litegate: Ollama cannot turn off parallel tool calls (parallel_tool_calls=False not sent; model=%s)",
                model,
            )
        return out

    def _body(self, call: ChatCall, target: Target, drop: Drop) -> dict[str, Any]:
        """Everything but model / messages / prompt: mapped params and the keyword arguments."""
        mapped = self.map_params(call.params, target.model, drop) if call.params else {}
        body: dict[str, Any] = {"stream": bool(call.stream)}
        options = mapped.pop("options", None) or {}
        body.update(mapped)
        extra = call.extra
        if extra:
            given = extra.get("options")
            for key, value in extra.items():
                if key == "options":
                    continue
                if key in OPTION_NAMES:
                    options[key] = value
                else:
                    body[key] = value
            if isinstance(given, dict):
                options.update(given)
            elif given is not None:
                body["options"] = given
        if options and "options" not in body:
            if isinstance(options.get("stop"), str):
                options["stop"] = [options["stop"]]
            body["options"] = options
        return body

    # ------------------------------------------------------------------ requests
    def headers(self, target: Target) -> dict[str, str]:
        h: dict[str, str] = {}
        if target.api_key:
            h["authorization"] = "Bearer " + target.api_key
        if target.headers:
            h.update(target.headers)
        return h

    @staticmethod
    def url(target: Target, path: str) -> str:
        base = cast(str, target.api_base)  # the spec's default when none is given
        for endpoint in _ENDPOINTS:  # an api_base given as a full endpoint URL
            if base.endswith(endpoint):
                base = base[: -len(endpoint)]
                break
        return base + path

    def chat_request(self, call: ChatCall, target: Target, drop: Drop) -> HttpRequest:
        prompt, system, images = generate_prompt(call.messages, target.model)
        template = get_prompt_template(call.model) or get_prompt_template(target.model)
        if template is not None:
            # a prompt template registered for this model (register_prompt_template) wins, and the
            # raw flag stops Ollama from wrapping the already formatted prompt in its own template
            prompt, system = format_prompt(target.model, call.messages, template), None
        body: dict[str, Any] = {"model": target.model, "prompt": prompt}
        if template is not None:
            body["raw"] = True
        if system is not None:
            body["system"] = system
        if images:
            body["images"] = images
        rest = self._body(call, target, drop)
        extra_images = rest.pop("images", None)
        if extra_images:
            body["images"] = list(images) + list(extra_images)
        body.update(rest)
        return HttpRequest("POST", self.url(target, self.path), self.headers(target), body)

    def embedding_request(self, call: EmbeddingCall, target: Target, drop: Drop) -> HttpRequest:
        model = target.model
        value = call.input
        if isinstance(value, list) and value and not isinstance(value[0], str):
            raise _fail(
                "Ollama embeds text: input must be a string or a list of strings (token ids are "
                "not accepted by /api/embed)",
                model,
            )
        body: dict[str, Any] = {"model": model, "input": value}
        params = call.params
        if params:
            if "user" in params and not drop:
                raise self._unsupported_error(["user"], model)
            if "dimensions" in params:
                body["dimensions"] = params["dimensions"]
        options: dict[str, Any] = {}
        for key, val in (call.extra or {}).items():
            if key in OPTION_NAMES:
                options[key] = val
            elif key == "options" and isinstance(val, dict):
                options.update(val)
            else:
                body[key] = val
        if options:
            body["options"] = options
        return HttpRequest("POST", self.url(target, "/api/embed"), self.headers(target), body)

    # ------------------------------------------------------------------ responses
    def _answer(self, data: dict[str, Any]) -> tuple[str, str | None, Any]:
        """(content, thinking, ollama tool calls) of a non-stream answer."""
        content = data.get("response")
        thinking = data.get("thinking")
        return (content if isinstance(content, str) else ""), thinking, None

    def parse_chat(self, resp: HttpResponse, call: ChatCall, target: Target) -> ModelResponse:
        data = self._json(resp, target, self.required)
        content, thinking, calls = self._answer(data)
        tool_calls = _tool_calls_out(calls)
        message: dict[str, Any] = {"role": "assistant", "content": None if tool_calls and not content else content}
        if tool_calls:
            message["tool_calls"] = tool_calls
        if isinstance(thinking, str) and thinking:
            message["reasoning_content"] = thinking
        choice: dict[str, Any] = {
            "index": 0,
            "message": message,
            "finish_reason": _finish_reason(data.get("done_reason"), bool(tool_calls)),
        }
        lp = _logprobs(data.get("logprobs"))
        if lp is not None:
            choice["logprobs"] = lp
        out: dict[str, Any] = {
            "model": data.get("model") or target.model,
            "object": "chat.completion",
            "choices": [choice],
            "usage": _usage(data),
        }
        created = _epoch(data.get("created_at"))
        if created is not None:
            out["created"] = created
        return ModelResponse(**out)

    def parse_embedding(self, resp: HttpResponse, call: EmbeddingCall, target: Target) -> EmbeddingResponse:
        data = self._json(resp, target, "embeddings")
        vectors = data["embeddings"]
        if not isinstance(vectors, list):
            raise self._invalid("response 'embeddings' is not a list", target)
        b64 = (call.params or {}).get("encoding_format") == "base64"
        items: list[dict[str, Any]] = []
        for i, vec in enumerate(vectors):
            if b64 and isinstance(vec, list):
                vec = base64.b64encode(struct.pack(f"<{len(vec)}f", *vec)).decode("ascii")
            items.append({"object": "embedding", "index": i, "embedding": vec})
        tokens = data.get("prompt_eval_count") or 0
        return EmbeddingResponse(
            model=data.get("model") or target.model,
            data=items,
            usage={"prompt_tokens": tokens, "completion_tokens": 0, "total_tokens": tokens},
        )

    def stream_decoder(self, call: ChatCall | TextCall, target: Target) -> OllamaStreamDecoder:
        options = (call.params or {}).get("stream_options") or {}
        return OllamaStreamDecoder(
            self.name, target.model, chat=self.tools_supported, include_usage=bool(options.get("include_usage"))
        )


class Ollama(_OllamaDialect):
    """``ollama/<model>``: the messages become a prompt for POST /api/generate."""

    name = "ollama"
    path = "/api/generate"
    tools_supported = False


class OllamaChat(_OllamaDialect):
    """``ollama_chat/<model>``: POST /api/chat with messages, tools and images."""

    name = "ollama_chat"
    path = "/api/chat"
    tools_supported = True
    required = "message"

    def chat_request(self, call: ChatCall, target: Target, drop: Drop) -> HttpRequest:
        body: dict[str, Any] = {"model": target.model, "messages": chat_messages(call.messages, target.model)}
        body.update(self._body(call, target, drop))
        return HttpRequest("POST", self.url(target, self.path), self.headers(target), body)

    def _answer(self, data: dict[str, Any]) -> tuple[str, str | None, Any]:
        msg = data.get("message")
        if not isinstance(msg, dict):
            msg = {}
        content = msg.get("content")
        return (content if isinstance(content, str) else ""), msg.get("thinking"), msg.get("tool_calls")


# ---------------------------------------------------------------------------------------------
# streaming
# ---------------------------------------------------------------------------------------------


class OllamaStreamDecoder(NDJSONStreamDecoder):
    """Bytes of an Ollama NDJSON stream -> ``ModelResponseStream`` chunks.

    Gives the same chunks however the bytes are split into reads (lines are only decoded once
    complete, so multi-byte characters split across reads are safe), errors included: chunks
    decoded before a bad line in the same read are returned first and the error is raised by the
    next ``feed`` / ``finish``. Strict about the end: the stream must contain an object with
    ``"done": true``.
    """

    __slots__ = ("chat", "include_usage", "_id", "_created", "_first", "_tool_index", "_model_name")
    end_marker = 'its final object ("done": true)'

    def __init__(self, provider: str, model: str, *, chat: bool = True, include_usage: bool = False):
        super().__init__(provider, model)
        self.chat = chat
        self.include_usage = include_usage
        self._id = "chatcmpl-" + str(uuid.uuid4())
        self._created: int | None = None
        self._first = True
        self._tool_index = 0
        self._model_name: str | None = None

    def feed(self, data: bytes) -> list[Chunk]:
        if self._error is None and self.done:
            return []  # anything after the final object is ignored
        return super().feed(data)

    def _convert_into(self, lines: list[bytes], out: list[Chunk]) -> None:
        for line in lines:
            self._line(line, out)
            if self.done:
                cast("NDJSONFramer", self._frames).reset()  # this decoder always reads NDJSON lines
                break

    def _line(self, line: bytes, out: list[Chunk]) -> None:
        line = line.strip()
        if not line:
            return
        try:
            obj = loads(line)
        except ValueError:
            raise APIResponseValidationError(
                message=f"{self.provider} sent a malformed stream line: {line[:200]!r}",
                llm_provider=self.provider,
                model=self.model,
            ) from None
        if not isinstance(obj, dict):
            raise APIResponseValidationError(
                message=f"{self.provider} sent a stream line that is not a JSON object: {line[:200]!r}",
                llm_provider=self.provider,
                model=self.model,
            )
        if "error" in obj:
            err = obj["error"]
            raise mid_stream_error(
                obj if isinstance(err, (str, dict)) else {"error": str(err)},
                llm_provider=self.provider,
                model=self.model,
            )
        chunk = self._chunk(obj)
        if chunk is not None:
            out.append(chunk)

    def _chunk(self, obj: dict[str, Any]) -> ModelResponseStream | None:
        if self._model_name is None:
            self._created = _epoch(obj.get("created_at")) or int(time.time())
            name = obj.get("model")
            self._model_name = name if isinstance(name, str) and name else self.model
        if self.chat:
            msg = obj.get("message")
            if not isinstance(msg, dict):
                msg = {}
            content = msg.get("content")
            thinking = msg.get("thinking")
            calls = msg.get("tool_calls")
        else:
            content = obj.get("response")
            thinking = obj.get("thinking")
            calls = None
        delta: dict[str, Any] = {}
        if self._first:
            delta["role"] = "assistant"
        if isinstance(content, str) and content:
            delta["content"] = content
        if isinstance(thinking, str) and thinking:
            delta["reasoning_content"] = thinking
        tool_calls = _tool_calls_out(calls, self._tool_index, stream=True)
        if tool_calls:
            self._tool_index += len(tool_calls)
            delta["tool_calls"] = tool_calls
        lp = _logprobs(obj.get("logprobs"))
        done = obj.get("done") is True
        if not delta and lp is None and not done:
            return None
        if self._first:
            delta.setdefault("content", "")
            self._first = False
        choice: dict[str, Any] = {"index": 0, "delta": delta, "finish_reason": None}
        if lp is not None:
            choice["logprobs"] = lp
        chunk: dict[str, Any] = {
            "id": self._id,
            "created": self._created,
            "model": self._model_name,
            "object": "chat.completion.chunk",
            "choices": [choice],
        }
        if done:
            self.done = True
            choice["finish_reason"] = _finish_reason(obj.get("done_reason"), self._tool_index > 0)
            if self.include_usage:
                chunk["usage"] = _usage(obj)
        return ModelResponseStream(**chunk)
