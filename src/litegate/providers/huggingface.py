"""Hugging Face (``huggingface/<org>/<model>``): the Inference Providers router and Inference
Endpoints, OpenAI-compatible where they are, Text Generation Inference's native routes where not.

Where a call goes (decided per call, before any request):

* no ``api_base``: the Inference Providers router, ``https://router.huggingface.co/v1`` with
  OpenAI chat completions (``org/model`` or ``org/model:provider``); embeddings go to the
  ``hf-inference`` feature-extraction pipeline
  (``https://router.huggingface.co/hf-inference/models/<model>/pipeline/feature-extraction``);
* an ``api_base`` ending in ``/v1`` (or ``HUGGINGFACE_API_BASE``): an OpenAI-compatible server
  (TGI's or TEI's Messages API) at that base;
* any other ``api_base`` (an Inference Endpoint or a TGI server's root): TGI's native
  ``POST {api_base}/generate`` / ``/generate_stream`` (SSE of token events) with the chat turned
  into one prompt -- the template registered with ``register_prompt_template`` for the model, else
  a built-in one for the Llama-2, Llama-3, Mistral and ChatML families (chosen from the model
  name), else the contents joined by newlines; embeddings are ``POST {api_base}`` with
  ``{"inputs": [...]}`` (feature extraction).

Key: ``api_key=``, ``litegate.huggingface_key``, ``HUGGINGFACE_API_KEY`` or ``HF_TOKEN``, sent as
``Authorization: Bearer``. Native parameters: ``max_tokens`` -> ``max_new_tokens``,
``temperature``, ``top_p``, ``stop``, ``seed``, ``frequency_penalty``; ``top_k``,
``repetition_penalty``, ``do_sample``, ``typical_p``, ``truncate`` and other TGI parameters given
as keyword arguments pass through; tools and ``n`` > 1 are refused there (the OpenAI routes take
them). TGI reports no prompt token count on ``/generate``: ``prompt_tokens`` is estimated from the
prompt (the streamed answer's ``input_length`` is used when present).
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any, cast

from ..core.http import HttpRequest, HttpResponse
from ..core.prompt_templates import format_prompt, get_prompt_template
from ..types.utils import EmbeddingResponse, ModelResponse, ModelResponseStream
from .base import StreamDecoder, bad_input, drop_unsupported, max_output_tokens
from .base import content_text as _text
from .openai import Compatible
from .openai_compatible import CompatProvider

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..core.call import ChatCall, EmbeddingCall, TextCall
    from ..core.resolve import Target
    from .base import Chunk, Drop, Framer


__all__ = [
    "HuggingFace",
    "ROUTER_BASE",
    "BUILTIN_TEMPLATES",
    "template_for",
    "TGIStreamDecoder",
    "tgi_body",
    "parse_generated",
    "prompt_tokens",
]

ROUTER_BASE = "https://router.huggingface.co/v1"
FEATURE_EXTRACTION = "https://router.huggingface.co/hf-inference/models/{model}/pipeline/feature-extraction"
# TGI's validation messages for a prompt longer than the model takes (router/validation.rs wording)
_TOO_LONG = re.compile(r"`inputs` tokens \+ `max_new_tokens` must be <=|`inputs` must have less than \d+ tokens")
FINISH_REASONS: dict[str | None, str] = {"length": "length", "eos_token": "stop", "stop_sequence": "stop"}
_NATIVE_PARAMS = (
    "temperature",
    "top_p",
    "stop",
    "seed",
    "max_tokens",
    "max_completion_tokens",
    "stream",
    "stream_options",
    "frequency_penalty",
    "extra_headers",
)

_ROW = CompatProvider(
    "huggingface",
    ROUTER_BASE,
    ("HUGGINGFACE_API_KEY", "HF_TOKEN"),
    ("huggingface_key",),
    ("HUGGINGFACE_API_BASE",),
    endpoints=frozenset({"chat", "embedding"}),
)

BUILTIN_TEMPLATES: dict[str, dict[str, Any]] = {
    "llama-2": {
        "roles": {
            "system": {"pre_message": "[INST] <<SYS>>\n", "post_message": "\n<</SYS>>\n [/INST]\n"},
            "user": {"pre_message": "[INST] ", "post_message": " [/INST]\n"},
            "assistant": {"pre_message": "", "post_message": "\n"},
        },
        "initial_prompt_value": "<s>",
        "final_prompt_value": "",
    },
    "llama-3": {
        "roles": {
            r: {"pre_message": f"<|start_header_id|>{r}<|end_header_id|>\n\n", "post_message": "<|eot_id|>"}
            for r in ("system", "user", "assistant", "tool")
        },
        "initial_prompt_value": "<|begin_of_text|>",
        "final_prompt_value": "<|start_header_id|>assistant<|end_header_id|>\n\n",
    },
    "mistral": {
        "roles": {
            "system": {"pre_message": "[INST] ", "post_message": " [/INST]"},
            "user": {"pre_message": "[INST] ", "post_message": " [/INST]"},
            "assistant": {"pre_message": " ", "post_message": "</s>"},
        },
        "initial_prompt_value": "<s>",
        "final_prompt_value": "",
    },
    "chatml": {
        "roles": {
            r: {"pre_message": f"<|im_start|>{r}\n", "post_message": "<|im_end|>\n"}
            for r in ("system", "user", "assistant", "tool")
        },
        "initial_prompt_value": "",
        "final_prompt_value": "<|im_start|>assistant\n",
    },
}


def template_for(model: str) -> dict[str, Any] | None:
    """The prompt template for ``model``: the registered one, else a built-in family's, else None."""
    registered = get_prompt_template(model) or get_prompt_template("huggingface/" + model)
    if registered is not None:
        return registered
    low = model.lower()
    if "llama-3" in low or "llama3" in low:
        return BUILTIN_TEMPLATES["llama-3"]
    if "llama-2" in low and "chat" in low:
        return BUILTIN_TEMPLATES["llama-2"]
    if "mistral" in low or "mixtral" in low:
        return BUILTIN_TEMPLATES["mistral"]
    if any(f in low for f in ("qwen", "chatml", "hermes", "yi-", "openchat", "zephyr")):
        return BUILTIN_TEMPLATES["chatml"]
    return None


