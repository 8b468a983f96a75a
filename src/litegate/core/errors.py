"""Turn a provider's error response into the right litegate exception.

* :func:`exception_from_response` maps an HTTP status and the provider's error body (OpenAI,
  Azure, Anthropic, Gemini/Vertex, Mistral, Cohere, Ollama, Bedrock and OpenAI-compatible
  shapes, or plain text / HTML) onto :mod:`litegate.exceptions`.
* :func:`mid_stream_error` does the same for an error object received inside an SSE stream.
* :func:`is_retryable` (defined in core/retry.py) says whether an exception is worth retrying.

Standard library only; every text that reaches an exception is masked by ``redact``.
"""

from __future__ import annotations

from typing import Any

from .. import exceptions as exc
from .redact import redact

__all__ = [
    "exception_from_response",
    "mid_stream_error",
    "is_retryable",
    "error_class_for_status",
    "extract_error",
    "ErrorInfo",
]

MAX_MESSAGE_CHARS = 500

_STATUS_CLASS: dict[int, type[exc.APIError]] = {
    400: exc.BadRequestError,
    401: exc.AuthenticationError,
    403: exc.PermissionDeniedError,
    404: exc.NotFoundError,
    408: exc.Timeout,
    409: exc.ConflictError,
    413: exc.BadRequestError,
    422: exc.UnprocessableEntityError,
    429: exc.RateLimitError,
    500: exc.InternalServerError,
    502: exc.BadGatewayError,
    503: exc.ServiceUnavailableError,
    504: exc.Timeout,
    529: exc.ServiceUnavailableError,
}


def error_class_for_status(status: int) -> type[exc.APIError]:
    """The exception class for an HTTP status (before any refinement from the body)."""
    cls = _STATUS_CLASS.get(status)
    if cls is not None:
        return cls
    if 500 <= status <= 599:
        return exc.InternalServerError
    if 400 <= status <= 499:
        return exc.BadRequestError
    return exc.APIError


# Error ``type`` / ``code`` / Google ``status`` values -> class, for errors without an HTTP status
# (mid-stream) or whose status is not specific. Keys are lower-case.
_KIND_CLASS: dict[str, type[exc.APIError]] = {
    "server_error": exc.InternalServerError,
    "api_error": exc.InternalServerError,
    "internal_error": exc.InternalServerError,
    "internal_server_error": exc.InternalServerError,
    "internal": exc.InternalServerError,
    "internalserverexception": exc.InternalServerError,
    "rate_limit_error": exc.RateLimitError,
    "rate_limit_exceeded": exc.RateLimitError,
    "insufficient_quota": exc.RateLimitError,
    "requests": exc.RateLimitError,
    "tokens": exc.RateLimitError,
    "resource_exhausted": exc.RateLimitError,
    "throttlingexception": exc.RateLimitError,
    "overloaded_error": exc.ServiceUnavailableError,
    "overloaded": exc.ServiceUnavailableError,
    "service_unavailable": exc.ServiceUnavailableError,
    "unavailable": exc.ServiceUnavailableError,
    "serviceunavailableexception": exc.ServiceUnavailableError,
    "invalid_request_error": exc.BadRequestError,
    "invalid_argument": exc.BadRequestError,
    "failed_precondition": exc.BadRequestError,
    "request_too_large": exc.BadRequestError,
    "validationexception": exc.BadRequestError,
    "authentication_error": exc.AuthenticationError,
    "invalid_api_key": exc.AuthenticationError,
    "unauthenticated": exc.AuthenticationError,
    "permission_error": exc.PermissionDeniedError,
    "permission_denied": exc.PermissionDeniedError,
    "accessdeniedexception": exc.PermissionDeniedError,
    "not_found_error": exc.NotFoundError,
    "not_found": exc.NotFoundError,
    "model_not_found": exc.NotFoundError,
    "resourcenotfoundexception": exc.NotFoundError,
    "timeout_error": exc.Timeout,
    "timeout": exc.Timeout,
    "deadline_exceeded": exc.Timeout,
    "modeltimeoutexception": exc.Timeout,
    "context_length_exceeded": exc.ContextWindowExceededError,
    "content_filter": exc.ContentPolicyViolationError,
    "content_policy_violation": exc.ContentPolicyViolationError,
}

