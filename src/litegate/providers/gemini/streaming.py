"""Gemini streams: SSE, one ``GenerateContentResponse`` per ``data:`` event and no terminator.

A stream is complete when a ``finishReason`` was seen; one that ends without one raises
``APIConnectionError``. The chunk with ``finish_reason`` (and, with
``stream_options={"include_usage": True}``, the last cumulative ``usage``) is emitted when the
stream ends. Function calls arrive whole (one delta each). An error object inside the stream (as
an event, or as raw JSON Google appends to it) raises the mapped exception after the chunks
before it.

Two pieces, as for every dialect (providers/base.py): :class:`GoogleStreamFramer` cuts the bytes
into items (SSE events, plus the bare JSON values Google appends), :class:`GeminiStreamDecoder`
turns items into chunks. Both give the same result however the bytes are split into reads.
"""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING, Any

from ...core.framing import SSEFramer
from ...core.jsonutil import loads
from ...exceptions import APIResponseValidationError
from ...types.utils import ModelResponseStream
from ..base import StreamDecoder
from .common import _json_text
from .response import (
    CANDIDATE_FIELDS,
    candidate_fields,
    embedded_error,
    finish_reason,
    google_error,
    logprobs_of,
    read_parts,
    thinking_blocks,
    usage_of,
)

if TYPE_CHECKING:
    from ..base import Chunk

__all__ = ["GeminiStreamDecoder", "GoogleStreamFramer", "RAW_JSON", "UNPARSED"]

_SSE_FIELDS = (b"data", b"event", b"id", b"retry")
MAX_RAW_JSON_BYTES = 64 * 1024  # bare (non-SSE) lines awaiting a JSON value: Google's error objects are small
MAX_RAW_JSON_LINES = 1000


class _Marker:
    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


RAW_JSON = _Marker("RAW_JSON")  # item (RAW_JSON, value): a bare JSON value between the events
UNPARSED = _Marker("UNPARSED")  # item (UNPARSED, text): bare lines that never became JSON (at the end)


class GoogleStreamFramer(SSEFramer):
    """Server-Sent Events as Google sends them: ``(event, data)`` pairs, plus ``(RAW_JSON, value)``
    for lines that are not SSE fields (Google appends a bare, often pretty-printed, error object to
    a failing stream) once they parse as JSON, and a last ``(UNPARSED, text)`` when some never did.

    A bare value is parsed again only when a line could end it (one line so far, or a line ending
    in ``}`` or ``]``: a JSON value spanning lines can end no other way), and bare lines are bounded
    by :data:`MAX_RAW_JSON_BYTES` and :data:`MAX_RAW_JSON_LINES`; past them the stream raises
    ``APIResponseValidationError``. So bare lines cost linear time, never quadratic."""

    __slots__ = ("_raw", "_raw_size")

    def __init__(self) -> None:
        super().__init__()
        self._raw: list[str] = []
        self._raw_size = 0

    def flush(self) -> list[tuple[Any, Any]]:
        out: list[tuple[Any, Any]] = super().flush()
        if self._raw:
            out.append((UNPARSED, "\n".join(self._raw)))
            self._raw = []
            self._raw_size = 0
        return out

    def _line(self, line: bytes, out: list[tuple[Any, Any]]) -> None:
        bare = line[:-1] if line.endswith(b"\r") else line
        if bare and bare[:1] != b":" and bare.partition(b":")[0] not in _SSE_FIELDS:
            self._raw_size += len(bare) + 1
            if self._raw_size > MAX_RAW_JSON_BYTES or len(self._raw) >= MAX_RAW_JSON_LINES:
                raise APIResponseValidationError(
                    message=f"stream sent bare lines that are not SSE and not JSON past the limit of "
                    f"MAX_RAW_JSON_BYTES={MAX_RAW_JSON_BYTES} / MAX_RAW_JSON_LINES={MAX_RAW_JSON_LINES} "
                    f"(litegate.providers.gemini.streaming): {self._raw[0][:200]!r}"
                )
            self._raw.append(bare.decode("utf-8", "replace"))
            if len(self._raw) > 1 and bare.rstrip()[-1:] not in (b"}", b"]"):
                return  # a value spanning lines can only end with } or ]
            try:
                value = loads("\n".join(self._raw))
            except ValueError:
                return  # more lines of the value to come
            self._raw = []
            self._raw_size = 0
            out.append((RAW_JSON, value))
            return
        super()._line(line, out)


