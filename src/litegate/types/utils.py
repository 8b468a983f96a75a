"""Response objects returned by litegate: OpenAI-shaped pydantic models with litellm-style access.

Every model here

* keeps unknown provider fields (``extra="allow"``), so nothing a provider sends is lost;
* can be read like a dict (``resp["choices"][0]["message"]["content"]``, ``"usage" in resp``,
  ``resp.get("usage")``, ``resp["x"] = 1``, ``keys()`` / ``items()`` / ``values()``) as well as
  through attributes; nested values stay models, so both styles mix freely;
* dumps with ``model_dump()`` / ``model_dump_json()`` and the litellm spellings ``json()``,
  ``dict()``, ``to_dict()`` (all three return a plain ``dict``, as litellm's do) and ``to_json()``
  (a JSON string);
* compares equal to another model of the same kind with the same content (private attributes
  such as ``_hidden_params`` are ignored), or to a plain dict equal to its ``model_dump()``.

Construction is on the hot path of every call, so validation is left to pydantic-core: no
per-field Python validators run for the common OpenAI payload. Leniency that litellm offers
(``None`` meaning "use the default", ``Function(arguments={...})`` and so on) is expressed as core
schemas that only fall back to Python for the unusual input.
"""

from __future__ import annotations

import json as _json
import time as _time
import uuid as _uuid
from typing import Annotated, Any, Callable, ClassVar, Dict, FrozenSet, List, Optional, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)
from pydantic_core import core_schema

__all__ = [
    "OpenAIObject",
    "LiteLLMBase",
    "LiteLLMPydanticObjectBase",
    "MissingKeyError",
    "Function",
    "FunctionCall",
    "ChatCompletionMessageToolCall",
    "ChatCompletionDeltaToolCall",
    "ChatCompletionAudioResponse",
    "TopLogprob",
    "ChatCompletionTokenLogprob",
    "ChoiceLogprobs",
    "Logprobs",
    "Message",
    "Delta",
    "Choices",
    "StreamingChoices",
    "PromptTokensDetails",
    "CompletionTokensDetails",
    "PromptTokensDetailsWrapper",
    "CompletionTokensDetailsWrapper",
    "Usage",
    "ModelResponse",
    "ModelResponseStream",
    "Embedding",
    "EmbeddingResponse",
    "TextChoices",
    "TextCompletionResponse",
]


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------


def _chat_completion_id() -> str:
    return "chatcmpl-" + str(_uuid.uuid4())


def _text_completion_id() -> str:
    return "cmpl-" + str(_uuid.uuid4())


def _tool_call_id() -> str:
    return "call_" + _uuid.uuid4().hex


def _now() -> int:
    return int(_time.time())


class _DefaultOnError:
    """Annotation marker: ``None`` (or any value the type rejects) takes the given default.

    Built as a pydantic-core ``with_default`` schema with ``on_error="default"``, so valid input
    never leaves Rust and no Python validator is called.
    """

    __slots__ = ("default", "factory")

    def __init__(self, default: Any = None, factory: Optional[Callable[[], Any]] = None) -> None:
        self.default = default
        self.factory = factory

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        inner = handler(source)
        if self.factory is not None:
            return core_schema.with_default_schema(inner, default_factory=self.factory, on_error="default")
        return core_schema.with_default_schema(inner, default=self.default, on_error="default")


class _Unvalidated:
    """Annotation marker: accept the value as given (used for big payloads such as vectors)."""

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.any_schema()


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


def _empty_to_none(value: Optional[list]) -> Optional[list]:
    return value or None


# --------------------------------------------------------------------------------------------
# common base
# --------------------------------------------------------------------------------------------


class MissingKeyError(KeyError, AttributeError):
    """Raised by ``obj[key]`` for a key the object does not have.

    It is both a ``KeyError`` (dict semantics) and an ``AttributeError`` (what litellm raises),
    so either ``except`` clause catches it.
    """


