"""CPU per call with observability on and off (observability issue).

Starts the fake OpenAI server (bench/fake_server.py) in its own process, then makes sync
``litegate.completion`` calls against it in configurations run in turn, several rounds each
(interleaved, so drift affects all alike), and reports this process's CPU per call (user +
system, all threads: the delivery workers count too):

* ``none``: no callback (the fast path);
* ``custom logger``: one CustomLogger whose ``log_success_event`` does nothing (the callback
  stage's own cost: kwargs, the standard_logging_object);
* ``otel``: the OpenTelemetry integration on the OpenTelemetry SDK (BatchSpanProcessor with an
  exporter that discards, a MeterProvider with an in-memory reader);
* ``3 integrations, platform down``: langfuse, langsmith and webhook, all pointing at a port
  where nothing listens (each record is queued, retried and dropped in the background).

    python bench/observe.py [--calls 500] [--rounds 15]

Process CPU counts every thread (the delivery workers, the HTTP client's own threads);
"calling thread" is the CPU of the thread that makes the calls only.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "src"))


def _start_server() -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, str(BENCH / "fake_server.py")], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    if not line.startswith("LISTENING "):
        proc.kill()
        raise SystemExit(f"fake server did not start: {line!r}")
    return proc, line.split(" ", 1)[1]


def _closed_port() -> str:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"


def _stage_cost(litegate, kw: dict, configs: dict) -> dict:
    """Thread CPU of the callback stage per call, without the request: the stage's own price."""
    from litegate.core import callbacks, lifecycle

    seen: dict = {}
    settle = lifecycle._settle

    def spy(result, plan, cfg, hooks, call, endpoint, is_async):
        seen.update(result=result, plan=plan, call=call)
        return settle(result, plan, cfg, hooks, call, endpoint, is_async)

    lifecycle._settle = spy
    try:
        litegate.callbacks = configs["custom logger"]
        litegate.completion(**kw)
    finally:
        lifecycle._settle = settle
    out = {}
    for name, cbs in configs.items():
        litegate.callbacks = cbs
        rounds = []
        for _ in range(5):
            t = time.thread_time()
            for _ in range(2000):
                hooks = callbacks.hooks_for(litegate, seen["call"], "completion")
                if hooks is not None:
                    hooks.pre(seen["call"])
                    hooks.success(seen["result"], seen["plan"])
                    hooks.leave()
            rounds.append((time.thread_time() - t) / 2000 * 1e6)
        out[name] = statistics.median(rounds)
    litegate.callbacks = []
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--calls", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=15)
    a = ap.parse_args()

    down = _closed_port()
    os.environ.update(
        {
            "LANGFUSE_PUBLIC_KEY": "pk-bench",
            "LANGFUSE_SECRET_KEY": "sk-bench-secret",
            "LANGFUSE_HOST": down,
            "LANGSMITH_API_KEY": "ls-bench-key",
            "LANGSMITH_ENDPOINT": down,
            "LITEGATE_WEBHOOK_URL": down + "/hook",
        }
    )
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

    import litegate
    from litegate.integrations.custom_logger import CustomLogger
    from litegate.integrations.otel import OpenTelemetryLogger

    class Discard(SpanExporter):
        def export(self, spans):
            return SpanExportResult.SUCCESS

    tp = TracerProvider()
    tp.add_span_processor(BatchSpanProcessor(Discard()))
    otel = OpenTelemetryLogger(
        tracer_provider=tp, meter_provider=MeterProvider(metric_readers=[InMemoryMetricReader()])
    )

    class Noop(CustomLogger):
        def log_success_event(self, kwargs, response_obj, start_time, end_time):
            pass

    configs = {
        "none": [],
        "custom logger": [Noop()],
        "otel": [otel],
        "3 integrations, platform down": ["langfuse", "langsmith", "webhook"],
    }
    server, url = _start_server()
    try:
        kw = dict(
            model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], api_base=url, api_key="sk-bench"
        )
        for _ in range(200):  # warm up the transport, pydantic, the cost map and every logger
            litegate.completion(**kw)
        for cbs in configs.values():
            litegate.callbacks = cbs
            for _ in range(50):
                litegate.completion(**kw)
        results: dict = {name: [] for name in configs}
        caller: dict = {name: [] for name in configs}
        for _ in range(a.rounds):
            for name, cbs in configs.items():
                litegate.callbacks = cbs
                cpu, own = time.process_time(), time.thread_time()
                for _ in range(a.calls):
                    litegate.completion(**kw)
                results[name].append((time.process_time() - cpu) / a.calls * 1e6)
                caller[name].append((time.thread_time() - own) / a.calls * 1e6)
        litegate.callbacks = []
        stage = _stage_cost(litegate, kw, configs)
    finally:
        server.kill()
    base = statistics.median(results["none"])
    base_min = min(results["none"])
    base_own = statistics.median(caller["none"])
    print(f"{a.calls:,} sync calls x {a.rounds} interleaved rounds per configuration; CPU µs per call")
    print(
        "| configuration | process CPU, median | vs none | process CPU, best round | vs none | "
        "calling thread CPU, median | vs none |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, values in results.items():
        med, best, own = statistics.median(values), min(values), statistics.median(caller[name])
        print(
            f"| {name} | {med:.0f} | {med / base:.2f}× | {best:.0f} | {best / base_min:.2f}× | {own:.0f} | "
            f"{own / base_own:.2f}× |"
        )
    print()
    print("The callback stage alone (hooks_for + pre + success on a captured call, its answer and plan; no I/O):")
    print("| configuration | µs per call (median of 5 × 2,000) |")
    print("|---|---|")
    for name, value in stage.items():
        print(f"| {name} | {value:.1f} |")
    shippers = [litegate.integrations.named(n).shipper for n in ("langfuse", "langsmith", "webhook")]
    print(
        "down platforms: "
        + ", ".join(f"{s.name}: queued {len(s.queue)}, dropped {s.dropped}, given up {s.failed}" for s in shippers)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
