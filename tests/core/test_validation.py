"""Bad input fails before any network call, with a clear message; drop_params per row."""

from __future__ import annotations

import pytest
from _core_helpers import KEY, user_messages

import litegate
from litegate.providers.openai_compatible import PROVIDERS

MODEL = "gpt-4o-mini"


def _call(server, model=MODEL, messages="default", **kw):
    kw.setdefault("api_key", KEY)
    kw.setdefault("api_base", server.base_url)
    if messages == "default":
        messages = user_messages()
    return litegate.completion(model, messages, **kw)


def _expect_bad(server, fn, *words, type_error=False):
    """``fn()`` must raise a BadRequestError naming ``words``, before the server sees anything."""
    with pytest.raises(litegate.BadRequestError) as info:
        fn()
    exc = info.value
    assert isinstance(exc, ValueError)
    if type_error:
        assert isinstance(exc, TypeError)
    text = str(exc)
    for word in words:
        assert word in text, f"{word!r} missing from: {text}"
    assert server.hits() == 0
    return exc


# --------------------------------------------------------------------------------- model / messages


@pytest.mark.parametrize("model", [None, "", "   "])
def test_missing_or_empty_model(server, model):
    _expect_bad(server, lambda: _call(server, model=model), "model")


def test_model_of_wrong_type(server):
    _expect_bad(server, lambda: _call(server, model=42), "model", type_error=True)


@pytest.mark.parametrize(
    "messages", [None, "hello", {"role": "user", "content": "hi"}, ("a", "b")], ids=["none", "str", "dict", "tuple"]
)
def test_messages_not_a_list(server, messages):
    _expect_bad(server, lambda: _call(server, messages=messages), "messages")


def test_empty_messages(server):
    _expect_bad(server, lambda: _call(server, messages=[]), "messages")


@pytest.mark.parametrize(
    "message",
    [
        {"content": "no role"},
        {"role": "robot", "content": "hi"},
        {"role": None, "content": "hi"},
        {"role": "USER", "content": "hi"},
    ],
    ids=["missing", "unknown", "none", "uppercase"],
)
def test_message_without_valid_role(server, message):
    exc = _expect_bad(server, lambda: _call(server, messages=[message]), "role")
    assert "messages[0]" in str(exc)


def test_invalid_role_reports_position(server):
    msgs = user_messages() + [{"role": "assistant", "content": "ok"}, {"role": "wizard", "content": "x"}]
    _expect_bad(server, lambda: _call(server, messages=msgs), "messages[2]", "wizard")


def test_message_not_a_dict(server):
    _expect_bad(server, lambda: _call(server, messages=["hello"]), "messages[0]", type_error=True)


def test_tool_message_without_tool_call_id(server):
    msgs = user_messages() + [{"role": "tool", "content": "42"}]
    _expect_bad(server, lambda: _call(server, messages=msgs), "tool_call_id")


def test_tool_message_with_empty_tool_call_id(server):
    msgs = user_messages() + [{"role": "tool", "content": "42", "tool_call_id": ""}]
    _expect_bad(server, lambda: _call(server, messages=msgs), "tool_call_id")


def test_content_of_wrong_type(server):
    _expect_bad(server, lambda: _call(server, messages=[{"role": "user", "content": 12}]), "content", type_error=True)


async def test_async_validation_no_hit(server):
    with pytest.raises(litegate.BadRequestError):
        await litegate.acompletion(MODEL, "not a list", api_key=KEY, api_base=server.base_url)
    with pytest.raises(litegate.BadRequestError):
        await litegate.acompletion(MODEL, user_messages(), api_key=KEY, api_base=server.base_url, n=0)
    assert server.hits() == 0


# --------------------------------------------------------------------------------- params


def test_temperature_wrong_type_is_type_error_and_bad_request(server):
    exc = _expect_bad(server, lambda: _call(server, temperature="hot"), "temperature", type_error=True)
    assert isinstance(exc, litegate.BadRequestError)
    assert isinstance(exc, TypeError)
    assert exc.status_code == 400


