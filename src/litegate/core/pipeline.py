"""The one call path: resolve -> build -> (send -> parse | retry) -> result.

Decisions (what to send, whether and when to retry, how to name an error) live in ``Plan`` and
are shared by the sync and async loops; only the loops that block or await are written twice.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from ..exceptions import LiteLLMException
from ..providers import get_provider
from .call import ChatCall, EmbeddingCall
from .callbacks import hooks_for
from .http import HttpResponse
from .log import debug_enabled, log_request, log_retry
from .redact import register_secret
from .resolve import Target, resolve
from .retry import is_retryable, retry_delay
from .transport import make_timeout


class Plan:
    """One resolved request and the rules for answering it."""

    __slots__ = ("provider", "target", "request", "timeout", "retries", "kind", "call", "stream", "response")

    def __init__(self, provider: Any, target: Target, request: Any, timeout: Any, retries: int, kind: str,
                 call: Any, stream: bool):
        self.provider = provider
        self.target = target
        self.request = request
        self.timeout = timeout
        self.retries = retries
        self.kind = kind
        self.call = call
        self.stream = stream
        self.response: Any = None  # the last HTTP response (for raw request/response logging)

    def error(self, resp: HttpResponse) -> Exception:
        return self.provider.error(resp, self.target)

    def fill(self, exc: BaseException) -> BaseException:
        """Name the provider and model on errors raised below the provider (transport, decoders)."""
        if getattr(exc, "llm_provider", "x") in (None, ""):
            exc.llm_provider = self.provider.name  # type: ignore[attr-defined]
        if getattr(exc, "model", "x") in (None, ""):
            exc.model = self.target.model  # type: ignore[attr-defined]
        return exc

    def delay(self, exc: BaseException, attempt: int) -> float | None:
        if attempt >= self.retries or not is_retryable(exc):
            return None
        return retry_delay(exc, attempt)

    def finish(self, resp: HttpResponse) -> Any:
        self.response = resp
        if self.kind == "chat":
            result = self.provider.parse_chat(resp, self.call, self.target)
        elif self.kind == "embedding":
            result = self.provider.parse_embedding(resp, self.call, self.target)
        else:
            result = self.provider.parse_rerank(resp, self.call, self.target)
        hidden = result._hidden_params
        hidden["custom_llm_provider"] = self.provider.name
        hidden["api_base"] = self.target.api_base
        hidden["model"] = self.target.model
        hidden["additional_headers"] = self.provider.response_headers(resp)
        hidden["response_cost"] = response_cost(result, self)
        return result

    def hidden(self) -> dict:
        return {"custom_llm_provider": self.provider.name, "api_base": self.target.api_base,
                "model": self.target.model}

    def wrap_stream(self, http_stream: Any) -> Any:
        from .streaming import CustomStreamWrapper

        return CustomStreamWrapper(
            model=self.target.model,
            custom_llm_provider=self.provider.name,
            decoder=self.provider.stream_decoder(self.call, self.target),
            http_stream=http_stream,
            hidden_params=self.hidden(),
            on_error=self.fill,
        )


_compute_cost: Any = None


def response_cost(result: Any, plan: Plan) -> float | None:
    """The call's cost in USD from the model registry, or None when unknown (logged once per model;
    never a silent 0)."""
    global _compute_cost
    if _compute_cost is None:
        from ..cost.calculator import compute_response_cost

        _compute_cost = compute_response_cost
    ctl = plan.call.ctl
    custom = ctl.custom_cost_per_token
    if custom is None and ctl.custom_cost_per_second is None and plan.provider.name in _SELF_HOSTED:
        custom = _FREE  # models on the caller's own server have no per-token price
    return _compute_cost(result, call_type=_CALL_TYPES[plan.kind],
                         model=plan.target.model, provider=plan.provider.name,
                         custom_cost_per_token=custom,
                         custom_cost_per_second=ctl.custom_cost_per_second)


_CALL_TYPES = {"chat": "completion", "embedding": "embedding", "rerank": "rerank"}
_SELF_HOSTED = frozenset({"ollama", "ollama_chat", "lm_studio", "llamafile", "hosted_vllm"})
_FREE = {"input_cost_per_token": 0.0, "output_cost_per_token": 0.0}


def _check_budget(cfg: Any) -> None:
    """``max_budget`` (spec section 4): refuse new calls once the process has spent it."""
    limit = getattr(cfg, "max_budget", None)
    if limit and limit > 0:
        spent = getattr(cfg, "_current_cost", 0.0) or 0.0
        if spent >= limit:
            from ..exceptions import BudgetExceededError

            raise BudgetExceededError(current_cost=spent, max_budget=limit)


_spend_lock = threading.Lock()


def _record_spend(cfg: Any, result: Any) -> None:
    limit = getattr(cfg, "max_budget", None)
    if limit and limit > 0:
        cost = (getattr(result, "_hidden_params", None) or {}).get("response_cost")
        if cost:
            with _spend_lock:
                cfg._current_cost = (getattr(cfg, "_current_cost", 0.0) or 0.0) + cost


def _setting(value: Any, cfg: Any, name: str, default: Any) -> Any:
    if value is not None:
        return value
    value = getattr(cfg, name, None)
    return default if value is None else value


def make_plan(call: ChatCall | EmbeddingCall, cfg: Any, kind: str) -> Plan:
    ctl = call.ctl
    _check_budget(cfg)
    target = resolve(call.model, ctl, cfg)
    if target.api_key:
        register_secret(target.api_key)
    if target.azure_ad_token:
        register_secret(target.azure_ad_token)
    provider = get_provider(target.provider)
    prepare = getattr(provider, "prepare", None)
    if prepare is not None:  # a credential step some providers need (e.g. an OAuth token), cached by them
        prepare(target, cfg, call)
    drop = bool(_setting(ctl.drop_params, cfg, "drop_params", False))
    stream = kind == "chat" and call.stream  # type: ignore[union-attr]
    if kind == "chat":
        request = provider.chat_request(call, target, drop)
    elif kind == "embedding":
        request = provider.embedding_request(call, target, drop)
    else:
        build = getattr(provider, "rerank_request", None)
        if build is None:
            from .call import _fail

            raise _fail(f"{provider.name} does not offer reranking; use a rerank model such as "
                        f"'cohere/rerank-v3.5'", call.model)
        request = build(call, target, drop)
    timeout = _setting(ctl.timeout, cfg, "request_timeout", 600.0)
    read = _setting(ctl.stream_timeout, cfg, "stream_timeout", None) if stream else None
    retries = int(_setting(ctl.num_retries, cfg, "num_retries", 0) or 0)
    if debug_enabled(cfg):
        log_request(request, provider.name)
    return Plan(provider, target, request, make_timeout(timeout, read), retries, kind, call, stream)


# ---------------------------------------------------------------------- sync
def run(plan: Plan, transport: Any) -> Any:
    attempt = 0
    while True:
        try:
            if plan.stream:
                return _open_stream(plan, transport)
            resp = transport.send(plan.request, plan.timeout)
            if resp.status_code >= 400:
                raise plan.error(resp)
            return plan.finish(resp)
        except LiteLLMException as exc:
            plan.fill(exc)
            wait = plan.delay(exc, attempt)
            if wait is None:
                exc.num_retries = attempt  # type: ignore[attr-defined]
                exc.max_retries = plan.retries  # type: ignore[attr-defined]
                raise
            log_retry(exc, attempt, wait)
            attempt += 1
            time.sleep(wait)


def _open_stream(plan: Plan, transport: Any) -> Any:
    stream = transport.open_stream(plan.request, plan.timeout)
    if stream.status_code >= 400:
        body = stream.read()  # also closes it
        raise plan.error(HttpResponse(stream.status_code, stream.headers, body, stream.url))
    try:
        return plan.wrap_stream(stream)
    except BaseException:
        stream.close()
        raise


# ---------------------------------------------------------------------- async
async def arun(plan: Plan, transport: Any) -> Any:
    attempt = 0
    while True:
        try:
            if plan.stream:
                return await _aopen_stream(plan, transport)
            resp = await transport.asend(plan.request, plan.timeout)
            if resp.status_code >= 400:
                raise plan.error(resp)
            return plan.finish(resp)
        except LiteLLMException as exc:
            plan.fill(exc)
            wait = plan.delay(exc, attempt)
            if wait is None:
                exc.num_retries = attempt  # type: ignore[attr-defined]
                exc.max_retries = plan.retries  # type: ignore[attr-defined]
                raise
            log_retry(exc, attempt, wait)
            attempt += 1
            await asyncio.sleep(wait)


async def _aopen_stream(plan: Plan, transport: Any) -> Any:
    stream = await transport.aopen_stream(plan.request, plan.timeout)
    if stream.status_code >= 400:
        body = await stream.aread()
        raise plan.error(HttpResponse(stream.status_code, stream.headers, body, stream.url))
    try:
        return plan.wrap_stream(stream)
    except BaseException:
        await stream.aclose()
        raise


# ---------------------------------------------------------------------- whole call (with hooks)
def _mock(call: Any, kind: str) -> Any:
    from . import mock

    if kind == "chat":
        return mock.mock_chat(call)
    if kind == "embedding":
        return mock.mock_embedding(call)
    return mock.mock_rerank(call)


def execute(call: Any, cfg: Any, transport: Any, kind: str, call_type: str) -> Any:
    """One sync call: callbacks (when configured), mock or real attempts, stream hand-off."""
    hooks = hooks_for(cfg, call, call_type)
    if hooks is None:
        if call.ctl.mock_response is not None:
            return _mock(call, kind)
        result = run(make_plan(call, cfg, kind), transport)
        if cfg.max_budget:
            _record_spend(cfg, result)
        return result
    hooks.pre()
    plan = None
    try:
        if call.ctl.mock_response is not None:
            result = _mock(call, kind)
        else:
            plan = make_plan(call, cfg, kind)
            result = run(plan, transport)
    except BaseException as exc:
        hooks.failure(exc, plan)
        raise
    if getattr(call, "stream", False):
        _attach(result, hooks, plan, is_async=False)
    else:
        _record_spend(cfg, result)
        hooks.success(result, plan)
    return result


async def aexecute(call: Any, cfg: Any, transport: Any, kind: str, call_type: str) -> Any:
    hooks = hooks_for(cfg, call, call_type)
    if hooks is None:
        if call.ctl.mock_response is not None:
            return _mock(call, kind)
        result = await arun(make_plan(call, cfg, kind), transport)
        if cfg.max_budget:
            _record_spend(cfg, result)
        return result
    await hooks.apre()
    plan = None
    try:
        if call.ctl.mock_response is not None:
            result = _mock(call, kind)
        else:
            plan = make_plan(call, cfg, kind)
            result = await arun(plan, transport)
    except BaseException as exc:
        await hooks.afailure(exc, plan)
        raise
    if getattr(call, "stream", False):
        _attach(result, hooks, plan, is_async=True)
    else:
        _record_spend(cfg, result)
        await hooks.asuccess(result, plan)
    return result


def _attach(wrapper: Any, hooks: Any, plan: Any, is_async: bool) -> None:
    """Success callbacks of a stream run at its end with the rebuilt response; failures at the error."""
    from ..types.streaming import ChunkAccumulator

    acc = ChunkAccumulator(messages=hooks.kwargs.get("messages"))
    inner_error = wrapper._on_error

    def later(coro: Any) -> None:
        if is_async:
            try:
                asyncio.get_running_loop().create_task(coro)
                return
            except RuntimeError:
                pass
        coro.close()

    def on_end() -> None:
        response = acc.build()
        if response is None:  # a stream that yielded no chunk: nothing to report as a response
            return
        if plan is not None:
            response._hidden_params.update(plan.hidden())
            response._hidden_params["response_cost"] = response_cost(response, plan)
        if is_async:
            later(hooks.asuccess(response, plan))
        else:
            hooks.success(response, plan)

    def on_error(exc: BaseException) -> BaseException:
        if inner_error is not None:
            exc = inner_error(exc)
        if is_async:
            later(hooks.afailure(exc, plan))
        else:
            hooks.failure(exc, plan)
        return exc

    wrapper._on_chunk = acc.add
    wrapper._on_end = on_end
    wrapper._on_error = on_error
