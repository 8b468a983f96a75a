"""What litegate sends to and reads from Bedrock, checked against botocore's own service model for
bedrock-runtime (boto3 is a test dependency; it is never used to sign in the package): request
bodies validate as ``ConverseRequest``, the fake server's answers parse with botocore's rest-json
and event-stream parsers, and the SigV4 signature equals botocore's for the same request."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

botocore_session = pytest.importorskip("botocore.session")
from _bedrock_helpers import AKID, REGION, SECRET  # noqa: E402
from botocore.validate import ParamValidator  # noqa: E402

import litegate  # noqa: E402
from litegate.core.call import build_chat_call  # noqa: E402
from litegate.core.resolve import Target  # noqa: E402
from litegate.providers import get_provider  # noqa: E402
from litegate.providers.base import Drop  # noqa: E402

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
MODEL_ID = "anthropic.claude-3-7-sonnet-20250219-v1:0"
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}


@pytest.fixture(scope="module")
def service():
    return botocore_session.get_session().get_service_model("bedrock-runtime")


def _body(messages, **params):
    call = build_chat_call("bedrock/converse/" + MODEL_ID, messages, params)
    target = Target(
        "bedrock", MODEL_ID, "https://bedrock-runtime.us-east-1.amazonaws.com", None, meta={"route": "converse"}
    )
    return get_provider("bedrock").chat_request(call, target, Drop(False)).json


CASES = {
    "plain": (
        [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
        {"max_tokens": 100, "temperature": 0.5, "top_p": 0.9, "stop": ["END"]},
    ),
    "tools": ([{"role": "user", "content": "weather?"}], {"tools": [WEATHER], "tool_choice": "required"}),
    "tool_loop": (
        [
            {"role": "user", "content": "weather?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "t1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "t1", "content": '{"temp": 3}'},
            {"role": "tool", "tool_call_id": "t1", "content": "plain text", "is_error": True},
        ],
        {"tools": [WEATHER]},
    ),
    "media": (
        [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "look", "cache_control": {"type": "ephemeral"}},
                    {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
                    {
                        "type": "file",
                        "file": {"filename": "a.pdf", "file_data": "data:application/pdf;base64,JVBERi0x"},
                    },
                    {"type": "image_url", "image_url": {"url": "s3://b/k.png"}},
                ],
            }
        ],
        {},
    ),
    "reasoning": (
        [
            {"role": "user", "content": "Hi"},
            {
                "role": "assistant",
                "content": "Hello",
                "thinking_blocks": [
                    {"type": "thinking", "thinking": "hmm", "signature": "sig"},
                    {"type": "redacted_thinking", "data": "AAAA"},
                ],
            },
            {"role": "user", "content": "Again"},
        ],
        {"reasoning_effort": "medium", "max_tokens": 4000},
    ),
    "json": (
        [{"role": "user", "content": "Give JSON"}],
        {
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "x", "schema": {"type": "object", "properties": {"a": {"type": "integer"}}}},
            }
        },
    ),
    "extras": (
        [{"role": "user", "content": "Hi"}],
        {
            "top_k": 40,
            "guardrailConfig": {"guardrailIdentifier": "g", "guardrailVersion": "1"},
            "requestMetadata": {"team": "a"},
            "performanceConfig": {"latency": "optimized"},
        },
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_converse_requests_validate_against_the_service_model(service, name):
    messages, params = CASES[name]
    body = _body(messages, **params)
    shape = service.operation_model("Converse").input_shape
    report = ParamValidator().validate(dict(body, modelId=MODEL_ID), shape)
    assert not report.has_errors(), report.generate_report()
    stream_shape = service.operation_model("ConverseStream").input_shape
    assert not ParamValidator().validate(dict(body, modelId=MODEL_ID), stream_shape).has_errors()


def test_a_broken_body_does_fail_validation(service):
    """The check above can fail: a body in the wrong shape is reported."""
    messages, params = CASES["plain"]
    body = _body(messages, **params)
    body["messages"][0]["content"] = [{"type": "text", "text": "OpenAI form"}]
    report = ParamValidator().validate(dict(body, modelId=MODEL_ID), service.operation_model("Converse").input_shape)
    assert report.has_errors()


def test_fake_server_answers_parse_with_botocore(service, bedrock_server, aws):
    from botocore.parsers import create_parser

    parser = create_parser("rest-json")
    litegate.completion(
        "bedrock/converse/" + MODEL_ID,
        messages=[{"role": "user", "content": "weather?"}],
        tools=[WEATHER],
        reasoning_effort="low",
        max_tokens=4000,
        **aws,
    )
    import urllib.request

    # the same request again, straight over HTTP, to hand botocore the raw answer
    req = bedrock_server.last_request
    raw = urllib.request.Request(
        bedrock_server.url + "/model/" + MODEL_ID.replace(":", "%3A") + "/converse", data=req.body, method="POST"
    )
    from litegate.providers.aws.sigv4 import Credentials, sign_headers

    headers = {"content-type": "application/json"}
    headers.update(sign_headers("POST", raw.full_url, headers, req.body, Credentials(AKID, SECRET), REGION, "bedrock"))
    for k, v in headers.items():
        raw.add_header(k, v)
    with urllib.request.urlopen(raw, timeout=10) as resp:
        body = resp.read()
        status = resp.status
    parsed = parser.parse(
        {"status_code": status, "headers": {}, "body": body}, service.operation_model("Converse").output_shape
    )
    blocks = parsed["output"]["message"]["content"]
    assert any("toolUse" in b for b in blocks) and any("reasoningContent" in b for b in blocks)
    assert parsed["usage"]["totalTokens"] > 0


def test_fake_server_event_streams_decode_with_botocore(service, bedrock_server, aws):
    from botocore.eventstream import EventStreamBuffer

    from litegate.testing.bedrock_server import FakeBedrockServer

    plan = bedrock_server._converse_plan(
        MODEL_ID, {"messages": [{"role": "user", "content": [{"text": "Hi"}]}]}, type("C", (), {"reply": None})()
    )
    raw = b"".join(FakeBedrockServer._converse_events(plan).events)
    buf = EventStreamBuffer()
    buf.add_data(raw)
    messages = list(buf)  # botocore checks both CRCs
    names = [m.headers[":event-type"] for m in messages]
    assert names[0] == "messageStart" and names[-2:] == ["messageStop", "metadata"]
    output = service.operation_model("ConverseStream").output_shape.members["stream"]
    assert set(names) <= set(output.members)


def test_signature_equals_botocores(service):
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials as BotoCredentials

    from litegate.providers.aws.sigv4 import Credentials, sign_headers

    url = f"https://bedrock-runtime.{REGION}.amazonaws.com/model/{MODEL_ID.replace(':', '%3A')}/converse"
    body = json.dumps({"messages": [{"role": "user", "content": [{"text": "Hi"}]}]}).encode()
    when = datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    for token in (None, "session-token"):
        ours = sign_headers(
            "POST",
            url,
            {"content-type": "application/json"},
            body,
            Credentials(AKID, SECRET, token),
            REGION,
            service.signing_name,
            when,
        )
        request = AWSRequest(
            method="POST",
            url=url,
            data=body,
            headers={"content-type": "application/json", "X-Amz-Date": "20250102T030405Z"},
        )
        signer = SigV4Auth(BotoCredentials(AKID, SECRET, token), service.signing_name, REGION)
        import botocore.auth as ba

        orig = ba.datetime.datetime
        try:

            class Frozen(orig):
                @classmethod
                def utcnow(cls):
                    return when.replace(tzinfo=None)

                @classmethod
                def now(cls, tz=None):
                    return when if tz else when.replace(tzinfo=None)

            ba.datetime.datetime = Frozen
            signer.add_auth(request)
        finally:
            ba.datetime.datetime = orig
        assert ours["Authorization"] == request.headers["Authorization"]
