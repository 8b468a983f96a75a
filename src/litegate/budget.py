"""Client-side budgets per user: ``litegate.BudgetManager`` (litellm's ``BudgetManager``).

A budget entry per user holds ``total_budget`` (USD), ``current_cost``, a per-model breakdown
(``model_cost``) and, for budgets that renew, ``duration`` (days), ``created_at`` and
``last_updated_at`` (epoch seconds). The JSON layout of ``user_cost.json`` is litellm's, so a file
written by either library can be read by the other.

``client_type="local"`` (the default) keeps the entries in ``user_cost.json`` in the current
directory. The path can be chosen with ``BudgetManager(..., budget_file=path)`` or the
``LITEGATE_BUDGET_FILE`` environment variable (the argument wins). Nothing is lost:

* every change is a read-modify-write done under an exclusive lock (``fcntl.flock`` on
  ``<file>.lock`` on POSIX, ``msvcrt.locking`` on Windows, an exclusive lock directory
  elsewhere), and the file is re-read under that lock, so several processes (or several managers
  in one process) updating the same file add their costs up exactly;
* the file is replaced atomically: the new content is written to a temporary file in the same
  directory, flushed and fsynced, then renamed over the old one (``os.replace``), so a crash at
  any moment leaves either the old or the new file, never a torn one;
* a file that is not valid budget JSON raises :class:`BudgetFileError` naming it, and is never
  overwritten.

The lock file ``<file>.lock`` stays next to the budget file; it holds no data (removing a lock
file while processes use it would defeat the lock).

``client_type="hosted"`` keeps the entries on an HTTP service speaking litellm's hosted budget
API: ``POST {api_base}/get_budget`` with ``{"project_name": ...}`` answers
``{"status": "success", "data": {user: entry}}`` (or ``{"status": "error"}`` when nothing is
stored yet) and ``POST {api_base}/set_budget`` with ``{"project_name": ..., "user_dict": {...}}``
stores the whole mapping. ``api_base`` defaults to ``https://api.litellm.ai``. Each change
re-reads the mapping, applies the change and stores it (the service offers no lock, so two
writers at the same moment can still race there). ``litegate.testing.budget_server`` has a fake
of this service for tests.

Saves happen synchronously inside the method that changes data (litellm saves from a
background thread); when a method returns, the change is on disk or on the service.

This module needs only the standard library; the hosted client sends through litegate's transport.
"""

from __future__ import annotations

import copy
import datetime as _dt
import json
import math
import os
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing import TypeVar

    _T = TypeVar("_T")

__all__ = ["BudgetManager", "BudgetFileError", "BudgetServiceError", "DURATIONS", "DEFAULT_BUDGET_FILE"]

DEFAULT_BUDGET_FILE = "user_cost.json"
BUDGET_FILE_ENV = "LITEGATE_BUDGET_FILE"
DEFAULT_HOSTED_API_BASE = "https://api.litellm.ai"

# duration name -> days; the same lengths as litellm (a "month" is 28 days), stored as days
DURATIONS: dict[str, int] = {"daily": 1, "weekly": 7, "monthly": 28, "yearly": 365}
_DURATION_NAMES = {days: name for name, days in DURATIONS.items()}
_DAY = 24 * 60 * 60


class BudgetFileError(ValueError):
    """The budget file cannot be used (not valid JSON, or not a ``{user: {...}}`` mapping).

    ``path`` names the file. The file is left exactly as it was: fix it, or move it away to
    start from an empty budget file.
    """

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        super().__init__(
            f"budget file {path!r} {problem}; it was left untouched. Fix the file, or move it away "
            f"to start with no budgets."
        )


class BudgetServiceError(RuntimeError):
    """The hosted budget service failed (connection error, HTTP error, or an error answer)."""


class _NotGiven(float):
    """The default of ``cost`` / ``potential_cost``: 0.0 that can be told apart from a given 0.0."""

    def __repr__(self) -> str:
        return "0.0"


_NOT_GIVEN = _NotGiven(0.0)


def _now() -> float:
    """The current time in epoch seconds (tests replace this function)."""
    return time.time()


