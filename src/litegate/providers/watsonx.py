"""IBM watsonx.ai (``watsonx/<model_id>``): chat on ``/ml/v1/text/chat`` (``chat_stream`` for SSE)
and embeddings on ``/ml/v1/text/embeddings``, authorised by an IAM token exchanged from an API key.

* URL: ``{WATSONX_URL}/ml/v1/text/chat?version=2024-03-14`` (``api_base=`` / ``WATSONX_URL`` /
  ``WATSONX_API_BASE``: the regional host, e.g. ``https://us-south.ml.cloud.ibm.com``);
  ``watsonx/deployment/<id>`` uses ``/ml/v1/deployments/<id>/text/chat`` (no ``model_id``).
* body: OpenAI's chat body with ``model_id`` for ``model`` and ``project_id`` (``project_id=`` per
  call or ``WATSONX_PROJECT_ID``) or ``space_id`` (``space_id=`` / ``WATSONX_DEPLOYMENT_SPACE_ID`` /
  ``WATSONX_SPACE_ID``); the answer and the stream chunks are OpenAI-shaped (``model_id`` instead
  of ``model``).
* auth: ``Authorization: Bearer <token>``: a token given as ``token=`` / ``WATSONX_TOKEN`` is used
  as is; otherwise the API key (``api_key=``, ``litegate.watsonx_key``, ``WATSONX_APIKEY`` /
  ``WATSONX_API_KEY``) is exchanged at ``https://iam.cloud.ibm.com/identity/token``
  (``grant_type=urn:ibm:params:oauth:grant-type:apikey``; ``WATSONX_IAM_URL`` replaces it) through
  the call's transport, on the attempt that needs it, and cached until five minutes before
  ``expiration`` (at most 64 keys).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from ..core.auth import Auth, Flow, with_header
from ..core.http import HttpRequest, HttpResponse
from ..core.resolve import env_value
from .base import bad_input
from .openai import OpenAIDialect

if TYPE_CHECKING:
    from ..core.call import ChatCall, EmbeddingCall
    from ..core.resolve import Target
    from ..types.utils import EmbeddingResponse, ModelResponse
    from .base import AnyCall, Drop


__all__ = ["Watsonx", "IamTokenFlow", "API_VERSION", "IAM_URL"]

API_VERSION = "2024-03-14"
IAM_URL = "https://iam.cloud.ibm.com/identity/token"
GRANT = "urn:ibm:params:oauth:grant-type:apikey"
_CONTROL = frozenset({"project_id", "space_id", "token", "watsonx_iam_url"})
_tokens: OrderedDict[str, tuple[str, float]] = OrderedDict()
_lock = threading.Lock()
CACHE_SIZE = 64
MARGIN = 300.0


def clear_tokens() -> None:
    with _lock:
        _tokens.clear()


def _scope(extra: dict[str, Any]) -> tuple[Any, Any, Any]:
    """(token, project_id, space_id) from the call's keyword arguments or the environment."""
    return (
        extra.get("token") or env_value(("WATSONX_TOKEN",)),
        extra.get("project_id") or env_value(("WATSONX_PROJECT_ID",)),
        extra.get("space_id") or env_value(("WATSONX_DEPLOYMENT_SPACE_ID", "WATSONX_SPACE_ID")),
    )


class IamTokenFlow(Auth):
    """Exchange the API key for an IAM access token (cached), then send it as a Bearer token."""

    def __init__(self, api_key: str, iam_url: str, model: str):
        self.api_key = api_key
        self.iam_url = iam_url
        self.model = model
        self.key = hashlib.sha256(f"{iam_url}\0{api_key}".encode()).hexdigest()

    def flow(self, request: HttpRequest) -> Flow:
        from ..core.redact import register_secret

        now = time.time()
        with _lock:
            hit = _tokens.get(self.key)
        if hit is None or hit[1] - MARGIN <= now:
            body = urlencode({"grant_type": GRANT, "apikey": self.api_key}).encode()
            resp = yield HttpRequest(
                "POST",
                self.iam_url,
                {"content-type": "application/x-www-form-urlencoded", "accept": "application/json"},
                content=body,
            )
            from ..exceptions import AuthenticationError

            data: Any = None
            try:
                data = resp.json()
            except ValueError:
                pass
            token = data.get("access_token") if isinstance(data, dict) else None
            if resp.status_code >= 400 or not isinstance(token, str) or not token:
                detail = (data or {}).get("errorMessage") if isinstance(data, dict) else None
                raise AuthenticationError(
                    message=f"watsonx: the IAM token exchange was refused (HTTP "
                    f"{resp.status_code}){': ' + str(detail) if detail else ''}",
                    llm_provider="watsonx",
                    model=self.model,
                )
            expiry = data.get("expiration")
            if not isinstance(expiry, (int, float)):
                expiry = now + float(data.get("expires_in") or 3600)
            register_secret(token)
            with _lock:
                _tokens[self.key] = (token, float(expiry))
                _tokens.move_to_end(self.key)
                while len(_tokens) > CACHE_SIZE:
                    _tokens.popitem(last=False)
            hit = (token, float(expiry))
        return with_header(request, "authorization", "Bearer " + hit[0])


