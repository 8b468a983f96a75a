"""Cost of the AWS pieces: SigV4 signing per request, and event-stream framing throughput.

    python bench/aws.py            # every case
    python bench/aws.py --quick    # fewer rounds

Cases:

* SigV4: ``sign_headers`` for a Bedrock Converse request with a 2 KB body (µs per signature);
* event stream, many small frames: 100,000 ``contentBlockDelta`` frames read in 4 KiB pieces;
* event stream, one 8 MB frame in 1 KB reads (the buffer must not be copied per read);
* the ConverseStream decoder end to end (frames -> chunks), chunks per second.

Standard library only, besides litegate from ``src/``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from litegate.providers.aws.eventstream import EventStreamFramer, encode_message  # noqa: E402
from litegate.providers.aws.sigv4 import Credentials, sign_headers  # noqa: E402
from litegate.providers.bedrock.converse import ConverseStreamDecoder  # noqa: E402

HEADERS = {":event-type": "contentBlockDelta", ":content-type": "application/json", ":message-type": "event"}


def _best(fn, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    rounds = 2 if ap.parse_args().quick else 5

    creds = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "token")
    body = json.dumps({"messages": [{"role": "user", "content": [{"text": "x" * 2000}]}]}).encode()
    url = "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse"
    when = datetime(2025, 1, 1, tzinfo=timezone.utc)
    n = 5000

    def sign() -> None:
        for _ in range(n):
            sign_headers("POST", url, {"content-type": "application/json"}, body, creds, "us-east-1", "bedrock", when)

    t = _best(sign, rounds)
    print(f"SigV4 sign_headers (2 KB body):            {t / n * 1e6:8.1f} µs per request")

    frame = encode_message(HEADERS, json.dumps({"contentBlockIndex": 0, "delta": {"text": "word "}}).encode())
    stream = frame * 100_000
    pieces = [stream[i : i + 4096] for i in range(0, len(stream), 4096)]

    def small() -> None:
        f = EventStreamFramer()
        for p in pieces:
            f.feed(p)

    t = _best(small, rounds)
    print(f"event stream, 100k small frames, 4 KiB reads: {len(stream) / t / 1e6:8.1f} MB/s")

    big = encode_message(HEADERS, b"x" * (8 * 1024 * 1024))
    big_pieces = [big[i : i + 1024] for i in range(0, len(big), 1024)]

    def one_big() -> None:
        f = EventStreamFramer()
        for p in big_pieces:
            f.feed(p)

    t = _best(one_big, rounds)
    print(f"event stream, one 8 MB frame, 1 KiB reads:   {len(big) / t / 1e6:8.1f} MB/s")

    frames = [encode_message({":event-type": "messageStart", ":message-type": "event"}, b'{"role":"assistant"}')]
    frames += [frame] * 20_000
    frames.append(
        encode_message({":event-type": "messageStop", ":message-type": "event"}, b'{"stopReason":"end_turn"}')
    )
    data = b"".join(frames)
    chunks_of = [data[i : i + 4096] for i in range(0, len(data), 4096)]

    def decode() -> None:
        d = ConverseStreamDecoder("m", False, False)
        for c in chunks_of:
            d.feed(c)
        d.finish()

    t = _best(decode, rounds)
    print(f"ConverseStream decoder (frames -> chunks):    {20_001 / t:8.0f} chunks/s")


if __name__ == "__main__":
    main()
