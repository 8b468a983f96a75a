"""Bedrock Converse / ConverseStream: OpenAI chat <-> the Converse shapes (botocore's
``bedrock-runtime`` service model), and the ConverseStream event decoder.

Requests (``POST /model/{modelId}/converse`` and ``/converse-stream``):

* ``system`` / ``developer`` messages -> top-level ``system`` text blocks; a ``cache_control`` on
  a message or part adds a ``cachePoint`` block after it.
* ``user`` content: text -> ``{"text"}``; ``data:image/...;base64`` URLs -> ``{"image": {format,
  source: {bytes}}}``; ``s3://`` URLs -> ``source.s3Location``; PDFs and other documents (data URLs,
  ``file`` parts) -> ``{"document": {format, name, source: {bytes}}}``. Plain ``http(s)`` image URLs
  are refused before any request (Converse takes bytes or S3 only).
* ``assistant`` tool calls -> ``toolUse`` blocks; ``thinking_blocks`` -> ``reasoningContent``
  (sent first); ``tool`` messages -> ``toolResult`` blocks of a user turn (a JSON object content
  is sent as ``{"json": ...}``). Turns of the same role are merged (Converse needs alternation).
* ``max_tokens`` / ``max_completion_tokens``, ``temperature``, ``top_p``, ``stop`` ->
  ``inferenceConfig``; ``tools`` / ``tool_choice`` -> ``toolConfig`` (``none``: no toolChoice
  sent); ``response_format`` -> a forced ``json_tool_call`` tool whose input is the answer (as
  litellm does); ``reasoning_effort`` on Claude -> ``additionalModelRequestFields.thinking``.
* Converse's own top-level fields given as keyword arguments (``guardrailConfig``,
  ``performanceConfig``, ``requestMetadata``, ``additionalModelResponseFieldPaths``,
  ``promptVariables``, ``serviceTier``, ``outputConfig``) go as given; any other extra keyword
  (``top_k`` ...) goes into ``additionalModelRequestFields``.

Responses: text blocks joined; ``toolUse`` -> ``tool_calls``; ``reasoningContent`` ->
``reasoning_content`` + ``thinking_blocks``. Usage as Anthropic's rule: ``prompt_tokens`` =
``inputTokens`` + cache reads + cache writes (Bedrock's ``inputTokens`` leaves cached tokens out),
``cache_read_input_tokens`` / ``cache_creation_input_tokens`` kept.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, cast

from ...core.jsonutil import dumps, loads
from ...types.utils import ModelResponse
from ..anthropic import JSON_TOOL_NAME, REASONING_BUDGETS, _usage
from ..aws.eventstream import EventStreamFramer, stream_exception
from ..base import StreamDecoder, bad_input, max_output_tokens, plain, tool_arguments

if TYPE_CHECKING:
    from typing import TypeAlias

    from ...core.call import ChatCall
    from ...types.utils import ModelResponseStream
    from ..aws.eventstream import EventMessage
    from ..base import Chunk

    Block: TypeAlias = dict[str, Any]  # one Converse content block ({"text": ...}, {"toolUse": ...} ...)
    Turn: TypeAlias = dict[str, Any]  # one Converse message: {"role", "content": [Block]}

FINISH_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "tool_use": "tool_calls",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "guardrail_intervened": "content_filter",
    "content_filtered": "content_filter",
    "malformed_model_output": "stop",
    "malformed_tool_use": "stop",
}
TOP_LEVEL_FIELDS = frozenset(
    {
        "guardrailConfig",
        "performanceConfig",
        "requestMetadata",
        "additionalModelResponseFieldPaths",
        "promptVariables",
        "serviceTier",
        "outputConfig",
        "additionalModelRequestFields",
    }
)
SUPPORTED = (
    "temperature",
    "top_p",
    "stream",
    "stream_options",
    "stop",
    "max_tokens",
    "max_completion_tokens",
    "tools",
    "tool_choice",
    "response_format",
    "reasoning_effort",
    "parallel_tool_calls",
    "extra_headers",
)
_IMAGE_FORMATS = {
    "image/png": "png",
    "image/jpeg": "jpeg",
    "image/jpg": "jpeg",
    "image/gif": "gif",
    "image/webp": "webp",
}
_DOC_FORMATS = {
    "application/pdf": "pdf",
    "text/csv": "csv",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "text/html": "html",
    "text/plain": "txt",
    "text/markdown": "md",
}


def _fail(message: str, model: str) -> Exception:
    return bad_input(f"bedrock: {message}", model)


def finish_reason(stop: Any) -> str:
    return FINISH_REASONS.get(stop, "stop") if stop is not None else "stop"


def is_claude(model_id: str) -> bool:
    return "anthropic.claude" in model_id or model_id.startswith("claude")


# ------------------------------------------------------------------------------------- content
def _data_url(url: str, model: str) -> tuple[str, str]:
    head, sep, data = url.partition(",")
    if not sep or not head.startswith("data:") or not head.endswith(";base64"):
        raise _fail(f"only base64 data URLs are supported ('data:<type>;base64,...'), got {url[:40]!r}", model)
    return head[5:-7].strip().lower(), data


def _document(media: str, data: str, name: str, model: str) -> Block:
    fmt = _DOC_FORMATS.get(media)
    if fmt is None:
        raise _fail(f"document type {media!r} is not supported by Converse ({', '.join(sorted(_DOC_FORMATS))})", model)
    return {"document": {"format": fmt, "name": name, "source": {"bytes": data}}}


def _media_block(url: str, model: str, counter: list[int]) -> Block:
    if url.startswith("s3://"):
        ext = url.rsplit(".", 1)[-1].lower()
        fmt: str | None = {"jpg": "jpeg"}.get(ext, ext)
        if fmt in _IMAGE_FORMATS.values():
            return {"image": {"format": fmt, "source": {"s3Location": {"uri": url}}}}
        counter[0] += 1
        return {"document": {"format": fmt, "name": f"document-{counter[0]}", "source": {"s3Location": {"uri": url}}}}
    if url.startswith("data:"):
        media, data = _data_url(url, model)
        fmt = _IMAGE_FORMATS.get(media)
        if fmt is not None:
            return {"image": {"format": fmt, "source": {"bytes": data}}}
        counter[0] += 1
        return _document(media, data, f"document-{counter[0]}", model)
    raise _fail(
        f"Converse takes images as base64 data URLs or s3:// URLs, got {url[:40]!r} (download it and pass a data URL)",
        model,
    )


def _part(part: Any, model: str, counter: list[int]) -> list[Block]:
    part = plain(part)
    if not isinstance(part, dict):
        raise _fail(f"a content part must be an object, got {part!r:.60}", model)
    kind = part.get("type")
    if kind == "text":
        text = part.get("text") or ""
        out = [{"text": text}] if text.strip() else []
    elif kind == "image_url":
        image = part.get("image_url")
        url = image.get("url") if isinstance(image, dict) else image
        if not isinstance(url, str):
            raise _fail("an 'image_url' part needs image_url.url", model)
        out = [_media_block(url, model, counter)]
    elif kind == "file":
        file = part.get("file") or {}
        data = file.get("file_data") if isinstance(file, dict) else None
        if not isinstance(data, str):
            raise _fail("a 'file' part needs file.file_data (a base64 data URL)", model)
        media, payload = _data_url(data, model)
        if media in _IMAGE_FORMATS:
            out = [{"image": {"format": _IMAGE_FORMATS[media], "source": {"bytes": payload}}}]
        else:
            counter[0] += 1
            name = file.get("filename") or f"document-{counter[0]}"
            name = "".join(c if c.isalnum() or c in " -()[]" else "-" for c in name.rsplit(".", 1)[0]) or "document"
            out = [_document(media, payload, name, model)]
    elif len(part) == 1 and next(iter(part)) in (
        "text",
        "image",
        "document",
        "cachePoint",
        "toolUse",
        "toolResult",
        "reasoningContent",
        "video",
        "guardContent",
    ):
        out = [part]  # already a Converse block
    else:
        raise _fail(f"content part type {kind!r} is not supported by Converse", model)
    if part.get("cache_control") is not None:
        out.append({"cachePoint": {"type": "default"}})
    return out


def _content(content: Any, model: str, counter: list[int]) -> list[Block]:
    if content is None:
        return []
    if isinstance(content, str):
        return [{"text": content}] if content.strip() else []
    if not isinstance(content, list):
        raise _fail(f"message content must be a string or a list of parts, got {type(content).__name__}", model)
    out: list[Block] = []
    for p in content:
        out.extend(_part(p, model, counter))
    return out


def _reasoning_blocks(msg: dict[str, Any]) -> list[Block]:
    out: list[Block] = []
    for tb in msg.get("thinking_blocks") or ():
        tb = plain(tb)
        if not isinstance(tb, dict):
            continue
        if tb.get("type") == "thinking":
            text = {"text": tb.get("thinking") or ""}
            if tb.get("signature"):
                text["signature"] = tb["signature"]
            out.append({"reasoningContent": {"reasoningText": text}})
        elif tb.get("type") == "redacted_thinking" and tb.get("data"):
            out.append({"reasoningContent": {"redactedContent": tb["data"]}})
    return out


def _tool_result(msg: dict[str, Any], model: str, counter: list[int]) -> Block:
    content = msg.get("content")
    blocks: list[Block]
    if isinstance(content, list):
        blocks = [b for b in _content(content, model, counter) if "cachePoint" not in b]
    else:
        text = "" if content is None else content if isinstance(content, str) else dumps(content).decode()
        blocks = [{"text": text}]
        if text[:1] in ("{", "["):
            try:
                value = loads(text)
            except ValueError:
                value = None
            if isinstance(value, dict):
                blocks = [{"json": value}]
    result: dict[str, Any] = {"toolUseId": msg.get("tool_call_id") or "", "content": blocks or [{"text": ""}]}
    if msg.get("is_error"):
        result["status"] = "error"
    return {"toolResult": result}


def convert_messages(messages: list[Any], model: str) -> tuple[list[Block], list[Turn]]:
    """OpenAI messages -> (Converse ``system`` blocks, Converse ``messages``)."""
    system: list[Block] = []
    turns: list[Turn] = []
    counter = [0]
    for msg in messages:
        msg = plain(msg)
        role = msg.get("role")
        if role in ("system", "developer"):
            blocks = _content(msg.get("content"), model, counter)
            if any(set(b) - {"text", "cachePoint"} for b in blocks):
                raise _fail("system messages may only hold text", model)
            system.extend(blocks)
            if msg.get("cache_control") is not None and blocks:
                system.append({"cachePoint": {"type": "default"}})
            continue
        if role == "user":
            blocks = _content(msg.get("content"), model, counter)
        elif role == "assistant":
            if msg.get("function_call"):
                raise _fail("legacy function_call messages are not supported; use tools / tool_calls", model)
            blocks = _reasoning_blocks(msg) + _content(msg.get("content"), model, counter)
            for call in msg.get("tool_calls") or ():
                call = plain(call)
                fn = plain(call.get("function") or {})
                if not fn.get("name"):
                    raise _fail("an assistant tool call has no function name", model)
                blocks.append(
                    {
                        "toolUse": {
                            "toolUseId": call.get("id") or "",
                            "name": fn["name"],
                            "input": tool_arguments(fn.get("arguments"), model, "bedrock"),
                        }
                    }
                )
        elif role == "tool":
            role, blocks = "user", [_tool_result(msg, model, counter)]
        else:
            raise _fail(f"role {role!r} is not supported", model)
        if msg.get("cache_control") is not None and blocks:
            blocks.append({"cachePoint": {"type": "default"}})
        if not blocks:
            continue
        if turns and turns[-1]["role"] == role:
            merged = turns[-1]["content"] + blocks
            if role == "user":  # tool results open the user turn
                merged = [b for b in merged if "toolResult" in b] + [b for b in merged if "toolResult" not in b]
            turns[-1]["content"] = merged
        else:
            turns.append({"role": role, "content": blocks})
    if not turns:
        raise _fail("Converse needs at least one user or assistant message besides system prompts", model)
    return system, turns


# ------------------------------------------------------------------------------------- params
def _tool_spec(tool: Any, model: str) -> dict[str, Any]:
    tool = plain(tool)
    fn = tool.get("function") if isinstance(tool, dict) else None
    if isinstance(tool, dict) and ("toolSpec" in tool or "cachePoint" in tool):
        return tool  # already Converse form
    if not isinstance(fn, dict) or not isinstance(fn.get("name"), str) or not fn["name"]:
        raise _fail(f"tool {str(tool)[:80]!r} is not an OpenAI function tool with a name", model)
    spec: dict[str, Any] = {
        "name": fn["name"],
        "inputSchema": {"json": fn.get("parameters") or {"type": "object", "properties": {}}},
    }
    if fn.get("description"):
        spec["description"] = fn["description"]
    if fn.get("strict") is True:
        spec["strict"] = True
    return {"toolSpec": spec}


def _tool_choice(choice: Any, model: str) -> dict[str, Any] | None:
    if choice == "auto":
        return {"auto": {}}
    if choice in ("required", "any"):
        return {"any": {}}
    if choice == "none":
        return None
    if isinstance(choice, dict):
        fn = choice.get("function")
        name = fn.get("name") if isinstance(fn, dict) else choice.get("name")
        if isinstance(name, str) and name:
            return {"tool": {"name": name}}
    raise _fail(f"tool_choice {choice!r} is not 'auto', 'none', 'required' or a named function", model)


def uses_json_tool(params: dict[str, Any]) -> bool:
    rf = params.get("response_format")
    return isinstance(rf, dict) and rf.get("type") in ("json_object", "json_schema")


def unsupported(params: dict[str, Any], model_id: str) -> list[str]:
    bad = [p for p in params if p not in SUPPORTED and p != "n"]
    if params.get("n") not in (None, 1):
        bad.append("n")
    if params.get("reasoning_effort") not in (None, "none") and not is_claude(model_id):
        bad.append("reasoning_effort")
    return bad


def request_body(call: ChatCall, model_id: str, params: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """The Converse request body (``params`` already checked and dropped)."""
    model = call.model
    system, messages = convert_messages(call.messages, model)
    body: dict[str, Any] = {"messages": messages}
    if system:
        body["system"] = system
    inference: dict[str, Any] = {}
    mt = max_output_tokens(params)
    if mt is not None:
        inference["maxTokens"] = mt
    if params.get("temperature") is not None:
        inference["temperature"] = params["temperature"]
    if params.get("top_p") is not None:
        inference["topP"] = params["top_p"]
    stop = params.get("stop")
    if stop is not None:
        inference["stopSequences"] = [stop] if isinstance(stop, str) else list(stop)
    if inference:
        body["inferenceConfig"] = inference
    tools = [_tool_spec(t, model) for t in params.get("tools") or ()]
    choice = _tool_choice(params["tool_choice"], model) if tools and params.get("tool_choice") is not None else None
    if uses_json_tool(params):
        rf = params["response_format"]
        schema: dict[str, Any] | None = {"type": "object"}
        if rf.get("type") == "json_schema":
            js = rf.get("json_schema")
            schema = js.get("schema") if isinstance(js, dict) and isinstance(js.get("schema"), dict) else None
            if schema is None:
                raise _fail("response_format json_schema needs json_schema.schema", model)
        tools.append(
            {
                "toolSpec": {
                    "name": JSON_TOOL_NAME,
                    "description": "Respond with a JSON object.",
                    "inputSchema": {"json": schema},
                }
            }
        )
        choice = {"tool": {"name": JSON_TOOL_NAME}}
    if tools:
        body["toolConfig"] = {"tools": tools}
        if choice is not None:
            body["toolConfig"]["toolChoice"] = choice
    elif any("toolUse" in b or "toolResult" in b for m in messages for b in m["content"]):
        # Converse refuses tool blocks without a toolConfig: declare the tools the history uses
        names = {b["toolUse"]["name"] for m in messages for b in m["content"] if "toolUse" in b}
        body["toolConfig"] = {
            "tools": [{"toolSpec": {"name": n, "inputSchema": {"json": {"type": "object"}}}} for n in sorted(names)]
        }
    additional: dict[str, Any] = {}
    effort = params.get("reasoning_effort")
    if effort not in (None, "none"):
        budget = REASONING_BUDGETS.get(effort)
        if budget is None:
            raise _fail(f"reasoning_effort must be one of none, {', '.join(REASONING_BUDGETS)}; got {effort!r}", model)
        additional["thinking"] = {"type": "enabled", "budget_tokens": budget}
        if "maxTokens" in inference and inference["maxTokens"] <= budget:
            raise _fail(
                f"max_tokens ({inference['maxTokens']}) must be larger than the thinking budget ({budget})", model
            )
    for key, value in extra.items():
        if key in TOP_LEVEL_FIELDS:
            if key == "additionalModelRequestFields" and isinstance(value, dict):
                additional.update(value)
            else:
                body[key] = value
        else:
            additional[key] = value
    if additional:
        body["additionalModelRequestFields"] = additional
    return body


# ------------------------------------------------------------------------------------- responses
def _converse_usage(u: Any) -> dict[str, Any]:
    u = u if isinstance(u, dict) else {}
    return _usage(
        {
            "input_tokens": u.get("inputTokens") or 0,
            "output_tokens": u.get("outputTokens") or 0,
            "cache_read_input_tokens": u.get("cacheReadInputTokens") or 0,
            "cache_creation_input_tokens": u.get("cacheWriteInputTokens") or 0,
        }
    )


def message_from(content: list[Any], stop: Any, json_tool: bool) -> tuple[dict[str, Any], str]:
    texts: list[str] = []
    calls: list[dict[str, Any]] = []
    reasoning: list[str] = []
    thinking: list[dict[str, Any]] = []
    fr = finish_reason(stop)
    for block in content:
        if not isinstance(block, dict):
            continue
        if "text" in block:
            texts.append(block.get("text") or "")
        elif "toolUse" in block:
            tu = block["toolUse"] or {}
            arguments = dumps(tu.get("input") if tu.get("input") is not None else {}).decode("utf-8")
            if json_tool and tu.get("name") == JSON_TOOL_NAME:
                texts.append(arguments)
                fr = "stop"
                continue
            calls.append(
                {
                    "id": tu.get("toolUseId"),
                    "type": "function",
                    "function": {"name": tu.get("name"), "arguments": arguments},
                }
            )
        elif "reasoningContent" in block:
            rc = block["reasoningContent"] or {}
            rt = rc.get("reasoningText")
            if isinstance(rt, dict):
                reasoning.append(rt.get("text") or "")
                thinking.append(
                    {"type": "thinking", "thinking": rt.get("text") or "", "signature": rt.get("signature")}
                )
            elif rc.get("redactedContent") is not None:
                thinking.append({"type": "redacted_thinking", "data": rc["redactedContent"]})
    message: dict[str, Any] = {"role": "assistant", "content": "".join(texts) if texts else None}
    if calls:
        message["tool_calls"] = calls
    elif fr == "tool_calls":
        fr = "stop"
    if thinking:
        message["reasoning_content"] = "".join(reasoning)
        message["thinking_blocks"] = thinking
    return message, fr


def parse_response(data: dict[str, Any], call: ChatCall, model: str, request_id: str | None) -> ModelResponse:
    output = data.get("output")
    msg = output.get("message") if isinstance(output, dict) else None
    content = msg.get("content") if isinstance(msg, dict) else None
    if not isinstance(content, list):
        raise ValueError("response has no output.message.content list")
    message, fr = message_from(content, data.get("stopReason"), uses_json_tool(call.params or {}))
    psf = {k: data[k] for k in ("additionalModelResponseFields", "trace", "metrics") if data.get(k) is not None}
    if psf:
        message["provider_specific_fields"] = psf
    return ModelResponse(
        id=request_id or "",
        created=int(time.time()),
        model=model,
        object="chat.completion",
        choices=[{"index": 0, "message": message, "finish_reason": fr}],
        usage=_converse_usage(data.get("usage")),
    )


# ------------------------------------------------------------------------------------- streams
class ConverseStreamDecoder(StreamDecoder):
    """ConverseStream event-stream messages -> ``ModelResponse`` chunks.

    ``messageStart`` opens the answer (role chunk); text, tool-use input and reasoning deltas
    each give a chunk; ``messageStop`` gives the stop reason and ``metadata`` (the last event) the
    usage, when the final chunk is sent. An ``exception`` message raises the mapped error; a
    stream cut before ``messageStop`` raises ``APIConnectionError``.
    """

    __slots__ = (
        "include_usage",
        "json_tool",
        "created",
        "stop",
        "usage",
        "_tools",
        "_kinds",
        "_final_sent",
        "request_id",
    )
    end_marker = "messageStop"

    def __init__(self, model: str, include_usage: bool, json_tool: bool, request_id: str = ""):
        super().__init__("bedrock", model, EventStreamFramer())
        self.include_usage = include_usage
        self.json_tool = json_tool
        self.created = int(time.time())
        self.stop: Any = None
        self.usage: dict[str, Any] | None = None
        self._tools: dict[Any, int] = {}  # contentBlockIndex -> OpenAI tool call index
        self._kinds: dict[Any, str] = {}  # contentBlockIndex -> "tool" | "json"
        self._final_sent = False
        self.request_id = request_id

    def _chunk(self, delta: dict[str, Any], finish: Any = None, usage: Any = None) -> ModelResponseStream:
        kw = {"usage": usage} if usage is not None else {}
        # ModelResponse(stream=True, ...) builds a ModelResponseStream
        return cast(
            "ModelResponseStream",
            ModelResponse(
                stream=True,
                id=self.request_id,
                created=self.created,
                model=self.model,
                object="chat.completion.chunk",
                choices=[{"index": 0, "delta": delta, "finish_reason": finish}],
                **kw,
            ),
        )

    def _json(self, payload: bytes) -> dict[str, Any]:
        try:
            obj = loads(payload) if payload else {}
        except ValueError:
            raise self.malformed("ConverseStream event", payload.decode("utf-8", "replace")) from None
        return obj if isinstance(obj, dict) else {}

    def _convert_into(self, items: list[EventMessage], out: list[Chunk]) -> None:
        for msg in items:
            if self._final_sent:
                return
            mtype = msg.message_type
            if mtype in ("exception", "error"):
                raise stream_exception(msg, self.provider, self.model)
            kind = msg.event_type
            obj = self._json(msg.payload)
            if kind == "contentBlockDelta":
                chunk = self._delta(obj)
                if chunk is not None:
                    out.append(chunk)
            elif kind == "messageStart":
                out.append(self._chunk({"role": "assistant", "content": ""}))
            elif kind == "contentBlockStart":
                chunk = self._start(obj)
                if chunk is not None:
                    out.append(chunk)
            elif kind == "messageStop":
                self.stop = obj.get("stopReason")
                self.done = True
            elif kind == "metadata":
                self.usage = _converse_usage(obj.get("usage"))
                if self.done:
                    out.append(self._final())
            # contentBlockStop and unknown events carry nothing for the caller

    def _final(self) -> ModelResponseStream:
        self._final_sent = True
        fr = finish_reason(self.stop)
        if fr == "tool_calls" and "tool" not in self._kinds.values():
            fr = "stop"
        usage = self.usage if self.include_usage and self.usage is not None else None
        return self._chunk({}, fr, usage)

    def final(self) -> list[Chunk]:
        return [] if self._final_sent else [self._final()]

    def _start(self, obj: dict[str, Any]) -> ModelResponseStream | None:
        start = obj.get("start") or {}
        tu = start.get("toolUse")
        if not isinstance(tu, dict):
            return None
        index = obj.get("contentBlockIndex")
        if self.json_tool and tu.get("name") == JSON_TOOL_NAME:
            self._kinds[index] = "json"
            return None
        self._kinds[index] = "tool"
        position = self._tools[index] = len(self._tools)
        return self._chunk(
            {
                "tool_calls": [
                    {
                        "index": position,
                        "id": tu.get("toolUseId"),
                        "type": "function",
                        "function": {"name": tu.get("name"), "arguments": ""},
                    }
                ]
            }
        )

    def _delta(self, obj: dict[str, Any]) -> ModelResponseStream | None:
        delta = obj.get("delta") or {}
        if "text" in delta:
            text = delta.get("text")
            return self._chunk({"content": text}) if text else None
        if "toolUse" in delta:
            part = (delta.get("toolUse") or {}).get("input")
            if not part:
                return None
            index = obj.get("contentBlockIndex")
            where = self._kinds.get(index)
            if where == "json":
                return self._chunk({"content": part})
            if where != "tool":
                raise self.malformed("tool input delta without its contentBlockStart", str(obj))
            return self._chunk({"tool_calls": [{"index": self._tools[index], "function": {"arguments": part}}]})
        if "reasoningContent" in delta:
            rc = delta.get("reasoningContent") or {}
            if rc.get("text"):
                return self._chunk(
                    {"reasoning_content": rc["text"], "thinking_blocks": [{"type": "thinking", "thinking": rc["text"]}]}
                )
            if rc.get("signature"):
                return self._chunk(
                    {"thinking_blocks": [{"type": "thinking", "thinking": "", "signature": rc["signature"]}]}
                )
            if rc.get("redactedContent") is not None:
                return self._chunk({"thinking_blocks": [{"type": "redacted_thinking", "data": rc["redactedContent"]}]})
            return None
        if "citation" in delta:
            return self._chunk({"provider_specific_fields": {"citation": delta["citation"]}})
        return None


__all__ = [
    "ConverseStreamDecoder",
    "convert_messages",
    "request_body",
    "parse_response",
    "finish_reason",
    "unsupported",
    "uses_json_tool",
    "is_claude",
]
