"""Vertex AI addressing (project, location, URL layout) and what differs from the Gemini API requests."""

from __future__ import annotations

import logging

import pytest
from _vertex_helpers import BASE, PROVIDER, TOKEN, WEATHER, chat_call, embed_request, prepared, request

import litegate
from litegate.core.call import _controls
from litegate.core.resolve import Target, resolve
from litegate.providers.vertex import vertex_base

AUTH = {"authorization": "Bearer " + TOKEN}


def _prepare(model="gemini-2.5-flash", api_base=None, cfg=None, headers=AUTH, **extra):
    """Run the credential step on a fresh target; a given authorization header skips the token exchange."""
    target = Target("vertex_ai", model, api_base, None, headers=dict(headers or {}))
    call = chat_call(model, **extra)
    PROVIDER.prepare(target, cfg, call)
    return target, PROVIDER.chat_request(call, target, False)


class Cfg:
    vertex_project = None
    vertex_location = None
    vertex_credentials = None


# ------------------------------------------------------------------------------ URLs


@pytest.mark.parametrize(
    "location, url",
    [
        (
            "us-central1",
            "https://us-central1-aiplatform.googleapis.com/v1/projects/p1/locations/us-central1/publishers/"
            "google/models/gemini-2.5-flash:generateContent",
        ),
        (
            "europe-west4",
            "https://europe-west4-aiplatform.googleapis.com/v1/projects/p1/locations/europe-west4/publishers/"
            "google/models/gemini-2.5-flash:generateContent",
        ),
        (
            "global",
            "https://aiplatform.googleapis.com/v1/projects/p1/locations/global/publishers/google/models/"
            "gemini-2.5-flash:generateContent",
        ),
    ],
)
def test_default_host_per_location(location, url):
    target, req = _prepare(vertex_project="p1", vertex_location=location)
    assert req.url == url
    assert target.api_base == url.rsplit("/publishers/", 1)[0]


def test_default_location_is_us_central1():
    _, req = _prepare(vertex_project="p1")
    assert req.url.startswith("https://us-central1-aiplatform.googleapis.com/v1/projects/p1/locations/us-central1/")


def test_stream_url():
    target, _ = _prepare(vertex_project="p1")
    req = PROVIDER.chat_request(chat_call(stream=True), target, False)
    assert req.url.endswith("/publishers/google/models/gemini-2.5-flash:streamGenerateContent")
    assert req.params == {"alt": "sse"}


@pytest.mark.parametrize(
    "api_base, url",
    [
        (
            "http://proxy.test",
            "http://proxy.test/v1/projects/p1/locations/us-central1/publishers/google/models/m:generateContent",
        ),
        (
            "http://proxy.test/v1beta1",
            "http://proxy.test/v1beta1/projects/p1/locations/us-central1/publishers/google/models/m:generateContent",
        ),
        (
            "http://proxy.test/v1/projects/other/locations/asia-east1",
            "http://proxy.test/v1/projects/other/locations/asia-east1/publishers/google/models/m:generateContent",
        ),
        (
            "http://proxy.test/v1/projects/p/locations/l/publishers/google/models/tuned",
            "http://proxy.test/v1/projects/p/locations/l/publishers/google/models/tuned:generateContent",
        ),
    ],
)
def test_api_base_forms(api_base, url):
    assert _prepare("m", api_base, vertex_project="p1")[1].url == url


def test_numeric_model_is_a_deployed_endpoint():
    assert _prepare("1234567890", vertex_project="p1")[1].url.endswith(
        "/projects/p1/locations/us-central1/endpoints/1234567890:generateContent"
    )


def test_vertex_base_helper():
    assert vertex_base(None, "p", "global") == "https://aiplatform.googleapis.com/v1/projects/p/locations/global"
    assert vertex_base("https://h/v1/projects/x/locations/y/", "p", "l") == "https://h/v1/projects/x/locations/y"


# ------------------------------------------------------------------------------ project / location resolution


def test_project_and_location_priority(monkeypatch):
    monkeypatch.setenv("VERTEXAI_PROJECT", "env-project")
    monkeypatch.setenv("VERTEX_LOCATION", "asia-east1")
    target, _ = _prepare()
    assert target.api_base.endswith("/projects/env-project/locations/asia-east1")
    cfg = Cfg()
    cfg.vertex_project, cfg.vertex_location = "cfg-project", "europe-west1"
    target, _ = _prepare(cfg=cfg)
    assert target.api_base.endswith("/projects/cfg-project/locations/europe-west1")
    target, _ = _prepare(cfg=cfg, vertex_project="call-project", vertex_location="us-east5")
    assert target.api_base == ("https://us-east5-aiplatform.googleapis.com/v1/projects/call-project/locations/us-east5")


def test_module_settings_are_read_when_no_cfg_is_given():
    litegate.vertex_project = "module-project"
    litegate.vertex_location = "me-central1"
    target, _ = _prepare()
    assert target.api_base.endswith("/projects/module-project/locations/me-central1")


def test_missing_project_is_a_clear_error():
    with pytest.raises(litegate.BadRequestError, match="vertex_project"):
        _prepare()


