"""JSON schema (as OpenAI tools and ``response_format`` take it) -> Gemini's OpenAPI-subset ``Schema``.

:func:`adapt_schema` upper-cases types, inlines ``$ref`` / ``$defs``, turns ``type: [X, "null"]``
and ``anyOf [X, null]`` into ``nullable``, sends ``oneOf`` as ``anyOf``, merges ``allOf`` and makes
a string ``const`` an ``enum``. Every keyword that cannot be expressed is dropped and named in one
logged warning per schema (never a silent drop). Vertex AI's ``Schema`` also takes
``additionalProperties`` (``keep_additional_properties=True``); ``property_ordering`` adds
``propertyOrdering`` so structured output keeps the schema's property order.
"""

from __future__ import annotations

from typing import Any

from ...core.log import log

__all__ = ["adapt_schema"]

_TYPES = {
    "string": "STRING",
    "number": "NUMBER",
    "integer": "INTEGER",
    "boolean": "BOOLEAN",
    "array": "ARRAY",
    "object": "OBJECT",
    "null": "NULL",
}
# Schema fields Gemini takes as they are (the OpenAPI subset of the v1beta ``Schema`` object)
_KEPT_KEYWORDS = frozenset(
    {
        "format",
        "title",
        "description",
        "nullable",
        "minItems",
        "maxItems",
        "minProperties",
        "maxProperties",
        "minLength",
        "maxLength",
        "pattern",
        "minimum",
        "maximum",
        "default",
        "example",
        "propertyOrdering",
    }
)
_HANDLED_KEYWORDS = frozenset(
    {
        "type",
        "properties",
        "items",
        "required",
        "enum",
        "const",
        "anyOf",
        "oneOf",
        "allOf",
        "$ref",
        "$defs",
        "definitions",
        "additionalProperties",
    }
)


