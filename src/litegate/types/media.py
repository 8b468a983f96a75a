"""``ImageResponse`` (image_generation) and ``ModerationResponse`` (moderation), OpenAI-shaped."""

from __future__ import annotations

import time
import uuid
from typing import Any

from pydantic import Field, field_validator

from .base import OpenAIObject, _ResponseMixin


class ImageObject(OpenAIObject):
    """One generated image: a URL or base64 data, and the prompt the model actually used."""

    b64_json: str | None = None
    url: str | None = None
    revised_prompt: str | None = None


class ImageResponse(_ResponseMixin, OpenAIObject):
    created: int = Field(default_factory=lambda: int(time.time()))
    data: list[ImageObject] = Field(default_factory=list)
    usage: dict[str, Any] | None = None  # gpt-image models report input/output tokens


class ModerationCategories(dict[str, Any]):
    """A result's ``categories`` / ``category_scores``: a dict with OpenAI's keys
    (``"hate/threatening"``, ``"self-harm/intent"``) that also answers the attribute names of the
    spec and the openai SDK (``.hate_threatening``, ``.self_harm_intent``), and takes those
    names as keys too."""

    __slots__ = ()

    def _key(self, name: Any) -> Any:
        if isinstance(name, str) and not dict.__contains__(self, name):
            for key in self:
                if isinstance(key, str) and key.replace("/", "_").replace("-", "_") == name:
                    return key
        return name

    def __missing__(self, key: Any) -> Any:
        real = self._key(key)
        if real is key:
            raise KeyError(key)
        return dict.__getitem__(self, real)

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, self._key(key))

    def get(self, key: Any, default: Any = None) -> Any:
        return dict.get(self, self._key(key), default)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        real = self._key(name)
        if dict.__contains__(self, real):
            return dict.__getitem__(self, real)
        raise AttributeError(f"moderation categories have no {name!r}")


class ModerationResult(OpenAIObject):
    flagged: bool = False
    categories: dict[str, Any] = Field(default_factory=dict)
    category_scores: dict[str, Any] = Field(default_factory=dict)
    category_applied_input_types: dict[str, Any] | None = None

    @field_validator("categories", "category_scores", "category_applied_input_types", mode="after")
    @classmethod
    def _named(cls, value: Any) -> Any:
        return ModerationCategories(value) if isinstance(value, dict) else value


class ModerationResponse(_ResponseMixin, OpenAIObject):
    id: str = Field(default_factory=lambda: "modr-" + uuid.uuid4().hex)
    model: str | None = None
    results: list[ModerationResult] = Field(default_factory=list)
