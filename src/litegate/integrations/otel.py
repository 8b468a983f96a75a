"""OpenTelemetry: one span per call and the GenAI client metrics, per the OpenTelemetry GenAI
semantic conventions (``gen_ai.*``; as released before the conventions moved to their own
repository).

Turned on by the callback names ``"otel"``, ``"opentelemetry"`` and ``"traceloop"``. It uses the
TracerProvider and MeterProvider the application configured (the global ones, or those given to
:class:`OpenTelemetryLogger`); it exports nothing by itself. ``opentelemetry-api`` is an optional
dependency (``pip install litegate[otel]``), imported when the integration is first used.

Span ``{gen_ai.operation.name} {gen_ai.request.model}`` (kind CLIENT) started when the call starts
(a child of the span current then) and current while the call runs, so the spans of an
instrumented HTTP client nest under it; it ends with the call (a stream: at its last chunk). The
logger in any callback list records successes and failures (a started span always ends). With the
request parameters, the response id/model/finish
reasons, token usage, ``error.type`` and ERROR status on failure, one event per retry
(``litegate.retry``) and per fallback (``litegate.fallback``), the cost
(``litegate.response_cost``) and the Router's facts from the call's metadata
(``litegate.router.model_group``, ``litegate.router.deployment``, ``litegate.router.model_id``,
``litegate.router.strategy``).
Metrics: ``gen_ai.client.operation.duration``, ``gen_ai.client.token.usage`` (per
``gen_ai.token.type``) and, for streams, ``gen_ai.client.operation.time_to_first_chunk``.

Message content (``gen_ai.input.messages``, ``gen_ai.output.messages``,
``gen_ai.system_instructions``, as JSON strings in the conventions' parts format) is recorded
only when opted in (``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`` or
``OpenTelemetryLogger(capture_content=True)``), and never with ``turn_off_message_logging``.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..core.callbacks import REDACTED
from . import NotConfigured
from .custom_logger import CustomLogger

if TYPE_CHECKING:
    from collections.abc import Sequence
    from contextvars import Token
    from datetime import datetime

    from opentelemetry.context import Context
    from opentelemetry.metrics import Histogram, Meter, MeterProvider
    from opentelemetry.trace import Span, TracerProvider

SCOPE = "litegate"
CONTENT_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"

# litegate provider -> gen_ai.provider.name (well-known values; other providers keep their name)
PROVIDER_NAMES = {
    "openai": "openai",
    "text-completion-openai": "openai",
    "azure": "azure.ai.openai",
    "azure_text": "azure.ai.openai",
    "azure_ai": "azure.ai.inference",
    "anthropic": "anthropic",
    "cohere": "cohere",
    "cohere_chat": "cohere",
    "gemini": "gcp.gemini",
    "vertex_ai": "gcp.vertex_ai",
    "vertex_ai_beta": "gcp.vertex_ai",
    "bedrock": "aws.bedrock",
    "watsonx": "ibm.watsonx.ai",
    "perplexity": "perplexity",
    "xai": "x_ai",
    "deepseek": "deepseek",
    "groq": "groq",
    "mistral": "mistral_ai",
}

# call type -> gen_ai.operation.name (well-known values where one applies)
OPERATIONS = {
    "completion": "chat",
    "acompletion": "chat",
    "text_completion": "text_completion",
    "atext_completion": "text_completion",
    "embedding": "embeddings",
    "aembedding": "embeddings",
}

TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864]
SECONDS_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]

_PARAMS = (
    ("temperature", "gen_ai.request.temperature", float),
    ("top_p", "gen_ai.request.top_p", float),
    ("top_k", "gen_ai.request.top_k", float),
    ("max_tokens", "gen_ai.request.max_tokens", int),
    ("max_completion_tokens", "gen_ai.request.max_tokens", int),
    ("frequency_penalty", "gen_ai.request.frequency_penalty", float),
    ("presence_penalty", "gen_ai.request.presence_penalty", float),
    ("seed", "gen_ai.request.seed", int),
)


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


class OpenTelemetryLogger(CustomLogger):
    """Spans and metrics for every call, on the application's OpenTelemetry providers."""

    env: tuple[str, ...] = ()

    def __init__(
        self,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
        capture_content: bool | None = None,
    ):
        try:
            from opentelemetry import metrics, trace
        except ImportError:
            raise NotConfigured(
                "the opentelemetry-api package is not installed (pip install 'litegate[otel]')"
            ) from None
        from opentelemetry import context

        from ._version_info import version

        self._trace = trace
        self._context = context
        self.tracer = trace.get_tracer(SCOPE, version, tracer_provider=tracer_provider)
        meter = metrics.get_meter(SCOPE, version, meter_provider=meter_provider)
        self.duration = _histogram(
            meter, "gen_ai.client.operation.duration", "s", "GenAI operation duration.", SECONDS_BUCKETS
        )
        self.tokens = _histogram(
            meter, "gen_ai.client.token.usage", "{token}", "Number of input and output tokens used.", TOKEN_BUCKETS
        )
        self.first_chunk = _histogram(
            meter,
            "gen_ai.client.operation.time_to_first_chunk",
            "s",
            "Time to receive the first chunk in a streaming operation.",
            SECONDS_BUCKETS,
        )
        self.capture_content = _truthy(os.environ.get(CONTENT_ENV)) if capture_content is None else capture_content

    @classmethod
    def from_env(cls) -> OpenTelemetryLogger:
        return cls()

    # ------------------------------------------------------------------ the call's scope
    def litegate_enter(self, kwargs: dict[str, Any]) -> None:
        """The call starts: its span starts, a child of the caller's current span, and is the
        current span until the call returns (a stream: until it opened), so spans made meanwhile
        (an HTTP client's instrumentation) are its children. It ends with the outcome hooks."""
        trace = self._trace
        operation = _operation(kwargs.get("call_type") or "completion")
        model = kwargs.get("model") or ""
        span = self.tracer.start_span(
            f"{operation} {model}" if model else operation,
            kind=trace.SpanKind.CLIENT,
            attributes={"gen_ai.operation.name": operation},
        )
        token = self._context.attach(trace.set_span_in_context(span))
        kwargs.setdefault("litegate_otel_spans", {})[id(self)] = [span, token]

    def litegate_leave(self, kwargs: dict[str, Any]) -> None:
        state: list[Any] | None = (kwargs.get("litegate_otel_spans") or {}).get(id(self))
        if state is not None and state[1] is not None:
            token, state[1] = state[1], None
            self._context.detach(token)

    def litegate_drop(self, kwargs: dict[str, Any]) -> None:
        """The call ended with neither outcome (a stream closed before its first chunk)."""
        state: list[Any] | None = (kwargs.get("litegate_otel_spans") or {}).get(id(self))
        if state is not None and state[0] is not None:
            span, state[0] = state[0], None
            span.end()

    def log_success_event(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: datetime, end_time: datetime
    ) -> None:
        self._record(kwargs, response_obj, None)

    def log_failure_event(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: datetime, end_time: datetime
    ) -> None:
        self._record(kwargs, None, response_obj)

    async def async_log_success_event(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: datetime, end_time: datetime
    ) -> None:
        self._record(kwargs, response_obj, None)

    async def async_log_failure_event(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: datetime, end_time: datetime
    ) -> None:
        self._record(kwargs, None, response_obj)

    def litegate_route(self, call_type: str, group: str, strategy: object) -> _RouteSpan:
        """A routed call (Router): one span for it, current while it runs, so each deployment
        attempt's span is its child; attempts are also events on it."""
        trace = self._trace
        operation = _operation(call_type)
        span = self.tracer.start_span(
            f"{operation} {group}",
            kind=trace.SpanKind.CLIENT,
            attributes={
                "gen_ai.operation.name": operation,
                "gen_ai.request.model": str(group),
                "litegate.router.model_group": str(group),
                "litegate.router.strategy": str(strategy or ""),
            },
        )
        return _RouteSpan(self, span, self._context.attach(trace.set_span_in_context(span)))

    # ------------------------------------------------------------------ the span and metrics
    def _record(self, kw: dict[str, Any], response: Any, exc: BaseException | None) -> None:
        data = span_data(kw, response, exc, self.capture_content)
        trace = self._trace
        state: list[Any] | None = (kw.get("litegate_otel_spans") or {}).get(id(self))
        span: Span
        if state is not None and state[0] is not None:  # started with the call (litegate_enter)
            span, state[0] = state[0], None
            span.update_name(data.name)
            span.set_attributes(data.attrs)
        else:  # a call that did not go through the lifecycle's hooks: back-dated
            span = self.tracer.start_span(
                data.name, kind=trace.SpanKind.CLIENT, attributes=data.attrs, start_time=data.start_ns
            )
        for name, at, attrs in data.events:
            span.add_event(name, attrs, timestamp=at)
        if data.error is not None:
            span.set_status(trace.Status(trace.StatusCode.ERROR, data.error))
        span.end(end_time=data.end_ns)

        metric = data.metric
        self.duration.record(data.duration, metric)
        if data.usage_in is not None:
            self.tokens.record(data.usage_in, {**metric, "gen_ai.token.type": "input"})
        if data.usage_out is not None:
            self.tokens.record(data.usage_out, {**metric, "gen_ai.token.type": "output"})
        if data.ttft is not None:
            self.first_chunk.record(data.ttft, metric)


