"""The ``litegate`` logger. Level from ``LITELLM_LOG`` / ``LITEGATE_LOG`` (DEBUG, INFO, WARNING,
ERROR), ``litegate.set_verbose = True`` or ``litegate._turn_on_debug()`` (both as in litellm: DEBUG
lines to stderr). Everything logged about a request goes through redaction."""

from __future__ import annotations

import logging
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only; typing is not imported at run time
    from typing import TextIO

    _StreamHandler = logging.StreamHandler[TextIO]
else:
    _StreamHandler = logging.StreamHandler  # not subscriptable at run time before Python 3.11

log = logging.getLogger("litegate")

_FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"


class _StderrHandler(_StreamHandler):
    """Writes to ``sys.stderr`` as it is when a line is logged (a replaced stderr is followed)."""

    @property
    def stream(self) -> TextIO:  # noqa: D401
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass


def _add_stderr_handler() -> logging.Handler | None:
    """A stderr handler on the litegate logger unless it has a stream handler already."""
    if any(isinstance(h, logging.StreamHandler) for h in log.handlers):
        return None
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter(_FORMAT))
    log.addHandler(handler)
    return handler


_level = os.environ.get("LITEGATE_LOG") or os.environ.get("LITELLM_LOG")
if _level:
    log.setLevel(getattr(logging, _level.upper(), logging.WARNING))
    _add_stderr_handler()

# What set_verbose turned on, to undo when a call's settings no longer ask for it:
# (the logger's level before, the handler added or None); None when set_verbose did nothing.
_verbose_state: tuple[int, logging.Handler | None] | None = None


def turn_on_debug() -> None:
    """``litegate._turn_on_debug()``: the litegate logger logs DEBUG lines (each request's method,
    URL and masked headers; retries; fallbacks) to stderr, until its level is set otherwise."""
    global _verbose_state
    _verbose_state = None  # asked for explicitly: set_verbose = False does not undo it
    log.setLevel(logging.DEBUG)
    _add_stderr_handler()


def _follow_verbose(verbose: bool) -> None:
    global _verbose_state
    if verbose:
        if not log.isEnabledFor(logging.DEBUG):
            level = log.level
            log.setLevel(logging.DEBUG)
            _verbose_state = (level, _add_stderr_handler())
    elif _verbose_state is not None:
        level, handler = _verbose_state
        _verbose_state = None
        log.setLevel(level)
        if handler is not None:
            log.removeHandler(handler)


def debug_enabled(cfg: object) -> bool:
    """True when requests are to be logged at DEBUG. ``set_verbose`` (the module's, or a
    ``Client``'s) turns DEBUG logging to stderr on, as in litellm; setting it back to False turns
    off what it turned on."""
    try:
        verbose = bool(getattr(cfg, "set_verbose", False))
    except Exception:  # pragma: no cover - a setting that cannot be read as a flag
        verbose = False
    _follow_verbose(verbose)
    return log.isEnabledFor(logging.DEBUG)


def log_request(req: object, provider: str) -> None:
    from .redact import redact, redact_headers

    url = str(getattr(req, "url", "") or "")
    log.debug(
        "litegate request %s %s %s headers=%s",
        provider,
        getattr(req, "method", ""),
        redact(url.split("?", 1)[0]),
        redact(str(redact_headers(dict(getattr(req, "headers", {}))))),
    )


def log_retry(exc: BaseException, attempt: int, wait: float) -> None:
    from .callbacks import note

    note("retry", {"attempt": attempt + 1, "wait": wait, "error.type": type(exc).__name__})
    if not log.isEnabledFor(logging.INFO):
        return
    from .redact import redact

    log.info("litegate retry %d in %.2fs after %s: %s", attempt + 1, wait, type(exc).__name__, redact(str(exc))[:300])


def log_fallback(model: str, target: object, exc: BaseException) -> None:
    from .callbacks import note

    name = target.get("model") if isinstance(target, dict) else target
    note("fallback", {"from": model, "to": str(name), "error.type": type(exc).__name__})
    if not log.isEnabledFor(logging.INFO):
        return
    from .redact import redact

    log.info("litegate fallback %s -> %s after %s: %s", model, name, type(exc).__name__, redact(str(exc))[:300])
