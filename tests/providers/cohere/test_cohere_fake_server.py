"""FakeCohereServer itself, over plain HTTP: request checks with Cohere's error bodies, the shapes
of chat / stream / embed / rerank answers, queued replies, streams, errors and faults."""

from __future__ import annotations

import base64
import json
import struct

import httpx
import pytest
from _cohere_helpers import KEY, PNG_B64, TIME, WEATHER, sse_events

from litegate.testing import FakeCohereServer
from litegate.testing.cohere_server import COHERE_FAULT_KINDS, DEFAULT_ERRORS, PREAMBLE_TOKENS, rerank_scores

MODEL = "command-r-plus-08-2024"
HEADERS = {"authorization": "Bearer " + KEY}


def _post(srv, path, body, headers=HEADERS):
    return httpx.post(srv.url + path, json=body, headers=headers, timeout=10)


def _chat(srv, **body):
    body.setdefault("model", MODEL)
    body.setdefault("messages", [{"role": "user", "content": "Hello there"}])
    return _post(srv, "/v2/chat", body)


def _stream(srv, **body):
    r = _chat(srv, stream=True, **body)
    assert r.headers["content-type"].startswith("text/event-stream")
    return sse_events(r.content)


# --------------------------------------------------------------------------------- auth and routing


def test_auth(cohere_server):
    r = _post(cohere_server, "/v2/chat", {"model": MODEL}, headers={})
    assert r.status_code == 401 and r.json()["message"] == "no api key supplied"
    assert set(r.json()) == {"id", "message"}
    r = _post(cohere_server, "/v2/chat", {"model": MODEL}, headers={"authorization": "Bearer nope"})
    assert r.status_code == 401 and r.json()["message"] == "invalid api token"


def test_unknown_path_and_method(cohere_server):
    assert _post(cohere_server, "/v1/generate", {}).json()["message"] == "404 page not found"
    r = httpx.get(cohere_server.url + "/v2/chat", headers=HEADERS)
    assert r.status_code == 404


def test_models_restriction():
    with FakeCohereServer(models=["command-a-03-2025"]) as srv:
        r = _chat(srv, model="command-x")
        assert r.status_code == 404
        assert r.json()["message"].startswith("model 'command-x' not found")
        assert _chat(srv, model="command-a-03-2025").status_code == 200


def test_unknown_fields_are_rejected_unless_not_strict(cohere_server):
    r = _chat(cohere_server, top_p=0.5)
    assert r.status_code == 400 and "unknown field 'top_p'" in r.json()["message"]
    r = _chat(cohere_server, messages=[{"role": "user", "content": "x", "name": "bob"}])
    assert "unknown field 'messages[0].name'" in r.json()["message"]
    with FakeCohereServer(strict=False) as srv:
        assert _chat(srv, top_p=0.5).status_code == 200


