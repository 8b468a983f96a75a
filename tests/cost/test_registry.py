"""The model registry: packaged data, name lookup, register_model, derived model lists."""

from __future__ import annotations

import csv
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import pytest

from litegate.cost import registry
from litegate.cost.registry import find_model, get_model_entry, model_cost, register_model

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(__file__).resolve().parents[3] / "shared"
REFERENCE_DIR = SHARED / "reference" / "registry"
REFERENCE_JSON = REFERENCE_DIR / "litellm_model_prices_and_context_window.json"
REFERENCE_CSV = REFERENCE_DIR / "models.csv"
DATA_FILE = ROOT / "src" / "litegate" / "data" / "models.json"


@pytest.fixture
def restore_registry():
    """Put model_cost back exactly as it was (entries restored in place) after the test."""
    saved = {name: dict(entry) for name, entry in model_cost.items()}
    yield
    with registry._lock:
        for name in list(model_cost):
            if name not in saved:
                del model_cost[name]
                registry._lower.pop(name.lower(), None)
            else:
                model_cost[name].clear()
                model_cost[name].update(saved[name])
        registry._lower.clear()
        registry._index(model_cost)
    for listener in list(registry._listeners):
        listener()


@pytest.fixture(scope="module")
def reference() -> dict:
    if not REFERENCE_JSON.exists():
        pytest.skip("shared/reference/registry is not checked out beside the repository")
    return json.loads(REFERENCE_JSON.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------
# the packaged data
# --------------------------------------------------------------------------------------------


def test_data_loads_with_several_hundred_entries():
    assert len(model_cost) >= 300
    providers = {registry.provider_group(e["litellm_provider"]) for e in model_cost.values()}
    for expected in (
        "openai",
        "azure",
        "anthropic",
        "gemini",
        "vertex_ai",
        "bedrock",
        "cohere",
        "mistral",
        "groq",
        "together_ai",
        "fireworks_ai",
        "deepinfra",
        "perplexity",
        "xai",
        "deepseek",
        "cerebras",
        "ollama",
        "voyage",
    ):
        assert expected in providers, expected


def test_every_entry_has_provider_mode_and_sane_numbers():
    for name, entry in model_cost.items():
        assert isinstance(entry.get("litellm_provider"), str) and entry["litellm_provider"], name
        assert entry.get("mode") in registry.MODES, (name, entry.get("mode"))
        for key, value in entry.items():
            if "cost" in key and not isinstance(value, dict):
                assert isinstance(value, float) and value >= 0, (name, key, value)
            if key.startswith("max_"):
                assert isinstance(value, int) and value >= 0, (name, key, value)
            if key.startswith("supports_"):
                assert isinstance(value, bool), (name, key)
        if entry.get("max_output_tokens"):  # 0 for moderation models: then the input limit, as litellm
            assert entry["max_tokens"] == entry["max_output_tokens"], name


def test_data_file_is_our_format_with_exact_prices():
    doc = json.loads(DATA_FILE.read_text(encoding="utf-8"), parse_float=Decimal)
    assert doc["format"] == "litegate-models"
    seen = 0
    for _group, block in doc["providers"].items():
        lp = block["litellm_provider"]
        for name, short in block["models"].items():
            entry = model_cost[name]
            assert entry["litellm_provider"] == short.get("lp", lp)
            for pname, value in short.get("price", {}).items():
                key, per_million = registry._long_price_key(pname, name)
                expected = float(Decimal(value) / 10**6) if per_million else float(Decimal(value))
                assert entry[key] == expected, (name, pname)  # correctly rounded, to the last bit
                seen += 1
    assert seen > 1000


def test_prices_match_the_public_reference(reference):
    names = sorted(n for n in model_cost if n in reference)
    assert len(names) == len(model_cost)  # every entry comes from the reference
    sample = names[::5] + [
        "gpt-4o",
        "gpt-4o-mini",
        "claude-sonnet-4-5",
        "gemini/gemini-2.5-pro",
        "groq/openai/gpt-oss-120b",
        "text-embedding-3-small",
        "whisper-1",
        "tts-1",
        "azure/gpt-4o",
        "anthropic.claude-sonnet-4-20250514-v1:0",
        "voyage/voyage-3.5",
    ]
    for name in sample:
        ours, theirs = model_cost[name], reference[name]
        for key, value in ours.items():
            if key == "max_tokens" and "max_tokens" not in theirs:
                continue  # derived: max_output_tokens, else max_input_tokens
            if key == "mode" and "mode" not in theirs:
                continue
            assert key in theirs, (name, key)
            if isinstance(value, float):
                assert value == float(theirs[key]), (name, key, value, theirs[key])
            else:
                assert value == theirs[key], (name, key)


def test_hand_checked_prices():
    gpt4o = model_cost["gpt-4o"]
    assert gpt4o["input_cost_per_token"] == 2.5e-06
    assert gpt4o["output_cost_per_token"] == 1e-05
    assert gpt4o["cache_read_input_token_cost"] == 1.25e-06
    assert gpt4o["max_input_tokens"] == 128000 and gpt4o["max_output_tokens"] == 16384
    sonnet = model_cost["claude-sonnet-4-5"]
    assert (sonnet["input_cost_per_token"], sonnet["output_cost_per_token"]) == (3e-06, 1.5e-05)
    assert sonnet["cache_creation_input_token_cost"] == 3.75e-06
    assert sonnet["cache_read_input_token_cost"] == 3e-07
    assert model_cost["tts-1"]["input_cost_per_character"] == 1.5e-05
    assert model_cost["whisper-1"]["input_cost_per_second"] == 0.0001
    assert model_cost["ollama/llama3.1"]["input_cost_per_token"] == 0.0
    assert model_cost["text-embedding-3-small"]["mode"] == "embedding"


def test_curated_reference_models_are_all_present():
    if not REFERENCE_CSV.exists():
        pytest.skip("shared/reference/registry is not checked out beside the repository")
    with REFERENCE_CSV.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    missing = [row["model"] for row in rows if row["model"] not in model_cost]
    assert not missing, missing
    for row in rows:
        entry = model_cost[row["model"]]
        if row["input_usd_per_1m_tokens"]:
            assert entry["input_cost_per_token"] == pytest.approx(float(row["input_usd_per_1m_tokens"]) / 1e6)
        if row["max_input_tokens"]:
            assert entry["max_input_tokens"] == int(row["max_input_tokens"])


def test_generator_reproduces_the_data_file(tmp_path, reference):
    out = tmp_path / "models.json"
    pin = ["--pin", str(REFERENCE_CSV)] if REFERENCE_CSV.exists() else []
    run = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_registry.py"), str(REFERENCE_JSON), *pin, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert out.read_text(encoding="utf-8") == DATA_FILE.read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------
# lookup
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model, provider, expected",
    [
        ("gpt-4o", None, "gpt-4o"),
        ("openai/gpt-4o", None, "gpt-4o"),
        ("gpt-4o", "openai", "gpt-4o"),
        ("openai/gpt-4o", "openai", "gpt-4o"),
        ("azure/gpt-4o", None, "azure/gpt-4o"),
        ("gpt-4o", "azure", "azure/gpt-4o"),
        ("gpt-4o-2024-08-06", "azure", "azure/gpt-4o-2024-08-06"),
        ("azure/gpt-35-turbo", None, "azure/gpt-35-turbo"),
        ("groq/openai/gpt-oss-120b", None, "groq/openai/gpt-oss-120b"),
        ("openai/gpt-oss-120b", "groq", "groq/openai/gpt-oss-120b"),
        ("claude-sonnet-4-5", None, "claude-sonnet-4-5"),
        ("anthropic/claude-sonnet-4-5-20250929", None, "claude-sonnet-4-5-20250929"),
        ("claude-sonnet-4-5", "anthropic", "claude-sonnet-4-5"),
        ("gemini/gemini-2.5-pro", None, "gemini/gemini-2.5-pro"),
        ("gemini-2.5-pro", "gemini", "gemini/gemini-2.5-pro"),
        ("gemini-2.5-pro", "vertex_ai", "gemini-2.5-pro"),
        ("vertex_ai/gemini-2.5-pro", None, "gemini-2.5-pro"),
        ("vertex_ai/claude-sonnet-4-5", None, "vertex_ai/claude-sonnet-4-5"),
        ("bedrock/anthropic.claude-sonnet-4-20250514-v1:0", None, "anthropic.claude-sonnet-4-20250514-v1:0"),
        (
            "bedrock/converse/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            None,
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        ),
        ("anthropic.claude-sonnet-4-20250514-v1:0", "bedrock", "anthropic.claude-sonnet-4-20250514-v1:0"),
        ("mistral/mistral-large-latest", None, "mistral/mistral-large-latest"),
        ("mistral-large-latest", "mistral", "mistral/mistral-large-latest"),
        ("cohere_chat/command-a-03-2025", None, "command-a-03-2025"),
        ("command-a-03-2025", "cohere", "command-a-03-2025"),
        ("text-completion-openai/gpt-3.5-turbo-instruct", None, "gpt-3.5-turbo-instruct"),
        ("ollama_chat/llama3.1", None, "ollama/llama3.1"),
        ("deepseek/deepseek-chat", None, "deepseek/deepseek-chat"),
        ("deepseek-chat", None, "deepseek-chat"),
        ("grok-4.3", "xai", "xai/grok-4.3"),
        ("voyage/voyage-3.5", None, "voyage/voyage-3.5"),
        ("perplexity/sonar-pro", None, "perplexity/sonar-pro"),
        ("GPT-4o", None, "gpt-4o"),  # case differences only
        ("together_ai/moonshotai/kimi-k2-instruct", None, "together_ai/moonshotai/Kimi-K2-Instruct"),
    ],
)
def test_lookup_by_every_name_form(model, provider, expected):
    assert find_model(model, provider) == expected
    assert get_model_entry(model, provider) is model_cost[expected]


