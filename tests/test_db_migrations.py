"""The schema is built by migrations; a database migrated step by step equals a fresh one."""

from __future__ import annotations

import sqlite3
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import create_engine, inspect
from sqlalchemy.exc import SAWarning
from sqlmodel import SQLModel, select

from woosync.core.errors import DatabaseError
from woosync.db import migrations
from woosync.db.engine import open_database, open_empty_database
from woosync.db.models import Connection, Product


def _schema(path: Path) -> dict[str, object]:
    """Tables, columns (name, type, not-null, pk), indexes, uniques and foreign keys; indexes on
    expressions (which SQLAlchemy does not reflect) by name and what they index."""
    inspector = inspect(create_engine(f"sqlite:///{path}"))
    schema: dict[str, object] = {"expression indexes": _expression_indexes(path)}
    with warnings.catch_warnings():  # "Skipped unsupported reflection of expression-based index"
        warnings.simplefilter("ignore", SAWarning)
        _tables(inspector, path, schema)
    return schema


def _expression_indexes(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'").fetchall()
    finally:
        conn.close()
    found = []
    for name, sql in rows:
        if sql and "json_extract" in sql:
            indexed = " ".join(sql.split(" ON ", 1)[1].replace('"', "").split())
            found.append((name, indexed.replace("( ", "(").replace(" )", ")")))
    return sorted(found)


def _tables(inspector: Any, path: Path, schema: dict[str, object]) -> None:
    for table in sorted(inspector.get_table_names()):
        schema[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], c.get("primary_key"))
                for c in inspector.get_columns(table)
            ],
            "indexes": sorted(
                (i["name"], tuple(i["column_names"])) for i in inspector.get_indexes(table)
            ),
            "unique": sorted(
                tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)
            ),
            "fks": _foreign_keys(path, table),
        }


