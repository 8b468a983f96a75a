"""token_counter / openai_token_counter / encode / decode semantics."""

from __future__ import annotations

import pytest

import litegate.tokens as tokens
from litegate.tokens import _tools

# The example conversation of OpenAI's cookbook "How to count tokens with tiktoken", with the
# prompt token counts it reports (and the API returned) for each model.
COOKBOOK_MESSAGES = [
    {
        "role": "system",
        "content": "You are a helpful, pattern-following assistant that translates corporate jargon "
        "into plain English.",
    },
    {"role": "system", "name": "example_user", "content": "New synergies will help drive top-line growth."},
    {
        "role": "system",
        "name": "example_assistant",
        "content": "Things working well together will increase revenue.",
    },
    {
        "role": "system",
        "name": "example_user",
        "content": "Let's circle back when we have more bandwidth to touch base on opportunities for "
        "increased leverage.",
    },
    {
        "role": "system",
        "name": "example_assistant",
        "content": "Let's talk later when we're less busy about how to do better.",
    },
    {
        "role": "user",
        "content": "This late pivot means we don't have time to boil the ocean for the client deliverable.",
    },
]

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_current_weather",
        "description": "Get the current weather in a given location",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["location"],
        },
    },
}


def _hand_count(official, messages, per_message=3, per_name=1):
    """The cookbook's rule, written out with tiktoken's own encoding."""
    total = 0
    for message in messages:
        total += per_message
        for key, value in message.items():
            total += len(official.encode(value))
            if key == "name":
                total += per_name
    return total + 3


# ---------------------------------------------------------------------------------------------
# text
# ---------------------------------------------------------------------------------------------


def test_text_counts_only_the_text(official):
    text = "The quick brown fox jumps over the lazy dog."
    assert tokens.token_counter(model="gpt-4", text=text) == len(official["cl100k_base"].encode(text))
    assert tokens.token_counter(model="gpt-4o", text=text) == len(official["o200k_base"].encode(text))
    assert tokens.token_counter(text="hello world") == 2
    assert tokens.token_counter(model="gpt-4", text="") == 0
    assert tokens.token_counter(model="gpt-4", text=text, count_response_tokens=True) == len(
        official["cl100k_base"].encode(text)
    )


def test_text_list_is_joined():
    assert tokens.token_counter(text=["hello", " world"]) == 2
    assert tokens.token_counter(text=["hello", None, " world"]) == 2  # type: ignore[list-item]


def test_special_token_text_is_ordinary_text():
    assert tokens.token_counter(model="gpt-4", text="<|endoftext|>") > 1
    assert 100257 not in tokens.encode(model="gpt-4", text="<|endoftext|>")


def test_needs_text_or_messages():
    with pytest.raises(ValueError):
        tokens.token_counter(model="gpt-4")
    assert tokens.token_counter(model="gpt-4", default_token_count=7) == 7


# ---------------------------------------------------------------------------------------------
# messages
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model,expected",
    [("gpt-3.5-turbo-0301", 127), ("gpt-3.5-turbo-0613", 129), ("gpt-4", 129), ("gpt-4o", 124), ("gpt-4o-mini", 124)],
)
def test_cookbook_example(official, model, expected):
    assert tokens.token_counter(model=model, messages=COOKBOOK_MESSAGES) == expected
    assert tokens.openai_token_counter(messages=COOKBOOK_MESSAGES, model=model) == expected
    name = "o200k_base" if "4o" in model else "cl100k_base"
    per = (4, -1) if model.endswith("0301") else (3, 1)
    assert expected == _hand_count(official[name], COOKBOOK_MESSAGES, *per)


def test_single_message_overhead():
    # 3 per message + "user" (1) + "hello world" (2) + 3 reply priming
    assert tokens.token_counter(model="gpt-4", messages=[{"role": "user", "content": "hello world"}]) == 9
    # a name adds its tokens and 1 more
    with_name = [{"role": "user", "name": "bob", "content": "hello world"}]
    assert tokens.token_counter(model="gpt-4", messages=with_name) == 9 + 1 + 1
    # two messages: 3 per message each
    two = [{"role": "system", "content": "hi"}, {"role": "user", "content": "hello world"}]
    assert tokens.token_counter(model="gpt-4", messages=two) == 3 + 1 + 1 + 3 + 1 + 2 + 3


