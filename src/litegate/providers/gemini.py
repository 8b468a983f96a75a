"""The Google Gemini dialect: ``gemini/<model>`` (Gemini API / AI Studio, API key).

A pure translator, like the OpenAI one: a ``ChatCall`` / ``EmbeddingCall`` + ``Target`` become an
``HttpRequest``; the JSON reply or the SSE byte stream becomes our OpenAI-shaped types, and error
bodies become the exception hierarchy. No I/O here. ``providers/vertex.py`` speaks the same
dialect on Vertex AI URLs and reuses everything below.

Wire format: the Gemini API reference (``v1beta`` OpenAPI description), the recorded responses and
streams of Google's client SDKs, and the official ``google-genai`` SDK (see the parity tests).

Requests
--------
* ``POST {api_base}/v1beta/models/{model}:generateContent`` or
  ``:streamGenerateContent?alt=sse``. The key travels in the ``x-goog-api-key`` header, never in
  the URL. An ``api_base`` that already ends with an API version (``/v1``, ``/v1beta``,
  ``/v1alpha``) is used as given; a ``models/`` prefix on the model name is accepted.
* ``system`` / ``developer`` messages (wherever they stand, in order) become ``systemInstruction``
  ``{"parts": [{"text": ...}]}``. A conversation of system messages only is sent as one user turn
  (``contents`` must not be empty).
* ``user`` -> role ``user``; ``assistant`` -> role ``model``. Consecutive turns of the same role are
  merged into one content (parallel function responses must share one turn).
* content parts: text -> ``{"text"}``; ``image_url`` with a base64 data URL -> ``inlineData``; an
  ``http(s)://`` or ``gs://`` URL -> ``fileData {fileUri, mimeType}`` with the MIME type taken from
  ``image_url.format`` or guessed from the file extension (left out when it cannot be guessed);
  ``file`` parts (``file_data`` data URL -> ``inlineData``, ``file_id`` URI -> ``fileData``);
  ``input_audio`` -> ``inlineData`` ``audio/<format>``.
* assistant ``tool_calls`` -> ``functionCall {name, args}`` parts (arguments parsed from their
  JSON string). A thought signature returned by Gemini (kept on the tool call as
  ``provider_specific_fields.thought_signature``, or in a litellm-style ``...__thought__<sig>``
  id) is sent back as the part's ``thoughtSignature``, as thinking models require.
* ``tool`` messages -> ``functionResponse {name, response: {"content": <text>}}`` in a user turn;
  the function name is looked up from the assistant tool call the ``tool_call_id`` answers (or the
  message's ``name``).
* ``tools`` -> one ``{"functionDeclarations": [...]}`` tool; each JSON schema is adapted to
  Gemini's OpenAPI-subset ``Schema`` by :func:`adapt_schema` (types upper-cased, ``$ref`` /
  ``$defs`` inlined, ``type: [X, "null"]`` and ``anyOf [X, null]`` -> ``nullable``, ``oneOf`` ->
  ``anyOf``, ``allOf`` merged, string ``const`` -> ``enum``); every keyword that cannot be expressed
  is dropped and named in one logged warning per schema (never a silent drop). Gemini-native tools
  (``googleSearch``, ``codeExecution``, ``urlContext`` ...) pass through; ``web_search_options``
  adds ``googleSearch``. A function without parameters is declared without ``parameters``.
* ``tool_choice``: ``auto`` -> ``AUTO``, ``none`` -> ``NONE``, ``required`` -> ``ANY``, a named
  function -> ``ANY`` + ``allowedFunctionNames``. ``parallel_tool_calls=False`` cannot be
  expressed (logged warning).
* ``generationConfig``: ``temperature``, ``top_p`` -> ``topP``, ``max_completion_tokens`` /
  ``max_tokens`` -> ``maxOutputTokens``, ``stop`` -> ``stopSequences``, ``n`` ->
  ``candidateCount``, ``seed``, ``presence_penalty`` / ``frequency_penalty``, ``logprobs`` ->
  ``responseLogprobs``, ``top_logprobs`` -> ``logprobs``, ``modalities`` -> ``responseModalities``.
* ``response_format``: ``json_object`` -> ``responseMimeType: application/json``; ``json_schema``
  -> the same plus ``responseJsonSchema`` (the schema as given) on Gemini 2.5 and later, which
  take JSON Schema, or ``responseSchema`` (adapted, with ``propertyOrdering`` keeping the schema's
  property order) on older models.
* ``reasoning_effort`` -> ``thinkingConfig`` with ``includeThoughts``: Gemini 2.5 a
  ``thinkingBudget`` (minimal 512, low 1024, medium 2048, high 4096; ``none`` -> 0, or the
  minimum 128 on Pro models, which cannot turn thinking off); Gemini 3 a ``thinkingLevel``.
  Models before 2.5 have no thinking: ``UnsupportedParamsError`` unless ``drop_params``. An
  Anthropic-style ``thinking={"type": "enabled", "budget_tokens": N}`` argument is accepted too.
* Other keyword arguments: generation-config fields (``top_k``, ``response_modalities``,
  ``thinking_config`` ..., snake_case or camelCase) go into ``generationConfig``; a
  ``generation_config`` dict is merged into it; anything else (``safety_settings``,
  ``cached_content``, ``labels`` ...) is a top-level request field (snake_case names of known
  fields are camel-cased).
* ``user``, ``logit_bias``, ``audio``, ``prediction``, ``service_tier``, ``store`` and the legacy
  ``functions`` have no Gemini equivalent: ``UnsupportedParamsError`` unless ``drop_params``.

Responses
---------
Text parts are joined into ``content``; ``thought: true`` parts into ``reasoning_content``;
``functionCall`` parts become ``tool_calls`` (Gemini's ``id`` when it gives one, else a generated
``call_...``; JSON-string arguments); ``inlineData`` outputs become ``message.images`` (data URLs);
``executableCode`` / ``codeExecutionResult`` are rendered into the content as fenced blocks.
Safety ratings, citation, grounding and URL-context metadata, thought signatures of text parts,
``finishMessage`` and ``avgLogprobs`` are kept in ``message.provider_specific_fields``;
``logprobsResult`` becomes OpenAI chat ``logprobs``. Finish reasons: ``STOP`` -> ``stop``
(``tool_calls`` when the answer holds function calls), ``MAX_TOKENS`` -> ``length``, ``SAFETY``,
``RECITATION``, ``BLOCKLIST``, ``PROHIBITED_CONTENT``, ``SPII`` and the image safety reasons ->
``content_filter``, anything else (unknown values included) -> ``stop``.
Usage: ``prompt_tokens`` = ``promptTokenCount`` + ``toolUsePromptTokenCount``,
``completion_tokens`` = ``candidatesTokenCount`` + ``thoughtsTokenCount`` (the thoughts also as
``completion_tokens_details.reasoning_tokens``), ``prompt_tokens_details.cached_tokens`` =
``cachedContentTokenCount``.

Blocks: a prompt blocked by ``promptFeedback.blockReason`` (no candidates), or an answer whose
candidates all stopped for a safety reason before producing anything, raises
``ContentPolicyViolationError`` (with the feedback / ratings in ``provider_specific_fields``); an
answer cut by a safety stop after some content is returned with ``finish_reason:
"content_filter"``, as OpenAI does.

Streams are SSE, one ``GenerateContentResponse`` per ``data:`` event and no terminator: a stream
is complete when a ``finishReason`` was seen, and one that ends without one raises
``APIConnectionError``. The chunk with ``finish_reason`` (and, with
``stream_options={"include_usage": True}``, the last cumulative ``usage``) is emitted when the
stream ends. Function calls arrive whole (one delta each). An error object inside the stream
(as an event, or as raw JSON appended to it) raises the mapped exception after the chunks before
it.

Embeddings: a string -> ``:embedContent``, a list -> ``:batchEmbedContents`` (one request per
text, each naming ``models/<model>``); ``dimensions`` -> ``outputDimensionality``; ``task_type``
(or ``input_type``; Cohere-style values such as ``search_query`` are mapped) -> ``taskType``;
``title`` passes through. ``encoding_format="base64"`` is produced here (float32 little-endian).
"""

