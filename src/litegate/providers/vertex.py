"""Vertex AI (``vertex_ai/<model>`` and bare ``gemini-...`` names): the Gemini dialect on Vertex URLs.

Requests and responses are those of :mod:`litegate.providers.gemini` (same translation rules,
same stream decoder); what differs is where they go and how they are authorised:

* ``POST https://{location}-aiplatform.googleapis.com/v1/projects/{project}/locations/{location}/
  publishers/google/models/{model}:generateContent`` (``:streamGenerateContent?alt=sse``); location
  ``global`` uses ``https://aiplatform.googleapis.com``. A numeric model id addresses a deployed
  (tuned) endpoint: ``.../endpoints/{id}:generateContent``.
* ``api_base`` (or ``VERTEXAI_API_BASE``) replaces the host (``https://host`` or ``https://host/v1``;
  the project / location path is appended); an ``api_base`` that already holds a
  ``/projects/...`` path is used as the resource prefix as given, and one that already names the
  model (``.../publishers/google/models/<m>``) gets only ``:<method>`` appended, as in litellm.
* project: ``vertex_project=`` (or ``vertex_ai_project=``) per call, ``litegate.vertex_project``,
  ``VERTEXAI_PROJECT`` / ``VERTEX_PROJECT`` / ``GOOGLE_CLOUD_PROJECT``, else the credentials'
  own project (a service-account key's ``project_id``, ADC's project).
* location: ``vertex_location=`` per call, ``litegate.vertex_location``, ``VERTEXAI_LOCATION`` /
  ``VERTEX_LOCATION`` / ``GOOGLE_CLOUD_LOCATION``, else ``us-central1`` (litellm's default).
* auth: ``Authorization: Bearer <OAuth access token>`` (scope ``cloud-platform``). The token comes
  from ``vertex_credentials=`` per call, ``litegate.vertex_credentials``, ``VERTEXAI_CREDENTIALS``,
  ``VERTEX_SERVICE_ACCOUNT_KEY_PATH`` or ``GOOGLE_APPLICATION_CREDENTIALS`` -- a service-account
  key (a path to its JSON file, the JSON text, or a dict) or an ``authorized_user`` file (what
  ``gcloud auth application-default login`` writes) -- else Application Default Credentials.

  Service-account keys are exchanged here, without google-auth: a JWT (RS256, signed with the
  key's private key via the ``cryptography`` package, which the ``vertex`` extra brings; claims
  ``iss``, ``scope``, ``aud`` = Google's token endpoint, ``iat``, ``exp`` one hour later, as
  google-auth makes them) is POSTed to the key's ``token_uri`` (``urn:ietf:params:oauth:grant-type:jwt-bearer``);
  ``authorized_user`` files use the ``refresh_token`` grant. Other credential types, credential
  objects and ADC (metadata server, workload identity, ...) go through ``google-auth`` (the
  optional extra ``litegate[vertex]``, imported only then). Tokens are cached per credential
  until :data:`REFRESH_MARGIN` seconds before they expire, thread-safely (one exchange at a time
  per credential). An ``authorization`` header given by the caller (``extra_headers``) is used as
  is and skips the credential step.

This credential step is the one piece of I/O of a translator: :meth:`VertexAI.prepare` runs once
per call, before the request is built (the call pipeline invokes it), fills
``target.headers["authorization"]`` and turns ``target.api_base`` into the Vertex resource
prefix. It is synchronous; in async calls a token refresh (about once an hour) blocks the event
loop for one HTTP round trip.

Embeddings follow the official ``google-genai`` SDK: ``gemini-*`` embedding models use
``:embedContent`` (one text) / ``:batchEmbedContents`` (a list) with ``embedContentConfig``; other
models (``text-embedding-005``, ``text-multilingual-embedding-002`` ...) use ``:predict`` with
``instances`` / ``parameters``, whose ``statistics.token_count`` gives the usage.
"""

from __future__ import annotations

import base64
import json
import os
import re
import threading
import time
from typing import Any, Callable

from ..core.http import HttpRequest
from ..exceptions import APIConnectionError, AuthenticationError
from .gemini import _VERSIONED, Gemini, _camel, _fail

__all__ = [
    "VertexAI",
    "TOKENS",
    "TokenCache",
    "access_token",
    "service_account_jwt",
    "vertex_base",
    "DEFAULT_LOCATION",
    "SCOPE",
]

