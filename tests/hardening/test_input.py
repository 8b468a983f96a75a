"""Hardening of per-call validation (core/call.py, core/params.py): bad input fails with a litegate
``InputValidationError`` / ``InputTypeError`` (or ``AuthenticationError`` for a broken key) before
any request, never as a raw Python error and never sent on unchecked."""

from __future__ import annotations

import decimal
import logging

import pytest

import litegate
from litegate.core.call import build_chat_call, build_embedding_call, build_text_call

MSGS = [{"role": "user", "content": "hi"}]
NOWHERE = "http://127.0.0.1:9/v1"  # nothing listens: reaching the network would be a connection error


def _chat(**kw):
    return build_chat_call("gpt-4o-mini", MSGS, kw)


def _completion(**kw):
    kw.setdefault("api_key", "sk-test")
    kw.setdefault("api_base", NOWHERE)
    return litegate.completion(model="openai/gpt-4o-mini", messages=MSGS, num_retries=0, **kw)


# --------------------------------------------------------------------------- JSON values


class _Thing:
    pass


@pytest.mark.parametrize(
    "kw, where",
    [
        ({"extra_body": {"x": _Thing()}}, "x"),
        ({"extra_body": {"z": complex(1, 2)}}, "z"),
        ({"extra_body": {"ids": {1, 2, _Thing()}}}, "ids"),
        ({"metadata_blob": {"a": [1, {"b": b"bytes"}]}}, "metadata_blob['a'][1]['b']"),
        (
            {"response_format": {"type": "json_schema", "json_schema": {"x": decimal.Decimal("1.5")}}},
            "response_format['json_schema']['x']",
        ),
        ({"tools": [{"type": "function", "function": {"name": "f", "parameters": {"default": object()}}}]}, "tools[0]"),
    ],
)
def test_values_that_are_not_json_fail_before_any_request(kw, where):
    with pytest.raises(litegate.InputTypeError) as info:
        _chat(**dict(kw))
    assert where in str(info.value)
    with pytest.raises(litegate.InputTypeError):
        _completion(**dict(kw))


