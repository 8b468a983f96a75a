"""langchain-litellm (ChatLiteLLM, LiteLLMEmbeddings) on litegate through the alias."""

from __future__ import annotations

from langchain_core.messages import AIMessageChunk, HumanMessage
from langchain_core.tools import tool
from langchain_litellm import ChatLiteLLM, LiteLLMEmbeddings
from pydantic import BaseModel

from conftest import KEY, assert_clean_bodies


def _chat(server, **kw):
    return ChatLiteLLM(model="openai/gpt-4o-mini", api_key=KEY, api_base=server.base_url, **kw)


def test_invoke(server, litegate_calls):
    server.enqueue_reply("Bonjour!", usage={"prompt_tokens": 9, "completion_tokens": 2})
    msg = _chat(server, temperature=0.3).invoke([HumanMessage(content="Say hello in French")])
    assert msg.content == "Bonjour!"
    assert msg.usage_metadata["input_tokens"] == 9 and msg.usage_metadata["output_tokens"] == 2
    assert litegate_calls
    (body,) = assert_clean_bodies(server)
    assert body["temperature"] == 0.3 and body["messages"][-1]["content"] == "Say hello in French"


def test_stream(server):
    server.enqueue_reply("one two three")
    chunks = list(_chat(server).stream("count"))
    assert all(isinstance(c, AIMessageChunk) for c in chunks)
    assert "".join(c.content for c in chunks) == "one two three"
    (body,) = assert_clean_bodies(server)
    assert body["stream"] is True


@tool
def get_weather(city: str) -> str:
    """Current weather in a city."""
    return f"sunny in {city}"


def test_bind_tools(server):
    server.enqueue_reply(None, tool_calls=[{"name": "get_weather", "arguments": {"city": "Paris"}}])
    msg = _chat(server).bind_tools([get_weather]).invoke("Weather in Paris?")
    assert [(c["name"], c["args"]) for c in msg.tool_calls] == [("get_weather", {"city": "Paris"})]
    (body,) = assert_clean_bodies(server)
    assert body["tools"][0]["function"]["name"] == "get_weather"


class City(BaseModel):
    name: str
    country: str


def test_structured_output(server):
    server.enqueue_reply('{"name": "Paris", "country": "France"}')
    result = _chat(server).with_structured_output(City).invoke("Capital of France?")
    assert result == City(name="Paris", country="France")
    (body,) = assert_clean_bodies(server)
    assert body["response_format"]["json_schema"]["schema"]["properties"].keys() == {"name", "country"}


def test_structured_output_through_a_tool(server):
    server.enqueue_reply(None, tool_calls=[{"name": "City", "arguments": {"name": "Rome", "country": "Italy"}}])
    result = _chat(server).with_structured_output(City, method="function_calling").invoke("Capital of Italy?")
    assert result == City(name="Rome", country="Italy")
    (body,) = assert_clean_bodies(server)
    assert body["tools"][0]["function"]["name"] == "City"


async def test_async_invoke_and_stream(server):
    server.enqueue_reply("async answer")
    server.enqueue_reply("async stream")
    chat = _chat(server)
    msg = await chat.ainvoke("hi")
    assert msg.content == "async answer"
    pieces = [c.content async for c in chat.astream("hi")]
    assert "".join(pieces) == "async stream"
    assert len(assert_clean_bodies(server)) == 2


async def test_embeddings(server):
    emb = LiteLLMEmbeddings(model="openai/text-embedding-3-small", api_key=KEY, api_base=server.base_url)
    vectors = emb.embed_documents(["alpha", "beta"])
    assert len(vectors) == 2 and all(isinstance(v, list) and v for v in vectors)
    one = await emb.aembed_query("gamma")
    assert isinstance(one, list) and one
    bodies = assert_clean_bodies(server)
    assert bodies[0]["input"] == ["alpha", "beta"]


# ---------------------------------------------------------------- ChatLiteLLMRouter, LiteLLMEmbeddingsRouter
def _router(two_servers, group="chat", model="openai/gpt-4o-mini"):
    import litellm  # the framework's own import, aliased to litegate

    from conftest import ROUTING, router_model_list

    router = litellm.Router(
        model_list=router_model_list(group, two_servers, model), routing_strategy=ROUTING, num_retries=1
    )
    import litegate

    assert isinstance(router, litegate.Router)
    return router


