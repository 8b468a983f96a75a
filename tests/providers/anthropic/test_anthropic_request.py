"""OpenAI-form calls -> Anthropic Messages requests.

The recorded exchanges in tests/fixtures/anthropic/recorded (made by the official SDK against the
real API) are rebuilt as OpenAI-form conversations; translating them must give the recorded request
body, modulo the documented differences (the SDK's tool runner echoes the response-only ``caller``
field of ``tool_use`` blocks; litegate merges consecutive same-role turns).
"""

from __future__ import annotations

import json
import logging

import pytest
from _anthropic_helpers import KEY, PROVIDER, chat_call, recorded, recorded_names, strip_keys, target, translate

import litegate
from litegate.providers.anthropic import (
    ANTHROPIC_VERSION,
    JSON_TOOL_NAME,
    default_max_tokens,
    model_version,
    supports_adaptive_thinking,
    supports_structured_output,
    supports_thinking,
)

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


# --------------------------------------------------------------------------------- recorded requests


def _to_openai_tools(tools: list) -> list:
    out = []
    for t in tools:
        if t.get("type") not in (None, "custom"):
            out.append(t)  # server tool: passed through as given
            continue
        fn = {"name": t["name"], "parameters": t["input_schema"]}
        if "description" in t:
            fn["description"] = t["description"]
        out.append({"type": "function", "function": fn})
    return out


def _to_openai_messages(messages: list) -> list:
    """The OpenAI-form conversation a litegate user would write for an Anthropic ``messages`` list."""
    out = []
    for m in messages:
        content = m["content"]
        if isinstance(content, str):
            out.append({"role": m["role"], "content": content})
            continue
        if m["role"] == "user":
            texts = []
            for b in content:
                if b["type"] == "tool_result":
                    msg = {"role": "tool", "tool_call_id": b["tool_use_id"], "content": b.get("content", "")}
                    if b.get("is_error"):
                        msg["is_error"] = True
                    out.append(msg)
                else:
                    texts.append({"type": "text", "text": b["text"]})
            if texts:
                out.append({"role": "user", "content": texts})
        else:
            text = "".join(b["text"] for b in content if b["type"] == "text")
            calls = [
                {
                    "id": b["id"],
                    "type": "function",
                    "function": {"name": b["name"], "arguments": json.dumps(b["input"])},
                }
                for b in content
                if b["type"] == "tool_use"
            ]
            msg = {"role": "assistant", "content": text or None}
            if calls:
                msg["tool_calls"] = calls
            out.append(msg)
    return out


def _merged(messages: list) -> list:
    """Consecutive same-role turns merged (tool_result blocks first), as litegate sends them."""
    out: list = []
    for m in messages:
        content = m["content"]
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else list(content)
        if out and out[-1]["role"] == m["role"]:
            prev = out[-1]
            prev_blocks = (
                prev["content"] if isinstance(prev["content"], list) else [{"type": "text", "text": prev["content"]}]
            )
            merged = prev_blocks + blocks
            prev["content"] = [b for b in merged if b["type"] == "tool_result"] + [
                b for b in merged if b["type"] != "tool_result"
            ]
        else:
            out.append({"role": m["role"], "content": content})
    return out


def _expressible(body: dict) -> bool:
    """Recorded requests whose features exist in the OpenAI form (no container / code-execution callers)."""
    if "container" in body:
        return False
    if any("allowed_callers" in t for t in body.get("tools", [])):
        return False
    for m in body["messages"]:
        if isinstance(m["content"], list) and any(b["type"] == "server_tool_use" for b in m["content"]):
            return False
    return True


RECORDED_REQUESTS = [
    (f"{name}#{i}", ex["request"]["body"])
    for name in recorded_names()
    for i, ex in enumerate(recorded(name))
    if _expressible(ex["request"]["body"])
]


def test_enough_recorded_requests_are_covered():
    assert len(RECORDED_REQUESTS) >= 20
    kinds = {json.dumps(sorted(body)) for _, body in RECORDED_REQUESTS}
    assert any("tools" in k for k in kinds) and any("output_config" in k for k in kinds)
    assert any("stream" in k for k in kinds)


