"""A fake of litellm's hosted budget API on 127.0.0.1, for ``BudgetManager(client_type="hosted")``.

Routes (both ``POST``, JSON in and out):

* ``/get_budget`` ``{"project_name": p}`` -> ``{"status": "success", "data": {user: entry}}``, or
  ``{"status": "error", "message": ...}`` when nothing is stored for ``p``;
* ``/set_budget`` ``{"project_name": p, "user_dict": {...}}`` -> ``{"status": "success"}``
  (stores the mapping for ``p``, replacing what was there).

Use it like the other fake servers::

    with FakeBudgetServer() as srv:
        bm = BudgetManager("proj", client_type="hosted", api_base=srv.url)
        ...
        assert srv.projects["proj"][...]
        assert [r.path for r in srv.requests] == ["/get_budget", ...]

``require_headers={"Authorization": "Bearer k"}`` answers 401 to requests without them;
``enqueue_error(status)`` makes the next request(s) fail. A dialect of the fake-server base (the
same recording, queue and faults as the provider fakes). Standard library only.
"""

from __future__ import annotations

import copy
from typing import Any

from ._server import Answer, Call, FakeServerBase, Invalid, RecordedRequest, Route, _Raw

__all__ = ["FakeBudgetServer"]


class FakeBudgetServer(FakeServerBase):
    """litellm's hosted budget API (``/get_budget``, ``/set_budget``) in memory, over real sockets."""

    routes = (Route(r"/get_budget", "_get_budget"), Route(r"/set_budget", "_set_budget"))

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, *, require_headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(host, port)
        self.require_headers = {k.lower(): v for k, v in (require_headers or {}).items()}
        self.projects: dict[str, dict[str, Any]] = {}

    def reset(self) -> None:
        """Forget recorded requests, queued errors and stored projects."""
        super().reset()
        with self._lock:
            self.projects.clear()

    def enqueue_error(
        self, status: int = 500, count: int = 1, body: bytes | str | dict[str, Any] | list[Any] | None = None
    ) -> None:
        """Answer the next ``count`` requests with HTTP ``status`` (JSON ``body``)."""
        body = body if body is not None else {"error": f"HTTP {status}"}
        self._queue_response(status, body, {"content-type": "application/json"}, None, count, 0.0, None)

    # -- the dialect's answers -----------------------------------------------------------------

    def _auth(self, call: Call) -> _Raw | None:
        for name, value in self.require_headers.items():
            if call.rec.headers.get(name) != value:
                return self._error(401, f"missing or wrong {name} header")
        return None

    def _error(self, status: int, message: str) -> _Raw:
        return self._json(status, {"status": "error", "message": message})

    def _not_found(self, rec: RecordedRequest) -> _Raw:
        return self._error(404, f"no route {rec.path}")

    def _wrong_method(self, rec: RecordedRequest, route: Route) -> _Raw:
        return self._error(405, "use POST")

    @staticmethod
    def _body(call: Call) -> dict[str, Any]:
        if not isinstance(call.rec.json, dict):
            raise Invalid("expected a JSON object")
        return call.rec.json

    # -- routes --------------------------------------------------------------------------------

    def _get_budget(self, call: Call) -> Answer:
        project = self._body(call).get("project_name")
        with self._lock:
            if project not in self.projects:
                return self._json(200, {"status": "error", "message": f"no budget stored for project {project!r}"})
            return self._json(200, {"status": "success", "data": copy.deepcopy(self.projects[project])})

    def _set_budget(self, call: Call) -> Answer:
        body = self._body(call)
        project, user_dict = body.get("project_name"), body.get("user_dict")
        if not isinstance(project, str) or not isinstance(user_dict, dict):
            raise Invalid("project_name and user_dict are required")
        with self._lock:
            self.projects[project] = copy.deepcopy(user_dict)
        return self._json(200, {"status": "success"})
