"""A fake web host for files a request names by URL (images downloaded for Bedrock Converse).

``GET /<path>`` answers what was registered for that path: ``add(path, data, content_type)`` a file,
``redirect(path, location, status=302)`` a redirect (``location`` as given: relative, absolute or
another scheme), ``protect(path, user, password)`` a file behind HTTP Basic auth (401 without the
right credentials). Anything else is a 404. Every request is recorded (``requests``, ``hits``).
Standard library only.
"""

from __future__ import annotations

import base64
from typing import Any

from ._server import Answer, Call, FakeServerBase, Route, _Raw

__all__ = ["FakeMediaServer", "PNG", "JPEG", "GIF", "WEBP"]

# the smallest valid files of each format (1x1 pixel)
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////"
    "////////////////////wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAAA//EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAI"
    "AQEAAD8AN//Z"
)
GIF = base64.b64decode("R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==")
WEBP = base64.b64decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")


class FakeMediaServer(FakeServerBase):
    routes = (Route(r"/(?P<path>.*)", "_file", ("GET", "HEAD")),)

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.files: dict[str, _Raw] = {}
        self.credentials: dict[str, str] = {}  # path -> the Authorization header it needs

    def add(self, path: str, data: bytes, content_type: str | None = "image/png", **headers: str) -> str:
        """Serve ``data`` at ``path``; returns the file's URL."""
        h = {k.replace("_", "-"): v for k, v in headers.items()}
        if content_type is not None:
            h["content-type"] = content_type
        self.files[path.lstrip("/")] = _Raw(200, bytes(data), h)
        return f"{self.url}/{path.lstrip('/')}"

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        self.files[path.lstrip("/")] = _Raw(status, b"", {"location": location, "content-type": "text/plain"})
        return f"{self.url}/{path.lstrip('/')}"

    def protect(self, path: str, user: str, password: str) -> None:
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        self.credentials[path.lstrip("/")] = "Basic " + token

    def _error(self, status: int, message: str) -> _Raw:
        return _Raw(status, message.encode(), {"content-type": "text/plain"})

    def _file(self, call: Call) -> Answer:
        path = call.params["path"]
        needed = self.credentials.get(path)
        if needed is not None and call.rec.headers.get("authorization") != needed:
            return _Raw(401, b"authentication required", {"content-type": "text/plain", "www-authenticate": "Basic"})
        found = self.files.get(path)
        if found is None:
            return self._error(404, f"no file at /{path}")
        return found
