"""The litegate exception hierarchy; names and constructors follow ``litellm.exceptions``.

::

    LiteLLMException
    ├── APIError                          (provider errors; status_code 500 unless given)
    │   ├── AuthenticationError           401
    │   ├── PermissionDeniedError         403
    │   ├── BadRequestError               400
    │   │   ├── ContextWindowExceededError
    │   │   ├── InvalidRequestError
    │   │   ├── ContentPolicyViolationError
    │   │   ├── JSONSchemaValidationError
    │   │   ├── UnsupportedParamsError
    │   │   └── RejectedRequestError
    │   ├── RateLimitError                429
    │   ├── NotFoundError                 404
    │   ├── ConflictError                 409
    │   ├── UnprocessableEntityError      422
    │   ├── InternalServerError           500
    │   ├── BadGatewayError               502
    │   ├── ServiceUnavailableError       503
    │   ├── APIConnectionError            500 (no HTTP response)
    │   ├── Timeout (= APITimeoutError)   408
    │   └── APIResponseValidationError    500
    ├── BudgetExceededError               (client-side budget)
    └── MockException                     (raised by ``mock_response``)

Every exception can be built from its message alone (``RateLimitError("slow down")``) or with
litellm's arguments, positionally or by keyword. Every instance carries ``status_code``,
``message``, ``llm_provider``, ``model``, ``response``, ``headers``, ``retry_after``,
``litellm_debug_info``, ``num_retries``, ``max_retries``, ``code``, ``type``, ``param``,
``request`` and ``request_id``.

Security: the message, debug info and error fields pass through
:func:`litegate.core.redact.redact` when the exception is built, response headers are masked,
request headers are never kept, and a pickled exception carries a masked copy of the response.

Importing this module needs only the standard library.
"""

from __future__ import annotations

from .core.redact import redact, redact_headers

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only; typing is not imported at run time
    from typing import Any

__all__ = [
    "LiteLLMException",
    "APIError",
    "OpenAIError",
    "AuthenticationError",
    "PermissionDeniedError",
    "BadRequestError",
    "ContextWindowExceededError",
    "InvalidRequestError",
    "ContentPolicyViolationError",
    "JSONSchemaValidationError",
    "UnsupportedParamsError",
    "RejectedRequestError",
    "RateLimitError",
    "NotFoundError",
    "ConflictError",
    "UnprocessableEntityError",
    "InternalServerError",
    "BadGatewayError",
    "ServiceUnavailableError",
    "APIConnectionError",
    "Timeout",
    "APITimeoutError",
    "APIResponseValidationError",
    "BudgetExceededError",
    "MockException",
    "InputValidationError",
    "InputTypeError",
    "NotFoundException",
    "LITELLM_EXCEPTION_TYPES",
    "provider_display_name",
    "parse_retry_after",
    "parse_context_tokens",
]

_PACKAGE = "litegate"

# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------

_DISPLAY_NAMES = {
    "openai": "OpenAI",
    "text-completion-openai": "OpenAI",
    "azure": "Azure",
    "azure-openai": "Azure",
    "azure_openai": "Azure",
    "azure_text": "Azure",
    "azure_ai": "AzureAI",
    "anthropic": "Anthropic",
    "gemini": "Gemini",
    "vertex_ai": "VertexAI",
    "vertex_ai_beta": "VertexAI",
    "bedrock": "Bedrock",
    "sagemaker": "Sagemaker",
    "mistral": "Mistral",
    "codestral": "Mistral",
    "groq": "Groq",
    "cohere": "Cohere",
    "cohere_chat": "Cohere",
    "ollama": "Ollama",
    "ollama_chat": "Ollama",
    "xai": "XAI",
    "deepseek": "DeepSeek",
    "openrouter": "OpenRouter",
    "together_ai": "TogetherAI",
    "fireworks_ai": "FireworksAI",
    "huggingface": "HuggingFace",
    "deepinfra": "DeepInfra",
    "perplexity": "Perplexity",
    "vllm": "VLLM",
    "hosted_vllm": "HostedVLLM",
    "lm_studio": "LMStudio",
    "nvidia_nim": "NvidiaNim",
    "sambanova": "SambaNova",
    "jina_ai": "JinaAI",
    "voyage": "Voyage",
    "replicate": "Replicate",
    "cerebras": "Cerebras",
    "litellm_proxy": "LiteLLMProxy",
}