from __future__ import annotations

import base64
import mimetypes
import re
import struct
import time
import uuid
from typing import Any

from ._common import drop_unsupported
from ..core.errors import exception_from_response, mid_stream_error
from ..core.http import HttpRequest, HttpResponse
from ..core.jsonutil import dumps, loads
from ..core.log import log
from ..exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    AuthenticationError,
    ContentPolicyViolationError,
    UnsupportedParamsError,
)
from ..types.utils import EmbeddingResponse, ModelResponse, ModelResponseStream

__all__ = [
    "Gemini",
    "GeminiStreamDecoder",
    "adapt_schema",
    "convert_messages",
    "convert_tools",
    "finish_reason",
    "model_version",
]

API_VERSION = "v1beta"
THOUGHT_SEPARATOR = "__thought__"  # litellm-style thought signature carried in a tool call id

FINISH_REASONS = {
    "STOP": "stop",
    "MAX_TOKENS": "length",
    "SAFETY": "content_filter",
    "RECITATION": "content_filter",
    "BLOCKLIST": "content_filter",
    "PROHIBITED_CONTENT": "content_filter",
    "SPII": "content_filter",
    "IMAGE_SAFETY": "content_filter",
    "IMAGE_PROHIBITED_CONTENT": "content_filter",
    "IMAGE_RECITATION": "content_filter",
}
# finish reasons that mean "blocked": with no content at all they raise ContentPolicyViolationError
SAFETY_FINISH = frozenset(k for k, v in FINISH_REASONS.items() if v == "content_filter")

# reasoning_effort -> thinkingBudget (Gemini 2.5) / thinkingLevel (Gemini 3)
THINKING_BUDGETS = {"minimal": 512, "low": 1024, "medium": 2048, "high": 4096}
_PRO_MIN_BUDGET = 128

_SUPPORTED = (
    "temperature", "top_p", "max_tokens", "max_completion_tokens", "stream", "stream_options", "stop", "n",
    "seed", "presence_penalty", "frequency_penalty", "logprobs", "top_logprobs", "response_format", "tools",
    "tool_choice", "parallel_tool_calls", "modalities", "web_search_options", "extra_headers",
)
_ALWAYS_OK = frozenset(_SUPPORTED) | {"reasoning_effort"}  # reasoning_effort checked by model

# generationConfig fields (camelCase); keyword arguments with these names (or their snake_case
# spelling) go into generationConfig
_GENERATION_FIELDS = frozenset({
    "temperature", "topP", "topK", "candidateCount", "maxOutputTokens", "stopSequences", "presencePenalty",
    "frequencyPenalty", "seed", "responseMimeType", "responseSchema", "responseJsonSchema", "responseLogprobs",
    "logprobs", "thinkingConfig", "responseModalities", "mediaResolution", "speechConfig", "imageConfig",
    "enableAffectiveDialog", "audioTimestamp", "routingConfig", "enableEnhancedCivicAnswers", "responseFormat",
})
_TOP_LEVEL_FIELDS = frozenset({
    "safetySettings", "cachedContent", "labels", "toolConfig", "modelArmorConfig", "serviceTier", "store",
})
_NATIVE_TOOL_KEYS = frozenset({
    "functionDeclarations", "function_declarations", "googleSearch", "google_search", "googleSearchRetrieval",
    "google_search_retrieval", "codeExecution", "code_execution", "urlContext", "url_context", "googleMaps",
    "google_maps", "fileSearch", "file_search", "computerUse", "computer_use", "retrieval", "enterpriseWebSearch",
    "enterprise_web_search", "mcpServers", "mcp_servers",
})
_TASK_TYPES = {
    "search_query": "RETRIEVAL_QUERY", "query": "RETRIEVAL_QUERY", "retrieval_query": "RETRIEVAL_QUERY",
    "search_document": "RETRIEVAL_DOCUMENT", "document": "RETRIEVAL_DOCUMENT",
    "retrieval_document": "RETRIEVAL_DOCUMENT", "classification": "CLASSIFICATION", "clustering": "CLUSTERING",
    "semantic_similarity": "SEMANTIC_SIMILARITY", "question_answering": "QUESTION_ANSWERING",
    "fact_verification": "FACT_VERIFICATION", "code_retrieval_query": "CODE_RETRIEVAL_QUERY",
}
_KEPT_HEADERS = ("x-goog-", "retry-after", "x-request-id", "x-ratelimit-", "server-timing", "x-gemini-")
_VERSIONED = re.compile(r"/v\d+(?:(?:alpha|beta)\d*)?$")
_MODEL_NAME = re.compile(r"gemini-(\d+)(?:\.(\d+))?")
_DATA_URL = re.compile(r"data:([^;,]*)((?:;[^;,]*)*),(.*)", re.DOTALL)


# ---------------------------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------------------------


def _fail(message: str, model: str) -> Exception:
    from ..core.call import _fail as fail

    return fail(message, model)


def _plain(obj: Any) -> Any:
    dump = getattr(obj, "model_dump", None)
    if dump is not None:
        return dump(exclude_none=True)
    return obj


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _json_text(value: Any) -> str:
    return dumps(value).decode("utf-8")


def _new_call_id() -> str:
    return "call_" + uuid.uuid4().hex[:24]


def model_version(model: str) -> tuple[int, int] | None:
    """(major, minor) read from a Gemini model name (``gemini-2.5-flash`` -> (2, 5)), or None."""
    m = _MODEL_NAME.search(model)
    if m is None:
        return None
    return int(m.group(1)), int(m.group(2) or 0)


def supports_thinking(model: str) -> bool:
    """Thinking (``thinkingConfig``): Gemini 2.5 and later; names we cannot read are assumed to."""
    v = model_version(model)
    return v is None or v >= (2, 5)


def supports_json_schema(model: str) -> bool:
    """``responseJsonSchema`` (JSON Schema for structured output): Gemini 2.5 and later."""
    v = model_version(model)
    return v is not None and v >= (2, 5)


def google_error(obj: dict, provider: str, model: str) -> Exception:
    """The exception for a ``google.rpc.Status`` error object met where a response was expected (a
    200 body, a stream): classified as the HTTP status it names (``error.code``) would be."""
    err = obj.get("error")
    code = err.get("code") if isinstance(err, dict) else None
    if isinstance(code, int) and not isinstance(code, bool) and 400 <= code <= 599 and code != 499:
        from ..core.http import Headers

        resp = HttpResponse(code, Headers({"content-type": "application/json"}), dumps(obj))
        return exception_from_response(resp, llm_provider=provider, model=model)
    return mid_stream_error(obj, llm_provider=provider, model=model)


def finish_reason(reason: Any, has_tool_calls: bool = False) -> str:
    """Gemini ``finishReason`` -> OpenAI ``finish_reason``."""
    mapped = FINISH_REASONS.get(reason, "stop") if isinstance(reason, str) else "stop"
    if has_tool_calls and mapped == "stop":
        return "tool_calls"
    return mapped


# ---------------------------------------------------------------------------------------------
# JSON schema -> Gemini Schema
# ---------------------------------------------------------------------------------------------

_TYPES = {"string": "STRING", "number": "NUMBER", "integer": "INTEGER", "boolean": "BOOLEAN", "array": "ARRAY",
          "object": "OBJECT", "null": "NULL"}
# Schema fields Gemini takes as they are (the OpenAPI subset of the v1beta ``Schema`` object)
_KEPT_KEYWORDS = frozenset({
    "format", "title", "description", "nullable", "minItems", "maxItems", "minProperties", "maxProperties",
    "minLength", "maxLength", "pattern", "minimum", "maximum", "default", "example", "propertyOrdering",
})
_HANDLED_KEYWORDS = frozenset({
    "type", "properties", "items", "required", "enum", "const", "anyOf", "oneOf", "allOf", "$ref", "$defs",
    "definitions", "additionalProperties",
})


