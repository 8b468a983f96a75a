"""The HTTP integrations: each turns a call's ``standard_logging_object`` into its platform's
documented ingestion request and hands it to a background :class:`~.delivery.Shipper`.

The caller's thread only queues the summary (already free of keys, and of content when
``turn_off_message_logging`` is on); the worker builds the platform's body, runs it through
``redact`` (a key that slipped into metadata is masked) and posts it through litegate's own
transport. Wire shapes follow the platforms' published specs (see docs/OBSERVABILITY.md).
"""

from __future__ import annotations

import base64
import datetime
import json
import logging
import os
import uuid
from typing import TYPE_CHECKING, Any

from . import NotConfigured
from .custom_logger import CustomLogger
from .delivery import DeliveryError, Shipper, post_json

if TYPE_CHECKING:
    from ..core.http import HttpResponse

log = logging.getLogger("litegate")


def _env(*names: str) -> str | None:
    for name in names:
        value = os.environ.get(name)
        if value and value.strip():
            return value.strip()
    return None


def _need(platform: str, *names: str) -> str:
    """The first set variable among ``names`` (alternatives), or NotConfigured naming them."""
    value = _env(*names)
    if value is None:
        raise NotConfigured(f"set {' or '.join(names)} to send logs to {platform}")
    return value


def _iso(ts: float | None) -> str:
    ts = ts if isinstance(ts, (int, float)) else datetime.datetime.now().timestamp()
    return (
        datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)
        .isoformat(timespec="microseconds")
        .replace("+00:00", "Z")
    )


def _encode(body: Any) -> bytes:
    """JSON text with every known credential shape masked (the last line of defence)."""
    from ..core.redact import redact

    return redact(json.dumps(body, default=str, separators=(",", ":"))).encode("utf-8")


def _output_message(slo: dict[str, Any]) -> dict[str, Any] | None:
    """The first choice's message of the response dump (chat), its text (completions) or None."""
    response = slo.get("response")
    if not isinstance(response, dict):
        return None
    choices = response.get("choices") or []
    if choices and isinstance(choices[0], dict):
        first = choices[0]
        if isinstance(first.get("message"), dict):
            msg = first["message"]
            return {k: v for k, v in msg.items() if v is not None and k in ("role", "content", "tool_calls")}
        if "text" in first:
            return {"role": "assistant", "content": first.get("text")}
    return None


def _error(slo: dict[str, Any]) -> dict[str, Any] | None:
    info = slo.get("error_information")
    return info if slo.get("status") == "failure" and isinstance(info, dict) else None


class HttpLogger(CustomLogger):
    """Base of the HTTP integrations: success and failure summaries go to the shipper."""

    name = "http"
    env: tuple[str, ...] = ()  # the environment variables it starts from (``from_env``)
    batch_size = 64
    log_failures = True
    ok: tuple[int, ...] = (200, 201, 202, 204, 207)  # the statuses that mean "delivered"
    url: str  # where the bodies go (set by each platform's __init__)
    headers: dict[str, str]  # the headers of every request (unless ``sign`` makes them per request)

    def __init__(self) -> None:
        self.shipper = Shipper(self.name, self._deliver, batch_size=self.batch_size, prepare=self._prepare)

    @classmethod
    def from_env(cls) -> HttpLogger:
        return cls()

    def close(self) -> None:
        self.shipper.close()

    def record(self, kwargs: dict[str, Any], response_obj: Any, exc: BaseException | None) -> Any:
        """What is queued for one call (the summary; a platform may keep more)."""
        return kwargs.get("standard_logging_object")

    def _queue(self, kwargs: dict[str, Any], response_obj: Any, exc: BaseException | None) -> None:
        record = self.record(kwargs, response_obj, exc)
        if record is not None:
            self.shipper.put(record)

    def log_success_event(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: datetime.datetime, end_time: datetime.datetime
    ) -> None:
        self._queue(kwargs, response_obj, None)

    def log_failure_event(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: datetime.datetime, end_time: datetime.datetime
    ) -> None:
        if self.log_failures:
            self._queue(kwargs, None, response_obj)

    async def async_log_success_event(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: datetime.datetime, end_time: datetime.datetime
    ) -> None:
        self._queue(kwargs, response_obj, None)

    async def async_log_failure_event(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: datetime.datetime, end_time: datetime.datetime
    ) -> None:
        if self.log_failures:
            self._queue(kwargs, None, response_obj)

    # ------------------------------------------------------------------ on the worker thread
    def bodies(self, batch: list[Any]) -> list[Any]:  # pragma: no cover - each platform defines it
        """The platform's request bodies for a batch of summaries (one, or one per record)."""
        raise NotImplementedError

    def _prepare(self, batch: list[Any]) -> list[bytes]:
        """The encoded bodies of a batch, built once whatever the number of attempts."""
        return [_encode(body) for body in self.bodies(batch)]

    def _deliver(self, pending: list[bytes]) -> None:
        """Send what is pending; a body sent is removed, so a retry sends only the rest."""
        while pending:
            content = pending[0]
            self.accept(post_json(self.url, None, self.sign(content), self.name, content=content, ok=self.ok))
            pending.pop(0)

    def sign(self, content: bytes) -> dict[str, str]:
        """The headers of one request (a signature is made per attempt)."""
        return self.headers

    def accept(self, resp: HttpResponse) -> None:
        """Check a 2xx answer's body (a platform that reports refusals inside a 2xx)."""


