"""Cost functions (spec section 8): figures computed by hand from the registry entry's prices.

Every expected value below is written out from the prices read in the test itself, never by
calling the code under test a second way.
"""

from __future__ import annotations

import logging
import time

import pytest

import litegate
from litegate import exceptions
from litegate.cost import calculator
from litegate.cost.calculator import (
    completion_cost,
    compute_response_cost,
    cost_per_token,
    response_cost_calculator,
)
from litegate.tokens import token_counter
from litegate.types.utils import (
    Choices,
    Embedding,
    EmbeddingResponse,
    Message,
    ModelResponse,
    TextCompletionResponse,
    Usage,
)


def registry():
    from litegate.cost import registry as reg

    return reg


def entry(model: str, provider: str | None = None) -> dict:
    e = registry().get_model_entry(model, provider)
    assert e is not None, f"{model} missing from the registry"
    return e


def find_entry(predicate) -> tuple[str, dict]:
    """The first registry model whose entry satisfies ``predicate`` (sorted for stability)."""
    for name in sorted(registry().model_cost):
        e = registry().model_cost[name]
        if isinstance(e, dict) and predicate(e):
            return name, e
    pytest.fail("no registry entry satisfies the predicate")


class _LocalModels:
    """Test-only entries put straight into ``model_cost`` (as litellm users sometimes do);
    monkeypatch takes them out again."""

    def __init__(self, monkeypatch):
        self._mp = monkeypatch

    def __setitem__(self, name: str, entry: dict) -> None:
        self._mp.setitem(registry().model_cost, name, entry)


@pytest.fixture
def local_models(monkeypatch):
    yield _LocalModels(monkeypatch)
    calculator._forget()


@pytest.fixture(autouse=True)
def _fresh_warnings():
    calculator._warned.clear()
    yield
    calculator._warned.clear()


def chat_response(response_model: str, usage: Usage, content: str = "ok", /, **hidden) -> ModelResponse:
    """A chat response; keyword arguments become its ``_hidden_params``."""
    resp = ModelResponse(
        model=response_model,
        usage=usage,
        choices=[Choices(message=Message(content=content), index=0, finish_reason="stop")],
    )
    if hidden:
        resp._hidden_params = dict(hidden)
    return resp


# --------------------------------------------------------------------------------------------
# cost_per_token
# --------------------------------------------------------------------------------------------


def test_cost_per_token_plain():
    e = entry("gpt-4o")
    prompt_cost, completion_cost_ = cost_per_token(model="gpt-4o", prompt_tokens=1200, completion_tokens=300)
    assert prompt_cost == pytest.approx(1200 * e["input_cost_per_token"])
    assert completion_cost_ == pytest.approx(300 * e["output_cost_per_token"])


def test_cost_per_token_positional_and_provider_prefix():
    e = entry("gpt-4o")
    assert cost_per_token("gpt-4o", 10, 20) == pytest.approx(
        (10 * e["input_cost_per_token"], 20 * e["output_cost_per_token"])
    )
    assert cost_per_token("openai/gpt-4o", 10, 20) == pytest.approx(cost_per_token("gpt-4o", 10, 20))
    assert cost_per_token("gpt-4o", 10, 20, custom_llm_provider="openai") == pytest.approx(
        cost_per_token("gpt-4o", 10, 20)
    )


def test_cost_per_token_cache_read_and_write():
    name, e = find_entry(
        lambda e: (
            e.get("litellm_provider") == "anthropic"
            and e.get("mode") == "chat"
            and e.get("cache_read_input_token_cost")
            and e.get("cache_creation_input_token_cost")
        )
    )
    # 10_000 prompt tokens, of which 6_000 read from the cache and 3_000 written to it
    p, c = cost_per_token(
        model=name,
        prompt_tokens=10_000,
        completion_tokens=400,
        cache_read_input_tokens=6_000,
        cache_creation_input_tokens=3_000,
    )
    assert p == pytest.approx(
        1_000 * e["input_cost_per_token"]
        + 6_000 * e["cache_read_input_token_cost"]
        + 3_000 * e["cache_creation_input_token_cost"]
    )
    assert c == pytest.approx(400 * e["output_cost_per_token"])


def test_cost_per_token_usage_object():
    e = entry("gpt-4o")
    usage = Usage(prompt_tokens=1000, completion_tokens=50, prompt_tokens_details={"cached_tokens": 800})
    p, c = cost_per_token(model="gpt-4o", usage_object=usage)
    assert p == pytest.approx(200 * e["input_cost_per_token"] + 800 * e["cache_read_input_token_cost"])
    assert c == pytest.approx(50 * e["output_cost_per_token"])


def test_cost_per_token_custom_prices_and_per_second():
    p, c = cost_per_token(
        model="anything",
        prompt_tokens=1000,
        completion_tokens=100,
        custom_cost_per_token={"input_cost_per_token": 1e-06, "output_cost_per_token": 3e-06},
    )
    assert (p, c) == pytest.approx((0.001, 0.0003))
    p, c = cost_per_token(model="anything", response_time_ms=1500, custom_cost_per_second=0.002)
    assert p + c == pytest.approx(0.003)
    with pytest.raises(ValueError, match="per second"):
        cost_per_token(model="anything", custom_cost_per_second=0.002)


