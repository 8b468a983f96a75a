"""Voyage AI and Jina AI embeddings and reranking, end to end against FakeRetrievalServer (each
provider's request schema enforced), with costs from the registry."""

from __future__ import annotations

import asyncio

import pytest

import litegate

KEY = "retrieval-key"


@pytest.fixture(params=["voyage", "jina"])
def setup(request, monkeypatch):
    from litegate.testing import FakeRetrievalServer

    for name in ("VOYAGE_API_KEY", "JINA_AI_API_KEY", "JINA_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    with FakeRetrievalServer(flavor=request.param, require_key=KEY) as srv:
        prefix = "voyage" if request.param == "voyage" else "jina_ai"
        yield request.param, prefix, srv


def test_embeddings(setup):
    flavor, prefix, srv = setup
    model = "voyage-3" if flavor == "voyage" else "jina-embeddings-v3"
    extra = {"input_type": "query"} if flavor == "voyage" else {"task": "retrieval.query"}
    resp = litegate.embedding(
        f"{prefix}/{model}", input=["hello world", "bye"], dimensions=256, api_key=KEY, api_base=srv.base_url, **extra
    )
    req = srv.last_request
    assert req.path == "/v1/embeddings" and req.header("authorization") == "Bearer " + KEY
    dim_field = "output_dimension" if flavor == "voyage" else "dimensions"
    assert req.json == {"model": model, "input": ["hello world", "bye"], dim_field: 256, **extra}
    assert [len(d["embedding"]) for d in resp.data] == [256, 256]
    assert resp.usage.prompt_tokens == 3
    assert resp._hidden_params["custom_llm_provider"] == prefix


def test_rerank_sync_and_async(setup):
    flavor, prefix, srv = setup
    model = "rerank-2" if flavor == "voyage" else "jina-reranker-v2-base-multilingual"
    docs = ["the cat sat", "dogs bark loudly", {"text": "a cat and a dog"}]
    resp = litegate.rerank(
        f"{prefix}/{model}", query="cat dog", documents=docs, top_n=2, api_key=KEY, api_base=srv.base_url
    )
    body = srv.last_request.json
    assert body["documents"] == ["the cat sat", "dogs bark loudly", "a cat and a dog"]
    assert body["top_k" if flavor == "voyage" else "top_n"] == 2
    assert [r.index for r in resp.results] == [2, 0]
    assert resp.results[0].document == {"text": "a cat and a dog"}
    info = litegate.get_model_info(
        f"{prefix}/{model}" if flavor == "voyage" else model,
        custom_llm_provider=None if flavor == "voyage" else "jina_ai",
    )
    assert info["mode"] == "rerank"
    assert resp._hidden_params["response_cost"] is not None

    async def go():
        return await litegate.arerank(
            f"{prefix}/{model}", query="bark", documents=["dogs bark loudly", "x"], api_key=KEY, api_base=srv.base_url
        )

    assert asyncio.run(go()).results[0].index == 0


def test_errors(setup):
    flavor, prefix, srv = setup
    with pytest.raises(litegate.AuthenticationError):
        litegate.embedding(f"{prefix}/m", input="x", api_key="wrong", api_base=srv.base_url)
    with pytest.raises(litegate.UnsupportedParamsError):
        litegate.embedding(f"{prefix}/m", input="x", user="u", api_key=KEY, api_base=srv.base_url)
    with pytest.raises(litegate.BadRequestError, match=r"offers no chat"):
        litegate.completion(f"{prefix}/m", messages=[{"role": "user", "content": "x"}], api_key=KEY)
    assert prefix in litegate.provider_list
