"""The Vertex AI credential step: service-account JWT exchange against the fake token endpoint (with a
key generated for the session), token caching and refresh, thread safety, credential sources, user
credentials, google-auth credentials and ADC, and failures."""

from __future__ import annotations

import base64
import json
import sys
import threading
import time

import pytest

import litegate
from litegate.core.redact import redact
from litegate.providers import google_auth, vertex
from litegate.providers.vertex import SCOPE, access_token, service_account_jwt

MODEL = "vertex_ai/gemini-2.5-flash"
MESSAGES = [{"role": "user", "content": "Hello"}]


def _call(srv, **kw):
    kw.setdefault("api_base", srv.url)
    kw.setdefault("messages", MESSAGES)
    return litegate.completion(kw.pop("model", MODEL), **kw)


def _claims(jwt: str) -> tuple[dict, dict]:
    head, body, _ = jwt.split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    return json.loads(base64.urlsafe_b64decode(pad(head))), json.loads(base64.urlsafe_b64decode(pad(body)))


def test_jwt_assertion_is_signed_rs256_with_the_key(service_account, rsa_key):
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    jwt = service_account_jwt(service_account, now=1_700_000_000)
    header, claims = _claims(jwt)
    assert header == {"alg": "RS256", "typ": "JWT", "kid": service_account["private_key_id"]}
    assert claims == {
        "iss": service_account["client_email"],
        "scope": SCOPE,
        "aud": "https://oauth2.googleapis.com/token",
        "iat": 1_700_000_000,
        "exp": 1_700_003_600,
    }
    signed, _, sig = jwt.rpartition(".")
    public = serialization.load_pem_public_key(rsa_key[1].encode())
    public.verify(
        base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)), signed.encode(), padding.PKCS1v15(), hashes.SHA256()
    )  # raises when the signature is wrong


def test_service_account_exchange_and_call(vertex_server, service_account):
    resp = _call(vertex_server, vertex_credentials=service_account)
    assert resp.choices[0].message.content == "This is a fake reply to: Hello"
    token_req, call_req = vertex_server.requests
    assert token_req.path == "/token" and token_req.method == "POST"
    assert token_req.header("content-type") == "application/x-www-form-urlencoded"
    grant = vertex_server.token_grants[0]
    assert grant["iss"] == service_account["client_email"] and grant["aud"] == "https://oauth2.googleapis.com/token"
    assert grant["kid"] == service_account["private_key_id"] and grant["scope"] == SCOPE
    assert call_req.header("authorization") == "Bearer " + vertex_server.issued_tokens[0]
    # the key's project is used when none is configured
    assert (
        call_req.path == "/v1/projects/sa-project/locations/us-central1/publishers/google/models/"
        "gemini-2.5-flash:generateContent"
    )


def test_token_is_cached_across_calls_and_sources(vertex_server, service_account, key_file):
    _call(vertex_server, vertex_credentials=service_account)
    _call(vertex_server, vertex_credentials=json.dumps(service_account))
    _call(vertex_server, vertex_credentials=str(key_file))
    litegate.embedding(
        "vertex_ai/text-embedding-005", input="x", api_base=vertex_server.url, vertex_credentials=key_file
    )
    assert len(vertex_server.issued_tokens) == 1
    assert vertex_server.hits("/token") == 1
    assert vertex_server.hits() == 5


def test_token_is_renewed_before_it_expires(vertex_server, service_account, monkeypatch):
    vertex_server.token_lifetime = 3600
    _call(vertex_server, vertex_credentials=service_account)
    now = time.time()
    monkeypatch.setattr(google_auth.time, "time", lambda: now + 3600 - vertex.REFRESH_MARGIN + 1)
    _call(vertex_server, vertex_credentials=service_account)
    assert len(vertex_server.issued_tokens) == 2
    assert vertex_server.requests[-1].header("authorization") == "Bearer " + vertex_server.issued_tokens[1]


