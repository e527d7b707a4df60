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


def commands() -> list[tuple[tuple[str, ...], Callable[[], Callable[[typer.Typer], None]]]]:
    """Top-level commands: the names each module registers on the root app, in the order
    ``--help`` lists them, and the function that imports the module (giving its ``register``):
    a command imports only its own module (``cli/app.py``)."""
    return [
        (("demo",), _demo),
        (("export", "update", "delete"), _export),
        (("fields",), _fields),
        (("import",), _import),
        (("sync-status",), _sync_status),
    ]


def _demo() -> Callable[[typer.Typer], None]:
    from woosync.cli import demo

    return demo.register


def _export() -> Callable[[typer.Typer], None]:
    from woosync.cli import export

    return export.register


def _fields() -> Callable[[typer.Typer], None]:
    from woosync.cli import fields

    return fields.register


def _import() -> Callable[[typer.Typer], None]:
    from woosync.cli import import_

    return import_.register


def _sync_status() -> Callable[[typer.Typer], None]:
    from woosync.cli import sync_status

    return sync_status.register
