"""Kept for imports from earlier versions: the shared rules live in providers/base.py."""

from .base import StreamDecoder as SSEStreamDecoder, drop_unsupported  # noqa: F401
