"""Response types: construction from OpenAI wire data, litellm-style access, dumps and defaults."""

from __future__ import annotations

import copy
import json
import pickle
import subprocess
import sys
import time
import timeit
import warnings
from pathlib import Path

import openai.types as oa_types
import openai.types.chat as oa_chat
import pytest
from _types_refdata import assert_subset, chat_completion_examples, load_example, load_json_example
from openai.types.completion_usage import CompletionTokensDetails as OACompletionTokensDetails
from openai.types.completion_usage import PromptTokensDetails as OAPromptTokensDetails

import litegate.types as lt
from litegate.types import (
    ChatCompletionDeltaToolCall,
    ChatCompletionMessageToolCall,
    ChoiceLogprobs,
    Choices,
    CompletionTokensDetails,
    Delta,
    Embedding,
    EmbeddingResponse,
    Function,
    Message,
    ModelResponse,
    ModelResponseStream,
    PromptTokensDetails,
    StreamingChoices,
    TextChoices,
    TextCompletionResponse,
    Usage,
)

EXAMPLES = chat_completion_examples()


def test_reference_examples_found():
    assert len(EXAMPLES) >= 4, "expected the createChatCompletion reference examples"


# --------------------------------------------------------------------------------------------
# every documented chat completion
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_builds_and_reads_both_ways(path: Path):
    raw = load_example(path)
    resp = ModelResponse(**raw)

    assert type(resp) is ModelResponse
    assert resp.id == resp["id"] == raw["id"]
    assert resp.created == resp["created"] == raw["created"]
    assert resp.model == resp.get("model") == raw["model"]
    assert resp.object == "chat.completion"
    assert len(resp.choices) == len(raw["choices"])

    for choice, raw_choice in zip(resp.choices, raw["choices"], strict=False):
        assert isinstance(choice, Choices)
        assert isinstance(choice.message, Message)
        raw_msg = raw_choice["message"]
        assert choice.message.content == choice["message"]["content"] == raw_msg["content"]
        assert choice.message.role == choice["message"]["role"] == raw_msg["role"]
        assert choice.finish_reason == choice["finish_reason"] == raw_choice["finish_reason"]
        assert choice.index == choice["index"] == raw_choice["index"]
        if raw_msg.get("tool_calls"):
            for call, raw_call in zip(choice.message.tool_calls, raw_msg["tool_calls"], strict=False):
                assert isinstance(call, ChatCompletionMessageToolCall)
                assert call.id == call["id"] == raw_call["id"]
                assert call.type == raw_call["type"]
                assert call.function.name == call["function"]["name"] == raw_call["function"]["name"]
                assert call.function.arguments == raw_call["function"]["arguments"]
                assert isinstance(call.function.arguments, str)
        else:
            assert choice.message.tool_calls is None
        if raw_choice.get("logprobs"):
            assert isinstance(choice.logprobs, ChoiceLogprobs)
            first = raw_choice["logprobs"]["content"][0]
            assert choice.logprobs.content[0].token == first["token"]
            assert choice["logprobs"]["content"][0]["top_logprobs"][1]["token"] == first["top_logprobs"][1]["token"]

    # dict access through lists keeps models: both spellings mix
    assert resp["choices"][0].message.content == raw["choices"][0]["message"]["content"]
    assert resp.choices[0]["message"]["content"] == raw["choices"][0]["message"]["content"]

    usage = raw["usage"]
    assert isinstance(resp.usage, Usage)
    assert resp.usage.prompt_tokens == resp["usage"]["prompt_tokens"] == usage["prompt_tokens"]
    assert resp.usage.completion_tokens == usage["completion_tokens"]
    assert resp.usage.total_tokens == usage["total_tokens"]
    if "completion_tokens_details" in usage:
        details = resp.usage.completion_tokens_details
        assert isinstance(details, CompletionTokensDetails)
        assert details.reasoning_tokens == usage["completion_tokens_details"]["reasoning_tokens"]
    if "prompt_tokens_details" in usage:
        assert resp.usage.prompt_tokens_details.cached_tokens == usage["prompt_tokens_details"]["cached_tokens"]
    if "service_tier" in raw:  # unknown-to-us top-level field survives
        assert resp.service_tier == resp["service_tier"] == raw["service_tier"]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_dump_is_a_valid_openai_chat_completion(path: Path):
    raw = load_example(path)
    resp = ModelResponse(**raw)
    dumped = resp.model_dump()
    assert_subset(raw, dumped)
    parsed = oa_chat.ChatCompletion.model_validate(dumped)
    assert parsed.id == raw["id"]
    assert parsed.choices[0].message.content == raw["choices"][0]["message"]["content"]
    # JSON form too
    parsed_json = oa_chat.ChatCompletion.model_validate_json(resp.model_dump_json())
    assert parsed_json.usage.total_tokens == raw["usage"]["total_tokens"]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_json_round_trips(path: Path):
    resp = ModelResponse(**load_example(path))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        as_json = resp.json()
        as_dict = resp.dict()
        to_dict = resp.to_dict()
        to_json = resp.to_json()
        dump_json = resp.model_dump_json()
    # litellm's json()/dict() return the dumped dict
    assert as_json == as_dict == to_dict == resp.model_dump()
    assert isinstance(to_json, str) and isinstance(dump_json, str)
    assert json.loads(to_json) == json.loads(dump_json) == resp.model_dump()
    assert ModelResponse(**as_json) == resp
    assert ModelResponse(**json.loads(dump_json)) == resp
    assert ModelResponse.model_validate_json(dump_json) == resp
    assert ModelResponse(**json.loads(json.dumps(resp.json()))) == resp


