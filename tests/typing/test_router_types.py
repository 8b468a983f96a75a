"""The types users see on the Router's methods, checked three ways.

* ``mypy --strict tests/typing`` and ``pyright tests/typing`` read every ``assert_type`` below: a
  Router method that loses its precise type (an ``Any``, the wrong ``stream`` overload) fails CI.
* pytest runs the same calls against deployments with ``mock_response`` (no network) and checks
  with ``isinstance`` that the answers really are of the types the checkers were told.
"""

from __future__ import annotations

from typing import Any

from typing_extensions import assert_type

from litegate.core.platform import AssistantEventStream
from litegate.router import Deployment, Router
from litegate.types.audio import HttpxBinaryResponseContent, TranscriptionResponse, TranscriptionText
from litegate.types.chat import ModelResponse
from litegate.types.completion import TextCompletionResponse
from litegate.types.embedding import EmbeddingResponse
from litegate.types.media import ImageResponse, ModerationResponse
from litegate.types.platform import Assistant, AssistantList, Run
from litegate.types.rerank import RerankResponse
from litegate.types.streaming import CustomStreamWrapper as ChatStream
from litegate.types.streaming import TextCompletionStreamWrapper as TextStream

MESSAGES = [{"role": "user", "content": "hi"}]
BatchResult = ModelResponse | ChatStream | Exception


def _router() -> Router:
    def entry(group: str, model: str, mock: object) -> dict[str, Any]:
        return {"model_name": group, "litellm_params": {"model": model, "api_key": "sk-typing", "mock_response": mock}}

    return Router(
        model_list=[
            entry("g", "openai/gpt-4o", "hello"),
            entry("e", "openai/text-embedding-3-small", True),
            entry("i", "openai/dall-e-3", True),
            entry("m", "openai/omni-moderation-latest", True),
            entry("r", "cohere/rerank-english-v3.0", True),
            entry("w", "openai/whisper-1", "a transcript"),
            entry("t", "openai/tts-1", b"audio"),
        ],
        fallbacks=[{"g": ["e"]}],
        model_group_alias={"alias": "g"},
    )


def test_completion_stream_overloads() -> None:
    router = _router()
    flag = len(MESSAGES) > 1  # a bool the checkers cannot see the value of
    resp = router.completion(model="g", messages=MESSAGES)
    assert_type(resp, ModelResponse)
    assert isinstance(resp, ModelResponse)
    assert_type(router.completion("g", MESSAGES, stream=False, temperature=0.2), ModelResponse)
    stream = router.completion(model="g", messages=MESSAGES, stream=True)
    assert_type(stream, ChatStream)
    assert isinstance(stream, ChatStream)
    stream.close()
    either = router.completion(model="alias", messages=MESSAGES, stream=flag)
    assert_type(either, ModelResponse | ChatStream)
    assert isinstance(either, ModelResponse)


def test_text_completion_stream_overloads() -> None:
    router = _router()
    flag = len(MESSAGES) > 1
    text = router.text_completion(model="g", prompt="say hi")
    assert_type(text, TextCompletionResponse)
    assert isinstance(text, TextCompletionResponse)
    stream = router.text_completion(model="g", prompt=["a", "b"], stream=True)
    assert_type(stream, TextStream)
    assert isinstance(stream, ChatStream)
    stream.close()
    either = router.text_completion(model="g", prompt="x", stream=flag)
    assert_type(either, TextCompletionResponse | TextStream)
    assert isinstance(either, TextCompletionResponse)