def test_short_lived_tokens_are_not_reused(vertex_server, service_account):
    vertex_server.token_lifetime = vertex.REFRESH_MARGIN - 1  # already inside the renewal margin
    _call(vertex_server, vertex_credentials=service_account)
    _call(vertex_server, vertex_credentials=service_account)
    assert len(vertex_server.issued_tokens) == 2


def test_concurrent_callers_share_one_exchange(vertex_server, service_account):
    errors = []
    barrier = threading.Barrier(8)

    def worker():
        try:
            barrier.wait()
            access_token(service_account)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert vertex_server.hits("/token") == 1


async def test_async_calls_share_the_token(vertex_server, service_account):
    import asyncio

    results = await asyncio.gather(
        *[
            litegate.acompletion(
                MODEL,
                api_base=vertex_server.url,
                vertex_credentials=service_account,
                messages=[{"role": "user", "content": f"q{i}"}],
            )
            for i in range(5)
        ]
    )
    assert sorted(r.choices[0].message.content for r in results) == [f"This is a fake reply to: q{i}" for i in range(5)]
    assert vertex_server.hits("/token") == 1


@pytest.mark.parametrize(
    "env", ["GOOGLE_APPLICATION_CREDENTIALS", "VERTEX_SERVICE_ACCOUNT_KEY_PATH", "VERTEXAI_CREDENTIALS"]
)
def test_credentials_from_the_environment(vertex_server, key_file, monkeypatch, env):
    monkeypatch.setenv(env, str(key_file))
    monkeypatch.setenv("VERTEXAI_PROJECT", "env-project")
    _call(vertex_server)
    assert vertex_server.last_request.path.startswith("/v1/projects/env-project/")
    assert vertex_server.hits("/token") == 1


def test_module_credentials_setting(vertex_server, service_account):
    litegate.vertex_credentials = service_account
    litegate.vertex_location = "europe-west4"
    _call(vertex_server)
    assert "/locations/europe-west4/" in vertex_server.last_request.path


def test_client_settings(vertex_server, service_account):
    client = litegate.Client(vertex_credentials=service_account, vertex_project="client-project")
    client.completion(MODEL, api_base=vertex_server.url, messages=MESSAGES)
    assert vertex_server.last_request.path.startswith("/v1/projects/client-project/")


def test_authorized_user_credentials(vertex_server, tmp_path):
    info = {
        "type": "authorized_user",
        "client_id": "cid.apps.googleusercontent.com",
        "client_secret": "shh-secret",
        "refresh_token": "1//refresh-token-value",
        "token_uri": vertex_server.token_uri,
    }
    path = tmp_path / "application_default_credentials.json"
    path.write_text(json.dumps(info))
    _call(vertex_server, vertex_credentials=str(path), vertex_project="p")
    assert vertex_server.token_grants == [{"grant": "refresh_token", "client_id": "cid.apps.googleusercontent.com"}]
    form = vertex_server.requests[0].text
    assert "grant_type=refresh_token" in form and "refresh_token=1%2F%2Frefresh-token-value" in form


def test_authorization_header_given_by_the_caller_skips_the_exchange(vertex_server):
    vertex_server.require_token = "ya29.my-own-token"
    _call(vertex_server, vertex_project="p", extra_headers={"Authorization": "Bearer ya29.my-own-token"})
    assert vertex_server.hits("/token") == 0


def test_token_endpoint_refusal_is_an_authentication_error(vertex_server, service_account):
    vertex_server.enqueue_raw(
        400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}, path="/token"
    )
    with pytest.raises(litegate.AuthenticationError, match="invalid_grant: Invalid JWT Signature") as info:
        _call(vertex_server, vertex_credentials=service_account)
    assert info.value.llm_provider == "vertex_ai" and info.value.model == "gemini-2.5-flash"
    assert vertex_server.hits("generateContent") == 0


