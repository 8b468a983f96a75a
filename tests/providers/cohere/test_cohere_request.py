"""Request translation: OpenAI-form calls -> the Cohere v2 bodies the documented examples show, and
the translation rules of providers/cohere.py (messages, parameters, tools, embed, rerank, URLs)."""

from __future__ import annotations

import logging

import pytest
from _cohere_helpers import (
    KEY,
    MODEL,
    PNG_B64,
    PROVIDER,
    TIME,
    WEATHER,
    chat_examples,
    embed_body,
    example,
    load,
    target,
    translate,
)

import litegate
from litegate.core.call import build_embedding_call, build_rerank_call
from litegate.core.resolve import Target

SCHEMA = {"type": "object", "properties": {"a": {"type": "string"}}}

# ------------------------------------------------------------------ documented request bodies


@pytest.mark.parametrize("name", chat_examples())
def test_documented_chat_requests_are_what_we_send(name):
    req = example(name)["request"]
    kw = {}
    if "tools" in req:
        kw["tools"] = req["tools"]
    if "documents" in req:
        kw["documents"] = req["documents"]  # a Cohere field: passed through as a keyword argument
    body = translate(req["model"], req["messages"], stream=req.get("stream", False), **kw)
    assert body == dict(req, stream=req.get("stream", False))


def test_documented_tool_use_request():
    req = load("docs_tool_use_request.json")["request"]
    body = translate(req["model"], req["messages"], tools=req["tools"])
    assert body == dict(req, stream=False)  # litegate always says whether it streams, as the SDK does


def test_documented_tool_history_from_the_openai_form():
    req = load("docs_tool_use_history_request.json")["request"]
    user, assistant, tool = req["messages"]
    openai_messages = [
        user,
        {"role": "assistant", "content": assistant["tool_plan"], "tool_calls": assistant["tool_calls"]},
        {"role": "tool", "tool_call_id": tool["tool_call_id"], "content": tool["content"][0]["document"]["data"]},
    ]
    assert translate(req["model"], openai_messages, tools=req["tools"]) == dict(req, stream=False)


def test_tool_history_as_litegate_returned_it():
    """The assistant message of a litegate response (content = tool plan, the plan also in
    provider_specific_fields) goes back as Cohere's tool_plan, not as content."""
    req = load("docs_tool_use_history_request.json")["request"]
    user, assistant, tool = req["messages"]
    ours = {
        "role": "assistant",
        "content": assistant["tool_plan"],
        "tool_calls": assistant["tool_calls"],
        "provider_specific_fields": {"tool_plan": assistant["tool_plan"]},
    }
    tool_msg = {"role": "tool", "tool_call_id": tool["tool_call_id"], "content": tool["content"][0]["document"]["data"]}
    assert translate(req["model"], [user, ours, tool_msg], tools=req["tools"]) == dict(req, stream=False)


def test_documented_embed_request_texts():
    req = example("v2_embed__00_texts.json")["request"]
    assert embed_body(req["model"], req["texts"], input_type=req["input_type"]) == req


def test_documented_embed_request_images():
    req = example("v2_embed__01_images.json")["request"]
    assert embed_body(req["model"], req["images"]) == req  # image data URLs: images + input_type "image"


def _rerank(documents, query="q", model="rerank-v3.5", drop=False, **kw):
    call = build_rerank_call("cohere/" + model, query, documents, kw)
    return PROVIDER.rerank_request(call, target(model), drop)


def test_documented_rerank_request():
    req = example("v2_rerank__00_cohere_typescript_sdk.json")["request"]
    http = _rerank(req["documents"], req["query"], req["model"], top_n=req["top_n"])
    assert http.json == req
    assert http.url == "https://api.cohere.com/v2/rerank"


def test_documented_rerank_guide_request():
    req = load("docs_rerank_request.json")["request"]
    assert _rerank(req["documents"], req["query"], req["model"], top_n=req["top_n"]).json == req


def test_structured_documents_become_the_documented_yaml_strings():
    fx = load("docs_rerank_structured_request.json")
    req = fx["request"]
    body = _rerank(
        fx["documents"], req["query"], req["model"], top_n=req["top_n"], rank_fields=["Title", "Content"]
    ).json
    assert body == req


# ------------------------------------------------------------------ URL, headers, key