# ==================================================================================== Langfuse
class LangfuseLogger(HttpLogger):
    """Langfuse, with Basic auth (public key : secret key). By default OpenTelemetry:
    ``POST {LANGFUSE_HOST}/api/public/otel/v1/traces`` (OTLP/HTTP JSON), one GenAI span per call
    with its input and output (the path Langfuse Cloud takes since its legacy ingestion API was
    retired on 2026-11-16). ``LITEGATE_LANGFUSE_API=ingestion`` uses the legacy batch API of
    self-hosted Langfuse v3 instead (``POST /api/public/ingestion``: a trace and a generation per
    call; its 207 answer lists refused events, which are logged)."""

    name = "langfuse"
    env = ("LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY", "LANGFUSE_HOST", "LITEGATE_LANGFUSE_API")
    batch_size = 32  # the legacy API takes up to 3.5 MB per batch

    def __init__(self, public_key: str, secret_key: str, host: str, api: str = "otel"):
        super().__init__()
        self.api = api
        path = "/api/public/otel/v1/traces" if api == "otel" else "/api/public/ingestion"
        self.url = host.rstrip("/") + path
        token = base64.b64encode(f"{public_key}:{secret_key}".encode()).decode()
        self.headers = {"authorization": f"Basic {token}"}

    @classmethod
    def from_env(cls) -> LangfuseLogger:
        public = _need("langfuse", "LANGFUSE_PUBLIC_KEY")
        secret = _need("langfuse", "LANGFUSE_SECRET_KEY")
        api = (_env("LITEGATE_LANGFUSE_API") or "otel").lower()
        if api not in ("otel", "ingestion"):
            raise NotConfigured(f"LITEGATE_LANGFUSE_API must be 'otel' or 'ingestion', not {api!r}")
        return cls(public, secret, _env("LANGFUSE_HOST", "LANGFUSE_BASE_URL") or "https://cloud.langfuse.com", api)

    def record(self, kwargs: dict[str, Any], response_obj: Any, exc: BaseException | None) -> Any:
        if self.api == "otel":
            return kwargs, response_obj, exc  # the span is built on the worker thread
        return kwargs.get("standard_logging_object")

    @staticmethod
    def otlp_span(record: tuple[dict[str, Any], Any, BaseException | None]) -> dict[str, Any]:
        from . import otlp
        from .otel import span_data

        kwargs, response, exc = record
        slo = kwargs.get("standard_logging_object") or {}
        meta = slo.get("metadata") or {}
        data = span_data(kwargs, response, exc, capture_content=True)  # never with message logging off
        extra: dict[str, str] = {}
        user = slo.get("end_user") or meta.get("user_id") or meta.get("trace_user_id")
        if user:
            extra["user.id"] = str(user)
        if meta.get("session_id"):
            extra["session.id"] = str(meta["session_id"])
        return otlp.span(data, extra)

    @staticmethod
    def events(slo: dict[str, Any]) -> list[dict[str, Any]]:
        now = _iso(None)
        meta = slo.get("metadata") or {}
        trace_id = str(slo.get("trace_id") or slo["id"])
        failed = slo.get("status") == "failure"
        output = None if failed else _output_message(slo)
        trace: dict[str, Any] = {
            "id": trace_id,
            "timestamp": _iso(slo.get("startTime")),
            "name": f"litegate-{slo.get('call_type')}",
            "input": slo.get("messages"),
            "output": output,
            "metadata": meta,
            "tags": [str(t) for t in slo.get("request_tags") or []],
        }
        user = slo.get("end_user") or meta.get("user_id") or meta.get("trace_user_id")
        if user:
            trace["userId"] = str(user)
        if meta.get("session_id"):
            trace["sessionId"] = str(meta["session_id"])
        params = {
            k: v
            for k, v in (slo.get("model_parameters") or {}).items()
            if isinstance(v, (str, int, float, bool)) or (isinstance(v, list) and all(isinstance(i, str) for i in v))
        }
        generation: dict[str, Any] = {
            "id": str(slo["id"]),
            "traceId": trace_id,
            "name": str(slo.get("call_type")),
            "startTime": _iso(slo.get("startTime")),
            "endTime": _iso(slo.get("endTime")),
            "completionStartTime": _iso(slo.get("completionStartTime")),
            "model": str(slo.get("model")),
            "modelParameters": params,
            "input": slo.get("messages"),
            "output": output,
            "metadata": {
                "custom_llm_provider": slo.get("custom_llm_provider"),
                "api_base": slo.get("api_base"),
                "model_group": slo.get("model_group"),
                "model_id": slo.get("model_id"),
                "cache_hit": slo.get("cache_hit"),
                "attempts": slo.get("attempts"),
            },
            "level": "ERROR" if failed else "DEFAULT",
        }
        if not failed:
            generation["usageDetails"] = {
                "input": slo.get("prompt_tokens") or 0,
                "output": slo.get("completion_tokens") or 0,
                "total": slo.get("total_tokens") or 0,
            }
            if isinstance(slo.get("response_cost"), (int, float)):
                generation["costDetails"] = {"total": float(slo["response_cost"])}
        else:
            generation["statusMessage"] = str(slo.get("error_str") or "")
        trace = {k: v for k, v in trace.items() if v is not None}
        generation = {k: v for k, v in generation.items() if v is not None}
        return [
            {"id": str(uuid.uuid4()), "timestamp": now, "type": "trace-create", "body": trace},
            {"id": str(uuid.uuid4()), "timestamp": now, "type": "generation-create", "body": generation},
        ]

    def bodies(self, batch: list[Any]) -> list[Any]:
        if self.api == "otel":
            from .otlp import export_request

            return [export_request([self.otlp_span(record) for record in batch])]
        return [{"batch": [event for slo in batch for event in self.events(slo)]}]

    def accept(self, resp: HttpResponse) -> None:
        if self.api == "otel":
            return  # OTLP: a 2xx is success (partial success is not reported by this endpoint)
        try:
            errors = resp.json().get("errors") or []
        except Exception:  # noqa: BLE001 - a 2xx without the documented body: accepted
            errors = []
        if errors:
            raise DeliveryError(f"langfuse refused {len(errors)} event(s): {str(errors[0])[:200]}", False)


