"""``products remove --from-stores``: delete a product from the stores that hold it, then locally.

    holders = stores_holding(db, 199)        # [Holder(connection_id, store_name, ...)]
    outcome = delete_from_stores(db, 199)     # each store's answer; errors do not stop the others

A store that cannot be reached (or is locked, or refuses) keeps its copy and its sync record, so the
product is not removed locally: running the command again finishes the job.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import col, select

from woosync.core.errors import WoosyncError
from woosync.db.models import Connection, ProductSync
from woosync.services.catalog.lookup import get_product
from woosync.services.export.run import delete_product

if TYPE_CHECKING:
    from woosync.db.engine import Database

DELETED = "deleted"  # deleted from the store
GONE = "gone"  # the store no longer had it
INACTIVE = "inactive"  # the connection is inactive: not touched
FAILED = "failed"  # the store could not be asked: its copy and sync record stay


@dataclass(frozen=True, slots=True)
class Holder:
    """A store whose sync record links the product to a store product."""

    connection_id: int
    store_name: str
    woo_product_id: int
    active: bool


@dataclass(frozen=True, slots=True)
class StoreDeletion:
    """What deleting the product from one store gave (``status``: DELETED, GONE, INACTIVE or
    FAILED)."""

    connection_id: int
    store_name: str
    woo_product_id: int
    status: str
    message: str | None = None


def stores_holding(db: Database, product_id: int) -> list[Holder]:
    """The connections whose sync record links the product to a store product."""
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
            Holder(int(conn.id or 0), conn.store_name, sync.woo_product_id, conn.is_active)
            for sync, conn in rows
        ]


def delete_from_stores(
    db: Database, product_id: int, *, lock_wait: float = 0.0
) -> list[StoreDeletion]:
    """Delete the product from every active store that holds it (Delete product per store); one
    entry per holder."""
    outcome: list[StoreDeletion] = []
    for holder in stores_holding(db, product_id):
        where = (holder.connection_id, holder.store_name, holder.woo_product_id)
        if not holder.active:
            outcome.append(
                StoreDeletion(*where, INACTIVE, "the connection is inactive; its copy stays")
            )
            continue
        try:
            answer = delete_product(db, holder.connection_id, product_id, lock_wait=lock_wait)
        except WoosyncError as exc:
            outcome.append(StoreDeletion(*where, FAILED, str(exc)))
            continue
        if answer.success:
            outcome.append(StoreDeletion(*where, DELETED))
        else:
            outcome.append(StoreDeletion(*where, GONE, answer.message))
    return outcome
