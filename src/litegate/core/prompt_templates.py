"""Custom prompt templates: ``register_prompt_template`` / ``litegate.custom_prompt_dict``.

A template turns chat messages into one prompt string for models that take raw text (for
example Llama-2's ``[INST]`` format)::

    register_prompt_template(
        model="my-llama",
        roles={
            "system": {"pre_message": "[INST] <<SYS>>\\n", "post_message": "\\n<</SYS>>\\n [/INST]\\n"},
            "user": {"pre_message": "[INST] ", "post_message": " [/INST]\\n"},
            "assistant": {"pre_message": "", "post_message": "\\n"},
        },
        initial_prompt_value="<s>",
        final_prompt_value="",
    )
    format_prompt("my-llama", messages)

The prompt is ``bos_token + initial_prompt_value``, then for each message
``pre_message + content + post_message`` of its role (a role without an entry adds the content
alone; an ``eos_token`` follows each assistant message when one is configured), then
``final_prompt_value``. ``bos_token`` / ``eos_token`` come from ``tokenizer_config`` when it
names them. Standard library only.
"""

from __future__ import annotations

from typing import Any

__all__ = ["custom_prompt_dict", "register_prompt_template", "format_prompt", "get_prompt_template"]

# model name -> {"roles": ..., "initial_prompt_value": ..., "final_prompt_value": ..., ...}
custom_prompt_dict: dict[str, dict[str, Any]] = {}


def prompt_registry() -> dict[str, dict[str, Any]]:
    """The live registry: ``litegate.custom_prompt_dict`` when the package holds one (it may
    have been replaced by assignment), else this module's dict."""
    import litegate

    value = vars(litegate).get("custom_prompt_dict")
    return value if isinstance(value, dict) else custom_prompt_dict


def _model_names(model: str) -> list[str]:
    names = [model]
    try:
        from .resolve import split_model

        bare = split_model(model, None, None)[1]
    except Exception:  # noqa: BLE001 - an unknown prefix: register the name as given only
        return names
    if bare and bare != model:
        names.append(bare)
    return names


def _token_text(value: Any) -> str:
    if isinstance(value, dict):  # Hugging Face style {"content": "<s>", ...}
        value = value.get("content")
    return value if isinstance(value, str) else ""


def register_prompt_template(
    model: str,
    roles: dict[str, dict[str, str]] | None = None,
    initial_prompt_value: str = "",
    final_prompt_value: str = "",
    tokenizer_config: dict[str, Any] | None = None,
) -> dict[str, dict[str, Any]]:
    """Register a prompt template for ``model`` (also under its name without the provider
    prefix, e.g. ``huggingface/x`` and ``x``); returns ``custom_prompt_dict``.

    ``roles`` maps a role to ``{"pre_message": str, "post_message": str}``.
    """
    if not isinstance(model, str) or not model:
        raise ValueError("model must be a non-empty string")
    roles = roles or {}
    if not isinstance(roles, dict):
        raise TypeError("roles must be a dict: {role: {'pre_message': str, 'post_message': str}}")
    for role, parts in roles.items():
        if not isinstance(parts, dict):
            raise TypeError(f"roles[{role!r}] must be a dict with 'pre_message' / 'post_message'")
        for key in ("pre_message", "post_message"):
            if key in parts and not isinstance(parts[key], str):
                raise TypeError(f"roles[{role!r}][{key!r}] must be a string")
    entry: dict[str, Any] = {
        "roles": {role: dict(parts) for role, parts in roles.items()},
        "initial_prompt_value": initial_prompt_value or "",
        "final_prompt_value": final_prompt_value or "",
    }
    if tokenizer_config:
        entry["tokenizer_config"] = dict(tokenizer_config)
        bos = _token_text(tokenizer_config.get("bos_token"))
        eos = _token_text(tokenizer_config.get("eos_token"))
        if bos:
            entry["bos_token"] = bos
        if eos:
            entry["eos_token"] = eos
    registry = prompt_registry()
    for name in _model_names(model):
        registry[name] = entry
    return registry


def get_prompt_template(model: str) -> dict[str, Any] | None:
    """The template registered for ``model`` (or for its name without the provider prefix)."""
    registry = prompt_registry()
    for name in _model_names(model):
        if name in registry:
            return registry[name]
    return None


def _content_text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            part.get("text", "") for part in content if isinstance(part, dict) and part.get("type") == "text"
        )
    return str(content)


def format_prompt(model: str, messages: list[dict[str, Any]], template: dict[str, Any] | None = None) -> str:
    """The prompt string for ``messages`` using ``model``'s registered template.

    Without a template the message contents are joined with spaces.
    """
    template = template if template is not None else get_prompt_template(model)
    if template is None:
        return " ".join(_content_text(m.get("content")) for m in messages)
    roles = template.get("roles") or {}
    eos = template.get("eos_token", "")
    out = [template.get("bos_token", ""), template.get("initial_prompt_value", "")]
    for message in messages:
        role = message.get("role")
        parts = roles.get(role) or {}
        out.append(parts.get("pre_message", ""))
        out.append(_content_text(message.get("content")))
        out.append(parts.get("post_message", ""))
        if role == "assistant" and eos:
            out.append(eos)
    out.append(template.get("final_prompt_value", ""))
    return "".join(out)
