"""Plain helpers of the Ollama tests (imported as ``from _ollama_helpers import ...``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ollama"
TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the weather in a given city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "description": "The city to get the weather for"}},
            "required": ["city"],
        },
    },
}


def transcript(name: str) -> dict:
    """A JSON transcript of ``tests/fixtures/ollama`` (fails loudly when missing)."""
    path = FIXTURES / name
    if not path.exists():
        pytest.fail(f"transcript missing: {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def ndjson(name: str) -> tuple[bytes, list[dict]]:
    """An NDJSON transcript: (the stream's bytes without the ``_source`` line, its objects)."""
    path = FIXTURES / name
    if not path.exists():
        pytest.fail(f"transcript missing: {path}")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert "_source" in json.loads(lines[0])
    body = lines[1:]
    return ("\n".join(body) + "\n").encode("utf-8"), [json.loads(line) for line in body]


def user(text: str) -> list:
    return [{"role": "user", "content": text}]
