"""Ordered schema migrations, run on open.

Each step is frozen SQL: once released, a step never changes; a schema change is a new step at the
end. ``PRAGMA user_version`` records how many steps a database has had. Before upgrading an existing
database the file is copied next to itself (``woosync.db.v1.bak``), and a database written by a newer
woosync is refused rather than touched.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from woosync.core.errors import DatabaseError
from woosync.db.schema_columns import (
    M014_DEFAULT_OPTIONS,
    M015_PRODUCT_LINKS,
    M016_GROUPED_PRODUCTS,
    M017_DELETED_IDS,
    M018_LINKS_FOLLOW_RENAMES,
    M019_DOWNLOADS,
    M020_BRANDS,
)
from woosync.db.schema_steps import (
    M001_FOUNDATION,
    M002_PRODUCT_CATALOG,
    M003_STORE_REGISTRY,
    M004_SYNC_BY_STORE_PRODUCT,
    M005_PRODUCT_SELECTION,
    M006_SYNC_ECHOES,
    M007_MAPPING_FILES,
    M008_STOCK_FIELDS,
    M009_EXPORT_DIGEST,
    M010_VARIATIONS,
    M011_LOAD_DIGEST,
    M012_PRODUCT_REVISION,
    M013_LOAD_BASE,
)


@dataclass(frozen=True)
class Migration:
    name: str
    apply: Callable[[sqlite3.Connection], None]


def _script(sql: str) -> Callable[[sqlite3.Connection], None]:
    def apply(conn: sqlite3.Connection) -> None:
        for statement in sql.split(";"):
            if statement.strip():
                conn.execute(statement)

    return apply


def _statements(statements: tuple[str, ...]) -> Callable[[sqlite3.Connection], None]:
    """Statements run one by one (a trigger's body holds semicolons: no split)."""

    def apply(conn: sqlite3.Connection) -> None:
        for statement in statements:
            conn.execute(statement)

    return apply


MIGRATIONS: tuple[Migration, ...] = (
    Migration("foundation", _script(M001_FOUNDATION)),
    Migration("product_catalog", _script(M002_PRODUCT_CATALOG)),
    Migration("store_registry", _script(M003_STORE_REGISTRY)),
    Migration("sync_by_store_product", _script(M004_SYNC_BY_STORE_PRODUCT)),
    Migration("product_selection", _script(M005_PRODUCT_SELECTION)),
    Migration("sync_echoes", _script(M006_SYNC_ECHOES)),
    Migration("mapping_files", _script(M007_MAPPING_FILES)),
    Migration("stock_fields", _script(M008_STOCK_FIELDS)),
    Migration("export_digest", _script(M009_EXPORT_DIGEST)),
    Migration("variations", _script(M010_VARIATIONS)),
    Migration("load_digest", _statements(M011_LOAD_DIGEST)),
    Migration("product_revision", _statements(M012_PRODUCT_REVISION)),
    Migration("load_base", _statements(M013_LOAD_BASE)),
    Migration("default_options", _statements(M014_DEFAULT_OPTIONS)),
    Migration("product_links", _statements(M015_PRODUCT_LINKS)),
    Migration("grouped_products", _statements(M016_GROUPED_PRODUCTS)),
    Migration("deleted_ids", _script(M017_DELETED_IDS)),
    Migration("links_follow_renames", _statements(M018_LINKS_FOLLOW_RENAMES)),
    Migration("downloads", _statements(M019_DOWNLOADS)),
    Migration("brands", _statements(M020_BRANDS)),
)
LATEST = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def refuse_newer(conn: sqlite3.Connection) -> None:
    """Raise if the database was written by a newer woosync (whose schema we do not know)."""
    current = schema_version(conn)
    if current > LATEST:
        raise DatabaseError(
            f"the database was written by a newer woosync (schema {current}, this one knows {LATEST})",
            hint="upgrade woosync, or point --db at another file",
        )


def backup(conn: sqlite3.Connection, path: Path) -> Path:
    """Copy the database (consistently, WAL included) to ``<file>.v<N>.bak``, N being the copy's
    own version: another run upgrading the same file may have moved it on since this one looked,
    and a backup's name must say what it holds."""
    partial = path.with_name(f"{path.name}.bak-{os.getpid()}-{threading.get_ident()}")
    # made private before SQLite writes a page to it
    os.close(os.open(partial, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600))
    with sqlite3.connect(partial) as copy:
        conn.backup(copy)
        version = schema_version(copy)
    copy.close()
    target = path.with_name(f"{path.name}.v{version}.bak")
    os.replace(partial, target)
    return target


def upgrade(conn: sqlite3.Connection, path: Path | None = None, *, target: int = LATEST) -> int:
    """Apply the missing steps up to ``target``; return how many ran.

    Each step and its version bump commit together, so a failure leaves the database at the last
    completed step.
    """
    refuse_newer(conn)
    current = schema_version(conn)
    if current >= target:
        return 0
    if current > 0 and path is not None:
        backup(conn, path)
    for number in range(current + 1, target + 1):
        step = MIGRATIONS[number - 1]
        try:
            conn.execute("BEGIN IMMEDIATE")
            if schema_version(conn) < number:  # another run may have taken it while this one waited
                step.apply(conn)
                conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            conn.execute("ROLLBACK")
            raise DatabaseError(
                f"database upgrade step {number} ({step.name}) failed: {exc}",
                hint="your data is unchanged; a backup sits next to the database file",
            ) from exc
    return target - current
