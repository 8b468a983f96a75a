"""``python -m litegate.testing serve``: the command line of the fake OpenAI server."""

from __future__ import annotations

import subprocess
import sys


def test_parser_reads_the_serve_options():
    from litegate.testing.__main__ import _parser

    args = _parser().parse_args(["serve", "--port", "0", "--delay", "0.5", "--sse-framing", "close"])
    assert (args.command, args.port, args.delay, args.sse_framing) == ("serve", 0, 0.5, "close")


def test_help_works_without_docstrings():
    # python -OO strips docstrings: the module's __doc__ (the parser's description) is None
    out = subprocess.run(
        [sys.executable, "-OO", "-m", "litegate.testing", "serve", "--help"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert "--sse-framing" in out.stdout
