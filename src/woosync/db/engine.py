"""Opening the local SQLite database: private file, WAL, busy timeout, foreign keys, migrations."""

from __future__ import annotations

import functools
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from woosync.core import jsontext
from woosync.core.errors import DatabaseError
from woosync.core.paths import ensure_private_dir
from woosync.db import migrations

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

BUSY_TIMEOUT_MS = 10_000


def _create_private(path: Path) -> None:
    """Create an empty file with mode 0600 unless it exists (SQLite would make it 0644)."""
    ensure_private_dir(path.parent)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def _configure(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    # In WAL mode NORMAL never corrupts the database; a power cut may lose the last commits, which
    # the next run redoes (exports re-match by SKU, imports resume from the last committed bookmark).
    conn.execute("PRAGMA synchronous = NORMAL")


@functools.cache
def _latest_schema() -> tuple[str, ...]:
    """The statements that make an empty database at the latest schema, in the order SQLite keeps
    them: worked out once per process by running the migrations on a database in memory."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        migrations.upgrade(conn)
        rows = conn.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'"
            " ORDER BY rowid"
        ).fetchall()
    finally:
        conn.close()
    return tuple(sql for (sql,) in rows)


def _is_blank(conn: sqlite3.Connection) -> bool:
    """Whether the database holds nothing yet: no schema object, version 0."""
    if migrations.schema_version(conn) != 0:
        return False
    return conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is None


def _lay_out_new(conn: sqlite3.Connection) -> None:
    """Give a database that holds nothing yet the latest schema, in one transaction. Replaying
    every migration on each new database took 8 ms of CPU; these statements take under 2 (a test
    session makes a thousand databases). Anything else, such as another program's database, is
    left to the migrations; a database in use is only read (no write lock is asked for)."""
    if not _is_blank(conn):
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        if _is_blank(conn):  # still, now that this run holds the write lock
            for statement in _latest_schema():
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {migrations.LATEST}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


class Database:
    """The local database. ``session()`` yields a SQLModel session that commits on success."""

    def __init__(self, path: Path, *, memory: sqlite3.Connection | None = None) -> None:
        self.path = path
        self._memory = memory  # an empty database in memory standing in for a missing file
        self._engine: Engine | None = None

    @property
    def in_memory(self) -> bool:
        return self._memory is not None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from sqlalchemy import create_engine, event

            if self._memory is not None:
                from sqlalchemy.pool import StaticPool

                memory = self._memory
                self._engine = create_engine(
                    "sqlite://",
                    creator=lambda: memory,
                    poolclass=StaticPool,
                    json_deserializer=jsontext.loads,
                )
                return self._engine
            engine = create_engine(
                f"sqlite:///{self.path}",
                connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
                json_deserializer=jsontext.loads,  # json.loads' values, faster (orjson)
            )

            @event.listens_for(engine, "connect")
            def _on_connect(dbapi_conn: Any, _record: Any) -> None:
                _configure(dbapi_conn)

            @event.listens_for(engine, "before_cursor_execute", retval=True)
            def _no_secrets(
                _conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any
            ) -> tuple[str, Any]:
                # a store's text (an error message, a name) that quotes a key never reaches disk
                from woosync.core.logging import scrub_parameters

                return statement, scrub_parameters(parameters)

            self._engine = engine
        return self._engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        from sqlmodel import Session

        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        if self._memory is not None:
            self._memory.close()
            self._memory = None


def open_empty_database(path: Path | str) -> Database:
    """An empty database in memory, for read commands before ``path`` exists: nothing is created
    on disk, and every read finds nothing."""
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    _configure(conn)
    _lay_out_new(conn)
    conn.isolation_level = "DEFERRED"  # the driver's default, which SQLAlchemy expects
    return Database(Path(path).expanduser(), memory=conn)


def open_database(path: Path | str) -> Database:
    """Open (creating and upgrading as needed) the database at ``path``."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise DatabaseError(
            f"the database {path} is a folder, not a file", hint="point --db at a file"
        )
    try:
        _create_private(path)
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    except (OSError, sqlite3.Error) as exc:
        raise DatabaseError(
            f"cannot open the database {path}: {exc}",
            hint="check the path given by --db or WOOSYNC_DB",
        ) from exc
    try:
        _configure(conn)
        migrations.refuse_newer(conn)  # before anything writes to the file
        conn.execute("PRAGMA journal_mode = WAL")
        _lay_out_new(conn)
        migrations.upgrade(conn, path)
    except sqlite3.OperationalError as exc:  # read-only file or folder, locked, disk full ...
        raise DatabaseError(
            f"the database {path} cannot be used: {exc}",
            hint="check that you may write to the file and its folder",
        ) from exc
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(
            f"{path} is not a woosync database ({exc})", hint="point --db at another file"
        ) from exc
    finally:
        conn.close()
    return Database(path)
