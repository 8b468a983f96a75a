"""Peak memory of large binary bodies: speech audio read to disk, uploads streamed from disk.

    python bench/audio_memory.py [--mb 50] [--upload-mb 200]

Two servers run in a child process: the package's FakeOpenAIServer (its speech route answers
``--mb`` MB of audio) and a sink that reads an upload of any size, counts its bytes and answers
like OpenAI. Every scenario runs in a fresh process and reports the growth of its peak RSS
(``ru_maxrss``) over the RSS it had after importing litegate and making one small call, so the
number is what the large body cost.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "src"))


def _sink(port_out: list) -> None:
    """A bare HTTP/1.1 server that discards request bodies (content-length or chunked)."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    port_out.append(srv.getsockname()[1])

    def handle(conn: socket.socket) -> None:
        with conn:
            f = conn.makefile("rb")
            while True:
                line = f.readline()
                if not line:
                    return
                path = line.split()[1].decode()
                headers = {}
                while True:
                    h = f.readline()
                    if h in (b"\r\n", b""):
                        break
                    k, _, v = h.decode().partition(":")
                    headers[k.strip().lower()] = v.strip()
                left = int(headers.get("content-length", "0"))
                got = 0
                while left:
                    piece = f.read(min(left, 1 << 20))
                    if not piece:
                        return
                    got += len(piece)
                    left -= len(piece)
                if path.endswith("/files"):
                    body = {
                        "id": "file-sink",
                        "object": "file",
                        "bytes": got,
                        "created_at": 0,
                        "filename": "upload.jsonl",
                        "purpose": "batch",
                        "status": "processed",
                    }
                else:
                    body = {"text": f"received {got} bytes"}
                data = json.dumps(body).encode()
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
                    + str(len(data)).encode()
                    + b"\r\n\r\n"
                    + data
                )

    while True:
        conn, _ = srv.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


def serve(mb: int) -> None:
    from litegate.testing import FakeOpenAIServer

    srv = FakeOpenAIServer(record=False)
    srv.speech_bytes = mb * 1024 * 1024
    srv.start()
    port: list = []
    threading.Thread(target=_sink, args=(port,), daemon=True).start()
    while not port:
        pass
    print(json.dumps({"fake": srv.base_url, "sink": f"http://127.0.0.1:{port[0]}/v1"}), flush=True)
    sys.stdin.read()  # until the parent closes our stdin


def _rss_kb() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def scenario(name: str, urls: dict, path: str) -> None:
    import asyncio

    import litegate

    kw = {"api_key": "sk-bench"}
    # warm up: imports, the transport, one small call of each kind
    litegate.speech(model="tts-1", input="warm", voice="alloy", api_base=urls["fake"], **kw).close()
    base = _rss_kb()
    if name == "speech_stream_to_file":
        with litegate.speech(model="tts-1", input="big", voice="alloy", api_base=urls["fake"], **kw) as r:
            r.stream_to_file(path)
    elif name == "speech_read":
        with litegate.speech(model="tts-1", input="big", voice="alloy", api_base=urls["fake"], **kw) as r:
            data = r.read()
            assert data
    elif name == "aspeech_stream_to_file":

        async def go() -> None:
            r = await litegate.aspeech(model="tts-1", input="big", voice="alloy", api_base=urls["fake"], **kw)
            async with r:
                await r.astream_to_file(path)

        asyncio.run(go())
    elif name.startswith("upload_"):
        backend = name.split("_", 1)[1]
        with litegate.Client(http_backend=backend) as c:
            out = c.create_file(file=path, purpose="batch", api_base=urls["sink"], **kw)
            assert out.bytes > os.path.getsize(path), out
    elif name.startswith("transcription_"):
        backend = name.split("_", 1)[1]
        with litegate.Client(http_backend=backend) as c:
            out = c.transcription("whisper-1", path, api_base=urls["sink"], **kw)
            assert int(out.text.split()[1]) > os.path.getsize(path), out.text  # the whole file arrived
    size = os.path.getsize(path)
    print(
        json.dumps(
            {
                "scenario": name,
                "body_mb": round(size / 2**20, 1),
                "peak_rss_growth_mb": round((_rss_kb() - base) / 1024, 1),
            }
        ),
        flush=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=50)
    ap.add_argument("--upload-mb", type=int, default=200)
    ap.add_argument("--serve", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--scenario", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--urls", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--path", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve is not None:
        serve(args.serve)
        return
    if args.scenario:
        scenario(args.scenario, json.loads(args.urls), args.path)
        return
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(args.mb)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        urls = server.stdout.readline().strip()
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "speech.mp3")
            upload = os.path.join(tmp, "upload.jsonl")
            with open(upload, "wb") as f:
                line = b'{"custom_id": "x", "method": "POST", "url": "/v1/chat/completions", "body": {}}\n'
                for _ in range(args.upload_mb * 2**20 // len(line) + 1):
                    f.write(line)
            runs = [
                ("speech_stream_to_file", out),
                ("aspeech_stream_to_file", out),
                ("speech_read", out),
                ("upload_pyreqwest", upload),
                ("upload_httpx", upload),
                ("transcription_pyreqwest", upload),
            ]
            for name, path in runs:
                subprocess.run(
                    [sys.executable, __file__, "--scenario", name, "--urls", urls, "--path", path],
                    check=True,
                    timeout=600,
                )
    finally:
        server.stdin.close()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