# ==================================================================================== LangSmith
class LangsmithLogger(HttpLogger):
    """``POST {endpoint}/runs/batch`` ``{"post": [run, ...]}`` with ``X-API-Key``; one root ``llm``
    run per call in the project ``LANGSMITH_PROJECT`` / ``LANGCHAIN_PROJECT``."""

    name = "langsmith"
    env = (
        "LANGSMITH_API_KEY",
        "LANGCHAIN_API_KEY",
        "LANGSMITH_PROJECT",
        "LANGCHAIN_PROJECT",
        "LANGSMITH_ENDPOINT",
        "LANGCHAIN_ENDPOINT",
    )

    def __init__(self, api_key: str, project: str, endpoint: str):
        super().__init__()
        self.url = endpoint.rstrip("/") + "/runs/batch"
        self.project = project
        self.headers = {"x-api-key": api_key}

    @classmethod
    def from_env(cls) -> LangsmithLogger:
        key = _need("langsmith", "LANGSMITH_API_KEY", "LANGCHAIN_API_KEY")
        project = _env("LANGSMITH_PROJECT", "LANGCHAIN_PROJECT") or "litegate"
        endpoint = (
            _env("LANGSMITH_ENDPOINT", "LANGCHAIN_ENDPOINT", "LANGSMITH_BASE_URL") or "https://api.smith.langchain.com"
        )
        return cls(key, project, endpoint)

    def run(self, slo: dict[str, Any]) -> dict[str, Any]:
        run_id = str(slo["id"])
        start = datetime.datetime.fromtimestamp(slo.get("startTime") or 0, datetime.timezone.utc)
        failed = slo.get("status") == "failure"
        call_type = str(slo.get("call_type") or "")
        run: dict[str, Any] = {
            "id": run_id,
            "trace_id": run_id,
            "dotted_order": start.strftime("%Y%m%dT%H%M%S%fZ") + run_id,  # a root run: its start, its id
            "name": str(slo.get("model")),
            "run_type": "embedding" if "embedding" in call_type else "llm",
            "start_time": _iso(slo.get("startTime")),
            "end_time": _iso(slo.get("endTime")),
            "inputs": {"messages": slo.get("messages")}
            if call_type.lstrip("a") != "embedding"
            else {"input": slo.get("messages")},
            "extra": {
                "metadata": {
                    **(slo.get("metadata") or {}),
                    "ls_provider": slo.get("custom_llm_provider"),
                    "ls_model_name": slo.get("model"),
                    "response_cost": slo.get("response_cost"),
                },
                "invocation_params": slo.get("model_parameters") or {},
            },
            "session_name": self.project,
            "tags": [str(t) for t in slo.get("request_tags") or []],
            "status": "error" if failed else "success",
        }
        if failed:
            run["error"] = str(slo.get("error_str") or "")
        else:
            outputs = dict(slo.get("response") or {}) if isinstance(slo.get("response"), dict) else {}
            outputs["usage_metadata"] = {
                "input_tokens": slo.get("prompt_tokens") or 0,
                "output_tokens": slo.get("completion_tokens") or 0,
                "total_tokens": slo.get("total_tokens") or 0,
            }
            run["outputs"] = outputs
        return run

    def bodies(self, batch: list[Any]) -> list[Any]:
        return [{"post": [self.run(slo) for slo in batch]}]