@pytest.mark.parametrize(
    "base",
    [
        "https://api.cohere.com",
        "https://api.cohere.com/",
        "https://api.cohere.com/v2",
        "https://api.cohere.com/v1",
        "https://api.cohere.com/v2/chat",
        "https://api.cohere.com/v1/chat",
    ],
)
def test_api_base_forms(base):
    call = litegate.core.call.build_chat_call("cohere/" + MODEL, [{"role": "user", "content": "hi"}], {})
    http = PROVIDER.chat_request(call, Target("cohere", MODEL, base.rstrip("/"), KEY), False)
    assert http.url == "https://api.cohere.com/v2/chat"
    assert http.method == "POST"


def test_headers_and_extra_headers():
    call = litegate.core.call.build_chat_call("cohere/" + MODEL, [{"role": "user", "content": "hi"}], {})
    t = target()
    t.headers = {"X-Client-Name": "my-app"}
    http = PROVIDER.chat_request(call, t, False)
    assert http.headers == {
        "authorization": "Bearer " + KEY,
        "content-type": "application/json",
        "X-Client-Name": "my-app",
    }


def test_missing_key_is_an_authentication_error():
    call = litegate.core.call.build_chat_call("cohere/" + MODEL, [{"role": "user", "content": "hi"}], {})
    with pytest.raises(litegate.AuthenticationError, match="COHERE_API_KEY"):
        PROVIDER.chat_request(call, Target("cohere", MODEL, "https://api.cohere.com", None), False)


# ------------------------------------------------------------------ messages


def test_system_and_developer_stay_in_place():
    body = translate(
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi"},
            {"role": "developer", "content": [{"type": "text", "text": "Answer in French."}]},
            {"role": "user", "content": "Again"},
        ]
    )
    assert body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
        {"role": "system", "content": [{"type": "text", "text": "Answer in French."}]},
        {"role": "user", "content": "Again"},
    ]


def test_user_parts_text_and_images():
    body = translate(
        "command-a-vision-07-2025",
        [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is in these?"},
                    {"type": "image_url", "image_url": {"url": "data:image/png;base64," + PNG_B64, "detail": "low"}},
                    {"type": "image_url", "image_url": "https://example.com/cat.png"},
                ],
            }
        ],
    )
    assert body["messages"] == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is in these?"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64," + PNG_B64, "detail": "low"}},
                {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}},
            ],
        }
    ]


@pytest.mark.parametrize(
    "part, match",
    [
        ({"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}}, "input_audio"),
        ({"type": "file", "file": {"file_id": "f1"}}, "'file'"),
        ({"type": "image_url", "image_url": {"url": "https://x/y.png", "detail": "ultra"}}, "detail"),
        ({"type": "image_url", "image_url": {}}, "no url"),
    ],
)
def test_unsupported_user_parts_fail_before_any_request(part, match):
    with pytest.raises(litegate.BadRequestError, match=match):
        translate(messages=[{"role": "user", "content": [{"type": "text", "text": "hi"}, part]}])


def test_assistant_text_and_thinking():
    body = translate(
        messages=[
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello!"},
            {"role": "user", "content": "And?"},
            {
                "role": "assistant",
                "content": [{"type": "text", "text": "More "}, {"type": "text", "text": "text"}],
                "reasoning_content": "They want more.",
            },
            {"role": "user", "content": "ok"},
        ]
    )
    assert body["messages"][1] == {"role": "assistant", "content": "Hello!"}
    assert body["messages"][3] == {
        "role": "assistant",
        "content": [{"type": "thinking", "thinking": "They want more."}, {"type": "text", "text": "More text"}],
    }


def test_assistant_tool_calls_and_plan_rules():
    call = {
        "id": "get_weather_1",
        "type": "function",
        "function": {"name": "get_weather", "arguments": {"location": "Oslo"}},
    }
    msgs = [
        {"role": "user", "content": "weather?"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "get_weather_1", "content": "rainy"},
    ]
    body = translate(messages=msgs, tools=[WEATHER])
    assert body["messages"][1] == {
        "role": "assistant",
        "tool_calls": [
            {
                "id": "get_weather_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"location":"Oslo"}'},
            }
        ],
    }
    # an explicit tool_plan wins; the text beyond it stays content
    msgs[1] = {
        "role": "assistant",
        "content": "I will look. Here goes.",
        "tool_plan": "I will look.",
        "tool_calls": [call],
    }
    assert translate(messages=msgs, tools=[WEATHER])["messages"][1]["tool_plan"] == "I will look."
    assert translate(messages=msgs, tools=[WEATHER])["messages"][1]["content"] == " Here goes."


def test_empty_assistant_turn_is_skipped():
    body = translate(
        messages=[
            {"role": "user", "content": "a"},
            {"role": "assistant", "content": ""},
            {"role": "user", "content": "b"},
        ]
    )
    assert [m["role"] for m in body["messages"]] == ["user", "user"]


def test_tool_call_without_id_fails():
    with pytest.raises(litegate.BadRequestError, match="id is required"):
        translate(
            messages=[
                {"role": "user", "content": "a"},
                {
                    "role": "assistant",
                    "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": "{}"}}],
                },
            ]
        )


