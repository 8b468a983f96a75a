"""Embedding responses: :class:`EmbeddingResponse` holding :class:`Embedding` items."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from .base import OpenAIObject, Usage, _DefaultOnError, _ResponseMixin, _Unvalidated

__all__ = ["Embedding", "EmbeddingResponse"]


class Embedding(OpenAIObject):
    """One embedding: a list of floats, or a base64 string with ``encoding_format="base64"``.

    The vector is stored as given (not validated element by element, to keep big batches cheap).
    """

    embedding: Annotated[list[float] | str, _Unvalidated()] = Field(default_factory=list)
    index: Annotated[int, _DefaultOnError(0)] = 0
    object: Annotated[str, _DefaultOnError("embedding")] = "embedding"


class EmbeddingResponse(_ResponseMixin, OpenAIObject):
    """``object="list"`` with ``data`` as :class:`Embedding` items (plain dicts are converted)."""

    model: str | None = None
    data: Annotated[
        list[Annotated[Embedding | Any, Field(union_mode="left_to_right")]],
        _DefaultOnError(factory=list),
    ] = Field(default_factory=list)
    object: Annotated[str, _DefaultOnError("list")] = "list"
    usage: Annotated[Usage | None, _DefaultOnError(factory=Usage)] = Field(default_factory=Usage)

    def __init__(
        self,
        model: str | None = None,
        data: list[Any] | None = None,
        usage: Any = None,
        response_ms: float | None = None,
        hidden_params: dict[str, Any] | None = None,
        _response_headers: dict[str, Any] | None = None,
        **params: Any,
    ) -> None:
        if data is not None:
            params["data"] = data
        if usage is not None:
            params["usage"] = usage
        params["model"] = model
        super().__init__(**params)
        if hidden_params or response_ms is not None or _response_headers:
            self._set_private(response_ms, hidden_params, _response_headers)
