"""``litellm.utils``-compatible helpers (spec section 10).

Implemented here: :func:`validate_environment`, :func:`check_valid_key`,
:func:`register_prompt_template` (with ``custom_prompt_dict``), :func:`read_config_args`,
:func:`get_provider_fields`, :func:`load_test_model`, :func:`mock_completion_streaming_obj`,
:func:`async_mock_completion_streaming_obj`, :func:`trim_messages`, :func:`function_to_dict`,
:func:`return_raw_request` and :func:`get_utc_datetime`.

Re-exported on first use (so importing this module stays cheap and never fails because an
optional part is missing): the tokenizer helpers (``token_counter``, ``encode``, ``decode``,
``create_pretrained_tokenizer``, ``create_tokenizer``, ``openai_token_counter``), the model
registry and model information (``model_cost``, ``register_model``, ``get_model_info``,
``get_max_tokens``, every ``supports_*`` check, ``get_valid_models``), the cost functions
(``completion_cost``, ``cost_per_token``, ``response_cost_calculator``), the response types
(``ModelResponse``, ``Usage``, ``Message``, ...), ``get_llm_provider`` and
``stream_chunk_builder``.

``import litegate`` does not import this module; ``litegate.utils`` and ``from litegate.utils
import ...`` do.
"""

from __future__ import annotations

import datetime as _dt
import inspect
import json
import os
import re
import time
import typing
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any, Literal, Union, overload

from .core.prompt_templates import format_prompt, register_prompt_template

if TYPE_CHECKING:  # the lazily re-exported names below, as type checkers see them
    from .core.resolve import get_llm_provider as get_llm_provider
    from .core.resolve import provider_list as provider_list
    from .cost.calculator import completion_cost as completion_cost
    from .cost.calculator import cost_per_token as cost_per_token
    from .cost.calculator import response_cost_calculator as response_cost_calculator
    from .cost.info import get_max_tokens as get_max_tokens
    from .cost.info import get_model_info as get_model_info
    from .cost.info import get_valid_models as get_valid_models
    from .cost.info import is_prompt_caching_valid_prompt as is_prompt_caching_valid_prompt
    from .cost.registry import get_model_entry as get_model_entry
    from .cost.registry import model_cost as model_cost
    from .cost.registry import register_model as register_model
    from .tokens import create_pretrained_tokenizer as create_pretrained_tokenizer
    from .tokens import create_tokenizer as create_tokenizer
    from .tokens import decode as decode
    from .tokens import encode as encode
    from .tokens import openai_token_counter as openai_token_counter
    from .tokens import token_counter as token_counter
    from .types.streaming import CustomStreamWrapper as CustomStreamWrapper
    from .types.streaming import stream_chunk_builder as stream_chunk_builder
    from .types.utils import ChatCompletionDeltaToolCall as ChatCompletionDeltaToolCall
    from .types.utils import ChatCompletionMessageToolCall as ChatCompletionMessageToolCall
    from .types.utils import ChoiceLogprobs as ChoiceLogprobs
    from .types.utils import Choices as Choices
    from .types.utils import CompletionTokensDetails as CompletionTokensDetails
    from .types.utils import CompletionTokensDetailsWrapper as CompletionTokensDetailsWrapper
    from .types.utils import Delta as Delta
    from .types.utils import Embedding as Embedding
    from .types.utils import EmbeddingResponse as EmbeddingResponse
    from .types.utils import Function as Function
    from .types.utils import FunctionCall as FunctionCall
    from .types.utils import Logprobs as Logprobs
    from .types.utils import Message as Message
    from .types.utils import ModelResponse as ModelResponse
    from .types.utils import ModelResponseStream as ModelResponseStream
    from .types.utils import PromptTokensDetails as PromptTokensDetails
    from .types.utils import PromptTokensDetailsWrapper as PromptTokensDetailsWrapper
    from .types.utils import StreamingChoices as StreamingChoices
    from .types.utils import TextChoices as TextChoices
    from .types.utils import TextCompletionResponse as TextCompletionResponse
    from .types.utils import Usage as Usage

# ``custom_prompt_dict`` is read through ``__getattr__`` on every access (it follows
# ``litegate.custom_prompt_dict``); declared here for type checkers and ``__all__``.
custom_prompt_dict: dict[str, dict[str, Any]]

__all__ = [
    "validate_environment",
    "check_valid_key",
    "register_prompt_template",
    "custom_prompt_dict",
    "format_prompt",
    "read_config_args",
    "get_provider_fields",
    "load_test_model",
    "mock_completion_streaming_obj",
    "async_mock_completion_streaming_obj",
    "trim_messages",
    "function_to_dict",
    "return_raw_request",
    "get_utc_datetime",
    "ProviderField",
    "RawRequestTypedDict",
]

