"""A small AWS Signature Version 4 signer (header signing) for the DynamoDB integration.

Enough for JSON APIs posted to a normalised path: canonical request (method, URI, sorted
query, lower-cased trimmed headers, signed header list, payload SHA-256), string to sign, the
HMAC key chain and the ``Authorization`` header. Checked against the official SigV4 test suite
(tests/fixtures/aws-sigv4/).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
from urllib.parse import quote, urlsplit, parse_qsl

ALGORITHM = "AWS4-HMAC-SHA256"
_SPACES = re.compile(r"\s+")


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def _path(path: str) -> str:
    """Normalised, URI-encoded path (``.``/``..`` and empty segments removed)."""
    out: list[str] = []
    for seg in path.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if out:
                out.pop()
            continue
        out.append(quote(seg, safe="-_.~"))
    joined = "/" + "/".join(out)
    if path.endswith("/") and out:
        joined += "/"
    return joined


def _query(query: str) -> str:
    pairs = [(quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, v in parse_qsl(query, keep_blank_values=True)]
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def canonical_request(method: str, url: str, headers: dict, body: bytes) -> tuple[str, str]:
    """(canonical request, signed header list)."""
    parts = urlsplit(url)
    canon: dict[str, list[str]] = {}
    for name, value in headers.items():
        canon.setdefault(name.strip().lower(), []).append(_SPACES.sub(" ", str(value).strip()))
    names = sorted(canon)
    lines = "".join(f"{n}:{','.join(canon[n])}\n" for n in names)
    signed = ";".join(names)
    return "\n".join([method.upper(), _path(parts.path or "/"), _query(parts.query), lines, signed,
                      hashlib.sha256(body).hexdigest()]), signed


def sign(method: str, url: str, headers: dict, body: bytes, *, region: str, service: str, access_key: str,
         secret_key: str, session_token: str | None = None, now: datetime.datetime | None = None,
         sign_body: bool = False) -> dict:
    """The headers to send: ``headers`` plus ``host``, ``x-amz-date``, the session token when
    given, ``x-amz-content-sha256`` with ``sign_body``, and ``Authorization``."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    day = stamp[:8]
    out = {k: v for k, v in headers.items()}
    lower = {k.lower() for k in out}
    if "host" not in lower:
        out["host"] = urlsplit(url).netloc
    out["x-amz-date"] = stamp
    if session_token:
        out["x-amz-security-token"] = session_token
    if sign_body:
        out["x-amz-content-sha256"] = hashlib.sha256(body).hexdigest()
    canonical, signed = canonical_request(method, url, out, body)
    scope = f"{day}/{region}/{service}/aws4_request"
    to_sign = "\n".join([ALGORITHM, stamp, scope, hashlib.sha256(canonical.encode("utf-8")).hexdigest()])
    key = _hmac(_hmac(_hmac(_hmac(("AWS4" + secret_key).encode("utf-8"), day), region), service), "aws4_request")
    signature = hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    out["authorization"] = f"{ALGORITHM} Credential={access_key}/{scope}, SignedHeaders={signed}, Signature={signature}"
    return out


__all__ = ["canonical_request", "sign"]
