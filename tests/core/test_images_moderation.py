"""image_generation and moderation (spec section 5) for the OpenAI dialect, checked against the
documented example exchanges (tests/fixtures/openai, from OpenAI's API reference)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import litegate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "openai"
KEY = "sk-media-0000000000"


def _example(name):
    return json.loads((FIXTURES / name).read_text())


def test_image_generation_request_and_documented_response(server):
    ex = _example("createImage__generate_image.json")
    server.enqueue_raw(200, ex["response"])
    req = ex["request"]["json"]
    resp = litegate.image_generation(
        prompt=req["prompt"], model=req["model"], n=req["n"], size=req["size"], api_base=server.base_url, api_key=KEY
    )
    assert server.last_request.path == "/v1/images/generations"
    assert server.last_request.json == req  # exactly the documented request body
    assert server.last_request.headers["authorization"] == f"Bearer {KEY}"
    assert isinstance(resp, litegate.ImageResponse)
    assert resp.created == ex["response"]["created"]
    assert resp.data[0].b64_json == ex["response"]["data"][0]["b64_json"]
    assert resp["data"][0]["b64_json"] == resp.data[0].b64_json
    assert resp.usage["input_tokens"] == ex["response"]["usage"]["input_tokens"]
    assert resp._hidden_params["custom_llm_provider"] == "openai"


def test_moderation_request_and_documented_response(server):
    ex = _example("createModeration__single_string.json")
    server.enqueue_raw(200, ex["response"])
    resp = litegate.moderation(
        input=ex["request"]["json"]["input"], model="text-moderation-007", api_base=server.base_url, api_key=KEY
    )
    assert server.last_request.path == "/v1/moderations"
    assert server.last_request.json == {"model": "text-moderation-007", "input": ex["request"]["json"]["input"]}
    result = resp.results[0]
    assert result.flagged is ex["response"]["results"][0]["flagged"]
    assert result.categories == ex["response"]["results"][0]["categories"]
    assert result.category_scores["violence"] == ex["response"]["results"][0]["category_scores"]["violence"]
    assert resp.id == ex["response"]["id"] and resp.model == "text-moderation-007"


def test_azure_layout_for_images(server):
    server.enqueue_raw(200, {"created": 1, "data": [{"url": "https://example.invalid/img.png"}]})
    resp = litegate.image_generation(
        prompt="an otter",
        model="azure/my-dalle",
        api_base=server.url,
        api_key="azure-key-000000000",
        api_version="2024-10-21",
    )
    rec = server.last_request
    assert rec.path == "/openai/deployments/my-dalle/images/generations"
    assert rec.query["api-version"] == "2024-10-21" and rec.headers["api-key"] == "azure-key-000000000"
    assert resp.data[0].url.endswith("img.png")


async def test_async_twins(server):
    server.enqueue_raw(200, {"created": 1, "data": [{"url": "u1"}, {"url": "u2"}]})
    resp = await litegate.aimage_generation(prompt="two", model="dall-e-2", n=2, api_base=server.base_url, api_key=KEY)
    assert [d.url for d in resp.data] == ["u1", "u2"] and server.last_request.json["n"] == 2
    server.enqueue_raw(
        200,
        {
            "id": "modr-1",
            "model": "omni-moderation-latest",
            "results": [{"flagged": False, "categories": {}, "category_scores": {}}] * 2,
        },
    )
    mod = await litegate.amoderation(input=["a", "b"], api_base=server.base_url, api_key=KEY)
    assert len(mod.results) == 2 and server.last_request.json["model"] == "text-moderation-latest"  # the spec's default


def test_errors_map_and_retry(server):
    server.enqueue_error(status=429, count=1, headers={"retry-after": "0"})
    server.enqueue_raw(200, {"created": 1, "data": [{"url": "ok"}]})
    resp = litegate.image_generation(prompt="p", model="dall-e-3", num_retries=1, api_base=server.base_url, api_key=KEY)
    assert resp.data[0].url == "ok" and server.hits() == 2
    server.enqueue_error(
        status=400, code="content_policy_violation", message="Your request was rejected by the safety system"
    )
    with pytest.raises(litegate.ContentPolicyViolationError):
        litegate.image_generation(prompt="p", model="dall-e-3", api_base=server.base_url, api_key=KEY)


@pytest.mark.parametrize(
    "call",
    [
        lambda s: litegate.image_generation(prompt="", model="dall-e-3", api_base=s.base_url, api_key=KEY),
        lambda s: litegate.image_generation(prompt="p", model="dall-e-3", n=0, api_base=s.base_url, api_key=KEY),
        lambda s: litegate.image_generation(
            prompt="p", model="dall-e-3", response_format="png", api_base=s.base_url, api_key=KEY
        ),
        lambda s: litegate.moderation(input="", api_base=s.base_url, api_key=KEY),
        lambda s: litegate.moderation(input=5, api_base=s.base_url, api_key=KEY),
    ],
)
def test_bad_input_fails_before_any_request(server, call):
    with pytest.raises(litegate.BadRequestError):
        call(server)
    assert server.hits() == 0


def test_provider_without_the_endpoint_says_so(server):
    with pytest.raises(litegate.BadRequestError) as info:
        litegate.image_generation(prompt="p", model="anthropic/claude-sonnet-4-5", api_key="sk-ant-0000000000")
    assert "image generation" in str(info.value)


def test_mocks():
    resp = litegate.image_generation(prompt="p", model="dall-e-3", n=2, mock_response="https://example.invalid/x.png")
    assert [d.url for d in resp.data] == ["https://example.invalid/x.png"] * 2
    mod = litegate.moderation(input=["a", "b"], mock_response=True)
    assert [r.flagged for r in mod.results] == [False, False]
    with pytest.raises(litegate.RateLimitError):
        litegate.moderation(input="a", mock_response=litegate.RateLimitError("slow"))


def test_image_cost_uses_the_calls_size_and_quality(server):
    """The pipeline prices an image by the size and quality asked for (the registry has one entry
    per quality and size), not by a default size."""
    server.enqueue_raw(200, {"created": 1, "data": [{"b64_json": "AAAA"}, {"b64_json": "AAAA"}]})
    resp = litegate.image_generation(
        prompt="an otter",
        model="gpt-image-1-mini",
        size="1536x1024",
        quality="medium",
        n=2,
        api_base=server.base_url,
        api_key=KEY,
    )
    entry = litegate.model_cost["medium/1536-x-1024/gpt-image-1-mini"]
    assert resp._hidden_params["response_cost"] == pytest.approx(2 * entry["input_cost_per_image"])
    server.enqueue_raw(200, {"created": 1, "data": [{"b64_json": "AAAA"}]})
    resp = litegate.image_generation(
        prompt="an otter", model="gpt-image-1-mini", size="auto", api_base=server.base_url, api_key=KEY
    )
    assert resp._hidden_params["response_cost"] is not None  # "auto": the default size's price
