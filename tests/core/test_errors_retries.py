"""HTTP errors -> exception classes, retries with counted server hits, timeouts, key hygiene."""

from __future__ import annotations

import pickle
import time

import pytest
from _core_helpers import KEY, closed_port, reference_json, user_messages

import litegate

MODEL = "gpt-4o-mini"


def _call(server, **kw):
    kw.setdefault("api_key", KEY)
    kw.setdefault("api_base", server.base_url)
    kw.setdefault("messages", user_messages())
    return litegate.completion(kw.pop("model", MODEL), **kw)


async def _acall(server, **kw):
    kw.setdefault("api_key", KEY)
    kw.setdefault("api_base", server.base_url)
    kw.setdefault("messages", user_messages())
    return await litegate.acompletion(kw.pop("model", MODEL), **kw)


# --------------------------------------------------------------------------------- status mapping

STATUS_CLASSES = [
    (400, "BadRequestError"),
    (401, "AuthenticationError"),
    (403, "PermissionDeniedError"),
    (404, "NotFoundError"),
    (408, "Timeout"),
    (409, "ConflictError"),
    (422, "UnprocessableEntityError"),
    (429, "RateLimitError"),
    (500, "InternalServerError"),
    (502, "BadGatewayError"),
    (503, "ServiceUnavailableError"),
]


@pytest.mark.parametrize("status,class_name", STATUS_CLASSES, ids=[str(s) for s, _ in STATUS_CLASSES])
def test_status_maps_to_exception_class(server, status, class_name):
    message = f"provider says no ({status})"
    server.enqueue_error(status, message=message)
    with pytest.raises(litegate.APIError) as info:
        _call(server, num_retries=0)
    exc = info.value
    cls = getattr(litegate, class_name)
    assert isinstance(exc, cls), f"{status} gave {type(exc).__name__}"
    assert getattr(litegate.exceptions, class_name) is cls
    assert exc.status_code == status
    assert exc.llm_provider == "openai"
    assert exc.model == MODEL
    assert message in exc.message
    assert message in str(exc)
    assert server.hits() == 1


@pytest.mark.parametrize(
    "status,class_name",
    STATUS_CLASSES[:4] + STATUS_CLASSES[-3:],
    ids=[str(s) for s, _ in STATUS_CLASSES[:4] + STATUS_CLASSES[-3:]],
)
async def test_async_status_maps_to_exception_class(server, status, class_name):
    server.enqueue_error(status)
    with pytest.raises(getattr(litegate, class_name)) as info:
        await _acall(server, num_retries=0)
    assert info.value.status_code == status
    assert info.value.llm_provider == "openai"


def test_context_length_body_gives_context_window_error(server):
    ref = reference_json("errors/400_context_length_exceeded.json")
    server.enqueue_raw(ref["status"], ref["body"], headers=ref["headers"])
    with pytest.raises(litegate.ContextWindowExceededError) as info:
        _call(server, num_retries=3)
    exc = info.value
    assert isinstance(exc, litegate.BadRequestError)
    assert exc.status_code == 400
    assert ref["body"]["error"]["message"] in exc.message
    assert exc.llm_provider == "openai" and exc.model == MODEL
    assert server.hits() == 1, "a context-length error is not retried"


def test_context_length_message_without_code(server):
    server.enqueue_error(
        400,
        message="This model's maximum context length is 8192 tokens. However, you "
        "requested 9000 tokens. Please reduce the length of the messages.",
    )
    with pytest.raises(litegate.ContextWindowExceededError):
        _call(server, num_retries=0)


def test_content_filter_body_gives_content_policy_error(server):
    server.enqueue_error(400, code="content_filter")
    with pytest.raises(litegate.ContentPolicyViolationError) as info:
        _call(server, num_retries=2)
    assert isinstance(info.value, litegate.BadRequestError)
    assert info.value.status_code == 400
    assert server.hits() == 1


