"""What type checkers are told agrees with what runs.

* every ``@overload`` of a public function has the parameters of the function that runs (its
  ``inspect.signature``): same names, kinds, defaults and annotations, except the one parameter
  the overloads tell apart (``stream``, ``response_format``, ...);
* a ``Client`` method takes what the module function of the same name takes (the class body
  types its generated methods as the module functions);
* every lazily loaded name of ``litegate`` (and ``litegate.utils``) is declared for type checkers
  under ``TYPE_CHECKING`` (litegate/_names.py), as the very object the name loads at run time.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path
from typing import Any

import pytest

import litegate
import litegate.main
import litegate.types.streaming
import litegate.utils
from litegate.client import Client
from litegate.core.endpoints import ENDPOINTS

PACKAGE = Path(litegate.__file__).resolve().parent
_EMPTY = "<no default>"

# (name, kind, default, annotation) of one parameter; defaults and annotations as source text
Param = tuple[str, str, str, str]


def _norm(text: str) -> str:
    return ast.unparse(ast.parse(text, mode="eval")) if text else ""


def _ast_params(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[Param]:
    args = fn.args
    out: list[Param] = []
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    for i, (arg, default) in enumerate(zip(positional, defaults, strict=True)):
        kind = "POSITIONAL_ONLY" if i < len(args.posonlyargs) else "POSITIONAL_OR_KEYWORD"
        out.append(_param(arg, kind, default))
    if args.vararg is not None:
        out.append(_param(args.vararg, "VAR_POSITIONAL", None))
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        out.append(_param(arg, "KEYWORD_ONLY", default))
    if args.kwarg is not None:
        out.append(_param(args.kwarg, "VAR_KEYWORD", None))
    return out


def _param(arg: ast.arg, kind: str, default: ast.expr | None) -> Param:
    annotation = ast.unparse(arg.annotation) if arg.annotation is not None else ""
    return (arg.arg, kind, ast.unparse(default) if default is not None else _EMPTY, _norm(annotation))


def _runtime_params(fn: Any) -> list[Param]:
    out: list[Param] = []
    for p in inspect.signature(fn).parameters.values():
        default = _EMPTY if p.default is inspect.Parameter.empty else repr(p.default)
        annotation = "" if p.annotation is inspect.Parameter.empty else _norm(str(p.annotation))
        out.append((p.name, p.kind.name, default, annotation))
    return out


def _overloads(path: Path) -> dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]]:
    found: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if any(isinstance(d, ast.Name) and d.id == "overload" for d in node.decorator_list):
                found.setdefault(node.name, []).append(node)
    return found


OVERLOADED = [
    (module, name, defs)
    for module in (litegate.main, litegate.utils, litegate.types.streaming)
    for name, defs in _overloads(Path(module.__file__ or "")).items()
]


def test_the_public_overloads_are_found() -> None:
    names = {name for _, name, _ in OVERLOADED}
    assert {"completion", "acompletion", "text_completion", "atext_completion", "transcription"} <= names
    assert {"atranscription", "trim_messages", "stream_chunk_builder"} <= names


@pytest.mark.parametrize(("module", "name", "defs"), OVERLOADED, ids=[name for _, name, _ in OVERLOADED])
def test_overloads_match_the_running_signature(module: Any, name: str, defs: list[Any]) -> None:
    runtime = _runtime_params(getattr(module, name))
    declared = [_ast_params(d) for d in defs]
    assert len(declared) >= 2
    for params in declared:
        # same parameters, in the same order, of the same kinds (an overload may make a parameter
        # keyword-only: it then accepts fewer calls, never more)
        assert [p[0] for p in params] == [p[0] for p in runtime], (name, params)
        for got, want in zip(params, runtime, strict=True):
            assert got[1] == want[1] or (got[1], want[1]) == ("KEYWORD_ONLY", "POSITIONAL_OR_KEYWORD"), (name, got)
    # the overloads differ in exactly one parameter (the one they tell apart) ...
    differing = {
        runtime[i][0] for i in range(len(runtime)) if len({params[i][2:] for params in declared} | {runtime[i][2:]}) > 1
    }
    assert len(differing) == 1, (name, differing)
    # ... and agree with the running function on every other one (defaults and annotations)
    for params in declared:
        for got, want in zip(params, runtime, strict=True):
            if got[0] not in differing:
                assert got[2:] == want[2:], (name, got, want)


PUBLIC_METHODS = sorted(
    name for ep in ENDPOINTS.values() if ep.public for name in (ep.name, "a" + ep.name) if hasattr(litegate.main, name)
)


@pytest.mark.parametrize("name", PUBLIC_METHODS)
def test_client_methods_take_the_module_functions_parameters(name: str) -> None:
    method = _runtime_params(getattr(Client, name))
    function = _runtime_params(getattr(litegate.main, name))
    assert method[0][0] == "self"
    assert [p[:3] for p in method[1:]] == [p[:3] for p in function]


def test_every_client_method_is_declared_for_type_checkers() -> None:
    tree = ast.parse((PACKAGE / "client.py").read_text())
    client = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Client")
    declared: dict[str, str] = {}
    for node in ast.walk(client):
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is None:
            if ast.unparse(node.annotation) == "Callable[..., Any]":  # the platform methods
                declared[node.target.id] = node.target.id
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            call = node.value
            if isinstance(call.func, ast.Name) and call.func.id in ("_as_method", "_as_async_method"):
                target = node.targets[0]
                assert isinstance(target, ast.Name)
                source = call.args[0]
                assert isinstance(source, ast.Attribute)
                declared[target.id] = ("a" if call.func.id == "_as_async_method" else "") + source.attr
    generated = {name for ep in ENDPOINTS.values() if ep.public for name in (ep.name, "a" + ep.name)}
    assert set(declared) == generated
    assert all(target == source for target, source in declared.items()), declared


def _declared_imports(path: Path) -> dict[str, tuple[str, str]]:
    """name -> (module, attribute) of the imports type checkers read at the top level (under
    ``if TYPE_CHECKING:``, or the ``else`` of ``if not TYPE_CHECKING:``)."""
    out: dict[str, tuple[str, str]] = {}
    for node in ast.parse(path.read_text()).body:
        if not isinstance(node, ast.If):
            continue
        test = node.test
        if isinstance(test, ast.Name) and test.id == "TYPE_CHECKING":
            block = node.body
        elif (
            isinstance(test, ast.UnaryOp)
            and isinstance(test.op, ast.Not)
            and ast.unparse(test.operand) == "TYPE_CHECKING"
        ):
            block = node.orelse
        else:
            continue
        for stmt in block:
            if isinstance(stmt, ast.ImportFrom) and stmt.level:
                module = "." * stmt.level + (stmt.module or "")
                for alias in stmt.names:
                    out[alias.asname or alias.name] = (module, alias.name)
    return out


def _load(module: str, attr: str, package: str) -> Any:
    if module.strip(".") == "" or module == ".":
        return importlib.import_module("." + attr, package)
    loaded = importlib.import_module(module, package)
    return getattr(loaded, attr)


def test_lazy_names_are_declared_for_type_checkers() -> None:
    declared = {**_declared_imports(PACKAGE / "__init__.py"), **_declared_imports(PACKAGE / "_names.py")}
    made_at_run_time = {name for name, target in litegate._LAZY.items() if target.startswith(".core.platform:")}
    made_at_run_time -= {"a_add_message", "parse_batch_output"}  # these two exist in the source
    missing = set(litegate._LAZY) - set(declared) - made_at_run_time
    assert not missing, f"declare these under TYPE_CHECKING in litegate/__init__.py: {sorted(missing)}"
    for name, (module, attr) in declared.items():
        if module.startswith((".", "..")) and name in litegate._LAZY or name.startswith("supports_"):
            assert _load(module, attr, "litegate") is getattr(litegate, name), name


def test_utils_reexports_are_declared_for_type_checkers() -> None:
    declared = _declared_imports(PACKAGE / "utils.py")
    assert set(litegate.utils._REEXPORTS) <= set(declared)
    for name in litegate.utils._REEXPORTS:
        module, attr = declared[name]
        assert _load(module, attr, "litegate") is getattr(litegate.utils, name), name
