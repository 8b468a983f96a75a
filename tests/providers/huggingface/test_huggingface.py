"""Hugging Face: the router / OpenAI-compatible routes and TGI's native /generate and
/generate_stream (prompt templates), feature-extraction embeddings, end to end against
FakeHuggingFaceServer; recorded TGI answers parsed."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

import litegate
from litegate.core.transport import MockResponse, MockTransport
from litegate.providers.huggingface import BUILTIN_TEMPLATES, template_for

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "huggingface"
KEY = "hf_test_token_123"
MODEL = "huggingface/meta-llama/Meta-Llama-3-8B-Instruct"


@pytest.fixture
def hf():
    from litegate.testing import FakeHuggingFaceServer

    with FakeHuggingFaceServer(require_key=KEY) as srv:
        yield srv


@pytest.fixture(autouse=True)
def _clean(monkeypatch):
    for name in ("HUGGINGFACE_API_KEY", "HF_TOKEN", "HUGGINGFACE_API_BASE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(litegate, "huggingface_key", None, raising=False)


def test_router_by_default_with_the_key_from_hf_token(monkeypatch):
    seen = []
    recorded = json.loads((FIXTURES / "test_flash_llama_simple.json").read_text())

    def handler(req):
        seen.append(req)
        return MockResponse(200, json=recorded)

    monkeypatch.setenv("HF_TOKEN", KEY)
    client = litegate.Client(transport=MockTransport(handler))
    resp = client.completion(
        "huggingface/TinyLlama/TinyLlama-1.1B-Chat-v1.0:together",
        messages=[{"role": "user", "content": "What is the weather like in Brooklyn?"}],
    )
    assert seen[0].url == "https://router.huggingface.co/v1/chat/completions"
    assert seen[0].headers["authorization"] == "Bearer " + KEY
    assert seen[0].json["model"] == "TinyLlama/TinyLlama-1.1B-Chat-v1.0:together"
    assert resp.choices[0].message.content == recorded["choices"][0]["message"]["content"]
    assert resp.choices[0].finish_reason == "length"
    assert (resp.usage.prompt_tokens, resp.usage.completion_tokens) == (61, 100)


def test_openai_compatible_base_streams_and_async(hf):
    base = hf.url + "/v1"
    chunks = list(
        litegate.completion(
            MODEL,
            messages=[{"role": "user", "content": "Hi"}],
            api_key=KEY,
            api_base=base,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    assert hf.last_request.path == "/v1/chat/completions"
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices).startswith("This is a fake reply")

    async def go():
        return await litegate.acompletion(
            MODEL, messages=[{"role": "user", "content": "Hi"}], api_key=KEY, api_base=base
        )

    assert asyncio.run(go()).choices[0].message.content


def test_tgi_native_generate_with_the_llama3_template(hf):
    resp = litegate.completion(
        MODEL,
        messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello there"}],
        api_key=KEY,
        api_base=hf.url,
        max_tokens=50,
        temperature=0.5,
        stop=["\n\n"],
        top_k=10,
    )
    req = hf.last_request
    assert req.path == "/generate"
    assert req.header("authorization") == "Bearer " + KEY
    assert req.json == {
        "inputs": (
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nHello there<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n"
        ),
        "parameters": {
            "details": True,
            "return_full_text": False,
            "max_new_tokens": 50,
            "temperature": 0.5,
            "stop": ["\n\n"],
            "top_k": 10,
        },
    }
    assert resp.choices[0].message.content.startswith("This is a fake reply to:")
    assert resp.choices[0].finish_reason == "stop"
    assert resp.usage.completion_tokens == len(resp.choices[0].message.content.split())
    assert resp.usage.prompt_tokens > 0


def test_tgi_generate_stream_and_length(hf):
    chunks = list(
        litegate.completion(
            MODEL,
            messages=[{"role": "user", "content": "one two three"}],
            api_key=KEY,
            api_base=hf.url,
            stream=True,
            max_tokens=3,
            stream_options={"include_usage": True},
        )
    )
    assert hf.last_request.path == "/generate_stream"
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "This is a"
    assert chunks[-1].choices[0].finish_reason == "length"
    assert chunks[-1].usage.completion_tokens == 3
    from litegate.testing import _payloads

    assert chunks[-1].usage.prompt_tokens == _payloads.count_tokens(hf.last_request.json["inputs"])


def test_registered_template_wins_and_unsupported_params(hf):
    litegate.register_prompt_template(
        model="huggingface/my-org/custom-model",
        roles={"user": {"pre_message": "<U>", "post_message": "</U>"}},
        initial_prompt_value="<BOS>",
        final_prompt_value="<A>",
    )
    try:
        litegate.completion(
            "huggingface/my-org/custom-model",
            messages=[{"role": "user", "content": "Hi"}],
            api_key=KEY,
            api_base=hf.url,
        )
        assert hf.last_request.json["inputs"] == "<BOS><U>Hi</U><A>"
    finally:
        litegate.custom_prompt_dict.pop("huggingface/my-org/custom-model", None)
        litegate.custom_prompt_dict.pop("my-org/custom-model", None)
    with pytest.raises(litegate.UnsupportedParamsError):
        litegate.completion(
            MODEL,
            messages=[{"role": "user", "content": "Hi"}],
            api_key=KEY,
            api_base=hf.url,
            tools=[{"type": "function", "function": {"name": "f", "parameters": {}}}],
        )


def test_builtin_templates_by_family():
    assert template_for("meta-llama/Llama-2-7b-chat-hf") is BUILTIN_TEMPLATES["llama-2"]
    assert template_for("mistralai/Mistral-7B-Instruct-v0.3") is BUILTIN_TEMPLATES["mistral"]
    assert template_for("Qwen/Qwen2.5-7B-Instruct") is BUILTIN_TEMPLATES["chatml"]
    assert template_for("gpt2") is None
    from litegate.core.prompt_templates import format_prompt

    assert (
        format_prompt("x", [{"role": "user", "content": "Hi"}], BUILTIN_TEMPLATES["chatml"])
        == "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
    )


def test_tgi_errors(hf):
    hf.enqueue_raw(
        422,
        {
            "error": "Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096",
            "error_type": "validation",
        },
    )
    with pytest.raises(litegate.ContextWindowExceededError):
        litegate.completion(
            MODEL, messages=[{"role": "user", "content": "Hi"}], api_key=KEY, api_base=hf.url, num_retries=0
        )
    with pytest.raises(litegate.AuthenticationError):
        litegate.completion(MODEL, messages=[{"role": "user", "content": "Hi"}], api_key="wrong", api_base=hf.url)
    hf.enqueue_fault("stream_error_event")
    with pytest.raises(litegate.APIError, match="CUDA out of memory"):
        for _ in litegate.completion(
            MODEL, messages=[{"role": "user", "content": "a b c d e f"}], api_key=KEY, api_base=hf.url, stream=True
        ):
            pass


def test_feature_extraction_embeddings(hf, monkeypatch):
    resp = litegate.embedding("huggingface/BAAI/bge-small-en-v1.5", input=["a", "b"], api_key=KEY, api_base=hf.url)
    assert hf.last_request.path == "/" and hf.last_request.json == {"inputs": ["a", "b"]}
    assert len(resp.data) == 2 and len(resp.data[0]["embedding"]) == hf.embedding_dims
    seen = []

    def handler(req):
        seen.append(req)
        return MockResponse(200, json=[[0.1, 0.2]])

    client = litegate.Client(transport=MockTransport(handler))
    out = client.embedding("huggingface/BAAI/bge-small-en-v1.5", input="hello", api_key=KEY)
    assert seen[0].url == (
        "https://router.huggingface.co/hf-inference/models/BAAI/bge-small-en-v1.5/pipeline/feature-extraction"
    )
    assert out.data[0]["embedding"] == [0.1, 0.2]


def test_huggingface_is_listed():
    assert "huggingface" in litegate.provider_list
