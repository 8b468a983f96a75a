"""Fixtures for the Anthropic dialect tests (helpers for the recorded transcripts: _anthropic_helpers.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def anthropic_server():
    from litegate.testing import FakeAnthropicServer

    with FakeAnthropicServer(require_key="sk-ant-test") as srv:
        yield srv


@pytest.fixture
def fast_backoff(monkeypatch):
    """Make the exponential backoff (used when the server gives no retry-after) negligible."""
    import litegate.constants as constants

    monkeypatch.setattr(constants, "RETRY_INITIAL_DELAY", 0.001)
    monkeypatch.setattr(constants, "RETRY_MAX_DELAY", 0.01)
