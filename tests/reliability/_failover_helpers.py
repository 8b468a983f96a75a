"""Plain helpers of the failover table tests (imported as ``from _failover_helpers import ...``).

:class:`Driver` makes one call the way a caller would - ``litegate.completion`` or
``litegate.acompletion``, streamed or not - consumes the answer completely and returns an
:class:`Outcome`: what the caller got (text, chunks, the response or stream object, the error and
whether it came from the call or while iterating) and when (monotonic times, comparable with the
fake server's ``RecordedRequest.received_at``).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import litegate

PRIMARY = "openai/primary"
BACKUP = "openai/backup"
KEY = "sk-reliability-0000000000000000"
MSGS = [{"role": "user", "content": "reliability probe"}]

# the settings, with the timeout scaled down (30 s -> 0.5 s)
RETRIES = 2
TIMEOUT = 0.5

# sixty distinguishable tokens for the constructed streams
TOKENS = [f"w{i:02d} " for i in range(60)]
CONTINUATION = "and here the continuation finishes the answer."


def text_of(n: int) -> str:
    """The text of the first ``n`` tokens."""
    return "".join(TOKENS[:n])


def chunk(
    content: str | None = None,
    *,
    role: str | None = None,
    finish: str | None = None,
    model: str = "primary",
    usage: dict[str, int] | None = None,
) -> dict[str, Any]:
    """One OpenAI ``chat.completion.chunk`` (a usage-only chunk when ``usage`` is given)."""
    delta: dict[str, Any] = {}
    if role is not None:
        delta["role"] = role
    if content is not None:
        delta["content"] = content
    body: dict[str, Any] = {
        "id": "chatcmpl-reliability",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    if usage is not None:
        body["choices"] = []
        body["usage"] = usage
    return body


def token_events(n: int = 60) -> list[dict[str, Any]]:
    """``n`` content chunks (the first one carries the role), none with a finish reason."""
    return [chunk(TOKENS[0], role="assistant")] + [chunk(t) for t in TOKENS[1:n]]


def models(server: Any, since: int = 0) -> list[str]:
    """The model each request (from the ``since``-th on) named, in arrival order."""
    return [r.json.get("model") for r in server.requests[since:] if isinstance(r.json, dict)]


def arrivals(server: Any, since: int = 0) -> list[float]:
    """When each request (from the ``since``-th on) arrived at the server (monotonic seconds)."""
    return [r.received_at for r in server.requests[since:]]


def gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in zip(times, times[1:], strict=False)]


def prefill_of(request: Any) -> Any:
    """The last message of a recorded chat request."""
    return (request.json or {}).get("messages", [None])[-1]


@dataclass
class Outcome:
    """One call as the caller lived it."""

    started: float
    response: Any = None  # a ModelResponse, or the stream wrapper
    chunks: list[Any] = field(default_factory=list)
    error: BaseException | None = None
    raised_at: str | None = None  # "call" (completion() raised) or "iteration" (the stream raised)
    returned: float | None = None  # completion() / acompletion() returned
    first_chunk_at: float | None = None
    last_chunk_at: float | None = None
    ended: float | None = None  # the answer was complete, or the error was raised

    @property
    def elapsed(self) -> float:
        return (self.ended or time.monotonic()) - self.started

    @property
    def text(self) -> str:
        if self.chunks:
            return "".join(c.choices[0].delta.content or "" for c in self.chunks if c.choices)
        if self.response is not None and not self.chunks and hasattr(self.response, "choices"):
            return self.response.choices[0].message.content or ""
        return ""

    @property
    def role_chunks(self) -> int:
        """How many chunks announced the assistant role."""
        return sum(1 for c in self.chunks if c.choices and getattr(c.choices[0].delta, "role", None))

    @property
    def finish_reasons(self) -> list[Any]:
        return [c.choices[0].finish_reason for c in self.chunks if c.choices and c.choices[0].finish_reason]

    @property
    def hidden(self) -> dict[str, Any]:
        return getattr(self.response, "_hidden_params", None) or {}

    def usage(self) -> dict[str, Any] | None:
        """The answer's usage: the response's, the last chunk's, or the stream's hidden ``usage``."""
        if self.response is not None and not self.chunks and getattr(self.response, "usage", None) is not None:
            return _as_dict(self.response.usage)
        for c in reversed(self.chunks):
            u = getattr(c, "usage", None)
            if u is not None and _as_dict(u).get("total_tokens"):
                return _as_dict(u)
        return self.hidden.get("usage")

    def __repr__(self) -> str:
        return (
            f"Outcome(error={self.error!r} at {self.raised_at}, chunks={len(self.chunks)}, "
            f"text={self.text[:60]!r}, elapsed={self.elapsed:.3f})"
        )


def _as_dict(usage: Any) -> dict[str, Any]:
    dump = getattr(usage, "model_dump", None)
    return dump() if dump is not None else dict(usage)


class Driver:
    """Calls in one mode (``"sync"``: ``completion``, ``"async"``: ``acompletion`` on one event loop
    kept for the whole test) with the table's defaults: two retries, the scaled timeout, the
    primary model, the test server."""

    def __init__(self, mode: str, server: Any):
        self.mode = mode
        self.server = server
        self._loop = asyncio.new_event_loop() if mode == "async" else None

    def close(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                loop.close()

    def settle(self, seconds: float = 0.05) -> None:
        """Let work scheduled on the async mode's loop (async callbacks) run."""
        if self._loop is not None:
            self._loop.run_until_complete(asyncio.sleep(seconds))
        else:
            time.sleep(seconds)

    def kwargs(self, stream: bool, server: Any = None, **kw: Any) -> dict[str, Any]:
        srv = server or self.server
        out: dict[str, Any] = {
            "messages": MSGS,
            "api_key": KEY,
            "api_base": srv.base_url,
            "num_retries": RETRIES,
            "timeout": TIMEOUT,
            "stream": stream,
        }
        out.update(kw)
        return out

    def call(self, stream: bool = False, *, model: str = PRIMARY, server: Any = None, **kw: Any) -> Outcome:
        kwargs = self.kwargs(stream, server, **kw)
        if self._loop is None:
            return _sync_call(model, kwargs)
        return self._loop.run_until_complete(_async_call(model, kwargs))


