"""The call lifecycle: every endpoint, every provider, sync and async, one path.

::

    validate            core/call.py via the endpoint table (before this module)
    resolve             make_plan: model -> provider, credentials, base URL; dialect + auth chosen
    cache lookup        execute/aexecute: caching/stage.py (when a cache is set); a hit skips the attempts
    budget              make_plan: max_budget refuses before any request
    attempts            run / arun: per attempt authorize (auth flow) -> send -> classify; the
                        retry policy (core/retry.py) decides; a stream is an attempt until its
                        first chunk (prime); then fallbacks (attempts / aattempts)
    parse               Plan.finish, outside the retry decision: a 2xx that does not parse is
                        final, never retried (the provider billed it); an error the provider
                        reported inside a 2xx body is classified and retried like a status error
    cost                Plan.finish (responses) / StreamObserver.end (streams)
    cache store         execute/aexecute after a success; streams when they complete (stage.store)
    callbacks           _settle (responses) / observe.attach_hooks (streams, at their end)

Every stage is a function or method written once; only the two loops that block or await (the
attempt loop and the fallback loop) exist twice, and they are a dozen lines each.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import TYPE_CHECKING, Any

from ..exceptions import APIResponseValidationError, LiteLLMException
from ..providers import get_provider
from ..providers.base import Drop
from ..providers.spec import SPECS
from .auth import ReleaseOnEarlyClose, aauthorize, arelease, authorize, pending_release, release, with_header
from .callbacks import aon_request, hooks_for, on_request
from .endpoints import Endpoint
from .http import HttpResponse
from .log import debug_enabled, log_fallback, log_request, log_retry
from .redact import mask_url, register_secret
from .resolve import Target, resolve
from .retry import RetryPolicy
from .transport import make_timeout

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from .auth import Auth
    from .call import ChatCall
    from .callbacks import Hooks
    from .http import HttpRequest
    from .streaming import CustomStreamWrapper
    from .transport import HttpTransport, Timeouts


# ================================================================================ one target
class Plan:
    """One call resolved against one target: the built request and the rules for answering it."""

    __slots__ = (
        "provider",
        "target",
        "endpoint",
        "call",
        "request",
        "auth",
        "timeout",
        "policy",
        "stream",
        "via_chat",
        "drop",
        "response",
        "counter",
        "cfg",
        "attempts",
        "first_token",
        "started",
    )

    def __init__(
        self,
        provider: Any,  # the provider's dialect (providers/base.Dialect)
        target: Target,
        endpoint: Endpoint,
        call: Any,  # the validated call (core/call.py, audio.py, platform.py)
        request: HttpRequest,
        auth: Auth | None,
        timeout: Timeouts,
        policy: RetryPolicy,
        stream: bool,
        via_chat: bool,
        drop: Drop,
        cfg: Any,
    ):
        self.provider = provider
        self.target = target
        self.endpoint = endpoint
        self.call = call
        self.request = request
        self.auth = auth
        self.timeout = timeout
        self.policy = policy
        self.stream = stream
        self.via_chat = via_chat
        self.drop = drop
        self.cfg = cfg
        self.counter: str | None = getattr(cfg, "retry_count_header", None) or None
        self.response: Any = None  # the last HTTP response (raw request/response logging)
        self.attempts = 0  # attempts made on this target
        self.first_token: float | None = None  # streams: seconds allowed until the first chunk
        self.started = time.perf_counter()  # latency and time to first token count from here

    @property
    def retries(self) -> int:
        return self.policy.retries

    # -------------------------------------------------------------- attempt stages
    def prepared(self, request: HttpRequest, attempt: int) -> HttpRequest:
        """Per-attempt additions that need no I/O (the optional attempt counter header)."""
        if self.counter is not None:
            return with_header(request, self.counter.lower(), str(attempt))
        return request

    def error(self, resp: HttpResponse) -> Exception:
        exc: Exception = self.provider.error(resp, self.target)
        return exc

    def fill(self, exc: BaseException) -> BaseException:
        """Name the provider and model on errors raised below the provider (transport, decoders).
        A stream event that does not parse is final like an unparseable body (never retried)."""
        if isinstance(exc, APIResponseValidationError):
            exc._parse_failure = True  # type: ignore[attr-defined]  # a marker: core/retry.py reads it
        if getattr(exc, "llm_provider", "x") in (None, ""):
            exc.llm_provider = self.provider.name  # type: ignore[attr-defined]  # a litegate error's field (seen above)
        if getattr(exc, "model", "x") in (None, ""):
            exc.model = self.target.model  # type: ignore[attr-defined]  # a litegate error's field (seen above)
        return exc

    def wait(self, exc: LiteLLMException, attempt: int) -> float | None:
        """Seconds before the next attempt, or None: ``exc`` is final (retry counts recorded).

        A route that stayed silent for a whole timeout is not tried again when a fallback can
        answer: another attempt would most likely cost another whole timeout."""
        self.fill(exc)
        delay = self.policy.delay(exc, attempt)
        if delay is not None and silent(exc) and fallback_chain(exc, self.call, self.cfg):
            delay = None
        if delay is None:
            exc.num_retries = attempt
            exc.max_retries = self.policy.retries
        else:
            log_retry(exc, attempt, delay)
        return delay

    # -------------------------------------------------------------- after the attempts
    def finish(self, resp: HttpResponse) -> Any:
        """Parse a 2xx answer (outside the retry loop) and price it."""
        self.response = resp
        try:
            result = getattr(self.provider, self.endpoint.parse if not self.via_chat else "parse_chat")(
                resp, self.call, self.target
            )
        except APIResponseValidationError as exc:
            raise self.fill(exc)  # noqa: B904 - the same exception, marked final: never retried (core/retry.py)
        if self.via_chat:
            from .textcompat import text_from_chat

            result = text_from_chat(result)
        hidden = result._hidden_params
        hidden["custom_llm_provider"] = self.provider.name
        hidden["api_base"] = mask_url(self.target.api_base)
        hidden["model"] = self.target.model
        hidden["additional_headers"] = self.provider.response_headers(resp)
        hidden["attempts"] = self.attempts
        if self.endpoint.priced:
            hidden["response_cost"] = response_cost(result, self)
        if self.drop.warnings:
            hidden["warnings"] = list(self.drop.warnings)
        return result

    def hidden(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "custom_llm_provider": self.provider.name,
            "api_base": mask_url(self.target.api_base),
            "model": self.target.model,
            "attempts": self.attempts,
        }
        if self.drop.warnings:
            out["warnings"] = list(self.drop.warnings)
        return out

    def wrap_stream(self, http_stream: Any, transport: HttpTransport | None = None) -> Any:
        if self.endpoint.wrap is not None:  # a binary body or an event stream, answered as a whole
            result = getattr(self.provider, self.endpoint.wrap)(http_stream, self)
            result._hidden_params.update(self.hidden())
            result._hidden_params["additional_headers"] = self.provider.response_headers(http_stream)
            if self.endpoint.priced:
                result._hidden_params["response_cost"] = self.provider.wrapped_cost(self)
            return result
        from .observe import StreamObserver
        from .streaming import CustomStreamWrapper

        decoder = self.provider.stream_decoder(self.call, self.target)
        if self.auth is not None and transport is not None:
            # work the auth flow started upstream (a Replicate prediction) is the stream's now: a
            # stream closed before its end stops it
            stop = pending_release(self.auth)
            if stop is not None:
                http_stream = ReleaseOnEarlyClose(http_stream, stop, transport, decoder)
        if self.via_chat:
            from .textcompat import TextFromChatDecoder

            decoder = TextFromChatDecoder(decoder)
        wrapper: CustomStreamWrapper[Any] = CustomStreamWrapper(
            model=self.target.model,
            custom_llm_provider=self.provider.name,
            decoder=decoder,
            http_stream=http_stream,
            hidden_params=self.hidden(),
            on_error=self.fill,
        )
        StreamObserver(self).attach(wrapper)
        deadline = _setting(self.call.ctl.stream_deadline, self.cfg, "stream_deadline", None)
        if deadline is not None:
            wrapper._deadline = (time.monotonic() + deadline, deadline)
        if (
            transport is not None
            and not self.via_chat
            and self.endpoint.kind == "chat"
            and _setting(self.call.ctl.stream_recovery, self.cfg, "stream_recovery", False)
        ):
            wrapper._recovery = Recovery(self, transport)
        return wrapper


class Recovery:
    """Mid-stream recovery (``stream_recovery``): when a stream breaks after content was delivered,
    the request is sent again - to the same model first, then to the fallbacks - with the text
    delivered so far as a trailing assistant message, and the continuation is spliced into the
    caller's stream. Only targets that continue an assistant prefill are asked (the registry's
    ``supports_assistant_prefill``, or ``assistant_prefill_models``); otherwise the error stands."""

    __slots__ = ("plan", "transport")

    def __init__(self, plan: Plan, transport: HttpTransport):
        self.plan = plan
        self.transport = transport

    def applies(self, exc: BaseException) -> bool:
        from .retry import is_retryable

        if getattr(exc, "_deadline", False):  # the caller's whole-stream deadline: nothing to resume
            return False
        return isinstance(exc, LiteLLMException) and (is_retryable(exc) or isinstance(exc, APIResponseValidationError))

    def targets(self, exc: BaseException) -> list[ChatCall]:
        """The calls a broken stream may continue on, in order: its own model, then its fallbacks
        (the Router overrides this with its fallback groups' deployments)."""
        return [self.plan.call] + fallback_calls(exc, self.plan.call, self.plan.cfg)

    def calls(self, exc: BaseException, wrapper: CustomStreamWrapper[Any]) -> tuple[list[ChatCall], str]:
        """The continuation calls to try, in order, and the text they continue."""
        observer = getattr(wrapper, "_observer", None)
        call, cfg = self.plan.call, self.plan.cfg
        if observer is None or observer.tools or observer.dropped or (call.params.get("n") or 1) != 1:
            return [], ""
        text = "".join(observer.pieces)
        if not text.strip():
            return [], ""
        import dataclasses

        named = list(call.ctl.assistant_prefill_models or ()) + list(
            getattr(cfg, "assistant_prefill_models", None) or ()
        )
        targets = self.targets(exc)
        out: list[ChatCall] = []
        for target in targets:
            if not _takes_prefill(target.model, named):
                continue
            messages = list(target.messages) + [{"role": "assistant", "content": _prefill_for(target, text, cfg)}]
            ctl = dataclasses.replace(
                target.ctl,
                stream_recovery=False,
                fallbacks=None,
                context_window_fallbacks=None,
                content_policy_fallbacks=None,
                num_retries=0,
            )
            out.append(dataclasses.replace(target, messages=messages, ctl=ctl))
        return out, text

    def _resumed(
        self, exc: BaseException, wrapper: CustomStreamWrapper[Any], continuation: Any, call: ChatCall, text: str
    ) -> Any:
        _skip_role_chunk(continuation)
        if call.messages[-1]["content"] != text:  # the caller has the whitespace the prefill left out
            wrapper._lstrip_next = True
        model = call.model
        wrapper._hidden_params["stream_recovery"] = {
            "recovered": True,
            "error": type(exc).__name__,
            "model": model,
            "delivered_chunks": getattr(wrapper._observer, "count", 0),
        }
        wrapper._observer.recovered_text = text
        return continuation

    def resume(self, exc: BaseException, wrapper: CustomStreamWrapper[Any]) -> Any:
        calls, text = self.calls(exc, wrapper)
        for call in calls:
            log_fallback(self.plan.call.model, call.model, exc)
            try:
                continuation = run(make_plan(call, self.plan.cfg, self.plan.endpoint), self.transport)
            except LiteLLMException:
                continue  # e.g. a target that refuses the prefill: the original error stands
            return self._resumed(exc, wrapper, continuation, call, text)
        return None

    async def aresume(self, exc: BaseException, wrapper: CustomStreamWrapper[Any]) -> Any:
        calls, text = self.calls(exc, wrapper)
        for call in calls:
            log_fallback(self.plan.call.model, call.model, exc)
            try:
                continuation = await arun(make_plan(call, self.plan.cfg, self.plan.endpoint), self.transport)
            except LiteLLMException:
                continue
            return self._resumed(exc, wrapper, continuation, call, text)
        return None


def _prefill_for(call: Any, text: str, cfg: Any) -> str:
    """The delivered text as the target's dialect accepts it for a prefill."""
    from .resolve import split_model

    try:
        provider = get_provider(
            split_model(call.model, call.ctl.custom_llm_provider, getattr(cfg, "model_alias_map", None))[0]
        )
    except Exception:  # noqa: BLE001 - an unknown target fails on its own attempt
        return text
    prefilled: str = provider.prefill_text(text)
    return prefilled


def _takes_prefill(model: str, named: list[str]) -> bool:
    if model in named:
        return True
    from ..cost.info import supports_assistant_prefill

    try:
        return supports_assistant_prefill(model)
    except Exception:  # noqa: BLE001 - an unknown model: no
        return False


def _skip_role_chunk(wrapper: CustomStreamWrapper[Any]) -> None:
    """The continuation's first chunk only opens the assistant turn again: the caller has one."""
    pending = wrapper._pending
    if wrapper._pos < len(pending):
        first = pending[wrapper._pos]
        choices: Sequence[Any] = getattr(first, "choices", None) or ()
        if len(choices) == 1 and getattr(first, "usage", None) is None:
            delta = getattr(choices[0], "delta", None)
            if (
                delta is not None
                and not delta.content
                and not getattr(delta, "tool_calls", None)
                and choices[0].finish_reason is None
            ):
                wrapper._pos += 1


_compute_cost: Callable[..., float | None] | None = None


def response_cost(result: Any, plan: Plan) -> float | None:
    """The call's cost in USD from the model registry, or None when unknown (logged once per model;
    never a silent 0)."""
    global _compute_cost
    if _compute_cost is None:
        from ..cost.calculator import compute_response_cost

        _compute_cost = compute_response_cost
    ctl = plan.call.ctl
    custom = ctl.custom_cost_per_token
    if (
        custom is None
        and ctl.custom_cost_per_second is None
        and (
            plan.provider.name in _SELF_HOSTED
            or (plan.endpoint.kind == "moderation" and plan.provider.name in ("openai", "azure"))
        )
    ):
        custom = _FREE  # models on the caller's own server, and OpenAI's moderation endpoint, cost nothing
    optional = None
    if plan.endpoint.kind == "image":  # priced by size, quality, count and (Bedrock SDXL) steps
        from ..cost.calculator import image_cost_params

        optional = image_cost_params(plan.call)
    return _compute_cost(
        result,
        call_type=plan.endpoint.call_type,
        model=ctl.base_model or plan.target.model,
        provider=plan.provider.name,
        custom_cost_per_token=custom,
        custom_cost_per_second=ctl.custom_cost_per_second,
        optional_params=optional,
    )


_FREE = {"input_cost_per_token": 0.0, "output_cost_per_token": 0.0}
_SELF_HOSTED = frozenset(name for name, spec in SPECS.items() if spec.self_hosted)


# ================================================================================ stages before I/O
def check_budget(cfg: Any) -> None:
    """``max_budget`` (spec section 4): refuse new calls once the process has spent it."""
    limit = getattr(cfg, "max_budget", None)
    if limit and limit > 0:
        spent = getattr(cfg, "_current_cost", 0.0) or 0.0
        if spent >= limit:
            from ..exceptions import BudgetExceededError

            raise BudgetExceededError(current_cost=spent, max_budget=limit)


_spend_lock = threading.Lock()


def record_spend(cfg: Any, cost: Any) -> None:
    limit = getattr(cfg, "max_budget", None)
    if limit and limit > 0 and cost:
        with _spend_lock:
            cfg._current_cost = (getattr(cfg, "_current_cost", 0.0) or 0.0) + cost


def _setting(value: Any, cfg: Any, name: str, default: Any) -> Any:
    if value is not None:
        return value
    value = getattr(cfg, name, None)
    return default if value is None else value


def make_plan(call: Any, cfg: Any, endpoint: Endpoint) -> Plan:
    """resolve -> budget -> dialect and auth -> build (pure: no I/O happens here)."""
    ctl = call.ctl
    check_budget(cfg)
    target = resolve(call.model, ctl, cfg)
    if target.api_key:
        register_secret(target.api_key)
    if target.azure_ad_token:
        register_secret(target.azure_ad_token)
    provider = get_provider(target.provider)
    if not provider.offers(endpoint.kind):
        raise provider.refuse(endpoint.kind, call.model)
    drop = Drop(bool(_setting(ctl.drop_params, cfg, "drop_params", False)))
    via_chat = endpoint.kind == "text" and provider.text_via_chat
    if via_chat:  # no legacy completions endpoint: the prompt goes as one user turn
        from .textcompat import chat_call_for

        call = chat_call_for(call, drop)
    provider.prepare(target, cfg, call)
    auth = provider.auth(target, call, cfg)
    if auth is not None:
        target.token_flow = True
    stream = endpoint.streams and call.stream
    request = getattr(provider, "chat_request" if via_chat else endpoint.request)(call, target, drop)
    timeout = _setting(ctl.timeout, cfg, "request_timeout", 600.0)
    read = first_token = None
    if stream:
        read = _setting(ctl.stream_timeout, cfg, "stream_timeout", None)
        first_token = _setting(ctl.stream_first_token_timeout, cfg, "stream_first_token_timeout", None)
        if first_token is not None:
            # a blocking read cannot be interrupted: the idle bound is held to the first-token
            # deadline so a silent server fails over in time (async calls also cancel at it)
            read = first_token if read is None else min(read, first_token)
    retries = int(_setting(ctl.num_retries, cfg, "num_retries", 0) or 0)
    if debug_enabled(cfg):
        log_request(request, provider.name)
    policy = _POLICIES.get(retries)
    if policy is None:
        policy = _POLICIES[retries] = RetryPolicy(retries)  # immutable: one per retry count
    plan = Plan(
        provider,
        target,
        endpoint,
        call,
        request,
        auth,
        make_timeout(timeout, read),
        policy,
        stream,
        via_chat,
        drop,
        cfg,
    )
    plan.first_token = first_token
    return plan


_POLICIES: dict[int, RetryPolicy] = {}


# ================================================================================ attempts (sync)
def run(plan: Plan, transport: HttpTransport) -> Any:
    attempt = 0
    while True:
        plan.attempts = attempt + 1
        try:
            request = plan.prepared(plan.request, attempt)
            if plan.auth is not None:
                request = authorize(plan.auth, request, transport, plan.timeout)
            if plan.stream:
                try:
                    stream = transport.open_stream(request, plan.timeout)
                    if stream.status_code >= 400:
                        raise plan.error(HttpResponse(stream.status_code, stream.headers, stream.read(), stream.url))
                except BaseException:
                    if plan.auth is not None:
                        release(pending_release(plan.auth), transport)
                    raise
                # up to the first chunk the stream is still an attempt: a failure before any
                # content is retried or falls back like a failed request
                wrapper = open_stream(plan, stream, transport)
                try:
                    return wrapper.prime()
                except KeyboardInterrupt:
                    wrapper.close()
                    raise
            resp = transport.send(request, plan.timeout)
            if resp.status_code >= 400:
                raise plan.error(resp)
            # an error the provider reported inside a 2xx body is retried like any other; a body
            # that does not parse is final (RetryPolicy: the provider did the work and billed it)
            return plan.finish(resp)
        except LiteLLMException as exc:
            delay = plan.wait(exc, attempt)
            if delay is None:
                raise
        attempt += 1
        time.sleep(delay)


def open_stream(plan: Plan, stream: Any, transport: HttpTransport) -> Any:
    try:
        return plan.wrap_stream(stream, transport)
    except BaseException:
        stream.close()
        raise


# ================================================================================ attempts (async)
async def arun(plan: Plan, transport: HttpTransport) -> Any:
    attempt = 0
    while True:
        plan.attempts = attempt + 1
        try:
            request = plan.prepared(plan.request, attempt)
            if plan.auth is not None:
                request = await aauthorize(plan.auth, request, transport, plan.timeout)
            if plan.stream:
                try:
                    stream = await transport.aopen_stream(request, plan.timeout)
                    if stream.status_code >= 400:
                        raise plan.error(
                            HttpResponse(stream.status_code, stream.headers, await stream.aread(), stream.url)
                        )
                except BaseException:
                    if plan.auth is not None:
                        await arelease(pending_release(plan.auth), transport)
                    raise
                wrapper = open_stream(plan, stream, transport)
                try:
                    return await aprime(plan, wrapper)
                except asyncio.CancelledError:
                    await wrapper.aclose()
                    raise
            resp = await transport.asend(request, plan.timeout)
            if resp.status_code >= 400:
                raise plan.error(resp)
            # an error the provider reported inside a 2xx body is retried like any other; a body
            # that does not parse is final (RetryPolicy: the provider did the work and billed it)
            return plan.finish(resp)
        except LiteLLMException as exc:
            delay = plan.wait(exc, attempt)
            if delay is None:
                raise
        attempt += 1
        await asyncio.sleep(delay)


async def aprime(plan: Plan, wrapper: Any) -> Any:  # the stream wrapper, or what an endpoint's wrap made
    """The async stream up to its first chunk, within ``stream_first_token_timeout`` if set."""
    if plan.first_token is None:
        return await wrapper.aprime()
    try:
        return await asyncio.wait_for(wrapper.aprime(), plan.first_token)
    except asyncio.TimeoutError:
        await wrapper.aclose()
        from ..exceptions import Timeout

        raise plan.fill(
            Timeout(
                message=f"no stream chunk within stream_first_token_timeout={plan.first_token}s",
                llm_provider=plan.provider.name,
                model=plan.target.model,
            )
        ) from None


def silent(exc: BaseException) -> bool:
    """A timeout without any answer from the server (not a 408/504 it sent)."""
    from ..exceptions import Timeout

    return isinstance(exc, Timeout) and getattr(exc, "response", None) is None


# ================================================================================ fallbacks
def has_fallbacks(ctl: Any, cfg: Any) -> bool:
    return bool(
        ctl.fallbacks
        or ctl.context_window_fallbacks
        or ctl.content_policy_fallbacks
        or getattr(cfg, "fallbacks", None)
        or getattr(cfg, "context_window_fallbacks", None)
        or getattr(cfg, "content_policy_fallbacks", None)
    )


def fallback_chain(exc: BaseException, call: Any, cfg: Any) -> list[Any]:
    """The models to try after ``exc`` (spec section 4, Fallbacks), in order, at most ROUTER_MAX_FALLBACKS.

    Content-policy errors consult only ``content_policy_fallbacks``; context-window errors
    ``context_window_fallbacks`` first, then the general ``fallbacks``; anything else the general
    ``fallbacks``.
    Each list holds ``{"model": [fallbacks...]}`` rules (``"*"`` matches any model); a per-call list
    may also be a plain list of models.
    """
    from ..constants import ROUTER_MAX_FALLBACKS
    from ..exceptions import ContentPolicyViolationError, ContextWindowExceededError

    ctl = call.ctl
    if not call.model:  # a provider-addressed call (files, batches, ...): there is no model to replace
        return []
    lists: list[Any] = []
    if isinstance(exc, ContentPolicyViolationError):
        # the spec consults only this list for a content rejection: the general fallbacks do not
        # route around it (the same prompt on another model is not a fix for a policy decision)
        lists.append(ctl.content_policy_fallbacks or getattr(cfg, "content_policy_fallbacks", None))
    else:
        if isinstance(exc, ContextWindowExceededError):
            lists.append(ctl.context_window_fallbacks or getattr(cfg, "context_window_fallbacks", None))
        lists.append(ctl.fallbacks or getattr(cfg, "fallbacks", None))
    for rules in lists:
        chain = _match(rules, call.model)
        if chain:
            return chain[:ROUTER_MAX_FALLBACKS]
    return []


def _match(rules: Any, model: str) -> list[Any]:
    if not rules:
        return []
    if all(isinstance(r, str) or (isinstance(r, dict) and "model" in r) for r in rules):
        return list(rules)  # a plain per-call list of fallback models
    catch_all: list[Any] = []
    for rule in rules:
        if isinstance(rule, dict):
            if model in rule:
                return list(rule[model])
            if "*" in rule:
                catch_all = list(rule["*"])
    return catch_all


def fallback_calls(exc: BaseException, call: Any, cfg: Any) -> list[Any]:
    """The call re-aimed at each fallback model (per-call credentials follow only within one provider)."""
    import dataclasses

    from .call import Controls
    from .resolve import split_model

    out: list[Any] = []
    ctl = call.ctl
    for target in fallback_chain(exc, call, cfg):
        override = dict(target) if isinstance(target, dict) else {"model": target}
        model = override.pop("model")
        changes: dict[str, Any] = {
            "mock_response": None,
            "fallbacks": None,
            "context_window_fallbacks": None,
            "content_policy_fallbacks": None,
        }
        try:
            same = split_model(call.model, ctl.custom_llm_provider, None)[0] == split_model(model, None, None)[0]
        except Exception:  # noqa: BLE001 - an unknown fallback model fails on its own attempt
            same = False
        if not same:
            changes.update(api_key=None, api_base=None, api_version=None, organization=None, custom_llm_provider=None)
        changes.update({k: v for k, v in override.items() if k in Controls.__slots__})
        out.append(dataclasses.replace(call, model=model, ctl=dataclasses.replace(ctl, **changes)))
    return out


def _one(call: Any, cfg: Any, transport: HttpTransport, endpoint: Endpoint) -> tuple[Any, Plan | None]:
    if call.ctl.mock_response is not None:
        return endpoint.mock(call), None
    plan = make_plan(call, cfg, endpoint)
    on_request(plan)  # log_pre_api_call sees the request as built
    return run(plan, transport), plan


async def _aone(call: Any, cfg: Any, transport: HttpTransport, endpoint: Endpoint) -> tuple[Any, Plan | None]:
    if call.ctl.mock_response is not None:
        return endpoint.mock(call), None
    plan = make_plan(call, cfg, endpoint)
    await aon_request(plan)
    return await arun(plan, transport), plan


def attempts(call: Any, cfg: Any, transport: HttpTransport, endpoint: Endpoint) -> tuple[Any, Plan | None]:
    """The call on its model, then on each fallback while they fail: (result, plan)."""
    try:
        return _one(call, cfg, transport, endpoint)
    except LiteLLMException as first:
        error: BaseException = first
        made = _attempts_made(first)
        for fallback in fallback_calls(first, call, cfg):
            log_fallback(call.model, fallback.model, error)
            try:
                return _answered_by_fallback(_one(fallback, cfg, transport, endpoint), call, made)
            except LiteLLMException as exc:
                error, made = exc, made + _attempts_made(exc)
        if error is first:
            raise
        raise error from first


async def aattempts(call: Any, cfg: Any, transport: HttpTransport, endpoint: Endpoint) -> tuple[Any, Plan | None]:
    try:
        return await _aone(call, cfg, transport, endpoint)
    except LiteLLMException as first:
        error: BaseException = first
        made = _attempts_made(first)
        for fallback in fallback_calls(first, call, cfg):
            log_fallback(call.model, fallback.model, error)
            try:
                return _answered_by_fallback(await _aone(fallback, cfg, transport, endpoint), call, made)
            except LiteLLMException as exc:
                error, made = exc, made + _attempts_made(exc)
        if error is first:
            raise
        raise error from first


def _attempts_made(exc: BaseException) -> int:
    retries = getattr(exc, "num_retries", None)
    return retries + 1 if isinstance(retries, int) else 1


def _answered_by_fallback(outcome: tuple[Any, Plan | None], call: Any, before: int) -> tuple[Any, Plan | None]:
    """Say on the answer that a fallback gave it: the original model and every attempt made."""
    result, plan = outcome
    hidden = getattr(result, "_hidden_params", None)
    if hidden is not None:
        hidden["fallback_from"] = call.model
        hidden["attempts"] = before + (plan.attempts if plan is not None else 1)
    return outcome


# ================================================================================ the whole call
def transport_for(call: Any, cfg: Any, transport: HttpTransport) -> HttpTransport:
    """The transport for this call's ``ssl_verify`` (per call, else ``litegate.ssl_verify``)."""
    verify = call.ctl.ssl_verify
    if verify is None:
        verify = getattr(cfg, "ssl_verify", None)
    if verify is None or verify is True:
        return transport
    with_verify = getattr(transport, "with_verify", None)
    return with_verify(verify) if with_verify is not None else transport


def execute(call: Any, cfg: Any, transport: HttpTransport, endpoint: Endpoint, call_type: str) -> Any:
    """One sync call through every stage."""
    transport = transport_for(call, cfg, transport)
    hooks = hooks_for(cfg, call, call_type)
    cache = getattr(cfg, "cache", None)
    if hooks is None and cache is None and not has_fallbacks(call.ctl, cfg):  # the common case
        if call.ctl.mock_response is not None:
            return endpoint.mock(call)
        return _settle(run(make_plan(call, cfg, endpoint), transport), None, cfg, None, call, endpoint, False)
    try:
        if hooks is not None:
            try:
                call = hooks.pre(call)  # input callbacks may change the call
            except BaseException as exc:
                hooks.failure(exc, None)
                raise
        stage = _cache_stage(cache, call, cfg, endpoint, call_type)
        if stage is not None:  # cache lookup (caching/stage.py)
            hit = stage.lookup()
            if hit is not None:
                return _settle(_hit(hit, hooks), None, cfg, hooks, call, endpoint, False)
            call = stage.call  # embeddings: only the items the cache does not have
        try:
            result, plan = attempts(call, cfg, transport, endpoint)
        except BaseException as exc:
            if hooks is not None:
                hooks.failure(exc, None)
            raise
        if stage is not None:  # cache store (streams: when they complete)
            result = stage.store(result)
        return _settle(result, plan, cfg, hooks, call, endpoint, False)
    finally:
        if hooks is not None:
            hooks.leave()  # the call's span stops being current (a stream's ends with the stream)


async def aexecute(call: Any, cfg: Any, transport: HttpTransport, endpoint: Endpoint, call_type: str) -> Any:
    """One async call through every stage."""
    transport = transport_for(call, cfg, transport)
    hooks = hooks_for(cfg, call, call_type)
    cache = getattr(cfg, "cache", None)
    if hooks is None and cache is None and not has_fallbacks(call.ctl, cfg):
        if call.ctl.mock_response is not None:
            return endpoint.mock(call)
        return _settle(await arun(make_plan(call, cfg, endpoint), transport), None, cfg, None, call, endpoint, True)
    try:
        if hooks is not None:
            try:
                call = await hooks.apre(call)
            except BaseException as exc:
                await hooks.afailure(exc, None)
                raise
        stage = _cache_stage(cache, call, cfg, endpoint, call_type)
        result = plan = None
        if stage is not None:
            result = await stage.alookup()
            if result is not None:
                result = _hit(result, hooks)
            else:
                call = stage.call
        if result is None:
            try:
                result, plan = await aattempts(call, cfg, transport, endpoint)
            except BaseException as exc:
                if hooks is not None:
                    await hooks.afailure(exc, None)
                raise
            if stage is not None:
                result = await stage.astore(result)
        result = _settle(result, plan, cfg, hooks, call, endpoint, True)
        if hooks is not None and not (endpoint.streams and call.stream and endpoint.wrap is None):
            await hooks.asuccess(result, plan)
        return result
    finally:
        if hooks is not None:
            hooks.leave()


_begin_cache: Any = None


def _cache_stage(cache: Any, call: Any, cfg: Any, endpoint: Endpoint, call_type: str) -> Any:
    global _begin_cache
    if cache is None:
        return None
    if _begin_cache is None:
        from ..caching.stage import begin

        _begin_cache = begin
    return _begin_cache(cache, call, cfg, endpoint, call_type)


def _hit(result: Any, hooks: Hooks | None) -> Any:
    if hooks is not None:
        hooks.kwargs["cache_hit"] = True
    return result


def _spend(cfg: Any, result: Any) -> None:
    """Charge a finished answer to ``max_budget`` (streams are charged by their observer)."""
    if getattr(cfg, "max_budget", None):
        hidden = getattr(result, "_hidden_params", None)
        record_spend(cfg, hidden.get("response_cost") if hidden else None)


def _settle(
    result: Any, plan: Plan | None, cfg: Any, hooks: Hooks | None, call: Any, endpoint: Endpoint, is_async: bool
) -> Any:
    """Spend and success callbacks of a finished answer; a stream reports at its end instead."""
    if endpoint.streams and call.stream and endpoint.wrap is None:
        if hooks is not None:
            from .observe import attach_hooks

            attach_hooks(result, hooks, plan, is_async)
        return result
    _spend(cfg, result)
    if hooks is not None and not is_async:
        hooks.success(result, plan)
    return result


__all__ = [
    "Plan",
    "aexecute",
    "arun",
    "attempts",
    "aattempts",
    "execute",
    "fallback_chain",
    "make_plan",
    "response_cost",
    "run",
]
