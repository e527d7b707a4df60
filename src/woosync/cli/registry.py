"""Which command modules make up ``woosync``. Add a line here for a new command or group."""

from __future__ import annotations

from collections.abc import Callable

import typer


def groups() -> list[tuple[str, typer.Typer]]:
    """``woosync NAME ...`` sub-command groups, in the order ``--help`` lists them."""
    from woosync.cli import (
        config,
        connections,
        export_mapping,
        import_mapping,
        mapping_files,
        products,
        sandbox,
    )

    return [
        ("connections", connections.app),
        ("config", config.app),
        ("export-mapping", export_mapping.app),
        ("import-mapping", import_mapping.app),
        ("mappings", mapping_files.app),
        ("products", products.app),
        ("sandbox", sandbox.app),
    ]


def commands() -> list[Callable[[typer.Typer], None]]:
    """Top-level commands; each callable registers itself on the root app."""
    from woosync.cli import demo, export, fields, import_, sync_status

    return [
        demo.register,
        export.register,
        fields.register,
        import_.register,
        sync_status.register,
    ]
