"""NLP Cloud (``nlp_cloud/<model>``) through its chatbot task against FakeNLPCloudServer: the URL
(GPU plan and language prefixes), ``Authorization: Token``, the input / context / history body built
from the messages, the translated answer, async, errors, and what is refused before any request."""

from __future__ import annotations

import asyncio

import pytest

import litegate

KEY = "nlpc-token-123"
MODEL = "nlp_cloud/finetuned-llama-3-70b"


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    for name in ("NLP_CLOUD_API_KEY", "NLP_CLOUD_API_BASE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server():
    from litegate.testing import FakeNLPCloudServer

    with FakeNLPCloudServer(require_key=KEY) as srv:
        yield srv


def test_chat_url_token_and_body_from_messages(server, monkeypatch):
    monkeypatch.setenv("NLP_CLOUD_API_KEY", KEY)
    monkeypatch.setenv("NLP_CLOUD_API_BASE", server.base_url)
    msgs = [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello."},
        {"role": "user", "content": [{"type": "text", "text": "How are "}, {"type": "text", "text": "you?"}]},
    ]
    resp = litegate.completion(MODEL, messages=msgs)
    req = server.last_request
    assert req.path == "/v1/finetuned-llama-3-70b/chatbot"
    assert req.header("authorization") == "Token " + KEY
    assert req.json == {
        "input": "How are you?",
        "context": "You are terse.",
        "history": [{"input": "Hi", "response": "Hello."}],
    }
    assert resp.choices[0].message.content == "You said: How are you?"
    assert resp.choices[0].finish_reason == "stop"
    assert resp.usage.completion_tokens > 0 and resp.usage.prompt_tokens > 0
    assert resp._hidden_params["custom_llm_provider"] == "nlp_cloud"
    assert "nlp_cloud" in litegate.provider_list and "nlp_cloud" in litegate.models_by_provider


def test_gpu_and_language_prefixes_and_a_single_message(server):
    litegate.completion(
        MODEL,
        messages=[{"role": "user", "content": "Bonjour"}],
        api_key=KEY,
        api_base=server.base_url,
        gpu=True,
        lang="fra_Latn",
    )
    req = server.last_request
    assert req.path == "/v1/gpu/fra_Latn/finetuned-llama-3-70b/chatbot"
    assert req.json == {"input": "Bonjour", "context": None, "history": None}


def test_async(server):
    async def main():
        return await litegate.acompletion(
            MODEL, messages=[{"role": "user", "content": "ping"}], api_key=KEY, api_base=server.base_url
        )

    assert asyncio.run(main()).choices[0].message.content == "You said: ping"


def test_default_base_url():
    from litegate.core.transport import MockResponse, MockTransport

    seen = []

    def handler(req):
        seen.append(req)
        return MockResponse(200, json={"response": "ok", "history": []})

    client = litegate.Client(transport=MockTransport(handler))
    client.completion(MODEL, messages=[{"role": "user", "content": "x"}], api_key=KEY)
    assert seen[0].url == "https://api.nlpcloud.io/v1/finetuned-llama-3-70b/chatbot"


@pytest.mark.parametrize(
    "status,exc",
    [
        (401, litegate.AuthenticationError),
        (404, litegate.NotFoundError),
        (429, litegate.RateLimitError),
        (500, litegate.InternalServerError),
    ],
)
def test_errors_map_to_exception_classes(server, status, exc):
    server.enqueue_raw(status, '{"detail": "nlp cloud says no"}', {"content-type": "application/json"})
    with pytest.raises(exc, match="nlp cloud says no"):
        litegate.completion(
            MODEL, messages=[{"role": "user", "content": "x"}], api_key=KEY, api_base=server.base_url, num_retries=0
        )


def test_wrong_token_is_an_authentication_error(server):
    with pytest.raises(litegate.AuthenticationError):
        litegate.completion(
            MODEL, messages=[{"role": "user", "content": "x"}], api_key="wrong", api_base=server.base_url, num_retries=0
        )


def test_refused_before_any_request(server):
    kw = dict(api_key=KEY, api_base=server.base_url)
    user = [{"role": "user", "content": "x"}]
    with pytest.raises(litegate.BadRequestError, match="streaming"):
        litegate.completion(MODEL, messages=user, stream=True, **kw)
    with pytest.raises(litegate.UnsupportedParamsError):
        litegate.completion(MODEL, messages=user, temperature=0.2, **kw)
    with pytest.raises(litegate.BadRequestError, match="end with a user message"):
        litegate.completion(MODEL, messages=user + [{"role": "assistant", "content": "y"}], **kw)
    with pytest.raises(litegate.BadRequestError, match="text messages only"):
        litegate.completion(
            MODEL,
            messages=[
                {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://x.test/a.png"}}]}
            ],
            **kw,
        )
    with pytest.raises(litegate.AuthenticationError, match="NLP_CLOUD_API_KEY"):
        litegate.completion(MODEL, messages=user, api_base=server.base_url)
    assert server.requests == []
    # with drop_params the sampling parameters are dropped and the call goes through
    resp = litegate.completion(MODEL, messages=user, temperature=0.2, drop_params=True, **kw)
    assert resp.choices[0].message.content == "You said: x" and "temperature" not in server.last_request.json
