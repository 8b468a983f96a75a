"""Text (legacy) completion responses: :class:`TextCompletionResponse`, :class:`TextChoices` and
their :class:`Logprobs`."""

from __future__ import annotations

import uuid as _uuid
from typing import Annotated, Any

from pydantic import Field

from .base import OpenAIObject, Usage, _DefaultOnError, _now, _ResponseMixin

__all__ = ["Logprobs", "TextChoices", "TextCompletionResponse"]


def _text_completion_id() -> str:
    return "cmpl-" + str(_uuid.uuid4())


class Logprobs(OpenAIObject):
    """Text-completion (legacy) logprobs."""

    text_offset: list[int] | None = None
    token_logprobs: list[float | None] | None = None
    tokens: list[str] | None = None
    top_logprobs: list[dict[str, float] | None] | None = None


class TextChoices(OpenAIObject):
    finish_reason: str | None = None
    index: Annotated[int, _DefaultOnError(0)] = 0
    text: str | None = None
    logprobs: Annotated[Logprobs | Any | None, Field(union_mode="left_to_right")] = None


def _one_text_choice() -> list[TextChoices]:
    return [TextChoices()]


class TextCompletionResponse(_ResponseMixin, OpenAIObject):
    """A text completion (``object="text_completion"``)."""

    id: Annotated[str, _DefaultOnError(factory=_text_completion_id)] = Field(default_factory=_text_completion_id)
    object: Annotated[str, _DefaultOnError("text_completion")] = "text_completion"
    created: Annotated[int, _DefaultOnError(factory=_now)] = Field(default_factory=_now)
    model: str | None = None
    system_fingerprint: str | None = None
    choices: Annotated[list[TextChoices], _DefaultOnError(factory=_one_text_choice)] = Field(
        default_factory=_one_text_choice
    )
    usage: Annotated[Usage | None, _DefaultOnError(factory=Usage)] = Field(default_factory=Usage)

    def __init__(
        self,
        stream: bool | None = None,
        response_ms: float | None = None,
        hidden_params: dict[str, Any] | None = None,
        _response_headers: dict[str, Any] | None = None,
        **data: Any,
    ) -> None:
        super().__init__(**data)
        if hidden_params or response_ms is not None or _response_headers:
            self._set_private(response_ms, hidden_params, _response_headers)
