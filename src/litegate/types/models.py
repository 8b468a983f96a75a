"""``ModelList``: a provider's ``GET /models`` answer, OpenAI-shaped."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from .base import OpenAIObject, _ResponseMixin


class ModelList(_ResponseMixin, OpenAIObject):
    object: str = "list"
    data: list[Any] = Field(default_factory=list)  # model objects; anything else is kept, not raised

    def ids(self) -> list[str]:
        return [m["id"] for m in self.data if isinstance(m, dict) and isinstance(m.get("id"), str)]
