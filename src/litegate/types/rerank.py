"""``RerankResponse`` (spec section 5, Reranking): results sorted by relevance, with metadata."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import Field

from .base import OpenAIObject, _ResponseMixin


class RerankResult(OpenAIObject):
    """One ranked document: its index in the caller's list, its score, and (optionally) the document."""

    index: int
    relevance_score: float
    document: dict[str, Any] | None = None


class RerankResponse(_ResponseMixin, OpenAIObject):
    """``results`` sorted by ``relevance_score`` (highest first); ``meta`` holds provider metadata such
    as ``meta["billed_units"]["search_units"]``."""

    id: str = Field(default_factory=lambda: "rerank-" + uuid.uuid4().hex)
    results: list[RerankResult] = Field(default_factory=list)
    meta: dict[str, Any] = Field(default_factory=dict)
