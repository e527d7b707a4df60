"""Imports run one way: cli -> services -> {db, woo, secrets, files -> products} -> core; sandbox
stands apart; no modules import each other in a circle; services import at module level, not inside
functions."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "woosync"
LOWER = {"cli", "shapes", "services", "db", "woo", "secrets", "files", "products", "sandbox"}
FORBIDDEN = {
    "core": LOWER,
    "db": LOWER - {"db"},
    "woo": LOWER - {"woo"},
    "secrets": LOWER - {"secrets"},
    # the product domain (field rules): used by files, services and the CLI; imports only core
    "products": LOWER - {"products"},
    "files": LOWER - {"files", "products"},
    "services": {"cli", "shapes", "sandbox"},
    # the spec's JSON shapes of service results, shared by the CLI and the HTTP API
    "shapes": {"cli", "sandbox"},
    "sandbox": LOWER - {"sandbox"} | {"core"},
}
SANDBOX_USERS = {"cli/sandbox.py", "cli/demo.py"}


@functools.cache
def _tree(path: Path) -> ast.Module:
    """``path`` parsed, once per test process (the checks below only read the trees)."""
    return ast.parse(path.read_text())


def _imported_packages(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(_tree(path)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "woosync" and len(parts) > 1:
                found.add(parts[1])
    return found


def test_imports_run_one_way() -> None:
    problems = []
    for path in SRC.rglob("*.py"):
        relative = path.relative_to(SRC)
        layer = relative.parts[0] if len(relative.parts) > 1 else None
        imported = _imported_packages(path)
        if layer in FORBIDDEN:
            problems += [f"{relative} imports {bad}" for bad in imported & FORBIDDEN[layer]]
        if "sandbox" in imported and layer != "sandbox" and str(relative) not in SANDBOX_USERS:
            problems.append(f"{relative} imports the sandbox")
    assert problems == []


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_modules(path: Path, modules: set[str]) -> set[str]:
    """The woosync modules ``path`` imports anywhere (module level, in functions, under TYPE_CHECKING).

    ``from package import submodule`` depends on the submodule; ``from package import name`` on the
    package's ``__init__``. Python runs a package's ``__init__`` before any submodule; that implicit
    edge is left out, as every package with re-exports would otherwise be a circle with its children.
    """
    package = (
        _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    )
    targets: list[str] = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            targets += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            targets += [
                f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names
            ]
    found: set[str] = set()
    for target in targets:
        while target and target not in modules:
            target = target.rpartition(".")[0]
        if target:
            found.add(target)
    return found - {_module_name(path)}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    circles.append(sorted(component))
    return circles


@functools.cache
def _module_graph() -> dict[str, set[str]]:
    """Each woosync module's imports, built once per test process (read-only for the tests)."""
    paths = {_module_name(path): path for path in SRC.rglob("*.py")}
    return {name: _imported_modules(path, set(paths)) for name, path in paths.items()}


def test_no_import_circle_anywhere_in_src() -> None:
    """No set of woosync modules imports each other in a circle, even through imports in functions."""
    circles = _circles(_module_graph())
    assert circles == [], "modules importing each other in a circle: " + "; ".join(
        " <-> ".join(circle) for circle in circles
    )


def test_the_export_and_import_pipelines_never_import_each_other() -> None:
    """What both need (targets, fingerprints, echoes, a run's counts) lives in services/sync/."""
    pipelines = ("woosync.services.export", "woosync.services.imports")
    crossing = [
        f"{module} imports {target}"
        for module, targets in _module_graph().items()
        for own, other in (pipelines, pipelines[::-1])
        if module.startswith(own)
        for target in targets
        if target.startswith(other)
    ]
    assert crossing == []


def test_the_circle_check_sees_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert _circles(graph) == [["a", "b", "c"]]
    graph = _module_graph()
    # imports inside functions count
    assert "woosync.cli.registry" in graph["woosync.cli.command_tree"]
    assert "woosync.secrets.chain" in graph["woosync.secrets"]  # a package re-exporting its modules


# imports inside functions in services/ ----------------------------------------------------------

# Functions in services/ that still import inside their body ("path under src/woosync:qualified
# name"). Only the CLI imports lazily, for start-up time (`woosync --help` loads no service); in a
# service an import inside a function buys nothing and hides the module's dependencies. Move the
# import to the top of the module and delete the entry: the list only ever shrinks.
FUNCTION_IMPORTS_LEFT: frozenset[str] = frozenset()


def _functions_importing(path: Path) -> set[str]:
    """Qualified names of the functions (methods, nested functions) of ``path`` whose own body
    holds an ``import``; imports at module or class level do not count."""
    found: set[str] = set()

    def visit(node: ast.AST, scope: list[str], in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, [*scope, child.name], True)
            elif isinstance(child, ast.ClassDef):
                visit(child, [*scope, child.name], in_function)
            elif isinstance(child, ast.Import | ast.ImportFrom) and in_function:
                found.add(".".join(scope))
            else:
                visit(child, scope, in_function)

    visit(_tree(path), [], False)
    return found


def _service_function_imports() -> set[str]:
    return {
        f"{path.relative_to(SRC).as_posix()}:{name}"
        for path in (SRC / "services").rglob("*.py")
        for name in _functions_importing(path)
    }


def test_services_import_at_module_level() -> None:
    new = sorted(_service_function_imports() - FUNCTION_IMPORTS_LEFT)
    assert new == [], (
        "import at the top of the module, not inside these service functions: " + ", ".join(new)
    )


def test_the_list_of_function_imports_left_has_no_stale_entry() -> None:
    """An entry whose function no longer imports (or no longer exists) is deleted from the list."""
    stale = sorted(FUNCTION_IMPORTS_LEFT - _service_function_imports())
    assert stale == [], "delete from FUNCTION_IMPORTS_LEFT: " + ", ".join(stale)


def test_the_function_import_check_sees_an_import_in_a_method(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "import os\n"
        "class A:\n"
        "    import sys\n"
        "    def f(self):\n"
        "        def g():\n"
        "            from json import dumps\n"
        "        return g\n"
        "def h():\n"
        "    return os\n"
    )
    assert _functions_importing(module) == {"A.f.g"}