def test_rate_limit_reference_body_and_headers(server):
    ref = reference_json("errors/429_rate_limit_exceeded.json")
    headers = dict(ref["headers"], **{"retry-after": "0"})
    server.enqueue_raw(ref["status"], ref["body"], headers=headers)
    with pytest.raises(litegate.RateLimitError) as info:
        _call(server, num_retries=0)
    exc = info.value
    assert exc.status_code == 429
    assert exc.retry_after == 0
    assert ref["body"]["error"]["message"] in exc.message
    assert exc.headers.get("x-ratelimit-limit-requests") == ref["headers"]["x-ratelimit-limit-requests"]


def test_insufficient_quota_is_not_retried(server):
    # the reference notes that this 429 must not be retried: waiting does not restore a quota
    ref = reference_json("errors/429_insufficient_quota.json")
    server.enqueue_raw(ref["status"], ref["body"], headers=dict(ref["headers"], **{"retry-after": "0"}), count=3)
    with pytest.raises(litegate.RateLimitError) as info:
        _call(server, num_retries=2)
    assert ref["body"]["error"]["message"] in info.value.message
    assert server.hits() == 1


def test_non_json_error_body(server):
    server.enqueue_raw(
        502,
        "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
        headers={"content-type": "text/html"},
    )
    with pytest.raises(litegate.BadGatewayError) as info:
        _call(server, num_retries=0)
    assert "502" in str(info.value) or "Bad Gateway" in str(info.value)


# --------------------------------------------------------------------------------- retries


def test_two_429s_then_success_takes_three_hits(server):
    server.enqueue_error(429, count=2)
    server.enqueue_reply("finally")
    resp = _call(server, num_retries=2)
    assert resp.choices[0].message.content == "finally"
    assert server.hits("/chat/completions") == 3


async def test_async_retries_then_success(server):
    server.enqueue_error(503, count=2)
    server.enqueue_reply("async finally")
    resp = await _acall(server, num_retries=3)
    assert resp.choices[0].message.content == "async finally"
    assert server.hits() == 3


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_non_retryable_errors_hit_once(server, status):
    server.enqueue_error(status, count=4)
    with pytest.raises(litegate.APIError) as info:
        _call(server, num_retries=3)
    assert info.value.status_code == status
    assert server.hits() == 1


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503])
def test_retryable_statuses_are_retried(server, status, fast_backoff):
    server.enqueue_error(status, count=1)
    resp = _call(server, num_retries=1)
    assert resp.choices[0].message.content
    assert server.hits() == 2


def test_retries_exhausted_raise_last_error(server, fast_backoff):
    server.enqueue_error(500, count=5, message="still broken")
    with pytest.raises(litegate.InternalServerError) as info:
        _call(server, num_retries=2)
    assert server.hits() == 3
    assert "still broken" in info.value.message
    assert server.pending == 2


def test_exhausted_retries_raise_the_final_exception(server, fast_backoff):
    server.enqueue_error(503, count=1, message="first failure")
    server.enqueue_error(500, count=1, message="second failure")
    with pytest.raises(litegate.InternalServerError) as info:
        _call(server, num_retries=1)
    assert "second failure" in info.value.message
    assert server.hits() == 2


async def test_async_retries_exhausted(server, fast_backoff):
    server.enqueue_error(429, count=4)
    with pytest.raises(litegate.RateLimitError):
        await _acall(server, num_retries=2)
    assert server.hits() == 3


def test_module_level_num_retries(server):
    litegate.num_retries = 1
    server.enqueue_error(429, count=2)
    with pytest.raises(litegate.RateLimitError):
        _call(server)
    assert server.hits() == 2

    server.reset()
    litegate.num_retries = 2
    server.enqueue_error(429, count=2)
    assert _call(server).choices[0].message.content
    assert server.hits() == 3