def test_openai_sdk_objects_are_accepted_as_input():
    raw = load_json_example("createChatCompletion__functions.json")
    sdk = oa_chat.ChatCompletion.model_validate(raw)
    resp = ModelResponse(id=sdk.id, created=sdk.created, model=sdk.model, choices=sdk.choices, usage=sdk.usage)
    assert resp.choices[0].message.tool_calls[0].function.name == "get_current_weather"
    assert isinstance(resp.choices[0].message.tool_calls[0], ChatCompletionMessageToolCall)
    assert resp.usage.total_tokens == 99
    assert isinstance(resp.usage, Usage)


# --------------------------------------------------------------------------------------------
# defaults
# --------------------------------------------------------------------------------------------


def test_model_response_defaults():
    before = int(time.time())
    resp = ModelResponse()
    after = int(time.time())
    assert resp.id.startswith("chatcmpl-") and len(resp.id) > len("chatcmpl-") + 8
    assert before <= resp.created <= after
    assert resp.object == "chat.completion"
    assert resp.model is None
    assert len(resp.choices) == 1
    choice = resp.choices[0]
    assert isinstance(choice, Choices)
    assert choice.finish_reason == "stop" and choice.index == 0
    assert choice.message.content is None and choice.message.role == "assistant"
    assert choice.message.tool_calls is None
    assert resp.usage.prompt_tokens == resp.usage.completion_tokens == resp.usage.total_tokens == 0
    assert ModelResponse().id != resp.id
    resp.model = "some-model"  # openai requires a model name; litellm's default is None too
    oa_chat.ChatCompletion.model_validate(resp.model_dump())


def test_explicit_none_means_default():
    resp = ModelResponse(id=None, created=None, choices=None, object=None)
    assert resp.id.startswith("chatcmpl-")
    assert isinstance(resp.created, int)
    assert resp.object == "chat.completion"
    assert len(resp.choices) == 1
    resp = ModelResponse(choices=[{"message": {"content": "x", "role": None}, "finish_reason": None, "index": None}])
    assert resp.choices[0].message.role == "assistant"
    assert resp.choices[0].finish_reason == "stop"
    assert resp.choices[0].index == 0