def provider_display_name(llm_provider: str) -> str:
    """``"openai"`` -> ``"OpenAI"``, ``"together_ai"`` -> ``"TogetherAI"`` (used in ``str(e)``)."""
    name = _DISPLAY_NAMES.get(llm_provider.lower())
    if name is not None:
        return name
    parts = llm_provider.replace("-", "_").replace("/", "_").replace(".", "_").replace(" ", "_").split("_")
    parts = [p for p in parts if p]
    return "".join(p.upper() if p.lower() in ("ai", "llm", "api") else p[:1].upper() + p[1:] for p in parts)


def _header_get(headers: Any, name: str) -> Any:
    if not headers:
        return None
    try:
        value = headers.get(name)
        if value is not None:
            return value
        for key, value in headers.items():
            if isinstance(key, str) and key.lower() == name:
                return value
    except Exception:
        return None
    return None


def _seconds(value: Any) -> float | None:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    if seconds != seconds or seconds < 0 or seconds == float("inf"):  # NaN, negative, inf
        return None
    return seconds


def parse_retry_after(headers: Any) -> float | None:
    """Seconds to wait, from ``retry-after-ms`` or ``retry-after`` (a number or an HTTP date).

    ``x-ratelimit-reset-*`` headers describe a window reset, not a retry delay: they are ignored.
    """
    value = _header_get(headers, "retry-after-ms")
    if value is not None:
        ms = _seconds(value)
        if ms is not None:
            return ms / 1000.0
    value = _header_get(headers, "retry-after")
    if value is None:
        return None
    seconds = _seconds(value)
    if seconds is not None:
        return seconds
    try:
        import time
        from email.utils import parsedate_to_datetime

        when = parsedate_to_datetime(str(value))
        return max(0.0, when.timestamp() - time.time())
    except Exception:
        return None


def _as_headers(headers: Any) -> Any:
    """Case-insensitive copy of ``headers`` with sensitive values masked."""
    from .core.http import Headers

    return Headers(redact_headers(headers))


def _empty_headers() -> Any:
    from .core.http import Headers

    return Headers()


class RequestInfo:
    """What an exception keeps of the request: method and (masked) URL, never headers or body."""

    __slots__ = ("method", "url")

    def __init__(self, method: str | None = None, url: str | None = None):
        self.method = method
        self.url = url

    @property
    def headers(self) -> dict:
        return {}

    def __reduce__(self) -> Any:
        return (RequestInfo, (self.method, self.url))

    def __repr__(self) -> str:
        return f"RequestInfo(method={self.method!r}, url={self.url!r})"


def _request_info(request: Any) -> RequestInfo | None:
    if request is None:
        return None
    if isinstance(request, RequestInfo):
        return request
    try:
        method = getattr(request, "method", None)
        url = getattr(request, "url", None)
    except Exception:
        return None
    if method is None and url is None:
        return None
    return RequestInfo(
        redact(method) if method is not None else None,
        redact(str(url)) if url is not None else None,
    )


def _clean(value: Any) -> Any:
    """Redact strings; keep other scalars (provider codes can be ints)."""
    if value is None or isinstance(value, (int, float, bool)):
        return value
    return redact(value if isinstance(value, str) else str(value))


def _sanitize_data(value: Any, depth: int = 0) -> Any:
    """Copy of request data with credentials masked (for ``RejectedRequestError.request_data``)."""
    if depth > 8:
        return "****"
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            lowered = str(key).lower()
            if lowered in _SECRET_FIELDS or "api_key" in lowered or "secret" in lowered or lowered.endswith("token"):
                out[key] = "****" if item is not None else None
            elif lowered in ("headers", "extra_headers"):
                out[key] = redact_headers(item) if isinstance(item, dict) else None
            else:
                out[key] = _sanitize_data(item, depth + 1)
        return out
    if isinstance(value, (list, tuple)):
        return [_sanitize_data(item, depth + 1) for item in value]
    return value


_SECRET_FIELDS = frozenset(
    {"api_key", "azure_ad_token", "aws_secret_access_key", "aws_session_token", "password", "authorization"}
)


