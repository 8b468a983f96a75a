"""Gemini ``GenerateContentResponse`` -> our OpenAI-shaped types (shared by replies and streams).

Text parts are joined into ``content``; ``thought: true`` parts into ``reasoning_content``;
``functionCall`` parts become ``tool_calls`` (Gemini's ``id`` when it gives one, else a generated
``call_...``; JSON-string arguments); ``inlineData`` outputs become ``message.images`` (data URLs);
``executableCode`` / ``codeExecutionResult`` are rendered into the content as fenced blocks.
Safety ratings, citation, grounding and URL-context metadata, thought signatures of text parts,
``finishMessage`` and ``avgLogprobs`` are kept in ``message.provider_specific_fields``;
``logprobsResult`` becomes OpenAI chat ``logprobs``. Finish reasons: ``STOP`` -> ``stop``
(``tool_calls`` when the answer holds function calls), ``MAX_TOKENS`` -> ``length``, ``SAFETY``,
``RECITATION``, ``BLOCKLIST``, ``PROHIBITED_CONTENT``, ``SPII`` and the image safety reasons ->
``content_filter``, anything else (unknown values included) -> ``stop``.
Usage: ``prompt_tokens`` = ``promptTokenCount`` + ``toolUsePromptTokenCount``,
``completion_tokens`` = ``candidatesTokenCount`` + ``thoughtsTokenCount`` (the thoughts also as
``completion_tokens_details.reasoning_tokens``), ``prompt_tokens_details.cached_tokens`` =
``cachedContentTokenCount``.

Blocks: a prompt blocked by ``promptFeedback.blockReason`` (no candidates), or an answer whose
candidates all stopped for a safety reason before producing anything, raises
``ContentPolicyViolationError`` (with the feedback / ratings in ``provider_specific_fields``); an
answer cut by a safety stop after some content is returned with ``finish_reason:
"content_filter"``, as OpenAI does. An error object (``google.rpc.Status``) where a response was
expected is raised as the error it names (:func:`embedded_error`).
"""

from __future__ import annotations

from typing import Any

from ...core.errors import exception_from_response, mid_stream_error
from ...core.http import Headers, HttpResponse
from ...core.jsonutil import dumps
from ...exceptions import ContentPolicyViolationError
from .common import _json_text, _new_call_id

__all__ = [
    "FINISH_REASONS",
    "SAFETY_FINISH",
    "blocked",
    "chat_choice",
    "embedded_error",
    "embedding_vectors",
    "finish_reason",
    "google_error",
    "read_parts",
    "usage_of",
]

FINISH_REASONS = {
    "STOP": "stop",
    "MAX_TOKENS": "length",
    "SAFETY": "content_filter",
    "RECITATION": "content_filter",
    "BLOCKLIST": "content_filter",
    "PROHIBITED_CONTENT": "content_filter",
    "SPII": "content_filter",
    "IMAGE_SAFETY": "content_filter",
    "IMAGE_PROHIBITED_CONTENT": "content_filter",
    "IMAGE_RECITATION": "content_filter",
}
# finish reasons that mean "blocked": with no content at all they raise ContentPolicyViolationError
SAFETY_FINISH = frozenset(k for k, v in FINISH_REASONS.items() if v == "content_filter")


def finish_reason(reason: Any, has_tool_calls: bool = False) -> str:
    """Gemini ``finishReason`` -> OpenAI ``finish_reason``."""
    mapped = FINISH_REASONS.get(reason, "stop") if isinstance(reason, str) else "stop"
    if has_tool_calls and mapped == "stop":
        return "tool_calls"
    return mapped


def google_error(obj: dict[str, Any], provider: str, model: str) -> Exception:
    """The exception for a ``google.rpc.Status`` error object met where a response was expected (a
    200 body, a stream): classified as the HTTP status it names (``error.code``) would be."""
    err = obj.get("error")
    code = err.get("code") if isinstance(err, dict) else None
    if isinstance(code, int) and not isinstance(code, bool) and 400 <= code <= 599 and code != 499:
        resp = HttpResponse(code, Headers({"content-type": "application/json"}), dumps(obj))
        return exception_from_response(resp, llm_provider=provider, model=model)
    return mid_stream_error(obj, llm_provider=provider, model=model)


