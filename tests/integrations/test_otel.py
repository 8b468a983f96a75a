"""OpenTelemetry integration: spans and metrics per the GenAI semantic conventions, checked with
the OpenTelemetry SDK's in-memory exporters (reference: otel-genai model/gen-ai/*.yaml)."""

from __future__ import annotations

import json

import pytest

import litegate


class _Lazy:
    """A module or class imported on first use: the OpenTelemetry SDK (a "test" extra) is loaded
    when these tests run, not when the suite is collected (it would make every other test's
    garbage collections slower)."""

    def __init__(self, module: str, attr: str | None = None):
        self._where = (module, attr)

    def _target(self):
        import importlib

        module, attr = self._where
        obj = importlib.import_module(module)
        return getattr(obj, attr) if attr else obj

    def __getattr__(self, name):
        if name.startswith(("_", "pytest")):  # pytest's collection looks for markers: not an import
            raise AttributeError(name)
        return getattr(self._target(), name)

    def __call__(self, *args, **kwargs):
        return self._target()(*args, **kwargs)


trace = _Lazy("opentelemetry.trace")
metrics = _Lazy("opentelemetry.metrics")
MeterProvider = _Lazy("opentelemetry.sdk.metrics", "MeterProvider")
InMemoryMetricReader = _Lazy("opentelemetry.sdk.metrics.export", "InMemoryMetricReader")
TracerProvider = _Lazy("opentelemetry.sdk.trace", "TracerProvider")
SimpleSpanProcessor = _Lazy("opentelemetry.sdk.trace.export", "SimpleSpanProcessor")
InMemorySpanExporter = _Lazy("opentelemetry.sdk.trace.export.in_memory_span_exporter", "InMemorySpanExporter")

from litegate.integrations.otel import OpenTelemetryLogger

MODEL = "openai/gpt-4o-mini"
KEY = "sk-otel-secret-0123456789"
MSGS = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "secret plans"}]

_GLOBAL: dict = {}


def _global_providers():
    """The application's providers, set once per process as an application would."""
    if not _GLOBAL:
        exporter = InMemorySpanExporter()
        tp = TracerProvider()
        tp.add_span_processor(SimpleSpanProcessor(exporter))
        reader = InMemoryMetricReader()
        trace.set_tracer_provider(tp)
        metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
        _GLOBAL.update(exporter=exporter, reader=reader)
    _GLOBAL["exporter"].clear()
    _GLOBAL["reader"].get_metrics_data()
    return _GLOBAL["exporter"], _GLOBAL["reader"]


@pytest.fixture
def otel():
    exporter = InMemorySpanExporter()
    tp = TracerProvider()
    tp.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    mp = MeterProvider(metric_readers=[reader])
    return OpenTelemetryLogger(tracer_provider=tp, meter_provider=mp), exporter, reader


def _kw(server, **extra):
    return {"api_base": server.base_url, "api_key": KEY, **extra}


def _points(reader) -> dict:
    out: dict = {}
    data = reader.get_metrics_data()
    for rm in data.resource_metrics if data else ():
        for sm in rm.scope_metrics:
            for m in sm.metrics:
                for p in m.data.data_points:
                    out.setdefault(m.name, []).append(
                        (dict(p.attributes), p.sum, p.count, m.unit, list(p.explicit_bounds))
                    )
    return out


