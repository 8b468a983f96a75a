"""A fake of the observability platforms' ingestion APIs on 127.0.0.1, for the integrations.

One server answers every platform's documented route the way the platform does, and records
what it received (``server.received(platform)`` -> the decoded JSON bodies, in order):

* ``langfuse``: ``POST /api/public/ingestion`` -> 207 ``{"successes": [...], "errors": []}``
* ``langfuse-otel``: ``POST /api/public/otel/v1/traces`` (OTLP/HTTP JSON) -> 200 ``{}``
* ``langsmith``: ``POST /runs/batch`` -> 202
* ``helicone``: ``POST /v1/trace/custom/log/typed`` -> 200
* ``promptlayer``: ``POST /log-request`` -> 201 ``{"id": n, "status": "SUCCESS", ...}``
* ``athina``: ``POST /api/v1/log/inference`` -> 200
* ``lunary``: ``POST /v1/runs/ingest`` -> 200 ``{"results": [{"id", "success"}]}``
* ``supabase``: ``POST /rest/v1/<table>`` -> 201, empty body
* ``dynamodb``: ``POST /`` with ``X-Amz-Target: DynamoDB_20120810.BatchWriteItem`` -> 200
  ``{"UnprocessedItems": {}}`` (``leave_unprocessed([n, ...])`` throttles the last n items)
* ``webhook``: ``POST /hook`` (any path below it) -> 200
* ``weights_biases``: ``POST /call/upsert_batch`` (W&B Weave's Service API) -> 200
  ``{"res": [{"id", "trace_id"} for a start, {} for an end]}``

``default_delay`` makes every answer slow; ``enqueue_error(status)`` fails the next request(s).
Auth is recorded, not checked (tests assert the headers). Standard library only.
"""

from __future__ import annotations

from typing import Any

from ._server import Answer, Call, FakeServerBase, RecordedRequest, Route, _Raw

__all__ = ["FakeIngestionServer", "PLATFORM_PATHS"]

PLATFORM_PATHS = {
    "langfuse": "/api/public/ingestion",
    "langfuse-otel": "/api/public/otel/v1/traces",
    "langsmith": "/runs/batch",
    "helicone": "/v1/trace/custom/log/typed",
    "promptlayer": "/log-request",
    "athina": "/api/v1/log/inference",
    "lunary": "/v1/runs/ingest",
    "supabase": "/rest/v1/",
    "dynamodb": "/",
    "webhook": "/hook",
    "weights_biases": "/call/upsert_batch",
}