@pytest.mark.parametrize("rid, body", RECORDED_REQUESTS, ids=[r for r, _ in RECORDED_REQUESTS])
def test_translation_reproduces_recorded_request(rid, body):
    kw: dict = {"max_tokens": body["max_tokens"]}
    if "tools" in body:
        kw["tools"] = _to_openai_tools(body["tools"])
    if body.get("stream"):
        kw["stream"] = True
    if "output_config" in body:
        schema = body["output_config"]["format"]["schema"]
        kw["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": schema.get("title", "output"), "schema": schema},
        }
    sent = translate(body["model"], _to_openai_messages(body["messages"]), **kw)
    expected = strip_keys(dict(body, messages=_merged(body["messages"])), {"caller"})
    assert sent == expected


def test_recorded_tool_result_error_flag_and_parallel_results():
    ex = recorded("tools_test_runners_TestSyncRunTools_10e53c1d-51be-4c64-b5bf-99adb3fa4719.json")[1]
    body = ex["request"]["body"]
    sent = translate(
        body["model"], _to_openai_messages(body["messages"]), max_tokens=1024, tools=_to_openai_tools(body["tools"])
    )
    assert sent["messages"][2]["content"][0]["is_error"] is True


def test_merging_of_the_recorded_rejected_request_is_documented():
    # the API rejected this SDK request (tool_result without a tool_use before it); litegate merges
    # the two user turns into one, tool_result first, which the API would reject the same way
    ex = recorded("tools_test_runners_TestSyncRunTools_f59a9391-643b-422c-96dc-1f28bc7ea4d7.json")[1]
    body = ex["request"]["body"]
    sent = translate(
        body["model"], _to_openai_messages(body["messages"]), max_tokens=1024, tools=_to_openai_tools(body["tools"])
    )
    assert len(sent["messages"]) == 1
    assert [b["type"] for b in sent["messages"][0]["content"]] == ["tool_result", "text"]
    assert ex["response"]["status_code"] == 400


# --------------------------------------------------------------------------------- system and turns


def test_single_system_string_stays_a_string_and_leaves_messages():
    body = translate(messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}])
    assert body["system"] == "Be brief."
    assert body["messages"] == [{"role": "user", "content": "Hi"}]
    assert body["model"] == "claude-sonnet-4-5"


def test_several_system_messages_become_blocks_wherever_they_stand():
    body = translate(
        messages=[
            {"role": "system", "content": "One."},
            {"role": "user", "content": "Hi"},
            {"role": "developer", "content": [{"type": "text", "text": "Two."}]},
            {"role": "assistant", "content": "Hello"},
            {"role": "user", "content": "Bye"},
        ]
    )
    assert body["system"] == [{"type": "text", "text": "One."}, {"type": "text", "text": "Two."}]
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]


def test_system_cache_control_is_kept_on_blocks_and_from_message_level():
    body = translate(
        messages=[
            {
                "role": "system",
                "content": [{"type": "text", "text": "Long document", "cache_control": {"type": "ephemeral"}}],
            },
            {"role": "system", "content": "Rules", "cache_control": {"type": "ephemeral", "ttl": "1h"}},
            {"role": "user", "content": "Hi"},
        ]
    )
    assert body["system"] == [
        {"type": "text", "text": "Long document", "cache_control": {"type": "ephemeral"}},
        {"type": "text", "text": "Rules", "cache_control": {"type": "ephemeral", "ttl": "1h"}},
    ]


def test_message_level_cache_control_goes_on_the_last_block():
    body = translate(
        messages=[
            {"role": "user", "content": "Part one", "cache_control": {"type": "ephemeral"}},
            {"role": "assistant", "content": "ok"},
            {
                "role": "user",
                "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}],
                "cache_control": {"type": "ephemeral"},
            },
        ]
    )
    assert body["messages"][0]["content"] == [
        {"type": "text", "text": "Part one", "cache_control": {"type": "ephemeral"}}
    ]
    assert body["messages"][2]["content"][-1] == {"type": "text", "text": "b", "cache_control": {"type": "ephemeral"}}
    assert "cache_control" not in body["messages"][2]["content"][0]


