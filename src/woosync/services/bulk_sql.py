"""Many rows into one table with one ``executemany``: the bulk writes of loads and imports.

SQLAlchemy compiles the statement and supplies each column's own value processing (JSON, datetimes)
once per statement shape; the rows go to the driver as plain tuples. That is what keeps loading or
importing 10,000 products CPU-light: ORM objects would cost seconds in pydantic, and a plain
``session.execute(insert(table), rows)`` processes every row's parameters in SQLAlchemy again.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlmodel import Session


def insert_many(session: Session, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys, in the same order) into ``table``."""
    _execute(session, table, rows, (), ())


def upsert_many(
    session: Session,
    table: Any,
    rows: Sequence[dict[str, Any]],
    *,
    conflict: tuple[str, ...],
    keep: tuple[str, ...] = (),
) -> None:
    """Insert ``rows``; a row whose ``conflict`` columns exist updates the other columns it gives,
    except those in ``keep`` (``conflict`` must be a unique index of ``table``)."""
    _execute(session, table, rows, conflict, keep)


def _execute(
    session: Session,
    table: Any,
    rows: Sequence[dict[str, Any]],
    conflict: tuple[str, ...],
    keep: tuple[str, ...],
) -> None:
    if not rows:
        return
    connection = session.connection()
    sql, names, processors = _compiled(table, tuple(rows[0]), conflict, keep, connection.dialect)
    params = [
        tuple(
            row[name] if process is None else process(row[name])
            for name, process in zip(names, processors, strict=True)
        )
        for row in rows
    ]
    connection.exec_driver_sql(sql, params)


@functools.lru_cache(maxsize=8)
def _compiled(
    table: Any,
    columns: tuple[str, ...],
    conflict: tuple[str, ...],
    keep: tuple[str, ...],
    dialect: Any,
) -> tuple[str, tuple[str, ...], tuple[Any, ...]]:
    from sqlalchemy.dialects.sqlite import insert

    statement = insert(table)
    if conflict:
        kept = (*conflict, *keep)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c[name] for name in conflict],
            set_={name: statement.excluded[name] for name in columns if name not in kept},
        )
    compiled = statement.compile(dialect=dialect, column_keys=list(columns))
    names = tuple(compiled.positiontup or ())
    processors = tuple(table.c[name].type.bind_processor(dialect) for name in names)
    return str(compiled), names, processors
