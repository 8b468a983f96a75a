"""OpenAI tools and ``tool_choice`` -> Gemini ``tools`` and ``toolConfig``.

* ``tools`` -> one ``{"functionDeclarations": [...]}`` tool; each JSON schema is adapted to
  Gemini's ``Schema`` by :func:`~.schema.adapt_schema`. Gemini-native tools (``googleSearch``,
  ``codeExecution``, ``urlContext`` ...) pass through; ``web_search_options`` adds
  ``googleSearch``. A function without parameters is declared without ``parameters``.
* ``tool_choice``: ``auto`` -> ``AUTO``, ``none`` -> ``NONE``, ``required`` -> ``ANY``, a named
  function -> ``ANY`` + ``allowedFunctionNames``. ``parallel_tool_calls=False`` cannot be
  expressed (logged warning).
"""

from __future__ import annotations

from typing import Any

from ...core.log import log
from ..base import bad_input, plain
from .common import _camel
from .schema import adapt_schema

__all__ = ["convert_tools", "tool_config", "tool_fields"]

_NATIVE_TOOL_KEYS = frozenset(
    {
        "functionDeclarations",
        "function_declarations",
        "googleSearch",
        "google_search",
        "googleSearchRetrieval",
        "google_search_retrieval",
        "codeExecution",
        "code_execution",
        "urlContext",
        "url_context",
        "googleMaps",
        "google_maps",
        "fileSearch",
        "file_search",
        "computerUse",
        "computer_use",
        "retrieval",
        "enterpriseWebSearch",
        "enterprise_web_search",
        "mcpServers",
        "mcp_servers",
    }
)


def convert_tools(
    tools: list[Any], model: str, *, vertex: bool = False, provider: str = "gemini"
) -> list[dict[str, Any]]:
    """OpenAI function tools -> Gemini tools (one ``functionDeclarations`` tool first); tools already
    in Gemini form (``googleSearch``, ``codeExecution``, ...) pass through."""
    declarations: list[dict[str, Any]] = []
    native: list[dict[str, Any]] = []
    for i, tool in enumerate(tools):
        tool = plain(tool)
        if not isinstance(tool, dict):
            raise bad_input(f"tools[{i}] must be a dict", model)
        fn = tool.get("function")
        if tool.get("type") == "function" and isinstance(fn, dict):
            name = fn.get("name")
            if not isinstance(name, str) or not name:
                raise bad_input(f"tools[{i}]: every function tool needs a name", model)
            decl: dict[str, Any] = {"name": name}
            if fn.get("description") is not None:
                decl["description"] = fn["description"]
            params = fn.get("parameters")
            if isinstance(params, dict) and params:
                schema = adapt_schema(
                    params, f"tool {name!r} parameters", keep_additional_properties=vertex, provider=provider
                )
                # an object without properties is declared without parameters (Gemini rejects empty ones)
                if schema.get("properties") or schema.get("anyOf") or schema.get("type") not in (None, "OBJECT"):
                    decl["parameters"] = schema
            if fn.get("strict") is True:
                log.warning(
                    "%s: tool %r asks for strict schema adherence, which Gemini cannot be told; 'strict' not sent",
                    provider,
                    name,
                )
            declarations.append(decl)
        elif any(k in tool for k in _NATIVE_TOOL_KEYS):
            native.append({_camel(k): v for k, v in tool.items()})
        else:
            raise bad_input(
                f"tools[{i}] is neither an OpenAI function tool nor a Gemini tool: {str(tool)[:80]!r}", model
            )
    out = [{"functionDeclarations": declarations}] if declarations else []
    return out + native


def tool_config(choice: Any, model: str) -> dict[str, Any]:
    """OpenAI ``tool_choice`` (or Gemini's own ``toolConfig`` form) -> ``toolConfig``."""
    if choice == "auto":
        return {"functionCallingConfig": {"mode": "AUTO"}}
    if choice == "none":
        return {"functionCallingConfig": {"mode": "NONE"}}
    if choice in ("required", "any"):
        return {"functionCallingConfig": {"mode": "ANY"}}
    if isinstance(choice, dict):
        if isinstance(choice.get("functionCallingConfig"), dict):
            return dict(choice)  # Gemini form
        fn = choice.get("function")
        name = fn.get("name") if isinstance(fn, dict) else choice.get("name")
        if isinstance(name, str) and name:
            return {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": [name]}}
    raise bad_input(f"tool_choice {choice!r} is not 'auto', 'none', 'required' or a named function", model)


def tool_fields(params: dict[str, Any], model: str, *, vertex: bool, provider: str) -> dict[str, Any]:
    """The ``tools`` / ``toolConfig`` request fields for the call's OpenAI params."""
    get = params.get
    tools = convert_tools(get("tools") or [], model, vertex=vertex, provider=provider)
    if get("web_search_options") is not None:
        tools.append({"googleSearch": {}})
    if not tools:
        return {}
    out: dict[str, Any] = {"tools": tools}
    if get("tool_choice") is not None:
        out["toolConfig"] = tool_config(get("tool_choice"), model)
    if get("parallel_tool_calls") is False:
        log.warning(
            "%s: Gemini cannot be told to avoid parallel function calls; parallel_tool_calls=False not sent (model=%s)",
            provider,
            model,
        )
    return out