class _RouteSpan:
    __slots__ = ("logger", "span", "token", "attempts")

    def __init__(self, logger: OpenTelemetryLogger, span: Span, token: Token[Context] | None):
        self.logger, self.span, self.token, self.attempts = logger, span, token, 0

    def attempt(self, info: dict[str, Any], exc: BaseException | None) -> None:
        self.attempts += 1
        attrs: dict[str, str | int] = {f"litegate.router.{k}": str(v) for k, v in info.items() if v is not None}
        attrs["litegate.router.attempt"] = self.attempts
        if exc is not None:
            attrs["error.type"] = type(exc).__name__
        self.span.add_event("litegate.router.attempt", attrs)

    def end(self, hidden: dict[str, Any], exc: BaseException | None) -> None:
        span, trace = self.span, self.logger._trace
        deployment = hidden.get("deployment")
        if isinstance(deployment, dict):
            deployment = (deployment.get("litellm_params") or {}).get("model") or deployment.get("model_name")
        for key, value in (
            ("litegate.router.deployment", deployment),
            ("litegate.router.model_id", hidden.get("model_id")),
            ("litegate.fallback_from", hidden.get("fallback_from")),
            ("gen_ai.response.model", hidden.get("model")),
        ):
            if value:
                span.set_attribute(key, str(value))
        span.set_attribute("litegate.attempts", self.attempts)
        if exc is not None:
            span.set_attribute("error.type", type(exc).__name__)
            span.set_status(trace.Status(trace.StatusCode.ERROR, _message(exc)))
        span.end()
        if self.token is not None:
            token, self.token = self.token, None
            self.logger._context.detach(token)


