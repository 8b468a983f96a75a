"""Shared helpers for the Gemini dialect tests (fixture paths, translating, parsing, decoding)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from litegate.core.call import build_chat_call, build_embedding_call
from litegate.core.http import Headers, HttpResponse
from litegate.core.resolve import Target
from litegate.providers.gemini import Gemini, GeminiStreamDecoder

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "gemini"
VERTEX_FIXTURES = FIXTURES.parent / "vertex"
KEY = "AIzaSyFakeKeyForLitegateTests0123456"
MODEL = "gemini-2.5-flash"
PROVIDER = Gemini()
PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]},
    },
}


def text(path: str, root: Path = FIXTURES) -> str:
    return (root / path).read_text(encoding="utf-8")


def load(path: str, root: Path = FIXTURES) -> Any:
    return json.loads(text(path, root))


def target(model: str = MODEL, api_base: str = "https://generativelanguage.googleapis.com") -> Target:
    return Target("gemini", model, api_base, KEY)


def chat_call(model: str = MODEL, messages: Any = None, **kw: Any):
    messages = messages if messages is not None else [{"role": "user", "content": "Hello"}]
    return build_chat_call("gemini/" + model, messages, kw)


def request(model: str = MODEL, messages: Any = None, drop: bool = False, **kw: Any):
    return PROVIDER.chat_request(chat_call(model, messages, **kw), target(model), drop)


def translate(model: str = MODEL, messages: Any = None, drop: bool = False, **kw: Any) -> dict:
    """The Gemini request body litegate sends for an OpenAI-form call."""
    return request(model, messages, drop, **kw).json


def embed_request(model: str = "gemini-embedding-001", input: Any = "hello", drop: bool = False, **kw: Any):
    call = build_embedding_call("gemini/" + model, input, kw)
    return PROVIDER.embedding_request(call, target(model), drop), call


def response(body: Any, status: int = 200, headers: Any = None) -> HttpResponse:
    raw = body if isinstance(body, bytes) else (body.encode() if isinstance(body, str) else json.dumps(body).encode())
    return HttpResponse(status, Headers(headers or {"content-type": "application/json"}), raw, "")


def parse(body: Any, model: str = MODEL, **kw: Any):
    return PROVIDER.parse_chat(response(body), chat_call(model, **kw), target(model))


def decode(data: bytes, pieces: list | None = None, *, include_usage: bool = True, model: str = MODEL) -> list:
    """Chunks from feeding ``data`` to a fresh decoder, split at the offsets in ``pieces``."""
    dec = GeminiStreamDecoder("gemini", model, include_usage)
    out = []
    start = 0
    for cut in sorted(set(pieces or [])):
        out.extend(dec.feed(data[start:cut]))
        start = cut
    out.extend(dec.feed(data[start:]))
    out.extend(dec.finish())
    return out


def dumps_without_ids(chunks: list) -> list:
    """Chunk dumps without the fields that differ between runs (created, generated ids)."""
    out = []
    for c in chunks:
        d = c.model_dump()
        d.pop("created", None)
        for choice in d.get("choices") or ():
            for call in (choice.get("delta") or {}).get("tool_calls") or ():
                call.pop("id", None)
        if str(d.get("id", "")).startswith("chatcmpl-"):
            d["id"] = None  # generated when the stream names no responseId
        out.append(d)
    return out


def joined(chunks: list, field: str = "content") -> str:
    return "".join(getattr(c.choices[0].delta, field) or "" for c in chunks if c.choices)


def sse_events(raw: str) -> list:
    """The JSON payloads of the ``data:`` events of an SSE text."""
    out = []
    for block in raw.replace("\r\n", "\n").split("\n\n"):
        data = [line[5:].lstrip() for line in block.split("\n") if line.startswith("data:")]
        if data:
            out.append(json.loads("\n".join(data)))
    return out
