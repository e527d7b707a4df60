"""The JSON of an import (the spec's *Import products* result, ARCHITECTURE.md operations table):

``{success, connectionId, dryRun, importedCount, updatedCount, unchangedCount, skippedCount,
failedCount, conflictCount, counts, mapping, modifiedAfter, cursor, warnings, restoredSkus, conflicts:
[{wooProductId, productId, sku, field, wooField, catalog, store}], products: [{wooProductId,
productId, sku, status, parentWooProductId?, parentProductId?, message?, changedFields?,
conflicts?, changes?}]}`` (the parent's ids: a variation) (``changes``: a dry
run's updates, ``[{field, old, new}]``: the catalog's value and the store's). ``counts`` is the
export's object (``shapes/counts.py``: ``created`` is ``importedCount``; ``conflicts`` counts
products, ``conflictCount`` fields).

The products come one by one (the import streams them), so the document is made in parts:
:func:`import_head` (everything but the two lists), :func:`product_json` and
:func:`conflicts_json` per product; :func:`import_json` puts them together for a short run.
Messages name service parameters (``core.errors.param``): ``spell`` writes them (the CLI: as flags).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from woosync.core.errors import spell_params
from woosync.core.timeutil import iso
from woosync.services.imports.results import ImportResult, ProductResult
from woosync.services.sync.conflicts import Conflict
from woosync.shapes.counts import run_counts

Spell = Callable[[str], str]


def _as_is(name: str) -> str:
    return name


def conflict_json(conflict: Conflict) -> dict[str, Any]:
    return {
        "field": conflict.field,
        "wooField": conflict.key,
        "catalog": conflict.catalog,
        "store": conflict.store,
    }


def product_json(product: ProductResult, spell: Spell = _as_is) -> dict[str, Any]:
    found: dict[str, Any] = {
        "wooProductId": product.woo_product_id,
        "productId": product.product_id,
        "sku": product.sku,
        "status": product.status,
    }
    if product.parent_woo_product_id is not None:
        found["parentWooProductId"] = product.parent_woo_product_id
        found["parentProductId"] = product.parent_product_id
    if product.message:
        found["message"] = spell_params(product.message, spell)
    if product.changed_fields is not None:
        found["changedFields"] = list(product.changed_fields)
    if product.conflicts:
        found["conflicts"] = [conflict_json(conflict) for conflict in product.conflicts]
    if product.changes:
        found["changes"] = [
            {"field": change.field, "old": change.old, "new": change.new}
            for change in product.changes
        ]
    return found


def conflicts_json(product: ProductResult) -> list[dict[str, Any]]:
    """The product's conflicts as entries of the top-level ``conflicts`` list."""
    owner = {
        "wooProductId": product.woo_product_id,
        "productId": product.product_id,
        "sku": product.sku,
    }
    return [owner | conflict_json(conflict) for conflict in product.conflicts]


def import_head(result: ImportResult, spell: Spell = _as_is) -> dict[str, Any]:
    """The result without ``conflicts`` and ``products``, in the document's order."""
    return {
        "success": result.success,
        "connectionId": result.connection_id,
        "dryRun": result.dry_run,
        "importedCount": result.imported_count,
        "updatedCount": result.updated_count,
        "unchangedCount": result.unchanged_count,
        "skippedCount": result.skipped_count,
        "failedCount": result.failed_count,
        "conflictCount": result.conflict_count,
        "counts": run_counts(result.counts),
        "mapping": result.mapping,
        "modifiedAfter": iso(result.modified_after),
        "cursor": iso(result.cursor),
        "warnings": [spell_params(warning, spell) for warning in result.warnings],
        "restoredSkus": list(result.restored_skus),
    }


def import_json(
    result: ImportResult, products: Iterable[ProductResult], spell: Spell = _as_is
) -> dict[str, Any]:
    """The whole document (products as handed out, in order)."""
    listed = list(products)
    return import_head(result, spell) | {
        "conflicts": [entry for product in listed for entry in conflicts_json(product)],
        "products": [product_json(product, spell) for product in listed],
    }
