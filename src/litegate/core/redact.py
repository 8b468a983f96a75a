"""Mask secrets in text and headers before they reach an exception, a log line or a pickle.

``redact(text)`` masks well-known credential shapes (provider API keys, bearer tokens, ``api-key:``
header lines, ``key=`` / ``api_key=`` query parameters, AWS access key ids, the ``user:password@``
part of URLs) and every value registered at run time with :func:`register_secret` (the call
pipeline registers each API key it resolves). :func:`mask_url` is the same masking for a URL
(``https://user:pass@host/?key=v`` -> ``https://****@host/?key=****``).

It runs on the error path, not on every call: plain substring checks pick the credential shapes
the text can hold, one pass of a compiled alternation of those, then a sampled scan for the
registered values. It never raises.

Registered secrets are kept in a bounded LRU (:data:`MAX_SECRETS`, 4096 values, the least
recently registered forgotten first). Registering is O(1); a redaction is O(len(text)) whatever
the number of secrets: each secret is indexed by its short substrings ("grams") near its end and
the text is sampled at a fixed stride, so only secrets whose grams occur in the text are looked
for (see ``_candidates``).
"""

from __future__ import annotations

import _thread
from collections import OrderedDict

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only; typing is not imported at run time
    import re
    from collections.abc import Callable, Iterable, Mapping
    from typing import Any

    # an index entry: (offset, secret) when one secret holds the gram, else
    # {(offset, length): secrets}
    _Held = tuple[int, str] | dict[tuple[int, int], set[str]]

__all__ = [
    "MASK",
    "MAX_SECRETS",
    "redact",
    "redact_headers",
    "register_secret",
    "unregister_secret",
    "clear_secrets",
    "mask_secret",
    "is_secret_name",
    "mask_url",
    "is_sensitive_header",
]

MASK = "****"
MIN_SECRET_LENGTH = 8  # shorter registered values would mask ordinary words
MAX_SECRETS = 4096  # registered values kept (most recently registered); older ones are forgotten

# --------------------------------------------------------------------------------------------
# Known credential shapes. One alternation, so the text is scanned once; each branch names the
# part that is kept (a recognisable prefix) in a group, the rest is replaced by MASK.
# --------------------------------------------------------------------------------------------

_NOT_IN_TOKEN = r"(?<![A-Za-z0-9_\-])"  # noqa: S105 - a regex: start of a token, so "task-force" is left alone
# A "key=value" value is masked only when it is a value: it holds a letter or digit and is not a
# placeholder of a hint ("pass api_key=...", "api_key=<your key>", "api_key=None").
_VALUE_END = "\\s\"',;&}\\]"
_REAL_VALUE = (
    r"(?=[^" + _VALUE_END + r"]*[A-Za-z0-9])"
    r"(?!<[^>\n]{0,60}>)(?!(?:None|null)(?![A-Za-z0-9_\-]))"
)

_BRANCHES = (
    # OpenAI / Anthropic / litellm-proxy style: sk-..., sk-proj-..., sk-ant-api03-...
    # (the lookahead keeps an already masked "sk-ant-****" as it is)
    _NOT_IN_TOKEN + r"(?P<sk>sk-(?:ant-|proj-|svcacct-|admin-)?)(?!(?:ant|proj|svcacct|admin)-\*)[A-Za-z0-9_\-]{4,}",
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
    # URL credentials: scheme://user:password@host -> scheme://****@host (up to the last "@"
    # before the path, as URL parsers read it)
    r"(?P<userinfo>(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]*://)(?!\*\*\*\*@)[^\s/?#\"'<>\\]+(?=@)",
    # "Bearer <anything>"; "Basic <base64>"
    r"(?P<auth>\b(?:Bearer|bearer|BEARER)\s+)[^\s\"',;]+",
    r"(?P<basic>\b(?:Basic|basic|BASIC)\s+)[A-Za-z0-9+/]{12,}={0,2}(?![A-Za-z0-9+/=])",
    # "api-key: v", "x-api-key=v", '"api_key": "v"', "AZURE_API_KEY=v", "client_secret=v", ...
    r"(?P<named>(?i:(?:x-(?:goog-)?)?api[-_ ]?key|access[-_]?token|refresh[-_]?token"
    r"|auth[-_]?token|session[-_]?token|secret[-_]?access[-_]?key|client[-_]?secret"
    r"|password|azure[-_]ad[-_]token)[\"']?\s*[:=]\s*[\"']?)" + _REAL_VALUE + r"[^" + _VALUE_END + r"]+",
    # query parameters: ?key=..., &token=..., &sig=... (Azure SAS)
    r"(?P<query>[?&](?i:key|token|sig|signature|access_token|api_key|apikey|api-key|x-api-key"
    r"|password|passwd|pwd|secret|client_secret|subscription-key)=)" + _REAL_VALUE + r"[^&\s\"'#]+",
)
_PATTERN_SOURCE = "|".join(_BRANCHES)

