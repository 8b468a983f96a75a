"""OpenAI-form calls -> Gemini generateContent / embedContent requests (no I/O)."""

from __future__ import annotations

import json
import logging

import pytest
from _gemini_helpers import KEY, PNG_B64, PROVIDER, WEATHER, embed_request, load, request, target, translate

import litegate
from litegate.core.call import build_chat_call

# ------------------------------------------------------------------------------ URL and headers


def test_url_headers_and_no_key_in_the_url():
    req = request(temperature=0.5)
    assert req.method == "POST"
    assert req.url == "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent"
    assert req.params is None
    assert req.headers == {"x-goog-api-key": KEY, "content-type": "application/json"}
    assert KEY not in req.url


def test_stream_url_uses_alt_sse_and_no_key_query():
    req = request(stream=True)
    assert req.url.endswith("/v1beta/models/gemini-2.5-flash:streamGenerateContent")
    assert req.params == {"alt": "sse"}
    assert "stream" not in req.json


@pytest.mark.parametrize(
    "base, url",
    [
        ("https://example.test", "https://example.test/v1beta/models/m:generateContent"),
        ("https://example.test/v1", "https://example.test/v1/models/m:generateContent"),
        ("https://example.test/v1alpha", "https://example.test/v1alpha/models/m:generateContent"),
        ("https://proxy.test/gemini/v1beta", "https://proxy.test/gemini/v1beta/models/m:generateContent"),
    ],
)
def test_api_base_forms(base, url):
    call = build_chat_call("gemini/m", [{"role": "user", "content": "x"}], {})
    assert PROVIDER.chat_request(call, target("m", base), False).url == url


def test_models_prefix_is_accepted():
    call = build_chat_call("gemini/models/gemini-2.0-flash", [{"role": "user", "content": "x"}], {})
    req = PROVIDER.chat_request(call, target("models/gemini-2.0-flash"), False)
    assert req.url.endswith("/models/gemini-2.0-flash:generateContent")


def test_missing_key_is_an_authentication_error():
    call = build_chat_call("gemini/m", [{"role": "user", "content": "x"}], {})
    t = target("m")
    t.api_key = None
    with pytest.raises(litegate.AuthenticationError, match="GEMINI_API_KEY"):
        PROVIDER.chat_request(call, t, False)


def test_extra_headers_are_added():
    call = build_chat_call("gemini/m", [{"role": "user", "content": "x"}], {"extra_headers": {"x-custom": "1"}})
    t = target("m")
    t.headers = {"x-custom": "1"}
    assert PROVIDER.chat_request(call, t, False).headers["x-custom"] == "1"


# ------------------------------------------------------------------------------ messages


def test_system_user_and_multi_turn():
    body = translate(
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello! How can I help?"},
            {"role": "developer", "content": "Answer in French."},
            {"role": "user", "content": [{"type": "text", "text": "Say"}, {"type": "text", "text": "something"}]},
        ]
    )
    assert body == {
        "systemInstruction": {"parts": [{"text": "Be brief."}, {"text": "Answer in French."}]},
        "contents": [
            {"role": "user", "parts": [{"text": "Hi"}]},
            {"role": "model", "parts": [{"text": "Hello! How can I help?"}]},
            {"role": "user", "parts": [{"text": "Say"}, {"text": "something"}]},
        ],
    }


def test_consecutive_user_turns_are_merged():
    body = translate(messages=[{"role": "user", "content": "one"}, {"role": "user", "content": "two"}])
    assert body["contents"] == [{"role": "user", "parts": [{"text": "one"}, {"text": "two"}]}]


def test_system_only_conversation_becomes_the_user_turn():
    body = translate(messages=[{"role": "system", "content": "Tell a joke."}])
    assert body == {"contents": [{"role": "user", "parts": [{"text": "Tell a joke."}]}]}


