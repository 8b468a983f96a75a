"""token_counter, openai_token_counter, encode and decode."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from . import _encodings
from ._hf import HF_TYPE, OPENAI_TYPE
from ._images import image_part_tokens
from ._tools import (
    SYSTEM_MESSAGE_DISCOUNT,
    TOOL_CHOICE_FUNCTION,
    TOOL_CHOICE_NONE,
    TOOLS_OVERHEAD,
    _as_dict,
    forced_function_name,
    format_tools,
)

# OpenAI's chat formatting (cookbook "How to count tokens with tiktoken"): every message is
# wrapped as <|start|>{role/name}\n{content}<|end|>\n, and every reply is primed with
# <|start|>assistant<|message|>.
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING_TOKENS = 3
# gpt-3.5-turbo-0301 wrapped messages differently: 4 tokens each, and a name replaced the role.
_LEGACY_0301 = ("gpt-3.5-turbo-0301", "gpt-35-turbo-0301")
LEGACY_TOKENS_PER_MESSAGE = 4
LEGACY_TOKENS_PER_NAME = -1
# a tool call in an assistant message: its name and arguments, plus this much framing
TOKENS_PER_TOOL_CALL = 3

_TEXT_PART_TYPES = frozenset(("text", "input_text", "output_text"))
_IMAGE_PART_TYPES = frozenset(("image_url", "input_image", "image"))

Counter = Callable[[str], int]


# ------------------------------------------------------------------------------------------------
# tokenizers
# ------------------------------------------------------------------------------------------------


def _select_tokenizer(model: str = "") -> dict[str, Any]:
    """``{"type": "openai_tokenizer", "tokenizer": tiktoken.Encoding}`` for ``model``."""
    return {"type": OPENAI_TYPE, "tokenizer": _encodings.get_encoding_for_model(model or "")}


def _tokenizer_of(model: str, custom_tokenizer: dict[str, Any] | None) -> tuple[str, Any]:
    if custom_tokenizer is None:
        return OPENAI_TYPE, _encodings.get_encoding_for_model(model or "")
    if isinstance(custom_tokenizer, dict):
        tokenizer = custom_tokenizer.get("tokenizer")
        kind = custom_tokenizer.get("type")
    else:  # a bare tokenizer object
        tokenizer, kind = custom_tokenizer, None
    if tokenizer is None:
        raise ValueError(
            "custom_tokenizer must be {'type': 'huggingface_tokenizer' | 'openai_tokenizer', "
            "'tokenizer': ...}, as create_pretrained_tokenizer() returns"
        )
    if kind not in (HF_TYPE, OPENAI_TYPE):
        kind = OPENAI_TYPE if hasattr(tokenizer, "encode_ordinary") else HF_TYPE
    return kind, tokenizer


def _ids(kind: str, tokenizer: Any, text: str) -> list[int]:
    if kind == OPENAI_TYPE:
        ordinary = getattr(tokenizer, "encode_ordinary", None)
        if ordinary is not None:
            ordinary_ids: list[int] = ordinary(text)
            return ordinary_ids
        return list(tokenizer.encode(text, disallowed_special=()))
    encoded = tokenizer.encode(text)
    ids = getattr(encoded, "ids", None)
    return list(ids if ids is not None else encoded)


def _counter(kind: str, tokenizer: Any) -> Counter:
    if kind == OPENAI_TYPE:
        ordinary = getattr(tokenizer, "encode_ordinary", None)
        if ordinary is not None:
            return lambda text: len(ordinary(text))
    return lambda text: len(_ids(kind, tokenizer, text))


def encode(model: str = "", text: str = "", custom_tokenizer: dict[str, Any] | None = None) -> list[int]:
    """Token ids of ``text`` with ``model``'s tokenizer (or ``custom_tokenizer``).

    Special-token markers such as ``<|endoftext|>`` in ``text`` are encoded as ordinary text.
    """
    kind, tokenizer = _tokenizer_of(model, custom_tokenizer)
    return _ids(kind, tokenizer, text or "")


def decode(model: str = "", tokens: Sequence[int] = (), custom_tokenizer: dict[str, Any] | None = None) -> str:
    """Text of the token ids ``tokens`` with ``model``'s tokenizer (or ``custom_tokenizer``)."""
    _, tokenizer = _tokenizer_of(model, custom_tokenizer)
    text: str = tokenizer.decode(list(tokens))
    return text


