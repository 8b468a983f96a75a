"""The shipped OpenAI encodings are the genuine ones, and litegate encodes exactly as tiktoken."""

from __future__ import annotations

import hashlib
import importlib.util
import random
import re

import pytest
from _tokens_helpers import run_python, tiktoken_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import litegate.tokens as tokens
from litegate.tokens import _data, _encodings

NAMES = ("cl100k_base", "o200k_base")

LONG = " ".join(
    f"Paragraph {i}: the quick brown fox jumps over the lazy dog; naïve café, 東京 {i * 7919}. " for i in range(3000)
)

CORPUS = [
    "",
    " ",
    "hello world",
    "Hello, World!",
    "  leading and trailing spaces   ",
    "tabs\tand\nnewlines\r\n\r\nand  \n  mixed   whitespace\n\n\n",
    "It's, I'M, we'll, they've, you'd, she's, DON'T",
    "Numbers: 1 12 123 1234 12345 3.14159 -42 1e10 0x1F 2024-05-13",
    "Ünïcödé àçcéñts: façade, jalapeño, smörgåsbord, Straße, İstanbul",
    "CJK: 你好，世界！日本語のテキスト。한국어 텍스트입니다.",
    "Emoji: 🎉👍🏽👨‍👩‍👧‍👦🏳️‍🌈 ❤️ 🇫🇷",
    "Arabic: مرحبا بالعالم — Hebrew: שלום עולם — Hindi: नमस्ते दुनिया — Thai: สวัสดีชาวโลก",
    "Combining marks: e\u0301 a\u0308 n\u0303 \u0915\u094d\u0937",
    "def fib(n: int) -> int:\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n",
    "function add(a, b) { return a + b; }  // JS\nconst x = [1, 2, 3].map((v) => v ** 2);",
    '{"key": "value", "nested": {"list": [1, 2, 3], "null": null, "bool": true}}',
    '<html><body><p class="x">Hi &amp; bye</p></body></html>',
    "Special markers stay text: <|endoftext|> <|fim_prefix|> <|endofprompt|>",
    "URLs: https://example.com/path?query=1&x=y#frag and paths /usr/local/bin/python3",
    "!!!???...,,,;;;:::---___===+++***&&&%%%$$$###@@@",
    "a" * 1000,
    "ab " * 500,
    "\u00a0non-breaking\u2009thin\u200bzero-width\ufeffbom",
    LONG,
]


def _expected_hashes_in_tiktoken() -> dict:
    spec = importlib.util.find_spec("tiktoken_ext.openai_public")
    if spec is None or spec.origin is None:
        pytest.skip("tiktoken_ext.openai_public not available")
    with open(spec.origin, encoding="utf-8") as f:
        source = f.read()
    found = {}
    for name in NAMES:
        match = re.search(rf"encodings/{name}\.tiktoken\",\s*expected_hash=\"([0-9a-f]{{64}})\"", source)
        if match:
            found[name] = match.group(1)
    return found


@pytest.mark.parametrize("name", NAMES)
def test_shipped_table_rebuilds_openais_file_exactly(name):
    text = tiktoken_text(name)
    digest = hashlib.sha256(text).hexdigest()
    assert digest == _encodings.SOURCE_SHA256[name]
    expected = _expected_hashes_in_tiktoken()
    if name in expected:  # the hash tiktoken checks OpenAI's download against
        assert digest == expected[name]


@pytest.mark.parametrize("name,size", [("cl100k_base", 100256), ("o200k_base", 199998)])
def test_table_round_trip(name, size):
    tokens_in_order = _data.unpack_tokens(_encodings.read_table(name))
    assert len(tokens_in_order) == size
    assert len(set(tokens_in_order)) == size
    assert _data.parse_tiktoken_text(_data.to_tiktoken_text(tokens_in_order)) == tokens_in_order
    assert _data.unpack_tokens(_data.pack(tokens_in_order[:1000])) == tokens_in_order[:1000]


def test_known_token_ids():
    assert tokens.encode(model="gpt-4", text="hello world") == [15339, 1917]
    assert tokens.encode(model="gpt-3.5-turbo", text="tiktoken is great!") == [83, 1609, 5963, 374, 2294, 0]
    assert tokens.encode(model="gpt-4o", text="hello world") == [24912, 2375]
    assert tokens.get_encoding("cl100k_base").n_vocab == 100277
    assert tokens.get_encoding("o200k_base").n_vocab == 200019


