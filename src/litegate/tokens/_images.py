"""Image token counts with OpenAI's documented tile arithmetic, and image sizes read from bytes.

OpenAI's rule for GPT-4o-class vision input:

* ``detail="low"``: a flat 85 tokens;
* ``detail="high"`` (and ``"auto"``, which litegate counts as high): the image is scaled down to
  fit in a 2048 x 2048 square, then scaled down so that its shortest side is 768 px; it is cut
  into 512 px tiles, each costing 170 tokens, plus 85 base tokens.

  1024 x 1024 -> 768 x 768 -> 4 tiles -> 765 tokens; 2048 x 4096 -> 768 x 1536 -> 6 tiles -> 1105.

Image sizes are read from the bytes of ``data:`` URLs (PNG, JPEG, GIF and WebP headers, parsed
here with the standard library). Remote ``http(s)`` URLs are never fetched: they count as an
image of :data:`DEFAULT_IMAGE_WIDTH` x :data:`DEFAULT_IMAGE_HEIGHT` (765 tokens at high detail),
as do images whose size cannot be read, and every image when ``use_default_image_token_count``
is set.
"""

from __future__ import annotations

import base64
import binascii
import math
import struct
from typing import Any

BASE_TOKENS = 85
TILE_TOKENS = 170
TILE_SIZE = 512
MAX_SIDE = 2048
SHORT_SIDE = 768
DEFAULT_IMAGE_WIDTH = 1024
DEFAULT_IMAGE_HEIGHT = 1024

# base64 characters decoded before trying to read a header (JPEG size markers can sit behind
# large EXIF blocks; the whole image is decoded only when this prefix was not enough)
_PREFIX_CHARS = 64 * 1024


def tile_tokens(width: int, height: int, detail: str = "high") -> int:
    """Tokens for a ``width`` x ``height`` image at ``detail`` (``low``, ``high`` or ``auto``)."""
    if detail == "low":
        return BASE_TOKENS
    if width <= 0 or height <= 0:
        return BASE_TOKENS
    w, h = float(width), float(height)
    if max(w, h) > MAX_SIDE:
        scale = MAX_SIDE / max(w, h)
        w, h = w * scale, h * scale
    if min(w, h) > SHORT_SIDE:
        scale = SHORT_SIDE / min(w, h)
        w, h = w * scale, h * scale
    # whole pixels, as a resize produces; the rounding keeps 768.0000001 from adding a tile
    w_px, h_px = max(1, int(round(w, 6))), max(1, int(round(h, 6)))
    tiles = math.ceil(w_px / TILE_SIZE) * math.ceil(h_px / TILE_SIZE)
    return BASE_TOKENS + TILE_TOKENS * tiles


def image_size(data: bytes) -> tuple[int, int] | None:
    """``(width, height)`` read from the header of a PNG, JPEG, GIF or WebP image, else None."""
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        if len(data) >= 24 and data[12:16] == b"IHDR":
            return struct.unpack(">II", data[16:24])
        return None
    if data[:6] in (b"GIF87a", b"GIF89a"):
        if len(data) >= 10:
            return struct.unpack("<HH", data[6:10])
        return None
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_size(data)
    if data[:2] == b"\xff\xd8":
        return _jpeg_size(data)
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        (bits,) = struct.unpack("<I", data[21:25])
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    return None


# start-of-frame markers, which carry the image size (not DHT C4, JPG C8 or DAC CC)
_SOF_MARKERS = frozenset((0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF))


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i, n = 2, len(data)
    while i + 4 <= n:
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7:  # markers without a length
            i += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image / start of scan before any frame header
            return None
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if length < 2:
            return None
        if marker in _SOF_MARKERS:
            if i + 9 > n:
                return None
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None


def _decode_base64(text: str) -> bytes:
    try:
        return base64.b64decode(text)
    except (binascii.Error, ValueError):
        # tolerate missing padding and whitespace
        cleaned = "".join(text.split())
        return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4))


def size_from_base64(encoded: str) -> tuple[int, int] | None:
    """Image size from base64 text, decoding only a prefix when the header is near the start."""
    encoded = encoded.strip()
    if len(encoded) > _PREFIX_CHARS:
        try:
            size = image_size(base64.b64decode(encoded[:_PREFIX_CHARS]))
        except (binascii.Error, ValueError):
            size = None
        if size is not None:
            return size
    try:
        return image_size(_decode_base64(encoded))
    except (binascii.Error, ValueError):
        return None


def size_from_url(url: str) -> tuple[int, int] | None:
    """Image size from a ``data:`` URL; None for remote URLs (never fetched) or unreadable data."""
    if not url.startswith("data:"):
        return None
    header, sep, payload = url.partition(",")
    if not sep:
        return None
    if header.endswith(";base64"):
        return size_from_base64(payload)
    from urllib.parse import unquote_to_bytes

    return image_size(unquote_to_bytes(payload))


def image_part_tokens(part: Any, use_default_image_token_count: bool = False) -> int:
    """Tokens for one image content part.

    Accepts OpenAI's ``{"type": "image_url", "image_url": {"url": ..., "detail": ...}}`` (or the
    URL as a plain string), the Responses-style ``{"type": "input_image", "image_url": ...}`` and
    Anthropic's ``{"type": "image", "source": {"type": "base64", "data": ...}}``.
    """
    detail = "auto"
    size: tuple[int, int] | None = None
    image_url = part.get("image_url")
    if image_url is not None:
        if isinstance(image_url, dict):
            url = image_url.get("url") or ""
            detail = image_url.get("detail") or part.get("detail") or "auto"
        else:
            url = str(image_url)
            detail = part.get("detail") or "auto"
        if detail != "low" and not use_default_image_token_count:
            size = size_from_url(url)
    else:
        source = part.get("source")
        if isinstance(source, dict) and source.get("type") == "base64" and not use_default_image_token_count:
            size = size_from_base64(str(source.get("data") or ""))
    if detail == "low":
        return BASE_TOKENS
    width, height = size if size is not None else (DEFAULT_IMAGE_WIDTH, DEFAULT_IMAGE_HEIGHT)
    return tile_tokens(width, height, detail)
