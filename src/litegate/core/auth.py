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
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from .transport import HttpTransport, Timeouts

SIDE_TIMEOUT = 30.0  # seconds allowed for one side request (token exchange)


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
    """Run ``auth``'s flow for one attempt, blocking."""
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


__all__ = ["Auth", "Blocking", "BearerProvider", "Flow", "HttpResponse", "aauthorize", "authorize", "with_header"]