@pytest.mark.parametrize("name", NAMES)
def test_same_definition_as_tiktoken(official, name):
    ours, theirs = tokens.get_encoding(name), official[name]
    assert ours.name == theirs.name
    assert ours.n_vocab == theirs.n_vocab
    assert ours._special_tokens == theirs._special_tokens
    assert ours._mergeable_ranks == theirs._mergeable_ranks


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("index", range(len(CORPUS)))
def test_counts_match_tiktoken_on_corpus(official, name, index):
    text = CORPUS[index]
    expected = official[name].encode(text, disallowed_special=())
    model = "gpt-4o" if name == "o200k_base" else "gpt-4"
    assert tokens.encode(model=model, text=text) == expected
    assert tokens.token_counter(model=model, text=text) == len(expected)
    assert tokens.decode(model=model, tokens=expected) == text


@pytest.mark.parametrize("name", NAMES)
def test_counts_match_tiktoken_on_random_unicode(official, name):
    rng = random.Random(1234)
    alphabet = (
        [chr(c) for c in range(0x20, 0x7F)]
        + list("\n\r\t  éüßñçøåÆŒ你好世界日本語한국어мирΣλ\u0301\u0308🎉👍🏽")
        + ["'s", "'LL", "123", "    ", "\r\n"]
    )
    enc = tokens.get_encoding(name)
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 200)))
        assert enc.encode_ordinary(text) == official[name].encode(text, disallowed_special=())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_counts_match_tiktoken_property(official, text):
    for name in NAMES:
        assert tokens.get_encoding(name).encode_ordinary(text) == official[name].encode(text, disallowed_special=())


@pytest.mark.parametrize(
    "model,name",
    [
        ("gpt-4o", "o200k_base"),
        ("gpt-4o-mini-2024-07-18", "o200k_base"),
        ("openai/gpt-4o", "o200k_base"),
        ("azure/gpt-4o", "o200k_base"),
        ("ft:gpt-4o-mini-2024-07-18:acme::abc123", "o200k_base"),
        ("chatgpt-4o-latest", "o200k_base"),
        ("gpt-4.1-nano", "o200k_base"),
        ("gpt-4.5-preview", "o200k_base"),
        ("gpt-5", "o200k_base"),
        ("gpt-5-mini", "o200k_base"),
        ("o1", "o200k_base"),
        ("o1-mini", "o200k_base"),
        ("o3-mini", "o200k_base"),
        ("o4-mini", "o200k_base"),
        ("GPT-4O", "o200k_base"),
        ("gpt-4", "cl100k_base"),
        ("gpt-4-turbo", "cl100k_base"),
        ("gpt-3.5-turbo", "cl100k_base"),
        ("azure/gpt-35-turbo", "cl100k_base"),
        ("text-embedding-3-small", "cl100k_base"),
        ("text-embedding-ada-002", "cl100k_base"),
        ("claude-3-5-sonnet-20241022", "cl100k_base"),
        ("anthropic/claude-sonnet-4-20250514", "cl100k_base"),
        ("gemini/gemini-2.0-flash", "cl100k_base"),
        ("meta-llama/Llama-3.1-8B-Instruct", "cl100k_base"),
        ("", "cl100k_base"),
        ("some-unknown-model", "cl100k_base"),
    ],
)
def test_encoding_for_model(model, name):
    assert tokens.encoding_name_for_model(model) == name
    assert tokens.get_encoding_for_model(model).name == name


def test_encodings_are_loaded_once():
    assert tokens.get_encoding("cl100k_base") is tokens.get_encoding("cl100k_base")
    assert tokens.get_encoding_for_model("gpt-4o") is tokens.get_encoding("o200k_base")
    assert tokens.encoding is tokens.get_encoding("cl100k_base")


def test_unknown_encoding_name():
    with pytest.raises(ValueError, match="Unknown encoding"):
        tokens.get_encoding("p50k_base")


def test_concurrent_first_use_builds_one_encoding():
    code = (
        "import threading\n"
        "from litegate.tokens import _encodings\n"
        "seen = []\n"
        "def work():\n"
        "    seen.append(_encodings.get_encoding('cl100k_base'))\n"
        "threads = [threading.Thread(target=work) for _ in range(8)]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]\n"
        "assert len(seen) == 8 and len({id(e) for e in seen}) == 1\n"
        "print('ok')\n"
    )
    assert run_python(code).strip() == "ok"
