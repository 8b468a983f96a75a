"""A fake AWS Bedrock Runtime server (standard library only) that checks SigV4 signatures.

``FakeBedrockServer`` is a dialect of the fake-server base (same life cycle, recording, queueing
and transport faults as the other fake servers) and speaks Bedrock's wire format:

* ``POST /model/{modelId}/converse`` and ``/converse-stream`` (answers as
  ``application/vnd.amazon.eventstream`` binary frames: ``messageStart``, ``contentBlockStart``
  / ``Delta`` / ``Stop`` for text, reasoning and tool use, ``messageStop``, ``metadata``);
* ``POST /model/{modelId}/invoke`` and ``/invoke-with-response-stream``: Claude (an Anthropic
  Messages body with ``anthropic_version: bedrock-2023-05-31``, answered by the fake Anthropic
  server's planner; streamed as ``chunk`` events carrying base64 Anthropic events), Titan and
  Cohere embeddings, Stability (SDXL, SD3) and Titan / Nova Canvas images;
* ``POST /`` as AWS STS: ``AssumeRole`` (itself SigV4-signed, service ``sts``) and
  ``AssumeRoleWithWebIdentity`` answer XML with temporary credentials the server then accepts.

Every request must carry a valid signature: the server recomputes it from what it received
(method, path, query, the signed headers, the body hash, the credential scope) with the secret of
the access key id (``credentials={akid: secret}``), checks ``X-Amz-Date`` is within 15 minutes
and, for temporary credentials, the ``X-Amz-Security-Token``; failures answer 403 with
``InvalidSignatureException`` / ``UnrecognizedClientException`` / ``ExpiredTokenException`` /
``MissingAuthenticationTokenException`` like AWS. A Bedrock API key (``api_keys=``) is accepted
as ``Authorization: Bearer``. ``signatures_checked`` counts the signatures verified.

Requests are validated (roles alternate and start with ``user``, content blocks are single-member
unions of known members, tool use / result pairing, a ``toolConfig`` when tool blocks are used,
known ``inferenceConfig`` members) and refused with ``ValidationException``. Prompt caching is
simulated: the prefix up to the last ``cachePoint`` is reported as ``cacheWriteInputTokens`` the
first time, ``cacheReadInputTokens`` after.

``enqueue_error(status, code=...)`` (``x-amzn-ErrorType`` + ``{"message"}``), ``enqueue_reply``,
``enqueue_stream`` (dicts ``{"event": name, **payload}`` or bytes), ``enqueue_raw``,
``enqueue_fault`` (``reset``, ``stall``, ``cut_stream``, ``malformed_stream`` - a frame whose CRC
is wrong -, ``stream_error_event`` - a ``throttlingException`` frame -, ``no_done``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, quote

from . import _payloads as P
from ._server import Answer, Call, Events, FakeServerBase, Invalid, RecordedRequest, Route, Streams, _Raw

__all__ = [
    "FakeBedrockServer",
    "FakeSageMakerServer",
    "BEDROCK_FAULT_KINDS",
    "event_frame",
    "exception_frame",
    "DEFAULT_CREDENTIALS",
]

BEDROCK_FAULT_KINDS = frozenset({"reset", "stall", "cut_stream", "malformed_stream", "stream_error_event", "no_done"})
DEFAULT_CREDENTIALS = {"AKIDEXAMPLE": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
_AUTH = re.compile(
    r"AWS4-HMAC-SHA256 Credential=([^/,\s]+)/(\d{8})/([^/,\s]+)/([^/,\s]+)/aws4_request,\s*"
    r"SignedHeaders=([a-z0-9\-;]+),\s*Signature=([0-9a-f]{64})$"
)
_BLOCKS = frozenset(
    {
        "text",
        "image",
        "document",
        "video",
        "toolUse",
        "toolResult",
        "guardContent",
        "cachePoint",
        "reasoningContent",
        "citationsContent",
        "searchResult",
        "audio",
    }
)
_INFERENCE = frozenset({"maxTokens", "temperature", "topP", "stopSequences"})
_CONVERSE_FIELDS = frozenset(
    {
        "messages",
        "system",
        "inferenceConfig",
        "toolConfig",
        "guardrailConfig",
        "additionalModelRequestFields",
        "promptVariables",
        "additionalModelResponseFieldPaths",
        "requestMetadata",
        "performanceConfig",
        "serviceTier",
        "outputConfig",
    }
)
_STATUS_OF = {
    "ValidationException": 400,
    "AccessDeniedException": 403,
    "ResourceNotFoundException": 404,
    "ModelTimeoutException": 408,
    "ModelErrorException": 424,
    "ThrottlingException": 429,
    "ModelNotReadyException": 429,
    "ServiceQuotaExceededException": 400,
    "InternalServerException": 500,
    "ServiceUnavailableException": 503,
}
_CODE_OF = {
    400: "ValidationException",
    403: "AccessDeniedException",
    404: "ResourceNotFoundException",
    408: "ModelTimeoutException",
    424: "ModelErrorException",
    429: "ThrottlingException",
    500: "InternalServerException",
    503: "ServiceUnavailableException",
}
# a 1x1 PNG
PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


def _frame(headers: Mapping[str, str], payload: bytes) -> bytes:
    from ..providers.aws.eventstream import encode_message

    return encode_message(headers, payload)


def event_frame(event: str, payload: Any) -> bytes:
    """One ``event`` message of an event stream (the payload JSON-encoded unless bytes)."""
    body = payload if isinstance(payload, bytes) else P.dumps(payload)
    return _frame({":event-type": event, ":content-type": "application/json", ":message-type": "event"}, body)


def exception_frame(name: str, message: str) -> bytes:
    """One ``exception`` message (``:exception-type`` = ``name``, e.g. ``throttlingException``)."""
    return _frame(
        {":exception-type": name, ":content-type": "application/json", ":message-type": "exception"},
        P.dumps({"message": message}),
    )


def _encode_item(item: Any) -> bytes:
    if isinstance(item, (bytes, bytearray, memoryview)):
        return bytes(item)
    if isinstance(item, dict) and "event" in item:
        rest = {k: v for k, v in item.items() if k != "event"}
        return event_frame(str(item["event"]), rest)
    raise TypeError("a Bedrock stream item is bytes or a dict with an 'event' name")


def _corrupt(frame: bytes) -> bytes:
    return frame[:-1] + bytes([frame[-1] ^ 0xFF])


_MALFORMED = _corrupt(event_frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "x"}}))
_ERROR_FRAME = exception_frame("throttlingException", "Too many requests, please wait before trying again.")


# ---------------------------------------------------------------------------------------------- SigV4
def _hmac(key: bytes, msg: str) -> bytes:
    import hmac

    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def _raw_path(rec: RecordedRequest, call: Call) -> str:
    """The path as the client encoded it (the base decodes it): each segment re-encoded, the model
    id as one segment (an ARN's ``/`` was ``%2F``)."""
    model = call.params.get("model")
    if model is not None:
        op = rec.path.rsplit("/", 1)[1]
        return "/model/" + quote(model, safe="-_.~") + "/" + op
    return "/".join(quote(seg, safe="-_.~") for seg in rec.path.split("/")) or "/"


def expected_signature(
    rec: RecordedRequest, raw_path: str, secret: str, day: str, region: str, service: str, signed: list[str]
) -> str:
    """What the signature of ``rec`` must be (AWS's algorithm, computed independently of the client)."""
    import hmac

    lines = []
    for name in signed:
        value = rec.headers.get(name)
        if value is None:
            raise Invalid(f"signed header {name!r} is missing", 403)
        lines.append(f"{name}:{' '.join(value.split())}\n")
    query = "&".join(sorted(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in rec.query.items()))
    canonical = "\n".join(
        [
            rec.method,
            quote(raw_path, safe="/-_.~"),
            query,
            "".join(lines),
            ";".join(signed),
            hashlib.sha256(rec.body).hexdigest(),
        ]
    )
    amz_date = rec.headers.get("x-amz-date", "")
    to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            amz_date,
            f"{day}/{region}/{service}/aws4_request",
            hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
        ]
    )
    key = _hmac(("AWS4" + secret).encode("utf-8"), day)
    for part in (region, service, "aws4_request"):
        key = _hmac(key, part)
    return hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


