"""Credential and endpoint resolution, observed in what the fake server received.

Priority (spec section 3): per-call argument, then code configuration (the provider's own
setting, then the generic ``litegate.api_key``), then environment variables.
"""

from __future__ import annotations

import re

import pytest
from _core_helpers import user_messages

import litegate
from litegate.core.call import build_chat_call, build_embedding_call
from litegate.core.endpoints import BY_KIND
from litegate.core.lifecycle import make_plan
from litegate.providers.openai_compatible import PROVIDERS

MODEL = "gpt-4o-mini"
ROWS = sorted(PROVIDERS.values(), key=lambda r: r.name)


def _plan(model, cfg=litegate, kind="chat", **kw):
    if kind == "chat":
        call = build_chat_call(model, user_messages(), dict(kw))
    else:
        call = build_embedding_call(model, "hello", dict(kw))
    return make_plan(call, cfg, BY_KIND[kind])


# --------------------------------------------------------------------------------- OpenAI key

KEY_LAYERS = ["per_call", "openai_key", "api_key", "env"]


@pytest.mark.parametrize("top", KEY_LAYERS)
def test_openai_key_priority(server, monkeypatch, top):
    """Every source below ``top`` is set too; the key that arrives is the one from ``top``."""
    values = {layer: f"sk-{layer.replace('_', '')}-layer-000111" for layer in KEY_LAYERS}
    active = KEY_LAYERS[KEY_LAYERS.index(top) :]
    if "env" in active:
        monkeypatch.setenv("OPENAI_API_KEY", values["env"])
    if "api_key" in active:
        litegate.api_key = values["api_key"]
    if "openai_key" in active:
        litegate.openai_key = values["openai_key"]
    kw = {"api_key": values["per_call"]} if "per_call" in active else {}
    litegate.completion(MODEL, user_messages(), api_base=server.base_url, **kw)
    assert server.last_request.header("authorization") == f"Bearer {values[top]}"


