"""Hugging Face tokenizers (the optional ``tokenizers`` package, extra ``huggingface``)."""

from __future__ import annotations

import os
from typing import Any

HF_TYPE = "huggingface_tokenizer"
OPENAI_TYPE = "openai_tokenizer"

_INSTALL_HINT = "Hugging Face tokenizers need the optional 'tokenizers' package: pip install 'litegate[huggingface]'"


def _tokenizer_class() -> Any:
    try:
        from tokenizers import Tokenizer
    except ImportError as exc:
        raise ImportError(_INSTALL_HINT) from exc
    return Tokenizer


def create_pretrained_tokenizer(
    identifier: str, revision: str = "main", auth_token: str | None = None
) -> dict[str, Any]:
    """Load a Hugging Face tokenizer: ``{"type": "huggingface_tokenizer", "tokenizer": Tokenizer}``.

    ``identifier`` is a local ``tokenizer.json`` file, a local directory holding one (both work
    offline), or a repository on the Hugging Face Hub (``"org/name"``, downloaded by the
    ``tokenizers`` package at ``revision``, with ``auth_token`` for private repositories).
    """
    Tokenizer = _tokenizer_class()
    path = os.path.expanduser(str(identifier))
    if os.path.isdir(path):
        candidate = os.path.join(path, "tokenizer.json")
        if not os.path.isfile(candidate):
            raise FileNotFoundError(f"no tokenizer.json in directory {identifier!r}")
        tokenizer = Tokenizer.from_file(candidate)
    elif os.path.isfile(path):
        tokenizer = Tokenizer.from_file(path)
    else:
        try:
            tokenizer = Tokenizer.from_pretrained(identifier, revision=revision, token=auth_token)
        except TypeError:  # tokenizers releases that still call the argument auth_token
            tokenizer = Tokenizer.from_pretrained(identifier, revision=revision, auth_token=auth_token)
    return {"type": HF_TYPE, "tokenizer": tokenizer}


def create_tokenizer(json: str) -> dict[str, Any]:
    """A Hugging Face tokenizer from its JSON text (the contents of a ``tokenizer.json``)."""
    Tokenizer = _tokenizer_class()
    return {"type": HF_TYPE, "tokenizer": Tokenizer.from_str(json)}
