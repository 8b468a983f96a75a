"""Usage as litellm shows it: cache counters the provider did not report read as 0 (never None),
so code that adds them up (aider does) works on every answer, streamed or not."""

from __future__ import annotations

from _core_helpers import KEY, user_messages

import litegate


def _spent(usage) -> int:
    # the arithmetic frameworks do on litellm usage objects
    return (
        usage.prompt_tokens
        + usage.completion_tokens
        + (getattr(usage, "prompt_cache_hit_tokens", 0) or getattr(usage, "cache_read_input_tokens", 0))
        + getattr(usage, "cache_creation_input_tokens", 0)
    )


def test_openai_answer_without_cache_counters(server):
    server.enqueue_reply("hi", usage={"prompt_tokens": 7, "completion_tokens": 2})
    resp = litegate.completion("gpt-4o-mini", messages=user_messages(), api_key=KEY, api_base=server.base_url)
    usage = resp.usage
    assert usage.cache_read_input_tokens == 0 and usage.cache_creation_input_tokens == 0
    assert _spent(usage) == 9
    assert "cache_read_input_tokens" not in resp.model_dump()["usage"]


def test_streamed_usage_and_rebuilt_response(server):
    server.enqueue_reply("hello there", usage={"prompt_tokens": 5, "completion_tokens": 3})
    chunks = list(
        litegate.completion(
            "gpt-4o-mini",
            messages=user_messages(),
            api_key=KEY,
            api_base=server.base_url,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    last = [c for c in chunks if getattr(c, "usage", None)][-1]
    assert _spent(last.usage) == 8
    rebuilt = litegate.stream_chunk_builder(chunks)
    assert _spent(rebuilt.usage) == 8


def test_reported_cache_counters_are_kept(server):
    server.enqueue_reply(
        "hi", usage={"prompt_tokens": 100, "completion_tokens": 2, "prompt_tokens_details": {"cached_tokens": 64}}
    )
    resp = litegate.completion("gpt-4o-mini", messages=user_messages(), api_key=KEY, api_base=server.base_url)
    assert resp.usage.prompt_tokens_details.cached_tokens == 64
    assert resp.usage.cache_creation_input_tokens == 0