class _SchemaAdapter:
    """One JSON schema -> Gemini ``Schema``; collects what had to be dropped (path, keyword)."""

    def __init__(self, root: dict, keep_additional: bool, ordering: bool):
        self.root = root
        self.keep_additional = keep_additional
        self.ordering = ordering
        self.dropped: list[tuple[str, str]] = []
        self._refs: list[str] = []

    def drop(self, path: str, what: str) -> None:
        self.dropped.append((path, what))

    def resolve(self, ref: str) -> Any:
        if ref == "#":
            return self.root
        for prefix in ("#/$defs/", "#/definitions/"):
            if ref.startswith(prefix):
                target: Any = self.root.get(prefix[2:-1])
                for name in ref[len(prefix):].split("/"):
                    name = name.replace("~1", "/").replace("~0", "~")
                    target = target.get(name) if isinstance(target, dict) else None
                return target
        return None

    def convert(self, node: Any, path: str) -> dict:
        if node is True or node == {}:
            return {}
        if not isinstance(node, dict):
            self.drop(path, f"a schema that is not an object ({node!r:.40})")
            return {}
        ref = node.get("$ref")
        if isinstance(ref, str):
            if ref in self._refs:
                self.drop(path, f"recursive $ref {ref!r} (replaced by an object without properties)")
                out: dict = {"type": "OBJECT"}
                if isinstance(node.get("description"), str):
                    out["description"] = node["description"]
                return out
            target = self.resolve(ref)
            if not isinstance(target, dict):
                self.drop(path, f"$ref {ref!r} (not a local definition)")
                return {}
            merged = {k: v for k, v in target.items() if k not in ("$defs", "definitions")}
            merged.update({k: v for k, v in node.items() if k != "$ref"})
            self._refs.append(ref)
            try:
                return self.convert(merged, path)
            finally:
                self._refs.pop()
        node = self._flatten_all_of(node, path)
        out = {}
        for key, value in node.items():
            if key in _KEPT_KEYWORDS:
                out[key] = value
            elif key not in _HANDLED_KEYWORDS:
                self.drop(path, key)
        if node is not self.root and ("$defs" in node or "definitions" in node):
            self.drop(path, "$defs")  # nested definitions are only reachable through $ref (inlined)
        self._type(node, out, path)
        self._enum(node, out, path)
        props = node.get("properties")
        if isinstance(props, dict):
            converted = {name: self.convert(sub, f"{path}.properties.{name}" if path else f"properties.{name}")
                         for name, sub in props.items()}
            if converted:
                out["properties"] = converted
                if self.ordering and len(converted) > 1 and "propertyOrdering" not in out:
                    out["propertyOrdering"] = list(converted)
            out.setdefault("type", "OBJECT")
        required = node.get("required")
        if isinstance(required, list) and required:
            out["required"] = list(required)
        items = node.get("items")
        if isinstance(items, dict):
            out["items"] = self.convert(items, f"{path}.items" if path else "items")
            out.setdefault("type", "ARRAY")
        elif items is not None:
            self.drop(path, "items (tuple form)")
        extra = node.get("additionalProperties")
        if extra is not None:
            if self.keep_additional:
                out["additionalProperties"] = (extra if isinstance(extra, bool)
                                               else self.convert(extra, f"{path}.additionalProperties"))
            else:
                self.drop(path, "additionalProperties")
        alternatives = node.get("anyOf")
        kind = "anyOf"
        if alternatives is None and node.get("oneOf") is not None:
            alternatives = node.get("oneOf")
            kind = "oneOf"
            self.drop(path, "oneOf (sent as anyOf: 'exactly one' cannot be expressed)")
        if isinstance(alternatives, list):
            self._any_of(alternatives, out, f"{path}.{kind}" if path else kind)
        return out

    def _flatten_all_of(self, node: dict, path: str) -> dict:
        parts = node.get("allOf")
        if not isinstance(parts, list) or not parts:
            return node
        merged = {k: v for k, v in node.items() if k != "allOf"}
        if len(parts) > 1:
            self.drop(path, f"allOf ({len(parts)} schemas merged into one)")
        for part in parts:
            if isinstance(part, dict) and isinstance(part.get("$ref"), str):
                target = self.resolve(part["$ref"])
                part = dict(target, **{k: v for k, v in part.items() if k != "$ref"}) if isinstance(target, dict) \
                    else part
            if not isinstance(part, dict):
                continue
            part = self._flatten_all_of(part, path)
            for key, value in part.items():
                if key == "properties" and isinstance(value, dict):
                    merged["properties"] = {**value, **(merged.get("properties") or {})}
                elif key == "required" and isinstance(value, list):
                    merged["required"] = list(dict.fromkeys((merged.get("required") or []) + value))
                else:
                    merged.setdefault(key, value)
        return merged

    def _type(self, node: dict, out: dict, path: str) -> None:
        typ = node.get("type")
        if typ is None:
            return
        names = typ if isinstance(typ, list) else [typ]
        known = []
        for name in names:
            upper = _TYPES.get(name.lower()) if isinstance(name, str) else None
            if upper is None:
                self.drop(path, f"type {name!r}")
            else:
                known.append(upper)
        if len(known) > 1 and "NULL" in known:
            known = [t for t in known if t != "NULL"]
            out["nullable"] = True
        if len(known) == 1:
            out["type"] = known[0]
        elif known:
            out["anyOf"] = [{"type": t} for t in known]

    def _enum(self, node: dict, out: dict, path: str) -> None:
        values = node.get("enum")
        if values is None and "const" in node:
            values = [node["const"]]
            if not isinstance(node["const"], str):
                self.drop(path, f"const {node['const']!r} (Gemini enums are strings)")
                return
        if values is None:
            return
        if not isinstance(values, list):
            self.drop(path, "enum (not a list)")
            return
        if None in values:
            out["nullable"] = True
            values = [v for v in values if v is not None]
        if all(isinstance(v, str) for v in values):
            if values:
                out["enum"] = list(values)
                out.setdefault("type", "STRING")
            return
        self.drop(path, f"enum {values!r:.80} (Gemini enums are strings)")

    def _any_of(self, alternatives: list, out: dict, path: str) -> None:
        converted = []
        nullable = False
        for i, alt in enumerate(alternatives):
            if isinstance(alt, dict) and alt.get("type") == "null" and len(alt) == 1:
                nullable = True
                continue
            converted.append(self.convert(alt, f"{path}[{i}]"))
        if nullable:
            out["nullable"] = True
        if len(converted) == 1:
            # [X, null] -> X + nullable; keywords given beside anyOf win
            for key, value in converted[0].items():
                out.setdefault(key, value)
        elif converted:
            out["anyOf"] = converted


def adapt_schema(schema: Any, where: str = "schema", *, keep_additional_properties: bool = False,
                 property_ordering: bool = False, provider: str = "gemini") -> dict:
    """A JSON schema (as OpenAI tools and ``response_format`` take it) -> Gemini's ``Schema``.

    Returns a new dict; ``schema`` is not changed. Every keyword that cannot be expressed is left
    out and named, with where it was, in one ``WARNING`` on the ``litegate`` logger.
    ``keep_additional_properties`` keeps ``additionalProperties`` (Vertex AI's ``Schema`` has it).
    """
    if not isinstance(schema, dict):
        raise TypeError(f"{where}: a JSON schema must be a dict, got {type(schema).__name__}")
    adapter = _SchemaAdapter(schema, keep_additional_properties, property_ordering)
    out = adapter.convert(schema, "")
    if adapter.dropped:
        described = "; ".join(f"{what} (at {path or 'the root'})" for path, what in adapter.dropped)
        log.warning("%s: %s uses JSON schema features Gemini's schema cannot express; left out: %s",
                    provider, where, described)
    return out


# ---------------------------------------------------------------------------------------------
# messages
# ---------------------------------------------------------------------------------------------


def _data_url(url: str, where: str, model: str) -> tuple[str, str]:
    m = _DATA_URL.match(url)
    if m is None or ";base64" not in m.group(2).lower():
        raise _fail(f"{where}: only base64 data URLs are supported ('data:<type>;base64,...'), got {url[:40]!r}",
                    model)
    mime = m.group(1).strip().lower() or "application/octet-stream"
    if mime == "image/jpg":
        mime = "image/jpeg"
    return mime, m.group(3).strip()


