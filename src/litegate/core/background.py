"""Work a call leaves running on the event loop after it returns: an async stream's cache store,
its async success callbacks, the Router's booking of its outcome in Redis.

The loop keeps only a weak reference to a task, so each one is held here until it ends; at most
:data:`LIMIT` are pending at once (a flood of streams does not queue work without end).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

LIMIT = 1024
_held: set[asyncio.Task[Any]] = set()


def spawn(coro: Coroutine[Any, Any, Any]) -> bool:
    """Run ``coro`` as a task of the running loop. False, with ``coro`` closed unrun, when no loop
    is running in this thread or :data:`LIMIT` tasks are pending: the caller decides what then."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        coro.close()
        return False
    if len(_held) >= LIMIT:
        coro.close()
        return False
    task = loop.create_task(coro)
    _held.add(task)
    task.add_done_callback(_held.discard)
    return True


def pending() -> int:
    return len(_held)


async def drain() -> None:
    """Wait for the pending tasks of the running loop (tests, shutdown)."""
    loop = asyncio.get_running_loop()
    while True:
        mine = [t for t in _held if t.get_loop() is loop and t is not asyncio.current_task()]
        if not mine:
            return
        await asyncio.gather(*mine, return_exceptions=True)
