"""Files, batches, fine-tuning and assistants v2 against FakeOpenAIServer over real sockets.

Every answer is checked against the openai SDK's typed model of the same object (the SDK is a
test-only dependency), sync and async, with the spec's names and litellm's spellings."""

from __future__ import annotations

import json

import openai.types as ot
import openai.types.beta as ob
import openai.types.beta.threads as oth
import openai.types.beta.threads.runs as orun
import openai.types.fine_tuning as oft
import pytest

import litegate
from litegate.types import platform as T

KEY = "sk-platform-test"


def _kw(server):
    return {"api_base": server.base_url, "api_key": KEY}


def _sdk(model_cls, obj):
    """The openai SDK reads our object's dump as its own type (the shapes agree)."""
    return model_cls.model_validate(obj.model_dump())


def _batch_lines(n=3, bad=()):
    rows = []
    for i in range(n):
        body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"q{i}"}]}
        if i in bad:
            body.pop("messages")
        rows.append(
            json.dumps({"custom_id": f"req-{i}", "method": "POST", "url": "/v1/chat/completions", "body": body})
        )
    return "\n".join(rows) + "\n"


# ------------------------------------------------------------------------------ files
def test_files_lifecycle_with_both_spellings(server, tmp_path):
    kw = _kw(server)
    path = tmp_path / "train.jsonl"
    path.write_text(_batch_lines(2))
    created = litegate.create_file(file=str(path), purpose="fine-tune", **kw)
    assert isinstance(created, T.FileObject) and created.filename == "train.jsonl"
    assert created.bytes == path.stat().st_size and created["purpose"] == "fine-tune"
    _sdk(ot.FileObject, created)
    up = server.uploads[-1]
    assert up["fields"] == {"purpose": ["fine-tune"]} and up["files"]["file"]["size"] == path.stat().st_size
    assert not up["chunked"]  # streamed from disk with its length known
    with open(path, "rb") as fh:
        second = litegate.create_file(fh, "assistants", **kw)  # litellm's positional order
    assert second.purpose == "assistants"
    for lister in (litegate.list_files, litegate.file_list):
        page = lister(purpose="fine-tune", **kw)
        assert [f.id for f in page.data] == [created.id] and page.has_more is False
    _sdk(ot.FileObject, page.data[0])
    assert server.last_request.query == {"purpose": "fine-tune"}
    for getter in (litegate.retrieve_file, litegate.file_retrieve):
        assert getter(file_id=created.id, **kw).id == created.id
    for content in (litegate.retrieve_file_content, litegate.file_content):
        with content(file_id=created.id, **kw) as body:
            assert body.read() == path.read_bytes()
    out = tmp_path / "copy.jsonl"
    litegate.file_content(created.id, **kw).stream_to_file(out)
    assert out.read_bytes() == path.read_bytes()
    deleted = litegate.delete_file(file_id=created.id, **kw)
    assert deleted.deleted is True and _sdk(ot.FileDeleted, deleted).deleted
    assert litegate.file_delete(second.id, **kw).deleted
    with pytest.raises(litegate.NotFoundError):
        litegate.retrieve_file(file_id=created.id, **kw)


async def test_files_async(server, tmp_path):
    kw = _kw(server)
    created = await litegate.acreate_file(file=("a.jsonl", b'{"x": 1}\n', "application/jsonl"), purpose="batch", **kw)
    assert server.uploads[-1]["files"]["file"]["content_type"] == "application/jsonl"
    assert (await litegate.afile_retrieve(created.id, **kw)).bytes == 9
    assert [f.id for f in (await litegate.alist_files(**kw)).data] == [created.id]
    body = await litegate.aretrieve_file_content(file_id=created.id, **kw)
    assert await body.aread() == b'{"x": 1}\n'
    assert (await litegate.adelete_file(file_id=created.id, **kw)).deleted


def test_files_bad_input_fails_before_any_request(server, tmp_path):
    kw = _kw(server)
    with pytest.raises(ValueError, match="no such file"):
        litegate.create_file(file=str(tmp_path / "missing.jsonl"), purpose="batch", **kw)
    with pytest.raises(ValueError, match="needs purpose"):
        litegate.create_file(file=b"{}", **kw)
    with pytest.raises(ValueError, match="needs file="):
        litegate.create_file(purpose="batch", **kw)
    with pytest.raises(ValueError, match="is empty"):
        litegate.create_file(file=b"", purpose="batch", **kw)
    with pytest.raises(TypeError, match="file_id"):
        litegate.retrieve_file(file_id=42, **kw)
    with pytest.raises(ValueError, match="needs file_id"):
        litegate.delete_file(file_id="", **kw)
    with pytest.raises(TypeError, match="limit must be a positive integer"):
        litegate.list_files(limit="ten", **kw)
    with pytest.raises(litegate.BadRequestError, match="offers no Files API"):
        litegate.list_files(custom_llm_provider="anthropic", api_key="k")
    assert server.requests == []


