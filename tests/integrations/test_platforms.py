"""The HTTP integrations against a fake ingestion server over real sockets: each platform gets
its documented request shape (validated against the platform's published schema, extracted
under tests/fixtures/observability/), the call's facts, its auth header, and nothing secret."""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path

import pytest

import litegate
from litegate.testing import FakeIngestionServer

MODEL = "openai/gpt-4o-mini"
KEY = "sk-provider-secret-abcdef0123456789"
MSGS = [{"role": "user", "content": "tell me the secret recipe"}]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "observability"

PLATFORM_KEYS = {
    "LANGFUSE_PUBLIC_KEY": "pk-lf-public-123",
    "LANGFUSE_SECRET_KEY": "sk-lf-secret-platform-456",
    "LANGSMITH_API_KEY": "lsv2_pt_secretlangsmith0123456789",
    "LANGSMITH_PROJECT": "proj-x",
    "HELICONE_API_KEY": "sk-helicone-secret-0123456789",
    "PROMPTLAYER_API_KEY": "pl_secret_0123456789abcdef",
    "ATHINA_API_KEY": "athina-secret-0123456789",
    "LUNARY_PUBLIC_KEY": "lunary-public-0123456789",
    "SUPABASE_KEY": "supabase-service-key-0123456789",
    "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE0000001",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    "AWS_REGION_NAME": "us-east-1",
    "DYNAMODB_TABLE_NAME": "litegate-logs",
}

SECRETS = (
    "LANGFUSE_SECRET_KEY",
    "LANGSMITH_API_KEY",
    "HELICONE_API_KEY",
    "PROMPTLAYER_API_KEY",
    "ATHINA_API_KEY",
    "LUNARY_PUBLIC_KEY",
    "SUPABASE_KEY",
    "AWS_SECRET_ACCESS_KEY",
)


@pytest.fixture
def ingest(monkeypatch):
    with FakeIngestionServer() as srv:
        for name, value in PLATFORM_KEYS.items():
            monkeypatch.setenv(name, value)
        for name in (
            "LANGFUSE_HOST",
            "LANGSMITH_ENDPOINT",
            "HELICONE_API_BASE",
            "PROMPTLAYER_API_BASE",
            "ATHINA_BASE_URL",
            "LUNARY_API_URL",
            "SUPABASE_URL",
            "AWS_ENDPOINT_URL_DYNAMODB",
        ):
            monkeypatch.setenv(name, srv.url)
        monkeypatch.setenv("LITEGATE_WEBHOOK_URL", srv.url + "/hook/litegate")
        yield srv


def _validator(platform: str, schema: str):
    import jsonschema  # a "test" extra, loaded when these tests run

    doc = json.loads((FIXTURES / f"{platform}-schemas.json").read_text())
    root = {"$ref": f"#/components/schemas/{schema}", "components": doc["components"]}
    return jsonschema.Draft202012Validator(root)


def _call(server, names, **extra):
    litegate.success_callback = list(names)
    litegate.failure_callback = list(names)
    extra.setdefault("metadata", {"user_id": "u-1", "session_id": "s-1", "tags": ["t1"]})
    return litegate.completion(model=MODEL, messages=MSGS, api_base=server.base_url, api_key=KEY, **extra)


def _fail(server, names):
    litegate.success_callback = list(names)
    litegate.failure_callback = list(names)
    server.enqueue_error(status=429)
    with pytest.raises(litegate.RateLimitError):
        litegate.completion(model=MODEL, messages=MSGS, api_base=server.base_url, api_key=KEY, num_retries=0)


def _no_secret(rec) -> None:
    text = rec.body.decode()
    assert KEY not in text
    for name in SECRETS:
        assert PLATFORM_KEYS[name] not in text, name


def _flush():
    assert litegate.flush_callbacks(timeout=10)


def _otlp_attrs(items: list) -> dict:
    out = {}
    for item in items:
        ((kind, v),) = item["value"].items()
        out[item["key"]] = [next(iter(x.values())) for x in v["values"]] if kind == "arrayValue" else v
    return out


