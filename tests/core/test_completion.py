"""completion / acompletion against the fake OpenAI server: responses, and exactly what was sent."""

from __future__ import annotations

import json

import pytest
from _core_helpers import KEY, user_messages
from pydantic import BaseModel

import litegate

MODEL = "gpt-4o-mini"

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}},
            "required": ["city"],
        },
    },
}


def _call(server, **kw):
    kw.setdefault("api_key", KEY)
    kw.setdefault("api_base", server.base_url)
    kw.setdefault("messages", user_messages())
    return litegate.completion(kw.pop("model", MODEL), **kw)


# --------------------------------------------------------------------------------- responses


def test_sync_completion_content_and_shapes(server):
    server.enqueue_reply("The sea is wide.", usage={"prompt_tokens": 11, "completion_tokens": 4})
    resp = _call(server)

    assert isinstance(resp, litegate.ModelResponse)
    assert resp.choices[0].message.content == "The sea is wide."
    assert resp.choices[0].message.role == "assistant"
    assert resp.choices[0].finish_reason == "stop"
    # dict access and .get mirror attribute access
    assert resp["choices"][0]["message"]["content"] == "The sea is wide."
    assert resp.get("choices")[0].get("message").get("content") == "The sea is wide."
    assert resp.get("no_such_field", "fallback") == "fallback"
    # usage is what the server reported
    assert resp.usage.prompt_tokens == 11
    assert resp.usage.completion_tokens == 4
    assert resp.usage.total_tokens == 15
    assert resp["usage"]["total_tokens"] == 15
    # serialisation
    dumped = resp.model_dump()
    assert dumped["choices"][0]["message"]["content"] == "The sea is wide."
    assert dumped["usage"]["prompt_tokens"] == 11
    assert json.loads(json.dumps(resp.json()))["choices"][0]["message"]["content"] == "The sea is wide."
    assert resp.model == MODEL
    assert resp.id and resp.object == "chat.completion"


def test_hidden_params_name_provider_base_and_model(server):
    resp = _call(server)
    hidden = resp._hidden_params
    assert hidden["custom_llm_provider"] == "openai"
    assert hidden["api_base"] == server.base_url
    assert hidden["model"] == MODEL


def test_openai_prefix_with_custom_base_sends_bare_model(server):
    resp = _call(server, model="openai/my-local-model")
    assert server.last_request.json["model"] == "my-local-model"
    assert server.last_request.path == "/v1/chat/completions"
    assert resp._hidden_params["custom_llm_provider"] == "openai"
    assert resp._hidden_params["model"] == "my-local-model"


def test_request_goes_to_chat_completions_with_bearer_key(server):
    _call(server)
    req = server.last_request
    assert req.method == "POST"
    assert req.path == "/v1/chat/completions"
    assert req.header("authorization") == f"Bearer {KEY}"
    assert req.header("content-type", "").startswith("application/json")
    assert server.hits() == 1


async def test_async_completion(server):
    server.enqueue_reply("async answer", usage={"prompt_tokens": 3, "completion_tokens": 2})
    resp = await litegate.acompletion(MODEL, user_messages(), api_key=KEY, api_base=server.base_url, temperature=0.2)
    assert resp.choices[0].message.content == "async answer"
    assert resp.usage.total_tokens == 5
    assert resp._hidden_params["custom_llm_provider"] == "openai"
    assert resp._hidden_params["api_base"] == server.base_url
    req = server.last_request
    assert req.json["temperature"] == 0.2
    assert req.header("authorization") == f"Bearer {KEY}"


async def test_async_completions_run_concurrently(server):
    import asyncio

    texts = [f"question number {i}" for i in range(8)]
    results = await asyncio.gather(
        *[litegate.acompletion(MODEL, user_messages(t), api_key=KEY, api_base=server.base_url) for t in texts]
    )
    assert server.hits("/chat/completions") == len(texts)
    received = sorted(r.json["messages"][0]["content"] for r in server.requests)
    assert received == sorted(texts)
    for text, resp in zip(texts, results, strict=False):
        # the default fake reply quotes the last user message: each answer belongs to its question
        assert text in resp.choices[0].message.content


# --------------------------------------------------------------------------------- what is sent


def test_body_contains_exactly_the_given_openai_params(server):
    params = {
        "temperature": 0.3,
        "top_p": 0.9,
        "max_tokens": 50,
        "n": 2,
        "stop": ["\n\n", "END"],
        "presence_penalty": 0.5,
        "frequency_penalty": -0.5,
        "seed": 1234,
        "logprobs": True,
        "top_logprobs": 3,
        "user": "user-42",
        "logit_bias": {"50256": -100},
        "response_format": {"type": "json_object"},
        "tools": [WEATHER_TOOL],
        "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
        "parallel_tool_calls": False,
    }
    messages = user_messages("What is the weather in Oslo?")
    _call(server, messages=messages, **params)
    body = server.last_request.json
    expected = {"model": MODEL, "messages": messages, **params}
    assert body == expected


def test_none_valued_params_are_absent(server):
    _call(
        server,
        temperature=None,
        max_tokens=None,
        n=None,
        stop=None,
        tools=None,
        tool_choice=None,
        response_format=None,
        seed=None,
        user=None,
        logit_bias=None,
        stream_options=None,
        top_p=None,
    )
    body = server.last_request.json
    assert set(body) == {"model", "messages"}


