"""transcription / atranscription and speech / aspeech against FakeOpenAIServer over real sockets,
on both HTTP backends (pyreqwest, the default, and httpx)."""

from __future__ import annotations

import hashlib
import io
import pathlib

import pytest

import litegate
from litegate.types.audio import HttpxBinaryResponseContent, TranscriptionResponse, TranscriptionText

KEY = "sk-audio-test"
AUDIO = bytes(range(256)) * 400  # 102400 bytes of "audio"


def _client(backend):
    # pyreqwest's own upload path (interrupt_safe=False): by default main-thread calls are handed
    # to httpx while Ctrl-C can reach them, and async calls to aiohttp (docs/TRANSPORT.md)
    from litegate.core.transport import Transport

    kw = {"interrupt_safe": False} if backend == "pyreqwest" else {}
    return litegate.Client(transport=Transport(backend, **kw))


@pytest.fixture(params=["pyreqwest", "httpx", "aiohttp"])
def aclient(request):
    """Async tests also run on the aiohttp backend (its sync calls are httpx's)."""
    with _client(request.param) as c:
        yield c


@pytest.fixture(params=["pyreqwest", "httpx"])
def client(request):
    with _client(request.param) as c:
        yield c


@pytest.fixture
def wav(tmp_path):
    path = tmp_path / "meeting.wav"
    path.write_bytes(AUDIO)
    return path


def _kw(server):
    return {"api_base": server.base_url, "api_key": KEY}


def _upload(server):
    up = server.uploads[-1]
    return up, up["files"]["file"]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------------------------ transcription
@pytest.mark.parametrize("kind", ["open_file", "path", "pathlike", "bytes", "tuple"])
def test_transcription_file_kinds_multipart(client, server, wav, kind):
    fh = None
    if kind == "open_file":
        fh = file = open(wav, "rb")
        filename, ctype = "meeting.wav", "audio/x-wav"
    elif kind == "path":
        file, filename, ctype = str(wav), "meeting.wav", "audio/x-wav"
    elif kind == "pathlike":
        file, filename, ctype = pathlib.Path(wav), "meeting.wav", "audio/x-wav"
    elif kind == "bytes":
        file, filename, ctype = AUDIO, "file", "application/octet-stream"
    else:
        file, filename, ctype = ("call.mp3", AUDIO, "audio/mpeg"), "call.mp3", "audio/mpeg"
    try:
        resp = client.transcription(
            "whisper-1", file, language="en", prompt="Names: ACME", temperature=0.2, **_kw(server)
        )
    finally:
        if fh is not None:
            fh.close()
    assert isinstance(resp, TranscriptionResponse)
    assert resp.text == f"transcribed {len(AUDIO)} bytes of {filename} (en)" and resp["text"] == resp.text
    up, part = _upload(server)
    assert part == {"filename": filename, "content_type": ctype, "size": len(AUDIO), "sha256": _sha(AUDIO)}
    assert up["fields"] == {
        "model": ["whisper-1"],
        "language": ["en"],
        "prompt": ["Names: ACME"],
        "temperature": ["0.2"],
    }
    # sized up front: a content-length, no chunked encoding, on both backends
    assert not up["chunked"] and int(server.last_request.headers["content-length"]) == len(server.last_request.body)
    assert server.last_request.path == "/v1/audio/transcriptions"
    assert client.transport.backend in server.last_request.headers["user-agent"]  # no silent fallback
    # cost per second of audio from the registry (the answer's usage says 4 s)
    assert resp._hidden_params["response_cost"] == pytest.approx(
        4 * litegate.model_cost["whisper-1"]["input_cost_per_second"]
    )


def test_open_file_is_sent_from_where_it_stands_and_again_on_retry(client, server, wav, fast_backoff):
    server.enqueue_error(500, count=1)
    with open(wav, "rb") as fh:
        fh.read(1024)  # the caller already consumed a header: the rest is the file
        resp = client.transcription("whisper-1", fh, num_retries=1, **_kw(server))
        assert fh.tell() == len(AUDIO)
    assert server.hits("/audio/transcriptions") == 2
    _, part = _upload(server)  # the retried attempt resent the same bytes
    assert part["size"] == len(AUDIO) - 1024 and part["sha256"] == _sha(AUDIO[1024:])
    assert resp._hidden_params["attempts"] == 2


