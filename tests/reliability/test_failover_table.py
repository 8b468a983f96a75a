"""The failover table of issue 9: one test per upstream fault.

The issue's setting is ``num_retries=2``, ``timeout=30``, one entry in ``fallbacks``, streamed and
not, sync and async. Here every call has two retries, one fallback (``openai/primary`` falls back to
``openai/backup``, both on the same fake OpenAI server over a real socket, told apart by the model
each request names) and a timeout scaled down to 0.5 s; every other time in the table is scaled
with it. Each test asserts what the caller got and the attempts as the server saw them: which
model each request named and when it arrived (``RecordedRequest.received_at``).

Rows that are only about streams (a first token, a break mid-stream, the end of a stream) run
streamed only; the others run over ``mode`` (sync / async) x ``stream`` (plain / stream).
docs/RELIABILITY.md holds the table with the verdicts.
"""

from __future__ import annotations

import time

import pytest
from _failover_helpers import (
    BACKUP,
    CONTINUATION,
    MSGS,
    PRIMARY,
    TIMEOUT,
    arrivals,
    chunk,
    gaps,
    models,
    prefill_of,
    text_of,
    token_events,
)

import litegate
from litegate.testing import FakeOpenAIServer

STREAM = pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
RECOVERY = pytest.mark.parametrize("recovery", [False, True], ids=["no_recovery", "recovery"])

FALLBACK_ANSWER = "answer from the backup model"
PRIMARY_ANSWER = "answer from the primary model"


def _assert_answer(out, text, model, stream):
    assert out.error is None, f"expected the answer, got {out!r}"
    assert out.text == text
    if stream:
        assert out.chunks and all(c.model == model for c in out.chunks), [c.model for c in out.chunks]
        assert out.finish_reasons == ["stop"]
    else:
        assert out.response.model == model


# =================================================================================== row 1
@STREAM
def test_row01_429_with_retry_after_waits_as_told_then_answers(drive, server, stream):
    """429 with ``Retry-After`` (2 s scaled to 0.5 s), then healthy: the answer, and the retry
    comes no earlier than the header allows."""
    server.enqueue_error(429, headers={"retry-after": "0.5"})
    server.enqueue_reply(PRIMARY_ANSWER)
    out = drive.call(stream, fallbacks=[BACKUP])
    _assert_answer(out, PRIMARY_ANSWER, "primary", stream)
    assert models(server) == ["primary", "primary"], "a retry on the same model, no fallback"
    (gap,) = gaps(arrivals(server))
    assert gap >= 0.5, f"retried {gap:.3f} s after a retry-after of 0.5 s"
    assert gap < 0.5 + 0.5, f"retried {gap:.3f} s later: far more than asked"
    assert server.pending == 0


# =================================================================================== row 2
@STREAM
def test_row02_429_every_time_backs_off_with_jitter_then_falls_back(drive, server, stream):
    """429 on every attempt, no Retry-After: jittered exponential backoff with the real default
    constants (no more than 4 attempts in the first 3 s), at most 3 attempts on the primary, then
    the fallback's answer."""
    import litegate.constants as C

    server.enqueue_error(429, count=3, headers={"retry-after": None})
    server.enqueue_reply(FALLBACK_ANSWER)
    out = drive.call(stream, fallbacks=[BACKUP])
    _assert_answer(out, FALLBACK_ANSWER, "backup", stream)
    seen = models(server)
    assert seen.count("primary") <= 3 and seen == ["primary"] * 3 + ["backup"], seen
    times = arrivals(server)
    assert sum(1 for t in times if t - times[0] < 3.0) <= 4
    # each wait lies in its jitter window: between half and all of INITIAL * 2**attempt
    first, second = gaps(times[:3])
    lo0, hi0 = C.RETRY_INITIAL_DELAY / 2, C.RETRY_INITIAL_DELAY
    lo1, hi1 = C.RETRY_INITIAL_DELAY, 2 * C.RETRY_INITIAL_DELAY
    assert lo0 * 0.95 <= first <= hi0 + 0.25, f"first backoff {first:.3f} s outside [{lo0}, {hi0}]"
    assert lo1 * 0.95 <= second <= hi1 + 0.25, f"second backoff {second:.3f} s outside [{lo1}, {hi1}]"
    assert times[3] - times[2] < 0.25, "the fallback follows the last failed attempt at once"


