"""Plain helpers of the Router tests (imported as ``from _router_helpers import ...``)."""

from __future__ import annotations

KEY = "sk-router-test-0000000000000000"
MSGS = [{"role": "user", "content": "route me"}]


class Clock:
    """An injectable wall clock: tests move time forward instead of sleeping."""

    def __init__(self, start: float = 1_800_000_000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def entry(group: str, server, id: str, model: str = "openai/gpt-4o", **extra):
    """One model_list entry aimed at ``server``."""
    params = {"model": model, "api_key": KEY, "api_base": server.base_url}
    params.update(extra.pop("params", {}))
    return {"model_name": group, "litellm_params": params, "model_info": {"id": id}, **extra}
