"""Light imports, and counting on a machine with no network and an empty tiktoken cache."""

from __future__ import annotations

import json
import os

from _tokens_helpers import ENV, run_python


def test_import_litegate_does_not_load_tokenizers():
    code = (
        "import sys, json, litegate, litegate.tokens\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('tiktoken', 'tiktoken_ext', 'tokenizers', 'regex', 'requests'))))"
    )
    assert json.loads(run_python(code)) == []


def test_counts_offline_with_empty_cache(tmp_path):
    empty = tmp_path / "tiktoken-cache"
    empty.mkdir()
    code = r"""
import socket

def blocked(*args, **kwargs):
    raise OSError("network disabled in this test")

socket.socket.connect = blocked
socket.socket.connect_ex = blocked
socket.create_connection = blocked
socket.getaddrinfo = blocked

import litegate.tokens as t
assert t.encode(model="gpt-4", text="hello world") == [15339, 1917]
assert t.encode(model="gpt-4o", text="hello world") == [24912, 2375]
assert t.token_counter(model="gpt-4o-mini", messages=[{"role": "user", "content": "hello world"}]) == 9
assert t.token_counter(model="claude-3-5-sonnet-20241022", text="hello world") == 2
print("ok")
"""
    env = {**ENV, "TIKTOKEN_CACHE_DIR": str(empty), "DATA_GYM_CACHE_DIR": str(empty)}
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        env[proxy] = "http://127.0.0.1:9"  # a connection attempt would fail, never succeed
    assert run_python(code, env=env).strip() == "ok"
    assert os.listdir(empty) == []  # nothing was written to tiktoken's cache


def test_tokens_importable_next_to_litegate_as_litellm():
    code = (
        "import litegate as litellm\n"
        "from litegate.tokens import token_counter, encode, decode\n"
        "print(token_counter(model='gpt-3.5-turbo', text='hello world'))"
    )
    assert run_python(code).strip() == "2"
