"""Legacy text completions on providers that only speak chat, and text-completion mocks.

A provider with a ``text_completion_request`` (the OpenAI dialect's ``/completions``) is called
directly. Any other provider gets the prompt as one user message; its chat answer (or stream) is
turned into ``TextCompletionResponse`` objects with the same ids, text, finish reasons and usage.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from typing import TYPE_CHECKING, Any

from .call import ChatCall, TextCall

if TYPE_CHECKING:
    from ..types.completion import TextCompletionResponse
    from .streaming import ChunkDecoder, CustomStreamWrapper


def chat_call_for(call: TextCall, drop: Any = None) -> ChatCall:
    """The text call as a chat call. ``drop`` is the call's resolved ``drop_params`` (the per-call
    value, else the setting); parameters only a completions endpoint has are dropped or refused."""
    prompt = call.prompt
    if not isinstance(prompt, str):
        if isinstance(prompt, list) and len(prompt) == 1 and isinstance(prompt[0], str):
            prompt = prompt[0]
        else:
            from .call import input_error

            raise input_error(
                "this provider has no text-completion endpoint: only a single string prompt can be sent "
                "(as one chat message)",
                call.model,
            )
    params = {k: v for k, v in call.params.items() if k not in ("echo", "best_of", "suffix", "logprobs")}
    dropped = [k for k in ("echo", "best_of", "suffix", "logprobs") if k in call.params]
    if drop is None:
        drop = call.ctl.drop_params
    if dropped and not drop:
        from ..exceptions import UnsupportedParamsError

        raise UnsupportedParamsError(
            message=f"{dropped} need a text-completion endpoint, which this provider does not have; "
            "set drop_params=True to send the prompt as a chat message without them",
            model=call.model,
        )
    if dropped and hasattr(drop, "note"):
        drop.note(f"dropped {dropped}: they need a text-completion endpoint; the prompt was sent as a chat message")
    return ChatCall(
        call.model,
        [{"role": "user", "content": prompt}],
        call.stream,
        params,
        dict(call.extra),
        dataclasses.replace(call.ctl),
    )


def text_from_chat(response: Any) -> TextCompletionResponse:
    from ..types.utils import TextCompletionResponse

    out = TextCompletionResponse(
        id=response.id,
        created=response.created,
        model=response.model,
        choices=[
            {"index": c.index, "text": c.message.content or "", "finish_reason": c.finish_reason}
            for c in response.choices
        ],
        usage=response.usage.model_dump() if response.usage is not None else None,
    )
    out._hidden_params.update(response._hidden_params)
    return out


def _text_chunk(chunk: Any) -> TextCompletionResponse:
    from ..types.utils import TextCompletionResponse

    data = {
        "id": chunk.id,
        "created": chunk.created,
        "model": chunk.model,
        "object": "text_completion",
        "choices": [
            {
                "index": c.index,
                "text": (c.delta.content if c.delta is not None else None) or "",
                "finish_reason": c.finish_reason,
            }
            for c in chunk.choices
        ],
    }
    usage = getattr(chunk, "usage", None)
    if usage is not None:
        data["usage"] = usage.model_dump()
    return TextCompletionResponse(stream=True, **data)


class TextFromChatDecoder:
    """Wraps a provider's chat stream decoder; yields text-completion chunks."""

    __slots__ = ("_inner",)

    def __init__(self, inner: ChunkDecoder[Any]):
        self._inner = inner

    def feed(self, data: bytes) -> list[TextCompletionResponse]:
        return [_text_chunk(c) for c in self._inner.feed(data)]

    def finish(self) -> list[TextCompletionResponse]:
        return [_text_chunk(c) for c in self._inner.finish()]


def mock_text(call: TextCall) -> TextCompletionResponse | CustomStreamWrapper[TextCompletionResponse]:
    from ..types.utils import TextCompletionResponse
    from .mock import _provider_of, _raise_mock, _rough_tokens
    from .streaming import CustomStreamWrapper

    mock = call.ctl.mock_response
    provider = _provider_of(call)
    _raise_mock(mock, call, provider)
    if isinstance(mock, TextCompletionResponse):
        response = mock
    else:
        text = str(mock)
        prompt = _rough_tokens(call.prompt) if isinstance(call.prompt, str) else 0
        completion = _rough_tokens(text)
        response = TextCompletionResponse(
            id="cmpl-" + uuid.uuid4().hex,
            created=int(time.time()),
            model=call.model,
            choices=[{"index": 0, "text": text, "finish_reason": "stop"}],
            usage={"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
        )
    response._hidden_params.update({"custom_llm_provider": provider, "model": call.model, "mock_response": True})
    if not call.stream:
        return response
    return CustomStreamWrapper(
        completion_stream=text_chunks(response),
        model=call.model,
        custom_llm_provider=provider,
        hidden_params={"custom_llm_provider": provider, "mock_response": True},
    )


def text_chunks(response: Any, include_usage: bool = False) -> list[TextCompletionResponse]:
    """A whole text completion as the chunks a provider would stream (mocks, cache replays); with
    ``include_usage`` (``stream_options``), a last chunk carries the usage, as a live stream's does."""
    from ..types.utils import TextCompletionResponse

    base = {"id": response.id, "created": response.created, "model": response.model, "object": "text_completion"}
    chunks = []
    for choice in response.choices:
        text = choice.text or ""
        for start in range(0, len(text), 8):
            chunks.append(
                TextCompletionResponse(
                    stream=True,
                    **base,
                    choices=[{"index": choice.index, "text": text[start : start + 8], "finish_reason": None}],
                )
            )
        chunks.append(
            TextCompletionResponse(
                stream=True,
                **base,
                choices=[{"index": choice.index, "text": "", "finish_reason": choice.finish_reason or "stop"}],
            )
        )
    if include_usage and response.usage is not None:
        chunks.append(
            TextCompletionResponse(
                stream=True,
                **base,
                usage=response.usage.model_dump(),
                choices=[{"index": 0, "text": "", "finish_reason": None}],
            )
        )
    return chunks