def test_lookup_never_crosses_providers():
    assert find_model("gpt-4o", "groq") is None
    assert find_model("groq/gpt-4o") is None
    assert find_model("claude-sonnet-4-5", "bedrock") is None  # Bedrock prices it under its own ids
    assert find_model("gemini/gemini-2.5-pro", "vertex_ai") is None
    assert find_model("azure/my-own-deployment-name") is None
    assert find_model("perplexity/perplexity/sonar") is None  # not perplexity/sonar
    assert find_model("bedrock_mantle/anthropic.claude-sonnet-4-6") is None  # another service, other prices
    assert find_model("llama-3.1-8b") is None  # a bare name is never guessed onto some host
    assert find_model("") is None
    assert get_model_entry("no-such-model") is None


def test_dated_names_fall_back_to_the_same_model_only():
    assert find_model("gpt-4o-2099-01-01") == "gpt-4o"
    assert find_model("claude-sonnet-4-5-20991231") == "claude-sonnet-4-5"
    assert find_model("azure/gpt-4.1-2099-12-31") == "azure/gpt-4.1"
    assert find_model("vertex_ai/claude-sonnet-4-5@20991231") == "vertex_ai/claude-sonnet-4-5"
    # an existing snapshot keeps its own (different) price
    assert find_model("gpt-4o-2024-05-13") == "gpt-4o-2024-05-13"
    assert model_cost["gpt-4o-2024-05-13"]["input_cost_per_token"] != model_cost["gpt-4o"]["input_cost_per_token"]
    # no family guessing: neither a shorter prefix nor a different version
    assert find_model("gpt-4o-turbo-2099-01-01") is None
    assert find_model("gpt-9-2099-01-01") is None
    assert find_model("claude-sonnet-4-9-20991231") is None
    assert find_model("gpt-4o-mini-2099-01-01") == "gpt-4o-mini"


