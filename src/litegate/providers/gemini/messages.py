"""OpenAI chat messages -> Gemini ``systemInstruction`` + ``contents``.

* ``system`` / ``developer`` messages (wherever they stand, in order) become ``systemInstruction``
  ``{"parts": [{"text": ...}]}``. A conversation of system messages only is sent as one user turn
  (``contents`` must not be empty).
* ``user`` -> role ``user``; ``assistant`` -> role ``model``. Consecutive turns of the same role are
  merged into one content (parallel function responses must share one turn).
* content parts: text -> ``{"text"}``; ``image_url`` with a base64 data URL -> ``inlineData``; an
  ``http(s)://`` or ``gs://`` URL -> ``fileData {fileUri, mimeType}`` with the MIME type taken from
  ``image_url.format`` or guessed from the file extension (left out when it cannot be guessed);
  ``file`` parts (``file_data`` data URL -> ``inlineData``, ``file_id`` URI -> ``fileData``);
  ``input_audio`` -> ``inlineData`` ``audio/<format>``.
* assistant ``tool_calls`` -> ``functionCall {name, args}`` parts (arguments parsed from their
  JSON string). A thought signature returned by Gemini (kept on the tool call as
  ``provider_specific_fields.thought_signature``, or in a litellm-style ``...__thought__<sig>``
  id) is sent back as the part's ``thoughtSignature``, as thinking models require.
* ``tool`` messages -> ``functionResponse {name, response: <the JSON object>}`` when the content is
  a JSON object (Gemini's ``response`` is a Struct), else ``{"content": <text>}``, in a user turn;
  the function name is looked up from the assistant tool call the ``tool_call_id`` answers (or the
  message's ``name``).
"""

from __future__ import annotations

import mimetypes
import re
from typing import Any

from ..base import bad_input, plain, tool_arguments

__all__ = ["convert_messages", "guess_mime_type", "split_thought_signature"]


def _tool_response(content: Any) -> dict[str, Any]:
    """A tool message's content as ``functionResponse.response``: a JSON object as itself, anything
    else as ``{"content": <text>}``."""
    if isinstance(content, dict):
        return content
    text = _text_of(content)
    if text[:1] == "{":
        from ...core.jsonutil import loads

        try:
            value = loads(text)
        except ValueError:
            value = None
        if isinstance(value, dict):
            return value
    return {"content": text}


THOUGHT_SEPARATOR = "__thought__"  # litellm-style thought signature carried in a tool call id
_DATA_URL = re.compile(r"data:([^;,]*)((?:;[^;,]*)*),(.*)", re.DOTALL)


def _data_url(url: str, where: str, model: str) -> tuple[str, str]:
    m = _DATA_URL.match(url)
    if m is None or ";base64" not in m.group(2).lower():
        raise bad_input(
            f"{where}: only base64 data URLs are supported ('data:<type>;base64,...'), got {url[:40]!r}", model
        )
    mime = m.group(1).strip().lower() or "application/octet-stream"
    if mime == "image/jpg":
        mime = "image/jpeg"
    return mime, m.group(3).strip()


def guess_mime_type(uri: str) -> str | None:
    """The MIME type of a file URI from its extension (query and fragment ignored), or None."""
    path = uri.split("?", 1)[0].split("#", 1)[0]
    mime, _ = mimetypes.guess_type(path)
    if mime is None:
        lowered = path.lower()
        for ext, kind in ((".webp", "image/webp"), (".heic", "image/heic"), (".heif", "image/heif")):
            if lowered.endswith(ext):
                return kind
    return mime


def _uri_part(uri: str, mime: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"fileUri": uri}
    if not isinstance(mime, str) or not mime:
        mime = guess_mime_type(uri)
    if mime:
        data["mimeType"] = mime
    return {"fileData": data}


def _media_part(url: str, mime: Any, where: str, model: str) -> dict[str, Any]:
    url = url.strip()
    if url[:5].lower() == "data:":
        kind, data = _data_url(url, where, model)
        return {"inlineData": {"mimeType": kind, "data": data}}
    if url.startswith(("http://", "https://", "gs://")):
        return _uri_part(url, mime)
    raise bad_input(
        f"{where}: an image must be an http(s):// or gs:// URL or a base64 data URL, got {url[:40]!r}", model
    )


def _part(part: Any, where: str, model: str) -> dict[str, Any]:
    part = plain(part)
    kind = part.get("type")
    if kind == "text":
        return {"text": part.get("text") or ""}
    if kind == "image_url":
        image = part.get("image_url")
        url = image.get("url") if isinstance(image, dict) else image
        if not isinstance(url, str) or not url:
            raise bad_input(f"{where}: an image_url part needs image_url.url", model)
        return _media_part(url, image.get("format") if isinstance(image, dict) else None, where, model)
    if kind == "file":
        file = part.get("file") if isinstance(part.get("file"), dict) else {}
        mime = file.get("format")
        if isinstance(file.get("file_data"), str):
            return _media_part(file["file_data"], mime, where, model)
        if isinstance(file.get("file_id"), str) and file["file_id"]:
            return _uri_part(file["file_id"], mime)
        raise bad_input(
            f"{where}: a file part needs file.file_data (a base64 data URL) or file.file_id (a file URI)", model
        )
    if kind == "input_audio":
        audio = part.get("input_audio") if isinstance(part.get("input_audio"), dict) else {}
        data, fmt = audio.get("data"), audio.get("format") or "wav"
        if not isinstance(data, str) or not data:
            raise bad_input(f"{where}: an input_audio part needs input_audio.data (base64)", model)
        return {"inlineData": {"mimeType": f"audio/{fmt}", "data": data}}
    if kind == "refusal" and isinstance(part.get("refusal"), str):
        return {"text": part["refusal"]}
    raise bad_input(
        f"{where}: content part type {kind!r} cannot be sent to Gemini (text, image_url, file, input_audio)", model
    )


