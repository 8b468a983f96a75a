"""Replicate (``replicate/owner/model`` and ``replicate/owner/model:version``): create a
prediction, wait for it (bounded, backing off, within the call's timeout), read its output.

* create: ``POST {api_base}/models/{owner}/{name}/predictions`` (an official model),
  ``POST {api_base}/predictions`` with ``{"version": ...}`` (``owner/model:version``), or
  ``POST {api_base}/deployments/{owner}/{name}/predictions`` (``replicate/deployments/owner/name``),
  with ``Prefer: wait=25`` (Replicate holds the answer until the prediction finishes or 25 s pass);
* poll: ``GET urls.get`` until the status is terminal, sleeping 0.5 s, then 1.5x longer each time
  (at most 5 s), never past the call's ``timeout``; past it the prediction is cancelled
  (``POST urls.cancel``) and ``litegate.Timeout`` is raised. The create request of a polled call
  also carries ``Cancel-After`` (the timeout, at least Replicate's minimum of 5 s), so Replicate
  stops the prediction by itself should the client vanish before it knows the prediction's id;
* stream: ``GET urls.stream`` (SSE: ``output`` tokens, ``logs``, ``error``, ``done``);
* giving up: when the caller stops waiting -- the asyncio task is cancelled, Ctrl-C or an error
  ends a poll, or the stream is closed (or breaks) before its ``done`` event -- the prediction is
  cancelled (``POST urls.cancel``) best-effort within ``core.auth.RELEASE_TIMEOUT`` seconds, and
  the cancellation or error goes on to the caller (:meth:`PredictionFlow.take_release`).

The create / poll steps are the call's per-attempt flow (:class:`PredictionFlow`, core/auth.py's
seam: side requests through the call's transport, waits as ``Blocking`` steps), and the request the
lifecycle finally sends is the finished prediction's ``GET`` (or its stream), so retries,
fallbacks, parsing, cost and callbacks are the lifecycle's. Input: system messages ->
``system_prompt``; the rest -> ``prompt`` (a registered prompt template applies, else the turns as
``role: text`` lines ending with ``assistant:``; a single user message is sent as is);
``max_tokens`` -> ``max_new_tokens``, ``temperature``, ``top_p``, ``seed``, ``stop`` ->
``stop_sequences`` (comma-joined); other keyword arguments go into ``input`` as given.
"""

from __future__ import annotations

import functools
import math
import time
from typing import TYPE_CHECKING, Any

from ..core.auth import Auth, Blocking, Flow, with_header
from ..core.http import HttpRequest, HttpResponse
from ..core.prompt_templates import format_prompt, get_prompt_template
from ..types.utils import ModelResponse, ModelResponseStream
from .base import Dialect, StreamDecoder, bad_input, drop_unsupported, max_output_tokens
from .base import content_text as _text

if TYPE_CHECKING:
    from .base import Chunk

__all__ = ["Replicate", "PredictionFlow", "ReplicateStreamDecoder", "TERMINAL", "MAX_POLL_DELAY"]

TERMINAL = frozenset({"succeeded", "failed", "canceled", "aborted"})
FIRST_POLL_DELAY = 0.5
MAX_POLL_DELAY = 5.0
WAIT_SECONDS = 25
MIN_CANCEL_AFTER = 5  # seconds: the shortest Cancel-After Replicate accepts
_SUPPORTED = (
    "temperature",
    "top_p",
    "seed",
    "stop",
    "max_tokens",
    "max_completion_tokens",
    "stream",
    "stream_options",
    "extra_headers",
)


def _fail(message: str, model: str) -> Exception:
    return bad_input(f"replicate: {message}", model)


