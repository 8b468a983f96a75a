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
``request`` and ``request_id``. Each class states its facts (status, default message, positional
order, extra fields) as class keywords; the one ``LiteLLMException.__init__`` builds them all.

Security: the message, debug info and error fields pass through
:func:`litegate.core.redact.redact` when the exception is built, response headers are masked,
request headers are never kept, ``e.response`` is a masked copy when its body, URL or headers
show a secret (a key echoed back in a 401 body, a ``user:password@`` URL), and a pickled
exception carries a masked copy of the response.

Importing this module needs only the standard library.
"""

from __future__ import annotations

from .core.redact import redact, redact_headers

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only; typing is not imported at run time
    from collections.abc import Callable
    from typing import Any

    from .core.http import Headers

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

# How exception texts name providers that are not in the provider registry (litellm's other
# spellings); registry providers are named by their ProviderSpec.display_name.
_DISPLAY_NAMES = {
    "azure-openai": "Azure",
    "azure_openai": "Azure",
    "azure_text": "Azure",
    "azure_ai": "AzureAI",
    "vertex_ai_beta": "VertexAI",
    "cohere_chat": "Cohere",
    "vllm": "VLLM",
    "jina_ai": "JinaAI",
    "litellm_proxy": "LiteLLMProxy",
}


def provider_display_name(llm_provider: str) -> str:
    """``"openai"`` -> ``"OpenAI"``, ``"together_ai"`` -> ``"TogetherAI"`` (used in ``str(e)``)."""
    key = llm_provider.lower()
    name = _DISPLAY_NAMES.get(key)
    if name is not None:
        return name
    from .providers.spec import SPECS

    spec = SPECS.get(key)
    if spec is not None and spec.display_name:
        return spec.display_name
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
    def headers(self) -> dict[str, str]:
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
        out: dict[Any, Any] = {}
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


def _response_parts(response: Any) -> tuple[int, dict[str, Any], bytes, str] | None:
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


def _mask_response(response: Any) -> Any:
    """``response`` itself when nothing in it needs masking, else a copy (an ``HttpResponse``)
    whose body, URL and headers are masked: a provider or proxy that echoes the key back in a
    401 body, or a ``user:password@`` base URL, must not show through ``e.response`` / ``e.body``."""
    if response is None:
        return None
    try:
        content = getattr(response, "content", b"")
        if isinstance(content, str):
            text = content
        else:
            text = bytes(content or b"").decode("utf-8", errors="replace")
        url = str(getattr(response, "url", "") or "")
        raw_headers = getattr(response, "headers", None)
        plain = {}
        if raw_headers:
            items = raw_headers.items() if hasattr(raw_headers, "items") else raw_headers
            for name, value in items:
                name = name.decode("latin-1") if isinstance(name, bytes) else str(name)
                plain[name] = value.decode("latin-1") if isinstance(value, bytes) else value
        status = int(getattr(response, "status_code", 0) or 0)
    except Exception:  # not readable (an unread stream): there is nothing of it to show
        return response
    masked_text, masked_url, masked_headers = redact(text), redact(url), redact_headers(plain)
    if masked_text == text and masked_url == url and masked_headers == plain:
        return response
    from .core.http import Headers, HttpResponse

    return HttpResponse(status, Headers(masked_headers), masked_text.encode("utf-8"), masked_url)


def _restore(
    cls: type[LiteLLMException], state: dict[str, Any], response: tuple[int, Any, bytes, str] | None = None
) -> LiteLLMException:
    """Rebuild an exception from ``__reduce__`` without calling ``__init__``."""
    obj = cls.__new__(cls)
    headers = state.get("headers")
    state["headers"] = _as_headers(headers) if headers else _empty_headers()
    if response is not None:
        from .core.http import Headers, HttpResponse

        status_code, response_headers, content, url = response
        state["_response"] = HttpResponse(status_code, Headers(response_headers), content, url)
    else:
        state["_response"] = None
    state.pop("response", None)
    obj.__dict__.update(state)
    obj.args = (state.get("message", ""),)
    return obj


_CONTEXT_SOURCES = (
    # OpenAI: "maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens"
    (
        r"maximum context length is\s*(\d[\d,]*)\s*tokens.*?(?:resulted in|requested)\s*(\d[\d,]*)\s*tokens",
        "max",
        "input",
    ),
    # Anthropic: "prompt is too long: 215000 tokens > 200000 maximum"
    (r"prompt is too long:\s*(\d[\d,]*)\s*tokens\s*>\s*(\d[\d,]*)", "input", "max"),
    # Gemini: "The input token count (1234567) exceeds the maximum number of tokens allowed (1048576)"
    (r"input token count\s*\(?(\d[\d,]*)\)?.*?maximum number of tokens allowed\s*\(?(\d[\d,]*)", "input", "max"),
    # Mistral: "Prompt contains 40000 tokens ... too large for model with 32768 maximum context length"
    (r"contains\s*(\d[\d,]*)\s*tokens.*?with\s*(\d[\d,]*)\s*maximum context length", "input", "max"),
    # only the limit is stated
    (r"maximum context length is\s*(\d[\d,]*)", "max", None),
)
_context_patterns: list[tuple[Any, str, str | None]] = []  # compiled on first use


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
        values: dict[str, int | None] = {"input": None, "max": None}
        values[first] = int(match.group(1).replace(",", ""))
        if second is not None:
            values[second] = int(match.group(2).replace(",", ""))
        return values["input"], values["max"]
    return None, None


# --------------------------------------------------------------------------------------------
# constructor table
# --------------------------------------------------------------------------------------------

# The keywords every exception accepts; the base ``__init__`` turns them into the attributes.
_COMMON_ARGS = (
    "message",
    "llm_provider",
    "model",
    "response",
    "litellm_debug_info",
    "max_retries",
    "num_retries",
    "request",
    "headers",
    "retry_after",
    "code",
    "type",
    "param",
    "status_code",
    "body",
    "request_id",
)

# Positional orders (litellm's); every argument not named in a class's order is keyword-only.
_RETRY_ARGS = ("litellm_debug_info", "max_retries", "num_retries")
_PROVIDER_FIRST = ("message", "llm_provider", "model", "response", *_RETRY_ARGS)
_MODEL_FIRST = ("message", "model", "llm_provider", "response", *_RETRY_ARGS)
_STATUS_FIRST = ("status_code", "message", "llm_provider", "model", "request")


def _status_or_message(args: dict[str, Any]) -> None:
    """``APIError(503, "down", ...)`` as in litellm, or the message first: ``APIError("down", ...)``."""
    status = args["status_code"]
    if status is None or isinstance(status, int):
        return
    if isinstance(status, str) and status.isdigit() and args["message"] is not None:
        args["status_code"] = int(status)
    else:  # every argument moves one place along the order
        moved = [args[name] for name in _STATUS_FIRST[:-1]]
        args.update(zip(_STATUS_FIRST, [None, *moved], strict=True))


def _cost_or_message(args: dict[str, Any]) -> None:
    """``BudgetExceededError("message")``: a lone string is the message, not the cost."""
    if isinstance(args["current_cost"], str) and args["message"] is None and args["max_budget"] is None:
        args["message"], args["current_cost"] = args["current_cost"], None


# How a message given in the first place is recognised, by the name of that place.
_MESSAGE_FIRST_RULES = {"status_code": _status_or_message, "current_cost": _cost_or_message}


# How an extra field is stored: ``store(exception, value)``, called once the message is set.
def _as_given(exc: Any, value: Any) -> Any:
    return value


def _masked(exc: Any, value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


def _masked_data(exc: Any, value: Any) -> dict[str, Any]:
    return _sanitize_data(value) if value else {}


def _from_message(index: int) -> Any:
    """The given token count, else the one the message states (``parse_context_tokens``)."""

    def store(exc: Any, value: Any) -> Any:
        return parse_context_tokens(exc.message)[index] if value is None else value

    return store


def _argument_names(cls: type[LiteLLMException]) -> dict[str, None]:
    """Every argument ``cls`` takes: the positional ones first, in order, then the keyword-only."""
    return dict.fromkeys((*cls._positional, *_COMMON_ARGS, *cls._fields, *cls._aliases))


class _Signature:
    """``inspect.signature(SomeError)``, made from the class's data when asked for."""

    def __get__(self, obj: Any, owner: type[LiteLLMException]) -> Any:
        import inspect

        kinds = inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY
        names = _argument_names(owner)
        return inspect.Signature(
            [inspect.Parameter(name, kinds[name not in owner._positional], default=None) for name in names]
        )