def test_other_endpoints() -> None:
    router = _router()
    emb = router.embedding(model="e", input="text")
    assert_type(emb, EmbeddingResponse)
    assert isinstance(emb, EmbeddingResponse)
    assert_type(router.embedding(model="e", input=[[1, 2, 3]]), EmbeddingResponse)
    image = router.image_generation(prompt="a cat", model="i")
    assert_type(image, ImageResponse)
    assert isinstance(image, ImageResponse)
    moderation = router.moderation(input=["a", "b"], model="m")
    assert_type(moderation, ModerationResponse)
    assert isinstance(moderation, ModerationResponse)
    ranked = router.rerank(model="r", query="q", documents=["a", "b"])
    assert_type(ranked, RerankResponse)
    assert isinstance(ranked, RerankResponse)
    transcript = router.transcription(model="w", file=b"RIFF")
    assert_type(transcript, TranscriptionResponse)
    assert isinstance(transcript, TranscriptionResponse)
    plain = router.transcription(model="w", file=b"RIFF", response_format="text")
    assert_type(plain, TranscriptionText)
    assert isinstance(plain, TranscriptionText)
    fmt = "srt" if len(MESSAGES) > 1 else "json"  # a str the checkers cannot narrow
    assert_type(
        router.transcription(model="w", file=b"RIFF", response_format=fmt), TranscriptionResponse | TranscriptionText
    )
    audio = router.speech(model="t", input="hello", voice="alloy")
    assert_type(audio, HttpxBinaryResponseContent)
    assert isinstance(audio, HttpxBinaryResponseContent)
    results = router.batch_completion("g", [MESSAGES, MESSAGES])
    assert_type(results, list[BatchResult])
    assert all(isinstance(r, ModelResponse) for r in results)


async def test_async_methods() -> None:
    router = _router()
    flag = len(MESSAGES) > 1
    resp = await router.acompletion(model="g", messages=MESSAGES)
    assert_type(resp, ModelResponse)
    assert isinstance(resp, ModelResponse)
    stream = await router.acompletion(model="g", messages=MESSAGES, stream=True)
    assert_type(stream, ChatStream)
    assert isinstance(stream, ChatStream)
    await stream.aclose()
    assert_type(await router.acompletion(model="g", messages=MESSAGES, stream=flag), ModelResponse | ChatStream)
    assert_type(await router.atext_completion(model="g", prompt="x"), TextCompletionResponse)
    text_stream = await router.atext_completion(model="g", prompt="x", stream=True)
    assert_type(text_stream, TextStream)
    await text_stream.aclose()
    assert_type(await router.aembedding(model="e", input=["a", "b"]), EmbeddingResponse)
    assert_type(await router.aimage_generation(prompt="a cat", model="i"), ImageResponse)
    assert_type(await router.amoderation(input="text", model="m"), ModerationResponse)
    assert_type(await router.arerank(model="r", query="q", documents=[{"text": "a"}]), RerankResponse)
    assert_type(await router.atranscription(model="w", file=b"RIFF"), TranscriptionResponse)
    assert_type(await router.atranscription(model="w", file=b"RIFF", response_format="vtt"), TranscriptionText)
    assert_type(await router.aspeech(model="t", input="hello", voice="alloy"), HttpxBinaryResponseContent)
    results = await router.abatch_completion(["g", "alias"], MESSAGES)
    assert_type(results, list[BatchResult])
    assert all(isinstance(r, ModelResponse) for r in results)
    assert_type(await router.get_model_group_usage("g"), tuple[int, int])


def test_management_methods() -> None:
    with _router() as router:
        assert_type(router, Router)
        assert_type(router.get_deployment("missing"), Deployment | None)
        picked = router.get_available_deployment("g", messages=MESSAGES)
        assert_type(picked, Deployment)
        assert isinstance(picked, Deployment)
        assert_type(router.get_available_deployments("g"), list[Deployment])
        added = router.add_deployment({"model_name": "h", "litellm_params": {"model": "openai/gpt-4o-mini"}})
        assert_type(added, Deployment | None)
        assert isinstance(added, Deployment)
        assert_type(router.get_model_names(), list[str])
        assert_type(router.get_model_list(), list[dict[str, Any]])
        assert_type(router.get_settings(), dict[str, Any])


async def _assistants(router: Router) -> None:  # types only: these calls need an assistants server
    assert_type(router.create_assistants("openai", model="gpt-4o"), Assistant)
    assert_type(await router.aget_assistants("openai"), AssistantList)
    assert_type(router.run_thread("openai", "thread_1", "asst_1"), Run | AssistantEventStream)
    assert_type(await router.acreate_run("thread_1", "asst_1"), Run | AssistantEventStream)
