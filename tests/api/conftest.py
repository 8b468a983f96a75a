"""Fixtures for the API tests (audio, adapters, files, batches, fine-tuning, assistants)."""

from __future__ import annotations

import pytest


@pytest.fixture
def fast_backoff(monkeypatch):
    """Make the exponential backoff (used when the server gives no retry-after) negligible."""
    import litegate.constants as constants

    monkeypatch.setattr(constants, "RETRY_INITIAL_DELAY", 0.001)
    monkeypatch.setattr(constants, "RETRY_MAX_DELAY", 0.01)
