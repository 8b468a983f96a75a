"""The OpenAI-compatible rows of providers the guide names (AI21, Aleph Alpha): the URL each call
goes to, its auth header, and a translated answer (Aleph Alpha's recorded, AI21's per its spec)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import litegate
from litegate.core.transport import MockResponse, MockTransport

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "aleph-alpha"


def _cassette(name):
    yaml = pytest.importorskip("yaml")
    data = yaml.safe_load((FIXTURES / name).read_text(encoding="utf-8"))
    return data["interactions"][0]


@pytest.fixture(autouse=True)
def _clean(monkeypatch):
    for name in ("AI21_API_KEY", "AI21_API_BASE", "ALEPH_ALPHA_API_KEY", "ALEPH_ALPHA_API_BASE"):
        monkeypatch.delenv(name, raising=False)


def _client(answer, seen, content_type="application/json"):
    def handler(req):
        seen.append(req)
        return MockResponse(200, content=answer, headers={"content-type": content_type})

    return litegate.Client(transport=MockTransport(handler))


def test_aleph_alpha_recorded_chat(monkeypatch):
    rec = _cassette("test_chat_test_can_chat_with_chat_model.yaml")
    seen = []
    client = _client(rec["response"]["body"]["string"], seen)
    monkeypatch.setenv("ALEPH_ALPHA_API_KEY", "aa-token")
    monkeypatch.setenv("ALEPH_ALPHA_API_BASE", "https://b.inference.pharia.ai/v1")
    body = rec["request"]["body"]
    body = json.loads(body) if isinstance(body, str) else body
    resp = client.completion("aleph_alpha/" + body["model"], messages=body["messages"])
    assert seen[0].url == rec["request"]["uri"]
    assert seen[0].headers["authorization"] == "Bearer aa-token"
    assert seen[0].json == body
    answer = json.loads(rec["response"]["body"]["string"])
    assert resp.choices[0].message.content == answer["choices"][0]["message"]["content"]
    assert resp.usage.total_tokens == answer["usage"]["total_tokens"]
    assert resp._hidden_params["custom_llm_provider"] == "aleph_alpha"


def test_aleph_alpha_recorded_stream():
    rec = _cassette("test_chat_test_can_chat_with_streaming_support.yaml")
    seen = []
    client = _client(rec["response"]["body"]["string"], seen, "text/event-stream")
    body = rec["request"]["body"]
    body = json.loads(body) if isinstance(body, str) else body
    chunks = list(
        client.completion(
            "aleph_alpha/" + body["model"],
            messages=body["messages"],
            stream=True,
            api_key="aa-token",
            api_base="https://b.inference.pharia.ai/v1",
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    raw = rec["response"]["body"]["string"]
    want = "".join(
        (json.loads(line[6:])["choices"] or [{}])[0].get("delta", {}).get("content") or ""
        for line in raw.split("\n")
        if line.startswith("data: {")
    )
    assert text == want and text


def test_aleph_alpha_needs_a_host():
    with pytest.raises(litegate.BadRequestError, match="api_base"):
        litegate.completion(
            "aleph_alpha/llama-3.1-8b-instruct", messages=[{"role": "user", "content": "x"}], api_key="k"
        )


def test_ai21_chat(monkeypatch):
    answer = {
        "id": "chat-1",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi there"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
    }
    seen = []
    client = _client(json.dumps(answer).encode(), seen)
    monkeypatch.setenv("AI21_API_KEY", "ai21-secret")
    resp = client.completion(
        "ai21/jamba-mini", messages=[{"role": "user", "content": "Hello"}], max_completion_tokens=20
    )
    assert seen[0].url == "https://api.ai21.com/studio/v1/chat/completions"
    assert seen[0].headers["authorization"] == "Bearer ai21-secret"
    assert seen[0].json == {"model": "jamba-mini", "messages": [{"role": "user", "content": "Hello"}], "max_tokens": 20}
    assert resp.choices[0].message.content == "Hi there" and resp.usage.total_tokens == 7


def test_rows_are_listed():
    assert {"ai21", "aleph_alpha"} <= set(litegate.provider_list)


def test_cloudflare_account_url_and_gateway(monkeypatch):
    answer = {
        "id": "c",
        "object": "chat.completion",
        "created": 1,
        "model": "@cf/meta/llama-3.1-8b-instruct",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
    }
    seen = []
    client = _client(json.dumps(answer).encode(), seen)
    for name in ("CLOUDFLARE_API_KEY", "CLOUDFLARE_API_TOKEN", "CLOUDFLARE_ACCOUNT_ID", "CLOUDFLARE_API_BASE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", "cf-token")
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", "0123456789abcdef0123456789abcdef")
    resp = client.completion("cloudflare/@cf/meta/llama-3.1-8b-instruct", messages=[{"role": "user", "content": "x"}])
    assert seen[0].url == (
        "https://api.cloudflare.com/client/v4/accounts/0123456789abcdef0123456789abcdef/ai/v1/chat/completions"
    )
    assert seen[0].headers["authorization"] == "Bearer cf-token"
    assert seen[0].json["model"] == "@cf/meta/llama-3.1-8b-instruct"
    assert resp.choices[0].message.content == "ok"
    client.completion("cloudflare/@cf/x", messages=[{"role": "user", "content": "x"}], account_id="acct-2")
    assert seen[-1].url.startswith("https://api.cloudflare.com/client/v4/accounts/acct-2/ai/v1/")
    assert "account_id" not in seen[-1].json
    monkeypatch.delenv("CLOUDFLARE_ACCOUNT_ID")
    with pytest.raises(litegate.BadRequestError, match="account"):
        client.completion("cloudflare/@cf/x", messages=[{"role": "user", "content": "x"}])


def test_cloudflare_over_a_socket():
    from litegate.testing import FakeOpenAIServer

    with FakeOpenAIServer(require_key="cf-token") as srv:
        resp = litegate.completion(
            "cloudflare/@cf/meta/llama-3.1-8b-instruct",
            messages=[{"role": "user", "content": "Hi"}],
            api_key="cf-token",
            api_base=srv.base_url,
        )
        assert srv.last_request.path == "/v1/chat/completions"
        assert resp.choices[0].message.content
        emb = litegate.embedding(
            "cloudflare/@cf/baai/bge-large-en-v1.5", input=["a"], api_key="cf-token", api_base=srv.base_url
        )
        assert srv.last_request.path == "/v1/embeddings" and emb.data


def test_databricks_workspace_row(monkeypatch):
    seen = []
    answer = {
        "id": "d",
        "object": "chat.completion",
        "created": 1,
        "model": "databricks-meta-llama-3-3-70b-instruct",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
    client = _client(json.dumps(answer).encode(), seen)
    monkeypatch.setenv("DATABRICKS_API_KEY", "dapi-123")
    monkeypatch.setenv("DATABRICKS_API_BASE", "https://adb-1234.5.azuredatabricks.net/serving-endpoints")
    resp = client.completion(
        "databricks/databricks-meta-llama-3-3-70b-instruct", messages=[{"role": "user", "content": "x"}]
    )
    assert seen[0].url == "https://adb-1234.5.azuredatabricks.net/serving-endpoints/chat/completions"
    assert seen[0].headers["authorization"] == "Bearer dapi-123"
    assert resp.choices[0].message.content == "hi"
