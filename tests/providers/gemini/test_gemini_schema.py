"""JSON schema -> Gemini's OpenAPI-subset Schema: conversions, and a logged warning naming everything
that cannot be expressed (never a silent drop)."""

from __future__ import annotations

import copy
import logging

import pytest
from _gemini_helpers import load, translate

from litegate.providers.gemini import adapt_schema
from litegate.testing.gemini_server import _check_schema


@pytest.fixture
def warnings(caplog):
    caplog.set_level(logging.WARNING, logger="litegate")
    return caplog


def test_plain_schema_converts_without_warning(warnings):
    schema = {
        "type": "object",
        "description": "A person",
        "title": "Person",
        "properties": {
            "name": {"type": "string", "minLength": 1, "pattern": "^[A-Z]"},
            "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
            "born": {"type": "string", "format": "date-time"},
            "score": {"type": "number", "minimum": 0, "maximum": 1, "default": 0.5},
        },
        "required": ["name"],
    }
    before = copy.deepcopy(schema)
    assert adapt_schema(schema, "test") == {
        "type": "OBJECT",
        "description": "A person",
        "title": "Person",
        "properties": {
            "name": {"type": "STRING", "minLength": 1, "pattern": "^[A-Z]"},
            "tags": {"type": "ARRAY", "items": {"type": "STRING"}, "maxItems": 3},
            "born": {"type": "STRING", "format": "date-time"},
            "score": {"type": "NUMBER", "minimum": 0, "maximum": 1, "default": 0.5},
        },
        "required": ["name"],
    }
    assert schema == before  # not changed in place
    assert warnings.text == ""


def test_nullable_forms(warnings):
    out = adapt_schema(
        {
            "type": "object",
            "properties": {
                "a": {"type": ["string", "null"]},
                "b": {"anyOf": [{"type": "integer"}, {"type": "null"}], "description": "maybe"},
                "c": {"enum": ["x", "y", None]},
                "d": {"type": ["string", "integer"]},
            },
        }
    )
    assert out["properties"] == {
        "a": {"type": "STRING", "nullable": True},
        "b": {"description": "maybe", "nullable": True, "type": "INTEGER"},
        "c": {"nullable": True, "enum": ["x", "y"], "type": "STRING"},
        "d": {"anyOf": [{"type": "STRING"}, {"type": "INTEGER"}]},
    }
    assert warnings.text == ""


def test_refs_and_defs_are_inlined(warnings):
    schema = {
        "type": "object",
        "properties": {
            "home": {"$ref": "#/$defs/Address"},
            "work": {"$ref": "#/definitions/Address", "description": "Office"},
        },
        "$defs": {"Address": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}},
        "definitions": {"Address": {"type": "object", "properties": {"city": {"type": "string"}}}},
    }
    out = adapt_schema(schema)
    assert out["properties"]["home"] == {
        "type": "OBJECT",
        "properties": {"city": {"type": "STRING"}},
        "required": ["city"],
    }
    assert out["properties"]["work"] == {
        "description": "Office",
        "type": "OBJECT",
        "properties": {"city": {"type": "STRING"}},
    }
    assert "$defs" not in str(out) and warnings.text == ""


def test_recursive_ref_is_cut_with_a_warning(warnings):
    schema = {
        "$defs": {
            "Node": {
                "type": "object",
                "properties": {
                    "value": {"type": "integer"},
                    "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}},
                },
            }
        },
        "$ref": "#/$defs/Node",
    }
    out = adapt_schema(schema, "tool 'tree' parameters")
    assert out["properties"]["children"]["items"] == {"type": "OBJECT"}
    assert "tool 'tree' parameters" in warnings.text
    assert "recursive $ref '#/$defs/Node'" in warnings.text