def test_images_inline_and_by_uri():
    body = translate(
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Compare"},
                    {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG_B64}"}},
                    {"type": "image_url", "image_url": "data:image/jpg;base64,/9j/4AAQ"},
                    {"type": "image_url", "image_url": {"url": "https://example.com/cat.webp?size=2"}},
                    {"type": "image_url", "image_url": {"url": "gs://bucket/photo.jpeg"}},
                    {"type": "image_url", "image_url": {"url": "https://example.com/render", "format": "image/png"}},
                    {"type": "image_url", "image_url": {"url": "https://example.com/no-extension"}},
                ],
            }
        ]
    )
    assert body["contents"][0]["parts"] == [
        {"text": "Compare"},
        {"inlineData": {"mimeType": "image/png", "data": PNG_B64}},
        {"inlineData": {"mimeType": "image/jpeg", "data": "/9j/4AAQ"}},
        {"fileData": {"fileUri": "https://example.com/cat.webp?size=2", "mimeType": "image/webp"}},
        {"fileData": {"fileUri": "gs://bucket/photo.jpeg", "mimeType": "image/jpeg"}},
        {"fileData": {"fileUri": "https://example.com/render", "mimeType": "image/png"}},
        {"fileData": {"fileUri": "https://example.com/no-extension"}},  # the server guesses
    ]


def test_files_and_audio():
    body = translate(
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "file", "file": {"file_data": "data:application/pdf;base64,JVBERi0x"}},
                    {
                        "type": "file",
                        "file": {
                            "file_id": "https://generativelanguage.googleapis.com/v1beta/files/abc",
                            "format": "video/mp4",
                        },
                    },
                    {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "mp3"}},
                ],
            }
        ]
    )
    assert body["contents"][0]["parts"] == [
        {"inlineData": {"mimeType": "application/pdf", "data": "JVBERi0x"}},
        {
            "fileData": {
                "fileUri": "https://generativelanguage.googleapis.com/v1beta/files/abc",
                "mimeType": "video/mp4",
            }
        },
        {"inlineData": {"mimeType": "audio/mp3", "data": "UklGRg=="}},
    ]


@pytest.mark.parametrize("url", ["data:image/png,notbase64", "ftp://example.com/a.png", "file:///etc/passwd"])
def test_bad_image_urls_are_refused_before_sending(url):
    with pytest.raises(litegate.BadRequestError):
        translate(messages=[{"role": "user", "content": [{"type": "image_url", "image_url": {"url": url}}]}])


def test_tool_round_trip_with_parallel_calls_and_results():
    body = translate(
        tools=[WEATHER],
        messages=[
            {"role": "user", "content": "Weather in Paris and Rome?"},
            {
                "role": "assistant",
                "content": "Checking both.",
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"location": "Paris"}'},
                    },
                    {
                        "id": "call_2",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"location": "Rome"}'},
                    },
                ],
            },
            {"role": "tool", "tool_call_id": "call_2", "content": "24C"},
            {"role": "tool", "tool_call_id": "call_1", "content": '{"temp": 18}'},
            {"role": "user", "content": "Thanks. And Oslo?"},
        ],
    )
    assert body["contents"] == [
        {"role": "user", "parts": [{"text": "Weather in Paris and Rome?"}]},
        {
            "role": "model",
            "parts": [
                {"text": "Checking both."},
                {"functionCall": {"name": "get_weather", "args": {"location": "Paris"}}},
                {"functionCall": {"name": "get_weather", "args": {"location": "Rome"}}},
            ],
        },
        {
            "role": "user",
            "parts": [
                {"functionResponse": {"name": "get_weather", "response": {"content": "24C"}}},
                {"functionResponse": {"name": "get_weather", "response": {"temp": 18}}},  # a JSON object as itself
                {"text": "Thanks. And Oslo?"},
            ],
        },
    ]


