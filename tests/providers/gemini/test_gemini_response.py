"""Recorded Gemini API responses -> ModelResponse (and error bodies -> the exception hierarchy)."""

from __future__ import annotations

import json

import pytest
from _gemini_helpers import FIXTURES, PROVIDER, load, parse, response, target, text

import litegate

SUCCESS = sorted(p.name for p in (FIXTURES / "recorded").glob("unary-success-*.json"))


@pytest.mark.parametrize("name", SUCCESS)
def test_every_recorded_success_parses(name):
    body = load(f"recorded/{name}")
    resp = parse(body)
    assert isinstance(resp, litegate.ModelResponse)
    assert resp.object == "chat.completion"
    assert len(resp.choices) == len(body["candidates"])
    choice = resp.choices[0]
    assert choice.finish_reason in ("stop", "tool_calls")
    msg = choice.message
    assert msg.content or msg.tool_calls
    meta = body.get("usageMetadata") or {}
    assert resp.usage.prompt_tokens == meta.get("promptTokenCount", 0) + meta.get("toolUsePromptTokenCount", 0)
    assert resp.usage.completion_tokens == meta.get("candidatesTokenCount", 0) + meta.get("thoughtsTokenCount", 0)
    assert resp.model == body.get("modelVersion", "gemini-2.5-flash")
    if body.get("responseId"):
        assert resp.id == body["responseId"]


@pytest.mark.parametrize("name", sorted(p.name for p in (FIXTURES / "recorded").glob("unary-success-*.txt")))
def test_txt_twins_parse_the_same(name):
    twin = name[:-4] + ".json"
    a = parse(text(f"recorded/{name}"))
    b = parse(text(f"recorded/{twin}"))
    assert a.choices[0].message.content == b.choices[0].message.content
    assert a.usage == b.usage


def test_basic_reply():
    resp = parse(load("recorded/unary-success-basic-reply-short.json"))
    msg = resp.choices[0].message
    assert msg.content == (
        "Google's headquarters, also known as the Googleplex, is located in **Mountain View, California**.\n"
    )
    assert msg.role == "assistant" and msg.tool_calls is None
    assert (resp.usage.prompt_tokens, resp.usage.completion_tokens, resp.usage.total_tokens) == (7, 22, 29)
    assert resp.usage.prompt_tokens_details.text_tokens == 7
    psf = msg.provider_specific_fields
    assert psf["avg_logprobs"] == pytest.approx(-0.048741644079034981)
    assert [r["category"] for r in psf["safety_ratings"]][0] == "HARM_CATEGORY_HATE_SPEECH"


def test_thinking_reply_and_reasoning_tokens():
    resp = parse(load("recorded/unary-success-thinking-reply-thought-summary.json"))
    msg = resp.choices[0].message
    assert msg.content == "Mountain View"
    assert msg.reasoning_content.startswith("**Thinking About Google's Headquarters**")
    assert resp.usage.completion_tokens == 2 + 24
    assert resp.usage.completion_tokens_details.reasoning_tokens == 24
    assert resp.usage.total_tokens == 40


def test_thinking_function_call_keeps_the_thought_signature():
    body = load("recorded/unary-success-thinking-function-call-thought-summary-signature.json")
    resp = parse(body)
    choice = resp.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    call = choice.message.tool_calls[0]
    assert call.function.name == "now" and json.loads(call.function.arguments) == {}
    assert call.id.startswith("call_")
    signature = body["candidates"][0]["content"]["parts"][1]["thoughtSignature"]
    assert call.provider_specific_fields["thought_signature"] == signature
    assert choice.message.reasoning_content.startswith("**Thinking Through")


