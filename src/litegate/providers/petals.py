"""Petals (``petals/<model>``): a Petals chat server's HTTP API, as litellm calls a remote Petals
endpoint (litellm can also run the model in-process with the ``petals`` package; litegate cannot).

* URL: ``POST {api_base}``, the full generate URL: default the public server,
  ``https://chat.petals.dev/api/v1/generate``; ``api_base=``, ``litegate.api_base`` or
  ``PETALS_API_BASE`` name another (a base without a path, e.g. ``http://localhost:5000``, gets
  ``/api/v1/generate``). A key (``api_key=``, ``litegate.petals_key``, ``PETALS_API_KEY``) is
  optional -- the public server takes none -- and is sent as ``Authorization: Bearer`` when given.
* body: form fields, as the server reads them (chat.petals.dev's ``http_api.py``): ``model``,
  ``inputs`` (the prompt), ``max_new_tokens`` (``max_tokens`` / ``max_completion_tokens``;
  :data:`DEFAULT_MAX_NEW_TOKENS` when neither is given, since the server needs a length),
  ``do_sample=1`` with ``temperature`` / ``top_p`` when sampling is asked for (a temperature above
  0, or a ``top_p``; ``temperature=0`` is greedy decoding, the server's default); ``top_k``,
  ``repetition_penalty``, ``max_length``, ``do_sample`` and ``session_id`` given as keyword
  arguments go as given. ``stop``, tools and ``n`` > 1 have no field: refused (or dropped).
* prompt: the template registered with ``register_prompt_template`` for the model, else the
  built-in one of its family (Llama-2, Llama-3, Mistral, ChatML: the same as Hugging Face's TGI
  routes), else a single user message as is, or the turns as ``role: text`` lines ending with
  ``assistant:``.
* answer: ``{"ok": true, "outputs": "<generated text>"}`` -> one choice; the server reports no
  token counts, so ``usage`` is estimated with litegate's tokenizer. Petals has no price:
  ``response_cost`` is 0.0.
* errors: the server answers ``{"ok": false, "traceback": "..."}`` with HTTP 200; the exception
  line closing the traceback becomes the message, and its type the class: ``KeyError`` (a model the
  server does not serve) -> ``NotFoundError``, ``ValueError`` / ``TypeError`` -> ``BadRequestError``
  (``ContextWindowExceededError`` when it is about the length), anything else -> an ``APIError``
  with status 500 (retried: the swarm's servers come and go).
* streaming: the HTTP API answers in one piece (token streaming is only on its WebSocket API), so
  ``stream=True`` hands out the whole answer as one content chunk and a final chunk.
"""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from ..core.http import Headers, HttpRequest, HttpResponse
from ..exceptions import APIResponseValidationError
from ..types.utils import ModelResponse
from .base import Dialect, StreamDecoder, bad_input, drop_unsupported, max_output_tokens
from .base import content_text as _text

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Petals", "PetalsStreamDecoder", "DEFAULT_BASE", "DEFAULT_MAX_NEW_TOKENS", "GENERATE_PATH"]

DEFAULT_BASE = "https://chat.petals.dev/api/v1/generate"
GENERATE_PATH = "/api/v1/generate"
DEFAULT_MAX_NEW_TOKENS = 256  # litellm's default max_tokens, which it sends to Petals
_SUPPORTED = ("temperature", "top_p", "max_tokens", "max_completion_tokens", "stream", "stream_options", "n")
_PASSED = ("top_k", "repetition_penalty", "max_length", "do_sample", "session_id")
_ERROR_STATUS = {"KeyError": 404, "ValueError": 400, "TypeError": 400}


def _fail(message: str, model: str) -> Exception:
    return bad_input(f"petals: {message}", model)


def _url(base: str) -> str:
    try:
        path = urlsplit(base).path
    except ValueError:
        return base
    return base + GENERATE_PATH if path in ("", "/") else base