class FakeIngestionServer(FakeServerBase):
    """Every integration's ingestion route in memory, over real sockets."""

    routes = (
        Route(r"/api/public/ingestion", "_langfuse"),
        Route(r"/api/public/otel/v1/traces", "_otlp"),
        Route(r"/runs/batch", "_langsmith"),
        Route(r"/v1/trace/custom/log/typed", "_helicone"),
        Route(r"/log-request", "_promptlayer"),
        Route(r"/api/v1/log/inference", "_athina"),
        Route(r"/v1/runs/ingest", "_lunary"),
        Route(r"/rest/v1/(?P<table>[^/]+)", "_supabase"),
        Route(r"/hook(?:/.*)?", "_webhook"),
        Route(r"/call/upsert_batch", "_weave"),
        Route(r"/", "_dynamodb"),
    )

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, default_delay: float = 0.0) -> None:
        super().__init__(host, port, default_delay=default_delay)
        self._pl_seq = 0
        self._ddb_unprocessed: list[int] = []  # per coming BatchWriteItem: how many items to leave

    def leave_unprocessed(self, counts: list[int]) -> None:
        """The next BatchWriteItem requests leave their last ``counts[i]`` items unprocessed
        (DynamoDB's answer when a table throttles part of a batch)."""
        with self._lock:
            self._ddb_unprocessed.extend(counts)

    def received(self, platform: str) -> list[Any]:
        """The JSON bodies the platform's route received, oldest first."""
        return [rec.json for rec in self.requests_for(platform)]

    def requests_for(self, platform: str) -> list[RecordedRequest]:
        """The requests the platform's route received, oldest first."""
        path = PLATFORM_PATHS[platform]
        if platform == "dynamodb":
            return [r for r in self.requests if r.path == "/" and r.header("x-amz-target")]
        if platform in ("supabase", "webhook"):
            return [r for r in self.requests if r.path.startswith(path)]
        return [r for r in self.requests if r.path == path]

    def enqueue_error(
        self,
        status: int = 500,
        count: int = 1,
        body: bytes | str | dict[str, Any] | list[Any] | None = None,
        delay: float = 0.0,
    ) -> None:
        """Answer the next ``count`` requests with HTTP ``status``."""
        body = body if body is not None else {"error": f"HTTP {status}"}
        self._queue_response(status, body, {"content-type": "application/json"}, None, count, delay, None)

    def enqueue_statuses(self, statuses: list[int]) -> None:
        """Answer the next requests with these statuses, in order (JSON ``{}`` bodies)."""
        for status in statuses:
            self._queue_response(
                status,
                {} if status < 400 else {"error": f"HTTP {status}"},
                {"content-type": "application/json"},
                None,
                1,
                0.0,
                None,
            )

    # -- routes --------------------------------------------------------------------------------
    def _langfuse(self, call: Call) -> Answer:
        batch = (call.rec.json or {}).get("batch") or []
        return self._json(
            207, {"successes": [{"id": e.get("id"), "status": 201} for e in batch if isinstance(e, dict)], "errors": []}
        )

    def _otlp(self, call: Call) -> Answer:
        return self._json(200, {})

    def _langsmith(self, call: Call) -> Answer:
        return self._json(202, {})

    def _helicone(self, call: Call) -> Answer:
        return self._json(200, {})

    def _promptlayer(self, call: Call) -> Answer:
        with self._lock:
            self._pl_seq += 1
            seq = self._pl_seq
        return self._json(
            201, {"id": seq, "prompt_version": None, "status": "SUCCESS", "error_type": None, "error_message": None}
        )

    def _athina(self, call: Call) -> Answer:
        return self._json(200, {"status": "success"})

    def _lunary(self, call: Call) -> Answer:
        events = (call.rec.json or {}).get("events") or []
        events = events if isinstance(events, list) else [events]
        return self._json(
            200, {"results": [{"id": e.get("runId"), "success": True} for e in events if isinstance(e, dict)]}
        )

    def _supabase(self, call: Call) -> Answer:
        return _Raw(201, b"", {"content-length": "0"})

    def _webhook(self, call: Call) -> Answer:
        return self._json(200, {"ok": True})

    def _weave(self, call: Call) -> Answer:
        batch = (call.rec.json or {}).get("batch")
        if not isinstance(batch, list):
            return self._json(422, {"detail": [{"loc": ["body", "batch"], "msg": "Field required"}]})
        res = []
        for item in batch:
            if not isinstance(item, dict):
                return self._json(422, {"detail": [{"loc": ["body", "batch"], "msg": "bad item"}]})
            req = item.get("req")
            if item.get("mode") == "start" and isinstance(req, dict) and isinstance(req.get("start"), dict):
                res.append({"id": req["start"].get("id"), "trace_id": req["start"].get("trace_id")})
            elif item.get("mode") == "end" and isinstance(req, dict) and isinstance(req.get("end"), dict):
                res.append({})
            else:
                return self._json(422, {"detail": [{"loc": ["body", "batch"], "msg": "bad item"}]})
        return self._json(200, {"res": res})

    def _dynamodb(self, call: Call) -> Answer:
        if not call.rec.header("x-amz-target", "").startswith("DynamoDB_20120810."):
            return self._json(400, {"__type": "com.amazon.coral.service#UnknownOperationException"})
        with self._lock:
            n = self._ddb_unprocessed.pop(0) if self._ddb_unprocessed else 0
        left: dict[str, Any] = {}
        if n:
            for table, items in ((call.rec.json or {}).get("RequestItems") or {}).items():
                left[table] = items[-n:]
        return self._json(200, {"UnprocessedItems": left})

    def _headers(self) -> dict[str, str] | None:
        return None
