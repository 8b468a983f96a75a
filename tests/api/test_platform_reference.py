"""Every pass-through and audio request checked against OpenAI's published API description.

``fixtures/openai/platform_api.json`` holds, for each path litegate calls, the methods, query and
path parameters and request-body properties read from the reference openapi.json (OpenAI's
API specification); the requests litegate builds must use only what it declares."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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
    litegate.transcription(
        model="whisper-1",
        file=b"abc",
        language="en",
        prompt="p",
        response_format="verbose_json",
        temperature=0.1,
        timestamp_granularities=["word"],
        **kw,
    )
    sent = {name.removesuffix("[]") for name in server.uploads[-1]["fields"]} | set(server.uploads[-1]["files"])
    spec = FACTS["/audio/transcriptions"]["POST"]
    assert spec["content_type"] == "multipart/form-data" and sent <= set(spec["body"])
    assert set(spec["required"]) <= sent
    litegate.speech(
        model="tts-1", input="hi", voice="alloy", response_format="wav", speed=1.5, instructions="x", **kw
    ).close()
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


def test_uploads_match_the_openai_sdk(server):
    """The openai SDK and litegate send the same form for the same call (parsed by the fake's
    strict multipart reader, which the SDK's httpx-built bodies pass too)."""
    import openai

    sdk = openai.OpenAI(base_url=server.base_url, api_key="sk-ref", max_retries=0)
    audio = ("talk.wav", b"RIFF" + b"\0" * 500, "audio/wav")
    args = dict(
        model="whisper-1",
        language="de",
        prompt="Namen",
        response_format="verbose_json",
        temperature=0.3,
        timestamp_granularities=["word", "segment"],
    )
    sdk.audio.transcriptions.create(file=audio, **args)
    theirs = server.uploads[-1]
    litegate.transcription(file=audio, api_base=server.base_url, api_key="sk-ref", **args)
    ours = server.uploads[-1]
    assert ours["fields"] == theirs["fields"] and ours["files"] == theirs["files"]
    sdk.files.create(file=("batch.jsonl", b'{"a": 1}\n', "application/jsonl"), purpose="batch")
    theirs = server.uploads[-1]
    litegate.create_file(
        file=("batch.jsonl", b'{"a": 1}\n', "application/jsonl"),
        purpose="batch",
        api_base=server.base_url,
        api_key="sk-ref",
    )
    ours = server.uploads[-1]
    assert ours["fields"] == theirs["fields"] and ours["files"] == theirs["files"]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the SDK marks the Assistants API deprecated
def test_json_bodies_match_the_openai_sdk(server):
    import openai

    sdk = openai.OpenAI(base_url=server.base_url, api_key="sk-ref", max_retries=0)
    kw = {"api_base": server.base_url, "api_key": "sk-ref"}
    pairs = [
        (
            lambda: sdk.audio.speech.create(
                model="tts-1", input="hi", voice="alloy", response_format="wav", speed=1.2, instructions="calm"
            ).read(),
            lambda: litegate.speech(
                model="tts-1", input="hi", voice="alloy", response_format="wav", speed=1.2, instructions="calm", **kw
            ).read(),
        ),
        (
            lambda: sdk.beta.assistants.create(
                model="gpt-4o", name="n", instructions="i", tools=[], metadata={"k": "v"}
            ),
            lambda: litegate.create_assistants(
                "openai", "gpt-4o", name="n", instructions="i", tools=[], metadata={"k": "v"}, **kw
            ),
        ),
        (
            lambda: sdk.beta.threads.create(metadata={"u": "1"}),
            lambda: litegate.create_thread(metadata={"u": "1"}, **kw),
        ),
    ]
    for theirs, ours in pairs:
        theirs()
        their_req = server.last_request
        ours()
        our_req = server.last_request
        assert (our_req.method, our_req.path, our_req.json) == (their_req.method, their_req.path, their_req.json)
        assert our_req.headers.get("openai-beta") == their_req.headers.get("openai-beta")
