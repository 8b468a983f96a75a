"""Response parsing: every documented /v2/chat answer and stream, embed and rerank answers, error
bodies, finish reasons and the stream decoder's strictness."""

from __future__ import annotations

import base64
import json
import struct

import pytest
from _cohere_helpers import (
    MODEL,
    PROVIDER,
    decode,
    example,
    json_answers,
    load,
    parse,
    response,
    sse_bytes,
    sse_events,
    sse_files,
    target,
)

import litegate
from litegate.core.call import build_embedding_call, build_rerank_call
from litegate.providers.cohere import CohereStreamDecoder
from litegate.types.streaming import stream_chunk_builder


def _texts(body: dict) -> str:
    return "".join(c["text"] for c in body["message"].get("content", []) if c["type"] == "text")


# ------------------------------------------------------------------ documented JSON answers


@pytest.mark.parametrize("name, request_body, body", json_answers(), ids=[a[0] for a in json_answers()])
def test_every_documented_answer_parses(name, request_body, body):
    resp = parse(body)
    msg = resp.choices[0].message
    assert resp.id == body["id"]
    assert resp.model == MODEL
    assert resp.object == "chat.completion"
    expected_text = (body["message"].get("tool_plan") or "") + _texts(body)
    assert msg.content == (expected_text or None)
    # usage: the tokens the model processed; the billed units beside them (the cost reads those)
    billed, tokens = body["usage"]["billed_units"], body["usage"]["tokens"]
    assert resp.usage.prompt_tokens == tokens["input_tokens"]
    assert resp.usage.completion_tokens == tokens["output_tokens"]
    assert resp.usage.total_tokens == tokens["input_tokens"] + tokens["output_tokens"]
    assert resp.usage.billed_units == {"input_tokens": billed["input_tokens"], "output_tokens": billed["output_tokens"]}
    expected_fr = {"COMPLETE": "stop", "TOOL_CALL": "tool_calls"}[body["finish_reason"]]
    assert resp.choices[0].finish_reason == expected_fr


def test_documented_plain_answer():
    body = example("v2_chat__00_default.json")["response"]["body"]
    resp = parse(body)
    assert resp.choices[0].message.content.startswith("LLMs stand for Large Language Models")
    assert resp.choices[0].message.role == "assistant"
    assert getattr(resp.choices[0].message, "tool_calls", None) is None


def test_documented_citations_are_kept():
    body = example("v2_chat__01_documents.json")["response"]["body"]
    msg = parse(body).choices[0].message
    assert msg.provider_specific_fields["citations"] == body["message"]["citations"]
    first = msg.provider_specific_fields["citations"][0]
    assert msg.content[first["start"] : first["end"]] == first["text"]


def test_documented_tool_calls_with_thinking():
    body = example("v2_chat__03_tools.json")["response"]["body"]
    resp = parse(body)
    msg = resp.choices[0].message
    assert msg.content is None
    assert msg.reasoning_content == body["message"]["content"][0]["thinking"]
    assert [(tc.id, tc.type, tc.function.name, tc.function.arguments) for tc in msg.tool_calls] == [
        ("query_daily_sales_report_hgxxmkby3wta", "function", "query_daily_sales_report", '{"day": "2023-09-29"}'),
        ("query_product_catalog_rpg0z5h8yyz2", "function", "query_product_catalog", '{"category": "Electronics"}'),
    ]
    assert resp.choices[0].finish_reason == "tool_calls"


