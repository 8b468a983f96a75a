"""Storage of the BPE rank tables shipped in ``litegate/data/tokenizers``.

OpenAI publishes each encoding as a ``.tiktoken`` text file: one line per token, the token's
bytes in base64, a space, and its rank (``0 .. n-1`` in order). We ship the same tables in a
smaller binary form, ``<name>.bpe``, which is zlib-compressed::

    b"LGBPE1"                  magic
    n          (u32, little endian)   number of tokens
    n bytes                           length of token i (1..255), in rank order
    the token bytes, concatenated     in rank order

The rank of a token is its position. :func:`to_tiktoken_text` rebuilds the original ``.tiktoken``
file byte for byte, so the tests can check the shipped tables against the SHA-256 that
tiktoken itself expects for OpenAI's published files.

Regenerate a table from a ``.tiktoken`` (or ``.tiktoken.gz``) file with::

    python -m litegate.tokens._data pack SOURCE.tiktoken[.gz] OUTPUT.bpe
"""

from __future__ import annotations

import base64
import struct
import zlib
from itertools import accumulate

MAGIC = b"LGBPE1"
_HEADER = len(MAGIC) + 4


def pack(tokens: list[bytes]) -> bytes:
    """Compressed table for ``tokens`` (the token of rank ``i`` at position ``i``)."""
    for token in tokens:
        if not 0 < len(token) < 256:
            raise ValueError(f"token of length {len(token)} cannot be stored")
    payload = MAGIC + struct.pack("<I", len(tokens)) + bytes(map(len, tokens)) + b"".join(tokens)
    return zlib.compress(payload, 9)


def unpack_tokens(blob: bytes) -> list[bytes]:
    """Tokens in rank order from a compressed table made by :func:`pack`."""
    data = zlib.decompress(blob)
    if data[: len(MAGIC)] != MAGIC:
        raise ValueError("not a litegate BPE table")
    (count,) = struct.unpack_from("<I", data, len(MAGIC))
    lengths = data[_HEADER : _HEADER + count]
    body = memoryview(data)[_HEADER + count :]
    if len(lengths) != count or sum(lengths) != len(body):
        raise ValueError("truncated litegate BPE table")
    ends = list(accumulate(lengths))
    starts = [0, *ends[:-1]]
    raw = body.tobytes()
    return [raw[s:e] for s, e in zip(starts, ends)]  # noqa: B905 (same length by construction)


def unpack_ranks(blob: bytes) -> dict[bytes, int]:
    """``{token bytes: rank}`` from a compressed table (the form tiktoken wants)."""
    return {token: rank for rank, token in enumerate(unpack_tokens(blob))}


def parse_tiktoken_text(text: bytes) -> list[bytes]:
    """Tokens in rank order from a ``.tiktoken`` file's contents (ranks must run 0..n-1)."""
    tokens: list[bytes] = []
    for number, line in enumerate(text.splitlines()):
        if not line:
            continue
        encoded, rank = line.split()
        if int(rank) != len(tokens):
            raise ValueError(f"line {number + 1}: rank {int(rank)} out of order")
        tokens.append(base64.b64decode(encoded))
    return tokens


def to_tiktoken_text(tokens: list[bytes]) -> bytes:
    """The ``.tiktoken`` file that lists ``tokens`` (inverse of :func:`parse_tiktoken_text`)."""
    return b"".join(base64.b64encode(token) + b" " + str(rank).encode() + b"\n" for rank, token in enumerate(tokens))


def _main(argv: list[str]) -> int:
    import gzip
    import hashlib

    if len(argv) != 3 or argv[0] != "pack":
        print("usage: python -m litegate.tokens._data pack SOURCE.tiktoken[.gz] OUTPUT.bpe")
        return 2
    source, output = argv[1], argv[2]
    with open(source, "rb") as f:
        text = f.read()
    if source.endswith(".gz"):
        text = gzip.decompress(text)
    tokens = parse_tiktoken_text(text)
    if to_tiktoken_text(tokens) != text:
        print("warning: the source is not in canonical form; the table keeps its tokens and ranks")
    blob = pack(tokens)
    with open(output, "wb") as f:
        f.write(blob)
    print(f"{len(tokens)} tokens, source sha256 {hashlib.sha256(text).hexdigest()}, {len(blob)} bytes written")
    return 0


if __name__ == "__main__":  # pragma: no cover
    import sys

    raise SystemExit(_main(sys.argv[1:]))
