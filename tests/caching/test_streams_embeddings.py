"""Streamed answers are stored when complete and replayed as streams; embeddings are cached
per input item (a list with some cached items sends only the rest)."""

from __future__ import annotations

import pytest
from _cache_helpers import chat_kw, emb_kw

import litegate
from litegate.core import background

CHAT = "/chat/completions"
EMB = "/embeddings"


def _text(stream) -> str:
    return "".join((c.choices[0].delta.content or "") for c in stream if c.choices)


async def _atext(stream) -> str:
    out = []
    async for c in stream:
        if c.choices:
            out.append(c.choices[0].delta.content or "")
    return "".join(out)


def test_a_completed_stream_is_stored_and_served_plain_and_streamed(server, any_cache):
    streamed = _text(litegate.completion(stream=True, **chat_kw(server, "tell me")))
    plain = litegate.completion(**chat_kw(server, "tell me"))
    assert plain._hidden_params["cache_hit"] is True
    assert plain.choices[0].message.content == streamed
    replay = litegate.completion(stream=True, stream_options={"include_usage": True}, **chat_kw(server, "tell me"))
    chunks = list(replay)
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == streamed
    assert len(chunks) > 3  # handed out in pieces, as a provider streams
    assert chunks[-1].usage.total_tokens == plain.usage.total_tokens > 0
    assert replay._hidden_params["cache_hit"] is True
    assert replay._hidden_params["usage"]["total_tokens"] == plain.usage.total_tokens
    assert server.hits(CHAT) == 1


def test_a_plain_answer_is_replayed_as_a_stream(server, any_cache):
    plain = litegate.completion(**chat_kw(server, "plain first"))
    replay = litegate.completion(stream=True, **chat_kw(server, "plain first"))
    assert _text(replay) == plain.choices[0].message.content
    assert server.hits(CHAT) == 1


def test_an_unfinished_stream_is_not_stored(server, any_cache):
    stream = litegate.completion(stream=True, **chat_kw(server, "abandoned"))
    next(iter(stream))
    stream.close()
    again = litegate.completion(**chat_kw(server, "abandoned"))
    assert again._hidden_params.get("cache_hit") is not True
    assert server.hits(CHAT) == 2


def test_a_cut_stream_is_not_stored(server, any_cache):
    server.enqueue_stream(cut_after=2)
    with pytest.raises(litegate.APIConnectionError):
        _text(litegate.completion(stream=True, **chat_kw(server, "cut")))
    again = litegate.completion(**chat_kw(server, "cut"))
    assert again._hidden_params.get("cache_hit") is not True


def test_stream_callbacks_see_hits(server, any_cache):
    seen = []
    litegate.success_callback = [lambda kw, resp, s, e: seen.append(resp._hidden_params.get("cache_hit"))]
    _text(litegate.completion(stream=True, **chat_kw(server, "cb")))
    _text(litegate.completion(stream=True, **chat_kw(server, "cb")))
    assert seen == [None, True]
    assert server.hits(CHAT) == 1


async def test_async_stream_store_and_replay(server, any_cache):
    streamed = await _atext(await litegate.acompletion(stream=True, **chat_kw(server, "async stream")))
    await background.drain()
    replay = await litegate.acompletion(stream=True, **chat_kw(server, "async stream"))
    assert await _atext(replay) == streamed
    assert replay._hidden_params["cache_hit"] is True
    assert server.hits(CHAT) == 1


def test_text_completion_stream_replay(server, any_cache):
    kw = dict(model="openai/gpt-3.5-turbo-instruct", prompt="stream me", api_base=server.base_url, api_key="sk-t")
    first = "".join(c.choices[0].text for c in litegate.text_completion(stream=True, **kw))
    again = "".join(c.choices[0].text for c in litegate.text_completion(stream=True, **kw))
    assert again == first and first
    assert server.hits("/completions") == 1


# ------------------------------------------------------------------ embeddings
def test_embedding_partial_hits_send_only_the_rest(server, any_cache):
    first = litegate.embedding(**emb_kw(server, ["alpha", "beta"]))
    mixed = litegate.embedding(**emb_kw(server, ["beta", "gamma", "alpha", "delta"]))
    assert server.hits(EMB) == 2
    assert server.requests[-1].json["input"] == ["gamma", "delta"]  # only the missing items went out
    vectors = {"alpha": first.data[0].embedding, "beta": first.data[1].embedding}
    assert mixed.data[0].embedding == vectors["beta"]
    assert mixed.data[2].embedding == vectors["alpha"]
    assert [d.index for d in mixed.data] == [0, 1, 2, 3]
    fresh = litegate.embedding(**emb_kw(server, ["gamma", "delta"]), caching=False)
    assert mixed.data[1].embedding == fresh.data[0].embedding
    assert mixed.data[3].embedding == fresh.data[1].embedding
    # usage counts only what was sent (and billed)
    assert mixed.usage.prompt_tokens == fresh.usage.prompt_tokens
    assert mixed._hidden_params["cached_items"] == 2
    assert mixed._hidden_params["cache_hit"] is False


def test_embedding_full_hit_makes_no_request(server, any_cache):
    litegate.embedding(**emb_kw(server, ["one", "two"]))
    hit = litegate.embedding(**emb_kw(server, ["two", "one"]))
    assert server.hits(EMB) == 1
    assert hit._hidden_params["cache_hit"] is True
    assert hit._hidden_params["response_cost"] == 0.0
    assert hit.usage.prompt_tokens == 0
    assert len(hit.data) == 2


