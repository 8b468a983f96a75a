"""The Redis semantic cache on the real Redis server: prompts that mean the same are answered from
the cache; the prompt's embedding comes from a real embedding endpoint (a fake server whose
vectors are bags of words)."""

from __future__ import annotations

import pytest
import redis
from _cache_helpers import chat_kw

import litegate
from litegate.core import background
from litegate.testing.word_embeddings import WordEmbeddingServer, word_vector

CHAT = "/chat/completions"
EMB = "/embeddings"


@pytest.fixture
def embedder():
    with WordEmbeddingServer() as srv:
        yield srv


def _semantic(redis_url, embedder, threshold=0.7, **more):
    return litegate.Cache(
        type="redis-semantic",
        url=redis_url,
        similarity_threshold=threshold,
        redis_semantic_cache_embedding_model="openai/text-embedding-3-small",
        embedding_kwargs={"api_base": embedder.base_url, "api_key": "sk-embed-key-000"},
        **more,
    )


def test_the_word_embedding_server_answers_256_dimensions_unless_asked(embedder):
    def dims(**kw):
        resp = litegate.embedding(
            "openai/text-embedding-3-small", input=["one two"], api_base=embedder.base_url, api_key="sk-e", **kw
        )
        return len(resp.data[0]["embedding"])

    assert dims() == 256  # the base server's 8 made unrelated texts share slots
    assert dims(dimensions=32) == 32


def test_word_vectors_are_close_for_shared_words():
    a = word_vector("What is the capital city of France?")
    b = word_vector("Tell me the capital of France")
    c = word_vector("How do I bake sourdough bread?")
    dot = lambda x, y: sum(p * q for p, q in zip(x, y, strict=False))  # noqa: E731
    assert dot(a, b) > 0.7 > 0.3 > dot(a, c)


def test_a_paraphrase_is_a_hit_and_an_unrelated_prompt_is_not(server, embedder, redis_db):
    litegate.cache = _semantic(redis_db, embedder)
    first = litegate.completion(**chat_kw(server, "What is the capital city of France?"))
    similar = litegate.completion(**chat_kw(server, "Tell me the capital of France"))
    assert similar._hidden_params["cache_hit"] is True
    assert similar.choices[0].message.content == first.choices[0].message.content
    other = litegate.completion(**chat_kw(server, "How do I bake sourdough bread?"))
    assert other._hidden_params.get("cache_hit") is not True
    assert server.hits(CHAT) == 2
    assert embedder.hits(EMB) >= 3  # the prompts were embedded through the embedding endpoint


def test_the_threshold_per_call_decides(server, embedder, redis_db):
    litegate.cache = _semantic(redis_db, embedder, threshold=0.7)
    litegate.completion(**chat_kw(server, "What is the capital city of France?"))
    strict = litegate.completion(
        **chat_kw(server, "Tell me the capital of France", cache={"similarity_threshold": 0.999})
    )
    assert strict._hidden_params.get("cache_hit") is not True
    assert server.hits(CHAT) == 2


def test_exact_repeat_needs_no_embedding_call(server, embedder, redis_db):
    cache = _semantic(redis_db, embedder)
    litegate.cache = cache
    litegate.completion(**chat_kw(server, "exact words"))
    calls = cache.cache.embedding_calls
    hit = litegate.completion(**chat_kw(server, "exact words"))
    assert hit._hidden_params["cache_hit"] is True
    assert cache.cache.embedding_calls == calls


def test_another_model_is_another_scope(server, embedder, redis_db):
    litegate.cache = _semantic(redis_db, embedder)
    litegate.completion(**chat_kw(server, "What is the capital city of France?"))
    other = litegate.completion(**dict(chat_kw(server, "What is the capital city of France?"), model="openai/gpt-4o"))
    assert other._hidden_params.get("cache_hit") is not True


async def test_async_semantic_hits(server, embedder, redis_db):
    litegate.cache = _semantic(redis_db, embedder)
    await litegate.acompletion(**chat_kw(server, "Which planet is the largest in the solar system?"))
    hit = await litegate.acompletion(**chat_kw(server, "Largest planet of the solar system?"))
    assert hit._hidden_params["cache_hit"] is True
    assert server.hits(CHAT) == 1


