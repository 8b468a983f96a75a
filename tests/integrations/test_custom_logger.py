"""CustomLogger hooks, the kwargs and standard_logging_object they get, redaction, and callbacks
that raise (spec section 4, "Callbacks & Logging")."""

from __future__ import annotations

import asyncio
import logging

import pytest

import litegate
from litegate.integrations.custom_logger import CustomLogger

MODEL = "openai/gpt-4o-mini"
KEY = "sk-observe-secret-0123456789"
MSGS = [{"role": "user", "content": "a private question"}]


def _kw(server, **extra):
    return {"api_base": server.base_url, "api_key": KEY, **extra}


class Recorder(CustomLogger):
    def __init__(self):
        self.events = []

    def log_pre_api_call(self, model, messages, kwargs):
        self.events.append(("pre", model, messages))

    def log_post_api_call(self, kwargs, response_obj, start_time, end_time):
        self.events.append(("post", type(response_obj).__name__))

    def log_stream_event(self, kwargs, response_obj, start_time, end_time):
        self.events.append(("stream", response_obj.choices[0].message.content))

    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        self.events.append(("success", kwargs, response_obj, start_time, end_time))

    def log_failure_event(self, kwargs, response_obj, start_time, end_time):
        self.events.append(("failure", kwargs, response_obj))


class AsyncRecorder(CustomLogger):
    def __init__(self):
        self.events = []

    async def async_log_pre_api_call(self, model, messages, kwargs):
        self.events.append("pre")

    async def async_log_post_api_call(self, kwargs, response_obj, start_time, end_time):
        self.events.append("post")

    async def async_log_stream_event(self, kwargs, response_obj, start_time, end_time):
        await asyncio.sleep(0)
        self.events.append("stream")

    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        await asyncio.sleep(0)
        self.events.append(("success", kwargs["standard_logging_object"]["status"]))

    async def async_log_failure_event(self, kwargs, response_obj, start_time, end_time):
        self.events.append(("failure", type(response_obj).__name__))

    def log_success_event(self, kwargs, response_obj, start_time, end_time):  # pragma: no cover - must not run
        self.events.append("SYNC")


def test_custom_logger_hooks_in_order_with_litellm_signatures(server):
    rec = Recorder()
    litegate.callbacks = [rec]
    resp = litegate.completion(model=MODEL, messages=MSGS, temperature=0.3, metadata={"user_id": "u7"}, **_kw(server))
    assert rec.events[0] == ("pre", MODEL, MSGS)
    assert rec.events[1] == ("post", "ModelResponse")
    name, kwargs, response, start, end = rec.events[2]
    assert name == "success" and response is resp and end >= start
    assert len(rec.events) == 3
    # the kwargs litellm documents
    assert kwargs["model"] == MODEL and kwargs["messages"] == MSGS
    assert kwargs["optional_params"]["temperature"] == 0.3
    assert kwargs["litellm_params"]["metadata"] == {"user_id": "u7"}
    assert kwargs["litellm_params"]["custom_llm_provider"] == "openai"
    assert kwargs["start_time"] == start and kwargs["end_time"] == end
    assert kwargs["cache_hit"] is False
    assert kwargs["response_cost"] == resp._hidden_params["response_cost"] and kwargs["response_cost"] > 0
    slo = kwargs["standard_logging_object"]
    assert slo["id"] == kwargs["litellm_call_id"]
    assert slo["status"] == "success" and slo["call_type"] == "completion"
    assert slo["model"] == "gpt-4o-mini" and slo["custom_llm_provider"] == "openai"
    assert slo["prompt_tokens"] == resp.usage.prompt_tokens > 0
    assert slo["completion_tokens"] == resp.usage.completion_tokens
    assert slo["total_tokens"] == resp.usage.total_tokens
    assert slo["response_cost"] == kwargs["response_cost"]
    assert slo["endTime"] >= slo["startTime"] and slo["response_time"] >= 0
    assert slo["messages"] == MSGS
    assert slo["response"]["choices"][0]["message"]["content"] == resp.choices[0].message.content
    assert slo["model_parameters"] == {"temperature": 0.3}
    assert slo["metadata"] == {"user_id": "u7"}
    assert slo["finish_reasons"] == ["stop"]
    assert slo["api_base"].startswith("http://127.0.0.1")
    assert KEY not in repr(kwargs)


