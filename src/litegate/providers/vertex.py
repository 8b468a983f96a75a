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
* auth: ``Authorization: Bearer <OAuth access token>`` (scope ``cloud-platform``), set by a
  :class:`~litegate.providers.google_auth.GoogleAuth` flow on every attempt. The credentials come
  from ``vertex_credentials=`` per call, ``litegate.vertex_credentials``, ``VERTEXAI_CREDENTIALS``,
  ``VERTEX_SERVICE_ACCOUNT_KEY_PATH`` or ``GOOGLE_APPLICATION_CREDENTIALS`` -- a service-account
  key (a path to its JSON file, the JSON text, or a dict) or an ``authorized_user`` file (what
  ``gcloud auth application-default login`` writes) -- else Application Default Credentials.
  Token exchanges, caching and refresh: :mod:`litegate.providers.google_auth` (the exchange goes
  through the call's transport; google-auth-only sources are refreshed in a worker thread in async
  calls). An ``authorization`` header given by the caller (``extra_headers``) is used as is and
  skips the credential step.

The per-call steps: :meth:`VertexAI.prepare` (pure) resolves project and location and turns
``target.api_base`` into the Vertex resource prefix; :meth:`VertexAI.auth` returns the token flow.
When only Application Default Credentials can name the project (google-auth asks the metadata
server or gcloud), the prefix holds a placeholder the flow fills in on the first attempt.

Embeddings follow the official ``google-genai`` SDK: ``gemini-*`` embedding models use
``:embedContent`` (one text) / ``:batchEmbedContents`` (a list) with ``embedContentConfig``; other
models (``text-embedding-005``, ``text-multilingual-embedding-002`` ...) use ``:predict`` with
``instances`` / ``parameters``, whose ``statistics.token_count`` gives the usage.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..core.http import HttpRequest
from ..core.resolve import env_value as _env
from . import google_auth
from .base import bad_input
from .gemini.common import _VERSIONED, _camel
from .gemini.dialect import Gemini
from .google_auth import (  # the names earlier versions defined here
    DEFAULT_TOKEN_URI,
    JWT_GRANT,
    REFRESH_MARGIN,
    SCOPE,
    TOKEN_LIFETIME,
    TOKENS,
    GoogleAuth,
    Token,
    TokenCache,
    access_token,
    load_credentials,
    service_account_jwt,
)
from .spec import SPECS

if TYPE_CHECKING:
    from ..core.auth import Auth
    from ..types.utils import ModelResponse
    from .base import Drop, StreamDecoder
    from .vertex_anthropic import VertexAnthropic

__all__ = [
    "VertexAI",
    "DEFAULT_LOCATION",
    "DEFAULT_TOKEN_URI",
    "GoogleAuth",
    "JWT_GRANT",
    "REFRESH_MARGIN",
    "SCOPE",
    "TOKENS",
    "TOKEN_LIFETIME",
    "Token",
    "TokenCache",
    "access_token",
    "load_credentials",
    "service_account_jwt",
    "vertex_base",
]

DEFAULT_LOCATION = "us-central1"
# where project, location and credentials come from: the provider registry's row
PROJECT_ENV, LOCATION_ENV = SPECS["vertex_ai"].other_env
CREDENTIALS_ENV = SPECS["vertex_ai"].credentials_env

_CONTROL_KEYS = frozenset(
    {
        "vertex_project",
        "vertex_ai_project",
        "vertex_location",
        "vertex_ai_location",
        "vertex_credentials",
        "vertex_ai_credentials",
    }
)
_SAFE_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:\-]*")
_PENDING = "{project}"  # the project segment until the token exchange names it (ADC through google-auth)


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
# the dialect
# ---------------------------------------------------------------------------------------------


