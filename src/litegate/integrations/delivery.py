"""Background delivery for the HTTP integrations: a bounded queue and one worker thread each.

The caller's thread only appends a record to a deque (drop-oldest when full, counted in
``dropped``); a daemon thread sends batches through litegate's own transport with a deadline per
request and a few retries with backoff on connection errors, 408, 429 and 5xx. A platform that
is down or slow never delays or fails a call. ``flush_all(timeout)`` (``litegate.flush_callbacks``)
and interpreter exit (``atexit``, bounded by ``EXIT_FLUSH_SECONDS``) deliver what is queued.
"""

from __future__ import annotations

import atexit
import logging
import os
import random
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..core.http import HttpResponse

log = logging.getLogger("litegate")

MAX_QUEUE = 10_000  # records kept per integration while its platform cannot take them
BATCH_SIZE = 64  # records per request (integrations with a batch API)
INTERVAL = 1.0  # seconds a partial batch waits for more records
DEADLINE = 10.0  # seconds for one delivery request
RETRIES = 3  # further attempts for a batch after a retryable failure
EXIT_FLUSH_SECONDS = 3.0

_shippers: weakref.WeakSet[Shipper] = weakref.WeakSet()
_RETRYABLE = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


class DeliveryError(Exception):
    def __init__(self, message: str, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


class Shipper:
    """One integration's queue and worker. ``prepare(batch)`` (optional) turns a batch into what
    ``send`` takes, once; ``send`` does the I/O on every attempt (raises DeliveryError)."""

    def __init__(
        self,
        name: str,
        send: Callable[[Any], None],
        *,
        batch_size: int = BATCH_SIZE,
        max_queue: int = MAX_QUEUE,
        interval: float = INTERVAL,
        retries: int = RETRIES,
        prepare: Callable[[list[Any]], Any] | None = None,
    ):
        self.name = name
        self.send = send
        self.prepare = prepare
        self.batch_size = max(1, batch_size)
        self.max_queue = max(1, max_queue)
        self.interval = interval
        self.retries = retries
        self.queue: deque[Any] = deque()
        self.dropped = 0  # oldest records dropped because the queue was full
        self.failed = 0  # records given up on after the retries
        self.sent = 0  # records delivered
        self.busy = 0  # records taken by the worker and not yet settled
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._idle = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None
        self._closed = False
        self._warned = False
        _shippers.add(self)

    # ------------------------------------------------------------------ the caller's side
    def put(self, record: Any) -> None:
        """Queue one record; O(1), never blocks on I/O."""
        with self._lock:
            if self._closed:
                return
            if len(self.queue) >= self.max_queue:
                self.queue.popleft()
                self.dropped += 1
            self.queue.append(record)
            full = len(self.queue) == self.batch_size  # wake the worker once, when a batch is ready
            if self._thread is None:
                self._start()
        if full:
            self._wake.set()

    def _start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"litegate-{self.name}", daemon=True)
        self._thread.start()

    def flush(self, timeout: float) -> bool:
        """Wait until everything queued now is settled (sent or given up), at most ``timeout`` s."""
        end = time.monotonic() + max(0.0, timeout)
        self._wake.set()
        with self._lock:
            while self.queue or self.busy:
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self._wake.set()
                self._idle.wait(min(left, 0.05))
        return True

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self.queue.clear()
        self._wake.set()

    # ------------------------------------------------------------------ the worker
    def _take(self) -> list[Any]:
        with self._lock:
            n = min(self.batch_size, len(self.queue))
            batch = [self.queue.popleft() for _ in range(n)]
            self.busy = n
            return batch

    def _run(self) -> None:
        while not self._closed:
            if len(self.queue) < self.batch_size:
                self._wake.wait(self.interval)
            self._wake.clear()
            while self.queue and not self._closed:
                batch = self._take()
                ok = self._deliver(batch)
                with self._lock:
                    if ok:
                        self.sent += len(batch)
                    else:
                        self.failed += len(batch)
                    self.busy = 0
                    self._idle.notify_all()
            with self._lock:
                self._idle.notify_all()

    def _deliver(self, batch: list[Any]) -> bool:
        payload: Any = batch
        if self.prepare is not None:
            try:
                payload = self.prepare(batch)
            except Exception as exc:  # noqa: BLE001 - a record that cannot be encoded is dropped
                self._warn(f"could not build the request: {type(exc).__name__}: {exc}")
                return False
        delay = 0.2
        for attempt in range(self.retries + 1):
            try:
                self.send(payload)
                return True
            except DeliveryError as exc:
                if not exc.retryable or attempt == self.retries or self._closed:
                    self._warn(str(exc))
                    return False
            except Exception as exc:  # noqa: BLE001 - a broken platform never reaches the caller
                if attempt == self.retries or self._closed:
                    self._warn(f"{type(exc).__name__}: {exc}")
                    return False
            time.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 5.0)
        return False

    def _warn(self, why: str) -> None:
        from ..core.redact import redact

        level = logging.WARNING if not self._warned else logging.DEBUG
        self._warned = True
        log.log(level, "litegate: %s could not deliver a batch of logs: %s", self.name, redact(why)[:300])


def check(resp: HttpResponse, name: str, ok: tuple[int, ...] = (200, 201, 202, 204, 207)) -> HttpResponse:
    """Raise DeliveryError for a status the platform did not accept."""
    if resp.status_code in ok:
        return resp
    raise DeliveryError(f"{name} answered HTTP {resp.status_code}: {resp.text[:200]}", resp.status_code in _RETRYABLE)


def post_json(
    url: str,
    body: Any,
    headers: dict[str, str],
    name: str,
    timeout: float = DEADLINE,
    ok: tuple[int, ...] = (200, 201, 202, 204, 207),
    content: bytes | None = None,
) -> HttpResponse:
    """One request through litegate's transport; a connection error is retryable."""
    from ..core.http import HttpRequest
    from ..core.transport import fetch

    headers = {"content-type": "application/json", **headers}
    req = HttpRequest("POST", url, headers=headers, json=None if content is not None else body, content=content)
    try:
        resp = fetch(req, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - the transport's own errors: try again later
        raise DeliveryError(f"{name}: {type(exc).__name__}: {exc}", True) from None
    return check(resp, name, ok)


def flush_all(timeout: float) -> bool:
    end = time.monotonic() + timeout
    ok = True
    for shipper in list(_shippers):
        ok = shipper.flush(max(0.0, end - time.monotonic())) and ok
    return ok


def close_all() -> None:
    for shipper in list(_shippers):
        shipper.close()


def _at_exit() -> None:
    if any(s.queue or s.busy for s in list(_shippers)):
        flush_all(EXIT_FLUSH_SECONDS)


def _after_fork_in_child() -> None:
    """A forked child has the queues but not the worker threads: start afresh, empty."""
    for shipper in list(_shippers):
        shipper._lock = threading.Lock()
        shipper._idle = threading.Condition(shipper._lock)
        shipper._wake = threading.Event()
        shipper._thread = None
        shipper.queue.clear()
        shipper.busy = 0


atexit.register(_at_exit)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
