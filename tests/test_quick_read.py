"""``connections list``, ``show`` and ``default`` read through ``db/quick_read.py`` (plain sqlite3)
when the database is up to date: the same values and the same output as the full path (the
connection services on SQLAlchemy), which they take for a missing database, one to upgrade, and
every error."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from woosync.core.errors import NotFoundError, ValidationError
from woosync.core.exit_codes import ExitCode
from woosync.db import migrations, quick_read
from woosync.db.engine import Database, open_database
from woosync.db.models import Connection
from woosync.services.connections import lookup, records

START = datetime(2026, 3, 1, 9, 30, 15, 123000, tzinfo=UTC)
HEAVY = ("sqlalchemy", "sqlmodel", "pydantic")
# every way a connection is named, found or not (an id past SQLite's integers, 0, two "Twin")
REFS = (
    "1", "2", "3", "4", "5", " 2 ", "0", "42", "99999999999999999999", "Main", "Twin", "twin",
    "Closed shop", "https://main.example", "HTTPS://Main.example/wp-json/wc/v3/", "main.example",
    "https://nowhere.example", "http://[::1", "",
)  # fmt: skip


def seed(db: Database, *, default: bool = True) -> None:
    """Five connections: a default (unless not ``default``), an inactive newest one, two named
    alike, one synced, one insecure and one with a CA bundle."""
    rows: list[dict[str, Any]] = [
        dict(store_name="Main", store_url="https://main.example", is_default=default),
        dict(store_name="Twin", store_url="https://twin-a.example", verify_tls=False),
        dict(store_name="Twin", store_url="http://[::1]:8080", ca_bundle="/etc/ssl/shop.pem"),
        dict(store_name="Synced", store_url="https://synced.example/shop"),
        dict(store_name="Closed shop", store_url="https://closed.example", is_active=False),
    ]
    with db.session() as session:
        for number, values in enumerate(rows, start=1):
            at = START + timedelta(minutes=number)
            session.add(Connection(id=number, created_at=at, updated_at=at, **values))
    with db.session() as session:
        lookup.mark_synced(session, 4, START + timedelta(days=1, microseconds=5000))


@pytest.fixture
def seeded(db: Database) -> Database:
    seed(db)
    return db


@pytest.fixture
def full_path_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every command takes the full path, as with a database to upgrade."""
    monkeypatch.setattr(quick_read, "open_quick_read", lambda path: None)
    yield


def test_the_quick_read_returns_what_the_services_return(seeded: Database) -> None:
    quick = quick_read.open_quick_read(seeded.path)
    assert quick is not None
    try:
        assert quick.connections() == records.list_connections(seeded)
        assert [view.id for view in quick.connections()] == [1, 5, 4, 3, 2]
        assert quick.default() == records.get_default_connection(seeded)
        found = 0
        for ref in REFS:
            try:
                expected = records.get_connection_view(seeded, ref)
            except (NotFoundError, ValidationError) as exc:
                assert quick.find(ref) is None, (ref, exc)
                continue
            assert quick.find(ref) == expected, ref
            details = records.connection_details(seeded, expected.id)
            assert quick.tls(expected.id) == (details.verify_tls, details.ca_bundle)
            found += 1
        assert found == 10  # the five ids (" 2 " too), Main by name and by URL twice, Closed shop
        assert quick.tls(42) is None
    finally:
        quick.close()


def test_the_default_rule_agrees_without_a_default_and_with_an_inactive_newest(
    db: Database,
) -> None:
    seed(db, default=False)
    quick = quick_read.open_quick_read(db.path)
    assert quick is not None
    assert quick.default() == records.get_default_connection(db)
    assert quick.default() is not None and quick.default().store_name == "Synced"  # type: ignore[union-attr]
    with db.session() as session:
        for row in session.exec(select(Connection)).all():
            row.is_active = False
            session.add(row)
    assert quick.default() is None  # the full path says "no active connections found"
    quick.close()


COMMANDS = [
    ("connections", "list"),
    ("--json", "connections", "list"),
    ("connections", "list", "--format", "csv"),
    ("connections", "list", "--format", "ids"),
    ("connections", "default"),
    ("connections", "default", "--json"),
    *(("connections", "show", ref) for ref in REFS),
    *(
        ("--json", "connections", "show", ref)
        for ref in ("5", "Twin", "42", "https://main.example")
    ),
]


def _run_all(cli: Any) -> list[tuple[int, str, str]]:
    return [
        (result.exit_code, result.stdout, result.stderr)
        for result in (cli(*command) for command in COMMANDS)
    ]


