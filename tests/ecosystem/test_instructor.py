"""instructor (from_litellm) on litegate through the alias: structured output from a tool call."""

from __future__ import annotations

import instructor
import litellm
from pydantic import BaseModel

from conftest import KEY, assert_clean_bodies


class City(BaseModel):
    name: str
    country: str


def test_from_litellm_response_model(server, litegate_calls):
    server.enqueue_reply(None, tool_calls=[{"name": "City", "arguments": {"name": "Paris", "country": "France"}}])
    client = instructor.from_litellm(litellm.completion)
    city = client.chat.completions.create(
        model="openai/gpt-4o-mini",
        response_model=City,
        api_key=KEY,
        api_base=server.base_url,
        messages=[{"role": "user", "content": "Capital of France?"}],
    )
    assert city.model_dump() == {"name": "Paris", "country": "France"}
    assert litegate_calls
    (body,) = assert_clean_bodies(server)
    assert body["tools"][0]["function"]["name"] == "City"


async def test_async_from_litellm(server):
    server.enqueue_reply(None, tool_calls=[{"name": "City", "arguments": {"name": "Rome", "country": "Italy"}}])
    client = instructor.from_litellm(litellm.acompletion)
    city = await client.chat.completions.create(
        model="openai/gpt-4o-mini",
        response_model=City,
        api_key=KEY,
        api_base=server.base_url,
        messages=[{"role": "user", "content": "Capital of Italy?"}],
    )
    assert city.model_dump() == {"name": "Rome", "country": "Italy"}
    assert_clean_bodies(server)
