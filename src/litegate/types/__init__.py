"""Public response types (``litegate.types``)."""

from .streaming import ChunkAccumulator, stream_chunk_builder
from .utils import *  # noqa: F401,F403
from .utils import __all__ as _utils_all

__all__ = list(_utils_all) + ["ChunkAccumulator", "stream_chunk_builder"]
