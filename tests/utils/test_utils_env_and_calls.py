"""litegate.utils: environment checks, key checks, provider fields, configs, load tests, raw requests."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

import litegate
from litegate import utils
from litegate.testing import FakeOpenAIServer

SRC_DIR = str(Path(__file__).resolve().parents[2] / "src")


# ---------------------------------------------------------------------------- import surface


def test_import_litegate_does_not_import_utils():
    code = "import sys, litegate; print('litegate.utils' in sys.modules, 'litegate.budget' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": SRC_DIR, "PATH": ""},
        check=True,
    ).stdout
    assert out.split() == ["False", "False"]


def test_reexports_are_the_real_objects():
    import litegate.tokens as tokens
    from litegate.core.resolve import get_llm_provider
    from litegate.cost import calculator, registry
    from litegate.types.streaming import stream_chunk_builder
    from litegate.types.utils import Message, ModelResponse, Usage

    assert utils.token_counter is tokens.token_counter
    assert utils.encode is tokens.encode and utils.decode is tokens.decode
    assert utils.create_pretrained_tokenizer is tokens.create_pretrained_tokenizer
    assert utils.create_tokenizer is tokens.create_tokenizer
    assert utils.openai_token_counter is tokens.openai_token_counter
    assert utils.completion_cost is calculator.completion_cost
    assert utils.cost_per_token is calculator.cost_per_token
    assert utils.response_cost_calculator is calculator.response_cost_calculator
    assert utils.register_model is registry.register_model
    assert utils.get_llm_provider is get_llm_provider
    assert utils.stream_chunk_builder is stream_chunk_builder
    assert (utils.ModelResponse, utils.Message, utils.Usage) == (ModelResponse, Message, Usage)
    from litegate.utils import ModelResponse as imported  # noqa: F401

    assert imported is ModelResponse
    with pytest.raises(AttributeError):
        utils.no_such_helper  # noqa: B018


def test_model_info_reexports_when_available():
    info = pytest.importorskip("litegate.cost.info")
    assert utils.get_model_info is info.get_model_info
    assert utils.get_max_tokens is info.get_max_tokens
    assert utils.supports_function_calling is info.supports_function_calling
    assert utils.get_valid_models is info.get_valid_models


def test_get_utc_datetime():
    now = utils.get_utc_datetime()
    assert now.tzinfo is not None and now.utcoffset() == dt.timedelta(0)
    assert abs((dt.datetime.now(dt.timezone.utc) - now).total_seconds()) < 5
    assert (now - dt.timedelta(days=1)).date() <= now.date()


# ---------------------------------------------------------------------------- validate_environment


def test_validate_environment_missing_and_present(monkeypatch):
    assert utils.validate_environment("gpt-4o") == {"keys_in_environment": False, "missing_keys": ["OPENAI_API_KEY"]}
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-123")
    assert utils.validate_environment("gpt-4o") == {"keys_in_environment": True, "missing_keys": []}
    assert utils.validate_environment("openai/gpt-4o-mini")["keys_in_environment"] is True


def test_validate_environment_api_key_argument_counts():
    assert utils.validate_environment("groq/llama-3.1-8b-instant")["missing_keys"] == ["GROQ_API_KEY"]
    assert utils.validate_environment("groq/llama-3.1-8b-instant", api_key="gsk_x") == {
        "keys_in_environment": True,
        "missing_keys": [],
    }


def test_validate_environment_alternative_env_names(monkeypatch):
    monkeypatch.setenv("TOGETHER_API_KEY", "t")  # one of the names litellm users rely on
    assert utils.validate_environment("together_ai/meta-llama/Llama-3-8b")["keys_in_environment"] is True


def test_validate_environment_azure_needs_base(monkeypatch):
    result = utils.validate_environment("azure/my-deployment")
    assert result == {"keys_in_environment": False, "missing_keys": ["AZURE_API_KEY", "AZURE_API_BASE"]}
    monkeypatch.setenv("AZURE_API_KEY", "k")
    assert utils.validate_environment("azure/my-deployment")["missing_keys"] == ["AZURE_API_BASE"]
    assert utils.validate_environment("azure/my-deployment", api_base="https://x.openai.azure.com") == {
        "keys_in_environment": True,
        "missing_keys": [],
    }
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://x.openai.azure.com")
    assert utils.validate_environment("azure/my-deployment")["keys_in_environment"] is True


def test_validate_environment_non_key_credentials(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION_NAME", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    assert utils.validate_environment("bedrock/anthropic.claude-v2")["missing_keys"] == [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_REGION_NAME",
    ]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIA...")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    assert utils.validate_environment("bedrock/anthropic.claude-v2")["keys_in_environment"] is True


def test_validate_environment_keyless_and_unknown():
    assert utils.validate_environment("ollama/llama3") == {"keys_in_environment": True, "missing_keys": []}
    assert utils.validate_environment(None) == {"keys_in_environment": False, "missing_keys": []}
    assert utils.validate_environment("no-such-provider/x") == {"keys_in_environment": False, "missing_keys": []}


# ---------------------------------------------------------------------------- check_valid_key


def test_check_valid_key_against_server():
    with FakeOpenAIServer(require_key="sk-good-key-123") as srv:
        assert utils.check_valid_key("gpt-4o-mini", "sk-good-key-123", api_base=srv.base_url) is True
        body = srv.last_request.json
        assert body["max_tokens"] == 1 and body["model"] == "gpt-4o-mini"
        assert utils.check_valid_key("gpt-4o-mini", "sk-bad-key-456", api_base=srv.base_url) is False
        assert srv.hits("/chat/completions") == 2  # no retries on the failure


def test_check_valid_key_uses_configured_base(monkeypatch):
    with FakeOpenAIServer(require_key="sk-good-key-123") as srv:
        monkeypatch.setenv("OPENAI_API_BASE", srv.base_url)
        assert utils.check_valid_key("gpt-4o-mini", "sk-good-key-123") is True
        assert utils.check_valid_key("gpt-4o-mini", "sk-wrong") is False
        srv.enqueue_error(500)
        assert utils.check_valid_key("gpt-4o-mini", "sk-good-key-123") is False  # other failures too


# ---------------------------------------------------------------------------- provider fields


def test_get_provider_fields_shapes():
    fields = utils.get_provider_fields("openai")
    assert [f["field_name"] for f in fields] == ["api_key", "api_base"]
    for f in fields:
        assert set(f) == {"field_name", "field_type", "field_description", "field_value"}
        assert f["field_type"] == "string" and f["field_description"]
    assert "OPENAI_API_KEY" in fields[0]["field_description"]
    assert fields[1]["field_value"] == "https://api.openai.com/v1"


def test_get_provider_fields_per_provider():
    azure = {f["field_name"]: f for f in utils.get_provider_fields("azure")}
    assert set(azure) == {"api_key", "api_base", "api_version"}
    from litegate.constants import AZURE_DEFAULT_API_VERSION

    assert azure["api_version"]["field_value"] == AZURE_DEFAULT_API_VERSION
    ollama = {f["field_name"]: f for f in utils.get_provider_fields("ollama")}
    assert ollama["api_base"]["field_value"] == "http://localhost:11434"
    assert "Optional" in ollama["api_key"]["field_description"]
    vertex = [f["field_name"] for f in utils.get_provider_fields("vertex_ai")]
    assert "vertexai_project" in vertex and "vertexai_location" in vertex
    assert utils.get_provider_fields("not-a-provider") == []


# ---------------------------------------------------------------------------- read_config_args


def test_read_config_args_json(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"model": "gpt-4o", "temperature": 0.2, "nested": {"a": [1, 2]}}))
    assert utils.read_config_args(str(path)) == {"model": "gpt-4o", "temperature": 0.2, "nested": {"a": [1, 2]}}
    assert utils.read_config_args(path) == utils.read_config_args(str(path))


def test_read_config_args_yaml(tmp_path):
    pytest.importorskip("yaml")
    path = tmp_path / "config.yaml"
    path.write_text("model: gpt-4o\nfallbacks:\n  - gpt-4o-mini\nmax_tokens: 100\n")
    assert utils.read_config_args(path) == {"model": "gpt-4o", "fallbacks": ["gpt-4o-mini"], "max_tokens": 100}


def test_read_config_args_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        utils.read_config_args(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(json.JSONDecodeError):
        utils.read_config_args(bad)
    wrong = tmp_path / "list.json"
    wrong.write_text("[1, 2]")
    with pytest.raises(ValueError, match="mapping"):
        utils.read_config_args(wrong)


# ---------------------------------------------------------------------------- load_test_model


def test_load_test_model_success(server):
    result = utils.load_test_model(
        "gpt-4o-mini",
        custom_llm_provider="openai",
        api_base=server.base_url,
        prompt="ping",
        num_calls=7,
        force_timeout=20,
        api_key="sk-test",
    )
    assert result["status"] == "success"
    assert result["calls_made"] == 7
    assert result["exception"] is None
    assert result["total_response_time"] > 0
    assert server.hits("/chat/completions") == 7
    assert {r.json["messages"][0]["content"] for r in server.requests} == {"ping"}


def test_load_test_model_failure():
    with FakeOpenAIServer(require_key="sk-right") as srv:
        result = utils.load_test_model(
            "gpt-4o-mini", api_base=srv.base_url, num_calls=3, api_key="sk-wrong", num_retries=0
        )
    assert result["status"] == "failed"
    assert isinstance(result["exception"], litegate.exceptions.AuthenticationError)
    assert result["calls_made"] == 3


# ---------------------------------------------------------------------------- return_raw_request


def test_return_raw_request_chat_is_not_sent(server):
    key = "sk-live-abcdefghijklmnopqrstuvwx"
    raw = utils.return_raw_request(
        "completion",
        {
            "model": "gpt-4o-mini",
            "messages": [{"role": "user", "content": "hi"}],
            "temperature": 0.3,
            "api_key": key,
            "api_base": server.base_url,
            "tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}],
        },
    )
    assert raw["error"] is None
    assert raw["raw_request_api_base"] == server.base_url + "/chat/completions"
    body = raw["raw_request_body"]
    assert body["model"] == "gpt-4o-mini" and body["temperature"] == 0.3
    assert body["messages"] == [{"role": "user", "content": "hi"}]
    assert body["tools"][0]["function"]["name"] == "f"
    assert raw["raw_request_headers"]["authorization"] != "Bearer " + key
    assert key not in json.dumps(raw)
    assert server.hits() == 0  # built, never sent


def test_return_raw_request_default_key_and_enum_endpoint(monkeypatch):
    import enum

    class CallTypes(enum.Enum):
        completion = "completion"

    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env-should-not-appear-123")
    raw = utils.return_raw_request(
        CallTypes.completion, {"model": "gpt-4o", "messages": [{"role": "user", "content": "x"}], "stream": True}
    )
    assert raw["raw_request_api_base"] == "https://api.openai.com/v1/chat/completions"
    assert raw["raw_request_body"]["stream"] is True
    assert "sk-from-env" not in json.dumps(raw)


def test_return_raw_request_embedding_and_errors():
    raw = utils.return_raw_request("aembedding", {"model": "text-embedding-3-small", "input": ["a", "b"]})
    assert raw["raw_request_api_base"].endswith("/embeddings")
    assert raw["raw_request_body"] == {"model": "text-embedding-3-small", "input": ["a", "b"]}
    bad = utils.return_raw_request(
        "completion", {"model": "unknown-prefix/x", "messages": [{"role": "user", "content": "x"}]}
    )
    assert set(bad) == {"error"} and "unknown-prefix" in bad["error"]
    with pytest.raises(ValueError, match="image_generation"):
        utils.return_raw_request("image_generation", {"model": "dall-e-3", "prompt": "x"})
