"""The variations of a page's variable products: matched, reconciled and written with the page.

The run reads the variation lists of a page's variable products before the page is written
(:func:`woosync.services.imports.fetch.read_variations`: one list request per parent, more pages
past 100 variations, ``concurrency`` parents at once). After the parents are written, each
parent's store variations are matched (:mod:`.variation_match`: link, SKU, options) and:

- matched: with ``update_existing`` updated as a product is (:mod:`.reconcile`: only the store's
  edits of the fields the import owns; its options when the store changed them), else left alone
  and reported skipped;
- a SKU the catalog holds elsewhere: failed, never adopted;
- new: checked against the parent's options and inserted under the parent (a variation without a
  SKU gets ``woo-C-ID`` and is said to be linked by its options).

Each variation gets its sync record (:mod:`.syncs`) with, besides the store's fingerprints, its
options' fingerprint (``OPTIONS_KEY``, as the export makes it), so that ``export --partial``
right after an import sends nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from woosync.core.errors import StoreError, ValidationError, param
from woosync.core.timeutil import utcnow
from woosync.products.fields import normalize_fields
from woosync.products.variations import (
    NOT_ON_A_VARIATION,
    allowed_options,
    anys,
    options_key,
    options_problem,
    same_options_message,
    variation_name,
    with_any,
)
from woosync.services.catalog.changes import FieldPlan, new_product_row
from woosync.services.catalog.reading import field_value
from woosync.services.catalog.stored import StoredProduct
from woosync.services.catalog.tombstones import drop_tombstones
from woosync.services.catalog.upsert import insert_products
from woosync.services.imports.bookmark import parse_woo_gmt
from woosync.services.imports.gone import keep_used_options, note_gone_variations
from woosync.services.imports.links import Link, links
from woosync.services.imports.match import (
    generated_sku,
    planned_change,
    remember_new_skus,
    write_planned,
)
from woosync.services.imports.reconcile import sku_print
from woosync.services.imports.results import EXCLUDED_HERE, ProductResult, ValueChange
from woosync.services.imports.syncs import SyncWrites, queue_sync, reconcile_with_store, write_syncs
from woosync.services.imports.variation_fields import (
    OptionReader,
    allowed_key,
    variation_fields,
    varied_names,
)
from woosync.services.imports.variation_match import (
    Parent,
    StoreVariation,
    children_of,
    holder_text,
    match_family,
    sku_holders,
)
from woosync.services.sync.variation_keys import (
    OPTIONS_KEY,
    as_product,
    remembered_options_print,
)

if TYPE_CHECKING:
    from sqlmodel import Session

    from woosync.services.imports.state import ImportRun

VariationLists = dict[int, list[dict[str, Any]] | StoreError]

REMOVED_LOCALLY = (
    f"removed locally ('woosync products remove'); pass {param('restore_removed')} "
    "to import it again"
)


@dataclass
class _New:
    parent: Parent
    variation: StoreVariation
    sku: str
    fields: dict[str, Any]
    message: str | None
    woo: dict[str, Any]  # the store variation in product shape (as_product)


@dataclass
class VariationPage:
    """The variations of one page's variable parents."""

    session: Session
    run: ImportRun
    parents: list[Parent]
    lists: VariationLists
    writes: SyncWrites = field(default_factory=SyncWrites)
    now: datetime = field(default_factory=utcnow)
    new: list[_New] = field(default_factory=list)
    linked: dict[int, Link] = field(default_factory=dict)
    holders: dict[str, StoredProduct] = field(default_factory=dict)  # catalog SKU holders, folded
    count: int = 0  # store variations handled

    def write(self) -> None:
        run = self.run
        families: list[tuple[Parent, list[StoreVariation]]] = []
        listed: dict[int, set[int]] = {}  # parent's store id -> every variation id its list has
        reader = OptionReader(run.rules, run.slugs_by_id)
        for parent in self.parents:
            got = self.lists.get(parent.woo_id)
            if got is None:
                continue
            if isinstance(got, StoreError):
                run.incomplete = True  # an incremental run keeps its bookmark: read it again
                message = f"its variations could not be read (run the import again): {got}"
                run.report(
                    ProductResult(parent.woo_id, parent.product_id, parent.sku, "failed", message)
                )
                continue
            listed[parent.woo_id] = {int(v["id"]) for v in got if isinstance(v.get("id"), int)}
            allowed = allowed_options(parent.attributes)
            key = allowed_key(allowed)
            varied = varied_names(
                {"attributes": parent.store_attributes}, run.rules, run.slugs_by_id, allowed
            )
            found = [
                StoreVariation(
                    v, with_any(reader.options(v, allowed, key), varied), parent.store_sku
                )
                for v in got
                if isinstance(v.get("id"), int)
                # a parent sent again during the run: its variations' versions handled are dropped
                and run.seen_variations.note(v["id"], parse_woo_gmt(v.get("date_modified_gmt")))
            ]
            families.append((parent, found))
        if not families:
            return
        children = children_of(self.session, [p.product_id for p, _ in families if p.product_id])
        variations = [v for _parent, found in families for v in found]
        self.count = len(variations)
        if not variations:
            note_gone_variations(self.session, run, families, listed, children, set())
            return
        self.linked = linked = links(
            self.session, run.connection_id, [v.woo_id for v in variations]
        )
        known = [child for own in children.values() for child in own]
        self.holders = holders = sku_holders(self.session, run, [v.sku for v in variations], known)
        matched_ids: set[int] = set()
        for parent, found in families:
            own = children.get(parent.product_id or 0, [])
            matched = match_family(found, own, linked, holders)
            matched_ids.update(int(product.id or 0) for _v, product, _l in matched.pairs)
            for variation, message in matched.conflicts:
                self._report(parent, variation, None, "failed", message)
            for variation, product, link in matched.pairs:
                self._update(parent, variation, product, link)
            taken = {options_key(p.attributes or {}): p.sku for p in own}
            for variation in matched.new:
                self._plan_new(parent, variation, taken)
            keep_used_options(self.session, run, parent, own)
        note_gone_variations(self.session, run, families, listed, children, matched_ids)
        self._create()
        if not run.dry_run:
            self.session.flush()
            write_syncs(self.session, self.writes)

    # results -----------------------------------------------------------------------------------
    def _report(
        self,
        parent: Parent,
        variation: StoreVariation,
        product_id: int | None,
        status: str,
        message: str | None = None,
        **extra: Any,
    ) -> None:
        self.run.report(
            ProductResult(
                variation.woo_id,
                product_id,
                variation.sku,
                status,
                message,
                parent_woo_product_id=parent.woo_id,
                parent_product_id=parent.product_id,
                **extra,
            )
        )

    # matched -----------------------------------------------------------------------------------
    def _update(
        self,
        parent: Parent,
        variation: StoreVariation,
        product: StoredProduct,
        link: Link | None,
    ) -> None:
        run = self.run
        if product.id in run.excluded_ids:
            self._report(parent, variation, product.id, "excluded", EXCLUDED_HERE)
            return
        # a newer copy of a variation this run imported (its parent came again, changed)
        imported_now = run.seen_variations.status(variation.woo_id) == "imported"
        if not run.settings.update_existing and not imported_now:
            message = (
                f"already in the catalog as variation {product.id} "
                f"(pass {param('update_existing')} to update it)"
            )
            self._report(parent, variation, product.id, "skipped", message)
            return
        holder = self.holders.get(variation.sku.casefold()) if variation.sku else None
        if holder is not None and holder.id != product.id:  # linked, but its SKU is elsewhere
            message = (
                f"its SKU {variation.sku!r} belongs to {holder_text(holder)}, but the store "
                f"variation is linked to catalog variation {product.id}"
            )
            self._report(parent, variation, product.id, "failed", message)
            return
        sync = link if link is not None and link.product_id == product.id else None
        woo = as_product(variation.woo)
        run.note_unfit(run.rules.unfit_fields(woo), variation.sku or product.sku)
        try:
            exported = run.fingerprinter.exported_fields
            fields, reconciled = reconcile_with_store(
                self.session, run, woo, product, sync, exported
            )
        except ValidationError as exc:
            self._report(parent, variation, product.id, "failed", exc.message)
            return
        for key in NOT_ON_A_VARIATION:
            fields.pop(key, None)
        if not variation.sku:  # linked, or matched by its options: the catalog's SKU stays
            fields["sku"] = product.sku
            if product.sku != generated_sku(run.connection_id, variation.woo_id):
                run.sku_removed.add(f"{product.sku} (store variation {variation.woo_id})")
        slugs = run.fingerprinter.slugs_for(parent.attributes, parent.store_attributes)
        options = self._options(parent, variation, product, sync, slugs)
        if options is not None:
            fields["attributes"] = options
        try:
            if not run.dry_run and fields == {"sku": product.sku}:
                target, plan = product, FieldPlan([], {})  # nothing came in (a re-import)
            else:
                target, plan = planned_change(product, fields, dry_run=run.dry_run)
        except ValidationError as exc:
            self._report(parent, variation, product.id, "failed", exc.message)
            return
        changed = [change.field for change in plan.changes]
        name = variation_name(parent.name, target.attributes or {})
        if target.name != name:  # it follows its parent's name and its options
            target.name = plan.columns["name"] = name
            changed.append("name")
        values = (
            tuple(ValueChange(n, field_value(product, n), field_value(target, n)) for n in changed)
            if run.dry_run
            else ()
        )
        self._report(
            parent,
            variation,
            product.id,
            "imported" if imported_now else "updated" if changed else "unchanged",
            changed_fields=tuple(changed),
            conflicts=tuple(reconciled.found),
            changes=values,
        )
        if not run.dry_run and product.id is not None:
            write_planned(self.session, product, plan)
            known = {OPTIONS_KEY: remembered_options_print(product.attributes or {}, slugs)}
            if not variation.sku:  # a made-up SKU stays out of the store; a real one goes back
                kept = product.sku == generated_sku(run.connection_id, variation.woo_id)
                known["sku"] = sku_print(product.sku if kept else "")
            queue_sync(
                self.writes,
                run,
                product.id,
                woo,
                [],
                link,
                self.now,
                sync=sync,
                reconciled=reconciled,
                known=known,
                changed=imported_now or bool(changed),
                catalog=target,
            )

    def _options(
        self,
        parent: Parent,
        variation: StoreVariation,
        product: StoredProduct,
        sync: Link | None,
        slugs: dict[str, str],
    ) -> dict[str, str] | None:
        """The store's options when they come in: the store changed them since the last sync
        and the catalog did not (both changed: the catalog's stay), and the parent lists them."""
        current = dict(product.attributes or {})
        theirs = variation.options
        if options_key(current) == options_key(theirs) and anys(current) == anys(theirs):
            return None
        base = (sync.exported_values or {}).get(OPTIONS_KEY) if sync is not None else None
        if base is not None and remembered_options_print(current, slugs) != base:
            return None  # changed in the catalog too: the catalog's options stay
        if options_problem(parent.attributes, variation.options) is not None:
            return None
        return dict(variation.options)

    # new ---------------------------------------------------------------------------------------
    def _plan_new(self, parent: Parent, variation: StoreVariation, taken: dict[Any, str]) -> None:
        run = self.run
        if run.dry_run and run.seen_variations.status(variation.woo_id) == "imported":
            self._report(parent, variation, None, "imported")  # its newer copy: the same plan
            return
        sku, message = variation.sku, None
        if not sku:
            sku = generated_sku(run.connection_id, variation.woo_id)
            described = ", ".join(f"{k} {v}" for k, v in variation.options.items())
            message = (
                f"has no SKU in the store: imported as {sku!r}, linked by its options "
                f"({described}); give it a SKU in WooCommerce to match it by SKU"
            )
        if sku.casefold() in run.tombstones and not run.settings.restore_removed:
            self._report(parent, variation, None, "skipped", REMOVED_LOCALLY)
            return
        problem = options_problem(parent.attributes, variation.options)
        if problem is not None:
            if not parent.updated:
                problem += (
                    f" (the catalog's parent was left as it was: pass {param('update_existing')} "
                    "to take the store's options)"
                )
            self._report(parent, variation, None, "failed", problem)
            return
        key = options_key(variation.options)
        if key in taken:
            self._report(parent, variation, None, "failed", same_options_message(sku, taken[key]))
            return
        if sku in run.planned_skus:
            message = "another store product in this run has this SKU"
            self._report(parent, variation, None, "failed", message)
            return
        run.planned_skus.add(sku)
        taken[key] = sku
        woo = as_product(variation.woo)
        local, fields = variation_fields(woo, run.rules, run.slugs_by_id, variation.options)
        run.note_unfit(local.unfit, sku)
        fields["sku"] = sku
        fields["name"] = variation_name(parent.name, variation.options)
        self.new.append(_New(parent, variation, sku, fields, message, woo))

    def _create(self) -> None:
        run = self.run
        rows: list[dict[str, Any]] = []
        ready: list[_New] = []
        for new in self.new:
            try:
                row = new_product_row(normalize_fields(new.fields), self.now)
            except ValidationError as exc:
                self._report(new.parent, new.variation, None, "failed", exc.message)
                continue
            row["parent_id"] = new.parent.product_id
            rows.append(row)
            ready.append(new)
        writing = bool(rows) and not run.dry_run
        ids = insert_products(self.session, rows) if writing else {}
        restored: list[str] = []
        for new in ready:
            product_id = ids.get(new.sku)
            message = new.message
            if new.sku.casefold() in run.tombstones:
                restored.append(new.sku)
                message = "restored: it had been removed locally"
            self._report(new.parent, new.variation, product_id, "imported", message)
            if product_id is None:
                continue
            parent = new.parent
            slugs = run.fingerprinter.slugs_for(parent.attributes, parent.store_attributes)
            known = {OPTIONS_KEY: remembered_options_print(new.variation.options, slugs)}
            if not new.variation.sku:
                known["sku"] = sku_print(new.sku)
            stale = self.linked.get(new.variation.woo_id)  # a link to no variation of the parent
            queue_sync(self.writes, run, product_id, new.woo, [], stale, self.now, known=known)
        run.restored.extend(restored)
        if writing:
            remember_new_skus(run, list(ids))
            if restored:
                drop_tombstones(self.session, restored)