def _mode(target: Target) -> str:
    base = target.api_base or ""
    if base == ROUTER_BASE or base.rstrip("/").endswith("/v1") or "/v1/" in base:
        return "openai"
    return "tgi"


class HuggingFace(Compatible):
    """Hugging Face: OpenAI-compatible routes (router, ``/v1`` bases) and TGI's native routes."""

    def __init__(self) -> None:
        super().__init__(_ROW)
        self.text_via_chat = True

    # ------------------------------------------------------------------ chat
    def chat_request(self, call: ChatCall, target: Target, drop: Drop) -> HttpRequest:
        if _mode(target) == "openai":
            return super().chat_request(call, target, drop)
        body = tgi_body(self.name, call, target, drop)
        path = "generate_stream" if call.stream else "generate"
        return HttpRequest("POST", f"{target.api_base}/{path}", self.auth_headers(target), body)

    def parse_chat(self, resp: HttpResponse, call: ChatCall, target: Target) -> ModelResponse:
        if _mode(target) == "openai":
            return super().parse_chat(resp, call, target)
        return parse_generated(self.json_body(resp, target, "generated_text"), call, target, self.invalid)

    def stream_decoder(self, call: ChatCall | TextCall, target: Target) -> StreamDecoder:
        if _mode(target) == "openai":
            return super().stream_decoder(call, target)
        so = (call.params or {}).get("stream_options")
        chat = cast("ChatCall", call)  # text completions come here as chat calls (text_via_chat)
        return TGIStreamDecoder(
            target.model, isinstance(so, dict) and so.get("include_usage") is True, prompt_tokens(chat, target)
        )

    def error(self, resp: HttpResponse, target: Target) -> Exception:
        """TGI reports a prompt too long for the model as a validation error (422 / 400): that is
        a context-window error."""
        exc = super().error(resp, target)
        message = str(getattr(exc, "message", exc))
        if _TOO_LONG.search(message):
            from ..exceptions import ContextWindowExceededError

            return ContextWindowExceededError(
                message=message, llm_provider=self.name, model=target.model, response=getattr(exc, "response", None)
            )
        return exc

    # ------------------------------------------------------------------ embeddings
    def embedding_request(self, call: EmbeddingCall, target: Target, drop: Drop) -> HttpRequest:
        base = target.api_base or ROUTER_BASE
        if base != ROUTER_BASE and _mode(target) == "openai":
            return super().embedding_request(call, target, drop)
        params = dict(call.params or {})
        bad = [p for p in params if not (p == "encoding_format" and params[p] == "float")]
        drop_unsupported(self.name, params, bad, call.model, drop, " (feature extraction)")
        url = FEATURE_EXTRACTION.format(model=target.model) if base == ROUTER_BASE else base
        inputs = [call.input] if isinstance(call.input, str) else list(call.input)
        body: dict[str, Any] = {"inputs": inputs}
        body.update(call.extra or {})  # normalize, truncate, prompt_name ...
        return HttpRequest("POST", url, self.auth_headers(target), body)

    def parse_embedding(self, resp: HttpResponse, call: EmbeddingCall, target: Target) -> EmbeddingResponse:
        base = target.api_base or ROUTER_BASE
        if base != ROUTER_BASE and _mode(target) == "openai":
            return super().parse_embedding(resp, call, target)
        from ..core.jsonutil import loads

        try:
            data = loads(resp.content)
        except ValueError:
            raise self.invalid(f"returned a body that is not JSON: {resp.text[:200]!r}", target) from None
        if isinstance(data, dict):
            err = self.embedded_error(data, resp, target)
            raise err if err is not None else self.invalid("feature extraction answered an object, not vectors", target)
        vectors = data if isinstance(data, list) else None
        if vectors and all(isinstance(x, (int, float)) for x in vectors):
            vectors = [vectors]
        if not vectors or not all(
            isinstance(v, list) and v and all(isinstance(x, (int, float)) for x in v) for v in vectors
        ):
            raise self.invalid("feature extraction answered something other than one vector per input", target)
        from ..tokens import token_counter

        inputs = [call.input] if isinstance(call.input, str) else list(call.input)
        prompt = sum(token_counter(text=t) for t in inputs if isinstance(t, str))
        return EmbeddingResponse(
            model=target.model,
            object="list",
            data=[{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)],
            usage={"prompt_tokens": prompt, "total_tokens": prompt},
        )