def test_tool_plan_is_content_and_kept():
    body = {
        "id": "x",
        "finish_reason": "TOOL_CALL",
        "message": {
            "role": "assistant",
            "tool_plan": "I will check.",
            "tool_calls": [{"id": "t1", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
        },
        "usage": {"billed_units": {"input_tokens": 1, "output_tokens": 2}},
    }
    msg = parse(body).choices[0].message
    assert msg.content == "I will check."
    assert msg.provider_specific_fields == {"tool_plan": "I will check."}


def test_usage_falls_back_to_tokens_and_reads_cached_tokens():
    body = {
        "id": "x",
        "finish_reason": "COMPLETE",
        "message": {"role": "assistant", "content": []},
        "usage": {"tokens": {"input_tokens": 71.0, "output_tokens": 4.0}, "cached_tokens": 64},
    }
    usage = parse(body).usage
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (71, 4, 75)
    assert usage.prompt_tokens_details.cached_tokens == 64


def test_missing_usage_is_zero():
    usage = parse({"id": "x", "finish_reason": "COMPLETE", "message": {"role": "assistant"}}).usage
    assert (usage.prompt_tokens, usage.completion_tokens) == (0, 0)


@pytest.mark.parametrize(
    "reason, expected",
    [
        ("COMPLETE", "stop"),
        ("STOP_SEQUENCE", "stop"),
        ("MAX_TOKENS", "length"),
        ("TOOL_CALL", "stop"),
        ("SOMETHING_NEW", "stop"),
    ],
)
def test_finish_reasons(reason, expected):
    body = {
        "id": "x",
        "finish_reason": reason,
        "message": {"role": "assistant", "content": [{"type": "text", "text": "hi"}]},
    }
    assert parse(body).choices[0].finish_reason == expected  # TOOL_CALL without tool calls -> stop


@pytest.mark.parametrize("reason, exc", [("ERROR", litegate.InternalServerError), ("TIMEOUT", litegate.Timeout)])
def test_failed_generations_raise(reason, exc):
    body = {
        "id": "x",
        "finish_reason": reason,
        "message": {"role": "assistant", "content": [{"type": "text", "text": "par"}]},
    }
    with pytest.raises(exc, match="incomplete") as info:
        parse(body)
    assert litegate.core.errors.is_retryable(info.value)


def test_logprobs():
    body = {
        "id": "x",
        "finish_reason": "COMPLETE",
        "message": {"role": "assistant", "content": [{"type": "text", "text": "Hi there"}]},
        "logprobs": [
            {"text": "Hi", "token_ids": [1], "logprobs": [-0.5]},
            {"text": " there", "token_ids": [2, 3], "logprobs": [-0.25, -0.25]},
        ],
    }
    lp = parse(body, logprobs=True).choices[0].logprobs
    assert [(c.token, c.logprob, c.bytes) for c in lp.content] == [
        ("Hi", -0.5, [72, 105]),
        (" there", -0.5, list(b" there")),
    ]


def test_error_body_with_a_success_status_raises():
    with pytest.raises(litegate.APIError, match="something broke"):
        parse({"id": "e1", "message": "something broke"})


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b'{"id": "x"}', b'{"finish_reason": "COMPLETE"}'])
def test_unusable_bodies_are_validation_errors(raw):
    with pytest.raises(litegate.APIResponseValidationError):
        PROVIDER.parse_chat(
            response(raw),
            litegate.core.call.build_chat_call("cohere/" + MODEL, [{"role": "user", "content": "x"}], {}),
            target(),
        )


# ------------------------------------------------------------------ documented streams


def test_sse_files_hold_the_documented_streams():
    for name in sse_files():
        documented = example(name.replace(".sse", ".json"))["response"]["stream"]
        assert sse_events(sse_bytes(name)) == [(e["event"], e["data"]) for e in documented]


@pytest.mark.parametrize("name", sse_files())
def test_every_documented_stream_decodes(name):
    documented = [e["data"] for e in example(name.replace(".sse", ".json"))["response"]["stream"]]
    chunks = decode(sse_bytes(name))
    first, last = chunks[0], chunks[-1]
    assert first.choices[0].delta.role == "assistant"
    assert first.id == documented[0]["id"]
    assert all(c.id == first.id for c in chunks)
    end = documented[-1]["delta"]
    assert last.choices[0].finish_reason == {"COMPLETE": "stop", "TOOL_CALL": "tool_calls"}[end["finish_reason"]]
    assert last.usage.prompt_tokens == int(end["usage"]["tokens"]["input_tokens"])
    assert last.usage.completion_tokens == int(end["usage"]["tokens"]["output_tokens"])
    assert last.usage.billed_units["input_tokens"] == int(end["usage"]["billed_units"]["input_tokens"])
    text = "".join(
        e["delta"]["message"].get("tool_plan", "")
        if e["type"] == "tool-plan-delta"
        else e["delta"]["message"]["content"]["text"]
        for e in documented
        if e["type"] in ("content-delta", "tool-plan-delta")
    )
    rebuilt = stream_chunk_builder(chunks)
    assert rebuilt.choices[0].message.content == text
    assert rebuilt.usage.total_tokens == last.usage.total_tokens


