"""Helpers shared by the token tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from litegate.tokens import _data, _encodings

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}

URLS = {
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
}


def tiktoken_text(name: str) -> bytes:
    """OpenAI's ``.tiktoken`` file for ``name``, rebuilt from the shipped table."""
    return _data.to_tiktoken_text(_data.unpack_tokens(_encodings.read_table(name)))


def run_python(code: str, env: dict | None = None) -> str:
    """Run ``code`` in a fresh interpreter; return its stdout (fails the test on a non-zero exit)."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env or ENV)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout
