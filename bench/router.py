"""Router overhead: CPU per call through ``litegate.Router`` against a direct ``litegate.completion``
on the same fake server, sync and async, JSON and streamed, with in-memory and Redis state.

    python bench/router.py            # full run (~1-2 min on 2 cores)
    python bench/router.py --quick    # smoke run

The fake OpenAI server runs in its own process (bench/fake_server.py); a redis-server on loopback
is started when the binary is found. CPU is this process's CPU time (all threads) per call,
measured in interleaved rounds (direct, router-memory, router-redis, direct, ...) so that machine
noise hits every client alike, and reported as the fastest round (noise only ever adds CPU). The Router has one group
with two deployments on the same server (simple-shuffle). Also reported: Redis round trips per
routed call (counted at the store), async throughput at concurrency 100, and RSS after 1,000 and
10,000 routed calls.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import SRC_DIR, FakeServer, load_average, rss_mb  # noqa: E402

sys.path.insert(0, str(SRC_DIR))

import litegate  # noqa: E402
from litegate.router import Router  # noqa: E402

KEY = "sk-bench-router-000000000000"
MSGS = [{"role": "user", "content": "hello from the router benchmark"}]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis() -> tuple:
    binary = shutil.which("redis-server")
    if binary is None:
        return None, None
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    return None, None


def model_list(base: str) -> list:
    return [
        {
            "model_name": "bench",
            "litellm_params": {"model": "openai/gpt-4o", "api_key": KEY, "api_base": base},
            "model_info": {"id": f"d{i}"},
        }
        for i in range(2)
    ]


class RoundTrips:
    """Counts the store's Redis round trips (each ``_run`` / ``_call`` and async twin is one)."""

    def __init__(self, state):
        self.n = 0
        for name in ("_run", "_call"):
            self._wrap(state, name)
            self._wrap_async(state, "_a" + name[1:])

    def _wrap(self, state, name):
        inner = getattr(state, name)

        def counted(*a):
            self.n += 1
            return inner(*a)

        setattr(state, name, counted)

    def _wrap_async(self, state, name):
        inner = getattr(state, name)

        async def counted(*a):
            self.n += 1
            return await inner(*a)

        setattr(state, name, counted)


# ------------------------------------------------------------------------------------------- calls
def sync_call(target, base: str, stream: bool) -> None:
    if target is None:
        out = litegate.completion(model="openai/gpt-4o", messages=MSGS, api_key=KEY, api_base=base, stream=stream)
    else:
        out = target.completion(model="bench", messages=MSGS, stream=stream)
    if stream:
        for _ in out:
            pass


async def async_call(target, base: str, stream: bool) -> None:
    if target is None:
        out = await litegate.acompletion(
            model="openai/gpt-4o", messages=MSGS, api_key=KEY, api_base=base, stream=stream
        )
    else:
        out = await target.acompletion(model="bench", messages=MSGS, stream=stream)
    if stream:
        async for _ in out:
            pass


def cpu_per_call(target, base: str, mode: str, stream: bool, n: int, loop) -> float:
    t0 = time.process_time()
    if mode == "sync":
        for _ in range(n):
            sync_call(target, base, stream)
    else:

        async def run():
            for _ in range(n):
                await async_call(target, base, stream)

        loop.run_until_complete(run())
    return (time.process_time() - t0) / n * 1e6  # microseconds


def throughput(target, base: str, loop, total: int, concurrency: int = 100) -> float:
    async def run():
        gate = asyncio.Semaphore(concurrency)

        async def one():
            async with gate:
                await async_call(target, base, False)

        t0 = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(total)))
        return total / (time.perf_counter() - t0)

    return loop.run_until_complete(run())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    calls, rounds, soak = (100, 3, 2000) if a.quick else (400, 7, 10_000)
    redis_proc, redis_url = start_redis()
    loop = asyncio.new_event_loop()
    with FakeServer() as srv:
        base = srv.base_v1
        targets = {"direct": None, "router (memory)": Router(model_list=model_list(base), num_retries=0)}
        counters = {}
        if redis_url:
            r = Router(model_list=model_list(base), redis_url=redis_url, num_retries=0, enable_health_checks=False)
            counters["router (redis)"] = RoundTrips(r.state)
            targets["router (redis)"] = r
        print(f"load average {load_average():.2f}; {calls} calls x {rounds} rounds per cell")
        results: dict = {}
        for mode in ("sync", "async"):
            for stream in (False, True):
                for t in targets.values():  # warm up
                    cpu_per_call(t, base, mode, stream, 30, loop)
                samples: dict = {name: [] for name in targets}
                for _ in range(rounds):
                    for name, t in targets.items():
                        samples[name].append(cpu_per_call(t, base, mode, stream, calls, loop))
                # the fastest round: machine noise only ever adds CPU (other processes' cache
                # pressure, frequency changes), so the minimum is the steadiest estimate of the cost
                cell = {name: min(v) for name, v in samples.items()}
                results[(mode, stream)] = cell
                direct = cell["direct"]
                line = "  ".join(f"{name} {us:7.0f} us ({us / direct:4.2f}x)" for name, us in cell.items())
                print(f"{mode:5} {'stream' if stream else 'json':6} {line}")
        targets_rt = dict(targets)
        if redis_url:
            usage_list = [dict(e, rpm=10**9, tpm=10**12) for e in model_list(base)]
            for strategy in ("least-busy", "latency-based-routing", "usage-based-routing"):
                r = Router(
                    model_list=usage_list,
                    redis_url=redis_url,
                    num_retries=0,
                    enable_health_checks=False,
                    routing_strategy=strategy,
                )
                counters[f"router (redis, {strategy})"] = RoundTrips(r.state)
                targets_rt[f"router (redis, {strategy})"] = r
        for name, c in counters.items():
            c.n = 0
            for _ in range(200):
                sync_call(targets_rt[name], base, False)
            sync_rt = c.n / 200
            c.n = 0
            for _ in range(200):
                sync_call(targets_rt[name], base, True)
            stream_rt = c.n / 200
            print(f"{name}: Redis round trips per call: {sync_rt:.2f} (json), {stream_rt:.2f} (stream)")
        total = 1000 if a.quick else 5000
        for name, t in targets.items():
            throughput(t, base, loop, 200)
            print(f"async throughput, concurrency 100, {name}: {throughput(t, base, loop, total):7.0f} req/s")
        router = targets["router (memory)"]
        rss = {}
        for i in range(1, soak + 1):
            sync_call(router, base, i % 10 == 0)
            if i in (1000, soak):
                rss[i] = rss_mb()
        print(
            f"RSS after 1,000 routed calls {rss[1000]:.1f} MB, after {soak:,} {rss[soak]:.1f} MB "
            f"(growth {rss[soak] - rss[1000]:+.1f} MB)"
        )
        for t in targets_rt.values():
            if t is not None:
                t.close()
    loop.close()
    if redis_proc is not None:
        redis_proc.terminate()
        redis_proc.wait(5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
