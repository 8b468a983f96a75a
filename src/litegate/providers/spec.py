"""The provider registry: one ``ProviderSpec`` per provider name, the only table of provider facts.

Resolution (core/resolve.py), the utilities (``validate_environment``, ``get_provider_fields``),
cost (``get_valid_models``) and exception texts all read these rows; nothing else lists
providers. A spec is data: which dialect translates for the provider, where its credentials
come from, its default base URL, which endpoints it offers, and a few flags. The
OpenAI-compatible family is folded in from ``openai_compatible.PROVIDERS`` (one row each).

Standard library only, and no import of any translator: ``import litegate`` stays cheap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from . import openai_compatible as _compat

if TYPE_CHECKING:
    from typing import TypedDict

    from typing_extensions import Unpack

# Endpoint kinds a provider may offer (the keys of core/endpoints.ENDPOINTS that need a model).
CHAT, EMBEDDING, TEXT, IMAGE, MODERATION, RERANK = "chat", "embedding", "text", "image", "moderation", "rerank"
MODELS = "models"  # GET /models: the models a provider serves (provider-addressed, no model)
TRANSCRIPTION, SPEECH = "transcription", "speech"  # audio (core/audio.py)
# provider-addressed OpenAI platform APIs (core/platform.py)
FILES, BATCHES, FINE_TUNING, ASSISTANTS = "files", "batches", "fine_tuning", "assistants"


@dataclass(frozen=True, slots=True)
class ProviderSpec:
    name: str
    # "module:Class" of the translator in this package; None = recognised name without a translator
    dialect: str | None
    key_settings: tuple[str, ...] = ()  # module-level settings for the key, e.g. ("openai_key",)
    key_env: tuple[str, ...] = ()  # environment variables for the key, first found wins
    base_env: tuple[str, ...] = ()  # environment variables that override the default base URL
    default_base: str | None = None
    key_required: bool = True
    endpoints: frozenset[str] = frozenset({CHAT})
    display_name: str = ""  # how exception texts name the provider ("OpenAI", "TogetherAI")
    self_hosted: bool = False  # models run on the caller's own server: no per-token price
    base_from_provider: bool = False  # the translator builds the URL (project / region settings)
    # credentials that are not an API key: each entry lists alternative variables (first reported)
    other_env: tuple[tuple[str, ...], ...] = ()
    # variables any one of which shows the provider is configured (for get_valid_models)
    credential_hints: tuple[str, ...] = ()
    credentials_env: tuple[str, ...] = ()  # variables naming a credentials file / JSON (not a key)
    aliases: tuple[str, ...] = ()  # other model-string prefixes that mean this provider
    organization: bool = False  # reads an OpenAI organization id
    api_version_env: tuple[str, ...] = ()  # Azure: api-version variables
    api_version_default: str | None = None  # Azure dialects: api-version when none is given


if TYPE_CHECKING:

    class _SpecOptions(TypedDict, total=False):
        """The ``ProviderSpec`` fields :func:`_spec` passes through as given."""

        key_required: bool
        self_hosted: bool
        base_from_provider: bool
        other_env: tuple[tuple[str, ...], ...]
        credential_hints: tuple[str, ...]
        credentials_env: tuple[str, ...]
        aliases: tuple[str, ...]
        organization: bool
        api_version_env: tuple[str, ...]
        api_version_default: str | None


def _spec(
    name: str,
    dialect: str | None,
    *keys: str,
    env: tuple[str, ...] = (),
    base_env: tuple[str, ...] = (),
    base: str | None = None,
    endpoints: tuple[str, ...] = (CHAT,),
    display: str = "",
    **kw: Unpack[_SpecOptions],
) -> ProviderSpec:
    kinds = set(endpoints)
    if CHAT in kinds:
        kinds.add(TEXT)  # legacy text completions are always possible, through chat if not natively
    return ProviderSpec(
        name,
        dialect,
        tuple(keys),
        tuple(env),
        tuple(base_env),
        base,
        endpoints=frozenset(kinds),
        display_name=display,
        **kw,
    )


_AWS = (("AWS_ACCESS_KEY_ID",), ("AWS_SECRET_ACCESS_KEY",), ("AWS_REGION_NAME", "AWS_REGION", "AWS_DEFAULT_REGION"))
_OPENAI_BASE_ENV = ("OPENAI_API_BASE", "OPENAI_BASE_URL")
_OPENAI_ENDPOINTS = (
    CHAT,
    EMBEDDING,
    TEXT,
    IMAGE,
    MODERATION,
    MODELS,
    TRANSCRIPTION,
    SPEECH,
    FILES,
    BATCHES,
    FINE_TUNING,
    ASSISTANTS,
)

_NATIVE: tuple[ProviderSpec, ...] = (
    _spec(
        "openai",
        "openai:OpenAI",
        "openai_key",
        env=("OPENAI_API_KEY",),
        base_env=_OPENAI_BASE_ENV,
        base="https://api.openai.com/v1",
        endpoints=_OPENAI_ENDPOINTS,
        display="OpenAI",
        organization=True,
    ),
    _spec(
        "text-completion-openai",
        "openai:OpenAI",
        "openai_key",
        env=("OPENAI_API_KEY",),
        base_env=_OPENAI_BASE_ENV,
        base="https://api.openai.com/v1",
        endpoints=_OPENAI_ENDPOINTS,
        display="OpenAI",
        organization=True,
    ),
    _spec(
        "azure",
        "openai:Azure",
        "azure_key",
        env=("AZURE_API_KEY", "AZURE_OPENAI_API_KEY"),
        base_env=("AZURE_API_BASE", "AZURE_OPENAI_ENDPOINT"),
        endpoints=_OPENAI_ENDPOINTS,
        display="Azure",
        aliases=("azure_openai",),
        api_version_env=("AZURE_API_VERSION", "OPENAI_API_VERSION"),
    ),
    # Azure AI Foundry model inference: its own API (model in the body, one endpoint per resource)
    _spec(
        "azure_ai",
        "openai:AzureAI",
        "azure_ai_key",
        env=("AZURE_AI_API_KEY",),
        base_env=("AZURE_AI_API_BASE",),
        endpoints=(CHAT, EMBEDDING),
        display="AzureAI",
        api_version_env=("AZURE_AI_API_VERSION",),
        api_version_default="2025-05-01",
    ),
    _spec(
        "anthropic",
        "anthropic:Anthropic",
        "anthropic_key",
        env=("ANTHROPIC_API_KEY",),
        base_env=("ANTHROPIC_API_BASE",),
        base="https://api.anthropic.com",
        display="Anthropic",
    ),
    _spec(
        "gemini",
        "gemini:Gemini",
        "gemini_key",
        "google_api_key",
        env=("GEMINI_API_KEY", "GOOGLE_API_KEY"),
        base_env=("GEMINI_API_BASE",),
        base="https://generativelanguage.googleapis.com",
        endpoints=(CHAT, EMBEDDING, TEXT),
        display="Gemini",
    ),
    _spec(
        "vertex_ai",
        "vertex:VertexAI",
        base_env=("VERTEXAI_API_BASE",),
        key_required=False,
        endpoints=(CHAT, EMBEDDING, TEXT),
        display="VertexAI",
        base_from_provider=True,
        other_env=(
            ("VERTEXAI_PROJECT", "VERTEX_PROJECT", "GOOGLE_CLOUD_PROJECT"),
            ("VERTEXAI_LOCATION", "VERTEX_LOCATION", "GOOGLE_CLOUD_LOCATION"),
        ),
        credential_hints=("GOOGLE_APPLICATION_CREDENTIALS", "VERTEXAI_PROJECT", "VERTEX_PROJECT"),
        credentials_env=("VERTEXAI_CREDENTIALS", "VERTEX_SERVICE_ACCOUNT_KEY_PATH", "GOOGLE_APPLICATION_CREDENTIALS"),
    ),
    _spec(
        "cohere",
        "cohere:Cohere",
        "cohere_key",
        env=("COHERE_API_KEY", "CO_API_KEY"),
        base_env=("COHERE_API_BASE",),
        base="https://api.cohere.com",
        endpoints=(CHAT, EMBEDDING, RERANK, TEXT),
        display="Cohere",
        aliases=("cohere_chat",),
    ),
    _spec(
        "ollama",
        "ollama:Ollama",
        env=("OLLAMA_API_KEY",),
        base_env=("OLLAMA_API_BASE",),
        base="http://localhost:11434",
        key_required=False,
        endpoints=(CHAT, EMBEDDING, TEXT),
        display="Ollama",
        self_hosted=True,
        credential_hints=("OLLAMA_API_BASE",),
    ),
    _spec(
        "ollama_chat",
        "ollama:OllamaChat",
        env=("OLLAMA_API_KEY",),
        base_env=("OLLAMA_API_BASE",),
        base="http://localhost:11434",
        key_required=False,
        endpoints=(CHAT, EMBEDDING, TEXT),
        display="Ollama",
        self_hosted=True,
        credential_hints=("OLLAMA_API_BASE",),
    ),
    _spec(
        "bedrock",
        "bedrock:Bedrock",
        key_required=False,
        endpoints=(CHAT, EMBEDDING, IMAGE),
        display="Bedrock",
        base_from_provider=True,
        other_env=_AWS,
        credential_hints=("AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_BEARER_TOKEN_BEDROCK"),
    ),
    _spec(
        "huggingface",
        "huggingface:HuggingFace",
        "huggingface_key",
        env=("HUGGINGFACE_API_KEY", "HF_TOKEN"),
        base_env=("HUGGINGFACE_API_BASE",),
        base="https://router.huggingface.co/v1",
        endpoints=(CHAT, EMBEDDING),
        display="HuggingFace",
    ),
    _spec(
        "replicate",
        "replicate:Replicate",
        "replicate_key",
        env=("REPLICATE_API_KEY", "REPLICATE_API_TOKEN"),
        base_env=("REPLICATE_API_BASE",),
        base="https://api.replicate.com/v1",
        display="Replicate",
    ),
    _spec(
        "sagemaker",
        "sagemaker:SageMaker",
        key_required=False,
        display="Sagemaker",
        base_from_provider=True,
        other_env=_AWS,
        credential_hints=("AWS_ACCESS_KEY_ID", "AWS_PROFILE"),
    ),
    _spec(
        "voyage",
        "retrieval:Voyage",
        "voyage_key",
        env=("VOYAGE_API_KEY",),
        base_env=("VOYAGE_API_BASE",),
        base="https://api.voyageai.com/v1",
        endpoints=(EMBEDDING, RERANK),
        display="Voyage",
    ),
    _spec(
        "jina_ai",
        "retrieval:Jina",
        "jina_ai_key",
        env=("JINA_AI_API_KEY", "JINA_API_KEY"),
        base_env=("JINA_AI_API_BASE",),
        base="https://api.jina.ai/v1",
        endpoints=(EMBEDDING, RERANK),
        display="JinaAI",
    ),
    _spec(
        "watsonx",
        "watsonx:Watsonx",
        "watsonx_key",
        env=("WATSONX_APIKEY", "WATSONX_API_KEY"),
        base_env=("WATSONX_URL", "WATSONX_API_BASE"),
        key_required=False,
        display="Watsonx",
        endpoints=(CHAT, EMBEDDING),
        credential_hints=("WATSONX_APIKEY", "WATSONX_TOKEN"),
    ),
    _spec(
        "cloudflare",
        "cloudflare:Cloudflare",
        "cloudflare_key",
        env=("CLOUDFLARE_API_KEY", "CLOUDFLARE_API_TOKEN"),
        base_env=("CLOUDFLARE_API_BASE",),
        endpoints=(CHAT, EMBEDDING),
        display="Cloudflare",
        base_from_provider=True,
        other_env=(("CLOUDFLARE_ACCOUNT_ID",),),
    ),
    _spec(
        "nlp_cloud",
        "nlp_cloud:NLPCloud",
        "nlp_cloud_key",
        env=("NLP_CLOUD_API_KEY",),
        base_env=("NLP_CLOUD_API_BASE",),
        base="https://api.nlpcloud.io/v1",
        display="NLPCloud",
    ),
    # recognised names whose translators are not in this version (resolution says so clearly)
    _spec("petals", None, "petals_key", env=("PETALS_API_KEY",), key_required=False),
)

# Display names of compatible rows whose plain name would read badly (the rest: CamelCase of the name).
_COMPAT_DISPLAY = {
    "mistral": "Mistral",
    "codestral": "Mistral",
    "groq": "Groq",
    "xai": "XAI",
    "deepseek": "DeepSeek",
    "openrouter": "OpenRouter",
    "together_ai": "TogetherAI",
    "fireworks_ai": "FireworksAI",
    "deepinfra": "DeepInfra",
    "perplexity": "Perplexity",
    "hosted_vllm": "HostedVLLM",
    "lm_studio": "LMStudio",
    "nvidia_nim": "NvidiaNim",
    "sambanova": "SambaNova",
    "cerebras": "Cerebras",
    "ai21": "AI21",
    "aleph_alpha": "AlephAlpha",
    "databricks": "Databricks",
}
# compatible-table endpoint names -> endpoint kinds the OpenAI dialect serves today. A row's
# "rerank" and audio endpoints are facts about the provider kept in its row; they are offered once
# the dialect has builders for them (until then they are refused before any request).
_COMPAT_KINDS = {
    "chat": CHAT,
    "embedding": EMBEDDING,
    "text_completion": TEXT,
    "image": IMAGE,
    "moderation": MODERATION,
    "audio_transcription": TRANSCRIPTION,
    "audio_speech": SPEECH,
}
_SELF_HOSTED_COMPAT = frozenset({"lm_studio", "llamafile", "hosted_vllm", "lemonade"})
# rows whose published API description (shared reference) documents GET /models
_COMPAT_MODEL_LISTS = frozenset({"groq", "together_ai", "mistral", "openrouter"})


def _from_compat(row: _compat.CompatProvider) -> ProviderSpec:
    kinds = {_COMPAT_KINDS[k] for k in row.endpoints if k in _COMPAT_KINDS}
    kinds.add(TEXT)  # rows without /completions answer text completions through chat
    if row.name in _COMPAT_MODEL_LISTS:
        kinds.add(MODELS)
    return ProviderSpec(
        row.name,
        "openai:Compatible",
        row.key_settings,
        row.key_env,
        row.base_env,
        row.api_base,
        key_required=row.key_required,
        endpoints=frozenset(kinds),
        display_name=_COMPAT_DISPLAY.get(row.name, ""),
        self_hosted=row.name in _SELF_HOSTED_COMPAT,
    )


def _build() -> dict[str, ProviderSpec]:
    table = {s.name: s for s in _NATIVE}
    for row in _compat.PROVIDERS.values():
        table.setdefault(row.name, _from_compat(row))
    return table


SPECS: Mapping[str, ProviderSpec] = MappingProxyType(_build())
ALIASES: Mapping[str, str] = MappingProxyType({a: s.name for s in SPECS.values() for a in s.aliases})

# the providers a call can use in this version; recognised names without a translator (bedrock,
# huggingface, ...) are left out, and a call naming one says it is not available yet
provider_list: list[str] = [name for name, spec in SPECS.items() if spec.dialect is not None]
openai_compatible_providers: list[str] = list(_compat.PROVIDERS)


def get_spec(name: str) -> ProviderSpec | None:
    spec = SPECS.get(name)
    if spec is None and name in ALIASES:
        spec = SPECS[ALIASES[name]]
    return spec


def all_key_settings() -> frozenset[str]:
    """Every module-level key setting any provider reads (e.g. ``groq_key``)."""
    return frozenset(n for s in SPECS.values() for n in s.key_settings)


def display_name(provider: str) -> str | None:
    spec = get_spec(provider)
    return (spec.display_name or None) if spec is not None else None