class SpanData:
    """One call as a GenAI span (and the facts its metrics record), independent of any SDK: the
    OpenTelemetry integration hands it to the SDK, the OTLP encoder (integrations/otlp.py) to
    platforms that take OTLP/HTTP."""

    __slots__ = (
        "name",
        "attrs",
        "events",
        "start_ns",
        "end_ns",
        "error",
        "metric",
        "usage_in",
        "usage_out",
        "ttft",
        "duration",
        "trace_id",
        "span_id",
    )

    name: str
    attrs: dict[str, Any]  # span attributes
    events: list[tuple[str, int, dict[str, Any]]]  # (name, Unix ns, attributes)
    start_ns: int | None
    end_ns: int | None
    error: str | None  # the status message of a failed call
    metric: dict[str, str | int]  # the metrics' attributes
    usage_in: int | None
    usage_out: int | None
    ttft: float | None  # seconds to the first chunk (streams)
    duration: float  # seconds
    trace_id: str | None
    span_id: str | None


def span_data(kw: dict[str, Any], response: Any, exc: BaseException | None, capture_content: bool) -> SpanData:
    """The span of one call per the GenAI conventions (content only with ``capture_content`` and
    never with turn_off_message_logging)."""
    slo = _Plain(kw.get("standard_logging_object"))
    provider = slo.get("custom_llm_provider") or kw.get("custom_llm_provider") or ""
    operation = _operation(kw.get("call_type") or "completion")
    requested = _requested_model(kw.get("model") or "", provider)
    base: dict[str, str | int] = {
        "gen_ai.operation.name": operation,
        "gen_ai.provider.name": PROVIDER_NAMES.get(provider, provider or "unknown"),
    }
    if requested:
        base["gen_ai.request.model"] = requested
    address, port = _server(slo.get("api_base") or kw.get("api_base"))
    if address:
        base["server.address"] = address
        if port:
            base["server.port"] = port
    out = SpanData()
    out.name = f"{operation} {requested}" if requested else operation
    out.start_ns = int(slo.get("startTime", 0) * 1e9) or None
    out.end_ns = int(slo.get("endTime", 0) * 1e9) or None
    out.duration = max(0.0, float(slo.get("response_time") or 0.0))
    out.trace_id, out.span_id = slo.get("trace_id") or slo.get("id"), slo.get("id")
    attrs: dict[str, Any] = dict(base)
    params = kw.get("optional_params") or {}
    for name, key, kind in _PARAMS:
        value = params.get(name)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            attrs[key] = kind(value)
    stop = params.get("stop")
    if stop:
        attrs["gen_ai.request.stop_sequences"] = [stop] if isinstance(stop, str) else [str(s) for s in stop]
    n = params.get("n")
    if isinstance(n, int) and n != 1:
        attrs["gen_ai.request.choice.count"] = n
    if kw.get("stream"):
        attrs["gen_ai.request.stream"] = True
    fmt = params.get("response_format")
    if isinstance(fmt, dict) and fmt.get("type") in ("json_object", "json_schema"):
        attrs["gen_ai.output.type"] = "json"
    metadata = kw.get("metadata")
    if not isinstance(metadata, dict):
        metadata = {}
    conversation = metadata.get("conversation_id") or metadata.get("session_id")
    if isinstance(conversation, str):
        attrs["gen_ai.conversation.id"] = conversation
    for field, key in (
        ("model_group", "litegate.router.model_group"),
        ("deployment", "litegate.router.deployment"),
        ("model_id", "litegate.router.model_id"),
        ("routing_strategy", "litegate.router.strategy"),
    ):
        if slo.get(field):
            attrs[key] = str(slo[field])
    if slo.get("fallback_from"):
        attrs["litegate.fallback_from"] = str(slo["fallback_from"])
    if slo.get("attempts"):
        attrs["litegate.attempts"] = int(slo["attempts"])

    metric = dict(base)
    out.usage_in = out.usage_out = out.ttft = out.error = None
    if exc is None:
        if slo.get("response_id"):
            attrs["gen_ai.response.id"] = str(slo["response_id"])
        if slo.get("response_model"):
            attrs["gen_ai.response.model"] = metric["gen_ai.response.model"] = str(slo["response_model"])
        if slo.get("finish_reasons"):
            attrs["gen_ai.response.finish_reasons"] = [str(r) for r in slo["finish_reasons"]]
        usage_in, usage_out = slo.get("prompt_tokens"), slo.get("completion_tokens")
        out.usage_in = int(usage_in) if usage_in is not None else None
        out.usage_out = int(usage_out) if usage_out is not None else None
        if usage_in or usage_out:
            attrs["gen_ai.usage.input_tokens"] = int(usage_in or 0)
            attrs["gen_ai.usage.output_tokens"] = int(usage_out or 0)
        _usage_details(attrs, getattr(response, "usage", None))
        if slo.get("usage_estimated"):
            attrs["litegate.usage_estimated"] = True
        ttft = slo.get("time_to_first_token")
        if kw.get("stream") and isinstance(ttft, (int, float)):
            attrs["gen_ai.response.time_to_first_chunk"] = out.ttft = float(ttft)
        if isinstance(slo.get("response_cost"), (int, float)):
            attrs["litegate.response_cost"] = float(slo["response_cost"])
        if slo.get("cache_hit"):
            attrs["litegate.cache_hit"] = True
    else:
        attrs["error.type"] = metric["error.type"] = type(exc).__name__
        out.error = _message(exc)
    hidden = (kw.get("litellm_params") or {}).get("turn_off_message_logging") or slo.get("messages") == REDACTED
    if capture_content and not hidden:
        _content(attrs, kw, response)
    out.attrs = attrs
    out.metric = metric
    out.events = [
        (f"litegate.{name}", at, {k: v for k, v in data.items() if v is not None})
        for name, at, data in kw.get("litegate_events") or ()
    ]
    return out


