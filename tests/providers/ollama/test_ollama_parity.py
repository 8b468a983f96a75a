"""Parity with the official ``ollama`` Python SDK.

1. The SDK and litegate make the equivalent call against the same capturing fake server; the
   request bodies and auth headers must agree, modulo these documented differences:

   * the SDK always sends ``"tools": []``; litegate leaves ``tools`` out when there are none;
   * the SDK drops every empty message field (``"content": ""`` included); litegate keeps an empty
     content the caller gave (and, like the SDK, leaves out a ``None`` content beside tool calls).

2. Everything the fake server answers parses with the SDK's own response models (``ChatResponse``,
   ``GenerateResponse``, ``EmbedResponse``, ``ListResponse``), streamed or not, and the documented
   responses of the transcripts do too.
"""

from __future__ import annotations

import json

import pytest
from _ollama_helpers import TOOL, ndjson, transcript, user

import litegate

ollama_sdk = pytest.importorskip("ollama")

SKY = "why is the sky blue?"


def _sdk(srv):
    return ollama_sdk.Client(host=srv.url)


def _both(srv, sdk_call, litegate_call) -> tuple[dict, dict]:
    sdk_call(_sdk(srv))
    sdk_rec = srv.last_request
    litegate_call()
    ours = srv.last_request
    assert sdk_rec.path == ours.path
    return _sdk_body_of(sdk_rec), ours.json


def _sdk_body_of(rec) -> dict:
    body = dict(rec.json)
    if body.get("tools") == []:
        body.pop("tools")  # documented difference: the SDK always sends an empty tools list
    return body


def _drain(x):
    return x if isinstance(x, litegate.ModelResponse) else list(x)


# ------------------------------------------------------------------------- request bodies


def test_plain_chat(ollama):
    msgs = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": SKY}]
    sdk, ours = _both(
        ollama,
        lambda c: c.chat(model="llama3.2", messages=msgs),
        lambda: litegate.completion(model="ollama_chat/llama3.2", messages=msgs, api_base=ollama.url),
    )
    assert sdk == ours


def test_streaming_chat(ollama):
    sdk, ours = _both(
        ollama,
        lambda c: list(c.chat(model="llama3.2", messages=user(SKY), stream=True)),
        lambda: _drain(
            litegate.completion(model="ollama_chat/llama3.2", messages=user(SKY), stream=True, api_base=ollama.url)
        ),
    )
    assert sdk == ours
    assert ours["stream"] is True


def test_options_format_keep_alive_think(ollama):
    sdk, ours = _both(
        ollama,
        lambda c: c.chat(
            model="qwen3",
            messages=user("json?"),
            format="json",
            keep_alive="5m",
            think=True,
            options={
                "temperature": 0.2,
                "top_p": 0.9,
                "seed": 7,
                "num_predict": 64,
                "stop": ["\n"],
                "top_k": 40,
                "presence_penalty": 0.5,
                "frequency_penalty": 0.25,
            },
        ),
        lambda: litegate.completion(
            model="ollama_chat/qwen3",
            messages=user("json?"),
            api_base=ollama.url,
            response_format={"type": "json_object"},
            keep_alive="5m",
            think=True,
            temperature=0.2,
            top_p=0.9,
            seed=7,
            max_tokens=64,
            stop="\n",
            top_k=40,
            presence_penalty=0.5,
            frequency_penalty=0.25,
        ),
    )
    assert sdk == ours


def test_json_schema_format(ollama):
    schema = transcript("chat_structured_outputs.json")["request"]["format"]
    sdk, ours = _both(
        ollama,
        lambda c: c.chat(model="llama3.1", messages=user("age?"), format=schema),
        lambda: litegate.completion(
            model="ollama_chat/llama3.1",
            messages=user("age?"),
            api_base=ollama.url,
            response_format={"type": "json_schema", "json_schema": {"name": "p", "schema": schema}},
        ),
    )
    assert sdk == ours


