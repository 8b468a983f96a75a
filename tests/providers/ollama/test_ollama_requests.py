"""Request translation: the body litegate sends equals the documented request of each transcript.

Each test makes the litegate call equivalent to one documented example (OpenAI-shaped messages
and parameters) against the fake Ollama server and compares the body the server received with
the example's body. Documented differences are named where they apply:

* litegate always sends ``stream`` (an example without it means Ollama's default, true, and the
  equivalent call is ``stream=True``);
* assistant tool calls are sent as ``{"function": {"name", "arguments"}}`` (api.md's history
  example and the official SDK); the tool-calling page's variant adds ``type`` and
  ``function.index``, which are compared away.
"""

from __future__ import annotations

import copy
import json

import pytest
from _ollama_helpers import transcript

import litegate


def _drain(resp):
    if isinstance(resp, litegate.ModelResponse):
        return resp
    return list(resp)


def _sent(srv, model, **kw):
    kw.setdefault("api_base", srv.url)
    _drain(litegate.completion(model=model, **kw))
    return srv.last_request


def _expected(doc_request: dict, stream: bool) -> dict:
    body = copy.deepcopy(doc_request)
    body.setdefault("stream", True)
    assert body["stream"] is stream, "the equivalent call must stream exactly when the example does"
    return body


def _stream_of(doc_request: dict) -> bool:
    return doc_request.get("stream", True)


def _openai_messages(doc_messages: list) -> list:
    """OpenAI-shaped messages equivalent to documented Ollama messages (ids link tool results)."""
    out = []
    pending: list = []
    for m in doc_messages:
        if m["role"] == "assistant" and m.get("tool_calls"):
            calls = []
            for k, tc in enumerate(m["tool_calls"]):
                cid = f"call_{len(out)}_{k}"
                pending.append((cid, tc["function"]["name"]))
                calls.append(
                    {
                        "id": cid,
                        "type": "function",
                        "function": {
                            "name": tc["function"]["name"],
                            "arguments": json.dumps(tc["function"]["arguments"]),
                        },
                    }
                )
            out.append({"role": "assistant", "content": m.get("content"), "tool_calls": calls})
        elif m["role"] == "tool":
            cid, name = pending.pop(0)
            assert name == m["tool_name"]
            out.append({"role": "tool", "tool_call_id": cid, "content": m["content"]})
        else:
            out.append(dict(m))
    return out


def _without_type_index(body: dict) -> dict:
    body = copy.deepcopy(body)
    for m in body.get("messages", []):
        for tc in m.get("tool_calls") or []:
            tc.pop("type", None)
            tc["function"].pop("index", None)
    return body


# ------------------------------------------------------------------------- /api/chat


@pytest.mark.parametrize(
    "name",
    [
        "chat_no_streaming.json",
        "chat_streaming_request.json",
        "chat_history.json",
    ],
)
def test_plain_chat_requests_match_the_reference(ollama, name):
    req = transcript(name)["request"]
    stream = _stream_of(req)
    rec = _sent(ollama, "ollama_chat/" + req["model"], messages=req["messages"], stream=stream)
    assert rec.path == "/api/chat"
    assert rec.method == "POST"
    assert rec.json == _expected(req, stream)


@pytest.mark.parametrize(
    "name",
    [
        "chat_tools.json",
        "chat_streaming_tools_request.json",
        "chat_tool_single.json",
        "chat_tool_calling_openapi_request.json",
    ],
)
def test_tool_definitions_in_openai_form_are_sent_as_documented(ollama, name):
    req = transcript(name)["request"]
    stream = _stream_of(req)
    rec = _sent(ollama, "ollama_chat/" + req["model"], messages=req["messages"], tools=req["tools"], stream=stream)
    assert rec.json == _expected(req, stream)


def test_tool_history_with_openai_ids_becomes_tool_name(ollama):
    """api.md "With history, with tools": the assistant's tool call (OpenAI form, JSON-string
    arguments) and the ``tool`` result answering its id."""
    req = transcript("chat_history_tools.json")["request"]
    messages = _openai_messages(req["messages"])
    assert messages[1]["content"] == ""  # the example sends the empty content: so do we
    rec = _sent(ollama, "ollama_chat/llama3.2", messages=messages, tools=req["tools"], stream=False)
    assert rec.json == _expected(req, False)


