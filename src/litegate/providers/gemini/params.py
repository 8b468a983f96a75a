"""OpenAI parameters and keyword arguments -> Gemini ``generationConfig`` and top-level request fields.

* ``generationConfig``: ``temperature``, ``top_p`` -> ``topP``, ``max_completion_tokens`` /
  ``max_tokens`` -> ``maxOutputTokens``, ``stop`` -> ``stopSequences``, ``n`` ->
  ``candidateCount``, ``seed``, ``presence_penalty`` / ``frequency_penalty``, ``logprobs`` ->
  ``responseLogprobs``, ``top_logprobs`` -> ``logprobs``, ``modalities`` -> ``responseModalities``.
* ``response_format``: ``json_object`` -> ``responseMimeType: application/json``; ``json_schema``
  -> the same plus ``responseJsonSchema`` (the schema as given) on Gemini 2.5 and later, which
  take JSON Schema, or ``responseSchema`` (adapted, with ``propertyOrdering`` keeping the schema's
  property order) on older models.
* ``reasoning_effort`` -> ``thinkingConfig`` with ``includeThoughts``: Gemini 2.5 a
  ``thinkingBudget`` (minimal 512, low 1024, medium 2048, high 4096; ``none`` -> 0, or the
  minimum 128 on Pro models, which cannot turn thinking off); Gemini 3 a ``thinkingLevel``.
  Models before 2.5 have no thinking: ``UnsupportedParamsError`` unless ``drop_params``. An
  Anthropic-style ``thinking={"type": "enabled", "budget_tokens": N}`` argument is accepted too.
* Other keyword arguments: generation-config fields (``top_k``, ``response_modalities``,
  ``thinking_config`` ..., snake_case or camelCase) go into ``generationConfig``; a
  ``generation_config`` dict is merged into it; anything else (``safety_settings``,
  ``cached_content``, ``labels`` ...) is a top-level request field (snake_case names of known
  fields are camel-cased).
* ``user``, ``logit_bias``, ``audio``, ``prediction``, ``service_tier``, ``store`` and the legacy
  ``functions`` have no Gemini equivalent: ``UnsupportedParamsError`` unless ``drop_params``.
"""

from __future__ import annotations

from typing import Any

from ...core.log import log
from ..base import bad_input, max_output_tokens
from .common import _camel, model_version, supports_json_schema, supports_thinking
from .schema import adapt_schema

__all__ = [
    "THINKING_BUDGETS",
    "anthropic_thinking",
    "generation_config",
    "route_extra",
    "supported_params",
    "thinking_config",
    "unsupported_params",
]

# reasoning_effort -> thinkingBudget (Gemini 2.5) / thinkingLevel (Gemini 3)
THINKING_BUDGETS = {"minimal": 512, "low": 1024, "medium": 2048, "high": 4096}
_PRO_MIN_BUDGET = 128

SUPPORTED = (
    "temperature",
    "top_p",
    "max_tokens",
    "max_completion_tokens",
    "stream",
    "stream_options",
    "stop",
    "n",
    "seed",
    "presence_penalty",
    "frequency_penalty",
    "logprobs",
    "top_logprobs",
    "response_format",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "modalities",
    "web_search_options",
    "extra_headers",
)
_ALWAYS_OK = frozenset(SUPPORTED) | {"reasoning_effort"}  # reasoning_effort checked by model
_OFF = ("none", "disable")

# generationConfig fields (camelCase); keyword arguments with these names (or their snake_case
# spelling) go into generationConfig
_GENERATION_FIELDS = frozenset(
    {
        "temperature",
        "topP",
        "topK",
        "candidateCount",
        "maxOutputTokens",
        "stopSequences",
        "presencePenalty",
        "frequencyPenalty",
        "seed",
        "responseMimeType",
        "responseSchema",
        "responseJsonSchema",
        "responseLogprobs",
        "logprobs",
        "thinkingConfig",
        "responseModalities",
        "mediaResolution",
        "speechConfig",
        "imageConfig",
        "enableAffectiveDialog",
        "audioTimestamp",
        "routingConfig",
        "enableEnhancedCivicAnswers",
        "responseFormat",
    }
)
_TOP_LEVEL_FIELDS = frozenset(
    {
        "safetySettings",
        "cachedContent",
        "labels",
        "toolConfig",
        "modelArmorConfig",
        "serviceTier",
        "store",
    }
)
# OpenAI params copied into generationConfig under another name when given (not None)
_RENAMED = (
    ("n", "candidateCount"),
    ("seed", "seed"),
    ("presence_penalty", "presencePenalty"),
    ("frequency_penalty", "frequencyPenalty"),
    ("logprobs", "responseLogprobs"),
    ("top_logprobs", "logprobs"),
)


def supported_params(model: str) -> list[str]:
    """The OpenAI params Gemini takes for ``model``."""
    params = list(SUPPORTED)
    if supports_thinking(model):
        params.append("reasoning_effort")
    return params


def unsupported_params(params: dict[str, Any], model: str) -> list[str]:
    """The call's params Gemini cannot take for ``model``."""
    bad = [p for p in params if p not in _ALWAYS_OK]
    effort = params.get("reasoning_effort")
    if effort is not None and effort not in _OFF and not supports_thinking(model):
        bad.append("reasoning_effort")
    return bad