def test_stream_chunk_construction():
    chunk = ModelResponse(stream=True)
    assert isinstance(chunk, ModelResponseStream) and isinstance(chunk, ModelResponse)
    assert chunk.object == "chat.completion.chunk"
    assert isinstance(chunk.choices[0], StreamingChoices)
    assert isinstance(chunk.choices[0].delta, Delta)
    assert chunk.choices[0].finish_reason is None
    assert chunk.usage is None
    assert "usage" not in chunk.model_dump()
    assert "usage" not in chunk
    chunk.model = "some-model"
    oa_chat.ChatCompletionChunk.model_validate(chunk.model_dump())

    usage_chunk = ModelResponse(
        stream=True,
        id="c",
        created=1,
        model="m",
        choices=[],
        usage={"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7},
    )
    assert usage_chunk.choices == []
    assert usage_chunk.usage.total_tokens == 7
    assert usage_chunk.model_dump()["usage"]["prompt_tokens"] == 3
    oa_chat.ChatCompletionChunk.model_validate(usage_chunk.model_dump())


def test_stream_is_detected_from_the_chunk_itself():
    raw = {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": None}],
    }
    assert isinstance(ModelResponse(**raw), ModelResponseStream)
    no_object = dict(raw)
    del no_object["object"]
    chunk = ModelResponse(**no_object)
    assert isinstance(chunk, ModelResponseStream)
    assert chunk.choices[0].delta.content == "hi"
    assert isinstance(ModelResponse(choices=[StreamingChoices()]), ModelResponseStream)
    assert type(ModelResponse(stream=False, choices=[{"message": {"content": "x"}}])) is ModelResponse
    # ModelResponseStream directly
    direct = ModelResponseStream(**raw)
    assert direct.choices[0]["delta"]["content"] == "hi"


def test_message_dump_shape():
    msg = Message(content="hi")
    assert msg.model_dump() == {"content": "hi", "role": "assistant", "tool_calls": None, "function_call": None}
    assert json.loads(msg.model_dump_json()) == msg.model_dump()
    assert msg.tool_calls is None
    assert msg.reasoning_content is None
    assert "reasoning_content" not in msg
    assert msg.get("reasoning_content", "dflt") == "dflt"
    assert set(msg.keys()) == {"content", "role", "tool_calls", "function_call"}
    assert "reasoning" not in repr(msg)

    rich = Message(
        content="x",
        reasoning_content="because",
        thinking_blocks=[{"type": "thinking", "thinking": "t", "signature": "s"}],
        annotations=[],
        refusal=None,
        audio={"id": "a", "data": "AAA", "transcript": "hi", "expires_at": 1},
        provider_specific_fields={"k": 1},
    )
    dumped = rich.model_dump()
    assert dumped["reasoning_content"] == "because"
    assert dumped["thinking_blocks"][0]["thinking"] == "t"
    assert dumped["annotations"] == []
    assert dumped["audio"]["transcript"] == "hi"
    assert rich.audio.transcript == rich["audio"]["transcript"] == "hi"
    assert dumped["provider_specific_fields"] == {"k": 1}
    assert "refusal" not in dumped
    assert "reasoning_content" in rich and "refusal" not in rich

    # setting an optional field later makes it appear
    msg.reasoning_content = "later"
    assert msg.model_dump()["reasoning_content"] == "later"
    assert "reasoning_content" in msg


def test_message_tool_calls_none_not_empty_list():
    assert Message().tool_calls is None
    assert Message(tool_calls=None).tool_calls is None
    assert Message(tool_calls=[]).tool_calls is None
    msg = Message(tool_calls=[{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}])
    assert isinstance(msg.tool_calls[0], ChatCompletionMessageToolCall)
    assert msg["tool_calls"][0]["function"]["name"] == "f"


def test_delta_defaults_and_tool_call_pieces():
    delta = Delta()
    assert delta.role is None and delta.content is None and delta.tool_calls is None
    assert delta.function_call is None
    assert delta.model_dump() == {"content": None, "role": None, "tool_calls": None, "function_call": None}

    delta = Delta(
        role="assistant",
        tool_calls=[{"index": 1, "id": "call_x", "type": "function", "function": {"name": "f", "arguments": ""}}],
        reasoning_content="r",
    )
    piece = delta.tool_calls[0]
    assert isinstance(piece, ChatCompletionDeltaToolCall)
    assert piece.index == 1 and piece.id == "call_x" and piece.function.name == "f"
    assert piece["function"]["arguments"] == ""
    assert delta.model_dump()["reasoning_content"] == "r"

    fragment = ChatCompletionDeltaToolCall(index=0, function={"arguments": '{"a"'})
    assert fragment.id is None and fragment.function.name is None
    assert fragment.function.arguments == '{"a"'
    assert fragment.type == "function"


def test_choices_and_streaming_choices_defaults():
    choice = Choices()
    assert (choice.finish_reason, choice.index, choice.logprobs) == ("stop", 0, None)
    assert choice.message == Message()
    streaming = StreamingChoices()
    assert (streaming.finish_reason, streaming.index, streaming.logprobs) == (None, 0, None)
    assert streaming.delta == Delta()
    assert StreamingChoices(delta={"content": "x"}, logprobs={"content": []}).logprobs.content == []


# --------------------------------------------------------------------------------------------
# tool calls
# --------------------------------------------------------------------------------------------


def test_tool_call_defaults_and_dict_arguments():
    call = ChatCompletionMessageToolCall(function=Function(name="get_weather", arguments={"city": "Paris"}))
    assert call.id.startswith("call_") and len(call.id) > len("call_") + 8
    assert call.type == "function"
    assert isinstance(call.function.arguments, str)
    assert json.loads(call.function.arguments) == {"city": "Paris"}
    assert call["function"]["name"] == "get_weather"
    assert ChatCompletionMessageToolCall(function={"name": "f"}, id=None).id.startswith("call_")
    assert (
        ChatCompletionMessageToolCall(function={"name": "f"}).id
        != ChatCompletionMessageToolCall(function={"name": "f"}).id
    )
    assert ChatCompletionMessageToolCall(id="call_given", function={"name": "f"}).id == "call_given"
    assert Function(name="f").arguments == ""
    assert Function(arguments=None).arguments == ""
    assert Function(arguments="{}").arguments == "{}"
    assert json.loads(Function(arguments=[1, 2]).arguments) == [1, 2]
    # a complete message with such a call is a valid OpenAI message
    resp = ModelResponse(
        model="m", choices=[{"message": {"content": None, "tool_calls": [call]}, "finish_reason": "tool_calls"}]
    )
    oa_chat.ChatCompletion.model_validate(resp.model_dump())


# --------------------------------------------------------------------------------------------
# usage
# --------------------------------------------------------------------------------------------


def test_usage_totals_and_details():
    usage = Usage(prompt_tokens=3, completion_tokens=4)
    assert usage.total_tokens == 7
    assert Usage(prompt_tokens=3, completion_tokens=4, total_tokens=10).total_tokens == 10
    assert Usage().total_tokens == 0
    zero = Usage(prompt_tokens=None, completion_tokens=None, total_tokens=None)
    assert (zero.prompt_tokens, zero.completion_tokens, zero.total_tokens) == (0, 0, 0)

    from_dicts = Usage(
        prompt_tokens=10,
        completion_tokens=5,
        prompt_tokens_details={"cached_tokens": 2, "audio_tokens": 0},
        completion_tokens_details={"reasoning_tokens": 3},
    )
    assert isinstance(from_dicts.prompt_tokens_details, PromptTokensDetails)
    assert from_dicts.prompt_tokens_details.cached_tokens == 2
    assert from_dicts["completion_tokens_details"]["reasoning_tokens"] == 3

    from_ours = Usage(prompt_tokens_details=PromptTokensDetails(cached_tokens=1))
    assert from_ours.prompt_tokens_details.cached_tokens == 1
    from_sdk = Usage(
        prompt_tokens=1,
        prompt_tokens_details=OAPromptTokensDetails(cached_tokens=1, audio_tokens=2),
        completion_tokens_details=OACompletionTokensDetails(reasoning_tokens=4),
    )
    assert isinstance(from_sdk.prompt_tokens_details, PromptTokensDetails)
    assert from_sdk.prompt_tokens_details.audio_tokens == 2
    assert from_sdk.completion_tokens_details.reasoning_tokens == 4

    assert Usage(completion_tokens=9, reasoning_tokens=6).completion_tokens_details.reasoning_tokens == 6
    # openai accepts our dump
    oa_types.CompletionUsage.model_validate(from_dicts.model_dump())


def test_usage_anthropic_cache_fields():
    usage = Usage(prompt_tokens=100, completion_tokens=10, cache_read_input_tokens=40, cache_creation_input_tokens=7)
    assert usage.total_tokens == 110
    assert usage.prompt_tokens_details.cached_tokens == 40
    assert usage.prompt_tokens_details.cache_creation_tokens == 7
    assert usage.cache_read_input_tokens == usage["cache_read_input_tokens"] == 40
    assert usage.cache_creation_input_tokens == 7
    assert usage._cache_read_input_tokens == 40 and usage._cache_creation_input_tokens == 7
    dumped = usage.model_dump()
    assert dumped["cache_read_input_tokens"] == 40
    assert dumped["prompt_tokens_details"]["cached_tokens"] == 40
    # explicit details win
    explicit = Usage(prompt_tokens=5, cache_read_input_tokens=4, prompt_tokens_details={"cached_tokens": 3})
    assert explicit.prompt_tokens_details.cached_tokens == 3
    # cache counters never reported read as 0 (callers add them up), and stay out of dumps
    plain = Usage(prompt_tokens=3, completion_tokens=2)
    assert plain.cache_read_input_tokens == 0 and plain.cache_creation_input_tokens == 0
    assert plain["cache_read_input_tokens"] == 0
    assert getattr(plain, "cache_creation_input_tokens", None) == 0
    assert "cache_read_input_tokens" not in plain.model_dump() and "cache_read_input_tokens" not in plain.keys()
    assert Usage(prompt_tokens=3, cache_read_input_tokens=None).cache_read_input_tokens == 0
    # other never-given optional counters read as None
    assert Usage().server_tool_use is None
    assert Usage(prompt_tokens_details={"cached_tokens": 0}).prompt_tokens_details.text_tokens is None


# --------------------------------------------------------------------------------------------
# dict-style access, private attributes, equality
# --------------------------------------------------------------------------------------------


def test_dict_style_access():
    resp = ModelResponse(**load_json_example("createChatCompletion__default.json"))
    assert "usage" in resp and "choices" in resp and "nope" not in resp
    assert resp.get("usage") is resp.usage
    assert resp.get("missing") is None
    assert resp.get("missing", 42) == 42
    with pytest.raises(KeyError):
        resp["missing"]
    with pytest.raises(AttributeError):  # litellm raised AttributeError here
        resp["missing"]
    with pytest.raises(KeyError):
        resp["json"]  # methods are not keys

    keys = resp.keys()
    assert {"id", "created", "model", "object", "choices", "usage", "service_tier"} <= set(keys)
    assert dict(resp.items())["id"] == resp.id
    assert len(resp.values()) == len(keys)
    assert dict(resp)["choices"] is resp.choices  # mapping protocol keeps nested models
    assert isinstance(resp["choices"], list) and isinstance(resp["choices"][0], Choices)

    resp["custom_field"] = {"a": 1}
    assert resp.custom_field == {"a": 1} and resp["custom_field"] == {"a": 1}
    assert "custom_field" in resp and "custom_field" in resp.keys()
    assert resp.model_dump()["custom_field"] == {"a": 1}

    resp["model"] = "other"
    assert resp.model == "other"
    resp.choices[0]["message"]["content"] = "changed"
    assert resp.choices[0].message.content == "changed"


def test_unknown_provider_fields_survive():
    raw = {
        "id": "x",
        "created": 1,
        "model": "m",
        "object": "chat.completion",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": "hi", "citations": ["u1"]},
                "stop_reason": "eos",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2, "queue_time": 0.1},
        "x_groq": {"id": "req_1"},
    }
    resp = ModelResponse(**raw)
    assert resp.x_groq == {"id": "req_1"}
    assert resp.choices[0].stop_reason == "eos"
    assert resp.choices[0].message.citations == ["u1"]
    assert resp.usage.queue_time == 0.1
    assert_subset(raw, resp.model_dump())
    assert_subset(raw, json.loads(resp.model_dump_json()))