def test_langfuse_otel_spans(server, ingest, fast_backoff):
    resp = _call(server, ["langfuse"], temperature=0.2)
    server.enqueue_error(status=500)  # retried once, then answered
    _call(server, ["langfuse"], num_retries=1)
    _fail(server, ["langfuse"])
    _flush()
    (rec,) = ingest.requests_for("langfuse-otel")
    assert not ingest.requests_for("langfuse")  # the retired legacy API is not used by default
    user, password = base64.b64decode(rec.header("authorization").split(" ", 1)[1]).decode().split(":")
    assert (user, password) == (PLATFORM_KEYS["LANGFUSE_PUBLIC_KEY"], PLATFORM_KEYS["LANGFUSE_SECRET_KEY"])
    assert rec.header("content-type") == "application/json"
    import jsonschema

    doc = json.loads((FIXTURES / "langfuse-schemas.json").read_text())
    jsonschema.Draft202012Validator({**doc["otel_request_body"], "components": doc["components"]}).validate(rec.json)
    (resource,) = rec.json["resourceSpans"]
    assert _otlp_attrs(resource["resource"]["attributes"])["service.name"] == "litegate"
    (scope,) = resource["scopeSpans"]
    assert scope["scope"]["name"] == "litegate"
    ok, retried, failed = scope["spans"]
    for sp in (ok, retried, failed):
        assert len(sp["traceId"]) == 32 and len(sp["spanId"]) == 16 and int(sp["spanId"], 16)
        assert sp["kind"] == 3 and sp["name"] == "chat gpt-4o-mini"
        assert int(sp["startTimeUnixNano"]) <= int(sp["endTimeUnixNano"])
    a = _otlp_attrs(ok["attributes"])
    assert a["gen_ai.operation.name"] == "chat" and a["gen_ai.provider.name"] == "openai"
    assert a["gen_ai.request.model"] == "gpt-4o-mini" and a["gen_ai.request.temperature"] == 0.2
    assert a["gen_ai.usage.input_tokens"] == resp.usage.prompt_tokens
    assert a["gen_ai.usage.output_tokens"] == resp.usage.completion_tokens
    assert a["gen_ai.response.finish_reasons"] == ["stop"]
    assert json.loads(a["gen_ai.input.messages"]) == [
        {"role": "user", "parts": [{"type": "text", "content": MSGS[0]["content"]}]}
    ]
    assert json.loads(a["gen_ai.output.messages"])[0]["parts"][0]["content"] == resp.choices[0].message.content
    assert a["user.id"] == "u-1" and a["session.id"] == "s-1"
    assert ok["status"] == {"code": 0}
    assert [e["name"] for e in retried["events"]] == ["litegate.retry"]
    assert _otlp_attrs(retried["events"][0]["attributes"])["attempt"] == 1
    assert failed["status"]["code"] == 2 and "RateLimitError" in failed["status"]["message"]
    assert _otlp_attrs(failed["attributes"])["error.type"] == "RateLimitError"
    assert len({sp["spanId"] for sp in (ok, retried, failed)}) == 3
    _no_secret(rec)


def test_langfuse_legacy_ingestion_api(server, ingest, monkeypatch):
    monkeypatch.setenv("LITEGATE_LANGFUSE_API", "ingestion")
    resp = _call(server, ["langfuse"])
    _fail(server, ["langfuse"])
    _flush()
    (rec,) = ingest.requests_for("langfuse")  # both calls in one batch
    user, password = base64.b64decode(rec.header("authorization").split(" ", 1)[1]).decode().split(":")
    assert (user, password) == (PLATFORM_KEYS["LANGFUSE_PUBLIC_KEY"], PLATFORM_KEYS["LANGFUSE_SECRET_KEY"])
    batch = rec.json["batch"]
    validate = _validator("langfuse", "IngestionEvent")
    for event in batch:
        validate.validate(event)
    assert [e["type"] for e in batch] == ["trace-create", "generation-create"] * 2
    assert len({e["id"] for e in batch}) == 4
    trace, gen = batch[0]["body"], batch[1]["body"]
    assert gen["traceId"] == trace["id"]
    assert trace["userId"] == "u-1" and trace["sessionId"] == "s-1" and trace["tags"] == ["t1"]
    assert gen["model"] == "gpt-4o-mini" and gen["input"] == MSGS
    assert gen["output"]["content"] == resp.choices[0].message.content
    assert gen["usageDetails"] == {
        "input": resp.usage.prompt_tokens,
        "output": resp.usage.completion_tokens,
        "total": resp.usage.total_tokens,
    }
    assert gen["costDetails"]["total"] == pytest.approx(resp._hidden_params["response_cost"])
    assert gen["startTime"] <= gen["endTime"] and gen["level"] == "DEFAULT"
    failed = batch[3]["body"]
    assert failed["level"] == "ERROR" and failed["statusMessage"]
    assert "usageDetails" not in failed
    _no_secret(rec)


