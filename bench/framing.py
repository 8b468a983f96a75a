"""Throughput of the stream framers (litegate.core.framing and the Gemini framer), in MB/s.

    python bench/framing.py            # every case
    python bench/framing.py --quick    # fewer rounds

Cases:

* many small events - 200,000 OpenAI-sized ``data:`` events, read in 4 KiB pieces;
* one 8 MB event in 1 KB reads - a single ``data:`` line of 8 MB arriving 1 KiB at a time (the case
  that was quadratic while the framers copied their whole buffer on every read);
* the same two shapes for NDJSON (Ollama) and for the Gemini framer.

Standard library only, besides litegate from ``src/``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from litegate.core.framing import NDJSONFramer, SSEFramer  # noqa: E402
from litegate.providers.gemini.streaming import GoogleStreamFramer  # noqa: E402

EVENT = (
    b'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini",'
    b'"choices":[{"index":0,"delta":{"content":"word "},"finish_reason":null}]}\n\n'
)
LINE = (
    b'{"model":"llama3","created_at":"2024-01-01T00:00:00Z","message":{"role":"assistant",'
    b'"content":"word "},"done":false}\n'
)


def _pieces(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def _run(make, pieces: list[bytes], rounds: int) -> tuple[float, int]:
    """(best seconds over ``rounds``, items framed) for feeding ``pieces`` to a fresh framer."""
    best = float("inf")
    items = 0
    for _ in range(rounds):
        framer = make()
        start = time.perf_counter()
        n = 0
        for piece in pieces:
            n += len(framer.feed(piece))
        n += len(framer.flush())
        best = min(best, time.perf_counter() - start)
        items = n
    return best, items


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    rounds = 1 if args.quick else 3
    small = 20_000 if args.quick else 200_000
    big = 8 * 1000 * 1000

    cases = [
        ("SSE: many small events (4 KiB reads)", SSEFramer, _pieces(EVENT * small, 4096)),
        ("SSE: one 8 MB event in 1 KB reads", SSEFramer, _pieces(b"data: " + b"x" * big + b"\n\n", 1024)),
        (
            "Gemini SSE: many small events (4 KiB reads)",
            GoogleStreamFramer,
            _pieces(EVENT.replace(b"\n\n", b"\r\n\r\n") * small, 4096),
        ),
        (
            "Gemini SSE: one 8 MB event in 1 KB reads",
            GoogleStreamFramer,
            _pieces(b"data: " + b"x" * big + b"\r\n\r\n", 1024),
        ),
        ("NDJSON: many small lines (4 KiB reads)", NDJSONFramer, _pieces(LINE * small, 4096)),
        ("NDJSON: one 8 MB line in 1 KB reads", NDJSONFramer, _pieces(b"x" * big + b"\n", 1024)),
    ]
    width = max(len(name) for name, _, _ in cases)
    print(f"{'case':<{width}}  {'MB':>7}  {'items':>8}  {'seconds':>8}  {'MB/s':>8}")
    for name, make, pieces in cases:
        total = sum(len(p) for p in pieces)
        seconds, items = _run(make, pieces, rounds)
        print(f"{name:<{width}}  {total / 1e6:7.1f}  {items:8d}  {seconds:8.3f}  {total / 1e6 / seconds:8.1f}")


if __name__ == "__main__":
    main()
