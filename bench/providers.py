"""Per-call overhead of litegate on each provider route, against each dialect's fake server.

    python bench/providers.py            # 2,000 timed sync calls per route
    python bench/providers.py --calls 500

Every fake server runs in its own process (so its CPU is not counted); the client process makes
the same chat call through each route (OpenAI, Anthropic, Ollama, and the other native dialects
whose fake server is in this build) and reports CPU per call and latency. The routes differ only
in translation, so similar numbers mean a native dialect costs no more than the OpenAI one.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# route name -> (fake server class in litegate.testing, model, api key, base path appended to the url)
ROUTES = [
    ("openai", "FakeOpenAIServer", "openai/gpt-4o-mini", "sk-bench-000000", "/v1"),
    ("anthropic", "FakeAnthropicServer", "anthropic/claude-sonnet-4-5", "sk-ant-bench-000000", ""),
    ("ollama_chat", "FakeOllamaServer", "ollama_chat/llama3.2", None, ""),
    ("gemini", "FakeGeminiServer", "gemini/gemini-2.5-flash", "AIza-bench-000000", ""),
    ("cohere", "FakeCohereServer", "cohere/command-r-plus-08-2024", "co-bench-000000", ""),
]

SERVER = """
import sys, time
from litegate import testing
cls = getattr(testing, sys.argv[1])
srv = cls().start()
print("LISTENING", srv.url, flush=True)
while True:
    time.sleep(3600)
"""


def _start(server_cls: str) -> tuple[subprocess.Popen, str] | None:
    env_path = str(ROOT / "src")
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, server_cls],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={"PYTHONPATH": env_path, **_env()},
    )
    line = proc.stdout.readline() if proc.stdout else ""
    if not line.startswith("LISTENING"):
        proc.kill()
        return None
    return proc, line.split()[1]


def _env() -> dict:
    import os

    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def measure(model: str, base: str, key: str | None, calls: int) -> tuple[float, float, float]:
    import litegate

    messages = [{"role": "user", "content": "hi"}]
    kw = {"api_base": base, "api_key": key, "num_retries": 0}
    for _ in range(max(50, calls // 10)):
        litegate.completion(model=model, messages=messages, **kw)
    lat = []
    cpu0 = time.process_time()
    for _ in range(calls):
        t = time.perf_counter()
        litegate.completion(model=model, messages=messages, **kw)
        lat.append(time.perf_counter() - t)
    cpu = (time.process_time() - cpu0) / calls
    lat.sort()
    return cpu * 1e6, statistics.median(lat) * 1e6, lat[int(len(lat) * 0.99) - 1] * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    rows = []
    for name, server_cls, model, key, suffix in ROUTES:
        started = _start(server_cls)
        if started is None:
            rows.append((name, None))
            continue
        proc, url = started
        try:
            rows.append((name, measure(model, url + suffix, key, args.calls)))
        finally:
            proc.kill()
    base_cpu = next((r[0] for n, r in rows if n == "openai" and r), None)
    print(f"| route | CPU µs/call | vs OpenAI route | p50 µs | p99 µs |  ({args.calls} sync calls each)")
    print("|---|---|---|---|---|")
    for name, r in rows:
        if r is None:
            print(f"| {name} | not in this build | | | |")
            continue
        ratio = f"{r[0] / base_cpu:.2f}×" if base_cpu else "–"
        print(f"| {name} | {r[0]:.0f} | {ratio} | {r[1]:.0f} | {r[2]:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
