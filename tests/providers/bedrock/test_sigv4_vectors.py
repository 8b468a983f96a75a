"""The SigV4 signer against AWS's official test suite (every case of tests/fixtures/aws-sigv4/v4,
header signing and presigned URLs): canonical request, string to sign, signature and signed
request must match byte for byte."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from litegate.providers.aws import sigv4

SUITE = Path(__file__).resolve().parents[2] / "fixtures" / "aws-sigv4" / "v4"
CASES = sorted(p.name for p in SUITE.iterdir() if p.is_dir())


def _parse_request(raw: str):
    head, _, body = raw.partition("\n\n")
    lines = head.split("\n")
    method, rest = lines[0].split(" ", 1)
    target = rest.rsplit(" ", 1)[0]
    headers: list = []
    for line in lines[1:]:
        if not line:
            continue
        if line[:1] in (" ", "\t") and headers:  # a folded (multi-line) value
            name, value = headers[-1]
            headers[-1] = (name, value + " " + line.strip())
            continue
        name, _, value = line.partition(":")
        headers.append((name, value))
    path, _, query = target.partition("?")
    return method, path, query, headers, body.encode("utf-8")


def _case(name: str):
    folder = SUITE / name
    ctx = json.loads((folder / "context.json").read_text())
    method, path, query, headers, body = _parse_request((folder / "request.txt").read_text(encoding="utf-8"))
    c = ctx["credentials"]
    creds = sigv4.Credentials(c["access_key_id"], c["secret_access_key"], c.get("token"))
    when = datetime.strptime(ctx["timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    host = dict((k.lower(), v) for k, v in headers)["host"]
    url = f"https://{host}{path}" + (f"?{query}" if query else "")
    return folder, ctx, method, path, query, headers, body, creds, when, url


def _expected(folder: Path, name: str) -> str:
    return (folder / name).read_text(encoding="utf-8")


def test_the_whole_suite_is_here():
    assert len(CASES) == 38


@pytest.mark.parametrize("name", CASES)
def test_header_signing(name):
    folder, ctx, method, path, query, headers, body, creds, when, url = _case(name)
    sign_token = not ctx.get("omit_session_token", False)
    # what sign_headers adds, folded into the canonical request the way it signs it
    signed = list(headers) + [("X-Amz-Date", sigv4.amz_date(when))]
    if creds.token and sign_token:
        signed.append(("X-Amz-Security-Token", creds.token))
    if ctx["sign_body"]:
        signed.append(("x-amz-content-sha256", hashlib.sha256(body).hexdigest()))
    canonical, _ = sigv4.canonical_request(
        method, path, query, signed, hashlib.sha256(body).hexdigest(), ctx["normalize"]
    )
    assert canonical == _expected(folder, "header-canonical-request.txt")
    to_sign = sigv4.string_to_sign(canonical, when, ctx["region"], ctx["service"])
    assert to_sign == _expected(folder, "header-string-to-sign.txt")
    assert sigv4.signature(creds.secret_key, to_sign, when, ctx["region"], ctx["service"]) == _expected(
        folder, "header-signature.txt"
    )

    # the public entry point, as a transport would use it: the headers it adds are the signed request's
    added = sigv4.sign_headers(
        method,
        url,
        headers,
        body,
        creds,
        ctx["region"],
        ctx["service"],
        when,
        normalize=ctx["normalize"],
        content_sha256=ctx["sign_body"],
        sign_token=sign_token,
    )
    expected_lines = _expected(folder, "header-signed-request.txt").split("\n\n")[0].split("\n")[1:]
    expected = {}
    for line in expected_lines:
        if line[:1] in (" ", "\t"):
            continue
        k, _, v = line.partition(":")
        expected[k.lower()] = v
    got = {k.lower(): v for k, v in added.items()}
    assert got["authorization"] == expected["authorization"]
    for k, v in got.items():
        assert expected[k] == v


@pytest.mark.parametrize("name", CASES)
def test_presigned_url(name):
    folder, ctx, method, path, query, headers, body, creds, when, url = _case(name)
    sign_token = not ctx.get("omit_session_token", False)
    out = sigv4.presign_url(
        method,
        url,
        headers,
        body,
        creds,
        ctx["region"],
        ctx["service"],
        when,
        expires=ctx["expiration_in_seconds"],
        normalize=ctx["normalize"],
        sign_token=sign_token,
    )
    signature = out.rsplit("X-Amz-Signature=", 1)[1]
    assert signature == _expected(folder, "query-signature.txt")
    first = _expected(folder, "query-signed-request.txt").split("\n", 1)[0]
    expected_query = first.split(" ", 1)[1].rsplit(" ", 1)[0].partition("?")[2]
    assert out.partition("?")[2] == expected_query


def test_changing_anything_signed_changes_the_signature():
    creds = sigv4.Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    when = datetime(2015, 8, 30, 12, 36, tzinfo=timezone.utc)
    url = "https://bedrock-runtime.us-east-1.amazonaws.com/model/m%3A0/converse"
    base = sigv4.sign_headers(
        "POST", url, {"content-type": "application/json"}, b"{}", creds, "us-east-1", "bedrock", when
    )["Authorization"]
    variants = [
        sigv4.sign_headers(
            "POST", url, {"content-type": "application/json"}, b"{ }", creds, "us-east-1", "bedrock", when
        ),
        sigv4.sign_headers(
            "POST",
            url.replace("m%3A0", "m%3A1"),
            {"content-type": "application/json"},
            b"{}",
            creds,
            "us-east-1",
            "bedrock",
            when,
        ),
        sigv4.sign_headers(
            "POST", url, {"content-type": "application/json"}, b"{}", creds, "us-west-2", "bedrock", when
        ),
        sigv4.sign_headers("POST", url, {"content-type": "text/plain"}, b"{}", creds, "us-east-1", "bedrock", when),
    ]
    assert len({base} | {v["Authorization"] for v in variants}) == 5
    assert "SignedHeaders=content-type;host;x-amz-date," in base


def test_an_encoded_path_is_encoded_again_like_botocore():
    """Bedrock model ids hold ':' (sent as %3A); every service but S3 signs the path encoded once more."""
    canonical, _ = sigv4.canonical_request(
        "POST", "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse", "", [("host", "h")], sigv4.EMPTY_SHA256
    )
    assert canonical.split("\n")[1] == "/model/anthropic.claude-3-5-sonnet-20240620-v1%253A0/converse"


def test_credentials_repr_hides_the_secret():
    c = sigv4.Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "tok-secret")
    assert "wJalr" not in repr(c) and "tok-secret" not in repr(c)
