"""Token counting and tokenizers (``litellm.utils`` token helpers).

OpenAI's ``cl100k_base`` and ``o200k_base`` encodings ship with litegate and load offline on
first use (``tiktoken`` does the encoding; nothing is downloaded). Hugging Face tokenizers come
from the optional ``tokenizers`` package (``pip install 'litegate[huggingface]'``). Importing this
module imports neither: they load on first use.

See ``docs/TOKENS.md`` for the counting rules and where the encoding tables come from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._counter import _select_tokenizer as _select_tokenizer  # litellm.utils._select_tokenizer
from ._counter import (
    decode,
    encode,
    estimate_usage,
    openai_token_counter,
    token_counter,
)
from ._encodings import encoding_name_for_model, get_encoding, get_encoding_for_model
from ._hf import create_pretrained_tokenizer, create_tokenizer
from ._images import tile_tokens as image_tokens_for_size

__all__ = [
    "token_counter",
    "openai_token_counter",
    "encode",
    "decode",
    "create_pretrained_tokenizer",
    "create_tokenizer",
    "get_encoding",
    "get_encoding_for_model",
    "encoding_name_for_model",
    "estimate_usage",
    "image_tokens_for_size",
]


if TYPE_CHECKING:
    from tiktoken import Encoding

    encoding: Encoding  # made on first use, by __getattr__


def __getattr__(name: str) -> Any:
    # ``litellm.utils.encoding`` / ``litellm.encoding``: the default (cl100k_base) encoding
    if name == "encoding":
        return get_encoding()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
