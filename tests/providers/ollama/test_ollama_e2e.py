"""End to end against the fake Ollama server over real sockets: sync, async and streaming calls
through ``litegate.completion`` / ``acompletion`` / ``embedding``, tools, images, JSON output,
thinking, errors and stream faults, credentials and parameter rules."""

from __future__ import annotations

import json
import logging

import pytest
from _ollama_helpers import TOOL, transcript, user

import litegate

CHAT = "ollama_chat/llama3.2"
GEN = "ollama/llama3.2"
SKY = "why is the sky blue?"


def _text(chunks) -> str:
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


def _png_b64() -> str:
    return transcript("chat_images.json")["request"]["messages"][0]["images"][0]


# ------------------------------------------------------------------------- chat


def test_chat_sync(ollama):
    r = litegate.completion(model=CHAT, messages=user(SKY), api_base=ollama.url)
    assert r.choices[0].message.content == "This is a fake reply to: " + SKY
    assert r.choices[0].finish_reason == "stop"
    assert r.usage.completion_tokens > 0 and r.usage.prompt_tokens > 0
    assert r.model == "llama3.2"
    assert r._hidden_params["custom_llm_provider"] == "ollama_chat"
    assert r._hidden_params["api_base"] == ollama.url
    rec = ollama.last_request
    assert rec.path == "/api/chat"
    assert rec.json == {"model": "llama3.2", "messages": user(SKY), "stream": False}
    assert "authorization" not in rec.headers  # no key: no header (local Ollama needs none)


async def test_chat_async(ollama):
    r = await litegate.acompletion(model=CHAT, messages=user(SKY), api_base=ollama.url)
    assert r.choices[0].message.content == "This is a fake reply to: " + SKY


def test_chat_stream_sync(ollama):
    chunks = list(
        litegate.completion(
            model=CHAT, messages=user(SKY), api_base=ollama.url, stream=True, stream_options={"include_usage": True}
        )
    )
    assert len(chunks) > 3
    assert chunks[0].choices[0].delta.role == "assistant"
    assert all(c.choices[0].delta.role is None for c in chunks[1:])
    assert _text(chunks) == "This is a fake reply to: " + SKY
    assert [c.choices[0].finish_reason for c in chunks] == [None] * (len(chunks) - 1) + ["stop"]
    assert chunks[-1].usage.completion_tokens == len(chunks) - 1
    assert ollama.last_request.json["stream"] is True
    rebuilt = litegate.stream_chunk_builder(chunks)
    assert rebuilt.choices[0].message.content == "This is a fake reply to: " + SKY
    assert rebuilt.usage.completion_tokens == chunks[-1].usage.completion_tokens


async def test_chat_stream_async(ollama):
    resp = await litegate.acompletion(model=CHAT, messages=user(SKY), api_base=ollama.url, stream=True)
    chunks = [c async for c in resp]
    assert _text(chunks) == "This is a fake reply to: " + SKY
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].usage is None  # no include_usage


def test_system_and_multi_turn_messages(ollama):
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "Hello!"},
        {"role": "developer", "content": "No emoji."},
        {"role": "user", "content": [{"type": "text", "text": "part one"}, {"type": "text", "text": "two"}]},
    ]
    litegate.completion(model=CHAT, messages=messages, api_base=ollama.url)
    assert ollama.last_request.json["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "Hello!"},
        {"role": "system", "content": "No emoji."},
        {"role": "user", "content": "part one\ntwo"},
    ]


# ------------------------------------------------------------------------- generate


def test_generate_sync_async_stream(ollama):
    r = litegate.completion(model=GEN, messages=user(SKY), api_base=ollama.url)
    assert r.choices[0].message.content == "This is a fake reply to: " + SKY
    assert ollama.last_request.path == "/api/generate"
    chunks = list(
        litegate.completion(
            model=GEN, messages=user(SKY), api_base=ollama.url, stream=True, stream_options={"include_usage": True}
        )
    )
    assert _text(chunks) == r.choices[0].message.content
    assert chunks[-1].usage.prompt_tokens == r.usage.prompt_tokens


async def test_generate_async(ollama):
    r = await litegate.acompletion(model=GEN, messages=user(SKY), api_base=ollama.url)
    assert r.choices[0].message.content.endswith(SKY)
    resp = await litegate.acompletion(model=GEN, messages=user(SKY), api_base=ollama.url, stream=True)
    assert _text([c async for c in resp]) == r.choices[0].message.content


