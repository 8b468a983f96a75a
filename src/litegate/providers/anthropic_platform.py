"""The Anthropic Messages dialect on a cloud platform (Bedrock's InvokeModel, Vertex AI's
rawPredict): the same translator, parser and stream decoder; only the envelope differs.

A platform's body is the Messages body without ``model`` (the model is in the URL), with the
platform's ``anthropic_version`` and ``anthropic-beta`` headers moved into an ``anthropic_beta``
list; the platform's own auth flow (SigV4, Google OAuth) authorises it instead of ``x-api-key``.
Bedrock also leaves ``stream`` out (the operation says it), Vertex keeps it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .anthropic import Anthropic

if TYPE_CHECKING:
    from ..core.call import ChatCall
    from ..core.resolve import Target
    from .base import Drop


__all__ = ["PlatformAnthropic"]


class PlatformAnthropic(Anthropic):
    """Subclasses set ``name``, ``platform_version`` and ``keep_stream``."""

    platform_version = ""
    keep_stream = False

    def auth_headers(self, target: Target) -> dict[str, str]:
        headers = {"content-type": "application/json", "accept": "application/json"}
        headers.update({k: v for k, v in (target.headers or {}).items() if k.lower() != "anthropic-beta"})
        return headers

    def chat_body(self, call: ChatCall, target: Target, drop: Drop) -> dict[str, Any]:
        request = Anthropic.chat_request(self, call, target, drop)
        dropped = ("model",) if self.keep_stream else ("model", "stream")
        body = {k: v for k, v in request.json.items() if k not in dropped}
        body["anthropic_version"] = self.platform_version
        beta = next((v for k, v in (target.headers or {}).items() if k.lower() == "anthropic-beta"), None)
        if beta:
            body["anthropic_beta"] = [b.strip() for b in str(beta).split(",") if b.strip()]
        return body
