"""Stream chunks: parsing recorded OpenAI streams and rebuilding the complete response."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openai.types.chat as oa_chat
import pytest
from _types_refdata import assert_subset, read_sse, sse_files
from hypothesis import given, settings
from hypothesis import strategies as st

import litegate.types.streaming as streaming
from litegate.types import (
    ChunkAccumulator,
    ModelResponse,
    ModelResponseStream,
    StreamingChoices,
    TextCompletionResponse,
    Usage,
    stream_chunk_builder,
)

STREAMS = sse_files()


def test_recorded_streams_found():
    names = {p.name for p in STREAMS}
    assert len(STREAMS) >= 12
    assert "chat_stream_n3_multiple_choices.sse" in names
    assert "chat_stream_multiple_parallel_tool_calls.sse" in names


def _chunks(path: Path) -> list[ModelResponse]:
    return [ModelResponse(stream=True, **event) for event in read_sse(path)]


def _expected(events: list[dict[str, Any]]) -> dict[str, Any]:
    """What the rebuilt response must contain, computed straight from the raw JSON events."""
    choices: dict[int, dict[str, Any]] = {}
    usage = None
    for event in events:
        if event.get("usage"):
            usage = event["usage"]
        for choice in event.get("choices") or []:
            state = choices.setdefault(
                choice["index"],
                {
                    "role": None,
                    "content": None,
                    "refusal": None,
                    "tool_calls": {},
                    "finish_reason": None,
                    "lp_content": None,
                    "lp_refusal": None,
                },
            )
            delta = choice.get("delta") or {}
            if delta.get("role") and state["role"] is None:
                state["role"] = delta["role"]
            if delta.get("content") is not None:
                state["content"] = (state["content"] or "") + delta["content"]
            if delta.get("refusal") is not None:
                state["refusal"] = (state["refusal"] or "") + delta["refusal"]
            for piece in delta.get("tool_calls") or []:
                call = state["tool_calls"].setdefault(piece["index"], {"id": None, "name": None, "arguments": ""})
                if piece.get("id") and call["id"] is None:
                    call["id"] = piece["id"]
                function = piece.get("function") or {}
                if function.get("name") and call["name"] is None:
                    call["name"] = function["name"]
                call["arguments"] += function.get("arguments") or ""
            if choice.get("finish_reason") is not None:
                state["finish_reason"] = choice["finish_reason"]
            logprobs = choice.get("logprobs")
            if logprobs:
                if logprobs.get("content") is not None:
                    state["lp_content"] = (state["lp_content"] or []) + logprobs["content"]
                if logprobs.get("refusal") is not None:
                    state["lp_refusal"] = (state["lp_refusal"] or []) + logprobs["refusal"]
    for state in choices.values():
        # a message that carries tool calls or a refusal has null content, as in non-stream replies
        if not state["content"] and (state["tool_calls"] or state["refusal"]):
            state["content"] = None
    first = events[0]
    return {
        "id": first["id"],
        "created": first["created"],
        "model": first["model"],
        "system_fingerprint": first.get("system_fingerprint"),
        "choices": choices,
        "usage": usage,
    }


# --------------------------------------------------------------------------------------------
# chunks
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", STREAMS, ids=lambda p: p.name)
def test_chunks_parse_and_dump_as_openai_chunks(path: Path):
    events = read_sse(path)
    assert events
    for event in events:
        chunk = ModelResponse(stream=True, **event)
        assert isinstance(chunk, ModelResponseStream)
        assert chunk.object == chunk["object"] == "chat.completion.chunk"
        assert chunk.id == event["id"]
        dumped = chunk.model_dump()
        assert_subset(event, dumped)
        oa_chat.ChatCompletionChunk.model_validate(dumped)
        oa_chat.ChatCompletionChunk.model_validate_json(chunk.model_dump_json())
        if not event["choices"]:
            assert chunk.choices == []
            assert chunk.usage.total_tokens == event["usage"]["total_tokens"]
        for choice, raw in zip(chunk.choices, event["choices"], strict=False):
            assert isinstance(choice, StreamingChoices)
            raw_delta = raw["delta"]
            assert choice.delta.content == choice["delta"]["content"] == raw_delta.get("content")
            assert choice.finish_reason == raw["finish_reason"]
            if raw_delta.get("tool_calls"):
                for piece, raw_piece in zip(choice.delta.tool_calls, raw_delta["tool_calls"], strict=False):
                    assert piece.index == piece["index"] == raw_piece["index"]
                    assert piece.function.arguments == raw_piece["function"].get("arguments", "")
                    assert piece.id == raw_piece.get("id")
        if "usage" not in event:
            assert "usage" not in dumped


# --------------------------------------------------------------------------------------------
# rebuilding
# --------------------------------------------------------------------------------------------


def _check_rebuilt(built: ModelResponse, expected: dict[str, Any]) -> None:
    assert type(built) is ModelResponse
    assert built.object == "chat.completion"
    assert built.id == expected["id"]
    assert built.created == expected["created"]
    assert built.model == expected["model"]
    assert built.system_fingerprint == expected["system_fingerprint"]

    assert [c.index for c in built.choices] == sorted(expected["choices"])
    for choice in built.choices:
        want = expected["choices"][choice.index]
        msg = choice.message
        assert msg.role == (want["role"] or "assistant")
        assert msg.content == choice["message"]["content"] == want["content"]
        assert msg.refusal == want["refusal"]
        assert choice.finish_reason == (want["finish_reason"] or "stop")
        if want["tool_calls"]:
            got = [(c.id, c.function.name, c.function.arguments, c.type) for c in msg.tool_calls]
            exp = [(c["id"], c["name"], c["arguments"], "function") for _, c in sorted(want["tool_calls"].items())]
            assert got == exp
            for call in msg.tool_calls:
                json.loads(call.function.arguments)  # complete JSON after merging
        else:
            assert msg.tool_calls is None
        if want["lp_content"] is None and want["lp_refusal"] is None:
            assert choice.logprobs is None
        else:
            dumped = choice.logprobs.model_dump()
            assert dumped["content"] == want["lp_content"]
            assert dumped["refusal"] == want["lp_refusal"]

    if expected["usage"] is not None:
        assert_subset(expected["usage"], built.usage.model_dump())
    else:
        # no usage streamed: the completion is counted with the tokenizer (no messages given: prompt 0)
        import tiktoken  # noqa: F401 - the counter's engine; its count is checked independently below

        from litegate.tokens import get_encoding

        text = "".join(c.message.content or "" for c in built.choices)
        expected_completion = len(get_encoding("cl100k_base").encode(text))
        assert (built.usage.prompt_tokens, built.usage.completion_tokens, built.usage.total_tokens) == (
            0,
            expected_completion,
            expected_completion,
        )


@pytest.mark.parametrize("path", STREAMS, ids=lambda p: p.name)
def test_stream_chunk_builder_rebuilds_recorded_stream(path: Path):
    events = read_sse(path)
    built = stream_chunk_builder(_chunks(path))
    _check_rebuilt(built, _expected(events))
    dumped = built.model_dump()
    oa_chat.ChatCompletion.model_validate(dumped)
    assert "_hidden_params" not in dumped
    # the rebuilt response is an ordinary response: JSON round trip
    assert ModelResponse(**json.loads(built.model_dump_json())) == built


@pytest.mark.parametrize("path", STREAMS, ids=lambda p: p.name)
def test_accumulator_matches_builder(path: Path):
    events = read_sse(path)
    chunks = _chunks(path)
    acc = ChunkAccumulator()
    for chunk in chunks:
        acc.add(chunk)
    assert len(acc) == len(chunks)
    incremental = acc.build()
    assert incremental == stream_chunk_builder(chunks)
    assert acc.build() == incremental  # build() can be called again

    from_dicts = ChunkAccumulator()
    for event in events:
        from_dicts.add(event)
    assert from_dicts.build() == incremental


def test_builder_does_not_modify_chunks():
    path = next(p for p in STREAMS if p.name == "chat_stream_content_logprobs.sse")
    chunks = _chunks(path)
    before = [c.model_dump() for c in chunks]
    stream_chunk_builder(chunks)
    stream_chunk_builder(chunks)
    assert [c.model_dump() for c in chunks] == before


def test_n3_choices_are_kept_apart():
    path = next(p for p in STREAMS if p.name == "chat_stream_n3_multiple_choices.sse")
    built = stream_chunk_builder(_chunks(path))
    assert [c.index for c in built.choices] == [0, 1, 2]
    for choice in built.choices:
        json.loads(choice.message.content)  # each choice is a complete JSON document


def test_parallel_tool_calls_are_merged_by_index():
    path = next(p for p in STREAMS if p.name == "chat_stream_multiple_parallel_tool_calls.sse")
    built = stream_chunk_builder(_chunks(path))
    calls = built.choices[0].message.tool_calls
    assert [c.function.name for c in calls] == ["GetWeatherArgs", "get_stock_price"]
    assert json.loads(calls[1].function.arguments)["ticker"] == "AAPL"
    assert built.choices[0].finish_reason == "tool_calls"
    assert built.choices[0].message.content is None


def test_empty_input_gives_none():
    assert stream_chunk_builder([]) is None
    assert ChunkAccumulator().build() is None


# --------------------------------------------------------------------------------------------
# synthetic streams: the cases the recordings do not cover
# --------------------------------------------------------------------------------------------


def _chunk(delta=None, index=0, finish_reason=None, **top):
    fields = {"id": "chatcmpl-s", "created": 5, "model": "m"}
    fields.update(top)
    if "choices" not in fields:
        fields["choices"] = [{"index": index, "delta": delta or {}, "finish_reason": finish_reason}]
    return ModelResponse(stream=True, **fields)


def test_no_usage_uses_estimate_hook(monkeypatch):
    chunks = [_chunk({"role": "assistant", "content": "Hel"}), _chunk({"content": "lo"}), _chunk(finish_reason="stop")]
    built = stream_chunk_builder(chunks)
    # the default hook counts the text: "Hello" is one cl100k token
    assert built.usage.model_dump()["completion_tokens"] == 1
    assert built.choices[0].message.content == "Hello"

    seen = {}

    def fake_estimate(messages, completion_text):
        seen["messages"], seen["text"] = messages, completion_text
        return Usage(prompt_tokens=3, completion_tokens=1)

    monkeypatch.setattr(streaming, "_estimate_usage", fake_estimate)
    messages = [{"role": "user", "content": "hi"}]
    built = stream_chunk_builder(chunks, messages=messages)
    assert seen == {"messages": messages, "text": "Hello"}
    assert (built.usage.prompt_tokens, built.usage.completion_tokens, built.usage.total_tokens) == (3, 1, 4)

    monkeypatch.setattr(streaming, "_estimate_usage", lambda m, t: {"prompt_tokens": 2, "completion_tokens": 2})
    assert stream_chunk_builder(chunks).usage.total_tokens == 4


def test_streamed_usage_wins_over_estimate(monkeypatch):
    monkeypatch.setattr(streaming, "_estimate_usage", lambda m, t: pytest.fail("estimate not needed"))
    chunks = [
        _chunk({"content": "a"}),
        _chunk(finish_reason="stop"),
        _chunk(choices=[], usage={"prompt_tokens": 7, "completion_tokens": 1, "total_tokens": 8}),
    ]
    assert stream_chunk_builder(chunks).usage.total_tokens == 8


def test_usage_split_over_chunks_is_merged():
    chunks = [
        _chunk({"content": "a"}, usage={"prompt_tokens": 10, "completion_tokens": 0, "cache_read_input_tokens": 4}),
        _chunk({"content": "b"}, finish_reason="stop", usage={"prompt_tokens": 0, "completion_tokens": 2}),
    ]
    usage = stream_chunk_builder(chunks).usage
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (10, 2, 12)
    assert usage.prompt_tokens_details.cached_tokens == 4


def test_reasoning_and_thinking_are_concatenated():
    chunks = [
        _chunk({"role": "assistant", "reasoning_content": "First, "}),
        _chunk({"reasoning_content": "think.", "thinking_blocks": [{"type": "thinking", "thinking": "First, "}]}),
        _chunk({"thinking_blocks": [{"type": "thinking", "thinking": "think.", "signature": "sig"}]}),
        _chunk({"reasoning": " More."}),  # some providers use the short name
        _chunk({"content": "Answer"}, finish_reason="stop"),
    ]
    msg = stream_chunk_builder(chunks).choices[0].message
    assert msg.reasoning_content == "First, think. More."
    assert msg.thinking_blocks == [{"type": "thinking", "thinking": "First, think.", "signature": "sig"}]
    assert msg.content == "Answer"
    assert "reasoning_content" in msg.model_dump()
    plain = stream_chunk_builder([_chunk({"content": "x"})]).choices[0].message
    assert "reasoning_content" not in plain.model_dump() and plain.reasoning_content is None


def test_tool_calls_all_at_index_zero_with_distinct_ids():
    chunks = [
        _chunk({"tool_calls": [{"index": 0, "id": "call_a", "function": {"name": "f", "arguments": '{"x":'}}]}),
        _chunk({"tool_calls": [{"index": 0, "function": {"arguments": "1}"}}]}),
        _chunk({"tool_calls": [{"index": 0, "id": "call_b", "function": {"name": "g", "arguments": "{}"}}]}),
        _chunk(finish_reason="tool_calls"),
    ]
    calls = stream_chunk_builder(chunks).choices[0].message.tool_calls
    assert [(c.id, c.function.name, c.function.arguments) for c in calls] == [
        ("call_a", "f", '{"x":1}'),
        ("call_b", "g", "{}"),
    ]


def test_legacy_function_call_and_last_finish_reason():
    chunks = [
        _chunk({"role": "assistant", "function_call": {"name": "lookup", "arguments": ""}}),
        _chunk({"function_call": {"arguments": '{"q": '}}),
        _chunk({"function_call": {"arguments": '"x"}'}}, finish_reason="function_call"),
        _chunk({}, finish_reason=None),
    ]
    choice = stream_chunk_builder(chunks).choices[0]
    assert choice.message.function_call.name == "lookup"
    assert json.loads(choice.message.function_call.arguments) == {"q": "x"}
    assert choice.finish_reason == "function_call"
    assert choice.message.content is None


def test_top_level_fields_and_hidden_params():
    first = _chunk({"content": "a"}, service_tier="default", system_fingerprint="fp_1")
    first._hidden_params["model_id"] = "dep-1"
    last = _chunk({"content": "b"}, finish_reason="stop", system_fingerprint="fp_1")
    built = stream_chunk_builder([first, last])
    assert built.service_tier == "default"
    assert built.system_fingerprint == "fp_1"
    assert built._hidden_params == {"model_id": "dep-1"}
    assert "_hidden_params" not in built.model_dump()
    assert built.id == "chatcmpl-s" and built.created == 5 and built.model == "m"


def test_response_ms_from_start_and_end():
    built = stream_chunk_builder([_chunk({"content": "a"})], start_time=1.0, end_time=1.25)
    assert built._response_ms == pytest.approx(250.0)


def test_text_completion_chunks():
    events = [
        {
            "id": "cmpl-1",
            "object": "text_completion",
            "created": 1,
            "model": "m",
            "choices": [{"text": "Hello", "index": 0, "logprobs": None, "finish_reason": None}],
        },
        {
            "id": "cmpl-1",
            "object": "text_completion",
            "created": 1,
            "model": "m",
            "choices": [{"text": " world", "index": 0, "logprobs": None, "finish_reason": "length"}],
        },
    ]
    built = stream_chunk_builder([TextCompletionResponse(**e) for e in events])
    assert isinstance(built, TextCompletionResponse)
    assert built.choices[0].text == "Hello world"
    assert built.choices[0].finish_reason == "length"
    acc = ChunkAccumulator()
    for e in events:
        acc.add(e)
    assert acc.build() == built


# --------------------------------------------------------------------------------------------
# property: any split of content and arguments rebuilds the same message
# --------------------------------------------------------------------------------------------


def _split(text: str, cuts: list[int]) -> list[str]:
    points = sorted({c % (len(text) + 1) for c in cuts} | {0, len(text)})
    return [text[a:b] for a, b in zip(points, points[1:], strict=False)] or [""]


@settings(max_examples=60, deadline=None)
@given(
    content=st.text(min_size=1, max_size=60),
    args=st.dictionaries(st.text(min_size=1, max_size=5), st.integers(), max_size=4),
    cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=10),
    n=st.integers(min_value=1, max_value=3),
)
def test_any_fragmentation_rebuilds_the_same_message(content, args, cuts, n):
    arguments = json.dumps(args)
    events: list[dict[str, Any]] = []
    for index in range(n):
        events.append(
            {
                "id": "x",
                "created": 1,
                "model": "m",
                "choices": [{"index": index, "delta": {"role": "assistant", "content": ""}}],
            }
        )
    for piece in _split(content, cuts):
        for index in range(n):
            events.append(
                {"id": "x", "created": 1, "model": "m", "choices": [{"index": index, "delta": {"content": piece}}]}
            )
    for index in range(n):
        events.append(
            {
                "id": "x",
                "created": 1,
                "model": "m",
                "choices": [
                    {
                        "index": index,
                        "delta": {
                            "tool_calls": [
                                {
                                    "index": 0,
                                    "id": f"call_{index}",
                                    "type": "function",
                                    "function": {"name": "f", "arguments": ""},
                                }
                            ]
                        },
                    }
                ],
            }
        )
    for piece in _split(arguments, cuts[::-1]):
        for index in range(n):
            events.append(
                {
                    "id": "x",
                    "created": 1,
                    "model": "m",
                    "choices": [
                        {"index": index, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}}
                    ],
                }
            )
    for index in range(n):
        events.append(
            {
                "id": "x",
                "created": 1,
                "model": "m",
                "choices": [{"index": index, "delta": {}, "finish_reason": "tool_calls"}],
            }
        )

    built = stream_chunk_builder([ModelResponse(stream=True, **e) for e in events])
    assert len(built.choices) == n
    for index, choice in enumerate(built.choices):
        assert choice.index == index
        assert choice.message.content == content
        assert len(choice.message.tool_calls) == 1
        call = choice.message.tool_calls[0]
        assert call.id == f"call_{index}"
        assert json.loads(call.function.arguments) == args
        assert choice.finish_reason == "tool_calls"
