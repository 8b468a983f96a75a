"""The Vertex AI credential step as an auth flow run on every attempt (providers/google_auth.py), over
real sockets: the token exchange goes through the call's transport, never blocks an event loop, is
renewed between attempts once the cached token expired, and google-auth's blocking refresh runs in
a worker thread under async."""

from __future__ import annotations

import asyncio
import importlib
import threading
import time

import pytest

import litegate
from litegate.core.transport import Transport
from litegate.providers import google_auth

MODEL = "vertex_ai/gemini-2.5-flash"
MESSAGES = [{"role": "user", "content": "Hello"}]
SLOW_TOKEN = "ya29.slow-token-0123456789abcdef"


class Recording:
    """A transport that notes every request (which method carried it, in which thread) and hands it
    to a real one; ``after(url)`` runs once each response is back."""

    def __init__(self, after=None):
        self.inner = Transport()
        self.seen: list = []
        self.after = after

    def _note(self, how, req):
        self.seen.append((how, req.method, req.url, dict(req.headers), threading.current_thread()))

    def send(self, req, timeout):
        self._note("send", req)
        try:
            return self.inner.send(req, timeout)
        finally:
            self.after and self.after(req.url)

    def open_stream(self, req, timeout):
        self._note("open_stream", req)
        return self.inner.open_stream(req, timeout)

    async def asend(self, req, timeout):
        self._note("asend", req)
        try:
            return await self.inner.asend(req, timeout)
        finally:
            self.after and self.after(req.url)

    async def aopen_stream(self, req, timeout):
        self._note("aopen_stream", req)
        return await self.inner.aopen_stream(req, timeout)

    def close(self):
        self.inner.close()

    async def aclose(self):
        await self.inner.aclose()

    def routes(self):
        return [(how, method, url.rsplit("/", 1)[-1]) for how, method, url, _, _ in self.seen]


def _kw(srv, **kw):
    kw.setdefault("api_base", srv.url)
    kw.setdefault("messages", MESSAGES)
    return kw


async def _ticking(coro, period: float = 0.01):
    """Run ``coro`` while another task ticks; (its result, the longest gap between two ticks, ticks)."""
    ticks: list = []
    done = asyncio.Event()

    async def ticker():
        while not done.is_set():
            ticks.append(time.monotonic())
            await asyncio.sleep(period)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(period * 3)  # ticking before the call starts
    try:
        result = await coro
    finally:
        done.set()
        await task
    ticks.append(time.monotonic())
    return result, max(b - a for a, b in zip(ticks, ticks[1:], strict=False)), len(ticks)


# ------------------------------------------------------------------------------ (a) the call's transport


def test_sync_exchange_goes_through_the_client_transport(vertex_server, service_account):
    rec = Recording()
    client = litegate.Client(transport=rec, vertex_credentials=service_account, vertex_project="p")
    resp = client.completion(MODEL, **_kw(vertex_server))
    assert resp.choices[0].message.content == "This is a fake reply to: Hello"
    assert rec.routes() == [("send", "POST", "token"), ("send", "POST", "gemini-2.5-flash:generateContent")]
    _, _, url, headers, _ = rec.seen[0]
    assert url == vertex_server.token_uri and headers["content-type"] == "application/x-www-form-urlencoded"
    assert rec.seen[1][3]["authorization"] == "Bearer " + vertex_server.issued_tokens[0]
    assert vertex_server.hits("/token") == 1


async def test_async_exchange_goes_through_the_client_transport(vertex_server, service_account):
    rec = Recording()
    client = litegate.Client(transport=rec, vertex_credentials=service_account, vertex_project="p")
    await client.acompletion(MODEL, **_kw(vertex_server))
    stream = await client.acompletion(MODEL, stream=True, **_kw(vertex_server))
    assert "".join([c.choices[0].delta.content or "" async for c in stream]) == "This is a fake reply to: Hello"
    assert rec.routes() == [
        ("asend", "POST", "token"),
        ("asend", "POST", "gemini-2.5-flash:generateContent"),
        ("aopen_stream", "POST", "gemini-2.5-flash:streamGenerateContent"),
    ]
    await client.aclose()