def test_chat_span_attributes_and_metrics(server, otel):
    logger, exporter, reader = otel
    litegate.callbacks = [logger]
    resp = litegate.completion(
        model=MODEL, messages=MSGS, temperature=0.5, max_tokens=50, top_p=0.9, stop=["END"], seed=7, **_kw(server)
    )
    (span,) = exporter.get_finished_spans()
    assert span.name == "chat gpt-4o-mini"
    assert span.kind == trace.SpanKind.CLIENT
    a = dict(span.attributes)
    assert a["gen_ai.operation.name"] == "chat"
    assert a["gen_ai.provider.name"] == "openai"
    assert a["gen_ai.request.model"] == "gpt-4o-mini"
    assert a["gen_ai.response.model"] == resp.model
    assert a["gen_ai.response.id"] == resp.id
    assert a["gen_ai.response.finish_reasons"] == ("stop",)
    assert a["gen_ai.usage.input_tokens"] == resp.usage.prompt_tokens
    assert a["gen_ai.usage.output_tokens"] == resp.usage.completion_tokens
    assert a["gen_ai.request.temperature"] == 0.5 and a["gen_ai.request.top_p"] == 0.9
    assert a["gen_ai.request.max_tokens"] == 50 and a["gen_ai.request.seed"] == 7
    assert a["gen_ai.request.stop_sequences"] == ("END",)
    assert a["server.address"] == "127.0.0.1" and a["server.port"] == server.port
    assert a["litegate.response_cost"] == pytest.approx(resp._hidden_params["response_cost"])
    assert "gen_ai.request.stream" not in a and "error.type" not in a
    assert "gen_ai.input.messages" not in a and "gen_ai.output.messages" not in a  # content is opt-in
    assert span.status.status_code == trace.StatusCode.UNSET
    assert span.end_time >= span.start_time
    assert KEY not in repr(a)

    points = _points(reader)
    (duration,) = points["gen_ai.client.operation.duration"]
    attrs, total, count, unit, bounds = duration
    assert unit == "s" and count == 1 and total >= 0
    assert bounds[:3] == [0.01, 0.02, 0.04]
    assert attrs["gen_ai.operation.name"] == "chat" and attrs["gen_ai.provider.name"] == "openai"
    assert attrs["gen_ai.request.model"] == "gpt-4o-mini" and attrs["gen_ai.response.model"] == resp.model
    tokens = {p[0]["gen_ai.token.type"]: p for p in points["gen_ai.client.token.usage"]}
    assert tokens["input"][1] == resp.usage.prompt_tokens and tokens["input"][3] == "{token}"
    assert tokens["output"][1] == resp.usage.completion_tokens
    assert tokens["input"][4][:3] == [1, 4, 16]
    assert "gen_ai.client.operation.time_to_first_chunk" not in points


def test_stream_span_has_time_to_first_chunk_and_metric(server, otel):
    logger, exporter, reader = otel
    litegate.success_callback = [logger]
    for _ in litegate.completion(model=MODEL, messages=MSGS, stream=True, **_kw(server)):
        pass
    (span,) = exporter.get_finished_spans()
    a = dict(span.attributes)
    assert a["gen_ai.request.stream"] is True
    ttft = a["gen_ai.response.time_to_first_chunk"]
    assert 0 <= ttft <= (span.end_time - span.start_time) / 1e9
    assert a["gen_ai.usage.output_tokens"] > 0
    points = _points(reader)
    ((attrs, total, count, unit, _),) = points["gen_ai.client.operation.time_to_first_chunk"]
    assert count == 1 and unit == "s" and total == pytest.approx(ttft)


def test_error_span_status_error_type_and_retry_events(server, otel, fast_backoff):
    logger, exporter, reader = otel
    litegate.failure_callback = [logger]
    server.enqueue_error(status=429, count=3)
    with pytest.raises(litegate.RateLimitError):
        litegate.completion(model=MODEL, messages=MSGS, num_retries=2, **_kw(server))
    (span,) = exporter.get_finished_spans()
    assert span.status.status_code == trace.StatusCode.ERROR
    assert "RateLimitError" in span.status.description
    assert span.attributes["error.type"] == "RateLimitError"
    retries = [e for e in span.events if e.name == "litegate.retry"]
    assert [e.attributes["attempt"] for e in retries] == [1, 2]
    assert all(e.attributes["error.type"] == "RateLimitError" for e in retries)
    assert all(span.start_time <= e.timestamp <= span.end_time for e in retries)
    ((attrs, _, count, _, _),) = _points(reader)["gen_ai.client.operation.duration"]
    assert attrs["error.type"] == "RateLimitError" and count == 1


def test_fallback_is_an_event_and_attributes_name_both_models(server, otel):
    logger, exporter, _ = otel
    litegate.callbacks = [logger]
    server.enqueue_error(status=400, body={"error": {"message": "bad", "type": "invalid_request_error"}})
    resp = litegate.completion(
        model=MODEL,
        messages=MSGS,
        num_retries=0,
        fallbacks=[{"model": "openai/gpt-4o", "api_base": server.base_url, "api_key": KEY}],
        **_kw(server),
    )
    (span,) = exporter.get_finished_spans()
    (event,) = [e for e in span.events if e.name == "litegate.fallback"]
    assert event.attributes["from"] == MODEL and event.attributes["to"] == "openai/gpt-4o"
    a = dict(span.attributes)
    assert a["gen_ai.request.model"] == "gpt-4o-mini"
    assert a["gen_ai.response.model"] == resp.model
    assert a["litegate.fallback_from"] == MODEL
    assert a["litegate.attempts"] == 2


