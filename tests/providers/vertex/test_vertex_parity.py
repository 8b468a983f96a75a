"""Parity with the official ``google-genai`` SDK in Vertex AI mode.

The SDK (``vertexai=True``, a google-auth service-account credential) and litegate
(``vertex_credentials=`` the same key) make the equivalent call against the same FakeGeminiServer:

* both exchange the key for a token at the fake's OAuth endpoint; the JWT assertions carry the same
  issuer, scope and audience (litegate signs its own, google-auth signs the SDK's; the fake checks
  both signatures against the session's public key), and both calls carry a token the fake issued;
* the request path (``/v1/projects/{p}/locations/{l}/publishers/google/models/{m}:{method}``) and the
  body agree, modulo the differences documented in the Gemini parity tests (``systemInstruction``
  role, snake_case field names the SDK sends, the role the SDK puts in embedded contents).

Responses of the fake validate with the SDK's models in the Gemini parity tests; here the SDK reads
the fake's Vertex answers, streams and embeddings end to end.
"""

from __future__ import annotations

import json

import pytest
from _vertex_helpers import WEATHER

import litegate
from litegate.providers.vertex import SCOPE

genai = pytest.importorskip("google.genai")
service_account_mod = pytest.importorskip("google.oauth2.service_account")
from google.genai import types  # noqa: E402

MODEL = "gemini-2.5-flash"
PROJECT, LOCATION = "my-project", "europe-west4"
SCHEMA = {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}


@pytest.fixture
def sdk(vertex_server, service_account):
    creds = service_account_mod.Credentials.from_service_account_info(service_account, scopes=[SCOPE])
    return genai.Client(
        vertexai=True,
        project=PROJECT,
        location=LOCATION,
        credentials=creds,
        http_options=types.HttpOptions(base_url=vertex_server.url, api_version="v1"),
    )


def _kw(srv, service_account):
    return dict(api_base=srv.url, vertex_credentials=service_account, vertex_project=PROJECT, vertex_location=LOCATION)


def _camel_keys(obj: dict) -> dict:
    return {"".join(w if i == 0 else w.title() for i, w in enumerate(k.split("_"))): v for k, v in obj.items()}


def _normal(body: dict) -> dict:
    body = json.loads(json.dumps(body))
    if isinstance(body.get("systemInstruction"), dict):
        body["systemInstruction"].pop("role", None)
    if body.get("generationConfig") == {}:
        del body["generationConfig"]
    thinking = (body.get("generationConfig") or {}).get("thinkingConfig")
    if isinstance(thinking, dict):
        body["generationConfig"]["thinkingConfig"] = _camel_keys(thinking)
    for item in [body] + list(body.get("requests") or ()):
        if isinstance(item.get("content"), dict):
            item["content"].pop("role", None)
    return body


def _calls(srv):
    """(sdk request, litegate request): the last two model calls (token requests left out)."""
    calls = [r for r in srv.requests if r.path != "/token"]
    return calls[-2], calls[-1]


def _assert_same(srv):
    theirs, ours = _calls(srv)
    assert ours.path == theirs.path
    assert ours.path.startswith(f"/v1/projects/{PROJECT}/locations/{LOCATION}/publishers/google/models/")
    assert ours.query == theirs.query
    assert _normal(ours.json) == _normal(theirs.json)
    for rec in (ours, theirs):
        auth = rec.header("authorization")
        assert auth.startswith("Bearer ") and auth[7:] in srv.issued_tokens
        assert rec.header("x-goog-api-key") is None
        assert rec.header("content-type") == "application/json"


def test_parity_token_exchange_and_basic_call(vertex_server, service_account, sdk):
    sdk.models.generate_content(
        model=MODEL,
        contents="Hello",
        config=types.GenerateContentConfig(
            system_instruction="Be brief.", temperature=0.4, max_output_tokens=64, stop_sequences=["END"]
        ),
    )
    litegate.completion(
        "vertex_ai/" + MODEL,
        messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"}],
        temperature=0.4,
        max_tokens=64,
        stop=["END"],
        **_kw(vertex_server, service_account),
    )
    _assert_same(vertex_server)
    google_auth_grant, our_grant = vertex_server.token_grants
    for claim in ("iss", "scope", "aud"):
        assert our_grant[claim] == google_auth_grant[claim], claim
    assert our_grant["exp"] - our_grant["iat"] == google_auth_grant["exp"] - google_auth_grant["iat"] == 3600


