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


# ---------------------------------------------------------------- LiteLLMRouterModel (litellm.Router)
def _router_model(two_servers, **client_kwargs):
    from smolagents import LiteLLMRouterModel

    from conftest import ROUTING, router_model_list

    return LiteLLMRouterModel(
        model_id="agents",
        model_list=router_model_list("agents", two_servers),
        client_kwargs={"routing_strategy": ROUTING, "num_retries": 1, **client_kwargs},
    )


def test_router_model_tool_calling_agent_fails_over(two_servers, litegate_calls):
    import litegate

    busy, spare = two_servers
    busy.enqueue_error(429, count=10)  # the preferred deployment is rate limited throughout
    spare.enqueue_reply(None, tool_calls=[{"name": "get_weather", "arguments": {"city": "Oslo"}}])
    spare.enqueue_reply(None, tool_calls=[{"name": "final_answer", "arguments": {"answer": "Sunny in Oslo."}}])
    model = _router_model(two_servers)
    # smolagents builds the Router from litellm.router: in alias mode that is litegate's
    assert isinstance(model.client, litegate.Router)
    agent = ToolCallingAgent(tools=[get_weather], model=model, max_steps=3, verbosity_level=0)
    assert agent.run("What is the weather in Oslo?") == "Sunny in Oslo."
    # each model call went first to the preferred deployment, got its 429, then to the other one;
    # both carried the deployment's own key and URL although smolagents passes api_key=None and
    # api_base=None on every call (and no environment variable names either)
    assert busy.hits("/chat/completions") == 2 and spare.hits("/chat/completions") == 2
    bodies = assert_clean_bodies(spare)
    assert_clean_bodies(busy)
    assert all(r.header("authorization") == f"Bearer {KEY}" for s in two_servers for r in s.requests)
    assert {t["function"]["name"] for t in bodies[0]["tools"]} >= {"get_weather", "final_answer"}
    assert "sunny in Oslo" in json.dumps(bodies[1]["messages"])
    assert len(litegate_calls) == 2 and set(litegate_calls) == {"openai/gpt-4o-mini"}


def test_router_model_streaming(two_servers):
    first, second = two_servers
    first.enqueue_reply("routed stream works")
    model = _router_model(two_servers)
    deltas = list(model.generate_stream([{"role": "user", "content": [{"type": "text", "text": "hi"}]}]))
    assert "".join(d.content or "" for d in deltas) == "routed stream works"
    assert any(d.token_usage is not None for d in deltas)
    (body,) = assert_clean_bodies(first)
    assert second.hits() == 0  # the preferred deployment answered
    assert body["stream"] is True and body["model"] == "gpt-4o-mini"