# ==================================================================================== Helicone
_HELICONE_PROVIDERS = {
    "openai": "OPENAI",
    "anthropic": "ANTHROPIC",
    "azure": "AZURE",
    "gemini": "GOOGLE",
    "vertex_ai": "GOOGLE",
    "groq": "GROQ",
    "cohere": "COHERE",
    "mistral": "MISTRAL",
    "deepseek": "DEEPSEEK",
    "bedrock": "BEDROCK",
    "together_ai": "TOGETHER",
    "fireworks_ai": "FIREWORKS",
    "perplexity": "PERPLEXITY",
    "openrouter": "OPENROUTER",
    "deepinfra": "DEEPINFRA",
    "xai": "X",
    "cerebras": "CEREBRAS",
    "nvidia_nim": "NVIDIA",
    "ollama": "LOCAL",
}


class HeliconeLogger(HttpLogger):
    """``POST {HELICONE_API_BASE}/v1/trace/custom/log/typed`` (``TypedAsyncLogModel``), one request
    per call, ``Authorization: Bearer <HELICONE_API_KEY>``."""

    name = "helicone"
    env = ("HELICONE_API_KEY", "HELICONE_API_BASE")
    batch_size = 16  # records taken per wake-up; the API takes one log per request

    def __init__(self, api_key: str, base: str):
        super().__init__()
        self.url = base.rstrip("/") + "/v1/trace/custom/log/typed"
        self.headers = {"authorization": f"Bearer {api_key}"}

    @classmethod
    def from_env(cls) -> HeliconeLogger:
        return cls(_need("helicone", "HELICONE_API_KEY"), _env("HELICONE_API_BASE") or "https://api.helicone.ai")

    @staticmethod
    def log(slo: dict[str, Any]) -> dict[str, Any]:
        failed = slo.get("status") == "failure"
        request: dict[str, Any] = {"model": slo.get("model"), **(slo.get("model_parameters") or {})}
        if slo.get("messages") is not None:
            request["messages" if isinstance(slo.get("messages"), list) else "input"] = slo.get("messages")
        meta = {
            str(k): str(v) for k, v in (slo.get("metadata") or {}).items() if isinstance(v, (str, int, float, bool))
        }
        meta["litegate_call_id"] = str(slo["id"])
        err = _error(slo)
        status = (
            int(err["error_code"]) if err and str(err.get("error_code") or "").isdigit() else (500 if failed else 200)
        )
        response = (
            {"error": {"message": slo.get("error_str"), "type": (err or {}).get("error_class")}}
            if failed
            else (slo.get("response") if isinstance(slo.get("response"), dict) else {})
        )
        timing: dict[str, Any] = {"startTime": _iso(slo.get("startTime")), "endTime": _iso(slo.get("endTime"))}
        if isinstance(slo.get("time_to_first_token"), (int, float)):
            timing["timeToFirstToken"] = round(slo["time_to_first_token"] * 1000, 3)  # milliseconds
        return {
            "providerRequest": {"url": str(slo.get("api_base") or ""), "json": request, "meta": meta},
            "providerResponse": {"json": response, "status": status, "headers": {}},
            "timing": timing,
            "provider": _HELICONE_PROVIDERS.get(str(slo.get("custom_llm_provider")), "CUSTOM"),
        }

    def bodies(self, batch: list[Any]) -> list[Any]:
        return [self.log(slo) for slo in batch]


# ==================================================================================== PromptLayer
_PL_ERRORS = {
    "Timeout": "PROVIDER_TIMEOUT",
    "RateLimitError": "PROVIDER_RATE_LIMIT",
    "AuthenticationError": "PROVIDER_AUTH_ERROR",
    "PermissionDeniedError": "PROVIDER_AUTH_ERROR",
    "BudgetExceededError": "PROVIDER_QUOTA_LIMIT",
}


def _blocks(content: Any) -> list[dict[str, str]]:
    if content is None:
        return []
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    out = []
    for part in content if isinstance(content, list) else [content]:
        if isinstance(part, dict) and part.get("type") == "text":
            out.append({"type": "text", "text": str(part.get("text", ""))})
        elif isinstance(part, str):
            out.append({"type": "text", "text": part})
    return out


