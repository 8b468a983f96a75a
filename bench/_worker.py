"""One client's measurements, in a fresh process (started by bench/run.py).

    python bench/_worker.py --client NAME --mode sync|async --base-v1 URL [...]

Clients: ``litegate`` and ``litellm`` (same calls: ``completion`` / ``acompletion``), ``openai``
(the official SDK) and ``raw:STACK`` for a raw HTTP client from bench/transport_study.py
(``raw:httpx``, ``raw:pyreqwest``, ...). Standard library only at module level, so the worker
also runs under the interpreter of a separate virtualenv.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import (  # noqa: E402
    API_KEY,
    MESSAGES,
    MODEL,
    NoiseMeter,
    emit,
    long_messages,
    percentile,
    rss_mb,
)

# distributions worth naming in the results, when the client has actually imported them
VERSION_DISTS = ["litellm", "openai", "httpx", "httpx2", "aiohttp", "pyreqwest", "requests", "orjson", "pydantic"]
HTTP_STACKS = ["httpx", "httpx2", "aiohttp", "pyreqwest", "requests", "urllib3"]


def versions(client: str) -> dict:
    """Versions of the relevant packages this process has loaded (call after the calls)."""
    from importlib import metadata

    out = {}
    for d in VERSION_DISTS:
        if d in sys.modules:
            try:
                out[d] = metadata.version(d)
            except metadata.PackageNotFoundError:
                pass
    if client == "litegate":
        out["litegate"] = getattr(sys.modules.get("litegate"), "__version__", "?")
    return out


def stacks_loaded() -> list:
    return [m for m in HTTP_STACKS if m in sys.modules]


def litegate_backend(client: str) -> str | None:
    """The transport litegate's module-level calls used in this process (None for other clients)."""
    if client != "litegate":
        return None
    from litegate.client import default_client

    t = default_client().transport
    name = getattr(t, "backend", type(t).__name__)
    fallback = getattr(t, "_fallback", None)
    if fallback is not None and (getattr(fallback, "_sync", None) is not None or getattr(fallback, "_async", None)):
        name += " (+ httpx fallback used)"
    return name


# --------------------------------------------------------------------------- client adapters
# make_sync -> (call, stream, close); call() returns the reply text, stream() the chunks seen
# make_async -> (acall, close)


def _sdk_kwargs(base_v1: str) -> dict:
    return {"model": "openai/" + MODEL, "messages": MESSAGES, "api_base": base_v1, "api_key": API_KEY}


def make_sync(client: str, base_v1: str, stream_words: int):
    if client in ("litegate", "litellm"):
        mod = __import__(client)
        kw = _sdk_kwargs(base_v1)
        skw = dict(kw, messages=long_messages(stream_words), stream=True, stream_options={"include_usage": True})
        completion = mod.completion

        def call():
            return completion(**kw).choices[0].message.content

        def stream():
            n = 0
            for chunk in completion(**skw):
                if chunk.choices:
                    chunk.choices[0].delta.content
                n += 1
            return n

        return call, stream, lambda: None

    if client == "openai":
        import openai

        c = openai.OpenAI(base_url=base_v1, api_key=API_KEY)
        create = c.chat.completions.create

        def call():
            return create(model=MODEL, messages=MESSAGES).choices[0].message.content

        def stream():
            n = 0
            for chunk in create(
                model=MODEL,
                messages=long_messages(stream_words),
                stream=True,
                stream_options={"include_usage": True},
            ):
                if chunk.choices:
                    chunk.choices[0].delta.content
                n += 1
            return n

        return call, stream, c.close

    if client.startswith("raw:"):
        from transport_study import sync_factory

        return sync_factory(client[4:], base_v1, stream_words)

    raise SystemExit(f"unknown client {client}")


async def make_async(client: str, base_v1: str):
    if client in ("litegate", "litellm"):
        mod = __import__(client)
        kw = _sdk_kwargs(base_v1)
        acompletion = mod.acompletion

        async def acall():
            return (await acompletion(**kw)).choices[0].message.content

        return acall, None

    if client == "openai":
        import openai

        c = openai.AsyncOpenAI(base_url=base_v1, api_key=API_KEY)
        create = c.chat.completions.create

        async def acall():
            return (await create(model=MODEL, messages=MESSAGES)).choices[0].message.content

        return acall, c.close

    if client.startswith("raw:"):
        from transport_study import async_factory

        call, _stream, close = await async_factory(client[4:], base_v1, 0)
        return call, close

    raise SystemExit(f"unknown client {client}")


# --------------------------------------------------------------------------- phases


