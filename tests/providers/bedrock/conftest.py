"""Fixtures for the Bedrock tests: a FakeBedrockServer that checks every signature, the call
arguments that point litegate at it, and an environment without the machine's AWS settings."""

from __future__ import annotations

import pytest
from _bedrock_helpers import AKID, REGION, SECRET

_AWS_ENV = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_REGION_NAME",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_PROFILE",
    "AWS_BEARER_TOKEN_BEDROCK",
    "AWS_BEDROCK_RUNTIME_ENDPOINT",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


@pytest.fixture(autouse=True)
def clean_aws(monkeypatch, tmp_path):
    """No AWS variable, settings, profile file or instance metadata of this machine leaks in."""
    import litegate
    from litegate.providers.aws import credentials

    for name in _AWS_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name in ("aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_region_name"):
        monkeypatch.setattr(litegate, name, None)
    credentials.clear_cache()
    yield
    credentials.clear_cache()


@pytest.fixture
def bedrock_server():
    from litegate.testing import FakeBedrockServer

    with FakeBedrockServer(region=REGION) as srv:
        yield srv


@pytest.fixture
def aws(bedrock_server):
    """Call arguments for the fake server with the static example credentials."""
    return {
        "aws_bedrock_runtime_endpoint": bedrock_server.url,
        "aws_access_key_id": AKID,
        "aws_secret_access_key": SECRET,
        "aws_region_name": REGION,
    }


@pytest.fixture
def fast_backoff(monkeypatch):
    import litegate.constants as constants

    monkeypatch.setattr(constants, "RETRY_INITIAL_DELAY", 0.001)
    monkeypatch.setattr(constants, "RETRY_MAX_DELAY", 0.01)