def test_cost_per_token_unknown_model():
    with pytest.raises(exceptions.NotFoundException) as info:
        cost_per_token(model="completely-unknown-model-xyz", prompt_tokens=1, completion_tokens=1)
    assert info.value.status_code == 404
    assert isinstance(info.value, exceptions.NotFoundError)
    assert "completely-unknown-model-xyz" in str(info.value)


def test_cost_per_token_rerank_and_transcription():
    name, e = find_entry(lambda e: e.get("mode") == "rerank" and e.get("input_cost_per_query"))
    assert cost_per_token(model=name, call_type="rerank", number_of_queries=3) == pytest.approx(
        (3 * e["input_cost_per_query"], 0.0)
    )
    w = entry("whisper-1")
    assert cost_per_token(
        model="whisper-1", call_type="transcription", audio_transcription_file_duration=60.0
    ) == pytest.approx((60.0 * w["input_cost_per_second"], 0.0))


# --------------------------------------------------------------------------------------------
# completion_cost: chat
# --------------------------------------------------------------------------------------------


def test_completion_cost_from_response():
    e = entry("gpt-4o")
    resp = chat_response("gpt-4o", Usage(prompt_tokens=15_000, completion_tokens=2_000))
    expected = 15_000 * e["input_cost_per_token"] + 2_000 * e["output_cost_per_token"]
    assert completion_cost(completion_response=resp) == pytest.approx(expected)
    assert completion_cost(resp) == pytest.approx(expected)
    assert completion_cost(completion_response=resp.model_dump()) == pytest.approx(expected)  # a dict


def test_openai_cached_tokens_are_not_billed_twice():
    e = entry("gpt-4o")
    usage = Usage(prompt_tokens=2_000, completion_tokens=100, prompt_tokens_details={"cached_tokens": 1_536})
    resp = chat_response("gpt-4o", usage)
    expected = (
        464 * e["input_cost_per_token"] + 1_536 * e["cache_read_input_token_cost"] + 100 * e["output_cost_per_token"]
    )
    assert completion_cost(completion_response=resp) == pytest.approx(expected)
    assert compute_response_cost(resp, call_type="completion", model="gpt-4o", provider="openai") == pytest.approx(
        expected
    )
    # cheaper than the same prompt without the cache
    assert expected < 2_000 * e["input_cost_per_token"] + 100 * e["output_cost_per_token"]


def test_anthropic_cache_read_and_creation_tokens():
    name, e = find_entry(
        lambda e: (
            e.get("litellm_provider") == "anthropic"
            and e.get("mode") == "chat"
            and e.get("cache_read_input_token_cost")
            and e.get("cache_creation_input_token_cost")
        )
    )
    # litegate's Usage for Anthropic: prompt_tokens is the whole prompt, cache included
    usage = Usage(
        prompt_tokens=5_000, completion_tokens=250, cache_read_input_tokens=3_000, cache_creation_input_tokens=1_500
    )
    resp = chat_response(name, usage, custom_llm_provider="anthropic", model=name)
    expected = (
        500 * e["input_cost_per_token"]
        + 3_000 * e["cache_read_input_token_cost"]
        + 1_500 * e["cache_creation_input_token_cost"]
        + 250 * e["output_cost_per_token"]
    )
    assert completion_cost(completion_response=resp) == pytest.approx(expected)
    assert compute_response_cost(resp, call_type="completion", model=name, provider="anthropic") == pytest.approx(
        expected
    )


def test_anthropic_native_counts_cache_outside_prompt(local_models):
    # Anthropic's own usage block: input_tokens excludes the cache. When the cache counts exceed
    # prompt_tokens they cannot be part of it, so all of prompt_tokens is billed at the input price.
    local_models["test-anthropic-native"] = {
        "input_cost_per_token": 3e-06,
        "output_cost_per_token": 1.5e-05,
        "cache_read_input_token_cost": 3e-07,
        "cache_creation_input_token_cost": 3.75e-06,
        "litellm_provider": "anthropic",
        "mode": "chat",
    }
    usage = Usage(prompt_tokens=20, completion_tokens=10, cache_read_input_tokens=4_000, cache_creation_input_tokens=0)
    cost = completion_cost(completion_response=chat_response("test-anthropic-native", usage))
    assert cost == pytest.approx(20 * 3e-06 + 4_000 * 3e-07 + 10 * 1.5e-05)


