"""The OpenAI dialect: OpenAI itself, Azure OpenAI, and every OpenAI-compatible row.

A pure translator: a ``ChatCall`` + ``Target`` become an ``HttpRequest``; an ``HttpResponse`` (or a
byte stream) becomes our response types or an exception. No I/O here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

from ..core.errors import mid_stream_error
from ..core.http import HttpRequest, HttpResponse
from ..exceptions import UnsupportedParamsError
from ..types.utils import EmbeddingResponse, ModelResponse, ModelResponseStream, TextCompletionResponse
from .base import Dialect, StreamDecoder, drop_unsupported

if TYPE_CHECKING:
    from ..core.audio import SpeechCall, TranscriptionCall
    from ..core.auth import Auth
    from ..core.call import ChatCall, EmbeddingCall, MediaCall, ProviderCall, TextCall
    from ..core.lifecycle import Plan
    from ..core.platform import PlatformCall
    from ..core.resolve import Target
    from ..types.media import ImageResponse, ModerationResponse
    from ..types.models import ModelList
    from .base import AnyCall, Chunk, Drop
    from .openai_compatible import CompatProvider


_REASONING = re.compile(r"^(o\d|gpt-5)")
_RATE_HEADERS = ("x-ratelimit-", "retry-after", "x-request-id", "apim-request-id", "openai-processing-ms")


class OpenAIDialect(Dialect):
    """OpenAI wire format. Subclasses / instances differ in URL layout, auth and param support."""

    name = "openai"
    text_via_chat = False  # OpenAI's own /completions
    kept_headers = _RATE_HEADERS
    unsupported_params: frozenset[str] = frozenset()
    param_renames: dict[str, str] = {}
    extra_headers: dict[str, str] = {}
    key_required = True
    key_hint = "OPENAI_API_KEY / litegate.openai_key"

    # ------------------------------------------------------------------ params
    def supported_openai_params(self, model: str) -> list[str]:
        from ..core.params import OPENAI_CHAT_COMPLETION_PARAMS

        bad = self.unsupported_for(model)
        return [p for p in OPENAI_CHAT_COMPLETION_PARAMS if p not in bad]

    def unsupported_for(self, model: str) -> frozenset[str]:
        return self.unsupported_params

    def renames_for(self, model: str) -> dict[str, str]:
        return self.param_renames

    def unsupported(self, params: dict[str, Any], model: str) -> frozenset[str]:
        return self.unsupported_for(model)

    def adapt_params(self, params: dict[str, Any], model: str) -> dict[str, Any]:
        renames = self.renames_for(model)
        if renames:
            return {renames.get(k, k): v for k, v in params.items()}
        return params

    # ------------------------------------------------------------------ requests
    def auth_headers(self, target: Target) -> dict[str, str]:
        h = dict(self.extra_headers) if self.extra_headers else {}
        if target.api_key:
            h["authorization"] = "Bearer " + target.api_key
        elif self.key_required:
            raise self.missing_key(target)
        if target.organization:
            h["openai-organization"] = target.organization
        if target.headers:
            h.update(target.headers)
        return h

    def url(self, target: Target, path: str) -> str:
        return f"{target.api_base}/{path}"

    def query(self, target: Target) -> dict[str, str] | None:
        return None

    def chat_request(self, call: ChatCall, target: Target, drop: Drop) -> HttpRequest:
        body: dict[str, Any] = {"model": target.model, "messages": call.messages}
        if call.params:
            body.update(self.map_params(call.params, target.model, drop))
        if call.stream:
            body["stream"] = True
        if call.extra:
            body.update(call.extra)
        return HttpRequest(
            "POST", self.url(target, "chat/completions"), self.auth_headers(target), body, params=self.query(target)
        )

    def embedding_request(self, call: EmbeddingCall, target: Target, drop: Drop) -> HttpRequest:
        body: dict[str, Any] = {"model": target.model, "input": call.input}
        if call.params:
            body.update(call.params)
        if call.extra:
            body.update(call.extra)
        return HttpRequest(
            "POST", self.url(target, "embeddings"), self.auth_headers(target), body, params=self.query(target)
        )

    def text_completion_request(self, call: TextCall, target: Target, drop: Drop) -> HttpRequest:
        body: dict[str, Any] = {"model": target.model, "prompt": call.prompt}
        if call.params:
            body.update(call.params)
        if call.stream:
            body["stream"] = True
        if call.extra:
            body.update(call.extra)
        return HttpRequest(
            "POST", self.url(target, "completions"), self.auth_headers(target), body, params=self.query(target)
        )

    def image_generation_request(self, call: MediaCall, target: Target, drop: Drop) -> HttpRequest:
        body: dict[str, Any] = {"model": target.model, "prompt": call.input, **call.params, **call.extra}
        return HttpRequest(
            "POST", self.url(target, "images/generations"), self.auth_headers(target), body, params=self.query(target)
        )

    def moderation_request(self, call: MediaCall, target: Target, drop: Drop) -> HttpRequest:
        body: dict[str, Any] = {"model": target.model, "input": call.input, **call.extra}
        return HttpRequest(
            "POST", self.url(target, "moderations"), self.auth_headers(target), body, params=self.query(target)
        )

    def models_request(self, call: ProviderCall, target: Target, drop: Drop) -> HttpRequest:
        return HttpRequest("GET", self.url(target, "models"), self.auth_headers(target), params=self.query(target))

    # ------------------------------------------------------------------ audio (core/audio.py)
    def transcription_request(self, call: TranscriptionCall, target: Target, drop: Drop) -> HttpRequest:
        from ..core.audio import transcription_request

        return transcription_request(self, call, target)

    def parse_transcription(self, resp: HttpResponse, call: TranscriptionCall, target: Target) -> Any:
        from ..core.audio import parse_transcription

        return parse_transcription(self, resp, call, target)

    def speech_request(self, call: SpeechCall, target: Target, drop: Drop) -> HttpRequest:
        from ..core.audio import speech_request

        return speech_request(self, call, target)

    def speech_response(self, http_stream: Any, plan: Plan) -> Any:
        from ..core.audio import speech_response

        return speech_response(self, http_stream, plan)

    def wrapped_cost(self, plan: Plan) -> float | None:
        if plan.endpoint.kind == "speech":
            from ..core.audio import speech_cost

            return speech_cost(plan)
        return None

    # ------------------------------------------------------------------ files, batches, fine-tuning, assistants
    def account_url(self, target: Target, path: str) -> str:
        """The URL of an account-level resource (not under a model)."""
        return self.url(target, path)

    def platform_request(self, call: PlatformCall, target: Target, drop: Drop) -> HttpRequest:
        from ..core.platform import platform_request

        return platform_request(self, call, target)

    def parse_platform(self, resp: HttpResponse, call: PlatformCall, target: Target) -> Any:
        from ..core.platform import parse_platform

        return parse_platform(self, resp, call, target)

    def platform_stream(self, http_stream: Any, plan: Plan) -> Any:
        from ..core.platform import platform_stream

        return platform_stream(self, http_stream, plan)

    # ------------------------------------------------------------------ responses
    def parse_chat(self, resp: HttpResponse, call: ChatCall, target: Target) -> ModelResponse:
        return ModelResponse(**self.json_body(resp, target, "choices"))

    def parse_embedding(self, resp: HttpResponse, call: EmbeddingCall, target: Target) -> EmbeddingResponse:
        return EmbeddingResponse(**self.json_body(resp, target, "data"))

    def parse_image_generation(self, resp: HttpResponse, call: MediaCall, target: Target) -> ImageResponse:
        from ..types.media import ImageResponse

        return ImageResponse(**self.json_body(resp, target, "data"))

    def parse_moderation(self, resp: HttpResponse, call: MediaCall, target: Target) -> ModerationResponse:
        from ..types.media import ModerationResponse

        return ModerationResponse(**self.json_body(resp, target, "results"))

    def parse_models(self, resp: HttpResponse, call: ProviderCall, target: Target) -> ModelList:
        from ..types.models import ModelList

        return ModelList(**self.json_body(resp, target, "data"))

    def parse_text_completion(self, resp: HttpResponse, call: TextCall, target: Target) -> TextCompletionResponse:
        return TextCompletionResponse(**self.json_body(resp, target, "choices"))

    def stream_decoder(self, call: ChatCall | TextCall, target: Target) -> StreamDecoder:
        if hasattr(call, "prompt"):  # a legacy text completion stream
            return OpenAIStreamDecoder(self.name, target.model, text=True)
        return OpenAIStreamDecoder(self.name, target.model)


class OpenAI(OpenAIDialect):
    name = "openai"

    def unsupported_for(self, model: str) -> frozenset[str]:
        if _REASONING.match(model):
            # reasoning models reject sampling knobs and logprobs
            return frozenset(
                {
                    "temperature",
                    "top_p",
                    "presence_penalty",
                    "frequency_penalty",
                    "logprobs",
                    "top_logprobs",
                    "logit_bias",
                }
            )
        return self.unsupported_params

    def map_params(self, params: dict[str, Any], model: str, drop: Drop | bool | None) -> dict[str, Any]:
        if _REASONING.match(model) and params.get("temperature") == 1:
            params = {k: v for k, v in params.items() if k != "temperature"}  # the only value they accept
        return super().map_params(params, model, drop)

    def renames_for(self, model: str) -> dict[str, str]:
        if _REASONING.match(model):
            return {"max_tokens": "max_completion_tokens"}
        return self.param_renames


class Azure(OpenAIDialect):
    """Azure OpenAI: deployment in the URL, ``api-version`` query, ``api-key`` or Entra ID token."""

    name = "azure"
    key_hint = "AZURE_API_KEY / litegate.azure_key, or an Azure AD token (azure_ad_token=..., AZURE_AD_TOKEN)"

    def auth(self, target: Target, call: AnyCall, cfg: Any) -> Auth | None:
        provider = call.ctl.azure_ad_token_provider or getattr(cfg, "azure_ad_token_provider", None)
        if target.api_key or target.azure_ad_token or provider is None:
            return None
        from ..core.auth import BearerProvider

        return BearerProvider(provider)  # asked on every attempt: the provider refreshes its tokens

    def auth_headers(self, target: Target) -> dict[str, str]:
        h: dict[str, str] = {}
        if target.api_key:
            h["api-key"] = target.api_key
        elif target.azure_ad_token:
            h["authorization"] = "Bearer " + target.azure_ad_token
        elif not target.token_flow:
            raise self.missing_key(target)
        if target.headers:
            h.update(target.headers)
        return h

    def url(self, target: Target, path: str) -> str:
        base = cast(str, target.api_base)  # an Azure row has no default: resolve() refuses a call without one
        if base.endswith("/openai/v1"):  # the v1 GA surface: model in the body, no api-version
            return f"{base}/{path}"
        if "/openai/deployments/" in base:
            return f"{base}/{path}"
        return f"{base}/openai/deployments/{target.model}/{path}"

    def query(self, target: Target) -> dict[str, str] | None:
        if cast(str, target.api_base).endswith("/openai/v1"):
            return None
        return {"api-version": cast(str, target.api_version)}  # resolve() sets one for every Azure row

    def account_url(self, target: Target, path: str) -> str:
        base = cast(str, target.api_base)
        if base.endswith("/openai/v1"):
            return f"{base}/{path}"
        root = base.split("/openai/deployments/", 1)[0].rstrip("/")
        if root.endswith("/openai"):
            root = root[: -len("/openai")]
        return f"{root}/openai/{path}"


class AzureAI(Azure):
    """Azure AI Foundry model inference (``azure_ai/``): one endpoint for every deployed model.

    ``{api_base}/chat/completions`` / ``/embeddings`` with the model named in the body (the base is
    ``https://{resource}.services.ai.azure.com/api/models``), the ``api-version`` query, and the
    Azure auth (``api-key`` header, or an Entra ID bearer token / token provider). Fields outside
    the service's standard request body are forwarded with the ``extra-parameters: pass-through``
    header (the service rejects unknown fields by default). Bodies, answers, streams and error
    envelopes are OpenAI-shaped.
    """

    name = "azure_ai"
    key_hint = (
        "AZURE_AI_API_KEY / litegate.azure_ai_key, or an Entra ID token "
        "(azure_ad_token=..., azure_ad_token_provider=...)"
    )

    def url(self, target: Target, path: str) -> str:
        return f"{target.api_base}/{path}"

    def query(self, target: Target) -> dict[str, str] | None:
        return {"api-version": target.api_version} if target.api_version else None

    def account_url(self, target: Target, path: str) -> str:
        return self.url(target, path)

    def _pass_through(self, req: HttpRequest, call: ChatCall | EmbeddingCall) -> HttpRequest:
        if call.extra and not any(k.lower() == "extra-parameters" for k in req.headers):
            req.headers["extra-parameters"] = "pass-through"
        return req

    def chat_request(self, call: ChatCall, target: Target, drop: Drop) -> HttpRequest:
        return self._pass_through(super().chat_request(call, target, drop), call)

    def embedding_request(self, call: EmbeddingCall, target: Target, drop: Drop) -> HttpRequest:
        return self._pass_through(super().embedding_request(call, target, drop), call)


# rows whose stream chunks carry ``usage`` without being asked (Mistral's ``CompletionChunk.usage``)
# and whose closed schema refuses ``stream_options``
USAGE_IN_STREAM = frozenset({"mistral", "codestral"})
# rows with an open schema (unknown fields ignored, so sent as given) whose published request schema
# lacks these OpenAI parameters: with drop_params they are dropped, with a warning (Together's
# ChatCompletionRequest in its openapi.yaml)
SCHEMA_LACKS = {
    "together_ai": frozenset(
        {
            "user",
            "parallel_tool_calls",
            "top_logprobs",
            "stream_options",
            "functions",
            "modalities",
            "audio",
            "prediction",
            "service_tier",
            "store",
        }
    ),
}


class Compatible(OpenAIDialect):
    """One row of the OpenAI-compatible table."""

    def __init__(self, row: CompatProvider):
        self.row = row
        self.name = row.name
        self.unsupported_params = frozenset(row.unsupported_params)
        self.param_renames = dict(row.param_renames)
        self.extra_headers = dict(row.extra_headers)
        self.key_required = row.key_required
        env = " / ".join(row.key_env) or "an api_key"
        self.key_hint = f"{env}" + (f" / litegate.{row.key_settings[0]}" if row.key_settings else "")
        self.max_n = row.max_n
        # no /completions endpoint: legacy text completions go through chat (core/textcompat.py);
        # the other endpoints offered are declared by the row (providers/spec.py)
        self.text_via_chat = "text_completion" not in row.endpoints

    def auth_headers(self, target: Target) -> dict[str, str]:
        h = super().auth_headers(target)
        if target.api_key:
            for name in self.row.key_headers:
                h.setdefault(name, target.api_key)
        return h

    def chat_request(self, call: ChatCall, target: Target, drop: Drop) -> HttpRequest:
        req = super().chat_request(call, target, drop)
        row, body = self.row, req.json
        if row.fixed_params:
            body.update(row.fixed_params)
        cap = row.temperature_max
        if cap is not None and isinstance(body.get("temperature"), (int, float)) and body["temperature"] > cap:
            body["temperature"] = cap
        if row.flatten_content:
            body["messages"] = [_flat_text(m) for m in body["messages"]]
        return req

    def map_params(self, params: dict[str, Any], model: str, drop: Drop | bool | None) -> dict[str, Any]:
        if "stream_options" in params and self.name in USAGE_IN_STREAM:
            # its stream reports usage on its own: not sent, and the usage arrives as asked
            params = {k: v for k, v in params.items() if k != "stream_options"}
        lacks = SCHEMA_LACKS.get(self.name)
        if lacks is not None and drop:
            params = drop_unsupported(self.name, params, [p for p in params if p in lacks], model, drop)
        n = params.get("n")
        if self.max_n is not None and n is not None and n > self.max_n:
            if not drop:
                raise UnsupportedParamsError(
                    message=f"{self.name} supports n <= {self.max_n}, got n={n}. Set drop_params=True to drop it.",
                    model=model,
                    llm_provider=self.name,
                )
            params = {k: v for k, v in params.items() if k != "n"}
        return super().map_params(params, model, drop)


def _flat_text(message: Any) -> Any:
    """``message`` with a text-only content part list joined into one string (a copy; other
    messages, e.g. with images, are left as they are)."""
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, list) or not all(
        isinstance(p, dict) and p.get("type") == "text" and isinstance(p.get("text"), str) for p in content
    ):
        return message
    return {**message, "content": "".join(p["text"] for p in content)}


class OpenAIStreamDecoder(StreamDecoder):
    """Bytes of an OpenAI SSE stream -> ``ModelResponseStream`` chunks (``TextCompletionResponse``
    chunks for a legacy text completion).

    The answer is whole at ``data: [DONE]``, or - when a server ends the stream without that
    optional sentinel - once every choice that started has sent its ``finish_reason``. A stream
    that ends before either is truncated and raises ``APIConnectionError``.
    """

    __slots__ = ("_make", "_empty_choice", "_open", "_finished")
    end_marker = "data: [DONE] or a finish_reason"
    done_sentinel = True

    def __init__(self, provider: str, model: str, text: bool = False):
        super().__init__(provider, model)
        self._open: set[int] = set()  # choice indexes that sent content but no finish_reason yet
        self._finished: set[int] = set()  # choice indexes that sent a finish_reason
        self._make: type[ModelResponseStream] | type[TextCompletionResponse]
        self._empty_choice: dict[str, Any]
        if text:  # legacy completions: chunks are TextCompletionResponse objects
            self._make = TextCompletionResponse
            self._empty_choice = {"index": 0, "text": "", "finish_reason": None}
        else:
            self._make = ModelResponseStream  # what ModelResponse(stream=True, ...) makes
            self._empty_choice = {"index": 0, "delta": {}, "finish_reason": None}

    def complete(self) -> bool:
        return self.done or (bool(self._finished) and not self._open)

    def _convert_into(self, events: list[tuple[str | None, str]], out: list[Chunk]) -> None:
        pending, finished = self._open, self._finished
        for event, data in events:
            if self.done:
                return
            obj = self.event_json(data)
            if obj is None:
                continue
            if event == "error" or ("error" in obj and not obj.get("choices")):
                payload = obj.get("error", obj)
                raise mid_stream_error(
                    payload if isinstance(payload, dict) else {"message": str(payload)},
                    llm_provider=self.provider,
                    model=self.model,
                )
            choices = obj.get("choices")
            if choices:
                for choice in choices:  # which choices are still open (see complete())
                    if choice.__class__ is dict:
                        if choice.get("finish_reason") is None:
                            pending.add(choice.get("index", 0))
                        else:
                            index = choice.get("index", 0)
                            pending.discard(index)
                            finished.add(index)
            else:
                if not obj.get("usage"):
                    continue  # e.g. Azure's prompt_filter_results chunk: nothing to hand on
                # usage-only chunk: keep one (empty) choice so chunk.choices[0] works, as in litellm
                obj["choices"] = [dict(self._empty_choice)]
            out.append(self._make(**obj))  # the class already says it is a stream chunk
