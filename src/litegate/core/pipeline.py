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
from .call import ChatCall, Controls, EmbeddingCall
from .callbacks import hooks_for
from .http import HttpResponse
from .log import debug_enabled, log_fallback, log_request, log_retry
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
        result = getattr(self.provider, ENDPOINTS[self.kind][1])(resp, self.call, self.target)
        if self.kind == "text_via_chat":
            from .textcompat import text_from_chat

            result = text_from_chat(result)
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

        decoder = self.provider.stream_decoder(self.call, self.target)
        if self.kind == "text_via_chat":
            from .textcompat import TextFromChatDecoder

            decoder = TextFromChatDecoder(decoder)
        return CustomStreamWrapper(
            model=self.target.model,
            custom_llm_provider=self.provider.name,
            decoder=decoder,
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


# kind -> (provider method that builds the request, method that parses the answer, what it is called)
ENDPOINTS: dict[str, tuple[str, str, str]] = {
    "chat": ("chat_request", "parse_chat", "chat completions"),
    "embedding": ("embedding_request", "parse_embedding", "embeddings"),
    "rerank": ("rerank_request", "parse_rerank", "reranking; use a rerank model such as 'cohere/rerank-v3.5'"),
    "text": ("text_completion_request", "parse_text_completion", "text completions"),
    "text_via_chat": ("chat_request", "parse_chat", "chat completions"),
    "image": ("image_generation_request", "parse_image_generation", "image generation"),
    "moderation": ("moderation_request", "parse_moderation", "moderation"),
}
_CALL_TYPES = {"chat": "completion", "embedding": "embedding", "rerank": "rerank", "text": "text_completion",
               "text_via_chat": "text_completion", "image": "image_generation", "moderation": "moderation"}
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
    stream = kind in ("chat", "text") and call.stream  # type: ignore[union-attr]
    build = getattr(provider, ENDPOINTS[kind][0], None)
    if build is None and kind == "text":
        # a provider without a legacy completions endpoint: the prompt goes as one user turn
        from .textcompat import chat_call_for

        call, kind = chat_call_for(call), "text_via_chat"
        build = provider.chat_request
    if build is None:
        from .call import _fail

        raise _fail(f"{provider.name} does not offer {ENDPOINTS[kind][2]} (model={call.model!r})", call.model)
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
    if kind == "text":
        from .textcompat import mock_text

        return mock_text(call)
    if kind in ("image", "moderation"):
        return mock.mock_media(call, kind)
    return mock.mock_rerank(call)


def _has_fallbacks(ctl: Any, cfg: Any) -> bool:
    return bool(ctl.fallbacks or ctl.context_window_fallbacks or ctl.content_policy_fallbacks
                or getattr(cfg, "fallbacks", None) or getattr(cfg, "context_window_fallbacks", None)
                or getattr(cfg, "content_policy_fallbacks", None))


def fallback_chain(exc: BaseException, call: Any, cfg: Any) -> list:
    """The models to try after ``exc`` (spec section 4, Fallbacks), in order, at most ROUTER_MAX_FALLBACKS.

    Context-window errors consult ``context_window_fallbacks`` and content-policy errors
    ``content_policy_fallbacks`` first; anything else (or no match there) the general ``fallbacks``.
    Each list holds ``{"model": [fallbacks...]}`` rules (``"*"`` matches any model); a per-call list
    may also be a plain list of models.
    """
    from ..constants import ROUTER_MAX_FALLBACKS
    from ..exceptions import ContentPolicyViolationError, ContextWindowExceededError

    ctl = call.ctl
    lists = []
    if isinstance(exc, ContextWindowExceededError):
        lists.append(ctl.context_window_fallbacks or getattr(cfg, "context_window_fallbacks", None))
    elif isinstance(exc, ContentPolicyViolationError):
        lists.append(ctl.content_policy_fallbacks or getattr(cfg, "content_policy_fallbacks", None))
    lists.append(ctl.fallbacks or getattr(cfg, "fallbacks", None))
    for rules in lists:
        chain = _match(rules, call.model)
        if chain:
            return chain[:ROUTER_MAX_FALLBACKS]
    return []


def _match(rules: Any, model: str) -> list:
    if not rules:
        return []
    if all(isinstance(r, str) or (isinstance(r, dict) and "model" in r) for r in rules):
        return list(rules)  # a plain per-call list of fallback models
    catch_all: list = []
    for rule in rules:
        if isinstance(rule, dict):
            if model in rule:
                return list(rule[model])
            if "*" in rule:
                catch_all = list(rule["*"])
    return catch_all


def _fallback_call(call: Any, target: Any) -> Any:
    """The same call aimed at a fallback model. Per-call credentials follow only within one provider."""
    import dataclasses

    from .resolve import split_model

    override = dict(target) if isinstance(target, dict) else {"model": target}
    model = override.pop("model")
    ctl = call.ctl
    changes: dict = {"mock_response": None, "fallbacks": None, "context_window_fallbacks": None,
                     "content_policy_fallbacks": None}
    try:
        same = split_model(call.model, ctl.custom_llm_provider, None)[0] == split_model(model, None, None)[0]
    except Exception:  # noqa: BLE001 - an unknown fallback model fails on its own attempt
        same = False
    if not same:
        changes.update(api_key=None, api_base=None, api_version=None, organization=None, custom_llm_provider=None)
    changes.update({k: v for k, v in override.items() if k in Controls.__slots__})
    return dataclasses.replace(call, model=model, ctl=dataclasses.replace(ctl, **changes))


def _one(call: Any, cfg: Any, transport: Any, kind: str) -> tuple:
    if call.ctl.mock_response is not None:
        return _mock(call, kind), None
    plan = make_plan(call, cfg, kind)
    return run(plan, transport), plan


async def _aone(call: Any, cfg: Any, transport: Any, kind: str) -> tuple:
    if call.ctl.mock_response is not None:
        return _mock(call, kind), None
    plan = make_plan(call, cfg, kind)
    return await arun(plan, transport), plan


def _attempts(call: Any, cfg: Any, transport: Any, kind: str) -> tuple:
    try:
        return _one(call, cfg, transport, kind)
    except LiteLLMException as exc:
        chain = fallback_chain(exc, call, cfg)
        if not chain:
            raise
        error: BaseException = exc
        for target in chain:
            log_fallback(call.model, target, error)
            try:
                return _one(_fallback_call(call, target), cfg, transport, kind)
            except LiteLLMException as next_error:
                error = next_error
        raise error from exc


async def _aattempts(call: Any, cfg: Any, transport: Any, kind: str) -> tuple:
    try:
        return await _aone(call, cfg, transport, kind)
    except LiteLLMException as exc:
        chain = fallback_chain(exc, call, cfg)
        if not chain:
            raise
        error: BaseException = exc
        for target in chain:
            log_fallback(call.model, target, error)
            try:
                return await _aone(_fallback_call(call, target), cfg, transport, kind)
            except LiteLLMException as next_error:
                error = next_error
        raise error from exc


def execute(call: Any, cfg: Any, transport: Any, kind: str, call_type: str) -> Any:
    """One sync call: callbacks and fallbacks (when configured), mock or real attempts, stream hand-off."""
    hooks = hooks_for(cfg, call, call_type)
    if hooks is None and not _has_fallbacks(call.ctl, cfg):  # the common, fast case
        if call.ctl.mock_response is not None:
            return _mock(call, kind)
        result = run(make_plan(call, cfg, kind), transport)
        if cfg.max_budget:
            _record_spend(cfg, result)
        return result
    if hooks is not None:
        hooks.pre()
    try:
        result, plan = _attempts(call, cfg, transport, kind)
    except BaseException as exc:
        if hooks is not None:
            hooks.failure(exc, None)
        raise
    if getattr(call, "stream", False):
        if hooks is not None:
            _attach(result, hooks, plan, is_async=False)
    else:
        _record_spend(cfg, result)
        if hooks is not None:
            hooks.success(result, plan)
    return result


async def aexecute(call: Any, cfg: Any, transport: Any, kind: str, call_type: str) -> Any:
    hooks = hooks_for(cfg, call, call_type)
    if hooks is None and not _has_fallbacks(call.ctl, cfg):
        if call.ctl.mock_response is not None:
            return _mock(call, kind)
        result = await arun(make_plan(call, cfg, kind), transport)
        if cfg.max_budget:
            _record_spend(cfg, result)
        return result
    if hooks is not None:
        await hooks.apre()
    try:
        result, plan = await _aattempts(call, cfg, transport, kind)
    except BaseException as exc:
        if hooks is not None:
            await hooks.afailure(exc, None)
        raise
    if getattr(call, "stream", False):
        if hooks is not None:
            _attach(result, hooks, plan, is_async=True)
    else:
        _record_spend(cfg, result)
        if hooks is not None:
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
