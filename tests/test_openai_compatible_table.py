"""Checks for the OpenAI-compatible provider table (src/litegate/providers/openai_compatible.py).

Besides shape checks, the rows are cross-checked against the offline reference collection that
sits beside the repository (``<checkout>/../shared``); those checks skip when it is absent.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from litegate.providers import openai_compatible as oc
from litegate.providers.openai_compatible import NAMES, PROVIDERS, CompatProvider, get

SHARED = Path(__file__).resolve().parents[2] / "shared"
REFERENCE = SHARED / "reference"

# Written out here on purpose: the module's constant must not drift from this list.
EXPECTED_OPENAI_PARAMS = {
    "temperature",
    "top_p",
    "n",
    "stop",
    "max_tokens",
    "max_completion_tokens",
    "presence_penalty",
    "frequency_penalty",
    "logit_bias",
    "user",
    "response_format",
    "seed",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "logprobs",
    "top_logprobs",
    "stream_options",
    "functions",
    "function_call",
    "modalities",
    "audio",
    "prediction",
    "reasoning_effort",
    "service_tier",
    "store",
}
EXPECTED_ENDPOINTS = {
    "chat",
    "embedding",
    "text_completion",
    "image",
    "audio_transcription",
    "audio_speech",
    "rerank",
    "moderation",
}
REQUIRED = {
    "groq",
    "together_ai",
    "mistral",
    "deepinfra",
    "perplexity",
    "openrouter",
    "fireworks_ai",
    "xai",
    "deepseek",
    "cerebras",
    "nvidia_nim",
    "hosted_vllm",
    "lm_studio",
}
LOCAL_HOSTS = {"localhost", "127.0.0.1"}
# hosted, keyed services whose every customer deployment has its own host (Aleph Alpha PhariaAI)
PER_DEPLOYMENT_HOSTS = {"aleph_alpha", "databricks"}
ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
ROWS = sorted(PROVIDERS.values(), key=lambda r: r.name)


def _ids(rows):
    return [r.name for r in rows]


def _need(path: Path) -> Path:
    if not SHARED.is_dir():
        pytest.skip("reference collection (../shared) not checked out beside the repository")
    if not path.exists():
        pytest.fail(f"reference file missing from the shared collection: {path.relative_to(SHARED)}")
    return path


# --- table shape --------------------------------------------------------------------------------


def test_param_and_endpoint_vocabularies():
    assert oc.OPENAI_CHAT_PARAMS == EXPECTED_OPENAI_PARAMS
    assert oc.ENDPOINT_KINDS == EXPECTED_ENDPOINTS


def test_required_rows_present():
    missing = REQUIRED - set(PROVIDERS)
    assert not missing, f"required rows missing: {sorted(missing)}"


def test_names_and_get():
    assert NAMES == frozenset(PROVIDERS)
    assert isinstance(NAMES, frozenset)
    for name, row in PROVIDERS.items():
        assert isinstance(row, CompatProvider)
        assert row.name == name
        assert get(name) is row
    assert get("no-such-provider") is None
    assert get("") is None


@pytest.mark.parametrize("row", ROWS, ids=_ids(ROWS))
def test_api_base_shape(row: CompatProvider):
    if row.api_base is None:
        # Only self-hosted servers (and hosted services with one host per customer deployment)
        # may lack a default; they must then name a base variable.
        assert not row.key_required or row.name in PER_DEPLOYMENT_HOSTS
        assert row.base_env
        return
    base = row.api_base
    assert base == base.strip() and " " not in base
    assert not base.endswith("/"), "api_base must not end with a slash"
    assert not base.endswith("/chat/completions"), "api_base is the prefix, not the endpoint"
    parts = urlsplit(base)
    assert parts.netloc and not parts.query and not parts.fragment
    if parts.scheme == "http":
        assert parts.hostname in LOCAL_HOSTS, "plain http is only allowed for local servers"
        assert not row.key_required
    else:
        assert parts.scheme == "https"


@pytest.mark.parametrize("row", ROWS, ids=_ids(ROWS))
def test_env_and_settings_names(row: CompatProvider):
    assert row.key_env, "every row needs at least one key variable"
    for name in row.key_env + row.base_env:
        assert ENV_NAME.match(name), f"bad environment variable name {name!r}"
    assert len(set(row.key_env)) == len(row.key_env)
    assert len(set(row.base_env)) == len(row.base_env)
    assert not set(row.key_env) & set(row.base_env)
    assert row.key_settings, "every row needs at least one module setting"
    for setting in row.key_settings:
        assert setting.isidentifier() and setting == setting.lower(), setting
        assert setting.endswith("_key"), setting


@pytest.mark.parametrize("row", ROWS, ids=_ids(ROWS))
def test_params_and_endpoints(row: CompatProvider):
    assert isinstance(row.unsupported_params, frozenset)
    assert row.unsupported_params <= EXPECTED_OPENAI_PARAMS, row.unsupported_params - EXPECTED_OPENAI_PARAMS
    assert set(row.param_renames) <= EXPECTED_OPENAI_PARAMS
    assert not set(row.param_renames) & row.unsupported_params, "a param is either renamed or unsupported"
    for src, dst in row.param_renames.items():
        assert dst and dst != src
        assert dst not in row.unsupported_params
    assert isinstance(row.endpoints, frozenset)
    assert "chat" in row.endpoints
    assert row.endpoints <= EXPECTED_ENDPOINTS, row.endpoints - EXPECTED_ENDPOINTS
    assert "n" not in row.unsupported_params or row.max_n is None
    if row.max_n is not None:
        assert row.max_n >= 1
    for header, value in row.extra_headers.items():
        assert header and isinstance(value, str)


def test_rows_are_immutable():
    row = PROVIDERS["mistral"]
    with pytest.raises(TypeError):
        row.param_renames["x"] = "y"  # type: ignore[index]
    with pytest.raises(Exception):
        row.api_base = "https://example.invalid"  # type: ignore[misc]


def test_module_is_stdlib_only_and_reads_nothing():
    source = Path(oc.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    allowed = {"__future__", "collections", "dataclasses", "types", "typing"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert {a.name.split(".")[0] for a in node.names} <= allowed
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0 and node.module.split(".")[0] in allowed, node.module
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in {"open", "__import__", "eval", "exec"}


# --- specific facts -----------------------------------------------------------------------------


def test_specific_rows():
    groq = PROVIDERS["groq"]
    assert groq.api_base == "https://api.groq.com/openai/v1"
    assert {"logprobs", "top_logprobs", "logit_bias"} <= groq.unsupported_params
    assert groq.max_n == 1

    together = PROVIDERS["together_ai"]
    assert together.key_env[:3] == ("TOGETHERAI_API_KEY", "TOGETHER_AI_KEY", "TOGETHER_API_KEY")
    assert together.key_settings == ("together_ai_key", "togetherai_api_key")

    mistral = PROVIDERS["mistral"]
    assert mistral.param_renames["seed"] == "random_seed"
    assert {"logit_bias", "user", "logprobs"} <= mistral.unsupported_params
    assert mistral.base_env == ("MISTRAL_API_BASE",)

    perplexity = PROVIDERS["perplexity"]
    assert perplexity.api_base == "https://api.perplexity.ai"
    assert {"tools", "tool_choice"} <= perplexity.unsupported_params

    vllm = PROVIDERS["hosted_vllm"]
    assert vllm.api_base is None and not vllm.key_required
    assert vllm.base_env == ("HOSTED_VLLM_API_BASE", "VLLM_API_BASE")

    lm = PROVIDERS["lm_studio"]
    assert lm.api_base == "http://localhost:1234/v1" and not lm.key_required
    assert "LM_STUDIO_API_BASE" in lm.base_env

    assert PROVIDERS["openrouter"].base_env == ("OPENROUTER_API_BASE",)
    assert PROVIDERS["openrouter"].extra_headers == {}


# Spec section 3: environment variable and module-setting names it documents for these rows.
SPEC_ENV = {
    "mistral": "MISTRAL_API_KEY",
    "together_ai": "TOGETHER_AI_KEY",
    "groq": "GROQ_API_KEY",
    "perplexity": "PERPLEXITY_API_KEY",
    "openrouter": "OPENROUTER_API_KEY",
    "deepinfra": "DEEPINFRA_API_KEY",
}
SPEC_BASE_ENV = {"openrouter": "OPENROUTER_API_BASE", "hosted_vllm": "VLLM_API_BASE"}
SPEC_SETTINGS = {
    "together_ai": "together_ai_key",
    "groq": "groq_key",
    "mistral": "mistral_api_key",
    "openrouter": "openrouter_key",
    "perplexity": "perplexity_key",
    "deepinfra": "deepinfra_key",
}


def test_spec_names_are_in_rows():
    for provider, var in SPEC_ENV.items():
        assert var in PROVIDERS[provider].key_env, (provider, var)
    for provider, var in SPEC_BASE_ENV.items():
        assert var in PROVIDERS[provider].base_env, (provider, var)
    for provider, setting in SPEC_SETTINGS.items():
        assert setting in PROVIDERS[provider].key_settings, (provider, setting)


def test_spec_names_match_the_guide_text():
    text = _need(SHARED / "spec" / "litellm-sdk-guide.txt").read_text(encoding="utf-8")
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
    for name in [*SPEC_ENV.values(), *SPEC_BASE_ENV.values()]:
        assert name in words, f"{name} is not in the spec any more"
    for setting in SPEC_SETTINGS.values():
        assert f"litellm.{setting}" in text, f"litellm.{setting} is not in the spec any more"


# --- cross-checks against the reference collection ----------------------------------------------

# providers.json names -> our row names (rows not listed here are not OpenAI-compatible rows of ours)
NOTE_NAMES = {
    "groq": "groq",
    "together_ai": "together_ai",
    "mistral": "mistral",
    "deepinfra": "deepinfra",
    "perplexity": "perplexity",
    "openrouter": "openrouter",
    "fireworks_ai": "fireworks_ai",
    "xai": "xai",
    "deepseek": "deepseek",
    "vllm": "hosted_vllm",
    "lm_studio": "lm_studio",
}


def _notes() -> dict[str, dict]:
    data = json.loads(_need(REFERENCE / "openai-compatible" / "providers.json").read_text(encoding="utf-8"))
    return {entry["provider"]: entry for entry in data["providers"]}


def test_rows_agree_with_provider_notes():
    notes = _notes()
    assert set(NOTE_NAMES) <= set(notes), "providers.json lost an entry this test maps"
    for note_name, row_name in NOTE_NAMES.items():
        entry, row = notes[note_name], PROVIDERS[row_name]
        urls = [u.rstrip("/") for u in re.findall(r"https?://[^\s,;()]+", entry["base_url"])]
        assert urls, note_name
        if row.api_base is None:
            assert all(urlsplit(u).hostname in LOCAL_HOSTS for u in urls), "self-hosted default"
        else:
            assert row.api_base in urls, f"{row_name}: {row.api_base} not among {urls}"
        names = re.findall(r"[A-Z][A-Z0-9_]{2,}", entry["env"])
        assert names, note_name
        for name in names:
            if name.endswith("_BASE"):
                assert name in row.base_env, f"{row_name}: {name} missing from base_env"
            else:
                assert name in row.key_env, f"{row_name}: {name} missing from key_env"
        auth_vars = re.findall(r"\$([A-Z][A-Z0-9_]+)", entry["auth"])
        for name in auth_vars:
            assert name in row.key_env, f"{row_name}: {name} (auth header) missing from key_env"


def test_rows_agree_with_litellm_openai_like_table():
    path = _need(REFERENCE / "registry" / "litellm_openai_like_providers.json")
    table = json.loads(path.read_text(encoding="utf-8"))
    shared = set(table) & set(PROVIDERS)
    assert len(shared) >= 10, "expected the table's well-known hosts to be rows here"
    for name in sorted(shared):
        entry, row = table[name], PROVIDERS[name]
        assert row.api_base == entry["base_url"].rstrip("/"), name
        assert row.key_env[0] == entry["api_key_env"], name
        if "api_base_env" in entry:
            assert entry["api_base_env"] in row.base_env, name
        assert dict(row.param_renames) == entry.get("param_mappings", {}), name
        if "/v1/embeddings" in entry.get("supported_endpoints", ()):
            assert "embedding" in row.endpoints, name


ENDPOINT_FLAGS = {
    "embeddings": "embedding",
    "image_generations": "image",
    "audio_transcriptions": "audio_transcription",
    "audio_speech": "audio_speech",
    "rerank": "rerank",
    "moderations": "moderation",
}
# Flags in litellm's matrix that are deliberately not claimed, each with its reason.
ENDPOINT_EXCEPTIONS = {
    ("perplexity", "embedding"): "provider notes: no embeddings in the OpenAI surface",
    ("fireworks_ai", "image"): "provider notes: images live on a separate path",
    ("fireworks_ai", "audio_transcription"): "served from a separate audio host",
    ("dashscope", "image"): "not under the compatible-mode base",
    ("dashscope", "audio_speech"): "not under the compatible-mode base",
    ("nvidia_nim", "rerank"): "served from a separate retrieval host",
    ("databricks", "image"): "no image generation route under /serving-endpoints is documented",
    ("minimax", "audio_speech"): "MiniMax's speech synthesis is not documented under its OpenAI-compatible base",
}


def test_endpoints_cover_litellm_matrix():
    path = _need(REFERENCE / "registry" / "litellm_provider_endpoints_support.json")
    matrix = json.loads(path.read_text(encoding="utf-8"))["providers"]
    for name, row in PROVIDERS.items():
        flags = matrix.get(name, {}).get("endpoints", {})
        for flag, kind in ENDPOINT_FLAGS.items():
            if flags.get(flag) and (name, kind) not in ENDPOINT_EXCEPTIONS:
                assert kind in row.endpoints, f"{name}: litellm lists {flag}"


def _schema_props(spec: dict, schema: dict) -> tuple[dict, dict]:
    def deref(node):
        while isinstance(node, dict) and "$ref" in node:
            target = spec
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            node = target
        return node

    root = deref(schema)
    props: dict = {}

    def collect(node):
        node = deref(node)
        for key in ("allOf", "anyOf", "oneOf"):
            for sub in node.get(key, []):
                collect(sub)
        props.update(node.get("properties", {}))

    collect(root)
    return root, {k: deref(v) for k, v in props.items()}


# Providers whose published chat schema is closed (additionalProperties: false): every OpenAI
# parameter missing from it must be declared unsupported or renamed, except where noted.
CLOSED_SCHEMAS = {
    "groq": ("groq/openapi.yaml", "/openai/v1/chat/completions", {"stream_options"}),
    "mistral": ("mistral/openapi.yaml", "/v1/chat/completions", set()),
}


@pytest.mark.parametrize("provider", sorted(CLOSED_SCHEMAS))
def test_closed_schemas_match_declared_support(provider):
    yaml = pytest.importorskip("yaml")
    rel, path, tolerated = CLOSED_SCHEMAS[provider]
    spec = yaml.load(_need(REFERENCE / rel).read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    body = spec["paths"][path]["post"]["requestBody"]["content"]
    root, props = _schema_props(spec, next(iter(body.values()))["schema"])
    assert str(root.get("additionalProperties")).lower() == "false"
    row = PROVIDERS[provider]
    absent = EXPECTED_OPENAI_PARAMS - set(props)
    undeclared = absent - row.unsupported_params - set(row.param_renames) - tolerated
    assert not undeclared, f"{provider} schema lacks {sorted(undeclared)} but the row accepts them"
    for _old, new in row.param_renames.items():
        assert new in props, f"{provider}: rename target {new} not in schema"
    for param in row.unsupported_params & set(props):
        desc = str(props[param].get("description", "")).lower()
        assert "not" in desc and "support" in desc, f"{provider}: schema accepts {param}"
    if row.max_n is not None:
        assert int(float(props["n"]["maximum"])) == row.max_n