def test_hidden_params_are_private():
    resp = ModelResponse()
    assert resp._hidden_params == {}
    assert resp._response_ms is None
    resp._hidden_params["model_id"] = "deployment-1"
    resp._response_ms = 12.5
    assert ModelResponse()._hidden_params == {}  # not shared between instances
    for dumped in (resp.model_dump(), resp.json(), resp.dict(), resp.to_dict(), json.loads(resp.model_dump_json())):
        assert "_hidden_params" not in dumped and "hidden_params" not in dumped
        assert "_response_ms" not in dumped and "response_ms" not in dumped
    assert "deployment-1" not in resp.to_json()
    assert resp.get("_hidden_params") == {"model_id": "deployment-1"}
    resp._hidden_params = {"replaced": True}
    assert resp._hidden_params == {"replaced": True}

    built = ModelResponse(hidden_params={"a": 1}, response_ms=3.0)
    assert built._hidden_params == {"a": 1} and built._response_ms == 3.0
    assert "hidden_params" not in built.model_dump()

    emb = EmbeddingResponse(hidden_params={"b": 2})
    assert emb._hidden_params == {"b": 2} and "_hidden_params" not in emb.model_dump()
    assert TextCompletionResponse()._hidden_params == {}


def test_equality_by_content():
    raw = load_json_example("createChatCompletion__default.json")
    a, b = ModelResponse(**raw), ModelResponse(**raw)
    assert a == b and not (a != b)
    b._hidden_params["x"] = 1  # private state does not count
    assert a == b
    assert a == a.model_dump()
    b.choices[0].message.content = "different"
    assert a != b
    assert Message(content="x") == Message(content="x")
    assert Message(content="x") != Message(content="y")
    assert Usage(prompt_tokens=1) == Usage(prompt_tokens=1, completion_tokens=0)
    assert Message(content="x") != Usage()


