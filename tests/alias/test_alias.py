"""Alias mode: ``import litellm`` gives litegate, in fresh interpreters (as at program start).

Each test runs a small program in a subprocess with this checkout's ``litegate`` importable, so
the import system, ``sys.modules`` and the class names start clean every time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import litegate
from litegate.alias import LITELLM_ERROR_NAMES

SRC = str(Path(litegate.__file__).resolve().parents[1])
KEY = "sk-alias-test-0123456789"


def run_py(
    code: str, *args: str, pythonpath: list[str] | None = None, env: dict | None = None, cwd: str | None = None
) -> subprocess.CompletedProcess:
    paths = [*(pythonpath or []), SRC]
    full_env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths), **(env or {})}
    full_env.pop("LITELLM_LOG", None)
    proc = subprocess.run(
        [sys.executable, *args] if not code else [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
        cwd=cwd,
    )
    return proc


def ok(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


@pytest.fixture
def fake_litellm(tmp_path):
    """A "real litellm" installed beside litegate: importing any part of it fails loudly."""
    pkg = tmp_path / "site" / "litellm"
    (pkg / "types").mkdir(parents=True)
    (pkg / "__init__.py").write_text("raise RuntimeError('the real litellm was imported')\n")
    (pkg / "types" / "__init__.py").write_text("raise RuntimeError('the real litellm.types was imported')\n")
    (pkg / "types" / "utils.py").write_text("raise RuntimeError('the real litellm.types.utils was imported')\n")
    (pkg / "router.py").write_text("raise RuntimeError('the real litellm.router was imported')\n")
    return str(tmp_path / "site")


def test_alias_line_maps_litellm_and_the_submodules_frameworks_import():
    out = ok(
        run_py("""
        import json, litegate
        litegate.alias_litellm()
        import litellm
        import litellm.types.utils, litellm.exceptions, litellm.utils, litellm._logging, litellm.main
        import litellm.cost_calculator, litellm.integrations.custom_logger
        import litellm.litellm_core_utils.streaming_handler
        from litellm import ModelResponseStream, completion, acompletion, stream_chunk_builder
        from litellm.types.utils import ModelResponse, Delta, Usage, Message
        from litellm.utils import Usage as U2, get_llm_provider, token_counter
        from litellm.exceptions import ContextWindowExceededError
        from litellm.integrations.custom_logger import CustomLogger
        from litellm.litellm_core_utils.streaming_handler import CustomStreamWrapper
        assert completion is litegate.completion and ModelResponse is litegate.ModelResponse
        assert U2 is Usage is litegate.Usage and ContextWindowExceededError is litegate.ContextWindowExceededError
        assert CustomStreamWrapper is litegate.CustomStreamWrapper
        assert litellm.types.utils.ModelResponse is ModelResponse and litellm.main.completion is completion
        # settings are litegate's, read and written through
        litellm.drop_params = True
        assert litegate.drop_params is True and litellm.drop_params is True
        litellm.num_retries = 0
        assert litegate.num_retries == 0
        # settings litellm accepts as no-ops
        assert litellm.telemetry is True and litellm.suppress_debug_info is False
        litellm.telemetry = False; litellm.suppress_debug_info = True; litellm.cache = None
        litellm._dspy_logging_configured = True
        assert litellm.telemetry is False and litellm.suppress_debug_info is True
        litellm._logging._disable_debugging()
        litellm._logging.verbose_logger.setLevel("ERROR")
        # the names frameworks check
        print(json.dumps({
            "errors": sorted(n for n in dir(litellm) if n.endswith("Error")),
            "chunk_module": ModelResponseStream.__module__,
            "response_module": ModelResponse.__module__,
            "usage_module": type(Usage()).__module__,
            "exc_module": litellm.RateLimitError.__module__,
            "mapped": [litellm.__name__, litellm.types.utils.__name__],
            "params": litellm.get_supported_openai_params("anthropic/claude-sonnet-4-5"),
            "supports": litellm.supports_function_calling("gpt-4o-mini"),
            "provider": list(get_llm_provider("groq/llama-3.1-8b-instant")[:2]),
            "hidden_still_reachable": litellm.InputValidationError.__name__,
        }))
    """)
    )
    got = json.loads(out)
    assert set(got["errors"]) == LITELLM_ERROR_NAMES
    assert "InputValidationError" not in got["errors"] and "BudgetFileError" not in got["errors"]
    assert got["chunk_module"].startswith("litellm")
    assert got["response_module"] == got["usage_module"] == "litellm.types.utils"
    assert got["exc_module"] == "litellm.exceptions"
    assert got["mapped"] == ["litellm", "litellm.types.utils"]
    assert "tools" in got["params"] and "n" not in got["params"]
    assert got["supports"] is True
    assert got["provider"] == ["llama-3.1-8b-instant", "groq"]
    assert got["hidden_still_reachable"] == "InputValidationError"


def test_aider_style_exception_check_passes():
    # aider's rule: every name ending in "Error" that dir(litellm) shows must be in its list, and
    # every name of its list must be an attribute
    aider_list = sorted(LITELLM_ERROR_NAMES | {"Timeout"})
    ok(
        run_py(f"""
        import litegate.as_litellm
        import litellm
        expected = set({aider_list!r})
        extra = [v for v in dir(litellm) if v.endswith("Error") and v not in expected]
        assert not extra, extra
        for name in expected:
            cls = getattr(litellm, name)
            assert isinstance(cls, type) and issubclass(cls, BaseException), name
    """)
    )


def test_a_real_litellm_beside_litegate_is_never_imported(fake_litellm):
    # without the alias the "real" litellm is what Python finds ...
    proc = run_py("import litellm", pythonpath=[fake_litellm])
    assert proc.returncode != 0 and "the real litellm was imported" in proc.stderr
    # ... with it, every part resolves to litegate, and a name litegate lacks is not found
    out = ok(
        run_py(
            """
        import litegate
        litegate.alias_litellm()
        import litellm, litellm.types.utils
        from litellm.types.utils import ModelResponse
        try:
            import litellm.no_such_module
        except ModuleNotFoundError as exc:
            print("missing:", exc.name)
        try:
            import litellm.router
            print("router:", litellm.router.__name__, litellm.router.Router.__name__)
        except ModuleNotFoundError as exc:
            print("router missing:", exc.name)
        print(ModelResponse is litegate.ModelResponse)
    """,
            pythonpath=[fake_litellm],
        )
    )
    assert "missing: litellm.no_such_module" in out
    assert "True" in out
    assert "real" not in out


def test_a_litellm_imported_before_the_alias_is_replaced(tmp_path):
    pkg = tmp_path / "litellm"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("REAL = True\n")
    out = ok(
        run_py(
            """
        import litellm
        assert litellm.REAL
        import litegate
        mod = litegate.alias_litellm()
        import litellm as again
        print(again is mod, hasattr(again, "REAL"), again.completion is litegate.completion)
    """,
            pythonpath=[str(tmp_path)],
        )
    )
    assert out.split() == ["True", "False", "True"]


PICKLE_WRITER = """
    import pickle, sys, litegate
    litegate.alias_litellm()
    import litellm
    resp = litellm.completion(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}],
                              mock_response="a cached answer")
    chunks = list(litellm.completion(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}],
                                     mock_response="streamed", stream=True))
    emb = litellm.EmbeddingResponse(data=[{"object": "embedding", "index": 0, "embedding": [0.5, 0.25]}],
                                    model="m", usage={"prompt_tokens": 1, "total_tokens": 1})
    exc = litellm.RateLimitError("slow down", llm_provider="openai", model="gpt-4o-mini")
    with open(sys.argv[1], "wb") as f:
        pickle.dump({"resp": resp, "chunk": chunks[0], "emb": emb, "exc": exc}, f)