@pytest.mark.parametrize(
    "body, message",
    [
        ({"model": ""}, "a model parameter is required"),
        ({"messages": []}, "messages must be a non-empty list"),
        ({"messages": [{"role": "user", "content": "  "}]}, "message must be at least 1 token long"),
        ({"messages": [{"role": "bot", "content": "x"}]}, "role must be one of"),
        (
            {"messages": [{"role": "user", "content": "x"}, {"role": "assistant"}]},
            "message must not be empty in a turn",
        ),
        (
            {"messages": [{"role": "user", "content": "x"}, {"role": "tool", "content": "r"}]},
            "tool call id must be provided with tool message",
        ),
        (
            {"messages": [{"role": "user", "content": "x"}, {"role": "tool", "tool_call_id": "c9", "content": "r"}]},
            "tool call id not found in previous tool calls",
        ),
        (
            {
                "messages": [
                    {"role": "user", "content": "x"},
                    {
                        "role": "assistant",
                        "tool_calls": [
                            {"id": "a", "type": "function", "function": {"name": "f", "arguments": "{}"}},
                            {"id": "a", "type": "function", "function": {"name": "f", "arguments": "{}"}},
                        ],
                    },
                ]
            },
            "cannot have duplicate tool ids",
        ),
        (
            {
                "messages": [
                    {"role": "user", "content": "x"},
                    {
                        "role": "assistant",
                        "tool_calls": [
                            {"id": "a", "type": "function", "function": {"name": "f", "arguments": {"x": 1}}}
                        ],
                    },
                ]
            },
            "arguments must be a JSON string",
        ),
        (
            {"tools": [{"type": "function", "function": {"name": "get-weather", "parameters": {"type": "object"}}}]},
            "tool names can only contain certain characters",
        ),
        ({"tools": [{"type": "function", "function": {"name": "f"}}]}, "parameters is required"),
        ({"tools": [dict(WEATHER, function=dict(WEATHER["function"], strict=True))]}, "unknown field"),
        ({"tool_choice": "REQUIRED"}, "tool_choice REQUIRED needs the tools parameter"),
        ({"tools": [WEATHER], "tool_choice": "required"}, "tool_choice must be one of REQUIRED, NONE"),
        ({"temperature": 1.5}, "temperature must be between 0 and 1.0 inclusive."),
        ({"p": 1.0}, "p must be between 0.01 and 0.99 inclusive."),
        ({"k": 501}, "k must be between 0 and 500 inclusive."),
        ({"presence_penalty": 1.5}, "presence_penalty must be between 0 and 1 inclusive."),
        ({"frequency_penalty": -0.5}, "frequency_penalty must be between 0 and 1 inclusive."),
        ({"max_tokens": 0}, "max_tokens must be a positive integer"),
        ({"stop_sequences": ["a", "b", "c", "d", "e", "f"]}, "at most 5"),
        (
            {"response_format": {"type": "json_object"}, "tools": [WEATHER]},
            "response_format is not supported with RAG.",
        ),
        ({"response_format": {"type": "json_schema"}}, "response_format.type must be one of text, json_object"),
        ({"thinking": {"type": "on"}}, "thinking.type must be one of enabled, disabled"),
        ({"safety_mode": "NONE"}, "safety_mode must be one of"),
        (
            {
                "messages": [
                    {
                        "role": "user",
                        "content": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,@@"}}],
                    }
                ]
            },
            "invalid base64 image data",
        ),
    ],
)
def test_chat_request_checks(cohere_server, body, message):
    r = _chat(cohere_server, **body)
    assert r.status_code == 400
    assert message in r.json()["message"]
    assert set(r.json()) == {"id", "message"}


# --------------------------------------------------------------------------------- chat answers


def test_json_answer_shape(cohere_server):
    data = _chat(cohere_server).json()
    assert set(data) == {"id", "message", "finish_reason", "usage"}
    assert data["message"] == {
        "role": "assistant",
        "content": [{"type": "text", "text": "This is a fake reply to: Hello there"}],
    }
    assert data["finish_reason"] == "COMPLETE"
    billed, tokens = data["usage"]["billed_units"], data["usage"]["tokens"]
    assert billed["output_tokens"] == 8
    assert tokens["input_tokens"] == billed["input_tokens"] + PREAMBLE_TOKENS


def test_stream_shape(cohere_server):
    events = _stream(cohere_server, thinking={"type": "enabled"})
    names = [n for n, _ in events]
    assert names[0] == "message-start" and names[-1] == "message-end"
    assert all(name == data["type"] for name, data in events)
    starts = [d for n, d in events if n == "content-start"]
    assert [(s["index"], s["delta"]["message"]["content"]["type"]) for s in starts] == [(0, "thinking"), (1, "text")]
    text = "".join(d["delta"]["message"]["content"].get("text", "") for n, d in events if n == "content-delta")
    assert text == "This is a fake reply to: Hello there"
    assert events[-1][1]["delta"]["finish_reason"] == "COMPLETE"
    assert b"[DONE]" not in _chat(cohere_server, stream=True).content


def test_done_terminator_option():
    with FakeCohereServer(done_terminator=True) as srv:
        assert _chat(srv, stream=True).content.endswith(b"data: [DONE]\n\n")


