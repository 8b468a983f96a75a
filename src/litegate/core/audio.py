"""Audio endpoints: ``transcription`` (speech to text) and ``speech`` (text to speech).

Validation (before any request), the requests in OpenAI's wire format (multipart for
transcriptions, JSON for speech; checked against the openai SDK's parameter types) and the
answers. The OpenAI dialect (OpenAI, Azure, the compatible rows that offer audio) calls these.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .call import Controls, _check_model, _controls, input_error
from .http import HttpRequest, HttpResponse
from .multipart import FilePart, MultipartBody, file_part

TRANSCRIPTION_FORMATS = frozenset({"json", "text", "srt", "verbose_json", "vtt", "diarized_json"})
TEXT_FORMATS = frozenset({"text", "srt", "vtt"})
SPEECH_FORMATS = frozenset({"mp3", "opus", "aac", "flac", "wav", "pcm"})
GRANULARITIES = frozenset({"word", "segment"})


@dataclass(slots=True)
class TranscriptionCall:
    model: str
    input: FilePart  # the audio file (streamed from its source on every attempt)
    params: dict[str, Any]  # language, prompt, response_format, temperature, timestamp_granularities
    extra: dict[str, Any]  # other form fields, sent as given
    ctl: Controls = field(default_factory=Controls)
    stream: bool = False


@dataclass(slots=True)
class SpeechCall:
    model: str
    input: str
    params: dict[str, Any]  # voice, response_format, speed, instructions
    extra: dict[str, Any]
    ctl: Controls = field(default_factory=Controls)
    stream: bool = True  # the audio is always read as a stream


def _number(name: str, value: Any, low: float, high: float, model: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise input_error(f"{name} must be a number, got {type(value).__name__}", model, type_error=True)
    if not low <= value <= high:
        raise input_error(f"{name} must be between {low} and {high}, got {value}", model)


def _string(name: str, value: Any, model: str) -> None:
    if not isinstance(value, str):
        raise input_error(f"{name} must be a string, got {type(value).__name__}", model, type_error=True)


def build_transcription_call(model: Any, file: Any, kw: dict[str, Any]) -> TranscriptionCall:
    """Validate ``transcription(model, file, ...)`` before any request."""
    model = _check_model(model)
    ctl = _controls(kw, model)
    params: dict[str, Any] = {}
    for name in ("language", "prompt", "response_format", "temperature", "timestamp_granularities"):
        value = kw.pop(name, None)
        if value is not None:
            params[name] = value
    for name in ("language", "prompt"):
        if name in params:
            _string(name, params[name], model)
    fmt = params.get("response_format")
    if fmt is not None:
        _string("response_format", fmt, model)
        if fmt not in TRANSCRIPTION_FORMATS:
            raise input_error(f"response_format must be one of {sorted(TRANSCRIPTION_FORMATS)}, got {fmt!r}", model)
    if "temperature" in params:
        _number("temperature", params["temperature"], 0.0, 1.0, model)
    grains = params.get("timestamp_granularities")
    if grains is not None:
        if not isinstance(grains, (list, tuple)) or not all(isinstance(g, str) for g in grains):
            raise input_error(
                "timestamp_granularities must be a list such as ['word', 'segment']", model, type_error=True
            )
        bad = [g for g in grains if g not in GRANULARITIES]
        if bad:
            raise input_error(f"timestamp_granularities takes 'word' and 'segment', got {bad}", model)
        if grains and fmt != "verbose_json":
            raise input_error("timestamp_granularities needs response_format='verbose_json'", model)
        params["timestamp_granularities"] = list(grains)
    if file is None and ctl.mock_response is not None:
        part = FilePart("file", "mock", "application/octet-stream", b"", 0)
    else:
        if file is None:
            raise input_error(
                "transcription() needs file= (an open binary file, a path, bytes or a "
                "(filename, bytes, content_type) tuple)",
                model,
            )
        part = file_part("file", file, "file", model)
    extra = {k: v for k, v in kw.items() if v is not None}
    return TranscriptionCall(model, part, params, extra, ctl)


def build_speech_call(model: Any, input: Any, voice: Any, kw: dict[str, Any]) -> SpeechCall:
    """Validate ``speech(model, input, voice, ...)`` before any request."""
    model = _check_model(model)
    ctl = _controls(kw, model)
    if not isinstance(input, str) or not input.strip():
        raise input_error(
            f"input must be a non-empty string, got {input!r:.60}", model, type_error=not isinstance(input, str)
        )
    params: dict[str, Any] = {}
    if voice is None:
        if ctl.mock_response is None:
            raise input_error("speech() needs voice= (e.g. 'alloy')", model)
    elif isinstance(voice, str):
        if not voice.strip():
            raise input_error("voice must not be empty", model)
        params["voice"] = voice
    elif isinstance(voice, dict) and isinstance(voice.get("id"), str):
        params["voice"] = voice  # a custom voice object {"id": ...}
    else:
        raise input_error(
            f"voice must be a voice name such as 'alloy', got {type(voice).__name__}", model, type_error=True
        )
    for name in ("response_format", "speed", "instructions"):
        value = kw.pop(name, None)
        if value is not None:
            params[name] = value
    fmt = params.get("response_format")
    if fmt is not None:
        _string("response_format", fmt, model)
        if fmt not in SPEECH_FORMATS:
            raise input_error(f"response_format must be one of {sorted(SPEECH_FORMATS)}, got {fmt!r}", model)
    if "speed" in params:
        _number("speed", params["speed"], 0.25, 4.0, model)
    if "instructions" in params:
        _string("instructions", params["instructions"], model)
    extra = {k: v for k, v in kw.items() if v is not None}
    return SpeechCall(model, input, params, extra, ctl)


# ------------------------------------------------------------------------------ wire format
def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def form_fields(values: dict[str, Any]) -> list[tuple[str, str]]:
    """Form fields as the openai SDK sends them: lists as repeated ``name[]`` fields."""
    out: list[tuple[str, str]] = []
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            out.extend((f"{name}[]", _form_value(v)) for v in value)
        else:
            out.append((name, _form_value(value)))
    return out


def transcription_request(dialect: Any, call: TranscriptionCall, target: Any) -> HttpRequest:
    fields = form_fields({"model": target.model, **call.params, **call.extra})
    body = MultipartBody(fields, [call.input])
    return HttpRequest(
        "POST",
        dialect.url(target, "audio/transcriptions"),
        dialect.auth_headers(target),
        params=dialect.query(target),
        body=body,
    )


def speech_request(dialect: Any, call: SpeechCall, target: Any) -> HttpRequest:
    body = {"model": target.model, "input": call.input, **call.params, **call.extra}
    return HttpRequest(
        "POST", dialect.url(target, "audio/speech"), dialect.auth_headers(target), body, params=dialect.query(target)
    )


def parse_transcription(dialect: Any, resp: HttpResponse, call: TranscriptionCall, target: Any) -> Any:
    from ..types.audio import TranscriptionResponse, TranscriptionText

    fmt = call.params.get("response_format") or "json"
    ctype = (resp.headers.get("content-type") or "").lower()
    if fmt in TEXT_FORMATS and "json" not in ctype:
        try:
            out: Any = TranscriptionText(resp.content.decode("utf-8"))
        except UnicodeDecodeError:
            raise dialect.invalid("the transcript is not UTF-8 text", target) from None
    else:
        out = TranscriptionResponse(**dialect.json_body(resp, target, "text"))
    if out.__class__ is TranscriptionText or (out.duration is None and not out.usage):
        seconds = audio_seconds(call.input, out if out.__class__ is TranscriptionText else "")
        if seconds is not None:  # what the per-second price needs when the answer does not say
            out._hidden_params["audio_transcription_duration"] = seconds
    return out


_CUE_END = None


def audio_seconds(part: FilePart, subtitles: str) -> float | None:
    """The audio's length when the answer does not state it: the end of the last SRT/VTT cue, or
    a WAV file's header (data size / byte rate). None when neither tells."""
    global _CUE_END
    if subtitles:
        import re

        if _CUE_END is None:
            _CUE_END = re.compile(r"-->\s*(?:(\d+):)?(\d{1,2}):(\d{2})[,.](\d{3})")
        ends = _CUE_END.findall(subtitles[-4096:])
        if ends:
            h, m, sec, ms = ends[-1]
            return int(h or 0) * 3600 + int(m) * 60 + int(sec) + int(ms) / 1000
    try:
        head = part.head(4096)
    except OSError:
        return None
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    pos, byte_rate, data = 12, None, None
    while pos + 8 <= len(head):
        cid, size = head[pos : pos + 4], int.from_bytes(head[pos + 4 : pos + 8], "little")
        if cid == b"fmt " and pos + 20 <= len(head):
            byte_rate = int.from_bytes(head[pos + 16 : pos + 20], "little")
        elif cid == b"data":
            data = min(size, part.size - pos - 8)
            break
        pos += 8 + size + (size & 1)
    if not byte_rate or data is None:
        return None
    return max(data, 0) / byte_rate