def test_thought_signatures_are_sent_back():
    body = translate(
        messages=[
            {"role": "user", "content": "What time is it?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_a",
                        "type": "function",
                        "function": {"name": "now", "arguments": "{}"},
                        "provider_specific_fields": {"thought_signature": "c2lnLWE="},
                    },
                    {
                        "id": "call_b__thought__c2lnLWI=",
                        "type": "function",
                        "function": {"name": "tz", "arguments": ""},
                    },
                ],
            },
            {"role": "tool", "tool_call_id": "call_a", "content": "12:00"},
            {"role": "tool", "tool_call_id": "call_b__thought__c2lnLWI=", "content": "UTC"},
        ]
    )
    assert body["contents"][1]["parts"] == [
        {"functionCall": {"name": "now", "args": {}}, "thoughtSignature": "c2lnLWE="},
        {"functionCall": {"name": "tz", "args": {}}, "thoughtSignature": "c2lnLWI="},
    ]
    assert [p["functionResponse"]["name"] for p in body["contents"][2]["parts"]] == ["now", "tz"]


def test_tool_result_name_comes_from_the_message_when_the_call_is_unknown():
    body = translate(
        messages=[
            {"role": "user", "content": "x"},
            {"role": "tool", "tool_call_id": "gone", "name": "lookup", "content": "42"},
        ]
    )
    assert body["contents"][0]["parts"] == [
        {"functionResponse": {"name": "lookup", "response": {"content": "42"}}},
        {"text": "x"},
    ]  # function responses open the merged turn
    with pytest.raises(litegate.BadRequestError, match="tool_call_id 'gone'"):
        translate(
            messages=[{"role": "user", "content": "x"}, {"role": "tool", "tool_call_id": "gone", "content": "42"}]
        )


def test_invalid_tool_call_arguments_are_refused():
    with pytest.raises(litegate.BadRequestError, match="not valid JSON"):
        translate(
            messages=[
                {"role": "user", "content": "x"},
                {
                    "role": "assistant",
                    "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{oops"}}],
                },
            ]
        )