def test_json_values_and_encodable_objects_pass():
    from pydantic import BaseModel

    class M(BaseModel):
        a: int = 1

    call = _chat(
        extra_body={"a": (1, 2), "b": {"x": [None, True, 1.5, "s"]}, "c": M(), "d": {1: "int key"}},
        tools=[{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
        vertex_credentials=_Thing(),
    )  # read by the provider, never sent
    assert call.extra["a"] == (1, 2)
    deep: dict = {}
    node = deep
    for _ in range(200):  # deeper than the walk looks: the encoder still decides, no RecursionError
        node["n"] = {}
        node = node["n"]
    assert _chat(extra_body={"deep": deep}).extra["deep"] is deep
    node["bad"] = _Thing()
    with pytest.raises(litegate.InputTypeError, match="deep cannot be sent as JSON"):
        _chat(extra_body={"deep": deep})


def test_a_cycle_fails_as_input_error_not_a_raw_error():
    loop: dict = {"a": 1}
    loop["self"] = loop
    with pytest.raises(litegate.InputTypeError, match="loop cannot be sent as JSON"):
        _chat(extra_body={"loop": loop})


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_top_level_non_finite_numbers_are_rejected(value):
    with pytest.raises(litegate.InputValidationError, match="min_p must be a finite number"):
        _chat(min_p=value)
    with pytest.raises(litegate.InputValidationError, match="scale must be a finite number"):
        _chat(extra_body={"scale": value})


def test_text_and_embedding_calls_check_their_extra_values():
    with pytest.raises(litegate.InputTypeError):
        build_text_call("gpt-3.5-turbo-instruct", "hi", {"extra_body": {"x": _Thing()}})
    with pytest.raises(litegate.InputTypeError):
        build_embedding_call("text-embedding-3-small", "hi", {"extra_body": {"x": _Thing()}})


# --------------------------------------------------------------------------- sampling values


@pytest.mark.parametrize("name", ["temperature", "top_p", "presence_penalty", "frequency_penalty"])
@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_nan_and_infinite_sampling_values_are_rejected(name, value):
    with pytest.raises(litegate.InputValidationError, match=f"{name} must be"):
        _chat(**{name: value})
    with pytest.raises(litegate.InputValidationError):
        build_text_call("gpt-3.5-turbo-instruct", "hi", {name: value})
    with pytest.raises(litegate.InputValidationError):
        _completion(**{name: value})


def test_finite_sampling_values_still_pass():
    call = _chat(temperature=0.7, top_p=1, presence_penalty=-2.0, frequency_penalty=2)
    assert call.params["temperature"] == 0.7


# --------------------------------------------------------------------------- stream_timeout


@pytest.mark.parametrize("name", ["stream_timeout", "stream_first_token_timeout"])
@pytest.mark.parametrize(
    "value, type_error",
    [(0, False), (-1, False), (-0.5, False), (float("nan"), False), ("5", True), (True, True), ([1], True)],
)
def test_stream_timeouts_must_be_positive_numbers(name, value, type_error):
    with pytest.raises(litegate.InputTypeError if type_error else litegate.InputValidationError, match=name):
        _chat(**{name: value})
    with pytest.raises(litegate.InputValidationError):  # InputTypeError is one too
        _completion(stream=True, **{name: value})


def test_valid_stream_timeout_is_kept():
    assert _chat(stream_timeout=2.5).ctl.stream_timeout == 2.5


# --------------------------------------------------------------------------- api_key


@pytest.mark.parametrize("key", [123, b"sk-bytes", ["sk"], {"k": "sk"}])
def test_api_key_must_be_a_string(key):
    with pytest.raises(litegate.InputTypeError, match="api_key must be a string"):
        _chat(api_key=key)
    with pytest.raises(litegate.InputTypeError):
        _completion(api_key=key)


@pytest.mark.parametrize("raw", ["sk-FILEKEY123\n", "  sk-FILEKEY123 \r\n", "\tsk-FILEKEY123"])
def test_api_key_with_surrounding_whitespace_is_stripped_and_logged_without_the_key(raw, caplog):
    with caplog.at_level(logging.DEBUG, logger="litegate"):
        call = _chat(api_key=raw)
    assert call.ctl.api_key == "sk-FILEKEY123"
    assert any("stripped" in r.getMessage() for r in caplog.records)
    assert not any("FILEKEY" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("raw", ["sk-SECRETHEAD\nSECRETTAIL", "sk-SECRETHEAD\r\nSECRETTAIL\n", "sk-SECRETHEAD\x00TAIL"])
def test_api_key_with_a_line_break_inside_raises_authentication_error_without_the_key(raw):
    for run in (lambda: _chat(api_key=raw), lambda: _completion(api_key=raw)):
        with pytest.raises(litegate.AuthenticationError) as info:
            run()
        text = str(info.value) + repr(info.value.args) + str(info.value.message)
        assert "SECRET" not in text and "TAIL" not in text
        assert "line break" in text


def test_plain_keys_are_untouched():
    assert _chat(api_key="sk-abc").ctl.api_key == "sk-abc"
    assert _chat(api_key="").ctl.api_key == ""


# --------------------------------------------------------------------------- headers


@pytest.mark.parametrize("name", ["extra_headers", "headers"])
@pytest.mark.parametrize(
    "headers, type_error",
    [
        ({"X-Count": 3}, True),
        ({1: "x"}, True),
        ({"X-Token": b"v"}, True),
        ("X-A: b", True),
        ([("X-A", "b")], True),
        ({"X-A": "ok\r\nX-Injected: SECRETVALUE"}, False),
        ({"X-A\n": "v"}, False),
    ],
)
def test_headers_must_map_strings_to_strings_without_line_breaks(name, headers, type_error):
    with pytest.raises(litegate.InputTypeError if type_error else litegate.InputValidationError) as info:
        _chat(**{name: headers})
    assert name in str(info.value)
    assert "SECRETVALUE" not in str(info.value)
    with pytest.raises(litegate.InputValidationError):
        _completion(**{name: headers})


def test_good_headers_pass():
    call = _chat(extra_headers={"X-A": "1"}, headers={"X-B": "two words\tand tab"})
    assert call.ctl.extra_headers == {"X-B": "two words\tand tab", "X-A": "1"}


# --------------------------------------------------------------------------- api_base


@pytest.mark.parametrize("name", ["api_base", "base_url"])
@pytest.mark.parametrize(
    "base",
    [
        "localhost:8000",
        "api.openai.com/v1",
        "ftp://example.com",
        "https://",
        "http:///v1",
        "file:///etc/passwd",
        "https://exa mple.com",
        "http://x\n.com",
        "",
    ],
)
def test_api_base_must_be_an_http_url_with_a_host(name, base):
    with pytest.raises(litegate.InputValidationError, match=name):
        _chat(**{name: base})


def test_api_base_of_wrong_type():
    with pytest.raises(litegate.InputTypeError):
        _chat(api_base=8080)
    with pytest.raises(litegate.InputTypeError):
        _completion(api_base=b"http://x")


@pytest.mark.parametrize(
    "base",
    [
        "http://127.0.0.1:8080/v1",
        "https://api.example.com",
        "HTTPS://Example.com/v1/",
        "http://[::1]:11434",
        " https://api.example.com/v1 ",
    ],
)
def test_good_api_bases_pass(base):
    assert _chat(api_base=base).ctl.api_base == base.strip()


def test_an_object_inside_a_message_fails_as_input_error_before_anything_is_sent(server):
    class Opaque:
        pass

    msgs = [{"role": "user", "content": [{"type": "text", "text": "hi", "extra": Opaque()}]}]
    with pytest.raises(litegate.InputTypeError, match="cannot be sent as JSON"):
        litegate.completion(
            model="openai/m", messages=msgs, api_key="sk-test-0123456789", api_base=server.base_url, num_retries=0
        )
    assert server.hits() == 0


def test_keys_from_the_environment_or_settings_follow_the_same_rules(server, monkeypatch):
    key = "sk-test-env-0123456789abcdef"
    monkeypatch.setenv("OPENAI_API_KEY", key + "\n")  # read from a file with its newline
    litegate.completion(
        model="openai/m", messages=[{"role": "user", "content": "hi"}], api_base=server.base_url, num_retries=0
    )
    assert server.requests[-1].header("authorization") == "Bearer " + key
    litegate.openai_key = "sk-test-a\r\nX-Injected: 1"
    with pytest.raises(litegate.AuthenticationError) as info:
        litegate.completion(
            model="openai/m", messages=[{"role": "user", "content": "hi"}], api_base=server.base_url, num_retries=0
        )
    assert "sk-test-a" not in str(info.value) and server.hits() == 1
