"""Tests of litegate.testing.FakeOpenAIServer over real sockets (httpx, raw sockets, the openai SDK)."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from litegate.testing import FakeOpenAIServer, embedding_vector

openai_types = pytest.importorskip("openai.types")
from openai.types import Completion, CreateEmbeddingResponse, Model  # noqa: E402
from openai.types.chat import ChatCompletion, ChatCompletionChunk  # noqa: E402

SRC_DIR = str(Path(__file__).resolve().parents[2] / "src")

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the weather for a place",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer"},
            },
            "required": ["location"],
        },
    },
}
TIME_TOOL = {
    "type": "function",
    "function": {
        "name": "get_time",
        "parameters": {"type": "object", "properties": {"timezone": {"type": "string"}}},
    },
}


def chat_body(text: str = "Hello there, how are you today?", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": "gpt-4o-mini",
        "messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": text},
        ],
    }
    body.update(extra)
    return body


def sse_payloads(text: str) -> list[str]:
    """The ``data`` payloads of an SSE body, in order."""
    out = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = [ln[5:].lstrip(" ") for ln in block.split("\n") if ln.startswith("data:")]
        if lines:
            out.append("\n".join(lines))
    return out


def stream_chunks(payloads: list[str]) -> list[dict[str, Any]]:
    assert payloads[-1] == "[DONE]"
    return [json.loads(p) for p in payloads[:-1]]


@pytest.fixture
def srv():
    with FakeOpenAIServer() as s:
        yield s


@pytest.fixture
def client(srv):
    with httpx.Client(base_url=srv.base_url, timeout=5.0) as c:
        yield c


# ----------------------------------------------------------------------------------------------
# default replies
# ----------------------------------------------------------------------------------------------


def test_url_properties(srv):
    assert srv.url.startswith("http://127.0.0.1:")
    assert srv.port > 0
    assert srv.base_url == srv.url + "/v1"


def test_default_chat_completion(client, srv):
    r = client.post("/chat/completions", json=chat_body(), headers={"Authorization": "Bearer anything"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    data = r.json()
    cc = ChatCompletion.model_validate(data)
    assert cc.id.startswith("chatcmpl-")
    assert cc.object == "chat.completion"
    assert cc.model == "gpt-4o-mini"
    assert isinstance(cc.created, int)
    assert cc.system_fingerprint
    assert len(cc.choices) == 1
    choice = cc.choices[0]
    assert choice.finish_reason == "stop"
    assert choice.message.role == "assistant"
    assert choice.message.content == "This is a fake reply to: Hello there, how are you today?"
    assert cc.usage is not None
    assert cc.usage.total_tokens == cc.usage.prompt_tokens + cc.usage.completion_tokens
    assert cc.usage.prompt_tokens > 0 and cc.usage.completion_tokens > 0
    # deterministic
    again = client.post("/chat/completions", json=chat_body()).json()
    assert again["choices"][0]["message"]["content"] == choice.message.content
    assert again["id"] != data["id"]


def test_chat_without_v1_prefix_and_long_input_truncated(client, srv):
    r = httpx.post(srv.url + "/chat/completions", json=chat_body("word " * 100))
    content = r.json()["choices"][0]["message"]["content"]
    assert content.startswith("This is a fake reply to: word word")
    assert content.endswith("...") and len(content) < 120


def test_multimodal_content_parts(client):
    body = chat_body()
    body["messages"][-1]["content"] = [
        {"type": "text", "text": "Describe"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
    ]
    r = client.post("/chat/completions", json=body)
    assert r.json()["choices"][0]["message"]["content"] == "This is a fake reply to: Describe"


def test_max_tokens_truncates_with_length(client):
    r = client.post("/chat/completions", json=chat_body(max_tokens=3)).json()
    assert r["choices"][0]["finish_reason"] == "length"
    assert r["choices"][0]["message"]["content"] == "This is a"
    assert r["usage"]["completion_tokens"] == 3


def test_stream_text_with_usage(client):
    plain = client.post("/chat/completions", json=chat_body()).json()
    body = chat_body(stream=True, stream_options={"include_usage": True})
    with client.stream("POST", "/chat/completions", json=body) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        text = r.read().decode()
    payloads = sse_payloads(text)
    chunks = stream_chunks(payloads)
    for c in chunks:
        ChatCompletionChunk.model_validate(c)
        assert c["object"] == "chat.completion.chunk"
    assert len({c["id"] for c in chunks}) == 1
    assert chunks[0]["id"].startswith("chatcmpl-")
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": "", "refusal": None}
    content_chunks = chunks[1:-2]
    assert len(content_chunks) > 3  # split by word
    assert all(c["choices"][0]["finish_reason"] is None for c in content_chunks)
    streamed = "".join(c["choices"][0]["delta"]["content"] for c in content_chunks)
    assert streamed == plain["choices"][0]["message"]["content"]
    final = chunks[-2]
    assert final["choices"][0]["delta"] == {} and final["choices"][0]["finish_reason"] == "stop"
    usage_chunk = chunks[-1]
    assert usage_chunk["choices"] == []
    assert usage_chunk["usage"]["total_tokens"] == (
        usage_chunk["usage"]["prompt_tokens"] + usage_chunk["usage"]["completion_tokens"]
    )
    assert usage_chunk["usage"]["prompt_tokens"] == plain["usage"]["prompt_tokens"]
    assert usage_chunk["usage"]["completion_tokens"] == plain["usage"]["completion_tokens"]
    assert "usage" not in chunks[0]
    # every event is framed "data: ...\n\n"
    assert text.endswith("data: [DONE]\n\n")


def test_stream_without_include_usage(client):
    with client.stream("POST", "/chat/completions", json=chat_body(stream=True)) as r:
        chunks = stream_chunks(sse_payloads(r.read().decode()))
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert all(c["choices"] for c in chunks)


def test_tool_call_by_keyword(client):
    body = chat_body("What's the weather in Paris?", tools=[WEATHER_TOOL, TIME_TOOL])
    data = client.post("/chat/completions", json=body).json()
    cc = ChatCompletion.model_validate(data)
    choice = cc.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    (tc,) = choice.message.tool_calls
    assert tc.id.startswith("call_") and tc.type == "function"
    assert tc.function.name == "get_weather"
    args = json.loads(tc.function.arguments)
    assert set(args) == {"location", "unit", "days"}
    assert args["unit"] == "celsius" and isinstance(args["days"], int)


def test_no_tool_call_without_trigger_or_with_none(client):
    data = client.post("/chat/completions", json=chat_body("Hi!", tools=[WEATHER_TOOL])).json()
    assert data["choices"][0]["finish_reason"] == "stop"
    body = chat_body("weather please", tools=[WEATHER_TOOL], tool_choice="none")
    assert client.post("/chat/completions", json=body).json()["choices"][0]["finish_reason"] == "stop"


def test_tool_choice_required_and_named(client):
    data = client.post(
        "/chat/completions", json=chat_body("Hi", tools=[TIME_TOOL, WEATHER_TOOL], tool_choice="required")
    ).json()
    assert data["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "get_time"
    named = {"type": "function", "function": {"name": "get_weather"}}
    data = client.post(
        "/chat/completions", json=chat_body("Hi", tools=[TIME_TOOL, WEATHER_TOOL], tool_choice=named)
    ).json()
    ChatCompletion.model_validate(data)
    assert data["choices"][0]["finish_reason"] == "tool_calls"
    assert data["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "get_weather"


def test_parallel_tool_calls_when_several_named(client):
    body = chat_body("call get_weather and get_time", tools=[WEATHER_TOOL, TIME_TOOL])
    calls = client.post("/chat/completions", json=body).json()["choices"][0]["message"]["tool_calls"]
    assert [c["function"]["name"] for c in calls] == ["get_weather", "get_time"]
    assert len({c["id"] for c in calls}) == 2


def test_legacy_functions(client):
    body = chat_body("call it", functions=[WEATHER_TOOL["function"]])
    data = client.post("/chat/completions", json=body).json()
    ChatCompletion.model_validate(data)
    msg = data["choices"][0]["message"]
    assert data["choices"][0]["finish_reason"] == "function_call"
    assert msg["function_call"]["name"] == "get_weather"
    json.loads(msg["function_call"]["arguments"])


def test_stream_tool_calls_with_usage(client):
    body = chat_body("weather in Paris?", tools=[WEATHER_TOOL])
    plain = client.post("/chat/completions", json=body).json()
    body.update(stream=True, stream_options={"include_usage": True})
    with client.stream("POST", "/chat/completions", json=body) as r:
        chunks = stream_chunks(sse_payloads(r.read().decode()))
    for c in chunks:
        ChatCompletionChunk.model_validate(c)
    assert len({c["id"] for c in chunks}) == 1
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[0]["choices"][0]["delta"]["content"] is None
    head = chunks[1]["choices"][0]["delta"]["tool_calls"][0]
    assert head["index"] == 0 and head["id"].startswith("call_") and head["type"] == "function"
    assert head["function"] == {"name": "get_weather", "arguments": ""}
    frags = chunks[2:-2]
    assert len(frags) > 2
    args = ""
    for c in frags:
        (tc,) = c["choices"][0]["delta"]["tool_calls"]
        assert tc["index"] == 0 and "id" not in tc and "name" not in tc["function"]
        args += tc["function"]["arguments"]
    assert json.loads(args) == json.loads(plain["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"])
    assert chunks[-2]["choices"][0]["finish_reason"] == "tool_calls"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["total_tokens"] > 0


def test_n_choices(client):
    data = client.post("/chat/completions", json=chat_body(n=3)).json()
    cc = ChatCompletion.model_validate(data)
    assert [c.index for c in cc.choices] == [0, 1, 2]
    assert len({c.message.content for c in cc.choices}) == 1
    single = client.post("/chat/completions", json=chat_body()).json()
    assert data["usage"]["completion_tokens"] == 3 * single["usage"]["completion_tokens"]

    with client.stream("POST", "/chat/completions", json=chat_body(n=3, stream=True)) as r:
        chunks = stream_chunks(sse_payloads(r.read().decode()))
    texts = {0: "", 1: "", 2: ""}
    finishes = {}
    for c in chunks:
        ChatCompletionChunk.model_validate(c)
        (ch,) = c["choices"]
        texts[ch["index"]] += ch["delta"].get("content") or ""
        if ch["finish_reason"]:
            finishes[ch["index"]] = ch["finish_reason"]
    assert set(texts.values()) == {single["choices"][0]["message"]["content"]}
    assert finishes == {0: "stop", 1: "stop", 2: "stop"}


# ----------------------------------------------------------------------------------------------
# embeddings, completions, models, 404
# ----------------------------------------------------------------------------------------------


def test_embeddings_float_and_base64(client):
    body = {"model": "text-embedding-3-small", "input": ["hello world", "second"]}
    data = client.post("/embeddings", json=body).json()
    emb = CreateEmbeddingResponse.model_validate(data)
    assert emb.object == "list" and emb.model == "text-embedding-3-small"
    assert [d.index for d in emb.data] == [0, 1]
    assert all(len(d.embedding) == 8 for d in emb.data)
    assert emb.data[0].embedding != emb.data[1].embedding
    assert emb.usage.prompt_tokens == emb.usage.total_tokens == 3
    norm = sum(v * v for v in emb.data[0].embedding)
    assert abs(norm - 1.0) < 1e-5
    assert emb.data[0].embedding == embedding_vector("hello world")
    # deterministic
    assert client.post("/embeddings", json=body).json() == data

    b64 = client.post("/embeddings", json=dict(body, encoding_format="base64")).json()
    for item, ref in zip(b64["data"], data["data"], strict=False):
        assert isinstance(item["embedding"], str)
        raw = base64.b64decode(item["embedding"])
        assert len(raw) == 4 * 8
        assert list(struct.unpack("<8f", raw)) == ref["embedding"]


def test_embeddings_single_string_dimensions_and_tokens(client):
    data = client.post("/embeddings", json={"model": "m", "input": "one", "dimensions": 32}).json()
    CreateEmbeddingResponse.model_validate(data)
    assert len(data["data"]) == 1 and len(data["data"][0]["embedding"]) == 32
    tok = client.post("/embeddings", json={"model": "m", "input": [1, 2, 3]}).json()
    assert len(tok["data"]) == 1 and tok["usage"]["prompt_tokens"] == 3
    toks = client.post("/embeddings", json={"model": "m", "input": [[1, 2], [3]]}).json()
    assert len(toks["data"]) == 2
    bad = client.post("/embeddings", json={"model": "m", "input": []})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "input"


def test_legacy_completions(client):
    data = client.post("/completions", json={"model": "gpt-3.5-turbo-instruct", "prompt": "Say this is a test"}).json()
    comp = Completion.model_validate(data)
    assert comp.object == "text_completion" and comp.id.startswith("cmpl-")
    text = comp.choices[0].text
    assert "Say this is a test" in text
    assert comp.usage.total_tokens == comp.usage.prompt_tokens + comp.usage.completion_tokens

    body = {
        "model": "gpt-3.5-turbo-instruct",
        "prompt": "Say this is a test",
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    with client.stream("POST", "/completions", json=body) as r:
        chunks = stream_chunks(sse_payloads(r.read().decode()))
    for c in chunks:
        assert c["object"] == "text_completion" and c["id"] == chunks[0]["id"]
        if not c["choices"] or c["choices"][0]["finish_reason"] is not None:
            Completion.model_validate(c)  # (the SDK's Literal rejects the null finish_reason of mid chunks)
    assert "".join(c["choices"][0]["text"] for c in chunks[:-1]) == text
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["total_tokens"] > 0


def test_models_and_unknown_path(client):
    data = client.get("/models").json()
    assert data["object"] == "list" and len(data["data"]) > 3
    for m in data["data"]:
        Model.model_validate(m)
    one = client.get("/models/gpt-4o").json()
    assert one["id"] == "gpt-4o"
    r = client.post("/nope", json={})
    assert r.status_code == 404
    err = r.json()["error"]
    assert set(err) == {"message", "type", "param", "code"}
    assert "/v1/nope" in err["message"]


def test_invalid_json_body_is_400(client):
    r = client.post("/chat/completions", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert r.json()["error"]["type"] == "invalid_request_error"
    r = client.post("/chat/completions", json={"model": "x"})
    assert r.status_code == 400 and r.json()["error"]["param"] == "messages"


# ----------------------------------------------------------------------------------------------
# queued behaviours
# ----------------------------------------------------------------------------------------------


def test_error_queue_counts(client, srv):
    srv.enqueue_error(status=429, count=2)
    r1 = client.post("/chat/completions", json=chat_body())
    r2 = client.post("/chat/completions", json=chat_body())
    r3 = client.post("/chat/completions", json=chat_body())
    assert [r1.status_code, r2.status_code, r3.status_code] == [429, 429, 200]
    err = r1.json()["error"]
    assert err["code"] == "rate_limit_exceeded" and err["type"] == "requests"
    assert r1.headers["retry-after"] == "0"
    assert srv.hits() == 3 and srv.hits("/chat/completions") == 3
    assert srv.pending == 0


def test_error_shapes(client, srv):
    srv.enqueue_error(400, code="context_length_exceeded")
    srv.enqueue_error(401)
    srv.enqueue_error(429, code="insufficient_quota")
    srv.enqueue_error(500)
    srv.enqueue_error(503, headers={"retry-after": "1", "x-extra": "yes"})
    srv.enqueue_error(418, message="I am a teapot", type="teapot_error", code="teapot")
    srv.enqueue_error(400, body={"error": {"message": "custom"}})
    got = [client.post("/chat/completions", json=chat_body()) for _ in range(7)]
    assert [r.status_code for r in got] == [400, 401, 429, 500, 503, 418, 400]
    e = [r.json()["error"] for r in got]
    assert e[0]["code"] == "context_length_exceeded" and e[0]["param"] == "messages"
    assert e[0]["type"] == "invalid_request_error"
    assert e[1]["code"] == "invalid_api_key"
    assert e[2]["code"] == "insufficient_quota" and e[2]["type"] == "insufficient_quota"
    assert e[3]["type"] == "server_error"
    assert e[4]["type"] == "server_error"
    assert got[4].headers["retry-after"] == "1" and got[4].headers["x-extra"] == "yes"
    assert e[5] == {"message": "I am a teapot", "type": "teapot_error", "param": None, "code": "teapot"}
    assert e[6] == {"message": "custom"}
    assert client.post("/chat/completions", json=chat_body()).status_code == 200


def test_enqueue_reply_content_and_tool_calls(client, srv):
    srv.enqueue_reply(content="hello", model="my-model", usage={"prompt_tokens": 5, "completion_tokens": 1})
    data = client.post("/chat/completions", json=chat_body()).json()
    ChatCompletion.model_validate(data)
    assert data["choices"][0]["message"]["content"] == "hello"
    assert data["model"] == "my-model"
    assert data["usage"]["total_tokens"] == 6

    srv.enqueue_reply(content=None, tool_calls=[{"name": "lookup", "arguments": {"q": "x"}}])
    data = client.post("/chat/completions", json=chat_body()).json()
    ChatCompletion.model_validate(data)
    tc = data["choices"][0]["message"]["tool_calls"][0]
    assert data["choices"][0]["finish_reason"] == "tool_calls"
    assert tc["function"] == {"name": "lookup", "arguments": '{"q":"x"}'}

    srv.enqueue_reply(content="one two three", finish_reason="length")
    with client.stream("POST", "/chat/completions", json=chat_body(stream=True)) as r:
        chunks = stream_chunks(sse_payloads(r.read().decode()))
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks) == "one two three"
    assert chunks[-1]["choices"][0]["finish_reason"] == "length"


def test_enqueue_reply_delay_causes_timeout(srv):
    srv.enqueue_reply(content="slow", delay=1.0)
    with httpx.Client(base_url=srv.base_url, timeout=0.2) as c:
        with pytest.raises(httpx.ReadTimeout):
            c.post("/chat/completions", json=chat_body())
        # the next request gets the default reply promptly
        assert c.post("/chat/completions", json=chat_body()).status_code == 200
    assert srv.hits() == 2


def test_default_delay(srv):
    srv.default_delay = 0.15
    with httpx.Client(base_url=srv.base_url, timeout=5) as c:
        t0 = time.perf_counter()
        assert c.post("/chat/completions", json=chat_body()).status_code == 200
        assert time.perf_counter() - t0 >= 0.14
    srv.default_delay = 0.0


def test_enqueue_raw(client, srv):
    srv.enqueue_raw(202, {"ok": True}, headers={"x-test": "1"})
    srv.enqueue_raw(200, b"plain", headers={"content-type": "text/plain"})
    r = client.post("/chat/completions", json=chat_body())
    assert r.status_code == 202 and r.json() == {"ok": True} and r.headers["x-test"] == "1"
    r = client.post("/chat/completions", json=chat_body())
    assert r.text == "plain" and r.headers["content-type"] == "text/plain"


def test_enqueue_stream_custom_events(client, srv):
    events = [
        {
            "id": "x",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "m",
            "choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": None}],
        },
        '{"raw": true}',
    ]
    srv.enqueue_stream(events)
    srv.enqueue_stream(events, terminate=False)
    with client.stream("POST", "/chat/completions", json=chat_body(stream=True)) as r:
        payloads = sse_payloads(r.read().decode())
    assert payloads == [json.dumps(events[0], separators=(",", ":")), '{"raw": true}', "[DONE]"]
    with client.stream("POST", "/chat/completions", json=chat_body(stream=True)) as r:
        payloads = sse_payloads(r.read().decode())
    assert payloads[-1] == '{"raw": true}'


def test_enqueue_stream_chunk_delay_and_cut_after(client, srv):
    srv.enqueue_stream(["a", "b", "c"], chunk_delay=0.05)
    t0 = time.perf_counter()
    with client.stream("POST", "/chat/completions", json=chat_body(stream=True)) as r:
        arrivals = []
        for line in r.iter_lines():
            if line.startswith("data:"):
                arrivals.append((line, time.perf_counter() - t0))
    assert [a[0] for a in arrivals] == ["data: a", "data: b", "data: c", "data: [DONE]"]
    assert arrivals[-1][1] >= 0.14

    srv.enqueue_stream(["a", "b", "c"], cut_after=2)
    got = []
    with pytest.raises(httpx.RemoteProtocolError):
        with client.stream("POST", "/chat/completions", json=chat_body(stream=True)) as r:
            for line in r.iter_lines():
                if line:
                    got.append(line)
    assert got == ["data: a", "data: b"]


def test_enqueue_stream_default_events_with_delay(client, srv):
    srv.enqueue_stream(None, chunk_delay=0.001)
    with client.stream("POST", "/chat/completions", json=chat_body(stream=True)) as r:
        chunks = stream_chunks(sse_payloads(r.read().decode()))
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"


def test_path_filtered_queue(client, srv):
    srv.enqueue_error(500, path="/embeddings")
    assert client.post("/chat/completions", json=chat_body()).status_code == 200
    assert client.post("/embeddings", json={"model": "m", "input": "x"}).status_code == 500
    assert srv.pending == 0


def test_reset_clears(client, srv):
    srv.enqueue_error(500, count=3)
    client.post("/chat/completions", json=chat_body())
    srv.reset()
    assert srv.hits() == 0 and srv.requests == [] and srv.last_request is None and srv.pending == 0
    assert client.post("/chat/completions", json=chat_body()).status_code == 200


# ----------------------------------------------------------------------------------------------
# faults
# ----------------------------------------------------------------------------------------------


def test_fault_reset(client, srv):
    srv.enqueue_fault("reset")
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        client.post("/chat/completions", json=chat_body())
    assert srv.hits() == 1
    assert client.post("/chat/completions", json=chat_body()).status_code == 200


def test_fault_stall(srv):
    srv.enqueue_fault("stall")
    with httpx.Client(base_url=srv.base_url, timeout=0.2) as c:
        with pytest.raises(httpx.ReadTimeout):
            c.post("/chat/completions", json=chat_body())
    assert srv.hits() == 1


def test_fault_cut_stream(client, srv):
    srv.enqueue_fault("cut_stream")
    lines = []
    with pytest.raises(httpx.RemoteProtocolError):
        with client.stream("POST", "/chat/completions", json=chat_body(stream=True)) as r:
            assert r.status_code == 200
            for line in r.iter_lines():
                if line:
                    lines.append(line)
    assert 1 <= len(lines) <= 3
    assert "data: [DONE]" not in lines
    for line in lines:
        ChatCompletionChunk.model_validate_json(line[6:])


def test_fault_cut_stream_close_framing():
    with FakeOpenAIServer(sse_framing="close") as s:
        s.enqueue_fault("cut_stream")
        with httpx.Client(base_url=s.base_url, timeout=5) as c:
            with c.stream("POST", "/chat/completions", json=chat_body(stream=True)) as r:
                assert "transfer-encoding" not in r.headers
                payloads = sse_payloads(r.read().decode())
            assert payloads and "[DONE]" not in payloads
            # close-delimited default stream also works
            with c.stream("POST", "/chat/completions", json=chat_body(stream=True)) as r:
                assert sse_payloads(r.read().decode())[-1] == "[DONE]"


def test_fault_malformed_stream(client, srv):
    srv.enqueue_fault("malformed_stream")
    with client.stream("POST", "/chat/completions", json=chat_body(stream=True)) as r:
        payloads = sse_payloads(r.read().decode())
    assert "{not json" in payloads
    bad = payloads.index("{not json")
    json.loads(payloads[0])
    with pytest.raises(ValueError):
        json.loads(payloads[bad])


def test_fault_stream_error_event(client, srv):
    srv.enqueue_fault("stream_error_event")
    with client.stream("POST", "/chat/completions", json=chat_body(stream=True)) as r:
        payloads = sse_payloads(r.read().decode())
    assert payloads[-1] != "[DONE]"
    last = json.loads(payloads[-1])
    assert set(last) == {"error"} and last["error"]["type"] == "server_error"
    assert len(payloads) >= 2
    ChatCompletionChunk.model_validate_json(payloads[0])


def test_fault_no_done(client, srv):
    srv.enqueue_fault("no_done")
    with client.stream("POST", "/chat/completions", json=chat_body(stream=True)) as r:
        payloads = sse_payloads(r.read().decode())
    assert "[DONE]" not in payloads
    chunks = [json.loads(p) for p in payloads]
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    # the connection is still usable afterwards
    assert client.post("/chat/completions", json=chat_body()).status_code == 200


def test_unknown_fault_kind_rejected(srv):
    with pytest.raises(ValueError):
        srv.enqueue_fault("explode")


def test_stop_closes_stalled_connections_promptly():
    s = FakeOpenAIServer().start()
    s.enqueue_fault("stall")
    outcome: dict[str, Any] = {}

    def call() -> None:
        try:
            httpx.post(s.base_url + "/chat/completions", json=chat_body(), timeout=10)
        except Exception as exc:  # expected: the server went away
            outcome["exc"] = exc

    th = threading.Thread(target=call)
    th.start()
    assert s.wait_for_hits(1, timeout=5)
    t0 = time.perf_counter()
    s.stop()
    th.join(5)
    assert not th.is_alive()
    assert time.perf_counter() - t0 < 3
    assert isinstance(outcome.get("exc"), httpx.HTTPError)
    with pytest.raises(httpx.ConnectError):
        httpx.get(s.url + "/v1/models", timeout=1)
    s.stop()  # idempotent


# ----------------------------------------------------------------------------------------------
# azure layout, auth, recordings
# ----------------------------------------------------------------------------------------------


def test_azure_layout(srv):
    with httpx.Client(base_url=srv.url, timeout=5) as c:
        r = c.post(
            "/openai/deployments/my-dep/chat/completions",
            params={"api-version": "2024-10-21"},
            json={"messages": [{"role": "user", "content": "hi"}]},
            headers={"api-key": "k"},
        )
        assert r.status_code == 200
        data = r.json()
        ChatCompletion.model_validate(data)
        assert data["model"] == "my-dep"
        assert "prompt_filter_results" in data
        rec = srv.last_request
        assert rec.path == "/openai/deployments/my-dep/chat/completions"
        assert rec.query == {"api-version": "2024-10-21"}
        assert rec.headers["api-key"] == "k"

        r = c.post("/openai/deployments/emb-dep/embeddings", params={"api-version": "2024-10-21"}, json={"input": "x"})
        assert r.status_code == 200 and r.json()["model"] == "emb-dep"
        CreateEmbeddingResponse.model_validate(r.json())


def test_require_key():
    with FakeOpenAIServer(require_key="sk-test") as s, httpx.Client(base_url=s.url, timeout=5) as c:
        r = c.post("/v1/chat/completions", json=chat_body())
        assert r.status_code == 401
        assert "didn't provide an API key" in r.json()["error"]["message"]
        r = c.post("/v1/chat/completions", json=chat_body(), headers={"Authorization": "Bearer sk-wrong-key-123"})
        assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_api_key"
        assert "sk-wrong-key-123" not in r.json()["error"]["message"]
        assert (
            c.post("/v1/chat/completions", json=chat_body(), headers={"Authorization": "Bearer sk-test"}).status_code
            == 200
        )
        assert c.post("/v1/chat/completions", json=chat_body(), headers={"api-key": "sk-test"}).status_code == 200
        r = c.post(
            "/openai/deployments/d/chat/completions?api-version=2024-10-21",
            json=chat_body(),
            headers={"api-key": "nope"},
        )
        assert r.status_code == 401 and r.json()["error"]["code"] == "401"
        assert s.hits() == 5
        # auth failures do not consume queued behaviours
        s.enqueue_error(500)
        assert c.post("/v1/chat/completions", json=chat_body()).status_code == 401
        assert c.post("/v1/chat/completions", json=chat_body(), headers={"api-key": "sk-test"}).status_code == 500


def test_recordings(client, srv):
    body = chat_body()
    client.post("/chat/completions?foo=bar&x=1", json=body, headers={"X-Custom-Header": "Val"})
    client.get("/models")
    reqs = srv.requests
    assert len(reqs) == 2
    rec = reqs[0]
    assert rec.method == "POST"
    assert rec.path == "/v1/chat/completions"
    assert rec.query == {"foo": "bar", "x": "1"}
    assert rec.headers["x-custom-header"] == "Val"
    assert all(k == k.lower() for k in rec.headers)
    assert rec.json == body
    assert json.loads(rec.body) == body
    assert srv.last_request.method == "GET" and srv.last_request.json is None
    assert srv.hits() == 2 and srv.hits("/models") == 1 and srv.hits("/embeddings") == 0


def test_chunked_request_body(client, srv):
    payload = json.dumps(chat_body("chunked upload")).encode()

    def gen():
        for i in range(0, len(payload), 7):
            yield payload[i : i + 7]

    r = client.post("/chat/completions", content=gen(), headers={"content-type": "application/json"})
    assert r.status_code == 200
    assert r.json()["choices"][0]["message"]["content"] == "This is a fake reply to: chunked upload"
    assert srv.last_request.headers.get("transfer-encoding") == "chunked"
    assert srv.last_request.json == json.loads(payload)


def _read_response(sock: socket.socket, buf: bytes) -> tuple[bytes, bytes, bytes]:
    while b"\r\n\r\n" not in buf:
        buf += sock.recv(65536)
    head, _, rest = buf.partition(b"\r\n\r\n")
    length = int([ln.split(b":")[1] for ln in head.split(b"\r\n") if ln.lower().startswith(b"content-length")][0])
    while len(rest) < length:
        rest += sock.recv(65536)
    return head, rest[:length], rest[length:]


def test_raw_socket_keep_alive_pipelining_and_split_writes(srv):
    body = json.dumps(chat_body("raw")).encode()
    req = (
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as sock:
        # byte-by-byte-ish split request
        for i in range(0, len(req), 5):
            sock.sendall(req[i : i + 5])
        head, payload, rest = _read_response(sock, b"")
        assert head.startswith(b"HTTP/1.1 200")
        assert json.loads(payload)["choices"][0]["message"]["content"].endswith("raw")
        # two pipelined requests on the same connection
        sock.sendall(req + req)
        head1, _, rest = _read_response(sock, rest)
        head2, _, rest = _read_response(sock, rest)
        assert head1.startswith(b"HTTP/1.1 200") and head2.startswith(b"HTTP/1.1 200")
        # expect: 100-continue
        sock.sendall(
            req.replace(b"Host: x\r\n", b"Host: x\r\nExpect: 100-continue\r\n").split(b"\r\n\r\n")[0] + b"\r\n\r\n"
        )
        got = b""
        while b"\r\n\r\n" not in got:
            got += sock.recv(65536)
        assert got.startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(body)
        head, _, _ = _read_response(sock, got.partition(b"\r\n\r\n")[2])
        assert head.startswith(b"HTTP/1.1 200")
    assert srv.hits() == 4


def test_connection_close_header(srv):
    with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as sock:
        sock.sendall(b"GET /v1/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    assert data.startswith(b"HTTP/1.1 200") and b"connection: close" in data.lower()


# ----------------------------------------------------------------------------------------------
# async clients, the openai SDK, serve mode, imports
# ----------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_async_concurrent_requests(srv):
    async with httpx.AsyncClient(base_url=srv.base_url, timeout=10) as ac:
        results = await asyncio.gather(*[ac.post("/chat/completions", json=chat_body(f"n{i}")) for i in range(50)])
        assert all(r.status_code == 200 for r in results)
        assert {r.json()["choices"][0]["message"]["content"] for r in results} == {
            f"This is a fake reply to: n{i}" for i in range(50)
        }
        srv.enqueue_error(503, count=1)
        r = await ac.post("/chat/completions", json=chat_body())
        assert r.status_code == 503
        async with ac.stream("POST", "/chat/completions", json=chat_body(stream=True)) as resp:
            text = (await resp.aread()).decode()
        assert sse_payloads(text)[-1] == "[DONE]"
        srv.enqueue_fault("stall")
        with pytest.raises(httpx.ReadTimeout):
            await ac.post("/chat/completions", json=chat_body(), timeout=0.2)
    assert srv.hits("/chat/completions") == 53


def test_openai_sdk_end_to_end(srv):
    openai = pytest.importorskip("openai")
    client = openai.OpenAI(base_url=srv.base_url, api_key="sk-test", max_retries=0)
    cc = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "ping"}])
    assert cc.choices[0].message.content == "This is a fake reply to: ping"
    stream = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "ping"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    parts, usage = [], None
    for chunk in stream:
        if chunk.choices:
            parts.append(chunk.choices[0].delta.content or "")
        if chunk.usage:
            usage = chunk.usage
    assert "".join(parts) == cc.choices[0].message.content
    assert usage is not None and usage.total_tokens == cc.usage.total_tokens
    emb = client.embeddings.create(model="text-embedding-3-small", input=["a", "b"])  # SDK asks for base64
    assert srv.last_request.json.get("encoding_format") == "base64"
    assert emb.data[0].embedding == pytest.approx(embedding_vector("a"))
    srv.enqueue_error(429)
    with pytest.raises(openai.RateLimitError):
        client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}])


def test_serve_subprocess():
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC_DIR + os.pathsep + env.get("PYTHONPATH", "")
    with subprocess.Popen(
        [sys.executable, "-m", "litegate.testing", "serve", "--port", "0", "--host", "127.0.0.1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    ) as proc:
        try:
            line = proc.stdout.readline().strip()
            assert line.startswith("LISTENING http://127.0.0.1:"), line
            url = line.split()[1]
            r = httpx.post(url + "/v1/chat/completions", json=chat_body(), timeout=5)
            assert r.status_code == 200
            ChatCompletion.model_validate(r.json())
            with httpx.stream("POST", url + "/v1/chat/completions", json=chat_body(stream=True), timeout=5) as resp:
                assert sse_payloads(resp.read().decode())[-1] == "[DONE]"
        finally:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


def test_imports_are_cheap():
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC_DIR + os.pathsep + env.get("PYTHONPATH", "")
    code = (
        "import sys\n"
        "import litegate\n"
        "assert 'litegate.testing' not in sys.modules, 'import litegate pulled in litegate.testing'\n"
        "import litegate.testing\n"
        "assert 'litegate.testing._server' not in sys.modules\n"
        "from litegate.testing import FakeOpenAIServer\n"
        "assert 'litegate.testing._server' in sys.modules\n"
    )
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
