"""batch_completion progress (off by default): a callable sees every finished request; progress=True
draws a tqdm bar on stderr (the optional ``progress`` extra)."""

from __future__ import annotations

import io
import sys

import pytest

from litegate.batch import abatch_completion, batch_completion


def _reqs(server, n):
    return [
        {
            "model": "gpt-4o-mini",
            "messages": [{"role": "user", "content": f"q{i}"}],
            "api_base": server.base_url,
            "api_key": "sk-test",
        }
        for i in range(n)
    ]


def test_callable_progress_counts_every_request(server):
    seen = []
    out = batch_completion(
        requests=_reqs(server, 6), max_concurrent_requests=3, progress=lambda done, total: seen.append((done, total))
    )
    assert len(out) == 6
    assert seen == [(i, 6) for i in range(1, 7)]


async def test_async_progress_and_failures_count_too(server):
    server.enqueue_error(status=400, count=1)
    seen = []
    out = await abatch_completion(requests=_reqs(server, 4), progress=lambda d, t: seen.append(d), num_retries=0)
    assert sum(isinstance(r, Exception) for r in out) == 1
    assert sorted(seen) == [1, 2, 3, 4]


def test_tqdm_bar_on_stderr(server, monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    batch_completion(requests=_reqs(server, 3), progress=True)
    assert "batch_completion" in err.getvalue() and "3/3" in err.getvalue()


def test_off_by_default_and_bad_value(server, monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    batch_completion(requests=_reqs(server, 2))
    assert err.getvalue() == ""
    with pytest.raises(TypeError):
        batch_completion(requests=_reqs(server, 1), progress="yes")
