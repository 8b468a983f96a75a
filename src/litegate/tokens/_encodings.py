"""OpenAI's BPE encodings, loaded offline from the tables shipped with litegate.

``tiktoken`` does the encoding; its own loader would download the rank files from the internet
on first use, so we never call ``tiktoken.get_encoding``. We build ``tiktoken.Encoding`` objects
from the shipped tables (see :mod:`litegate.tokens._data`) and the published split patterns and
special tokens. Each encoding is built once per process, under a lock, on first use.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import types

    from tiktoken import Encoding

CL100K_BASE = "cl100k_base"
O200K_BASE = "o200k_base"
DEFAULT_ENCODING = CL100K_BASE

# SHA-256 of OpenAI's published ``.tiktoken`` files (the values tiktoken checks its downloads
# against). The shipped tables rebuild these files exactly; the tests verify it.
SOURCE_SHA256 = {
    CL100K_BASE: "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    O200K_BASE: "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}

_ENDOFTEXT = "<|endoftext|>"
_ENDOFPROMPT = "<|endofprompt|>"

# Pre-tokenisation patterns of the two encodings, as OpenAI published them.
_CL100K_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
_O200K_PATTERN = "|".join(
    (
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    )
)

# name -> (pattern, special tokens)
ENCODING_SPECS: dict[str, tuple[str, dict[str, int]]] = {
    CL100K_BASE: (
        _CL100K_PATTERN,
        {
            _ENDOFTEXT: 100257,
            "<|fim_prefix|>": 100258,
            "<|fim_middle|>": 100259,
            "<|fim_suffix|>": 100260,
            _ENDOFPROMPT: 100276,
        },
    ),
    O200K_BASE: (_O200K_PATTERN, {_ENDOFTEXT: 199999, _ENDOFPROMPT: 200018}),
}

_lock = threading.Lock()
_encodings: dict[str, Encoding] = {}


def _import_tiktoken() -> types.ModuleType:
    try:
        import tiktoken
    except ImportError as exc:  # pragma: no cover - tiktoken is a core dependency
        raise ImportError(
            "Counting tokens for OpenAI encodings needs the 'tiktoken' package: pip install tiktoken"
        ) from exc
    return tiktoken


def read_table(name: str) -> bytes:
    """The compressed rank table shipped for encoding ``name``."""
    from importlib import resources

    return (resources.files("litegate") / "data" / "tokenizers" / f"{name}.bpe").read_bytes()


def _build(name: str) -> Encoding:
    from ._data import unpack_ranks

    spec = ENCODING_SPECS.get(name)
    if spec is None:
        raise ValueError(f"Unknown encoding {name!r}; litegate ships {', '.join(sorted(ENCODING_SPECS))}")
    tiktoken = _import_tiktoken()
    pattern, special = spec
    ranks = unpack_ranks(read_table(name))
    encoding: Encoding = tiktoken.Encoding(name, pat_str=pattern, mergeable_ranks=ranks, special_tokens=dict(special))
    return encoding


def get_encoding(name: str = DEFAULT_ENCODING) -> Encoding:
    """The ``tiktoken.Encoding`` called ``name`` (``cl100k_base`` or ``o200k_base``), built from the
    tables shipped with litegate: nothing is downloaded. Built once per process; thread-safe."""
    enc = _encodings.get(name)
    if enc is None:
        with _lock:
            enc = _encodings.get(name)
            if enc is None:
                enc = _build(name)
                _encodings[name] = enc
    return enc


# Model name prefixes (after dropping a provider prefix such as ``openai/`` or ``azure/`` and a
# fine-tune prefix ``ft:``), checked in order: the first match wins.
_O200K_PREFIXES = (
    "gpt-4o",
    "chatgpt-4o",
    "gpt-4.1",
    "gpt-4.5",
    "gpt-5",
    "chatgpt-5",
    "gpt-oss",
    "gpt-realtime",
    "gpt-audio",
    "gpt-image",
    "o1",
    "o3",
    "o4",
    "codex-",
    "computer-use",
    "omni-moderation",
)


def _base_model_name(model: str) -> str:
    name = (model or "").strip().lower()
    if "/" in name:
        name = name.rsplit("/", 1)[1]
    if name.startswith("ft:"):
        name = name[3:]
    return name


@lru_cache(maxsize=2048)
def encoding_name_for_model(model: str) -> str:
    """Name of the encoding used to count ``model``'s tokens.

    OpenAI's GPT-4o, GPT-4.1, GPT-4.5, GPT-5 and o-series models use ``o200k_base``; GPT-4,
    GPT-3.5 and the text-embedding models use ``cl100k_base``. Every other model (Anthropic,
    Gemini, Llama, Mistral, unknown names, older OpenAI completion models) is approximated with
    ``cl100k_base``; pass a Hugging Face tokenizer as ``custom_tokenizer`` for exact counts.
    """
    name = _base_model_name(model)
    if name.startswith(_O200K_PREFIXES):
        return O200K_BASE
    return DEFAULT_ENCODING


def get_encoding_for_model(model: str = "") -> Encoding:
    """The ``tiktoken.Encoding`` used to count ``model``'s tokens (see :func:`encoding_name_for_model`)."""
    return get_encoding(encoding_name_for_model(model or ""))
