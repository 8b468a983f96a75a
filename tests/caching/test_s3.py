"""The S3 cache: its requests signed as botocore's S3 signer signs them (the signer itself is
checked against AWS's official suite in tests/providers/bedrock/test_sigv4_vectors.py), and the
cache against a local S3 server (moto's server mode, started on a free port)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest
from _cache_helpers import chat_kw, emb_kw, free_port

import litegate


@pytest.mark.parametrize("s3_path", ["llm/", "my cache/", "a+b:c/"])
def test_s3_requests_are_signed_as_botocore_signs_them(s3_path):
    """The cache signs with litegate's one SigV4 signer under S3's rules (path not normalised,
    encoded once, x-amz-content-sha256): botocore's S3 signer over the same request agrees."""
    from botocore.auth import S3SigV4Auth  # botocore is in the "test" extra: it checks the signature
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    from litegate.caching.s3 import S3Cache

    cache = S3Cache(
        "bkt",
        s3_endpoint_url="http://127.0.0.1:9",
        s3_path=s3_path,
        s3_region_name="eu-west-1",
        s3_aws_access_key_id="AKIDS3",
        s3_aws_secret_access_key="s3-secret",
        s3_aws_session_token="tok",
    )
    req = cache._put("k~1", b'{"a": 1}', 5.0)
    auth = req.headers["Authorization"]
    signed = auth.split("SignedHeaders=")[1].split(",")[0].split(";")
    assert {"host", "x-amz-content-sha256", "x-amz-date", "x-amz-security-token"} <= set(signed)
    mine = {"x-amz-date", "x-amz-content-sha256", "x-amz-security-token"}  # botocore adds its own
    theirs = AWSRequest(
        method="PUT",
        url=req.url,
        data=req.content,
        headers={k: v for k, v in req.headers.items() if k.lower() in signed and k.lower() not in mine},
    )
    theirs.context["timestamp"] = req.headers["X-Amz-Date"]
    S3SigV4Auth(Credentials("AKIDS3", "s3-secret", "tok"), "s3", "eu-west-1").add_auth(theirs)
    assert theirs.headers["Authorization"] == auth
    assert theirs.headers["X-Amz-Content-Sha256"] == req.headers["X-Amz-Content-Sha256"]


