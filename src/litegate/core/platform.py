"""OpenAI pass-through: files, batches, fine-tuning and assistants v2 (spec section 5, "OpenAI API
Pass-through Functions").

Every function is one row of ``OPS``: HTTP method, path, the public function's positional
parameters, which parameters go in the URL, the query or the body, and the answer's type. The
rows become endpoint rows (core/endpoints.py) of the provider-addressed kind - no model string;
the provider is ``custom_llm_provider`` (default "openai"; "azure" and any row declaring the
kind) - so each call runs the same lifecycle as ``completion``: credentials, retries, timeouts,
``mock_response``, metadata, callbacks and errors. Both the spec's names and litellm's spellings
exist (``list_files`` / ``file_list`` ...), each with its ``a``-prefixed async twin.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .call import Controls, _controls, input_error
from .http import HttpRequest, HttpResponse
from .multipart import FilePart, MultipartBody, file_part

if TYPE_CHECKING:
    from ..types.platform import AssistantStreamEvent, BatchOutputLine
    from .endpoints import Endpoint as _Endpoint

FILES, BATCHES, FINE_TUNING, ASSISTANTS = "files", "batches", "fine_tuning", "assistants"
_PROVIDER = "custom_llm_provider"


@dataclass(frozen=True)
class Op:
    name: str  # the public function
    kind: str  # the endpoint kind a provider declares (files, batches, fine_tuning, assistants)
    method: str
    path: str  # with {placeholders} taken from the parameters of the same name
    positional: tuple[str, ...]
    response: str  # class name in litegate.types.platform, or "binary"
    query: tuple[str, ...] = ()  # parameters sent in the query string (GET lists)
    required: tuple[str, ...] = ()  # body parameters that must be given
    upload: str | None = None  # the parameter holding a file to upload (multipart)
    streams: bool = False  # answers an event stream when stream=True
    doc: str = ""

    @property
    def ids(self) -> tuple[str, ...]:
        import re

        return tuple(re.findall(r"{(\w+)}", self.path))


_LIST = ("after", "limit", "order", "before")


def _ops() -> list[Op]:
    P = _PROVIDER
    rows: list[Op] = []

    def add(
        names: tuple[tuple[str, tuple[str, ...]], ...], kind: str, method: str, path: str, response: str, **kw: Any
    ) -> None:
        """One row per spelling: (name, positional parameters) pairs sharing the operation."""
        for name, positional in names:
            rows.append(Op(name, kind, method, path, positional, response, **kw))

    # files
    add(
        (("create_file", ("file", "purpose", P)),),
        FILES,
        "POST",
        "files",
        "FileObject",
        upload="file",
        required=("purpose",),
        doc="Upload a file (streamed from disk) for assistants, batch or fine-tuning.",
    )
    add(
        (("list_files", (P,)), ("file_list", (P,))),
        FILES,
        "GET",
        "files",
        "FileList",
        query=("purpose", "after", "limit", "order"),
        doc="List uploaded files (optionally by purpose).",
    )
    add(
        (("retrieve_file", ("file_id", P)), ("file_retrieve", ("file_id", P))),
        FILES,
        "GET",
        "files/{file_id}",
        "FileObject",
        doc="A file's metadata.",
    )
    add(
        (("delete_file", ("file_id", P)), ("file_delete", ("file_id", P))),
        FILES,
        "DELETE",
        "files/{file_id}",
        "FileDeleted",
        doc="Delete a file.",
    )
    add(
        (("retrieve_file_content", ("file_id", P)), ("file_content", ("file_id", P))),
        FILES,
        "GET",
        "files/{file_id}/content",
        "binary",
        doc="A file's content, as a binary response (stream_to_file, read ...).",
    )
    # fine-tuning
    add(
        (
            (
                "create_fine_tuning_job",
                ("model", "training_file", "hyperparameters", "suffix", "validation_file", "integrations", "seed", P),
            ),
        ),
        FINE_TUNING,
        "POST",
        "fine_tuning/jobs",
        "FineTuningJob",
        required=("model", "training_file"),
        doc="Start a fine-tuning job on an uploaded training file.",
    )
    add(
        (("list_fine_tuning_jobs", ("after", "limit", P)),),
        FINE_TUNING,
        "GET",
        "fine_tuning/jobs",
        "FineTuningJobList",
        query=("after", "limit"),
        doc="List fine-tuning jobs.",
    )
    add(
        (("retrieve_fine_tuning_job", ("fine_tuning_job_id", P)),),
        FINE_TUNING,
        "GET",
        "fine_tuning/jobs/{fine_tuning_job_id}",
        "FineTuningJob",
        doc="A fine-tuning job.",
    )
    add(
        (("cancel_fine_tuning_job", ("fine_tuning_job_id", P)),),
        FINE_TUNING,
        "POST",
        "fine_tuning/jobs/{fine_tuning_job_id}/cancel",
        "FineTuningJob",
        doc="Cancel a fine-tuning job.",
    )
    add(
        (("list_fine_tuning_job_events", ("fine_tuning_job_id", "after", "limit", P)),),
        FINE_TUNING,
        "GET",
        "fine_tuning/jobs/{fine_tuning_job_id}/events",
        "FineTuningJobEventList",
        query=("after", "limit"),
        doc="A fine-tuning job's events.",
    )
    # batches
    add(
        (("create_batch", ("completion_window", "endpoint", "input_file_id", P, "metadata")),),
        BATCHES,
        "POST",
        "batches",
        "Batch",
        required=("completion_window", "endpoint", "input_file_id"),
        doc="Create a batch from an uploaded JSONL file of requests.",
    )
    add((("retrieve_batch", ("batch_id", P)),), BATCHES, "GET", "batches/{batch_id}", "Batch", doc="A batch.")
    add(
        (("cancel_batch", ("batch_id", P)),),
        BATCHES,
        "POST",
        "batches/{batch_id}/cancel",
        "Batch",
        doc="Cancel a batch.",
    )
    add(
        (("list_batches", (P, "after", "limit")),),
        BATCHES,
        "GET",
        "batches",
        "BatchList",
        query=("after", "limit"),
        doc="List batches.",
    )
    # assistants v2: litellm's spellings take custom_llm_provider first
    add(
        (("get_assistants", (P,)), ("list_assistants", (P,))),
        ASSISTANTS,
        "GET",
        "assistants",
        "AssistantList",
        query=_LIST,
        doc="List assistants.",
    )
    add(
        (("create_assistants", (P, "model")), ("create_assistant", (P, "model"))),
        ASSISTANTS,
        "POST",
        "assistants",
        "Assistant",
        required=("model",),
        doc="Create an assistant.",
    )
    add(
        (("retrieve_assistants", ("assistant_id", P)), ("retrieve_assistant", ("assistant_id", P))),
        ASSISTANTS,
        "GET",
        "assistants/{assistant_id}",
        "Assistant",
        doc="An assistant.",
    )
    add(
        (("delete_assistant", (P, "assistant_id")),),
        ASSISTANTS,
        "DELETE",
        "assistants/{assistant_id}",
        "AssistantDeleted",
        doc="Delete an assistant.",
    )
    add((("create_thread", (P,)),), ASSISTANTS, "POST", "threads", "Thread", doc="Create a thread.")
    add((("get_thread", (P, "thread_id")),), ASSISTANTS, "GET", "threads/{thread_id}", "Thread", doc="A thread.")
    add((("retrieve_thread", ("thread_id", P)),), ASSISTANTS, "GET", "threads/{thread_id}", "Thread", doc="A thread.")
    add(
        (("delete_thread", (P, "thread_id")),),
        ASSISTANTS,
        "DELETE",
        "threads/{thread_id}",
        "ThreadDeleted",
        doc="Delete a thread.",
    )
    add(
        (("add_message", (P, "thread_id", "role", "content")), ("create_message", ("thread_id", "role", "content"))),
        ASSISTANTS,
        "POST",
        "threads/{thread_id}/messages",
        "OpenAIMessage",
        required=("role", "content"),
        doc="Add a message to a thread.",
    )
    add(
        (("get_messages", (P, "thread_id")), ("list_messages", ("thread_id",))),
        ASSISTANTS,
        "GET",
        "threads/{thread_id}/messages",
        "MessageList",
        query=_LIST + ("run_id",),
        doc="A thread's messages.",
    )
    add(
        (("run_thread", (P, "thread_id", "assistant_id")), ("create_run", ("thread_id", "assistant_id"))),
        ASSISTANTS,
        "POST",
        "threads/{thread_id}/runs",
        "Run",
        required=("assistant_id",),
        streams=True,
        doc="Run an assistant on a thread; with stream=True, an iterator of AssistantStreamEvent.",
    )
    add(
        (("run_thread_stream", (P, "thread_id", "assistant_id")),),
        ASSISTANTS,
        "POST",
        "threads/{thread_id}/runs",
        "Run",
        required=("assistant_id",),
        streams=True,
        doc="run_thread with stream=True: the run's events.",
    )
    add(
        (("retrieve_run", ("thread_id", "run_id")),),
        ASSISTANTS,
        "GET",
        "threads/{thread_id}/runs/{run_id}",
        "Run",
        doc="A run.",
    )
    add(
        (("list_runs", ("thread_id",)),),
        ASSISTANTS,
        "GET",
        "threads/{thread_id}/runs",
        "RunList",
        query=_LIST,
        doc="A thread's runs.",
    )
    add(
        (
            ("submit_tool_outputs", (P, "thread_id", "run_id", "tool_outputs")),
            ("submit_tool_outputs_to_run", ("thread_id", "run_id", "tool_outputs")),
        ),
        ASSISTANTS,
        "POST",
        "threads/{thread_id}/runs/{run_id}/submit_tool_outputs",
        "Run",
        required=("tool_outputs",),
        streams=True,
        doc="Answer a run's tool calls.",
    )
    add(
        (("list_run_steps", ("thread_id", "run_id")),),
        ASSISTANTS,
        "GET",
        "threads/{thread_id}/runs/{run_id}/steps",
        "RunStepList",
        query=_LIST,
        doc="A run's steps.",
    )
    add(
        (("retrieve_run_step", ("thread_id", "run_id", "step_id")),),
        ASSISTANTS,
        "GET",
        "threads/{thread_id}/runs/{run_id}/steps/{step_id}",
        "RunStep",
        doc="One run step.",
    )
    return rows


OPS: dict[str, Op] = {op.name: op for op in _ops()}


@dataclass(slots=True)
class PlatformCall:
    op: Op
    path: str  # with the ids filled in (quoted)
    params: dict[str, Any]  # body (POST) or query (GET) parameters
    upload: FilePart | None
    ctl: Controls = field(default_factory=Controls)
    stream: bool = False
    model: str = ""  # provider-addressed: no model
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def input(self) -> dict[str, Any]:  # what callbacks see
        return dict(self.params)


_IGNORED = frozenset({"client", "litellm_params", "extra_query"})


def build_platform_call(op: Op, values: tuple[Any, ...], kw: dict[str, Any]) -> PlatformCall:
    """Validate one pass-through call before any request."""
    from urllib.parse import quote

    given = dict(zip(op.positional, values, strict=False))
    for name, value in given.items():
        if value is not None:
            kw[name] = value
    provider = kw.pop(_PROVIDER, None) or "openai"
    if not isinstance(provider, str) or not provider.strip():
        raise input_error(
            f"custom_llm_provider must be a provider name such as 'openai', got {provider!r}",
            None,
            type_error=not isinstance(provider, str),
        )
    api_metadata = kw.get("metadata")  # an API field of these objects too: sent, and seen by callbacks
    ctl = _controls(kw, "")
    ctl.custom_llm_provider = provider.strip()
    if api_metadata is not None:
        kw["metadata"] = api_metadata
    for name in _IGNORED:
        kw.pop(name, None)
    extra_body = kw.pop("extra_body", None)
    ids = {}
    for name in op.ids:
        value = kw.pop(name, None)
        if not isinstance(value, str) or not value.strip():
            raise input_error(
                f"{op.name}() needs {name} (a non-empty string), got {value!r}",
                None,
                type_error=value is not None and not isinstance(value, str),
            )
        ids[name] = quote(value.strip(), safe="")
    upload = None
    if op.upload is not None:
        value = kw.pop(op.upload, None)
        if value is None and ctl.mock_response is None:
            raise input_error(
                f"{op.name}() needs {op.upload}= (an open binary file, a path, bytes or a "
                "(filename, bytes, content_type) tuple)",
                None,
            )
        if value is not None:
            upload = file_part(op.upload, value, op.upload, None)
    if op.name == "run_thread_stream":
        kw["stream"] = True
    stream = op.response == "binary" or (op.streams and bool(kw.get("stream")))  # binary bodies are read as streams
    if not op.streams:
        kw.pop("stream", None)
    params = {k: v for k, v in kw.items() if v is not None}
    if isinstance(extra_body, dict):
        params.update(extra_body)
    if ctl.mock_response is None:
        for name in op.required:
            if params.get(name) in (None, "", []):
                raise input_error(f"{op.name}() needs {name}", None)
        _check(op, params)
    return PlatformCall(op, op.path.format(**ids), params, upload, ctl, stream)


def _check(op: Op, params: dict[str, Any]) -> None:
    """Types the API would refuse, caught before the request."""

    def fail(message: str, type_error: bool = True) -> None:
        raise input_error(f"{op.name}(): {message}", None, type_error=type_error)

    if "limit" in params and (
        isinstance(params["limit"], bool) or not isinstance(params["limit"], int) or params["limit"] < 1
    ):
        fail(f"limit must be a positive integer, got {params['limit']!r}")
    if "order" in params and params["order"] not in ("asc", "desc"):
        fail(f"order must be 'asc' or 'desc', got {params['order']!r}", type_error=False)
    if op.name in ("add_message", "create_message"):
        if params["role"] not in ("user", "assistant"):
            fail(f"role must be 'user' or 'assistant', got {params['role']!r}", type_error=False)
        if not isinstance(params["content"], (str, list)):
            fail("content must be a string or a list of content parts")
    if op.upload is not None and not isinstance(params.get("purpose"), str):
        fail("purpose must be a string such as 'batch', 'fine-tune' or 'assistants'")
    if "tool_outputs" in params and not (
        isinstance(params["tool_outputs"], list)
        and all(isinstance(o, dict) and isinstance(o.get("tool_call_id"), str) for o in params["tool_outputs"])
    ):
        fail("tool_outputs must be a list of {'tool_call_id': ..., 'output': ...}")
    if "messages" in params and not isinstance(params["messages"], list):
        fail("messages must be a list")
    if "metadata" in params and not isinstance(params["metadata"], dict):
        fail("metadata must be a dict")
    if "hyperparameters" in params and not isinstance(params["hyperparameters"], dict):
        fail("hyperparameters must be a dict")


# ------------------------------------------------------------------------------ wire format
def platform_request(dialect: Any, call: PlatformCall, target: Any) -> HttpRequest:
    op = call.op
    url = dialect.account_url(target, call.path)
    headers = dialect.auth_headers(target)
    if op.kind == ASSISTANTS:
        headers = {**headers, "openai-beta": "assistants=v2"}
    query = dict(dialect.query(target) or {})
    if op.method == "GET" or op.method == "DELETE":
        for name, value in call.params.items():
            if name in op.query:
                query[name] = str(value).lower() if isinstance(value, bool) else str(value)
        return HttpRequest(op.method, url, headers, params=query or None)
    if call.upload is not None:
        from .audio import form_fields

        body = MultipartBody(form_fields(call.params), [call.upload])
        return HttpRequest("POST", url, headers, params=query or None, body=body)
    return HttpRequest("POST", url, headers, dict(call.params), params=query or None)


def _type(name: str) -> Any:
    from ..types import platform

    return getattr(platform, name)


def parse_platform(dialect: Any, resp: HttpResponse, call: PlatformCall, target: Any) -> Any:
    data = dialect.json_body(resp, target)
    return _type(call.op.response)(**data)


# ------------------------------------------------------------------------------ streamed runs
_TYPED = {
    "thread.run.": "Run",
    "thread.message.": "OpenAIMessage",
    "thread.run.step.": "RunStep",
    "thread.created": "Thread",
}


def _event(name: str, data: Any) -> AssistantStreamEvent:
    from ..types.platform import AssistantStreamEvent

    kind = None
    for prefix, cls in sorted(_TYPED.items(), key=lambda kv: -len(kv[0])):
        if name.startswith(prefix) and not name.endswith(".delta"):
            kind = cls
            break
    if kind is not None and isinstance(data, dict):
        data = _type(kind)(**data)
    return AssistantStreamEvent(event=name, data=data)


class AssistantEventStream:
    """A streamed run: iterate it (``for event in stream`` / ``async for``) for
    ``AssistantStreamEvent`` items until the ``done`` event; ``final_run`` is the last run object
    seen. Close it (or use ``with``) to drop the connection early."""

    def __init__(self, http_stream: Any, provider: str):
        from .framing import SSEFramer

        self._http = http_stream
        self._framer = SSEFramer()
        self._provider = provider
        self._done = False
        self.final_run: Any = None
        self._hidden_params: dict[str, Any] = {}

    def prime(self) -> AssistantEventStream:
        return self

    async def aprime(self) -> AssistantEventStream:
        return self

    def _convert(self, items: list[tuple[str | None, str]]) -> list[AssistantStreamEvent]:
        out = []
        for event, data in items:
            if self._done:
                break
            if data == "[DONE]" or event == "done":
                self._done = True
                break
            try:
                obj = json.loads(data)
            except ValueError:
                from ..exceptions import APIResponseValidationError

                raise APIResponseValidationError(
                    message=f"{self._provider} sent a run event that is not JSON: {data[:200]!r}",
                    llm_provider=self._provider,
                ) from None
            if event == "error":
                from .errors import mid_stream_error

                raise mid_stream_error(
                    obj.get("error", obj) if isinstance(obj, dict) else {"message": str(obj)},
                    llm_provider=self._provider,
                    model="",
                )
            item = _event(event or "message", obj)
            if event and event.startswith("thread.run.") and not event.startswith("thread.run.step"):
                self.final_run = item.data
            out.append(item)
        return out

    def __iter__(self) -> Iterator[AssistantStreamEvent]:
        try:
            for piece in self._http.iter_bytes():
                yield from self._convert(self._framer.feed(piece))
                if self._done:
                    return
            yield from self._convert(self._framer.flush())
        finally:
            self.close()

    async def __aiter__(self) -> AsyncIterator[AssistantStreamEvent]:
        try:
            async for piece in self._http.aiter_bytes():
                for item in self._convert(self._framer.feed(piece)):
                    yield item
                if self._done:
                    return
            for item in self._convert(self._framer.flush()):
                yield item
        finally:
            await self.aclose()

    def until_done(self) -> Any:
        """Consume the stream; the final run."""
        for _ in self:
            pass
        return self.final_run

    def close(self) -> None:
        try:
            self._http.close()
        except Exception:  # noqa: BLE001 - closing never raises
            pass

    async def aclose(self) -> None:
        close = getattr(self._http, "aclose", None)
        if close is not None:
            try:
                await close()
                return
            except Exception:  # noqa: BLE001
                pass
        self.close()

    def __enter__(self) -> AssistantEventStream:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    async def __aenter__(self) -> AssistantEventStream:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()


def platform_stream(dialect: Any, http_stream: Any, plan: Any) -> Any:
    """The answer of a streamed platform call: a binary body (file content) or run events."""
    if plan.call.op.response == "binary":
        from .audio import speech_response

        return speech_response(dialect, http_stream, plan)
    return AssistantEventStream(http_stream, dialect.name)


# ------------------------------------------------------------------------------ mocks
def mock_platform(call: PlatformCall) -> Any:
    from .mock import _raise_mock

    mock = call.ctl.mock_response
    _raise_mock(mock, call, call.ctl.custom_llm_provider or "openai")
    op = call.op
    if op.response == "binary":
        from .audio import binary_mock

        out = binary_mock(mock, "application/octet-stream")
    elif isinstance(mock, dict):
        out = _type(op.response)(**mock)
    elif hasattr(mock, "_hidden_params"):
        out = mock
    else:
        raise input_error(
            f"{op.name}(): mock_response must be a dict in the answer's shape ({op.response}), or an exception",
            None,
            type_error=True,
        )
    out._hidden_params.update({"custom_llm_provider": call.ctl.custom_llm_provider, "mock_response": True})
    return out


# ------------------------------------------------------------------------------ endpoint rows
def platform_endpoints(Endpoint: type[_Endpoint]) -> list[_Endpoint]:
    rows = []
    for op in OPS.values():
        stream = op.streams or op.response == "binary"
        rows.append(
            Endpoint(
                op.kind,
                op.name,
                op.positional,
                (lambda o: lambda *values: build_platform_call(o, values[:-1], values[-1]))(op),
                "platform_request",
                "parse_platform",
                op.name,
                mock_platform,
                streams=stream,
                needs_model=False,
                priced=False,
                wrap="platform_stream" if stream else None,
            )
        )
    return rows


# ------------------------------------------------------------------------------ batch output files
def parse_batch_output(output: Any, requests: Any = None) -> dict[str | None, BatchOutputLine]:
    """The lines of a batch output (or error) file as ``{custom_id: BatchOutputLine}``.

    ``output`` is the file's content: bytes, str, a ``retrieve_file_content`` answer, a path, or
    an iterable of lines. Each successful line's ``response`` becomes the litegate type of its
    endpoint (``ModelResponse`` for chat completions, ``EmbeddingResponse``, ``TextCompletionResponse``);
    ``requests`` (the input JSONL as lines/dicts, optional) keeps only the ids asked for and adds a
    line with an error for any request the output does not answer. Lines are read one at a time.
    """
    from ..types.platform import BatchOutputLine

    out: dict[str | None, BatchOutputLine] = {}
    for number, line in enumerate(_lines(output), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            raise input_error(f"batch output line {number} is not JSON: {line[:120]!r}", None) from None
        if not isinstance(row, dict):
            raise input_error(f"batch output line {number} is not an object", None)
        resp = row.get("response") or {}
        body = resp.get("body") if isinstance(resp, dict) else None
        status = resp.get("status_code") if isinstance(resp, dict) else None
        error = row.get("error")
        parsed: Any = body
        if error is None and isinstance(status, int) and status >= 400 and isinstance(body, dict):
            error = body.get("error") or body
            parsed = None
        elif isinstance(body, dict):
            parsed = _typed_body(body)
        out[row.get("custom_id")] = BatchOutputLine(
            id=row.get("id"),
            custom_id=row.get("custom_id"),
            status_code=status,
            request_id=resp.get("request_id") if isinstance(resp, dict) else None,
            response=parsed,
            error=error,
        )
    if requests is not None:
        wanted = [
            r.get("custom_id") if isinstance(r, dict) else json.loads(r).get("custom_id")
            for r in (_lines(requests) if not isinstance(requests, list) else requests)
            if r
        ]
        out = {
            cid: out.get(cid)
            or BatchOutputLine(
                custom_id=cid, error={"code": "missing", "message": "the batch output has no line for this request"}
            )
            for cid in wanted
        }
    return out


def _typed_body(body: dict[str, Any]) -> Any:
    from ..types.utils import EmbeddingResponse, ModelResponse, TextCompletionResponse

    kind = body.get("object")
    if kind == "chat.completion":
        return ModelResponse(**body)
    if kind == "text_completion":
        return TextCompletionResponse(**body)
    if (
        kind == "list"
        and body.get("data")
        and isinstance(body["data"][0], dict)
        and body["data"][0].get("object") == "embedding"
    ):
        return EmbeddingResponse(**body)
    return body


_MAX_LINE = 64 * 1024 * 1024


def _lines(source: Any) -> Iterator[str]:
    import os

    if isinstance(source, (bytes, bytearray)):
        source = bytes(source).decode("utf-8")
    if isinstance(source, str) and "\n" not in source and os.path.isfile(source):
        with open(source, encoding="utf-8") as fh:
            for line in fh:
                yield line
        return
    if isinstance(source, str):
        yield from source.splitlines()
        return
    if hasattr(source, "iter_bytes"):  # a binary answer: line by line, as it arrives
        buf = b""
        for piece in source.iter_bytes():
            buf += piece
            *done, buf = buf.split(b"\n")
            for line in done:
                yield line.decode("utf-8")
            if len(buf) > _MAX_LINE:
                raise input_error("a batch output line is longer than 64 MiB", None)
        if buf:
            yield buf.decode("utf-8")
        return
    for line in source:
        yield (
            line.decode("utf-8") if isinstance(line, bytes) else (json.dumps(line) if isinstance(line, dict) else line)
        )


# ------------------------------------------------------------------------------ public functions
def _public(op: Op) -> tuple[Any, Any]:
    name = op.name

    def fn(*args: Any, **kwargs: Any) -> Any:
        from ..client import default_client

        return getattr(default_client(), name)(*args, **{k: v for k, v in kwargs.items() if v is not None})

    async def afn(*args: Any, **kwargs: Any) -> Any:
        from ..client import default_client

        return await getattr(default_client(), "a" + name)(*args, **{k: v for k, v in kwargs.items() if v is not None})

    where = {"files": "Files", "batches": "Batch", "fine_tuning": "Fine-tuning", "assistants": "Assistants v2"}[op.kind]
    fn.__name__ = fn.__qualname__ = name
    afn.__name__ = afn.__qualname__ = "a" + name
    fn.__doc__ = (
        f"{op.doc} ({where} API, ``{op.method} /{op.path}``; provider: custom_llm_provider, default "
        f"'openai'). Positional: {', '.join(op.positional)}. Returns {op.response}."
    )
    afn.__doc__ = f"Async twin of :func:`{name}`."
    return fn, afn


for _op in OPS.values():
    globals()[_op.name], globals()["a" + _op.name] = _public(_op)
del _op

a_add_message = globals()["aadd_message"]  # litellm's name for the async add_message
PUBLIC = tuple(n for op in OPS for n in (op, "a" + op)) + ("a_add_message",)

__all__ = ["OPS", "AssistantEventStream", "Op", "PlatformCall", "build_platform_call", "parse_batch_output", *PUBLIC]