def test_messages_take_precedence_over_text():
    messages = [{"role": "user", "content": "hello world"}]
    assert tokens.token_counter(model="gpt-4", messages=messages, text="ignored text here") == 9


def test_count_response_tokens_drops_framing():
    messages = [{"role": "assistant", "content": "hello world"}, {"role": "assistant", "content": "hello world"}]
    assert tokens.token_counter(model="gpt-4", messages=messages, count_response_tokens=True) == 4
    assert tokens.openai_token_counter(text="hello world", model="gpt-4", count_response_tokens=True) == 2


def test_content_parts_and_empty_content():
    parts = [{"role": "user", "content": [{"type": "text", "text": "hello"}, {"type": "text", "text": " world"}]}]
    # 3 + "user" 1 + "hello" 1 + " world" 1 + 3
    assert tokens.token_counter(model="gpt-4", messages=parts) == 9
    assert tokens.token_counter(model="gpt-4", messages=[{"role": "assistant", "content": None}]) == 3 + 1 + 3
    assert tokens.token_counter(model="gpt-4", messages=[]) == 3


def test_tool_calls_and_tool_results_count(official):
    enc = official["cl100k_base"]
    arguments = '{"location": "Boston, MA", "unit": "celsius"}'
    call = {"id": "call_1", "type": "function", "function": {"name": "get_current_weather", "arguments": arguments}}
    assistant = {"role": "assistant", "content": None, "tool_calls": [call]}
    expected = 3 + 1 + len(enc.encode("get_current_weather")) + len(enc.encode(arguments)) + 3 + 3
    assert tokens.token_counter(model="gpt-4", messages=[assistant]) == expected
    two_calls = {"role": "assistant", "content": None, "tool_calls": [call, call]}
    assert tokens.token_counter(model="gpt-4", messages=[two_calls]) > expected
    result = {"role": "tool", "tool_call_id": "call_1", "content": "22 degrees"}
    expected_result = 3 + len(enc.encode("tool")) + len(enc.encode("call_1")) + len(enc.encode("22 degrees")) + 3
    assert tokens.token_counter(model="gpt-4", messages=[result]) == expected_result
    # the response-only count keeps the calls' arguments
    assert tokens.token_counter(model="gpt-4", messages=[assistant], count_response_tokens=True) == (
        len(enc.encode("get_current_weather")) + len(enc.encode(arguments)) + 3
    )


def test_message_objects_count_like_dicts():
    from litegate.types.utils import Message

    as_dicts = [{"role": "user", "content": "What is the weather like today?"}]
    as_objects = [Message(role="user", content="What is the weather like today?")]
    assert tokens.token_counter(model="gpt-4o", messages=as_objects) == tokens.token_counter(
        model="gpt-4o", messages=as_dicts
    )


# ---------------------------------------------------------------------------------------------
# tools
# ---------------------------------------------------------------------------------------------


def _tool_with_params(count: int) -> dict:
    return {
        "type": "function",
        "function": {
            "name": "lookup",
            "description": "Look something up",
            "parameters": {
                "type": "object",
                "properties": {
                    f"field_{i}": {"type": "string", "description": f"Value number {i} to match"} for i in range(count)
                },
                "required": [f"field_{i}" for i in range(0, count, 2)],
            },
        },
    }


def test_tools_are_counted_and_grow_with_the_schema():
    messages = [{"role": "user", "content": "What's the weather like in Boston?"}]
    base = tokens.token_counter(model="gpt-4o", messages=messages)
    with_tool = tokens.token_counter(model="gpt-4o", messages=messages, tools=[WEATHER_TOOL])
    assert with_tool > base + _tools.TOOLS_OVERHEAD
    sizes = [
        tokens.token_counter(model="gpt-4o", messages=messages, tools=[_tool_with_params(n)]) for n in (0, 1, 3, 10)
    ]
    assert sizes == sorted(sizes) and len(set(sizes)) == 4
    two = tokens.token_counter(model="gpt-4o", messages=messages, tools=[WEATHER_TOOL, _tool_with_params(2)])
    assert two > with_tool