def _timestamp(value: Any) -> float:
    if value is None:
        return _now()
    if isinstance(value, _dt.datetime):
        when: _dt.datetime = value
        if when.tzinfo is None:  # the spec passes UTC datetimes; a naive one is read as UTC
            when = when.replace(tzinfo=_dt.timezone.utc)
        return when.timestamp()
    if isinstance(value, _dt.date):
        return _dt.datetime(value.year, value.month, value.day, tzinfo=_dt.timezone.utc).timestamp()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise TypeError(f"created_at must be a datetime or epoch seconds, got {type(value).__name__}")


def _duration_days(duration: Any) -> float | None:
    """Days of a stored or given duration (a name such as "daily", or a number of days)."""
    if duration is None:
        return None
    if isinstance(duration, str):
        days = DURATIONS.get(duration.strip().lower())
        if days is None:
            raise ValueError(f"duration must be one of {list(DURATIONS)} (or None), got {duration!r}")
        return days
    if isinstance(duration, (int, float)) and not isinstance(duration, bool) and duration > 0:
        return duration
    raise ValueError(f"duration must be one of {list(DURATIONS)} (or None), got {duration!r}")


def _check_amount(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of USD, got {type(value).__name__}")
    amount = float(value)
    if math.isnan(amount) or math.isinf(amount) or amount < 0:
        raise ValueError(f"{name} must be a finite, non-negative number of USD, got {amount!r}")
    return amount


# --------------------------------------------------------------------------------------------
# locking
# --------------------------------------------------------------------------------------------

try:  # POSIX
    import fcntl as _fcntl
except ImportError:  # pragma: no cover - Windows and others
    _fcntl = None  # type: ignore[assignment]
try:  # Windows
    import msvcrt as _msvcrt
except ImportError:
    _msvcrt = None  # type: ignore[assignment]

_thread_locks: dict[str, threading.Lock] = {}
_thread_locks_guard = threading.Lock()


def _thread_lock(path: str) -> threading.Lock:
    with _thread_locks_guard:
        lock = _thread_locks.get(path)
        if lock is None:
            lock = _thread_locks[path] = threading.Lock()
        return lock


class _FileLock:
    """Exclusive lock on ``<path>.lock``, between processes and between threads of one process."""

    def __init__(self, path: str, timeout: float = 600.0) -> None:
        self.lock_path = path + ".lock"
        self.timeout = timeout
        self._tlock = _thread_lock(os.path.abspath(path))
        self._fd: int | None = None
        self._dir_lock = False

    def __enter__(self) -> _FileLock:
        self._tlock.acquire()
        try:
            self._acquire()
        except BaseException:
            self._tlock.release()
            raise
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            self._release()
        finally:
            self._tlock.release()

    def _acquire(self) -> None:
        if _fcntl is None and _msvcrt is None:  # pragma: no cover - no file locking primitives
            self._acquire_dir()
            return
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if _fcntl is not None:
                _fcntl.flock(fd, _fcntl.LOCK_EX)  # released by the OS if this process dies
            else:  # pragma: no cover - Windows
                deadline = time.monotonic() + self.timeout
                while True:
                    os.lseek(fd, 0, os.SEEK_SET)
                    try:
                        _msvcrt.locking(fd, _msvcrt.LK_NBLCK, 1)
                        break
                    except OSError:
                        if time.monotonic() > deadline:
                            raise TimeoutError(f"could not lock {self.lock_path!r} in {self.timeout}s") from None
                        time.sleep(0.005)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def _release(self) -> None:
        if self._dir_lock:  # pragma: no cover
            self._dir_lock = False
            os.rmdir(self.lock_path + ".d")
            return
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            if _fcntl is not None:
                _fcntl.flock(fd, _fcntl.LOCK_UN)
            else:  # pragma: no cover - Windows
                os.lseek(fd, 0, os.SEEK_SET)
                _msvcrt.locking(fd, _msvcrt.LK_UNLCK, 1)
        finally:
            os.close(fd)

    def _acquire_dir(self) -> None:  # pragma: no cover - platforms without fcntl and msvcrt
        # mkdir is atomic everywhere; a lock left by a crashed process must be removed by hand
        # (the error names it).
        path = self.lock_path + ".d"
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                os.mkdir(path)
                self._dir_lock = True
                return
            except FileExistsError:
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"could not lock {path!r} in {self.timeout}s; if no process uses the budget "
                        f"file, a crashed one left this directory behind: remove it"
                    ) from None
                time.sleep(0.01)


# --------------------------------------------------------------------------------------------
# the local file
# --------------------------------------------------------------------------------------------