class PromptLayerLogger(HttpLogger):
    """``POST {PROMPTLAYER_API_BASE}/log-request`` with ``X-API-KEY``, one request per call; input
    and output in the Prompt Blueprint chat format (content as block arrays)."""

    name = "promptlayer"
    env = ("PROMPTLAYER_API_KEY", "PROMPTLAYER_API_BASE")
    batch_size = 16

    def __init__(self, api_key: str, base: str):
        super().__init__()
        self.url = base.rstrip("/") + "/log-request"
        self.headers = {"x-api-key": api_key}

    @classmethod
    def from_env(cls) -> PromptLayerLogger:
        return cls(
            _need("promptlayer", "PROMPTLAYER_API_KEY"), _env("PROMPTLAYER_API_BASE") or "https://api.promptlayer.com"
        )

    @staticmethod
    def body(slo: dict[str, Any]) -> dict[str, Any]:
        messages = slo.get("messages")
        if not isinstance(messages, list):
            messages = []
        inputs = [
            {"role": m.get("role"), "content": _blocks(m.get("content"))}
            for m in messages
            if isinstance(m, dict) and m.get("role") in ("system", "user", "assistant", "developer")
        ]
        out = _output_message(slo)
        outputs = [{"role": "assistant", "content": _blocks(out.get("content"))}] if out else []
        call_type = str(slo.get("call_type") or "").lstrip("a")
        body: dict[str, Any] = {
            "provider": str(slo.get("custom_llm_provider") or "openai"),
            "model": str(slo.get("model")),
            "api_type": "chat-completions" if call_type == "completion" else call_type.replace("_", "-"),
            "input": {"type": "chat", "messages": inputs},
            "output": {"type": "chat", "messages": outputs},
            "request_start_time": _iso(slo.get("startTime")),
            "request_end_time": _iso(slo.get("endTime")),
            "parameters": slo.get("model_parameters") or {},
            "tags": [str(t)[:512] for t in slo.get("request_tags") or []],
            "metadata": {
                str(k)[:1024]: v if isinstance(v, str) else json.dumps(v, default=str)
                for k, v in (slo.get("metadata") or {}).items()
            },
            "input_tokens": int(slo.get("prompt_tokens") or 0),
            "output_tokens": int(slo.get("completion_tokens") or 0),
            "price": float(slo.get("response_cost") or 0.0),
            "status": "ERROR" if slo.get("status") == "failure" else "SUCCESS",
        }
        body["metadata"]["litegate_call_id"] = str(slo["id"])
        err = _error(slo)
        if err:
            body["error_type"] = _PL_ERRORS.get(str(err.get("error_class")), "PROVIDER_ERROR")
            body["error_message"] = str(slo.get("error_str") or "")
        return body

    def bodies(self, batch: list[Any]) -> list[Any]:
        return [self.body(slo) for slo in batch]


# ==================================================================================== Athina
class AthinaLogger(HttpLogger):
    """``POST {ATHINA_BASE_URL}/api/v1/log/inference`` with ``athina-api-key``, one per call; a
    failed call carries Athina's ``status_code`` and ``error`` logging attributes (and an empty
    ``response``, a required field)."""

    name = "athina"
    env = ("ATHINA_API_KEY", "ATHINA_BASE_URL")
    batch_size = 16

    def __init__(self, api_key: str, base: str):
        super().__init__()
        self.url = base.rstrip("/") + "/api/v1/log/inference"
        self.headers = {"athina-api-key": api_key}

    @classmethod
    def from_env(cls) -> AthinaLogger:
        return cls(_need("athina", "ATHINA_API_KEY"), _env("ATHINA_BASE_URL") or "https://log.athina.ai")

    @staticmethod
    def body(slo: dict[str, Any]) -> dict[str, Any]:
        meta = slo.get("metadata") or {}
        body: dict[str, Any] = {
            "language_model_id": str(slo.get("model")),
            "prompt": slo.get("messages"),
            "response": slo.get("response"),
            "prompt_tokens": slo.get("prompt_tokens"),
            "completion_tokens": slo.get("completion_tokens"),
            "total_tokens": slo.get("total_tokens"),
            "response_time": round((slo.get("response_time") or 0) * 1000),
            "cost": slo.get("response_cost"),
            "external_reference_id": str(slo["id"]),
            "environment": meta.get("environment") or "production",
            "customer_id": meta.get("customer_id"),
            "customer_user_id": slo.get("end_user") or meta.get("user_id"),
            "session_id": meta.get("session_id"),
            "prompt_slug": meta.get("prompt_slug"),
            "custom_attributes": {k: v for k, v in meta.items() if isinstance(v, (str, int, float, bool))} or None,
        }
        error = _error(slo)
        if error is not None:
            code = error.get("error_code")
            body.update(
                response="",
                error=str(slo.get("error_str") or error.get("error_class") or ""),
                status_code=int(code) if code and str(code).isdigit() else None,
                cost=None,
            )
        else:
            body["status_code"] = 200
        return {k: v for k, v in body.items() if v is not None}

    def bodies(self, batch: list[Any]) -> list[Any]:
        return [self.body(slo) for slo in batch]