def test_generate_prompt_rule(ollama):
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "What is the weather in Paris?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "18C"},
        {"role": "system", "content": "Answer in French."},
    ]
    litegate.completion(model=GEN, messages=messages, api_base=ollama.url)
    body = ollama.last_request.json
    assert body["system"] == "Be brief.\n\nAnswer in French."
    assert body["prompt"] == (
        "### User:\nWhat is the weather in Paris?\n\n"
        '### Assistant:\nTool call: get_weather({"city": "Paris"})\n\n'
        "### Tool result (get_weather):\n18C\n\n"
        "### Assistant:\n"
    )


def test_generate_prompt_ends_with_a_trailing_assistant_message_to_continue(ollama):
    messages = [{"role": "user", "content": "Count to three."}, {"role": "assistant", "content": "One, two,"}]
    litegate.completion(model=GEN, messages=messages, api_base=ollama.url)
    body = ollama.last_request.json
    assert body["prompt"] == "### User:\nCount to three.\n\n### Assistant:\nOne, two,"
    assert "system" not in body


def test_generate_only_system_is_the_prompt(ollama):
    litegate.completion(model=GEN, messages=[{"role": "system", "content": "Say hi."}], api_base=ollama.url)
    body = ollama.last_request.json
    assert body["prompt"] == "Say hi." and "system" not in body


def test_generate_images_from_several_messages(ollama):
    b64 = _png_b64()
    img = {"type": "image_url", "image_url": {"url": "data:image/png;base64," + b64}}
    messages = [
        {"role": "user", "content": [{"type": "text", "text": "first"}, img]},
        {"role": "assistant", "content": "ok"},
        {"role": "user", "content": [img, {"type": "text", "text": "second"}]},
    ]
    litegate.completion(model="ollama/llava", messages=messages, api_base=ollama.url)
    assert ollama.last_request.json["images"] == [b64, b64]


# ------------------------------------------------------------------------- tools


def test_tools_round_trip(ollama):
    messages = user("What is the weather in Tokyo?")
    r = litegate.completion(model=CHAT, messages=messages, tools=[TOOL], api_base=ollama.url)
    assert r.choices[0].finish_reason == "tool_calls"
    [tc] = r.choices[0].message.tool_calls
    assert tc.function.name == "get_weather"
    args = json.loads(tc.function.arguments)
    assert args == {"city": "San Francisco, CA"}
    messages = messages + [r.choices[0].message, {"role": "tool", "tool_call_id": tc.id, "content": "18C"}]
    ollama.enqueue_reply("It is 18C in Tokyo.")
    r2 = litegate.completion(model=CHAT, messages=messages, tools=[TOOL], api_base=ollama.url)
    assert r2.choices[0].message.content == "It is 18C in Tokyo."
    sent = ollama.last_request.json["messages"]
    assert sent[1] == {"role": "assistant", "tool_calls": [{"function": {"name": "get_weather", "arguments": args}}]}
    assert sent[2] == {"role": "tool", "content": "18C", "tool_name": "get_weather"}


def test_streamed_tool_calls_round_trip(ollama):
    ollama.enqueue_reply(
        None,
        tool_calls=[
            {"name": "get_weather", "arguments": {"city": "Tokyo"}},
            {"name": "get_weather", "arguments": {"city": "Paris"}},
        ],
    )
    chunks = list(
        litegate.completion(model=CHAT, messages=user("weather?"), tools=[TOOL], api_base=ollama.url, stream=True)
    )
    rebuilt = litegate.stream_chunk_builder(chunks)
    calls = rebuilt.choices[0].message.tool_calls
    assert [json.loads(c.function.arguments)["city"] for c in calls] == ["Tokyo", "Paris"]
    assert rebuilt.choices[0].finish_reason == "tool_calls"
    messages = (
        user("weather?")
        + [rebuilt.choices[0].message.model_dump(exclude_none=True)]
        + [{"role": "tool", "tool_call_id": c.id, "content": f"{i}C"} for i, c in enumerate(calls)]
    )
    litegate.completion(model=CHAT, messages=messages, api_base=ollama.url)
    sent = ollama.last_request.json["messages"]
    assert [m.get("tool_name") for m in sent[2:]] == ["get_weather", "get_weather"]
    assert [tc["function"]["arguments"] for tc in sent[1]["tool_calls"]] == [{"city": "Tokyo"}, {"city": "Paris"}]


