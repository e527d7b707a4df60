"""Which command modules make up ``woosync``. Add a line here for a new command or group."""

from __future__ import annotations

from collections.abc import Callable

import typer


def groups() -> list[tuple[str, Callable[[], typer.Typer]]]:
    """``woosync NAME ...`` sub-command groups, in the order ``--help`` lists them, each with the
    function that imports its module: a command imports only its own group (``cli/app.py``)."""
    return [
        ("connections", _connections),
        ("config", _config),
        ("export-mapping", _export_mapping),
        ("import-mapping", _import_mapping),
        ("mappings", _mapping_files),
        ("products", _products),
        ("sandbox", _sandbox),
    ]


def _connections() -> typer.Typer:
    from woosync.cli import connections

    return connections.app


def _config() -> typer.Typer:
    from woosync.cli import config

    return config.app


def _export_mapping() -> typer.Typer:
    from woosync.cli import export_mapping

    return export_mapping.app


def _import_mapping() -> typer.Typer:
    from woosync.cli import import_mapping

    return import_mapping.app


def _mapping_files() -> typer.Typer:
    from woosync.cli import mapping_files

    return mapping_files.app


def _products() -> typer.Typer:
    from woosync.cli import products

    return products.app


def _sandbox() -> typer.Typer:
    from woosync.cli import sandbox

    return sandbox.app


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
