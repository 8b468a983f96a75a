"""``python -m litegate.testing serve --port 0 --host 127.0.0.1``

Starts a fake OpenAI-dialect server in this process, prints ``LISTENING http://HOST:PORT`` on one
line (flushed) and serves until killed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys


def _parser() -> argparse.ArgumentParser:
    description = (__doc__ or "").split("\n\n")[0]  # python -OO strips the docstring
    ap = argparse.ArgumentParser(prog="python -m litegate.testing", description=description)
    sub = ap.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the fake OpenAI server until killed")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=0, help="0 = pick a free port")
    serve.add_argument("--require-key", default=None, help="reject requests without this API key (401)")
    serve.add_argument("--delay", type=float, default=0.0, help="seconds to wait before each default reply")
    serve.add_argument("--sse-framing", choices=("chunked", "close"), default="chunked")
    serve.add_argument("--record", action="store_true", help="keep request recordings (off: memory stays flat)")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from .openai_server import FakeOpenAIServer

    srv = FakeOpenAIServer(
        args.host,
        args.port,
        require_key=args.require_key,
        default_delay=args.delay,
        record=args.record,
        sse_framing=args.sse_framing,
    )

    def ready(s: FakeOpenAIServer) -> None:
        sys.stdout.write(f"LISTENING {s.url}\n")
        sys.stdout.flush()

    try:
        asyncio.run(srv.serve_forever(ready))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
