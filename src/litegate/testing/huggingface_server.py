"""A fake Hugging Face server (standard library only): Text Generation Inference's native routes,
its OpenAI-compatible Messages API, and feature extraction.

* ``POST /generate`` -> ``{"generated_text", "details": {finish_reason, generated_tokens, seed, ...}}``;
* ``POST /generate_stream`` -> SSE token events (``{"index", "token": {id, text, logprob, special},
  "generated_text", "details"}``), the last with ``generated_text`` and ``details`` (including
  ``input_length``), as TGI's OpenAPI document describes them;
* ``POST /v1/chat/completions`` (and ``/chat/completions`` under any prefix, as the router's
  ``/v1``): OpenAI chat completions, JSON or SSE ending in ``data: [DONE]``;
* ``POST /hf-inference/models/{model}/pipeline/feature-extraction`` and ``POST /`` (an
  Inference Endpoint's root): ``{"inputs": str | [str]}`` -> vectors.

``require_key`` checks ``Authorization: Bearer <key>``; errors are TGI's ``{"error", "error_type"}``.
Requests are checked (``inputs`` a string, known ``parameters`` with valid ranges: ``max_new_tokens``
> 0, ``temperature`` > 0, ``0 < top_p < 1``). The default answer is deterministic: ``"This is a
fake reply to: <end of the prompt>"``, cut at ``max_new_tokens`` words (``length``) or at a stop
sequence (``stop_sequence``), else ``eos_token``.
"""

from __future__ import annotations

import time
from typing import Any

from . import _payloads as P
from ._server import Answer, Call, Events, FakeServerBase, Invalid, RecordedRequest, Route, Streams, _Raw

__all__ = ["FakeHuggingFaceServer", "PARAMETERS"]

# TGI's GenerateParameters (tgi-openapi.json)
PARAMETERS = frozenset(
    {
        "adapter_id",
        "best_of",
        "decoder_input_details",
        "details",
        "do_sample",
        "frequency_penalty",
        "grammar",
        "max_new_tokens",
        "repetition_penalty",
        "return_full_text",
        "seed",
        "stop",
        "temperature",
        "top_k",
        "top_n_tokens",
        "top_p",
        "truncate",
        "typical_p",
        "watermark",
    }
)


