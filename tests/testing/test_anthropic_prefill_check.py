"""The fake Anthropic server refuses a final assistant prefill that ends in whitespace, as the real
API does (``messages: final assistant content cannot end with trailing whitespace``); a prefill
without it is continued."""

from __future__ import annotations

import httpx
import pytest

from litegate.testing import FakeAnthropicServer

HEADERS = {"anthropic-version": "2023-06-01", "x-api-key": "sk-ant-test"}


@pytest.fixture
def client():
    with FakeAnthropicServer() as srv, httpx.Client(base_url=srv.url, headers=HEADERS, timeout=5) as c:
        yield c


def _messages(*turns):
    return {"model": "claude-sonnet-4-5", "max_tokens": 64, "messages": list(turns)}


@pytest.mark.parametrize("tail", [" ", "\n", "\t", "  \n"])
def test_trailing_whitespace_in_the_final_assistant_turn_is_refused(client, tail):
    body = _messages({"role": "user", "content": "count"}, {"role": "assistant", "content": "one two" + tail})
    r = client.post("/v1/messages", json=body)
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["type"] == "invalid_request_error"
    assert err["message"] == "messages: final assistant content cannot end with trailing whitespace"


def test_block_form_and_streamed_requests_are_checked_too(client):
    last = {"role": "assistant", "content": [{"type": "text", "text": "first"}, {"type": "text", "text": "then "}]}
    assert client.post("/v1/messages", json=_messages({"role": "user", "content": "x"}, last)).status_code == 400
    body = dict(_messages({"role": "user", "content": "x"}, {"role": "assistant", "content": "so "}), stream=True)
    assert client.post("/v1/messages", json=body).status_code == 400


def test_prefill_without_trailing_whitespace_and_earlier_turns_are_fine(client):
    ok = _messages({"role": "user", "content": "count"}, {"role": "assistant", "content": "one two"})
    assert client.post("/v1/messages", json=ok).status_code == 200
    # whitespace at the end of an earlier assistant turn is no prefill
    earlier = _messages(
        {"role": "user", "content": "a"}, {"role": "assistant", "content": "b "}, {"role": "user", "content": "c"}
    )
    assert client.post("/v1/messages", json=earlier).status_code == 200
    # an empty final assistant turn stays allowed
    empty = _messages({"role": "user", "content": "a"}, {"role": "assistant", "content": ""})
    assert client.post("/v1/messages", json=empty).status_code == 200