def test_model_from_hidden_params_then_response_model():
    e = entry("gpt-4o")
    usage = Usage(prompt_tokens=100, completion_tokens=10)
    expected = 100 * e["input_cost_per_token"] + 10 * e["output_cost_per_token"]
    # response.model is a name the registry does not know; the call's model (hidden params) is priced
    resp = chat_response("my-azure-deployment-name", usage, model="gpt-4o", custom_llm_provider="openai")
    assert completion_cost(completion_response=resp) == pytest.approx(expected)
    # no hidden params: response.model
    assert completion_cost(completion_response=chat_response("gpt-4o", usage)) == pytest.approx(expected)
    # an explicit model argument is tried first
    m = entry("gpt-3.5-turbo")
    assert completion_cost(completion_response=chat_response("gpt-4o", usage), model="gpt-3.5-turbo") == pytest.approx(
        100 * m["input_cost_per_token"] + 10 * m["output_cost_per_token"]
    )


def test_model_alias_map(monkeypatch):
    e = entry("gpt-4o")
    monkeypatch.setattr(litegate, "model_alias_map", {"my-alias": "gpt-4o"})
    assert completion_cost(model="my-alias", prompt_tokens=10, completion_tokens=0) == pytest.approx(
        10 * e["input_cost_per_token"]
    )


def test_explicit_tokens_win_over_usage_and_text():
    e = entry("gpt-3.5-turbo")
    resp = chat_response("gpt-3.5-turbo", Usage(prompt_tokens=999, completion_tokens=999))
    cost = completion_cost(
        completion_response=resp,
        prompt_tokens=10,
        completion_tokens=20,
        messages=[{"role": "user", "content": "ignored " * 50}],
    )
    assert cost == pytest.approx(10 * e["input_cost_per_token"] + 20 * e["output_cost_per_token"])


def test_tokens_counted_from_text():
    e = entry("gpt-3.5-turbo")
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is 2+2?"}]
    answer = "2 + 2 = 4."
    p = token_counter(model="gpt-3.5-turbo", messages=messages)
    c = token_counter(model="gpt-3.5-turbo", text=answer)
    assert p > 10 and c > 3
    expected = p * e["input_cost_per_token"] + c * e["output_cost_per_token"]
    assert completion_cost(model="gpt-3.5-turbo", messages=messages, completion=answer) == pytest.approx(expected)
    assert completion_cost(model="gpt-3.5-turbo", messages=messages, output_text=answer) == pytest.approx(expected)
    # legacy prompt text
    pt = token_counter(model="gpt-3.5-turbo", text="Say hi")
    assert completion_cost(model="gpt-3.5-turbo", prompt="Say hi", completion=answer) == pytest.approx(
        pt * e["input_cost_per_token"] + c * e["output_cost_per_token"]
    )
    # a response without usage: its text is counted
    resp = chat_response("gpt-3.5-turbo", Usage(), answer)
    assert completion_cost(completion_response=resp, messages=messages) == pytest.approx(expected)


def test_foreign_response_objects():
    from types import SimpleNamespace

    openai_types = pytest.importorskip("openai.types.chat")
    e = entry("gpt-4o")
    body = {
        "id": "c1",
        "object": "chat.completion",
        "created": 1,
        "model": "gpt-4o-2024-08-06",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "x"}}],
        "usage": {
            "prompt_tokens": 900,
            "completion_tokens": 90,
            "total_tokens": 990,
            "prompt_tokens_details": {"cached_tokens": 512},
        },
    }
    sdk = openai_types.ChatCompletion.model_validate(body)
    expected = (
        388 * e["input_cost_per_token"] + 512 * e["cache_read_input_token_cost"] + 90 * e["output_cost_per_token"]
    )
    assert completion_cost(completion_response=sdk, model="gpt-4o") == pytest.approx(expected)
    plain = SimpleNamespace(
        model="gpt-4o",
        choices=[],
        usage=SimpleNamespace(
            prompt_tokens=900, completion_tokens=90, prompt_tokens_details=SimpleNamespace(cached_tokens=512)
        ),
    )
    assert completion_cost(completion_response=plain) == pytest.approx(expected)


def test_async_call_type_names():
    e = entry("gpt-4o")
    assert completion_cost(
        model="gpt-4o", prompt_tokens=7, completion_tokens=3, call_type="acompletion"
    ) == pytest.approx(7 * e["input_cost_per_token"] + 3 * e["output_cost_per_token"])
    with pytest.raises(ValueError, match="call_type"):
        completion_cost(model="gpt-4o", prompt_tokens=1, call_type="no-such-call")


def test_text_completion_response():
    e = entry("gpt-3.5-turbo")
    resp = TextCompletionResponse(
        model="gpt-3.5-turbo", choices=[{"text": "hi", "index": 0}], usage={"prompt_tokens": 40, "completion_tokens": 8}
    )
    expected = 40 * e["input_cost_per_token"] + 8 * e["output_cost_per_token"]
    assert completion_cost(completion_response=resp) == pytest.approx(expected)
    assert completion_cost(completion_response=resp, call_type="text_completion") == pytest.approx(expected)


