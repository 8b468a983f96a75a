"""Run a spec example (kept verbatim under tests/fixtures/spec_examples/) with one change: the
import name (``litellm`` -> ``litegate``)."""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "spec_examples"


def source(name: str) -> str:
    text = (EXAMPLES / name).read_text()
    text = re.sub(r"^import litellm$", "import litegate as litellm", text, flags=re.M)
    return re.sub(r"^from litellm(\.| )", r"from litegate\1", text, flags=re.M)


def run(name: str, cwd: Path, extra: dict | None = None) -> tuple[dict, str]:
    """Execute the example in ``cwd``; returns its namespace and what it printed."""
    ns: dict = {"__name__": "spec_example"}
    if extra:
        ns.update(extra)
    out = io.StringIO()
    here = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(source(name), name, "exec", dont_inherit=True), ns)  # noqa: S102 - the spec's own example
    finally:
        os.chdir(here)
    return ns, out.getvalue()
