"""The retry policy: whether a failed attempt is retried, and after how long. One module, used by
the call lifecycle and (later) by the Router.

* Retryable: 408/429/500/502/503/504/529, connection errors, timeouts - never a parse failure of
  a 2xx answer (the provider did the work and billed it; asking again bills it again), never
  out-of-credit 429s (``insufficient_quota``), never 4xx input errors. A provider's
  ``x-should-retry`` header decides when present.
* The wait: the server's ``retry-after-ms`` / ``retry-after`` (or Google's RetryInfo) when given,
  up to ``MAX_RETRY_AFTER`` seconds (longer: the error is raised at once rather than sleeping);
  otherwise exponential backoff with jitter between half and all of the ceiling.
* Optionally, an attempt counter header (``litegate.retry_count_header = "x-retry-count"``) is
  sent with every attempt so a server can tell a retry from a new request.
"""

from __future__ import annotations

import random

from .. import constants as C
from .. import exceptions as exc

RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504, 529})
_NEVER = (
    exc.BadRequestError,
    exc.AuthenticationError,
    exc.PermissionDeniedError,
    exc.NotFoundError,
    exc.BudgetExceededError,
)
_ALWAYS = (
    exc.Timeout,
    exc.RateLimitError,
    exc.APIConnectionError,
    exc.InternalServerError,
    exc.BadGatewayError,
    exc.ServiceUnavailableError,
)


def _lower(value: object) -> str:
    return value.lower() if isinstance(value, str) else ""


def is_retryable(error: BaseException) -> bool:
    """Whether retrying ``error`` can help (see the module docstring for the rules)."""
    if not isinstance(error, exc.LiteLLMException):
        return False
    if getattr(error, "_parse_failure", False):  # a 2xx whose body could not be used: billed already
        return False
    headers = getattr(error, "headers", None)
    if headers:
        try:
            flag = headers.get("x-should-retry")
        except Exception:  # noqa: BLE001 - an odd headers object: no opinion
            flag = None
        if isinstance(flag, str):
            flag = flag.strip().lower()
            if flag == "true":
                return True
            if flag == "false":
                return False
    if (
        _lower(getattr(error, "code", None)) == "insufficient_quota"
        or _lower(getattr(error, "type", None)) == "insufficient_quota"
    ):
        return False
    if isinstance(error, _NEVER):
        return False
    if isinstance(error, _ALWAYS):
        return True
    return getattr(error, "status_code", None) in RETRYABLE_STATUS


def retry_delay(error: BaseException, attempt: int) -> float | None:
    """Seconds to wait before retry number ``attempt + 1``, or None when we must not wait that long."""
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        if retry_after > C.MAX_RETRY_AFTER:
            return None
        return max(0.0, float(retry_after))
    ceiling = min(C.RETRY_MAX_DELAY, C.RETRY_INITIAL_DELAY * (2**attempt))
    return random.uniform(ceiling / 2, ceiling)


class RetryPolicy:
    """The retry decision for one call: ``retries`` more attempts at most."""

    __slots__ = ("retries",)

    def __init__(self, retries: int):
        self.retries = retries

    def delay(self, error: BaseException, attempt: int) -> float | None:
        """Seconds to wait before the next attempt after ``error`` on attempt ``attempt`` (0-based),
        or None: raise ``error``."""
        if attempt >= self.retries or not is_retryable(error):
            return None
        return retry_delay(error, attempt)


__all__ = ["RETRYABLE_STATUS", "RetryPolicy", "is_retryable", "retry_delay"]
