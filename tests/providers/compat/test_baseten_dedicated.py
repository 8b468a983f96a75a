"""Baseten: ``baseten/<8-character model id>`` is a dedicated deployment and goes to its own host
(``https://model-<id>.api.baseten.co/environments/production/sync/v1``, OpenAI-compatible), while
Model APIs names (``baseten/deepseek-ai/...``) keep going to ``https://inference.baseten.co/v1``;
a base the caller names wins. URLs checked through the real call path, then sync, async and
streamed calls to a dedicated deployment over real sockets (FakeOpenAIServer standing in for the
deployment's host)."""

from __future__ import annotations

import asyncio
import re

import pytest

import litegate
from litegate.core.transport import MockResponse, MockTransport
from litegate.providers import get_provider

MSGS = [{"role": "user", "content": "Hello"}]
DEDICATED = "https://model-{}.api.baseten.co/environments/production/sync/v1/chat/completions"
MODEL_APIS = "https://inference.baseten.co/v1/chat/completions"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in ("BASETEN_API_KEY", "BASETEN_API_BASE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(litegate, "api_base", None)


def _answer(req):
    return MockResponse(
        200,
        json={
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 1,
            "model": req.json["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
        },
    )


def _client(seen):
    def handler(req):
        seen.append(req)
        return _answer(req)

    return litegate.Client(transport=MockTransport(handler))


@pytest.mark.parametrize(
    "model, url",
    [
        ("abcd1234", DEDICATED.format("abcd1234")),
        ("0XyZ9wQ2", DEDICATED.format("0XyZ9wQ2")),
        ("deepseek-ai/DeepSeek-V3-0324", MODEL_APIS),
        ("openai/gpt-oss-120b", MODEL_APIS),
        ("abcd123", MODEL_APIS),  # 7 characters
        ("abcd12345", MODEL_APIS),  # 9 characters
        ("abcd-123", MODEL_APIS),  # not alphanumeric
    ],
)
def test_dedicated_ids_and_model_api_names_go_to_their_hosts(model, url):
    seen: list = []
    resp = _client(seen).completion(f"baseten/{model}", messages=MSGS, api_key="bt-key")
    assert seen[0].url == url
    assert seen[0].headers["authorization"] == "Bearer bt-key"
    assert seen[0].json["model"] == model
    assert resp.choices[0].message.content == "ok"
    assert resp._hidden_params["api_base"] == url.rsplit("/chat/completions", 1)[0]


def test_a_base_the_caller_names_wins(monkeypatch):
    seen: list = []
    client = _client(seen)
    client.completion("baseten/abcd1234", messages=MSGS, api_key="k", api_base="https://my.proxy.test/v1")
    monkeypatch.setenv("BASETEN_API_BASE", "https://env.proxy.test/v1")
    client.completion("baseten/abcd1234", messages=MSGS, api_key="k")
    monkeypatch.delenv("BASETEN_API_BASE")
    client.completion("baseten/abcd1234", messages=MSGS, api_key="k")
    assert [r.url for r in seen] == [
        "https://my.proxy.test/v1/chat/completions",
        "https://env.proxy.test/v1/chat/completions",
        DEDICATED.format("abcd1234"),
    ]


def test_async_and_stream_reach_the_dedicated_host():
    seen: list = []

    async def handler(req):
        seen.append(req)
        if req.json.get("stream"):
            body = (
                b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":'
                b'[{"index":0,"delta":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}\n\n'
                b"data: [DONE]\n\n"
            )
            return MockResponse(200, content=body, headers={"content-type": "text/event-stream"})
        return _answer(req)

    client = litegate.Client(transport=MockTransport(handler))

    async def go():
        r = await client.acompletion("baseten/abcd1234", messages=MSGS, api_key="k")
        s = await client.acompletion("baseten/abcd1234", messages=MSGS, api_key="k", stream=True)
        return r, [c async for c in s]

    r, chunks = asyncio.run(go())
    assert r.choices[0].message.content == "ok"
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "hi"
    assert [req.url for req in seen] == [DEDICATED.format("abcd1234")] * 2


@pytest.fixture
def deployment(monkeypatch):
    """A FakeOpenAIServer standing in for the deployment hosts: the row's template points at it
    (same path shape), so the id matching and URL building run unchanged over a real socket."""
    from litegate.testing import FakeOpenAIServer

    with FakeOpenAIServer(require_key="bt-key") as srv:
        dialect = get_provider("baseten")
        pattern, _ = dialect._model_base
        monkeypatch.setattr(
            dialect, "_model_base", (pattern, srv.url + "/model-{model}/environments/production/sync/v1")
        )
        yield srv


def test_dedicated_deployment_over_a_socket_sync_async_and_stream(deployment):
    path = "/model-abcd1234/environments/production/sync/v1/chat/completions"
    resp = litegate.completion("baseten/abcd1234", messages=MSGS, api_key="bt-key")
    assert deployment.last_request.path == path
    assert deployment.last_request.header("authorization") == "Bearer bt-key"
    assert resp.choices[0].message.content == "This is a fake reply to: Hello"

    async def go():
        r = await litegate.acompletion("baseten/abcd1234", messages=MSGS, api_key="bt-key")
        s = await litegate.acompletion("baseten/abcd1234", messages=MSGS, api_key="bt-key", stream=True)
        return r, [c async for c in s]

    r, chunks = asyncio.run(go())
    assert r.choices[0].message.content == "This is a fake reply to: Hello"
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "This is a fake reply to: Hello"
    chunks = list(litegate.completion("baseten/abcd1234", messages=MSGS, api_key="bt-key", stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "This is a fake reply to: Hello"
    assert [r.path for r in deployment.requests] == [path] * 4
    # a Model APIs name never goes to a deployment host
    with pytest.raises(litegate.APIConnectionError):
        litegate.completion(
            "baseten/deepseek-ai/DeepSeek-V3", messages=MSGS, api_key="bt-key", api_base="http://127.0.0.1:9/v1"
        )
    assert len(deployment.requests) == 4


def test_the_rule_is_litellms():
    pattern, template = get_provider("baseten")._model_base
    assert pattern.pattern == r"[A-Za-z0-9]{8}"
    assert re.fullmatch(pattern, "abcd1234") and not re.fullmatch(pattern, "abcd1234x")
    assert template == "https://model-{model}.api.baseten.co/environments/production/sync/v1"
