"""Reading sync records for ``sync-status``, a chunk at a time and only the columns shown.

A chunk is a range of groups (a product that is no variation, and its variations): the range's end
is found on the products' primary key and the records through the unique index of ``product_sync``,
so every chunk costs the same wherever it is in the catalog (an ``ORDER BY`` over the whole store
per chunk made 500,000 products take minutes). The caller puts a chunk's records in order.

The readers skip SQLAlchemy's per-value converters (timestamps and JSON are decoded here, with
the standard library's C code): at 100,000 records that is most of the command's time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select as sql_select
from sqlmodel import col, select

from woosync.db.models import Product

if TYPE_CHECKING:
    from sqlmodel import Session


@dataclass(frozen=True, slots=True)
class Filters:
    """Which records are listed (the summary counts them all): by state, product ids, SKUs
    (case-insensitive) and, with ``conflicts_only``, those with an open conflict."""

    status: str | None = None
    product_ids: tuple[int, ...] = ()
    skus: tuple[str, ...] = ()
    conflicts_only: bool = False


START = 0  # the group before every product's


def group_bound(session: Session, after: int, limit: int) -> int | None:
    """The last group of the next chunk: the ``limit``-th product that is no variation after
    the group ``after`` (a group is a product and its variations), or None when fewer are left
    (the chunk runs to the end). One index range, whatever the catalog's size."""
    found = session.connection().exec_driver_sql(
        "SELECT id FROM products WHERE parent_id IS NULL AND id > ? ORDER BY id LIMIT 1 OFFSET ?",
        (after, limit - 1),
    )
    bound: int | None = found.scalar()
    return bound


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))


def _chunk_ids(after: int, upper: int | None, filters: Filters) -> tuple[str, list[Any]]:
    """``WITH ids(pid, parent)``: the products of the groups in (``after``, ``upper``] (a product
    that is no variation by its id, a variation by its parent's), through the filters. Index
    ranges only: a chunk costs the same at the start and at the end of a large catalog."""
    bounds: list[Any] = [after] if upper is None else [after, upper]

    def in_range(column: str) -> str:
        return f"{column} > ?" + ("" if upper is None else f" AND {column} <= ?")

    wanted = ""
    params: list[Any] = []
    if filters.product_ids:
        wanted += f" AND id IN ({_marks(filters.product_ids)})"
        params += filters.product_ids
    if filters.skus:
        wanted += f" AND sku COLLATE NOCASE IN ({_marks(filters.skus)})"
        params += filters.skus
    sql = (
        "WITH ids(pid, parent) AS ("
        f"SELECT id, NULL FROM products WHERE parent_id IS NULL AND {in_range('id')}{wanted} "
        f"UNION ALL SELECT id, parent_id FROM products WHERE {in_range('parent_id')}{wanted}) "
    )
    return sql, [*bounds, *params, *bounds, *params]


_SYNC_COLUMNS = (
    "s.id, s.product_id, s.woo_product_id, s.last_exported_at, s.last_imported_at, "
    "s.last_modified_fields, s.sync_status, s.error_message, s.created_at, s.updated_at, "
    "s.conflicts, coalesce(ids.parent, ids.pid), "
    "(SELECT parent_sync.woo_product_id FROM product_sync AS parent_sync "
    "WHERE parent_sync.connection_id = s.connection_id AND parent_sync.product_id = ids.parent)"
)


@dataclass(frozen=True, slots=True)
class SyncRow:
    """A sync record as read here: only the columns shown (fingerprints are never decoded)."""

    id: int
    product_id: int
    woo_product_id: int
    last_exported_at: datetime | None
    last_imported_at: datetime | None
    last_modified_fields: list[str] | None
    sync_status: str
    error_message: str | None
    created_at: datetime | None
    updated_at: datetime | None
    conflicts: dict[str, Any] | None
    group: int = 0  # the parent's id for a variation, else the product's
    parent_woo_id: int | None = None  # a variation's parent's id in the store


def _when(text: str | None) -> datetime | None:
    """A stored timestamp (UTC, as SQLite keeps it) read without SQLAlchemy's slower converter."""
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=UTC)


def _json(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def read_syncs(
    session: Session, connection_id: int, filters: Filters, after: int, upper: int | None
) -> list[SyncRow]:
    """The sync records of the groups in (``after``, ``upper``] (``upper`` None: to the end),
    in no particular order; the raw values decoded here."""
    ids, params = _chunk_ids(after, upper, filters)
    query = (
        f"{ids}SELECT {_SYNC_COLUMNS} FROM ids "
        "JOIN product_sync AS s ON s.connection_id = ? AND s.product_id = ids.pid"
    )
    return [
        SyncRow(
            row[0],
            row[1],
            row[2] or 0,
            _when(row[3]),
            _when(row[4]),
            _json(row[5]),
            row[6],
            row[7],
            _when(row[8]),
            _when(row[9]),
            _json(row[10]),
            row[11],
            row[12],
        )
        for row in session.connection().exec_driver_sql(query, (*params, connection_id))
    ]


def read_exclusions(
    session: Session, connection_id: int, filters: Filters, after: int, upper: int | None
) -> dict[int, tuple[str, datetime | None]]:
    """Products excluded by hand from the store, in the groups in (``after``, ``upper``]."""
    ids, params = _chunk_ids(after, upper, filters)
    query = (
        f"{ids}SELECT e.product_id, e.reason, e.created_at FROM ids "
        "JOIN product_exclusions AS e ON e.connection_id = ? AND e.product_id = ids.pid"
    )
    rows = session.connection().exec_driver_sql(query, (*params, connection_id))
    return {int(pid): (reason, _when(since)) for pid, reason, since in rows}


def read_products(session: Session, ids: list[int], columns: Sequence[str]) -> dict[int, Any]:
    """The chunk's products: id, SKU, name, parent (a variation's) and the columns the store's
    selection reads."""
    table: Any = Product.__table__  # type: ignore[attr-defined]
    names = dict.fromkeys(["id", "sku", "name", "parent_id", *columns])
    query = sql_select(*(table.c[name] for name in names)).where(table.c.id.in_(ids))
    return {int(row.id): row for row in session.execute(query)}


def read_full_products(session: Session, ids: list[int]) -> dict[int, Product]:
    """Whole products, for the few records with a conflict (their values are compared)."""
    if not ids:
        return {}
    found = session.exec(select(Product).where(col(Product.id).in_(ids))).all()
    return {int(product.id or 0): product for product in found}
