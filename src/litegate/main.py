"""Module-level call functions: ``litegate.completion``, ``acompletion``, ``embedding``, ``aembedding``.

Each is a thin facade over the default client (whose settings are the ``litegate`` module's
attributes). The explicit signatures document every parameter of the spec; anything else given as
a keyword is passed to the provider as-is (subject to ``drop_params`` for OpenAI parameters).

Type checkers see precise types: the ``@overload``s below tell ``completion(..., stream=True)``
(a :class:`~litegate.CustomStreamWrapper` of ``ModelResponseStream`` chunks) from a plain call (a
``ModelResponse``). The overloads cost nothing per call; the functions that run are the last
definition of each name. tests/typing checks that the overloads and the run-time signatures agree.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, Literal, overload

from .client import Client, _copy_signature, default_client

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
    from typing import ParamSpec, TypeVar

    from pydantic import BaseModel

    from .types.audio import HttpxBinaryResponseContent, TranscriptionResponse, TranscriptionText
    from .types.media import ImageResponse, ModerationResponse
    from .types.params import (
        EmbeddingInput,
        FileTypes,
        Messages,
        PromptInput,
        RequestTimeout,
        TranscriptionObjectFormat,
        TranscriptionTextFormat,
    )
    from .types.rerank import RerankResponse
    from .types.streaming import CustomStreamWrapper, TextCompletionStreamWrapper
    from .types.utils import EmbeddingResponse, ModelResponse, TextCompletionResponse

    _P = ParamSpec("_P")
    _R = TypeVar("_R")


def _given(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Only the arguments the caller gave a value (``None`` means "not given", as in litellm)."""
    if None in kwargs.values():
        return {k: v for k, v in kwargs.items() if v is not None}
    return kwargs


def _without(kw: dict[str, Any], second: str = "messages") -> dict[str, Any]:
    kw.pop("model", None)
    kw.pop(second, None)
    return kw


def _async_twin_of(
    sync: Callable[_P, _R],
) -> Callable[[Callable[..., Awaitable[Any]]], Callable[_P, Coroutine[Any, Any, _R]]]:
    """For type checkers: the decorated async function takes ``sync``'s parameters and returns
    what ``sync`` returns, awaited. At run time the function is returned unchanged (its
    ``__signature__`` is set at the end of this module)."""

    def keep(fn: Callable[..., Awaitable[Any]]) -> Any:
        return fn

    return keep


def _completion_signature(
    model: str,
    messages: Messages | None = None,
    *,
    stream: bool | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    n: int | None = None,
    stop: str | list[str] | None = None,
    max_tokens: int | None = None,
    max_completion_tokens: int | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    logit_bias: Mapping[str, float] | None = None,
    user: str | None = None,
    response_format: Mapping[str, Any] | type[BaseModel] | None = None,
    seed: int | None = None,
    tools: Sequence[Mapping[str, Any]] | None = None,
    tool_choice: str | Mapping[str, Any] | None = None,
    parallel_tool_calls: bool | None = None,
    logprobs: bool | None = None,
    top_logprobs: int | None = None,
    stream_options: Mapping[str, Any] | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    api_version: str | None = None,
    organization: str | None = None,
    custom_llm_provider: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    num_retries: int | None = None,
    timeout: RequestTimeout | None = None,
    mock_response: object = None,
    drop_params: bool | None = None,
    extra_headers: Mapping[str, str] | None = None,
    **kwargs: Any,
) -> ModelResponse | CustomStreamWrapper:
    """Chat completion in OpenAI's shape for any provider.

    Returns a ``ModelResponse``, or a ``CustomStreamWrapper`` of chunks when ``stream=True``.
    """
    raise NotImplementedError  # only its signature is used (by completion, acompletion and Client)


