"""Adapters for ``adapter_completion`` (spec section 5, Adapter Completions): ``AdapterV1``, the
base class of a two-way translator between a caller's own request/response format and
``completion``. Register an instance in ``litegate.adapters`` as ``{"id": ..., "adapter": ...}``."""

from __future__ import annotations

from typing import Any, TypedDict


class AdapterV1:
    """Subclass it, set a unique ``id`` and implement the translations:

    * ``translate_completion_input_params(kwargs) -> dict``: the caller's keyword arguments to
      ``completion`` parameters (``model``, ``messages``, ...);
    * ``translate_completion_output_params(response) -> Any``: the ``ModelResponse`` to the
      caller's output format;
    * ``translate_completion_output_params_streaming(stream) -> Any`` (optional): the same for a
      stream (``stream=True`` among the translated parameters); the stream itself by default.
    """

    id: str = ""

    def translate_completion_input_params(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError(f"{type(self).__name__} must implement translate_completion_input_params")

    def translate_completion_output_params(self, response: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement translate_completion_output_params")

    def translate_completion_output_params_streaming(self, completion_stream: Any) -> Any:
        return completion_stream


class AdapterItem(TypedDict):
    id: str
    adapter: AdapterV1


__all__ = ["AdapterItem", "AdapterV1"]
