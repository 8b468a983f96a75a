"""Fixtures of the Router tests: several fake OpenAI servers (one per deployment), a fake clock."""

from __future__ import annotations

import pytest
from _router_helpers import Clock

from litegate.testing import FakeOpenAIServer


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def servers():
    """Four fake OpenAI servers on real sockets."""
    srvs = [FakeOpenAIServer() for _ in range(4)]
    for s in srvs:
        s.start()
    try:
        yield srvs
    finally:
        for s in srvs:
            s.stop()
