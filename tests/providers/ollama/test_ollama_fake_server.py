"""The fake Ollama server itself, spoken to with plain httpx: routes, stream framing, defaults,
request checks, queued replies / streams / errors and faults."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from _ollama_helpers import TOOL, user

from litegate.testing import FakeOllamaServer


def _lines(resp: httpx.Response) -> list[dict]:
    return [json.loads(line) for line in resp.text.splitlines() if line.strip()]


@pytest.fixture
def http(ollama):
    with httpx.Client(base_url=ollama.url, timeout=10) as client:
        yield client


def test_exported_lazily_from_litegate_testing():
    import litegate.testing as t

    assert t.FakeOllamaServer is FakeOllamaServer
    srv = FakeOllamaServer()
    assert "stopped" in repr(srv)
    assert srv.base_url == srv.url


def test_root_version_tags_and_unknown_routes(http, ollama):
    assert http.get("/").text == "Ollama is running"
    assert "version" in http.get("/api/version").json()
    names = [m["name"] for m in http.get("/api/tags").json()["models"]]
    assert "llama3.2:latest" in names
    r = http.get("/api/nope")
    assert r.status_code == 404 and r.text == "404 page not found"
    assert http.get("/api/chat").status_code == 405
    assert ollama.hits("/api/tags") == 1


def test_stream_is_the_default_as_in_ollama(http):
    r = http.post("/api/chat", json={"model": "llama3.2", "messages": user("hello there")})
    assert r.headers["content-type"] == "application/x-ndjson"
    objs = _lines(r)
    assert [o["done"] for o in objs] == [False] * (len(objs) - 1) + [True]
    assert "".join(o["message"]["content"] for o in objs) == "This is a fake reply to: hello there"
    final = objs[-1]
    assert final["done_reason"] == "stop" and final["eval_count"] == len(objs) - 1
    assert final["prompt_eval_count"] > 0 and final["total_duration"] > 0
    assert final["created_at"].endswith("Z") and len(final["created_at"].split(".")[1]) == 10  # nanoseconds


def test_non_stream_json(http):
    r = http.post("/api/chat", json={"model": "llama3.2", "messages": user("hi"), "stream": False})
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["message"] == {"role": "assistant", "content": "This is a fake reply to: hi"}
    assert body["done"] is True


def test_generate_context_load_and_unload(http):
    body = http.post("/api/generate", json={"model": "llama3.2", "prompt": "hi", "stream": False}).json()
    assert body["response"] == "This is a fake reply to: hi" and body["context"] == [1, 2, 3]
    raw = http.post("/api/generate", json={"model": "llama3.2", "prompt": "hi", "raw": True, "stream": False}).json()
    assert "context" not in raw
    load = http.post("/api/generate", json={"model": "llama3.2", "stream": False}).json()
    assert load["response"] == "" and load["done_reason"] == "load"
    unload = http.post("/api/generate", json={"model": "llama3.2", "keep_alive": 0, "stream": False}).json()
    assert unload == {
        "model": "llama3.2",
        "created_at": unload["created_at"],
        "response": "",
        "done_reason": "unload",
        "done": True,
    }
    chat = http.post("/api/chat", json={"model": "llama3.2", "messages": [], "stream": False}).json()
    assert chat["message"]["content"] == "" and chat["done_reason"] == "load"


def test_num_predict_format_think_and_tools(http):
    r = http.post(
        "/api/chat",
        json={"model": "m", "messages": user("a b c d e f"), "stream": False, "options": {"num_predict": 2}},
    ).json()
    assert r["done_reason"] == "length" and r["eval_count"] == 2
    r = http.post(
        "/api/chat",
        json={
            "model": "m",
            "messages": user("x"),
            "stream": False,
            "format": {"type": "object", "properties": {"n": {"type": "integer"}}},
        },
    ).json()
    assert json.loads(r["message"]["content"]) == {"n": 1}
    r = http.post("/api/chat", json={"model": "m", "messages": user("x"), "stream": False, "think": "low"}).json()
    assert r["message"]["thinking"].startswith("Let me think")
    r = http.post(
        "/api/chat", json={"model": "m", "messages": user("weather in Paris?"), "stream": False, "tools": [TOOL]}
    ).json()
    assert r["message"]["tool_calls"] == [
        {"function": {"name": "get_weather", "arguments": {"city": "San Francisco, CA"}}}
    ]


@pytest.mark.parametrize(
    "body,needle",
    [
        ({"messages": user("x")}, "model is required"),
        ({"model": "m", "messages": [{"role": "robot", "content": "x"}]}, "invalid role"),
        (
            {"model": "m", "messages": [{"role": "user", "content": [{"type": "text", "text": "x"}]}]},
            "cannot unmarshal",
        ),
        (
            {"model": "m", "messages": [{"role": "user", "content": "x", "images": ["data:image/png;base64,AAAA"]}]},
            "illegal base64",
        ),
        (
            {
                "model": "m",
                "messages": [
                    {"role": "assistant", "tool_calls": [{"function": {"name": "f", "arguments": '{"a": 1}'}}]}
                ],
            },
            "ToolCallFunction",
        ),
        ({"model": "m", "messages": user("x"), "options": {"stop": "\n"}}, "stop"),
        ({"model": "m", "messages": user("x"), "format": "xml"}, "invalid format"),
        ({"model": "m", "prompt": "x", "tools": [TOOL]}, "unknown field"),
    ],
)
def test_requests_ollama_would_reject(http, body, needle):
    path = "/api/generate" if "prompt" in body else "/api/chat"
    r = http.post(path, json=dict(body, stream=False))
    assert r.status_code == 400
    assert needle in r.json()["error"]


def test_not_json_body(http):
    r = http.post("/api/chat", content=b"x{", headers={"content-type": "application/json"})
    assert r.status_code == 400 and "invalid character" in r.json()["error"]


def test_models_restrict_and_404_everywhere():
    with FakeOllamaServer(models=["llama3.2"]) as srv, httpx.Client(base_url=srv.url) as c:
        for path, body in (
            ("/api/chat", {"messages": user("x")}),
            ("/api/generate", {"prompt": "x"}),
            ("/api/embed", {"input": "x"}),
        ):
            r = c.post(path, json=dict(body, model="nope", stream=False))
            assert r.status_code == 404
            assert r.json() == {"error": 'model "nope" not found, try pulling it first'}
        assert [m["name"] for m in c.get("/api/tags").json()["models"]] == ["llama3.2:latest"]


def test_embed(http):
    r = http.post("/api/embed", json={"model": "all-minilm", "input": ["a", "b"], "dimensions": 3}).json()
    assert len(r["embeddings"]) == 2 and all(len(v) == 3 for v in r["embeddings"])
    assert abs(sum(x * x for x in r["embeddings"][0]) - 1.0) < 1e-5  # unit length, as documented
    assert r["prompt_eval_count"] == 2
    assert http.post("/api/embed", json={"model": "m", "input": [1, 2]}).status_code == 400


def test_require_key():
    with FakeOllamaServer(require_key="k1") as srv, httpx.Client(base_url=srv.url) as c:
        r = c.post("/api/chat", json={"model": "m", "messages": user("x"), "stream": False})
        assert r.status_code == 401 and r.json() == {"error": "unauthorized"}
        r = c.post(
            "/api/chat",
            json={"model": "m", "messages": user("x"), "stream": False},
            headers={"authorization": "Bearer k1"},
        )
        assert r.status_code == 200


def test_enqueue_reply_shapes(http, ollama):
    ollama.enqueue_reply(
        "Sure.", thinking="Hmm.", usage={"prompt_eval_count": 5, "eval_count": 9}, done_reason="length", model="other"
    )
    r = http.post("/api/chat", json={"model": "llama3.2", "messages": user("x"), "stream": False}).json()
    assert r["model"] == "other"
    assert r["message"] == {"role": "assistant", "content": "Sure.", "thinking": "Hmm."}
    assert (r["prompt_eval_count"], r["eval_count"], r["done_reason"]) == (5, 9, "length")
    ollama.enqueue_reply(
        None,
        tool_calls=[{"id": "call_9", "name": "f", "arguments": '{"a": 1}'}],
        usage={"prompt_tokens": 1, "completion_tokens": 2},
    )
    objs = _lines(http.post("/api/chat", json={"model": "m", "messages": user("x")}))
    calls = [tc for o in objs for tc in (o["message"].get("tool_calls") or [])]
    assert calls == [{"function": {"name": "f", "arguments": {"a": 1}}, "id": "call_9"}]
    assert (objs[-1]["prompt_eval_count"], objs[-1]["eval_count"]) == (1, 2)
    ollama.enqueue_reply("gen text", path="/api/generate")
    assert (
        http.post("/api/chat", json={"model": "m", "messages": user("q"), "stream": False}).json()["message"]["content"]
        == "This is a fake reply to: q"
    )  # the queued reply waits for its path
    assert (
        http.post("/api/generate", json={"model": "m", "prompt": "p", "stream": False}).json()["response"] == "gen text"
    )


def test_enqueue_error_defaults(http, ollama):
    ollama.enqueue_error(404, model="llama9")
    ollama.enqueue_error(500)
    ollama.enqueue_error(429)
    ollama.enqueue_error(400, message="custom")
    r = http.post("/api/chat", json={"model": "llama9", "messages": user("x")})
    assert r.status_code == 404 and r.json() == {"error": 'model "llama9" not found, try pulling it first'}
    r = http.post("/api/chat", json={"model": "m", "messages": user("x")})
    assert r.status_code == 500 and r.json() == {"error": "the model failed to generate a response"}
    r = http.post("/api/chat", json={"model": "m", "messages": user("x")})
    assert r.status_code == 429 and r.headers["retry-after"] == "0"
    assert http.post("/api/chat", json={"model": "m", "messages": user("x")}).json() == {"error": "custom"}


def test_enqueue_stream_lines_bytes_delay_and_cut(http, ollama):
    ollama.enqueue_stream(
        [
            {"model": "m", "message": {"content": "a"}, "done": False},
            b'{"model": "m", "message": {"con',
            b'tent": "b"}, "done": false}\n',
            '{"model": "m", "message": {"content": ""}, "done": true}',
        ],
        chunk_delay=0.01,
    )
    t0 = time.monotonic()
    objs = _lines(http.post("/api/chat", json={"model": "m", "messages": user("x")}))
    assert time.monotonic() - t0 >= 0.02
    assert [o["message"]["content"] for o in objs] == ["a", "b", ""]
    ollama.enqueue_stream(None, cut_after=1)
    with pytest.raises(httpx.RemoteProtocolError):
        http.post("/api/chat", json={"model": "m", "messages": user("one two")})


def test_faults(ollama):
    with httpx.Client(base_url=ollama.url) as c:
        body = {"model": "m", "messages": user("one two three")}
        ollama.enqueue_fault("no_done")
        objs = _lines(c.post("/api/chat", json=body))
        assert objs and not any(o["done"] for o in objs)
        ollama.enqueue_fault("stream_error_event")
        objs = _lines(c.post("/api/chat", json=body))
        assert objs[-1] == {"error": "an error was encountered while running the model"}
        ollama.enqueue_fault("malformed_stream")
        lines = c.post("/api/chat", json=body).text.splitlines()
        with pytest.raises(ValueError):
            [json.loads(line) for line in lines]
        assert json.loads(lines[-1])["done"] is True
        ollama.enqueue_fault("cut_stream")
        with pytest.raises(httpx.RemoteProtocolError):
            c.post("/api/chat", json=body)
        ollama.enqueue_fault("reset")
        with pytest.raises(httpx.TransportError):
            c.post("/api/chat", json=body)
        with pytest.raises(ValueError):
            ollama.enqueue_fault("nonsense")
    assert ollama.hits("/api/chat") == 5


def test_close_framing_and_generate_stream():
    with FakeOllamaServer(sse_framing="close") as srv, httpx.Client(base_url=srv.url) as c:
        objs = _lines(c.post("/api/generate", json={"model": "m", "prompt": "hi there"}))
        assert "".join(o["response"] for o in objs) == "This is a fake reply to: hi there"
        assert objs[-1]["context"] == [1, 2, 3]