_SYNC_NAMES = ("completion", "text_completion", "embedding", "image_generation", "moderation", "rerank")


def _operation(call_type: str) -> str:
    """gen_ai.operation.name of a call type (the async forms are the same operation)."""
    if call_type.startswith("a") and call_type[1:] in _SYNC_NAMES:
        call_type = call_type[1:]
    return OPERATIONS.get(call_type, call_type)


class _Plain:
    """Reads a standard_logging_object as a plain dict (its lazy ``response`` is not needed here)."""

    __slots__ = ("d",)

    def __init__(self, d: Any):
        self.d = d if d is not None else {}

    def get(self, key: str, default: Any = None) -> Any:
        return dict.get(self.d, key, default)

    def __getitem__(self, key: str) -> Any:
        return dict.__getitem__(self.d, key)


def _histogram(meter: Meter, name: str, unit: str, description: str, buckets: Sequence[float]) -> Histogram:
    try:
        return meter.create_histogram(
            name, unit=unit, description=description, explicit_bucket_boundaries_advisory=buckets
        )
    except TypeError:  # an opentelemetry-api without bucket advice
        return meter.create_histogram(name, unit=unit, description=description)


def _requested_model(model: str, provider: str) -> str:
    if provider and model.startswith(provider + "/"):
        return model[len(provider) + 1 :]
    return model


