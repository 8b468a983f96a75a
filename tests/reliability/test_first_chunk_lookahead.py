"""Streams are decided inside ``completion()`` / ``acompletion()`` up to their first chunk (issue 9:
errors before any content retry or fall back; ``stream_first_token_timeout``). Reading that first
chunk ahead must not take it away from anyone: the caller iterates it, and the success callbacks'
rebuilt response holds its content - also when the provider's first chunk carries text, as
Gemini's always does and OpenAI-compatible servers often do."""

from __future__ import annotations

import pytest
from _failover_helpers import BACKUP, chunk, text_of, token_events

import litegate
from litegate.testing import FakeGeminiServer


@pytest.mark.parametrize("fallbacks", [None, [BACKUP]], ids=["no_fallback", "fallback"])
def test_the_first_chunks_text_reaches_the_callbacks(drive, server, fallbacks):
    seen = []
    litegate.success_callback = [lambda kw, resp, start, end: seen.append(resp.choices[0].message.content)]
    server.enqueue_stream(token_events(5) + [chunk(finish="stop")])
    kw = {"fallbacks": fallbacks} if fallbacks else {}
    out = drive.call(True, **kw)
    drive.settle()
    assert out.error is None and out.text == text_of(5)
    assert seen == [text_of(5)], "the callback's response lost the first chunk read ahead"


def test_a_gemini_stream_reaches_the_callbacks_whole(drive):
    seen = []
    litegate.success_callback = [lambda kw, resp, start, end: seen.append(resp.choices[0].message.content)]
    with FakeGeminiServer() as gemini:
        out = drive.call(
            True,
            model="gemini/gemini-2.0-flash",
            server=gemini,
            api_key="AIza-reliability-0000000000",
            messages=[{"role": "user", "content": "hello there friend"}],
        )
        drive.settle()
    assert out.error is None and out.text == "This is a fake reply to: hello there friend"
    assert seen == [out.text], "the callback's response lost the first chunk read ahead"
