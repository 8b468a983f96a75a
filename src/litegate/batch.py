"""Batch completions: ``litegate.batch_completion`` and ``litegate.abatch_completion``.

Many independent chat completions sent concurrently, built only on the public
``completion`` / ``acompletion`` calls. Two call forms are accepted:

* the request-list form: ``batch_completion(requests=[{"model": ..., "messages": [...], ...}, ...])``
  where every dict holds the arguments of one ``completion`` call;
* the classic form: ``batch_completion(model="...", messages=[[...], [...]], **common)`` which sends
  one request per message list, all to the same model with the same extra arguments.

The result is a list in input order. Each slot holds the request's ``ModelResponse`` or, when that
request failed, the exception instance: one failing request never makes the whole batch raise.
Only a malformed batch (e.g. a request without ``model``) raises, before anything is sent.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .types.params import Messages
    from .types.utils import ModelResponse

DEFAULT_MAX_CONCURRENT_REQUESTS = 100

__all__ = ["batch_completion", "abatch_completion", "DEFAULT_MAX_CONCURRENT_REQUESTS"]


def _as_dict(item: Any, index: int) -> dict[str, Any]:
    """One request as a plain dict of ``completion`` keyword arguments."""
    if isinstance(item, Mapping):
        return dict(item)
    dump = getattr(item, "model_dump", None)
    if callable(dump):  # a pydantic request object
        return {k: v for k, v in dump().items() if v is not None}
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        return {k: v for k, v in dataclasses.asdict(item).items() if v is not None}
    raise TypeError(f"batch request {index} must be a dict of completion arguments, got {type(item).__name__}")


def _build_requests(requests: Any, model: str | None, messages: Any, common: dict[str, Any]) -> list[dict[str, Any]]:
    """Normalise both call forms into a list of ``completion`` keyword dicts (validated)."""
    if requests is not None and messages is not None and model is None and isinstance(requests, str):
        # classic positional call: batch_completion("gpt-4o", [[...], [...]])
        model, requests = requests, None
    if requests is not None:
        if model is not None or messages is not None:
            raise ValueError("batch_completion: pass either requests=[...] or model=/messages=, not both")
        if isinstance(requests, (str, bytes, Mapping)) or not hasattr(requests, "__iter__"):
            raise TypeError("batch_completion: requests must be a list of request dicts")
        built = []
        for i, item in enumerate(requests):
            req = {**common, **_as_dict(item, i)}
            built.append(req)
    else:
        if model is None:
            raise ValueError("batch_completion: 'requests' (or 'model' and 'messages') is required")
        if messages is None:
            raise ValueError("batch_completion: 'messages' is required with 'model'")
        if not isinstance(messages, (list, tuple)):
            raise TypeError("batch_completion: messages must be a list of message lists")
        if messages and isinstance(messages[0], Mapping):
            messages = [messages]  # a single conversation: one request
        built = [{**common, "model": model, "messages": list(m)} for m in messages]
    for i, req in enumerate(built):
        if not req.get("model"):
            raise ValueError(f"batch_completion: request {i} has no 'model'")
        if req.get("messages") is None:
            raise ValueError(f"batch_completion: request {i} has no 'messages'")
    return built


class _Progress:
    """Counts finished requests for ``progress=``: a tqdm bar on stderr (``progress=True``, the
    optional ``progress`` extra) or a callable ``progress(done, total)``. Off by default."""

    def __init__(self, progress: Any, total: int) -> None:
        self.total = total
        self.done = 0
        self.bar = None
        self.callback = None
        if callable(progress):
            self.callback = progress
        elif progress is True:
            try:
                from tqdm import tqdm
            except ImportError:
                raise ImportError(
                    "batch_completion(progress=True) needs tqdm: pip install 'litegate[progress]'"
                ) from None
            self.bar = tqdm(total=total, desc="batch_completion", unit="req", file=sys.stderr, mininterval=0.2)
        elif progress not in (False, None):
            raise TypeError("progress must be True, False or a callable progress(done, total)")

    def step(self) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.update(1)
        if self.callback is not None:
            self.callback(self.done, self.total)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _limit(max_concurrent_requests: int | None, max_workers: int | None, n: int) -> int:
    limit = max_concurrent_requests if max_concurrent_requests is not None else max_workers
    if limit is None:
        limit = DEFAULT_MAX_CONCURRENT_REQUESTS
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError("max_concurrent_requests must be a positive integer")
    return max(1, min(limit, n))


def batch_completion(
    requests: list[Any] | str | None = None,
    messages: Sequence[Messages] | None = None,
    *,
    model: str | None = None,
    max_concurrent_requests: int | None = None,
    use_threadpool: bool = False,
    max_workers: int | None = None,
    progress: Any = False,
    **kwargs: Any,
) -> list[ModelResponse | Exception]:
    """Send many chat completions concurrently; return one result per request, in input order.

    Args:
        requests: list of dicts, each the keyword arguments of one ``litegate.completion`` call
            (must include ``model`` and ``messages``).
        messages: classic form only: a list of message lists, all sent to ``model``.
        model: classic form only: the model for every message list.
        max_concurrent_requests: most requests in flight at once (default 100).
            ``max_workers`` is accepted as an alias.
        use_threadpool: accepted for compatibility. The synchronous call always runs the requests
            on a bounded thread pool, which gives the same results.
        progress: ``True`` shows a tqdm progress bar on stderr (extra ``progress``); a callable
            is called as ``progress(done, total)`` after each request. Off by default.
        **kwargs: arguments shared by every request (a request's own values win).

    Returns:
        ``list`` whose item ``i`` is the ``ModelResponse`` for request ``i`` or the exception
        it raised.
    """
    del use_threadpool  # the sync path always uses threads
    reqs = _build_requests(requests, model, messages, kwargs)
    if not reqs:
        return []
    from .main import completion

    workers = _limit(max_concurrent_requests, max_workers, len(reqs))
    meter = _Progress(progress, len(reqs))
    lock = threading.Lock()

    def run(req: dict[str, Any]) -> Any:
        try:
            return completion(**req)
        except Exception as exc:  # one failure stays in its slot
            return exc
        finally:
            if meter.bar is not None or meter.callback is not None:
                with lock:
                    meter.step()

    try:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="litegate-batch") as pool:
            return list(pool.map(run, reqs))
    finally:
        meter.close()


async def abatch_completion(
    requests: list[Any] | str | None = None,
    messages: Sequence[Messages] | None = None,
    *,
    model: str | None = None,
    max_concurrent_requests: int | None = None,
    max_workers: int | None = None,
    progress: Any = False,
    **kwargs: Any,
) -> list[ModelResponse | Exception]:
    """Async twin of :func:`batch_completion`: ``acompletion`` calls on the running event loop,
    at most ``max_concurrent_requests`` at a time."""
    kwargs.pop("use_threadpool", None)
    reqs = _build_requests(requests, model, messages, kwargs)
    if not reqs:
        return []
    from .main import acompletion

    gate = asyncio.Semaphore(_limit(max_concurrent_requests, max_workers, len(reqs)))
    meter = _Progress(progress, len(reqs))

    async def run(req: dict[str, Any]) -> Any:
        async with gate:
            try:
                return await acompletion(**req)
            except Exception as exc:  # one failure stays in its slot
                return exc
            finally:
                meter.step()

    try:
        return list(await asyncio.gather(*(run(r) for r in reqs)))
    finally:
        meter.close()