def test_verbose_json_words_segments_duration(client, server, wav):
    resp = client.transcription(
        "whisper-1",
        str(wav),
        response_format="verbose_json",
        timestamp_granularities=["word", "segment"],
        **_kw(server),
    )
    assert resp.duration == pytest.approx(len(AUDIO) / 32000, abs=1e-3) and resp.language == "english"
    assert resp.words[0]["word"] == "transcribed" and resp.words[0]["start"] == 0.0
    assert resp.segments[0]["end"] == resp.duration
    assert server.uploads[-1]["fields"]["timestamp_granularities[]"] == ["word", "segment"]
    assert resp._hidden_params["response_cost"] == pytest.approx(resp.duration * 0.0001)
    # the openai SDK reads the same body
    from openai.types.audio import TranscriptionVerbose

    TranscriptionVerbose.model_validate(resp.model_dump())


@pytest.mark.parametrize(
    "fmt,start", [("text", "transcribed"), ("srt", "1\n00:00:00,000 --> "), ("vtt", "WEBVTT\n\n00:00:00.000 --> ")]
)
def test_text_formats_are_plain_strings(client, server, wav, fmt, start):
    resp = client.transcription("whisper-1", str(wav), response_format=fmt, **_kw(server))
    assert isinstance(resp, str) and isinstance(resp, TranscriptionText) and resp.startswith(start)
    assert f"transcribed {len(AUDIO)} bytes of meeting.wav" in resp and resp.text == str(resp)
    assert resp._hidden_params["custom_llm_provider"] == "openai"


async def test_atranscription(aclient, server, wav):
    client = aclient
    with open(wav, "rb") as fh:
        resp = await client.atranscription("whisper-1", fh, response_format="json", **_kw(server))
    assert resp.text.startswith(f"transcribed {len(AUDIO)}")
    up, part = _upload(server)
    assert part["sha256"] == _sha(AUDIO)
    assert not up["chunked"]  # sized up front on every backend
    assert client.transport.backend in server.last_request.headers["user-agent"].lower()
    text = await litegate.atranscription(model="whisper-1", file=AUDIO, response_format="text", **_kw(server))
    assert isinstance(text, str)


def test_transcription_bad_input_fails_before_any_request(server, tmp_path):
    kw = _kw(server)
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    text_mode = tmp_path / "t.txt"
    text_mode.write_text("x")
    cases = [
        (dict(file=str(tmp_path / "missing.wav")), "no such file", ValueError),
        (dict(file=str(tmp_path)), "is a directory, not a file", ValueError),
        (dict(file=b""), "empty", ValueError),
        (dict(file=str(empty)), "empty", ValueError),
        (dict(file=123), "open binary file, a path, bytes", TypeError),
        (dict(file=None), "needs file=", ValueError),
        (dict(file=AUDIO, response_format="mp3"), "response_format must be one of", ValueError),
        (dict(file=AUDIO, temperature="hot"), "temperature must be a number", TypeError),
        (dict(file=AUDIO, temperature=3), "between 0.0 and 1.0", ValueError),
        (dict(file=AUDIO, timestamp_granularities=["word"]), "needs response_format='verbose_json'", ValueError),
        (
            dict(file=AUDIO, response_format="verbose_json", timestamp_granularities=["line"]),
            "'word' and 'segment'",
            ValueError,
        ),
        (dict(file=("a.wav",)), "as a tuple", TypeError),
        (dict(file=AUDIO, language=5), "language must be a string", TypeError),
    ]
    for extra, message, cls in cases:
        with pytest.raises(cls, match=message) as caught:
            litegate.transcription(model="whisper-1", **extra, **kw)
        assert isinstance(caught.value, litegate.BadRequestError)
    with open(text_mode) as fh:
        with pytest.raises(TypeError, match="binary mode"):
            litegate.transcription(model="whisper-1", file=fh, **kw)
    closed = open(text_mode, "rb")
    closed.close()
    with pytest.raises(ValueError, match="closed"):
        litegate.transcription(model="whisper-1", file=closed, **kw)
    assert server.requests == []


