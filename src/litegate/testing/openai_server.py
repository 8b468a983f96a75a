"""A fake OpenAI-dialect server (standard library only).

``FakeOpenAIServer`` speaks OpenAI's wire format on the HTTP machinery of
:class:`~litegate.testing._server.FakeServerBase`: chat completions (JSON and SSE, tools, legacy
functions, ``n``), legacy completions, embeddings (float and base64) and models, under ``/v1`` or
the server root and on Azure deployment URLs (``/openai/deployments/{deployment}/...``); audio,
files, batches, fine-tuning and assistants come from ``openai_platform.py``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from . import _payloads as P
from ._server import FAULT_KINDS, Answer, Call, Events, FakeServerBase, RecordedRequest, Route, Streams, _Raw, sse_event
from .openai_platform import PLATFORM_ROUTES, PlatformRoutes

__all__ = ["FakeOpenAIServer", "RecordedRequest", "FAULT_KINDS"]

_AZURE = r"(?:/openai/deployments/(?P<deployment>[^/]+))?.*"
_MODEL_LIST = P.dumps(P.models_list())
_NOT_JSON = (
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library "
    "correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)"
)


def stream_error_event(message: str | None = None) -> bytes:
    """The error object OpenAI sends in place of a chunk when a stream fails after it started."""
    body = P.error_body(500)
    if message is not None:
        body["error"]["message"] = message
    return sse_event(P.dumps(body).decode("utf-8"))


class FakeOpenAIServer(PlatformRoutes, FakeServerBase):
    """An OpenAI-compatible HTTP server on 127.0.0.1 for tests, demos and benchmarks.

    Runs on its own event loop in a daemon thread (``start()`` / ``stop()`` or ``with``)::

        with FakeOpenAIServer() as srv:
            client = openai.OpenAI(base_url=srv.base_url, api_key="sk-test")
            srv.enqueue_error(429, count=2)
            ...
            assert srv.hits("/chat/completions") == 3

    Behaviours queued with ``enqueue_*`` are consumed one per request (FIFO; an optional ``path``
    suffix restricts which requests an entry applies to); with an empty queue the default reply for
    the endpoint is sent. ``require_key`` checks ``Authorization: Bearer <key>`` (or Azure's
    ``api-key``).
    """

    routes = (
        Route(_AZURE + r"/chat/completions", "_chat"),
        Route(_AZURE + r"/completions", "_completions"),
        Route(_AZURE + r"/embeddings", "_embeddings"),
        Route(_AZURE + r"/models(?:/(?P<model>.+))?", "_models", ("GET",)),
    ) + PLATFORM_ROUTES  # audio, files, batches, fine-tuning, assistants (openai_platform.py)
    key_headers = (("authorization", "Bearer "), ("api-key", ""))
    streams = Streams(terminator=P.DONE_EVENT, final_event=False, error_event=stream_error_event())

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    # -- queueing ------------------------------------------------------------------------------

    def enqueue_error(
        self,
        status: int = 429,
        count: int = 1,
        body: bytes | str | dict[str, Any] | None = None,
        headers: Mapping[str, str | None] | None = None,
        *,
        code: str | None = None,
        message: str | None = None,
        type: str | None = None,  # noqa: A002 - the wire field's name
        param: str | None = None,
        delay: float = 0.0,
        path: str | None = None,
    ) -> None:
        """Queue ``count`` error responses.

        ``body`` defaults to OpenAI's error shape for ``status`` (``code`` / ``message`` / ``type`` /
        ``param`` override its fields; e.g. ``enqueue_error(400, code="context_length_exceeded")``).
        429 and 503 carry ``retry-after: 0`` unless ``headers`` says otherwise (a ``None`` value
        removes a default header).
        """
        if body is None:
            fields = {"code": code, "type": type, "param": param}
            body = P.error_body(status, message=message, **{k: v for k, v in fields.items() if v is not None})
        defaults = {"content-type": "application/json; charset=utf-8"}
        if status in (429, 503):
            defaults["retry-after"] = "0"
        if status == 429:
            defaults["x-ratelimit-remaining-requests"] = "0"
        self._queue_response(status, body, defaults, headers, count, delay, path)

    def enqueue_reply(
        self,
        content: str | None = "hello",
        tool_calls: list[Any] | None = None,
        finish_reason: str | None = None,
        usage: dict[str, Any] | None = None,
        delay: float = 0.0,
        model: str | None = None,
        *,
        count: int = 1,
        path: str | None = None,
    ) -> None:
        """Queue a successful reply with the given content (or tool calls).

        Streamed automatically when the request has ``"stream": true``. ``tool_calls`` items are
        ``{"name": ..., "arguments": dict|str}`` or the full OpenAI ``{"id", "type", "function"}``
        form. ``finish_reason`` defaults to ``"tool_calls"`` with tool calls, else ``"stop"``.
        ``delay`` seconds pass before the response headers. On non-chat endpoints the reply is the
        endpoint's default one (``content`` becomes the text of a legacy completion).
        """
        self._queue_reply(content, tool_calls, finish_reason, usage, delay, model, True, count, path)

    def enqueue_stream(
        self,
        events: list[Any] | None = None,
        chunk_delay: float = 0.0,
        terminate: bool = True,
        cut_after: int | None = None,
        *,
        delay: float = 0.0,
        status: int = 200,
        headers: Mapping[str, str | None] | None = None,
        path: str | None = None,
        first_delay: float = 0.0,
        stall_after: int | None = None,
    ) -> None:
        """Queue an SSE response.

        ``events``: ``dict`` items are JSON-encoded, ``str`` items are sent as the ``data:`` payload,
        ``bytes`` items are written verbatim (your own framing); ``None`` = the default stream for
        the request. ``terminate`` appends ``data: [DONE]``. ``cut_after=k`` closes the connection
        after ``k`` events (no chunked terminator). ``chunk_delay`` sleeps between events; ``delay``
        before the headers; ``first_delay`` between the headers (sent at once) and the first event.
        ``stall_after=k`` goes silent after ``k`` events (``data: [DONE]`` counts as one): nothing
        more is sent and the connection stays open until the client closes it.
        """
        self._queue_stream(
            events,
            chunk_delay,
            terminate,
            cut_after,
            delay,
            status,
            headers,
            path,
            first_delay=first_delay,
            stall_after=stall_after,
        )

    # -- the dialect's answers -----------------------------------------------------------------

    def _error(self, status: int, message: str) -> _Raw:
        return self._json(status, P.error_body(status, message=message))

    def _auth_error(self, rec: RecordedRequest) -> _Raw:
        if rec.path.startswith("/openai/"):
            return self._json(401, P.azure_auth_error_body())
        auth = rec.headers.get("authorization", "")
        key = auth[7:] if auth.startswith("Bearer ") else rec.headers.get("api-key", "")
        if not key:
            return self._json(401, P.missing_key_error_body())
        return self._json(401, P.wrong_key_error_body(key))

    def _not_found(self, rec: RecordedRequest) -> _Raw:
        return self._json(404, P.invalid_url_body(rec.method, rec.path))

    def _wrong_method(self, rec: RecordedRequest, route: Route) -> _Raw:
        if route.handler == "_models":
            return self._not_found(rec)
        return self._error(405, f"Method {rec.method} not allowed for {rec.path}")

    def _new_call_id(self) -> str:
        return self._next_id("call_")

    def _request(self, call: Call) -> _Raw | dict[str, Any]:
        """The JSON body of ``call`` (a 400 answer when it is not an object)."""
        body = call.rec.json
        if not isinstance(body, dict):
            return self._json(400, P.bad_request_body(_NOT_JSON))
        return body

    def _model(self, call: Call, body: dict[str, Any]) -> Any:
        reply = call.reply
        if reply is not None and reply.model:
            return reply.model
        return call.params.get("deployment") or body.get("model")

    def _no_model(self) -> _Raw:
        return self._json(400, P.bad_request_body("you must provide a model parameter"))

    # -- routes --------------------------------------------------------------------------------

    def _models(self, call: Call) -> Answer:
        model_id = call.params.get("model")
        if model_id is None:
            return _Raw(200, _MODEL_LIST)
        return self._json(200, P.model_object(model_id))

    def _chat(self, call: Call) -> Answer:
        body = self._request(call)
        if isinstance(body, _Raw):
            return body
        model = self._model(call, body)
        msgs = body.get("messages")
        if not isinstance(msgs, list) or not msgs:
            return self._json(
                400,
                P.bad_request_body("Missing required parameter: 'messages'.", "messages", "missing_required_parameter"),
            )
        if not isinstance(model, str) or not model:
            return self._no_model()
        reply = call.reply
        if reply is None:
            plan = P.plan_chat(body, model, self._new_call_id)
        else:
            plan = P.plan_chat(
                body,
                model,
                self._new_call_id,
                content=reply.content,
                tool_calls=reply.tool_calls,
                finish_reason=reply.finish_reason,
                usage=reply.usage,
                use_default=False,
            )
        cid = self._next_id("chatcmpl-")
        created = int(time.time())
        if call.stream or body.get("stream") is True:
            return Events(P.chat_stream_events(plan, cid, created, P.include_usage(body)))
        return self._json(200, P.chat_completion(plan, cid, created, call.params.get("deployment") is not None))

    def _completions(self, call: Call) -> Answer:
        body = self._request(call)
        if isinstance(body, _Raw):
            return body
        model = self._model(call, body)
        if not isinstance(model, str) or not model:
            return self._no_model()
        reply = call.reply
        if reply is not None:
            plan = P.plan_completion(body, model, reply.content, reply.finish_reason, reply.usage)
        else:
            plan = P.plan_completion(body, model)
        cid = self._next_id("cmpl-")
        created = int(time.time())
        if call.stream or body.get("stream") is True:
            return Events(P.completion_stream_events(plan, cid, created, P.include_usage(body)))
        return self._json(200, P.text_completion(plan, cid, created))

    def _embeddings(self, call: Call) -> Answer:
        body = self._request(call)
        if isinstance(body, _Raw):
            return body
        model = self._model(call, body)
        items = P.embedding_inputs(body.get("input"))
        if items is None:
            return self._json(
                400,
                P.bad_request_body("'input' must be a non-empty string, array of strings or token arrays.", "input"),
            )
        if not isinstance(model, str) or not model:
            return self._no_model()
        dims = body.get("dimensions")
        if dims is None:
            dims = self.embedding_dims
        if isinstance(dims, bool) or not isinstance(dims, int) or not 1 <= dims <= 16384:
            return self._json(400, P.bad_request_body("Invalid 'dimensions'.", "dimensions"))
        b64 = body.get("encoding_format") == "base64"
        return self._json(200, P.embeddings_response(items, dims, model, b64))
