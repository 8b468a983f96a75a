"""Fixtures for the BudgetManager tests: a budget file per test, a controllable clock."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

SRC_DIR = str(Path(__file__).resolve().parents[2] / "src")


@pytest.fixture(autouse=True)
def _no_budget_env(monkeypatch):
    monkeypatch.delenv("LITEGATE_BUDGET_FILE", raising=False)


@pytest.fixture
def budget_file(tmp_path) -> Path:
    return tmp_path / "user_cost.json"


class Clock:
    """Stands in for ``litegate.budget._now`` (epoch seconds)."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, days: float = 0.0, seconds: float = 0.0) -> None:
        self.now += days * 86400 + seconds


@pytest.fixture
def clock(monkeypatch) -> Clock:
    import litegate.budget as budget

    c = Clock()
    monkeypatch.setattr(budget, "_now", c)
    return c


@pytest.fixture
def child_env() -> dict:
    """Environment for child Python processes that import litegate from this checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC_DIR + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("LITEGATE_BUDGET_FILE", None)
    return env


@pytest.fixture
def python() -> str:
    return sys.executable