@overload
def completion(
    model: str,
    messages: Messages | None = None,
    *,
    stream: Literal[False] | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    n: int | None = None,
    stop: str | list[str] | None = None,
    max_tokens: int | None = None,
    max_completion_tokens: int | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    logit_bias: Mapping[str, float] | None = None,
    user: str | None = None,
    response_format: Mapping[str, Any] | type[BaseModel] | None = None,
    seed: int | None = None,
    tools: Sequence[Mapping[str, Any]] | None = None,
    tool_choice: str | Mapping[str, Any] | None = None,
    parallel_tool_calls: bool | None = None,
    logprobs: bool | None = None,
    top_logprobs: int | None = None,
    stream_options: Mapping[str, Any] | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    api_version: str | None = None,
    organization: str | None = None,
    custom_llm_provider: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    num_retries: int | None = None,
    timeout: RequestTimeout | None = None,
    mock_response: object = None,
    drop_params: bool | None = None,
    extra_headers: Mapping[str, str] | None = None,
    **kwargs: Any,
) -> ModelResponse: ...


@overload
def completion(
    model: str,
    messages: Messages | None = None,
    *,
    stream: Literal[True],
    temperature: float | None = None,
    top_p: float | None = None,
    n: int | None = None,
    stop: str | list[str] | None = None,
    max_tokens: int | None = None,
    max_completion_tokens: int | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    logit_bias: Mapping[str, float] | None = None,
    user: str | None = None,
    response_format: Mapping[str, Any] | type[BaseModel] | None = None,
    seed: int | None = None,
    tools: Sequence[Mapping[str, Any]] | None = None,
    tool_choice: str | Mapping[str, Any] | None = None,
    parallel_tool_calls: bool | None = None,
    logprobs: bool | None = None,
    top_logprobs: int | None = None,
    stream_options: Mapping[str, Any] | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    api_version: str | None = None,
    organization: str | None = None,
    custom_llm_provider: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    num_retries: int | None = None,
    timeout: RequestTimeout | None = None,
    mock_response: object = None,
    drop_params: bool | None = None,
    extra_headers: Mapping[str, str] | None = None,
    **kwargs: Any,
) -> CustomStreamWrapper: ...


@overload
def completion(
    model: str,
    messages: Messages | None = None,
    *,
    stream: bool,
    temperature: float | None = None,
    top_p: float | None = None,
    n: int | None = None,
    stop: str | list[str] | None = None,
    max_tokens: int | None = None,
    max_completion_tokens: int | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    logit_bias: Mapping[str, float] | None = None,
    user: str | None = None,
    response_format: Mapping[str, Any] | type[BaseModel] | None = None,
    seed: int | None = None,
    tools: Sequence[Mapping[str, Any]] | None = None,
    tool_choice: str | Mapping[str, Any] | None = None,
    parallel_tool_calls: bool | None = None,
    logprobs: bool | None = None,
    top_logprobs: int | None = None,
    stream_options: Mapping[str, Any] | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    api_version: str | None = None,
    organization: str | None = None,
    custom_llm_provider: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    num_retries: int | None = None,
    timeout: RequestTimeout | None = None,
    mock_response: object = None,
    drop_params: bool | None = None,
    extra_headers: Mapping[str, str] | None = None,
    **kwargs: Any,
) -> ModelResponse | CustomStreamWrapper: ...


def completion(model: str, messages: Messages | None = None, **kwargs: Any) -> ModelResponse | CustomStreamWrapper:
    """Chat completion in OpenAI's shape for any provider.

    Returns a ``ModelResponse``, or a ``CustomStreamWrapper`` of chunks when ``stream=True``.
    See the signature for every documented parameter; other keywords go to the provider.
    """
    # (the call is typed Any here: the keywords given decide which overload applies)
    response: ModelResponse | CustomStreamWrapper = default_client().completion(model, messages, **_given(kwargs))
    return response


@overload
async def acompletion(
    model: str,
    messages: Messages | None = None,
    *,
    stream: Literal[False] | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    n: int | None = None,
    stop: str | list[str] | None = None,
    max_tokens: int | None = None,
    max_completion_tokens: int | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    logit_bias: Mapping[str, float] | None = None,
    user: str | None = None,
    response_format: Mapping[str, Any] | type[BaseModel] | None = None,
    seed: int | None = None,
    tools: Sequence[Mapping[str, Any]] | None = None,
    tool_choice: str | Mapping[str, Any] | None = None,
    parallel_tool_calls: bool | None = None,
    logprobs: bool | None = None,
    top_logprobs: int | None = None,
    stream_options: Mapping[str, Any] | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    api_version: str | None = None,
    organization: str | None = None,
    custom_llm_provider: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    num_retries: int | None = None,
    timeout: RequestTimeout | None = None,
    mock_response: object = None,
    drop_params: bool | None = None,
    extra_headers: Mapping[str, str] | None = None,
    **kwargs: Any,
) -> ModelResponse: ...