def test_failure_hooks_and_error_summary(server):
    rec = Recorder()
    litegate.callbacks = [rec]
    server.enqueue_error(status=400)
    with pytest.raises(litegate.BadRequestError) as info:
        litegate.completion(model=MODEL, messages=MSGS, num_retries=0, **_kw(server))
    assert [e[0] for e in rec.events] == ["pre", "post", "failure"]
    _, kwargs, exc = rec.events[2]
    assert exc is info.value
    slo = kwargs["standard_logging_object"]
    assert slo["status"] == "failure"
    assert slo["error_information"]["error_class"] == "BadRequestError"
    assert slo["error_information"]["error_code"] == "400"
    assert slo["error_str"] and KEY not in slo["error_str"]


def test_stream_reports_stream_event_then_success_with_timing(server):
    rec = Recorder()
    litegate.success_callback = [rec]
    chunks = list(litegate.completion(model=MODEL, messages=MSGS, stream=True, **_kw(server)))
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    names = [e[0] for e in rec.events]
    assert names == ["post", "stream", "success"]  # pre: only loggers in input_callback / callbacks
    assert rec.events[0] == ("post", "CustomStreamWrapper")
    assert rec.events[1] == ("stream", text)
    kwargs = rec.events[2][1]
    assert kwargs["complete_streaming_response"].choices[0].message.content == text
    slo = kwargs["standard_logging_object"]
    assert slo["stream"] is True
    assert slo["time_to_first_token"] is not None and 0 <= slo["time_to_first_token"] <= slo["response_time"]
    assert slo["completionStartTime"] >= slo["startTime"]
    assert slo["total_tokens"] > 0


async def test_async_call_runs_async_hooks_only(server):
    rec = AsyncRecorder()
    litegate.callbacks = [rec]
    await litegate.acompletion(model=MODEL, messages=MSGS, **_kw(server))
    assert rec.events == ["pre", "post", ("success", "success")]
    rec.events.clear()
    stream = await litegate.acompletion(model=MODEL, messages=MSGS, stream=True, **_kw(server))
    async for _ in stream:
        pass
    for _ in range(20):  # the stream's end schedules the hooks on the loop
        await asyncio.sleep(0.01)
        if len(rec.events) >= 4:
            break
    assert rec.events == ["pre", "post", "stream", ("success", "success")]
    rec.events.clear()
    server.enqueue_error(status=401)
    with pytest.raises(litegate.AuthenticationError):
        await litegate.acompletion(model=MODEL, messages=MSGS, **_kw(server))
    assert rec.events == ["pre", "post", ("failure", "AuthenticationError")]


async def test_sync_only_logger_still_hears_async_calls(server):
    rec = Recorder()
    litegate.success_callback = [rec]
    await litegate.acompletion(model=MODEL, messages=MSGS, **_kw(server))
    assert [e[0] for e in rec.events] == ["post", "success"]


def test_turn_off_message_logging_redacts_messages_and_response_but_not_the_callers_object(server):
    rec = Recorder()
    litegate.callbacks = [rec]
    litegate.turn_off_message_logging = True
    resp = litegate.completion(model=MODEL, messages=MSGS, **_kw(server))
    _, kwargs, shown, _, _ = rec.events[2]
    assert rec.events[0] == ("pre", MODEL, None)
    assert shown is not resp
    assert shown.choices[0].message.content == "redacted-by-litellm"
    assert resp.choices[0].message.content and resp.choices[0].message.content != "redacted-by-litellm"
    assert shown.usage.total_tokens == resp.usage.total_tokens  # facts stay
    slo = kwargs["standard_logging_object"]
    assert slo["messages"] == "redacted-by-litellm"
    assert resp.choices[0].message.content not in repr(slo)
    assert "a private question" not in repr(kwargs)


