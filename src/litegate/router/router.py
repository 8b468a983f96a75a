"""``litegate.Router``: load balancing, failover, cooldowns and fallbacks across deployments.

A routed call is a loop over deployment attempts. Each attempt is one ordinary lifecycle call
(``core/lifecycle.execute`` / ``aexecute``: validation, resolution, the request, streams primed up
to their first chunk, cost, callbacks) with ``num_retries=0`` and no fallbacks of its own; the
Router decides what comes next:

* a deployment fault (429, 5xx, timeouts, connection errors, a refused key) counts towards its
  ``allowed_fails`` and the next attempt goes to another healthy deployment of the group (the same
  one only when none is left, after the retry policy's wait, ``Retry-After`` honoured), up to
  ``num_retries`` more attempts;
* ``allowed_fails`` such failures put a deployment in cooldown for ``cooldown_time``;
* when the group is exhausted, the Router's fallbacks (``fallbacks``, ``context_window_fallbacks``,
  ``content_policy_fallbacks``, by error kind, at most ``ROUTER_MAX_FALLBACKS``; the rules of
  ``core/lifecycle.fallback_chain``) name other groups;
* caller errors (a 400, a context window, a content policy) are not retried in the group.

State (usage, in-flight, latency, failures, cooldowns) lives in a store (``router/state.py``):
this process's memory, or Redis shared by every replica.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
import time
import weakref
from collections.abc import Callable
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Literal, cast, overload

from .. import constants as C
from ..core import lifecycle
from ..core.call import input_error
from ..core.callbacks import listening, route_attempt, route_scope
from ..core.endpoints import ENDPOINTS, bind
from ..core.retry import is_retryable, retry_delay
from ..exceptions import (
    AuthenticationError,
    ContextWindowExceededError,
    LiteLLMException,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
)
from . import strategies as S
from .deployment import AttrDict, Deployment, masked, to_deployment, without_unset_connection
from .state import _EMPTY as _NO_STATE
from .state import MemoryState, Outcome, RedisState, _host_port

if TYPE_CHECKING:
    from collections.abc import Awaitable, Mapping, Sequence
    from typing import TypeAlias

    from ..caching.caching import Cache
    from ..core.endpoints import Endpoint
    from ..core.platform import AssistantEventStream
    from ..types.audio import HttpxBinaryResponseContent, TranscriptionResponse, TranscriptionText
    from ..types.chat import ModelResponse
    from ..types.completion import TextCompletionResponse
    from ..types.embedding import EmbeddingResponse
    from ..types.media import ImageResponse, ModerationResponse
    from ..types.params import (
        EmbeddingInput,
        FileTypes,
        Messages,
        PromptInput,
        TranscriptionObjectFormat,
        TranscriptionTextFormat,
    )
    from ..types.platform import (
        Assistant,
        AssistantDeleted,
        AssistantList,
        MessageList,
        OpenAIMessage,
        Run,
        Thread,
    )
    from ..types.rerank import RerankResponse
    from ..types.streaming import CustomStreamWrapper, TextCompletionStreamWrapper
    from .state import Snapshot
    from .strategies import Needs, Strategy

    #: the streams of ``completion`` / ``text_completion`` with ``stream=True``: litegate's public stream types
    ChatStream: TypeAlias = CustomStreamWrapper
    TextStream: TypeAlias = TextCompletionStreamWrapper
    #: ``model_list``: entries as dicts (``model_name``, ``litellm_params``, ``model_info``, ...) or Deployments
    ModelList: TypeAlias = list[dict[str, Any]] | list[Deployment] | list[dict[str, Any] | Deployment]
    #: fallback rules: ``[{"group": ["fallback group", ...]}, ...]`` (or group names)
    FallbackRules: TypeAlias = list[dict[str, Any]] | list[str] | list[dict[str, Any] | str]
    #: what moderation checks: text(s), or content parts (as ``litegate.moderation`` takes it)
    ModerationInput: TypeAlias = str | Sequence[str | Mapping[str, Any]]
    #: rerank documents: strings, or dicts (see ``rank_fields``)
    Documents: TypeAlias = Sequence[str | Mapping[str, Any]]
    #: one answer of a batch: the response (a stream with ``stream=True``), or the call's exception
    BatchResult: TypeAlias = ModelResponse | ChatStream | Exception
    #: a custom strategy function: ``(model_group, healthy_deployments, **kwargs) -> the deployment``
    #: (a Deployment, a model_list dict, or a deployment id)
    CustomStrategy: TypeAlias = Callable[..., Any]

log = logging.getLogger("litegate.router")

_CUSTOM_STRATEGIES: dict[str, CustomStrategy] = {}  # set_custom_routing_strategy(name, func): for any Router
_ROUTER_CONTROLS = (
    "specific_deployment",
    "fallbacks",
    "context_window_fallbacks",
    "content_policy_fallbacks",
    "num_retries",
    "max_retries",
)
# Redis connection options of cache_kwargs that the state store uses too
_REDIS_CONNECTION = frozenset(
    {
        "ssl",
        "ssl_ca_certs",
        "ssl_certfile",
        "ssl_keyfile",
        "ssl_cert_reqs",
        "ssl_check_hostname",
        "username",
        "socket_timeout",
        "socket_connect_timeout",
    }
)
_PREPARED_FROM = frozenset({"timeout", "stream_timeout", "cache_responses", "default_litellm_params"})
_MODEL_OPS = frozenset({"create_assistants", "create_assistant", "run_thread", "create_run", "run_thread_stream"})
_PLATFORM_OPS = frozenset(
    {
        "create_assistants",
        "get_assistants",
        "delete_assistant",
        "create_thread",
        "get_thread",
        "add_message",
        "get_messages",
        "run_thread",
        "create_run",
    }
)
_RUNS = frozenset({"run_thread", "create_run", "run_thread_stream"})  # routed by their assistant's model
_NO_FALLBACKS = frozenset({"fallbacks", "context_window_fallbacks", "content_policy_fallbacks"})
# litellm Router arguments accepted for compatibility that change nothing here
_ACCEPTED = frozenset(
    {
        "cache_kwargs",
        "debug_level",
        "client_ttl",
        "polling_interval",
        "default_priority",
        "retry_after",
        "redis_db",
        "caching_groups",
        "alerting_config",
        "router_general_settings",
        "provider_budget_config",
        "assistants_config",
        "search_tools",
        "guardrail_list",
        "ignore_invalid_deployments",
        "model_group_retry_policy",
        "allowed_fails_policy",
        "retry_policy",
        "default_max_parallel_requests",
        "disable_cooldowns",
        "enable_tag_filtering",
        "optional_pre_call_checks",
        "max_fallbacks",
        "default_fallbacks",
        "cooldown_ttl",
        # Redis Cluster / Sentinel (litegate; used by the state store)
        "redis_startup_nodes",
        "redis_sentinel_nodes",
        "redis_service_name",
    }
)


class _Settings:
    """The settings each deployment attempt runs with: the module's (read at call time), except the
    module-level fallbacks (the Router decides fallbacks between its groups itself)."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        if name in _NO_FALLBACKS:
            return None
        return getattr(_module, name, None)


_SETTINGS = _Settings()
_module: Any = None


def _litegate() -> Any:
    """The ``litegate`` module (imported once; a function-level import costs every call)."""
    global _module
    m = _module
    if m is None:
        import litegate as m

        _module = m
    return m


def _settings() -> Any:
    """The settings for one deployment attempt: the ``litegate`` module itself (fast) unless it has
    module-level fallbacks, which a deployment attempt must not follow."""
    global _module
    m = _module
    if m is None:
        import litegate as m

        _module = m
    if m.fallbacks or m.context_window_fallbacks or m.content_policy_fallbacks:
        return _SETTINGS
    return m


class _CachedSettings:
    """The settings of a deployment attempt when the Router caches responses: the module's (as
    ``_settings``), with the Router's ``cache``. (The group is the cache key's model through the
    call's ``cache_group``, set by ``_bind``: the deployments of a group share their answers.)"""

    __slots__ = ("cache", "_base")

    def __init__(self, cache: object, group: str):
        self.cache = cache
        self._base = _settings()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._base, name)


def _deployment_fault(exc: BaseException) -> bool:
    """A failure that says something about the deployment (counts towards cooldown; another
    deployment may succeed), as opposed to a caller error (bad input, context window, policy)."""
    if isinstance(exc, (RateLimitError, AuthenticationError, PermissionDeniedError, NotFoundError)):
        return True
    return is_retryable(exc)


class _Options:
    """The Router's own per-call options (taken out of the call's keyword arguments)."""

    __slots__ = _ROUTER_CONTROLS
    specific_deployment: object  # a deployment id, or True: ``model`` is one
    fallbacks: object  # FallbackRules (checked with _check_rules)
    context_window_fallbacks: object
    content_policy_fallbacks: object
    num_retries: object  # a non-negative int (checked in _prepare_call)
    max_retries: object

    def __init__(self) -> None:
        for k in _ROUTER_CONTROLS:
            setattr(self, k, None)


_NO_OPTIONS = _Options()  # a call without Router options (never modified)
_CONTROL_SET = frozenset(_ROUTER_CONTROLS)


