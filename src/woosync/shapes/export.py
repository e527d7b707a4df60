"""The spec's JSON of export's results (``woosync export --json``, ``update``, ``delete``).

``spell`` writes the parameters a message names (:func:`woosync.core.errors.param`): the CLI
passes its flag spelling; the default keeps the parameter's name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from woosync.core.errors import spell_params
from woosync.core.timeutil import iso
from woosync.services.export.results import (
    DeleteResult,
    ExportPlan,
    ExportResult,
    PlannedProduct,
    ProductResult,
)
from woosync.services.export.variation_results import PrunedVariation
from woosync.services.removal import Holder, StoreDeletion
from woosync.services.selection import Excluded
from woosync.services.sync.counts import RunCounts
from woosync.shapes.counts import run_counts

Spell = Callable[[str], str]


def _name(parameter: str) -> str:
    return parameter


def product_result(result: ProductResult, spell: Spell = _name) -> dict[str, Any]:
    """``{connectionId, productId, wooProductId, status, exportedFields, lastExportedAt,
    change, heldConflicts?, message?}`` (``change``: created, updated, unchanged or failed;
    parentProductId? for a variation, whose ``wooProductId`` is the store's variation id)."""
    found: dict[str, Any] = {
        "connectionId": result.connection_id,
        "productId": result.product_id,
        "wooProductId": result.woo_product_id,
        "status": result.status,
        "exportedFields": list(result.exported_fields),
        "lastExportedAt": iso(result.last_exported_at),
        "change": result.change,
    }
    if result.held_conflicts:
        found["heldConflicts"] = list(result.held_conflicts)
    if result.failed:
        found["message"] = spell_params(result.message or "export failed", spell)
    if result.parent_product_id is not None:
        found["parentProductId"] = result.parent_product_id
    return found


def excluded(entry: Excluded) -> dict[str, Any]:
    """``{productId, sku, reason, message}``: a product left out of the store, and why."""
    return entry.to_dict()


def export_result(result: ExportResult, spell: Spell = _name) -> dict[str, Any]:
    """``{success, connectionId, syncedCount, failedCount, counts, results, excludedCount,
    excluded, warnings}`` (``results``: those the result holds; a streamed run's are written as
    they come), and ``prunedVariations`` when ``--prune-variations`` deleted any."""
    return {
        "success": result.success,
        "connectionId": result.connection_id,
        "syncedCount": result.synced_count,
        "failedCount": result.failed_count,
        "counts": run_counts(result.counts),
        "results": [product_result(r, spell) for r in result.results],
        "excludedCount": result.excluded_count,
        "excluded": [excluded(entry) for entry in result.excluded],
        "warnings": [spell_params(warning, spell) for warning in result.warnings],
        **({"prunedVariations": [pruned(p) for p in result.pruned]} if result.pruned else {}),
    }


def pruned(entry: PrunedVariation) -> dict[str, Any]:
    """``{parentProductId, wooVariationId, sku, deleted, message?}``: a store variation that
    ``--prune-variations`` deleted (or failed to delete, saying why)."""
    return {
        "parentProductId": entry.parent_product_id,
        "wooVariationId": entry.woo_variation_id,
        "sku": entry.sku,
        "deleted": entry.deleted,
        **({"message": entry.message} if entry.message else {}),
    }


def planned_product(product: PlannedProduct, spell: Spell = _name) -> dict[str, Any]:
    """``{productId, sku, action, wooProductId, heldConflicts?, message? | fields, missing?,
    restoreFromTrash?}``."""
    found: dict[str, Any] = {
        "productId": product.product_id,
        "sku": product.sku,
        "action": product.action,
        "wooProductId": product.woo_product_id,
    }
    if product.held_conflicts:
        found["heldConflicts"] = list(product.held_conflicts)
    if product.action == "error":
        found["message"] = None if product.message is None else spell_params(product.message, spell)
    elif product.action in ("create", "update"):
        found["fields"] = [
            {"field": c.field, "wooField": c.woo_field, "old": c.old, "new": c.new}
            for c in product.fields
        ]
        if product.missing:
            found["missing"] = [spell_params(m, spell) for m in product.missing]
        if product.restore_from_trash:
            found["restoreFromTrash"] = True
    return found


def export_plan(plan: ExportPlan, spell: Spell = _name) -> dict[str, Any]:
    """``{dryRun, connectionId, partial, summary, counts, wouldCreate, products, excluded,
    warnings}`` (``counts``: those a real run would end with, as ``export_result`` writes
    them)."""
    summary = plan.summary
    would = RunCounts(
        created=summary.create,
        updated=summary.update,
        unchanged=summary.unchanged,
        excluded=summary.excluded,
        conflicts=summary.conflicts,
        failed=summary.error,
    )
    return {
        "dryRun": True,
        "connectionId": plan.connection_id,
        "partial": plan.partial,
        "summary": {
            "create": summary.create,
            "update": summary.update,
            "unchanged": summary.unchanged,
            "error": summary.error,
            "excluded": summary.excluded,
        },
        "counts": run_counts(would),
        "wouldCreate": [{"kind": w.kind, "name": w.name} for w in plan.would_create],
        "products": [planned_product(p, spell) for p in plan.products],
        "excluded": [excluded(entry) for entry in plan.excluded],
        "warnings": [spell_params(warning, spell) for warning in plan.warnings],
        **(_variations(plan, spell) if plan.variations or plan.prune_variations else {}),
    }


def _variations(plan: ExportPlan, spell: Spell) -> dict[str, Any]:
    """``variations: [{productId, parentProductId, sku, action, fields, heldConflicts?,
    message?}]`` and
    ``pruneVariations: [{parentProductId, wooVariationId, sku}]``."""
    return {
        "variations": [
            {
                "productId": v.product_id,
                "parentProductId": v.parent_product_id,
                "sku": v.sku,
                "action": v.action,
                "fields": list(v.fields),
                **({"heldConflicts": list(v.held_conflicts)} if v.held_conflicts else {}),
                **({"message": spell_params(v.message, spell)} if v.message else {}),
            }
            for v in plan.variations
        ],
        "pruneVariations": [
            {
                "parentProductId": p.parent_product_id,
                "wooVariationId": p.woo_variation_id,
                "sku": p.sku,
            }
            for p in plan.prune_variations
        ],
    }


def delete_result(result: DeleteResult) -> dict[str, Any]:
    """``{success}``, or ``{success: false, message}``."""
    if result.success:
        return {"success": True}
    return {"success": False, "message": result.message}


def holder(found: Holder) -> dict[str, Any]:
    """``{connectionId, storeName, wooProductId, active}``: a store that holds a product."""
    return {
        "connectionId": found.connection_id,
        "storeName": found.store_name,
        "wooProductId": found.woo_product_id,
        "active": found.active,
    }


def store_deletion(entry: StoreDeletion) -> dict[str, Any]:
    """``{connectionId, storeName, wooProductId, status, message?}``."""
    found: dict[str, Any] = {
        "connectionId": entry.connection_id,
        "storeName": entry.store_name,
        "wooProductId": entry.woo_product_id,
        "status": entry.status,
    }
    if entry.message is not None:
        found["message"] = entry.message
    return found
