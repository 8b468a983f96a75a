"""Response and stream parsing of the documented Ollama responses (the translator alone, no I/O)."""

from __future__ import annotations

import base64
import calendar
import json
import struct
import time

import pytest
from _ollama_helpers import ndjson, transcript

import litegate
from litegate.core.call import ChatCall, EmbeddingCall
from litegate.core.http import Headers, HttpResponse
from litegate.core.resolve import Target
from litegate.providers import get_provider
from litegate.providers.ollama import OllamaStreamDecoder


def _call(stream=False, **params):
    return ChatCall("ollama_chat/llama3.2", [{"role": "user", "content": "hi"}], stream, params, {})


def _target(provider="ollama_chat", model="llama3.2"):
    return Target(provider, model, "http://localhost:11434", None)


def _resp(body, status=200):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return HttpResponse(status, Headers({"content-type": "application/json; charset=utf-8"}), raw)


def _parse(provider, body, **params):
    p = get_provider(provider)
    return p.parse_chat(_resp(body), _call(**params), _target(provider))


def _decode(data: bytes, provider="ollama_chat", include_usage=False, pieces=None):
    dec = get_provider(provider).stream_decoder(
        _call(True, **({"stream_options": {"include_usage": True}} if include_usage else {})), _target(provider)
    )
    out = []
    if pieces is None:
        out += dec.feed(data)
    else:
        for piece in pieces:
            out += dec.feed(piece)
    out += dec.finish()
    return out


def _ts(text: str) -> int:
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%S"))


# ------------------------------------------------------------------------- non-stream chat


def test_chat_response_is_an_openai_completion():
    doc = transcript("chat_no_streaming.json")["response"]
    r = _parse("ollama_chat", doc)
    assert isinstance(r, litegate.ModelResponse)
    assert r.object == "chat.completion"
    assert r.id.startswith("chatcmpl-")
    assert r.model == "llama3.2"
    assert r.created == _ts("2023-12-12T14:13:43")
    assert r.choices[0].message.role == "assistant"
    assert r.choices[0].message.content == doc["message"]["content"] == "Hello! How are you today?"
    assert r.choices[0].message.tool_calls is None
    assert r.choices[0].finish_reason == "stop"  # no done_reason in this example
    assert r.usage.prompt_tokens == 26
    assert r.usage.completion_tokens == 298
    assert r.usage.total_tokens == 324


def test_openapi_chat_example():
    doc = transcript("chat_openapi_example.json")["response"]
    r = _parse("ollama_chat", doc)
    assert r.choices[0].message.content == doc["message"]["content"]
    assert (r.usage.prompt_tokens, r.usage.completion_tokens) == (11, 18)
    assert r.created == _ts("2025-10-17T23:14:07")


def test_tool_call_arguments_object_becomes_json_string_with_an_id():
    doc = transcript("chat_tools.json")["response"]
    assert doc["done_reason"] == "stop"
    r = _parse("ollama_chat", doc)
    msg = r.choices[0].message
    assert msg.content is None  # empty content beside tool calls reads as None, as in OpenAI
    [tc] = msg.tool_calls
    assert tc.type == "function"
    assert tc.id.startswith("call_") and len(tc.id) > 10
    assert tc.function.name == "get_weather"
    assert json.loads(tc.function.arguments) == {"city": "Tokyo"}
    assert r.choices[0].finish_reason == "tool_calls"
    assert (r.usage.prompt_tokens, r.usage.completion_tokens) == (169, 18)


def test_an_id_ollama_gives_is_kept_and_parallel_calls_keep_their_order():
    doc = transcript("chat_tools.json")["response"]
    doc["message"]["tool_calls"] = [
        {"id": "call_abc", "function": {"name": "get_temperature", "arguments": {"city": "New York"}}},
        {"function": {"name": "get_conditions", "arguments": {"city": "London"}}},
    ]
    r = _parse("ollama_chat", doc)
    calls = r.choices[0].message.tool_calls
    assert [c.function.name for c in calls] == ["get_temperature", "get_conditions"]
    assert calls[0].id == "call_abc"
    assert calls[1].id.startswith("call_") and calls[1].id != calls[0].id


