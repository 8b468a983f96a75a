"""Property: the NDJSON decoder yields the same chunks however the byte stream is split into reads."""

from __future__ import annotations

import json

import pytest
from _ollama_helpers import ndjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import litegate
from litegate.providers.ollama import OllamaStreamDecoder

STREAMS = [
    "chat_streaming.ndjson",
    "chat_streaming_tools.ndjson",
    "chat_history_stream.ndjson",
    "generate_streaming.ndjson",
    "generate_streaming_full.ndjson",
]


def _normal(chunk) -> dict:
    d = chunk.model_dump()
    d.pop("id")
    if d["created"] is None or not isinstance(d["created"], int):
        raise AssertionError("every chunk has an integer created")
    d.pop("created")  # the clock when the stream gives no created_at
    for choice in d["choices"]:
        for tc in choice["delta"].get("tool_calls") or []:
            tc.pop("id")  # generated per decoder when Ollama gives none
    return d


def _run(data: bytes, cuts: list[int], chat: bool, include_usage: bool = True):
    """(normalised chunks, exception type or None) for ``data`` fed in the pieces ``cuts`` make."""
    dec = OllamaStreamDecoder("ollama_chat" if chat else "ollama", "m", chat=chat, include_usage=include_usage)
    bounds = [0] + sorted(set(c for c in cuts if 0 < c < len(data))) + [len(data)]
    out = []
    try:
        for a, b in zip(bounds, bounds[1:], strict=False):
            out += dec.feed(data[a:b])
        out += dec.finish()
    except litegate.APIError as exc:
        return [_normal(c) for c in out], type(exc)
    return [_normal(c) for c in out], None


def _cuts(size: int):
    return st.lists(st.integers(min_value=0, max_value=size), max_size=24)


@pytest.mark.parametrize("name", STREAMS)
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_documented_streams_split_anywhere(name, data):
    raw, _ = ndjson(name)
    chat = name.startswith("chat")
    whole = _run(raw, [], chat)
    assert whole[1] is None and whole[0]
    assert _run(raw, data.draw(_cuts(len(raw))), chat) == whole
    # one byte a read, the extreme case
    assert _run(raw, list(range(len(raw))), chat) == whole


_texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@st.composite
def _streams(draw):
    """A synthetic chat stream: text (any Unicode), thinking, tool calls, logprobs, CRLF or LF."""
    objs = []
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        msg = {"role": "assistant", "content": draw(_texts)}
        if draw(st.booleans()):
            msg["thinking"] = draw(_texts)
        if draw(st.integers(min_value=0, max_value=4)) == 0:
            msg["tool_calls"] = [
                {"id": "call_" + str(len(objs)), "function": {"name": "f", "arguments": {"q": draw(_texts)}}}
            ]
        obj = {"model": "m", "created_at": "2025-07-07T20:22:19.184789Z", "message": msg, "done": False}
        if draw(st.integers(min_value=0, max_value=3)) == 0:
            obj["logprobs"] = [{"token": draw(_texts), "logprob": -0.5, "top_logprobs": []}]
        objs.append(obj)
    objs.append(
        {
            "model": "m",
            "message": {"role": "assistant", "content": draw(_texts)},
            "done": True,
            "done_reason": draw(st.sampled_from(["stop", "length"])),
            "prompt_eval_count": 3,
            "eval_count": 4,
        }
    )
    sep = draw(st.sampled_from([b"\n", b"\r\n"]))
    ending = draw(st.sampled_from([sep, b""]))  # the last line may lack its newline
    body = sep.join(json.dumps(o, ensure_ascii=draw(st.booleans())).encode("utf-8") for o in objs) + ending
    return body


@settings(max_examples=200)
@given(raw=_streams(), data=st.data())
def test_synthetic_streams_split_anywhere(raw, data):
    whole = _run(raw, [], True)
    assert whole[1] is None
    assert whole[0][-1]["choices"][0]["finish_reason"] in ("stop", "length", "tool_calls")
    assert _run(raw, data.draw(_cuts(len(raw))), True) == whole


@settings(max_examples=100)
@given(raw=_streams(), data=st.data(), fault=st.sampled_from(["cut", "malformed", "error"]))
def test_faults_are_detected_however_the_stream_is_split(raw, data, fault):
    lines = raw.replace(b"\r\n", b"\n").rstrip(b"\n").split(b"\n")
    if fault == "cut":
        broken = b"\n".join(lines[:-1]) + (b"\n" if len(lines) > 1 else b"")
        expected = litegate.APIConnectionError
    elif fault == "malformed":
        broken = b"\n".join(lines[:-1] + [b'{"model": "m", "message": ', lines[-1]]) + b"\n"
        expected = litegate.APIResponseValidationError
    else:
        broken = (
            b"\n".join(lines[:-1] + [b'{"error":"an error was encountered while running the model"}', lines[-1]])
            + b"\n"
        )
        expected = litegate.APIError
    whole = _run(broken, [], True)
    assert whole[1] is not None and issubclass(whole[1], expected)
    assert _run(broken, data.draw(_cuts(len(broken))), True) == whole