class _SchemaAdapter:
    """One JSON schema -> Gemini ``Schema``; collects what had to be dropped (path, keyword)."""

    def __init__(self, root: dict[str, Any], keep_additional: bool, ordering: bool):
        self.root = root
        self.keep_additional = keep_additional
        self.ordering = ordering
        self.dropped: list[tuple[str, str]] = []
        self._refs: list[str] = []

    def drop(self, path: str, what: str) -> None:
        self.dropped.append((path, what))

    def resolve(self, ref: str) -> Any:
        if ref == "#":
            return self.root
        for prefix in ("#/$defs/", "#/definitions/"):
            if ref.startswith(prefix):
                target: Any = self.root.get(prefix[2:-1])
                for name in ref[len(prefix) :].split("/"):
                    name = name.replace("~1", "/").replace("~0", "~")
                    target = target.get(name) if isinstance(target, dict) else None
                return target
        return None

    def convert(self, node: Any, path: str) -> dict[str, Any]:
        if node is True or node == {}:
            return {}
        if not isinstance(node, dict):
            self.drop(path, f"a schema that is not an object ({node!r:.40})")
            return {}
        ref = node.get("$ref")
        if isinstance(ref, str):
            if ref in self._refs:
                self.drop(path, f"recursive $ref {ref!r} (replaced by an object without properties)")
                out: dict[str, Any] = {"type": "OBJECT"}
                if isinstance(node.get("description"), str):
                    out["description"] = node["description"]
                return out
            target = self.resolve(ref)
            if not isinstance(target, dict):
                self.drop(path, f"$ref {ref!r} (not a local definition)")
                return {}
            merged = {k: v for k, v in target.items() if k not in ("$defs", "definitions")}
            merged.update({k: v for k, v in node.items() if k != "$ref"})
            self._refs.append(ref)
            try:
                return self.convert(merged, path)
            finally:
                self._refs.pop()
        node = self._flatten_all_of(node, path)
        out = {}
        for key, value in node.items():
            if key in _KEPT_KEYWORDS:
                out[key] = value
            elif key not in _HANDLED_KEYWORDS:
                self.drop(path, key)
        if node is not self.root and ("$defs" in node or "definitions" in node):
            self.drop(path, "$defs")  # nested definitions are only reachable through $ref (inlined)
        self._type(node, out, path)
        self._enum(node, out, path)
        props = node.get("properties")
        if isinstance(props, dict):
            converted = {
                name: self.convert(sub, f"{path}.properties.{name}" if path else f"properties.{name}")
                for name, sub in props.items()
            }
            if converted:
                out["properties"] = converted
                if self.ordering and len(converted) > 1 and "propertyOrdering" not in out:
                    out["propertyOrdering"] = list(converted)
            out.setdefault("type", "OBJECT")
        required = node.get("required")
        if isinstance(required, list) and required:
            out["required"] = list(required)
        items = node.get("items")
        if isinstance(items, dict):
            out["items"] = self.convert(items, f"{path}.items" if path else "items")
            out.setdefault("type", "ARRAY")
        elif items is not None:
            self.drop(path, "items (tuple form)")
        extra = node.get("additionalProperties")
        if extra is not None:
            if self.keep_additional:
                out["additionalProperties"] = (
                    extra if isinstance(extra, bool) else self.convert(extra, f"{path}.additionalProperties")
                )
            else:
                self.drop(path, "additionalProperties")
        alternatives = node.get("anyOf")
        kind = "anyOf"
        if alternatives is None and node.get("oneOf") is not None:
            alternatives = node.get("oneOf")
            kind = "oneOf"
            self.drop(path, "oneOf (sent as anyOf: 'exactly one' cannot be expressed)")
        if isinstance(alternatives, list):
            self._any_of(alternatives, out, f"{path}.{kind}" if path else kind)
        return out

    def _flatten_all_of(self, node: dict[str, Any], path: str) -> dict[str, Any]:
        parts = node.get("allOf")
        if not isinstance(parts, list) or not parts:
            return node
        merged = {k: v for k, v in node.items() if k != "allOf"}
        if len(parts) > 1:
            self.drop(path, f"allOf ({len(parts)} schemas merged into one)")
        for part in parts:
            if isinstance(part, dict) and isinstance(part.get("$ref"), str):
                target = self.resolve(part["$ref"])
                part = (
                    dict(target, **{k: v for k, v in part.items() if k != "$ref"}) if isinstance(target, dict) else part
                )
            if not isinstance(part, dict):
                continue
            part = self._flatten_all_of(part, path)
            for key, value in part.items():
                if key == "properties" and isinstance(value, dict):
                    merged["properties"] = {**value, **(merged.get("properties") or {})}
                elif key == "required" and isinstance(value, list):
                    merged["required"] = list(dict.fromkeys((merged.get("required") or []) + value))
                else:
                    merged.setdefault(key, value)
        return merged

    def _type(self, node: dict[str, Any], out: dict[str, Any], path: str) -> None:
        typ = node.get("type")
        if typ is None:
            return
        names = typ if isinstance(typ, list) else [typ]
        known: list[str] = []
        for name in names:
            upper = _TYPES.get(name.lower()) if isinstance(name, str) else None
            if upper is None:
                self.drop(path, f"type {name!r}")
            else:
                known.append(upper)
        if len(known) > 1 and "NULL" in known:
            known = [t for t in known if t != "NULL"]
            out["nullable"] = True
        if len(known) == 1:
            out["type"] = known[0]
        elif known:
            out["anyOf"] = [{"type": t} for t in known]

    def _enum(self, node: dict[str, Any], out: dict[str, Any], path: str) -> None:
        values = node.get("enum")
        if values is None and "const" in node:
            values = [node["const"]]
            if not isinstance(node["const"], str):
                self.drop(path, f"const {node['const']!r} (Gemini enums are strings)")
                return
        if values is None:
            return
        if not isinstance(values, list):
            self.drop(path, "enum (not a list)")
            return
        if None in values:
            out["nullable"] = True
            values = [v for v in values if v is not None]
        if all(isinstance(v, str) for v in values):
            if values:
                out["enum"] = list(values)
                out.setdefault("type", "STRING")
            return
        self.drop(path, f"enum {values!r:.80} (Gemini enums are strings)")

    def _any_of(self, alternatives: list[Any], out: dict[str, Any], path: str) -> None:
        converted: list[dict[str, Any]] = []
        nullable = False
        for i, alt in enumerate(alternatives):
            if isinstance(alt, dict) and alt.get("type") == "null" and len(alt) == 1:
                nullable = True
                continue
            converted.append(self.convert(alt, f"{path}[{i}]"))
        if nullable:
            out["nullable"] = True
        if len(converted) == 1:
            # [X, null] -> X + nullable; keywords given beside anyOf win
            for key, value in converted[0].items():
                out.setdefault(key, value)
        elif converted:
            out["anyOf"] = converted


def adapt_schema(
    schema: Any,
    where: str = "schema",
    *,
    keep_additional_properties: bool = False,
    property_ordering: bool = False,
    provider: str = "gemini",
) -> dict[str, Any]:
    """A JSON schema (as OpenAI tools and ``response_format`` take it) -> Gemini's ``Schema``.

    Returns a new dict; ``schema`` is not changed. Every keyword that cannot be expressed is left
    out and named, with where it was, in one ``WARNING`` on the ``litegate`` logger.
    ``keep_additional_properties`` keeps ``additionalProperties`` (Vertex AI's ``Schema`` has it).
    """
    if not isinstance(schema, dict):
        raise TypeError(f"{where}: a JSON schema must be a dict, got {type(schema).__name__}")
    adapter = _SchemaAdapter(schema, keep_additional_properties, property_ordering)
    out = adapter.convert(schema, "")
    if adapter.dropped:
        described = "; ".join(f"{what} (at {path or 'the root'})" for path, what in adapter.dropped)
        log.warning(
            "%s: %s uses JSON schema features Gemini's schema cannot express; left out: %s", provider, where, described
        )
    return out
