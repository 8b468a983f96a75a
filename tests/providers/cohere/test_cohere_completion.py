"""litegate.completion / acompletion / embedding / rerank on the Cohere route, end to end against
FakeCohereServer over real sockets: what is sent, what comes back, tool loops, RAG citations,
errors, retries and stream faults."""

from __future__ import annotations

import asyncio
import base64
import json
import struct

import pytest
from _cohere_helpers import KEY, PNG_B64, TIME, WEATHER

import litegate
from litegate.testing.cohere_server import rerank_scores
from litegate.types.rerank import RerankResponse
from litegate.types.streaming import stream_chunk_builder

MODEL = "cohere/command-r-plus-08-2024"


def _call(srv, **kw):
    kw.setdefault("api_key", KEY)
    kw.setdefault("api_base", srv.url)
    kw.setdefault("messages", [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello there"}])
    return litegate.completion(kw.pop("model", MODEL), **kw)


async def _acall(srv, **kw):
    kw.setdefault("api_key", KEY)
    kw.setdefault("api_base", srv.url)
    kw.setdefault("messages", [{"role": "user", "content": "Hello there"}])
    return await litegate.acompletion(kw.pop("model", MODEL), **kw)


def _user(text):
    return [{"role": "user", "content": text}]


# --------------------------------------------------------------------------------- plain calls


def test_sync_completion_request_and_response(cohere_server):
    resp = _call(cohere_server, temperature=0.3, max_tokens=300, stop=["END"], seed=1)
    req = cohere_server.last_request
    assert req.method == "POST" and req.path == "/v2/chat"
    assert req.header("authorization") == "Bearer " + KEY
    assert req.header("content-type") == "application/json"
    assert req.json == {
        "model": "command-r-plus-08-2024",
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello there"}],
        "temperature": 0.3,
        "max_tokens": 300,
        "stop_sequences": ["END"],
        "seed": 1,
        "stream": False,
    }
    assert isinstance(resp, litegate.ModelResponse)
    assert resp.choices[0].message.content == "This is a fake reply to: Hello there"
    assert resp.choices[0].finish_reason == "stop"
    assert resp.model == "command-r-plus-08-2024"
    # the tokens the model processed (its preamble included), and the billed units the cost uses
    assert resp.usage.prompt_tokens > resp.usage.billed_units["input_tokens"] > 0
    assert resp.usage.billed_units["output_tokens"] == 8
    info = litegate.get_model_info("cohere/command-r-plus-08-2024")
    assert resp._hidden_params["response_cost"] == pytest.approx(
        resp.usage.billed_units["input_tokens"] * info["input_cost_per_token"]
        + resp.usage.billed_units["output_tokens"] * info["output_cost_per_token"]
    )
    assert resp._hidden_params["custom_llm_provider"] == "cohere"
    assert resp._hidden_params["api_base"] == cohere_server.url
    assert resp._hidden_params["additional_headers"]["x-debug-trace-id"]


def test_bare_command_name_with_env_key_and_base(cohere_server, monkeypatch):
    monkeypatch.setenv("COHERE_API_KEY", KEY)
    monkeypatch.setenv("COHERE_API_BASE", cohere_server.url)
    resp = litegate.completion("command-r", messages=_user("hi"))
    assert resp.choices[0].message.content == "This is a fake reply to: hi"
    assert cohere_server.last_request.json["model"] == "command-r"


def test_co_api_key_env_and_module_setting(cohere_server, monkeypatch):
    monkeypatch.setenv("CO_API_KEY", KEY)
    litegate.completion(MODEL, messages=_user("a"), api_base=cohere_server.url)
    monkeypatch.delenv("CO_API_KEY")
    litegate.cohere_key = KEY
    litegate.completion(MODEL, messages=_user("b"), api_base=cohere_server.url)
    assert [r.header("authorization") for r in cohere_server.requests] == ["Bearer " + KEY] * 2


async def test_async_completion(cohere_server):
    cohere_server.enqueue_reply("Async hello.", usage={"billed_units": {"input_tokens": 12, "output_tokens": 3}})
    resp = await _acall(cohere_server)
    assert resp.choices[0].message.content == "Async hello."
    assert (resp.usage.prompt_tokens, resp.usage.completion_tokens) == (12, 3)


async def test_async_calls_in_parallel(cohere_server):
    results = await asyncio.gather(*[_acall(cohere_server, messages=_user(f"q{i}")) for i in range(8)])
    assert sorted(r.choices[0].message.content for r in results) == sorted(
        f"This is a fake reply to: q{i}" for i in range(8)
    )


def test_max_tokens_and_stop_sequence_finish_reasons(cohere_server):
    resp = _call(cohere_server, messages=_user("tell me a long story please"), max_tokens=3)
    assert resp.choices[0].finish_reason == "length"
    assert resp.choices[0].message.content == "This is a"
    resp = _call(cohere_server, messages=_user("tell me a story"), stop="fake")
    assert resp.choices[0].finish_reason == "stop"
    assert resp.choices[0].message.content == "This is a "


def test_json_mode_and_schema(cohere_server):
    resp = _call(cohere_server, messages=_user("Give me JSON"), response_format={"type": "json_object"})
    assert json.loads(resp.choices[0].message.content) == {"reply": "Give me JSON"}
    schema = {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}}
    resp = _call(
        cohere_server,
        messages=_user("A person"),
        response_format={"type": "json_schema", "json_schema": {"name": "p", "schema": schema}},
    )
    assert json.loads(resp.choices[0].message.content) == {"name": "name_value", "age": 1}
    assert cohere_server.last_request.json["response_format"] == {"type": "json_object", "json_schema": schema}


def test_image_input(cohere_server):
    image = {"type": "image_url", "image_url": {"url": "data:image/png;base64," + PNG_B64}}
    msgs = [{"role": "user", "content": [{"type": "text", "text": "Describe this image"}, image]}]
    resp = _call(cohere_server, model="cohere/command-a-vision-07-2025", messages=msgs)
    assert resp.choices[0].message.content == "This is a fake reply to: Describe this image"
    sent = cohere_server.last_request.json["messages"][0]["content"][1]
    assert sent == {"type": "image_url", "image_url": {"url": "data:image/png;base64," + PNG_B64}}


def test_rag_documents_and_citations(cohere_server):
    docs = [{"id": "d1", "data": {"title": "Tall penguins", "snippet": "Emperor penguins are the tallest."}}]
    resp = _call(cohere_server, messages=_user("Which penguins are tallest?"), documents=docs)
    cites = resp.choices[0].message.provider_specific_fields["citations"]
    assert cites[0]["sources"][0]["id"] == "d1"
    assert cohere_server.last_request.json["documents"] == docs
    chunks = list(_call(cohere_server, messages=_user("Which penguins are tallest?"), documents=docs, stream=True))
    assert stream_chunk_builder(chunks).choices[0].message.provider_specific_fields["citations"] == cites


def test_reasoning_effort_gives_reasoning_content(cohere_server):
    resp = _call(
        cohere_server,
        model="cohere/command-a-reasoning-08-2025",
        messages=_user("Think about it"),
        reasoning_effort="low",
    )
    assert cohere_server.last_request.json["thinking"] == {"type": "enabled", "token_budget": 1024}
    assert resp.choices[0].message.reasoning_content.startswith("The user asks: Think about it")
    assert resp.choices[0].message.content == "This is a fake reply to: Think about it"


def test_unsupported_params_and_drop_params(cohere_server):
    with pytest.raises(litegate.UnsupportedParamsError, match="logit_bias"):
        _call(cohere_server, logit_bias={"1": 1})
    assert cohere_server.hits() == 0
    _call(cohere_server, logit_bias={"1": 1}, drop_params=True)
    litegate.drop_params = True
    _call(cohere_server, user="u1")
    assert all("logit_bias" not in r.json and "user" not in r.json for r in cohere_server.requests)


# --------------------------------------------------------------------------------- streaming


def test_stream_sync(cohere_server):
    stream = _call(cohere_server, stream=True, stream_options={"include_usage": True})
    chunks = list(stream)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "This is a fake reply to: Hello there"
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].usage.billed_units["output_tokens"] == 8
    assert chunks[-1].usage.completion_tokens >= 8  # processed tokens
    assert cohere_server.last_request.json["stream"] is True
    whole = _call(cohere_server)
    rebuilt = stream_chunk_builder(chunks)
    assert rebuilt.choices[0].message.content == whole.choices[0].message.content
    assert rebuilt.usage.total_tokens == whole.usage.total_tokens