def test_tools_and_tool_history(ollama):
    sdk_messages = [
        {"role": "user", "content": "what is the weather in Toronto?"},
        {"role": "assistant", "tool_calls": [{"function": {"name": "get_weather", "arguments": {"city": "Toronto"}}}]},
        {"role": "tool", "content": "11 degrees celsius", "tool_name": "get_weather"},
    ]
    openai_messages = [
        {"role": "user", "content": "what is the weather in Toronto?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Toronto"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "11 degrees celsius"},
    ]
    sdk, ours = _both(
        ollama,
        lambda c: c.chat(model="llama3.2", messages=sdk_messages, tools=[TOOL]),
        lambda: litegate.completion(
            model="ollama_chat/llama3.2", messages=openai_messages, tools=[TOOL], api_base=ollama.url
        ),
    )
    assert sdk == ours


def test_empty_assistant_content_is_the_documented_difference(ollama):
    sdk_messages = [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": ""},
        {"role": "user", "content": "again"},
    ]
    sdk, ours = _both(
        ollama,
        lambda c: c.chat(model="llama3.2", messages=sdk_messages),
        lambda: litegate.completion(model="ollama_chat/llama3.2", messages=sdk_messages, api_base=ollama.url),
    )
    assert sdk["messages"][1] == {"role": "assistant"}
    assert ours["messages"][1] == {"role": "assistant", "content": ""}
    sdk["messages"][1] = ours["messages"][1]
    assert sdk == ours


def test_images(ollama):
    b64 = transcript("chat_images.json")["request"]["messages"][0]["images"][0]
    sdk_messages = [{"role": "user", "content": "what is in this image?", "images": [b64]}]
    openai_messages = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "what is in this image?"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64," + b64}},
            ],
        }
    ]
    sdk, ours = _both(
        ollama,
        lambda c: c.chat(model="llava", messages=sdk_messages),
        lambda: litegate.completion(model="ollama_chat/llava", messages=openai_messages, api_base=ollama.url),
    )
    assert sdk == ours


def test_generate(ollama):
    b64 = transcript("generate_images.json")["request"]["images"][0]
    messages = [
        {"role": "system", "content": "You describe pictures."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is in this picture?"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64," + b64}},
            ],
        },
    ]
    sdk, ours = _both(
        ollama,
        lambda c: c.generate(
            model="llava",
            prompt="What is in this picture?",
            system="You describe pictures.",
            images=[b64],
            options={"temperature": 0},
            format="json",
        ),
        lambda: litegate.completion(
            model="ollama/llava",
            messages=messages,
            temperature=0,
            response_format={"type": "json_object"},
            api_base=ollama.url,
        ),
    )
    assert sdk == ours


def test_embed(ollama):
    sdk, ours = _both(
        ollama,
        lambda c: c.embed(model="all-minilm", input=["a", "b"], truncate=True, dimensions=4),
        lambda: litegate.embedding(
            model="ollama/all-minilm", input=["a", "b"], truncate=True, dimensions=4, api_base=ollama.url
        ),
    )
    assert sdk == ours


def test_auth_header_from_ollama_api_key(monkeypatch):
    from litegate.testing import FakeOllamaServer

    monkeypatch.setenv("OLLAMA_API_KEY", "ok-parity-key")
    with FakeOllamaServer(require_key="ok-parity-key") as srv:
        _sdk(srv).chat(model="llama3.2", messages=user("x"))
        sdk_headers = srv.last_request.headers
        litegate.completion(model="ollama_chat/llama3.2", messages=user("x"), api_base=srv.url)
        ours = srv.last_request.headers
    assert sdk_headers["authorization"] == ours["authorization"] == "Bearer ok-parity-key"
    assert sdk_headers["content-type"] == ours["content-type"] == "application/json"


# ------------------------------------------------------------------------- responses parse with the SDK


def test_fake_chat_answers_parse_with_the_sdk(ollama):
    c = _sdk(ollama)
    r = c.chat(model="llama3.2", messages=user(SKY))
    assert isinstance(r, ollama_sdk.ChatResponse)
    assert r.message.content == "This is a fake reply to: " + SKY
    assert r.done and r.done_reason == "stop" and r.eval_count > 0
    ours = litegate.completion(model="ollama_chat/llama3.2", messages=user(SKY), api_base=ollama.url)
    assert ours.choices[0].message.content == r.message.content
    assert ours.usage.completion_tokens == r.eval_count and ours.usage.prompt_tokens == r.prompt_eval_count


