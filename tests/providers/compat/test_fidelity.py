"""Fidelity fixes found by comparing requests with litellm and the official SDKs."""

from __future__ import annotations

import pytest

import litegate


@pytest.fixture
def server():
    from litegate.testing import FakeOpenAIServer

    with FakeOpenAIServer(require_key="mk") as srv:
        yield srv


def test_mistral_stream_usage_is_asked_without_stream_options(server):
    """Mistral's closed schema refuses stream_options, and its chunks carry usage anyway."""
    server.enqueue_stream(
        events=[
            {
                "id": "a",
                "object": "chat.completion.chunk",
                "created": 1,
                "model": "mistral-small-latest",
                "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hi"}, "finish_reason": None}],
            },
            {
                "id": "a",
                "object": "chat.completion.chunk",
                "created": 1,
                "model": "mistral-small-latest",
                "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 7, "completion_tokens": 1, "total_tokens": 8},
            },
        ]
    )
    chunks = list(
        litegate.completion(
            "mistral/mistral-small-latest",
            messages=[{"role": "user", "content": "x"}],
            api_key="mk",
            api_base=server.base_url,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    assert "stream_options" not in server.last_request.json
    assert chunks[-1].usage.total_tokens == 8
    # other parameters the schema refuses are still refused
    with pytest.raises(litegate.UnsupportedParamsError):
        litegate.completion(
            "mistral/mistral-small-latest",
            messages=[{"role": "user", "content": "x"}],
            api_key="mk",
            api_base=server.base_url,
            logit_bias={"1": 1},
        )


def test_together_drops_what_its_schema_lacks_under_drop_params(server):
    msg = [{"role": "user", "content": "x"}]
    resp = litegate.completion(
        "together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo",
        messages=msg,
        api_key="mk",
        api_base=server.base_url,
        user="u-1",
        temperature=0.2,
        drop_params=True,
    )
    body = server.last_request.json
    assert "user" not in body and body["temperature"] == 0.2
    assert any("user" in w for w in resp._hidden_params["warnings"])
    # an open schema: without drop_params the field is sent as given
    litegate.completion(
        "together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo",
        messages=msg,
        api_key="mk",
        api_base=server.base_url,
        user="u-1",
    )
    assert server.last_request.json["user"] == "u-1"