def test_non_seekable_stream_is_read_once(server):
    class Pipe(io.RawIOBase):
        def __init__(self):
            self.data = io.BytesIO(AUDIO)

        def readable(self):
            return True

        def seekable(self):
            return False

        def readinto(self, b):
            chunk = self.data.read(len(b))
            b[: len(chunk)] = chunk
            return len(chunk)

    resp = litegate.transcription(model="whisper-1", file=io.BufferedReader(Pipe()), **_kw(server))
    assert resp.text.startswith(f"transcribed {len(AUDIO)} bytes")


def test_transcription_errors_map(server):
    server.enqueue_error(401, message="Incorrect API key provided")
    with pytest.raises(litegate.AuthenticationError):
        litegate.transcription(model="whisper-1", file=AUDIO, **_kw(server))


def test_transcription_on_groq_and_azure(server):
    resp = litegate.transcription(model="groq/whisper-large-v3", file=AUDIO, **_kw(server))
    assert resp.text and server.last_request.path == "/v1/audio/transcriptions"
    assert server.uploads[-1]["fields"]["model"] == ["whisper-large-v3"]
    resp = litegate.transcription(
        model="azure/my-whisper", file=AUDIO, api_base=server.url, api_key=KEY, api_version="2024-06-01"
    )
    assert server.last_request.path == "/openai/deployments/my-whisper/audio/transcriptions"
    assert server.last_request.query == {"api-version": "2024-06-01"}
    assert server.last_request.headers["api-key"] == KEY
    with pytest.raises(litegate.BadRequestError, match="offers no audio transcription"):
        litegate.transcription(model="anthropic/claude-3-haiku-20240307", file=AUDIO, api_key="k")


def test_transcription_mock_and_callbacks(server):
    seen = []

    def on_success(kwargs, response, start, end):
        seen.append((kwargs["call_type"], response))

    litegate.success_callback = [on_success]
    resp = litegate.transcription(model="whisper-1", file=AUDIO, **_kw(server))
    assert seen and seen[-1][0] == "transcription" and seen[-1][1] is resp
    mocked = litegate.transcription(model="whisper-1", file=AUDIO, mock_response="hello there")
    assert mocked.text == "hello there" and mocked._hidden_params["mock_response"] is True
    mocked = litegate.transcription(model="whisper-1", file=AUDIO, response_format="srt", mock_response="1\nx")
    assert isinstance(mocked, str) and mocked == "1\nx"
    assert server.hits("/audio/transcriptions") == 1


# ------------------------------------------------------------------------------ speech
def test_speech_stream_to_file_and_shape(client, server, tmp_path):
    server.speech_bytes = 300_000
    out = tmp_path / "speech.mp3"
    text = "LiteLLM makes generating speech simple."
    with client.speech("tts-1", text, "shimmer", speed=1.0, **_kw(server)) as resp:
        assert isinstance(resp, HttpxBinaryResponseContent)
        assert resp.http_response.status_code == 200 and resp.headers["content-type"] == "audio/mpeg"
        resp.stream_to_file(out)
        assert resp._content is None  # streamed through, never kept whole
    assert out.stat().st_size == 300_000
    body = server.last_request.json
    assert body == {"model": "tts-1", "input": text, "voice": "shimmer", "speed": 1.0}
    assert server.last_request.path == "/v1/audio/speech"
    # per character, from the registry
    assert resp._hidden_params["response_cost"] == pytest.approx(
        len(text) * litegate.model_cost["tts-1"]["input_cost_per_character"]
    )
    with pytest.raises(ValueError, match="closed"):
        resp.read()


