"""The call's span starts with the call and is current while it runs: the spans an instrumented
HTTP client makes (OpenTelemetry's httpx instrumentation, a "test" extra) are its children, in
sync, async and streaming calls; a call with no callback never loads OpenTelemetry."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap

import pytest

import litegate

MODEL = "openai/gpt-4o-mini"
KEY = "sk-otel-nesting-secret-0123456789"
MSGS = [{"role": "user", "content": "hi"}]


@pytest.fixture
def traced():
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from litegate.integrations.otel import OpenTelemetryLogger

    exporter = InMemorySpanExporter()
    tp = TracerProvider()
    tp.add_span_processor(SimpleSpanProcessor(exporter))
    instrumentor = HTTPXClientInstrumentor()
    instrumentor.instrument(tracer_provider=tp)
    try:
        yield OpenTelemetryLogger(tracer_provider=tp), exporter
    finally:
        instrumentor.uninstrument()


def _kw(server, **extra):
    return {"api_base": server.base_url, "api_key": KEY, **extra}


def _nested(exporter):
    spans = exporter.get_finished_spans()
    (call,) = [s for s in spans if s.name.startswith("chat ")]
    http = [s for s in spans if s is not call]
    assert http, [s.name for s in spans]
    for s in http:  # the HTTP client's span is a child of the call's span, inside its time
        assert s.parent is not None and s.parent.span_id == call.context.span_id
        assert call.start_time <= s.start_time and s.end_time <= call.end_time
    return call, http


def test_http_client_span_nests_under_the_call_span(server, traced):
    logger, exporter = traced
    litegate.success_callback = [logger]  # in any list, the span starts with the call
    litegate.completion(model=MODEL, messages=MSGS, **_kw(server))
    call, http = _nested(exporter)
    assert call.attributes["gen_ai.request.model"] == "gpt-4o-mini"
    from opentelemetry import trace

    assert not trace.get_current_span().get_span_context().is_valid  # detached after the call


def test_async_call_nests_too(server, traced):
    # the instrumented client here is httpx's (async calls default to aiohttp, whose instrumentation
    # is not a test dependency): the async path on the httpx backend
    logger, exporter = traced
    with litegate.Client(http_backend="httpx", callbacks=[logger]) as client:
        asyncio.run(client.acompletion(MODEL, MSGS, **_kw(server)))
    _nested(exporter)


def test_a_stream_span_ends_with_the_stream_and_holds_its_request(server, traced):
    logger, exporter = traced
    litegate.callbacks = [logger]
    stream = litegate.completion(model=MODEL, messages=MSGS, stream=True, **_kw(server))
    assert not [s for s in exporter.get_finished_spans() if s.name.startswith("chat ")]  # still open
    from opentelemetry import trace

    assert not trace.get_current_span().get_span_context().is_valid  # not current in the caller's loop
    for _ in stream:
        pass
    call, _ = _nested(exporter)
    assert call.attributes["gen_ai.request.stream"] is True


def test_failure_span_started_with_the_call(server, traced):
    logger, exporter = traced
    litegate.success_callback = [logger]  # only here, yet the failed call's span ends (ERROR)
    server.enqueue_error(status=400)
    with pytest.raises(litegate.BadRequestError):
        litegate.completion(model=MODEL, messages=MSGS, **_kw(server))
    call, _ = _nested(exporter)
    assert call.status.status_code.name == "ERROR" and call.attributes["error.type"] == "BadRequestError"


def test_no_callback_never_touches_opentelemetry(server):
    code = textwrap.dedent(f"""
        import sys, litegate
        litegate.completion(model={MODEL!r}, messages={MSGS!r}, api_base={server.base_url!r}, api_key="k")
        litegate.input_callback = [lambda kw: None]  # a callback, but no OpenTelemetry one
        litegate.completion(model={MODEL!r}, messages={MSGS!r}, api_base={server.base_url!r}, api_key="k")
        print(sorted(m for m in sys.modules if m.startswith("opentelemetry")))
    """)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
