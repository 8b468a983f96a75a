"""A fake Google Gemini / Vertex AI server (standard library only, plus ``cryptography`` for the
optional JWT signature check of the token endpoint).

``FakeGeminiServer`` is a dialect of the fake-server base (life cycle, recording, the behaviour
queue, delays, transport faults as in :class:`FakeOpenAIServer`) and speaks the Gemini wire format
on both URL layouts:

* Gemini API (AI Studio): ``POST /{v1beta|v1|v1alpha}/models/{model}:{method}``, authorised by the
  ``x-goog-api-key`` header (or a ``?key=`` query);
* Vertex AI: ``POST /{v1|v1beta1}/projects/{p}/locations/{l}/publishers/{pub}/models/{model}:{method}``
  (and ``.../endpoints/{id}:{method}``), authorised by ``Authorization: Bearer <token>``;

with ``generateContent``, ``streamGenerateContent`` (SSE with ``?alt=sse``, else one JSON array),
``countTokens``, ``embedContent``, ``batchEmbedContents`` and, on Vertex, ``predict``
(``text-embedding-*`` instances); ``GET /{version}/models``; and an OAuth 2 token endpoint,
``POST /token`` (:attr:`FakeGeminiServer.token_uri`): the service-account JWT-bearer grant (the
assertion's claims are checked, its RS256 signature too for keys given to :meth:`trust_key`) and
the ``refresh_token`` grant. Issued tokens are ``ya29.fake-...`` and, with ``require_token=True``,
the only ones the Vertex routes accept; :meth:`expire_tokens` revokes them.

Requests are checked like the real API checks them (``Invalid JSON payload received. Unknown name
...`` for fields the schema does not have, roles, one data field per part, function call /
response pairing, function declaration names, the ``Schema`` subset of tool parameters and
response schemas, generation config ranges) and rejected with ``google.rpc.Status`` error bodies.

The default answer is deterministic: function calls when tools are offered and the last user text
asks for the weather or to call something (or ``mode: ANY`` forces one), JSON matching the
response schema in JSON mode, otherwise ``"This is a fake reply to: <last user text>"``; a thought
summary first (and a ``thoughtSignature``) when ``thinkingConfig.includeThoughts``; ``MAX_TOKENS``
when ``maxOutputTokens`` cuts it; ``candidateCount`` candidates; ``cachedContentTokenCount`` when
the request names ``cachedContent``. Queue other behaviours with ``enqueue_reply``,
``enqueue_block`` (prompt blocked by safety), ``enqueue_error`` (Google error bodies; 429 with a
``RetryInfo``), ``enqueue_stream``, ``enqueue_raw`` and ``enqueue_fault`` (``reset``, ``stall``,
``cut_stream``, ``malformed_stream``, ``stream_error_event``, ``no_finish``).

Example::

    with FakeGeminiServer(require_key="AIza-test") as srv:
        litegate.completion("gemini/gemini-2.5-flash", api_base=srv.url, api_key="AIza-test", messages=[...])
        info, public_pem = generate_service_account(srv.token_uri)
        srv.trust_key(public_pem)
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from . import _payloads as P
from ._server import (
    Answer,
    Call,
    Events,
    FakeServerBase,
    Invalid,
    RecordedRequest,
    Route,
    Streams,
    _Raw,
    _Reply,
    encode_sse_crlf,
)

__all__ = ["FakeGeminiServer", "GEMINI_FAULT_KINDS", "error_body", "generate_service_account", "sse"]

GEMINI_FAULT_KINDS = frozenset(
    {"reset", "stall", "cut_stream", "malformed_stream", "stream_error_event", "no_finish", "no_done"}
)
DEFAULT_MODEL = "gemini-2.5-flash"
MODEL_IDS = (
    "gemini-2.5-pro",
    "gemini-2.5-flash",
    "gemini-2.5-flash-lite",
    "gemini-2.0-flash",
    "gemini-3-pro-preview",
    "gemini-embedding-001",
    "text-embedding-004",
)
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# the audience Google expects in a JWT assertion
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"  # noqa: S105 - a URL, not a password

_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "NOT_IMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
_MESSAGES = {
    400: "Request contains an invalid argument.",
    401: "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other "
    "valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    429: "You exceeded your current quota, please check your plan and billing details.",
    499: "The operation was cancelled.",
    500: "An internal error has occurred. Please retry or report in "
    "https://developers.generativeai.google/guide/troubleshooting",
    503: "The model is overloaded. Please try again later.",
    504: "The request timed out. Please try again.",
}
_UNREGISTERED = (
    "Method doesn't allow unregistered callers (callers without established identity). Please use API "
    "Key or other form of API consumer identity to call this API."
)
_NOT_FOUND_HTML = (
    b"<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n"
    b"  <title>Error 404 (Not Found)!!1</title>\n"
    b"  <p><b>404.</b> <ins>That\xe2\x80\x99s an error.</ins>\n"
    b"  <p>The requested URL <code>%s</code> was not found on this server.  "
    b"<ins>That\xe2\x80\x99s all we know.</ins>\n"
)
_SAFETY_RATINGS = [
    {"category": c, "probability": "NEGLIGIBLE"}
    for c in (
        "HARM_CATEGORY_HATE_SPEECH",
        "HARM_CATEGORY_DANGEROUS_CONTENT",
        "HARM_CATEGORY_HARASSMENT",
        "HARM_CATEGORY_SEXUALLY_EXPLICIT",
    )
]
_TRIGGER = re.compile(r"\b(weather|call)", re.IGNORECASE)
_FUNCTION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:\-]{0,127}$")
_MALFORMED_EVENT = b'data: {"candidates": [{"content": {not json\r\n\r\n'


# what the proto JSON parser accepts (field names after lowerCamel normalisation)
_REQUEST_FIELDS = frozenset(
    {
        "model",
        "contents",
        "systemInstruction",
        "tools",
        "toolConfig",
        "safetySettings",
        "generationConfig",
        "cachedContent",
        "labels",
        "modelArmorConfig",
        "serviceTier",
        "store",
    }
)
_PART_DATA = frozenset(
    {
        "text",
        "inlineData",
        "fileData",
        "functionCall",
        "functionResponse",
        "executableCode",
        "codeExecutionResult",
        "toolCall",
        "toolResponse",
    }
)
_PART_META = frozenset(
    {"thought", "thoughtSignature", "videoMetadata", "partMetadata", "mediaResolution", "mediaProcessing"}
)
_PART_FIELDS = _PART_DATA | _PART_META
_TOOL_FIELDS = frozenset(
    {
        "functionDeclarations",
        "googleSearch",
        "googleSearchRetrieval",
        "codeExecution",
        "urlContext",
        "googleMaps",
        "fileSearch",
        "computerUse",
        "retrieval",
        "enterpriseWebSearch",
        "mcpServers",
    }
)
_DECLARATION_FIELDS = frozenset(
    {"name", "description", "parameters", "parametersJsonSchema", "response", "responseJsonSchema", "behavior"}
)
_SCHEMA_FIELDS = frozenset(
    {
        "type",
        "format",
        "title",
        "description",
        "nullable",
        "enum",
        "maxItems",
        "minItems",
        "properties",
        "required",
        "minProperties",
        "maxProperties",
        "minLength",
        "maxLength",
        "pattern",
        "example",
        "anyOf",
        "propertyOrdering",
        "default",
        "items",
        "minimum",
        "maximum",
    }
)
_VERTEX_SCHEMA_FIELDS = _SCHEMA_FIELDS | {"additionalProperties", "ref", "defs"}
_SCHEMA_TYPES = frozenset({"TYPE_UNSPECIFIED", "STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY", "OBJECT", "NULL"})
_GENERATION_FIELDS = frozenset(
    {
        "temperature",
        "topP",
        "topK",
        "candidateCount",
        "maxOutputTokens",
        "stopSequences",
        "presencePenalty",
        "frequencyPenalty",
        "seed",
        "responseMimeType",
        "responseSchema",
        "responseJsonSchema",
        "responseJsonSchemaOrdered",
        "responseLogprobs",
        "logprobs",
        "thinkingConfig",
        "responseModalities",
        "mediaResolution",
        "speechConfig",
        "imageConfig",
        "enableAffectiveDialog",
        "audioTimestamp",
        "routingConfig",
        "enableEnhancedCivicAnswers",
        "responseFormat",
        "translationConfig",
        "audioTranscriptionConfig",
    }
)
_THINKING_FIELDS = frozenset({"thinkingBudget", "includeThoughts", "thinkingLevel"})
_MODES = frozenset({"MODE_UNSPECIFIED", "AUTO", "ANY", "NONE", "VALIDATED"})
_TASK_TYPES = frozenset(
    {
        "TASK_TYPE_UNSPECIFIED",
        "UNSPECIFIED",
        "RETRIEVAL_QUERY",
        "RETRIEVAL_DOCUMENT",
        "SEMANTIC_SIMILARITY",
        "CLASSIFICATION",
        "CLUSTERING",
        "QUESTION_ANSWERING",
        "FACT_VERIFICATION",
        "CODE_RETRIEVAL_QUERY",
    }
)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _norm(obj: Any) -> Any:
    """Field names as the proto JSON parser sees them (snake_case accepted, as Google's servers do)."""
    if isinstance(obj, dict):
        return {_camel(k) if isinstance(k, str) else k: v for k, v in obj.items()}
    return obj


def error_body(
    status: int,
    message: str | None = None,
    status_name: str | None = None,
    reason: str | None = None,
    retry_delay: str | None = None,
    domain: str = "googleapis.com",
) -> dict[str, Any]:
    """A ``google.rpc.Status`` error body: ``{"error": {"code", "message", "status", "details"?}}``."""
    err: dict[str, Any] = {
        "code": status,
        "message": message or _MESSAGES.get(status, "Error"),
        "status": status_name or _STATUS_NAMES.get(status, "UNKNOWN"),
    }
    details = []
    if reason:
        details.append(
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": reason,
                "domain": domain,
                "metadata": {"service": "generativelanguage.googleapis.com"},
            }
        )
    if retry_delay is not None:
        details.append({"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": retry_delay})
    if details:
        err["details"] = details
    return {"error": err}