def _pick(extra: dict[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        value = extra.get(name)
        if value:
            return value
    return None


def _has_authorization(headers: Any) -> bool:
    return any(k.lower() == "authorization" for k in headers or ())


def _no_project(model: str) -> Exception:
    return bad_input(
        "vertex_ai needs a Google Cloud project: pass vertex_project=..., set litegate.vertex_project or "
        "VERTEXAI_PROJECT, or use credentials that name one",
        model,
    )


def _check_segment(what: str, value: Any, model: str) -> None:
    if not isinstance(value, str) or not _SAFE_SEGMENT.fullmatch(value):
        raise bad_input(f"{what} {value!r} is not a valid Google Cloud {what[7:]} id", model)


class _VertexAuth(GoogleAuth):
    """The Google token flow of one Vertex AI call; fills in the project when only the token
    exchange could name it (Application Default Credentials through google-auth)."""

    def __init__(self, credentials: Any, target: Any):
        super().__init__(credentials, provider="vertex_ai", model=target.model)
        self.target = target

    def authorized(self, request: HttpRequest, token: Token) -> HttpRequest:
        request = super().authorized(request, token)
        pending = f"/projects/{_PENDING}/"
        if pending not in request.url:
            return request
        project = token.project
        if not project:
            raise _no_project(self.target.model)
        _check_segment("vertex_project", project, self.target.model)
        named = f"/projects/{project}/"
        if self.target.api_base:  # what the answer reports as its api_base
            self.target.api_base = self.target.api_base.replace(pending, named, 1)
        return replace(request, url=request.url.replace(pending, named, 1))


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

    # ------------------------------------------------------------------ per-call steps
    def prepare(self, target: Any, cfg: Any = None, call: Any = None) -> None:
        """Resolve project and location for one call (pure: environment, settings, a local key
        file at most) and set ``target.api_base`` to the Vertex resource prefix."""
        if target.api_base and "/projects/" in target.api_base:
            return  # the caller gave the resource prefix (or prepare already ran)
        extra = getattr(call, "extra", None) or {}
        settings = _settings(cfg)
        project = (
            _pick(extra, ("vertex_project", "vertex_ai_project"))
            or getattr(settings, "vertex_project", None)
            or _env(PROJECT_ENV)
        )
        location = (
            _pick(extra, ("vertex_location", "vertex_ai_location"))
            or getattr(settings, "vertex_location", None)
            or _env(LOCATION_ENV)
            or DEFAULT_LOCATION
        )
        later = False  # only the token exchange can name the project (ADC through google-auth)
        if not project and not _has_authorization(target.headers):
            auth = self._google_auth(target, extra, settings)  # the credentials' own project
            project, later = auth.project, auth.project_later
        if not project and not later:
            raise _no_project(target.model)
        if not later:
            _check_segment("vertex_project", project, target.model)
        _check_segment("vertex_location", location, target.model)
        target.api_base = vertex_base(target.api_base, _PENDING if later else str(project), location)

    def auth(self, target: Any, call: Any, cfg: Any) -> Auth | None:
        """The token flow for the call's credentials, unless the caller gave an authorization header."""
        if _has_authorization(target.headers):
            return None
        return self._google_auth(target, getattr(call, "extra", None) or {}, _settings(cfg))

    def _google_auth(self, target: Any, extra: dict[str, Any], settings: Any) -> _VertexAuth:
        source = (
            _pick(extra, ("vertex_credentials", "vertex_ai_credentials"))
            or getattr(settings, "vertex_credentials", None)
            or _env(CREDENTIALS_ENV)
        )
        return _VertexAuth(source, target)

    # ------------------------------------------------------------------ requests
    def auth_headers(self, target: Any) -> dict[str, str]:
        headers = dict(target.headers or {})
        if not target.token_flow and not _has_authorization(headers):
            raise google_auth.auth_error(
                "no access token for this call: the credential step (VertexAI.auth) did not run", target.model
            )
        return {"content-type": "application/json", **headers}

    def url(self, target: Any, method: str) -> str:
        base = target.api_base or ""
        if "/projects/" not in base:
            raise google_auth.auth_error(
                "the Vertex AI project/location is not resolved for this call: the "
                "credential step (VertexAI.prepare) did not run",
                target.model,
            )
        model = self.model_id(target.model)
        if "/publishers/" in base or "/endpoints/" in base:
            return f"{base}:{method}"
        if model.isdigit():
            return f"{base}/endpoints/{model}:{method}"
        if model.startswith(("publishers/", "endpoints/")):
            return f"{base}/{model}:{method}"
        return f"{base}/publishers/google/models/{model}:{method}"

    def call_extra(self, call: Any) -> dict[str, Any]:
        extra: dict[str, Any] = call.extra or {}
        if any(k in _CONTROL_KEYS for k in extra):
            return {k: v for k, v in extra.items() if k not in _CONTROL_KEYS}
        return extra

    # ------------------------------------------------------------------ embeddings
    def embedding_request(self, call: Any, target: Any, drop: Drop) -> HttpRequest:
        texts, single = self._embedding_inputs(call, drop)
        options, rest = self._embed_options(call)
        headers = self.auth_headers(target)
        if "gemini" in self.model_id(target.model).rsplit("/", 1)[-1]:

            def one(text: str) -> dict[str, Any]:
                item: dict[str, Any] = {"content": {"parts": [{"text": text}]}}
                if options:
                    item["embedContentConfig"] = dict(options)
                return item

            if single:
                return HttpRequest("POST", self.url(target, "embedContent"), headers, {**one(texts[0]), **rest})
            return HttpRequest(
                "POST", self.url(target, "batchEmbedContents"), headers, {"requests": [one(t) for t in texts], **rest}
            )
        instance_keys = {"taskType": "task_type", "title": "title"}
        instances: list[dict[str, Any]] = []
        for text in texts:
            inst: dict[str, Any] = {"content": text}
            for ours, theirs in instance_keys.items():
                if ours in options:
                    inst[theirs] = options[ours]
            instances.append(inst)
        body: dict[str, Any] = {"instances": instances}
        parameters = {_camel(k): v for k, v in options.items() if k not in instance_keys}
        if parameters:
            body["parameters"] = parameters
        body.update(rest)
        return HttpRequest("POST", self.url(target, "predict"), headers, body)

    # ------------------------------------------------------------------ Claude on Vertex
    # ``vertex_ai/claude-...``: the Anthropic translator on publishers/anthropic (vertex_anthropic.py)
    _claude: VertexAnthropic | None = None

    @property
    def claude(self) -> VertexAnthropic:
        claude = self._claude
        if claude is None:
            from .vertex_anthropic import VertexAnthropic

            claude = type(self)._claude = VertexAnthropic()
        return claude

    def chat_request(self, call: Any, target: Any, drop: Any) -> HttpRequest:
        from .vertex_anthropic import is_claude

        if is_claude(target.model):
            base = target.api_base or ""
            if "/projects/" not in base:
                raise google_auth.auth_error(
                    "the Vertex AI project/location is not resolved for this call: the "
                    "credential step (VertexAI.prepare) did not run",
                    target.model,
                )
            import dataclasses

            return self.claude.vertex_request(
                dataclasses.replace(call, extra=self.call_extra(call)), target, drop, base
            )
        return super().chat_request(call, target, drop)

    def parse_chat(self, resp: Any, call: Any, target: Any) -> ModelResponse:
        from .vertex_anthropic import is_claude

        if is_claude(target.model):
            return self.claude.parse_chat(resp, call, target)
        return super().parse_chat(resp, call, target)

    def stream_decoder(self, call: Any, target: Any) -> StreamDecoder:
        from .vertex_anthropic import is_claude

        if is_claude(target.model):
            decoder = self.claude.stream_decoder(call, target)
            decoder.provider = self.name
            return decoder
        return super().stream_decoder(call, target)

    def embedded_error(self, data: dict[str, Any], resp: Any, target: Any) -> Exception | None:
        from .vertex_anthropic import is_claude

        if is_claude(target.model):
            return self.claude.embedded_error(data, resp, target)
        return super().embedded_error(data, resp, target)

    def supported_openai_params(self, model: str) -> list[str]:
        from .vertex_anthropic import is_claude

        if is_claude(model):
            return self.claude.supported_openai_params(model)
        return super().supported_openai_params(model)
