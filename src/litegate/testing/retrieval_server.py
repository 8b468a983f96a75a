"""A fake Voyage AI / Jina AI server (standard library only): ``POST /v1/embeddings`` and
``POST /v1/rerank`` in either provider's shapes (``flavor="voyage"`` or ``"jina"``).

Requests are checked against the providers' published request schemas (required fields, unknown
fields refused, ``output_dimension`` / ``dimensions`` values); ``require_key`` checks
``Authorization: Bearer <key>``. Embeddings are deterministic vectors of the requested dimension
(default 8); rerank scores are the share of query words found in each document.
"""

from __future__ import annotations

from typing import Any

from . import _payloads as P
from ._server import Answer, Call, FakeServerBase, Invalid, Route, _Raw

__all__ = ["FakeRetrievalServer"]

_FIELDS = {
    "voyage": (
        {"input", "model", "input_type", "output_dimension", "output_dtype", "encoding_format", "truncation"},
        {"query", "documents", "model", "top_k", "return_documents", "truncation"},
    ),
    "jina": (
        {"model", "input", "task", "dimensions", "embedding_type", "normalized", "late_chunking", "truncate"},
        {"model", "query", "documents", "top_n", "return_documents", "truncation"},
    ),
}


class FakeRetrievalServer(FakeServerBase):
    routes = (Route(r"/v1/embeddings", "_embeddings"), Route(r"/v1/rerank", "_rerank"))

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        flavor: str = "voyage",
        require_key: str | None = None,
        default_delay: float = 0.0,
        record: bool = True,
        sse_framing: str = "chunked",
        embedding_dims: int = P.DEFAULT_EMBEDDING_DIMS,
    ) -> None:

        if flavor not in _FIELDS:
            raise ValueError("flavor must be 'voyage' or 'jina'")
        super().__init__(
            host,
            port,
            require_key=require_key,
            default_delay=default_delay,
            record=record,
            sse_framing=sse_framing,
            embedding_dims=embedding_dims,
        )
        self.flavor = flavor

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    def _error(self, status: int, message: str) -> _Raw:
        return self._json(status, {"detail": message})

    def _body(self, call: Call, allowed: set[str], required: tuple[str, ...]) -> dict[str, Any]:
        body = call.rec.json
        if not isinstance(body, dict):
            raise Invalid("Request body must be a JSON object", 422)
        for name in required:
            if name not in body:
                raise Invalid(f"field required: {name}", 422)
        extra = sorted(set(body) - allowed)
        if extra:
            raise Invalid(f"Extra inputs are not permitted: {extra[0]}", 422)
        return body

    def _embeddings(self, call: Call) -> Answer:
        body = self._body(call, _FIELDS[self.flavor][0], ("input", "model"))
        inputs = [body["input"]] if isinstance(body["input"], str) else body["input"]
        if not isinstance(inputs, list) or not inputs or not all(isinstance(i, str) for i in inputs):
            raise Invalid("input must be a string or a list of strings", 422)
        dims = body.get("output_dimension" if self.flavor == "voyage" else "dimensions") or self.embedding_dims
        if dims not in (self.embedding_dims, 256, 512, 1024, 2048):
            raise Invalid(f"unsupported dimension {dims}", 422)
        tokens = sum(P.count_tokens(i) for i in inputs)
        usage: dict[str, int] = {"total_tokens": tokens}
        if self.flavor == "jina":
            usage["prompt_tokens"] = tokens
        return self._json(
            200,
            {
                "object": "list",
                "model": body["model"],
                "usage": usage,
                "data": [
                    {"object": "embedding", "index": n, "embedding": P.embedding_vector(i, dims)}
                    for n, i in enumerate(inputs)
                ],
            },
        )

    def _rerank(self, call: Call) -> Answer:
        body = self._body(call, _FIELDS[self.flavor][1], ("query", "documents", "model"))
        docs = body["documents"]
        if not isinstance(docs, list) or not all(isinstance(d, str) for d in docs):
            raise Invalid("documents must be a list of strings", 422)
        words = set(str(body["query"]).lower().split())
        scored = []
        for n, doc in enumerate(docs):
            found = len(words & set(doc.lower().split()))
            scored.append((round(found / max(1, len(words)), 4), n))
        scored.sort(key=lambda x: (-x[0], x[1]))
        top = body.get("top_k" if self.flavor == "voyage" else "top_n")
        if isinstance(top, int):
            scored = scored[:top]
        keep = body.get("return_documents") is True
        items = []
        for score, n in scored:
            item: dict[str, Any] = {"index": n, "relevance_score": score}
            if keep:
                item["document"] = docs[n] if self.flavor == "voyage" else {"text": docs[n]}
            items.append(item)
        tokens = P.count_tokens(body["query"]) * len(docs) + sum(P.count_tokens(d) for d in docs)
        key = "data" if self.flavor == "voyage" else "results"
        return self._json(
            200, {"object": "list", "model": body["model"], key: items, "usage": {"total_tokens": tokens}}
        )
