"""Hugging Face tokenizers from local files and JSON (no downloads)."""

from __future__ import annotations

import builtins

import pytest

import litegate.tokens as tokens

tokenizers = pytest.importorskip("tokenizers")

VOCAB = {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "hello": 3, "world": 4, "how": 5, "are": 6, "you": 7, "?": 8, "!": 9}


def _word_level():
    from tokenizers import Tokenizer, models, pre_tokenizers

    tok = Tokenizer(models.WordLevel(vocab=VOCAB, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    return tok


@pytest.fixture
def tokenizer_file(tmp_path):
    path = tmp_path / "tokenizer.json"
    _word_level().save(str(path))
    return path


def test_create_pretrained_tokenizer_from_file_and_directory(tokenizer_file):
    for identifier in (str(tokenizer_file), str(tokenizer_file.parent)):
        created = tokens.create_pretrained_tokenizer(identifier)
        assert created["type"] == "huggingface_tokenizer"
        assert isinstance(created["tokenizer"], tokenizers.Tokenizer)
        assert tokens.encode(text="hello world", custom_tokenizer=created) == [3, 4]


def test_directory_without_tokenizer_json(tmp_path):
    with pytest.raises(FileNotFoundError):
        tokens.create_pretrained_tokenizer(str(tmp_path))


def test_create_tokenizer_from_json():
    created = tokens.create_tokenizer(_word_level().to_str())
    assert created["type"] == "huggingface_tokenizer"
    assert tokens.encode(text="how are you ?", custom_tokenizer=created) == [5, 6, 7, 8]
    assert tokens.decode(tokens=[3, 4], custom_tokenizer=created) == "hello world"


def test_token_counter_with_hf_tokenizer(tokenizer_file):
    custom = tokens.create_pretrained_tokenizer(str(tokenizer_file))
    assert tokens.token_counter(custom_tokenizer=custom, text="hello world how are you ?") == 6
    assert tokens.token_counter(model="gpt-4o", custom_tokenizer=custom, text="hello unknown") == 2
    # messages: the text of the messages, without OpenAI's chat framing
    messages = [
        {"role": "system", "content": "hello"},
        {"role": "user", "content": [{"type": "text", "text": " world "}, {"type": "text", "text": "how are you"}]},
    ]
    assert tokens.token_counter(custom_tokenizer=custom, messages=messages) == 5
    # images still count by tile arithmetic
    image = {"type": "image_url", "image_url": {"url": "https://x/y.png", "detail": "low"}}
    low = [{"role": "user", "content": [image]}]
    assert tokens.token_counter(custom_tokenizer=custom, messages=low) == 85


def test_missing_tokenizers_package(monkeypatch):
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "tokenizers" or name.startswith("tokenizers."):
            raise ImportError("No module named 'tokenizers'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ImportError, match=r"pip install 'litegate\[huggingface\]'"):
        tokens.create_tokenizer("{}")
    with pytest.raises(ImportError, match=r"pip install 'litegate\[huggingface\]'"):
        tokens.create_pretrained_tokenizer("org/some-model")