def _parts(content: Any, where: str, model: str) -> list[dict[str, Any]]:
    if content is None:
        return []
    if isinstance(content, str):
        return [{"text": content}] if content else []
    return [_part(p, f"{where}.content[{j}]", model) for j, p in enumerate(content)]


def _text_of(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    texts: list[str] = []
    for part in content:
        part = plain(part)
        if isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str):
            texts.append(part["text"])
    return "\n".join(texts)


def split_thought_signature(call_id: Any) -> tuple[Any, str | None]:
    """``call_x__thought__<sig>`` (litellm's way of carrying a signature) -> (``call_x``, ``<sig>``)."""
    if isinstance(call_id, str) and THOUGHT_SEPARATOR in call_id:
        head, _, sig = call_id.partition(THOUGHT_SEPARATOR)
        return head, sig or None
    return call_id, None


def _function_call_part(call: Any, where: str, model: str) -> tuple[dict[str, Any], Any, str]:
    """An OpenAI tool call -> (Gemini functionCall part, its id, the function name)."""
    call = plain(call)
    fn = plain(call.get("function") or {})
    name = fn.get("name")
    if not isinstance(name, str) or not name:
        raise bad_input(f"{where}: an assistant tool call has no function name", model)
    part: dict[str, Any] = {"functionCall": {"name": name, "args": tool_arguments(fn.get("arguments"), model, where)}}
    call_id, signature = split_thought_signature(call.get("id"))
    psf = call.get("provider_specific_fields")
    if isinstance(psf, dict) and isinstance(psf.get("thought_signature"), str):
        signature = psf["thought_signature"]
    if signature:
        part["thoughtSignature"] = signature
    return part, call.get("id"), name


def convert_messages(messages: list[Any], model: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """OpenAI messages -> (Gemini ``systemInstruction`` or None, ``contents``)."""
    system: list[dict[str, Any]] = []
    turns: list[tuple[str, list[dict[str, Any]]]] = []  # (role, parts)
    names: dict[Any, str] = {}  # tool call id -> function name
    for i, msg in enumerate(messages):
        where = f"messages[{i}]"
        role = msg.get("role")
        if role in ("system", "developer"):
            for part in _parts(msg.get("content"), where, model):
                if "text" not in part:
                    raise bad_input(f"{where}: system messages may only hold text", model)
                system.append(part)
            continue
        if role == "user":
            parts = _parts(msg.get("content"), where, model)
            if parts:
                turns.append(("user", parts))
        elif role == "assistant":
            parts = _parts(msg.get("content"), where, model)
            for k, call in enumerate(msg.get("tool_calls") or ()):
                part, call_id, name = _function_call_part(call, f"{where}.tool_calls[{k}]", model)
                if call_id:
                    names[call_id] = name
                    names[split_thought_signature(call_id)[0]] = name
                parts.append(part)
            fc = msg.get("function_call")
            if fc:  # legacy single function call
                fc = plain(fc)
                parts.append(
                    {
                        "functionCall": {
                            "name": fc.get("name"),
                            "args": tool_arguments(fc.get("arguments"), model, where),
                        }
                    }
                )
            if parts:
                turns.append(("model", parts))
        elif role in ("tool", "function"):
            call_id = msg.get("tool_call_id")
            name = names.get(call_id) or names.get(split_thought_signature(call_id)[0]) or msg.get("name")
            if not name:
                raise bad_input(
                    f"{where}: tool message answers tool_call_id {call_id!r}, which no earlier assistant tool call "
                    "has; Gemini needs the function's name (give the tool message a 'name')",
                    model,
                )
            content = msg.get("content")
            parts = [{"functionResponse": {"name": name, "response": _tool_response(content)}}]
            if isinstance(content, list):  # images returned by a tool follow the function response
                parts += [p for p in _parts(content, where, model) if "text" not in p]
            turns.append(("user", parts))
        else:
            raise bad_input(f"{where}: role {role!r} is not supported", model)
    instruction = {"parts": system} if system else None
    if not turns:
        if not system:
            raise bad_input("Gemini needs at least one message with content", model)
        return None, [{"role": "user", "parts": system}]  # system prompt only: sent as the user turn
    contents: list[dict[str, Any]] = []
    for role, parts in turns:
        if contents and contents[-1]["role"] == role:
            merged = contents[-1]["parts"] + parts
            if role == "user":  # function responses open the turn, like the calls they answer
                merged = [p for p in merged if "functionResponse" in p] + [
                    p for p in merged if "functionResponse" not in p
                ]
            contents[-1]["parts"] = merged
        else:
            contents.append({"role": role, "parts": parts})
    return instruction, contents