def _response_parts(response: Any) -> tuple | None:
    """``(status_code, headers, content, url)`` of ``response`` with headers and body masked.

    Plain values, so a pickled exception needs neither the response class nor any protocol
    feature; ``_restore`` rebuilds an ``HttpResponse`` from them.
    """
    if response is None:
        return None
    try:
        content = getattr(response, "content", b"")
        if isinstance(content, str):
            text = content
        else:
            text = bytes(content or b"").decode("utf-8", errors="replace")
        return (
            int(getattr(response, "status_code", 0) or 0),
            redact_headers(getattr(response, "headers", None)),
            redact(text).encode("utf-8"),
            redact(str(getattr(response, "url", "") or "")),
        )
    except Exception:
        return None


def _restore(cls: type, state: dict, response: tuple | None = None) -> "LiteLLMException":
    """Rebuild an exception from ``__reduce__`` without calling ``__init__``."""
    obj = cls.__new__(cls)
    headers = state.get("headers")
    state["headers"] = _as_headers(headers) if headers else _empty_headers()
    if response is not None:
        from .core.http import Headers, HttpResponse

        status_code, response_headers, content, url = response
        state["response"] = HttpResponse(status_code, Headers(response_headers), content, url)
    else:
        state["response"] = None
    obj.__dict__.update(state)
    obj.args = (state.get("message", ""),)
    return obj


_CONTEXT_SOURCES = (
    # OpenAI: "maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens"
    (r"maximum context length is\s*(\d[\d,]*)\s*tokens.*?(?:resulted in|requested)\s*(\d[\d,]*)\s*tokens", "max", "input"),
    # Anthropic: "prompt is too long: 215000 tokens > 200000 maximum"
    (r"prompt is too long:\s*(\d[\d,]*)\s*tokens\s*>\s*(\d[\d,]*)", "input", "max"),
    # Gemini: "The input token count (1234567) exceeds the maximum number of tokens allowed (1048576)"
    (r"input token count\s*\(?(\d[\d,]*)\)?.*?maximum number of tokens allowed\s*\(?(\d[\d,]*)", "input", "max"),
    # Mistral: "Prompt contains 40000 tokens ... too large for model with 32768 maximum context length"
    (r"contains\s*(\d[\d,]*)\s*tokens.*?with\s*(\d[\d,]*)\s*maximum context length", "input", "max"),
    # only the limit is stated
    (r"maximum context length is\s*(\d[\d,]*)", "max", None),
)
_context_patterns: list = []  # compiled on first use


def parse_context_tokens(message: str) -> tuple[int | None, int | None]:
    """``(input_tokens, max_tokens)`` from a context-length error message, None where unknown."""
    if not message:
        return None, None
    if not _context_patterns:
        import re

        _context_patterns[:] = [
            (re.compile(src, re.IGNORECASE | re.DOTALL), first, second) for src, first, second in _CONTEXT_SOURCES
        ]
    for pattern, first, second in _context_patterns:
        match = pattern.search(message)
        if match is None:
            continue
        values = {"input": None, "max": None}
        values[first] = int(match.group(1).replace(",", ""))
        if second is not None:
            values[second] = int(match.group(2).replace(",", ""))
        return values["input"], values["max"]
    return None, None


# --------------------------------------------------------------------------------------------
# base class
# --------------------------------------------------------------------------------------------


