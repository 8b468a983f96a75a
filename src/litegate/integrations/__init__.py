"""Built-in callback integrations, by the names litellm users put in the callback lists.

``litegate.success_callback = ["langfuse"]`` (or ``failure_callback``, ``callbacks``) turns one
on. Each integration is a :class:`CustomLogger` built once per process from its environment
variables; a missing variable is one warning naming it (the call goes on, unlogged). HTTP
integrations hand their records to a bounded background queue (``integrations/delivery.py``)
and never slow or fail the call; ``flush_callbacks()`` delivers what is queued (also run at
interpreter exit, within a short bound).

Names: ``otel`` / ``opentelemetry`` / ``traceloop`` (OpenTelemetry GenAI spans and metrics),
``langfuse``, ``langsmith``, ``helicone``, ``promptlayer``, ``athina``, ``lunary``, ``supabase``,
``dynamodb``, ``weights_biases`` (W&B Weave's Service API), ``webhook`` (``generic_api``),
``cost``.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from .custom_logger import CustomLogger

log = logging.getLogger("litegate")

# name -> "module:Class" (module relative to this package)
REGISTRY: dict[str, str] = {
    "otel": ".otel:OpenTelemetryLogger",
    "opentelemetry": ".otel:OpenTelemetryLogger",
    "traceloop": ".otel:OpenTelemetryLogger",
    "langfuse": ".platforms:LangfuseLogger",
    "langsmith": ".platforms:LangsmithLogger",
    "helicone": ".platforms:HeliconeLogger",
    "promptlayer": ".platforms:PromptLayerLogger",
    "athina": ".platforms:AthinaLogger",
    "lunary": ".platforms:LunaryLogger",
    "supabase": ".platforms:SupabaseLogger",
    "weights_biases": ".platforms:WeightsBiasesLogger",
    "dynamodb": ".platforms:DynamoDBLogger",
    "webhook": ".platforms:WebhookLogger",
    "generic_api": ".platforms:WebhookLogger",
    "cost": ".platforms:CostLogger",
}

_lock = threading.Lock()
_made: dict[str, CustomLogger] = {}  # name -> logger (shared by aliases of one class)
_missing: dict[str, tuple[str | None, ...]] = {}  # name -> the environment it could not start with
_warned: set[tuple[object, ...]] = set()


class NotConfigured(Exception):
    """An integration cannot start: ``missing`` names what to set."""

    def __init__(self, message: str):
        super().__init__(message)


def _warn_once(key: tuple[object, ...], message: str, *args: object) -> None:
    if key not in _warned:
        _warned.add(key)
        log.warning(message, *args)


def _class(name: str) -> Any:  # an integration class: ``env`` and ``from_env()``, found by name
    from importlib import import_module

    module, _, attr = REGISTRY[name].partition(":")
    return getattr(import_module(module, __name__), attr)


def named(name: str) -> CustomLogger | None:
    """The logger for an integration name, or None (unknown, or not configured: warned once)."""
    got = _made.get(name)
    if got is not None:
        return got
    key = name.strip().lower()
    if key not in REGISTRY:
        _warn_once(
            ("unknown", name),
            "litegate: callback %r is not a known integration (known: %s); ignored",
            name,
            ", ".join(sorted(REGISTRY)),
        )
        return None
    cls = _class(key)
    env = tuple(os.environ.get(v) for v in getattr(cls, "env", ()))
    if _missing.get(key) == env:
        return None
    with _lock:
        got = _made.get(name)
        if got is not None:
            return got
        shared = next((v for k, v in _made.items() if type(v) is cls), None)
        try:
            got = shared if shared is not None else cls.from_env()
        except NotConfigured as exc:
            _missing[key] = env
            _warn_once(("missing", key, env), "litegate: callback %r is off: %s", name, exc)
            return None
        _missing.pop(key, None)
        _made[name] = got
        return got


def flush_callbacks(timeout: float = 5.0) -> bool:
    """Deliver what the integrations have queued, waiting at most ``timeout`` seconds in all.
    True when everything queued was sent (or dropped as undeliverable)."""
    from .delivery import flush_all

    return flush_all(timeout)


def reset() -> None:
    """Forget the integrations built so far (tests; a changed environment)."""
    from ..core import callbacks
    from .delivery import close_all

    callbacks._RESOLVED.clear()
    with _lock:
        for logger in _made.values():
            close = getattr(logger, "close", None)
            if close is not None:
                close()
        _made.clear()
        _missing.clear()
        _warned.clear()
    close_all()


__all__ = ["CustomLogger", "NotConfigured", "REGISTRY", "flush_callbacks", "named", "reset"]
