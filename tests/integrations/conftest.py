"""Fixtures for the observability tests: the built integrations are forgotten after each test."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fresh_integrations():
    from litegate import integrations

    integrations.reset()
    yield
    integrations.reset()


@pytest.fixture
def fast_backoff(monkeypatch):
    """Make the retry backoff negligible."""
    import litegate.constants as constants

    monkeypatch.setattr(constants, "RETRY_INITIAL_DELAY", 0.001)
    monkeypatch.setattr(constants, "RETRY_MAX_DELAY", 0.01)
