"""litegate.utils: trim_messages, function_to_dict, prompt templates, mock streaming objects."""

from __future__ import annotations

import asyncio
import copy
from typing import Literal

import pytest

import litegate
from litegate import utils
from litegate.core import prompt_templates
from litegate.tokens import token_counter
from litegate.types.streaming import stream_chunk_builder
from litegate.types.utils import ModelResponse

MODEL = "gpt-4o"


def count(messages, model=MODEL) -> int:
    return token_counter(model=model, messages=messages)


def conversation(turns: int, system: str = "You are a careful assistant.") -> list[dict]:
    msgs = [{"role": "system", "content": system}]
    for i in range(turns):
        msgs.append({"role": "user", "content": f"Question {i}: " + "tell me about budgets and tokens " * (3 + i % 5)})
        msgs.append({"role": "assistant", "content": f"Answer {i}: " + "budgets are limits on spending " * (2 + i % 4)})
    return msgs


# ---------------------------------------------------------------------------- trim_messages


def test_trim_keeps_system_and_newest_within_limit():
    msgs = conversation(40)
    original = copy.deepcopy(msgs)
    limit = 600
    assert count(msgs) > limit
    trimmed, remaining = utils.trim_messages(msgs, model=MODEL, max_tokens=limit, return_response_tokens=True)
    assert msgs == original  # the input is not modified
    used = count(trimmed)
    assert used <= limit
    assert remaining == limit - used
    assert trimmed[0] == msgs[0]  # the system message, intact
    assert trimmed[-1] == msgs[-1]  # the newest message, intact
    rest = trimmed[1:]
    tail = msgs[len(msgs) - len(rest) :]
    # a contiguous run of the newest messages; only the oldest kept one may be shortened
    assert rest[1:] == tail[1:]
    if rest[0] != tail[0]:
        assert ".." in rest[0]["content"]
        head, _, end = rest[0]["content"].partition("..")
        assert tail[0]["content"].startswith(head) and tail[0]["content"].endswith(end)
    # as many intact messages as fit: one more whole message would not fit
    whole = [m for m, o in zip(rest, tail, strict=False) if m == o]
    assert count([msgs[0]] + msgs[len(msgs) - len(whole) - 1 :]) > limit


def test_trim_default_limit_from_model_info():
    msgs = conversation(20)
    msgs[1]["content"] = "lorem ipsum dolor sit amet " * 3000  # an old, very long message
    info = utils.get_model_info("gpt-3.5-turbo")
    limit = int(info["max_input_tokens"] * 0.75)
    assert count(msgs, "gpt-3.5-turbo") > limit
    trimmed = utils.trim_messages(msgs, model="gpt-3.5-turbo")
    assert count(trimmed, "gpt-3.5-turbo") <= limit
    assert trimmed[0] == msgs[0] and trimmed[-1] == msgs[-1]
    half = utils.trim_messages(msgs, model="gpt-3.5-turbo", trim_ratio=0.5)
    assert count(half, "gpt-3.5-turbo") <= int(info["max_input_tokens"] * 0.5)


def test_trim_returns_messages_that_fit_unchanged():
    msgs = conversation(3)
    out = utils.trim_messages(msgs, model=MODEL, max_tokens=10_000)
    assert out == msgs and out is not msgs
    out, remaining = utils.trim_messages(msgs, model=MODEL, max_tokens=10_000, return_response_tokens=True)
    assert remaining == 10_000 - count(msgs)


def test_trim_without_a_known_limit_changes_nothing():
    msgs = conversation(3)
    assert utils.trim_messages(msgs, model="my-private-model") == msgs
    assert utils.trim_messages(msgs) == msgs
    assert utils.trim_messages(msgs, model="my-private-model", return_response_tokens=True) == (msgs, None)


def test_trim_shortens_a_single_overlong_message():
    text = "START " + "filler words in the middle " * 400 + " END"
    trimmed = utils.trim_messages([{"role": "user", "content": text}], model=MODEL, max_tokens=80)
    assert len(trimmed) == 1
    content = trimmed[0]["content"]
    assert count(trimmed) <= 80
    assert content.startswith("START") and content.endswith("END") and ".." in content
    assert count(trimmed) > 40  # shortened to fit, not emptied