# What a text must hold for each branch to match anywhere in it (checked with ``in``, so the
# regex runs only with the branches that can match: one alternation over every branch costs
# about 1 ms per 2 KB of text, mostly in the case-insensitive "named" branch).
_NAMED_WORDS = ("key", "token", "secret", "password")


def _named_possible(text: str) -> bool:
    folded = text.casefold()  # as (?i:...) matches: "K" (Kelvin) is a "k", "ſ" an "s"
    for pattern in _separators():
        if pattern.search(folded):
            return True
    return False


_GATES: tuple[Callable[[str], bool], ...] = (
    lambda t: "sk-" in t,
    lambda t: "AIza" in t,
    lambda t: "gsk_" in t,
    lambda t: "xai-" in t,
    lambda t: "AKIA" in t or "ASIA" in t,
    lambda t: "eyJ" in t,
    lambda t: "://" in t and "@" in t,
    lambda t: "earer" in t or "EARER" in t,
    lambda t: "asic" in t or "ASIC" in t,
    _named_possible,
    lambda t: "=" in t and ("?" in t or "&" in t),
)
_patterns: dict[
    tuple[int, ...], re.Pattern[str]
] = {}  # tuple of branch numbers -> compiled alternation of those branches
_separator_patterns: list[re.Pattern[str]] = []


def _separators() -> list[re.Pattern[str]]:
    """One pattern per word ("key" then an optional quote and ``:`` or ``=``): a literal start lets
    the regex engine skip to each occurrence, four times faster than one alternation."""
    if not _separator_patterns:
        import re

        _separator_patterns[:] = [re.compile(word + r"[\"']?\s*[:=]") for word in _NAMED_WORDS]
    return _separator_patterns


def _pattern_for(text: str) -> re.Pattern[str] | None:
    """The alternation of the branches that can match ``text`` (None when none can)."""
    active = tuple(number for number, gate in enumerate(_GATES) if gate(text))
    if not active:
        return None
    pattern = _patterns.get(active)
    if pattern is None:
        import re

        if len(_patterns) > 512:  # a bound; in practice a handful of combinations occur
            _patterns.clear()
        pattern = _patterns[active] = re.compile("|".join(_BRANCHES[number] for number in active))
    return pattern


def _compiled() -> re.Pattern[str]:
    """The alternation of every branch."""
    pattern = _patterns.get(_ALL)
    if pattern is None:
        import re

        pattern = _patterns[_ALL] = re.compile(_PATTERN_SOURCE)
    return pattern


_ALL = tuple(range(len(_BRANCHES)))


def _replace(match: Any) -> str:
    # each branch has exactly one named group (the part to keep), so lastgroup names it
    name = match.lastgroup
    return (match.group(name) if name else "") + MASK


# --------------------------------------------------------------------------------------------
# Registered secrets: a bounded LRU plus, per length tier, an index of grams.
#
# A secret of a tier (length >= its minimum) is indexed by the STRIDE grams of GRAM characters
# that start at its last STRIDE possible positions (GRAM + STRIDE - 1 == the tier's minimum).
# Wherever the secret stands in a text, those grams start at STRIDE consecutive positions, one of
# which is a multiple of STRIDE: sampling the text's grams at that stride finds it, and only the
# secrets indexed under a sampled gram are then looked for with ``in``. Long secrets (most API
# keys) allow a long stride, so a redaction takes len(text) / 17 dictionary lookups, whatever
# the number of secrets; a tier with no secret costs nothing. Grams are taken near the end
# because keys share their beginnings ("sk-proj-"), rarely their ends.
# --------------------------------------------------------------------------------------------

_TIERS = (  # (minimum length, gram, stride); longest first
    (24, 8, 17),
    (12, 6, 7),
    (MIN_SECRET_LENGTH, 5, 4),
)

