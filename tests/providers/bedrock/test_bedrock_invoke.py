"""Bedrock InvokeModel: Claude with the Anthropic translator (recorded request, response and
event stream), Titan and Cohere embeddings, Stability / Titan images and the spec's SDXL example,
end to end against FakeBedrockServer."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path

import pytest

import litegate
from litegate.core.http import Headers, HttpResponse
from litegate.providers.anthropic import Anthropic, AnthropicStreamDecoder
from litegate.providers.bedrock.invoke import BedrockAnthropic, BedrockAnthropicStreamDecoder

EXAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "bedrock" / "examples"
CLAUDE = "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0"


def _call(aws, model=CLAUDE, **kw):
    kw.setdefault("messages", [{"role": "user", "content": "Hello there"}])
    return litegate.completion(model, **aws, **kw)


def test_the_claude_route_reuses_the_anthropic_translator():
    assert issubclass(BedrockAnthropic, Anthropic)
    assert issubclass(BedrockAnthropicStreamDecoder, AnthropicStreamDecoder)
    for cls in BedrockAnthropic.__mro__[:2]:  # nothing of the translation is redefined on the platform classes
        for name in ("adapt_params", "unsupported", "parse_chat", "chat_request"):
            assert name not in vars(cls)


def test_request_matches_the_recorded_invoke_request(bedrock_server, aws):
    ex = json.loads((EXAMPLES / "invoke_model_anthropic.json").read_text())
    bedrock_server.enqueue_raw(200, ex["response"]["body"], ex["response"]["headers"])
    resp = _call(
        aws,
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": [{"type": "text", "text": "Hello"}]},
        ],
        max_tokens=256,
    )
    req = bedrock_server.last_request
    assert req.path == "/model/anthropic.claude-3-5-sonnet-20240620-v1:0/invoke"
    assert req.json == ex["request"]["json"]
    assert req.header("accept") == "application/json"
    assert req.header("x-api-key") is None and req.header("anthropic-version") is None
    assert resp.choices[0].message.content == "Hello!"
    assert (resp.usage.prompt_tokens, resp.usage.completion_tokens) == (14, 5)
    assert resp.model == "anthropic.claude-3-5-sonnet-20240620-v1:0"
    info = litegate.get_model_info("bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0")
    assert resp._hidden_params["response_cost"] == pytest.approx(
        14 * info["input_cost_per_token"] + 5 * info["output_cost_per_token"]
    )
    assert resp._hidden_params["additional_headers"]["x-amzn-bedrock-input-token-count"] == "14"


def test_recorded_invoke_stream_decodes():
    raw = (EXAMPLES / "invoke_model_with_response_stream_anthropic.eventstream.bin").read_bytes()
    decoded = json.loads((EXAMPLES / "invoke_model_with_response_stream_anthropic.decoded.json").read_text())
    events = [json.loads(base64.b64decode(f["payload"]["bytes"])) for f in decoded["frames"]]
    want = "".join(e["delta"].get("text", "") for e in events if e["type"] == "content_block_delta")
    for step in (len(raw), 7, 1):
        dec = BedrockAnthropicStreamDecoder("anthropic.claude-3-5-sonnet-20240620-v1:0", include_usage=True)
        chunks = []
        for i in range(0, len(raw), step):
            chunks += dec.feed(raw[i : i + step])
        chunks += dec.finish()
        assert "".join(c.choices[0].delta.content or "" for c in chunks) == want
        assert chunks[-1].choices[0].finish_reason == "stop"
        assert chunks[-1].usage.completion_tokens > 0


def test_claude_sync_async_and_streams(bedrock_server, aws):
    resp = _call(aws, max_tokens=50)
    assert resp.choices[0].message.content == "This is a fake reply to: Hello there"
    chunks = list(_call(aws, stream=True, stream_options={"include_usage": True}))
    assert bedrock_server.last_request.path.endswith("/invoke-with-response-stream")
    assert "stream" not in bedrock_server.last_request.json
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == resp.choices[0].message.content
    assert chunks[-1].usage.prompt_tokens == resp.usage.prompt_tokens

    async def go():
        r = await litegate.acompletion(CLAUDE, messages=[{"role": "user", "content": "Hi"}], **aws)
        s = await litegate.acompletion(CLAUDE, messages=[{"role": "user", "content": "Hi"}], stream=True, **aws)
        return r, [c async for c in s]

    r, chunks = asyncio.run(go())
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == r.choices[0].message.content
    assert bedrock_server.signatures_checked == 4


def test_claude_tools_thinking_and_beta_header(bedrock_server, aws):
    tool = {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"location": {"type": "string"}}},
        },
    }
    resp = _call(
        aws,
        "bedrock/us.anthropic.claude-3-7-sonnet-20250219-v1:0",
        messages=[{"role": "user", "content": "weather in Paris?"}],
        tools=[tool],
        extra_headers={"anthropic-beta": "token-efficient-tools-2025-02-19"},
    )
    body = bedrock_server.last_request.json
    assert body["anthropic_beta"] == ["token-efficient-tools-2025-02-19"]
    assert bedrock_server.last_request.header("anthropic-beta") is None
    assert body["tools"][0]["input_schema"]["properties"] == {"location": {"type": "string"}}
    assert resp.choices[0].message.tool_calls[0].function.name == "get_weather"
    resp = _call(aws, "bedrock/us.anthropic.claude-3-7-sonnet-20250219-v1:0", reasoning_effort="low")
    assert bedrock_server.last_request.json["thinking"] == {"type": "enabled", "budget_tokens": 1024}
    assert resp.choices[0].message.reasoning_content


def test_claude_stream_exception_frame_after_content(bedrock_server, aws):
    from litegate.testing.bedrock_server import event_frame, exception_frame

    def chunk(obj):
        return event_frame("chunk", {"bytes": base64.b64encode(json.dumps(obj).encode()).decode()})

    bedrock_server.enqueue_stream(
        [
            chunk({"type": "message_start", "message": {"id": "m", "model": "c", "usage": {"input_tokens": 3}}}),
            chunk({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
            chunk({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hel"}}),
            exception_frame("modelStreamErrorException", "The model stream failed"),
        ]
    )
    got = []
    with pytest.raises(litegate.APIError, match="model stream failed"):
        for c in _call(aws, stream=True):
            got.append(c.choices[0].delta.content)
    assert "Hel" in got


def test_invoke_route_for_a_model_that_is_not_claude_is_refused(bedrock_server, aws):
    with pytest.raises(litegate.BadRequestError, match="bedrock/converse/meta.llama3"):
        _call(aws, "bedrock/invoke/meta.llama3-8b-instruct-v1:0")
    assert bedrock_server.hits() == 0


# ------------------------------------------------------------------------------ embeddings


def test_titan_embeds_several_texts_one_request_each(bedrock_server, aws):
    from litegate.testing import embedding_vector

    texts = ["first text", "the second one", "third"]
    resp = litegate.embedding("bedrock/amazon.titan-embed-text-v2:0", input=texts, dimensions=256, **aws)
    sent = [r for r in bedrock_server.requests if r.path.endswith("/invoke")]
    assert [r.json for r in sent] == [{"inputText": t, "dimensions": 256} for t in texts]  # in order, one each
    assert all(r.header("authorization", "").startswith("AWS4-HMAC-SHA256") for r in sent)  # each signed
    assert [d["index"] for d in resp.data] == [0, 1, 2]
    assert [d["embedding"] for d in resp.data] == [embedding_vector(t, 256) for t in texts]
    assert resp.usage.prompt_tokens == 2 + 3 + 1  # the three answers' inputTextTokenCount, summed
    info = litegate.get_model_info("bedrock/amazon.titan-embed-text-v2:0")
    assert resp._hidden_params["response_cost"] == pytest.approx(
        resp.usage.prompt_tokens * info["input_cost_per_token"]
    )


def test_titan_several_texts_async_and_a_failing_text(bedrock_server, aws):
    async def main():
        return await litegate.aembedding("bedrock/amazon.titan-embed-text-v1", input=["a b", "c d e"], **aws)

    resp = asyncio.run(main())
    assert len(resp.data) == 2 and len(resp.data[1]["embedding"]) == 1536
    bedrock_server.reset()
    # the second of three texts is refused: the call fails with the mapped error, the last is never sent
    bedrock_server.enqueue_raw(
        200, json.dumps({"embedding": [0.5], "inputTextTokenCount": 1}), {"content-type": "application/json"}
    )
    bedrock_server.enqueue_raw(
        400,
        json.dumps({"message": "Malformed input request"}),
        {"content-type": "application/json", "x-amzn-errortype": "ValidationException"},
    )
    with pytest.raises(litegate.BadRequestError, match="Malformed input"):
        litegate.embedding("bedrock/amazon.titan-embed-text-v1", input=["x", "y", "z"], num_retries=0, **aws)
    assert [r.json["inputText"] for r in bedrock_server.requests] == ["x", "y"]


def test_titan_text_count_is_bounded_before_any_request(bedrock_server, aws):
    from litegate.providers.bedrock.invoke import MAX_TITAN_TEXTS

    with pytest.raises(litegate.BadRequestError, match="at most"):
        litegate.embedding("bedrock/amazon.titan-embed-text-v1", input=["x"] * (MAX_TITAN_TEXTS + 1), **aws)
    assert bedrock_server.requests == []


def test_titan_embeddings(bedrock_server, aws):
    resp = litegate.embedding("bedrock/amazon.titan-embed-text-v2:0", input="Hello world", dimensions=256, **aws)
    assert bedrock_server.last_request.json == {"inputText": "Hello world", "dimensions": 256}
    assert len(resp.data[0]["embedding"]) == 256
    assert resp.usage.prompt_tokens > 0
    info = litegate.get_model_info("bedrock/amazon.titan-embed-text-v2:0")
    assert resp._hidden_params["response_cost"] == pytest.approx(
        resp.usage.prompt_tokens * info["input_cost_per_token"]
    )
    resp = litegate.embedding("bedrock/amazon.titan-embed-text-v1", input=["one text"], **aws)
    assert bedrock_server.last_request.json == {"inputText": "one text"}
    assert len(resp.data[0]["embedding"]) == 1536
    with pytest.raises(litegate.UnsupportedParamsError):
        litegate.embedding("bedrock/amazon.titan-embed-text-v1", input="a", dimensions=256, **aws)


def test_cohere_embeddings_async(bedrock_server, aws):
    async def go():
        return await litegate.aembedding(
            "bedrock/cohere.embed-english-v3", input=["a", "b", "c"], input_type="search_query", **aws
        )

    resp = asyncio.run(go())
    assert bedrock_server.last_request.json == {"texts": ["a", "b", "c"], "input_type": "search_query"}
    assert [d["index"] for d in resp.data] == [0, 1, 2]
    assert len(resp.data[0]["embedding"]) == 1024
    assert resp._hidden_params["response_cost"] is not None


# ------------------------------------------------------------------------------ images


def test_the_specs_bedrock_sdxl_example_runs(bedrock_server, aws):
    """The guide's 'Bedrock Stable Diffusion XL Example' call, as written, against the fake server."""

    async def run_bedrock_sdxl_gen():
        return await litegate.aimage_generation(
            model="bedrock/stability.stable-diffusion-xl-v1",
            prompt="Epic fantasy landscape painting, waterfalls cascading down mossy cliffs into a hidden valley, "
            "dramatic lighting, style of Albert Bierstadt.",
            response_format="b64_json",
            height=1024,
            width=1024,
            cfg_scale=8.0,
            steps=40,
            seed=45678,
            style_preset="fantasy-art",
            **aws,
        )

    resp = asyncio.run(run_bedrock_sdxl_gen())
    body = bedrock_server.last_request.json
    assert body == {
        "text_prompts": [{"text": body["text_prompts"][0]["text"], "weight": 1.0}],
        "height": 1024,
        "width": 1024,
        "cfg_scale": 8.0,
        "steps": 40,
        "seed": 45678,
        "style_preset": "fantasy-art",
    }
    assert bedrock_server.last_request.path == "/model/stability.stable-diffusion-xl-v1/invoke"
    image = base64.b64decode(resp.data[0].b64_json)
    assert image.startswith(b"\x89PNG")
    assert isinstance(resp.created, int)
    # priced per image: 1024x1024, 40 steps -> the registry's 50-steps bucket
    assert resp._hidden_params["response_cost"] == pytest.approx(0.04)


