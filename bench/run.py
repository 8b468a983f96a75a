"""litegate's benchmark: one command, one run, every client side by side.

    python bench/run.py                       # full run (~2.5 min on 2 cores); writes bench/RESULTS.md
    python bench/run.py --quick               # smoke test (< 1 min); prints only
    python bench/run.py --only litegate       # one client (repeatable); prints only
    python bench/run.py --litellm-python bench/.venv-litellm/bin/python

Clients: litegate on its default transport (pyreqwest on Python >= 3.11), litegate on its httpx
fallback (LITEGATE_HTTP_BACKEND=httpx), raw httpx, the fastest raw client of docs/TRANSPORT.md
(pyreqwest), the official openai SDK, and litellm when a separate virtualenv with litellm is given
(or found at bench/.venv-litellm). All talk to ONE fake OpenAI server in its own process (bench/fake_server.py).
Each client's measurements run in fresh subprocesses so that imports and RSS do not mix.
See bench/README.md for what each metric means.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import shlex
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import (  # noqa: E402
    BENCH_DIR,
    REPO_DIR,
    SRC_DIR,
    FakeServer,
    load_average,
    machine_facts,
    measure_import,
    run_worker,
)
from transport_study import CANDIDATES as RAW_STACKS  # noqa: E402

WORKER = str(BENCH_DIR / "_worker.py")
RESULTS = BENCH_DIR / "RESULTS.md"

# targets (litegate's; every client is scored against them for context)
IMPORT_MS_MAX = 50.0
CPU_RATIO_MAX = 1.3  # per-call CPU vs raw httpx: the comparison the target names
ASYNC_RATIO_MIN = 0.8  # async req/s vs the fastest raw client
RSS_MB_MAX = 60.0
RSS_GROWTH_MB_MAX = 2.0  # between call 1,000 and call 10,000: "flat"

FULL = dict(
    import_runs=5, warmup=200, calls=2000, soak_calls=10_000, rss_at=1_000,
    streams=5, stream_words=2000, async_requests=5000, min_window=1.0,
)  # fmt: skip
QUICK = dict(
    import_runs=1, warmup=30, calls=300, soak_calls=1_000, rss_at=100,
    streams=2, stream_words=500, async_requests=1000, min_window=0.2,
)  # fmt: skip


class Client:
    """One row of the table. ``kind`` is the worker's client (``--client``); ``key`` the name that
    ``--only`` matches; ``expect_backend`` the litegate transport the row must have used."""

    def __init__(
        self,
        name: str,
        python: str,
        import_stmt: str,
        env: dict | None = None,
        note: str = "",
        kind: str | None = None,
        key: str | None = None,
        expect_backend: str | None = None,
    ):
        self.name = name
        self.python = python
        self.import_stmt = import_stmt
        self.env = env or {}
        self.note = note
        self.kind = kind or name
        self.key = key or name.removeprefix("raw:")
        self.expect_backend = expect_backend


LITEGATE_HTTPX = "litegate (httpx backend)"
LITEGATE_FAST = "litegate (pyreqwest, interrupt_safe=False)"


def find_litellm_python(arg: str | None) -> tuple[str | None, str]:
    """(interpreter, where it came from) for the litellm virtualenv, or (None, why not)."""
    cand = arg or os.environ.get("LITELLM_PYTHON")
    src = "--litellm-python" if arg else "LITELLM_PYTHON"
    if not cand:
        for rel in ("bin/python", "Scripts/python.exe"):
            p = BENCH_DIR / ".venv-litellm" / rel
            if p.exists():
                return str(p), "bench/.venv-litellm"
        return None, "no litellm virtualenv (see bench/README.md)"
    if not os.path.exists(cand):
        return None, f"{src} does not exist"
    return cand, src


def default_backend() -> str:
    """litegate's automatic transport choice in this interpreter (mirrors core/transport.py)."""
    if sys.version_info < (3, 11):
        return "httpx"
    try:
        import pyreqwest.client  # noqa: F401
    except ImportError:
        return "httpx"
    return "pyreqwest"