SCOPE = "https://www.googleapis.com/auth/cloud-platform"
DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token"
DEFAULT_LOCATION = "us-central1"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
TOKEN_LIFETIME = 3600  # seconds asked for in a service-account JWT (Google's maximum)
REFRESH_MARGIN = 300  # a cached token is renewed this many seconds before it expires
TOKEN_TIMEOUT = 30.0

PROJECT_ENV = ("VERTEXAI_PROJECT", "VERTEX_PROJECT", "GOOGLE_CLOUD_PROJECT")
LOCATION_ENV = ("VERTEXAI_LOCATION", "VERTEX_LOCATION", "GOOGLE_CLOUD_LOCATION")
CREDENTIALS_ENV = ("VERTEXAI_CREDENTIALS", "VERTEX_SERVICE_ACCOUNT_KEY_PATH", "GOOGLE_APPLICATION_CREDENTIALS")

_CONTROL_KEYS = frozenset({
    "vertex_project", "vertex_ai_project", "vertex_location", "vertex_ai_location", "vertex_credentials",
    "vertex_ai_credentials",
})
_SAFE_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:\-]*")


def _env(names: tuple) -> str | None:
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    return None


def _auth_error(message: str, model: str | None = None) -> AuthenticationError:
    return AuthenticationError(message=f"vertex_ai: {message}", llm_provider="vertex_ai", model=model)


# ---------------------------------------------------------------------------------------------
# URLs
# ---------------------------------------------------------------------------------------------


def default_host(location: str) -> str:
    if location == "global":
        return "https://aiplatform.googleapis.com"
    return f"https://{location}-aiplatform.googleapis.com"


def vertex_base(api_base: str | None, project: str, location: str) -> str:
    """The resource prefix ``<host>/v1/projects/{project}/locations/{location}`` for a call."""
    if api_base and "/projects/" in api_base:
        return api_base.rstrip("/")
    base = (api_base or default_host(location)).rstrip("/")
    if not _VERSIONED.search(base):
        base += "/v1"
    return f"{base}/projects/{project}/locations/{location}"


# ---------------------------------------------------------------------------------------------
# credentials and access tokens
# ---------------------------------------------------------------------------------------------


class TokenCache:
    """Access tokens by credential key, renewed :data:`REFRESH_MARGIN` seconds before expiry.

    Thread-safe: callers asking for the same credential while a token is being fetched wait for
    that one fetch instead of starting their own.
    """

    def __init__(self) -> None:
        self._entries: dict = {}  # key -> (token, expires_at, project)
        self._locks: dict = {}
        self._guard = threading.Lock()

    def get(self, key: Any, fetch: Callable[[], tuple]) -> tuple[str, Any]:
        """(token, project) for ``key``; ``fetch()`` -> (token, expires_in seconds, project)."""
        entry = self._entries.get(key)
        if entry is not None and entry[1] - REFRESH_MARGIN > time.time():
            return entry[0], entry[2]
        with self._guard:
            lock = self._locks.get(key)
            if lock is None:
                lock = self._locks[key] = threading.Lock()
        with lock:
            entry = self._entries.get(key)
            if entry is not None and entry[1] - REFRESH_MARGIN > time.time():
                return entry[0], entry[2]
            token, expires_in, project = fetch()
            from ..core.redact import register_secret

            register_secret(token)
            self._entries[key] = (token, time.time() + float(expires_in), project)
            return token, project

    def clear(self) -> None:
        with self._guard:
            self._entries.clear()
            self._locks.clear()

    def __len__(self) -> int:
        return len(self._entries)


TOKENS = TokenCache()
_files: dict = {}  # path -> (mtime_ns, parsed JSON): credential files are read once per change


def _load_file(path: str) -> dict:
    path = os.path.expanduser(path)
    try:
        mtime = os.stat(path).st_mtime_ns
    except OSError:
        raise _auth_error(f"the credentials file {path!r} cannot be read (it does not exist or is not accessible)"
                          ) from None
    cached = _files.get(path)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    try:
        with open(path, encoding="utf-8") as fh:
            info = json.load(fh)
    except (OSError, ValueError) as exc:
        raise _auth_error(f"the credentials file {path!r} is not a JSON credentials file ({type(exc).__name__})"
                          ) from None
    if not isinstance(info, dict):
        raise _auth_error(f"the credentials file {path!r} does not hold a JSON object")
    _files[path] = (mtime, info)
    return info


