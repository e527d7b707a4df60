"""Export bookkeeping in SQLite: what to export, the sync records, written in bulk.

A run reads everything it needs in a few queries and writes sync records with one multi-row upsert
per batch of products (never one transaction per product).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from woosync.core.errors import NotFoundError, ValidationError
from woosync.core.timeutil import utcnow
from woosync.db.bulk_sql import write_many

if TYPE_CHECKING:
    from sqlmodel import Session

_CHUNK = 500  # ids per IN (...) query
# --retry-failed: failed, or left "pending" by a run that was interrupted (a run holds the store's
# lock while its records are pending, so outside a run "pending" means it never finished)
RETRY_STATUSES = ("error", "pending")


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
    store_echoes: dict[str, str] | None = None
    image_sources: dict[str, str] | None = None
    conflicts: dict[str, Any] | None = None


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

    from woosync.db.models import Product, ProductSync

    chosen = [bool(product_ids), bool(skus), all_products, retry_failed]
    if sum(chosen) != 1:
        raise ValidationError(
            "choose the products to export with exactly one of --products, --sku, --all or "
            "--retry-failed"
        )
    table: Any = Product.__table__  # type: ignore[attr-defined]
    columns = [table.c[name] for name in product_columns(fields)] if fields is not None else [table]
    if all_products:
        # variations go out with their variable product, through /products/{id}/variations
        # (the variation export), never as products of their own
        query = select(*columns).where(table.c.parent_id.is_(None)).order_by(table.c.id)
        return list(session.execute(query).all())
    if retry_failed:
        failed = session.exec(
            select(ProductSync.product_id)
            .where(ProductSync.connection_id == connection_id)
            .where(col(ProductSync.sync_status).in_(RETRY_STATUSES))
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
    "manage_stock",
    "stock_quantity",
    "backorders",
    "low_stock_amount",
    "date_on_sale_from",
    "date_on_sale_to",
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

    from woosync.db.models import ProductSync

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


def linked_products(
    session: Session, connection_id: int, woo_ids: Iterable[int]
) -> dict[int, set[int]]:
    """``store product id -> local product ids`` whose sync record for this store links them to it
    (ids no record links are left out)."""
    from woosync.db.models import ProductSync

    table: Any = ProductSync.__table__  # type: ignore[attr-defined]
    wanted = [int(i) for i in dict.fromkeys(woo_ids) if i]
    found: dict[int, set[int]] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        rows = session.execute(
            table.select()
            .with_only_columns(table.c.woo_product_id, table.c.product_id)
            .where(table.c.connection_id == connection_id, table.c.woo_product_id.in_(chunk))
        )
        for woo_id, product_id in rows:
            found.setdefault(int(woo_id), set()).add(int(product_id))
    return found


_SYNC_READ = (
    "product_id",
    "woo_product_id",
    "sync_status",
    "last_exported_at",
    "last_modified_fields",
    "exported_values",
    "store_attributes",
    "store_echoes",
    "image_sources",
    "conflicts",
)


def write_syncs(session: Session, connection_id: int, rows: Sequence[SyncRow]) -> None:
    """Upsert sync records, one ``executemany`` for all of them (:func:`bulk_sql.write_many`: the
    bytes the ORM would store); a record that exists keeps its ``created_at``."""
    if not rows:
        return
    from woosync.db.models import ProductSync

    now = utcnow()
    write_many(
        session,
        ProductSync.__table__,  # type: ignore[attr-defined]
        _SYNC_COLUMNS,
        [
            (
                connection_id,
                row.product_id,
                row.woo_product_id,
                row.last_exported_at,
                row.last_modified_fields,
                row.sync_status,
                row.error_message,
                row.exported_values,
                row.store_attributes,
                now,
                now,
                row.store_echoes,
                row.image_sources,
                row.conflicts,
            )
            for row in rows
        ],
        conflict=("connection_id", "product_id"),
        keep=("created_at",),
    )


# The columns write_syncs gives, in the order of its tuples (the table's order: no reordering).
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
    "store_echoes",
    "image_sources",
    "conflicts",
)


def delete_sync(session: Session, connection_id: int, product_id: int) -> None:
    from sqlalchemy import delete

    from woosync.db.models import ProductSync

    table: Any = ProductSync.__table__  # type: ignore[attr-defined]
    session.execute(
        delete(table).where(
            table.c.connection_id == connection_id, table.c.product_id == product_id
        )
    )


def touch_connection(session: Session, connection_id: int, when: datetime | None = None) -> None:
    from woosync.db.models import Connection

    connection = session.get(Connection, connection_id)
    if connection is not None:
        connection.last_synced_at = when or utcnow()
        session.add(connection)
