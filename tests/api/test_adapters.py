"""adapter_completion / aadapter_completion, the AdapterV1 base class and litegate.adapters."""

from __future__ import annotations

import pytest
from _examples import run

import litegate
from litegate.types.adapter import AdapterV1


@pytest.fixture(autouse=True)
def _own_registry(monkeypatch):
    """A fresh ``litegate.adapters`` list per test (the examples append to it)."""
    monkeypatch.setattr(litegate, "adapters", [])


def test_spec_adapter_example_runs_as_written(tmp_path):
    ns, printed = run("adapter_completion.py", tmp_path)
    final = ns["final_response"]
    assert isinstance(final, ns["InternalResponse"])
    assert final.request_task_id == "translate-eng-fr-123"
    assert final.llm_response_text == "Bonjour le monde, comment allez-vous?"
    assert (final.input_tokens, final.output_tokens, final.llm_model_used) == (35, 9, "gpt-3.5-turbo")
    assert "Adapter 'internal-translator-v1' registered." in printed
    # the adapter saw the caller's format, without litegate's controls
    assert "Received input kwargs: {'task_id': 'translate-eng-fr-123'" in printed and "mock_response" not in printed
    assert [a["id"] for a in litegate.adapters] == ["internal-translator-v1"]


class Upper(AdapterV1):
    id = "upper"

    def __init__(self):
        self.seen = []

    def translate_completion_input_params(self, kwargs):
        self.seen.append(dict(kwargs))
        return {
            "model": "gpt-4o-mini",
            "messages": [{"role": "user", "content": kwargs["text"]}],
            "metadata": {"from": "adapter"},
            "stream": kwargs.get("stream", False),
        }

    def translate_completion_output_params(self, response):
        return {"answer": response.choices[0].message.content.upper(), "meta": response._hidden_params["metadata"]}

    def translate_completion_output_params_streaming(self, completion_stream):
        return ("stream", completion_stream)


def test_translation_both_ways_over_the_network(server):
    adapter = Upper()
    litegate.adapters.append({"id": "upper", "adapter": adapter})
    server.enqueue_reply("bonjour")
    out = litegate.adapter_completion(
        adapter_id="upper", text="hello", api_base=server.base_url, api_key="sk-a", metadata={"caller": 1}
    )
    assert out == {"answer": "BONJOUR", "meta": {"from": "adapter", "caller": 1}}
    assert adapter.seen == [{"text": "hello", "metadata": {"caller": 1}}]  # controls stayed with litegate
    assert server.last_request.json["messages"] == [{"role": "user", "content": "hello"}]
    kind, stream = litegate.adapter_completion(
        adapter_id="upper", text="hi", stream=True, api_base=server.base_url, api_key="sk-a"
    )
    assert kind == "stream" and "".join(c.choices[0].delta.content or "" for c in stream)


async def test_aadapter_completion(server):
    litegate.adapters.append({"id": "upper", "adapter": Upper()})
    server.enqueue_reply("salut")
    out = await litegate.aadapter_completion(adapter_id="upper", text="hey", api_base=server.base_url, api_key="sk-a")
    assert out["answer"] == "SALUT"


def test_adapter_errors(server):
    with pytest.raises(KeyError, match="no adapter with id 'nope'"):
        litegate.adapter_completion(adapter_id="nope", text="x")
    with pytest.raises(TypeError, match="adapter_id must be"):
        litegate.adapter_completion(adapter_id=5, text="x")

    class Bad(AdapterV1):
        id = "bad"

        def translate_completion_input_params(self, kwargs):
            return ["not", "a", "dict"]

    litegate.adapters.append({"id": "bad", "adapter": Bad()})
    with pytest.raises(TypeError, match="must return a dict"):
        litegate.adapter_completion(adapter_id="bad", text="x")
    with pytest.raises(NotImplementedError):
        AdapterV1().translate_completion_input_params({})
    assert server.requests == []