@pytest.mark.parametrize("name", ["chat_tool_single_result.json", "chat_tool_parallel_results.json"])
def test_tool_results_match_the_tool_calling_page(ollama, name):
    req = transcript(name)["request"]
    messages = _openai_messages(req["messages"])
    assert messages[1]["content"] is None  # the page's assistant message has no content
    rec = _sent(ollama, "ollama_chat/" + req["model"], messages=messages, stream=False)
    assert rec.json == _without_type_index(_expected(req, False))
    # the tool results are in order, each named after the call it answers
    names = [m["tool_name"] for m in rec.json["messages"] if m["role"] == "tool"]
    assert names == [m["tool_name"] for m in req["messages"] if m["role"] == "tool"]


def test_response_format_json_schema_becomes_format(ollama):
    req = transcript("chat_structured_outputs.json")["request"]
    rf = {"type": "json_schema", "json_schema": {"name": "person", "schema": req["format"]}}
    rec = _sent(
        ollama, "ollama_chat/llama3.1", messages=req["messages"], response_format=rf, temperature=0, stream=False
    )
    assert rec.json == _expected(req, False)


@pytest.mark.parametrize("name", ["chat_json_schema_request.json", "chat_structured_openapi_request.json"])
def test_json_schema_requests_of_the_capability_pages(ollama, name):
    req = transcript(name)["request"]
    rf = {"type": "json_schema", "json_schema": {"name": "out", "schema": req["format"], "strict": True}}
    rec = _sent(ollama, "ollama_chat/" + req["model"], messages=req["messages"], response_format=rf, stream=False)
    assert rec.json == _expected(req, False)


def test_json_object_becomes_format_json(ollama):
    req = transcript("chat_json_mode_request.json")["request"]
    assert req["format"] == "json"
    rec = _sent(
        ollama, "ollama_chat/gpt-oss", messages=req["messages"], response_format={"type": "json_object"}, stream=False
    )
    assert rec.json == _expected(req, False)


def test_pydantic_response_format_is_sent_as_its_schema(ollama):
    pydantic = pytest.importorskip("pydantic")

    class Country(pydantic.BaseModel):
        name: str
        capital: str

    rec = _sent(
        ollama, "ollama_chat/llama3.2", messages=[{"role": "user", "content": "Canada?"}], response_format=Country
    )
    schema = rec.json["format"]
    assert schema["properties"].keys() == {"name", "capital"}
    assert schema["required"] == ["name", "capital"]


def test_images_data_url_becomes_base64_images(ollama):
    req = transcript("chat_images.json")["request"]
    doc_msg = req["messages"][0]
    [b64] = doc_msg["images"]
    messages = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": doc_msg["content"]},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64," + b64}},
            ],
        }
    ]
    rec = _sent(ollama, "ollama_chat/llava", messages=messages, stream=True)
    assert rec.json == _expected(req, True)


def test_image_url_given_as_a_plain_string_is_accepted(ollama):
    b64 = transcript("chat_images.json")["request"]["messages"][0]["images"][0]
    messages = [
        {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": "data:image/png;base64," + b64},
                {"type": "text", "text": "what is in this image?"},
            ],
        }
    ]
    rec = _sent(ollama, "ollama_chat/llava", messages=messages, stream=False)
    assert rec.json["messages"] == [{"role": "user", "content": "what is in this image?", "images": [b64]}]


def test_think_passthrough_matches_the_thinking_page(ollama):
    req = transcript("chat_thinking_request.json")["request"]
    rec = _sent(ollama, "ollama_chat/qwen3", messages=req["messages"], think=True, stream=False)
    assert rec.json == _expected(req, False)


def test_reasoning_effort_becomes_a_thinking_level(ollama):
    req = transcript("chat_think_level_request.json")["request"]
    rec = _sent(ollama, "ollama_chat/gpt-oss", messages=req["messages"], reasoning_effort="low", stream=True)
    assert rec.json == _expected(req, True)


# ------------------------------------------------------------------------- /api/generate


@pytest.mark.parametrize("name", ["generate_no_streaming.json", "generate_streaming_request.json"])
def test_one_user_message_is_the_prompt(ollama, name):
    req = transcript(name)["request"]
    stream = _stream_of(req)
    rec = _sent(ollama, "ollama/" + req["model"], messages=[{"role": "user", "content": req["prompt"]}], stream=stream)
    assert rec.path == "/api/generate"
    assert rec.json == _expected(req, stream)


