"""The writing stage of an import: one page of store products into the catalog.

A store product matches a local product by its sync link, then by SKU
(:mod:`~woosync.services.imports.match`). A match is updated (with ``update_existing``) with what
:mod:`~woosync.services.imports.reconcile` lets in (the store's edits of the fields the import
mapping owns; conflicts reported) through the catalog's own field rules; a new product is checked
by the catalog's rules and inserted with the other new products of the page in one
``executemany``. Every product that is imported or updated gets its sync record
(:mod:`~woosync.services.imports.syncs`), upserted for the whole page in one statement. Dry runs
decide everything and write nothing. Each product's result goes to :meth:`ImportRun.report`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from woosync.core.errors import ValidationError, param
from woosync.core.timeutil import utcnow
from woosync.products.fields import normalize_fields
from woosync.products.variations import VARIABLE, store_type_change_problem
from woosync.services.catalog.changes import new_product_row
from woosync.services.catalog.lookup import case_twin_message
from woosync.services.catalog.reading import field_value
from woosync.services.catalog.stored import StoredProduct
from woosync.services.catalog.tombstones import drop_tombstones
from woosync.services.catalog.upsert import insert_products
from woosync.services.imports.links import Link, links
from woosync.services.imports.match import (
    Candidate,
    candidates,
    case_twin,
    generated_sku,
    local_products,
    planned_change,
    product_with_sku,
    remember_new_skus,
    sync_of,
    write_planned,
)
from woosync.services.imports.reconcile import sku_print
from woosync.services.imports.results import EXCLUDED_HERE, ProductResult, ValueChange
from woosync.services.imports.syncs import (
    SyncWrites,
    overrule,
    queue_sync,
    reconcile_with_store,
    write_syncs,
)
from woosync.services.imports.variation_match import Parent
from woosync.services.imports.variations import VariationLists, VariationPage
from woosync.services.sync.conflicts import Reconciled

if TYPE_CHECKING:
    from sqlmodel import Session

    from woosync.services.imports.state import ImportRun
    from woosync.services.imports.transaction import PageTransaction


REMOVED_LOCALLY = (
    f"removed locally ('woosync products remove'); pass {param('restore_removed')} "
    "to import it again"
)
RESTORED = "restored: it had been removed locally"


def write_page(
    transaction: PageTransaction,
    run: ImportRun,
    items: list[dict[str, Any]],
    slugs_by_id: dict[int, str] | None,
    variations: VariationLists | None = None,
    relinked: dict[int, str] | None = None,
) -> None:
    """Match and write store products (one page, duplicates dropped; nothing written on dry
    runs), then the variations of its variable products (``variations``: read by the caller;
    ``relinked``: ``match.sku_less_links`` of the page)."""
    found = candidates(run, items, slugs_by_id, relinked or {})
    if found:
        page = _Page(transaction.session(), run, found)
        page.write()
        written = len(found)
        if page.parents and variations:
            stage = VariationPage(page.session, run, page.parents, variations)
            stage.write()
            written += stage.count
        transaction.wrote(written)


@dataclass
class _Page:
    """One page's candidates and what they match in the catalog."""

    session: Session
    run: ImportRun
    candidates: list[Candidate]
    links: dict[int, Link] = field(default_factory=dict)
    products: dict[int, StoredProduct] = field(default_factory=dict)
    by_sku: dict[str, StoredProduct] = field(default_factory=dict)
    writes: SyncWrites = field(default_factory=SyncWrites)
    now: datetime = field(default_factory=utcnow)
    parents: list[Parent] = field(default_factory=list)  # variable products whose variations go

    def write(self) -> None:
        run = self.run
        self.links = links(self.session, run.connection_id, [c.woo_id for c in self.candidates])
        linked_ids = [link.product_id for link in self.links.values()]
        self.products = local_products(self.session, linked_ids, {c.sku for c in self.candidates})
        self.by_sku = {product.sku: product for product in self.products.values()}
        new: list[Candidate] = []
        for candidate in self.candidates:
            link = self.links.get(candidate.woo_id)
            product = self.products.get(link.product_id) if link is not None else None
            if product is None:
                product = self.by_sku.get(candidate.sku)
            # a newer copy of a product this run imported (the listing shifted while it was read)
            imported_now = run.seen.status(candidate.woo_id) == "imported"
            if product is None:
                if self._plan_new(candidate, imported_now):
                    new.append(candidate)
            else:
                self._update(candidate, product, link, imported_now)
        if new:
            self._create(new)
        if not run.dry_run:
            self.session.flush()  # the products first: the sync upsert runs outside the ORM
            write_syncs(self.session, self.writes)

    def _sku_removed(self, woo_id: int, product: StoredProduct, reconciled: Reconciled) -> None:
        """A linked store product whose SKU was removed in the store (not one imported without
        a SKU, whose catalog SKU is made up): the catalog keeps its SKU, and its base becomes
        the store's blank, so that the next ``export --partial`` sends it back."""
        if product.sku == generated_sku(self.run.connection_id, woo_id):
            return
        reconciled.base["sku"] = sku_print("")
        reconciled.echoes.pop("sku", None)
        self.run.sku_removed.add(f"{product.sku} (store product {woo_id})")

    def _plan_new(self, candidate: Candidate, imported_now: bool) -> bool:
        """Whether a store product that matches nothing becomes a new product."""
        run, woo_id, sku = self.run, candidate.woo_id, candidate.sku
        if run.dry_run and imported_now and sku in run.planned_skus:
            return False  # nothing was written: the copy would be imported as the first was
        if sku.casefold() in run.tombstones and not run.settings.restore_removed:
            run.report(ProductResult(woo_id, None, sku, "skipped", REMOVED_LOCALLY))
            return False
        twin = case_twin(self.session, run, sku)
        if sku in run.planned_skus:
            message = "another store product in this run has this SKU"
            run.report(ProductResult(woo_id, None, sku, "failed", message))
        elif twin is not None:
            run.report(ProductResult(woo_id, None, sku, "failed", case_twin_message(sku, twin)))
        else:
            run.planned_skus.add(sku)
            return True
        return False

    def _update(
        self,
        candidate: Candidate,
        product: StoredProduct,
        link: Link | None,
        imported_now: bool,
    ) -> None:
        """A store product that matches a local product: skipped, or updated."""
        run, woo_id, sku = self.run, candidate.woo_id, candidate.sku
        if product.id in run.excluded_ids:
            run.report(ProductResult(woo_id, product.id, sku, "excluded", EXCLUDED_HERE))
            return
        if not run.settings.update_existing and not imported_now:
            message = (
                f"already in the catalog as product {product.id} "
                f"(pass {param('update_existing')} to update it)"
            )
            run.report(ProductResult(woo_id, product.id, sku, "skipped", message))
            self._parent(candidate, product, updated=False)
            return
        if self._sku_elsewhere(candidate, product):
            return
        retyped = store_type_change_problem(
            product.sku, product.type, candidate.fields.get("type"), run.connection_id, woo_id
        )
        if retyped is not None:
            run.report(ProductResult(woo_id, product.id, sku, "failed", retyped))
            return
        sync = link if link is not None and link.product_id == product.id else None
        reconciled: Reconciled | None = None
        if imported_now:  # a newer copy of what this run imported: all of it, blanks aside
            fields = {k: v for k, v in candidate.fields.items() if v is not None and v != []}
        else:
            try:
                exported = run.fingerprinter.fields_of(list(product.attributes or {}))
                fields, reconciled = reconcile_with_store(
                    self.session, run, candidate.woo, product, sync, exported
                )
            except ValidationError as exc:
                run.report(ProductResult(woo_id, product.id, sku, "failed", exc.message))
                return
        if candidate.without_sku:
            fields["sku"] = product.sku  # matched by its link: the catalog's SKU stays
            if reconciled is not None and sync is not None:
                self._sku_removed(woo_id, product, reconciled)
        try:
            target, plan = planned_change(product, fields, dry_run=run.dry_run)
        except ValidationError as exc:
            run.report(ProductResult(woo_id, product.id, sku, "failed", exc.message))
            return
        changed = [change.field for change in plan.changes]
        self._parent(candidate, target, updated=True)
        if imported_now:
            run.report(ProductResult(woo_id, product.id, sku, "imported"))
        else:
            status = "updated" if changed else "unchanged"
            found = tuple(reconciled.found) if reconciled is not None else ()
            values = (  # a dry run's target is a copy: the product still holds the old values
                tuple(
                    ValueChange(name, field_value(product, name), field_value(target, name))
                    for name in changed
                )
                if run.dry_run
                else ()
            )
            run.report(
                ProductResult(woo_id, product.id, sku, status, None, tuple(changed), found, values)
            )
        if run.dry_run and reconciled is not None and sync is not None:
            names = list(product.attributes or {})
            overrule(run, candidate.woo, names, reconciled, target)  # said in a dry run too
        if not run.dry_run and product.id is not None:
            write_planned(self.session, product, plan)
            queue_sync(
                self.writes,
                run,
                product.id,
                candidate.woo,
                list(product.attributes or {}),
                link,
                self.now,
                sync=sync,
                reconciled=reconciled,
                changed=imported_now or bool(changed),
                catalog=target,
            )

    def _parent(self, candidate: Candidate, product: StoredProduct, *, updated: bool) -> None:
        if product.type == VARIABLE:
            attributes = dict(product.attributes or {})
            self._add_parent(candidate, product.id, product.sku, product.name, attributes, updated)

    def _add_parent(
        self,
        candidate: Candidate,
        product_id: int | None,
        sku: str,
        name: str,
        attributes: dict[str, Any],
        updated: bool = True,
    ) -> None:
        """A variable product whose variations come after the page's products (a dry run's new
        one has no id: its variations are all new)."""
        store_sku = str(candidate.woo.get("sku") or "").strip()
        held = list(candidate.woo.get("attributes") or [])
        self.parents.append(
            Parent(candidate.woo_id, product_id, sku, name, attributes, updated, store_sku, held)
        )

    def _sku_elsewhere(self, candidate: Candidate, product: StoredProduct) -> bool:
        """The store product is linked to ``product`` but its SKU belongs to another local product:
        failed, and the sync record says so."""
        run, sku = self.run, candidate.sku
        holder = self.by_sku.get(sku)
        if sku != product.sku and holder is None:
            holder = product_with_sku(self.session, sku)
        if holder is None or holder.id == product.id:
            return False
        message = (
            f"its SKU {sku!r} belongs to local product {holder.id}, "
            f"but the store product is linked to local product {product.id}"
        )
        run.report(ProductResult(candidate.woo_id, product.id, sku, "failed", message))
        sync = sync_of(self.session, run.connection_id, product.id) if product.id else None
        if not run.dry_run and sync is not None:
            sync.sync_status, sync.error_message = "error", f"import: {message}"
            sync.updated_at = self.now
            self.session.add(sync)
        return True

    def _create(self, new: list[Candidate]) -> None:
        """New products: checked by the catalog's rules, inserted with one executemany, then linked.

        The rows and the insert are the catalog's own (what ``upsert_products`` does for new SKUs).
        The importer does not call ``upsert_products`` itself: it matches by sync link before SKU,
        fails a SKU that another product of the run claimed, and links each product it writes to
        its store product. ``restore_removed``: the removed SKUs brought back lose their tombstones.
        """
        run = self.run
        checked: list[tuple[Candidate, str | None]] = []  # with the reason it was refused
        rows: list[dict[str, Any]] = []
        for candidate in new:
            try:
                rows.append(new_product_row(normalize_fields(candidate.fields), self.now))
            except ValidationError as exc:
                checked.append((candidate, exc.message))
            else:
                checked.append((candidate, None))
        ids = insert_products(self.session, rows) if rows and not run.dry_run else {}
        by_sku = {row["sku"]: row for row in rows}
        restored: list[str] = []
        for candidate, refused in checked:
            woo_id, sku = candidate.woo_id, candidate.sku
            if refused is not None:
                run.report(ProductResult(woo_id, None, sku, "failed", refused))
                continue
            back = sku.casefold() in run.tombstones
            if back:
                restored.append(sku)
            product_id = ids.get(sku)
            run.report(
                ProductResult(woo_id, product_id, sku, "imported", RESTORED if back else None)
            )
            row = by_sku[sku]
            if row.get("type") == VARIABLE:
                self._add_parent(candidate, product_id, row["sku"], row["name"], row["attributes"])
            if product_id is not None:
                attribute_names = list(candidate.local.attributes)
                stale = self.links.get(woo_id)
                queue_sync(
                    self.writes, run, product_id, candidate.woo, attribute_names, stale, self.now
                )
        run.restored.extend(restored)
        if not run.dry_run:
            remember_new_skus(run, list(ids))
            if restored:
                drop_tombstones(self.session, restored)
