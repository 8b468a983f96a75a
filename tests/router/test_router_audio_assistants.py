"""Audio (transcription, speech) and the Assistants API through the Router, against fake OpenAI
servers on real sockets: the call's model group picks the deployment (its key and server), the
answer says which one in ``_hidden_params``, a failing deployment is retried on another one, and a
run is routed by its assistant's model (spec "Router and Assistants API")."""

from __future__ import annotations

import hashlib

import pytest
from _router_helpers import KEY

import litegate
from litegate.router import Router
from litegate.types.audio import HttpxBinaryResponseContent

AUDIO = bytes(range(256)) * 64  # 16 KiB of "audio"
TRANSCRIBE = "/audio/transcriptions"


def _dep(group, server, id, model, key=KEY):
    return {
        "model_name": group,
        "litellm_params": {"model": model, "api_key": key, "api_base": server.base_url},
        "model_info": {"id": id},
    }


def _bearer(server):
    return server.last_request.headers["authorization"]


# ------------------------------------------------------------------------------ transcription
def test_transcription_spreads_over_the_group_and_labels_the_answer(servers, tmp_path):
    a, b = servers[:2]
    wav = tmp_path / "meeting.wav"
    wav.write_bytes(AUDIO)
    router = Router(
        model_list=[_dep("whisper", a, "w-a", "openai/whisper-1"), _dep("whisper", b, "w-b", "openai/whisper-1")]
    )
    seen = set()
    for _ in range(40):  # the shuffle picks both within 40 calls but for a 2**-39 chance
        with open(wav, "rb") as fh:
            resp = router.transcription(model="whisper", file=fh)
        assert resp.text
        hidden = resp._hidden_params
        assert hidden["model_group"] == "whisper" and hidden["attempts"] == 1
        srv = a if hidden["model_id"] == "w-a" else b
        assert hidden["api_base"] == srv.base_url and hidden["deployment"]["model_info"]["id"] == hidden["model_id"]
        up = srv.uploads[-1]
        assert up["fields"]["model"] == ["whisper-1"]  # the provider prefix is not sent
        assert up["files"]["file"]["sha256"] == hashlib.sha256(AUDIO).hexdigest()
        seen.add(hidden["model_id"])
    assert seen == {"w-a", "w-b"}
    assert a.hits(TRANSCRIBE) + b.hits(TRANSCRIBE) == 40


def test_transcription_fails_over_to_another_deployment(servers):
    a, b = servers[:2]
    router = Router(
        model_list=[_dep("whisper", a, "w-a", "openai/whisper-1"), _dep("whisper", b, "w-b", "openai/whisper-1")],
        num_retries=1,
    )
    a.enqueue_error(500, count=50)
    b.enqueue_error(500, count=50)
    with pytest.raises(litegate.InternalServerError):
        router.transcription(model="whisper", file=AUDIO)
    assert a.hits(TRANSCRIBE) == 1 and b.hits(TRANSCRIBE) == 1  # one attempt on each, no more


async def test_atranscription_retries_on_the_other_deployment(servers):
    a, b = servers[:2]
    router = Router(
        model_list=[_dep("whisper", a, "w-a", "openai/whisper-1"), _dep("whisper", b, "w-b", "openai/whisper-1")],
        num_retries=1,
    )
    a.enqueue_error(429, count=20)
    answers = [await router.atranscription(model="whisper", file=("call.mp3", AUDIO, "audio/mpeg")) for _ in range(4)]
    for resp in answers:
        assert resp.text and resp._hidden_params["model_id"] == "w-b"  # a is refused, then cooled down
    assert b.hits(TRANSCRIBE) == 4 and b.uploads[-1]["files"]["file"]["filename"] == "call.mp3"


# ------------------------------------------------------------------------------ speech
def test_speech_routes_by_group_sync_and_stream_to_file(servers, tmp_path):
    a, b = servers[:2]
    a.speech_bytes = b.speech_bytes = 20_000
    router = Router(
        model_list=[
            _dep("voice", a, "tts-a", "openai/tts-1", key="sk-voice-a-000000"),
            _dep("voice", b, "tts-b", "openai/tts-1", key="sk-voice-b-000000"),
        ]
    )
    used = set()
    for i in range(40):  # both deployments get picked (2 ** -39 chance they do not)
        resp = router.speech(model="voice", input="Hello from the router.", voice="alloy")
        assert isinstance(resp, HttpxBinaryResponseContent)
        out = tmp_path / f"s{i}.mp3"
        resp.stream_to_file(out)
        assert out.stat().st_size == 20_000
        hidden = resp._hidden_params
        srv = a if hidden["model_id"] == "tts-a" else b
        assert hidden["model_group"] == "voice" and hidden["api_base"] == srv.base_url
        body = srv.last_request.json
        assert body == {"model": "tts-1", "input": "Hello from the router.", "voice": "alloy"}
        assert _bearer(srv) == "Bearer sk-voice-" + hidden["model_id"][-1] + "-000000"
        used.add(hidden["model_id"])
    assert used == {"tts-a", "tts-b"}


async def test_aspeech_and_bad_input_before_any_request(servers):
    a = servers[0]
    a.speech_bytes = 5000
    router = Router(model_list=[_dep("voice", a, "tts-a", "openai/tts-1")])
    resp = await router.aspeech(model="voice", input="async words", voice="nova", response_format="wav")
    assert len(resp.read()) == 5000 and resp._hidden_params["model_id"] == "tts-a"
    assert a.last_request.json["response_format"] == "wav"
    with pytest.raises(litegate.BadRequestError):
        await router.aspeech(model="voice", input="", voice="nova")
    with pytest.raises(litegate.BadRequestError, match="no deployment of this Router serves"):
        router.speech(model="nope", input="x", voice="nova")
    assert a.hits("/audio/speech") == 1


