"""``litellm._logging`` in alias mode: litellm's logger names, backed by litegate's logger.

``verbose_logger`` is the ``litegate`` logger itself, so a level or handler a framework sets on it
(DSPy's ``configure_litellm_logging``) applies to litegate's own lines; the router and proxy
loggers are its children.
"""

from __future__ import annotations

import logging

from ..core.log import log as verbose_logger
from ..core.log import turn_on_debug as _turn_on_debug

verbose_router_logger = logging.getLogger("litegate.router")
verbose_proxy_logger = logging.getLogger("litegate.proxy")
json_logs = False
log_level = "WARNING"


def _disable_debugging() -> None:
    """Quiet litegate's loggers (WARNING and above), as litellm's function of that name does."""
    for logger in (verbose_logger, verbose_router_logger, verbose_proxy_logger):
        logger.setLevel(logging.WARNING)


def _enable_debugging() -> None:
    _turn_on_debug()


def print_verbose(print_statement: object) -> None:
    verbose_logger.debug("%s", print_statement)


__all__ = [
    "verbose_logger",
    "verbose_router_logger",
    "verbose_proxy_logger",
    "_disable_debugging",
    "_enable_debugging",
    "_turn_on_debug",
    "print_verbose",
    "json_logs",
    "log_level",
]
