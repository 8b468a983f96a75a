"""Start-up cost of alias mode: fresh interpreters timing `import litegate`, then
`litegate.alias_litellm(); import litellm, litellm.types.utils` (what a framework triggers), and,
when an interpreter with the real litellm is given, `import litellm, litellm.types.utils` there.

    python bench/alias_import.py [--runs 7] [--litellm-python PATH]

Prints the median and the spread of the wall time of each, in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[1] / "src")

CASES = {
    "import litegate": "import litegate",
    "alias + import litellm": "import litegate; litegate.alias_litellm(); import litellm, litellm.types.utils",
}


def _time(python: str, code: str, env: dict) -> float:
    start = time.perf_counter()
    subprocess.run([python, "-c", code], check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--litellm-python", default=os.environ.get("LITELLM_PYTHON"))
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": SRC}
    rows = [(name, sys.executable, code, env) for name, code in CASES.items()]
    rows.insert(0, ("python (empty)", sys.executable, "pass", env))
    if args.litellm_python:
        real_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        real_env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"  # no network fetch at import
        rows.append(
            ("real litellm: import litellm", args.litellm_python, "import litellm, litellm.types.utils", real_env)
        )
    for name, python, code, run_env in rows:
        times = sorted(_time(python, code, run_env) for _ in range(args.runs))
        print(f"{name:<32} median {statistics.median(times):8.1f} ms   min {times[0]:8.1f}   max {times[-1]:8.1f}")


if __name__ == "__main__":
    main()
