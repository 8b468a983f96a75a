"""mock_response, instance-scoped ``litegate.Client`` isolation, aliases, embeddings."""

from __future__ import annotations

import asyncio
import base64
import struct
import threading

import pytest
from _core_helpers import KEY, user_messages

import litegate
from litegate.testing import embedding_vector

MODEL = "gpt-4o-mini"
EMBED_MODEL = "text-embedding-3-small"


# --------------------------------------------------------------------------------- mock_response


def test_mock_response_string_makes_no_request(server):
    resp = litegate.completion(MODEL, user_messages(), mock_response="mocked answer", api_base=server.base_url)
    assert isinstance(resp, litegate.ModelResponse)
    assert resp.choices[0].message.content == "mocked answer"
    assert resp["choices"][0]["message"]["role"] == "assistant"
    assert resp.choices[0].finish_reason == "stop"
    assert resp.usage.total_tokens == resp.usage.prompt_tokens + resp.usage.completion_tokens
    assert server.hits() == 0


def test_mock_response_needs_no_key():
    # no key anywhere (the fixture cleared the environment): a mock still answers
    resp = litegate.completion("groq/llama-3.1-8b-instant", user_messages(), mock_response="offline")
    assert resp.choices[0].message.content == "offline"


async def test_async_mock_response_string():
    resp = await litegate.acompletion(MODEL, user_messages(), mock_response="async mocked")
    assert resp.choices[0].message.content == "async mocked"


