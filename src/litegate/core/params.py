"""The OpenAI request parameters we know, and the cheap type checks applied before any I/O."""

from __future__ import annotations

from math import isfinite
from numbers import Real

# OpenAI chat-completions request parameters (besides model and messages) that litegate maps.
OPENAI_CHAT_COMPLETION_PARAMS: list[str] = [
    "functions",
    "function_call",
    "temperature",
    "top_p",
    "n",
    "stream",
    "stream_options",
    "stop",
    "max_tokens",
    "max_completion_tokens",
    "modalities",
    "prediction",
    "audio",
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
    "reasoning_effort",
    "service_tier",
    "store",
    "web_search_options",
    "extra_headers",
]

# Arguments litellm consumes itself and never sends to a provider (the names are litellm's own:
# its list of owned keyword arguments, its callback and pricing parameters, and the MCP flags it
# filters out). Frameworks written for litellm pass some of them (DSPy ``retry_strategy``, the
# OpenAI Agents SDK ``_skip_mcp_handler``). litegate never sends any of them either: the ones with
# a meaning here are used (see ``core/call.py``), the rest are dropped with a debug log, whatever
# ``drop_params`` says.
LITELLM_INTERNAL_PARAMS: frozenset[str] = frozenset(
    {
        # call bookkeeping and logging
        "litellm_call_id",
        "litellm_logging_obj",
        "litellm_trace_id",
        "litellm_session_id",
        "litellm_metadata",
        "litellm_request_debug",
        "litellm_credential_name",
        "litellm_disabled_callbacks",
        "litellm_system_prompt",
        "litellm_trusted_callback_vars",
        "completion_call_id",
        "proxy_server_request",
        "preset_cache_key",
        "model_info",
        "base_model",
        "logger_fn",
        "verbose",
        "no-log",
        "id",
        "secret_fields",
        "log_client_error_tracebacks",
        "turn_off_message_logging",
        # retries, timeouts, mocks
        "retry_strategy",
        "retry_policy",
        "mock_timeout",
        "force_timeout",
        "client_side_timeout",
        "fallback_depth",
        "max_fallbacks",
        "context_window_fallback_dict",
        "attempted_targets",
        # MCP handling (litellm filters these out of provider requests)
        "_skip_mcp_handler",
        "skip_mcp_handler",
        "mcp_handler_context",
        # call-type flags litellm passes between its own functions
        "acompletion",
        "aembedding",
        "atext_completion",
        "aimg_generation",
        "async_call",
        "text_completion",
        "stream_response",
        "complete_response",
        "self",
        "use_client",
        "model_config",
        "rust",
        # prompt formatting for raw-prompt providers
        "roles",
        "initial_prompt_value",
        "final_prompt_value",
        "bos_token",
        "eos_token",
        "hf_model_name",
        "custom_prompt_dict",
        "ensure_alternating_roles",
        "user_continue_message",
        "assistant_continue_message",
        "supports_system_message",
        "merge_reasoning_content_in_choices",
        # router, proxy and budget settings that reach completion() in litellm's own calls ("order", a
        # deployment's priority, is not here: it is a parameter of OpenAI's list endpoints, and the Router
        # consumes its own)
        "model_list",
        "model_alias_map",
        "tpm",
        "rpm",
        "tpd",
        "rpd",
        "itpm",
        "otpm",
        "weight",
        "max_parallel_requests",
        "cooldown_time",
        "routing_strategy",
        "use_in_pass_through",
        "use_litellm_proxy",
        "tags",
        "budget_duration",
        "max_budget",
        "region_name",
        "allowed_model_region",
        "guardrails",
        "silent_model",
        "fastest_response",
        "output_vector_size",
        "cache_key",
        "ttl",
        "caching_groups",
        "enable_json_schema_validation",
        "prompt_id",
        "prompt_variables",
        "prompt_version",
        "prompt_label",
        "prompt_environment",
        # per-call pricing (the token and second prices are used for the answer's cost)
        "cost_per_query",
        "cost_per_second",
        "tiered_pricing",
        # per-call credentials of callback integrations
        "humanloop_api_key",
        "wandb_api_key",
        "weave_project_id",
        "posthog_api_key",
        "posthog_api_url",
        "newrelic_api_key",
        "newrelic_region",
        "signoz_ingestion_endpoint",
        "signoz_ingestion_key",
        "dd_api_key",
        "dd_site",
        "dd_agent_host",
        "dd_agent_port",
        "gcs_bucket_name",
        "gcs_path_service_account",
    }
)
# ... and every name with one of these beginnings (litellm's internal prefix, its price fields,
# its callback integrations' per-call settings)
LITELLM_INTERNAL_PREFIXES: tuple[str, ...] = (
    "_litellm_",
    "input_cost_per_",
    "output_cost_per_",
    "cache_read_input_token_cost",
    "cache_creation_input_token_cost",
    "langfuse_",
    "langsmith_",
    "arize_",
    "s3_",
)


