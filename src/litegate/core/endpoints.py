"""The endpoint table: one row per public endpoint, read by everything that differs per endpoint.

A row says how the public function binds its positional arguments, which validator turns the
arguments into a call (core/call.py), which dialect methods build the request and parse the
answer, what the cost and callback layers call it, whether it streams, and how a
``mock_response`` is answered. ``Client`` methods (and so the module-level functions) are
generated from it, and the lifecycle (core/lifecycle.py) takes a row instead of switching on
names. Adding an endpoint = a validator, a row, and the dialect methods of the providers that
offer it.

``needs_model=False`` rows are provider-addressed (files, batches, fine-tuning, assistants): no
model string; the provider comes from ``custom_llm_provider`` (default ``"openai"``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import call as _c

if TYPE_CHECKING:
    from .audio import SpeechCall, TranscriptionCall


@dataclass(frozen=True, slots=True)
class Endpoint:
    kind: str  # the dialect's endpoint kind (ProviderSpec.endpoints)
    name: str  # the public function, e.g. "completion"; its async twin is "a" + name
    positional: tuple[str, ...]  # the public function's positional parameters, in order
    validate: Callable[..., Any]  # (*positional values, kwargs) -> a validated call
    request: str  # dialect method building the request
    parse: str  # dialect method parsing a 2xx answer
    call_type: str  # what cost and callbacks call it
    mock: Callable[[Any], Any]  # answers a call that has mock_response
    streams: bool = False
    needs_model: bool = True
    priced: bool = True  # the answer has a price in the model registry
    public: bool = True  # a Client method of this name is generated
    # the dialect method turning an opened HTTP stream into the answer (binary bodies, event
    # streams) instead of a chunk decoder; such an answer is settled like a response
    wrap: str | None = None


def _mock_chat(call: Any) -> Any:
    from .mock import mock_chat

    return mock_chat(call)


def _mock_embedding(call: Any) -> Any:
    from .mock import mock_embedding

    return mock_embedding(call)


def _mock_text(call: Any) -> Any:
    from .textcompat import mock_text

    return mock_text(call)


def _mock_image(call: Any) -> Any:
    from .mock import mock_media

    return mock_media(call, "image")


def _mock_moderation(call: Any) -> Any:
    from .mock import mock_media

    return mock_media(call, "moderation")


def _mock_rerank(call: Any) -> Any:
    from .mock import mock_rerank

    return mock_rerank(call)


CHAT = Endpoint(
    "chat",
    "completion",
    ("model", "messages"),
    _c.build_chat_call,
    "chat_request",
    "parse_chat",
    "completion",
    _mock_chat,
    streams=True,
)
EMBEDDING = Endpoint(
    "embedding",
    "embedding",
    ("model", "input"),
    _c.build_embedding_call,
    "embedding_request",
    "parse_embedding",
    "embedding",
    _mock_embedding,
)
TEXT = Endpoint(
    "text",
    "text_completion",
    ("model", "prompt"),
    _c.build_text_call,
    "text_completion_request",
    "parse_text_completion",
    "text_completion",
    _mock_text,
    streams=True,
)
IMAGE = Endpoint(
    "image",
    "image_generation",
    ("prompt", "model"),
    lambda prompt, model, kw: _c.build_image_call(model, prompt, kw),
    "image_generation_request",
    "parse_image_generation",
    "image_generation",
    _mock_image,
)
MODERATION = Endpoint(
    "moderation",
    "moderation",
    ("input", "model"),
    lambda input, model, kw: _c.build_moderation_call(model, input, kw),
    "moderation_request",
    "parse_moderation",
    "moderation",
    _mock_moderation,
)
RERANK = Endpoint(
    "rerank",
    "rerank",
    ("model", "query", "documents"),
    _c.build_rerank_call,
    "rerank_request",
    "parse_rerank",
    "rerank",
    _mock_rerank,
)


def _mock_models(call: Any) -> Any:
    from ..types.models import ModelList

    return ModelList(data=[{"id": str(call.ctl.mock_response), "object": "model"}])


# provider-addressed: the models a provider serves (get_valid_models(check_provider_endpoint=True))
MODELS = Endpoint(
    "models",
    "list_provider_models",
    ("custom_llm_provider",),
    _c.build_provider_call,
    "models_request",
    "parse_models",
    "list_models",
    _mock_models,
    needs_model=False,
    priced=False,
    public=False,
)


def _mock_transcription(call: Any) -> Any:
    from .audio import mock_transcription

    return mock_transcription(call)


def _mock_speech(call: Any) -> Any:
    from .audio import mock_speech

    return mock_speech(call)


def _validate_transcription(model: Any, file: Any, kw: dict[str, Any]) -> TranscriptionCall:
    from .audio import build_transcription_call

    return build_transcription_call(model, file, kw)


def _validate_speech(model: Any, input: Any, voice: Any, kw: dict[str, Any]) -> SpeechCall:
    from .audio import build_speech_call

    return build_speech_call(model, input, voice, kw)


TRANSCRIPTION = Endpoint(
    "transcription",
    "transcription",
    ("model", "file"),
    _validate_transcription,
    "transcription_request",
    "parse_transcription",
    "transcription",
    _mock_transcription,
)
SPEECH = Endpoint(
    "speech",
    "speech",
    ("model", "input", "voice"),
    _validate_speech,
    "speech_request",
    "",
    "speech",
    _mock_speech,
    streams=True,
    wrap="speech_response",
)

ENDPOINTS: dict[str, Endpoint] = {
    ep.name: ep for ep in (CHAT, EMBEDDING, TEXT, IMAGE, MODERATION, RERANK, MODELS, TRANSCRIPTION, SPEECH)
}
BY_KIND: dict[str, Endpoint] = {ep.kind: ep for ep in ENDPOINTS.values()}

# files, batches, fine-tuning and assistants: one provider-addressed row per function (core/platform.py)
from .platform import platform_endpoints  # noqa: E402

ENDPOINTS.update((ep.name, ep) for ep in platform_endpoints(Endpoint))


def bind(ep: Endpoint, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Validate one call of ``ep`` given as the public function's ``*args, **kwargs``."""
    names = ep.positional
    if len(args) > len(names):
        raise TypeError(f"{ep.name}() takes at most {len(names)} positional arguments ({len(args)} given)")
    values = list(args)
    for name in names[len(args) :]:
        values.append(kwargs.pop(name, None))
    for name in names[: len(args)]:
        if name in kwargs:
            raise TypeError(f"{ep.name}() got multiple values for argument {name!r}")
    return ep.validate(*values, kwargs)


__all__ = ["BY_KIND", "ENDPOINTS", "Endpoint", "bind"]