@overload
async def acompletion(
    model: str,
    messages: Messages | None = None,
    *,
    stream: Literal[True],
    temperature: float | None = None,
    top_p: float | None = None,
    n: int | None = None,
    stop: str | list[str] | None = None,
    max_tokens: int | None = None,
    max_completion_tokens: int | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    logit_bias: Mapping[str, float] | None = None,
    user: str | None = None,
    response_format: Mapping[str, Any] | type[BaseModel] | None = None,
    seed: int | None = None,
    tools: Sequence[Mapping[str, Any]] | None = None,
    tool_choice: str | Mapping[str, Any] | None = None,
    parallel_tool_calls: bool | None = None,
    logprobs: bool | None = None,
    top_logprobs: int | None = None,
    stream_options: Mapping[str, Any] | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    api_version: str | None = None,
    organization: str | None = None,
    custom_llm_provider: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    num_retries: int | None = None,
    timeout: RequestTimeout | None = None,
    mock_response: object = None,
    drop_params: bool | None = None,
    extra_headers: Mapping[str, str] | None = None,
    **kwargs: Any,
) -> CustomStreamWrapper: ...


@overload
async def acompletion(
    model: str,
    messages: Messages | None = None,
    *,
    stream: bool,
    temperature: float | None = None,
    top_p: float | None = None,
    n: int | None = None,
    stop: str | list[str] | None = None,
    max_tokens: int | None = None,
    max_completion_tokens: int | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    logit_bias: Mapping[str, float] | None = None,
    user: str | None = None,
    response_format: Mapping[str, Any] | type[BaseModel] | None = None,
    seed: int | None = None,
    tools: Sequence[Mapping[str, Any]] | None = None,
    tool_choice: str | Mapping[str, Any] | None = None,
    parallel_tool_calls: bool | None = None,
    logprobs: bool | None = None,
    top_logprobs: int | None = None,
    stream_options: Mapping[str, Any] | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    api_version: str | None = None,
    organization: str | None = None,
    custom_llm_provider: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    num_retries: int | None = None,
    timeout: RequestTimeout | None = None,
    mock_response: object = None,
    drop_params: bool | None = None,
    extra_headers: Mapping[str, str] | None = None,
    **kwargs: Any,
) -> ModelResponse | CustomStreamWrapper: ...


async def acompletion(
    model: str, messages: Messages | None = None, **kwargs: Any
) -> ModelResponse | CustomStreamWrapper:
    """Async twin of :func:`completion` (same parameters); with ``stream=True`` returns an async
    iterator of chunks."""
    response: ModelResponse | CustomStreamWrapper = await default_client().acompletion(
        model, messages, **_given(kwargs)
    )
    return response


def embedding(
    model: str,
    input: EmbeddingInput | None = None,
    *,
    dimensions: int | None = None,
    encoding_format: str | None = None,
    user: str | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    api_version: str | None = None,
    custom_llm_provider: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    num_retries: int | None = None,
    timeout: RequestTimeout | None = None,
    mock_response: object = None,
    **kwargs: Any,
) -> EmbeddingResponse:
    """Embeddings in OpenAI's shape; returns an ``EmbeddingResponse``."""
    extra = kwargs
    kw = {k: v for k, v in locals().items() if v is not None and k != "kwargs" and k != "extra"}
    if extra:
        kw.update(extra)
    return default_client().embedding(model, input, **_without(kw, "input"))


@_async_twin_of(embedding)
async def aembedding(model: str, input: EmbeddingInput | None = None, **kwargs: Any) -> EmbeddingResponse:
    """Async twin of :func:`embedding` (same parameters)."""
    return await default_client().aembedding(model, input, **_given(kwargs))


