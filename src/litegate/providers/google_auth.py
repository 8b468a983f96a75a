"""Google OAuth 2 access tokens (Google Cloud, ``cloud-platform`` scope) as an auth flow.

:class:`GoogleAuth` is an :class:`~litegate.core.auth.Auth`: its flow runs before EVERY attempt of
a call and sets ``authorization: Bearer <access token>``, so a retry after a long backoff still
goes out with a valid token. Tokens come from a shared cache (:data:`TOKENS`), renewed
:data:`REFRESH_MARGIN` seconds before they expire.

Credentials (:func:`load_credentials`): a service-account key (a path to its JSON file, the JSON
text, or a dict), an ``authorized_user`` file (what ``gcloud auth application-default login``
writes), a google-auth ``Credentials`` object, or None for Application Default Credentials.

How a token is got:

* service-account keys: a JWT (RS256, signed with the key's private key via ``cryptography``;
  claims ``iss``, ``scope``, ``aud`` = Google's token endpoint, ``iat``, ``exp`` one hour later,
  as Google documents them) is POSTed form-encoded to the key's ``token_uri``
  (``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer``);
* ``authorized_user`` files: the ``refresh_token`` grant, POSTed the same way.

  Both POSTs are *yielded* by the flow as an :class:`~litegate.core.http.HttpRequest`: they go
  through the call's own transport (the one given to ``litegate.Client(transport=...)``, else
  the default one), awaited in async calls, so a token exchange never blocks an event loop.

* everything else - ADC (metadata server, workload identity, the gcloud file), external and
  impersonated accounts, other credential JSON, credential objects - is refreshed by the
  ``google-auth`` library (the optional extra ``litegate[vertex]``, imported only then), which
  blocks: the flow yields it as a :class:`~litegate.core.auth.Blocking` step, run inline in sync
  calls and in a worker thread in async ones.

The cache is thread-safe and shared by sync and async callers: one exchange at a time per
credential; callers asking while one is under way wait for it (a ``Blocking`` wait, so an async
caller waits in a worker thread, never on the loop). Errors are ``AuthenticationError`` with a
message that names no secret; tokens are registered with :func:`~litegate.core.redact.register_secret`.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections.abc import Callable, Generator, Hashable
from functools import partial
from typing import Any, NamedTuple
from urllib.parse import urlencode

from ..core.auth import Auth, Blocking, Flow, authorize, with_header
from ..core.http import HttpRequest, HttpResponse
from ..exceptions import APIConnectionError, AuthenticationError, Timeout

__all__ = [
    "DEFAULT_TOKEN_URI",
    "GoogleAuth",
    "REFRESH_MARGIN",
    "SCOPE",
    "TOKENS",
    "Token",
    "TokenCache",
    "access_token",
    "load_credentials",
    "service_account_jwt",
]

SCOPE = "https://www.googleapis.com/auth/cloud-platform"
DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token"  # noqa: S105 - an endpoint URL, not a secret
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
TOKEN_LIFETIME = 3600  # seconds asked for in a service-account JWT (Google's maximum)
REFRESH_MARGIN = 300  # a cached token is renewed this many seconds before it expires
TOKEN_TIMEOUT = 30.0  # seconds for one token request
WAIT_LIMIT = 2 * TOKEN_TIMEOUT  # longest wait for another caller's exchange of the same credential
DEFAULT_PROVIDER = "vertex_ai"


TokenFlow = Generator[Any, Any, "Token"]  # a flow step (core/auth.py) that returns a Token


def auth_error(message: str, model: str | None = None, provider: str = DEFAULT_PROVIDER) -> AuthenticationError:
    return AuthenticationError(message=f"{provider}: {message}", llm_provider=provider, model=model)


# ---------------------------------------------------------------------------------------------
# tokens and their cache
# ---------------------------------------------------------------------------------------------


class Token(NamedTuple):
    """An access token, when it expires (``time.time()`` seconds) and the project its credentials name."""

    value: str
    expires_at: float
    project: str | None = None

    def fresh(self) -> bool:
        return self.expires_at - REFRESH_MARGIN > time.time()


class TokenCache:
    """Access tokens by credential key, renewed :data:`REFRESH_MARGIN` seconds before expiry.

    :meth:`obtain` is a flow step (a generator): a fresh cached token, else one exchange - the
    first caller makes it, the others wait for it (a :class:`Blocking` wait). Thread-safe, and
    safe across event loops: the only lock is held for a dict update, never across a wait.
    """

    def __init__(self) -> None:
        self._entries: dict[Hashable, Token] = {}  # key -> Token
        self._pending: dict[Hashable, threading.Event] = {}  # key -> the exchange under way
        self._guard = threading.Lock()

    def fresh(self, key: Hashable) -> Token | None:
        token = self._entries.get(key)
        return token if token is not None and token.fresh() else None

    def obtain(self, key: Hashable, exchange: Callable[[], TokenFlow]) -> TokenFlow:
        """Flow returning a fresh :class:`Token` for ``key``; ``exchange()`` is a flow returning a new one."""
        token = self.fresh(key)
        if token is not None:  # the common case, without the lock
            return token
        mine: threading.Event | None = None
        while True:
            with self._guard:  # an exchange that just ended stored its token before leaving _pending
                token = self.fresh(key)
                pending = None if token is not None else self._pending.get(key)
                if token is None and pending is None:
                    mine = self._pending[key] = threading.Event()
            if token is not None:
                return token
            if pending is None:
                break  # the exchange is ours to make
            if not (yield Blocking(partial(pending.wait, WAIT_LIMIT))):
                break  # that exchange hangs: make our own (without claiming the key)
        try:
            new = yield from exchange()
            from ..core.redact import register_secret

            register_secret(new.value)
            self._entries[key] = new
            return new
        finally:  # also when the flow is abandoned (GeneratorExit): waiters must not wait for nothing
            if mine is not None:
                self._release(key, mine)

    def _release(self, key: Hashable, event: threading.Event) -> None:
        with self._guard:
            if self._pending.get(key) is event:
                del self._pending[key]
        event.set()

    def clear(self) -> None:
        with self._guard:
            self._entries.clear()
            pending = list(self._pending.values())
            self._pending.clear()
        for event in pending:
            event.set()

    def __len__(self) -> int:
        return len(self._entries)


TOKENS = TokenCache()

# ---------------------------------------------------------------------------------------------
# credentials
# ---------------------------------------------------------------------------------------------

_files: dict[str, tuple[int, dict[str, Any]]] = {}  # path -> (mtime_ns, parsed JSON): read once per change


def _load_file(path: str, provider: str) -> dict[str, Any]:
    path = os.path.expanduser(path)
    try:
        mtime = os.stat(path).st_mtime_ns
    except OSError:
        raise auth_error(
            f"the credentials file {path!r} cannot be read (it does not exist or is not accessible)", provider=provider
        ) from None
    cached = _files.get(path)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    try:
        with open(path, encoding="utf-8") as fh:
            info = json.load(fh)
    except (OSError, ValueError) as exc:
        raise auth_error(
            f"the credentials file {path!r} is not a JSON credentials file ({type(exc).__name__})", provider=provider
        ) from None
    if not isinstance(info, dict):
        raise auth_error(f"the credentials file {path!r} does not hold a JSON object", provider=provider)
    _files[path] = (mtime, info)
    return info


def load_credentials(source: Any, provider: str = DEFAULT_PROVIDER) -> Any:
    """Credentials as given -> a dict (a parsed key file), a google-auth credentials object, or
    None (Application Default Credentials). Reads a local file at most; no network."""
    if source is None or source == "":
        return None
    if isinstance(source, dict):
        return source
    if isinstance(source, os.PathLike):
        return _load_file(os.fspath(source), provider)
    if isinstance(source, str):
        text = source.strip()
        if text.startswith("{"):
            try:
                info = json.loads(text)
            except ValueError:
                raise auth_error(
                    "the credentials look like JSON text, which does not parse", provider=provider
                ) from None
            if not isinstance(info, dict):
                raise auth_error("credentials JSON must be an object", provider=provider)
            return info
        return _load_file(text, provider)
    if hasattr(source, "refresh") and hasattr(source, "token"):
        return source  # a google-auth Credentials object
    raise auth_error(
        f"credentials must be a path, JSON text, a dict or a google-auth credentials object, "
        f"got {type(source).__name__}",
        provider=provider,
    )


def _b64url(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def service_account_jwt(
    info: dict[str, Any],
    scope: str = SCOPE,
    now: float | None = None,
    lifetime: int = TOKEN_LIFETIME,
    provider: str = DEFAULT_PROVIDER,
) -> str:
    """The signed (RS256) JWT assertion a service account exchanges for an access token."""
    email = info.get("client_email")
    pem = info.get("private_key")
    if not isinstance(email, str) or not isinstance(pem, str):
        raise auth_error("the service-account key has no client_email / private_key", provider=provider)
    try:
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import padding, rsa
    except ImportError:  # pragma: no cover - cryptography comes with the vertex extra
        raise auth_error(
            "signing a service-account token needs the 'cryptography' package: pip install 'litegate[vertex]'",
            provider=provider,
        ) from None
    issued = int(time.time() if now is None else now)
    header: dict[str, str] = {"alg": "RS256", "typ": "JWT"}
    if isinstance(info.get("private_key_id"), str):
        header["kid"] = info["private_key_id"]
    # the audience is Google's token endpoint whatever token_uri the request goes to
    claims = {"iss": email, "scope": scope, "aud": DEFAULT_TOKEN_URI, "iat": issued, "exp": issued + lifetime}
    signing_input = (
        _b64url(json.dumps(header, separators=(",", ":")).encode())
        + b"."
        + _b64url(json.dumps(claims, separators=(",", ":")).encode())
    )
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise TypeError("not an RSA key")
        signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    except (ValueError, TypeError):
        raise auth_error(
            "the service-account private_key is not a valid RSA key in PEM form", provider=provider
        ) from None
    return (signing_input + b"." + _b64url(signature)).decode("ascii")


# ---------------------------------------------------------------------------------------------
# credential sources: a cache key, the project they name, and how a token is got
# ---------------------------------------------------------------------------------------------


class _Source:
    key: tuple[Any, ...] = ()
    project: str | None = None
    project_later = False  # only the exchange can tell the project (ADC through google-auth)

    def __init__(self, scopes: tuple[str, ...], provider: str):
        self.scopes = scopes
        self.provider = provider

    def exchange(self) -> TokenFlow:  # pragma: no cover - abstract
        raise NotImplementedError


class _Grant(_Source):
    """An OAuth 2 grant we make ourselves: one form POST to the credentials' token URI, yielded."""

    what = "credentials"

    def __init__(self, info: dict[str, Any], scopes: tuple[str, ...], provider: str):
        super().__init__(scopes, provider)
        self.info = info
        self.token_uri: str = info.get("token_uri") or DEFAULT_TOKEN_URI

    def form(self) -> dict[str, str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def exchange(self) -> TokenFlow:
        body = urlencode(self.form()).encode("ascii")
        try:
            resp: HttpResponse = yield HttpRequest(
                "POST",
                self.token_uri,
                {"content-type": "application/x-www-form-urlencoded", "accept": "application/json"},
                content=body,
            )
        except (APIConnectionError, Timeout) as exc:  # retryable: the attempt (and the exchange) runs again
            raise type(exc)(
                message=f"{self.provider}: cannot reach the token endpoint: {exc.message}",
                llm_provider=self.provider,
                model=None,
            ) from None
        return self._token(resp)

    def _token(self, resp: HttpResponse) -> Token:
        try:
            data = resp.json()
        except ValueError:
            data = None
        if resp.status_code >= 400 or not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
            detail = ""
            if isinstance(data, dict):
                detail = ": ".join(str(data[k]) for k in ("error", "error_description") if data.get(k))
            from ..core.redact import redact

            raise auth_error(
                f"the token endpoint refused the {self.what} (HTTP {resp.status_code}"
                f"{': ' + redact(detail) if detail else ''})",
                provider=self.provider,
            )
        return Token(data["access_token"], time.time() + _seconds(data.get("expires_in")), self.project)


class _ServiceAccount(_Grant):
    what = "service-account credentials"

    def __init__(self, info: dict[str, Any], scopes: tuple[str, ...], provider: str):
        super().__init__(info, scopes, provider)
        self.key = ("service_account", info.get("client_email"), info.get("private_key_id"), self.token_uri, scopes)
        self.project = info.get("project_id")

    def form(self) -> dict[str, str]:
        # signed now, for this exchange (iat / exp); CPU only
        return {
            "grant_type": JWT_GRANT,
            "assertion": service_account_jwt(self.info, " ".join(self.scopes), provider=self.provider),
        }


class _AuthorizedUser(_Grant):
    what = "user credentials"

    def __init__(self, info: dict[str, Any], scopes: tuple[str, ...], provider: str):
        super().__init__(info, scopes, provider)
        self.key = ("authorized_user", info.get("client_id"), info.get("refresh_token"), self.token_uri)
        self.project = info.get("quota_project_id")

    def form(self) -> dict[str, str]:
        info = self.info
        return {
            "grant_type": "refresh_token",
            "client_id": info.get("client_id") or "",
            "client_secret": info.get("client_secret") or "",
            "refresh_token": info.get("refresh_token") or "",
        }


class _Library(_Source):
    """Credentials only google-auth can refresh: ADC (``creds`` None), a credentials dict of another
    type, or a google-auth credentials object. Refreshing blocks: it is a :class:`Blocking` step."""

    def __init__(self, creds: Any, scopes: tuple[str, ...], provider: str):
        super().__init__(scopes, provider)
        self.creds = creds
        if creds is None:
            self.key = ("adc", scopes)
        elif isinstance(creds, dict):
            self.key = ("google-auth", json.dumps(creds, sort_keys=True, default=str), scopes)
            self.project = creds.get("project_id") or creds.get("quota_project_id")
        else:
            self.key = ("object", id(creds), scopes)
            self.project = getattr(creds, "project_id", None) or getattr(creds, "quota_project_id", None)
        self.project_later = self.project is None

    def exchange(self) -> TokenFlow:
        token: Token = yield Blocking(self.refresh)
        return token

    def refresh(self) -> Token:
        """Get a token through google-auth (blocking)."""
        try:
            import google.auth
        except ImportError:
            raise auth_error(
                "no credentials: pass vertex_credentials= (a service-account key file, its JSON or a dict), set "
                "GOOGLE_APPLICATION_CREDENTIALS, or install 'litegate[vertex]' (google-auth) to use Application "
                "Default Credentials",
                provider=self.provider,
            ) from None
        lib: Any = google.auth  # google-auth annotates only part of its API
        scopes = list(self.scopes)
        project = None
        try:
            if self.creds is None:
                creds, project = lib.default(scopes=scopes)
            elif isinstance(self.creds, dict):
                creds, project = lib.load_credentials_from_dict(self.creds, scopes=scopes)
            else:
                creds = self.creds
                if getattr(creds, "requires_scopes", False):
                    creds = creds.with_scopes(scopes)
            if not getattr(creds, "valid", False) or not getattr(creds, "token", None):
                creds.refresh(_LibraryRequest())
        except Exception as exc:  # google-auth's own errors: no credentials, refresh refused, ...
            from ..core.redact import redact

            raise auth_error(
                f"cannot get an access token through google-auth: {redact(str(exc))[:300]}", provider=self.provider
            ) from None
        expiry = getattr(creds, "expiry", None)
        expires_in = 3600.0
        if expiry is not None:
            import calendar

            expires_in = calendar.timegm(expiry.timetuple()) - time.time()
        project = project or getattr(creds, "project_id", None) or getattr(creds, "quota_project_id", None)
        return Token(creds.token, time.time() + expires_in, project or self.project)


class _LibraryResponse:
    """google-auth's transport ``Response`` (status, headers, data) over ours."""

    __slots__ = ("status", "headers", "data")

    def __init__(self, resp: HttpResponse):
        self.status = resp.status_code
        self.headers = dict(resp.headers)
        self.data = resp.content


class _LibraryRequest:
    """google-auth's transport ``Request`` over litegate's default transport (so google-auth needs
    no ``requests``). Blocking: used only inside a :class:`Blocking` step."""

    def __call__(
        self, url: str, method: str = "GET", body: Any = None, headers: Any = None, timeout: Any = None, **kwargs: Any
    ) -> _LibraryResponse:
        from google.auth import exceptions

        from ..core.transport import default_transport, make_timeout

        if isinstance(body, str):
            body = body.encode("utf-8")
        request = HttpRequest(method, url, dict(headers or {}), content=body)
        try:
            resp = default_transport().send(request, make_timeout(timeout or TOKEN_TIMEOUT))
        except (APIConnectionError, Timeout) as exc:
            gexc: Any = exceptions  # TransportError's constructor is not annotated
            raise gexc.TransportError(str(exc)) from exc
        return _LibraryResponse(resp)


def _seconds(value: Any) -> float:
    try:
        return float(value) if value is not None else 3600.0
    except (TypeError, ValueError):
        return 3600.0


def credential_source(creds: Any, scopes: tuple[str, ...] = (SCOPE,), provider: str = DEFAULT_PROVIDER) -> _Source:
    """Loaded credentials (:func:`load_credentials`) -> the source that gets their tokens."""
    if isinstance(creds, dict):
        kind = creds.get("type")
        if kind == "service_account":
            return _ServiceAccount(creds, scopes, provider)
        if kind == "authorized_user":
            return _AuthorizedUser(creds, scopes, provider)
    return _Library(creds, scopes, provider)


# ---------------------------------------------------------------------------------------------
# the auth flow
# ---------------------------------------------------------------------------------------------


class GoogleAuth(Auth):
    """``authorization: Bearer <access token>`` for Google Cloud, asked on every attempt.

    ``credentials`` as :func:`load_credentials` takes them (None: Application Default
    Credentials); they are loaded here, so a bad key file fails before any request.
    """

    def __init__(
        self,
        credentials: Any = None,
        *,
        scopes: tuple[str, ...] = (SCOPE,),
        provider: str = DEFAULT_PROVIDER,
        model: str | None = None,
        cache: TokenCache | None = None,
    ):
        self.provider = provider
        self.model = model
        self.cache = TOKENS if cache is None else cache
        try:
            self.source = credential_source(load_credentials(credentials, provider), tuple(scopes), provider)
        except AuthenticationError as exc:
            exc.model = model
            raise

    @property
    def project(self) -> str | None:
        """The project the credentials name, when that is known without a token exchange."""
        return self.source.project

    @property
    def project_later(self) -> bool:
        """True when only the token exchange can tell the project (ADC through google-auth)."""
        return self.source.project_later

    def token(self) -> TokenFlow:
        """Flow returning a fresh :class:`Token` (cached, or exchanged now)."""
        try:
            return (yield from self.cache.obtain(self.source.key, self.source.exchange))
        except AuthenticationError as exc:
            if exc.model is None:
                exc.model = self.model
            raise

    def flow(self, request: HttpRequest) -> Flow:
        token = yield from self.token()
        return self.authorized(request, token)

    def authorized(self, request: HttpRequest, token: Token) -> HttpRequest:
        """The request to send, given a token (subclasses may adjust more than the header)."""
        return with_header(request, "authorization", "Bearer " + token.value)


class _TokenOnly(Auth):
    """Runs a :class:`GoogleAuth`'s token flow through :func:`~litegate.core.auth.authorize`,
    keeping the token it got (the request is handed back unchanged)."""

    def __init__(self, auth: GoogleAuth):
        self.auth = auth
        self.token: Token | None = None

    def flow(self, request: HttpRequest) -> Flow:
        self.token = yield from self.auth.token()
        return request


def access_token(
    source: Any = None, scopes: tuple[str, ...] = (SCOPE,), provider: str = DEFAULT_PROVIDER, transport: Any = None
) -> tuple[str, str | None]:
    """(access token, the credentials' project or None) for ``source`` (None: ADC), blocking.

    A sync convenience over :class:`GoogleAuth`'s flow; token requests go through ``transport``
    (default: litegate's default transport)."""
    from ..core.transport import default_transport, make_timeout

    only = _TokenOnly(GoogleAuth(source, scopes=scopes, provider=provider))
    # the flow only gets a token: the request it is handed is never sent
    authorize(
        only, HttpRequest("POST", DEFAULT_TOKEN_URI), transport or default_transport(), make_timeout(TOKEN_TIMEOUT)
    )
    token = only.token
    if token is None:  # pragma: no cover - a flow that returned has set it
        raise auth_error("no access token was obtained", provider=provider)
    return token.value, token.project
