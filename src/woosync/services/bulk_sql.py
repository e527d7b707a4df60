"""Many rows into one table with one ``executemany``: the bulk writes of loads and imports.

SQLAlchemy compiles the statement once per statement shape and supplies each column's value
processing; the rows go to the driver as plain tuples. That is what keeps loading or importing 10,000
products CPU-light: ORM objects would cost seconds in pydantic, and a plain
``session.execute(insert(table), rows)`` processes every row's parameters in SQLAlchemy again.

Per row, only the columns that need encoding run Python code (the values come out of the row dict
with one ``itemgetter`` call), and the two encodings every row has are cheaper than SQLAlchemy's
generic processors while storing the same bytes:

- JSON columns: a list or object goes to ``json.dumps`` (SQLAlchemy's serializer) directly, an empty
  one is ``"[]"`` / ``"{}"`` without the encoder; any other value goes through SQLAlchemy's own
  processor.
- Aware datetimes: encoded once per distinct value in a statement (a page's rows share one ``now``),
  as the text SQLite stores for them: SQLAlchemy's processor gives the UTC datetime and the sqlite3
  driver's adapter stores ``isoformat(" ")`` of it.

``tests/test_import_bulk_sql.py`` checks both against SQLAlchemy's processors and the stored bytes.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from operator import itemgetter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlmodel import Session

Encoder = Callable[[Any], Any]


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
    sql, names, columns = _compiled(table, tuple(rows[0]), conflict, keep, connection.dialect)
    values = _values_of(names)
    encoders = [(index, make()) for index, make in columns]  # fresh per statement (they memoize)
    if not encoders:
        params = [values(row) for row in rows]
    else:
        params = []
        for row in rows:
            encoded = list(values(row))
            for index, encode in encoders:
                encoded[index] = encode(encoded[index])
            params.append(tuple(encoded))
    connection.exec_driver_sql(sql, params)


def _values_of(names: tuple[str, ...]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """``row -> its values in the order of names``, as one C call per row."""
    if len(names) == 1:
        name = names[0]
        return lambda row: (row[name],)  # itemgetter of one key gives the value, not a tuple
    return itemgetter(*names)


@functools.lru_cache(maxsize=8)
def _compiled(
    table: Any,
    columns: tuple[str, ...],
    conflict: tuple[str, ...],
    keep: tuple[str, ...],
    dialect: Any,
) -> tuple[str, tuple[str, ...], tuple[tuple[int, Callable[[], Encoder]], ...]]:
    """The SQL, its parameter names in order, and (index, encoder factory) for the columns whose
    values need encoding."""
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
    encoders: list[tuple[int, Callable[[], Encoder]]] = []
    for index, name in enumerate(names):
        column_type = table.c[name].type
        process = column_type.bind_processor(dialect)
        if process is not None:
            encoders.append((index, _encoder_factory(column_type, process, dialect)))
    return str(compiled), names, tuple(encoders)


def _encoder_factory(column_type: Any, process: Encoder, dialect: Any) -> Callable[[], Encoder]:
    """A maker of the encoder of one column: a fast one where it stores the same bytes as
    SQLAlchemy's ``process``, else ``process`` itself."""
    from sqlalchemy import JSON, DateTime, TypeDecorator

    if isinstance(column_type, JSON) and _plain_json(column_type, dialect):
        return lambda: functools.partial(_json, process)
    impl = column_type.impl_instance if isinstance(column_type, TypeDecorator) else column_type
    if isinstance(impl, DateTime) and impl.bind_processor(dialect) is None:
        # the value reaches the driver as a datetime (the driver's adapter stores the text)
        return lambda: _memoized_datetime(process)
    return lambda: process


def _plain_json(column_type: Any, dialect: Any) -> bool:
    """SQLAlchemy's JSON processor here is ``json.dumps`` with nothing applied after it."""
    implementation = column_type.dialect_impl(dialect)
    string = getattr(implementation, "_str_impl", None)
    return (
        dialect._json_serializer is None
        and not column_type.none_as_null
        and string is not None
        and string.bind_processor(dialect) is None
    )


def _json(process: Encoder, value: Any) -> Any:
    kind = type(value)
    if kind is dict or kind is list:
        # what SQLAlchemy's processor gives (its serializer is json.dumps here, see _plain_json);
        # most rows' lists and objects are empty: json.dumps([]) == "[]", json.dumps({}) == "{}"
        if not value:
            return "{}" if kind is dict else "[]"
        return json.dumps(value)
    return process(value)


def _memoized_datetime(process: Encoder) -> Encoder:
    """Encode each distinct datetime once (equal aware datetimes give the same UTC text); a datetime
    becomes the text the sqlite3 driver stores for it (``isoformat(" ")``)."""
    memo: dict[Any, Any] = {}

    def encode(value: Any) -> Any:
        try:
            return memo[value]
        except KeyError:
            pass
        except TypeError:  # unhashable: not a datetime; SQLAlchemy's processor decides
            return process(value)
        encoded = process(value)
        if type(encoded) is datetime:
            encoded = encoded.isoformat(" ")
        memo[value] = encoded
        return encoded

    return encode