async def test_stream_async(cohere_server):
    stream = await _acall(cohere_server, stream=True)
    texts = [c.choices[0].delta.content or "" async for c in stream]
    assert "".join(texts) == "This is a fake reply to: Hello there"


def test_stream_with_done_terminator(cohere_server):
    cohere_server.done_terminator = True
    chunks = list(_call(cohere_server, stream=True))
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_streamed_custom_events(cohere_server):
    cohere_server.enqueue_stream(
        [
            {"type": "message-start", "id": "m1", "delta": {"message": {"role": "assistant"}}},
            {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": "Hi"}}}},
        ]
    )  # terminate=True appends a message-end
    chunks = list(_call(cohere_server, stream=True))
    assert [c.choices[0].delta.content for c in chunks[:2]] == ["", "Hi"]
    assert chunks[0].id == "m1"


# --------------------------------------------------------------------------------- tools


def test_tool_call_round_trip(cohere_server):
    msgs = _user("What is the weather in Paris?")
    resp = _call(cohere_server, messages=msgs, tools=[WEATHER, TIME])
    choice = resp.choices[0]
    assert choice.finish_reason == "tool_calls"
    call = choice.message.tool_calls[0]
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"location": "San Francisco, CA"}
    assert choice.message.content == "I will use the get_weather tool to answer."
    msgs = msgs + [choice.message, {"role": "tool", "tool_call_id": call.id, "content": json.dumps({"temp_c": 21})}]
    final = _call(cohere_server, messages=msgs, tools=[WEATHER, TIME])
    assert final.choices[0].message.content == 'According to the tool results: {"temp_c": 21}'
    sent = cohere_server.last_request.json["messages"]
    assert sent[1] == {
        "role": "assistant",
        "tool_plan": "I will use the get_weather tool to answer.",
        "tool_calls": [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": "get_weather", "arguments": call.function.arguments},
            }
        ],
    }
    assert sent[2] == {
        "role": "tool",
        "tool_call_id": call.id,
        "content": [{"type": "document", "document": {"data": '{"temp_c": 21}'}}],
    }


