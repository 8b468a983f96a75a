"""AWS credentials for one call, and the SigV4 auth flow that signs every attempt.

Where the credentials come from (the first that applies):

1. per-call ``aws_web_identity_token`` + ``aws_role_name``: STS ``AssumeRoleWithWebIdentity``;
2. per-call ``aws_role_name`` (+ ``aws_session_name``): STS ``AssumeRole``, signed with the base
   credentials found by the rules below;
3. per-call ``aws_access_key_id`` + ``aws_secret_access_key`` (+ ``aws_session_token``);
4. per-call ``aws_profile_name``: that profile of the shared credentials file
   (``AWS_SHARED_CREDENTIALS_FILE`` or ``~/.aws/credentials``; the config file for its region),
   else botocore's resolution of that profile (SSO, processes ...) when botocore is installed;
5. the module settings ``litegate.aws_access_key_id`` / ``aws_secret_access_key`` /
   ``aws_session_token``;
6. the environment: ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` / ``AWS_SESSION_TOKEN``;
7. botocore's standard chain (profiles, web identity, container and instance roles) when botocore
   is installed (the optional ``bedrock`` extra); it is imported only here, only then.

The region: ``aws_region_name`` per call, ``litegate.aws_region_name``, ``AWS_REGION_NAME`` /
``AWS_REGION`` / ``AWS_DEFAULT_REGION``, the profile's region, else ``us-west-2``.

STS calls go through the call's own transport (a side request of the auth flow, with its
deadline); ``aws_sts_endpoint`` per call replaces ``https://sts.<region>.amazonaws.com``. Their
temporary credentials are cached until five minutes before they expire (at most
:data:`CACHE_SIZE` sets). Anything that blocks (files, botocore) runs as a ``Blocking`` step: in a
worker thread under async. Secret keys and session tokens are registered for masking.
"""

from __future__ import annotations

import configparser
import hashlib
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from ...core.auth import Auth, Blocking, Flow
from ...core.http import HttpRequest
from ...core.resolve import env_value
from .sigv4 import Credentials, sign_headers

if TYPE_CHECKING:
    from collections.abc import Generator
    from typing import TypeAlias

    from ...core.http import HttpResponse

    # a step of an auth flow (core/auth.py) that returns credentials instead of the request
    CredentialsFlow: TypeAlias = Generator[Any, Any, Credentials]
    # (web | role, role, session name, STS URL, external id, web-identity token hash, base credentials fingerprint)
    _CacheKey: TypeAlias = tuple[str, str | None, str, str, str | None, str, str]

__all__ = [
    "AwsParams",
    "AwsSigV4",
    "aws_params",
    "settings_source",
    "CONTROL_KEYS",
    "DEFAULT_REGION",
    "CACHE_SIZE",
    "clear_cache",
]

DEFAULT_REGION = "us-west-2"
REGION_ENV = ("AWS_REGION_NAME", "AWS_REGION", "AWS_DEFAULT_REGION")
CACHE_SIZE = 64
REFRESH_MARGIN = timedelta(minutes=5)
STS_VERSION = "2011-06-15"
DEFAULT_SESSION_NAME = "litegate-session"

# per-call arguments that steer AWS auth and addressing (never sent to the model)
CONTROL_KEYS = frozenset(
    {
        "aws_access_key_id",
        "aws_secret_access_key",
        "aws_session_token",
        "aws_region_name",
        "aws_profile_name",
        "aws_role_name",
        "aws_session_name",
        "aws_web_identity_token",
        "aws_sts_endpoint",
        "aws_external_id",
        "aws_bedrock_runtime_endpoint",
    }
)


@dataclass(frozen=True, slots=True)
class AwsParams:
    """What one call says about AWS, resolved per call > settings > environment."""

    access_key: str | None = None
    secret_key: str | None = None
    token: str | None = None
    region: str = DEFAULT_REGION
    profile: str | None = None
    role_name: str | None = None
    session_name: str | None = None
    web_identity_token: str | None = None
    sts_endpoint: str | None = None
    external_id: str | None = None

    def __repr__(self) -> str:
        return f"AwsParams(region={self.region!r}, profile={self.profile!r}, role={self.role_name!r})"


