"""Input callbacks change the outgoing call (spec section 4: ``input_callback`` "can modify
kwargs in-place"; litellm's ``async_pre_call_deployment_hook`` returns the kwargs to send), and
``log_pre_api_call`` sees the request as built. Checked on what the fake provider receives."""

from __future__ import annotations

import asyncio

import pytest

import litegate
from litegate.integrations import CustomLogger

MODEL = "openai/gpt-4o-mini"
KEY = "sk-input-callback-secret-123456"
MSGS = [{"role": "user", "content": "hello there"}]


def _kw(server, **extra):
    return {"api_base": server.base_url, "api_key": KEY, **extra}


def test_input_callback_changes_reach_the_provider(server):
    def rewrite(kwargs):
        kwargs["messages"] = [{"role": "system", "content": "be brief"}, *kwargs["messages"]]
        kwargs["temperature"] = 0.1  # changed
        kwargs["max_tokens"] = 7  # added
        del kwargs["top_p"]  # removed
        kwargs["model"] = "openai/gpt-4o"
        kwargs["metadata"]["trace_id"] = "t-42"

    seen = {}
    litegate.input_callback = [rewrite]
    litegate.success_callback = [lambda kw, resp, s, e: seen.update(kw)]
    litegate.completion(model=MODEL, messages=MSGS, temperature=0.9, top_p=0.5, **_kw(server))
    body = server.requests[-1].json
    assert body["model"] == "gpt-4o"
    assert body["messages"][0] == {"role": "system", "content": "be brief"} and body["messages"][1:] == MSGS
    assert body["temperature"] == 0.1 and body["max_tokens"] == 7 and "top_p" not in body
    assert seen["metadata"]["trace_id"] == "t-42" and seen["optional_params"]["max_tokens"] == 7


def test_a_bad_value_from_an_input_callback_fails_before_any_request(server):
    def bad(kwargs):
        kwargs["temperature"] = "hot"

    failures = []
    litegate.input_callback = [bad]
    litegate.failure_callback = [lambda kw, exc, s, e: failures.append(exc)]
    with pytest.raises(litegate.BadRequestError, match="temperature"):
        litegate.completion(model=MODEL, messages=MSGS, **_kw(server))
    assert server.requests == [] and len(failures) == 1


def test_log_pre_api_call_sees_the_final_request(server):
    seen = {}

    class Watch(CustomLogger):
        def log_pre_api_call(self, model, messages, kwargs):
            seen.update(kwargs["additional_args"], model=model, messages=messages)

    litegate.input_callback = [lambda kw: kw.update(temperature=0.3)]
    litegate.callbacks = [Watch()]
    litegate.completion(model=MODEL, messages=MSGS, **_kw(server))
    sent = server.requests[-1]
    assert seen["complete_input_dict"] == sent.json and sent.json["temperature"] == 0.3
    assert seen["api_base"].endswith("/chat/completions")
    assert KEY not in repr(seen["headers"]) and seen["model"] == MODEL and seen["messages"] == MSGS


def test_async_pre_call_deployment_hook_returns_the_kwargs_to_send(server):
    class Compress(CustomLogger):
        def __init__(self):
            self.call_types = []

        async def async_pre_call_deployment_hook(self, kwargs, call_type):
            self.call_types.append(call_type)
            out = dict(kwargs)
            out["messages"] = [{"role": "user", "content": "compressed"}]
            out.pop("seed")
            return out

    hook = Compress()
    litegate.callbacks = [hook]
    asyncio.run(litegate.acompletion(model=MODEL, messages=MSGS, seed=3, **_kw(server)))
    body = server.requests[-1].json
    assert body["messages"] == [{"role": "user", "content": "compressed"}] and "seed" not in body
    assert hook.call_types == ["acompletion"]


def test_hidden_messages_are_not_sent_as_none(server):
    litegate.turn_off_message_logging = True
    try:
        litegate.input_callback = [lambda kw: kw.update(user="u-9")]
        litegate.completion(model=MODEL, messages=MSGS, **_kw(server))
    finally:
        litegate.turn_off_message_logging = False
    body = server.requests[-1].json
    assert body["messages"] == MSGS and body["user"] == "u-9"