def test_copy_and_pickle_keep_type_and_private_state():
    chunk = ModelResponse(stream=True, choices=[{"delta": {"content": "hi"}}])
    chunk._hidden_params["k"] = "v"
    for clone in (copy.deepcopy(chunk), pickle.loads(pickle.dumps(chunk)), chunk.model_copy(deep=True)):
        assert type(clone) is ModelResponseStream
        assert clone == chunk
        assert clone._hidden_params == {"k": "v"}


# --------------------------------------------------------------------------------------------
# embeddings and text completions
# --------------------------------------------------------------------------------------------


def _documented_embedding_response(vector):
    return {
        "object": "list",
        "data": [{"object": "embedding", "embedding": vector, "index": 0}],
        "model": "text-embedding-ada-002",
        "usage": {"prompt_tokens": 8, "total_tokens": 8},
    }


def test_embedding_response_float():
    vector = [0.0023064255, -0.009327292, -0.0028842222]
    raw = _documented_embedding_response(vector)
    resp = EmbeddingResponse(**raw)
    assert resp.object == "list" and resp.model == "text-embedding-ada-002"
    item = resp.data[0]
    assert isinstance(item, Embedding)
    assert item.embedding == item["embedding"] == resp["data"][0]["embedding"] == vector
    assert item.index == 0 and item.object == "embedding"
    assert resp.usage.prompt_tokens == 8 and resp.usage.total_tokens == 8
    dumped = resp.model_dump()
    assert_subset(raw, dumped)
    oa_types.CreateEmbeddingResponse.model_validate(dumped)
    assert EmbeddingResponse(**json.loads(resp.model_dump_json())) == resp


