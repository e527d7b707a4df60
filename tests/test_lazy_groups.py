"""The root's commands and command groups are built when used (``cli/command_tree.py`` LazyCommands): a
command builds only its own; help and suggestions still see every one, in the registry's order."""

from __future__ import annotations

import re
from typing import Any

import typer.main

from woosync.cli import registry
from woosync.cli.app import app
from woosync.cli.command_tree import LazyCommands


def test_a_command_builds_only_its_own_group() -> None:
    root: Any = typer.main.get_command(app)
    commands = root.commands
    assert isinstance(commands, LazyCommands)
    groups = [name for name, _ in registry.groups()]
    top = [name for names, _ in registry.commands() for name in names]
    assert set(groups + top) <= set(commands) and len(commands) == len(list(commands))
    assert root.get_command(None, "connections").name == "connections"
    assert set(commands._pending) == set(groups + top) - {"connections"}
    assert root.get_command(None, "no-such-group") is None
    assert set(commands._pending) == set(groups + top) - {"connections"}
    assert root.get_command(None, "export").name == "export"
    assert set(commands._pending) == set(groups + top) - {"connections", "export"}


def test_listing_builds_every_group_in_the_registrys_order_after_the_commands(cli: Any) -> None:
    root: Any = typer.main.get_command(app)
    names = root.list_commands(None)
    groups = [name for name, _ in registry.groups()]
    assert names[-len(groups) :] == groups and {"export", "import", "path"} <= set(names)
    assert all(root.get_command(None, name).name == name for name in names)
    assert not root.commands._pending
    shown = cli("--help").stdout
    listed = [m.group(1) for m in re.finditer(r"^\W+([a-z][a-z-]*)\s{2,}\S", shown, re.MULTILINE)]
    assert [name for name in listed if name in names] == names


def test_the_mapping_behaves_as_a_dict() -> None:
    built: list[str] = []

    def build_b() -> int:
        built.append("b")
        return 2

    lazy = LazyCommands({"a": 1}, {"b": build_b, "c": lambda: 3})
    assert list(lazy) == ["a", "b", "c"] and "c" in lazy and built == []
    assert lazy.get("b") == 2 and built == ["b"]
    lazy["d"] = 4
    del lazy["c"]
    assert dict(lazy.items()) == {"a": 1, "b": 2, "d": 4} and len(lazy) == 3
    assert lazy.get("c") is None and "c" not in lazy
