"""OpenAI platform objects (files, batches, fine-tuning, assistants v2) in the openai SDK's shapes.

Each class declares the fields the openai SDK's model of the same name declares (required ones
without a default there have one here so that a partial answer still reads); anything else the
API sends is kept (``extra="allow"``). Attribute and dict access, ``model_dump()``, and the
call's ``_hidden_params`` like every litegate answer. Lists are cursor pages: ``data``,
``first_id``, ``last_id``, ``has_more``.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional

from .utils import OpenAIObject, _ResponseMixin


class _Obj(_ResponseMixin, OpenAIObject):
    id: str = ""
    object: str = ""


class FileObject(_Obj):
    bytes: int = 0
    created_at: int = 0
    filename: str = ""
    purpose: str = ""
    status: str = ""
    expires_at: Optional[int] = None
    status_details: Optional[str] = None


class FileDeleted(_Obj):
    deleted: bool = False


class Batch(_Obj):
    completion_window: str = ""
    created_at: int = 0
    endpoint: str = ""
    input_file_id: str = ""
    status: str = ""
    cancelled_at: Optional[int] = None
    cancelling_at: Optional[int] = None
    completed_at: Optional[int] = None
    error_file_id: Optional[str] = None
    errors: Optional[Dict[str, Any]] = None
    expired_at: Optional[int] = None
    expires_at: Optional[int] = None
    failed_at: Optional[int] = None
    finalizing_at: Optional[int] = None
    in_progress_at: Optional[int] = None
    metadata: Optional[Dict[str, str]] = None
    output_file_id: Optional[str] = None
    request_counts: Optional[Dict[str, int]] = None


class FineTuningJob(_Obj):
    created_at: int = 0
    error: Optional[Dict[str, Any]] = None
    fine_tuned_model: Optional[str] = None
    finished_at: Optional[int] = None
    hyperparameters: Dict[str, Any] = {}
    model: str = ""
    organization_id: str = ""
    result_files: List[str] = []
    seed: Optional[int] = None
    status: str = ""
    trained_tokens: Optional[int] = None
    training_file: str = ""
    validation_file: Optional[str] = None


class FineTuningJobEvent(_Obj):
    created_at: int = 0
    level: str = ""
    message: str = ""
    data: Optional[Any] = None
    type: Optional[str] = None


class Assistant(_Obj):
    created_at: int = 0
    description: Optional[str] = None
    instructions: Optional[str] = None
    metadata: Optional[Dict[str, Any]] = None
    model: str = ""
    name: Optional[str] = None
    tools: List[Dict[str, Any]] = []
    response_format: Optional[Any] = None
    temperature: Optional[float] = None
    tool_resources: Optional[Dict[str, Any]] = None
    top_p: Optional[float] = None


class AssistantDeleted(_Obj):
    deleted: bool = False


class Thread(_Obj):
    created_at: int = 0
    metadata: Optional[Dict[str, Any]] = None
    tool_resources: Optional[Dict[str, Any]] = None


class ThreadDeleted(_Obj):
    deleted: bool = False


class OpenAIMessage(_Obj):
    """A thread message (the openai SDK's ``beta.threads.Message``)."""

    assistant_id: Optional[str] = None
    attachments: Optional[List[Dict[str, Any]]] = None
    completed_at: Optional[int] = None
    content: List[Dict[str, Any]] = []
    created_at: int = 0
    incomplete_at: Optional[int] = None
    incomplete_details: Optional[Dict[str, Any]] = None
    metadata: Optional[Dict[str, Any]] = None
    role: str = ""
    run_id: Optional[str] = None
    status: str = ""
    thread_id: str = ""

    @property
    def text(self) -> str:
        """The text parts of the message, joined."""
        return "".join(p.get("text", {}).get("value", "") for p in self.content if p.get("type") == "text")


class Run(_Obj):
    assistant_id: str = ""
    cancelled_at: Optional[int] = None
    completed_at: Optional[int] = None
    created_at: int = 0
    expires_at: Optional[int] = None
    failed_at: Optional[int] = None
    incomplete_details: Optional[Dict[str, Any]] = None
    instructions: str = ""
    last_error: Optional[Dict[str, Any]] = None
    max_completion_tokens: Optional[int] = None
    max_prompt_tokens: Optional[int] = None
    metadata: Optional[Dict[str, Any]] = None
    model: str = ""
    parallel_tool_calls: bool = True
    required_action: Optional[Dict[str, Any]] = None
    response_format: Optional[Any] = None
    started_at: Optional[int] = None
    status: str = ""
    thread_id: str = ""
    tool_choice: Optional[Any] = None
    tools: List[Dict[str, Any]] = []
    truncation_strategy: Optional[Dict[str, Any]] = None
    usage: Optional[Dict[str, Any]] = None
    temperature: Optional[float] = None
    top_p: Optional[float] = None


class RunStep(_Obj):
    assistant_id: str = ""
    cancelled_at: Optional[int] = None
    completed_at: Optional[int] = None
    created_at: int = 0
    expired_at: Optional[int] = None
    failed_at: Optional[int] = None
    last_error: Optional[Dict[str, Any]] = None
    metadata: Optional[Dict[str, Any]] = None
    run_id: str = ""
    status: str = ""
    step_details: Dict[str, Any] = {}
    thread_id: str = ""
    type: str = ""
    usage: Optional[Dict[str, Any]] = None


class _Page(_ResponseMixin, OpenAIObject):
    object: str = "list"
    data: List[Any] = []
    first_id: Optional[str] = None
    last_id: Optional[str] = None
    has_more: bool = False

    def __iter__(self) -> Iterator[Any]:  # type: ignore[override]
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


class FileList(_Page):
    data: List[FileObject] = []


class BatchList(_Page):
    data: List[Batch] = []


class FineTuningJobList(_Page):
    data: List[FineTuningJob] = []


class FineTuningJobEventList(_Page):
    data: List[FineTuningJobEvent] = []


class AssistantList(_Page):
    data: List[Assistant] = []


class MessageList(_Page):
    data: List[OpenAIMessage] = []


class RunList(_Page):
    data: List[Run] = []


class RunStepList(_Page):
    data: List[RunStep] = []


class AssistantStreamEvent(OpenAIObject):
    """One event of a streamed run: ``event`` (e.g. "thread.message.delta") and ``data`` (the
    object it carries, typed when it is a run, a message or a run step)."""

    event: str
    data: Any = None


class BatchOutputLine(OpenAIObject):
    """One line of a batch output (or error) file, paired with the request by ``custom_id``.
    ``response`` is parsed into litegate's type for the batch endpoint (``ModelResponse`` for chat
    completions) when the line succeeded; ``error`` holds the failure otherwise."""

    id: Optional[str] = None
    custom_id: Optional[str] = None
    status_code: Optional[int] = None
    request_id: Optional[str] = None
    response: Any = None
    error: Optional[Dict[str, Any]] = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status_code is not None and 200 <= self.status_code < 300


__all__ = [
    "Assistant", "AssistantDeleted", "AssistantList", "AssistantStreamEvent", "Batch", "BatchList",
    "BatchOutputLine", "FileDeleted", "FileList", "FileObject", "FineTuningJob", "FineTuningJobEvent",
    "FineTuningJobEventList", "FineTuningJobList", "MessageList", "OpenAIMessage", "Run", "RunList", "RunStep",
    "RunStepList", "Thread", "ThreadDeleted",
]