def test_ids_are_quoted_into_the_path():
    seen = []

    def handler(request):
        seen.append(request.url)
        return litegate.MockResponse(
            200,
            json={
                "id": "x",
                "object": "file",
                "bytes": 1,
                "created_at": 0,
                "filename": "f",
                "purpose": "batch",
                "status": "processed",
            },
        )

    with litegate.Client(transport=litegate.MockTransport(handler), api_key=KEY) as client:
        client.retrieve_file(file_id="../batches?x=1")
    assert seen == ["https://api.openai.com/v1/files/..%2Fbatches%3Fx%3D1"]


def test_files_on_azure(server):
    litegate.create_file(
        file=b'{"a": 1}\n',
        purpose="batch",
        custom_llm_provider="azure",
        api_base=server.url,
        api_key=KEY,
        api_version="2024-10-21",
    )
    assert server.last_request.path == "/openai/files"
    assert server.last_request.query == {"api-version": "2024-10-21"} and server.last_request.headers["api-key"] == KEY
    page = litegate.list_files(
        custom_llm_provider="azure",
        api_base=server.url + "/openai/deployments/x",
        api_key=KEY,
        api_version="2024-10-21",
    )
    assert server.last_request.path == "/openai/files" and len(page.data) == 1


# ------------------------------------------------------------------------------ batches
def test_batch_lifecycle_and_output_parsing(server):
    kw = _kw(server)
    requests = _batch_lines(3, bad=(1,))
    input_file = litegate.create_file(
        file=("batch.jsonl", requests.encode(), "application/jsonl"), purpose="batch", **kw
    )
    batch = litegate.create_batch(
        completion_window="24h",
        endpoint="/v1/chat/completions",
        input_file_id=input_file.id,
        metadata={"job": "nightly"},
        **kw,
    )
    assert isinstance(batch, T.Batch) and batch.status == "validating" and batch.metadata == {"job": "nightly"}
    _sdk(ot.Batch, batch)
    done = litegate.retrieve_batch(batch_id=batch.id, **kw)
    assert done.status == "completed" and done.request_counts == {"total": 3, "completed": 2, "failed": 1}
    assert [b.id for b in litegate.list_batches(**kw).data] == [batch.id]
    results = litegate.parse_batch_output(litegate.file_content(done.output_file_id, **kw), requests.splitlines())
    assert list(results) == ["req-0", "req-1", "req-2"]
    assert results["req-0"].ok and results["req-0"].response.choices[0].message.content == "This is a fake reply to: q0"
    assert isinstance(results["req-2"].response, litegate.ModelResponse)
    assert not results["req-1"].ok and results["req-1"].status_code == 400
    assert "messages" in results["req-1"].error["message"]
    # a request the output does not answer is reported, not dropped
    partial = litegate.parse_batch_output(
        '{"custom_id": "req-0", "response": {"status_code": 200, "body": {}}}',
        requests=[{"custom_id": "req-0"}, {"custom_id": "gone"}],
    )
    assert partial["gone"].error["code"] == "missing" and partial["req-0"].ok
    with pytest.raises(ValueError, match="not JSON"):
        litegate.parse_batch_output("not json\n")


def test_batch_cancel_errors_and_validation(server):
    kw = _kw(server)
    f = litegate.create_file(file=_batch_lines(1).encode(), purpose="batch", **kw)
    batch = litegate.create_batch("24h", "/v1/chat/completions", f.id, **kw)
    assert litegate.cancel_batch(batch_id=batch.id, **kw).status == "cancelling"
    with pytest.raises(litegate.NotFoundError):
        litegate.retrieve_batch(batch_id="batch_missing", **kw)
    hits = server.hits()
    with pytest.raises(ValueError, match="needs input_file_id"):
        litegate.create_batch(completion_window="24h", endpoint="/v1/chat/completions", **kw)
    with pytest.raises(TypeError, match="metadata must be a dict"):
        litegate.create_batch("24h", "/v1/chat/completions", f.id, metadata="x", **kw)
    assert server.hits() == hits