def test_cookbook_function_calling_request():
    """The recorded cookbook request: our declarations equal the OpenAPI-form ones it sent."""
    cell = load("cookbook/Function_calling_REST_cell17.json")["request"]["body"]
    tools = []
    cell12 = load("cookbook/Function_calling_REST_cell12.json")["request"]["body"]
    for decl in cell12["tools"][0]["function_declarations"]:
        tools.append({"type": "function", "function": decl})  # lower-case JSON schema types, as OpenAI takes them
    call_args = cell["contents"][1]["parts"][0]["functionCall"]["args"]
    body = translate(
        tools=tools,
        messages=[
            {"role": "user", "content": cell["contents"][0]["parts"][0]["text"]},
            {
                "role": "assistant",
                "tool_calls": [
                    {
                        "id": "c1",
                        "type": "function",
                        "function": {"name": "find_theaters", "arguments": json.dumps(call_args)},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "c1", "content": "two theaters"},
            {"role": "assistant", "content": cell["contents"][3]["parts"][0]["text"]},
            {"role": "user", "content": cell["contents"][4]["parts"][0]["text"]},
        ],
    )
    assert body["tools"] == cell["tools"]
    assert body["contents"][0] == cell["contents"][0]
    assert body["contents"][1] == cell["contents"][1]
    assert body["contents"][3:] == cell["contents"][3:]
    # documented difference: the function response turn has role "user" (the cookbook's older "function")
    assert body["contents"][2]["role"] == "user" and cell["contents"][2]["role"] == "function"
    assert body["contents"][2]["parts"][0]["functionResponse"]["name"] == "find_theaters"


# ------------------------------------------------------------------------------ tools and tool_choice


@pytest.mark.parametrize(
    "choice, config",
    [
        ("auto", {"functionCallingConfig": {"mode": "AUTO"}}),
        ("none", {"functionCallingConfig": {"mode": "NONE"}}),
        ("required", {"functionCallingConfig": {"mode": "ANY"}}),
        (
            {"type": "function", "function": {"name": "get_weather"}},
            {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_weather"]}},
        ),
    ],
)
def test_tool_choice(choice, config):
    body = translate(tools=[WEATHER], tool_choice=choice)
    assert body["toolConfig"] == config
    assert body["tools"] == [
        {
            "functionDeclarations": [
                {
                    "name": "get_weather",
                    "description": "Current weather for a city",
                    "parameters": {
                        "type": "OBJECT",
                        "properties": {"location": {"type": "STRING"}},
                        "required": ["location"],
                    },
                }
            ]
        }
    ]


def test_tool_choice_without_tools_is_not_sent():
    assert "toolConfig" not in translate(tool_choice="required")


def test_function_without_parameters_and_native_tools():
    body = translate(
        tools=[
            {
                "type": "function",
                "function": {
                    "name": "now",
                    "description": "Current time",
                    "parameters": {"type": "object", "properties": {}},
                },
            },
            {"type": "function", "function": {"name": "ping"}},
            {"googleSearch": {}},
            {"code_execution": {}},
        ],
        web_search_options={},
    )
    assert body["tools"] == [
        {"functionDeclarations": [{"name": "now", "description": "Current time"}, {"name": "ping"}]},
        {"googleSearch": {}},
        {"codeExecution": {}},
        {"googleSearch": {}},
    ]


def test_parallel_tool_calls_false_is_a_logged_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="litegate"):
        body = translate(tools=[WEATHER], parallel_tool_calls=False)
    assert "parallel_tool_calls" not in str(body)
    assert "parallel" in caplog.text and "not sent" in caplog.text


def test_strict_tool_is_a_logged_warning(caplog):
    strict = {"type": "function", "function": dict(WEATHER["function"], strict=True)}
    with caplog.at_level(logging.WARNING, logger="litegate"):
        translate(tools=[strict])
    assert "'get_weather'" in caplog.text and "strict" in caplog.text


def test_bad_tools_are_refused():
    with pytest.raises(litegate.BadRequestError):
        translate(tools=[{"type": "function", "function": {"description": "no name"}}])
    with pytest.raises(litegate.BadRequestError):
        translate(tools=[{"something": "else"}])


# ------------------------------------------------------------------------------ parameters


def test_generation_config():
    body = translate(
        temperature=0.3,
        top_p=0.9,
        max_tokens=100,
        stop=["END", "STOP"],
        n=2,
        seed=7,
        presence_penalty=0.5,
        frequency_penalty=-0.5,
        logprobs=True,
        top_logprobs=3,
        modalities=["text", "image"],
    )
    assert body["generationConfig"] == {
        "temperature": 0.3,
        "topP": 0.9,
        "maxOutputTokens": 100,
        "stopSequences": ["END", "STOP"],
        "candidateCount": 2,
        "seed": 7,
        "presencePenalty": 0.5,
        "frequencyPenalty": -0.5,
        "responseLogprobs": True,
        "logprobs": 3,
        "responseModalities": ["TEXT", "IMAGE"],
    }


def test_max_completion_tokens_wins_and_stop_string():
    body = translate(max_tokens=10, max_completion_tokens=20, stop="###")
    assert body["generationConfig"] == {"maxOutputTokens": 20, "stopSequences": ["###"]}


def test_response_format_json_object():
    body = translate(response_format={"type": "json_object"})
    assert body["generationConfig"] == {"responseMimeType": "application/json"}
    assert "generationConfig" not in translate(response_format={"type": "text"})


SCHEMA = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
    "required": ["name", "age"],
    "additionalProperties": False,
}


def test_response_format_json_schema_on_gemini_2_5_is_sent_as_json_schema():
    body = translate(response_format={"type": "json_schema", "json_schema": {"name": "P", "schema": SCHEMA}})
    assert body["generationConfig"] == {"responseMimeType": "application/json", "responseJsonSchema": SCHEMA}


def test_response_format_json_schema_on_older_models_is_adapted(caplog):
    with caplog.at_level(logging.WARNING, logger="litegate"):
        body = translate(
            "gemini-2.0-flash", response_format={"type": "json_schema", "json_schema": {"name": "P", "schema": SCHEMA}}
        )
    assert body["generationConfig"] == {
        "responseMimeType": "application/json",
        "responseSchema": {
            "type": "OBJECT",
            "properties": {"name": {"type": "STRING"}, "age": {"type": "INTEGER"}},
            "propertyOrdering": ["name", "age"],
            "required": ["name", "age"],
        },
    }
    assert "additionalProperties" in caplog.text


def test_pydantic_response_format():
    pydantic = pytest.importorskip("pydantic")

    class Person(pydantic.BaseModel):
        name: str
        age: int

    body = translate("gemini-1.5-pro", response_format=Person)
    schema = body["generationConfig"]["responseSchema"]
    assert schema["type"] == "OBJECT" and schema["required"] == ["name", "age"]
    assert schema["properties"]["age"] == {"title": "Age", "type": "INTEGER"}


@pytest.mark.parametrize(
    "model, effort, config",
    [
        ("gemini-2.5-flash", "low", {"thinkingBudget": 1024, "includeThoughts": True}),
        ("gemini-2.5-flash", "medium", {"thinkingBudget": 2048, "includeThoughts": True}),
        ("gemini-2.5-pro", "high", {"thinkingBudget": 4096, "includeThoughts": True}),
        ("gemini-2.5-flash-lite", "minimal", {"thinkingBudget": 512, "includeThoughts": True}),
        ("gemini-2.5-flash", "none", {"thinkingBudget": 0}),
        ("gemini-2.5-pro", "none", {"thinkingBudget": 128}),
        ("gemini-3-pro-preview", "low", {"thinkingLevel": "LOW", "includeThoughts": True}),
        ("gemini-3-pro-preview", "medium", {"thinkingLevel": "HIGH", "includeThoughts": True}),
        ("gemini-3-flash", "minimal", {"thinkingLevel": "MINIMAL", "includeThoughts": True}),
        ("gemini-3-flash", "medium", {"thinkingLevel": "MEDIUM", "includeThoughts": True}),
    ],
)
def test_reasoning_effort(model, effort, config):
    assert translate(model, reasoning_effort=effort)["generationConfig"]["thinkingConfig"] == config


def test_reasoning_effort_on_a_model_without_thinking():
    with pytest.raises(litegate.UnsupportedParamsError, match="reasoning_effort"):
        translate("gemini-2.0-flash", reasoning_effort="high")
    assert "generationConfig" not in translate("gemini-2.0-flash", reasoning_effort="high", drop=True)
    assert "generationConfig" not in translate("gemini-2.0-flash", reasoning_effort="none")


def test_anthropic_style_thinking_argument():
    body = translate(thinking={"type": "enabled", "budget_tokens": 3000})
    assert body["generationConfig"]["thinkingConfig"] == {"thinkingBudget": 3000, "includeThoughts": True}


def test_unsupported_params_raise_or_drop():
    with pytest.raises(litegate.UnsupportedParamsError) as info:
        translate(user="u1", logit_bias={"1": 2})
    assert "user" in str(info.value) and "logit_bias" in str(info.value)
    assert translate(user="u1", logit_bias={"1": 2}, temperature=0.1, drop=True)["generationConfig"] == {
        "temperature": 0.1
    }


def test_supported_openai_params():
    params = PROVIDER.supported_openai_params("gemini-2.5-flash")
    assert {
        "temperature",
        "top_p",
        "max_tokens",
        "stop",
        "n",
        "tools",
        "tool_choice",
        "response_format",
        "reasoning_effort",
        "logprobs",
        "seed",
    } <= set(params)
    assert "user" not in params and "logit_bias" not in params
    assert "reasoning_effort" not in PROVIDER.supported_openai_params("gemini-2.0-flash")


def test_keyword_arguments_go_to_generation_config_or_the_top_level():
    safety = [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}]
    body = translate(
        temperature=0.1,
        top_k=20,
        response_modalities=["TEXT"],
        safety_settings=safety,
        cached_content="cachedContents/abc",
        generation_config={"media_resolution": "MEDIA_RESOLUTION_LOW"},
        labels={"team": "a"},
    )
    assert body["generationConfig"] == {
        "temperature": 0.1,
        "topK": 20,
        "responseModalities": ["TEXT"],
        "mediaResolution": "MEDIA_RESOLUTION_LOW",
    }
    assert body["safetySettings"] == safety
    assert body["cachedContent"] == "cachedContents/abc"
    assert body["labels"] == {"team": "a"}


