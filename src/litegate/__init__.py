"""litegate: one OpenAI-shaped API over many LLM providers.

``import litegate as litellm`` works: the public names, parameters, settings, response shapes
and exceptions follow the LiteLLM Python SDK. Importing this package is cheap: the settings
below are plain values and every function or class loads on first use (see ``__getattr__``).
"""

from __future__ import annotations

# (annotations are strings: no typing import needed at import time)
from ._version import __version__ as __version__

# --------------------------------------------------------------------------------------------
# What type checkers and editors see of the lazily loaded names below: litegate/_names.py (never
# imported at run time; the names load on first use through ``__getattr__``). The public
# constants are re-exported for them name by name, and imported in one statement at run time.
# --------------------------------------------------------------------------------------------
TYPE_CHECKING = False
if not TYPE_CHECKING:
    from .constants import (  # noqa: F401 - public constants
        AZURE_DEFAULT_API_VERSION,
        DEFAULT_COOLDOWN_TIME_SECONDS,
        DEFAULT_MAX_RETRIES,
        DEFAULT_REQUEST_TIMEOUT,
        ROUTER_DEFAULT_HEALTH_CHECK_INTERVAL,
        ROUTER_MAX_FALLBACKS,
    )
else:
    from collections.abc import Callable
    from os import PathLike
    from ssl import SSLContext
    from typing import Any

    from ._names import *  # noqa: F403
    from .caching.caching import Cache as Cache
    from .constants import AZURE_DEFAULT_API_VERSION as AZURE_DEFAULT_API_VERSION
    from .constants import DEFAULT_COOLDOWN_TIME_SECONDS as DEFAULT_COOLDOWN_TIME_SECONDS
    from .constants import DEFAULT_MAX_RETRIES as DEFAULT_MAX_RETRIES
    from .constants import DEFAULT_REQUEST_TIMEOUT as DEFAULT_REQUEST_TIMEOUT
    from .constants import ROUTER_DEFAULT_HEALTH_CHECK_INTERVAL as ROUTER_DEFAULT_HEALTH_CHECK_INTERVAL
    from .constants import ROUTER_MAX_FALLBACKS as ROUTER_MAX_FALLBACKS
    from .core.log import turn_on_debug as _turn_on_debug  # noqa: F401 - litellm's name
    from .integrations.custom_logger import CustomLogger as CustomLogger
del TYPE_CHECKING  # not a setting

# --------------------------------------------------------------------------------------------
# Module-level settings (spec sections 3 and 4). The module-level functions read these at call
# time; a ``litegate.Client`` holds its own copy instead and never sees changes made here.
# --------------------------------------------------------------------------------------------

# credentials and endpoints
api_key: str | None = None
openai_key: str | None = None
azure_key: str | None = None
anthropic_key: str | None = None
cohere_key: str | None = None
replicate_key: str | None = None
huggingface_key: str | None = None
together_ai_key: str | None = None
togetherai_api_key: str | None = None
groq_key: str | None = None
mistral_api_key: str | None = None
openrouter_key: str | None = None
perplexity_key: str | None = None
petals_key: str | None = None
baseten_key: str | None = None
nlp_cloud_key: str | None = None
ai21_key: str | None = None
maritalk_key: str | None = None
deepinfra_key: str | None = None
aleph_alpha_key: str | None = None
fireworks_ai_key: str | None = None
xai_key: str | None = None
deepseek_key: str | None = None
cerebras_key: str | None = None
nvidia_nim_key: str | None = None
gemini_key: str | None = None
google_api_key: str | None = None
api_base: str | None = None
api_version: str | None = None
organization: str | None = None
vertex_project: str | None = None
vertex_location: str | None = None
vertex_credentials: object = None  # a key file path, its JSON text or dict, or a google-auth credentials object
aws_access_key_id: str | None = None
aws_secret_access_key: str | None = None
aws_session_token: str | None = None
aws_region_name: str | None = None
use_azure_ad_token: bool = False
azure_ad_token: str | None = None
azure_ad_token_provider: Callable[[], str] | None = None  # returns an Entra ID token, asked on every attempt
retry_count_header: str | None = None
stream_deadline: float | None = None  # seconds; a stream not finished by then raises Timeout
ssl_verify: bool | str | PathLike[str] | SSLContext = True  # False, True, a CA bundle path (per call: ssl_verify=...)
stream_first_token_timeout: float | None = None  # seconds; a stream whose first chunk is later fails over
stream_recovery: bool = False  # resume a broken stream on a model that supports assistant prefill
assistant_prefill_models: list[
    str
] = []  # models (besides the registry's) that continue a trailing assistant turn  # e.g. "x-retry-count": the attempt number (0, 1, ...) on every attempt

