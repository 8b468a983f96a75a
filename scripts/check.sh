#!/usr/bin/env bash
# The static gates, fast, before the tests: ruff's lint rules and formatter, mypy on the package
# (settings in pyproject.toml), and the revealed-type tests under tests/typing/ checked by both
# mypy and pyright. Expects the virtualenv scripts/test.sh makes (.venv with the check extra).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
"$BIN/ruff" check src tests bench tools
"$BIN/ruff" format --check src tests bench tools
"$BIN/mypy"
"$BIN/mypy" --strict tests/typing
"$BIN/pyright" --pythonpath "$BIN/python" tests/typing
