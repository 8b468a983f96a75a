"""Spec details of sections 5, 10 and 11 where litegate used to differ (issue: the rest of the API)."""

from __future__ import annotations

import litegate

KEY = "sk-test-details"


def test_moderation_default_model_and_category_names(server):
    server.enqueue_raw(
        200,
        {
            "id": "modr-1",
            "model": "text-moderation-007",
            "results": [
                {
                    "flagged": True,
                    "categories": {
                        "hate": False,
                        "hate/threatening": True,
                        "self-harm/intent": False,
                        "violence/graphic": True,
                    },
                    "category_scores": {
                        "hate": 0.01,
                        "hate/threatening": 0.93,
                        "self-harm/intent": 0.02,
                        "violence/graphic": 0.8,
                    },
                }
            ],
        },
    )
    resp = litegate.moderation(input="some text", api_base=server.base_url, api_key=KEY)
    assert server.last_request.json["model"] == "text-moderation-latest"
    result = resp.results[0]
    cats, scores = result.categories, result.category_scores
    # the spec's attribute names and OpenAI's slash keys reach the same values
    assert cats.hate_threatening is True and cats["hate/threatening"] is True and cats["hate_threatening"] is True
    assert cats.self_harm_intent is False and cats.violence_graphic is True
    assert scores.hate_threatening == 0.93 and "self_harm_intent" in scores and "violence/graphic" in scores
    assert dict(cats) == {"hate": False, "hate/threatening": True, "self-harm/intent": False, "violence/graphic": True}
    # the spec example's idiom: triggered categories with their scores
    assert {k for k, flag in cats.items() if flag and k in scores} == {"hate/threatening", "violence/graphic"}
    assert resp.model_dump()["results"][0]["categories"]["hate/threatening"] is True
    assert resp._hidden_params["response_cost"] == 0.0  # OpenAI's moderation endpoint is free


def test_get_max_tokens_is_the_context_window():
    assert litegate.get_max_tokens("gpt-4o") == litegate.model_cost["gpt-4o"]["max_input_tokens"]
    assert litegate.get_max_tokens("no-such-model-anywhere") is None


def test_token_counter_default_token_count():
    assert litegate.token_counter(model="acme/no-tokenizer", text="a b c", default_token_count=11) == 11
    assert litegate.token_counter(model="gpt-4o", text="a b c", default_token_count=11) == 3


def test_rerank_applies_return_documents_and_rank_fields():
    # Cohere's v2 rerank schema has neither field (its server rejects them): litegate applies both
    # as the spec describes them (docs/COMPATIBILITY.md)
    from litegate.testing import FakeCohereServer

    with FakeCohereServer() as srv:
        docs = [{"title": "A", "text": "alpha"}, {"title": "B", "text": "beta"}]
        resp = litegate.rerank(
            model="cohere/rerank-english-v3.0",
            query="q",
            documents=docs,
            return_documents=False,
            rank_fields=["title", "text"],
            api_base=srv.base_url,
            api_key=KEY,
        )
        body = srv.last_request.json
        assert body["documents"] == ["title: A\ntext: alpha\n", "title: B\ntext: beta\n"]
        assert "rank_fields" not in body and "return_documents" not in body
        assert all(r.document is None for r in resp.results)
        resp = litegate.rerank(
            model="cohere/rerank-english-v3.0",
            query="q",
            documents=docs,
            rank_fields=["title"],
            api_base=srv.base_url,
            api_key=KEY,
        )
        assert srv.last_request.json["documents"] == ["A", "B"]
        assert sorted(r.document["text"] for r in resp.results) == ["alpha", "beta"]


def test_completion_cost_of_zero_tokens_is_zero():
    for model in ("gpt-4o", "acme/unpriced-model"):
        resp = litegate.ModelResponse(
            model=model, usage=litegate.Usage(prompt_tokens=0, completion_tokens=0, total_tokens=0)
        )
        assert litegate.completion_cost(completion_response=resp) == 0


def test_lists_and_params_are_populated():
    assert litegate.adapters == [] and isinstance(litegate.adapters, list)
    assert set(litegate.OPENAI_CHAT_COMPLETION_PARAMS) < set(litegate.ALL_AVAILABLE_PARAMS)
    assert {"voice", "timestamp_granularities", "rank_fields"} <= set(litegate.ALL_AVAILABLE_PARAMS)
    for name in (
        "huggingface_models",
        "openrouter_models",
        "aleph_alpha_models",
        "replicate_models",
        "perplexity_models",
        "ai21_models",
        "baseten_models",
        "nlp_cloud_models",
        "deepinfra_models",
        "ollama_models",
        "groq_models",
        "mistral_models",
        "bedrock_models",
        "vertex_models",
    ):
        assert getattr(litegate, name), name
    assert "meta-llama/Llama-3.1-8B-Instruct" in litegate.models_by_provider["huggingface"]


def test_get_provider_fields_for_the_providers_the_spec_names():
    for provider in ("databricks", "ollama", "azure_ai"):
        fields = litegate.get_provider_fields(provider)
        names = [f["field_name"] for f in fields]
        assert "api_base" in names, provider
    assert "DATABRICKS_API_KEY" in litegate.get_provider_fields("databricks")[0]["field_description"]
    # azure_ai (Azure AI Foundry model inference) is its own provider with its own variables
    fields = {f["field_name"]: f for f in litegate.get_provider_fields("azure_ai")}
    assert list(fields) == ["api_key", "api_base"]
    assert "AZURE_AI_API_BASE" in fields["api_base"]["field_description"]
    assert "AZURE_AI_API_KEY" in fields["api_key"]["field_description"]
    assert "services.ai.azure.com" in fields["api_base"]["field_value"]
