"""The OpenAI Agents SDK (LitellmModel) on litegate through the alias. It passes litellm's
``_skip_mcp_handler=True`` whenever tools are given: it must never reach the provider."""

from __future__ import annotations

import json

from agents import Agent, Runner, function_tool, set_tracing_disabled
from agents.extensions.models.litellm_model import LitellmModel

from conftest import KEY, assert_clean_bodies

set_tracing_disabled(True)  # no trace export over the network


@function_tool
def get_weather(city: str) -> str:
    """Current weather in a city."""
    return f"sunny in {city}"


def _agent(server) -> Agent:
    return Agent(
        name="weather",
        instructions="Answer briefly.",
        tools=[get_weather],
        model=LitellmModel(model="openai/gpt-4o-mini", base_url=server.base_url, api_key=KEY),
    )


async def test_agent_with_a_tool(server, litegate_calls):
    server.enqueue_reply(None, tool_calls=[{"name": "get_weather", "arguments": {"city": "Paris"}}])
    server.enqueue_reply("It is sunny in Paris.")
    result = await Runner.run(_agent(server), "Weather in Paris?")
    assert result.final_output == "It is sunny in Paris."
    bodies = assert_clean_bodies(server)
    assert len(bodies) == 2 and len(litegate_calls) == 2
    assert all("_skip_mcp_handler" not in b for b in bodies)
    assert bodies[0]["tools"][0]["function"]["name"] == "get_weather"
    assert "sunny in Paris" in json.dumps(bodies[1]["messages"])


async def test_agent_streaming(server):
    server.enqueue_reply("Streamed reply.")
    result = Runner.run_streamed(_agent(server), "Say something")
    deltas = []
    async for event in result.stream_events():
        if event.type == "raw_response_event" and getattr(event.data, "type", "") == "response.output_text.delta":
            deltas.append(event.data.delta)
    assert "".join(deltas) == "Streamed reply."
    assert result.final_output == "Streamed reply."
    (body,) = assert_clean_bodies(server)
    assert body["stream"] is True
