"""What one import run knows while it works through the pages, and the result it reports.

:mod:`import_fetch` fills in what the store sent (products seen, the newest change, ``X-WP-Total``),
:mod:`import_write` what became of each product; :func:`summary` turns that into the spec's result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from woosync.core.timeutil import iso

if TYPE_CHECKING:
    from woosync.services.imports.fields import ImportRules
    from woosync.services.imports.fingerprints import Fingerprinter
    from woosync.woo import WooClient

# Per-product outcomes: the spec's imported / updated / failed, plus ``unchanged`` (matched, updated
# with --update-existing, nothing differed) and ``skipped`` (left alone, with the reason).
STATUSES = ("imported", "updated", "unchanged", "skipped", "failed")
SHOWN_NAMES = 10  # store products named in one warning


@dataclass
class ImportRun:
    """What one import run knows while it works through the pages."""

    connection_id: int
    rules: ImportRules
    update_existing: bool
    dry_run: bool
    client: WooClient
    fingerprinter: Fingerprinter
    results: dict[int, dict[str, Any]] = field(default_factory=dict)
    seen: dict[int, datetime | None] = field(default_factory=dict)
    newest: datetime | None = None
    expected_total: int = 0
    # Fewer products arrived than the store counted (the listing shifted while it was read): one
    # may have been missed, so an incremental run keeps its bookmark where it was.
    incomplete: bool = False
    warnings: list[str] = field(default_factory=list)
    slugs_by_id: dict[int, str] | None = None
    planned_skus: set[str] = field(default_factory=set)
    # Store product ids that may have a sync record of this connection (a superset): those linked
    # when the run started plus those the run linked. Pages whose products are in none skip the
    # link query, which scans all of the connection's sync records (there is no index on the
    # store product id). ``None`` (dry runs, which hold no lock): every page asks the database.
    maybe_linked: set[int] | None = None
    # The catalog's SKUs by their case-folded form, read once when a page first has new products:
    # WooCommerce treats SKUs that differ only in case as one, so the catalog never holds both.
    folded_skus: dict[str, tuple[int, str]] | None = None
    # Two-way sync: how a field changed on both sides is resolved (skip | catalog | store), and
    # whether store products without a SKU are imported under a made-up SKU (else skipped).
    on_conflict: str = "skip"
    link_without_sku: bool = False
    without_sku: list[str] = field(default_factory=list)  # '#12 "Name"' of those skipped
    # Store media id -> the catalog URL it was uploaded from (the registry's images), for sync
    # records written before they kept their own ``image_sources``. ``None``: not read yet.
    uploaded_images: dict[str, str] | None = None
    # SKUs removed from the catalog (case-folded -> SKU): skipped unless ``restore_removed``, which
    # imports them and drops their tombstones (``restored``: the SKUs it brought back).
    tombstones: dict[str, str] = field(default_factory=dict)
    restore_removed: bool = False
    restored: list[str] = field(default_factory=list)
    # Local products excluded from this store (``products exclude``, ``delete``): left alone.
    excluded_ids: set[int] = field(default_factory=set)

    def attribute_ids(self) -> dict[str, int]:
        """The store's ``pa_`` slug -> attribute id table (empty when it was never fetched)."""
        return {slug: woo_id for woo_id, slug in (self.slugs_by_id or {}).items() if slug}


def entry(
    woo_id: int, product_id: int | None, sku: str, status: str, message: str | None = None
) -> dict[str, Any]:
    """One product's line in the result."""
    found: dict[str, Any] = {
        "wooProductId": woo_id,
        "productId": product_id,
        "sku": sku,
        "status": status,
    }
    if message:
        found["message"] = message
    return found


def summary(
    run: ImportRun, connection_id: int, after: datetime | None, cursor: datetime | None
) -> dict[str, Any]:
    products = list(run.results.values())
    counts = {status: 0 for status in STATUSES}
    for item in products:
        counts[item["status"]] += 1
    conflicts = [
        {"wooProductId": item["wooProductId"], "productId": item["productId"], "sku": item["sku"]}
        | conflict
        for item in products
        for conflict in item.get("conflicts", ())
    ]
    warnings = list(run.warnings)
    if run.without_sku:
        shown = ", ".join(run.without_sku[:SHOWN_NAMES])
        more = len(run.without_sku) - SHOWN_NAMES
        warnings.append(
            f"{len(run.without_sku)} store product(s) without a SKU skipped: {shown}"
            + (f" and {more} more" if more > 0 else "")
            + " (give them a SKU in WooCommerce, or import with --link-without-sku)"
        )
    if conflicts:
        owners = len({item["wooProductId"] for item in conflicts})
        warnings.append(
            f"{len(conflicts)} field(s) of {owners} product(s) changed both in the catalog and "
            "in the store since the last sync; both kept ('woosync sync-status --conflicts' "
            "lists them; resolve with 'import --on-conflict catalog|store' or edit one side)"
        )
    return {
        "success": counts["failed"] == 0,
        "connectionId": connection_id,
        "dryRun": run.dry_run,
        "importedCount": counts["imported"],
        "updatedCount": counts["updated"],
        "unchangedCount": counts["unchanged"],
        "skippedCount": counts["skipped"],
        "failedCount": counts["failed"],
        "conflictCount": len(conflicts),
        "mapping": run.rules.source,
        "modifiedAfter": iso(after),
        "cursor": iso(cursor),
        "warnings": warnings,
        "restoredSkus": run.restored,
        "conflicts": conflicts,
        "products": products,
    }
