"""Sync status of one connection (spec operation 22): the sync records and counts by status."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from woosync.core.errors import NotFoundError, ValidationError
from woosync.core.timeutil import iso
from woosync.services.common import connection_or_default

if TYPE_CHECKING:
    from collections.abc import Sequence

    from woosync.store.engine import Store
    from woosync.store.models import ProductSync


def sync_record_to_dict(record: ProductSync) -> dict[str, Any]:
    """A sync record in the spec's shape (camelCase keys, iso timestamps)."""
    return {
        "id": record.id,
        "connectionId": record.connection_id,
        "productId": record.product_id,
        "wooProductId": record.woo_product_id,
        "lastExportedAt": iso(record.last_exported_at),
        "lastImportedAt": iso(record.last_imported_at),
        "lastModifiedFields": record.last_modified_fields,
        "syncStatus": record.sync_status,
        "errorMessage": record.error_message,
        "createdAt": iso(record.created_at),
        "updatedAt": iso(record.updated_at),
    }


def validate_status(status: str | None) -> str | None:
    from woosync.store.models import SYNC_STATUSES

    if status is None:
        return None
    value = status.strip().lower()
    if value not in SYNC_STATUSES:
        raise ValidationError(
            f"unknown sync status {status!r}", hint=f"use one of {', '.join(SYNC_STATUSES)}"
        )
    return value


def sync_status(
    store: Store,
    connection: int | str | None = None,
    *,
    status: str | None = None,
    product_id: int | None = None,
    conflicts_only: bool = False,
) -> dict[str, Any]:
    """``{connectionId, storeName, records: [...], summary: {synced, pending, error, total},
    importCursor, conflictCount, conflicts: [...]}``.

    ``records`` are filtered by ``status`` and ``product_id`` (and, with ``conflicts_only``, to those
    with conflicts); ``summary`` counts all of the connection's records (or the product's, when
    ``product_id`` is given) by status, whatever ``status`` says. ``conflicts`` lists the fields
    changed both in the catalog and in the store since the last sync (:func:`open_conflicts`).
    """
    from sqlmodel import col, func, select

    from woosync.services.import_cursor import read_cursor
    from woosync.store.models import SYNC_STATUSES, Product, ProductSync

    wanted = validate_status(status)
    with store.session() as session:
        conn = connection_or_default(session, connection)
        assert conn.id is not None
        base = select(ProductSync).where(ProductSync.connection_id == conn.id)
        counting = (
            select(ProductSync.sync_status, func.count())
            .where(ProductSync.connection_id == conn.id)
            .group_by(ProductSync.sync_status)
        )
        if product_id is not None:
            base = base.where(ProductSync.product_id == product_id)
            counting = counting.where(ProductSync.product_id == product_id)
        if wanted is not None:
            base = base.where(ProductSync.sync_status == wanted)
        records = session.exec(base.order_by(col(ProductSync.product_id))).all()
        conflicts = open_conflicts(session, [r for r in records if r.conflicts])
        if conflicts_only:
            with_conflicts = {c["productId"] for c in conflicts}
            records = [r for r in records if r.product_id in with_conflicts]
        counts = dict(session.exec(counting).all())
        if product_id is not None and not counts and session.get(Product, product_id) is None:
            raise NotFoundError(
                f"product {product_id} not found", hint="run 'woosync products list' to see them"
            )
        summary: dict[str, int] = {name: int(counts.get(name, 0)) for name in SYNC_STATUSES}
        summary["total"] = sum(int(count) for count in counts.values())
        cursor = read_cursor(session, conn.id)
        return {
            "connectionId": conn.id,
            "storeName": conn.store_name,
            "records": [sync_record_to_dict(record) for record in records],
            "summary": summary,
            "importCursor": iso(cursor),
            "conflictCount": len(conflicts),
            "conflicts": conflicts,
        }


def open_conflicts(session: Any, records: Sequence[ProductSync]) -> list[dict[str, Any]]:
    """The conflicts of these sync records that still stand: ``{productId, sku, wooProductId,
    field, wooField, catalog, store}`` with the catalog's value now and the store's value as the
    last import saw it. One whose catalog value was since edited to equal the store's is left out
    (the next import clears it)."""
    from sqlmodel import col, select

    from woosync.services.catalog import field_value
    from woosync.services.sync_echoes import catalog_print, conflict_target
    from woosync.store.models import Product

    ids = sorted({record.product_id for record in records})
    products = {
        p.id: p for p in session.exec(select(Product).where(col(Product.id).in_(ids))).all()
    }
    found: list[dict[str, Any]] = []
    for record in records:
        product = products.get(record.product_id)
        if product is None:
            continue
        for key, conflict in sorted((record.conflicts or {}).items()):
            target = conflict_target(str(conflict.get("field") or ""), key)
            current = field_value(product, target.field)
            if catalog_print(target, current) == catalog_print(target, conflict.get("store")):
                continue
            found.append(
                {
                    "productId": record.product_id,
                    "sku": product.sku,
                    "wooProductId": record.woo_product_id,
                    "field": target.field,
                    "wooField": key,
                    "catalog": current,
                    "store": conflict.get("store"),
                }
            )
    return found
