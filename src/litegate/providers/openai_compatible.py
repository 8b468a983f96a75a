"""OpenAI-dialect providers as rows of data.

Every row here speaks OpenAI's wire format (``POST {api_base}/chat/completions`` with a Bearer key)
and differs only in base URL, credentials and a few parameter quirks. Adding a provider of this
family means adding a row, not writing code.

The facts in each row (base URL, environment variables, parameter support) were taken from the
providers' published API specifications and documentation, and from litellm's provider tables
for the variable names litellm users already rely on. ``docs/PROVIDERS.md`` lists every row with
its sources and explains the choices. This module is deliberately stdlib-only and builds plain
literals at import time: nothing is read from disk.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

# The OpenAI chat-completions request parameters a row may declare unsupported or rename.
OPENAI_CHAT_PARAMS: frozenset[str] = frozenset(
    {
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
)

# Endpoint families a row may offer under its api_base (OpenAI-shaped paths only).
ENDPOINT_KINDS: frozenset[str] = frozenset(
    {
        "chat",
        "embedding",
        "text_completion",
        "image",
        "audio_transcription",
        "audio_speech",
        "rerank",
        "moderation",
    }
)


@dataclass(frozen=True, slots=True)
class CompatProvider:
    name: str  # the model-string prefix, e.g. "groq" for "groq/llama-3.1-8b-instant"
    api_base: str | None  # default base URL, no trailing slash; None = caller must give one
    key_env: tuple[str, ...] = ()  # environment variables for the API key, first found wins
    key_settings: tuple[str, ...] = ()  # module-level settings for the key, e.g. ("groq_key",)
    base_env: tuple[str, ...] = ()  # environment variables that override api_base
    key_required: bool = True  # False for local servers (vLLM, LM Studio) that take no key
    # OpenAI chat parameters the provider does NOT accept (UnsupportedParamsError unless drop_params)
    unsupported_params: frozenset[str] = frozenset()
    # OpenAI parameter name -> provider's name for it (e.g. {"seed": "random_seed"})
    param_renames: Mapping[str, str] = field(default_factory=dict)
    # endpoint families offered under api_base, a subset of ENDPOINT_KINDS: "chat", "embedding",
    # "text_completion" (a native /completions route), "image", "audio_transcription",
    # "audio_speech", "rerank", "moderation"
    endpoints: frozenset[str] = frozenset({"chat"})
    extra_headers: Mapping[str, str] = field(default_factory=dict)
    # Largest ``n`` the provider accepts, when its spec caps it (Groq: only 1). Added because such a
    # provider does take the parameter, so listing "n" in unsupported_params would wrongly reject an
    # explicit n=1; None means no documented cap.
    max_n: int | None = None
    # headers that carry the raw API key besides ``Authorization: Bearer`` (Sarvam's
    # ``api-subscription-key``)
    key_headers: tuple[str, ...] = ()
    # body fields always sent with these values (Parasail: ``store`` is always false)
    fixed_params: Mapping[str, object] = field(default_factory=dict)
    # message content must be a plain string: text-only part lists are joined before sending
    flatten_content: bool = False
    # largest temperature the provider accepts; a larger one is lowered to it (SCX: 1.99)
    temperature_max: float | None = None
    # models served from a host of their own: (regular expression a model id matches in full,
    # base URL template with "{model}"), used when the caller names no base (Baseten's dedicated
    # deployments: an 8-character id -> https://model-<id>.api.baseten.co/...)
    model_base: tuple[str, str] | None = None


def _renames(**pairs: str) -> Mapping[str, str]:
    return MappingProxyType(dict(pairs))


def _kinds(*kinds: str) -> frozenset[str]:
    return frozenset(("chat",) + kinds)


_NO_RENAMES: Mapping[str, str] = MappingProxyType({})
_NO_HEADERS: Mapping[str, str] = MappingProxyType({})

# Providers whose schema only knows the older name for the output-token limit.
_MAX_TOKENS_ONLY = _renames(max_completion_tokens="max_tokens")

# Mistral's chat schema is closed (additionalProperties: false) and lacks these OpenAI fields.
_MISTRAL_UNSUPPORTED = frozenset(
    {
        "logit_bias",
        "user",
        "logprobs",
        "top_logprobs",
        "stream_options",
        "functions",
        "function_call",
        "modalities",
        "audio",
        "service_tier",
        "store",
    }
)
_MISTRAL_RENAMES = _renames(seed="random_seed", max_completion_tokens="max_tokens")

# Perplexity documents no tool calling and no stop / logit_bias / logprobs / seed.
_PERPLEXITY_UNSUPPORTED = frozenset(
    {
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "functions",
        "function_call",
        "stop",
        "logit_bias",
        "logprobs",
        "top_logprobs",
        "seed",
    }
)

# Groq documents logprobs / top_logprobs / logit_bias as rejected; its closed schema also has no
# modalities, audio or prediction.
_GROQ_UNSUPPORTED = frozenset(
    {
        "logprobs",
        "top_logprobs",
        "logit_bias",
        "modalities",
        "audio",
        "prediction",
    }
)


def _row(
    name: str,
    api_base: str | None,
    key_env: tuple[str, ...],
    key_settings: tuple[str, ...] | None = None,
    base_env: tuple[str, ...] = (),
    *,
    key_required: bool = True,
    unsupported: frozenset[str] = frozenset(),
    renames: Mapping[str, str] = _NO_RENAMES,
    endpoints: frozenset[str] = frozenset({"chat"}),
    max_n: int | None = None,
    key_headers: tuple[str, ...] = (),
    fixed_params: Mapping[str, object] = _NO_RENAMES,
    flatten_content: bool = False,
    temperature_max: float | None = None,
    model_base: tuple[str, str] | None = None,
) -> CompatProvider:
    if key_settings is None:
        key_settings = (name.replace("-", "_") + "_key",)
    return CompatProvider(
        name=name,
        api_base=api_base,
        key_env=key_env,
        key_settings=key_settings,
        base_env=base_env,
        key_required=key_required,
        unsupported_params=unsupported,
        param_renames=renames,
        endpoints=endpoints,
        extra_headers=_NO_HEADERS,
        max_n=max_n,
        key_headers=key_headers,
        fixed_params=MappingProxyType(dict(fixed_params)),
        flatten_content=flatten_content,
        temperature_max=temperature_max,
        model_base=model_base,
    )


_ROWS: tuple[CompatProvider, ...] = (
    # --- providers with a published spec or a row in the shared provider notes -----------------
    _row(
        "groq",
        "https://api.groq.com/openai/v1",
        ("GROQ_API_KEY",),
        ("groq_key",),
        ("GROQ_API_BASE",),
        unsupported=_GROQ_UNSUPPORTED,
        endpoints=_kinds("embedding", "audio_transcription", "audio_speech"),
        max_n=1,
    ),
    _row(
        "together_ai",
        "https://api.together.xyz/v1",
        ("TOGETHERAI_API_KEY", "TOGETHER_AI_KEY", "TOGETHER_API_KEY", "TOGETHER_AI_API_KEY", "TOGETHER_AI_TOKEN"),
        ("together_ai_key", "togetherai_api_key"),
        ("TOGETHER_AI_API_BASE", "TOGETHERAI_API_BASE"),
        renames=_MAX_TOKENS_ONLY,
        endpoints=_kinds("text_completion", "embedding", "image", "rerank", "audio_transcription", "audio_speech"),
        max_n=128,
    ),
    _row(
        "mistral",
        "https://api.mistral.ai/v1",
        ("MISTRAL_API_KEY",),
        ("mistral_api_key",),
        ("MISTRAL_API_BASE",),
        unsupported=_MISTRAL_UNSUPPORTED,
        renames=_MISTRAL_RENAMES,
        endpoints=_kinds("embedding", "moderation", "audio_transcription", "audio_speech"),
    ),
    _row(
        "codestral",
        "https://codestral.mistral.ai/v1",
        ("CODESTRAL_API_KEY",),
        ("codestral_key",),
        ("CODESTRAL_API_BASE",),
        unsupported=_MISTRAL_UNSUPPORTED,
        renames=_MISTRAL_RENAMES,
    ),
    _row(
        "deepinfra",
        "https://api.deepinfra.com/v1/openai",
        ("DEEPINFRA_API_KEY", "DEEPINFRA_TOKEN"),
        ("deepinfra_key",),
        ("DEEPINFRA_API_BASE",),
        renames=_MAX_TOKENS_ONLY,
        endpoints=_kinds("text_completion", "embedding", "image", "audio_transcription", "audio_speech"),
        max_n=4,
    ),
    _row(
        "perplexity",
        "https://api.perplexity.ai",
        ("PERPLEXITYAI_API_KEY", "PERPLEXITY_API_KEY"),
        ("perplexity_key",),
        ("PERPLEXITY_API_BASE",),
        unsupported=_PERPLEXITY_UNSUPPORTED,
    ),
    _row(
        "openrouter",
        "https://openrouter.ai/api/v1",
        ("OPENROUTER_API_KEY", "OR_API_KEY"),
        ("openrouter_key",),
        ("OPENROUTER_API_BASE",),
        endpoints=_kinds("embedding", "rerank", "audio_transcription", "audio_speech"),
    ),
    _row(
        "fireworks_ai",
        "https://api.fireworks.ai/inference/v1",
        ("FIREWORKS_API_KEY", "FIREWORKS_AI_API_KEY", "FIREWORKSAI_API_KEY", "FIREWORKS_AI_TOKEN"),
        ("fireworks_ai_key",),
        ("FIREWORKS_API_BASE",),
        endpoints=_kinds("embedding", "rerank"),
    ),
    _row(
        "xai",
        "https://api.x.ai/v1",
        ("XAI_API_KEY",),
        ("xai_key",),
        ("XAI_API_BASE",),
        endpoints=_kinds("image", "audio_transcription"),
    ),
    _row("deepseek", "https://api.deepseek.com", ("DEEPSEEK_API_KEY",), ("deepseek_key",), ("DEEPSEEK_API_BASE",)),
    _row(
        "hosted_vllm",
        None,
        ("HOSTED_VLLM_API_KEY",),
        ("hosted_vllm_key",),
        ("HOSTED_VLLM_API_BASE", "VLLM_API_BASE"),
        key_required=False,
        endpoints=_kinds("text_completion", "embedding", "audio_transcription", "rerank"),
    ),
    _row(
        "lm_studio",
        "http://localhost:1234/v1",
        ("LM_STUDIO_API_KEY",),
        ("lm_studio_key",),
        ("LM_STUDIO_API_BASE",),
        key_required=False,
        endpoints=_kinds("embedding"),
    ),
    # --- further hosts from litellm's provider resolution ----------------------------------------
    _row("cerebras", "https://api.cerebras.ai/v1", ("CEREBRAS_API_KEY",), ("cerebras_key",), ("CEREBRAS_API_BASE",)),
    _row(
        "nvidia_nim",
        "https://integrate.api.nvidia.com/v1",
        ("NVIDIA_NIM_API_KEY",),
        ("nvidia_nim_key",),
        ("NVIDIA_NIM_API_BASE",),
        endpoints=_kinds("embedding"),
    ),
    _row(
        "sambanova", "https://api.sambanova.ai/v1", ("SAMBANOVA_API_KEY",), ("sambanova_key",), ("SAMBANOVA_API_BASE",)
    ),
    _row(
        "nebius",
        "https://api.studio.nebius.ai/v1",
        ("NEBIUS_API_KEY",),
        ("nebius_key",),
        ("NEBIUS_API_BASE",),
        endpoints=_kinds("embedding"),
    ),
    _row(
        "novita",
        "https://api.novita.ai/v3/openai",
        ("NOVITA_API_KEY",),
        ("novita_key", "novita_api_key"),
        ("NOVITA_API_BASE",),
        endpoints=_kinds("embedding", "rerank"),
    ),
    _row(
        "hyperbolic",
        "https://api.hyperbolic.xyz/v1",
        ("HYPERBOLIC_API_KEY",),
        ("hyperbolic_key",),
        ("HYPERBOLIC_API_BASE",),
    ),
    _row(
        "featherless_ai",
        "https://api.featherless.ai/v1",
        ("FEATHERLESS_AI_API_KEY", "FEATHERLESS_API_KEY"),
        ("featherless_ai_key",),
        ("FEATHERLESS_AI_API_BASE", "FEATHERLESS_API_BASE"),
        unsupported=frozenset({"tools"}),
        renames=_MAX_TOKENS_ONLY,
    ),
    _row("github", "https://models.inference.ai.azure.com", ("GITHUB_API_KEY",), ("github_key",), ("GITHUB_API_BASE",)),
    _row(
        "llamafile",
        "http://127.0.0.1:8080/v1",
        ("LLAMAFILE_API_KEY",),
        ("llamafile_key",),
        ("LLAMAFILE_API_BASE",),
        key_required=False,
    ),
    _row(
        "dashscope",
        "https://dashscope.aliyuncs.com/compatible-mode/v1",
        ("DASHSCOPE_API_KEY",),
        ("dashscope_key",),
        ("DASHSCOPE_API_BASE",),
    ),
    _row("moonshot", "https://api.moonshot.ai/v1", ("MOONSHOT_API_KEY",), ("moonshot_key",), ("MOONSHOT_API_BASE",)),
    _row(
        "volcengine",
        "https://ark.cn-beijing.volces.com/api/v3",
        ("VOLCENGINE_API_KEY", "ARK_API_KEY"),
        ("volcengine_key",),
        ("VOLCENGINE_API_BASE",),
        endpoints=_kinds("embedding"),
    ),
    _row(
        "nscale",
        "https://inference.api.nscale.com/v1",
        ("NSCALE_API_KEY",),
        ("nscale_key",),
        ("NSCALE_API_BASE",),
        endpoints=_kinds("image"),
    ),
    _row("lambda_ai", "https://api.lambda.ai/v1", ("LAMBDA_API_KEY",), ("lambda_ai_key",), ("LAMBDA_API_BASE",)),
    _row(
        "friendliai",
        "https://api.friendli.ai/serverless/v1",
        ("FRIENDLIAI_API_KEY", "FRIENDLI_TOKEN"),
        ("friendliai_key",),
        ("FRIENDLI_API_BASE",),
    ),
    _row(
        "meta_llama",
        "https://api.llama.com/compat/v1",
        ("LLAMA_API_KEY",),
        ("meta_llama_key", "llama_api_key"),
        ("LLAMA_API_BASE",),
    ),
    # --- hosts from litellm's JSON table of OpenAI-like providers -------------------------------
    _row("helicone", "https://ai-gateway.helicone.ai", ("HELICONE_API_KEY",)),
    _row("veniceai", "https://api.venice.ai/api/v1", ("VENICE_AI_API_KEY",)),
    _row("xiaomi_mimo", "https://api.xiaomimimo.com/v1", ("XIAOMI_MIMO_API_KEY",), renames=_MAX_TOKENS_ONLY),
    _row(
        "scaleway",
        "https://api.scaleway.ai/v1",
        ("SCW_SECRET_KEY",),
        endpoints=_kinds("embedding", "audio_transcription"),
    ),
    _row("nano-gpt", "https://nano-gpt.com/api/v1", ("NANOGPT_API_KEY",), renames=_MAX_TOKENS_ONLY),
    _row("poe", "https://api.poe.com/v1", ("POE_API_KEY",), renames=_MAX_TOKENS_ONLY),
    _row("chutes", "https://llm.chutes.ai/v1", ("CHUTES_API_KEY",), renames=_MAX_TOKENS_ONLY),
    _row("gmi", "https://api.gmi-serving.com/v1", ("GMI_API_KEY",)),
    _row("aihubmix", "https://aihubmix.com/v1", ("AIHUBMIX_API_KEY",), None, ("AIHUBMIX_API_BASE",)),
    _row(
        "crusoe",
        "https://api.inference.crusoecloud.com/v1",
        ("CRUSOE_API_KEY",),
        None,
        ("CRUSOE_API_BASE",),
        renames=_MAX_TOKENS_ONLY,
    ),
    _row("cortecs", "https://api.cortecs.ai/v1", ("CORTECS_API_KEY",), None, ("CORTECS_API_BASE",)),
    _row("reka", "https://api.reka.ai/v1", ("REKA_API_KEY",), None, ("REKA_API_BASE",)),
    # --- more hosts from litellm's JSON table of OpenAI-like providers (rows without special
    # handling there: no extra headers, value constraints or content rewriting)
    _row("synthetic", "https://api.synthetic.new/openai/v1", ("SYNTHETIC_API_KEY",), renames=_MAX_TOKENS_ONLY),
    _row("apertis", "https://api.stima.tech/v1", ("STIMA_API_KEY",), renames=_MAX_TOKENS_ONLY),
    _row("zerogpu", "https://api.zerogpu.ai/v1", ("ZEROGPU_API_KEY",), None, ("ZEROGPU_API_BASE",)),
    _row("abliteration", "https://api.abliteration.ai/v1", ("ABLITERATION_API_KEY",)),
    _row(
        "llamagate",
        "https://api.llamagate.dev/v1",
        ("LLAMAGATE_API_KEY",),
        renames=_MAX_TOKENS_ONLY,
        endpoints=_kinds("embedding"),
    ),
    _row(
        "assemblyai",
        "https://llm-gateway.assemblyai.com/v1",
        ("ASSEMBLYAI_API_KEY",),
        endpoints=_kinds("audio_transcription"),
    ),
    _row(
        "charity_engine",
        "https://api.charityengine.services/remotejobs/v2/inference",
        ("CHARITY_ENGINE_API_KEY",),
        renames=_MAX_TOKENS_ONLY,
    ),
    _row("aiand", "https://api.aiand.com/v1", ("AIAND_API_KEY",), None, ("AIAND_API_BASE",)),
    _row(
        "darkbloom",
        "https://api.darkbloom.dev/v1",
        ("DARKBLOOM_API_KEY",),
        None,
        ("DARKBLOOM_API_BASE",),
        renames=_MAX_TOKENS_ONLY,
    ),
    _row(
        "neosantara",
        "https://api.neosantara.xyz/v1",
        ("NEOSANTARA_API_KEY",),
        None,
        ("NEOSANTARA_API_BASE",),
        renames=_MAX_TOKENS_ONLY,
    ),
    _row(
        "tensormesh",
        "https://serverless.tensormesh.ai/v1",
        ("TENSORMESH_INFERENCE_API_KEY",),
        None,
        ("TENSORMESH_SERVERLESS_BASE_URL",),
        renames=_MAX_TOKENS_ONLY,
    ),
    _row(
        "libertai",
        "https://api.libertai.io/v1",
        ("LIBERTAI_API_KEY",),
        None,
        ("LIBERTAI_API_BASE",),
        renames=_MAX_TOKENS_ONLY,
        endpoints=_kinds("embedding"),
    ),
    _row("cognition", "https://api.cognition.ai/v1", ("COGNITION_API_KEY",), None, ("COGNITION_API_BASE",)),
    _row(
        "coralbricks", "https://inference.coralbricks.ai/v1", ("CORALBRICKS_API_KEY",), None, ("CORALBRICKS_API_BASE",)
    ),
    _row(
        "pinstripes",
        "https://pinstripes.io/v1",
        ("PINSTRIPES_API_KEY",),
        None,
        ("PINSTRIPES_API_BASE",),
        renames=_MAX_TOKENS_ONLY,
    ),
    _row("prism", "https://api.prisminference.com/v1", ("PRISM_API_KEY",), None, ("PRISM_API_BASE",)),
    _row(
        "hostinger_router",
        "https://router.hostinger.com/v1",
        ("HOSTINGER_ROUTER_API_KEY",),
        None,
        ("HOSTINGER_ROUTER_API_BASE",),
        endpoints=_kinds("embedding"),
    ),
    _row("sail", "https://api.sailresearch.com/v1", ("SAIL_API_KEY",), None, ("SAIL_API_BASE",)),
    _row("openinfer", "https://api.openinfer.ai/v1", ("OPENINFER_API_KEY",), None, ("OPENINFER_API_BASE",)),
    _row(
        "inferenceapis",
        "https://api.inferenceapis.com/v1",
        ("INFERENCEAPIS_API_KEY",),
        None,
        ("INFERENCEAPIS_API_BASE",),
    ),
    _row("refuseless", "https://api.refuseless.com/v1", ("REFUSELESS_API_KEY",)),
    _row("kyma", "https://kymaapi.com/v1", ("KYMA_API_KEY",)),
    _row("wally", "https://inference.runanywhere.ai/v1", ("WALLY_API_KEY",), None, ("WALLY_API_BASE",)),
    # --- providers the guide's Authentication section names --------------------------------------
    # AI21 Studio: POST /studio/v1/chat/completions (reference ai21/openapi.json; an open schema
    # that knows max_tokens only)
    _row(
        "ai21",
        "https://api.ai21.com/studio/v1",
        ("AI21_API_KEY",),
        ("ai21_key",),
        ("AI21_API_BASE",),
        renames=_MAX_TOKENS_ONLY,
    ),
    # Aleph Alpha PhariaAI: POST {host}/v1/chat/completions (reference aleph-alpha recordings); each
    # deployment has its own host, so there is no default base
    _row("aleph_alpha", None, ("ALEPH_ALPHA_API_KEY",), ("aleph_alpha_key",), ("ALEPH_ALPHA_API_BASE",)),
    # Databricks Model Serving: OpenAI chat / embeddings under https://<workspace>/serving-endpoints,
    # the model being the serving endpoint's name; one host per workspace
    _row(
        "databricks",
        None,
        ("DATABRICKS_API_KEY", "DATABRICKS_TOKEN"),
        ("databricks_key",),
        ("DATABRICKS_API_BASE",),
        endpoints=_kinds("embedding"),
    ),
    # Baseten: Model APIs are one OpenAI-compatible host for its hosted models ("baseten/org/model");
    # a dedicated deployment has a host of its own, named by its 8-character model id
    # ("baseten/abcd1234"), whose OpenAI-compatible routes are under the production environment's
    # sync path (Baseten's inference docs; litellm tells the two apart by that id the same way)
    _row(
        "baseten",
        "https://inference.baseten.co/v1",
        ("BASETEN_API_KEY",),
        ("baseten_key",),
        ("BASETEN_API_BASE",),
        model_base=(r"[A-Za-z0-9]{8}", "https://model-{model}.api.baseten.co/environments/production/sync/v1"),
    ),
    # Maritaca AI (MariTalk, Sabia models): its API is OpenAI-compatible at chat.maritaca.ai/api
    # (the maritalk client's documentation)
    _row("maritalk", "https://chat.maritaca.ai/api", ("MARITALK_API_KEY",), ("maritalk_key",), ("MARITALK_API_BASE",)),
    # --- the remaining hosts of litellm's JSON table of OpenAI-like providers, with their quirks --
    _row(
        "meta",
        "https://api.meta.ai/v1",
        ("META_API_KEY",),
        None,
        ("META_API_BASE",),
        endpoints=_kinds("image", "audio_transcription"),
    ),
    _row(
        "publicai",
        "https://api.publicai.co/v1",
        ("PUBLICAI_API_KEY",),
        None,
        ("PUBLICAI_API_BASE",),
        renames=_MAX_TOKENS_ONLY,
        flatten_content=True,
    ),
    _row(
        "sarvam",
        "https://api.sarvam.ai/v1",
        ("SARVAM_API_KEY",),
        renames=_MAX_TOKENS_ONLY,
        key_headers=("api-subscription-key",),
    ),
    _row(
        "parasail",
        "https://api.parasail.io/v1",
        ("PARASAIL_API_KEY",),
        None,
        ("PARASAIL_API_BASE",),
        fixed_params={"store": False},
    ),
    _row(
        "empiriolabs",
        "https://api.empiriolabs.ai/v1",
        ("EMPIRIOLABS_API_KEY",),
        None,
        ("EMPIRIOLABS_API_BASE",),
        renames=_MAX_TOKENS_ONLY,
        endpoints=_kinds("embedding"),
    ),
    _row(
        "scx-ai",
        "https://api.scx.ai/v1",
        ("SCX_API_KEY",),
        None,
        ("SCX_API_BASE",),
        renames=_MAX_TOKENS_ONLY,
        temperature_max=1.99,
    ),
    _row(
        "streamlake",
        "https://vanchin.streamlake.ai/api/gateway/v1/endpoints",
        ("STREAMLAKE_API_KEY",),
        None,
        ("STREAMLAKE_API_BASE",),
        renames=_renames(max_tokens="max_completion_tokens"),
    ),
    # --- hosts whose own documentation gives an OpenAI-compatible base URL -----------------------
    # Vercel AI Gateway: chat, embeddings and models under ai-gateway.vercel.sh/v1 (Vercel's docs)
    _row(
        "vercel_ai_gateway",
        "https://ai-gateway.vercel.sh/v1",
        ("VERCEL_AI_GATEWAY_API_KEY", "VERCEL_OIDC_TOKEN"),
        None,
        ("VERCEL_AI_GATEWAY_API_BASE",),
        endpoints=_kinds("embedding"),
    ),
    # W&B Inference: api.inference.wandb.ai/v1 with a Bearer W&B API key (W&B's docs)
    _row("wandb", "https://api.inference.wandb.ai/v1", ("WANDB_API_KEY",), None, ("WANDB_API_BASE",)),
    # Z.AI (GLM models): the general endpoint api.z.ai/api/paas/v4 (Z.AI's docs)
    _row("zai", "https://api.z.ai/api/paas/v4", ("ZAI_API_KEY",), None, ("ZAI_API_BASE",)),
    # MiniMax: api.minimax.io/v1 (MiniMax's OpenAI SDK page)
    _row("minimax", "https://api.minimax.io/v1", ("MINIMAX_API_KEY",), None, ("MINIMAX_API_BASE",)),
    # OVHcloud AI Endpoints: chat and embeddings; usable without a key on the rate-limited free tier
    _row(
        "ovhcloud",
        "https://oai.endpoints.kepler.ai.cloud.ovh.net/v1",
        ("OVHCLOUD_API_KEY",),
        None,
        ("OVHCLOUD_API_BASE",),
        key_required=False,
        endpoints=_kinds("embedding"),
    ),
    # AI/ML API: api.aimlapi.com/v1 (its SDK guidance: the OpenAI SDK pointed there)
    _row("aiml", "https://api.aimlapi.com/v1", ("AIML_API_KEY",), endpoints=_kinds("image")),
    # Inception (Mercury models): api.inceptionlabs.ai/v1 (Inception's SDK notes)
    _row("inception", "https://api.inceptionlabs.ai/v1", ("INCEPTION_API_KEY",), None, ("INCEPTION_API_BASE",)),
    # Morph: api.morphllm.com/v1 (Morph's docs); no tool calling, and content must be a plain string
    _row(
        "morph",
        "https://api.morphllm.com/v1",
        ("MORPH_API_KEY",),
        None,
        ("MORPH_API_BASE",),
        unsupported=frozenset({"tools", "tool_choice", "parallel_tool_calls", "functions", "function_call"}),
        flatten_content=True,
    ),
    # Lemonade Server: a local server, http://localhost:8000/api/v1 by default, no key needed
    _row(
        "lemonade",
        "http://localhost:8000/api/v1",
        ("LEMONADE_API_KEY",),
        None,
        ("LEMONADE_API_BASE",),
        key_required=False,
    ),
)

PROVIDERS: dict[str, CompatProvider] = {row.name: row for row in _ROWS}
NAMES: frozenset[str] = frozenset(PROVIDERS)


def get(name: str) -> CompatProvider | None:
    """Return the row for a provider prefix such as ``"groq"``, or None if it is not in the table."""
    return PROVIDERS.get(name)
