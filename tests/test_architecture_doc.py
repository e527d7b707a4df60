"""ARCHITECTURE.md stays true: its operations table names real commands and service functions,
and the modules it names exist."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import typer.main

from woosync.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "ARCHITECTURE.md").read_text()
ROW = re.compile(
    r"^\| (\d+) \| (GET|POST|PUT|DELETE) \| `([^`]+)` \| ([^|]+) \| (.+) \| (.+) \| `([^`]+)` \|$"
)


def _operations() -> list[tuple[str, ...]]:
    return [match.groups() for line in DOC.splitlines() if (match := ROW.match(line))]


def _command_paths() -> set[str]:
    paths: set[str] = set()

    def walk(command: object, path: str) -> None:
        paths.add(path)
        for name, sub in (getattr(command, "commands", None) or {}).items():
            walk(sub, f"{path} {name}".strip())

    walk(typer.main.get_command(app), "")
    return paths


def test_the_table_lists_the_22_operations_in_order_with_their_spec_routes() -> None:
    rows = _operations()
    assert [int(row[0]) for row in rows] == list(range(1, 23))
    for number, method, route, _description, _command, _service, planned in rows:
        assert planned == f"{method} {route}", number
        assert route.startswith("/integration/woocommerce/connections"), number


def test_every_operation_names_a_real_command_and_service_function() -> None:
    commands = _command_paths()
    for number, *_rest, command_cell, service_cell, _planned in _operations():
        named = [
            " ".join(re.match(r"[a-z][a-z_-]*( [a-z][a-z_-]*)*", text)[0].split())  # type: ignore[index]
            for text in re.findall(r"`([^`]+)`", command_cell)
            if re.match(r"[a-z]", text)
        ]
        assert named, number
        assert [name for name in named if name not in commands] == [], number
        functions = [text for text in re.findall(r"`([^`]+)`", service_cell) if "." in text]
        assert functions, number
        for dotted in functions:
            module, _, name = dotted.rpartition(".")
            assert callable(getattr(importlib.import_module(f"woosync.services.{module}"), name))


def test_the_modules_it_names_exist() -> None:
    named = set(
        re.findall(
            r"\b((?:cli|shapes|services|db|woo|secrets|files|products|core|sandbox)/[\w/]+\.py)",
            DOC,
        )
    )
    assert len(named) > 20
    assert sorted(p for p in named if not (ROOT / "src" / "woosync" / p).exists()) == []
    modules = set(re.findall(r"services/([\w/]+)\.py", DOC))
    stages = {
        f"export/{name}"
        for name in (
            "run",
            "select",
            "decide",
            "match",
            "send",
            "book",
            "plan",
            "records",
            "registry",
        )
    }
    stages |= {
        f"imports/{name}"
        for name in ("run", "fetch", "fields", "match", "reconcile", "write", "syncs", "results")
    }
    stages |= {
        "imports/bookmark",
        "imports/fingerprints",
        "selection",
        "sync/conflicts",
        "sync/echoes",
        "sync/targets",
    }
    assert stages <= modules
