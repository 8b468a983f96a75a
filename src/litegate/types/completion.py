"""Text (legacy) completion responses: :class:`TextCompletionResponse`, :class:`TextChoices` and
their :class:`Logprobs`."""

from __future__ import annotations

import uuid as _uuid
from typing import Annotated, Any, Dict, List, Optional, Union

from pydantic import Field

from .base import OpenAIObject, Usage, _DefaultOnError, _now, _ResponseMixin

__all__ = ["Logprobs", "TextChoices", "TextCompletionResponse"]


def _text_completion_id() -> str:
    return "cmpl-" + str(_uuid.uuid4())


class Logprobs(OpenAIObject):
    """Text-completion (legacy) logprobs."""

    text_offset: Optional[List[int]] = None
    token_logprobs: Optional[List[Optional[float]]] = None
    tokens: Optional[List[str]] = None
    top_logprobs: Optional[List[Optional[Dict[str, float]]]] = None


class TextChoices(OpenAIObject):
    finish_reason: Optional[str] = None
    index: Annotated[int, _DefaultOnError(0)] = 0
    text: Optional[str] = None
    logprobs: Annotated[Union[Logprobs, Any, None], Field(union_mode="left_to_right")] = None


def _one_text_choice() -> List[TextChoices]:
    return [TextChoices()]


class TextCompletionResponse(_ResponseMixin, OpenAIObject):
    """A text completion (``object="text_completion"``)."""

    id: Annotated[str, _DefaultOnError(factory=_text_completion_id)] = Field(default_factory=_text_completion_id)
    object: Annotated[str, _DefaultOnError("text_completion")] = "text_completion"
    created: Annotated[int, _DefaultOnError(factory=_now)] = Field(default_factory=_now)
    model: Optional[str] = None
    system_fingerprint: Optional[str] = None
    choices: Annotated[List[TextChoices], _DefaultOnError(factory=_one_text_choice)] = Field(
        default_factory=_one_text_choice
    )
    usage: Annotated[Optional[Usage], _DefaultOnError(factory=Usage)] = Field(default_factory=Usage)

    def __init__(
        self,
        stream: Optional[bool] = None,
        response_ms: Optional[float] = None,
        hidden_params: Optional[Dict[str, Any]] = None,
        _response_headers: Optional[Dict[str, Any]] = None,
        **data: Any,
    ) -> None:
        super().__init__(**data)
        if hidden_params or response_ms is not None or _response_headers:
            self._set_private(response_ms, hidden_params, _response_headers)
