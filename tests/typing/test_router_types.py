"""The types users see on the Router's methods: checked by mypy (--strict) and pyright, never run.

Each ``check_*`` function states, with ``assert_type``, what a type checker must infer; a change
that loses a type (an ``Any``, a wrong overload) fails the type-check gate.
"""

from __future__ import annotations

from typing import Any

from typing_extensions import assert_type

from litegate.core.platform import AssistantEventStream
from litegate.core.streaming import CustomStreamWrapper
from litegate.router import Deployment, Router
from litegate.types.audio import HttpxBinaryResponseContent, TranscriptionResponse, TranscriptionText
from litegate.types.chat import ModelResponse
from litegate.types.completion import TextCompletionResponse
from litegate.types.embedding import EmbeddingResponse
from litegate.types.media import ImageResponse, ModerationResponse
from litegate.types.platform import Assistant, Run
from litegate.types.rerank import RerankResponse

MESSAGES = [{"role": "user", "content": "hi"}]


def make_router() -> Router:
    return Router(
        model_list=[{"model_name": "g", "litellm_params": {"model": "openai/gpt-4o", "api_key": "k"}}],
        fallbacks=[{"g": ["h"]}],
        model_group_alias={"alias": "g"},
    )


def check_completion(router: Router, flag: bool) -> None:
    assert_type(router.completion(model="g", messages=MESSAGES), ModelResponse)
    assert_type(router.completion("g", MESSAGES, stream=False), ModelResponse)
    assert_type(router.completion(model="g", messages=MESSAGES, stream=True), CustomStreamWrapper)
    assert_type(router.completion(model="g", messages=MESSAGES, stream=flag), ModelResponse | CustomStreamWrapper)
    assert_type(router.completion(model="g", messages=MESSAGES, temperature=0.2, max_tokens=5), ModelResponse)


def check_text_completion(router: Router, flag: bool) -> None:
    assert_type(router.text_completion(model="g", prompt="say hi"), TextCompletionResponse)
    assert_type(router.text_completion(model="g", prompt=["a", "b"], stream=True), CustomStreamWrapper)
    assert_type(
        router.text_completion(model="g", prompt="x", stream=flag), TextCompletionResponse | CustomStreamWrapper
    )


async def check_async(router: Router, flag: bool) -> None:
    assert_type(await router.acompletion(model="g", messages=MESSAGES), ModelResponse)
    assert_type(await router.acompletion(model="g", messages=MESSAGES, stream=True), CustomStreamWrapper)
    assert_type(
        await router.acompletion(model="g", messages=MESSAGES, stream=flag), ModelResponse | CustomStreamWrapper
    )
    assert_type(await router.atext_completion(model="g", prompt="x"), TextCompletionResponse)
    assert_type(await router.atext_completion(model="g", prompt="x", stream=True), CustomStreamWrapper)
    assert_type(await router.aembedding(model="e", input=["a", "b"]), EmbeddingResponse)
    assert_type(await router.aimage_generation(prompt="a cat", model="i"), ImageResponse)
    assert_type(await router.amoderation(input="text", model="m"), ModerationResponse)
    assert_type(await router.arerank(model="r", query="q", documents=["a", "b"]), RerankResponse)
    assert_type(await router.atranscription(model="w", file=b"..."), TranscriptionResponse | TranscriptionText)
    assert_type(await router.aspeech(model="t", input="hello"), HttpxBinaryResponseContent)
    assert_type(await router.acreate_assistants("openai", model="g"), Assistant)
    assert_type(await router.arun_thread("openai", "thread", "asst"), Run | AssistantEventStream)
    assert_type(
        await router.abatch_completion(["g", "h"], MESSAGES), list[ModelResponse | CustomStreamWrapper | Exception]
    )
    assert_type(await router.get_model_group_usage("g"), tuple[int, int])


def check_other_endpoints(router: Router) -> None:
    assert_type(router.embedding(model="e", input="text"), EmbeddingResponse)
    assert_type(router.embedding(model="e", input=[[1, 2, 3]]), EmbeddingResponse)
    assert_type(router.image_generation(prompt="a cat", model="i"), ImageResponse)
    assert_type(router.moderation(input=["a", "b"], model="m"), ModerationResponse)
    assert_type(router.rerank(model="r", query="q", documents=[{"text": "a"}]), RerankResponse)
    assert_type(router.transcription(model="w", file=b"..."), TranscriptionResponse | TranscriptionText)
    assert_type(router.speech(model="t", input="hello"), HttpxBinaryResponseContent)
    assert_type(
        router.batch_completion("g", [MESSAGES, MESSAGES]), list[ModelResponse | CustomStreamWrapper | Exception]
    )


def check_management(router: Router) -> None:
    assert_type(router.get_deployment("id"), Deployment | None)
    assert_type(router.get_available_deployment("g", messages=MESSAGES), Deployment)
    assert_type(router.get_available_deployments("g"), list[Deployment])
    assert_type(router.add_deployment({"model_name": "h", "litellm_params": {"model": "openai/x"}}), Deployment | None)
    assert_type(router.get_model_names(), list[str])
    assert_type(router.get_model_list(), list[dict[str, Any]])
    assert_type(router.get_settings(), dict[str, Any])
    with make_router() as r:
        assert_type(r, Router)
