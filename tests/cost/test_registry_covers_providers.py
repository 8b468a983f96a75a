"""The shipped registry covers every provider a call can use: each one the reference price list
prices gets entries, and completion_cost / get_model_info know them (Azure AI Foundry, Databricks,
Bedrock cross-region profiles, watsonx, Cloudflare, the newer OpenAI-compatible hosts)."""

from __future__ import annotations

import json
from importlib import resources

import pytest

import litegate
from litegate.cost.registry import provider_group
from litegate.providers.spec import provider_list


def _shipped() -> dict:
    text = resources.files("litegate").joinpath("data", "models.json").read_text(encoding="utf-8")
    return json.loads(text)["providers"]


# providers the reference price list has no entry for (their catalogues are the caller's own
# deployments, routers without published prices, or local servers)
NOT_PRICED_IN_THE_REFERENCE = {
    "text-completion-openai",
    "ollama_chat",
    "huggingface",
    "openrouter",
    "hosted_vllm",
    "lm_studio",
    "github",
    "llamafile",
    "helicone",
    "veniceai",
    "nano-gpt",
    "poe",
    "chutes",
    "cortecs",
    "reka",
    "synthetic",
    "apertis",
    "charity_engine",
    "neosantara",
    "aleph_alpha",
    "maritalk",
    "parasail",
    "petals",
}


def test_every_working_provider_with_reference_prices_has_entries():
    shipped = _shipped()
    groups = {provider_group(p) or p for p in provider_list}
    missing = sorted(
        g for g in groups if g not in shipped and g not in NOT_PRICED_IN_THE_REFERENCE and g not in {"openai"}
    )
    assert missing == []
    for group in (
        "bedrock",
        "azure",
        "azure_ai",
        "fireworks_ai",
        "deepinfra",
        "databricks",
        "watsonx",
        "cloudflare",
        "zai",
        "vercel_ai_gateway",
        "kyma",
        "aiml",
    ):
        assert shipped[group]["models"], group


@pytest.mark.parametrize(
    "model,provider",
    [
        ("azure_ai/claude-haiku-4-5", "azure_ai"),
        ("databricks/databricks-bge-large-en", "databricks"),
        ("watsonx/ibm/granite-3-8b-instruct", "watsonx"),
        ("zai/glm-5", "zai"),
        ("kyma/deepseek-v3", "kyma"),
        ("eu.amazon.nova-2-lite-v1:0", "bedrock"),
    ],
)
def test_model_info_and_cost_for_newly_shipped_providers(model, provider):
    info = litegate.get_model_info(model)
    assert info["litellm_provider"].startswith(provider) or provider_group(info["litellm_provider"]) == provider
    assert info["max_input_tokens"] or info["max_tokens"]
    if info.get("input_cost_per_token"):
        prompt, completion = litegate.cost_per_token(model=model, prompt_tokens=1000, completion_tokens=100)
        assert prompt == pytest.approx(1000 * info["input_cost_per_token"])
        assert completion == pytest.approx(100 * (info.get("output_cost_per_token") or 0))


def test_completion_cost_of_an_azure_ai_answer():
    from litegate.types.utils import ModelResponse

    resp = ModelResponse(
        model="claude-haiku-4-5",
        choices=[{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "hi"}}],
        usage={"prompt_tokens": 2000, "completion_tokens": 500, "total_tokens": 2500},
    )
    info = litegate.get_model_info("azure_ai/claude-haiku-4-5")
    cost = litegate.completion_cost(completion_response=resp, model="azure_ai/claude-haiku-4-5")
    assert cost == pytest.approx(2000 * info["input_cost_per_token"] + 500 * info["output_cost_per_token"])
    assert cost > 0


def test_bedrock_geo_profiles_have_their_own_prices():
    eu = litegate.get_model_info("eu.amazon.nova-2-lite-v1:0")
    apac = litegate.get_model_info("apac.amazon.nova-2-lite-v1:0")
    assert eu["input_cost_per_token"] > 0 and apac["input_cost_per_token"] > 0
