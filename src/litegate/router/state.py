"""Where a Router keeps what it learns: usage per minute, in-flight counts, latency, failures and
cooldowns. One interface, two stores:

* :class:`MemoryState` (default): one process, a lock around small dicts.
* :class:`RedisState` (``redis_host`` / ``redis_port`` / ``redis_password`` / ``redis_url``):
  every process or machine behind one Redis shares one view. Each operation of a call is one
  round trip (a pipeline or a Lua script, so updates are atomic); every key expires; a group's
  keys carry the hash tag ``{group}`` so they live on one Redis Cluster slot. When Redis cannot be
  reached the store says so in the log once and carries on with a local :class:`MemoryState`
  (retrying Redis after a short pause).

The coarse operations are what a routed call needs, at most one round trip each:

``snapshot``  before choosing: cooled-down ids, plus usage / in-flight / latency when the
              strategy reads them
``reserve``   usage-based routing: take one request and the estimated tokens from a deployment's
              per-minute allowance, atomically, only if it stays within its ``rpm`` / ``tpm``
``start``     an in-flight request begins (least-busy)
``finish``    the outcome: tokens (a correction of the reservation), latency, in-flight end, the
              failure count (and a cooldown once it reaches ``allowed_fails``) or its reset
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio
    import weakref
    from collections.abc import Awaitable
    from typing import TypeAlias, TypeVar

    _T = TypeVar("_T")
    #: what a snapshot reads besides cooldowns: (usage, in-flight, latency)
    Needs: TypeAlias = tuple[bool, bool, bool]
    #: a group's view as a round trip left it: (monotonic time read, ids, needs, minute, snapshot)
    View: TypeAlias = tuple[float, list[str], Needs, int, "Snapshot"]
    #: successes written behind, per (group, id, minute):
    #: [tokens, requests, in-flight ended, latency sum, latency count, ok]
    Pending: TypeAlias = dict[tuple[str, str, int], list[Any]]
    #: one FINISH script call of a batch: (keys, args, group, ids read, needs, minute)
    BatchCall: TypeAlias = tuple[list[str], list[Any], str, "list[str] | None", Needs, int]

log = logging.getLogger("litegate.router")

WINDOW = 60  # seconds: usage is counted per clock minute
USAGE_TTL = 2 * WINDOW  # a minute's counters are kept a little longer than the minute
DEFAULT_TTL = 3600  # latency and in-flight keys without router_ttl


@dataclass
class Snapshot:
    cooled: dict[str, float] = field(default_factory=dict)  # id -> monotonic-free wall time the cooldown ends
    usage: dict[str, tuple[int, int]] = field(default_factory=dict)  # id -> (tokens, requests) this minute
    inflight: dict[str, int] = field(default_factory=dict)  # id -> requests in flight
    latency: dict[str, float] = field(default_factory=dict)  # id -> EWMA seconds (time to first token for streams)


@dataclass(slots=True)
class Outcome:
    """What one attempt on one deployment did (``finish``)."""

    tokens: int = 0  # tokens to add to this minute (a correction when a reservation was made)
    requests: int = 0  # requests to add (0 when a reservation already counted it)
    latency: float | None = None  # seconds, recorded when the strategy reads latency
    failed: bool = False  # a failure that counts towards allowed_fails
    ok: bool = False  # a success: the consecutive failure count resets
    started: int = 0  # in-flight requests that ended (True = 1)
    reserved: bool = False  # corrects a usage-based reservation: sent at once, never written behind


_NO_OUTCOME = Outcome()
_EMPTY = Snapshot()  # shared, never modified: readers only look things up in it


class MemoryState:
    """One process's view (the default)."""

    shared = False

    def __init__(self, clock: Callable[[], float] = time.time, ttl: float | None = None, alpha: float = 0.3):
        self.clock = clock
        self.alpha = alpha
        self._lock = threading.Lock()
        self._usage: dict[str, list[int]] = {}  # id -> [minute, tokens, requests]
        self._inflight: dict[str, int] = {}  # id -> n
        self._latency: dict[str, float] = {}  # id -> ewma
        self._fails: dict[str, list[float]] = {}  # id -> [count, last failure]
        self._cool: dict[str, float] = {}  # id -> until

    # ------------------------------------------------------------------ reads
    def snapshot(
        self,
        group: str,
        ids: Iterable[str],
        usage: bool = False,
        inflight: bool = False,
        latency: bool = False,
        fresh: bool = False,
    ) -> Snapshot:
        cool = self._cool
        if not (cool or usage or inflight or latency):
            return _EMPTY  # the common case: nothing cooling down, nothing else asked
        snap = Snapshot()
        now = self.clock()
        minute = int(now // WINDOW)
        with self._lock:
            for i in ids:
                until = cool.get(i)
                if until is not None:
                    if until > now:
                        snap.cooled[i] = until
                    else:
                        del cool[i]
                if usage:
                    u = self._usage.get(i)
                    snap.usage[i] = (u[1], u[2]) if u is not None and u[0] == minute else (0, 0)
                if inflight:
                    snap.inflight[i] = self._inflight.get(i, 0)
                if latency and i in self._latency:
                    snap.latency[i] = self._latency[i]
        return snap

    async def asnapshot(
        self,
        group: str,
        ids: Iterable[str],
        usage: bool = False,
        inflight: bool = False,
        latency: bool = False,
        fresh: bool = False,
    ) -> Snapshot:
        return self.snapshot(group, ids, usage, inflight, latency)

    # ------------------------------------------------------------------ writes
    def reserve(self, group: str, id: str, tokens: int, tpm: int | None, rpm: int | None) -> bool:
        minute = int(self.clock() // WINDOW)
        with self._lock:
            u = self._usage.get(id)
            if u is None or u[0] != minute:
                u = self._usage[id] = [minute, 0, 0]
            if (rpm is not None and u[2] + 1 > rpm) or (tpm is not None and u[1] + tokens > tpm):
                return False
            u[1] += tokens
            u[2] += 1
            return True

    async def areserve(self, group: str, id: str, tokens: int, tpm: int | None, rpm: int | None) -> bool:
        return self.reserve(group, id, tokens, tpm, rpm)

    def start(self, group: str, id: str) -> None:
        with self._lock:
            self._inflight[id] = self._inflight.get(id, 0) + 1

    async def astart(self, group: str, id: str) -> None:
        self.start(group, id)

    def finish(self, group: str, id: str, out: Outcome, allowed_fails: int, cooldown: float) -> bool:
        """Record ``out``; True when this failure put the deployment in cooldown."""
        now = self.clock()
        cooled = False
        with self._lock:
            if out.tokens or out.requests:
                minute = int(now // WINDOW)
                u = self._usage.get(id)
                if u is None or u[0] != minute:
                    u = self._usage[id] = [minute, 0, 0]
                u[1] += out.tokens
                u[2] += out.requests
            if out.started:
                n = self._inflight.get(id, 0) - 1
                if n > 0:
                    self._inflight[id] = n
                else:
                    self._inflight.pop(id, None)
            if out.latency is not None:
                old = self._latency.get(id)
                self._latency[id] = out.latency if old is None else self.alpha * out.latency + (1 - self.alpha) * old
            if out.failed:
                f = self._fails.get(id)
                # consecutive failures: a count older than the cooldown window starts again
                if f is None or now - f[1] > max(cooldown, WINDOW):
                    f = self._fails[id] = [0, now]
                f[0] += 1
                f[1] = now
                if f[0] >= allowed_fails:
                    cooled = self._cool_locked(id, now + cooldown)
                    del self._fails[id]
            elif out.ok and self._fails:
                self._fails.pop(id, None)
        return cooled

    async def afinish(self, group: str, id: str, out: Outcome, allowed_fails: int, cooldown: float) -> bool:
        return self.finish(group, id, out, allowed_fails, cooldown)

    def ok(self, id: str, tokens: int) -> None:
        """A success, for strategies that read nothing but cooldowns: ``finish`` with one request,
        ``tokens``, no latency, no in-flight count (the Router's fast path)."""
        minute = int(self.clock() // WINDOW)
        with self._lock:
            u = self._usage.get(id)
            if u is None or u[0] != minute:
                u = self._usage[id] = [minute, 0, 0]
            u[1] += tokens
            u[2] += 1
            if self._fails:
                self._fails.pop(id, None)

    def cooldown(self, group: str, id: str, seconds: float) -> bool:
        with self._lock:
            return self._cool_locked(id, self.clock() + seconds)

    def _cool_locked(self, id: str, until: float) -> bool:
        # a second cooldown never shortens a longer one already running
        if self._cool.get(id, 0.0) >= until:
            return False
        self._cool[id] = until
        return True

    def clear(self, group: str | None = None, ids: Iterable[str] | None = None) -> None:
        with self._lock:
            if ids is None:
                self._usage.clear()
                self._inflight.clear()
                self._latency.clear()
                self._fails.clear()
                self._cool.clear()
                return
            for i in ids:
                for d in (self._usage, self._inflight, self._latency, self._fails, self._cool):
                    d.pop(i, None)

    def flush(self) -> None:
        pass

    async def aflush(self) -> None:
        pass

    def close(self) -> None:
        pass


# ====================================================================================== Redis
_PREFIX = "litegate:router"

# KEYS[1] usage hash of this minute; ARGV: tokens, tpm (-1 none), rpm (-1 none), ttl seconds
_RESERVE = """
local t = tonumber(redis.call('HGET', KEYS[1], 't') or '0')
local r = tonumber(redis.call('HGET', KEYS[1], 'r') or '0')
local tokens = tonumber(ARGV[1])
local tpm = tonumber(ARGV[2])
local rpm = tonumber(ARGV[3])
if (rpm >= 0 and r + 1 > rpm) or (tpm >= 0 and t + tokens > tpm) then return 0 end
redis.call('HINCRBY', KEYS[1], 't', tokens)
redis.call('HINCRBY', KEYS[1], 'r', 1)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return 1
"""

# KEYS[1] in-flight counter; ARGV: ttl seconds
_START = """
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
return 1
"""

# KEYS: cooldown key; ARGV: cooldown ms, now
_COOL = """
local ms = tonumber(ARGV[1])
local left = redis.call('PTTL', KEYS[1])
if left >= ms then return 0 end
redis.call('SET', KEYS[1], tostring(tonumber(ARGV[2]) + ms / 1000.0), 'PX', ms)
return 1
"""

# One round trip per routed call: the outcome's writes and the read of the group's state.
# KEYS: 1 usage hash (this minute), 2 in-flight, 3 latency, 4 failure count, 5 cooldown; then per
#       deployment of the group: its cooldown key [, usage hash] [, in-flight] [, latency]
# ARGV: 1 tokens, 2 requests, 3 usage ttl, 4 in-flight requests ended, 5 ttl, 6 latency ('' = none), 7 alpha,
#       8 failed, 9 ok, 10 allowed_fails, 11 cooldown ms, 12 failure window s, 13 now,
#       14 deployments to read, 15 read usage, 16 read in-flight, 17 read latency
# Returns {cooled now (0/1), then per deployment: cooldown end [, tokens, requests] [, in-flight] [, latency]}
_FINISH = """
local tokens, requests = tonumber(ARGV[1]), tonumber(ARGV[2])
if tokens ~= 0 or requests ~= 0 then
  if tokens ~= 0 then redis.call('HINCRBY', KEYS[1], 't', tokens) end
  if requests ~= 0 then redis.call('HINCRBY', KEYS[1], 'r', requests) end
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
end
if tonumber(ARGV[4]) > 0 then
  redis.call('DECRBY', KEYS[2], tonumber(ARGV[4]))
  redis.call('EXPIRE', KEYS[2], tonumber(ARGV[5]))
end
if ARGV[6] ~= '' then
  local v = tonumber(ARGV[6])
  local old = redis.call('GET', KEYS[3])
  if old then v = tonumber(ARGV[7]) * v + (1 - tonumber(ARGV[7])) * tonumber(old) end
  redis.call('SET', KEYS[3], tostring(v), 'EX', tonumber(ARGV[5]))
end
local out = {0}
if ARGV[8] == '1' then
  local n = redis.call('INCR', KEYS[4])
  redis.call('EXPIRE', KEYS[4], tonumber(ARGV[12]))
  if n >= tonumber(ARGV[10]) then
    redis.call('DEL', KEYS[4])
    local ms = tonumber(ARGV[11])
    if redis.call('PTTL', KEYS[5]) < ms then
      redis.call('SET', KEYS[5], tostring(tonumber(ARGV[13]) + ms / 1000.0), 'PX', ms)
      out[1] = 1
    end
  end
elseif ARGV[9] == '1' then
  redis.call('DEL', KEYS[4])
end
local ru, rb, rl = ARGV[15] == '1', ARGV[16] == '1', ARGV[17] == '1'
local k = 6
for i = 1, tonumber(ARGV[14]) do
  out[#out + 1] = redis.call('GET', KEYS[k]) or ''
  k = k + 1
  if ru then
    local u = redis.call('HMGET', KEYS[k], 't', 'r')
    out[#out + 1] = u[1] or '0'
    out[#out + 1] = u[2] or '0'
    k = k + 1
  end
  if rb then
    out[#out + 1] = redis.call('GET', KEYS[k]) or '0'
    k = k + 1
  end
  if rl then
    out[#out + 1] = redis.call('GET', KEYS[k]) or ''
    k = k + 1
  end
end
return out
"""


def _key(group: str, kind: str, id: str, extra: str = "") -> str:
    # {group}: every key of a group hashes to one Redis Cluster slot (atomic multi-key scripts)
    return f"{_PREFIX}:{{{group}}}:{kind}:{id}{extra}"


class RedisState:
    """The shared view: every replica behind one Redis sees the same usage, latency and cooldowns."""

    shared = True
    RETRY_AFTER = 5.0  # seconds on local state after Redis failed, before trying it again
    REFRESH = 1.0  # seconds a group's view read with a call's last round trip serves the next calls
    FLUSH = 0.1  # seconds successes are added up locally before one round trip sends them all

    def __init__(
        self,
        *,
        url: str | None = None,
        host: str | None = None,
        port: int | None = None,
        password: str | None = None,
        clock: Callable[[], float] = time.time,
        ttl: float | None = None,
        alpha: float = 0.3,
        socket_timeout: float = 1.0,
        **redis_kwargs: Any,
    ):
        try:
            import redis  # noqa: F401 - optional dependency, imported on first use
        except ImportError:
            raise ImportError("Router Redis settings need the 'redis' package: pip install 'litegate[redis]'") from None
        self.clock = clock
        self.alpha = alpha
        self.ttl = int(ttl) if ttl else None
        self.local = MemoryState(clock, ttl, alpha)
        self._down_until = 0.0
        self._warned = False
        self.outages = 0  # times Redis failed and this process went on with local state
        self._params = dict(
            url=url,
            host=host or "127.0.0.1",
            port=int(port or 6379),
            password=password,
            socket_timeout=socket_timeout,
            socket_connect_timeout=redis_kwargs.pop("socket_connect_timeout", socket_timeout),
            **redis_kwargs,
        )
        self._sync: Any = None  # the redis client (one server, a cluster, or a Sentinel's primary)
        self._async: dict[asyncio.AbstractEventLoop, Any] = {}  # event loop -> redis.asyncio client
        self._lock = threading.Lock()
        # group -> (monotonic time read, ids, needs, minute, Snapshot): refreshed by every call's
        # finishing round trip, so a busy router reads shared state without a round trip of its own
        self._views: dict[str, View] = {}
        self._scripts: dict[int, Any] = {}  # id(client) -> its registered FINISH script
        self._pending: Pending = {}  # (group, id, minute) -> successes not sent yet (see _now_or_later)
        self._flushed = time.monotonic()
        import atexit
        import weakref

        atexit.register(_flush_at_exit, weakref.ref(self))

    # ------------------------------------------------------------------ clients
    def _kw(self) -> dict[str, Any]:
        p = dict(self._params)
        url = p.pop("url")
        return {"url": url, **{k: v for k, v in p.items() if k not in ("host", "port", "password")}} if url else p

    def _make(self, aio: bool) -> Any:
        """A client: Redis Cluster (``startup_nodes``), Sentinel (``sentinel_nodes`` +
        ``service_name``: the current primary) or one server (``url`` / host and port)."""
        from redis.backoff import NoBackoff

        mod: Any
        retry: object  # each command is tried once: the store falls back at once, no retry loop
        if aio:
            import redis.asyncio as mod
            from redis.asyncio.retry import Retry as AsyncRetry

            retry = AsyncRetry(NoBackoff(), 0)
        else:
            import redis as mod
            from redis.retry import Retry

            retry = Retry(NoBackoff(), 0)

        kw = self._kw()
        url = kw.pop("url", None)
        cluster, sentinels, service = (
            kw.pop("startup_nodes", None),
            kw.pop("sentinel_nodes", None),
            kw.pop("service_name", None),
        )
        if cluster:
            from importlib import import_module

            cl = import_module(mod.__name__ + ".cluster")
            nodes = [cl.ClusterNode(*_host_port(n)) for n in cluster]
            return cl.RedisCluster(
                startup_nodes=nodes,
                password=self._params.get("password"),
                socket_timeout=kw.get("socket_timeout"),
                socket_connect_timeout=kw.get("socket_connect_timeout"),
            )
        if sentinels:
            from importlib import import_module

            sn = import_module(mod.__name__ + ".sentinel")
            timeouts = {k: kw[k] for k in ("socket_timeout", "socket_connect_timeout") if k in kw}
            watch = sn.Sentinel([_host_port(n) for n in sentinels], sentinel_kwargs=dict(timeouts), **timeouts)
            return watch.master_for(
                service or "mymaster", password=self._params.get("password"), retry=retry, **timeouts
            )
        kw.setdefault("retry", retry)
        return mod.Redis.from_url(url, **kw) if url else mod.Redis(**kw)

    def client(self) -> Any:
        c = self._sync
        if c is None:
            c = self._sync = self._make(False)
        return c

    def aclient(self) -> Any:
        import asyncio

        loop = asyncio.get_running_loop()
        c = self._async.get(loop)
        if c is None:
            c = self._make(True)
            with self._lock:
                for old in [lp for lp in self._async if lp.is_closed()]:
                    self._async.pop(old, None)
                self._async[loop] = c
        return c

    # ------------------------------------------------------------------ outage handling
    def _up(self) -> bool:
        return self._down_until == 0.0 or time.monotonic() >= self._down_until

    def _down(self, exc: BaseException) -> None:
        from ..core.redact import redact

        self._down_until = time.monotonic() + self.RETRY_AFTER
        self.outages += 1
        if not self._warned:
            self._warned = True
            log.warning(
                "router: Redis is unreachable (%s); routing on this process's own state until it is back",
                redact(f"{type(exc).__name__}: {exc}"),
            )

    def _back(self) -> None:
        if self._warned:
            self._warned = False
            self._down_until = 0.0
            log.warning("router: Redis is reachable again; shared state resumed")

    def _run(self, build: Callable[[Any], None], parse: Callable[[list[Any]], _T], local: Callable[[], _T]) -> _T:
        if not self._up():
            return local()
        try:
            pipe = self.client().pipeline(transaction=False)
            build(pipe)
            out = parse(pipe.execute())
        except Exception as exc:  # noqa: BLE001 - any Redis failure: local state, said once
            if not _redis_error(exc):
                raise
            self._down(exc)
            return local()
        if self._warned:
            self._back()
        return out

    def _call(self, make: Callable[[Any], Any], parse: Callable[[Any], _T], local: Callable[[], _T]) -> _T:
        """One command (the FINISH script) on the client; local state when Redis fails."""
        if not self._up():
            return local()
        try:
            out = parse(make(self.client()))
        except Exception as exc:  # noqa: BLE001
            if not _redis_error(exc):
                raise
            self._down(exc)
            return local()
        if self._warned:
            self._back()
        return out

    async def _acall(
        self, make: Callable[[Any], Awaitable[Any]], parse: Callable[[Any], _T], local: Callable[[], _T]
    ) -> _T:
        if not self._up():
            return local()
        try:
            out = parse(await make(self.aclient()))
        except Exception as exc:  # noqa: BLE001
            if not _redis_error(exc):
                raise
            self._down(exc)
            return local()
        if self._warned:
            self._back()
        return out

    async def _arun(
        self, build: Callable[[Any], None], parse: Callable[[list[Any]], _T], local: Callable[[], _T]
    ) -> _T:
        if not self._up():
            return local()
        try:
            pipe = self.aclient().pipeline(transaction=False)
            build(pipe)
            out = parse(await pipe.execute())
        except Exception as exc:  # noqa: BLE001
            if not _redis_error(exc):
                raise
            self._down(exc)
            return local()
        if self._warned:
            self._back()
        return out

    # ------------------------------------------------------------------ operations
    def _script_call(
        self,
        group: str,
        id: str | None,
        out: Outcome | None,
        allowed_fails: int,
        cooldown: float,
        ids: list[str] | None,
        needs: Needs,
        minute: int | None = None,
    ) -> tuple[list[str], list[Any], int]:
        """(keys, args, minute) of one FINISH call: ``out`` written for ``id`` (None: no write) into
        the usage of ``minute`` (default: now), the group's state read for ``ids`` (None: no read)."""
        now = self.clock()
        current = int(now // WINDOW)
        minute = current if minute is None else minute
        usage, inflight, latency = needs
        one = id or "-"
        keys = [
            _key(group, "use", one, f":{minute}"),
            _key(group, "busy", one),
            _key(group, "lat", one),
            _key(group, "fail", one),
            _key(group, "cool", one),
        ]
        for i in ids or ():
            keys.append(_key(group, "cool", i))
            if usage:
                keys.append(_key(group, "use", i, f":{current}"))
            if inflight:
                keys.append(_key(group, "busy", i))
            if latency:
                keys.append(_key(group, "lat", i))
        o = out or _NO_OUTCOME
        args: list[Any] = [
            o.tokens,
            o.requests,
            USAGE_TTL,
            int(o.started),
            self.ttl or DEFAULT_TTL,
            "" if o.latency is None else repr(float(o.latency)),
            repr(self.alpha),
            int(o.failed),
            int(o.ok),
            max(1, allowed_fails),
            max(1, int(cooldown * 1000)),
            int(max(cooldown, WINDOW)) + 1,
            repr(now),
            len(ids or ()),
            int(usage),
            int(inflight),
            int(latency),
        ]
        return keys, args, current

    def _parse_view(self, group: str, ids: list[str], needs: Needs, minute: int, res: list[Any]) -> Snapshot:
        """The group's state from a FINISH reply, kept as the cached view (see ``snapshot``)."""
        usage, inflight, latency = needs
        snap = Snapshot()
        k = 1
        for i in ids:
            v = res[k]
            k += 1
            if v:
                snap.cooled[i] = float(v)
            if usage:
                snap.usage[i] = (int(res[k]), int(res[k + 1]))
                k += 2
            if inflight:
                snap.inflight[i] = max(0, int(res[k]))
                k += 1
            if latency:
                if res[k]:
                    snap.latency[i] = float(res[k])
                k += 1
        self._views[group] = (time.monotonic(), ids, needs, minute, snap)
        return snap

    def _current(self, snap: Snapshot) -> Snapshot:
        """``snap`` without the cooldowns that ended since it was read."""
        if snap.cooled:
            now = self.clock()
            cooled = {i: u for i, u in snap.cooled.items() if u > now}
            if len(cooled) != len(snap.cooled):
                snap = Snapshot(cooled, snap.usage, snap.inflight, snap.latency)
        return snap

    def _cached(self, group: str, ids: list[str], needs: Needs) -> Snapshot | None:
        """The group's view as the last round trip left it, when at most REFRESH seconds old and for
        the same deployments and needs (and, for usage, the same minute)."""
        view = self._views.get(group)
        if view is None:
            return None
        at, vids, vneeds, minute, snap = view
        if time.monotonic() - at > self.REFRESH or vids != ids or vneeds != needs:
            return None
        if needs[0] and minute != int(self.clock() // WINDOW):
            return None
        return self._current(snap)

    def _script(self, client: Any) -> Any:
        script = self._scripts.get(id(client))
        if script is None:
            script = self._scripts[id(client)] = client.register_script(_FINISH)
        return script

    def snapshot(
        self,
        group: str,
        ids: Iterable[str],
        usage: bool = False,
        inflight: bool = False,
        latency: bool = False,
        fresh: bool = False,
    ) -> Snapshot:
        """Cooldowns (and usage / in-flight / latency when asked) of ``ids``. A busy router reads the
        view its previous call's round trip brought back (at most REFRESH seconds old); ``fresh``
        always asks Redis."""
        ids = list(ids)
        needs = (usage, inflight, latency)
        if not fresh and self._up():
            snap = self._cached(group, ids, needs)
            if snap is not None:
                return snap
        keys, args, minute = self._script_call(group, None, None, 1, 0, ids, needs)
        return self._call(
            lambda c: self._script(c)(keys=keys, args=args),
            lambda res: self._current(self._parse_view(group, ids, needs, minute, res)),
            lambda: self.local.snapshot(group, ids, usage, inflight, latency),
        )

    async def asnapshot(
        self,
        group: str,
        ids: Iterable[str],
        usage: bool = False,
        inflight: bool = False,
        latency: bool = False,
        fresh: bool = False,
    ) -> Snapshot:
        ids = list(ids)
        needs = (usage, inflight, latency)
        if not fresh and self._up():
            snap = self._cached(group, ids, needs)
            if snap is not None:
                return snap
        keys, args, minute = self._script_call(group, None, None, 1, 0, ids, needs)
        return await self._acall(
            lambda c: self._script(c)(keys=keys, args=args),
            lambda res: self._current(self._parse_view(group, ids, needs, minute, res)),
            lambda: self.local.snapshot(group, ids, usage, inflight, latency),
        )

    def _reserve_args(
        self, group: str, id: str, tokens: int, tpm: int | None, rpm: int | None
    ) -> tuple[str, tuple[int, int, int, int]]:
        minute = int(self.clock() // WINDOW)
        key = _key(group, "use", id, f":{minute}")
        return key, (int(tokens), -1 if tpm is None else int(tpm), -1 if rpm is None else int(rpm), USAGE_TTL)

    def reserve(self, group: str, id: str, tokens: int, tpm: int | None, rpm: int | None) -> bool:
        key, args = self._reserve_args(group, id, tokens, tpm, rpm)
        return self._call(
            lambda c: c.eval(_RESERVE, 1, key, *args), bool, lambda: self.local.reserve(group, id, tokens, tpm, rpm)
        )

    async def areserve(self, group: str, id: str, tokens: int, tpm: int | None, rpm: int | None) -> bool:
        key, args = self._reserve_args(group, id, tokens, tpm, rpm)
        return await self._acall(
            lambda c: c.eval(_RESERVE, 1, key, *args), bool, lambda: self.local.reserve(group, id, tokens, tpm, rpm)
        )

    def start(self, group: str, id: str) -> None:
        key, ttl = _key(group, "busy", id), self.ttl or DEFAULT_TTL
        self._call(lambda c: c.eval(_START, 1, key, ttl), _ignore, lambda: self.local.start(group, id))

    async def astart(self, group: str, id: str) -> None:
        key, ttl = _key(group, "busy", id), self.ttl or DEFAULT_TTL
        await self._acall(lambda c: c.eval(_START, 1, key, ttl), _ignore, lambda: self.local.start(group, id))

    def _finish_call(
        self, group: str, id: str, out: Outcome, allowed_fails: int, cooldown: float
    ) -> tuple[list[str], list[Any], Callable[[list[Any]], bool]]:
        view = self._views.get(group)
        ids, needs = (view[1], view[2]) if view is not None else (None, (False, False, False))
        keys, args, minute = self._script_call(group, id, out, allowed_fails, cooldown, ids, needs)

        def parse(res: list[Any]) -> bool:
            if ids is not None:
                self._parse_view(group, ids, needs, minute, res)
            return bool(res[0])

        return keys, args, parse

    def _now_or_later(self, group: str, id: str, out: Outcome) -> Pending | None:
        """Successes are written behind: added up here and sent together at most every FLUSH seconds
        (one round trip for all of them); a failure goes at once (cooldowns are shared promptly), and
        so does the correction of a usage-based reservation (limits are enforced on it).
        Returns the batch to send now, if any."""
        minute = int(self.clock() // WINDOW)
        now = time.monotonic()
        with self._lock:
            acc = self._pending.get((group, id, minute))
            if acc is None:
                acc = self._pending[(group, id, minute)] = [0, 0, 0, 0.0, 0, False]
            acc[0] += out.tokens
            acc[1] += out.requests
            acc[2] += int(out.started)
            if out.latency is not None:
                acc[3] += out.latency
                acc[4] += 1
            acc[5] = acc[5] or out.ok
            if now - self._flushed < self.FLUSH:
                return None
            batch, self._pending, self._flushed = self._pending, {}, now
        return batch

    def _batch_calls(self, batch: Pending) -> list[BatchCall]:
        """(keys, args, parse) per pending entry; the last entry of a group also reads its view."""
        last = {}
        for key in batch:
            last[key[0]] = key
        calls: list[BatchCall] = []
        for key, acc in batch.items():
            group, id, minute = key
            out = Outcome(
                tokens=acc[0], requests=acc[1], started=acc[2], latency=(acc[3] / acc[4]) if acc[4] else None, ok=acc[5]
            )
            view = self._views.get(group) if last[group] == key else None
            ids, needs = (view[1], view[2]) if view is not None else (None, (False, False, False))
            keys, args, current = self._script_call(group, id, out, 1, 0, ids, needs, minute)
            calls.append((keys, args, group, ids, needs, current))
        return calls

    def _local_batch(self, batch: Pending) -> None:
        for (group, id, _), acc in batch.items():
            self.local.finish(group, id, Outcome(tokens=acc[0], requests=acc[1], started=acc[2] > 0), 1, 0)

    def _parse_batch(self, calls: list[BatchCall], res: list[Any]) -> None:
        for (_keys, _args, group, ids, needs, current), r in zip(calls, res, strict=False):  # a reply per call
            if ids is not None:
                self._parse_view(group, ids, needs, current, r)

    def flush(self) -> None:
        """Send the written-behind usage now (before reading shared usage, and at close)."""
        with self._lock:
            batch, self._pending, self._flushed = self._pending, {}, time.monotonic()
        if batch:
            self._send(batch)

    async def aflush(self) -> None:
        with self._lock:
            batch, self._pending, self._flushed = self._pending, {}, time.monotonic()
        if batch:
            await self._asend(batch)

    def _send(self, batch: Pending) -> None:
        calls = self._batch_calls(batch)
        if self._params.get("startup_nodes"):  # a cluster: one script call per entry (each on its slot)

            def each(c: Any) -> list[Any]:
                script = self._script(c)
                return [script(keys=keys, args=args) for keys, args, *_ in calls]

            self._call(each, lambda res: self._parse_batch(calls, res), lambda: self._local_batch(batch))
            return

        def build(p: Any) -> None:
            script = self._script(self.client())
            for keys, args, *_ in calls:
                script(keys=keys, args=args, client=p)

        self._run(build, lambda res: self._parse_batch(calls, res), lambda: self._local_batch(batch))

    async def _asend(self, batch: Pending) -> None:
        calls = self._batch_calls(batch)
        if not self._up():
            self._local_batch(batch)
            return
        try:
            client = self.aclient()
            script = self._script(client)
            if self._params.get("startup_nodes"):  # a cluster: one script call per entry
                res = [await script(keys=keys, args=args) for keys, args, *_ in calls]
            else:
                pipe = client.pipeline(transaction=False)
                for keys, args, *_ in calls:
                    await script(keys=keys, args=args, client=pipe)  # queued on the pipeline
                res = await pipe.execute()
            self._parse_batch(calls, res)
        except Exception as exc:  # noqa: BLE001
            if not _redis_error(exc):
                raise
            self._down(exc)
            self._local_batch(batch)
            return
        if self._warned:
            self._back()

    def finish(self, group: str, id: str, out: Outcome, allowed_fails: int, cooldown: float) -> bool:
        """Record ``out``: a failure at once, in one script call that also reads the group's state
        back; a success written behind (see ``_now_or_later``). True when this put it in cooldown."""
        if out.failed or out.reserved or not self._up():
            keys, args, parse = self._finish_call(group, id, out, allowed_fails, cooldown)
            return self._call(
                lambda c: self._script(c)(keys=keys, args=args),
                parse,
                lambda: self.local.finish(group, id, out, allowed_fails, cooldown),
            )
        batch = self._now_or_later(group, id, out)
        if batch:
            self._send(batch)
        return False

    async def afinish(self, group: str, id: str, out: Outcome, allowed_fails: int, cooldown: float) -> bool:
        if out.failed or out.reserved or not self._up():
            keys, args, parse = self._finish_call(group, id, out, allowed_fails, cooldown)
            return await self._acall(
                lambda c: self._script(c)(keys=keys, args=args),
                parse,
                lambda: self.local.finish(group, id, out, allowed_fails, cooldown),
            )
        batch = self._now_or_later(group, id, out)
        if batch:
            await self._asend(batch)
        return False

    def cooldown(self, group: str, id: str, seconds: float) -> bool:
        self._views.pop(group, None)
        key = _key(group, "cool", id)
        ms = max(1, int(seconds * 1000))
        return self._call(
            lambda c: c.eval(_COOL, 1, key, ms, repr(self.clock())),
            bool,
            lambda: self.local.cooldown(group, id, seconds),
        )

    def clear(self, group: str | None = None, ids: Iterable[str] | None = None) -> None:
        self.local.clear(group, ids)
        self._views.clear()
        with self._lock:
            self._pending = {
                k: v
                for k, v in self._pending.items()
                if not (group is None or (k[0] == group and (ids is None or k[1] in ids)))
            }
        glob = "".join("\\" + ch if ch in "*?[]\\" else ch for ch in group) if group is not None else None
        pattern = f"{_PREFIX}:*" if glob is None else f"{_PREFIX}:{{{glob}}}:*"
        if not self._up():
            return
        try:
            c = self.client()
            batch = []
            scan = {"target_nodes": c.ALL_NODES} if self._params.get("startup_nodes") else {}
            for key in c.scan_iter(match=pattern, count=500, **scan):
                name = key.decode()
                if ids is not None and not any(name.endswith(f":{i}") or f":{i}:" in name for i in ids):
                    continue
                batch.append(key)
                if len(batch) >= 500:
                    c.delete(*batch)
                    batch = []
            if batch:
                c.delete(*batch)
        except Exception as exc:  # noqa: BLE001
            if not _redis_error(exc):
                raise
            self._down(exc)

    def close(self) -> None:
        try:
            self.flush()
        except Exception:  # noqa: BLE001 - closing: what cannot be sent is lost, said in the log
            log.warning("router: usage not yet sent to Redis was lost at close")
        c, self._sync = self._sync, None
        if c is not None:
            try:
                c.close()
            except Exception:  # noqa: BLE001
                pass
        self._async.clear()
        self._scripts.clear()


def _host_port(node: dict[str, Any] | str | tuple[str, int] | list[Any]) -> tuple[str, int]:
    """``{"host": h, "port": p}``, ``(h, p)`` or ``"h:p"`` -> (h, p)."""
    if isinstance(node, dict):
        return node.get("host", "127.0.0.1"), int(node.get("port", 6379))
    if isinstance(node, str):
        host, _, digits = node.rpartition(":")
        return host or "127.0.0.1", int(digits)
    host, port = node
    return host, int(port)


def _flush_at_exit(ref: weakref.ref[RedisState]) -> None:
    state = ref()
    if state is not None and state._pending:
        try:
            state.flush()
        except Exception:  # noqa: BLE001 - exiting
            pass


def _ignore(_: object) -> None:
    """A reply nothing is read from."""


def _redis_error(exc: BaseException) -> bool:
    try:
        import redis
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, (redis.RedisError, OSError, TimeoutError))


__all__ = ["MemoryState", "Outcome", "RedisState", "Snapshot"]
