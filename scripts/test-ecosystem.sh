#!/usr/bin/env bash
# Runs tests/ecosystem: DSPy, langchain-litellm, smolagents, the OpenAI Agents SDK and instructor
# on litegate through alias mode, against litegate's fake servers. They live in their own
# virtualenv (.venv-ecosystem), apart from the main one, because those frameworks pull in a real
# litellm and many other packages. The tests run twice: with the real litellm the frameworks
# install (the alias must still win), then with litellm's files moved out of the virtualenv
# (litegate alone; they are moved back afterwards, also when the run fails or is interrupted).
# The virtualenv is (re)installed only when the pins, pyproject.toml or a framework changed.
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
VENV=.venv-ecosystem
STASH=$VENV/.litellm-moved-out
# versions known to work together (bump deliberately)
FRAMEWORKS=("dspy==3.4.1" "langchain-litellm==0.11.2" "smolagents==1.26.0" "openai-agents==0.24.0" "instructor==1.17.0")
# langsmith (a langchain dependency) registers a pytest plugin these tests do not use: seconds of imports
PYTEST_ARGS=(-p no:cacheprovider -p no:langsmith_plugin)
DISTS="litellm dspy langchain-litellm smolagents openai-agents instructor litegate pytest pytest-asyncio"

# move_litellm out|back: litellm's installed files (its packages, metadata and scripts, from its
# RECORD) moved to $STASH and back; renaming a few directories, not a slow uninstall + reinstall
move_litellm() {
  "$VENV/bin/python" - "$1" "$STASH" <<'PY'
import json, os, shutil, sys
from importlib.metadata import PackageNotFoundError, distribution

mode, stash = sys.argv[1], os.path.abspath(sys.argv[2])
manifest = os.path.join(stash, "manifest.json")
if mode == "back":
    if os.path.exists(manifest):
        with open(manifest) as f:
            for src, dst in json.load(f):
                if os.path.lexists(dst) and not os.path.lexists(src):
                    os.replace(dst, src)
    shutil.rmtree(stash, ignore_errors=True)
    sys.exit(0)
try:
    dist = distribution("litellm")
except PackageNotFoundError:
    sys.exit("litellm is not installed in the ecosystem virtualenv")
root = os.path.abspath(str(dist.locate_file("")))
tops = {f.parts[0] if f.parts[0] != ".." else str(f) for f in dist.files or ()}
moves = []
for top in sorted(tops):
    src = os.path.normpath(os.path.join(root, top))
    if os.path.lexists(src):
        moves.append((src, os.path.join(stash, "files", str(len(moves)))))
os.makedirs(os.path.join(stash, "files"), exist_ok=True)
with open(manifest, "w") as f:
    json.dump(moves, f)
for src, dst in moves:
    os.replace(src, dst)
PY
}

if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
move_litellm back  # a run that was killed may have left litellm moved out

start=$(date +%s)
stamp=$( { printf '%s\n' "${FRAMEWORKS[@]}"; cat pyproject.toml; "$VENV/bin/python" -V; } | sha256sum | cut -c1-16)
if [ "$(cat "$VENV/.installed" 2>/dev/null)" != "$stamp" ] \
   || ! "$VENV/bin/python" -c "import importlib.metadata as m; [m.distribution(n) for n in '$DISTS'.split()]" 2>/dev/null; then
  "$VENV/bin/python" -m pip install --quiet --upgrade pip >/dev/null
  "$VENV/bin/python" -m pip install --quiet -e . "${FRAMEWORKS[@]}" "pytest>=8" "pytest-asyncio>=0.23"
  echo "$stamp" > "$VENV/.installed"
fi
echo "ecosystem virtualenv ready in $(( $(date +%s) - start ))s" >&2

echo "== with a real litellm installed beside litegate ==" >&2
"$VENV/bin/python" -m pytest tests/ecosystem "${PYTEST_ARGS[@]}" "$@"

echo "== with no litellm installed ==" >&2
trap 'move_litellm back' EXIT
move_litellm out
"$VENV/bin/python" -c "import importlib.util as u, sys; sys.exit(u.find_spec('litellm') is not None)" \
  || { echo "litellm is still importable after moving it out" >&2; exit 1; }
"$VENV/bin/python" -m pytest tests/ecosystem "${PYTEST_ARGS[@]}" "$@"