def test_parallel_tool_calls(cohere_server):
    resp = _call(cohere_server, messages=_user("call get_weather and get_time for Oslo"), tools=[WEATHER, TIME])
    calls = resp.choices[0].message.tool_calls
    assert [c.function.name for c in calls] == ["get_weather", "get_time"]
    msgs = (
        _user("call get_weather and get_time for Oslo")
        + [resp.choices[0].message]
        + [{"role": "tool", "tool_call_id": c.id, "content": f"{c.function.name} ok"} for c in calls]
    )
    final = _call(cohere_server, messages=msgs, tools=[WEATHER, TIME])
    assert final.choices[0].message.content == "According to the tool results: get_weather ok get_time ok"


def test_tool_choice_required_none_and_named(cohere_server):
    resp = _call(cohere_server, messages=_user("hello"), tools=[WEATHER, TIME], tool_choice="required")
    assert resp.choices[0].message.tool_calls[0].function.name == "get_weather"
    assert cohere_server.last_request.json["tool_choice"] == "REQUIRED"
    resp = _call(cohere_server, messages=_user("weather in Oslo?"), tools=[WEATHER], tool_choice="none")
    assert resp.choices[0].message.tool_calls is None
    assert cohere_server.last_request.json["tool_choice"] == "NONE"
    resp = _call(
        cohere_server,
        messages=_user("hello"),
        tools=[WEATHER, TIME],
        tool_choice={"type": "function", "function": {"name": "get_time"}},
    )
    assert [c.function.name for c in resp.choices[0].message.tool_calls] == ["get_time"]
    assert [t["function"]["name"] for t in cohere_server.last_request.json["tools"]] == ["get_time"]