class _Request:
    """The Router's view of one call: its endpoint, arguments and on-demand estimates."""

    __slots__ = ("name", "values", "kwargs", "stream", "opts", "_tokens", "_chars")

    def __init__(self, name: str, values: dict[str, Any], kwargs: dict[str, Any], opts: _Options | None = None):
        self.name = name
        self.opts = opts  # the Router's own per-call options (fallbacks, specific_deployment, ...)
        self.values = values
        self.kwargs = kwargs
        self.stream = bool(kwargs.get("stream"))
        self._tokens: int | None = None
        self._chars: int | None = None

    def chars_bound(self) -> int:
        """An upper bound of the prompt's tokens that costs no tokenizer: its characters (+ framing;
        10,000 for a part that is not text, e.g. an image)."""
        total = self._chars
        if total is None:
            total = 0
            messages = self.values.get("messages")
            if isinstance(messages, list):
                for m in messages:
                    content = m.get("content") if isinstance(m, dict) else None
                    total += 8 + (
                        len(content)
                        if isinstance(content, str)
                        else 10_000 * (len(content) + 1)
                        if isinstance(content, list)
                        else 10_000
                    )
            self._chars = total
        return total

    def tokens(self) -> int:
        """Estimated prompt tokens (the registry's tokenizer; 0 for endpoints without a prompt)."""
        if self._tokens is None:
            from ..tokens import token_counter

            messages = self.values.get("messages")
            try:
                if isinstance(messages, list):
                    self._tokens = int(token_counter(model="gpt-4o", messages=messages))
                else:
                    text = self.values.get("input") or self.values.get("prompt") or ""
                    if isinstance(text, list):
                        text = " ".join(x for x in text if isinstance(x, str))
                    self._tokens = int(token_counter(model="gpt-4o", text=str(text))) if text else 0
            except Exception:  # noqa: BLE001 - an odd prompt: the character bound / 4
                self._tokens = self.chars_bound() // 4
        return self._tokens

    def max_output(self) -> int:
        v = self.kwargs.get("max_tokens") or self.kwargs.get("max_completion_tokens")
        return v if isinstance(v, int) else 0


class _Done:
    """Releases one attempt's bookkeeping exactly once (stream end, stream error, or abandonment)."""

    __slots__ = ("fn", "__weakref__")

    def __init__(self, fn: Callable[[Outcome], None]):
        self.fn: Callable[[Outcome], None] | None = fn

    def __call__(self, out: Outcome) -> None:
        fn, self.fn = self.fn, None
        if fn is not None:
            fn(out)