def test_audio_and_reasoning_token_prices(local_models):
    local_models["test-audio-model"] = {
        "input_cost_per_token": 2.5e-06,
        "output_cost_per_token": 1e-05,
        "input_cost_per_audio_token": 4e-05,
        "output_cost_per_audio_token": 8e-05,
        "output_cost_per_reasoning_token": 2e-05,
        "litellm_provider": "openai",
        "mode": "chat",
    }
    usage = Usage(
        prompt_tokens=1_000,
        completion_tokens=600,
        prompt_tokens_details={"audio_tokens": 300},
        completion_tokens_details={"audio_tokens": 200, "reasoning_tokens": 100},
    )
    expected = (700 * 2.5e-06 + 300 * 4e-05) + (300 * 1e-05 + 200 * 8e-05 + 100 * 2e-05)
    resp = chat_response("test-audio-model", usage)
    assert completion_cost(completion_response=resp) == pytest.approx(expected)
    assert compute_response_cost(
        resp, call_type="completion", model="test-audio-model", provider=None
    ) == pytest.approx(expected)


def test_long_context_tier(local_models):
    local_models["test-tiered"] = {
        "input_cost_per_token": 1.25e-06,
        "output_cost_per_token": 1e-05,
        "input_cost_per_token_above_200k_tokens": 2.5e-06,
        "output_cost_per_token_above_200k_tokens": 1.5e-05,
        "litellm_provider": "gemini",
        "mode": "chat",
    }
    assert completion_cost(model="test-tiered", prompt_tokens=200_000, completion_tokens=100) == pytest.approx(
        200_000 * 1.25e-06 + 100 * 1e-05
    )
    assert completion_cost(model="test-tiered", prompt_tokens=200_001, completion_tokens=100) == pytest.approx(
        200_001 * 2.5e-06 + 100 * 1.5e-05
    )


def test_service_tier_prices():
    name, e = find_entry(
        lambda e: (
            e.get("mode") == "chat"
            and e.get("input_cost_per_token_priority")
            and e.get("output_cost_per_token_priority")
            and e.get("input_cost_per_token")
        )
    )
    body = {
        "model": name,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "x"}}],
        "usage": {"prompt_tokens": 1_000, "completion_tokens": 100},
    }
    resp = ModelResponse(service_tier="priority", **body)
    expected = 1_000 * e["input_cost_per_token_priority"] + 100 * e["output_cost_per_token_priority"]
    assert completion_cost(completion_response=resp) == pytest.approx(expected)
    assert compute_response_cost(resp, call_type="completion", model=name, provider=None) == pytest.approx(expected)
    assert cost_per_token(
        model=name, prompt_tokens=1_000, completion_tokens=100, service_tier="priority"
    ) == pytest.approx((1_000 * e["input_cost_per_token_priority"], 100 * e["output_cost_per_token_priority"]))
    resp = ModelResponse(service_tier="default", **body)
    assert completion_cost(completion_response=resp) == pytest.approx(
        1_000 * e["input_cost_per_token"] + 100 * e["output_cost_per_token"]
    )


def test_per_second_and_per_character_entries(local_models):
    local_models["test-provisioned"] = {"input_cost_per_second": 0.0175, "litellm_provider": "bedrock", "mode": "chat"}
    local_models["test-per-char"] = {
        "input_cost_per_character": 1.25e-07,
        "output_cost_per_character": 3.75e-07,
        "litellm_provider": "vertex_ai",
        "mode": "chat",
    }
    assert completion_cost(
        model="test-provisioned", prompt_tokens=10, completion_tokens=10, total_time=2.0
    ) == pytest.approx(2.0 * 0.0175)
    assert cost_per_token(model="test-provisioned", response_time_ms=500) == pytest.approx((0.5 * 0.0175, 0.0))
    resp = chat_response("test-provisioned", Usage(prompt_tokens=5, completion_tokens=5))
    resp._response_ms = 1234.0
    assert completion_cost(completion_response=resp) == pytest.approx(1.234 * 0.0175)
    with pytest.raises(ValueError, match="per second"):
        completion_cost(model="test-provisioned", prompt_tokens=10, completion_tokens=10)

    messages = [{"role": "user", "content": "abcdefghij"}]  # 10 characters
    assert completion_cost(model="test-per-char", messages=messages, completion="xyz") == pytest.approx(
        10 * 1.25e-07 + 3 * 3.75e-07
    )
    assert cost_per_token(model="test-per-char", prompt_characters=100, completion_characters=40) == pytest.approx(
        (100 * 1.25e-07, 40 * 3.75e-07)
    )


# --------------------------------------------------------------------------------------------
# completion_cost: other call types
# --------------------------------------------------------------------------------------------


def test_embedding_cost():
    e = entry("text-embedding-ada-002")
    resp = EmbeddingResponse(
        model="text-embedding-ada-002",
        usage=Usage(prompt_tokens=500_000, total_tokens=500_000),
        data=[Embedding(embedding=[0.1] * 8, index=0, object="embedding")],
    )
    expected = 500_000 * e["input_cost_per_token"]
    assert completion_cost(completion_response=resp, call_type="embedding") == pytest.approx(expected)
    assert completion_cost(completion_response=resp) == pytest.approx(expected)  # inferred
    assert compute_response_cost(
        resp, call_type="embedding", model="text-embedding-ada-002", provider="openai"
    ) == pytest.approx(expected)
    # counted from the input text, each input on its own
    texts = ["first document", "a second, longer document to embed"]
    n = sum(token_counter(model="text-embedding-ada-002", text=t) for t in texts)
    assert completion_cost(model="text-embedding-ada-002", input_text=texts, call_type="aembedding") == pytest.approx(
        n * e["input_cost_per_token"]
    )


