"""Export bookkeeping in SQLite: the sync records, read and written in bulk.

A run reads everything it needs in a few queries and writes sync records with one multi-row upsert
per batch of products (never one transaction per product).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import delete, select, update

from woosync.core.fields import DIMENSION_PARTS
from woosync.core.timeutil import utcnow
from woosync.db.bulk_sql import write_columns, write_int_rows
from woosync.db.models import ProductSync

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
    export_digest: str | None = None  # see unchanged.py


def product_columns(fields: Iterable[str]) -> list[str]:
    """The ``products`` columns that :func:`woosync.services.catalog.field_value` reads for these
    field names (a run decodes no JSON it does not need)."""
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
    "brands",
    "images",
    "attributes",
    "custom_fields",
    "default_attributes",
    "upsells",
    "cross_sells",
    "grouped_products",
    "downloads",
)


def load_syncs(session: Session, connection_id: int, product_ids: Iterable[int]) -> dict[int, Any]:
    """``product_id -> sync record``: read-only rows with the ``ProductSync`` attribute names a run
    uses (``_SYNC_READ``; the timestamps it never reads are not decoded)."""
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
    "export_digest",
)


def write_syncs(session: Session, connection_id: int, rows: Sequence[SyncRow]) -> None:
    """Upsert sync records, one ``executemany`` for all of them (:func:`bulk_sql.write_many`: the
    bytes the ORM would store); a record that exists keeps its ``created_at``."""
    if not rows:
        return
    write_sync_columns(
        session,
        connection_id,
        SyncColumns(*([getattr(row, name) for row in rows] for name in SyncColumns._fields)),
    )


class SyncColumns(NamedTuple):
    """The sync records of :func:`write_sync_columns`, column by column (the fields of
    :class:`SyncRow`, each a list with one value per record, all as long)."""

    product_id: list[int]
    woo_product_id: list[int]
    last_exported_at: list[datetime | None]
    last_modified_fields: list[list[str] | None]
    sync_status: list[str]
    error_message: list[str | None]
    exported_values: list[dict[str, Any]]
    store_attributes: list[list[dict[str, Any]] | None]
    store_echoes: list[dict[str, str] | None]
    image_sources: list[dict[str, str] | None]
    conflicts: list[dict[str, Any] | None]
    export_digest: list[str | None]


def write_sync_columns(session: Session, connection_id: int, columns: SyncColumns) -> None:
    """:func:`write_syncs` for records given column by column (an export's booking builds each
    column in one pass over its items: no row object per record): one ``executemany``, the
    bytes the ORM would store; a record that exists keeps its ``created_at``."""
    count = len(columns.product_id)
    if not count:
        return
    now = [utcnow()] * count
    write_columns(
        session,
        ProductSync.__table__,  # type: ignore[attr-defined]
        {
            "connection_id": [connection_id] * count,
            **columns._asdict(),
            "created_at": now,
            "updated_at": now,
        },
        conflict=("connection_id", "product_id"),
        keep=("created_at",),
    )


def mark_pending(session: Session, connection_id: int, links: Sequence[tuple[int, int]]) -> None:
    """Before a write is sent: the records of ``links`` (``(product_id, woo_product_id)``) say
    ``pending`` (an interrupted run leaves them for ``--retry-failed``). Only the status moves
    (with the link, no error, no digest); what the record knew stays as it is until the answer is
    booked (:func:`write_syncs`), so a product is written in full once per run. A product without
    a record gets the one :func:`write_syncs` would write for it (nothing known yet)."""
    if not links:
        return
    now = utcnow()
    write_int_rows(
        session,
        ProductSync.__table__,  # type: ignore[attr-defined]
        ("product_id", "woo_product_id"),
        links,
        {
            "connection_id": connection_id,
            "sync_status": "pending",
            "error_message": None,
            "exported_values": {},
            "created_at": now,
            "updated_at": now,
            "export_digest": None,
            **dict.fromkeys(_KNOWN),  # JSON null when new, as write_syncs writes None
        },
        conflict=("connection_id", "product_id"),
        keep=("created_at", "exported_values", *_KNOWN),
    )


# what a record knows, kept by a pending mark when the record exists
_KNOWN = ("last_modified_fields", "store_attributes", "store_echoes", "image_sources", "conflicts")


def write_conflicts(
    session: Session, connection_id: int, conflicts: Mapping[int, dict[str, Any]]
) -> None:
    """Only the ``conflicts`` of these records (product id -> all its conflicts): what a partial
    export found the store changed before it writes (``store_edits``). Their digest is cleared
    by the database (a trigger), so they are decided again next time."""
    table: Any = ProductSync.__table__  # type: ignore[attr-defined]
    for product_id, found in conflicts.items():
        session.execute(
            update(table)
            .where(table.c.connection_id == connection_id, table.c.product_id == product_id)
            .values(conflicts=found, updated_at=utcnow())
        )


def delete_sync(session: Session, connection_id: int, product_id: int) -> None:
    table: Any = ProductSync.__table__  # type: ignore[attr-defined]
    session.execute(
        delete(table).where(
            table.c.connection_id == connection_id, table.c.product_id == product_id
        )
    )
