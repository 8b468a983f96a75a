"""The types users see from litegate's public API, checked three ways.

* ``mypy --strict tests/typing`` and ``pyright tests/typing`` (scripts/check.sh) read every
  ``assert_type`` below: a public function that loses its precise type fails CI.
* pytest runs the same code with ``mock_response`` (no network) and checks with ``isinstance``
  that the objects really are of the types the checkers were told.

``import litegate as litellm`` is the documented way in, so both spellings are used.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import pytest
from typing_extensions import assert_type

import litegate
import litegate as litellm
from litegate import (
    APIError,
    Client,
    ContextWindowExceededError,
    CustomStreamWrapper,
    EmbeddingResponse,
    ImageResponse,
    LiteLLMException,
    ModelResponse,
    ModelResponseStream,
    ModerationResponse,
    RateLimitError,
    RerankResponse,
    TextCompletionResponse,
    TextCompletionStreamWrapper,
    TranscriptionResponse,
)
from litegate.types.audio import HttpxBinaryResponseContent, TranscriptionText
from litegate.types.chat import ChatCompletionMessageToolCall, Choices, Message, StreamingChoices
from litegate.types.params import MessageLike
from litegate.types.utils import Usage

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletionMessageParam

MESSAGES = [{"role": "user", "content": "hi"}]
TOOL_CALL_ANSWER = ModelResponse(
    choices=[
        {
            "message": {
                "role": "assistant",
                "content": None,
                "tool_calls": [{"id": "call_1", "function": {"name": "f", "arguments": "{}"}}],
            },
            "finish_reason": "tool_calls",
        }
    ]
)


def test_completion_returns_a_model_response() -> None:
    resp = litegate.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="hello")
    assert_type(resp, ModelResponse)
    assert isinstance(resp, ModelResponse)

    choice = resp.choices[0]
    assert_type(choice, Choices)
    assert_type(choice.message, Message)
    assert_type(choice.message.content, str | None)
    assert_type(choice.finish_reason, str)
    assert_type(resp.usage, Usage | None)
    assert resp.choices[0].message.content == "hello"

    # stream=False (or None) is the same call
    resp = litellm.completion("gpt-4o-mini", MESSAGES, stream=False, mock_response="hello")
    assert_type(resp, ModelResponse)

    # shared options spread in: a dict[str, Any] (a dict[str, str] would not fit temperature=...).
    # Such a dict might hold "stream": mypy then cannot pick an overload (the call is Any), so
    # name the type where it matters.
    options: dict[str, Any] = {"api_key": "sk-test", "num_retries": 0, "mock_response": "hello"}
    spread: ModelResponse = litegate.completion("gpt-4o-mini", MESSAGES, **options)
    assert isinstance(spread, ModelResponse)
    # provider-specific keywords go through **kwargs
    assert_type(litegate.completion("gpt-4o-mini", MESSAGES, top_k=3, mock_response="x"), ModelResponse)


def test_tool_calls_are_typed() -> None:
    resp = litellm.completion("gpt-4o-mini", MESSAGES, mock_response=TOOL_CALL_ANSWER)
    tool_calls = resp.choices[0].message.tool_calls
    assert_type(tool_calls, list[ChatCompletionMessageToolCall] | None)
    assert tool_calls is not None
    call = tool_calls[0]
    assert isinstance(call, ChatCompletionMessageToolCall)
    assert_type(call.id, str)
    assert call.function is not None
    assert_type(call.function.arguments, str)
    assert_type(call.function.name, str | None)
    assert call.function.name == "f"


def test_completion_stream_yields_chunks() -> None:
    stream = litegate.completion("gpt-4o-mini", MESSAGES, stream=True, mock_response="hello")
    assert_type(stream, CustomStreamWrapper)
    assert isinstance(stream, litegate.CustomStreamWrapper)
    pieces = []
    chunks = []
    for chunk in stream:
        assert_type(chunk, ModelResponseStream)
        assert isinstance(chunk, ModelResponseStream)
        assert_type(chunk.choices[0], StreamingChoices)
        chunks.append(chunk)
        if chunk.choices:
            pieces.append(chunk.choices[0].delta.content or "")
    assert "".join(pieces) == "hello"
    rebuilt = litellm.stream_chunk_builder(chunks, messages=MESSAGES)
    assert_type(rebuilt, ModelResponse | None)
    assert isinstance(rebuilt, ModelResponse) and rebuilt.choices[0].message.content == "hello"


def test_stream_flag_known_only_at_run_time() -> None:
    def ask(stream: bool) -> ModelResponse | CustomStreamWrapper:
        answer = litegate.completion("gpt-4o-mini", MESSAGES, stream=stream, mock_response="hello")
        assert_type(answer, ModelResponse | CustomStreamWrapper)
        return answer

    assert isinstance(ask(False), ModelResponse)
    assert isinstance(ask(True), litegate.CustomStreamWrapper)


def test_stream_annotations_users_write() -> None:
    stream: litegate.CustomStreamWrapper = litegate.completion("gpt-4o-mini", MESSAGES, stream=True, mock_response="x")
    it: Iterator[ModelResponseStream] = iter(stream)
    assert_type(next(it), ModelResponseStream)
    with stream as same:
        assert_type(same, CustomStreamWrapper)
    # the chunk type may be spelled out (the class is generic at run time too)
    spelled: litegate.CustomStreamWrapper[litegate.ModelResponseStream] = stream
    assert_type(spelled, CustomStreamWrapper)


async def test_acompletion_awaited() -> None:
    resp = await litegate.acompletion("gpt-4o-mini", MESSAGES, mock_response="hello")
    assert_type(resp, ModelResponse)
    assert isinstance(resp, ModelResponse)

    stream = await litellm.acompletion("gpt-4o-mini", MESSAGES, stream=True, mock_response="hello")
    assert_type(stream, CustomStreamWrapper)
    chunks: AsyncIterator[ModelResponseStream] = stream.__aiter__()
    async for chunk in stream:
        assert_type(chunk, ModelResponseStream)
        assert isinstance(chunk, ModelResponseStream)
    del chunks


def test_messages_accept_the_shapes_users_have() -> None:
    # the openai SDK's TypedDicts, plain dicts, and a previous answer's message object
    sdk_messages: list[ChatCompletionMessageParam] = [{"role": "user", "content": "hi"}]
    plain: list[dict[str, Any]] = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]
    first = litegate.completion("gpt-4o-mini", sdk_messages, mock_response="ok")
    history: list[MessageLike] = [*plain, first.choices[0].message, {"role": "user", "content": "again"}]
    history.append(first.choices[0].message)
    second = litegate.completion("gpt-4o-mini", history, mock_response="ok")
    assert_type(second, ModelResponse)
    parts = [{"type": "text", "text": "what is this?"}, {"type": "image_url", "image_url": {"url": "data:,"}}]
    third = litegate.completion("gpt-4o-mini", [{"role": "user", "content": parts}], mock_response="ok")
    assert_type(third, ModelResponse)


def test_text_completion() -> None:
    resp = litegate.text_completion("gpt-3.5-turbo-instruct", "Say hi", mock_response="hi")
    assert_type(resp, TextCompletionResponse)
    assert isinstance(resp, TextCompletionResponse)
    assert_type(resp.choices[0].text, str | None)

    stream = litegate.text_completion("gpt-3.5-turbo-instruct", "Say hi", stream=True, mock_response="hi")
    assert_type(stream, TextCompletionStreamWrapper)
    for chunk in stream:
        assert_type(chunk, TextCompletionResponse)
        assert isinstance(chunk, TextCompletionResponse)


async def test_atext_completion() -> None:
    resp = await litegate.atext_completion("gpt-3.5-turbo-instruct", "Say hi", mock_response="hi")
    assert_type(resp, TextCompletionResponse)
    stream = await litegate.atext_completion("gpt-3.5-turbo-instruct", "Say hi", stream=True, mock_response="hi")
    assert_type(stream, TextCompletionStreamWrapper)
    async for chunk in stream:
        assert_type(chunk, TextCompletionResponse)


async def test_other_endpoints() -> None:
    emb = litegate.embedding("text-embedding-3-small", ["a", "b"], mock_response=[0.1, 0.2])
    assert_type(emb, EmbeddingResponse)
    assert isinstance(emb, EmbeddingResponse)
    aemb = await litegate.aembedding("text-embedding-3-small", "a", dimensions=2, mock_response=[0.1, 0.2])
    assert_type(aemb, EmbeddingResponse)
    assert isinstance(aemb, EmbeddingResponse)

    image = litegate.image_generation("a cat", mock_response="https://example.invalid/cat.png")
    assert_type(image, ImageResponse)
    assert isinstance(image, ImageResponse)
    assert_type(await litegate.aimage_generation("a cat", mock_response="u"), ImageResponse)

    mod = litegate.moderation("hello", mock_response="x")
    assert_type(mod, ModerationResponse)
    assert isinstance(mod, ModerationResponse)
    assert_type(await litegate.amoderation(["hello"], mock_response="x"), ModerationResponse)

    ranked = litegate.rerank("cohere/rerank-english-v3.0", "q", ["a", "b"], mock_response="x")
    assert_type(ranked, RerankResponse)
    assert isinstance(ranked, RerankResponse)
    assert_type(await litegate.arerank("cohere/rerank-english-v3.0", "q", ["a"], mock_response="x"), RerankResponse)

    audio = litegate.speech("tts-1", "hello", "alloy", mock_response="x")
    assert_type(audio, HttpxBinaryResponseContent)
    assert isinstance(audio, HttpxBinaryResponseContent)
    audio.close()
    aaudio = await litegate.aspeech("tts-1", "hello", "alloy", mock_response="x")
    assert_type(aaudio, HttpxBinaryResponseContent)
    aaudio.close()


async def test_transcription_format_picks_the_type() -> None:
    verbose = litegate.transcription("whisper-1", mock_response="hi", response_format="verbose_json")
    assert_type(verbose, TranscriptionResponse)
    assert isinstance(verbose, TranscriptionResponse)
    plain = litegate.transcription("whisper-1", mock_response="hi")
    assert_type(plain, TranscriptionResponse)
    text = litegate.transcription("whisper-1", mock_response="hi", response_format="text")
    assert_type(text, TranscriptionText)
    assert isinstance(text, str)

    async def transcribe(fmt: str) -> TranscriptionResponse | TranscriptionText:
        # a format known only at run time: either type, both with .text
        either = await litegate.atranscription("whisper-1", mock_response="hi", response_format=fmt)
        assert_type(either, TranscriptionResponse | TranscriptionText)
        assert_type(either.text, str)
        return either

    assert isinstance(await transcribe("srt"), TranscriptionText)
    assert isinstance(await transcribe("json"), TranscriptionResponse)


async def test_client_methods() -> None:
    async with Client(api_key="sk-test", num_retries=0) as client:
        resp = client.completion("gpt-4o-mini", MESSAGES, mock_response="hi")
        assert_type(resp, ModelResponse)
        assert isinstance(resp, ModelResponse)
        stream = client.completion("gpt-4o-mini", MESSAGES, stream=True, mock_response="hi")
        assert_type(stream, CustomStreamWrapper)
        for chunk in stream:
            assert_type(chunk, ModelResponseStream)
        aresp = await client.acompletion("gpt-4o-mini", MESSAGES, mock_response="hi")
        assert_type(aresp, ModelResponse)
        emb = await client.aembedding("text-embedding-3-small", "a", mock_response=[0.5])
        assert_type(emb, EmbeddingResponse)
        assert isinstance(emb, EmbeddingResponse)
        assert_type(client.rerank("cohere/rerank-english-v3.0", "q", ["a"], mock_response="x"), RerankResponse)
        assert_type(client.text_completion("gpt-3.5-turbo-instruct", "hi", mock_response="x"), TextCompletionResponse)


def test_exceptions() -> None:
    err = RateLimitError("slow down", llm_provider="openai", model="gpt-4o-mini")
    # litellm's hierarchy: every provider error is an APIError, every error a LiteLLMException
    as_api_error: APIError = err
    as_base: LiteLLMException = as_api_error
    caught: Exception = as_base
    assert isinstance(caught, litellm.APIError) and isinstance(caught, litegate.exceptions.APIError)
    assert_type(err.status_code, int)
    assert_type(err.message, str)
    assert_type(err.llm_provider, str | None)
    assert_type(err.model, str | None)
    assert_type(err.retry_after, float | None)
    assert_type(err.num_retries, int | None)
    assert err.status_code == 429 and err.llm_provider == "openai"

    window = ContextWindowExceededError("maximum context length is 8192 tokens", model="gpt-4")
    assert_type(window.max_tokens, int | None)
    assert window.max_tokens == 8192

    try:
        litegate.completion("gpt-4o-mini", MESSAGES, mock_response=RateLimitError("busy"))
    except litellm.RateLimitError as exc:
        assert_type(exc, RateLimitError)
        assert exc.status_code == 429
    else:
        pytest.fail("the mock error was not raised")


def test_litellm_import_paths() -> None:
    # the module paths litellm users import from
    from litegate.types.utils import ModelResponse as TypesModelResponse
    from litegate.utils import ModelResponse as UtilsModelResponse
    from litegate.utils import token_counter, trim_messages

    assert_type(litellm.ModelResponse(), ModelResponse)
    assert TypesModelResponse is UtilsModelResponse is litellm.ModelResponse
    assert_type(token_counter(model="gpt-4o-mini", messages=MESSAGES), int)
    assert_type(trim_messages(MESSAGES, "gpt-4o-mini"), list[dict[str, Any]])
    trimmed, left = trim_messages(MESSAGES, "gpt-4o-mini", return_response_tokens=True)
    assert_type(left, int | None)
    assert trimmed == MESSAGES


def test_settings() -> None:
    assert_type(litegate.drop_params, bool)
    assert_type(litegate.num_retries, int | None)
    assert_type(litegate.request_timeout, float)
    assert_type(litegate.api_key, str | None)
    assert_type(litegate.model_alias_map, dict[str, str])
    assert_type(litegate.DEFAULT_REQUEST_TIMEOUT, float)
    litellm.drop_params = True
    litellm.success_callback = ["langfuse"]
    litellm.model_alias_map = {"fast": "gpt-4o-mini"}
    assert litegate.drop_params is True
