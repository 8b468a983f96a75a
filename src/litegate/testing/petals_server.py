"""A fake Petals chat server's HTTP API (standard library only), after chat.petals.dev's
``http_api.py``.

``POST /api/v1/generate`` (under any prefix) reads form fields (or query parameters), as Flask's
``request.values`` does: ``model``, ``inputs``, ``do_sample`` (int), ``temperature`` / ``top_p``
(float), ``top_k`` / ``max_length`` / ``max_new_tokens`` (int), ``session_id``. Every answer is HTTP
200 with JSON: ``{"ok": true, "outputs": "..."}``, or ``{"ok": false, "traceback": "..."}`` when a
field does not convert, the model is not served (``KeyError``) or neither ``max_length`` nor
``max_new_tokens`` is given. The default output is ``" This is a fake reply to: <the prompt's last
line>"`` cut to ``max_new_tokens`` words; ``enqueue_reply(text)`` sets the next one and
``enqueue_failure(traceback)`` makes the next request fail the Petals way. ``require_key`` checks
``Authorization: Bearer <key>`` (the public server takes none; a gateway in front of one may).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from . import _payloads as P
from ._server import Answer, Call, FakeServerBase, Route, _Raw

__all__ = ["FakePetalsServer", "DEFAULT_MODELS"]

DEFAULT_MODELS = ("petals-team/StableBeluga2", "meta-llama/Llama-2-70b-chat-hf", "bigscience/bloom")
_INT = ("do_sample", "top_k", "max_length", "max_new_tokens")
_FLOAT = ("temperature", "top_p")


def _traceback(line: str) -> str:
    return (
        "Traceback (most recent call last):\n"
        '  File "/app/http_api.py", line 67, in http_api_generate\n'
        "    outputs = model.generate(\n"
        f"{line}\n"
    )


class FakePetalsServer(FakeServerBase):
    routes = (Route(r"(?P<prefix>.*)/api/v1/generate", "_generate", ("POST", "GET")),)

    def __init__(self, *args: Any, models: tuple[str, ...] | None = DEFAULT_MODELS, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.models = models  # None: any model name is served
        self._failures: list[str] = []

    @property
    def base_url(self) -> str:
        """The generate URL (what ``api_base`` names for Petals)."""
        return self.url + "/api/v1/generate"

    def enqueue_failure(self, traceback: str) -> None:
        """The next request answers ``{"ok": false, "traceback": traceback}`` (HTTP 200)."""
        self._failures.append(traceback)

    def enqueue_reply(self, content: str, *, count: int = 1, delay: float = 0.0) -> None:
        self._queue_reply(content, None, None, None, delay, None, None, count, None)

    def _error(self, status: int, message: str) -> _Raw:
        return self._json(status, {"ok": False, "traceback": _traceback(message)})

    def _auth_error(self, rec: Any) -> _Raw:
        return _Raw(401, b"Unauthorized", {"content-type": "text/plain"})

    def _fails(self, line: str) -> _Raw:
        return self._json(200, {"ok": False, "traceback": _traceback(line)})

    def _generate(self, call: Call) -> Answer:
        rec = call.rec
        values: dict[str, Any] = dict(rec.query)
        ctype = rec.headers.get("content-type", "")
        if rec.body and ctype.startswith("application/x-www-form-urlencoded"):
            values.update(parse_qsl(rec.body.decode("utf-8"), keep_blank_values=True))
        if self._failures:
            return self._json(200, {"ok": False, "traceback": self._failures.pop(0)})
        for name in _INT:
            if name in values:
                try:
                    values[name] = int(values[name])
                except ValueError:
                    return self._fails(f"ValueError: invalid literal for int() with base 10: {values[name]!r}")
        for name in _FLOAT:
            if name in values:
                try:
                    values[name] = float(values[name])
                except ValueError:
                    return self._fails(f"ValueError: could not convert string to float: {values[name]!r}")
        model = values.get("model", DEFAULT_MODELS[0])
        if self.models is not None and model not in self.models:
            return self._fails(f"KeyError: {model!r}")
        if values.get("max_new_tokens") is None and values.get("max_length") is None:
            return self._fails("ValueError: You have to specify either max_length or max_new_tokens")
        reply = call.reply
        if reply is not None and reply.content is not None:
            return self._json(200, {"ok": True, "outputs": reply.content})
        inputs = str(values.get("inputs") or "")
        lines = [ln for ln in inputs.splitlines() if ln.strip() and ln.strip().lower() != "assistant:"]
        text = " This is a fake reply to: " + P._snippet(lines[-1] if lines else "")
        pieces = P.split_words(text)
        limit = values.get("max_new_tokens")
        if isinstance(limit, int) and len(pieces) > limit:
            pieces = pieces[:limit]
        return self._json(200, {"ok": True, "outputs": "".join(pieces)})
