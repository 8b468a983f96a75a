"""AWS Signature Version 4, written out (no boto3 needed to sign).

The algorithm, as AWS's published SigV4 test suite pins it down:

1. canonical request = ``METHOD \\n CanonicalURI \\n CanonicalQuery \\n CanonicalHeaders \\n
   SignedHeaders \\n HexSHA256(payload)``:

   * CanonicalURI: the request path (as it appears in the request line) with ``.`` / ``..`` and
     empty segments removed (``normalize``; S3 signs without), then URI-encoded once more
     (RFC 3986 unreserved ``A-Z a-z 0-9 - _ . ~`` kept, ``/`` kept). A path that already holds
     ``%3A`` is signed as ``%253A``: what every service but S3 expects (``encode_once``: S3's
     rule, the path is decoded first so it is signed encoded once, as sent);
   * CanonicalQuery: each ``key=value`` decoded, then re-encoded, sorted by key then value;
     an empty value stays ``key=``;
   * CanonicalHeaders: lower-case names, values trimmed with inner runs of whitespace collapsed
     to one space, repeated headers joined with ``,``, sorted by name; every header given is signed;

2. string to sign = ``AWS4-HMAC-SHA256 \\n <X-Amz-Date> \\n <yyyymmdd>/<region>/<service>/aws4_request
   \\n HexSHA256(canonical request)``;
3. signing key = HMAC chain ``"AWS4"+secret -> date -> region -> service -> "aws4_request"``;
4. ``Authorization: AWS4-HMAC-SHA256 Credential=<AKID>/<scope>, SignedHeaders=<names>,
   Signature=<hex>`` (header form), or ``X-Amz-*`` query parameters (presigned form).

:func:`sign_headers` returns the headers to add (``X-Amz-Date``, ``X-Amz-Security-Token``,
``X-Amz-Content-Sha256`` when asked, ``Authorization``); :func:`presign_url` the presigned URL.
The same functions serve a verifier (the fake Bedrock server recomputes the signature it got).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote, unquote, urlsplit

__all__ = [
    "Credentials",
    "ALGORITHM",
    "canonical_request",
    "string_to_sign",
    "signing_key",
    "signature",
    "sign_headers",
    "presign_url",
    "canonical_uri",
    "canonical_query",
    "amz_date",
]

ALGORITHM = "AWS4-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
_UNRESERVED = "-_.~"


@dataclass(frozen=True, slots=True)
class Credentials:
    """One set of AWS credentials. ``expiry``: a UTC ``datetime`` for temporary ones, else None."""

    access_key: str
    secret_key: str
    token: str | None = None
    expiry: datetime | None = None

    def __repr__(self) -> str:  # never the secret, never the token
        return f"Credentials(access_key={self.access_key[:4]}..., temporary={self.token is not None})"


def amz_date(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _remove_dot_segments(path: str) -> str:
    out: list[str] = []
    for seg in path.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if out:
                out.pop()
            continue
        out.append(seg)
    result = "/" + "/".join(out)
    if out and path.endswith(("/", "/.", "/..")):
        result += "/"
    return result


_URI_CACHE: dict[tuple[str, bool, bool], str] = {}  # the same few paths are signed again and again
_CACHE_MAX = 256


def canonical_uri(path: str, normalize: bool = True, encode_once: bool = False) -> str:
    hit = _URI_CACHE.get((path, normalize, encode_once))
    if hit is not None:
        return hit
    out = path or "/"
    if encode_once:
        out = unquote(out)
    if normalize:
        out = _remove_dot_segments(out)
    out = quote(out, safe="/" + _UNRESERVED)
    if len(_URI_CACHE) >= _CACHE_MAX:
        _URI_CACHE.clear()
    _URI_CACHE[(path, normalize, encode_once)] = out
    return out


def _enc(value: str) -> str:
    return quote(value, safe=_UNRESERVED)


def canonical_query(query: str | Iterable[tuple[str, str]]) -> str:
    if isinstance(query, str):
        pairs = []
        for part in query.split("&"):
            if not part:
                continue
            key, _, value = part.partition("=")
            pairs.append((unquote(key), unquote(value)))
    else:
        pairs = list(query)
    return "&".join(f"{k}={v}" for k, v in sorted((_enc(k), _enc(v)) for k, v in pairs))


def _header_value(value: str) -> str:
    return " ".join(value.split())


def _canonical_headers(headers: Iterable[tuple[str, str]]) -> tuple[str, str]:
    merged: dict[str, list[str]] = {}
    for name, value in headers:
        merged.setdefault(name.strip().lower(), []).append(_header_value(str(value)))
    names = sorted(merged)
    lines = "".join(f"{n}:{','.join(merged[n])}\n" for n in names)
    return lines, ";".join(names)


def _items(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    if isinstance(headers, Mapping):
        return list(headers.items())
    return list(headers)


def canonical_request(
    method: str,
    path: str,
    query: Any,
    headers: Any,
    payload_hash: str,
    normalize: bool = True,
    encode_once: bool = False,
) -> tuple[str, str]:
    """(the canonical request, the signed header names)."""
    lines, signed = _canonical_headers(_items(headers))
    text = "\n".join(
        (
            method.upper(),
            canonical_uri(path, normalize, encode_once),
            canonical_query(query),
            lines,
            signed,
            payload_hash,
        )
    )
    return text, signed


def _scope(when: datetime, region: str, service: str) -> str:
    return f"{amz_date(when)[:8]}/{region}/{service}/aws4_request"


def string_to_sign(canonical: str, when: datetime, region: str, service: str) -> str:
    return "\n".join(
        (
            ALGORITHM,
            amz_date(when),
            _scope(when, region, service),
            hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
        )
    )


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


_KEY_CACHE: dict[tuple[str, str, str, str], bytes] = {}  # a signing key is valid for one day


def signing_key(secret: str, day: str, region: str, service: str) -> bytes:
    cache_key = (secret, day, region, service)
    key = _KEY_CACHE.get(cache_key)
    if key is None:
        key = _hmac(("AWS4" + secret).encode("utf-8"), day)
        key = _hmac(key, region)
        key = _hmac(key, service)
        key = _hmac(key, "aws4_request")
        if len(_KEY_CACHE) >= _CACHE_MAX:
            _KEY_CACHE.clear()
        _KEY_CACHE[cache_key] = key
    return key


def signature(secret: str, to_sign: str, when: datetime, region: str, service: str) -> str:
    key = signing_key(secret, amz_date(when)[:8], region, service)
    return hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def _host_of(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None and not (
        (parts.scheme == "https" and parts.port == 443) or (parts.scheme == "http" and parts.port == 80)
    ):
        host = f"{host}:{parts.port}"
    return host, parts.path or "/", parts.query


def sign_headers(
    method: str,
    url: str,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    body: bytes | None,
    creds: Credentials,
    region: str,
    service: str,
    when: datetime | None = None,
    *,
    normalize: bool = True,
    content_sha256: bool = False,
    sign_token: bool = True,
    encode_once: bool = False,
) -> dict[str, str]:
    """The headers that sign this request (header form): ``X-Amz-Date``, ``X-Amz-Security-Token``
    (temporary credentials), ``X-Amz-Content-Sha256`` (``content_sha256``) and ``Authorization``.

    ``headers`` are the headers that will be sent (all signed); a ``host`` header is added from
    ``url`` unless given. ``sign_token=False`` adds the session token after signing (unsigned).
    S3 signs with ``normalize=False, encode_once=True, content_sha256=True``.
    """
    when = when or datetime.now(timezone.utc)
    host, path, query = _host_of(url)
    items = [(k, v) for k, v in _items(headers) if k.lower() != "authorization"]
    names = {k.lower() for k, _ in items}
    if "host" not in names:
        items.append(("host", host))
    payload_hash = hashlib.sha256(body or b"").hexdigest()
    stamp = amz_date(when)
    added: dict[str, str] = {"X-Amz-Date": stamp}
    if creds.token and sign_token:
        added["X-Amz-Security-Token"] = creds.token
    if content_sha256:
        added["X-Amz-Content-Sha256"] = payload_hash
    replaced = {a.lower() for a in added}
    signed_items = [(k, v) for k, v in items if k.lower() not in replaced] + list(added.items())
    canonical, signed = canonical_request(method, path, query, signed_items, payload_hash, normalize, encode_once)
    scope = f"{stamp[:8]}/{region}/{service}/aws4_request"
    to_sign = f"{ALGORITHM}\n{stamp}\n{scope}\n{hashlib.sha256(canonical.encode('utf-8')).hexdigest()}"
    sig = hmac.new(
        signing_key(creds.secret_key, stamp[:8], region, service), to_sign.encode("utf-8"), hashlib.sha256
    ).hexdigest()
    added["Authorization"] = (
        f"{ALGORITHM} Credential={creds.access_key}/{scope}, SignedHeaders={signed}, Signature={sig}"
    )
    if creds.token and not sign_token:
        added["X-Amz-Security-Token"] = creds.token
    return added


def presign_url(
    method: str,
    url: str,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    body: bytes | None,
    creds: Credentials,
    region: str,
    service: str,
    when: datetime | None = None,
    *,
    expires: int = 3600,
    normalize: bool = True,
    sign_token: bool = True,
) -> str:
    """``url`` with the ``X-Amz-*`` query parameters of a presigned request."""
    when = when or datetime.now(timezone.utc)
    host, path, query = _host_of(url)
    items = [(k, v) for k, v in _items(headers) if k.lower() != "authorization"]
    if "host" not in {k.lower() for k, _ in items}:
        items.append(("host", host))
    _, signed = _canonical_headers(items)
    given = [(unquote(k), unquote(v)) for k, _, v in (p.partition("=") for p in query.split("&") if p)]
    params = [
        ("X-Amz-Algorithm", ALGORITHM),
        ("X-Amz-Credential", f"{creds.access_key}/{_scope(when, region, service)}"),
        ("X-Amz-Date", amz_date(when)),
        ("X-Amz-SignedHeaders", signed),
        ("X-Amz-Expires", str(expires)),
    ]
    if creds.token and sign_token:
        params.append(("X-Amz-Security-Token", creds.token))
    payload_hash = hashlib.sha256(body or b"").hexdigest()
    canonical, _ = canonical_request(method, path, given + params, items, payload_hash, normalize)
    sig = signature(creds.secret_key, string_to_sign(canonical, when, region, service), when, region, service)
    if creds.token and not sign_token:
        params.append(("X-Amz-Security-Token", creds.token))
    params.append(("X-Amz-Signature", sig))
    return url + ("&" if query else "?") + "&".join(f"{_enc(k)}={_enc(v)}" for k, v in params)