def test_trim_keeps_every_system_message():
    msgs = conversation(10)
    msgs.insert(7, {"role": "system", "content": "Mid-conversation instruction."})
    msgs.insert(1, {"role": "developer", "content": "Developer note."})
    trimmed = utils.trim_messages(msgs, model=MODEL, max_tokens=150)
    roles = [m["role"] for m in trimmed]
    assert roles[:3] == ["system", "developer", "system"]
    assert {"role": "system", "content": "Mid-conversation instruction."} in trimmed
    assert count(trimmed) <= 150
    assert trimmed[-1] == msgs[-1]


def test_trim_overlong_system_message_is_shortened():
    msgs = [{"role": "system", "content": "rules " * 2000}, {"role": "user", "content": "hi"}]
    trimmed = utils.trim_messages(msgs, model=MODEL, max_tokens=100)
    assert [m["role"] for m in trimmed] == ["system"]
    assert count(trimmed) <= 100


def _tool_conversation() -> list[dict]:
    msgs = [{"role": "system", "content": "Use tools."}]
    for i in range(6):
        msgs.append({"role": "user", "content": f"What is the weather in city {i}? " + "please " * (i + 2)})
        msgs.append(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": f"call_{i}a",
                        "type": "function",
                        "function": {"name": "weather", "arguments": '{"city": "A"}'},
                    },
                    {
                        "id": f"call_{i}b",
                        "type": "function",
                        "function": {"name": "weather", "arguments": '{"city": "B"}'},
                    },
                ],
            }
        )
        msgs.append({"role": "tool", "tool_call_id": f"call_{i}a", "content": "sunny and warm " * (4 + i)})
        msgs.append({"role": "tool", "tool_call_id": f"call_{i}b", "content": "rain expected " * (3 + i)})
        msgs.append({"role": "assistant", "content": f"City {i}: sunny in A, rain in B."})
    return msgs


def test_trim_never_splits_a_tool_call_from_its_results():
    msgs = _tool_conversation()
    full = count(msgs)
    seen_sizes = set()
    for limit in range(15, full + 10, 9):
        trimmed = utils.trim_messages(msgs, model=MODEL, max_tokens=limit)
        assert count(trimmed) <= limit, limit
        assert trimmed[0] == msgs[0]
        non_system = trimmed[1:]
        if non_system:
            assert non_system[0]["role"] != "tool", limit
        call_ids = {c["id"] for m in trimmed for c in (m.get("tool_calls") or [])}
        result_ids = {m["tool_call_id"] for m in trimmed if m["role"] == "tool"}
        assert call_ids == result_ids, limit
        seen_sizes.add(len(trimmed))
    assert len(seen_sizes) > 5  # the sweep crossed many boundaries


def test_trim_accepts_message_objects():
    msgs = [litegate.Message(role="user", content="hello " * 500), {"role": "user", "content": "latest"}]
    trimmed = utils.trim_messages(msgs, model=MODEL, max_tokens=60)
    assert trimmed[-1] == {"role": "user", "content": "latest"}
    assert all(isinstance(m, dict) for m in trimmed)
    assert count(trimmed) <= 60


def test_trim_rejects_bad_input():
    with pytest.raises(TypeError):
        utils.trim_messages("hello", model=MODEL, max_tokens=10)
    with pytest.raises(ValueError):
        utils.trim_messages([{"role": "user", "content": "x"}], model=MODEL, max_tokens=-1)


# ---------------------------------------------------------------------------- function_to_dict


def get_current_weather(location: str, unit: str = "fahrenheit"):
    """Get the current weather in a given location

    Parameters
    ----------
    location : str
        The city and state, e.g. San Francisco, CA
    unit : {'celsius', 'fahrenheit'}
        Temperature unit

    Returns
    -------
    str
        a sentence indicating the weather
    """


def book_flight(
    origin,
    destination: str,
    passengers: int,
    seats: list,
    max_price: float = 500.0,
    refundable: bool = False,
    extras: dict[str, str] | None = None,
    cabin: Literal["economy", "business"] = "economy",
    tags: list[str] = (),
    *args,
    **kwargs,
):
    """Book a flight
    between two airports.

    Longer explanation that is not part of the summary.

    Parameters
    ----------
    origin : str
        IATA code of the departure airport.
    destination
        IATA code of the arrival
        airport.
    passengers : int, optional
        How many people travel.
    seats : list of str
        Seat numbers.
    max_price : float
        Highest acceptable fare in USD.
    refundable : bool
        Whether the fare must be refundable.
    extras : dict, optional
        Extra services.
    stops : {0, 1, 2}
        Not a parameter of the function; ignored.

    Returns
    -------
    dict
        The booking.
    """


