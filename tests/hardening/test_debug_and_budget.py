"""``set_verbose`` / ``_turn_on_debug()`` log DEBUG lines to stderr (with secrets masked), and a
budget file with a non-numeric value is a ``BudgetFileError`` (hardening issue, item 18)."""

from __future__ import annotations

import json
import logging

import pytest

import litegate
from litegate.budget import BudgetFileError, BudgetManager
from litegate.core import log as core_log

MODEL = "openai/gpt-4o-mini"
MSGS = [{"role": "user", "content": "hi"}]
KEY = "verbose-test-key-0123456789abcdef"
PASSWORD = "pw-V3rb0seSecret"


@pytest.fixture(autouse=True)
def _restore_logger():
    logger = logging.getLogger("litegate")
    level, handlers = logger.level, list(logger.handlers)
    yield
    logger.setLevel(level)
    logger.handlers[:] = handlers
    core_log._verbose_state = None


def _call(server, **kw):
    base = server.base_url.replace("http://", f"http://user:{PASSWORD}@", 1)
    return litegate.completion(model=MODEL, messages=MSGS, api_base=base, api_key=KEY, **kw)


# ==================================================================== set_verbose, debug


def test_set_verbose_logs_debug_lines_to_stderr_and_false_turns_them_off(server, capsys):
    litegate.set_verbose = True
    _call(server)
    err = capsys.readouterr().err
    assert "litegate request openai POST http://****@127.0.0.1:" in err
    assert KEY not in err and PASSWORD not in err
    litegate.set_verbose = False
    _call(server)
    assert "litegate request" not in capsys.readouterr().err
    assert not logging.getLogger("litegate").isEnabledFor(logging.DEBUG)


def test_a_client_with_set_verbose_logs_too(server, capsys):
    client = litegate.Client(set_verbose=True, api_key=KEY)
    base = server.base_url.replace("http://", f"http://user:{PASSWORD}@", 1)
    client.completion(model=MODEL, messages=MSGS, api_base=base)
    err = capsys.readouterr().err
    assert "litegate request openai POST" in err and KEY not in err and PASSWORD not in err


def test_turn_on_debug_exists_and_logs_to_stderr(server, capsys):
    assert callable(litegate._turn_on_debug)
    litegate._turn_on_debug()
    assert logging.getLogger("litegate").isEnabledFor(logging.DEBUG)
    _call(server)
    err = capsys.readouterr().err
    assert "litegate request openai POST" in err and KEY not in err and PASSWORD not in err
    # turned on explicitly: set_verbose = False (the default) does not turn it off
    litegate.set_verbose = False
    _call(server)
    assert "litegate request" in capsys.readouterr().err


def test_turning_on_twice_adds_one_handler():
    litegate._turn_on_debug()
    litegate._turn_on_debug()
    logger = logging.getLogger("litegate")
    assert sum(isinstance(h, logging.StreamHandler) for h in logger.handlers) == 1


# ==================================================================== budget file values


@pytest.mark.parametrize(
    "entry, field",
    [
        ({"total_budget": 10.0, "current_cost": "abc"}, "current_cost"),
        ({"total_budget": 10.0, "current_cost": None}, "current_cost"),
        ({"total_budget": "10", "current_cost": 0.0}, "total_budget"),
        ({"total_budget": True, "current_cost": 0.0}, "total_budget"),
        ({"total_budget": 10.0, "current_cost": 0.0, "model_cost": {"gpt-4o": "1.5"}}, "model_cost"),
        ({"total_budget": 10.0, "current_cost": 0.0, "model_cost": [1]}, "model_cost"),
        ({"total_budget": 10.0, "current_cost": 0.0, "duration": "fortnightly", "created_at": 1.0}, "duration"),
        ({"total_budget": 10.0, "current_cost": 0.0, "duration": 1, "created_at": "yesterday"}, "created_at"),
    ],
)
def test_a_non_numeric_value_in_the_budget_file_is_a_budget_file_error(tmp_path, entry, field):
    path = tmp_path / "user_cost.json"
    content = json.dumps({"u": entry}).encode()
    path.write_bytes(content)
    with pytest.raises(BudgetFileError) as info:
        bm = BudgetManager("p", budget_file=str(path))
        bm.update_cost("u", 1.0)  # the old code got here and raised a raw TypeError
    message = str(info.value)
    assert field in message and "'u'" in message and "untouched" in message
    assert path.read_bytes() == content


def test_numeric_values_still_load(tmp_path):
    path = tmp_path / "user_cost.json"
    path.write_text(json.dumps({"u": {"total_budget": 10, "current_cost": 1, "model_cost": {"m": 1}}}))
    bm = BudgetManager("p", budget_file=str(path))
    bm.update_cost("u", 0.5)
    assert bm.get_current_cost("u") == 1.5