def test_streamed_tool_call_arguments_arrive_as_fragments(cohere_server):
    chunks = list(_call(cohere_server, messages=_user("What is the weather in Paris?"), tools=[WEATHER], stream=True))
    fragments = [tc for c in chunks for tc in (c.choices[0].delta.tool_calls or [])]
    assert fragments[0].id and fragments[0].function.name == "get_weather" and fragments[0].function.arguments == ""
    assert len(fragments) > 3
    rebuilt = stream_chunk_builder(chunks)
    whole = _call(cohere_server, messages=_user("What is the weather in Paris?"), tools=[WEATHER])
    assert rebuilt.choices[0].finish_reason == whole.choices[0].finish_reason == "tool_calls"
    assert rebuilt.choices[0].message.content == whole.choices[0].message.content
    assert rebuilt.choices[0].message.provider_specific_fields == whole.choices[0].message.provider_specific_fields
    assert (
        rebuilt.choices[0].message.tool_calls[0].function.arguments
        == whole.choices[0].message.tool_calls[0].function.arguments
    )


def test_enqueued_tool_reply(cohere_server):
    cohere_server.enqueue_reply(
        None,
        tool_calls=[{"id": "lookup_1", "name": "lookup", "arguments": {"q": "x"}}],
        tool_plan="Looking it up.",
        thinking="Need lookup.",
    )
    resp = _call(cohere_server)
    msg = resp.choices[0].message
    assert (msg.content, msg.reasoning_content) == ("Looking it up.", "Need lookup.")
    assert msg.tool_calls[0].id == "lookup_1" and json.loads(msg.tool_calls[0].function.arguments) == {"q": "x"}


# --------------------------------------------------------------------------------- errors and retries


def test_wrong_key_is_an_authentication_error(cohere_server):
    with pytest.raises(litegate.AuthenticationError, match="invalid api token") as info:
        _call(cohere_server, api_key="wrong")
    assert info.value.llm_provider == "cohere"


def test_server_side_validation_error(cohere_server):
    with pytest.raises(litegate.BadRequestError, match="temperature must be between 0 and 1.0 inclusive"):
        _call(cohere_server, temperature=1.5)


def test_rate_limit_is_retried(cohere_server):
    cohere_server.enqueue_error(429, count=2)
    resp = _call(cohere_server, num_retries=2)
    assert resp.choices[0].message.content
    assert cohere_server.hits("/v2/chat") == 3


def test_rate_limit_without_retries(cohere_server):
    cohere_server.enqueue_error(429)
    with pytest.raises(litegate.RateLimitError, match="per minute request limit") as info:
        _call(cohere_server, num_retries=0)
    assert info.value.response.status_code == 429


def test_server_error_retried_with_backoff(cohere_server, fast_backoff):
    cohere_server.enqueue_error(500)
    assert _call(cohere_server, num_retries=1).choices[0].message.content
    assert cohere_server.hits() == 2


@pytest.mark.parametrize(
    "status, exc",
    [
        (400, litegate.BadRequestError),
        (404, litegate.NotFoundError),
        (498, litegate.BadRequestError),
        (503, litegate.ServiceUnavailableError),
    ],
)
def test_documented_statuses(cohere_server, status, exc):
    cohere_server.enqueue_error(status)
    with pytest.raises(exc):
        _call(cohere_server, num_retries=0)


def test_request_cancelled(cohere_server):
    cohere_server.enqueue_error(499)
    with pytest.raises(litegate.APIError, match="request cancelled") as info:
        _call(cohere_server)
    assert info.value.status_code == 499


def test_generation_error_reply_raises(cohere_server, fast_backoff):
    cohere_server.enqueue_reply("partial", finish_reason="ERROR")
    with pytest.raises(litegate.InternalServerError):
        _call(cohere_server, num_retries=0)
    cohere_server.enqueue_reply("partial", finish_reason="TIMEOUT")
    assert _call(cohere_server, num_retries=1).choices[0].message.content == "This is a fake reply to: Hello there"


def test_stream_errors_on_open(cohere_server):
    cohere_server.enqueue_error(401, message="invalid api token")
    with pytest.raises(litegate.AuthenticationError):
        _call(cohere_server, stream=True)


@pytest.mark.parametrize(
    "kind, exc",
    [
        ("cut_stream", litegate.APIConnectionError),
        ("malformed_stream", litegate.APIResponseValidationError),
        ("stream_error_event", litegate.InternalServerError),
        ("no_message_end", litegate.APIConnectionError),
        ("reset", litegate.APIConnectionError),
    ],
)
def test_stream_faults(cohere_server, kind, exc):
    cohere_server.enqueue_fault(kind)
    with pytest.raises(exc):
        for _ in _call(cohere_server, stream=True, num_retries=0):
            pass


