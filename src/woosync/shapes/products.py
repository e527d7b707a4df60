"""The JSON of the catalog's results (``products ...``): what ``products list --json`` prints
loads back with ``products load`` (``id`` and the timestamps are ignored there)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

from woosync.core.errors import spell_params
from woosync.core.fields import DIMENSION_PARTS
from woosync.core.timeutil import iso
from woosync.products.rows import RowError
from woosync.products.variations import VARIABLE
from woosync.services.catalog.views import (
    FieldChange,
    LoadReport,
    ProductView,
    RemovedProduct,
)

Spell = Callable[[str], str]


def product_json(product: ProductView) -> dict[str, Any]:
    """The JSON shape of a product; ``products load`` accepts it back. A variable product adds
    ``variations`` (each in :func:`variation_json`'s shape); a variation alone is that shape."""
    if product.is_variation:
        return variation_json(product)
    shape = {
        "id": product.id,
        "sku": product.sku,
        "name": product.name,
        "description": product.description,
        "status": product.status,
        "type": product.type,
        "price": product.price,
        "sale_price": product.sale_price,
        "weight": product.weight,
        "dimensions": {part: getattr(product, part) for part in DIMENSION_PARTS},
        "stock_status": product.stock_status,
        "manage_stock": product.manage_stock,
        "stock_quantity": product.stock_quantity,
        "backorders": product.backorders,
        "low_stock_amount": product.low_stock_amount,
        "date_on_sale_from": product.date_on_sale_from,
        "date_on_sale_to": product.date_on_sale_to,
        "categories": list(product.categories),
        "tags": list(product.tags),
        "images": list(product.images),
        "attributes": copy.deepcopy(product.attributes),
        "customFields": copy.deepcopy(product.custom_fields),
        "createdAt": iso(product.created_at),
        "updatedAt": iso(product.updated_at),
    }
    if product.default_attributes:  # a variable product's default options, when it has some
        shape["default_attributes"] = dict(product.default_attributes)
    if product.brands:  # the store's brands, when it has some
        shape["brands"] = list(product.brands)
    for key in ("upsells", "cross_sells", "grouped_products"):  # SKUs, when it names any
        if getattr(product, key):
            shape[key] = list(getattr(product, key))
    if product.downloads:  # a downloadable product's files, when it has some
        shape["downloads"] = [dict(download) for download in product.downloads]
    if product.type == VARIABLE:
        shape["variations"] = [variation_json(variation) for variation in product.variations]
    return shape


def variation_json(variation: ProductView) -> dict[str, Any]:
    """A variation: its own fields, its options (``attributes: {Size: S}``) and its parent's
    SKU; no categories, tags or brands (its parent's) and a name made of the parent's and its options."""
    return {
        "id": variation.id,
        "sku": variation.sku,
        "name": variation.name,
        "description": variation.description,
        "status": variation.status,
        "type": variation.type,
        "parent_sku": variation.parent_sku,
        "price": variation.price,
        "sale_price": variation.sale_price,
        "weight": variation.weight,
        "dimensions": {part: getattr(variation, part) for part in DIMENSION_PARTS},
        "stock_status": variation.stock_status,
        "manage_stock": variation.manage_stock,
        "stock_quantity": variation.stock_quantity,
        "backorders": variation.backorders,
        "low_stock_amount": variation.low_stock_amount,
        "date_on_sale_from": variation.date_on_sale_from,
        "date_on_sale_to": variation.date_on_sale_to,
        "images": list(variation.images),
        "attributes": copy.deepcopy(variation.attributes),
        "customFields": copy.deepcopy(variation.custom_fields),
        "createdAt": iso(variation.created_at),
        "updatedAt": iso(variation.updated_at),
        **({"downloads": [dict(d) for d in variation.downloads]} if variation.downloads else {}),
    }


def products_json(products: Sequence[ProductView]) -> list[dict[str, Any]]:
    return [product_json(product) for product in products]


def field_change_json(change: FieldChange) -> dict[str, Any]:
    return {"field": change.field, "old": change.old, "new": change.new}


def removed_product_json(
    removed: RemovedProduct, stores: Sequence[dict[str, Any]] = ()
) -> dict[str, Any]:
    """``{id, sku, name, syncRecordsRemoved, stores}``: ``stores`` as ``services/removal.py``
    reports each store's copy; a variable product adds ``variationSkus``, removed with it."""
    shape: dict[str, Any] = {
        "id": removed.id,
        "sku": removed.sku,
        "name": removed.name,
        "syncRecordsRemoved": removed.sync_records_removed,
    }
    if removed.variation_skus:
        shape["variationSkus"] = list(removed.variation_skus)
    shape["stores"] = list(stores)
    return shape


def row_error_json(error: RowError, spell: Spell | None = None) -> dict[str, Any]:
    message = error.message if spell is None else spell_params(error.message, spell)
    return {"row": error.row, "sku": error.sku, "message": message}


def load_report_json(report: LoadReport, spell: Spell | None = None) -> dict[str, Any]:
    """The result of ``products load``; ``spell`` writes the parameters named in row errors
    (the CLI's flags)."""
    result = report.result
    return {
        "file": report.source,
        "format": report.format,
        "dryRun": report.dry_run,
        "applied": result.applied,
        **{key: value for key, value in result.counts.items() if key != "skipped"},
        "createdSkus": result.created,
        "updatedSkus": result.updated,
        "unchangedSkus": result.unchanged,
        "changes": [
            {"sku": sku, "fields": [field_change_json(change) for change in changes]}
            for sku, changes in result.changes.items()
        ],
        "errors": [row_error_json(error, spell) for error in result.errors],
        "notes": list(report.notes),
    }
