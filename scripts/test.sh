#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: makes .venv, installs litegate with its test and
# check extras, makes sure the redis-server and openssl commands exist, runs the static gates
# (scripts/check.sh: ruff, mypy, pyright; seconds), then pytest. Extra arguments go to pytest.
# SKIP_CHECKS=1 skips the gates (for a quick local run of some tests).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
.venv/bin/python -m pip install --quiet -e ".[test,check]"

# Debian packages the tests need: a redis-server binary (the tests start their own server on a
# free port) and the openssl command (the TLS tests make a throwaway CA).
missing=""
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
if [ -n "$missing" ]; then
  echo "installing Debian packages:$missing" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq >/dev/null || true
  # shellcheck disable=SC2086
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  # Debian starts a redis system service on install; the tests use their own server on a free port.
fi

if [ "${SKIP_CHECKS:-0}" != "1" ]; then
  bash scripts/check.sh
fi

exec .venv/bin/python -m pytest "$@"
