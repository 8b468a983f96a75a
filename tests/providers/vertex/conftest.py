"""Fixtures for the Vertex AI tests: a clean credential environment, a fake server that issues and
checks OAuth tokens, and a service-account key generated for each test session."""

from __future__ import annotations

import os

import pytest

_ENV = (
    "VERTEXAI_PROJECT",
    "VERTEX_PROJECT",
    "GOOGLE_CLOUD_PROJECT",
    "VERTEXAI_LOCATION",
    "VERTEX_LOCATION",
    "GOOGLE_CLOUD_LOCATION",
    "VERTEXAI_CREDENTIALS",
    "VERTEX_SERVICE_ACCOUNT_KEY_PATH",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "VERTEXAI_API_BASE",
    "CLOUDSDK_CONFIG",
    "GCE_METADATA_HOST",
    "GCE_METADATA_IP",
)


@pytest.fixture(autouse=True)
def _clean_vertex(monkeypatch, tmp_path):
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))  # no gcloud ADC file from this machine
    monkeypatch.setenv("GCE_METADATA_HOST", "127.0.0.1:9")  # ADC must not find a metadata server either
    from litegate.providers import vertex

    vertex.TOKENS.clear()
    yield
    vertex.TOKENS.clear()


@pytest.fixture(scope="session")
def rsa_key():
    """An RSA key pair generated for this test session: (private PEM, public PEM)."""
    pytest.importorskip("cryptography")  # the vertex extra brings it (signing service-account JWTs)
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@pytest.fixture
def vertex_server(rsa_key):
    from litegate.testing import FakeGeminiServer

    with FakeGeminiServer(require_token=True) as srv:
        srv.trust_key(rsa_key[1])
        yield srv


@pytest.fixture
def service_account(vertex_server, rsa_key):
    """A service-account key (Google's JSON layout) whose token_uri is the fake server's."""
    return {
        "type": "service_account",
        "project_id": "sa-project",
        "private_key_id": "0123456789abcdef0123456789abcdef01234567",
        "private_key": rsa_key[0],
        "client_email": "litegate-test@sa-project.iam.gserviceaccount.com",
        "client_id": "100000000000000000001",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": vertex_server.token_uri,
        "universe_domain": "googleapis.com",
    }


@pytest.fixture
def key_file(tmp_path, service_account):
    import json

    path = tmp_path / "sa.json"
    path.write_text(json.dumps(service_account), encoding="utf-8")
    os.chmod(path, 0o600)
    return path