_EMPTY: FrozenSet[str] = frozenset()


class OpenAIObject(BaseModel):
    """Base of every response object: pydantic model + dict-style access."""

    model_config = ConfigDict(
        extra="allow",
        protected_namespaces=(),
        from_attributes=True,  # accept other pydantic objects (e.g. the openai SDK's) as input
    )

    # Optional fields left out of dumps, ``keys()`` and ``in`` while their value is None.
    # Only classes that also inherit ``_SparseDump`` honour this in dumps.
    __hidden_when_none__: ClassVar[FrozenSet[str]] = _EMPTY
    # Names that read as None instead of raising AttributeError when they were never given.
    __none_if_missing__: ClassVar[FrozenSet[str]] = _EMPTY

    # ---- dict-style access -------------------------------------------------------------

    def __getitem__(self, key: str) -> Any:
        try:
            return self.__dict__[key]
        except KeyError:
            pass
        except TypeError:  # unhashable key
            raise MissingKeyError(key) from None
        extra = self.__pydantic_extra__
        if extra is not None and key in extra:
            return extra[key]
        if isinstance(key, str) and (key.startswith("_") or key in type(self).__none_if_missing__):
            try:
                return getattr(self, key)
            except AttributeError:
                pass
        raise MissingKeyError(key)

    def __setitem__(self, key: str, value: Any) -> None:
        setattr(self, key, value)

    def __contains__(self, key: object) -> bool:
        d = self.__dict__
        try:
            if key in d:
                return not (d[key] is None and key in type(self).__hidden_when_none__)
        except TypeError:
            return False
        extra = self.__pydantic_extra__
        return bool(extra) and key in extra

    def get(self, key: str, default: Any = None) -> Any:
        d = self.__dict__
        if key in d:
            value = d[key]
            if value is None and key in type(self).__hidden_when_none__:
                return default
            return value
        extra = self.__pydantic_extra__
        if extra is not None and key in extra:
            return extra[key]
        if isinstance(key, str) and key.startswith("_"):
            return getattr(self, key, default)
        return default

    def keys(self) -> List[str]:
        hidden = type(self).__hidden_when_none__
        if hidden:
            keys = [k for k, v in self.__dict__.items() if v is not None or k not in hidden]
        else:
            keys = list(self.__dict__)
        extra = self.__pydantic_extra__
        if extra:
            keys.extend(extra)
        return keys

    def values(self) -> List[Any]:
        return [self[k] for k in self.keys()]

    def items(self) -> List[tuple]:
        return [(k, self[k]) for k in self.keys()]

    def __getattr__(self, name: str) -> Any:
        # only reached when normal lookup fails
        try:
            return super().__getattr__(name)  # type: ignore[misc]
        except AttributeError:
            if name in type(self).__none_if_missing__:
                return None
            raise

    # ---- dumps (litellm / openai-sdk spellings) ----------------------------------------

    def json(self, **kwargs: Any) -> Dict[str, Any]:  # type: ignore[override]
        """litellm compatibility: returns ``model_dump(**kwargs)`` (a dict), as litellm does.

        Use ``to_json()`` or ``model_dump_json()`` for a JSON string.
        """
        return self.model_dump(**kwargs)

    def dict(self, **kwargs: Any) -> Dict[str, Any]:  # type: ignore[override]
        """Same as ``model_dump(**kwargs)``, without pydantic's deprecation warning."""
        return self.model_dump(**kwargs)

    def to_dict(self, **kwargs: Any) -> Dict[str, Any]:
        return self.model_dump(**kwargs)

    def to_json(self, indent: Optional[int] = 2, **kwargs: Any) -> str:
        return self.model_dump_json(indent=indent, **kwargs)

    # ---- equality by content -----------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if isinstance(other, OpenAIObject):
            if not (isinstance(other, type(self)) or isinstance(self, type(other))):
                return False
            return self.__dict__ == other.__dict__ and (self.__pydantic_extra__ or {}) == (
                other.__pydantic_extra__ or {}
            )
        if isinstance(other, dict):
            return self.model_dump() == other
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        if result is NotImplemented:
            return result
        return not result

    __hash__ = None  # type: ignore[assignment]