def test_langsmith_runs_batch(server, ingest):
    resp = _call(server, ["langsmith"], temperature=0.1)
    _flush()
    (rec,) = ingest.requests_for("langsmith")
    assert rec.header("x-api-key") == PLATFORM_KEYS["LANGSMITH_API_KEY"]
    (run,) = rec.json["post"]
    _validator("langsmith", "runs.Run").validate(run)
    assert run["run_type"] == "llm" and run["session_name"] == "proj-x"
    assert run["trace_id"] == run["id"] and run["dotted_order"].endswith(run["id"])
    stamp = run["dotted_order"][: -len(run["id"])]
    assert len(stamp) == len("20250101T000000000000Z") and stamp.endswith("Z") and stamp[8] == "T"
    assert run["inputs"] == {"messages": MSGS}
    assert run["outputs"]["choices"][0]["message"]["content"] == resp.choices[0].message.content
    assert run["outputs"]["usage_metadata"]["input_tokens"] == resp.usage.prompt_tokens
    assert run["extra"]["invocation_params"] == {"temperature": 0.1}
    assert run["extra"]["metadata"]["user_id"] == "u-1"
    _no_secret(rec)


def test_helicone_typed_log(server, ingest):
    resp = _call(server, ["helicone"])
    _fail(server, ["helicone"])
    _flush()
    recs = ingest.requests_for("helicone")
    assert len(recs) == 2
    validate = _validator("helicone", "TypedAsyncLogModel")
    for rec in recs:
        assert rec.header("authorization") == "Bearer " + PLATFORM_KEYS["HELICONE_API_KEY"]
        validate.validate(rec.json)
        _no_secret(rec)
    ok, bad = recs[0].json, recs[1].json
    assert ok["provider"] == "OPENAI"
    assert ok["providerRequest"]["json"]["messages"] == MSGS
    assert ok["providerResponse"]["status"] == 200
    assert ok["providerResponse"]["json"]["usage"]["total_tokens"] == resp.usage.total_tokens
    assert bad["providerResponse"]["status"] == 429


def test_promptlayer_log_request(server, ingest):
    resp = _call(server, ["promptlayer"])
    _fail(server, ["promptlayer"])
    _flush()
    ok_rec, bad_rec = ingest.requests_for("promptlayer")
    validate = _validator("promptlayer", "LogRequest")
    for rec in (ok_rec, bad_rec):
        assert rec.header("x-api-key") == PLATFORM_KEYS["PROMPTLAYER_API_KEY"]
        validate.validate(rec.json)
        _no_secret(rec)
    ok = ok_rec.json
    assert ok["input"] == {
        "type": "chat",
        "messages": [{"role": "user", "content": [{"type": "text", "text": MSGS[0]["content"]}]}],
    }
    assert ok["output"]["messages"][0]["content"][0]["text"] == resp.choices[0].message.content
    assert ok["input_tokens"] == resp.usage.prompt_tokens and ok["status"] == "SUCCESS"
    assert all(isinstance(v, str) for v in ok["metadata"].values())
    bad = bad_rec.json
    assert bad["status"] == "ERROR" and bad["error_type"] == "PROVIDER_RATE_LIMIT"


