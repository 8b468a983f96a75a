"""Where Bedrock's AWS credentials come from, and how each attempt is signed: per-call keys,
module settings, the environment, profiles, STS AssumeRole (signed, through the call's transport,
cached), web identity, botocore's chain, Bedrock API keys; secrets never shown."""

from __future__ import annotations

import asyncio
import logging

import pytest
from _bedrock_helpers import AKID, REGION, SECRET

import litegate
from litegate.providers.aws import credentials as aws_credentials

NOVA = "bedrock/amazon.nova-lite-v1:0"
MSG = [{"role": "user", "content": "Hi"}]
ROLE = "arn:aws:iam::123456789012:role/bedrock-caller"


def _akid_used(srv):
    return srv.last_request.header("authorization").split("Credential=")[1].split("/")[0]


def test_per_call_keys_win_over_settings_and_environment(bedrock_server, monkeypatch):
    bedrock_server.credentials["AKIDSETTING"] = "setting-secret"
    bedrock_server.credentials["AKIDENV"] = "env-secret"
    monkeypatch.setattr(litegate, "aws_access_key_id", "AKIDSETTING")
    monkeypatch.setattr(litegate, "aws_secret_access_key", "setting-secret")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
    monkeypatch.setenv("AWS_REGION_NAME", REGION)
    base = {"aws_bedrock_runtime_endpoint": bedrock_server.url}
    litegate.completion(NOVA, messages=MSG, aws_access_key_id=AKID, aws_secret_access_key=SECRET, **base)
    assert _akid_used(bedrock_server) == AKID
    litegate.completion(NOVA, messages=MSG, **base)
    assert _akid_used(bedrock_server) == "AKIDSETTING"
    monkeypatch.setattr(litegate, "aws_access_key_id", None)
    monkeypatch.setattr(litegate, "aws_secret_access_key", None)
    litegate.completion(NOVA, messages=MSG, **base)
    assert _akid_used(bedrock_server) == "AKIDENV"
    assert bedrock_server.signatures_checked == 3


def test_region_resolution(monkeypatch):
    params = aws_credentials.aws_params({}, litegate)
    assert params.region == "us-west-2"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    assert aws_credentials.aws_params({}, litegate).region == "eu-central-1"
    monkeypatch.setenv("AWS_REGION", "eu-west-3")
    assert aws_credentials.aws_params({}, litegate).region == "eu-west-3"
    monkeypatch.setenv("AWS_REGION_NAME", "ap-south-1")
    assert aws_credentials.aws_params({}, litegate).region == "ap-south-1"
    monkeypatch.setattr(litegate, "aws_region_name", "ca-central-1")
    assert aws_credentials.aws_params({}, litegate).region == "ca-central-1"
    assert aws_credentials.aws_params({"aws_region_name": "us-east-2"}, litegate).region == "us-east-2"


def test_session_token_is_signed(bedrock_server):
    bedrock_server.credentials["ASIATEMP"] = "temp-secret"
    bedrock_server.tokens["ASIATEMP"] = "the-session-token"
    litegate.completion(
        NOVA,
        messages=MSG,
        aws_bedrock_runtime_endpoint=bedrock_server.url,
        aws_access_key_id="ASIATEMP",
        aws_secret_access_key="temp-secret",
        aws_session_token="the-session-token",
        aws_region_name=REGION,
    )
    req = bedrock_server.last_request
    assert req.header("x-amz-security-token") == "the-session-token"
    assert "x-amz-security-token" in req.header("authorization").split("SignedHeaders=")[1]
    with pytest.raises(litegate.AuthenticationError):
        litegate.completion(
            NOVA,
            messages=MSG,
            aws_bedrock_runtime_endpoint=bedrock_server.url,
            aws_access_key_id="ASIATEMP",
            aws_secret_access_key="temp-secret",
            aws_session_token="another-token",
            aws_region_name=REGION,
        )


