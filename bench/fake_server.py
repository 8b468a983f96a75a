"""Start the package's fake OpenAI server for benchmarks.

    python bench/fake_server.py [--port 0] [--no-uvloop]

Prints ``LISTENING http://127.0.0.1:PORT`` like ``python -m litegate.testing serve`` (it runs
that same server) with two benchmark-only additions:

* a chat request whose last user message is ``bench-long:N`` gets an N-word reply, so a stream
  request can ask for a long stream (the default reply is a short echo of the prompt);
* the event loop is uvloop when it is installed, so that the server costs less CPU and is less
  likely to be the bottleneck of the async throughput test (``--no-uvloop`` to compare).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src"))

LONG_RE = re.compile(r"^bench-long:(\d+)$")


def _install_long_replies() -> bool:
    """Teach the default chat reply the ``bench-long:N`` prompt; False if the hook is gone."""
    try:
        from litegate.testing import _payloads as P
    except ImportError:
        return False
    original = getattr(P, "chat_reply_text", None)
    if original is None or not hasattr(P, "last_user_text"):
        return False
    cache: dict[int, str] = {}

    def chat_reply_text(body):  # type: ignore[no-untyped-def]
        m = LONG_RE.match(P.last_user_text(body).strip())
        if m is None:
            return original(body)
        n = min(int(m.group(1)), 100_000)
        text = cache.get(n)
        if text is None:
            text = cache[n] = " ".join(f"w{i}" for i in range(n))
        return text

    P.chat_reply_text = chat_reply_text
    return True


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--no-uvloop", action="store_true")
    a = ap.parse_args()
    if not _install_long_replies():
        print("warning: could not install bench-long replies; streams will be short", file=sys.stderr)
    if not a.no_uvloop:
        try:
            import uvloop

            asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
        except ImportError:
            pass
    from litegate.testing.__main__ import main as serve

    return serve(["serve", "--host", a.host, "--port", str(a.port)])


if __name__ == "__main__":
    sys.exit(main())
