"""Every row a run writes to the local database, counted by SQLite itself.

:func:`rows_written` puts an ``AFTER INSERT/UPDATE/DELETE`` trigger on every table of the database
(a row rewritten with the very values it held counts too, as an upsert's ``DO UPDATE`` does), runs
the block, and gives back ``{(table, operation): rows}``; the triggers and their log are dropped
afterwards. Whatever connection writes (the ORM's, a bulk ``executemany``), SQLite fires them.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

LOG = "test_rows_written"
OPERATIONS = ("INSERT", "UPDATE", "DELETE")
# SQLite's own bookkeeping, not a row the run wrote: migration 12's trigger bumping the revision
# of a product row after each write of it (nothing else raises the revision)
_NOT_BOOKKEEPING = {("products", "UPDATE"): "WHEN NEW.revision <= OLD.revision "}


@contextmanager
def rows_written(db_path: Path) -> Iterator[Counter[tuple[str, str]]]:
    """Count the rows written to ``db_path`` inside the block, by (table, operation)."""
    written: Counter[tuple[str, str]] = Counter()
    with closing(sqlite3.connect(db_path)) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        with db:
            db.execute(f"CREATE TABLE {LOG} (tbl TEXT NOT NULL, op TEXT NOT NULL)")
            for table in tables:
                for op in OPERATIONS:
                    db.execute(
                        f'CREATE TRIGGER "{LOG}_{table}_{op}" AFTER {op} ON "{table}" '
                        f"{_NOT_BOOKKEEPING.get((table, op), '')}"
                        f"BEGIN INSERT INTO {LOG} VALUES ('{table}', '{op}'); END"
                    )
    try:
        yield written
    finally:
        with closing(sqlite3.connect(db_path)) as db, db:
            for table, op in db.execute(f"SELECT tbl, op FROM {LOG}"):
                written[(table, op)] += 1
            for table in tables:
                for op in OPERATIONS:
                    db.execute(f'DROP TRIGGER "{LOG}_{table}_{op}"')
            db.execute(f"DROP TABLE {LOG}")