def test_module_functions_and_access_token_use_the_default_transport(vertex_server, service_account, monkeypatch):
    rec = Recording()
    monkeypatch.setattr(importlib.import_module("litegate.core.transport"), "_default", rec)
    monkeypatch.setattr(importlib.import_module("litegate.client"), "_default", None)  # rebuilt on rec
    litegate.completion(MODEL, vertex_credentials=service_account, vertex_project="p", **_kw(vertex_server))
    assert rec.routes() == [("send", "POST", "token"), ("send", "POST", "gemini-2.5-flash:generateContent")]
    google_auth.TOKENS.clear()
    token, project = google_auth.access_token(service_account)
    assert (token, project) == (vertex_server.issued_tokens[1], "sa-project")
    assert rec.routes()[-1] == ("send", "POST", "token")


# ------------------------------------------------------------------------------ (b) the event loop keeps running


async def test_a_slow_token_exchange_does_not_block_the_event_loop(vertex_server, service_account):
    vertex_server.require_token = SLOW_TOKEN
    vertex_server.enqueue_raw(
        200, {"access_token": SLOW_TOKEN, "expires_in": 3599, "token_type": "Bearer"}, path="/token", delay=0.8
    )
    started = time.monotonic()
    resp, longest_gap, ticks = await _ticking(
        litegate.acompletion(MODEL, vertex_credentials=service_account, vertex_project="p", **_kw(vertex_server))
    )
    assert time.monotonic() - started >= 0.8  # the exchange really was slow ...
    assert longest_gap < 0.4 and ticks >= 20  # ... and the other task kept running meanwhile
    assert resp.choices[0].message.content == "This is a fake reply to: Hello"
    assert vertex_server.last_request.header("authorization") == "Bearer " + SLOW_TOKEN


async def test_concurrent_callers_wait_for_one_slow_exchange_without_blocking(vertex_server, service_account):
    vertex_server.require_token = SLOW_TOKEN
    vertex_server.enqueue_raw(200, {"access_token": SLOW_TOKEN, "expires_in": 3599}, path="/token", delay=0.5)

    async def calls():  # a coroutine: nothing starts before _ticking awaits it
        return await asyncio.gather(
            *[
                litegate.acompletion(
                    MODEL,
                    vertex_credentials=service_account,
                    vertex_project="p",
                    **_kw(vertex_server, messages=[{"role": "user", "content": f"q{i}"}]),
                )
                for i in range(4)
            ]
        )

    results, longest_gap, _ = await _ticking(calls())
    assert sorted(r.choices[0].message.content for r in results) == [f"This is a fake reply to: q{i}" for i in range(4)]
    assert vertex_server.hits("/token") == 1 and longest_gap < 0.4


# ------------------------------------------------------------------------------ (c) renewed between attempts


@pytest.fixture
def fast_backoff(monkeypatch):
    import litegate.constants as constants

    monkeypatch.setattr(constants, "RETRY_INITIAL_DELAY", 0.001)
    monkeypatch.setattr(constants, "RETRY_MAX_DELAY", 0.01)


def _clock_jumps_after_first_answer(monkeypatch):
    """A recording transport that moves the clock an hour on once the first model answer is back
    (the server's clock too: the process shares ``time.time``)."""
    real = time.time
    offset = [0.0]
    monkeypatch.setattr(time, "time", lambda: real() + offset[0])

    def after(url):
        if "generateContent" in url and not offset[0]:
            offset[0] = 3600.0

    return Recording(after)


def _attempt_tokens(rec):
    return [h["authorization"][len("Bearer ") :] for _, _, url, h, _ in rec.seen if "generateContent" in url]


def test_an_expired_token_is_renewed_on_the_retry(vertex_server, service_account, monkeypatch, fast_backoff):
    rec = _clock_jumps_after_first_answer(monkeypatch)
    vertex_server.enqueue_error(503, path=":generateContent")
    client = litegate.Client(transport=rec, vertex_credentials=service_account, vertex_project="p")
    resp = client.completion(MODEL, num_retries=1, **_kw(vertex_server))
    assert resp.choices[0].message.content == "This is a fake reply to: Hello"
    assert [r[2] for r in rec.routes()] == [
        "token",
        "gemini-2.5-flash:generateContent",
        "token",
        "gemini-2.5-flash:generateContent",
    ]
    assert _attempt_tokens(rec) == vertex_server.issued_tokens and len(set(vertex_server.issued_tokens)) == 2


async def test_an_expired_token_is_renewed_on_the_async_retry(
    vertex_server, service_account, monkeypatch, fast_backoff
):
    rec = _clock_jumps_after_first_answer(monkeypatch)
    vertex_server.enqueue_error(429, path=":generateContent")
    client = litegate.Client(transport=rec, vertex_credentials=service_account, vertex_project="p")
    await client.acompletion(MODEL, num_retries=2, **_kw(vertex_server))
    assert vertex_server.hits("/token") == 2
    assert _attempt_tokens(rec) == vertex_server.issued_tokens


