"""Voyage AI and Jina AI: embeddings and reranking (``voyage/<model>``, ``jina_ai/<model>``).

Both take ``Authorization: Bearer <key>`` and answer embeddings in OpenAI's list shape:

* Voyage (reference ``voyage/openapi.yaml``, base ``https://api.voyageai.com/v1``): ``POST /embeddings``
  ``{"input", "model", "input_type", "output_dimension", "output_dtype", "encoding_format",
  "truncation"}``; ``POST /rerank`` ``{"query", "documents", "model", "top_k",
  "return_documents", "truncation"}`` -> ``data[{index, relevance_score, document}]``.
* Jina (reference ``jina/openapi.json``, base ``https://api.jina.ai/v1``): ``POST /embeddings``
  ``{"model", "input", "task", "dimensions", "embedding_type", "normalized", "late_chunking",
  "truncate"}``; ``POST /rerank`` ``{"model", "query", "documents", "top_n",
  "return_documents"}`` -> ``results[{index, relevance_score, document}]``.

OpenAI's ``dimensions`` becomes Voyage's ``output_dimension`` (Jina: ``dimensions``);
``encoding_format="base64"`` becomes Voyage's ``encoding_format`` / Jina's ``embedding_type``;
``rerank(top_n=...)`` becomes Voyage's ``top_k``. Other keyword arguments (``input_type``,
``task``, ``truncation`` ...) are sent as given. Documents given as ``{"text": ...}`` objects are
sent as their text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.http import HttpRequest, HttpResponse
from ..types.utils import EmbeddingResponse
from .base import Dialect, bad_input, drop_unsupported

if TYPE_CHECKING:
    from ..core.call import EmbeddingCall, RerankCall
    from ..core.resolve import Target
    from ..types.rerank import RerankResponse
    from .base import Drop


__all__ = ["Voyage", "Jina"]


class _Retrieval(Dialect):
    dimensions_field = "dimensions"
    base64_field: tuple[str, str] = ("encoding_format", "base64")
    top_n_field = "top_n"
    results_field = "results"

    def headers(self, target: Target) -> dict[str, str]:
        if not target.api_key:
            raise self.missing_key(target)
        h = {"authorization": "Bearer " + target.api_key, "content-type": "application/json"}
        h.update(target.headers or {})
        return h

    def embedding_request(self, call: EmbeddingCall, target: Target, drop: Drop) -> HttpRequest:
        params = dict(call.params or {})
        bad = [p for p in params if p not in ("dimensions", "encoding_format")]
        if bad:
            params = drop_unsupported(self.name, params, bad, call.model, drop)
        body: dict[str, Any] = {"model": target.model, "input": call.input}
        if params.get("dimensions") is not None:
            body[self.dimensions_field] = params["dimensions"]
        if params.get("encoding_format") == "base64":
            body[self.base64_field[0]] = self.base64_field[1]
        body.update(call.extra or {})
        return HttpRequest("POST", f"{target.api_base}/embeddings", self.headers(target), body)

    def parse_embedding(self, resp: HttpResponse, call: EmbeddingCall, target: Target) -> EmbeddingResponse:
        data = self.json_body(resp, target, "data")
        items = data.get("data")
        if not isinstance(items, list) or not all(isinstance(i, dict) and "embedding" in i for i in items):
            raise self.invalid("response 'data' is not a list of embeddings", target)
        usage = data.get("usage")
        if not isinstance(usage, dict):
            usage = {}
        total = int(usage.get("total_tokens") or 0)
        prompt = int(usage.get("prompt_tokens") or total)
        return EmbeddingResponse(
            model=data.get("model") or target.model,
            object="list",
            data=[
                {"object": "embedding", "index": i.get("index", n), "embedding": i["embedding"]}
                for n, i in enumerate(items)
            ],
            usage={"prompt_tokens": prompt, "total_tokens": total or prompt},
        )

    def rerank_request(self, call: RerankCall, target: Target, drop: Drop) -> HttpRequest:
        params = dict(call.params or {})
        bad = [p for p in params if p not in ("top_n", "return_documents")]
        if bad:
            params = drop_unsupported(self.name, params, bad, call.model, drop, " rerank")
        docs = []
        for i, doc in enumerate(call.documents):
            text = doc.get("text") if isinstance(doc, dict) else doc
            if not isinstance(text, str):
                raise bad_input(
                    f"{self.name}: rerank document {i} must be a string or an object with 'text'", call.model
                )
            docs.append(text)
        body: dict[str, Any] = {"model": target.model, "query": call.query, "documents": docs}
        if params.get("top_n") is not None:
            body[self.top_n_field] = params["top_n"]
        if params.get("return_documents") is not None:
            body["return_documents"] = params["return_documents"]
        body.update(call.extra or {})
        return HttpRequest("POST", f"{target.api_base}/rerank", self.headers(target), body)

    def parse_rerank(self, resp: HttpResponse, call: RerankCall, target: Target) -> RerankResponse:
        from ..types.rerank import RerankResponse, RerankResult

        data = self.json_body(resp, target, self.results_field)
        results = data[self.results_field]
        if not isinstance(results, list):
            raise self.invalid(f"response '{self.results_field}' is not a list", target)
        keep = (call.params or {}).get("return_documents", True) is not False
        docs = call.documents
        out: list[RerankResult] = []
        for r in results:
            index = r.get("index") if isinstance(r, dict) else None
            if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(docs):
                raise self.invalid(f"rerank result names document index {index!r} of {len(docs)}", target)
            score = r.get("relevance_score")
            if isinstance(score, bool) or not isinstance(score, (int, float)):
                raise self.invalid(f"rerank result for index {index} has no relevance_score", target)
            original = docs[index]
            document = (original if isinstance(original, dict) else {"text": original}) if keep else None
            out.append(RerankResult(index=index, relevance_score=float(score), document=document))
        out.sort(key=lambda item: -item.relevance_score)
        usage = data.get("usage")
        if not isinstance(usage, dict):
            usage = {}
        tokens = int(usage.get("total_tokens") or 0)
        return RerankResponse(
            results=out,
            meta={"billed_units": {"total_tokens": tokens}, "tokens": {"input_tokens": tokens, "output_tokens": 0}},
        )


class Voyage(_Retrieval):
    name = "voyage"
    key_hint = "VOYAGE_API_KEY / litegate.voyage_key"
    dimensions_field = "output_dimension"
    top_n_field = "top_k"
    results_field = "data"


class Jina(_Retrieval):
    name = "jina_ai"
    key_hint = "JINA_AI_API_KEY / JINA_API_KEY / litegate.jina_ai_key"
    base64_field = ("embedding_type", "base64")