def _keys_sent(two_servers) -> set:
    return {r.header("authorization") for s in two_servers for r in s.requests}


def test_router_invoke_fails_over(two_servers, litegate_calls):
    from langchain_litellm import ChatLiteLLMRouter

    busy, spare = two_servers
    busy.enqueue_error(429)
    spare.enqueue_reply("Hej!", usage={"prompt_tokens": 7, "completion_tokens": 2})
    chat = ChatLiteLLMRouter(router=_router(two_servers), temperature=0.2)
    msg = chat.invoke([HumanMessage(content="Say hello in Swedish")])
    assert msg.content == "Hej!"
    assert msg.usage_metadata["input_tokens"] == 7 and msg.usage_metadata["output_tokens"] == 2
    # the deployment that answered is named, from the Router's hidden params
    assert msg.response_metadata["model_id"] == "deployment-1"
    assert busy.hits("/chat/completions") == 1 and spare.hits("/chat/completions") == 1
    assert _keys_sent(two_servers) == {f"Bearer {KEY}"}
    (failed,) = assert_clean_bodies(busy)
    (body,) = assert_clean_bodies(spare)
    assert failed == body  # the same request, re-sent to the other deployment
    assert body["model"] == "gpt-4o-mini" and body["temperature"] == 0.2
    assert body["messages"][-1]["content"] == "Say hello in Swedish"
    assert litegate_calls == ["openai/gpt-4o-mini"]


def test_router_stream(two_servers):
    from langchain_litellm import ChatLiteLLMRouter

    first, second = two_servers
    first.enqueue_reply("routed one two")
    chunks = list(ChatLiteLLMRouter(router=_router(two_servers)).stream("count"))
    assert all(isinstance(c, AIMessageChunk) for c in chunks)
    assert "".join(c.content for c in chunks) == "routed one two"
    assert any(c.usage_metadata for c in chunks)
    (body,) = assert_clean_bodies(first)
    assert second.hits() == 0
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}


async def test_router_async_invoke_and_stream(two_servers):
    from langchain_litellm import ChatLiteLLMRouter

    busy, spare = two_servers
    busy.enqueue_error(429, count=2)
    spare.enqueue_reply("async routed")
    spare.enqueue_reply("async routed stream")
    chat = ChatLiteLLMRouter(router=_router(two_servers))
    msg = await chat.ainvoke("hi")
    assert msg.content == "async routed"
    pieces = [c.content async for c in chat.astream("hi")]
    assert "".join(pieces) == "async routed stream"
    assert busy.hits("/chat/completions") == 2 and spare.hits("/chat/completions") == 2
    assert _keys_sent(two_servers) == {f"Bearer {KEY}"}
    bodies = assert_clean_bodies(spare)
    assert [b.get("stream", False) for b in bodies] == [False, True]
    assert_clean_bodies(busy)


async def test_embeddings_router(two_servers):
    from langchain_litellm import LiteLLMEmbeddingsRouter

    busy, spare = two_servers
    busy.enqueue_error(429, path="/embeddings")
    emb = LiteLLMEmbeddingsRouter(router=_router(two_servers, "embed", "openai/text-embedding-3-small"))
    vectors = emb.embed_documents(["alpha", "beta"])
    assert len(vectors) == 2 and all(isinstance(v, list) and v for v in vectors) and vectors[0] != vectors[1]
    one = await emb.aembed_query("gamma")
    assert isinstance(one, list) and len(one) == len(vectors[0])
    # the first call failed over to the second deployment; the second went to the preferred one
    assert busy.hits("/embeddings") == 2 and spare.hits("/embeddings") == 1
    assert _keys_sent(two_servers) == {f"Bearer {KEY}"}
    (failed_then_ok,) = assert_clean_bodies(spare)
    assert failed_then_ok["input"] == ["alpha", "beta"]
    assert failed_then_ok["model"] == "text-embedding-3-small"
    assert [b["input"] for b in assert_clean_bodies(busy)] == [["alpha", "beta"], ["gamma"]]
