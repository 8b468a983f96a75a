"""Delivery never hurts the call: a bounded queue (drop-oldest), retries with backoff, a platform
that is down or slow, explicit flush and flush at interpreter exit."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import litegate
from litegate.integrations.delivery import DeliveryError, Shipper
from litegate.testing import FakeIngestionServer

MODEL = "openai/gpt-4o-mini"
KEY = "sk-delivery-secret-0123456789"
MSGS = [{"role": "user", "content": "hi"}]
SRC = Path(litegate.__file__).resolve().parents[1]


def _closed_port_url() -> str:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now: connections are refused
    return f"http://127.0.0.1:{port}"


def test_queue_is_bounded_and_drops_the_oldest():
    gate = threading.Event()
    taken = threading.Event()
    delivered: list = []

    def send(batch):
        taken.set()
        gate.wait(10)
        delivered.extend(batch)

    shipper = Shipper("test", send, batch_size=1, max_queue=3, interval=0.01)
    try:
        shipper.put(0)
        assert taken.wait(5)  # the worker holds record 0 in a send that blocks
        for i in range(1, 11):
            shipper.put(i)
        assert shipper.dropped == 7 and list(shipper.queue) == [8, 9, 10]
        gate.set()
        assert shipper.flush(5)
        assert delivered == [0, 8, 9, 10] and shipper.sent == 4
    finally:
        gate.set()
        shipper.close()


def test_retryable_failures_are_retried_then_given_up(monkeypatch):
    import litegate.integrations.delivery as delivery

    monkeypatch.setattr(delivery.time, "sleep", lambda s: None)
    attempts = []

    def send(batch):
        attempts.append(list(batch))
        if len(attempts) < 3:
            raise DeliveryError("busy", True)

    shipper = Shipper("test", send, batch_size=10, interval=0.01, retries=3)
    shipper.put("a")
    assert shipper.flush(5)
    assert attempts == [["a"]] * 3 and shipper.sent == 1 and shipper.failed == 0

    def refused(batch):
        attempts.append(batch)
        raise DeliveryError("bad request", False)

    attempts.clear()
    shipper2 = Shipper("test2", refused, interval=0.01)
    shipper2.put("b")
    assert shipper2.flush(5)
    assert len(attempts) == 1 and shipper2.failed == 1  # a refusal is not retried
    shipper.close()
    shipper2.close()


def test_platform_down_never_breaks_the_call(server, monkeypatch, caplog):
    monkeypatch.setenv("LITEGATE_WEBHOOK_URL", _closed_port_url() + "/hook")
    import litegate.integrations.delivery as delivery

    monkeypatch.setattr(delivery.time, "sleep", lambda s: None)
    litegate.callbacks = ["webhook"]
    with caplog.at_level(logging.WARNING, logger="litegate"):
        for _ in range(3):
            resp = litegate.completion(model=MODEL, messages=MSGS, api_base=server.base_url, api_key=KEY)
            assert resp.choices[0].message.content
        litegate.flush_callbacks(timeout=10)
    shipper = litegate.integrations.named("webhook").shipper
    assert shipper.failed == 3 and shipper.sent == 0
    warnings = [r.getMessage() for r in caplog.records if "could not deliver" in r.getMessage()]
    assert len(warnings) == 1  # once, then DEBUG


def test_slow_platform_does_not_hold_the_call(server, monkeypatch):
    with FakeIngestionServer(default_delay=2.0) as slow:
        monkeypatch.setenv("LITEGATE_WEBHOOK_URL", slow.url + "/hook")
        litegate.success_callback = ["webhook"]
        resp = litegate.completion(model=MODEL, messages=MSGS, api_base=server.base_url, api_key=KEY)
        shipper = litegate.integrations.named("webhook").shipper
        # the call has returned while its log is still queued or on its way to the slow platform
        assert resp.choices[0].message.content and shipper.sent == 0
        assert litegate.flush_callbacks(timeout=10)
        assert shipper.sent == 1 and len(slow.received("webhook")) == 1


async def test_async_calls_with_integrations_do_not_block_the_loop(server, monkeypatch):
    with FakeIngestionServer(default_delay=1.0) as slow:
        monkeypatch.setenv("LITEGATE_WEBHOOK_URL", slow.url + "/hook")
        litegate.callbacks = ["webhook"]
        import asyncio

        resps = await asyncio.gather(
            *[litegate.acompletion(model=MODEL, messages=MSGS, api_base=server.base_url, api_key=KEY) for _ in range(5)]
        )
        assert all(r.choices for r in resps)
        shipper = litegate.integrations.named("webhook").shipper
        assert shipper.sent == 0
        assert litegate.flush_callbacks(timeout=10)
        assert sum(len(b) for b in slow.received("webhook")) == 5


def test_flush_at_exit_delivers_what_was_queued(tmp_path):
    with FakeIngestionServer() as srv:
        script = (
            "import litegate\n"
            "litegate.success_callback = ['webhook']\n"
            "r = litegate.completion(model='openai/gpt-4o-mini', messages=[{'role': 'user', 'content': 'x'}],"
            " mock_response='exit answer')\n"
            "print(r.choices[0].message.content)\n"
        )
        env = dict(os.environ, PYTHONPATH=str(SRC), LITEGATE_WEBHOOK_URL=srv.url + "/hook/exit")
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == "exit answer"
        (batch,) = srv.received("webhook")
        assert batch[0]["status"] == "success" and batch[0]["model"] == "openai/gpt-4o-mini"
        assert batch[0]["response"]["choices"][0]["message"]["content"] == "exit answer"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_delivers_its_own_records():
    with FakeIngestionServer() as srv:
        script = (
            "import os, sys, litegate\n"
            "litegate.success_callback = ['webhook']\n"
            "litegate.completion(model='openai/gpt-4o-mini', messages=[{'role': 'user', 'content': 'x'}],"
            " mock_response='warm')\n"
            "pid = os.fork()\n"
            "if pid == 0:\n"
            "    litegate.completion(model='openai/gpt-4o-mini', messages=[{'role': 'user', 'content': 'x'}],"
            " mock_response='from the child')\n"
            "    ok = litegate.flush_callbacks(timeout=10)\n"
            "    os._exit(0 if ok else 3)\n"
            "_, status = os.waitpid(pid, 0)\n"
            "sys.exit(os.waitstatus_to_exitcode(status))\n"
        )
        env = dict(os.environ, PYTHONPATH=str(SRC), LITEGATE_WEBHOOK_URL=srv.url + "/hook/fork")
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr  # 3: the child's flush found its records stuck
        contents = [r["response"]["choices"][0]["message"]["content"] for b in srv.received("webhook") for r in b]
        assert "from the child" in contents and "warm" in contents  # the parent flushed at exit


def test_exit_is_not_held_by_a_stalled_platform():
    with FakeIngestionServer(default_delay=60.0) as stalled:
        script = (
            "import litegate\n"
            "litegate.success_callback = ['webhook']\n"
            "litegate.completion(model='openai/gpt-4o-mini', messages=[{'role': 'user', 'content': 'x'}],"
            " mock_response='bye')\n"
            "print('done')\n"
        )
        env = dict(os.environ, PYTHONPATH=str(SRC), LITEGATE_WEBHOOK_URL=stalled.url + "/hook")
        # the platform would answer after 60 s; the exit flush gives up after its bound (3 s)
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=30)
        assert out.returncode == 0 and out.stdout.strip() == "done", out.stderr
        assert len(stalled.requests_for("webhook")) == 1  # it was tried
