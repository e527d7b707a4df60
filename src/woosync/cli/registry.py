"""Which command modules make up ``woosync``. Add a line here for a new command group."""

from __future__ import annotations

from collections.abc import Callable

import typer


def groups() -> list[tuple[str, typer.Typer]]:
    """``woosync NAME ...`` sub-command groups."""
    found: list[tuple[str, typer.Typer]] = []
    return found


def commands() -> list[Callable[[typer.Typer], None]]:
    """Top-level commands; each callable registers itself on the root app."""
    found: list[Callable[[typer.Typer], None]] = []
    return found
