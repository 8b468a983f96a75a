"""Alias mode: ``import litellm`` (and its submodules) gives litegate.

For programs and frameworks that import litellm themselves (DSPy, langchain-litellm, smolagents,
aider, ...). Turn it on once, at program start, before those imports::

    import litegate
    litegate.alias_litellm()        # or: import litegate.as_litellm

or, for a program you cannot edit, start it through litegate::

    litegate run -- python prog.py args...     # also: python -m litegate.alias prog.py args...

(``litegate run`` puts a small ``litellm`` package first on ``PYTHONPATH``, so the program and
every Python subprocess it starts alias on their first ``import litellm``; ``litegate alias-path``
prints that directory for setting ``PYTHONPATH`` yourself.)

What alias mode does:

* a finder first on ``sys.meta_path`` answers ``litellm`` and ``litellm.<sub>``: the names in
  :data:`MODULES` map to litegate modules (and the compatibility names of :mod:`litegate.compat`);
  any other ``litellm.X.Y`` maps to ``litegate.X.Y`` when litegate has it (``litellm.router`` ->
  ``litegate.router``), else it is not found. A real litellm installed beside litegate is never
  imported.
* ``litellm`` reads litegate's settings and functions; setting ``litellm.<name>`` sets
  ``litegate.<name>`` (so ``litellm.drop_params = True`` applies to the calls).
* the response classes present themselves as ``litellm.types.utils.<Class>`` and the exceptions as
  ``litellm.exceptions.<Class>`` (frameworks check those module names; pickles made in alias mode
  load back in alias mode).
* ``dir(litellm)`` lists exactly litellm's exception names (:data:`LITELLM_ERROR_NAMES`); the
  litegate-only ones (``InputValidationError``, ...) stay reachable as attributes.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import logging
import sys
import threading
import types
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from importlib.abc import Loader

__all__ = ["alias_litellm", "is_aliased", "MODULES", "LITELLM_ERROR_NAMES", "alias_path"]

ROOT = "litellm"
_COMPAT = "litegate.compat"

# The names ending in "Error" that ``dir(litellm)`` shows (litellm's own exception exports; aider
# compares them with its list and fails on any extra or missing one).
LITELLM_ERROR_NAMES: frozenset[str] = frozenset(
    {
        "APIConnectionError",
        "APIError",
        "APIResponseValidationError",
        "AuthenticationError",
        "AzureOpenAIError",
        "BadGatewayError",
        "BadRequestError",
        "BudgetExceededError",
        "ContentPolicyViolationError",
        "ContextWindowExceededError",
        "ImageFetchError",
        "InternalServerError",
        "InvalidRequestError",
        "JSONSchemaValidationError",
        "NotFoundError",
        "OpenAIError",
        "PermissionDeniedError",
        "RateLimitError",
        "RouterRateLimitError",
        "ServiceUnavailableError",
        "UnprocessableEntityError",
        "UnsupportedParamsError",
    }
)

# litellm module -> the litegate modules whose names it shows (first that has a name wins). Built
# from what DSPy, langchain-litellm, smolagents and aider import. Modules that may be missing from
# a build (the Router, caching, integrations) are skipped when absent.
_TYPES_MODULES = (
    "litegate.types.utils",
    "litegate.types.base",
    "litegate.types.chat",
    "litegate.types.completion",
    "litegate.types.embedding",
    "litegate.types.media",
    "litegate.types.rerank",
    "litegate.types.models",
    "litegate.types.streaming",
)
MODULES: dict[str, tuple[str, ...]] = {
    "litellm.main": ("litegate.main", "litegate", _COMPAT),
    "litellm.utils": ("litegate.utils", "litegate", _COMPAT),
    "litellm.exceptions": ("litegate.exceptions", "litegate.compat._exceptions"),
    "litellm.types": ("litegate.types",),
    "litellm.types.utils": _TYPES_MODULES,
    "litellm.types.llms": (),
    "litellm.types.llms.openai": _TYPES_MODULES,
    "litellm.types.rerank": ("litegate.types.rerank",),
    "litellm.types.embedding": ("litegate.types.embedding",),
    "litellm.types.router": ("litegate.types.router", "litegate.router"),
    "litellm.types.caching": ("litegate.types.caching", "litegate.caching"),
    "litellm._logging": ("litegate.compat._logging",),
    "litellm.cost_calculator": ("litegate.cost.calculator", "litegate.cost.info"),
    "litellm.litellm_core_utils": (),
    "litellm.litellm_core_utils.streaming_handler": ("litegate.core.streaming",),
    "litellm.litellm_core_utils.get_llm_provider_logic": ("litegate.core.resolve",),
    "litellm.litellm_core_utils.token_counter": ("litegate.tokens",),
    "litellm.integrations": ("litegate.integrations",),
    "litellm.integrations.custom_logger": ("litegate.integrations.custom_logger", "litegate.compat.custom_logger"),
    "litellm.budget_manager": ("litegate.budget",),
    "litellm.secret_managers": (),
    "litellm.secret_managers.main": (_COMPAT,),
}

# litellm submodules reached as attributes of ``litellm`` that map to ``litegate.<name>`` when it exists
_GENERIC_SUBMODULES = frozenset({"router", "caching", "integrations"})

# classes shown under a litellm module name in alias mode: litegate module prefix -> litellm module
_PRESENT_AS = (
    ("litegate.types.", "litellm.types.utils"),
    ("litegate.exceptions", "litellm.exceptions"),
    ("litegate.compat._exceptions", "litellm.exceptions"),
)

# functions pickles of litegate objects name (exceptions are rebuilt through one)
_PICKLE_HELPERS = {"litegate.exceptions": ("_restore",)}

_log = logging.getLogger("litegate")
_lock = threading.RLock()
_state: dict[str, Any] = {"finder": None, "renamed": []}


def _litegate() -> Any:
    import litegate

    return litegate


def _import_optional(name: str) -> Any:
    """The module, or None when this build does not have it (a missing module, not a broken one)."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and (name == exc.name or name.startswith(exc.name + ".")):
            return None
        raise