# ==================================================================================== Lunary
class LunaryLogger(HttpLogger):
    """``POST {LUNARY_API_URL}/v1/runs/ingest`` ``{"events": [...]}`` with ``Authorization: Bearer
    <LUNARY_PUBLIC_KEY>``: a ``start`` then an ``end`` (or ``error``) event per call."""

    name = "lunary"
    env = ("LUNARY_PUBLIC_KEY", "LUNARY_API_URL")

    def __init__(self, key: str, base: str):
        super().__init__()
        self.url = base.rstrip("/") + "/v1/runs/ingest"
        self.headers = {"authorization": f"Bearer {key}"}

    @classmethod
    def from_env(cls) -> LunaryLogger:
        return cls(_need("lunary", "LUNARY_PUBLIC_KEY"), _env("LUNARY_API_URL") or "https://api.lunary.ai")

    @staticmethod
    def events(slo: dict[str, Any]) -> list[dict[str, Any]]:
        kind = "embed" if "embedding" in str(slo.get("call_type")) else "llm"
        run_id = str(slo["id"])
        meta = slo.get("metadata") or {}
        start: dict[str, Any] = {
            "type": kind,
            "event": "start",
            "runId": run_id,
            "timestamp": _iso(slo.get("startTime")),
            "name": str(slo.get("model")),
            "input": slo.get("messages"),
            "extra": slo.get("model_parameters") or {},
            "metadata": meta,
            "tags": [str(t) for t in slo.get("request_tags") or []],
        }
        end: dict[str, Any]
        if slo.get("status") == "failure":
            end = {
                "type": kind,
                "event": "error",
                "runId": run_id,
                "timestamp": _iso(slo.get("endTime")),
                "error": {
                    "message": str(slo.get("error_str") or ""),
                    "stack": str((slo.get("error_information") or {}).get("error_class") or ""),
                },
            }
        else:
            out = _output_message(slo)
            end = {
                "type": kind,
                "event": "end",
                "runId": run_id,
                "timestamp": _iso(slo.get("endTime")),
                "output": out if out is not None else slo.get("response"),
                "tokensUsage": {
                    "prompt": slo.get("prompt_tokens") or 0,
                    "completion": slo.get("completion_tokens") or 0,
                },
            }
        return [start, end]

    def bodies(self, batch: list[Any]) -> list[Any]:
        return [{"events": [e for slo in batch for e in self.events(slo)]}]


# ==================================================================================== Supabase
def _row(slo: dict[str, Any]) -> dict[str, Any]:
    """The flat row the table integrations store (Supabase, DynamoDB, webhook-style consumers)."""
    return {
        "request_id": str(slo["id"]),
        "call_type": slo.get("call_type"),
        "model": slo.get("model"),
        "custom_llm_provider": slo.get("custom_llm_provider"),
        "status": slo.get("status"),
        "start_time": _iso(slo.get("startTime")),
        "end_time": _iso(slo.get("endTime")),
        "response_time": slo.get("response_time"),
        "response_cost": slo.get("response_cost"),
        "prompt_tokens": slo.get("prompt_tokens"),
        "completion_tokens": slo.get("completion_tokens"),
        "total_tokens": slo.get("total_tokens"),
        "end_user": slo.get("end_user"),
        "cache_hit": slo.get("cache_hit"),
        "model_group": slo.get("model_group"),
        "api_base": slo.get("api_base"),
        "metadata": slo.get("metadata"),
        "messages": slo.get("messages"),
        "response": slo.get("response"),
        "error": slo.get("error_str"),
    }


class SupabaseLogger(HttpLogger):
    """Rows into a Supabase table through its PostgREST API: ``POST {SUPABASE_URL}/rest/v1/<table>``
    (a JSON array, ``Prefer: return=minimal``) with the ``apikey`` and Bearer ``SUPABASE_KEY``.
    Table: ``SUPABASE_TABLE`` (default ``request_logs``) with the columns of :func:`_row`."""

    name = "supabase"
    env = ("SUPABASE_URL", "SUPABASE_KEY", "SUPABASE_TABLE")

    def __init__(self, url: str, key: str, table: str):
        super().__init__()
        from urllib.parse import quote

        self.url = url.rstrip("/") + "/rest/v1/" + quote(table, safe="")
        self.headers = {"apikey": key, "authorization": f"Bearer {key}", "prefer": "return=minimal"}

    @classmethod
    def from_env(cls) -> SupabaseLogger:
        url = _need("supabase", "SUPABASE_URL")
        key = _need("supabase", "SUPABASE_KEY")
        return cls(url, key, _env("SUPABASE_TABLE") or "request_logs")

    def bodies(self, batch: list[Any]) -> list[Any]:
        return [[_row(slo) for slo in batch]]


# ==================================================================================== DynamoDB
def _attr(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, float)):
        return {"N": repr(value) if isinstance(value, float) else str(value)}
    if isinstance(value, str):
        return {"S": value}
    return {"S": json.dumps(value, default=str)}


