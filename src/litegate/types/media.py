"""``ImageResponse`` (image_generation) and ``ModerationResponse`` (moderation), OpenAI-shaped."""

from __future__ import annotations

import time
import uuid
from typing import Any, Dict, List, Optional

from pydantic import Field

from .utils import OpenAIObject, _ResponseMixin


class ImageObject(OpenAIObject):
    """One generated image: a URL or base64 data, and the prompt the model actually used."""

    b64_json: Optional[str] = None
    url: Optional[str] = None
    revised_prompt: Optional[str] = None


class ImageResponse(_ResponseMixin, OpenAIObject):
    created: int = Field(default_factory=lambda: int(time.time()))
    data: List[ImageObject] = Field(default_factory=list)
    usage: Optional[Dict[str, Any]] = None  # gpt-image models report input/output tokens


class ModerationResult(OpenAIObject):
    flagged: bool = False
    categories: Dict[str, Any] = Field(default_factory=dict)
    category_scores: Dict[str, Any] = Field(default_factory=dict)
    category_applied_input_types: Optional[Dict[str, Any]] = None


class ModerationResponse(_ResponseMixin, OpenAIObject):
    id: str = Field(default_factory=lambda: "modr-" + uuid.uuid4().hex)
    model: Optional[str] = None
    results: List[ModerationResult] = Field(default_factory=list)