# ------------------------------------------------------------------------------------------------
# messages
# ------------------------------------------------------------------------------------------------


def _plain(message: Any) -> dict[str, Any]:
    if isinstance(message, dict):
        return message
    converted = _as_dict(message)
    if isinstance(converted, dict):
        return converted
    return dict(vars(message))


def _part_tokens(count: Counter, part: Any, use_default_image_token_count: bool) -> int:
    if isinstance(part, str):
        return count(part)
    part = _as_dict(part)
    if not isinstance(part, dict):
        return 0
    kind = part.get("type")
    if kind in _TEXT_PART_TYPES:
        return count(part.get("text") or "")
    if kind in _IMAGE_PART_TYPES:
        return image_part_tokens(part, use_default_image_token_count)
    if kind == "refusal":
        return count(part.get("refusal") or "")
    # audio, files and other parts: no documented rule, not counted
    return 0


def _call_tokens(count: Counter, call: Any) -> int:
    call = _as_dict(call)
    if not isinstance(call, dict):
        return 0
    function = _as_dict(call.get("function"))
    if not isinstance(function, dict):
        function = call
    name = function.get("name") or ""
    arguments = function.get("arguments") or ""
    if not isinstance(arguments, str):
        arguments = json.dumps(arguments, ensure_ascii=False)
    return count(name) + count(arguments) + TOKENS_PER_TOOL_CALL


_role_cache: dict[tuple[Any, str], int] = {}  # (encoding, role) -> tokens; bounded


def _chat_tokens(
    count: Counter,
    cache_key: Any,
    messages: Iterable[Any],
    tokens_per_message: int,
    tokens_per_name: int,
    count_response_tokens: bool,
    use_default_image_token_count: bool,
) -> tuple[int, bool]:
    """Tokens of ``messages`` (without the reply priming) and whether one is a system message.

    Every string field of a message counts (role, content, name, tool_call_id ...), as in
    OpenAI's cookbook; content parts, tool calls and legacy function calls are counted by kind.
    With ``count_response_tokens`` only content and tool calls count, with no framing.
    """
    total = 0
    has_system = False
    for message in messages:
        message = _plain(message)
        if not count_response_tokens:
            total += tokens_per_message
        for key, value in message.items():
            if value is None:
                continue
            if isinstance(value, str):
                if key == "role":
                    if value == "system":
                        has_system = True
                    if count_response_tokens:
                        continue
                    cached = _role_cache.get((cache_key, value))
                    if cached is None:
                        cached = count(value)
                        if len(_role_cache) < 256:
                            _role_cache[(cache_key, value)] = cached
                    total += cached
                elif count_response_tokens and key != "content":
                    continue
                else:
                    total += count(value)
                    if key == "name":
                        total += tokens_per_name
            elif key == "content":
                if isinstance(value, (list, tuple)):
                    for part in value:
                        total += _part_tokens(count, part, use_default_image_token_count)
            elif key == "tool_calls":
                if isinstance(value, (list, tuple)):
                    for call in value:
                        total += _call_tokens(count, call)
            elif key == "function_call":
                total += _call_tokens(count, value)
    return total, has_system


def _tools_tokens(count: Counter, tools: list[Any] | None, tool_choice: Any, has_system: bool) -> int:
    total = 0
    if tools:
        total += count(format_tools(tools)) + TOOLS_OVERHEAD
        if has_system:
            total -= SYSTEM_MESSAGE_DISCOUNT
    tool_choice = _as_dict(tool_choice)
    if tool_choice == "none":
        total += TOOL_CHOICE_NONE
    else:
        name = forced_function_name(tool_choice)
        if name is not None:
            total += TOOL_CHOICE_FUNCTION + count(name)
    return total