def test_profile_from_the_shared_credentials_file(bedrock_server, tmp_path, monkeypatch):
    creds = tmp_path / "credentials"
    creds.write_text(
        f"[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = x\n\n"
        f"[work]\naws_access_key_id = {AKID}\naws_secret_access_key = {SECRET}\n"
    )
    config = tmp_path / "config"
    config.write_text(f"[profile work]\nregion = {REGION}\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(creds))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    resp = litegate.completion(
        NOVA, messages=MSG, aws_profile_name="work", aws_bedrock_runtime_endpoint=bedrock_server.url
    )
    assert resp.choices[0].message.content
    assert _akid_used(bedrock_server) == AKID
    assert f"/{REGION}/bedrock/" in bedrock_server.last_request.header("authorization")


def test_botocore_chain_is_used_when_nothing_else_is_given(bedrock_server, tmp_path, monkeypatch):
    pytest.importorskip("botocore")  # the optional `bedrock` extra
    creds = tmp_path / "credentials"
    creds.write_text(f"[from-env-profile]\naws_access_key_id = {AKID}\naws_secret_access_key = {SECRET}\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(creds))
    monkeypatch.setenv("AWS_PROFILE", "from-env-profile")  # only botocore reads AWS_PROFILE
    resp = litegate.completion(
        NOVA, messages=MSG, aws_region_name=REGION, aws_bedrock_runtime_endpoint=bedrock_server.url
    )
    assert resp.choices[0].message.content
    assert _akid_used(bedrock_server) == AKID


def test_no_credentials_is_a_clear_authentication_error(bedrock_server, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "botocore", None)  # as without the extra
    monkeypatch.setitem(sys.modules, "botocore.session", None)
    with pytest.raises(litegate.AuthenticationError, match="No AWS credentials"):
        litegate.completion(NOVA, messages=MSG, aws_bedrock_runtime_endpoint=bedrock_server.url)
    assert bedrock_server.hits() == 0


def test_assume_role_through_sts(bedrock_server, aws):
    kw = dict(aws, aws_role_name=ROLE, aws_session_name="s1", aws_sts_endpoint=bedrock_server.url)
    resp = litegate.completion(NOVA, messages=MSG, **kw)
    assert resp.choices[0].message.content
    assert bedrock_server.sts_calls == ["AssumeRole"]
    sts, call = bedrock_server.requests[-2], bedrock_server.requests[-1]
    assert sts.path == "/" and "Action=AssumeRole" in sts.text and "RoleSessionName=s1" in sts.text
    assert f"/{REGION}/sts/aws4_request" in sts.header("authorization")
    assert _akid_used(bedrock_server).startswith("ASIA")  # the call used the role's credentials
    assert call.header("x-amz-security-token")
    # the temporary credentials are cached: a second call asks STS nothing
    litegate.completion(NOVA, messages=MSG, **kw)
    assert bedrock_server.sts_calls == ["AssumeRole"]

    async def go():
        return await litegate.acompletion(NOVA, messages=MSG, **dict(kw, aws_session_name="s2"))

    asyncio.run(go())
    assert bedrock_server.sts_calls == ["AssumeRole", "AssumeRole"]


def test_assume_role_refused_is_an_authentication_error(bedrock_server, aws):
    bedrock_server.roles = ("arn:aws:iam::123456789012:role/other",)
    with pytest.raises(litegate.AuthenticationError, match="AccessDenied"):
        litegate.completion(NOVA, messages=MSG, **dict(aws, aws_role_name=ROLE, aws_sts_endpoint=bedrock_server.url))
    assert bedrock_server.hits("/converse") == 0


def test_web_identity(bedrock_server):
    bedrock_server.web_identity_tokens = ("eyJ.oidc.token",)
    kw = {
        "aws_bedrock_runtime_endpoint": bedrock_server.url,
        "aws_sts_endpoint": bedrock_server.url,
        "aws_region_name": REGION,
        "aws_role_name": ROLE,
        "aws_web_identity_token": "eyJ.oidc.token",
    }
    resp = litegate.completion(NOVA, messages=MSG, **kw)
    assert resp.choices[0].message.content
    assert bedrock_server.sts_calls == ["AssumeRoleWithWebIdentity"]
    sts = bedrock_server.requests[0]
    assert sts.header("authorization") is None  # not signed
    with pytest.raises(litegate.AuthenticationError, match="InvalidIdentityToken"):
        litegate.completion(NOVA, messages=MSG, **dict(kw, aws_web_identity_token="wrong"))


def test_bedrock_api_key_as_bearer(bedrock_server, monkeypatch):
    bedrock_server.api_keys = ("bedrock-api-key-1",)
    litegate.completion(
        NOVA, messages=MSG, api_key="bedrock-api-key-1", aws_bedrock_runtime_endpoint=bedrock_server.url
    )
    req = bedrock_server.last_request
    assert req.header("authorization") == "Bearer bedrock-api-key-1"
    assert req.header("x-amz-date") is None
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key-1")
    litegate.completion(NOVA, messages=MSG, aws_bedrock_runtime_endpoint=bedrock_server.url)
    assert bedrock_server.last_request.header("authorization") == "Bearer bedrock-api-key-1"


def test_the_endpoint_from_the_environment(bedrock_server, monkeypatch):
    monkeypatch.setenv("AWS_BEDROCK_RUNTIME_ENDPOINT", bedrock_server.url)
    litegate.completion(
        NOVA, messages=MSG, aws_access_key_id=AKID, aws_secret_access_key=SECRET, aws_region_name=REGION
    )
    assert bedrock_server.hits("/converse") == 1


def test_secrets_never_appear_in_logs_or_errors(bedrock_server, aws, caplog):
    bedrock_server.credentials["ASIATEMP"] = "temp-secret-value-xyz"
    bedrock_server.tokens["ASIATEMP"] = "session-token-value-xyz"
    caplog.set_level(logging.DEBUG, logger="litegate")
    litegate.set_verbose = True
    try:
        bedrock_server.enqueue_error(
            400, code="ValidationException", message="bad temp-secret-value-xyz session-token-value-xyz"
        )
        with pytest.raises(litegate.BadRequestError) as info:
            litegate.completion(
                NOVA,
                messages=MSG,
                **dict(
                    aws,
                    aws_access_key_id="ASIATEMP",
                    aws_secret_access_key="temp-secret-value-xyz",
                    aws_session_token="session-token-value-xyz",
                ),
            )
    finally:
        litegate.set_verbose = False
    text = str(info.value) + caplog.text
    assert "temp-secret-value-xyz" not in text and "session-token-value-xyz" not in text


def test_mismatched_key_pair_is_refused_before_any_request(bedrock_server):
    with pytest.raises(litegate.BadRequestError, match="together"):
        litegate.completion(NOVA, messages=MSG, aws_access_key_id=AKID, aws_bedrock_runtime_endpoint=bedrock_server.url)
    assert bedrock_server.hits() == 0


def test_expired_assumed_credentials_are_refreshed(bedrock_server, aws, monkeypatch):
    from datetime import datetime, timedelta, timezone

    kw = dict(aws, aws_role_name=ROLE, aws_sts_endpoint=bedrock_server.url)
    litegate.completion(NOVA, messages=MSG, **kw)
    # age every cached set past its refresh margin
    with aws_credentials._lock:
        for key, creds in list(aws_credentials._cache.items()):
            aws_credentials._cache[key] = aws_credentials.Credentials(
                creds.access_key, creds.secret_key, creds.token, datetime.now(timezone.utc) + timedelta(minutes=1)
            )
    litegate.completion(NOVA, messages=MSG, **kw)
    assert bedrock_server.sts_calls == ["AssumeRole", "AssumeRole"]


def test_the_credentials_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(aws_credentials, "CACHE_SIZE", 3)
    for i in range(10):
        aws_credentials._store(("k", i), aws_credentials.Credentials("a", "b"))
    assert len(aws_credentials._cache) == 3
