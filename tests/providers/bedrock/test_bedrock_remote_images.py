"""Bedrock Converse with plain http(s) image URLs: downloaded (through the call's transport,
bounded: size, redirects, schemes) and sent as bytes with the right format; a failed download is a
BadRequestError before any Bedrock request; credentials in the URL never show. Against
FakeMediaServer and FakeBedrockServer (which verifies every signature) over real sockets."""

from __future__ import annotations

import asyncio
import base64
import logging
import socket

import pytest

import litegate
from litegate.core import remote_media
from litegate.testing.media_server import GIF, JPEG, PNG, WEBP

NOVA = "bedrock/amazon.nova-lite-v1:0"
SECRET_PASSWORD = "s3cr3t-pa55word"


@pytest.fixture
def media():
    from litegate.testing import FakeMediaServer

    with FakeMediaServer() as srv:
        yield srv


def _messages(*urls, text="What is in this picture?"):
    parts = [{"type": "text", "text": text}]
    parts += [{"type": "image_url", "image_url": {"url": u}} for u in urls]
    return [{"role": "user", "content": parts}]


def _call(aws, *urls, **kw):
    kw.setdefault("num_retries", 0)
    return litegate.completion(NOVA, messages=_messages(*urls), **aws, **kw)


def _images(bedrock_server):
    return [b["image"] for b in bedrock_server.last_request.json["messages"][0]["content"] if "image" in b]


def _b64(data):
    return base64.b64encode(data).decode()


# ------------------------------------------------------------------------------ the happy path
def test_an_image_url_is_downloaded_and_sent_as_bytes(bedrock_server, aws, media):
    url = media.add("cat.png", PNG, "image/png")
    resp = _call(aws, url)
    assert resp.choices[0].message.content
    assert _images(bedrock_server) == [{"format": "png", "source": {"bytes": _b64(PNG)}}]
    assert bedrock_server.signatures_checked == 1  # the filled body is what was signed
    got = media.last_request
    assert (got.method, got.path) == ("GET", "/cat.png")
    assert "authorization" not in got.headers


def test_async_and_stream(bedrock_server, aws, media):
    url = media.add("cat.jpg", JPEG, "image/jpeg")

    async def go():
        r = await litegate.acompletion(NOVA, messages=_messages(url), **aws)
        first = _images(bedrock_server)
        s = await litegate.acompletion(NOVA, messages=_messages(url), stream=True, **aws)
        chunks = [c async for c in s]
        return r, first, chunks

    r, first, chunks = asyncio.run(go())
    assert r.choices[0].message.content
    expected = [{"format": "jpeg", "source": {"bytes": _b64(JPEG)}}]
    assert first == expected
    assert "".join(c.choices[0].delta.content or "" for c in chunks)
    assert bedrock_server.last_request.path.endswith("/converse-stream")
    assert _images(bedrock_server) == expected
    chunks = list(litegate.completion(NOVA, messages=_messages(url), stream=True, **aws))
    assert chunks and _images(bedrock_server) == expected
    assert media.hits("/cat.jpg") == 3


@pytest.mark.parametrize(
    "data, content_type, fmt",
    [
        (PNG, "application/octet-stream", "png"),  # magic bytes win over a generic type
        (JPEG, "image/png", "jpeg"),  # ... and over a wrong one
        (GIF, None, "gif"),
        (WEBP, "image/webp", "webp"),
        (b"\x00\x01 not a known signature", "image/webp", "webp"),  # unknown bytes: the content type decides
    ],
)
def test_the_format_comes_from_the_bytes_then_the_content_type(bedrock_server, aws, media, data, content_type, fmt):
    url = media.add("picture", data, content_type)
    _call(aws, url)
    assert _images(bedrock_server) == [{"format": fmt, "source": {"bytes": _b64(data)}}]