class LiteLLMException(Exception):
    """Base of every litegate exception."""

    status_code: int = 500
    _default_message = "LiteLLM error"

    def _setup(
        self,
        message: Any = None,
        llm_provider: Any = None,
        model: Any = None,
        response: Any = None,
        litellm_debug_info: Any = None,
        max_retries: Any = None,
        num_retries: Any = None,
        *,
        request: Any = None,
        headers: Any = None,
        retry_after: Any = None,
        code: Any = None,
        type: Any = None,  # noqa: A002 - litellm / OpenAI attribute name
        param: Any = None,
        status_code: Any = None,
        body: Any = None,
        request_id: Any = None,
    ) -> None:
        if message is None or message == "":
            message = self._default_message
        elif not isinstance(message, str):
            message = str(message)
        self.message: str = redact(message)
        try:
            self.status_code = int(status_code) if status_code is not None else self.__class__.status_code
        except (TypeError, ValueError):
            self.status_code = self.__class__.status_code
        self.llm_provider: str | None = _clean(llm_provider) if llm_provider else None
        self.model: str | None = _clean(model) if model else None
        self.litellm_debug_info: str | None = redact(litellm_debug_info) if litellm_debug_info is not None else None
        self.max_retries = max_retries
        self.num_retries = num_retries
        self.response = response
        self.request = _request_info(request)
        if isinstance(body, dict) and (code is None and type is None and param is None):
            err = body.get("error", body)
            if isinstance(err, dict):
                code, type, param = err.get("code"), err.get("type"), err.get("param")
        self.code = _clean(code)
        self.type = _clean(type)
        self.param = _clean(param)
        self.request_id = _clean(request_id)
        if headers is None and response is not None:
            headers = getattr(response, "headers", None)
        self.headers = _as_headers(headers) if headers else _empty_headers()
        seconds = _seconds(retry_after) if retry_after is not None else None
        self.retry_after: float | None = seconds if seconds is not None else parse_retry_after(self.headers)
        Exception.__init__(self, self.message)

    def __init__(
        self,
        message: Any = None,
        llm_provider: Any = None,
        model: Any = None,
        response: Any = None,
        litellm_debug_info: Any = None,
        max_retries: Any = None,
        num_retries: Any = None,
        **kwargs: Any,
    ) -> None:
        self._setup(message, llm_provider, model, response, litellm_debug_info, max_retries, num_retries, **kwargs)

    # ----------------------------------------------------------------------------------------

    @property
    def body(self) -> Any:
        """The provider's parsed JSON error body, or None."""
        response = self.response
        if response is None:
            return None
        try:
            return response.json()
        except Exception:
            return None

    def __str__(self) -> str:
        message = self.message
        if not (message.startswith(_PACKAGE + ".") or message.startswith("litellm.")):
            if self.llm_provider:
                prefix = provider_display_name(self.llm_provider) + "Exception - "
                if not message.startswith(prefix):
                    message = prefix + message
            message = f"{_PACKAGE}.{self.__class__.__name__}: {message}"
        if self.num_retries:
            message += f" Retried: {self.num_retries} times"
            if self.max_retries:
                message += f", max retries: {self.max_retries}"
        return message

    def __repr__(self) -> str:
        fields = [f"message={self.message!r}"]
        if self.llm_provider:
            fields.append(f"llm_provider={self.llm_provider!r}")
        if self.model:
            fields.append(f"model={self.model!r}")
        fields.append(f"status_code={self.status_code!r}")
        return f"{self.__class__.__name__}({', '.join(fields)})"

    def __reduce__(self) -> Any:
        state = dict(self.__dict__)
        response = _response_parts(state.pop("response", None))
        state["headers"] = dict(state.get("headers") or {})
        return (_restore, (self.__class__, state, response))


# --------------------------------------------------------------------------------------------
# provider errors
# --------------------------------------------------------------------------------------------


class APIError(LiteLLMException):
    """A provider returned an error (base of all provider errors).

    ``APIError(status_code, message, llm_provider, model, request=None, response=None, ...)``
    as in litellm; ``APIError("message")`` also works.
    """

    status_code = 500
    _default_message = "API error"

    def __init__(
        self,
        status_code: Any = None,
        message: Any = None,
        llm_provider: Any = None,
        model: Any = None,
        request: Any = None,
        response: Any = None,
        litellm_debug_info: Any = None,
        max_retries: Any = None,
        num_retries: Any = None,
        **kwargs: Any,
    ) -> None:
        if status_code is not None and not isinstance(status_code, int):
            if isinstance(status_code, str) and status_code.isdigit() and message is not None:
                status_code = int(status_code)
            else:  # message first: APIError("boom", "openai", "gpt-4o")
                status_code, message, llm_provider, model, request = (
                    None, status_code, message, llm_provider, model,
                )
        self._setup(
            message, llm_provider, model, response, litellm_debug_info, max_retries, num_retries,
            request=request, status_code=status_code, **kwargs,
        )


OpenAIError = APIError


