"""Exceptions, provider error mapping, retry decisions and secret redaction.

The provider error bodies come from the shared reference collection (``../shared/reference``
next to the repository, or the folder named by ``LITEGATE_REFERENCE_DIR``); the tests that read
it are skipped when it is absent. Everything else is self-contained.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import time
from email.utils import formatdate
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import litegate.exceptions as E
from litegate.core.errors import (
    error_class_for_status,
    exception_from_response,
    is_retryable,
    mid_stream_error,
)
from litegate.core.http import Headers, HttpResponse
from litegate.core.redact import (
    clear_secrets,
    is_sensitive_header,
    redact,
    redact_headers,
    register_secret,
    unregister_secret,
)

REPO = Path(__file__).resolve().parents[1]
REFERENCE = Path(os.environ.get("LITEGATE_REFERENCE_DIR") or (REPO.parent / "shared" / "reference"))
needs_reference = pytest.mark.skipif(not REFERENCE.is_dir(), reason="reference collection not available")

ERROR_DIRS = ("openai", "azure-openai", "mistral", "anthropic", "cohere", "gemini", "ollama", "bedrock")


@pytest.fixture(autouse=True)
def _no_registered_secrets():
    clear_secrets()
    yield
    clear_secrets()


def make_response(status: int, body=None, headers=None, raw: bytes | None = None) -> HttpResponse:
    if raw is None:
        raw = b"" if body is None else json.dumps(body).encode()
    return HttpResponse(status_code=status, headers=Headers(headers or {}), content=raw)


# ============================================================================================
# Hierarchy and construction
# ============================================================================================

UNDER_API_ERROR = {
    E.AuthenticationError: 401,
    E.PermissionDeniedError: 403,
    E.BadRequestError: 400,
    E.RateLimitError: 429,
    E.NotFoundError: 404,
    E.ConflictError: 409,
    E.UnprocessableEntityError: 422,
    E.InternalServerError: 500,
    E.BadGatewayError: 502,
    E.ServiceUnavailableError: 503,
    E.APIConnectionError: 500,
    E.Timeout: 408,
    E.APIResponseValidationError: 500,
}
UNDER_BAD_REQUEST = (
    E.ContextWindowExceededError,
    E.InvalidRequestError,
    E.ContentPolicyViolationError,
    E.JSONSchemaValidationError,
    E.UnsupportedParamsError,
    E.RejectedRequestError,
)
ALL_CLASSES = (
    [E.LiteLLMException, E.APIError]
    + list(UNDER_API_ERROR)
    + list(UNDER_BAD_REQUEST)
    + [E.BudgetExceededError, E.MockException]
)


def test_hierarchy_follows_the_spec():
    assert issubclass(E.APIError, E.LiteLLMException)
    for cls in UNDER_API_ERROR:
        assert issubclass(cls, E.APIError), cls
        assert issubclass(cls, E.LiteLLMException), cls
    for cls in UNDER_BAD_REQUEST:
        assert issubclass(cls, E.BadRequestError), cls
        assert issubclass(cls, E.APIError), cls
    assert issubclass(E.BudgetExceededError, E.LiteLLMException)
    assert not issubclass(E.BudgetExceededError, E.APIError)
    assert issubclass(E.RejectedRequestError, E.LiteLLMException)
    assert issubclass(E.MockException, E.LiteLLMException)
    assert not issubclass(E.RateLimitError, E.BadRequestError)
    assert not issubclass(E.AuthenticationError, E.BadRequestError)
    assert E.APITimeoutError is E.Timeout
    assert E.OpenAIError is E.APIError
    for cls in ALL_CLASSES:
        assert issubclass(cls, Exception)


def test_public_names_and_package_attributes():
    import litegate as litellm

    for name in E.__all__:
        assert hasattr(E, name), name
    assert litellm.exceptions.RateLimitError is E.RateLimitError
    assert litellm.RateLimitError is E.RateLimitError
    assert litellm.APITimeoutError is E.Timeout
    assert set(E.LITELLM_EXCEPTION_TYPES) >= set(ALL_CLASSES) - {E.LiteLLMException}


@pytest.mark.parametrize("cls,status", sorted(UNDER_API_ERROR.items(), key=lambda kv: kv[0].__name__))
def test_class_status_codes(cls, status):
    assert cls("x").status_code == status
    assert cls.status_code == status


@pytest.mark.parametrize("cls", ALL_CLASSES, ids=lambda c: c.__name__)
def test_message_only_construction(cls):
    e = cls("Simulate failure")
    assert e.message == "Simulate failure"
    assert str(e) == f"litegate.{cls.__name__}: Simulate failure"
    assert e.args == ("Simulate failure",)
    assert e.llm_provider is None and e.model is None
    assert e.response is None and e.request is None
    assert e.retry_after is None
    assert dict(e.headers) == {}
    assert e.litellm_debug_info is None and e.num_retries is None and e.max_retries is None
    assert e.code is None and e.type is None and e.param is None
    assert isinstance(e.status_code, int)
    assert repr(e).startswith(f"{cls.__name__}(message='Simulate failure'")
    with pytest.raises(cls):
        raise e


@pytest.mark.parametrize("cls", ALL_CLASSES, ids=lambda c: c.__name__)
def test_no_argument_construction_has_a_message(cls):
    e = cls()
    assert e.message and str(e).startswith(f"litegate.{cls.__name__}: ")


def test_spec_examples():
    e = E.RateLimitError("Simulate failure")
    assert isinstance(e, E.APIError) and e.status_code == 429
    e = E.AuthenticationError("Wrapper test bad key.")
    assert str(e) == "litegate.AuthenticationError: Wrapper test bad key."


def test_litellm_keyword_form():
    resp = make_response(429, {"error": {"message": "slow down"}}, {"retry-after": "3"})
    e = E.RateLimitError(
        message="slow down",
        llm_provider="openai",
        model="gpt-4o",
        response=resp,
        litellm_debug_info="debug",
        max_retries=3,
        num_retries=2,
    )
    assert (e.message, e.llm_provider, e.model) == ("slow down", "openai", "gpt-4o")
    assert e.response is resp
    assert e.retry_after == 3.0
    assert e.headers["Retry-After"] == "3"
    assert e.litellm_debug_info == "debug"
    assert (e.max_retries, e.num_retries) == (3, 2)
    assert str(e) == "litegate.RateLimitError: OpenAIException - slow down Retried: 2 times, max retries: 3"


def test_litellm_positional_forms():
    e = E.APIError(500, "boom", "openai", "gpt-4o")
    assert (e.status_code, e.message, e.llm_provider, e.model) == (500, "boom", "openai", "gpt-4o")
    e = E.APIError(418, "teapot", "openai", "gpt-4o", request=None, response=None)
    assert e.status_code == 418
    e = E.APIError("boom")
    assert (e.status_code, e.message) == (500, "boom")
    e = E.APIError("boom", "anthropic", "claude")
    assert (e.message, e.llm_provider, e.model) == ("boom", "anthropic", "claude")
    e = E.APIError(status_code=503, message="down", llm_provider="groq", model="llama")
    assert e.status_code == 503 and str(e) == "litegate.APIError: GroqException - down"

    e = E.Timeout("timed out", "gpt-4o", "openai")
    assert (e.model, e.llm_provider, e.status_code) == ("gpt-4o", "openai", 408)
    e = E.Timeout("timed out", "m", "p", exception_status_code=504, headers={"retry-after": "1"})
    assert e.status_code == 504 and e.retry_after == 1.0

    e = E.APIConnectionError("refused", "openai", "gpt-4o")
    assert (e.llm_provider, e.model, e.status_code) == ("openai", "gpt-4o", 500)

    # the BadRequest family keeps litellm's positional order: message, model, llm_provider
    for cls in (
        E.BadRequestError,
        E.InvalidRequestError,
        E.ContextWindowExceededError,
        E.ContentPolicyViolationError,
        E.NotFoundError,
        E.UnprocessableEntityError,
    ):
        e = cls("bad", "gpt-4o", "openai")
        assert (e.model, e.llm_provider) == ("gpt-4o", "openai"), cls
    for cls in (
        E.AuthenticationError,
        E.PermissionDeniedError,
        E.RateLimitError,
        E.ConflictError,
        E.InternalServerError,
        E.BadGatewayError,
        E.ServiceUnavailableError,
        E.UnsupportedParamsError,
        E.APIResponseValidationError,
    ):
        e = cls("bad", "openai", "gpt-4o")
        assert (e.llm_provider, e.model) == ("openai", "gpt-4o"), cls

    e = E.MockException(429, "mocked", "openai", "gpt-4o")
    assert (e.status_code, e.message, e.llm_provider) == (429, "mocked", "openai")
    assert E.MockException("mocked").status_code == 500


def test_budget_exceeded_error():
    e = E.BudgetExceededError(current_cost=1.5, max_budget=1.0)
    assert e.message == "Budget has been exceeded! Current cost: 1.5, Max budget: 1.0"
    assert (e.current_cost, e.max_budget) == (1.5, 1.0)
    assert E.BudgetExceededError(2, 1, message="custom").message == "custom"
    assert E.BudgetExceededError("just a message").message == "just a message"
    assert isinstance(e, E.LiteLLMException) and not isinstance(e, E.APIError)


def test_rejected_request_error_masks_request_data():
    data = {
        "model": "gpt-4o",
        "api_key": "sk-live-0123456789abcdefghij",
        "messages": [{"role": "user", "content": "hello sk-proj-ABCDEFGHIJKLMNOP1234"}],
        "extra_headers": {"Authorization": "Bearer tok123456789", "x-trace": "1"},
    }
    e = E.RejectedRequestError("blocked by guardrail", "gpt-4o", "openai", data)
    assert e.status_code == 400 and isinstance(e, E.BadRequestError)
    assert e.request_data["model"] == "gpt-4o"
    assert e.request_data["api_key"] == "****"
    assert "ABCDEFGHIJKLMNOP1234" not in json.dumps(e.request_data)
    assert e.request_data["extra_headers"] == {"Authorization": "****", "x-trace": "1"}
    assert data["api_key"].startswith("sk-live")  # the caller's dict is not modified


def test_context_window_tokens():
    e = E.ContextWindowExceededError("prompt is too long: 215000 tokens > 200000 maximum", "claude", "anthropic")
    assert (e.input_tokens, e.max_tokens) == (215000, 200000)
    e = E.ContextWindowExceededError(
        "The input token count (1234567) exceeds the maximum number of tokens allowed (1048576)."
    )
    assert (e.input_tokens, e.max_tokens) == (1234567, 1048576)
    e = E.ContextWindowExceededError("too long", input_tokens=10, max_tokens=5)
    assert (e.input_tokens, e.max_tokens) == (10, 5)
    e = E.ContextWindowExceededError("too long")
    assert (e.input_tokens, e.max_tokens) == (None, None)


def test_other_extra_attributes():
    e = E.ContentPolicyViolationError("blocked", provider_specific_fields={"innererror": {"code": "x"}})
    assert e.provider_specific_fields == {"innererror": {"code": "x"}}
    assert E.ContentPolicyViolationError("blocked").provider_specific_fields is None
    e = E.JSONSchemaValidationError(model="m", llm_provider="openai", raw_response="{}", schema={"type": "object"})
    assert e.raw_response == "{}" and e.schema == {"type": "object"} and "invalid response" in e.message
    e = E.BadRequestError("bad", body={"error": {"code": "c", "type": "t", "param": "p"}})
    assert (e.code, e.type, e.param) == ("c", "t", "p")


def test_request_is_kept_without_headers():
    class FakeRequest:
        method = "POST"
        url = "https://generativelanguage.googleapis.com/v1beta/models/x:generateContent?key=AIzaSyDUMMYDUMMYDUMMYDUMMY123"
        headers = {"x-goog-api-key": "AIzaSyDUMMYDUMMYDUMMYDUMMY123"}

    e = E.APIConnectionError("refused", "gemini", "gemini-2.0-flash", request=FakeRequest())
    assert e.request.method == "POST"
    assert "AIzaSyDUMMY" not in e.request.url and e.request.url.endswith("key=****")
    assert e.request.headers == {}
    assert "AIzaSyDUMMY" not in pickle.dumps(e).decode("latin-1")


def test_provider_display_names():
    assert str(E.RateLimitError("x", "together_ai")) == "litegate.RateLimitError: TogetherAIException - x"
    assert str(E.RateLimitError("x", "anthropic")) == "litegate.RateLimitError: AnthropicException - x"
    assert str(E.RateLimitError("x", "some-new_provider")) == "litegate.RateLimitError: SomeNewProviderException - x"
    # an already formatted message is not prefixed twice
    assert str(E.RateLimitError("litellm.RateLimitError: x", "openai")) == "litellm.RateLimitError: x"


def test_subclasses_elsewhere_keep_working():
    from litegate.core.call import InputValidationError

    e = InputValidationError(message="bad", model="m", llm_provider=None)
    assert isinstance(e, E.BadRequestError) and isinstance(e, ValueError)
    e2 = pickle.loads(pickle.dumps(e))
    assert type(e2) is InputValidationError and e2.message == "bad"


# ============================================================================================
# Pickling
# ============================================================================================


@pytest.mark.parametrize("cls", ALL_CLASSES, ids=lambda c: c.__name__)
def test_pickle_roundtrip(cls):
    if cls in (E.APIError, E.MockException):
        e = cls(status_code=503, message="m", llm_provider="openai", model="gpt-4o")
    elif cls is E.BudgetExceededError:
        e = cls(3.0, 2.0)
    else:
        e = cls(message="m", llm_provider="openai", model="gpt-4o")
    for protocol in range(0, pickle.HIGHEST_PROTOCOL + 1):
        e2 = pickle.loads(pickle.dumps(e, protocol=protocol))
        assert type(e2) is cls
        assert (e2.message, e2.status_code, e2.llm_provider, e2.model) == (
            e.message,
            e.status_code,
            e.llm_provider,
            e.model,
        )
        assert str(e2) == str(e) and e2.args == e.args


def test_pickle_keeps_a_masked_response():
    key = "sk-proj-REALLOOKINGKEY1234567890abcdef"
    register_secret("my-registered-secret-value")
    resp = make_response(
        429,
        {"error": {"message": f"bad key {key} and my-registered-secret-value", "code": "rate_limit_exceeded"}},
        {"retry-after": "7", "set-cookie": "session=abcdef123456", "x-request-id": "req_1"},
    )
    e = exception_from_response(resp, llm_provider="openai", model="gpt-4o")
    blob = pickle.dumps(e)
    assert key.encode() not in blob and b"my-registered-secret-value" not in blob
    assert b"abcdef123456" not in blob
    e2 = pickle.loads(blob)
    assert type(e2) is E.RateLimitError
    assert e2.retry_after == 7.0 and e2.code == "rate_limit_exceeded" and e2.request_id == "req_1"
    assert e2.response.status_code == 429
    assert e2.response.json()["error"]["code"] == "rate_limit_exceeded"
    assert e2.headers["retry-after"] == "7"


def test_pickle_in_a_subprocess_boundary():
    e = E.ContextWindowExceededError("maximum context length is 10 tokens, resulted in 20 tokens", "m", "openai")
    e2 = pickle.loads(pickle.dumps(e))
    assert (e2.input_tokens, e2.max_tokens) == (20, 10)
    e = E.ContentPolicyViolationError("x", provider_specific_fields={"innererror": {"code": "y"}})
    assert pickle.loads(pickle.dumps(e)).provider_specific_fields == {"innererror": {"code": "y"}}


# ============================================================================================
# No key ever leaks
# ============================================================================================

LEAKY_KEYS = [
    "sk-proj-abcDEF123456ghiJKL789mnoPQR012stuVWX",
    "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcdef",
    "sk-abcdefghijklmnopqrstuvwxyz012345678901234567",
    "AIzaSyA-abcdefghijklmnopqrstuvwxyz12345",
    "gsk_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKL",
    "xai-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRST",
    "AKIAIOSFODNN7EXAMPLE",
]


def _surfaces(e: BaseException) -> list[str]:
    out = [str(e), repr(e), repr(e.args), e.message, str(e.litellm_debug_info), repr(dict(e.headers))]
    out.append(pickle.dumps(e).decode("latin-1"))
    out.append(pickle.dumps(e, protocol=0).decode("latin-1"))
    out.append(repr(vars(pickle.loads(pickle.dumps(e)))))
    return out


@pytest.mark.parametrize("key", LEAKY_KEYS)
def test_known_key_shapes_never_leak(key):
    e = E.AuthenticationError(
        message=f"Incorrect API key provided: {key}.",
        llm_provider="openai",
        model="gpt-4o",
        litellm_debug_info=f"api_key={key} headers={{'Authorization': 'Bearer {key}'}}",
    )
    for surface in _surfaces(e):
        assert key not in surface
    resp = make_response(
        401,
        {"error": {"message": f"Incorrect API key provided: {key}", "code": "invalid_api_key", "param": key}},
        {"x-api-key-echo": key, "www-authenticate": f"Bearer {key}"},
    )
    e = exception_from_response(resp, llm_provider="openai", model="gpt-4o")
    assert isinstance(e, E.AuthenticationError)
    for surface in _surfaces(e):
        assert key not in surface


def test_registered_secret_never_leaks():
    secret = "custom-proxy-secret-9f8e7d6c"
    register_secret(secret)
    e = E.BadRequestError(
        message=f"upstream said: key {secret} rejected",
        model="m",
        llm_provider="custom",
        litellm_debug_info=f"used {secret}",
    )
    for surface in _surfaces(e):
        assert secret not in surface
    assert "cus****" in e.message
    e = mid_stream_error({"error": {"message": f"bad {secret}", "type": "server_error"}}, llm_provider="x", model="m")
    for surface in _surfaces(e):
        assert secret not in surface


def test_response_headers_are_masked_on_the_exception():
    resp = make_response(
        400,
        {"error": {"message": "nope"}},
        {"x-api-key": "abc123456789", "set-cookie": "sid=topsecretcookie", "x-ratelimit-remaining-tokens": "9"},
    )
    e = exception_from_response(resp, llm_provider="anthropic", model="m")
    assert e.headers["x-api-key"] == "****"
    assert e.headers["set-cookie"] == "****"
    assert e.headers["X-RateLimit-Remaining-Tokens"] == "9"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    secret=st.text(
        alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", min_size=16, max_size=64
    ),
    before=st.text(max_size=40),
    after=st.text(max_size=40),
)
def test_hypothesis_exceptions_never_carry_a_registered_secret(secret, before, after):
    clear_secrets()
    # a "secret" that is part of the fixed text (class or attribute names) is not a leak
    plain = E.RateLimitError(message="x", llm_provider="openai", model="gpt-4o", litellm_debug_info="x")
    assume(all(secret not in surface for surface in _surfaces(plain)))
    register_secret(secret)
    e = E.RateLimitError(
        message=before + secret + after,
        llm_provider="openai",
        model="gpt-4o",
        litellm_debug_info=secret,
    )
    for surface in _surfaces(e):
        assert secret not in surface


# ============================================================================================
# Reference error bodies
# ============================================================================================

# relative path -> (class, status_code, text in message, retry_after, extra attribute checks)
REFERENCE_CASES = {
    "openai/errors/400_context_length_exceeded.json": (
        E.ContextWindowExceededError,
        400,
        "maximum context length is 128000 tokens",
        None,
        {
            "input_tokens": 130512,
            "max_tokens": 128000,
            "code": "context_length_exceeded",
            "type": "invalid_request_error",
            "param": "messages",
        },
    ),
    "openai/errors/400_invalid_parameter.json": (
        E.BadRequestError,
        400,
        "Unrecognized request argument supplied: foo",
        None,
        {"type": "invalid_request_error", "code": None, "param": None},
    ),
    "openai/errors/401_invalid_api_key.json": (
        E.AuthenticationError,
        401,
        "Incorrect API key provided",
        None,
        {"code": "invalid_api_key"},
    ),
    "openai/errors/429_insufficient_quota.json": (
        E.RateLimitError,
        429,
        "You exceeded your current quota",
        None,
        {"code": "insufficient_quota", "_retryable": False},
    ),
    "openai/errors/429_rate_limit_exceeded.json": (
        E.RateLimitError,
        429,
        "Rate limit reached for gpt-4o-mini",
        20.0,
        {"code": "rate_limit_exceeded", "_retryable": True},
    ),
    "azure-openai/errors/400_content_filter_prompt.json": (
        E.ContentPolicyViolationError,
        400,
        "content management policy",
        None,
        {"code": "content_filter", "param": "prompt", "_retryable": False},
    ),
    "azure-openai/errors/401_invalid_key.json": (
        E.AuthenticationError,
        401,
        "Access denied due to invalid subscription key",
        None,
        {"code": "401"},
    ),
    "azure-openai/errors/429_rate_limit.json": (
        E.RateLimitError,
        429,
        "have exceeded token rate limit",
        6.0,
        {"_retryable": True},
    ),
    "mistral/errors/401_unauthorized.json": (E.AuthenticationError, 401, "Unauthorized", None, {}),
    "mistral/errors/422_validation_error.json": (
        E.UnprocessableEntityError,
        422,
        "body.messages: Field required",
        None,
        {"_retryable": False},
    ),
    "mistral/errors/429_rate_limited.json": (
        E.RateLimitError,
        429,
        "Requests rate limit exceeded",
        None,
        {"_retryable": True},
    ),
    "anthropic/errors/400_invalid_request_error.json": (
        E.BadRequestError,
        400,
        'roles must alternate between "user" and "assistant"',
        None,
        {"type": "invalid_request_error", "request_id": "req_011CSHoEeqs5C35K2UUqR7Fy"},
    ),
    "anthropic/errors/400_invalid_request_error.recorded.json": (
        E.BadRequestError,
        400,
        "unexpected `tool_use_id` found in `tool_result` blocks",
        None,
        {"type": "invalid_request_error", "_retryable": False},
    ),
    "anthropic/errors/401_authentication_error.json": (
        E.AuthenticationError,
        401,
        "invalid x-api-key",
        None,
        {"type": "authentication_error"},
    ),
    "anthropic/errors/429_rate_limit_error.json": (
        E.RateLimitError,
        429,
        "would exceed the rate limit for your organization",
        15.0,
        {"type": "rate_limit_error", "_retryable": True},
    ),
    "anthropic/errors/429_rate_limit_error.recorded.json": (
        E.RateLimitError,
        429,
        "20,000,000 prompt bytes per hour",
        None,
        {"_retryable": True},
    ),
    "anthropic/errors/529_overloaded_error.json": (
        E.ServiceUnavailableError,
        503,
        "Overloaded",
        None,
        {"type": "overloaded_error", "_retryable": True, "_http_status": 529},
    ),
    "cohere/errors/400_bad_request.json": (
        E.BadRequestError,
        400,
        "invalid request: list of documents must not be empty",
        None,
        {},
    ),
    "cohere/errors/401_unauthorized.json": (E.AuthenticationError, 401, "invalid api token", None, {}),
    "cohere/errors/429_too_many_requests.json": (
        E.RateLimitError,
        429,
        "You are using a Trial key",
        None,
        {"_retryable": True},
    ),
    "gemini/errors/429_resource_exhausted_ai_studio.json": (
        E.RateLimitError,
        429,
        "You exceeded your current quota",
        34.0,
        {"type": "RESOURCE_EXHAUSTED", "_retryable": True},
    ),
    "ollama/errors/400_bad_request.json": (
        E.BadRequestError,
        400,
        "invalid character 'x' looking for beginning of value",
        None,
        {},
    ),
    "ollama/errors/404_model_not_found.json": (
        E.NotFoundError,
        404,
        'model "llama9" not found, try pulling it first',
        None,
        {"_retryable": False},
    ),
    "bedrock/errors/400_validation_exception.json": (
        E.BadRequestError,
        400,
        "roles must alternate",
        None,
        {"type": "ValidationException"},
    ),
    "bedrock/errors/403_access_denied.json": (
        E.PermissionDeniedError,
        403,
        "You don't have access to the model",
        None,
        {},
    ),
    "bedrock/errors/403_invalid_signature.json": (
        E.AuthenticationError,
        401,
        "The request signature we calculated does not match",
        None,
        {"_http_status": 403},
    ),
    "bedrock/errors/429_throttling_exception.json": (
        E.RateLimitError,
        429,
        "Too many requests, please wait",
        None,
        {"_retryable": True},
    ),
}

# Gemini / Vertex recorded bodies listed in gemini/errors/INDEX.json: key -> expectations
GEMINI_INDEX_CASES = {
    "400_api_key_invalid": (E.AuthenticationError, 401, "API key not valid", {"code": "API_KEY_INVALID"}),
    "403_api_not_enabled": (E.PermissionDeniedError, 403, "Generative Language API has not been used", {}),
    "404_unknown_model": (E.NotFoundError, 404, "models/gemini-5.0-flash is not found", {"type": "NOT_FOUND"}),
    "429_quota_exceeded_vertex": (
        E.RateLimitError,
        429,
        "Quota exceeded for quota metric",
        {"code": "RATE_LIMIT_EXCEEDED"},
    ),
    "403_permission_denied_vertex": (
        E.PermissionDeniedError,
        403,
        "Permission 'aiplatform.endpoints.predict' denied",
        {},
    ),
    # 200 responses with a safety block, handed in as errors
    "prompt_blocked_safety": (E.ContentPolicyViolationError, 400, "Message", {}),
    "finish_reason_safety": (E.ContentPolicyViolationError, 400, "SAFETY", {}),
}


def _load_reference(rel: str) -> dict:
    return json.loads((REFERENCE / rel).read_text(encoding="utf-8"))


def _reference_response(doc: dict) -> HttpResponse:
    return make_response(doc["status"], doc["body"], doc.get("headers"))


def _check(e, cls, status, text, retry_after, extra):
    assert type(e) is cls, (type(e), e)
    assert e.status_code == status
    assert text in e.message
    assert text in str(e)
    assert e.retry_after == retry_after
    for name, expected in extra.items():
        if name == "_retryable":
            assert is_retryable(e) is expected
        elif name == "_http_status":
            assert e.response.status_code == expected
        else:
            assert getattr(e, name) == expected, name


@needs_reference
def test_every_reference_error_file_has_a_case():
    found = set()
    for folder in ERROR_DIRS:
        for path in (REFERENCE / folder / "errors").glob("*.json"):
            if path.name == "INDEX.json":
                continue
            found.add(path.relative_to(REFERENCE).as_posix())
    assert found == set(REFERENCE_CASES), found ^ set(REFERENCE_CASES)
    index = _load_reference("gemini/errors/INDEX.json")
    mapped = {
        k for k in index if not k.startswith("_") and k not in ("status_to_http", "stream_error_midstream_vertex")
    }
    assert mapped == set(GEMINI_INDEX_CASES)


@needs_reference
@pytest.mark.parametrize("rel", sorted(REFERENCE_CASES))
def test_reference_error_file(rel):
    doc = _load_reference(rel)
    provider = rel.split("/")[0]
    e = exception_from_response(_reference_response(doc), llm_provider=provider, model="some-model")
    cls, status, text, retry_after, extra = REFERENCE_CASES[rel]
    _check(e, cls, status, text, retry_after, extra)
    assert str(e).startswith(f"litegate.{cls.__name__}: ")
    assert e.llm_provider == provider and e.model == "some-model"
    assert len(e.message) <= 500
    e2 = pickle.loads(pickle.dumps(e))
    assert type(e2) is cls and e2.message == e.message and e2.status_code == e.status_code


@needs_reference
def test_azure_content_filter_details():
    doc = _load_reference("azure-openai/errors/400_content_filter_prompt.json")
    e = exception_from_response(_reference_response(doc), llm_provider="azure", model="gpt-4o")
    inner = e.provider_specific_fields["innererror"]
    assert inner["code"] == "ResponsibleAIPolicyViolation"
    assert inner["content_filter_result"]["violence"] == {"filtered": True, "severity": "medium"}
    assert str(e).startswith("litegate.ContentPolicyViolationError: AzureException - ")


@needs_reference
@pytest.mark.parametrize("key", sorted(GEMINI_INDEX_CASES))
def test_gemini_recorded_errors(key):
    index = _load_reference("gemini/errors/INDEX.json")
    path = (REFERENCE / "gemini" / "errors" / index[key]).resolve()
    body = json.loads(path.read_text(encoding="utf-8"))
    status = int(key.split("_")[0]) if key[0].isdigit() else 200
    if isinstance(body.get("error"), dict):
        assert body["error"]["code"] == status
        assert index["status_to_http"][body["error"]["status"]] == status
    e = exception_from_response(make_response(status, body), llm_provider="gemini", model="gemini-2.0-flash")
    cls, code, text, extra = GEMINI_INDEX_CASES[key]
    _check(e, cls, code, text, None, extra)
    if cls is E.ContentPolicyViolationError:
        assert e.provider_specific_fields


@needs_reference
def test_gemini_api_key_debug_info_is_not_kept():
    path = REFERENCE / "gemini" / "mock-responses-firebase" / "vertexai" / "unary-failure-api-key.json"
    e = exception_from_response(make_response(400, raw=path.read_bytes()), llm_provider="vertex_ai", model="m")
    assert type(e) is E.AuthenticationError
    assert "AIzv00G7VmUCUeC" not in pickle.dumps(e).decode("latin-1")


@needs_reference
def test_html_error_page():
    path = (
        REFERENCE
        / "gemini"
        / "mock-responses-firebase"
        / "vertexai"
        / "unary-failure-invalid-location-url-not-found.html"
    )
    resp = make_response(404, raw=path.read_bytes(), headers={"content-type": "text/html"})
    e = exception_from_response(resp, llm_provider="vertex_ai", model="gemini-1.5-flash")
    assert type(e) is E.NotFoundError
    assert e.message.startswith("Error 404 (Not Found)")
    assert "was not found on this server" in e.message
    assert "<" not in e.message and "{margin" not in e.message
    assert len(e.message) <= 500


def _sse_payloads(text: str) -> list[dict]:
    out = []
    for line in text.splitlines():
        if line.startswith("data:"):
            out.append(json.loads(line[5:].strip()))
    return out


@needs_reference
def test_openai_mid_stream_error():
    payloads = _sse_payloads((REFERENCE / "openai/errors/stream_error_midstream.sse").read_text())
    error = next(p for p in payloads if "error" in p)
    e = mid_stream_error(error, llm_provider="openai", model="gpt-4o-mini")
    assert type(e) is E.InternalServerError and e.status_code == 500
    assert e.message == "The server had an error while processing your request. Sorry about that!"
    assert e.type == "server_error" and is_retryable(e)


@needs_reference
def test_anthropic_mid_stream_error_event():
    payloads = _sse_payloads((REFERENCE / "anthropic/errors/stream_error_event.sse").read_text())
    error = next(p for p in payloads if p.get("type") == "error")
    e = mid_stream_error(error, llm_provider="anthropic", model="claude-sonnet-4-5")
    assert type(e) is E.ServiceUnavailableError and e.status_code == 503
    assert e.message == "Overloaded" and is_retryable(e)
    assert str(e) == "litegate.ServiceUnavailableError: AnthropicException - Overloaded"


@needs_reference
def test_vertex_mid_stream_error():
    text = (REFERENCE / "gemini/mock-responses-firebase/vertexai/streaming-failure-error-mid-stream.txt").read_text()
    error = json.loads(text[text.index("\n{") + 1 :])
    e = mid_stream_error(error, llm_provider="vertex_ai", model="gemini-1.5-flash")
    assert type(e) is E.APIError and e.status_code == 500
    assert e.message == "The operation was cancelled." and e.type == "CANCELLED"


@needs_reference
def test_bedrock_in_stream_exception():
    doc = _load_reference("bedrock/examples/converse_stream_throttling_exception.decoded.json")
    frame = doc["frames"][-1]
    payload = dict(frame["payload"], type=frame["headers"][":exception-type"])
    e = mid_stream_error(payload, llm_provider="bedrock", model="anthropic.claude-3")
    assert type(e) is E.RateLimitError and "Too many requests" in e.message


# ============================================================================================
# Status mapping and body shapes (self-contained)
# ============================================================================================


@pytest.mark.parametrize(
    "status,cls",
    [
        (400, E.BadRequestError),
        (401, E.AuthenticationError),
        (403, E.PermissionDeniedError),
        (404, E.NotFoundError),
        (408, E.Timeout),
        (409, E.ConflictError),
        (413, E.BadRequestError),
        (418, E.BadRequestError),
        (422, E.UnprocessableEntityError),
        (429, E.RateLimitError),
        (500, E.InternalServerError),
        (501, E.InternalServerError),
        (502, E.BadGatewayError),
        (503, E.ServiceUnavailableError),
        (504, E.Timeout),
        (520, E.InternalServerError),
        (529, E.ServiceUnavailableError),
    ],
)
def test_status_mapping(status, cls):
    assert error_class_for_status(status) is cls
    e = exception_from_response(make_response(status, {"error": {"message": "m"}}), llm_provider="openai", model="x")
    assert type(e) is cls and e.message == "m" and e.response.status_code == status


def test_unexpected_status_is_a_plain_api_error():
    e = exception_from_response(make_response(302, {"message": "moved"}), llm_provider="openai", model="x")
    assert type(e) is E.APIError and e.status_code == 500 and e.message == "moved"


@pytest.mark.parametrize(
    "body,expected",
    [
        ({"error": "plain string error"}, "plain string error"),
        ({"message": "top-level message"}, "top-level message"),
        ({"Message": "aws style"}, "aws style"),
        ({"detail": "Not Found"}, "Not Found"),
        (
            {
                "detail": [
                    {"loc": ["body", "model"], "msg": "field required", "type": "missing"},
                    {"loc": ["query", "n"], "msg": "must be positive"},
                ]
            },
            "body.model: field required; query.n: must be positive",
        ),
        (
            {
                "object": "error",
                "message": {"detail": [{"loc": ["body", "messages"], "msg": "Field required"}]},
                "type": "invalid_request_error",
                "param": None,
                "code": None,
            },
            "body.messages: Field required",
        ),
        ([{"error": {"code": 400, "message": "list wrapped", "status": "INVALID_ARGUMENT"}}], "list wrapped"),
        (
            {
                "error": {
                    "message": "Provider returned error",
                    "code": 400,
                    "metadata": {"raw": "upstream detail", "provider_name": "X"},
                }
            },
            "Provider returned error - upstream detail",
        ),
        ({"error": {"message": "vllm style", "type": "BadRequestError", "param": None, "code": 400}}, "vllm style"),
        ({"unexpected": {"shape": 1}}, '{"unexpected":{"shape":1}}'),
    ],
)
def test_body_shapes(body, expected):
    e = exception_from_response(make_response(400, body), llm_provider="openai", model="x")
    assert isinstance(e, E.BadRequestError)
    assert e.message == expected


def test_non_json_text_is_truncated():
    e = exception_from_response(make_response(502, raw=b"upstream exploded " * 100), llm_provider="openai", model="x")
    assert type(e) is E.BadGatewayError
    assert e.message.startswith("upstream exploded") and len(e.message) <= 500 and e.message.endswith("...")


def test_empty_body_uses_the_status_text():
    e = exception_from_response(make_response(503, raw=b""), llm_provider="openai", model="x")
    assert e.message == "HTTP 503 Service Unavailable"
    e = exception_from_response(make_response(529, raw=b""), llm_provider="anthropic", model="x")
    assert type(e) is E.ServiceUnavailableError and "529" in e.message


def test_invalid_json_falls_back_to_text():
    e = exception_from_response(make_response(500, raw=b"{not json"), llm_provider="openai", model="x")
    assert type(e) is E.InternalServerError and e.message == "{not json"


def test_message_override():
    e = exception_from_response(
        make_response(
            400, {"error": {"message": "maximum context length is 10 tokens", "code": "context_length_exceeded"}}
        ),
        llm_provider="openai",
        model="x",
        message="custom text",
    )
    assert type(e) is E.ContextWindowExceededError and e.message == "custom text"


@pytest.mark.parametrize(
    "status,message",
    [
        (400, "prompt is too long: 215000 tokens > 200000 maximum"),
        (400, "Input is too long for requested model."),
        (400, "too many tokens: total number of tokens in the prompt cannot exceed 4081"),
        (400, "The input token count (1234567) exceeds the maximum number of tokens allowed (1048576)."),
        (413, "This request exceeds the context window of the model"),
        (422, "Please reduce the length of the messages or completion."),
        (500, "Prompt contains 40000 tokens and 0 draft tokens, too large for model with 32768 maximum context length"),
    ],
)
def test_context_window_refinement(status, message):
    e = exception_from_response(make_response(status, {"error": {"message": message}}), llm_provider="p", model="m")
    assert type(e) is E.ContextWindowExceededError
    assert e.message == message and not is_retryable(e)


def test_context_window_by_code_and_not_for_rate_limits():
    e = exception_from_response(
        make_response(400, {"error": {"message": "too big", "code": "context_length_exceeded"}}),
        llm_provider="p",
        model="m",
    )
    assert type(e) is E.ContextWindowExceededError
    e = exception_from_response(
        make_response(429, {"error": {"message": "too many tokens per minute"}}), llm_provider="p", model="m"
    )
    assert type(e) is E.RateLimitError
    e = exception_from_response(
        make_response(413, {"error": {"message": "Request too large"}}), llm_provider="p", model="m"
    )
    assert type(e) is E.BadRequestError


@pytest.mark.parametrize(
    "body",
    [
        {"error": {"message": "blocked", "code": "content_policy_violation"}},
        {"error": {"message": "blocked", "code": "content_filter"}},
        {"error": {"message": "Your request was rejected as a result of our safety system."}},
        {"error": {"message": "x", "innererror": {"code": "ResponsibleAIPolicyViolation"}}},
        {"candidates": [], "promptFeedback": {"blockReason": "SAFETY"}},
    ],
)
def test_content_policy_refinement(body):
    e = exception_from_response(make_response(400, body), llm_provider="p", model="m")
    assert type(e) is E.ContentPolicyViolationError and not is_retryable(e)


def test_insufficient_quota_stays_a_rate_limit_error_with_its_code():
    body = {
        "error": {
            "message": "You exceeded your current quota",
            "type": "insufficient_quota",
            "code": "insufficient_quota",
        }
    }
    e = exception_from_response(make_response(429, body), llm_provider="openai", model="gpt-4o")
    assert type(e) is E.RateLimitError and e.code == "insufficient_quota"
    assert not is_retryable(e)


# ============================================================================================
# retry_after
# ============================================================================================


@pytest.mark.parametrize(
    "headers,expected",
    [
        ({"retry-after": "20"}, 20.0),
        ({"Retry-After": "1.5"}, 1.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "6000", "retry-after": "6"}, 6.0),
        ({"retry-after": "soon"}, None),
        ({"retry-after": "-3"}, None),
        ({"x-ratelimit-reset-requests": "120ms", "x-ratelimit-reset-tokens": "2s"}, None),
        ({}, None),
    ],
)
def test_retry_after_headers(headers, expected):
    e = exception_from_response(make_response(429, {"error": {"message": "m"}}, headers), llm_provider="p", model="m")
    assert e.retry_after == expected
    assert E.parse_retry_after(Headers(headers)) == expected


def test_retry_after_http_date():
    when = formatdate(time.time() + 30, usegmt=True)
    e = exception_from_response(make_response(503, {}, {"retry-after": when}), llm_provider="p", model="m")
    assert 25 <= e.retry_after <= 31
    past = formatdate(time.time() - 30, usegmt=True)
    assert E.parse_retry_after({"Retry-After": past}) == 0.0


def test_explicit_retry_after_wins():
    e = E.RateLimitError("m", response=make_response(429, {}, {"retry-after": "9"}), retry_after=2)
    assert e.retry_after == 2.0


# ============================================================================================
# is_retryable and mid-stream errors
# ============================================================================================


def test_is_retryable_by_class_and_status():
    for cls in (
        E.Timeout,
        E.RateLimitError,
        E.APIConnectionError,
        E.InternalServerError,
        E.BadGatewayError,
        E.ServiceUnavailableError,
    ):
        assert is_retryable(cls("m")), cls
    for cls in (
        E.BadRequestError,
        E.AuthenticationError,
        E.PermissionDeniedError,
        E.NotFoundError,
        E.ContextWindowExceededError,
        E.ContentPolicyViolationError,
        E.UnprocessableEntityError,
        E.ConflictError,
        E.BudgetExceededError,
        E.RejectedRequestError,
    ):
        assert not is_retryable(cls("m")), cls
    for status in (408, 429, 500, 502, 503, 504, 529):
        assert is_retryable(E.APIError(status, "m", "p", "m")), status
        assert is_retryable(E.MockException(status, "m", "p", "m")), status
    for status in (400, 401, 404, 409, 418):
        assert not is_retryable(E.APIError(status, "m", "p", "m")), status
    assert not is_retryable(ValueError("x"))
    assert not is_retryable(TimeoutError())


def test_is_retryable_honours_x_should_retry():
    resp = make_response(
        400, {"type": "error", "error": {"type": "invalid_request_error", "message": "m"}}, {"x-should-retry": "true"}
    )
    assert is_retryable(exception_from_response(resp, llm_provider="anthropic", model="m"))
    resp = make_response(500, {"error": {"message": "m"}}, {"x-should-retry": "false"})
    assert not is_retryable(exception_from_response(resp, llm_provider="anthropic", model="m"))
    resp = make_response(429, {"error": {"message": "m"}}, {"X-Should-Retry": "TRUE"})
    assert is_retryable(exception_from_response(resp, llm_provider="anthropic", model="m"))


@pytest.mark.parametrize(
    "payload,cls",
    [
        ({"error": {"message": "m", "type": "server_error"}}, E.InternalServerError),
        ({"error": {"message": "m", "type": "api_error"}}, E.InternalServerError),
        ({"type": "error", "error": {"type": "rate_limit_error", "message": "m"}}, E.RateLimitError),
        ({"error": {"message": "m", "type": "requests", "code": "rate_limit_exceeded"}}, E.RateLimitError),
        ({"type": "error", "error": {"type": "overloaded_error", "message": "m"}}, E.ServiceUnavailableError),
        ({"type": "error", "error": {"type": "invalid_request_error", "message": "m"}}, E.BadRequestError),
        ({"type": "error", "error": {"type": "authentication_error", "message": "m"}}, E.AuthenticationError),
        (
            {"error": {"message": "m", "type": "invalid_request_error", "code": "context_length_exceeded"}},
            E.ContextWindowExceededError,
        ),
        (
            {
                "error": {
                    "message": "prompt is too long: 300000 tokens > 200000 maximum",
                    "type": "invalid_request_error",
                }
            },
            E.ContextWindowExceededError,
        ),
        ({"error": {"message": "m", "code": "content_filter"}}, E.ContentPolicyViolationError),
        ({"error": {"code": 503, "message": "m", "status": "UNAVAILABLE"}}, E.ServiceUnavailableError),
        ({"error": {"code": 429, "message": "m", "status": "RESOURCE_EXHAUSTED"}}, E.RateLimitError),
        ({"error": {"code": 504, "message": "m", "status": "DEADLINE_EXCEEDED"}}, E.Timeout),
        ({"error": {"message": "m", "type": "BadRequestError", "code": 400}}, E.BadRequestError),
        ({"error": "an error was encountered while running the model"}, E.APIError),
        ({"error": {"message": "m", "type": "something_new"}}, E.APIError),
        ({"message": "bare object", "type": "overloaded_error"}, E.ServiceUnavailableError),
    ],
)
def test_mid_stream_mapping(payload, cls):
    e = mid_stream_error(payload, llm_provider="p", model="m")
    assert type(e) is cls
    assert e.message
    if cls is E.APIError:
        assert e.status_code == 500 and is_retryable(e)


def test_mid_stream_context_tokens():
    e = mid_stream_error(
        {"error": {"message": "prompt is too long: 300000 tokens > 200000 maximum", "type": "invalid_request_error"}},
        llm_provider="anthropic",
        model="claude",
    )
    assert (e.input_tokens, e.max_tokens) == (300000, 200000)


def test_mid_stream_never_raises_on_odd_payloads():
    for payload in ({}, {"error": None}, {"error": 5}, {"error": {"message": None}}):
        e = mid_stream_error(payload, llm_provider="p", model="m")
        assert isinstance(e, E.APIError) and e.message


# ============================================================================================
# redact
# ============================================================================================


@pytest.mark.parametrize(
    "text,secret,expected",
    [
        ("key sk-proj-abcDEF123456ghiJKL789 here", "abcDEF123456", "key sk-proj-**** here"),
        ("sk-ant-api03-AbCdEfGh_IjKl-MnOp", "AbCdEfGh", "sk-ant-****"),
        ("sk-1234567890abcdef", "1234567890", "sk-****"),
        ("url?key=AIzaSyA-abcdefghijklmnopqrstuvwx&alt=sse", "abcdefghij", "url?key=****&alt=sse"),
        ("AIzaSyA-abcdefghijklmnopqrstuvwxyz12345", "abcdefghij", "AIza****"),
        ("gsk_abcdefghijklmnop", "abcdefgh", "gsk_****"),
        ("xai-abcdefghijklmnopqrstuvwxyz", "abcdefghij", "xai-****"),
        ("Authorization: Bearer eyJhbGc.payload.sig", "payload", "Authorization: Bearer ****"),
        ("Authorization: bearer abc/def+ghi=", "abc/def", "Authorization: bearer ****"),
        ("api-key: 0123456789abcdef", "0123456789", "api-key: ****"),
        ("x-api-key: 0123456789abcdef", "0123456789", "x-api-key: ****"),
        ('{"api_key": "supersecretvalue"}', "supersecret", '{"api_key": "****"}'),
        ("AZURE_API_KEY=supersecretvalue", "supersecret", "AZURE_API_KEY=****"),
        ("aws AKIAIOSFODNN7EXAMPLE id", "IOSFODNN7", "aws AKIA**** id"),
        ("ASIAIOSFODNN7EXAMPLE", "IOSFODNN7", "ASIA****"),
        ("aws_secret_access_key=wJalrXUtnFEMI/K7MDENG", "wJalrXUt", "aws_secret_access_key=****"),
        ("Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpw", "Authorization: Basic ****"),
        ("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlX18", "eyJzdWIiOi", "token eyJ****"),
        ("&sig=abcdef0123456789&se=2025", "abcdef0123", "&sig=****&se=2025"),
    ],
)
def test_redact_patterns(text, secret, expected):
    out = redact(text)
    assert out == expected
    assert secret not in out
    assert redact(out) == out  # idempotent


@pytest.mark.parametrize(
    "text",
    [
        "task-force and risk-free are words",
        "Rate limit reached for gpt-4o-mini in organization org-XXXX on requests per min (RPM)",
        'messages: roles must alternate between "user" and "assistant"',
        "Basic usage of the API",
        "the model returned invalid JSON",
        "x-ratelimit-remaining-tokens: 29000",
    ],
)
def test_redact_leaves_ordinary_text_alone(text):
    assert redact(text) == text


def test_redact_never_raises():
    class Weird:
        def __str__(self):
            raise RuntimeError("no")

    assert redact(None) == ""
    assert redact("") == ""
    assert redact(b"sk-abcdefghijklmnop") == "sk-****"
    assert redact(12345) == "12345"
    assert isinstance(redact(Weird()), str)
    assert redact("\x00\udcff sk-abcdefghijklmnop").endswith("sk-****")


def test_register_secret_rules():
    register_secret("short")  # under 8 characters: ignored
    assert redact("a short word") == "a short word"
    register_secret("my-long-secret-123")
    assert redact("x my-long-secret-123 y") == "x my-**** y"
    register_secret("  padded-secret-456  ")
    assert "padded-secret-456" not in redact("v=padded-secret-456")
    register_secret(None)
    register_secret(12345678)
    unregister_secret("my-long-secret-123")
    assert redact("my-long-secret-123") == "my-long-secret-123"


def test_registered_secret_containing_another():
    register_secret("abcdefgh")
    register_secret("abcdefgh-and-more")
    out = redact("value abcdefgh-and-more end")
    assert "abcdefgh" not in out


def test_mask_cannot_re_form_a_secret():
    register_secret("abc****d")
    register_secret("********")
    for text in ("abc****d", "xabc****dd", "**********", "abc****dabc****d*"):
        out = redact(text)
        assert "abc****d" not in out and "********" not in out


def test_redact_headers():
    headers = {
        "Authorization": "Bearer sk-abcdefghijklmnop",
        "api-key": "azurekey123456",
        "x-api-key": "anthropickey12345",
        "x-goog-api-key": "AIzaSomething123456789012345",
        "Proxy-Authorization": "Basic abc",
        "Cookie": "a=b",
        "X-Custom-Token": "t0k3n",
        "X-Client-Secret": "s3cr3t",
        "x-my-key": "k",
        "Content-Type": "application/json",
        "x-ratelimit-remaining-tokens": "29000",
        "anthropic-ratelimit-input-tokens-limit": "40000",
        "User-Agent": "litegate/1.0",
    }
    out = redact_headers(headers)
    for name in (
        "Authorization",
        "api-key",
        "x-api-key",
        "x-goog-api-key",
        "Proxy-Authorization",
        "Cookie",
        "X-Custom-Token",
        "X-Client-Secret",
        "x-my-key",
    ):
        assert out[name] == "****", name
    assert out["Content-Type"] == "application/json"
    assert out["x-ratelimit-remaining-tokens"] == "29000"
    assert out["anthropic-ratelimit-input-tokens-limit"] == "40000"
    assert out["User-Agent"] == "litegate/1.0"
    assert headers["Authorization"].startswith("Bearer sk-")  # input untouched
    assert redact_headers(None) == {}
    assert redact_headers([(b"Authorization", b"Bearer x")]) == {"Authorization": "****"}
    assert is_sensitive_header("set-cookie") and not is_sensitive_header("keep-alive")


def test_redact_is_fast():
    register_secret("registered-secret-0001")
    for i in range(200):
        register_secret(f"another-registered-secret-{i:04d}")
    text = ("Rate limit reached for gpt-4o-mini in organization org-XXXX; please retry. " * 7)[:500]
    start = time.perf_counter()
    for _ in range(1000):
        redact(text)
    assert time.perf_counter() - start < 2.0  # ~0.1 ms per call on ordinary hardware


@settings(max_examples=300, deadline=None)
@given(secret=st.text(min_size=8, max_size=64), before=st.text(max_size=64), after=st.text(max_size=64))
def test_hypothesis_registered_secret_never_survives(secret, before, after):
    clear_secrets()
    register_secret(secret)
    out = redact(before + secret + after)
    assert secret not in out
    out = redact(before + secret + after + secret)
    assert secret not in out


@settings(max_examples=200, deadline=None)
@given(
    key=st.from_regex(
        r"(sk-(proj-|ant-api03-)?[A-Za-z0-9]{20,40}|AIza[A-Za-z0-9_-]{35}|gsk_[A-Za-z0-9]{40}|"
        r"xai-[A-Za-z0-9]{40}|AKIA[A-Z0-9]{16})",
        fullmatch=True,
    ),
    before=st.sampled_from(["", " ", "key: ", "(", "'", '"', "\n", "Bearer "]),
    after=st.sampled_from(["", " ", ".", ")", "'", '"', "\n", ", next"]),
)
def test_hypothesis_known_key_shapes_never_survive(key, before, after):
    out = redact(before + key + after)
    assert key not in out


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_hypothesis_redact_never_raises(text):
    out = redact(text)
    assert isinstance(out, str)


# ============================================================================================
# Import cost
# ============================================================================================


def test_import_is_stdlib_only():
    code = (
        "import sys, litegate.exceptions, litegate.core.errors, litegate.core.redact;"
        "bad = [m for m in ('httpx', 'pydantic', 'openai', 'orjson') if m in sys.modules];"
        "print(','.join(bad))"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    # core.errors may pull orjson lazily through jsonutil only when a body is parsed
    assert out.stdout.strip() == "", out.stdout