def test_athina_inference_success_and_failure(server, ingest):
    resp = _call(server, ["athina"])
    _fail(server, ["athina"])
    _flush()
    rec, failed = ingest.requests_for("athina")
    doc = json.loads((FIXTURES / "athina-logging-attributes.json").read_text())
    for r in (rec, failed):
        assert r.header("athina-api-key") == PLATFORM_KEYS["ATHINA_API_KEY"]
        assert set(doc["required"]) <= set(r.json) <= set(doc["fields"])
        assert None not in r.json.values()
        _no_secret(r)
    body = rec.json
    assert body["language_model_id"] == "gpt-4o-mini" and body["prompt"] == MSGS and body["status_code"] == 200
    assert body["prompt_tokens"] == resp.usage.prompt_tokens and body["total_tokens"] == resp.usage.total_tokens
    assert isinstance(body["response_time"], int) and body["session_id"] == "s-1" and "error" not in body
    bad = failed.json
    assert "RateLimitError" in bad["error"]
    assert bad["status_code"] == 429 and bad["response"] == "" and bad["prompt"] == MSGS


def test_lunary_start_and_end_events(server, ingest):
    resp = _call(server, ["lunary"])
    _fail(server, ["lunary"])
    _flush()
    (rec,) = ingest.requests_for("lunary")
    assert rec.header("authorization") == "Bearer " + PLATFORM_KEYS["LUNARY_PUBLIC_KEY"]
    events = rec.json["events"]
    assert [(e["type"], e["event"]) for e in events] == [
        ("llm", "start"),
        ("llm", "end"),
        ("llm", "start"),
        ("llm", "error"),
    ]
    start, end = events[0], events[1]
    assert start["runId"] == end["runId"] and start["name"] == "gpt-4o-mini" and start["input"] == MSGS
    assert end["output"]["content"] == resp.choices[0].message.content
    assert end["tokensUsage"] == {"prompt": resp.usage.prompt_tokens, "completion": resp.usage.completion_tokens}
    assert events[3]["error"]["message"]
    props = json.loads((FIXTURES / "lunary-schemas.json").read_text())["components"]["schemas"]["Event"]["properties"]
    for e in events:
        assert set(e) <= set(props)  # only documented fields
        assert e["type"] in props["type"]["enum"]
    _no_secret(rec)


def test_supabase_rows(server, ingest, monkeypatch):
    monkeypatch.setenv("SUPABASE_URL", ingest.url)
    resp = _call(server, ["supabase"])
    _flush()
    (rec,) = ingest.requests_for("supabase")
    assert rec.path == "/rest/v1/request_logs"
    assert rec.header("apikey") == PLATFORM_KEYS["SUPABASE_KEY"]
    assert rec.header("authorization") == "Bearer " + PLATFORM_KEYS["SUPABASE_KEY"]
    assert rec.header("prefer") == "return=minimal"
    (row,) = rec.json
    assert row["model"] == "gpt-4o-mini" and row["status"] == "success"
    assert row["total_tokens"] == resp.usage.total_tokens and row["messages"] == MSGS
    _no_secret(rec)


def test_dynamodb_batch_write_is_signed(server, ingest):
    from botocore.auth import SigV4Auth  # botocore is in the "test" extra: it checks the signature
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    resp = _call(server, ["dynamodb"])
    _flush()
    (rec,) = ingest.requests_for("dynamodb")
    assert rec.header("x-amz-target") == "DynamoDB_20120810.BatchWriteItem"
    assert rec.header("content-type") == "application/x-amz-json-1.0"
    (put,) = rec.json["RequestItems"]["litegate-logs"]
    item = put["PutRequest"]["Item"]
    assert item["model"] == {"S": "gpt-4o-mini"}
    assert item["total_tokens"] == {"N": str(resp.usage.total_tokens)}
    assert json.loads(item["messages"]["S"]) == MSGS
    # the signature verifies with botocore's signer over the same request
    auth = rec.header("authorization")
    signed = auth.split("SignedHeaders=")[1].split(",")[0].split(";")
    req = AWSRequest(
        method="POST",
        url=ingest.url + "/",
        data=rec.body,
        headers={h: rec.header(h) for h in signed if h != "x-amz-date"},
    )
    req.context["timestamp"] = rec.header("x-amz-date")
    SigV4Auth(
        Credentials(PLATFORM_KEYS["AWS_ACCESS_KEY_ID"], PLATFORM_KEYS["AWS_SECRET_ACCESS_KEY"]), "dynamodb", "us-east-1"
    ).add_auth(req)
    assert req.headers["Authorization"].split("Signature=")[1] == auth.split("Signature=")[1]
    _no_secret(rec)