def test_documented_tool_stream():
    chunks = decode(sse_bytes("v2_chat__06_tools.sse"))
    rebuilt = stream_chunk_builder(chunks)
    msg = rebuilt.choices[0].message
    assert msg.content.startswith("I will use the query_daily_sales_report tool")
    assert msg.provider_specific_fields["tool_plan"] == msg.content
    assert [(tc.id, tc.function.name, tc.function.arguments) for tc in msg.tool_calls] == [
        ("query_daily_sales_report_j3f0adww9pmr", "query_daily_sales_report", '{"day": "2023-09-29"}'),
        ("query_product_catalog_c66nf11r6s8g", "query_product_catalog", '{"category": "Electronics"}'),
    ]
    assert rebuilt.choices[0].finish_reason == "tool_calls"
    # arguments arrive as fragments, each naming its call's OpenAI index
    fragments = [tc for c in chunks for tc in (c.choices[0].delta.tool_calls or [])]
    assert [f.index for f in fragments if f.id] == [0, 1]
    assert len([f for f in fragments if not f.id]) == 22


def test_documented_citation_stream():
    documented = [e["data"] for e in example("v2_chat__05_documents.json")["response"]["stream"]]
    citations = [e["delta"]["message"]["citations"] for e in documented if e["type"] == "citation-start"]
    rebuilt = stream_chunk_builder(decode(sse_bytes("v2_chat__05_documents.sse")))
    assert rebuilt.choices[0].message.provider_specific_fields["citations"] == citations
    assert rebuilt.choices[0].message.content == "Both Nsync and Backstreet Boys were"


def _args_delta(fragment: str) -> dict:
    return {
        "type": "tool-call-delta",
        "index": 0,
        "delta": {"message": {"tool_calls": {"function": {"arguments": fragment}}}},
    }


def test_stream_rebuilds_the_same_message_as_json():
    """A JSON answer and the stream of the same answer rebuild to the same message."""
    body = {
        "id": "r1",
        "finish_reason": "TOOL_CALL",
        "message": {
            "role": "assistant",
            "tool_plan": "I will look it up.",
            "content": [{"type": "thinking", "thinking": "Need weather."}],
            "tool_calls": [
                {
                    "id": "get_weather_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"location": "Oslo"}'},
                }
            ],
        },
        "usage": {"billed_units": {"input_tokens": 9, "output_tokens": 12}},
    }
    events = [
        {"type": "message-start", "id": "r1", "delta": {"message": {"role": "assistant"}}},
        {"type": "content-start", "index": 0, "delta": {"message": {"content": {"type": "thinking", "thinking": ""}}}},
        {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"thinking": "Need "}}}},
        {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"thinking": "weather."}}}},
        {"type": "content-end", "index": 0},
        {"type": "tool-plan-delta", "delta": {"message": {"tool_plan": "I will"}}},
        {"type": "tool-plan-delta", "delta": {"message": {"tool_plan": " look it up."}}},
        {
            "type": "tool-call-start",
            "index": 0,
            "delta": {
                "message": {
                    "tool_calls": {
                        "id": "get_weather_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": ""},
                    }
                }
            },
        },
        _args_delta('{"location": '),
        _args_delta('"Oslo"}'),
        {"type": "tool-call-end", "index": 0},
        {"type": "message-end", "delta": {"finish_reason": "TOOL_CALL", "usage": body["usage"]}},
    ]
    raw = b"".join(b"event: %s\ndata: %s\n\n" % (e["type"].encode(), json.dumps(e).encode()) for e in events)
    streamed = stream_chunk_builder(decode(raw)).choices[0].message.model_dump()
    whole = parse(body).choices[0].message.model_dump()
    assert streamed == whole


def _raw(*events) -> bytes:
    return b"".join(b"event: %s\ndata: %s\n\n" % (e.get("type", "x").encode(), json.dumps(e).encode()) for e in events)