async def test_async_stream_is_stored_semantically(server, embedder, redis_db):
    litegate.cache = _semantic(redis_db, embedder)
    stream = await litegate.acompletion(stream=True, **chat_kw(server, "streamed planet question"))
    async for _ in stream:
        pass
    await background.drain()
    hit = await litegate.acompletion(**chat_kw(server, "streamed planet question"))
    assert hit._hidden_params["cache_hit"] is True


def test_the_scan_is_bounded(server, embedder, redis_db):
    litegate.cache = _semantic(redis_db, embedder, threshold=0.99, max_scan=2, max_entries=3)
    for topic in ("volcanoes erupt", "violin lessons", "tax deadlines", "penguin habitats", "quantum spin"):
        litegate.completion(**chat_kw(server, topic))
    assert server.hits(CHAT) == 5
    client = redis.Redis.from_url(redis_db)
    lists = [k for k in client.keys("*") if k.endswith(b":ids")]
    assert len(lists) == 1 and client.llen(lists[0]) == 3


def test_semantic_needs_a_threshold(redis_db):
    with pytest.raises(ValueError, match="similarity_threshold"):
        litegate.Cache(type="redis-semantic", url=redis_db)


def test_embedding_endpoint_down_is_a_miss(server, redis_db, caplog):
    litegate.cache = litegate.Cache(
        type="redis-semantic",
        url=redis_db,
        similarity_threshold=0.8,
        redis_semantic_cache_embedding_model="openai/text-embedding-3-small",
        embedding_kwargs={"api_base": "http://127.0.0.1:9/v1", "api_key": "sk-x"},
    )
    with caplog.at_level("WARNING", logger="litegate"):
        answer = litegate.completion(**chat_kw(server, "nobody embeds this"))
        litegate.completion(**chat_kw(server, "nobody embeds this either"))
    assert answer.choices[0].message.content
    assert server.hits(CHAT) == 2
    assert sum("redis-semantic cache failed" in r.getMessage() for r in caplog.records) == 1


# ------------------------------------------------------------------ vector search detection
def test_a_plain_server_is_detected_as_having_no_vector_search(server, embedder, redis_db):
    """The session's redis-server has no search module: MODULE LIST names none, FT._LIST is an
    unknown command; the semantic cache says so and answers by its own comparison."""
    litegate.cache = _semantic(redis_db, embedder)
    backend = litegate.cache.cache
    assert backend.vector_search is None  # asked on the first lookup, not at configuration
    litegate.completion(**chat_kw(server, "What is the capital city of France?"))
    assert backend.vector_search is False
    assert litegate.completion(**chat_kw(server, "Tell me the capital of France"))._hidden_params["cache_hit"] is True
    assert backend.detect_vector_search() is False
    assert redis.Redis.from_url(redis_db).execute_command("MODULE LIST") == []  # the premise, on the real server


async def test_detection_falls_back_to_ft_list_when_module_is_refused(server, embedder):
    """A server with MODULE renamed away (as managed services do): the error reply is not a cache
    failure; FT._LIST is asked instead, and is unknown too: no vector search, the plain path works."""
    from _cache_helpers import free_port, start_redis_server

    port = free_port()
    proc = start_redis_server(port, "--rename-command", "MODULE", "")
    try:
        url = f"redis://127.0.0.1:{port}/0"
        with pytest.raises(redis.ResponseError):
            redis.Redis.from_url(url).execute_command("MODULE LIST")
        cache = _semantic(url, embedder)
        assert cache.cache.detect_vector_search() is False
        cache.cache.vector_search = None
        litegate.cache = cache
        await litegate.acompletion(**chat_kw(server, "What is the capital city of France?"))
        await background.drain()
        assert cache.cache.vector_search is False and cache.failures == 0
        hit = await litegate.acompletion(**chat_kw(server, "Tell me the capital of France"))
        assert hit._hidden_params["cache_hit"] is True
    finally:
        proc.kill()
        proc.wait(timeout=5)
