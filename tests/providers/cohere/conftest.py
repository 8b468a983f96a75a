"""Fixtures for the Cohere dialect tests (helpers for the transcripts: _cohere_helpers.py)."""

from __future__ import annotations

import pytest
from _cohere_helpers import KEY


@pytest.fixture
def cohere_server():
    from litegate.testing import FakeCohereServer

    with FakeCohereServer(require_key=KEY) as srv:
        yield srv


@pytest.fixture
def fast_backoff(monkeypatch):
    """Make the exponential backoff (used when the server gives no retry-after) negligible."""
    import litegate.constants as constants

    monkeypatch.setattr(constants, "RETRY_INITIAL_DELAY", 0.001)
    monkeypatch.setattr(constants, "RETRY_MAX_DELAY", 0.01)