def _message_constants(model: str) -> tuple[int, int]:
    if _encodings._base_model_name(model) in _LEGACY_0301:
        return LEGACY_TOKENS_PER_MESSAGE, LEGACY_TOKENS_PER_NAME
    return TOKENS_PER_MESSAGE, TOKENS_PER_NAME


def _openai_count(
    encoding: Any,
    model: str,
    messages: list[Any] | None,
    text: str | None,
    is_tool_call: bool,
    tools: list[Any] | None,
    tool_choice: Any,
    count_response_tokens: bool,
    use_default_image_token_count: bool,
) -> int:
    ordinary = encoding.encode_ordinary
    count: Counter = lambda s: len(ordinary(s))  # noqa: E731
    if messages is not None and not (is_tool_call and text is not None):
        per_message, per_name = _message_constants(model)
        total, has_system = _chat_tokens(
            count,
            encoding,
            messages,
            per_message,
            per_name,
            count_response_tokens,
            use_default_image_token_count,
        )
        if count_response_tokens:
            return total
    elif text is not None:
        total, has_system = count(text), False
        if count_response_tokens:
            return total
    else:
        raise ValueError("openai_token_counter needs messages or text")
    total += REPLY_PRIMING_TOKENS
    return total + _tools_tokens(count, tools, tool_choice, has_system)


def openai_token_counter(
    messages: list[Any] | None = None,
    model: str = "gpt-3.5-turbo-0613",
    text: str | None = None,
    is_tool_call: bool | None = False,
    tools: list[Any] | None = None,
    tool_choice: Any = None,
    count_response_tokens: bool | None = False,
    use_default_image_token_count: bool | None = False,
) -> int:
    """Prompt tokens for an OpenAI chat request, with OpenAI's formatting rules.

    ``messages``: 3 tokens per message (4 for gpt-3.5-turbo-0301), +1 per ``name`` (-1 for 0301),
    +3 priming tokens for the reply, image parts by tile arithmetic, tool definitions and
    ``tool_choice`` as described in :mod:`litegate.tokens._tools`. ``text`` (used when
    ``messages`` is None, or when ``is_tool_call`` is set): its tokens +3.
    ``count_response_tokens``: only the content, no framing at all.
    Any model name is accepted; unknown ones use cl100k_base and the current per-message rules.
    """
    return _openai_count(
        _encodings.get_encoding_for_model(model or ""),
        model or "",
        messages,
        text,
        bool(is_tool_call),
        tools,
        tool_choice,
        bool(count_response_tokens),
        bool(use_default_image_token_count),
    )


# ------------------------------------------------------------------------------------------------
# token_counter
# ------------------------------------------------------------------------------------------------


def _plain_text_of(messages: Iterable[Any], use_default_image_token_count: bool) -> tuple[str, int]:
    """Concatenated text of ``messages`` and the tokens of their images (Hugging Face path)."""
    pieces: list[str] = []
    images = 0
    for message in messages:
        message = _plain(message)
        content = message.get("content")
        if isinstance(content, str):
            pieces.append(content)
        elif isinstance(content, (list, tuple)):
            for part in content:
                if isinstance(part, str):
                    pieces.append(part)
                    continue
                part = _as_dict(part)
                if not isinstance(part, dict):
                    continue
                kind = part.get("type")
                if kind in _TEXT_PART_TYPES:
                    pieces.append(part.get("text") or "")
                elif kind in _IMAGE_PART_TYPES:
                    images += image_part_tokens(part, use_default_image_token_count)
        for call in message.get("tool_calls") or ():
            call = _as_dict(call)
            function = _as_dict(call.get("function")) if isinstance(call, dict) else None
            if isinstance(function, dict) and isinstance(function.get("arguments"), str):
                pieces.append(function["arguments"])
    return "".join(pieces), images


