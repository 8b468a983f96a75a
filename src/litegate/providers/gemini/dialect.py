"""The ``Gemini`` dialect: the Gemini API (AI Studio, ``gemini/<model>``, API key).

Requests
--------
* ``POST {api_base}/v1beta/models/{model}:generateContent`` or
  ``:streamGenerateContent?alt=sse``. The key travels in the ``x-goog-api-key`` header, never in
  the URL. An ``api_base`` that already ends with an API version (``/v1``, ``/v1beta``,
  ``/v1alpha``) is used as given; a ``models/`` prefix on the model name is accepted.
* The body: ``contents`` / ``systemInstruction`` (messages.py), ``tools`` / ``toolConfig``
  (tools.py), ``generationConfig`` and other keyword arguments (params.py).

Embeddings: a string -> ``:embedContent``, a list -> ``:batchEmbedContents`` (one request per
text, each naming ``models/<model>``); ``dimensions`` -> ``outputDimensionality``; ``task_type``
(or ``input_type``; Cohere-style values such as ``search_query`` are mapped) -> ``taskType``;
``title`` passes through. ``encoding_format="base64"`` is produced here (float32 little-endian).

Replies are read by response.py, streams by streaming.py; an error object sent with a success
status is raised as the error it names (:meth:`Gemini.embedded_error`).
"""

from __future__ import annotations

import base64
import struct
import time
import uuid
from typing import TYPE_CHECKING, Any

from ...core.http import HttpRequest, HttpResponse
from ...core.jsonutil import dumps, loads
from ...exceptions import ContentPolicyViolationError, UnsupportedParamsError
from ...types.utils import EmbeddingResponse, ModelResponse
from ..base import Dialect, bad_input
from .common import _VERSIONED, API_VERSION, _camel
from .messages import convert_messages
from .params import generation_config, route_extra, supported_params, unsupported_params
from .response import chat_choice, embedded_error, embedding_vectors, usage_of
from .streaming import GeminiStreamDecoder
from .tools import tool_fields

if TYPE_CHECKING:
    from ..base import StreamDecoder

__all__ = ["Gemini"]

_TASK_TYPES = {
    "search_query": "RETRIEVAL_QUERY",
    "query": "RETRIEVAL_QUERY",
    "retrieval_query": "RETRIEVAL_QUERY",
    "search_document": "RETRIEVAL_DOCUMENT",
    "document": "RETRIEVAL_DOCUMENT",
    "retrieval_document": "RETRIEVAL_DOCUMENT",
    "classification": "CLASSIFICATION",
    "clustering": "CLUSTERING",
    "semantic_similarity": "SEMANTIC_SIMILARITY",
    "question_answering": "QUESTION_ANSWERING",
    "fact_verification": "FACT_VERIFICATION",
    "code_retrieval_query": "CODE_RETRIEVAL_QUERY",
}
_EMBED_OPTIONS = ("title", "output_dimensionality", "outputDimensionality", "auto_truncate", "autoTruncate")


