"""The provider contract: what every translator is, and the helpers they all share (written once).

A provider is a :class:`Dialect` instance made from its :class:`~litegate.providers.spec.ProviderSpec`.
The lifecycle (core/lifecycle.py) talks to it through these methods only:

==============================  ==============================================================
``endpoints``                    endpoint kinds offered (from the spec: declared, never raised)
``text_via_chat``                legacy text completions are sent as one chat message
``prepare(target, cfg, call)``   pure per-call resolution a platform needs (project, region)
``auth(target, call, cfg)``      an :class:`~litegate.core.auth.Auth` run on every attempt, or None
``<kind>_request(call, target, drop)``   pure: the call -> an ``HttpRequest``
``parse_<kind>(resp, call, target)``     pure: a 2xx response -> our response type
``stream_decoder(call, target)`` a :class:`StreamDecoder` for a streamed answer
``error(resp, target)``          an error response -> the right exception
``response_headers(resp)``       the provider headers worth handing on (rate limits, ids)
==============================  ==============================================================

Nothing in a dialect opens a socket, sleeps or retries. :class:`StreamDecoder` is the stream
half: a framer (core/framing.py) cuts the bytes into items, the dialect's ``_convert_into`` turns
items into chunks, and the base owns the rules every stream shares (errors found after some
chunks of one read are raised on the next read, so the output never depends on how bytes were
split; a stream is incomplete when it ends before the dialect says the answer is whole).

Types: a dialect's methods take the :class:`~litegate.core.resolve.Target`, the call of their
endpoint (``ChatCall`` for ``chat_request`` / ``parse_chat``, ``EmbeddingCall`` for embeddings ...)
and the call's :class:`Drop`. ``AnyCall`` (any call kind), ``Chunk`` (what a stream decoder hands
on: ``ModelResponseStream`` or, for legacy text completions, ``TextCompletionResponse``),
``Framer`` and ``HasHeaders`` are names for type checkers only: import them from here under
``if TYPE_CHECKING:``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..core.framing import NDJSONFramer, SSEFramer
from ..core.http import HttpRequest, HttpResponse
from ..core.jsonutil import loads
from ..exceptions import APIConnectionError, APIResponseValidationError, AuthenticationError, UnsupportedParamsError

if TYPE_CHECKING:  # names for annotations only: nothing below is imported when litegate runs
    from collections.abc import Mapping
    from typing import Protocol, TypeAlias

    from ..core.audio import SpeechCall, TranscriptionCall
    from ..core.auth import Auth
    from ..core.call import ChatCall, EmbeddingCall, MediaCall, ProviderCall, RerankCall, TextCall
    from ..core.platform import PlatformCall
    from ..core.resolve import Target
    from ..types.utils import ModelResponseStream, TextCompletionResponse

    #: any validated call a dialect may be handed (each has ``model``, ``params``, ``extra``, ``ctl``)
    AnyCall: TypeAlias = (
        ChatCall
        | TextCall
        | EmbeddingCall
        | MediaCall
        | RerankCall
        | ProviderCall
        | TranscriptionCall
        | SpeechCall
        | PlatformCall
    )
    #: one chunk a :class:`StreamDecoder` hands on: a chat chunk, or a legacy text-completion chunk
    Chunk: TypeAlias = ModelResponseStream | TextCompletionResponse

    class Framer(Protocol):
        """What a :class:`StreamDecoder` reads items from (core/framing.py): bytes in, items out."""

        def feed(self, chunk: bytes) -> list[Any]: ...

        def flush(self) -> list[Any]: ...

    class HasHeaders(Protocol):
        """A response or an open stream: anything with response headers."""

        @property
        def headers(self) -> Mapping[str, str]: ...


# what each endpoint kind is called in messages
ENDPOINT_WHAT = {
    "chat": "chat completions",
    "embedding": "embeddings",
    "text": "text completions",
    "image": "image generation",
    "moderation": "moderation",
    "rerank": "reranking (use a rerank model such as 'cohere/rerank-v3.5')",
    "models": "model listings",
    "transcription": "audio transcription",
    "speech": "text-to-speech",
    "files": "Files API",
    "batches": "Batch API",
    "fine_tuning": "fine-tuning API",
    "assistants": "Assistants API",
}


class Drop:
    """The resolved ``drop_params`` decision of one call, truthy when unsupported parameters are
    dropped; it collects a warning for each one dropped (``_hidden_params["warnings"]``)."""

    __slots__ = ("on", "warnings")

    def __init__(self, on: bool):
        self.on = on
        self.warnings: list[str] = []

    def __bool__(self) -> bool:
        return self.on

    def note(self, message: str) -> None:
        self.warnings.append(message)


def drop_unsupported(
    provider: str,
    params: dict[str, Any],
    unsupported: Iterable[str],
    model: str,
    drop: Drop | bool | None,
    where: str = "",
) -> dict[str, Any]:
    """``params`` without the ``unsupported`` ones when ``drop`` is on; otherwise raise
    ``UnsupportedParamsError`` naming them. Returns ``params`` itself when nothing is unsupported."""
    bad = [p for p in unsupported if p in params]
    if not bad:
        return params
    if not drop:
        raise UnsupportedParamsError(
            message=(
                f"{provider}{where} does not support parameters {bad} for model={model}. "
                f"Set litegate.drop_params=True (or pass drop_params=True) to drop them."
            ),
            model=model,
            llm_provider=provider,
        )
    note = getattr(drop, "note", None)
    if note is not None:
        note(f"dropped {bad}: {provider}{where} does not support them for model={model}")
    return {k: v for k, v in params.items() if k not in bad}


class Dialect:
    """Base of every translator. Subclasses set ``name`` and implement the request builders and
    parsers of the endpoints their spec offers."""

    name = "?"
    endpoints: frozenset[str] = frozenset({"chat"})
    text_via_chat = True  # no native legacy-completions endpoint
    key_hint = "an api_key"
    kept_headers: tuple[str, ...] = ("x-ratelimit-", "retry-after", "x-request-id")

    # ------------------------------------------------------------------ declaration
    def offers(self, kind: str) -> bool:
        return kind in self.endpoints

    def refuse(self, kind: str, model: str) -> Exception:
        from ..core.call import input_error as _fail

        offered = ", ".join(sorted(self.endpoints)) or "none"
        return _fail(
            f"{self.name} offers no {ENDPOINT_WHAT.get(kind, kind)} (model={model!r}; its endpoints: {offered})", model
        )

    # ------------------------------------------------------------------ per-call steps
    def prepare(self, target: Target, cfg: Any = None, call: AnyCall | None = None) -> None:
        """Pure resolution a platform needs before building (project, region); default: nothing."""

    def auth(self, target: Target, call: AnyCall, cfg: Any) -> Auth | None:
        """The auth flow run on every attempt, or None when the built headers are all it takes."""
        return None

    # endpoints not offered: refused with one clear message (the lifecycle checks ``offers`` first)
    def chat_request(self, call: ChatCall, target: Target, drop: Drop) -> HttpRequest:
        raise self.refuse("chat", call.model)

    def embedding_request(self, call: EmbeddingCall, target: Target, drop: Drop) -> HttpRequest:
        raise self.refuse("embedding", call.model)

    def rerank_request(self, call: RerankCall, target: Target, drop: Drop) -> HttpRequest:
        raise self.refuse("rerank", call.model)

    def text_completion_request(self, call: TextCall, target: Target, drop: Drop) -> HttpRequest:
        raise self.refuse("text", call.model)

    def image_generation_request(self, call: MediaCall, target: Target, drop: Drop) -> HttpRequest:
        raise self.refuse("image", call.model)

    def moderation_request(self, call: MediaCall, target: Target, drop: Drop) -> HttpRequest:
        raise self.refuse("moderation", call.model)

    def models_request(self, call: ProviderCall, target: Target, drop: Drop) -> HttpRequest:
        raise self.refuse("models", call.model)

    def transcription_request(self, call: TranscriptionCall, target: Target, drop: Drop) -> HttpRequest:
        raise self.refuse("transcription", call.model)

    def speech_request(self, call: SpeechCall, target: Target, drop: Drop) -> HttpRequest:
        raise self.refuse("speech", call.model)

    def platform_request(self, call: PlatformCall, target: Target, drop: Drop) -> HttpRequest:
        """Files, batches, fine-tuning and assistants (core/platform.py)."""
        raise self.refuse(getattr(getattr(call, "op", None), "kind", "files"), call.model)

    def prefill_text(self, text: str) -> str:
        """Delivered text as this API takes it for an assistant prefill (mid-stream recovery)."""
        return text

    # ------------------------------------------------------------------ shared helpers
    def missing_key(self, target: Target) -> AuthenticationError:
        return AuthenticationError(
            message=f"No API key for {self.name}: pass api_key=..., or set {self.key_hint}",
            llm_provider=self.name,
            model=target.model,
        )

    def invalid(self, message: str, target: Target) -> APIResponseValidationError:
        return APIResponseValidationError(message=f"{self.name} {message}", llm_provider=self.name, model=target.model)

    _invalid = invalid  # the name the translators used before the contract was explicit

    def json_body(self, resp: HttpResponse, target: Target, required: str | None = None) -> dict[str, Any]:
        """The body as a JSON object holding ``required``. An error body sent with a success
        status is raised as the error it is (:meth:`embedded_error`)."""
        try:
            data = loads(resp.content)
        except ValueError:
            raise self.invalid(f"returned a body that is not JSON: {resp.text[:200]!r}", target) from None
        if not isinstance(data, dict):
            raise self.invalid("returned JSON that is not an object", target)
        if required is not None and required not in data:
            err = self.embedded_error(data, resp, target)
            if err is not None:
                raise err
            raise self.invalid(f"response has no {required!r}", target)
        return data

    _json = json_body

    def embedded_error(self, data: dict[str, Any], resp: HttpResponse, target: Target) -> Exception | None:
        """The exception for an error object inside a 2xx body, or None if ``data`` is not one."""
        if "error" in data:
            from ..core.errors import exception_from_response

            return exception_from_response(resp, llm_provider=self.name, model=target.model)
        return None

    def error(self, resp: HttpResponse, target: Target) -> Exception:
        from ..core.errors import exception_from_response

        return exception_from_response(resp, llm_provider=self.name, model=target.model)

    def response_headers(self, resp: HasHeaders) -> dict[str, str]:
        kept = self.kept_headers
        return {k: v for k, v in resp.headers.items() if k.startswith(kept)}

    def supported_openai_params(self, model: str) -> list[str]:
        from ..core.params import OPENAI_CHAT_COMPLETION_PARAMS

        return list(OPENAI_CHAT_COMPLETION_PARAMS)

    # ------------------------------------------------------------------ parameters
    def map_params(self, params: dict[str, Any], model: str, drop: Drop | bool | None) -> dict[str, Any]:
        """OpenAI parameters -> the provider's request fields: the unsupported ones are dropped
        (``drop`` on) or refused, then :meth:`adapt_params` translates the rest."""
        bad = self.unsupported(params, model)
        if bad:
            params = drop_unsupported(self.name, params, bad, model, drop)
        return self.adapt_params(params, model)

    def unsupported(self, params: dict[str, Any], model: str) -> Iterable[str]:
        """The given parameters this provider cannot take for ``model`` (by name or by value)."""
        return ()

    def adapt_params(self, params: dict[str, Any], model: str) -> dict[str, Any]:
        """The supported parameters as the provider's request fields; default: unchanged."""
        return params