@pytest.mark.parametrize(
    "name,value",
    [
        ("temperature", True),
        ("max_tokens", "100"),
        ("max_tokens", 1.5),
        ("n", "2"),
        ("top_p", "high"),
        ("seed", 1.5),
        ("logprobs", "yes"),
        ("user", 123),
        ("logit_bias", [1, 2]),
        ("tools", "get_weather"),
        ("stream_options", True),
    ],
    ids=lambda v: str(v),
)
def test_param_wrong_type(server, name, value):
    _expect_bad(server, lambda: _call(server, **{name: value}), name, type_error=True)


@pytest.mark.parametrize(
    "name,value",
    [
        ("n", 0),
        ("n", -1),
        ("temperature", -0.5),
        ("top_p", 1.5),
        ("max_tokens", 0),
        ("top_logprobs", 21),
        ("presence_penalty", 3),
    ],
    ids=lambda v: str(v),
)
def test_param_out_of_range(server, name, value):
    _expect_bad(server, lambda: _call(server, **{name: value}), name)


@pytest.mark.parametrize("stop", [5, ["ok", 3], {"a": 1}], ids=["int", "mixed-list", "dict"])
def test_bad_stop_type(server, stop):
    _expect_bad(server, lambda: _call(server, stop=stop), "stop", type_error=True)


def test_bad_tool_choice_type(server):
    _expect_bad(server, lambda: _call(server, tool_choice=3), "tool_choice", type_error=True)


def test_bad_response_format(server):
    _expect_bad(server, lambda: _call(server, response_format="json"), "response_format", type_error=True)


def test_bad_stream_flag(server):
    _expect_bad(server, lambda: _call(server, stream="yes"), "stream", type_error=True)


@pytest.mark.parametrize(
    "name,value", [("num_retries", -1), ("num_retries", "3"), ("timeout", -5), ("timeout", "10s")], ids=lambda v: str(v)
)
def test_bad_control_values(server, name, value):
    _expect_bad(server, lambda: _call(server, **{name: value}), name)


def test_valid_edge_values_are_accepted(server):
    _call(server, temperature=0, n=1, stop="END", top_p=1.0, max_tokens=1, top_logprobs=0)
    assert server.hits() == 1


# --------------------------------------------------------------------------------- embeddings


def _embed(server, input, **kw):
    return litegate.embedding("text-embedding-3-small", input, api_key=KEY, api_base=server.base_url, **kw)


@pytest.mark.parametrize(
    "value",
    [None, "", [], ["ok", ""], ["ok", 3], 42, {"text": "x"}, [1.5, 2.5]],
    ids=["none", "empty-str", "empty-list", "empty-item", "mixed", "int", "dict", "floats"],
)
def test_bad_embedding_input(server, value):
    _expect_bad(server, lambda: _embed(server, value), "input")


@pytest.mark.parametrize(
    "name,value", [("dimensions", 0), ("dimensions", "8"), ("encoding_format", "binary")], ids=lambda v: str(v)
)
def test_bad_embedding_params(server, name, value):
    _expect_bad(server, lambda: _embed(server, "hello", **{name: value}), name)


async def test_async_bad_embedding_input(server):
    with pytest.raises(litegate.BadRequestError):
        await litegate.aembedding("text-embedding-3-small", [], api_key=KEY, api_base=server.base_url)
    assert server.hits() == 0


# --------------------------------------------------------------------------------- providers


def test_unknown_provider_prefix_suggests_close_match(server):
    exc = _expect_bad(server, lambda: _call(server, model="gorq/llama-3.1-8b-instant"), "gorq", "groq")
    assert "provider" in str(exc).lower()


def test_unknown_provider_via_custom_llm_provider(server):
    _expect_bad(server, lambda: _call(server, model="llama", custom_llm_provider="mistrall"), "mistral")


def test_unrecognised_bare_model(server):
    _expect_bad(server, lambda: _call(server, model="totally-unknown-model-xyz"), "provider")


# --------------------------------------------------------------------------------- drop_params

DROP_CASES = sorted(
    {(row.name, sorted(row.unsupported_params)[0]) for row in PROVIDERS.values() if row.unsupported_params}
)

_VALUES = {
    "logprobs": True,
    "top_logprobs": 2,
    "logit_bias": {"1": 1},
    "user": "u",
    "seed": 7,
    "stop": ["x"],
    "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
    "tool_choice": "auto",
    "parallel_tool_calls": True,
    "stream_options": {"include_usage": True},
    "functions": [{"name": "f", "parameters": {"type": "object"}}],
    "function_call": "auto",
    "modalities": ["text"],
    "audio": {"voice": "alloy", "format": "wav"},
    "prediction": {"type": "content", "content": "x"},
    "service_tier": "auto",
    "store": True,
}