class GeminiStreamDecoder(StreamDecoder):
    """Items of a Gemini stream -> ``ModelResponseStream`` chunks; strict about how it ends.

    Each ``data:`` event is a ``GenerateContentResponse``: its parts become deltas (the first chunk
    of a candidate carries ``role: "assistant"``). A bare JSON error object raises that error.
    """

    __slots__ = ("include_usage", "id", "created", "resp_model", "usage", "_finish", "_tools", "_started", "_emitted")
    framing = GoogleStreamFramer
    end_marker = "a finish reason"

    def __init__(self, provider: str, model: str, include_usage: bool = False, framer: Any = None):
        super().__init__(provider, model, framer)
        self.include_usage = include_usage
        self.id = "chatcmpl-" + uuid.uuid4().hex
        self.created = int(time.time())
        self.resp_model = model
        self.usage: Any = None
        self._finish: dict[int, Any] = {}  # candidate index -> Gemini finishReason
        self._tools: dict[int, int] = {}  # candidate index -> tool calls so far
        self._started: set[int] = set()  # candidates that got their first (role) chunk
        self._emitted: set[int] = set()  # candidates that produced any content

    def complete(self) -> bool:
        return bool(self._finish)

    def final(self) -> list[Chunk]:
        self.done = True
        return [self._final()]

    def _convert_into(self, items: list[tuple[Any, Any]], out: list[Chunk]) -> None:
        for event, data in items:
            if event is RAW_JSON:
                self._bare(data)
            elif event is UNPARSED:
                raise self.malformed("stream event", data)
            else:
                self._event(data, out)

    def _bare(self, value: Any) -> None:
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if isinstance(value, dict) and "error" in value:
            raise google_error(value, self.provider, self.model)
        raise self.malformed("stream event", _json_text(value))

    def _event(self, text: str, out: list[Chunk]) -> None:
        try:
            obj = loads(text)
        except ValueError:
            raise self.malformed("stream event", text) from None
        if not isinstance(obj, dict):
            raise self.malformed("stream event", text)
        err = embedded_error(obj, self.provider, self.model, blocks=not self._emitted)
        if err is not None:
            raise err
        candidates = obj.get("candidates")
        if isinstance(obj.get("responseId"), str):
            self.id = obj["responseId"]
        if isinstance(obj.get("modelVersion"), str):
            self.resp_model = obj["modelVersion"]
        if isinstance(obj.get("usageMetadata"), dict):
            self.usage = obj["usageMetadata"]
        if not isinstance(candidates, list) or not candidates:
            if isinstance(obj.get("usageMetadata"), dict):
                return  # a usage-only event
            raise self.malformed("stream event", text)
        choices: list[dict[str, Any]] = []
        for position, cand in enumerate(candidates):
            if not isinstance(cand, dict):
                raise self.malformed("stream event", text)
            choice = self._choice(cand, position)
            if choice is not None:
                choices.append(choice)
        if choices:
            out.append(self._chunk(choices))

    def _choice(self, cand: dict[str, Any], position: int) -> dict[str, Any] | None:
        index = cand["index"] if isinstance(cand.get("index"), int) else position
        content = cand.get("content")
        start = self._tools.get(index, 0)
        read = read_parts(content.get("parts") if isinstance(content, dict) else None, start, stream=True)
        delta: dict[str, Any] = {}
        if read.text:
            delta["content"] = "".join(read.text)
        if read.reasoning:
            delta["reasoning_content"] = "".join(read.reasoning)
            delta["thinking_blocks"] = thinking_blocks(read)
        if read.tool_calls:
            delta["tool_calls"] = read.tool_calls
            self._tools[index] = start + len(read.tool_calls)
        if read.images:
            delta["images"] = read.images
        psf = candidate_fields(cand, CANDIDATE_FIELDS[1:5])
        if read.signatures:
            psf["thought_signatures"] = read.signatures
        if delta:
            self._emitted.add(index)
        if cand.get("finishReason"):
            self._finish[index] = cand["finishReason"]
            if cand.get("safetyRatings") is not None:
                psf["safety_ratings"] = cand["safetyRatings"]
        if psf:
            delta["provider_specific_fields"] = psf
        lp = logprobs_of(cand.get("logprobsResult"))
        if not delta and lp is None and index in self._started:
            return None
        if index not in self._started:
            self._started.add(index)
            delta = {"role": "assistant", **delta}
            delta.setdefault("content", "")
        choice: dict[str, Any] = {"index": index, "delta": delta, "finish_reason": None}
        if lp is not None:
            choice["logprobs"] = lp
        return choice

    def _final(self) -> ModelResponseStream:
        choices = [
            {"index": i, "delta": {}, "finish_reason": finish_reason(r, self._tools.get(i, 0) > 0)}
            for i, r in sorted(self._finish.items())
        ]
        if self.include_usage:
            return self._chunk(choices, usage=usage_of(self.usage))
        return self._chunk(choices)

    def _chunk(self, choices: list[Any], **kw: Any) -> ModelResponseStream:
        return ModelResponseStream(
            id=self.id,
            created=self.created,
            model=self.resp_model,
            object="chat.completion.chunk",
            choices=choices,
            **kw,
        )
