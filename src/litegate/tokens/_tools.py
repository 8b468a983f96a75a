"""Text approximating how OpenAI shows tool (function) definitions to the model.

OpenAI does not publish the exact format. The model reads the definitions as a TypeScript-like
``namespace functions`` block (one ``type name = (_: {...}) => any;`` per function, descriptions
as ``//`` comments); counting the tokens of that block, plus a fixed overhead, lands within a few
tokens of the ``usage.prompt_tokens`` the API reports. The fixed corrections used by
:func:`litegate.tokens.openai_token_counter` come from the same public measurements:

* +9 tokens when tools are present, -4 of them when the conversation has a system message
  (the definitions then share that system message);
* ``tool_choice="none"``: +1; a forced function ``{"type": "function", "function": {"name": n}}``:
  +4 plus the tokens of ``n``; ``"auto"`` / ``"required"`` / absent: nothing.

Example of the block for one tool::

    namespace functions {

    // Get the weather
    type get_weather = (_: {
    // City name
    city: string,
    unit?: "c" | "f",
    }) => any;

    } // namespace functions
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

TOOLS_OVERHEAD = 9
SYSTEM_MESSAGE_DISCOUNT = 4
TOOL_CHOICE_NONE = 1
TOOL_CHOICE_FUNCTION = 4


def _as_dict(obj: Any) -> Any:
    if isinstance(obj, dict) or obj is None:
        return obj
    dump = getattr(obj, "model_dump", None)
    if callable(dump):
        return dump(exclude_none=True)
    return obj


def _type_of(schema: Any, indent: str) -> str:
    """TypeScript-like type for a JSON schema."""
    schema = _as_dict(schema)
    if not isinstance(schema, dict):
        return "any"
    if "enum" in schema and isinstance(schema["enum"], list):
        return " | ".join(json.dumps(v, ensure_ascii=False) for v in schema["enum"]) or "any"
    if "const" in schema:
        return json.dumps(schema["const"], ensure_ascii=False)
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            return " | ".join(_type_of(opt, indent) for opt in options)
    kind = schema.get("type")
    if isinstance(kind, list):
        return " | ".join(_type_of({**schema, "type": k}, indent) for k in kind) or "any"
    if kind == "string":
        return "string"
    if kind in ("number", "integer"):
        return "number"
    if kind == "boolean":
        return "boolean"
    if kind == "null":
        return "null"
    if kind == "array":
        items = schema.get("items")
        return f"{_type_of(items, indent)}[]" if items else "any[]"
    if kind == "object" or "properties" in schema:
        props = schema.get("properties")
        if not isinstance(props, dict) or not props:
            return "object"
        inner = _properties(props, schema.get("required") or [], indent + "  ")
        return "{\n" + inner + "\n" + indent + "}"
    return "any"


def _properties(props: dict[str, Any], required: Iterable[str], indent: str = "") -> str:
    required_set = set(required) if isinstance(required, (list, tuple, set)) else set()
    lines: list[str] = []
    for name, schema in props.items():
        schema = _as_dict(schema)
        if isinstance(schema, dict):
            description = schema.get("description")
            if description:
                lines.append(f"{indent}// {description}")
        optional = "" if name in required_set else "?"
        lines.append(f"{indent}{name}{optional}: {_type_of(schema, indent)},")
    return "\n".join(lines)


def _function_of(tool: Any) -> dict[str, Any] | None:
    tool = _as_dict(tool)
    if not isinstance(tool, dict):
        return None
    function = _as_dict(tool.get("function"))
    if isinstance(function, dict):
        return function
    if "name" in tool and tool.get("type") in (None, "function"):
        return tool  # a legacy ``functions=[...]`` entry, or a Responses-style flat tool
    return None


def format_tools(tools: Iterable[Any]) -> str:
    """The ``namespace functions`` block for ``tools``.

    Tools that are not functions (for example ``{"type": "web_search_preview"}``) are appended as
    compact JSON, a rough stand-in for whatever the provider injects for them.
    """
    lines = ["namespace functions {", ""]
    others: list[str] = []
    functions = 0
    for tool in tools:
        function = _function_of(tool)
        if function is None:
            others.append(json.dumps(_as_dict(tool), ensure_ascii=False, default=str, separators=(",", ":")))
            continue
        functions += 1
        name = function.get("name") or ""
        description = function.get("description")
        if description:
            lines.append(f"// {description}")
        params = _as_dict(function.get("parameters")) or {}
        props = params.get("properties") if isinstance(params, dict) else None
        if isinstance(props, dict) and props:
            lines.append(f"type {name} = (_: {{")
            lines.append(_properties(props, params.get("required") or []))
            lines.append("}) => any;")
        else:
            lines.append(f"type {name} = () => any;")
        lines.append("")
    lines.append("} // namespace functions")
    blocks = ["\n".join(lines)] if functions else []
    return "\n".join(blocks + others)


def forced_function_name(tool_choice: Any) -> str | None:
    """The function name a ``tool_choice`` object forces, or None."""
    tool_choice = _as_dict(tool_choice)
    if not isinstance(tool_choice, dict):
        return None
    function = _as_dict(tool_choice.get("function"))
    if isinstance(function, dict) and function.get("name"):
        return str(function["name"])
    if tool_choice.get("name"):
        return str(tool_choice["name"])
    return None
