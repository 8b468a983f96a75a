"""Shared helpers for the Cohere dialect tests (fixture paths, translation, decoding)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from litegate.core.call import build_chat_call, build_embedding_call
from litegate.core.http import Headers, HttpResponse
from litegate.core.resolve import Target
from litegate.providers.cohere import Cohere, CohereStreamDecoder

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "cohere"
KEY = "co-test-key"
MODEL = "command-r-plus-08-2024"
PROVIDER = Cohere()

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]},
    },
}
TIME = {
    "type": "function",
    "function": {
        "name": "get_time",
        "description": "Local time in a city",
        "parameters": {"type": "object", "properties": {"location": {"type": "string"}}},
    },
}
PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


def load(name: str) -> dict:
    """A JSON transcript of tests/fixtures/cohere (fails loudly when missing)."""
    path = FIXTURES / name
    if not path.exists():
        pytest.fail(f"transcript missing: {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def example(name: str) -> dict:
    return load("examples/" + name)


def sse_bytes(name: str) -> bytes:
    return (FIXTURES / "examples" / name).read_bytes()


def chat_examples() -> list:
    return sorted(p.name for p in (FIXTURES / "examples").glob("v2_chat__*.json"))


def json_answers() -> list:
    """(name, request, response body) of every documented non-stream chat example."""
    out = []
    for name in chat_examples():
        ex = example(name)
        if "body" in ex["response"]:
            out.append((name, ex["request"], ex["response"]["body"]))
    return out


def sse_files() -> list:
    return sorted(p.name for p in (FIXTURES / "examples").glob("*.sse"))


def target(model: str = MODEL, api_base: str = "https://api.cohere.com") -> Target:
    return Target("cohere", model, api_base, KEY)


def chat_call(model: str = MODEL, messages: Any = None, **kw: Any):
    messages = messages if messages is not None else [{"role": "user", "content": "Hello"}]
    return build_chat_call("cohere/" + model, messages, kw)


def translate(model: str = MODEL, messages: Any = None, drop: bool = False, **kw: Any) -> dict:
    """The /v2/chat body litegate sends for an OpenAI-form call."""
    call = chat_call(model, messages, **kw)
    return PROVIDER.chat_request(call, target(model), drop).json


def embed_body(model: str = "embed-v4.0", input: Any = "hello", drop: bool = False, **kw: Any) -> dict:
    call = build_embedding_call("cohere/" + model, input, kw)
    return PROVIDER.embedding_request(call, target(model), drop).json


def response(body: Any, status: int = 200, headers: Any = None) -> HttpResponse:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return HttpResponse(status, Headers(headers or {"content-type": "application/json"}), raw, "")


def parse(body: dict, model: str = MODEL, **kw: Any):
    return PROVIDER.parse_chat(response(body), chat_call(model, **kw), target(model))


def decode(data: bytes, pieces: list | None = None, *, include_usage: bool = True, model: str = MODEL) -> list:
    """Chunks from feeding ``data`` to a fresh decoder, split at the offsets in ``pieces``."""
    dec = CohereStreamDecoder(model, include_usage)
    out = []
    start = 0
    for cut in sorted(set(pieces or [])):
        out.extend(dec.feed(data[start:cut]))
        start = cut
    out.extend(dec.feed(data[start:]))
    out.extend(dec.finish())
    return out


def dumps_without_created(chunks: list) -> list:
    out = []
    for c in chunks:
        d = c.model_dump()
        d.pop("created", None)
        out.append(d)
    return out


def sse_events(data: bytes) -> list:
    """(event name, JSON payload) of an SSE byte stream, in order."""
    events = []
    for block in data.decode("utf-8").replace("\r\n", "\n").split("\n\n"):
        name = None
        payload = []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                payload.append(line[5:].lstrip())
        if payload:
            events.append((name, json.loads("\n".join(payload))))
    return events
