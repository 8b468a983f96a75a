"""Azure AI Foundry model inference (``azure_ai/``): its own provider, not Azure OpenAI. The URL
(``{resource}/api/models/chat/completions`` with the model in the body), ``api-version``, the
``api-key`` header or an Entra ID bearer token, the ``extra-parameters`` header, streaming and
Azure's error envelope, against FakeAzureAIServer."""

from __future__ import annotations

import asyncio

import pytest

import litegate

KEY = "azure-ai-key-0123456789"
MODEL = "azure_ai/Llama-3.3-70B-Instruct"
MSGS = [{"role": "user", "content": "Hello there"}]


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    for name in (
        "AZURE_AI_API_KEY",
        "AZURE_AI_API_BASE",
        "AZURE_AI_API_VERSION",
        "AZURE_AD_TOKEN",
        "AZURE_API_KEY",
        "AZURE_API_BASE",
        "AZURE_API_VERSION",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server():
    from litegate.testing import FakeAzureAIServer

    with FakeAzureAIServer(require_key=KEY) as srv:
        yield srv


def test_chat_url_key_header_version_and_model_in_body(server):
    resp = litegate.completion(MODEL, MSGS, api_key=KEY, api_base=server.base_url, temperature=0.5)
    req = server.last_request
    assert req.path == "/api/models/chat/completions"
    assert req.query == {"api-version": "2025-05-01"}
    assert req.header("api-key") == KEY and req.header("authorization") is None
    assert req.json == {"model": "Llama-3.3-70B-Instruct", "messages": MSGS, "temperature": 0.5}
    assert req.header("extra-parameters") is None  # nothing non-standard sent
    assert resp.choices[0].message.content == "This is a fake reply to: Hello there"
    assert resp.usage.total_tokens > 0
    assert resp._hidden_params["custom_llm_provider"] == "azure_ai"


def test_environment_and_module_settings(server, monkeypatch):
    monkeypatch.setenv("AZURE_AI_API_BASE", server.base_url + "/")
    monkeypatch.setenv("AZURE_AI_API_VERSION", "2024-05-01-preview")
    monkeypatch.setenv("AZURE_AI_API_KEY", KEY)
    monkeypatch.setenv("AZURE_API_KEY", "the-azure-openai-key")  # Azure OpenAI's key is not read
    litegate.completion(MODEL, MSGS)
    req = server.last_request
    assert req.path == "/api/models/chat/completions"
    assert req.query == {"api-version": "2024-05-01-preview"}
    assert req.header("api-key") == KEY
    monkeypatch.delenv("AZURE_AI_API_KEY")
    monkeypatch.setattr(litegate, "azure_ai_key", KEY, raising=False)
    litegate.completion(MODEL, MSGS)
    assert server.last_request.header("api-key") == KEY


def test_entra_id_token_and_token_provider(server):
    server.require_key = "entra-token-1"
    litegate.completion(MODEL, MSGS, azure_ad_token="entra-token-1", api_base=server.base_url)
    req = server.last_request
    assert req.header("authorization") == "Bearer entra-token-1" and req.header("api-key") is None
    tokens = iter(["entra-token-1", "entra-token-2"])
    litegate.completion(MODEL, MSGS, azure_ad_token_provider=lambda: next(tokens), api_base=server.base_url)
    assert server.last_request.header("authorization") == "Bearer entra-token-1"
    server.require_key = "entra-token-2"  # asked again on the next call: a refreshed token is used
    litegate.completion(MODEL, MSGS, azure_ad_token_provider=lambda: next(tokens), api_base=server.base_url)
    assert server.last_request.header("authorization") == "Bearer entra-token-2"


def test_missing_credentials_fail_before_any_request(server):
    with pytest.raises(litegate.AuthenticationError, match="AZURE_AI_API_KEY"):
        litegate.completion(MODEL, MSGS, api_base=server.base_url)
    with pytest.raises(litegate.BadRequestError, match="AZURE_AI_API_BASE"):
        litegate.completion(MODEL, MSGS, api_key=KEY)
    assert server.hits() == 0


def test_non_standard_fields_go_with_extra_parameters_pass_through(server):
    litegate.completion(MODEL, MSGS, api_key=KEY, api_base=server.base_url, top_k=20, safe_prompt=True)
    req = server.last_request
    assert req.header("extra-parameters") == "pass-through"
    assert req.json["top_k"] == 20 and req.json["safe_prompt"] is True
    # the caller's own header wins (e.g. "drop")
    litegate.completion(
        MODEL, MSGS, api_key=KEY, api_base=server.base_url, top_k=20, extra_headers={"extra-parameters": "drop"}
    )
    assert server.last_request.header("extra-parameters") == "drop"


def test_embeddings(server):
    resp = litegate.embedding("azure_ai/Cohere-embed-v3-english", ["a", "b"], api_key=KEY, api_base=server.base_url)
    req = server.last_request
    assert req.path == "/api/models/embeddings" and req.query == {"api-version": "2025-05-01"}
    assert req.json == {"model": "Cohere-embed-v3-english", "input": ["a", "b"]}
    assert len(resp.data) == 2 and len(resp.data[0]["embedding"]) > 0


def test_stream(server):
    chunks = list(litegate.completion(MODEL, MSGS, api_key=KEY, api_base=server.base_url, stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "This is a fake reply to: Hello there"
    assert server.last_request.json["stream"] is True
    assert server.last_request.path == "/api/models/chat/completions"


def test_async_and_async_stream(server):
    async def main():
        resp = await litegate.acompletion(MODEL, MSGS, api_key=KEY, api_base=server.base_url)
        stream = await litegate.acompletion(MODEL, MSGS, api_key=KEY, api_base=server.base_url, stream=True)
        parts = [c.choices[0].delta.content or "" async for c in stream if c.choices]
        return resp, "".join(parts)

    resp, text = asyncio.run(main())
    assert resp.choices[0].message.content == text == "This is a fake reply to: Hello there"
    assert server.last_request.query == {"api-version": "2025-05-01"}


@pytest.mark.parametrize(
    "status,code,exc",
    [
        (400, "Extra parameters not allowed", litegate.BadRequestError),
        (401, "Unauthorized", litegate.AuthenticationError),
        (403, "Forbidden", litegate.PermissionDeniedError),
        (404, "DeploymentNotFound", litegate.NotFoundError),
        (429, "TooManyRequests", litegate.RateLimitError),
        (500, "InternalServerError", litegate.InternalServerError),
        (503, "ServiceUnavailable", litegate.ServiceUnavailableError),
    ],
)
def test_error_envelope_maps_to_the_exception_class(server, status, code, exc):
    server.enqueue_azure_error(status, code, f"azure says {code}")
    with pytest.raises(exc) as info:
        litegate.completion(MODEL, MSGS, api_key=KEY, api_base=server.base_url, num_retries=0)
    assert f"azure says {code}" in str(info.value)
    assert info.value.llm_provider == "azure_ai"
    assert KEY not in str(info.value)


def test_fake_server_refuses_what_the_service_refuses(server):
    # without the header the service rejects unknown fields: shows the header matters
    import httpx

    r = httpx.post(
        server.base_url + "/chat/completions",
        params={"api-version": "2025-05-01"},
        headers={"api-key": KEY},
        json={"model": "m", "messages": MSGS, "top_k": 1},
    )
    assert r.status_code == 400 and r.headers["x-ms-error-code"] == "Extra parameters not allowed"
    r = httpx.post(
        server.base_url + "/chat/completions", headers={"api-key": KEY}, json={"model": "m", "messages": MSGS}
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "MissingApiVersionParameter"


def test_wrong_key_is_an_authentication_error(server):
    with pytest.raises(litegate.AuthenticationError):
        litegate.completion(MODEL, MSGS, api_key="wrong-key", api_base=server.base_url, num_retries=0)


def test_azure_ai_is_not_azure_openai():
    from litegate.providers import get_provider

    assert get_provider("azure_ai").name == "azure_ai"
    assert "azure_ai" in litegate.provider_list
    from litegate.providers.spec import get_spec

    assert get_spec("azure_ai").key_env == ("AZURE_AI_API_KEY",)
    assert get_spec("azure_openai").name == "azure"