def usage_of(u: Any) -> dict[str, Any]:
    """Gemini ``usageMetadata`` -> OpenAI usage (see the module docstring)."""
    if not isinstance(u, dict):
        u = {}
    prompt = (u.get("promptTokenCount") or 0) + (u.get("toolUsePromptTokenCount") or 0)
    thoughts = u.get("thoughtsTokenCount") or 0
    completion = (u.get("candidatesTokenCount") or 0) + thoughts
    total = u.get("totalTokenCount")
    usage: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": total if isinstance(total, int) and total >= prompt + completion else prompt + completion,
    }
    details: dict[str, Any] = {"cached_tokens": u.get("cachedContentTokenCount") or 0}
    for item in u.get("promptTokensDetails") or ():
        if isinstance(item, dict) and isinstance(item.get("modality"), str):
            kind = item["modality"].lower()
            if kind in ("text", "image", "audio", "video"):
                details[f"{kind}_tokens"] = item.get("tokenCount") or 0
    usage["prompt_tokens_details"] = details
    if thoughts:
        usage["completion_tokens_details"] = {"reasoning_tokens": thoughts}
    return usage


def logprobs_of(result: Any) -> dict[str, Any] | None:
    """Gemini ``logprobsResult`` -> OpenAI chat ``logprobs``."""
    if not isinstance(result, dict):
        return None
    chosen = result.get("chosenCandidates") or []
    tops = result.get("topCandidates") or []
    content: list[dict[str, Any]] = []
    for i, c in enumerate(chosen):
        if not isinstance(c, dict):
            continue
        top = tops[i].get("candidates") if i < len(tops) and isinstance(tops[i], dict) else None
        content.append(
            {
                "token": c.get("token") or "",
                "logprob": c.get("logProbability") or 0.0,
                "bytes": None,
                "top_logprobs": [
                    {"token": t.get("token") or "", "logprob": t.get("logProbability") or 0.0, "bytes": None}
                    for t in top or ()
                    if isinstance(t, dict)
                ],
            }
        )
    return {"content": content}


class _Parts:
    """What the parts of one candidate (or one stream event of it) say."""

    __slots__ = ("text", "reasoning", "tool_calls", "images", "signatures")

    def __init__(self) -> None:
        self.text: list[str] = []
        self.reasoning: list[str] = []
        self.tool_calls: list[dict[str, Any]] = []
        self.images: list[dict[str, Any]] = []
        self.signatures: list[Any] = []


def read_parts(parts: Any, tool_start: int = 0, stream: bool = False) -> _Parts:
    out = _Parts()
    if not isinstance(parts, list):
        return out
    for part in parts:
        if not isinstance(part, dict):
            continue
        signature = part.get("thoughtSignature")
        if "functionCall" in part and isinstance(part["functionCall"], dict):
            fc = part["functionCall"]
            call: dict[str, Any] = {
                "id": fc.get("id") or _new_call_id(),
                "type": "function",
                "function": {"name": fc.get("name"), "arguments": _json_text(fc.get("args") or {})},
            }
            if signature:
                call["provider_specific_fields"] = {"thought_signature": signature}
            if stream:
                call["index"] = tool_start + len(out.tool_calls)
            out.tool_calls.append(call)
            continue
        if signature:
            out.signatures.append(signature)
        text = part.get("text")
        if isinstance(text, str):
            (out.reasoning if part.get("thought") is True else out.text).append(text)
        elif isinstance(part.get("inlineData"), dict):
            blob = part["inlineData"]
            out.images.append(
                {
                    "type": "image_url",
                    "index": len(out.images),
                    "image_url": {
                        "url": f"data:{blob.get('mimeType') or 'application/octet-stream'};"
                        f"base64,{blob.get('data') or ''}"
                    },
                }
            )
        elif isinstance(part.get("executableCode"), dict):
            code = part["executableCode"]
            language = str(code.get("language") or "").lower()
            out.text.append(f"\n```{language}\n{str(code.get('code') or '').rstrip()}\n```\n")
        elif isinstance(part.get("codeExecutionResult"), dict):
            result = part["codeExecutionResult"]
            out.text.append(f"\n```output\n{str(result.get('output') or '').rstrip()}\n```\n")
    return out


CANDIDATE_FIELDS = (
    ("safetyRatings", "safety_ratings"),
    ("citationMetadata", "citation_metadata"),
    ("groundingMetadata", "grounding_metadata"),
    ("urlContextMetadata", "url_context_metadata"),
    ("finishMessage", "finish_message"),
    ("avgLogprobs", "avg_logprobs"),
)


def candidate_fields(cand: dict[str, Any], keys: tuple[tuple[str, str], ...] = CANDIDATE_FIELDS) -> dict[str, Any]:
    return {ours: cand[theirs] for theirs, ours in keys if cand.get(theirs) is not None}