def guess_mime_type(uri: str) -> str | None:
    """The MIME type of a file URI from its extension (query and fragment ignored), or None."""
    path = uri.split("?", 1)[0].split("#", 1)[0]
    mime, _ = mimetypes.guess_type(path)
    if mime is None:
        lowered = path.lower()
        for ext, kind in ((".webp", "image/webp"), (".heic", "image/heic"), (".heif", "image/heif")):
            if lowered.endswith(ext):
                return kind
    return mime


def _uri_part(uri: str, mime: Any) -> dict:
    data: dict = {"fileUri": uri}
    if not isinstance(mime, str) or not mime:
        mime = guess_mime_type(uri)
    if mime:
        data["mimeType"] = mime
    return {"fileData": data}


def _media_part(url: str, mime: Any, where: str, model: str) -> dict:
    url = url.strip()
    if url[:5].lower() == "data:":
        kind, data = _data_url(url, where, model)
        return {"inlineData": {"mimeType": kind, "data": data}}
    if url.startswith(("http://", "https://", "gs://")):
        return _uri_part(url, mime)
    raise _fail(f"{where}: an image must be an http(s):// or gs:// URL or a base64 data URL, got {url[:40]!r}", model)


def _part(part: Any, where: str, model: str) -> dict:
    part = _plain(part)
    kind = part.get("type")
    if kind == "text":
        return {"text": part.get("text") or ""}
    if kind == "image_url":
        image = part.get("image_url")
        url = image.get("url") if isinstance(image, dict) else image
        if not isinstance(url, str) or not url:
            raise _fail(f"{where}: an image_url part needs image_url.url", model)
        return _media_part(url, image.get("format") if isinstance(image, dict) else None, where, model)
    if kind == "file":
        file = part.get("file") if isinstance(part.get("file"), dict) else {}
        mime = file.get("format")
        if isinstance(file.get("file_data"), str):
            return _media_part(file["file_data"], mime, where, model)
        if isinstance(file.get("file_id"), str) and file["file_id"]:
            return _uri_part(file["file_id"], mime)
        raise _fail(f"{where}: a file part needs file.file_data (a base64 data URL) or file.file_id (a file URI)",
                    model)
    if kind == "input_audio":
        audio = part.get("input_audio") if isinstance(part.get("input_audio"), dict) else {}
        data, fmt = audio.get("data"), audio.get("format") or "wav"
        if not isinstance(data, str) or not data:
            raise _fail(f"{where}: an input_audio part needs input_audio.data (base64)", model)
        return {"inlineData": {"mimeType": f"audio/{fmt}", "data": data}}
    if kind == "refusal" and isinstance(part.get("refusal"), str):
        return {"text": part["refusal"]}
    raise _fail(f"{where}: content part type {kind!r} cannot be sent to Gemini (text, image_url, file, "
                "input_audio)", model)


def _parts(content: Any, where: str, model: str) -> list:
    if content is None:
        return []
    if isinstance(content, str):
        return [{"text": content}] if content else []
    return [_part(p, f"{where}.content[{j}]", model) for j, p in enumerate(content)]


def _text_of(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    texts = []
    for part in content:
        part = _plain(part)
        if isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str):
            texts.append(part["text"])
    return "\n".join(texts)


def _arguments(raw: Any, where: str, model: str) -> dict:
    if isinstance(raw, dict):
        return raw
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return {}
    try:
        value = loads(raw)
    except (ValueError, TypeError):
        raise _fail(f"{where}: tool call arguments are not valid JSON ({str(raw)[:80]!r})", model) from None
    if not isinstance(value, dict):
        raise _fail(f"{where}: tool call arguments must be a JSON object, got {str(raw)[:80]!r}", model)
    return value


def split_thought_signature(call_id: Any) -> tuple[Any, str | None]:
    """``call_x__thought__<sig>`` (litellm's way of carrying a signature) -> (``call_x``, ``<sig>``)."""
    if isinstance(call_id, str) and THOUGHT_SEPARATOR in call_id:
        head, _, sig = call_id.partition(THOUGHT_SEPARATOR)
        return head, sig or None
    return call_id, None


def _function_call_part(call: Any, where: str, model: str) -> tuple[dict, Any, str]:
    """An OpenAI tool call -> (Gemini functionCall part, its id, the function name)."""
    call = _plain(call)
    fn = _plain(call.get("function") or {})
    name = fn.get("name")
    if not isinstance(name, str) or not name:
        raise _fail(f"{where}: an assistant tool call has no function name", model)
    part: dict = {"functionCall": {"name": name, "args": _arguments(fn.get("arguments"), where, model)}}
    call_id, signature = split_thought_signature(call.get("id"))
    psf = call.get("provider_specific_fields")
    if isinstance(psf, dict) and isinstance(psf.get("thought_signature"), str):
        signature = psf["thought_signature"]
    if signature:
        part["thoughtSignature"] = signature
    return part, call.get("id"), name


def convert_messages(messages: list, model: str) -> tuple[dict | None, list]:
    """OpenAI messages -> (Gemini ``systemInstruction`` or None, ``contents``)."""
    system: list = []
    turns: list = []  # [role, parts]
    names: dict = {}  # tool call id -> function name
    for i, msg in enumerate(messages):
        where = f"messages[{i}]"
        role = msg.get("role")
        if role in ("system", "developer"):
            for part in _parts(msg.get("content"), where, model):
                if "text" not in part:
                    raise _fail(f"{where}: system messages may only hold text", model)
                system.append(part)
            continue
        if role == "user":
            parts = _parts(msg.get("content"), where, model)
            if parts:
                turns.append(["user", parts])
        elif role == "assistant":
            parts = _parts(msg.get("content"), where, model)
            for k, call in enumerate(msg.get("tool_calls") or ()):
                part, call_id, name = _function_call_part(call, f"{where}.tool_calls[{k}]", model)
                if call_id:
                    names[call_id] = name
                    names[split_thought_signature(call_id)[0]] = name
                parts.append(part)
            fc = msg.get("function_call")
            if fc:  # legacy single function call
                fc = _plain(fc)
                parts.append({"functionCall": {"name": fc.get("name"),
                                               "args": _arguments(fc.get("arguments"), where, model)}})
            if parts:
                turns.append(["model", parts])
        elif role in ("tool", "function"):
            call_id = msg.get("tool_call_id")
            name = names.get(call_id) or names.get(split_thought_signature(call_id)[0]) or msg.get("name")
            if not name:
                raise _fail(
                    f"{where}: tool message answers tool_call_id {call_id!r}, which no earlier assistant tool call "
                    "has; Gemini needs the function's name (give the tool message a 'name')", model)
            content = msg.get("content")
            parts = [{"functionResponse": {"name": name, "response": {"content": _text_of(content)}}}]
            if isinstance(content, list):  # images returned by a tool follow the function response
                parts += [p for p in _parts(content, where, model) if "text" not in p]
            turns.append(["user", parts])
        else:
            raise _fail(f"{where}: role {role!r} is not supported", model)
    instruction = {"parts": system} if system else None
    if not turns:
        if not system:
            raise _fail("Gemini needs at least one message with content", model)
        return None, [{"role": "user", "parts": system}]  # system prompt only: sent as the user turn
    contents: list = []
    for role, parts in turns:
        if contents and contents[-1]["role"] == role:
            merged = contents[-1]["parts"] + parts
            if role == "user":  # function responses open the turn, like the calls they answer
                merged = [p for p in merged if "functionResponse" in p] + [
                    p for p in merged if "functionResponse" not in p]
            contents[-1]["parts"] = merged
        else:
            contents.append({"role": role, "parts": parts})
    return instruction, contents


# ---------------------------------------------------------------------------------------------
# tools and parameters
# ---------------------------------------------------------------------------------------------