def test_mock_response_model_response_is_returned():
    canned = litegate.ModelResponse(
        id="chatcmpl-canned",
        model="canned-model",
        choices=[{"index": 0, "finish_reason": "length", "message": {"role": "assistant", "content": "canned"}}],
        usage={"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
    )
    resp = litegate.completion(MODEL, user_messages(), mock_response=canned)
    assert resp.choices[0].message.content == "canned"
    assert resp.choices[0].finish_reason == "length"
    assert resp.id == "chatcmpl-canned"
    assert resp.usage.total_tokens == 3


@pytest.mark.parametrize("model,provider", [(MODEL, "openai"), ("groq/llama-3.1-8b-instant", "groq")])
def test_mock_response_exception_is_raised_with_provider(server, model, provider):
    error = litegate.RateLimitError("simulated rate limit")
    with pytest.raises(litegate.RateLimitError) as info:
        litegate.completion(model, user_messages(), mock_response=error, api_base=server.base_url)
    assert info.value is error
    assert info.value.llm_provider == provider
    assert info.value.model
    assert "simulated rate limit" in str(info.value)
    assert server.hits() == 0


def test_mock_response_exception_keeps_given_provider():
    error = litegate.AuthenticationError("bad key", llm_provider="anthropic", model="claude-x")
    with pytest.raises(litegate.AuthenticationError) as info:
        litegate.completion(MODEL, user_messages(), mock_response=error)
    assert info.value.llm_provider == "anthropic"
    assert info.value.model == "claude-x"


async def test_async_mock_response_exception():
    with pytest.raises(litegate.ServiceUnavailableError) as info:
        await litegate.acompletion(
            MODEL, user_messages(), mock_response=litegate.ServiceUnavailableError("down for maintenance")
        )
    assert info.value.llm_provider == "openai"


def test_mock_response_stream_rebuilds_to_the_string():
    text = "A mocked stream that is long enough to be split into several chunks."
    stream = litegate.completion(MODEL, user_messages(), mock_response=text, stream=True)
    chunks = list(stream)
    assert len(chunks) > 2
    assert chunks[0].choices[0].delta.role == "assistant"
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == text
    assert chunks[-1].choices[0].finish_reason == "stop"
    rebuilt = litegate.stream_chunk_builder(chunks)
    assert rebuilt.choices[0].message.content == text


async def test_async_mock_stream():
    text = "async mocked stream text"
    stream = await litegate.acompletion(MODEL, user_messages(), mock_response=text, stream=True)
    chunks = [c async for c in stream]
    assert litegate.stream_chunk_builder(chunks).choices[0].message.content == text


def test_mock_stream_with_include_usage():
    chunks = list(
        litegate.completion(
            MODEL,
            user_messages(),
            mock_response="counted words here",
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.total_tokens > 0


def test_mock_response_still_validates_input(server):
    with pytest.raises(litegate.BadRequestError):
        litegate.completion(MODEL, user_messages(), mock_response="x", temperature="hot")


# --------------------------------------------------------------------------------- Client


def test_client_uses_its_own_key_and_base(server):
    client = litegate.Client(api_key="sk-client-key-000000", api_base=server.base_url)
    try:
        resp = client.completion(MODEL, user_messages())
    finally:
        client.close()
    assert server.last_request.header("authorization") == "Bearer sk-client-key-000000"
    assert resp._hidden_params["api_base"] == server.base_url


def test_module_settings_do_not_affect_a_client(server, monkeypatch):
    client = litegate.Client(api_key="sk-client-key-111111", api_base=server.base_url, num_retries=0)
    litegate.api_key = "sk-module-generic-0000"
    litegate.openai_key = "sk-module-openai-0000"
    litegate.api_base = server.url + "/module-base/v1"
    litegate.num_retries = 5
    litegate.drop_params = True
    server.enqueue_error(429, count=1)
    with pytest.raises(litegate.RateLimitError):
        client.completion(MODEL, user_messages())
    assert server.hits() == 1, "the client's num_retries=0 wins over the module's 5"
    client.completion(MODEL, user_messages())
    req = server.last_request
    assert req.header("authorization") == "Bearer sk-client-key-111111"
    assert req.path == "/v1/chat/completions"
    with pytest.raises(litegate.UnsupportedParamsError):
        client.completion("groq/m", user_messages(), logprobs=True)
    client.close()


def test_client_without_key_reads_env_not_module(server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-key-222222")
    litegate.openai_key = "sk-module-openai-2222"
    litegate.api_key = "sk-module-generic-2222"
    client = litegate.Client(api_base=server.base_url)
    client.completion(MODEL, user_messages())
    client.close()
    assert server.last_request.header("authorization") == "Bearer sk-env-key-222222"


def test_client_settings_do_not_leak_into_module(server, monkeypatch):
    litegate.Client(api_key="sk-client-only-33333", num_retries=9, api_base="http://10.0.0.1/v1")
    assert litegate.api_key is None
    assert litegate.api_base is None
    with pytest.raises(litegate.AuthenticationError):
        litegate.completion(MODEL, user_messages(), api_base=server.base_url)
    assert server.hits() == 0


def test_client_unknown_setting_is_type_error():
    with pytest.raises(TypeError) as info:
        litegate.Client(unknown_setting=1)
    assert "unknown_setting" in str(info.value)


def test_client_accepts_known_module_setting(server):
    client = litegate.Client(openai_key="sk-client-openai-4444", api_base=server.base_url)
    client.completion(MODEL, user_messages())
    client.close()
    assert server.last_request.header("authorization") == "Bearer sk-client-openai-4444"


def test_client_repr_hides_key():
    client = litegate.Client(api_key="sk-very-secret-client-key-5555")
    assert "sk-very-secret-client-key-5555" not in repr(client)


def test_two_clients_in_two_threads(server):
    """Concurrent clients with different keys and retries never see each other's settings."""
    a = litegate.Client(api_key="sk-client-a-000000", api_base=server.url + "/a/v1", num_retries=0)
    b = litegate.Client(api_key="sk-client-b-000000", api_base=server.url + "/b/v1", num_retries=2)
    server.enqueue_error(429, count=1, path="/a/v1/chat/completions")
    server.enqueue_error(429, count=2, path="/b/v1/chat/completions")
    calls = 20
    barrier = threading.Barrier(2)
    outcome: dict = {"a": [], "b": []}

    def run(name, client):
        barrier.wait()
        for i in range(calls):
            try:
                client.completion(MODEL, user_messages(f"{name} {i}"), user=name)
                outcome[name].append("ok")
            except litegate.RateLimitError:
                outcome[name].append("rate-limited")

    threads = [threading.Thread(target=run, args=("a", a)), threading.Thread(target=run, args=("b", b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    a.close()
    b.close()

    # a (no retries) saw its one 429 as an error; b (2 retries) absorbed both of its 429s
    assert outcome["a"].count("rate-limited") == 1
    assert outcome["a"].count("ok") == calls - 1
    assert outcome["b"] == ["ok"] * calls
    assert server.hits("/a/v1/chat/completions") == calls
    assert server.hits("/b/v1/chat/completions") == calls + 2
    for req in server.requests:
        who = req.json["user"]
        assert req.path == f"/{who}/v1/chat/completions"
        assert req.header("authorization") == f"Bearer sk-client-{who}-000000"


async def test_two_clients_async_concurrently(server):
    a = litegate.Client(api_key="sk-async-a-0000000", api_base=server.base_url)
    b = litegate.Client(api_key="sk-async-b-0000000", api_base=server.base_url)
    await asyncio.gather(
        *[(a if i % 2 else b).acompletion(MODEL, user_messages(), user="a" if i % 2 else "b") for i in range(10)]
    )
    await a.aclose()
    await b.aclose()
    assert server.hits() == 10
    for req in server.requests:
        assert req.header("authorization") == f"Bearer sk-async-{req.json['user']}-0000000"


def test_client_context_manager(server):
    with litegate.Client(api_key=KEY, api_base=server.base_url) as client:
        assert client.completion(MODEL, user_messages()).choices[0].message.content
    assert server.hits() == 1


def test_client_mock_response():
    client = litegate.Client()
    assert (
        client.completion(MODEL, user_messages(), mock_response="client mock").choices[0].message.content
        == "client mock"
    )


# --------------------------------------------------------------------------------- aliases


def test_model_alias_map_resolves_alias(server):
    litegate.model_alias_map = {"fast": "gpt-4o-mini", "local": "hosted_vllm/llama-3-8b"}
    resp = litegate.completion("fast", user_messages(), api_key=KEY, api_base=server.base_url)
    assert server.last_request.json["model"] == "gpt-4o-mini"
    assert server.last_request.header("authorization") == f"Bearer {KEY}"
    assert resp._hidden_params["custom_llm_provider"] == "openai"

    resp = litegate.completion("local", user_messages(), api_base=server.base_url)
    assert server.last_request.json["model"] == "llama-3-8b"
    assert resp._hidden_params["custom_llm_provider"] == "hosted_vllm"


def test_client_model_alias_map(server):
    litegate.model_alias_map = {"smart": "gpt-4o"}
    client = litegate.Client(api_key=KEY, api_base=server.base_url, model_alias_map={"smart": "gpt-4.1-mini"})
    client.completion("smart", user_messages())
    client.close()
    assert server.last_request.json["model"] == "gpt-4.1-mini"


# --------------------------------------------------------------------------------- embeddings


def _embed(server, input, **kw):
    return litegate.embedding(EMBED_MODEL, input, api_key=KEY, api_base=server.base_url, **kw)


def test_embedding_single_string(server):
    resp = _embed(server, "hello world")
    assert isinstance(resp, litegate.EmbeddingResponse)
    req = server.last_request
    assert req.path == "/v1/embeddings"
    assert req.json == {"model": EMBED_MODEL, "input": "hello world"}
    assert len(resp.data) == 1
    assert resp.data[0].index == 0
    assert resp.data[0].embedding == pytest.approx(embedding_vector("hello world"))
    assert resp["data"][0]["embedding"] == pytest.approx(embedding_vector("hello world"))
    assert resp.usage.prompt_tokens > 0
    assert resp.usage.total_tokens >= resp.usage.prompt_tokens
    assert resp._hidden_params["custom_llm_provider"] == "openai"
    assert resp._hidden_params["api_base"] == server.base_url


def test_embedding_list_with_dimensions_and_user(server):
    items = ["alpha", "beta", "gamma"]
    resp = _embed(server, items, dimensions=16, user="user-7")
    body = server.last_request.json
    assert body == {"model": EMBED_MODEL, "input": items, "dimensions": 16, "user": "user-7"}
    assert [d.index for d in resp.data] == [0, 1, 2]
    for item, d in zip(items, resp.data, strict=False):
        assert len(d.embedding) == 16
        assert d.embedding == pytest.approx(embedding_vector(item, 16))


def test_embedding_base64(server):
    items = ["one", "two"]
    resp = _embed(server, items, encoding_format="base64", dimensions=12)
    assert server.last_request.json["encoding_format"] == "base64"
    for item, d in zip(items, resp.data, strict=False):
        raw = base64.b64decode(d.embedding)
        assert len(raw) == 12 * 4
        decoded = list(struct.unpack("<12f", raw))
        assert decoded == pytest.approx(embedding_vector(item, 12))


def test_embedding_float_format_is_forwarded(server):
    resp = _embed(server, "x", encoding_format="float")
    assert server.last_request.json["encoding_format"] == "float"
    assert resp.data[0].embedding == pytest.approx(embedding_vector("x"))


async def test_async_embedding_float_and_base64(server):
    resp = await litegate.aembedding(EMBED_MODEL, ["p", "q"], api_key=KEY, api_base=server.base_url, dimensions=4)
    assert [d.embedding for d in resp.data] == [pytest.approx(embedding_vector(t, 4)) for t in ("p", "q")]
    resp = await litegate.aembedding(EMBED_MODEL, "p", api_key=KEY, api_base=server.base_url, encoding_format="base64")
    raw = base64.b64decode(resp.data[0].embedding)
    assert list(struct.unpack(f"<{len(raw) // 4}f", raw)) == pytest.approx(embedding_vector("p"))


def test_embedding_token_input(server):
    tokens = [[1, 2, 3], [4, 5]]
    resp = _embed(server, tokens)
    assert server.last_request.json["input"] == tokens
    assert [d.embedding for d in resp.data] == [pytest.approx(embedding_vector(t)) for t in tokens]


def test_embedding_errors_and_retries(server):
    server.enqueue_error(429, count=1, path="/embeddings")
    resp = _embed(server, "retry me", num_retries=1)
    assert server.hits("/embeddings") == 2
    assert resp.data[0].embedding == pytest.approx(embedding_vector("retry me"))
    server.enqueue_error(401, path="/embeddings")
    with pytest.raises(litegate.AuthenticationError):
        _embed(server, "x", num_retries=3)
    assert server.hits("/embeddings") == 3


def test_embedding_mock_response(server):
    resp = litegate.embedding(EMBED_MODEL, ["a", "b"], mock_response=[0.5, 0.25])
    assert [d.embedding for d in resp.data] == [[0.5, 0.25], [0.5, 0.25]]
    assert server.hits() == 0


def test_client_embedding(server):
    with litegate.Client(api_key="sk-embed-client-0000", api_base=server.base_url) as client:
        resp = client.embedding(EMBED_MODEL, "client text")
    assert server.last_request.header("authorization") == "Bearer sk-embed-client-0000"
    assert resp.data[0].embedding == pytest.approx(embedding_vector("client text"))