class AuthenticationError(APIError):
    """401: invalid or missing API key / credentials.

    ``AuthenticationError(message, llm_provider=None, model=None, response=None,
    litellm_debug_info=None, max_retries=None, num_retries=None)``
    """

    status_code = 401
    _default_message = "Authentication failed"

    def __init__(self, message: Any = None, llm_provider: Any = None, model: Any = None, response: Any = None,
                 litellm_debug_info: Any = None, max_retries: Any = None, num_retries: Any = None,
                 **kwargs: Any) -> None:
        self._setup(message, llm_provider, model, response, litellm_debug_info, max_retries, num_retries, **kwargs)


class PermissionDeniedError(APIError):
    """403: the credentials are valid but may not use this model or action.

    ``PermissionDeniedError(message, llm_provider=None, model=None, response=None, ...)``
    """

    status_code = 403
    _default_message = "Permission denied"

    def __init__(self, message: Any = None, llm_provider: Any = None, model: Any = None, response: Any = None,
                 litellm_debug_info: Any = None, max_retries: Any = None, num_retries: Any = None,
                 **kwargs: Any) -> None:
        self._setup(message, llm_provider, model, response, litellm_debug_info, max_retries, num_retries, **kwargs)


class BadRequestError(APIError):
    """400: malformed request or invalid parameters.

    Positional order is litellm's: ``BadRequestError(message, model=None, llm_provider=None,
    response=None, litellm_debug_info=None, max_retries=None, num_retries=None, body=None)``.
    """

    status_code = 400
    _default_message = "Bad request"

    def __init__(self, message: Any = None, model: Any = None, llm_provider: Any = None, response: Any = None,
                 litellm_debug_info: Any = None, max_retries: Any = None, num_retries: Any = None,
                 body: Any = None, **kwargs: Any) -> None:
        self._setup(message, llm_provider, model, response, litellm_debug_info, max_retries, num_retries,
                    body=body, **kwargs)


class InvalidRequestError(BadRequestError):
    """400: the request's structure or parameters are invalid.

    ``InvalidRequestError(message, model=None, llm_provider=None, response=None, ...)``
    """

    _default_message = "Invalid request"


class ContextWindowExceededError(BadRequestError):
    """400: the prompt does not fit the model's context window.

    ``ContextWindowExceededError(message, model=None, llm_provider=None, response=None,
    litellm_debug_info=None, *, input_tokens=None, max_tokens=None)``; when not given, the token
    counts are read from the message where the provider states them.
    """

    _default_message = "Context window exceeded"

    def __init__(self, message: Any = None, model: Any = None, llm_provider: Any = None, response: Any = None,
                 litellm_debug_info: Any = None, max_retries: Any = None, num_retries: Any = None,
                 body: Any = None, *, input_tokens: int | None = None, max_tokens: int | None = None,
                 **kwargs: Any) -> None:
        self._setup(message, llm_provider, model, response, litellm_debug_info, max_retries, num_retries,
                    body=body, **kwargs)
        if input_tokens is None or max_tokens is None:
            parsed_input, parsed_max = parse_context_tokens(self.message)
            input_tokens = parsed_input if input_tokens is None else input_tokens
            max_tokens = parsed_max if max_tokens is None else max_tokens
        self.input_tokens: int | None = input_tokens
        self.max_tokens: int | None = max_tokens


class ContentPolicyViolationError(BadRequestError):
    """400: the input or output was blocked by the provider's safety / content filters.

    ``ContentPolicyViolationError(message, model=None, llm_provider=None, response=None,
    litellm_debug_info=None, provider_specific_fields=None)``; ``provider_specific_fields`` holds
    details such as Azure's ``{"innererror": {"code": ..., "content_filter_result": {...}}}``.
    """

    _default_message = "Content policy violation"

    def __init__(self, message: Any = None, model: Any = None, llm_provider: Any = None, response: Any = None,
                 litellm_debug_info: Any = None, provider_specific_fields: dict | None = None,
                 max_retries: Any = None, num_retries: Any = None, body: Any = None, **kwargs: Any) -> None:
        self._setup(message, llm_provider, model, response, litellm_debug_info, max_retries, num_retries,
                    body=body, **kwargs)
        self.provider_specific_fields: dict | None = provider_specific_fields


