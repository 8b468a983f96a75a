"""AWS Bedrock (``bedrock/<model id>``): one dialect that routes each model to its Bedrock API.

=====================================================  ==========================================
model string                                           API
=====================================================  ==========================================
``bedrock/anthropic.claude-...`` (also ``us.`` ...)    InvokeModel, Anthropic Messages body
``bedrock/invoke/<id>``                                InvokeModel (Claude only, for chat)
``bedrock/converse/<id>``, any other chat model        Converse / ConverseStream
embedding models (Titan text, Cohere embed)            InvokeModel
image models (Stability, Titan Image, Nova Canvas)     InvokeModel
=====================================================  ==========================================

Addressing: ``https://bedrock-runtime.{region}.amazonaws.com/model/{modelId}/{operation}`` with
the model id URL-encoded (``:`` -> ``%3A``); ``aws_bedrock_runtime_endpoint=`` per call,
``litegate.aws_bedrock_runtime_endpoint``, ``api_base=`` or ``AWS_BEDROCK_RUNTIME_ENDPOINT``
replace the host. Cross-region inference profiles (``us.``, ``eu.``, ``apac.``, ``global.`` ...)
are model ids like any other; their prices are in the registry under the full id.

Auth (per attempt, :mod:`litegate.providers.aws.credentials`): a Bedrock API key -- ``api_key=``
per call or ``AWS_BEARER_TOKEN_BEDROCK`` -- is sent as ``Authorization: Bearer``; otherwise the
request is signed with SigV4 (service ``bedrock``) over its final bytes on every attempt.

Errors are read from ``x-amzn-ErrorType`` (core/errors.py): ThrottlingException and
ModelNotReadyException (429) -> RateLimitError, ValidationException about input length ->
ContextWindowExceededError, AccessDeniedException -> PermissionDeniedError, SigV4 failures ->
AuthenticationError, ServiceUnavailableException -> ServiceUnavailableError (retried), and the
same for exceptions met inside an event stream.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ...core.call import EmbeddingCall
from ...core.http import HttpRequest, HttpResponse
from ...core.remote_media import Media, Pending, is_remote
from ...core.resolve import env_value
from ..aws.credentials import CONTROL_KEYS, AwsSigV4, aws_params, settings_source
from ..base import Dialect, drop_unsupported, plain
from . import converse
from .invoke import (
    REGION_PREFIXES,
    BedrockAnthropic,
    base_model,
    embedding_body,
    image_body,
    parse_embedding,
    parse_image,
)

if TYPE_CHECKING:
    from ...core.auth import Auth
    from ...types.media import ImageResponse
    from ...types.utils import EmbeddingResponse, ModelResponse
    from ..base import StreamDecoder

__all__ = ["Bedrock", "route_of", "REGION_PREFIXES"]

ENDPOINT_ENV = ("AWS_BEDROCK_RUNTIME_ENDPOINT",)
BEARER_ENV = ("AWS_BEARER_TOKEN_BEDROCK",)
_ROUTES = ("converse", "invoke")


def route_of(model: str) -> tuple[str, str]:
    """(``"converse"`` | ``"invoke"``, model id) for a chat model string after ``bedrock/``."""
    head, sep, rest = model.partition("/")
    if sep and head in _ROUTES:
        return head, rest
    if base_model(model).startswith("anthropic.claude"):
        return "invoke", model
    return "converse", model


class Bedrock(Dialect):
    """AWS Bedrock Runtime (Converse, ConverseStream, InvokeModel, InvokeModelWithResponseStream)."""

    name = "bedrock"
    key_hint = "AWS credentials (aws_access_key_id= / AWS_ACCESS_KEY_ID, a profile or role) or AWS_BEARER_TOKEN_BEDROCK"
    kept_headers = ("x-amzn-requestid", "x-amzn-bedrock-", "retry-after")

    def __init__(self) -> None:
        self.claude = BedrockAnthropic()

    # ------------------------------------------------------------------ per-call steps
    def prepare(self, target: Any, cfg: Any = None, call: Any = None) -> None:
        if target.meta is not None:
            return
        extra = getattr(call, "extra", None) or {}
        settings = settings_source(cfg)
        params = aws_params(extra, settings, getattr(call, "model", None))
        route, model_id = route_of(target.model)
        if not model_id or "/" in model_id and not model_id.startswith("arn:"):
            from ..base import bad_input

            raise bad_input(f"bedrock: {model_id!r} is not a Bedrock model id", getattr(call, "model", target.model))
        target.model = model_id
        endpoint = (
            extra.get("aws_bedrock_runtime_endpoint")
            or getattr(settings, "aws_bedrock_runtime_endpoint", None)
            or target.api_base
            or env_value(ENDPOINT_ENV)
        )
        target.api_base = (endpoint or f"https://bedrock-runtime.{params.region}.amazonaws.com").rstrip("/")
        bearer = getattr(getattr(call, "ctl", None), "api_key", None) or env_value(BEARER_ENV)
        target.meta = {"route": route, "params": params, "bearer": bearer}
        if bearer:
            from ...core.redact import register_secret

            register_secret(bearer)

    def auth(self, target: Any, call: Any, cfg: Any) -> Auth | None:
        meta = target.meta or {}
        inner: AwsSigV4 | None
        if meta.get("bearer") or any(k.lower() == "authorization" for k in target.headers or ()):
            inner = None
        else:
            inner = AwsSigV4(meta["params"], "bedrock", self.name, target.model)
        if isinstance(call, EmbeddingCall):
            from .invoke import TitanEachText, titan_side_bodies

            bodies = titan_side_bodies(
                dataclasses.replace(call, extra=self.body_extra(call)),
                target.model,
                call.ctl.drop_params if call.ctl.drop_params is not None else getattr(cfg, "drop_params", None),
            )
            if bodies:
                return TitanEachText(self, target, bodies, inner)
        elif meta.get("route") in ("converse", "invoke") and _has_remote_images(getattr(call, "messages", None)):
            from ...core.remote_media import FetchFirst

            return FetchFirst(inner, call.model)  # image URLs downloaded, then signed as usual
        return inner

    # ------------------------------------------------------------------ helpers
    def url(self, target: Any, operation: str) -> str:
        return f"{target.api_base}/model/{quote(target.model, safe='')}/{operation}"

    def headers(self, target: Any, stream: bool = False) -> dict[str, str]:
        h = {
            "content-type": "application/json",
            "accept": "application/vnd.amazon.eventstream" if stream else "application/json",
        }
        bearer = (target.meta or {}).get("bearer")
        if bearer:
            h["authorization"] = "Bearer " + bearer
        h.update({k: v for k, v in (target.headers or {}).items() if k.lower() != "anthropic-beta"})
        return h

    @staticmethod
    def body_extra(call: Any) -> dict[str, Any]:
        extra: dict[str, Any] = call.extra or {}
        if any(k in CONTROL_KEYS for k in extra):
            return {k: v for k, v in extra.items() if k not in CONTROL_KEYS}
        return extra

    def _route(self, target: Any) -> str:
        route: str = (target.meta or {}).get("route", "converse")
        return route

    # ------------------------------------------------------------------ chat
    def supported_openai_params(self, model: str) -> list[str]:
        route, model_id = route_of(model)
        if route == "invoke":
            return self.claude.supported_openai_params(model_id)
        return [p for p in converse.SUPPORTED if p != "reasoning_effort" or converse.is_claude(model_id)]

    def chat_request(self, call: Any, target: Any, drop: Any) -> HttpRequest:
        import dataclasses

        stream = bool(call.stream)
        clean = dataclasses.replace(call, extra=self.body_extra(call))
        if self._route(target) == "invoke":
            if not converse.is_claude(base_model(target.model)):
                raise self.refuse_invoke(target, call)
            body = _url_images_as_pending(self.claude.chat_body(clean, target, drop))
            op = "invoke-with-response-stream" if stream else "invoke"
            return HttpRequest("POST", self.url(target, op), self.headers(target, stream), body)
        params = dict(call.params or {})
        bad = converse.unsupported(params, target.model)
        if bad:
            params = drop_unsupported(self.name, params, bad, call.model, drop)
        body = converse.request_body(clean, target.model, params, clean.extra or {})
        op = "converse-stream" if stream else "converse"
        return HttpRequest("POST", self.url(target, op), self.headers(target, stream), body)

    def refuse_invoke(self, target: Any, call: Any) -> Exception:
        from ..base import bad_input

        return bad_input(
            f"bedrock: chat through InvokeModel is available for Claude models only; use "
            f"'bedrock/converse/{target.model}' for {target.model!r}",
            call.model,
        )

    def parse_chat(self, resp: HttpResponse, call: Any, target: Any) -> ModelResponse:
        if self._route(target) == "invoke":
            out = self.claude.parse_chat(resp, call, target)
            out.model = target.model
            return out
        data = self.json_body(resp, target, "output")
        try:
            return converse.parse_response(data, call, target.model, resp.headers.get("x-amzn-requestid"))
        except ValueError as exc:
            raise self.invalid(str(exc), target) from None

    def stream_decoder(self, call: Any, target: Any) -> StreamDecoder:
        if self._route(target) == "invoke":
            return self.claude.stream_decoder(call, target)
        params = call.params or {}
        so = params.get("stream_options")
        return converse.ConverseStreamDecoder(
            target.model, isinstance(so, dict) and so.get("include_usage") is True, converse.uses_json_tool(params)
        )

    def prefill_text(self, text: str) -> str:
        return text.rstrip()

    # ------------------------------------------------------------------ embeddings and images
    def embedding_request(self, call: Any, target: Any, drop: Any) -> HttpRequest:
        import dataclasses

        body = embedding_body(dataclasses.replace(call, extra=self.body_extra(call)), target.model, drop)
        return HttpRequest("POST", self.url(target, "invoke"), self.headers(target), body)

    def parse_embedding(self, resp: HttpResponse, call: Any, target: Any) -> EmbeddingResponse:
        data = self.json_body(resp, target)
        return parse_embedding(
            data, call, target.model, lambda m: self.invalid(m, target), (target.meta or {}).get("titan_before")
        )

    def image_generation_request(self, call: Any, target: Any, drop: Any) -> HttpRequest:
        import dataclasses

        body = image_body(dataclasses.replace(call, extra=self.body_extra(call)), target.model, drop)
        return HttpRequest("POST", self.url(target, "invoke"), self.headers(target), body)

    def parse_image_generation(self, resp: HttpResponse, call: Any, target: Any) -> ImageResponse:
        data = self.json_body(resp, target)
        return parse_image(data, target.model, lambda m: self.invalid(m, target))

    # ------------------------------------------------------------------ errors
    def embedded_error(self, data: dict[str, Any], resp: HttpResponse, target: Any) -> Exception | None:
        if self._route(target) == "invoke" and (data.get("type") == "error" or "error" in data):
            return self.claude.embedded_error(data, resp, target)
        return None


def _claude_image_source(media: Media) -> dict[str, Any]:
    return {"type": "base64", "media_type": media.media_type, "data": media.base64}


def _url_images_as_pending(body: dict[str, Any]) -> dict[str, Any]:
    """Claude on Bedrock (InvokeModel) takes images as base64 only: the Anthropic translator's
    ``{"type": "url"}`` image sources become placeholders that the ``FetchFirst`` flow downloads
    (bounded, see ``core.remote_media``) and fills before the request is signed."""
    for message in body.get("messages") or ():
        content = message.get("content") if isinstance(message, dict) else None
        for block in content if isinstance(content, list) else ():
            source = block.get("source") if isinstance(block, dict) and block.get("type") == "image" else None
            if isinstance(source, dict) and source.get("type") == "url" and is_remote(source.get("url")):
                block["source"] = Pending(source["url"], _claude_image_source)
    return body


def _has_remote_images(messages: Any) -> bool:
    """Whether OpenAI-shaped ``messages`` hold an ``image_url`` part with an ``http(s)`` URL."""
    for message in messages or ():
        message = plain(message)
        content = message.get("content") if isinstance(message, dict) else None
        for part in content if isinstance(content, list) else ():
            part = plain(part)
            if isinstance(part, dict) and part.get("type") == "image_url":
                image = part.get("image_url")
                if is_remote(image.get("url") if isinstance(image, dict) else image):
                    return True
    return False
