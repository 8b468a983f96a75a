"""``mock_response``: answer a call without the network (a string, a response, or an exception)."""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING, Any

from .call import ChatCall, EmbeddingCall

if TYPE_CHECKING:
    from ..types.chat import ModelResponse, ModelResponseStream
    from ..types.embedding import EmbeddingResponse
    from ..types.media import ImageResponse, ModerationResponse
    from ..types.rerank import RerankResponse
    from .call import MediaCall, RerankCall
    from .streaming import CustomStreamWrapper


def _provider_of(call: Any) -> str:
    from .resolve import split_model

    try:
        return split_model(call.model, call.ctl.custom_llm_provider, None)[0]
    except Exception:  # noqa: BLE001 - a mock needs no real provider
        return call.ctl.custom_llm_provider or "openai"


def _raise_mock(mock: Any, call: Any, provider: str) -> None:
    if isinstance(mock, type) and issubclass(mock, BaseException):
        mock = mock("mock_response exception")
    if isinstance(mock, BaseException):
        if getattr(mock, "llm_provider", "x") in (None, ""):
            mock.llm_provider = provider  # type: ignore[attr-defined]  # a litegate error's field (seen above)
        if getattr(mock, "model", "x") in (None, ""):
            mock.model = call.model  # type: ignore[attr-defined]  # a litegate error's field (seen above)
        raise mock