def _template(model: str) -> dict[str, Any] | None:
    from ..core.prompt_templates import get_prompt_template
    from .huggingface import template_for

    return get_prompt_template(model) or get_prompt_template("petals/" + model) or template_for(model)


def prompt_of(messages: list[Any], model: str, call_model: str) -> str:
    """The chat as the one prompt the generate route takes."""
    if not messages:
        raise _fail("at least one message is needed", call_model)
    for m in messages:
        if m.get("tool_calls") or m.get("role") == "tool":
            raise _fail("tool messages are not supported", call_model)
    template = _template(model)
    if template is not None:
        from ..core.prompt_templates import format_prompt

        return format_prompt(model, messages, template)
    if len(messages) == 1 and messages[0].get("role") == "user":
        return _text(messages[0].get("content"))
    return "\n".join(f"{m.get('role')}: {_text(m.get('content'))}" for m in messages) + "\nassistant:"


def traceback_error(data: dict[str, Any], resp: HttpResponse, provider: str, model: str) -> Exception:
    """The exception for a ``{"ok": false, "traceback": ...}`` answer."""
    from ..core.errors import exception_from_response

    trace = str(data.get("traceback") or "").strip()
    lines = [line.strip() for line in trace.splitlines() if line.strip()]
    last = lines[-1] if lines else "the server reported a failure without a traceback"
    kind = last.split(":", 1)[0].strip().rsplit(".", 1)[-1]
    status = _ERROR_STATUS.get(kind, 500)
    mapped = HttpResponse(status, resp.headers, resp.content, resp.url)
    return exception_from_response(mapped, llm_provider=provider, model=model, message=f"Petals server error: {last}")


class Petals(Dialect):
    name = "petals"
    key_hint = "nothing for the public server; PETALS_API_KEY / litegate.petals_key for a gateway that wants one"
    kept_headers = ("x-ratelimit-", "retry-after", "x-request-id")

    def supported_openai_params(self, model: str) -> list[str]:
        return list(_SUPPORTED)

    def chat_request(self, call: Any, target: Any, drop: Any) -> HttpRequest:
        model = call.model
        params = dict(call.params or {})
        bad = [p for p in params if p not in _SUPPORTED]
        if params.get("n") not in (None, 1):
            bad.append("n")
        if bad:
            params = drop_unsupported(self.name, params, bad, model, drop)
        fields: dict[str, Any] = {
            "model": target.model,
            "inputs": prompt_of(call.messages, target.model, model),
        }
        mt = max_output_tokens(params)
        fields["max_new_tokens"] = DEFAULT_MAX_NEW_TOKENS if mt is None else int(mt)
        temperature, top_p = params.get("temperature"), params.get("top_p")
        if (temperature is not None and temperature > 0) or top_p is not None:
            fields["do_sample"] = 1
            if temperature is not None and temperature > 0:
                fields["temperature"] = temperature
            if top_p is not None:
                fields["top_p"] = top_p
        extra = call.extra or {}
        unknown = [k for k in extra if k not in _PASSED]
        if unknown:
            raise _fail(f"unknown parameters {unknown}; the generate route takes {', '.join(_PASSED)}", model)
        for key in _PASSED:
            if extra.get(key) is not None:
                value = extra[key]
                fields[key] = int(value) if isinstance(value, bool) else value
        headers = {
            "content-type": "application/x-www-form-urlencoded",
            "accept": "application/json",
        }
        if target.api_key:
            headers["authorization"] = "Bearer " + target.api_key
        headers.update(target.headers or {})
        body = urlencode({k: v for k, v in fields.items()}).encode()
        return HttpRequest("POST", _url(target.api_base), headers, content=body)

    def parse_chat(self, resp: HttpResponse, call: Any, target: Any) -> Any:
        data = self.json_body(resp, target, "outputs")
        return answer(data, call, target.model, self.invalid_for(target))

    def invalid_for(self, target: Any) -> Callable[[str], APIResponseValidationError]:
        return lambda message: self.invalid(message, target)

    def embedded_error(self, data: dict[str, Any], resp: HttpResponse, target: Any) -> Exception | None:
        if data.get("ok") is False:
            return traceback_error(data, resp, self.name, target.model)
        return None

    def stream_decoder(self, call: Any, target: Any) -> PetalsStreamDecoder:
        so = (call.params or {}).get("stream_options")
        return PetalsStreamDecoder(call, target.model, isinstance(so, dict) and so.get("include_usage") is True)