def _assistant_methods(name: str) -> tuple[Callable[..., Any], Callable[..., Awaitable[Any]]]:
    """The Router's methods ``name`` and ``"a" + name`` of the assistants API (see ``_platform_call``)."""

    def sync(self: Router, *args: Any, **kwargs: Any) -> Any:
        return self._platform_call(name, args, kwargs, False)

    async def asyn(self: Router, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("model") is None and name in _RUNS and not kwargs.get("api_key"):
            # the assistant lookup is a blocking read: off the event loop
            from ..core.platform import OPS

            probe = dict(zip(OPS[name].positional, args, strict=False), **kwargs)  # unnamed ones are refused later
            await asyncio.to_thread(self._assistant_group, probe)
        return await self._platform_call(name, args, kwargs, True)

    sync.__name__, asyn.__name__ = name, "a" + name
    return sync, asyn


class Router:
    """Routes calls to a group (``model_name``) across its deployments. See spec section 6."""

    def __init__(
        self,
        model_list: ModelList | None = None,
        *,
        routing_strategy: str = "simple-shuffle",
        redis_host: str | None = None,
        redis_port: int | None = None,
        redis_password: str | None = None,
        redis_url: str | None = None,
        cache_responses: bool = False,
        num_retries: int | None = None,
        timeout: float | None = None,
        stream_timeout: float | None = None,
        fallbacks: FallbackRules | None = None,
        context_window_fallbacks: FallbackRules | None = None,
        content_policy_fallbacks: FallbackRules | None = None,
        allowed_fails: int | None = None,
        cooldown_time: float | None = None,
        set_verbose: bool = False,
        model_group_alias: dict[str, str] | dict[str, dict[str, Any]] | dict[str, str | dict[str, Any]] | None = None,
        router_ttl: float | None = None,
        enable_health_checks: bool | None = None,
        health_check_interval: float | None = None,
        routing_strategy_args: dict[str, Any] | None = None,
        default_litellm_params: dict[str, Any] | None = None,
        enable_pre_call_checks: bool = True,
        clock: Callable[[], float] | None = None,
        **compat: Any,
    ):
        unknown = sorted(set(compat) - _ACCEPTED)
        if unknown:
            raise TypeError(f"Router() got unexpected keyword argument(s): {', '.join(unknown)}")
        self.routing_strategy = routing_strategy
        self.redis_host, self.redis_port, self.redis_password, self.redis_url = (
            redis_host,
            redis_port,
            redis_password,
            redis_url,
        )
        self._order: list[Deployment] = []
        self.cache_responses = bool(cache_responses)
        self.num_retries = _check_int("num_retries", num_retries)
        self.timeout = timeout
        self.stream_timeout = stream_timeout
        self.fallbacks = _check_rules("fallbacks", fallbacks)
        self.context_window_fallbacks = _check_rules("context_window_fallbacks", context_window_fallbacks)
        self.content_policy_fallbacks = _check_rules("content_policy_fallbacks", content_policy_fallbacks)
        self.allowed_fails = _check_int("allowed_fails", allowed_fails)
        self.cooldown_time = cooldown_time
        self.set_verbose = bool(set_verbose)
        if self.set_verbose:
            log.setLevel(logging.DEBUG)
        if model_group_alias is not None and not isinstance(model_group_alias, dict):
            raise input_error("model_group_alias must be a dict {alias: model_name}", None, type_error=True)
        # litellm also takes {"alias": {"model": "group", "hidden": True}} (without "model": no group)
        self.model_group_alias = cast(
            "dict[str, str]",
            {k: (v.get("model") if isinstance(v, dict) else v) for k, v in (model_group_alias or {}).items()},
        )
        self.router_ttl = router_ttl
        self.routing_strategy_args = dict(routing_strategy_args or {})
        self.default_litellm_params = dict(default_litellm_params or {})
        self.enable_pre_call_checks = enable_pre_call_checks
        self._compat = compat
        self._clock = clock or time.time
        self._sleep: Callable[[float], None] = time.sleep
        self._asleep: Callable[[float], Awaitable[None]] = asyncio.sleep
        self._lock = threading.RLock()
        self._groups: dict[str, list[Deployment]] = {}
        self._ids: dict[str, list[str]] = {}
        self._by_id: dict[str, Deployment] = {}
        self._public: dict[str, dict[str, Any]] = {}
        # a strategy object (get_available_deployment / async_get_available_deployment) for this Router
        self._custom: Any = None
        self._assistant_models: dict[str, str] = {}  # assistant id -> its model (runs are routed by it)
        alpha = float(self.routing_strategy_args.get("ewma_alpha", 0.3))
        self.state: MemoryState | RedisState
        topology = {
            k: v
            for k, v in (
                ("startup_nodes", compat.get("redis_startup_nodes")),
                ("sentinel_nodes", compat.get("redis_sentinel_nodes")),
                ("service_name", compat.get("redis_service_name")),
            )
            if v
        }
        cache_kwargs = compat.get("cache_kwargs") or {}
        if not isinstance(cache_kwargs, dict):
            raise input_error("cache_kwargs must be a dict of litegate.Cache arguments", None, type_error=True)
        self.cache_kwargs: dict[str, Any] = dict(cache_kwargs)
        # cache_responses without litegate.cache: the Router's own (see _cache)
        self._own_cache: Cache | None = None
        self._redis = bool(redis_url or redis_host or redis_port or redis_password or topology)
        if self._redis:
            # connection options (TLS: ssl, ssl_ca_certs, ...) come with the cache settings, as in litellm
            conn = {k: v for k, v in self.cache_kwargs.items() if k in _REDIS_CONNECTION and v is not None}
            if compat.get("redis_db") is not None and not redis_url:
                conn["db"] = compat["redis_db"]
            self.state = RedisState(
                url=redis_url,
                host=redis_host,
                port=redis_port,
                password=redis_password,
                clock=self._clock,
                ttl=router_ttl,
                alpha=alpha,
                **topology,
                **conn,
            )
        else:
            self.state = MemoryState(self._clock, router_ttl, alpha)
        self._set_strategy(routing_strategy)
        self.set_model_list(model_list or [])
        if self._usage_based or self.routing_strategy == "cost-based-routing":
            # these estimate every prompt: load the tokenizer now, not inside the first call (where
            # it would stall an event loop for a second)
            _Request("completion", {"messages": [{"role": "user", "content": "warm"}]}, {}).tokens()
        self.enable_health_checks = bool(self.state.shared if enable_health_checks is None else enable_health_checks)
        self.health_check_interval = float(health_check_interval or C.ROUTER_DEFAULT_HEALTH_CHECK_INTERVAL)
        self._stop = threading.Event()
        self._health: threading.Thread | None = None
        if self.enable_health_checks:
            self._start_health_checks()

    # ================================================================== settings
    # settings that shape every call's arguments: changing one drops the prepared arguments
    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        if name in _PREPARED_FROM:
            for d in self.__dict__.get("_order") or ():
                d._base_kw = None

    @property
    def _retries(self) -> int:
        if self.num_retries is not None:
            return self.num_retries
        return int(_litegate().num_retries or 0)

    @property
    def _allowed(self) -> int:
        return max(1, self.allowed_fails if self.allowed_fails is not None else 3)

    @property
    def _cooldown(self) -> float:
        return float(self.cooldown_time if self.cooldown_time is not None else C.DEFAULT_COOLDOWN_TIME_SECONDS)

    def _set_strategy(self, name: object) -> None:
        if not isinstance(name, str):
            raise input_error(f"routing_strategy must be a string, got {name!r}", None, type_error=True)
        self._named: CustomStrategy | None = None
        if name in S.STRATEGIES:
            choose = S.STRATEGIES[name]
            if choose is not None:  # None: usage-based routing, which orders and reserves (see _strategy_pick)
                self._choose: Strategy = choose
        elif name in _CUSTOM_STRATEGIES:
            self._named = _CUSTOM_STRATEGIES[name]
        else:
            known = ", ".join(list(S.STRATEGIES) + sorted(_CUSTOM_STRATEGIES))
            raise input_error(f"unknown routing_strategy {name!r}; known: {known}", None)
        self.routing_strategy = name
        self._needs: Needs = S.NEEDS.get(name, S.NOTHING)
        self._usage_based = name.startswith("usage-based-routing")
        # in-memory state and a strategy that reads nothing but cooldowns: the lean per-call path
        self._plain = not self.state.shared and self._needs == S.NOTHING and not self._usage_based
        self._custom = None
        self._lean = self._plain and self._named is None  # and a built-in strategy: picked inline

    def set_custom_routing_strategy(self, strategy: object, strategy_func: CustomStrategy | None = None) -> None:
        """Register a strategy: ``(name, func)`` (``func(model_group, healthy_deployments, **kwargs)``
        returns one of them; usable by name by this and any later Router), or an object with
        ``get_available_deployment`` / ``async_get_available_deployment`` (this Router uses it)."""
        if strategy_func is not None:
            if not isinstance(strategy, str) or not callable(strategy_func):
                raise input_error(
                    "set_custom_routing_strategy(name, func): a name and a callable", None, type_error=True
                )
            _CUSTOM_STRATEGIES[strategy] = strategy_func
            if self.routing_strategy == strategy:
                self._set_strategy(strategy)
            return
        if not (hasattr(strategy, "get_available_deployment") or hasattr(strategy, "async_get_available_deployment")):
            raise input_error(
                "set_custom_routing_strategy: give (name, func) or an object with "
                "get_available_deployment / async_get_available_deployment",
                None,
                type_error=True,
            )
        self._custom = strategy
        self._needs = S.NOTHING
        self._usage_based = False
        self._plain = not self.state.shared
        self._lean = False

    # ================================================================== deployments
    def set_model_list(self, model_list: ModelList) -> None:
        if not isinstance(model_list, list):
            raise input_error("model_list must be a list of deployment dicts", None, type_error=True)
        deps = self._from_entries(model_list)
        ids = [d.id for d in deps]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise input_error(f"model_list: duplicate model_info.id {sorted(dup)}", None)
        with self._lock:
            self._install(deps)

    def _from_entries(self, entries: Sequence[object], existing: Sequence[Deployment] = ()) -> list[Deployment]:
        """Deployments from entries; an entry without an id gets a stable one (see ``stable_id``),
        identical entries told apart by their order."""
        deps = []
        taken = {d.id for d in existing}
        for e in entries:
            d = to_deployment(e)
            if isinstance(e, dict) and (e.get("model_info") or {}).get("id") is None:
                n = 0
                while d.id in taken:
                    n += 1
                    d = to_deployment(e, n)
            taken.add(d.id)
            deps.append(d)
        return deps

    def _install(self, deps: list[Deployment]) -> None:
        """Swap in a new deployment table (readers hold references to the old one: no lock needed)."""
        groups: dict[str, list[Deployment]] = {}
        for d in deps:
            self._prepare(d)
            groups.setdefault(d.model_name, []).append(d)
        self._order = deps
        self._by_id = {d.id: d for d in deps}
        self._groups = groups
        self._ids = {g: [d.id for d in ds] for g, ds in groups.items()}
        for ds in groups.values():
            S.prepare_group(ds)
        self._public = {d.id: d.to_dict(secrets=False) for d in deps}
        for d in deps:
            base = d.litellm_params.get("api_base")
            d._label = (self._public[d.id], masked({"api_base": base})["api_base"] if base else None)
            d._base_kw = None
        self.model_list = [d.to_dict() for d in deps]

    def _prepare(self, d: Deployment) -> None:
        """Per-deployment facts computed once: prices (cost-based routing), context window."""
        price = d.cost_per_token or {}
        inp = price.get("input_cost_per_token", d.litellm_params.get("input_cost_per_token"))
        out = price.get("output_cost_per_token", d.litellm_params.get("output_cost_per_token"))
        window = d.model_info.get("max_input_tokens")
        if inp is None or window is None:
            try:
                from ..cost.info import get_model_info

                info = get_model_info(d.litellm_params["model"])
            except Exception:  # noqa: BLE001 - a model the registry does not know
                info = {}
            if inp is None:
                inp = info.get("input_cost_per_token")
                out = info.get("output_cost_per_token") if out is None else out
            if window is None:
                window = info.get("max_input_tokens") or info.get("max_tokens")
        d._cost = (inp, out)
        d._window = window

    def add_deployment(self, deployment: dict[str, Any] | Deployment) -> Deployment | None:
        """Add one deployment (dict or Deployment); None when its id already exists."""
        with self._lock:
            d = (
                self._from_entries([deployment], self._order)[0]
                if isinstance(deployment, dict)
                else to_deployment(deployment)
            )
            if d.id in self._by_id:
                return None
            self._install(self._order + [d])
        return self._by_id[d.id]

    def upsert_deployment(self, deployment: dict[str, Any] | Deployment) -> Deployment:
        """Add, or replace the deployment with the same id (its usage and latency history stay)."""
        d = to_deployment(deployment)
        with self._lock:
            order = [d if x.id == d.id else x for x in self._order]
            if d.id not in self._by_id:
                order.append(d)
            self._install(order)
        return self._by_id[d.id]

    def delete_deployment(self, id: str) -> dict[str, Any] | None:
        with self._lock:
            d = self._by_id.get(id)
            if d is None:
                return None
            self._install([x for x in self._order if x.id != id])
        self.state.clear(d.model_name, [id])
        return d.to_dict()

    def get_deployment(self, model_id: str) -> Deployment | None:
        d = self._by_id.get(model_id)
        return to_deployment(d) if d is not None else None  # a copy: edits go back through upsert

    def get_model_list(self, model_name: str | None = None) -> list[dict[str, Any]]:
        group = self.model_group_alias.get(model_name, model_name) if model_name is not None else None
        return [d.to_dict() for d in self._order if group is None or d.model_name == group]

    def get_model_names(self) -> list[str]:
        return list(self._groups)

    def get_model_ids(self, model_name: str | None = None) -> list[str]:
        group = self.model_group_alias.get(model_name, model_name) if model_name is not None else None
        return [d.id for d in self._order if group is None or d.model_name == group]

    def get_model_group_info(self, model_group: str) -> AttrDict | None:
        group = self.model_group_alias.get(model_group, model_group)
        deps = self._groups.get(group)
        if not deps:
            return None
        from ..core.resolve import split_model

        providers: list[str] = []
        windows: list[int] = []
        outs: list[int] = []
        modes: set[str] = set()
        caps: dict[str, bool] = {}
        for d in deps:
            try:
                providers.append(
                    split_model(d.litellm_params["model"], d.litellm_params.get("custom_llm_provider"), None)[0]
                )
            except Exception:  # noqa: BLE001
                pass
            try:
                from ..cost.info import get_model_info

                info = get_model_info(d.litellm_params["model"])
            except Exception:  # noqa: BLE001
                info = {}
            info = {**info, **{k: v for k, v in d.model_info.items() if v is not None}}
            if info.get("max_input_tokens"):
                windows.append(info["max_input_tokens"])
            if info.get("max_output_tokens"):
                outs.append(info["max_output_tokens"])
            if info.get("mode"):
                modes.add(info["mode"])
            for k, v in info.items():
                if k.startswith("supports_"):
                    caps[k] = caps.get(k, True) and bool(v)
        tpms = [d.tpm for d in deps]
        rpms = [d.rpm for d in deps]
        return AttrDict(
            model_group=group,
            providers=sorted(set(providers)),
            max_input_tokens=min(windows) if windows else None,
            max_output_tokens=min(outs) if outs else None,
            tpm=sum(t for t in tpms if t is not None) if all(t is not None for t in tpms) else None,
            rpm=sum(r for r in rpms if r is not None) if all(r is not None for r in rpms) else None,
            mode=next(iter(modes)) if len(modes) == 1 else None,
            input_cost_per_token=max((d._cost[0] for d in deps if d._cost and d._cost[0] is not None), default=None),
            output_cost_per_token=max((d._cost[1] for d in deps if d._cost and d._cost[1] is not None), default=None),
            deployments=len(deps),
            **caps,
        )

    def get_available_deployments(self, model_group: str) -> list[Deployment]:
        """The group's deployments that are not cooling down (copies)."""
        group = self.model_group_alias.get(model_group, model_group)
        deps = self._groups.get(group, [])
        snap = self.state.snapshot(group, [d.id for d in deps], fresh=True)
        return [to_deployment(d) for d in deps if d.id not in snap.cooled]

    def get_available_deployment(
        self,
        model: str,
        messages: Messages | None = None,
        input: EmbeddingInput | None = None,
        specific_deployment: str | bool | None = None,
        request_kwargs: dict[str, Any] | None = None,
    ) -> Deployment:
        """The deployment the strategy would pick now for ``model`` (nothing is reserved)."""
        values = {"messages": messages, "input": input}
        group, deps = self._resolve(model, specific_deployment)
        request = _Request("completion", values, dict(request_kwargs or {}))
        healthy, snap = self._healthy(group, deps, set(), request)
        return to_deployment(self._strategy_pick(group, healthy, snap, request, reserve=False)[0])

    async def get_model_group_usage(self, model_group: str) -> tuple[int, int]:
        """(tokens, requests) used by the group in the current minute."""
        group = self.model_group_alias.get(model_group, model_group)
        deps = self._groups.get(group, [])
        await self.state.aflush()  # this process's written-behind usage first
        snap = await self.state.asnapshot(group, [d.id for d in deps], usage=True, fresh=True)
        return (sum(t for t, _ in snap.usage.values()), sum(r for _, r in snap.usage.values()))

    def get_settings(self) -> dict[str, Any]:
        return {
            "routing_strategy": self.routing_strategy,
            "num_retries": self._retries,
            "timeout": self.timeout,
            "stream_timeout": self.stream_timeout,
            "fallbacks": self.fallbacks,
            "context_window_fallbacks": self.context_window_fallbacks,
            "content_policy_fallbacks": self.content_policy_fallbacks,
            "allowed_fails": self._allowed,
            "cooldown_time": self.cooldown_time if self.cooldown_time is not None else C.DEFAULT_COOLDOWN_TIME_SECONDS,
            "cache_responses": self.cache_responses,
            "redis_host": self.redis_host,
            "redis_port": self.redis_port,
            "redis_password": "****" if self.redis_password else None,
            "redis_url": masked({"api_base": self.redis_url})["api_base"] if self.redis_url else None,
            "router_ttl": self.router_ttl,
            "model_group_alias": dict(self.model_group_alias),
            "enable_health_checks": self.enable_health_checks,
            "health_check_interval": self.health_check_interval,
            "routing_strategy_args": dict(self.routing_strategy_args),
            "set_verbose": self.set_verbose,
            "enable_pre_call_checks": self.enable_pre_call_checks,
        }

    def _cache(self) -> Cache:
        """The response cache of ``cache_responses``: ``litegate.cache`` when set, else the Router's
        own (made on first use): a Redis cache on the Router's Redis server when it has one (with
        ``cache_kwargs``; in memory behind Sentinel), else an in-memory cache."""
        litegate = _litegate()
        cache: Cache | None = getattr(litegate, "cache", None)
        if cache is not None:
            return cache
        own = self._own_cache
        if own is None:
            with self._lock:
                own = self._own_cache
                if own is None:
                    kw = dict(self.cache_kwargs)
                    nodes = self._compat.get("redis_startup_nodes")
                    if nodes:  # the cluster's nodes
                        kw.setdefault("type", "redis")
                        kw.setdefault(
                            "redis_startup_nodes",
                            [dict(zip(("host", "port"), _host_port(n), strict=True)) for n in nodes],
                        )
                    elif self._redis and not self._compat.get("redis_sentinel_nodes"):
                        kw.setdefault("type", "redis")
                        if self.redis_url:
                            kw.setdefault("url", self.redis_url)
                        else:
                            kw.setdefault("host", self.redis_host or "127.0.0.1")
                            kw.setdefault("port", int(self.redis_port or 6379))
                            if self._compat.get("redis_db") is not None:
                                kw.setdefault("db", self._compat["redis_db"])
                    if kw.get("type") == "redis" and self.redis_password:
                        kw.setdefault("password", self.redis_password)
                    own = self._own_cache = litegate.Cache(**kw)
        return own

    def _cfg(self, group: str, request: _Request) -> object:
        """The settings one deployment attempt runs with."""
        if self.cache_responses and request.kwargs.get("caching") is not False:
            return _CachedSettings(self._cache(), group)
        return _settings()

    def flush_cache(self) -> None:
        """Clear the response cache (``cache_responses``: ``litegate.cache`` or the Router's own)."""
        import litegate

        cache = getattr(litegate, "cache", None) or self._own_cache
        for name in ("flush_cache", "flush", "clear"):
            fn = getattr(cache, name, None)
            if callable(fn):
                fn()
                return

    def reset(self) -> None:
        """Forget usage, latency, failures and cooldowns of this Router's groups (the deployments
        stay; other Routers' groups sharing the Redis are left alone)."""
        for group in list(self._groups):
            self.state.clear(group)

    # ================================================================== choosing
    def _resolve(self, model: object, specific: object) -> tuple[str, list[Deployment]]:
        if isinstance(specific, str) and specific:
            d = self._by_id.get(specific)
            if d is None:
                raise input_error(f"specific_deployment {specific!r} is not a deployment id of this Router", model)
            return d.model_name, [d]
        if not isinstance(model, str) or not model:
            raise input_error("model must name a model group of this Router", None, type_error=True)
        if specific is True:
            d = self._by_id.get(model)
            if d is not None:
                return d.model_name, [d]
        group = self.model_group_alias.get(model, model)
        deps = self._groups.get(group)
        if deps:
            return group, deps
        same = [d for d in self._order if d.litellm_params.get("model") == model]
        if same:
            return same[0].model_name, same
        raise input_error(
            f"no deployment of this Router serves {model!r} (model groups: {', '.join(self._groups) or 'none'})", model
        )

    def _ids_of(self, group: str, deps: list[Deployment]) -> list[str]:
        ids = self._ids.get(group)
        return (
            ids
            if ids is not None and len(ids) == len(deps) and self._groups.get(group) is deps
            else [d.id for d in deps]
        )

    def _healthy(
        self, group: str, deps: list[Deployment], tried: set[str], request: _Request
    ) -> tuple[list[Deployment], Snapshot]:
        if self._plain and not cast("MemoryState", self.state)._cool:  # nothing cooling down, nothing else to read
            return self._filter(group, deps, tried, request, _NO_STATE), _NO_STATE
        usage, inflight, latency = self._needs
        snap = self.state.snapshot(group, self._ids_of(group, deps), usage, inflight, latency)
        return self._filter(group, deps, tried, request, snap), snap

    async def _ahealthy(
        self, group: str, deps: list[Deployment], tried: set[str], request: _Request
    ) -> tuple[list[Deployment], Snapshot]:
        usage, inflight, latency = self._needs
        snap = await self.state.asnapshot(group, self._ids_of(group, deps), usage, inflight, latency)
        return self._filter(group, deps, tried, request, snap), snap

    def _filter(
        self, group: str, deps: list[Deployment], tried: set[str], request: _Request, snap: Snapshot
    ) -> list[Deployment]:
        if self.enable_pre_call_checks and request.values.get("messages") is not None:
            deps = self._fit(group, deps, request)
        cooled = snap.cooled
        healthy = [d for d in deps if d.id not in cooled] if cooled else deps
        if not healthy:
            wait = max(0.0, min(cooled.values()) - self._clock())
            raise RateLimitError(
                message=f"all {len(deps)} deployment(s) of model group {group!r} are cooling down after "
                f"failures; the next is available again in {wait:.1f}s",
                llm_provider="router",
                model=group,
            )
        if tried:
            fresh = [d for d in healthy if d.id not in tried]
            if fresh:
                return fresh
        return healthy

    def _fit(self, group: str, deps: list[Deployment], request: _Request) -> list[Deployment]:
        """Pre-call check: drop deployments whose context window cannot hold the prompt."""
        low = (
            deps[0]._group_window
            if self._groups.get(group) is deps
            else min((d._window for d in deps if d._window), default=None)
        )
        if not low or request.chars_bound() <= low:
            return deps
        windows = [d._window for d in deps]
        known = [w for w in windows if w]
        need = request.tokens()
        fit = [d for d, w in zip(deps, windows, strict=True) if not w or w >= need]
        if not fit:
            raise ContextWindowExceededError(
                message=f"the prompt (~{need} tokens) exceeds the context window of every deployment of "
                f"model group {group!r} (largest: {max(known)} tokens)",
                model=group,
                llm_provider="router",
            )
        return fit

    def _strategy_pick(
        self, group: str, healthy: list[Deployment], snap: Snapshot, request: _Request, reserve: bool = True
    ) -> tuple[Deployment, int | None]:
        if self._custom is not None:
            fn = self._custom.get_available_deployment
            return _as_deployment(fn(**_object_args(fn, group, healthy, request)), healthy), None
        if self._usage_based:
            order = S.usage_order(healthy, snap, request)
            est = request.tokens()
            for d in order:
                if not reserve or self.state.reserve(group, d.id, est, d.tpm, d.rpm):
                    return d, est if reserve else None
            raise self._over_limit(group, healthy)
        if self._named is not None:
            return _custom_pick(self._named, group, healthy, request), None
        return self._choose(healthy, snap, request), None

    async def _astrategy_pick(
        self, group: str, healthy: list[Deployment], snap: Snapshot, request: _Request
    ) -> tuple[Deployment, int | None]:
        if self._custom is not None:
            fn = getattr(self._custom, "async_get_available_deployment", None)
            if fn is not None:
                got = fn(**_object_args(fn, group, healthy, request))
                if inspect.isawaitable(got):
                    got = await got
                return _as_deployment(got, healthy), None
            return self._strategy_pick(group, healthy, snap, request)
        if self._usage_based:
            order = S.usage_order(healthy, snap, request)
            est = request.tokens()
            for d in order:
                if await self.state.areserve(group, d.id, est, d.tpm, d.rpm):
                    return d, est
            raise self._over_limit(group, healthy)
        return self._strategy_pick(group, healthy, snap, request)

    def _over_limit(self, group: str, healthy: list[Deployment]) -> RateLimitError:
        return RateLimitError(
            message=f"all {len(healthy)} available deployment(s) of model group {group!r} are at their TPM/RPM "
            f"limits for this minute (usage-based-routing)",
            llm_provider="router",
            model=group,
        )

    # ================================================================== one attempt
    def _call_kwargs(self, d: Deployment, request: _Request) -> dict[str, Any]:
        """One attempt's arguments: the deployment's prepared ones (``default_litellm_params``, its
        ``litellm_params``, the Router's timeouts and caching: computed once per deployment), then
        the call's own, then the model. Retries are the Router's: never the lifecycle's."""
        base = d._base_kw
        if base is None:
            base = self._prepare_kwargs(d)
        kw = base.copy()
        if request.kwargs:
            kw.update(request.kwargs)
        kw.update(request.values)
        kw["model"] = d.litellm_params["model"]
        if _litegate().num_retries:  # else the lifecycle makes no retries by itself
            kw["num_retries"] = 0
        return kw

    def _prepare_kwargs(self, d: Deployment) -> dict[str, Any]:
        kw = dict(self.default_litellm_params) if self.default_litellm_params else {}
        kw.update(d.call_kwargs)
        kw.pop("num_retries", None)
        kw.pop("max_retries", None)
        t = d.litellm_params.get("timeout", self.timeout)
        if t is not None:
            kw["timeout"] = t
        if self.stream_timeout is not None and "stream_timeout" not in kw:
            kw["stream_timeout"] = self.stream_timeout
        if self.cache_responses:
            kw["caching"] = True
        d._base_kw = kw
        return kw

    def _begin(
        self, group: str, d: Deployment, request: _Request
    ) -> tuple[dict[str, Any], Endpoint | Callable[..., Any]]:
        kw = self._call_kwargs(d, request)
        if listening(_settings()):  # callbacks see the group and the deployment (litellm's metadata keys)
            kw["metadata"] = {
                **(kw.get("metadata") or {}),
                "model_group": group,
                "deployment": d.litellm_params["model"],
                "model_info": {"id": d.id},
                "routing_strategy": self.routing_strategy,
            }
        ep = ENDPOINTS.get(request.name)
        if ep is None:
            import litegate

            fn = getattr(litegate, request.name, None)
            if fn is None:
                raise input_error(
                    f"Router.{request.name}: litegate has no {request.name}() in this version", kw.get("model")
                )
            return kw, fn
        if request.name in _PLATFORM_OPS:  # provider-addressed: the provider apart, the model in the body
            model = kw.pop("model")
            kw["custom_llm_provider"] = _provider_of(d)
            if request.name in _MODEL_OPS:
                kw["model"] = model.split("/", 1)[1] if model.startswith(kw["custom_llm_provider"] + "/") else model
        return kw, ep

    def _label(self, result: Any, d: Deployment, group: str, attempts: int) -> Any:
        hidden = getattr(result, "_hidden_params", None)
        if isinstance(hidden, dict):
            public, base = d._label or (d.to_dict(secrets=False), None)
            hidden["model_group"] = group
            hidden["model_id"] = d.id
            hidden["deployment"] = public.copy()
            if not hidden.get("api_base"):
                hidden["api_base"] = base
            hidden["attempts"] = attempts
        return result

    def _outcome(
        self, result: Any, reserved: int | None, started: float, started_inflight: bool, request: _Request
    ) -> Outcome:
        return Outcome(
            tokens=_tokens(result) - (reserved or 0),
            requests=0 if reserved is not None else 1,
            latency=(time.perf_counter() - started) if self._needs[2] else None,
            ok=True,
            started=started_inflight,
            reserved=reserved is not None,
        )

    def _failure(self, exc: BaseException, reserved: int | None, started: float, started_inflight: bool) -> Outcome:
        return Outcome(
            tokens=-(reserved or 0),
            requests=0 if reserved is not None else 1,
            latency=(time.perf_counter() - started) if self._needs[2] else None,
            failed=_deployment_fault(exc),
            started=started_inflight,
            reserved=reserved is not None,
        )

    def _record(self, group: str, d: Deployment, out: Outcome) -> None:
        if self.state.finish(group, d.id, out, self._allowed, self._cooldown):
            log.warning(
                "router: deployment %s of group %r is cooling down for %ss after %d failure(s)",
                d.id,
                group,
                self._cooldown,
                self._allowed,
            )

    async def _arecord(self, group: str, d: Deployment, out: Outcome) -> None:
        if await self.state.afinish(group, d.id, out, self._allowed, self._cooldown):
            log.warning(
                "router: deployment %s of group %r is cooling down for %ss after %d failure(s)",
                d.id,
                group,
                self._cooldown,
                self._allowed,
            )

    def _watch_stream(
        self,
        wrapper: Any,
        group: str,
        d: Deployment,
        reserved: int | None,
        started: float,
        inflight: bool,
        is_async: bool,
    ) -> None:
        """A stream's usage and latency are known at its end (the StreamObserver writes them): the
        Router books them then; a stream that breaks mid-way counts as a failure; one that is
        dropped unfinished releases its in-flight count when collected."""
        latency_needed = self._needs[2]

        def book(out: Outcome) -> None:
            if is_async and self.state.shared:
                from ..core.background import spawn

                if spawn(self._arecord(group, d, out)):
                    return
            self._record(group, d, out)  # no loop, or too much pending: booked here and now

        done = _Done(book)
        observer = getattr(wrapper, "_observer", None)
        hidden = wrapper._hidden_params

        def on_done() -> None:
            usage = hidden.get("usage") or {}
            total = int(usage.get("total_tokens") or 0) if isinstance(usage, dict) else 0
            ttft = hidden.get("time_to_first_token")
            done(
                Outcome(
                    tokens=total - (reserved or 0),
                    requests=0 if reserved is not None else 1,
                    latency=(ttft if ttft is not None else time.perf_counter() - started) if latency_needed else None,
                    ok=True,
                    started=inflight,
                    reserved=reserved is not None,
                )
            )

        if observer is not None:
            previous = observer.on_done

            def chained() -> None:
                if previous is not None:
                    previous()
                on_done()

            observer.on_done = chained
        inner_error = wrapper._on_error

        def on_error(exc: BaseException) -> BaseException:
            if inner_error is not None:
                exc = inner_error(exc)
            done(
                Outcome(
                    tokens=-(reserved or 0),
                    requests=0 if reserved is not None else 1,
                    failed=_deployment_fault(exc),
                    started=inflight,
                    reserved=reserved is not None,
                )
            )
            return exc

        wrapper._on_error = on_error
        weakref.finalize(
            wrapper,
            done,
            Outcome(
                tokens=-(reserved or 0),
                requests=0 if reserved is not None else 1,
                started=inflight,
                reserved=reserved is not None,
            ),
        )

    def _recover_in_groups(self, wrapper: Any, group: str, request: _Request) -> None:
        """``stream_recovery``: a stream broken mid-way continues on its own deployment first, then
        on the deployments of the Router's fallback groups (not on module-level fallbacks)."""
        recovery = getattr(wrapper, "_recovery", None)
        if recovery is not None:
            wrapper._recovery = _GroupRecovery(recovery.plan, recovery.transport, self, group, request)

    def _attempt(self, group: str, d: Deployment, request: _Request, reserved: int | None, attempts: int) -> Any:
        """One deployment attempt; the endpoint's answer (its type is the public method's)."""
        kw, target = self._begin(group, d, request)
        inflight = self._needs[1]
        if inflight:
            self.state.start(group, d.id)
        started = time.perf_counter()
        try:
            if callable(target):
                result = target(**kw)
            else:
                result = lifecycle.execute(
                    _bind(target, kw, group), self._cfg(group, request), _transport(), target, target.call_type
                )
        except BaseException as exc:
            self._record(group, d, self._failure(exc, reserved, started, inflight))
            route_attempt({"deployment": kw.get("model"), "model_id": d.id}, exc)
            raise
        route_attempt({"deployment": kw.get("model"), "model_id": d.id})
        if request.stream and hasattr(result, "_on_error") and hasattr(result, "__next__"):
            self._recover_in_groups(result, group, request)
            self._watch_stream(result, group, d, reserved, started, inflight, False)
        elif self._plain:
            cast("MemoryState", self.state).ok(d.id, _tokens(result))
        else:
            self._record(group, d, self._outcome(result, reserved, started, inflight, request))
        return self._label(result, d, group, attempts)

    async def _aattempt(self, group: str, d: Deployment, request: _Request, reserved: int | None, attempts: int) -> Any:
        kw, target = self._begin(group, d, request)
        inflight = self._needs[1]
        if inflight:
            await self.state.astart(group, d.id)
        started = time.perf_counter()
        try:
            if callable(target):
                import litegate

                afn = getattr(litegate, "a" + request.name, None)
                result = await afn(**kw) if afn is not None else await asyncio.to_thread(target, **kw)
            else:
                result = await lifecycle.aexecute(
                    _bind(target, kw, group), self._cfg(group, request), _transport(), target, "a" + target.call_type
                )
        except BaseException as exc:
            await self._arecord(group, d, self._failure(exc, reserved, started, inflight))
            route_attempt({"deployment": kw.get("model"), "model_id": d.id}, exc)
            raise
        route_attempt({"deployment": kw.get("model"), "model_id": d.id})
        if request.stream and hasattr(result, "_on_error") and hasattr(result, "__anext__"):
            self._recover_in_groups(result, group, request)
            self._watch_stream(result, group, d, reserved, started, inflight, True)
        elif self._plain:
            cast("MemoryState", self.state).ok(d.id, _tokens(result))
        else:
            await self._arecord(group, d, self._outcome(result, reserved, started, inflight, request))
        return self._label(result, d, group, attempts)

    # ================================================================== the group loop
    def _next_step(self, exc: LiteLLMException, attempt: int, retries: int, group: str) -> bool:
        """Whether the group gets another attempt after ``exc`` (attempt numbers from 0)."""
        if attempt >= retries:
            return False
        return _deployment_fault(exc)

    def _wait(self, exc: LiteLLMException, attempt: int, group: str, request: _Request) -> float | None:
        """The wait before trying a deployment that already failed in this call, or None: stop."""
        if not is_retryable(exc):
            return None
        if lifecycle.silent(exc) and self._chain(exc, group, request.opts):
            return None  # silent for a whole timeout: a fallback group answers sooner
        return retry_delay(exc, attempt)

    def _group(self, group: str, deps: list[Deployment], request: _Request, retries: int, made: list[int]) -> Any:
        tried: set[str] = set()
        attempt = 0
        last: LiteLLMException | None = None
        while True:
            try:
                if self._lean and not cast("MemoryState", self.state)._cool:  # nothing to read from the store
                    d, reserved = (
                        self._choose(self._filter(group, deps, tried, request, _NO_STATE), _NO_STATE, request),
                        None,
                    )
                else:
                    healthy, snap = self._healthy(group, deps, tried, request)
                    d, reserved = self._strategy_pick(group, healthy, snap, request)
            except RateLimitError:
                if last is not None:  # this call's own failures cooled the group: its error says more
                    raise last from None
                raise
            if d.id in tried and last is not None:
                delay = self._wait(last, attempt - 1, group, request)
                if delay is None:
                    self._release(group, d, reserved)
                    raise last
                if delay > 0:
                    self._sleep(delay)
            made[0] += 1
            try:
                return self._attempt(group, d, request, reserved, made[0])
            except LiteLLMException as exc:
                if not self._next_step(exc, attempt, retries, group):
                    raise
                log.debug("router: %s on deployment %s of %r; trying again", type(exc).__name__, d.id, group)
                tried.add(d.id)
                last = exc
                attempt += 1

    async def _agroup(
        self, group: str, deps: list[Deployment], request: _Request, retries: int, made: list[int]
    ) -> Any:
        tried: set[str] = set()
        attempt = 0
        last: LiteLLMException | None = None
        while True:
            try:
                healthy, snap = await self._ahealthy(group, deps, tried, request)
                d, reserved = await self._astrategy_pick(group, healthy, snap, request)
            except RateLimitError:
                if last is not None:
                    raise last from None
                raise
            if d.id in tried and last is not None:
                delay = self._wait(last, attempt - 1, group, request)
                if delay is None:
                    await self._arelease(group, d, reserved)
                    raise last
                if delay > 0:
                    await self._asleep(delay)
            made[0] += 1
            try:
                return await self._aattempt(group, d, request, reserved, made[0])
            except LiteLLMException as exc:
                if not self._next_step(exc, attempt, retries, group):
                    raise
                log.debug("router: %s on deployment %s of %r; trying again", type(exc).__name__, d.id, group)
                tried.add(d.id)
                last = exc
                attempt += 1

    def _release(self, group: str, d: Deployment, reserved: int | None) -> None:
        if reserved is not None:  # a reservation not used: give it back
            self.state.finish(
                group, d.id, Outcome(tokens=-reserved, requests=-1, reserved=True), self._allowed, self._cooldown
            )

    async def _arelease(self, group: str, d: Deployment, reserved: int | None) -> None:
        if reserved is not None:
            await self.state.afinish(
                group, d.id, Outcome(tokens=-reserved, requests=-1, reserved=True), self._allowed, self._cooldown
            )

    # ================================================================== fallbacks between groups
    def _chain(self, exc: BaseException, group: str, opts: _Options | None) -> list[str]:
        ctl = SimpleNamespace(
            fallbacks=getattr(opts, "fallbacks", None),
            context_window_fallbacks=getattr(opts, "context_window_fallbacks", None),
            content_policy_fallbacks=getattr(opts, "content_policy_fallbacks", None),
        )
        out: list[str] = []
        for target in lifecycle.fallback_chain(exc, SimpleNamespace(model=group, ctl=ctl), self):
            name = target.get("model") if isinstance(target, dict) else target
            if isinstance(name, str) and name != group and name not in out:
                out.append(name)
        return out

    def _prepare_call(
        self, name: str, values: dict[str, Any], kwargs: dict[str, Any]
    ) -> tuple[str, list[Deployment], _Request, int, _Options]:
        model = values.pop("model", None)
        kwargs = without_unset_connection(kwargs)  # api_key=None & co: the deployment's own apply
        if kwargs and not _CONTROL_SET.isdisjoint(kwargs):
            opts = _Options()
            for k in _ROUTER_CONTROLS:
                if k in kwargs:
                    setattr(opts, k, kwargs.pop(k))
            for rule in ("fallbacks", "context_window_fallbacks", "content_policy_fallbacks"):
                _check_rules(rule, getattr(opts, rule))
        else:
            opts = _NO_OPTIONS
        retries = opts.num_retries if opts.num_retries is not None else opts.max_retries
        if retries is None:
            retries = self._retries
        elif not isinstance(retries, int) or isinstance(retries, bool) or retries < 0:
            raise input_error(f"num_retries must be a non-negative integer, got {retries!r}", model, type_error=True)
        group, deps = self._resolve(model, opts.specific_deployment)
        return group, deps, _Request(name, values, kwargs, opts), retries, opts

    def _route(self, name: str, values: dict[str, Any], kwargs: dict[str, Any]) -> Any:
        """A routed call of endpoint ``name``; its answer (typed by the public method)."""
        prepared = self._prepare_call(name, values, kwargs)
        scope = route_scope(_settings(), name, prepared[0], self.routing_strategy)  # the routed call's span
        if scope is None:
            return self._routed(*prepared)
        try:
            result = self._routed(*prepared)
        except BaseException as exc:
            scope.end(None, exc)
            raise
        scope.end(result, None)
        return result

    def _routed(self, group: str, deps: list[Deployment], request: _Request, retries: int, opts: _Options) -> Any:
        made = [0]
        try:
            return self._group(group, deps, request, retries, made)
        except LiteLLMException as first:
            if opts.specific_deployment:
                raise
            error: LiteLLMException = first
            for fallback in self._chain(first, group, opts):
                fb_deps = self._groups.get(self.model_group_alias.get(fallback, fallback))
                if not fb_deps:
                    continue
                log.info("router: group %r failed (%s); falling back to %r", group, type(error).__name__, fallback)
                try:
                    result = self._group(fb_deps[0].model_name, fb_deps, request, retries, made)
                except LiteLLMException as exc:
                    error = exc
                    continue
                return _fell_back(result, group)
            if error is first:
                raise
            raise error from first

    async def _aroute(self, name: str, values: dict[str, Any], kwargs: dict[str, Any]) -> Any:
        prepared = self._prepare_call(name, values, kwargs)
        scope = route_scope(_settings(), "a" + name, prepared[0], self.routing_strategy)
        if scope is None:
            return await self._arouted(*prepared)
        try:
            result = await self._arouted(*prepared)
        except BaseException as exc:
            scope.end(None, exc)
            raise
        scope.end(result, None)
        return result

    async def _arouted(
        self, group: str, deps: list[Deployment], request: _Request, retries: int, opts: _Options
    ) -> Any:
        made = [0]
        try:
            return await self._agroup(group, deps, request, retries, made)
        except LiteLLMException as first:
            if opts.specific_deployment:
                raise
            error: LiteLLMException = first
            for fallback in self._chain(first, group, opts):
                fb_deps = self._groups.get(self.model_group_alias.get(fallback, fallback))
                if not fb_deps:
                    continue
                log.info("router: group %r failed (%s); falling back to %r", group, type(error).__name__, fallback)
                try:
                    result = await self._agroup(fb_deps[0].model_name, fb_deps, request, retries, made)
                except LiteLLMException as exc:
                    error = exc
                    continue
                return _fell_back(result, group)
            if error is first:
                raise
            raise error from first

    # ================================================================== public call methods
    # The answer types are those of litegate's functions of the same name: ``stream=True`` gives the
    # stream wrapper (an iterator, and an async iterator for the async methods, of chunks).
    @overload
    def completion(
        self, model: str, messages: Messages | None = None, *, stream: Literal[False] | None = None, **kwargs: Any
    ) -> ModelResponse: ...
    @overload
    def completion(
        self, model: str, messages: Messages | None = None, *, stream: Literal[True], **kwargs: Any
    ) -> ChatStream: ...
    @overload
    def completion(
        self, model: str, messages: Messages | None = None, *, stream: bool, **kwargs: Any
    ) -> ModelResponse | ChatStream: ...
    def completion(
        self, model: str | None = None, messages: Messages | None = None, **kwargs: Any
    ) -> ModelResponse | ChatStream:
        return cast(
            "ModelResponse | ChatStream",
            self._route("completion", {"model": model, "messages": messages}, kwargs),
        )

    @overload
    async def acompletion(
        self, model: str, messages: Messages | None = None, *, stream: Literal[False] | None = None, **kwargs: Any
    ) -> ModelResponse: ...
    @overload
    async def acompletion(
        self, model: str, messages: Messages | None = None, *, stream: Literal[True], **kwargs: Any
    ) -> ChatStream: ...
    @overload
    async def acompletion(
        self, model: str, messages: Messages | None = None, *, stream: bool, **kwargs: Any
    ) -> ModelResponse | ChatStream: ...
    async def acompletion(
        self, model: str | None = None, messages: Messages | None = None, **kwargs: Any
    ) -> ModelResponse | ChatStream:
        return cast(
            "ModelResponse | ChatStream",
            await self._aroute("completion", {"model": model, "messages": messages}, kwargs),
        )

    @overload
    def text_completion(
        self, model: str, prompt: PromptInput | None = None, *, stream: Literal[False] | None = None, **kwargs: Any
    ) -> TextCompletionResponse: ...
    @overload
    def text_completion(
        self, model: str, prompt: PromptInput | None = None, *, stream: Literal[True], **kwargs: Any
    ) -> TextStream: ...
    @overload
    def text_completion(
        self, model: str, prompt: PromptInput | None = None, *, stream: bool, **kwargs: Any
    ) -> TextCompletionResponse | TextStream: ...
    def text_completion(
        self, model: str | None = None, prompt: PromptInput | None = None, **kwargs: Any
    ) -> TextCompletionResponse | TextStream:
        return cast(
            "TextCompletionResponse | TextStream",
            self._route("text_completion", {"model": model, "prompt": prompt}, kwargs),
        )

    @overload
    async def atext_completion(
        self, model: str, prompt: PromptInput | None = None, *, stream: Literal[False] | None = None, **kwargs: Any
    ) -> TextCompletionResponse: ...
    @overload
    async def atext_completion(
        self, model: str, prompt: PromptInput | None = None, *, stream: Literal[True], **kwargs: Any
    ) -> TextStream: ...
    @overload
    async def atext_completion(
        self, model: str, prompt: PromptInput | None = None, *, stream: bool, **kwargs: Any
    ) -> TextCompletionResponse | TextStream: ...
    async def atext_completion(
        self, model: str | None = None, prompt: PromptInput | None = None, **kwargs: Any
    ) -> TextCompletionResponse | TextStream:
        return cast(
            "TextCompletionResponse | TextStream",
            await self._aroute("text_completion", {"model": model, "prompt": prompt}, kwargs),
        )

    def embedding(
        self, model: str | None = None, input: EmbeddingInput | None = None, **kwargs: Any
    ) -> EmbeddingResponse:
        return cast("EmbeddingResponse", self._route("embedding", {"model": model, "input": input}, kwargs))

    async def aembedding(
        self, model: str | None = None, input: EmbeddingInput | None = None, **kwargs: Any
    ) -> EmbeddingResponse:
        return cast("EmbeddingResponse", await self._aroute("embedding", {"model": model, "input": input}, kwargs))

    def image_generation(self, prompt: str | None = None, model: str | None = None, **kwargs: Any) -> ImageResponse:
        return cast("ImageResponse", self._route("image_generation", {"model": model, "prompt": prompt}, kwargs))

    async def aimage_generation(
        self, prompt: str | None = None, model: str | None = None, **kwargs: Any
    ) -> ImageResponse:
        return cast("ImageResponse", await self._aroute("image_generation", {"model": model, "prompt": prompt}, kwargs))

    def moderation(
        self, input: ModerationInput | None = None, model: str | None = None, **kwargs: Any
    ) -> ModerationResponse:
        return cast("ModerationResponse", self._route("moderation", {"model": model, "input": input}, kwargs))

    async def amoderation(
        self, input: ModerationInput | None = None, model: str | None = None, **kwargs: Any
    ) -> ModerationResponse:
        return cast("ModerationResponse", await self._aroute("moderation", {"model": model, "input": input}, kwargs))

    def rerank(
        self, model: str | None = None, query: str | None = None, documents: Documents | None = None, **kwargs: Any
    ) -> RerankResponse:
        values = {"model": model, "query": query, "documents": documents}
        return cast("RerankResponse", self._route("rerank", values, kwargs))

    async def arerank(
        self, model: str | None = None, query: str | None = None, documents: Documents | None = None, **kwargs: Any
    ) -> RerankResponse:
        values = {"model": model, "query": query, "documents": documents}
        return cast("RerankResponse", await self._aroute("rerank", values, kwargs))

    @overload
    def transcription(
        self,
        model: str | None = None,
        file: FileTypes | None = None,
        *,
        response_format: TranscriptionObjectFormat | None = None,
        **kwargs: Any,
    ) -> TranscriptionResponse: ...
    @overload
    def transcription(
        self,
        model: str | None = None,
        file: FileTypes | None = None,
        *,
        response_format: TranscriptionTextFormat,
        **kwargs: Any,
    ) -> TranscriptionText: ...
    @overload
    def transcription(
        self, model: str | None = None, file: FileTypes | None = None, *, response_format: str, **kwargs: Any
    ) -> TranscriptionResponse | TranscriptionText: ...
    def transcription(
        self, model: str | None = None, file: FileTypes | None = None, **kwargs: Any
    ) -> TranscriptionResponse | TranscriptionText:
        """``file``: an open binary file, a path, bytes, or ``(filename, bytes, content_type)``; the
        transcript as a ``str`` (``TranscriptionText``) for ``response_format`` "text", "srt", "vtt"."""
        return cast(
            "TranscriptionResponse | TranscriptionText",
            self._route("transcription", {"model": model, "file": file}, kwargs),
        )

    @overload
    async def atranscription(
        self,
        model: str | None = None,
        file: FileTypes | None = None,
        *,
        response_format: TranscriptionObjectFormat | None = None,
        **kwargs: Any,
    ) -> TranscriptionResponse: ...
    @overload
    async def atranscription(
        self,
        model: str | None = None,
        file: FileTypes | None = None,
        *,
        response_format: TranscriptionTextFormat,
        **kwargs: Any,
    ) -> TranscriptionText: ...
    @overload
    async def atranscription(
        self, model: str | None = None, file: FileTypes | None = None, *, response_format: str, **kwargs: Any
    ) -> TranscriptionResponse | TranscriptionText: ...
    async def atranscription(
        self, model: str | None = None, file: FileTypes | None = None, **kwargs: Any
    ) -> TranscriptionResponse | TranscriptionText:
        return cast(
            "TranscriptionResponse | TranscriptionText",
            await self._aroute("transcription", {"model": model, "file": file}, kwargs),
        )

    def speech(self, model: str | None = None, input: str | None = None, **kwargs: Any) -> HttpxBinaryResponseContent:
        return cast("HttpxBinaryResponseContent", self._route("speech", {"model": model, "input": input}, kwargs))

    async def aspeech(
        self, model: str | None = None, input: str | None = None, **kwargs: Any
    ) -> HttpxBinaryResponseContent:
        return cast(
            "HttpxBinaryResponseContent", await self._aroute("speech", {"model": model, "input": input}, kwargs)
        )

    # ------------------------------------------------------------------ batch forms
    async def abatch_completion(
        self,
        models: str | Sequence[str],
        messages: Messages | Sequence[Messages],
        max_concurrency: int = 32,
        **kwargs: Any,
    ) -> list[BatchResult]:
        """The same ``messages`` to each model group in ``models`` (or, given one group and a list of
        message lists, each message list to that group); results or exceptions, in order."""
        if isinstance(models, str):  # messages: one list of messages per request (checked there)
            return await self.abatch_completion_one_model_multiple_requests(
                models, cast("Sequence[Messages]", messages), max_concurrency=max_concurrency, **kwargs
            )
        request = cast("Messages", messages)
        return await self._abatch([(m, request) for m in models], max_concurrency, kwargs)

    async def abatch_completion_one_model_multiple_requests(
        self, model: str, messages: Sequence[Messages], max_concurrency: int = 32, **kwargs: Any
    ) -> list[BatchResult]:
        if not isinstance(messages, list) or not all(isinstance(m, list) for m in messages):
            raise input_error("messages must be a list of message lists (one per request)", model, type_error=True)
        return await self._abatch([(model, m) for m in messages], max_concurrency, kwargs)

    async def _abatch(self, jobs: list[tuple[str, Messages]], limit: int, kwargs: dict[str, Any]) -> list[BatchResult]:
        gate = asyncio.Semaphore(max(1, int(limit)))

        async def one(model: str, msgs: Messages) -> BatchResult:
            async with gate:
                try:
                    return cast("BatchResult", await self.acompletion(model=model, messages=msgs, **dict(kwargs)))
                except Exception as exc:  # noqa: BLE001 - an exception in its slot
                    return exc

        return list(await asyncio.gather(*(one(m, msgs) for m, msgs in jobs)))

    def batch_completion(
        self,
        models: str | Sequence[str],
        messages: Messages | Sequence[Messages],
        max_concurrency: int = 8,
        **kwargs: Any,
    ) -> list[BatchResult]:
        """Sync form of :meth:`abatch_completion` (bounded worker threads)."""
        from concurrent.futures import ThreadPoolExecutor

        jobs: list[tuple[str, Messages]]
        if isinstance(models, str):
            if not isinstance(messages, list) or not all(isinstance(m, list) for m in messages):
                raise input_error("messages must be a list of message lists (one per request)", models, type_error=True)
            jobs = [(models, m) for m in cast("Sequence[Messages]", messages)]
        else:
            request = cast("Messages", messages)
            jobs = [(m, request) for m in models]

        def one(job: tuple[str, Messages]) -> BatchResult:
            try:
                return cast("BatchResult", self.completion(model=job[0], messages=job[1], **dict(kwargs)))
            except Exception as exc:  # noqa: BLE001
                return exc

        with ThreadPoolExecutor(max_workers=max(1, min(int(max_concurrency), len(jobs) or 1))) as pool:
            return list(pool.map(one, jobs))

    # ------------------------------------------------------------------ assistants (provider-addressed)
    def _platform_call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any], is_async: bool) -> Any:
        """An assistants-API call: routed through a model group when the call names one (``model``:
        a group, its alias or a deployment's model) or, for a run, when the assistant's own model
        is served by a group (spec "Router and Assistants API"); otherwise sent with the
        credentials of the first deployment (or the caller's)."""
        from ..core.platform import OPS

        op = OPS[name]
        if len(args) > len(op.positional):
            raise TypeError(f"Router.{name}() takes at most {len(op.positional)} positional arguments")
        for k, v in zip(op.positional, args, strict=False):  # fewer args than names: the rest by keyword
            if k in kwargs:
                raise TypeError(f"Router.{name}() got multiple values for argument {k!r}")
            kwargs[k] = v
        kwargs = without_unset_connection(kwargs)  # None means "not given": the deployment's own values
        model = kwargs.pop("model", None)
        group = self._group_of(model) if model is not None else None
        if group is None and model is None and name in _RUNS and not kwargs.get("api_key"):
            group = self._assistant_group(kwargs)  # the assistant's model names the group
        if group is not None:
            kwargs.pop("custom_llm_provider", None)  # the chosen deployment's provider
            return (self._aroute if is_async else self._route)(name, {"model": group}, kwargs)
        if model is not None and name in _MODEL_OPS:
            kwargs["model"] = model
        self._default_credentials(kwargs)
        import litegate

        return getattr(litegate, ("a" + name) if is_async else name)(**kwargs)

    def _group_of(self, model: Any) -> str | None:
        """The group serving ``model``: a group name or alias, else a deployment's model (with or
        without its provider prefix)."""
        if not isinstance(model, str):
            return None
        group = self.model_group_alias.get(model, model)
        if group in self._groups:
            return group
        for d in self._order:
            m = d.litellm_params.get("model") or ""
            if m == model or m.split("/", 1)[-1] == model:
                return d.model_name
        return None

    def _default_credentials(self, kwargs: dict[str, Any]) -> None:
        if kwargs.get("api_key") or not self._order:
            return
        d = self._order[0]
        for k in ("api_key", "api_base", "api_version", "organization"):
            if d.litellm_params.get(k) is not None:
                kwargs.setdefault(k, d.litellm_params[k])
        kwargs.setdefault("custom_llm_provider", _provider_of(d))

    def _assistant_group(self, kwargs: dict[str, Any]) -> str | None:
        """The group serving a run's assistant's model (read once per assistant id; bounded memo)."""
        aid = kwargs.get("assistant_id")
        if not isinstance(aid, str) or not aid or not self._order:
            return None
        model = self._assistant_models.get(aid)
        if model is None:
            import litegate

            kw = {"assistant_id": aid}
            self._default_credentials(kw)
            try:
                model = litegate.retrieve_assistants(**kw).model
            except LiteLLMException as exc:  # the run itself reports what is wrong
                log.debug("router: could not read assistant %s's model: %s", aid, type(exc).__name__)
                model = ""  # not asked again: such runs go unrouted
            memo = self._assistant_models
            if len(memo) >= 1024:
                try:
                    memo.pop(next(iter(memo)), None)  # the oldest
                except (StopIteration, RuntimeError):  # emptied or changed by another thread
                    pass
            memo[aid] = model
        return self._group_of(model)

    # positional arguments as litegate's functions of the same name take them (custom_llm_provider
    # first; create_run: thread_id, assistant_id); the answers are theirs
    if TYPE_CHECKING:

        def create_assistants(self, *args: Any, **kwargs: Any) -> Assistant: ...
        async def acreate_assistants(self, *args: Any, **kwargs: Any) -> Assistant: ...
        def get_assistants(self, *args: Any, **kwargs: Any) -> AssistantList: ...
        async def aget_assistants(self, *args: Any, **kwargs: Any) -> AssistantList: ...
        def delete_assistant(self, *args: Any, **kwargs: Any) -> AssistantDeleted: ...
        async def adelete_assistant(self, *args: Any, **kwargs: Any) -> AssistantDeleted: ...
        def create_thread(self, *args: Any, **kwargs: Any) -> Thread: ...
        async def acreate_thread(self, *args: Any, **kwargs: Any) -> Thread: ...
        def get_thread(self, *args: Any, **kwargs: Any) -> Thread: ...
        async def aget_thread(self, *args: Any, **kwargs: Any) -> Thread: ...
        def add_message(self, *args: Any, **kwargs: Any) -> OpenAIMessage: ...
        async def a_add_message(self, *args: Any, **kwargs: Any) -> OpenAIMessage: ...
        def get_messages(self, *args: Any, **kwargs: Any) -> MessageList: ...
        async def aget_messages(self, *args: Any, **kwargs: Any) -> MessageList: ...
        def run_thread(self, *args: Any, **kwargs: Any) -> Run | AssistantEventStream: ...
        async def arun_thread(self, *args: Any, **kwargs: Any) -> Run | AssistantEventStream: ...
        def create_run(self, *args: Any, **kwargs: Any) -> Run | AssistantEventStream: ...
        async def acreate_run(self, *args: Any, **kwargs: Any) -> Run | AssistantEventStream: ...
    else:
        create_assistants, acreate_assistants = _assistant_methods("create_assistants")
        get_assistants, aget_assistants = _assistant_methods("get_assistants")
        delete_assistant, adelete_assistant = _assistant_methods("delete_assistant")
        create_thread, acreate_thread = _assistant_methods("create_thread")
        get_thread, aget_thread = _assistant_methods("get_thread")
        add_message, a_add_message = _assistant_methods("add_message")
        get_messages, aget_messages = _assistant_methods("get_messages")
        run_thread, arun_thread = _assistant_methods("run_thread")
        create_run, acreate_run = _assistant_methods("create_run")

    # ================================================================== health checks, lifetime
    def _start_health_checks(self) -> None:
        ref = weakref.ref(self)
        stop = self._stop
        interval = self.health_check_interval

        def loop() -> None:
            while not stop.wait(interval):
                router = ref()
                if router is None:
                    return
                router._check_health(stop)
                del router

        self._health = threading.Thread(target=loop, name="litegate-router-health", daemon=True)
        self._health.start()

    def _check_health(self, stop: threading.Event) -> None:
        """One round of health checks: an unhealthy deployment goes into cooldown."""
        from ..health import health_check

        for d in list(self._order):
            if stop.is_set():
                return
            kw = {k: v for k, v in d.call_kwargs.items() if k not in ("model", "num_retries")}
            kw["timeout"] = min(float(kw.get("timeout") or self.timeout or 30.0), 30.0)
            mode = d.model_info.get("mode") or "completion"
            if mode not in ("completion", "chat", "embedding", "rerank"):
                continue
            result = health_check(d.litellm_params["model"], mode, **kw)
            if not result.get("healthy"):
                log.warning(
                    "router: health check of deployment %s (%r) failed: %s",
                    d.id,
                    d.model_name,
                    result.get("error_message"),
                )
                self.state.cooldown(d.model_name, d.id, self._cooldown)

    def close(self) -> None:
        """Stop the health checks and close the Redis connections."""
        self._stop.set()
        t = self._health
        if t is not None and t.is_alive() and t is not threading.current_thread():
            t.join(timeout=5)
        self.state.close()
        own, self._own_cache = self._own_cache, None
        if own is not None:
            own.close()

    def discard(self) -> None:
        self.close()

    def __enter__(self) -> Router:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        stop = self.__dict__.get("_stop")
        if stop is not None:
            stop.set()

    def __repr__(self) -> str:
        return f"litegate.Router(groups={list(self._groups)}, routing_strategy={self.routing_strategy!r})"


