"""What the variation export returns (typed), and one variation on its way through it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from woosync.services.export.variation_records import Family
from woosync.services.selection import Excluded
from woosync.woo import ItemError, VariationOutcome

SUCCESS = "success"
FAILED = "error"
UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class VariationResult:
    """One variation's outcome in one store."""

    product_id: int
    parent_product_id: int
    sku: str
    woo_variation_id: int
    woo_parent_id: int
    status: str  # SUCCESS, FAILED or UNCHANGED (nothing to send)
    exported_fields: tuple[str, ...] = ()
    last_exported_at: datetime | None = None
    message: str | None = None
    created: bool = False  # the store's variation was created by this run
    held_conflicts: tuple[str, ...] = ()  # fields a partial export left out: in conflict


@dataclass(frozen=True, slots=True)
class PrunedVariation:
    """A store variation no catalog variation matches: deleted with ``prune`` (or would be)."""

    parent_product_id: int
    woo_parent_id: int
    woo_variation_id: int
    sku: str
    deleted: bool
    message: str | None = None


@dataclass(frozen=True, slots=True)
class PlannedVariation:
    """What an export would do with one variation (``--dry-run``)."""

    product_id: int
    parent_product_id: int
    sku: str
    action: str  # create, update, unchanged or error
    fields: tuple[str, ...] = ()
    message: str | None = None
    held_conflicts: tuple[str, ...] = ()  # fields a partial export leaves out


@dataclass(slots=True)
class VariationPlan:
    variations: list[PlannedVariation] = field(default_factory=list)
    pruned: list[PrunedVariation] = field(default_factory=list)
    excluded: list[Excluded] = field(default_factory=list)  # kept out of this store
    # linked parents whose attribute list a run would send (a new option)
    parents: list[ParentChange] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ParentChange:
    """A linked variable product whose attribute list a run would send for its variations: per
    attribute, (name, the store's options or ``None``, the catalog's)."""

    product_id: int
    sku: str
    woo_id: int
    attributes: tuple[tuple[str, list[str] | None, list[str]], ...]


@dataclass(slots=True)
class VariationReport:
    results: list[VariationResult] = field(default_factory=list)
    pruned: list[PrunedVariation] = field(default_factory=list)
    excluded: list[Excluded] = field(default_factory=list)  # kept out of this store
    warnings: list[str] = field(default_factory=list)  # the run's (Run.warn)
    # (field, value, SKU): a tax or shipping class the store dropped (notices.dropped)
    dropped: list[tuple[str, str, str]] = field(default_factory=list)
    # linked parents whose attributes this stage sent (a new option): (product id, store id, SKU)
    parents_written: list[tuple[int, int, str]] = field(default_factory=list)


def excluded_of(
    family: Family, only: Collection[int] | None, whole: Collection[int]
) -> list[Excluded]:
    """The family's variations kept out of this store that the run asked for (``only`` those
    variations, but all of the parents in ``whole``)."""
    everything = only is None or family.product_id in whole
    return [
        Excluded(int(row.id), str(row.sku), why)
        for row, why in family.excluded
        if everything or (only is not None and row.id in only)
    ]


@dataclass(slots=True)
class VariationItem:
    """One catalog variation on its way: its values and fingerprints, its link, the keys sent."""

    family: Family
    row: Any
    values: dict[str, Any]
    prints: dict[str, str]
    previous: dict[str, str]
    woo_id: int
    last_exported_at: datetime | None = None
    keys: list[str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)  # in store terms (store_options)
    conflicts: frozenset[str] = frozenset()  # keys in conflict (the sync record's)
    held: tuple[str, ...] = ()  # the fields of those a partial export left out


def pruned_variation(outcome: VariationOutcome) -> PrunedVariation:
    """What ``prune_variations`` did with one store variation (a prune write is tagged with minus
    its local parent's id)."""
    write = outcome.write
    return PrunedVariation(
        -write.tag,
        write.parent_id,
        int(write.variation_id or 0),
        write.sku,
        outcome.ok,
        str(outcome.error) if outcome.error else None,
    )


def refusal_message(sku: str, error: ItemError) -> str:
    """The store's refusal of one variation, said so the shop owner knows what to do."""
    if error.duplicate_sku and error.resource_id:
        suggestion = f' (the store suggests "{error.unique_sku}")' if error.unique_sku else ""
        return (
            f'SKU "{sku}" is already used in the store by #{error.resource_id}'
            f"{suggestion}; give this variation another SKU"
        )
    return str(error)