sse = encode_sse_crlf  # one event as Google frames it: ``data: <json>`` and a CRLF blank line, no event name


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def generate_service_account(
    token_uri: str,
    project_id: str = "fake-project",
    client_email: str = "litegate-test@fake-project.iam.gserviceaccount.com",
    key_size: int = 2048,
) -> tuple[dict[str, Any], str]:
    """A freshly generated service-account key (the JSON Google issues, as a dict) whose
    ``token_uri`` points at ``token_uri``, and its public key (PEM). Needs ``cryptography``."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    key_id = hashlib.sha1(public_pem.encode(), usedforsecurity=False).hexdigest()  # 40 hex digits, as Google's key ids
    info = {
        "type": "service_account",
        "project_id": project_id,
        "private_key_id": key_id,
        "private_key": private_pem,
        "client_email": client_email,
        "client_id": "100000000000000000001",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/" + client_email,
        "universe_domain": "googleapis.com",
    }
    return info, public_pem


# ---------------------------------------------------------------------------------------------
# request checks
# ---------------------------------------------------------------------------------------------


def _unknown(name: str, where: str) -> Invalid:
    at = f" at '{where}'" if where else ""
    return Invalid(f'Invalid JSON payload received. Unknown name "{name}"{at}: Cannot find field.')


def _only_known(fields: Any, allowed: Any, where: str) -> None:
    """Reject the first field name that is not in ``allowed`` as the proto JSON parser does."""
    for key in fields:
        if key not in allowed:
            raise _unknown(key, where)


def _check_schema(schema: Any, where: str, vertex: bool) -> None:
    if not isinstance(schema, dict):
        raise Invalid(f"Invalid JSON payload received. Expected an object at '{where}'.")
    allowed = _VERTEX_SCHEMA_FIELDS if vertex else _SCHEMA_FIELDS
    _only_known(_norm(schema), allowed, where)
    s = _norm(schema)
    typ = s.get("type")
    if typ is not None and (not isinstance(typ, str) or typ.upper() not in _SCHEMA_TYPES):
        raise Invalid(
            f"Invalid value at '{where}.type' "
            f"(type.googleapis.com/google.ai.generativelanguage.v1beta.Type), {json.dumps(typ)}"
        )
    props = s.get("properties")
    if props is not None:
        if not isinstance(props, dict):
            raise Invalid(f"Invalid JSON payload received. Expected an object at '{where}.properties'.")
        if not props and isinstance(typ, str) and typ.upper() == "OBJECT":
            raise Invalid(f"* GenerateContentRequest.{where}.properties: should be non-empty for OBJECT type")
        for name, sub in props.items():
            _check_schema(sub, f"{where}.properties[{name}].value", vertex)
    if s.get("items") is not None:
        _check_schema(s["items"], f"{where}.items", vertex)
    for i, sub in enumerate(s.get("anyOf") or ()):
        _check_schema(sub, f"{where}.any_of[{i}]", vertex)
    enum = s.get("enum")
    if enum is not None and (not isinstance(enum, list) or not all(isinstance(v, str) for v in enum)):
        raise Invalid(f"Invalid value at '{where}.enum' (TYPE_STRING)")
    extra = s.get("additionalProperties")
    if isinstance(extra, dict):
        _check_schema(extra, f"{where}.additional_properties", vertex)


def _check_part(part: Any, where: str) -> None:
    if not isinstance(part, dict):
        raise Invalid(f"Invalid JSON payload received. Expected an object at '{where}'.")
    p = _norm(part)
    _only_known(p, _PART_FIELDS, where)
    data = [k for k in p if k in _PART_DATA]
    if len(data) != 1:
        raise Invalid(
            f"* GenerateContentRequest.{where}.data: required oneof field 'data' must have one initialized field"
        )
    kind = data[0]
    value = _norm(p[kind])
    if kind == "text" and not isinstance(p["text"], str):
        raise Invalid(f"Invalid value at '{where}.text' (TYPE_STRING)")
    if kind == "inlineData":
        if (
            not isinstance(value, dict)
            or not isinstance(value.get("mimeType"), str)
            or not isinstance(value.get("data"), str)
        ):
            raise Invalid(f"* GenerateContentRequest.{where}.inline_data: mime_type and data are required")
        data = value["data"]
        try:  # proto JSON takes standard or URL-safe base64
            base64.b64decode(data.replace("-", "+").replace("_", "/"), validate=True)
        except (ValueError, TypeError):
            raise Invalid(f"Invalid value at '{where}.inline_data.data' (TYPE_BYTES), Base64 decoding failed") from None
    elif kind == "fileData":
        if not isinstance(value, dict) or not isinstance(value.get("fileUri"), str) or not value["fileUri"]:
            raise Invalid(f"* GenerateContentRequest.{where}.file_data.file_uri: file_uri is required")
    elif kind == "functionCall":
        if not isinstance(value, dict) or not isinstance(value.get("name"), str) or not value["name"]:
            raise Invalid(f"* GenerateContentRequest.{where}.function_call.name: name is required")
        if value.get("args") is not None and not isinstance(value["args"], dict):
            raise Invalid(f"Invalid value at '{where}.function_call.args' (type.googleapis.com/google.protobuf.Struct)")
    elif kind == "functionResponse":
        if not isinstance(value, dict) or not isinstance(value.get("name"), str) or not value["name"]:
            raise Invalid(f"* GenerateContentRequest.{where}.function_response.name: name is required")
        if not isinstance(value.get("response"), dict):
            raise Invalid(
                f"Invalid value at '{where}.function_response.response' (type.googleapis.com/google.protobuf.Struct)"
            )


def check_request(body: Any, vertex: bool) -> list[dict[str, Any]]:
    """Validate a GenerateContentRequest like the API does; returns its contents or raises ``Invalid``."""
    if not isinstance(body, dict):
        raise Invalid("Invalid JSON payload received. Expected an object.")
    b = _norm(body)
    _only_known(b, _REQUEST_FIELDS, "")
    contents = b.get("contents")
    if not isinstance(contents, list) or not contents:
        raise Invalid("* GenerateContentRequest.contents: contents is not specified")
    roles = ("user", "model") if vertex else ("user", "model", "function")
    for i, content in enumerate(contents):
        where = f"contents[{i}]"
        if not isinstance(content, dict):
            raise Invalid(f"Invalid JSON payload received. Expected an object at '{where}'.")
        c = _norm(content)
        _only_known(c, ("role", "parts"), where)
        role = c.get("role")
        if role is None and vertex:
            raise Invalid(f"Please use a valid role: user, model. ({where}.role is required)")
        if role is not None and role not in roles:
            raise Invalid(f"Please use a valid role: {', '.join(roles)}.")
        parts = c.get("parts")
        if not isinstance(parts, list) or not parts:
            raise Invalid(f"* GenerateContentRequest.{where}.parts: contents.parts must not be empty.")
        for j, part in enumerate(parts):
            _check_part(part, f"{where}.parts[{j}]")
    _check_pairing(contents)
    system = b.get("systemInstruction")
    if system is not None:
        s = _norm(system) if isinstance(system, dict) else None
        if s is None or not isinstance(s.get("parts"), list) or set(s) - {"parts", "role"}:
            raise Invalid("Invalid JSON payload received. 'system_instruction' must be a Content with parts.")
        for j, part in enumerate(s["parts"]):
            _check_part(part, f"system_instruction.parts[{j}]")
    names = _check_tools(b.get("tools"), vertex)
    cfg = b.get("toolConfig")
    if cfg is not None:
        fcc = _norm(_norm(cfg).get("functionCallingConfig") or {}) if isinstance(cfg, dict) else None
        if fcc is None:
            raise Invalid("Invalid JSON payload received. 'tool_config' must be an object.")
        mode = fcc.get("mode", "AUTO")
        if mode not in _MODES:
            raise Invalid(
                f"Invalid value at 'tool_config.function_calling_config.mode' "
                f"(type.googleapis.com/google.ai.generativelanguage.v1beta.FunctionCallingConfig.Mode), "
                f"{json.dumps(mode)}"
            )
        allowed = fcc.get("allowedFunctionNames")
        if allowed:
            if mode not in ("ANY", "VALIDATED"):
                raise Invalid(
                    "* GenerateContentRequest.tool_config.function_calling_config.allowed_function_names: "
                    "only allowed when mode is ANY"
                )
            for name in allowed:
                if name not in names:
                    raise Invalid(
                        "* GenerateContentRequest.tool_config.function_calling_config."
                        f"allowed_function_names: function {name!r} is not declared"
                    )
    _check_generation(b.get("generationConfig"), vertex)
    settings = b.get("safetySettings")
    if settings is not None:
        if not isinstance(settings, list) or not all(
            isinstance(s, dict) and set(_norm(s)) <= {"category", "threshold", "method"} for s in settings
        ):
            raise Invalid("Invalid JSON payload received. 'safety_settings' must be a list of {category, threshold}.")
    return contents


def _check_pairing(contents: list[Any]) -> None:
    for i, content in enumerate(contents):
        parts = _norm(content).get("parts") or []
        responses = sum(1 for p in parts if "functionResponse" in _norm(p))
        if not responses:
            continue
        prev = _norm(contents[i - 1]).get("parts") if i > 0 else []
        calls = sum(1 for p in prev or () if "functionCall" in _norm(p))
        if calls != responses:
            raise Invalid(
                "Please ensure that the number of function response parts is equal to the number of "
                "function call parts of the function call turn."
            )


def _check_tools(tools: Any, vertex: bool) -> set[str]:
    names: set[str] = set()
    if tools is None:
        return names
    if not isinstance(tools, list):
        raise Invalid("Invalid JSON payload received. 'tools' must be a list.")
    for i, tool in enumerate(tools):
        if not isinstance(tool, dict):
            raise Invalid(f"Invalid JSON payload received. Expected an object at 'tools[{i}]'.")
        t = _norm(tool)
        _only_known(t, _TOOL_FIELDS, f"tools[{i}]")
        for j, decl in enumerate(t.get("functionDeclarations") or ()):
            where = f"tools[{i}].function_declarations[{j}]"
            d = _norm(decl) if isinstance(decl, dict) else None
            if d is None:
                raise Invalid(f"Invalid JSON payload received. Expected an object at '{where}'.")
            _only_known(d, _DECLARATION_FIELDS, where)
            name = d.get("name")
            if not isinstance(name, str) or not _FUNCTION_NAME.match(name):
                raise Invalid(
                    f"* GenerateContentRequest.{where}.name: Invalid function name. Must start with a "
                    "letter or an underscore. Must be a-z, A-Z, 0-9, or contain underscores, dots, colons "
                    "and dashes, with a maximum length of 128."
                )
            names.add(name)
            if d.get("parameters") is not None:
                if d.get("parametersJsonSchema") is not None:
                    raise Invalid(
                        f"* GenerateContentRequest.{where}: parameters and parameters_json_schema are "
                        "mutually exclusive"
                    )
                _check_schema(d["parameters"], f"{where}.parameters", vertex)
    return names


def _check_generation(gen: Any, vertex: bool) -> None:
    if gen is None:
        return
    if not isinstance(gen, dict):
        raise Invalid("Invalid JSON payload received. 'generation_config' must be an object.")
    g = _norm(gen)
    _only_known(g, _GENERATION_FIELDS, "generation_config")
    for key, lo, hi in (
        ("temperature", 0, 2),
        ("topP", 0, 1),
        ("candidateCount", 1, 8),
        ("maxOutputTokens", 1, None),
        ("logprobs", 0, 20),
    ):
        value = g.get(key)
        if value is None:
            continue
        number = not isinstance(value, bool) and isinstance(value, (int, float))
        if not number or value < lo or (hi is not None and value > hi):
            raise Invalid(f"* GenerateContentRequest.generation_config.{key}: value {value!r} is out of range")
    stops = g.get("stopSequences")
    if stops is not None and (
        not isinstance(stops, list) or len(stops) > 5 or not all(isinstance(s, str) for s in stops)
    ):
        raise Invalid("* GenerateContentRequest.generation_config.stop_sequences: at most 5 strings")
    if g.get("responseSchema") is not None or g.get("responseJsonSchema") is not None:
        if g.get("responseSchema") is not None and g.get("responseJsonSchema") is not None:
            raise Invalid(
                "* GenerateContentRequest.generation_config: response_schema and response_json_schema are "
                "mutually exclusive"
            )
        if g.get("responseMimeType") not in ("application/json", "text/x.enum"):
            raise Invalid(
                "* GenerateContentRequest.generation_config.response_mime_type: it must be set to "
                "application/json or text/x.enum when response_schema is set"
            )
        if g.get("responseSchema") is not None:
            _check_schema(g["responseSchema"], "generation_config.response_schema", vertex)
    thinking = g.get("thinkingConfig")
    if thinking is not None:
        if not isinstance(thinking, dict):
            raise Invalid("Invalid JSON payload received. 'thinking_config' must be an object.")
        _only_known(_norm(thinking), _THINKING_FIELDS, "generation_config.thinking_config")
    if g.get("responseLogprobs") is not True and g.get("logprobs") is not None:
        raise Invalid(
            "* GenerateContentRequest.generation_config.logprobs: logprobs is only valid when response_logprobs is true"
        )


# ---------------------------------------------------------------------------------------------
# the answer
# ---------------------------------------------------------------------------------------------


def _lower_types(schema: Any) -> Any:
    """A Gemini Schema with JSON-schema style lower-case types (for ``_payloads.example_value``)."""
    if isinstance(schema, dict):
        out = {}
        for k, v in _norm(schema).items():
            if k == "type" and isinstance(v, str):
                out[k] = v.lower()
            else:
                out[k] = _lower_types(v)
        return out
    if isinstance(schema, list):
        return [_lower_types(v) for v in schema]
    return schema


def _part_text(part: dict[str, Any]) -> str:
    p = _norm(part)
    text = p.get("text")
    if isinstance(text, str):
        return text
    fr = p.get("functionResponse")
    if isinstance(fr, dict):
        return json.dumps(_norm(fr).get("response"), separators=(",", ":"))
    fc = p.get("functionCall")
    if isinstance(fc, dict):
        return json.dumps(_norm(fc).get("args") or {}, separators=(",", ":"))
    return ""


def _tokens(text: str) -> int:
    return P.count_tokens(text)


def _signature(text: str) -> str:
    return base64.b64encode(hashlib.sha256(("sig:" + text).encode()).digest() * 2).decode("ascii")


@dataclass(eq=False, slots=True)
class _Plan:
    model: str
    candidates: list[dict[str, Any]]  # [{"parts": [...], "finishReason": ...}]; none when the prompt is blocked
    usage: dict[str, Any]
    response_id: str
    feedback: dict[str, Any] | None = None


def _last_user(contents: list[Any]) -> tuple[str, bool]:
    """(text of the last user turn, whether that turn answers function calls)."""
    for content in reversed(contents):
        c = _norm(content)
        if c.get("role", "user") in ("user", "function"):
            parts = [_norm(p) for p in c.get("parts") or () if isinstance(p, dict)]
            answered = any("functionResponse" in p for p in parts)
            texts = []
            for p in parts:
                if isinstance(p.get("text"), str):
                    texts.append(p["text"])
                elif isinstance(p.get("functionResponse"), dict):  # answer a tool result with its content
                    result = _norm(p["functionResponse"]).get("response")
                    value = result.get("content", result) if isinstance(result, dict) else result
                    texts.append(value if isinstance(value, str) else json.dumps(value, separators=(",", ":")))
            return " ".join(texts), answered
    return "", False


def _choose_calls(body: dict[str, Any], text: str, answered: bool) -> list[tuple[str, dict[str, Any]]]:
    decls = []
    for tool in body.get("tools") or ():
        for d in _norm(tool).get("functionDeclarations") or ():
            decls.append(_norm(d))
    if not decls:
        return []
    fcc = _norm(_norm(body.get("toolConfig") or {}).get("functionCallingConfig") or {})
    mode = fcc.get("mode", "AUTO")
    if mode == "NONE":
        return []
    allowed = fcc.get("allowedFunctionNames")
    if allowed:
        decls = [d for d in decls if d.get("name") in allowed] or decls
    if mode not in ("ANY", "VALIDATED") and (answered or not _TRIGGER.search(text)):
        return []
    low = text.lower()
    mentioned = [d for d in decls if str(d.get("name", "")).lower() in low]
    if mentioned:
        chosen = mentioned
    else:
        weather = [d for d in decls if "weather" in str(d.get("name", "")).lower()] if "weather" in low else []
        chosen = (weather or decls)[:1]
    out = []
    for d in chosen:
        schema = d.get("parameters") or d.get("parametersJsonSchema") or {"type": "object", "properties": {}}
        args = P.example_value(_lower_types(schema))
        out.append((d["name"], args if isinstance(args, dict) else {}))
    return out


def _prompt_tokens(body: dict[str, Any]) -> int:
    total = 0
    for content in body.get("contents") or ():
        for part in _norm(content).get("parts") or ():
            total += 1 + (_tokens(_part_text(part)) if isinstance(part, dict) else 0)
    system = body.get("systemInstruction")
    if isinstance(system, dict):
        for part in _norm(system).get("parts") or ():
            total += _tokens(_part_text(part)) if isinstance(part, dict) else 0
    return max(total, 1)


# ---------------------------------------------------------------------------------------------
# the server
# ---------------------------------------------------------------------------------------------


class FakeGeminiServer(FakeServerBase):
    """A Gemini API + Vertex AI server on 127.0.0.1 for tests, demos and benchmarks.

    ``url`` is the ``api_base`` for litegate and the ``base_url`` for ``google-genai``'s
    ``HttpOptions``. ``require_key``: Gemini API routes need ``x-goog-api-key`` (or ``?key=``)
    equal to it (missing: 403 ``PERMISSION_DENIED``; wrong: 400 ``API_KEY_INVALID``, as Google
    answers). ``require_token``: Vertex routes need ``Authorization: Bearer <t>`` with ``t`` this
    string, or, when True, a token this server issued and has not expired (401
    ``UNAUTHENTICATED`` otherwise). ``token_lifetime`` is the ``expires_in`` of issued tokens.
    Faults: ``reset``, ``stall``, ``cut_stream`` (closed mid-stream), ``malformed_stream`` (an
    event that is not JSON), ``stream_error_event`` (a 503 error object appended to the stream, as
    Google does) or ``no_finish`` (a clean end without ``finishReason``; ``no_done`` is an alias).
    """

    routes = (
        Route(r"/token", "_token", shared_queue=False),  # only behaviours queued with path="/token"
        Route(r"/(?:v1|v1beta|v1alpha)/models(?:/(?P<one>[^/:]+))?", "_models", ("GET",)),
        Route(r"/(?:v1|v1beta|v1alpha)/models/(?P<model>[^/:]+):(?P<method>[A-Za-z]+)", "_model_call"),
        # Claude on Vertex: Anthropic Messages bodies, answered by the fake Anthropic server's planner
        Route(
            r"/(?:v1|v1beta1)/projects/[^/]+/locations/(?P<location>[^/]+)/publishers/anthropic/models/"
            r"(?P<model>[^/:]+):(?P<method>rawPredict|streamRawPredict)",
            "_anthropic_call",
        ),
        Route(
            r"/(?:v1|v1beta1)/projects/[^/]+/locations/(?P<location>[^/]+)/(?:publishers/[^/]+/models|endpoints)/"
            r"(?P<model>[^/:]+):(?P<method>[A-Za-z]+)",
            "_model_call",
        ),
    )
    fault_kinds = GEMINI_FAULT_KINDS
    streams = Streams(
        encode=sse, malformed_event=_MALFORMED_EVENT, error_event=json.dumps(error_body(503), indent=2).encode() + b"\n"
    )

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        require_key: str | None = None,
        require_token: None | bool | str = None,
        default_delay: float = 0.0,
        record: bool = True,
        sse_framing: str = "chunked",
        embedding_dims: int = P.DEFAULT_EMBEDDING_DIMS,
        token_lifetime: int = 3599,
    ) -> None:
        super().__init__(
            host,
            port,
            default_delay=default_delay,
            record=record,
            sse_framing=sse_framing,
            embedding_dims=embedding_dims,
        )
        self.api_key = require_key
        self.require_token = require_token
        self.token_lifetime = int(token_lifetime)
        self.issued_tokens: list[str] = []
        self.token_grants: list[dict[str, Any]] = []  # decoded JWT claims / refresh grants, in order
        self._valid_tokens: set[str] = set()
        self._trusted_keys: list[Any] = []

    @property
    def token_uri(self) -> str:
        return self.url + "/token"

    def vertex_base(self, project: str = "fake-project", location: str = "us-central1") -> str:
        """The Vertex resource prefix on this server (what litegate builds from ``api_base=srv.url``)."""
        return f"{self.url}/v1/projects/{project}/locations/{location}"

    # -- tokens ------------------------------------------------------------------------------------

    def trust_key(self, public_key_pem: str) -> None:
        """Check the RS256 signature of JWT assertions against this public key (``cryptography``)."""
        from cryptography.hazmat.primitives import serialization

        self._trusted_keys.append(serialization.load_pem_public_key(public_key_pem.encode()))

    def expire_tokens(self) -> None:
        """Revoke every token issued so far (a Vertex call with one then gets 401)."""
        with self._lock:
            self._valid_tokens.clear()

    def reset(self) -> None:
        super().reset()
        with self._lock:
            self.issued_tokens.clear()
            self.token_grants.clear()
            self._valid_tokens.clear()

    # -- queueing ------------------------------------------------------------------------------

    def enqueue_error(
        self,
        status: int = 429,
        count: int = 1,
        body: bytes | str | dict[str, Any] | None = None,
        headers: Mapping[str, str | None] | None = None,
        *,
        message: str | None = None,
        status_name: str | None = None,
        reason: str | None = None,
        retry_delay: str | None = None,
        delay: float = 0.0,
        path: str | None = None,
    ) -> None:
        """Queue ``count`` Google error responses (``google.rpc.Status`` JSON) for ``status``.

        ``message`` / ``status_name`` / ``reason`` (an ``ErrorInfo`` reason such as
        ``API_KEY_INVALID``) override the defaults; a 429 carries a ``RetryInfo`` with
        ``retry_delay`` (default ``"0s"``) as Google's quota errors do.
        """
        if body is None:
            if status == 429 and retry_delay is None:
                retry_delay = "0s"
            body = error_body(status, message, status_name, reason, retry_delay)
        self._queue_response(
            status, body, {"content-type": "application/json; charset=UTF-8"}, headers, count, delay, path
        )

    def enqueue_reply(
        self,
        content: str | None = "hello",
        tool_calls: list[Any] | None = None,
        finish_reason: str | None = None,
        usage: dict[str, Any] | None = None,
        delay: float = 0.0,
        model: str | None = None,
        *,
        thinking: str | None = None,
        signature: str | None = None,
        extra: dict[str, Any] | None = None,
        count: int = 1,
        path: str | None = None,
    ) -> None:
        """Queue an answer (streamed when the request is a ``streamGenerateContent``).

        ``content`` is the text (None / "" for none); ``tool_calls`` items are ``{"name",
        "arguments": dict|str, "id"?}`` or the OpenAI form and become ``functionCall`` parts;
        ``thinking`` adds a thought part first; ``signature`` is the ``thoughtSignature`` of the
        first function call (or text) part. ``finish_reason`` is Gemini's (``STOP``,
        ``MAX_TOKENS``, ``SAFETY`` ...; default ``STOP``); ``usage`` (``usageMetadata`` names)
        overrides the counts; ``extra`` fields are added to the candidate (``safetyRatings``,
        ``citationMetadata``, ``groundingMetadata``, ``logprobsResult`` ...).
        """
        custom = {"thinking": thinking, "signature": signature, "extra": extra}
        self._queue_reply(content, tool_calls, finish_reason, usage, delay, model, custom, count, path)

    def enqueue_block(
        self, reason: str = "SAFETY", message: str | None = None, *, count: int = 1, path: str | None = None
    ) -> None:
        """Queue a blocked prompt: ``promptFeedback.blockReason`` and no candidates (HTTP 200)."""
        custom = {"block": reason, "block_message": message}
        self._queue_reply(None, None, None, None, 0.0, None, custom, count, path)

    def enqueue_stream(
        self,
        events: list[Any] | None = None,
        chunk_delay: float = 0.0,
        cut_after: int | None = None,
        *,
        delay: float = 0.0,
        status: int = 200,
        headers: Mapping[str, str | None] | None = None,
        path: str | None = None,
        first_delay: float = 0.0,
        stall_after: int | None = None,
    ) -> None:
        """Queue an SSE response: ``dict`` items are ``data: <json>`` events, ``str`` items are sent as
        the data payload, ``bytes`` verbatim (your own framing); ``None`` = the default stream for the
        request. ``cut_after=k`` closes the connection after ``k`` items.
        ``first_delay`` passes between the headers (sent at once) and the first event; ``stall_after=k``
        goes silent after ``k`` events (the connection stays open until the client closes it).
        """
        self._queue_stream(
            events,
            chunk_delay,
            True,
            cut_after,
            delay,
            status,
            headers,
            path,
            first_delay=first_delay,
            stall_after=stall_after,
        )

    # -- the dialect's answers -----------------------------------------------------------------

    def _auth(self, call: Call) -> _Raw | None:
        """Vertex routes take a bearer token, Gemini API routes an API key; the token endpoint and
        unknown URLs (Google's HTML 404) take neither."""
        handler = call.route.handler if call.route is not None else None
        rec = call.rec
        if handler in ("_model_call", "_anthropic_call") and call.params.get("location") is not None:  # Vertex
            want = self.require_token
            if want is None:
                return None
            auth = rec.headers.get("authorization", "")
            if not auth:
                return self._json(401, error_body(401, reason="CREDENTIALS_MISSING", domain="googleapis.com"))
            token = auth[7:] if auth.startswith("Bearer ") else ""
            ok = token == want if isinstance(want, str) else token in self._valid_tokens
            if not ok:
                return self._json(401, error_body(401, reason="ACCESS_TOKEN_EXPIRED", domain="googleapis.com"))
            return None
        if self.api_key is None or handler not in ("_model_call", "_models"):
            return None
        key = rec.headers.get("x-goog-api-key") or rec.query.get("key")
        if not key:
            return self._error(403, _UNREGISTERED)
        if key != self.api_key:
            return self._json(
                400, error_body(400, "API key not valid. Please pass a valid API key.", reason="API_KEY_INVALID")
            )
        return None

    def _headers(self) -> dict[str, str] | None:
        return {
            "content-type": "application/json; charset=UTF-8",
            "server-timing": "gfet4t7; dur=42",
            "x-goog-request-id": self._next_id("req-"),
        }

    def _error(self, status: int, message: str) -> _Raw:
        return self._json(status, error_body(status, message))

    def _not_found(self, rec: RecordedRequest) -> _Raw:
        path = rec.path.rstrip("/")
        return _Raw(404, _NOT_FOUND_HTML % path.encode(), {"content-type": "text/html; charset=UTF-8"})

    def _wrong_method(self, rec: RecordedRequest, route: Route) -> _Raw:
        if route.handler == "_token":
            return self._json(405, error_body(400, "Method not allowed"))
        if route.handler == "_models":
            return self._not_found(rec)
        return self._error(404, f"Method {rec.method} not found for {rec.path.rstrip('/')}")

    # -- routes --------------------------------------------------------------------------------

    def _models(self, call: Call) -> Answer:
        def model(mid: str) -> dict[str, Any]:
            methods = (
                ["embedContent", "batchEmbedContents"]
                if "embedding" in mid
                else ["generateContent", "streamGenerateContent", "countTokens"]
            )
            return {
                "name": f"models/{mid}",
                "version": "001",
                "displayName": mid,
                "inputTokenLimit": 1048576,
                "outputTokenLimit": 65536,
                "supportedGenerationMethods": methods,
            }

        one = call.params.get("one")
        return self._json(200, model(one) if one else {"models": [model(m) for m in MODEL_IDS]})

    def _anthropic_call(self, call: Call) -> Answer:
        """``publishers/anthropic/models/{m}:rawPredict`` / ``:streamRawPredict`` (Claude on Vertex):
        the Messages body without ``model`` and with ``anthropic_version: vertex-2023-10-16``."""
        from .anthropic_server import FakeAnthropicServer, check_request
        from .anthropic_server import error_body as anthropic_error

        body = call.rec.json
        try:
            if not isinstance(body, dict):
                raise Invalid("The request body is not valid JSON.")
            if body.get("anthropic_version") != "vertex-2023-10-16":
                raise Invalid("anthropic_version: Input should be 'vertex-2023-10-16'")
            if "model" in body:
                raise Invalid("model: Extra inputs are not permitted (the model is in the URL)")
            stream = body.get("stream") is True
            if stream != (call.params["method"] == "streamRawPredict"):
                raise Invalid("stream must be true exactly on streamRawPredict")
            claude = getattr(self, "_claude_planner", None)
            if claude is None:
                claude = self._claude_planner = FakeAnthropicServer(record=False)
            messages_body = {k: v for k, v in body.items() if k not in ("anthropic_version", "anthropic_beta")}
            messages_body["model"] = call.params["model"]
            turns = check_request(messages_body)
        except Invalid as e:
            return self._json(e.status, anthropic_error(e.status, str(e)))
        plan = claude._plan(messages_body, turns, call.reply)
        msg_id = self._next_id("msg_vrtx_")
        if stream:
            return Events(claude._events(plan, msg_id))
        return self._json(200, claude._message(plan, msg_id))

    def _model_call(self, call: Call) -> Answer:
        """``models/{model}:{method}`` on either layout."""
        rec, reply = call.rec, call.reply
        vertex = call.params.get("location") is not None
        model, method = call.params["model"], call.params["method"]
        if rec.json is None:
            raise Invalid("Invalid JSON payload received. Unexpected end of string.")
        if reply is not None and reply.model:
            model = reply.model
        if method in ("embedContent", "batchEmbedContents", "predict"):
            return self._json(200, self._embed(rec.json, model, method, vertex))
        if method == "countTokens":
            body = rec.json if isinstance(rec.json, dict) else {}
            inner = body.get("generateContentRequest") or body
            return self._json(200, {"totalTokens": _prompt_tokens(inner if isinstance(inner, dict) else {})})
        if method not in ("generateContent", "streamGenerateContent"):
            raise Invalid(f"Method {method} not found.", 404)
        check_request(rec.json, vertex)
        plan = self._plan(_norm(rec.json), model, reply)
        if method == "generateContent":
            return self._json(200, self._response(plan, len(plan.candidates), final=True))
        events = self._events(plan)
        if rec.query.get("alt") != "sse":  # without alt=sse Google streams one JSON array
            return self._json(200, b"[" + b",\r\n".join(P.dumps(e) for e in events) + b"]")
        last = json.loads(json.dumps(events[-1]))  # the last event without finishReason: no_finish
        for cand in last.get("candidates") or ():
            cand.pop("finishReason", None)
        raw = [sse(e) for e in events]
        return Events(raw, unfinished=raw[:-1] + [sse(last)])

    # -- OAuth token endpoint ----------------------------------------------------------------------

    def _token_error(self, error: str, description: str, status: int = 400) -> _Raw:
        return _Raw(
            status,
            P.dumps({"error": error, "error_description": description}),
            {"content-type": "application/json; charset=utf-8"},
            0.0,
            None,
        )

    def _token(self, call: Call) -> Answer:
        rec = call.rec
        if "application/x-www-form-urlencoded" not in (rec.headers.get("content-type") or ""):
            return self._token_error(
                "invalid_request", "Invalid Content-Type: expected application/x-www-form-urlencoded"
            )
        form = dict(parse_qsl(rec.body.decode("utf-8", "replace")))
        grant = form.get("grant_type")
        if grant == JWT_GRANT:
            claims = self._check_assertion(form.get("assertion") or "")
            if isinstance(claims, _Raw):
                return claims
        elif grant == "refresh_token":
            if not form.get("refresh_token") or not form.get("client_id"):
                return self._token_error("invalid_request", "Missing required parameter: refresh_token")
            claims = {"grant": "refresh_token", "client_id": form["client_id"]}
        else:
            return self._token_error("unsupported_grant_type", f"Invalid grant_type: {grant}")
        token = "ya29.fake-" + self._next_id("")
        with self._lock:
            self.token_grants.append(claims)
            self.issued_tokens.append(token)
            self._valid_tokens.add(token)
        return _Raw(
            200,
            P.dumps({"access_token": token, "expires_in": self.token_lifetime, "token_type": "Bearer"}),
            {"content-type": "application/json; charset=utf-8"},
            0.0,
            None,
        )

    def _check_assertion(self, assertion: str) -> dict[str, Any] | _Raw:
        pieces = assertion.split(".")
        if len(pieces) != 3:
            return self._token_error(
                "invalid_grant", "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe"
            )
        try:
            header = json.loads(_b64url_decode(pieces[0]))
            claims = json.loads(_b64url_decode(pieces[1]))
            signature = _b64url_decode(pieces[2])
        except (ValueError, TypeError):
            return self._token_error("invalid_grant", "Invalid JWT: the assertion is not base64url JSON")
        if header.get("alg") != "RS256":
            return self._token_error("invalid_grant", "Invalid JWT signature algorithm: expected RS256")
        now = time.time()
        for name in ("iss", "scope", "aud", "iat", "exp"):
            if name not in claims:
                return self._token_error("invalid_grant", f"Invalid JWT: missing claim {name!r}")
        if claims["aud"] not in (GOOGLE_TOKEN_URI, self.token_uri):
            return self._token_error("invalid_grant", f"Invalid JWT audience: {claims['aud']}")
        if not (claims["iat"] - 300 <= now <= claims["exp"] + 300) or claims["exp"] - claims["iat"] > 3600:
            return self._token_error(
                "invalid_grant",
                "Invalid JWT: Token must be a short-lived token (60 minutes) and "
                "in a reasonable timeframe. Check your iat and exp values",
            )
        if self._trusted_keys:
            from cryptography.exceptions import InvalidSignature
            from cryptography.hazmat.primitives import hashes
            from cryptography.hazmat.primitives.asymmetric import padding

            signed = (pieces[0] + "." + pieces[1]).encode("ascii")
            for key in self._trusted_keys:
                try:
                    key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
                    break
                except InvalidSignature:
                    continue
            else:
                return self._token_error("invalid_grant", "Invalid JWT Signature.")
        return dict(claims, kid=header.get("kid"))

    # -- generateContent ---------------------------------------------------------------------------

    def _plan(self, body: dict[str, Any], model: str, reply: _Reply | None) -> _Plan:
        contents = body.get("contents") or []
        gen = _norm(body.get("generationConfig") or {})
        thinking_cfg = _norm(gen.get("thinkingConfig") or {})
        custom = reply.custom if reply is not None and isinstance(reply.custom, dict) else {}
        n = gen.get("candidateCount") if isinstance(gen.get("candidateCount"), int) else 1
        prompt = _prompt_tokens(body)
        usage: dict[str, Any] = {"promptTokenCount": prompt}
        if custom.get("block"):
            feedback: dict[str, Any] = {
                "blockReason": custom["block"],
                "safetyRatings": [
                    dict(r, probability="HIGH" if i == 2 else "NEGLIGIBLE") for i, r in enumerate(_SAFETY_RATINGS)
                ],
            }
            if custom.get("block_message"):
                feedback["blockReasonMessage"] = custom["block_message"]
            usage["totalTokenCount"] = prompt
            return _Plan(model, [], usage, self._next_id("resp-"), feedback)
        text, answered = _last_user(contents)
        thought: str | None = custom.get("thinking")
        if thought is None and thinking_cfg.get("includeThoughts"):
            thought = "**Considering the request**\n\nThe user asks: " + P._snippet(text) + ". I will answer directly."
        finish = "STOP"
        calls: list[tuple[str, dict[str, Any], str | None]] = []
        answer: str | None
        if reply is not None:
            answer = reply.content
            calls = P.tool_call_objects(reply.tool_calls or [])
            finish = reply.finish_reason or "STOP"
        else:
            calls = [(name, args, None) for name, args in _choose_calls(body, text, answered)]
            mime = gen.get("responseMimeType")
            if calls:
                answer = None
            elif mime == "application/json":
                schema = gen.get("responseJsonSchema") or gen.get("responseSchema")
                answer = json.dumps(
                    P.example_value(_lower_types(schema)) if schema else {"reply": text}, separators=(",", ":")
                )
            else:
                snippet = P._snippet(text)
                answer = "This is a fake reply to: " + snippet if snippet else "This is a fake reply."
            if answer:
                for seq in gen.get("stopSequences") or ():
                    pos = answer.find(seq) if seq else -1
                    if pos >= 0:
                        answer = answer[:pos]
                limit = gen.get("maxOutputTokens")
                pieces = P.split_words(answer)
                if isinstance(limit, int) and 0 < limit < len(pieces):
                    answer = "".join(pieces[:limit])
                    finish = "MAX_TOKENS"
        signature = custom.get("signature") or (_signature(thought) if thought else None)
        parts: list[dict[str, Any]] = []
        if thought:
            parts.append({"text": thought, "thought": True})
        if answer:
            parts.append({"text": answer})
        for i, (name, args, cid) in enumerate(calls):
            fc: dict[str, Any] = {"name": name, "args": args}
            if cid:
                fc["id"] = cid
            part: dict[str, Any] = {"functionCall": fc}
            if i == 0 and signature:
                part["thoughtSignature"] = signature
            parts.append(part)
        if signature and not calls and answer:
            parts[-1]["thoughtSignature"] = signature
        candidates = []
        for _ in range(max(1, n)):
            cand: dict[str, Any] = {"parts": [dict(p) for p in parts], "finishReason": finish}
            if custom.get("extra"):
                cand["extra"] = custom["extra"]
            candidates.append(cand)
        out_tokens = sum(_tokens(p.get("text") or "") for p in parts if not p.get("thought")) + 6 * len(calls)
        usage["candidatesTokenCount"] = max(1, out_tokens) * max(1, n)
        if thought:
            usage["thoughtsTokenCount"] = _tokens(thought)
        if body.get("cachedContent"):
            usage["cachedContentTokenCount"] = 64
            usage["promptTokenCount"] = prompt + 64
        usage["totalTokenCount"] = (
            usage["promptTokenCount"] + usage["candidatesTokenCount"] + usage.get("thoughtsTokenCount", 0)
        )
        usage["promptTokensDetails"] = [{"modality": "TEXT", "tokenCount": usage["promptTokenCount"]}]
        if reply is not None and reply.usage:
            usage.update(reply.usage)
        return _Plan(model, candidates, usage, self._next_id("resp-"))

    def _candidate(self, cand: dict[str, Any], index: int, parts: list[dict[str, Any]], final: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"content": {"parts": parts, "role": "model"}}
        if final:
            out["finishReason"] = cand["finishReason"]
            out["safetyRatings"] = _SAFETY_RATINGS
        out["index"] = index
        if final and cand.get("extra"):
            out.update(cand["extra"])
        return out

    def _response(self, plan: _Plan, n: int, final: bool) -> dict[str, Any]:
        if not plan.candidates:  # a blocked prompt
            return {
                "promptFeedback": plan.feedback,
                "usageMetadata": plan.usage,
                "modelVersion": plan.model,
                "responseId": plan.response_id,
            }
        cands = [self._candidate(c, i, c["parts"], final) for i, c in enumerate(plan.candidates)]
        return {
            "candidates": cands,
            "usageMetadata": plan.usage,
            "modelVersion": plan.model,
            "responseId": plan.response_id,
        }

    def _events(self, plan: _Plan) -> list[dict[str, Any]]:
        """The stream rendering of ``plan``: thoughts, text in pieces of a few words, function calls
        whole; the last event carries ``finishReason`` and the final usage."""
        if not plan.candidates:
            return [self._response(plan, 0, True)]
        early_usage = {
            "promptTokenCount": plan.usage.get("promptTokenCount", 0),
            "totalTokenCount": plan.usage.get("promptTokenCount", 0),
            "promptTokensDetails": plan.usage.get("promptTokensDetails", []),
        }
        steps: list[list[dict[str, Any]]] = []  # per event: the parts of each candidate (the same for all)
        parts = plan.candidates[0]["parts"]
        for part in parts:
            if "text" in part:
                words = P.split_words(part["text"]) or [""]
                for k in range(0, len(words), 3):
                    piece = dict(part, text="".join(words[k : k + 3]))
                    if k + 3 < len(words):
                        piece.pop("thoughtSignature", None)
                    steps.append([piece])
            else:
                steps.append([part])
        if not steps:
            steps.append([{"text": ""}])
        events = []
        for k, step in enumerate(steps):
            final = k == len(steps) - 1
            cands = [self._candidate(c, i, [dict(p) for p in step], final) for i, c in enumerate(plan.candidates)]
            events.append(
                {
                    "candidates": cands,
                    "usageMetadata": plan.usage if final else early_usage,
                    "modelVersion": plan.model,
                    "responseId": plan.response_id,
                }
            )
        return events

    # -- embeddings ----------------------------------------------------------------------------------

    def _vector(self, text: str, dims: Any) -> list[float]:
        if dims is None:
            dims = self.embedding_dims
        if isinstance(dims, bool) or not isinstance(dims, int) or not 1 <= dims <= 3072:
            raise Invalid("* EmbedContentRequest.output_dimensionality: must be between 1 and 3072")
        return P.embedding_vector(text, dims)

    @staticmethod
    def _content_text(content: Any) -> str | None:
        if not isinstance(content, dict):
            return None
        parts = _norm(content).get("parts")
        if not isinstance(parts, list) or not parts:
            return None
        texts = [_norm(p).get("text") for p in parts if isinstance(p, dict)]
        if not texts or not all(isinstance(t, str) for t in texts):
            return None
        return " ".join(texts)

    def _embed_one(self, req: Any, where: str, vertex: bool, model: str, batch: bool) -> tuple[list[float], int]:
        if not isinstance(req, dict):
            raise Invalid(f"Invalid JSON payload received. Expected an object at '{where}'.")
        r = _norm(req)
        allowed = (
            {"content", "embedContentConfig", "autoTruncate", "title", "taskType", "outputDimensionality"}
            if vertex
            else {"model", "content", "taskType", "title", "outputDimensionality", "embedContentConfig"}
        )
        _only_known(r, allowed, where)
        if not vertex and batch and r.get("model") != f"models/{model}":
            raise Invalid(
                f"* BatchEmbedContentsRequest.{where}.model: the model of each request must be models/{model}"
            )
        text = self._content_text(r.get("content"))
        if text is None:
            raise Invalid(f"* EmbedContentRequest.{where}.content: content with text parts is required")
        config = _norm(r.get("embedContentConfig") or {})
        task = config.get("taskType", r.get("taskType"))
        if task is not None and task not in _TASK_TYPES:
            raise Invalid(f"Invalid value at '{where}.task_type', {json.dumps(task)}")
        vec = self._vector(text, config.get("outputDimensionality", r.get("outputDimensionality")))
        return vec, max(1, _tokens(text))

    def _embed(self, body: Any, model: str, method: str, vertex: bool) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise Invalid("Invalid JSON payload received. Expected an object.")
        if method == "predict":
            if not vertex:
                raise Invalid("Method predict not found.", 404)
            instances = body.get("instances")
            if not isinstance(instances, list) or not instances:
                raise Invalid("instances is required")
            params = P.object_field(body, "parameters")
            predictions = []
            for inst in instances:
                if not isinstance(inst, dict) or not isinstance(inst.get("content"), str):
                    raise Invalid("Each instance needs a 'content' string.")
                vec = self._vector(inst["content"], params.get("outputDimensionality"))
                predictions.append(
                    {
                        "embeddings": {
                            "values": vec,
                            "statistics": {"token_count": max(1, _tokens(inst["content"])), "truncated": False},
                        }
                    }
                )
            chars = sum(len(i["content"]) for i in instances)
            return {"predictions": predictions, "metadata": {"billableCharacterCount": chars}}
        if method == "batchEmbedContents":
            requests = body.get("requests")
            if not isinstance(requests, list) or not requests:
                raise Invalid("* BatchEmbedContentsRequest.requests: requests is required")
            results = [self._embed_one(req, f"requests[{i}]", vertex, model, True) for i, req in enumerate(requests)]
            out: dict[str, Any] = {"embeddings": [{"values": vec} for vec, _ in results]}
            if vertex:
                tokens = sum(n for _, n in results)
                out["usageMetadata"] = {"promptTokenCount": tokens, "totalTokenCount": tokens}
            return out
        vec, tokens = self._embed_one(body, "", vertex, model, False)
        one: dict[str, Any] = {"embedding": {"values": vec}}
        if vertex:
            one["usageMetadata"] = {"promptTokenCount": tokens, "totalTokenCount": tokens}
            one["truncated"] = False
        return one