def _text_completion_signature(
    model: str,
    prompt: PromptInput | None = None,
    *,
    stream: bool | None = None,
    max_tokens: int | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    n: int | None = None,
    logprobs: int | None = None,
    echo: bool | None = None,
    stop: str | list[str] | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    best_of: int | None = None,
    suffix: str | None = None,
    user: str | None = None,
    seed: int | None = None,
    logit_bias: Mapping[str, float] | None = None,
    stream_options: Mapping[str, Any] | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    api_version: str | None = None,
    custom_llm_provider: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    num_retries: int | None = None,
    timeout: RequestTimeout | None = None,
    mock_response: object = None,
    **kwargs: Any,
) -> TextCompletionResponse | TextCompletionStreamWrapper:
    """Documented parameters of :func:`text_completion` / :func:`atext_completion`."""
    raise NotImplementedError  # only its signature is used


@overload
def text_completion(
    model: str,
    prompt: PromptInput | None = None,
    *,
    stream: Literal[False] | None = None,
    max_tokens: int | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    n: int | None = None,
    logprobs: int | None = None,
    echo: bool | None = None,
    stop: str | list[str] | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    best_of: int | None = None,
    suffix: str | None = None,
    user: str | None = None,
    seed: int | None = None,
    logit_bias: Mapping[str, float] | None = None,
    stream_options: Mapping[str, Any] | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    api_version: str | None = None,
    custom_llm_provider: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    num_retries: int | None = None,
    timeout: RequestTimeout | None = None,
    mock_response: object = None,
    **kwargs: Any,
) -> TextCompletionResponse: ...


@overload
def text_completion(
    model: str,
    prompt: PromptInput | None = None,
    *,
    stream: Literal[True],
    max_tokens: int | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    n: int | None = None,
    logprobs: int | None = None,
    echo: bool | None = None,
    stop: str | list[str] | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    best_of: int | None = None,
    suffix: str | None = None,
    user: str | None = None,
    seed: int | None = None,
    logit_bias: Mapping[str, float] | None = None,
    stream_options: Mapping[str, Any] | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    api_version: str | None = None,
    custom_llm_provider: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    num_retries: int | None = None,
    timeout: RequestTimeout | None = None,
    mock_response: object = None,
    **kwargs: Any,
) -> TextCompletionStreamWrapper: ...


@overload
def text_completion(
    model: str,
    prompt: PromptInput | None = None,
    *,
    stream: bool,
    max_tokens: int | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    n: int | None = None,
    logprobs: int | None = None,
    echo: bool | None = None,
    stop: str | list[str] | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    best_of: int | None = None,
    suffix: str | None = None,
    user: str | None = None,
    seed: int | None = None,
    logit_bias: Mapping[str, float] | None = None,
    stream_options: Mapping[str, Any] | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    api_version: str | None = None,
    custom_llm_provider: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    num_retries: int | None = None,
    timeout: RequestTimeout | None = None,
    mock_response: object = None,
    **kwargs: Any,
) -> TextCompletionResponse | TextCompletionStreamWrapper: ...


def text_completion(
    model: str, prompt: PromptInput | None = None, **kwargs: Any
) -> TextCompletionResponse | TextCompletionStreamWrapper:
    """Legacy text completion (prompt in, text out); returns a ``TextCompletionResponse``, or a stream
    of them with ``stream=True``. Providers without a completions endpoint get the prompt as one
    user message."""
    response: TextCompletionResponse | TextCompletionStreamWrapper = default_client().text_completion(
        model, prompt, **_given(kwargs)
    )
    return response


@overload
async def atext_completion(
    model: str,
    prompt: PromptInput | None = None,
    *,
    stream: Literal[False] | None = None,
    max_tokens: int | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    n: int | None = None,
    logprobs: int | None = None,
    echo: bool | None = None,
    stop: str | list[str] | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    best_of: int | None = None,
    suffix: str | None = None,
    user: str | None = None,
    seed: int | None = None,
    logit_bias: Mapping[str, float] | None = None,
    stream_options: Mapping[str, Any] | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    api_version: str | None = None,
    custom_llm_provider: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    num_retries: int | None = None,
    timeout: RequestTimeout | None = None,
    mock_response: object = None,
    **kwargs: Any,
) -> TextCompletionResponse: ...