def _row_call(server, row_name, param, **kw):
    return litegate.completion(
        f"{row_name}/some-model",
        user_messages(),
        api_key="row-key-123456789",
        api_base=server.base_url,
        **{param: _VALUES[param]},
        **kw,
    )


def test_drop_cases_exist():
    assert {"groq", "mistral", "perplexity"} <= {name for name, _ in DROP_CASES}


@pytest.mark.parametrize("row_name,param", DROP_CASES, ids=[f"{r}-{p}" for r, p in DROP_CASES])
def test_unsupported_param_raises_naming_it(server, row_name, param):
    with pytest.raises(litegate.UnsupportedParamsError) as info:
        _row_call(server, row_name, param)
    exc = info.value
    assert isinstance(exc, litegate.BadRequestError)
    assert param in str(exc)
    assert "drop_params" in str(exc)
    assert exc.llm_provider == row_name
    assert server.hits() == 0


@pytest.mark.parametrize("row_name,param", DROP_CASES, ids=[f"{r}-{p}" for r, p in DROP_CASES])
def test_unsupported_param_dropped_per_call(server, row_name, param):
    _row_call(server, row_name, param, drop_params=True, temperature=0.4)
    body = server.last_request.json
    assert param not in body
    assert body["temperature"] == 0.4, "supported params are kept"
    assert "drop_params" not in body


def test_unsupported_param_dropped_module_level(server):
    row_name, param = next((r, p) for r, p in DROP_CASES if r == "groq")
    litegate.drop_params = True
    _row_call(server, row_name, param)
    assert param not in server.last_request.json
    assert server.hits() == 1


def test_per_call_drop_params_false_overrides_module(server):
    row_name, param = next((r, p) for r, p in DROP_CASES if r == "groq")
    litegate.drop_params = True
    with pytest.raises(litegate.UnsupportedParamsError):
        _row_call(server, row_name, param, drop_params=False)
    assert server.hits() == 0


async def test_async_unsupported_param(server):
    row_name, param = DROP_CASES[0]
    with pytest.raises(litegate.UnsupportedParamsError):
        await litegate.acompletion(
            f"{row_name}/m",
            user_messages(),
            api_key="row-key-123456789",
            api_base=server.base_url,
            **{param: _VALUES[param]},
        )
    assert server.hits() == 0


RENAME_CASES = sorted(
    (row.name, src, dst)
    for row in PROVIDERS.values()
    for src, dst in row.param_renames.items()
    if src in ("seed", "max_completion_tokens")
)


@pytest.mark.parametrize("row_name,src,dst", RENAME_CASES, ids=[f"{r}-{s}" for r, s, _ in RENAME_CASES])
def test_row_param_renames_reach_the_server(server, row_name, src, dst):
    value = 17
    litegate.completion(
        f"{row_name}/m", user_messages(), api_key="row-key-123456789", api_base=server.base_url, **{src: value}
    )
    body = server.last_request.json
    assert body.get(dst) == value
    assert src not in body


def test_embedding_on_a_row_without_embeddings_fails_before_the_network(server):
    from litegate.providers.openai_compatible import PROVIDERS

    name = next(n for n, row in PROVIDERS.items() if "embedding" not in row.endpoints and row.key_required)
    with pytest.raises(litegate.BadRequestError) as info:
        litegate.embedding(model=f"{name}/some-model", input="hi", api_base=server.base_url, api_key="sk-emb-0000000")
    assert "embeddings" in str(info.value)
    assert server.hits() == 0


def test_embedding_on_a_row_with_embeddings_reaches_the_server(server):
    from litegate.providers.openai_compatible import PROVIDERS

    name = next(n for n, row in PROVIDERS.items() if "embedding" in row.endpoints and n != "openai")
    resp = litegate.embedding(
        model=f"{name}/some-model", input=["a", "b"], api_base=server.base_url, api_key="sk-emb-0000000"
    )
    assert len(resp.data) == 2
    assert server.last_request.path.endswith("/embeddings")