def test_fine_tuned_openai_models_use_the_fine_tuning_price():
    assert find_model("ft:gpt-4o-mini-2024-07-18:my-org:custom:abc123") == "ft:gpt-4o-mini-2024-07-18"
    assert find_model("ft:gpt-4o-mini-2024-07-18:my-org::abc123", "openai") == "ft:gpt-4o-mini-2024-07-18"
    assert find_model("ft:gpt-99:my-org::abc") is None


# --------------------------------------------------------------------------------------------
# register_model
# --------------------------------------------------------------------------------------------


def test_register_model_with_a_dict(restore_registry):
    returned = register_model(
        {
            "acme/model-x": {
                "litellm_provider": "openai",
                "mode": "chat",
                "input_cost_per_token": 1e-06,
                "output_cost_per_token": 2e-06,
                "max_tokens": 4096,
                "supports_vision": True,
            }
        }
    )
    assert "acme/model-x" in returned
    entry = model_cost["acme/model-x"]
    assert entry["input_cost_per_token"] == 1e-06 and entry["supports_vision"] is True
    assert get_model_entry("acme/model-x") is entry
    assert get_model_entry("ACME/Model-X") is entry


def test_register_model_overrides_an_existing_price_and_keeps_the_rest(restore_registry):
    before = dict(model_cost["gpt-4o"])
    register_model({"openai/gpt-4o": {"input_cost_per_token": 9e-06, "output_cost_per_token": None}})
    entry = model_cost["gpt-4o"]
    assert "openai/gpt-4o" not in model_cost  # merged into the entry the name resolves to
    assert entry["input_cost_per_token"] == 9e-06
    assert entry["output_cost_per_token"] == before["output_cost_per_token"]  # None changes nothing
    assert entry["max_input_tokens"] == before["max_input_tokens"]
    assert entry["supports_vision"] is True