def test_per_call_num_retries_overrides_module(server):
    litegate.num_retries = 0
    server.enqueue_error(429, count=2)
    assert _call(server, num_retries=2).choices[0].message.content
    assert server.hits() == 3

    server.reset()
    litegate.num_retries = 5
    server.enqueue_error(429, count=2)
    with pytest.raises(litegate.RateLimitError):
        _call(server, num_retries=0)
    assert server.hits() == 1


def test_default_num_retries_retries(server):
    # no per-call or explicit module value: the documented default (spec section 4: 3) applies
    assert litegate.num_retries == 3
    server.enqueue_error(429, count=3)
    assert _call(server).choices[0].message.content
    assert server.hits() == 4


def test_retry_after_seconds_is_honoured(server):
    server.enqueue_error(429, headers={"retry-after": "0.6"})
    start = time.monotonic()
    _call(server, num_retries=1)
    elapsed = time.monotonic() - start
    assert elapsed >= 0.6
    assert elapsed < 3.0
    assert server.hits() == 2


def test_retry_after_ms_is_honoured(server):
    server.enqueue_error(503, headers={"retry-after": None, "retry-after-ms": "500"})
    start = time.monotonic()
    _call(server, num_retries=1)
    elapsed = time.monotonic() - start
    assert elapsed >= 0.5
    assert elapsed < 3.0
    assert server.hits() == 2


async def test_async_retry_after_is_honoured(server):
    server.enqueue_error(429, headers={"retry-after": "0.4"})
    start = time.monotonic()
    await _acall(server, num_retries=1)
    assert time.monotonic() - start >= 0.4
    assert server.hits() == 2


def test_retry_after_zero_means_no_wait(server):
    # the default backoff would wait about 0.25-0.5 s per retry; retry-after: 0 asks for none
    server.enqueue_error(429, count=2, headers={"retry-after": "0"})
    start = time.monotonic()
    _call(server, num_retries=2)
    assert time.monotonic() - start < 0.4
    assert server.hits() == 3


def test_backoff_waits_without_retry_after(server):
    import litegate.constants as constants

    server.enqueue_error(500, count=1)
    start = time.monotonic()
    _call(server, num_retries=1)
    elapsed = time.monotonic() - start
    # exponential backoff with jitter: at least half the initial delay, never above the cap
    assert elapsed >= constants.RETRY_INITIAL_DELAY / 2 * 0.9
    assert elapsed < constants.RETRY_MAX_DELAY + 1.0


def test_connection_refused_raises_connection_error_after_retries(fast_backoff):
    port = closed_port()
    start = time.monotonic()
    with pytest.raises(litegate.APIConnectionError) as info:
        litegate.completion(MODEL, user_messages(), api_key=KEY, api_base=f"http://127.0.0.1:{port}/v1", num_retries=2)
    exc = info.value
    assert exc.llm_provider == "openai"
    assert exc.model == MODEL
    assert exc.num_retries == 2
    assert time.monotonic() - start < 5.0


async def test_async_connection_refused(fast_backoff):
    port = closed_port()
    with pytest.raises(litegate.APIConnectionError) as info:
        await litegate.acompletion(
            MODEL, user_messages(), api_key=KEY, api_base=f"http://127.0.0.1:{port}/v1", num_retries=1
        )
    assert info.value.llm_provider == "openai"


def test_connection_reset_is_retried_with_counted_hits(server, fast_backoff):
    server.enqueue_fault("reset", count=3)
    with pytest.raises(litegate.APIConnectionError):
        _call(server, num_retries=2)
    assert server.hits() == 3

    server.reset()
    server.enqueue_fault("reset", count=1)
    assert _call(server, num_retries=1).choices[0].message.content
    assert server.hits() == 2


def test_timeout_per_attempt_with_slow_reply(server):
    server.enqueue_reply("too late", delay=2.0)
    start = time.monotonic()
    with pytest.raises(litegate.Timeout) as info:
        _call(server, timeout=0.3, num_retries=0)
    assert time.monotonic() - start < 1.5
    assert info.value.llm_provider == "openai"
    assert info.value.model == MODEL
    assert server.hits() == 1


