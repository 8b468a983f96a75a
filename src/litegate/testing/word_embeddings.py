"""``WordEmbeddingServer``: the fake OpenAI server with embeddings that carry meaning, a little.

The plain fake server's vectors are hashes of the whole input: two different texts are unrelated.
For semantic caching, tests and benchmarks need texts that share words to be close. Here a vector
is a hashed bag of features of the text: each content word (lower-cased, a few English suffixes
cut, common function words left out) and its character trigrams, projected with signed hashing
into ``dims`` dimensions and scaled to unit length. It is no language model: paraphrases that
share few words stay far apart.
"""

from __future__ import annotations

import hashlib
import math
import re
from typing import TYPE_CHECKING, Any

from . import _payloads as P
from .openai_server import FakeOpenAIServer

if TYPE_CHECKING:
    from ._server import Answer, Call

_STOP = frozenset(
    """a an the is are was were be been being am do does did of to in on at for with by from and or
but if then so than that this these those it its i me my you your we our they their he she him her what which who
whom how can could would should will shall may might must please tell give show explain describe about into
""".split()
)
_WORD = re.compile(r"[a-z0-9]+")


def _stem(word: str) -> str:
    for suffix in ("ingly", "ing", "edly", "ed", "ies", "es", "s", "ly"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def features(text: str) -> list[str]:
    out = []
    for word in _WORD.findall(text.lower()):
        if word in _STOP:
            continue
        stem = _stem(word)
        out.append("w:" + stem)
        padded = f"#{stem}#"
        out.extend("t:" + padded[i : i + 3] for i in range(len(padded) - 2))
    return out


def word_vector(text: str, dims: int = 256) -> list[float]:
    vec = [0.0] * dims
    for feature in features(text):
        digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
        slot = int.from_bytes(digest[:4], "little") % dims
        weight = 3.0 if feature.startswith("w:") else 1.0
        vec[slot] += weight if digest[4] & 1 else -weight
    norm = math.sqrt(sum(x * x for x in vec)) or 1.0
    return [x / norm for x in vec]


class WordEmbeddingServer(FakeOpenAIServer):
    """A :class:`FakeOpenAIServer` whose ``/embeddings`` answers :func:`word_vector` of each input."""

    def __init__(self, *args: Any, embedding_dims: int = 256, **kwargs: Any) -> None:
        # word vectors need room: 8 slots (the base class's default) make unrelated texts collide
        super().__init__(*args, embedding_dims=embedding_dims, **kwargs)

    def _embeddings(self, call: Call) -> Answer:
        body = self._request(call)
        if not isinstance(body, dict):
            return body
        items = P.embedding_inputs(body.get("input"))
        if items is None or not all(isinstance(i, str) for i in items):
            return self._json(400, P.bad_request_body("'input' must be a string or a list of strings.", "input"))
        dims = body.get("dimensions") or self.embedding_dims
        data: list[dict[str, Any]] = [
            {"object": "embedding", "index": i, "embedding": word_vector(t, dims)} for i, t in enumerate(items)
        ]
        tokens = sum(max(1, len(t) // 4) for t in items)
        return self._json(
            200,
            {
                "object": "list",
                "data": data,
                "model": body.get("model"),
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            },
        )


__all__ = ["WordEmbeddingServer", "features", "word_vector"]
