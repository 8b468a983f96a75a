"""DSPy on litegate (alias mode), its litellm engine, against the fake OpenAI server."""

from __future__ import annotations

import dspy

from conftest import KEY, assert_clean_bodies


def _lm(server, **kw):
    kw.setdefault("cache", False)
    return dspy.LM("openai/gpt-4o-mini", api_key=KEY, api_base=server.base_url, engine="litellm", **kw)


def _fields(**values: str) -> str:
    return "".join(f"[[ ## {k} ## ]]\n{v}\n\n" for k, v in values.items()) + "[[ ## completed ## ]]"


def test_predict(server, litegate_calls):
    server.enqueue_reply(_fields(answer="Paris"))
    with dspy.context(lm=_lm(server)):
        result = dspy.Predict("question -> answer")(question="Capital of France?")
    assert result.answer == "Paris"
    assert litegate_calls == ["openai/gpt-4o-mini"]
    (body,) = assert_clean_bodies(server)
    assert "Capital of France?" in body["messages"][-1]["content"]


def test_chain_of_thought(server):
    server.enqueue_reply(_fields(reasoning="France's capital is Paris.", answer="Paris"))
    with dspy.context(lm=_lm(server)):
        result = dspy.ChainOfThought("question -> answer")(question="Capital of France?")
    assert result.answer == "Paris"
    assert result.reasoning == "France's capital is Paris."
    assert_clean_bodies(server)


def test_json_adapter(server):
    server.enqueue_reply('{"answer": "Paris", "confidence": 0.9}')
    with dspy.context(lm=_lm(server), adapter=dspy.JSONAdapter()):
        result = dspy.Predict("question -> answer: str, confidence: float")(question="Capital of France?")
    assert result.answer == "Paris" and result.confidence == 0.9
    (body,) = assert_clean_bodies(server)
    assert body["response_format"]["type"] in ("json_schema", "json_object")


def test_native_tool_calls(server):
    def get_weather(city: str) -> str:
        """Current weather in a city."""
        return f"sunny in {city}"

    server.enqueue_reply(None, tool_calls=[{"name": "get_weather", "arguments": {"city": "Paris"}}])

    class Ask(dspy.Signature):
        question: str = dspy.InputField()
        tools: list[dspy.Tool] = dspy.InputField()
        answer: str = dspy.OutputField()
        tool_calls: dspy.ToolCalls = dspy.OutputField()

    with dspy.context(lm=_lm(server), adapter=dspy.ChatAdapter(use_native_function_calling=True)):
        result = dspy.Predict(Ask)(question="Weather in Paris?", tools=[dspy.Tool(get_weather)])
    calls = result.tool_calls.tool_calls
    assert [(c.name, c.args) for c in calls] == [("get_weather", {"city": "Paris"})]
    (body,) = assert_clean_bodies(server)
    assert body["tools"][0]["function"]["name"] == "get_weather"


async def test_async_predict(server):
    server.enqueue_reply(_fields(answer="Rome"))
    with dspy.context(lm=_lm(server)):
        result = await dspy.Predict("question -> answer").acall(question="Capital of Italy?")
    assert result.answer == "Rome"
    assert_clean_bodies(server)


async def test_streamify(server):
    server.enqueue_reply(_fields(answer="Paris is the capital of France."))
    program = dspy.streamify(
        dspy.Predict("question -> answer"),
        stream_listeners=[dspy.streaming.StreamListener(signature_field_name="answer")],
    )
    pieces, final = [], None
    with dspy.context(lm=_lm(server)):
        async for item in program(question="Capital of France?"):
            if isinstance(item, dspy.streaming.StreamResponse):
                pieces.append(item.chunk)
            elif isinstance(item, dspy.Prediction):
                final = item
    assert final is not None and final.answer == "Paris is the capital of France."
    assert pieces and "".join(pieces).strip() == "Paris is the capital of France."
    (body,) = assert_clean_bodies(server)
    assert body["stream"] is True


def test_disk_cache_round_trip(server, tmp_path):
    """DSPy's disk cache stores the litegate response and reads it back through its restricted
    unpickler (which accepts only litellm.types.* classes): the second call does not reach the server."""
    dspy.configure_cache(enable_disk_cache=True, enable_memory_cache=False, disk_cache_dir=str(tmp_path))
    try:
        server.enqueue_reply(_fields(answer="Paris"))
        lm = _lm(server, cache=True)
        with dspy.context(lm=lm):
            first = dspy.Predict("question -> answer")(question="Capital of France, cached?")
            second = dspy.Predict("question -> answer")(question="Capital of France, cached?")
        assert first.answer == second.answer == "Paris"
        assert server.hits() == 1
        assert list(tmp_path.rglob("*")), "nothing was written to the disk cache"
    finally:
        dspy.configure_cache(enable_disk_cache=False, enable_memory_cache=True)