# callbacks and logging
input_callback: list[str | Callable[..., Any] | CustomLogger] = []
success_callback: list[str | Callable[..., Any] | CustomLogger] = []
failure_callback: list[str | Callable[..., Any] | CustomLogger] = []
callbacks: list[str | Callable[..., Any] | CustomLogger] = []
turn_off_message_logging: bool = False
log_raw_request_response: bool = False
set_verbose: bool = False

# retries, timeouts, fallbacks
num_retries: int | None = DEFAULT_MAX_RETRIES
request_timeout: float = DEFAULT_REQUEST_TIMEOUT
stream_timeout: float | None = None  # longest wait between two stream events; None = request_timeout
fallbacks: list[dict[str, list[str]]] = []
context_window_fallbacks: list[dict[str, list[str]]] = []
content_policy_fallbacks: list[dict[str, list[str]]] = []

# caching, models, params, budget
cache: Cache | None = None
model_alias_map: dict[str, str] = {}
drop_params: bool = False
max_budget: float = 0.0
adapters: list[dict[str, Any]] = []  # [{"id": ..., "adapter": AdapterV1 instance}] for adapter_completion
_current_cost: float = 0.0

# --------------------------------------------------------------------------------------------
# Lazily loaded public names: name -> "module:attribute" (module relative to this package).
# --------------------------------------------------------------------------------------------