def run_sync(a) -> None:
    out: dict = {}
    call, stream, close = make_sync(a.client, a.base_v1, a.stream_words)
    reply = call()
    if not isinstance(reply, str) or not reply:
        raise SystemExit(f"unexpected reply: {reply!r}")
    done = 1
    out["rss_first_call_mb"] = rss_mb()
    for _ in range(a.warmup):
        call()
    done += a.warmup

    lat = []
    pc = time.perf_counter
    with NoiseMeter(a.server_pid) as m:
        for _ in range(a.calls):
            s = pc()
            call()
            lat.append(pc() - s)
    done += a.calls
    lat.sort()
    out.update(
        cpu_us=m.me / a.calls * 1e6,
        wall_us=m.wall / a.calls * 1e6,
        p50_us=percentile(lat, 50) * 1e6,
        p99_us=percentile(lat, 99) * 1e6,
        sync_server_cpu_us=m.srv / a.calls * 1e6,
        sync_other_cpu_pct=m.other_pct,
    )

    # memory: keep calling up to soak_calls in all, sampling RSS at call rss_at and at the end
    rss_at = None
    if done >= a.rss_at:
        rss_at = rss_mb()
    while done < a.soak_calls:
        call()
        done += 1
        if done == a.rss_at:
            rss_at = rss_mb()
    out.update(soak_calls=done, rss_at_mb=rss_at, rss_end_mb=rss_mb())

    if a.streams:
        stream()  # warm-up
        # every stream is the same server events: a role chunk, one chunk per word, a finish
        # chunk and a usage chunk; chunks/s counts those, whatever the client re-chunks them into
        per_stream = a.stream_words + 3
        seen = k = 0
        with NoiseMeter(a.server_pid) as m:
            # at least a.streams streams, and on until the window is long enough to time
            while k < a.streams or (time.perf_counter() - m.t0 < a.min_window and k < 50 * a.streams):
                seen += stream()
                k += 1
        out.update(
            streams=k,
            stream_chunks_s=per_stream * k / m.wall,
            stream_cpu_us_per_chunk=m.me / (per_stream * k) * 1e6,
            stream_chunks_seen=seen,
            stream_chunks_sent=per_stream * k,
            stream_other_cpu_pct=m.other_pct,
        )
    close()
    out["versions"] = versions(a.client)
    out["stacks_sync"] = stacks_loaded()
    out["backend_sync"] = litegate_backend(a.client)
    emit(out)


def run_async(a) -> None:
    if a.loop == "uvloop":
        import uvloop

        uvloop.install()

    async def main():
        acall, close = await make_async(a.client, a.base_v1)
        reply = await acall()
        if not isinstance(reply, str) or not reply:
            raise SystemExit(f"unexpected reply: {reply!r}")

        async def drive(n: int) -> None:
            it = iter(range(n))

            async def one():
                for _ in it:
                    await acall()

            await asyncio.gather(*(one() for _ in range(a.concurrency)))

        await drive(max(3 * a.concurrency, 300))  # warm-up: fills the pool
        n = a.async_requests
        while True:
            with NoiseMeter(a.server_pid) as m:
                await drive(n)
            # windows under ~1 s are too short for the 10 ms CPU-tick clocks: go again, longer
            if m.wall >= a.min_window or n >= 20 * a.async_requests:
                break
            n = min(20 * a.async_requests, int(n * a.min_window * 1.5 / max(m.wall, 1e-3)))
        out = {
            "async_requests": n,
            "async_rps": n / m.wall,
            "async_client_cpu_pct": m.client_pct,
            "async_server_cpu_pct": m.server_pct,
            "async_other_cpu_pct": m.other_pct,
            "rss_after_async_mb": rss_mb(),
            "stacks_async": stacks_loaded(),
            "backend_async": litegate_backend(a.client),
        }
        if close is not None:
            r = close()
            if hasattr(r, "__await__"):  # pyreqwest returns a non-asyncio coroutine type
                await r
            # give raw pyreqwest's runtime a moment to let go of the loop's objects: exiting right
            # after close() can abort the interpreter at shutdown (see docs/TRANSPORT.md). The SDK
            # clients (litegate, litellm) get no such help: a clean exit is part of what is measured,
            # and an abort shows up as a warning under the tables.
            await asyncio.sleep(0.05)
        emit(out)

    asyncio.run(main())


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--client", required=True)
    p.add_argument("--mode", choices=["sync", "async"], required=True)
    p.add_argument("--base-v1", required=True)
    p.add_argument("--server-pid", type=int, default=0)
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--calls", type=int, default=2000)
    p.add_argument("--soak-calls", type=int, default=10_000)
    p.add_argument("--rss-at", type=int, default=1_000)
    p.add_argument("--streams", type=int, default=5)
    p.add_argument("--stream-words", type=int, default=2000)
    p.add_argument("--async-requests", type=int, default=5000)
    p.add_argument("--concurrency", type=int, default=100)
    p.add_argument("--min-window", type=float, default=1.0)
    p.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    a = p.parse_args()
    try:
        (run_sync if a.mode == "sync" else run_async)(a)
    except SystemExit:
        raise
    except BaseException as e:  # report, do not hang the parent
        emit({"error": f"{type(e).__name__}: {e}"[:300]})
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
