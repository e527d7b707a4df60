"""Many rows into one table with one ``executemany``: every bulk write of woosync.

Loads and imports (:func:`insert_many`, :func:`upsert_many`, rows as dicts) and the export's sync
records and store registry (:func:`write_many`, rows as tuples) all go through here. SQLAlchemy
compiles the statement once per statement shape; the rows go to the driver as plain tuples. That is
what keeps writing 10,000 products CPU-light: ORM objects would cost seconds in pydantic, and a plain
``session.execute(insert(table), rows)`` processes every row's parameters in SQLAlchemy again.

The stored bytes are exactly what the ORM (``session.add`` + commit) and
``session.execute(insert(table), rows)`` store: each value goes through its column's bind processor
*as this dialect implements the type* (``column.type.dialect_impl(dialect).bind_processor(dialect)``,
what SQLAlchemy itself runs). For SQLite that makes an aware datetime the text
``2025-12-11 10:00:00.123456`` in UTC (SQLModel's ``UTCDateTime`` converts it to UTC, refusing naive
values; SQLite's ``DATETIME`` formats it), never the sqlite3 driver's ``isoformat(" ")``.

The values are encoded column by column (one C-level ``map`` per encoded column, the others pass
untouched), and the two encodings rows have are cheaper than the generic processors while storing
the same bytes:

- JSON columns: a list or object goes to ``json.dumps`` (SQLAlchemy's serializer; its C encoder
  built once: ``core.jsontext``) directly, an empty one is ``"[]"`` / ``"{}"`` without the
  encoder; any other value goes through SQLAlchemy's own processor.
- Datetimes: encoded once per distinct value in a statement (a page's rows share one ``now``).
- A column whose rows all hold the same object (a constant, ``None``): encoded once.

``tests/test_bulk_sql_orm.py`` checks the stored bytes against the ORM's for every table written
here; ``tests/test_import_bulk_sql.py`` and ``tests/test_export_records.py`` against SQLAlchemy Core.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from itertools import repeat
from operator import is_, itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import JSON, DateTime, TypeDecorator, or_
from sqlalchemy.dialects.sqlite import insert

from woosync.core.jsontext import dumps

if TYPE_CHECKING:
    from sqlmodel import Session

Encoder = Callable[[Any], Any]


def insert_many(session: Session, table: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys, in the same order) into ``table``."""
    if rows:
        _execute(session, table, tuple(rows[0]), _by_column(rows, tuple(rows[0])), (), ())


def upsert_many(
    session: Session,
    table: Any,
    rows: Sequence[Mapping[str, Any]],
    *,
    conflict: tuple[str, ...],
    keep: tuple[str, ...] = (),
) -> None:
    """Insert ``rows`` (dicts with the same keys, in the same order); a row whose ``conflict``
    columns exist updates the other columns it gives, except those in ``keep`` (``conflict`` must be
    a unique index of ``table``)."""
    if rows:
        names = tuple(rows[0])
        _execute(session, table, names, _by_column(rows, names), conflict, keep)


def write_many(
    session: Session,
    table: Any,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    conflict: tuple[str, ...] = (),
    keep: tuple[str, ...] = (),
    changed_only: bool = False,
) -> None:
    """Insert ``rows`` (tuples of the values of ``columns``, in that order); with ``conflict``, an
    upsert as :func:`upsert_many`. The cheapest form when the caller builds the rows itself.
    ``changed_only``: a row whose columns to update already hold those values is left as it is
    (not written again: a repeated write changes nothing on disk)."""
    if rows:
        columns_ = list(zip(*rows, strict=True))
        _execute(session, table, tuple(columns), columns_, conflict, keep, changed_only)