def build_clients(a) -> tuple[list[Client], dict]:
    here = sys.executable
    pypath = os.pathsep.join(filter(None, [str(SRC_DIR), os.environ.get("PYTHONPATH", "")]))
    auto = default_backend()
    clients = [
        # the default transport: LITEGATE_HTTP_BACKEND is unset even if this shell has it
        Client(
            "litegate",
            here,
            "import litegate",
            {"PYTHONPATH": pypath, "LITEGATE_HTTP_BACKEND": None},
            expect_backend=auto,
        ),
        Client(
            LITEGATE_HTTPX,
            here,
            "import litegate",
            {"PYTHONPATH": pypath, "LITEGATE_HTTP_BACKEND": "httpx"},
            kind="litegate",
            key="litegate-httpx",
            expect_backend="httpx",
        ),
    ]
    if auto == "pyreqwest":
        # every call on pyreqwest, cancellation and Ctrl-C safety given up (docs/TRANSPORT.md)
        clients.append(
            Client(
                LITEGATE_FAST,
                here,
                "import litegate",
                {"PYTHONPATH": pypath, "LITEGATE_HTTP_BACKEND": None, "LITEGATE_INTERRUPT_SAFE": "0"},
                kind="litegate",
                key="litegate-fast",
                expect_backend="pyreqwest",
            )
        )
    for stack in a.raw:
        clients.append(Client(f"raw:{stack}", here, RAW_STACKS[stack][0]))
    clients.append(Client("openai", here, "import openai"))
    skipped = {}
    lp, where = find_litellm_python(a.litellm_python)
    if lp:
        # litellm fetches its model price map from the network at import unless told not to;
        # this machine may have no network, and the fetch is not what is being measured
        clients.append(Client("litellm", lp, "import litellm", {"LITELLM_LOCAL_MODEL_COST_MAP": "True"}, note=where))
    else:
        skipped["litellm"] = where
    if a.only:
        want = set(a.only)
        clients = [c for c in clients if c.name in want or c.key in want]
        skipped = {k: v for k, v in skipped.items() if k in want}
    return clients, skipped


def first_call_stmt(name: str, base_v1: str) -> str | None:
    """Import plus one chat completion, as a fresh program would do it (SDK clients only)."""
    if name in ("litegate", "litellm"):
        return (
            f"import {name}\n"
            f"{name}.completion(model='openai/gpt-4o-mini', messages=[{{'role': 'user', 'content': 'hi'}}], "
            f"api_base={base_v1!r}, api_key='sk-bench').choices[0].message.content"
        )
    if name == "openai":
        return (
            "import openai\n"
            f"openai.OpenAI(base_url={base_v1!r}, api_key='sk-bench').chat.completions.create("
            "model='gpt-4o-mini', messages=[{'role': 'user', 'content': 'hi'}]).choices[0].message.content"
        )
    return None