# --------------------------------------------------------------------------------------------
# lazily re-exported names: name -> (module, attribute)
# --------------------------------------------------------------------------------------------

_TOKENS = "litegate.tokens"
_INFO = "litegate.cost.info"
_REGISTRY = "litegate.cost.registry"
_CALC = "litegate.cost.calculator"
_TYPES = "litegate.types.utils"

_REEXPORTS: dict[str, tuple[str, str]] = {
    "token_counter": (_TOKENS, "token_counter"),
    "encode": (_TOKENS, "encode"),
    "decode": (_TOKENS, "decode"),
    "create_pretrained_tokenizer": (_TOKENS, "create_pretrained_tokenizer"),
    "create_tokenizer": (_TOKENS, "create_tokenizer"),
    "openai_token_counter": (_TOKENS, "openai_token_counter"),
    "get_model_info": (_INFO, "get_model_info"),
    "get_max_tokens": (_INFO, "get_max_tokens"),
    "get_valid_models": (_INFO, "get_valid_models"),
    "is_prompt_caching_valid_prompt": (_INFO, "is_prompt_caching_valid_prompt"),
    "model_cost": (_REGISTRY, "model_cost"),
    "register_model": (_REGISTRY, "register_model"),
    "get_model_entry": (_REGISTRY, "get_model_entry"),
    "completion_cost": (_CALC, "completion_cost"),
    "cost_per_token": (_CALC, "cost_per_token"),
    "response_cost_calculator": (_CALC, "response_cost_calculator"),
    "get_llm_provider": ("litegate.core.resolve", "get_llm_provider"),
    "provider_list": ("litegate.core.resolve", "provider_list"),
    "stream_chunk_builder": ("litegate.types.streaming", "stream_chunk_builder"),
    "CustomStreamWrapper": ("litegate.core.streaming", "CustomStreamWrapper"),
}
for _name in (
    "ModelResponse",
    "ModelResponseStream",
    "Choices",
    "StreamingChoices",
    "Message",
    "Delta",
    "Usage",
    "Function",
    "FunctionCall",
    "ChatCompletionMessageToolCall",
    "ChatCompletionDeltaToolCall",
    "EmbeddingResponse",
    "Embedding",
    "TextCompletionResponse",
    "TextChoices",
    "Logprobs",
    "ChoiceLogprobs",
    "PromptTokensDetails",
    "CompletionTokensDetails",
    "PromptTokensDetailsWrapper",
    "CompletionTokensDetailsWrapper",
):
    _REEXPORTS[_name] = (_TYPES, _name)
del _name

# where names not listed above are looked for (``supports_*`` and whatever those modules add)
_SEARCH_MODULES = (_INFO, _REGISTRY, _CALC, "litegate.cost.lists", _TOKENS)


def __getattr__(name: str) -> Any:
    from importlib import import_module

    if name == "custom_prompt_dict":  # not cached: follows litegate.custom_prompt_dict if replaced
        from .core.prompt_templates import prompt_registry

        return prompt_registry()
    target = _REEXPORTS.get(name)
    if target is not None:
        value = getattr(import_module(target[0]), target[1])
    elif name.startswith("__"):
        raise AttributeError(name)
    else:
        value = _search(name, import_module)
    globals()[name] = value
    return value