# The class keywords a subclass states its facts with -> the class attributes that keep them.
_FACTS = {
    "status_code": "status_code",
    "default_message": "_default_message",
    "positional": "_positional",
    "fields": "_fields",
    "message_format": "_message_format",
    "aliases": "_aliases",
}


# --------------------------------------------------------------------------------------------
# base class
# --------------------------------------------------------------------------------------------


class LiteLLMException(Exception):
    """Base of every litegate exception.

    A subclass states its facts as class keywords, kept as class attributes and read by the one
    ``__init__`` here:

    - ``status_code``: the status when no ``status_code`` argument is given;
    - ``default_message``: the message when none is given;
    - ``positional``: the names of the positional arguments, in litellm's order; every other
      argument (``_COMMON_ARGS``, ``fields``) is keyword-only. When the first one is
      ``status_code`` or ``current_cost``, the message may stand there instead
      (``_MESSAGE_FIRST_RULES``);
    - ``fields``: extra arguments kept as attributes, name -> ``store(exception, value)``;
    - ``message_format``: the message made from the arguments when none is given but one of
      ``fields`` is;
    - ``aliases``: another name for an argument, used when the argument itself is not given.
    """

    status_code: int = 500
    _default_message = "LiteLLM error"
    _positional: tuple[str, ...] = _PROVIDER_FIRST
    _fields: dict[str, Callable[[Any, Any], Any]] = {}
    _message_format: str | None = None
    _aliases: dict[str, str] = {}
    __signature__ = _Signature()

    # what every instance carries (set by __init__; see the module docstring)
    message: str
    llm_provider: str | None
    model: str | None
    litellm_debug_info: str | None
    max_retries: int | None
    num_retries: int | None
    request: RequestInfo | None
    code: str | int | None
    type: str | None
    param: str | None
    request_id: str | None
    headers: Headers
    retry_after: float | None

    def __init_subclass__(cls, **keywords: Any) -> None:
        super().__init_subclass__(**{key: value for key, value in keywords.items() if key not in _FACTS})
        for key, value in keywords.items():
            if key in _FACTS:
                setattr(cls, _FACTS[key], value)

    @classmethod
    def _arguments(cls, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        """Every argument by name (None where not given), bound as a Python signature would."""
        names = cls._positional
        if len(args) > len(names):
            raise TypeError(f"{cls.__name__}() takes at most {len(names)} positional arguments ({len(args)} given)")
        given, accepted = dict(zip(names, args, strict=False)), _argument_names(cls)
        for name, value in kwargs.items():
            if name in given:
                raise TypeError(f"{cls.__name__}() got multiple values for argument {name!r}")
            if name not in accepted:
                raise TypeError(f"{cls.__name__}() got an unexpected keyword argument {name!r}")
            given[name] = value
        for alias, name in cls._aliases.items():
            value = given.pop(alias, None)
            if value is not None and name not in given:
                given[name] = value
        out = dict.fromkeys(_COMMON_ARGS + tuple(cls._fields))
        out.update(given)
        rule = _MESSAGE_FIRST_RULES.get(names[0]) if names else None
        if rule is not None:
            rule(out)
        if out["message"] is None and cls._message_format and any(out[name] is not None for name in cls._fields):
            out["message"] = cls._message_format.format_map(out)
        return out

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        arg = self._arguments(args, kwargs)
        message = arg["message"]
        if message is None or message == "":
            message = self._default_message
        elif not isinstance(message, str):
            message = str(message)
        self.message = redact(message)
        status_code = arg["status_code"]
        try:
            self.status_code = int(status_code) if status_code is not None else self.__class__.status_code
        except (TypeError, ValueError):
            self.status_code = self.__class__.status_code
        self.llm_provider = _clean(arg["llm_provider"]) if arg["llm_provider"] else None
        self.model = _clean(arg["model"]) if arg["model"] else None
        debug_info = arg["litellm_debug_info"]
        self.litellm_debug_info = redact(debug_info) if debug_info is not None else None
        self.max_retries = arg["max_retries"]
        self.num_retries = arg["num_retries"]
        self.response = arg["response"]  # masked where it shows a secret
        response = self.response
        self.request = _request_info(arg["request"])
        code, kind, param, body = arg["code"], arg["type"], arg["param"], arg["body"]
        if isinstance(body, dict) and (code is None and kind is None and param is None):
            err = body.get("error", body)
            if isinstance(err, dict):
                code, kind, param = err.get("code"), err.get("type"), err.get("param")
        self.code = _clean(code)
        self.type = _clean(kind)
        self.param = _clean(param)
        self.request_id = _clean(arg["request_id"])
        headers = arg["headers"]
        if headers is None and response is not None:
            headers = getattr(response, "headers", None)
        self.headers = _as_headers(headers) if headers else _empty_headers()
        seconds = _seconds(arg["retry_after"]) if arg["retry_after"] is not None else None
        self.retry_after = seconds if seconds is not None else parse_retry_after(self.headers)
        Exception.__init__(self, self.message)
        for name, store in self._fields.items():
            setattr(self, name, store(self, arg[name]))

    # ----------------------------------------------------------------------------------------

    @property
    def response(self) -> Any:
        """The provider's HTTP response: the object given when nothing in it needs masking, else
        a copy with the registered secrets, keys and URL credentials masked in its body, URL
        and headers (also when set after the exception is built)."""
        return self.__dict__.get("_response")

    @response.setter
    def response(self, value: Any) -> None:
        self.__dict__["_response"] = _mask_response(value)

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
        response = _response_parts(state.pop("_response", None))
        state["headers"] = dict(state.get("headers") or {})
        return (_restore, (self.__class__, state, response))


# --------------------------------------------------------------------------------------------
# provider errors
# --------------------------------------------------------------------------------------------


class APIError(LiteLLMException, default_message="API error", positional=(*_STATUS_FIRST, "response", *_RETRY_ARGS)):
    """A provider returned an error (base of all provider errors); as in litellm, or ``APIError("message")``."""


OpenAIError = APIError


class AuthenticationError(
    APIError, status_code=401, default_message="Authentication failed", positional=_PROVIDER_FIRST
):
    """401: invalid or missing API key / credentials."""


class PermissionDeniedError(APIError, status_code=403, default_message="Permission denied", positional=_PROVIDER_FIRST):
    """403: the credentials are valid but may not use this model or action."""


class BadRequestError(APIError, status_code=400, default_message="Bad request", positional=(*_MODEL_FIRST, "body")):
    """400: malformed request or invalid parameters (litellm's order: the model before the provider)."""


class InvalidRequestError(BadRequestError, default_message="Invalid request"):
    """400: the request's structure or parameters are invalid."""


class ContextWindowExceededError(
    BadRequestError,
    default_message="Context window exceeded",
    fields={"input_tokens": _from_message(0), "max_tokens": _from_message(1)},
):
    """400: the prompt does not fit the model's context window.

    The token counts, when not given, are read from the message where the provider states them.
    """

    input_tokens: int | None
    max_tokens: int | None


class ContentPolicyViolationError(
    BadRequestError,
    default_message="Content policy violation",
    positional=(
        "message",
        "model",
        "llm_provider",
        "response",
        "litellm_debug_info",
        "provider_specific_fields",
        "max_retries",
        "num_retries",
        "body",
    ),
    fields={"provider_specific_fields": _as_given},
):
    """400: the input or output was blocked by the provider's safety / content filters.

    ``provider_specific_fields`` holds details such as Azure's
    ``{"innererror": {"code": ..., "content_filter_result": {...}}}``.
    """

    provider_specific_fields: dict[str, Any] | None


class JSONSchemaValidationError(
    BadRequestError,
    default_message="JSON schema validation failed",
    positional=("message", "model", "llm_provider", "raw_response", "schema", "response", *_RETRY_ARGS),
    fields={"raw_response": _masked, "schema": _as_given},
    message_format=(
        "model={model}, returned an invalid response={raw_response}, for schema={schema}. "
        "Access the raw response with `e.raw_response`"
    ),
):
    """400: a structured output or tool arguments did not match the JSON schema.

    Unlike litellm (``(model, llm_provider, raw_response, schema)``) the message comes first, like
    every other exception here; pass the rest by keyword.
    """

    raw_response: str | None
    schema: Any


class UnsupportedParamsError(
    BadRequestError,
    default_message="Unsupported parameters",
    positional=("message", "llm_provider", "model", "status_code", "response", *_RETRY_ARGS),
):
    """400: a parameter the provider does not support was passed and ``drop_params`` is off."""


class RejectedRequestError(
    BadRequestError,
    default_message="Request rejected",
    positional=(
        "message",
        "model",
        "llm_provider",
        "request_data",
        "litellm_debug_info",
        "response",
        "max_retries",
        "num_retries",
    ),
    fields={"request_data": _masked_data},
):
    """400: a pre-call hook or guardrail rejected the request before it was sent.

    ``request_data`` is kept with credentials masked.
    """

    request_data: dict[str, Any]


class RateLimitError(APIError, status_code=429, default_message="Rate limit exceeded", positional=_PROVIDER_FIRST):
    """429: rate limit or quota exceeded (``code == "insufficient_quota"`` means out of credit).

    ``retry_after`` holds the provider's suggested wait.
    """


class NotFoundError(APIError, status_code=404, default_message="Not found", positional=_MODEL_FIRST):
    """404: unknown model, deployment or resource."""


class ConflictError(APIError, status_code=409, default_message="Conflict", positional=_PROVIDER_FIRST):
    """409: the resource is in a conflicting state (e.g. it already exists)."""


class UnprocessableEntityError(
    APIError, status_code=422, default_message="Unprocessable entity", positional=_MODEL_FIRST
):
    """422: the request was understood but cannot be processed (e.g. validation errors)."""


class InternalServerError(APIError, default_message="Internal server error", positional=_PROVIDER_FIRST):
    """500 (and other 5xx): the provider failed."""


class BadGatewayError(APIError, status_code=502, default_message="Bad gateway", positional=_PROVIDER_FIRST):
    """502: a gateway in front of the provider failed."""


class ServiceUnavailableError(
    APIError, status_code=503, default_message="Service unavailable", positional=_PROVIDER_FIRST
):
    """503 (and Anthropic's 529 "overloaded"): the provider is overloaded or down."""


class APIConnectionError(
    APIError,
    default_message="Connection error",
    positional=("message", "llm_provider", "model", "request", *_RETRY_ARGS),
):
    """No usable HTTP response: DNS, TLS, refused or reset connection, proxy trouble (status 500)."""


class Timeout(
    APIError,
    status_code=408,
    default_message="Request timed out",
    positional=("message", "model", "llm_provider", *_RETRY_ARGS, "headers", "exception_status_code"),
    aliases={"exception_status_code": "status_code"},
):
    """408 (and 504): the request or the stream timed out; ``exception_status_code`` sets the status."""


APITimeoutError = Timeout


class APIResponseValidationError(
    APIError,
    default_message="Invalid response from the provider",
    positional=("message", "llm_provider", "model", *_RETRY_ARGS),
):
    """The provider answered, but the response could not be parsed or validated."""


# --------------------------------------------------------------------------------------------
# client-side errors
# --------------------------------------------------------------------------------------------


class BudgetExceededError(
    LiteLLMException,
    status_code=400,
    default_message="Budget has been exceeded!",
    positional=("current_cost", "max_budget", "message"),
    fields={"current_cost": _as_given, "max_budget": _as_given},
    message_format="Budget has been exceeded! Current cost: {current_cost}, Max budget: {max_budget}",
):
    """The client-side budget (``litellm.max_budget`` / ``BudgetManager``) is used up."""

    current_cost: float | None
    max_budget: float | None


class MockException(LiteLLMException, default_message="Mock exception", positional=(*_STATUS_FIRST, *_RETRY_ARGS)):
    """Raised by ``mock_response`` to simulate a provider error; as in litellm, or ``MockException("message")``."""


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
