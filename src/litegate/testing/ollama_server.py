"""A fake Ollama server: /api/chat, /api/generate (JSON and NDJSON streams), /api/embed, /api/tags.

It is a dialect of the fake-server base (connection handling, request recording, the behaviour
queue, delays, faults as in :class:`litegate.testing.FakeOpenAIServer`) and speaks Ollama's wire format
as its API reference documents it:

* ``stream`` defaults to true, as in Ollama: a request without ``"stream": false`` gets an
  ``application/x-ndjson`` stream, one JSON object a line, the last with ``"done": true``,
  ``done_reason`` and the usage counters (``prompt_eval_count`` / ``eval_count``) and durations;
* errors are ``{"error": "..."}`` bodies (404 for an unknown model when ``models=`` is given,
  400 for malformed requests, e.g. tool-call ``arguments`` that are not an object, or images
  that are not base64);
* the default reply echoes the last user text, calls a tool when the request has ``tools`` and
  the user text mentions "weather" or "call" (arguments made from the tool's schema), honours
  ``options.num_predict`` (``done_reason: "length"``), ``format`` (JSON mode / schema) and
  ``think`` (a ``thinking`` trace first).

Example::

    with FakeOllamaServer() as srv:
        litegate.completion(model="ollama_chat/llama3.2", api_base=srv.url, messages=[...])
        srv.enqueue_error(404, model="llama9")
        srv.enqueue_fault("cut_stream")
        assert srv.last_request.json["model"] == "llama3.2"

Standard library only.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import _payloads as P
from ._server import (
    FAULT_KINDS,
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
    ndjson_line,
)

__all__ = ["FakeOllamaServer", "RecordedRequest", "FAULT_KINDS", "DEFAULT_MODELS"]

DEFAULT_MODELS = ("llama3.2", "llava", "qwen3", "all-minilm", "embeddinggemma")
_VERSION = "0.12.6"
_NDJSON = "application/x-ndjson"
_MALFORMED_LINE = b'{"model":"broken","message":{"content": no json here\n'
_MID_STREAM_ERROR = "an error was encountered while running the model"
_ROLES = frozenset({"system", "user", "assistant", "tool"})
_B64_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")

_DEFAULT_ERRORS = {
    400: "invalid request",
    401: "unauthorized",
    403: "forbidden",
    404: "model not found, try pulling it first",
    429: "too many requests, please try again later",
    500: "the model failed to generate a response",
    502: "bad gateway: the cloud model could not be reached",
    503: "server busy, please try again.  maximum pending requests exceeded",
}


def _unknown_model(model: str) -> str:
    return f'model "{model}" not found, try pulling it first'


def _created_at() -> str:
    now = time.time()
    secs = int(now)
    nanos = int((now - secs) * 1e9)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)) + f".{nanos:09d}Z"


def _text(content: Any) -> str:
    return content if isinstance(content, str) else P.content_text(content)


def _tokens(text: str) -> int:
    return max(1, P.count_tokens(text)) if text else 0


@dataclass(eq=False, slots=True)
class _Plan:
    """What one answer says, shared by the JSON and the NDJSON renderings."""

    model: str
    thinking: list[str]
    pieces: list[str]
    tool_calls: list[dict[str, Any]] | None
    done_reason: str
    prompt_tokens: int
    eval_tokens: int

    def final_fields(self, done_reason: str | None = None) -> dict[str, Any]:
        reason = done_reason or self.done_reason
        if reason in ("load", "unload"):  # as documented: no counters when nothing was generated
            return {"done_reason": reason, "done": True}
        out: dict[str, Any] = {
            "done_reason": reason,
            "done": True,
            "total_duration": 182242375,
            "load_duration": 41295167,
        }
        if self.prompt_tokens:
            out["prompt_eval_count"] = self.prompt_tokens
        out["prompt_eval_duration"] = 24573166
        if self.eval_tokens:
            out["eval_count"] = self.eval_tokens
        out["eval_duration"] = 115959084
        return out


def _tool_calls_in(tool_calls: list[Any]) -> list[dict[str, Any]]:
    """Caller-given tool calls (``{"name", "arguments"}`` or OpenAI form) -> Ollama's form."""
    out = []
    for name, args, call_id in P.normalize_tool_calls(tool_calls):
        try:
            parsed = json.loads(args)
        except ValueError:
            parsed = {}
        item: dict[str, Any] = {"function": {"name": name, "arguments": parsed}}
        if call_id:
            item["id"] = call_id
        out.append(item)
    return out