@pytest.mark.parametrize("name", ["chat_structured_outputs.json", "chat_history_tools.json", "chat_images.json"])
def test_documented_chat_answers(name):
    doc = transcript(name)["response"]
    r = _parse("ollama_chat", doc)
    assert r.choices[0].message.content == doc["message"]["content"]
    assert r.choices[0].finish_reason == "stop"
    assert r.usage.completion_tokens == doc["eval_count"]


def test_structured_output_content_is_the_json_text():
    doc = transcript("chat_structured_outputs.json")["response"]
    r = _parse("ollama_chat", doc)
    assert json.loads(r.choices[0].message.content) == {"age": 22, "available": False}


def test_thinking_becomes_reasoning_content():
    # shape of ChatResponse.message.thinking in the reference's OpenAPI description
    doc = transcript("chat_openapi_example.json")["response"]
    doc["message"]["thinking"] = "There are three r letters."
    r = _parse("ollama_chat", doc)
    assert r.choices[0].message.reasoning_content == "There are three r letters."
    assert r.choices[0].message.content == doc["message"]["content"]


@pytest.mark.parametrize(
    "done_reason,finish",
    [("stop", "stop"), ("length", "length"), ("load", "stop"), ("unload", "stop"), (None, "stop"), ("other", "stop")],
)
def test_done_reason_mapping(done_reason, finish):
    doc = transcript("chat_openapi_example.json")["response"]
    doc["done_reason"] = done_reason
    assert _parse("ollama_chat", doc).choices[0].finish_reason == finish


def test_logprobs_become_openai_chat_logprobs():
    # Logprob / TokenLogprob shapes of the reference's OpenAPI description
    doc = transcript("chat_openapi_example.json")["response"]
    doc["logprobs"] = [
        {
            "token": "Hello",
            "logprob": -0.1,
            "top_logprobs": [{"token": "Hello", "logprob": -0.1}, {"token": "Hi", "logprob": -2.5}],
        }
    ]
    r = _parse("ollama_chat", doc, logprobs=True, top_logprobs=2)
    lp = r.choices[0].logprobs
    assert lp.content[0].token == "Hello"
    assert lp.content[0].logprob == -0.1
    assert [t.token for t in lp.content[0].top_logprobs] == ["Hello", "Hi"]


def test_missing_counters_read_as_zero():
    r = _parse("ollama_chat", {"model": "llama3.2", "message": {"role": "assistant", "content": "x"}, "done": True})
    assert (r.usage.prompt_tokens, r.usage.completion_tokens, r.usage.total_tokens) == (0, 0, 0)


@pytest.mark.parametrize(
    "stamp,expected",
    [
        ("2023-08-04T08:52:19.385406455-07:00", "2023-08-04T15:52:19"),
        ("2023-08-04T19:22:45.499127Z", "2023-08-04T19:22:45"),
        ("2024-07-22T20:47:51Z", "2024-07-22T20:47:51"),
        ("2024-07-22T20:47:51.1+0530", "2024-07-22T15:17:51"),
    ],
)
def test_created_at_with_nanoseconds_and_offsets(stamp, expected):
    r = _parse("ollama_chat", {"model": "m", "created_at": stamp, "message": {"content": "x"}, "done": True})
    assert r.created == _ts(expected)


def test_unreadable_bodies_raise_typed_errors():
    p = get_provider("ollama_chat")
    with pytest.raises(litegate.APIResponseValidationError):
        p.parse_chat(_resp(b"<html>oops</html>"), _call(), _target())
    with pytest.raises(litegate.APIResponseValidationError):
        p.parse_chat(_resp([1, 2]), _call(), _target())
    with pytest.raises(litegate.APIResponseValidationError):
        p.parse_chat(_resp({"model": "x", "done": True}), _call(), _target())
    with pytest.raises(litegate.APIError) as e:
        p.parse_chat(_resp(transcript("errors/error_body.json")["body"]), _call(), _target())
    assert "the model failed to generate a response" in str(e.value)