class DynamoDBLogger(HttpLogger):
    """Items into a DynamoDB table with ``BatchWriteItem`` (JSON 1.0 protocol, SigV4 service
    ``dynamodb``), 25 items per request. Table ``DYNAMODB_TABLE_NAME`` (partition key
    ``request_id``, a string); credentials ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``
    (``AWS_SESSION_TOKEN``), region ``AWS_REGION_NAME``/``AWS_REGION``/``AWS_DEFAULT_REGION``;
    ``AWS_ENDPOINT_URL_DYNAMODB`` points it elsewhere (DynamoDB Local, tests)."""

    name = "dynamodb"
    env = (
        "DYNAMODB_TABLE_NAME",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_REGION_NAME",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ENDPOINT_URL_DYNAMODB",
    )
    batch_size = 25  # BatchWriteItem's limit

    def __init__(
        self, table: str, region: str, access_key: str, secret_key: str, token: str | None, endpoint: str | None = None
    ):
        super().__init__()
        self.table = table
        self.region = region
        from ..providers.aws.sigv4 import Credentials

        self.creds = Credentials(access_key, secret_key, token)
        self.url = (endpoint or f"https://dynamodb.{region}.amazonaws.com").rstrip("/") + "/"

    @classmethod
    def from_env(cls) -> DynamoDBLogger:
        table = _need("dynamodb", "DYNAMODB_TABLE_NAME")
        region = _need("dynamodb", "AWS_REGION_NAME", "AWS_REGION", "AWS_DEFAULT_REGION")
        access = _need("dynamodb", "AWS_ACCESS_KEY_ID")
        secret = _need("dynamodb", "AWS_SECRET_ACCESS_KEY")
        return cls(
            table,
            region,
            access,
            secret,
            _env("AWS_SESSION_TOKEN"),
            _env("AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL"),
        )

    ok = (200,)

    def bodies(self, batch: list[Any]) -> list[Any]:
        items = []
        for slo in batch:
            item = {k: _attr(v) for k, v in _row(slo).items() if v is not None}
            items.append({"PutRequest": {"Item": item}})
        return [{"RequestItems": {self.table: items}}]

    def sign(self, content: bytes) -> dict[str, str]:
        from ..providers.aws.sigv4 import sign_headers

        headers = {"content-type": "application/x-amz-json-1.0", "x-amz-target": "DynamoDB_20120810.BatchWriteItem"}
        headers.update(sign_headers("POST", self.url, headers, content, self.creds, self.region, "dynamodb"))
        return headers  # host: the transport sets it from the URL, as signed

    def _deliver(self, pending: list[bytes]) -> None:
        """Send each BatchWriteItem; items the table reports as ``UnprocessedItems`` (throttled)
        replace the request that carried them, and the shipper sends only those again after its
        bounded backoff (``delivery.RETRIES`` more attempts, then they are counted as failed)."""
        while pending:
            resp = post_json(self.url, None, self.sign(pending[0]), self.name, content=pending[0], ok=self.ok)
            left = self.unprocessed(resp)
            if left:
                pending[0] = _encode({"RequestItems": {self.table: left}})
                raise DeliveryError(f"dynamodb left {len(left)} item(s) unprocessed (throttled)", True)
            pending.pop(0)

    def unprocessed(self, resp: HttpResponse) -> list[dict[str, Any]]:
        try:
            left = (resp.json().get("UnprocessedItems") or {}).get(self.table) or []
        except Exception:  # noqa: BLE001 - an answer without a JSON body: nothing to resend
            return []
        return [item for item in left if isinstance(item, dict) and "PutRequest" in item][: self.batch_size]


# ==================================================================================== webhook
class WebhookLogger(HttpLogger):
    """Any HTTP endpoint: ``POST`` a JSON array of ``standard_logging_object`` summaries to
    ``LITEGATE_WEBHOOK_URL`` (or litellm's ``GENERIC_LOGGER_ENDPOINT``); extra headers from
    ``LITEGATE_WEBHOOK_HEADERS`` / ``GENERIC_LOGGER_HEADERS`` (``name=value,name=value``)."""

    name = "webhook"
    env = ("LITEGATE_WEBHOOK_URL", "GENERIC_LOGGER_ENDPOINT", "LITEGATE_WEBHOOK_HEADERS", "GENERIC_LOGGER_HEADERS")

    def __init__(self, url: str, headers: dict[str, str] | None = None):
        super().__init__()
        self.url = url
        self.headers = headers or {}

    @classmethod
    def from_env(cls) -> WebhookLogger:
        url = _need("webhook", "LITEGATE_WEBHOOK_URL", "GENERIC_LOGGER_ENDPOINT")
        headers: dict[str, str] = {}
        for pair in (_env("LITEGATE_WEBHOOK_HEADERS", "GENERIC_LOGGER_HEADERS") or "").split(","):
            name, sep, value = pair.partition("=")
            if sep and name.strip():
                headers[name.strip().lower()] = value.strip()
        return cls(url, headers)

    def bodies(self, batch: list[Any]) -> list[Any]:
        return [batch]


