"""The sync records of a page's store products, read as plain values (:class:`Link`).

An import reads, per page, the records of the store products it got (by the ``(connection_id,
woo_product_id)`` index): the link to the local product and the two-way sync's memory that
:mod:`~woosync.services.imports.reconcile` compares with and
:func:`~woosync.services.imports.syncs.same_record` checks before writing. Nothing here changes a
record (they are written in bulk by :mod:`~woosync.services.imports.syncs`), so they are read
with one plain SQL query, the JSON decoded once, without the ORM's objects (a page of an
unchanged re-import is 100 parents and 600 variations: the ORM cost several times the query).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlmodel import Session

_COLUMNS = (
    "id, product_id, woo_product_id, last_imported_at, sync_status, error_message, "
    "exported_values, store_attributes, store_echoes, image_sources, conflicts"
)


@dataclass(slots=True)
class Link:
    """One ``product_sync`` row as an import reads it (the columns it compares and writes)."""

    id: int
    product_id: int
    woo_product_id: int
    imported: bool  # an import wrote it before (``last_imported_at`` is set)
    sync_status: str
    error_message: str | None
    exported_values: dict[str, Any]
    store_attributes: list[dict[str, Any]] | None
    store_echoes: dict[str, str] | None
    image_sources: dict[str, str] | None
    conflicts: dict[str, Any] | None


def links(session: Session, connection_id: int, woo_ids: list[int]) -> dict[int, Link]:
    """The sync records of these store products for the connection, by store product id."""
    if not woo_ids:
        return {}
    query = (
        f"SELECT {_COLUMNS} FROM product_sync WHERE connection_id = ? "
        f"AND woo_product_id IN ({', '.join('?' * len(woo_ids))})"
    )
    found: dict[int, Link] = {}
    rows = session.connection().exec_driver_sql(query, (connection_id, *woo_ids))
    for row in rows:
        found[int(row[2])] = Link(
            int(row[0]),
            int(row[1]),
            int(row[2]),
            row[3] is not None,
            str(row[4]),
            row[5],
            _json(row[6]) or {},
            _json(row[7]),
            _json(row[8]),
            _json(row[9]),
            _json(row[10]),
        )
    return found


def _json(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def linked_skus(session: Session, connection_id: int, woo_ids: list[int]) -> dict[int, str]:
    """The catalog SKUs of the local products these store products are linked to, by store
    product id (those never linked are left out): a linked store product whose SKU was removed
    in the store is still known by its link."""
    if not woo_ids:
        return {}
    query = (
        "SELECT s.woo_product_id, p.sku FROM product_sync s JOIN products p "
        "ON p.id = s.product_id WHERE s.connection_id = ? "
        f"AND s.woo_product_id IN ({', '.join('?' * len(woo_ids))})"
    )
    rows = session.connection().exec_driver_sql(query, (connection_id, *woo_ids))
    return {int(woo_id): str(sku) for woo_id, sku in rows}
