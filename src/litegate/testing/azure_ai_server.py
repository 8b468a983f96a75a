"""A fake Azure AI Foundry model-inference server (``azure_ai/``), standard library only.

The OpenAI-shaped answers of :class:`FakeOpenAIServer` under ``/api/models``, with the service's own
rules: every POST needs the ``api-version`` query; a body field outside the standard request is
refused unless the ``extra-parameters`` header says ``pass-through`` or ``drop`` (the answer then
ignores it); ``require_key`` is checked in the ``api-key`` header or as an Entra ID bearer token;
errors use Azure's envelope ``{"error": {"code", "message"}}`` with the ``x-ms-error-code`` header.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import _payloads as P
from ._server import Answer, Call, RecordedRequest, _Raw
from .openai_server import FakeOpenAIServer

__all__ = ["FakeAzureAIServer", "azure_error_body"]

# the request fields the service knows (ChatCompletionsOptions / EmbeddingsOptions, 2025-05-01)
_CHAT_FIELDS = frozenset(
    {
        "messages",
        "model",
        "frequency_penalty",
        "presence_penalty",
        "temperature",
        "top_p",
        "max_tokens",
        "stream",
        "stop",
        "tools",
        "tool_choice",
        "response_format",
        "seed",
        "modalities",
    }
)
_EMBEDDING_FIELDS = frozenset({"input", "model", "dimensions", "encoding_format", "input_type"})


def azure_error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


class FakeAzureAIServer(FakeOpenAIServer):
    """``with FakeAzureAIServer(require_key="k") as srv: litegate.completion("azure_ai/m", ..., api_base=srv.base_url)``."""

    key_headers = (("api-key", ""), ("authorization", "Bearer "))

    @property
    def base_url(self) -> str:
        return self.url + "/api/models"

    def enqueue_azure_error(
        self, status: int, code: str, message: str, count: int = 1, headers: Mapping[str, str | None] | None = None
    ) -> None:
        """Queue ``count`` answers in Azure's error envelope, with ``x-ms-error-code: code``."""
        self.enqueue_error(
            status, count, body=azure_error_body(code, message), headers={"x-ms-error-code": code, **(headers or {})}
        )

    def _azure_error(self, status: int, code: str, message: str) -> _Raw:
        return _Raw(
            status,
            P.dumps(azure_error_body(code, message)),
            {"content-type": "application/json", "x-ms-error-code": code},
        )

    def _error(self, status: int, message: str) -> _Raw:
        return self._azure_error(status, "BadRequest" if status < 500 else "InternalServerError", message)

    def _auth_error(self, rec: RecordedRequest) -> _Raw:
        return self._azure_error(
            401, "Unauthorized", "Access denied due to invalid subscription key or wrong API endpoint."
        )

    def _checked(self, call: Call, known: frozenset[str]) -> _Raw | None:
        rec = call.rec
        if not rec.query.get("api-version"):
            return self._azure_error(
                400,
                "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.",
            )
        body = rec.json
        if not isinstance(body, dict):
            return None  # the OpenAI answers say so
        extra = sorted(k for k in body if k not in known)
        mode = (rec.headers.get("extra-parameters") or "error").lower()
        if extra and mode == "error":
            return self._azure_error(
                400,
                "Extra parameters not allowed",
                f"Extra parameters {extra} are not allowed when extra-parameters is not set "
                "or set to be 'error'. Set extra-parameters to 'pass-through' to pass to the model.",
            )
        return None  # "drop" / "pass-through": the answer ignores the extra fields

    def _chat(self, call: Call) -> Answer:
        return self._checked(call, _CHAT_FIELDS) or super()._chat(call)

    def _embeddings(self, call: Call) -> Answer:
        return self._checked(call, _EMBEDDING_FIELDS) or super()._embeddings(call)
