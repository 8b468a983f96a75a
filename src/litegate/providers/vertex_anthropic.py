"""Claude on Vertex AI (``vertex_ai/claude-...``): the Anthropic Messages translator on Vertex's
``publishers/anthropic`` endpoints.

``POST {vertex prefix}/publishers/anthropic/models/{model}:rawPredict`` (``:streamRawPredict`` for
an SSE stream) with the Messages body without ``model``, plus ``anthropic_version:
vertex-2023-10-16``; the Google OAuth flow of :class:`~litegate.providers.vertex.VertexAI`
authorises it. Responses and streams are Anthropic's, parsed by the Anthropic dialect unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.http import HttpRequest
from .anthropic_platform import PlatformAnthropic

if TYPE_CHECKING:
    from ..core.call import ChatCall
    from ..core.resolve import Target
    from .base import Drop


__all__ = ["VertexAnthropic", "VERTEX_ANTHROPIC_VERSION", "is_claude"]

VERTEX_ANTHROPIC_VERSION = "vertex-2023-10-16"


def is_claude(model: str) -> bool:
    return model.startswith("claude-") or model.startswith("anthropic/claude-")


class VertexAnthropic(PlatformAnthropic):
    name = "vertex_ai"
    key_hint = "vertex_credentials= / GOOGLE_APPLICATION_CREDENTIALS / Application Default Credentials"
    platform_version = VERTEX_ANTHROPIC_VERSION
    keep_stream = True

    def vertex_request(self, call: ChatCall, target: Target, drop: Drop, base: str) -> HttpRequest:
        model = target.model.split("/", 1)[1] if target.model.startswith("anthropic/") else target.model
        method = "streamRawPredict" if call.stream else "rawPredict"
        url = f"{base}/publishers/anthropic/models/{model}:{method}"
        return HttpRequest("POST", url, self.auth_headers(target), self.chat_body(call, target, drop))
