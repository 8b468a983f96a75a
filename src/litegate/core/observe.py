"""Always-on stream observation: every stream gets its usage, cost, latency and time to first
token, with or without callbacks (budgets, the Router and caching read them).

:class:`StreamObserver` sits on the stream wrapper's chunk and end hooks. Per chunk it does
constant work (a timestamp once, the latest usage, the text pieces for an estimate); at the end
it prices the answer and writes, into the wrapper's ``_hidden_params``: ``usage`` (the
provider's, or an estimate marked ``usage_estimated``), ``response_cost``,
``time_to_first_token`` and ``latency`` (seconds). It also charges ``max_budget``.
:func:`attach_hooks` adds the callbacks' view: the whole rebuilt response at the end.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine

    from .callbacks import Hooks
    from .lifecycle import Plan
    from .streaming import CustomStreamWrapper

MAX_KEPT_CHARS = 16 * 1024 * 1024  # answer text kept per stream for estimates and recovery


class StreamObserver:
    __slots__ = (
        "plan",
        "wrapper",
        "started",
        "first",
        "usage",
        "pieces",
        "acc",
        "on_done",
        "done",
        "count",
        "tools",
        "recovered_text",
        "kept",
        "dropped",
    )

    def __init__(self, plan: Plan | None):
        self.plan = plan
        self.wrapper: CustomStreamWrapper[Any] | None = None
        self.started = plan.started if plan is not None else time.perf_counter()
        self.first: float | None = None
        self.usage: Any = None
        self.pieces: list[str] = []
        self.acc: Any = None  # a ChunkAccumulator when callbacks want the whole response
        self.on_done: Callable[[], None] | None = None
        self.done = False
        self.count = 0  # chunks seen
        self.tools = False  # a tool call was streamed (no prefill recovery then)
        self.recovered_text: str | None = None  # set when the stream was resumed elsewhere
        self.kept = 0  # characters of text kept in ``pieces`` (bounded by MAX_KEPT_CHARS)
        self.dropped = 0  # characters past the bound: counted for the usage estimate only

    def attach(self, wrapper: CustomStreamWrapper[Any]) -> StreamObserver:
        self.wrapper = wrapper
        wrapper._observer = self
        wrapper._on_chunk = self.chunk
        wrapper._on_end = self.end
        return self

    def chunk(self, chunk: Any) -> None:
        if self.first is None:
            self.first = time.perf_counter()
        self.count += 1
        state = chunk.__dict__
        usage = state.get("usage")
        if usage is not None:
            self.usage = usage
        choices = state.get("choices")
        if choices:
            try:  # chat chunks: choice.delta.content; text-completion chunks: choice.text
                for choice in choices:
                    delta = choice.delta
                    text = delta.content
                    if text:
                        self._keep(text)
                    if delta.tool_calls:
                        self.tools = True
            except AttributeError:
                for choice in choices:
                    text = getattr(choice, "text", None)
                    if text:
                        self._keep(text)
        if self.acc is not None:
            self.acc.add(chunk)

    def _keep(self, text: str) -> None:
        """Keep the answer's text for a usage estimate and for recovery, up to MAX_KEPT_CHARS (a
        server streaming without end must not grow memory without end)."""
        if self.kept < MAX_KEPT_CHARS:
            self.pieces.append(text)
            self.kept += len(text)
        else:
            self.dropped += len(text)

    def end(self) -> None:
        if self.done:
            return
        self.done = True
        now = time.perf_counter()
        hidden = self.wrapper._hidden_params  # type: ignore[union-attr]  # end() is the attached wrapper's hook
        hidden["latency"] = now - self.started
        hidden["time_to_first_token"] = (self.first - self.started) if self.first is not None else None
        plan = self.plan
        if plan is not None:
            text = "".join(self.pieces) if self.recovered_text is None else self.recovered_text
            usage = _usage_dict(self.usage) if self.recovered_text is None else None
            if usage is None:
                from ..tokens import estimate_usage

                messages = getattr(plan.call, "messages", None)
                usage = estimate_usage(messages, text, plan.target.model)
                hidden["usage_estimated"] = True
                if usage is not None and self.dropped:  # the text past the bound: ~4 characters a token
                    extra = self.dropped // 4
                    usage = dict(
                        usage,
                        completion_tokens=usage["completion_tokens"] + extra,
                        total_tokens=usage["total_tokens"] + extra,
                    )
            if usage is not None:
                from ..types.utils import ModelResponse
                from .lifecycle import record_spend, response_cost

                priced = ModelResponse(model=plan.target.model, usage=usage)
                cost = response_cost(priced, plan)
                record_spend(plan.cfg, cost)  # this part's spend; a continuation charges its own
                delegate = getattr(self.wrapper, "_delegate", None)
                if delegate is not None:  # recovered: both parts add up
                    usage, cost = _added(usage, cost, delegate._hidden_params)
                hidden["usage"] = usage
                hidden["response_cost"] = cost
        if self.on_done is not None:
            self.on_done()


def _added(usage: dict[str, Any], cost: Any, other: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    more = other.get("usage") or {}
    total = {
        k: (usage.get(k) or 0) + (more.get(k) or 0) for k in ("prompt_tokens", "completion_tokens", "total_tokens")
    }
    second = other.get("response_cost")
    return total, (cost + second) if cost is not None and second is not None else None


def _usage_dict(usage: Any) -> dict[str, Any] | None:
    if usage is None:
        return None
    dump = getattr(usage, "model_dump", None)
    data = dump(exclude_none=True) if dump is not None else dict(usage)
    if not (data.get("prompt_tokens") or data.get("completion_tokens") or data.get("total_tokens")):
        return None  # defaulted zeros carry no information
    return data


def attach_hooks(wrapper: CustomStreamWrapper[Any], hooks: Hooks, plan: Plan | None, is_async: bool) -> None:
    """Success callbacks of a stream run at its end with the rebuilt response; failures at the error."""
    from ..types.streaming import ChunkAccumulator
    from .lifecycle import response_cost

    observer = getattr(wrapper, "_observer", None)
    if observer is None:  # a mock stream: observe it too, without a plan to price against
        observer = StreamObserver(None).attach(wrapper)
    observer.acc = acc = ChunkAccumulator(messages=hooks.kwargs.get("messages"))
    for chunk in wrapper._pending[wrapper._pos :]:  # read ahead (the first chunk) before the hooks came
        acc.add(chunk)
    inner_error = wrapper._on_error

    def later(coro: Coroutine[Any, Any, Any]) -> None:
        if is_async:
            from .background import spawn

            spawn(coro)  # held until it ends; closed unrun without a loop or past the bound
        else:
            coro.close()

    def on_done() -> None:
        response = observer.acc.build()
        if response is None:  # a stream that yielded no chunk: nothing to report as a response
            hooks.drop()
            return
        if plan is not None:
            response._hidden_params.update(plan.hidden())
            response._hidden_params["response_cost"] = response_cost(response, plan)
        seen = wrapper._hidden_params  # the observer's timing (and usage when the provider sent none)
        for name in ("time_to_first_token", "latency", "usage_estimated", "fallback_from", "attempts"):
            if seen.get(name) is not None:
                response._hidden_params[name] = seen[name]
        if is_async:
            later(hooks.asuccess(response, plan, stream=True))
        else:
            hooks.success(response, plan, stream=True)

    def on_error(exc: BaseException) -> BaseException:
        if inner_error is not None:
            exc = inner_error(exc)
        if is_async:
            later(hooks.afailure(exc, plan))
        else:
            hooks.failure(exc, plan)
        return exc

    observer.on_done = on_done
    wrapper._on_error = on_error
    hooks.close_trail()  # the stream is open: its retries and fallbacks are over
    if is_async:  # the stream is open: the post-call hooks
        later(hooks.apost(wrapper))
    else:
        hooks.post(wrapper)
