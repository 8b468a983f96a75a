"""Every row of the OpenAI-compatible table, end to end through the real call path: the URL a chat
call goes to (the row's default base, or the base variable / api_base for per-deployment hosts), the
auth header carrying the key from the row's first key variable, and the translated answer. Then the
rows with quirks (Sarvam's key header, Parasail's store, SCX's temperature cap, content flattening,
renames, keyless local servers), and one socket round trip per quirk row against FakeOpenAIServer."""

from __future__ import annotations

import json

import pytest

import litegate
from litegate.core.transport import MockResponse, MockTransport
from litegate.providers.openai_compatible import PROVIDERS

ROWS = sorted(PROVIDERS.values(), key=lambda r: r.name)
MSGS = [{"role": "user", "content": "Hello"}]


def _answer(model: str, text: str) -> dict:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 4, "completion_tokens": 3, "total_tokens": 7},
    }


def _client(seen: list, text: str = "row answer") -> litegate.Client:
    def handler(req):
        seen.append(req)
        return MockResponse(200, json=_answer(req.json["model"], text))

    return litegate.Client(transport=MockTransport(handler))


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for row in ROWS:
        for name in row.key_env + row.base_env:
            monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_row_url_auth_and_answer(row, monkeypatch):
    seen: list = []
    key = f"key-for-{row.name}"
    monkeypatch.setenv(row.key_env[0], key)
    base = row.api_base
    if base is None:  # one host per deployment: the base variable names it
        base = f"https://{row.name.replace('_', '-')}.example.test/v1"
        monkeypatch.setenv(row.base_env[0], base)
    resp = _client(seen, f"answer from {row.name}").completion(f"{row.name}/some-org/model-1", messages=MSGS)
    req = seen[0]
    assert req.method == "POST"
    assert req.url == f"{base}/chat/completions"
    assert req.headers["authorization"] == f"Bearer {key}"
    assert req.json["model"] == "some-org/model-1"
    assert req.json["messages"] == MSGS
    assert resp.choices[0].message.content == f"answer from {row.name}"
    assert resp.usage.total_tokens == 7
    assert resp._hidden_params["custom_llm_provider"] == row.name
    assert row.name in litegate.provider_list and row.name in litegate.models_by_provider


def test_there_are_at_least_100_working_providers():
    assert len(litegate.provider_list) >= 100
    assert set(litegate.provider_list) == set(litegate.models_by_provider)
    for name in ("baseten", "maritalk", "azure_ai", "vercel_ai_gateway", "zai", "minimax", "sarvam"):
        assert name in litegate.provider_list, name
    assert "petals" in litegate.provider_list


def test_sarvam_sends_the_key_in_its_subscription_header_too():
    seen: list = []
    _client(seen).completion("sarvam/sarvam-m", messages=MSGS, api_key="sv-key", max_completion_tokens=9)
    h = seen[0].headers
    assert h["api-subscription-key"] == "sv-key" and h["authorization"] == "Bearer sv-key"
    assert seen[0].json["max_tokens"] == 9 and "max_completion_tokens" not in seen[0].json


def test_parasail_always_sends_store_false():
    seen: list = []
    client = _client(seen)
    client.completion("parasail/parasail-llama-33-70b-fp8", messages=MSGS, api_key="k")
    assert seen[0].json["store"] is False
    client.completion("parasail/parasail-llama-33-70b-fp8", messages=MSGS, api_key="k", store=True)
    assert seen[1].json["store"] is False


def test_scx_caps_temperature():
    seen: list = []
    client = _client(seen)
    client.completion("scx-ai/llama-4", messages=MSGS, api_key="k", temperature=2.0)
    client.completion("scx-ai/llama-4", messages=MSGS, api_key="k", temperature=0.7)
    assert seen[0].json["temperature"] == 1.99 and seen[1].json["temperature"] == 0.7


