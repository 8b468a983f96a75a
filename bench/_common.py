"""Helpers shared by the benchmark parents and their worker subprocesses.

Standard library only: workers also run under other interpreters (for example a separate
virtualenv that has litellm installed), where nothing from this project is importable.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import threading
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
SRC_DIR = REPO_DIR / "src"

MODEL = "gpt-4o-mini"
MESSAGES = [{"role": "user", "content": "hi"}]
API_KEY = "sk-bench"

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


# --------------------------------------------------------------------------- process facts


def rss_mb(pid: int | None = None) -> float:
    """Current resident set size in MB (Linux /proc; falls back to the peak from getrusage)."""
    path = f"/proc/{pid or 'self'}/statm"
    try:
        with open(path) as f:
            return int(f.read().split()[1]) * _PAGE / 1e6
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3  # KiB on Linux


def proc_cpu_seconds(pid: int) -> float:
    """user+system CPU seconds used so far by another process (all its threads), or -1."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except OSError:
        return -1.0
    fields = data[data.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def system_busy_seconds() -> float:
    """CPU seconds all processes on the machine have been busy (sum over cores), or -1."""
    try:
        with open("/proc/stat") as f:
            parts = f.readline().split()
    except OSError:
        return -1.0
    # user nice system idle iowait irq softirq steal ...
    vals = [int(x) for x in parts[1:9]]
    return (sum(vals) - vals[3] - vals[4]) / _TICK


class NoiseMeter:
    """How much CPU *other* processes used while we measured (the benchmark's noise).

    ``other_pct`` is in percent of one core: busy CPU of the whole machine minus the CPU of this
    process and of the fake server. On a 2-core machine anything above ~10 % means someone else
    was competing with the client or the server.
    """

    def __init__(self, server_pid: int = 0):
        self.server_pid = server_pid

    def __enter__(self) -> NoiseMeter:
        self.t0 = time.perf_counter()
        self.sys0 = system_busy_seconds()
        self.me0 = time.process_time()
        self.srv0 = proc_cpu_seconds(self.server_pid) if self.server_pid else 0.0
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self.t0
        self.me = time.process_time() - self.me0
        self.srv = (proc_cpu_seconds(self.server_pid) - self.srv0) if self.server_pid else 0.0
        busy = system_busy_seconds() - self.sys0
        self.other = max(0.0, busy - self.me - self.srv) if self.sys0 >= 0 else float("nan")

    @property
    def client_pct(self) -> float:
        return self.me / self.wall * 100

    @property
    def server_pct(self) -> float:
        return self.srv / self.wall * 100

    @property
    def other_pct(self) -> float | None:
        if self.wall < 0.25:  # the CPU clocks tick every 10 ms: too coarse for a short window
            return None
        return self.other / self.wall * 100


def load_average() -> float:
    try:
        return os.getloadavg()[0]
    except (OSError, AttributeError):
        return float("nan")


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(q / 100.0 * (len(sorted_values) - 1))))
    return sorted_values[k]


def median(values: list[float]) -> float:
    s = sorted(values)
    n = len(s)
    if not n:
        return float("nan")
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def pin_to_cpu(cpu: int | None) -> None:
    if cpu is None or not hasattr(os, "sched_setaffinity"):
        return
    try:
        os.sched_setaffinity(0, {cpu})
    except OSError:
        pass


# --------------------------------------------------------------------------- request payloads


def long_messages(words: int) -> list:
    """The prompt that makes bench/fake_server.py stream a reply of ``words`` words."""
    return [{"role": "user", "content": f"bench-long:{words}"}]


def chat_body(stream: bool = False, stream_tokens: int | None = None) -> dict:
    body: dict = {"model": MODEL, "messages": MESSAGES}
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
        if stream_tokens:
            body["messages"] = long_messages(stream_tokens)
    return body


def iter_sse_data(chunks):
    """Yield the ``data:`` payloads (bytes) of an SSE byte stream given as an iterable of chunks."""
    buf = b""
    for chunk in chunks:
        buf += chunk
        while True:
            i = buf.find(b"\n\n")
            if i < 0:
                break
            event, buf = buf[:i], buf[i + 2 :]
            for line in event.split(b"\n"):
                if line.startswith(b"data:"):
                    yield line[5:].lstrip()


async def aiter_sse_data(chunks):
    buf = b""
    async for chunk in chunks:
        buf += chunk
        while True:
            i = buf.find(b"\n\n")
            if i < 0:
                break
            event, buf = buf[:i], buf[i + 2 :]
            for line in event.split(b"\n"):
                if line.startswith(b"data:"):
                    yield line[5:].lstrip()


# --------------------------------------------------------------------------- fake server


_LISTEN_RE = re.compile(r"LISTENING\s+(http://\S+)")