def _auth_error(message: str, provider: str, model: str | None) -> Exception:
    from ...exceptions import AuthenticationError

    return AuthenticationError(message=message, llm_provider=provider, model=model)


def _text(value: Any, name: str, model: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not value.isprintable() or value != value.strip():
        from ...core.call import input_error

        raise input_error(f"{name} must be a string without spaces around it or line breaks", model)
    return value


def _profile_region(profile: str | None) -> str | None:
    path = os.environ.get("AWS_CONFIG_FILE") or os.path.join(os.path.expanduser("~"), ".aws", "config")
    section = "default" if profile in (None, "default") else f"profile {profile}"
    try:
        parser = configparser.RawConfigParser()
        parser.read(path, encoding="utf-8")
        return parser.get(section, "region", fallback=None) or None
    except (OSError, configparser.Error):
        return None


def settings_source(cfg: Any) -> Any:
    """Where settings are read: the call's ``cfg`` (a Client's), else the ``litegate`` module."""
    if cfg is not None:
        return cfg
    import litegate

    return litegate


def aws_params(extra: dict[str, Any], cfg: Any, model: str | None = None) -> AwsParams:
    """The AWS parameters of one call (pure but for the profile's region in the config file)."""

    def per_call(name: str) -> str | None:
        return _text(extra.get(name), name, model)

    access, secret, token = (
        per_call("aws_access_key_id"),
        per_call("aws_secret_access_key"),
        per_call("aws_session_token"),
    )
    if bool(access) != bool(secret):
        from ...core.call import input_error

        raise input_error("pass aws_access_key_id and aws_secret_access_key together", model)
    profile = per_call("aws_profile_name")
    if not access and not profile:
        access = _text(getattr(cfg, "aws_access_key_id", None), "litegate.aws_access_key_id", model)
        secret = _text(getattr(cfg, "aws_secret_access_key", None), "litegate.aws_secret_access_key", model)
        token = _text(getattr(cfg, "aws_session_token", None), "litegate.aws_session_token", model)
        if not (access and secret):
            access = _text(env_value(("AWS_ACCESS_KEY_ID",)), "AWS_ACCESS_KEY_ID", model)
            secret = _text(env_value(("AWS_SECRET_ACCESS_KEY",)), "AWS_SECRET_ACCESS_KEY", model)
            token = _text(env_value(("AWS_SESSION_TOKEN",)), "AWS_SESSION_TOKEN", model)
            if not (access and secret):
                access = secret = token = None
    region = (
        per_call("aws_region_name")
        or _text(getattr(cfg, "aws_region_name", None), "litegate.aws_region_name", model)
        or env_value(REGION_ENV)
    )
    if not region and profile:
        region = _profile_region(profile)
    return AwsParams(
        access,
        secret,
        token,
        region or DEFAULT_REGION,
        profile,
        per_call("aws_role_name"),
        per_call("aws_session_name"),
        per_call("aws_web_identity_token"),
        per_call("aws_sts_endpoint"),
        per_call("aws_external_id"),
    )


# ------------------------------------------------------------------------------------------- cache
_cache: OrderedDict[_CacheKey, Credentials] = OrderedDict()
_lock = threading.Lock()
_botocore: dict[str | None, Any] = {}  # profile (None: the default chain) -> botocore credentials object


def clear_cache() -> None:
    with _lock:
        _cache.clear()
        _botocore.clear()


def _cached(key: _CacheKey) -> Credentials | None:
    with _lock:
        creds = _cache.get(key)
        if creds is None:
            return None
        if creds.expiry is not None and creds.expiry - REFRESH_MARGIN <= datetime.now(timezone.utc):
            del _cache[key]
            return None
        _cache.move_to_end(key)
        return creds


def _store(key: _CacheKey, creds: Credentials) -> None:
    with _lock:
        _cache[key] = creds
        _cache.move_to_end(key)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)


