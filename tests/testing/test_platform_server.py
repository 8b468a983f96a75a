"""The fake server's multipart check: malformed uploads are refused, as OpenAI refuses them."""

from __future__ import annotations

import json
import socket

import pytest

from litegate.core.multipart import FilePart, MultipartBody
from litegate.testing.openai_platform import MultipartError, parse_multipart


def _body(fields=(("model", "whisper-1"),), files=None):
    files = files if files is not None else [FilePart("file", "a.wav", "audio/wav", b"RIFFdata", 8)]
    body = MultipartBody(list(fields), files)
    return body.content_type, bytes(body)


def test_round_trip_and_quoting():
    ctype, data = _body(files=[FilePart("file", 'we"ird\r\nname.wav', "audio/wav", b"xyz", 3)])
    fields, files = parse_multipart(ctype, data)
    assert fields == {"model": ["whisper-1"]}
    assert files["file"]["filename"] == "we%22ird%0D%0Aname.wav" and files["file"]["data"] == b"xyz"
    assert (
        len(data)
        == MultipartBody(
            [("model", "whisper-1")], [FilePart("file", 'we"ird\r\nname.wav', "audio/wav", b"xyz", 3)]
        ).length
    )


@pytest.mark.parametrize(
    "mangle,message",
    [
        (lambda c, d: ("application/json", d), "expected multipart/form-data"),
        (lambda c, d: ("multipart/form-data", d), "no boundary"),
        (lambda c, d: (c, d[:-4]), "closing boundary"),
        (lambda c, d: (c, d.replace(b"Content-Type: audio/wav\r\n", b"")), "has no content type"),
        (lambda c, d: (c, d.replace(b'; name="model"', b"")), "has no name"),
        (lambda c, d: (c, b"junk" + d), "does not start with the boundary"),
    ],
)
def test_malformed_bodies_are_refused(mangle, message):
    ctype, data = mangle(*_body())
    with pytest.raises(MultipartError, match=message):
        parse_multipart(ctype, data)


def _raw(server, headers: dict, body: bytes) -> tuple[int, dict]:
    host, port = server.url[7:].split(":")
    with socket.create_connection((host, int(port)), timeout=5) as s:
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        s.sendall(
            f"POST /v1/audio/transcriptions HTTP/1.1\r\nhost: x\r\nconnection: close\r\n{head}\r\n".encode() + body
        )
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, json.loads(data.split(b"\r\n\r\n", 1)[1] or b"{}")


def test_the_server_answers_400_to_a_bad_upload(server):
    ctype, data = _body()
    status, body = _raw(server, {"content-type": ctype, "content-length": str(len(data))}, data)
    assert status == 200 and body["text"].startswith("transcribed 8 bytes of a.wav")
    status, body = _raw(server, {"content-type": ctype, "content-length": str(len(data) - 6)}, data[:-6])
    assert status == 400 and "closing boundary" in body["error"]["message"]
    ctype, data = _body(files=[])
    status, body = _raw(server, {"content-type": ctype, "content-length": str(len(data))}, data)
    assert status == 400 and "'file'" in body["error"]["message"]