def write_columns(
    session: Session,
    table: Any,
    columns: Mapping[str, Sequence[Any]],
    *,
    conflict: tuple[str, ...] = (),
    keep: tuple[str, ...] = (),
) -> None:
    """:func:`write_many` with the values given column by column (``name -> values``, every
    column as long): no row tuples made and taken apart again. A caller whose rows are objects
    builds each column in one pass over them."""
    names = tuple(columns)
    values = [columns[name] for name in names]
    if not values or not values[0]:
        return
    count = len(values[0])
    if any(len(column) != count for column in values):
        raise ValueError(f"the columns {names} are not all {count} values long")
    _execute(session, table, names, values, conflict, keep)


def write_int_rows(
    session: Session,
    table: Any,
    varying: tuple[str, ...],
    rows: Sequence[Sequence[int]],
    constants: Mapping[str, Any],
    *,
    conflict: tuple[str, ...] = (),
    keep: tuple[str, ...] = (),
) -> None:
    """Insert one row per item of ``rows`` (the integers of the ``varying`` columns), every row
    with the same ``constants`` (``name -> value``); with ``conflict``, an upsert as
    :func:`upsert_many`. One statement, not an ``executemany``: the integers go to SQLite as one
    JSON array that SQLite itself walks (``json_each``), the constants are encoded once; the
    rows are inserted in order and store what :func:`write_many` stores for them."""
    if not rows:
        return
    width = len(varying)
    for row in rows:
        if len(row) != width or any(type(value) is not int for value in row):
            raise ValueError(f"a row of {varying} is not {width} integers: {row!r}")
    connection = session.connection()
    dialect = connection.dialect
    fixed = tuple(constants)
    sql = _json_rows_sql(table, varying, fixed, conflict, keep, dialect)
    encoded = []
    for name in fixed:
        make = encoder_factory(table.c[name].type, dialect)
        encoded.append(constants[name] if make is None else make()(constants[name]))
    connection.exec_driver_sql(sql, (*encoded, dumps([list(row) for row in rows])))


@functools.lru_cache(maxsize=16)
def _json_rows_sql(
    table: Any,
    varying: tuple[str, ...],
    fixed: tuple[str, ...],
    conflict: tuple[str, ...],
    keep: tuple[str, ...],
    dialect: Any,
) -> str:
    """``INSERT ... SELECT`` of :func:`write_int_rows`: the constants' parameters, then the
    JSON array of rows (``json_each``: one row per element, in the array's order)."""
    preparer = dialect.identifier_preparer
    names = (*varying, *fixed)
    missing = [name for name in names if name not in table.c]
    if missing:
        raise ValueError(f"{table.name} has no column {', '.join(missing)}")
    quoted = ", ".join(preparer.quote(name) for name in names)
    picked = [f"json_extract(value, '$[{index}]')" for index in range(len(varying))]
    selected = ", ".join([*picked, *("?" for _ in fixed)])
    # "WHERE true": SQLite's parser needs it between a SELECT and ON CONFLICT
    sql = (
        f"INSERT INTO {preparer.format_table(table)} ({quoted}) "
        f"SELECT {selected} FROM json_each(?) WHERE true"
    )
    if conflict:
        kept = (*conflict, *keep)
        updates = [name for name in names if name not in kept]
        targets = ", ".join(preparer.quote(name) for name in conflict)
        sets = ", ".join(f"{preparer.quote(n)} = excluded.{preparer.quote(n)}" for n in updates)
        sql += f" ON CONFLICT ({targets}) DO " + (f"UPDATE SET {sets}" if sets else "NOTHING")
    return sql


def _by_column(rows: Sequence[Mapping[str, Any]], names: tuple[str, ...]) -> list[Any]:
    """The values of each of ``names`` over ``rows`` (one C-level pass per column)."""
    return [list(map(itemgetter(name), rows)) for name in names]


def _execute(
    session: Session,
    table: Any,
    names: tuple[str, ...],
    columns: list[Any],
    conflict: tuple[str, ...],
    keep: tuple[str, ...],
    changed_only: bool = False,
) -> None:
    """Run the statement for ``names`` with ``columns[i]`` the values of ``names[i]``."""
    connection = session.connection()
    plan = _plan(table, names, conflict, keep, connection.dialect, changed_only)
    encoded = [
        columns[index] if make is None else _encoded(columns[index], make)
        for index, make in plan.parameters
    ]
    connection.exec_driver_sql(plan.sql, list(zip(*encoded, strict=True)))