@pytest.mark.parametrize(
    "model, kw, price",
    [
        ("stability.stable-diffusion-xl-v1", {}, 0.04),  # no size, no steps: 1024x1024, <= 50 steps
        ("stability.stable-diffusion-xl-v1", {"steps": 50, "height": 1024, "width": 1024}, 0.04),
        ("stability.stable-diffusion-xl-v1", {"steps": 51, "height": 1024, "width": 1024}, 0.08),
        ("stability.stable-diffusion-xl-v1", {"size": "1152x896", "steps": 30}, 0.04),  # an SDXL 1.0 size
        ("stability.stable-diffusion-xl-v1", {"size": "512x768", "steps": 100}, 0.08),
        ("stability.stable-diffusion-xl-v0", {"size": "512x512"}, 0.018),
        ("stability.stable-diffusion-xl-v0", {"size": "512x512", "steps": 70}, 0.036),
        ("stability.stable-diffusion-xl-v0", {"height": 768, "width": 768}, 0.036),  # larger than 512x512
        ("stability.stable-diffusion-xl-v0", {"size": "1024x1024", "steps": 150}, 0.072),
    ],
)
def test_sdxl_is_priced_by_size_and_steps(bedrock_server, aws, model, kw, price):
    resp = litegate.image_generation(model=f"bedrock/{model}", prompt="a lighthouse", **kw, **aws)
    assert resp._hidden_params["response_cost"] == pytest.approx(price)