async def test_tools_async(ollama):
    r = await litegate.acompletion(model=CHAT, messages=user("call get_weather"), tools=[TOOL], api_base=ollama.url)
    assert r.choices[0].message.tool_calls[0].function.name == "get_weather"


def test_legacy_functions_become_tools(ollama):
    litegate.completion(model=CHAT, messages=user("hi"), functions=[TOOL["function"]], api_base=ollama.url)
    assert ollama.last_request.json["tools"] == [TOOL]


def test_tool_choice_none_sends_no_tools(ollama):
    litegate.completion(model=CHAT, messages=user("weather?"), tools=[TOOL], tool_choice="none", api_base=ollama.url)
    assert "tools" not in ollama.last_request.json


def test_tool_choice_required_is_best_effort_with_a_warning(ollama, caplog):
    with caplog.at_level(logging.WARNING, logger="litegate"):
        litegate.completion(model=CHAT, messages=user("hi"), tools=[TOOL], tool_choice="required", api_base=ollama.url)
    assert ollama.last_request.json["tools"] == [TOOL]
    assert "cannot force a tool call" in caplog.text


def test_named_tool_choice_narrows_the_tools_with_a_warning(ollama, caplog):
    other = {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object", "properties": {}}}}
    with caplog.at_level(logging.WARNING, logger="litegate"):
        litegate.completion(
            model=CHAT,
            messages=user("hi"),
            tools=[TOOL, other],
            api_base=ollama.url,
            tool_choice={"type": "function", "function": {"name": "get_time"}},
        )
    assert ollama.last_request.json["tools"] == [other]
    assert "get_time" in caplog.text
    with pytest.raises(litegate.BadRequestError, match="not in tools"):
        litegate.completion(
            model=CHAT,
            messages=user("hi"),
            tools=[TOOL],
            api_base=ollama.url,
            tool_choice={"type": "function", "function": {"name": "nope"}},
        )


def test_strict_and_parallel_false_are_warned_not_silently_dropped(ollama, caplog):
    strict = {"type": "function", "function": dict(TOOL["function"], strict=True)}
    with caplog.at_level(logging.WARNING, logger="litegate"):
        litegate.completion(
            model=CHAT, messages=user("hi"), tools=[strict], parallel_tool_calls=False, api_base=ollama.url
        )
    assert ollama.last_request.json["tools"] == [TOOL]
    assert "strict" in caplog.text and "parallel" in caplog.text


def test_tool_without_parameters_gets_an_empty_object_schema(ollama):
    bare = {"type": "function", "function": {"name": "ping"}}
    litegate.completion(model=CHAT, messages=user("hi"), tools=[bare], api_base=ollama.url)
    assert ollama.last_request.json["tools"] == [
        {"type": "function", "function": {"name": "ping", "parameters": {"type": "object", "properties": {}}}}
    ]


def test_non_function_tools_are_rejected_before_any_request(ollama):
    with pytest.raises(litegate.BadRequestError, match="function tools only"):
        litegate.completion(model=CHAT, messages=user("hi"), tools=[{"type": "web_search"}], api_base=ollama.url)
    assert ollama.hits() == 0


def test_invalid_tool_arguments_in_history_are_rejected(ollama):
    messages = [
        {"role": "user", "content": "x"},
        {
            "role": "assistant",
            "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{broken"}}],
        },
        {"role": "tool", "tool_call_id": "c", "content": "r"},
    ]
    with pytest.raises(litegate.BadRequestError, match="not valid JSON"):
        litegate.completion(model=CHAT, messages=messages, api_base=ollama.url)
    assert ollama.hits() == 0


# ------------------------------------------------------------------------- images, JSON, thinking


def test_images_e2e(ollama):
    b64 = _png_b64()
    messages = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "what is this?"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64," + b64}},
            ],
        }
    ]
    r = litegate.completion(model="ollama_chat/llava", messages=messages, api_base=ollama.url)
    assert r.choices[0].message.content
    assert ollama.last_request.json["messages"][0]["images"] == [b64]


def test_web_image_urls_are_not_fetched(ollama):
    messages = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "what is this?"},
                {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}},
            ],
        }
    ]
    with pytest.raises(litegate.BadRequestError, match="does not download image URLs"):
        litegate.completion(model="ollama_chat/llava", messages=messages, api_base=ollama.url)
    with pytest.raises(litegate.BadRequestError, match="does not download image URLs"):
        litegate.completion(model="ollama/llava", messages=messages, api_base=ollama.url)
    assert ollama.hits() == 0