@pytest.mark.parametrize("bad", [{"vertex_project": "p/../../x"}, {"vertex_project": "p", "vertex_location": "a b"}])
def test_unsafe_project_or_location_is_refused(bad):
    with pytest.raises(litegate.BadRequestError, match="not a valid"):
        _prepare(**bad)


def test_resolve_leaves_the_base_to_the_provider():
    target = resolve("vertex_ai/gemini-2.5-flash", _controls({}, "m"), Cfg())
    assert target.provider == "vertex_ai" and target.api_base is None
    bare = resolve("gemini-2.5-pro", _controls({}, "m"), Cfg())
    assert bare.provider == "vertex_ai" and bare.model == "gemini-2.5-pro"


# ------------------------------------------------------------------------------ headers and body


def test_headers_are_bearer_and_content_type_only():
    req = request()
    assert req.headers == {"content-type": "application/json", "authorization": "Bearer " + TOKEN}
    assert "x-goog-api-key" not in req.headers and TOKEN not in req.url


def test_an_api_key_is_never_sent_to_vertex():
    target = prepared()
    target.api_key = "AIzaSyShouldNotBeSentToVertex000"
    req = PROVIDER.chat_request(chat_call(), target, False)
    assert "AIzaSyShouldNotBeSentToVertex000" not in str(req.headers) + req.url


def test_unprepared_target_is_refused():
    with pytest.raises(litegate.AuthenticationError, match="credential step"):
        PROVIDER.chat_request(chat_call(), Target("vertex_ai", "m", BASE, None), False)
    with pytest.raises(litegate.AuthenticationError, match="credential step"):
        PROVIDER.chat_request(chat_call(), Target("vertex_ai", "m", "https://host", None, headers=AUTH), False)


def test_vertex_settings_are_not_sent_in_the_body():
    _, req = _prepare(
        vertex_project="p1",
        vertex_location="us-east1",
        vertex_credentials={"x": 1},
        labels={"team": "a"},
        temperature=0.2,
    )
    assert req.json == {
        "contents": [{"role": "user", "parts": [{"text": "Hello"}]}],
        "generationConfig": {"temperature": 0.2},
        "labels": {"team": "a"},
    }


def test_same_translation_as_gemini_but_vertex_schema_keeps_additional_properties(caplog):
    tool = {
        "type": "function",
        "function": {
            "name": "f",
            "parameters": {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False},
        },
    }
    with caplog.at_level(logging.WARNING, logger="litegate"):
        body = request(
            tools=[tool, WEATHER],
            tool_choice="required",
            reasoning_effort="high",
            messages=[{"role": "system", "content": "sys"}, {"role": "user", "content": "hi"}],
        ).json
    assert body["tools"][0]["functionDeclarations"][0]["parameters"] == {
        "type": "OBJECT",
        "properties": {"a": {"type": "STRING"}},
        "additionalProperties": False,
    }
    assert body["toolConfig"] == {"functionCallingConfig": {"mode": "ANY"}}
    assert body["systemInstruction"] == {"parts": [{"text": "sys"}]}
    assert body["generationConfig"]["thinkingConfig"] == {"thinkingBudget": 4096, "includeThoughts": True}
    assert caplog.text == ""


def test_provider_name_in_warnings(caplog):
    tool = {
        "type": "function",
        "function": {
            "name": "g",
            "parameters": {"type": "object", "properties": {"a": {"type": "integer", "multipleOf": 2}}},
        },
    }
    with caplog.at_level(logging.WARNING, logger="litegate"):
        request(tools=[tool])
    assert "vertex_ai: tool 'g' parameters" in caplog.text and "multipleOf" in caplog.text


# ------------------------------------------------------------------------------ embeddings


def test_gemini_embedding_models_use_embed_content():
    req = embed_request(
        "gemini-embedding-001", "hello", dimensions=8, task_type="retrieval_document", title="T", auto_truncate=False
    )
    assert req.url == BASE + "/publishers/google/models/gemini-embedding-001:embedContent"
    assert req.json == {
        "content": {"parts": [{"text": "hello"}]},
        "embedContentConfig": {
            "outputDimensionality": 8,
            "taskType": "RETRIEVAL_DOCUMENT",
            "title": "T",
            "autoTruncate": False,
        },
    }
    req = embed_request("gemini-embedding-001", ["a", "b"])
    assert req.url.endswith(":batchEmbedContents")
    assert req.json == {"requests": [{"content": {"parts": [{"text": "a"}]}}, {"content": {"parts": [{"text": "b"}]}}]}


def test_other_embedding_models_use_predict():
    req = embed_request(
        "text-embedding-005", ["a", "b"], dimensions=64, input_type="search_query", vertex_project="ignored"
    )
    assert req.url == BASE + "/publishers/google/models/text-embedding-005:predict"
    assert req.json == {
        "instances": [
            {"content": "a", "task_type": "RETRIEVAL_QUERY"},
            {"content": "b", "task_type": "RETRIEVAL_QUERY"},
        ],
        "parameters": {"outputDimensionality": 64},
    }
    assert req.headers["authorization"] == "Bearer " + TOKEN