def prompt_tokens(call: ChatCall, target: Target) -> int:
    """An estimate of the prompt's tokens (TGI's /generate answer carries none)."""
    from ..tokens import token_counter

    return token_counter(text="\n".join(_text(m.get("content")) for m in call.messages if isinstance(m, dict)))


def tgi_body(provider: str, call: ChatCall, target: Target, drop: Drop | bool | None) -> dict[str, Any]:
    """TGI's ``{"inputs": <prompt>, "parameters": {...}}`` for a chat call (the prompt from the
    model's template, see :func:`template_for`)."""
    model = call.model
    params = dict(call.params or {})
    bad = [p for p in params if p not in _NATIVE_PARAMS]
    if params.get("n") not in (None, 1):
        bad.append("n")
    if bad:
        params = drop_unsupported(provider, params, [b for b in bad if b in params], model, drop, " (TGI generate)")
    if any(m.get("tool_calls") or m.get("role") == "tool" for m in call.messages if isinstance(m, dict)):
        raise bad_input(f"{provider}: tool messages need an OpenAI-compatible (Messages API) route", model)
    parameters: dict[str, Any] = {"details": True, "return_full_text": False}
    mt = max_output_tokens(params)
    if mt is not None:
        parameters["max_new_tokens"] = mt
    for name in ("temperature", "top_p", "seed", "frequency_penalty"):
        if params.get(name) is not None:
            parameters[name] = params[name]
    stop = params.get("stop")
    if stop is not None:
        parameters["stop"] = [stop] if isinstance(stop, str) else list(stop)
    parameters.update(call.extra or {})
    template = template_for(target.model)
    prompt = (
        format_prompt(target.model, call.messages, template)
        if template is not None
        else "\n".join(_text(m.get("content")) for m in call.messages)
    )
    return {"inputs": prompt, "parameters": parameters}


