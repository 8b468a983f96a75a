"""The ``litegate`` command line, run as a subprocess (``python -m litegate``) against the fake
servers: output, --json documents and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import litegate

SRC = str(Path(litegate.__file__).resolve().parents[1])
KEY = "sk-cli-test-0123456789abcdef"


def cli(*args: str, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    full = {
        k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_KEY", "_TOKEN")) and k != "LITEGATE_MODELS"
    }
    full["PYTHONPATH"] = SRC
    full.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "litegate", *args], input=stdin, capture_output=True, text=True, env=full, timeout=120
    )


def test_chat_one_prompt_streams_the_answer(server):
    server.enqueue_reply("The sea is wide.")
    proc = cli("chat", "openai/gpt-4o-mini", "Tell", "me", "--api-base", server.base_url, env={"OPENAI_API_KEY": KEY})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "The sea is wide.\n"
    body = server.last_request.json
    assert body["stream"] is True and body["messages"] == [{"role": "user", "content": "Tell me"}]
    assert server.last_request.header("authorization") == f"Bearer {KEY}"


def test_chat_json_and_system_message(server):
    server.enqueue_reply("42", usage={"prompt_tokens": 12, "completion_tokens": 1})
    proc = cli(
        "chat",
        "openai/gpt-4o-mini",
        "question",
        "--system",
        "be brief",
        "--json",
        "--api-base",
        server.base_url,
        env={"OPENAI_API_KEY": KEY},
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["content"] == "42" and doc["usage"]["total_tokens"] == 13 and doc["finish_reason"] == "stop"
    assert doc["cost_usd"] > 0
    assert server.last_request.json["messages"][0] == {"role": "system", "content": "be brief"}


def test_chat_interactive_keeps_the_conversation(server):
    server.enqueue_reply("first answer")
    server.enqueue_reply("second answer")
    proc = cli(
        "chat", "openai/gpt-4o-mini", "--api-base", server.base_url, stdin="one\ntwo\n", env={"OPENAI_API_KEY": KEY}
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["first answer", "second answer"]
    assert [m["content"] for m in server.last_request.json["messages"]] == ["one", "first answer", "two"]


def test_chat_without_a_key_names_the_variable(server):
    proc = cli("chat", "anthropic/claude-sonnet-4-5", "hi", "--api-base", server.base_url)
    assert proc.returncode == 3
    assert "ANTHROPIC_API_KEY" in proc.stderr
    assert server.hits() == 0


def test_chat_api_error_exit_code(server):
    server.enqueue_error(status=401, count=5)
    proc = cli(
        "chat", "openai/gpt-4o-mini", "hi", "--no-stream", "--api-base", server.base_url, env={"OPENAI_API_KEY": KEY}
    )
    assert proc.returncode == 3 and "AuthenticationError" in proc.stderr
    assert KEY not in proc.stderr and "Traceback" not in proc.stderr


def test_models_lists_the_registry():
    proc = cli("models", "anthropic", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert rows and all(r["provider"] == "anthropic" for r in rows)
    entry = litegate.model_cost[rows[0]["model"]]
    assert rows[0]["input_usd_per_1m"] == pytest.approx(entry["input_cost_per_token"] * 1e6)
    assert rows[0]["context_window"] == entry.get("max_input_tokens") or entry.get("max_tokens")
    table = cli("models", "--search", "gpt-4o-mini")
    assert table.returncode == 0 and "gpt-4o-mini" in table.stdout
    assert cli("models", "no-such-provider").returncode == 1


def test_cost():
    proc = cli("cost", "gpt-4o-mini", "--input", "1000", "--output", "500", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    info = litegate.get_model_info("gpt-4o-mini")
    assert doc["total_usd"] == pytest.approx(1000 * info["input_cost_per_token"] + 500 * info["output_cost_per_token"])
    unknown = cli("cost", "no-such-model-xyz", "--input", "1", "--output", "1")
    assert unknown.returncode == 1 and "no-such-model-xyz" in unknown.stderr
    assert cli("cost", "gpt-4o-mini", "--input", "1").returncode == 2  # --output missing


def test_tokens_from_file_and_stdin(tmp_path):
    text = "The quick brown fox jumps over the lazy dog. " * 20
    path = tmp_path / "t.txt"
    path.write_text(text)
    expected = litegate.token_counter(model="gpt-4o", text=text)
    assert cli("tokens", "gpt-4o", str(path)).stdout.strip() == str(expected)
    doc = json.loads(cli("tokens", "gpt-4o", "-", "--json", stdin=text).stdout)
    assert doc["tokens"] == expected and doc["characters"] == len(text)
    missing = cli("tokens", "gpt-4o", str(tmp_path / "nope.txt"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr


def test_providers_shows_key_variables_and_whether_set():
    rows = {r["provider"]: r for r in json.loads(cli("providers", "--json", env={"GROQ_API_KEY": "gsk-x"}).stdout)}
    assert rows["groq"]["key_variable"] == "GROQ_API_KEY" and rows["groq"]["key_set"] is True
    assert rows["openai"]["key_variable"] == "OPENAI_API_KEY" and rows["openai"]["key_set"] is False
    assert set(rows) == set(litegate.provider_list)


def test_check_healthy_and_unhealthy(server):
    server.enqueue_reply("ok")
    proc = cli("check", "openai/gpt-4o-mini", "--api-base", server.base_url, "--json", env={"OPENAI_API_KEY": KEY})
    assert proc.returncode == 0, proc.stderr
    (result,) = json.loads(proc.stdout)
    assert result["healthy"] is True and result["model"] == "openai/gpt-4o-mini"
    server.enqueue_error(status=500, count=3)
    bad = cli(
        "check", "--api-base", server.base_url, env={"OPENAI_API_KEY": KEY, "LITEGATE_MODELS": "openai/gpt-4o-mini"}
    )
    assert bad.returncode == 1 and "UNHEALTHY" in bad.stdout
    assert cli("check").returncode == 2


def test_run_aliases_a_python_program_and_passes_its_exit_code(tmp_path, server):
    server.enqueue_reply("through the alias")
    prog = tmp_path / "prog.py"
    prog.write_text(
        textwrap.dedent(f"""
        import sys, litellm
        r = litellm.completion(model="openai/gpt-4o-mini", messages=[{{"role": "user", "content": "x"}}],
                               api_key="{KEY}", api_base="{server.base_url}", _skip_mcp_handler=True)
        print(type(litellm).__module__, r.choices[0].message.content)
        sys.exit(7)
    """)
    )
    proc = cli("run", "--", sys.executable, str(prog))
    assert proc.returncode == 7, proc.stderr
    assert proc.stdout.strip() == "litegate.alias through the alias"
    assert "_skip_mcp_handler" not in server.last_request.json
    path = cli("alias-path").stdout.strip()
    assert (Path(path) / "litellm" / "__init__.py").is_file()


def test_usage_errors():
    assert cli().returncode == 2
    assert cli("run").returncode == 2
    assert cli("version").stdout.strip() == litegate.__version__


def test_interactive_history_is_bounded(capsys):
    import argparse

    from litegate import cli

    args = argparse.Namespace(model="gpt-4o-mini", json=False, no_stream=True)
    history = [{"role": "system", "content": "be brief"}]
    for i in range(cli._MAX_TURNS):
        assert cli._chat_turn(litegate, args, history, f"turn {i}", {"mock_response": f"answer {i}"}) == 0
    assert len(history) <= cli._MAX_TURNS + 1
    assert history[0] == {"role": "system", "content": "be brief"}
    assert history[-1] == {"role": "assistant", "content": f"answer {cli._MAX_TURNS - 1}"}
    assert capsys.readouterr().out.endswith(f"answer {cli._MAX_TURNS - 1}\n")