def speech_response(dialect: Any, http_stream: Any, plan: Any) -> Any:
    from ..types.audio import HttpxBinaryResponseContent

    return HttpxBinaryResponseContent(
        stream=http_stream,
        status_code=http_stream.status_code,
        headers=http_stream.headers,
        url=getattr(http_stream, "url", ""),
    )


def speech_cost(plan: Any) -> float | None:
    """Cost of a speech call: per input character (tts-1) or per token, from the registry."""
    from ..cost.calculator import completion_cost

    ctl = plan.call.ctl
    try:
        return completion_cost(
            model=plan.target.model,
            call_type="speech",
            input_text=plan.call.input,
            custom_llm_provider=plan.provider.name,
            custom_cost_per_token=ctl.custom_cost_per_token,
            custom_cost_per_second=ctl.custom_cost_per_second,
        )
    except Exception as exc:  # noqa: BLE001 - an unknown price is None, logged, never a silent 0
        from .log import log

        log.warning(
            "litegate: cost of speech model %r is unknown (response_cost is None): %s",
            plan.target.model,
            str(exc)[:200],
        )
        return None


# ------------------------------------------------------------------------------ mocks
def mock_transcription(call: TranscriptionCall) -> Any:
    from ..types.audio import TranscriptionResponse, TranscriptionText
    from .mock import _provider_of, _raise_mock

    mock = call.ctl.mock_response
    provider = _provider_of(call)
    _raise_mock(mock, call, provider)
    if isinstance(mock, (TranscriptionResponse, TranscriptionText)):
        out = mock
    elif isinstance(mock, dict):
        out = TranscriptionResponse(**mock)
    elif (call.params.get("response_format") or "json") in TEXT_FORMATS:
        out = TranscriptionText(str(mock))
    else:
        out = TranscriptionResponse(text=str(mock))
    out._hidden_params.update({"custom_llm_provider": provider, "model": call.model, "mock_response": True})
    return out


def mock_speech(call: SpeechCall) -> Any:
    from .mock import _provider_of, _raise_mock

    mock = call.ctl.mock_response
    provider = _provider_of(call)
    _raise_mock(mock, call, provider)
    out = binary_mock(mock, "audio/mpeg")
    out._hidden_params.update({"custom_llm_provider": provider, "model": call.model, "mock_response": True})
    return out


def binary_mock(mock: Any, content_type: str) -> Any:
    """A binary answer for ``mock_response`` (bytes, text, or an answer object as it is)."""
    from ..types.audio import HttpxBinaryResponseContent

    if isinstance(mock, HttpxBinaryResponseContent):
        return mock
    data = mock if isinstance(mock, (bytes, bytearray)) else str(mock).encode("utf-8")
    return HttpxBinaryResponseContent(content=bytes(data), headers={"content-type": content_type})


__all__ = ["SpeechCall", "TranscriptionCall", "build_speech_call", "build_transcription_call"]