# =================================================================================== row 3
@STREAM
def test_row03_500_once_then_the_answer_from_a_retry_on_the_same_model(drive, server, stream, fast_backoff):
    server.enqueue_error(500)
    server.enqueue_reply(PRIMARY_ANSWER)
    out = drive.call(stream, fallbacks=[BACKUP])
    _assert_answer(out, PRIMARY_ANSWER, "primary", stream)
    assert models(server) == ["primary", "primary"]
    assert server.pending == 0


# =================================================================================== row 4
@STREAM
def test_row04_503_every_time_gives_the_fallbacks_answer_within_the_retry_budget(drive, server, stream, fast_backoff):
    server.enqueue_error(503, count=3)
    server.enqueue_reply(FALLBACK_ANSWER)
    out = drive.call(stream, fallbacks=[BACKUP])
    _assert_answer(out, FALLBACK_ANSWER, "backup", stream)
    assert models(server) == ["primary"] * 3 + ["backup"], "1 attempt + 2 retries, then the fallback"
    assert out.elapsed < 1.0
    assert server.pending == 0


# =================================================================================== row 5
@STREAM
def test_row05_tcp_reset_before_any_byte_is_retried(drive, server, stream, fast_backoff):
    server.enqueue_fault("reset")
    server.enqueue_reply(PRIMARY_ANSWER)
    out = drive.call(stream, fallbacks=[BACKUP])
    _assert_answer(out, PRIMARY_ANSWER, "primary", stream)
    assert models(server) == ["primary", "primary"]
    assert server.pending == 0


# =================================================================================== row 6
@STREAM
def test_row06_silent_upstream_falls_back_after_the_first_timeout(drive, server, stream, fast_backoff):
    """Request accepted, no byte ever sent: the fallback's answer after the FIRST timeout. A route
    that stayed silent for a whole timeout is not retried when a fallback exists."""
    server.enqueue_fault("stall")
    server.enqueue_reply(FALLBACK_ANSWER)
    out = drive.call(stream, fallbacks=[BACKUP])
    assert models(server) == ["primary", "backup"], "the silent route must not be retried"
    _assert_answer(out, FALLBACK_ANSWER, "backup", stream)
    primary_at, backup_at = arrivals(server)
    assert backup_at - primary_at >= TIMEOUT * 0.9, "the fallback comes after one timeout"
    assert out.elapsed < TIMEOUT * 1.8, f"{out.elapsed:.3f} s: about one timeout expected"


# =================================================================================== row 7
def test_row07_late_first_token(drive, server):
    """Headers at once, the first token late (20 s of a 30 s timeout, scaled: 0.6 s of 1 s): the
    answer. With ``stream_first_token_timeout`` below the delay (per call, then as the module
    setting) the fallback's answer instead, decided inside ``completion()`` / ``acompletion()``:
    the stream handed back already comes from the fallback."""
    # off by default: the late first token is waited for
    server.enqueue_stream(None, first_delay=0.6)
    out = drive.call(True, fallbacks=[BACKUP], timeout=1.0)
    assert out.error is None, out
    assert out.text and out.finish_reasons == ["stop"] and out.chunks[0].model == "primary"
    assert out.first_chunk_at - out.started >= 0.6
    assert models(server) == ["primary"]

    for how in ("per_call", "module"):
        server.reset()
        server.enqueue_stream(None, first_delay=0.6)
        server.enqueue_reply(FALLBACK_ANSWER)
        kw = {"fallbacks": [BACKUP], "timeout": 1.0}
        if how == "per_call":
            kw["stream_first_token_timeout"] = 0.2
        else:
            litegate.stream_first_token_timeout = 0.2
        out = drive.call(True, **kw)
        litegate.stream_first_token_timeout = None
        assert out.error is None, f"{how}: {out!r} after {models(server)}"
        assert out.text == FALLBACK_ANSWER, how
        assert models(server) == ["primary", "backup"], how
        primary_at, backup_at = arrivals(server)
        assert 0.2 * 0.9 <= backup_at - primary_at < 0.6, f"{how}: the fallback is asked once 0.2 s passed"
        # decided inside completion(): when it returned, the fallback had already been asked
        assert backup_at <= out.returned, f"{how}: the switch happened while the caller was iterating"
        assert out.elapsed < 0.6, f"{how}: waited {out.elapsed:.3f} s, as long as the slow first token"


