"""Plain helpers shared by the core call-path tests (imported as ``from _core_helpers import ...``)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

REFERENCE_OPENAI = Path(__file__).resolve().parents[3] / "shared" / "reference" / "openai"

KEY = "sk-test-core-0123456789abcdef"
USER_TEXT = "Say something about the sea"


def user_messages(text: str = USER_TEXT) -> list:
    return [{"role": "user", "content": text}]


def reference_json(relative: str) -> dict:
    """A file of the shared OpenAI reference collection (fails loudly when it is missing)."""
    path = REFERENCE_OPENAI / relative
    if not path.exists():
        pytest.fail(f"reference file missing: {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def reference_stream_error_message() -> str:
    """The provider message of the documented mid-stream error event."""
    path = REFERENCE_OPENAI / "errors" / "stream_error_midstream.sse"
    if not path.exists():
        pytest.fail(f"reference file missing: {path}")
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("data:"):
            payload = json.loads(line[5:].strip())
            if "error" in payload:
                return payload["error"]["message"]
    pytest.fail("no error event in stream_error_midstream.sse")


def closed_port() -> int:
    """A local TCP port with nothing listening on it (connections are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pool_of(httpx_client):
    """The httpcore connection pool behind an ``httpx.Client`` / ``httpx.AsyncClient``."""
    return httpx_client._transport._pool


class async_pools:
    """The httpcore pools of an httpx transport's async clients in the running loop (it spreads
    requests over several), seen as one pool by :func:`busy_connections`."""

    def __init__(self, transport):
        self._transport = transport

    @property
    def connections(self) -> list:
        return [c for client in self._transport.async_clients() for c in pool_of(client).connections]

    @property
    def _requests(self) -> list:
        return [r for client in self._transport.async_clients() for r in pool_of(client)._requests]


def busy_connections(pool) -> tuple[int, int]:
    """(connections checked out of the pool, requests the pool still tracks as in flight).

    A connection that is neither idle nor closed is still serving a response; a released
    stream leaves (0, 0).
    """
    active = [c for c in pool.connections if not (c.is_idle() or c.is_closed())]
    return len(active), len(pool._requests)