EXPECTED_WEATHER = {
    "name": "get_current_weather",
    "description": "Get the current weather in a given location",
    "parameters": {
        "type": "object",
        "properties": {
            "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
            "unit": {"type": "string", "description": "Temperature unit", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["location"],
    },
}

EXPECTED_FLIGHT = {
    "name": "book_flight",
    "description": "Book a flight\nbetween two airports.",
    "parameters": {
        "type": "object",
        "properties": {
            "origin": {"type": "string", "description": "IATA code of the departure airport."},
            "destination": {"type": "string", "description": "IATA code of the arrival\nairport."},
            "passengers": {"type": "integer", "description": "How many people travel."},
            "seats": {"type": "array", "description": "Seat numbers."},
            "max_price": {"type": "number", "description": "Highest acceptable fare in USD."},
            "refundable": {"type": "boolean", "description": "Whether the fare must be refundable."},
            "extras": {"type": "object", "description": "Extra services."},
            "cabin": {"type": "string", "enum": ["economy", "business"]},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["origin", "destination", "passengers", "seats"],
    },
}


def test_function_to_dict_documented_example():
    assert utils.function_to_dict(get_current_weather) == EXPECTED_WEATHER


def test_function_to_dict_types_descriptions_required():
    assert utils.function_to_dict(book_flight) == EXPECTED_FLIGHT


def test_function_to_dict_methods_and_no_docstring():
    class Tools:
        def lookup(self, key: str, limit: int = 3) -> str:
            """Look a key up."""
            return key

    assert utils.function_to_dict(Tools().lookup) == {
        "name": "lookup",
        "description": "Look a key up.",
        "parameters": {
            "type": "object",
            "properties": {"key": {"type": "string"}, "limit": {"type": "integer"}},
            "required": ["key"],
        },
    }

    def bare(x):
        pass

    assert utils.function_to_dict(bare) == {
        "name": "bare",
        "description": "",
        "parameters": {"type": "object", "properties": {"x": {}}, "required": ["x"]},
    }
    with pytest.raises(TypeError):
        utils.function_to_dict("not a function")


def test_function_to_dict_numpydoc_gives_the_same_result(monkeypatch):
    """With numpydoc installed it parses the docstring; the built-in parser must agree."""
    numpydoc = pytest.importorskip("numpydoc.docscrape")
    assert numpydoc is not None
    with_numpydoc = [utils.function_to_dict(f) for f in (get_current_weather, book_flight)]
    import builtins

    real_import = builtins.__import__

    def no_numpydoc(name, *args, **kwargs):
        if name.startswith("numpydoc"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_numpydoc)
    without = [utils.function_to_dict(f) for f in (get_current_weather, book_flight)]
    assert with_numpydoc == without == [EXPECTED_WEATHER, EXPECTED_FLIGHT]


# ---------------------------------------------------------------------------- prompt templates


@pytest.fixture
def clean_prompts():
    registry = prompt_templates.prompt_registry()
    saved = dict(registry)
    registry.clear()
    yield registry
    registry.clear()
    registry.update(saved)


LLAMA2_ROLES = {
    "system": {"pre_message": "[INST] <<SYS>>\n", "post_message": "\n<</SYS>>\n [/INST]\n"},
    "user": {"pre_message": "[INST] ", "post_message": " [/INST]\n"},
    "assistant": {"pre_message": "", "post_message": "\n"},
}


def test_register_prompt_template_stores_and_formats(clean_prompts):
    result = utils.register_prompt_template(
        model="huggingface/meta-llama/Llama-2-7b-chat-hf",
        roles=LLAMA2_ROLES,
        initial_prompt_value="<s>",
        final_prompt_value="Answer:",
    )
    assert result is clean_prompts is utils.custom_prompt_dict
    entry = {"roles": LLAMA2_ROLES, "initial_prompt_value": "<s>", "final_prompt_value": "Answer:"}
    assert result["huggingface/meta-llama/Llama-2-7b-chat-hf"] == entry
    assert result["meta-llama/Llama-2-7b-chat-hf"] == entry  # also without the provider prefix
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello"},
        {"role": "user", "content": [{"type": "text", "text": "Bye"}]},
    ]
    expected = "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n [/INST]\n[INST] Hi [/INST]\nHello\n[INST] Bye [/INST]\nAnswer:"
    assert utils.format_prompt("huggingface/meta-llama/Llama-2-7b-chat-hf", messages) == expected
    assert utils.format_prompt("meta-llama/Llama-2-7b-chat-hf", messages) == expected


def test_prompt_template_tokens_and_unknown_roles(clean_prompts):
    utils.register_prompt_template(
        "my-model",
        roles={"user": {"pre_message": "U: ", "post_message": "\n"}, "assistant": {"pre_message": "A: "}},
        tokenizer_config={"bos_token": "<s>", "eos_token": {"content": "</s>"}},
    )
    messages = [
        {"role": "user", "content": "a"},
        {"role": "assistant", "content": "b"},
        {"role": "tool", "content": "c", "tool_call_id": "1"},
    ]
    assert utils.format_prompt("my-model", messages) == "<s>U: a\nA: b</s>c"
    assert clean_prompts["my-model"]["tokenizer_config"]["bos_token"] == "<s>"
    # no template: the contents joined
    assert utils.format_prompt("other-model", messages) == "a b c"
    with pytest.raises(TypeError):
        utils.register_prompt_template("bad", roles={"user": "not a dict"})


def test_package_level_custom_prompt_dict_is_used(clean_prompts, monkeypatch):
    replacement: dict = {}
    monkeypatch.setitem(litegate.__dict__, "custom_prompt_dict", replacement)
    utils.register_prompt_template("x-model", roles={})
    assert "x-model" in replacement and "x-model" not in clean_prompts
    assert utils.custom_prompt_dict is replacement


# ---------------------------------------------------------------------------- mock streaming objects

TEXT = "The quick brown fox jumps over the lazy dog."


def test_mock_completion_streaming_obj_rebuilds_to_the_text():
    base = ModelResponse(model="gpt-4o")
    chunks = list(utils.mock_completion_streaming_obj(base, TEXT, "gpt-4o"))
    assert len(chunks) > 3
    assert len({id(c) for c in chunks}) == len(chunks)  # fresh objects, not one mutated object
    assert all(c.object == "chat.completion.chunk" and c.id == base.id and c.model == "gpt-4o" for c in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert all(c.choices[0].delta.role is None for c in chunks[1:])
    assert all(c.choices[0].finish_reason is None for c in chunks[:-1])
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == TEXT
    rebuilt = stream_chunk_builder(chunks)
    assert rebuilt.choices[0].message.content == TEXT
    assert rebuilt.choices[0].message.role == "assistant"
    assert rebuilt.choices[0].finish_reason == "stop"


def test_mock_completion_streaming_obj_with_n():
    chunks = list(utils.mock_completion_streaming_obj(ModelResponse(), TEXT, "m", n=3))
    assert all(len(c.choices) == 3 for c in chunks)
    rebuilt = stream_chunk_builder(chunks)
    assert [c.message.content for c in rebuilt.choices] == [TEXT] * 3
    assert [c.index for c in rebuilt.choices] == [0, 1, 2]


def test_mock_completion_streaming_obj_raises_exceptions():
    gen = utils.mock_completion_streaming_obj(ModelResponse(), litegate.RateLimitError("slow down"), "m")
    with pytest.raises(litegate.RateLimitError):
        next(gen)
    with pytest.raises(ValueError):
        list(utils.mock_completion_streaming_obj(ModelResponse(), ValueError, "m"))


def test_mock_completion_streaming_obj_empty_text():
    chunks = list(utils.mock_completion_streaming_obj(ModelResponse(), "", "m"))
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert (stream_chunk_builder(chunks).choices[0].message.content or "") == ""


def test_async_mock_completion_streaming_obj():
    async def collect():
        return [c async for c in utils.async_mock_completion_streaming_obj(ModelResponse(), TEXT, "gpt-4o", n=2)]

    chunks = asyncio.run(collect())
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices[1].finish_reason == "stop"
    assert [c.message.content for c in stream_chunk_builder(chunks).choices] == [TEXT, TEXT]

    async def failing():
        async for _ in utils.async_mock_completion_streaming_obj(ModelResponse(), RuntimeError("boom"), "m"):
            pass

    with pytest.raises(RuntimeError, match="boom"):
        asyncio.run(failing())