def test_consecutive_same_role_turns_are_merged():
    body = translate(
        messages=[
            {"role": "user", "content": "one"},
            {"role": "user", "content": [{"type": "text", "text": "two"}]},
            {"role": "assistant", "content": "a"},
            {"role": "assistant", "content": "b"},
            {"role": "user", "content": "three"},
        ]
    )
    assert body["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "one"}, {"type": "text", "text": "two"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]},
        {"role": "user", "content": "three"},
    ]


def test_parallel_tool_results_share_one_user_turn_before_text():
    body = translate(
        messages=[
            {"role": "user", "content": "Weather in Paris and Rome?"},
            {
                "role": "assistant",
                "content": "Checking.",
                "tool_calls": [
                    {
                        "id": "toolu_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                    },
                    {
                        "id": "toolu_2",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Rome"}'},
                    },
                ],
            },
            {"role": "tool", "tool_call_id": "toolu_1", "content": "18C"},
            {"role": "tool", "tool_call_id": "toolu_2", "content": [{"type": "text", "text": "24C"}]},
            {"role": "user", "content": "And tomorrow?"},
        ],
        tools=[WEATHER],
    )
    assistant, results = body["messages"][1], body["messages"][2]
    assert assistant == {
        "role": "assistant",
        "content": [
            {"type": "text", "text": "Checking."},
            {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}},
            {"type": "tool_use", "id": "toolu_2", "name": "get_weather", "input": {"city": "Rome"}},
        ],
    }
    assert results == {
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": "toolu_1", "content": "18C"},
            {"type": "tool_result", "tool_use_id": "toolu_2", "content": [{"type": "text", "text": "24C"}]},
            {"type": "text", "text": "And tomorrow?"},
        ],
    }
    assert len(body["messages"]) == 3


def test_assistant_tool_call_without_text_and_empty_arguments():
    body = translate(
        messages=[
            {"role": "user", "content": "go"},
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [{"id": "toolu_9", "type": "function", "function": {"name": "ping", "arguments": ""}}],
            },
            {"role": "tool", "tool_call_id": "toolu_9", "content": "pong"},
        ]
    )
    assert body["messages"][1]["content"] == [{"type": "tool_use", "id": "toolu_9", "name": "ping", "input": {}}]


def test_response_message_objects_can_be_sent_back():
    from litegate.types.utils import Message

    msg = Message(
        content=None,
        tool_calls=[
            {"id": "toolu_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"Oslo"}'}}
        ],
        thinking_blocks=[{"type": "thinking", "thinking": "hmm", "signature": "sig=="}],
        reasoning_content="hmm",
    )
    body = translate(
        messages=[
            {"role": "user", "content": "Weather in Oslo?"},
            msg,
            {"role": "tool", "tool_call_id": "toolu_1", "content": "cold"},
        ],
        tools=[WEATHER],
    )
    assert body["messages"][1]["content"] == [
        {"type": "thinking", "thinking": "hmm", "signature": "sig=="},
        {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Oslo"}},
    ]


def test_empty_assistant_messages_are_skipped():
    body = translate(
        messages=[
            {"role": "user", "content": "a"},
            {"role": "assistant", "content": None},
            {"role": "user", "content": "b"},
        ]
    )
    assert body["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}
    ]


@pytest.mark.parametrize(
    "messages, needle",
    [
        ([{"role": "system", "content": "only a system prompt"}], "at least one user or assistant"),
        ([{"role": "user", "content": "x"}, {"role": "function", "name": "f", "content": "y"}], "role 'function'"),
        (
            [
                {"role": "user", "content": "x"},
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {"id": "t", "type": "function", "function": {"name": "f", "arguments": "{not json"}}
                    ],
                },
            ],
            "not valid JSON",
        ),
        (
            [{"role": "user", "content": [{"type": "input_audio", "input_audio": {"data": "", "format": "wav"}}]}],
            "input_audio",
        ),
        (
            [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:image/bmp;base64,AAAA"}}]}],
            "image/bmp",
        ),
        ([{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "ftp://x/y.png"}}]}], "http(s)"),
    ],
)
def test_untranslatable_input_fails_before_any_request(messages, needle):
    with pytest.raises(litegate.BadRequestError) as info:
        translate(messages=messages)
    assert needle in str(info.value)