class JSONSchemaValidationError(BadRequestError):
    """400: a structured output or tool arguments did not match the JSON schema.

    ``JSONSchemaValidationError(message=None, model=None, llm_provider=None, raw_response=None,
    schema=None, ...)``. Unlike litellm (``(model, llm_provider, raw_response, schema)``) the message
    comes first, like every other exception here; pass the rest by keyword.
    """

    _default_message = "JSON schema validation failed"

    def __init__(self, message: Any = None, model: Any = None, llm_provider: Any = None,
                 raw_response: Any = None, schema: Any = None, response: Any = None,
                 litellm_debug_info: Any = None, max_retries: Any = None, num_retries: Any = None,
                 **kwargs: Any) -> None:
        if message is None and (raw_response is not None or schema is not None):
            message = (f"model={model}, returned an invalid response={raw_response}, for schema={schema}. "
                       "Access the raw response with `e.raw_response`")
        self._setup(message, llm_provider, model, response, litellm_debug_info, max_retries, num_retries, **kwargs)
        self.raw_response = redact(raw_response) if isinstance(raw_response, str) else raw_response
        self.schema = schema


class UnsupportedParamsError(BadRequestError):
    """400: a parameter the provider does not support was passed and ``drop_params`` is off.

    ``UnsupportedParamsError(message, llm_provider=None, model=None, status_code=400,
    response=None, litellm_debug_info=None, max_retries=None, num_retries=None)`` (litellm's order).
    """

    _default_message = "Unsupported parameters"

    def __init__(self, message: Any = None, llm_provider: Any = None, model: Any = None, status_code: Any = 400,
                 response: Any = None, litellm_debug_info: Any = None, max_retries: Any = None,
                 num_retries: Any = None, **kwargs: Any) -> None:
        self._setup(message, llm_provider, model, response, litellm_debug_info, max_retries, num_retries,
                    status_code=status_code, **kwargs)


class RejectedRequestError(BadRequestError):
    """400: a pre-call hook or guardrail rejected the request before it was sent.

    ``RejectedRequestError(message, model=None, llm_provider=None, request_data=None,
    litellm_debug_info=None)``. ``request_data`` is kept with credentials masked.
    """

    _default_message = "Request rejected"

    def __init__(self, message: Any = None, model: Any = None, llm_provider: Any = None,
                 request_data: dict | None = None, litellm_debug_info: Any = None, response: Any = None,
                 max_retries: Any = None, num_retries: Any = None, **kwargs: Any) -> None:
        self._setup(message, llm_provider, model, response, litellm_debug_info, max_retries, num_retries, **kwargs)
        self.request_data: dict = _sanitize_data(request_data) if request_data else {}


class RateLimitError(APIError):
    """429: rate limit or quota exceeded (``code == "insufficient_quota"`` means out of credit).

    ``RateLimitError(message, llm_provider=None, model=None, response=None, litellm_debug_info=None,
    max_retries=None, num_retries=None)``; ``retry_after`` holds the provider's suggested wait.
    """

    status_code = 429
    _default_message = "Rate limit exceeded"

    def __init__(self, message: Any = None, llm_provider: Any = None, model: Any = None, response: Any = None,
                 litellm_debug_info: Any = None, max_retries: Any = None, num_retries: Any = None,
                 **kwargs: Any) -> None:
        self._setup(message, llm_provider, model, response, litellm_debug_info, max_retries, num_retries, **kwargs)


class NotFoundError(APIError):
    """404: unknown model, deployment or resource.

    ``NotFoundError(message, model=None, llm_provider=None, response=None, ...)`` (litellm's order).
    """

    status_code = 404
    _default_message = "Not found"

    def __init__(self, message: Any = None, model: Any = None, llm_provider: Any = None, response: Any = None,
                 litellm_debug_info: Any = None, max_retries: Any = None, num_retries: Any = None,
                 **kwargs: Any) -> None:
        self._setup(message, llm_provider, model, response, litellm_debug_info, max_retries, num_retries, **kwargs)


