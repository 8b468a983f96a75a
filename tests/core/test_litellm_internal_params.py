"""Arguments litellm consumes itself never reach a provider: the body the fake server received is
checked for every endpoint; the ones with a meaning in litegate take effect."""

from __future__ import annotations

import logging

import pytest
from _core_helpers import KEY, user_messages

import litegate
from litegate.core.params import LITELLM_INTERNAL_PARAMS, is_litellm_internal

# what frameworks written for litellm pass (DSPy, the OpenAI Agents SDK, litellm's own proxy)
FRAMEWORK_ARGS = {
    "retry_strategy": "exponential_backoff_retry",
    "_skip_mcp_handler": True,
    "litellm_call_id": "call-123",
    "litellm_logging_obj": object(),
    "proxy_server_request": {"url": "http://proxy/chat/completions", "body": {}},
    "preset_cache_key": "abc",
    "litellm_trace_id": "trace-1",
    "litellm_session_id": "session-1",
    "model_info": {"id": "deployment-1"},
    "litellm_metadata": {"team": "a"},
    "mcp_handler_context": {"x": 1},
    "_litellm_internal_flag": True,
    "langfuse_public_key": "pk-lf-x",
    "input_cost_per_audio_token": 1e-6,
    "tags": ["a"],
    "max_fallbacks": 2,
}


def _body_keys(server) -> set:
    return set(server.last_request.json)


@pytest.mark.parametrize("drop", [False, True])
def test_completion_body_has_no_internal_argument(server, drop):
    server.enqueue_reply("ok")
    resp = litegate.completion(
        "gpt-4o-mini",
        messages=user_messages(),
        api_key=KEY,
        api_base=server.base_url,
        drop_params=drop,
        temperature=0.2,
        **FRAMEWORK_ARGS,
    )
    assert resp.choices[0].message.content == "ok"
    body = server.last_request.json
    assert set(body) == {"model", "messages", "temperature"}
    assert not [k for k in body if is_litellm_internal(k)]


def test_every_endpoint_drops_them(server):
    args = {
        "retry_strategy": "exponential_backoff_retry",
        "_skip_mcp_handler": True,
        "preset_cache_key": "k",
        "litellm_trace_id": "t",
    }
    common = {"api_key": KEY, "api_base": server.base_url}
    litegate.embedding("text-embedding-3-small", input=["a"], **common, **args)
    assert _body_keys(server) == {"model", "input"}
    litegate.text_completion("gpt-3.5-turbo-instruct", prompt="hi", **common, **args)
    assert _body_keys(server) == {"model", "prompt"}
    server.enqueue_reply("x")
    stream = litegate.completion("gpt-4o-mini", messages=user_messages(), stream=True, **common, **args)
    assert "".join(c.choices[0].delta.content or "" for c in stream) == "x"
    assert _body_keys(server) == {"model", "messages", "stream"}


async def test_async_completion_drops_them(server):
    server.enqueue_reply("ok")
    await litegate.acompletion(
        "gpt-4o-mini", messages=user_messages(), api_key=KEY, api_base=server.base_url, **FRAMEWORK_ARGS
    )
    assert _body_keys(server) == {"model", "messages"}


def test_dropped_arguments_are_named_in_a_debug_line(server, caplog):
    server.enqueue_reply("ok")
    with caplog.at_level(logging.DEBUG, logger="litegate"):
        litegate.completion(
            "gpt-4o-mini",
            messages=user_messages(),
            api_key=KEY,
            api_base=server.base_url,
            retry_strategy="exponential_backoff_retry",
            _skip_mcp_handler=True,
        )
    lines = [r.getMessage() for r in caplog.records if "litellm-internal" in r.getMessage()]
    assert len(lines) == 1
    assert "_skip_mcp_handler" in lines[0] and "retry_strategy" in lines[0]


def test_a_provider_parameter_is_still_sent(server):
    """Only litellm's own names are taken out: an unknown provider parameter goes to the body as before."""
    server.enqueue_reply("ok")
    litegate.completion(
        "gpt-4o-mini",
        messages=user_messages(),
        api_key=KEY,
        api_base=server.base_url,
        retry_strategy="x",
        top_k=3,
        _private_provider_field=1,
    )
    body = server.last_request.json
    assert body["top_k"] == 3 and body["_private_provider_field"] == 1
    assert "retry_strategy" not in body


def test_litellm_metadata_reaches_callbacks_and_call_id_is_kept(server, monkeypatch):
    seen = []

    def on_success(kwargs, response, start, end):
        seen.append((kwargs["metadata"], kwargs["litellm_call_id"]))

    monkeypatch.setattr(litegate, "success_callback", [on_success])
    server.enqueue_reply("ok")
    litegate.completion(
        "gpt-4o-mini",
        messages=user_messages(),
        api_key=KEY,
        api_base=server.base_url,
        litellm_metadata={"team": "search"},
        litellm_call_id="my-call-7",
    )
    assert seen == [({"team": "search"}, "my-call-7")]
    assert "litellm_metadata" not in server.last_request.json


def test_mock_timeout_raises_timeout_without_a_request(server):
    with pytest.raises(litegate.Timeout):
        litegate.completion(
            "gpt-4o-mini", messages=user_messages(), api_key=KEY, api_base=server.base_url, mock_timeout=True, timeout=1
        )
    assert server.hits() == 0


def test_custom_prices_and_base_model_price_the_answer(server):
    server.enqueue_reply("ok", usage={"prompt_tokens": 1000, "completion_tokens": 500})
    resp = litegate.completion(
        "gpt-4o-mini",
        messages=user_messages(),
        api_key=KEY,
        api_base=server.base_url,
        input_cost_per_token=1e-6,
        output_cost_per_token=2e-6,
    )
    assert resp._hidden_params["response_cost"] == pytest.approx(1000 * 1e-6 + 500 * 2e-6)
    assert not {"input_cost_per_token", "output_cost_per_token"} & _body_keys(server)

    # a deployment name the registry does not know, priced as its base model
    server.enqueue_reply("ok", usage={"prompt_tokens": 1000, "completion_tokens": 500})
    resp = litegate.completion(
        "openai/my-fine-tune", messages=user_messages(), api_key=KEY, api_base=server.base_url, base_model="gpt-4o-mini"
    )
    info = litegate.get_model_info("gpt-4o-mini")
    expected = 1000 * info["input_cost_per_token"] + 500 * info["output_cost_per_token"]
    assert resp._hidden_params["response_cost"] == pytest.approx(expected)
    assert "base_model" not in _body_keys(server)


def test_the_list_holds_the_names_frameworks_pass():
    for name in (
        "retry_strategy",
        "_skip_mcp_handler",
        "litellm_call_id",
        "litellm_logging_obj",
        "proxy_server_request",
        "preset_cache_key",
        "base_model",
        "litellm_trace_id",
        "litellm_metadata",
        "model_info",
        "mock_timeout",
    ):
        assert name in LITELLM_INTERNAL_PARAMS
    for name in ("temperature", "top_k", "user", "metadata", "extra_body", "tools"):
        assert not is_litellm_internal(name)