def test_image_generation_sized_entries(local_models):
    # litellm's layout: one entry per quality and size, priced per pixel or per image
    local_models["hd/1024-x-1792/test-dalle"] = {
        "input_cost_per_pixel": 6.53e-08,
        "output_cost_per_token": 0.0,
        "litellm_provider": "openai",
        "mode": "image_generation",
    }
    local_models["standard/1024-x-1024/test-dalle"] = {
        "input_cost_per_pixel": 3.81e-08,
        "litellm_provider": "openai",
        "mode": "image_generation",
    }
    local_models["test-dalle"] = {"litellm_provider": "openai", "mode": "image_generation"}
    local_models["test-flat-image"] = {
        "output_cost_per_image": 0.04,
        "litellm_provider": "openai",
        "mode": "image_generation",
    }
    assert completion_cost(
        model="test-dalle", call_type="image_generation", size="1024x1792", quality="hd", n=2
    ) == pytest.approx(2 * 1024 * 1792 * 6.53e-08)
    # defaults: 1024x1024, standard quality, n from the response's data
    resp = {
        "created": 1,
        "data": [{"url": "https://x/1.png"}, {"url": "https://x/2.png"}, {"url": "u"}],
        "_hidden_params": {"model": "test-dalle", "custom_llm_provider": "openai"},
    }
    assert completion_cost(completion_response=resp, call_type="image_generation") == pytest.approx(
        3 * 1024 * 1024 * 3.81e-08
    )
    assert completion_cost(model="test-flat-image", call_type="aimage_generation", n=3) == pytest.approx(0.12)
    with pytest.raises(exceptions.NotFoundException, match="no-such-image-model"):
        completion_cost(model="no-such-image-model", call_type="image_generation")


def test_image_generation_registry_entries():
    # per image, by quality and size
    e = entry("high/1024-x-1536/gpt-image-1", "openai")
    assert completion_cost(
        model="gpt-image-1", call_type="image_generation", quality="high", size="1024x1536", n=2
    ) == pytest.approx(2 * e["input_cost_per_image"])
    # quality "auto" (OpenAI's default) with only per-quality prices: the highest, never less
    e = entry("high/1024-x-1024/gpt-image-1", "openai")
    assert completion_cost(model="openai/gpt-image-1", call_type="image_generation", quality="auto") == pytest.approx(
        e["input_cost_per_image"]
    )
    # per pixel (Azure DALL-E 3)
    e = entry("azure/hd/1024-x-1792/dall-e-3")
    assert completion_cost(
        model="azure/dall-e-3", call_type="image_generation", quality="hd", size="1024x1792"
    ) == pytest.approx(1024 * 1792 * e["input_cost_per_pixel"])
    # token-priced (gpt-image-1 responses carry usage): text and image input tokens, image output tokens
    e = entry("gpt-image-1")
    resp = {
        "created": 1,
        "data": [{"b64_json": "aGk="}],
        "usage": {
            "input_tokens": 50,
            "output_tokens": 4160,
            "total_tokens": 4210,
            "input_tokens_details": {"text_tokens": 40, "image_tokens": 10},
        },
    }
    assert completion_cost(
        completion_response=resp, model="gpt-image-1", call_type="image_generation"
    ) == pytest.approx(
        40 * e["input_cost_per_token"] + 10 * e["input_cost_per_image_token"] + 4160 * e["output_cost_per_image_token"]
    )


def test_register_model_prices_a_new_model():
    name = "test-org/registered-for-cost-test"
    resp = chat_response(name, Usage(prompt_tokens=1_000, completion_tokens=100))
    with pytest.raises(exceptions.NotFoundException):
        completion_cost(model=name, prompt_tokens=1, completion_tokens=1)
    assert compute_response_cost(resp, call_type="completion", model=name, provider=None) is None
    assert compute_response_cost(resp, call_type="completion", model=name, provider=None) is None  # memoized
    registry().register_model(
        {
            name: {
                "input_cost_per_token": 4e-06,
                "output_cost_per_token": 1.6e-05,
                "litellm_provider": "openai",
                "mode": "chat",
            }
        }
    )
    try:
        expected = 1_000 * 4e-06 + 100 * 1.6e-05
        assert completion_cost(model=name, prompt_tokens=1_000, completion_tokens=100) == pytest.approx(expected)
        assert compute_response_cost(resp, call_type="completion", model=name, provider=None) == pytest.approx(expected)
    finally:
        registry().model_cost.pop(name, None)
        registry()._lower.pop(name.lower(), None)
        calculator._forget()


