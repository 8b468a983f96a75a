"""A Router call with callbacks: one span for the routed call carrying the ``litegate.router.*``
attributes, each deployment attempt a child span (and an event), and callbacks that see the
model group and the deployment in the call's metadata. Two deployments; the first fails over."""

from __future__ import annotations

import asyncio

import pytest

import litegate
from litegate import Router
from litegate.testing import FakeOpenAIServer

KEY = "sk-router-otel-0000000000000000"
MSGS = [{"role": "user", "content": "route me"}]


@pytest.fixture
def two():
    with FakeOpenAIServer() as a, FakeOpenAIServer() as b:
        yield a, b


@pytest.fixture
def traced():
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from litegate.integrations.otel import OpenTelemetryLogger

    exporter = InMemorySpanExporter()
    tp = TracerProvider()
    tp.add_span_processor(SimpleSpanProcessor(exporter))
    return OpenTelemetryLogger(tracer_provider=tp), exporter


def _router(a, b):
    def entry(server, id, weight):
        return {
            "model_name": "team-chat",
            "model_info": {"id": id},
            "litellm_params": {
                "model": "openai/gpt-4o-mini",
                "api_key": KEY,
                "api_base": server.base_url,
                "weight": weight,
            },
        }

    # the weights make dep-a the first pick (all but surely): it fails, dep-b answers
    return Router(
        model_list=[entry(a, "dep-a", 10**9), entry(b, "dep-b", 1)],
        routing_strategy="simple-shuffle",
        num_retries=1,
        retry_after=0,
    )


def _failover(a, b, run):
    a.enqueue_error(status=503)
    resp = run()
    assert len(a.requests) == 1 and len(b.requests) == 1
    return resp


def _check(exporter, seen):
    spans = exporter.get_finished_spans()
    (routed,) = [s for s in spans if s.name == "chat team-chat"]
    attempts = [s for s in spans if s is not routed]
    assert len(attempts) == 2
    for s in attempts:
        assert s.parent is not None and s.parent.span_id == routed.context.span_id
        assert s.attributes["litegate.router.model_group"] == "team-chat"
    failed, ok = sorted(attempts, key=lambda s: s.start_time)
    assert failed.status.status_code.name == "ERROR" and ok.status.status_code.name != "ERROR"
    a = dict(routed.attributes)
    assert a["litegate.router.model_group"] == "team-chat" and a["litegate.router.strategy"] == "simple-shuffle"
    assert a["litegate.router.model_id"] == ok.attributes["litegate.router.model_id"]
    assert a["litegate.router.deployment"] == "openai/gpt-4o-mini" and a["litegate.attempts"] == 2
    events = [e for e in routed.events if e.name == "litegate.router.attempt"]
    assert [e.attributes.get("error.type") for e in events] == ["ServiceUnavailableError", None]
    assert [e.attributes["litegate.router.model_id"] for e in events] == ["dep-a", "dep-b"]
    assert a["litegate.router.model_id"] == "dep-b"
    # the callbacks saw the group and each deployment in the metadata
    assert [m["model_group"] for m in seen] == ["team-chat", "team-chat"]
    assert [m["model_info"]["id"] for m in seen] == ["dep-a", "dep-b"]
    assert all(m["deployment"] == "openai/gpt-4o-mini" for m in seen)


def test_router_failover_is_one_span_with_attempt_children(two, traced):
    a, b = two
    logger, exporter = traced
    seen = []
    litegate.callbacks = [logger]
    litegate.input_callback = [lambda kw: seen.append(dict(kw["metadata"]))]
    router = _router(a, b)
    resp = _failover(a, b, lambda: router.completion(model="team-chat", messages=MSGS, metadata={"user": "u1"}))
    assert resp.choices[0].message.content
    _check(exporter, seen)
    assert all(m["user"] == "u1" for m in seen)


def test_async_router_failover_too(two, traced):
    a, b = two
    logger, exporter = traced
    seen = []
    litegate.callbacks = [logger]
    litegate.input_callback = [lambda kw: seen.append(dict(kw["metadata"]))]
    router = _router(a, b)
    _failover(a, b, lambda: asyncio.run(router.acompletion(model="team-chat", messages=MSGS)))
    _check(exporter, seen)


def test_router_failure_span_has_error_status(two, traced):
    a, b = two
    logger, exporter = traced
    litegate.success_callback = [logger]
    a.enqueue_error(status=503)
    b.enqueue_error(status=503)
    with pytest.raises(litegate.ServiceUnavailableError):
        _router(a, b).completion(model="team-chat", messages=MSGS)
    (routed,) = [s for s in exporter.get_finished_spans() if s.name == "chat team-chat"]
    assert routed.status.status_code.name == "ERROR" and routed.attributes["error.type"] == "ServiceUnavailableError"
    assert routed.attributes["litegate.attempts"] == 2
