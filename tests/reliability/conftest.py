"""Fixtures of the failover table (issue 9): the call driver in both modes, and a negligible backoff.

The ``server`` fixture (a ``FakeOpenAIServer`` on a real socket) and the reset of the module
settings after every test come from ``tests/conftest.py``.
"""

from __future__ import annotations

import pytest
from _failover_helpers import Driver


@pytest.fixture
def fast_backoff(monkeypatch):
    """Rows that are not about backoff timing: make the jittered backoff (no retry-after) negligible."""
    import litegate.constants as constants

    monkeypatch.setattr(constants, "RETRY_INITIAL_DELAY", 0.001)
    monkeypatch.setattr(constants, "RETRY_MAX_DELAY", 0.01)


@pytest.fixture(params=["sync", "async"])
def mode(request):
    """``completion`` (sync) or ``acompletion`` (async)."""
    return request.param


@pytest.fixture
def drive(mode, server):
    """A :class:`Driver` for the test's mode, aimed at ``server``. The async mode keeps one event
    loop for the whole test, so that every call of a test goes through the same async client."""
    driver = Driver(mode, server)
    try:
        yield driver
    finally:
        driver.close()