_CONTEXT_CODES = frozenset({"context_length_exceeded", "context_window_exceeded", "string_above_max_length"})
_CONTEXT_PHRASES = (
    "maximum context length",
    "context length exceeded",
    "context_length_exceeded",
    "prompt is too long",
    "too many tokens",
    "exceeds the context window",
    "exceeds the context length",
    "exceeds the maximum context",
    "input is too long",
    "reduce the length of the messages",
    "maximum number of tokens allowed",
    "context window exceeded",
)
_CONTENT_CODES = frozenset({"content_filter", "content_policy_violation", "responsibleaipolicyviolation"})
_CONTENT_PHRASES = (
    "safety system",
    "content management policy",
    "content_policy_violation",
    "content policy violation",
    "responsibleaipolicyviolation",
)
_GEMINI_SAFETY_FINISH = frozenset({"SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "IMAGE_SAFETY"})
_AUTH_PHRASES = (
    "api key not valid",
    "invalid api key",
    "incorrect api key",
    "unregistered callers",
    "security token included in the request is invalid",
    "request signature we calculated does not match",
)
_AUTH_REASONS = frozenset({"API_KEY_INVALID", "API_KEY_EXPIRED", "ACCESS_TOKEN_EXPIRED", "CREDENTIALS_MISSING"})
_AWS_AUTH_TYPES = frozenset(
    {
        "invalidsignatureexception",
        "unrecognizedclientexception",
        "incompletesignatureexception",
        "missingauthenticationtokenexception",
        "expiredtokenexception",
    }
)
_REQUEST_ID_HEADERS = ("x-request-id", "request-id", "apim-request-id", "x-amzn-requestid", "cf-ray")


class ErrorInfo:
    """What could be read from an error body: message, type, code, param and extra details."""

    __slots__ = ("message", "type", "code", "param", "inner", "details", "request_id", "block")

    def __init__(self) -> None:
        self.message: str = ""
        self.type: str | None = None
        self.code: object = None
        self.param: object = None
        self.inner: dict[str, Any] | None = None  # Azure innererror
        self.details: list[Any] | None = None  # Google details[]
        self.request_id: str | None = None
        self.block: dict[str, Any] | None = None  # Gemini promptFeedback / safety finish


def _truncate(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    text = text.strip()
    if len(text) <= limit:
        return text
    # masked before it is cut: a key cut in two would no longer be recognised (and half of it
    # would show)
    text = redact(text)
    if len(text) <= limit:
        return text
    return text[: limit - 3].rstrip() + "..."


def _html_to_text(html: str) -> str:
    import re

    title = re.search(r"<title[^>]*>(.*?)</title>", html, re.IGNORECASE | re.DOTALL)
    body = re.sub(r"<(script|style|head)[^>]*>.*?</\1>", " ", html, flags=re.IGNORECASE | re.DOTALL)
    body = re.sub(r"<[^>]+>", " ", body)
    body = " ".join(body.split())
    if title:
        heading = " ".join(title.group(1).split())
        if heading and not body.startswith(heading):
            body = f"{heading}: {body}" if body else heading
    import html as _html

    return _html.unescape(body)


def _join_detail(detail: list[Any]) -> str:
    """FastAPI / pydantic validation list -> "body.messages: Field required; ..."."""
    parts = []
    for item in detail:
        if isinstance(item, dict):
            loc = item.get("loc")
            msg = item.get("msg") or item.get("message") or ""
            where = ".".join(str(p) for p in loc) if isinstance(loc, (list, tuple)) else (str(loc) if loc else "")
            parts.append(f"{where}: {msg}" if where else str(msg))
        else:
            parts.append(str(item))
    return "; ".join(p for p in parts if p)


def _text_of(value: object) -> str:
    """A message field that may be a string, a validation list, or a nested object."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return _join_detail(value)
    if isinstance(value, dict):
        for key in ("message", "msg", "detail", "error"):
            if key in value:
                text = _text_of(value[key])
                if text:
                    return text
    try:
        from .jsonutil import dumps

        return dumps(value).decode("utf-8", errors="replace")
    except Exception:
        return str(value)


def _from_error_object(info: ErrorInfo, err: dict[str, Any]) -> None:
    info.message = _text_of(err.get("message") or err.get("msg") or err.get("detail") or "")
    info.type = err.get("type") if isinstance(err.get("type"), str) else None
    info.code = err.get("code")
    info.param = err.get("param")
    inner = err.get("innererror") or err.get("inner_error")
    if isinstance(inner, dict):
        info.inner = inner
    details = err.get("details")
    if isinstance(details, list):
        info.details = details
    status = err.get("status")
    if isinstance(status, str) and status:  # Google: {"code": 429, "status": "RESOURCE_EXHAUSTED"}
        info.type = info.type or status
        reason = _google_reason(details)
        info.code = reason
    metadata = err.get("metadata")  # OpenRouter: the upstream provider's text in metadata.raw
    if isinstance(metadata, dict) and isinstance(metadata.get("raw"), str) and metadata["raw"]:
        raw = metadata["raw"]
        info.message = f"{info.message} - {raw}" if info.message and raw not in info.message else raw


def _google_reason(details: object) -> str | None:
    if not isinstance(details, list):
        return None
    for item in details:
        if isinstance(item, dict) and str(item.get("@type", "")).endswith("google.rpc.ErrorInfo"):
            reason = item.get("reason")
            return reason if isinstance(reason, str) else None
    return None


def _google_retry_delay(details: object) -> float | None:
    """``RetryInfo.retryDelay`` ("34s", "1.5s") from a Google error, in seconds."""
    if not isinstance(details, list):
        return None
    for item in details:
        if isinstance(item, dict) and str(item.get("@type", "")).endswith("google.rpc.RetryInfo"):
            delay = item.get("retryDelay")
            if isinstance(delay, str) and delay.endswith("s"):
                try:
                    seconds = float(delay[:-1])
                except ValueError:
                    return None
                return seconds if seconds >= 0 else None
            if isinstance(delay, dict):  # {"seconds": 34, "nanos": 0}
                try:
                    return float(delay.get("seconds", 0)) + float(delay.get("nanos", 0)) / 1e9
                except (TypeError, ValueError):
                    return None
    return None


def extract_error(body: object, text: str = "") -> ErrorInfo:
    """Read message / type / code / param from a parsed error body (or from raw text)."""
    info = ErrorInfo()
    if isinstance(body, list) and body and isinstance(body[0], dict):
        body = body[0]  # Google sometimes wraps the error in a list
    if isinstance(body, dict):
        rid = body.get("request_id") or body.get("requestId")
        if isinstance(rid, str):
            info.request_id = rid
        err = body.get("error")
        if isinstance(err, dict):
            _from_error_object(info, err)
        elif isinstance(err, str) and err:
            info.message = err
            kind = body.get("error_type") or body.get("type")
            info.type = kind if isinstance(kind, str) else None
            info.code = body.get("code")
        elif isinstance(err, list) and err:
            info.message = _text_of(err)
        if not info.message:
            for key in ("message", "Message", "detail", "errors", "msg", "error_message"):
                value = body.get(key)
                if value:
                    info.message = _text_of(value)  # also Mistral's wrapped {"message": {"detail": [...]}}
                    break
            kind = body.get("type")
            if info.type is None and isinstance(kind, str) and kind != "error":
                info.type = kind
            if info.code is None:
                info.code = body.get("code")
            if info.param is None:
                info.param = body.get("param")
        feedback = body.get("promptFeedback")
        if isinstance(feedback, dict) and (feedback.get("blockReason") or feedback.get("blockReasonMessage")):
            info.block = {"promptFeedback": feedback}
            if not info.message:
                reason = feedback.get("blockReason") or "unspecified"
                info.message = feedback.get("blockReasonMessage") or f"Prompt blocked: {reason}"
        candidates = body.get("candidates")
        if info.block is None and isinstance(candidates, list):
            for cand in candidates:
                if isinstance(cand, dict) and cand.get("finishReason") in _GEMINI_SAFETY_FINISH:
                    info.block = {"finishReason": cand["finishReason"], "safetyRatings": cand.get("safetyRatings")}
                    if not info.message:
                        info.message = f"Response blocked: finish reason {cand['finishReason']}"
                    break
        if not info.message:
            info.message = _text_of(body)
    elif body is not None and not isinstance(body, (dict, list)):
        info.message = str(body)
    elif body is not None:
        info.message = _text_of(body)
    if not info.message and text:
        stripped = text.lstrip()
        if stripped[:1] == "<":
            info.message = _html_to_text(text)
        else:
            info.message = text
    info.message = _truncate(info.message)
    return info


def _parse_body(response: object) -> tuple[object, str]:
    content = getattr(response, "content", b"") or b""
    if isinstance(content, str):
        text = content
    else:
        try:
            text = bytes(content).decode("utf-8", errors="replace")
        except Exception:
            text = ""
    stripped = text.strip()
    if stripped[:1] in ("{", "["):
        try:
            from .jsonutil import loads

            return loads(stripped), text
        except Exception:
            pass
    return None, text


def _lower(value: object) -> str:
    return value.lower() if isinstance(value, str) else ""


def _is_context_error(info: ErrorInfo, message: str) -> bool:
    if _lower(info.code) in _CONTEXT_CODES or _lower(info.type) in _CONTEXT_CODES:
        return True
    lowered = message.lower()
    return any(phrase in lowered for phrase in _CONTEXT_PHRASES)


def _content_fields(info: ErrorInfo, message: str) -> dict[str, Any] | None:
    """provider_specific_fields when the error is a content-policy block, else None."""
    inner = info.inner
    inner_code = _lower(inner.get("code")) if inner else ""
    if (
        _lower(info.code) in _CONTENT_CODES
        or _lower(info.type) in _CONTENT_CODES
        or inner_code in _CONTENT_CODES
        or info.block is not None
    ):
        if inner:
            return {"innererror": inner}
        return dict(info.block) if info.block else {}
    lowered = message.lower()
    if any(phrase in lowered for phrase in _CONTENT_PHRASES):
        return {"innererror": inner} if inner else {}
    return None


def _is_auth_error(info: ErrorInfo, message: str, aws_type: str) -> bool:
    if aws_type in _AWS_AUTH_TYPES:
        return True
    if _google_reason(info.details) in _AUTH_REASONS:
        return True
    if _lower(info.type) == "unauthenticated":
        return True
    lowered = message.lower()
    return any(phrase in lowered for phrase in _AUTH_PHRASES)


def _classify(status: int, info: ErrorInfo, message: str, aws_type: str) -> tuple[type[exc.APIError], dict[str, Any]]:
    """The exception class for ``status`` refined by the body, plus extra constructor keywords."""
    cls = error_class_for_status(status)
    extra: dict[str, Any] = {}
    if status not in (401, 408, 429) and not (status == 403 and aws_type in _AWS_AUTH_TYPES):
        fields = _content_fields(info, message)
        if fields is not None:
            return exc.ContentPolicyViolationError, {"provider_specific_fields": fields or None}
    if status not in (401, 403, 408, 429) and _is_context_error(info, message):
        return exc.ContextWindowExceededError, extra
    if status in (400, 403) and _is_auth_error(info, message, aws_type):
        return exc.AuthenticationError, extra
    if aws_type == "throttlingexception" or (aws_type == "modelnotreadyexception" and status == 429):
        return exc.RateLimitError, extra
    if status in (400, 404) and _lower(info.code) in ("model_not_found", "deploymentnotfound"):
        return exc.NotFoundError, extra
    if cls is not exc.ServiceUnavailableError and status >= 500 and _lower(info.type) == "overloaded_error":
        return exc.ServiceUnavailableError, extra
    return cls, extra


def _request_id(headers: object, info: ErrorInfo) -> str | None:
    if info.request_id:
        return info.request_id
    for name in _REQUEST_ID_HEADERS:
        value = exc._header_get(headers, name)
        if value:
            return str(value)
    return None


def _build(
    cls: type[exc.APIError],
    *,
    status: int,
    message: str,
    info: ErrorInfo,
    llm_provider: str | None,
    model: str | None,
    response: object = None,
    retry_after: float | None = None,
    request_id: str | None = None,
    extra: dict[str, Any] | None = None,
) -> exc.APIError:
    kwargs: dict[str, Any] = dict(
        message=message,
        llm_provider=llm_provider,
        model=model,
        response=response,
        code=info.code if info.code is None or isinstance(info.code, str) else str(info.code),
        type=info.type,
        param=info.param,
        retry_after=retry_after,
        request_id=request_id,
    )
    if extra:
        kwargs.update(extra)
    if cls is exc.APIError:
        return exc.APIError(status_code=status, **kwargs)
    return cls(**kwargs)


def exception_from_response(
    response: object,
    *,
    llm_provider: str,
    model: str,
    message: str | None = None,
) -> exc.APIError:
    """The litegate exception for a provider's error response.

    The class comes from the HTTP status, refined by the body: context-length errors become
    :class:`ContextWindowExceededError` and content-filter blocks
    :class:`ContentPolicyViolationError` whatever the status (except 401/408/429), invalid-key
    errors sent as 400/403 become :class:`AuthenticationError`. ``message`` replaces the text
    read from the body. ``status_code`` is the class's (litellm) status; the provider's own status
    stays on ``e.response.status_code``.
    """
    try:
        status = int(getattr(response, "status_code", 0) or 0)
    except (TypeError, ValueError):
        status = 0
    headers = getattr(response, "headers", None)
    body, text = _parse_body(response)
    info = extract_error(body, text)
    if message:
        text_message = _truncate(str(message), 2000)
    else:
        text_message = info.message or _status_text(status)
    aws_type = ""
    raw_type = exc._header_get(headers, "x-amzn-errortype")
    if isinstance(raw_type, str) and raw_type:  # Bedrock: "ThrottlingException:http://..."
        aws_name = raw_type.split(":", 1)[0].strip()
        aws_type = aws_name.lower()
        if info.type is None:
            info.type = aws_name
    cls, extra = _classify(status, info, info.message or text_message, aws_type)
    retry_after = exc.parse_retry_after(headers)
    if retry_after is None:
        retry_after = _google_retry_delay(info.details)
    return _build(
        cls,
        status=status if status >= 400 else 500,  # a 2xx/3xx handed in as an error: unexpected
        message=text_message,
        info=info,
        llm_provider=llm_provider,
        model=model,
        response=response,
        retry_after=retry_after,
        request_id=_request_id(headers, info),
        extra=extra,
    )


def _status_text(status: int) -> str:
    try:
        from http import HTTPStatus

        phrase = HTTPStatus(status).phrase
    except Exception:
        phrase = {529: "Overloaded"}.get(status, "Error")
    return f"HTTP {status} {phrase}" if status else "Unknown error"


def mid_stream_error(payload: dict[str, Any], *, llm_provider: str, model: str) -> exc.APIError:
    """The exception for an error object received inside an SSE stream.

    Accepts OpenAI's ``{"error": {...}}``, Anthropic's ``{"type": "error", "error": {...}}``,
    Google's ``{"error": {"code", "message", "status"}}`` or the bare error object. The class comes
    from the error's ``code`` / ``type`` / ``status`` (e.g. ``server_error`` -> InternalServerError,
    ``overloaded_error`` -> ServiceUnavailableError); unknown errors are an ``APIError`` with
    status 500.
    """
    try:
        if isinstance(payload, dict) and "error" in payload:
            body: object = payload
        elif isinstance(payload, dict):
            body = {"error": payload}
        else:
            body = payload
        info = extract_error(body, "" if isinstance(payload, dict) else redact(payload))
    except Exception:  # pragma: no cover - defensive: a malformed payload must still raise cleanly
        info = ErrorInfo()
        info.message = "Error in the response stream"
    message = info.message or "Error in the response stream"

    cls: type[exc.APIError] | None = None
    for key in (info.code, info.type):
        cls = _KIND_CLASS.get(_lower(key))
        if cls is not None:
            break
    status = 500
    if cls is None:
        raw_code = None
        err = body.get("error") if isinstance(body, dict) else None
        if isinstance(err, dict):
            raw_code = err.get("code")
        try:
            numeric = int(raw_code) if raw_code is not None else 0
        except (TypeError, ValueError):
            numeric = 0
        if numeric in _STATUS_CLASS:
            cls = _STATUS_CLASS[numeric]
            status = numeric
    extra: dict[str, Any] = {}
    fields = _content_fields(info, message)
    if fields is not None and cls not in (exc.RateLimitError, exc.AuthenticationError):
        cls, extra = exc.ContentPolicyViolationError, {"provider_specific_fields": fields or None}
    elif cls not in (exc.RateLimitError, exc.AuthenticationError, exc.PermissionDeniedError) and _is_context_error(
        info, message
    ):
        cls = exc.ContextWindowExceededError
    if cls is None:
        cls = exc.APIError
    return _build(
        cls,
        status=status,
        message=message,
        info=info,
        llm_provider=llm_provider,
        model=model,
        retry_after=_google_retry_delay(info.details),
        request_id=info.request_id,
        extra=extra,
    )


from .retry import is_retryable  # noqa: E402 - the one definition lives with the retry policy