def test_webhook_gets_standard_logging_objects(server, ingest):
    resp = _call(server, ["webhook"])
    _fail(server, ["webhook"])
    _flush()
    (rec,) = ingest.requests_for("webhook")
    assert rec.path == "/hook/litegate"
    ok, bad = rec.json
    assert ok["status"] == "success" and ok["total_tokens"] == resp.usage.total_tokens
    assert ok["response_cost"] == pytest.approx(resp._hidden_params["response_cost"])
    assert bad["status"] == "failure" and bad["error_information"]["error_class"] == "RateLimitError"
    _no_secret(rec)


def test_no_message_content_is_sent_when_message_logging_is_off(server, ingest):
    litegate.turn_off_message_logging = True
    names = ["langfuse", "langsmith", "helicone", "promptlayer", "athina", "lunary", "supabase", "webhook"]
    field = {
        "langfuse": "gen_ai.usage.output_tokens",
        "langsmith": "output_tokens",
        "helicone": "completion_tokens",
        "promptlayer": "output_tokens",
        "athina": "completion_tokens",
        "lunary": "completion",
        "supabase": "completion_tokens",
        "webhook": "completion_tokens",
    }
    resp = _call(server, names)
    _flush()
    answer = resp.choices[0].message.content
    for name in names:
        (rec,) = ingest.requests_for("langfuse-otel" if name == "langfuse" else name)
        text = rec.body.decode()
        assert "secret recipe" not in text, name
        assert answer not in text, name
        fact = (
            f'"{field[name]}","value":{{"intValue":{resp.usage.completion_tokens}}}'
            if name == "langfuse"
            else f'"{field[name]}":{resp.usage.completion_tokens}'
        )
        assert fact in text, name  # the facts are still sent


def test_a_key_in_metadata_is_masked(server, ingest):
    _call(server, ["webhook"], metadata={"note": f"debug with {KEY}"})
    _flush()
    (rec,) = ingest.requests_for("webhook")
    assert KEY not in rec.body.decode()


def test_missing_variable_is_one_warning_naming_it(server, monkeypatch, caplog):
    monkeypatch.delenv("LANGFUSE_PUBLIC_KEY", raising=False)
    monkeypatch.delenv("LANGFUSE_SECRET_KEY", raising=False)
    with caplog.at_level(logging.WARNING, logger="litegate"):
        for _ in range(3):
            _call(server, ["langfuse"])
    hits = [r.getMessage() for r in caplog.records if "langfuse" in r.getMessage()]
    assert len(hits) == 1 and "LANGFUSE_PUBLIC_KEY" in hits[0]


def test_weights_biases_weave_calls(server, ingest, monkeypatch):
    monkeypatch.setenv("WANDB_API_KEY", "wandb-secret-key-0123456789")
    monkeypatch.setenv("WANDB_ENTITY", "team-x")
    monkeypatch.setenv("WANDB_PROJECT", "proj-y")
    monkeypatch.setenv("WF_TRACE_SERVER_URL", ingest.url)
    resp = _call(server, ["weights_biases"])
    _fail(server, ["weights_biases"])
    _flush()
    (rec,) = ingest.requests_for("weights_biases")
    assert rec.header("authorization") == "Basic " + base64.b64encode(b"api:wandb-secret-key-0123456789").decode()
    doc = json.loads((FIXTURES / "weave-call-schemas.json").read_text())
    batch = rec.json["batch"]
    assert [i["mode"] for i in batch] == ["start", "end", "start", "end"]
    for item in batch:
        body = item["req"][item["mode"]]
        assert set(doc[item["mode"]]["required"]) <= set(body) <= set(doc[item["mode"]]["properties"])
        assert body["project_id"] == "team-x/proj-y"
    start, end, _, fail_end = (i["req"][i["mode"]] for i in batch)
    assert start["id"] == end["id"] and start["inputs"]["messages"] == MSGS and start["display_name"] == "gpt-4o-mini"
    assert end["output"]["choices"][0]["message"]["content"] == resp.choices[0].message.content
    (usage,) = end["summary"]["usage"].values()
    assert usage["prompt_tokens"] == resp.usage.prompt_tokens and usage["total_tokens"] == resp.usage.total_tokens
    assert "exception" not in end and "RateLimitError" in fail_end["exception"]
    assert "wandb-secret-key-0123456789" not in rec.body.decode()
    _no_secret(rec)