# ------------------------------------------------------------------------- non-stream generate


@pytest.mark.parametrize(
    "name",
    [
        "generate_no_streaming.json",
        "generate_json_mode.json",
        "generate_structured_outputs.json",
        "generate_images.json",
        "generate_options.json",
        "generate_openapi_example.json",
    ],
)
def test_generate_response_text_is_the_content(name):
    doc = transcript(name)["response"]
    r = _parse("ollama", doc)
    assert r.choices[0].message.content == doc["response"]
    assert r.choices[0].finish_reason == "stop"
    assert r.usage.prompt_tokens == doc["prompt_eval_count"]
    assert r.usage.completion_tokens == doc["eval_count"]


def test_generate_thinking_field():
    doc = transcript("generate_openapi_example.json")["response"]
    doc["thinking"] = "Greeting back."
    assert _parse("ollama", doc).choices[0].message.reasoning_content == "Greeting back."


# ------------------------------------------------------------------------- streams


def test_chat_stream_role_first_then_finish_and_usage():
    data, objs = ndjson("chat_streaming.ndjson")
    chunks = _decode(data, include_usage=True)
    assert len(chunks) == 2
    first, last = chunks
    assert first.object == "chat.completion.chunk"
    assert first.choices[0].delta.role == "assistant"
    assert first.choices[0].delta.content == "The"
    assert first.choices[0].finish_reason is None
    assert last.choices[0].delta.role is None
    assert last.choices[0].finish_reason == "stop"
    assert (last.usage.prompt_tokens, last.usage.completion_tokens) == (26, 282)
    assert first.id == last.id and first.id.startswith("chatcmpl-")
    assert first.created == _ts("2023-08-04T15:52:19")
    assert first.model == "llama3.2"


def test_usage_only_with_include_usage():
    data, _ = ndjson("chat_streaming.ndjson")
    chunks = _decode(data)
    assert all(c.usage is None for c in chunks)
    assert "usage" not in chunks[-1].model_dump()


def test_chat_stream_tool_call_chunk():
    data, objs = ndjson("chat_streaming_tools.ndjson")
    chunks = _decode(data, include_usage=True)
    tc = chunks[0].choices[0].delta.tool_calls[0]
    assert tc.index == 0 and tc.type == "function" and tc.id.startswith("call_")
    assert tc.function.name == "get_weather"
    assert json.loads(tc.function.arguments) == {"city": "Tokyo"}
    assert chunks[-1].choices[0].finish_reason == "tool_calls"  # done_reason "stop" with a tool call
    rebuilt = litegate.stream_chunk_builder(chunks)
    assert rebuilt.choices[0].message.tool_calls[0].function.name == "get_weather"
    assert rebuilt.choices[0].finish_reason == "tool_calls"
    assert rebuilt.usage.prompt_tokens == 169


def test_tool_calls_in_several_stream_objects_get_increasing_indexes():
    line = {
        "model": "qwen3",
        "message": {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {"function": {"name": "a", "arguments": {"x": 1}}},
                {"function": {"name": "b", "arguments": {}}},
            ],
        },
        "done": False,
    }
    line2 = {
        "model": "qwen3",
        "message": {
            "role": "assistant",
            "content": "",
            "tool_calls": [{"function": {"name": "c", "arguments": {"y": "z"}}}],
        },
        "done": False,
    }
    done = {"model": "qwen3", "message": {"role": "assistant", "content": ""}, "done": True, "done_reason": "stop"}
    data = b"".join(json.dumps(o).encode() + b"\n" for o in (line, line2, done))
    chunks = _decode(data)
    idx = [(tc.index, tc.function.name) for c in chunks for tc in (c.choices[0].delta.tool_calls or [])]
    assert idx == [(0, "a"), (1, "b"), (2, "c")]
    rebuilt = litegate.stream_chunk_builder(chunks)
    assert [t.function.name for t in rebuilt.choices[0].message.tool_calls] == ["a", "b", "c"]