def test_content_only_when_opted_in_and_never_with_turn_off_message_logging(server, otel, monkeypatch):
    _, exporter, reader = otel
    tp = TracerProvider()
    tp.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")
    logger = OpenTelemetryLogger(
        tracer_provider=tp, meter_provider=MeterProvider(metric_readers=[InMemoryMetricReader()])
    )
    litegate.callbacks = [logger]
    resp = litegate.completion(model=MODEL, messages=MSGS, **_kw(server))
    (span,) = exporter.get_finished_spans()
    assert json.loads(span.attributes["gen_ai.system_instructions"]) == [{"type": "text", "content": "be brief"}]
    assert json.loads(span.attributes["gen_ai.input.messages"]) == [
        {"role": "user", "parts": [{"type": "text", "content": "secret plans"}]}
    ]
    out = json.loads(span.attributes["gen_ai.output.messages"])
    assert out == [
        {
            "role": "assistant",
            "parts": [{"type": "text", "content": resp.choices[0].message.content}],
            "finish_reason": "stop",
        }
    ]
    exporter.clear()
    litegate.turn_off_message_logging = True
    litegate.completion(model=MODEL, messages=MSGS, **_kw(server))
    (span,) = exporter.get_finished_spans()
    names = set(span.attributes)
    assert not names & {"gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.system_instructions"}
    assert "secret plans" not in repr(dict(span.attributes))


def test_router_metadata_becomes_span_attributes(server, otel):
    logger, exporter, _ = otel
    litegate.callbacks = [logger]
    litegate.completion(
        model=MODEL,
        messages=MSGS,
        **_kw(server),
        metadata={
            "model_group": "small",
            "deployment": "openai/gpt-4o-mini",
            "model_info": {"id": "d-42"},
            "session_id": "conv-9",
            "routing_strategy": "least-busy",
        },
    )
    a = dict(exporter.get_finished_spans()[0].attributes)
    assert a["litegate.router.model_group"] == "small"
    assert a["litegate.router.deployment"] == "openai/gpt-4o-mini"
    assert a["litegate.router.model_id"] == "d-42"
    assert a["litegate.router.strategy"] == "least-busy"
    assert a["gen_ai.conversation.id"] == "conv-9"


def test_embeddings_operation_name(server, otel):
    logger, exporter, reader = otel
    litegate.success_callback = [logger]
    litegate.embedding(model="openai/text-embedding-3-small", input=["hello"], **_kw(server))
    (span,) = exporter.get_finished_spans()
    assert span.name == "embeddings text-embedding-3-small"
    assert span.attributes["gen_ai.operation.name"] == "embeddings"


async def test_named_otel_uses_the_applications_global_providers_and_parents_under_its_span(server):
    exporter, reader = _global_providers()
    litegate.callbacks = ["otel"]
    tracer = trace.get_tracer("app")
    with tracer.start_as_current_span("handler") as parent:
        await litegate.acompletion(model=MODEL, messages=MSGS, **_kw(server))
    spans = {s.name: s for s in exporter.get_finished_spans()}
    child = spans["chat gpt-4o-mini"]
    assert child.parent is not None and child.parent.span_id == parent.get_span_context().span_id
    assert child.context.trace_id == parent.get_span_context().trace_id
    assert "gen_ai.client.operation.duration" in _points(reader)
    assert litegate.integrations.named("traceloop") is litegate.integrations.named("otel")


async def test_a_stream_span_is_a_child_of_the_context_where_the_call_started(server, otel):
    logger, exporter, _ = otel
    litegate.callbacks = [logger]
    tracer = logger.tracer
    with tracer.start_as_current_span("handler") as parent:
        stream = await litegate.acompletion(model=MODEL, messages=MSGS, stream=True, **_kw(server))
    with tracer.start_as_current_span("elsewhere"):  # consumed under another span
        async for _ in stream:
            pass
    import asyncio

    for _ in range(50):
        await asyncio.sleep(0.01)
        if any(s.name.startswith("chat") for s in exporter.get_finished_spans()):
            break
    (child,) = [s for s in exporter.get_finished_spans() if s.name.startswith("chat")]
    assert child.parent is not None and child.parent.span_id == parent.get_span_context().span_id
