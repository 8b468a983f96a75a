"""Fixtures for the Ollama tests: the fake Ollama server over a real socket."""

from __future__ import annotations

import pytest


@pytest.fixture
def ollama():
    from litegate.testing import FakeOllamaServer

    with FakeOllamaServer() as srv:
        yield srv