async def test_stream_fault_async(cohere_server):
    cohere_server.enqueue_fault("stream_error_event")
    seen = []
    with pytest.raises(litegate.InternalServerError, match="generation failed"):
        async for chunk in await _acall(cohere_server, stream=True):
            seen.append(chunk)
    assert seen and seen[0].choices[0].delta.role == "assistant"


# --------------------------------------------------------------------------------- embeddings


def test_embedding(cohere_server):
    resp = litegate.embedding(
        "cohere/embed-english-v3.0", input=["hello", "world"], api_key=KEY, api_base=cohere_server.url
    )
    assert cohere_server.last_request.path == "/v2/embed"
    assert cohere_server.last_request.json == {
        "model": "embed-english-v3.0",
        "texts": ["hello", "world"],
        "input_type": "search_document",
        "embedding_types": ["float"],
    }
    assert len(resp.data) == 2 and len(resp.data[0].embedding) == 1024
    assert resp.usage.prompt_tokens == 2
    assert resp._hidden_params["custom_llm_provider"] == "cohere"


async def test_embedding_input_type_base64_and_dimensions(cohere_server):
    floats = await litegate.aembedding(
        "cohere/embed-v4.0",
        input="find me",
        input_type="search_query",
        dimensions=256,
        api_key=KEY,
        api_base=cohere_server.url,
    )
    b64 = await litegate.aembedding(
        "cohere/embed-v4.0",
        input="find me",
        input_type="search_query",
        dimensions=256,
        encoding_format="base64",
        api_key=KEY,
        api_base=cohere_server.url,
    )
    assert cohere_server.last_request.json["embedding_types"] == ["base64"]
    assert cohere_server.last_request.json["output_dimension"] == 256
    vec = floats.data[0].embedding
    assert len(vec) == 256
    assert list(struct.unpack("<256f", base64.b64decode(b64.data[0].embedding))) == pytest.approx(vec)


def test_image_embedding(cohere_server):
    resp = litegate.embedding(
        "cohere/embed-v4.0", input=["data:image/png;base64," + PNG_B64], api_key=KEY, api_base=cohere_server.url
    )
    assert cohere_server.last_request.json["input_type"] == "image"
    assert len(resp.data[0].embedding) == 1536


def test_embedding_error(cohere_server):
    with pytest.raises(litegate.BadRequestError, match="output_dimension"):
        litegate.embedding(
            "cohere/embed-english-v3.0", input="x", dimensions=256, api_key=KEY, api_base=cohere_server.url
        )


# --------------------------------------------------------------------------------- rerank

CAPITAL_DOCS = [
    "Carson City is the capital city of the American state of Nevada.",
    "The Commonwealth of the Northern Mariana Islands is a group of islands in the Pacific Ocean. "
    "Its capital is Saipan.",
    "Washington, D.C. is the capital of the United States. It is a federal district.",
    "Capital punishment has existed in the United States since before the United States was a country.",
]


def _rerank(srv, documents, query="What is the capital of the United States?", **kw):
    return litegate.rerank("cohere/rerank-v3.5", query=query, documents=documents, api_key=KEY, api_base=srv.url, **kw)


def test_rerank_string_documents(cohere_server):
    resp = _rerank(cohere_server, CAPITAL_DOCS)
    assert isinstance(resp, RerankResponse) and isinstance(resp, litegate.RerankResponse)
    assert cohere_server.last_request.path == "/v2/rerank"
    assert cohere_server.last_request.json == {
        "model": "rerank-v3.5",
        "query": "What is the capital of the United States?",
        "documents": CAPITAL_DOCS,
    }
    assert len(resp.results) == 4
    assert resp.results[0].index == 2
    scores = [r.relevance_score for r in resp.results]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert all(r.document == {"text": CAPITAL_DOCS[r.index]} for r in resp.results)
    assert resp.meta["billed_units"]["search_units"] == 1
    assert resp._hidden_params["custom_llm_provider"] == "cohere"
    assert resp._hidden_params["response_cost"] > 0  # priced per search unit from meta.billed_units


def test_rerank_top_n_and_return_documents_false(cohere_server):
    resp = _rerank(cohere_server, CAPITAL_DOCS, top_n=2, return_documents=False)
    assert cohere_server.last_request.json["top_n"] == 2
    assert "return_documents" not in cohere_server.last_request.json
    assert [r.index for r in resp.results][:1] == [2] and len(resp.results) == 2
    assert all(r.document is None for r in resp.results)