# ------------------------------------------------------------------ a local S3 server
@pytest.fixture(scope="module")
def s3_url():
    """moto's S3 server on a free loopback port for this module."""
    binary = shutil.which("moto_server", path=os.path.dirname(sys.executable))
    port = free_port()
    cmd = [binary] if binary else [sys.executable, "-m", "moto.server"]
    proc = subprocess.Popen(
        cmd + ["-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.time() + 90  # a loaded machine starts it slowly
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("moto_server did not start")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


AWS = dict(
    s3_aws_access_key_id="AKIDTESTCACHE",
    s3_aws_secret_access_key="test-secret-cache-0123456789",
    s3_region_name="us-east-1",
)


@pytest.fixture
def bucket(s3_url, request):
    import boto3

    name = "cache-" + request.node.name.lower().replace("_", "-")[:40].strip("-")
    client = boto3.client(
        "s3", endpoint_url=s3_url, aws_access_key_id="x", aws_secret_access_key="y", region_name="us-east-1"
    )
    client.create_bucket(Bucket=name)
    return client, name


def test_s3_cache_hits_and_objects(server, s3_url, bucket):
    client, name = bucket
    litegate.cache = litegate.Cache(type="s3", s3_bucket_name=name, s3_endpoint_url=s3_url, s3_path="llm/", **AWS)
    first = litegate.completion(**chat_kw(server, "s3"))
    second = litegate.completion(**chat_kw(server, "s3"))
    assert server.hits("/chat/completions") == 1
    assert second._hidden_params["cache_hit"] is True
    assert second.choices[0].message.content == first.choices[0].message.content
    objects = client.list_objects_v2(Bucket=name)["Contents"]
    assert len(objects) == 1 and objects[0]["Key"].startswith("llm/") and objects[0]["Key"].endswith(".json")
    body = client.get_object(Bucket=name, Key=objects[0]["Key"])["Body"].read()
    assert json.loads(body)["r"]["choices"][0]["message"]["content"] == first.choices[0].message.content
    assert b"sk-test-cache-key" not in body and b"sk-test-cache-key" not in objects[0]["Key"].encode()


async def test_s3_cache_async_and_embeddings(server, s3_url, bucket):
    _, name = bucket
    litegate.cache = litegate.Cache(type="s3", s3_bucket_name=name, s3_endpoint_url=s3_url, **AWS)
    await litegate.acompletion(**chat_kw(server, "s3 async"))
    hit = await litegate.acompletion(**chat_kw(server, "s3 async"))
    assert hit._hidden_params["cache_hit"] is True
    await litegate.aembedding(**emb_kw(server, ["x", "y"]))
    mixed = await litegate.aembedding(**emb_kw(server, ["y", "z"]))
    assert server.requests[-1].json["input"] == ["z"]
    assert mixed._hidden_params["cached_items"] == 1


def test_s3_ttl_is_checked_on_read(server, s3_url, bucket, clock):
    _, name = bucket
    litegate.cache = litegate.Cache(type="s3", s3_bucket_name=name, s3_endpoint_url=s3_url, ttl=60, clock=clock, **AWS)
    litegate.completion(**chat_kw(server, "ttl"))
    clock.advance(59)
    assert litegate.completion(**chat_kw(server, "ttl"))._hidden_params["cache_hit"] is True
    clock.advance(2)
    assert litegate.completion(**chat_kw(server, "ttl"))._hidden_params.get("cache_hit") is not True
    assert server.hits("/chat/completions") == 2


def test_s3_missing_bucket_is_a_miss_with_a_warning(server, s3_url, caplog):
    litegate.cache = litegate.Cache(type="s3", s3_bucket_name="no-such-bucket-here", s3_endpoint_url=s3_url, **AWS)
    with caplog.at_level("WARNING", logger="litegate"):
        answer = litegate.completion(**chat_kw(server, "nobucket"))
    assert answer.choices[0].message.content
    warnings = [r for r in caplog.records if "s3 cache failed" in r.getMessage()]
    assert len(warnings) == 1
    assert "NoSuchBucket" in warnings[0].getMessage()
    assert "test-secret-cache" not in caplog.text


def test_s3_needs_a_bucket_and_credentials(monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    with pytest.raises(ValueError, match="s3_bucket_name"):
        litegate.Cache(type="s3")
    with pytest.raises(ValueError, match="credentials"):
        litegate.Cache(type="s3", s3_bucket_name="b")
    with pytest.raises(ValueError, match="together"):
        litegate.Cache(type="s3", s3_bucket_name="b", s3_aws_access_key_id="AKID")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
    from_env = litegate.Cache(type="s3", s3_bucket_name="b", s3_endpoint_url="http://127.0.0.1:9").cache
    assert "Credential=AKIDENV/" in from_env._request("GET", "k").headers["Authorization"]


def test_s3_flush_deletes_only_the_caches_objects_page_by_page(server, s3_url, bucket, caplog):
    client, name = bucket
    for other in ("llm/user-data.txt", "llm/notes.json", "elsewhere/" + "a" * 64 + ".json"):
        client.put_object(Bucket=name, Key=other, Body=b"keep me")
    ns_b = litegate.Cache(type="s3", s3_bucket_name=name, s3_endpoint_url=s3_url, s3_path="llm/", namespace="b", **AWS)
    litegate.cache = ns_b
    litegate.completion(**chat_kw(server, "namespace b"))
    cache = litegate.Cache(type="s3", s3_bucket_name=name, s3_endpoint_url=s3_url, s3_path="llm/", namespace="a", **AWS)
    litegate.cache = cache
    for i in range(5):
        litegate.completion(**chat_kw(server, f"flush me {i}"))
    cache.cache.FLUSH_PAGE = 2  # several ListObjectsV2 pages (continuation tokens) for 5 entries
    assert cache.flush() == 5
    left = sorted(o["Key"] for o in client.list_objects_v2(Bucket=name)["Contents"])
    assert len(left) == 4 and "llm/user-data.txt" in left and "llm/notes.json" in left
    assert any(k.startswith("llm/b:") for k in left)  # the other namespace's entry stays
    assert litegate.completion(**chat_kw(server, "flush me 0"))._hidden_params.get("cache_hit") is not True
    # bounded: a flush reads at most FLUSH_MAX_PAGES pages, and says so when objects remain
    for i in range(4):
        litegate.completion(**chat_kw(server, f"again {i}"))
    cache.cache.FLUSH_MAX_PAGES = 1
    with caplog.at_level("WARNING", logger="litegate"):
        assert cache.flush() == 2
    assert "objects may remain" in caplog.text
    # a cache without a namespace removes every entry under its s3_path, never the rest
    whole = litegate.Cache(type="s3", s3_bucket_name=name, s3_endpoint_url=s3_url, s3_path="llm/", **AWS)
    assert whole.flush() == 4
    left = sorted(o["Key"] for o in client.list_objects_v2(Bucket=name)["Contents"])
    assert left == sorted(["llm/user-data.txt", "llm/notes.json", "elsewhere/" + "a" * 64 + ".json"])