def test_mixed_sources_and_one_download_per_url(bedrock_server, aws, media):
    url = media.add("cat.png", PNG)
    data_url = "data:image/gif;base64," + _b64(GIF)
    messages = _messages(url, data_url, url, "s3://bucket/dog.jpg")
    messages.append({"role": "assistant", "content": "A cat."})
    messages.append({"role": "user", "content": [{"type": "image_url", "image_url": url}]})  # a plain-string form
    litegate.completion(NOVA, messages=messages, **aws)
    body = bedrock_server.last_request.json
    assert [b for b in body["messages"][0]["content"] if "image" in b] == [
        {"image": {"format": "png", "source": {"bytes": _b64(PNG)}}},
        {"image": {"format": "gif", "source": {"bytes": _b64(GIF)}}},
        {"image": {"format": "png", "source": {"bytes": _b64(PNG)}}},
        {"image": {"format": "jpeg", "source": {"s3Location": {"uri": "s3://bucket/dog.jpg"}}}},
    ]
    assert body["messages"][2]["content"] == [{"image": {"format": "png", "source": {"bytes": _b64(PNG)}}}]
    assert media.hits("/cat.png") == 1


def test_a_retried_bedrock_request_does_not_download_again(bedrock_server, aws, media, fast_backoff):
    url = media.add("cat.png", PNG)
    bedrock_server.enqueue_error(503, code="ServiceUnavailableException")
    _call(aws, url, num_retries=2)
    assert bedrock_server.hits() == 2 and bedrock_server.signatures_checked == 2
    assert media.hits("/cat.png") == 1


def test_images_inside_tool_results(bedrock_server, aws, media):
    url = media.add("chart.png", PNG)
    messages = [
        {"role": "user", "content": "Draw the chart"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "t1", "type": "function", "function": {"name": "draw", "arguments": "{}"}}],
        },
        {"role": "tool", "tool_call_id": "t1", "content": [{"type": "image_url", "image_url": {"url": url}}]},
    ]
    litegate.completion(NOVA, messages=messages, **aws)
    result = bedrock_server.last_request.json["messages"][2]["content"][0]["toolResult"]
    assert result["content"] == [{"image": {"format": "png", "source": {"bytes": _b64(PNG)}}}]


def test_a_bedrock_api_key_call_downloads_too(bedrock_server, media):
    url = media.add("cat.png", PNG)
    bedrock_server.api_keys = ("bedrock-api-key-0123456789",)
    litegate.completion(
        NOVA,
        messages=_messages(url),
        api_key="bedrock-api-key-0123456789",
        aws_bedrock_runtime_endpoint=bedrock_server.url,
        aws_region_name="us-east-1",
    )
    assert _images(bedrock_server) == [{"format": "png", "source": {"bytes": _b64(PNG)}}]
    assert bedrock_server.last_request.header("authorization") == "Bearer bedrock-api-key-0123456789"


# ------------------------------------------------------------------------------ redirects
def test_redirects_are_followed_within_the_bound(bedrock_server, aws, media):
    media.add("final.png", PNG)
    media.redirect("b", "/final.png", 301)
    start = media.redirect("a", f"{media.url}/b", 307)
    _call(aws, start)
    assert _images(bedrock_server) == [{"format": "png", "source": {"bytes": _b64(PNG)}}]
    assert [r.path for r in media.requests] == ["/a", "/b", "/final.png"]


def test_too_many_redirects_are_refused(bedrock_server, aws, media):
    for i in range(remote_media.MAX_REDIRECTS + 1):
        media.redirect(f"r{i}", f"/r{i + 1}")
    media.add(f"r{remote_media.MAX_REDIRECTS + 1}", PNG)
    with pytest.raises(litegate.BadRequestError, match="redirects more than 5 times"):
        _call(aws, f"{media.url}/r0")
    assert bedrock_server.hits() == 0
    assert len(media.requests) == remote_media.MAX_REDIRECTS + 1


def test_a_redirect_loop_ends(bedrock_server, aws, media):
    url = media.redirect("loop", "/loop")
    with pytest.raises(litegate.BadRequestError, match="redirects more than"):
        _call(aws, url)
    assert bedrock_server.hits() == 0


@pytest.mark.parametrize("location", ["file:///etc/passwd", "ftp://example.com/cat.png", "gopher://example.com/x"])
def test_a_redirect_to_another_scheme_is_refused(bedrock_server, aws, media, location):
    url = media.redirect("evil", location)
    with pytest.raises(litegate.BadRequestError, match=r"redirects to a URL that is not http\(s\)"):
        _call(aws, url)
    assert bedrock_server.hits() == 0
    assert len(media.requests) == 1  # never followed


