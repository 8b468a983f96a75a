"""Auth: how a request is authorized, applied on EVERY attempt (sync and async alike).

A provider's request is built once per target (pure translation). Credentials that can expire
or must be signed over the final bytes are not part of that build: they are an :class:`Auth`
whose ``flow`` runs right before each attempt is sent, so a retry after an hour-long backoff or
a token refresh still goes out with a valid credential.

``flow(request)`` is a generator, after httpx's ``Auth.auth_flow``: it may yield

* an :class:`HttpRequest` - a side request (a token exchange); the driver sends it through the
  call's own transport and sends the response back into the generator;
* a :class:`Blocking` - a blocking function (a third-party credential library doing its own
  refresh); the sync driver calls it, the async driver runs it in a worker thread so the event
  loop never blocks;

and returns the request to send. A failed side step is thrown into the flow (which may add
context or recover) where it was yielded. The same generator serves :func:`authorize` (sync) and
:func:`aauthorize` (async): the decision is written once, only the loop that waits is twice.
Static API keys need no flow: they are headers of the built request.

A flow that starts work upstream before the answer exists (Replicate creates a prediction, then
polls it) says how to stop that work: :meth:`Auth.take_release` hands over the request that does it
(cancel the prediction). When the caller gives up while the flow runs -- ``KeyboardInterrupt``,
task cancellation, or an error that ends the attempt -- the drivers send it best-effort and
bounded (:func:`release` / :func:`arelease`: :data:`RELEASE_TIMEOUT` seconds, failures ignored)
and re-raise what stopped them; the lifecycle hands it to :class:`ReleaseOnEarlyClose` when the
answer is a stream, so a stream closed before its end stops the work too.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from .transport import HttpTransport, Timeouts

SIDE_TIMEOUT = 30.0  # seconds allowed for one side request (token exchange)
# seconds allowed for the best-effort request that stops upstream work the caller gave up on
# (a cancellation is never held up longer than this by it)
RELEASE_TIMEOUT = 2.0


class Blocking:
    """A blocking step of a flow: ``fn()`` is run inline (sync) or in a worker thread (async)."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[[], Any]):
        self.fn = fn


# a flow yields side requests (answered with their HttpResponse) and blocking steps (answered with
# what their function returned); it returns the request to send
Flow = Generator[HttpRequest | Blocking, Any, HttpRequest]


class Auth:
    """Base: a flow that changes nothing. Subclasses override :meth:`flow`."""

    def flow(self, request: HttpRequest) -> Flow:
        return request
        yield  # pragma: no cover - makes this a generator

    def take_release(self) -> HttpRequest | None:
        """The request that stops work the last flow started upstream and nobody owns yet (a
        running prediction to cancel), handed over once: later calls return None until a flow
        starts new work. None (the default): there is nothing to stop."""
        return None


def with_header(request: HttpRequest, name: str, value: str) -> HttpRequest:
    """A copy of ``request`` with one header set (the built request is shared by all attempts)."""
    headers = {k: v for k, v in request.headers.items() if k.lower() != name}
    headers[name] = value
    return replace(request, headers=headers)


class BearerProvider(Auth):
    """``Authorization: Bearer <token>`` from a callable asked on every attempt (e.g. Azure's
    ``azure_ad_token_provider``, which caches and refreshes Entra ID tokens itself)."""

    __slots__ = ("provider", "header", "prefix")

    def __init__(self, provider: Callable[[], str], header: str = "authorization", prefix: str = "Bearer "):
        self.provider = provider
        self.header = header
        self.prefix = prefix

    def flow(self, request: HttpRequest) -> Flow:
        token = yield Blocking(self.provider)
        if not isinstance(token, str) or not token:
            from ..exceptions import AuthenticationError

            raise AuthenticationError(message="the token provider returned no token", llm_provider=None, model=None)
        from .redact import register_secret

        register_secret(token)
        return with_header(request, self.header, self.prefix + token)


def _side_timeout(timeout: Timeouts) -> Timeouts:
    from .transport import make_timeout

    total = getattr(timeout, "total", SIDE_TIMEOUT) or SIDE_TIMEOUT
    return make_timeout(min(total, SIDE_TIMEOUT))


def authorize(auth: Auth, request: HttpRequest, transport: HttpTransport, timeout: Timeouts) -> HttpRequest:
    """Run ``auth``'s flow for one attempt, blocking. If it does not finish (an error, Ctrl-C), the
    work it started upstream is stopped (:meth:`Auth.take_release`) before the exception goes on."""
    flow = auth.flow(request)
    reply: Any = None
    error: BaseException | None = None
    try:
        while True:
            step = flow.send(reply) if error is None else flow.throw(error)
            error = None
            try:
                if isinstance(step, Blocking):
                    reply = step.fn()
                else:
                    reply = transport.send(step, _side_timeout(timeout))
            except Exception as exc:  # noqa: BLE001 - handed to the flow, which may add context
                error = exc
    except StopIteration as done:
        signed: HttpRequest = done.value
        return signed
    except BaseException:
        flow.close()
        release(pending_release(auth), transport)
        raise


