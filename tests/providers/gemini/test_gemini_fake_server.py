"""The fake Gemini / Vertex AI server itself: request checks, auth, queueing, faults, the token endpoint."""

from __future__ import annotations

import base64
import json
import time

import httpx
import pytest
from _gemini_helpers import KEY, sse_events

from litegate.testing import FakeGeminiServer
from litegate.testing.gemini_server import generate_service_account

GEN = "/v1beta/models/gemini-2.5-flash:generateContent"
USER = {"role": "user", "parts": [{"text": "Hello"}]}


def _post(srv, body, path=GEN, key=KEY, **kw):
    headers = {"x-goog-api-key": key} if key else {}
    return httpx.post(srv.url + path, json=body, headers=headers, timeout=10, **kw)


def _error(r):
    return r.json()["error"]


@pytest.mark.parametrize(
    "body, message",
    [
        ({"contents": []}, "contents is not specified"),
        ({"contents": [USER], "temprature": 1}, 'Unknown name "temprature"'),
        ({"contents": [{"role": "assistant", "parts": [{"text": "x"}]}]}, "valid role"),
        ({"contents": [{"role": "user", "parts": []}]}, "must not be empty"),
        (
            {"contents": [{"role": "user", "parts": [{"text": "a", "inlineData": {"mimeType": "x", "data": ""}}]}]},
            "one initialized field",
        ),
        (
            {"contents": [{"role": "user", "parts": [{"inlineData": {"mimeType": "image/png", "data": "%%%"}}]}]},
            "Base64 decoding failed",
        ),
        (
            {"contents": [USER, {"role": "user", "parts": [{"functionResponse": {"name": "f", "response": {}}}]}]},
            "number of function response parts",
        ),
        ({"contents": [USER], "tools": [{"functionDeclarations": [{"name": "1bad"}]}]}, "Invalid function name"),
        (
            {
                "contents": [USER],
                "tools": [
                    {
                        "functionDeclarations": [
                            {
                                "name": "f",
                                "parameters": {
                                    "type": "OBJECT",
                                    "properties": {"a": {"type": "STRING"}},
                                    "additionalProperties": False,
                                },
                            }
                        ]
                    }
                ],
            },
            'Unknown name "additionalProperties"',
        ),
        (
            {
                "contents": [USER],
                "tools": [
                    {"functionDeclarations": [{"name": "f", "parameters": {"type": "OBJECT", "properties": {}}}]}
                ],
            },
            "should be non-empty for OBJECT type",
        ),
        (
            {"contents": [USER], "tools": [{"functionDeclarations": [{"name": "f", "parameters": {"type": "TEXT"}}]}]},
            "Invalid value",
        ),
        ({"contents": [USER], "generationConfig": {"temperature": 3}}, "out of range"),
        ({"contents": [USER], "generationConfig": {"stopSequences": ["1", "2", "3", "4", "5", "6"]}}, "at most 5"),
        ({"contents": [USER], "generationConfig": {"responseSchema": {"type": "STRING"}}}, "response_mime_type"),
        ({"contents": [USER], "generationConfig": {"logprobs": 2}}, "response_logprobs"),
        ({"contents": [USER], "toolConfig": {"functionCallingConfig": {"mode": "SOMETIMES"}}}, "Invalid value"),
        (
            {
                "contents": [USER],
                "toolConfig": {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["x"]}},
            },
            "not declared",
        ),
    ],
)
def test_requests_are_checked_like_the_api(gemini_server, body, message):
    r = _post(gemini_server, body)
    assert r.status_code == 400
    assert _error(r)["status"] == "INVALID_ARGUMENT"
    assert message in _error(r)["message"]


def test_snake_case_fields_are_accepted(gemini_server):
    r = _post(
        gemini_server,
        {
            "contents": [USER],
            "generation_config": {"max_output_tokens": 2},
            "system_instruction": {"parts": [{"text": "x"}]},
        },
    )
    assert r.status_code == 200
    assert r.json()["candidates"][0]["finishReason"] == "MAX_TOKENS"


def test_api_key_checks(gemini_server):
    r = _post(gemini_server, {"contents": [USER]}, key=None)
    assert r.status_code == 403 and "unregistered callers" in _error(r)["message"]
    r = _post(gemini_server, {"contents": [USER]}, key="AIza-wrong")
    assert r.status_code == 400
    assert _error(r)["details"][0]["reason"] == "API_KEY_INVALID"
    r = httpx.post(gemini_server.url + GEN, params={"key": KEY}, json={"contents": [USER]})
    assert r.status_code == 200  # the ?key= form works too (litegate never uses it)