def test_transcription_by_seconds():
    e = entry("whisper-1")
    resp = {"text": "hello there", "duration": 42.5, "_hidden_params": {"model": "whisper-1"}}
    assert completion_cost(completion_response=resp, call_type="transcription") == pytest.approx(
        42.5 * e["input_cost_per_second"]
    )
    assert completion_cost(model="whisper-1", call_type="atranscription", total_time=90.0) == pytest.approx(
        90.0 * e["input_cost_per_second"]
    )
    with pytest.raises(ValueError, match="duration"):
        completion_cost(model="whisper-1", call_type="transcription")


def test_transcription_token_billed_and_usage_seconds():
    e = entry("gpt-4o-transcribe")
    resp = {
        "text": "hello",
        "duration": 30.0,
        "usage": {
            "type": "tokens",
            "input_tokens": 120,
            "output_tokens": 45,
            "total_tokens": 165,
            "input_token_details": {"text_tokens": 20, "audio_tokens": 100},
        },
    }
    assert completion_cost(
        completion_response=resp, model="gpt-4o-transcribe", call_type="transcription"
    ) == pytest.approx(
        20 * e["input_cost_per_token"] + 100 * e["input_cost_per_audio_token"] + 45 * e["output_cost_per_token"]
    )
    w = entry("whisper-1")
    resp = {"text": "hello", "usage": {"type": "duration", "seconds": 12}}
    assert completion_cost(completion_response=resp, model="whisper-1", call_type="transcription") == pytest.approx(
        12 * w["input_cost_per_second"]
    )


def test_speech_token_priced_model_needs_the_audio_length():
    e = entry("gpt-4o-mini-tts")
    text = "Read this aloud, please."
    with pytest.raises(ValueError, match="generated audio"):
        completion_cost(model="gpt-4o-mini-tts", call_type="speech", prompt=text)
    n = token_counter(model="gpt-4o-mini-tts", text=text)
    assert completion_cost(model="gpt-4o-mini-tts", call_type="speech", prompt=text, total_time=8.0) == pytest.approx(
        n * e["input_cost_per_token"] + 8.0 * e["output_cost_per_second"]
    )


def test_speech_by_characters():
    e = entry("tts-1")
    text = "The quick brown fox jumps over the lazy dog."
    assert completion_cost(model="tts-1", call_type="speech", prompt=text) == pytest.approx(
        len(text) * e["input_cost_per_character"]
    )
    assert completion_cost(model="tts-1", call_type="aspeech", input_text=text) == pytest.approx(
        len(text) * e["input_cost_per_character"]
    )


def test_rerank_per_search_unit():
    name, e = find_entry(lambda e: e.get("mode") == "rerank" and e.get("input_cost_per_query"))
    resp = {
        "id": "r1",
        "results": [{"index": 0, "relevance_score": 0.9}],
        "meta": {"billed_units": {"search_units": 2}},
    }
    assert completion_cost(completion_response=resp, model=name, call_type="rerank") == pytest.approx(
        2 * e["input_cost_per_query"]
    )
    resp = {"id": "r2", "results": [], "meta": {}}
    assert completion_cost(completion_response=resp, model=name) == pytest.approx(e["input_cost_per_query"])


def test_custom_cost_per_token_and_per_second():
    cost = completion_cost(
        model="my-company/special-finetune-v3",
        prompt_tokens=50_000,
        completion_tokens=10_000,
        custom_cost_per_token={"input_cost_per_token": 0.000002, "output_cost_per_token": 0.000004},
    )
    assert cost == pytest.approx(0.14)
    # custom prices override the registry, and cached tokens use a custom cache price when given
    usage = Usage(prompt_tokens=1_000, completion_tokens=0, prompt_tokens_details={"cached_tokens": 600})
    cost = completion_cost(
        completion_response=chat_response("gpt-4o", usage),
        custom_cost_per_token={
            "input_cost_per_token": 1e-06,
            "output_cost_per_token": 2e-06,
            "cache_read_input_token_cost": 1e-07,
        },
    )
    assert cost == pytest.approx(400 * 1e-06 + 600 * 1e-07)
    # per second of processing time
    assert completion_cost(model="my-selfhosted-model", custom_cost_per_second=0.002, total_time=3.5) == pytest.approx(
        0.007
    )
    resp = chat_response("my-selfhosted-model", Usage(prompt_tokens=1, completion_tokens=1))
    resp._response_ms = 2500.0
    assert completion_cost(completion_response=resp, custom_cost_per_second=0.002) == pytest.approx(0.005)


def test_free_model_costs_zero():
    name, e = find_entry(
        lambda e: (
            e.get("litellm_provider") == "ollama"
            and e.get("mode") == "chat"
            and e.get("input_cost_per_token") == 0
            and e.get("output_cost_per_token") == 0
        )
    )
    assert completion_cost(model=name, prompt_tokens=10_000, completion_tokens=5_000) == 0.0
    resp = chat_response(name, Usage(prompt_tokens=100, completion_tokens=100))
    assert response_cost_calculator(resp, model=name) == 0.0
    assert compute_response_cost(resp, call_type="completion", model=name, provider=None) == 0.0