def convert_tools(tools: list, model: str, *, vertex: bool = False, provider: str = "gemini") -> list:
    """OpenAI function tools -> Gemini tools (one ``functionDeclarations`` tool first); tools already
    in Gemini form (``googleSearch``, ``codeExecution``, ...) pass through."""
    declarations: list = []
    native: list = []
    for i, tool in enumerate(tools):
        tool = _plain(tool)
        if not isinstance(tool, dict):
            raise _fail(f"tools[{i}] must be a dict", model)
        fn = tool.get("function")
        if tool.get("type") == "function" and isinstance(fn, dict):
            name = fn.get("name")
            if not isinstance(name, str) or not name:
                raise _fail(f"tools[{i}]: every function tool needs a name", model)
            decl: dict = {"name": name}
            if fn.get("description") is not None:
                decl["description"] = fn["description"]
            params = fn.get("parameters")
            if isinstance(params, dict) and params:
                schema = adapt_schema(params, f"tool {name!r} parameters", keep_additional_properties=vertex,
                                      provider=provider)
                # an object without properties is declared without parameters (Gemini rejects empty ones)
                if schema.get("properties") or schema.get("anyOf") or schema.get("type") not in (None, "OBJECT"):
                    decl["parameters"] = schema
            if fn.get("strict") is True:
                log.warning("%s: tool %r asks for strict schema adherence, which Gemini cannot be told; "
                            "'strict' not sent", provider, name)
            declarations.append(decl)
        elif any(k in tool for k in _NATIVE_TOOL_KEYS):
            native.append({_camel(k): v for k, v in tool.items()})
        else:
            raise _fail(f"tools[{i}] is neither an OpenAI function tool nor a Gemini tool: {str(tool)[:80]!r}", model)
    out = [{"functionDeclarations": declarations}] if declarations else []
    return out + native


def _tool_config(choice: Any, model: str) -> dict:
    if choice == "auto":
        return {"functionCallingConfig": {"mode": "AUTO"}}
    if choice == "none":
        return {"functionCallingConfig": {"mode": "NONE"}}
    if choice in ("required", "any"):
        return {"functionCallingConfig": {"mode": "ANY"}}
    if isinstance(choice, dict):
        if isinstance(choice.get("functionCallingConfig"), dict):
            return dict(choice)  # Gemini form
        fn = choice.get("function")
        name = fn.get("name") if isinstance(fn, dict) else choice.get("name")
        if isinstance(name, str) and name:
            return {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": [name]}}
    raise _fail(f"tool_choice {choice!r} is not 'auto', 'none', 'required' or a named function", model)


def _thinking_config(effort: Any, model: str, provider: str) -> dict | None:
    """``reasoning_effort`` -> ``thinkingConfig`` for ``model`` (None: nothing to send)."""
    if not isinstance(effort, str):
        raise _fail(f"reasoning_effort must be a string such as 'low', got {effort!r}", model)
    effort = effort.lower()
    v = model_version(model)
    pro = "-pro" in model
    if v is not None and v >= (3, 0):
        levels = {"minimal": "MINIMAL" if not pro else "LOW", "low": "LOW", "medium": "MEDIUM" if not pro else "HIGH",
                  "high": "HIGH", "xhigh": "HIGH", "max": "HIGH"}
        if effort in ("none", "disable"):
            log.warning("%s: %s cannot turn thinking off; reasoning_effort=%r sent as the lowest thinking level",
                        provider, model, effort)
            return {"thinkingLevel": levels["minimal"]}
        if effort not in levels:
            raise _fail(f"reasoning_effort must be one of none, {', '.join(levels)}; got {effort!r}", model)
        return {"thinkingLevel": levels[effort], "includeThoughts": True}
    if effort in ("none", "disable"):
        return {"thinkingBudget": _PRO_MIN_BUDGET if pro else 0}
    budget = THINKING_BUDGETS.get(effort)
    if budget is None:
        if effort in ("xhigh", "max"):
            budget = THINKING_BUDGETS["high"]
        else:
            raise _fail(f"reasoning_effort must be one of none, {', '.join(THINKING_BUDGETS)}; got {effort!r}", model)
    return {"thinkingBudget": budget, "includeThoughts": True}


def _anthropic_thinking(value: Any, model: str) -> dict | None:
    if not isinstance(value, dict):
        return None
    if value.get("type") == "disabled":
        return {"thinkingBudget": 0}
    budget = value.get("budget_tokens")
    if value.get("type") == "enabled" and isinstance(budget, int):
        return {"thinkingBudget": budget, "includeThoughts": True}
    raise _fail("thinking must be {'type': 'enabled', 'budget_tokens': N} or {'type': 'disabled'}", model)


def _json_schema_of(rf: dict, model: str) -> dict:
    spec = rf.get("json_schema")
    schema = spec.get("schema") if isinstance(spec, dict) else None
    if schema is None and isinstance(rf.get("schema"), dict):
        schema = rf["schema"]  # a bare {"type": "json_schema", "schema": {...}} is accepted too
    if not isinstance(schema, dict):
        raise _fail("response_format json_schema needs json_schema.schema", model)
    return schema


# ---------------------------------------------------------------------------------------------
# responses
# ---------------------------------------------------------------------------------------------


def _usage(u: Any) -> dict:
    """Gemini ``usageMetadata`` -> OpenAI usage (see the module docstring)."""
    if not isinstance(u, dict):
        u = {}
    prompt = (u.get("promptTokenCount") or 0) + (u.get("toolUsePromptTokenCount") or 0)
    thoughts = u.get("thoughtsTokenCount") or 0
    completion = (u.get("candidatesTokenCount") or 0) + thoughts
    total = u.get("totalTokenCount")
    usage: dict = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": total if isinstance(total, int) and total >= prompt + completion else prompt + completion,
    }
    details: dict = {"cached_tokens": u.get("cachedContentTokenCount") or 0}
    for item in u.get("promptTokensDetails") or ():
        if isinstance(item, dict) and isinstance(item.get("modality"), str):
            kind = item["modality"].lower()
            if kind in ("text", "image", "audio", "video"):
                details[f"{kind}_tokens"] = item.get("tokenCount") or 0
    usage["prompt_tokens_details"] = details
    if thoughts:
        usage["completion_tokens_details"] = {"reasoning_tokens": thoughts}
    return usage


def _logprobs(result: Any) -> dict | None:
    """Gemini ``logprobsResult`` -> OpenAI chat ``logprobs``."""
    if not isinstance(result, dict):
        return None
    chosen = result.get("chosenCandidates") or []
    tops = result.get("topCandidates") or []
    content = []
    for i, c in enumerate(chosen):
        if not isinstance(c, dict):
            continue
        top = tops[i].get("candidates") if i < len(tops) and isinstance(tops[i], dict) else None
        content.append({
            "token": c.get("token") or "",
            "logprob": c.get("logProbability") or 0.0,
            "bytes": None,
            "top_logprobs": [{"token": t.get("token") or "", "logprob": t.get("logProbability") or 0.0, "bytes": None}
                             for t in top or () if isinstance(t, dict)],
        })
    return {"content": content}


class _Parts:
    """What the parts of one candidate (or one stream event of it) say."""

    __slots__ = ("text", "reasoning", "tool_calls", "images", "signatures")

    def __init__(self) -> None:
        self.text: list = []
        self.reasoning: list = []
        self.tool_calls: list = []
        self.images: list = []
        self.signatures: list = []