def test_unknown_url_is_an_html_404(gemini_server):
    r = httpx.post(gemini_server.url + "/v1beta/nowhere", json={})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert b"/v1beta/nowhere" in r.content


def test_models_and_count_tokens(gemini_server):
    models = httpx.get(gemini_server.url + "/v1beta/models", headers={"x-goog-api-key": KEY}).json()["models"]
    assert any(m["name"] == "models/gemini-2.5-flash" for m in models)
    r = _post(
        gemini_server,
        {"contents": [{"role": "user", "parts": [{"text": "one two three"}]}]},
        "/v1beta/models/gemini-2.5-flash:countTokens",
    )
    assert r.json()["totalTokens"] >= 3


def test_queue_behaviours(gemini_server):
    gemini_server.enqueue_reply(
        "Custom",
        finish_reason="MAX_TOKENS",
        usage={"promptTokenCount": 99},
        extra={"citationMetadata": {"citationSources": [{"uri": "https://x"}]}},
    )
    body = _post(gemini_server, {"contents": [USER]}).json()
    cand = body["candidates"][0]
    assert cand["content"]["parts"] == [{"text": "Custom"}]
    assert cand["finishReason"] == "MAX_TOKENS" and cand["citationMetadata"]["citationSources"]
    assert body["usageMetadata"]["promptTokenCount"] == 99
    gemini_server.enqueue_reply(None, tool_calls=[{"name": "f", "arguments": {"a": 1}, "id": "fc-1"}], signature="c2ln")
    part = _post(gemini_server, {"contents": [USER]}).json()["candidates"][0]["content"]["parts"][0]
    assert part == {"functionCall": {"name": "f", "args": {"a": 1}, "id": "fc-1"}, "thoughtSignature": "c2ln"}
    gemini_server.enqueue_error(429)
    r = _post(gemini_server, {"contents": [USER]})
    assert r.status_code == 429
    assert _error(r)["details"][-1] == {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "0s"}
    gemini_server.enqueue_stream([{"candidates": [{"content": {"parts": [{"text": "x"}]}, "finishReason": "STOP"}]}])
    r = _post(gemini_server, {"contents": [USER]}, "/v1beta/models/m:streamGenerateContent", params={"alt": "sse"})
    assert r.text == 'data: {"candidates":[{"content":{"parts":[{"text":"x"}]},"finishReason":"STOP"}]}\r\n\r\n'
    assert gemini_server.hits("generateContent") == 3 and gemini_server.pending == 0


@pytest.mark.parametrize("kind", ["cut_stream", "malformed_stream", "stream_error_event", "no_finish"])
def test_stream_faults(gemini_server, kind):
    gemini_server.enqueue_fault(kind)
    path = "/v1beta/models/m:streamGenerateContent"
    try:
        r = _post(
            gemini_server,
            {"contents": [{"role": "user", "parts": [{"text": "one two three four"}]}]},
            path,
            params={"alt": "sse"},
        )
        raw = r.text
    except httpx.HTTPError:
        return  # cut_stream: the client may see the cut as a transport error
    assert "finishReason" not in raw or kind == "stream_error_event"
    if kind == "stream_error_event":
        assert '"status": "UNAVAILABLE"' in raw
    if kind == "malformed_stream":
        assert "{not json" in raw


def test_fault_kind_is_checked(gemini_server):
    with pytest.raises(ValueError):
        gemini_server.enqueue_fault("explode")


