#!/usr/bin/env bash
# Runs tests/ecosystem: DSPy, langchain-litellm, smolagents, the OpenAI Agents SDK and instructor
# on litegate through alias mode, against litegate's fake servers. They live in their own
# virtualenv (.venv-ecosystem), apart from the main one, because those frameworks pull in a real
# litellm and many other packages. The tests run twice: with the real litellm the frameworks
# install (the alias must still win), then with litellm uninstalled (litegate alone). Extra
# arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
VENV=.venv-ecosystem
# versions known to work together (bump deliberately)
FRAMEWORKS=("dspy==3.4.1" "langchain-litellm==0.11.2" "smolagents==1.26.0" "openai-agents==0.24.0" "instructor==1.17.0")

if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
start=$(date +%s)
"$VENV/bin/python" -m pip install --quiet --upgrade pip >/dev/null
"$VENV/bin/python" -m pip install --quiet -e . "${FRAMEWORKS[@]}" "pytest>=8" "pytest-asyncio>=0.23"
echo "ecosystem virtualenv ready in $(( $(date +%s) - start ))s" >&2

echo "== with a real litellm installed beside litegate ==" >&2
"$VENV/bin/python" -m pytest tests/ecosystem -p no:cacheprovider "$@"

echo "== with no litellm installed ==" >&2
"$VENV/bin/python" -m pip uninstall --quiet -y litellm
"$VENV/bin/python" -m pytest tests/ecosystem -p no:cacheprovider "$@"