def test_rerank_dict_documents_with_rank_fields(cohere_server):
    docs = [{"id": f"d{i}", "title": f"Doc {i}", "body": text} for i, text in enumerate(CAPITAL_DOCS)]
    resp = _rerank(cohere_server, docs, rank_fields=["title", "body"], top_n=1)
    assert cohere_server.last_request.json["documents"][2] == "title: Doc 2\nbody: " + CAPITAL_DOCS[2] + "\n"
    assert resp.results[0].document == docs[2]
    assert resp.results[0].document["id"] == "d2"


def test_rerank_spec_apollo_example(cohere_server):
    """The spec's "Improving RAG Context with Rerank" example, against the fake server."""
    user_query = "What were the main challenges in the Apollo moon landing missions?"
    retrieved = [
        {
            "id": "nasa-report-1972",
            "text": "The Apollo program successfully landed humans on the Moon, overcoming "
            "significant engineering hurdles related to the Saturn V rocket and lunar module descent.",
        },
        {
            "id": "space-race-overview",
            "text": "The Space Race between the USA and USSR spurred rapid advancements in "
            "rocketry and space exploration technology throughout the 1960s.",
        },
        {
            "id": "apollo13-incident",
            "text": "Apollo 13 faced a critical oxygen tank explosion, requiring immense "
            "ingenuity from mission control and the crew to return safely to Earth. This highlighted onboard "
            "system risks.",
        },
        {
            "id": "lunar-geology-summary",
            "text": "Samples returned by Apollo missions provided invaluable data about "
            "the Moon's geological history and composition.",
        },
        {
            "id": "computer-systems-apollo",
            "text": "The Apollo Guidance Computer (AGC) had limited memory and "
            "processing power by modern standards, presenting software development and operational challenges.",
        },
        {
            "id": "budget-politics-apollo",
            "text": "Securing consistent funding and navigating the political landscape "
            "were ongoing challenges for the long-term Apollo program.",
        },
        {
            "id": "mars-rover-tech",
            "text": "Modern Mars rovers utilize advanced autonomous navigation systems not "
            "available during the Apollo era.",
        },
    ]
    resp = litegate.rerank(
        model="cohere/rerank-english-v2.0",
        query=user_query,
        documents=retrieved,
        top_n=3,
        api_key=KEY,
        api_base=cohere_server.url,
    )
    assert cohere_server.last_request.json["documents"] == [d["text"] for d in retrieved]
    assert len(resp.results) == 3
    for _rank, result in enumerate(resp.results):
        assert result.document == retrieved[result.index]
        assert result.document.get("id") == retrieved[result.index]["id"]
    top = [r.document["id"] for r in resp.results]
    expected = [retrieved[i]["id"] for i, _ in rerank_scores(user_query, [d["text"] for d in retrieved])[:3]]
    assert top == expected  # the fake's word-overlap scores, mapped back to the caller's documents
    assert "nasa-report-1972" in top and "space-race-overview" not in top and "mars-rover-tech" not in top
    context = "\n\n".join(f"Document {i + 1}:\n{r.document['text']}" for i, r in enumerate(resp.results))
    assert context.startswith("Document 1:\n" + resp.results[0].document["text"])


async def test_arerank(cohere_server):
    resp = await litegate.arerank(
        "cohere/rerank-v3.5",
        query="capital of the United States",
        documents=CAPITAL_DOCS,
        top_n=1,
        api_key=KEY,
        api_base=cohere_server.url,
    )
    assert [r.index for r in resp.results] == [2]


def test_rerank_errors(cohere_server):
    cohere_server.enqueue_error(400, message="invalid request: list of documents must not be empty")
    with pytest.raises(litegate.BadRequestError, match="documents must not be empty"):
        _rerank(cohere_server, ["a"])
    with pytest.raises(litegate.BadRequestError, match="none of the rank_fields"):
        _rerank(cohere_server, [{"body": "x"}])
    with pytest.raises(litegate.AuthenticationError):
        litegate.rerank("cohere/rerank-v3.5", query="q", documents=["a"], api_key="bad", api_base=cohere_server.url)