# ==================================================================================== W&B
class WeightsBiasesLogger(HttpLogger):
    """W&B Weave's Service API: ``POST {WF_TRACE_SERVER_URL}/call/upsert_batch`` (default
    ``https://trace.wandb.ai``) with HTTP Basic auth ``api:<WANDB_API_KEY>``; per call a ``start``
    (``project_id``, ``id``, ``trace_id``, ``op_name``, ``display_name``, ``started_at``,
    ``attributes``, ``inputs``) and an ``end`` (``ended_at``, ``output``, ``summary.usage`` per
    model, ``exception`` on failure). Project: ``WANDB_PROJECT`` as ``entity/project``, or
    ``WANDB_ENTITY`` + ``WANDB_PROJECT``."""

    name = "weights_biases"
    env = ("WANDB_API_KEY", "WANDB_PROJECT", "WANDB_ENTITY", "WF_TRACE_SERVER_URL")

    def __init__(self, api_key: str, project_id: str, base: str):
        super().__init__()
        self.url = base.rstrip("/") + "/call/upsert_batch"
        self.project_id = project_id
        self.headers = {"authorization": "Basic " + base64.b64encode(f"api:{api_key}".encode()).decode()}

    @classmethod
    def from_env(cls) -> WeightsBiasesLogger:
        key = _need("weights_biases", "WANDB_API_KEY")
        project = _need("weights_biases", "WANDB_PROJECT")
        if "/" not in project:
            project = f"{_need('weights_biases', 'WANDB_ENTITY')}/{project}"
        return cls(key, project, _env("WF_TRACE_SERVER_URL") or "https://trace.wandb.ai")

    def calls(self, slo: dict[str, Any]) -> list[dict[str, Any]]:
        call_id = str(slo["id"])
        model = str(slo.get("model"))
        inputs: dict[str, Any] = {
            "model": model,
            "messages": slo.get("messages"),
            **(slo.get("model_parameters") or {}),
        }
        start: dict[str, Any] = {
            "project_id": self.project_id,
            "id": call_id,
            "trace_id": str(slo.get("trace_id") or call_id),
            "op_name": f"litegate.{slo.get('call_type') or 'completion'}",
            "display_name": model,
            "started_at": _iso(slo.get("startTime")),
            "attributes": {
                "litegate": {
                    "provider": slo.get("custom_llm_provider"),
                    "metadata": slo.get("metadata") or {},
                    "tags": [str(t) for t in slo.get("request_tags") or []],
                }
            },
            "inputs": inputs,
        }
        end: dict[str, Any] = {
            "project_id": self.project_id,
            "id": call_id,
            "ended_at": _iso(slo.get("endTime")),
            "summary": {},
        }
        if slo.get("status") == "failure":
            end["exception"] = str(slo.get("error_str") or "")
            end["output"] = None
        else:
            end["output"] = slo.get("response")
            end["summary"]["usage"] = {
                str(slo.get("response_model") or model): {
                    "requests": 1,
                    "prompt_tokens": slo.get("prompt_tokens") or 0,
                    "completion_tokens": slo.get("completion_tokens") or 0,
                    "total_tokens": slo.get("total_tokens") or 0,
                }
            }
            if isinstance(slo.get("response_cost"), (int, float)):
                end["summary"]["litegate_response_cost"] = slo["response_cost"]
        return [{"mode": "start", "req": {"start": start}}, {"mode": "end", "req": {"end": end}}]

    def bodies(self, batch: list[Any]) -> list[Any]:
        return [{"batch": [item for slo in batch for item in self.calls(slo)]}]


# ==================================================================================== cost
class CostLogger(CustomLogger):
    """``"cost"``: the cost of every call at INFO on the ``litegate`` logger, and running totals
    (``total_cost``, ``calls``) on this object (``litegate.integrations.named("cost")``)."""

    env: tuple[str, ...] = ()

    def __init__(self) -> None:
        import threading

        self.total_cost = 0.0
        self.calls = 0
        self._lock = threading.Lock()

    @classmethod
    def from_env(cls) -> CostLogger:
        return cls()

    def log_success_event(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: datetime.datetime, end_time: datetime.datetime
    ) -> None:
        cost = kwargs.get("response_cost")
        with self._lock:
            self.calls += 1
            if isinstance(cost, (int, float)):
                self.total_cost += cost
            total = self.total_cost
        log.info(
            "litegate cost model=%s cost=%s total=%.6f",
            kwargs.get("model"),
            f"{cost:.6f}" if isinstance(cost, (int, float)) else "unknown",
            total,
        )

    async def async_log_success_event(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: datetime.datetime, end_time: datetime.datetime
    ) -> None:
        self.log_success_event(kwargs, response_obj, start_time, end_time)
