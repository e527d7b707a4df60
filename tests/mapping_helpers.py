"""Helpers for the mapping CLI tests (test_mapping_commands.py, test_mapping_files.py)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from typer.testing import Result

from woosync.db.engine import open_database
from woosync.db.models import Connection

if TYPE_CHECKING:  # conftest is no module to import at run time (pytest loads several)
    from conftest import Cli


def add_two_stores(db_path: Path) -> Path:
    """The examples' two connections, made directly in the store (ids 1 and 2)."""
    db = open_database(db_path)
    with db.session() as session:
        session.add(
            Connection(store_name="Main Retail Store", store_url="https://retail.example.com")
        )
        session.add(
            Connection(store_name="Wholesale Store", store_url="https://wholesale.example.com")
        )
    db.dispose()
    return db_path


def snapshot(db_path: Path) -> list[tuple[Any, ...]]:
    """Every export and import mapping row, to show that a failed command changed nothing."""
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT 'e', * FROM export_mappings ORDER BY id").fetchall()
        rows += conn.execute("SELECT 'i', * FROM import_mappings ORDER BY id").fetchall()
    return rows


def run_json(cli: Cli, *args: str) -> Any:
    result = cli("--json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def create_export(cli: Cli, *args: str) -> dict[str, Any]:
    created: dict[str, Any] = run_json(cli, "export-mapping", "create", *args)
    return created


def create_import(cli: Cli, *args: str) -> dict[str, Any]:
    created: dict[str, Any] = run_json(cli, "import-mapping", "create", *args)
    return created


def refused(cli: Cli, db_path: Path, *args: str) -> Result:
    """Run a command that must fail as bad input (exit 2) and leave every mapping as it was."""
    before = snapshot(db_path)
    result = cli(*args)
    assert result.exit_code == 2, result.stderr
    assert snapshot(db_path) == before
    return result
