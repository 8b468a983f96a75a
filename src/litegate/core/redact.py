"""Mask secrets in text and headers before they reach an exception, a log line or a pickle.

``redact(text)`` masks well-known credential shapes (provider API keys, bearer tokens, ``api-key:``
header lines, ``key=`` query parameters, AWS access key ids) and every value registered at run
time with :func:`register_secret` (the call pipeline registers each API key it resolves).

It runs on the error path, not on every call: one pass of a single compiled pattern, then plain
substring checks for the registered values. It never raises.
"""

from __future__ import annotations

import _thread

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only; typing is not imported at run time
    from typing import Any, Iterable, Mapping

__all__ = [
    "MASK",
    "redact",
    "redact_headers",
    "register_secret",
    "unregister_secret",
    "clear_secrets",
    "mask_secret",
    "is_sensitive_header",
]

MASK = "****"
MIN_SECRET_LENGTH = 8  # shorter registered values would mask ordinary words

# --------------------------------------------------------------------------------------------
# Known credential shapes. One alternation, so the text is scanned once; each branch names the
# part that is kept (a recognisable prefix) in a group, the rest is replaced by MASK.
# --------------------------------------------------------------------------------------------

_NOT_IN_TOKEN = r"(?<![A-Za-z0-9_\-])"  # start of a token, so "task-force" is left alone

_PATTERN_SOURCE = "|".join(
    (
        # OpenAI / Anthropic / litellm-proxy style: sk-..., sk-proj-..., sk-ant-api03-...
        # (the lookahead keeps an already masked "sk-ant-****" as it is)
        _NOT_IN_TOKEN
        + r"(?P<sk>sk-(?:ant-|proj-|svcacct-|admin-)?)(?!(?:ant|proj|svcacct|admin)-\*)[A-Za-z0-9_\-]{4,}",
        # Google API keys
        _NOT_IN_TOKEN + r"(?P<aiza>AIza)[A-Za-z0-9_\-]{16,}",
        # Groq
        _NOT_IN_TOKEN + r"(?P<gsk>gsk_)[A-Za-z0-9]{8,}",
        # xAI
        _NOT_IN_TOKEN + r"(?P<xai>xai-)[A-Za-z0-9]{16,}",
        # AWS access key ids
        r"(?<![A-Z0-9])(?P<aws>AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])",
        # JSON web tokens (Entra ID / OAuth access tokens)
        _NOT_IN_TOKEN + r"(?P<jwt>eyJ)[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*",
        # "Bearer <anything>"; "Basic <base64>"
        r"(?P<auth>\b(?:Bearer|bearer|BEARER)\s+)[^\s\"',;]+",
        r"(?P<basic>\b(?:Basic|basic|BASIC)\s+)[A-Za-z0-9+/]{12,}={0,2}(?![A-Za-z0-9+/=])",
        # "api-key: v", "x-api-key=v", '"api_key": "v"', "AZURE_API_KEY=v", "client_secret=v", ...
        r"(?P<named>(?i:(?:x-(?:goog-)?)?api[-_ ]?key|access[-_]?token|refresh[-_]?token"
        r"|auth[-_]?token|session[-_]?token|secret[-_]?access[-_]?key|client[-_]?secret"
        r"|password|azure[-_]ad[-_]token)[\"']?\s*[:=]\s*[\"']?)[^\s\"',;&}\]]+",
        # query parameters: ?key=..., &token=..., &sig=... (Azure SAS)
        r"(?P<query>[?&](?i:key|token|sig|access_token|api_key|apikey)=)[^&\s\"'#]+",
    )
)
_pattern = None  # compiled on first use: importing this module stays cheap


def _compiled():
    global _pattern
    if _pattern is None:
        import re

        _pattern = re.compile(_PATTERN_SOURCE)
    return _pattern


def _replace(match: Any) -> str:
    # each branch has exactly one named group (the part to keep), so lastgroup names it
    name = match.lastgroup
    return (match.group(name) if name else "") + MASK


# --------------------------------------------------------------------------------------------
# Registered secrets. The tuple is replaced (never mutated) so readers need no lock.
# --------------------------------------------------------------------------------------------