class FakeHuggingFaceServer(FakeServerBase):
    routes = (
        Route(r"/generate", "_generate"),
        Route(r"/generate_stream", "_generate_stream"),
        Route(r"(?:/.*)?/chat/completions", "_chat"),
        Route(r"/hf-inference/models/(?P<model>.+)/pipeline/feature-extraction", "_features"),
        Route(r"/", "_features"),
    )
    streams = Streams(
        terminator=None,
        final_event=True,
        error_event=b'data: {"error":"Request failed during generation: Server error: CUDA out of '
        b'memory","error_type":"generation"}\n\n',
    )

    def _error(self, status: int, message: str) -> _Raw:
        kind = {400: "validation", 401: "authentication", 404: "not_found", 422: "validation", 429: "overloaded"}.get(
            status, "generation"
        )
        return self._json(status, {"error": message, "error_type": kind})

    def _auth_error(self, rec: RecordedRequest) -> _Raw:
        return self._json(401, {"error": "Invalid credentials in Authorization header", "error_type": "authentication"})

    # -- TGI native ----------------------------------------------------------------------------
    def _check(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or not isinstance(body.get("inputs"), str):
            raise Invalid("Failed to deserialize the JSON body into the target type: missing field `inputs`", 422)
        params = body.get("parameters") or {}
        if not isinstance(params, dict):
            raise Invalid("parameters: invalid type", 422)
        unknown = sorted(set(params) - PARAMETERS)
        if unknown:
            raise Invalid(
                f"Failed to deserialize the JSON body into the target type: parameters: unknown field `{unknown[0]}`",
                422,
            )
        mt = params.get("max_new_tokens")
        if mt is not None and (not isinstance(mt, int) or mt < 1):
            raise Invalid("`max_new_tokens` must be strictly positive")
        t = params.get("temperature")
        if t is not None and (not isinstance(t, (int, float)) or t <= 0):
            raise Invalid("`temperature` must be strictly positive")
        tp = params.get("top_p")
        if tp is not None and (not isinstance(tp, (int, float)) or not 0 < tp < 1):
            raise Invalid("`top_p` must be > 0.0 and < 1.0")
        return params

    def _plan(self, body: dict[str, Any], call: Call) -> dict[str, Any]:
        params = self._check(body)
        reply = call.reply
        prompt = body["inputs"]
        if reply is not None and reply.content is not None:
            text, reason = reply.content, reply.finish_reason or "eos_token"
        else:
            tail = P._snippet(prompt.strip().splitlines()[-1] if prompt.strip() else "")
            text, reason = "This is a fake reply to: " + tail, "eos_token"
            for seq in params.get("stop") or ():
                pos = text.find(seq) if seq else -1
                if pos >= 0:
                    text, reason = text[: pos + len(seq)], "stop_sequence"
                    break
            pieces = P.split_words(text)
            mt = params.get("max_new_tokens")
            if mt is not None and len(pieces) > mt:
                text, reason = "".join(pieces[:mt]), "length"
        pieces = P.split_words(text)
        return {
            "text": text,
            "pieces": pieces,
            "reason": reason,
            "input_length": P.count_tokens(prompt),
            "seed": params.get("seed"),
        }

    def _generate(self, call: Call) -> Answer:
        plan = self._plan(call.rec.json, call)
        details = {
            "finish_reason": plan["reason"],
            "generated_tokens": len(plan["pieces"]),
            "seed": plan["seed"],
            "prefill": [],
            "tokens": [
                {"id": 1000 + i, "text": p, "logprob": -0.1, "special": False} for i, p in enumerate(plan["pieces"])
            ],
        }
        return self._json(200, {"generated_text": plan["text"], "details": details})

    def _generate_stream(self, call: Call) -> Events:
        plan = self._plan(call.rec.json, call)
        pieces = plan["pieces"] or [""]
        events: list[bytes] = []
        for i, piece in enumerate(pieces):
            last = i == len(pieces) - 1
            event = {
                "index": i + 1,
                "token": {"id": 1000 + i, "text": piece, "logprob": -0.1, "special": False},
                "top_tokens": None,
                "generated_text": plan["text"] if last else None,
                "details": {
                    "finish_reason": plan["reason"],
                    "generated_tokens": len(plan["pieces"]),
                    "input_length": plan["input_length"],
                    "seed": plan["seed"],
                }
                if last
                else None,
            }
            events.append(b"data:" + P.dumps(event) + b"\n\n")
        return Events(events)

    # -- OpenAI-compatible Messages API --------------------------------------------------------------
    def _chat(self, call: Call) -> Answer:
        body = call.rec.json
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list) or not body["messages"]:
            raise Invalid("Failed to deserialize the JSON body into the target type: missing field `messages`", 422)
        model = body.get("model") or "tgi"
        reply = call.reply
        if reply is None:
            plan = P.plan_chat(body, model, lambda: self._next_id("call_"))
        else:
            plan = P.plan_chat(
                body,
                model,
                lambda: self._next_id("call_"),
                content=reply.content,
                tool_calls=reply.tool_calls,
                finish_reason=reply.finish_reason,
                usage=reply.usage,
                use_default=False,
            )
        cid = self._next_id("chatcmpl-")
        created = int(time.time())
        if body.get("stream") is True or call.stream:
            return Events(P.chat_stream_events(plan, cid, created, P.include_usage(body)) + [P.DONE_EVENT])
        return self._json(200, P.chat_completion(plan, cid, created))

    # -- feature extraction --------------------------------------------------------------------------
    def _features(self, call: Call) -> Answer:
        body = call.rec.json
        inputs = body.get("inputs") if isinstance(body, dict) else None
        if isinstance(inputs, str):
            return self._json(200, P.embedding_vector(inputs, self.embedding_dims))
        if not isinstance(inputs, list) or not inputs or not all(isinstance(i, str) for i in inputs):
            raise Invalid("Input validation error: `inputs` must be a string or a non-empty list of strings", 422)
        return self._json(200, [P.embedding_vector(i, self.embedding_dims) for i in inputs])