def test_embedding_response_base64():
    raw = _documented_embedding_response("AAAAAAAAgD8=")
    resp = EmbeddingResponse(**raw)
    assert resp.data[0].embedding == resp.data[0]["embedding"] == "AAAAAAAAgD8="
    assert resp.model_dump()["data"][0]["embedding"] == "AAAAAAAAgD8="


def test_embedding_response_defaults_and_inputs():
    empty = EmbeddingResponse()
    assert empty.object == "list" and empty.data == [] and empty.model is None
    assert isinstance(empty.usage, Usage)
    assert EmbeddingResponse(model=None, data=None, usage=None).data == []
    mixed = EmbeddingResponse(
        data=[{"embedding": [1.0], "index": 0, "object": "embedding"}, Embedding(embedding=[2.0], index=1)],
        usage=Usage(prompt_tokens=2, total_tokens=2),
    )
    assert [d.index for d in mixed.data] == [0, 1]
    assert mixed.data[1]["embedding"] == [2.0]
    assert mixed.usage.total_tokens == 2


def test_text_completion_response():
    raw = load_json_example("createCompletion__no_streaming.json")
    resp = TextCompletionResponse(**raw)
    assert resp.object == "text_completion"
    assert isinstance(resp.choices[0], TextChoices)
    assert resp.choices[0].text == resp["choices"][0]["text"] == raw["choices"][0]["text"]
    assert resp.choices[0].finish_reason == "length"
    assert resp.usage.total_tokens == 12
    assert_subset(raw, resp.model_dump())
    oa_types.Completion.model_validate(resp.model_dump())

    default = TextCompletionResponse()
    assert default.object == "text_completion" and default.id.startswith("cmpl-")
    assert len(default.choices) == 1 and default.choices[0].index == 0

    with_logprobs = TextChoices(
        text="a", logprobs={"tokens": ["a"], "token_logprobs": [-0.1], "top_logprobs": None, "text_offset": [0]}
    )
    assert with_logprobs.logprobs.tokens == ["a"]
    assert isinstance(with_logprobs.logprobs, lt.Logprobs)