def test_final_object_without_message():
    data, _ = ndjson("chat_history_stream.ndjson")
    chunks = _decode(data, include_usage=True)
    assert [c.choices[0].delta.content for c in chunks] == ["The", None]
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].usage.completion_tokens == 468


def test_generate_stream_with_text_in_the_done_object():
    data, objs = ndjson("generate_streaming_full.ndjson")
    chunks = _decode(data, provider="ollama")
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == "That's a fantastic question!"
    assert chunks[-1].choices[0].delta.content == "!"
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert [c.choices[0].finish_reason for c in chunks[:-1]] == [None] * (len(chunks) - 1)


def test_generate_stream_of_api_md():
    data, _ = ndjson("generate_streaming.ndjson")
    chunks = _decode(data, provider="ollama", include_usage=True)
    assert chunks[0].choices[0].delta.content == "The"
    assert chunks[-1].usage.prompt_tokens == 26 and chunks[-1].usage.completion_tokens == 259


def test_thinking_stream_becomes_reasoning_content_deltas():
    lines = [
        {"model": "qwen3", "message": {"role": "assistant", "content": "", "thinking": "Count"}, "done": False},
        {"model": "qwen3", "message": {"role": "assistant", "content": "", "thinking": " letters."}, "done": False},
        {"model": "qwen3", "message": {"role": "assistant", "content": "Three."}, "done": False},
        {"model": "qwen3", "message": {"role": "assistant", "content": ""}, "done": True, "done_reason": "stop"},
    ]
    chunks = _decode(b"".join(json.dumps(o).encode() + b"\n" for o in lines))
    rebuilt = litegate.stream_chunk_builder(chunks)
    assert rebuilt.choices[0].message.reasoning_content == "Count letters."
    assert rebuilt.choices[0].message.content == "Three."


def test_length_in_a_stream():
    lines = [
        {"model": "m", "message": {"content": "a"}, "done": False},
        {"model": "m", "message": {"content": ""}, "done": True, "done_reason": "length"},
    ]
    chunks = _decode(b"".join(json.dumps(o).encode() + b"\n" for o in lines))
    assert chunks[-1].choices[0].finish_reason == "length"


def test_error_line_mid_stream_raises_with_the_provider_message():
    data, objs = ndjson("errors/stream_error_midstream.ndjson")
    dec = get_provider("ollama").stream_decoder(_call(True), _target("ollama"))
    got = dec.feed(data)  # the chunks before the error line come first ...
    assert "".join(c.choices[0].delta.content or "" for c in got) == " Yes.Ican"
    with pytest.raises(litegate.APIError) as e:  # ... and the error with the next call
        dec.finish()
    assert "an error was encountered while running the model" in str(e.value)
    assert e.value.llm_provider == "ollama"
    with pytest.raises(litegate.APIError):
        dec.feed(b"{}\n")


def test_error_line_yields_the_chunks_before_it_when_fed_line_by_line():
    data, objs = ndjson("errors/stream_error_midstream.ndjson")
    dec = get_provider("ollama").stream_decoder(_call(True), _target("ollama"))
    got = []
    lines = data.splitlines(keepends=True)
    for line in lines[:-1]:
        got += dec.feed(line)
    assert "".join(c.choices[0].delta.content or "" for c in got) == " Yes.Ican"
    with pytest.raises(litegate.APIError):
        dec.feed(lines[-1])


def test_malformed_line_raises_validation_error():
    dec = OllamaStreamDecoder("ollama_chat", "m")
    with pytest.raises(litegate.APIResponseValidationError):
        dec.feed(b"{not json}\n")
    dec = OllamaStreamDecoder("ollama_chat", "m")
    assert len(dec.feed(b'{"model":"m","message":{"content":"a"},"done":false}\n{not json}\n')) == 1
    with pytest.raises(litegate.APIResponseValidationError):
        dec.finish()
    dec = OllamaStreamDecoder("ollama_chat", "m")
    with pytest.raises(litegate.APIResponseValidationError):
        dec.feed(b"[1,2]\n")