def measure_client(c: Client, srv: FakeServer, p: dict, a) -> dict:
    r: dict = {}
    imp = measure_import(c.python, c.import_stmt, runs=p["import_runs"], env=c.env)
    r.update(imp)
    stmt = first_call_stmt(c.kind, srv.base_v1)
    if stmt:
        fc = measure_import(c.python, stmt, runs=p["import_runs"], env=c.env)
        if "import_error" in fc:
            r["first_call_error"] = fc["import_error"]
        else:
            r["first_call_ms"] = fc["import_ms"]
            r["rss_first_call_mb"] = fc["rss_import_mb"]
    base = [
        c.python, WORKER, "--client", c.kind, "--base-v1", srv.base_v1, "--server-pid", str(srv.pid),
    ]  # fmt: skip
    sync = base + [
        "--mode", "sync", "--warmup", str(p["warmup"]), "--calls", str(p["calls"]),
        "--soak-calls", str(p["soak_calls"]), "--rss-at", str(p["rss_at"]),
        "--streams", str(p["streams"]), "--stream-words", str(p["stream_words"]),
        "--min-window", str(p["min_window"]),
    ]  # fmt: skip
    got = run_worker(sync, timeout=a.timeout, env=c.env, cpu=a.client_cpu)
    if "error" in got:
        got["sync_error"] = got.pop("error")
    if "warning" in got:
        got["sync_warning"] = got.pop("warning")
    r.update(got)
    asyn = base + [
        "--mode", "async", "--async-requests", str(p["async_requests"]), "--concurrency", str(a.concurrency),
        "--min-window", str(p["min_window"]), "--loop", a.loop,
    ]  # fmt: skip
    got = run_worker(asyn, timeout=a.timeout, env=c.env, cpu=a.client_cpu)
    got.pop("_wall_s", None)
    if "error" in got:
        got["async_error"] = got.pop("error")
    if "warning" in got:
        got["async_warning"] = got.pop("warning")
    r.update(got)
    r.pop("_wall_s", None)
    if c.expect_backend:
        # the default pyreqwest transport hands async (and main-thread sync) calls to httpx
        used = {(r.get(k) or "").split(" (+")[0] for k in ("backend_sync", "backend_async")} - {""}
        if used and used != {c.expect_backend}:
            r["backend_warning"] = f"expected the {c.expect_backend} transport, used {', '.join(sorted(used))}"
    return r


# --------------------------------------------------------------------------- rendering


def _f(v, spec="{:,.0f}") -> str:
    if v is None:
        return "–"
    if isinstance(v, str):
        return v
    return spec.format(v)


def _err(msg: str) -> str:
    msg = msg.replace("|", "/").replace("\n", " ")
    return "error: " + (msg if len(msg) <= 60 else msg[:57] + "...")


def growth(r: dict):
    if r.get("rss_at_mb") is None or r.get("rss_end_mb") is None:
        return None
    return r["rss_end_mb"] - r["rss_at_mb"]


def noise(r: dict):
    vals = [v for k, v in r.items() if k.endswith("other_cpu_pct") and isinstance(v, (int, float))]
    return max(vals) if vals else None


def results_table(results: dict, p: dict) -> str:
    rows = [
        f"| client | import ms | import + 1st call ms | RSS after import MB | CPU µs/call | p50 µs | p99 µs | async req/s (c={p['concurrency']}) "
        f"| stream chunks/s | RSS after {p['soak_calls']:,} calls MB | RSS growth {p['rss_at']:,}→{p['soak_calls']:,} MB "
        "| server CPU % (async) | others' CPU % |",
        "|" + "---|" * 13,
    ]
    for name, r in results.items():
        if "skipped" in r:
            rows.append(f"| {name} | not run: {r['skipped']} |" + " |" * 11)
            continue
        imp = _err(r["import_error"]) if "import_error" in r else _f(r.get("import_ms"), "{:.1f}")
        se = _err(r["sync_error"]) if "sync_error" in r else None
        ae = _err(r["async_error"]) if "async_error" in r else None
        g = growth(r)
        rows.append(
            "| "
            + " | ".join(
                [
                    name,
                    imp,
                    _err(r["first_call_error"]) if "first_call_error" in r else _f(r.get("first_call_ms"), "{:.0f}"),
                    _f(r.get("rss_import_mb"), "{:.1f}"),
                    se or _f(r.get("cpu_us")),
                    "–" if se else _f(r.get("p50_us")),
                    "–" if se else _f(r.get("p99_us")),
                    ae or _f(r.get("async_rps")),
                    "–" if se else _f(r.get("stream_chunks_s")),
                    "–" if se else _f(r.get("rss_end_mb"), "{:.1f}"),
                    "–" if se or g is None else f"{g:+.2f}",
                    _f(r.get("async_server_cpu_pct"))
                    + (" (server saturated)" if (r.get("async_server_cpu_pct") or 0) >= 90 else ""),
                    _f(noise(r)),
                ]
            )
            + " |"
        )
    return "\n".join(rows)