def test_embedding_single_string_and_params_in_key(server, any_cache):
    litegate.embedding(**emb_kw(server, "solo"))
    assert litegate.embedding(**emb_kw(server, "solo"))._hidden_params["cache_hit"] is True
    litegate.embedding(**emb_kw(server, "solo", dimensions=4))  # another answer shape: another key
    assert server.hits(EMB) == 2


async def test_async_embedding_partial_hits(server, any_cache):
    await litegate.aembedding(**emb_kw(server, ["a1", "a2"]))
    mixed = await litegate.aembedding(**emb_kw(server, ["a2", "a3"]))
    assert server.requests[-1].json["input"] == ["a3"]
    assert mixed._hidden_params["cached_items"] == 1
    full = await litegate.aembedding(**emb_kw(server, ["a3", "a1", "a2"]))
    assert full._hidden_params["cache_hit"] is True
    assert server.hits(EMB) == 2


def test_streamed_tool_calls_are_stored_and_replayed(server, any_cache):
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]
    server.enqueue_reply(tool_calls=[{"name": "get_weather", "arguments": {"city": "Paris"}}])
    chunks = list(litegate.completion(stream=True, tools=tools, **chat_kw(server, "weather?")))
    assert any(c.choices and c.choices[0].delta.tool_calls for c in chunks)
    plain = litegate.completion(tools=tools, **chat_kw(server, "weather?"))
    assert plain._hidden_params["cache_hit"] is True
    call = plain.choices[0].message.tool_calls[0]
    assert call.function.name == "get_weather" and '"Paris"' in call.function.arguments
    assert plain.choices[0].finish_reason == "tool_calls"
    replay = list(litegate.completion(stream=True, tools=tools, **chat_kw(server, "weather?")))
    args = "".join(
        tc.function.arguments or "" for c in replay if c.choices for tc in (c.choices[0].delta.tool_calls or [])
    )
    assert '"Paris"' in args
    assert server.hits(CHAT) == 1


def test_a_caller_changing_a_hit_changes_no_later_hit(server, any_cache):
    litegate.embedding(**emb_kw(server, ["mut"]))
    first = litegate.embedding(**emb_kw(server, ["mut"]))
    original = list(first.data[0].embedding)
    first.data[0].embedding[0] = 123.0
    first.data[0].embedding.append(7.0)
    again = litegate.embedding(**emb_kw(server, ["mut"]))
    assert again._hidden_params["cache_hit"] is True
    assert again.data[0].embedding == original
    server.enqueue_reply("tools", tool_calls=[{"name": "f", "arguments": {"x": 1}}])
    litegate.completion(**chat_kw(server, "mutate tools"))
    hit = litegate.completion(**chat_kw(server, "mutate tools"))
    arguments = hit.choices[0].message.tool_calls[0].function.arguments
    hit.choices[0].message.tool_calls[0].function.arguments = "changed"
    hit.choices[0].message.tool_calls.clear()
    again = litegate.completion(**chat_kw(server, "mutate tools"))
    assert again.choices[0].message.tool_calls[0].function.arguments == arguments != "changed"


def _text_kw(server, prompt, **more):
    return dict(
        model="openai/gpt-3.5-turbo-instruct",
        prompt=prompt,
        api_base=server.base_url,
        api_key="sk-test-cache-key-0001",
        stream=True,
        **more,
    )


def test_a_replayed_text_stream_ends_with_usage_like_a_live_one(server, any_cache):
    usage = {"include_usage": True}
    live = list(litegate.text_completion(**_text_kw(server, "say it", stream_options=usage)))
    replay = litegate.text_completion(**_text_kw(server, "say it", stream_options=usage))
    chunks = list(replay)
    assert server.hits("/completions") == 1 and replay._hidden_params["cache_hit"] is True
    # the same shape as the live stream's end: the text, its finish, then a chunk with the usage
    assert "".join(c.choices[0].text or "" for c in chunks) == "".join(c.choices[0].text or "" for c in live)
    assert [c.choices[0].finish_reason for c in chunks][-2:] == [c.choices[0].finish_reason for c in live][-2:]
    assert chunks[-1].usage.total_tokens == live[-1].usage.total_tokens > 0
    assert chunks[-1].usage.prompt_tokens == live[-1].usage.prompt_tokens
    # without include_usage, no usage chunk (as live): the usage stays in _hidden_params
    plain = litegate.text_completion(**_text_kw(server, "say it"))
    tail = list(plain)[-1]
    assert tail.choices[0].finish_reason == "stop" and not tail.usage.total_tokens
    assert plain._hidden_params["usage"]["total_tokens"] == live[-1].usage.total_tokens


async def test_an_async_replayed_text_stream_carries_usage(server, any_cache):
    kw = _text_kw(server, "say it async", stream_options={"include_usage": True})
    [c async for c in await litegate.atext_completion(**kw)]
    from litegate.core import background

    await background.drain()
    chunks = [c async for c in await litegate.atext_completion(**kw)]
    assert server.hits("/completions") == 1
    assert chunks[-1].usage.total_tokens > 0
