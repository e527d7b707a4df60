"""The spec's Get sync status of one connection: the sync records and counts by status."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlmodel import col, select

from woosync.core.errors import NotFoundError, ValidationError
from woosync.core.timeutil import iso
from woosync.db.models import Product, ProductSync
from woosync.services.connections import connection_or_default

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlmodel import Session

    from woosync.db.engine import Database


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


EXCLUDED_STATE = "excluded"  # not a stored sync status: the product is kept out of the store


def validate_status(status: str | None) -> str | None:
    from woosync.db.models import SYNC_STATUSES

    if status is None:
        return None
    value = status.strip().lower()
    known = (*SYNC_STATUSES, EXCLUDED_STATE)
    if value not in known:
        raise ValidationError(
            f"unknown sync status {status!r}", hint=f"use one of {', '.join(known)}"
        )
    return value


def sync_status(
    db: Database,
    connection: int | str | None = None,
    *,
    status: str | None = None,
    product_id: int | None = None,
    conflicts_only: bool = False,
) -> dict[str, Any]:
    """``{connectionId, storeName, records: [...], summary: {synced, pending, error, total,
    excluded}, importCursor, conflictCount, conflicts: [...]}``.

    ``records`` are filtered by ``status`` and ``product_id`` (and, with ``conflicts_only``, to those
    with conflicts); ``summary`` counts all of the connection's records (or the product's, when
    ``product_id`` is given) by status, whatever ``status`` says. ``conflicts`` lists the fields
    changed both in the catalog and in the store since the last sync (:func:`open_conflicts`).
    """
    from sqlmodel import col, func, select

    from woosync.db.models import SYNC_STATUSES, Product, ProductSync
    from woosync.services.imports.bookmark import read_cursor

    wanted = validate_status(status)
    db_status = None if wanted == EXCLUDED_STATE else wanted
    with db.session() as session:
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
        if db_status is not None:
            base = base.where(ProductSync.sync_status == db_status)
        records = session.exec(base.order_by(col(ProductSync.product_id))).all()
        conflicts = open_conflicts(session, [r for r in records if r.conflicts])
        counts = dict(session.exec(counting).all())
        if product_id is not None and not counts and session.get(Product, product_id) is None:
            raise NotFoundError(
                f"product {product_id} not found", hint="run 'woosync products list' to see them"
            )
        summary: dict[str, int] = {name: int(counts.get(name, 0)) for name in SYNC_STATUSES}
        summary["total"] = sum(int(count) for count in counts.values())
        listed = [sync_record_to_dict(record) for record in records]
        _mark_variations(session, conn.id, listed)
        listed = _with_exclusions(session, conn.id, listed, summary, product_id, wanted)
        if conflicts_only:
            with_conflicts = {c["productId"] for c in conflicts}
            listed = [record for record in listed if record["productId"] in with_conflicts]
        cursor = read_cursor(session, conn.id)
        return {
            "connectionId": conn.id,
            "storeName": conn.store_name,
            "records": listed,
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

    from woosync.db.models import Product
    from woosync.services.catalog import field_value
    from woosync.services.sync_echoes import catalog_print, conflict_target

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


def _mark_variations(session: Session, connection_id: int, listed: list[dict[str, Any]]) -> None:
    """A variation's record names its variable product: ``parentProductId``, the store's
    variation id as ``wooVariationId`` and the parent's store id as ``wooProductId``."""
    ids = [record["productId"] for record in listed]
    parents: dict[int, int] = {}
    for start in range(0, len(ids), 500):
        rows = session.exec(
            select(Product.id, Product.parent_id).where(
                col(Product.id).in_(ids[start : start + 500]), col(Product.parent_id).is_not(None)
            )
        ).all()
        parents.update({int(i or 0): int(p or 0) for i, p in rows})
    if not parents:
        return
    wanted = sorted(set(parents.values()))
    parent_woo = dict(
        session.exec(
            select(ProductSync.product_id, ProductSync.woo_product_id).where(
                ProductSync.connection_id == connection_id, col(ProductSync.product_id).in_(wanted)
            )
        ).all()
    )
    for record in listed:
        parent = parents.get(record["productId"])
        if parent is not None:
            record["wooVariationId"] = record["wooProductId"]
            record["wooProductId"] = int(parent_woo.get(parent, 0))
            record["parentProductId"] = parent


def _with_exclusions(
    session: Session,
    connection_id: int,
    records: list[dict[str, Any]],
    summary: dict[str, int],
    product_id: int | None,
    wanted: str | None,
) -> list[dict[str, Any]]:
    """Products kept out of the store show as ``excluded`` (``excludedReason``: deleted, excluded
    or selection; ``excludedSince``): in the records, in place of their sync status, and counted in
    ``summary.excluded``. Products excluded by hand are listed even without a sync record; those
    outside the store's ``products:`` selection only when they have one (the store was sent them)."""
    from woosync.services.export.records import load_syncs
    from woosync.services.selection import SELECTION, exclusions, selection_outcasts

    manual = {
        pid: (found.reason, found.since)
        for pid, found in exclusions(
            session, connection_id, [product_id] if product_id is not None else None
        ).items()
    }
    for pid in selection_outcasts(session, connection_id, product_id):
        manual.setdefault(pid, (SELECTION, None))
    summary["excluded"] = 0
    if not manual:
        return [r for r in records if wanted != EXCLUDED_STATE]
    syncs = load_syncs(session, connection_id, manual)
    for pid in manual:
        sync = syncs.get(pid)
        if sync is not None:
            summary[sync.sync_status] = summary.get(sync.sync_status, 0) - 1
        else:
            summary["total"] += 1
        summary["excluded"] += 1
    by_product = {record["productId"]: record for record in records}
    if wanted == EXCLUDED_STATE:
        by_product = {pid: record for pid, record in by_product.items() if pid in manual}
        for pid in manual:
            if pid in syncs and pid not in by_product:
                by_product[pid] = _stand_in(connection_id, pid, syncs[pid].woo_product_id)
    elif wanted is not None:
        by_product = {pid: record for pid, record in by_product.items() if pid not in manual}
    if wanted in (None, EXCLUDED_STATE):
        for pid in manual:
            if pid not in syncs:
                by_product[pid] = _stand_in(connection_id, pid, 0)
    for pid, record in by_product.items():
        if pid in manual:
            reason, since = manual[pid]
            record.update(
                syncStatus=EXCLUDED_STATE, excludedReason=reason, excludedSince=iso(since)
            )
    return [by_product[pid] for pid in sorted(by_product)]


def _stand_in(connection_id: int, product_id: int, woo_id: int) -> dict[str, Any]:
    """A record's shape for an excluded product whose sync record is gone (deleted from the store)."""
    return {
        "id": None,
        "connectionId": connection_id,
        "productId": product_id,
        "wooProductId": woo_id,
        "lastExportedAt": None,
        "lastImportedAt": None,
        "lastModifiedFields": None,
        "syncStatus": EXCLUDED_STATE,
        "errorMessage": None,
        "createdAt": None,
        "updatedAt": None,
    }
