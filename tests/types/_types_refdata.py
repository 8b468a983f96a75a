"""Helpers shared by the response-type tests: locating and reading the reference wire data."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def _find_reference_root() -> Path | None:
    """``$LITEGATE_REFERENCE_DIR``, else ``shared/reference/openai`` in the nearest ancestor of
    this file that has one."""
    configured = os.environ.get("LITEGATE_REFERENCE_DIR")
    if configured:
        return Path(configured)
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "shared" / "reference" / "openai"
        if candidate.is_dir():
            return candidate
    return None


REFERENCE = _find_reference_root()
EXAMPLES = REFERENCE / "examples" if REFERENCE else None
SSE_RECORDED = REFERENCE / "sse-recorded" if REFERENCE else None


def chat_completion_examples() -> list[Path]:
    """Every createChatCompletion example whose response is a JSON object (not a stream)."""
    if EXAMPLES is None:
        return []
    out = []
    for path in sorted(EXAMPLES.glob("createChatCompletion__*.json")):
        if isinstance(load_example(path), dict):
            out.append(path)
    return out


def load_example(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)["response"]


def load_json_example(name: str) -> Any:
    assert EXAMPLES is not None
    return load_example(EXAMPLES / name)


def sse_files() -> list[Path]:
    """Recorded chat-completion streams (plus the documented streaming example)."""
    files: list[Path] = []
    if SSE_RECORDED is not None:
        files.extend(sorted(SSE_RECORDED.glob("*.sse")))
    if EXAMPLES is not None:
        documented = EXAMPLES / "createChatCompletion__streaming.sse"
        if documented.exists():
            files.append(documented)
    return files


def read_sse(path: Path) -> list[dict[str, Any]]:
    """The JSON payloads of ``data:`` lines, up to ``data: [DONE]``."""
    events: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line.startswith("data:"):
                continue
            data = line[len("data:") :].strip()
            if data == "[DONE]":
                break
            events.append(json.loads(data))
    return events


def assert_subset(expected: Any, actual: Any, path: str = "$") -> None:
    """Every value in ``expected`` is in ``actual``; keys whose expected value is None may be
    absent from ``actual`` (optional fields hidden while unset)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        for key, value in expected.items():
            if key not in actual:
                assert value is None, f"{path}.{key} missing (expected {value!r})"
                continue
            assert_subset(value, actual[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{path}: expected a list, got {actual!r}"
        assert len(expected) == len(actual), f"{path}: length {len(actual)} != {len(expected)}"
        for i, (e, a) in enumerate(zip(expected, actual, strict=False)):
            assert_subset(e, a, f"{path}[{i}]")
    else:
        assert expected == actual, f"{path}: {actual!r} != {expected!r}"