def test_register_model_spec_example(restore_registry):
    from litegate.cost.info import get_model_info

    register_model(
        {
            "gpt-4": {
                "max_tokens": 8192,
                "litellm_provider": "openai",
                "mode": "chat",
                "input_cost_per_token": 0.00003,
                "output_cost_per_token": 0.00006,
            }
        }
    )
    assert get_model_info("gpt-4")["max_tokens"] == 8192
    assert get_model_info("gpt-4")["input_cost_per_token"] == 0.00003


def test_register_model_does_not_guess_a_dated_name_onto_its_alias(restore_registry):
    register_model({"gpt-4o-2099-01-01": {"litellm_provider": "openai", "input_cost_per_token": 1e-07}})
    assert model_cost["gpt-4o-2099-01-01"]["input_cost_per_token"] == 1e-07
    assert model_cost["gpt-4o"]["input_cost_per_token"] == 2.5e-06


def test_register_model_from_a_litellm_json_file(tmp_path, restore_registry):
    path = tmp_path / "prices.json"
    path.write_text(
        json.dumps(
            {
                "sample_spec": {"max_input_tokens": "max input tokens, if the provider specifies it"},
                "my-finetune-v3": {
                    "litellm_provider": "together_ai",
                    "mode": "chat",
                    "max_input_tokens": 32768,
                    "input_cost_per_token": 5e-07,
                    "output_cost_per_token": 1.5e-06,
                },
                "claude-sonnet-4-5": {"output_cost_per_token": 1.6e-05},
            }
        ),
        encoding="utf-8",
    )
    register_model(str(path))
    assert "sample_spec" not in model_cost
    assert model_cost["my-finetune-v3"]["max_input_tokens"] == 32768
    assert find_model("together_ai/my-finetune-v3") == "my-finetune-v3"
    assert model_cost["claude-sonnet-4-5"]["output_cost_per_token"] == 1.6e-05
    register_model(path)  # a Path works too
    assert model_cost["my-finetune-v3"]["output_cost_per_token"] == 1.5e-06


