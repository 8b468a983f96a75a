"""Legacy text completions (spec section 5): the OpenAI /completions endpoint, and chat-only
providers reached through one user message."""

from __future__ import annotations

import pytest

import litegate
from litegate.providers.openai_compatible import PROVIDERS

KEY = "sk-text-0000000000"
PROMPT = "Translate to French: Hello"


def _kw(server):
    return {"api_base": server.base_url, "api_key": KEY}


def test_request_body_and_response_shape(server):
    resp = litegate.text_completion(
        model="gpt-3.5-turbo-instruct",
        prompt=PROMPT,
        max_tokens=7,
        temperature=0.3,
        echo=False,
        suffix="!",
        best_of=2,
        n=1,
        logprobs=2,
        stop=["\n"],
        user="u1",
        **_kw(server),
    )
    body = server.last_request.json
    assert server.last_request.path == "/v1/completions"
    assert body == {
        "model": "gpt-3.5-turbo-instruct",
        "prompt": PROMPT,
        "max_tokens": 7,
        "temperature": 0.3,
        "echo": False,
        "suffix": "!",
        "best_of": 2,
        "n": 1,
        "logprobs": 2,
        "stop": ["\n"],
        "user": "u1",
    }
    assert isinstance(resp, litegate.TextCompletionResponse)
    assert resp.object == "text_completion"
    assert resp["choices"][0]["text"] == resp.choices[0].text and resp.choices[0].text
    assert resp.usage.total_tokens == resp.usage.prompt_tokens + resp.usage.completion_tokens
    assert resp._hidden_params["custom_llm_provider"] == "openai"


def test_stream_rebuilds_to_the_full_text(server):
    whole = litegate.text_completion(model="gpt-3.5-turbo-instruct", prompt=PROMPT, **_kw(server)).choices[0].text
    chunks = list(litegate.text_completion(model="gpt-3.5-turbo-instruct", prompt=PROMPT, stream=True, **_kw(server)))
    assert server.last_request.json["stream"] is True
    assert all(isinstance(c, litegate.TextCompletionResponse) for c in chunks)
    assert "".join(c.choices[0].text or "" for c in chunks) == whole
    assert chunks[-1].choices[0].finish_reason in ("stop", "length")
    assert litegate.stream_chunk_builder(chunks).choices[0].text == whole


async def test_async_twin(server):
    resp = await litegate.atext_completion(model="gpt-3.5-turbo-instruct", prompt="async prompt", **_kw(server))
    assert "async prompt" in resp.choices[0].text
    stream = await litegate.atext_completion(
        model="gpt-3.5-turbo-instruct", prompt="async prompt", stream=True, **_kw(server)
    )
    text = "".join([c.choices[0].text or "" async for c in stream])
    assert text == resp.choices[0].text


def test_chat_only_provider_gets_the_prompt_as_one_user_message():
    from litegate.testing import FakeAnthropicServer

    with FakeAnthropicServer() as srv:
        resp = litegate.text_completion(
            model="anthropic/claude-sonnet-4-5",
            prompt=PROMPT,
            max_tokens=20,
            api_base=srv.url,
            api_key="sk-ant-text-000000",
        )
        sent = srv.last_request.json
        chunks = list(
            litegate.text_completion(
                model="anthropic/claude-sonnet-4-5",
                prompt=PROMPT,
                stream=True,
                api_base=srv.url,
                api_key="sk-ant-text-000000",
            )
        )
    assert sent["messages"] == [{"role": "user", "content": PROMPT}] and sent["max_tokens"] == 20
    assert isinstance(resp, litegate.TextCompletionResponse) and PROMPT in resp.choices[0].text
    assert resp.choices[0].finish_reason == "stop"
    assert "".join(c.choices[0].text for c in chunks) == resp.choices[0].text
    assert all(c.object == "text_completion" for c in chunks)


def test_completion_only_params_on_a_chat_only_provider():
    from litegate.testing import FakeAnthropicServer

    with FakeAnthropicServer() as srv:
        with pytest.raises(litegate.UnsupportedParamsError) as info:
            litegate.text_completion(
                model="anthropic/claude-sonnet-4-5",
                prompt=PROMPT,
                echo=True,
                api_base=srv.url,
                api_key="sk-ant-text-000000",
            )
        assert "echo" in str(info.value) and srv.hits() == 0
        resp = litegate.text_completion(
            model="anthropic/claude-sonnet-4-5",
            prompt=PROMPT,
            echo=True,
            drop_params=True,
            api_base=srv.url,
            api_key="sk-ant-text-000000",
        )
        assert resp.choices[0].text


def test_compatible_row_without_completions_endpoint_uses_chat(server):
    name = next(n for n, row in PROVIDERS.items() if "text_completion" not in row.endpoints and row.key_required)
    litegate.text_completion(model=f"{name}/m", prompt=PROMPT, **_kw(server))
    assert server.last_request.path.endswith("/chat/completions")
    assert server.last_request.json["messages"] == [{"role": "user", "content": PROMPT}]


@pytest.mark.parametrize(
    "bad",
    [
        {"prompt": None},
        {"prompt": 5},
        {"prompt": []},
        {"prompt": "x", "logprobs": True},
        {"prompt": "x", "logprobs": 9},
        {"prompt": "x", "echo": "yes"},
        {"prompt": "x", "temperature": "hot"},
    ],
)
def test_bad_input_fails_before_any_request(server, bad):
    with pytest.raises(litegate.BadRequestError):
        litegate.text_completion(model="gpt-3.5-turbo-instruct", **bad, **_kw(server))
    assert server.hits() == 0


def test_mock_response_and_callbacks():
    seen = []
    litegate.success_callback = [lambda kw, r, s, e: seen.append((kw["prompt"], kw["call_type"]))]
    resp = litegate.text_completion(model="gpt-3.5-turbo-instruct", prompt="p", mock_response="mocked text")
    assert resp.choices[0].text == "mocked text" and seen == [("p", "text_completion")]
    chunks = list(
        litegate.text_completion(model="gpt-3.5-turbo-instruct", prompt="p", mock_response="mocked text", stream=True)
    )
    assert "".join(c.choices[0].text for c in chunks) == "mocked text"


def test_cost_is_priced_from_the_registry(server):
    resp = litegate.text_completion(model="gpt-3.5-turbo-instruct", prompt=PROMPT, **_kw(server))
    entry = litegate.model_cost["gpt-3.5-turbo-instruct"]
    expected = (
        resp.usage.prompt_tokens * entry["input_cost_per_token"]
        + resp.usage.completion_tokens * entry["output_cost_per_token"]
    )
    assert resp._hidden_params["response_cost"] == pytest.approx(expected)
