"""Shared helpers for the Anthropic dialect tests (fixture paths, decoding, comparisons)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from litegate.core.call import build_chat_call
from litegate.core.http import Headers, HttpResponse
from litegate.core.resolve import Target
from litegate.providers.anthropic import Anthropic, AnthropicStreamDecoder

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "anthropic"
KEY = "sk-ant-test"
PROVIDER = Anthropic()

# every SSE transcript: the files in sse/ and the SSE responses inside recorded/*.json
SSE_FILES = sorted(p.name for p in (FIXTURES / "sse").iterdir())


def recorded(name: str) -> list:
    return json.loads((FIXTURES / "recorded" / name).read_text(encoding="utf-8"))


def recorded_names() -> list:
    return sorted(p.name for p in (FIXTURES / "recorded").glob("*.json"))


def recorded_streams() -> list:
    """(id, SSE text) of every recorded exchange whose response is a 200 event stream."""
    out = []
    for name in recorded_names():
        for i, ex in enumerate(recorded(name)):
            resp = ex["response"]
            if resp["status_code"] == 200 and isinstance(resp["body"], str):
                out.append((f"{name}#{i}", resp["body"]))
    return out


def recorded_messages() -> list:
    """(id, request body, response JSON) of every recorded exchange answered with a 200 message."""
    out = []
    for name in recorded_names():
        for i, ex in enumerate(recorded(name)):
            resp = ex["response"]
            if resp["status_code"] == 200 and isinstance(resp["body"], dict):
                out.append((f"{name}#{i}", ex["request"]["body"], resp["body"]))
    return out


def all_streams() -> list:
    streams = [(f"sse/{n}", (FIXTURES / "sse" / n).read_text(encoding="utf-8")) for n in SSE_FILES]
    return streams + recorded_streams()


def target(model: str = "claude-sonnet-4-5", api_base: str = "https://api.anthropic.com") -> Target:
    return Target("anthropic", model, api_base, KEY)


def chat_call(model: str = "claude-sonnet-4-5", messages: Any = None, **kw: Any):
    messages = messages if messages is not None else [{"role": "user", "content": "Hello"}]
    return build_chat_call("anthropic/" + model, messages, kw)


def translate(model: str = "claude-sonnet-4-5", messages: Any = None, drop: bool = False, **kw: Any) -> dict:
    """The Anthropic request body litegate sends for an OpenAI-form call."""
    call = chat_call(model, messages, **kw)
    return PROVIDER.chat_request(call, target(model), drop).json


def response(body: Any, status: int = 200, headers: Any = None) -> HttpResponse:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return HttpResponse(status, Headers(headers or {"content-type": "application/json"}), raw, "")


def parse(body: dict, model: str = "claude-sonnet-4-5", **kw: Any):
    call = chat_call(model, **kw)
    return PROVIDER.parse_chat(response(body), call, target(model))


def decode(
    data: bytes,
    pieces: list | None = None,
    *,
    include_usage: bool = True,
    json_tool: bool = False,
    model: str = "claude-sonnet-4-5",
) -> list:
    """Chunks from feeding ``data`` to a fresh decoder, split at the offsets in ``pieces``."""
    dec = AnthropicStreamDecoder(model, include_usage, json_tool)
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


def sse_events(text: str) -> list:
    """The JSON payloads of an SSE text, in order (comments and blank lines skipped)."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        data = [line[5:].lstrip() for line in block.split("\n") if line.startswith("data:")]
        if data:
            events.append(json.loads("\n".join(data)))
    return events


def strip_keys(obj: Any, keys: set) -> Any:
    """``obj`` without the given keys at any depth (for documented differences)."""
    if isinstance(obj, dict):
        return {k: strip_keys(v, keys) for k, v in obj.items() if k not in keys}
    if isinstance(obj, list):
        return [strip_keys(v, keys) for v in obj]
    return obj