def _foreign_keys(path: Path, table: str) -> list[tuple[str, str, str, str]]:
    """(column, referred table, referred column, ON DELETE) from SQLite itself: SQLAlchemy's
    reflection misses the ON DELETE of a column's inline REFERENCES (what ALTER TABLE ADD COLUMN
    can add)."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(f"PRAGMA foreign_key_list({table})").fetchall()
    finally:
        conn.close()
    return sorted((row[3], row[2], row[4], row[6]) for row in rows)


def test_step_by_step_equals_fresh(tmp_path: Path) -> None:
    stepped = tmp_path / "stepped.db"
    conn = sqlite3.connect(stepped, isolation_level=None)
    for target in range(1, migrations.LATEST + 1):
        migrations.upgrade(conn, stepped, target=target)
        assert migrations.schema_version(conn) == target
    conn.close()
    fresh = tmp_path / "fresh.db"
    open_database(fresh)
    assert _schema(stepped) == _schema(fresh)


def _schema_objects(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    rows = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL")
    return sorted(rows.fetchall())


def test_a_new_database_holds_exactly_what_the_migrations_make(tmp_path: Path) -> None:
    """New databases are laid out from the schema the migrations make: every table, index and
    trigger in the same words, at the same version."""
    migrated = sqlite3.connect(":memory:", isolation_level=None)
    migrations.upgrade(migrated)
    open_database(tmp_path / "new.db")
    new = sqlite3.connect(tmp_path / "new.db")
    assert _schema_objects(new) == _schema_objects(migrated)
    assert migrations.schema_version(new) == migrations.LATEST
    assert {kind for kind, _, _ in _schema_objects(new)} == {"table", "index", "trigger"}
    with open_empty_database(tmp_path / "absent.db").engine.connect() as empty:
        in_memory = cast(sqlite3.Connection, empty.connection.dbapi_connection)
        assert _schema_objects(in_memory) == _schema_objects(migrated)


def test_databases_made_at_once_by_several_runs_are_one_database(tmp_path: Path) -> None:
    path = tmp_path / "raced.db"
    with ThreadPoolExecutor(4) as pool:
        opened = list(pool.map(lambda _: open_database(path), range(4)))
    assert len(opened) == 4
    conn = sqlite3.connect(path)
    assert migrations.schema_version(conn) == migrations.LATEST
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_an_upgrade_made_at_once_by_several_runs_is_made_once(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrations.upgrade(conn, path, target=migrations.LATEST - 3)
    conn.close()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: open_database(path), range(4)))
    upgraded = sqlite3.connect(path)
    assert migrations.schema_version(upgraded) == migrations.LATEST
    stepped = tmp_path / "stepped.db"
    open_database(stepped)
    assert _schema(path) == _schema(stepped)
    # each backup is named by the version it holds (a run may back up after another's step)
    backups = sorted(tmp_path.glob("old.db.*bak*"))
    assert backups and all(b.name.endswith(".bak") for b in backups), backups
    for copy in backups:
        held = migrations.schema_version(sqlite3.connect(copy))
        assert copy.name == f"old.db.v{held}.bak"
    assert tmp_path / f"old.db.v{migrations.LATEST - 3}.bak" in backups


def test_an_up_to_date_database_opens_and_reads_while_another_run_writes(tmp_path: Path) -> None:
    path = tmp_path / "busy.db"
    open_database(path).dispose()
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # an export booking, say
    try:
        db = open_database(path)  # asks for no write lock: it would wait, then fail
        with db.session() as session:
            assert session.exec(select(Product)).all() == []
        db.dispose()
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_another_programs_database_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "theirs.db"
    theirs = sqlite3.connect(path, isolation_level=None)
    theirs.execute("CREATE TABLE notes (body TEXT)")
    theirs.execute("INSERT INTO notes VALUES ('keep me')")
    theirs.close()
    open_database(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT body FROM notes").fetchall() == [("keep me",)]


def test_migrations_build_what_the_models_describe(tmp_path: Path) -> None:
    from_models = tmp_path / "models.db"
    engine = create_engine(f"sqlite:///{from_models}")
    SQLModel.metadata.create_all(engine)
    fresh = tmp_path / "fresh.db"
    open_database(fresh)
    assert _schema(fresh) == _schema(from_models)


def test_new_database_is_private_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "w.db"
    open_database(path)
    assert path.stat().st_mode & 0o777 == 0o600
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_data_from_version_1_survives_later_steps_and_is_backed_up(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrations.upgrade(conn, path, target=1)
    conn.execute(
        "INSERT INTO connections (store_name, store_url, is_active, is_default, verify_tls,"
        " created_at, updated_at) VALUES ('Old', 'https://old.example', 1, 1, 1,"
        " '2025-12-11 10:00:00', '2025-12-11 10:00:00')"
    )
    conn.close()
    db = open_database(path)
    with db.session() as session:
        (connection,) = session.exec(select(Connection)).all()
        assert (connection.store_name, connection.is_default) == ("Old", True)
        session.add(Product(sku="A-1", name="Added after upgrade"))
    backup = tmp_path / "old.db.v1.bak"
    assert backup.stat().st_mode & 0o777 == 0o600
    assert migrations.schema_version(sqlite3.connect(backup)) == 1


def test_data_from_version_2_survives_step_3(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrations.upgrade(conn, path, target=2)
    conn.execute(
        "INSERT INTO products (sku, name, categories, tags, images, attributes, custom_fields,"
        " created_at, updated_at) VALUES ('S-1', 'Mug', '[\"Kitchen\"]', '[]', '[]',"
        " '{\"COLOR\": [\"Red\"]}', '{}', '2025-12-11 10:00:00', '2025-12-11 10:00:00')"
    )
    conn.close()
    db = open_database(path)
    with db.session() as session:
        (product,) = session.exec(select(Product)).all()
        assert product.attributes == {"COLOR": ["Red"]}
        assert product.categories == ["Kitchen"]


def test_data_from_version_3_survives_step_4(tmp_path: Path) -> None:
    from woosync.db.models import ProductSync

    path = tmp_path / "v3.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrations.upgrade(conn, path, target=3)
    conn.execute(
        "INSERT INTO connections (id, store_name, store_url, is_active, is_default, verify_tls,"
        " created_at, updated_at) VALUES (1, 'S', 'https://s.example', 1, 0, 1,"
        " '2025-12-11 10:00:00', '2025-12-11 10:00:00')"
    )
    conn.execute(
        "INSERT INTO product_sync (connection_id, product_id, woo_product_id, sync_status,"
        " exported_values, last_modified_fields, created_at, updated_at) VALUES (1, 101, 456,"
        " 'synced', '{\"regular_price\": \"ab12\"}', '[\"price\"]', '2025-12-11 10:00:00',"
        " '2025-12-11 10:30:00')"
    )
    conn.close()
    db = open_database(path)
    with db.session() as session:
        (record,) = session.exec(select(ProductSync).where(ProductSync.woo_product_id == 456)).all()
        assert (record.product_id, record.sync_status) == (101, "synced")
        assert record.exported_values == {"regular_price": "ab12"}
        assert record.last_modified_fields == ["price"]
    plan = sqlite3.connect(path).execute(
        "EXPLAIN QUERY PLAN SELECT id FROM product_sync WHERE connection_id = 1 AND woo_product_id = 456"
    )
    assert "ix_product_sync_store_product" in " ".join(str(row) for row in plan)


def test_database_from_a_newer_woosync_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA user_version = {migrations.LATEST + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="newer woosync"):
        open_database(path)
    assert path.read_bytes() == before


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_text("this is not sqlite" * 100)
    with pytest.raises(DatabaseError, match="not a woosync database"):
        open_database(path)


def test_deleting_a_connection_cascades(tmp_path: Path) -> None:
    from woosync.db.models import ExportMapping, ProductSync

    db = open_database(tmp_path / "c.db")
    with db.session() as session:
        connection = Connection(store_name="S", store_url="https://s.example")
        session.add(connection)
        session.flush()
        assert connection.id is not None
        session.add(ExportMapping(connection_id=connection.id, selected_fields=["name", "sku"]))
        session.add(ProductSync(connection_id=connection.id, product_id=1))
    with db.session() as session:
        session.delete(session.get(Connection, connection.id))
    with db.session() as session:
        assert session.exec(select(ExportMapping)).all() == []
        assert session.exec(select(ProductSync)).all() == []