_lock = _thread.allocate_lock()
# secret -> (mask, tier, ((offset, gram), ...)), least recently registered first
_registry: OrderedDict[str, tuple[str, int, tuple[tuple[int, str], ...]]] = OrderedDict()
# per tier: gram -> (offset, secret) when one secret holds it (the common case), else
# {(offset, length): set of secrets}, so a hit is checked with one slice per (offset, length)
# however many secrets share the gram (keys of one shape may share their last characters)
_indexes: tuple[dict[str, _Held], ...] = tuple({} for _ in _TIERS)
_generation = 0  # changes whenever the set of secrets changes (mask_url's cache checks it)


def _tier(secret: str) -> int:
    for number, (least, _, _) in enumerate(_TIERS):
        if len(secret) >= least:
            return number
    return len(_TIERS) - 1  # pragma: no cover - shorter secrets are never registered


def _grams(secret: str, tier: int) -> tuple[tuple[int, str], ...]:
    _, gram, stride = _TIERS[tier]
    end = len(secret) - gram
    return tuple((end - j, secret[end - j : end - j + gram]) for j in range(stride))


def _add(secret: str, mask: str) -> None:  # under _lock
    global _generation
    _generation += 1
    if secret in _registry:
        _registry.move_to_end(secret)
        return
    tier = _tier(secret)
    grams = _grams(secret, tier)
    _registry[secret] = (mask, tier, grams)
    index = _indexes[tier]
    length = len(secret)
    for offset, gram in grams:
        held = index.get(gram)
        if held is None:
            index[gram] = (offset, secret)
            continue
        if isinstance(held, tuple):
            if held == (offset, secret):
                continue
            index[gram] = held = {(held[0], len(held[1])): {held[1]}}
        members = held.get((offset, length))
        if members is None:
            held[(offset, length)] = {secret}
        else:
            members.add(secret)
    if len(_registry) > MAX_SECRETS:
        _remove(next(iter(_registry)))


def _remove(secret: str) -> None:  # under _lock
    global _generation
    _generation += 1
    entry = _registry.pop(secret, None)
    if entry is None:
        return
    _, tier, grams = entry
    index = _indexes[tier]
    length = len(secret)
    for offset, gram in grams:
        held = index.get(gram)
        if held is None:
            continue
        if isinstance(held, tuple):
            if held[1] == secret:
                del index[gram]
            continue
        members = held.get((offset, length))
        if members is not None:
            members.discard(secret)
            if not members:
                del held[(offset, length)]
                if not held:
                    del index[gram]


def _variants(value: str) -> dict[str, str]:
    """The forms of ``value`` a text may show, each with its mask.

    A value with control characters (a key with a CR/LF) may be shown escaped (``repr``, JSON)
    or split at them; the escaped forms and each piece are registered too, a piece masked whole.
    """
    out = {value: mask_secret(value)}
    stripped = value.strip()
    out.setdefault(stripped, mask_secret(stripped))
    if not value.isprintable():
        import json
        import re

        for form in (
            repr(value)[1:-1],
            json.dumps(value)[1:-1],
            json.dumps(value, ensure_ascii=False)[1:-1],
            value.encode("unicode_escape").decode("ascii", "replace"),
        ):
            out.setdefault(form, mask_secret(form))
        for piece in re.split(r"[\x00-\x1f\x7f\s]+", value):
            out.setdefault(piece, MASK)
    return {v: m for v, m in out.items() if len(v) >= MIN_SECRET_LENGTH}


def register_secret(value: Any) -> None:
    """Remember ``value`` so :func:`redact` masks it wherever it appears.

    Values shorter than 8 characters are ignored (they would mask ordinary words). The most
    recent :data:`MAX_SECRETS` values are kept. O(1); never raises.
    """
    try:
        if not isinstance(value, str) or len(value) < MIN_SECRET_LENGTH:
            return
        if value in _registry:  # the common case: known already, only its recency changes
            try:
                _registry.move_to_end(value)  # one C call, atomic under the GIL: no lock needed
            except KeyError:  # removed meanwhile by another thread: register it again below
                pass
            else:
                return
        variants = _variants(value)
        if not variants:
            return
        with _lock:
            for secret, mask in variants.items():
                _add(secret, mask)
    except Exception:  # pragma: no cover - defensive
        pass


