"""BudgetManager with the local JSON file: every method, durations and resets, persistence."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest

import litegate
from litegate.budget import DURATIONS, BudgetManager
from litegate.cost.calculator import completion_cost


def read(path) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture
def bm(budget_file) -> BudgetManager:
    return BudgetManager(project_name="test_project", budget_file=str(budget_file))


# ---------------------------------------------------------------------------- construction


def test_default_file_is_user_cost_json_in_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bm = BudgetManager(project_name="p")
    bm.create_budget(total_budget=5, user="alice")
    assert (tmp_path / "user_cost.json").exists()
    assert read(tmp_path / "user_cost.json") == {"alice": {"total_budget": 5.0}}
    assert bm.budget_file == str(tmp_path / "user_cost.json")


def test_env_var_and_argument_choose_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env_file = tmp_path / "from_env.json"
    arg_file = tmp_path / "from_arg.json"
    monkeypatch.setenv("LITEGATE_BUDGET_FILE", str(env_file))
    BudgetManager("p").create_budget(1, "u")
    assert env_file.exists() and not (tmp_path / "user_cost.json").exists()
    BudgetManager("p", budget_file=str(arg_file)).create_budget(2, "v")
    assert read(arg_file) == {"v": {"total_budget": 2.0}}
    assert read(env_file) == {"u": {"total_budget": 1.0}}


def test_project_name_is_optional_and_client_type_checked(budget_file):
    assert BudgetManager(budget_file=str(budget_file)).project_name is None
    with pytest.raises(ValueError, match="client_type"):
        BudgetManager("p", client_type="cloud", budget_file=str(budget_file))


def test_exported_from_package():
    # BudgetManager is in litegate's lazy map; the module path is stable either way
    from litegate.budget import BudgetManager as direct

    assert getattr(litegate, "BudgetManager", direct) is direct


# ---------------------------------------------------------------------------- budgets


def test_create_budget_and_queries(bm, budget_file):
    entry = bm.create_budget(total_budget=10, user="1234")
    assert entry == {"total_budget": 10.0}
    assert bm.is_valid_user("1234") and not bm.is_valid_user("nobody")
    assert bm.get_total_budget("1234") == 10.0
    assert bm.get_total_budget("nobody") == 0.0
    assert bm.get_current_cost("1234") == 0.0
    assert bm.get_current_cost("nobody") == 0.0
    assert bm.get_users() == ["1234"]
    assert read(budget_file) == {"1234": {"total_budget": 10.0}}


@pytest.mark.parametrize("name,days", list(DURATIONS.items()))
def test_create_budget_with_duration(bm, budget_file, clock, name, days):
    entry = bm.create_budget(total_budget=3, user="u", duration=name)
    assert entry == {"total_budget": 3.0, "duration": days, "created_at": clock.now, "last_updated_at": clock.now}
    assert read(budget_file)["u"] == entry
    info = bm.get_budget("u")
    assert info["duration_name"] == name
    assert info["last_reset_at"] == clock.now
    assert info["current_cost"] == 0.0


def test_litellm_duration_lengths():
    assert DURATIONS == {"daily": 1, "weekly": 7, "monthly": 28, "yearly": 365}


def test_create_budget_rejects_bad_input(bm):
    with pytest.raises(ValueError, match="duration"):
        bm.create_budget(1, "u", duration="hourly")
    with pytest.raises(TypeError, match="user"):
        bm.create_budget(1, 1234)
    with pytest.raises(ValueError):
        bm.create_budget(-1, "u")
    with pytest.raises(TypeError):
        bm.create_budget("10", "u")
    with pytest.raises(ValueError):
        bm.create_budget(float("nan"), "u")
    assert bm.get_users() == []


def test_created_at_datetime_and_epoch(bm):
    start = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    assert bm.create_budget(1, "a", duration="daily", created_at=start)["created_at"] == start.timestamp()
    naive = dt.datetime(2024, 1, 2, 3, 4, 5)  # read as UTC
    assert bm.create_budget(1, "b", duration="daily", created_at=naive)["created_at"] == start.timestamp()
    assert bm.create_budget(1, "c", duration="daily", created_at=1234.5)["last_updated_at"] == 1234.5


def test_updating_a_budget_keeps_spending(bm, clock):
    bm.create_budget(10, "u", duration="daily")
    bm.update_cost("u", 2.5, model="gpt-4o")
    clock.advance(seconds=60)
    entry = bm.create_budget(20, "u", duration="daily", budget_id="b-1")
    assert entry["total_budget"] == 20.0
    assert entry["current_cost"] == 2.5
    assert entry["model_cost"] == {"gpt-4o": 2.5}
    assert entry["last_updated_at"] == clock.now - 60  # same period: not restarted
    assert bm.get_budget("u", budget_id="b-1")["total_budget"] == 20.0
    assert bm.get_budget("u", budget_id="other") is None
    assert bm.get_budget("nobody") is None
    # dropping the duration removes the period fields
    entry = bm.create_budget(20, "u")
    assert "duration" not in entry and "last_updated_at" not in entry
    assert entry["current_cost"] == 2.5


# ---------------------------------------------------------------------------- spending


def test_update_cost_with_explicit_cost(bm, budget_file):
    bm.create_budget(10, "u")
    assert bm.update_cost("u", 0.25, model="gpt-4o") is True
    assert bm.update_cost(user="u", cost=0.5, model="gpt-4o-mini") is True
    assert bm.update_cost("u", cost=0.125) is True  # no model: no per-model entry
    assert bm.get_current_cost("u") == 0.875
    assert bm.get_model_cost("u") == {"gpt-4o": 0.25, "gpt-4o-mini": 0.5}
    assert read(budget_file)["u"] == {
        "total_budget": 10.0,
        "current_cost": 0.875,
        "model_cost": {"gpt-4o": 0.25, "gpt-4o-mini": 0.5},
    }


def test_update_cost_unknown_user_and_bad_input(bm, budget_file):
    assert bm.update_cost("ghost", 1.0) is False
    assert not budget_file.exists() or "ghost" not in read(budget_file)
    bm.create_budget(1, "u")
    with pytest.raises(ValueError, match="cost"):
        bm.update_cost("u")  # nothing to price
    with pytest.raises(ValueError):
        bm.update_cost("u", -0.5)
    with pytest.raises(ValueError):
        bm.update_cost("u", float("inf"))
    assert bm.get_current_cost("u") == 0.0


def test_update_cost_from_text_uses_completion_cost(bm):
    bm.create_budget(10, "u")
    expected = completion_cost(
        model="gpt-4o", prompt="What is the capital of France?", completion="The capital of France is Paris."
    )
    assert expected > 0
    assert bm.update_cost(
        "u", model="gpt-4o", input_text="What is the capital of France?", output_text="The capital of France is Paris."
    )
    assert bm.get_current_cost("u") == pytest.approx(expected, rel=1e-12)
    assert bm.get_model_cost("u") == {"gpt-4o": pytest.approx(expected, rel=1e-12)}


def test_update_cost_from_token_counts_matches_registry_prices(bm):
    from litegate.cost.registry import get_model_entry

    entry = get_model_entry("gpt-4o")
    bm.create_budget(10, "u")
    bm.update_cost("u", model="gpt-4o", prompt_tokens=1000, completion_tokens=500)
    hand = 1000 * entry["input_cost_per_token"] + 500 * entry["output_cost_per_token"]
    assert bm.get_current_cost("u") == pytest.approx(hand, rel=1e-12)


def test_update_cost_from_a_response(bm):
    response = litegate.completion(
        model="gpt-4o",
        messages=[{"role": "user", "content": "Hey"}],
        mock_response="Hello there, how can I help you today?",
    )
    expected = completion_cost(completion_response=response)
    bm.create_budget(10, "u")
    assert bm.update_cost(completion_obj=response, user="u")
    assert bm.update_cost("u", response)  # positionally, as litellm users write it
    assert bm.update_cost("u", cost=None, completion_obj=response)
    assert bm.get_current_cost("u") == pytest.approx(3 * expected, rel=1e-12)
    assert list(bm.get_model_cost("u")) == [response.model]


def test_unknown_model_cost_raises_not_found(bm):
    bm.create_budget(10, "u")
    with pytest.raises(litegate.exceptions.NotFoundException):
        bm.update_cost("u", model="completely-unknown-model-xyz", prompt_tokens=10, completion_tokens=1)
    assert bm.get_current_cost("u") == 0.0


def test_check_cost_and_update(bm, budget_file):
    bm.create_budget(1.0, "u")
    assert bm.check_cost_and_update("u", potential_cost=0.5, model="m") is True
    assert bm.check_cost_and_update("u", 0.5) is True  # exactly at the budget is allowed
    assert bm.check_cost_and_update("u", 0.0625) is False
    assert bm.get_current_cost("u") == 1.0
    assert read(budget_file)["u"]["current_cost"] == 1.0
    assert bm.check_cost_and_update("ghost", 0.1) is False


def test_spec_example_flow(bm, clock):
    """The spec's exhaustive example (costs given explicitly so registry prices don't matter)."""
    start_daily = dt.datetime.fromtimestamp(clock.now, dt.timezone.utc) - dt.timedelta(days=1)
    bm.create_budget(user="user_daily", total_budget=0.02, duration="daily", created_at=start_daily)
    bm.create_budget(user="user_monthly", total_budget=1.50, duration="monthly")
    bm.create_budget(user="user_unlimited", total_budget=9999.00)
    assert bm.get_users() == ["user_daily", "user_monthly", "user_unlimited"]

    assert bm.check_cost_and_update(user="user_daily", potential_cost=0.0065) is True
    assert bm.check_cost_and_update(user="user_daily", potential_cost=0.0125) is True
    assert bm.check_cost_and_update(user="user_daily", potential_cost=0.00325) is False
    assert bm.get_current_cost("user_daily") == pytest.approx(0.019)
    assert bm.check_cost_and_update(user="user_monthly", potential_cost=0.165) is True
    assert bm.check_cost_and_update(user="user_monthly", potential_cost=0.29) is True

    assert bm.reset_on_duration(user="user_daily") is True
    assert bm.get_current_cost("user_daily") == 0.0
    assert bm.reset_on_duration(user="user_monthly") is False
    assert bm.get_current_cost("user_monthly") == pytest.approx(0.455)
    assert bm.reset_on_duration(user="user_unlimited") is False  # no duration

    assert bm.update_budget_all_users() == []  # daily was just reset
    assert bm.get_current_cost("user_monthly") == pytest.approx(0.455)


def test_projected_cost(bm):
    from litegate.cost.calculator import cost_per_token
    from litegate.tokens import token_counter

    messages = [{"role": "user", "content": "Tell me a long story about budgets."}]
    bm.create_budget(10, "u")
    bm.update_cost("u", 0.25)
    prompt_cost, _ = cost_per_token(
        model="gpt-4o", prompt_tokens=token_counter(model="gpt-4o", messages=messages), completion_tokens=0
    )
    assert prompt_cost > 0
    assert bm.projected_cost("gpt-4o", messages, "u") == pytest.approx(0.25 + prompt_cost, rel=1e-12)
    assert bm.projected_cost("gpt-4o", messages, "nobody") == pytest.approx(prompt_cost, rel=1e-12)


def test_get_model_cost_by_user_and_by_model(bm):
    bm.create_budget(10, "a")
    bm.create_budget(10, "b")
    bm.create_budget(10, "c")
    bm.update_cost("a", 0.5, model="gpt-4o")
    bm.update_cost("a", 0.25, model="gpt-4o")
    bm.update_cost("b", 1.0, model="gpt-4o")
    bm.update_cost("b", 2.0, model="claude-3-haiku")
    assert bm.get_model_cost("a") == {"gpt-4o": 0.75}
    assert bm.get_model_cost("c") == {}
    assert bm.get_model_cost("nobody") == {}
    assert bm.get_model_cost(model_name="gpt-4o") == {"a": 0.75, "b": 1.0}
    assert bm.get_model_cost("b", model_name="claude-3-haiku") == {"b": 2.0}


# ---------------------------------------------------------------------------- resets


def test_reset_cost(bm, budget_file):
    bm.create_budget(10, "u")
    bm.update_cost("u", 3.0, model="gpt-4o")
    assert bm.reset_cost("u") == {"user": {"total_budget": 10.0, "current_cost": 0.0, "model_cost": {}}}
    assert bm.get_current_cost("u") == 0.0
    assert read(budget_file)["u"]["current_cost"] == 0.0
    with pytest.raises(KeyError, match="ghost"):
        bm.reset_cost("ghost")


@pytest.mark.parametrize("name,days", list(DURATIONS.items()))
def test_reset_on_duration_boundaries(bm, clock, name, days):
    bm.create_budget(100, "u", duration=name)
    bm.update_cost("u", 4.0, model="gpt-4o")
    clock.advance(days=days, seconds=-1)
    assert bm.reset_on_duration("u") is False
    assert bm.get_current_cost("u") == 4.0
    clock.advance(seconds=1)
    assert bm.reset_on_duration("u") is True
    assert bm.get_current_cost("u") == 0.0
    assert bm.get_model_cost("u") == {}
    assert bm.get_budget("u")["last_updated_at"] == clock.now
    # the next period starts at the reset
    bm.update_cost("u", 1.0)
    clock.advance(days=days, seconds=-1)
    assert bm.reset_on_duration("u") is False
    clock.advance(seconds=1)
    assert bm.reset_on_duration("u") is True


def test_reset_on_duration_without_duration_or_user(bm):
    bm.create_budget(10, "u")
    bm.update_cost("u", 1.0)
    assert bm.reset_on_duration("u") is False
    assert bm.reset_on_duration("ghost") is False
    assert bm.get_current_cost("u") == 1.0


def test_update_budget_all_users(bm, clock, budget_file):
    bm.create_budget(10, "daily", duration="daily")
    bm.create_budget(10, "weekly", duration="weekly")
    bm.create_budget(10, "forever")
    for user in ("daily", "weekly", "forever"):
        bm.update_cost(user, 1.5)
    clock.advance(days=2)
    assert bm.update_budget_all_users() == ["daily"]
    assert [bm.get_current_cost(u) for u in ("daily", "weekly", "forever")] == [0.0, 1.5, 1.5]
    clock.advance(days=6)
    assert sorted(bm.update_budget_all_users()) == ["daily", "weekly"]
    assert read(budget_file)["weekly"]["current_cost"] == 0.0
    assert read(budget_file)["forever"]["current_cost"] == 1.5


# ---------------------------------------------------------------------------- persistence


def test_a_new_manager_reads_the_file(bm, budget_file):
    bm.create_budget(7, "u", duration="weekly")
    bm.update_cost("u", 0.75, model="gpt-4o")
    other = BudgetManager("test_project", budget_file=str(budget_file))
    assert other.get_users() == ["u"]
    assert other.get_current_cost("u") == 0.75
    assert other.get_budget("u")["duration_name"] == "weekly"


def test_reads_a_litellm_written_file(budget_file, clock):
    litellm_file = {
        "1234": {"total_budget": 10, "current_cost": 0.0012, "model_cost": {"gpt-3.5-turbo-0613": 0.0012}},
        "5678": {
            "total_budget": 5,
            "duration": 1,
            "created_at": clock.now - 90000,
            "last_updated_at": clock.now - 90000,
        },
    }
    budget_file.write_text(json.dumps(litellm_file, indent=4))
    bm = BudgetManager("p", budget_file=str(budget_file))
    assert bm.get_total_budget("1234") == 10
    assert bm.get_model_cost("1234") == {"gpt-3.5-turbo-0613": 0.0012}
    assert bm.reset_on_duration("5678") is True


def test_managers_see_each_others_changes(budget_file):
    a = BudgetManager("p", budget_file=str(budget_file))
    b = BudgetManager("p", budget_file=str(budget_file))
    a.create_budget(10, "u")
    assert b.is_valid_user("u")  # b re-reads the changed file
    a.update_cost("u", 0.5)
    b.update_cost("u", 0.25)
    assert a.get_current_cost("u") == 0.75
    assert b.get_current_cost("u") == 0.75
    assert read(budget_file)["u"]["current_cost"] == 0.75


def test_save_data_keeps_direct_edits_and_other_writers(budget_file):
    a = BudgetManager("p", budget_file=str(budget_file))
    b = BudgetManager("p", budget_file=str(budget_file))
    a.create_budget(10, "mine")
    b.create_budget(10, "theirs")
    a.user_dict.setdefault("mine", {})["total_budget"] = 99.0  # edited directly
    b.update_cost("theirs", 0.5)  # another writer meanwhile
    assert a.save_data() == {"status": "success"}
    data = read(budget_file)
    assert data["mine"]["total_budget"] == 99.0
    assert data["theirs"]["current_cost"] == 0.5
    # an unsaved direct edit survives a refresh caused by another writer, then is saved
    a.user_dict["mine"]["total_budget"] = 5.0
    b.update_cost("theirs", 0.25)
    assert a.get_current_cost("theirs") == 0.75
    assert a.user_dict["mine"]["total_budget"] == 5.0
    a.update_cost("mine", 1.0)
    assert read(budget_file)["mine"] == {"total_budget": 5.0, "current_cost": 1.0}


def test_load_data_reloads(bm, budget_file):
    bm.create_budget(1, "u")
    budget_file.write_text(json.dumps({"v": {"total_budget": 2}}))
    assert bm.load_data() == {"v": {"total_budget": 2}}
    assert bm.get_users() == ["v"]


def test_no_temporary_files_are_left(bm, budget_file):
    for i in range(20):
        bm.create_budget(i, f"u{i}")
        bm.update_cost(f"u{i}", 0.5)
    leftovers = sorted(p.name for p in budget_file.parent.iterdir())
    assert leftovers == ["user_cost.json", "user_cost.json.lock"]


def test_file_mode_is_preserved(bm, budget_file):
    if os.name != "posix":
        pytest.skip("POSIX permissions")
    bm.create_budget(1, "u")
    os.chmod(budget_file, 0o600)
    bm.update_cost("u", 0.5)
    assert (os.stat(budget_file).st_mode & 0o777) == 0o600


def test_an_empty_file_is_an_empty_budget(budget_file):
    budget_file.write_bytes(b"")
    bm = BudgetManager("p", budget_file=str(budget_file))
    assert bm.get_users() == []
    bm.create_budget(1, "u")
    assert read(budget_file) == {"u": {"total_budget": 1.0}}