def score(results: dict) -> tuple[dict, dict]:
    """Per client: {target: (ok, text)}; plus the references used."""
    raws = {k: v for k, v in results.items() if k.startswith("raw:") and "skipped" not in v}
    ref_cpu = results.get("raw:httpx", {}).get("cpu_us")
    cpus = [(v["cpu_us"], k) for k, v in raws.items() if isinstance(v.get("cpu_us"), (int, float))]
    rps = [(v["async_rps"], k) for k, v in raws.items() if isinstance(v.get("async_rps"), (int, float))]
    fastest_cpu = min(cpus) if cpus else None
    fastest_rps = max(rps) if rps else None
    refs = {"cpu_httpx": ref_cpu, "cpu_fastest": fastest_cpu, "rps_fastest": fastest_rps}
    out: dict = {}
    for name, r in results.items():
        if "skipped" in r:
            continue
        s: dict = {}
        if isinstance(r.get("import_ms"), (int, float)):
            s["import"] = (r["import_ms"] <= IMPORT_MS_MAX, f"{r['import_ms']:.1f} ms")
        if isinstance(r.get("cpu_us"), (int, float)) and ref_cpu:
            ratio = r["cpu_us"] / ref_cpu
            s["cpu"] = (ratio <= CPU_RATIO_MAX, f"{ratio:.2f}× httpx")
        if isinstance(r.get("cpu_us"), (int, float)) and fastest_cpu:
            s["cpu_fastest"] = (None, f"{r['cpu_us'] / fastest_cpu[0]:.2f}× {fastest_cpu[1][4:]}")
        if isinstance(r.get("async_rps"), (int, float)) and fastest_rps:
            ratio = r["async_rps"] / fastest_rps[0]
            s["async"] = (ratio >= ASYNC_RATIO_MIN, f"{ratio:.2f}× {fastest_rps[1][4:]}")
        if isinstance(r.get("rss_end_mb"), (int, float)):
            s["rss"] = (r["rss_end_mb"] <= RSS_MB_MAX, f"{r['rss_end_mb']:.1f} MB")
        g = growth(r)
        if g is not None:
            s["flat"] = (g <= RSS_GROWTH_MB_MAX, f"{g:+.2f} MB")
        out[name] = s
    return out, refs


def targets(p: dict) -> list:
    return [
        ("import", f"import ≤ {IMPORT_MS_MAX:.0f} ms"),
        ("cpu", f"CPU/call ≤ {CPU_RATIO_MAX}× raw httpx (the target's comparison)"),
        ("cpu_fastest", "CPU/call vs fastest raw (information, no target)"),
        ("async", f"async req/s ≥ {ASYNC_RATIO_MIN}× fastest raw"),
        ("rss", f"RSS after {p['soak_calls']:,} calls ≤ {RSS_MB_MAX:.0f} MB"),
        ("flat", f"RSS flat: growth {p['rss_at']:,}→{p['soak_calls']:,} ≤ {RSS_GROWTH_MB_MAX:.0f} MB"),
    ]


def targets_table(scores: dict, p: dict) -> str:
    cols = targets(p)
    rows = ["| client | " + " | ".join(t for _, t in cols) + " |", "|" + "---|" * (len(cols) + 1)]
    for name, s in scores.items():
        cells = []
        for key, _ in cols:
            if key not in s:
                cells.append("–")
            else:
                ok, txt = s[key]
                cells.append(txt if ok is None else ("PASS " if ok else "FAIL ") + txt)
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def error_lines(results: dict) -> list[str]:
    out = []
    for name, r in results.items():
        for k in (
            "import_error",
            "first_call_error",
            "sync_error",
            "async_error",
            "sync_warning",
            "async_warning",
            "backend_warning",
        ):
            if k in r:
                phase, kind = k.rsplit("_", 1)
                out.append(f"- {name} ({phase.replace('_', ' ')} {kind}): {r[k]}")
    return out


