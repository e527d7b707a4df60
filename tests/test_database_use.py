"""The local database through the CLI (issue 11, point 8): read commands never create it, a ``--db``
in a missing folder is an error, and a database that cannot be used exits 8 with one line."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from woosync.core.exit_codes import ExitCode

READ_COMMANDS = [
    ("connections", "list"),
    ("products", "list"),
    ("products", "show", "1"),
    ("sync-status",),
    ("export-mapping", "list", "1"),
    ("mappings", "dump", "-o", "-"),
    ("export", "--all", "--dry-run"),
    ("products", "load", "-", "--format", "json", "--dry-run"),
]


def _files(root: Path) -> list[Path]:
    return sorted(root.rglob("*")) if root.exists() else []


@pytest.mark.parametrize("args", READ_COMMANDS)
def test_read_commands_on_a_fresh_machine_create_nothing(
    cli: Any, tmp_path: Path, args: tuple[str, ...]
) -> None:
    home = tmp_path / "woosync-home"
    assert not home.exists()
    result = cli(*args, input='[{"sku": "A", "name": "A"}]')
    assert result.exit_code in (ExitCode.SUCCESS, ExitCode.NOT_FOUND), result.stderr
    note = f"note: there is no database at {home / 'woosync.db'} yet"
    assert (note in result.stderr) == (result.exit_code == ExitCode.SUCCESS)  # else: the error
    assert "internal error" not in result.stderr
    assert not home.exists()  # neither the database nor its folder


def test_connections_list_on_a_fresh_machine_says_there_are_none(cli: Any, tmp_path: Path) -> None:
    human = cli("connections", "list")
    assert human.exit_code == 0
    assert "no connections yet" in human.stderr and human.stdout == ""
    as_json = cli("--json", "connections", "list")
    assert as_json.exit_code == 0 and json.loads(as_json.stdout) == []
    assert _files(tmp_path / "woosync-home") == []


def test_a_write_command_creates_the_database_as_before(cli: Any, db_path: Path) -> None:
    assert cli("products", "add", "--sku", "A", "--name", "Mug").exit_code == 0
    assert db_path.is_file()
    listed = cli("--json", "products", "list")
    assert [p["sku"] for p in json.loads(listed.stdout)] == ["A"]
    assert "no database" not in listed.stderr


@pytest.mark.parametrize(
    "args", [("connections", "list"), ("products", "add", "--sku", "A", "--name", "Mug")]
)
def test_a_db_in_a_missing_folder_is_an_error_naming_it(
    cli: Any, tmp_path: Path, args: tuple[str, ...]
) -> None:
    missing = tmp_path / "nowhere"
    result = cli("--db", str(missing / "woosync.db"), *args)
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.strip() == (
        f"error: the folder {missing} of the database {missing / 'woosync.db'} does not exist "
        "(create it first, or correct --db / WOOSYNC_DB)"
    )
    assert not missing.exists()
    from_env = cli(*args, env={"WOOSYNC_DB": str(missing / "woosync.db")})
    assert from_env.exit_code == ExitCode.USAGE and not missing.exists()


def _unusable(result: Any, expected: str) -> None:
    assert result.exit_code == ExitCode.DATABASE, (result.stdout, result.stderr)
    assert int(ExitCode.DATABASE) == 8
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert "internal error" not in result.stderr


def test_a_corrupt_database_exits_8(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "corrupt.db"
    path.write_bytes(b"this is not SQLite" * 100)
    _unusable(cli("--db", str(path), "products", "list"), "is not a woosync database")
    assert path.read_bytes() == b"this is not SQLite" * 100


def test_a_folder_as_the_database_exits_8(cli: Any, tmp_path: Path) -> None:
    folder = tmp_path / "folder.db"
    folder.mkdir()
    _unusable(cli("--db", str(folder), "connections", "list"), "is a folder, not a file")
    _unusable(cli("--db", str(folder), "products", "add", "--sku", "A", "--name", "B"), "folder")


def test_a_database_from_a_newer_woosync_exits_8_and_stays_untouched(
    cli: Any, db_path: Path
) -> None:
    assert cli("products", "add", "--sku", "A", "--name", "Mug").exit_code == 0
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA user_version = 999")
    conn.close()
    before = db_path.read_bytes()
    _unusable(cli("products", "list"), "written by a newer woosync (schema 999")
    _unusable(cli("products", "add", "--sku", "B", "--name", "Cup"), "newer woosync")
    assert db_path.read_bytes() == before


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes read-only files")
def test_a_read_only_database_exits_8_on_a_write(cli: Any, db_path: Path) -> None:
    assert cli("products", "add", "--sku", "A", "--name", "Mug").exit_code == 0
    db_path.chmod(0o400)
    try:
        _unusable(cli("products", "add", "--sku", "B", "--name", "Cup"), "cannot be used")
    finally:
        db_path.chmod(0o600)


def test_sqlite_refusing_a_write_mid_command_exits_8(
    cli: Any, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a read-only file or folder, a full disk or a page found corrupt do in the middle of a
    command (the file test above cannot run as root, which may write any file)."""
    from sqlalchemy.exc import OperationalError

    from woosync.services.catalog import commands

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise OperationalError(
            "INSERT INTO products ...",
            {},
            sqlite3.OperationalError("attempt to write a readonly database"),
        )

    assert cli("products", "add", "--sku", "A", "--name", "Mug").exit_code == 0
    monkeypatch.setattr(commands, "add_product", refuse)
    result = cli("products", "add", "--sku", "B", "--name", "Cup")
    _unusable(
        result, f"the database {db_path} cannot be used: attempt to write a readonly database"
    )
    assert "INSERT" not in result.stderr  # no SQL statement in the message
    as_json = cli("--json", "products", "add", "--sku", "C", "--name", "Jug")
    assert json.loads(as_json.stdout)["error"]["code"] == "database_unusable"


def test_a_constraint_violation_is_not_called_a_database_problem(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import IntegrityError

    from woosync.services.catalog import commands

    def clash(*_args: Any, **_kwargs: Any) -> None:
        raise IntegrityError("INSERT ...", {}, sqlite3.IntegrityError("UNIQUE constraint failed"))

    monkeypatch.setattr(commands, "add_product", clash)
    result = cli("products", "add", "--sku", "B", "--name", "Cup")
    assert result.exit_code == ExitCode.FAILURE and "internal error" in result.stderr


def test_every_exit_code_is_in_the_readme_table() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    documented = {
        int(line.split("|")[1]) for line in table.splitlines() if line[:3].strip("| ").isdigit()
    }
    assert documented == {int(code) for code in ExitCode}


def test_a_write_after_a_read_in_one_invocation_goes_to_the_real_file(tmp_path: Path) -> None:
    from woosync.cli.context import AppContext

    state = AppContext(db_path=tmp_path / "later.db")
    assert state.db(create=False).in_memory and not (tmp_path / "later.db").exists()
    written = state.db()
    assert not written.in_memory and (tmp_path / "later.db").is_file()
    assert state.db(create=False) is written  # once it exists, reads use it too
    state.close()