_EXC = ".exceptions"
_LAZY: dict[str, str] = {
    # call functions
    "completion": ".main:completion",
    "acompletion": ".main:acompletion",
    "embedding": ".main:embedding",
    "aembedding": ".main:aembedding",
    "text_completion": ".main:text_completion",
    "atext_completion": ".main:atext_completion",
    "TextCompletionStreamWrapper": ".core.streaming:CustomStreamWrapper",
    "image_generation": ".main:image_generation",
    "aimage_generation": ".main:aimage_generation",
    "moderation": ".main:moderation",
    "amoderation": ".main:amoderation",
    "ImageResponse": ".types.media:ImageResponse",
    "ImageObject": ".types.media:ImageObject",
    "ModerationResponse": ".types.media:ModerationResponse",
    "rerank": ".main:rerank",
    "batch_completion": ".batch:batch_completion",
    "abatch_completion": ".batch:abatch_completion",
    "health_check": ".health:health_check",
    "ahealth_check": ".health:ahealth_check",
    "HealthCheckResponse": ".health:HealthCheckResponse",
    "arerank": ".main:arerank",
    "adapter_completion": ".core.adapters:adapter_completion",
    "aadapter_completion": ".core.adapters:aadapter_completion",
    "AdapterV1": ".types.adapter:AdapterV1",
    "transcription": ".main:transcription",
    "atranscription": ".main:atranscription",
    "speech": ".main:speech",
    "aspeech": ".main:aspeech",
    "TranscriptionResponse": ".types.audio:TranscriptionResponse",
    "HttpxBinaryResponseContent": ".types.audio:HttpxBinaryResponseContent",
    "RerankResponse": ".types.rerank:RerankResponse",
    "RerankResult": ".types.rerank:RerankResult",
    "Client": ".client:Client",
    "Router": ".router:Router",
    "Deployment": ".router:Deployment",
    "MockTransport": ".core.transport:MockTransport",
    "MockResponse": ".core.transport:MockResponse",
    "CustomStreamWrapper": ".core.streaming:CustomStreamWrapper",
    "AsyncCustomStreamWrapper": ".core.streaming:CustomStreamWrapper",
    "stream_chunk_builder": ".types.streaming:stream_chunk_builder",
    # response types
    "ModelResponse": ".types.utils:ModelResponse",
    "Choices": ".types.utils:Choices",
    "StreamingChoices": ".types.utils:StreamingChoices",
    "Message": ".types.utils:Message",
    "Delta": ".types.utils:Delta",
    "Usage": ".types.utils:Usage",
    "ChatCompletionMessageToolCall": ".types.utils:ChatCompletionMessageToolCall",
    "ChatCompletionDeltaToolCall": ".types.utils:ChatCompletionDeltaToolCall",
    "Function": ".types.utils:Function",
    "EmbeddingResponse": ".types.utils:EmbeddingResponse",
    "Embedding": ".types.utils:Embedding",
    "TextCompletionResponse": ".types.utils:TextCompletionResponse",
    "TextChoices": ".types.utils:TextChoices",
    "ChoiceLogprobs": ".types.utils:ChoiceLogprobs",
    "Logprobs": ".types.utils:Logprobs",
    "PromptTokensDetails": ".types.utils:PromptTokensDetails",
    "CompletionTokensDetails": ".types.utils:CompletionTokensDetails",
    "PromptTokensDetailsWrapper": ".types.utils:PromptTokensDetailsWrapper",
    "CompletionTokensDetailsWrapper": ".types.utils:CompletionTokensDetailsWrapper",
    "ModelResponseStream": ".types.utils:ModelResponseStream",
    "ChunkAccumulator": ".types.streaming:ChunkAccumulator",
    # model registry, cost
    "model_cost": ".cost.registry:model_cost",
    "register_model": ".cost.registry:register_model",
    "completion_cost": ".cost.calculator:completion_cost",
    "cost_per_token": ".cost.calculator:cost_per_token",
    "response_cost_calculator": ".cost.calculator:response_cost_calculator",
    # tokens
    "token_counter": ".tokens:token_counter",
    "encode": ".tokens:encode",
    "decode": ".tokens:decode",
    "create_pretrained_tokenizer": ".tokens:create_pretrained_tokenizer",
    "create_tokenizer": ".tokens:create_tokenizer",
    "openai_token_counter": ".tokens:openai_token_counter",
    "encoding": ".tokens:encoding",
    # model info
    "get_model_info": ".cost.info:get_model_info",
    "get_max_tokens": ".cost.info:get_max_tokens",
    "get_valid_models": ".cost.info:get_valid_models",
    "is_prompt_caching_valid_prompt": ".cost.info:is_prompt_caching_valid_prompt",
    "models_by_provider": ".cost.lists:models_by_provider",
    "model_list": ".cost.lists:model_list",
    # budgets, prompt templates, utilities
    "BudgetManager": ".budget:BudgetManager",
    # observability (integrations/)
    "CustomLogger": ".integrations.custom_logger:CustomLogger",
    "flush_callbacks": ".integrations:flush_callbacks",
    "BudgetFileError": ".budget:BudgetFileError",
    "custom_prompt_dict": ".core.prompt_templates:custom_prompt_dict",
    "register_prompt_template": ".core.prompt_templates:register_prompt_template",
    "utils": ".utils",
    "validate_environment": ".utils:validate_environment",
    "check_valid_key": ".utils:check_valid_key",
    "read_config_args": ".utils:read_config_args",
    "get_provider_fields": ".utils:get_provider_fields",
    "load_test_model": ".utils:load_test_model",
    "mock_completion_streaming_obj": ".utils:mock_completion_streaming_obj",
    "async_mock_completion_streaming_obj": ".utils:async_mock_completion_streaming_obj",
    "trim_messages": ".utils:trim_messages",
    "function_to_dict": ".utils:function_to_dict",
    "return_raw_request": ".utils:return_raw_request",
    "get_utc_datetime": ".utils:get_utc_datetime",
    "_turn_on_debug": ".core.log:turn_on_debug",
    # provider tables
    "provider_list": ".core.resolve:provider_list",
    "openai_compatible_providers": ".core.resolve:openai_compatible_providers",
    "get_llm_provider": ".core.resolve:get_llm_provider",
    # settings helpers
    "OPENAI_CHAT_COMPLETION_PARAMS": ".core.params:OPENAI_CHAT_COMPLETION_PARAMS",
    "ALL_AVAILABLE_PARAMS": ".core.params:ALL_AVAILABLE_PARAMS",
    # caching
    "Cache": ".caching.caching:Cache",
    "enable_cache": ".caching.caching:enable_cache",
    "update_cache": ".caching.caching:update_cache",
    "disable_cache": ".caching.caching:disable_cache",
    # litellm-compatibility names (litegate.compat) and alias mode (litegate.alias)
    "alias_litellm": ".alias:alias_litellm",
    "get_supported_openai_params": ".compat:get_supported_openai_params",
    "get_optional_params": ".compat:get_optional_params",
    "get_secret": ".compat:get_secret",
    "get_secret_str": ".compat:get_secret_str",
    "get_secret_bool": ".compat:get_secret_bool",
    # submodules reachable as attributes
    "caching": ".caching",
    "exceptions": ".exceptions",
    "types": ".types",
    "testing": ".testing",
}
# files, batches, fine-tuning, assistants (core/platform.py), each with its async twin
for _name in (
    "create_file",
    "list_files",
    "file_list",
    "retrieve_file",
    "file_retrieve",
    "delete_file",
    "file_delete",
    "retrieve_file_content",
    "file_content",
    "create_fine_tuning_job",
    "list_fine_tuning_jobs",
    "retrieve_fine_tuning_job",
    "cancel_fine_tuning_job",
    "list_fine_tuning_job_events",
    "create_batch",
    "retrieve_batch",
    "cancel_batch",
    "list_batches",
    "get_assistants",
    "list_assistants",
    "create_assistants",
    "create_assistant",
    "retrieve_assistants",
    "retrieve_assistant",
    "delete_assistant",
    "create_thread",
    "get_thread",
    "retrieve_thread",
    "delete_thread",
    "add_message",
    "create_message",
    "get_messages",
    "list_messages",
    "run_thread",
    "run_thread_stream",
    "create_run",
    "retrieve_run",
    "list_runs",
    "submit_tool_outputs",
    "submit_tool_outputs_to_run",
    "list_run_steps",
    "retrieve_run_step",
):
    _LAZY[_name] = ".core.platform:" + _name
    _LAZY["a" + _name] = ".core.platform:a" + _name