def test_control_params_are_never_sent(server):
    _call(server, metadata={"trace": "t-1"}, num_retries=1, timeout=30, organization="org-x", temperature=0)
    body = server.last_request.json
    assert body == {"model": MODEL, "messages": user_messages(), "temperature": 0}
    for name in ("api_key", "api_base", "metadata", "num_retries", "timeout", "organization", "mock_response"):
        assert name not in body


def test_extra_provider_kwargs_pass_through(server):
    _call(server, top_k=40, repetition_penalty=1.1, safe_prompt=True)
    body = server.last_request.json
    assert body == {
        "model": MODEL,
        "messages": user_messages(),
        "top_k": 40,
        "repetition_penalty": 1.1,
        "safe_prompt": True,
    }


def test_extra_body_is_merged_into_request_body(server):
    # litellm / the openai SDK: extra_body's keys go into the JSON body as they are
    _call(server, extra_body={"guided_choice": ["yes", "no"]})
    body = server.last_request.json
    assert body.get("guided_choice") == ["yes", "no"]
    assert "extra_body" not in body


def test_extra_headers_reach_the_server(server):
    _call(server, extra_headers={"X-Trace-Id": "trace-123"})
    assert server.last_request.header("x-trace-id") == "trace-123"
    assert server.last_request.header("authorization") == f"Bearer {KEY}"


def test_stream_options_sent_with_stream(server):
    stream = _call(server, stream=True, stream_options={"include_usage": True})
    list(stream)
    body = server.last_request.json
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}


def test_multimodal_content_list_passes_through_unchanged(server):
    messages = [
        {"role": "system", "content": "You describe images."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is in this image?"},
                {"type": "image_url", "image_url": {"url": "https://example.com/cat.png", "detail": "low"}},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
            ],
        },
    ]
    sent = json.loads(json.dumps(messages))
    resp = _call(server, messages=messages)
    assert server.last_request.json["messages"] == sent
    assert messages == sent  # the caller's list was not modified
    assert resp.choices[0].message.content


def test_tool_messages_with_tool_call_id_pass_through(server):
    messages = [
        {"role": "user", "content": "What is the weather in Oslo?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_abc123",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
                },
            ],
        },
        {"role": "tool", "tool_call_id": "call_abc123", "content": '{"temp_c": 4}'},
    ]
    server.enqueue_reply("It is 4 degrees in Oslo.")
    resp = _call(server, messages=messages, tools=[WEATHER_TOOL])
    body = server.last_request.json
    assert body["messages"] == messages
    assert body["messages"][2]["tool_call_id"] == "call_abc123"
    assert resp.choices[0].message.content == "It is 4 degrees in Oslo."


def test_tool_call_response_is_parsed(server):
    server.enqueue_reply(None, tool_calls=[{"name": "get_weather", "arguments": {"city": "Oslo", "unit": "c"}}])
    resp = _call(server, tools=[WEATHER_TOOL], messages=user_messages("weather in Oslo?"))
    choice = resp.choices[0]
    assert choice.finish_reason == "tool_calls"
    calls = choice.message.tool_calls
    assert len(calls) == 1
    assert calls[0].type == "function"
    assert calls[0].id
    assert calls[0].function.name == "get_weather"
    assert json.loads(calls[0].function.arguments) == {"city": "Oslo", "unit": "c"}
    assert resp["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "get_weather"


def test_pydantic_message_objects_are_accepted(server):
    server.enqueue_reply("first")
    first = _call(server)
    history = user_messages() + [first.choices[0].message] + user_messages("and then?")
    _call(server, messages=history)
    sent = server.last_request.json["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert sent[1]["content"] == "first"


@pytest.mark.parametrize("n", [2, 3])
def test_n_gives_n_choices(server, n):
    resp = _call(server, n=n)
    assert server.last_request.json["n"] == n
    assert len(resp.choices) == n
    assert [c.index for c in resp.choices] == list(range(n))
    assert all(c.message.content for c in resp.choices)


class CalendarEvent(BaseModel):
    name: str
    date: str
    participants: list[str]


def test_pydantic_response_format_becomes_json_schema(server):
    server.enqueue_reply('{"name": "fair", "date": "Friday", "participants": ["Alice", "Bob"]}')
    resp = _call(server, response_format=CalendarEvent)
    rf = server.last_request.json["response_format"]
    assert rf["type"] == "json_schema"
    schema = rf["json_schema"]["schema"]
    expected = CalendarEvent.model_json_schema()
    assert schema["properties"] == expected["properties"]
    assert set(schema["required"]) == set(expected["required"])
    assert rf["json_schema"]["name"]
    parsed = CalendarEvent.model_validate_json(resp.choices[0].message.content)
    assert parsed.participants == ["Alice", "Bob"]


def test_max_completion_tokens_and_reasoning_model_rename(server):
    _call(server, model="o3-mini", max_tokens=20)
    body = server.last_request.json
    # reasoning models take max_completion_tokens; the value is what the caller asked for
    assert body.get("max_completion_tokens") == 20
    assert "max_tokens" not in body
