"""Export bookkeeping in SQLite: what to export, the sync records, written in bulk.

A run reads everything it needs in a few queries and writes sync records with one multi-row upsert
per batch of products (never one transaction per product).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from woosync.core.errors import NotFoundError, ValidationError
from woosync.core.timeutil import utcnow

if TYPE_CHECKING:
    from sqlmodel import Session

_CHUNK = 500  # ids per IN (...) query


@dataclass
class SyncRow:
    """What a run writes for one product (a full row of ``product_sync`` minus ids and created_at)."""

    product_id: int
    woo_product_id: int
    sync_status: str
    error_message: str | None = None
    last_exported_at: datetime | None = None
    last_modified_fields: list[str] | None = None
    exported_values: dict[str, Any] = field(default_factory=dict)
    store_attributes: list[dict[str, Any]] | None = None


def select_products(
    session: Session,
    connection_id: int,
    *,
    product_ids: Sequence[int] | None,
    skus: Sequence[str] | None,
    all_products: bool,
    retry_failed: bool,
    fields: Iterable[str] | None = None,
) -> list[Any]:
    """The products a run exports (read-only rows with the ``Product`` column names as
    attributes, cheaper than ORM objects for 10,000 products), in a stable order; exactly one way
    of choosing them."""
    from sqlmodel import col, select

    from woosync.store.models import Product, ProductSync

    chosen = [bool(product_ids), bool(skus), all_products, retry_failed]
    if sum(chosen) != 1:
        raise ValidationError(
            "choose the products to export with exactly one of --products, --sku, --all or "
            "--retry-failed"
        )
    table: Any = Product.__table__  # type: ignore[attr-defined]
    columns = [table.c[name] for name in product_columns(fields)] if fields is not None else [table]
    if all_products:
        return list(session.execute(select(*columns).order_by(table.c.id)).all())
    if retry_failed:
        failed = session.exec(
            select(ProductSync.product_id)
            .where(ProductSync.connection_id == connection_id)
            .where(ProductSync.sync_status == "error")
            .order_by(col(ProductSync.product_id))
        ).all()
        product_ids = list(failed)
        if not product_ids:
            return []
    column, wanted = (
        (table.c.id, list(dict.fromkeys(int(i) for i in product_ids or ())))
        if product_ids
        else (table.c.sku, list(dict.fromkeys(s.strip() for s in skus or () if s.strip())))
    )
    found: dict[Any, Any] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        for row in session.execute(select(*columns).where(column.in_(chunk))):
            found[row.id if product_ids else row.sku] = row
    if retry_failed:  # a product removed from the catalog since has nothing left to retry
        return [found[key] for key in wanted if key in found]
    missing = [str(key) for key in wanted if key not in found]
    if missing:
        shown = ", ".join(missing[:20]) + (" ..." if len(missing) > 20 else "")
        what = ("product " if len(missing) == 1 else "products ") if product_ids else "SKU "
        raise NotFoundError(
            f"{what}{shown} not found" if product_ids else f"no product with SKU {shown}",
            hint="run 'woosync products list' to see them",
        )
    return [found[key] for key in wanted]


def product_columns(fields: Iterable[str]) -> list[str]:
    """The ``products`` columns that :func:`woosync.services.catalog.field_value` reads for these
    field names (a run decodes no JSON it does not need)."""
    from woosync.core.fields import DIMENSION_PARTS

    names = {"id", "sku"}
    for name in fields:
        if name == "dimensions":
            names.update(DIMENSION_PARTS)
        elif name in _PRODUCT_COLUMNS:
            names.add(name)
        else:
            names.update(("attributes", "custom_fields"))
    return [column for column in _PRODUCT_COLUMNS if column in names]


_PRODUCT_COLUMNS = (
    "id",
    "sku",
    "name",
    "description",
    "status",
    "type",
    "price",
    "sale_price",
    "weight",
    "length",
    "width",
    "height",
    "stock_status",
    "categories",
    "tags",
    "images",
    "attributes",
    "custom_fields",
)


def load_syncs(session: Session, connection_id: int, product_ids: Iterable[int]) -> dict[int, Any]:
    """``product_id -> sync record``: read-only rows with the ``ProductSync`` attribute names a run
    uses (``_SYNC_READ``; the timestamps it never reads are not decoded)."""
    from sqlmodel import select

    from woosync.store.models import ProductSync

    table: Any = ProductSync.__table__  # type: ignore[attr-defined]
    columns = [table.c[name] for name in _SYNC_READ]
    wanted = list(product_ids)
    found: dict[int, Any] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        rows = session.execute(
            select(*columns).where(
                table.c.connection_id == connection_id, table.c.product_id.in_(chunk)
            )
        )
        for row in rows:
            found[row.product_id] = row
    return found


_SYNC_READ = (
    "product_id",
    "woo_product_id",
    "sync_status",
    "last_exported_at",
    "last_modified_fields",
    "exported_values",
    "store_attributes",
)


def write_syncs(session: Session, connection_id: int, rows: Sequence[SyncRow]) -> None:
    """Upsert sync records, one ``executemany`` for all of them.

    The rows go to the driver as plain tuples: SQLAlchemy's per-row parameter processing cost more
    than everything else in the bookkeeping of a large export. Values are encoded by the columns'
    own bind processors (JSON text, UTC datetime text), so the rows are byte for byte what
    ``session.execute(insert(table), values)`` writes (``tests/test_export_records.py`` checks it).
    """
    if not rows:
        return
    connection = session.connection()
    sql, encode = _sync_upsert(connection.dialect)
    now = encode.stamp(utcnow())
    exported_at, fields, values, attributes = (
        encode.exported_at,
        encode.modified_fields,
        encode.exported_values,
        encode.store_attributes,
    )
    params = [
        (
            connection_id,
            row.product_id,
            row.woo_product_id,
            exported_at(row.last_exported_at),
            fields(row.last_modified_fields),
            row.sync_status,
            row.error_message,
            values(row.exported_values),
            attributes(row.store_attributes),
            now,
            now,
        )
        for row in rows
    ]
    connection.exec_driver_sql(sql, params)


# The columns of a sync upsert in table order (the compiled statement's parameter order, checked
# when it is compiled) and so in the order of the tuples write_syncs builds; a conflict replaces all
# but the key and created_at.
_SYNC_COLUMNS = (
    "connection_id",
    "product_id",
    "woo_product_id",
    "last_exported_at",
    "last_modified_fields",
    "sync_status",
    "error_message",
    "exported_values",
    "store_attributes",
    "created_at",
    "updated_at",
)
_SYNC_KEPT = ("connection_id", "product_id", "created_at")


class _SyncEncoders(NamedTuple):
    """The bind processors of the sync columns whose values are encoded (the rest pass as is)."""

    exported_at: Callable[[Any], Any]
    modified_fields: Callable[[Any], Any]
    exported_values: Callable[[Any], Any]
    store_attributes: Callable[[Any], Any]
    stamp: Callable[[Any], Any]  # created_at / updated_at


def bind_processor(table: Any, name: str, dialect: Any) -> Callable[[Any], Any]:
    """What SQLAlchemy does to a value of column ``name`` before the driver gets it (the type as
    this dialect implements it: SQLite's datetimes are text in SQLAlchemy's own format)."""
    process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
    return process if process is not None else _unchanged


def _unchanged(value: Any) -> Any:
    return value


@functools.lru_cache(maxsize=4)
def _sync_upsert(dialect: Any) -> tuple[str, _SyncEncoders]:
    """The upsert's SQL (positional parameters in ``_SYNC_COLUMNS`` order), compiled once."""
    from sqlalchemy.dialects.sqlite import insert

    from woosync.store.models import ProductSync

    table: Any = ProductSync.__table__  # type: ignore[attr-defined]
    statement = insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=["connection_id", "product_id"],
        set_={name: statement.excluded[name] for name in _SYNC_COLUMNS if name not in _SYNC_KEPT},
    )
    compiled = statement.compile(dialect=dialect, column_keys=list(_SYNC_COLUMNS))
    if tuple(compiled.positiontup or ()) != _SYNC_COLUMNS:
        raise RuntimeError("unexpected parameter order in the sync upsert")
    encoders = _SyncEncoders(
        *(
            bind_processor(table, name, dialect)
            for name in (
                "last_exported_at",
                "last_modified_fields",
                "exported_values",
                "store_attributes",
                "created_at",
            )
        )
    )
    return str(compiled), encoders


def mark_pending(session: Session, connection_id: int, rows: Sequence[SyncRow]) -> None:
    """Flag the products about to be written; a crash leaves them ``pending``, not ``synced``."""
    write_syncs(session, connection_id, rows)


def delete_sync(session: Session, connection_id: int, product_id: int) -> None:
    from sqlalchemy import delete

    from woosync.store.models import ProductSync

    table: Any = ProductSync.__table__  # type: ignore[attr-defined]
    session.execute(
        delete(table).where(
            table.c.connection_id == connection_id, table.c.product_id == product_id
        )
    )


def touch_connection(session: Session, connection_id: int, when: datetime | None = None) -> None:
    from woosync.store.models import Connection

    connection = session.get(Connection, connection_id)
    if connection is not None:
        connection.last_synced_at = when or utcnow()
        session.add(connection)
