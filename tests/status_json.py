"""The spec's JSON of a store's sync status, for tests that read it as a dict (as the CLI prints it)."""

from __future__ import annotations

from typing import Any

from woosync.cli.flags import flag_of
from woosync.db.engine import Database
from woosync.services.sync_status import Filters, store_status
from woosync.shapes.sync_status import store_json


def sync_status(
    db: Database,
    connection: int | str | None = None,
    *,
    status: str | None = None,
    product_id: int | None = None,
    conflicts_only: bool = False,
) -> dict[str, Any]:
    """``store_json`` of :func:`store_status` with these filters, flags spelled as the CLI does."""
    products = (product_id,) if product_id is not None else ()
    filters = Filters(status, products, (), conflicts_only)
    return store_json(store_status(db, connection, filters), flag_of)