async def test_openai_key_priority_async(server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-key-000000")
    litegate.openai_key = "sk-module-key-000000"
    await litegate.acompletion(MODEL, user_messages(), api_base=server.base_url)
    assert server.last_request.header("authorization") == "Bearer sk-module-key-000000"
    await litegate.acompletion(MODEL, user_messages(), api_base=server.base_url, api_key="sk-call-key-000000")
    assert server.last_request.header("authorization") == "Bearer sk-call-key-000000"


def test_settings_are_read_at_call_time(server):
    litegate.openai_key = "sk-first-000000000"
    litegate.completion(MODEL, user_messages(), api_base=server.base_url)
    litegate.openai_key = "sk-second-00000000"
    litegate.completion(MODEL, user_messages(), api_base=server.base_url)
    assert [r.header("authorization") for r in server.requests] == [
        "Bearer sk-first-000000000",
        "Bearer sk-second-00000000",
    ]


def test_empty_per_call_key_falls_through(server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-key-111111")
    litegate.completion(MODEL, user_messages(), api_base=server.base_url, api_key=None)
    assert server.last_request.header("authorization") == "Bearer sk-env-key-111111"


def test_missing_key_fails_before_any_network_hit(server):
    with pytest.raises(litegate.AuthenticationError) as info:
        litegate.completion(MODEL, user_messages(), api_base=server.base_url)
    assert server.hits() == 0
    assert "OPENAI_API_KEY" in str(info.value)
    assert info.value.llm_provider == "openai"


async def test_missing_key_async_no_hit(server):
    with pytest.raises(litegate.AuthenticationError):
        await litegate.acompletion(MODEL, user_messages(), api_base=server.base_url)
    with pytest.raises(litegate.AuthenticationError):
        await litegate.aembedding("text-embedding-3-small", "hi", api_base=server.base_url)
    assert server.hits() == 0


def test_missing_key_for_compatible_row_no_hit(server):
    with pytest.raises(litegate.AuthenticationError) as info:
        litegate.completion("groq/llama-3.1-8b-instant", user_messages(), api_base=server.base_url)
    assert server.hits() == 0
    assert "GROQ_API_KEY" in str(info.value)


# --------------------------------------------------------------------------------- api_base


def test_api_base_priority(server, monkeypatch):
    call_base = server.url + "/per-call/v1"
    module_base = server.url + "/module/v1"
    env_base = server.url + "/env/v1"
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-key-222222")
    monkeypatch.setenv("OPENAI_API_BASE", env_base)

    litegate.completion(MODEL, user_messages())
    assert server.last_request.path == "/env/v1/chat/completions"

    litegate.api_base = module_base
    litegate.completion(MODEL, user_messages())
    assert server.last_request.path == "/module/v1/chat/completions"

    resp = litegate.completion(MODEL, user_messages(), api_base=call_base)
    assert server.last_request.path == "/per-call/v1/chat/completions"
    assert resp._hidden_params["api_base"] == call_base


def test_openai_base_url_env(server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-key-333333")
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    litegate.completion(MODEL, user_messages())
    assert server.last_request.path == "/v1/chat/completions"


def test_trailing_slash_in_api_base(server):
    litegate.completion(MODEL, user_messages(), api_key="sk-x-12345678", api_base=server.base_url + "/")
    assert server.last_request.path == "/v1/chat/completions"


def test_default_openai_base_without_configuration(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-key-444444")
    plan = _plan(MODEL)
    assert plan.request.url == "https://api.openai.com/v1/chat/completions"
    assert plan.request.headers["authorization"] == "Bearer sk-env-key-444444"


# --------------------------------------------------------------------------------- organization


def test_organization_header_priority(server, monkeypatch):
    kw = dict(api_key="sk-k-12345678", api_base=server.base_url)
    litegate.completion(MODEL, user_messages(), **kw)
    assert server.last_request.header("openai-organization") is None

    monkeypatch.setenv("OPENAI_ORGANIZATION", "org-env")
    litegate.completion(MODEL, user_messages(), **kw)
    assert server.last_request.header("openai-organization") == "org-env"

    litegate.organization = "org-module"
    litegate.completion(MODEL, user_messages(), **kw)
    assert server.last_request.header("openai-organization") == "org-module"

    litegate.completion(MODEL, user_messages(), organization="org-call", **kw)
    assert server.last_request.header("openai-organization") == "org-call"
    assert "organization" not in server.last_request.json


# --------------------------------------------------------------------------------- Azure

AZURE_KEY = "azure-key-0123456789abcdef"
DEPLOYMENT = "my-gpt4o-deployment"


def test_azure_chat_url_layout_and_api_key_header(server):
    resp = litegate.completion(
        f"azure/{DEPLOYMENT}", user_messages(), api_key=AZURE_KEY, api_base=server.url, api_version="2024-06-01"
    )
    req = server.last_request
    assert req.path == f"/openai/deployments/{DEPLOYMENT}/chat/completions"
    assert req.query == {"api-version": "2024-06-01"}
    assert req.header("api-key") == AZURE_KEY
    assert req.header("authorization") is None
    assert resp.choices[0].message.content
    assert resp._hidden_params["custom_llm_provider"] == "azure"


def test_azure_embeddings_url_layout(server):
    resp = litegate.embedding(
        f"azure/{DEPLOYMENT}", ["a", "b"], api_key=AZURE_KEY, api_base=server.url, api_version="2024-06-01"
    )
    req = server.last_request
    assert req.path == f"/openai/deployments/{DEPLOYMENT}/embeddings"
    assert req.query == {"api-version": "2024-06-01"}
    assert req.header("api-key") == AZURE_KEY
    assert len(resp.data) == 2


def test_azure_request_building_for_a_real_resource_url():
    base = "https://my-resource.openai.azure.com"
    chat = _plan(f"azure/{DEPLOYMENT}", api_key=AZURE_KEY, api_base=base + "/", api_version="2024-06-01")
    assert chat.request.url == f"{base}/openai/deployments/{DEPLOYMENT}/chat/completions"
    assert chat.request.params == {"api-version": "2024-06-01"}
    assert chat.request.headers["api-key"] == AZURE_KEY
    assert "authorization" not in chat.request.headers
    emb = _plan(f"azure/{DEPLOYMENT}", kind="embedding", api_key=AZURE_KEY, api_base=base, api_version="2024-06-01")
    assert emb.request.url == f"{base}/openai/deployments/{DEPLOYMENT}/embeddings"
    assert emb.request.params == {"api-version": "2024-06-01"}


def test_azure_from_environment(server, monkeypatch):
    monkeypatch.setenv("AZURE_API_KEY", AZURE_KEY)
    monkeypatch.setenv("AZURE_API_BASE", server.url + "/")
    monkeypatch.setenv("AZURE_API_VERSION", "2024-02-15-preview")
    litegate.completion(f"azure/{DEPLOYMENT}", user_messages())
    req = server.last_request
    assert req.path == f"/openai/deployments/{DEPLOYMENT}/chat/completions"
    assert req.query == {"api-version": "2024-02-15-preview"}
    assert req.header("api-key") == AZURE_KEY


def test_azure_per_call_version_beats_module_and_env(server, monkeypatch):
    monkeypatch.setenv("AZURE_API_VERSION", "2023-05-15")
    kw = dict(api_key=AZURE_KEY, api_base=server.url)
    litegate.completion(f"azure/{DEPLOYMENT}", user_messages(), **kw)
    assert server.last_request.query["api-version"] == "2023-05-15"
    litegate.api_version = "2024-02-01"
    litegate.completion(f"azure/{DEPLOYMENT}", user_messages(), **kw)
    assert server.last_request.query["api-version"] == "2024-02-01"
    litegate.completion(f"azure/{DEPLOYMENT}", user_messages(), api_version="2024-10-21", **kw)
    assert server.last_request.query["api-version"] == "2024-10-21"


def test_azure_default_api_version(server):
    litegate.completion(f"azure/{DEPLOYMENT}", user_messages(), api_key=AZURE_KEY, api_base=server.url)
    version = server.last_request.query.get("api-version")
    assert version
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}(-preview)?", version)
    assert version == litegate.AZURE_DEFAULT_API_VERSION


def test_azure_key_priority(server, monkeypatch):
    kw = dict(api_base=server.url, api_version="2024-06-01")
    monkeypatch.setenv("AZURE_API_KEY", "azure-env-key-0000")
    litegate.completion(f"azure/{DEPLOYMENT}", user_messages(), **kw)
    assert server.last_request.header("api-key") == "azure-env-key-0000"
    litegate.api_key = "generic-module-key-0000"
    litegate.completion(f"azure/{DEPLOYMENT}", user_messages(), **kw)
    assert server.last_request.header("api-key") == "generic-module-key-0000"
    litegate.azure_key = "azure-module-key-0000"
    litegate.completion(f"azure/{DEPLOYMENT}", user_messages(), **kw)
    assert server.last_request.header("api-key") == "azure-module-key-0000"
    litegate.completion(f"azure/{DEPLOYMENT}", user_messages(), api_key="azure-call-key-0000", **kw)
    assert server.last_request.header("api-key") == "azure-call-key-0000"


def test_azure_ad_token_per_call(server):
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJl"
    litegate.completion(
        f"azure/{DEPLOYMENT}", user_messages(), azure_ad_token=token, api_base=server.url, api_version="2024-06-01"
    )
    req = server.last_request
    assert req.header("authorization") == f"Bearer {token}"
    assert req.header("api-key") is None
    assert req.path == f"/openai/deployments/{DEPLOYMENT}/chat/completions"


def test_azure_ad_token_from_environment(server, monkeypatch):
    monkeypatch.setenv("AZURE_AD_TOKEN", "entra-token-from-env-0000")
    litegate.completion(f"azure/{DEPLOYMENT}", user_messages(), api_base=server.url)
    assert server.last_request.header("authorization") == "Bearer entra-token-from-env-0000"


def test_azure_v1_surface(server):
    litegate.completion(
        f"azure/{DEPLOYMENT}",
        user_messages(),
        api_key=AZURE_KEY,
        api_base=server.url + "/openai/v1",
        api_version="2024-06-01",
    )
    req = server.last_request
    assert req.path == "/openai/v1/chat/completions"
    assert "api-version" not in req.query
    assert req.json["model"] == DEPLOYMENT
    assert req.header("api-key") == AZURE_KEY


def test_azure_missing_credentials_no_hit(server):
    with pytest.raises(litegate.AuthenticationError) as info:
        litegate.completion(f"azure/{DEPLOYMENT}", user_messages(), api_base=server.url)
    assert server.hits() == 0
    assert "AZURE_API_KEY" in str(info.value)


def test_azure_without_base_fails_clearly(server):
    with pytest.raises(litegate.BadRequestError) as info:
        litegate.completion(f"azure/{DEPLOYMENT}", user_messages(), api_key=AZURE_KEY)
    assert "api_base" in str(info.value)
    assert server.hits() == 0


def test_azure_stream(server):
    chunks = list(
        litegate.completion(f"azure/{DEPLOYMENT}", user_messages(), api_key=AZURE_KEY, api_base=server.url, stream=True)
    )
    assert server.last_request.path == f"/openai/deployments/{DEPLOYMENT}/chat/completions"
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


async def test_azure_async(server):
    await litegate.acompletion(f"azure/{DEPLOYMENT}", user_messages(), api_key=AZURE_KEY, api_base=server.url)
    assert server.last_request.path == f"/openai/deployments/{DEPLOYMENT}/chat/completions"
    assert server.last_request.header("api-key") == AZURE_KEY


# --------------------------------------------------------------------------------- compatible rows

ROWS_WITH_BASE = [r for r in ROWS if r.api_base]
KEY_ENV_PAIRS = [(r, env) for r in ROWS for env in r.key_env]


def _row_key(row) -> str:
    return f"{row.name.replace('-', '')}-secret-key-0123456789"


@pytest.mark.parametrize("row", ROWS_WITH_BASE, ids=[r.name for r in ROWS_WITH_BASE])
def test_row_request_building(monkeypatch, row):
    monkeypatch.setenv(row.key_env[0], _row_key(row))
    plan = _plan(f"{row.name}/some-model")
    assert plan.request.url == f"{row.api_base}/chat/completions"
    assert plan.request.method == "POST"
    assert plan.request.headers["authorization"] == f"Bearer {_row_key(row)}"
    assert plan.request.json["model"] == "some-model"
    assert plan.target.provider == row.name


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_row_over_socket_env_key_arrives(server, monkeypatch, row):
    monkeypatch.setenv(row.key_env[0], _row_key(row))
    resp = litegate.completion(f"{row.name}/some-model", user_messages(), api_base=server.base_url)
    req = server.last_request
    assert req.path == "/v1/chat/completions"
    assert req.header("authorization") == f"Bearer {_row_key(row)}"
    assert req.json["model"] == "some-model"
    assert resp.choices[0].message.content
    assert resp._hidden_params["custom_llm_provider"] == row.name


@pytest.mark.parametrize("row,env", KEY_ENV_PAIRS, ids=[f"{r.name}-{e}" for r, e in KEY_ENV_PAIRS])
def test_every_key_variable_of_every_row(server, monkeypatch, row, env):
    monkeypatch.setenv(env, f"value-of-{env}")
    litegate.completion(f"{row.name}/m", user_messages(), api_base=server.base_url)
    assert server.last_request.header("authorization") == f"Bearer value-of-{env}"


ROWS_WITH_BASE_ENV = [r for r in ROWS if r.base_env]


@pytest.mark.parametrize("row", ROWS_WITH_BASE_ENV, ids=[r.name for r in ROWS_WITH_BASE_ENV])
def test_row_base_env_points_at_server(server, monkeypatch, row):
    monkeypatch.setenv(row.key_env[0], _row_key(row))
    monkeypatch.setenv(row.base_env[0], server.url + f"/{row.name}/v1")
    litegate.completion(f"{row.name}/m", user_messages())
    assert server.last_request.path == f"/{row.name}/v1/chat/completions"
    assert server.last_request.header("authorization") == f"Bearer {_row_key(row)}"


ROWS_WITH_SETTING = [r for r in ROWS if r.key_settings]


@pytest.mark.parametrize("row", ROWS_WITH_SETTING, ids=[r.name for r in ROWS_WITH_SETTING])
def test_row_module_setting_beats_env_and_per_call_beats_setting(server, monkeypatch, row):
    monkeypatch.setenv(row.key_env[0], "from-env-000000000")
    monkeypatch.setattr(litegate, row.key_settings[0], "from-setting-0000000", raising=False)
    litegate.completion(f"{row.name}/m", user_messages(), api_base=server.base_url)
    assert server.last_request.header("authorization") == "Bearer from-setting-0000000"
    litegate.completion(f"{row.name}/m", user_messages(), api_base=server.base_url, api_key="from-call-000000000")
    assert server.last_request.header("authorization") == "Bearer from-call-000000000"


def test_generic_api_key_used_for_rows(server):
    litegate.api_key = "generic-module-key-1111"
    litegate.completion("groq/llama-3.1-8b-instant", user_messages(), api_base=server.base_url)
    assert server.last_request.header("authorization") == "Bearer generic-module-key-1111"


KEYLESS_ROWS = [r for r in ROWS if not r.key_required]


@pytest.mark.parametrize("row", KEYLESS_ROWS, ids=[r.name for r in KEYLESS_ROWS])
def test_keyless_rows_work_without_key(server, row):
    resp = litegate.completion(f"{row.name}/local-model", user_messages(), api_base=server.base_url)
    req = server.last_request
    assert req.header("authorization") is None
    assert req.json["model"] == "local-model"
    assert resp.choices[0].message.content


def test_required_keyless_rows_present():
    assert {"hosted_vllm", "lm_studio"} <= {r.name for r in KEYLESS_ROWS}


def test_hosted_vllm_without_api_base_fails_clearly(server):
    with pytest.raises(litegate.BadRequestError) as info:
        litegate.completion("hosted_vllm/my-model", user_messages())
    msg = str(info.value)
    assert "api_base" in msg
    assert "hosted_vllm" in msg
    assert server.hits() == 0


def test_hosted_vllm_any_api_base(server, monkeypatch):
    monkeypatch.setenv("HOSTED_VLLM_API_BASE", server.url + "/vllm/v1")
    litegate.completion("hosted_vllm/my-model", user_messages())
    assert server.last_request.path == "/vllm/v1/chat/completions"
    litegate.completion("hosted_vllm/my-model", user_messages(), api_base=server.url + "/other/v1")
    assert server.last_request.path == "/other/v1/chat/completions"


def test_custom_llm_provider_selects_row(server, monkeypatch):
    monkeypatch.setenv("DEEPSEEK_API_KEY", "deepseek-key-00000000")
    resp = litegate.completion(
        "deepseek-chat", user_messages(), custom_llm_provider="deepseek", api_base=server.base_url
    )
    assert server.last_request.header("authorization") == "Bearer deepseek-key-00000000"
    assert server.last_request.json["model"] == "deepseek-chat"
    assert resp._hidden_params["custom_llm_provider"] == "deepseek"


EMBEDDING_ROWS = [r for r in ROWS if "embedding" in r.endpoints]


@pytest.mark.parametrize("row", EMBEDDING_ROWS, ids=[r.name for r in EMBEDDING_ROWS])
def test_row_embeddings(server, monkeypatch, row):
    monkeypatch.setenv(row.key_env[0], _row_key(row))
    resp = litegate.embedding(f"{row.name}/embed-model", ["x", "y"], api_base=server.base_url)
    req = server.last_request
    assert req.path == "/v1/embeddings"
    assert req.header("authorization") == f"Bearer {_row_key(row)}"
    assert req.json["model"] == "embed-model"
    assert [d.index for d in resp.data] == [0, 1]