def test_a_redirect_to_a_data_url_is_refused(bedrock_server, aws, media):
    # some HTTP clients cannot even parse such a Location: either way the download fails cleanly
    url = media.redirect("evil", "data:image/png;base64,AAAA")
    with pytest.raises(litegate.BadRequestError, match="the image at http"):
        _call(aws, url)
    assert bedrock_server.hits() == 0


# ------------------------------------------------------------------------------ failures
def test_a_missing_image_fails_before_any_bedrock_request(bedrock_server, aws, media):
    with pytest.raises(
        litegate.BadRequestError, match=r"could not download the image at http://127\.0\.0\.1:\d+/nope\.png: HTTP 404"
    ) as info:
        _call(aws, f"{media.url}/nope.png?X-Amz-Signature=abcdef0123456789")
    assert "X-Amz-Signature" not in str(info.value)  # the query may hold a signature: never shown
    assert isinstance(info.value, litegate.InputValidationError)
    assert bedrock_server.hits() == 0


def test_an_image_over_the_size_cap_is_refused(bedrock_server, aws, media, monkeypatch):
    url = media.add("big.png", PNG + b"\x00" * (remote_media.MAX_BYTES + 1 - len(PNG)))
    with pytest.raises(litegate.BadRequestError, match="larger than 20 MiB"):
        _call(aws, url)
    assert bedrock_server.hits() == 0
    assert remote_media.MAX_BYTES == 20 * 1024 * 1024


def test_a_file_that_is_not_an_image_is_refused(bedrock_server, aws, media):
    url = media.add("page.html", b"<html>cats</html>", "text/html; charset=utf-8")
    with pytest.raises(litegate.BadRequestError, match=r"not a PNG, JPEG, GIF or WebP image \(text/html"):
        _call(aws, url)
    assert bedrock_server.hits() == 0


def test_an_unreachable_host_is_a_bad_request(bedrock_server, aws):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(litegate.BadRequestError, match="could not download the image"):
        _call(aws, f"http://127.0.0.1:{port}/cat.png", timeout=5)
    assert bedrock_server.hits() == 0


def test_other_schemes_are_refused_before_anything(bedrock_server, aws):
    with pytest.raises(litegate.BadRequestError, match="data URLs, s3:// or http"):
        _call(aws, "ftp://example.com/cat.png")
    assert bedrock_server.hits() == 0


# ------------------------------------------------------------------------------ credentials
def test_credentials_in_the_url_are_basic_auth_and_never_shown(bedrock_server, aws, media, caplog):
    media.add("private.png", PNG)
    media.protect("private.png", "alice", SECRET_PASSWORD)
    host = media.url.split("://", 1)[1]
    _call(aws, f"http://alice:{SECRET_PASSWORD}@{host}/private.png")
    assert _images(bedrock_server) == [{"format": "png", "source": {"bytes": _b64(PNG)}}]
    token = base64.b64encode(f"alice:{SECRET_PASSWORD}".encode()).decode()
    assert media.last_request.header("authorization") == "Basic " + token

    media.protect("other.png", "alice", "another-password")
    media.add("other.png", PNG)
    caplog.set_level(logging.DEBUG, logger="litegate")
    with pytest.raises(litegate.BadRequestError, match="HTTP 401") as info:
        _call(aws, f"http://alice:{SECRET_PASSWORD}@{host}/other.png")
    text = str(info.value) + repr(info.value.__dict__) + caplog.text
    assert "litegate request bedrock" in caplog.text  # debug logging was on
    assert SECRET_PASSWORD not in text and token not in text and "alice" not in text
    assert bedrock_server.hits() == 1  # only the first, successful call reached Bedrock