class FakeServer:
    """A fake OpenAI server in its own process. ``base`` is ``http://127.0.0.1:PORT``."""

    def __init__(self, cmd: list[str] | None = None, cpu: int | None = None, python: str | None = None):
        python = python or sys.executable
        self.cmd = cmd or [python, str(BENCH_DIR / "fake_server.py"), "--port", "0"]
        self.cpu = cpu
        self.proc: subprocess.Popen | None = None
        self.base = ""
        self._lines: list[str] = []

    @property
    def base_v1(self) -> str:
        return self.base.rstrip("/") + "/v1"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout: float = 20.0) -> FakeServer:
        env = bench_env()
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC_DIR), env.get("PYTHONPATH", "")) if p)
        env.setdefault("PYTHONUNBUFFERED", "1")
        preexec = None
        if self.cpu is not None:
            cpu = self.cpu
            preexec = lambda: pin_to_cpu(cpu)  # noqa: E731
        self.proc = subprocess.Popen(
            self.cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            preexec_fn=preexec,
        )
        found: list[str] = []
        done = threading.Event()

        def reader() -> None:
            assert self.proc is not None and self.proc.stdout is not None
            for line in self.proc.stdout:
                self._lines.append(line.rstrip())
                if not found:
                    m = _LISTEN_RE.search(line)
                    if m:
                        found.append(m.group(1))
                        done.set()
            done.set()

        threading.Thread(target=reader, daemon=True).start()
        done.wait(timeout)
        if not found:
            self.stop()
            raise RuntimeError(
                "fake server did not report LISTENING: " + shlex.join(self.cmd) + "\n" + "\n".join(self._lines[-20:])
            )
        self.base = found[0].rstrip("/")
        if self.base.endswith("/v1"):
            self.base = self.base[:-3]
        return self

    def cpu_seconds(self) -> float:
        return proc_cpu_seconds(self.pid)

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# --------------------------------------------------------------------------- subprocess plumbing

RESULT_PREFIX = "BENCH_RESULT "

# Byte-code caches for the benchmark's subprocesses live here (not next to the sources), so that
# imports are timed from .pyc files as in a normal install even where PYTHONDONTWRITEBYTECODE is
# set, and nothing is written into the source tree.
PYCACHE_DIR = os.path.join(__import__("tempfile").gettempdir(), "litegate-bench-pycache")


def bench_env(extra: dict | None = None) -> dict:
    """The environment of a benchmark subprocess; a value of None in ``extra`` unsets that variable."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = PYCACHE_DIR
    for k, v in (extra or {}).items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def emit(result: dict) -> None:
    """Print one JSON result line for the parent to pick up."""
    sys.stdout.write(RESULT_PREFIX + json.dumps(result) + "\n")
    sys.stdout.flush()


def run_worker(cmd: list[str], timeout: float, env: dict | None = None, cpu: int | None = None) -> dict:
    """Run a worker subprocess; return the merged result dicts it emitted (or an error)."""
    full_env = bench_env(env)
    preexec = None
    if cpu is not None:
        preexec = lambda: pin_to_cpu(cpu)  # noqa: E731
    t0 = time.perf_counter()
    try:
        cp = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=full_env, preexec_fn=preexec)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f}s"}
    out: dict = {}
    for line in cp.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            out.update(json.loads(line[len(RESULT_PREFIX) :]))
    if cp.returncode != 0 and "error" not in out:
        lines = (cp.stderr or cp.stdout).strip().splitlines()
        fatal = [ln for ln in lines if ln.startswith("Fatal Python error")]
        msg = (fatal or lines[-1:] or [""])[0] or f"exit code {cp.returncode}"
        if out:  # it measured and reported, then died (e.g. on interpreter shutdown)
            out["warning"] = f"exit status {cp.returncode} after reporting: {msg}"[:300]
        else:
            out["error"] = msg[:300]
    out.setdefault("_wall_s", time.perf_counter() - t0)
    return out


def measure_import(python: str, stmt: str, runs: int = 5, env: dict | None = None) -> dict:
    """Median wall time of ``stmt`` in ``runs`` fresh interpreters, and the RSS after it."""
    # self-contained: nothing but ``time`` is imported before the RSS is read
    code = (
        "import time\n"
        "t0 = time.perf_counter()\n"
        f"{stmt}\n"
        "t1 = time.perf_counter()\n"
        "import os\n"
        "try:\n"
        "    rss = int(open('/proc/self/statm').read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 1e6\n"
        "except OSError:\n"
        "    import resource\n"
        "    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3\n"
        f'print({RESULT_PREFIX!r} + \'{{"import_ms": %r, "rss_import_mb": %r}}\' % ((t1 - t0) * 1e3, rss))\n'
    )
    times, rss, err = [], [], None
    for i in range(runs + 1):  # the first run fills the byte-code and page caches; not counted
        r = run_worker([python, "-c", code], timeout=120, env=env)
        if "error" in r:
            err = r["error"]
            break
        if i == 0:
            continue
        times.append(r["import_ms"])
        rss.append(r["rss_import_mb"])
    if err:
        return {"import_error": err}
    return {"import_ms": median(times), "import_ms_min": min(times), "rss_import_mb": median(rss)}


def machine_facts() -> dict:
    import platform

    facts = {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
    }
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    facts["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return facts


RESULTS_MARK_CACHE = "## Caching (bench/cache.py)"