# ====================================================================== helpers
class _GroupRecovery(lifecycle.Recovery):
    """Mid-stream recovery whose targets after the broken deployment are the deployments of the
    Router's fallback groups for the error (the rest - prefill, splicing, accounting - is the
    lifecycle's)."""

    __slots__ = ("router", "group", "request")

    def __init__(self, plan: lifecycle.Plan, transport: Any, router: Router, group: str, request: _Request):
        super().__init__(plan, transport)
        self.router = router
        self.group = group
        self.request = request

    def targets(self, exc: BaseException) -> list[Any]:
        router, request = self.router, self.request
        out = [self.plan.call]
        ep = cast("Endpoint", ENDPOINTS.get(request.name))  # a stream's endpoint: one of the table
        for name in router._chain(exc, self.group, request.opts):
            for d in router._groups.get(router.model_group_alias.get(name, name)) or ():
                try:
                    out.append(_bind(ep, router._call_kwargs(d, request)))
                except LiteLLMException:
                    continue
        return out


_client: Any = None


def _transport() -> Any:
    """The default client's transport (the one ``litegate.completion`` uses)."""
    global _client
    if _client is None:
        from ..client import default_client

        _client = default_client()
    return _client.transport


def _bind(ep: Endpoint, kw: dict[str, Any], group: str | None = None) -> Any:
    """Validate one deployment attempt's arguments (``kw`` holds the positional ones by name). With
    ``group``, the cache keys of the call use the model group, not the deployment: every deployment
    of a group answers from the same cache entries (as in litellm)."""
    names = ep.positional
    if len(names) == 2:
        call = ep.validate(kw.pop(names[0], None), kw.pop(names[1], None), kw)
    else:
        call = bind(ep, (), kw)
    if group is not None:
        call.ctl.cache_group = group
    return call