@pytest.mark.parametrize(
    "part",
    [
        {"type": "image_url", "image_url": {"url": "data:image/png,rawbytes"}},
        {"type": "image_url", "image_url": {"url": "not base64 at all!"}},
        {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}},
    ],
)
def test_other_parts_fail_clearly(ollama, part):
    with pytest.raises(litegate.BadRequestError):
        litegate.completion(
            model="ollama_chat/llava", messages=[{"role": "user", "content": [part]}], api_base=ollama.url
        )
    assert ollama.hits() == 0


def test_json_mode_and_schema(ollama):
    r = litegate.completion(
        model=CHAT, messages=user("json please"), response_format={"type": "json_object"}, api_base=ollama.url
    )
    assert isinstance(json.loads(r.choices[0].message.content), dict)
    schema = transcript("chat_structured_outputs.json")["request"]["format"]
    r = litegate.completion(
        model=CHAT,
        messages=user("age?"),
        api_base=ollama.url,
        response_format={"type": "json_schema", "json_schema": {"name": "a", "schema": schema}},
    )
    assert set(json.loads(r.choices[0].message.content)) == {"age", "available"}
    r = litegate.completion(model=CHAT, messages=user("plain"), response_format={"type": "text"}, api_base=ollama.url)
    assert "format" not in ollama.last_request.json


def test_thinking_e2e(ollama):
    r = litegate.completion(
        model="ollama_chat/qwen3", messages=user("How many r in strawberry?"), think=True, api_base=ollama.url
    )
    assert r.choices[0].message.reasoning_content.startswith("Let me think")
    chunks = list(
        litegate.completion(
            model="ollama_chat/qwen3",
            messages=user("How many r?"),
            reasoning_effort="high",
            api_base=ollama.url,
            stream=True,
        )
    )
    assert ollama.last_request.json["think"] == "high"
    rebuilt = litegate.stream_chunk_builder(chunks)
    assert rebuilt.choices[0].message.reasoning_content.startswith("Let me think")
    assert rebuilt.choices[0].message.content.startswith("This is a fake reply")


@pytest.mark.parametrize("effort,think", [("none", False), ("minimal", "low"), ("medium", "medium")])
def test_reasoning_effort_levels(ollama, effort, think):
    litegate.completion(model="ollama_chat/qwen3", messages=user("x"), reasoning_effort=effort, api_base=ollama.url)
    assert ollama.last_request.json["think"] == think
    assert type(ollama.last_request.json["think"]) is type(think)


def test_max_tokens_gives_length(ollama):
    r = litegate.completion(model=CHAT, messages=user("tell me a long story please"), max_tokens=2, api_base=ollama.url)
    assert r.choices[0].finish_reason == "length"
    assert r.usage.completion_tokens == 2


# ------------------------------------------------------------------------- embeddings


def test_embeddings_e2e(ollama):
    r = litegate.embedding(model="ollama/all-minilm", input="Why is the sky blue?", api_base=ollama.url)
    assert len(r.data) == 1 and len(r.data[0].embedding) == ollama.embedding_dims
    assert r.usage.prompt_tokens > 0
    r = litegate.embedding(model="ollama/all-minilm", input=["a", "b"], dimensions=4, api_base=ollama.url)
    assert [len(d.embedding) for d in r.data] == [4, 4]
    assert [d.index for d in r.data] == [0, 1]
    r = litegate.embedding(model="ollama/all-minilm", input="a", encoding_format="base64", api_base=ollama.url)
    assert isinstance(r.data[0].embedding, str)
    assert "encoding_format" not in ollama.last_request.json


async def test_embeddings_async_and_chat_prefix(ollama):
    r = await litegate.aembedding(model="ollama_chat/all-minilm", input=["x"], api_base=ollama.url)
    assert len(r.data) == 1
    assert ollama.last_request.path == "/api/embed"


def test_embedding_token_ids_and_user_rules(ollama):
    with pytest.raises(litegate.BadRequestError, match="embeds text"):
        litegate.embedding(model="ollama/all-minilm", input=[[1, 2, 3]], api_base=ollama.url)
    with pytest.raises(litegate.UnsupportedParamsError):
        litegate.embedding(model="ollama/all-minilm", input="x", user="u1", api_base=ollama.url)
    assert ollama.hits() == 0
    litegate.embedding(model="ollama/all-minilm", input="x", user="u1", drop_params=True, api_base=ollama.url)
    assert "user" not in ollama.last_request.json


