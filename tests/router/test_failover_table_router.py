"""The failover table (tests/reliability, docs/RELIABILITY.md) driven through the Router.

Every row's own test runs unchanged, with ``litegate.completion`` / ``acompletion`` replaced by a
Router in front of them: one group per model of the table (``openai/primary``, ``openai/backup``,
``openai/big``, ``openai/reviewer``, one deployment each on the row's fake server), the call's
``fallbacks`` / ``context_window_fallbacks`` / ``content_policy_fallbacks`` given to the Router
per call (so they name groups), ``num_retries=2`` and the scaled timeout as in the table. Each
deployment attempt is one lifecycle attempt; the Router retries and falls back.

Rows 8-10 and 14 run with and without mid-stream recovery: through the Router a broken stream
continues on its own deployment, then on the deployments of the fallback groups. Row 15, the
outage window, has its Router form here: the primary is cooled down after ``allowed_fails`` and
probed again after ``cooldown_time``.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import pytest

import litegate
from litegate.router import Router

RELIABILITY = Path(__file__).resolve().parents[1] / "reliability"
sys.path.insert(0, str(RELIABILITY))


def _load(name: str, file: str):
    spec = importlib.util.spec_from_file_location(name, RELIABILITY / file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_fixtures = _load("_reliability_conftest", "conftest.py")
table = _load("_reliability_table", "test_failover_table.py")
import _failover_helpers as H  # noqa: E402 - the path above

mode = _fixtures.mode
drive = _fixtures.drive
fast_backoff = _fixtures.fast_backoff

GROUPS = ("openai/primary", "openai/backup", "openai/big", "openai/reviewer")
_ROUTED = ("fallbacks", "context_window_fallbacks", "content_policy_fallbacks")


class _Routed:
    """``litegate.completion`` / ``acompletion`` as the table calls them, answered through one Router
    per server (its state - failures, cooldowns - lasts for the test, like a real deployment's)."""

    def __init__(self, **router_kw):
        self.routers: dict = {}
        self.router_kw = router_kw
        self.calls = 0

    def router(self, kwargs: dict) -> Router:
        base, key = kwargs.pop("api_base"), kwargs.pop("api_key")
        r = self.routers.get(base)
        if r is None:
            model_list = [
                {
                    "model_name": g,
                    "litellm_params": {"model": g, "api_key": key, "api_base": base},
                    "model_info": {"id": g.split("/")[1]},
                }
                for g in GROUPS
            ]
            r = self.routers[base] = Router(model_list=model_list, **self.router_kw)
        return r

    def completion(self, model: str, **kwargs):
        self.calls += 1
        return self.router(kwargs).completion(model=model, **kwargs)

    async def acompletion(self, model: str, **kwargs):
        self.calls += 1
        return await self.router(kwargs).acompletion(model=model, **kwargs)


@pytest.fixture(autouse=True)
def routed(monkeypatch):
    shim = _Routed()
    monkeypatch.setattr(litegate, "completion", shim.completion)
    monkeypatch.setattr(litegate, "acompletion", shim.acompletion)
    yield shim
    assert shim.calls, "the row made no call through the Router"


# the table's rows, unchanged (their parametrizations come with them)
test_row01 = table.test_row01_429_with_retry_after_waits_as_told_then_answers
test_row02 = table.test_row02_429_every_time_backs_off_with_jitter_then_falls_back
test_row03 = table.test_row03_500_once_then_the_answer_from_a_retry_on_the_same_model
test_row04 = table.test_row04_503_every_time_gives_the_fallbacks_answer_within_the_retry_budget
test_row05 = table.test_row05_tcp_reset_before_any_byte_is_retried
test_row06 = table.test_row06_silent_upstream_falls_back_after_the_first_timeout
test_row07 = table.test_row07_late_first_token
test_row11 = table.test_row11_complete_stream_without_done_is_the_answer_with_usage
test_row12 = table.test_row12_context_length_exceeded_is_not_resent
test_row13 = table.test_row13_content_policy_is_one_attempt_and_only_content_policy_fallbacks
test_row16 = table.test_row16_the_fallbacks_answer_says_who_answered_after_how_many_attempts


test_row08 = table.test_row08_stream_cut_after_40_of_60_tokens
test_row09 = table.test_row09_stream_silent_after_20_tokens
test_row10 = table.test_row10_one_invalid_json_event
test_row14 = table.test_row14_fallback_rejecting_the_prefill_never_becomes_the_final_error


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
def test_row15_outage_cools_the_primary_and_probes_it_after_the_cooldown(drive, stream, fast_backoff, routed):
    """The primary answers 503 for a window (60 s scaled to 1 s), one request every 4 s (scaled
    0.067 s): every request is answered; each costs at most one primary attempt (after its first
    failure the primary is cooling down, ``allowed_fails=1``); while cooling down it is not asked
    at all; after ``cooldown_time`` (15 s, scaled 0.25 s) it is probed again, and it serves again
    within 30 s (scaled 0.5 s) of its recovery."""
    routed.router_kw.update(allowed_fails=1, cooldown_time=0.25)
    with table.OutageServer() as srv:
        start = time.monotonic()
        srv.outage_until = start + 1.0
        rows = []
        for i in range(30):
            pause = start + i / 15 - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            before = srv.hits()
            began = time.monotonic()
            out = drive.call(stream, server=srv, fallbacks=["openai/backup"])
            assert out.error is None, f"request {i}: {out!r}"
            rows.append((began, H.models(srv, before), out))
    recovered = srv.outage_until
    for _began, seen, _out in rows:
        assert seen.count("primary") <= 1, f"{seen}: more than one primary attempt in one request"
    during = [seen for began, seen, _ in rows if began < recovered]
    probes = [began for began, seen, _ in rows if began < recovered and "primary" in seen]
    assert len(during) >= 12
    assert all(seen == ["primary", "backup"] or seen == ["backup"] for seen in during), during
    # probed once per cooldown, not on every request
    assert 2 <= len(probes) <= 1.0 / 0.25 + 2, probes
    assert all(b - a >= 0.25 * 0.9 for a, b in zip(probes, probes[1:], strict=False)), probes
    first_back = next(began for began, seen, out in rows if began >= recovered and seen == ["primary"])
    assert first_back - recovered <= 0.5, f"primary served again {first_back - recovered:.3f} s after recovery"
    after = [(seen, out) for began, seen, out in rows if began >= first_back]
    for seen, out in after:
        assert seen == ["primary"], seen
        assert (out.chunks[0].model if stream else out.response.model) == "primary"