def test_parity_tools_and_thinking(vertex_server, service_account, sdk):
    sdk.models.generate_content(
        model=MODEL,
        contents="Weather in Paris?",
        config=types.GenerateContentConfig(
            tools=[
                types.Tool(
                    function_declarations=[
                        types.FunctionDeclaration(
                            name="get_weather", description="Current weather for a city", parameters=SCHEMA
                        )
                    ]
                )
            ],
            tool_config=types.ToolConfig(function_calling_config=types.FunctionCallingConfig(mode="AUTO")),
            thinking_config=types.ThinkingConfig(thinking_budget=1024, include_thoughts=True),
        ),
    )
    litegate.completion(
        "vertex_ai/" + MODEL,
        messages=[{"role": "user", "content": "Weather in Paris?"}],
        tools=[WEATHER],
        tool_choice="auto",
        reasoning_effort="low",
        **_kw(vertex_server, service_account),
    )
    _assert_same(vertex_server)


def test_parity_streaming(vertex_server, service_account, sdk):
    sdk_text = "".join(c.text or "" for c in sdk.models.generate_content_stream(model=MODEL, contents="Count to five"))
    chunks = list(
        litegate.completion(
            "vertex_ai/" + MODEL,
            messages=[{"role": "user", "content": "Count to five"}],
            stream=True,
            **_kw(vertex_server, service_account),
        )
    )
    _assert_same(vertex_server)
    assert _calls(vertex_server)[1].query == {"alt": "sse"}
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == sdk_text


@pytest.mark.parametrize(
    "model, contents, config, ours",
    [
        (
            "gemini-embedding-001",
            ["a", "b"],
            {"task_type": "RETRIEVAL_QUERY", "output_dimensionality": 4},
            {"input": ["a", "b"], "task_type": "RETRIEVAL_QUERY", "dimensions": 4},
        ),
        ("gemini-embedding-001", ["only one"], {"output_dimensionality": 4}, {"input": "only one", "dimensions": 4}),
        (
            "text-embedding-005",
            ["a", "b"],
            {"task_type": "CLUSTERING", "output_dimensionality": 4},
            {"input": ["a", "b"], "task_type": "clustering", "dimensions": 4},
        ),
    ],
)
def test_parity_embeddings(vertex_server, service_account, sdk, model, contents, config, ours):
    try:
        sdk_resp = sdk.models.embed_content(model=model, contents=contents, config=types.EmbedContentConfig(**config))
    except ValueError as exc:  # pragma: no cover - some SDK versions cannot read every Vertex embedding response
        pytest.skip(f"google-genai cannot read this response: {exc}")
    resp = litegate.embedding("vertex_ai/" + model, **ours, **_kw(vertex_server, service_account))
    _assert_same(vertex_server)
    assert [d["embedding"] for d in resp.data] == [e.values for e in sdk_resp.embeddings]


def test_sdk_reads_vertex_answers(vertex_server, sdk):
    resp = sdk.models.generate_content(
        model=MODEL,
        contents="What's the weather in Oslo?",
        config=types.GenerateContentConfig(
            tools=[types.Tool(function_declarations=[types.FunctionDeclaration(name="get_weather", parameters=SCHEMA)])]
        ),
    )
    assert resp.function_calls[0].name == "get_weather"
    vertex_server.enqueue_block()
    blocked = sdk.models.generate_content(model=MODEL, contents="x")
    assert blocked.prompt_feedback.block_reason == types.BlockedReason.SAFETY


def test_sdk_sees_expired_tokens_as_unauthenticated(vertex_server, sdk):
    sdk.models.generate_content(model=MODEL, contents="warm up")
    vertex_server.expire_tokens()
    from google.genai import errors

    with pytest.raises(errors.ClientError) as info:
        sdk.models.generate_content(model=MODEL, contents="again")
    assert info.value.code == 401 and info.value.status == "UNAUTHENTICATED"
