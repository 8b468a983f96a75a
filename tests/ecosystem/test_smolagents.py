"""smolagents (LiteLLMModel: ToolCallingAgent, CodeAgent, streaming) on litegate through the alias."""

from __future__ import annotations

import json

from smolagents import CodeAgent, LiteLLMModel, ToolCallingAgent, tool

from conftest import KEY, assert_clean_bodies


@tool
def get_weather(city: str) -> str:
    """Current weather in a city.

    Args:
        city: the city name
    """
    return f"sunny in {city}"


def _model(server):
    return LiteLLMModel(model_id="openai/gpt-4o-mini", api_key=KEY, api_base=server.base_url)


def test_tool_calling_agent(server, litegate_calls):
    server.enqueue_reply(None, tool_calls=[{"name": "get_weather", "arguments": {"city": "Paris"}}])
    server.enqueue_reply(None, tool_calls=[{"name": "final_answer", "arguments": {"answer": "It is sunny in Paris."}}])
    agent = ToolCallingAgent(tools=[get_weather], model=_model(server), max_steps=3, verbosity_level=0)
    answer = agent.run("What is the weather in Paris?")
    assert answer == "It is sunny in Paris."
    bodies = assert_clean_bodies(server)
    assert len(bodies) == 2 and len(litegate_calls) == 2
    assert {t["function"]["name"] for t in bodies[0]["tools"]} >= {"get_weather", "final_answer"}
    # the tool's result went back to the model in the second request
    assert "sunny in Paris" in json.dumps(bodies[1]["messages"])


def test_code_agent(server):
    server.enqueue_reply("Thought: compute it.\n<code>\nresult = 6 * 7\nfinal_answer(result)\n</code>")
    agent = CodeAgent(tools=[], model=_model(server), max_steps=2, verbosity_level=0)
    assert agent.run("What is 6 times 7?") == 42
    (body,) = assert_clean_bodies(server)
    assert "6 times 7" in json.dumps(body["messages"])


def test_streaming(server):
    server.enqueue_reply("streamed words arrive")
    model = _model(server)
    deltas = list(model.generate_stream([{"role": "user", "content": [{"type": "text", "text": "hi"}]}]))
    assert "".join(d.content or "" for d in deltas) == "streamed words arrive"
    assert any(d.token_usage is not None for d in deltas)
    (body,) = assert_clean_bodies(server)
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
