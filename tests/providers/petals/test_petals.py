"""Petals (``petals/<model>``) through a Petals chat server's HTTP API against FakePetalsServer over
real sockets: the generate URL, the form fields (prompt from the messages, max_new_tokens, sampling),
the translated answer, sync / async / stream (the whole answer as one chunk), and the
``{"ok": false, "traceback": ...}`` errors mapped to clean exceptions."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qsl

import pytest

import litegate
from litegate.providers import petals

MODEL = "petals/petals-team/StableBeluga2"
MSGS = [{"role": "user", "content": "What is a petal?"}]


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    for name in ("PETALS_API_KEY", "PETALS_API_BASE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(litegate, "petals_key", None)
    monkeypatch.setattr(litegate, "api_base", None)


@pytest.fixture
def server():
    from litegate.testing import FakePetalsServer

    with FakePetalsServer() as srv:
        yield srv


def _form(rec) -> dict:
    return dict(parse_qsl(rec.body.decode()))


def _call(server, **kw):
    kw.setdefault("messages", MSGS)
    return litegate.completion(kw.pop("model", MODEL), api_base=server.base_url, **kw)


# ------------------------------------------------------------------------------ requests and answers
def test_generate_form_fields_and_answer(server):
    resp = _call(server)
    rec = server.last_request
    assert (rec.method, rec.path) == ("POST", "/api/v1/generate")
    assert rec.header("content-type") == "application/x-www-form-urlencoded"
    assert "authorization" not in rec.headers  # the public server takes no key
    assert _form(rec) == {
        "model": "petals-team/StableBeluga2",
        "inputs": "What is a petal?",
        "max_new_tokens": str(petals.DEFAULT_MAX_NEW_TOKENS),
    }
    assert resp.choices[0].message.content == " This is a fake reply to: What is a petal?"
    assert resp.choices[0].finish_reason == "stop"
    assert resp.model == "petals-team/StableBeluga2"
    assert resp.usage.prompt_tokens > 0 and resp.usage.completion_tokens > 0
    assert resp._hidden_params["custom_llm_provider"] == "petals"
    assert resp._hidden_params["response_cost"] == 0.0


def test_sampling_parameters_and_passthrough_fields(server):
    _call(server, max_tokens=5, temperature=0.7, top_p=0.9, top_k=40, repetition_penalty=1.1)
    form = _form(server.last_request)
    assert form == {
        "model": "petals-team/StableBeluga2",
        "inputs": "What is a petal?",
        "max_new_tokens": "5",
        "do_sample": "1",
        "temperature": "0.7",
        "top_p": "0.9",
        "top_k": "40",
        "repetition_penalty": "1.1",
    }
    resp = _call(server, max_completion_tokens=3, temperature=0)  # greedy: no sampling fields
    form = _form(server.last_request)
    assert form["max_new_tokens"] == "3" and "do_sample" not in form and "temperature" not in form
    assert resp.choices[0].message.content == " This is a"


def test_prompt_from_several_messages_and_templates(server):
    msgs = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello."},
        {"role": "user", "content": [{"type": "text", "text": "Tell me about petals"}]},
    ]
    resp = _call(server, messages=msgs)
    assert _form(server.last_request)["inputs"] == (
        "system: Be brief.\nuser: Hi\nassistant: Hello.\nuser: Tell me about petals\nassistant:"
    )
    assert resp.choices[0].message.content == " This is a fake reply to: user: Tell me about petals"
    # a model of a known family gets its template
    _call(server, model="petals/meta-llama/Llama-2-70b-chat-hf", messages=msgs[1:2])
    assert _form(server.last_request)["inputs"].startswith("<s>[INST]")
    # a registered template wins
    litegate.register_prompt_template(
        model="petals/bigscience/bloom",
        roles={"user": {"pre_message": "Q: ", "post_message": "\n"}},
        final_prompt_value="A:",
    )
    try:
        _call(server, model="petals/bigscience/bloom")
        assert _form(server.last_request)["inputs"] == "Q: What is a petal?\nA:"
    finally:
        litegate.custom_prompt_dict.clear()


def test_async_and_stream_single_chunk(server):
    async def go():
        r = await litegate.acompletion(MODEL, messages=MSGS, api_base=server.base_url)
        s = await litegate.acompletion(
            MODEL, messages=MSGS, api_base=server.base_url, stream=True, stream_options={"include_usage": True}
        )
        return r, [c async for c in s]

    r, chunks = asyncio.run(go())
    assert r.choices[0].message.content == " This is a fake reply to: What is a petal?"
    assert len(chunks) == 2
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[0].choices[0].delta.content == " This is a fake reply to: What is a petal?"
    assert chunks[1].choices[0].finish_reason == "stop"
    assert chunks[1].usage.completion_tokens > 0
    stream = _call(server, stream=True)
    chunks = list(stream)
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == " This is a fake reply to: What is a petal?"
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert _form(server.last_request)["inputs"] == "What is a petal?"  # the same request as without stream
    assert stream._hidden_params["response_cost"] == 0.0
    assert stream._hidden_params["usage"]["completion_tokens"] > 0  # estimated by the stream observer


def test_default_base_key_and_root_base(server, monkeypatch):
    from litegate.core.transport import MockResponse, MockTransport

    seen = []

    def handler(req):
        seen.append(req)
        return MockResponse(200, json={"ok": True, "outputs": "hi"})

    client = litegate.Client(transport=MockTransport(handler))
    client.completion(MODEL, messages=MSGS)
    assert seen[0].url == "https://chat.petals.dev/api/v1/generate"
    assert "authorization" not in seen[0].headers
    monkeypatch.setenv("PETALS_API_KEY", "gateway-key-123")
    monkeypatch.setenv("PETALS_API_BASE", "http://swarm.example.test:5000")
    client.completion(MODEL, messages=MSGS)
    assert seen[1].url == "http://swarm.example.test:5000/api/v1/generate"  # a root gets the generate path
    assert seen[1].headers["authorization"] == "Bearer gateway-key-123"
    # over a socket, with a key checked by the server
    from litegate.testing import FakePetalsServer

    with FakePetalsServer(require_key="gateway-key-123") as srv:
        resp = litegate.completion(MODEL, messages=MSGS, api_base=srv.url)
        assert srv.last_request.path == "/api/v1/generate"
        assert resp.choices[0].message.content.startswith(" This is a fake reply")


# ------------------------------------------------------------------------------ errors
def test_traceback_answers_become_clean_errors(server):
    with pytest.raises(litegate.NotFoundError, match=r"Petals server error: KeyError: 'nobody/no-model'") as info:
        _call(server, model="petals/nobody/no-model")
    assert "Traceback" not in str(info.value) and "http_api.py" not in str(info.value)
    server.enqueue_failure(
        'Traceback (most recent call last):\n  File "x.py", line 1\nhivemind.p2p.P2PDaemonError: swarm unreachable\n'
    )
    with pytest.raises(
        litegate.APIError, match="Petals server error: hivemind.p2p.P2PDaemonError: swarm unreachable"
    ) as info:
        _call(server, num_retries=0)
    assert info.value.status_code == 500
    server.enqueue_failure("Traceback ...\nValueError: Input is too long: 3000 tokens exceed max_length 2048\n")
    with pytest.raises(litegate.BadRequestError, match="Input is too long"):
        _call(server, num_retries=0)
    server.enqueue_failure("")
    with pytest.raises(litegate.APIError, match="without a traceback"):
        _call(server, num_retries=0)


def test_transient_server_failures_are_retried(server, monkeypatch):
    import litegate.constants as constants

    monkeypatch.setattr(constants, "RETRY_INITIAL_DELAY", 0.001)
    monkeypatch.setattr(constants, "RETRY_MAX_DELAY", 0.01)
    server.enqueue_failure("Traceback ...\nRuntimeError: Too many opened inference sessions (max 100)\n")
    resp = _call(server, num_retries=1)
    assert resp.choices[0].message.content.startswith(" This is a fake reply")
    assert server.hits() == 2


def test_errors_in_a_stream(server):
    server.enqueue_failure("Traceback ...\nKeyError: 'x'\n")
    with pytest.raises(litegate.NotFoundError, match="KeyError"):
        list(_call(server, stream=True, num_retries=0))
    server.enqueue_raw(502, "<html>Bad Gateway</html>", {"content-type": "text/html"})
    with pytest.raises(litegate.APIError) as info:
        list(_call(server, stream=True, num_retries=0))
    assert info.value.status_code == 502
    server.enqueue_raw(200, "not json", {"content-type": "text/plain"})
    with pytest.raises(litegate.APIResponseValidationError):
        list(_call(server, stream=True, num_retries=0))

    async def go():
        server.enqueue_failure("Traceback ...\nValueError: bad top_k\n")
        with pytest.raises(litegate.BadRequestError, match="bad top_k"):
            await litegate.acompletion(MODEL, messages=MSGS, api_base=server.base_url, num_retries=0)
        server.enqueue_failure("Traceback ...\nKeyError: 'y'\n")
        with pytest.raises(litegate.NotFoundError):
            s = await litegate.acompletion(MODEL, messages=MSGS, api_base=server.base_url, stream=True, num_retries=0)
            async for _ in s:
                pass

    asyncio.run(go())


def test_what_is_refused_before_any_request(server):
    with pytest.raises(litegate.UnsupportedParamsError, match="stop"):
        _call(server, stop=["\n"])
    with pytest.raises(litegate.UnsupportedParamsError):
        _call(server, n=2)
    with pytest.raises(litegate.BadRequestError, match="tool messages"):
        _call(
            server,
            messages=[
                {"role": "user", "content": "x"},
                {"role": "tool", "tool_call_id": "1", "content": "y"},
            ],
        )
    with pytest.raises(litegate.BadRequestError, match="unknown parameters"):
        _call(server, frobnicate=1)
    assert server.hits() == 0
    resp = _call(server, stop=["\n"], drop_params=True)
    assert resp._hidden_params["warnings"]
    assert "stop" not in _form(server.last_request)


def test_petals_is_a_working_provider():
    assert "petals" in litegate.provider_list
    assert "petals" in litegate.models_by_provider
    assert litegate.validate_environment("petals/petals-team/StableBeluga2")["keys_in_environment"] is True