def test_tool_stream_shape(cohere_server):
    events = _stream(
        cohere_server, messages=[{"role": "user", "content": "call get_weather and get_time"}], tools=[WEATHER, TIME]
    )
    names = [n for n, _ in events]
    assert names.index("tool-plan-delta") < names.index("tool-call-start")
    starts = [d for n, d in events if n == "tool-call-start"]
    assert [s["delta"]["message"]["tool_calls"]["function"]["name"] for s in starts] == ["get_weather", "get_time"]
    assert [s["index"] for s in starts] == [0, 1]
    args = "".join(
        d["delta"]["message"]["tool_calls"]["function"]["arguments"]
        for n, d in events
        if n == "tool-call-delta" and d["index"] == 0
    )
    assert json.loads(args) == {"location": "San Francisco, CA"}
    assert names.count("tool-call-end") == 2
    assert events[-1][1]["delta"]["finish_reason"] == "TOOL_CALL"


def test_citation_stream(cohere_server):
    events = _stream(cohere_server, documents=["Penguins are birds."])
    names = [n for n, _ in events]
    assert names.count("citation-start") == names.count("citation-end") == 1
    assert names.index("citation-end") < names.index("content-end")
    cit = next(d for n, d in events if n == "citation-start")["delta"]["message"]["citations"]
    assert cit["text"] == "This" and cit["sources"][0]["document"] == {"id": "doc:0", "text": "Penguins are birds."}


def test_limits(cohere_server):
    data = _chat(cohere_server, max_tokens=2).json()
    assert data["finish_reason"] == "MAX_TOKENS" and data["message"]["content"][0]["text"] == "This is"
    data = _chat(cohere_server, stop_sequences=["reply"]).json()
    assert data["finish_reason"] == "STOP_SEQUENCE" and data["message"]["content"][0]["text"] == "This is a fake "