@overload
async def atext_completion(
    model: str,
    prompt: PromptInput | None = None,
    *,
    stream: Literal[True],
    max_tokens: int | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    n: int | None = None,
    logprobs: int | None = None,
    echo: bool | None = None,
    stop: str | list[str] | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    best_of: int | None = None,
    suffix: str | None = None,
    user: str | None = None,
    seed: int | None = None,
    logit_bias: Mapping[str, float] | None = None,
    stream_options: Mapping[str, Any] | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    api_version: str | None = None,
    custom_llm_provider: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    num_retries: int | None = None,
    timeout: RequestTimeout | None = None,
    mock_response: object = None,
    **kwargs: Any,
) -> TextCompletionStreamWrapper: ...


@overload
async def atext_completion(
    model: str,
    prompt: PromptInput | None = None,
    *,
    stream: bool,
    max_tokens: int | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    n: int | None = None,
    logprobs: int | None = None,
    echo: bool | None = None,
    stop: str | list[str] | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    best_of: int | None = None,
    suffix: str | None = None,
    user: str | None = None,
    seed: int | None = None,
    logit_bias: Mapping[str, float] | None = None,
    stream_options: Mapping[str, Any] | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    api_version: str | None = None,
    custom_llm_provider: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    num_retries: int | None = None,
    timeout: RequestTimeout | None = None,
    mock_response: object = None,
    **kwargs: Any,
) -> TextCompletionResponse | TextCompletionStreamWrapper: ...


async def atext_completion(
    model: str, prompt: PromptInput | None = None, **kwargs: Any
) -> TextCompletionResponse | TextCompletionStreamWrapper:
    """Async twin of :func:`text_completion` (same parameters)."""
    response: TextCompletionResponse | TextCompletionStreamWrapper = await default_client().atext_completion(
        model, prompt, **_given(kwargs)
    )
    return response


def image_generation(prompt: str | None = None, model: str | None = None, **kwargs: Any) -> ImageResponse:
    """Generate images (``n``, ``size``, ``quality``, ``style``, ``response_format`` "url" or "b64_json",
    ``user``, provider kwargs); returns an ``ImageResponse``. ``model`` defaults to "dall-e-2" as in
    OpenAI's API."""
    return default_client().image_generation(prompt, model or "dall-e-2", **_given(kwargs))


async def aimage_generation(prompt: str | None = None, model: str | None = None, **kwargs: Any) -> ImageResponse:
    """Async twin of :func:`image_generation`."""
    return await default_client().aimage_generation(prompt, model or "dall-e-2", **_given(kwargs))


def moderation(
    input: str | Sequence[str | Mapping[str, Any]] | None = None, model: str | None = None, **kwargs: Any
) -> ModerationResponse:
    """Classify text with a moderation model (default "text-moderation-latest", as the spec says); returns a
    ``ModerationResponse`` (``results[i].flagged``, ``categories``, ``category_scores``)."""
    return default_client().moderation(input, model, **_given(kwargs))


async def amoderation(
    input: str | Sequence[str | Mapping[str, Any]] | None = None, model: str | None = None, **kwargs: Any
) -> ModerationResponse:
    """Async twin of :func:`moderation`."""
    return await default_client().amoderation(input, model, **_given(kwargs))


def rerank(
    model: str,
    query: str | None = None,
    documents: Sequence[str | Mapping[str, Any]] | None = None,
    *,
    top_n: int | None = None,
    rank_fields: list[str] | None = None,
    return_documents: bool | None = True,
    max_chunks_per_doc: int | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    custom_llm_provider: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    num_retries: int | None = None,
    timeout: RequestTimeout | None = None,
    mock_response: object = None,
    **kwargs: Any,
) -> RerankResponse:
    """Rerank ``documents`` (strings or dicts) by relevance to ``query``; returns a ``RerankResponse``
    whose ``results[i].document`` is the caller's original document (when ``return_documents``)."""
    extra = kwargs
    kw = {k: v for k, v in locals().items() if v is not None and k != "kwargs" and k != "extra"}
    if extra:
        kw.update(extra)
    kw.pop("model"), kw.pop("query", None), kw.pop("documents", None)
    return default_client().rerank(model, query, documents, **kw)