# --------------------------------------------------------------------------------- images and files


def test_images_from_urls_and_data_urls():
    body = translate(
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Compare"},
                    {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg", "detail": "high"}},
                    {"type": "image_url", "image_url": f"data:image/png;base64,{PNG_B64}"},
                    {
                        "type": "image_url",
                        "image_url": {"url": f"data:image/jpg;base64,{PNG_B64}"},
                        "cache_control": {"type": "ephemeral"},
                    },
                ],
            }
        ]
    )
    blocks = body["messages"][0]["content"]
    assert blocks[1] == {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}}
    assert blocks[2] == {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG_B64}}
    assert blocks[3] == {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/jpeg", "data": PNG_B64},
        "cache_control": {"type": "ephemeral"},
    }


def test_pdf_and_file_parts_become_documents_and_native_blocks_pass():
    native = {"type": "document", "source": {"type": "url", "url": "https://example.com/a.pdf"}}
    body = translate(
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "image_url", "image_url": {"url": "data:application/pdf;base64,JVBERi0="}},
                    {
                        "type": "file",
                        "file": {"file_data": "data:application/pdf;base64,JVBERi0=", "filename": "a.pdf"},
                    },
                    {"type": "file", "file": {"file_id": "file_011"}},
                    {"type": "file", "file": {"file_data": "data:text/plain;base64,aGVsbG8="}},
                    native,
                ],
            }
        ]
    )
    blocks = body["messages"][0]["content"]
    pdf = {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0="}}
    assert blocks[0] == pdf and blocks[1] == pdf
    assert blocks[2] == {"type": "document", "source": {"type": "file", "file_id": "file_011"}}
    assert blocks[3] == {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "hello"}}
    assert blocks[4] == native


# --------------------------------------------------------------------------------- parameters


def test_sampling_stop_user_and_extra_params():
    body = translate(temperature=0.2, top_p=0.9, top_k=40, stop="END", user="user-123", max_tokens=50)
    assert body["temperature"] == 0.2 and body["top_p"] == 0.9 and body["top_k"] == 40
    assert body["stop_sequences"] == ["END"]
    assert body["metadata"] == {"user_id": "user-123"}
    assert body["max_tokens"] == 50
    assert translate(stop=["a", "b"])["stop_sequences"] == ["a", "b"]
    assert translate(max_completion_tokens=77)["max_tokens"] == 77
    assert "stream" not in translate() and translate(stream=True)["stream"] is True
    # stream_options only steers the decoder
    assert "stream_options" not in translate(stream=True, stream_options={"include_usage": True})


@pytest.mark.parametrize(
    "model, expected",
    [
        ("claude-3-opus-20240229", 4096),
        ("claude-3-haiku-20240307", 4096),
        ("claude-2.1", 4096),
        ("claude-instant-1.2", 4096),
        ("claude-3-5-sonnet-20241022", 8192),
        ("claude-3-5-haiku-latest", 8192),
        ("claude-3-7-sonnet-20250219", 64000),
        ("claude-opus-4-20250514", 32000),
        ("claude-opus-4-1", 32000),
        ("claude-sonnet-4-20250514", 64000),
        ("claude-sonnet-4-5-20250929", 64000),
        ("claude-haiku-4-5", 64000),
        ("claude-opus-4-5-20251101", 64000),
        ("my-finetune", 4096),
    ],
)
def test_default_max_tokens_rule(model, expected):
    assert default_max_tokens(model) == expected
    assert translate(model)["max_tokens"] == expected