LiteLLMBase = OpenAIObject
LiteLLMPydanticObjectBase = OpenAIObject


class _SparseDump(OpenAIObject):
    """Mixin: leave ``__hidden_when_none__`` fields out of dumps while they are None."""

    @model_serializer(mode="wrap")
    def _drop_unset_optional_fields(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if type(data) is dict:
            d = self.__dict__
            for name in type(self).__hidden_when_none__:
                if d.get(name, 0) is None:
                    data.pop(name, None)
        return data

    def __repr_args__(self) -> Any:
        hidden = type(self).__hidden_when_none__
        for name, value in super().__repr_args__():
            if value is None and name in hidden:
                continue
            yield name, value


# --------------------------------------------------------------------------------------------
# tool calls
# --------------------------------------------------------------------------------------------


class Function(OpenAIObject):
    """A function call: ``arguments`` is always a JSON string (a dict given is JSON-encoded)."""

    arguments: Annotated[str, _ArgumentsString()] = ""
    name: Optional[str] = None


class FunctionCall(Function):
    """The legacy ``message.function_call`` object (same shape as :class:`Function`)."""


class ChatCompletionMessageToolCall(OpenAIObject):
    """One tool call of a complete message. ``id`` defaults to ``"call_" + uuid``."""

    id: Annotated[str, _DefaultOnError(factory=_tool_call_id)] = Field(default_factory=_tool_call_id)
    type: Annotated[str, _DefaultOnError("function")] = "function"
    function: Optional[Function] = None


class ChatCompletionDeltaToolCall(OpenAIObject):
    """A streamed piece of a tool call: later pieces usually carry only argument fragments."""

    id: Optional[str] = None
    function: Function = Field(default_factory=Function)
    type: Annotated[str, _DefaultOnError("function")] = "function"
    index: Annotated[int, _DefaultOnError(0)] = 0


class ChatCompletionAudioResponse(OpenAIObject):
    id: Optional[str] = None
    data: Optional[str] = None
    expires_at: Optional[int] = None
    transcript: Optional[str] = None


# --------------------------------------------------------------------------------------------
# logprobs
# --------------------------------------------------------------------------------------------


class TopLogprob(OpenAIObject):
    token: str = ""
    bytes: Optional[List[int]] = None
    logprob: float = 0.0


class ChatCompletionTokenLogprob(OpenAIObject):
    token: str = ""
    bytes: Optional[List[int]] = None
    logprob: float = 0.0
    top_logprobs: List[TopLogprob] = Field(default_factory=list)


class ChoiceLogprobs(OpenAIObject):
    """Chat logprobs: ``content`` (and ``refusal``) token lists."""

    content: Optional[List[ChatCompletionTokenLogprob]] = None
    refusal: Optional[List[ChatCompletionTokenLogprob]] = None


class Logprobs(OpenAIObject):
    """Text-completion (legacy) logprobs."""

    text_offset: Optional[List[int]] = None
    token_logprobs: Optional[List[Optional[float]]] = None
    tokens: Optional[List[str]] = None
    top_logprobs: Optional[List[Optional[Dict[str, float]]]] = None


_AnyLogprobs = Annotated[Union[ChoiceLogprobs, Any, None], Field(union_mode="left_to_right")]


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

    content: Optional[str] = None
    role: Annotated[str, _DefaultOnError("assistant")] = "assistant"
    tool_calls: Optional[Annotated[List[ChatCompletionMessageToolCall], AfterValidator(_empty_to_none)]] = None
    function_call: Optional[FunctionCall] = None
    audio: Optional[ChatCompletionAudioResponse] = None
    images: Optional[List[Any]] = None
    reasoning_content: Optional[str] = None
    thinking_blocks: Optional[List[Any]] = None
    annotations: Optional[List[Any]] = None
    refusal: Optional[str] = None
    provider_specific_fields: Optional[Dict[str, Any]] = None


class Delta(_SparseDump):
    """The message fragment of one stream chunk (all fields optional)."""

    __hidden_when_none__ = _MESSAGE_OPTIONAL

    content: Optional[str] = None
    role: Optional[str] = None
    tool_calls: Optional[List[ChatCompletionDeltaToolCall]] = None
    function_call: Optional[FunctionCall] = None
    audio: Optional[ChatCompletionAudioResponse] = None
    images: Optional[List[Any]] = None
    reasoning_content: Optional[str] = None
    thinking_blocks: Optional[List[Any]] = None
    annotations: Optional[List[Any]] = None
    refusal: Optional[str] = None
    provider_specific_fields: Optional[Dict[str, Any]] = None


class Choices(OpenAIObject):
    """A choice of a complete response (``finish_reason`` None is read as ``"stop"``)."""

    finish_reason: Annotated[str, _DefaultOnError("stop")] = "stop"
    index: Annotated[int, _DefaultOnError(0)] = 0
    message: Annotated[Message, _DefaultOnError(factory=Message)] = Field(default_factory=Message)
    logprobs: _AnyLogprobs = None


class StreamingChoices(OpenAIObject):
    """A choice of a stream chunk."""

    finish_reason: Optional[str] = None
    index: Annotated[int, _DefaultOnError(0)] = 0
    delta: Annotated[Delta, _DefaultOnError(factory=Delta)] = Field(default_factory=Delta)
    logprobs: _AnyLogprobs = None


# --------------------------------------------------------------------------------------------
# usage
# --------------------------------------------------------------------------------------------


class PromptTokensDetails(OpenAIObject):
    """Breakdown of prompt tokens; other counters a provider sends (``text_tokens``,
    ``image_tokens``, ``cache_creation_tokens`` ...) are kept and read as None when absent."""

    __none_if_missing__ = frozenset(
        {
            "text_tokens",
            "image_tokens",
            "video_tokens",
            "cache_creation_tokens",
            "cache_write_tokens",
            "web_search_requests",
        }
    )

    audio_tokens: Optional[int] = None
    cached_tokens: Optional[int] = None


class CompletionTokensDetails(OpenAIObject):
    """Breakdown of completion tokens (reasoning, audio, predictions ...)."""

    __none_if_missing__ = frozenset({"text_tokens", "image_tokens", "video_tokens"})

    accepted_prediction_tokens: Optional[int] = None
    audio_tokens: Optional[int] = None
    reasoning_tokens: Optional[int] = None
    rejected_prediction_tokens: Optional[int] = None


# litellm's names for the same classes
PromptTokensDetailsWrapper = PromptTokensDetails
CompletionTokensDetailsWrapper = CompletionTokensDetails

_USAGE_SPECIAL_KEYS = frozenset(
    {"cache_read_input_tokens", "cache_creation_input_tokens", "prompt_cache_hit_tokens", "reasoning_tokens"}
)


def _details_as_dict(details: Any) -> Dict[str, Any]:
    if details is None:
        return {}
    if isinstance(details, dict):
        return dict(details)
    if isinstance(details, BaseModel):
        out = dict(details.__dict__)
        extra = getattr(details, "__pydantic_extra__", None)
        if extra:
            out.update(extra)
        return out
    return dict(details)


def _normalise_usage(data: Dict[str, Any]) -> Dict[str, Any]:
    data = dict(data)
    prompt = data.get("prompt_tokens")
    completion = data.get("completion_tokens")
    if prompt is None:
        data["prompt_tokens"] = prompt = 0
    if completion is None:
        data["completion_tokens"] = completion = 0
    if data.get("total_tokens") is None:
        try:
            data["total_tokens"] = int(prompt) + int(completion)
        except (TypeError, ValueError):
            data["total_tokens"] = 0

    reasoning = data.pop("reasoning_tokens", None)
    if reasoning is not None:
        details = _details_as_dict(data.get("completion_tokens_details"))
        if details.get("reasoning_tokens") is None:
            details["reasoning_tokens"] = reasoning
        data["completion_tokens_details"] = details

    cache_read = data.get("cache_read_input_tokens")
    if cache_read is None:
        cache_read = data.get("prompt_cache_hit_tokens")  # DeepSeek's name
    cache_write = data.get("cache_creation_input_tokens")
    if cache_read is not None or cache_write is not None:
        details = _details_as_dict(data.get("prompt_tokens_details"))
        if cache_read is not None and details.get("cached_tokens") is None:
            details["cached_tokens"] = cache_read
        if cache_write is not None and details.get("cache_creation_tokens") is None:
            details["cache_creation_tokens"] = cache_write
        data["prompt_tokens_details"] = details
    return data


class Usage(OpenAIObject):
    """Token counts. ``total_tokens`` defaults to prompt + completion.

    Accepts ``prompt_tokens_details`` / ``completion_tokens_details`` as dicts or objects,
    ``reasoning_tokens`` (moved into ``completion_tokens_details``), and Anthropic-style
    ``cache_read_input_tokens`` / ``cache_creation_input_tokens`` (kept, and surfaced as
    ``prompt_tokens_details.cached_tokens`` / ``.cache_creation_tokens``).
    """

    __none_if_missing__ = frozenset(
        {"cache_read_input_tokens", "cache_creation_input_tokens", "server_tool_use", "cost"}
    )

    prompt_tokens: Annotated[int, _DefaultOnError(0)] = 0
    completion_tokens: Annotated[int, _DefaultOnError(0)] = 0
    total_tokens: Annotated[int, _DefaultOnError(0)] = 0
    prompt_tokens_details: Optional[PromptTokensDetails] = None
    completion_tokens_details: Optional[CompletionTokensDetails] = None

    @model_validator(mode="before")
    @classmethod
    def _fill_derived_counts(cls, data: Any) -> Any:
        if type(data) is dict:
            if (
                data.get("total_tokens") is None
                or data.get("prompt_tokens") is None
                or data.get("completion_tokens") is None
                or not _USAGE_SPECIAL_KEYS.isdisjoint(data)
            ):
                return _normalise_usage(data)
        return data

    @property
    def _cache_read_input_tokens(self) -> int:
        extra = self.__pydantic_extra__ or {}
        value = extra.get("cache_read_input_tokens")
        if value is None:
            value = extra.get("prompt_cache_hit_tokens")
        return value or 0

    @property
    def _cache_creation_input_tokens(self) -> int:
        return (self.__pydantic_extra__ or {}).get("cache_creation_input_tokens") or 0


# --------------------------------------------------------------------------------------------
# chat completion responses
# --------------------------------------------------------------------------------------------


def _one_choice() -> List[Choices]:
    return [Choices()]


def _one_streaming_choice() -> List[StreamingChoices]:
    return [StreamingChoices()]


def _is_stream_input(kwargs: Dict[str, Any]) -> bool:
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


def _private_property(name: str, factory: Optional[Callable[[], Any]], doc: str) -> Any:
    """A settable per-instance private value kept in ``__pydantic_private__``.

    Behaves like a pydantic ``PrivateAttr`` (never validated, never dumped, copied and pickled
    with the model) but costs nothing until first used: declared ``PrivateAttr``s are filled in
    on every construction, which is a measurable share of building a response.
    """

    def fget(self: BaseModel) -> Any:
        private = self.__pydantic_private__
        if private is None:
            private = {}
            object.__setattr__(self, "__pydantic_private__", private)
        try:
            return private[name]
        except KeyError:
            value = private[name] = factory() if factory is not None else None
            return value

    def fset(self: BaseModel, value: Any) -> None:
        private = self.__pydantic_private__
        if private is None:
            private = {}
            object.__setattr__(self, "__pydantic_private__", private)
        private[name] = value

    return property(fget, fset, doc=doc)


class _ResponseMixin:
    """Private state of the top-level response classes (never part of dumps)."""

    _hidden_params = _private_property(
        "_hidden_params", dict, "Call metadata (model id, api base, headers ...); a dict, default {}."
    )
    _response_ms = _private_property("_response_ms", None, "Request latency in milliseconds, if known.")
    _response_headers = _private_property("_response_headers", None, "Raw provider response headers, if kept.")

    def _set_private(
        self,
        response_ms: Optional[float],
        hidden_params: Optional[Dict[str, Any]],
        response_headers: Optional[Dict[str, Any]],
    ) -> None:
        if hidden_params:
            self._hidden_params = hidden_params
        if response_ms is not None:
            self._response_ms = response_ms
        if response_headers:
            self._response_headers = response_headers


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
    model: Optional[str] = None
    object: Annotated[str, _DefaultOnError("chat.completion")] = "chat.completion"
    system_fingerprint: Optional[str] = None
    choices: Annotated[List[Choices], _DefaultOnError(factory=_one_choice)] = Field(default_factory=_one_choice)
    usage: Optional[Usage] = Field(default_factory=Usage)

    def __new__(cls, *args: Any, **kwargs: Any) -> "ModelResponse":
        if cls is ModelResponse and kwargs and _is_stream_input(kwargs):
            cls = ModelResponseStream
        return super().__new__(cls)

    def __init__(
        self,
        stream: Optional[bool] = None,
        stream_options: Optional[Dict[str, Any]] = None,
        response_ms: Optional[float] = None,
        hidden_params: Optional[Dict[str, Any]] = None,
        _response_headers: Optional[Dict[str, Any]] = None,
        **data: Any,
    ) -> None:
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
    choices: Annotated[List[StreamingChoices], _DefaultOnError(factory=_one_streaming_choice)] = Field(  # type: ignore[assignment]
        default_factory=_one_streaming_choice
    )
    usage: Optional[Usage] = None
    provider_specific_fields: Optional[Dict[str, Any]] = None


# --------------------------------------------------------------------------------------------
# embeddings
# --------------------------------------------------------------------------------------------


class Embedding(OpenAIObject):
    """One embedding: a list of floats, or a base64 string with ``encoding_format="base64"``.

    The vector is stored as given (not validated element by element, to keep big batches cheap).
    """

    embedding: Annotated[Union[List[float], str], _Unvalidated()] = Field(default_factory=list)
    index: Annotated[int, _DefaultOnError(0)] = 0
    object: Annotated[str, _DefaultOnError("embedding")] = "embedding"


class EmbeddingResponse(_ResponseMixin, OpenAIObject):
    """``object="list"`` with ``data`` as :class:`Embedding` items (plain dicts are converted)."""

    model: Optional[str] = None
    data: Annotated[
        List[Annotated[Union[Embedding, Any], Field(union_mode="left_to_right")]],
        _DefaultOnError(factory=list),
    ] = Field(default_factory=list)
    object: Annotated[str, _DefaultOnError("list")] = "list"
    usage: Annotated[Optional[Usage], _DefaultOnError(factory=Usage)] = Field(default_factory=Usage)

    def __init__(
        self,
        model: Optional[str] = None,
        data: Optional[List[Any]] = None,
        usage: Any = None,
        response_ms: Optional[float] = None,
        hidden_params: Optional[Dict[str, Any]] = None,
        _response_headers: Optional[Dict[str, Any]] = None,
        **params: Any,
    ) -> None:
        if data is not None:
            params["data"] = data
        if usage is not None:
            params["usage"] = usage
        super().__init__(model=model, **params)
        if hidden_params or response_ms is not None or _response_headers:
            self._set_private(response_ms, hidden_params, _response_headers)


# --------------------------------------------------------------------------------------------
# text completions
# --------------------------------------------------------------------------------------------


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