def test_the_cli_prints_the_same_on_both_paths(
    cli: Any, seeded: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as full:
        full.setattr(quick_read, "open_quick_read", lambda path: None)
        expected = _run_all(cli)
    with monkeypatch.context() as quick:
        # found connections never reach the services; errors do (they say what is wrong)
        for name in ("list_connections", "get_default_connection", "connection_details"):
            quick.setattr(records, name, _not_called)
        quick_runs = _run_all(cli)
    assert quick_runs == expected
    codes = {code for code, _, _ in expected}
    assert codes == {0, ExitCode.NOT_FOUND, ExitCode.USAGE}  # errors were compared too
    assert "Closed shop\thttps://closed.example\tno" in expected[0][1]
    assert (
        "OFF (insecure)"
        in dict(zip(COMMANDS, expected, strict=True))[("connections", "show", "2")][1]
    )


def _not_called(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("the quick read should have answered")


def _database_at(path: Path, version: int, *, journal: str = "wal") -> None:
    """A database at schema ``version`` holding one connection."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA journal_mode = {journal}")
    migrations.upgrade(conn, target=min(version, migrations.LATEST))
    conn.execute(
        "INSERT INTO connections (store_name, store_url, is_active, is_default, verify_tls, "
        "created_at, updated_at) VALUES ('Old', 'https://old.example', 1, 0, 1, "
        "'2025-01-02 03:04:05.678000', '2025-01-02 03:04:05.678000')"
    )
    conn.execute(f"PRAGMA user_version = {version}")
    conn.close()


def test_a_database_to_upgrade_takes_the_full_path_which_upgrades_it(
    cli: Any, db_path: Path
) -> None:
    _database_at(db_path, migrations.LATEST - 1)
    assert quick_read.open_quick_read(db_path) is None
    result = cli("--json", "connections", "show", "Old")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["createdAt"] == "2025-01-02T03:04:05.678Z"
    with sqlite3.connect(db_path) as conn:
        assert migrations.schema_version(conn) == migrations.LATEST
    conn.close()
    quick = quick_read.open_quick_read(db_path)  # up to date now
    assert quick is not None and quick.find("Old") is not None
    quick.close()
    assert cli("--json", "connections", "show", "Old").stdout == result.stdout


def test_a_newer_or_rollback_journal_database_takes_the_full_path(
    cli: Any, db_path: Path, tmp_path: Path
) -> None:
    _database_at(db_path, migrations.LATEST + 1)
    assert quick_read.open_quick_read(db_path) is None
    newer = cli("connections", "list")
    assert newer.exit_code == ExitCode.DATABASE
    assert "written by a newer woosync" in newer.stderr
    old_journal = tmp_path / "delete.db"
    _database_at(old_journal, migrations.LATEST, journal="delete")
    assert quick_read.open_quick_read(old_journal) is None
    not_a_database = tmp_path / "notes.db"
    not_a_database.write_text("not SQLite\n" * 200)
    assert quick_read.open_quick_read(not_a_database) is None
    assert quick_read.open_quick_read(tmp_path) is None  # a folder


def test_a_missing_database_takes_the_full_path_and_creates_nothing(
    cli: Any, db_path: Path
) -> None:
    assert quick_read.open_quick_read(db_path) is None
    listed = cli("--json", "connections", "list")
    assert (listed.exit_code, listed.stdout) == (0, "[]\n")
    assert "there is no database" in listed.stderr
    assert cli("connections", "show", "1").exit_code == ExitCode.NOT_FOUND
    assert not db_path.exists() and not db_path.parent.exists()


def test_the_quick_read_writes_nothing_and_leaves_no_wal_behind(cli: Any, db_path: Path) -> None:
    opened = open_database(db_path)
    seed(opened)
    opened.dispose()
    before = db_path.read_bytes()
    for command in (("connections", "list"), ("connections", "show", "2")):
        assert cli(*command).exit_code == 0
    assert db_path.read_bytes() == before
    assert sorted(path.name for path in db_path.parent.iterdir()) == ["woosync.db"]


def test_reading_connections_imports_no_sqlalchemy_sqlmodel_or_pydantic(
    seeded: Database, tmp_path: Path
) -> None:
    seeded.dispose()
    for command in (
        ("connections", "list"),
        ("--json", "connections", "show", "https://main.example"),
        ("connections", "show", "2"),
        ("connections", "default"),
    ):
        done = subprocess.run(
            [
                sys.executable,
                "-X",
                "importtime",
                "-m",
                "woosync",
                "--db",
                str(seeded.path),
                *command,
            ],
            capture_output=True,
            text=True,
            check=False,
            env=_child_env(tmp_path),
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert "example" in done.stdout
        loaded = {
            line.rsplit("|", 1)[-1].strip().split(".")[0]
            for line in done.stderr.splitlines()
            if line.startswith("import time:")
        }
        assert loaded & set(HEAVY) == set(), command
        assert "woosync.db.quick_read" in done.stderr


def _child_env(tmp_path: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("WOOSYNC_")}
    env["WOOSYNC_HOME"] = str(tmp_path / "woosync-home")
    return env