def test_sdxl_completion_cost_takes_size_and_steps():
    from litegate import completion_cost
    from litegate.types.media import ImageResponse

    resp = ImageResponse(data=[{"b64_json": "AAAA"}, {"b64_json": "AAAA"}])
    model = "bedrock/stability.stable-diffusion-xl-v1"
    assert completion_cost(completion_response=resp, model=model, call_type="image_generation") == pytest.approx(0.08)
    assert completion_cost(
        completion_response=resp,
        model=model,
        call_type="image_generation",
        size="1024-x-1024",
        optional_params={"steps": 60},
    ) == pytest.approx(0.16)
    assert completion_cost(
        model="stability.stable-diffusion-xl-v0",
        custom_llm_provider="bedrock",
        call_type="image_generation",
        optional_params={"width": 512, "height": 512, "steps": 20},
    ) == pytest.approx(0.018)


def test_sdxl_negative_prompt_and_size(bedrock_server, aws):
    litegate.image_generation(
        model="bedrock/stability.stable-diffusion-xl-v1", prompt="a cat", size="512x768", negative_prompt="dogs", **aws
    )
    body = bedrock_server.last_request.json
    assert body["text_prompts"] == [{"text": "a cat", "weight": 1.0}, {"text": "dogs", "weight": -1.0}]
    assert (body["width"], body["height"]) == (512, 768)


