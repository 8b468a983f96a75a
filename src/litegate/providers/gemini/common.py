"""Small helpers every part of the Gemini dialect uses: model-name rules, name spelling, JSON text."""

from __future__ import annotations

import re
import uuid
from typing import Any

from ...core.jsonutil import dumps
from ..base import bad_input

_fail = bad_input  # the name earlier versions had

API_VERSION = "v1beta"
# an api_base that already ends with an API version (/v1, /v1beta, /v1alpha, /v1beta1) is used as given
_VERSIONED = re.compile(r"/v\d+(?:(?:alpha|beta)\d*)?$")
_MODEL_NAME = re.compile(r"gemini-(\d+)(?:\.(\d+))?")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _json_text(value: Any) -> str:
    return dumps(value).decode("utf-8")


def _new_call_id() -> str:
    return "call_" + uuid.uuid4().hex[:24]


def model_version(model: str) -> tuple[int, int] | None:
    """(major, minor) read from a Gemini model name (``gemini-2.5-flash`` -> (2, 5)), or None."""
    m = _MODEL_NAME.search(model)
    if m is None:
        return None
    return int(m.group(1)), int(m.group(2) or 0)


def supports_thinking(model: str) -> bool:
    """Thinking (``thinkingConfig``): Gemini 2.5 and later; names we cannot read are assumed to."""
    v = model_version(model)
    return v is None or v >= (2, 5)


def supports_json_schema(model: str) -> bool:
    """``responseJsonSchema`` (JSON Schema for structured output): Gemini 2.5 and later."""
    v = model_version(model)
    return v is not None and v >= (2, 5)
