"""Rebuild a complete response from stream chunks.

``stream_chunk_builder(chunks, messages=None)`` is litellm's public helper: given the chunks of a
streamed chat completion it returns the equivalent non-stream :class:`ModelResponse`.
:class:`ChunkAccumulator` does the same work incrementally (``add`` each chunk as it passes,
``build`` at the end) so a stream wrapper can offer the final response without keeping chunks.

Merging rules, per choice index (so ``n > 1`` works):

* ``content``, ``reasoning_content`` and ``refusal`` fragments are concatenated; a field never
  streamed stays None, and an empty ``content`` is None when the message carries tool calls, a
  function call or a refusal (as in a non-stream response);
* tool-call fragments are merged by their ``index``: id, type and name come from the first
  fragment that has them, ``arguments`` are concatenated. A fragment with a different, non-empty
  id at an index already in use starts a new call (providers that send every call at index 0);
* the last non-null ``finish_reason`` wins (``"stop"`` if none came);
* logprobs ``content`` / ``refusal`` token lists are concatenated;
* usage comes from the chunk(s) carrying it (the ``include_usage`` chunk with ``choices: []``);
  when several chunks carry usage the latest non-zero counts win. With no streamed usage,
  :func:`_estimate_usage` is asked, and zeros are used if it returns None;
* ``id``, ``created``, ``model`` and ``system_fingerprint`` come from the chunks (first non-null);
  other top-level fields a provider adds (``service_tier`` ...) keep their latest value.

Text-completion chunks (``object="text_completion"``) rebuild a :class:`TextCompletionResponse`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, overload

from .utils import (
    ChatCompletionMessageToolCall,
    ChoiceLogprobs,
    Choices,
    Function,
    FunctionCall,
    Logprobs,
    Message,
    ModelResponse,
    ModelResponseStream,
    TextChoices,
    TextCompletionResponse,
    Usage,
)

__all__ = ["ChunkAccumulator", "stream_chunk_builder"]

if TYPE_CHECKING:
    from typing_extensions import TypeVar

    from ..core.streaming import CustomStreamWrapper as _Stream

    _ChunkT = TypeVar("_ChunkT", default=ModelResponseStream)

    # Type checkers see litellm's two stream names as two views of the one stream class
    # (``litegate.core.streaming.CustomStreamWrapper``, generic in its chunk type, which both
    # names are at run time): the bare names tell a chat stream from a text completion stream.
    class CustomStreamWrapper(_Stream[_ChunkT]):
        """The stream of ``completion(..., stream=True)``: an iterator and async iterator of
        ``ModelResponseStream`` chunks (``CustomStreamWrapper[ModelResponseStream]``);
        ``close()`` / ``aclose()`` (or ``with``) release it."""

    class TextCompletionStreamWrapper(_Stream[TextCompletionResponse]):
        """The stream of ``text_completion(..., stream=True)``: an iterator and async iterator of
        ``TextCompletionResponse`` chunks."""

else:

    def __getattr__(name: str) -> Any:
        # the stream class lives in core/streaming.py (imported on first use only)
        if name in ("CustomStreamWrapper", "TextCompletionStreamWrapper"):
            from ..core.streaming import CustomStreamWrapper

            return CustomStreamWrapper
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# top-level chunk keys that are not carried over as "extra" fields of the rebuilt response
_CHUNK_ONLY_KEYS = frozenset({"object", "choices", "usage", "stream", "stream_options"})


def _estimate_usage(messages: list[Any] | None, completion_text: str) -> Usage | dict[str, int] | None:
    """Token-count hook for streams that did not report usage.

    Receives the request ``messages`` (may be None) and the generated text (content, reasoning
    and tool-call arguments of every choice, concatenated). Returns a :class:`Usage` (or a dict
    of its fields), or None when no estimate is available, in which case zeros are reported.

    Counted with litegate's tokenizer (OpenAI encodings; an estimate for other models).
    """
    from ..tokens import estimate_usage

    return estimate_usage(messages, completion_text)


def _get(obj: Any, name: str) -> Any:
    """Attribute of a model, or key of a dict (None when absent)."""
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(name)
    value = getattr(obj, name, None)
    return value


def _as_plain(obj: Any) -> Any:
    if hasattr(obj, "model_dump"):
        return obj.model_dump()
    if isinstance(obj, dict):
        return dict(obj)
    return obj


class _ToolCallBuffer:
    __slots__ = ("id", "type", "name", "arguments", "extra")

    def __init__(self) -> None:
        self.id: str | None = None
        self.type: str | None = None
        self.name: str | None = None
        self.arguments: list[str] = []
        self.extra: dict[str, Any] | None = None


class _ChoiceBuffer:
    __slots__ = (
        "index",
        "role",
        "content",
        "reasoning",
        "refusal",
        "tool_calls",
        "tool_by_index",
        "function_name",
        "function_args",
        "finish_reason",
        "lp_content",
        "lp_refusal",
        "lp_other",
        "thinking_blocks",
        "annotations",
        "audio",
        "images",
        "provider_fields",
        "text_logprobs",
    )

    def __init__(self, index: int) -> None:
        self.index = index
        self.role: str | None = None
        self.content: list[str] | None = None
        self.reasoning: list[str] | None = None
        self.refusal: list[str] | None = None
        self.tool_calls: list[_ToolCallBuffer] = []
        self.tool_by_index: dict[int, _ToolCallBuffer] = {}
        self.function_name: str | None = None
        self.function_args: list[str] | None = None
        self.finish_reason: str | None = None
        self.lp_content: list[Any] | None = None
        self.lp_refusal: list[Any] | None = None
        self.lp_other: Any = None
        self.thinking_blocks: list[dict[str, Any]] | None = None
        self.annotations: list[Any] | None = None
        self.audio: dict[str, Any] | None = None
        self.images: list[Any] | None = None
        self.provider_fields: dict[str, Any] | None = None
        self.text_logprobs: dict[str, list[Any]] | None = None

    # ---- feeding -----------------------------------------------------------------------

    def add_delta(self, delta: Any) -> None:
        if delta is None:
            return
        if isinstance(delta, dict):
            get = delta.get
        else:

            def get(name: str, _d: Any = delta) -> Any:
                return getattr(_d, name, None)

        role = get("role")
        if role is not None and self.role is None:
            self.role = role
        content = get("content")
        if content is not None:
            if self.content is None:
                self.content = [content]
            else:
                self.content.append(content)
        tool_calls = get("tool_calls")
        if tool_calls:
            for fragment in tool_calls:
                self._add_tool_fragment(fragment)
        reasoning = get("reasoning_content")
        if reasoning is None:
            # some providers stream ``reasoning`` instead of ``reasoning_content``
            if isinstance(delta, dict):
                reasoning = delta.get("reasoning")
            else:
                extra = getattr(delta, "__pydantic_extra__", None)
                reasoning = extra.get("reasoning") if extra else None
            if not isinstance(reasoning, str):
                reasoning = None
        if reasoning is not None:
            if self.reasoning is None:
                self.reasoning = [reasoning]
            else:
                self.reasoning.append(reasoning)
        refusal = get("refusal")
        if refusal is not None:
            if self.refusal is None:
                self.refusal = [refusal]
            else:
                self.refusal.append(refusal)
        function_call = get("function_call")
        if function_call is not None:
            name = _get(function_call, "name")
            if name and not self.function_name:
                self.function_name = name
            args = _get(function_call, "arguments")
            if self.function_args is None:
                self.function_args = []
            if args:
                self.function_args.append(args)
        thinking = get("thinking_blocks")
        if thinking:
            self._add_thinking(thinking)
        annotations = get("annotations")
        if annotations:
            if self.annotations is None:
                self.annotations = []
            self.annotations.extend(annotations)
        audio = get("audio")
        if audio is not None:
            self._add_audio(audio)
        images = get("images")
        if images:
            if self.images is None:
                self.images = []
            self.images.extend(images)
        provider_fields = get("provider_specific_fields")
        if provider_fields:
            if self.provider_fields is None:
                self.provider_fields = {}
            self.provider_fields.update(provider_fields)

    def _add_tool_fragment(self, fragment: Any) -> None:
        index = _get(fragment, "index")
        if index is None:
            index = len(self.tool_calls)
        fragment_id = _get(fragment, "id")
        buf = self.tool_by_index.get(index)
        if buf is None or (fragment_id and buf.id and fragment_id != buf.id):
            buf = _ToolCallBuffer()
            self.tool_by_index[index] = buf
            self.tool_calls.append(buf)
        if fragment_id and not buf.id:
            buf.id = fragment_id
        kind = _get(fragment, "type")
        if kind and not buf.type:
            buf.type = kind
        function = _get(fragment, "function")
        if function is not None:
            name = _get(function, "name")
            if name and not buf.name:
                buf.name = name
            args = _get(function, "arguments")
            if args:
                buf.arguments.append(args)
        if not isinstance(fragment, dict):
            extra = getattr(fragment, "__pydantic_extra__", None)
            if extra:
                if buf.extra is None:
                    buf.extra = {}
                buf.extra.update(extra)

    def _add_thinking(self, blocks: Iterable[Any]) -> None:
        if self.thinking_blocks is None:
            self.thinking_blocks = []
        out = self.thinking_blocks
        for block in blocks:
            block = _as_plain(block)
            if not isinstance(block, dict):
                out.append(block)
                continue
            last = out[-1] if out else None
            if (
                block.get("type") == "thinking"
                and last is not None
                and last.get("type") == "thinking"
                and not last.get("signature")
            ):
                text = block.get("thinking")
                if text:
                    last["thinking"] = (last.get("thinking") or "") + text
                if block.get("signature"):
                    last["signature"] = block["signature"]
            else:
                out.append(dict(block))

    def _add_audio(self, audio: Any) -> None:
        audio = _as_plain(audio)
        if not isinstance(audio, dict):
            return
        if self.audio is None:
            self.audio = {}
        merged = self.audio
        for key, value in audio.items():
            if value is None:
                continue
            if key in ("data", "transcript") and isinstance(value, str):
                merged[key] = (merged.get(key) or "") + value
            elif key == "id":
                merged.setdefault("id", value)
            else:
                merged[key] = value

    def add_logprobs(self, logprobs: Any) -> None:
        content = _get(logprobs, "content")
        refusal = _get(logprobs, "refusal")
        if content is None and refusal is None:
            if not isinstance(logprobs, ChoiceLogprobs):
                self.lp_other = logprobs  # unknown shape: keep the latest
            elif self.lp_content is None and self.lp_refusal is None and self.lp_other is None:
                self.lp_other = logprobs
            return
        if content is not None:
            if self.lp_content is None:
                self.lp_content = list(content)
            else:
                self.lp_content.extend(content)
        if refusal is not None:
            if self.lp_refusal is None:
                self.lp_refusal = list(refusal)
            else:
                self.lp_refusal.extend(refusal)

    def add_text_logprobs(self, logprobs: Any) -> None:
        if self.text_logprobs is None:
            self.text_logprobs = {}
        for key in ("tokens", "token_logprobs", "top_logprobs", "text_offset"):
            part = _get(logprobs, key)
            if part:
                self.text_logprobs.setdefault(key, []).extend(part)

    # ---- output ------------------------------------------------------------------------

    def content_text(self) -> str | None:
        return "".join(self.content) if self.content is not None else None

    def completion_text(self) -> str:
        parts: list[str] = []
        if self.content:
            parts.extend(self.content)
        if self.reasoning:
            parts.extend(self.reasoning)
        if self.refusal:
            parts.extend(self.refusal)
        for call in self.tool_calls:
            if call.name:
                parts.append(call.name)
            parts.extend(call.arguments)
        if self.function_args:
            parts.extend(self.function_args)
        return "".join(parts)

    def build_logprobs(self) -> Any:
        if self.lp_content is None and self.lp_refusal is None:
            return self.lp_other
        return ChoiceLogprobs(content=self.lp_content, refusal=self.lp_refusal)

    def build_choice(self) -> Choices:
        message: dict[str, Any] = {"role": self.role or "assistant"}
        if self.tool_calls:
            calls = []
            for buf in self.tool_calls:
                kwargs: dict[str, Any] = dict(buf.extra) if buf.extra else {}
                kwargs["function"] = Function(name=buf.name, arguments="".join(buf.arguments))
                kwargs["type"] = buf.type or "function"
                if buf.id:
                    kwargs["id"] = buf.id
                calls.append(ChatCompletionMessageToolCall(**kwargs))
            message["tool_calls"] = calls
        if self.function_args is not None or self.function_name:
            message["function_call"] = FunctionCall(
                name=self.function_name, arguments="".join(self.function_args or ())
            )
        refusal = "".join(self.refusal) if self.refusal is not None else None
        content = self.content_text()
        if not content and (self.tool_calls or "function_call" in message or refusal):
            content = None
        message["content"] = content
        if refusal is not None:
            message["refusal"] = refusal
        if self.reasoning is not None:
            message["reasoning_content"] = "".join(self.reasoning)
        if self.thinking_blocks:
            message["thinking_blocks"] = self.thinking_blocks
        if self.annotations is not None:
            message["annotations"] = self.annotations
        if self.audio:
            message["audio"] = self.audio
        if self.images:
            message["images"] = self.images
        if self.provider_fields:
            message["provider_specific_fields"] = self.provider_fields
        return Choices(
            finish_reason=self.finish_reason or "stop",
            index=self.index,
            message=Message(**message),
            logprobs=self.build_logprobs(),
        )

    def build_text_choice(self) -> TextChoices:
        logprobs = Logprobs(**self.text_logprobs) if self.text_logprobs else None
        return TextChoices(
            finish_reason=self.finish_reason or "stop",
            index=self.index,
            text="".join(self.content) if self.content is not None else "",
            logprobs=logprobs,
        )


_USAGE_COUNTS = ("prompt_tokens", "completion_tokens")


class ChunkAccumulator:
    """Collects stream chunks one at a time and builds the complete response.

    ``add(chunk)`` accepts :class:`ModelResponseStream` / :class:`ModelResponse` chunks, text
    completion chunks, or plain chunk dicts. ``build()`` returns the rebuilt response (None if no
    chunk was added); it can be called more than once.
    """

    __slots__ = (
        "messages",
        "_choices",
        "_count",
        "_id",
        "_created",
        "_model",
        "_system_fingerprint",
        "_extra",
        "_provider_fields",
        "_usages",
        "_hidden_params",
        "_is_text",
    )

    def __init__(self, messages: list[Any] | None = None) -> None:
        self.messages = messages
        self._choices: dict[int, _ChoiceBuffer] = {}
        self._count = 0
        self._id: str | None = None
        self._created: int | None = None
        self._model: str | None = None
        self._system_fingerprint: str | None = None
        self._extra: dict[str, Any] | None = None
        self._provider_fields: dict[str, Any] | None = None
        self._usages: list[Any] | None = None
        self._hidden_params: dict[str, Any] | None = None
        self._is_text = False

    def __len__(self) -> int:
        """Number of chunks added."""
        return self._count

    def add(self, chunk: Any) -> None:
        if isinstance(chunk, dict):
            chunk = self._from_dict(chunk)
        self._count += 1
        if self._id is None:
            self._id = chunk.id
            self._created = chunk.created
            if isinstance(chunk, TextCompletionResponse):
                self._is_text = True
        if self._model is None:
            self._model = chunk.model
        if self._system_fingerprint is None:
            self._system_fingerprint = getattr(chunk, "system_fingerprint", None)

        extra = chunk.__pydantic_extra__
        if extra:
            target = self._extra
            if target is None:
                target = self._extra = {}
            for key, value in extra.items():
                if value is not None and key not in _CHUNK_ONLY_KEYS:
                    target[key] = value
        provider_fields = chunk.__dict__.get("provider_specific_fields")
        if provider_fields:
            if self._provider_fields is None:
                self._provider_fields = {}
            self._provider_fields.update(provider_fields)

        usage = chunk.__dict__.get("usage")
        # defaulted all-zero usage (e.g. on text-completion chunks) carries no information
        if usage is not None and _nonzero(usage):
            if self._usages is None:
                self._usages = [usage]
            else:
                self._usages.append(usage)

        hidden = chunk.__pydantic_private__
        if hidden:
            params = hidden.get("_hidden_params")
            if params:
                if self._hidden_params is None:
                    self._hidden_params = {}
                self._hidden_params.update(params)

        buffers = self._choices
        for choice in chunk.choices:
            index = _get(choice, "index") or 0
            buf = buffers.get(index)
            if buf is None:
                buf = buffers[index] = _ChoiceBuffer(index)
            if self._is_text:
                text = _get(choice, "text")
                if text is not None:
                    if buf.content is None:
                        buf.content = [text]
                    else:
                        buf.content.append(text)
                logprobs = _get(choice, "logprobs")
                if logprobs is not None:
                    buf.add_text_logprobs(logprobs)
            else:
                delta = _get(choice, "delta")
                if delta is None:
                    delta = _get(choice, "message")
                buf.add_delta(delta)
                logprobs = _get(choice, "logprobs")
                if logprobs is not None:
                    buf.add_logprobs(logprobs)
            finish_reason = _get(choice, "finish_reason")
            if finish_reason is not None:
                buf.finish_reason = finish_reason

    @staticmethod
    def _from_dict(chunk: dict[str, Any]) -> Any:
        obj = chunk.get("object")
        if isinstance(obj, str) and obj.startswith("text_completion"):
            return TextCompletionResponse(**chunk)
        if (
            obj is None
            and chunk.get("choices")
            and isinstance(chunk["choices"][0], dict)
            and "text" in chunk["choices"][0]
        ):
            return TextCompletionResponse(**chunk)
        return ModelResponseStream(**chunk)

    def _merged_usage(self) -> Usage | None:
        usages = self._usages
        if not usages:
            return None
        if len(usages) == 1:
            return _copy_usage(usages[0])
        merged: dict[str, Any] = {}
        for usage in usages:
            data = _as_plain(usage)
            if not isinstance(data, dict):
                continue
            for key, value in data.items():
                if value is None:
                    continue
                if key in _USAGE_COUNTS or key == "total_tokens":
                    if value or key not in merged:
                        merged[key] = value
                else:
                    merged[key] = value
        prompt = merged.get("prompt_tokens") or 0
        completion = merged.get("completion_tokens") or 0
        if (merged.get("total_tokens") or 0) < prompt + completion:
            merged["total_tokens"] = prompt + completion
        return Usage(**merged)

    def build(self) -> ModelResponse | TextCompletionResponse | None:
        if self._count == 0:
            return None
        buffers = [self._choices[i] for i in sorted(self._choices)]
        usage = self._merged_usage()
        if usage is None:
            text = "".join(buf.completion_text() for buf in buffers)
            estimate = _estimate_usage(self.messages, text)
            if estimate is None:
                usage = Usage(prompt_tokens=0, completion_tokens=0, total_tokens=0)
            elif isinstance(estimate, Usage):
                usage = estimate
            else:
                usage = Usage(**_as_plain(estimate))

        fields: dict[str, Any] = dict(self._extra) if self._extra else {}
        if self._provider_fields:
            fields["provider_specific_fields"] = dict(self._provider_fields)
        fields["id"] = self._id
        fields["created"] = self._created
        fields["model"] = self._model
        fields["system_fingerprint"] = self._system_fingerprint
        fields["usage"] = usage
        hidden = dict(self._hidden_params) if self._hidden_params else None

        if self._is_text:
            fields["choices"] = [buf.build_text_choice() for buf in buffers] or [
                TextChoices(finish_reason="stop", text="")
            ]
            fields["object"] = "text_completion"
            return TextCompletionResponse(hidden_params=hidden, **fields)

        fields["choices"] = [buf.build_choice() for buf in buffers] or [Choices()]
        fields["object"] = "chat.completion"
        fields["stream"] = False
        return ModelResponse(hidden_params=hidden, **fields)


def _nonzero(usage: Any) -> bool:
    return bool(_get(usage, "total_tokens") or _get(usage, "prompt_tokens") or _get(usage, "completion_tokens"))


def _copy_usage(usage: Any) -> Usage:
    if isinstance(usage, Usage):
        return usage.model_copy(deep=True)
    return Usage(**_as_plain(usage))


@overload
def stream_chunk_builder(
    chunks: Iterable[ModelResponseStream],
    messages: list[Any] | None = None,
    start_time: Any = None,
    end_time: Any = None,
) -> ModelResponse | None: ...


@overload
def stream_chunk_builder(
    chunks: Iterable[TextCompletionResponse],
    messages: list[Any] | None = None,
    start_time: Any = None,
    end_time: Any = None,
) -> TextCompletionResponse | None: ...


@overload
def stream_chunk_builder(
    chunks: Iterable[Any],
    messages: list[Any] | None = None,
    start_time: Any = None,
    end_time: Any = None,
) -> ModelResponse | TextCompletionResponse | None: ...


def stream_chunk_builder(
    chunks: Iterable[Any],
    messages: list[Any] | None = None,
    start_time: Any = None,
    end_time: Any = None,
) -> ModelResponse | TextCompletionResponse | None:
    """Rebuild the complete response from the chunks of a stream (None for no chunks).

    ``messages`` (the request messages) is only used to estimate usage when the stream did not
    report it. ``start_time`` / ``end_time`` (datetimes or epoch seconds), when both given, set
    ``_response_ms`` on the result.
    """
    acc = ChunkAccumulator(messages=messages)
    for chunk in chunks:
        acc.add(chunk)
    response = acc.build()
    if response is not None and start_time is not None and end_time is not None:
        try:
            elapsed = end_time - start_time
            seconds = elapsed.total_seconds() if hasattr(elapsed, "total_seconds") else float(elapsed)
            response._response_ms = seconds * 1000.0
        except (TypeError, ValueError):
            pass
    return response
