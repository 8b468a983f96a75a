"""Retry decisions, made in one place for every endpoint and provider.

Only retryable failures are retried (408/429/500/502/503/504/529, connection errors, timeouts).
The wait is exponential with full jitter, unless the server said how long to wait
(``retry-after-ms`` / ``retry-after``), which wins up to ``MAX_RETRY_AFTER`` seconds.
"""

from __future__ import annotations

import random

from .. import constants as C

from .errors import is_retryable  # noqa: F401 - the one definition, re-exported for the pipeline


def retry_delay(exc: BaseException, attempt: int) -> float | None:
    """Seconds to wait before retry number ``attempt + 1``, or None when we must not retry."""
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        if retry_after > C.MAX_RETRY_AFTER:
            return None
        return max(0.0, float(retry_after))
    ceiling = min(C.RETRY_MAX_DELAY, C.RETRY_INITIAL_DELAY * (2**attempt))
    return random.uniform(ceiling / 2, ceiling)
