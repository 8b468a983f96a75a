"""Types of the arguments the call functions take (for type checkers and editors).

``messages`` accepts the OpenAI SDK's message params (``openai.types.chat.ChatCompletionMessageParam``,
TypedDicts), plain dicts, :class:`ChatCompletionMessageParam` below (a TypedDict naming the keys an
editor can complete), and response objects such as ``resp.choices[0].message`` (anything with
``model_dump()``). The checks litegate makes before a call (a list, known roles, ...) stay the
authority at run time; these types only describe them.

Nothing here is imported when litegate is: the call functions name these types in annotations only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import IO, Any, Literal, Protocol, TypeAlias, TypedDict

__all__ = [
    "ChatCompletionMessageParam",
    "SupportsModelDump",
    "MessageLike",
    "Messages",
    "EmbeddingInput",
    "PromptInput",
    "TimeoutLike",
    "RequestTimeout",
    "FileContent",
    "FileTypes",
    "TranscriptionTextFormat",
    "TranscriptionObjectFormat",
]


class ChatCompletionMessageParam(TypedDict, total=False):
    """One chat message in OpenAI's shape; every key is optional to the type checker (litegate
    checks the message before the call). Other keys a provider understands (``cache_control``
    ...) are fine too: a message with them is a plain dict."""

    role: Literal["system", "user", "assistant", "tool", "developer", "function"]
    content: str | list[Mapping[str, Any]] | None
    name: str
    tool_calls: list[Mapping[str, Any]]
    tool_call_id: str
    function_call: Mapping[str, Any]
    reasoning_content: str
    thinking_blocks: list[Mapping[str, Any]]


class SupportsModelDump(Protocol):
    """A pydantic model, e.g. a previous answer's ``resp.choices[0].message``: sent as its dump."""

    def model_dump(self, *, exclude_none: bool = ...) -> dict[str, Any]: ...


MessageLike: TypeAlias = ChatCompletionMessageParam | Mapping[str, Any] | SupportsModelDump
"""A chat message: a dict (OpenAI SDK TypedDicts included) or a model with ``model_dump()``."""

Messages: TypeAlias = Sequence[MessageLike]
"""The ``messages`` of a chat call (a list at run time)."""

EmbeddingInput: TypeAlias = str | list[str] | list[int] | list[list[int]]
"""Text, texts, or pre-tokenized input (token ids, or one list of ids per input)."""

PromptInput: TypeAlias = str | list[str] | list[int] | list[list[int]]
"""A text completion prompt: text, texts, or token ids."""


class TimeoutLike(Protocol):
    """An ``httpx.Timeout`` (or anything with its ``connect`` and ``read`` limits): used as given."""

    @property
    def connect(self) -> float | None: ...

    @property
    def read(self) -> float | None: ...


RequestTimeout: TypeAlias = float | TimeoutLike
"""Seconds, or an ``httpx.Timeout``."""

FileContent: TypeAlias = str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes]
"""A path, the bytes, or a file opened in binary mode."""

FileTypes: TypeAlias = (
    FileContent
    | tuple[str | None, FileContent]
    | tuple[str | None, FileContent, str | None]
    | tuple[str | None, FileContent, str | None, Mapping[str, str]]
)
"""A file to upload: its content, or ``(filename, content[, content_type[, headers]])``."""

TranscriptionTextFormat: TypeAlias = Literal["text", "srt", "vtt"]
"""``response_format`` values for which ``transcription`` returns the transcript as a ``str``."""

TranscriptionObjectFormat: TypeAlias = Literal["json", "verbose_json", "diarized_json"]
"""``response_format`` values for which ``transcription`` returns a ``TranscriptionResponse``."""
