"""SageMaker endpoints running the TGI container: InvokeEndpoint and the response stream (TGI's
SSE inside event-stream PayloadParts cut anywhere), SigV4 with service ``sagemaker`` verified by
FakeSageMakerServer, AWS credentials as for Bedrock."""

from __future__ import annotations

import asyncio

import pytest

import litegate

AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"
MODEL = "sagemaker/my-llama3-endpoint"


@pytest.fixture
def server():
    from litegate.testing import FakeSageMakerServer

    with FakeSageMakerServer(region=REGION, endpoints=("my-llama3-endpoint",)) as srv:
        yield srv


@pytest.fixture
def kw(server, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    return {
        "api_base": server.url,
        "aws_access_key_id": AKID,
        "aws_secret_access_key": SECRET,
        "aws_region_name": REGION,
    }


def test_invoke_endpoint(server, kw):
    resp = litegate.completion(
        MODEL, messages=[{"role": "user", "content": "Hello there"}], max_tokens=40, temperature=0.7, **kw
    )
    req = server.last_request
    assert req.path == "/endpoints/my-llama3-endpoint/invocations"
    assert "/us-east-1/sagemaker/aws4_request" in req.header("authorization")
    assert server.signatures_checked == 1
    assert req.json["inputs"].startswith("<|begin_of_text|><|start_header_id|>user")
    assert req.json["parameters"] == {
        "details": True,
        "return_full_text": False,
        "max_new_tokens": 40,
        "temperature": 0.7,
    }
    assert "aws_access_key_id" not in req.text
    assert resp.choices[0].message.content.startswith("This is a fake reply to:")
    assert resp._hidden_params["custom_llm_provider"] == "sagemaker"


@pytest.mark.parametrize("part_size", [1, 7, 40, 100000])
def test_response_stream_cut_anywhere(server, kw, part_size):
    server.part_size = part_size
    chunks = list(
        litegate.completion(
            MODEL,
            messages=[{"role": "user", "content": "one two three"}],
            stream=True,
            stream_options={"include_usage": True},
            **kw,
        )
    )
    assert server.last_request.path.endswith("/invocations-response-stream")
    assert server.last_request.json["stream"] is True
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text.startswith("This is a fake reply to:")
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].usage.completion_tokens == len(text.split())


def test_async(server, kw):
    async def go():
        return await litegate.acompletion(MODEL, messages=[{"role": "user", "content": "Hi"}], **kw)

    assert asyncio.run(go()).choices[0].message.content.startswith("This is a fake reply to:")


def test_errors(server, kw):
    with pytest.raises(litegate.BadRequestError, match="not found"):
        litegate.completion("sagemaker/no-such-endpoint", messages=[{"role": "user", "content": "x"}], **kw)
    with pytest.raises(litegate.AuthenticationError):
        litegate.completion(MODEL, messages=[{"role": "user", "content": "x"}], **dict(kw, aws_secret_access_key="no"))
    with pytest.raises(litegate.APIError, match="temperature. must be strictly positive") as info:
        litegate.completion(MODEL, messages=[{"role": "user", "content": "x"}], temperature=0, num_retries=0, **kw)
    assert info.value.response.status_code == 424  # ModelError: the container refused it
    from litegate.testing.bedrock_server import exception_frame

    server.enqueue_stream([exception_frame("ModelStreamError", "the container failed")])
    with pytest.raises(litegate.APIError):
        for _ in litegate.completion(
            MODEL, messages=[{"role": "user", "content": "x"}], stream=True, num_retries=0, **kw
        ):
            pass


def test_sagemaker_is_listed():
    assert "sagemaker" in litegate.provider_list