def test_speech_read_iter_bytes_and_formats(client, server):
    server.speech_bytes = 10_000
    resp = client.speech(
        "tts-1-hd",
        "Generating high definition audio.",
        "onyx",
        response_format="flac",
        speed=0.9,
        instructions="calm",
        **_kw(server),
    )
    sizes = [len(c) for c in resp.iter_bytes(chunk_size=4096)]
    assert sizes == [4096, 4096, 1808]
    with pytest.raises(ValueError, match="consumed once"):
        resp.read()
    resp.close()
    resp = client.speech("tts-1-hd", "again", "onyx", response_format="flac", **_kw(server))
    data = resp.read()
    assert len(data) == 10_000 and resp.content is data and resp.headers["content-type"] == "audio/flac"
    assert list(resp.iter_bytes(chunk_size=6000)) == [data[:6000], data[6000:]]  # read() keeps it for reuse
    assert server.last_request.json["response_format"] == "flac"


async def test_aspeech(aclient, server, tmp_path):
    client = aclient
    server.speech_bytes = 3 * 1024 * 1024  # beyond the in-memory spool: kept in a temporary file
    resp = await client.aspeech("tts-1", "hello async", "alloy", **_kw(server))
    async with resp:
        assert resp._spool is not None and resp._spool._rolled  # on disk, not in memory
        pieces = [len(p) async for p in resp.aiter_bytes(chunk_size=1024 * 1024)]
        assert pieces == [1024 * 1024] * 3
        await resp.astream_to_file(tmp_path / "a.mp3")
        resp.stream_to_file(tmp_path / "b.mp3")  # the sync methods work after await, as in litellm
        assert (tmp_path / "a.mp3").read_bytes() == (tmp_path / "b.mp3").read_bytes()
        assert len(await resp.aread()) == 3 * 1024 * 1024
    assert resp._hidden_params["response_cost"] > 0


def test_speech_bad_input_fails_before_any_request(server):
    kw = _kw(server)
    cases = [
        (dict(input="", voice="alloy"), "non-empty string", ValueError),
        (dict(input=None, voice="alloy"), "non-empty string", TypeError),
        (dict(input="hi"), "needs voice=", ValueError),
        (dict(input="hi", voice=3), "voice name", TypeError),
        (dict(input="hi", voice="alloy", response_format="ogg"), "response_format must be one of", ValueError),
        (dict(input="hi", voice="alloy", speed=9), "between 0.25 and 4.0", ValueError),
        (dict(input="hi", voice="alloy", speed="fast"), "speed must be a number", TypeError),
    ]
    for extra, message, cls in cases:
        with pytest.raises(cls, match=message):
            litegate.speech(model="tts-1", **extra, **kw)
    assert server.requests == []


def test_speech_errors_retry_and_mock(server, fast_backoff):
    server.enqueue_error(503, count=1)
    resp = litegate.speech(model="tts-1", input="hi", voice="alloy", num_retries=1, **_kw(server))
    assert len(resp.read()) == server.speech_bytes and resp._hidden_params["attempts"] == 2
    server.enqueue_error(429, count=1)
    with pytest.raises(litegate.RateLimitError):
        litegate.speech(model="tts-1", input="hi", voice="alloy", num_retries=0, **_kw(server))
    mocked = litegate.speech(model="tts-1", input="hi", voice="alloy", mock_response=b"ID3fake")
    assert mocked.read() == b"ID3fake"


def test_speech_on_azure_and_groq(server):
    resp = litegate.speech(
        model="azure/my-tts", input="hi", voice="alloy", api_base=server.url, api_key=KEY, api_version="2024-06-01"
    )
    assert resp.read() and server.last_request.path == "/openai/deployments/my-tts/audio/speech"
    resp = litegate.speech(model="groq/playai-tts", input="hi", voice="Fritz-PlayAI", **_kw(server))
    assert resp.read() and server.last_request.json["model"] == "playai-tts"


def test_litellm_import_paths():
    from litegate.types.llms.openai import HttpxBinaryResponseContent as Binary
    from litegate.types.llms.openai import TranscriptionResponse as TR

    assert Binary is HttpxBinaryResponseContent and TR is TranscriptionResponse
    assert litegate.HttpxBinaryResponseContent is Binary and litegate.TranscriptionResponse is TR