def parse_generated(
    data: Any, call: ChatCall, target: Target, invalid: Callable[[str, Target], Exception]
) -> ModelResponse:
    """A TGI ``GenerateResponse`` (or the one-item list TGI's compat route answers) -> a response."""
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    text = data.get("generated_text") if isinstance(data, dict) else None
    if not isinstance(text, str):
        raise invalid("response has no 'generated_text' string", target)
    details = data.get("details") if isinstance(data.get("details"), dict) else {}
    completion = int(details.get("generated_tokens") or 0)
    prompt = prompt_tokens(call, target)
    return ModelResponse(
        id="",
        created=int(time.time()),
        model=target.model,
        object="chat.completion",
        choices=[
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": FINISH_REASONS.get(details.get("finish_reason"), "stop"),
            }
        ],
        usage={"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
    )


class TGIStreamDecoder(StreamDecoder):
    """TGI ``/generate_stream`` SSE -> chunks: one per non-special token; the event whose
    ``details`` hold the ``finish_reason`` ends the answer (with usage from ``generated_tokens``
    and ``input_length``). An ``{"error": ...}`` event raises the mapped error."""

    __slots__ = ("include_usage", "prompt", "created", "_started")
    end_marker = "the event with details.finish_reason"

    def __init__(
        self,
        model: str,
        include_usage: bool,
        prompt_tokens: int,
        provider: str = "huggingface",
        framer: Framer | None = None,
    ):
        super().__init__(provider, model, framer)
        self.include_usage = include_usage
        self.prompt = prompt_tokens
        self.created = int(time.time())
        self._started = False

    def _chunk(self, delta: dict[str, Any], finish: str | None = None, usage: Any = None) -> ModelResponseStream:
        kw: dict[str, Any] = {
            "id": "",
            "created": self.created,
            "model": self.model,
            "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        if usage is not None:
            kw["usage"] = usage
        return ModelResponseStream(**kw)

    def _convert_into(self, events: list[tuple[str | None, str]], out: list[Chunk]) -> None:
        from ..core.errors import mid_stream_error

        for _event, data in events:
            if self.done:
                return
            obj = self.event_json(data)
            if obj is None:
                continue
            if "error" in obj:
                raise mid_stream_error(
                    {"error": {"message": obj.get("error"), "type": obj.get("error_type")}},
                    llm_provider=self.provider,
                    model=self.model,
                )
            token = obj.get("token")
            if not isinstance(token, dict):
                token = {}
            delta: dict[str, Any] = {}
            if not self._started:
                delta["role"] = "assistant"
                self._started = True
            if not token.get("special") and token.get("text"):
                delta["content"] = token["text"]
            details = obj.get("details")
            if isinstance(details, dict) and details.get("finish_reason"):
                self.done = True
                usage = None
                if self.include_usage:
                    prompt = int(details.get("input_length") or self.prompt)
                    completion = int(details.get("generated_tokens") or 0)
                    usage = {
                        "prompt_tokens": prompt,
                        "completion_tokens": completion,
                        "total_tokens": prompt + completion,
                    }
                out.append(self._chunk(delta, FINISH_REASONS.get(details["finish_reason"], "stop"), usage))
            elif delta:
                out.append(self._chunk(delta))
