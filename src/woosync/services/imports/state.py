"""What one import run knows while it works through the pages.

:mod:`~woosync.services.imports.fetch` fills in what the store sent (products seen, the newest
change, ``X-WP-Total``), :mod:`~woosync.services.imports.write` what became of each product
(:meth:`ImportRun.report`). The results wait in ``pending`` until their page is committed, then go
to the :class:`~woosync.services.imports.results.Tally` (:meth:`ImportRun.deliver`): at most a
commit's worth of them is ever held.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from woosync.services.imports.results import Earlier, NameSample, ProductResult, Tally
from woosync.services.imports.seen import SeenProducts, SkuHashes

log = logging.getLogger("woosync.import")

if TYPE_CHECKING:
    from woosync.services.imports.fields import ImportRules
    from woosync.services.imports.fingerprints import Fingerprinter
    from woosync.services.sync.category_paths import CategoryPaths
    from woosync.services.sync.default_options import TermNames
    from woosync.woo import WooClient


@dataclass(frozen=True, slots=True)
class RunSettings:
    """The choices of one run that every stage reads."""

    connection_id: int
    update_existing: bool
    dry_run: bool
    on_conflict: str  # skip | catalog | store: a field changed on both sides
    link_without_sku: bool  # store products without a SKU: imported under woo-C-ID (else skipped)
    restore_removed: bool  # SKUs removed from the catalog: imported again (else skipped)


@dataclass
class ImportRun:
    """What one import run knows while it works through the pages."""

    settings: RunSettings
    rules: ImportRules
    client: WooClient
    fingerprinter: Fingerprinter
    tally: Tally
    # SKUs removed from the catalog (case-folded -> SKU) and local products excluded from this
    # store (``products exclude``, ``delete``): left alone.
    tombstones: dict[str, str] = field(default_factory=dict)
    excluded_ids: set[int] = field(default_factory=set)
    seen: SeenProducts = field(default_factory=SeenProducts)
    seen_variations: SeenProducts = field(default_factory=SeenProducts)  # apart: not in totals
    newest: datetime | None = None
    scheduled: dict[int, str] = field(default_factory=dict)  # store id -> its date: not yet in
    asked_scheduled: list[int] = field(default_factory=list)  # earlier runs' ones, asked by id
    highest_id: int = 0  # the highest store product id seen (the next run's floor for new ones)
    newer_ids: list[int] = field(default_factory=list)  # new since the last run, outside its window
    expected_total: int = 0
    # Fewer products arrived than the store counted (the listing shifted while it was read): one
    # may have been missed, so an incremental run keeps its bookmark where it was.
    incomplete: bool = False
    warnings: list[str] = field(default_factory=list)
    slugs_by_id: dict[int, str] | None = None
    # store product id -> its SKU, for upsells and cross-sells (fetch.with_product_links)
    link_skus: dict[int, str] = field(default_factory=dict)
    # the store's term names by slug, for default options (fetch.with_default_names)
    term_names: TermNames | None = None
    # SKUs of the new products this run planned (a second store product with one fails), and the
    # catalog's SKUs case-folded, read once when a page first has new products (``None`` until
    # then): WooCommerce treats SKUs that differ only in case as one.
    planned_skus: SkuHashes = field(default_factory=SkuHashes)
    folded_skus: SkuHashes | None = None
    without_sku: NameSample = field(default_factory=NameSample)  # '#12 "Name"' of those skipped
    # the names of those skipped (name -> store id; the first few thousand): a catalog product
    # of the same name is likely the same product, which an export would create beside it
    sku_less_names: dict[str, int] = field(default_factory=dict)
    # linked store products whose SKU was removed in the store: 'SKU (store product 12)'
    sku_removed: NameSample = field(default_factory=NameSample)
    # linked variations a parent's store list no longer has (deleted there): see imports.gone
    gone_variations: NameSample = field(default_factory=NameSample)
    # Store media id -> the catalog URL it was uploaded from (the registry's images), for sync
    # records written before they kept their own ``image_sources``. ``None``: not read yet.
    uploaded_images: dict[str, str] | None = None
    restored: list[str] = field(default_factory=list)  # SKUs restore_removed brought back
    # meta values the catalog cannot hold (a plugin's objects), left out: by (meta:KEY, local
    # field, what the value is), the SKUs that hold one
    unfit: dict[tuple[str, str, str], NameSample] = field(default_factory=dict)
    # store edits of fields the import does not take, which the next partial export sends the
    # catalog's values back over: by field (the store's key), the SKUs
    overruled: dict[str, NameSample] = field(default_factory=dict)
    # products whose store images were taken as the store's copies of the catalog's (same file
    # names: sync.image_files), on their first sync of images with this store
    image_copies: NameSample = field(default_factory=NameSample)
    file_copies: NameSample = field(default_factory=NameSample)  # their own ids of our files
    # The store's category tree (paths by id), read when a page first names a category, and
    # once more when a later page names one it lacks (created during the run).
    # per tree ("categories", "brands"): the store's listing, and whether it was read again
    category_paths: dict[str, CategoryPaths] = field(default_factory=dict)
    categories_reread: set[str] = field(default_factory=set)
    pending: list[tuple[ProductResult, Earlier]] = field(default_factory=list)
    _ids: dict[str, int] | None = field(default=None, repr=False)  # attribute_ids()
    _ids_of: dict[int, str] | None = field(default=None, repr=False)  # ... of this table

    @property
    def connection_id(self) -> int:
        return self.settings.connection_id

    @property
    def dry_run(self) -> bool:
        return self.settings.dry_run

    def attribute_ids(self) -> dict[str, int]:
        """The store's ``pa_`` slug -> attribute id table (empty when it was never fetched); made
        once per table the run fetched (do not change it)."""
        slugs = self.slugs_by_id
        if self._ids_of is not slugs or self._ids is None:
            self._ids = {slug: woo_id for woo_id, slug in (slugs or {}).items() if slug}
            self._ids_of = slugs
        return self._ids

    def warn(self, message: str) -> None:
        """A warning of the run's result (the CLI prints it once); logged at info for
        ``--log-file``, so stderr does not get it twice."""
        log.info("%s", message)
        self.warnings.append(message)

    def note_unfit(self, found: list[tuple[str, str, str]], sku: str) -> None:
        """Store values left out of the product or variation ``sku`` (``ImportRules.unfit_fields``)."""
        for key in found:
            sample = self.unfit.setdefault(key, NameSample())
            if sku not in sample.names:
                sample.add(sku)

    def unfit_warnings(self) -> list[str]:
        """One warning per meta key whose store values the catalog could not hold."""
        return [
            f"the store's {woo_field} holds {what} (a plugin's data) in {sample.count} "
            f"product(s) or variation(s): {sample.text()}; the catalog's {local} holds text, "
            "numbers, true/false or a list of them, so it was left as it is, in the catalog and "
            f"in the store (take {woo_field} out of connection {self.connection_id}'s import "
            "mapping to stop reading it)"
            for (woo_field, local, what), sample in self.unfit.items()
        ]

    def note_overruled(self, keys: list[str], sku: str) -> None:
        for key in keys:
            self.overruled.setdefault(key, NameSample()).add(sku)

    def note_image_copies(self, sku: str) -> None:
        if sku not in self.image_copies.names:
            self.image_copies.add(sku)

    def image_copies_note(self) -> str | None:
        """Said once: the store images taken as copies of the catalog's, by file name."""
        sample = self.image_copies
        if not sample.count:
            return None
        taken = "would be taken" if self.dry_run else "taken"
        return (
            f"{sample.count} product(s) or variation(s) in this store show the catalog's images "
            f"under the same file names, in the same order ({sample.text()}): {taken} as the "
            "store's own copies of them, so they are neither a conflict nor uploaded again"
        )

    def note_file_copies(self, sku: str) -> None:
        if sku not in self.file_copies.names:
            self.file_copies.add(sku)

    def file_copies_note(self) -> str | None:
        """Said once: the store files taken as its copies of the catalog's, under its own ids."""
        sample = self.file_copies
        if not sample.count:
            return None
        kept = "would be kept" if self.dry_run else "kept"
        return (
            f"{sample.count} product(s) or variation(s) in this store sell the catalog's files "
            f"under ids of their own ({sample.text()}): {kept} for this store, so its customers' "
            "download links go on working and they are no conflict"
        )

    def overruled_warning(self) -> str | None:
        """The store edits the import left to the catalog, said once: the next partial export
        sends the catalog's values back over them."""
        if not self.overruled:
            return None
        fields = "; ".join(f"{key}: {sample.text()}" for key, sample in self.overruled.items())
        connection = self.connection_id
        return (
            f"store edits of fields this import does not take ({fields}): the catalog keeps its "
            f"values, and the next 'woosync export --connection {connection} --partial' sends them "
            f"back over those edits (to take them, add the fields to connection {connection}'s "
            "import mapping, or import without it)"
        )

    def report(self, result: ProductResult) -> None:
        """A product's result, handed out when its page is committed (:meth:`deliver`)."""
        seen = self.seen if result.parent_woo_product_id is None else self.seen_variations
        earlier = seen.record(result.woo_product_id, result.status, len(result.conflicts))
        self.pending.append((result, earlier))

    def deliver(self) -> None:
        """The waiting results to the tally (their page is committed, or rolled back: dry run)."""
        pending, self.pending = self.pending, []
        for result, earlier in pending:
            self.tally.add(result, earlier)
