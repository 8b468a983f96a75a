"""OTLP/HTTP JSON encoding of :class:`~.otel.SpanData` (``ExportTraceServiceRequest``), for
platforms that ingest OpenTelemetry traces without the OpenTelemetry SDK (Langfuse's
``/api/public/otel/v1/traces``).

OTLP/JSON rules: trace and span ids are hex strings (32 and 16 characters), times are Unix
nanoseconds as decimal strings, span kind 3 is CLIENT, status code 2 is ERROR; attribute values
are wrapped as ``stringValue`` / ``intValue`` / ``doubleValue`` / ``boolValue`` / ``arrayValue``.
"""

from __future__ import annotations

import hashlib
import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .otel import SpanData

KIND_CLIENT = 3
STATUS_UNSET, STATUS_ERROR = 0, 2


def hex_id(value: Any, length: int) -> str:
    """A ``length``-character hex id: a UUID-shaped value's own hex (its low end for span ids),
    anything else hashed. Never all zeros (invalid in OTLP)."""
    text = str(value or "")
    digits = text.replace("-", "").lower()
    if len(digits) == 32 and all(c in "0123456789abcdef" for c in digits):
        out = digits[-length:]
    else:
        out = hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]
    return out if out.strip("0") else "1".rjust(length, "0")


def value(v: Any) -> dict[str, Any]:
    if isinstance(v, bool):
        return {"boolValue": v}
    if isinstance(v, int):
        return {"intValue": v}
    if isinstance(v, float):
        return {"doubleValue": v}
    if isinstance(v, (list, tuple)):
        return {"arrayValue": {"values": [value(x) for x in v]}}
    return {"stringValue": str(v)}


def attributes(attrs: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [{"key": k, "value": value(v)} for k, v in attrs.items() if v is not None]


def span(data: SpanData, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    attrs = dict(data.attrs)
    if extra:
        attrs.update(extra)
    out = {
        "traceId": hex_id(data.trace_id, 32),
        "spanId": hex_id(data.span_id, 16),
        "name": data.name,
        "kind": KIND_CLIENT,
        "startTimeUnixNano": str(data.start_ns or 0),
        "endTimeUnixNano": str(data.end_ns or data.start_ns or 0),
        "attributes": attributes(attrs),
        "events": [{"timeUnixNano": str(at), "name": name, "attributes": attributes(a)} for name, at, a in data.events],
        "status": {"code": STATUS_ERROR, "message": data.error} if data.error is not None else {"code": STATUS_UNSET},
    }
    return out


def export_request(spans: list[dict[str, Any]]) -> dict[str, Any]:
    """``ExportTraceServiceRequest`` for already-encoded spans, from one resource and scope."""
    from ._version_info import version

    service = os.environ.get("OTEL_SERVICE_NAME") or "litegate"
    return {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": attributes(
                        {"service.name": service, "telemetry.sdk.name": "litegate", "telemetry.sdk.version": version}
                    )
                },
                "scopeSpans": [{"scope": {"name": "litegate", "version": version}, "spans": spans}],
            }
        ]
    }


__all__ = ["export_request", "hex_id", "span", "value"]
