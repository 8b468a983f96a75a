"""The fake-server base: a dialect plugs in by declaration (routes, auth rule, stream framing)."""

from __future__ import annotations

import inspect
import json
from typing import Any

import httpx
import pytest

from litegate import testing
from litegate.testing._server import (
    Call,
    Events,
    FakeServerBase,
    Invalid,
    RecordedRequest,
    Route,
    Streams,
    _Raw,
    ndjson_line,
)

DIALECTS = [
    "FakeOpenAIServer",
    "FakeAnthropicServer",
    "FakeCohereServer",
    "FakeGeminiServer",
    "FakeOllamaServer",
    "FakeBudgetServer",
]


class EchoServer(FakeServerBase):
    """A made-up dialect: ``POST /echo`` answers ``{"echo": text}`` or streams its words as NDJSON."""

    routes = (Route(r"/echo", "_echo"), Route(r"/items/(?P<item>[^/]+)", "_item", ("GET",)))
    key_headers = (("x-key", ""),)
    fault_kinds = FakeServerBase.fault_kinds | {"no_end"}
    streams = Streams(
        headers={"content-type": "application/x-ndjson"},
        encode=ndjson_line,
        malformed_event=b"{not json\n",
        error_event=b'{"error":"boom"}\n',
    )

    def enqueue_reply(self, text: str, *, count: int = 1) -> None:
        self._queue_reply(text, None, None, None, 0.0, None, None, count, None)

    def _error(self, status: int, message: str) -> _Raw:
        return self._json(status, {"problem": message})

    def _auth_error(self, rec: RecordedRequest) -> _Raw:
        return self._error(401, "who are you")

    def _echo(self, call: Call) -> Any:
        body = call.rec.json
        if not isinstance(body, dict) or not isinstance(body.get("text"), str):
            raise Invalid("text is required", 422)
        text = call.reply.content if call.reply is not None else body["text"]
        if call.stream or body.get("stream"):
            return Events([ndjson_line({"word": w}) for w in text.split()] + [ndjson_line({"done": True})])
        return self._json(200, {"echo": text})

    def _item(self, call: Call) -> Any:
        return self._json(200, {"item": call.params["item"]})


def _lines(r: httpx.Response) -> list:
    return [json.loads(line) for line in r.text.splitlines() if line]


@pytest.fixture
def echo():
    with EchoServer(require_key="k") as srv, httpx.Client(base_url=srv.url, headers={"x-key": "k"}) as c:
        yield srv, c


def test_declared_routes_answer(echo):
    srv, c = echo
    assert c.post("/echo", json={"text": "a b"}).json() == {"echo": "a b"}
    assert c.get("/items/42/").json() == {"item": "42"}  # a trailing "/" is ignored
    assert _lines(c.post("/echo", json={"text": "a b", "stream": True})) == [
        {"word": "a"},
        {"word": "b"},
        {"done": True},
    ]
    r = c.post("/echo", json={})
    assert r.status_code == 422 and r.json() == {"problem": "text is required"}
    assert c.post("/nope").status_code == 404 and c.get("/echo").status_code == 405
    assert srv.hits("/echo") == 4 and srv.requests[0].json == {"text": "a b"}


def test_auth_rule_and_queue(echo):
    srv, c = echo
    srv.enqueue_reply("queued")
    r = httpx.post(srv.url + "/echo", json={"text": "x"})
    assert r.status_code == 401 and r.json() == {"problem": "who are you"}
    assert srv.pending == 1  # a rejected request does not take the queued reply
    assert c.post("/echo", json={"text": "x"}).json() == {"echo": "queued"}
    srv.enqueue_raw(418, {"tea": True}, path="/items/1")
    assert c.post("/echo", json={"text": "x"}).status_code == 200
    assert c.get("/items/1").status_code == 418


def test_stream_faults_follow_the_declaration(echo):
    srv, c = echo
    body = {"text": "one two three four"}
    srv.enqueue_fault("no_end")
    assert _lines(c.post("/echo", json=body))[-1] == {"word": "four"}
    srv.enqueue_fault("stream_error_event")
    assert _lines(c.post("/echo", json=body))[-1] == {"error": "boom"}
    srv.enqueue_fault("malformed_stream")
    assert "{not json" in c.post("/echo", json=body).text
    srv.enqueue_fault("cut_stream")
    with pytest.raises(httpx.RemoteProtocolError):
        c.post("/echo", json=body)
    srv._queue_stream([{"a": 1}, "raw line"], 0.0, True, None, 0.0, 200, None, None)
    assert c.post("/echo", json=body).text == '{"a":1}\nraw line\n'
    srv.enqueue_fault("cut_stream")
    r = c.post("/echo", json={})  # no stream to break: the route's error answers
    assert r.status_code == 422
    with pytest.raises(ValueError, match="unknown fault kind"):
        srv.enqueue_fault("explode")


def test_a_route_must_name_a_handler():
    with pytest.raises(TypeError, match="_missing"):
        type("Broken", (FakeServerBase,), {"routes": (Route("/x", "_missing"),)})


@pytest.mark.parametrize("name", DIALECTS)
def test_dialects_only_fill_in_hooks(name):
    """Every method a dialect shares with the base has the base's parameters: no incompatible overrides."""
    cls = getattr(testing, name)
    assert issubclass(cls, FakeServerBase)
    for attr, value in vars(cls).items():
        base: Any | None = getattr(FakeServerBase, attr, None)
        if attr.startswith("__") or not callable(value) or not callable(base):
            continue
        mine = [p.name for p in inspect.signature(value).parameters.values()]
        theirs = [p.name for p in inspect.signature(base).parameters.values()]
        assert mine == theirs, f"{name}.{attr}{inspect.signature(value)} vs {inspect.signature(base)}"
