"""Every pass-through and audio request checked against OpenAI's published API description.

``fixtures/openai/platform_api.json`` holds, for each path litegate calls, the methods, query and
path parameters and request-body properties read from the reference openapi.json (OpenAI's
API specification); the requests litegate builds must use only what it declares."""

from __future__ import annotations

import json
from pathlib import Path

import litegate
from litegate.core.audio import SPEECH_FORMATS, TRANSCRIPTION_FORMATS
from litegate.core.platform import OPS

FACTS = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "openai" / "platform_api.json").read_text())


def test_every_op_is_a_documented_operation():
    for op in OPS.values():
        spec = FACTS[f"/{op.path}"].get(op.method)
        assert spec is not None, (op.name, op.method, op.path)
        assert set(op.ids) == set(spec["path"]), op.name
        assert set(op.query) <= set(spec["query"]), (op.name, set(op.query) - set(spec["query"]))
        if op.method == "POST":
            assert set(spec.get("required", ())) - {"file"} <= set(op.required) | set(op.positional), op.name
            assert set(op.required) <= set(spec.get("body", ())), op.name
            if op.upload:
                assert spec["content_type"] == "multipart/form-data" and op.upload in spec["body"]


def test_positional_parameters_are_documented_fields():
    for op in OPS.values():
        spec = FACTS[f"/{op.path}"][op.method]
        known = set(spec["path"]) | set(spec["query"]) | set(spec.get("body", ())) | {"custom_llm_provider"}
        if op.method == "POST":
            known |= {"metadata"} if "metadata" in spec.get("body", ()) else set()
        assert set(op.positional) <= known, (op.name, set(op.positional) - known)


def test_audio_requests_use_documented_fields(server):
    kw = {"api_base": server.base_url, "api_key": "sk-ref"}
    litegate.transcription(model="whisper-1", file=b"abc", language="en", prompt="p", response_format="verbose_json",
                           temperature=0.1, timestamp_granularities=["word"], **kw)
    sent = {name.removesuffix("[]") for name in server.uploads[-1]["fields"]} | set(server.uploads[-1]["files"])
    spec = FACTS["/audio/transcriptions"]["POST"]
    assert spec["content_type"] == "multipart/form-data" and sent <= set(spec["body"])
    assert set(spec["required"]) <= sent
    litegate.speech(model="tts-1", input="hi", voice="alloy", response_format="wav", speed=1.5, instructions="x",
                    **kw).close()
    spec = FACTS["/audio/speech"]["POST"]
    assert set(server.last_request.json) <= set(spec["body"]) and set(spec["required"]) <= set(server.last_request.json)


def test_response_formats_match_the_openai_sdk():
    from typing import get_args

    from openai.types import AudioResponseFormat
    from openai.types.audio import speech_create_params

    assert TRANSCRIPTION_FORMATS == set(get_args(AudioResponseFormat))
    from typing import get_type_hints

    fmt = get_type_hints(speech_create_params.SpeechCreateParams)["response_format"]
    assert SPEECH_FORMATS == set(get_args(fmt))
    # and the reference spec's speech formats
    assert {"mp3", "opus", "aac", "flac", "wav", "pcm"} == SPEECH_FORMATS