START = {"type": "message-start", "id": "s1", "delta": {"message": {"role": "assistant"}}}
TEXT = {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": "Hello"}}}}
END = {
    "type": "message-end",
    "delta": {"finish_reason": "COMPLETE", "usage": {"billed_units": {"input_tokens": 3, "output_tokens": 1}}},
}


def test_usage_only_with_include_usage():
    chunks = decode(_raw(START, TEXT, END), include_usage=False)
    assert "usage" not in chunks[-1].model_dump(exclude_none=True) or not chunks[-1].usage
    assert decode(_raw(START, TEXT, END))[-1].usage.prompt_tokens == 3


def test_done_terminator_debug_and_unknown_events_are_ignored():
    raw = _raw(START, {"type": "debug", "prompt": "..."}, TEXT, {"type": "some-new-event"}, END) + b"data: [DONE]\n\n"
    chunks = decode(raw)
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "Hello"


def test_events_after_message_end_are_ignored():
    chunks = decode(_raw(START, TEXT, END, TEXT))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "Hello"


def test_stream_without_message_end_is_an_error():
    with pytest.raises(litegate.APIConnectionError, match="message-end"):
        decode(_raw(START, TEXT))


def test_malformed_event_is_a_validation_error():
    with pytest.raises(litegate.APIResponseValidationError, match="malformed"):
        decode(_raw(START) + b"event: content-delta\ndata: {not json\n\n" + _raw(END))


@pytest.mark.parametrize("reason, exc", [("ERROR", litegate.InternalServerError), ("TIMEOUT", litegate.Timeout)])
def test_failed_message_end_raises_after_the_chunks_before_it(reason, exc):
    raw = _raw(START, TEXT, {"type": "message-end", "delta": {"finish_reason": reason, "error": "model crashed"}})
    dec = CohereStreamDecoder(MODEL)
    chunks = dec.feed(raw)
    assert [c.choices[0].delta.content for c in chunks] == ["", "Hello"]
    with pytest.raises(exc, match="model crashed"):
        dec.finish()


def test_error_event_is_mapped():
    with pytest.raises(litegate.RateLimitError):
        decode(_raw(START, {"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}}))


def test_stream_logprobs():
    ev = dict(TEXT, logprobs={"text": "Hello", "token_ids": [5], "logprobs": [-0.1]})
    chunk = decode(_raw(START, ev, END))[1]
    assert chunk.choices[0].logprobs.content[0].token == "Hello"
    assert chunk.choices[0].logprobs.content[0].logprob == -0.1


# ------------------------------------------------------------------ embeddings


def _embed_call(model="embed-v4.0", input="hello", **kw):
    return build_embedding_call("cohere/" + model, input, kw)


def test_documented_embed_texts_answer():
    ex = example("v2_embed__00_texts.json")
    body = ex["response"]["body"]
    resp = PROVIDER.parse_embedding(response(body), _embed_call(input=ex["request"]["texts"]), target("embed-v4.0"))
    assert [d.index for d in resp.data] == [0, 1]
    assert resp.data[0].embedding == body["embeddings"]["float"][0]
    assert resp.usage.prompt_tokens == 2 and resp.usage.total_tokens == 2
    assert resp.model == "embed-v4.0"


def test_documented_embed_images_answer():
    ex = example("v2_embed__01_images.json")
    body = ex["response"]["body"]
    resp = PROVIDER.parse_embedding(response(body), _embed_call(input=ex["request"]["images"]), target("embed-v4.0"))
    assert len(resp.data) == 1 and len(resp.data[0].embedding) == 1024
    assert resp.usage.prompt_tokens == 0  # billed in images, not tokens


def test_base64_answer_is_returned_as_is_and_floats_are_encoded_when_needed():
    vec = [0.5, -0.25]
    b64 = base64.b64encode(struct.pack("<2f", *vec)).decode()
    call = _embed_call(encoding_format="base64")
    got = PROVIDER.parse_embedding(response({"id": "e", "embeddings": {"base64": [b64]}}), call, target())
    assert got.data[0].embedding == b64
    got = PROVIDER.parse_embedding(response({"id": "e", "embeddings": {"float": [vec]}}), call, target())
    assert got.data[0].embedding == b64


def test_requested_embedding_type_is_returned():
    call = _embed_call(embedding_types=["int8"])
    body = {"id": "e", "embeddings": {"int8": [[1, -2]], "float": [[0.1, 0.2]]}}
    assert PROVIDER.parse_embedding(response(body), call, target()).data[0].embedding == [1, -2]


def test_embeddings_floats_shape_and_bad_bodies():
    got = PROVIDER.parse_embedding(response({"id": "e", "embeddings": [[0.1, 0.2]]}), _embed_call(), target())
    assert got.data[0].embedding == [0.1, 0.2]
    with pytest.raises(litegate.APIResponseValidationError):
        PROVIDER.parse_embedding(response({"id": "e", "embeddings": {"int8": [[1]]}}), _embed_call(), target())
    with pytest.raises(litegate.APIError, match="invalid api token"):
        PROVIDER.parse_embedding(response({"id": "e", "message": "invalid api token"}), _embed_call(), target())


# ------------------------------------------------------------------ rerank


def _rerank_call(documents, **kw):
    return build_rerank_call("cohere/rerank-v3.5", "What is the capital of the United States?", documents, kw)


def test_documented_rerank_answer_maps_back_to_the_original_documents():
    ex = example("v2_rerank__00_cohere_typescript_sdk.json")
    docs = ex["request"]["documents"]
    body = ex["response"]["body"]
    got = PROVIDER.parse_rerank(response(body), _rerank_call(docs, top_n=3), target("rerank-v3.5"))
    assert got.id == body["id"]
    assert [(r.index, r.relevance_score) for r in got.results] == [(3, 0.999071), (4, 0.7867867), (0, 0.32713068)]
    assert [r.document for r in got.results] == [{"text": docs[3]}, {"text": docs[4]}, {"text": docs[0]}]
    assert got.meta == body["meta"]


def test_rerank_dict_documents_come_back_unchanged():
    docs = [{"id": "a", "text": "x", "extra": [1, 2]}, {"id": "b", "text": "y"}]
    body = {"id": "r", "results": [{"index": 1, "relevance_score": 0.2}, {"index": 0, "relevance_score": 0.9}]}
    got = PROVIDER.parse_rerank(response(body), _rerank_call(docs), target())
    assert [r.document for r in got.results] == [docs[0], docs[1]]  # sorted by score, originals
    got = PROVIDER.parse_rerank(response(body), _rerank_call(docs, return_documents=False), target())
    assert [r.document for r in got.results] == [None, None]


@pytest.mark.parametrize(
    "result", [{"index": 5, "relevance_score": 0.1}, {"index": "0", "relevance_score": 0.1}, {"index": 0}]
)
def test_rerank_bad_results_are_validation_errors(result):
    with pytest.raises(litegate.APIResponseValidationError):
        PROVIDER.parse_rerank(response({"id": "r", "results": [result]}), _rerank_call(["a", "b"]), target())


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    "name, exc",
    [
        ("400_bad_request.json", litegate.BadRequestError),
        ("401_unauthorized.json", litegate.AuthenticationError),
        ("429_too_many_requests.json", litegate.RateLimitError),
    ],
)
def test_documented_error_bodies(name, exc):
    fx = load("errors/" + name)
    err = PROVIDER.error(response(fx["body"], fx["status"], fx["headers"]), target())
    assert type(err) is exc
    assert fx["body"]["message"][:80] in str(err)
    assert err.llm_provider == "cohere" and err.model == MODEL
    assert err.response.status_code == fx["status"]


@pytest.mark.parametrize(
    "status, message, exc",
    [
        (
            400,
            "too many tokens: size limit exceeded by 11326 tokens. Try using shorter or fewer inputs, or setting "
            "prompt_truncation='AUTO'.",
            litegate.ContextWindowExceededError,
        ),
        (401, "no api key supplied", litegate.AuthenticationError),
        (
            402,
            "Please add or update your payment method at https://dashboard.cohere.com/billing?tab=payment to continue",
            litegate.BadRequestError,
        ),
        (
            404,
            "model 'xyz' not found, make sure the correct model ID was used and that you have access to the model.",
            litegate.NotFoundError,
        ),
        (422, "invalid request", litegate.UnprocessableEntityError),
        (
            498,
            "This error is returned when a request or response contains a deny-listed token.",
            litegate.BadRequestError,
        ),
        (500, "internal server error", litegate.InternalServerError),
        (503, "service unavailable", litegate.ServiceUnavailableError),
        (504, "gateway timeout", litegate.Timeout),
    ],
)
def test_status_mapping(status, message, exc):
    err = PROVIDER.error(response({"id": "e", "message": message}, status), target())
    assert isinstance(err, exc)
    assert message[:40] in str(err)


def test_499_request_cancelled_is_a_plain_api_error():
    err = PROVIDER.error(response({"id": "e", "message": "request cancelled"}, 499), target())
    assert type(err) is litegate.APIError
    assert err.status_code == 499
    assert "request cancelled" in str(err)


def test_response_headers_kept():
    resp = response(
        {},
        headers={
            "x-debug-trace-id": "abc",
            "x-api-warning": "deprecated",
            "retry-after": "2",
            "x-trial-endpoint-call-remaining": "9",
            "content-type": "application/json",
        },
    )
    assert PROVIDER.response_headers(resp) == {
        "x-debug-trace-id": "abc",
        "x-api-warning": "deprecated",
        "retry-after": "2",
        "x-trial-endpoint-call-remaining": "9",
    }