def test_a_raising_callback_is_logged_once_and_never_breaks_calls(server, caplog):
    class Broken(CustomLogger):
        calls = 0

        def log_success_event(self, kwargs, response_obj, start_time, end_time):
            Broken.calls += 1
            raise RuntimeError(f"boom with {KEY}")

        def log_pre_api_call(self, model, messages, kwargs):
            raise ValueError("pre boom")

    litegate.callbacks = [Broken()]
    with caplog.at_level(logging.DEBUG, logger="litegate"):
        for _ in range(3):
            assert litegate.completion(model=MODEL, messages=MSGS, **_kw(server)).choices[0].message.content
    assert Broken.calls == 3
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "raised" in r.getMessage()]
    assert len(warnings) == 2  # one per hook, not one per call
    assert {("log_success_event" in r.getMessage()) for r in warnings} == {True, False}
    assert all(KEY not in r.getMessage() for r in caplog.records)


def test_short_pre_call_signature_still_works(server):
    seen = []

    class Short:
        def log_pre_api_call(self, kwargs):
            seen.append(kwargs["model"])

        def log_success_event(self, kwargs, response_obj, start_time, end_time):
            seen.append("ok")

    litegate.callbacks = [Short()]
    litegate.completion(model=MODEL, messages=MSGS, **_kw(server))
    assert seen == [MODEL, "ok"]


def test_unknown_integration_name_warns_once_and_call_goes_on(server, caplog):
    litegate.success_callback = ["no-such-platform"]
    with caplog.at_level(logging.WARNING, logger="litegate"):
        litegate.completion(model=MODEL, messages=MSGS, **_kw(server))
        litegate.completion(model=MODEL, messages=MSGS, **_kw(server))
    hits = [r for r in caplog.records if "no-such-platform" in r.getMessage()]
    assert len(hits) == 1 and "langfuse" in hits[0].getMessage()


def test_router_facts_in_metadata_reach_the_summary(server):
    rec = Recorder()
    litegate.success_callback = [rec]
    meta = {"model_group": "gpt-small", "deployment": "openai/gpt-4o-mini", "model_info": {"id": "dep-1"}}
    litegate.completion(model=MODEL, messages=MSGS, metadata=meta, **_kw(server))
    slo = rec.events[-1][1]["standard_logging_object"]
    assert (slo["model_group"], slo["model_id"], slo["deployment"]) == ("gpt-small", "dep-1", "openai/gpt-4o-mini")


def test_fallback_and_retries_are_in_the_summary(server, fast_backoff):
    rec = Recorder()
    litegate.callbacks = [rec]
    server.enqueue_error(status=500, count=2)
    resp = litegate.completion(model=MODEL, messages=MSGS, num_retries=3, **_kw(server))
    slo = rec.events[-1][1]["standard_logging_object"]
    assert slo["attempts"] == resp._hidden_params["attempts"] == 3


def test_customlogger_is_public():
    assert litegate.CustomLogger is CustomLogger
    import litegate.integrations.custom_logger as mod

    assert mod.CustomLogger is CustomLogger


def test_hooks_that_nobody_overrides_cost_nothing(server):
    from litegate.core.callbacks import hooks_for

    class Call:  # hooks_for only looks at the settings here
        pass

    litegate.callbacks = [CustomLogger()]  # every hook is the base no-op
    assert hooks_for(litegate, Call(), "completion") is None
    litegate.callbacks = [Recorder()]
    resp = litegate.completion(model=MODEL, messages=MSGS, **_kw(server))
    assert resp.choices[0].message.content


def test_turn_off_message_logging_also_redacts_a_rebuilt_stream(server):
    rec = Recorder()
    litegate.success_callback = [rec]
    litegate.turn_off_message_logging = True
    text = "".join(
        c.choices[0].delta.content or ""
        for c in litegate.completion(model=MODEL, messages=MSGS, stream=True, **_kw(server))
    )
    assert text
    assert rec.events[1] == ("stream", "redacted-by-litellm")
    kwargs = rec.events[2][1]
    assert kwargs["complete_streaming_response"].choices[0].message.content == "redacted-by-litellm"
    assert text not in repr(kwargs["standard_logging_object"])
