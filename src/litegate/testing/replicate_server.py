"""A fake Replicate predictions API (standard library only).

* ``POST /v1/models/{owner}/{name}/predictions``, ``POST /v1/predictions`` (``{"version", "input"}``),
  ``POST /v1/deployments/{owner}/{name}/predictions`` -> 201 with a Prediction (``id``, ``status``,
  ``urls.get`` / ``cancel`` / ``stream``);
* ``GET /v1/predictions/{id}``: ``starting`` -> ``processing`` -> ``succeeded`` after
  ``polls_needed`` reads (``Prefer: wait`` finishes it at once when ``honour_wait``);
* ``POST /v1/predictions/{id}/cancel``; ``GET /v1/predictions/{id}/stream``: SSE ``output`` events
  (one per word), then ``done``.

``require_key`` checks ``Authorization: Bearer <key>``; errors are RFC 7807 problem JSON
(``{"title", "detail", "status"}``). The default output is ``"This is a fake reply to: <prompt>"``
as a list of tokens; ``enqueue_prediction_failure(error)`` makes the next prediction fail.
"""

from __future__ import annotations

from typing import Any

from . import _payloads as P
from ._server import Answer, Call, Events, FakeServerBase, Invalid, Route, Streams, _Raw

__all__ = ["FakeReplicateServer"]


class FakeReplicateServer(FakeServerBase):
    routes = (
        Route(r"/v1/models/(?P<owner>[^/]+)/(?P<name>[^/]+)/predictions", "_create"),
        Route(r"/v1/deployments/(?P<owner>[^/]+)/(?P<name>[^/]+)/predictions", "_create"),
        Route(r"/v1/predictions", "_create"),
        Route(r"/v1/predictions/(?P<id>[^/]+)", "_get", ("GET",)),
        Route(r"/v1/predictions/(?P<id>[^/]+)/cancel", "_cancel"),
        Route(r"/v1/predictions/(?P<id>[^/]+)/stream", "_stream", ("GET",)),
    )
    streams = Streams(terminator=None, error_event=b'event: error\ndata: {"detail": "CUDA out of memory"}\n\n')

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        polls_needed: int = 2,
        honour_wait: bool = False,
        require_key: str | None = None,
        default_delay: float = 0.0,
        record: bool = True,
        sse_framing: str = "chunked",
        embedding_dims: int = P.DEFAULT_EMBEDDING_DIMS,
    ) -> None:
        super().__init__(
            host,
            port,
            require_key=require_key,
            default_delay=default_delay,
            record=record,
            sse_framing=sse_framing,
            embedding_dims=embedding_dims,
        )
        self.polls_needed = polls_needed
        self.honour_wait = honour_wait
        self.predictions: dict[str, dict[str, Any]] = {}
        self.cancelled: list[str] = []
        self._failures: list[str] = []

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    def enqueue_prediction_failure(self, error: str) -> None:
        self._failures.append(error)

    def _error(self, status: int, message: str) -> _Raw:
        title = {
            401: "Unauthenticated",
            404: "Not found",
            422: "Input validation failed",
            429: "Request was throttled",
        }.get(status, "Error")
        return _Raw(
            status,
            P.dumps({"title": title, "detail": message, "status": status}),
            {"content-type": "application/problem+json"},
        )

    def _auth_error(self, rec: Any) -> _Raw:
        return self._error(401, "You did not pass a valid authentication token")

    def _view(self, pred: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in pred.items() if not k.startswith("_")}

    def _create(self, call: Call) -> Answer:
        body = call.rec.json
        if not isinstance(body, dict) or not isinstance(body.get("input"), dict):
            raise Invalid("input is required", 422)
        if call.route is not None and call.route.pattern.pattern == r"/v1/predictions" and not body.get("version"):
            raise Invalid("version is required", 422)
        inp = body["input"]
        if not isinstance(inp.get("prompt"), str) or not inp["prompt"]:
            raise Invalid("input.prompt: Expected string, got missing", 422)
        pid = self._next_id("p")
        base = self.base_url + f"/predictions/{pid}"
        model = f"{call.params['owner']}/{call.params['name']}" if "owner" in call.params else str(body.get("version"))
        text = "This is a fake reply to: " + P._snippet(inp["prompt"].splitlines()[-1])
        mt = inp.get("max_new_tokens")
        pieces = P.split_words(text)
        if isinstance(mt, int) and len(pieces) > mt:
            pieces = pieces[:mt]
        pred = {
            "id": pid,
            "model": model,
            "version": body.get("version") or "",
            "input": inp,
            "logs": "",
            "output": None,
            "error": None,
            "status": "starting",
            "created_at": "2025-01-01T00:00:00Z",
            "urls": {
                "get": base,
                "cancel": base + "/cancel",
                "stream": base + "/stream",
                "web": f"https://replicate.com/p/{pid}",
            },
            "_pieces": pieces,
            "_polls": 0,
            "_failure": self._failures.pop(0) if self._failures else None,
        }
        self.predictions[pid] = pred
        if self.honour_wait and call.rec.headers.get("prefer", "").startswith("wait"):
            self._finish(pred)
        return self._json(201, self._view(pred))

    def _finish(self, pred: dict[str, Any]) -> None:
        if pred["_failure"]:
            pred.update(status="failed", error=pred["_failure"])
        else:
            words = "".join(pred["_pieces"])
            pred.update(
                status="succeeded",
                output=pred["_pieces"],
                metrics={
                    "predict_time": 0.1,
                    "input_token_count": P.count_tokens(pred["input"]["prompt"]),
                    "output_token_count": P.count_tokens(words),
                },
            )
        pred["completed_at"] = "2025-01-01T00:00:01Z"

    def _get(self, call: Call) -> Answer:
        pred = self.predictions.get(call.params["id"])
        if pred is None:
            raise Invalid("Prediction not found", 404)
        if pred["status"] not in ("succeeded", "failed", "canceled"):
            pred["_polls"] += 1
            if pred["_polls"] >= self.polls_needed:
                self._finish(pred)
            else:
                pred["status"] = "processing"
        return self._json(200, self._view(pred))

    def _cancel(self, call: Call) -> Answer:
        pred = self.predictions.get(call.params["id"])
        if pred is None:
            raise Invalid("Prediction not found", 404)
        self.cancelled.append(pred["id"])
        if pred["status"] not in ("succeeded", "failed"):
            pred["status"] = "canceled"
        return self._json(200, self._view(pred))

    def _stream(self, call: Call) -> Answer:
        pred = self.predictions.get(call.params["id"])
        if pred is None:
            raise Invalid("Prediction not found", 404)
        events = [
            b"event: output\nid: " + str(i).encode() + b"\ndata: " + p.encode() + b"\n\n"
            for i, p in enumerate(pred["_pieces"])
        ]
        if pred["_failure"]:
            events.append(b'event: error\ndata: {"detail": "' + pred["_failure"].encode() + b'"}\n\n')
        events.append(b"event: done\ndata: {}\n\n")
        self._finish(pred)
        return Events(events)
