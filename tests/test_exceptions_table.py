"""Every exception class, one row each: status, default message, ancestry, positional order.

The rows are written out here (not read from ``litegate.exceptions``) so that a change to a
class's data shows up as a failing row. They complement ``test_exceptions.py``, which covers
the error mapping and redaction in depth.
"""

from __future__ import annotations

import inspect
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import litegate.exceptions as E
from litegate.core.http import Headers, HttpResponse
from litegate.core.redact import clear_secrets

REPO = Path(__file__).resolve().parents[1]

PROVIDER_FIRST = ("message", "llm_provider", "model", "response", "litellm_debug_info", "max_retries", "num_retries")
MODEL_FIRST = ("message", "model", "llm_provider", "response", "litellm_debug_info", "max_retries", "num_retries")
RETRIES = ("litellm_debug_info", "max_retries", "num_retries")

# class -> (status_code, default message, the classes it derives from in order, positional order)
ROWS = {
    E.LiteLLMException: (500, "LiteLLM error", ("Exception",), PROVIDER_FIRST),
    E.APIError: (
        500,
        "API error",
        ("LiteLLMException",),
        ("status_code", "message", "llm_provider", "model", "request", "response", *RETRIES),
    ),
    E.AuthenticationError: (401, "Authentication failed", ("APIError",), PROVIDER_FIRST),
    E.PermissionDeniedError: (403, "Permission denied", ("APIError",), PROVIDER_FIRST),
    E.BadRequestError: (400, "Bad request", ("APIError",), (*MODEL_FIRST, "body")),
    E.InvalidRequestError: (400, "Invalid request", ("BadRequestError",), (*MODEL_FIRST, "body")),
    E.ContextWindowExceededError: (400, "Context window exceeded", ("BadRequestError",), (*MODEL_FIRST, "body")),
    E.ContentPolicyViolationError: (
        400,
        "Content policy violation",
        ("BadRequestError",),
        (
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
    ),
    E.JSONSchemaValidationError: (
        400,
        "JSON schema validation failed",
        ("BadRequestError",),
        ("message", "model", "llm_provider", "raw_response", "schema", "response", *RETRIES),
    ),
    E.UnsupportedParamsError: (
        400,
        "Unsupported parameters",
        ("BadRequestError",),
        ("message", "llm_provider", "model", "status_code", "response", *RETRIES),
    ),
    E.RejectedRequestError: (
        400,
        "Request rejected",
        ("BadRequestError",),
        (
            "message",
            "model",
            "llm_provider",
            "request_data",
            "litellm_debug_info",
            "response",
            "max_retries",
            "num_retries",
        ),
    ),
    E.RateLimitError: (429, "Rate limit exceeded", ("APIError",), PROVIDER_FIRST),
    E.NotFoundError: (404, "Not found", ("APIError",), MODEL_FIRST),
    E.ConflictError: (409, "Conflict", ("APIError",), PROVIDER_FIRST),
    E.UnprocessableEntityError: (422, "Unprocessable entity", ("APIError",), MODEL_FIRST),
    E.InternalServerError: (500, "Internal server error", ("APIError",), PROVIDER_FIRST),
    E.BadGatewayError: (502, "Bad gateway", ("APIError",), PROVIDER_FIRST),
    E.ServiceUnavailableError: (503, "Service unavailable", ("APIError",), PROVIDER_FIRST),
    E.APIConnectionError: (
        500,
        "Connection error",
        ("APIError",),
        ("message", "llm_provider", "model", "request", *RETRIES),
    ),
    E.Timeout: (
        408,
        "Request timed out",
        ("APIError",),
        ("message", "model", "llm_provider", *RETRIES, "headers", "exception_status_code"),
    ),
    E.APIResponseValidationError: (
        500,
        "Invalid response from the provider",
        ("APIError",),
        ("message", "llm_provider", "model", *RETRIES),
    ),
    E.BudgetExceededError: (
        400,
        "Budget has been exceeded!",
        ("LiteLLMException",),
        ("current_cost", "max_budget", "message"),
    ),
    E.MockException: (
        500,
        "Mock exception",
        ("LiteLLMException",),
        ("status_code", "message", "llm_provider", "model", "request", *RETRIES),
    ),
    E.InputValidationError: (400, "Invalid request", ("InvalidRequestError", "ValueError"), (*MODEL_FIRST, "body")),
    E.InputTypeError: (400, "Invalid request", ("InputValidationError", "TypeError"), (*MODEL_FIRST, "body")),
    E.NotFoundException: (404, "Not found", ("NotFoundError",), MODEL_FIRST),
}
CLASSES = list(ROWS)
ids = lambda cls: cls.__name__  # noqa: E731

# the extra attributes each class keeps, with a value to build it with
EXTRAS = {
    E.ContextWindowExceededError: {"input_tokens": 10, "max_tokens": 8},
    E.ContentPolicyViolationError: {"provider_specific_fields": {"innererror": {"code": "x"}}},
    E.JSONSchemaValidationError: {"raw_response": "{not json", "schema": {"type": "object"}},
    E.RejectedRequestError: {"request_data": {"model": "m", "temperature": 0.5}},
    E.BudgetExceededError: {"current_cost": 1.25, "max_budget": 1.0},
}


def _extras(cls):
    return next((fields for owner, fields in EXTRAS.items() if issubclass(cls, owner)), {})


@pytest.fixture(autouse=True)
def _no_registered_secrets():
    clear_secrets()
    yield
    clear_secrets()


class FakeRequest:
    method = "PUT"
    url = "https://example.test/v1/chat"
    headers = {"authorization": "Bearer sk-proj-ABCDEFGHIJKLMNOP1234"}


RESPONSE = HttpResponse(409, Headers({"retry-after": "3", "x-kind": "resp"}), b'{"error": {"message": "r"}}')

# argument name -> (value to pass, how to read it back from the exception)
SLOTS = {
    "message": ("slot message", lambda e: e.message),
    "llm_provider": ("slot_provider", lambda e: e.llm_provider),
    "model": ("slot-model", lambda e: e.model),
    "response": (RESPONSE, lambda e: e.response),
    "request": (FakeRequest(), lambda e: (e.request.method, e.request.url)),
    "litellm_debug_info": ("slot debug", lambda e: e.litellm_debug_info),
    "max_retries": (7, lambda e: e.max_retries),
    "num_retries": (2, lambda e: e.num_retries),
    "status_code": (418, lambda e: e.status_code),
    "body": ({"error": {"code": "bc", "type": "bt", "param": "bp"}}, lambda e: (e.code, e.type, e.param)),
    "headers": ({"retry-after": "4"}, lambda e: (e.retry_after, dict(e.headers))),
    "exception_status_code": (504, lambda e: e.status_code),
    "provider_specific_fields": ({"k": 1}, lambda e: e.provider_specific_fields),
    "raw_response": ("raw", lambda e: e.raw_response),
    "schema": ({"type": "object"}, lambda e: e.schema),
    "request_data": ({"model": "m"}, lambda e: e.request_data),
    "current_cost": (1.25, lambda e: e.current_cost),
    "max_budget": (1.0, lambda e: e.max_budget),
}
EXPECTED_READ = {
    "request": ("PUT", "https://example.test/v1/chat"),
    "body": ("bc", "bt", "bp"),
    "headers": (4.0, {"retry-after": "4"}),
}


def _expected(name):
    return EXPECTED_READ.get(name, SLOTS[name][0])


# ============================================================================================
# the table
# ============================================================================================


@pytest.mark.parametrize("cls", CLASSES, ids=ids)
def test_status_code_and_default_message(cls):
    status, default, _, _ = ROWS[cls]
    assert cls.status_code == status
    e = cls()
    assert (e.status_code, e.message, e.args) == (status, default, (default,))
    assert cls("").message == default
    assert cls(None).message == default or cls is E.BudgetExceededError


@pytest.mark.parametrize("cls", CLASSES, ids=ids)
def test_ancestry(cls):
    _, _, bases, _ = ROWS[cls]
    assert tuple(base.__name__ for base in cls.__bases__) == bases
    e = cls("m")
    assert isinstance(e, E.LiteLLMException) and isinstance(e, Exception)
    assert isinstance(e, ValueError) is issubclass(cls, E.InputValidationError)
    assert isinstance(e, TypeError) is (cls is E.InputTypeError)
    assert isinstance(e, E.APIError) is (cls not in (E.LiteLLMException, E.BudgetExceededError, E.MockException))
    assert isinstance(e, E.BadRequestError) is (ROWS[cls][0] == 400 and cls is not E.BudgetExceededError)
    for ancestor in cls.__mro__:
        if ancestor is not object and ancestor is not BaseException:
            with pytest.raises(ancestor):
                raise cls("m")


def test_every_public_class_has_a_row():
    public = {getattr(E, name) for name in E.__all__ if isinstance(getattr(E, name), type)}
    assert public == set(ROWS)


@pytest.mark.parametrize("cls", CLASSES, ids=ids)
def test_positional_order(cls):
    order = ROWS[cls][3]
    e = cls(*(SLOTS[name][0] for name in order))
    for name in order:
        assert SLOTS[name][1](e) == _expected(name), name
    with pytest.raises(TypeError):
        cls(*(SLOTS[name][0] for name in order), "one too many")


@pytest.mark.parametrize("cls", CLASSES, ids=ids)
def test_keyword_form_matches_the_positional_form(cls):
    order = ROWS[cls][3]
    by_position = cls(*(SLOTS[name][0] for name in order))
    by_keyword = cls(**{name: SLOTS[name][0] for name in order})
    assert vars(by_keyword).keys() == vars(by_position).keys()
    for name in order:
        assert SLOTS[name][1](by_keyword) == _expected(name), name
    assert (str(by_keyword), repr(by_keyword)) == (str(by_position), repr(by_position))


@pytest.mark.parametrize("cls", CLASSES, ids=ids)
def test_signature_shows_the_positional_order(cls):
    params = inspect.signature(cls).parameters.values()
    named = [p.name for p in params if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    assert tuple(named) == ROWS[cls][3]


# ============================================================================================
# the keywords every class takes
# ============================================================================================


@pytest.mark.parametrize("cls", CLASSES, ids=ids)
def test_common_keywords(cls):
    e = cls(
        message="kw message",
        llm_provider="openai",
        model="gpt-4o",
        response=RESPONSE,
        litellm_debug_info="dbg",
        max_retries=3,
        num_retries=1,
        request=FakeRequest(),
        retry_after="1.5",
        code=401,
        type="t",
        param="p",
        status_code="499",
        request_id="req_9",
    )
    assert (e.message, e.llm_provider, e.model, e.litellm_debug_info) == ("kw message", "openai", "gpt-4o", "dbg")
    assert (e.max_retries, e.num_retries, e.status_code) == (3, 1, 499)
    assert e.response is RESPONSE and e.headers["x-kind"] == "resp"  # headers come from the response
    assert (e.request.method, e.request.headers) == ("PUT", {})
    assert e.retry_after == 1.5  # an explicit retry_after wins over the response's header
    assert (e.code, e.type, e.param, e.request_id) == (401, "t", "p", "req_9")
    assert e.body == {"error": {"message": "r"}}
    assert str(e) == f"litegate.{cls.__name__}: OpenAIException - kw message Retried: 1 times, max retries: 3"
    assert repr(e) == f"{cls.__name__}(message='kw message', llm_provider='openai', model='gpt-4o', status_code=499)"


@pytest.mark.parametrize("cls", CLASSES, ids=ids)
def test_retry_after_comes_from_the_response_headers(cls):
    e = cls(message="m", response=RESPONSE)
    assert e.retry_after == 3.0 and e.status_code == ROWS[cls][0]
    e = cls(message="m", response=RESPONSE, headers={"Retry-After-Ms": "250"})
    assert e.retry_after == 0.25 and "x-kind" not in e.headers


@pytest.mark.parametrize("cls", CLASSES, ids=ids)
def test_wrong_arguments_raise_type_error(cls):
    first = ROWS[cls][3][0]
    with pytest.raises(TypeError):
        cls(not_an_argument=1)
    with pytest.raises(TypeError):
        cls(SLOTS[first][0], **{first: SLOTS[first][0]})
    for owner, fields in EXTRAS.items():
        if not issubclass(cls, owner):
            for name in fields:
                with pytest.raises(TypeError):
                    cls(message="m", **{name: fields[name]})


# ============================================================================================
# class-specific arguments
# ============================================================================================


@pytest.mark.parametrize("cls", [cls for cls in CLASSES if _extras(cls)], ids=ids)
def test_extra_fields_are_kept(cls):
    fields = _extras(cls)
    e = cls(message="m", **fields)
    for name, value in fields.items():
        assert getattr(e, name) == value, name
    empty = cls(message="m")
    expected_empty = {"request_data": {}}
    for name in fields:
        assert getattr(empty, name) == expected_empty.get(name), name


@pytest.mark.parametrize("cls", [cls for cls in CLASSES if ROWS[cls][3][0] == "status_code"], ids=ids)
def test_status_first_classes_also_take_the_message_first(cls):
    e = cls("down", "groq", "llama")
    assert (e.status_code, e.message, e.llm_provider, e.model) == (ROWS[cls][0], "down", "groq", "llama")
    e = cls("503", "down")
    assert (e.status_code, e.message) == (503, "down")
    e = cls("503")
    assert (e.status_code, e.message) == (ROWS[cls][0], "503")
    e = cls(status_code="boom")
    assert (e.status_code, e.message) == (ROWS[cls][0], "boom")
    e = cls(429, "slow", "openai", "gpt-4o", FakeRequest())
    assert (e.status_code, e.request.method) == (429, "PUT")
    e = cls("down", "groq", "llama", FakeRequest())  # every argument moves one place along
    assert (e.status_code, e.model, e.request.method) == (ROWS[cls][0], "llama", "PUT")


def test_timeout_exception_status_code():
    assert E.Timeout("t", exception_status_code=504).status_code == 504
    assert E.Timeout("t", exception_status_code=504, status_code=500).status_code == 500
    assert E.Timeout("t", exception_status_code=None).status_code == 408
    assert not hasattr(E.Timeout("t", exception_status_code=504), "exception_status_code")


def test_unsupported_params_status_code():
    assert E.UnsupportedParamsError("m", "openai", "gpt-4o").status_code == 400
    assert E.UnsupportedParamsError("m", "openai", "gpt-4o", 422).status_code == 422
    assert E.UnsupportedParamsError("m", status_code=None).status_code == 400


def test_budget_messages():
    assert E.BudgetExceededError(1.25, 1.0).message == "Budget has been exceeded! Current cost: 1.25, Max budget: 1.0"
    assert E.BudgetExceededError(max_budget=5).message == "Budget has been exceeded! Current cost: None, Max budget: 5"
    e = E.BudgetExceededError("over budget")
    assert (e.message, e.current_cost, e.max_budget) == ("over budget", None, None)
    e = E.BudgetExceededError("1.5", 1.0)  # with a budget, a string is the cost
    assert (e.message, e.current_cost) == ("Budget has been exceeded! Current cost: 1.5, Max budget: 1.0", "1.5")
    e = E.BudgetExceededError(3, 2, "custom", llm_provider="openai")
    assert (e.message, e.current_cost, e.max_budget, e.llm_provider) == ("custom", 3, 2, "openai")
    assert str(e) == "litegate.BudgetExceededError: OpenAIException - custom"


def test_json_schema_message_and_masking():
    e = E.JSONSchemaValidationError(model="gpt-4o", raw_response="oops", schema={"type": "object"})
    assert e.message == (
        "model=gpt-4o, returned an invalid response=oops, for schema={'type': 'object'}. "
        "Access the raw response with `e.raw_response`"
    )
    e = E.JSONSchemaValidationError(model="m", schema={"type": "array"})
    assert e.message.startswith("model=m, returned an invalid response=None, for schema={'type': 'array'}")
    e = E.JSONSchemaValidationError("given", raw_response="key sk-proj-ABCDEFGHIJKLMNOP1234 here")
    assert e.message == "given" and e.raw_response == "key sk-proj-**** here"
    raw = {"not": "a string"}
    assert E.JSONSchemaValidationError(raw_response=raw).raw_response is raw


def test_context_window_tokens_partly_given():
    message = "maximum context length is 100 tokens. However, your messages resulted in 150 tokens"
    e = E.ContextWindowExceededError(message, input_tokens=120)
    assert (e.input_tokens, e.max_tokens) == (120, 100)
    e = E.ContextWindowExceededError(message, max_tokens=90)
    assert (e.input_tokens, e.max_tokens) == (150, 90)


# ============================================================================================
# str, pickling and masking for every class
# ============================================================================================


def _build(cls, **kwargs):
    return cls(message="Simulated failure", llm_provider="anthropic", model="claude", **_extras(cls), **kwargs)


def _state(e):
    return (
        type(e),
        e.message,
        e.status_code,
        e.llm_provider,
        e.model,
        e.litellm_debug_info,
        e.max_retries,
        e.num_retries,
        e.retry_after,
        dict(e.headers),
        e.code,
        e.type,
        e.param,
        e.request_id,
        None if e.request is None else (e.request.method, e.request.url),
        None if e.response is None else (e.response.status_code, e.response.content),
        str(e),
        repr(e),
        e.args,
        e.body,
        {name: getattr(e, name) for name in _extras(type(e))},
    )


@pytest.mark.parametrize("cls", CLASSES, ids=ids)
def test_str_form(cls):
    e = _build(cls)
    assert str(e) == f"litegate.{cls.__name__}: AnthropicException - Simulated failure"
    e = _build(cls, num_retries=2)
    assert str(e) == f"litegate.{cls.__name__}: AnthropicException - Simulated failure Retried: 2 times"
    e = cls(message="litegate.Other: already formatted", llm_provider="openai")
    assert str(e) == "litegate.Other: already formatted"


@pytest.mark.parametrize("cls", CLASSES, ids=ids)
def test_pickle_round_trip_keeps_everything(cls):
    e = _build(
        cls,
        response=RESPONSE,
        request=FakeRequest(),
        litellm_debug_info="dbg",
        max_retries=4,
        num_retries=1,
        code="c",
        type="t",
        param="p",
        request_id="req_1",
        status_code=451,
    )
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        e2 = pickle.loads(pickle.dumps(e, protocol=protocol))
        assert _state(e2) == _state(e), protocol
        assert e2.response is not RESPONSE


@pytest.mark.parametrize("cls", CLASSES, ids=ids)
def test_secrets_are_masked_everywhere(cls):
    key = "sk-proj-abcDEF123456ghiJKL789mnoPQR012stuVWX"
    e = cls(
        message=f"bad key {key}",
        litellm_debug_info=f"api_key={key}",
        code=key,
        llm_provider="openai",
        headers={"Authorization": f"Bearer {key}", "x-ok": "1"},
    )
    assert e.message == "bad key sk-proj-****"
    assert e.headers["authorization"] == "****" and e.headers["x-ok"] == "1"
    for surface in (str(e), repr(e), repr(vars(e)), pickle.dumps(e).decode("latin-1")):
        assert key not in surface


def test_rejected_request_data_is_masked_and_pickled():
    data = {"api_key": "sk-live-0123456789abcdefghij", "messages": [{"content": "hi"}]}
    e = E.RejectedRequestError("blocked", request_data=data)
    e2 = pickle.loads(pickle.dumps(e))
    assert e2.request_data == {"api_key": "****", "messages": [{"content": "hi"}]}
    assert "0123456789abcdefghij" not in pickle.dumps(e).decode("latin-1")


# ============================================================================================
# subclasses and import cost
# ============================================================================================


def test_a_subclass_elsewhere_inherits_the_facts():
    class ProxyRateLimit(E.RateLimitError):
        """A subclass with no facts of its own."""

    class Teapot(E.APIError, status_code=418, default_message="I'm a teapot", positional=PROVIDER_FIRST):
        """A subclass that states its facts as class keywords."""

    e = ProxyRateLimit("slow", "openai", "gpt-4o")
    assert (e.status_code, e.llm_provider, e.model) == (429, "openai", "gpt-4o")
    assert ProxyRateLimit().message == "Rate limit exceeded"
    e = Teapot(None, "openai")
    assert (e.status_code, e.message, e.llm_provider, Teapot.status_code) == (418, "I'm a teapot", "openai", 418)
    assert E.APIError.status_code == 500 and E.APIError().message == "API error"  # the parent is unchanged
    with pytest.raises(TypeError):
        type("Bad", (E.APIError,), {}, not_a_fact=1)


def test_import_loads_neither_inspect_nor_typing():
    code = "import sys, litegate.exceptions; print([m for m in ('inspect', 'typing', 're') if m in sys.modules])"
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "[]"
