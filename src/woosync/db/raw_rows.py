"""Rows read with a plain ``sqlite3`` cursor, decoded as SQLAlchemy decodes them.

A bulk reader (the export reads each chunk of the catalog once, as stored, to decide what is
unchanged) can decode the same rows instead of asking SQLAlchemy for them again: each column goes
through its type's result processor *as this dialect implements it*
(``column.type.dialect_impl(dialect).result_processor(dialect, None)``, what SQLAlchemy itself
runs: JSON decoded, booleans as ``bool``, datetimes parsed), one C-level ``map`` per column that
needs one. ``tests/test_raw_rows.py`` checks the values against ``session.execute(select(...))``.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Sequence
from typing import Any

RowReader = Callable[[Sequence[Sequence[Any]]], list[Any]]


def row_reader(table: Any, names: Sequence[str], dialect: Any) -> RowReader:
    """``rows -> decoded rows``: each raw row holds the stored values of ``names`` (in that order,
    more values after them are ignored); each decoded row has one attribute per name."""
    shape = namedtuple("Row", names)  # type: ignore[misc]
    processors = [
        table.c[name].type.dialect_impl(dialect).result_processor(dialect, None) for name in names
    ]
    width = len(names)

    def read(rows: Sequence[Sequence[Any]]) -> list[Any]:
        if not rows:
            return []
        columns = list(zip(*rows, strict=True))[:width]
        decoded = [
            column if process is None else list(map(process, column))
            for column, process in zip(columns, processors, strict=True)
        ]
        return list(map(shape._make, zip(*decoded, strict=True)))

    return read