def test_unknown_model_raises_with_a_clear_message():
    with pytest.raises(exceptions.NotFoundException) as info:
        completion_cost(model="completely-unknown-model-xyz", prompt_tokens=100, completion_tokens=10)
    msg = str(info.value)
    assert "completely-unknown-model-xyz" in msg
    assert "custom_cost_per_token" in msg and "register_model" in msg
    with pytest.raises(exceptions.NotFoundException, match="No model was given"):
        completion_cost(prompt_tokens=1, completion_tokens=1)
    resp = chat_response("unknown-model-abc", Usage(prompt_tokens=1, completion_tokens=1))
    with pytest.raises(exceptions.NotFoundException, match="unknown-model-abc"):
        completion_cost(completion_response=resp)


# --------------------------------------------------------------------------------------------
# response_cost_calculator / compute_response_cost
# --------------------------------------------------------------------------------------------


def test_response_cost_calculator_known_and_cache_hit():
    e = entry("gpt-4o")
    resp = chat_response("gpt-4o", Usage(prompt_tokens=300, completion_tokens=30))
    expected = 300 * e["input_cost_per_token"] + 30 * e["output_cost_per_token"]
    assert response_cost_calculator(resp, model="gpt-4o", custom_llm_provider="openai") == pytest.approx(expected)
    assert response_cost_calculator(resp, model="gpt-4o", cache_hit=True) == 0.0
    resp._hidden_params = {"cache_hit": True}
    assert response_cost_calculator(resp, model="gpt-4o") == 0.0
    # base_model prices an Azure deployment name
    resp = chat_response("my-deployment", Usage(prompt_tokens=300, completion_tokens=30))
    assert response_cost_calculator(resp, model="azure/my-deployment", base_model="gpt-4o") == pytest.approx(expected)


def test_response_cost_calculator_unknown_model_warns_once(caplog):
    resp = chat_response("completely-unknown-model-xyz", Usage(prompt_tokens=5, completion_tokens=5))
    with caplog.at_level(logging.WARNING, logger="litegate"):
        assert response_cost_calculator(resp, model="completely-unknown-model-xyz") is None
        assert response_cost_calculator(resp, model="completely-unknown-model-xyz") is None
    warnings = [r for r in caplog.records if r.name == "litegate" and r.levelno == logging.WARNING]
    assert len(warnings) == 1
    text = warnings[0].getMessage()
    assert "completely-unknown-model-xyz" in text and "unknown" in text and "not 0" in text


def test_compute_response_cost_unknown_is_none_and_warns_once(caplog):
    resp = chat_response("mystery-model", Usage(prompt_tokens=5, completion_tokens=5))
    with caplog.at_level(logging.WARNING, logger="litegate"):
        for _ in range(3):
            assert compute_response_cost(resp, call_type="completion", model="mystery-model", provider=None) is None
    assert len([r for r in caplog.records if r.name == "litegate"]) == 1


def test_compute_response_cost_plain_and_custom():
    e = entry("gpt-4o")
    resp = chat_response("gpt-4o-2024-08-06", Usage(prompt_tokens=1234, completion_tokens=56))
    expected = 1234 * e["input_cost_per_token"] + 56 * e["output_cost_per_token"]
    assert compute_response_cost(resp, call_type="completion", model="gpt-4o", provider="openai") == pytest.approx(
        expected
    )
    assert compute_response_cost(
        resp,
        call_type="completion",
        model="unpriced",
        provider=None,
        custom_cost_per_token={"input_cost_per_token": 1e-06, "output_cost_per_token": 1e-06},
    ) == pytest.approx(1290 * 1e-06)
    resp._hidden_params = {"cache_hit": True}
    assert compute_response_cost(resp, call_type="completion", model="gpt-4o", provider="openai") == 0.0


def test_compute_response_cost_is_fast():
    """A loose bound that only catches gross regressions (the report gives the measured figure)."""
    resp = chat_response(
        "gpt-4o",
        Usage(
            prompt_tokens=1234,
            completion_tokens=56,
            prompt_tokens_details={"cached_tokens": 0},
            completion_tokens_details={"reasoning_tokens": 0},
        ),
    )
    compute_response_cost(resp, call_type="completion", model="gpt-4o", provider="openai")
    n = 2000
    start = time.perf_counter()
    for _ in range(n):
        compute_response_cost(resp, call_type="completion", model="gpt-4o", provider="openai")
    per_call = (time.perf_counter() - start) / n
    assert per_call < 50e-6


def test_direct_model_cost_edits_are_seen(local_models):
    name = "test-direct-edit-model"
    resp = chat_response(name, Usage(prompt_tokens=100, completion_tokens=10))
    assert compute_response_cost(resp, call_type="completion", model=name, provider=None) is None
    local_models[name] = {
        "input_cost_per_token": 1e-06,
        "output_cost_per_token": 2e-06,
        "litellm_provider": "openai",
        "mode": "chat",
    }
    assert compute_response_cost(resp, call_type="completion", model=name, provider=None) == pytest.approx(
        100 * 1e-06 + 10 * 2e-06
    )
    local_models[name] = {
        "input_cost_per_token": 3e-06,
        "output_cost_per_token": 2e-06,
        "litellm_provider": "openai",
        "mode": "chat",
    }
    assert completion_cost(model=name, prompt_tokens=100, completion_tokens=10) == pytest.approx(
        100 * 3e-06 + 10 * 2e-06
    )