def unregister_secret(value: Any) -> None:
    """Forget a value given to :func:`register_secret`."""
    try:
        if not isinstance(value, str):
            return
        variants = _variants(value)
        with _lock:
            for secret in variants:
                _remove(secret)
    except Exception:  # pragma: no cover - defensive
        pass


def clear_secrets() -> None:
    """Forget every registered secret (used by tests)."""
    global _generation
    with _lock:
        _generation += 1
        _registry.clear()
        for index in _indexes:
            index.clear()


def mask_secret(value: str) -> str:
    """Show at most the first 3 characters of a secret, then ``****``."""
    if len(value) < MIN_SECRET_LENGTH:
        return MASK
    return value[:3] + MASK


def _candidates(text: str) -> dict[str, str]:
    """The registered secrets that occur in ``text``, with their masks."""
    if not _registry:
        return {}
    size = len(text)
    found: dict[str, str] = {}
    for index, (_, gram, stride) in zip(_indexes, _TIERS, strict=False):
        if not index or size < gram:
            continue
        hits = set(filter(index.__contains__, [text[i : i + gram] for i in range(0, size - gram + 1, stride)]))
        if not hits:
            continue
        with _lock:
            for hit in hits:
                held = index.get(hit)
                if held is None:
                    continue
                pos = text.find(hit)
                while pos >= 0:
                    if isinstance(held, tuple):
                        start = pos - held[0]
                        if start >= 0 and text.startswith(held[1], start):
                            found[held[1]] = _registry[held[1]][0]
                    else:
                        for (offset, length), members in held.items():
                            start = pos - offset
                            if start >= 0:
                                candidate = text[start : start + length]
                                if candidate in members:
                                    found[candidate] = _registry[candidate][0]
                    pos = text.find(hit, pos + 1)
    return found


def _mask_registered(text: str) -> str:
    # Masking shortens the text (a mask is at most 7 characters, a secret at least 8), so this
    # loop ends; it repeats because a mask next to surrounding text could re-form a secret.
    while True:
        found = _candidates(text)
        if not found:
            return text
        for secret in sorted(found, key=len, reverse=True):  # a secret holding another: whole
            text = text.replace(secret, found[secret])


def redact(text: Any) -> str:
    """Return ``text`` with API keys, tokens, URL credentials and registered secrets masked.

    Never raises (an unexpected failure returns ``****``).
    """
    try:
        if text is None:
            return ""
        if not isinstance(text, str):
            if isinstance(text, (bytes, bytearray)):
                text = bytes(text).decode("utf-8", errors="replace")
            else:
                text = str(text)
        if not text:
            return ""
        pattern = _pattern_for(text)
        if pattern is not None:
            text = pattern.sub(_replace, text)
        return _mask_registered(text)
    except Exception:
        return MASK


def mask_url(url: Any) -> Any:
    """``url`` with its credentials masked: ``https://user:pass@host/p?key=v`` ->
    ``https://****@host/p?key=****`` (registered secrets too). ``None`` and other non-strings
    are returned unchanged. Never raises."""
    if not isinstance(url, str) or not url:
        return url
    hit = _url_cache.get(url)  # a process uses few base URLs: each is masked once per secrets change
    if hit is not None and hit[0] == _generation:
        return hit[1]
    generation = _generation
    masked = redact(url)
    if len(_url_cache) >= 256:
        _url_cache.clear()
    _url_cache[url] = (generation, masked)
    return masked


_url_cache: dict[str, tuple[int, str]] = {}


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


def is_secret_name(name: Any) -> bool:
    """True for a parameter, setting or header name whose value is a credential (``api_key``,
    ``aws_secret_access_key``, ``vertex_credentials``, ``azure_ad_token``, ``password``,
    ``Authorization`` ...): the one rule for every "leave credentials out" list. ``max_tokens`` and
    other "...tokens" counts are not secrets."""
    return isinstance(name, str) and is_sensitive_header(name)


def redact_headers(headers: Mapping[str, Any] | Iterable[tuple[str, Any]] | None) -> dict[str, Any]:
    """Copy of ``headers`` with sensitive values masked and other values passed through ``redact``.

    Accepts a mapping or an iterable of pairs (bytes names/values are decoded). Never raises.
    """
    out: dict[str, Any] = {}
    if not headers:
        return out
    try:
        items = headers.items() if hasattr(headers, "items") else headers
        for name, value in items:
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