# ------------------------------------------------------------------------------ embeddings


def test_embed_one_text():
    req, _ = embed_request(input="hello world", dimensions=256, task_type="RETRIEVAL_DOCUMENT", title="Doc")
    assert req.url == "https://generativelanguage.googleapis.com/v1beta/models/gemini-embedding-001:embedContent"
    assert req.headers["x-goog-api-key"] == KEY
    assert req.json == {
        "model": "models/gemini-embedding-001",
        "content": {"parts": [{"text": "hello world"}]},
        "outputDimensionality": 256,
        "taskType": "RETRIEVAL_DOCUMENT",
        "title": "Doc",
    }


def test_embed_batch_with_input_type():
    req, _ = embed_request(input=["a", "b"], input_type="search_query")
    assert req.url.endswith("/models/gemini-embedding-001:batchEmbedContents")
    assert req.json == {
        "requests": [
            {
                "model": "models/gemini-embedding-001",
                "content": {"parts": [{"text": "a"}]},
                "taskType": "RETRIEVAL_QUERY",
            },
            {
                "model": "models/gemini-embedding-001",
                "content": {"parts": [{"text": "b"}]},
                "taskType": "RETRIEVAL_QUERY",
            },
        ]
    }


def test_embed_refuses_token_ids_and_user():
    with pytest.raises(litegate.BadRequestError, match="embeds text"):
        embed_request(input=[1, 2, 3])
    with pytest.raises(litegate.UnsupportedParamsError):
        embed_request(input="x", user="u")
    assert embed_request(input="x", user="u", drop=True)[0].json["content"] == {"parts": [{"text": "x"}]}


