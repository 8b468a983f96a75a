"""Input / success / failure callbacks (spec section 4) and log redaction."""

from __future__ import annotations

import asyncio
import logging

import pytest

import litegate

MODEL = "openai/gpt-4o-mini"
KEY = "sk-callback-secret-123456789"
MSGS = [{"role": "user", "content": "callback test"}]


def _kw(server, **extra):
    return {"api_base": server.base_url, "api_key": KEY, **extra}


def test_input_success_callbacks_see_call_and_response(server):
    seen = {}

    def on_input(kwargs):
        kwargs["metadata"]["trace_id"] = "trace-1"  # documented use: enrich in place
        seen["input"] = dict(kwargs)

    def on_success(kwargs, response, start, end):
        seen["success"] = (kwargs, response, start, end)

    litegate.input_callback = [on_input]
    litegate.success_callback = [on_success]
    resp = litegate.completion(model=MODEL, messages=MSGS, temperature=0.2, metadata={"user_id": "u1"}, **_kw(server))
    assert seen["input"]["model"] == MODEL
    assert seen["input"]["messages"] == MSGS
    kwargs, response, start, end = seen["success"]
    assert response is resp
    assert kwargs["metadata"] == {"user_id": "u1", "trace_id": "trace-1"}
    assert kwargs["temperature"] == 0.2
    assert kwargs["custom_llm_provider"] == "openai"
    assert end >= start
    assert KEY not in repr(kwargs)


def test_failure_callback_gets_the_mapped_exception(server):
    got = []
    litegate.failure_callback = [lambda kwargs, exc, start, end: got.append(exc)]
    server.enqueue_error(status=401)
    with pytest.raises(litegate.AuthenticationError):
        litegate.completion(model=MODEL, messages=MSGS, **_kw(server))
    assert len(got) == 1 and isinstance(got[0], litegate.AuthenticationError)


def test_callbacks_list_feeds_all_three_hooks_and_errors_in_callbacks_do_not_break_calls(server):
    calls = []

    class Logger:
        def log_pre_api_call(self, kwargs):
            calls.append("pre")

        def log_success_event(self, kwargs, response, start, end):
            calls.append("success")
            raise RuntimeError("a broken logger must not break the call")

        def log_failure_event(self, kwargs, exc, start, end):
            calls.append("failure")

    litegate.callbacks = [Logger()]
    resp = litegate.completion(model=MODEL, messages=MSGS, **_kw(server))
    assert resp.choices[0].message.content
    server.enqueue_error(status=400)
    with pytest.raises(litegate.BadRequestError):
        litegate.completion(model=MODEL, messages=MSGS, num_retries=0, **_kw(server))
    assert calls == ["pre", "success", "pre", "failure"]


def test_turn_off_message_logging_hides_content(server):
    seen = []
    litegate.turn_off_message_logging = True
    litegate.success_callback = [lambda kwargs, r, s, e: seen.append(kwargs)]
    litegate.completion(model=MODEL, messages=MSGS, **_kw(server))
    assert seen[0]["messages"] is None
    assert "callback test" not in repr(seen[0])


def test_stream_success_callback_gets_the_rebuilt_response(server):
    seen = []
    litegate.success_callback = [lambda kwargs, r, s, e: seen.append(r)]
    chunks = list(litegate.completion(model=MODEL, messages=MSGS, stream=True, **_kw(server)))
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert len(seen) == 1
    assert seen[0].choices[0].message.content == text


def test_stream_failure_mid_stream_reaches_failure_callback(server):
    got = []
    litegate.failure_callback = [lambda kwargs, exc, s, e: got.append(exc)]
    server.enqueue_fault("cut_stream")
    with pytest.raises(litegate.APIConnectionError):
        list(litegate.completion(model=MODEL, messages=MSGS, stream=True, **_kw(server)))
    assert len(got) == 1 and isinstance(got[0], litegate.APIConnectionError)


async def test_async_callbacks_are_awaited(server):
    seen = []

    async def on_success(kwargs, response, start, end):
        await asyncio.sleep(0)
        seen.append(response.choices[0].message.content)

    litegate.success_callback = [on_success]
    resp = await litegate.acompletion(model=MODEL, messages=MSGS, **_kw(server))
    assert seen == [resp.choices[0].message.content]


def test_raw_request_response_capture_is_redacted(server):
    captured = []
    litegate.log_raw_request_response = True
    litegate.success_callback = [lambda kwargs, r, s, e: captured.append(kwargs["litellm_logging_obj"].collected_data)]
    litegate.completion(model=MODEL, messages=MSGS, **_kw(server))
    data = captured[0]
    assert data["raw_request"]["url"].endswith("/chat/completions")
    assert data["raw_request"]["body"]["messages"] == MSGS
    assert data["raw_response"]["status_code"] == 200
    assert KEY not in repr(data)


def test_client_callbacks_are_its_own(server):
    mine, module = [], []
    litegate.success_callback = [lambda *a: module.append(1)]
    client = litegate.Client(api_key=KEY, api_base=server.base_url, success_callback=[lambda *a: mine.append(1)])
    client.completion(MODEL, MSGS)
    assert mine == [1] and module == []


def test_debug_logs_never_contain_the_key(server, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG, logger="litegate")
    server.enqueue_error(status=429, count=1, headers={"retry-after": "0"})
    litegate.completion(model=MODEL, messages=MSGS, num_retries=1, **_kw(server))
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "chat/completions" in text  # the request was logged
    assert "retry" in text
    assert KEY not in text
