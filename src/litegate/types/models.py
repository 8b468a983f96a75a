"""``ModelList``: a provider's ``GET /models`` answer, OpenAI-shaped."""

from __future__ import annotations

from typing import Any, Dict, List

from pydantic import Field

from .utils import OpenAIObject, _ResponseMixin


class ModelList(_ResponseMixin, OpenAIObject):
    object: str = "list"
    data: List[Dict[str, Any]] = Field(default_factory=list)

    def ids(self) -> List[str]:
        return [m["id"] for m in self.data if isinstance(m, dict) and isinstance(m.get("id"), str)]