# =================================================================================== row 8
@RECOVERY
def test_row08_stream_cut_after_40_of_60_tokens(drive, server, recovery):
    """The connection closes after 40 of 60 tokens, no terminating chunk: never a truncated answer
    presented as success. Without recovery: ``APIConnectionError`` while iterating, after the 40
    tokens. With ``stream_recovery`` and a fallback that takes assistant prefill: the whole answer
    (the 40 tokens, then the fallback's continuation of exactly that text)."""
    server.enqueue_stream(token_events(60), cut_after=40, terminate=False)
    kw = {"fallbacks": [BACKUP], "timeout": 2.0}
    if recovery:
        server.enqueue_reply(CONTINUATION)
        kw.update(stream_recovery=True, assistant_prefill_models=[BACKUP])
    out = drive.call(True, **kw)
    delivered = text_of(40)
    if not recovery:
        assert isinstance(out.error, litegate.APIConnectionError), out
        assert out.raised_at == "iteration"
        assert out.text == delivered and out.finish_reasons == []
        assert models(server) == ["primary"], "no second request without recovery"
        return
    _assert_recovered(out, server, delivered, 40, "APIConnectionError")


def _assert_recovered(out, server, delivered, delivered_chunks, error_name):
    assert out.error is None, f"expected the whole answer, got {out!r} after {models(server)}"
    assert out.text == delivered + CONTINUATION
    assert out.finish_reasons == ["stop"]
    assert out.role_chunks == 1, "the continuation's role-only chunk is not repeated"
    assert models(server) == ["primary", "backup"], "primary takes no prefill: the fallback continues"
    continuation = server.requests[-1].json
    assert continuation["messages"][:-1] == MSGS
    assert prefill_of(server.requests[-1]) == {"role": "assistant", "content": delivered}
    assert continuation.get("stream") is True
    info = out.hidden.get("stream_recovery")
    assert info is not None, f"no stream_recovery in {out.hidden}"
    assert info["recovered"] is True
    assert info["error"] == error_name
    assert info["model"] in ("backup", BACKUP)
    assert info["delivered_chunks"] == delivered_chunks
    assert server.pending == 0


# =================================================================================== row 9
@RECOVERY
def test_row09_stream_silent_after_20_tokens(drive, server, recovery):
    """The stream goes silent after 20 tokens (30 s scaled: until the client leaves): detected by
    ``stream_timeout`` (0.3 s) as ``litegate.Timeout`` while iterating, or recovered with
    ``stream_recovery``; the client stays healthy: the connection is released and the next calls
    on the same client are answered."""
    events = token_events(60) + [chunk(finish="stop")]
    server.enqueue_stream(events, stall_after=20)
    kw = {"fallbacks": [BACKUP], "timeout": 5.0, "stream_timeout": 0.3}
    if recovery:
        server.enqueue_reply(CONTINUATION)
        kw.update(stream_recovery=True, assistant_prefill_models=[BACKUP])
    out = drive.call(True, **kw)
    delivered = text_of(20)
    if recovery:
        _assert_recovered(out, server, delivered, 20, "Timeout")
    else:
        assert isinstance(out.error, litegate.Timeout), out
        assert out.raised_at == "iteration"
        assert out.text == delivered and out.finish_reasons == []
        silence = out.ended - out.last_chunk_at
        assert 0.3 * 0.9 <= silence < 0.3 + 0.7, f"the silence was detected after {silence:.3f} s"
        assert models(server) == ["primary"]
    # the stalled connection was let go (the server holds it until the client closes it)
    deadline = time.monotonic() + 2.0
    while server.stalled_connections and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.stalled_connections == 0, "the client kept the stalled connection open"
    # and the same client answers the next calls, plain and streamed
    before = server.hits()
    server.enqueue_reply(PRIMARY_ANSWER, count=2)
    for stream in (False, True):
        nxt = drive.call(stream, fallbacks=[BACKUP])
        assert nxt.error is None and nxt.text == PRIMARY_ANSWER, nxt
    assert models(server, before) == ["primary", "primary"]


# =================================================================================== row 10
def _malformed_stream():
    """An otherwise complete stream with one event whose data is not JSON after 10 tokens."""
    return token_events(10) + [b"data: {not json\n\n"] + [chunk(t) for t in ["more ", "text "]] + [chunk(finish="stop")]