def test_signature_survives_a_round_trip_back_to_gemini():
    from _gemini_helpers import translate

    resp = parse(load("recorded/unary-success-thinking-function-call-thought-summary-signature.json"))
    assistant = resp.choices[0].message.model_dump()
    call_id = assistant["tool_calls"][0]["id"]
    body = translate(
        messages=[
            {"role": "user", "content": "Days until New Year's Eve?"},
            assistant,
            {"role": "tool", "tool_call_id": call_id, "content": "2025-10-26"},
        ]
    )
    part = body["contents"][1]["parts"][0]
    assert part["functionCall"] == {"name": "now", "args": {}}
    assert part["thoughtSignature"] == assistant["tool_calls"][0]["provider_specific_fields"]["thought_signature"]
    assert body["contents"][2]["parts"][0]["functionResponse"]["name"] == "now"


def test_code_execution_is_rendered_into_the_content():
    msg = parse(load("recorded/unary-success-code-execution.json")).choices[0].message
    assert "```python\n" in msg.content and "```output\n" in msg.content


def test_grounding_citations_and_url_context_are_kept():
    msg = parse(load("recorded/unary-success-google-search-grounding.json")).choices[0].message
    assert "webSearchQueries" in msg.provider_specific_fields["grounding_metadata"]
    msg = parse(load("recorded/unary-success-citations.json")).choices[0].message
    assert msg.provider_specific_fields["citation_metadata"]["citationSources"]
    msg = parse(load("recorded/unary-success-url-context.json")).choices[0].message
    assert msg.provider_specific_fields["url_context_metadata"]["urlMetadata"][0]["retrievedUrl"]


def test_logprobs():
    body = load("generative-ai-js/unary-success-logprobs.json")
    choice = parse(body).choices[0]
    assert choice.logprobs.content[0].token == "Some other string."
    assert choice.logprobs.content[0].logprob == 0.75
    assert choice.logprobs.content[0].top_logprobs[0].token == "Some string."


def test_search_grounding_js_fixture():
    resp = parse(load("generative-ai-js/unary-success-search-grounding.json"))
    assert resp.choices[0].message.provider_specific_fields["grounding_metadata"]["groundingChunks"]


def test_cookbook_responses():
    resp = parse(load("cookbook/Function_calling_REST_cell12.json")["response"])
    call = resp.choices[0].message.tool_calls[0]
    assert call.function.name == "find_theaters"
    assert json.loads(call.function.arguments) == {"movie": "Barbie", "location": "Mountain View, CA"}
    assert resp.choices[0].finish_reason == "tool_calls"
    resp = parse(load("cookbook/Prompting_REST_cell08.json")["response"])
    assert resp.choices[0].message.content.startswith("```python")
    assert resp.usage.total_tokens == 96


def test_safety_finish_with_content_is_a_content_filter_answer():
    resp = parse(load("recorded/unary-failure-finish-reason-safety.json"))
    assert resp.choices[0].finish_reason == "content_filter"
    assert resp.choices[0].message.content == "Safety error incoming in 5, 4, 3, 2..."


def test_prompt_blocked_raises_content_policy_violation():
    with pytest.raises(litegate.ContentPolicyViolationError, match="blockReason SAFETY") as info:
        parse(load("cookbook/Safety_REST_cell13.json")["response"])
    assert info.value.provider_specific_fields["promptFeedback"]["blockReason"] == "SAFETY"
    assert info.value.llm_provider == "gemini"
    with pytest.raises(litegate.ContentPolicyViolationError, match="Message"):
        parse(load("recorded/unary-failure-only-prompt-feedback.json"))


def test_empty_answer_with_finish_message():
    choice = parse(load("recorded/unary-failure-with-message-no-content.json")).choices[0]
    assert choice.message.content is None
    assert choice.finish_reason == "stop"
    assert choice.message.provider_specific_fields["finish_message"].startswith("Model failed")


@pytest.mark.parametrize(
    "reason, expected",
    [
        ("STOP", "stop"),
        ("MAX_TOKENS", "length"),
        ("SAFETY", "content_filter"),
        ("RECITATION", "content_filter"),
        ("BLOCKLIST", "content_filter"),
        ("PROHIBITED_CONTENT", "content_filter"),
        ("SPII", "content_filter"),
        ("OTHER", "stop"),
        ("LANGUAGE", "stop"),
        ("MALFORMED_FUNCTION_CALL", "stop"),
        ("SOMETHING_NEW", "stop"),
        (None, "stop"),
    ],
)
def test_finish_reasons(reason, expected):
    cand = {"content": {"role": "model", "parts": [{"text": "x"}]}, "index": 0}
    if reason:
        cand["finishReason"] = reason
    assert parse({"candidates": [cand]}).choices[0].finish_reason == expected


