"""The ``litegate`` logger. Level from ``LITELLM_LOG`` / ``LITEGATE_LOG`` (DEBUG, INFO, WARNING,
ERROR) or ``litegate.set_verbose``. Everything logged about a request goes through redaction."""

from __future__ import annotations

import logging
import os

log = logging.getLogger("litegate")

_level = os.environ.get("LITEGATE_LOG") or os.environ.get("LITELLM_LOG")
if _level:
    log.setLevel(getattr(logging, _level.upper(), logging.WARNING))
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        log.addHandler(handler)


def debug_enabled(cfg: object) -> bool:
    return log.isEnabledFor(logging.DEBUG) or bool(getattr(cfg, "set_verbose", False))


def log_request(req: object, provider: str) -> None:
    from .redact import redact, redact_headers

    url = getattr(req, "url", "")
    log.debug("litegate request %s %s %s headers=%s", provider, getattr(req, "method", ""), url.split("?", 1)[0],
              redact(str(redact_headers(dict(getattr(req, "headers", {}))))))


def log_retry(exc: BaseException, attempt: int, wait: float) -> None:
    if not log.isEnabledFor(logging.INFO):
        return
    from .redact import redact

    log.info("litegate retry %d in %.2fs after %s: %s", attempt + 1, wait, type(exc).__name__, redact(str(exc))[:300])


def log_fallback(model: str, target: object, exc: BaseException) -> None:
    if not log.isEnabledFor(logging.INFO):
        return
    from .redact import redact

    name = target.get("model") if isinstance(target, dict) else target
    log.info("litegate fallback %s -> %s after %s: %s", model, name, type(exc).__name__, redact(str(exc))[:300])