def _rough_tokens(text: str) -> int:
    return max(1, len(text) // 4) if text else 0


def mock_chat(call: ChatCall) -> ModelResponse | CustomStreamWrapper[ModelResponseStream]:
    from ..types.utils import ModelResponse

    mock = call.ctl.mock_response
    provider = _provider_of(call)
    _raise_mock(mock, call, provider)
    if isinstance(mock, ModelResponse):
        response = mock
    elif isinstance(mock, dict):
        response = ModelResponse(**mock)
    else:
        text = str(mock)
        prompt = sum(_rough_tokens(m["content"]) for m in call.messages if isinstance(m.get("content"), str))
        completion = _rough_tokens(text)
        response = ModelResponse(
            id="chatcmpl-" + uuid.uuid4().hex,
            created=int(time.time()),
            model=call.model,
            object="chat.completion",
            choices=[{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}],
            usage={"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
        )
    response._hidden_params.update({"custom_llm_provider": provider, "model": call.model, "mock_response": True})
    if call.stream:
        return _as_stream(response, call, provider)
    return response


def _as_stream(response: Any, call: ChatCall, provider: str) -> CustomStreamWrapper[ModelResponseStream]:
    from .streaming import CustomStreamWrapper

    options = call.params.get("stream_options") or {}
    return CustomStreamWrapper(
        completion_stream=chat_chunks(response, bool(options.get("include_usage"))),
        model=call.model,
        custom_llm_provider=provider,
        hidden_params={"custom_llm_provider": provider, "mock_response": True},
    )


def chat_chunks(response: Any, include_usage: bool) -> list[ModelResponseStream]:
    """A whole chat response as the chunks a provider would stream (mocks, cache replays)."""
    from ..types.utils import ModelResponse

    base = {"id": response.id, "created": response.created, "model": response.model, "object": "chat.completion.chunk"}
    chunks: list[Any] = []  # ModelResponse(stream=True, ...) makes a ModelResponseStream
    for choice in response.choices:
        msg = choice.message
        idx = choice.index
        chunks.append(
            ModelResponse(
                stream=True,
                **base,
                choices=[{"index": idx, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}],
            )
        )
        text = msg.content or ""
        for start in range(0, len(text), 8):  # several small pieces, as a provider would send
            chunks.append(
                ModelResponse(
                    stream=True,
                    **base,
                    choices=[{"index": idx, "delta": {"content": text[start : start + 8]}, "finish_reason": None}],
                )
            )
        for n, tc in enumerate(msg.tool_calls or []):
            chunks.append(
                ModelResponse(
                    stream=True,
                    **base,
                    choices=[
                        {
                            "index": idx,
                            "finish_reason": None,
                            "delta": {
                                "tool_calls": [
                                    {
                                        "index": n,
                                        "id": tc.id,
                                        "type": "function",
                                        "function": {"name": tc.function.name, "arguments": tc.function.arguments},
                                    }
                                ]
                            },
                        }
                    ],
                )
            )
        chunks.append(
            ModelResponse(
                stream=True,
                **base,
                choices=[{"index": idx, "delta": {}, "finish_reason": choice.finish_reason or "stop"}],
            )
        )
    if include_usage and response.usage is not None:
        chunks.append(
            ModelResponse(
                stream=True,
                **base,
                usage=response.usage.model_dump(),
                choices=[{"index": 0, "delta": {}, "finish_reason": None}],
            )
        )
    return chunks


def mock_embedding(call: EmbeddingCall) -> EmbeddingResponse:
    from ..types.utils import EmbeddingResponse

    mock = call.ctl.mock_response
    provider = _provider_of(call)
    _raise_mock(mock, call, provider)
    if isinstance(mock, EmbeddingResponse):
        return mock
    inputs = (
        call.input if isinstance(call.input, list) and call.input and isinstance(call.input[0], str) else [call.input]
    )
    vector = mock if isinstance(mock, list) else [0.0] * int(call.params.get("dimensions", 8))
    tokens = sum(_rough_tokens(t) for t in inputs if isinstance(t, str))
    response = EmbeddingResponse(
        model=call.model,
        data=[{"object": "embedding", "index": i, "embedding": list(vector)} for i in range(len(inputs))],
        usage={"prompt_tokens": tokens, "total_tokens": tokens, "completion_tokens": 0},
    )
    response._hidden_params.update({"custom_llm_provider": provider, "model": call.model, "mock_response": True})
    return response


def mock_rerank(call: RerankCall) -> RerankResponse:
    """A deterministic ranking: input order, scores 1, 1/2, 1/3 ... (or the given response/dict)."""
    from ..types.rerank import RerankResponse

    mock = call.ctl.mock_response
    provider = _provider_of(call)
    _raise_mock(mock, call, provider)
    if isinstance(mock, RerankResponse):
        return mock
    if isinstance(mock, dict):
        return RerankResponse(**mock)
    keep = call.params.get("return_documents", True)
    top_n = call.params.get("top_n") or len(call.documents)
    results: list[Any] = []  # dicts, validated into RerankResult objects by the response model
    for i, doc in enumerate(call.documents[:top_n]):
        document = (doc if isinstance(doc, dict) else {"text": doc}) if keep else None
        results.append({"index": i, "relevance_score": 1.0 / (i + 1), "document": document})
    response = RerankResponse(results=results, meta={"billed_units": {"search_units": 1}})
    response._hidden_params.update({"custom_llm_provider": provider, "model": call.model, "mock_response": True})
    return response


def mock_media(call: MediaCall, kind: str) -> ImageResponse | ModerationResponse:
    """image_generation: the mock string is the image URL; moderation: an unflagged result."""
    from ..types.media import ImageResponse, ModerationResponse

    mock = call.ctl.mock_response
    provider = _provider_of(call)
    _raise_mock(mock, call, provider)
    cls = ImageResponse if kind == "image" else ModerationResponse
    if isinstance(mock, cls):
        response = mock
    elif isinstance(mock, dict):
        response = cls(**mock)
    elif kind == "image":
        images: list[Any] = [{"url": str(mock)} for _ in range(call.params.get("n", 1))]  # validated by the model
        response = ImageResponse(data=images)
    else:
        inputs = call.input if isinstance(call.input, list) else [call.input]
        results: list[Any] = [{"flagged": False} for _ in inputs]  # validated by the model
        response = ModerationResponse(model=call.model, results=results)
    response._hidden_params.update({"custom_llm_provider": provider, "model": call.model, "mock_response": True})
    return response