def bad_input(message: str, model: str | None) -> Exception:
    """The exception for a request a translator cannot express (raised before any request)."""
    from ..core.call import input_error

    return input_error(message, model)


def content_text(content: Any) -> str:
    """A message content's text: the string, or its text parts joined with spaces (other parts
    and other types give nothing)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return ""


def plain(obj: Any) -> Any:
    """A pydantic object handed back to us (a message, a tool call) -> its dict; anything else as is."""
    dump = getattr(obj, "model_dump", None)
    if dump is not None:
        return dump(exclude_none=True)
    return obj


def tool_arguments(raw: Any, model: str, where: str = "") -> dict[str, Any]:
    """OpenAI's tool-call ``arguments`` (a JSON string, or already an object) -> a dict; empty -> {}.
    Anything else is refused before the request, naming ``where``."""
    if isinstance(raw, dict):
        return raw
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return {}
    at = f"{where}: " if where else ""
    try:
        value = loads(raw)
    except (ValueError, TypeError):
        raise bad_input(f"{at}tool call arguments are not valid JSON ({str(raw)[:80]!r})", model) from None
    if not isinstance(value, dict):
        raise bad_input(f"{at}tool call arguments must be a JSON object, got {str(raw)[:80]!r}", model)
    return value


def max_output_tokens(params: dict[str, Any]) -> Any:
    """The output-token limit the caller gave (``max_completion_tokens`` wins over ``max_tokens``)."""
    value = params.get("max_completion_tokens")
    return params.get("max_tokens") if value is None else value


class StreamDecoder:
    """Bytes of one streamed answer -> chunks. Subclasses set ``framing`` (a framer class), define
    ``_convert_into(items, out)`` and set ``self.done`` once the answer is whole (by default: at
    the dialect's end event; a dialect may relax :meth:`complete`)."""

    __slots__ = ("_frames", "done", "provider", "model", "_error")
    framing: type[Framer] = SSEFramer
    end_marker = "its end marker"

    def __init__(self, provider: str, model: str, framer: Framer | None = None):
        self._frames: Framer = framer if framer is not None else self.framing()
        self.done = False
        self.provider = provider
        self.model = model
        self._error: BaseException | None = None

    def feed(self, data: bytes) -> list[Chunk]:
        if self._error is not None:
            raise self._error
        try:
            items = self._frames.feed(data)
        except APIResponseValidationError as exc:
            raise self._own(exc) from None
        return self._run(items) if items else []

    def finish(self) -> list[Chunk]:
        if self._error is not None:
            raise self._error
        try:
            items = self._frames.flush()
        except APIResponseValidationError as exc:
            raise self._own(exc) from None
        out = self._run(items)
        if self._error is not None:
            raise self._error
        if not self.complete():
            raise self.incomplete()
        return out + self.final()

    def complete(self) -> bool:
        """Whether the answer is whole when the bytes end."""
        return self.done

    def final(self) -> list[Chunk]:
        """Chunks owed at a complete end (e.g. a last chunk carrying usage); none by default."""
        return []

    def incomplete(self) -> Exception:
        return APIConnectionError(
            message=f"{self.provider} stream ended before {self.end_marker}: the answer is incomplete",
            llm_provider=self.provider,
            model=self.model,
        )

    def malformed(self, what: str, raw: str | bytes) -> APIResponseValidationError:
        return APIResponseValidationError(
            message=f"{self.provider} sent a malformed {what}: {raw[:200]!r}",
            llm_provider=self.provider,
            model=self.model,
        )

    def _run(self, items: list[Any]) -> list[Chunk]:
        """Chunks for ``items``; an error met after some chunks of the same read is kept and
        raised by the next call, so the chunks handed out never depend on how bytes were split."""
        out: list[Chunk] = []
        try:
            self._convert_into(items, out)
        except UnicodeDecodeError as exc:  # text that is not UTF-8, met by a dialect: a bad response
            err = self.malformed("stream event (not valid UTF-8)", exc.object[max(0, exc.start - 20) : exc.start + 20])
            if not out:
                raise err from None
            self._error = err
        except Exception as exc:
            if not out:
                raise
            self._error = exc
        return out

    def _own(self, exc: APIResponseValidationError) -> APIResponseValidationError:
        """A framer's error (built without a provider) named after this stream's provider and model."""
        if exc.llm_provider is None:
            exc.llm_provider = self.provider
        if exc.model is None:
            exc.model = self.model
        return exc

    def _convert_into(self, items: list[Any], out: list[Chunk]) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    done_sentinel = False  # whether ``data: [DONE]`` ends the answer (OpenAI) or is ignored

    def event_json(self, data: str) -> dict[str, Any] | None:
        """The JSON object of one SSE payload, or None to skip it: a ``[DONE]`` sentinel ends the
        answer (``done_sentinel``) or is skipped; non-object payloads are skipped; a payload that is
        not JSON raises ``APIResponseValidationError``. Loops stop once ``self.done`` is set."""
        if data == "[DONE]" or data[:1] != "{" and data.strip() == "[DONE]":
            if self.done_sentinel:
                self.done = True
            return None
        try:
            obj = loads(data)
        except ValueError:
            raise self.malformed("stream event", data) from None
        return obj if isinstance(obj, dict) else None


class NDJSONStreamDecoder(StreamDecoder):
    """A :class:`StreamDecoder` over newline-delimited JSON lines."""

    __slots__ = ()
    framing = NDJSONFramer


__all__ = [
    "Dialect",
    "Drop",
    "bad_input",
    "max_output_tokens",
    "plain",
    "tool_arguments",
    "NDJSONStreamDecoder",
    "StreamDecoder",
    "drop_unsupported",
    "ENDPOINT_WHAT",
]
