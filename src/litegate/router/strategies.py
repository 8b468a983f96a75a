"""Routing strategies: which healthy deployment of a group serves the next call.

Each strategy is a function ``(healthy, snapshot, request) -> Deployment`` (``request`` is the
router's view of the call: it estimates prompt tokens on demand). The stateful ones read what the
store's ``snapshot`` brings (in-flight counts, latency, usage); ``NEEDS`` says which, so the
stateless ones cost no store read beyond cooldowns. Usage-based routing is special: it also
*reserves* its pick atomically (see ``Router._pick``).
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Protocol, TypeAlias

    from .deployment import Deployment
    from .state import Snapshot

    class RequestView(Protocol):
        """What a strategy asks of the call being routed (the Router's ``_Request``)."""

        def tokens(self) -> int: ...

        def max_output(self) -> int: ...

    #: ``(healthy, snapshot, request) -> the deployment to try``
    Strategy: TypeAlias = Callable[[list[Deployment], Snapshot, RequestView], Deployment]
    #: what a strategy reads from the store besides cooldowns: (usage, in-flight, latency)
    Needs: TypeAlias = tuple[bool, bool, bool]

_rand = random.Random()


def _tie(best: list[Deployment]) -> Deployment:
    return best[0] if len(best) == 1 else _rand.choice(best)


def _weights(healthy: list[Deployment], *names: str) -> list[float] | None:
    """Weights from the first of ``names`` any deployment declares (missing ones count as the mean)."""
    for name in names:
        values = [getattr(d, name) for d in healthy]
        given = [v for v in values if v is not None]
        if given:
            mean = sum(given) / len(given)
            return [float(mean if v is None else v) for v in values]
    return None


def prepare_group(group: list[Deployment]) -> None:
    """Per-group facts computed when the deployment table changes: simple-shuffle weights (from
    ``weight``, else ``rpm``, else ``tpm``) and the smallest known context window."""
    weights = _weights(group, "weight", "rpm", "tpm")
    low = min((d._window for d in group if d._window), default=None)
    for i, d in enumerate(group):
        d._shuffle = None if weights is None else weights[i]
        d._group_window = low


def simple_shuffle(healthy: list[Deployment], snap: Snapshot, request: RequestView) -> Deployment:
    """Random; weighted by ``weight``, else ``rpm``, else ``tpm`` when deployments declare them."""
    if len(healthy) == 1:
        return healthy[0]
    if healthy[0]._shuffle is None:
        return _rand.choice(healthy)
    shares = [d._shuffle for d in healthy]
    if None in shares:
        # deployments of several groups (a call naming a model more than one group serves), not all
        # of them weighted: weighed together, by the rule of one group
        mixed = _weights(healthy, "weight", "rpm", "tpm")
        if mixed is None:
            return _rand.choice(healthy)
        weights = mixed
    else:
        weights = cast("list[float]", shares)
    if sum(weights) <= 0:
        return _rand.choice(healthy)
    return _rand.choices(healthy, weights)[0]


def weighted_random(healthy: list[Deployment], snap: Snapshot, request: RequestView) -> Deployment:
    """Random, weighted by ``weight`` (default 1 each)."""
    if len(healthy) == 1:
        return healthy[0]
    weights = [1.0 if d.weight is None else float(d.weight) for d in healthy]
    if sum(weights) <= 0:
        return _rand.choice(healthy)
    return _rand.choices(healthy, weights)[0]


def least_busy(healthy: list[Deployment], snap: Snapshot, request: RequestView) -> Deployment:
    """The fewest requests in flight (ties at random)."""
    counts = snap.inflight
    low = min(counts.get(d.id, 0) for d in healthy)
    return _tie([d for d in healthy if counts.get(d.id, 0) == low])


def latency_based(healthy: list[Deployment], snap: Snapshot, request: RequestView) -> Deployment:
    """The lowest EWMA latency (time to first token for streams). Deployments without a measure yet
    (nor a configured ``latency``) are tried first, so every one gets measured."""
    lat = snap.latency
    unknown = [d for d in healthy if d.id not in lat and d.latency is None]
    if unknown:
        return _tie(unknown)
    values = cast("dict[str, float]", {d.id: lat.get(d.id, d.latency) for d in healthy})  # all known now
    low = min(values.values())
    return _tie([d for d in healthy if values[d.id] <= low * 1.0000001])


def cost_based(healthy: list[Deployment], snap: Snapshot, request: RequestView) -> Deployment:
    """The cheapest for the estimated prompt tokens (plus ``max_tokens`` output when given)."""
    prompt = request.tokens()
    output = request.max_output()
    costs = {}
    for d in healthy:
        inp, out = d._cost if d._cost is not None else (None, None)
        costs[d.id] = (inp or 0.0) * prompt + (out or 0.0) * output if inp is not None else float("inf")
    low = min(costs.values())
    return _tie([d for d in healthy if costs[d.id] == low])


def usage_order(healthy: list[Deployment], snap: Snapshot, request: RequestView) -> list[Deployment]:
    """Usage-based routing: deployments still within their per-minute limits, least used first."""
    est = request.tokens()
    rows = []
    for d in healthy:
        tokens, requests = snap.usage.get(d.id, (0, 0))
        if d.rpm is not None and requests + 1 > d.rpm:
            continue
        if d.tpm is not None and tokens + est > d.tpm:
            continue
        share = max(tokens / d.tpm if d.tpm else 0.0, requests / d.rpm if d.rpm else 0.0)
        if not d.tpm and not d.rpm:
            share = tokens / 1e12  # unlimited: by raw use
        rows.append((share, _rand.random(), d))
    rows.sort(key=lambda r: (r[0], r[1]))
    return [r[2] for r in rows]


STRATEGIES: dict[str, Strategy | None] = {
    "simple-shuffle": simple_shuffle,
    "weighted-random": weighted_random,
    "least-busy": least_busy,
    "latency-based-routing": latency_based,
    "cost-based-routing": cost_based,
    "usage-based-routing": None,  # ordered + reserved by the router (usage_order)
    "usage-based-routing-v2": None,
}
# what each strategy reads from the state store besides cooldowns: (usage, in-flight, latency)
NEEDS: dict[str, Needs] = {
    "least-busy": (False, True, False),
    "latency-based-routing": (False, False, True),
    "usage-based-routing": (True, False, False),
    "usage-based-routing-v2": (True, False, False),
}
NOTHING: Needs = (False, False, False)

__all__ = ["NEEDS", "STRATEGIES", "usage_order"]
