"""The spec's examples for section 5 (audio, moderation, text completion, rerank, pass-through),
run as written apart from the import name, against the fake servers over real sockets. The
environment variables the examples rely on point at the fake servers."""

from __future__ import annotations

import pytest
from _examples import run, source

import litegate
from litegate.testing import FakeCohereServer

KEY = "sk-spec-examples"


@pytest.fixture
def openai_env(server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_API_BASE", server.base_url)
    return server


def test_transcription_example(openai_env, tmp_path):
    ns, printed = run("transcription.py", tmp_path)
    assert "Warning: Creating dummy audio file 'transcript_test.mp3'" in printed
    assert "transcribed 44 bytes of transcript_test.mp3" in printed  # the text format, a str
    assert "Word Timestamps (First 10):" in printed and "    - 'transcribed' (0.00s - " in printed
    assert "Detected Language: english" in printed and "Audio Duration: 0.00s" in printed
    assert isinstance(ns["transcript_obj"], str) and ns["verbose_response"].words
    assert "ERROR" not in printed
    assert not (tmp_path / "transcript_test.mp3").exists()  # the example cleans up
    fields = [u["fields"] for u in openai_env.uploads]
    assert [f.get("response_format") for f in fields] == [["text"], ["verbose_json"]]
    assert fields[1]["timestamp_granularities[]"] == ["word"]


def test_speech_example(openai_env, tmp_path):
    openai_env.speech_bytes = 200_000
    ns, printed = run("speech.py", tmp_path)
    assert "MP3 speech successfully saved." in printed
    assert "Successfully read 200000 bytes of FLAC data." in printed and "ERROR" not in printed
    mp3 = list((tmp_path / "tts_output").glob("*.mp3"))
    assert len(mp3) == 1 and mp3[0].stat().st_size == 200_000
    assert ns["audio_bytes_flac"] and len(ns["audio_bytes_flac"]) == 200_000
    bodies = [r.json for r in openai_env.requests]
    assert bodies[0]["voice"] == "shimmer" and bodies[1]["response_format"] == "flac" and bodies[1]["speed"] == 0.9


def test_moderation_example(openai_env, tmp_path):
    safe = {
        "flagged": False,
        "categories": {"hate": False, "violence": False, "hate/threatening": False},
        "category_scores": {"hate": 0.01, "violence": 0.0, "hate/threatening": 0.0},
    }
    bad = {
        "flagged": True,
        "categories": {"hate": True, "violence": True, "hate/threatening": True},
        "category_scores": {"hate": 0.7, "violence": 0.9, "hate/threatening": 0.8},
    }
    for result in (safe, safe, bad, safe):
        openai_env.enqueue_raw(200, {"id": "modr-1", "model": "text-moderation-007", "results": [result]})
    ns, printed = run("moderation.py", tmp_path)
    assert [r.json["model"] for r in openai_env.requests] == ["text-moderation-latest"] * 4
    flagged = [r for r in ns["moderation_results"] if r.get("flagged")]
    assert len(flagged) == 1 and flagged[0]["input_index"] == 2
    assert flagged[0]["categories"] == {"hate": True, "violence": True, "hate/threatening": True}
    assert flagged[0]["scores"]["violence"] == 0.9
    assert "Flagged Inputs: 1" in printed and "Total Inputs: 4" in printed
    # the example's own slip (an undefined name in its flagged branch) is reported by its handler
    assert "ERROR during moderation: NameError" in printed


def test_text_completion_example(openai_env, tmp_path):
    ns, printed = run("text_completion.py", tmp_path)
    assert "[Finish Reason: " in printed and "[Usage: Prompt=" in printed
    assert openai_env.last_request.json["stop"] == ["\n"] and openai_env.last_request.json["max_tokens"] == 50


def test_rerank_example(monkeypatch, tmp_path):
    with FakeCohereServer() as srv:
        monkeypatch.setenv("COHERE_API_KEY", KEY)
        monkeypatch.setenv("COHERE_API_BASE", srv.base_url)
        ns, printed = run("rerank.py", tmp_path)
        assert "Top 3 Reranked Documents:" in printed and "ERROR" not in printed
        assert len(ns["final_context_docs"]) == 3
        assert srv.last_request.json["top_n"] == 3
        ids = {d["id"] for d in ns["retrieved_docs_rag"]}
        assert all(r.document["id"] in ids for r in ns["rerank_response"].results)


def test_passthrough_example_as_written_and_uncommented(openai_env, tmp_path):
    ns, printed = run("passthrough.py", tmp_path)  # as written: every call is commented out
    assert "--- Assistants API: List Assistants (Conceptual) ---" in printed
    litegate.create_assistants("openai", "gpt-4o", name="Helper", api_key=KEY, api_base=openai_env.base_url)
    litegate.create_file(file=b"{}\n", purpose="assistants", api_key=KEY, api_base=openai_env.base_url)
    code = ("# try:", "# except", "#  ", "# batch_id_to_check")  # the commented-out code, not the prose
    uncommented = "\n".join(
        line[2:] if line.startswith(code) else line for line in source("passthrough.py").split("\n")
    )
    ns = {"__name__": "spec_example"}
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(uncommented, "passthrough_uncommented.py", "exec", dont_inherit=True), ns)  # noqa: S102
    printed = out.getvalue()
    assert "Found 1 files with purpose 'assistants'." in printed
    assert "Found 0 fine-tuning jobs." in printed
    assert "Failed: " in printed and "batch_xxxxxxxxxxxx" in printed  # the placeholder id is not found
    assert "Found 1 assistants." in printed