def test_sd3_and_titan_images_with_cost(bedrock_server, aws):
    resp = litegate.image_generation(
        model="bedrock/stability.sd3-large-v1:0",
        prompt="a fox",
        seed=7,
        negative_prompt="blur",
        size="1024x1024",
        **aws,
    )
    assert bedrock_server.last_request.json == {
        "prompt": "a fox",
        "mode": "text-to-image",
        "output_format": "png",
        "negative_prompt": "blur",
        "seed": 7,
        "aspect_ratio": "1:1",
    }
    assert resp.data[0].b64_json
    info = litegate.get_model_info("bedrock/stability.sd3-large-v1:0")
    assert resp._hidden_params["response_cost"] == pytest.approx(info["output_cost_per_image"])
    resp = litegate.image_generation(
        model="bedrock/amazon.titan-image-generator-v1",
        prompt="a fox",
        n=2,
        size="512x512",
        cfg_scale=7.5,
        seed=3,
        quality="hd",
        **aws,
    )
    assert bedrock_server.last_request.json == {
        "taskType": "TEXT_IMAGE",
        "textToImageParams": {"text": "a fox"},
        "imageGenerationConfig": {
            "numberOfImages": 2,
            "width": 512,
            "height": 512,
            "cfgScale": 7.5,
            "seed": 3,
            "quality": "premium",
        },
    }
    assert len(resp.data) == 2
    assert resp._hidden_params["response_cost"] == pytest.approx(2 * 0.008)


def test_url_response_format_is_refused_unless_dropped(bedrock_server, aws):
    with pytest.raises(litegate.UnsupportedParamsError):
        litegate.image_generation(
            model="bedrock/amazon.titan-image-generator-v1", prompt="x", response_format="url", **aws
        )
    resp = litegate.image_generation(
        model="bedrock/amazon.titan-image-generator-v1", prompt="x", response_format="url", drop_params=True, **aws
    )
    assert resp.data[0].b64_json


def test_a_model_without_a_translation_is_refused_before_any_request(bedrock_server, aws):
    with pytest.raises(litegate.BadRequestError, match="no image translation"):
        litegate.image_generation(model="bedrock/meta.llama3-8b-instruct-v1:0", prompt="x", **aws)
    with pytest.raises(litegate.BadRequestError, match="no embedding translation"):
        litegate.embedding("bedrock/amazon.nova-lite-v1:0", input="x", **aws)
    assert bedrock_server.hits() == 0


def test_parse_rejects_an_image_answer_without_images():
    from litegate.core.resolve import Target
    from litegate.providers import get_provider

    provider = get_provider("bedrock")
    target = Target("bedrock", "amazon.titan-image-generator-v1", "https://x", None, meta={"route": "converse"})
    with pytest.raises(litegate.APIResponseValidationError, match="images"):
        provider.parse_image_generation(HttpResponse(200, Headers({}), b'{"error": null}'), None, target)