def test_a_forged_key_is_refused(vertex_server, service_account):
    from litegate.testing.gemini_server import generate_service_account

    other, _ = generate_service_account(vertex_server.token_uri, key_size=1024)
    with pytest.raises(litegate.AuthenticationError, match="Invalid JWT Signature"):
        _call(vertex_server, vertex_credentials=dict(service_account, private_key=other["private_key"]))


def test_unreachable_token_endpoint_is_a_connection_error(service_account):
    with pytest.raises(litegate.APIConnectionError, match="token endpoint"):
        access_token(dict(service_account, token_uri="http://127.0.0.1:9/token"))


@pytest.mark.parametrize(
    "source, message",
    [
        ("/nonexistent/key.json", "cannot be read"),
        ("{not json", "does not parse"),
        (12345, "must be a path"),
        ({"type": "service_account", "client_email": "a@b"}, "client_email / private_key"),
        (
            {"type": "service_account", "client_email": "a@b", "private_key": "-----BEGIN PRIVATE KEY-----\nAAAA\n"},
            "not a valid RSA key",
        ),
    ],
)
def test_bad_credentials(source, message):
    if message == "not a valid RSA key":
        pytest.importorskip("cryptography")
    with pytest.raises(litegate.AuthenticationError, match=message):
        access_token(source)


def test_expired_token_at_the_server_is_an_authentication_error(vertex_server, service_account):
    _call(vertex_server, vertex_credentials=service_account)
    vertex_server.expire_tokens()
    with pytest.raises(litegate.AuthenticationError):
        _call(vertex_server, vertex_credentials=service_account, num_retries=0)


def test_tokens_and_private_keys_never_reach_errors(vertex_server, service_account):
    _call(vertex_server, vertex_credentials=service_account)
    token = vertex_server.issued_tokens[0]
    assert token not in redact(f"failed with Bearer {token} and {token}")
    vertex_server.enqueue_error(500, message=f"echo {token}")
    with pytest.raises(litegate.InternalServerError) as info:
        _call(vertex_server, vertex_credentials=service_account, num_retries=0)
    assert token not in str(info.value)


# ------------------------------------------------------------------------------ google-auth


def test_google_auth_credentials_object(vertex_server, service_account):
    service_account_mod = pytest.importorskip("google.oauth2.service_account")
    creds = service_account_mod.Credentials.from_service_account_info(service_account)
    _call(vertex_server, vertex_credentials=creds, vertex_project="p")
    # google-auth signed its own JWT; the fake checked the signature against the session key
    assert vertex_server.token_grants[0]["iss"] == service_account["client_email"]
    assert vertex_server.last_request.header("authorization") == "Bearer " + vertex_server.issued_tokens[0]
    _call(vertex_server, vertex_credentials=creds, vertex_project="p")
    assert vertex_server.hits("/token") == 1


def test_application_default_credentials(vertex_server, service_account, monkeypatch):
    google_auth = pytest.importorskip("google.auth")
    service_account_mod = pytest.importorskip("google.oauth2.service_account")
    seen = {}

    def fake_default(scopes=None, **kw):
        seen["scopes"] = scopes
        creds = service_account_mod.Credentials.from_service_account_info(service_account, scopes=scopes)
        return creds, "adc-project"

    monkeypatch.setattr(google_auth, "default", fake_default)
    _call(vertex_server)
    assert seen["scopes"] == [SCOPE]
    assert vertex_server.last_request.path.startswith("/v1/projects/adc-project/")
    _call(vertex_server)
    assert vertex_server.hits("/token") == 1


def test_adc_without_google_auth_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "google.auth", None)
    with pytest.raises(litegate.AuthenticationError, match=r"litegate\[vertex\]"):
        access_token(None)


def test_adc_failure_is_an_authentication_error():
    pytest.importorskip("google.auth")
    with pytest.raises(litegate.AuthenticationError, match="google-auth"):
        access_token(None)  # no key file, no gcloud config, no metadata server here