def test_thinking_blocks_beside_reasoning_content():
    """A thought summary fills thinking_blocks too (with the thought signature when sent)."""
    from litegate.providers.gemini.response import chat_choice

    choice = chat_choice(
        {
            "content": {
                "role": "model",
                "parts": [{"text": "Let me think.", "thought": True, "thoughtSignature": "c2ln"}, {"text": "42"}],
            },
            "finishReason": "STOP",
        },
        0,
    )
    msg = choice["message"]
    assert msg["reasoning_content"] == "Let me think."
    assert msg["thinking_blocks"] == [{"type": "thinking", "thinking": "Let me think.", "signature": "c2ln"}]
    assert msg["content"] == "42"


def test_streamed_thoughts_fill_thinking_blocks():
    import json as _json

    from litegate.providers.gemini.streaming import GeminiStreamDecoder

    dec = GeminiStreamDecoder("gemini", "gemini-2.5-flash")
    event = {"candidates": [{"content": {"role": "model", "parts": [{"text": "Hmm.", "thought": True}]}}]}
    last = {"candidates": [{"content": {"role": "model", "parts": [{"text": "Done"}]}, "finishReason": "STOP"}]}
    data = b"".join(b"data: " + _json.dumps(e).encode() + b"\r\n\r\n" for e in (event, last))
    chunks = dec.feed(data) + dec.finish()
    delta = chunks[0].choices[0].delta
    assert delta.reasoning_content == "Hmm."
    assert delta.thinking_blocks == [{"type": "thinking", "thinking": "Hmm."}]
