"""The OpenAI platform endpoints of ``FakeOpenAIServer``: audio, files, batches, fine-tuning and
assistants v2 (shapes as the openai SDK's typed models read them).

Uploads are checked as multipart/form-data (boundary, part headers, filename and content type,
the ``content-length`` the client announced); the state (files, batches, jobs, assistants,
threads, messages, runs) lives in the server's memory. A batch completes when it is first
retrieved: its output file answers every request line the way the chat route would.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import TYPE_CHECKING, Any

from . import _payloads as P
from ._server import Answer, Call, Events, Route, _Raw

if TYPE_CHECKING:
    from ._server import FakeServerBase

    class _Host(FakeServerBase):
        """What the mixin uses of the server it is mixed into (``FakeOpenAIServer``)."""

        def _new_call_id(self) -> str: ...

else:
    _Host = object

_A = r"(?:/openai/deployments/[^/]+)?.*"  # any base path (/v1, Azure's /openai)

PLATFORM_ROUTES = (
    Route(_A + r"/audio/transcriptions", "_p_transcriptions"),
    Route(_A + r"/audio/translations", "_p_transcriptions"),
    Route(_A + r"/audio/speech", "_p_speech"),
    Route(_A + r"/files/(?P<file_id>[^/]+)/content", "_p_file_content", ("GET",)),
    Route(_A + r"/files/(?P<file_id>[^/]+)", "_p_file", ("GET", "DELETE")),
    Route(_A + r"/files", "_p_files", ("GET", "POST")),
    Route(_A + r"/batches/(?P<batch_id>[^/]+)/cancel", "_p_batch_cancel"),
    Route(_A + r"/batches/(?P<batch_id>[^/]+)", "_p_batch", ("GET",)),
    Route(_A + r"/batches", "_p_batches", ("GET", "POST")),
    Route(_A + r"/fine_tuning/jobs/(?P<job_id>[^/]+)/cancel", "_p_job_cancel"),
    Route(_A + r"/fine_tuning/jobs/(?P<job_id>[^/]+)/events", "_p_job_events", ("GET",)),
    Route(_A + r"/fine_tuning/jobs/(?P<job_id>[^/]+)", "_p_job", ("GET",)),
    Route(_A + r"/fine_tuning/jobs", "_p_jobs", ("GET", "POST")),
    Route(_A + r"/assistants/(?P<assistant_id>[^/]+)", "_p_assistant", ("GET", "DELETE", "POST")),
    Route(_A + r"/assistants", "_p_assistants", ("GET", "POST")),
    Route(_A + r"/threads/(?P<thread_id>[^/]+)/runs/(?P<run_id>[^/]+)/submit_tool_outputs", "_p_submit_outputs"),
    Route(_A + r"/threads/(?P<thread_id>[^/]+)/runs/(?P<run_id>[^/]+)/steps/(?P<step_id>[^/]+)", "_p_step", ("GET",)),
    Route(_A + r"/threads/(?P<thread_id>[^/]+)/runs/(?P<run_id>[^/]+)/steps", "_p_steps", ("GET",)),
    Route(_A + r"/threads/(?P<thread_id>[^/]+)/runs/(?P<run_id>[^/]+)", "_p_run", ("GET",)),
    Route(_A + r"/threads/(?P<thread_id>[^/]+)/runs", "_p_runs", ("GET", "POST")),
    Route(_A + r"/threads/(?P<thread_id>[^/]+)/messages", "_p_messages", ("GET", "POST")),
    Route(_A + r"/threads/(?P<thread_id>[^/]+)", "_p_thread", ("GET", "DELETE", "POST")),
    Route(_A + r"/threads", "_p_threads"),
)

SPEECH_TYPES = {
    "mp3": "audio/mpeg",
    "opus": "audio/opus",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "pcm": "audio/pcm",
}
_BYTES_PER_SECOND = 32000  # the fake's notion of audio length: 16 kHz, 16-bit mono


class MultipartError(ValueError):
    pass


def parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, list[str]], dict[str, dict[str, Any]]]:
    """Strictly parse a multipart/form-data body: (fields name -> values, files name -> {filename,
    content_type, data}). Raises ``MultipartError`` on anything malformed."""
    ctype, _, rest = content_type.partition(";")
    if ctype.strip().lower() != "multipart/form-data":
        raise MultipartError(f"expected multipart/form-data, got {content_type!r}")
    boundary = None
    for item in rest.split(";"):
        key, _, value = item.strip().partition("=")
        if key.lower() == "boundary":
            boundary = value.strip('"')
    if not boundary:
        raise MultipartError("the content type names no boundary")
    delim = b"--" + boundary.encode("latin-1")
    if not body.startswith(delim):
        raise MultipartError("the body does not start with the boundary")
    if not body.endswith(delim + b"--\r\n") and not body.endswith(delim + b"--"):
        raise MultipartError("the body does not end with the closing boundary")
    fields: dict[str, list[str]] = {}
    files: dict[str, dict[str, Any]] = {}
    pieces = body.split(b"\r\n" + delim)
    first = pieces[0][len(delim) :]
    pieces = [first] + pieces[1:]
    for piece in pieces[:-1]:
        if not piece.startswith(b"\r\n"):
            raise MultipartError("a boundary line is not followed by CRLF")
        head, sep, data = piece[2:].partition(b"\r\n\r\n")
        if not sep:
            raise MultipartError("a part has no header/body separator")
        headers = {}
        for line in head.decode("utf-8").split("\r\n"):
            name, colon, value = line.partition(":")
            if not colon:
                raise MultipartError(f"malformed part header {line!r}")
            headers[name.strip().lower()] = value.strip()
        disp = headers.get("content-disposition", "")
        if not disp.startswith("form-data"):
            raise MultipartError("a part has no form-data content-disposition")
        params = {}
        for item in disp.split(";")[1:]:
            key, _, value = item.strip().partition("=")
            params[key.lower()] = value.strip('"')
        if "name" not in params:
            raise MultipartError("a part has no name")
        if "filename" in params:
            if "content-type" not in headers:
                raise MultipartError(f"the file part {params['name']!r} has no content type")
            files[params["name"]] = {
                "filename": params["filename"],
                "content_type": headers["content-type"],
                "data": data,
            }
        else:
            fields.setdefault(params["name"], []).append(data.decode("utf-8"))
    if pieces[-1] not in (b"--\r\n", b"--"):
        raise MultipartError("unexpected data after the closing boundary")
    return fields, files


def _srt_time(seconds: float, sep: str) -> str:
    ms = int(round(seconds * 1000))
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}{sep}{ms % 1000:03d}"


def _page(items: list[dict[str, Any]], query: dict[str, str], *, desc: bool = False) -> dict[str, Any]:
    items = list(items)
    order = query.get("order", "desc" if desc else "asc")
    if order == "desc":
        items.reverse()
    after = query.get("after")
    if after:
        ids = [i["id"] for i in items]
        items = items[ids.index(after) + 1 :] if after in ids else []
    limit = int(query.get("limit") or 20)
    more = len(items) > limit
    items = items[:limit]
    return {
        "object": "list",
        "data": items,
        "first_id": items[0]["id"] if items else None,
        "last_id": items[-1]["id"] if items else None,
        "has_more": more,
    }


class PlatformRoutes(_Host):
    """Mixed into ``FakeOpenAIServer``: the handlers of ``PLATFORM_ROUTES``."""

    speech_bytes = 4096  # size of the audio a speech request gets (set larger for memory tests)

    def _platform_state(self) -> dict[str, dict[str, Any]]:
        state = self.__dict__.get("_platform")
        if state is None:
            state = self.__dict__["_platform"] = {
                k: {}
                for k in ("files", "contents", "batches", "jobs", "assistants", "threads", "messages", "runs", "steps")
            }
            self.uploads: list[dict[str, Any]] = []  # what each multipart upload carried (sizes, digests)
        return state

    # ------------------------------------------------------------------ helpers
    def _form(self, call: Call) -> _Raw | tuple[dict[str, list[str]], dict[str, dict[str, Any]]]:
        rec = call.rec
        if rec.headers.get("transfer-encoding") is None and rec.headers.get("content-length") != str(len(rec.body)):
            return self._error(400, "the content-length does not match the body")
        try:
            fields, files = parse_multipart(rec.headers.get("content-type", ""), rec.body)
        except (MultipartError, UnicodeDecodeError) as exc:
            return self._error(400, f"invalid multipart body: {exc}")
        self._platform_state()
        self.uploads.append(
            {
                "fields": fields,
                "files": {
                    k: {
                        "filename": v["filename"],
                        "content_type": v["content_type"],
                        "size": len(v["data"]),
                        "sha256": hashlib.sha256(v["data"]).hexdigest(),
                    }
                    for k, v in files.items()
                },
                "chunked": rec.headers.get("transfer-encoding") is not None,
            }
        )
        return fields, files

    def _body(self, call: Call) -> _Raw | dict[str, Any]:
        body = call.rec.json
        if body is None and not call.rec.body:
            return {}
        if not isinstance(body, dict):
            return self._error(400, "We could not parse the JSON body of your request.")
        return body

    def _beta(self, call: Call) -> _Raw | None:
        if call.rec.headers.get("openai-beta") != "assistants=v2":
            return self._error(
                400,
                "You must provide the 'OpenAI-Beta' header to access the Assistants API. "
                "Please try again by setting the header 'OpenAI-Beta: assistants=v2'.",
            )
        return None

    def _missing(self, what: str, ident: str) -> _Raw:
        return self._json(
            404,
            {
                "error": {
                    "message": f"No {what} found with id '{ident}'.",
                    "type": "invalid_request_error",
                    "param": None,
                    "code": None,
                }
            },
        )

    # ------------------------------------------------------------------ audio
    def _p_transcriptions(self, call: Call) -> Answer:
        form = self._form(call)
        if isinstance(form, _Raw):
            return form
        fields, files = form
        if "file" not in files:
            return self._error(400, "Missing required parameter: 'file'.")
        if not fields.get("model"):
            return self._error(400, "you must provide a model parameter")
        audio = files["file"]["data"]
        fmt = (fields.get("response_format") or ["json"])[0]
        if fmt not in ("json", "text", "srt", "verbose_json", "vtt", "diarized_json"):
            return self._error(400, f"Invalid value for 'response_format': {fmt!r}.")
        grains = fields.get("timestamp_granularities[]", [])
        if grains and fmt != "verbose_json":
            return self._error(400, "timestamp_granularities requires response_format=verbose_json")
        duration = round(max(len(audio), 1) / _BYTES_PER_SECOND, 3)
        words = ["transcribed", str(len(audio)), "bytes", "of", files["file"]["filename"]]
        text = " ".join(words)
        if fields.get("language"):
            text += f" ({fields['language'][0]})"
        if fmt == "text":
            return _Raw(200, text.encode() + b"\n", {"content-type": "text/plain; charset=utf-8"})
        if fmt in ("srt", "vtt"):
            if fmt == "srt":
                doc = f"1\n{_srt_time(0, ',')} --> {_srt_time(duration, ',')}\n{text}\n\n"
            else:
                doc = f"WEBVTT\n\n{_srt_time(0, '.')} --> {_srt_time(duration, '.')}\n{text}\n\n"
            return _Raw(200, doc.encode(), {"content-type": "text/plain; charset=utf-8"})
        if fmt == "verbose_json":
            out: dict[str, Any] = {
                "task": "transcribe",
                "language": (fields.get("language") or ["english"])[0],
                "duration": duration,
                "text": text,
            }
            step = duration / len(words)
            if "word" in grains:
                out["words"] = [
                    {"word": w, "start": round(i * step, 3), "end": round((i + 1) * step, 3)}
                    for i, w in enumerate(words)
                ]
            if "segment" in grains or not grains:
                out["segments"] = [
                    {
                        "id": 0,
                        "seek": 0,
                        "start": 0.0,
                        "end": duration,
                        "text": text,
                        "tokens": list(range(len(words))),
                        "temperature": 0.0,
                        "avg_logprob": -0.2,
                        "compression_ratio": 1.1,
                        "no_speech_prob": 0.01,
                    }
                ]
            return self._json(200, out)
        return self._json(200, {"text": text, "usage": {"type": "duration", "seconds": int(duration + 0.999)}})

    def _p_speech(self, call: Call) -> Answer:
        body = self._body(call)
        if isinstance(body, _Raw):
            return body
        for name in ("model", "input", "voice"):
            if not body.get(name):
                return self._error(400, f"Missing required parameter: '{name}'.")
        fmt = body.get("response_format", "mp3")
        if fmt not in SPEECH_TYPES:
            return self._error(400, f"Invalid value for 'response_format': {fmt!r}.")
        speed = body.get("speed", 1.0)
        if not isinstance(speed, (int, float)) or not 0.25 <= speed <= 4.0:
            return self._error(400, "Invalid value for 'speed'.")
        seed = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).digest()
        n = self.speech_bytes
        audio = (seed * (n // len(seed) + 1))[:n]
        return _Raw(200, audio, {"content-type": SPEECH_TYPES[fmt]})

    # ------------------------------------------------------------------ files
    def _file_object(self, fid: str, filename: str, purpose: str, size: int) -> dict[str, Any]:
        return {
            "id": fid,
            "object": "file",
            "bytes": size,
            "created_at": int(time.time()),
            "filename": filename,
            "purpose": purpose,
            "status": "processed",
            "status_details": None,
        }

    def _store_file(self, filename: str, purpose: str, data: bytes) -> dict[str, Any]:
        st = self._platform_state()
        fid = self._next_id("file-")
        obj = self._file_object(fid, filename, purpose, len(data))
        st["files"][fid] = obj
        st["contents"][fid] = data
        return obj

    def _p_files(self, call: Call) -> Answer:
        st = self._platform_state()
        if call.rec.method == "GET":
            items = list(st["files"].values())
            purpose = call.rec.query.get("purpose")
            if purpose:
                items = [f for f in items if f["purpose"] == purpose]
            return self._json(200, _page(items, call.rec.query, desc=True))
        form = self._form(call)
        if isinstance(form, _Raw):
            return form
        fields, files = form
        if "file" not in files:
            return self._error(400, "Missing required parameter: 'file'.")
        purpose = (fields.get("purpose") or [""])[0]
        if purpose not in ("assistants", "batch", "fine-tune", "vision", "user_data", "evals"):
            return self._error(400, f"Invalid value for 'purpose': {purpose!r}.")
        data = files["file"]["data"]
        if purpose in ("batch", "fine-tune"):
            try:
                for line in data.decode("utf-8").splitlines():
                    if line.strip():
                        json.loads(line)
            except (UnicodeDecodeError, ValueError):
                return self._error(400, "The file must be JSONL: one JSON object per line.")
        return self._json(200, self._store_file(files["file"]["filename"], purpose, data))

    def _p_file(self, call: Call) -> Answer:
        st = self._platform_state()
        fid = call.params["file_id"]
        if fid not in st["files"]:
            return self._missing("file", fid)
        if call.rec.method == "DELETE":
            del st["files"][fid]
            st["contents"].pop(fid, None)
            return self._json(200, {"id": fid, "object": "file", "deleted": True})
        return self._json(200, st["files"][fid])

    def _p_file_content(self, call: Call) -> Answer:
        st = self._platform_state()
        fid = call.params["file_id"]
        if fid not in st["contents"]:
            return self._missing("file", fid)
        return _Raw(200, st["contents"][fid], {"content-type": "application/octet-stream"})

    # ------------------------------------------------------------------ batches
    def _p_batches(self, call: Call) -> Answer:
        st = self._platform_state()
        if call.rec.method == "GET":
            return self._json(200, _page(list(st["batches"].values()), call.rec.query, desc=True))
        body = self._body(call)
        if isinstance(body, _Raw):
            return body
        for name in ("input_file_id", "endpoint", "completion_window"):
            if not body.get(name):
                return self._error(400, f"Missing required parameter: '{name}'.")
        if body["completion_window"] != "24h":
            return self._error(400, "Invalid value for 'completion_window': only '24h' is supported.")
        if body["endpoint"] not in ("/v1/chat/completions", "/v1/embeddings", "/v1/completions", "/v1/responses"):
            return self._error(400, f"Invalid value for 'endpoint': {body['endpoint']!r}.")
        fid = body["input_file_id"]
        if fid not in st["files"]:
            return self._missing("file", fid)
        bid = self._next_id("batch_")
        now = int(time.time())
        batch = {
            "id": bid,
            "object": "batch",
            "endpoint": body["endpoint"],
            "errors": None,
            "input_file_id": fid,
            "completion_window": "24h",
            "status": "validating",
            "output_file_id": None,
            "error_file_id": None,
            "created_at": now,
            "in_progress_at": None,
            "expires_at": now + 86400,
            "finalizing_at": None,
            "completed_at": None,
            "failed_at": None,
            "expired_at": None,
            "cancelling_at": None,
            "cancelled_at": None,
            "request_counts": {"total": 0, "completed": 0, "failed": 0},
            "metadata": body.get("metadata"),
        }
        st["batches"][bid] = batch
        return self._json(200, batch)

    def _run_batch(self, batch: dict[str, Any]) -> None:
        st = self._platform_state()
        lines = st["contents"].get(batch["input_file_id"], b"").decode("utf-8").splitlines()
        out, done, failed = [], 0, 0
        for line in lines:
            if not line.strip():
                continue
            req = json.loads(line)
            body = req.get("body") or {}
            rid = self._next_id("batch_req_")
            msgs = body.get("messages")
            if not isinstance(msgs, list) or not msgs or not body.get("model"):
                failed += 1
                out.append(
                    {
                        "id": rid,
                        "custom_id": req.get("custom_id"),
                        "response": {
                            "status_code": 400,
                            "request_id": self._next_id("req_"),
                            "body": P.bad_request_body("Missing required parameter: 'messages'.", "messages"),
                        },
                        "error": None,
                    }
                )
                continue
            plan = P.plan_chat(body, body["model"], self._new_call_id)
            done += 1
            out.append(
                {
                    "id": rid,
                    "custom_id": req.get("custom_id"),
                    "response": {
                        "status_code": 200,
                        "request_id": self._next_id("req_"),
                        "body": P.chat_completion(plan, self._next_id("chatcmpl-"), int(time.time())),
                    },
                    "error": None,
                }
            )
        data = "".join(json.dumps(o) + "\n" for o in out).encode()
        output = self._store_file("batch_output.jsonl", "batch_output", data)
        now = int(time.time())
        batch.update(
            status="completed",
            output_file_id=output["id"],
            in_progress_at=now,
            finalizing_at=now,
            completed_at=now,
            request_counts={"total": done + failed, "completed": done, "failed": failed},
        )

    def _p_batch(self, call: Call) -> Answer:
        st = self._platform_state()
        batch = st["batches"].get(call.params["batch_id"])
        if batch is None:
            return self._missing("batch", call.params["batch_id"])
        if batch["status"] == "validating":
            self._run_batch(batch)
        return self._json(200, batch)

    def _p_batch_cancel(self, call: Call) -> Answer:
        st = self._platform_state()
        batch = st["batches"].get(call.params["batch_id"])
        if batch is None:
            return self._missing("batch", call.params["batch_id"])
        if batch["status"] in ("completed", "failed", "expired"):
            return self._json(
                409,
                {
                    "error": {
                        "message": f"Cannot cancel a batch with status '{batch['status']}'.",
                        "type": "invalid_request_error",
                        "param": None,
                        "code": None,
                    }
                },
            )
        batch.update(status="cancelling", cancelling_at=int(time.time()))
        return self._json(200, batch)

    # ------------------------------------------------------------------ fine-tuning
    def _p_jobs(self, call: Call) -> Answer:
        st = self._platform_state()
        if call.rec.method == "GET":
            return self._json(200, _page(list(st["jobs"].values()), call.rec.query, desc=True))
        body = self._body(call)
        if isinstance(body, _Raw):
            return body
        for name in ("model", "training_file"):
            if not body.get(name):
                return self._error(400, f"Missing required parameter: '{name}'.")
        if body["training_file"] not in st["files"]:
            return self._missing("file", body["training_file"])
        hp = {"n_epochs": "auto", "batch_size": "auto", "learning_rate_multiplier": "auto"}
        hp.update(body.get("hyperparameters") or {})
        jid = self._next_id("ftjob-")
        job = {
            "id": jid,
            "object": "fine_tuning.job",
            "created_at": int(time.time()),
            "error": None,
            "fine_tuned_model": None,
            "finished_at": None,
            "hyperparameters": hp,
            "model": body["model"],
            "organization_id": "org-fake",
            "result_files": [],
            "seed": body.get("seed", 42),
            "status": "queued",
            "trained_tokens": None,
            "training_file": body["training_file"],
            "validation_file": body.get("validation_file"),
            "suffix": body.get("suffix"),
            "integrations": body.get("integrations"),
            "estimated_finish": None,
            "_events": [self._event("Created fine-tuning job"), self._event("Validating training file")],
        }
        st["jobs"][jid] = job
        return self._json(200, self._public(job))

    def _event(self, message: str) -> dict[str, Any]:
        return {
            "id": self._next_id("ftevent-"),
            "object": "fine_tuning.job.event",
            "created_at": int(time.time()),
            "level": "info",
            "message": message,
            "type": "message",
            "data": {},
        }

    @staticmethod
    def _public(obj: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in obj.items() if not k.startswith("_")}

    def _p_job(self, call: Call) -> Answer:
        job = self._platform_state()["jobs"].get(call.params["job_id"])
        if job is None:
            return self._missing("fine-tuning job", call.params["job_id"])
        return self._json(200, self._public(job))

    def _p_job_cancel(self, call: Call) -> Answer:
        job = self._platform_state()["jobs"].get(call.params["job_id"])
        if job is None:
            return self._missing("fine-tuning job", call.params["job_id"])
        job["status"] = "cancelled"
        job["_events"].append(self._event("Fine-tuning job cancelled"))
        return self._json(200, self._public(job))

    def _p_job_events(self, call: Call) -> Answer:
        job = self._platform_state()["jobs"].get(call.params["job_id"])
        if job is None:
            return self._missing("fine-tuning job", call.params["job_id"])
        page = _page(job["_events"], call.rec.query, desc=True)
        return self._json(200, {"object": "list", "data": page["data"], "has_more": page["has_more"]})

    # ------------------------------------------------------------------ assistants v2
    def _p_assistants(self, call: Call) -> Answer:
        denied = self._beta(call)
        if denied is not None:
            return denied
        st = self._platform_state()
        if call.rec.method == "GET":
            return self._json(200, _page(list(st["assistants"].values()), call.rec.query, desc=True))
        body = self._body(call)
        if isinstance(body, _Raw):
            return body
        if not body.get("model"):
            return self._error(400, "Missing required parameter: 'model'.")
        aid = self._next_id("asst_")
        asst = {
            "id": aid,
            "object": "assistant",
            "created_at": int(time.time()),
            "name": body.get("name"),
            "description": body.get("description"),
            "model": body["model"],
            "instructions": body.get("instructions"),
            "tools": body.get("tools") or [],
            "metadata": body.get("metadata") or {},
            "top_p": body.get("top_p", 1.0),
            "temperature": body.get("temperature", 1.0),
            "response_format": body.get("response_format", "auto"),
            "tool_resources": body.get("tool_resources") or {},
        }
        st["assistants"][aid] = asst
        return self._json(200, asst)

    def _p_assistant(self, call: Call) -> Answer:
        denied = self._beta(call)
        if denied is not None:
            return denied
        st = self._platform_state()
        aid = call.params["assistant_id"]
        if aid not in st["assistants"]:
            return self._missing("assistant", aid)
        if call.rec.method == "DELETE":
            del st["assistants"][aid]
            return self._json(200, {"id": aid, "object": "assistant.deleted", "deleted": True})
        if call.rec.method == "POST":
            body = self._body(call)
            if isinstance(body, _Raw):
                return body
            st["assistants"][aid].update({k: v for k, v in body.items() if k in st["assistants"][aid]})
        return self._json(200, st["assistants"][aid])

    def _new_message(self, thread_id: str, role: str, content: Any, **more: Any) -> dict[str, Any]:
        if isinstance(content, str):
            parts = [{"type": "text", "text": {"value": content, "annotations": []}}]
        else:
            parts = [
                {"type": "text", "text": {"value": p.get("text", ""), "annotations": []}}
                for p in content
                if isinstance(p, dict)
            ]
        now = int(time.time())
        msg = {
            "id": self._next_id("msg_"),
            "object": "thread.message",
            "created_at": now,
            "thread_id": thread_id,
            "role": role,
            "content": parts,
            "assistant_id": more.get("assistant_id"),
            "run_id": more.get("run_id"),
            "attachments": more.get("attachments") or [],
            "metadata": more.get("metadata") or {},
            "status": "completed",
            "completed_at": now,
            "incomplete_at": None,
            "incomplete_details": None,
        }
        self._platform_state()["messages"].setdefault(thread_id, []).append(msg)
        return msg

    def _p_threads(self, call: Call) -> Answer:
        denied = self._beta(call)
        if denied is not None:
            return denied
        body = self._body(call)
        if isinstance(body, _Raw):
            return body
        tid = self._next_id("thread_")
        thread = {
            "id": tid,
            "object": "thread",
            "created_at": int(time.time()),
            "metadata": body.get("metadata") or {},
            "tool_resources": body.get("tool_resources") or {},
        }
        self._platform_state()["threads"][tid] = thread
        for m in body.get("messages") or []:
            if not isinstance(m, dict) or m.get("role") not in ("user", "assistant") or "content" not in m:
                return self._error(400, "Invalid 'messages': each needs a role ('user' or 'assistant') and content.")
            self._new_message(tid, m["role"], m["content"])
        return self._json(200, thread)

    def _p_thread(self, call: Call) -> Answer:
        denied = self._beta(call)
        if denied is not None:
            return denied
        st = self._platform_state()
        tid = call.params["thread_id"]
        if tid not in st["threads"]:
            return self._missing("thread", tid)
        if call.rec.method == "DELETE":
            del st["threads"][tid]
            return self._json(200, {"id": tid, "object": "thread.deleted", "deleted": True})
        return self._json(200, st["threads"][tid])

    def _p_messages(self, call: Call) -> Answer:
        denied = self._beta(call)
        if denied is not None:
            return denied
        st = self._platform_state()
        tid = call.params["thread_id"]
        if tid not in st["threads"]:
            return self._missing("thread", tid)
        if call.rec.method == "GET":
            return self._json(200, _page(st["messages"].get(tid, []), call.rec.query, desc=True))
        body = self._body(call)
        if isinstance(body, _Raw):
            return body
        if body.get("role") not in ("user", "assistant"):
            return self._error(400, "Invalid value for 'role': expected 'user' or 'assistant'.")
        if not body.get("content"):
            return self._error(400, "Missing required parameter: 'content'.")
        return self._json(
            200,
            self._new_message(
                tid, body["role"], body["content"], attachments=body.get("attachments"), metadata=body.get("metadata")
            ),
        )

    def _finish_run(self, run: dict[str, Any], text: str) -> dict[str, Any]:
        msg = self._new_message(run["thread_id"], "assistant", text, assistant_id=run["assistant_id"], run_id=run["id"])
        now = int(time.time())
        run.update(
            status="completed",
            completed_at=now,
            required_action=None,
            usage={"prompt_tokens": 10, "completion_tokens": len(text.split()), "total_tokens": 10 + len(text.split())},
        )
        self._platform_state()["steps"].setdefault(run["id"], []).append(
            {
                "id": self._next_id("step_"),
                "object": "thread.run.step",
                "created_at": now,
                "run_id": run["id"],
                "assistant_id": run["assistant_id"],
                "thread_id": run["thread_id"],
                "type": "message_creation",
                "status": "completed",
                "cancelled_at": None,
                "completed_at": now,
                "expired_at": None,
                "failed_at": None,
                "last_error": None,
                "metadata": None,
                "usage": run["usage"],
                "step_details": {"type": "message_creation", "message_creation": {"message_id": msg["id"]}},
            }
        )
        return msg

    def _p_runs(self, call: Call) -> Answer:
        denied = self._beta(call)
        if denied is not None:
            return denied
        st = self._platform_state()
        tid = call.params["thread_id"]
        if tid not in st["threads"]:
            return self._missing("thread", tid)
        if call.rec.method == "GET":
            runs = [r for r in st["runs"].values() if r["thread_id"] == tid]
            return self._json(200, _page(runs, call.rec.query, desc=True))
        body = self._body(call)
        if isinstance(body, _Raw):
            return body
        asst = st["assistants"].get(body.get("assistant_id") or "")
        if asst is None:
            return self._missing("assistant", str(body.get("assistant_id")))
        now = int(time.time())
        tools = body.get("tools") or asst["tools"]
        run = {
            "id": self._next_id("run_"),
            "object": "thread.run",
            "created_at": now,
            "thread_id": tid,
            "assistant_id": asst["id"],
            "status": "queued",
            "required_action": None,
            "last_error": None,
            "expires_at": now + 600,
            "started_at": now,
            "cancelled_at": None,
            "failed_at": None,
            "completed_at": None,
            "incomplete_details": None,
            "model": body.get("model") or asst["model"],
            "instructions": body.get("instructions") or asst["instructions"] or "",
            "tools": tools,
            "metadata": body.get("metadata") or {},
            "usage": None,
            "temperature": 1.0,
            "top_p": 1.0,
            "max_prompt_tokens": None,
            "max_completion_tokens": None,
            "truncation_strategy": {"type": "auto", "last_messages": None},
            "response_format": "auto",
            "tool_choice": "auto",
            "parallel_tool_calls": True,
        }
        st["runs"][run["id"]] = run
        user = [m for m in st["messages"].get(tid, []) if m["role"] == "user"]
        last = user[-1]["content"][0]["text"]["value"] if user and user[-1]["content"] else ""
        functions = [t for t in tools if isinstance(t, dict) and t.get("type") == "function"]
        msg = None
        if functions:
            run.update(
                status="requires_action",
                required_action={
                    "type": "submit_tool_outputs",
                    "submit_tool_outputs": {
                        "tool_calls": [
                            {
                                "id": self._next_id("call_"),
                                "type": "function",
                                "function": {"name": f["function"]["name"], "arguments": json.dumps({"query": last})},
                            }
                            for f in functions
                        ]
                    },
                },
            )
        else:
            msg = self._finish_run(run, f"Reply to: {last}")
        if body.get("stream") is True:
            return Events(self._run_events(run, msg))
        return self._json(200, run)

    def _run_events(self, run: dict[str, Any], msg: dict[str, Any] | None) -> list[bytes]:
        def ev(name: str, data: dict[str, Any]) -> bytes:
            return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()

        created = dict(run, status="queued", completed_at=None, usage=None, required_action=None)
        out = [
            ev("thread.run.created", created),
            ev("thread.run.queued", created),
            ev("thread.run.in_progress", dict(created, status="in_progress")),
        ]
        if msg is not None:
            text = msg["content"][0]["text"]["value"]
            out.append(ev("thread.message.created", dict(msg, status="in_progress", content=[])))
            for i, word in enumerate(text.split(" ")):
                piece = word if i == 0 else " " + word
                out.append(
                    ev(
                        "thread.message.delta",
                        {
                            "id": msg["id"],
                            "object": "thread.message.delta",
                            "delta": {
                                "content": [{"index": 0, "type": "text", "text": {"value": piece, "annotations": []}}]
                            },
                        },
                    )
                )
            out.append(ev("thread.message.completed", msg))
            out.append(ev("thread.run.completed", run))
        else:
            out.append(ev("thread.run.requires_action", run))
        out.append(b"event: done\ndata: [DONE]\n\n")
        return out

    def _p_run(self, call: Call) -> Answer:
        denied = self._beta(call)
        if denied is not None:
            return denied
        run = self._platform_state()["runs"].get(call.params["run_id"])
        if run is None or run["thread_id"] != call.params["thread_id"]:
            return self._missing("run", call.params["run_id"])
        return self._json(200, run)

    def _p_submit_outputs(self, call: Call) -> Answer:
        denied = self._beta(call)
        if denied is not None:
            return denied
        run = self._platform_state()["runs"].get(call.params["run_id"])
        if run is None or run["thread_id"] != call.params["thread_id"]:
            return self._missing("run", call.params["run_id"])
        if run["status"] != "requires_action":
            return self._error(400, f'Runs in status "{run["status"]}" do not accept tool outputs.')
        body = self._body(call)
        if isinstance(body, _Raw):
            return body
        outputs = body.get("tool_outputs")
        wanted = {c["id"] for c in run["required_action"]["submit_tool_outputs"]["tool_calls"]}
        if not isinstance(outputs, list) or {o.get("tool_call_id") for o in outputs if isinstance(o, dict)} != wanted:
            return self._error(400, f"Expected tool outputs for call_ids {sorted(wanted)}.")
        msg = self._finish_run(run, "Tool said: " + "; ".join(str(o.get("output")) for o in outputs))
        if body.get("stream") is True:
            return Events(self._run_events(run, msg))
        return self._json(200, run)

    def _p_steps(self, call: Call) -> Answer:
        denied = self._beta(call)
        if denied is not None:
            return denied
        st = self._platform_state()
        if call.params["run_id"] not in st["runs"]:
            return self._missing("run", call.params["run_id"])
        return self._json(200, _page(st["steps"].get(call.params["run_id"], []), call.rec.query, desc=True))

    def _p_step(self, call: Call) -> Answer:
        denied = self._beta(call)
        if denied is not None:
            return denied
        for step in self._platform_state()["steps"].get(call.params["run_id"], []):
            if step["id"] == call.params["step_id"]:
                return self._json(200, step)
        return self._missing("run step", call.params["step_id"])


__all__ = ["PLATFORM_ROUTES", "PlatformRoutes", "parse_multipart"]