def test_tool_choice_none_and_results(cohere_server):
    data = _chat(
        cohere_server, messages=[{"role": "user", "content": "weather?"}], tools=[WEATHER], tool_choice="NONE"
    ).json()
    assert "tool_calls" not in data["message"]
    history = [
        {"role": "user", "content": "weather?"},
        {
            "role": "assistant",
            "tool_plan": "I will check.",
            "tool_calls": [{"id": "w1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}],
        },
        {"role": "tool", "tool_call_id": "w1", "content": [{"type": "document", "document": {"data": "sunny"}}]},
    ]
    data = _chat(cohere_server, messages=history, tools=[WEATHER]).json()
    assert data["message"]["content"][0]["text"] == "According to the tool results: sunny"


def test_logprobs(cohere_server):
    data = _chat(cohere_server, logprobs=True).json()
    assert "".join(item["text"] for item in data["logprobs"]) == "This is a fake reply to: Hello there"
    assert all(len(item["token_ids"]) == len(item["logprobs"]) == 1 for item in data["logprobs"])


# --------------------------------------------------------------------------------- queued behaviour


def test_enqueue_reply(cohere_server):
    cit = {"start": 0, "end": 2, "text": "Hi", "type": "TEXT_CONTENT", "sources": []}
    cohere_server.enqueue_reply(
        "Hi there",
        tool_plan=None,
        thinking="hmm",
        citations=[cit],
        finish_reason="MAX_TOKENS",
        usage={"billed_units": {"input_tokens": 1, "output_tokens": 2}},
    )
    data = _chat(cohere_server).json()
    assert data["message"]["content"] == [{"type": "thinking", "thinking": "hmm"}, {"type": "text", "text": "Hi there"}]
    assert data["message"]["citations"] == [cit]
    assert data["finish_reason"] == "MAX_TOKENS"
    assert data["usage"] == {"billed_units": {"input_tokens": 1, "output_tokens": 2}}


def test_enqueue_reply_error_in_stream(cohere_server):
    cohere_server.enqueue_reply("partial", finish_reason="ERROR", error="boom")
    end = _stream(cohere_server)[-1][1]["delta"]
    assert (end["finish_reason"], end["error"]) == ("ERROR", "boom")


def test_enqueue_stream(cohere_server):
    cohere_server.enqueue_stream(
        [
            {"type": "message-start", "id": "x", "delta": {"message": {"role": "assistant"}}},
            b'event: debug\ndata: {"type": "debug"}\n\n',
        ]
    )
    names = [n for n, _ in _stream(cohere_server)]
    assert names == ["message-start", "debug", "message-end"]
    cohere_server.enqueue_stream(terminate=False)
    assert "message-end" not in [n for n, _ in _stream(cohere_server)]


def test_enqueue_stream_cut_after(cohere_server):
    cohere_server.enqueue_stream(cut_after=2)
    with pytest.raises(httpx.HTTPError):
        _chat(cohere_server, stream=True)


def test_enqueue_error(cohere_server):
    cohere_server.enqueue_error(429)
    r = _chat(cohere_server)
    assert r.status_code == 429 and r.json()["message"] == DEFAULT_ERRORS[429]
    assert r.headers["retry-after"] == "0"
    cohere_server.enqueue_error(404, model="command-x", headers={"x-debug-trace-id": None})
    r = _chat(cohere_server)
    assert r.json()["message"].startswith("model 'command-x' not found") and "x-debug-trace-id" not in r.headers
    cohere_server.enqueue_error(400, body=b"plain text")
    assert _chat(cohere_server).text == "plain text"


def test_path_restricted_queue(cohere_server):
    cohere_server.enqueue_error(500, path="/v2/embed")
    assert _chat(cohere_server).status_code == 200
    assert (
        _post(
            cohere_server,
            "/v2/embed",
            {"model": "embed-v4.0", "texts": ["a"], "input_type": "search_query", "embedding_types": ["float"]},
        ).status_code
        == 500
    )
    assert cohere_server.pending == 0


@pytest.mark.parametrize("kind", sorted(COHERE_FAULT_KINDS - {"stall", "reset"}))
def test_stream_faults(cohere_server, kind):
    cohere_server.enqueue_fault(kind)
    try:
        raw = _chat(cohere_server, stream=True).content
    except httpx.HTTPError:
        assert kind == "cut_stream"
        return
    assert kind != "cut_stream"
    if kind == "malformed_stream":
        assert b"{not json" in raw
    elif kind == "stream_error_event":
        assert sse_events(raw)[-1][1]["delta"]["finish_reason"] == "ERROR"
    else:
        assert b"message-end" not in raw


def test_unknown_fault_kind(cohere_server):
    with pytest.raises(ValueError, match="unknown fault kind"):
        cohere_server.enqueue_fault("explode")


def test_reset_fault(cohere_server):
    cohere_server.enqueue_fault("reset")
    with pytest.raises(httpx.HTTPError):
        _chat(cohere_server)


# --------------------------------------------------------------------------------- embed


def _embed(srv, **body):
    body.setdefault("model", "embed-english-v3.0")
    body.setdefault("texts", ["hello", "world"])
    body.setdefault("input_type", "search_document")
    body.setdefault("embedding_types", ["float"])
    return _post(srv, "/v2/embed", body)


@pytest.mark.parametrize(
    "body, message",
    [
        ({"input_type": None}, "valid input_type must be provided"),
        ({"input_type": "query"}, "valid input_type must be provided"),
        ({"embedding_types": None}, "embedding_types parameter is required"),
        ({"embedding_types": ["float16"]}, "embedding_types must be a list"),
        ({"texts": ["x"] * 97}, "total number of texts must be at most 96 - received 97"),
        ({"texts": ["ok", ""]}, "inputs contains an element that is the empty string at index 1"),
        ({"texts": None, "images": ["data:image/png;base64," + PNG_B64]}, "images must be used with input_type=image"),
        ({"output_dimension": 512}, "output_dimension is only available for embed-v4.0"),
        ({"model": "embed-v4.0", "output_dimension": 100}, "output_dimension must be one of"),
        ({"truncate": "MIDDLE"}, "truncate must be one of"),
        ({"encoding_format": "float"}, "unknown field 'encoding_format'"),
    ],
)
def test_embed_request_checks(cohere_server, body, message):
    payload = {
        "model": "embed-english-v3.0",
        "texts": ["hello"],
        "input_type": "search_document",
        "embedding_types": ["float"],
    }
    payload.update(body)
    r = _post(cohere_server, "/v2/embed", {k: v for k, v in payload.items() if v is not None})  # None: left out
    assert r.status_code == 400
    assert message in r.json()["message"]


def test_embed_types(cohere_server):
    data = _embed(cohere_server, embedding_types=["float", "int8", "uint8", "binary", "ubinary", "base64"]).json()
    emb = data["embeddings"]
    assert len(emb["float"]) == 2 and len(emb["float"][0]) == 1024
    assert len(emb["binary"][0]) == len(emb["ubinary"][0]) == 128
    assert [b - 128 for b in emb["ubinary"][0]] == emb["binary"][0]
    assert [v + 128 for v in emb["int8"][0]] == emb["uint8"][0]
    assert list(struct.unpack("<1024f", base64.b64decode(emb["base64"][0]))) == pytest.approx(emb["float"][0])
    assert data["texts"] == ["hello", "world"] and data["meta"]["billed_units"] == {"input_tokens": 2}
    again = _embed(cohere_server).json()["embeddings"]["float"]
    assert again == emb["float"]  # deterministic


def test_embed_dimensions_and_images(cohere_server):
    assert len(_embed(cohere_server, model="embed-v4.0").json()["embeddings"]["float"][0]) == 1536
    assert len(_embed(cohere_server, model="embed-v4.0", output_dimension=256).json()["embeddings"]["float"][0]) == 256
    assert len(_embed(cohere_server, model="embed-english-light-v3.0").json()["embeddings"]["float"][0]) == 384
    payload = {
        "model": "embed-v4.0",
        "images": ["data:image/png;base64," + PNG_B64],
        "input_type": "image",
        "embedding_types": ["float"],
    }
    data = _post(cohere_server, "/v2/embed", payload).json()
    assert data["images"][0]["format"] == "png" and data["meta"]["billed_units"] == {"images": 1}


# --------------------------------------------------------------------------------- rerank


def _rr(srv, **body):
    body.setdefault("model", "rerank-v3.5")
    body.setdefault("query", "capital of France")
    body.setdefault("documents", ["Paris is the capital of France.", "Berlin is in Germany.", "France has wine."])
    return _post(srv, "/v2/rerank", body)


@pytest.mark.parametrize(
    "body, message",
    [
        ({"query": "   "}, "query must not be empty or be only whitespace"),
        ({"documents": []}, "list of documents must not be empty"),
        ({"documents": ["a", ""]}, "document at index 1 cannot be empty"),
        ({"documents": [{"text": "a"}]}, "documents[0] must be a string"),
        ({"top_n": 0}, "top_n must be a positive integer"),
        ({"return_documents": True}, "unknown field 'return_documents'"),
        ({"rank_fields": ["text"]}, "unknown field 'rank_fields'"),
    ],
)
def test_rerank_request_checks(cohere_server, body, message):
    r = _rr(cohere_server, **body)
    assert r.status_code == 400 and message in r.json()["message"]


def test_rerank_answer(cohere_server):
    data = _rr(cohere_server).json()
    assert [r["index"] for r in data["results"]] == [0, 2, 1]
    scores = [r["relevance_score"] for r in data["results"]]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert set(data["results"][0]) == {"index", "relevance_score"}
    assert data["meta"]["billed_units"] == {"search_units": 1}
    assert [r["index"] for r in _rr(cohere_server, top_n=1).json()["results"]] == [0]
    many = _rr(cohere_server, documents=[f"doc {i}" for i in range(150)]).json()
    assert many["meta"]["billed_units"]["search_units"] == 2


def test_rerank_scores_are_deterministic_word_overlap():
    docs = ["Landing on the Moon", "the the the", "moons landed", "nothing here"]
    scores = rerank_scores("moon landing", docs)
    assert scores == rerank_scores("moon landing", docs)
    # plural and -ed / -ing endings match (a tie, broken by the index); stop words do not
    assert scores[:2] == [(0, 0.99), (2, 0.99)]
    assert dict(scores)[1] == dict(scores)[3] == 0.01