def _search(name: str, import_module: Callable[[str], Any]) -> Any:
    for module_name in _SEARCH_MODULES:
        try:
            module = import_module(module_name)
        except ImportError:
            continue
        if name in getattr(module, "__dict__", {}) or hasattr(module, name):
            try:
                return getattr(module, name)
            except AttributeError:
                continue
    import litegate

    if name in litegate._LAZY:  # e.g. exceptions and response types litellm.utils also exposes
        return getattr(litegate, name)
    raise AttributeError(f"module 'litegate.utils' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_REEXPORTS) | {"custom_prompt_dict"})


# --------------------------------------------------------------------------------------------
# typed dicts (litellm.types.utils shapes)
# --------------------------------------------------------------------------------------------


class ProviderField(typing.TypedDict):
    field_name: str
    field_type: str  # always "string"
    field_description: str
    field_value: str  # an example or default value


class RawRequestTypedDict(typing.TypedDict, total=False):
    raw_request_api_base: str | None
    raw_request_body: dict[str, Any] | None
    raw_request_headers: dict[str, str] | None
    error: str | None


# --------------------------------------------------------------------------------------------
# time
# --------------------------------------------------------------------------------------------


def get_utc_datetime() -> _dt.datetime:
    """The current time as a timezone-aware UTC datetime."""
    return _dt.datetime.now(_dt.timezone.utc)


# --------------------------------------------------------------------------------------------
# environment and keys
# --------------------------------------------------------------------------------------------


def _other_env(provider: str) -> tuple[tuple[str, ...], ...]:
    """Credentials that are not an API key (each a tuple of alternative variables), from the registry."""
    from .providers.spec import get_spec

    spec = get_spec(provider)
    return spec.other_env if spec is not None else ()


def _provider_of(model: str) -> str | None:
    import litegate

    from .core.resolve import split_model

    try:
        return split_model(model, None, litegate.model_alias_map)[0]
    except Exception:  # noqa: BLE001 - unknown model: nothing to check
        return None


def _env_set(name: str) -> bool:
    return bool(os.environ.get(name))


def validate_environment(
    model: str | None = None, api_key: str | None = None, api_base: str | None = None
) -> dict[str, Any]:
    """Whether the environment variables ``model``'s provider needs are set.

    Returns ``{"keys_in_environment": bool, "missing_keys": [env var names]}``. An ``api_key`` /
    ``api_base`` given here counts as set. For an unknown model (or none) nothing can be
    checked: ``{"keys_in_environment": False, "missing_keys": []}``.
    """
    if not model:
        return {"keys_in_environment": False, "missing_keys": []}
    provider = _provider_of(model)
    if provider is None:
        return {"keys_in_environment": False, "missing_keys": []}
    from .core.resolve import credential_spec

    spec = credential_spec(provider)
    missing: list[str] = []
    if spec.key_required and spec.key_env and not api_key and not any(_env_set(n) for n in spec.key_env):
        missing.append(spec.key_env[0])
    if (
        spec.default_base is None
        and spec.base_env
        and not spec.base_from_provider
        and not api_base
        and not any(_env_set(n) for n in spec.base_env)
    ):
        missing.append(spec.base_env[0])
    for names in _other_env(provider):
        if not any(_env_set(n) for n in names):
            missing.append(names[0])
    return {"keys_in_environment": not missing, "missing_keys": missing}


def check_valid_key(model: str, api_key: str, api_base: str | None = None) -> bool:
    """Whether ``api_key`` works for ``model``: makes one tiny real call (``max_tokens=1``).

    Returns False on an authentication error and on any other failure. ``api_base`` (a litegate
    extension) points the call at another server.
    """
    import litegate

    kwargs: dict[str, Any] = {"api_key": api_key, "max_tokens": 1, "num_retries": 0}
    if api_base:
        kwargs["api_base"] = api_base
    try:
        litegate.completion(model=model, messages=[{"role": "user", "content": "Hey, how's it going?"}], **kwargs)
    except Exception:  # noqa: BLE001 - AuthenticationError and every other failure: not usable
        return False
    return True


_PROVIDER_LABELS = {
    "openai": "OpenAI",
    "azure": "Azure OpenAI",
    "anthropic": "Anthropic",
    "gemini": "Google AI Studio",
    "azure_ai": "Azure AI Foundry",
    "databricks": "Databricks",
    "ollama": "Ollama",
}


def get_provider_fields(custom_llm_provider: str) -> list[ProviderField]:
    """The configuration fields ``custom_llm_provider`` takes (for building settings forms).

    A list of ``{"field_name", "field_type", "field_description", "field_value"}`` dicts:
    ``api_key`` (when the provider needs a key), ``api_base`` (``field_value`` is its default,
    or an example when it has none), ``api_version`` for Azure, and the non-key credentials of
    AWS and Vertex AI. ``[]`` for an unknown provider.
    """
    from .core.resolve import credential_spec
    from .providers.spec import ALIASES, SPECS

    custom_llm_provider = ALIASES.get(custom_llm_provider, custom_llm_provider)
    if custom_llm_provider not in SPECS:
        return []
    spec = credential_spec(custom_llm_provider)
    label = _PROVIDER_LABELS.get(custom_llm_provider, custom_llm_provider)
    fields: list[ProviderField] = []
    if spec.key_env or spec.key_required:
        where = f" (environment: {' or '.join(spec.key_env)})" if spec.key_env else ""
        need = "" if spec.key_required else " Optional."
        fields.append(
            ProviderField(
                field_name="api_key",
                field_type="string",
                field_description=f"Your {label} API key{where}.{need}",
                field_value="sk-..." if custom_llm_provider == "openai" else "...",
            )
        )
    if spec.default_base or spec.base_env or custom_llm_provider == "azure":
        where = f" (environment: {' or '.join(spec.base_env)})" if spec.base_env else ""
        default = f" Default: {spec.default_base}." if spec.default_base else ""
        example = spec.default_base or (
            "https://<resource>.openai.azure.com"
            if custom_llm_provider == "azure"
            else "https://<resource>.services.ai.azure.com/api/models"
            if custom_llm_provider == "azure_ai"
            else "https://..."
        )
        fields.append(
            ProviderField(
                field_name="api_base",
                field_type="string",
                field_description=f"The {label} API base URL{where}.{default}",
                field_value=example,
            )
        )
    if custom_llm_provider == "azure":
        from .constants import AZURE_DEFAULT_API_VERSION

        fields.append(
            ProviderField(
                field_name="api_version",
                field_type="string",
                field_description="The Azure OpenAI API version (environment: AZURE_API_VERSION).",
                field_value=AZURE_DEFAULT_API_VERSION,
            )
        )
    for names in _other_env(custom_llm_provider):
        fields.append(
            ProviderField(
                field_name=names[0].lower(),
                field_type="string",
                field_description=f"{label} credential (environment: {' or '.join(names)}).",
                field_value="...",
            )
        )
    return fields


# --------------------------------------------------------------------------------------------
# configuration
# --------------------------------------------------------------------------------------------


def read_config_args(config_path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a configuration file into a dict: JSON, or YAML (``.yaml`` / ``.yml``, needs PyYAML).

    Raises ``FileNotFoundError`` for a missing file, ``json.JSONDecodeError`` for bad JSON, and
    ``ValueError`` when the file does not hold a mapping.
    """
    path = os.fspath(config_path)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.lower().endswith((".yaml", ".yml")):
        try:
            import yaml
        except ImportError:
            raise ImportError(f"reading {path!r} needs PyYAML: pip install pyyaml (or use a JSON file)") from None
        data = yaml.safe_load(text)
        if data is None:
            data = {}
    else:
        data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError(f"config file {path!r} must hold a mapping of settings, not a {type(data).__name__}")
    return data


# --------------------------------------------------------------------------------------------
# testing helpers
# --------------------------------------------------------------------------------------------


def load_test_model(
    model: str,
    custom_llm_provider: str = "",
    api_base: str = "",
    prompt: str = "",
    num_calls: int = 0,
    force_timeout: float = 0,
    **kwargs: Any,
) -> dict[str, Any]:
    """A small load test: ``num_calls`` (default 100) concurrent completions of ``prompt``.

    Returns ``{"total_response_time": seconds, "calls_made": n, "status": "success" | "failed",
    "exception": None | the first exception}``. Makes real calls. Extra keyword arguments (e.g.
    ``api_key``) are passed to every call.
    """
    from concurrent.futures import ThreadPoolExecutor

    import litegate

    text = prompt or "Hey, how's it going"
    calls = num_calls or 100
    call_kwargs: dict[str, Any] = dict(kwargs)
    if custom_llm_provider:
        call_kwargs["custom_llm_provider"] = custom_llm_provider
    if api_base:
        call_kwargs["api_base"] = api_base
    if force_timeout:
        call_kwargs["timeout"] = force_timeout

    def one(_: int) -> Any:
        return litegate.completion(model=model, messages=[{"role": "user", "content": text}], **call_kwargs)

    start = time.perf_counter()
    error: BaseException | None = None
    made = 0
    with ThreadPoolExecutor(max_workers=min(calls, 100)) as pool:
        futures = [pool.submit(one, i) for i in range(calls)]
        for future in futures:
            exc = future.exception()
            made += 1
            if exc is not None and error is None:
                error = exc
    elapsed = time.perf_counter() - start
    return {
        "total_response_time": elapsed,
        "calls_made": made,
        "status": "failed" if error is not None else "success",
        "exception": error,
    }


def _mock_text(mock_response: Any) -> str:
    if isinstance(mock_response, BaseException):
        raise mock_response
    if isinstance(mock_response, type) and issubclass(mock_response, BaseException):
        raise mock_response("mock_response exception")
    if isinstance(mock_response, str):
        return mock_response
    choices = getattr(mock_response, "choices", None)
    if choices is None and isinstance(mock_response, dict):
        choices = mock_response.get("choices")
    if choices:
        first = choices[0]
        message = getattr(first, "message", None)
        if message is None and isinstance(first, dict):
            message = first.get("message")
        content = getattr(message, "content", None) if not isinstance(message, dict) else message.get("content")
        return content or ""
    return "" if mock_response is None else str(mock_response)


_MOCK_PIECE = 3  # characters per streamed piece


def _mock_chunks(model_response: Any, mock_response: Any, model: str | None, n: int | None) -> list[Any]:
    import uuid

    from .types.utils import ModelResponse

    text = _mock_text(mock_response)
    ident = getattr(model_response, "id", None) or "chatcmpl-" + uuid.uuid4().hex
    created = getattr(model_response, "created", None) or int(time.time())
    model = model or getattr(model_response, "model", None)
    choices = max(1, int(n or 1))
    pieces = [text[i : i + _MOCK_PIECE] for i in range(0, len(text), _MOCK_PIECE)] or [""]
    base: dict[str, Any] = {"id": ident, "created": created, "model": model, "object": "chat.completion.chunk"}
    chunks = []
    for k, piece in enumerate(pieces):
        delta: dict[str, Any] = {"role": "assistant", "content": piece} if k == 0 else {"content": piece}
        chunks.append(
            ModelResponse(
                stream=True,
                **base,
                choices=[{"index": j, "delta": dict(delta), "finish_reason": None} for j in range(choices)],
            )
        )
    chunks.append(
        ModelResponse(
            stream=True, **base, choices=[{"index": j, "delta": {}, "finish_reason": "stop"} for j in range(choices)]
        )
    )
    return chunks


def mock_completion_streaming_obj(
    model_response: Any, mock_response: Any, model: str | None, n: int | None = None
) -> Iterator[Any]:
    """Yield the chunks ``completion(stream=True)`` would give for the text ``mock_response``.

    Each chunk is a fresh ``ModelResponse`` stream chunk (id and created from ``model_response``),
    with ``n`` choices (default 1): the first carries ``role="assistant"``, the last
    ``finish_reason="stop"``. An exception (instance or class) as ``mock_response`` is raised
    when the stream is read.
    """
    yield from _mock_chunks(model_response, mock_response, model, n)


async def async_mock_completion_streaming_obj(
    model_response: Any, mock_response: Any, model: str | None, n: int | None = None
) -> AsyncIterator[Any]:
    """The ``async for`` twin of :func:`mock_completion_streaming_obj`."""
    for chunk in _mock_chunks(model_response, mock_response, model, n):
        yield chunk


# --------------------------------------------------------------------------------------------
# trim_messages
# --------------------------------------------------------------------------------------------

_SYSTEM_ROLES = ("system", "developer")
_MIN_KEPT_CHARS = 16  # a shortened message keeps at least this much text, or is dropped
_ELLIPSIS = ".."


def _model_input_limit(model: str | None) -> int | None:
    if not model:
        return None
    try:
        lookup: Callable[[str], dict[str, Any] | None]
        try:
            from .cost.info import get_model_info as lookup
        except ImportError:  # model information not available: read the registry entry
            from .cost.registry import get_model_entry as lookup
        info = lookup(model)
    except Exception:  # noqa: BLE001 - unknown model (or no registry): no limit known
        return None
    if not info:
        return None
    limit = info.get("max_input_tokens") or info.get("max_tokens")
    return int(limit) if limit else None


def _plain_message(message: Any) -> dict[str, Any]:
    import copy

    if isinstance(message, dict):
        return copy.deepcopy(message)
    dump = getattr(message, "model_dump", None)
    if dump is not None:
        plain: dict[str, Any] = dump(exclude_none=True)
        return plain
    raise TypeError(f"messages must be dicts, got {type(message).__name__}")


def _units(messages: list[dict[str, Any]]) -> tuple[list[int], list[list[int]]]:
    """(system message indices, units of the other messages in order).

    A unit is a message plus the tool / function results that follow it, so an assistant tool
    call and its results are kept or dropped together.
    """
    system: list[int] = []
    units: list[list[int]] = []
    for i, message in enumerate(messages):
        role = message.get("role")
        if role in _SYSTEM_ROLES:
            system.append(i)
        elif role in ("tool", "function") and units:
            units[-1].append(i)
        else:
            units.append([i])
    return system, units


def _text_slots(message: dict[str, Any]) -> list[tuple[Any, Any]]:
    """(container, key) of every text in a message that may be shortened."""
    content = message.get("content")
    if isinstance(content, str):
        return [(message, "content")]
    slots = []
    if isinstance(content, list):
        for part in content:
            if isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str):
                slots.append((part, "text"))
    return slots


def _shorten(
    messages: list[dict[str, Any]], fits: Callable[[], int], limit: int, count_text: Callable[[str], int]
) -> bool:
    """Shorten texts of ``messages`` (the longest first, keeping their start and end) until
    ``fits()`` (the token count of the whole selection) is within ``limit``; False if it can't."""
    for _ in range(12):
        total = fits()
        if total <= limit:
            return True
        slots = [(c, k) for m in messages for (c, k) in _text_slots(m) if len(c[k]) > _MIN_KEPT_CHARS]
        if not slots:
            return False
        container, key = max(slots, key=lambda s: len(s[0][s[1]]))
        text = container[key]
        tokens = max(1, count_text(text))
        over = total - limit
        keep_tokens = tokens - over - 2  # room for the marker
        if keep_tokens <= 0:
            return False
        keep = int(len(text) * keep_tokens / tokens) - 1
        if keep < _MIN_KEPT_CHARS:
            return False
        head = keep // 2
        container[key] = text[:head] + _ELLIPSIS + text[len(text) - (keep - head) :]
    return fits() <= limit


@overload
def trim_messages(
    messages: list[Any],
    model: str | None = None,
    trim_ratio: float = 0.75,
    return_response_tokens: Literal[False] = False,
    max_tokens: int | None = None,
) -> list[dict[str, Any]]: ...


@overload
def trim_messages(
    messages: list[Any],
    model: str | None = None,
    trim_ratio: float = 0.75,
    *,
    return_response_tokens: Literal[True],
    max_tokens: int | None = None,
) -> tuple[list[dict[str, Any]], int | None]: ...


@overload
def trim_messages(
    messages: list[Any],
    model: str | None = None,
    trim_ratio: float = 0.75,
    return_response_tokens: bool = False,
    max_tokens: int | None = None,
) -> list[dict[str, Any]] | tuple[list[dict[str, Any]], int | None]: ...


def trim_messages(
    messages: list[Any],
    model: str | None = None,
    trim_ratio: float = 0.75,
    return_response_tokens: bool = False,
    max_tokens: int | None = None,
) -> list[dict[str, Any]] | tuple[list[dict[str, Any]], int | None]:
    """Shorten a conversation to fit ``max_tokens`` (default: ``model``'s maximum input tokens
    times ``trim_ratio``), counted with ``token_counter``.

    System (and developer) messages are kept; then the most recent messages that fit, dropping
    the oldest first. An assistant tool call and its tool results stay together. The oldest
    message kept (or a single message too long on its own) may have the middle of its text cut
    out (marked with ``..``). Messages that fit already are returned unchanged (as copies); so
    are all messages when no limit is known (no ``max_tokens`` and an unknown model).

    With ``return_response_tokens=True`` returns ``(messages, max_tokens - tokens used)`` (the
    second item is None when no limit is known).
    """
    if not isinstance(messages, list):
        raise TypeError(f"messages must be a list of message dicts, got {type(messages).__name__}")
    msgs = [_plain_message(m) for m in messages]
    if max_tokens is None:
        limit = _model_input_limit(model)
        if limit is None:
            return (msgs, None) if return_response_tokens else msgs
        max_tokens = int(limit * trim_ratio)
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 0:
        raise ValueError(f"max_tokens must be a non-negative integer, got {max_tokens!r}")

    from .tokens import token_counter

    name = model or ""

    def count(selection: list[dict[str, Any]]) -> int:
        return token_counter(model=name, messages=selection) if selection else 0

    def count_text(text: str) -> int:
        return token_counter(model=name, text=text)

    def done(result: list[dict[str, Any]]) -> list[dict[str, Any]] | tuple[list[dict[str, Any]], int | None]:
        return (result, max_tokens - count(result)) if return_response_tokens else result

    if count(msgs) <= max_tokens:
        return done(msgs)

    system, units = _units(msgs)
    kept_system = [msgs[i] for i in system]
    if kept_system and count(kept_system) > max_tokens:
        # the system messages alone are too long: shorten them, drop the conversation
        _shorten(kept_system, lambda: count(kept_system), max_tokens, count_text)
        return done(kept_system)

    def assemble(unit_list: list[list[int]], replaced: dict[int, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
        indices = sorted(system + [i for unit in unit_list for i in unit])
        return [(replaced or {}).get(i, msgs[i]) for i in indices]

    # the largest number of most recent units that fits (the count grows with every unit added)
    lo, hi = 0, len(units)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if count(assemble(units[len(units) - mid :])) <= max_tokens:
            lo = mid
        else:
            hi = mid - 1
    kept_units = units[len(units) - lo :]
    # the next older unit may still fit in part: shorten its text
    if lo < len(units):
        import copy

        boundary = units[len(units) - lo - 1]
        copies = {i: copy.deepcopy(msgs[i]) for i in boundary}
        candidate_units = [boundary] + kept_units
        if _shorten(list(copies.values()), lambda: count(assemble(candidate_units, copies)), max_tokens, count_text):
            return done(assemble(candidate_units, copies))
    return done(assemble(kept_units))


# --------------------------------------------------------------------------------------------
# function_to_dict
# --------------------------------------------------------------------------------------------

_JSON_TYPES = {
    "str": "string",
    "string": "string",
    "bytes": "string",
    "int": "integer",
    "integer": "integer",
    "float": "number",
    "number": "number",
    "complex": "number",
    "bool": "boolean",
    "boolean": "boolean",
    "list": "array",
    "tuple": "array",
    "set": "array",
    "frozenset": "array",
    "array": "array",
    "sequence": "array",
    "iterable": "array",
    "dict": "object",
    "mapping": "object",
    "object": "object",
    "none": "null",
    "nonetype": "null",
    "null": "null",
}


def _docstring_type(type_text: str) -> tuple[str | None, list[Any] | None]:
    """(JSON schema type, enum) of a numpydoc type such as ``int, optional`` or ``{'a', 'b'}``."""
    text = type_text.strip()
    if text.startswith("{"):
        end = text.find("}")
        inner = text[1 : end if end > 0 else len(text)]
        values: list[Any] = []
        for raw in inner.split(","):
            raw = raw.strip()
            if not raw:
                continue
            if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
                values.append(raw[1:-1])
            else:
                try:
                    values.append(int(raw))
                except ValueError:
                    try:
                        values.append(float(raw))
                    except ValueError:
                        values.append(raw)
        if values and all(isinstance(v, bool) for v in values):
            kind = "boolean"
        elif values and all(isinstance(v, int) for v in values):
            kind = "integer"
        elif values and all(isinstance(v, (int, float)) for v in values):
            kind = "number"
        else:
            kind = "string"
            values = [str(v) for v in values]
        return kind, values or None
    first = re.split(r",|\bor\b", text, maxsplit=1)[0].strip().lower()
    first = first.split("[", 1)[0].strip()
    first = re.sub(r"^(a|an)\s+", "", first)
    first = first.split(" of ", 1)[0].strip()  # "list of str" -> "list"
    first = first.rsplit(".", 1)[-1]  # "typing.List" -> "List"
    if not first:
        return None, None
    return _JSON_TYPES.get(first, "string"), None


def _annotation_schema(annotation: Any) -> dict[str, Any]:
    """JSON schema bits (``type``, ``enum``, ``items``) for a Python annotation."""
    if annotation is inspect.Parameter.empty:
        return {}
    if isinstance(annotation, str):
        kind, _ = _docstring_type(annotation)
        return {"type": kind} if kind else {}
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Union or (origin is not None and getattr(origin, "__name__", "") == "UnionType"):
        rest = [a for a in args if a is not type(None)]
        return _annotation_schema(rest[0]) if len(rest) == 1 else {}
    if origin is typing.Literal:
        values = list(args)
        if all(isinstance(v, bool) for v in values):
            kind = "boolean"
        elif all(isinstance(v, int) for v in values):
            kind = "integer"
        elif all(isinstance(v, (int, float)) for v in values):
            kind = "number"
        else:
            kind = "string"
        return {"type": kind, "enum": values}
    if origin is not None:
        name = getattr(origin, "__name__", str(origin)).lower()
        kind = _JSON_TYPES.get(name)
        if kind is None:
            return {}
        out: dict[str, Any] = {"type": kind}
        if kind == "array" and len(args) == 1:
            item = _annotation_schema(args[0])
            if "type" in item:
                out["items"] = item
        return out
    if annotation is None or annotation is type(None):
        return {"type": "null"}
    name = getattr(annotation, "__name__", None)
    kind = _JSON_TYPES.get(str(name).lower()) if name else None
    return {"type": kind} if kind else {}


_SECTION_RULE = re.compile(r"^\s*-{3,}\s*$")


def _parse_numpy_docstring(doc: str) -> tuple[list[str], list[tuple[str, str, list[str]]]]:
    """(summary lines, [(name, type, description lines)]) of a NumPy-style docstring."""
    lines = doc.splitlines()
    # sections start at a title line followed by a dashes line
    titles = {
        i: lines[i].strip() for i in range(len(lines) - 1) if lines[i].strip() and _SECTION_RULE.match(lines[i + 1])
    }
    first_section = min(titles) if titles else len(lines)
    summary: list[str] = []
    for line in lines[:first_section]:
        if not line.strip():
            if summary:
                break
            continue
        summary.append(line.strip())
    params: list[tuple[str, str, list[str]]] = []
    for start, title in titles.items():
        if title.lower() not in ("parameters", "other parameters"):
            continue
        body_end = min([i for i in titles if i > start] or [len(lines)])
        body = lines[start + 2 : body_end]
        indents = [len(line) - len(line.lstrip()) for line in body if line.strip()]
        if not indents:
            continue
        base = min(indents)
        current: tuple[str, str, list[str]] | None = None
        for line in body:
            if not line.strip():
                if current is not None and current[2]:
                    current[2].append("")
                continue
            indent = len(line) - len(line.lstrip())
            if indent == base:
                head = line.strip()
                name, sep, kind = head.partition(" : ") if " : " in head else head.partition(":")
                current = (name.strip(), kind.strip() if sep else "", [])
                params.append(current)
            elif current is not None:
                current[2].append(line.strip())
    for _, _, desc in params:
        while desc and not desc[-1]:
            desc.pop()
    return summary, params


def _docstring_parts(func: Callable[..., Any]) -> tuple[list[str], list[tuple[str, str, list[str]]]]:
    doc = inspect.getdoc(func) or ""
    try:
        from numpydoc.docscrape import NumpyDocString  # optional: same result as the parser below
    except ImportError:
        return _parse_numpy_docstring(doc)
    parsed = NumpyDocString(doc)
    params = [(p.name, p.type, list(p.desc)) for p in parsed["Parameters"]]
    params += [(p.name, p.type, list(p.desc)) for p in parsed["Other Parameters"]]
    return [s.strip() for s in parsed["Summary"]], params


def function_to_dict(input_function: Callable[..., Any]) -> dict[str, Any]:
    """An OpenAI function schema for ``input_function`` from its signature and its NumPy-style
    docstring: ``{"name", "description", "parameters": {"type": "object", "properties",
    "required"}}``.

    The description is the docstring's summary. Each parameter's type comes from the docstring
    (``x : int``; ``{'a', 'b'}`` gives an ``enum``; ``, optional`` is ignored) or else from its
    annotation; its description from the docstring. Parameters without a default are required
    (``self``, ``cls``, ``*args`` and ``**kwargs`` are left out). numpydoc parses the docstring
    when it is installed; otherwise a built-in parser with the same results does.
    """
    if not callable(input_function):
        raise TypeError(f"function_to_dict needs a function, got {type(input_function).__name__}")
    summary, doc_params = _docstring_parts(input_function)
    documented: dict[str, tuple[str, list[str]]] = {}
    for names, kind, desc in doc_params:
        for name in names.split(","):
            name = name.strip().lstrip("*")
            if name:
                documented[name] = (kind, desc)
    try:
        hints = typing.get_type_hints(input_function)
    except Exception:  # noqa: BLE001 - unresolvable forward references: use the raw annotations
        hints = {}
    properties: dict[str, dict[str, Any]] = {}
    required: list[str] = []
    for name, param in inspect.signature(input_function).parameters.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD) or name in ("self", "cls"):
            continue
        schema = _annotation_schema(hints.get(name, param.annotation))
        kind_text, desc = documented.get(name, ("", []))
        if kind_text:
            json_kind, enum = _docstring_type(kind_text)
            if json_kind:
                if json_kind != schema.get("type"):
                    schema.pop("items", None)
                schema["type"] = json_kind
            if enum:
                schema["enum"] = enum
        description = "\n".join(line.strip() for line in desc).strip()
        prop: dict[str, Any] = {}
        if "type" in schema:
            prop["type"] = schema["type"]
        if description:
            prop["description"] = description
        if "enum" in schema:
            prop["enum"] = schema["enum"]
        if "items" in schema:
            prop["items"] = schema["items"]
        properties[name] = prop
        if param.default is inspect.Parameter.empty:
            required.append(name)
    result: dict[str, Any] = {
        "name": input_function.__name__,
        "description": "\n".join(summary),
        "parameters": {"type": "object", "properties": properties},
    }
    if required:
        result["parameters"]["required"] = required
    return result


# --------------------------------------------------------------------------------------------
# return_raw_request
# --------------------------------------------------------------------------------------------

_PLACEHOLDER_KEY = "my-fake-api-key"


def return_raw_request(endpoint: Any, kwargs: dict[str, Any]) -> RawRequestTypedDict:
    """The HTTP request litegate would send for ``endpoint`` (``"completion"`` / ``"acompletion"``
    / ``"embedding"`` / ``"aembedding"``, or a call-type enum) with ``kwargs``, without sending it.

    Returns ``{"raw_request_api_base": url, "raw_request_body": dict, "raw_request_headers":
    headers with credentials masked, "error": None}``, or ``{"error": message}`` when the
    request cannot be built. Without an ``api_key`` in ``kwargs`` a placeholder key is used
    (the environment's keys are not read).
    """
    import litegate

    from .core.endpoints import ENDPOINTS, bind
    from .core.lifecycle import make_plan
    from .core.redact import redact, redact_headers
    from .exceptions import LiteLLMException

    name = getattr(endpoint, "value", endpoint)
    if not isinstance(name, str):
        raise TypeError(f"endpoint must be a call type such as 'completion', got {endpoint!r}")
    kw = dict(kwargs)
    for control in ("mock_response", "litellm_logging_obj"):
        kw.pop(control, None)
    kw.setdefault("api_key", _PLACEHOLDER_KEY)
    ep = ENDPOINTS[name.lstrip("a")] if name in ("completion", "acompletion", "embedding", "aembedding") else None
    try:
        if ep is None:
            raise ValueError(
                f"return_raw_request supports 'completion', 'acompletion', 'embedding' and 'aembedding', not {name!r}"
            )
        plan = make_plan(bind(ep, (), kw), litegate, ep)
    except LiteLLMException as exc:
        return RawRequestTypedDict(error=str(exc))
    request = plan.request
    body = request.json
    if body is None and request.content is not None:
        try:
            body = json.loads(request.content)
        except ValueError:
            body = {"content": request.content.decode("utf-8", "replace")}
    url = request.url
    if request.params:
        from urllib.parse import urlencode

        url += ("&" if "?" in url else "?") + urlencode(request.params)
    return RawRequestTypedDict(
        raw_request_api_base=redact(url),
        raw_request_body=body,
        raw_request_headers=redact_headers(request.headers),
        error=None,
    )
