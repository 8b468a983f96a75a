"""A fake NLP Cloud server for the ``chatbot`` task (standard library only).

``POST /v1/[gpu/][<lang>/]<model>/chatbot`` with ``Authorization: Token <require_key>``: the body
must be ``{"input": str, "context": str | null, "history": [{"input", "response"}] | null}`` and
nothing else; the answer is ``{"response": "You said: <input>", "history": <history + this turn>}``.
Errors are ``{"detail": ...}``.
"""

from __future__ import annotations

from ._server import Answer, Call, FakeServerBase, Invalid, RecordedRequest, Route, _Raw

__all__ = ["FakeNLPCloudServer"]


class FakeNLPCloudServer(FakeServerBase):
    routes = (
        Route(r"/v1/(?:(?P<gpu>gpu)/)?(?:(?P<lang>[a-z]{3}_[A-Z][a-z]{3})/)?(?P<model>[^/]+)/chatbot", "_chatbot"),
    )
    key_headers = (("authorization", "Token "),)

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    def _error(self, status: int, message: str) -> _Raw:
        return self._json(status, {"detail": message})

    def _auth_error(self, rec: RecordedRequest) -> _Raw:
        return self._json(401, {"detail": "Invalid token."})

    def _chatbot(self, call: Call) -> Answer:
        body = call.rec.json
        if not isinstance(body, dict) or not isinstance(body.get("input"), str):
            raise Invalid("input: field required", 422)
        unknown = sorted(set(body) - {"input", "context", "history"})
        if unknown:
            raise Invalid(f"{unknown[0]}: extra fields not permitted", 422)
        if body.get("context") is not None and not isinstance(body["context"], str):
            raise Invalid("context: str type expected", 422)
        history = body.get("history") or []
        if not isinstance(history, list) or not all(
            isinstance(h, dict) and set(h) == {"input", "response"} for h in history
        ):
            raise Invalid("history: a list of {input, response} expected", 422)
        reply = call.reply
        text = reply.content if reply is not None and reply.content is not None else "You said: " + body["input"]
        return self._json(200, {"response": text, "history": history + [{"input": body["input"], "response": text}]})