@_async_twin_of(rerank)
async def arerank(
    model: str, query: str | None = None, documents: Sequence[str | Mapping[str, Any]] | None = None, **kwargs: Any
) -> RerankResponse:
    """Async twin of :func:`rerank` (same parameters)."""
    return await default_client().arerank(model, query, documents, **_given(kwargs))


@overload
def transcription(
    model: str,
    file: FileTypes | None = None,
    *,
    language: str | None = None,
    prompt: str | None = None,
    response_format: TranscriptionObjectFormat | None = None,
    temperature: float | None = None,
    timestamp_granularities: Sequence[str] | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    api_version: str | None = None,
    custom_llm_provider: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    num_retries: int | None = None,
    timeout: RequestTimeout | None = None,
    mock_response: object = None,
    **kwargs: Any,
) -> TranscriptionResponse: ...


@overload
def transcription(
    model: str,
    file: FileTypes | None = None,
    *,
    language: str | None = None,
    prompt: str | None = None,
    response_format: TranscriptionTextFormat,
    temperature: float | None = None,
    timestamp_granularities: Sequence[str] | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    api_version: str | None = None,
    custom_llm_provider: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    num_retries: int | None = None,
    timeout: RequestTimeout | None = None,
    mock_response: object = None,
    **kwargs: Any,
) -> TranscriptionText: ...


@overload
def transcription(
    model: str,
    file: FileTypes | None = None,
    *,
    language: str | None = None,
    prompt: str | None = None,
    response_format: str,
    temperature: float | None = None,
    timestamp_granularities: Sequence[str] | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    api_version: str | None = None,
    custom_llm_provider: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    num_retries: int | None = None,
    timeout: RequestTimeout | None = None,
    mock_response: object = None,
    **kwargs: Any,
) -> TranscriptionResponse | TranscriptionText: ...


def transcription(
    model: str,
    file: FileTypes | None = None,
    *,
    language: str | None = None,
    prompt: str | None = None,
    response_format: str | None = None,
    temperature: float | None = None,
    timestamp_granularities: Sequence[str] | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    api_version: str | None = None,
    custom_llm_provider: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    num_retries: int | None = None,
    timeout: RequestTimeout | None = None,
    mock_response: object = None,
    **kwargs: Any,
) -> TranscriptionResponse | TranscriptionText:
    """Speech to text. ``file``: an open binary file, a path, bytes, or ``(filename, bytes,
    content_type)``; it is streamed from its source. Returns a ``TranscriptionResponse`` (``text``;
    ``language``, ``duration``, ``words``, ``segments`` with "verbose_json"), or the transcript as a
    ``str`` for ``response_format`` "text", "srt" and "vtt"."""
    extra = kwargs
    kw = {k: v for k, v in locals().items() if v is not None and k != "kwargs" and k != "extra"}
    if extra:
        kw.update(extra)
    kw.pop("model"), kw.pop("file", None)
    response: TranscriptionResponse | TranscriptionText = default_client().transcription(model, file, **kw)
    return response


@overload
async def atranscription(
    model: str,
    file: FileTypes | None = None,
    *,
    language: str | None = None,
    prompt: str | None = None,
    response_format: TranscriptionObjectFormat | None = None,
    temperature: float | None = None,
    timestamp_granularities: Sequence[str] | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    api_version: str | None = None,
    custom_llm_provider: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    num_retries: int | None = None,
    timeout: RequestTimeout | None = None,
    mock_response: object = None,
    **kwargs: Any,
) -> TranscriptionResponse: ...


