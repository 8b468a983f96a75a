"""NLP Cloud (``nlp_cloud/<model>``): chat through its ``chatbot`` task.

* URL: ``{api_base}/[gpu/][<lang>/]<model>/chatbot`` (``api_base`` default
  ``https://api.nlpcloud.io/v1``; ``gpu=True`` and ``lang="fra_Latn"``-style keyword arguments pick the
  GPU plan and a non-English model, as NLP Cloud's clients do);
* auth: ``Authorization: Token <key>`` (``NLP_CLOUD_API_KEY``, ``litegate.nlp_cloud_key``);
* body: ``{"input": <the last user message>, "context": <the system messages> | null,
  "history": [{"input": <user>, "response": <assistant>}, ...] | null}``; answer
  ``{"response", "history"}`` (shapes from NLP Cloud's official clients: the Python client's request
  fields and the JS client's typed answers). The task takes no sampling parameters, and the answer
  has no token counts: ``usage`` is estimated with litegate's tokenizer;
* errors: a non-2xx status with ``{"detail": ...}``.

No streaming: ``stream=True`` is refused before any request.
"""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING, Any

from ..core.http import HttpRequest, HttpResponse
from ..types.utils import ModelResponse
from .base import Dialect, bad_input

if TYPE_CHECKING:
    from ..core.call import ChatCall
    from ..core.resolve import Target
    from .base import Drop


__all__ = ["NLPCloud"]

_CONTROL = ("gpu", "lang")


def _text(content: Any, model: str) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list) and all(isinstance(p, dict) and p.get("type") == "text" for p in content):
        return "".join(str(p.get("text") or "") for p in content)
    if content is None:
        return ""
    raise bad_input("nlp_cloud: the chatbot task takes text messages only", model)


class NLPCloud(Dialect):
    name = "nlp_cloud"
    key_hint = "NLP_CLOUD_API_KEY / litegate.nlp_cloud_key"
    kept_headers = ("x-ratelimit-", "retry-after")

    def supported_openai_params(self, model: str) -> list[str]:
        return []

    def unsupported(self, params: dict[str, Any], model: str) -> list[str]:
        return [p for p in params if p not in ("stream", "stream_options")]

    def chat_request(self, call: ChatCall, target: Target, drop: Drop) -> HttpRequest:
        model = call.model
        if call.stream:
            raise bad_input(
                "nlp_cloud: streaming is not available for the chatbot task; call without stream=True", model
            )
        if call.params:
            self.map_params(dict(call.params), model, drop)  # refuses (or drops) every sampling parameter
        if not target.api_key:
            raise self.missing_key(target)
        system: list[str] = []
        turns: list[tuple[str, str]] = []
        for message in call.messages:
            role = message.get("role")
            text = _text(message.get("content"), model)
            if role in ("system", "developer"):
                system.append(text)
            elif role in ("user", "assistant"):
                turns.append((role, text))
            else:
                raise bad_input(f"nlp_cloud: the chatbot task has no {role!r} messages (no tool calling)", model)
        if not turns or turns[-1][0] != "user":
            raise bad_input("nlp_cloud: the conversation must end with a user message", model)
        history: list[dict[str, str]] = []
        pending: str | None = None
        for role, text in turns[:-1]:
            if role == "user":
                if pending is not None:  # two user turns in a row: one input
                    pending += "\n" + text
                else:
                    pending = text
            else:
                history.append({"input": pending or "", "response": text})
                pending = None
        last = turns[-1][1] if pending is None else pending + "\n" + turns[-1][1]
        extra = dict(call.extra or {})
        gpu, lang = extra.pop("gpu", False), extra.pop("lang", None)
        if extra:
            raise bad_input(f"nlp_cloud: unknown arguments for the chatbot task: {sorted(extra)}", model)
        path = ("gpu/" if gpu else "") + (f"{lang}/" if lang else "") + f"{target.model}/chatbot"
        body = {"input": last, "context": "\n".join(system) if system else None, "history": history or None}
        headers = {
            "authorization": "Token " + target.api_key,
            "content-type": "application/json",
            "accept": "application/json",
        }
        headers.update(target.headers or {})
        return HttpRequest("POST", f"{target.api_base}/{path}", headers, body)

    def parse_chat(self, resp: HttpResponse, call: ChatCall, target: Target) -> ModelResponse:
        data = self.json_body(resp, target, "response")
        text = data.get("response")
        if not isinstance(text, str):
            raise self.invalid("response has no 'response' text", target)
        from ..tokens import token_counter

        prompt = token_counter(text="\n".join(_text(m.get("content"), call.model) for m in call.messages))
        completion = token_counter(text=text) if text else 0
        return ModelResponse(
            id="chatcmpl-" + uuid.uuid4().hex,
            created=int(time.time()),
            model=target.model,
            object="chat.completion",
            choices=[{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            usage={"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
        )

    def error(self, resp: HttpResponse, target: Target) -> Exception:
        from ..core.errors import exception_from_response

        message = None
        try:
            data = resp.json()
        except ValueError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("detail"), str):
            message = data["detail"]
        return exception_from_response(resp, llm_provider=self.name, model=target.model, message=message)