class PredictionFlow(Auth):
    """Create the prediction, poll it to a terminal status, and hand the lifecycle the request
    that reads it (``GET urls.get``) or streams it (``GET urls.stream``). While the prediction runs
    and the caller has no answer yet, :meth:`take_release` hands out its cancel request."""

    def __init__(self, dialect: Replicate, target: Any, stream: bool, timeout: float | None):
        self.dialect = dialect
        self.target = target
        self.stream = stream
        self.timeout = timeout
        self._cancel: str | None = None  # urls.cancel of the running prediction nobody else owns

    def take_release(self) -> HttpRequest | None:
        url, self._cancel = self._cancel, None
        if url is None:
            return None
        return HttpRequest("POST", url, self.dialect.headers(self.target))

    def _check(self, resp: HttpResponse) -> dict[str, Any]:
        if resp.status_code >= 400:
            raise self.dialect.error(resp, self.target)
        data = self.dialect.json_body(resp, self.target, "id")
        urls = data.get("urls")
        if not isinstance(urls, dict) or not isinstance(urls.get("get"), str):
            raise self.dialect.invalid("prediction has no urls.get", self.target)
        return data

    def _get(self, url: str, accept: str = "application/json") -> HttpRequest:
        headers = {k: v for k, v in self.dialect.headers(self.target).items() if k != "content-type"}
        headers["accept"] = accept
        return HttpRequest("GET", url, headers)

    def flow(self, request: HttpRequest) -> Flow:
        self._cancel = None
        started = time.monotonic()
        limit = self.timeout if self.timeout else 600.0
        if not self.stream:
            request = with_header(request, "cancel-after", f"{max(MIN_CANCEL_AFTER, math.ceil(limit))}s")
        prediction = self._check((yield request))
        urls = prediction["urls"]
        cancel = urls.get("cancel")
        if prediction.get("status") not in TERMINAL and isinstance(cancel, str):
            self._cancel = cancel
        if self.stream:
            if not isinstance(urls.get("stream"), str):
                raise self.dialect.invalid("prediction has no urls.stream (the model does not stream)", self.target)
            return self._get(urls["stream"], "text/event-stream")  # the stream owns the cancellation now
        delay = FIRST_POLL_DELAY
        while prediction.get("status") not in TERMINAL:
            left = limit - (time.monotonic() - started)
            if left <= 0:
                self._cancel = None
                if isinstance(cancel, str):
                    try:
                        yield HttpRequest("POST", cancel, self.dialect.headers(self.target))
                    except Exception:  # noqa: BLE001 - best effort: the timeout is what the caller gets
                        pass
                from ..exceptions import Timeout

                raise Timeout(
                    message=f"replicate prediction {prediction.get('id')} did not finish within {limit:g} s "
                    "(cancelled)",
                    model=self.target.model,
                    llm_provider="replicate",
                )
            pause = min(delay, left)
            yield Blocking(functools.partial(time.sleep, pause))
            delay = min(delay * 1.5, MAX_POLL_DELAY)
            prediction = self._check((yield self._get(urls["get"])))
        self._cancel = None  # finished: nothing left to stop
        return self._get(urls["get"])