async def aauthorize(auth: Auth, request: HttpRequest, transport: HttpTransport, timeout: Timeouts) -> HttpRequest:
    """Run ``auth``'s flow for one attempt without blocking the event loop."""
    import asyncio

    flow = auth.flow(request)
    reply: Any = None
    error: BaseException | None = None
    try:
        while True:
            step = flow.send(reply) if error is None else flow.throw(error)
            error = None
            try:
                if isinstance(step, Blocking):
                    reply = await asyncio.to_thread(step.fn)
                else:
                    reply = await transport.asend(step, _side_timeout(timeout))
            except Exception as exc:  # noqa: BLE001 - handed to the flow, which may add context
                error = exc
    except StopIteration as done:
        signed: HttpRequest = done.value
        return signed
    except BaseException:  # an error, or the task was cancelled: stop what the flow started, re-raise
        flow.close()
        await arelease(pending_release(auth), transport)
        raise


# ------------------------------------------------------------------------- stopping upstream work
def pending_release(auth: Any) -> HttpRequest | None:
    """``auth.take_release()``, or None for a flow that has no such method."""
    take = getattr(auth, "take_release", None)  # flows that are not Auth subclasses start nothing
    return take() if take is not None else None


def release(request: HttpRequest | None, transport: Any) -> None:
    """Send ``request`` (from :meth:`Auth.take_release`) best-effort: at most
    :data:`RELEASE_TIMEOUT` seconds, any failure logged at DEBUG and ignored."""
    if request is None:
        return
    from .transport import make_timeout

    try:
        transport.send(request, make_timeout(RELEASE_TIMEOUT))
    except Exception as exc:  # noqa: BLE001 - best effort: what the caller gets is the original outcome
        _release_failed(request, exc)


_releasing: set[Any] = set()  # release requests still running after their caller stopped waiting


async def arelease(request: HttpRequest | None, transport: Any) -> None:
    """Async twin of :func:`release`. The request runs as a task of its own, awaited at most
    :data:`RELEASE_TIMEOUT` seconds (it goes on by itself after that); a cancellation of the caller
    while it waits is never swallowed."""
    if request is None:
        return
    import asyncio

    task = asyncio.ensure_future(_asend_quietly(request, transport))
    _releasing.add(task)
    task.add_done_callback(_releasing.discard)
    await asyncio.wait((task,), timeout=RELEASE_TIMEOUT)


async def _asend_quietly(request: HttpRequest, transport: Any) -> None:
    from .transport import make_timeout

    try:
        await transport.asend(request, make_timeout(RELEASE_TIMEOUT))
    except Exception as exc:  # noqa: BLE001 - best effort, as release()
        _release_failed(request, exc)


def _release_failed(request: HttpRequest, exc: BaseException) -> None:
    from .log import log
    from .redact import mask_url

    log.debug("litegate: could not stop upstream work (%s %s): %s", request.method, mask_url(request.url), exc)


class ReleaseOnEarlyClose:
    """An opened HTTP stream that sends a release request (:meth:`Auth.take_release`) when it is
    closed before the answer was whole (``decoder.done`` still false): the caller closed it early,
    abandoned it, or it broke. Everything else is the wrapped stream's; ``close`` / ``aclose``
    exist exactly when the wrapped stream has them (the stream wrapper's ``__del__`` tells sync
    from async streams that way)."""

    __slots__ = ("_http", "_request", "_transport", "_decoder")

    def __init__(self, http: Any, request: HttpRequest, transport: Any, decoder: Any):
        self._http = http
        self._request: HttpRequest | None = request
        self._transport = transport
        self._decoder = decoder

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name == "close" or name == "aclose":
            if not hasattr(self._http, name):
                raise AttributeError(name)
            return self._close if name == "close" else self._aclose
        return getattr(self._http, name)

    def _take(self) -> HttpRequest | None:
        request, self._request = self._request, None
        if request is None or getattr(self._decoder, "done", False):
            return None
        return request

    def _close(self) -> None:
        try:
            self._http.close()
        finally:
            release(self._take(), self._transport)

    async def _aclose(self) -> None:
        try:
            await self._http.aclose()
        finally:
            await arelease(self._take(), self._transport)


__all__ = [
    "Auth",
    "Blocking",
    "BearerProvider",
    "Flow",
    "HttpResponse",
    "RELEASE_TIMEOUT",
    "ReleaseOnEarlyClose",
    "aauthorize",
    "arelease",
    "authorize",
    "pending_release",
    "release",
    "with_header",
]