def test_weights_biases_without_its_variables_is_one_clear_warning(server, monkeypatch, caplog):
    for name in ("WANDB_API_KEY", "WANDB_PROJECT", "WANDB_ENTITY"):
        monkeypatch.delenv(name, raising=False)
    with caplog.at_level(logging.WARNING, logger="litegate"):
        _call(server, ["weights_biases"])
        _call(server, ["weights_biases"])
    hits = [r.getMessage() for r in caplog.records if "WANDB_API_KEY" in r.getMessage()]
    assert len(hits) == 1


def test_cost_logger_keeps_totals(server, caplog):
    with caplog.at_level(logging.INFO, logger="litegate"):
        r1 = _call(server, ["cost"])
        r2 = _call(server, ["cost"])
    cost = litegate.integrations.named("cost")
    assert cost.calls == 2
    assert cost.total_cost == pytest.approx(r1._hidden_params["response_cost"] + r2._hidden_params["response_cost"])
    assert sum("litegate cost" in r.getMessage() for r in caplog.records) == 2


def test_a_retry_resends_only_what_was_not_accepted(server, ingest, monkeypatch):
    import litegate.integrations.delivery as delivery

    monkeypatch.setattr(delivery.time, "sleep", lambda s: None)
    _call(server, ["helicone"])
    _call(server, ["helicone"])
    ingest.enqueue_statuses([200, 503])  # the first log is taken, the second refused once
    _flush()
    recs = ingest.requests_for("helicone")
    ids = [r.json["providerRequest"]["meta"]["litegate_call_id"] for r in recs]
    assert len(ids) == 3 and ids[0] != ids[1] and ids[1] == ids[2]
    assert litegate.integrations.named("helicone").shipper.sent == 2


def test_dynamodb_resends_only_the_unprocessed_items(server, ingest, monkeypatch):
    import litegate.integrations.delivery as delivery

    waits = []
    monkeypatch.setattr(delivery.time, "sleep", waits.append)
    litegate.success_callback = ["dynamodb"]
    ids = [_call(server, ["dynamodb"]).id for _ in range(3)]
    assert len(set(ids)) == 3
    ingest.leave_unprocessed([2, 1])  # the table throttles 2 of 3 items, then 1 of the 2 resent
    _flush()
    recs = ingest.requests_for("dynamodb")
    sent = [[p["PutRequest"]["Item"]["request_id"]["S"] for p in r.json["RequestItems"]["litegate-logs"]] for r in recs]
    assert [len(s) for s in sent] == [3, 2, 1]
    assert sent[1] == sent[0][1:] and sent[2] == sent[1][1:]  # only what was left, never a duplicate
    assert len(waits) == 2 and all(w > 0 for w in waits)  # a backoff before each resend
    shipper = litegate.integrations.named("dynamodb").shipper
    assert shipper.sent == 3 and shipper.failed == 0
    for rec in recs:  # each resend is signed again
        assert rec.header("authorization").startswith("AWS4-HMAC-SHA256 ")


def test_dynamodb_gives_up_after_bounded_retries(server, ingest, monkeypatch):
    import litegate.integrations.delivery as delivery

    monkeypatch.setattr(delivery.time, "sleep", lambda s: None)
    _call(server, ["dynamodb"])
    ingest.leave_unprocessed([1] * 50)  # a table that never takes the item
    _flush()
    assert len(ingest.requests_for("dynamodb")) == delivery.RETRIES + 1
    assert litegate.integrations.named("dynamodb").shipper.failed == 1