def test_register_model_in_our_format(restore_registry):
    register_model(
        {
            "format": "litegate-models",
            "providers": {
                "groq": {
                    "litellm_provider": "groq",
                    "models": {
                        "groq/llama-3.1-8b-instant": {
                            "max_in": 131072,
                            "max_out": 131072,
                            "price": {"in": 0.05, "out": 0.08},
                            "supports": ["function_calling", "tool_choice"],
                        },
                    },
                },
                "openai": {"models": {"gpt-4o": {"price": {"in": 2}}}},
            },
        }
    )
    entry = model_cost["groq/llama-3.1-8b-instant"]
    assert entry["input_cost_per_token"] == 5e-08 and entry["output_cost_per_token"] == 8e-08
    assert entry["max_tokens"] == 131072 and entry["mode"] == "chat" and entry["litellm_provider"] == "groq"
    assert entry["supports_function_calling"] is True
    assert find_model("llama-3.1-8b-instant", "groq") == "groq/llama-3.1-8b-instant"
    assert model_cost["gpt-4o"]["input_cost_per_token"] == 2e-06
    assert model_cost["gpt-4o"]["output_cost_per_token"] == 1e-05  # merged, not replaced


def test_register_model_rejects_bad_input(tmp_path, restore_registry):
    with pytest.raises(ValueError, match="must be an object"):
        register_model({"x": 3})
    with pytest.raises(ValueError, match="non-negative"):
        register_model({"x": {"input_cost_per_token": -1}})
    with pytest.raises(ValueError, match="must be a number"):
        register_model({"x": {"input_cost_per_token": "cheap"}})
    with pytest.raises(ValueError, match="unknown price name"):
        register_model({"format": "litegate-models", "providers": {"openai": {"models": {"x": {"price": {"inn": 1}}}}}})
    with pytest.raises(ValueError, match="unknown capability"):
        register_model(
            {"format": "litegate-models", "providers": {"openai": {"models": {"x": {"supports": ["telepathy"]}}}}}
        )
    with pytest.raises(FileNotFoundError, match="no such file"):
        register_model(str(tmp_path / "missing.json"))
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid JSON"):
        register_model(str(bad))
    with pytest.raises(TypeError):
        register_model(42)  # type: ignore[arg-type]
    assert "x" not in model_cost


def test_register_model_accepts_litellm_s_whole_file(reference, restore_registry):
    register_model(str(REFERENCE_JSON))
    unresolved = [name for name in reference if name != "sample_spec" and find_model(name) is None]
    assert not unresolved
    # names that are another spelling of a stored name ("gemini/x" for "x" of provider gemini)
    # update that entry, as in litellm; every other name is stored as given
    assert len(model_cost) >= len(reference) - 40
    assert model_cost["gpt-4o"]["input_cost_per_token"] == reference["gpt-4o"]["input_cost_per_token"]
    assert (
        model_cost["perplexity/perplexity/sonar"]["input_cost_per_token"]
        == reference["perplexity/perplexity/sonar"]["input_cost_per_token"]
    )
    assert find_model("bedrock_mantle/anthropic.claude-opus-5-5") == "bedrock_mantle/anthropic.claude-opus-5-5"


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, bytes]] = {}

    def do_GET(self):  # noqa: N802 - http.server's naming
        status, body = self.routes.get(self.path, (404, b"not found"))
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def price_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Handler.routes
    server.shutdown()
    server.server_close()
    _Handler.routes.clear()


def test_register_model_from_a_url(price_server, restore_registry):
    base, routes = price_server
    routes["/prices.json"] = (
        200,
        json.dumps(
            {
                "remote-model": {
                    "litellm_provider": "deepinfra",
                    "mode": "chat",
                    "input_cost_per_token": 3e-07,
                    "output_cost_per_token": 6e-07,
                    "max_input_tokens": 65536,
                },
            }
        ).encode(),
    )
    routes["/garbage"] = (200, b"<html>")
    register_model(base + "/prices.json")
    assert model_cost["remote-model"]["output_cost_per_token"] == 6e-07
    with pytest.raises(ConnectionError, match="HTTP 404"):
        register_model(base + "/missing.json")
    with pytest.raises(ValueError, match="valid JSON"):
        register_model(base + "/garbage")


def test_register_model_url_failure_is_clear():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    with pytest.raises(ConnectionError, match="register_model: fetching"):
        register_model(f"http://127.0.0.1:{port}/prices.json", timeout=2)