class Watsonx(OpenAIDialect):
    name = "watsonx"
    key_hint = "WATSONX_APIKEY / litegate.watsonx_key (or WATSONX_TOKEN)"
    key_required = False
    text_via_chat = True

    def auth(self, target: Target, call: AnyCall, cfg: Any) -> Auth | None:
        extra = getattr(call, "extra", None) or {}
        if (
            extra.get("token")
            or env_value(("WATSONX_TOKEN",))
            or any(k.lower() == "authorization" for k in target.headers or ())
        ):
            return None
        if not target.api_key:
            raise self.missing_key(target)
        iam = extra.get("watsonx_iam_url") or env_value(("WATSONX_IAM_URL",)) or IAM_URL
        return IamTokenFlow(target.api_key, iam, target.model)

    def auth_headers(self, target: Target) -> dict[str, str]:
        h = {"content-type": "application/json", "accept": "application/json"}
        h.update(target.headers or {})
        return h

    def chat_request(self, call: ChatCall, target: Target, drop: Drop) -> HttpRequest:
        extra = dict(call.extra or {})
        token, project, space = _scope(extra)
        import dataclasses

        clean = dataclasses.replace(call, extra={k: v for k, v in extra.items() if k not in _CONTROL})
        request = super().chat_request(clean, target, drop)
        body = dict(request.json)
        model = body.pop("model")
        if model.startswith("deployment/"):
            path = f"ml/v1/deployments/{model.split('/', 1)[1]}/text/"
        else:
            path = "ml/v1/text/"
            body["model_id"] = model
            if not (project or space):
                raise bad_input(
                    "watsonx needs a project_id (project_id=... or WATSONX_PROJECT_ID) or a space_id", call.model
                )
        if space and not project:
            body["space_id"] = space
        elif project:
            body["project_id"] = project
        body.pop("stream", None)
        url = f"{target.api_base}/{path}{'chat_stream' if call.stream else 'chat'}"
        headers = dict(request.headers)
        if call.stream:
            headers["accept"] = "text/event-stream"
        if token:
            from ..core.redact import register_secret

            register_secret(token)
            headers["authorization"] = "Bearer " + token
        return replace(request, url=url, json=body, headers=headers, params={"version": API_VERSION})

    def embedding_request(self, call: EmbeddingCall, target: Target, drop: Drop) -> HttpRequest:
        """``POST /ml/v1/text/embeddings``: ``{"inputs", "model_id", "project_id" | "space_id"}``;
        ``truncate_input_tokens`` (a keyword argument) goes into ``parameters``."""
        from .base import drop_unsupported

        extra = {k: v for k, v in (call.extra or {}).items() if k not in _CONTROL}
        token, project, space = _scope(call.extra or {})
        model = target.model
        if model.startswith("deployment/"):
            raise bad_input("watsonx embeddings take a foundation model id, not a deployment", call.model)
        if not (project or space):
            raise bad_input(
                "watsonx needs a project_id (project_id=... or WATSONX_PROJECT_ID) or a space_id", call.model
            )
        texts = [call.input] if isinstance(call.input, str) else list(call.input or ())
        if not texts or not all(isinstance(t, str) for t in texts):
            raise bad_input("watsonx embeddings take text input (a string or a list of strings)", call.model)
        params = dict(call.params or {})
        drop_unsupported(
            self.name,
            params,
            [p for p in params if not (p == "encoding_format" and params[p] == "float")],
            call.model,
            drop,
        )
        body: dict[str, Any] = {"inputs": texts, "model_id": model}
        body["space_id" if space and not project else "project_id"] = space if space and not project else project
        parameters = dict(extra.pop("parameters", None) or {})
        if "truncate_input_tokens" in extra:
            parameters["truncate_input_tokens"] = extra.pop("truncate_input_tokens")
        if parameters:
            body["parameters"] = parameters
        headers = self.auth_headers(target)
        if token:
            from ..core.redact import register_secret

            register_secret(token)
            headers["authorization"] = "Bearer " + token
        return HttpRequest(
            "POST", f"{target.api_base}/ml/v1/text/embeddings", headers, body, params={"version": API_VERSION}
        )

    def parse_embedding(self, resp: HttpResponse, call: EmbeddingCall, target: Target) -> EmbeddingResponse:
        from ..types.utils import EmbeddingResponse

        data = self.json_body(resp, target, "results")
        results = data.get("results")
        if not isinstance(results, list) or not all(
            isinstance(r, dict) and isinstance(r.get("embedding"), list) for r in results
        ):
            raise self.invalid("response has no 'results[].embedding'", target)
        tokens = int(data.get("input_token_count") or 0)
        return EmbeddingResponse(
            model=data.get("model_id") or target.model,
            object="list",
            data=[{"object": "embedding", "index": i, "embedding": r["embedding"]} for i, r in enumerate(results)],
            usage={"prompt_tokens": tokens, "total_tokens": tokens},
        )

    def parse_chat(self, resp: HttpResponse, call: ChatCall, target: Target) -> ModelResponse:
        out = super().parse_chat(resp, call, target)
        if not out.model:
            out.model = target.model
        return out
