"""Cloudflare Workers AI (``cloudflare/@cf/<org>/<model>``): the OpenAI-compatible routes under
``https://api.cloudflare.com/client/v4/accounts/{account_id}/ai/v1`` (reference
``cloudflare/NOTES.md``): chat completions and embeddings, ``Authorization: Bearer <api token>``.

The account comes from ``account_id=`` per call or ``CLOUDFLARE_ACCOUNT_ID``; ``api_base`` (or
``CLOUDFLARE_API_BASE``, e.g. an AI Gateway URL ``https://gateway.ai.cloudflare.com/v1/{account}/
{gateway}/workers-ai/v1``) replaces the whole base. Key: ``api_key=``, ``litegate.cloudflare_key``,
``CLOUDFLARE_API_KEY`` or ``CLOUDFLARE_API_TOKEN``.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any

from ..core.http import HttpRequest
from ..core.resolve import env_value
from .base import bad_input
from .openai import Compatible
from .openai_compatible import CompatProvider

if TYPE_CHECKING:
    from typing import TypeVar

    from ..core.call import ChatCall, EmbeddingCall
    from ..core.resolve import Target
    from .base import AnyCall, Drop

    _Call = TypeVar("_Call", ChatCall, EmbeddingCall)


__all__ = ["Cloudflare", "ACCOUNT_BASE"]

ACCOUNT_BASE = "https://api.cloudflare.com/client/v4/accounts/{account}/ai/v1"
_ACCOUNT = re.compile(r"[0-9a-fA-F]{32}|[A-Za-z0-9_-]{1,64}")
_ROW = CompatProvider(
    "cloudflare",
    None,
    ("CLOUDFLARE_API_KEY", "CLOUDFLARE_API_TOKEN"),
    ("cloudflare_key",),
    ("CLOUDFLARE_API_BASE",),
    endpoints=frozenset({"chat", "embedding"}),
)


class Cloudflare(Compatible):
    def __init__(self) -> None:
        super().__init__(_ROW)

    def prepare(self, target: Target, cfg: Any = None, call: AnyCall | None = None) -> None:
        if target.api_base:
            return
        extra = getattr(call, "extra", None) or {}
        account = extra.get("account_id") or env_value(("CLOUDFLARE_ACCOUNT_ID",))
        if not account:
            raise bad_input(
                "cloudflare needs an account id: pass account_id=... or set CLOUDFLARE_ACCOUNT_ID (or api_base=...)",
                getattr(call, "model", target.model),
            )
        if not isinstance(account, str) or not _ACCOUNT.fullmatch(account):
            raise bad_input(
                f"cloudflare account_id {str(account)[:40]!r} is not an account id",
                getattr(call, "model", target.model),
            )
        target.api_base = ACCOUNT_BASE.format(account=account)

    @staticmethod
    def _clean(call: _Call) -> _Call:
        extra = call.extra or {}
        if "account_id" not in extra:
            return call
        return dataclasses.replace(call, extra={k: v for k, v in extra.items() if k != "account_id"})

    def chat_request(self, call: ChatCall, target: Target, drop: Drop) -> HttpRequest:
        return super().chat_request(self._clean(call), target, drop)

    def embedding_request(self, call: EmbeddingCall, target: Target, drop: Drop) -> HttpRequest:
        return super().embedding_request(self._clean(call), target, drop)
