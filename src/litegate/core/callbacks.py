"""Input / success / failure callbacks (spec section 4), run once per call by the pipeline.

A callback is a function, an object with litellm's hook methods (``log_pre_api_call``,
``log_post_api_call``, ``log_stream_event``, ``log_success_event``, ``log_failure_event`` and
their ``async_`` forms; ``litegate.integrations.CustomLogger`` is the base class), or the name of
a built-in integration (``"otel"``, ``"langfuse"``, ... in ``litegate.integrations``).

Callbacks never see an API key, never see message or response content when
``turn_off_message_logging`` is on (they get a redacted copy of the response; the caller's object
is untouched), and never break the call: a callback that raises is logged once (then at DEBUG)
and the call goes on. Each call's kwargs carry ``standard_logging_object``, the one summary every
integration reads (model, provider, tokens, cost, timing, cache hit, metadata, error).
"""

from __future__ import annotations

import contextvars
import dataclasses
import datetime
import inspect
import itertools
import logging
import time
import uuid
from typing import TYPE_CHECKING, Any, cast

from .redact import mask_url, redact, redact_headers

if TYPE_CHECKING:
    from _collections_abc import dict_items, dict_values
    from collections.abc import Callable, Iterator

    # one thing to run for an event: (function, label for reports, pre-call takes (model, messages, kwargs))
    _Entry = tuple[Callable[..., Any], str, bool]
    _Events = dict[str, list[_Entry]]

log = logging.getLogger("litegate")
_warned: set[tuple[str, ...]] = set()
_MAX_WARNED = 1024
REDACTED = "redacted-by-litellm"  # litellm's placeholder for hidden content

# The Hooks of the running call: set by Hooks.pre, read by core/log.py (retries and fallbacks,
# for the callbacks' OpenTelemetry events) and by the lifecycle when a request is built
# (``log_pre_api_call``); cleared when the call has its answer or error.
_trail: contextvars.ContextVar[Hooks | None] = contextvars.ContextVar("litegate_call_trail", default=None)
MAX_TRAIL = 64


def note(name: str, attrs: dict[str, Any]) -> None:
    """Record a retry or fallback of the running call (no-op when no callback listens)."""
    hooks = _trail.get()
    if hooks is not None and len(hooks.events) < MAX_TRAIL:
        hooks.events.append((name, time.time_ns(), attrs))


def on_request(plan: Any) -> None:
    """The lifecycle built a provider request: ``log_pre_api_call`` sees it (sync calls)."""
    hooks = _trail.get()
    if hooks is not None and hooks.table.sync["request"]:
        hooks.request(plan)


async def aon_request(plan: Any) -> None:
    hooks = _trail.get()
    if hooks is not None and hooks.table.asynchronous["request"]:
        await hooks.arequest(plan)


class LoggingObject:
    """Handed to callbacks as ``kwargs["litellm_logging_obj"]``; holds raw request/response data
    when ``log_raw_request_response`` is on (headers, URL and response body redacted)."""

    def __init__(self, call_id: str):
        self.litellm_call_id = call_id
        self.collected_data: dict[str, Any] = {}
        self.model_call_details: dict[str, Any] = {}


def _named(cb: Any) -> Any:
    if isinstance(cb, str):
        from ..integrations import named

        return named(cb)
    return cb


def _resolved(items: Any) -> list[Any]:
    out = []
    for cb in items or ():
        cb = _named(cb)
        if cb is not None:
            out.append(cb)
    return out


_RESOLVED: dict[
    tuple[tuple[Any, ...], ...], _Table | object
] = {}  # the configured lists (as tuples) -> their _Table (or _NOTHING)
_MAX_RESOLVED = 64