def source_revision() -> str:
    """The commit measured, and whether src/ had uncommitted changes (empty if git is unavailable)."""
    import subprocess

    try:
        rev = subprocess.run(
            ["git", "-C", str(REPO_DIR), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO_DIR), "status", "--porcelain", "--", "src"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    if not rev:
        return ""
    return f"commit {rev}" + (" with uncommitted changes under src/" if dirty else "")


def write_results(path, results, scores, refs, facts, p, a, started, elapsed, loads, srv_note, rev="") -> None:
    when = started.strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmark results",
        "",
        f"Written by `python bench/run.py{' --quick' if a.quick else ''}` on {when} ({elapsed:.0f} s). "
        "Re-run it to refresh this file; bench/README.md explains the metrics.",
        "",
        "## Results",
        "",
        results_table(results, p),
        "",
        "## Targets",
        "",
        "litegate's targets; the other clients are scored against the same bars for context. "
        "The CPU target is the one the issue names: litegate's CPU per call against **raw httpx**'s. "
        "The ratio against the fastest raw client (pyreqwest, which litegate's default transport is "
        "built on) is shown beside it for information; it is not a target. The async target compares "
        "with the fastest raw client. "
        "References: raw httpx "
        + (f"{refs['cpu_httpx']:.0f} µs CPU/call" if refs["cpu_httpx"] else "(not measured)")
        + (
            f"; fastest raw async: {refs['rps_fastest'][1][4:]} at {refs['rps_fastest'][0]:,.0f} req/s"
            if refs["rps_fastest"]
            else ""
        )
        + (
            f"; fastest raw sync: {refs['cpu_fastest'][1][4:]} at {refs['cpu_fastest'][0]:.0f} µs CPU/call"
            if refs["cpu_fastest"]
            else ""
        )
        + ".",
        "",
        targets_table(scores, p),
        "",
    ]
    errs = error_lines(results)
    if errs:
        lines += ["Errors and warnings:", ""] + errs + [""]
    lines += [
        "## Machine and run",
        "",
        f"- {facts.get('cores')} cores ({facts.get('cpu', 'unknown CPU')}), {facts.get('platform')}",
        f"- Python {facts.get('python')} ({facts.get('implementation')})"
        + (f"; litegate measured at {rev}" if rev else ""),
        f'- load average (1 min) at start {loads[0]:.2f}, at end {loads[1]:.2f}; "others\' CPU %" is the CPU '
        "other processes used during the timed windows (percent of one core, max over the phases): "
        "above ~10 the numbers of that row are noisy",
        f"- fake server: {srv_note}",
        f"- sync: {p['calls']:,} calls after {p['warmup']} warm-up, then on to {p['soak_calls']:,} calls "
        f"(RSS read at call {p['rss_at']:,} and {p['soak_calls']:,}); streaming: {p['streams']} streams of "
        f"{p['stream_words']:,} words ({p['stream_words'] + 3:,} chunks each); async: ≥ {p['async_requests']:,} "
        f"requests at concurrency {p['concurrency']} on the {a.loop} loop, timed window ≥ {p['min_window']} s; "
        f"import: median of {p['import_runs']} fresh interpreters"
        + ("; server pinned to CPU 1, clients to CPU 0" if a.pin else ""),
        "",
        "Package versions (as each client's interpreter saw them):",
        "",
    ]
    for name, r in results.items():
        v = r.get("versions")
        if v:
            stacks = ""
            if r.get("stacks_sync") is not None or r.get("stacks_async") is not None:
                stacks = (
                    f" — HTTP stacks loaded: sync {', '.join(r.get('stacks_sync') or []) or 'none'}"
                    f"; async {', '.join(r.get('stacks_async') or []) or 'none'}"
                )
            backend = ""
            if r.get("backend_sync") or r.get("backend_async"):
                backend = (
                    f" — litegate transport: sync {r.get('backend_sync') or '?'}; async {r.get('backend_async') or '?'}"
                )
            lines.append(f"- {name}: " + ", ".join(f"{k} {val}" for k, val in sorted(v.items())) + backend + stacks)
        elif "skipped" in r:
            lines.append(f"- {name}: not run ({r['skipped']})")
    lines.append("")
    notes = [r.get("_note") for r in results.values() if r.get("_note")]
    if notes:
        lines += ["Notes:", ""] + [f"- {n}" for n in notes] + [""]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--quick", action="store_true", help="few calls, for smoke tests (< 1 min); does not write RESULTS.md"
    )
    ap.add_argument("--only", action="append", metavar="NAME",
                    help="run only this client (litegate, litegate-httpx, litegate-fast, httpx, pyreqwest, openai, litellm; repeatable)")  # fmt: skip
    ap.add_argument("--litellm-python", metavar="PATH",
                    help="interpreter of a virtualenv with litellm (default: $LITELLM_PYTHON, then bench/.venv-litellm)")  # fmt: skip
    ap.add_argument("--raw", default="httpx,pyreqwest",
                    help="raw HTTP clients to compare, comma-separated (from bench/transport_study.py)")  # fmt: skip
    ap.add_argument("--concurrency", type=int, default=100)
    ap.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio", help="event loop of the async test")
    ap.add_argument("--pin", action="store_true", help="pin the server to CPU 1 and the clients to CPU 0")
    ap.add_argument(
        "--server-cmd", help="command that starts the fake server (default: python bench/fake_server.py --port 0)"
    )
    ap.add_argument("--timeout", type=float, default=600, help="seconds allowed per worker process")
    ap.add_argument("--write", action="store_true", help="write RESULTS.md even with --quick/--only")
    ap.add_argument("--no-write", action="store_true", help="do not write RESULTS.md")
    ap.add_argument("--results", default=str(RESULTS), help="where to write the results (default bench/RESULTS.md)")
    a = ap.parse_args()
    a.raw = [s.strip() for s in a.raw.split(",") if s.strip()]
    for s in a.raw:
        if s not in RAW_STACKS:
            ap.error(f"unknown raw client {s!r} (choose from {', '.join(RAW_STACKS)})")
    if a.loop == "uvloop":
        try:
            import uvloop  # noqa: F401
        except ImportError:
            ap.error("--loop uvloop needs uvloop installed")
    a.client_cpu = 0 if a.pin else None
    p = dict(QUICK if a.quick else FULL, concurrency=a.concurrency)

    clients, skipped = build_clients(a)
    facts = machine_facts()
    started = _dt.datetime.now(_dt.timezone.utc)
    t0 = time.perf_counter()
    load0 = load_average()
    results: dict = {}
    rev = source_revision()
    cmd = shlex.split(a.server_cmd) if a.server_cmd else None
    srv_note = (
        "bench/fake_server.py (litegate.testing's server; uvloop when installed)"
        if not cmd
        else "custom: " + a.server_cmd
    )
    with FakeServer(cmd, cpu=1 if a.pin else None) as srv:
        print(f"# fake server at {srv.base} (pid {srv.pid}); load average {load0:.2f}", file=sys.stderr)
        for c in clients:
            t = time.perf_counter()
            r = measure_client(c, srv, p, a)
            if c.note:
                r["_note"] = f"{c.name}: interpreter from {c.note}" + (
                    "; LITELLM_LOCAL_MODEL_COST_MAP=True" if c.name == "litellm" else ""
                )
            results[c.name] = r
            summary = {k: (round(v, 2) if isinstance(v, float) else v) for k, v in r.items() if k != "versions"}
            print(f"# {c.name} ({time.perf_counter() - t:.0f} s): {summary}", file=sys.stderr)
    for name, why in skipped.items():
        results[name] = {"skipped": why}
    elapsed = time.perf_counter() - t0
    loads = (load0, load_average())
    scores, refs = score(results)

    print(results_table(results, p))
    print()
    print(targets_table(scores, p))
    errs = error_lines(results)
    if errs:
        print("\nErrors and warnings:\n" + "\n".join(errs))
    print(f"\n({elapsed:.0f} s; load average {loads[0]:.2f} → {loads[1]:.2f})")

    write = (a.write or not (a.quick or a.only)) and not a.no_write
    if write:
        write_results(a.results, results, scores, refs, facts, p, a, started, elapsed, loads, srv_note, rev)
        print(f"wrote {os.path.relpath(a.results, REPO_DIR)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
