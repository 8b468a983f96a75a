"""Work left running after a call (stream cache stores, async stream callbacks, the Router's
bookings): held until done, bounded, and drained per event loop."""

from __future__ import annotations

import asyncio
import gc

from litegate.core import background


async def test_spawned_work_runs_to_its_end_even_when_nothing_else_holds_it():
    done = []

    async def work(i):
        await asyncio.sleep(0.01)
        gc.collect()  # a task only the loop knew of (a weak reference) could vanish here
        await asyncio.sleep(0)
        done.append(i)

    assert all(background.spawn(work(i)) for i in range(20))
    assert background.pending() == 20
    await background.drain()
    assert sorted(done) == list(range(20)) and background.pending() == 0


async def test_past_the_bound_work_is_refused_and_closed_unrun(monkeypatch):
    monkeypatch.setattr(background, "LIMIT", 3)
    gate = asyncio.Event()
    ran = []

    async def work(i):
        await gate.wait()
        ran.append(i)

    coros = [work(i) for i in range(5)]
    assert [background.spawn(c) for c in coros] == [True, True, True, False, False]
    assert coros[3].cr_frame is None and coros[4].cr_frame is None
    gate.set()
    await background.drain()
    assert sorted(ran) == [0, 1, 2]
    assert background.spawn(work(9))  # room again once the pending work ended
    await background.drain()
    assert 9 in ran


def test_without_a_running_loop_nothing_is_spawned_and_nothing_leaks():
    async def work():
        raise AssertionError("must not run")

    coro = work()
    assert background.spawn(coro) is False
    assert coro.cr_frame is None  # closed: no "coroutine ... was never awaited" later
    assert background.pending() == 0