def test_credentials_are_not_sent_to_another_host_after_a_redirect(bedrock_server, aws, media):
    media.add("cat.png", PNG)
    port = media.url.rsplit(":", 1)[1]
    media.redirect("go", f"http://localhost:{port}/cat.png")  # another host name, same server
    _call(aws, f"http://alice:{SECRET_PASSWORD}@127.0.0.1:{port}/go")
    first, second = media.requests
    assert first.header("authorization", "").startswith("Basic ")
    assert second.header("authorization") is None


# ------------------------------------------------------------------------------ the module itself
def test_image_format_and_shown_url():
    assert remote_media.image_format(PNG, None) == ("png", "image/png")
    assert remote_media.image_format(b"????", "image/jpg; q=1") == ("jpeg", "image/jpeg")
    assert remote_media.image_format(b"????", "text/plain") is None
    assert remote_media.image_format(b"", "image/png") is None
    assert (
        remote_media.shown_url("https://u:p@Example.com:8443/a/b.png?sig=1#frag") == "https://example.com:8443/a/b.png"
    )
    from litegate.providers.bedrock import _has_remote_images

    assert _has_remote_images(_messages("https://x/y.png"))
    assert not _has_remote_images(_messages("data:image/png;base64,AAAA", "s3://b/k.png"))
    assert not _has_remote_images([{"role": "user", "content": "https://x/y.png"}])


def test_async_redirects_credentials_and_failures(bedrock_server, aws, media):
    """The same rules on the async transport (another HTTP client than the sync one here)."""
    media.add("final.gif", GIF, "image/gif")
    media.protect("final.gif", "bob", SECRET_PASSWORD)
    media.redirect("start", "/final.gif", 308)
    host = media.url.split("://", 1)[1]

    async def go():
        await litegate.acompletion(NOVA, messages=_messages(f"http://bob:{SECRET_PASSWORD}@{host}/start"), **aws)
        with pytest.raises(litegate.BadRequestError, match="HTTP 404") as info:
            await litegate.acompletion(NOVA, messages=_messages(f"http://bob:{SECRET_PASSWORD}@{host}/gone"), **aws)
        return info.value

    err = asyncio.run(go())
    assert _images(bedrock_server) == [{"format": "gif", "source": {"bytes": _b64(GIF)}}]
    assert [r.path for r in media.requests[:2]] == ["/start", "/final.gif"]
    assert all(r.header("authorization", "").startswith("Basic ") for r in media.requests)
    assert SECRET_PASSWORD not in str(err) and "bob" not in str(err)
    assert bedrock_server.hits() == 1


# ------------------------------------------------------------------ Claude through InvokeModel
CLAUDE = "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0"  # routed to InvokeModel


def _claude_sources(bedrock_server):
    content = bedrock_server.last_request.json["messages"][0]["content"]
    return [b["source"] for b in content if b.get("type") == "image"]


def test_claude_on_invoke_gets_the_image_as_base64(bedrock_server, aws, media):
    """Bedrock's InvokeModel takes Claude's images as base64 only: a URL is downloaded first."""
    url = media.add("cat.webp", WEBP, "image/webp")
    resp = litegate.completion(CLAUDE, messages=_messages(url), num_retries=0, **aws)
    assert resp.choices[0].message.content
    assert bedrock_server.last_request.path.endswith("/invoke")
    assert _claude_sources(bedrock_server) == [{"type": "base64", "media_type": "image/webp", "data": _b64(WEBP)}]
    assert bedrock_server.signatures_checked == 1  # the filled body is what was signed

    async def streamed():
        s = await litegate.acompletion(CLAUDE, messages=_messages(url), stream=True, **aws)
        return [c async for c in s]

    assert asyncio.run(streamed())
    assert bedrock_server.last_request.path.endswith("/invoke-with-response-stream")
    assert _claude_sources(bedrock_server) == [{"type": "base64", "media_type": "image/webp", "data": _b64(WEBP)}]
    assert media.hits("/cat.webp") == 2


def test_claude_on_invoke_with_an_unreachable_image_fails_before_bedrock(bedrock_server, aws, media):
    url = media.base_url + "/missing.png"
    before = len(bedrock_server.requests)
    with pytest.raises(litegate.BadRequestError):
        litegate.completion(CLAUDE, messages=_messages(url), num_retries=0, **aws)
    assert len(bedrock_server.requests) == before