def _lists(cfg: Any) -> _Table | None:
    """What the configured callbacks run (names resolved), or None when nothing would run;
    cached while the lists hold the same callbacks and every name resolved."""
    inputs = getattr(cfg, "input_callback", None)
    success = getattr(cfg, "success_callback", None)
    failure = getattr(cfg, "failure_callback", None)
    both = getattr(cfg, "callbacks", None)
    if not (inputs or success or failure or both):
        return None
    key = (tuple(inputs or ()), tuple(success or ()), tuple(failure or ()), tuple(both or ()))
    hashable = True
    try:
        hit = _RESOLVED.get(key)
    except TypeError:  # an unhashable callback: resolve every time
        hashable, hit = False, None
    if hit is not None:
        return None if hit is _NOTHING else cast("_Table", hit)
    resolved_both = _resolved(both)
    lists = _resolved(inputs) + resolved_both, _resolved(success) + resolved_both, _resolved(failure) + resolved_both
    made = _Table(*lists)
    # None: nothing listens (unavailable integrations, CustomLogger without overrides)
    table = None if made.empty else made
    complete = hashable and all(_named(cb) is not None for part in key for cb in part if isinstance(cb, str))
    if complete:
        if len(_RESOLVED) >= _MAX_RESOLVED:
            _RESOLVED.clear()
        _RESOLVED[key] = table or _NOTHING
    return table


_KINDS = ("pre", "deploy", "request", "post", "stream", "success", "failure")


class _Table:
    """What runs for each event of a call, sync and async, resolved once per configuration:
    lists of (function, label for reports, pre-call takes (model, messages, kwargs))."""

    __slots__ = ("sync", "asynchronous", "empty", "scopes")

    def __init__(self, inputs: list[Any], successes: list[Any], failures: list[Any]):
        objects: dict[int, Any] = {}
        for cb in (*inputs, *successes, *failures):
            if not _is_function(cb):
                objects.setdefault(id(cb), cb)  # each callback object once: the post-call hook
        # Objects that hold something open for the call's duration (the OpenTelemetry span, current
        # while the call runs): entered before the request, so they hear both outcomes to close it.
        self.scopes = tuple(cb for cb in objects.values() if callable(getattr(cb, "litegate_enter", None)))
        successes = successes + [cb for cb in self.scopes if not any(cb is x for x in successes)]
        failures = failures + [cb for cb in self.scopes if not any(cb is x for x in failures)]
        self.sync = self._build(inputs, successes, failures, list(objects.values()), False)
        self.asynchronous = self._build(inputs, successes, failures, list(objects.values()), True)
        self.empty = not (self.scopes or any(self.sync[k] or self.asynchronous[k] for k in _KINDS))

    @staticmethod
    def _build(
        inputs: list[Any], successes: list[Any], failures: list[Any], objects: list[Any], is_async: bool
    ) -> _Events:
        out: _Events = {k: [] for k in _KINDS}
        for cb in inputs:
            if _is_function(cb):
                out["pre"].append((cb, "input_callback", False))
            else:
                fn = _hook(cb, "log_pre_api_call", is_async)
                if fn is not None:
                    out["request"].append((fn, "log_pre_api_call", _takes_three(fn)))
                fn = _overridden(cb, "async_pre_call_deployment_hook") if is_async else None
                if fn is not None:  # litellm runs it in async calls only
                    out["deploy"].append((fn, "async_pre_call_deployment_hook", False))
        for cb in objects:
            fn = _hook(cb, "log_post_api_call", is_async)
            if fn is not None:
                out["post"].append((fn, "log_post_api_call", False))
        for kind, items, label in (
            ("success", successes, "success_callback"),
            ("failure", failures, "failure_callback"),
        ):
            for cb in items:
                if _is_function(cb):
                    out[kind].append((cb, label, False))
                    continue
                if kind == "success":
                    fn = _hook(cb, "log_stream_event", is_async)
                    if fn is not None:
                        out["stream"].append((fn, "log_stream_event", False))
                fn = _hook(cb, f"log_{kind}_event", is_async)
                if fn is not None:
                    out[kind].append((fn, f"log_{kind}_event", False))
        return out


_NOTHING = object()  # cached: the configuration has nothing to run