# --------------------------------------------------------------------------------------------
# public surface, cost and import weight
# --------------------------------------------------------------------------------------------


def test_public_names():
    for name in (
        "ModelResponse",
        "ModelResponseStream",
        "Choices",
        "StreamingChoices",
        "Message",
        "Delta",
        "Usage",
        "PromptTokensDetails",
        "CompletionTokensDetails",
        "ChatCompletionMessageToolCall",
        "Function",
        "ChatCompletionDeltaToolCall",
        "ChoiceLogprobs",
        "Logprobs",
        "EmbeddingResponse",
        "Embedding",
        "TextCompletionResponse",
        "TextChoices",
        "LiteLLMBase",
        "OpenAIObject",
        "stream_chunk_builder",
        "ChunkAccumulator",
    ):
        assert hasattr(lt, name), name
        assert name in lt.__all__, name


def test_construction_cost_stays_small():
    raw = load_json_example("createChatCompletion__default.json")
    ModelResponse(**raw)
    best = min(timeit.repeat(lambda: ModelResponse(**raw), number=200, repeat=5)) / 200
    # typically well under 20 microseconds; the bound only catches pathological regressions
    assert best < 300e-6, f"ModelResponse(**dict) took {best * 1e6:.1f} us"


def test_import_is_light():
    code = (
        "import sys, litegate.types.utils, litegate.types.streaming\n"
        "heavy = [m for m in ('openai', 'httpx', 'tiktoken', 'tokenizers', 'numpy', 'aiohttp', 'litellm')"
        " if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    src = str(Path(lt.__file__).resolve().parents[2])
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": src, "PATH": ""},
    )
    assert out.stdout.strip() == "", f"importing litegate.types pulled in: {out.stdout.strip()}"