class ConflictError(APIError):
    """409: the resource is in a conflicting state (e.g. it already exists).

    ``ConflictError(message, llm_provider=None, model=None, response=None, ...)``
    """

    status_code = 409
    _default_message = "Conflict"

    def __init__(self, message: Any = None, llm_provider: Any = None, model: Any = None, response: Any = None,
                 litellm_debug_info: Any = None, max_retries: Any = None, num_retries: Any = None,
                 **kwargs: Any) -> None:
        self._setup(message, llm_provider, model, response, litellm_debug_info, max_retries, num_retries, **kwargs)


class UnprocessableEntityError(APIError):
    """422: the request was understood but cannot be processed (e.g. validation errors).

    ``UnprocessableEntityError(message, model=None, llm_provider=None, response=None, ...)``
    (litellm's order).
    """

    status_code = 422
    _default_message = "Unprocessable entity"

    def __init__(self, message: Any = None, model: Any = None, llm_provider: Any = None, response: Any = None,
                 litellm_debug_info: Any = None, max_retries: Any = None, num_retries: Any = None,
                 **kwargs: Any) -> None:
        self._setup(message, llm_provider, model, response, litellm_debug_info, max_retries, num_retries, **kwargs)


class InternalServerError(APIError):
    """500 (and other 5xx): the provider failed.

    ``InternalServerError(message, llm_provider=None, model=None, response=None, ...)``
    """

    status_code = 500
    _default_message = "Internal server error"

    def __init__(self, message: Any = None, llm_provider: Any = None, model: Any = None, response: Any = None,
                 litellm_debug_info: Any = None, max_retries: Any = None, num_retries: Any = None,
                 **kwargs: Any) -> None:
        self._setup(message, llm_provider, model, response, litellm_debug_info, max_retries, num_retries, **kwargs)


class BadGatewayError(APIError):
    """502: a gateway in front of the provider failed.

    ``BadGatewayError(message, llm_provider=None, model=None, response=None, ...)``
    """

    status_code = 502
    _default_message = "Bad gateway"

    def __init__(self, message: Any = None, llm_provider: Any = None, model: Any = None, response: Any = None,
                 litellm_debug_info: Any = None, max_retries: Any = None, num_retries: Any = None,
                 **kwargs: Any) -> None:
        self._setup(message, llm_provider, model, response, litellm_debug_info, max_retries, num_retries, **kwargs)


class ServiceUnavailableError(APIError):
    """503 (and Anthropic's 529 "overloaded"): the provider is overloaded or down.

    ``ServiceUnavailableError(message, llm_provider=None, model=None, response=None, ...)``
    """

    status_code = 503
    _default_message = "Service unavailable"

    def __init__(self, message: Any = None, llm_provider: Any = None, model: Any = None, response: Any = None,
                 litellm_debug_info: Any = None, max_retries: Any = None, num_retries: Any = None,
                 **kwargs: Any) -> None:
        self._setup(message, llm_provider, model, response, litellm_debug_info, max_retries, num_retries, **kwargs)


class APIConnectionError(APIError):
    """No usable HTTP response: DNS, TLS, refused or reset connection, proxy trouble.

    ``APIConnectionError(message, llm_provider=None, model=None, request=None,
    litellm_debug_info=None, max_retries=None, num_retries=None)``; ``status_code`` is 500.
    """

    status_code = 500
    _default_message = "Connection error"

    def __init__(self, message: Any = None, llm_provider: Any = None, model: Any = None, request: Any = None,
                 litellm_debug_info: Any = None, max_retries: Any = None, num_retries: Any = None,
                 **kwargs: Any) -> None:
        response = kwargs.pop("response", None)
        self._setup(message, llm_provider, model, response, litellm_debug_info, max_retries, num_retries,
                    request=request, **kwargs)


class Timeout(APIError):
    """408 (and 504): the request or the stream timed out.

    ``Timeout(message, model=None, llm_provider=None, litellm_debug_info=None, max_retries=None,
    num_retries=None, headers=None, exception_status_code=None)`` (litellm's order);
    ``exception_status_code`` overrides ``status_code``.
    """

    status_code = 408
    _default_message = "Request timed out"

    def __init__(self, message: Any = None, model: Any = None, llm_provider: Any = None,
                 litellm_debug_info: Any = None, max_retries: Any = None, num_retries: Any = None,
                 headers: Any = None, exception_status_code: Any = None, **kwargs: Any) -> None:
        response = kwargs.pop("response", None)
        if exception_status_code is not None and "status_code" not in kwargs:
            kwargs["status_code"] = exception_status_code
        self._setup(message, llm_provider, model, response, litellm_debug_info, max_retries, num_retries,
                    headers=headers, **kwargs)


