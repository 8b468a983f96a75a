"""JSON encode/decode in one place, so a faster codec can be swapped in without touching callers.

orjson is used when it is installed (it is not a dependency); the standard library otherwise.
"""

from __future__ import annotations

import json as _json
from typing import Any

try:  # pragma: no cover - depends on the environment
    import orjson as _orjson
except ImportError:  # pragma: no cover
    _orjson = None


if _orjson is not None:
    _OPTS = _orjson.OPT_NON_STR_KEYS

    def dumps(obj: Any) -> bytes:
        try:
            out: bytes = _orjson.dumps(obj, option=_OPTS)
            return out
        except TypeError:
            # objects orjson does not know (pydantic models, sets, ...): fall back
            return _json.dumps(obj, separators=(",", ":"), default=_default).encode()

    def loads(data: bytes | str) -> Any:
        return _orjson.loads(data)

else:

    def dumps(obj: Any) -> bytes:
        return _json.dumps(obj, separators=(",", ":"), ensure_ascii=False, default=_default).encode()

    def loads(data: bytes | str) -> Any:
        return _json.loads(data)


def _default(obj: Any) -> Any:
    dump = getattr(obj, "model_dump", None)
    if dump is not None:
        return dump(exclude_none=True)
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")