def is_litellm_internal(name: str) -> bool:
    """True for an argument litellm consumes itself (never part of a provider request)."""
    return name in LITELLM_INTERNAL_PARAMS or name.startswith(LITELLM_INTERNAL_PREFIXES)


# Parameters that only steer litegate itself and are never sent to a provider.
CONTROL_PARAMS: frozenset[str] = (
    frozenset(
        {
            "api_key",
            "api_base",
            "base_url",
            "api_version",
            "organization",
            "custom_llm_provider",
            "metadata",
            "num_retries",
            "max_retries",
            "timeout",
            "request_timeout",
            "stream_timeout",
            "mock_response",
            "drop_params",
            "caching",
            "cache",
            "fallbacks",
            "context_window_fallbacks",
            "content_policy_fallbacks",
            "azure_ad_token",
            "azure_ad_token_provider",
            "extra_headers",
            "headers",
            "litellm_call_id",
            "litellm_logging_obj",
            "input_cost_per_token",
            "output_cost_per_token",
            "custom_cost_per_token",
            "custom_cost_per_second",
            "input_cost_per_second",
            "model_list",
            "deployment_id",
            "client",
            "logger_fn",
            "proxy_server_request",
            "model_info",
            "no-log",
            "litellm_metadata",
            "additional_drop_params",
            "allowed_openai_params",
            "stream_first_token_timeout",
            "stream_recovery",
            "assistant_prefill_models",
            "stream_deadline",
            "ssl_verify",
        }
    )
    | LITELLM_INTERNAL_PARAMS
)

# parameters of the other endpoints (embedding, text, image, audio, rerank) and common provider ones
_OTHER_ENDPOINT_PARAMS = frozenset(
    {
        "input",
        "prompt",
        "dimensions",
        "encoding_format",
        "input_type",
        "echo",
        "best_of",
        "suffix",
        "size",
        "quality",
        "style",
        "file",
        "language",
        "timestamp_granularities",
        "voice",
        "speed",
        "instructions",
        "query",
        "documents",
        "top_n",
        "rank_fields",
        "return_documents",
        "max_chunks_per_doc",
        "top_k",
        "repetition_penalty",
        "min_p",
        "adapter_id",
    }
)
ALL_AVAILABLE_PARAMS: list[str] = sorted(set(OPENAI_CHAT_COMPLETION_PARAMS) | CONTROL_PARAMS | _OTHER_ENDPOINT_PARAMS)

_NUMBER = "a number"
_INT = "an integer"
_BOOL = "a boolean"
_STR = "a string"
_DICT = "a dict"
_LIST = "a list"

# name -> (kind, lower bound, upper bound) for values checked before the call leaves
CHAT_PARAM_TYPES: dict[str, tuple[str, float | None, float | None]] = {
    "temperature": (_NUMBER, 0.0, None),
    "top_p": (_NUMBER, 0.0, 1.0),
    "presence_penalty": (_NUMBER, -2.0, 2.0),
    "frequency_penalty": (_NUMBER, -2.0, 2.0),
    "max_tokens": (_INT, 1, None),
    "max_completion_tokens": (_INT, 1, None),
    "n": (_INT, 1, None),
    "seed": (_INT, None, None),
    "top_logprobs": (_INT, 0, 20),
    "logprobs": (_BOOL, None, None),
    "parallel_tool_calls": (_BOOL, None, None),
    "user": (_STR, None, None),
    "logit_bias": (_DICT, None, None),
    "stream_options": (_DICT, None, None),
    "tools": (_LIST, None, None),
    "functions": (_LIST, None, None),
}


_PLAIN_NUMBERS = (float, int)


def check_param(name: str, value: object) -> tuple[str, bool] | None:
    """Return (message, is_type_error) when ``value`` has the wrong type or range, else None."""
    spec = CHAT_PARAM_TYPES.get(name)
    if spec is None:
        return None
    kind, lo, hi = spec
    if kind is _NUMBER:
        ok = type(value) in _PLAIN_NUMBERS or isinstance(value, Real) and not isinstance(value, bool)
    elif kind is _INT:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind is _BOOL:
        ok = isinstance(value, bool)
    elif kind is _STR:
        ok = isinstance(value, str)
    elif kind is _DICT:
        ok = isinstance(value, dict)
    else:
        ok = isinstance(value, (list, tuple))
    if not ok:
        return f"{name} must be {kind}, got {type(value).__name__} {value!r:.60}", True
    if kind is _NUMBER and not isfinite(value):  # type: ignore[arg-type]  # a real number (checked above)
        return f"{name} must be a finite number, got {value!r}", False
    if lo is not None and value < lo:  # type: ignore[operator]  # bounds are given for numbers only
        return f"{name} must be >= {lo}, got {value!r}", False
    if hi is not None and value > hi:  # type: ignore[operator]  # bounds are given for numbers only
        return f"{name} must be <= {hi}, got {value!r}", False
    return None