def _tokens(result: Any) -> int:
    """The total tokens an answer used (0 for a cached answer: no deployment spent them)."""
    usage = getattr(result, "usage", None)
    if usage is None:
        return 0
    total = usage.get("total_tokens") if isinstance(usage, dict) else getattr(usage, "total_tokens", None)
    if not total:
        return 0
    hidden = getattr(result, "_hidden_params", None)
    if hidden and hidden.get("cache_hit"):
        return 0
    return int(total)


def _provider_of(d: Deployment) -> str:
    """A deployment's provider (its ``custom_llm_provider``, else its model's prefix)."""
    p: str | None = d.litellm_params.get("custom_llm_provider")
    if p:
        return p
    from ..core.resolve import split_model

    try:
        return split_model(d.litellm_params["model"], None, None)[0]
    except LiteLLMException:
        return "openai"


def _fell_back(result: Any, group: str) -> Any:
    hidden = getattr(result, "_hidden_params", None)
    if isinstance(hidden, dict):
        hidden["fallback_from"] = group
    return result


def _custom_pick(func: CustomStrategy, group: str, healthy: list[Deployment], request: _Request) -> Deployment:
    got = func(
        group,
        [to_deployment(d) for d in healthy],
        messages=request.values.get("messages"),
        input=request.values.get("input"),
        request_kwargs=request.kwargs,
    )
    return _as_deployment(got, healthy)


