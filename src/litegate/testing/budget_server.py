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
``enqueue_error(status)`` makes the next request(s) fail. Standard library only.
"""

from __future__ import annotations

import copy
import json
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Deque, Dict, List, Optional, Tuple
from urllib.parse import parse_qsl, urlsplit

from ._server import RecordedRequest

__all__ = ["FakeBudgetServer"]


class _Handler(BaseHTTPRequestHandler):
    server: "_HTTPServer"
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _reply(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def _handle(self, method: str) -> None:
        fake = self.server.fake
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        try:
            decoded = json.loads(body) if body else None
        except ValueError:
            decoded = None
        rec = RecordedRequest(
            method=method,
            path=parts.path,
            query=dict(parse_qsl(parts.query)),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            json=decoded,
        )
        status, answer = fake._answer(rec)
        self._reply(status, answer)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fake: "FakeBudgetServer"


class FakeBudgetServer:
    """litellm's hosted budget API (``/get_budget``, ``/set_budget``) in memory, over real sockets."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *,
                 require_headers: Optional[Dict[str, str]] = None) -> None:
        self.host = host
        self.port = port
        self.require_headers = {k.lower(): v for k, v in (require_headers or {}).items()}
        self.projects: Dict[str, Dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._requests: List[RecordedRequest] = []
        self._errors: Deque[Tuple[int, Any]] = deque()
        self._httpd: Optional[_HTTPServer] = None
        self._thread: Optional[threading.Thread] = None

    # -- lifecycle -----------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._httpd is not None

    def start(self) -> "FakeBudgetServer":
        if self._httpd is not None:
            return self
        httpd = _HTTPServer((self.host, self.port), _Handler)
        httpd.fake = self
        self.port = httpd.server_address[1]
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"FakeBudgetServer:{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def __enter__(self) -> "FakeBudgetServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<FakeBudgetServer {self.url} {'running' if self.running else 'stopped'}>"

    # -- recordings and behaviours -------------------------------------------------------------
    @property
    def requests(self) -> List[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def hits(self, path: Optional[str] = None) -> int:
        with self._lock:
            return sum(1 for r in self._requests if path is None or r.path == path)

    def reset(self) -> None:
        """Forget recorded requests, queued errors and stored projects."""
        with self._lock:
            self._requests.clear()
            self._errors.clear()
            self.projects.clear()

    def enqueue_error(self, status: int = 500, count: int = 1, body: Any = None) -> None:
        """Answer the next ``count`` requests with HTTP ``status`` (JSON ``body``)."""
        with self._lock:
            for _ in range(count):
                self._errors.append((status, body if body is not None else {"error": f"HTTP {status}"}))

    def _answer(self, rec: RecordedRequest) -> Tuple[int, Any]:
        with self._lock:
            self._requests.append(rec)
            for name, value in self.require_headers.items():
                if rec.headers.get(name) != value:
                    return 401, {"status": "error", "message": f"missing or wrong {name} header"}
            if self._errors:
                return self._errors.popleft()
            if rec.method != "POST":
                return 405, {"status": "error", "message": "use POST"}
            body = rec.json if isinstance(rec.json, dict) else None
            if body is None:
                return 400, {"status": "error", "message": "expected a JSON object"}
            project = body.get("project_name")
            if rec.path == "/get_budget":
                if project not in self.projects:
                    return 200, {"status": "error", "message": f"no budget stored for project {project!r}"}
                return 200, {"status": "success", "data": copy.deepcopy(self.projects[project])}
            if rec.path == "/set_budget":
                user_dict = body.get("user_dict")
                if not isinstance(project, str) or not isinstance(user_dict, dict):
                    return 400, {"status": "error", "message": "project_name and user_dict are required"}
                self.projects[project] = copy.deepcopy(user_dict)
                return 200, {"status": "success"}
            return 404, {"status": "error", "message": f"no route {rec.path}"}