def _stat_key(path: str) -> tuple[int, int, int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_dev)


def _read_budget_file(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        return {}
    if not raw.strip():  # an empty file holds nothing to lose
        return {}
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BudgetFileError(path, f"is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise BudgetFileError(path, f"holds a JSON {type(data).__name__}, not an object of user budgets")
    for user, entry in data.items():
        if not isinstance(entry, dict):
            raise BudgetFileError(path, f"has a non-object entry for user {user!r}")
        problem = _entry_problem(entry)
        if problem:
            raise BudgetFileError(path, f"has {problem} for user {user!r}")
    return data


_NUMBER_FIELDS = ("total_budget", "current_cost", "created_at", "last_updated_at")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _entry_problem(entry: dict[str, Any]) -> str | None:
    """What makes a user's entry unusable (a field that must be a number and is not), or None."""
    for name in _NUMBER_FIELDS:
        if name in entry and not _is_number(entry[name]):
            return f"a non-numeric {name} ({_shown(entry[name])})"
    duration = entry.get("duration")
    if duration is not None:
        try:
            _duration_days(duration)
        except ValueError:
            return f"an invalid duration ({_shown(duration)})"
    per_model = entry.get("model_cost")
    if per_model is not None:
        if not isinstance(per_model, dict):
            return f"a non-object model_cost ({_shown(per_model)})"
        for model, cost in per_model.items():
            if not _is_number(cost):
                return f"a non-numeric model_cost for {_shown(model)} ({_shown(cost)})"
    return None


def _shown(value: Any) -> str:
    from .core.redact import redact

    text = redact(repr(value))  # masked before it is cut
    return text if len(text) <= 60 else text[:57] + "..."


def _write_budget_file(path: str, data: dict[str, Any]) -> None:
    """Atomically replace ``path`` with ``data`` as JSON (temp file + fsync + rename)."""
    import tempfile

    directory = os.path.dirname(path) or "."
    text = json.dumps(data, indent=4)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        try:
            mode = os.stat(path).st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o644
        os.chmod(tmp, mode)
        _replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable (POSIX)
        try:
            dfd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:  # pragma: no cover
            return
        try:
            os.fsync(dfd)
        except OSError:  # pragma: no cover - some file systems refuse
            pass
        finally:
            os.close(dfd)


def _replace(src: str, dst: str) -> None:
    # On Windows a reader holding dst open makes the rename fail for a moment: retry briefly.
    for attempt in range(50):
        try:
            os.replace(src, dst)
            return
        except PermissionError:  # pragma: no cover - Windows
            if os.name != "nt" or attempt == 49:
                raise
            time.sleep(0.01)


def _merge(disk: dict[str, Any], memory: dict[str, Any], synced: dict[str, Any]) -> dict[str, Any]:
    """Three-way merge by user: entries changed in memory since the last sync win, the rest
    (including changes other processes made) come from disk."""
    out = dict(disk)
    for user, entry in memory.items():
        if user not in synced or synced[user] != entry:
            out[user] = copy.deepcopy(entry)
    for user in synced:
        if user not in memory:
            out.pop(user, None)
    return out


def _dirty(memory: dict[str, Any], synced: dict[str, Any]) -> set[str]:
    """Users whose entry in memory differs from the last synced state (deleted ones included)."""
    out = {u for u, e in memory.items() if u not in synced or synced[u] != e}
    out.update(u for u in synced if u not in memory)
    return out


# --------------------------------------------------------------------------------------------
# the manager
# --------------------------------------------------------------------------------------------


class BudgetManager:
    """Budgets per user, kept in ``user_cost.json`` (``client_type="local"``) or on a hosted
    budget service (``client_type="hosted"``).

    ``BudgetManager(project_name=None, client_type="local", api_base=None, headers=None,
    budget_file=None)``. ``budget_file`` (local only; default ``$LITEGATE_BUDGET_FILE`` or
    ``user_cost.json`` in the current directory, resolved when the manager is created) is a
    litegate extension. ``user_dict`` holds the entries as last read or written.
    """

    def __init__(
        self,
        project_name: str | None = None,
        client_type: str = "local",
        api_base: str | None = None,
        headers: dict[str, str] | None = None,
        budget_file: str | None = None,
        timeout: float = 30.0,
        transport: Any = None,
    ) -> None:
        if client_type not in ("local", "hosted"):
            raise ValueError(f"client_type must be 'local' or 'hosted', got {client_type!r}")
        self.project_name = project_name
        self.client_type = client_type
        self.api_base = (api_base or DEFAULT_HOSTED_API_BASE).rstrip("/")
        self.headers = dict(headers) if headers else {"Content-Type": "application/json"}
        self.timeout = timeout
        path = budget_file or os.environ.get(BUDGET_FILE_ENV) or DEFAULT_BUDGET_FILE
        self.budget_file = os.path.abspath(os.fspath(path))
        self.user_dict: dict[str, Any] = {}
        self._synced: dict[str, Any] = {}
        self._stat: tuple[int, int, int, int] | None = None
        self._mutex = threading.RLock()
        self.transport: Any = transport  # None: the package's default transport
        if client_type == "hosted" and not project_name:
            raise ValueError("client_type='hosted' needs a project_name (the key of the budgets on the service)")
        self.load_data()

    def __repr__(self) -> str:
        where = self.budget_file if self.client_type == "local" else self.api_base
        return f"<BudgetManager {self.client_type} {where!r} users={len(self.user_dict)}>"

    # ------------------------------------------------------------------ storage
    def print_verbose(self, print_statement: Any) -> None:
        from .core.log import log

        log.debug("%s", print_statement)

    def load_data(self) -> dict[str, Any]:
        """(Re)load the entries from the file or the service; returns ``user_dict``."""
        with self._mutex:
            if self.client_type == "local":
                stat = _stat_key(self.budget_file)
                data = _read_budget_file(self.budget_file)
                self._set_synced(data, stat)
            else:
                self._set_synced(self._hosted_get())
            return self.user_dict

    def save_data(self) -> dict[str, Any]:
        """Store the in-memory entries (changes made directly to ``user_dict`` included).

        Merged user by user with what other writers stored since (entries changed here win):
        locally under the file lock, returning ``{"status": "success"}``; hosted with
        ``/get_budget`` then ``POST /set_budget``, returning the service's answer.
        """
        with self._mutex:
            if self.client_type == "local":
                with _FileLock(self.budget_file):
                    disk = _read_budget_file(self.budget_file)
                    data = _merge(disk, self.user_dict, self._synced)
                    _write_budget_file(self.budget_file, data)
                    self._set_synced(data, _stat_key(self.budget_file))
                return {"status": "success"}
            remote = self._hosted_get()
            data = _merge(remote, self.user_dict, self._synced)
            answer = self._hosted_set(data)
            self._set_synced(data)
            return answer

    def _set_synced(self, data: dict[str, Any], stat: tuple[int, int, int, int] | None = None) -> None:
        self.user_dict = data
        self._synced = copy.deepcopy(data)
        self._stat = stat

    def _refresh(self) -> None:
        """Local: pick up changes other processes wrote (cheap when the file did not change).

        Entries edited directly in ``user_dict`` and not saved yet stay as they are (and stay
        marked as unsaved).
        """
        if self.client_type != "local":
            return
        with self._mutex:
            stat = _stat_key(self.budget_file)
            if stat == self._stat:
                return
            disk = _read_budget_file(self.budget_file)
            dirty = _dirty(self.user_dict, self._synced)
            merged = _merge(disk, self.user_dict, self._synced)
            synced = {u: copy.deepcopy(e) for u, e in disk.items() if u not in dirty}
            synced.update({u: self._synced[u] for u in dirty if u in self._synced})
            self.user_dict, self._synced, self._stat = merged, synced, stat

    def _transact(self, change: Callable[[dict[str, Any]], tuple[_T, bool]]) -> _T:
        """Run ``change(data) -> (result, changed)`` on the freshest entries; store them if
        anything changed (or unsaved direct edits of ``user_dict`` were merged in)."""
        with self._mutex:
            if self.client_type == "local":
                with _FileLock(self.budget_file):
                    disk = _read_budget_file(self.budget_file)
                    data = _merge(disk, self.user_dict, self._synced)
                    pending = data != disk
                    result, changed = change(data)
                    if changed or pending:
                        _write_budget_file(self.budget_file, data)
                    self._set_synced(data, _stat_key(self.budget_file))
                    return result
            remote = self._hosted_get()
            data = _merge(remote, self.user_dict, self._synced)
            pending = data != remote
            result, changed = change(data)
            if changed or pending:
                self._hosted_set(data)
            self._set_synced(data)
            return result

    def _view(self) -> dict[str, Any]:
        self._refresh()
        return self.user_dict

    # ------------------------------------------------------------------ hosted client
    def _post(self, route: str, payload: dict[str, Any]) -> Any:
        from .core.http import HttpRequest
        from .core.jsonutil import loads
        from .core.transport import fetch
        from .exceptions import LiteLLMException

        url = self.api_base + route
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:  # through the package's transport (or the one given), like every request
            resp = fetch(HttpRequest("POST", url, headers, payload), self.timeout, self.transport)
        except LiteLLMException as exc:
            raise BudgetServiceError(f"budget service {url} unreachable: {type(exc).__name__}: {exc.message}") from exc
        if resp.status_code >= 400:
            raise BudgetServiceError(f"budget service {url} answered HTTP {resp.status_code}: {resp.text[:300]}")
        try:
            return loads(resp.content)
        except ValueError:
            raise BudgetServiceError(f"budget service {url} answered non-JSON: {resp.text[:300]!r}") from None

    def close(self) -> None:
        """Nothing to release: the hosted client shares the package's pooled transport."""

    def _hosted_get(self) -> dict[str, Any]:
        answer = self._post("/get_budget", {"project_name": self.project_name})
        if not isinstance(answer, dict):
            raise BudgetServiceError(f"budget service answered {answer!r:.200} to /get_budget")
        if answer.get("status") == "error":  # nothing stored for this project yet
            return {}
        data = answer.get("data")
        if data is None:
            return {}
        if not isinstance(data, dict) or any(not isinstance(v, dict) for v in data.values()):
            raise BudgetServiceError(f"budget service returned malformed data for /get_budget: {data!r:.200}")
        return data

    def _hosted_set(self, data: dict[str, Any]) -> dict[str, Any]:
        answer = self._post("/set_budget", {"project_name": self.project_name, "user_dict": data})
        if isinstance(answer, dict) and answer.get("status") == "error":
            raise BudgetServiceError(f"budget service refused /set_budget: {answer.get('message', answer)!r:.300}")
        reply: dict[str, Any] = answer
        return reply

    # ------------------------------------------------------------------ budgets
    def create_budget(
        self,
        total_budget: float,
        user: str,
        duration: str | None = None,
        created_at: Any = None,
        budget_id: str | None = None,
    ) -> dict[str, Any]:
        """Create the budget of ``user``, or update it (spending so far is kept).

        ``duration`` ("daily", "weekly", "monthly" = 28 days, "yearly" = 365 days) makes the
        spending reset once per period (see :meth:`reset_on_duration`); ``created_at`` (a UTC
        datetime, or epoch seconds; default now) starts the first period. Returns the entry.
        """
        if not isinstance(user, str):
            raise TypeError(f"user must be a string (it is a JSON key), got {type(user).__name__}")
        total = _check_amount(total_budget, "total_budget")
        days = _duration_days(duration)
        start = None if created_at is None else _timestamp(created_at)

        def change(data: dict[str, Any]) -> tuple[dict[str, Any], bool]:
            old = data.get(user) or {}
            entry = dict(old)
            entry["total_budget"] = total
            if days is None:
                for key in ("duration", "created_at", "last_updated_at"):
                    entry.pop(key, None)
            else:
                same_period = old.get("duration") == days and start is None and "last_updated_at" in old
                if not same_period:
                    begin = _now() if start is None else start
                    entry["duration"] = days
                    entry["created_at"] = begin
                    entry["last_updated_at"] = begin
            if budget_id is not None:
                entry["budget_id"] = budget_id
            data[user] = entry
            return copy.deepcopy(entry), True

        return self._transact(change)

    def get_budget(self, user: str, budget_id: str | None = None) -> dict[str, Any] | None:
        """The budget entry of ``user`` (a copy, with ``current_cost``, ``last_reset_at`` and
        ``duration_name`` filled in), or None. With ``budget_id``, only an entry of that id."""
        entry = self._view().get(user)
        if entry is None or (budget_id is not None and entry.get("budget_id") != budget_id):
            return None
        out: dict[str, Any] = copy.deepcopy(entry)
        out.setdefault("current_cost", 0.0)
        out.setdefault("model_cost", {})
        if "duration" in out:
            out["duration_name"] = _DURATION_NAMES.get(out["duration"])
            out["last_reset_at"] = out.get("last_updated_at", out.get("created_at"))
        return out

    def get_total_budget(self, user: str) -> float:
        """The budget of ``user`` in USD (0.0 for an unknown user)."""
        entry = self._view().get(user)
        return float(entry.get("total_budget", 0.0)) if entry else 0.0

    def is_valid_user(self, user: str) -> bool:
        """Whether ``user`` has a budget."""
        return user in self._view()

    def get_users(self) -> list[str]:
        """Every user with a budget."""
        return list(self._view().keys())

    # ------------------------------------------------------------------ spending
    def _cost_of(
        self,
        given: Any,
        completion_obj: Any,
        model: str | None,
        input_text: str | None,
        output_text: str | None,
        call_type: str,
        prompt_tokens: int | None,
        completion_tokens: int | None,
        name: str,
    ) -> tuple[float, str | None]:
        """(cost, model) of one call: the given cost, else ``completion_cost`` of the call."""
        if given is None:
            given = _NOT_GIVEN
        elif given is not _NOT_GIVEN and not isinstance(given, (int, float)) and completion_obj is None:
            completion_obj, given = given, _NOT_GIVEN  # update_cost(user, response) positionally
        if completion_obj is not None:
            obj_model = getattr(completion_obj, "model", None)
            if obj_model is None and isinstance(completion_obj, dict):
                obj_model = completion_obj.get("model")
            model = model or obj_model
        if given is not _NOT_GIVEN:
            return _check_amount(given, name), model
        from .cost.calculator import completion_cost

        if completion_obj is not None:
            cost = completion_cost(completion_response=completion_obj, call_type=call_type)
        elif model and (
            input_text is not None
            or output_text is not None
            or prompt_tokens is not None
            or completion_tokens is not None
        ):
            kwargs: dict[str, Any] = {"model": model, "call_type": call_type}
            if input_text is not None:
                kwargs["prompt"] = input_text
            if output_text is not None:
                kwargs["completion"] = output_text
            if prompt_tokens is not None:
                kwargs["prompt_tokens"] = prompt_tokens
            if completion_tokens is not None:
                kwargs["completion_tokens"] = completion_tokens
            cost = completion_cost(**kwargs)
        else:
            raise ValueError(
                f"{name}: pass the cost, a completion response (completion_obj=...), or model= with "
                f"input_text/output_text or prompt_tokens/completion_tokens"
            )
        if cost is None:
            raise ValueError(f"the cost of this call is unknown (model={model!r}); pass {name}= explicitly")
        return _check_amount(cost, "cost"), model

    @staticmethod
    def _add(entry: dict[str, Any], cost: float, model: str | None) -> None:
        entry["current_cost"] = entry.get("current_cost", 0.0) + cost
        if model:
            per_model = entry.get("model_cost")
            if not isinstance(per_model, dict):
                per_model = entry["model_cost"] = {}
            per_model[model] = per_model.get(model, 0.0) + cost

    def update_cost(
        self,
        user: str,
        cost: float = _NOT_GIVEN,
        completion_obj: Any = None,
        model: str | None = None,
        input_text: str | None = None,
        output_text: str | None = None,
        call_type: str = "completion",
        prompt_tokens: int | None = None,
        completion_tokens: int | None = None,
    ) -> bool:
        """Add the cost of a call to ``user``'s spending (and to its per-model breakdown).

        Give the cost, or what ``completion_cost`` needs: ``completion_obj`` (a response), or
        ``model`` with ``input_text``/``output_text`` or ``prompt_tokens``/``completion_tokens``.
        Returns True, or False when ``user`` has no budget.
        """
        amount, model = self._cost_of(
            cost, completion_obj, model, input_text, output_text, call_type, prompt_tokens, completion_tokens, "cost"
        )

        def change(data: dict[str, Any]) -> tuple[bool, bool]:
            entry = data.get(user)
            if entry is None:
                return False, False
            self._add(entry, amount, model)
            return True, True

        return self._transact(change)

    def check_cost_and_update(
        self,
        user: str,
        potential_cost: float = _NOT_GIVEN,
        completion_obj: Any = None,
        model: str | None = None,
        input_text: str | None = None,
        output_text: str | None = None,
        call_type: str = "completion",
        prompt_tokens: int | None = None,
        completion_tokens: int | None = None,
    ) -> bool:
        """Add the cost only if it keeps ``user`` within budget, in one locked step.

        Returns True when the cost was added (spending + cost <= total_budget), False when it
        would exceed the budget (nothing changes) or ``user`` has no budget.
        """
        amount, model = self._cost_of(
            potential_cost,
            completion_obj,
            model,
            input_text,
            output_text,
            call_type,
            prompt_tokens,
            completion_tokens,
            "potential_cost",
        )

        def change(data: dict[str, Any]) -> tuple[bool, bool]:
            entry = data.get(user)
            if entry is None:
                return False, False
            if entry.get("current_cost", 0.0) + amount > entry.get("total_budget", 0.0):
                return False, False
            self._add(entry, amount, model)
            return True, True

        return self._transact(change)

    def get_current_cost(self, user: str) -> float:
        """``user``'s spending since the last reset (0.0 for an unknown user)."""
        entry = self._view().get(user)
        return float(entry.get("current_cost", 0.0)) if entry else 0.0

    def get_model_cost(self, user: str | None = None, model_name: str | None = None) -> dict[str, float]:
        """``user``'s spending per model since the last reset (``{}`` when none).

        With ``model_name=`` instead: that model's spending per user.
        """
        data = self._view()
        if user is None and model_name is None:
            raise TypeError("get_model_cost needs a user (or model_name=...)")
        if user is not None:
            entry = data.get(user) or {}
            per_model = entry.get("model_cost") or {}
            if model_name is not None:
                return {user: per_model[model_name]} if model_name in per_model else {}
            return dict(per_model)
        return {
            u: e["model_cost"][model_name]
            for u, e in data.items()
            if isinstance(e.get("model_cost"), dict) and model_name in e["model_cost"]
        }

    def projected_cost(self, model: str, messages: list[Any], user: str) -> float:
        """``user``'s spending plus the prompt cost of sending ``messages`` to ``model``."""
        from .cost.calculator import cost_per_token
        from .tokens import token_counter

        prompt_tokens = token_counter(model=model, messages=messages)
        prompt_cost, _ = cost_per_token(model=model, prompt_tokens=prompt_tokens, completion_tokens=0)
        return self.get_current_cost(user) + prompt_cost

    # ------------------------------------------------------------------ resets
    def reset_cost(self, user: str) -> dict[str, Any]:
        """Set ``user``'s spending (and per-model breakdown) back to zero; returns ``{"user": entry}``."""

        def change(data: dict[str, Any]) -> tuple[dict[str, Any], bool]:
            entry = data.get(user)
            if entry is None:
                raise KeyError(f"user {user!r} has no budget (create one with create_budget)")
            entry["current_cost"] = 0.0
            entry["model_cost"] = {}
            return {"user": copy.deepcopy(entry)}, True

        return self._transact(change)

    @staticmethod
    def _reset_if_due(entry: dict[str, Any], now: float) -> bool:
        try:
            days = _duration_days(entry.get("duration"))
        except ValueError:
            return False
        if days is None:
            return False
        last = entry.get("last_updated_at", entry.get("created_at"))
        if not isinstance(last, (int, float)):
            last = None
        if last is not None and now - last < days * _DAY:
            return False
        entry["current_cost"] = 0.0
        entry["model_cost"] = {}
        entry["last_updated_at"] = now
        return True

    def reset_on_duration(self, user: str) -> bool:
        """Reset ``user``'s spending if its budget period has passed since the last reset.

        Returns True when it reset, False otherwise (no such user, no duration, period not over).
        """
        if user not in self._view() or "duration" not in self.user_dict[user]:
            return False
        now = _now()

        def change(data: dict[str, Any]) -> tuple[bool, bool]:
            entry = data.get(user)
            if entry is None:
                return False, False
            done = self._reset_if_due(entry, now)
            return done, done

        return self._transact(change)

    def update_budget_all_users(self) -> list[str]:
        """Reset every user whose budget period has passed (run it periodically).

        Returns the users that were reset.
        """
        if not any("duration" in e for e in self._view().values()):
            return []
        now = _now()

        def change(data: dict[str, Any]) -> tuple[list[str], bool]:
            done = [user for user, entry in data.items() if "duration" in entry and self._reset_if_due(entry, now)]
            return done, bool(done)

        return self._transact(change)
