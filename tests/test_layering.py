"""Imports run one way: cli -> services -> {store, woo, secrets, files} -> core; sandbox stands apart."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "woosync"
FORBIDDEN = {
    "core": {"cli", "services", "store", "woo", "secrets", "files", "sandbox"},
    "store": {"cli", "services", "woo", "secrets", "files", "sandbox"},
    "woo": {"cli", "services", "store", "secrets", "files", "sandbox"},
    "secrets": {"cli", "services", "store", "woo", "files", "sandbox"},
    "files": {"cli", "services", "store", "woo", "secrets", "sandbox"},
    "services": {"cli", "sandbox"},
    "sandbox": {"cli", "services", "store", "woo", "secrets", "files", "core"},
}
SANDBOX_USERS = {"cli/sandbox.py", "cli/demo.py"}


def _imported_packages(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
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