@pytest.mark.parametrize(
    "content, expected",
    [
        ('{"temp": 20}', [{"type": "document", "document": {"data": '{"temp": 20}'}}]),
        (
            '[{"a": 1}, {"b": 2}]',
            [
                {"type": "document", "document": {"data": '{"a":1}'}},
                {"type": "document", "document": {"data": '{"b":2}'}},
            ],
        ),
        ("11 degrees and rainy", [{"type": "text", "text": "11 degrees and rainy"}]),
        ("[1, 2, 3]", [{"type": "text", "text": "[1, 2, 3]"}]),
        ("{not json", [{"type": "text", "text": "{not json"}]),
        (
            [{"type": "text", "text": "part one"}, {"type": "text", "text": "part two"}],
            [{"type": "text", "text": "part one"}, {"type": "text", "text": "part two"}],
        ),
        (
            [{"type": "document", "document": {"id": "d1", "data": {"x": 1}}}],
            [{"type": "document", "document": {"id": "d1", "data": {"x": 1}}}],
        ),
    ],
)
def test_tool_result_content(content, expected):
    body = translate(
        messages=[
            {"role": "user", "content": "weather?"},
            {
                "role": "assistant",
                "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}
                ],
            },
            {"role": "tool", "tool_call_id": "c1", "content": content},
        ],
        tools=[WEATHER],
    )
    assert body["messages"][2] == {"role": "tool", "tool_call_id": "c1", "content": expected}


