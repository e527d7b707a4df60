"""Which command modules make up ``woosync``. Add a line here for a new command group."""

from __future__ import annotations

from collections.abc import Callable

import typer


def groups() -> list[tuple[str, typer.Typer]]:
    """``woosync NAME ...`` sub-command groups."""
    found: list[tuple[str, typer.Typer]] = []
    from woosync.cli.connections import app as connections_app

    found.append(("connections", connections_app))
    from woosync.cli import export_mapping, import_mapping, mapping_files

    found += [("export-mapping", export_mapping.app), ("import-mapping", import_mapping.app)]
    found.append(("mappings", mapping_files.app))
    from woosync.cli.products import app as products_app

    found.append(("products", products_app))
    from woosync.cli.sandbox import app as sandbox_app

    found.append(("sandbox", sandbox_app))
    return found


def commands() -> list[Callable[[typer.Typer], None]]:
    """Top-level commands; each callable registers itself on the root app."""
    found: list[Callable[[typer.Typer], None]] = []
    from woosync.cli import import_, sync_status

    found += [import_.register, sync_status.register]
    from woosync.cli import export

    found.append(export.register)
    from woosync.cli import demo

    found.append(demo.register)
    return found