def _fingerprint(creds: Credentials | None) -> str:
    if creds is None:
        return ""
    return hashlib.sha256(f"{creds.access_key}\0{creds.secret_key}\0{creds.token}".encode()).hexdigest()


# ------------------------------------------------------------------------------------------- sources
def _shared_profile(profile: str) -> Credentials | None:
    path = os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or os.path.join(os.path.expanduser("~"), ".aws", "credentials")
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (OSError, configparser.Error):
        return None
    if not parser.has_section(profile):
        return None
    access = parser.get(profile, "aws_access_key_id", fallback=None)
    secret = parser.get(profile, "aws_secret_access_key", fallback=None)
    if not access or not secret:
        return None
    return Credentials(
        access.strip(), secret.strip(), (parser.get(profile, "aws_session_token", fallback=None) or None)
    )


def _from_botocore(profile: str | None) -> Credentials | None:
    """botocore's resolution (the default chain, or one profile); None when botocore is missing
    or finds nothing."""
    try:
        import botocore.session  # the optional ``bedrock`` extra
    except ImportError:
        return None
    with _lock:
        source = _botocore.get(profile)
    if source is None:
        session = botocore.session.Session(profile=profile)
        source = session.get_credentials()
        if source is None:
            return None
        with _lock:
            if len(_botocore) >= CACHE_SIZE:
                _botocore.clear()
            _botocore[profile] = source
    frozen = source.get_frozen_credentials()  # refreshes temporary credentials itself
    if not frozen.access_key or not frozen.secret_key:
        return None
    return Credentials(frozen.access_key, frozen.secret_key, frozen.token or None)


def _local(params: AwsParams) -> Credentials | None:
    """Credentials found without a network call of ours (a file, botocore)."""
    if params.profile:
        creds = _shared_profile(params.profile)
        return creds if creds is not None else _from_botocore(params.profile)
    return _from_botocore(None)


