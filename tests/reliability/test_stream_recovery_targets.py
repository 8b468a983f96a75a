"""Mid-stream recovery (issue 9, ``stream_recovery``): which target continues a broken stream.

The table's rows 8-10 and 14 let ``openai/backup`` continue (named in ``assistant_prefill_models``).
These tests cover the rest of the contract: the same model is asked first when it takes a prefill;
a model the registry marks ``supports_assistant_prefill`` (``anthropic/claude-sonnet-4-5``, on the
fake Anthropic server) continues without being named; no target that takes a prefill means the
typed error stands, with no further request.
"""

from __future__ import annotations

import pytest
from _failover_helpers import BACKUP, CONTINUATION, MSGS, PRIMARY, models, prefill_of, text_of, token_events

import litegate
from litegate.testing import FakeAnthropicServer

ANTHROPIC = "anthropic/claude-sonnet-4-5"
ANT_KEY = "sk-ant-reliability-000000000000"


def test_the_same_model_is_asked_first_when_it_takes_a_prefill(drive, server):
    server.enqueue_stream(token_events(60), cut_after=40, terminate=False)
    server.enqueue_reply(CONTINUATION)
    out = drive.call(
        True, fallbacks=[BACKUP], timeout=2.0, stream_recovery=True, assistant_prefill_models=[PRIMARY, BACKUP]
    )
    assert out.error is None, f"{out!r} after {models(server)}"
    assert out.text == text_of(40) + CONTINUATION
    assert models(server) == ["primary", "primary"]
    assert prefill_of(server.requests[-1]) == {"role": "assistant", "content": text_of(40)}
    info = out.hidden["stream_recovery"]
    assert info["recovered"] is True and info["model"] in ("primary", PRIMARY)
    assert info["delivered_chunks"] == 40


def test_no_target_that_takes_a_prefill_leaves_the_typed_error(drive, server):
    server.enqueue_stream(token_events(60), cut_after=40, terminate=False)
    out = drive.call(True, fallbacks=[BACKUP], timeout=2.0, stream_recovery=True)
    assert isinstance(out.error, litegate.APIConnectionError), out
    assert out.raised_at == "iteration" and out.text == text_of(40)
    assert models(server) == ["primary"], "nobody to continue: no further request"


def test_a_recovered_stream_reports_once_with_the_whole_answer_and_both_parts_usage(drive, server):
    """Callbacks fire once, for the whole answer (no failure callback for the break); the usage adds
    up both parts (the continuation's own usage, plus the delivered part)."""
    successes, failures = [], []
    litegate.success_callback = [lambda kw, resp, start, end: successes.append(resp)]
    litegate.failure_callback = [lambda kw, resp, start, end: failures.append(resp)]
    server.enqueue_stream(token_events(60), cut_after=40, terminate=False)
    server.enqueue_reply(CONTINUATION, usage={"prompt_tokens": 90, "completion_tokens": 7, "total_tokens": 97})
    out = drive.call(
        True,
        fallbacks=[BACKUP],
        timeout=2.0,
        stream_recovery=True,
        assistant_prefill_models=[BACKUP],
        stream_options={"include_usage": True},
    )
    drive.settle()
    assert out.error is None, out
    assert out.text == text_of(40) + CONTINUATION
    assert len(successes) == 1 and failures == [], (successes, failures)
    assert successes[0].choices[0].message.content == text_of(40) + CONTINUATION
    usage = out.hidden.get("usage") or {}
    assert usage.get("completion_tokens", 0) > 7, f"only the continuation's usage: {usage}"
    assert usage.get("prompt_tokens", 0) >= 90


@pytest.fixture
def anthropic_server():
    with FakeAnthropicServer() as srv:
        yield srv


def _anthropic_fallback(srv):
    return {"model": ANTHROPIC, "api_base": srv.base_url, "api_key": ANT_KEY}


@pytest.mark.parametrize("tokens", ["leading_space", "trailing_space"])
def test_a_registry_prefill_model_continues_on_another_provider(drive, server, anthropic_server, tokens):
    """``claude-sonnet-4-5`` supports assistant prefill in the model registry: it continues the
    cut OpenAI stream without being named. Tokens that end in a space (``"w39 "``) make a prefill
    ending in whitespace, which the Anthropic API refuses with a 400; recovery has to send the
    delivered text in a form the target accepts."""
    if tokens == "leading_space":
        events = [dict(e) for e in token_events(60)]
        for i, e in enumerate(events):
            e["choices"] = [dict(e["choices"][0], delta=dict(e["choices"][0]["delta"], content=f" w{i:02d}"))]
        delivered = "".join(f" w{i:02d}" for i in range(40))
    else:
        events = token_events(60)
        delivered = text_of(40)
    server.enqueue_stream(events, cut_after=40, terminate=False)
    anthropic_server.enqueue_reply(CONTINUATION)
    out = drive.call(True, fallbacks=[_anthropic_fallback(anthropic_server)], timeout=2.0, stream_recovery=True)
    assert models(server) == ["primary"]
    assert anthropic_server.hits("/v1/messages") == 1, "the registry's prefill model must be asked to continue"
    sent = anthropic_server.requests[-1].json
    last = sent["messages"][-1]
    assert last["role"] == "assistant"
    text = last["content"] if isinstance(last["content"], str) else "".join(b.get("text", "") for b in last["content"])
    assert delivered.startswith(text) and text.strip() == delivered.strip(), text
    assert out.error is None, (
        f"{out!r}: the continuation request was refused (the Anthropic API answers 400 to a "
        f"final assistant turn ending in whitespace; the prefill sent was {text[-12:]!r})"
    )
    assert out.text == delivered + CONTINUATION, "the caller's text is the delivered text, then the continuation"
    assert not text[-1:].isspace(), "Anthropic refuses a prefill ending in whitespace"
    info = out.hidden["stream_recovery"]
    assert info["recovered"] is True and info["model"] in ("claude-sonnet-4-5", ANTHROPIC)
    assert [m["content"] for m in sent["messages"][:-1]] in (
        [MSGS[0]["content"]],
        [[{"type": "text", "text": MSGS[0]["content"]}]],
    )