def test_tool_result_with_an_image_part_fails():
    with pytest.raises(litegate.BadRequestError, match="tool result"):
        translate(
            messages=[
                {"role": "user", "content": "x"},
                {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f"}}]},
                {
                    "role": "tool",
                    "tool_call_id": "c1",
                    "content": [{"type": "image_url", "image_url": {"url": "https://a/b"}}],
                },
            ]
        )


def test_legacy_function_message_fails():
    with pytest.raises(litegate.BadRequestError, match="tool_call_id"):
        translate(messages=[{"role": "user", "content": "x"}, {"role": "function", "name": "f", "content": "1"}])


# ------------------------------------------------------------------ parameters


def test_sampling_parameters():
    body = translate(
        temperature=0.2,
        top_p=0.5,
        max_tokens=100,
        stop="END",
        seed=7,
        frequency_penalty=0.1,
        presence_penalty=0.2,
        logprobs=True,
        top_k=40,
    )
    assert body == {
        "model": MODEL,
        "messages": [{"role": "user", "content": "Hello"}],
        "stream": False,
        "temperature": 0.2,
        "p": 0.5,
        "max_tokens": 100,
        "stop_sequences": ["END"],
        "seed": 7,
        "frequency_penalty": 0.1,
        "presence_penalty": 0.2,
        "logprobs": True,
        "k": 40,
    }


def test_max_completion_tokens_wins_and_stop_list():
    body = translate(max_tokens=10, max_completion_tokens=20, stop=["a", "b"])
    assert body["max_tokens"] == 20 and body["stop_sequences"] == ["a", "b"]


@pytest.mark.parametrize("top_p, p", [(1.0, 0.99), (1, 0.99), (0.0, 0.01), (0.5, 0.5), (0.99, 0.99)])
def test_top_p_is_clamped_into_cohere_range_with_a_warning(top_p, p, caplog):
    with caplog.at_level(logging.WARNING, logger="litegate"):
        assert translate(top_p=top_p)["p"] == p
    assert ("outside Cohere's range" in caplog.text) == (top_p != p)


def test_cohere_fields_pass_through_and_win():
    body = translate(
        top_p=0.5,
        p=0.3,
        k=5,
        safety_mode="STRICT",
        priority=3,
        citation_options={"mode": "FAST"},
        thinking={"type": "disabled"},
    )
    assert body["p"] == 0.3 and body["k"] == 5 and body["safety_mode"] == "STRICT" and body["priority"] == 3
    assert body["citation_options"] == {"mode": "FAST"} and body["thinking"] == {"type": "disabled"}


@pytest.mark.parametrize(
    "rf, expected",
    [
        ({"type": "json_object"}, {"type": "json_object"}),
        (
            {"type": "json_schema", "json_schema": {"name": "p", "schema": SCHEMA, "strict": True}},
            {"type": "json_object", "json_schema": SCHEMA},
        ),
        ({"type": "text"}, None),
    ],
)
def test_response_format(rf, expected):
    body = translate(response_format=rf)
    assert body.get("response_format") == expected


def test_pydantic_response_format():
    pydantic = pytest.importorskip("pydantic")

    class Person(pydantic.BaseModel):
        name: str

    body = translate(response_format=Person)
    assert body["response_format"]["type"] == "json_object"
    assert body["response_format"]["json_schema"]["properties"]["name"]["type"] == "string"


def test_tools_in_openai_form_and_strict():
    strict_tool = {"type": "function", "function": dict(WEATHER["function"], strict=True)}
    body = translate(tools=[strict_tool])
    assert body["tools"] == [WEATHER]  # strict moves to the request-wide flag
    assert body["strict_tools"] is True
    no_params = {"type": "function", "function": {"name": "ping"}}
    assert translate(tools=[no_params])["tools"] == [
        {"type": "function", "function": {"name": "ping", "parameters": {"type": "object", "properties": {}}}}
    ]


def test_mixed_strict_tools_log_a_warning(caplog):
    strict_tool = {"type": "function", "function": dict(WEATHER["function"], strict=True)}
    with caplog.at_level(logging.WARNING, logger="litegate"):
        body = translate(tools=[strict_tool, TIME])
    assert body["strict_tools"] is True
    assert "strict_tools" in caplog.text


def test_non_function_tool_fails():
    with pytest.raises(litegate.BadRequestError, match="function tools"):
        translate(tools=[{"type": "web_search"}])


@pytest.mark.parametrize(
    "choice, expected_choice, names",
    [
        ("auto", None, ["get_weather", "get_time"]),
        ("none", "NONE", ["get_weather", "get_time"]),
        ("required", "REQUIRED", ["get_weather", "get_time"]),
        ({"type": "function", "function": {"name": "get_time"}}, "REQUIRED", ["get_time"]),
    ],
)
def test_tool_choice(choice, expected_choice, names):
    body = translate(tools=[WEATHER, TIME], tool_choice=choice)
    assert body.get("tool_choice") == expected_choice
    assert [t["function"]["name"] for t in body["tools"]] == names


def test_tool_choice_naming_an_unknown_tool_fails():
    with pytest.raises(litegate.BadRequestError, match="not in tools"):
        translate(tools=[WEATHER], tool_choice={"type": "function", "function": {"name": "nope"}})


def test_tool_choice_without_tools_is_not_sent():
    assert "tool_choice" not in translate(tool_choice="required")


def test_parallel_tool_calls():
    assert "parallel_tool_calls" not in translate(tools=[WEATHER], parallel_tool_calls=True)
    with pytest.raises(litegate.UnsupportedParamsError, match="parallel_tool_calls"):
        translate(tools=[WEATHER], parallel_tool_calls=False)
    assert "parallel_tool_calls" not in translate(tools=[WEATHER], parallel_tool_calls=False, drop=True)


@pytest.mark.parametrize(
    "kw, name",
    [
        ({"n": 2}, "n"),
        ({"user": "u1"}, "user"),
        ({"logit_bias": {"1": 2}}, "logit_bias"),
        ({"logprobs": True, "top_logprobs": 3}, "top_logprobs"),
        ({"reasoning_effort": "high"}, "reasoning_effort"),
        ({"functions": [{"name": "f"}]}, "functions"),
        ({"modalities": ["audio"]}, "modalities"),
    ],
)
def test_unsupported_params_raise_unless_dropped(kw, name):
    with pytest.raises(litegate.UnsupportedParamsError, match=name):
        translate(**kw)
    body = translate(drop=True, **dict(kw))
    assert name not in body and "top_logprobs" not in body


def test_n_1_is_fine():
    assert "n" not in translate(n=1)


@pytest.mark.parametrize(
    "effort, thinking",
    [
        ("none", {"type": "disabled"}),
        ("minimal", {"type": "enabled", "token_budget": 512}),
        ("low", {"type": "enabled", "token_budget": 1024}),
        ("medium", {"type": "enabled", "token_budget": 4096}),
        ("high", {"type": "enabled"}),
    ],
)
def test_reasoning_effort_on_a_reasoning_model(effort, thinking):
    assert translate("command-a-reasoning-08-2025", reasoning_effort=effort)["thinking"] == thinking


def test_reasoning_effort_none_on_other_models_sends_nothing():
    assert "thinking" not in translate(reasoning_effort="none")


def test_supported_openai_params():
    params = PROVIDER.supported_openai_params(MODEL)
    for name in (
        "temperature",
        "top_p",
        "max_tokens",
        "stop",
        "tools",
        "tool_choice",
        "response_format",
        "seed",
        "frequency_penalty",
        "presence_penalty",
        "logprobs",
        "stream",
        "n",
    ):
        assert name in params
    assert "reasoning_effort" not in params and "user" not in params
    assert "reasoning_effort" in PROVIDER.supported_openai_params("command-a-reasoning-08-2025")


# ------------------------------------------------------------------ embeddings


def test_embedding_defaults():
    assert embed_body("embed-english-v3.0", "hello") == {
        "model": "embed-english-v3.0",
        "texts": ["hello"],
        "input_type": "search_document",
        "embedding_types": ["float"],
    }


def test_embedding_options():
    body = embed_body(
        "embed-v4.0",
        ["a", "b"],
        input_type="search_query",
        encoding_format="base64",
        dimensions=512,
        truncate="END",
        max_tokens=100,
    )
    assert body == {
        "model": "embed-v4.0",
        "texts": ["a", "b"],
        "input_type": "search_query",
        "embedding_types": ["base64"],
        "output_dimension": 512,
        "truncate": "END",
        "max_tokens": 100,
    }


def test_explicit_embedding_types_win():
    assert embed_body(embedding_types=["int8", "float"])["embedding_types"] == ["int8", "float"]
    assert embed_body(embedding_types="ubinary")["embedding_types"] == ["ubinary"]


def test_embedding_user_is_unsupported_unless_dropped():
    with pytest.raises(litegate.UnsupportedParamsError, match="user"):
        embed_body(user="u1")
    assert "user" not in embed_body(user="u1", drop=True)


def test_embedding_rejects_token_ids_and_mixed_inputs():
    with pytest.raises(litegate.BadRequestError, match="token ids"):
        embed_body(input=[1, 2, 3])
    with pytest.raises(litegate.BadRequestError, match="mixes"):
        embed_body(input=["text", "data:image/png;base64," + PNG_B64])


def test_embedding_url_and_headers():
    call = build_embedding_call("cohere/embed-v4.0", "x", {})
    http = PROVIDER.embedding_request(call, target("embed-v4.0", "https://api.cohere.ai/v1"), False)
    assert http.url == "https://api.cohere.ai/v2/embed"
    assert http.headers["authorization"] == "Bearer " + KEY


# ------------------------------------------------------------------ rerank


def test_rerank_dict_documents_default_to_the_text_field():
    docs = [{"id": "a", "text": "first"}, {"text": "second", "meta": {"x": 1}}, "third"]
    assert _rerank(docs).json["documents"] == ["first", "second", "third"]


def test_rerank_one_other_rank_field_is_its_value():
    docs = [{"id": "a", "body": "alpha"}, {"id": "b", "body": {"n": 1}}]
    assert _rerank(docs, rank_fields=["body"]).json["documents"] == ["alpha", '{"n":1}']


def test_rerank_several_fields_skip_missing_ones():
    docs = [{"title": "T", "text": "X"}, {"text": "Y"}, {"title": "Z", "year": 1969}]
    assert _rerank(docs, rank_fields=["title", "text", "year"]).json["documents"] == [
        "title: T\ntext: X\n",
        "text: Y\n",
        "title: Z\nyear: 1969\n",
    ]


def test_rerank_dict_without_rank_fields_fails():
    with pytest.raises(litegate.BadRequestError, match=r"documents\[1\] has none of the rank_fields"):
        _rerank([{"text": "a"}, {"body": "b"}])
    with pytest.raises(litegate.BadRequestError, match="rank_fields must not be empty"):
        _rerank([{"text": "a"}], rank_fields=[])


def test_rerank_parameters():
    http = _rerank(["a", "b"], top_n=1, return_documents=False, max_tokens_per_doc=512, priority=2)
    assert http.json == {
        "model": "rerank-v3.5",
        "query": "q",
        "documents": ["a", "b"],
        "top_n": 1,
        "max_tokens_per_doc": 512,
        "priority": 2,
    }  # return_documents is applied locally
    with pytest.raises(litegate.UnsupportedParamsError, match="max_chunks_per_doc"):
        _rerank(["a"], max_chunks_per_doc=3)
    assert "max_chunks_per_doc" not in _rerank(["a"], max_chunks_per_doc=3, drop=True).json
