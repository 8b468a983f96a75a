"""The OpenAI request parameters we know, and the cheap type checks applied before any I/O."""

from __future__ import annotations

from math import isfinite
from numbers import Real

# OpenAI chat-completions request parameters (besides model and messages) that litegate maps.
OPENAI_CHAT_COMPLETION_PARAMS: list[str] = [
    "functions", "function_call", "temperature", "top_p", "n", "stream", "stream_options",
    "stop", "max_tokens", "max_completion_tokens", "modalities", "prediction", "audio",
    "presence_penalty", "frequency_penalty", "logit_bias", "user", "response_format", "seed",
    "tools", "tool_choice", "parallel_tool_calls", "logprobs", "top_logprobs",
    "reasoning_effort", "service_tier", "store", "web_search_options", "extra_headers",
]

# Parameters that only steer litegate itself and are never sent to a provider.
CONTROL_PARAMS: frozenset[str] = frozenset({
    "api_key", "api_base", "base_url", "api_version", "organization", "custom_llm_provider",
    "metadata", "num_retries", "max_retries", "timeout", "request_timeout", "stream_timeout",
    "mock_response", "drop_params", "caching", "cache", "fallbacks", "context_window_fallbacks",
    "content_policy_fallbacks", "azure_ad_token", "azure_ad_token_provider", "extra_headers",
    "headers", "litellm_call_id", "litellm_logging_obj", "input_cost_per_token",
    "output_cost_per_token", "custom_cost_per_token", "custom_cost_per_second", "input_cost_per_second",
    "model_list",
    "deployment_id", "client", "logger_fn", "proxy_server_request", "model_info",
    "no-log", "litellm_metadata", "additional_drop_params", "allowed_openai_params",
    "stream_first_token_timeout", "stream_recovery", "assistant_prefill_models", "stream_deadline",
    "ssl_verify",
})

# parameters of the other endpoints (embedding, text, image, audio, rerank) and common provider ones
_OTHER_ENDPOINT_PARAMS = frozenset({
    "input", "prompt", "dimensions", "encoding_format", "input_type", "echo", "best_of", "suffix",
    "size", "quality", "style", "file", "language", "timestamp_granularities", "voice", "speed",
    "instructions", "query", "documents", "top_n", "rank_fields", "return_documents", "max_chunks_per_doc",
    "top_k", "repetition_penalty", "min_p", "adapter_id",
})
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
    if kind is _NUMBER and not isfinite(value):  # type: ignore[arg-type]
        return f"{name} must be a finite number, got {value!r}", False
    if lo is not None and value < lo:  # type: ignore[operator]
        return f"{name} must be >= {lo}, got {value!r}", False
    if hi is not None and value > hi:  # type: ignore[operator]
        return f"{name} must be <= {hi}, got {value!r}", False
    return None