def load_credentials(source: Any) -> Any:
    """``vertex_credentials`` as given -> a dict (a parsed key file), a credentials object, or None (ADC)."""
    if source is None or source == "":
        return None
    if isinstance(source, dict):
        return source
    if isinstance(source, os.PathLike):
        return _load_file(os.fspath(source))
    if isinstance(source, str):
        text = source.strip()
        if text.startswith("{"):
            try:
                info = json.loads(text)
            except ValueError:
                raise _auth_error("vertex_credentials looks like JSON but does not parse") from None
            if not isinstance(info, dict):
                raise _auth_error("vertex_credentials JSON must be an object")
            return info
        return _load_file(text)
    if hasattr(source, "refresh") and hasattr(source, "token"):
        return source  # a google-auth Credentials object
    raise _auth_error(f"vertex_credentials must be a path, JSON text, a dict or a google-auth credentials object, "
                      f"got {type(source).__name__}")


def _b64url(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def service_account_jwt(info: dict, scope: str = SCOPE, now: float | None = None,
                        lifetime: int = TOKEN_LIFETIME) -> str:
    """The signed (RS256) JWT assertion a service account exchanges for an access token."""
    email = info.get("client_email")
    pem = info.get("private_key")
    if not isinstance(email, str) or not isinstance(pem, str):
        raise _auth_error("the service-account key has no client_email / private_key")
    try:
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import padding
    except ImportError:  # pragma: no cover - cryptography comes with the vertex extra
        raise _auth_error("signing a service-account token needs the 'cryptography' package: "
                          "pip install 'litegate[vertex]'") from None
    issued = int(time.time() if now is None else now)
    header: dict = {"alg": "RS256", "typ": "JWT"}
    if isinstance(info.get("private_key_id"), str):
        header["kid"] = info["private_key_id"]
    # the audience is Google's token endpoint whatever token_uri the request goes to (as google-auth does)
    claims = {"iss": email, "scope": scope, "aud": DEFAULT_TOKEN_URI, "iat": issued, "exp": issued + lifetime}
    signing_input = (_b64url(json.dumps(header, separators=(",", ":")).encode()) + b"."
                     + _b64url(json.dumps(claims, separators=(",", ":")).encode()))
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
        signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr,call-arg]
    except (ValueError, TypeError, AttributeError):
        raise _auth_error("the service-account private_key is not a valid RSA key in PEM form") from None
    return (signing_input + b"." + _b64url(signature)).decode("ascii")


def _post_token(token_uri: str, form: dict, what: str) -> tuple[str, float]:
    """POST a token request; (access_token, expires_in)."""
    import httpx

    try:
        resp = httpx.post(token_uri, data=form, headers={"accept": "application/json"}, timeout=TOKEN_TIMEOUT)
    except httpx.HTTPError as exc:
        raise APIConnectionError(message=f"vertex_ai: cannot reach the token endpoint {token_uri}: {exc}",
                                 llm_provider="vertex_ai", model=None) from None
    try:
        data = resp.json()
    except ValueError:
        data = None
    if resp.status_code >= 400 or not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
        detail = ""
        if isinstance(data, dict):
            detail = ": ".join(str(data[k]) for k in ("error", "error_description") if data.get(k))
        from ..core.redact import redact

        raise _auth_error(f"the token endpoint refused the {what} (HTTP {resp.status_code}"
                          f"{': ' + redact(detail) if detail else ''})")
    expires = data.get("expires_in")
    try:
        expires_in = float(expires) if expires is not None else 3600.0
    except (TypeError, ValueError):
        expires_in = 3600.0
    return data["access_token"], expires_in


def _service_account_fetch(info: dict) -> Callable[[], tuple]:
    def fetch() -> tuple:
        token_uri = info.get("token_uri") or DEFAULT_TOKEN_URI
        token, expires_in = _post_token(token_uri, {"grant_type": JWT_GRANT, "assertion": service_account_jwt(info)},
                                        "service-account credentials")
        return token, expires_in, info.get("project_id")

    return fetch