def test_timeout_applies_to_each_attempt(server, fast_backoff):
    server.enqueue_reply("too late", delay=2.0)
    server.enqueue_reply("in time")
    start = time.monotonic()
    resp = _call(server, timeout=0.4, num_retries=1)
    assert resp.choices[0].message.content == "in time"
    assert server.hits() == 2
    assert time.monotonic() - start < 1.8


def test_timeouts_retried_until_exhausted(server, fast_backoff):
    server.enqueue_reply("late", delay=2.0, count=3)
    start = time.monotonic()
    with pytest.raises(litegate.Timeout):
        _call(server, timeout=0.25, num_retries=2)
    assert server.hits() == 3
    assert time.monotonic() - start < 2.0


async def test_async_timeout(server):
    server.enqueue_reply("too late", delay=2.0)
    start = time.monotonic()
    with pytest.raises(litegate.Timeout):
        await _acall(server, timeout=0.3, num_retries=0)
    assert time.monotonic() - start < 1.5


def test_module_request_timeout(server):
    litegate.request_timeout = 0.3
    server.enqueue_reply("too late", delay=2.0)
    start = time.monotonic()
    with pytest.raises(litegate.Timeout):
        _call(server, num_retries=0)
    assert time.monotonic() - start < 1.5


# --------------------------------------------------------------------------------- key hygiene

SECRET_KEYS = ["sk-proj-Zq81LmN0pQr5StUv7WxYz3AbCdEf", "corp-gateway-token-5f1c9e77a2b04d33"]


def _assert_key_absent(exc, key):
    assert key not in str(exc)
    assert key not in repr(exc)
    assert all(key not in str(a) for a in exc.args)
    assert key not in (exc.message or "")
    assert key not in str(getattr(exc, "litellm_debug_info", "") or "")
    assert key.encode() not in pickle.dumps(exc)
    clone = pickle.loads(pickle.dumps(exc))
    assert type(clone) is type(exc)
    assert key not in str(clone)


@pytest.mark.parametrize("key", SECRET_KEYS, ids=["sk-shaped", "free-form"])
def test_exception_never_contains_key_when_body_echoes_it(server, key):
    server.enqueue_error(401, message=f"Incorrect API key provided: {key}. Authorization: Bearer {key}")
    with pytest.raises(litegate.AuthenticationError) as info:
        _call(server, api_key=key, num_retries=0)
    assert server.last_request.header("authorization") == f"Bearer {key}"
    _assert_key_absent(info.value, key)


@pytest.mark.parametrize("key", SECRET_KEYS, ids=["sk-shaped", "free-form"])
def test_wrong_key_rejected_by_server(key):
    from litegate.testing import FakeOpenAIServer

    with FakeOpenAIServer(require_key="sk-the-right-one-123456") as srv:
        with pytest.raises(litegate.AuthenticationError) as info:
            litegate.completion(MODEL, user_messages(), api_key=key, api_base=srv.base_url, num_retries=0)
        assert srv.hits() == 1
    _assert_key_absent(info.value, key)


def test_key_absent_from_other_error_kinds(server):
    key = SECRET_KEYS[1]
    server.enqueue_error(500, message=f"upstream failed for key {key}")
    with pytest.raises(litegate.InternalServerError) as info:
        _call(server, api_key=key, num_retries=0)
    _assert_key_absent(info.value, key)

    port = closed_port()
    with pytest.raises(litegate.APIConnectionError) as info:
        litegate.completion(MODEL, user_messages(), api_key=key, api_base=f"http://127.0.0.1:{port}/v1", num_retries=0)
    _assert_key_absent(info.value, key)


async def test_async_exception_never_contains_key(server):
    key = SECRET_KEYS[0]
    server.enqueue_error(401, message=f"bad key {key}")
    with pytest.raises(litegate.AuthenticationError) as info:
        await _acall(server, api_key=key, num_retries=0)
    _assert_key_absent(info.value, key)