def test_model_version_reading():
    assert model_version("claude-sonnet-4-5-20250929") == ("sonnet", 4, 5)
    assert model_version("claude-opus-4-20250514") == ("opus", 4, 0)
    assert model_version("claude-3-5-haiku-latest") == ("haiku", 3, 5)
    assert model_version("claude-3-opus-20240229") == ("opus", 3, 0)
    assert supports_thinking("claude-3-7-sonnet-latest") and not supports_thinking("claude-3-5-sonnet-latest")
    assert supports_structured_output("claude-sonnet-4-5") and supports_structured_output("claude-opus-4-1")
    assert not supports_structured_output("claude-sonnet-4-20250514")


def test_tools_conversion():
    bare = {"type": "function", "function": {"name": "now"}}
    cached = {
        "type": "function",
        "function": {"name": "lookup", "description": "d", "parameters": {"type": "object", "properties": {}}},
        "cache_control": {"type": "ephemeral"},
    }
    server = {"type": "web_search_20250305", "name": "web_search", "max_uses": 2}
    native = {"name": "calc", "input_schema": {"type": "object", "properties": {"x": {"type": "number"}}}}
    body = translate(tools=[WEATHER, bare, cached, server, native])
    assert body["tools"] == [
        {
            "name": "get_weather",
            "description": "Current weather for a city",
            "input_schema": WEATHER["function"]["parameters"],
        },
        {"name": "now", "input_schema": {"type": "object", "properties": {}}},
        {
            "name": "lookup",
            "description": "d",
            "input_schema": {"type": "object", "properties": {}},
            "cache_control": {"type": "ephemeral"},
        },
        server,
        native,
    ]
    assert "tool_choice" not in body


def test_strict_tools_only_where_supported(caplog):
    strict = {"type": "function", "function": dict(WEATHER["function"], strict=True)}
    assert translate("claude-sonnet-4-5", tools=[strict])["tools"][0]["strict"] is True
    with caplog.at_level(logging.WARNING, logger="litegate"):
        body = translate("claude-3-5-haiku-latest", tools=[strict])
    assert "strict" not in body["tools"][0]
    assert "strict" in caplog.text and "get_weather" in caplog.text


def test_non_object_tool_schema_is_logged_not_dropped(caplog):
    odd = {"type": "function", "function": {"name": "odd", "parameters": {"type": "string"}}}
    with caplog.at_level(logging.WARNING, logger="litegate"):
        body = translate(tools=[odd])
    assert body["tools"][0]["input_schema"] == {"type": "string"}
    assert "odd" in caplog.text


@pytest.mark.parametrize(
    "choice, parallel, expected",
    [
        ("auto", None, {"type": "auto"}),
        ("none", None, {"type": "none"}),
        ("required", None, {"type": "any"}),
        ({"type": "function", "function": {"name": "get_weather"}}, None, {"type": "tool", "name": "get_weather"}),
        (None, False, {"type": "auto", "disable_parallel_tool_use": True}),
        ("required", False, {"type": "any", "disable_parallel_tool_use": True}),
        (
            {"type": "function", "function": {"name": "get_weather"}},
            False,
            {"type": "tool", "name": "get_weather", "disable_parallel_tool_use": True},
        ),
        ("none", False, {"type": "none"}),
        (None, True, None),
    ],
)
def test_tool_choice_mapping(choice, parallel, expected):
    kw = {"tools": [WEATHER]}
    if choice is not None:
        kw["tool_choice"] = choice
    if parallel is not None:
        kw["parallel_tool_calls"] = parallel
    assert translate(**kw).get("tool_choice") == expected


def test_tool_choice_without_tools_is_not_sent():
    body = translate(tool_choice="none", parallel_tool_calls=False)
    assert "tool_choice" not in body and "tools" not in body


def test_web_search_options_become_the_web_search_tool():
    body = translate(
        web_search_options={
            "search_context_size": "high",
            "user_location": {"type": "approximate", "approximate": {"city": "Paris", "country": "FR"}},
        }
    )
    assert body["tools"] == [
        {
            "type": "web_search_20250305",
            "name": "web_search",
            "max_uses": 10,
            "user_location": {"type": "approximate", "city": "Paris", "country": "FR"},
        }
    ]