def _read_parts(parts: Any, tool_start: int = 0, stream: bool = False) -> _Parts:
    out = _Parts()
    if not isinstance(parts, list):
        return out
    for part in parts:
        if not isinstance(part, dict):
            continue
        signature = part.get("thoughtSignature")
        if "functionCall" in part and isinstance(part["functionCall"], dict):
            fc = part["functionCall"]
            call: dict = {
                "id": fc.get("id") or _new_call_id(),
                "type": "function",
                "function": {"name": fc.get("name"), "arguments": _json_text(fc.get("args") or {})},
            }
            if signature:
                call["provider_specific_fields"] = {"thought_signature": signature}
            if stream:
                call["index"] = tool_start + len(out.tool_calls)
            out.tool_calls.append(call)
            continue
        if signature:
            out.signatures.append(signature)
        text = part.get("text")
        if isinstance(text, str):
            (out.reasoning if part.get("thought") is True else out.text).append(text)
        elif isinstance(part.get("inlineData"), dict):
            blob = part["inlineData"]
            out.images.append({"type": "image_url", "index": len(out.images),
                               "image_url": {"url": f"data:{blob.get('mimeType') or 'application/octet-stream'};"
                                                    f"base64,{blob.get('data') or ''}"}})
        elif isinstance(part.get("executableCode"), dict):
            code = part["executableCode"]
            language = str(code.get("language") or "").lower()
            out.text.append(f"\n```{language}\n{str(code.get('code') or '').rstrip()}\n```\n")
        elif isinstance(part.get("codeExecutionResult"), dict):
            result = part["codeExecutionResult"]
            out.text.append(f"\n```output\n{str(result.get('output') or '').rstrip()}\n```\n")
    return out


_CANDIDATE_FIELDS = (("safetyRatings", "safety_ratings"), ("citationMetadata", "citation_metadata"),
                     ("groundingMetadata", "grounding_metadata"), ("urlContextMetadata", "url_context_metadata"),
                     ("finishMessage", "finish_message"), ("avgLogprobs", "avg_logprobs"))


def _candidate_fields(cand: dict, keys: tuple = _CANDIDATE_FIELDS) -> dict:
    return {ours: cand[theirs] for theirs, ours in keys if cand.get(theirs) is not None}


def _blocked(data: dict, model: str, provider: str) -> ContentPolicyViolationError | None:
    """The error for a blocked prompt (``promptFeedback``) or an all-safety-stopped answer, else None."""
    feedback = data.get("promptFeedback")
    candidates = data.get("candidates")
    if isinstance(feedback, dict) and (feedback.get("blockReason") or feedback.get("blockReasonMessage")) \
            and not candidates:
        reason = feedback.get("blockReason") or "unspecified"
        message = feedback.get("blockReasonMessage") or f"The prompt was blocked (blockReason {reason})"
        return ContentPolicyViolationError(message=message, model=model, llm_provider=provider,
                                           provider_specific_fields={"promptFeedback": feedback})
    if not isinstance(candidates, list) or not candidates:
        return None
    stopped = []
    for cand in candidates:
        if not isinstance(cand, dict) or cand.get("finishReason") not in SAFETY_FINISH:
            return None
        parts = (cand.get("content") or {}).get("parts") if isinstance(cand.get("content"), dict) else None
        if any(isinstance(p, dict) and (p.get("text") or "functionCall" in p or "inlineData" in p)
               for p in parts or ()):
            return None
        stopped.append(cand)
    first = stopped[0]
    message = first.get("finishMessage") or f"The answer was blocked (finishReason {first['finishReason']})"
    return ContentPolicyViolationError(
        message=message, model=model, llm_provider=provider,
        provider_specific_fields={"finishReason": first["finishReason"], "safetyRatings": first.get("safetyRatings")})


# ---------------------------------------------------------------------------------------------
# the dialect
# ---------------------------------------------------------------------------------------------