"""

PICKLE_READER = """
    import io, pickle, sys, litegate
    {alias}
    class Restricted(pickle.Unpickler):  # DSPy's disk-cache rule: only litellm.types.* classes
        def find_class(self, module, name):
            if module.startswith("litellm.types.") or (module, name) in {{("litellm.exceptions", "RateLimitError"), ("litellm.exceptions", "_restore")}}:
                return super().find_class(module, name)
            if module in ("builtins", "copyreg", "collections") :
                return super().find_class(module, name)
            raise pickle.UnpicklingError(f"refused {{module}}.{{name}}")
    data = Restricted(open(sys.argv[1], "rb")).load()
    print(data["resp"].choices[0].message.content, type(data["resp"]).__module__)
    print(data["chunk"].choices[0].delta.content is not None, type(data["chunk"]).__name__)
    print(data["emb"].data[0]["embedding"], isinstance(data["exc"], litegate.RateLimitError), data["exc"].llm_provider)
"""


def test_pickles_made_in_alias_mode_load_back_in_alias_mode(tmp_path):
    path = str(tmp_path / "cache.pkl")
    ok(run_py(PICKLE_WRITER, path))
    out = ok(run_py(PICKLE_READER.format(alias="litegate.alias_litellm()"), path))
    lines = out.splitlines()
    assert lines[0] == "a cached answer litellm.types.utils"
    assert lines[1] == "True ModelResponseStream"
    assert lines[2] == "[0.5, 0.25] True openai"
    # only litellm.types.* (and the exception) are referenced: the restricted reader accepted them
    raw = Path(path).read_bytes()
    assert b"litegate" not in raw


def test_python_m_litegate_alias_runs_a_program(tmp_path, server):
    server.enqueue_reply("from the fake server")
    prog = tmp_path / "prog.py"
    prog.write_text(
        textwrap.dedent(f"""
        import sys, litellm
        resp = litellm.completion(model="openai/gpt-4o-mini", messages=[{{"role": "user", "content": "hi"}}],
                                  api_key="{KEY}", api_base="{server.base_url}", retry_strategy="exponential_backoff_retry")
        print(type(litellm).__module__, sys.argv[1:], resp.choices[0].message.content)
    """)
    )
    out = ok(run_py("", "-m", "litegate.alias", str(prog), "a", "b"))
    assert out.strip() == "litegate.alias ['a', 'b'] from the fake server"
    assert "retry_strategy" not in server.last_request.json


def test_alias_path_on_pythonpath_aliases_the_program_and_its_subprocesses(fake_litellm):
    from litegate.alias import alias_path

    out = ok(
        run_py(
            """
        import subprocess, sys
        import litellm
        print(type(litellm).__module__, litellm.ModelResponse.__module__)
        child = subprocess.run([sys.executable, "-c", "import litellm.types.utils as u; print(u.ModelResponse.__module__, type(u).__module__)"],
                               capture_output=True, text=True)
        print(child.stdout.strip() or child.stderr)
    """,
            pythonpath=[alias_path(), fake_litellm],
        )
    )
    assert out.splitlines() == ["litegate.alias litellm.types.utils", "litellm.types.utils litegate.alias"]


def test_compat_functions_without_alias():
    assert litegate.get_supported_openai_params("nope/x") is None
    params = litegate.get_supported_openai_params("gpt-4o-mini")
    assert "temperature" in params and "tools" in params
    assert litegate.get_supported_openai_params("text-embedding-3-small", request_type="embeddings") == [
        "dimensions",
        "encoding_format",
        "user",
    ]
    mapped = litegate.get_optional_params(
        model="anthropic/claude-sonnet-4-5", drop_params=True, temperature=0.1, n=2, top_k=3, retry_strategy="x"
    )
    assert mapped == {"temperature": 0.1, "top_k": 3}
    with pytest.raises(litegate.UnsupportedParamsError):
        litegate.get_optional_params(model="anthropic/claude-sonnet-4-5", n=2)
    assert litegate.telemetry is True  # a litellm setting accepted as a no-op


def test_get_secret_helpers(monkeypatch):
    monkeypatch.setenv("LG_ALIAS_FLAG", "TRUE")
    assert litegate.get_secret_bool("LG_ALIAS_FLAG") is True
    assert litegate.get_secret("os.environ/LG_ALIAS_FLAG") == "TRUE"
    assert litegate.get_secret_bool("LG_ALIAS_UNSET_VAR") is None
    assert litegate.get_secret_str("LG_ALIAS_UNSET_VAR", "d") == "d"


def test_thinking_param_normaliser_through_litellm_utils():
    out = ok(
        run_py("""
        import litegate.as_litellm, litellm.utils as u
        print(u.validate_and_fix_thinking_param({"type": "enabled", "budgetTokens": 3000}))
        print(u.validate_and_fix_thinking_param(True), u.validate_and_fix_thinking_param(False))
    """)
    )
    assert out.splitlines() == [
        "{'type': 'enabled', 'budget_tokens': 3000}",
        "{'type': 'enabled', 'budget_tokens': 2048} None",
    ]


def test_noop_settings_and_unknown_names_keep_import_light():
    out = ok(
        run_py("""
        import sys, litegate
        print(litegate.telemetry, hasattr(litegate, "no_such_name_xyz"))
        print(sorted(m for m in ("pydantic", "httpx", "litegate.exceptions", "litegate.alias") if m in sys.modules))
    """)
    )
    assert out.splitlines() == ["True False", "[]"]


def test_alias_can_be_undone_in_process():
    from litegate import alias

    assert not alias.is_aliased()
    before = litegate.ModelResponse.__module__
    try:
        mod = alias.alias_litellm()
        assert alias.alias_litellm() is mod  # idempotent
        import litellm  # noqa: F401  (the alias)

        assert sys.modules["litellm"] is mod and litegate.ModelResponse.__module__ == "litellm.types.utils"
        assert litegate.RateLimitError.__module__ == "litellm.exceptions"
    finally:
        alias._unalias()
    assert not alias.is_aliased()
    assert litegate.ModelResponse.__module__ == before == "litegate.types.chat"
    assert litegate.RateLimitError.__module__ == "litegate.exceptions"
    assert "litellm" not in sys.modules and not any(isinstance(f, alias._Finder) for f in sys.meta_path)