_LAZY["parse_batch_output"] = ".core.platform:parse_batch_output"
_LAZY["a_add_message"] = ".core.platform:a_add_message"
for _name in (
    "LiteLLMException",
    "APIError",
    "OpenAIError",
    "AuthenticationError",
    "PermissionDeniedError",
    "BadRequestError",
    "ContextWindowExceededError",
    "InvalidRequestError",
    "ContentPolicyViolationError",
    "JSONSchemaValidationError",
    "UnsupportedParamsError",
    "RateLimitError",
    "NotFoundError",
    "ConflictError",
    "UnprocessableEntityError",
    "InternalServerError",
    "BadGatewayError",
    "APIConnectionError",
    "Timeout",
    "APITimeoutError",
    "ServiceUnavailableError",
    "APIResponseValidationError",
    "BudgetExceededError",
    "RejectedRequestError",
    "MockException",
    "InputValidationError",
    "InputTypeError",
    "NotFoundException",
):
    _LAZY[_name] = f"{_EXC}:{_name}"
del _name


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is None:
        # families of names derived from the model registry: supports_* checks, *_models lists
        if name.startswith("supports_") and not name.startswith("supports__"):
            target = ".cost.info:" + name
        elif name.endswith("_models") and name.isidentifier() and not name.startswith("_"):
            target = ".cost.lists:" + name
        else:
            from importlib import import_module

            compat = import_module(".compat", __name__)  # litellm settings accepted as no-ops (telemetry, ...)
            if name in compat.NOOP_SETTINGS:
                return getattr(compat, name)
            raise AttributeError(f"module 'litegate' has no attribute {name!r}")
    from importlib import import_module

    module_name, _, attr = target.partition(":")
    module = import_module(module_name, __name__)
    try:
        value = getattr(module, attr) if attr else module
    except AttributeError:
        raise AttributeError(f"module 'litegate' has no attribute {name!r}") from None
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