def _encoded(values: Sequence[Any], make: Callable[[], Encoder]) -> Sequence[Any]:
    """A column's values encoded; one object in every row (a constant, ``None``, the page's
    ``now``) is encoded once."""
    first = values[0]
    if all(map(is_, values, repeat(first))):
        return [make()(first)] * len(values)
    return list(map(make(), values))


class _Plan(NamedTuple):
    sql: str
    # per parameter of the SQL in order: the index of its column in the caller's names, and the
    # maker of its encoder (None: the value passes as is); a fresh encoder per statement (memos)
    parameters: tuple[tuple[int, Callable[[], Encoder] | None], ...]


@functools.lru_cache(maxsize=16)
def _plan(
    table: Any,
    names: tuple[str, ...],
    conflict: tuple[str, ...],
    keep: tuple[str, ...],
    dialect: Any,
    changed_only: bool = False,
) -> _Plan:
    statement = insert(table)
    if conflict:
        kept = (*conflict, *keep)
        updated = [name for name in names if name not in kept]
        differs = [table.c[name].is_distinct_from(statement.excluded[name]) for name in updated]
        statement = statement.on_conflict_do_update(
            index_elements=[table.c[name] for name in conflict],
            set_={name: statement.excluded[name] for name in updated},
            where=or_(*differs) if changed_only and differs else None,
        )
    compiled = statement.compile(dialect=dialect, column_keys=list(names))
    order = tuple(compiled.positiontup or ())
    if sorted(order) != sorted(names):
        raise ValueError(f"the statement's parameters {order} are not the columns {names}")
    return _Plan(
        str(compiled),
        tuple((names.index(name), encoder_factory(table.c[name].type, dialect)) for name in order),
    )


def encoder_factory(column_type: Any, dialect: Any) -> Callable[[], Encoder] | None:
    """A maker of the encoder of a column's values: what SQLAlchemy does to a value before the
    driver gets it, as this dialect implements the type (a faster equivalent where there is one);
    None when values pass as they are."""
    process = column_type.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return None
    if isinstance(column_type, JSON) and _plain_json(column_type, dialect):
        return lambda: functools.partial(_json, process)
    impl = column_type.impl_instance if isinstance(column_type, TypeDecorator) else column_type
    if isinstance(impl, DateTime):
        return lambda: _memoized(process)
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
        return dumps(value)
    return process(value)


def _memoized(process: Encoder) -> Encoder:
    """``process`` run once per distinct value (equal datetimes, whatever their zone, are the same
    instant and so the same UTC text)."""
    memo: dict[Any, Any] = {}

    def encode(value: Any) -> Any:
        try:
            return memo[value]
        except KeyError:
            pass
        except TypeError:  # unhashable: not a datetime; the processor decides
            return process(value)
        encoded = memo[value] = process(value)
        return encoded

    return encode


def update_many(
    session: Session,
    table: Any,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    key: str,
) -> None:
    """Set ``columns`` of the rows whose ``key`` is given: each row is the values of ``columns``
    then the key's value. One ``executemany``; values encoded as :func:`insert_many` encodes them."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    makers = [encoder_factory(table.c[name].type, dialect) for name in columns]
    values = list(zip(*rows, strict=True))
    encoded = [
        column if make is None else list(map(make(), column))
        for column, make in zip(values, makers, strict=False)
    ]
    encoded.append(values[-1])
    assignments = ", ".join(f"{name} = ?" for name in columns)
    sql = f"UPDATE {table.name} SET {assignments} WHERE {key} = ?"
    connection.exec_driver_sql(sql, list(zip(*encoded, strict=True)))