class FakeOllamaServer(FakeServerBase):
    """An Ollama-dialect HTTP server on 127.0.0.1 for tests and demos.

    Same life cycle and queue as :class:`FakeOpenAIServer` (``start()`` / ``stop()`` / ``with``,
    ``requests``, ``last_request``, ``hits()``, ``reset()``, ``enqueue_*``). ``url`` is the
    ``api_base`` to use (Ollama has no ``/v1`` prefix). ``models``: when given, a request for any
    other model is answered 404 ``model "x" not found, try pulling it first``; it is also what
    ``GET /api/tags`` lists. ``require_key``: requests must carry ``Authorization: Bearer <key>``
    (as ollama.com does), else 401 ``{"error": "unauthorized"}``.
    """

    routes = (
        Route(r"/", "_running", ()),
        Route(r"/api/version", "_version", ()),
        Route(r"/api/tags", "_tags", ("GET",)),
        Route(r"/api/chat", "_chat"),
        Route(r"/api/generate", "_generate"),
        Route(r"/api/embed", "_embed"),
    )
    key_headers = (("authorization", "Bearer "), ("api-key", ""))
    streams = Streams(
        headers={"content-type": _NDJSON},
        encode=ndjson_line,
        malformed_event=_MALFORMED_LINE,
        malformed_keeps_rest=True,
        error_event=ndjson_line({"error": _MID_STREAM_ERROR}),
    )

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        models: list[str] | None = None,
        require_key: str | None = None,
        default_delay: float = 0.0,
        record: bool = True,
        sse_framing: str = "chunked",
        embedding_dims: int = P.DEFAULT_EMBEDDING_DIMS,
    ) -> None:
        super().__init__(
            host,
            port,
            require_key=require_key,
            default_delay=default_delay,
            record=record,
            sse_framing=sse_framing,
            embedding_dims=embedding_dims,
        )
        self.models = list(models) if models is not None else None

    # -- queueing (Ollama shapes) ------------------------------------------------------------------

    def enqueue_error(
        self,
        status: int = 500,
        count: int = 1,
        body: bytes | str | dict[str, Any] | None = None,
        headers: Mapping[str, str | None] | None = None,
        *,
        message: str | None = None,
        model: str | None = None,
        delay: float = 0.0,
        path: str | None = None,
    ) -> None:
        """Queue ``count`` Ollama error responses ``{"error": message}``.

        The default message depends on ``status`` (404 with ``model="x"``:
        ``model "x" not found, try pulling it first``, as Ollama says it). 429 and 503 carry
        ``retry-after: 0`` unless ``headers`` says otherwise.
        """
        if body is None:
            if message is None:
                if status == 404 and model:
                    message = _unknown_model(model)
                else:
                    message = _DEFAULT_ERRORS.get(status, f"error {status}")
            body = {"error": message}
        defaults = {"content-type": "application/json; charset=utf-8"}
        if status in (429, 503):
            defaults["retry-after"] = "0"
        self._queue_response(status, body, defaults, headers, count, delay, path)

    def enqueue_reply(
        self,
        content: str | None = "hello",
        tool_calls: list[Any] | None = None,
        done_reason: str | None = None,
        usage: dict[str, Any] | None = None,
        delay: float = 0.0,
        model: str | None = None,
        *,
        thinking: str | None = None,
        count: int = 1,
        path: str | None = None,
    ) -> None:
        """Queue a successful answer (JSON, or NDJSON when the request streams).

        ``tool_calls`` items are ``{"name", "arguments": dict|str}`` (optionally ``"id"``) or the
        OpenAI form; ``done_reason`` defaults to ``"stop"``; ``usage`` is
        ``{"prompt_eval_count", "eval_count"}`` (OpenAI's ``prompt_tokens`` /
        ``completion_tokens`` are accepted too); ``thinking`` is sent as the thinking trace.
        """
        self._queue_reply(content, tool_calls, done_reason, usage, delay, model, {"thinking": thinking}, count, path)

    def enqueue_stream(
        self,
        lines: list[Any] | None = None,
        chunk_delay: float = 0.0,
        cut_after: int | None = None,
        *,
        delay: float = 0.0,
        status: int = 200,
        headers: Mapping[str, str | None] | None = None,
        path: str | None = None,
        first_delay: float = 0.0,
        stall_after: int | None = None,
    ) -> None:
        """Queue an NDJSON response: ``dict`` items are JSON lines, ``str`` items are sent as a line
        (newline added), ``bytes`` verbatim (your own framing, e.g. a line split in two); ``None`` =
        the default stream for the request. ``cut_after=k`` closes the connection after ``k``
        items; ``chunk_delay`` sleeps between items, ``delay`` before the headers.
        ``first_delay`` passes between the headers (sent at once) and the first event; ``stall_after=k``
        goes silent after ``k`` events (the connection stays open until the client closes it).
        """
        self._queue_stream(
            lines,
            chunk_delay,
            True,
            cut_after,
            delay,
            status,
            headers,
            path,
            first_delay=first_delay,
            stall_after=stall_after,
        )

    # -- the dialect's answers -----------------------------------------------------------------

    def _error(self, status: int, message: str) -> _Raw:
        return self._json(status, {"error": message})

    def _auth_error(self, rec: RecordedRequest) -> _Raw:
        return self._error(401, "unauthorized")

    def _not_found(self, rec: RecordedRequest) -> _Raw:
        return _Raw(404, b"404 page not found", {"content-type": "text/plain"})

    def _wrong_method(self, rec: RecordedRequest, route: Route) -> _Raw:
        return _Raw(405, b"405 method not allowed", {"content-type": "text/plain"})

    def _request(self, call: Call) -> tuple[dict[str, Any], str]:
        """The body and model of a model request (``reply.model`` wins); Ollama's 400 / 404 otherwise."""
        body = call.rec.json
        if not isinstance(body, dict):
            raise Invalid("invalid character looking for beginning of value")
        model = body.get("model")
        if not isinstance(model, str) or not model:
            raise Invalid("model is required")
        if self.models is not None and model not in self.models and model.split(":")[0] not in self.models:
            raise Invalid(_unknown_model(model), 404)
        reply = call.reply
        return body, reply.model if reply is not None and reply.model else model

    # -- routes --------------------------------------------------------------------------------

    def _running(self, call: Call) -> Answer:
        return _Raw(200, b"Ollama is running", {"content-type": "text/plain; charset=utf-8"})

    def _version(self, call: Call) -> Answer:
        return self._json(200, {"version": _VERSION})

    def _chat(self, call: Call) -> Answer:
        return self._answer_model(call, True)

    def _generate(self, call: Call) -> Answer:
        return self._answer_model(call, False)

    def _answer_model(self, call: Call, chat: bool) -> Answer:
        body, model = self._request(call)
        problem = self._check_options(body)
        if problem is None:
            problem = self._check_chat(body) if chat else self._check_generate(body)
        if problem is not None:
            raise Invalid(problem)
        plan = self._plan(body, model, chat, call.reply)
        if call.stream or body.get("stream") is not False:
            return Events(self._lines(plan, chat, body))
        return self._json(200, self._single(plan, chat, body))

    def _tags(self, call: Call) -> Answer:
        names = self.models if self.models is not None else list(DEFAULT_MODELS)
        models = []
        for n in names:
            name = n if ":" in n else n + ":latest"
            models.append(
                {
                    "name": name,
                    "model": name,
                    "modified_at": "2025-05-04T17:37:44.706015396-07:00",
                    "size": 2019393189,
                    "digest": "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72",
                    "details": {
                        "parent_model": "",
                        "format": "gguf",
                        "family": "llama",
                        "families": ["llama"],
                        "parameter_size": "3.2B",
                        "quantization_level": "Q4_K_M",
                    },
                }
            )
        return self._json(200, {"models": models})

    # -- request checks (what Ollama's Go decoder would reject) ------------------------------------

    @staticmethod
    def _check_images(images: Any, where: str) -> str | None:
        if images is None:
            return None
        if not isinstance(images, list):
            return f"json: cannot unmarshal {type(images).__name__} into Go struct field {where}.images"
        for img in images:
            if not isinstance(img, str) or not img or not set(img.encode()) <= _B64_ALPHABET:
                return "illegal base64 data at input byte 0"
        return None

    @staticmethod
    def _check_options(body: dict[str, Any]) -> str | None:
        options = body.get("options")
        if options is None:
            return None
        if not isinstance(options, dict):
            return "json: cannot unmarshal into Go struct field .options of type map[string]interface {}"
        stop = options.get("stop")
        if stop is not None and not (isinstance(stop, list) and all(isinstance(s, str) for s in stop)):
            return 'option "stop" must be of type array'
        for key in ("num_predict", "seed", "top_k", "num_ctx"):
            v = options.get(key)
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
                return f'option "{key}" must be of type integer'
        return None

    def _check_chat(self, body: dict[str, Any]) -> str | None:
        msgs = body.get("messages", [])
        if msgs is None:
            msgs = []
        if not isinstance(msgs, list):
            return "json: cannot unmarshal into Go struct field ChatRequest.messages of type []api.Message"
        for m in msgs:
            if not isinstance(m, dict):
                return "json: cannot unmarshal into Go value of type api.Message"
            if m.get("role") not in _ROLES:
                return f"invalid role: {m.get('role')!r}"
            if "content" in m and not isinstance(m["content"], str):
                return "json: cannot unmarshal array into Go struct field Message.messages.content of type string"
            problem = self._check_images(m.get("images"), "Message.messages")
            if problem:
                return problem
            for tc in m.get("tool_calls") or []:
                fn = tc.get("function") if isinstance(tc, dict) else None
                if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
                    return "json: cannot unmarshal into Go struct field Message.messages.tool_calls"
                if "arguments" in fn and not isinstance(fn["arguments"], dict):
                    return (
                        "json: cannot unmarshal string into Go struct field "
                        "ToolCallFunction.messages.tool_calls.function.arguments of type map[string]interface {}"
                    )
        tools = body.get("tools")
        if tools is not None:
            if not isinstance(tools, list):
                return "json: cannot unmarshal into Go struct field ChatRequest.tools of type api.Tools"
            for t in tools:
                if not isinstance(t, dict) or not isinstance(t.get("function"), dict) or not t["function"].get("name"):
                    return "invalid tool definition"
        return self._check_format(body)

    def _check_generate(self, body: dict[str, Any]) -> str | None:
        prompt = body.get("prompt")
        if prompt is not None and not isinstance(prompt, str):
            return "json: cannot unmarshal into Go struct field GenerateRequest.prompt of type string"
        if body.get("system") is not None and not isinstance(body["system"], str):
            return "json: cannot unmarshal into Go struct field GenerateRequest.system of type string"
        problem = self._check_images(body.get("images"), "GenerateRequest")
        if problem:
            return problem
        if body.get("tools") is not None:
            return 'json: unknown field "tools"'
        return self._check_format(body)

    @staticmethod
    def _check_format(body: dict[str, Any]) -> str | None:
        fmt = body.get("format")
        if fmt is None or fmt == "" or fmt == "json" or isinstance(fmt, dict):
            return None
        return f'invalid format: "{fmt}"; expected "json" or a valid JSON Schema'

    # -- answers -----------------------------------------------------------------------------------

    def _plan(self, body: dict[str, Any], model: str, chat: bool, reply: _Reply | None) -> _Plan:
        if chat:
            msgs = [m for m in body.get("messages") or [] if isinstance(m, dict)]
            convo = {"messages": msgs}
            prompt_tokens = 3 + sum(3 + P.count_tokens(_text(m.get("content"))) for m in msgs)
        else:
            prompt = body.get("prompt") or ""
            convo = {"messages": [{"role": "user", "content": prompt}]}
            prompt_tokens = 3 + P.count_tokens(prompt) + P.count_tokens(body.get("system") or "")
            if not prompt:
                prompt_tokens = 0
        options = P.object_field(body, "options")
        thinking_text = None
        calls: list[dict[str, Any]] | None = None
        done_reason = "stop"
        usage = None
        if reply is not None:
            content = reply.content
            if reply.tool_calls:
                calls = _tool_calls_in(reply.tool_calls)
            extras = reply.custom if isinstance(reply.custom, dict) else {}
            thinking_text = extras.get("thinking")
            done_reason = reply.finish_reason or "stop"
            usage = reply.usage
            pieces = P.split_words(content or "")
        else:
            if not (body.get("messages") if chat else body.get("prompt")):
                # "If an empty prompt is provided, the model will be loaded into memory."
                return _Plan(model, [], [], None, "unload" if body.get("keep_alive") == 0 else "load", 0, 0)
            chosen, _ = P.choose_tool_calls(body) if chat else (None, False)
            if chosen:
                calls = [{"function": {"name": name, "arguments": json.loads(args)}} for name, args in chosen]
                pieces = []
            else:
                content = self._default_text(body, convo)
                pieces = P.split_words(content)
                limit = options.get("num_predict")
                if isinstance(limit, int) and not isinstance(limit, bool) and 0 < limit < len(pieces):
                    pieces = pieces[:limit]
                    done_reason = "length"
            if body.get("think") not in (None, False):
                thinking_text = "Let me think about " + (P.last_user_text(convo)[:40] or "this") + "."
        thinking = P.split_words(thinking_text or "")
        eval_tokens = len(pieces) + len(thinking) + (8 * len(calls) if calls else 0)
        if usage is not None:
            prompt_tokens = usage.get("prompt_eval_count", usage.get("prompt_tokens", prompt_tokens))
            eval_tokens = usage.get("eval_count", usage.get("completion_tokens", eval_tokens))
        return _Plan(model, thinking, pieces, calls, done_reason, prompt_tokens, eval_tokens)

    @staticmethod
    def _default_text(body: dict[str, Any], convo: dict[str, Any]) -> str:
        fmt = body.get("format")
        if isinstance(fmt, dict):
            return json.dumps(P.example_value(fmt))
        text = P.chat_reply_text(convo)
        if fmt == "json":
            return json.dumps({"reply": text})
        return text

    @staticmethod
    def _message(
        content: str, thinking: str | None = None, tool_calls: list[dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        msg: dict[str, Any] = {"role": "assistant", "content": content}
        if thinking:
            msg["thinking"] = thinking
        if tool_calls:
            msg["tool_calls"] = tool_calls
        return msg

    def _single(self, plan: _Plan, chat: bool, body: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"model": plan.model, "created_at": _created_at()}
        content = "".join(plan.pieces)
        thinking = "".join(plan.thinking) or None
        if chat:
            out["message"] = self._message(content, thinking, plan.tool_calls)
        else:
            out["response"] = content
            if thinking:
                out["thinking"] = thinking
        out.update(plan.final_fields())
        if not chat and not body.get("raw") and plan.done_reason not in ("load", "unload"):
            out["context"] = [1, 2, 3]
        return out

    def _lines(self, plan: _Plan, chat: bool, body: dict[str, Any]) -> list[bytes]:
        lines: list[bytes] = []

        def piece(content: str = "", thinking: str | None = None, calls: list[dict[str, Any]] | None = None) -> None:
            obj: dict[str, Any] = {"model": plan.model, "created_at": _created_at()}
            if chat:
                obj["message"] = self._message(content, thinking, calls)
            else:
                obj["response"] = content
                if thinking:
                    obj["thinking"] = thinking
            obj["done"] = False
            lines.append(ndjson_line(obj))

        for t in plan.thinking:
            piece(thinking=t)
        for p in plan.pieces:
            piece(p)
        if plan.tool_calls:
            piece(calls=plan.tool_calls)
        final: dict[str, Any] = {"model": plan.model, "created_at": _created_at()}
        if chat:
            final["message"] = self._message("")
        else:
            final["response"] = ""
        final.update(plan.final_fields())
        if not chat and not body.get("raw") and plan.done_reason not in ("load", "unload"):
            final["context"] = [1, 2, 3]
        lines.append(ndjson_line(final))
        return lines

    def _embed(self, call: Call) -> Answer:
        body, model = self._request(call)
        value = body.get("input")
        if isinstance(value, str):
            items = [value]
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            items = list(value)
        else:
            raise Invalid("invalid input type")
        dims = body.get("dimensions")
        if dims is None:
            dims = self.embedding_dims
        if isinstance(dims, bool) or not isinstance(dims, int) or not 1 <= dims <= 16384:
            raise Invalid("dimensions must be a positive integer")
        vectors = [P.embedding_vector(item, dims) for item in items]
        tokens = sum(_tokens(item) for item in items)
        return self._json(
            200,
            {
                "model": model,
                "embeddings": vectors,
                "total_duration": 14143917,
                "load_duration": 1019500,
                "prompt_eval_count": tokens,
            },
        )