def test_tools_exact_formula(official):
    enc = official["o200k_base"]
    messages = [{"role": "user", "content": "hi"}]
    block = _tools.format_tools([WEATHER_TOOL])
    assert "type get_current_weather = (_: {" in block
    assert 'unit?: "celsius" | "fahrenheit",' in block
    assert "location: string," in block
    base = tokens.token_counter(model="gpt-4o", messages=messages)
    assert tokens.token_counter(model="gpt-4o", messages=messages, tools=[WEATHER_TOOL]) == (
        base + len(enc.encode(block)) + 9
    )
    # a system message shares the definitions: 4 fewer
    system = [{"role": "system", "content": "Be brief."}, *messages]
    assert tokens.token_counter(model="gpt-4o", messages=system, tools=[WEATHER_TOOL]) == (
        tokens.token_counter(model="gpt-4o", messages=system) + len(enc.encode(block)) + 9 - 4
    )


def test_tool_choice():
    messages = [{"role": "user", "content": "hi"}]
    tools_ = [WEATHER_TOOL]
    auto = tokens.token_counter(model="gpt-4o", messages=messages, tools=tools_, tool_choice="auto")
    assert tokens.token_counter(model="gpt-4o", messages=messages, tools=tools_) == auto
    assert tokens.token_counter(model="gpt-4o", messages=messages, tools=tools_, tool_choice="none") == auto + 1
    forced = {"type": "function", "function": {"name": "get_current_weather"}}
    name_tokens = tokens.token_counter(model="gpt-4o", text="get_current_weather")
    assert tokens.token_counter(model="gpt-4o", messages=messages, tools=tools_, tool_choice=forced) == (
        auto + 4 + name_tokens
    )


def test_tool_schema_formatting_variants():
    nested = {
        "type": "function",
        "function": {
            "name": "create_order",
            "parameters": {
                "type": "object",
                "properties": {
                    "items": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {"sku": {"type": "string"}, "qty": {"type": "integer"}},
                            "required": ["sku"],
                        },
                    },
                    "express": {"type": "boolean"},
                    "note": {"type": ["string", "null"]},
                    "mode": {"anyOf": [{"type": "string"}, {"type": "number"}]},
                },
            },
        },
    }
    block = _tools.format_tools([nested, {"name": "legacy_fn", "parameters": {}}, {"type": "web_search_preview"}])
    assert "items?: {" in block and "sku: string," in block and "qty?: number," in block
    assert "}[]," in block
    assert "express?: boolean," in block
    assert "note?: string | null," in block
    assert "mode?: string | number," in block
    assert "type legacy_fn = () => any;" in block
    assert '{"type":"web_search_preview"}' in block


def test_tools_with_text_and_hf_paths_do_not_crash():
    assert tokens.token_counter(model="gpt-4o", text="hi", tools=[WEATHER_TOOL]) > 1
    assert tokens.token_counter(model="gpt-4o", text="hi", tools=[WEATHER_TOOL], count_response_tokens=True) == 1


# ---------------------------------------------------------------------------------------------
# failures, defaults, encode/decode
# ---------------------------------------------------------------------------------------------


def test_default_token_count_on_failure():
    bad = [42]
    with pytest.raises(TypeError):
        tokens.token_counter(model="gpt-4", messages=bad)
    assert tokens.token_counter(model="gpt-4", messages=bad, default_token_count=123) == 123
    broken = {"type": "huggingface_tokenizer", "tokenizer": object()}
    assert tokens.token_counter(text="hello", custom_tokenizer=broken, default_token_count=5) == 5
    assert tokens.token_counter(text="hello", custom_tokenizer={"type": "x"}, default_token_count=0) == 0


