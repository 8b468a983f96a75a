"""The OpenAI types litellm users import from ``litellm.types.llms.openai``: the binary answer of
``speech`` / ``file_content`` and the platform objects (files, batches, fine-tuning, assistants)."""

from ..audio import HttpxBinaryResponseContent, TranscriptionResponse
from ..platform import (
    Assistant,
    AssistantDeleted,
    AssistantStreamEvent,
    Batch,
    FileDeleted,
    FileObject,
    FineTuningJob,
    FineTuningJobEvent,
    OpenAIMessage,
    Run,
    RunStep,
    Thread,
    ThreadDeleted,
)

__all__ = [
    "Assistant",
    "AssistantDeleted",
    "AssistantStreamEvent",
    "Batch",
    "FileDeleted",
    "FileObject",
    "FineTuningJob",
    "FineTuningJobEvent",
    "HttpxBinaryResponseContent",
    "OpenAIMessage",
    "Run",
    "RunStep",
    "Thread",
    "ThreadDeleted",
    "TranscriptionResponse",
]
