"""CPU cost of a cache hit against a call to the local fake server, and the semantic cache's hit rate.

    python bench/cache.py            # about 1 min on 2 cores; prints the table
    python bench/cache.py --write    # and puts it in bench/RESULTS.md (section "Caching")
    python bench/cache.py --quick    # fewer calls

Side by side in one run, in this process (CPU = ``time.process_time``, all threads of this
process, so the HTTP client's runtime threads count): a ``litegate.completion`` answered by the
fake OpenAI server (its own process, bench/fake_server.py) with no cache, and the same call
answered from the local cache, the disk cache, Redis behind its in-memory layer, and Redis alone
(the in-memory layer off: every hit is a loopback round trip to a redis-server started here).
Sync and async. Targets: a local hit at most 20 % of a fake-server call's CPU, a Redis hit at
most 50 %.

The semantic part stores answers for a few questions, then asks paraphrases (which should hit)
and unrelated questions (which should not), with the Redis semantic cache and embeddings from
``WordEmbeddingServer`` (bags of words: no language model), at a few thresholds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS_MARK_CACHE, SRC_DIR, FakeServer, median  # noqa: E402

sys.path.insert(0, str(SRC_DIR))
import litegate  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
MESSAGES = [{"role": "user", "content": "hi"}]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis() -> tuple[subprocess.Popen | None, str | None]:
    binary = shutil.which("redis-server")
    if binary is None:
        return None, None
    port = _free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    return None, None


def cpu_per_call(fn, n: int, repeat: int) -> float:
    """Median over ``repeat`` runs of CPU microseconds per call of ``fn`` (called ``n`` times)."""
    fn()  # warm: the first call stores (or loads modules)
    runs = []
    for _ in range(repeat):
        t0 = time.process_time()
        for _ in range(n):
            fn()
        runs.append((time.process_time() - t0) / n * 1e6)
    return median(runs)


def acpu_per_call(afn, n: int, repeat: int) -> float:
    async def main() -> float:
        await afn()
        runs = []
        for _ in range(repeat):
            t0 = time.process_time()
            for _ in range(n):
                await afn()
            runs.append((time.process_time() - t0) / n * 1e6)
        return median(runs)

    return asyncio.run(main())


def measure(base: str, redis_url: str | None, quick: bool) -> list[tuple[str, float, float, str]]:
    kw = dict(model="openai/gpt-4o-mini", messages=MESSAGES, api_base=base + "/v1", api_key="sk-bench")
    calls = 300 if quick else 1500
    hits = 2000 if quick else 20000
    repeat = 3
    rows = []

    def sync_call():
        r = litegate.completion(**kw)
        return r

    async def async_call():
        return await litegate.acompletion(**kw)

    litegate.cache = None
    call_us = cpu_per_call(sync_call, calls, repeat)
    acall_us = acpu_per_call(async_call, calls, repeat)
    rows.append(("call to the fake server (no cache)", call_us, acall_us, ""))
    tmp = tempfile.mkdtemp(prefix="litegate-bench-cache-")
    caches = [
        ("local hit", lambda: litegate.Cache(), hits, 20.0),
        ("disk hit (SQLite)", lambda: litegate.Cache(type="disk", directory=tmp), hits // 4, None),
    ]
    if redis_url:
        caches += [
            (
                "Redis hit, memory layer on (dual cache)",
                lambda: litegate.Cache(type="redis", url=redis_url),
                hits,
                50.0,
            ),
            (
                "Redis hit, memory layer off (loopback round trip)",
                lambda: litegate.Cache(type="redis", url=redis_url, default_in_memory_ttl=0),
                hits // 4,
                50.0,
            ),
        ]
    for name, make, n, target in caches:
        litegate.cache = make()
        sync_us = cpu_per_call(sync_call, n, repeat)
        async_us = acpu_per_call(async_call, n, repeat)
        first = litegate.completion(**kw)
        assert first._hidden_params.get("cache_hit") is True, name
        verdict = ""
        if target is not None:
            share = sync_us / call_us * 100
            ashare = async_us / acall_us * 100
            ok = share <= target and ashare <= target
            verdict = f"{share:.0f} % / {ashare:.0f} % of a call (target ≤ {target:.0f} %): {'PASS' if ok else 'FAIL'}"
        else:
            verdict = f"{sync_us / call_us * 100:.0f} % / {async_us / acall_us * 100:.0f} % of a call"
        rows.append((name, sync_us, async_us, verdict))
        litegate.cache.close()
    litegate.cache = None
    shutil.rmtree(tmp, ignore_errors=True)
    return rows


# ------------------------------------------------------------------ semantic hit rate
STORED = [
    "What is the capital city of France?",
    "How do I reverse a list in Python?",
    "What are the health benefits of green tea?",
    "How many moons does Jupiter have?",
    "Explain how a refrigerator keeps food cold.",
    "What is the boiling point of water at sea level?",
    "Who wrote the novel Pride and Prejudice?",
    "How can I improve my sleep quality?",
]
PARAPHRASES = [
    "Tell me the capital of France.",
    "France's capital city is what?",
    "Reverse a Python list: how?",
    "In Python, how do I reverse a list?",
    "Health benefits of drinking green tea?",
    "What benefits does green tea have for health?",
    "Jupiter has how many moons?",
    "Number of moons of Jupiter?",
    "How does a refrigerator keep the food cold?",
    "At sea level, what is the boiling point of water?",
    "Who is the author of Pride and Prejudice?",
    "Pride and Prejudice was written by whom?",
    "Tips to improve the quality of my sleep?",
    "How to sleep better at night?",
]
UNRELATED = [
    "What is the capital city of Spain?",
    "How do I sort a dictionary in Python?",
    "What are the side effects of coffee?",
    "How many rings does Saturn have?",
    "Explain how an oven heats food.",
    "What is the freezing point of water?",
    "Who painted the Mona Lisa?",
    "How can I improve my running speed?",
]


def semantic(redis_url: str) -> list[tuple[float, float, float, float]]:
    import redis

    from litegate.testing import FakeOpenAIServer
    from litegate.testing.word_embeddings import WordEmbeddingServer

    out = []
    with FakeOpenAIServer() as llm, WordEmbeddingServer() as emb:
        for threshold in (0.6, 0.7, 0.8, 0.9):
            redis.Redis.from_url(redis_url).flushdb()
            cache = litegate.Cache(
                type="redis-semantic",
                url=redis_url,
                similarity_threshold=threshold,
                redis_semantic_cache_embedding_model="openai/text-embedding-3-small",
                embedding_kwargs={"api_base": emb.base_url, "api_key": "sk-bench"},
            )
            litegate.cache = cache

            def ask(text: str):
                return litegate.completion(
                    model="openai/gpt-4o-mini",
                    messages=[{"role": "user", "content": text}],
                    api_base=llm.base_url,
                    api_key="sk-bench",
                )

            for q in STORED:
                ask(q)
            good = 0
            latencies = []
            for q in PARAPHRASES:
                t0 = time.perf_counter()
                r = ask(q)
                latencies.append(time.perf_counter() - t0)
                good += bool(r._hidden_params.get("cache_hit"))
            bad = 0
            for q in UNRELATED:
                t0 = time.perf_counter()
                r = ask(q)
                latencies.append(time.perf_counter() - t0)
                bad += bool(r._hidden_params.get("cache_hit"))
            out.append((threshold, good / len(PARAPHRASES) * 100, bad / len(UNRELATED) * 100, median(latencies) * 1e3))
            cache.close()
    litegate.cache = None
    return out


def render(rows, sem, facts: str) -> str:
    lines = [
        RESULTS_MARK_CACHE,
        "",
        "`python bench/cache.py` (CPU µs per call, median of 3 runs, this process only; the fake "
        "server runs in its own process; sync / async):",
        "",
        "| answered by | sync CPU µs/call | async CPU µs/call | share of a fake-server call |",
        "|---|---:|---:|---|",
    ]
    for name, s, a, verdict in rows:
        lines.append(f"| {name} | {s:,.1f} | {a:,.1f} | {verdict} |")
    if sem:
        lines += [
            "",
            f"Semantic cache (Redis, plain commands; `WordEmbeddingServer` bag-of-words embeddings): "
            f"{len(STORED)} questions stored, then {len(PARAPHRASES)} paraphrases and {len(UNRELATED)} "
            "unrelated questions asked:",
            "",
            "| similarity_threshold | paraphrases answered from the cache | unrelated answered from the cache (wrong) "
            "| median latency per ask (ms) |",
            "|---:|---:|---:|---:|",
        ]
        for threshold, good, bad, ms in sem:
            lines.append(f"| {threshold} | {good:.0f} % | {bad:.0f} % | {ms:.2f} |")
    lines += [
        "",
        "The shares compare figures of the same run; on a shared machine (see the load) the absolute "
        "µs move by a third between runs, the shares much less. The semantic rows measure the mechanism "
        "with bag-of-words embeddings, not a language model's.",
        "",
        facts,
        "",
    ]
    return "\n".join(lines)


def write(section: str) -> None:
    text = RESULTS.read_text() if RESULTS.exists() else ""
    start = text.find(RESULTS_MARK_CACHE)
    if start >= 0:
        end = text.find("\n## ", start + len(RESULTS_MARK_CACHE))
        text = text[:start] + section + (text[end + 1 :] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--write", action="store_true", help="put the section into bench/RESULTS.md")
    ap.add_argument("--no-semantic", action="store_true")
    args = ap.parse_args()
    server = FakeServer().start()
    redis_proc, redis_url = start_redis()
    try:
        rows = measure(server.base, redis_url, args.quick)
        sem = semantic(redis_url) if redis_url and not args.no_semantic else []
    finally:
        server.stop()
        if redis_proc is not None:
            redis_proc.terminate()
            redis_proc.wait(timeout=5)
    from litegate.core.transport import default_transport

    facts = (
        f"Python {sys.version.split()[0]}, litegate {litegate.__version__}, transport "
        f"{type(default_transport()).__name__}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
        + ("" if redis_url else "; no redis-server: Redis rows not run")
    )
    section = render(rows, sem, facts)
    print(section)
    if args.write:
        write(section)


if __name__ == "__main__":
    main()
