"""The public rerank / arerank functions: validation, mock responses, callbacks, unsupported providers.

Provider translations (Cohere) are tested in tests/providers/cohere against its fake server.
"""

from __future__ import annotations

import inspect

import pytest

import litegate

DOCS = ["plain text doc", {"id": "d2", "text": "dict doc"}, "third"]


def test_mock_rerank_returns_original_documents_and_respects_top_n():
    resp = litegate.rerank(model="cohere/rerank-v3.5", query="q", documents=DOCS, top_n=2, mock_response=True)
    assert isinstance(resp, litegate.RerankResponse)
    assert [r.index for r in resp.results] == [0, 1]
    assert resp.results[0].document == {"text": "plain text doc"}
    assert resp.results[1].document == {"id": "d2", "text": "dict doc"}  # the caller's dict, with its id
    assert resp["results"][0]["relevance_score"] >= resp.results[1].relevance_score


def test_return_documents_false_gives_none():
    resp = litegate.rerank(
        model="cohere/rerank-v3.5", query="q", documents=DOCS, return_documents=False, mock_response=True
    )
    assert all(r.document is None for r in resp.results)


async def test_arerank_and_mock_exception():
    resp = await litegate.arerank(model="cohere/rerank-v3.5", query="q", documents=DOCS, mock_response=True)
    assert len(resp.results) == 3
    with pytest.raises(litegate.RateLimitError) as info:
        await litegate.arerank(
            model="cohere/rerank-v3.5", query="q", documents=DOCS, mock_response=litegate.RateLimitError("slow down")
        )
    assert info.value.llm_provider == "cohere"


@pytest.mark.parametrize(
    "bad",
    [
        {"query": "", "documents": DOCS},
        {"query": None, "documents": DOCS},
        {"query": "q", "documents": []},
        {"query": "q", "documents": "not a list"},
        {"query": "q", "documents": [1, 2]},
        {"query": "q", "documents": DOCS, "top_n": 0},
        {"query": "q", "documents": DOCS, "rank_fields": "text"},
    ],
)
def test_bad_input_fails_before_any_request(server, bad):
    with pytest.raises(litegate.BadRequestError):
        litegate.rerank(model="cohere/rerank-v3.5", api_base=server.base_url, api_key="sk-rr-00000000", **bad)
    assert server.hits() == 0


def test_provider_without_reranking_says_so(server):
    with pytest.raises(litegate.BadRequestError) as info:
        litegate.rerank(
            model="openai/gpt-4o-mini", query="q", documents=DOCS, api_base=server.base_url, api_key="sk-rr-00000000"
        )
    assert "rerank" in str(info.value)
    assert server.hits() == 0


def test_callbacks_see_query_and_documents():
    seen = []
    litegate.success_callback = [lambda kw, r, s, e: seen.append(kw)]
    litegate.rerank(model="cohere/rerank-v3.5", query="what", documents=DOCS, mock_response=True)
    assert seen[0]["query"] == "what" and seen[0]["documents"] == DOCS and seen[0]["call_type"] == "rerank"


def test_signatures_match_between_twins_and_client():
    assert inspect.signature(litegate.arerank) == inspect.signature(litegate.rerank)
    params = list(inspect.signature(litegate.Client.rerank).parameters)
    assert params[:4] == ["self", "model", "query", "documents"]