def _sync_call(model: str, kwargs: dict[str, Any]) -> Outcome:
    out = Outcome(started=time.monotonic())
    try:
        resp = litegate.completion(model=model, **kwargs)
    except Exception as exc:  # noqa: BLE001 - the outcome records it
        out.error, out.raised_at = exc, "call"
        out.returned = out.ended = time.monotonic()
        return out
    out.returned = time.monotonic()
    out.response = resp
    if not kwargs.get("stream"):
        out.ended = out.returned
        return out
    try:
        for c in resp:
            now = time.monotonic()
            if out.first_chunk_at is None:
                out.first_chunk_at = now
            out.last_chunk_at = now
            out.chunks.append(c)
    except Exception as exc:  # noqa: BLE001
        out.error, out.raised_at = exc, "iteration"
    out.ended = time.monotonic()
    return out


async def _async_call(model: str, kwargs: dict[str, Any]) -> Outcome:
    out = Outcome(started=time.monotonic())
    try:
        resp = await litegate.acompletion(model=model, **kwargs)
    except Exception as exc:  # noqa: BLE001
        out.error, out.raised_at = exc, "call"
        out.returned = out.ended = time.monotonic()
        return out
    out.returned = time.monotonic()
    out.response = resp
    if not kwargs.get("stream"):
        out.ended = out.returned
        return out
    try:
        async for c in resp:
            now = time.monotonic()
            if out.first_chunk_at is None:
                out.first_chunk_at = now
            out.last_chunk_at = now
            out.chunks.append(c)
    except Exception as exc:  # noqa: BLE001
        out.error, out.raised_at = exc, "iteration"
    out.ended = time.monotonic()
    return out