class Hooks:
    """The callbacks of one call and the kwargs dict they share."""

    __slots__ = ("table", "kwargs", "start_time", "raw", "hide", "events", "posted", "t0", "entered")

    def __init__(self, table: _Table, kwargs: dict[str, Any], raw: bool, hide: bool):
        self.table = table
        self.kwargs = kwargs
        self.start_time = datetime.datetime.now()
        self.t0 = time.time()
        self.raw = raw
        self.hide = hide
        self.events: list[tuple[str, int, dict[str, Any]]] = []
        self.posted = False
        self.entered = False
        kwargs["start_time"] = self.start_time
        kwargs["litegate_events"] = self.events  # retries and fallbacks: (name, unix ns, attributes)

    # --------------------------------------------------------------- sync
    def pre(self, call: Any) -> Any:
        """Input callbacks (they may change the kwargs in place), then the call with their changes;
        then the scopes are entered (the OpenTelemetry span becomes current)."""
        _trail.set(self)
        kw = self.kwargs
        pre = self.table.sync["pre"]
        if pre:
            for fn, label, _ in pre:
                _call(fn, label, (kw,))
            call = apply_inputs(call, kw)
        self.enter()
        return call

    def request(self, plan: Any) -> None:
        """``log_pre_api_call`` with the request as built (``kwargs["additional_args"]``)."""
        kw = self._requested(plan)
        for fn, label, three in self.table.sync["request"]:
            _call(fn, label, (kw.get("model"), kw.get("messages"), kw) if three else (kw,))

    def enter(self) -> None:
        if self.table.scopes and not self.entered:
            self.entered = True
            for cb in self.table.scopes:
                _call(cb.litegate_enter, "litegate_enter", (self.kwargs,))

    def drop(self) -> None:
        """The call ended without an outcome to report (a stream closed before its first chunk)."""
        self.close_trail()
        if self.entered:
            for cb in self.table.scopes:
                drop = getattr(cb, "litegate_drop", None)
                if drop is not None:
                    _call(drop, "litegate_drop", (self.kwargs,))

    def leave(self) -> None:
        """The caller's call returned (a stream: it opened) or raised: scopes stop being current
        (called where they were entered: same thread, same task)."""
        if self.entered:
            for cb in self.table.scopes:
                leave = getattr(cb, "litegate_leave", None)
                if leave is not None:
                    _call(leave, "litegate_leave", (self.kwargs,))

    def post(self, result: Any) -> None:
        """``log_post_api_call`` once: the provider answered, the stream opened or the call failed."""
        if self.posted:
            return
        self.posted = True
        args = (self.kwargs, result, self.start_time, datetime.datetime.now())
        for fn, label, _ in self.table.sync["post"]:
            _call(fn, label, args)

    def success(self, result: Any, plan: Any = None, stream: bool = False) -> None:
        table = self.table.sync
        if not (table["success"] or table["post"] or (stream and table["stream"])):
            self.close_trail()
            return
        args = self._success_args(result, plan, stream)
        self.post(args[1])
        if stream:
            for fn, label, _ in table["stream"]:
                _call(fn, label, args)
        for fn, label, _ in table["success"]:
            _call(fn, label, args)

    def failure(self, exc: BaseException, plan: Any = None) -> None:
        table = self.table.sync
        if not (table["failure"] or table["post"]):
            self.close_trail()
            return
        args = self._failure_args(exc, plan)
        self.post(exc)
        for fn, label, _ in table["failure"]:
            _call(fn, label, args)

    # --------------------------------------------------------------- async
    async def apre(self, call: Any) -> Any:
        _trail.set(self)
        kw = self.kwargs
        for fn, label, _ in self.table.asynchronous["pre"]:
            await _acall(fn, label, (kw,))
        current = kw
        for fn, label, _ in self.table.asynchronous["deploy"]:  # each gets the previous one's kwargs
            out = await _acall(fn, label, (current, kw["call_type"]))
            if isinstance(out, dict):
                current = out
        if current is not kw:
            for name in [n for n in call.params if n in kw and n not in current]:
                del kw[name]  # the hook's kwargs dropped a parameter
            kw.update(current)
        if self.table.asynchronous["pre"] or self.table.asynchronous["deploy"]:
            call = apply_inputs(call, kw)
        self.enter()
        return call

    async def arequest(self, plan: Any) -> None:
        kw = self._requested(plan)
        for fn, label, three in self.table.asynchronous["request"]:
            await _acall(fn, label, (kw.get("model"), kw.get("messages"), kw) if three else (kw,))

    async def apost(self, result: Any) -> None:
        if self.posted:
            return
        self.posted = True
        args = (self.kwargs, result, self.start_time, datetime.datetime.now())
        for fn, label, _ in self.table.asynchronous["post"]:
            await _acall(fn, label, args)

    async def asuccess(self, result: Any, plan: Any = None, stream: bool = False) -> None:
        table = self.table.asynchronous
        if not (table["success"] or table["post"] or (stream and table["stream"])):
            self.close_trail()
            return
        args = self._success_args(result, plan, stream)
        await self.apost(args[1])
        if stream:
            for fn, label, _ in table["stream"]:
                await _acall(fn, label, args)
        for fn, label, _ in table["success"]:
            await _acall(fn, label, args)

    async def afailure(self, exc: BaseException, plan: Any = None) -> None:
        table = self.table.asynchronous
        if not (table["failure"] or table["post"]):
            self.close_trail()
            return
        args = self._failure_args(exc, plan)
        await self.apost(exc)
        for fn, label, _ in table["failure"]:
            await _acall(fn, label, args)

    # --------------------------------------------------------------- shared
    def close_trail(self) -> None:
        """Stop recording retries and fallbacks for this call (it has its answer, or its stream)."""
        if _trail.get() is self:
            _trail.set(None)

    def _requested(self, plan: Any) -> dict[str, Any]:
        kw = self.kwargs
        req = plan.request
        kw["api_base"] = mask_url(plan.target.api_base)
        kw["custom_llm_provider"] = plan.provider.name
        kw["additional_args"] = {
            "complete_input_dict": None if self.hide and req.json is not None else req.json,
            "api_base": redact(req.url),
            "headers": redact_headers(dict(req.headers)),
        }
        return kw

    def _fill(self, plan: Any) -> None:
        self.close_trail()
        if plan is None:
            return
        kw = self.kwargs
        kw["custom_llm_provider"] = plan.provider.name
        kw["api_base"] = mask_url(plan.target.api_base)  # no "user:password@" credentials
        kw["litellm_params"]["custom_llm_provider"] = plan.provider.name
        kw["litellm_params"]["api_base"] = kw["api_base"]
        if self.raw:
            req = plan.request
            obj = kw["litellm_logging_obj"]
            obj.collected_data["raw_request"] = {
                "url": redact(req.url),
                "method": req.method,
                "headers": redact_headers(dict(req.headers)),
                "body": None if self.hide and req.json is not None else req.json,
            }
            resp = getattr(plan, "response", None)
            if resp is not None:
                obj.collected_data["raw_response"] = {
                    "status_code": resp.status_code,
                    "headers": redact_headers(dict(resp.headers)),
                    "body": None if self.hide else (redact(resp.text)[:100_000] if hasattr(resp, "text") else None),
                }

    def _success_args(
        self, result: Any, plan: Any, stream: bool
    ) -> tuple[dict[str, Any], Any, datetime.datetime, datetime.datetime]:
        self._fill(plan)
        end = datetime.datetime.now()
        kw = self.kwargs
        hidden = getattr(result, "_hidden_params", None) or {}
        kw["response_cost"] = hidden.get("response_cost")
        kw["cache_hit"] = bool(hidden.get("cache_hit") or kw.get("cache_hit"))
        kw["end_time"] = end
        shown = redacted_response(result) if self.hide else result
        if stream:
            kw["complete_streaming_response"] = shown
        kw["standard_logging_object"] = standard_payload(self, shown, None, hidden, time.time())
        return kw, shown, self.start_time, end

    def _failure_args(
        self, exc: BaseException, plan: Any
    ) -> tuple[dict[str, Any], BaseException, datetime.datetime, datetime.datetime]:
        self._fill(plan)
        end = datetime.datetime.now()
        self.kwargs["exception"] = exc
        self.kwargs["end_time"] = end
        self.kwargs["standard_logging_object"] = standard_payload(self, None, exc, {}, time.time())
        return self.kwargs, exc, self.start_time, end