def test_callbacks_see_the_file_by_name_never_its_bytes(server):
    seen = []
    litegate.success_callback = [lambda kwargs, resp, start, end: seen.append(repr(kwargs["input"]))]
    litegate.transcription(model="whisper-1", file=("x.wav", AUDIO, "audio/wav"), **_kw(server))
    assert seen == [f"FilePart('file', filename='x.wav', content_type='audio/wav', size={len(AUDIO)})"]


def _wav(seconds: float, rate: int = 16000) -> bytes:
    import struct

    data = b"\0\0" * int(seconds * rate)
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)
    return (
        b"RIFF"
        + struct.pack("<I", 36 + len(data))
        + b"WAVE"
        + b"fmt "
        + struct.pack("<I", 16)
        + fmt
        + b"data"
        + struct.pack("<I", len(data))
        + data
    )


@pytest.mark.parametrize("fmt", ["text", "srt", "vtt"])
def test_text_formats_are_priced_from_the_audio_length(server, tmp_path, fmt):
    price = litegate.model_cost["whisper-1"]["input_cost_per_second"]
    path = tmp_path / "call.wav"
    path.write_bytes(_wav(2.5))
    resp = litegate.transcription(model="whisper-1", file=str(path), response_format=fmt, **_kw(server))
    if fmt == "text":  # from the WAV header
        assert resp._hidden_params["audio_transcription_duration"] == 2.5
        assert resp._hidden_params["response_cost"] == pytest.approx(2.5 * price)
    else:  # from the last cue of the subtitles (the fake's cue ends at size / 32000)
        seconds = round(path.stat().st_size / 32000, 3)
        assert resp._hidden_params["audio_transcription_duration"] == pytest.approx(seconds)
        assert resp._hidden_params["response_cost"] == pytest.approx(seconds * price)
    # not a WAV and no cues: unknown, not $0
    resp = litegate.transcription(
        model="whisper-1", file=("a.mp3", b"ID3" + b"\0" * 100, "audio/mpeg"), response_format="text", **_kw(server)
    )
    assert resp._hidden_params["response_cost"] is None


def test_completion_cost_of_audio_answers(server, tmp_path):
    path = tmp_path / "c.wav"
    path.write_bytes(_wav(4.0))
    text = litegate.transcription(model="whisper-1", file=str(path), response_format="text", **_kw(server))
    price = litegate.model_cost["whisper-1"]["input_cost_per_second"]
    assert litegate.completion_cost(completion_response=text) == pytest.approx(4.0 * price)
    verbose = litegate.transcription(model="whisper-1", file=str(path), response_format="verbose_json", **_kw(server))
    assert litegate.completion_cost(completion_response=verbose) == pytest.approx(verbose.duration * price)
    assert litegate.completion_cost(model="tts-1", call_type="speech", prompt="hello") == pytest.approx(
        5 * litegate.model_cost["tts-1"]["input_cost_per_character"]
    )


def test_compressed_binary_answers_are_decoded(client, server):
    import gzip

    audio = bytes(range(256)) * 100
    for _ in range(2):
        server.enqueue_raw(
            200, gzip.compress(audio), {"content-type": "audio/mpeg", "content-encoding": "gzip"}, path="/audio/speech"
        )
    assert client.speech("tts-1", "hi", "alloy", **_kw(server)).read() == audio
    assert client.speech("tts-1", "hi", "alloy", **_kw(server)).read() == audio


async def test_compressed_binary_answers_are_decoded_async(aclient, server):
    client = aclient
    import gzip

    audio = bytes(range(256)) * 100
    server.enqueue_raw(
        200, gzip.compress(audio), {"content-type": "audio/mpeg", "content-encoding": "gzip"}, path="/audio/speech"
    )
    resp = await client.aspeech("tts-1", "hi", "alloy", **_kw(server))
    assert await resp.aread() == audio
