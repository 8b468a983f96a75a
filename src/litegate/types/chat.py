"""Chat completion responses: :class:`ModelResponse`, its stream chunk :class:`ModelResponseStream`
and their parts (choices, messages, deltas, tool calls, chat logprobs)."""

from __future__ import annotations

import json as _json
import uuid as _uuid
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field
from pydantic_core import core_schema

from .base import OpenAIObject, Usage, _DefaultOnError, _now, _ResponseMixin, _SparseDump

__all__ = [
    "Function",
    "FunctionCall",
    "ChatCompletionMessageToolCall",
    "ChatCompletionDeltaToolCall",
    "ChatCompletionAudioResponse",
    "TopLogprob",
    "ChatCompletionTokenLogprob",
    "ChoiceLogprobs",
    "Message",
    "Delta",
    "Choices",
    "StreamingChoices",
    "ModelResponse",
    "ModelResponseStream",
]


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------


def _chat_completion_id() -> str:
    return "chatcmpl-" + str(_uuid.uuid4())


def _tool_call_id() -> str:
    return "call_" + _uuid.uuid4().hex


def _arguments_to_str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    if isinstance(value, BaseModel):
        value = value.model_dump()
    return _json.dumps(value)


class _ArgumentsString:
    """Annotation marker: a str passes natively; a dict (or other JSON value) is JSON-encoded."""

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.union_schema(
            [core_schema.str_schema(), core_schema.no_info_plain_validator_function(_arguments_to_str)],
            mode="left_to_right",
            serialization=core_schema.to_string_ser_schema(when_used="unless-none"),
        )


def _empty_to_none(value: list[Any] | None) -> list[Any] | None:
    return value or None


# --------------------------------------------------------------------------------------------
# tool calls
# --------------------------------------------------------------------------------------------


class Function(OpenAIObject):
    """A function call: ``arguments`` is always a JSON string (a dict given is JSON-encoded)."""

    arguments: Annotated[str, _ArgumentsString()] = ""
    name: str | None = None


class FunctionCall(Function):
    """The legacy ``message.function_call`` object (same shape as :class:`Function`)."""


class ChatCompletionMessageToolCall(OpenAIObject):
    """One tool call of a complete message. ``id`` defaults to ``"call_" + uuid``."""

    id: Annotated[str, _DefaultOnError(factory=_tool_call_id)] = Field(default_factory=_tool_call_id)
    type: Annotated[str, _DefaultOnError("function")] = "function"
    function: Function | None = None


class ChatCompletionDeltaToolCall(OpenAIObject):
    """A streamed piece of a tool call: later pieces usually carry only argument fragments."""

    id: str | None = None
    function: Function = Field(default_factory=Function)
    type: Annotated[str, _DefaultOnError("function")] = "function"
    index: Annotated[int, _DefaultOnError(0)] = 0


class ChatCompletionAudioResponse(OpenAIObject):
    id: str | None = None
    data: str | None = None
    expires_at: int | None = None
    transcript: str | None = None


# --------------------------------------------------------------------------------------------
# logprobs
# --------------------------------------------------------------------------------------------


class TopLogprob(OpenAIObject):
    token: str = ""
    bytes: list[int] | None = None
    logprob: float = 0.0


class ChatCompletionTokenLogprob(OpenAIObject):
    token: str = ""
    bytes: list[int] | None = None
    logprob: float = 0.0
    top_logprobs: list[TopLogprob] = Field(default_factory=list)


class ChoiceLogprobs(OpenAIObject):
    """Chat logprobs: ``content`` (and ``refusal``) token lists."""

    content: list[ChatCompletionTokenLogprob] | None = None
    refusal: list[ChatCompletionTokenLogprob] | None = None


_AnyLogprobs = Annotated[ChoiceLogprobs | Any | None, Field(union_mode="left_to_right")]


# --------------------------------------------------------------------------------------------
# messages and choices
# --------------------------------------------------------------------------------------------

_MESSAGE_OPTIONAL = frozenset(
    {
        "audio",
        "images",
        "reasoning_content",
        "thinking_blocks",
        "annotations",
        "refusal",
        "provider_specific_fields",
    }
)


class Message(_SparseDump):
    """A complete assistant message.

    ``model_dump()`` always has ``content``, ``role``, ``tool_calls`` and ``function_call``; the
    optional extras (``reasoning_content``, ``thinking_blocks``, ``annotations``, ``audio``,
    ``images``, ``refusal``, ``provider_specific_fields``) appear only when not None.
    """

    __hidden_when_none__ = _MESSAGE_OPTIONAL

    content: str | None = None
    role: Annotated[str, _DefaultOnError("assistant")] = "assistant"
    tool_calls: Annotated[list[ChatCompletionMessageToolCall], AfterValidator(_empty_to_none)] | None = None
    function_call: FunctionCall | None = None
    audio: ChatCompletionAudioResponse | None = None
    images: list[Any] | None = None
    reasoning_content: str | None = None
    thinking_blocks: list[Any] | None = None
    annotations: list[Any] | None = None
    refusal: str | None = None
    provider_specific_fields: dict[str, Any] | None = None