def test_missing_done_raises_connection_error():
    dec = OllamaStreamDecoder("ollama_chat", "m")
    dec.feed(b'{"model":"m","message":{"content":"a"},"done":false}\n')
    with pytest.raises(litegate.APIConnectionError) as e:
        dec.finish()
    assert "done" in str(e.value)


def test_last_line_without_newline_and_crlf_and_blank_lines():
    body = (
        b'\r\n{"model":"m","message":{"content":"a"},"done":false}\r\n\r\n'
        b'{"model":"m","message":{"content":"b"},"done":true,"done_reason":"stop"}'
    )
    chunks = _decode(body)
    assert [c.choices[0].delta.content for c in chunks] == ["a", "b"]
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_lines_after_done_are_ignored():
    body = (
        b'{"model":"m","message":{"content":"a"},"done":true}\n'
        b'{"model":"m","message":{"content":"late"},"done":false}\n'
    )
    assert [c.choices[0].delta.content for c in _decode(body)] == ["a"]


def test_multibyte_character_split_across_reads():
    body = json.dumps({"model": "m", "message": {"content": "22°C ☀"}, "done": True}, ensure_ascii=False).encode()
    cut = body.index("°".encode()) + 1
    chunks = _decode(b"", pieces=[body[:cut], body[cut:] + b"\n"])
    assert chunks[0].choices[0].delta.content == "22°C ☀"


# ------------------------------------------------------------------------- embeddings


def _embed_call(**params):
    return EmbeddingCall("ollama/all-minilm", "x", params, {})


@pytest.mark.parametrize("name", ["embed_single.json", "embed_multiple.json", "embed_openapi_example.json"])
def test_embed_response(name):
    doc = transcript(name)["response"]
    r = get_provider("ollama").parse_embedding(_resp(doc), _embed_call(), _target("ollama", doc["model"]))
    assert isinstance(r, litegate.EmbeddingResponse)
    assert r.object == "list"
    assert r.model == doc["model"]
    assert [d.index for d in r.data] == list(range(len(doc["embeddings"])))
    assert [d.embedding for d in r.data] == doc["embeddings"]
    assert all(d.object == "embedding" for d in r.data)
    assert r.usage.prompt_tokens == doc.get("prompt_eval_count", 0)
    assert r.usage.total_tokens == r.usage.prompt_tokens


def test_embed_base64_is_float32_little_endian():
    doc = transcript("embed_single.json")["response"]
    r = get_provider("ollama").parse_embedding(_resp(doc), _embed_call(encoding_format="base64"), _target("ollama"))
    raw = base64.b64decode(r.data[0].embedding)
    values = struct.unpack(f"<{len(raw) // 4}f", raw)
    assert values == pytest.approx(doc["embeddings"][0], rel=1e-6)


# ------------------------------------------------------------------------- error bodies


@pytest.mark.parametrize(
    "name,cls",
    [
        ("errors/404_model_not_found.json", litegate.NotFoundError),
        ("errors/400_bad_request.json", litegate.BadRequestError),
    ],
)
def test_reference_error_bodies(name, cls):
    doc = transcript(name)
    resp = HttpResponse(doc["status"], Headers(doc["headers"]), json.dumps(doc["body"]).encode())
    exc = get_provider("ollama_chat").error(resp, _target())
    assert type(exc) is cls
    assert doc["body"]["error"] in str(exc)
    assert exc.llm_provider == "ollama_chat"
    assert exc.model == "llama3.2"


@pytest.mark.parametrize(
    "status,cls",
    [
        (401, litegate.AuthenticationError),
        (429, litegate.RateLimitError),
        (500, litegate.InternalServerError),
        (502, litegate.BadGatewayError),
    ],
)
def test_documented_status_codes(status, cls):
    body = transcript("errors/error_body.json")["body"]
    exc = get_provider("ollama").error(_resp(body, status), _target("ollama"))
    assert isinstance(exc, cls)
    assert "the model failed to generate a response" in str(exc)


def test_context_length_error_text_is_a_context_window_error():
    exc = get_provider("ollama_chat").error(_resp({"error": "input length exceeds the context length"}, 400), _target())
    assert isinstance(exc, litegate.ContextWindowExceededError)
