"""Shared helpers for the Vertex AI tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from litegate.core.call import build_chat_call, build_embedding_call
from litegate.core.http import Headers, HttpResponse
from litegate.core.resolve import Target
from litegate.providers.vertex import VertexAI

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "vertex"
MODEL = "gemini-2.5-flash"
PROVIDER = VertexAI()
TOKEN = "ya29.test-token-0123456789"
BASE = "https://us-central1-aiplatform.googleapis.com/v1/projects/proj/locations/us-central1"
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]},
    },
}


def text(path: str) -> str:
    return (FIXTURES / path).read_text(encoding="utf-8")


def load(path: str) -> Any:
    return json.loads(text(path))


def prepared(model: str = MODEL, api_base: str = BASE) -> Target:
    """A target as the credential step leaves it (resource prefix + bearer token)."""
    return Target("vertex_ai", model, api_base, None, headers={"authorization": "Bearer " + TOKEN})


def chat_call(model: str = MODEL, messages: Any = None, **kw: Any):
    messages = messages if messages is not None else [{"role": "user", "content": "Hello"}]
    return build_chat_call("vertex_ai/" + model, messages, kw)


def request(model: str = MODEL, messages: Any = None, drop: bool = False, **kw: Any):
    return PROVIDER.chat_request(chat_call(model, messages, **kw), prepared(model), drop)


def embed_request(model: str, input: Any, **kw: Any):
    call = build_embedding_call("vertex_ai/" + model, input, kw)
    return PROVIDER.embedding_request(call, prepared(model), False)


def response(body: Any, status: int = 200) -> HttpResponse:
    raw = body if isinstance(body, bytes) else (body.encode() if isinstance(body, str) else json.dumps(body).encode())
    return HttpResponse(status, Headers({"content-type": "application/json"}), raw, "")


def parse(body: Any, model: str = MODEL):
    return PROVIDER.parse_chat(response(body), chat_call(model), prepared(model))


def decode(data: bytes, pieces: list | None = None) -> list:
    dec = PROVIDER.stream_decoder(chat_call(stream=True, stream_options={"include_usage": True}), prepared())
    out = []
    start = 0
    for cut in sorted(set(pieces or [])):
        out.extend(dec.feed(data[start:cut]))
        start = cut
    out.extend(dec.feed(data[start:]))
    out.extend(dec.finish())
    return out


def joined(chunks: list, field: str = "content") -> str:
    return "".join(getattr(c.choices[0].delta, field) or "" for c in chunks if c.choices)
