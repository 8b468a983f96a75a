"""OpenAI platform objects (files, batches, fine-tuning, assistants v2) in the openai SDK's shapes.

Each class declares the fields the openai SDK's model of the same name declares (required ones
without a default there have one here so that a partial answer still reads); anything else the
API sends is kept (``extra="allow"``). Attribute and dict access, ``model_dump()``, and the
call's ``_hidden_params`` like every litegate answer. Lists are cursor pages: ``data``,
``first_id``, ``last_id``, ``has_more``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .base import OpenAIObject, _ResponseMixin


class _Obj(_ResponseMixin, OpenAIObject):
    id: str = ""
    object: str = ""


class FileObject(_Obj):
    bytes: int = 0
    created_at: int = 0
    filename: str = ""
    purpose: str = ""
    status: str = ""
    expires_at: int | None = None
    status_details: str | None = None


class FileDeleted(_Obj):
    deleted: bool = False


class Batch(_Obj):
    completion_window: str = ""
    created_at: int = 0
    endpoint: str = ""
    input_file_id: str = ""
    status: str = ""
    cancelled_at: int | None = None
    cancelling_at: int | None = None
    completed_at: int | None = None
    error_file_id: str | None = None
    errors: dict[str, Any] | None = None
    expired_at: int | None = None
    expires_at: int | None = None
    failed_at: int | None = None
    finalizing_at: int | None = None
    in_progress_at: int | None = None
    metadata: dict[str, str] | None = None
    output_file_id: str | None = None
    request_counts: dict[str, int] | None = None


class FineTuningJob(_Obj):
    created_at: int = 0
    error: dict[str, Any] | None = None
    fine_tuned_model: str | None = None
    finished_at: int | None = None
    hyperparameters: dict[str, Any] = {}
    model: str = ""
    organization_id: str = ""
    result_files: list[str] = []
    seed: int | None = None
    status: str = ""
    trained_tokens: int | None = None
    training_file: str = ""
    validation_file: str | None = None


class FineTuningJobEvent(_Obj):
    created_at: int = 0
    level: str = ""
    message: str = ""
    data: Any | None = None
    type: str | None = None


class Assistant(_Obj):
    created_at: int = 0
    description: str | None = None
    instructions: str | None = None
    metadata: dict[str, Any] | None = None
    model: str = ""
    name: str | None = None
    tools: list[dict[str, Any]] = []
    response_format: Any | None = None
    temperature: float | None = None
    tool_resources: dict[str, Any] | None = None
    top_p: float | None = None


class AssistantDeleted(_Obj):
    deleted: bool = False


class Thread(_Obj):
    created_at: int = 0
    metadata: dict[str, Any] | None = None
    tool_resources: dict[str, Any] | None = None


class ThreadDeleted(_Obj):
    deleted: bool = False


class OpenAIMessage(_Obj):
    """A thread message (the openai SDK's ``beta.threads.Message``)."""

    assistant_id: str | None = None
    attachments: list[dict[str, Any]] | None = None
    completed_at: int | None = None
    content: list[dict[str, Any]] = []
    created_at: int = 0
    incomplete_at: int | None = None
    incomplete_details: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    role: str = ""
    run_id: str | None = None
    status: str = ""
    thread_id: str = ""

    @property
    def text(self) -> str:
        """The text parts of the message, joined."""
        return "".join(p.get("text", {}).get("value", "") for p in self.content if p.get("type") == "text")


class Run(_Obj):
    assistant_id: str = ""
    cancelled_at: int | None = None
    completed_at: int | None = None
    created_at: int = 0
    expires_at: int | None = None
    failed_at: int | None = None
    incomplete_details: dict[str, Any] | None = None
    instructions: str = ""
    last_error: dict[str, Any] | None = None
    max_completion_tokens: int | None = None
    max_prompt_tokens: int | None = None
    metadata: dict[str, Any] | None = None
    model: str = ""
    parallel_tool_calls: bool = True
    required_action: dict[str, Any] | None = None
    response_format: Any | None = None
    started_at: int | None = None
    status: str = ""
    thread_id: str = ""
    tool_choice: Any | None = None
    tools: list[dict[str, Any]] = []
    truncation_strategy: dict[str, Any] | None = None
    usage: dict[str, Any] | None = None
    temperature: float | None = None
    top_p: float | None = None


class RunStep(_Obj):
    assistant_id: str = ""
    cancelled_at: int | None = None
    completed_at: int | None = None
    created_at: int = 0
    expired_at: int | None = None
    failed_at: int | None = None
    last_error: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    run_id: str = ""
    status: str = ""
    step_details: dict[str, Any] = {}
    thread_id: str = ""
    type: str = ""
    usage: dict[str, Any] | None = None


class _Page(_ResponseMixin, OpenAIObject):
    object: str = "list"
    data: list[Any] = []
    first_id: str | None = None
    last_id: str | None = None
    has_more: bool = False

    def __iter__(self) -> Iterator[Any]:  # type: ignore[override]
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


class FileList(_Page):
    data: list[FileObject] = []


class BatchList(_Page):
    data: list[Batch] = []


class FineTuningJobList(_Page):
    data: list[FineTuningJob] = []


class FineTuningJobEventList(_Page):
    data: list[FineTuningJobEvent] = []


class AssistantList(_Page):
    data: list[Assistant] = []


class MessageList(_Page):
    data: list[OpenAIMessage] = []


class RunList(_Page):
    data: list[Run] = []


class RunStepList(_Page):
    data: list[RunStep] = []


class AssistantStreamEvent(OpenAIObject):
    """One event of a streamed run: ``event`` (e.g. "thread.message.delta") and ``data`` (the
    object it carries, typed when it is a run, a message or a run step)."""

    event: str
    data: Any = None


class BatchOutputLine(OpenAIObject):
    """One line of a batch output (or error) file, paired with the request by ``custom_id``.
    ``response`` is parsed into litegate's type for the batch endpoint (``ModelResponse`` for chat
    completions) when the line succeeded; ``error`` holds the failure otherwise."""

    id: str | None = None
    custom_id: str | None = None
    status_code: int | None = None
    request_id: str | None = None
    response: Any = None
    error: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status_code is not None and 200 <= self.status_code < 300


__all__ = [
    "Assistant",
    "AssistantDeleted",
    "AssistantList",
    "AssistantStreamEvent",
    "Batch",
    "BatchList",
    "BatchOutputLine",
    "FileDeleted",
    "FileList",
    "FileObject",
    "FineTuningJob",
    "FineTuningJobEvent",
    "FineTuningJobEventList",
    "FineTuningJobList",
    "MessageList",
    "OpenAIMessage",
    "Run",
    "RunList",
    "RunStep",
    "RunStepList",
    "Thread",
    "ThreadDeleted",
]