# --------------------------------------------------------------------------------------------
# spec section 8, "Comprehensive Cost Calculation Examples", as written there
# --------------------------------------------------------------------------------------------


@pytest.fixture
def litellm():
    """The examples run as the guide writes them, against ``import litegate as litellm``."""
    import litegate as litellm

    return litellm


def test_top_level_names_are_the_calculator_functions(litellm):
    assert litellm.completion_cost is completion_cost
    assert litellm.cost_per_token is cost_per_token
    assert litellm.response_cost_calculator is response_cost_calculator


def test_spec_example_1_completion_response(litellm):
    from litegate import Choices, Message, ModelResponse, Usage

    mock_resp_compl = ModelResponse(
        model="gpt-4o",
        usage=Usage(prompt_tokens=15000, completion_tokens=2000),
        choices=[Choices(message=Message(content="..."), index=0, finish_reason="stop")],
        id="cmpl-xyz",
        created=int(time.time()),
        object="chat.completion",
    )
    cost1 = litellm.completion_cost(completion_response=mock_resp_compl)
    e = entry("gpt-4o")  # the guide quotes $5/$15 per 1M; the registry has today's prices
    assert cost1 == pytest.approx(15000 * e["input_cost_per_token"] + 2000 * e["output_cost_per_token"])


def test_spec_example_2_embedding_response(litellm):
    from litegate import Embedding, EmbeddingResponse, Usage

    mock_resp_embed = EmbeddingResponse(
        model="text-embedding-ada-002",
        usage=Usage(prompt_tokens=500000, total_tokens=500000),
        data=[Embedding(embedding=[0.1] * 1536, index=0, object="embedding")],
        object="list",
    )
    cost2 = litellm.completion_cost(completion_response=mock_resp_embed, call_type="embedding")
    e = entry("text-embedding-ada-002")
    assert cost2 == pytest.approx(500000 * e["input_cost_per_token"])
    assert e["input_cost_per_token"] == pytest.approx(0.10 / 1e6)  # the guide's $0.10 / 1M: $0.05
    assert cost2 == pytest.approx(0.05)


def test_spec_examples_3_and_4_explicit_tokens(litellm):
    model3 = "mistral/mistral-large-latest"
    p_tokens3, c_tokens3 = 30000, 5000
    cost3 = litellm.completion_cost(model=model3, prompt_tokens=p_tokens3, completion_tokens=c_tokens3)
    e = entry(model3)  # the guide quotes $8/$24 per 1M; the registry has today's prices
    assert cost3 == pytest.approx(30000 * e["input_cost_per_token"] + 5000 * e["output_cost_per_token"])

    prompt_cost4, completion_cost4 = litellm.cost_per_token(
        model=model3, prompt_tokens=p_tokens3, completion_tokens=c_tokens3
    )
    assert prompt_cost4 == pytest.approx(30000 * e["input_cost_per_token"])
    assert completion_cost4 == pytest.approx(5000 * e["output_cost_per_token"])
    total_cost4 = prompt_cost4 + completion_cost4
    assert abs(total_cost4 - cost3) < 1e-9


def test_spec_example_5_text_inputs(litellm):
    model5 = "gpt-3.5-turbo"
    messages5 = [{"role": "user", "content": "Calculate cost based on this message text." * 5}]
    completion_text5 = "This is the simulated response text for cost calculation." * 3
    cost5 = litellm.completion_cost(model=model5, messages=messages5, output_text=completion_text5)
    prompt_t5 = litellm.token_counter(model=model5, messages=messages5)
    completion_t5 = litellm.token_counter(model=model5, text=completion_text5)
    cost5_manual = sum(litellm.cost_per_token(model=model5, prompt_tokens=prompt_t5, completion_tokens=completion_t5))
    assert abs(cost5 - cost5_manual) < 1e-9
    e = entry(model5)
    assert cost5 == pytest.approx(prompt_t5 * e["input_cost_per_token"] + completion_t5 * e["output_cost_per_token"])


def test_spec_example_6_custom_pricing(litellm):
    model6 = "my-company/special-finetune-v3"
    custom_pricing = {"input_cost_per_token": 0.000002, "output_cost_per_token": 0.000004}
    cost6 = litellm.completion_cost(
        model=model6, prompt_tokens=50000, completion_tokens=10000, custom_cost_per_token=custom_pricing
    )
    assert cost6 == pytest.approx(0.14)


def test_spec_example_7_unknown_model(litellm):
    with pytest.raises(litellm.exceptions.NotFoundException) as info:
        litellm.completion_cost(model="completely-unknown-model-xyz", prompt_tokens=100, completion_tokens=10)
    assert "completely-unknown-model-xyz" in str(info.value)