async def test_batches_async(server):
    kw = _kw(server)
    f = await litegate.acreate_file(file=_batch_lines(2).encode(), purpose="batch", **kw)
    batch = await litegate.acreate_batch(
        completion_window="24h", endpoint="/v1/chat/completions", input_file_id=f.id, **kw
    )
    done = await litegate.aretrieve_batch(batch_id=batch.id, **kw)
    content = await litegate.afile_content(done.output_file_id, **kw)
    assert len(litegate.parse_batch_output(await content.aread())) == 2
    assert (await litegate.alist_batches(**kw)).data[0].id == batch.id
    with pytest.raises(litegate.ConflictError, match="Cannot cancel a batch with status 'completed'"):
        await litegate.acancel_batch(batch_id=batch.id, **kw)


def test_batch_retry_and_mock(server, fast_backoff):
    kw = _kw(server)
    server.enqueue_error(500, count=1)
    page = litegate.list_batches(num_retries=1, **kw)
    assert page.data == [] and page._hidden_params["attempts"] == 2
    mocked = litegate.retrieve_batch(batch_id="b1", mock_response={"id": "b1", "object": "batch", "status": "failed"})
    assert mocked.status == "failed" and mocked._hidden_params["mock_response"] is True
    with pytest.raises(litegate.RateLimitError):
        litegate.retrieve_batch(batch_id="b1", mock_response=litegate.RateLimitError("slow down", "openai", ""))
    assert server.hits("/batches") == 2


# ------------------------------------------------------------------------------ fine-tuning
def test_fine_tuning_jobs(server):
    kw = _kw(server)
    f = litegate.create_file(file=_batch_lines(2).encode(), purpose="fine-tune", **kw)
    job = litegate.create_fine_tuning_job(
        model="gpt-4o-mini-2024-07-18", training_file=f.id, hyperparameters={"n_epochs": 2}, suffix="mine", seed=7, **kw
    )
    assert isinstance(job, T.FineTuningJob) and job.status == "queued" and job.hyperparameters["n_epochs"] == 2
    _sdk(oft.FineTuningJob, job)
    assert server.last_request.json == {
        "model": "gpt-4o-mini-2024-07-18",
        "training_file": f.id,
        "hyperparameters": {"n_epochs": 2},
        "suffix": "mine",
        "seed": 7,
    }
    jobs = litegate.list_fine_tuning_jobs(limit=5, **kw)
    assert [j.id for j in jobs.data] == [job.id] and server.last_request.query == {"limit": "5"}
    assert litegate.retrieve_fine_tuning_job(fine_tuning_job_id=job.id, **kw).training_file == f.id
    events = litegate.list_fine_tuning_job_events(fine_tuning_job_id=job.id, **kw)
    assert events.data[0].message == "Validating training file"
    _sdk(oft.FineTuningJobEvent, events.data[0])
    assert litegate.cancel_fine_tuning_job(fine_tuning_job_id=job.id, **kw).status == "cancelled"
    with pytest.raises(ValueError, match="needs training_file"):
        litegate.create_fine_tuning_job(model="gpt-4o-mini", **kw)


async def test_fine_tuning_async(server):
    kw = _kw(server)
    f = await litegate.acreate_file(file=_batch_lines(1).encode(), purpose="fine-tune", **kw)
    job = await litegate.acreate_fine_tuning_job(model="gpt-4o-mini", training_file=f.id, **kw)
    assert (await litegate.aretrieve_fine_tuning_job(fine_tuning_job_id=job.id, **kw)).id == job.id
    assert (await litegate.alist_fine_tuning_jobs(**kw)).data[0].id == job.id
    assert (await litegate.acancel_fine_tuning_job(fine_tuning_job_id=job.id, **kw)).status == "cancelled"
    assert len((await litegate.alist_fine_tuning_job_events(fine_tuning_job_id=job.id, **kw)).data) == 3


