"""A fake IBM watsonx.ai server with its IAM token endpoint (standard library only).

* ``POST /identity/token`` (form ``grant_type=urn:ibm:params:oauth:grant-type:apikey&apikey=...``):
  ``{"access_token", "token_type", "expires_in", "expiration"}`` for a key in ``api_keys``;
* ``POST /ml/v1/text/chat`` / ``chat_stream`` and ``/ml/v1/deployments/{id}/text/chat`` /
  ``chat_stream`` (``?version=`` required): the bearer token must be one it issued; the body needs
  ``model_id`` (not on deployments) and ``project_id`` or ``space_id``; answers are OpenAI-shaped
  with ``model_id`` (the stream: SSE ``data:`` chunks);
* ``POST /ml/v1/text/embeddings`` (``?version=``, bearer token): ``{"inputs": [...], "model_id",
  "project_id" | "space_id", "parameters"?}`` -> ``{"model_id", "results": [{"embedding"}],
  "created_at", "input_token_count"}`` (deterministic vectors of 768 dimensions).

``token_calls`` counts the exchanges; ``expire_tokens()`` revokes every token issued.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qsl

from . import _payloads as P
from ._server import Answer, Call, Events, FakeServerBase, Invalid, Route, Streams, _Raw

__all__ = ["FakeWatsonxServer"]

_GRANT = "urn:ibm:params:oauth:grant-type:apikey"


class FakeWatsonxServer(FakeServerBase):
    routes = (
        Route(r"/identity/token", "_token"),
        Route(r"/ml/v1/text/(?P<op>chat|chat_stream)", "_chat"),
        Route(r"/ml/v1/deployments/(?P<deployment>[^/]+)/text/(?P<op>chat|chat_stream)", "_chat"),
        Route(r"/ml/v1/text/embeddings", "_embeddings"),
    )
    streams = Streams(terminator=None)

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        api_keys: tuple[str, ...] = ("wx-api-key",),
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
        self.api_keys = tuple(api_keys)
        self.issued: list[str] = []
        self._valid: set[str] = set()
        self.token_calls = 0

    def expire_tokens(self) -> None:
        self._valid.clear()

    @property
    def iam_url(self) -> str:
        return self.url + "/identity/token"

    def _error(self, status: int, message: str) -> _Raw:
        return self._json(
            status, {"errors": [{"code": "invalid_request", "message": message}], "trace": "t", "status_code": status}
        )

    def _auth(self, call: Call) -> _Raw | None:
        if call.route is None or call.route.handler not in ("_chat", "_embeddings"):
            return None
        auth = call.rec.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self._valid:
            return self._json(
                401,
                {
                    "errors": [
                        {
                            "code": "authentication_token_expired",
                            "message": "Failed to authenticate the request due to an expired token",
                        }
                    ],
                    "status_code": 401,
                },
            )
        return None

    def _token(self, call: Call) -> Answer:
        self.token_calls += 1
        form = dict(parse_qsl(call.rec.body.decode("utf-8", "replace")))
        if form.get("grant_type") != _GRANT:
            return self._json(400, {"errorCode": "BXNIM0308E", "errorMessage": "Grant type is not supported"})
        if form.get("apikey") not in self.api_keys:
            return self._json(400, {"errorCode": "BXNIM0415E", "errorMessage": "Provided API key could not be found."})
        token = "eyJwx." + self._next_id("tok")
        self.issued.append(token)
        self._valid.add(token)
        now = int(time.time())
        return self._json(
            200,
            {
                "access_token": token,
                "refresh_token": "not_supported",
                "token_type": "Bearer",
                "expires_in": 3600,
                "expiration": now + 3600,
                "scope": "ibm openid",
            },
        )

    def _chat(self, call: Call) -> Answer:
        rec = call.rec
        if not rec.query.get("version"):
            raise Invalid("Missing query parameter 'version'")
        body = rec.json
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list) or not body["messages"]:
            raise Invalid("Json field 'messages' is required")
        if "deployment" not in call.params and not body.get("model_id"):
            raise Invalid("Json field 'model_id' is required")
        if "model" in body or "stream" in body:
            raise Invalid(f"Json field '{'model' if 'model' in body else 'stream'}' is not recognised")
        if bool(body.get("project_id")) == bool(body.get("space_id")):
            raise Invalid("Exactly one of 'project_id' or 'space_id' must be given")
        model = body.get("model_id") or call.params.get("deployment", "")
        reply = call.reply
        plan = (
            P.plan_chat(body, model, lambda: self._next_id("chatcmpl-tool-"))
            if reply is None
            else P.plan_chat(
                body,
                model,
                lambda: self._next_id("chatcmpl-tool-"),
                content=reply.content,
                tool_calls=reply.tool_calls,
                finish_reason=reply.finish_reason,
                usage=reply.usage,
                use_default=False,
            )
        )
        cid = self._next_id("chatcmpl-")
        created = int(time.time())
        if call.params["op"] == "chat_stream":
            events = P.chat_stream_events(plan, cid, created, True)
            return Events([e.replace(b'"model":', b'"model_id":') for e in events if e != P.DONE_EVENT])
        out = P.chat_completion(plan, cid, created)
        out["model_id"] = out.pop("model")
        return self._json(200, out)

    def _embeddings(self, call: Call) -> Answer:
        rec = call.rec
        if not rec.query.get("version"):
            raise Invalid("Missing query parameter 'version'")
        body = rec.json
        if (
            not isinstance(body, dict)
            or not isinstance(body.get("inputs"), list)
            or not body["inputs"]
            or not all(isinstance(t, str) for t in body["inputs"])
        ):
            raise Invalid("Json field 'inputs' is required (a list of strings)")
        if not body.get("model_id"):
            raise Invalid("Json field 'model_id' is required")
        unknown = sorted(set(body) - {"inputs", "model_id", "project_id", "space_id", "parameters"})
        if unknown:
            raise Invalid(f"Json field '{unknown[0]}' is not recognised")
        if bool(body.get("project_id")) == bool(body.get("space_id")):
            raise Invalid("Exactly one of 'project_id' or 'space_id' must be given")
        return self._json(
            200,
            {
                "model_id": body["model_id"],
                "results": [{"embedding": P.embedding_vector(t, 768)} for t in body["inputs"]],
                "created_at": "2026-01-01T00:00:00.000Z",
                "input_token_count": sum(P.count_tokens(t) for t in body["inputs"]),
            },
        )
