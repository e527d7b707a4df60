"""What an import reports, as typed values: one :class:`ProductResult` per store product, handed
out as soon as its page is committed, and one :class:`ImportResult` at the end (counts, warnings,
the bookmark). ``shapes/imports.py`` turns both into the specification's camelCase JSON.

The results stream: the run never keeps them. :class:`Tally` counts what it is handed (a product
the store sent again during the run, newer, is reported again and counted once: its last result
is the one that holds).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from woosync.core.errors import param, spell_params
from woosync.services.sync.conflicts import Conflict
from woosync.services.sync.counts import RunCounts

# Per-product outcomes: the spec's imported / updated / failed, plus ``unchanged`` (matched, updated
# with update_existing, nothing differed), ``skipped`` (left alone, with the reason) and ``excluded``
# (the catalog product it matches is kept out of this store: ``selection.exclusions``).
log = logging.getLogger("woosync.import")

STATUSES = ("imported", "updated", "unchanged", "skipped", "failed", "excluded")
SHOWN_NAMES = 10  # store products named in one warning
EXCLUDED_HERE = "excluded from this store ('woosync products include' lets it sync again)"


@dataclass(frozen=True, slots=True)
class ValueChange:
    """One catalog field a dry run would change: its value in the catalog and the store's."""

    field: str
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class ProductResult:
    """What became of one store product. ``changed_fields`` is ``None`` for products that were not
    compared with the catalog (new, skipped, failed before a match)."""

    woo_product_id: int
    product_id: int | None
    sku: str
    status: str
    message: str | None = None
    changed_fields: tuple[str, ...] | None = None
    conflicts: tuple[Conflict, ...] = ()
    changes: tuple[ValueChange, ...] = ()  # a dry run's update: each changed field's values
    # a variation: its parent in the store, and in the catalog (None until the parent is there)
    parent_woo_product_id: int | None = None
    parent_product_id: int | None = None


# What a product's earlier result in this run was (its status and number of conflicts), when the
# store sent it again: the tally takes that result back before counting the new one.
Earlier = tuple[str, int] | None


@dataclass(frozen=True, slots=True)
class ImportResult:
    """The spec's import result plus ``unchanged``/``skipped`` counts, conflicts, the bookmark.
    ``counts`` are the counts every run ends with, in the export's names (``created``: imported;
    ``conflicts``: products, where ``conflict_count`` counts fields); the spec's ``*_count`` are
    read from them."""

    success: bool
    connection_id: int
    dry_run: bool
    counts: RunCounts
    conflict_count: int
    mapping: str
    modified_after: datetime | None
    cursor: datetime | None
    warnings: tuple[str, ...]
    restored_skus: tuple[str, ...]

    @property
    def imported_count(self) -> int:
        return self.counts.created

    @property
    def updated_count(self) -> int:
        return self.counts.updated

    @property
    def unchanged_count(self) -> int:
        return self.counts.unchanged

    @property
    def skipped_count(self) -> int:
        return self.counts.skipped

    @property
    def failed_count(self) -> int:
        return self.counts.failed


ProductSink = Callable[[ProductResult], None]


@dataclass(slots=True)
class NameSample:
    """The first few names of a long list, and how long it was."""

    names: list[str] = field(default_factory=list)
    count: int = 0

    def add(self, name: str) -> None:
        self.count += 1
        if len(self.names) < SHOWN_NAMES:
            self.names.append(name)

    def text(self) -> str:
        more = self.count - len(self.names)
        return ", ".join(self.names) + (f" and {more} more" if more > 0 else "")


class Tally:
    """Counts the product results as they are handed out, and passes each to ``sink``."""

    def __init__(self, sink: ProductSink | None) -> None:
        self._sink = sink
        self.counts = dict.fromkeys(STATUSES, 0)
        self.conflicts = 0
        self.conflicted_products = 0

    def add(self, result: ProductResult, earlier: Earlier = None) -> None:
        if earlier is not None:
            status, conflicts = earlier
            self.counts[status] -= 1
            self.conflicts -= conflicts
            self.conflicted_products -= 1 if conflicts else 0
        self.counts[result.status] += 1
        if result.status == "failed":
            message = spell_params(result.message or "", lambda name: name)
            log.info("store product %s failed: %s", result.woo_product_id, message)
        self.conflicts += len(result.conflicts)
        self.conflicted_products += 1 if result.conflicts else 0
        if self._sink is not None:
            self._sink(result)

    def warnings(
        self,
        run_warnings: list[str],
        without_sku: NameSample,
        sku_removed: NameSample,
        connection_id: int,
    ) -> tuple[str, ...]:
        found = list(run_warnings)
        if sku_removed.count:
            found.append(
                f"{sku_removed.count} product(s) or variation(s) have no SKU in the store: "
                f"{sku_removed.text()}; the catalog keeps its SKU and the next export sends it "
                "(woosync matches products by SKU)"
            )
        if without_sku.count:
            found.append(
                f"{without_sku.count} store product(s) without a SKU skipped: "
                f"{without_sku.text()} (give them a SKU in WooCommerce, or import with "
                f"{param('link_without_sku')})"
            )
        if self.conflicts:
            found.append(
                f"{self.conflicts} field(s) of {self.conflicted_products} product(s) changed both "
                "in the catalog and in the store since the last sync (or differ, never synced yet); "
                f"both kept ('woosync sync-status --connection {connection_id} --conflicts' "
                f"lists them; resolve with 'woosync import --connection {connection_id} "
                f"--update-existing {param('on_conflict')} catalog|store' or edit one side)"
            )
        return tuple(found)

    def result(
        self,
        *,
        connection_id: int,
        dry_run: bool,
        mapping: str,
        modified_after: datetime | None,
        cursor: datetime | None,
        warnings: tuple[str, ...],
        restored_skus: tuple[str, ...],
    ) -> ImportResult:
        counts = self.counts
        return ImportResult(
            success=counts["failed"] == 0,
            connection_id=connection_id,
            dry_run=dry_run,
            counts=RunCounts(
                created=counts["imported"],
                updated=counts["updated"],
                unchanged=counts["unchanged"],
                skipped=counts["skipped"],
                excluded=counts["excluded"],
                conflicts=self.conflicted_products,
                failed=counts["failed"],
            ),
            conflict_count=self.conflicts,
            mapping=mapping,
            modified_after=modified_after,
            cursor=cursor,
            warnings=warnings,
            restored_skus=restored_skus,
        )
