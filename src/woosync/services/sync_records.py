"""Reading sync records for ``sync-status``, a chunk at a time and only the columns shown.

The readers skip SQLAlchemy's per-value converters (timestamps and JSON are decoded here, with
the standard library's C code): at 100,000 records that is most of the command's time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, func, tuple_, type_coerce
from sqlalchemy import select as sql_select
from sqlmodel import col, select

from woosync.db.models import Product, ProductExclusion, ProductSync

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


Key = tuple[int, int]  # (the product's group: its parent's id or its own, its id)
START: Key = (0, 0)  # before every product


def _group(product_id: Any) -> Any:
    """A variation's listing group is its parent's (so it comes right after it)."""
    table: Any = Product.__table__  # type: ignore[attr-defined]
    found = sql_select(table.c.parent_id).where(table.c.id == product_id).scalar_subquery()
    return func.coalesce(found, product_id)


def _parent_woo_id(connection_id: int, product_id: Any) -> Any:
    """A variation's parent's id in the same store (NULL for a product that is no variation)."""
    products: Any = Product.__table__  # type: ignore[attr-defined]
    syncs: Any = ProductSync.__table__.alias("parent_sync")  # type: ignore[attr-defined]
    return (
        sql_select(syncs.c.woo_product_id)
        .select_from(products.join(syncs, syncs.c.product_id == products.c.parent_id))
        .where(products.c.id == product_id, syncs.c.connection_id == connection_id)
        .scalar_subquery()
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

    @property
    def key(self) -> Key:
        return (self.group, self.product_id)


def _when(text: str | None) -> datetime | None:
    """A stored timestamp (UTC, as SQLite keeps it) read without SQLAlchemy's slower converter."""
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=UTC)


def _json(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _raw(column: Any) -> Any:
    return type_coerce(column, String)


def _restricted(query: Any, column: Any, filters: Filters) -> Any:
    if filters.product_ids:
        query = query.where(column.in_(filters.product_ids))
    if filters.skus:
        by_sku = sql_select(col(Product.id)).where(
            col(Product.sku).collate("NOCASE").in_(filters.skus)
        )
        query = query.where(column.in_(by_sku))
    return query


def read_syncs(
    session: Session, connection_id: int, filters: Filters, after: Key, limit: int
) -> list[SyncRow]:
    """The next ``limit`` sync records after the key ``after``, in key order (a product, then
    its variations)."""
    table: Any = ProductSync.__table__  # type: ignore[attr-defined]
    c = table.c
    group = _group(c.product_id)
    query = sql_select(
        c.id,
        c.product_id,
        c.woo_product_id,
        _raw(c.last_exported_at),
        _raw(c.last_imported_at),
        _raw(c.last_modified_fields),
        c.sync_status,
        c.error_message,
        _raw(c.created_at),
        _raw(c.updated_at),
        _raw(c.conflicts),
        group,
        _parent_woo_id(connection_id, c.product_id),
    ).where(c.connection_id == connection_id, tuple_(group, c.product_id) > tuple_(*after))
    query = _restricted(query, c.product_id, filters)
    query = query.order_by(group, c.product_id).limit(limit)
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
        for row in session.execute(query)
    ]


def read_exclusions(
    session: Session, connection_id: int, filters: Filters, after: Key, upper: Key | None
) -> dict[int, tuple[str, datetime | None]]:
    """Products excluded by hand from the store, between the keys ``after`` and ``upper``
    (included)."""
    table: Any = ProductExclusion.__table__  # type: ignore[attr-defined]
    key = tuple_(_group(table.c.product_id), table.c.product_id)
    query = sql_select(table.c.product_id, table.c.reason, _raw(table.c.created_at)).where(
        table.c.connection_id == connection_id, key > tuple_(*after)
    )
    if upper is not None:
        query = query.where(key <= tuple_(*upper))
    query = _restricted(query, table.c.product_id, filters)
    return {int(pid): (reason, _when(since)) for pid, reason, since in session.execute(query)}


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
