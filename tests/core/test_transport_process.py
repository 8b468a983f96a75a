"""Process-level behaviour of the transport: fork safety and a clean interpreter exit."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import litegate

SRC = str(Path(__file__).resolve().parents[2] / "src")
MSG = [{"role": "user", "content": "fork test"}]


def _child(base_url, queue):
    try:
        resp = litegate.completion(
            model="openai/gpt-4o-mini",
            messages=MSG,
            api_base=base_url,
            api_key="sk-fork-000000",
            num_retries=0,
            timeout=10,
        )
        queue.put(("ok", resp.choices[0].message.content))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        queue.put(("error", repr(exc)))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork() exists only on POSIX")
def test_forked_child_can_call_after_parent_used_the_transport(server):
    # the parent uses the default transport first, so any runtime it has is started before fork
    # (from a worker thread: sync calls there are the ones that stay on pyreqwest)
    import threading

    from litegate.core import transport

    worker = threading.Thread(
        target=litegate.completion,
        kwargs=dict(model="openai/gpt-4o-mini", messages=MSG, api_base=server.base_url, api_key="sk-fork-000000"),
    )
    worker.start()
    worker.join()
    assert transport._reqwest_started or not transport.reqwest_available()
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(server.base_url, queue))
    proc.start()
    status, detail = queue.get(timeout=30)
    proc.join(30)
    assert status == "ok", detail
    assert "fork test" in detail
    assert proc.exitcode == 0
    assert server.hits() == 2


def test_interpreter_exits_cleanly_after_async_calls(server):
    script = textwrap.dedent(f"""
        import asyncio, litegate
        from litegate.core.transport import Transport, reqwest_available
        # the default transport (async calls on httpx) and, where available, pyreqwest for every call
        fast = litegate.Client(transport=Transport("pyreqwest", interrupt_safe=False)) if reqwest_available() else litegate
        async def go():
            kw = dict(api_base={server.base_url!r}, api_key="sk-exit-000000", num_retries=0)
            await asyncio.gather(*[(fast if i % 2 else litegate).acompletion(model="openai/x",
                                   messages=[{{"role": "user", "content": "hi"}}], **kw) for i in range(50)])
            stream = await fast.acompletion(model="openai/x", messages=[{{"role": "user", "content": "hi"}}],
                                            stream=True, **kw)
            async for _ in stream:
                pass
        asyncio.run(go())
        print("done")
    """)
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    for _ in range(6):
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env)
        assert out.returncode == 0, out.stderr[-2000:]
        assert out.stdout.strip() == "done"
        assert "Fatal Python error" not in out.stderr


def test_httpx_async_clients_close_with_their_event_loop(server):
    """An event loop that ends (asyncio.run) takes its httpx connections with it: no unclosed sockets."""
    script = textwrap.dedent(f"""
        import asyncio, gc, litegate
        client = litegate.Client(api_key="sk-loop-000000", api_base={server.base_url!r}, http_backend="httpx")
        async def go():
            await client.acompletion("openai/gpt-4o-mini", [{{"role": "user", "content": "hi"}}])
            stream = await client.acompletion("openai/gpt-4o-mini", [{{"role": "user", "content": "hi"}}], stream=True)
            async for _ in stream:
                pass
        for _ in range(3):
            asyncio.run(go())
        gc.collect()
        print("done")
    """)
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "always::ResourceWarning", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "done"
    assert "unclosed" not in out.stderr.lower(), out.stderr[-2000:]
