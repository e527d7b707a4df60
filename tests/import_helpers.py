"""Imports as the ``--json`` document: the service's streamed product results collected in order
and shaped (``shapes.imports.import_json``), messages spelled as the CLI spells them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from woosync.cli.flags import flag_of
from woosync.db.engine import Database
from woosync.services.imports.options import ImportRequest
from woosync.services.imports.results import ProductResult
from woosync.services.imports.run import import_products
from woosync.shapes.imports import import_json
from woosync.woo import WooClient


def import_products_json(
    db: Database,
    connection: int | str | None = None,
    *,
    progress: Callable[[int], None] | None = None,
    lock_wait: float = 0.0,
    client: WooClient | None = None,
    **request: Any,
) -> dict[str, Any]:
    """``import_products`` with every product result kept; the result as the CLI's ``--json``.
    ``request``: the :class:`ImportRequest`'s fields besides the connection."""
    products: list[ProductResult] = []
    result = import_products(
        db,
        ImportRequest(connection, **request),
        on_product=products.append,
        progress=progress,
        lock_wait=lock_wait,
        client=client,
    )
    return import_json(result, products, flag_of)