def test_generate_json_mode(ollama):
    req = transcript("generate_json_mode.json")["request"]
    rec = _sent(
        ollama,
        "ollama/llama3.2",
        messages=[{"role": "user", "content": req["prompt"]}],
        response_format={"type": "json_object"},
        stream=False,
    )
    assert rec.json == _expected(req, False)


def test_generate_structured_outputs(ollama):
    req = transcript("generate_structured_outputs.json")["request"]
    rf = {"type": "json_schema", "json_schema": {"name": "x", "schema": req["format"]}}
    rec = _sent(
        ollama,
        "ollama/llama3.1:8b",
        messages=[{"role": "user", "content": req["prompt"]}],
        response_format=rf,
        stream=False,
    )
    assert rec.json == _expected(req, False)


def test_generate_images(ollama):
    req = transcript("generate_images.json")["request"]
    messages = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": req["prompt"]},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64," + req["images"][0]}},
            ],
        }
    ]
    rec = _sent(ollama, "ollama/llava", messages=messages, stream=False)
    assert rec.json == _expected(req, False)


def test_generate_options_from_openai_params_and_ollama_keywords(ollama):
    """api.md "Generate request (With options)": every documented option, the OpenAI ones given as
    OpenAI parameters and the rest as Ollama keyword arguments."""
    req = transcript("generate_options.json")["request"]
    o = req["options"]
    openai_params = dict(
        seed=o["seed"],
        max_tokens=o["num_predict"],
        top_p=o["top_p"],
        temperature=o["temperature"],
        presence_penalty=o["presence_penalty"],
        frequency_penalty=o["frequency_penalty"],
        stop=o["stop"],
    )
    mapped = {"seed", "num_predict", "top_p", "temperature", "presence_penalty", "frequency_penalty", "stop"}
    ollama_kwargs = {k: v for k, v in o.items() if k not in mapped}
    assert len(ollama_kwargs) == len(o) - len(mapped)
    rec = _sent(
        ollama,
        "ollama/llama3.2",
        messages=[{"role": "user", "content": req["prompt"]}],
        stream=False,
        **openai_params,
        **ollama_kwargs,
    )
    assert rec.json == _expected(req, False)


def test_generate_seed_streaming(ollama):
    req = transcript("generate_seed.json")["request"]
    rec = _sent(ollama, "ollama/mistral", messages=[{"role": "user", "content": req["prompt"]}], seed=123, stream=True)
    assert rec.json == _expected(req, True)


def test_options_dict_passes_through_and_wins(ollama):
    rec = _sent(
        ollama,
        "ollama_chat/llama3.2",
        messages=[{"role": "user", "content": "hi"}],
        temperature=0.2,
        options={"temperature": 0.7, "num_ctx": 4096},
        keep_alive="10m",
    )
    assert rec.json["options"] == {"temperature": 0.7, "num_ctx": 4096}
    assert rec.json["keep_alive"] == "10m"


def test_stop_string_is_sent_as_a_list(ollama):
    rec = _sent(ollama, "ollama_chat/llama3.2", messages=[{"role": "user", "content": "hi"}], stop="\n\n")
    assert rec.json["options"] == {"stop": ["\n\n"]}


def test_max_completion_tokens_is_num_predict(ollama):
    rec = _sent(ollama, "ollama_chat/llama3.2", messages=[{"role": "user", "content": "hi"}], max_completion_tokens=7)
    assert rec.json["options"] == {"num_predict": 7}


# ------------------------------------------------------------------------- /api/embed


@pytest.mark.parametrize("name", ["embed_single.json", "embed_multiple.json"])
def test_embedding_requests_match_the_reference(ollama, name):
    req = transcript(name)["request"]
    litegate.embedding(model="ollama/" + req["model"], input=req["input"], api_base=ollama.url)
    rec = ollama.last_request
    assert rec.path == "/api/embed"
    assert rec.json == req


def test_embedding_truncate_and_dimensions(ollama):
    t = transcript("embed_truncate_request.json")["request"]
    litegate.embedding(model="ollama/embeddinggemma", input=t["input"], truncate=True, api_base=ollama.url)
    assert ollama.last_request.json == t
    d = transcript("embed_dimensions_request.json")["request"]
    litegate.embedding(model="ollama/embeddinggemma", input=d["input"], dimensions=128, api_base=ollama.url)
    assert ollama.last_request.json == d