class Gemini(Dialect):
    """The Gemini API (AI Studio): ``POST /v1beta/models/{model}:generateContent``."""

    name = "gemini"
    key_hint = "GEMINI_API_KEY / GOOGLE_API_KEY / litegate.gemini_key"
    kept_headers = ("x-goog-", "retry-after", "x-request-id", "x-ratelimit-", "server-timing", "x-gemini-")
    vertex = False  # Vertex AI's Schema keeps additionalProperties

    # ------------------------------------------------------------------ params
    def supported_openai_params(self, model: str) -> list[str]:
        return supported_params(model)

    def unsupported(self, params: dict[str, Any], model: str) -> list[str]:
        return unsupported_params(params, model)

    def adapt_params(self, params: dict[str, Any], model: str) -> dict[str, Any]:
        """OpenAI params -> the Gemini request fields they become (``generationConfig``, ``tools``,
        ``toolConfig``); no contents or system instruction."""
        out: dict[str, Any] = {}
        gen = generation_config(params, model, vertex=self.vertex, provider=self.name)
        if gen:
            out["generationConfig"] = gen
        out.update(tool_fields(params, model, vertex=self.vertex, provider=self.name))
        return out

    # ------------------------------------------------------------------ requests
    def auth_headers(self, target: Any) -> dict[str, str]:
        if not target.api_key:
            raise self.missing_key(target)
        h = {"x-goog-api-key": target.api_key, "content-type": "application/json"}
        if target.headers:
            h.update(target.headers)
        return h

    @staticmethod
    def model_id(model: str) -> str:
        return model[len("models/") :] if model.startswith("models/") else model

    def url(self, target: Any, method: str) -> str:
        base = target.api_base
        if not _VERSIONED.search(base):
            base = f"{base}/{API_VERSION}"
        return f"{base}/models/{self.model_id(target.model)}:{method}"

    def call_extra(self, call: Any) -> dict[str, Any]:
        """The call's keyword arguments meant for the request (Vertex AI removes its own settings)."""
        return call.extra or {}

    def chat_body(self, call: Any, target: Any, drop: Any) -> dict[str, Any]:
        model = target.model
        instruction, contents = convert_messages(call.messages, model)
        body: dict[str, Any] = {"contents": contents}
        if instruction is not None:
            body["systemInstruction"] = instruction
        if call.params:
            body.update(self.map_params(call.params, model, drop))
        route_extra(self.call_extra(call), model, body)
        return body

    def chat_request(self, call: Any, target: Any, drop: Any) -> HttpRequest:
        body = self.chat_body(call, target, drop)
        if call.stream:
            return HttpRequest(
                "POST",
                self.url(target, "streamGenerateContent"),
                self.auth_headers(target),
                body,
                params={"alt": "sse"},
            )
        return HttpRequest("POST", self.url(target, "generateContent"), self.auth_headers(target), body)

    # ------------------------------------------------------------------ embeddings
    def _embedding_inputs(self, call: Any, drop: Any) -> tuple[list[str], bool]:
        """(texts, single) of an embedding call; token ids and ``user`` are refused."""
        model = call.model
        value = call.input
        if isinstance(value, str):
            texts, single = [value], True
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            texts, single = list(value), False
        else:
            raise bad_input(
                f"{self.name} embeds text: input must be a string or a list of strings (token ids are not accepted)",
                model,
            )
        if "user" in (call.params or {}) and not drop:
            raise UnsupportedParamsError(
                message=f"{self.name} does not support parameters ['user'] for embeddings. Set drop_params=True "
                "to drop it.",
                model=model,
                llm_provider=self.name,
            )
        return texts, single

    def _embed_options(self, call: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        """(per-text options in Gemini names, other keyword arguments) of an embedding call."""
        options: dict[str, Any] = {}
        rest: dict[str, Any] = {}
        dims = (call.params or {}).get("dimensions")
        if dims is not None:
            options["outputDimensionality"] = dims
        for key, value in self.call_extra(call).items():
            if key in ("task_type", "taskType", "input_type"):
                if isinstance(value, str):
                    value = _TASK_TYPES.get(value.lower(), value.upper())
                options["taskType"] = value
            elif key in _EMBED_OPTIONS:
                options[_camel(key)] = value
            else:
                rest[key] = value
        return options, rest

    def embedding_request(self, call: Any, target: Any, drop: Any) -> HttpRequest:
        texts, single = self._embedding_inputs(call, drop)
        options, rest = self._embed_options(call)
        resource = "models/" + self.model_id(target.model)

        def one(text: str) -> dict[str, Any]:
            return {"model": resource, "content": {"parts": [{"text": text}]}, **options}

        if single:
            body: dict[str, Any] = dict(one(texts[0]), **rest)
            return HttpRequest("POST", self.url(target, "embedContent"), self.auth_headers(target), body)
        body = {"requests": [one(t) for t in texts], **rest}
        return HttpRequest("POST", self.url(target, "batchEmbedContents"), self.auth_headers(target), body)

    # ------------------------------------------------------------------ responses
    def json_body(self, resp: HttpResponse, target: Any, required: str | None = None) -> dict[str, Any]:
        """The base rule, after unwrapping a lone object Google sometimes sends in a list (errors)."""
        if resp.content.lstrip()[:1] == b"[":
            try:
                data = loads(resp.content)
            except ValueError:
                data = None
            if isinstance(data, list) and len(data) == 1 and isinstance(data[0], dict):
                resp = HttpResponse(resp.status_code, resp.headers, dumps(data[0]), resp.url)
        return super().json_body(resp, target, required)

    def embedded_error(self, data: dict[str, Any], resp: HttpResponse, target: Any) -> Exception | None:
        """An error object (classified by the HTTP status it names), a blocked prompt, or an answer
        whose candidates were all stopped for safety before producing anything."""
        err = embedded_error(data, self.name, target.model)
        if isinstance(err, ContentPolicyViolationError):
            err.response = resp
        return err

    def parse_chat(self, resp: HttpResponse, call: Any, target: Any) -> ModelResponse:
        data = self.json_body(resp, target)
        err = self.embedded_error(data, resp, target)
        if err is not None:
            raise err
        candidates = data.get("candidates")
        if not isinstance(candidates, list) or not candidates:
            raise self.invalid(f"response has no candidates: {resp.text[:200]!r}", target)
        if not all(isinstance(cand, dict) for cand in candidates):
            raise self.invalid("response has a candidate that is not an object", target)
        return ModelResponse(
            id=data.get("responseId") or "chatcmpl-" + uuid.uuid4().hex,
            created=int(time.time()),
            model=data.get("modelVersion") or self.model_id(target.model),
            object="chat.completion",
            choices=[chat_choice(cand, position) for position, cand in enumerate(candidates)],
            usage=usage_of(data.get("usageMetadata")),
        )

    def parse_embedding(self, resp: HttpResponse, call: Any, target: Any) -> EmbeddingResponse:
        data = self.json_body(resp, target)
        found = embedding_vectors(data)
        if found is None:
            raise self.embedded_error(data, resp, target) or self.invalid(
                f"embedding response has no 'embedding', 'embeddings' or 'predictions': {resp.text[:200]!r}", target
            )
        vectors, tokens = found
        if any(not isinstance(v, list) for v in vectors):
            raise self.invalid("embedding response has an embedding without 'values'", target)
        b64 = (call.params or {}).get("encoding_format") == "base64"
        items: list[dict[str, Any]] = []
        for i, vec in enumerate(vectors):
            value: Any = vec
            if b64:
                value = base64.b64encode(struct.pack(f"<{len(vec)}f", *vec)).decode("ascii")
            items.append({"object": "embedding", "index": i, "embedding": value})
        return EmbeddingResponse(
            model=self.model_id(target.model),
            data=items,
            object="list",
            usage={"prompt_tokens": tokens, "completion_tokens": 0, "total_tokens": tokens},
        )

    def stream_decoder(self, call: Any, target: Any) -> StreamDecoder:
        so = (call.params or {}).get("stream_options")
        include_usage = isinstance(so, dict) and so.get("include_usage") is True
        return GeminiStreamDecoder(self.name, self.model_id(target.model), include_usage)
