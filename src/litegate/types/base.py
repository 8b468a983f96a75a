"""Shared base of litegate's response objects: the dict-access model, usage and private state.

Every response model (``chat``, ``completion``, ``embedding``, ``media``, ``rerank``) derives from
:class:`OpenAIObject`, so every one of them

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

import builtins
import time as _time
from collections.abc import Callable
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
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
    "PromptTokensDetails",
    "CompletionTokensDetails",
    "PromptTokensDetailsWrapper",
    "CompletionTokensDetailsWrapper",
    "Usage",
]


# --------------------------------------------------------------------------------------------
# small helpers (annotation markers shared by the response modules)
# --------------------------------------------------------------------------------------------


def _now() -> int:
    return int(_time.time())


class _DefaultOnError:
    """Annotation marker: ``None`` (or any value the type rejects) takes the given default.

    Built as a pydantic-core ``with_default`` schema with ``on_error="default"``, so valid input
    never leaves Rust and no Python validator is called.
    """

    __slots__ = ("default", "factory")

    def __init__(self, default: Any = None, factory: Callable[[], Any] | None = None) -> None:
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


# --------------------------------------------------------------------------------------------
# common base
# --------------------------------------------------------------------------------------------


class MissingKeyError(KeyError, AttributeError):
    """Raised by ``obj[key]`` for a key the object does not have.

    It is both a ``KeyError`` (dict semantics) and an ``AttributeError`` (what litellm raises),
    so either ``except`` clause catches it.
    """


_EMPTY: frozenset[str] = frozenset()


class OpenAIObject(BaseModel):
    """Base of every response object: pydantic model + dict-style access."""

    model_config = ConfigDict(
        extra="allow",
        protected_namespaces=(),
        from_attributes=True,  # accept other pydantic objects (e.g. the openai SDK's) as input
    )

    # Optional fields left out of dumps, ``keys()`` and ``in`` while their value is None.
    # Only classes that also inherit ``_SparseDump`` honour this in dumps.
    __hidden_when_none__: ClassVar[frozenset[str]] = _EMPTY
    # Names that read as None instead of raising AttributeError when they were never given.
    __none_if_missing__: ClassVar[frozenset[str]] = _EMPTY

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
        if not extra:
            return False
        return key in extra

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

    def keys(self) -> list[str]:
        hidden = type(self).__hidden_when_none__
        if hidden:
            keys = [k for k, v in self.__dict__.items() if v is not None or k not in hidden]
        else:
            keys = list(self.__dict__)
        extra = self.__pydantic_extra__
        if extra:
            keys.extend(extra)
        return keys

    def values(self) -> list[Any]:
        return [self[k] for k in self.keys()]

    def items(self) -> list[tuple[str, Any]]:
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

    def json(self, **kwargs: Any) -> builtins.dict[str, Any]:  # type: ignore[override]
        """litellm compatibility: returns ``model_dump(**kwargs)`` (a dict), as litellm does.

        Use ``to_json()`` or ``model_dump_json()`` for a JSON string.
        """
        return self.model_dump(**kwargs)

    def dict(self, **kwargs: Any) -> builtins.dict[str, Any]:
        """Same as ``model_dump(**kwargs)``, without pydantic's deprecation warning."""
        return self.model_dump(**kwargs)

    def to_dict(self, **kwargs: Any) -> builtins.dict[str, Any]:
        return self.model_dump(**kwargs)

    def to_json(self, indent: int | None = 2, **kwargs: Any) -> str:
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
            return NotImplemented
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

    audio_tokens: int | None = None
    cached_tokens: int | None = None


class CompletionTokensDetails(OpenAIObject):
    """Breakdown of completion tokens (reasoning, audio, predictions ...)."""

    __none_if_missing__ = frozenset({"text_tokens", "image_tokens", "video_tokens"})

    accepted_prediction_tokens: int | None = None
    audio_tokens: int | None = None
    reasoning_tokens: int | None = None
    rejected_prediction_tokens: int | None = None


# litellm's names for the same classes
PromptTokensDetailsWrapper = PromptTokensDetails
CompletionTokensDetailsWrapper = CompletionTokensDetails

_USAGE_SPECIAL_KEYS = frozenset(
    {"cache_read_input_tokens", "cache_creation_input_tokens", "prompt_cache_hit_tokens", "reasoning_tokens"}
)


def _details_as_dict(details: Any) -> dict[str, Any]:
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


def _normalise_usage(data: dict[str, Any]) -> dict[str, Any]:
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


_ZERO_IF_MISSING = frozenset({"cache_read_input_tokens", "cache_creation_input_tokens"})


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
    prompt_tokens_details: PromptTokensDetails | None = None
    completion_tokens_details: CompletionTokensDetails | None = None

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

    def __getattr__(self, name: str) -> Any:
        # Cache counters a provider did not report read as 0 (litellm leaves them out; callers add
        # them up with getattr(usage, name, 0)), never None. They stay out of dumps and keys().
        if name in _ZERO_IF_MISSING:
            extra = self.__pydantic_extra__
            value = extra.get(name) if extra else None
            return 0 if value is None else value
        return super().__getattr__(name)

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
# private state of top-level responses
# --------------------------------------------------------------------------------------------


def _private_property(name: str, factory: Callable[[], Any] | None, doc: str) -> Any:
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
        response_ms: float | None,
        hidden_params: dict[str, Any] | None,
        response_headers: dict[str, Any] | None,
    ) -> None:
        if hidden_params:
            self._hidden_params = hidden_params
        if response_ms is not None:
            self._response_ms = response_ms
        if response_headers:
            self._response_headers = response_headers
