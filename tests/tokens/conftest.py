"""Fixtures for the token tests: tiktoken's *own* encoding definitions, loaded offline.

tiktoken normally downloads OpenAI's ``.tiktoken`` files into a cache directory keyed by the
SHA-1 of their URL, and checks each file against the SHA-256 it expects. We rebuild those files
from litegate's shipped tables into an empty temporary cache directory, so that
``tiktoken.get_encoding`` builds its encodings exactly as it would after a download (its own
split patterns and special tokens, its own hash check), and never touches the network.
"""

from __future__ import annotations

import hashlib
import os
import socket

import pytest
from _tokens_helpers import URLS, tiktoken_text


@pytest.fixture(scope="session")
def official(tmp_path_factory):
    """``{name: tiktoken.Encoding}`` built by ``tiktoken.get_encoding`` from an offline cache."""
    tiktoken = pytest.importorskip("tiktoken")
    cache = tmp_path_factory.mktemp("tiktoken-cache")
    for name, url in URLS.items():
        (cache / hashlib.sha1(url.encode()).hexdigest()).write_bytes(tiktoken_text(name))

    saved = os.environ.get("TIKTOKEN_CACHE_DIR")
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
    real_connect = socket.socket.connect

    def no_network(self, *args, **kwargs):  # a download attempt fails loudly
        raise AssertionError(f"network access attempted: {args!r}")

    socket.socket.connect = no_network
    try:
        encodings = {name: tiktoken.get_encoding(name) for name in URLS}
    finally:
        socket.socket.connect = real_connect
        if saved is None:
            os.environ.pop("TIKTOKEN_CACHE_DIR", None)
        else:
            os.environ["TIKTOKEN_CACHE_DIR"] = saved
    return encodings