# ------------------------------------------------------------------------- errors


def test_model_not_found_is_not_found_error():
    from litegate.testing import FakeOllamaServer

    with FakeOllamaServer(models=["llama3.2"]) as srv:
        with pytest.raises(litegate.NotFoundError) as e:
            litegate.completion(model="ollama_chat/llama9", messages=user("x"), api_base=srv.url)
        assert 'model "llama9" not found, try pulling it first' in str(e.value)
        assert e.value.llm_provider == "ollama_chat" and e.value.model == "llama9"
        with pytest.raises(litegate.NotFoundError):
            list(litegate.completion(model="ollama/llama9", messages=user("x"), api_base=srv.url, stream=True))
        with pytest.raises(litegate.NotFoundError):
            litegate.embedding(model="ollama/llama9", input="x", api_base=srv.url)
        assert litegate.completion(model="ollama_chat/llama3.2:latest", messages=user("x"), api_base=srv.url)


@pytest.mark.parametrize(
    "status,cls",
    [
        (400, litegate.BadRequestError),
        (401, litegate.AuthenticationError),
        (429, litegate.RateLimitError),
        (500, litegate.InternalServerError),
        (502, litegate.BadGatewayError),
    ],
)
def test_injected_errors_are_mapped(ollama, status, cls):
    ollama.enqueue_error(status)
    with pytest.raises(cls) as e:
        litegate.completion(model=CHAT, messages=user("x"), api_base=ollama.url, num_retries=0)
    assert e.value.llm_provider == "ollama_chat"


async def test_errors_async_and_retry(ollama):
    ollama.enqueue_error(500, message="the model failed to generate a response")
    r = await litegate.acompletion(model=CHAT, messages=user("x"), api_base=ollama.url, num_retries=1)
    assert r.choices[0].message.content
    assert ollama.hits("/api/chat") == 2
    ollama.enqueue_error(404, model="llama3.2")
    with pytest.raises(litegate.NotFoundError, match="try pulling it first"):
        await litegate.acompletion(model=CHAT, messages=user("x"), api_base=ollama.url, num_retries=2)
    assert ollama.hits("/api/chat") == 3  # not retried


@pytest.mark.parametrize("model", [CHAT, GEN])
@pytest.mark.parametrize(
    "fault,cls",
    [
        ("cut_stream", litegate.APIConnectionError),
        ("malformed_stream", litegate.APIResponseValidationError),
        ("stream_error_event", litegate.APIError),
        ("no_done", litegate.APIConnectionError),
    ],
)
def test_stream_faults_raise_typed_errors(ollama, model, fault, cls):
    ollama.enqueue_fault(fault)
    got = []
    with pytest.raises(cls) as e:
        for c in litegate.completion(
            model=model, messages=user("one two three four"), api_base=ollama.url, stream=True
        ):
            got.append(c)
    assert e.value.llm_provider == model.split("/")[0]
    if fault == "stream_error_event":
        assert "an error was encountered while running the model" in str(e.value)
        assert got and got[0].choices[0].delta.role == "assistant"


@pytest.mark.parametrize(
    "fault,cls",
    [
        ("cut_stream", litegate.APIConnectionError),
        ("malformed_stream", litegate.APIResponseValidationError),
        ("stream_error_event", litegate.APIError),
        ("no_done", litegate.APIConnectionError),
    ],
)
async def test_stream_faults_async(ollama, fault, cls):
    ollama.enqueue_fault(fault)
    resp = await litegate.acompletion(model=CHAT, messages=user("one two three"), api_base=ollama.url, stream=True)
    with pytest.raises(cls):
        async for _ in resp:
            pass


def test_connection_reset_is_a_connection_error(ollama):
    ollama.enqueue_fault("reset")
    with pytest.raises(litegate.APIConnectionError):
        litegate.completion(model=CHAT, messages=user("x"), api_base=ollama.url, num_retries=0)
    ollama.enqueue_fault("reset")
    assert litegate.completion(model=CHAT, messages=user("x"), api_base=ollama.url, num_retries=1)


def test_a_server_that_is_not_there():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(litegate.APIConnectionError):
        litegate.completion(
            model=CHAT, messages=user("x"), api_base=f"http://127.0.0.1:{port}", timeout=5, num_retries=0
        )


# ------------------------------------------------------------------------- base URL and key