def _object_args(fn: Callable[..., Any], group: str, healthy: list[Deployment], request: _Request) -> dict[str, Any]:
    """litellm's arguments of a strategy object's method, plus ``healthy_deployments`` (copies) when
    the method takes it (or ``**kwargs``)."""
    kw = {
        "model": group,
        "messages": request.values.get("messages"),
        "input": request.values.get("input"),
        "specific_deployment": False,
        "request_kwargs": request.kwargs,
    }
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return kw
    if "healthy_deployments" in params or any(p.kind is p.VAR_KEYWORD for p in params.values()):
        kw["healthy_deployments"] = [to_deployment(d) for d in healthy]
    return kw


def _as_deployment(got: object, healthy: list[Deployment]) -> Deployment:
    """The healthy deployment a custom strategy named (a Deployment, a dict, or an id)."""
    ident: object
    if isinstance(got, Deployment):
        ident = got.id
    elif isinstance(got, dict):
        ident = (got.get("model_info") or {}).get("id")
    else:
        ident = got
    for d in healthy:
        if d.id == ident:
            return d
    raise input_error(
        f"the custom routing strategy returned {ident!r}, which is not one of the healthy "
        f"deployments ({', '.join(d.id for d in healthy)})",
        None,
    )


def _check_int(name: str, value: Any) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise input_error(f"{name} must be a non-negative integer, got {value!r}", None, type_error=True)
    return value


def _check_rules(name: str, rules: object) -> FallbackRules | None:
    if rules is None:
        return None
    if not isinstance(rules, list):
        raise input_error(f"{name} must be a list, e.g. [{{'group-a': ['group-b']}}]", None, type_error=True)
    for rule in rules:
        if isinstance(rule, dict):
            for k, v in rule.items():
                if k != "model" and not isinstance(v, list):
                    raise input_error(f"{name}: {k!r} must map to a list of model groups", None, type_error=True)
        elif not isinstance(rule, str):
            raise input_error(
                f"{name}: each rule is a dict {{group: [fallback groups]}} or a group name", None, type_error=True
            )
    return rules


__all__ = ["Router"]