def test_several_candidates_and_cached_tokens():
    body = {
        "candidates": [
            {"content": {"role": "model", "parts": [{"text": "one"}]}, "finishReason": "STOP", "index": 0},
            {"content": {"role": "model", "parts": [{"text": "two"}]}, "finishReason": "MAX_TOKENS", "index": 1},
        ],
        "usageMetadata": {
            "promptTokenCount": 100,
            "candidatesTokenCount": 4,
            "cachedContentTokenCount": 60,
            "toolUsePromptTokenCount": 5,
            "totalTokenCount": 109,
        },
    }
    resp = parse(body)
    assert [(c.index, c.message.content, c.finish_reason) for c in resp.choices] == [
        (0, "one", "stop"),
        (1, "two", "length"),
    ]
    assert resp.usage.prompt_tokens == 105 and resp.usage.completion_tokens == 4 and resp.usage.total_tokens == 109
    assert resp.usage.prompt_tokens_details.cached_tokens == 60


def test_generated_images_become_message_images():
    body = {
        "candidates": [
            {
                "content": {
                    "role": "model",
                    "parts": [{"text": "Here it is"}, {"inlineData": {"mimeType": "image/png", "data": "iVBORw0K"}}],
                },
                "finishReason": "STOP",
            }
        ]
    }
    msg = parse(body).choices[0].message
    assert msg.content == "Here it is"
    assert msg.images == [{"type": "image_url", "index": 0, "image_url": {"url": "data:image/png;base64,iVBORw0K"}}]


@pytest.mark.parametrize(
    "raw", [b"not json", b"[1, 2]", b'{"this": [{"is": "not a response"}]}', b'{"candidates": []}']
)
def test_invalid_bodies(raw):
    with pytest.raises(litegate.APIResponseValidationError):
        parse(raw)


def test_error_body_with_a_200_status_raises_it():
    with pytest.raises(litegate.AuthenticationError, match="API key not valid"):
        parse(load("recorded/unary-failure-api-key.json"))


# ------------------------------------------------------------------------------ error bodies


@pytest.mark.parametrize(
    "name, cls",
    [
        ("recorded/unary-failure-api-key.json", litegate.AuthenticationError),  # 400 API_KEY_INVALID
        ("recorded/unary-failure-generativelanguage-api-not-enabled.json", litegate.PermissionDeniedError),
        ("recorded/unary-failure-unknown-model.json", litegate.NotFoundError),
        ("recorded/streaming-failure-image-rejected.txt", litegate.BadRequestError),
    ],
)
def test_recorded_error_bodies(name, cls):
    body = text(name)
    status = json.loads(body)["error"]["code"]
    exc = PROVIDER.error(response(body, status), target())
    assert type(exc) is cls
    assert exc.llm_provider == "gemini"
    assert exc.message == json.loads(body)["error"]["message"]


def test_documented_quota_error_has_the_retry_delay():
    doc = load("errors/429_resource_exhausted_ai_studio.json")
    exc = PROVIDER.error(response(doc["body"], doc["status"], doc["headers"]), target())
    assert isinstance(exc, litegate.RateLimitError)
    assert exc.retry_after == 34.0
    assert exc.type == "RESOURCE_EXHAUSTED"


def test_response_headers_kept():
    headers = {
        "content-type": "application/json",
        "x-goog-request-id": "r1",
        "server-timing": "gfet4t7; dur=5",
        "set-cookie": "x",
    }
    kept = PROVIDER.response_headers(response({}, 200, headers))
    assert kept == {"x-goog-request-id": "r1", "server-timing": "gfet4t7; dur=5"}
