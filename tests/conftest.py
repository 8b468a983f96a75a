"""Shared fixtures: fake provider servers over real sockets, a real Redis server, clean settings."""

from __future__ import annotations

# tests/ecosystem runs DSPy, langchain-litellm, smolagents, the OpenAI Agents SDK and instructor,
# which are installed only in their own virtualenv by scripts/test-ecosystem.sh (also run by
# .ci/run). Where they are not installed the directory is not collected at all: this is not a
# skip, those tests run in that virtualenv.
import importlib.util as _importlib_util  # noqa: E402
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

import litegate

collect_ignore = (
    []
    if all(_importlib_util.find_spec(m) for m in ("dspy", "langchain_litellm", "smolagents", "agents", "instructor"))
    else ["ecosystem"]
)

SHARED = Path(__file__).resolve().parents[2] / "shared"
REFERENCE = SHARED / "reference"

_SETTINGS = {
    name: getattr(litegate, name)
    for name in dir(litegate)
    if not name.startswith("__")
    and not callable(getattr(litegate, name, None))
    and name not in litegate._LAZY
    and name not in ("annotations",)
    and not hasattr(getattr(litegate, name), "__path__")
}


@pytest.fixture(autouse=True)
def _clean_settings(monkeypatch):
    """Every test starts from the default module settings and without provider env vars."""
    for name in list(os.environ):
        if name.endswith(("_API_KEY", "_API_BASE", "_KEY", "_TOKEN", "_API_VERSION")) or name in (
            "OPENAI_ORGANIZATION",
            "OPENAI_BASE_URL",
            "AZURE_OPENAI_ENDPOINT",
        ):
            monkeypatch.delenv(name, raising=False)
    saved = {k: (v.copy() if isinstance(v, (list, dict)) else v) for k, v in _SETTINGS.items()}
    yield
    for k, v in saved.items():
        setattr(litegate, k, v)


@pytest.fixture
def server():
    from litegate.testing import FakeOpenAIServer

    with FakeOpenAIServer() as srv:
        yield srv


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url():
    """A real redis-server on a free port for the session (scripts/test.sh installs the binary)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed; run the suite with scripts/test.sh, which installs it")
    port = _free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("redis-server did not start")
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=5)


# ------------------------------------------------------------------ a TLS Redis (rediss://)
def _tls_files(tmp: Path) -> tuple:
    """A throwaway CA and a server certificate for 127.0.0.1 signed by it."""
    if shutil.which("openssl") is None:  # scripts/test.sh installs it; never skipped
        pytest.fail("the openssl command is needed to make the test CA (Debian package openssl)")

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=tmp)

    run(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=litegate test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    )
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=127.0.0.1")
    (tmp / "ext.cnf").write_text(
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
    )
    run(
        "x509",
        "-req",
        "-in",
        "srv.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "srv.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    )
    return tmp / "ca.pem", tmp / "srv.pem", tmp / "srv.key"


@pytest.fixture
def test_ca(tmp_path):
    """(CA certificate, server certificate for 127.0.0.1 signed by it, the server's key), made with
    openssl in ``tmp_path``."""
    return _tls_files(tmp_path)


@pytest.fixture
def tls_redis(tmp_path):
    """A redis-server speaking only TLS on 127.0.0.1: (port, path of the CA certificate)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed; run the suite with scripts/test.sh, which installs it")
    ca, cert, key = _tls_files(tmp_path)
    port = _free_port()
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            "0",
            "--tls-port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--tls-cert-file",
            str(cert),
            "--tls-key-file",
            str(key),
            "--tls-ca-cert-file",
            str(ca),
            "--tls-auth-clients",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("the TLS redis-server did not start")
    yield port, ca
    proc.terminate()
    proc.wait(timeout=5)