# ------------------------------------------------------------------------------ assistants v2
def test_assistants_threads_messages_runs(server):
    kw = _kw(server)
    asst = litegate.create_assistants("openai", "gpt-4o", name="Math Tutor", instructions="Be brief.", **kw)
    assert isinstance(asst, T.Assistant) and server.last_request.headers["openai-beta"] == "assistants=v2"
    _sdk(ob.Assistant, asst)
    for lister in (litegate.get_assistants, litegate.list_assistants):
        page = lister(limit=10, order="desc", **kw)
        assert [a.name for a in page.data] == ["Math Tutor"]
    assert server.last_request.query == {"limit": "10", "order": "desc"}
    assert litegate.retrieve_assistants(asst.id, **kw).instructions == "Be brief."
    thread = litegate.create_thread(messages=[{"role": "user", "content": "What is 2+2?"}], **kw)
    _sdk(ob.Thread, thread)
    assert litegate.get_thread("openai", thread.id, **kw).id == thread.id
    msg = litegate.add_message("openai", thread.id, "user", "And 3+3?", **kw)
    _sdk(oth.Message, msg)
    assert litegate.create_message(thread.id, "user", "Thanks", **kw).text == "Thanks"
    run = litegate.run_thread("openai", thread.id, asst.id, **kw)
    assert isinstance(run, T.Run) and run.status == "completed"
    _sdk(oth.Run, run)
    assert litegate.retrieve_run(thread_id=thread.id, run_id=run.id, **kw).status == "completed"
    messages = litegate.get_messages("openai", thread.id, **kw)
    assert messages.data[0].role == "assistant" and messages.data[0].text == "Reply to: Thanks"
    assert [m.text for m in litegate.list_messages(thread.id, order="asc", **kw).data][:1] == ["What is 2+2?"]
    steps = litegate.list_run_steps(thread_id=thread.id, run_id=run.id, **kw)
    _sdk(orun.RunStep, steps.data[0])
    step = litegate.retrieve_run_step(thread.id, run.id, steps.data[0].id, **kw)
    assert step.step_details["message_creation"]["message_id"] == messages.data[0].id
    assert litegate.list_runs(thread.id, **kw).data[0].id == run.id
    gone = litegate.delete_thread("openai", thread.id, **kw)
    assert gone.deleted and _sdk(ob.ThreadDeleted, gone).deleted
    gone = litegate.delete_assistant("openai", asst.id, **kw)
    assert gone.deleted and _sdk(ob.AssistantDeleted, gone).deleted


def test_tool_outputs_and_streaming_runs(server):
    kw = _kw(server)
    tools = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object", "properties": {}}}}]
    asst = litegate.create_assistants("openai", "gpt-4o", tools=tools, **kw)
    thread = litegate.create_thread(**kw)
    litegate.add_message("openai", thread.id, "user", "find it", **kw)
    run = litegate.create_run(thread.id, asst.id, **kw)
    assert run.status == "requires_action"
    call = run.required_action["submit_tool_outputs"]["tool_calls"][0]
    assert call["function"]["name"] == "lookup"
    done = litegate.submit_tool_outputs_to_run(
        thread_id=thread.id, run_id=run.id, tool_outputs=[{"tool_call_id": call["id"], "output": "42"}], **kw
    )
    assert done.status == "completed"
    assert litegate.list_messages(thread.id, **kw).data[0].text == "Tool said: 42"
    plain = litegate.create_assistants("openai", "gpt-4o", **kw)
    litegate.add_message("openai", thread.id, "user", "stream please", **kw)
    with litegate.run_thread("openai", thread.id, plain.id, stream=True, **kw) as events:
        seen = list(events)
    names = [e.event for e in seen]
    assert names[0] == "thread.run.created" and names[-1] == "thread.run.completed"
    assert isinstance(seen[0].data, T.Run) and isinstance(seen[-2].data, T.OpenAIMessage)
    text = "".join(e.data["delta"]["content"][0]["text"]["value"] for e in seen if e.event == "thread.message.delta")
    assert text == "Reply to: stream please" and events.final_run.status == "completed"
    # a run with tool calls streams up to requires_action; the outputs may be streamed too
    run = litegate.create_run(thread.id, asst.id, **kw)
    call = run.required_action["submit_tool_outputs"]["tool_calls"][0]
    stream = litegate.submit_tool_outputs(
        "openai", thread.id, run.id, [{"tool_call_id": call["id"], "output": "7"}], stream=True, **kw
    )
    assert stream.until_done().status == "completed"
    with pytest.raises(TypeError, match="tool_outputs must be a list"):
        litegate.submit_tool_outputs_to_run(thread_id=thread.id, run_id=run.id, tool_outputs="7", **kw)
    with pytest.raises(ValueError, match="role must be"):
        litegate.create_message(thread.id, "system", "x", **kw)


