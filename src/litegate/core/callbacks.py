"""Input / success / failure callbacks (spec section 4), run once per call by the pipeline.

A callback is a function, or an object with ``log_pre_api_call`` / ``log_success_event`` /
``log_failure_event`` (and ``async_`` variants) methods. Callbacks never see an API key, never
see message content when ``turn_off_message_logging`` is on, and never break the call: an
exception inside a callback is logged and swallowed.
"""

from __future__ import annotations

import datetime
import inspect
import logging
import uuid
from typing import Any

from .redact import mask_url, redact, redact_headers

log = logging.getLogger("litegate")
_warned: set[str] = set()


class LoggingObject:
    """Handed to callbacks as ``kwargs["litellm_logging_obj"]``; holds raw request/response data
    when ``log_raw_request_response`` is on (headers, URL and response body redacted)."""

    def __init__(self, call_id: str):
        self.litellm_call_id = call_id
        self.collected_data: dict = {}
        self.model_call_details: dict = {}


def _lists(cfg: Any) -> tuple[list, list, list] | None:
    inputs = getattr(cfg, "input_callback", None)
    success = getattr(cfg, "success_callback", None)
    failure = getattr(cfg, "failure_callback", None)
    both = getattr(cfg, "callbacks", None)
    if not (inputs or success or failure or both):
        return None
    both = list(both or ())
    return list(inputs or ()) + both, list(success or ()) + both, list(failure or ()) + both


class Hooks:
    """The callbacks of one call and the kwargs dict they share."""

    __slots__ = ("inputs", "successes", "failures", "kwargs", "start_time", "raw")

    def __init__(self, lists: tuple[list, list, list], kwargs: dict, raw: bool):
        self.inputs, self.successes, self.failures = lists
        self.kwargs = kwargs
        self.start_time = datetime.datetime.now()
        self.raw = raw

    # --------------------------------------------------------------- sync
    def pre(self) -> None:
        for cb in self.inputs:
            _invoke(cb, "log_pre_api_call", (self.kwargs,), pre=True)

    def success(self, result: Any, plan: Any = None) -> None:
        args = self._success_args(result, plan)
        for cb in self.successes:
            _invoke(cb, "log_success_event", args)

    def failure(self, exc: BaseException, plan: Any = None) -> None:
        args = self._failure_args(exc, plan)
        for cb in self.failures:
            _invoke(cb, "log_failure_event", args)

    # --------------------------------------------------------------- async
    async def apre(self) -> None:
        for cb in self.inputs:
            await _ainvoke(cb, "log_pre_api_call", (self.kwargs,), pre=True)

    async def asuccess(self, result: Any, plan: Any = None) -> None:
        args = self._success_args(result, plan)
        for cb in self.successes:
            await _ainvoke(cb, "log_success_event", args)

    async def afailure(self, exc: BaseException, plan: Any = None) -> None:
        args = self._failure_args(exc, plan)
        for cb in self.failures:
            await _ainvoke(cb, "log_failure_event", args)

    # --------------------------------------------------------------- shared
    def _fill(self, plan: Any) -> None:
        if plan is None:
            return
        kw = self.kwargs
        kw["custom_llm_provider"] = plan.provider.name
        kw["api_base"] = mask_url(plan.target.api_base)  # no "user:password@" credentials
        if self.raw:
            req = plan.request
            obj = kw["litellm_logging_obj"]
            obj.collected_data["raw_request"] = {
                "url": redact(req.url), "method": req.method, "headers": redact_headers(dict(req.headers)),
                "body": None if kw.get("messages") is None and req.json is not None else req.json,
            }
            resp = getattr(plan, "response", None)
            if resp is not None:
                obj.collected_data["raw_response"] = {
                    "status_code": resp.status_code, "headers": redact_headers(dict(resp.headers)),
                    "body": redact(resp.text)[:100_000] if hasattr(resp, "text") else None,
                }

    def _success_args(self, result: Any, plan: Any) -> tuple:
        self._fill(plan)
        hidden = getattr(result, "_hidden_params", None) or {}
        self.kwargs["response_cost"] = hidden.get("response_cost")
        return self.kwargs, result, self.start_time, datetime.datetime.now()

    def _failure_args(self, exc: BaseException, plan: Any) -> tuple:
        self._fill(plan)
        self.kwargs["exception"] = exc
        return self.kwargs, exc, self.start_time, datetime.datetime.now()


def hooks_for(cfg: Any, call: Any, call_type: str) -> Hooks | None:
    """Hooks for one call, or None (the common case) when no callback is configured."""
    lists = _lists(cfg)
    if lists is None:
        return None
    call_id = call.ctl.litellm_call_id or str(uuid.uuid4())
    hide = bool(getattr(cfg, "turn_off_message_logging", False))
    params = dict(call.params)
    kwargs: dict = {
        "model": call.model,
        "call_type": call_type,
        "litellm_call_id": call_id,
        "metadata": call.ctl.metadata if call.ctl.metadata is not None else {},
        "optional_params": params,
        "litellm_logging_obj": LoggingObject(call_id),
        "response_cost": None,
        **params,
    }
    if isinstance(kwargs.get("api_base"), str):
        kwargs["api_base"] = mask_url(kwargs["api_base"])
    if call_type.endswith("embedding"):
        kwargs["input"] = None if hide else call.input
    elif call_type.endswith("text_completion"):
        kwargs["prompt"] = None if hide else call.prompt
        kwargs["stream"] = call.stream
    elif call_type.endswith(("image_generation", "moderation")):
        kwargs["input"] = None if hide else call.input
    elif call_type.endswith("rerank"):
        kwargs["query"] = None if hide else call.query
        kwargs["documents"] = None if hide else call.documents
    else:
        kwargs["messages"] = None if hide else call.messages
        kwargs["stream"] = call.stream
    return Hooks(lists, kwargs, bool(getattr(cfg, "log_raw_request_response", False)))


def _target(cb: Any, method: str) -> Any:
    if isinstance(cb, str):
        if cb not in _warned:
            _warned.add(cb)
            log.warning("litegate: callback integration %r is not available in this version; ignored", cb)
        return None
    if callable(cb) and not hasattr(cb, method):
        return cb
    return getattr(cb, method, None)


def _invoke(cb: Any, method: str, args: tuple, pre: bool = False) -> None:
    fn = _target(cb, method)
    if fn is None:
        return
    try:
        out = fn(*args)
        if inspect.iscoroutine(out):
            out.close()  # an async callback in a sync call: nothing can await it
            log.warning("litegate: async callback %r skipped in a sync call", fn)
    except Exception as exc:  # noqa: BLE001 - a callback must never break the call
        log.warning("litegate: %s callback %r raised %s: %s", "input" if pre else method, fn,
                    type(exc).__name__, redact(str(exc)))


async def _ainvoke(cb: Any, method: str, args: tuple, pre: bool = False) -> None:
    fn = None
    if not isinstance(cb, str) and not (callable(cb) and not hasattr(cb, method)):
        fn = getattr(cb, "async_" + method, None)
    if fn is None:
        fn = _target(cb, method)
    if fn is None:
        return
    try:
        out = fn(*args)
        if inspect.isawaitable(out):
            await out
    except Exception as exc:  # noqa: BLE001
        log.warning("litegate: %s callback %r raised %s: %s", "input" if pre else method, fn,
                    type(exc).__name__, redact(str(exc)))