_ID_BASE = uuid.uuid4().int
_ID_LOW = (1 << 62) - 1  # below the UUID version and variant bits
_id_counter = itertools.count(1)


def new_call_id() -> str:
    """A UUID-4-shaped call id: random per process, then a counter (uuid4() costs ~10 us)."""
    h = f"{_ID_BASE ^ (next(_id_counter) & _ID_LOW):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def hooks_for(cfg: Any, call: Any, call_type: str) -> Hooks | None:
    """Hooks for one call, or None (the common case) when no callback is configured."""
    table = _lists(cfg)
    if table is None:
        return None
    call_id = call.ctl.litellm_call_id or new_call_id()
    hide = bool(getattr(cfg, "turn_off_message_logging", False))
    params = dict(call.params)
    metadata = call.ctl.metadata if call.ctl.metadata is not None else {}
    kwargs: dict[str, Any] = {
        "model": call.model,
        "call_type": call_type,
        "litellm_call_id": call_id,
        "metadata": metadata,
        "optional_params": params,
        "litellm_params": {
            "metadata": metadata,
            "litellm_call_id": call_id,
            "model": call.model,
            "acompletion": call_type.startswith("a"),
            "turn_off_message_logging": hide,
        },
        "litellm_logging_obj": LoggingObject(call_id),
        "response_cost": None,
        "cache_hit": False,
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
    elif not hasattr(call, "messages"):  # audio, files, batches, assistants ...
        kwargs["input"] = None if hide else getattr(call, "input", None)
    else:
        kwargs["messages"] = None if hide else call.messages
        kwargs["stream"] = call.stream
    return Hooks(table, kwargs, bool(getattr(cfg, "log_raw_request_response", False)), hide)


# ------------------------------------------------------------------------------ routed calls
_route: contextvars.ContextVar[RouteScope | None] = contextvars.ContextVar("litegate_route", default=None)


def listening(cfg: Any) -> bool:
    """Whether any callback is configured (the Router then labels each attempt's metadata)."""
    return bool(
        getattr(cfg, "input_callback", None)
        or getattr(cfg, "success_callback", None)
        or getattr(cfg, "failure_callback", None)
        or getattr(cfg, "callbacks", None)
    )


class RouteScope:
    """One routed call (all its deployment attempts) for the scopes that follow it (the
    OpenTelemetry span of the routed call, current while it runs: each attempt's span nests in it)."""

    __slots__ = ("handles", "token")

    def __init__(self, handles: list[Any]):
        self.handles = handles
        self.token = _route.set(self)

    def attempt(self, info: dict[str, Any], exc: BaseException | None) -> None:
        for h in self.handles:
            _call(h.attempt, "router attempt", (info, exc))

    def end(self, result: Any, exc: BaseException | None) -> None:
        if _route.get() is self:
            _route.reset(self.token)
        hidden = getattr(result, "_hidden_params", None) if result is not None else None
        for h in self.handles:
            _call(h.end, "router end", (hidden if isinstance(hidden, dict) else {}, exc))


def route_scope(cfg: Any, call_type: str, group: str, strategy: Any) -> RouteScope | None:
    """The scopes of a routed call, or None (no callback object follows routed calls)."""
    table = _lists(cfg)
    if table is None or not table.scopes:
        return None
    handles = []
    for cb in table.scopes:
        start = getattr(cb, "litegate_route", None)
        if start is not None:
            try:
                handles.append(start(call_type, group, strategy))
            except Exception as exc:  # noqa: BLE001 - a callback never breaks the call
                _report(start, "litegate_route", exc)
    return RouteScope(handles) if handles else None


def route_attempt(info: dict[str, Any], exc: BaseException | None = None) -> None:
    """One deployment attempt of the routed call in progress (no-op outside one)."""
    scope = _route.get()
    if scope is not None:
        scope.attempt(info, exc)


# ------------------------------------------------------------------------------ input changes
_CONTENT = ("messages", "input", "prompt", "query", "documents")
_OWN = frozenset({"model", "messages", "stream", "metadata"})  # kwargs keys that are not parameters


def _changed(params: dict[str, Any], source: dict[str, Any], allowed: Any) -> dict[str, Any]:
    """Parameters ``source`` changed against the call's: new value, or None when removed."""
    out: dict[str, Any] = {}
    for name, value in params.items():
        now = source.get(name)
        if now is None:
            out[name] = None
        elif now is not value:
            out[name] = now
    for name in allowed:
        if name not in params and source.get(name) is not None:
            out[name] = source[name]
    return out


def apply_inputs(call: Any, kw: dict[str, Any]) -> Any:
    """The call with what input callbacks changed in its kwargs: ``model``, the content
    (``messages``/``input``/``prompt``/``query``/``documents``), ``stream``, the OpenAI parameters
    (top level, or in ``optional_params``) and ``metadata``. A changed value is checked like a
    caller's (a clear litegate error before any request). Unchanged: the call as it was."""
    from .call import _OPENAI_PARAMS, _check_model, check_messages, input_error
    from .params import check_param

    changes: dict[str, Any] = {}
    model = kw.get("model")
    if model != call.model and model is not None:
        changes["model"] = model = _check_model(model)
    else:
        model = call.model
    for field in _CONTENT:
        if field in kw and hasattr(call, field):
            value = kw[field]
            if value is not None and value is not getattr(call, field):
                changes[field] = check_messages(value, model) if field == "messages" else value
    if hasattr(call, "stream") and "stream" in kw and kw["stream"] is not call.stream:
        if not isinstance(kw["stream"], bool):
            raise input_error(f"stream must be a boolean, got {kw['stream']!r}", model, type_error=True)
        changes["stream"] = kw["stream"]
    params = call.params
    chat = hasattr(call, "messages")
    allowed = (_OPENAI_PARAMS - _OWN) if chat else frozenset(params)
    changed: dict[str, Any] = {}
    optional = kw.get("optional_params")
    for source in ((optional,) if isinstance(optional, dict) else ()) + (kw,):  # the top level wins
        changed.update(_changed(params, source, allowed))
    if changed:
        new = dict(params)
        for name, value in changed.items():
            if value is None:
                new.pop(name, None)
                continue
            if chat:
                problem = check_param(name, value)
                if problem is not None:
                    raise input_error(f"an input callback set {problem[0]}", model, type_error=problem[1])
            new[name] = value
        if new != params:
            changes["params"] = new
    metadata = kw.get("metadata")
    if isinstance(metadata, dict) and metadata is not call.ctl.metadata and (metadata or call.ctl.metadata):
        changes["ctl"] = dataclasses.replace(call.ctl, metadata=metadata)
    if not changes:
        return call
    out = dataclasses.replace(call, **changes)
    kw["optional_params"] = dict(out.params)
    kw["litellm_params"]["model"] = out.model
    if out.ctl.metadata is not None:
        kw["litellm_params"]["metadata"] = out.ctl.metadata
    return out


# ------------------------------------------------------------------------------ the summary
def _usage(result: Any, hidden: dict[str, Any]) -> dict[str, Any]:
    usage = getattr(result, "usage", None)
    if usage is None:
        usage = hidden.get("usage")
    if usage is not None and not isinstance(usage, dict):
        usage = {
            "prompt_tokens": getattr(usage, "prompt_tokens", None),
            "completion_tokens": getattr(usage, "completion_tokens", None),
            "total_tokens": getattr(usage, "total_tokens", None),
        }
    if not usage or not (usage.get("total_tokens") or usage.get("prompt_tokens")):
        usage = hidden.get("usage") or usage  # a stream's usage (or its estimate) is on the observer's side
    return usage if isinstance(usage, dict) else {}


def _router_facts(metadata: Any) -> tuple[Any, Any, Any]:
    """(model_group, model_id, deployment) a Router put in the call's metadata (litellm's keys)."""
    if not isinstance(metadata, dict):
        return None, None, None
    info = metadata.get("model_info")
    model_id = info.get("id") if isinstance(info, dict) else None
    deployment = metadata.get("deployment")
    if isinstance(deployment, dict):
        deployment = (deployment.get("litellm_params") or {}).get("model") or deployment.get("model_name")
    return metadata.get("model_group"), model_id or metadata.get("model_id"), deployment


class LoggingPayload(dict[str, Any]):
    """``standard_logging_object``: a plain dict whose ``"response"`` (the response as a dict) is
    dumped on first read, so a call whose callbacks never read it does not pay for the dump."""

    __slots__ = ("_response_obj",)
    _response_obj: Any

    def _dump(self) -> Any:
        obj, self._response_obj = self._response_obj, None
        value = None
        dump = getattr(obj, "model_dump", None)
        if dump is not None:
            try:
                value = dump()
            except Exception:  # noqa: BLE001 - a response that cannot be dumped is logged without it
                value = None
        dict.__setitem__(self, "response", value)
        return value

    def __missing__(self, key: Any) -> Any:
        if key == "response":
            return self._dump()
        raise KeyError(key)

    def get(self, key: Any, default: Any = None) -> Any:
        if key == "response" and not dict.__contains__(self, "response"):
            return self._dump()
        return dict.get(self, key, default)

    def __contains__(self, key: Any) -> bool:
        return key == "response" or dict.__contains__(self, key)

    def materialize(self) -> LoggingPayload:
        """Dump the response now (before the payload is encoded or copied); returns self."""
        if not dict.__contains__(self, "response"):
            self._dump()
        return self

    def __iter__(self) -> Iterator[str]:
        return iter(self.materialize().keys())

    def items(self) -> dict_items[str, Any]:
        return dict.items(self.materialize())

    def values(self) -> dict_values[str, Any]:
        return dict.values(self.materialize())

    def __repr__(self) -> str:
        return dict.__repr__(self.materialize())

    def __reduce__(self) -> Any:
        return (dict, (dict(self.materialize()),))


def standard_payload(
    hooks: Hooks, result: Any, exc: BaseException | None, hidden: dict[str, Any], end: float
) -> LoggingPayload:
    """litellm's ``standard_logging_object``: the call's facts, no secret, no content when hidden."""
    kw = hooks.kwargs
    usage = _usage(result, hidden) if result is not None else {}
    metadata = kw.get("metadata")
    group, model_id, deployment = _router_facts(metadata)
    ttft = hidden.get("time_to_first_token")
    start = hooks.t0
    out = LoggingPayload(
        {
            "id": kw["litellm_call_id"],
            "trace_id": (metadata.get("trace_id") if isinstance(metadata, dict) else None) or kw["litellm_call_id"],
            "call_type": kw["call_type"],
            "stream": bool(kw.get("stream")),
            "status": "failure" if exc is not None else "success",
            "custom_llm_provider": kw.get("custom_llm_provider")
            or hidden.get("custom_llm_provider")
            or getattr(exc, "llm_provider", None),
            "model": hidden.get("model") or kw["model"],
            "model_id": model_id,
            "model_group": group,
            "deployment": deployment,
            "routing_strategy": metadata.get("routing_strategy") if isinstance(metadata, dict) else None,
            "api_base": kw.get("api_base") or hidden.get("api_base") or "",
            "response_cost": kw.get("response_cost") if exc is None else 0.0,
            "prompt_tokens": int(usage.get("prompt_tokens") or 0),
            "completion_tokens": int(usage.get("completion_tokens") or 0),
            "total_tokens": int(usage.get("total_tokens") or 0),
            "usage_estimated": bool(hidden.get("usage_estimated")),
            "startTime": start,
            "endTime": end,
            "completionStartTime": start + ttft if isinstance(ttft, (int, float)) else end,
            "response_time": end - start,
            "time_to_first_token": ttft,
            "attempts": hidden.get("attempts"),
            "fallback_from": hidden.get("fallback_from"),
            "cache_hit": bool(kw.get("cache_hit")),
            "cache_key": hidden.get("cache_key"),
            "metadata": dict(metadata) if isinstance(metadata, dict) else {},
            "request_tags": list(metadata.get("tags") or []) if isinstance(metadata, dict) else [],
            "end_user": kw.get("user"),
            "model_parameters": {k: v for k, v in kw["optional_params"].items() if k not in _NOT_PARAMS},
            "messages": REDACTED if hooks.hide else _content(kw),
            "error_str": None,
            "error_information": None,
            "hidden_params": {
                "model_id": model_id,
                "api_base": kw.get("api_base") or hidden.get("api_base"),
                "response_cost": kw.get("response_cost"),
                "cache_key": hidden.get("cache_key"),
            },
        }
    )
    out._response_obj = result
    if result is not None:
        choices = getattr(result, "choices", None) or ()
        out["finish_reasons"] = [
            getattr(c, "finish_reason", None) for c in choices if getattr(c, "finish_reason", None)
        ]
        out["response_id"] = getattr(result, "id", None)
        out["response_model"] = getattr(result, "model", None)
    if exc is not None:
        out["error_str"] = redact(str(exc))[:2000]
        out["error_information"] = {
            "error_class": type(exc).__name__,
            "error_code": str(getattr(exc, "status_code", "") or "") or None,
            "llm_provider": getattr(exc, "llm_provider", None),
            "error_message": out["error_str"],
        }
    return out


_NOT_PARAMS = frozenset(
    {
        "api_key",
        "api_base",
        "base_url",
        "metadata",
        "messages",
        "extra_headers",
        "headers",
        "azure_ad_token",
        "aws_secret_access_key",
        "aws_session_token",
        "vertex_credentials",
    }
)


def _content(kw: dict[str, Any]) -> Any:
    for name in ("messages", "input", "prompt", "query"):
        value = kw.get(name)
        if value is not None:
            return value
    return None


def redacted_response(result: Any) -> Any:
    """A copy of ``result`` with its message content replaced by the redaction placeholder."""
    copy = getattr(result, "model_copy", None)
    if copy is None:
        return result
    try:
        out = copy(deep=True)
    except Exception:  # noqa: BLE001
        return result
    hidden = getattr(result, "_hidden_params", None)
    if hidden is not None:
        try:
            out._hidden_params = dict(hidden)
        except Exception:  # noqa: BLE001
            pass
    for choice in getattr(out, "choices", None) or ():
        message = getattr(choice, "message", None)
        if message is not None:
            for attr in ("content", "reasoning_content"):
                if getattr(message, attr, None) is not None:
                    setattr(message, attr, REDACTED)
            for tc in getattr(message, "tool_calls", None) or ():
                fn = getattr(tc, "function", None)
                if fn is not None and getattr(fn, "arguments", None) is not None:
                    fn.arguments = REDACTED
        if getattr(choice, "text", None) is not None:
            choice.text = REDACTED
    return out


# ------------------------------------------------------------------------------ invoking
def _is_function(cb: Any) -> bool:
    return (
        callable(cb)
        and not hasattr(cb, "log_success_event")
        and not hasattr(cb, "log_pre_api_call")
        and not hasattr(cb, "log_failure_event")
    )


def _report(fn: Any, method: str, exc: BaseException) -> None:
    """A callback raised: warn once per callback and hook, then at DEBUG (never break the call)."""
    key = (getattr(fn, "__qualname__", None) or type(fn).__name__, method, type(exc).__name__)
    level = logging.DEBUG
    if key not in _warned and len(_warned) < _MAX_WARNED:
        _warned.add(key)
        level = logging.WARNING
    log.log(
        level,
        "litegate: %s callback %s raised %s: %s (the call is not affected)",
        method,
        key[0],
        type(exc).__name__,
        redact(str(exc))[:500],
    )


_ARITY: dict[Any, bool] = {}


def _takes_three(fn: Any) -> bool:
    """litellm's ``log_pre_api_call(model, messages, kwargs)``, or the short ``(kwargs)`` form."""
    key = getattr(fn, "__func__", fn)
    known = _ARITY.get(key)
    if known is None:
        try:
            params = [
                p
                for p in inspect.signature(fn).parameters.values()
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
            ]
            known = len(params) >= 3 or any(p.kind is p.VAR_POSITIONAL for p in params)
        except (TypeError, ValueError):
            known = True
        if len(_ARITY) < 4096:
            _ARITY[key] = known
    return known


def _call(fn: Any, method: str, args: tuple[Any, ...]) -> None:
    try:
        out = fn(*args)
        if inspect.iscoroutine(out):
            out.close()  # an async callback in a sync call: nothing can await it
            key = ("async-in-sync", getattr(fn, "__qualname__", repr(type(fn))))
            if key not in _warned and len(_warned) < _MAX_WARNED:
                _warned.add(key)
                log.warning("litegate: async callback %s skipped in a sync call", key[1])
    except Exception as exc:  # noqa: BLE001 - a callback must never break the call
        _report(fn, method, exc)


def _overridden(cb: Any, name: str) -> Any:
    """``cb``'s method ``name``, or None when missing or CustomLogger's own no-op."""
    fn = getattr(cb, name, None)
    if fn is None:
        return None
    from ..integrations.custom_logger import CustomLogger

    if isinstance(cb, CustomLogger) and getattr(type(cb), name, None) is getattr(CustomLogger, name, fn):
        return None
    return fn


async def _acall(fn: Any, method: str, args: tuple[Any, ...]) -> Any:
    try:
        out = fn(*args)
        if inspect.isawaitable(out):
            out = await out
        return out
    except Exception as exc:  # noqa: BLE001
        _report(fn, method, exc)
        return None


def _hook(cb: Any, method: str, is_async: bool) -> Any:
    """The function a callback object runs for ``method``: in async calls its real ``async_``
    form, else the sync one; None when it has neither or only CustomLogger's no-op."""
    fn = _overridden(cb, "async_" + method) if is_async else None
    return fn if fn is not None else _overridden(cb, method)
