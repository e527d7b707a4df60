"""Imports as the ``--json`` document: the service's streamed product results collected in order
and shaped (``shapes.imports.import_json``), messages spelled as the CLI spells them."""

from __future__ import annotations

from typing import Any

from woosync.cli.flags import flag_of
from woosync.db.engine import Database
from woosync.services.imports.results import ProductResult
from woosync.services.imports.run import import_products
from woosync.shapes.imports import import_json


def import_products_json(
    db: Database, connection: int | str | None = None, **options: Any
) -> dict[str, Any]:
    """``import_products`` with every product result kept; the result as the CLI's ``--json``."""
    products: list[ProductResult] = []
    result = import_products(db, connection, on_product=products.append, **options)
    return import_json(result, products, flag_of)