async def test_assistants_async(server):
    kw = _kw(server)
    asst = await litegate.acreate_assistants("openai", "gpt-4o", name="A", **kw)
    thread = await litegate.acreate_thread(**kw)
    await litegate.aadd_message("openai", thread.id, "user", "hello", **kw)
    run = await litegate.arun_thread("openai", thread.id, asst.id, **kw)
    assert (await litegate.aretrieve_run(thread.id, run.id, **kw)).status == "completed"
    assert (await litegate.aget_messages("openai", thread.id, **kw)).data[0].text == "Reply to: hello"
    assert [a.id for a in (await litegate.aget_assistants("openai", **kw)).data] == [asst.id]
    await litegate.acreate_message(thread.id, "user", "more", **kw)
    events = await litegate.acreate_run(thread.id, asst.id, stream=True, **kw)
    names = [e.event async for e in events]
    assert names[-1] == "thread.run.completed" and events.final_run.status == "completed"
    await litegate.a_add_message("openai", thread.id, "user", "litellm's async name", **kw)
    events = await litegate.arun_thread_stream("openai", thread.id, asst.id, **kw)
    assert [e.event async for e in events][-1] == "thread.run.completed"
    assert litegate.run_thread_stream("openai", thread.id, asst.id, **kw).until_done().status == "completed"
    assert (await litegate.aget_thread("openai", thread.id, **kw)).id == thread.id
    assert (await litegate.adelete_thread("openai", thread.id, **kw)).deleted
    assert (await litegate.adelete_assistant("openai", asst.id, **kw)).deleted


def test_assistants_errors_and_callbacks(server):
    kw = _kw(server)
    seen = []
    litegate.success_callback = [lambda kwargs, resp, start, end: seen.append(kwargs["call_type"])]
    litegate.create_thread(metadata={"user": "u1"}, **kw)
    assert seen == ["create_thread"]
    with pytest.raises(litegate.NotFoundError):
        litegate.get_thread("openai", "thread_missing", **kw)
    server.enqueue_error(401, message="Incorrect API key provided")
    with pytest.raises(litegate.AuthenticationError):
        litegate.list_assistants(**kw)
    with pytest.raises(ValueError, match="needs thread_id"):
        litegate.get_messages("openai", None, **kw)
    with pytest.raises(ValueError, match="order must be"):
        litegate.list_assistants(order="sideways", **kw)


def test_module_fallbacks_do_not_reaim_provider_calls(server):
    litegate.fallbacks = [{"*": ["gpt-4o-mini"]}]
    server.enqueue_error(500, count=1)
    with pytest.raises(litegate.InternalServerError):
        litegate.list_files(num_retries=0, **_kw(server))
    assert server.hits() == 1  # no second request dressed up as a fallback


def test_file_content_mock():
    body = litegate.file_content(file_id="file-1", mock_response=b'{"a": 1}\n')
    assert body.read() == b'{"a": 1}\n' and body.headers["content-type"] == "application/octet-stream"
    assert body._hidden_params["mock_response"] is True
    with pytest.raises(TypeError, match="mock_response must be a dict"):
        litegate.retrieve_batch(batch_id="b1", mock_response="done")


def test_lifecycle_errors_on_provider_calls(server):
    kw = _kw(server)
    server.enqueue_raw(200, "not json at all", {"content-type": "text/plain"})
    with pytest.raises(litegate.APIResponseValidationError):
        litegate.list_batches(num_retries=2, **kw)
    assert server.hits("/batches") == 1  # a 2xx that does not parse is never retried
    server.enqueue_raw(200, {"object": "list", "data": []}, delay=2.0)
    with pytest.raises(litegate.Timeout):
        litegate.list_files(timeout=0.3, num_retries=0, **kw)


def test_batches_and_assistants_on_azure(server):
    kw = {"custom_llm_provider": "azure", "api_base": server.url, "api_key": KEY, "api_version": "2024-10-21"}
    f = litegate.create_file(file=_batch_lines(1).encode(), purpose="batch", **kw)
    batch = litegate.create_batch("24h", "/v1/chat/completions", f.id, **kw)
    assert server.last_request.path == "/openai/batches" and server.last_request.query == {"api-version": "2024-10-21"}
    assert litegate.retrieve_batch(batch_id=batch.id, **kw).status == "completed"
    asst = litegate.create_assistants(model="gpt-4o", **kw)
    assert server.last_request.path == "/openai/assistants" and server.last_request.headers["api-key"] == KEY
    assert litegate.get_assistants(**kw).data[0].id == asst.id