# ---------------------------------------------------------------------------------------------- server
class FakeBedrockServer(FakeServerBase):
    """A Bedrock Runtime (and STS) server on 127.0.0.1 for tests, demos and benchmarks::

        with FakeBedrockServer() as srv:
            litegate.completion("bedrock/converse/amazon.nova-lite-v1:0", messages=[...],
                                aws_bedrock_runtime_endpoint=srv.url, aws_access_key_id="AKIDEXAMPLE",
                                aws_secret_access_key=DEFAULT_CREDENTIALS["AKIDEXAMPLE"], aws_region_name="us-east-1")

    ``credentials``: access key id -> secret accepted (default: AWS's documented example pair);
    ``region``: the region signatures must be scoped to (None: any); ``api_keys``: Bedrock API keys
    accepted as bearer tokens; ``web_identity_tokens``: tokens STS accepts; ``roles``: role ARNs
    STS may assume (None: any)."""

    routes = (
        Route(r"/model/(?P<model>.+)/(?P<op>converse|converse-stream|invoke|invoke-with-response-stream)", "_model"),
        Route(r"/", "_sts"),
    )
    fault_kinds = BEDROCK_FAULT_KINDS
    signing_service = "bedrock"  # the SigV4 service name requests must be scoped to
    streams = Streams(
        headers={"content-type": "application/vnd.amazon.eventstream"},
        encode=_encode_item,
        closing_event=None,
        malformed_event=_MALFORMED,
        error_event=_ERROR_FRAME,
    )

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        credentials: Mapping[str, str] | None = None,
        region: str | None = "us-east-1",
        api_keys: tuple[str, ...] = (),
        web_identity_tokens: tuple[str, ...] = (),
        roles: tuple[str, ...] | None = None,
        default_delay: float = 0.0,
        record: bool = True,
        sse_framing: str = "chunked",
        clock_skew: float = 900.0,
    ) -> None:
        super().__init__(host, port, default_delay=default_delay, record=record, sse_framing=sse_framing)
        self.credentials: dict[str, str] = dict(DEFAULT_CREDENTIALS if credentials is None else credentials)
        self.region = region
        self.api_keys = tuple(api_keys)
        self.web_identity_tokens = tuple(web_identity_tokens)
        self.roles = roles
        self.clock_skew = clock_skew
        self.tokens: dict[str, str] = {}  # temporary access key id -> its session token
        self.signatures_checked = 0
        self.sts_calls: list[str] = []
        self._cached_prefixes: set[str] = set()
        from .anthropic_server import FakeAnthropicServer

        self._claude = FakeAnthropicServer(record=False)  # its planner answers Claude bodies (never started)

    def reset(self) -> None:
        super().reset()
        self._cached_prefixes.clear()
        self.sts_calls.clear()
        self.signatures_checked = 0

    # -- queueing ------------------------------------------------------------------------------
    def enqueue_error(
        self,
        status: int = 429,
        count: int = 1,
        *,
        code: str | None = None,
        message: str | None = None,
        body: bytes | str | dict[str, Any] | None = None,
        headers: Mapping[str, str | None] | None = None,
        delay: float = 0.0,
        path: str | None = None,
    ) -> None:
        """Queue ``count`` AWS error answers: ``x-amzn-ErrorType: <code>`` and ``{"message"}``."""
        code = code or _CODE_OF.get(status, "InternalServerException" if status >= 500 else "ValidationException")
        defaults = {
            "content-type": "application/json",
            "x-amzn-errortype": f"{code}:http://internal.amazon.com/coral/",
            "x-amzn-requestid": self._next_id("req-"),
        }
        raw = {"message": message or f"{code} (fake)"} if body is None else body
        self._queue_response(status, raw, defaults, headers, count, delay, path)

    def enqueue_reply(
        self,
        content: str | None = "hello",
        tool_calls: list[Any] | None = None,
        stop_reason: str | None = None,
        usage: dict[str, Any] | None = None,
        delay: float = 0.0,
        model: str | None = None,
        *,
        reasoning: str | None = None,
        count: int = 1,
        path: str | None = None,
    ) -> None:
        """Queue a successful Converse answer (streamed on ``converse-stream``). ``usage`` uses
        Bedrock's names (``inputTokens`` ...)."""
        self._queue_reply(content, tool_calls, stop_reason, usage, delay, model, {"reasoning": reasoning}, count, path)

    def enqueue_stream(
        self,
        events: list[Any] | None = None,
        chunk_delay: float = 0.0,
        terminate: bool = True,
        cut_after: int | None = None,
        *,
        delay: float = 0.0,
        status: int = 200,
        headers: Mapping[str, str | None] | None = None,
        path: str | None = None,
        first_delay: float = 0.0,
        stall_after: int | None = None,
    ) -> None:
        """Queue an event stream: items are ``{"event": name, **payload}`` dicts or raw frame bytes."""
        self._queue_stream(
            events,
            chunk_delay,
            terminate,
            cut_after,
            delay,
            status,
            headers,
            path,
            first_delay=first_delay,
            stall_after=stall_after,
        )

    # -- answers ---------------------------------------------------------------------------------
    def _headers(self) -> dict[str, str] | None:
        return {"content-type": "application/json", "x-amzn-requestid": self._next_id("req-")}

    def _aws_error(self, status: int, code: str, message: str) -> _Raw:
        return _Raw(
            status,
            P.dumps({"message": message}),
            {
                "content-type": "application/json",
                "x-amzn-errortype": f"{code}:http://internal.amazon.com/coral/",
                "x-amzn-requestid": self._next_id("req-"),
            },
        )

    def _error(self, status: int, message: str) -> _Raw:
        return self._aws_error(status, _CODE_OF.get(status, "ValidationException"), message)

    def _not_found(self, rec: RecordedRequest) -> _Raw:
        return self._aws_error(404, "UnknownOperationException", f"no operation at {rec.method} {rec.path}")

    # -- auth ------------------------------------------------------------------------------------
    def _form(self, rec: RecordedRequest) -> dict[str, str]:
        return dict(parse_qsl(rec.body.decode("utf-8", "replace"), keep_blank_values=True))

    def _auth(self, call: Call) -> _Raw | None:
        rec = call.rec
        if (
            call.route is not None
            and call.route.handler == "_sts"
            and self._form(rec).get("Action") == "AssumeRoleWithWebIdentity"
        ):
            return None  # STS web identity calls are not signed
        auth = rec.headers.get("authorization", "")
        if auth.startswith("Bearer "):
            if auth[7:] in self.api_keys:
                return None
            return self._aws_error(
                403, "UnrecognizedClientException", "The security token included in the request is invalid."
            )
        if not auth:
            return self._aws_error(403, "MissingAuthenticationTokenException", "Missing Authentication Token")
        m = _AUTH.match(auth)
        if m is None:
            return self._aws_error(
                403,
                "IncompleteSignatureException",
                "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature'.",
            )
        akid, day, region, service, signed, signature = m.groups()
        secret = self.credentials.get(akid)
        if secret is None:
            return self._aws_error(
                403, "UnrecognizedClientException", "The security token included in the request is invalid."
            )
        if akid in self.tokens and rec.headers.get("x-amz-security-token") != self.tokens[akid]:
            return self._aws_error(
                403, "UnrecognizedClientException", "The security token included in the request is invalid."
            )
        want_service = "sts" if call.route is not None and call.route.handler == "_sts" else self.signing_service
        if service != want_service or (self.region is not None and region != self.region):
            return self._aws_error(
                403,
                "InvalidSignatureException",
                f"Credential should be scoped to a valid region and service {want_service!r}.",
            )
        names = signed.split(";")
        if "host" not in names or "x-amz-date" not in names:
            return self._aws_error(403, "InvalidSignatureException", "host and x-amz-date must be signed.")
        try:
            when = datetime.strptime(rec.headers.get("x-amz-date", ""), "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
        except ValueError:
            return self._aws_error(403, "IncompleteSignatureException", "X-Amz-Date is missing or malformed.")
        if when.strftime("%Y%m%d") != day:
            return self._aws_error(
                403, "InvalidSignatureException", "Date in Credential scope does not match X-Amz-Date."
            )
        if abs((datetime.now(timezone.utc) - when).total_seconds()) > self.clock_skew:
            return self._aws_error(
                403,
                "InvalidSignatureException",
                "Signature expired: the request time is too far from the current time.",
            )
        try:
            expected = expected_signature(rec, _raw_path(rec, call), secret, day, region, service, names)
        except Invalid as e:
            return self._aws_error(403, "InvalidSignatureException", str(e))
        if expected != signature:
            return self._aws_error(
                403,
                "InvalidSignatureException",
                "The request signature we calculated does not match the signature you provided. "
                "Check your AWS Secret Access Key and signing method.",
            )
        self.signatures_checked += 1
        return None

    # -- STS -------------------------------------------------------------------------------------
    def _sts(self, call: Call) -> Answer:
        form = self._form(call.rec)
        action = form.get("Action")
        self.sts_calls.append(str(action))
        if action not in ("AssumeRole", "AssumeRoleWithWebIdentity") or form.get("Version") != "2011-06-15":
            return self._sts_error(400, "InvalidAction", f"Could not find operation {action}")
        role = form.get("RoleArn") or ""
        if not role.startswith("arn:aws:iam::") or not form.get("RoleSessionName"):
            return self._sts_error(400, "ValidationError", "RoleArn and RoleSessionName are required")
        if self.roles is not None and role not in self.roles:
            return self._sts_error(403, "AccessDenied", f"Not authorized to perform sts:{action} on {role}")
        if action == "AssumeRoleWithWebIdentity" and form.get("WebIdentityToken") not in self.web_identity_tokens:
            return self._sts_error(400, "InvalidIdentityToken", "The web identity token is not valid")
        akid = "ASIA" + self._next_id("")[-12:].upper()
        secret = base64.b64encode(hashlib.sha256(akid.encode()).digest()).decode()[:40]
        token = "FwoGZXIvYXdzE" + hashlib.sha256(("tok" + akid).encode()).hexdigest()
        self.credentials[akid] = secret
        self.tokens[akid] = token
        expiry = (datetime.now(timezone.utc) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        xml = (
            f'<{action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><{action}Result><Credentials>'
            f"<AccessKeyId>{akid}</AccessKeyId><SecretAccessKey>{secret}</SecretAccessKey>"
            f"<SessionToken>{token}</SessionToken><Expiration>{expiry}</Expiration></Credentials>"
            f"</{action}Result></{action}Response>"
        )
        return _Raw(200, xml.encode(), {"content-type": "text/xml"})

    @staticmethod
    def _sts_error(status: int, code: str, message: str) -> _Raw:
        xml = (
            f'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
            f"<Code>{code}</Code><Message>{message}</Message></Error></ErrorResponse>"
        )
        return _Raw(status, xml.encode(), {"content-type": "text/xml"})

    # -- model operations ------------------------------------------------------------------------
    def _model(self, call: Call) -> Answer:
        model, op = call.params["model"], call.params["op"]
        body = call.rec.json
        if not isinstance(body, dict):
            raise Invalid("The request body is not a JSON object.")
        if op.startswith("converse"):
            plan = self._converse_plan(model, body, call)
            if op == "converse-stream":
                return self._converse_events(plan)
            return self._json(200, self._converse_message(plan))
        base = model.split(".", 1)[1] if model.split(".", 1)[0] in ("us", "eu", "apac", "global") else model
        if base.startswith("anthropic.claude"):
            return self._claude_invoke(model, body, call, op == "invoke-with-response-stream")
        if op != "invoke":
            raise Invalid(f"The model {model} does not support streaming.")
        if base.startswith(("amazon.titan-embed-text", "amazon.titan-embed-g1")):
            return self._titan_embedding(base, body)
        if base.startswith("cohere.embed"):
            return self._cohere_embedding(body)
        if base.startswith(("stability.", "amazon.titan-image", "amazon.nova-canvas")):
            return self._image(base, body)
        raise Invalid(f"The provided model identifier is invalid: {model}")

    # Converse
    def _check_converse(self, body: dict[str, Any]) -> None:
        extra = sorted(set(body) - _CONVERSE_FIELDS)
        if extra:
            raise Invalid(
                f"1 validation error detected: Value at '{extra[0]}' failed to satisfy constraint: "
                "Member must not be present"
            )
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise Invalid(
                "A conversation must start with a user message. Try again with a conversation that "
                "starts with a user message."
            )
        tool_blocks = False
        for i, msg in enumerate(messages):
            if not isinstance(msg, dict) or msg.get("role") not in ("user", "assistant"):
                raise Invalid(f"messages.{i}.role: must be 'user' or 'assistant'")
            if i == 0 and msg["role"] != "user":
                raise Invalid("A conversation must start with a user message.")
            if i and messages[i - 1].get("role") == msg["role"]:
                raise Invalid("A conversation must alternate between user and assistant roles.")
            content = msg.get("content")
            if not isinstance(content, list) or not content:
                raise Invalid(f"messages.{i}.content: must be a non-empty list of content blocks")
            for j, block in enumerate(content):
                if not isinstance(block, dict) or len(block) != 1 or next(iter(block)) not in _BLOCKS:
                    raise Invalid(
                        f"messages.{i}.content.{j}: a content block must have exactly one known member, "
                        f"got {sorted(block) if isinstance(block, dict) else block!r}"
                    )
                key = next(iter(block))
                if key in ("toolUse", "toolResult"):
                    tool_blocks = True
                if key == "text" and not str(block["text"]).strip():
                    raise Invalid("The text field in the ContentBlock object is blank.")
                if key == "toolResult":
                    prev = messages[i - 1]["content"] if i else []
                    ids = {b["toolUse"].get("toolUseId") for b in prev if isinstance(b, dict) and "toolUse" in b}
                    if block["toolResult"].get("toolUseId") not in ids:
                        raise Invalid(
                            "The toolUseId of a toolResult block must match a toolUse block of the previous turn."
                        )
                if key == "image":
                    img = block["image"]
                    if img.get("format") not in ("png", "jpeg", "gif", "webp"):
                        raise Invalid(f"messages.{i}.content.{j}.image.format: invalid value")
                    src = img.get("source") or {}
                    if "bytes" in src:
                        try:
                            base64.b64decode(src["bytes"], validate=True)
                        except (ValueError, TypeError):
                            raise Invalid("image bytes are not valid base64") from None
                if key == "document" and not (block["document"].get("name") and block["document"].get("source")):
                    raise Invalid(f"messages.{i}.content.{j}.document: name and source are required")
        if tool_blocks and not body.get("toolConfig"):
            raise Invalid("The toolConfig field must be defined when using toolUse and toolResult content blocks.")
        inference = body.get("inferenceConfig") or {}
        if set(inference) - _INFERENCE:
            raise Invalid(f"inferenceConfig: unknown member {sorted(set(inference) - _INFERENCE)[0]}")
        mt = inference.get("maxTokens")
        if mt is not None and (not isinstance(mt, int) or mt < 1):
            raise Invalid("inferenceConfig.maxTokens: must be >= 1")
        for j, block in enumerate(body.get("system") or []):
            if (
                not isinstance(block, dict)
                or len(block) != 1
                or next(iter(block)) not in ("text", "cachePoint", "guardContent")
            ):
                raise Invalid(f"system.{j}: must be a text, cachePoint or guardContent block")

    def _cache_usage(self, model: str, body: dict[str, Any]) -> dict[str, int]:
        segs: list[Any] = list((body.get("toolConfig") or {}).get("tools") or []) + list(body.get("system") or [])
        for msg in body["messages"]:
            segs.extend(msg["content"])
        total = P.count_tokens(json.dumps(segs)) // 2 + 3
        marks = [i for i, s in enumerate(segs) if isinstance(s, dict) and "cachePoint" in s]
        if not marks:
            return {"inputTokens": total, "cacheReadInputTokens": 0, "cacheWriteInputTokens": 0}
        prefix = segs[: max(marks) + 1]
        size = P.count_tokens(json.dumps(prefix)) // 2
        key = hashlib.sha256(P.dumps([model, prefix])).hexdigest()
        if key in self._cached_prefixes:
            return {"inputTokens": total - size, "cacheReadInputTokens": size, "cacheWriteInputTokens": 0}
        self._cached_prefixes.add(key)
        return {"inputTokens": total - size, "cacheReadInputTokens": 0, "cacheWriteInputTokens": size}

    def _converse_plan(self, model: str, body: dict[str, Any], call: Call) -> dict[str, Any]:
        self._check_converse(body)
        reply = call.reply
        messages = body["messages"]
        last = messages[-1]
        blocks: list[dict[str, Any]] = []
        additional = body.get("additionalModelRequestFields") or {}
        thinking = additional.get("thinking") if isinstance(additional, dict) else None
        user_text = (
            " ".join(str(b.get("text", "")) for b in last["content"] if "text" in b) if last["role"] == "user" else ""
        )
        reasoning = reply.custom.get("reasoning") if reply is not None and isinstance(reply.custom, dict) else None
        if reasoning is None and isinstance(thinking, dict) and thinking.get("type") == "enabled":
            reasoning = "The user asks: " + P._snippet(user_text) + ". Let me answer directly."
        if reasoning:
            sig = base64.b64encode(hashlib.sha256(reasoning.encode()).digest()[:12]).decode()
            blocks.append({"reasoningContent": {"reasoningText": {"text": reasoning, "signature": sig}}})
        stop: str | None = None
        calls: list[tuple[str, dict[str, Any], str | None]] = []
        text: str | None
        if reply is not None:
            text = reply.content
            calls = P.tool_call_objects(reply.tool_calls or [])
        else:
            tools = [t["toolSpec"] for t in (body.get("toolConfig") or {}).get("tools") or [] if "toolSpec" in t]
            choice = (body.get("toolConfig") or {}).get("toolChoice") or {"auto": {}}
            answered = any("toolResult" in b for b in last["content"])
            chosen: list[dict[str, Any]] = []
            if tools and "tool" in choice:
                chosen = [t for t in tools if t["name"] == choice["tool"].get("name")][:1]
                if not chosen:
                    raise Invalid(f"toolChoice names a tool that is not in toolConfig: {choice['tool'].get('name')}")
            elif tools and ("any" in choice or (not answered and re.search(r"\b(weather|call)", user_text, re.I))):
                low = user_text.lower()
                chosen = [t for t in tools if t["name"].lower() in low][:2] or tools[:1]
            calls = [(t["name"], P.example_value((t.get("inputSchema") or {}).get("json") or {}), None) for t in chosen]
            text = (
                None
                if calls
                else ("This is a fake reply to: " + P._snippet(user_text) if user_text else "This is a fake reply.")
            )
            inference = body.get("inferenceConfig") or {}
            if text:
                for seq in inference.get("stopSequences") or ():
                    pos = text.find(seq) if seq else -1
                    if pos >= 0:
                        text, stop = text[:pos], "stop_sequence"
                        break
                pieces = P.split_words(text)
                if inference.get("maxTokens") is not None and len(pieces) > inference["maxTokens"] and stop is None:
                    text, stop = "".join(pieces[: inference["maxTokens"]]), "max_tokens"
        if text:
            blocks.append({"text": text})
        for name, value, cid in calls:
            blocks.append({"toolUse": {"toolUseId": cid or self._next_id("tooluse_"), "name": name, "input": value}})
        if reply is not None and reply.finish_reason:
            stop = reply.finish_reason
        elif stop is None:
            stop = "tool_use" if calls else "end_turn"
        usage = self._cache_usage(model, body)
        out_tokens = sum(P.count_tokens(json.dumps(b)) for b in blocks)
        usage["outputTokens"] = max(1, out_tokens)
        if reply is not None and reply.usage:
            usage.update(reply.usage)
        usage["totalTokens"] = (
            usage["inputTokens"]
            + usage["outputTokens"]
            + usage.get("cacheReadInputTokens", 0)
            + usage.get("cacheWriteInputTokens", 0)
        )
        return {"blocks": blocks, "stop": stop, "usage": usage}

    @staticmethod
    def _converse_message(plan: dict[str, Any]) -> dict[str, Any]:
        return {
            "output": {"message": {"role": "assistant", "content": plan["blocks"]}},
            "stopReason": plan["stop"],
            "usage": plan["usage"],
            "metrics": {"latencyMs": 12},
        }

    @staticmethod
    def _converse_events(plan: dict[str, Any]) -> Events:
        out = [event_frame("messageStart", {"role": "assistant", "p": "abcdefgh"})]
        for index, block in enumerate(plan["blocks"]):
            if "text" in block:
                for piece in P.split_words(block["text"]):
                    out.append(
                        event_frame(
                            "contentBlockDelta", {"contentBlockIndex": index, "delta": {"text": piece}, "p": "abc"}
                        )
                    )
            elif "reasoningContent" in block:
                rt = block["reasoningContent"]["reasoningText"]
                for piece in P.split_words(rt["text"]):
                    out.append(
                        event_frame(
                            "contentBlockDelta",
                            {"contentBlockIndex": index, "delta": {"reasoningContent": {"text": piece}}},
                        )
                    )
                out.append(
                    event_frame(
                        "contentBlockDelta",
                        {"contentBlockIndex": index, "delta": {"reasoningContent": {"signature": rt["signature"]}}},
                    )
                )
            elif "toolUse" in block:
                tu = block["toolUse"]
                out.append(
                    event_frame(
                        "contentBlockStart",
                        {
                            "contentBlockIndex": index,
                            "start": {"toolUse": {"toolUseId": tu["toolUseId"], "name": tu["name"]}},
                        },
                    )
                )
                arguments = json.dumps(tu["input"], separators=(",", ":"), ensure_ascii=False)
                for piece in P.split_json(arguments):
                    out.append(
                        event_frame(
                            "contentBlockDelta", {"contentBlockIndex": index, "delta": {"toolUse": {"input": piece}}}
                        )
                    )
            out.append(event_frame("contentBlockStop", {"contentBlockIndex": index}))
        unfinished = list(out)
        out.append(event_frame("messageStop", {"stopReason": plan["stop"]}))
        out.append(event_frame("metadata", {"usage": plan["usage"], "metrics": {"latencyMs": 12}}))
        return Events(out, unfinished=unfinished)

    # Claude through InvokeModel
    def _claude_invoke(self, model: str, body: dict[str, Any], call: Call, stream: bool) -> Answer:
        from .anthropic_server import check_request

        if body.get("anthropic_version") != "bedrock-2023-05-31":
            raise Invalid("anthropic_version: must be 'bedrock-2023-05-31'")
        if "model" in body or "stream" in body:
            raise Invalid(f"extraneous key [{'model' if 'model' in body else 'stream'}] is not permitted")
        beta = body.get("anthropic_beta")
        if beta is not None and (not isinstance(beta, list) or not all(isinstance(b, str) for b in beta)):
            raise Invalid("anthropic_beta: must be a list of strings")
        messages_body = {k: v for k, v in body.items() if k not in ("anthropic_version", "anthropic_beta")}
        messages_body["model"] = model
        claude = self._claude
        turns = check_request(messages_body)
        plan = claude._plan(messages_body, turns, call.reply)
        msg_id = self._next_id("msg_bdrk_")
        if not stream:
            return self._json(200, claude._message(plan, msg_id))
        out = []
        events = claude._events(plan, msg_id)
        for raw in events:
            data = next(line[6:] for line in raw.decode("utf-8").split("\n") if line.startswith("data: "))
            obj = json.loads(data)
            if obj.get("type") == "ping":
                continue
            if obj.get("type") == "message_stop":
                u = plan.usage
                obj["amazon-bedrock-invocationMetrics"] = {
                    "inputTokenCount": u.get("input_tokens", 0),
                    "outputTokenCount": u.get("output_tokens", 0),
                    "invocationLatency": 12,
                    "firstByteLatency": 5,
                }
            out.append(event_frame("chunk", {"bytes": base64.b64encode(P.dumps(obj)).decode("ascii"), "p": "abcd"}))
        return Events(out)

    # embeddings
    def _titan_embedding(self, base: str, body: dict[str, Any]) -> Answer:
        text = body.get("inputText")
        if not isinstance(text, str) or not text:
            raise Invalid("Malformed input request: required key [inputText] not found")
        allowed = {"inputText"} | ({"dimensions", "normalize", "embeddingTypes"} if "v2" in base else set())
        if set(body) - allowed:
            raise Invalid(
                f"Malformed input request: extraneous key [{sorted(set(body) - allowed)[0]}] is not permitted"
            )
        dims = body.get("dimensions", 1024 if "v2" in base else 1536)
        if dims not in (256, 512, 1024, 1536):
            raise Invalid("dimensions: must be 256, 512 or 1024")
        return self._json(
            200, {"embedding": P.embedding_vector(text, dims), "inputTextTokenCount": P.count_tokens(text)}
        )

    def _cohere_embedding(self, body: dict[str, Any]) -> Answer:
        texts = body.get("texts")
        if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
            raise Invalid("Malformed input request: texts must be a non-empty list of strings")
        if body.get("input_type") not in ("search_document", "search_query", "classification", "clustering"):
            raise Invalid("Malformed input request: input_type is required")
        vectors = [P.embedding_vector(t, 1024) for t in texts]
        types = body.get("embedding_types")
        if types:
            return self._json(
                200,
                {
                    "id": self._next_id("emb-"),
                    "embeddings": {t: vectors for t in types},
                    "texts": texts,
                    "response_type": "embeddings_by_type",
                },
            )
        return self._json(
            200,
            {"id": self._next_id("emb-"), "embeddings": vectors, "texts": texts, "response_type": "embeddings_floats"},
        )

    # images
    def _image(self, base: str, body: dict[str, Any]) -> Answer:
        if base.startswith("stability.stable-diffusion-xl"):
            prompts = body.get("text_prompts")
            if (
                not isinstance(prompts, list)
                or not prompts
                or not all(isinstance(p, dict) and p.get("text") for p in prompts)
            ):
                raise Invalid("text_prompts: required, a list of {text, weight}")
            for key, lo, hi in (
                ("height", 128, 1536),
                ("width", 128, 1536),
                ("cfg_scale", 0, 35),
                ("steps", 10, 150),
                ("seed", 0, 4294967295),
                ("samples", 1, 1),
            ):
                value = body.get(key)
                if value is not None and (not isinstance(value, (int, float)) or not lo <= value <= hi):
                    raise Invalid(f"{key}: must be between {lo} and {hi}")
            seed = int(body.get("seed", 0))
            return self._json(
                200, {"result": "success", "artifacts": [{"seed": seed, "base64": PNG_B64, "finishReason": "SUCCESS"}]}
            )
        if base.startswith("stability."):
            if not isinstance(body.get("prompt"), str) or not body["prompt"]:
                raise Invalid("prompt: required")
            return self._json(200, {"seeds": [int(body.get("seed", 0))], "finish_reasons": [None], "images": [PNG_B64]})
        if body.get("taskType") != "TEXT_IMAGE" or not (body.get("textToImageParams") or {}).get("text"):
            raise Invalid("taskType TEXT_IMAGE and textToImageParams.text are required")
        n = int((body.get("imageGenerationConfig") or {}).get("numberOfImages", 1))
        if not 1 <= n <= 5:
            raise Invalid("numberOfImages: must be between 1 and 5")
        return self._json(200, {"images": [PNG_B64] * n, "error": None})


class FakeSageMakerServer(FakeBedrockServer):
    """SageMaker Runtime endpoints running the Text Generation Inference container, with the same
    SigV4 checks (service ``sagemaker``) and STS as :class:`FakeBedrockServer`:

    * ``POST /endpoints/{name}/invocations``: TGI's compat body -> ``[GenerateResponse]``;
    * ``POST /endpoints/{name}/invocations-response-stream`` (``"stream": true``): the container's
      SSE token events carried in ``PayloadPart`` event-stream messages, cut every ``part_size``
      bytes (a part may end mid-event, as on the real service).

    ``endpoints``: the endpoint names that exist (None: any)."""

    routes = (
        Route(r"/endpoints/(?P<endpoint>[^/]+)/(?P<op>invocations|invocations-response-stream)", "_invoke"),
        Route(r"/", "_sts"),
    )
    signing_service = "sagemaker"

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        part_size: int = 40,
        endpoints: tuple[str, ...] | None = None,
        credentials: Mapping[str, str] | None = None,
        region: str | None = "us-east-1",
        api_keys: tuple[str, ...] = (),
        web_identity_tokens: tuple[str, ...] = (),
        roles: tuple[str, ...] | None = None,
        default_delay: float = 0.0,
        record: bool = True,
        sse_framing: str = "chunked",
        clock_skew: float = 900.0,
    ) -> None:
        super().__init__(
            host,
            port,
            credentials=credentials,
            region=region,
            api_keys=api_keys,
            web_identity_tokens=web_identity_tokens,
            roles=roles,
            default_delay=default_delay,
            record=record,
            sse_framing=sse_framing,
            clock_skew=clock_skew,
        )
        self.part_size = part_size
        self.endpoints = endpoints
        from .huggingface_server import FakeHuggingFaceServer

        self._tgi = FakeHuggingFaceServer(record=False)  # its TGI planner answers (never started)

    def _invoke(self, call: Call) -> Answer:
        name = call.params["endpoint"]
        if self.endpoints is not None and name not in self.endpoints:
            return self._aws_error(400, "ValidationError", f"Endpoint {name} of account 123456789012 not found.")
        body = call.rec.json
        try:
            if call.params["op"] == "invocations-response-stream":
                if not isinstance(body, dict) or body.get("stream") is not True:
                    raise Invalid('the streaming route needs "stream": true')
                raw = b"".join(self._tgi._generate_stream(call).events)
                parts = [raw[i : i + self.part_size] for i in range(0, len(raw), self.part_size)]
                return Events(
                    [event_frame("PayloadPart", {"Bytes": base64.b64encode(p).decode("ascii")}) for p in parts]
                )
            plan = self._tgi._plan(body, call)
        except Invalid as e:  # the container's error, wrapped by SageMaker as ModelError
            return self._aws_error(
                424,
                "ModelError",
                f"Received client error ({e.status}) from primary with message "
                f'"{{"error":"{e}","error_type":"validation"}}"',
            )
        details = {"finish_reason": plan["reason"], "generated_tokens": len(plan["pieces"]), "seed": plan["seed"]}
        return self._json(200, [{"generated_text": plan["text"], "details": details}])