def _count(
    model: str,
    custom_tokenizer: dict[str, Any] | None,
    text: str | list[str] | None,
    messages: list[Any] | None,
    count_response_tokens: bool,
    tools: list[Any] | None,
    tool_choice: Any,
    use_default_image_token_count: bool,
) -> int:
    if text is None and messages is None:
        raise ValueError("token_counter needs text or messages")
    kind, tokenizer = _tokenizer_of(model, custom_tokenizer)
    if isinstance(text, (list, tuple)):
        text = "".join(t for t in text if isinstance(t, str))

    if kind == OPENAI_TYPE and hasattr(tokenizer, "encode_ordinary"):
        if messages is not None:
            return _openai_count(
                tokenizer,
                model,
                messages,
                None,
                False,
                tools,
                tool_choice,
                count_response_tokens,
                use_default_image_token_count,
            )
        ordinary = tokenizer.encode_ordinary
        total = len(ordinary(text))
        if tools or tool_choice is not None:
            if not count_response_tokens:
                total += _tools_tokens(lambda s: len(ordinary(s)), tools, tool_choice, False)
        return total

    # Hugging Face (or another custom) tokenizer: the text itself, no OpenAI chat framing
    count = _counter(kind, tokenizer)
    images = 0
    if messages is not None:
        text, images = _plain_text_of(messages, use_default_image_token_count)
    total = count(text or "") + images
    if tools and not count_response_tokens:
        total += count(format_tools(tools))
    return total


def token_counter(
    model: str = "",
    custom_tokenizer: dict[str, Any] | None = None,
    text: str | list[str] | None = None,
    messages: list[Any] | None = None,
    count_response_tokens: bool | None = False,
    tools: list[Any] | None = None,
    tool_choice: Any = None,
    use_default_image_token_count: bool | None = False,
    default_token_count: int | None = None,
) -> int:
    """Number of tokens in ``text`` or ``messages`` for ``model``.

    * ``text`` (a string, or a list of strings that are joined): its tokens, no chat framing.
    * ``messages``: OpenAI's chat framing (see :func:`openai_token_counter`): per-message and
      per-name tokens, 3 reply-priming tokens, images by tile arithmetic, ``tools`` and
      ``tool_choice``. If both are given, ``messages`` is counted. ``count_response_tokens=True``
      counts the content only, with no framing.
    * The tokenizer follows ``model`` (o200k_base for GPT-4o/4.1/4.5/5 and o-series, cl100k_base
      for everything else) unless ``custom_tokenizer`` (from :func:`create_pretrained_tokenizer`
      or :func:`create_tokenizer`) is given; with a Hugging Face tokenizer the text of the
      messages is counted without OpenAI's framing.
    * When counting fails (malformed input, a tokenizer error) or the model's tokenizer is not
      known (a model neither in the registry nor named like an OpenAI model),
      ``default_token_count`` is returned if it is set; otherwise the error is raised (and an
      unknown model is approximated with ``cl100k_base``).
    """
    if default_token_count is not None and custom_tokenizer is None and model and not _tokenizer_known(model):
        return default_token_count  # no tokenizer for this model: the caller's fallback, not a guess
    try:
        return _count(
            model or "",
            custom_tokenizer,
            text,
            messages,
            bool(count_response_tokens),
            tools,
            tool_choice,
            bool(use_default_image_token_count),
        )
    except Exception:
        if default_token_count is not None:
            return default_token_count
        raise


def _tokenizer_known(model: str) -> bool:
    """Whether ``model`` has a tokenizer to count with: an OpenAI-named model, or one the
    registry knows (counted with its documented approximation)."""
    from ._encodings import O200K_BASE, _base_model_name, encoding_name_for_model

    if encoding_name_for_model(model) == O200K_BASE or _base_model_name(model).startswith(_OPENAI_CL100K):
        return True
    try:
        from ..cost import registry

        return registry.get_model_entry(model) is not None
    except Exception:  # noqa: BLE001 - a malformed name: no tokenizer
        return False


_OPENAI_CL100K = ("gpt-4", "gpt-3.5", "gpt-35", "text-embedding-", "davinci", "babbage")


def estimate_usage(messages: list[Any] | None, completion_text: str, model: str = "") -> dict[str, int] | None:
    """Usage estimate for a response that reported none: ``{"prompt_tokens", "completion_tokens",
    "total_tokens"}``, or None when counting is not possible (never raises)."""
    try:
        prompt = token_counter(model=model, messages=messages) if messages else 0
        completion = token_counter(model=model, text=completion_text or "", count_response_tokens=True)
    except Exception:
        return None
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