SCHEMA = {
    "type": "object",
    "properties": {"name": {"type": "string"}},
    "required": ["name"],
    "additionalProperties": False,
}


def test_json_schema_uses_structured_outputs_where_available():
    body = translate(
        "claude-sonnet-4-5",
        response_format={"type": "json_schema", "json_schema": {"name": "Person", "schema": SCHEMA}},
    )
    assert body["output_config"] == {"format": {"type": "json_schema", "schema": SCHEMA}}
    assert "tools" not in body


def test_json_schema_falls_back_to_a_forced_tool():
    body = translate(
        "claude-3-5-sonnet-latest",
        tools=[WEATHER],
        response_format={"type": "json_schema", "json_schema": {"name": "Person", "schema": SCHEMA}},
    )
    assert body["tools"][-1]["name"] == JSON_TOOL_NAME
    assert body["tools"][-1]["input_schema"] == SCHEMA
    assert body["tool_choice"] == {"type": "tool", "name": JSON_TOOL_NAME}
    assert "output_config" not in body


def test_json_object_is_a_forced_tool_with_an_object_schema():
    body = translate("claude-sonnet-4-5", response_format={"type": "json_object"})
    assert body["tools"] == [
        {"name": JSON_TOOL_NAME, "description": "Respond with a JSON object.", "input_schema": {"type": "object"}}
    ]
    assert body["tool_choice"] == {"type": "tool", "name": JSON_TOOL_NAME}
    assert "tools" not in translate(response_format={"type": "text"})


def test_pydantic_response_format():
    from pydantic import BaseModel

    class Person(BaseModel):
        name: str

    body = translate("claude-sonnet-4-5", response_format=Person)
    assert body["output_config"]["format"]["schema"]["properties"] == {"name": {"title": "Name", "type": "string"}}


@pytest.mark.parametrize("effort, budget", [("minimal", 1024), ("low", 1024), ("medium", 2048), ("high", 4096)])
def test_reasoning_effort_becomes_thinking(effort, budget):
    body = translate("claude-3-7-sonnet-20250219", reasoning_effort=effort)
    assert body["thinking"] == {"type": "enabled", "budget_tokens": budget}
    assert "reasoning_effort" not in body


def test_thinking_argument_wins_and_raises_the_default_max_tokens():
    body = translate("claude-3-5-haiku-latest", thinking={"type": "enabled", "budget_tokens": 10000})
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 10000}
    assert body["max_tokens"] == 11024
    body = translate("claude-sonnet-4-5", reasoning_effort="high", thinking={"type": "enabled", "budget_tokens": 2000})
    assert body["thinking"]["budget_tokens"] == 2000
    assert "thinking" not in translate("claude-sonnet-4-5", reasoning_effort="none")


def test_reasoning_effort_on_adaptive_models():
    body = translate("claude-opus-4-6", reasoning_effort="minimal")
    assert body["thinking"] == {"type": "adaptive"}
    assert body["output_config"] == {"effort": "low"}
    schema_rf = {"type": "json_schema", "json_schema": {"name": "P", "schema": SCHEMA}}
    body = translate("claude-sonnet-4-6", reasoning_effort="high", response_format=schema_rf)
    assert body["output_config"] == {"format": {"type": "json_schema", "schema": SCHEMA}, "effort": "high"}
    assert supports_adaptive_thinking("claude-mythos-preview")
    assert not supports_adaptive_thinking("claude-sonnet-4-5") and not supports_adaptive_thinking("claude-haiku-4-5")


def test_fixed_sampling_on_the_newest_models():
    with pytest.raises(litegate.UnsupportedParamsError, match="temperature"):
        translate("claude-opus-4-7", temperature=0.2)
    with pytest.raises(litegate.UnsupportedParamsError, match="top_p"):
        translate("claude-mythos-preview", top_p=0.5)
    assert translate("claude-opus-4-7", temperature=1, top_p=0.995)["temperature"] == 1
    assert "temperature" not in translate("claude-opus-4-7", drop=True, temperature=0.2)
    assert "temperature" not in PROVIDER.supported_openai_params("claude-opus-4-7")
    assert translate("claude-opus-4-6", temperature=0.2)["temperature"] == 0.2