@pytest.mark.parametrize("provider", ["publicai", "morph"])
def test_text_part_lists_become_strings_for_string_only_rows(provider):
    seen: list = []
    parts = [{"role": "user", "content": [{"type": "text", "text": "Hel"}, {"type": "text", "text": "lo"}]}]
    image = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "see"},
                {"type": "image_url", "image_url": {"url": "https://x.test/a.png"}},
            ],
        }
    ]
    client = _client(seen)
    client.completion(f"{provider}/m", messages=parts, api_key="k")
    assert seen[0].json["messages"] == [{"role": "user", "content": "Hello"}]
    assert parts[0]["content"][0] == {"type": "text", "text": "Hel"}  # the caller's messages are untouched
    client.completion(f"{provider}/m", messages=image, api_key="k")
    assert seen[1].json["messages"] == image  # not text-only: sent as given
    seen.clear()
    _client(seen).completion("groq/llama-3.1-8b-instant", messages=parts, api_key="k")
    assert seen[0].json["messages"] == parts  # other rows keep the part list


def test_morph_refuses_tools_before_any_request():
    seen: list = []
    tools = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]
    with pytest.raises(litegate.UnsupportedParamsError):
        _client(seen).completion("morph/morph-v3-large", messages=MSGS, api_key="k", tools=tools)
    assert seen == []


def test_streamlake_renames_max_tokens():
    seen: list = []
    _client(seen).completion("streamlake/ep-123", messages=MSGS, api_key="k", max_tokens=12)
    assert seen[0].json["max_completion_tokens"] == 12 and "max_tokens" not in seen[0].json
    assert seen[0].url == "https://vanchin.streamlake.ai/api/gateway/v1/endpoints/chat/completions"


@pytest.mark.parametrize(
    "provider,url",
    [
        ("lemonade", "http://localhost:8000/api/v1/chat/completions"),
        ("ovhcloud", "https://oai.endpoints.kepler.ai.cloud.ovh.net/v1/chat/completions"),
    ],
)
def test_keyless_rows_send_no_authorization(provider, url):
    seen: list = []
    _client(seen).completion(f"{provider}/Qwen3-0.6B-GGUF", messages=MSGS)
    assert seen[0].url == url and "authorization" not in seen[0].headers


def test_keyed_row_without_a_key_fails_before_any_request():
    seen: list = []
    with pytest.raises(litegate.AuthenticationError, match="ZAI_API_KEY"):
        _client(seen).completion("zai/glm-4.6", messages=MSGS)
    assert seen == []


def test_vercel_embeddings_route():
    seen: list = []

    def handler(req):
        seen.append(req)
        return MockResponse(
            200,
            json={
                "object": "list",
                "model": "openai/text-embedding-3-small",
                "data": [{"object": "embedding", "index": 0, "embedding": [0.5, 0.25]}],
                "usage": {"prompt_tokens": 1, "total_tokens": 1},
            },
        )

    client = litegate.Client(transport=MockTransport(handler))
    resp = client.embedding("vercel_ai_gateway/openai/text-embedding-3-small", input=["a"], api_key="vk")
    assert seen[0].url == "https://ai-gateway.vercel.sh/v1/embeddings"
    assert resp.data[0]["embedding"] == [0.5, 0.25]


@pytest.mark.parametrize("provider", ["sarvam", "parasail", "publicai", "wandb", "baseten", "maritalk"])
def test_quirk_rows_over_a_socket_sync_and_stream(provider):
    from litegate.testing import FakeOpenAIServer

    with FakeOpenAIServer(require_key="sk-row") as srv:
        resp = litegate.completion(f"{provider}/model-x", messages=MSGS, api_key="sk-row", api_base=srv.base_url)
        assert srv.last_request.path == "/v1/chat/completions"
        assert resp.choices[0].message.content == "This is a fake reply to: Hello"
        chunks = list(
            litegate.completion(
                f"{provider}/model-x", messages=MSGS, api_key="sk-row", api_base=srv.base_url, stream=True
            )
        )
        assert (
            "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "This is a fake reply to: Hello"
        )
        assert json.loads(srv.last_request.body)["stream"] is True