@RECOVERY
def test_row10_one_invalid_json_event(drive, server, recovery):
    """One invalid-JSON event in an otherwise complete stream: a typed error
    (``APIResponseValidationError``), nothing partial presented as complete; with
    ``stream_recovery`` (here the module settings) the whole answer."""
    if not recovery:
        for source in ("fault", "events"):
            server.reset()
            if source == "fault":
                server.enqueue_fault("malformed_stream")
            else:
                server.enqueue_stream(_malformed_stream())
            out = drive.call(True, fallbacks=[BACKUP])
            assert isinstance(out.error, litegate.APIResponseValidationError), (source, out)
            assert out.finish_reasons == [], f"{source}: a broken stream ended as if complete"
            if source == "events":
                assert out.raised_at == "iteration" and out.text == text_of(10)
            assert models(server) == ["primary"], source
        return
    litegate.stream_recovery = True
    litegate.assistant_prefill_models = [BACKUP]
    server.enqueue_stream(_malformed_stream())
    server.enqueue_reply(CONTINUATION)
    out = drive.call(True, fallbacks=[BACKUP])
    _assert_recovered(out, server, text_of(10), 10, "APIResponseValidationError")


# =================================================================================== row 11
@pytest.mark.parametrize("source", ["no_done_fault", "events"])
def test_row11_complete_stream_without_done_is_the_answer_with_usage(drive, server, source):
    """A complete stream (finish reason + usage) that ends without ``data: [DONE]``: the answer with
    its usage, finished within 1 s of the body's end, after exactly one attempt."""
    usage = {"prompt_tokens": 11, "completion_tokens": 5, "total_tokens": 16}
    if source == "no_done_fault":
        server.enqueue_fault("no_done")
    else:
        server.enqueue_stream(token_events(5) + [chunk(finish="stop"), chunk(usage=usage)], terminate=False)
    out = drive.call(True, fallbacks=[BACKUP], timeout=5.0, stream_options={"include_usage": True})
    assert out.error is None, f"{out!r} after {models(server)}"
    assert out.finish_reasons == ["stop"]
    if source == "events":
        assert out.text == text_of(5)
    else:
        assert out.text.startswith("This is a fake reply to")
    got = out.usage()
    assert got and got.get("total_tokens"), f"no usage: {out.hidden}"
    assert not out.hidden.get("usage_estimated"), "the provider's usage, not an estimate"
    if source == "events":
        assert (got["prompt_tokens"], got["completion_tokens"], got["total_tokens"]) == (11, 5, 16)
    assert out.ended - out.last_chunk_at < 1.0
    assert out.elapsed < 1.0
    assert models(server) == ["primary"], "exactly one attempt"


# =================================================================================== row 12
@STREAM
def test_row12_context_length_exceeded_is_not_resent(drive, server, stream):
    """400 context length exceeded: one attempt on the primary (no blind resend of the same
    prompt); ``context_window_fallbacks`` answer, else the general ``fallbacks``."""
    message = (
        "This model's maximum context length is 128000 tokens. However, your messages resulted in "
        "130512 tokens. Please reduce the length of the messages."
    )
    server.enqueue_error(400, code="context_length_exceeded", message=message)
    server.enqueue_reply("answer from the big model")
    out = drive.call(stream, fallbacks=[BACKUP], context_window_fallbacks=["openai/big"])
    _assert_answer(out, "answer from the big model", "big", stream)
    assert models(server) == ["primary", "big"]

    server.reset()
    server.enqueue_error(400, code="context_length_exceeded", message=message)
    server.enqueue_reply(FALLBACK_ANSWER)
    out = drive.call(stream, fallbacks=[BACKUP])
    _assert_answer(out, FALLBACK_ANSWER, "backup", stream)
    assert models(server) == ["primary", "backup"]


# =================================================================================== row 13
@STREAM
def test_row13_content_policy_is_one_attempt_and_only_content_policy_fallbacks(drive, server, stream):
    """400 content policy: exactly one attempt. With only the general ``fallbacks`` a clean
    ``ContentPolicyViolationError`` (the fallback is not called); with ``content_policy_fallbacks``
    naming a target, that target answers."""
    message = "Your request was rejected as a result of our safety system."
    server.enqueue_error(400, code="content_policy_violation", message=message)
    server.enqueue_reply(FALLBACK_ANSWER)  # would answer if the general fallback were (wrongly) asked
    out = drive.call(stream, fallbacks=[BACKUP])
    assert isinstance(out.error, litegate.ContentPolicyViolationError), f"{out!r} after {models(server)}"
    assert out.raised_at == "call"
    assert out.error.status_code == 400 and message in out.error.message
    assert models(server) == ["primary"], "the general fallbacks do not route around a content rejection"

    server.reset()
    server.enqueue_error(400, code="content_policy_violation", message=message)
    server.enqueue_reply("answer from the reviewer model")
    out = drive.call(stream, fallbacks=[BACKUP], content_policy_fallbacks=["openai/reviewer"])
    _assert_answer(out, "answer from the reviewer model", "reviewer", stream)
    assert models(server) == ["primary", "reviewer"]