class Gemini:
    """The Gemini API (AI Studio): ``POST /v1beta/models/{model}:generateContent``."""

    name = "gemini"
    key_hint = "GEMINI_API_KEY / GOOGLE_API_KEY / litegate.gemini_key"
    vertex = False

    # ------------------------------------------------------------------ params
    def supported_openai_params(self, model: str) -> list[str]:
        params = list(_SUPPORTED)
        if supports_thinking(model):
            params.append("reasoning_effort")
        return params

    def _unsupported(self, params: dict, model: str) -> list[str]:
        bad = [p for p in params if p not in _ALWAYS_OK]
        effort = params.get("reasoning_effort")
        if effort is not None and effort not in ("none", "disable") and not supports_thinking(model):
            bad.append("reasoning_effort")
        return bad

    def map_params(self, params: dict, model: str, drop: bool) -> dict:
        """OpenAI params -> the Gemini request fields they become (``generationConfig``, ``tools``,
        ``toolConfig``); no contents or system instruction."""
        bad = self._unsupported(params, model)
        if bad:
            params = drop_unsupported(self.name, params, bad, model, drop)
        get = params.get
        gen: dict = {}
        if "temperature" in params:
            gen["temperature"] = params["temperature"]
        if "top_p" in params:
            gen["topP"] = params["top_p"]
        max_tokens = get("max_completion_tokens")
        if max_tokens is None:
            max_tokens = get("max_tokens")
        if max_tokens is not None:
            gen["maxOutputTokens"] = max_tokens
        stop = get("stop")
        if stop is not None:
            gen["stopSequences"] = [stop] if isinstance(stop, str) else list(stop)
        if get("n") is not None:
            gen["candidateCount"] = params["n"]
        if get("seed") is not None:
            gen["seed"] = params["seed"]
        if get("presence_penalty") is not None:
            gen["presencePenalty"] = params["presence_penalty"]
        if get("frequency_penalty") is not None:
            gen["frequencyPenalty"] = params["frequency_penalty"]
        if get("logprobs") is not None:
            gen["responseLogprobs"] = params["logprobs"]
        if get("top_logprobs") is not None:
            gen["logprobs"] = params["top_logprobs"]
        modalities = get("modalities")
        if modalities:
            gen["responseModalities"] = [str(m).upper() for m in modalities]
        rf = get("response_format")
        if isinstance(rf, dict):
            kind = rf.get("type")
            if kind == "json_object":
                gen["responseMimeType"] = "application/json"
                if isinstance(rf.get("response_schema"), dict):  # litellm's older json_object + schema form
                    gen["responseSchema"] = adapt_schema(rf["response_schema"], "response_format schema",
                                                         keep_additional_properties=self.vertex,
                                                         property_ordering=True, provider=self.name)
            elif kind == "json_schema":
                gen["responseMimeType"] = "application/json"
                schema = _json_schema_of(rf, model)
                if supports_json_schema(model):
                    gen["responseJsonSchema"] = schema
                else:
                    gen["responseSchema"] = adapt_schema(schema, "response_format json_schema",
                                                         keep_additional_properties=self.vertex,
                                                         property_ordering=True, provider=self.name)
            elif kind not in (None, "text"):
                raise _fail(f"response_format type {kind!r} is not supported (text, json_object, json_schema)",
                            model)
        effort = get("reasoning_effort")
        if effort is not None and (supports_thinking(model) or effort not in ("none", "disable")):
            thinking = _thinking_config(effort, model, self.name)
            if thinking is not None:
                gen["thinkingConfig"] = thinking
        out: dict = {}
        if gen:
            out["generationConfig"] = gen
        tools = convert_tools(get("tools") or [], model, vertex=self.vertex, provider=self.name)
        if get("web_search_options") is not None:
            tools.append({"googleSearch": {}})
        if tools:
            out["tools"] = tools
            if get("tool_choice") is not None:
                out["toolConfig"] = _tool_config(get("tool_choice"), model)
            if get("parallel_tool_calls") is False:
                log.warning("%s: Gemini cannot be told to avoid parallel function calls; parallel_tool_calls=False "
                            "not sent (model=%s)", self.name, model)
        return out

    # ------------------------------------------------------------------ requests
    def auth_headers(self, target: Any) -> dict[str, str]:
        if not target.api_key:
            raise AuthenticationError(
                message=f"No API key for {self.name}: pass api_key=..., or set {self.key_hint}",
                llm_provider=self.name,
                model=target.model,
            )
        h = {"x-goog-api-key": target.api_key, "content-type": "application/json"}
        if target.headers:
            h.update(target.headers)
        return h

    @staticmethod
    def model_id(model: str) -> str:
        return model[len("models/"):] if model.startswith("models/") else model

    def url(self, target: Any, method: str) -> str:
        base = target.api_base
        if not _VERSIONED.search(base):
            base = f"{base}/{API_VERSION}"
        return f"{base}/models/{self.model_id(target.model)}:{method}"

    def call_extra(self, call: Any) -> dict:
        """The call's keyword arguments meant for the request (Vertex AI removes its own settings)."""
        return call.extra or {}

    def _extra(self, extra: dict, model: str, body: dict) -> None:
        """Keyword arguments of the call -> generationConfig fields or top-level fields of ``body``."""
        if not extra:
            return
        gen = body.get("generationConfig") or {}
        for key, value in extra.items():
            if key in ("generation_config", "generationConfig") and isinstance(value, dict):
                gen.update({_camel(k): v for k, v in value.items()})
                continue
            if key == "thinking":
                thinking = _anthropic_thinking(value, model)
                if thinking is not None:
                    gen["thinkingConfig"] = thinking
                continue
            camel = _camel(key)
            if camel in _GENERATION_FIELDS:
                gen[camel] = value
            elif camel in _TOP_LEVEL_FIELDS:
                body[camel] = value
            else:
                body[key] = value
        if gen:
            body["generationConfig"] = gen

    def chat_body(self, call: Any, target: Any, drop: bool) -> dict:
        model = target.model
        instruction, contents = convert_messages(call.messages, model)
        body: dict[str, Any] = {"contents": contents}
        if instruction is not None:
            body["systemInstruction"] = instruction
        if call.params:
            body.update(self.map_params(call.params, model, drop))
        self._extra(self.call_extra(call), model, body)
        return body

    def chat_request(self, call: Any, target: Any, drop: bool) -> HttpRequest:
        body = self.chat_body(call, target, drop)
        if call.stream:
            return HttpRequest("POST", self.url(target, "streamGenerateContent"), self.auth_headers(target), body,
                               params={"alt": "sse"})
        return HttpRequest("POST", self.url(target, "generateContent"), self.auth_headers(target), body)

    # ------------------------------------------------------------------ embeddings
    def _embedding_inputs(self, call: Any, drop: bool) -> tuple[list, bool]:
        """(texts, single) of an embedding call; token ids and ``user`` are refused."""
        model = call.model
        value = call.input
        if isinstance(value, str):
            texts, single = [value], True
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            texts, single = list(value), False
        else:
            raise _fail(f"{self.name} embeds text: input must be a string or a list of strings (token ids are not "
                        "accepted)", model)
        if "user" in (call.params or {}) and not drop:
            raise UnsupportedParamsError(
                message=f"{self.name} does not support parameters ['user'] for embeddings. Set drop_params=True "
                        "to drop it.", model=model, llm_provider=self.name)
        return texts, single

    def _embed_options(self, call: Any) -> tuple[dict, dict]:
        """(per-text options in Gemini names, other keyword arguments) of an embedding call."""
        options: dict = {}
        rest: dict = {}
        dims = (call.params or {}).get("dimensions")
        if dims is not None:
            options["outputDimensionality"] = dims
        for key, value in self.call_extra(call).items():
            if key in ("task_type", "taskType", "input_type"):
                if isinstance(value, str):
                    value = _TASK_TYPES.get(value.lower(), value.upper())
                options["taskType"] = value
            elif key in ("title", "output_dimensionality", "outputDimensionality", "auto_truncate", "autoTruncate"):
                options[_camel(key)] = value
            else:
                rest[key] = value
        return options, rest

    def embedding_request(self, call: Any, target: Any, drop: bool) -> HttpRequest:
        texts, single = self._embedding_inputs(call, drop)
        options, rest = self._embed_options(call)
        resource = "models/" + self.model_id(target.model)

        def one(text: str) -> dict:
            return {"model": resource, "content": {"parts": [{"text": text}]}, **options}

        if single:
            body: dict = dict(one(texts[0]), **rest)
            return HttpRequest("POST", self.url(target, "embedContent"), self.auth_headers(target), body)
        body = {"requests": [one(t) for t in texts], **rest}
        return HttpRequest("POST", self.url(target, "batchEmbedContents"), self.auth_headers(target), body)

    # ------------------------------------------------------------------ responses
    def _invalid(self, message: str, target: Any) -> APIResponseValidationError:
        return APIResponseValidationError(message=f"{self.name} {message}", llm_provider=self.name, model=target.model)

    def _json(self, resp: HttpResponse, target: Any) -> dict:
        try:
            data = loads(resp.content)
        except ValueError:
            raise self._invalid(f"returned a body that is not JSON: {resp.text[:200]!r}", target) from None
        if isinstance(data, list) and len(data) == 1 and isinstance(data[0], dict):
            data = data[0]  # Google sometimes wraps a single object (errors) in a list
        if not isinstance(data, dict):
            raise self._invalid("returned JSON that is not an object", target)
        if "error" in data and not data.get("candidates"):
            raise google_error(data, self.name, target.model)
        return data

    def parse_chat(self, resp: HttpResponse, call: Any, target: Any) -> Any:
        data = self._json(resp, target)
        blocked = _blocked(data, target.model, self.name)
        if blocked is not None:
            blocked.response = resp
            raise blocked
        candidates = data.get("candidates")
        if not isinstance(candidates, list) or not candidates:
            raise self._invalid(f"response has no candidates: {resp.text[:200]!r}", target)
        choices = []
        for position, cand in enumerate(candidates):
            if not isinstance(cand, dict):
                raise self._invalid("response has a candidate that is not an object", target)
            content = cand.get("content") if isinstance(cand.get("content"), dict) else {}
            read = _read_parts(content.get("parts"))
            message: dict = {"role": "assistant", "content": "".join(read.text) if read.text else None}
            if read.tool_calls:
                message["tool_calls"] = read.tool_calls
            if read.reasoning:
                message["reasoning_content"] = "".join(read.reasoning)
            if read.images:
                message["images"] = read.images
            psf = _candidate_fields(cand)
            if read.signatures:
                psf["thought_signatures"] = read.signatures
            if psf:
                message["provider_specific_fields"] = psf
            choice: dict = {"index": cand.get("index", position) if isinstance(cand.get("index"), int) else position,
                            "message": message,
                            "finish_reason": finish_reason(cand.get("finishReason"), bool(read.tool_calls))}
            lp = _logprobs(cand.get("logprobsResult"))
            if lp is not None:
                choice["logprobs"] = lp
            choices.append(choice)
        out: dict = {
            "id": data.get("responseId") or "chatcmpl-" + uuid.uuid4().hex,
            "created": int(time.time()),
            "model": data.get("modelVersion") or self.model_id(target.model),
            "object": "chat.completion",
            "choices": choices,
            "usage": _usage(data.get("usageMetadata")),
        }
        return ModelResponse(**out)

    def parse_embedding(self, resp: HttpResponse, call: Any, target: Any) -> Any:
        data = self._json(resp, target)
        tokens = 0
        if isinstance(data.get("embedding"), dict):
            vectors = [data["embedding"].get("values")]
        elif isinstance(data.get("embeddings"), list):
            vectors = [e.get("values") if isinstance(e, dict) else None for e in data["embeddings"]]
        elif isinstance(data.get("predictions"), list):  # Vertex AI :predict
            vectors = []
            for p in data["predictions"]:
                emb = p.get("embeddings") if isinstance(p, dict) else None
                emb = emb if isinstance(emb, dict) else {}
                vectors.append(emb.get("values"))
                stats = emb.get("statistics")
                if isinstance(stats, dict) and isinstance(stats.get("token_count"), (int, float)):
                    tokens += int(stats["token_count"])
        else:
            raise self._invalid(f"embedding response has no 'embedding', 'embeddings' or 'predictions': "
                                f"{resp.text[:200]!r}", target)
        if any(not isinstance(v, list) for v in vectors):
            raise self._invalid("embedding response has an embedding without 'values'", target)
        meta = data.get("usageMetadata")
        if isinstance(meta, dict):
            tokens = meta.get("promptTokenCount") or meta.get("totalTokenCount") or tokens
        b64 = (call.params or {}).get("encoding_format") == "base64"
        items = []
        for i, vec in enumerate(vectors):
            value: Any = vec
            if b64:
                value = base64.b64encode(struct.pack(f"<{len(vec)}f", *vec)).decode("ascii")
            items.append({"object": "embedding", "index": i, "embedding": value})
        return EmbeddingResponse(model=self.model_id(target.model), data=items, object="list",
                                 usage={"prompt_tokens": tokens, "completion_tokens": 0, "total_tokens": tokens})

    def stream_decoder(self, call: Any, target: Any) -> "GeminiStreamDecoder":
        so = (call.params or {}).get("stream_options")
        include_usage = isinstance(so, dict) and so.get("include_usage") is True
        return GeminiStreamDecoder(self.name, self.model_id(target.model), include_usage)

    def error(self, resp: HttpResponse, target: Any) -> Exception:
        return exception_from_response(resp, llm_provider=self.name, model=target.model)

    def response_headers(self, resp: HttpResponse) -> dict:
        return {k: v for k, v in resp.headers.items() if k.startswith(_KEPT_HEADERS)}


