"""Endpoint health checks: ``litegate.health_check`` and ``litegate.ahealth_check``.

A check makes the smallest real call for the mode (a one-token chat completion, a one-word
embedding, a one-document rerank) through the public call functions and reports the outcome as a
``HealthCheckResponse`` dict. An unreachable or misconfigured endpoint is reported, never raised,
and no API key ever appears in the result (error text is redacted).
"""

from __future__ import annotations

import time
from typing import Any, TypedDict

__all__ = ["HealthCheckResponse", "health_check", "ahealth_check", "HEALTH_CHECK_MODES"]


class _HealthCheckRequired(TypedDict):
    healthy: bool
    error_message: str | None


class HealthCheckResponse(_HealthCheckRequired, total=False):
    """Outcome of one health check.

    ``healthy``: the minimal call succeeded. ``error_message``: ``"<ErrorType>: <message>"`` when
    unhealthy, else ``None``. ``response_time_ms``: wall time of the call in milliseconds.
    """

    response_time_ms: float


# "completion" (the default) and "chat" both send a one-token chat completion
HEALTH_CHECK_MODES = ("completion", "chat", "embedding", "rerank")

_PROMPT = [{"role": "user", "content": "ping"}]


def _plan(model: str, mode: str, overrides: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Which public call to make and its keyword arguments."""
    if mode not in HEALTH_CHECK_MODES:
        raise ValueError(f"health_check: mode must be one of {', '.join(HEALTH_CHECK_MODES)}; got {mode!r}")
    kw = {k: v for k, v in overrides.items() if v is not None}
    kw.setdefault("num_retries", 0)  # a check reports the first answer, it does not retry
    kw["model"] = model
    if mode == "embedding":
        kw.setdefault("input", ["ping"])
        return "embedding", kw
    if mode == "rerank":
        kw.setdefault("query", "ping")
        kw.setdefault("documents", ["ping"])
        kw.setdefault("top_n", 1)
        return "rerank", kw
    kw.setdefault("messages", _PROMPT)
    kw.setdefault("max_tokens", 1)
    return "completion", kw


def _error_text(exc: BaseException, api_key: str | None) -> str:
    from .core.redact import mask_secret, redact

    name = type(exc).__name__
    text = str(exc)
    for prefix in (f"litegate.{name}: ", f"litellm.{name}: "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    if api_key and isinstance(api_key, str):
        text = text.replace(api_key, mask_secret(api_key))
    return redact(f"{name}: {text}" if text else name)


def _result(started: float, exc: BaseException | None, api_key: str | None) -> HealthCheckResponse:
    elapsed = round((time.perf_counter() - started) * 1000.0, 3)
    if exc is None:
        return {"healthy": True, "error_message": None, "response_time_ms": elapsed}
    return {"healthy": False, "error_message": _error_text(exc, api_key), "response_time_ms": elapsed}


def health_check(
    model: str,
    mode: str = "completion",
    *,
    api_key: str | None = None,
    api_base: str | None = None,
    api_version: str | None = None,
    custom_llm_provider: str | None = None,
    timeout: Any = None,
    **kwargs: Any,
) -> HealthCheckResponse:
    """Check that ``model``'s endpoint answers a minimal call with the given credentials.

    ``mode`` is ``"completion"`` (default) or ``"chat"`` for a one-token chat completion,
    ``"embedding"`` for a one-word embedding, ``"rerank"`` for a one-document rerank. Other keyword
    arguments (``num_retries``, ``mock_response``, ``extra_headers``...) go to the call.

    Returns ``{"healthy": bool, "error_message": str | None, "response_time_ms": float}``; never
    raises for an unhealthy endpoint.
    """
    call, kw = _plan(
        model,
        mode,
        dict(
            kwargs,
            api_key=api_key,
            api_base=api_base,
            api_version=api_version,
            custom_llm_provider=custom_llm_provider,
            timeout=timeout,
        ),
    )
    from . import main

    started = time.perf_counter()
    try:
        getattr(main, call)(**kw)
    except Exception as exc:
        return _result(started, exc, api_key)
    return _result(started, None, api_key)


async def ahealth_check(
    model: str,
    mode: str = "completion",
    *,
    api_key: str | None = None,
    api_base: str | None = None,
    api_version: str | None = None,
    custom_llm_provider: str | None = None,
    timeout: Any = None,
    **kwargs: Any,
) -> HealthCheckResponse:
    """Async twin of :func:`health_check` (same parameters and result)."""
    call, kw = _plan(
        model,
        mode,
        dict(
            kwargs,
            api_key=api_key,
            api_base=api_base,
            api_version=api_version,
            custom_llm_provider=custom_llm_provider,
            timeout=timeout,
        ),
    )
    from . import main

    started = time.perf_counter()
    try:
        await getattr(main, "a" + call)(**kw)
    except Exception as exc:
        return _result(started, exc, api_key)
    return _result(started, None, api_key)