def generation_config(params: dict[str, Any], model: str, *, vertex: bool, provider: str) -> dict[str, Any]:
    """The ``generationConfig`` for the call's (supported) OpenAI params."""
    get = params.get
    gen: dict[str, Any] = {}
    if "temperature" in params:
        gen["temperature"] = params["temperature"]
    if "top_p" in params:
        gen["topP"] = params["top_p"]
    max_tokens = max_output_tokens(params)
    if max_tokens is not None:
        gen["maxOutputTokens"] = max_tokens
    stop = get("stop")
    if stop is not None:
        gen["stopSequences"] = [stop] if isinstance(stop, str) else list(stop)
    for ours, theirs in _RENAMED:
        if get(ours) is not None:
            gen[theirs] = params[ours]
    modalities = get("modalities")
    if modalities:
        gen["responseModalities"] = [str(m).upper() for m in modalities]
    rf = get("response_format")
    if isinstance(rf, dict):
        _response_format(rf, model, gen, vertex, provider)
    effort = get("reasoning_effort")
    if effort is not None and (supports_thinking(model) or effort not in _OFF):
        thinking = thinking_config(effort, model, provider)
        if thinking is not None:
            gen["thinkingConfig"] = thinking
    return gen


def _response_format(rf: dict[str, Any], model: str, gen: dict[str, Any], vertex: bool, provider: str) -> None:
    kind = rf.get("type")
    if kind == "json_object":
        gen["responseMimeType"] = "application/json"
        if isinstance(rf.get("response_schema"), dict):  # litellm's older json_object + schema form
            gen["responseSchema"] = adapt_schema(
                rf["response_schema"],
                "response_format schema",
                keep_additional_properties=vertex,
                property_ordering=True,
                provider=provider,
            )
    elif kind == "json_schema":
        gen["responseMimeType"] = "application/json"
        schema = _json_schema_of(rf, model)
        if supports_json_schema(model):
            gen["responseJsonSchema"] = schema
        else:
            gen["responseSchema"] = adapt_schema(
                schema,
                "response_format json_schema",
                keep_additional_properties=vertex,
                property_ordering=True,
                provider=provider,
            )
    elif kind not in (None, "text"):
        raise bad_input(f"response_format type {kind!r} is not supported (text, json_object, json_schema)", model)


def _json_schema_of(rf: dict[str, Any], model: str) -> dict[str, Any]:
    spec = rf.get("json_schema")
    schema = spec.get("schema") if isinstance(spec, dict) else None
    if schema is None and isinstance(rf.get("schema"), dict):
        schema = rf["schema"]  # a bare {"type": "json_schema", "schema": {...}} is accepted too
    if not isinstance(schema, dict):
        raise bad_input("response_format json_schema needs json_schema.schema", model)
    return schema


def thinking_config(effort: Any, model: str, provider: str) -> dict[str, Any] | None:
    """``reasoning_effort`` -> ``thinkingConfig`` for ``model`` (None: nothing to send)."""
    if not isinstance(effort, str):
        raise bad_input(f"reasoning_effort must be a string such as 'low', got {effort!r}", model)
    effort = effort.lower()
    v = model_version(model)
    pro = "-pro" in model
    if v is not None and v >= (3, 0):
        levels = {
            "minimal": "MINIMAL" if not pro else "LOW",
            "low": "LOW",
            "medium": "MEDIUM" if not pro else "HIGH",
            "high": "HIGH",
            "xhigh": "HIGH",
            "max": "HIGH",
        }
        if effort in ("none", "disable"):
            log.warning(
                "%s: %s cannot turn thinking off; reasoning_effort=%r sent as the lowest thinking level",
                provider,
                model,
                effort,
            )
            return {"thinkingLevel": levels["minimal"]}
        if effort not in levels:
            raise bad_input(f"reasoning_effort must be one of none, {', '.join(levels)}; got {effort!r}", model)
        return {"thinkingLevel": levels[effort], "includeThoughts": True}
    if effort in ("none", "disable"):
        return {"thinkingBudget": _PRO_MIN_BUDGET if pro else 0}
    budget = THINKING_BUDGETS.get(effort)
    if budget is None:
        if effort in ("xhigh", "max"):
            budget = THINKING_BUDGETS["high"]
        else:
            raise bad_input(
                f"reasoning_effort must be one of none, {', '.join(THINKING_BUDGETS)}; got {effort!r}", model
            )
    return {"thinkingBudget": budget, "includeThoughts": True}


def anthropic_thinking(value: Any, model: str) -> dict[str, Any] | None:
    """An Anthropic-style ``thinking`` argument -> ``thinkingConfig`` (None: not a dict)."""
    if not isinstance(value, dict):
        return None
    if value.get("type") == "disabled":
        return {"thinkingBudget": 0}
    budget = value.get("budget_tokens")
    if value.get("type") == "enabled" and isinstance(budget, int):
        return {"thinkingBudget": budget, "includeThoughts": True}
    raise bad_input("thinking must be {'type': 'enabled', 'budget_tokens': N} or {'type': 'disabled'}", model)


def route_extra(extra: dict[str, Any], model: str, body: dict[str, Any]) -> None:
    """Keyword arguments of the call -> ``generationConfig`` fields or top-level fields of ``body``."""
    if not extra:
        return
    gen = body.get("generationConfig") or {}
    for key, value in extra.items():
        if key in ("generation_config", "generationConfig") and isinstance(value, dict):
            gen.update({_camel(k): v for k, v in value.items()})
            continue
        if key == "thinking":
            thinking = anthropic_thinking(value, model)
            if thinking is not None:
                gen["thinkingConfig"] = thinking
            continue
        camel = _camel(key)
        if camel in _GENERATION_FIELDS:
            gen[camel] = value
        elif camel in _TOP_LEVEL_FIELDS:
            body[camel] = value
        else:
            body[key] = value
    if gen:
        body["generationConfig"] = gen