def test_a_fresh_token_is_kept_across_retries(vertex_server, service_account, fast_backoff):
    vertex_server.enqueue_error(503, count=2, path=":generateContent")
    rec = Recording()
    client = litegate.Client(transport=rec, vertex_credentials=service_account, vertex_project="p")
    client.completion(MODEL, num_retries=2, **_kw(vertex_server))
    assert _attempt_tokens(rec) == vertex_server.issued_tokens * 3


# ------------------------------------------------------------------------------ (d) google-auth in a worker thread


@pytest.fixture
def adc(service_account, monkeypatch):
    """Application Default Credentials through google-auth (a service account, project "adc-project"),
    noting the thread each blocking step ran in; ``google.auth.default`` takes 0.4 s, as a metadata
    server probe may."""
    google_auth_lib = pytest.importorskip("google.auth")
    sa = pytest.importorskip("google.oauth2.service_account")
    threads: dict = {}

    class Credentials(sa.Credentials):
        def refresh(self, request):
            threads["refresh"] = threading.current_thread()
            super().refresh(request)

    def fake_default(scopes=None, **kw):
        threads["default"] = threading.current_thread()
        time.sleep(0.4)
        return Credentials.from_service_account_info(service_account, scopes=scopes), "adc-project"

    monkeypatch.setattr(google_auth_lib, "default", fake_default)
    return threads


async def test_google_auth_refresh_runs_in_a_worker_thread_under_async(vertex_server, adc):
    loop_thread = threading.current_thread()
    resp, longest_gap, _ = await _ticking(litegate.acompletion(MODEL, **_kw(vertex_server)))
    assert adc["default"] is not loop_thread and adc["refresh"] is not loop_thread
    assert longest_gap < 0.3  # the 0.4 s google.auth.default did not stop the loop
    # the project only google-auth could name reached the URL and the reported api_base
    assert vertex_server.last_request.path.startswith("/v1/projects/adc-project/locations/us-central1/")
    assert resp._hidden_params["api_base"] == vertex_server.url + "/v1/projects/adc-project/locations/us-central1"
    assert vertex_server.last_request.header("authorization") == "Bearer " + vertex_server.issued_tokens[0]


def test_google_auth_refresh_runs_inline_when_sync(vertex_server, adc):
    resp = litegate.completion(MODEL, **_kw(vertex_server))
    assert adc["default"] is threading.current_thread() and adc["refresh"] is threading.current_thread()
    assert "/projects/{project}" not in resp._hidden_params["api_base"]


# ------------------------------------------------------------------------------ the cache as a flow step


def test_an_abandoned_exchange_releases_the_callers_waiting_for_it(service_account):
    from litegate.core.auth import Blocking
    from litegate.core.http import HttpRequest

    cache = google_auth.TokenCache()
    auth = google_auth.GoogleAuth(service_account, cache=cache)
    first = auth.token()
    assert isinstance(next(first), HttpRequest)  # the exchange is under way
    second = auth.token()
    wait = next(second)
    assert isinstance(wait, Blocking)  # a second caller waits for it ...
    first.close()  # ... and the first flow is dropped before its answer (a cancelled task)
    assert wait.fn() is True  # the waiter is woken at once, not after the wait limit
    assert isinstance(second.send(True), HttpRequest)  # and makes the exchange itself


def test_a_token_endpoint_reset_is_named_and_the_attempt_retried(vertex_server, service_account, fast_backoff):
    """A connection failure of the token exchange is thrown into the flow (which names the token
    endpoint) and retried with the attempt; once the exchange works the call succeeds."""
    vertex_server.enqueue_fault("reset", path="/token")
    with pytest.raises(litegate.APIConnectionError, match="token endpoint"):
        litegate.completion(
            MODEL, vertex_credentials=service_account, vertex_project="p", num_retries=0, **_kw(vertex_server)
        )
    vertex_server.enqueue_fault("reset", path="/token")
    resp = litegate.completion(
        MODEL, vertex_credentials=service_account, vertex_project="p", num_retries=1, **_kw(vertex_server)
    )
    assert resp.choices[0].message.content == "This is a fake reply to: Hello"
    assert vertex_server.hits("/token") == 3
