"""Plain helpers shared by the caching tests (imported as ``from _cache_helpers import ...``)."""

from __future__ import annotations


class Clock:
    """An injectable ``time.time``: tests move it instead of sleeping."""

    def __init__(self, start: float = 1_700_000_000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def chat_kw(server, content: str = "hi", **more):
    return dict(model="openai/gpt-4o-mini", messages=[{"role": "user", "content": content}],
                api_base=server.base_url, api_key="sk-test-cache-key-0001", **more)


def emb_kw(server, items, **more):
    return dict(model="openai/text-embedding-3-small", input=items, api_base=server.base_url,
                api_key="sk-test-cache-key-0001", **more)


