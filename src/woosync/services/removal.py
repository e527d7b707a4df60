"""``products remove --from-stores``: delete a product from the stores that hold it, then locally.

    holders = stores_holding(store, 199)        # [{connectionId, storeName, wooProductId, active}]
    outcome = delete_from_stores(store, 199)     # each store's answer; errors do not stop the others

A store that cannot be reached (or is locked, or refuses) keeps its copy and its sync record, so the
product is not removed locally: running the command again finishes the job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from woosync.core.errors import WoosyncError

if TYPE_CHECKING:
    from woosync.db.engine import Database


def stores_holding(db: Database, product_id: int) -> list[dict[str, Any]]:
    """The connections whose sync record links the product to a store product."""
    from sqlmodel import col, select

    from woosync.db.models import Connection, ProductSync
    from woosync.services.catalog import get_product

    with db.session() as session:
        get_product(session, product_id)
        rows = session.exec(
            select(ProductSync, Connection)
            .where(ProductSync.connection_id == Connection.id)
            .where(ProductSync.product_id == product_id)
            .where(col(ProductSync.woo_product_id) > 0)
            .order_by(col(Connection.id))
        ).all()
        return [
            {
                "connectionId": conn.id,
                "storeName": conn.store_name,
                "wooProductId": sync.woo_product_id,
                "active": conn.is_active,
            }
            for sync, conn in rows
        ]


def delete_from_stores(
    db: Database, product_id: int, *, lock_wait: float = 0.0
) -> list[dict[str, Any]]:
    """Delete the product from every active store that holds it (Delete product per store).

    One entry per holder: ``{connectionId, storeName, wooProductId, status, message?}`` with status
    ``deleted``, ``gone`` (the store no longer had it), ``inactive`` (the connection is inactive:
    not touched) or ``failed`` (the store could not be asked: its copy and sync record stay).
    """
    from woosync.services.export.run import delete_product

    outcome: list[dict[str, Any]] = []
    for holder in stores_holding(db, product_id):
        entry = dict(holder)
        del entry["active"]
        if not holder["active"]:
            entry.update(status="inactive", message="the connection is inactive; its copy stays")
            outcome.append(entry)
            continue
        try:
            answer = delete_product(db, holder["connectionId"], product_id, lock_wait=lock_wait)
        except WoosyncError as exc:
            entry.update(status="failed", message=str(exc))
        else:
            entry["status"] = "deleted" if answer.success else "gone"
            if not answer.success:
                entry["message"] = answer.message
        outcome.append(entry)
    return outcome