def test_vertex_layout_and_embeddings(gemini_server):
    base = gemini_server.vertex_base("proj", "europe-west4")
    r = httpx.post(base + "/publishers/google/models/gemini-2.5-flash:generateContent", json={"contents": [USER]})
    assert r.status_code == 200  # require_token is off on this server
    r = httpx.post(
        base + "/publishers/google/models/gemini-2.5-flash:generateContent",
        json={"contents": [{"parts": [{"text": "no role"}]}]},
    )
    assert r.status_code == 400 and "role is required" in _error(r)["message"]
    r = httpx.post(
        base + "/publishers/google/models/text-embedding-005:predict",
        json={"instances": [{"content": "a b"}], "parameters": {"outputDimensionality": 3}},
    )
    pred = r.json()["predictions"][0]["embeddings"]
    assert len(pred["values"]) == 3 and pred["statistics"]["token_count"] == 2
    r = httpx.post(
        base + "/publishers/google/models/gemini-embedding-001:batchEmbedContents",
        json={"requests": [{"content": {"parts": [{"text": "a"}]}, "embedContentConfig": {"taskType": "CLUSTERING"}}]},
    )
    assert r.json()["usageMetadata"]["promptTokenCount"] == 1
    r = _post(
        gemini_server,
        {"requests": [{"content": {"parts": [{"text": "a"}]}}]},
        "/v1beta/models/gemini-embedding-001:batchEmbedContents",
    )
    assert r.status_code == 400 and "models/gemini-embedding-001" in _error(r)["message"]


# ------------------------------------------------------------------------------ OAuth token endpoint


def _assertion(claims: dict, header: dict | None = None) -> str:
    def part(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return part(header or {"alg": "RS256", "typ": "JWT"}) + "." + part(claims) + "." + part({"sig": 1})


def _grant(srv, form, content_type="application/x-www-form-urlencoded"):
    return httpx.post(
        srv.token_uri, content="&".join(f"{k}={v}" for k, v in form.items()), headers={"content-type": content_type}
    )


def test_token_endpoint_checks_the_assertion():
    with FakeGeminiServer(require_token=True) as srv:
        now = int(time.time())
        good = {
            "iss": "sa@x",
            "scope": "https://www.googleapis.com/auth/cloud-platform",
            "aud": srv.token_uri,
            "iat": now,
            "exp": now + 3600,
        }
        r = _grant(srv, {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": _assertion(good)})
        assert r.status_code == 200
        token = r.json()["access_token"]
        assert token.startswith("ya29.fake-") and r.json()["expires_in"] == 3599
        assert srv.token_grants[-1]["iss"] == "sa@x"
        for bad, why in (
            (dict(good, aud="https://elsewhere"), "audience"),
            (dict(good, exp=now + 7200), "short-lived"),
            ({k: v for k, v in good.items() if k != "scope"}, "missing claim"),
        ):
            r = _grant(srv, {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": _assertion(bad)})
            assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
            assert why in r.json()["error_description"]
        r = _grant(srv, {"grant_type": "password"})
        assert r.json()["error"] == "unsupported_grant_type"
        r = _grant(srv, {"grant_type": "refresh_token"}, "application/json")
        assert r.json()["error"] == "invalid_request"
        r = _grant(srv, {"grant_type": "refresh_token", "client_id": "c", "refresh_token": "r"})
        assert r.status_code == 200 and srv.token_grants[-1] == {"grant": "refresh_token", "client_id": "c"}
        vertex = srv.vertex_base() + "/publishers/google/models/gemini-2.5-flash:generateContent"
        assert httpx.post(vertex, json={"contents": [USER]}).status_code == 401
        ok = httpx.post(vertex, json={"contents": [USER]}, headers={"authorization": "Bearer " + token})
        assert ok.status_code == 200
        srv.expire_tokens()
        r = httpx.post(vertex, json={"contents": [USER]}, headers={"authorization": "Bearer " + token})
        assert r.status_code == 401 and _error(r)["status"] == "UNAUTHENTICATED"


def test_token_endpoint_verifies_signatures_of_trusted_keys():
    pytest.importorskip("cryptography")
    with FakeGeminiServer() as srv:
        info, public_pem = generate_service_account(srv.token_uri, key_size=1024)
        srv.trust_key(public_pem)
        now = int(time.time())
        forged = _assertion(
            {"iss": info["client_email"], "scope": "s", "aud": srv.token_uri, "iat": now, "exp": now + 60}
        )
        r = _grant(srv, {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": forged})
        assert r.status_code == 400 and r.json()["error_description"] == "Invalid JWT Signature."
        assert info["type"] == "service_account" and info["token_uri"] == srv.token_uri
        assert info["private_key"].startswith("-----BEGIN PRIVATE KEY-----")


def test_sse_helper_frames_like_google():
    from litegate.testing.gemini_server import sse

    assert sse({"a": 1}) == b'data: {"a":1}\r\n\r\n'
    assert sse_events(sse({"a": 1}).decode()) == [{"a": 1}]
