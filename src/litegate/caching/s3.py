"""``type="s3"``: entries as objects in an S3 bucket (or an S3-compatible store), signed with SigV4
(litegate's one signer, :mod:`litegate.providers.aws.sigv4`, with S3's rules).

Requests go through litegate's own transport (no boto3 needed): ``GET`` / ``PUT`` / ``DELETE``
of ``{s3_path}{key}.json``. Addressing: ``s3_endpoint_url`` (S3-compatible stores, local
servers) uses path style ``{endpoint}/{bucket}/{object}``; without it, AWS's virtual-host style
``https://{bucket}.s3.{region}.amazonaws.com/{object}``. Credentials: ``s3_aws_access_key_id`` /
``s3_aws_secret_access_key`` / ``s3_aws_session_token``, else ``AWS_ACCESS_KEY_ID`` /
``AWS_SECRET_ACCESS_KEY`` / ``AWS_SESSION_TOKEN``; region: ``s3_region_name``, else
``AWS_REGION`` / ``AWS_DEFAULT_REGION``, else ``us-east-1``. S3 has no per-object expiry: a TTL is
kept as the object's ``x-amz-meta-litegate-expires`` (unix time) and checked when read.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import html
import logging
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .base import BaseCache

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..core.http import HttpRequest, HttpResponse

_EXPIRES = "x-amz-meta-litegate-expires"
_DNS_BUCKET = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
_REGION_ENV = ("AWS_REGION", "AWS_DEFAULT_REGION")
_ENTRY_NAME = re.compile(r"(?:[^/]+:)?[0-9a-f]{64}\.json")  # [namespace:]sha256.json
_LIST_KEY = re.compile(rb"<Contents>.*?<Key>([^<]{1,2048})</Key>", re.S)
_TRUNCATED = re.compile(rb"<IsTruncated>true</IsTruncated>")
_NEXT_TOKEN = re.compile(rb"<NextContinuationToken>([^<]{1,4096})</NextContinuationToken>")
_DELETE_ERROR = re.compile(rb"<Error>")
log = logging.getLogger("litegate")


# ====================================================================================== the cache
class S3Error(Exception):
    """An S3 answer that is neither the object nor "no such key" (the status and S3's error code)."""


def _error_code(content: bytes) -> str:
    match = re.search(rb"<Code>([^<]{1,100})</Code>", content or b"")
    return match.group(1).decode("ascii", "replace") if match else ""


class S3Cache(BaseCache):
    async_in_thread = False

    def __init__(
        self,
        s3_bucket_name: str | None = None,
        s3_region_name: str | None = None,
        s3_api_version: str | None = None,
        s3_use_ssl: bool | None = True,
        s3_verify: bool | str | None = None,
        s3_endpoint_url: str | None = None,
        s3_aws_access_key_id: str | None = None,
        s3_aws_secret_access_key: str | None = None,
        s3_aws_session_token: str | None = None,
        s3_config: Any = None,
        s3_path: str | None = None,
        timeout: float = 1.0,
        clock: Callable[[], float] | None = None,
        transport: Any = None,
        **_: Any,
    ):
        super().__init__(clock)
        if not s3_bucket_name or not isinstance(s3_bucket_name, str):
            raise ValueError("Cache(type='s3') needs s3_bucket_name")
        from ..core.redact import register_secret
        from ..core.resolve import env_value
        from ..providers.aws.credentials import aws_params
        from ..providers.aws.sigv4 import Credentials

        self.bucket = s3_bucket_name
        if bool(s3_aws_access_key_id) != bool(s3_aws_secret_access_key):
            raise ValueError("Cache(type='s3'): pass s3_aws_access_key_id and s3_aws_secret_access_key together")
        # the s3_* arguments, else the environment (the rules every AWS call of litegate follows)
        params = aws_params(
            {
                "aws_access_key_id": s3_aws_access_key_id,
                "aws_secret_access_key": s3_aws_secret_access_key,
                "aws_session_token": s3_aws_session_token,
            },
            None,
        )
        self.region = s3_region_name or env_value(_REGION_ENV) or "us-east-1"
        if not params.access_key or not params.secret_key:
            raise ValueError(
                "Cache(type='s3') needs AWS credentials: s3_aws_access_key_id and "
                "s3_aws_secret_access_key, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            )
        self._creds = Credentials(params.access_key, params.secret_key, params.token)
        register_secret(self._creds.secret_key)
        if self._creds.token:
            register_secret(self._creds.token)
        self.prefix = (s3_path.strip("/") + "/") if s3_path else ""
        scheme = "https" if s3_use_ssl is not False else "http"
        if s3_endpoint_url:
            self.base = s3_endpoint_url.rstrip("/") + "/" + quote(self.bucket, safe="")
        elif _DNS_BUCKET.match(self.bucket):
            self.base = f"{scheme}://{self.bucket}.s3.{self.region}.amazonaws.com"
        else:
            self.base = f"{scheme}://s3.{self.region}.amazonaws.com/{quote(self.bucket, safe='')}"
        from ..core.transport import make_timeout

        self.timeout = make_timeout(float(timeout))
        self._transport = transport
        self._verify = s3_verify

    def __repr__(self) -> str:
        return f"S3Cache(bucket={self.bucket!r}, region={self.region!r})"

    @property
    def transport(self) -> Any:
        transport = self._transport
        if transport is None:
            from ..core.transport import default_transport

            transport = default_transport()
            if self._verify is not None and self._verify is not True:
                transport = transport.with_verify(self._verify)
            self._transport = transport
        return transport

    def url(self, key: str) -> str:
        return f"{self.base}/{quote(self.prefix + key + '.json', safe='/-_.~')}"

    def _request(self, method: str, key: str, body: bytes = b"", headers: dict[str, str] | None = None) -> HttpRequest:
        return self._signed(method, self.url(key), body, headers)

    def _signed(self, method: str, url: str, body: bytes = b"", headers: dict[str, str] | None = None) -> HttpRequest:
        from ..core.http import HttpRequest
        from ..providers.aws.sigv4 import sign_headers

        headers = dict(headers or {})
        headers.update(
            sign_headers(
                method,
                url,
                headers,
                body,
                self._creds,
                self.region,
                "s3",
                normalize=False,
                encode_once=True,
                content_sha256=True,
            )
        )
        return HttpRequest(method, url, headers=headers, content=body if method in ("PUT", "POST") else None)

    def _value(self, resp: HttpResponse) -> bytes | None:
        if resp.status_code == 404:
            return None
        if resp.status_code != 200:
            raise S3Error(f"S3 answered {resp.status_code} {_error_code(resp.content)}".rstrip())
        expires = resp.headers.get(_EXPIRES)
        if expires is not None:
            try:
                if self.clock() >= float(expires):
                    return None
            except ValueError:
                return None
        return resp.content

    def _put(self, key: str, value: bytes, ttl: float | None) -> HttpRequest:
        headers = {"content-type": "application/json"}
        if ttl is not None:
            headers[_EXPIRES] = repr(self.clock() + ttl)
        return self._request("PUT", key, value, headers)

    @staticmethod
    def _check(resp: HttpResponse) -> None:
        if resp.status_code not in (200, 204):
            raise S3Error(f"S3 answered {resp.status_code} {_error_code(resp.content)}".rstrip())

    # ------------------------------------------------------------------ sync
    def get(self, key: str) -> bytes | None:
        return self._value(self.transport.send(self._request("GET", key), self.timeout))

    def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        self._check(self.transport.send(self._put(key, value, ttl), self.timeout))

    def delete(self, key: str) -> None:
        self._check(self.transport.send(self._request("DELETE", key), self.timeout))

    #: objects per ListObjectsV2 page, and pages read by one flush: a flush is bounded
    FLUSH_PAGE = 1000
    FLUSH_MAX_PAGES = 1000

    def _list_url(self, prefix: str, token: str | None) -> str:
        query = f"list-type=2&max-keys={int(self.FLUSH_PAGE)}&prefix={quote(prefix, safe='-_.~')}"
        if token:
            query += f"&continuation-token={quote(token, safe='-_.~')}"
        return f"{self.base}/?{query}" if "/" not in self.base.split("://", 1)[1] else f"{self.base}?{query}"

    def flush(self, prefix: str = "") -> int:
        """Delete the cache's objects under ``s3_path`` + ``prefix``: listed with ListObjectsV2
        (paginated, at most ``FLUSH_MAX_PAGES`` pages), removed with DeleteObjects (one request
        per page). Only names a cache entry can have are deleted (an optional ``namespace:`` then a
        64-hex key, ``.json``): other objects under the same prefix stay. Returns how many."""
        send, timeout = self.transport.send, self.timeout
        token: str | None = None
        deleted = 0
        for _ in range(self.FLUSH_MAX_PAGES):
            resp = send(self._signed("GET", self._list_url(self.prefix + prefix, token)), timeout)
            self._check(resp)
            body = resp.content or b""
            names = [html.unescape(k.decode("utf-8")) for k in _LIST_KEY.findall(body)]
            mine = [n for n in names if n.startswith(self.prefix) and _ENTRY_NAME.fullmatch(n[len(self.prefix) :])]
            if mine:
                deleted += self._delete_objects(mine)
            more = _TRUNCATED.search(body)
            next_token = _NEXT_TOKEN.search(body)
            if not more or not next_token:
                return deleted
            token = html.unescape(next_token.group(1).decode("utf-8"))
        log.warning(
            "litegate: the S3 cache flush stopped after %d listing pages; objects may remain", self.FLUSH_MAX_PAGES
        )
        return deleted

    def _delete_objects(self, names: list[str]) -> int:
        objects = "".join(f"<Object><Key>{html.escape(n, quote=False)}</Key></Object>" for n in names)
        body = f'<?xml version="1.0" encoding="UTF-8"?><Delete><Quiet>true</Quiet>{objects}</Delete>'.encode()
        # DeleteObjects requires Content-MD5 (an integrity check S3 asks for, not security)
        headers = {
            "content-type": "application/xml",
            "content-md5": base64.b64encode(hashlib.md5(body, usedforsecurity=False).digest()).decode("ascii"),
        }
        url = f"{self.base}/?delete" if "/" not in self.base.split("://", 1)[1] else f"{self.base}?delete"
        resp = self.transport.send(self._signed("POST", url, body, headers), self.timeout)
        self._check(resp)
        failed = len(_DELETE_ERROR.findall(resp.content or b""))
        if failed:
            raise S3Error(f"S3 refused to delete {failed} of {len(names)} cache objects")
        return len(names)

    # ------------------------------------------------------------------ async
    async def aget(self, key: str) -> bytes | None:
        return self._value(await self.transport.asend(self._request("GET", key), self.timeout))

    async def aset(self, key: str, value: bytes, ttl: float | None = None) -> None:
        self._check(await self.transport.asend(self._put(key, value, ttl), self.timeout))

    async def adelete(self, key: str) -> None:
        self._check(await self.transport.asend(self._request("DELETE", key), self.timeout))

    async def aget_many(self, keys: list[str]) -> list[bytes | None]:
        return list(await asyncio.gather(*(self.aget(k) for k in keys)))

    async def aset_many(self, items: Iterable[tuple[str, bytes]], ttl: float | None = None) -> None:
        await asyncio.gather(*(self.aset(k, v, ttl) for k, v in items))


__all__ = ["S3Cache", "S3Error"]
