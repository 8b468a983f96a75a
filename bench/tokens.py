"""Token counting speed: litegate.tokens.token_counter on text and on chat messages.

Prints a table of tokens per second (and calls per second) for each case, next to tiktoken's
bare ``encode_ordinary`` on the same text (the floor: what counting costs without litegate), and
the one-off cost of loading each encoding in a fresh interpreter.

    python bench/tokens.py            # about 20 s
    python bench/tokens.py --quick    # about 5 s
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
sys.path.insert(0, str(SRC))

from litegate.tokens import get_encoding_for_model, token_counter  # noqa: E402

_WORDS = (
    "the of and to in is that for it as with was on be by this are from at or an which have not "
    "token counting model request response stream provider latency budget cache router fallback "
    "naïve café façade Straße jalapeño résumé Zürich 東京 日本語 你好 世界 한국어 мир привет "
    "🎉 👍🏽 ✓ → … — json_schema max_tokens api_base tool_calls HTTP/1.1 utf-8 x86_64"
).split()
_PUNCT = (" ", " ", " ", " ", ", ", ". ", "\n", ": ", "; ", "! ", "? ", " (", ") ", ' "', '" ')


def varied_text(n_words: int, seed: int = 7) -> str:
    """Deterministic, non-repeating mixed text: words of several scripts, numbers, punctuation."""
    rng = random.Random(seed)
    out = []
    for _ in range(n_words):
        word = rng.choice(_WORDS) if rng.random() < 0.92 else str(rng.randint(0, 10 ** rng.randint(1, 7)))
        if rng.random() < 0.1:
            word = word.capitalize()
        out.append(word + rng.choice(_PUNCT))
    return "".join(out)


def varied_code(n_lines: int, seed: int = 11) -> str:
    rng = random.Random(seed)
    lines = []
    for i in range(n_lines):
        name = rng.choice(_WORDS[:40]).replace("-", "_")
        lines.append(f'    {name}_{i} = compute({rng.randint(0, 999)}, key="{rng.choice(_WORDS)}")  # step {i}')
    return "def generated():\n" + "\n".join(lines) + "\n"


SENTENCE = varied_text(14, seed=1)


def _conversation(turns: int) -> list:
    messages = [{"role": "system", "content": "You are a concise, helpful assistant."}]
    for i in range(turns):
        messages.append({"role": "user", "content": f"Question {i}: " + varied_text(40, seed=2 * i)})
        messages.append(
            {"role": "assistant", "content": f"Answer {i}: " + varied_text(80, seed=2 * i + 1) + varied_code(5, seed=i)}
        )
    return messages


def _time(fn, min_seconds: float) -> float:
    """Seconds per call of ``fn`` (median of 5 windows, each at least min_seconds / 5 long)."""
    fn()  # warm-up (and first-use loading)
    per_call = []
    window = min_seconds / 5
    for _ in range(5):
        n, start = 0, time.perf_counter()
        while True:
            fn()
            n += 1
            elapsed = time.perf_counter() - start
            if elapsed >= window:
                break
        per_call.append(elapsed / n)
    return statistics.median(per_call)


def _load_ms(model: str) -> float:
    code = (
        "import sys, time; sys.path.insert(0, %r)\n"
        "t = time.perf_counter()\n"
        "from litegate.tokens import token_counter\n"
        "token_counter(model=%r, text='hello')\n"
        "print((time.perf_counter() - t) * 1000)" % (str(SRC), model)
    )
    runs = []
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        runs.append(float(out.stdout.strip()))
    return statistics.median(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="shorter timing windows")
    parser.add_argument("--json", metavar="FILE", help="also write the numbers as JSON")
    args = parser.parse_args()
    seconds = 0.25 if args.quick else 1.0

    texts = {
        "text, 1 sentence": SENTENCE,
        "text, ~1k tokens": varied_text(400) + varied_code(10),
        "text, ~100k tokens": varied_text(40_000) + varied_code(1_000),
    }
    conversations = {"messages, 1 turn": _conversation(1), "messages, 20 turns": _conversation(20)}

    rows = []
    for model in ("gpt-4o", "gpt-4"):
        encoding = get_encoding_for_model(model)
        for label, text in texts.items():
            n_tokens = token_counter(model=model, text=text)
            ours = _time(lambda m=model, t=text: token_counter(model=m, text=t), seconds)
            bare = _time(lambda e=encoding, t=text: e.encode_ordinary(t), seconds)
            rows.append((model, encoding.name, label, n_tokens, ours, bare))
        for label, messages in conversations.items():
            n_tokens = token_counter(model=model, messages=messages)
            ours = _time(lambda m=model, ms=messages: token_counter(model=m, messages=ms), seconds)
            joined = [m["content"] for m in messages]
            bare = _time(lambda e=encoding, j=joined: [e.encode_ordinary(s) for s in j], seconds)
            rows.append((model, encoding.name, label, n_tokens, ours, bare))

    print(f"Python {sys.version.split()[0]}; median of 5 windows per case\n")
    print("| model | encoding | input | tokens | calls/s | tokens/s | bare tiktoken tokens/s |")
    print("|---|---|---|---:|---:|---:|---:|")
    for model, enc_name, label, n, ours, bare in rows:
        print(f"| {model} | {enc_name} | {label} | {n:,} | {1 / ours:,.0f} | {n / ours:,.0f} | {n / bare:,.0f} |")
    loads = {model: _load_ms(model) for model in ("gpt-4", "gpt-4o")}
    print()
    for model, ms in loads.items():
        print(f"first count in a fresh interpreter (import + load {get_encoding_for_model(model).name}): {ms:.0f} ms")

    if args.json:
        data = {
            "rows": [
                {
                    "model": m,
                    "encoding": e,
                    "input": label,
                    "tokens": n,
                    "calls_per_s": 1 / o,
                    "tokens_per_s": n / o,
                    "bare_tokens_per_s": n / b,
                }
                for m, e, label, n, o, b in rows
            ],
            "first_count_ms": loads,
        }
        Path(args.json).write_text(json.dumps(data, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