# ------------------------------------------------------------------------------ assistants
def _assistant_router(a, b):
    """Two deployments of 'gpt-4-turbo' on the same account (server a), with different keys, and
    a group 'my-routed-group' on another server."""
    return Router(
        model_list=[
            _dep("gpt-4-turbo", a, "turbo-1", "openai/gpt-4-turbo", key="sk-turbo-one-0000"),
            _dep("gpt-4-turbo", a, "turbo-2", "openai/gpt-4-turbo", key="sk-turbo-two-0000"),
            _dep("my-routed-group", b, "routed", "openai/gpt-4o-mini", key="sk-routed-0000000"),
        ]
    )


def test_spec_flow_run_is_routed_by_the_assistants_model(servers):
    a, b = servers[:2]
    router = _assistant_router(a, b)
    # 1. the assistant: created through the Router, by group
    asst = router.create_assistants(model="gpt-4-turbo", name="Math Tutor", instructions="Be brief.")
    assert a.last_request.json["model"] == "gpt-4-turbo"
    assert asst._hidden_params["model_group"] == "gpt-4-turbo"
    # 2. thread and message, no model: the first deployment's credentials
    thread = router.create_thread()
    assert _bearer(a) == "Bearer sk-turbo-one-0000"
    router.add_message(thread_id=thread.id, role="user", content="What is 2+2?")
    # 3. a run: the assistant's model ('gpt-4-turbo') names the group; the strategy picks the key
    keys = set()
    for _ in range(40):  # both keys get picked (2 ** -39 chance they do not)
        run = router.create_run(thread_id=thread.id, assistant_id=asst.id)
        assert run.status == "completed"
        hidden = run._hidden_params
        assert hidden["model_group"] == "gpt-4-turbo" and hidden["model_id"] in ("turbo-1", "turbo-2")
        req = a.last_request
        assert req.path.endswith(f"/threads/{thread.id}/runs") and req.json["model"] == "gpt-4-turbo"
        assert (
            req.headers["authorization"]
            == {"turbo-1": "Bearer sk-turbo-one-0000", "turbo-2": "Bearer sk-turbo-two-0000"}[hidden["model_id"]]
        )
        keys.add(hidden["model_id"])
    assert keys == {"turbo-1", "turbo-2"}
    assert a.hits(f"/assistants/{asst.id}") == 1  # the assistant's model was read once
    messages = router.get_messages(thread_id=thread.id)
    assert messages.data[0].role == "assistant"
    # the optional override: the run goes to the named group's deployment (its server and model)
    a2 = litegate.create_assistants("openai", "gpt-4o-mini", api_base=b.base_url, api_key="sk-routed-0000000")
    t2 = litegate.create_thread(api_base=b.base_url, api_key="sk-routed-0000000")
    litegate.add_message("openai", t2.id, "user", "hi", api_base=b.base_url, api_key="sk-routed-0000000")
    run = router.run_thread(thread_id=t2.id, assistant_id=a2.id, model="my-routed-group")
    assert run._hidden_params["model_id"] == "routed" and b.last_request.json["model"] == "gpt-4o-mini"
    assert router.delete_assistant(assistant_id=asst.id).deleted


def test_run_retries_on_the_other_deployment_and_not_on_a_caller_error(servers):
    a, b = servers[:2]
    router = _assistant_router(a, b)
    asst = router.create_assistants(model="gpt-4-turbo")
    thread = router.create_thread()
    router.add_message(thread_id=thread.id, role="user", content="hello")
    a.enqueue_error(503, count=1, path="/runs")
    run = router.run_thread(thread_id=thread.id, assistant_id=asst.id, model="gpt-4-turbo", num_retries=1)
    assert run.status == "completed" and run._hidden_params["attempts"] == 2
    before = a.hits("/runs")
    a.enqueue_error(400, count=1, path="/runs")
    with pytest.raises(litegate.BadRequestError):  # caller errors are not retried
        router.create_run(thread_id=thread.id, assistant_id=asst.id, model="gpt-4-turbo", num_retries=3)
    assert a.hits("/runs") == before + 1


def test_unrouted_calls_use_the_first_deployment_or_the_callers_credentials(servers):
    a, b = servers[:2]
    router = _assistant_router(a, b)
    page = router.get_assistants()
    assert page.data == [] and _bearer(a) == "Bearer sk-turbo-one-0000"
    router.create_thread(api_key="sk-caller-own-key", api_base=b.base_url)
    assert _bearer(b) == "Bearer sk-caller-own-key"
    # an unknown model is passed on as the API's own field, not routed
    asst = router.create_assistants(model="gpt-3.5-turbo")
    assert asst.model == "gpt-3.5-turbo" and "model_group" not in asst._hidden_params


async def test_async_assistants_through_the_router(servers):
    a, b = servers[:2]
    router = _assistant_router(a, b)
    asst = await router.acreate_assistants(model="gpt-4-turbo", name="A")
    thread = await router.acreate_thread()
    await router.a_add_message(thread_id=thread.id, role="user", content="hello")
    run = await router.arun_thread(thread_id=thread.id, assistant_id=asst.id)
    assert run.status == "completed" and run._hidden_params["model_group"] == "gpt-4-turbo"
    run = await router.acreate_run(thread.id, asst.id)  # positional, as the API's own order
    assert run._hidden_params["model_group"] == "gpt-4-turbo"
    assert (await router.aget_messages(thread_id=thread.id)).data[0].text == "Reply to: hello"
    assert (await router.aget_thread(thread_id=thread.id)).id == thread.id
    assert [x.id for x in (await router.aget_assistants()).data] == [asst.id]
    assert (await router.adelete_assistant(assistant_id=asst.id)).deleted