def test_one_of_all_of_and_const(warnings):
    out = adapt_schema(
        {
            "allOf": [
                {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
                {"properties": {"b": {"const": "fixed"}}, "required": ["b"]},
            ],
            "properties": {"c": {"oneOf": [{"type": "string"}, {"type": "integer"}]}},
        }
    )
    assert out["type"] == "OBJECT"
    assert out["properties"]["a"] == {"type": "STRING"}
    assert out["properties"]["b"] == {"enum": ["fixed"], "type": "STRING"}
    assert out["properties"]["c"] == {"anyOf": [{"type": "STRING"}, {"type": "INTEGER"}]}
    assert sorted(out["required"]) == ["a", "b"]
    assert "allOf (2 schemas merged into one)" in warnings.text
    assert "oneOf (sent as anyOf" in warnings.text


def test_single_all_of_wrapper_is_exact(warnings):
    out = adapt_schema(
        {
            "type": "object",
            "properties": {"x": {"allOf": [{"$ref": "#/$defs/E"}], "description": "d"}},
            "$defs": {"E": {"type": "string", "enum": ["a", "b"]}},
        }
    )
    assert out["properties"]["x"] == {"description": "d", "type": "STRING", "enum": ["a", "b"]}
    assert warnings.text == ""


def test_every_unexpressible_keyword_is_named(warnings):
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "n": {"type": "integer", "exclusiveMinimum": 0, "multipleOf": 5},
            "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
            "level": {"type": "integer", "enum": [1, 2, 3]},
            "flag": {"const": True},
            "pair": {"type": "array", "items": [{"type": "string"}, {"type": "integer"}]},
            "meta": {"type": "object", "patternProperties": {"^x-": {"type": "string"}}, "examples": [{"x-a": "b"}]},
        },
    }
    out = adapt_schema(schema, "tool 'lookup' parameters")
    assert _check_schema(out, "parameters", False) is None  # what remains is valid for the Gemini API
    text = warnings.text
    assert text.count("WARNING") == 1  # one warning per schema
    for named in (
        "$schema (at the root)",
        "additionalProperties (at the root)",
        "exclusiveMinimum (at properties.n)",
        "multipleOf (at properties.n)",
        "uniqueItems (at properties.tags)",
        "enum [1, 2, 3]",
        "const True",
        "items (tuple form)",
        "patternProperties (at properties.meta)",
        "examples (at properties.meta)",
    ):
        assert named in text, named
    assert out["properties"]["level"] == {"type": "INTEGER"}
    assert out["properties"]["meta"] == {"type": "OBJECT"}


def test_vertex_keeps_additional_properties(warnings):
    out = adapt_schema(
        {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False},
        keep_additional_properties=True,
    )
    assert out["additionalProperties"] is False
    assert warnings.text == ""
    out = adapt_schema({"type": "object", "additionalProperties": {"type": "integer"}}, keep_additional_properties=True)
    assert out == {"type": "OBJECT", "additionalProperties": {"type": "INTEGER"}}


def test_property_ordering_for_response_schemas():
    out = adapt_schema(
        {"type": "object", "properties": {"z": {"type": "string"}, "a": {"type": "string"}}}, property_ordering=True
    )
    assert out["propertyOrdering"] == ["z", "a"]


def test_google_sdk_schema_pair():
    """The JSON schema and the OpenAPI form Google's SDKs send for it agree on the structure."""
    ours = adapt_schema(load("schema/json-schema.json"))
    theirs = load("schema/open-api-schema.json")

    def shape(s):
        out = {k: s[k] for k in ("type", "nullable", "enum", "required") if k in s}
        if "properties" in s:
            out["properties"] = {k: shape(v) for k, v in s["properties"].items()}
        if "items" in s:
            out["items"] = shape(s["items"])
        return out

    assert shape(ours) == shape(theirs)
    assert _check_schema(ours, "parameters", False) is None


def test_tool_schema_warning_names_the_tool(warnings):
    tool = {
        "type": "function",
        "function": {
            "name": "search",
            "parameters": {"type": "object", "properties": {"q": {"type": "string"}}, "additionalProperties": False},
        },
    }
    body = translate(tools=[tool])
    assert body["tools"][0]["functionDeclarations"][0]["parameters"] == {
        "type": "OBJECT",
        "properties": {"q": {"type": "STRING"}},
    }
    assert "gemini: tool 'search' parameters" in warnings.text
    assert "additionalProperties (at the root)" in warnings.text


def test_not_a_dict():
    with pytest.raises(TypeError):
        adapt_schema(["not", "a", "schema"])