class Delta(_SparseDump):
    """The message fragment of one stream chunk (all fields optional)."""

    __hidden_when_none__ = _MESSAGE_OPTIONAL

    content: str | None = None
    role: str | None = None
    tool_calls: list[ChatCompletionDeltaToolCall] | None = None
    function_call: FunctionCall | None = None
    audio: ChatCompletionAudioResponse | None = None
    images: list[Any] | None = None
    reasoning_content: str | None = None
    thinking_blocks: list[Any] | None = None
    annotations: list[Any] | None = None
    refusal: str | None = None
    provider_specific_fields: dict[str, Any] | None = None


class Choices(OpenAIObject):
    """A choice of a complete response (``finish_reason`` None is read as ``"stop"``)."""

    finish_reason: Annotated[str, _DefaultOnError("stop")] = "stop"
    index: Annotated[int, _DefaultOnError(0)] = 0
    message: Annotated[Message, _DefaultOnError(factory=Message)] = Field(default_factory=Message)
    logprobs: _AnyLogprobs = None


class StreamingChoices(OpenAIObject):
    """A choice of a stream chunk."""

    finish_reason: str | None = None
    index: Annotated[int, _DefaultOnError(0)] = 0
    delta: Annotated[Delta, _DefaultOnError(factory=Delta)] = Field(default_factory=Delta)
    logprobs: _AnyLogprobs = None


# --------------------------------------------------------------------------------------------
# chat completion responses
# --------------------------------------------------------------------------------------------


def _one_choice() -> list[Choices]:
    return [Choices()]


def _one_streaming_choice() -> list[StreamingChoices]:
    return [StreamingChoices()]


def _is_stream_input(kwargs: dict[str, Any]) -> bool:
    stream = kwargs.get("stream")
    if stream is not None:
        return bool(stream)
    if kwargs.get("object") == "chat.completion.chunk":
        return True
    choices = kwargs.get("choices")
    if choices and type(choices) is list:
        first = choices[0]
        if type(first) is dict:
            return "delta" in first and "message" not in first
        if isinstance(first, Choices):
            return False
        if isinstance(first, StreamingChoices):
            return True
        # a foreign object (e.g. the openai SDK's chunk choice)
        return getattr(first, "delta", None) is not None and getattr(first, "message", None) is None
    return False


class ModelResponse(_ResponseMixin, OpenAIObject):
    """A chat completion (``object="chat.completion"``).

    ``ModelResponse(**openai_json)`` builds the nested models from plain dicts. With no arguments
    it is a one-choice empty assistant reply with a fresh id and timestamp.
    ``ModelResponse(stream=True, **chunk_json)`` (or a dict whose ``object`` is
    ``"chat.completion.chunk"`` / whose choices carry ``delta``) returns a
    :class:`ModelResponseStream`, which is a ``ModelResponse`` subclass.

    ``_hidden_params`` (dict, default ``{}``), ``_response_ms`` and ``_response_headers`` are
    private attributes: settable, never part of dumps, ignored by ``==``.
    """

    id: Annotated[str, _DefaultOnError(factory=_chat_completion_id)] = Field(default_factory=_chat_completion_id)
    created: Annotated[int, _DefaultOnError(factory=_now)] = Field(default_factory=_now)
    model: str | None = None
    object: Annotated[str, _DefaultOnError("chat.completion")] = "chat.completion"
    system_fingerprint: str | None = None
    choices: Annotated[list[Choices], _DefaultOnError(factory=_one_choice)] = Field(default_factory=_one_choice)
    usage: Usage | None = Field(default_factory=Usage)

    def __new__(cls, *args: Any, **kwargs: Any) -> ModelResponse:
        if cls is ModelResponse and kwargs and _is_stream_input(kwargs):
            cls = ModelResponseStream
        return super().__new__(cls)

    def __init__(
        self,
        stream: bool | None = None,
        stream_options: dict[str, Any] | None = None,
        response_ms: float | None = None,
        hidden_params: dict[str, Any] | None = None,
        _response_headers: dict[str, Any] | None = None,
        **data: Any,
    ) -> None:
        if "_hidden_params" in data:  # the spelling of the spec's examples
            hidden_params = {**(data.pop("_hidden_params") or {}), **(hidden_params or {})}
        super().__init__(**data)
        if hidden_params or response_ms is not None or _response_headers:
            self._set_private(response_ms, hidden_params, _response_headers)


class ModelResponseStream(_SparseDump, ModelResponse):
    """A stream chunk (``object="chat.completion.chunk"``); ``choices`` hold :class:`StreamingChoices`.

    ``choices`` may be empty (the ``include_usage`` chunk) and ``usage`` is None unless streamed;
    ``usage`` and ``provider_specific_fields`` are left out of dumps while None.
    """

    __hidden_when_none__ = frozenset({"usage", "provider_specific_fields"})

    object: Annotated[str, _DefaultOnError("chat.completion.chunk")] = "chat.completion.chunk"
    choices: Annotated[list[StreamingChoices], _DefaultOnError(factory=_one_streaming_choice)] = Field(  # type: ignore[assignment]
        default_factory=_one_streaming_choice
    )
    usage: Usage | None = None
    provider_specific_fields: dict[str, Any] | None = None
