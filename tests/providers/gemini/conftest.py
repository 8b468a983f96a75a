"""Fixtures for the Gemini dialect tests (helpers for the transcripts: _gemini_helpers.py)."""

from __future__ import annotations

import pytest
from _gemini_helpers import KEY


@pytest.fixture
def gemini_server():
    from litegate.testing import FakeGeminiServer

    with FakeGeminiServer(require_key=KEY) as srv:
        yield srv


@pytest.fixture
def fast_backoff(monkeypatch):
    """Make the exponential backoff (used when the server gives no retry delay) negligible."""
    import litegate.constants as constants

    monkeypatch.setattr(constants, "RETRY_INITIAL_DELAY", 0.001)
    monkeypatch.setattr(constants, "RETRY_MAX_DELAY", 0.01)
