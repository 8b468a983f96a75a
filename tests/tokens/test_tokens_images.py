"""Image tokens: OpenAI's tile arithmetic, and image sizes read from headers built here."""

from __future__ import annotations

import base64
import struct
import zlib

import pytest

import litegate.tokens as tokens
from litegate.tokens import _images

# --------------------------------------------------------------------------------------------
# tiny images, built byte by byte (only as much of each format as a header reader needs)
# --------------------------------------------------------------------------------------------


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 4)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def jpeg(width: int, height: int, exif_padding: int = 0, progressive: bool = False) -> bytes:
    def segment(marker: int, payload: bytes) -> bytes:
        return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload

    out = b"\xff\xd8"
    out += segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    while exif_padding > 0:  # large APP1 blocks before the frame header, as cameras write
        size = min(exif_padding, 60000)
        out += segment(0xE1, b"Exif\x00\x00" + b"\x00" * size)
        exif_padding -= size
    out += segment(0xDB, b"\x00" + bytes(range(64)))  # a quantisation table
    out += segment(0xC4, b"\x00" + b"\x00" * 16)  # a Huffman table (C4 is not a frame header)
    sof = 0xC2 if progressive else 0xC0
    out += b"\xff" + segment(sof, struct.pack(">BHHB", 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01")
    out += segment(0xDA, b"\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00") + b"\x00" * 16 + b"\xff\xd9"
    return out


def gif(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HHBBB", width, height, 0, 0, 0) + b";"


def webp_vp8(width: int, height: int) -> bytes:
    frame = b"\x00\x00\x00" + b"\x9d\x01\x2a" + struct.pack("<HH", width, height) + b"\x00" * 10
    body = b"WEBP" + b"VP8 " + struct.pack("<I", len(frame)) + frame
    return b"RIFF" + struct.pack("<I", len(body)) + body


def webp_vp8l(width: int, height: int) -> bytes:
    bits = (width - 1) | ((height - 1) << 14)
    frame = b"\x2f" + struct.pack("<I", bits) + b"\x00" * 8
    body = b"WEBP" + b"VP8L" + struct.pack("<I", len(frame)) + frame
    return b"RIFF" + struct.pack("<I", len(body)) + body


def webp_vp8x(width: int, height: int) -> bytes:
    frame = b"\x00\x00\x00\x00" + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    body = b"WEBP" + b"VP8X" + struct.pack("<I", len(frame)) + frame
    return b"RIFF" + struct.pack("<I", len(body)) + body


def data_url(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode()


def image_message(url: str, detail: str | None = None) -> list:
    image_url: dict = {"url": url}
    if detail is not None:
        image_url["detail"] = detail
    return [{"role": "user", "content": [{"type": "image_url", "image_url": image_url}]}]


# 3 per message + "user" (1 token) + 3 reply priming
FRAMING = 7

# --------------------------------------------------------------------------------------------
# arithmetic
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "width,height,detail,expected",
    [
        (1024, 1024, "high", 765),  # OpenAI's example: 768x768, 4 tiles
        (2048, 4096, "high", 1105),  # OpenAI's example: 768x1536, 6 tiles
        (4096, 8192, "low", 85),  # OpenAI's example: low detail is flat
        (1024, 1024, "auto", 765),
        (512, 512, "high", 255),  # 1 tile, no upscaling
        (100, 100, "high", 255),
        (768, 768, "high", 765),
        (513, 512, "high", 425),  # 2 tiles
        (1366, 768, "high", 1105),  # shortest side already 768: 3 x 2 tiles
        (4000, 3000, "high", 765),  # -> 2048x1536 -> 1024x768: 2 x 2 tiles
        (8000, 1000, "high", 765),  # -> 2048x256: 4 x 1 tiles
        (10000, 10000, "low", 85),
    ],
)
def test_tile_arithmetic(width, height, detail, expected):
    assert _images.tile_tokens(width, height, detail) == expected
    assert tokens.image_tokens_for_size(width, height, detail) == expected


# --------------------------------------------------------------------------------------------
# headers
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "builder",
    [
        png,
        jpeg,
        gif,
        webp_vp8,
        webp_vp8l,
        webp_vp8x,
        lambda w, h: jpeg(w, h, progressive=True),
        lambda w, h: jpeg(w, h, exif_padding=150_000),
    ],
)
@pytest.mark.parametrize("size", [(1, 1), (1024, 1024), (2048, 4096), (3000, 17), (16383, 5)])
def test_image_size_from_headers(builder, size):
    assert _images.image_size(builder(*size)) == size


def test_unreadable_images():
    assert _images.image_size(b"") is None
    assert _images.image_size(b"not an image at all") is None
    assert _images.image_size(png(10, 10)[:20]) is None
    assert _images.image_size(b"\xff\xd8\xff\xe0\x00") is None
    assert _images.size_from_url("https://example.com/cat.png") is None
    assert _images.size_from_url("data:image/png;base64,!!!notbase64") is None


def test_large_base64_only_decodes_what_it_needs():
    big = jpeg(2048, 4096, exif_padding=200_000)
    assert _images.size_from_base64(base64.b64encode(big).decode()) == (2048, 4096)
    assert _images.size_from_base64(base64.b64encode(png(640, 480) + b"\x00" * 200_000).decode()) == (640, 480)


# --------------------------------------------------------------------------------------------
# through token_counter
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data,mime",
    [
        (png(1024, 1024), "image/png"),
        (jpeg(1024, 1024), "image/jpeg"),
        (gif(1024, 1024), "image/gif"),
        (webp_vp8(1024, 1024), "image/webp"),
    ],
)
def test_data_url_high_detail(data, mime):
    messages = image_message(data_url(data, mime), "high")
    assert tokens.token_counter(model="gpt-4o", messages=messages) == FRAMING + 765


def test_data_url_sizes_change_the_count():
    tall = image_message(data_url(png(2048, 4096)), "high")
    assert tokens.token_counter(model="gpt-4o", messages=tall) == FRAMING + 1105
    small = image_message(data_url(png(300, 200)))  # no detail: auto, counted as high
    assert tokens.token_counter(model="gpt-4o", messages=small) == FRAMING + 255


def test_low_detail_is_flat():
    messages = image_message(data_url(png(4096, 8192)), "low")
    assert tokens.token_counter(model="gpt-4o", messages=messages) == FRAMING + 85


def test_remote_urls_are_never_fetched(monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    messages = image_message("https://upload.wikimedia.org/some/huge/picture.jpg", "high")
    assert tokens.token_counter(model="gpt-4o", messages=messages) == FRAMING + 765
    low = image_message("https://upload.wikimedia.org/some/huge/picture.jpg", "low")
    assert tokens.token_counter(model="gpt-4o", messages=low) == FRAMING + 85


def test_use_default_image_token_count_skips_decoding():
    messages = image_message(data_url(png(2048, 4096)), "high")
    assert tokens.token_counter(model="gpt-4o", messages=messages, use_default_image_token_count=True) == (
        FRAMING + 765
    )


def test_other_image_part_shapes():
    url = data_url(png(2048, 4096))
    plain_string = [{"role": "user", "content": [{"type": "image_url", "image_url": url}]}]
    assert tokens.token_counter(model="gpt-4o", messages=plain_string) == FRAMING + 1105
    anthropic = [
        {
            "role": "user",
            "content": [
                {
                    "type": "image",
                    "source": {
                        "type": "base64",
                        "media_type": "image/png",
                        "data": base64.b64encode(png(2048, 4096)).decode(),
                    },
                }
            ],
        }
    ]
    assert tokens.token_counter(model="gpt-4o", messages=anthropic) == FRAMING + 1105
    mixed = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "hello world"},
                {"type": "image_url", "image_url": {"url": url, "detail": "low"}},
            ],
        }
    ]
    assert tokens.token_counter(model="gpt-4o", messages=mixed) == FRAMING + 2 + 85


def test_spec_placeholder_example():
    # the spec's example: a placeholder URL counts as a default-size image
    image = {"type": "image_url", "image_url": {"url": "placeholder", "detail": "high"}}
    vision = [{"role": "user", "content": [{"type": "text", "text": "What's in this image?"}, image]}]
    text_only = [{"role": "user", "content": [{"type": "text", "text": "What's in this image?"}]}]
    assert tokens.token_counter(model="gpt-4o", messages=vision) == (
        tokens.token_counter(model="gpt-4o", messages=text_only) + 765
    )