def _xml_credentials(content: bytes) -> tuple[Credentials | None, str]:
    """(credentials, error message) from an STS XML answer."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(content)  # noqa: S314 - ElementTree fetches no external entities; expat bounds expansion
    except ET.ParseError:
        return None, content[:200].decode("utf-8", "replace")
    found: dict[str, str] = {}
    for el in root.iter():
        name = el.tag.rsplit("}", 1)[-1]
        if name in ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration", "Message", "Code") and el.text:
            found.setdefault(name, el.text.strip())
    if "AccessKeyId" in found and "SecretAccessKey" in found:
        expiry = None
        if "Expiration" in found:
            try:
                expiry = datetime.fromisoformat(found["Expiration"].replace("Z", "+00:00"))
                if expiry.tzinfo is None:
                    expiry = expiry.replace(tzinfo=timezone.utc)
            except ValueError:
                expiry = None
        return Credentials(found["AccessKeyId"], found["SecretAccessKey"], found.get("SessionToken"), expiry), ""
    message = found.get("Message") or "no credentials in the answer"
    if "Code" in found:
        message = f"{found['Code']}: {message}"
    return None, message


class AwsSigV4(Auth):
    """The auth flow of one AWS call: find (or assume) credentials, then sign the final bytes of
    the request with SigV4 -- on every attempt, so a retry is signed afresh."""

    def __init__(self, params: AwsParams, service: str, provider: str = "bedrock", model: str | None = None):
        self.params = params
        self.service = service
        self.provider = provider
        self.model = model

    # -------------------------------------------------------------- credentials
    def credentials(self) -> CredentialsFlow:
        p = self.params
        if p.web_identity_token:
            if not p.role_name:
                raise _auth_error(
                    "aws_web_identity_token needs aws_role_name (the role ARN to assume)", self.provider, self.model
                )
            creds = yield from self._assume(None)
        elif p.role_name:
            base = yield from self._base()
            creds = yield from self._assume(base)
        else:
            creds = yield from self._base()
        from ...core.redact import register_secret

        register_secret(creds.secret_key)
        if creds.token:
            register_secret(creds.token)
        return creds

    def _base(self) -> CredentialsFlow:
        p = self.params
        if p.access_key and p.secret_key:
            return Credentials(p.access_key, p.secret_key, p.token)
        creds: Credentials | None = yield Blocking(lambda: _local(p))
        if creds is None:
            where = f"profile {p.profile!r}" if p.profile else "the call, litegate settings, the environment"
            hint = "" if p.profile else " or botocore's chain (pip install 'litegate[bedrock]')"
            raise _auth_error(
                f"No AWS credentials for {self.provider}: none found in {where}{hint}. Pass "
                "aws_access_key_id= and aws_secret_access_key=, set AWS_ACCESS_KEY_ID / "
                "AWS_SECRET_ACCESS_KEY, or aws_profile_name= / aws_role_name=",
                self.provider,
                self.model,
            )
        return creds

    def _assume(self, base: Credentials | None) -> CredentialsFlow:
        p = self.params
        session = p.session_name or DEFAULT_SESSION_NAME
        url = (p.sts_endpoint or f"https://sts.{p.region}.amazonaws.com").rstrip("/") + "/"
        key = (
            "web" if base is None else "role",
            p.role_name,
            session,
            url,
            p.external_id,
            hashlib.sha256((p.web_identity_token or "").encode()).hexdigest(),
            _fingerprint(base),
        )
        creds = _cached(key)
        if creds is not None:
            return creds
        form: dict[str, str] = {"Version": STS_VERSION, "RoleArn": p.role_name or "", "RoleSessionName": session}
        if base is None:
            form["Action"] = "AssumeRoleWithWebIdentity"
            form["WebIdentityToken"] = p.web_identity_token or ""
            from ...core.redact import register_secret

            register_secret(p.web_identity_token or "")
        else:
            form["Action"] = "AssumeRole"
            if p.external_id:
                form["ExternalId"] = p.external_id
        body = urlencode(sorted(form.items())).encode("ascii")
        headers = {"content-type": "application/x-www-form-urlencoded; charset=utf-8"}
        if base is not None:
            headers.update(sign_headers("POST", url, headers, body, base, p.region, "sts"))
        try:
            resp: HttpResponse = yield HttpRequest("POST", url, headers, content=body)
        except Exception as exc:  # noqa: BLE001 - the transport's error, with what was being done
            raise _auth_error(
                f"AWS STS {form['Action']} for role {p.role_name!r} failed: {type(exc).__name__}: {exc}",
                self.provider,
                self.model,
            ) from None
        creds, message = _xml_credentials(resp.content) if resp.status_code < 400 or resp.content else (None, "")
        if resp.status_code >= 400 or creds is None:
            raise _auth_error(
                f"AWS STS {form['Action']} for role {p.role_name!r} was refused (HTTP {resp.status_code}): {message}",
                self.provider,
                self.model,
            )
        _store(key, creds)
        return creds

    # -------------------------------------------------------------- signing
    def flow(self, request: HttpRequest) -> Flow:
        creds = yield from self.credentials()
        return sign_request(request, creds, self.params.region, self.service)


def sign_request(request: HttpRequest, creds: Credentials, region: str, service: str) -> HttpRequest:
    """``request`` with its body encoded (the exact bytes signed) and the SigV4 headers set."""
    from ...core.transport import _body_bytes

    body = request.content
    headers = {
        k: v
        for k, v in request.headers.items()
        if k.lower() not in ("authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256")
    }
    if body is None and request.json is not None:
        body = _body_bytes(request)
        if not any(k.lower() == "content-type" for k in headers):
            headers["content-type"] = "application/json"
    url = request.url
    if request.params:
        url += ("&" if "?" in url else "?") + urlencode(request.params)
    headers.update(sign_headers(request.method, url, headers, body, creds, region, service))
    return replace(request, url=url, params=None, headers=headers, json=None, content=body)