def blocked(data: dict[str, Any], model: str, provider: str) -> ContentPolicyViolationError | None:
    """The error for a blocked prompt (``promptFeedback``) or an all-safety-stopped answer, else None."""
    feedback = data.get("promptFeedback")
    candidates = data.get("candidates")
    if (
        isinstance(feedback, dict)
        and (feedback.get("blockReason") or feedback.get("blockReasonMessage"))
        and not candidates
    ):
        reason = feedback.get("blockReason") or "unspecified"
        message = feedback.get("blockReasonMessage") or f"The prompt was blocked (blockReason {reason})"
        return ContentPolicyViolationError(
            message=message, model=model, llm_provider=provider, provider_specific_fields={"promptFeedback": feedback}
        )
    if not isinstance(candidates, list) or not candidates:
        return None
    stopped: list[dict[str, Any]] = []
    for cand in candidates:
        if not isinstance(cand, dict) or cand.get("finishReason") not in SAFETY_FINISH:
            return None
        content = cand.get("content")
        parts = content.get("parts") if isinstance(content, dict) else None
        if any(
            isinstance(p, dict) and (p.get("text") or "functionCall" in p or "inlineData" in p) for p in parts or ()
        ):
            return None
        stopped.append(cand)
    first = stopped[0]
    message = first.get("finishMessage") or f"The answer was blocked (finishReason {first['finishReason']})"
    return ContentPolicyViolationError(
        message=message,
        model=model,
        llm_provider=provider,
        provider_specific_fields={"finishReason": first["finishReason"], "safetyRatings": first.get("safetyRatings")},
    )


def embedded_error(obj: dict[str, Any], provider: str, model: str, blocks: bool = True) -> Exception | None:
    """The exception for a response object that is an error (an ``error`` and no candidates) or,
    with ``blocks``, a block (:func:`blocked`); None for an answer."""
    if "error" in obj and not obj.get("candidates"):
        return google_error(obj, provider, model)
    return blocked(obj, model, provider) if blocks else None


def thinking_blocks(read: _Parts) -> list[dict[str, Any]]:
    """The thought summary as ``thinking_blocks`` (beside ``reasoning_content``), with the thought
    signature when Gemini sent one on a text part."""
    block: dict[str, Any] = {"type": "thinking", "thinking": "".join(read.reasoning)}
    if read.signatures:
        block["signature"] = read.signatures[0]
    return [block]


def chat_choice(cand: dict[str, Any], position: int) -> dict[str, Any]:
    """One candidate of a reply -> one OpenAI chat choice."""
    content = cand.get("content")
    read = read_parts(content.get("parts") if isinstance(content, dict) else None)
    message: dict[str, Any] = {"role": "assistant", "content": "".join(read.text) if read.text else None}
    if read.tool_calls:
        message["tool_calls"] = read.tool_calls
    if read.reasoning:
        message["reasoning_content"] = "".join(read.reasoning)
        message["thinking_blocks"] = thinking_blocks(read)
    if read.images:
        message["images"] = read.images
    psf = candidate_fields(cand)
    if read.signatures:
        psf["thought_signatures"] = read.signatures
    if psf:
        message["provider_specific_fields"] = psf
    choice: dict[str, Any] = {
        "index": cand.get("index", position) if isinstance(cand.get("index"), int) else position,
        "message": message,
        "finish_reason": finish_reason(cand.get("finishReason"), bool(read.tool_calls)),
    }
    lp = logprobs_of(cand.get("logprobsResult"))
    if lp is not None:
        choice["logprobs"] = lp
    return choice


def embedding_vectors(data: dict[str, Any]) -> tuple[list[Any], int] | None:
    """(vectors, token count) of an embedding reply (``:embedContent``, ``:batchEmbedContents`` or
    Vertex AI's ``:predict``), or None when it holds none of them."""
    tokens = 0
    if isinstance(data.get("embedding"), dict):
        vectors = [data["embedding"].get("values")]
    elif isinstance(data.get("embeddings"), list):
        vectors = [e.get("values") if isinstance(e, dict) else None for e in data["embeddings"]]
    elif isinstance(data.get("predictions"), list):  # Vertex AI :predict
        vectors = []
        for p in data["predictions"]:
            emb = p.get("embeddings") if isinstance(p, dict) else None
            emb = emb if isinstance(emb, dict) else {}
            vectors.append(emb.get("values"))
            stats = emb.get("statistics")
            if isinstance(stats, dict) and isinstance(stats.get("token_count"), (int, float)):
                tokens += int(stats["token_count"])
    else:
        return None
    meta = data.get("usageMetadata")
    if isinstance(meta, dict):
        tokens = meta.get("promptTokenCount") or meta.get("totalTokenCount") or tokens
    return vectors, tokens