_SERVERS: dict[str, tuple[str | None, int | None]] = {}


def _server(api_base: Any) -> tuple[str | None, int | None]:
    if not isinstance(api_base, str) or not api_base:
        return None, None
    hit = _SERVERS.get(api_base)
    if hit is None:
        if len(_SERVERS) > 256:
            _SERVERS.clear()
        hit = _SERVERS[api_base] = _parse_server(api_base)
    return hit


def _parse_server(api_base: str) -> tuple[str | None, int | None]:
    try:
        parts = urlsplit(api_base)
        port = parts.port or (443 if parts.scheme == "https" else 80 if parts.scheme == "http" else None)
        return parts.hostname, port
    except ValueError:
        return None, None


def _usage_details(attrs: dict[str, Any], usage: Any) -> None:
    if usage is None:
        return
    prompt = getattr(usage, "prompt_tokens_details", None)
    cached = getattr(prompt, "cached_tokens", None) if prompt is not None else None
    if isinstance(cached, int) and cached:
        attrs["gen_ai.usage.cache_read.input_tokens"] = cached
    created = getattr(usage, "cache_creation_input_tokens", None)
    if isinstance(created, int) and created:
        attrs["gen_ai.usage.cache_creation.input_tokens"] = created
    completion = getattr(usage, "completion_tokens_details", None)
    reasoning = getattr(completion, "reasoning_tokens", None) if completion is not None else None
    if isinstance(reasoning, int) and reasoning:
        attrs["gen_ai.usage.reasoning.output_tokens"] = reasoning


def _message(exc: BaseException) -> str:
    from ..core.redact import redact

    return redact(f"{type(exc).__name__}: {exc}")[:500]


def _parts(content: Any) -> list[dict[str, Any]]:
    if content is None:
        return []
    if isinstance(content, str):
        return [{"type": "text", "content": content}]
    out = []
    for part in content if isinstance(content, list) else [content]:
        if isinstance(part, dict) and part.get("type") == "text":
            out.append({"type": "text", "content": part.get("text", "")})
        elif isinstance(part, dict):
            out.append({"type": str(part.get("type") or "unknown")})  # media is not copied into telemetry
        else:
            out.append({"type": "text", "content": str(part)})
    return out


def _tool_calls(calls: Any) -> list[dict[str, Any]]:
    out = []
    for tc in calls or ():
        get = tc.get if isinstance(tc, dict) else (lambda k, _tc=tc: getattr(_tc, k, None))
        fn = get("function") or {}
        fget = fn.get if isinstance(fn, dict) else (lambda k, _fn=fn: getattr(_fn, k, None))
        args = fget("arguments")
        try:
            args = json.loads(args) if isinstance(args, str) else args
        except ValueError:
            pass
        out.append({"type": "tool_call", "id": get("id"), "name": fget("name"), "arguments": args})
    return out


def _content(attrs: dict[str, Any], kw: dict[str, Any], response: Any) -> None:
    """The opt-in content attributes, as JSON strings (span attributes cannot nest)."""
    messages = kw.get("messages")
    if isinstance(messages, list):
        system, inputs = [], []
        for m in messages:
            if not isinstance(m, dict):
                continue
            role = m.get("role")
            if role == "system":
                system.extend(_parts(m.get("content")))
                continue
            parts = _parts(m.get("content"))
            if role == "tool":
                parts = [{"type": "tool_call_response", "id": m.get("tool_call_id"), "result": m.get("content")}]
            parts.extend(_tool_calls(m.get("tool_calls")))
            inputs.append({"role": role, "parts": parts})
        if system:
            attrs["gen_ai.system_instructions"] = json.dumps(system, default=str)
        attrs["gen_ai.input.messages"] = json.dumps(inputs, default=str)
    if response is not None:
        outputs = []
        for choice in getattr(response, "choices", None) or ():
            message = getattr(choice, "message", None)
            if message is None:
                continue
            parts = _parts(getattr(message, "content", None)) + _tool_calls(getattr(message, "tool_calls", None))
            outputs.append(
                {"role": "assistant", "parts": parts, "finish_reason": getattr(choice, "finish_reason", None) or "stop"}
            )
        if outputs:
            attrs["gen_ai.output.messages"] = json.dumps(outputs, default=str)


__all__ = ["OpenTelemetryLogger", "PROVIDER_NAMES", "OPERATIONS", "SpanData", "span_data"]
