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
