"""Plain helpers shared by the caching tests (imported as ``from _cache_helpers import ...``)."""

from __future__ import annotations


class Clock:
    """An injectable ``time.time``: tests move it instead of sleeping."""

    def __init__(self, start: float = 1_700_000_000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def chat_kw(server, content: str = "hi", **more):
    return dict(
        model="openai/gpt-4o-mini",
        messages=[{"role": "user", "content": content}],
        api_base=server.base_url,
        api_key="sk-test-cache-key-0001",
        **more,
    )


def emb_kw(server, items, **more):
    return dict(
        model="openai/text-embedding-3-small",
        input=items,
        api_base=server.base_url,
        api_key="sk-test-cache-key-0001",
        **more,
    )


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis_server(port: int, *args: str, cwd=None):
    """A redis-server of a test's own on 127.0.0.1:``port`` (extra ``args``), once it accepts connections."""
    import shutil
    import socket
    import subprocess
    import time

    import pytest

    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed; run the suite with scripts/test.sh, which installs it")
    tls = "--tls-port" in args
    cmd = [
        binary,
        "--port",
        "0" if tls else str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        *args,
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd)
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    pytest.fail("redis-server did not start")