def _authorized_user_fetch(info: dict) -> Callable[[], tuple]:
    def fetch() -> tuple:
        form = {"grant_type": "refresh_token", "client_id": info.get("client_id") or "",
                "client_secret": info.get("client_secret") or "", "refresh_token": info.get("refresh_token") or ""}
        token, expires_in = _post_token(info.get("token_uri") or DEFAULT_TOKEN_URI, form, "user credentials")
        return token, expires_in, info.get("quota_project_id")

    return fetch


class _HttpxAuthRequest:
    """A google-auth transport ``Request`` over httpx (so google-auth needs no ``requests``)."""

    def __call__(self, url: str, method: str = "GET", body: Any = None, headers: Any = None,
                 timeout: Any = None, **kwargs: Any) -> Any:
        import httpx
        from google.auth import exceptions as gexc  # type: ignore[import-not-found]

        try:
            resp = httpx.request(method, url, content=body, headers=headers, timeout=timeout or TOKEN_TIMEOUT)
        except httpx.HTTPError as exc:
            raise gexc.TransportError(str(exc)) from exc

        class _Response:
            status = resp.status_code
            headers = dict(resp.headers)
            data = resp.content

        return _Response()


def _google_auth_fetch(source: Any) -> Callable[[], tuple]:
    """A fetch function through google-auth: ADC (``source`` None), a credentials dict of another
    type, or a google-auth credentials object."""

    def fetch() -> tuple:
        try:
            import google.auth  # type: ignore[import-not-found]
        except ImportError:
            raise _auth_error(
                "no credentials: pass vertex_credentials= (a service-account key file, its JSON or a dict), set "
                "GOOGLE_APPLICATION_CREDENTIALS, or install 'litegate[vertex]' (google-auth) to use Application "
                "Default Credentials") from None
        project = None
        try:
            if source is None:
                creds, project = google.auth.default(scopes=[SCOPE])
            elif isinstance(source, dict):
                creds, project = google.auth.load_credentials_from_dict(source, scopes=[SCOPE])
            else:
                creds = source
                if getattr(creds, "requires_scopes", False):
                    creds = creds.with_scopes([SCOPE])
            if not getattr(creds, "valid", False) or not getattr(creds, "token", None):
                creds.refresh(_HttpxAuthRequest())
        except Exception as exc:  # google-auth's own errors: no credentials, refresh refused, ...
            from ..core.redact import redact

            raise _auth_error(f"cannot get an access token through google-auth: {redact(str(exc))[:300]}") from None
        expiry = getattr(creds, "expiry", None)
        expires_in = 3600.0
        if expiry is not None:
            import calendar

            expires_in = calendar.timegm(expiry.timetuple()) - time.time()
        return creds.token, expires_in, project or getattr(creds, "project_id", None) or getattr(
            creds, "quota_project_id", None)

    return fetch


def access_token(source: Any) -> tuple[str, str | None]:
    """(access token, the credentials' project or None) for ``vertex_credentials`` (None: ADC)."""
    creds = load_credentials(source)
    if isinstance(creds, dict):
        kind = creds.get("type")
        if kind == "service_account":
            key = ("service_account", creds.get("client_email"), creds.get("private_key_id"), creds.get("token_uri"))
            return TOKENS.get(key, _service_account_fetch(creds))
        if kind == "authorized_user":
            key = ("authorized_user", creds.get("client_id"), creds.get("refresh_token"), creds.get("token_uri"))
            return TOKENS.get(key, _authorized_user_fetch(creds))
        key = ("google-auth", json.dumps(creds, sort_keys=True, default=str))
        return TOKENS.get(key, _google_auth_fetch(creds))
    if creds is None:
        return TOKENS.get(("adc",), _google_auth_fetch(None))
    return TOKENS.get(("object", id(creds)), _google_auth_fetch(creds))


# ---------------------------------------------------------------------------------------------
# the dialect
# ---------------------------------------------------------------------------------------------


def _pick(extra: dict, names: tuple) -> Any:
    for name in names:
        value = extra.get(name)
        if value:
            return value
    return None


def _settings(cfg: Any) -> Any:
    if cfg is not None:
        return cfg
    import litegate

    return litegate