def test_fake_streams_with_thinking_and_tools_parse_with_the_sdk(ollama):
    c = _sdk(ollama)
    parts = list(c.chat(model="qwen3", messages=user(SKY), stream=True, think=True))
    assert all(isinstance(p, ollama_sdk.ChatResponse) for p in parts)
    assert parts[-1].done and not any(p.done for p in parts[:-1])
    assert "".join(p.message.thinking or "" for p in parts).startswith("Let me think")
    ollama.enqueue_reply(None, tool_calls=[{"name": "get_weather", "arguments": {"city": "Tokyo"}}], count=2)
    parts = list(c.chat(model="llama3.2", messages=user("weather?"), tools=[TOOL], stream=True))
    [call] = [tc for p in parts for tc in (p.message.tool_calls or [])]
    assert call.function.name == "get_weather" and call.function.arguments == {"city": "Tokyo"}
    chunks = list(
        litegate.completion(
            model="ollama_chat/llama3.2", messages=user("weather?"), tools=[TOOL], stream=True, api_base=ollama.url
        )
    )
    ours = litegate.stream_chunk_builder(chunks).choices[0].message.tool_calls[0]
    assert json.loads(ours.function.arguments) == call.function.arguments


def test_fake_generate_embed_and_tags_parse_with_the_sdk(ollama):
    c = _sdk(ollama)
    g = c.generate(model="llama3.2", prompt=SKY)
    assert isinstance(g, ollama_sdk.GenerateResponse) and g.response.endswith(SKY) and g.context
    parts = list(c.generate(model="llama3.2", prompt=SKY, stream=True))
    assert "".join(p.response for p in parts) == g.response
    e = c.embed(model="all-minilm", input=["a", "b"])
    assert isinstance(e, ollama_sdk.EmbedResponse) and len(e.embeddings) == 2
    ours = litegate.embedding(model="ollama/all-minilm", input=["a", "b"], api_base=ollama.url)
    assert [d.embedding for d in ours.data] == [list(v) for v in e.embeddings]
    assert ours.usage.prompt_tokens == e.prompt_eval_count
    tags = c.list()
    assert isinstance(tags, ollama_sdk.ListResponse)
    assert "llama3.2:latest" in [m.model for m in tags.models]


def test_fake_errors_reach_the_sdk_as_ollama_errors():
    from litegate.testing import FakeOllamaServer

    with FakeOllamaServer(models=["llama3.2"]) as srv:
        with pytest.raises(ollama_sdk.ResponseError) as e:
            _sdk(srv).chat(model="llama9", messages=user("x"))
        assert e.value.status_code == 404
        assert e.value.error == 'model "llama9" not found, try pulling it first'
        srv.enqueue_fault("stream_error_event")
        with pytest.raises(ollama_sdk.ResponseError, match="an error was encountered"):
            list(_sdk(srv).chat(model="llama3.2", messages=user("a b c"), stream=True))


@pytest.mark.parametrize(
    "name,model",
    [
        ("chat_no_streaming.json", "ChatResponse"),
        ("chat_tools.json", "ChatResponse"),
        ("chat_history_tools.json", "ChatResponse"),
        ("chat_structured_outputs.json", "ChatResponse"),
        ("chat_images.json", "ChatResponse"),
        ("chat_openapi_example.json", "ChatResponse"),
        ("generate_no_streaming.json", "GenerateResponse"),
        ("generate_json_mode.json", "GenerateResponse"),
        ("generate_openapi_example.json", "GenerateResponse"),
        ("embed_single.json", "EmbedResponse"),
        ("embed_multiple.json", "EmbedResponse"),
        ("tags.json", "ListResponse"),
    ],
)
def test_documented_responses_parse_with_the_sdk(name, model):
    getattr(ollama_sdk, model)(**transcript(name)["response"])


@pytest.mark.parametrize("name", ["chat_streaming.ndjson", "chat_streaming_tools.ndjson"])
def test_documented_chat_stream_objects_parse_with_the_sdk(name):
    _, objs = ndjson(name)
    for obj in objs:
        ollama_sdk.ChatResponse(**obj)