class Replicate(Dialect):
    name = "replicate"
    key_hint = "REPLICATE_API_KEY / REPLICATE_API_TOKEN / litegate.replicate_key"
    kept_headers = ("x-ratelimit-", "retry-after", "x-request-id")

    def headers(self, target: Any) -> dict[str, str]:
        if not target.api_key:
            raise self.missing_key(target)
        h = {"authorization": "Bearer " + target.api_key, "content-type": "application/json"}
        h.update(target.headers or {})
        return h

    def prepare(self, target: Any, cfg: Any = None, call: Any = None) -> None:
        """``owner/model:version`` -> the model ``owner/model`` (what the answer and its price name)
        and the version kept for the create request."""
        if target.meta is None:
            model, _, version = target.model.partition(":")
            target.meta = {"version": version}
            target.model = model

    def auth(self, target: Any, call: Any, cfg: Any) -> Any:
        timeout = getattr(getattr(call, "ctl", None), "timeout", None) or getattr(cfg, "request_timeout", None)
        return PredictionFlow(self, target, bool(getattr(call, "stream", False)), timeout)

    def supported_openai_params(self, model: str) -> list[str]:
        return list(_SUPPORTED)

    def chat_request(self, call: Any, target: Any, drop: Any) -> HttpRequest:
        model = call.model
        params = dict(call.params or {})
        bad = [p for p in params if p not in _SUPPORTED]
        if params.get("n") not in (None, 1):
            bad.append("n")
        if bad:
            params = drop_unsupported(self.name, params, [b for b in bad if b in params], model, drop)
        system = [_text(m.get("content")) for m in call.messages if m.get("role") in ("system", "developer")]
        turns = [m for m in call.messages if m.get("role") not in ("system", "developer")]
        if any(m.get("tool_calls") or m.get("role") == "tool" for m in turns):
            raise _fail("tool messages are not supported", model)
        if not turns:
            raise _fail("at least one user message is needed", model)
        template = get_prompt_template(model) or get_prompt_template(target.model)
        if template is not None:
            prompt = format_prompt(target.model, call.messages if not system else turns, template)
        elif len(turns) == 1:
            prompt = _text(turns[0].get("content"))
        else:
            prompt = "\n".join(f"{m.get('role')}: {_text(m.get('content'))}" for m in turns) + "\nassistant:"
        inp: dict[str, Any] = {"prompt": prompt}
        if system:
            inp["system_prompt"] = "\n".join(system)
        mt = max_output_tokens(params)
        if mt is not None:
            inp["max_new_tokens"] = mt
        for name in ("temperature", "top_p", "seed"):
            if params.get(name) is not None:
                inp[name] = params[name]
        stop = params.get("stop")
        if stop is not None:
            inp["stop_sequences"] = ",".join([stop] if isinstance(stop, str) else stop)
        inp.update(call.extra or {})
        body: dict[str, Any] = {"input": inp}
        if call.stream:
            body["stream"] = True
        owner_model, _, version = target.model.partition(":")
        version = (target.meta or {}).get("version") or version
        base = target.api_base
        if version:
            body["version"] = version
            url = f"{base}/predictions"
        elif owner_model.startswith("deployments/"):
            url = f"{base}/{owner_model}/predictions"
        else:
            if owner_model.count("/") != 1:
                raise _fail(f"model must be 'owner/name' or 'owner/name:version', got {target.model!r}", model)
            url = f"{base}/models/{owner_model}/predictions"
        headers = dict(self.headers(target))
        if not call.stream:
            headers["prefer"] = f"wait={WAIT_SECONDS}"
        return HttpRequest("POST", url, headers, body)

    def parse_chat(self, resp: HttpResponse, call: Any, target: Any) -> Any:
        data = self.json_body(resp, target, "status")
        status = data.get("status")
        if status != "succeeded":
            from ..exceptions import APIError

            raise APIError(
                status_code=500,
                message=f"replicate prediction {data.get('id')} {status}: {str(data.get('error') or '')[:500]}",
                llm_provider=self.name,
                model=target.model,
            )
        output = data.get("output")
        text = "".join(str(x) for x in output) if isinstance(output, list) else "" if output is None else str(output)
        raw_metrics = data.get("metrics")
        metrics: dict[str, Any] = raw_metrics if isinstance(raw_metrics, dict) else {}
        from ..tokens import token_counter

        prompt = metrics.get("input_token_count")
        if prompt is None:
            prompt = token_counter(text="\n".join(_text(m.get("content")) for m in call.messages))
        completion = metrics.get("output_token_count")
        if completion is None:
            completion = token_counter(text=text) if text else 0
        return ModelResponse(
            id=str(data.get("id") or ""),
            created=int(time.time()),
            model=target.model,
            object="chat.completion",
            choices=[{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            usage={
                "prompt_tokens": int(prompt),
                "completion_tokens": int(completion),
                "total_tokens": int(prompt) + int(completion),
            },
        )

    def stream_decoder(self, call: Any, target: Any) -> ReplicateStreamDecoder:
        return ReplicateStreamDecoder(target.model)

    def error(self, resp: HttpResponse, target: Any) -> Exception:
        from ..core.errors import exception_from_response

        data = None
        try:
            data = resp.json()
        except ValueError:
            pass
        message = None
        if isinstance(data, dict) and (data.get("detail") or data.get("title")):  # RFC 7807 problem JSON
            message = str(data.get("detail") or data.get("title"))
        return exception_from_response(resp, llm_provider=self.name, model=target.model, message=message)


class ReplicateStreamDecoder(StreamDecoder):
    """A prediction's SSE stream: ``output`` events are text, ``done`` ends it (a ``reason`` of
    ``error`` / ``canceled`` raises), ``error`` raises, ``logs`` are ignored."""

    __slots__ = ("created", "_started")
    end_marker = "event: done"

    def __init__(self, model: str):
        super().__init__("replicate", model)
        self.created = int(time.time())
        self._started = False

    def _chunk(self, delta: dict[str, Any], finish: Any = None) -> ModelResponseStream:
        return ModelResponseStream(
            id="",
            created=self.created,
            model=self.model,
            object="chat.completion.chunk",
            choices=[{"index": 0, "delta": delta, "finish_reason": finish}],  # type: ignore[list-item]  # pydantic validates it
        )

    def _convert_into(self, events: list[Any], out: list[Chunk]) -> None:
        from ..core.errors import mid_stream_error

        for event, data in events:
            if self.done:
                return
            if event == "output":
                delta: dict[str, Any] = {"content": data}
                if not self._started:
                    delta["role"] = "assistant"
                    self._started = True
                if data:
                    out.append(self._chunk(delta))
            elif event == "error":
                obj = self.event_json(data) if data[:1] == "{" else {"detail": data}
                message = (obj or {}).get("detail") or (obj or {}).get("error") or data
                self.done = True  # the prediction has ended (failed): nothing to cancel
                raise mid_stream_error(
                    {"error": {"message": str(message)}}, llm_provider=self.provider, model=self.model
                )
            elif event == "done":
                obj = self.event_json(data) if data[:1] == "{" else None
                reason = (obj or {}).get("reason")
                if reason in ("error", "canceled", "aborted"):
                    self.done = True  # ended upstream: nothing to cancel
                    raise mid_stream_error(
                        {"error": {"message": f"the prediction ended: {reason}"}},
                        llm_provider=self.provider,
                        model=self.model,
                    )
                self.done = True
                out.append(self._chunk({}, "stop"))