def _sources_for(fullname: str) -> tuple[str, ...] | None:
    """The litegate modules behind ``litellm.<...>``, or None when litegate has nothing for it."""
    if fullname in MODULES:
        return MODULES[fullname]
    generic = "litegate" + fullname[len(ROOT) :]
    try:
        found = importlib.util.find_spec(generic)
    except (ImportError, ValueError):
        found = None
    return (generic,) if found is not None else None


class _AliasModule(types.ModuleType):
    """``litellm.<sub>``: names are looked up in its litegate source modules on first use."""

    def __init__(self, name: str, sources: tuple[str, ...]) -> None:
        super().__init__(name)
        self.__path__: list[str] = []  # a package: its submodules come through the finder too
        self.__package__ = name
        self.__dict__["_litegate_sources"] = sources

    def _lookup(self, name: str) -> Any:
        for source in self.__dict__["_litegate_sources"]:
            module = _import_optional(source)
            if module is None:
                continue
            try:
                return getattr(module, name)
            except AttributeError:
                continue
        full = f"{self.__name__}.{name}"
        if not name.startswith("_") and _sources_for(full) is not None:
            return importlib.import_module(full)  # a submodule used as an attribute
        raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        value = self._lookup(name)
        self.__dict__[name] = value
        return value

    def __dir__(self) -> list[str]:
        names = set(self.__dict__)
        for source in self.__dict__["_litegate_sources"]:
            module = _import_optional(source)
            if module is not None:
                names.update(n for n in dir(module) if not n.startswith("_"))
        names.discard("_litegate_sources")
        return sorted(names)


class _RootModule(_AliasModule):
    """``litellm`` itself: litegate's settings and functions, read and written through."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        full = f"{ROOT}.{name}"
        if full in MODULES or name in _GENERIC_SUBMODULES:  # litellm.utils is not litegate.utils
            if _sources_for(full) is not None:
                return importlib.import_module(full)
        lg = _litegate()
        try:
            return getattr(lg, name)  # not cached: settings change
        except AttributeError:
            pass
        try:
            return getattr(importlib.import_module(_COMPAT), name)
        except AttributeError:
            raise AttributeError(f"module 'litellm' has no attribute {name!r} (litegate's alias)") from None

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("__") or (
            isinstance(value, types.ModuleType) and getattr(value, "__name__", "").startswith(ROOT + ".")
        ):
            self.__dict__[name] = value  # module attributes and submodules the import system binds
            return
        setattr(_litegate(), name, value)

    def __delattr__(self, name: str) -> None:
        if name in self.__dict__:
            del self.__dict__[name]
        else:
            delattr(_litegate(), name)

    def __dir__(self) -> list[str]:
        lg = _litegate()
        compat = importlib.import_module(_COMPAT)
        names = {n for n in dir(lg) if not n.endswith("Error")}
        names.update(n for n in compat.__all__ if not n.endswith("Error"))
        names.update(compat.NOOP_SETTINGS)
        names.update(LITELLM_ERROR_NAMES)
        names.update(n for n, v in self.__dict__.items() if isinstance(v, types.ModuleType))
        names.discard("_litegate_sources")
        return sorted(names)


class _Loader:  # the loader protocol (importlib.abc is not imported: it costs tens of ms)
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        if spec.name == ROOT:
            return _RootModule(ROOT, ("litegate", _COMPAT))
        sources = _sources_for(spec.name)
        return _AliasModule(spec.name, sources or ())

    def exec_module(self, module: types.ModuleType) -> None:
        pass


class _Finder:  # the meta path finder protocol
    """First on ``sys.meta_path``: ``litellm`` and ``litellm.*`` never reach another finder's result."""

    loader = _Loader()

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != ROOT and not fullname.startswith(ROOT + "."):
            return None
        if fullname != ROOT and _sources_for(fullname) is None:
            raise ModuleNotFoundError(
                f"No module named {fullname!r}: litegate's litellm alias has no counterpart for it "
                f"(see litegate.alias.MODULES)",
                name=fullname,
            )
        # _Loader has the loader protocol's methods without subclassing importlib.abc.Loader
        return importlib.machinery.ModuleSpec(fullname, cast("Loader", self.loader), is_package=True)


