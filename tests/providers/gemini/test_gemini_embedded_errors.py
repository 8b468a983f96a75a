"""Error objects and blocks inside success (200) bodies: the Gemini rules of ``Dialect.embedded_error``."""

from __future__ import annotations

import pytest
from _gemini_helpers import PROVIDER, chat_call, load, parse, response, target

import litegate
from litegate.core.call import build_embedding_call

QUOTA = {"error": {"code": 429, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED"}}


def test_a_lone_error_object_in_a_list_is_raised_as_that_error():
    with pytest.raises(litegate.RateLimitError, match="Quota exceeded") as info:
        parse([QUOTA])
    assert info.value.llm_provider == "gemini"


def test_a_list_that_is_not_one_object_is_not_a_response():
    with pytest.raises(litegate.APIResponseValidationError, match="not an object"):
        parse([QUOTA, QUOTA])


def test_a_blocked_prompt_carries_the_response():
    resp = response(load("recorded/unary-failure-only-prompt-feedback.json"))
    with pytest.raises(litegate.ContentPolicyViolationError) as info:
        PROVIDER.parse_chat(resp, chat_call(), target())
    assert info.value.response is resp


def test_embedded_error_is_none_for_an_answer():
    body = {"candidates": [{"content": {"parts": [{"text": "x"}]}, "finishReason": "STOP"}]}
    assert PROVIDER.embedded_error(body, response(body), target()) is None


@pytest.mark.parametrize(
    "body, cls",
    [
        (QUOTA, litegate.RateLimitError),
        ([QUOTA], litegate.RateLimitError),
        ({"nothing": 1}, litegate.APIResponseValidationError),
    ],
)
def test_embedding_bodies_without_vectors(body, cls):
    call = build_embedding_call("gemini/gemini-embedding-001", "x", {})
    with pytest.raises(cls):
        PROVIDER.parse_embedding(response(body), call, target("gemini-embedding-001"))
