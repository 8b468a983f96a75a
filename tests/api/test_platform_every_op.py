"""Every pass-through function, sync and async, against FakeOpenAIServer: each returns its type."""

from __future__ import annotations

import pytest

import litegate
from litegate.core.platform import OPS
from litegate.types import platform as T
from litegate.types.audio import HttpxBinaryResponseContent

KEY = "sk-every-op"


def _world(server):
    kw = {"api_base": server.base_url, "api_key": KEY}
    jsonl = b'{"custom_id": "a", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "m", "messages": [{"role": "user", "content": "x"}]}}\n'
    f = litegate.create_file(file=("in.jsonl", jsonl, "application/jsonl"), purpose="batch", **kw)
    ft = litegate.create_file(file=("t.jsonl", jsonl, "application/jsonl"), purpose="fine-tune", **kw)
    job = litegate.create_fine_tuning_job(model="gpt-4o-mini", training_file=ft.id, **kw)
    asst = litegate.create_assistants("openai", "gpt-4o", **kw)
    tool_asst = litegate.create_assistants(
        "openai",
        "gpt-4o",
        tools=[{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}],
        **kw,
    )
    thread = litegate.create_thread(messages=[{"role": "user", "content": "hello"}], **kw)
    run = litegate.create_run(thread.id, asst.id, **kw)
    step = litegate.list_run_steps(thread.id, run.id, **kw).data[0]
    return kw, {"file": f, "job": job, "asst": asst, "tool_asst": tool_asst, "thread": thread, "run": run, "step": step}


def _args(name, w, server):
    """Fresh arguments for one call of ``name`` (resources it deletes or changes are made anew)."""
    kw = {"api_base": server.base_url, "api_key": KEY}
    t, a = w["thread"].id, w["asst"].id
    if name in ("delete_file", "file_delete"):
        return (litegate.create_file(file=b"{}\n", purpose="batch", **kw).id,), {}
    if name in ("retrieve_file", "file_retrieve", "retrieve_file_content", "file_content"):
        return (w["file"].id,), {}
    if name == "create_file":
        return (b'{"a": 1}\n', "batch"), {}
    if name in (
        "list_files",
        "file_list",
        "list_fine_tuning_jobs",
        "list_batches",
        "get_assistants",
        "list_assistants",
        "create_thread",
    ):
        return (), {}
    if name == "create_fine_tuning_job":
        return (), {"model": "gpt-4o-mini", "training_file": w["job"].training_file}
    if name in ("retrieve_fine_tuning_job", "cancel_fine_tuning_job", "list_fine_tuning_job_events"):
        return (), {"fine_tuning_job_id": w["job"].id}
    if name == "create_batch":
        return ("24h", "/v1/chat/completions", w["file"].id), {}
    if name in ("retrieve_batch", "cancel_batch"):
        batch = litegate.create_batch("24h", "/v1/chat/completions", w["file"].id, **kw)
        return (), {"batch_id": batch.id}
    if name in ("create_assistants", "create_assistant"):
        return ("openai", "gpt-4o"), {}
    if name in ("retrieve_assistants", "retrieve_assistant"):
        return (a,), {}
    if name == "delete_assistant":
        return ("openai", litegate.create_assistants("openai", "gpt-4o", **kw).id), {}
    if name in ("get_thread",):
        return ("openai", t), {}
    if name == "retrieve_thread":
        return (t,), {}
    if name == "delete_thread":
        return ("openai", litegate.create_thread(**kw).id), {}
    if name == "add_message":
        return ("openai", t, "user", "more"), {}
    if name == "create_message":
        return (t, "user", "more"), {}
    if name == "get_messages":
        return ("openai", t), {}
    if name == "list_messages":
        return (t,), {}
    if name in ("run_thread", "run_thread_stream"):
        return ("openai", t, a), {}
    if name == "create_run":
        return (t, a), {}
    if name == "retrieve_run":
        return (t, w["run"].id), {}
    if name == "list_runs":
        return (t,), {}
    if name in ("submit_tool_outputs", "submit_tool_outputs_to_run"):
        run = litegate.create_run(t, w["tool_asst"].id, **kw)
        outputs = [
            {"tool_call_id": c["id"], "output": "ok"} for c in run.required_action["submit_tool_outputs"]["tool_calls"]
        ]
        return (("openai", t, run.id, outputs) if name == "submit_tool_outputs" else (t, run.id, outputs)), {}
    if name == "list_run_steps":
        return (t, w["run"].id), {}
    if name == "retrieve_run_step":
        return (t, w["run"].id, w["step"].id), {}
    raise AssertionError(f"no arguments for {name}")


def _expected(op):
    if op.response == "binary":
        return HttpxBinaryResponseContent
    if op.name == "run_thread_stream":
        from litegate.core.platform import AssistantEventStream

        return AssistantEventStream
    return getattr(T, op.response)


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_sync(server, name):
    kw, world = _world(server)
    args, extra = _args(name, world, server)
    result = getattr(litegate, name)(*args, **extra, **kw)
    assert isinstance(result, _expected(OPS[name])), (name, type(result))
    assert result._hidden_params["custom_llm_provider"] == "openai"
    if isinstance(result, (HttpxBinaryResponseContent,)):
        assert result.read()
    elif not isinstance(result, T._Page) and hasattr(result, "id") and not name.startswith("run_thread_stream"):
        assert result.id


@pytest.mark.parametrize("name", sorted(OPS))
async def test_every_op_async(server, name):
    import asyncio

    kw, world = await asyncio.to_thread(_world, server)
    args, extra = await asyncio.to_thread(_args, name, world, server)
    result = await getattr(litegate, "a" + name)(*args, **extra, **kw)
    assert isinstance(result, _expected(OPS[name])), (name, type(result))
    if name == "run_thread_stream":
        assert [e.event async for e in result][-1] == "thread.run.completed"