class VertexAI(Gemini):
    """Vertex AI's Gemini endpoints (``publishers/google/models/{model}``)."""

    name = "vertex_ai"
    key_hint = "vertex_credentials= / GOOGLE_APPLICATION_CREDENTIALS / Application Default Credentials"
    vertex = True

    # ------------------------------------------------------------------ the credential step
    def prepare(self, target: Any, cfg: Any = None, call: Any = None) -> None:
        """Resolve project, location and credentials for one call: sets ``target.api_base`` to the
        Vertex resource prefix and ``target.headers["authorization"]`` to a Bearer access token."""
        extra = getattr(call, "extra", None) or {}
        settings = _settings(cfg)
        project = (_pick(extra, ("vertex_project", "vertex_ai_project")) or getattr(settings, "vertex_project", None)
                   or _env(PROJECT_ENV))
        location = (_pick(extra, ("vertex_location", "vertex_ai_location"))
                    or getattr(settings, "vertex_location", None) or _env(LOCATION_ENV) or DEFAULT_LOCATION)
        headers = dict(target.headers or {})
        if not any(k.lower() == "authorization" for k in headers):
            source = (_pick(extra, ("vertex_credentials", "vertex_ai_credentials"))
                      or getattr(settings, "vertex_credentials", None) or _env(CREDENTIALS_ENV))
            try:
                token, own_project = access_token(source)
            except AuthenticationError as exc:
                exc.model = target.model
                raise
            headers["authorization"] = "Bearer " + token
            project = project or own_project
            target.headers = headers
        if target.api_base and "/projects/" in target.api_base:
            return  # the caller gave the resource prefix (or prepare already ran)
        if not project:
            raise _fail("vertex_ai needs a Google Cloud project: pass vertex_project=..., set litegate.vertex_project "
                        "or VERTEXAI_PROJECT, or use credentials that name one", target.model)
        for what, value in (("vertex_project", project), ("vertex_location", location)):
            if not isinstance(value, str) or not _SAFE_SEGMENT.fullmatch(value):
                raise _fail(f"{what} {value!r} is not a valid Google Cloud {what[7:]} id", target.model)
        target.api_base = vertex_base(target.api_base, project, location)

    # ------------------------------------------------------------------ requests
    def auth_headers(self, target: Any) -> dict[str, str]:
        headers = dict(target.headers or {})
        if not any(k.lower() == "authorization" for k in headers):
            raise _auth_error("no access token for this call: the credential step (VertexAI.prepare) did not run",
                              target.model)
        return {"content-type": "application/json", **headers}

    def url(self, target: Any, method: str) -> str:
        base = target.api_base or ""
        if "/projects/" not in base:
            raise _auth_error("the Vertex AI project/location is not resolved for this call: the credential step "
                              "(VertexAI.prepare) did not run", target.model)
        model = self.model_id(target.model)
        if "/publishers/" in base or "/endpoints/" in base:
            return f"{base}:{method}"
        if model.isdigit():
            return f"{base}/endpoints/{model}:{method}"
        if model.startswith(("publishers/", "endpoints/")):
            return f"{base}/{model}:{method}"
        return f"{base}/publishers/google/models/{model}:{method}"

    def call_extra(self, call: Any) -> dict:
        extra = call.extra or {}
        if any(k in _CONTROL_KEYS for k in extra):
            return {k: v for k, v in extra.items() if k not in _CONTROL_KEYS}
        return extra

    # ------------------------------------------------------------------ embeddings
    def embedding_request(self, call: Any, target: Any, drop: bool) -> HttpRequest:
        texts, single = self._embedding_inputs(call, drop)
        options, rest = self._embed_options(call)
        headers = self.auth_headers(target)
        if "gemini" in self.model_id(target.model).rsplit("/", 1)[-1]:
            def one(text: str) -> dict:
                item: dict = {"content": {"parts": [{"text": text}]}}
                if options:
                    item["embedContentConfig"] = dict(options)
                return item

            if single:
                return HttpRequest("POST", self.url(target, "embedContent"), headers, {**one(texts[0]), **rest})
            return HttpRequest("POST", self.url(target, "batchEmbedContents"), headers,
                               {"requests": [one(t) for t in texts], **rest})
        instance_keys = {"taskType": "task_type", "title": "title"}
        instances = []
        for text in texts:
            inst: dict = {"content": text}
            for ours, theirs in instance_keys.items():
                if ours in options:
                    inst[theirs] = options[ours]
            instances.append(inst)
        body: dict = {"instances": instances}
        parameters = {_camel(k): v for k, v in options.items() if k not in instance_keys}
        if parameters:
            body["parameters"] = parameters
        body.update(rest)
        return HttpRequest("POST", self.url(target, "predict"), headers, body)
