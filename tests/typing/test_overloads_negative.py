"""The overloads discriminate: mypy rejects a stream used as a response and a response used as a
stream. (The revealed-type tests prove the right types are inferred; this proves the wrong ones
are refused, so an overload that degrades to ``Any`` fails here.)"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SNIPPET = """\
import litegate
from litegate import CustomStreamWrapper, ModelResponse

MESSAGES = [{"role": "user", "content": "hi"}]


def right(flag: bool) -> None:
    response: ModelResponse = litegate.completion("gpt-4o-mini", MESSAGES)
    stream: CustomStreamWrapper = litegate.completion("gpt-4o-mini", MESSAGES, stream=True)
    either = litegate.completion("gpt-4o-mini", MESSAGES, stream=flag)
    print(response, stream, either)


def wrong() -> None:
    response: ModelResponse = litegate.completion("gpt-4o-mini", MESSAGES, stream=True)  # WRONG
    stream: CustomStreamWrapper = litegate.completion("gpt-4o-mini", MESSAGES)  # WRONG
    print(response.choices, stream)
"""


def test_mypy_rejects_a_stream_where_a_response_is_expected(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    snippet = tmp_path / "snippet.py"
    snippet.write_text(SNIPPET)
    wrong_lines = {i for i, line in enumerate(SNIPPET.splitlines(), 1) if line.endswith("# WRONG")}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--strict",
            "--follow-imports=silent",  # only the snippet's own errors
            "--cache-dir",
            str(tmp_path / "mypy-cache"),
            str(snippet),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    errors = [line for line in proc.stdout.splitlines() if ": error:" in line]
    flagged = {int(m.group(1)) for line in errors if (m := re.search(r"snippet\.py:(\d+): error:", line))}
    assert flagged == wrong_lines, proc.stdout + proc.stderr
    assert all("Incompatible types in assignment" in line for line in errors), proc.stdout
    stream_as_response = re.compile(
        r'expression has type "CustomStreamWrapper\b[^"]*", variable has type "ModelResponse"'
    )
    response_as_stream = re.compile(r'expression has type "ModelResponse", variable has type "CustomStreamWrapper\b')
    assert any(stream_as_response.search(line) for line in errors), proc.stdout
    assert any(response_as_stream.search(line) for line in errors), proc.stdout
