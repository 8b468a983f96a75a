"""Amazon SageMaker endpoints (``sagemaker/<endpoint name>``) serving Hugging Face's Text
Generation Inference container.

``POST https://runtime.sagemaker.{region}.amazonaws.com/endpoints/{name}/invocations`` with TGI's
``{"inputs": <prompt>, "parameters": {...}}`` (the same body as Hugging Face's native route:
:func:`~litegate.providers.huggingface.tgi_body`, prompt templates included), answered with a
list of ``GenerateResponse``; streamed through ``/invocations-response-stream``
(``"stream": true`` in the body), whose event-stream ``PayloadPart`` bytes carry the container's
own SSE -- parts are joined and re-split by the SSE framer, then read by TGI's stream decoder.
Signed with SigV4 (service ``sagemaker``) on every attempt, with the same AWS credential and
region rules as Bedrock (:mod:`litegate.providers.aws.credentials`); ``api_base`` or
``aws_sagemaker_runtime_endpoint`` replaces the host. Errors come from ``x-amzn-ErrorType``
(``ModelError`` 424 carries the container's ``OriginalMessage``); in-stream ``ModelStreamError`` /
``InternalStreamFailure`` raise.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..core.framing import SSEFramer
from ..core.http import HttpRequest, HttpResponse
from .aws.credentials import CONTROL_KEYS, AwsSigV4, aws_params, settings_source
from .aws.eventstream import EventStreamFramer, stream_exception
from .base import Dialect, bad_input
from .huggingface import TGIStreamDecoder, parse_generated, prompt_tokens, tgi_body

if TYPE_CHECKING:
    from ..core.auth import Auth
    from ..core.call import ChatCall
    from ..core.resolve import Target
    from ..types.utils import ModelResponse
    from .aws.eventstream import EventMessage
    from .base import AnyCall, Drop


__all__ = ["SageMaker", "PayloadPartFramer"]

_CONTROL = CONTROL_KEYS | {"aws_sagemaker_runtime_endpoint"}


class PayloadPartFramer:
    """InvokeEndpointWithResponseStream bytes -> the container's SSE items: the ``PayloadPart``
    bytes are fed, in order, to an SSE framer (a part may hold any slice of the container's
    stream); an exception message is raised after the items before it."""

    __slots__ = ("_frames", "_sse", "_error")

    def __init__(self) -> None:
        self._frames = EventStreamFramer()
        self._sse = SSEFramer()
        self._error: Exception | None = None

    def _items(self, messages: list[EventMessage]) -> list[tuple[str | None, str]]:
        from ..core.jsonutil import loads

        out: list[tuple[str | None, str]] = []
        for msg in messages:
            if msg.message_type in ("exception", "error"):
                self._error = stream_exception(msg, "sagemaker", "")
                break
            if msg.event_type == "PayloadPart":
                try:
                    part = loads(msg.payload)
                except ValueError:
                    part = None
                import base64

                if not isinstance(part, dict) or not isinstance(part.get("Bytes"), str):
                    from ..exceptions import APIResponseValidationError

                    raise APIResponseValidationError(message="event stream: a PayloadPart without base64 'Bytes'")
                out += self._sse.feed(base64.b64decode(part["Bytes"]))
        if self._error is not None and not out:
            raise self._error
        return out

    def feed(self, data: bytes) -> list[tuple[str | None, str]]:
        if self._error is not None:
            raise self._error
        return self._items(self._frames.feed(data))

    def flush(self) -> list[tuple[str | None, str]]:
        if self._error is not None:
            raise self._error
        return self._items(self._frames.flush()) + self._sse.flush()


class SageMaker(Dialect):
    name = "sagemaker"
    key_hint = "AWS credentials (aws_access_key_id= / AWS_ACCESS_KEY_ID, a profile or role)"
    kept_headers = ("x-amzn-requestid", "x-amzn-invoked-production-variant", "retry-after")

    def prepare(self, target: Target, cfg: Any = None, call: AnyCall | None = None) -> None:
        if target.meta is not None:
            return
        extra = getattr(call, "extra", None) or {}
        params = aws_params(extra, settings_source(cfg), getattr(call, "model", None))
        if not target.model or "/" in target.model:
            raise bad_input(f"sagemaker: {target.model!r} is not an endpoint name", getattr(call, "model", None))
        endpoint = extra.get("aws_sagemaker_runtime_endpoint") or target.api_base
        target.api_base = (endpoint or f"https://runtime.sagemaker.{params.region}.amazonaws.com").rstrip("/")
        target.meta = {"params": params}

    def auth(self, target: Target, call: AnyCall, cfg: Any) -> Auth | None:
        if any(k.lower() == "authorization" for k in target.headers or ()):
            return None
        return AwsSigV4((target.meta or {})["params"], "sagemaker", self.name, target.model)

    def chat_request(self, call: ChatCall, target: Target, drop: Drop) -> HttpRequest:
        extra = {k: v for k, v in (call.extra or {}).items() if k not in _CONTROL}
        body = tgi_body(self.name, dataclasses.replace(call, extra=extra), target, drop)
        op = "invocations"
        headers = {"content-type": "application/json", "accept": "application/json"}
        if call.stream:
            body["stream"] = True
            op = "invocations-response-stream"
            headers = {"content-type": "application/json", "x-amzn-sagemaker-accept": "text/event-stream"}
        headers.update(target.headers or {})
        return HttpRequest("POST", f"{target.api_base}/endpoints/{quote(target.model, safe='')}/{op}", headers, body)

    def parse_chat(self, resp: HttpResponse, call: ChatCall, target: Target) -> ModelResponse:
        from ..core.jsonutil import loads

        try:
            data = loads(resp.content)
        except ValueError:
            raise self.invalid(f"returned a body that is not JSON: {resp.text[:200]!r}", target) from None
        return parse_generated(data, call, target, self.invalid)

    def stream_decoder(self, call: ChatCall, target: Target) -> TGIStreamDecoder:
        so = (call.params or {}).get("stream_options")
        return TGIStreamDecoder(
            target.model,
            isinstance(so, dict) and so.get("include_usage") is True,
            prompt_tokens(call, target),
            provider=self.name,
            framer=PayloadPartFramer(),
        )
