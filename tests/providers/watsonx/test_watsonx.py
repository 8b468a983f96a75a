"""IBM watsonx.ai chat: the IAM token exchange through the call's transport (cached, renewed before
it expires), the chat and chat_stream routes, project / space ids, against FakeWatsonxServer."""

from __future__ import annotations

import asyncio

import pytest

import litegate
from litegate.providers import watsonx

KEY = "wx-api-key"
MODEL = "watsonx/ibm/granite-3-8b-instruct"


@pytest.fixture
def server(monkeypatch):
    from litegate.testing import FakeWatsonxServer

    for name in (
        "WATSONX_APIKEY",
        "WATSONX_API_KEY",
        "WATSONX_TOKEN",
        "WATSONX_URL",
        "WATSONX_API_BASE",
        "WATSONX_PROJECT_ID",
        "WATSONX_SPACE_ID",
        "WATSONX_DEPLOYMENT_SPACE_ID",
    ):
        monkeypatch.delenv(name, raising=False)
    watsonx.clear_tokens()
    with FakeWatsonxServer(api_keys=(KEY,)) as srv:
        monkeypatch.setenv("WATSONX_IAM_URL", srv.iam_url)
        yield srv
    watsonx.clear_tokens()


def test_chat_with_iam_exchange_and_cache(server, monkeypatch):
    monkeypatch.setenv("WATSONX_URL", server.url)
    monkeypatch.setenv("WATSONX_APIKEY", KEY)
    monkeypatch.setenv("WATSONX_PROJECT_ID", "proj-1")
    resp = litegate.completion(MODEL, messages=[{"role": "user", "content": "Hello there"}], max_tokens=50)
    req = server.last_request
    assert req.path == "/ml/v1/text/chat" and req.query == {"version": "2024-03-14"}
    assert req.header("authorization") == "Bearer " + server.issued[0]
    assert req.json == {
        "model_id": "ibm/granite-3-8b-instruct",
        "project_id": "proj-1",
        "messages": [{"role": "user", "content": "Hello there"}],
        "max_tokens": 50,
    }
    assert resp.choices[0].message.content
    assert resp.model == "ibm/granite-3-8b-instruct"
    litegate.completion(MODEL, messages=[{"role": "user", "content": "Again"}])
    assert server.token_calls == 1  # cached
    assert KEY not in str(server.requests[-1].headers)


def test_stream_async_space_and_deployment(server):
    kw = dict(api_base=server.url, api_key=KEY)
    chunks = list(
        litegate.completion(MODEL, messages=[{"role": "user", "content": "Hi"}], stream=True, project_id="p", **kw)
    )
    assert server.last_request.path == "/ml/v1/text/chat_stream"
    assert server.last_request.header("accept") == "text/event-stream"
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices).startswith("This is a fake reply")

    async def go():
        return await litegate.acompletion(
            "watsonx/deployment/my-dep", messages=[{"role": "user", "content": "Hi"}], space_id="space-9", **kw
        )

    resp = asyncio.run(go())
    assert server.last_request.path == "/ml/v1/deployments/my-dep/text/chat"
    assert server.last_request.json["space_id"] == "space-9" and "model_id" not in server.last_request.json
    assert resp.choices[0].message.content


def test_a_token_near_its_expiry_is_renewed(server):
    import time

    kw = dict(api_base=server.url, api_key=KEY, project_id="p")
    litegate.completion(MODEL, messages=[{"role": "user", "content": "Hi"}], **kw)
    with watsonx._lock:
        for key, (token, _) in list(watsonx._tokens.items()):
            watsonx._tokens[key] = (token, time.time() + 60)  # inside the five-minute margin
    server.expire_tokens()
    litegate.completion(MODEL, messages=[{"role": "user", "content": "Hi"}], **kw)
    assert server.token_calls == 2
    assert server.last_request.header("authorization") == "Bearer " + server.issued[1]


def test_errors(server):
    with pytest.raises(litegate.AuthenticationError, match="could not be found"):
        litegate.completion(
            MODEL, messages=[{"role": "user", "content": "x"}], api_base=server.url, api_key="wrong", project_id="p"
        )
    with pytest.raises(litegate.BadRequestError, match="project_id"):
        litegate.completion(MODEL, messages=[{"role": "user", "content": "x"}], api_base=server.url, api_key=KEY)
    with pytest.raises(litegate.BadRequestError, match="api_base"):
        litegate.completion(MODEL, messages=[{"role": "user", "content": "x"}], api_key=KEY, project_id="p")
    assert "watsonx" in litegate.provider_list


def test_a_given_token_skips_the_exchange(server):
    server._valid.add("direct-token")
    litegate.completion(
        MODEL, messages=[{"role": "user", "content": "x"}], api_base=server.url, token="direct-token", project_id="p"
    )
    assert server.last_request.header("authorization") == "Bearer direct-token"
    assert server.token_calls == 0


# ------------------------------------------------------------------------------ embeddings


def test_embeddings_route_body_token_and_usage(server, monkeypatch):
    from litegate.testing import embedding_vector

    monkeypatch.setenv("WATSONX_URL", server.url)
    monkeypatch.setenv("WATSONX_APIKEY", KEY)
    monkeypatch.setenv("WATSONX_PROJECT_ID", "proj-1")
    texts = ["first text here", "second"]
    resp = litegate.embedding("watsonx/ibm/slate-125m-english-rtrvr", input=texts, truncate_input_tokens=128)
    req = server.last_request
    assert req.path == "/ml/v1/text/embeddings" and req.query["version"]
    assert req.json == {
        "inputs": texts,
        "model_id": "ibm/slate-125m-english-rtrvr",
        "project_id": "proj-1",
        "parameters": {"truncate_input_tokens": 128},
    }
    assert req.header("authorization") == "Bearer " + server.issued[-1]  # the exchanged IAM token
    assert [d["embedding"] for d in resp.data] == [embedding_vector(t, 768) for t in texts]
    assert [d["index"] for d in resp.data] == [0, 1]
    assert resp.usage.prompt_tokens == 4  # the answer's input_token_count
    assert resp._hidden_params["custom_llm_provider"] == "watsonx"


def test_embeddings_async_with_a_space_and_a_given_token(server):
    import asyncio

    token = "given-token"
    server._valid.add(token)

    async def main():
        return await litegate.aembedding(
            "watsonx/ibm/slate-30m-english-rtrvr", input="one", api_base=server.url, space_id="space-9", token=token
        )

    resp = asyncio.run(main())
    assert server.last_request.json == {
        "inputs": ["one"],
        "model_id": "ibm/slate-30m-english-rtrvr",
        "space_id": "space-9",
    }
    assert server.last_request.header("authorization") == "Bearer given-token"
    assert server.token_calls == 0 and len(resp.data) == 1


def test_embeddings_bad_input_fails_before_any_request(server):
    kw = dict(api_base=server.url, api_key=KEY)
    with pytest.raises(litegate.BadRequestError, match="project_id"):
        litegate.embedding("watsonx/ibm/slate-125m-english-rtrvr", input="x", **kw)
    with pytest.raises(litegate.UnsupportedParamsError):
        litegate.embedding("watsonx/ibm/slate-125m-english-rtrvr", input="x", dimensions=256, project_id="p", **kw)
    with pytest.raises(litegate.BadRequestError, match="deployment"):
        litegate.embedding("watsonx/deployment/dep-1", input="x", project_id="p", **kw)
    assert server.hits("/ml/v1/text/embeddings") == 0