# ---------------------------------------------------------------------------------------------
# streaming
# ---------------------------------------------------------------------------------------------

_SSE_FIELDS = (b"data", b"event", b"id", b"retry")


class GeminiStreamDecoder:
    """Bytes of a Gemini SSE stream -> ``ModelResponseStream`` chunks; strict about how it ends.

    Each ``data:`` event is a ``GenerateContentResponse``: its parts become deltas (the first chunk
    of a candidate carries ``role: "assistant"``). Lines that are not SSE fields are collected as
    raw JSON (Google appends a bare error object to a failing stream); once they parse, the error
    is raised. Gives the same chunks however the bytes are split into reads: errors met after some
    chunks of one read are raised by the next ``feed`` / ``finish``.
    """

    __slots__ = ("provider", "model", "include_usage", "done", "_buf", "_data", "_raw", "_error", "id", "created",
                 "resp_model", "usage", "_finish", "_tools", "_started", "_emitted")

    def __init__(self, provider: str, model: str, include_usage: bool = False):
        self.provider = provider
        self.model = model
        self.include_usage = include_usage
        self.done = False
        self._buf = b""
        self._data: list = []
        self._raw: list = []
        self._error: BaseException | None = None
        self.id = "chatcmpl-" + uuid.uuid4().hex
        self.created = int(time.time())
        self.resp_model = model
        self.usage: Any = None
        self._finish: dict = {}  # candidate index -> Gemini finishReason
        self._tools: dict = {}  # candidate index -> tool calls so far
        self._started: set = set()  # candidates that got their first (role) chunk
        self._emitted: set = set()  # candidates that produced any content

    def feed(self, data: bytes) -> list:
        if self._error is not None:
            raise self._error
        buf = self._buf + data if self._buf else data
        if b"\n" not in buf:
            self._buf = buf
            return []
        lines = buf.split(b"\n")
        self._buf = lines.pop()
        return self._run(lines)

    def finish(self) -> list:
        if self._error is not None:
            raise self._error
        lines = [self._buf] if self._buf else []
        self._buf = b""
        out = self._run(lines + [b""])
        if self._error is not None:
            raise self._error
        if self._raw:
            raise self._malformed("\n".join(self._raw))
        if not self._finish:
            raise APIConnectionError(
                message=f"{self.provider} stream ended before a finish reason: the answer is incomplete",
                llm_provider=self.provider,
                model=self.model,
            )
        self.done = True
        return out + [self._final()]

    # -- parsing -----------------------------------------------------------------------------------

    def _run(self, lines: list) -> list:
        out: list = []
        try:
            for line in lines:
                self._line(line, out)
        except APIError as exc:
            if not out:
                raise
            self._error = exc
        return out

    def _malformed(self, text: str) -> APIResponseValidationError:
        return APIResponseValidationError(message=f"{self.provider} sent a malformed stream event: {text[:200]!r}",
                                          llm_provider=self.provider, model=self.model)

    def _line(self, line: bytes, out: list) -> None:
        if line.endswith(b"\r"):
            line = line[:-1]
        if not line:
            if self._data:
                text = "\n".join(self._data)
                self._data = []
                self._event(text, out)
            return
        if line[:1] == b":":
            return  # comment / keep-alive
        name, sep, value = line.partition(b":")
        if name in _SSE_FIELDS and (sep or not value):
            if name == b"data":
                self._data.append((value[1:] if value[:1] == b" " else value).decode("utf-8"))
            return
        # not an SSE field: raw JSON (an error object appended to the stream)
        self._raw.append(line.decode("utf-8", "replace"))
        try:
            obj = loads("\n".join(self._raw))
        except ValueError:
            return
        self._raw = []
        if isinstance(obj, list) and len(obj) == 1:
            obj = obj[0]
        if isinstance(obj, dict) and "error" in obj:
            raise google_error(obj, self.provider, self.model)
        raise self._malformed(_json_text(obj))

    def _event(self, text: str, out: list) -> None:
        try:
            obj = loads(text)
        except ValueError:
            raise self._malformed(text) from None
        if not isinstance(obj, dict):
            raise self._malformed(text)
        if "error" in obj and not obj.get("candidates"):
            raise google_error(obj, self.provider, self.model)
        blocked = _blocked(obj, self.model, self.provider)
        candidates = obj.get("candidates")
        if blocked is not None and not self._emitted:
            raise blocked
        if isinstance(obj.get("responseId"), str):
            self.id = obj["responseId"]
        if isinstance(obj.get("modelVersion"), str):
            self.resp_model = obj["modelVersion"]
        if isinstance(obj.get("usageMetadata"), dict):
            self.usage = obj["usageMetadata"]
        if not isinstance(candidates, list) or not candidates:
            if isinstance(obj.get("usageMetadata"), dict):
                return  # a usage-only event
            raise self._malformed(text)
        choices = []
        for position, cand in enumerate(candidates):
            if not isinstance(cand, dict):
                raise self._malformed(text)
            choice = self._choice(cand, position)
            if choice is not None:
                choices.append(choice)
        if choices:
            out.append(ModelResponseStream(id=self.id, created=self.created, model=self.resp_model,
                                           object="chat.completion.chunk", choices=choices))

    def _choice(self, cand: dict, position: int) -> dict | None:
        index = cand["index"] if isinstance(cand.get("index"), int) else position
        content = cand.get("content") if isinstance(cand.get("content"), dict) else {}
        start = self._tools.get(index, 0)
        read = _read_parts(content.get("parts"), start, stream=True)
        delta: dict = {}
        if read.text:
            delta["content"] = "".join(read.text)
        if read.reasoning:
            delta["reasoning_content"] = "".join(read.reasoning)
        if read.tool_calls:
            delta["tool_calls"] = read.tool_calls
            self._tools[index] = start + len(read.tool_calls)
        if read.images:
            delta["images"] = read.images
        psf = _candidate_fields(cand, _CANDIDATE_FIELDS[1:5])
        if read.signatures:
            psf["thought_signatures"] = read.signatures
        if delta:
            self._emitted.add(index)
        if cand.get("finishReason"):
            self._finish[index] = cand["finishReason"]
            if cand.get("safetyRatings") is not None:
                psf["safety_ratings"] = cand["safetyRatings"]
        if psf:
            delta["provider_specific_fields"] = psf
        lp = _logprobs(cand.get("logprobsResult"))
        if not delta and lp is None and index in self._started:
            return None
        if index not in self._started:
            self._started.add(index)
            delta = {"role": "assistant", **delta}
            delta.setdefault("content", "")
        choice: dict = {"index": index, "delta": delta, "finish_reason": None}
        if lp is not None:
            choice["logprobs"] = lp
        return choice

    def _final(self) -> Any:
        choices = [{"index": i, "delta": {}, "finish_reason": finish_reason(r, self._tools.get(i, 0) > 0)}
                   for i, r in sorted(self._finish.items())]
        kw: dict = {}
        if self.include_usage:
            kw["usage"] = _usage(self.usage)
        return ModelResponseStream(id=self.id, created=self.created, model=self.resp_model,
                                   object="chat.completion.chunk", choices=choices, **kw)