APITimeoutError = Timeout


class APIResponseValidationError(APIError):
    """The provider answered, but the response could not be parsed or validated.

    ``APIResponseValidationError(message, llm_provider=None, model=None, litellm_debug_info=None,
    max_retries=None, num_retries=None)``
    """

    status_code = 500
    _default_message = "Invalid response from the provider"

    def __init__(self, message: Any = None, llm_provider: Any = None, model: Any = None,
                 litellm_debug_info: Any = None, max_retries: Any = None, num_retries: Any = None,
                 **kwargs: Any) -> None:
        response = kwargs.pop("response", None)
        self._setup(message, llm_provider, model, response, litellm_debug_info, max_retries, num_retries, **kwargs)


# --------------------------------------------------------------------------------------------
# client-side errors
# --------------------------------------------------------------------------------------------


class BudgetExceededError(LiteLLMException):
    """The client-side budget (``litellm.max_budget`` / ``BudgetManager``) is used up.

    ``BudgetExceededError(current_cost, max_budget, message=None)``; the default message is
    ``"Budget has been exceeded! Current cost: X, Max budget: Y"``.
    """

    status_code = 400
    _default_message = "Budget has been exceeded!"

    def __init__(self, current_cost: Any = None, max_budget: Any = None, message: Any = None,
                 **kwargs: Any) -> None:
        if isinstance(current_cost, str) and message is None and max_budget is None:
            message, current_cost = current_cost, None  # BudgetExceededError("message")
        if message is None and (current_cost is not None or max_budget is not None):
            message = f"Budget has been exceeded! Current cost: {current_cost}, Max budget: {max_budget}"
        self._setup(message, **kwargs)
        self.current_cost = current_cost
        self.max_budget = max_budget


class MockException(LiteLLMException):
    """Raised by ``mock_response`` to simulate a provider error.

    ``MockException(status_code, message, llm_provider, model, request=None, ...)`` as in litellm;
    ``MockException("message")`` also works (status 500).
    """

    status_code = 500
    _default_message = "Mock exception"

    def __init__(self, status_code: Any = None, message: Any = None, llm_provider: Any = None, model: Any = None,
                 request: Any = None, litellm_debug_info: Any = None, max_retries: Any = None,
                 num_retries: Any = None, **kwargs: Any) -> None:
        if status_code is not None and not isinstance(status_code, int):
            if isinstance(status_code, str) and status_code.isdigit() and message is not None:
                status_code = int(status_code)
            else:
                status_code, message, llm_provider, model, request = (
                    None, status_code, message, llm_provider, model,
                )
        response = kwargs.pop("response", None)
        self._setup(message, llm_provider, model, response, litellm_debug_info, max_retries, num_retries,
                    request=request, status_code=status_code, **kwargs)


LITELLM_EXCEPTION_TYPES = (
    AuthenticationError,
    NotFoundError,
    BadRequestError,
    UnprocessableEntityError,
    Timeout,
    PermissionDeniedError,
    RateLimitError,
    ContextWindowExceededError,
    RejectedRequestError,
    ContentPolicyViolationError,
    InternalServerError,
    ServiceUnavailableError,
    BadGatewayError,
    APIError,
    APIConnectionError,
    APIResponseValidationError,
    ConflictError,
    InvalidRequestError,
    JSONSchemaValidationError,
    UnsupportedParamsError,
    BudgetExceededError,
    MockException,
)


class InputValidationError(InvalidRequestError, ValueError):
    """Raised before any network call when the caller's input is malformed.

    It is a ``BadRequestError`` (so litellm-style handlers catch it) and a ``ValueError``.
    """


class InputTypeError(InputValidationError, TypeError):
    """A parameter has the wrong type (e.g. ``temperature="hot"``); also a ``TypeError``."""


class NotFoundException(NotFoundError):
    """Raised by the cost functions when a model has no known prices (spec section 8).

    A ``NotFoundError`` (status 404) raised before any request; never a silent $0.
    """
