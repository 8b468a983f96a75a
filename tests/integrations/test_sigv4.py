"""The DynamoDB integration's SigV4 signer against cases of the official SigV4 test suite
(tests/fixtures/aws-sigv4: copied from awslabs/aws-c-auth, Apache-2.0)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from litegate.integrations.sigv4 import sign

CASES = Path(__file__).resolve().parents[1] / "fixtures" / "aws-sigv4"


def _request(case: Path) -> tuple[str, str, dict, bytes]:
    head, _, body = case.joinpath("request.txt").read_bytes().partition(b"\n\n")
    lines = head.decode().split("\n")
    method, target, _ = lines[0].split(" ")
    headers: dict = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name] = value
    host = next(v for k, v in headers.items() if k.lower() == "host")
    return method, f"https://{host}{target}", headers, body


@pytest.mark.parametrize("name", sorted(p.name for p in CASES.iterdir()))
def test_signature_matches_the_official_vector(name):
    case = CASES / name
    ctx = json.loads(case.joinpath("context.json").read_text())
    method, url, headers, body = _request(case)
    now = datetime.datetime.strptime(ctx["timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    creds = ctx["credentials"]
    out = sign(method, url, headers, body, region=ctx["region"], service=ctx["service"],
               access_key=creds["access_key_id"], secret_key=creds["secret_access_key"],
               session_token=creds.get("token"), now=now, sign_body=ctx.get("sign_body", False))
    expected = case.joinpath("header-signature.txt").read_text().strip()
    assert out["authorization"].endswith("Signature=" + expected)
    signed_request = case.joinpath("header-signed-request.txt").read_text()
    auth_line = next(line for line in signed_request.splitlines() if line.lower().startswith("authorization:"))
    assert out["authorization"] == auth_line.split(":", 1)[1]