@pytest.mark.parametrize("model", ["gpt-4", "gpt-4o", "claude-3-5-sonnet-20241022", ""])
@pytest.mark.parametrize(
    "text", ["", "hello world", "naïve café 你好 🎉👨‍👩‍👧", "def f(x):\n    return x * 2\n", "<|endoftext|>"]
)
def test_encode_decode_round_trip(model, text):
    ids = tokens.encode(model=model, text=text)
    assert isinstance(ids, list) and all(isinstance(i, int) for i in ids)
    assert tokens.decode(model=model, tokens=ids) == text
    assert len(ids) == tokens.token_counter(model=model, text=text)


def test_custom_tiktoken_encoding_as_custom_tokenizer():
    custom = {"type": "openai_tokenizer", "tokenizer": tokens.get_encoding("o200k_base")}
    assert tokens.encode(text="hello world", custom_tokenizer=custom) == [24912, 2375]
    assert tokens.decode(tokens=[24912, 2375], custom_tokenizer=custom) == "hello world"
    messages = [{"role": "user", "content": "hello world"}]
    assert tokens.token_counter(model="gpt-4", custom_tokenizer=custom, messages=messages) == 9


def test_select_tokenizer_shape():
    selected = tokens._select_tokenizer("gpt-4o")
    assert selected["type"] == "openai_tokenizer"
    assert selected["tokenizer"].name == "o200k_base"


def test_openai_token_counter_text_and_tool_call_paths():
    assert tokens.openai_token_counter(text="hello world", model="gpt-4") == 2 + 3
    assert (
        tokens.openai_token_counter(
            messages=[{"role": "user", "content": "ignored"}], text="hello world", is_tool_call=True, model="gpt-4"
        )
        == 5
    )
    assert tokens.openai_token_counter(messages=[{"role": "user", "content": "hello world"}]) == 9
    # any model name is accepted
    assert tokens.openai_token_counter(messages=[{"role": "user", "content": "hello world"}], model="my-model") == 9
    with pytest.raises(ValueError):
        tokens.openai_token_counter(model="gpt-4")


def test_estimate_usage():
    usage = tokens.estimate_usage([{"role": "user", "content": "hello world"}], "hello world")
    assert usage == {"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11}
    assert tokens.estimate_usage(None, "hello world") == {"prompt_tokens": 0, "completion_tokens": 2, "total_tokens": 2}
    assert tokens.estimate_usage([42], "x") is None


def test_public_signatures():
    import inspect

    sig = inspect.signature(tokens.token_counter)
    assert list(sig.parameters) == [
        "model",
        "custom_tokenizer",
        "text",
        "messages",
        "count_response_tokens",
        "tools",
        "tool_choice",
        "use_default_image_token_count",
        "default_token_count",
    ]
    assert list(inspect.signature(tokens.openai_token_counter).parameters) == [
        "messages",
        "model",
        "text",
        "is_tool_call",
        "tools",
        "tool_choice",
        "count_response_tokens",
        "use_default_image_token_count",
    ]
    assert inspect.signature(tokens.openai_token_counter).parameters["model"].default == "gpt-3.5-turbo-0613"
    assert list(inspect.signature(tokens.encode).parameters) == ["model", "text", "custom_tokenizer"]
    assert list(inspect.signature(tokens.decode).parameters) == ["model", "tokens", "custom_tokenizer"]
    assert list(inspect.signature(tokens.create_pretrained_tokenizer).parameters) == [
        "identifier",
        "revision",
        "auth_token",
    ]
    assert list(inspect.signature(tokens.create_tokenizer).parameters) == ["json"]


def test_default_token_count_for_a_model_without_tokenizer():
    # spec section 10: default_token_count is the answer when the model's tokenizer cannot be used
    assert tokens.token_counter(model="acme/unknown-model", text="hello world", default_token_count=42) == 42
    # known models are counted, not defaulted
    assert tokens.token_counter(model="gpt-4o", text="hello world", default_token_count=42) == 2
    assert tokens.token_counter(model="claude-sonnet-4-5", text="hello world", default_token_count=42) != 42
    # without a default an unknown model is approximated
    assert tokens.token_counter(model="acme/unknown-model", text="hello world") == 2
