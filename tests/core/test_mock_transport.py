"""MockTransport answers: streamed chunks, including an exception that cuts the stream."""

from __future__ import annotations

import asyncio

import pytest
from _core_helpers import KEY, user_messages

import litegate

_CHUNK = (
    b'data: {"id":"s","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,'
    b'"delta":{"content":"half"},"finish_reason":null}]}\n\n'
)


def _cut_stream(request):
    return litegate.MockResponse(
        200,
        headers={"content-type": "text/event-stream"},
        chunks=[_CHUNK, litegate.APIConnectionError(message="connection cut")],
    )


def test_mock_response_with_an_exception_among_its_chunks():
    resp = litegate.MockResponse(200, chunks=[_CHUNK, litegate.APIConnectionError(message="cut")])
    assert resp.content == _CHUNK  # the body of a non-stream read: the bytes pieces only


def test_mock_stream_cut_by_an_exception_chunk():
    client = litegate.Client(api_key=KEY, transport=litegate.MockTransport(_cut_stream))
    stream = client.completion("gpt-4o-mini", user_messages(), stream=True)
    assert next(stream).choices[0].delta.content == "half"
    with pytest.raises(litegate.APIConnectionError, match="connection cut"):
        next(stream)


def test_mock_stream_cut_by_an_exception_chunk_async():
    client = litegate.Client(api_key=KEY, transport=litegate.MockTransport(_cut_stream))

    async def go():
        stream = await client.acompletion("gpt-4o-mini", user_messages(), stream=True)
        first = await stream.__anext__()
        with pytest.raises(litegate.APIConnectionError, match="connection cut"):
            await stream.__anext__()
        return first

    assert asyncio.run(go()).choices[0].delta.content == "half"