def test_reasoning_effort_on_a_model_without_thinking():
    with pytest.raises(litegate.UnsupportedParamsError, match="reasoning_effort"):
        translate("claude-3-5-sonnet-20241022", reasoning_effort="low")
    assert "thinking" not in translate("claude-3-5-sonnet-20241022", drop=True, reasoning_effort="low")
    assert "reasoning_effort" not in PROVIDER.supported_openai_params("claude-3-5-sonnet-20241022")
    assert "reasoning_effort" in PROVIDER.supported_openai_params("claude-sonnet-4-5")


@pytest.mark.parametrize(
    "param, value",
    [
        ("n", 2),
        ("presence_penalty", 0.5),
        ("frequency_penalty", 0.1),
        ("logit_bias", {"1": 2}),
        ("logprobs", True),
        ("top_logprobs", 2),
        ("seed", 7),
        ("service_tier", "flex"),
        ("functions", [{"name": "f", "parameters": {}}]),
    ],
)
def test_unsupported_params_raise_unless_dropped(param, value):
    with pytest.raises(litegate.UnsupportedParamsError) as info:
        translate(**{param: value})
    assert param in str(info.value) and "drop_params" in str(info.value)
    body = translate(drop=True, **{param: value})
    assert param not in body and "messages" in body


def test_n_of_one_and_service_tiers_are_accepted():
    assert "n" not in translate(n=1)
    assert translate(service_tier="auto")["service_tier"] == "auto"
    assert translate(service_tier="default")["service_tier"] == "standard_only"


def test_supported_params_list():
    params = PROVIDER.supported_openai_params("claude-sonnet-4-5")
    for name in (
        "temperature",
        "top_p",
        "stop",
        "max_tokens",
        "max_completion_tokens",
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "response_format",
        "user",
        "stream",
        "stream_options",
        "reasoning_effort",
    ):
        assert name in params
    for name in ("n", "presence_penalty", "logit_bias", "logprobs", "seed"):
        assert name not in params


# --------------------------------------------------------------------------------- URL and headers


def test_url_and_headers():
    call = chat_call()
    req = PROVIDER.chat_request(call, target(), False)
    assert req.method == "POST"
    assert req.url == "https://api.anthropic.com/v1/messages"
    assert req.headers["x-api-key"] == KEY
    assert req.headers["anthropic-version"] == ANTHROPIC_VERSION == "2023-06-01"
    assert req.headers["content-type"] == "application/json"
    assert "authorization" not in {k.lower() for k in req.headers}
    for base in (
        "http://proxy.local/anthropic",
        "http://proxy.local/anthropic/v1",
        "http://proxy.local/anthropic/v1/messages",
    ):
        assert (
            PROVIDER.chat_request(call, target(api_base=base), False).url == "http://proxy.local/anthropic/v1/messages"
        )


def test_extra_headers_are_merged():
    t = target()
    t.headers = {"anthropic-beta": "context-1m-2025-08-07"}
    req = PROVIDER.chat_request(chat_call(), t, False)
    assert req.headers["anthropic-beta"] == "context-1m-2025-08-07"
    assert req.headers["x-api-key"] == KEY


def test_missing_key_is_an_authentication_error():
    t = target()
    t.api_key = None
    with pytest.raises(litegate.AuthenticationError, match="ANTHROPIC_API_KEY"):
        PROVIDER.chat_request(chat_call(), t, False)


def test_embeddings_are_refused_clearly():
    from litegate.core.call import build_embedding_call

    call = build_embedding_call("anthropic/claude-sonnet-4-5", "hello", {})
    with pytest.raises(litegate.BadRequestError, match="no embeddings"):
        PROVIDER.embedding_request(call, target(), False)
    with pytest.raises(litegate.BadRequestError, match="no embeddings"):
        litegate.embedding(model="anthropic/claude-sonnet-4-5", input="hi", api_key=KEY)