@overload
async def atranscription(
    model: str,
    file: FileTypes | None = None,
    *,
    language: str | None = None,
    prompt: str | None = None,
    response_format: TranscriptionTextFormat,
    temperature: float | None = None,
    timestamp_granularities: Sequence[str] | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    api_version: str | None = None,
    custom_llm_provider: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    num_retries: int | None = None,
    timeout: RequestTimeout | None = None,
    mock_response: object = None,
    **kwargs: Any,
) -> TranscriptionText: ...


@overload
async def atranscription(
    model: str,
    file: FileTypes | None = None,
    *,
    language: str | None = None,
    prompt: str | None = None,
    response_format: str,
    temperature: float | None = None,
    timestamp_granularities: Sequence[str] | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    api_version: str | None = None,
    custom_llm_provider: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    num_retries: int | None = None,
    timeout: RequestTimeout | None = None,
    mock_response: object = None,
    **kwargs: Any,
) -> TranscriptionResponse | TranscriptionText: ...


async def atranscription(
    model: str, file: FileTypes | None = None, **kwargs: Any
) -> TranscriptionResponse | TranscriptionText:
    """Async twin of :func:`transcription` (same parameters)."""
    response: TranscriptionResponse | TranscriptionText = await default_client().atranscription(
        model, file, **_given(kwargs)
    )
    return response


def speech(
    model: str,
    input: str | None = None,
    voice: str | Mapping[str, Any] | None = None,
    *,
    response_format: str | None = None,
    speed: float | None = None,
    instructions: str | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    api_version: str | None = None,
    custom_llm_provider: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    num_retries: int | None = None,
    timeout: RequestTimeout | None = None,
    mock_response: object = None,
    **kwargs: Any,
) -> HttpxBinaryResponseContent:
    """Text to speech. Returns an ``HttpxBinaryResponseContent``: ``stream_to_file(path)``,
    ``iter_bytes(chunk_size)``, ``read()`` / ``content``, ``close()``, usable with ``with``. The
    audio of a sync call is read from the network as it is consumed (never held whole unless
    ``read()`` is called)."""
    extra = kwargs
    kw = {k: v for k, v in locals().items() if v is not None and k != "kwargs" and k != "extra"}
    if extra:
        kw.update(extra)
    kw.pop("model"), kw.pop("input", None), kw.pop("voice", None)
    return default_client().speech(model, input, voice, **kw)


@_async_twin_of(speech)
async def aspeech(
    model: str, input: str | None = None, voice: str | Mapping[str, Any] | None = None, **kwargs: Any
) -> HttpxBinaryResponseContent:
    """Async twin of :func:`speech`: the audio is received before it returns (kept in a temporary
    file beyond 1 MiB), then read with the same methods, sync or async (``aiter_bytes``,
    ``astream_to_file``)."""
    return await default_client().aspeech(model, input, voice, **_given(kwargs))


# the async twins and the Client methods show the same documented parameters
completion.__signature__ = inspect.signature(_completion_signature)  # type: ignore[attr-defined]
acompletion.__signature__ = inspect.signature(_completion_signature)  # type: ignore[attr-defined]
aembedding.__signature__ = inspect.signature(embedding)  # type: ignore[attr-defined]
arerank.__signature__ = inspect.signature(rerank)  # type: ignore[attr-defined]
atranscription.__signature__ = inspect.signature(transcription)  # type: ignore[attr-defined]
aspeech.__signature__ = inspect.signature(speech)  # type: ignore[attr-defined]
text_completion.__signature__ = inspect.signature(_text_completion_signature)  # type: ignore[attr-defined]
atext_completion.__signature__ = inspect.signature(_text_completion_signature)  # type: ignore[attr-defined]
for _fn, _source in (
    (completion, _completion_signature),
    (acompletion, _completion_signature),
    (embedding, embedding),
    (aembedding, embedding),
    (rerank, rerank),
    (arerank, rerank),
    (text_completion, _text_completion_signature),
    (atext_completion, _text_completion_signature),
    (transcription, transcription),
    (atranscription, transcription),
    (speech, speech),
    (aspeech, speech),
):
    _copy_signature(_source, getattr(Client, _fn.__name__))
del _fn, _source
