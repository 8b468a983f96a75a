"""HTTP-stack study: which raw HTTP client should carry litegate's calls?

Every candidate talks to ONE fake OpenAI server running in its own process, with a pooled
keep-alive client, and does the same JSON work in each loop (orjson encode of the request body,
orjson decode of the response), so that what differs is the transport.

    python bench/transport_study.py                 # all candidates
    python bench/transport_study.py --quick         # smoke test
    python bench/transport_study.py --only pyreqwest --only httpx
    python bench/transport_study.py --server-cmd "python my_server.py"   # another fake server

Each candidate's measurements run in fresh subprocesses (imports and RSS do not mix). The
result is a markdown table on stdout (and in --out FILE when given); docs/TRANSPORT.md
discusses it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import (  # noqa: E402
    API_KEY,
    FakeServer,
    NoiseMeter,
    aiter_sse_data,
    chat_body,
    emit,
    iter_sse_data,
    machine_facts,
    measure_import,
    median,
    percentile,
    rss_mb,
    run_worker,
)

# name -> (import statement, has sync client, has async client)
CANDIDATES: dict[str, tuple[str, bool, bool]] = {
    "stdlib": ("import http.client", True, False),
    "httpx": ("import httpx", True, True),
    "httpx2": ("import httpx2", True, True),
    "aiohttp": ("import aiohttp", False, True),
    "pyreqwest": ("from pyreqwest.client import SyncClientBuilder, ClientBuilder", True, True),
}
# import + build the client a real call needs (for HTTPS stacks this loads the CA store)
FIRST_USE: dict[str, str] = {
    "stdlib": "import http.client, ssl; ssl.create_default_context(); http.client.HTTPSConnection('x')",
    "httpx": "import httpx; httpx.Client()",
    "httpx2": "import httpx2; httpx2.Client()",
    "aiohttp": "import asyncio, aiohttp\nasync def _m():\n    async with aiohttp.ClientSession(): pass\nasyncio.run(_m())",
    "pyreqwest": "from pyreqwest.client import SyncClientBuilder; SyncClientBuilder().build()",
}

HEADERS = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}


# --------------------------------------------------------------------------- sync clients
# each factory returns (call, stream, close); call() -> content str, stream() -> chunk count


def _decode_chunks(datas, loads):
    n = 0
    for data in datas:
        if data == b"[DONE]":
            break
        obj = loads(data)
        choices = obj.get("choices")
        if choices:
            choices[0]["delta"].get("content")
        n += 1
    return n


def sync_factory(name: str, base_v1: str, stream_tokens: int):
    import orjson

    url = base_v1 + "/chat/completions"
    body = chat_body()
    sbody = chat_body(stream=True, stream_tokens=stream_tokens)
    dumps, loads = orjson.dumps, orjson.loads

    if name == "stdlib":
        import http.client
        from urllib.parse import urlsplit

        u = urlsplit(url)
        conn = http.client.HTTPConnection(u.hostname, u.port)
        path = u.path

        def call():
            conn.request("POST", path, dumps(body), HEADERS)
            r = conn.getresponse()
            return loads(r.read())["choices"][0]["message"]["content"]

        def stream():
            conn.request("POST", path, dumps(sbody), HEADERS)
            r = conn.getresponse()

            def chunks():
                while True:
                    c = r.read1(65536)
                    if not c:
                        return
                    yield c

            n = _decode_chunks(iter_sse_data(chunks()), loads)
            r.read()
            return n

        return call, stream, conn.close

    if name in ("httpx", "httpx2"):
        mod = __import__(name)
        client = mod.Client(timeout=60)

        def call():
            r = client.post(url, content=dumps(body), headers=HEADERS)
            return loads(r.content)["choices"][0]["message"]["content"]

        def stream():
            with client.stream("POST", url, content=dumps(sbody), headers=HEADERS) as r:
                return _decode_chunks(iter_sse_data(r.iter_bytes()), loads)

        return call, stream, client.close

    if name == "pyreqwest":
        from pyreqwest.client import SyncClientBuilder

        client = SyncClientBuilder().build()

        def call():
            r = client.post(url).headers(HEADERS).body_bytes(dumps(body)).build().send()
            return loads(memoryview(r.bytes()))["choices"][0]["message"]["content"]

        def stream():
            with client.post(url).headers(HEADERS).body_bytes(dumps(sbody)).build_streamed() as r:
                reader = r.body_reader

                def chunks():
                    while (c := reader.read_chunk()) is not None:
                        yield c.to_bytes()

                return _decode_chunks(iter_sse_data(chunks()), loads)

        return call, stream, client.close

    raise SystemExit(f"no sync client for {name}")


# --------------------------------------------------------------------------- async clients


async def _adecode_chunks(datas, loads):
    n = 0
    async for data in datas:
        if data == b"[DONE]":
            break
        obj = loads(data)
        choices = obj.get("choices")
        if choices:
            choices[0]["delta"].get("content")
        n += 1
    return n


async def async_factory(name: str, base_v1: str, stream_tokens: int):
    import orjson

    url = base_v1 + "/chat/completions"
    body = chat_body()
    sbody = chat_body(stream=True, stream_tokens=stream_tokens)
    dumps, loads = orjson.dumps, orjson.loads

    if name in ("httpx", "httpx2"):
        mod = __import__(name)
        # the pool must admit the benchmark's concurrency (httpx's default is 100 connections)
        client = mod.AsyncClient(timeout=60, limits=mod.Limits(max_connections=200, max_keepalive_connections=200))

        async def call():
            r = await client.post(url, content=dumps(body), headers=HEADERS)
            return loads(r.content)["choices"][0]["message"]["content"]

        async def stream():
            async with client.stream("POST", url, content=dumps(sbody), headers=HEADERS) as r:
                return await _adecode_chunks(aiter_sse_data(r.aiter_bytes()), loads)

        return call, stream, client.aclose

    if name == "aiohttp":
        import aiohttp

        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=200), timeout=aiohttp.ClientTimeout(total=60)
        )

        async def call():
            async with session.post(url, data=dumps(body), headers=HEADERS) as r:
                return loads(await r.read())["choices"][0]["message"]["content"]

        async def stream():
            async with session.post(url, data=dumps(sbody), headers=HEADERS) as r:
                return await _adecode_chunks(aiter_sse_data(r.content.iter_any()), loads)

        return call, stream, session.close

    if name == "pyreqwest":
        from pyreqwest.client import ClientBuilder

        client = ClientBuilder().build()

        async def call():
            r = await client.post(url).headers(HEADERS).body_bytes(dumps(body)).build().send()
            return loads(memoryview(await r.bytes()))["choices"][0]["message"]["content"]

        async def stream():
            async with client.post(url).headers(HEADERS).body_bytes(dumps(sbody)).build_streamed() as r:
                reader = r.body_reader

                async def chunks():
                    while (c := await reader.read_chunk()) is not None:
                        yield c.to_bytes()

                return await _adecode_chunks(aiter_sse_data(chunks()), loads)

        return call, stream, client.close

    raise SystemExit(f"no async client for {name}")


# --------------------------------------------------------------------------- worker modes


def worker_sync(a) -> None:
    call, stream, close = sync_factory(a.worker, a.base_v1, a.stream_tokens)
    assert isinstance(call(), str)
    for _ in range(a.warmup):
        call()
    lat = []
    pc = time.perf_counter
    with NoiseMeter(a.server_pid) as m:
        for _ in range(a.calls):
            s = pc()
            call()
            lat.append(pc() - s)
    lat.sort()
    out = {
        "sync_cpu_us": m.me / a.calls * 1e6,
        "sync_wall_us": m.wall / a.calls * 1e6,
        "sync_p50_us": percentile(lat, 50) * 1e6,
        "sync_p99_us": percentile(lat, 99) * 1e6,
        "sync_server_cpu_us": m.srv / a.calls * 1e6,
        "sync_other_cpu_pct": m.other_pct,
        "rss_after_sync_mb": rss_mb(),
    }
    stream()  # warm-up
    n = k = 0
    with NoiseMeter(a.server_pid) as m:
        while k < a.streams or (pc() - m.t0 < a.min_window and k < 50 * a.streams):
            n += stream()
            k += 1
    out.update(
        stream_chunks_s=n / m.wall,
        stream_cpu_us_per_chunk=m.me / n * 1e6,
        stream_chunks=n,
        stream_other_cpu_pct=m.other_pct,
    )
    close()
    emit(out)


def worker_async(a) -> None:
    if a.loop == "uvloop":
        import uvloop

        uvloop.install()

    async def main():
        call, stream, close = await async_factory(a.worker, a.base_v1, a.stream_tokens)
        assert isinstance(await call(), str)

        async def drive(n: int, conc: int) -> None:
            it = iter(range(n))

            async def one():
                for _ in it:
                    await call()

            await asyncio.gather(*(one() for _ in range(conc)))

        await drive(max(a.concurrency * 3, 300), a.concurrency)  # warm-up: open the pool
        n = a.async_requests
        while True:
            with NoiseMeter(a.server_pid) as m:
                await drive(n, a.concurrency)
            # a window under ~1 s is too short for the 10 ms CPU-tick clock: measure again, longer
            if m.wall >= a.min_window or n >= 20 * a.async_requests:
                break
            n = min(20 * a.async_requests, int(n * a.min_window * 1.5 / max(m.wall, 1e-3)))
        out = {
            f"async_{a.loop}_requests": n,
            f"async_{a.loop}_rps": n / m.wall,
            f"async_{a.loop}_client_cpu_pct": m.client_pct,
            f"async_{a.loop}_server_cpu_pct": m.server_pct,
            f"async_{a.loop}_other_cpu_pct": m.other_pct,
        }
        if a.loop == "asyncio":
            await stream()
            n = k = 0
            with NoiseMeter(a.server_pid) as m:
                while k < a.streams or (time.perf_counter() - m.t0 < a.min_window and k < 50 * a.streams):
                    n += await stream()
                    k += 1
            out.update(
                astream_chunks_s=n / m.wall, astream_cpu_us_per_chunk=m.me / n * 1e6, astream_other_cpu_pct=m.other_pct
            )
        r = close()
        if hasattr(r, "__await__"):  # pyreqwest returns a non-asyncio coroutine type
            await r
        # give pyreqwest's runtime a moment to let go of the loop's objects: exiting right after
        # close() aborts the interpreter at shutdown about 1 run in 5 (see docs/TRANSPORT.md)
        await asyncio.sleep(0.05)
        emit(out)

    asyncio.run(main())


# --------------------------------------------------------------------------- parent


def fmt(v, spec="{:,.0f}"):
    if v is None:
        return "–"
    if isinstance(v, str):
        return v
    return spec.format(v)


def render(results: dict[str, dict], facts: dict, args) -> str:
    lines = []
    lines.append(
        "| stack | import ms | import + client ms | RSS after import MB | sync CPU µs/call | sync wall µs/call | p50 µs | p99 µs "
        "| async req/s (asyncio) | async req/s (uvloop) | client CPU % (asyncio) | server CPU % (asyncio) "
        "| stream chunks/s (sync) | stream chunks/s (async) | others' CPU % (max) |"
    )
    lines.append("|" + "---|" * 15)
    for name, r in results.items():
        lines.append(
            "| "
            + " | ".join(
                [
                    name,
                    fmt(r.get("import_ms"), "{:.1f}"),
                    fmt(r.get("first_use_ms"), "{:.1f}"),
                    fmt(r.get("rss_import_mb"), "{:.1f}"),
                    fmt(r.get("sync_cpu_us")),
                    fmt(r.get("sync_wall_us")),
                    fmt(r.get("sync_p50_us")),
                    fmt(r.get("sync_p99_us")),
                    fmt(r.get("async_asyncio_rps")),
                    fmt(r.get("async_uvloop_rps")),
                    fmt(r.get("async_asyncio_client_cpu_pct")),
                    fmt(r.get("async_asyncio_server_cpu_pct")),
                    fmt(r.get("stream_chunks_s")),
                    fmt(r.get("astream_chunks_s")),
                    fmt(
                        max(
                            (v for k, v in r.items() if k.endswith("other_cpu_pct") and isinstance(v, (int, float))),
                            default=None,
                        )
                    ),
                ]
            )
            + " |"
        )
    if args.repeat > 1:
        keys = [
            ("sync CPU µs/call", "sync_cpu_us"),
            ("p50 µs", "sync_p50_us"),
            ("async req/s (asyncio)", "async_asyncio_rps"),
            ("async req/s (uvloop)", "async_uvloop_rps"),
            ("stream chunks/s (sync)", "stream_chunks_s"),
            ("stream chunks/s (async)", "astream_chunks_s"),
        ]
        lines.append("")
        lines.append(f"Spread over {args.repeat} runs (min–max; the table above shows the median):")
        lines.append("")
        lines.append("| stack | " + " | ".join(t for t, _ in keys) + " |")
        lines.append("|" + "---|" * (len(keys) + 1))
        for name, r in results.items():
            cells = []
            for _, k in keys:
                rng = r.get(k + "__range")
                cells.append(f"{rng[0]:,.0f}–{rng[1]:,.0f}" if rng else "–")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    errs = [f"- {n}: {k} = {v}" for n, r in results.items() for k, v in r.items() if "error" in k or "warning" in k]
    notes = [
        "",
        f"Machine: {facts.get('cores')} cores, {facts.get('cpu', '?')}, Python {facts.get('python')}; "
        f"sync {args.calls} calls after {args.warmup} warm-up; async {args.async_requests} requests at "
        f"concurrency {args.concurrency}; {args.streams} streams of ~{args.stream_tokens} chunks; "
        f"import = median of {args.import_runs} fresh interpreters"
        + ("; server pinned to CPU 1, clients to CPU 0" if args.pin else "")
        + (f"; call phases repeated {args.repeat}× (median shown)" if args.repeat > 1 else "")
        + ".",
    ]
    return "\n".join(lines + notes + (["", "Errors:"] + errs if errs else []))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", action="append", choices=list(CANDIDATES), help="candidate(s) to run")
    p.add_argument("--quick", action="store_true", help="few calls, for smoke tests")
    p.add_argument("--calls", type=int, default=2000)
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--async-requests", type=int, default=5000)
    p.add_argument("--concurrency", type=int, default=100)
    p.add_argument("--min-window", type=float, default=1.0, help="shortest async timing window (s)")
    p.add_argument("--streams", type=int, default=5)
    p.add_argument("--stream-tokens", type=int, default=2000)
    p.add_argument("--import-runs", type=int, default=5)
    p.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run each call phase N times (fresh processes); report the median and the spread",
    )
    p.add_argument("--pin", action="store_true", help="pin the server to CPU 1 and the clients to CPU 0")
    p.add_argument("--no-uvloop", action="store_true")
    p.add_argument(
        "--server-cmd", help="command that starts the fake server (default: python bench/fake_server.py --port 0)"
    )
    p.add_argument("--out", help="also write the markdown table to this file")
    # worker mode (internal)
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--mode", choices=["sync", "async"], help=argparse.SUPPRESS)
    p.add_argument("--loop", default="asyncio", help=argparse.SUPPRESS)
    p.add_argument("--base-v1", help=argparse.SUPPRESS)
    p.add_argument("--server-pid", type=int, default=0, help=argparse.SUPPRESS)
    a = p.parse_args()

    if a.worker:
        (worker_sync if a.mode == "sync" else worker_async)(a)
        return

    if a.quick:
        a.calls, a.warmup, a.async_requests, a.streams, a.stream_tokens, a.import_runs = 300, 50, 1000, 2, 500, 2
        a.min_window = 0.2
    names = a.only or list(CANDIDATES)
    try:
        import uvloop  # noqa: F401

        have_uvloop = not a.no_uvloop
    except ImportError:
        have_uvloop = False

    cmd = shlex.split(a.server_cmd) if a.server_cmd else None
    facts = machine_facts()
    results: dict[str, dict] = {}
    client_cpu = 0 if a.pin else None
    with FakeServer(cmd, cpu=1 if a.pin else None) as srv:
        print(f"# fake server {srv.base} (pid {srv.pid})", file=sys.stderr)
        results["(bare interpreter)"] = measure_import(sys.executable, "pass", runs=a.import_runs)
        for name in names:
            stmt, has_sync, has_async = CANDIDATES[name]
            r = measure_import(sys.executable, stmt, runs=a.import_runs)
            fu = measure_import(sys.executable, FIRST_USE[name], runs=a.import_runs)
            r["first_use_ms"] = fu.get("import_ms", fu.get("import_error"))
            common = [
                sys.executable, os.path.abspath(__file__), "--worker", name, "--base-v1", srv.base_v1,
                "--server-pid", str(srv.pid), "--calls", str(a.calls), "--warmup", str(a.warmup),
                "--async-requests", str(a.async_requests), "--concurrency", str(a.concurrency),
                "--streams", str(a.streams), "--stream-tokens", str(a.stream_tokens),
                "--min-window", str(a.min_window),
            ]  # fmt: skip
            phases = []
            if has_sync:
                phases.append(common + ["--mode", "sync"])
            if has_async:
                phases.append(common + ["--mode", "async", "--loop", "asyncio"])
                if have_uvloop:
                    phases.append(common + ["--mode", "async", "--loop", "uvloop"])
            for cmdline in phases:
                runs: dict[str, list] = {}
                for _ in range(a.repeat):
                    got = run_worker(cmdline, timeout=600, cpu=client_cpu)
                    got.pop("_wall_s", None)
                    for k, v in got.items():
                        runs.setdefault(k, []).append(v)
                for k, vs in runs.items():
                    nums = [v for v in vs if isinstance(v, (int, float))]
                    if len(nums) == len(vs):
                        r[k] = median(nums)
                        if len(nums) > 1:
                            r[k + "__range"] = (min(nums), max(nums))
                    else:
                        r[k] = next(v for v in vs if not isinstance(v, (int, float)))
            results[name] = r
            print(f"# {name}: {r}", file=sys.stderr)
    table = render(results, facts, a)
    print(table)
    if a.out:
        with open(a.out, "w") as f:
            f.write(table + "\n")
        with open(a.out + ".json", "w") as f:
            json.dump({"facts": facts, "results": results}, f, indent=1, default=str)


if __name__ == "__main__":
    main()