def is_aliased() -> bool:
    """True when ``import litellm`` gives litegate in this process."""
    return _state["finder"] is not None


def alias_litellm() -> types.ModuleType:
    """Make ``import litellm`` and ``import litellm.<sub>`` resolve to litegate from now on.

    Call it at program start, before the frameworks that import litellm. Idempotent. A real
    litellm imported earlier is dropped from ``sys.modules`` (with a warning: objects already taken
    from it stay litellm's). Returns the ``litellm`` module.
    """
    with _lock:
        if _state["finder"] is None:
            earlier = [
                name
                for name, mod in list(sys.modules.items())
                if (name == ROOT or name.startswith(ROOT + "."))
                and not isinstance(mod, _AliasModule)
                and not getattr(mod, "__litegate_shim__", False)
            ]
            if earlier:
                _log.warning(
                    "litegate: litellm was imported before alias_litellm(); later imports give litegate, "
                    "objects taken from the earlier import stay litellm's"
                )
            for name in earlier:
                del sys.modules[name]
            finder = _Finder()
            sys.meta_path.insert(0, finder)
            _state["finder"] = finder
            _present_as_litellm()
        elif sys.meta_path[0] is not _state["finder"]:  # something put itself in front: stay first
            sys.meta_path.remove(_state["finder"])
            sys.meta_path.insert(0, _state["finder"])
        root = sys.modules.get(ROOT)
        if not isinstance(root, _RootModule):
            sys.modules.pop(ROOT, None)  # the PYTHONPATH shim, while it is being imported
            root = importlib.import_module(ROOT)
        return root


def _present_as_litellm() -> None:
    """Give litegate's response classes and exceptions litellm's module names (pickles name them
    that way; DSPy keeps only stream chunks whose class lives in a ``litellm`` module)."""
    renamed = _state["renamed"]
    seen: dict[str, set[str]] = {}
    modules = [
        *(_import_optional(m) for m in _TYPES_MODULES),
        importlib.import_module("litegate.exceptions"),
        importlib.import_module("litegate.compat._exceptions"),
    ]
    for module in modules:
        if module is None:
            continue
        target = next((alias for prefix, alias in _PRESENT_AS if module.__name__.startswith(prefix)), None)
        if target is None:
            continue
        helpers = _PICKLE_HELPERS.get(module.__name__, ())
        for name, obj in list(vars(module).items()):
            if not (isinstance(obj, type) or name in helpers):
                continue
            if obj.__module__ != module.__name__ or obj.__qualname__ != name:
                continue
            taken = seen.setdefault(target, set())
            if name in taken:
                continue  # two classes of one name: keep the first under the litellm name
            taken.add(name)
            rebuild = getattr(obj, "model_rebuild", None)
            if rebuild is not None and not getattr(obj, "__pydantic_complete__", True):
                rebuild()
            renamed.append((obj, obj.__module__))
            obj.__module__ = target
            _register(target, name, obj)


def _register(module_name: str, name: str, obj: Any) -> None:
    """Make ``module_name.name`` resolve to ``obj`` (what pickle checks and loads)."""
    module = importlib.import_module(module_name)
    module.__dict__.setdefault(name, obj)


def _unalias() -> None:
    """Undo :func:`alias_litellm` (for tests): the finder, the ``litellm`` modules, the class names."""
    with _lock:
        finder = _state["finder"]
        if finder is None:
            return
        if finder in sys.meta_path:
            sys.meta_path.remove(finder)
        _state["finder"] = None
        for name in [n for n, m in sys.modules.items() if isinstance(m, _AliasModule)]:
            del sys.modules[name]
        for obj, module_name in reversed(_state["renamed"]):
            obj.__module__ = module_name
        _state["renamed"] = []


def alias_path() -> str:
    """The directory whose ``litellm`` package turns alias mode on at its first import (for
    ``PYTHONPATH``; ``litegate run`` and ``litegate alias-path`` use it)."""
    import os

    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "_alias_path")


def _run_main(argv: list[str]) -> int:
    """``python -m litegate.alias prog.py args`` / ``python -m litegate.alias -m module args``."""
    import runpy

    if not argv or argv[0] in ("-h", "--help"):
        print(
            "usage: python -m litegate.alias (prog.py | -m module) [args...]\n"
            "runs the program with `import litellm` resolving to litegate"
        )
        return 0 if argv else 2
    alias_litellm()
    if argv[0] == "-m":
        if len(argv) < 2:
            print("python -m litegate.alias: -m needs a module name", file=sys.stderr)
            return 2
        sys.argv = argv[1:]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
    else:
        import os

        sys.argv = argv
        sys.path[0] = os.path.dirname(os.path.abspath(argv[0]))  # as `python prog.py` would
        runpy.run_path(argv[0], run_name="__main__")
    return 0


if __name__ == "__main__":  # pragma: no cover - exercised through a subprocess
    from litegate.alias import _run_main as _main  # the package's module: one alias state per process

    sys.exit(_main(sys.argv[1:]))
