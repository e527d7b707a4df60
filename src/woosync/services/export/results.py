"""What export returns: typed values (their camelCase JSON is ``woosync.shapes.export``).

``export_products`` hands each product's :class:`ProductResult` to its ``on_result`` callback as
the product is finished, and returns an :class:`ExportResult`; ``plan_export`` hands each
:class:`PlannedProduct` to ``on_product`` and returns an :class:`ExportPlan`. Without a callback
the lists are kept in the returned value (fine for a few products; a catalog streams). The
products left out of the store go to ``on_excluded`` likewise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from woosync.services.export.variation_results import PlannedVariation, PrunedVariation
from woosync.services.selection import Excluded
from woosync.services.sync.counts import RunCounts

SUCCESS = "success"
FAILED = "error"

# what a product's write did in the store (``ProductResult.change``)
CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
NOT_WRITTEN = "failed"


@dataclass(frozen=True, slots=True)
class ProductResult:
    """One product's outcome (the spec's export result entry)."""

    connection_id: int
    product_id: int
    woo_product_id: int
    status: str  # SUCCESS or FAILED
    exported_fields: tuple[str, ...]
    last_exported_at: datetime | None
    message: str | None = None  # why it failed
    change: str = UNCHANGED  # CREATED, UPDATED, UNCHANGED or NOT_WRITTEN
    held_conflicts: tuple[str, ...] = ()  # fields a partial export left out: in conflict
    sku: str = ""  # for people (the spec's JSON entry has none)
    parent_product_id: int | None = None  # a variation's variable product

    @property
    def failed(self) -> bool:
        return self.status == FAILED


@dataclass(frozen=True, slots=True)
class ExportResult:
    """The spec's Export products result: counts, the products (unless streamed), and those left
    out of this store (:mod:`woosync.services.selection`)."""

    connection_id: int
    synced_count: int = 0
    failed_count: int = 0
    results: tuple[ProductResult, ...] = ()
    excluded: tuple[Excluded, ...] = ()  # unless streamed (``on_excluded``)
    excluded_count: int = 0
    counts: RunCounts = field(default_factory=RunCounts)
    pruned: tuple[PrunedVariation, ...] = ()  # store variations --prune-variations deleted
    warnings: tuple[str, ...] = ()  # what went through but leaves the store short (Run.warn)

    @property
    def success(self) -> bool:
        """Every product synced, and every store variation to prune deleted."""
        return self.failed_count == 0 and all(p.deleted for p in self.pruned)


@dataclass(frozen=True, slots=True)
class FieldChange:
    """A field a write would send: its local name, WooCommerce field, the store's value (updates
    of a product read from the store) and ours, in local terms. A dry run lists only the fields
    whose value differs from the store's (``dry_run.planned``)."""

    field: str
    woo_field: str
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class PlannedProduct:
    """What a run would do with one product."""

    product_id: int
    sku: str
    action: str  # create, update, unchanged or error
    woo_product_id: int | None
    fields: tuple[FieldChange, ...] = ()  # create and update
    message: str | None = None  # error
    missing: tuple[str, ...] = ()  # names the store lacks and may not create
    held_conflicts: tuple[str, ...] = ()  # fields a partial export leaves out
    restore_from_trash: bool = False


@dataclass(frozen=True, slots=True)
class WouldCreate:
    """A category, tag, attribute or term a real run would create in the store."""

    kind: str
    name: str


@dataclass(frozen=True, slots=True)
class PlanSummary:
    create: int = 0
    update: int = 0
    unchanged: int = 0
    error: int = 0
    excluded: int = 0
    conflicts: int = 0  # products with fields a partial export would leave out


@dataclass(frozen=True, slots=True)
class ExportPlan:
    """A dry run's plan: nothing was written."""

    connection_id: int
    partial: bool
    summary: PlanSummary = field(default_factory=PlanSummary)
    would_create: tuple[WouldCreate, ...] = ()
    products: tuple[PlannedProduct, ...] = ()
    excluded: tuple[Excluded, ...] = ()  # unless streamed (``on_excluded``); counted in summary
    variations: tuple[PlannedVariation, ...] = ()  # of the variable products planned
    prune_variations: tuple[PrunedVariation, ...] = ()  # what prune_variations would delete
    warnings: tuple[str, ...] = ()  # what the run would leave short (fields held in conflict)


@dataclass(frozen=True, slots=True)
class DeleteResult:
    """The spec's Delete product result."""

    success: bool
    message: str | None = None