def _usage(call: Any, text: str) -> dict[str, int]:
    from ..tokens import token_counter

    prompt = token_counter(text="\n".join(_text(m.get("content")) for m in call.messages))
    completion = token_counter(text=text) if text else 0
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def answer(data: dict[str, Any], call: Any, model: str, invalid: Callable[[str], Exception]) -> ModelResponse:
    outputs = data.get("outputs")
    if not isinstance(outputs, str):
        raise invalid(f"answer's 'outputs' is not text: {str(outputs)[:80]!r}")
    return ModelResponse(
        id="chatcmpl-" + uuid.uuid4().hex,
        created=int(time.time()),
        model=model,
        object="chat.completion",
        choices=[{"index": 0, "message": {"role": "assistant", "content": outputs}, "finish_reason": "stop"}],
        usage=_usage(call, outputs),
    )


class WholeBody:
    """A framer for an answer that is one JSON document: it keeps the bytes and hands the whole
    body over when the stream ends (at most ``MAX_RESPONSE_BYTES``)."""

    __slots__ = ("_parts", "_size")

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._size = 0

    def feed(self, data: bytes) -> list[bytes]:
        from ..constants import MAX_RESPONSE_BYTES

        self._size += len(data)
        if self._size > MAX_RESPONSE_BYTES:
            raise APIResponseValidationError(
                message=f"the answer is larger than MAX_RESPONSE_BYTES={MAX_RESPONSE_BYTES} bytes"
            )
        self._parts.append(data)
        return []

    def flush(self) -> list[bytes]:
        body, self._parts = b"".join(self._parts), []
        return [body] if body else []


class PetalsStreamDecoder(StreamDecoder):
    """The whole answer as a stream: one chunk with the role and the text, then one with
    ``finish_reason`` (and the estimated usage under ``stream_options.include_usage``)."""

    __slots__ = ("call", "include_usage", "created", "id")
    framing = WholeBody
    end_marker = "the end of the answer"

    def __init__(self, call: Any, model: str, include_usage: bool = False):
        super().__init__("petals", model)
        self.call = call
        self.include_usage = include_usage
        self.created = int(time.time())
        self.id = "chatcmpl-" + uuid.uuid4().hex

    def _chunk(self, delta: dict[str, Any], finish: Any = None, usage: Any = None) -> ModelResponse:
        kw = {"usage": usage} if usage is not None else {}
        return ModelResponse(
            stream=True,
            id=self.id,
            created=self.created,
            model=self.model,
            object="chat.completion.chunk",
            choices=[{"index": 0, "delta": delta, "finish_reason": finish}],
            **kw,
        )

    def _convert_into(self, items: list[bytes], out: list[Any]) -> None:
        from ..core.jsonutil import loads

        for body in items:
            try:
                data = loads(body)
            except ValueError:
                raise self.malformed("answer (not JSON)", body.decode("utf-8", "replace")) from None
            if not isinstance(data, dict):
                raise self.malformed("answer (not a JSON object)", body.decode("utf-8", "replace"))
            if data.get("ok") is False:
                resp = HttpResponse(200, Headers(), body, "")
                raise traceback_error(data, resp, self.provider, self.model)
            if not isinstance(data.get("outputs"), str):
                raise self.malformed("answer (no 'outputs' text)", body.decode("utf-8", "replace"))
            text = data["outputs"]
            out.append(self._chunk({"role": "assistant", "content": text}))
            out.append(self._chunk({}, "stop", _usage(self.call, text) if self.include_usage else None))
            self.done = True