# =================================================================================== row 14
def test_row14_fallback_rejecting_the_prefill_never_becomes_the_final_error(drive, server):
    """The stream is cut; recovery asks the fallback to continue, and the fallback rejects a
    trailing assistant message with a 400: the caller gets the original typed error
    (``APIConnectionError``), never the fallback's 400."""
    server.enqueue_stream(token_events(30), cut_after=10, terminate=False)
    server.enqueue_error(
        400,
        message="This model does not support assistant message prefill. The conversation must end with a user message.",
    )
    out = drive.call(True, fallbacks=[BACKUP], timeout=2.0, stream_recovery=True, assistant_prefill_models=[BACKUP])
    assert models(server) == ["primary", "backup"], "recovery must have asked the fallback to continue"
    assert prefill_of(server.requests[-1]) == {"role": "assistant", "content": text_of(10)}
    assert isinstance(out.error, litegate.APIConnectionError), out
    assert not isinstance(out.error, litegate.BadRequestError)
    assert out.error.status_code != 400
    assert out.raised_at == "iteration" and out.text == text_of(10)


# =================================================================================== row 15
class OutageServer(FakeOpenAIServer):
    """Answers 503 to every request naming ``primary`` until ``outage_until`` (monotonic)."""

    outage_until = 0.0

    def _chat(self, call):
        body = call.rec.json
        if isinstance(body, dict) and body.get("model") == "primary" and call.rec.received_at < self.outage_until:
            return self._error(503, "primary is down")
        return super()._chat(call)


@STREAM
def test_row15_outage_window_then_recovery(drive, stream, fast_backoff):
    """The primary answers 503 for a window (60 s scaled: 0.35 s) then recovers; one request every
    0.1 s (4 s scaled), 8 in all: every request is answered - by the fallback while the primary is
    down - and the primary answers again from the first request after its recovery."""
    with OutageServer() as srv:
        start = time.monotonic()
        srv.outage_until = start + 0.35
        per_request = []
        for i in range(8):
            pause = start + 0.1 * i - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            before = srv.hits()
            began = time.monotonic()
            out = drive.call(stream, server=srv, fallbacks=[BACKUP])
            assert out.error is None, f"request {i}: {out!r}"
            assert out.text.startswith("This is a fake reply to"), f"request {i}: {out.text!r}"
            per_request.append((began, models(srv, before), out))
    during = [(m, o) for began, m, o in per_request if began < srv.outage_until - 0.05]
    after = [(m, o) for began, m, o in per_request if began >= srv.outage_until]
    assert len(during) >= 3 and len(after) >= 3, [(round(b - start, 3), m) for b, m, _ in per_request]
    for seen, out in during:
        assert seen == ["primary"] * 3 + ["backup"], seen
        assert (out.chunks[0].model if stream else out.response.model) == "backup"
    for seen, out in after:
        assert seen == ["primary"], f"the recovered primary was not used again: {seen}"
        assert (out.chunks[0].model if stream else out.response.model) == "primary"


# =================================================================================== row 16
@STREAM
def test_row16_the_fallbacks_answer_says_who_answered_after_how_many_attempts(drive, server, stream, fast_backoff):
    """503 on every primary attempt, the fallback answers: ``response.model`` names the fallback,
    usage is there, ``_hidden_params`` name the answering model, the attempts made in all and the
    model the call was for."""
    server.enqueue_error(503, count=3)
    server.enqueue_reply(FALLBACK_ANSWER)
    kw = {"stream_options": {"include_usage": True}} if stream else {}
    out = drive.call(stream, fallbacks=[BACKUP], **kw)
    _assert_answer(out, FALLBACK_ANSWER, "backup", stream)
    assert models(server) == ["primary"] * 3 + ["backup"]
    usage = out.usage()
    assert usage and usage.get("total_tokens"), f"no usage: {out.hidden}"
    hidden = out.hidden
    assert hidden.get("model") == "backup", hidden
    assert hidden.get("attempts") == 4, hidden
    assert hidden.get("fallback_from") == PRIMARY, hidden