_lock = _thread.allocate_lock()
_secret_set: set[str] = set()
_secrets: tuple[str, ...] = ()  # longest first, so a secret that contains another is masked whole


def _publish() -> None:
    global _secrets
    _secrets = tuple(sorted(_secret_set, key=len, reverse=True))


def register_secret(value: Any) -> None:
    """Remember ``value`` so :func:`redact` masks it wherever it appears.

    Values shorter than 8 characters are ignored (they would mask ordinary words). Never raises.
    """
    try:
        if value in _secret_set or not isinstance(value, str):  # the common case: known already
            return
        candidates = {value, value.strip()}
        new = {v for v in candidates if len(v) >= MIN_SECRET_LENGTH and v not in _secret_set}
        if not new:
            return
        with _lock:
            _secret_set.update(new)
            _publish()
    except Exception:  # pragma: no cover - defensive
        pass


def unregister_secret(value: Any) -> None:
    """Forget a value given to :func:`register_secret`."""
    try:
        with _lock:
            if isinstance(value, str):
                _secret_set.discard(value)
                _secret_set.discard(value.strip())
            _publish()
    except Exception:  # pragma: no cover - defensive
        pass


def clear_secrets() -> None:
    """Forget every registered secret (used by tests)."""
    with _lock:
        _secret_set.clear()
        _publish()


def mask_secret(value: str) -> str:
    """Show at most the first 3 characters of a secret, then ``****``."""
    if len(value) < MIN_SECRET_LENGTH:
        return MASK
    return value[:3] + MASK


def _mask_registered(text: str) -> str:
    secrets = _secrets
    if not secrets:
        return text
    # Masking shortens the text (a mask is 7 characters, a secret at least 8), so this loop
    # ends; it repeats because a mask next to surrounding text could re-form a secret.
    changed = True
    while changed:
        changed = False
        for secret in secrets:
            if secret in text:
                text = text.replace(secret, mask_secret(secret))
                changed = True
    return text


def redact(text: Any) -> str:
    """Return ``text`` with API keys, tokens and registered secrets masked. Never raises."""
    try:
        if text is None:
            return ""
        if not isinstance(text, str):
            if isinstance(text, (bytes, bytearray)):
                text = bytes(text).decode("utf-8", errors="replace")
            else:
                text = str(text)
        if not text:
            return text
        text = _compiled().sub(_replace, text)
        return _mask_registered(text)
    except Exception:
        return MASK


# --------------------------------------------------------------------------------------------
# Headers
# --------------------------------------------------------------------------------------------

_SENSITIVE_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "api-key",
        "x-api-key",
        "x-goog-api-key",
        "cookie",
        "set-cookie",
        "ocp-apim-subscription-key",
    }
)
# "token" but not "tokens" (x-ratelimit-remaining-tokens is not a secret)
_SENSITIVE_WORDS = ("key", "secret", "passw", "credential", "signature", "cookie")


def is_sensitive_header(name: str) -> bool:
    """True for headers whose value must never be shown (auth, cookies, anything key/token/secret)."""
    lowered = name.lower()
    if lowered in _SENSITIVE_HEADERS:
        return True
    if "ratelimit" in lowered:
        return False
    for word in _SENSITIVE_WORDS:
        if word in lowered:
            return True
    start = lowered.find("token")
    while start >= 0:
        if lowered[start + 5 : start + 6] != "s":  # "token" but not "tokens"
            return True
        start = lowered.find("token", start + 5)
    return False


def redact_headers(headers: Mapping[str, Any] | Iterable[tuple[str, Any]] | None) -> dict:
    """Copy of ``headers`` with sensitive values masked and other values passed through ``redact``.

    Accepts a mapping or an iterable of pairs (bytes names/values are decoded). Never raises.
    """
    out: dict = {}
    if not headers:
        return out
    try:
        items = headers.items() if hasattr(headers, "items") else headers
        for name, value in items:  # type: ignore[misc]
            if isinstance(name, bytes):
                name = name.decode("latin-1")
            if isinstance(value, bytes):
                value = value.decode("latin-1")
            name = str(name)
            if is_sensitive_header(name):
                out[name] = MASK
            else:
                out[name] = redact(value) if isinstance(value, str) else value
    except Exception:
        return {}
    return out