def test_register_model_is_thread_safe(restore_registry):
    errors = []

    def worker(n):
        try:
            for i in range(50):
                register_model({f"thread-{n}-model-{i}": {"litellm_provider": "openai", "input_cost_per_token": 1e-06}})
                assert get_model_entry("gpt-4o") is not None
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert all(f"thread-{n}-model-{i}" in model_cost for n in range(8) for i in range(50))


# --------------------------------------------------------------------------------------------
# derived lists
# --------------------------------------------------------------------------------------------


def test_lists_are_derived_from_the_registry():
    from litegate.core.resolve import provider_list
    from litegate.cost import lists

    def group(name):
        return registry.provider_group(model_cost[name]["litellm_provider"])

    assert lists.model_list == list(model_cost)
    for name in lists.__all__:
        assert isinstance(getattr(lists, name), (list, dict)), name
    for list_name, provider in (
        ("groq_models", "groq"),
        ("anthropic_models", "anthropic"),
        ("bedrock_models", "bedrock"),
        ("vertex_models", "vertex_ai"),
        ("mistral_models", "mistral"),
        ("ollama_models", "ollama"),
        ("together_ai_models", "together_ai"),
        ("deepinfra_models", "deepinfra"),
        ("perplexity_models", "perplexity"),
        ("xai_models", "xai"),
        ("deepseek_models", "deepseek"),
        ("gemini_models", "gemini"),
        ("azure_models", "azure"),
        ("fireworks_ai_models", "fireworks_ai"),
        ("cerebras_models", "cerebras"),
        ("cohere_models", "cohere"),
        ("replicate_models", "replicate"),
        ("ai21_models", "ai21"),
        ("baseten_models", "baseten"),
        ("nlp_cloud_models", "nlp_cloud"),
    ):
        values = getattr(lists, list_name)
        assert values == [n for n in model_cost if group(n) == provider], list_name
        if provider in provider_list:  # models_by_provider holds the usable providers only
            assert lists.models_by_provider[provider] is values
    for name in ("huggingface_models", "aleph_alpha_models", "openrouter_models"):
        assert isinstance(getattr(lists, name), list)  # named by the spec; empty where the data has none
    assert all(
        model_cost[n]["litellm_provider"] == "openai" and model_cost[n]["mode"] in ("chat", "responses")
        for n in lists.open_ai_chat_completion_models
    )
    assert "gpt-4o" in lists.open_ai_chat_completion_models
    assert "text-embedding-3-small" in lists.open_ai_embedding_models
    assert "gpt-3.5-turbo-instruct" in lists.open_ai_completion_models
    assert lists.open_ai_completion_models is lists.open_ai_text_completion_models
    assert set(lists.models_by_provider["openai"]) >= set(lists.models_by_provider["text-completion-openai"])


def test_every_provider_in_provider_list_has_a_models_entry():
    from litegate.core.resolve import provider_list
    from litegate.cost.lists import models_by_provider

    assert set(provider_list) == set(models_by_provider)  # exactly the providers that work
    assert "petals" not in models_by_provider
    assert models_by_provider["ollama_chat"] is models_by_provider["ollama"]


def test_register_model_updates_the_lists_in_place(restore_registry):
    from litegate.cost import lists

    groq_models = lists.groq_models
    register_model(
        {
            "groq/brand-new-model": {
                "litellm_provider": "groq",
                "mode": "chat",
                "input_cost_per_token": 1e-07,
                "output_cost_per_token": 1e-07,
            }
        }
    )
    assert "groq/brand-new-model" in groq_models
    assert "groq/brand-new-model" in lists.model_list
    assert "groq/brand-new-model" in lists.models_by_provider["groq"]


# --------------------------------------------------------------------------------------------
# lazy loading
# --------------------------------------------------------------------------------------------


def _python(code: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.strip()


def test_import_litegate_does_not_load_the_registry():
    assert _python("import sys, litegate; print('litegate.cost.registry' in sys.modules)") == "False"


def test_importing_the_registry_module_reads_no_data_until_used():
    code = (
        "import litegate.cost.registry as r; print('model_cost' in vars(r)); "
        "r.get_model_entry('gpt-4o'); print('model_cost' in vars(r))"
    )
    assert _python(code).split() == ["False", "True"]