def test_ollama_api_base_env_is_honoured(ollama, monkeypatch):
    monkeypatch.setenv("OLLAMA_API_BASE", ollama.url)
    r = litegate.completion(model=CHAT, messages=user("x"))
    assert r._hidden_params["api_base"] == ollama.url
    litegate.embedding(model="ollama/all-minilm", input="x")
    assert ollama.hits() == 2


def test_default_base_and_per_call_priority(ollama, monkeypatch):
    assert litegate.get_llm_provider("ollama/llama3.2") == ("llama3.2", "ollama", None, "http://localhost:11434")
    assert litegate.get_llm_provider("ollama_chat/llama3.2")[3] == "http://localhost:11434"
    monkeypatch.setenv("OLLAMA_API_BASE", "http://127.0.0.1:9")  # nothing listens there
    litegate.completion(model=CHAT, messages=user("x"), api_base=ollama.url)
    assert ollama.hits() == 1


def test_api_base_with_the_endpoint_path(ollama):
    litegate.completion(model=CHAT, messages=user("x"), api_base=ollama.url + "/api/chat")
    litegate.completion(model=GEN, messages=user("x"), api_base=ollama.url + "/api/generate/")
    litegate.embedding(model="ollama/all-minilm", input="x", api_base=ollama.url + "/api/chat")
    assert [r.path for r in ollama.requests] == ["/api/chat", "/api/generate", "/api/embed"]


def test_ollama_api_key_env_is_sent_as_bearer(monkeypatch):
    from litegate.testing import FakeOllamaServer

    with FakeOllamaServer(require_key="ollama-key-123") as srv:
        with pytest.raises(litegate.AuthenticationError, match="unauthorized"):
            litegate.completion(model=CHAT, messages=user("x"), api_base=srv.url)
        monkeypatch.setenv("OLLAMA_API_KEY", "ollama-key-123")
        litegate.completion(model=CHAT, messages=user("x"), api_base=srv.url)
        assert srv.last_request.header("authorization") == "Bearer ollama-key-123"
        litegate.embedding(model="ollama/all-minilm", input="x", api_base=srv.url)
        assert srv.last_request.header("authorization") == "Bearer ollama-key-123"
        monkeypatch.delenv("OLLAMA_API_KEY")
        litegate.completion(
            model=GEN, messages=user("x"), api_base=srv.url, api_key="ollama-key-123", extra_headers={"X-Trace": "t1"}
        )
        assert srv.last_request.header("authorization") == "Bearer ollama-key-123"
        assert srv.last_request.header("x-trace") == "t1"


# ------------------------------------------------------------------------- parameter rules


@pytest.mark.parametrize("kw", [{"user": "u1"}, {"logit_bias": {"1": 2}}, {"n": 2}, {"service_tier": "auto"}])
def test_unsupported_params_raise_before_any_request(ollama, kw):
    with pytest.raises(litegate.UnsupportedParamsError) as e:
        litegate.completion(model=CHAT, messages=user("x"), api_base=ollama.url, **kw)
    assert next(iter(kw)) in str(e.value)
    assert ollama.hits() == 0
    litegate.completion(model=CHAT, messages=user("x"), api_base=ollama.url, drop_params=True, **kw)
    body = ollama.last_request.json
    assert set(body) == {"model", "messages", "stream"}


def test_module_drop_params(ollama):
    litegate.drop_params = True
    litegate.completion(model=CHAT, messages=user("x"), api_base=ollama.url, user="u", n=1)
    assert set(ollama.last_request.json) == {"model", "messages", "stream"}


def test_tools_on_generate_point_to_ollama_chat(ollama):
    with pytest.raises(litegate.UnsupportedParamsError, match="ollama_chat"):
        litegate.completion(model=GEN, messages=user("x"), tools=[TOOL], api_base=ollama.url)
    assert ollama.hits() == 0
    litegate.completion(
        model=GEN, messages=user("x"), tools=[TOOL], tool_choice="auto", drop_params=True, api_base=ollama.url
    )
    assert "tools" not in ollama.last_request.json


def test_supported_params_lists():
    from litegate.providers import get_provider

    chat = get_provider("ollama_chat").supported_openai_params("llama3.2")
    gen = get_provider("ollama").supported_openai_params("llama3.2")
    for p in (
        "temperature",
        "top_p",
        "max_tokens",
        "stop",
        "seed",
        "response_format",
        "stream",
        "tools",
        "tool_choice",
        "reasoning_effort",
        "frequency_penalty",
        "presence_penalty",
    ):
        assert p in chat
    assert "tools" not in gen and "tool_choice" not in gen and "user" not in chat
