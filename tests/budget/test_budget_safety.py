"""Nothing is lost: concurrent processes, crashes mid-write, corrupt files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import textwrap
import threading
import time

import pytest

from litegate.budget import BudgetFileError, BudgetManager


def read(path) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


# ---------------------------------------------------------------------------- corrupt files

CORRUPT = [
    b'{"u": {"total_budget": 10, "current_cost": 0.5',  # truncated
    b"\x00\x00\x00garbage",
    b"[1, 2, 3]",  # valid JSON, wrong shape
    b'{"u": 5}',
    b"\xff\xfe{}",  # not UTF-8
]


@pytest.mark.parametrize("content", CORRUPT)
def test_corrupt_file_at_start_is_a_clear_error_and_untouched(budget_file, content):
    budget_file.write_bytes(content)
    with pytest.raises(BudgetFileError) as info:
        BudgetManager("p", budget_file=str(budget_file))
    assert str(budget_file) in str(info.value)
    assert info.value.path == str(budget_file)
    assert "untouched" in str(info.value)
    assert isinstance(info.value, ValueError)
    assert budget_file.read_bytes() == content


@pytest.mark.parametrize("content", CORRUPT[:3])
def test_file_corrupted_later_is_never_overwritten(budget_file, content):
    bm = BudgetManager("p", budget_file=str(budget_file))
    bm.create_budget(10, "u")
    budget_file.write_bytes(content)
    for action in (
        lambda: bm.update_cost("u", 0.5),
        lambda: bm.check_cost_and_update("u", 0.5),
        lambda: bm.create_budget(5, "v"),
        lambda: bm.reset_cost("u"),
        bm.save_data,
        bm.update_budget_all_users,
        lambda: bm.get_current_cost("u"),
        bm.load_data,
    ):
        with pytest.raises(BudgetFileError):
            action()
        assert budget_file.read_bytes() == content
    assert sorted(p.name for p in budget_file.parent.iterdir()) == ["user_cost.json", "user_cost.json.lock"]


# ---------------------------------------------------------------------------- atomic writes


def test_failed_write_leaves_old_file_and_no_temp(budget_file, monkeypatch):
    import litegate.budget as budget

    bm = BudgetManager("p", budget_file=str(budget_file))
    bm.create_budget(10, "u")
    bm.update_cost("u", 0.5)
    before = budget_file.read_bytes()

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(budget.os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        bm.update_cost("u", 0.25)
    monkeypatch.undo()
    assert budget_file.read_bytes() == before
    assert sorted(p.name for p in budget_file.parent.iterdir()) == ["user_cost.json", "user_cost.json.lock"]
    # the manager did not record the failed change
    assert bm.get_current_cost("u") == 0.5
    bm.update_cost("u", 0.25)
    assert read(budget_file)["u"]["current_cost"] == 0.75


CRASH_CHILD = textwrap.dedent(
    """
    import sys
    from litegate.budget import BudgetManager
    bm = BudgetManager("p", budget_file=sys.argv[1])
    print("ready", flush=True)
    i = 0
    while True:
        i += 1
        bm.update_cost("u", 0.5, model="m")
        bm.create_budget(i, "u%d" % (i % 50))
    """
)


def test_killed_writer_leaves_a_valid_consistent_file(budget_file, python, child_env):
    BudgetManager("p", budget_file=str(budget_file)).create_budget(1e9, "u")
    for round_ in range(3):
        before = read(budget_file)["u"].get("current_cost", 0.0)
        proc = subprocess.Popen(
            [python, "-c", CRASH_CHILD, str(budget_file)], env=child_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        try:
            assert proc.stdout.readline().strip() == b"ready", proc.stderr.read()
            deadline = time.monotonic() + 30
            while read(budget_file)["u"].get("current_cost", 0.0) < before + 5:  # ten writes at least
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.01)
            time.sleep(0.013 * round_)  # then kill it somewhere mid-loop
            proc.send_signal(signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)
            proc.wait(10)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.stdout.close()
            proc.stderr.close()
        data = read(budget_file)  # parses: never torn
        entry = data["u"]
        assert entry["current_cost"] > 0
        # the total and the per-model breakdown were written together
        assert entry["current_cost"] == entry["model_cost"]["m"]
        assert (entry["current_cost"] / 0.5).is_integer()
    # a new manager continues from there and nothing is corrupt
    bm = BudgetManager("p", budget_file=str(budget_file))
    before = bm.get_current_cost("u")
    bm.update_cost("u", 0.5, model="m")
    assert read(budget_file)["u"]["current_cost"] == before + 0.5


# ---------------------------------------------------------------------------- concurrency

UPDATE_CHILD = textwrap.dedent(
    """
    import sys
    from litegate.budget import BudgetManager
    path, worker, n, cost = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    bm = BudgetManager("p", budget_file=path)
    bm.create_budget(1000.0, "worker-%d" % worker)  # new users appear concurrently too
    for i in range(n):
        assert bm.update_cost("shared", cost, model="model-%d" % (i % 3)) is True
        assert bm.update_cost("worker-%d" % worker, cost) is True
    print("done", flush=True)
    """
)

# costs that add up exactly in binary floating point, whatever the order
COSTS = [0.25, 0.125, 0.5, 0.0625, 1.0, 0.375]


def _run_children(script, args_list, python, env, timeout=120):
    procs = [
        subprocess.Popen(
            [python, "-c", script, *map(str, args)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for args in args_list
    ]
    outputs = []
    try:
        for proc in procs:
            out, err = proc.communicate(timeout=timeout)
            assert proc.returncode == 0, err.decode()
            outputs.append(out.decode())
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return outputs


def test_concurrent_processes_add_up_exactly(budget_file, python, child_env):
    n = 50
    BudgetManager("p", budget_file=str(budget_file)).create_budget(10_000.0, "shared")
    _run_children(UPDATE_CHILD, [(budget_file, w, n, c) for w, c in enumerate(COSTS)], python, child_env)
    data = read(budget_file)
    expected = sum(n * c for c in COSTS)
    assert data["shared"]["current_cost"] == expected
    per_model = data["shared"]["model_cost"]
    assert sum(per_model.values()) == expected
    for m in range(3):
        calls = len([i for i in range(n) if i % 3 == m])
        assert per_model[f"model-{m}"] == sum(calls * c for c in COSTS)
    for w, c in enumerate(COSTS):
        assert data[f"worker-{w}"] == {"total_budget": 1000.0, "current_cost": n * c}
    assert BudgetManager("p", budget_file=str(budget_file)).get_current_cost("shared") == expected


CHECK_CHILD = textwrap.dedent(
    """
    import sys
    from litegate.budget import BudgetManager
    path, n = sys.argv[1], int(sys.argv[2])
    bm = BudgetManager("p", budget_file=path)
    allowed = sum(bm.check_cost_and_update("capped", potential_cost=0.25) for _ in range(n))
    print(allowed, flush=True)
    """
)


def test_concurrent_check_cost_and_update_never_overspends(budget_file, python, child_env):
    BudgetManager("p", budget_file=str(budget_file)).create_budget(10.0, "capped")
    outputs = _run_children(CHECK_CHILD, [(budget_file, 50)] * 6, python, child_env)
    allowed = sum(int(out.strip()) for out in outputs)
    assert allowed == 40  # 10.0 / 0.25, out of 300 attempts
    assert read(budget_file)["capped"]["current_cost"] == 10.0


def test_concurrent_threads_and_managers_in_one_process(budget_file):
    BudgetManager("p", budget_file=str(budget_file)).create_budget(1000.0, "u")
    shared = BudgetManager("p", budget_file=str(budget_file))
    errors = []

    def work(own_manager: bool, cost: float) -> None:
        try:
            bm = BudgetManager("p", budget_file=str(budget_file)) if own_manager else shared
            for _ in range(40):
                bm.update_cost("u", cost)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i % 2 == 0, COSTS[i % len(COSTS)])) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    expected = sum(40 * COSTS[i % len(COSTS)] for i in range(8))
    assert read(budget_file)["u"]["current_cost"] == expected
    assert shared.get_current_cost("u") == expected


def test_lock_file_is_exclusive_between_processes(budget_file, python, child_env):
    """While one process holds the lock, another's update waits (and then still counts)."""
    if os.name != "posix":
        pytest.skip("uses fcntl directly")
    import fcntl

    BudgetManager("p", budget_file=str(budget_file)).create_budget(10.0, "shared")
    lock_path = str(budget_file) + ".lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        proc = subprocess.Popen(
            [python, "-c", UPDATE_CHILD, str(budget_file), "0", "1", "0.5"],
            env=child_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        time.sleep(1.0)
        assert proc.poll() is None  # blocked on the lock
        assert "worker-0" not in read(budget_file)
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err.decode()
    assert read(budget_file)["shared"]["current_cost"] == 0.5
    assert read(budget_file)["worker-0"] == {"total_budget": 1000.0, "current_cost": 0.5}
