"""Export of variable products' variations, after their parents went through ``/products/batch``.

For each variable parent linked to the store (the product pass created or updated it):

1. the parent's variation attributes (:mod:`variation_parents`): the product pass's write has
   made it ``variable`` with them; a parent it did not write whose store list lacks them gets
   them here;
2. each variation's values through the export's targets (:mod:`variation_payload`); with
   ``partial``, a linked variation whose fingerprints did not change sends nothing, and one that
   changed sends only the changed keys;
3. parents with a variation not yet linked (or all, with ``prune``) have their store variations
   listed (several parents at once) and matched (:mod:`variation_match`: link, SKU, a holder
   elsewhere named, option set, else create);
4. writes go through ``/products/{id}/variations/batch`` and are booked as they are answered
   (:mod:`variation_send`); a linked variation the store no longer has is matched again and
   created;
5. the store's variations no catalog variation took are deleted with ``prune``, else left.

``--dry-run`` is :mod:`variation_plan`; the typed results are in :mod:`variation_results`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from woosync.db.engine import Database
from woosync.services.export import clears
from woosync.services.export.images import adopt_variation_image
from woosync.services.export.match import gone_again
from woosync.services.export.payload import MissingRefError
from woosync.services.export.records import SyncRow
from woosync.services.export.registry import StoreRegistry
from woosync.services.export.select import refused_message, unpublished
from woosync.services.export.variation_attributes import explicit_locals
from woosync.services.export.variation_match import LocalVariation, match_parent, skus_to_look_up
from woosync.services.export.variation_parents import VariableParents
from woosync.services.export.variation_payload import (
    OPTIONS_KEY,
    VariationValues,
    fields_of_keys,
    global_slugs,
    options_payload,
    variation_payload,
    variation_targets,
)
from woosync.services.export.variation_records import Family, load_families
from woosync.services.export.variation_results import (
    FAILED,
    UNCHANGED,
    VariationItem,
    VariationReport,
    VariationResult,
    excluded_of,
)
from woosync.services.export.variation_send import VariationSender
from woosync.services.export.variation_store_edits import hold_variation_edits, without_unread
from woosync.services.sync import download_ids, stock
from woosync.services.sync import targets as sync_targets
from woosync.woo import VariationWrite
from woosync.woo.api_limits import MAX_BATCH

if TYPE_CHECKING:
    from woosync.woo.client import WooClient


NOT_IN_STORE = "its variable product is not in the store"


class VariationExport:
    """The variations of some variable parents, exported to one store."""

    def __init__(
        self,
        db: Database,
        client: WooClient,
        connection_id: int,
        targets: Sequence[sync_targets.Target],
        registry: StoreRegistry,
        *,
        partial: bool = False,
        prune: bool = False,
        concurrency: int = 4,
        batch_size: int = MAX_BATCH,
        create_terms: bool = True,
        on_result: Callable[[VariationResult], None] | None = None,
        slugs: Mapping[str, str] | None = None,
    ) -> None:
        self.db = db
        self.client = client
        self.connection_id = connection_id
        self.targets = variation_targets(targets)
        self.slugs = dict(slugs) if slugs is not None else global_slugs(targets)
        self.explicit_local = explicit_locals(targets)
        self.sends_status = any(t.woo == "status" for t in targets)
        self.registry = registry
        self.partial = partial
        self.prune = prune
        self.concurrency = concurrency
        self.batch_size = batch_size
        self.create_terms = create_terms
        self.report = VariationReport()
        self.sender = VariationSender(
            db,
            client,
            connection_id,
            self.targets,
            self.report,
            batch_size=batch_size,
            concurrency=concurrency,
            on_result=on_result,
            registry=registry,
        )
        self.values = VariationValues(self.targets, self.slugs)
        self.parents = VariableParents(
            db, client, connection_id, registry, self.slugs, batch_size=batch_size,
            concurrency=concurrency, explicit_local=self.explicit_local,
        )  # fmt: skip
        self.created: frozenset[int] = frozenset()  # parents just created: no variations yet

    # the run ---------------------------------------------------------------------------------
    def run(
        self,
        parent_ids: Sequence[int],
        only: Collection[int] | None = None,
        whole: Collection[int] = (),
        created: Collection[int] = (),
        failed: Mapping[int, str] | None = None,
    ) -> VariationReport:
        """Export the variations of ``parent_ids``: with ``only``, just those variations, except
        for the parents in ``whole`` (all of theirs). ``created``: the parents the product pass
        has just created (with their variation attributes). The variations of the ``failed``
        parents (id -> why) fail, saying why."""
        failed = failed or {}
        families = self.families([*parent_ids, *failed])
        finish = self.sender.finish
        wanted: list[VariationItem] = []
        for family in families:
            self.report.excluded += excluded_of(family, only, whole)
            chosen = [
                v
                for v in family.variations
                if only is None or family.product_id in whole or v.id in only
            ]
            why = failed.get(family.product_id)
            if why is not None or not family.woo_id:
                message = f"its variable product failed: {why}" if why else NOT_IN_STORE
                for row in chosen:
                    finish(family, row, 0, FAILED, message=message)
                continue
            wanted += self._items(family, chosen)
        self.parents.prepare_terms([v.row for v in wanted], create=self.create_terms)
        self.created = frozenset(created)
        unready = self.parents.prepare(families, self.created)
        self.report.parents_written = [
            (f.product_id, f.woo_id, str(f.sku)) for f in self.parents.written
        ]
        for variation in [v for v in wanted if v.family.product_id in unready]:
            message = unready[variation.family.product_id]
            finish(variation.family, variation.row, variation.woo_id, FAILED, message=message)
        wanted = [v for v in wanted if v.family.product_id not in unready]
        if self.partial:  # never over a field edited in the store since the last sync
            wanted = without_unread(self, wanted, hold_variation_edits(self, wanted, record=True))
        by_id = {v.row.id: v for v in wanted}
        to_list = {v.family.product_id: v.family for v in wanted if not v.woo_id}
        if self.prune:
            to_list.update({f.product_id: f for f in families if f.woo_id})
        writes = [w for v in wanted if v.woo_id and (w := self._update_by_link(v)) is not None]
        gone = self.sender.send(writes, by_id)  # linked to a variation now gone
        to_list.update({v.family.product_id: v.family for v in gone})
        checked = {*self.created, *unready}  # made variable by this run, or failed already
        retyped = self.parents.not_variable(
            [f for f in to_list.values() if f.product_id not in checked]
        )
        lost = {id(v) for v in gone}
        for variation in wanted:  # those not written yet (the store had none to update)
            why_not = retyped.get(variation.family.product_id)
            if why_not is not None and (not variation.woo_id or id(variation) in lost):
                finish(variation.family, variation.row, variation.woo_id, FAILED, message=why_not)
        for variation in gone:
            if variation.family.product_id in retyped:
                continue
            what = f"store variation #{variation.woo_id} of product #{variation.family.woo_id}"
            self.report.warnings.append(
                gone_again(str(variation.row.sku), what, self.connection_id)
            )
            variation.woo_id = 0
        to_list = {k: f for k, f in to_list.items() if k not in retyped}
        wanted = [v for v in wanted if v.family.product_id not in retyped]
        if to_list:
            # every variation of a parent listed takes part (the linked ones hold their store
            # variations, so nothing they hold is pruned); only those not written yet are sent
            family_of = [v for v in wanted if v.family.product_id in to_list]
            pending = {int(v.row.id) for v in family_of if not v.woo_id}
            self.sender.send(self._matched(list(to_list.values()), family_of, pending), by_id)
        return self.report

    def families(self, parent_ids: Sequence[int]) -> list[Family]:
        with self.db.session() as session:
            fields = [*self.values.fields, "status"]  # status: a create never publishes a draft
            return load_families(session, self.connection_id, parent_ids, fields)

    def _items(self, family: Family, rows: Sequence[Any]) -> list[VariationItem]:
        """The variations on their way; one with a value its store field refuses fails alone
        (booked as an error, as a product's is)."""
        items: list[VariationItem] = []
        refused: list[SyncRow] = []
        for row in rows:
            made = self.item_or_refusal(family, row)
            if isinstance(made, VariationItem):
                items.append(made)
                continue
            sync = family.syncs.get(int(row.id))
            woo_id = int(getattr(sync, "woo_product_id", 0) or 0)
            self.sender.finish(family, row, woo_id, FAILED, message=made)
            previous = dict(getattr(sync, "exported_values", None) or {})
            refused.append(SyncRow(int(row.id), woo_id, FAILED, made, exported_values=previous))
        self.sender.book(refused)
        return items

    def item_or_refusal(self, family: Family, row: Any) -> VariationItem | str:
        """The variation on its way, or why a value of it cannot go to its store field."""
        try:
            return self.item(family, row)
        except sync_targets.ValueRefused as exc:
            return refused_message(row, exc)

    def item(self, family: Family, row: Any) -> VariationItem:
        values, prints, options = self.values.of(row)
        sync = family.syncs.get(int(row.id))
        previous = dict(getattr(sync, "exported_values", None) or {})
        emptied = clears.cleared(self.targets, values, previous)  # emptied in the catalog
        for key, value in emptied.items():
            values[key] = value
            prints[key] = sync_targets.fingerprint(self.values.kinds[key], value)
        woo_id = int(getattr(sync, "woo_product_id", 0) or 0)
        last = getattr(sync, "last_exported_at", None)
        conflicts = frozenset(getattr(sync, "conflicts", None) or ())
        return VariationItem(
            family,
            row,
            values,
            prints,
            previous,
            woo_id,
            last,
            options=options,
            conflicts=conflicts,
        )

    def partial_keys(self, variation: VariationItem) -> list[str]:
        """What a partial export sends of a linked variation: the keys whose fingerprint changed
        since the last sync, but for a field in conflict, which waits for a decision (import
        ``--on-conflict``, an edit, or a full export) as a product's does; the fields held so
        are noted in ``variation.held``."""
        prints, previous = variation.prints, variation.previous
        changed = [k for k in prints if previous.get(k) != prints[k]]
        if not variation.conflicts:
            return changed
        held = [k for k in changed if k in variation.conflicts]
        variation.held = tuple(fields_of_keys(self.targets, held))
        return [k for k in changed if k not in variation.conflicts]

    def _update_by_link(self, variation: VariationItem) -> VariationWrite | None:
        keys = list(variation.prints)
        if self.partial:
            keys = self.partial_keys(variation)
            if not keys:
                self.sender.finish(
                    variation.family,
                    variation.row,
                    variation.woo_id,
                    UNCHANGED,
                    at=variation.last_exported_at,
                    held=variation.held,
                )
                return None
        return self._write(variation, "update", keys, variation.woo_id)

    # matching ----------------------------------------------------------------------------------
    def _matched(
        self, families: list[Family], variations: list[VariationItem], pending: set[int]
    ) -> list[VariationWrite]:
        """List the parents' store variations, match, and what to write (prune included)."""
        by_parent: dict[int, list[VariationItem]] = {}
        for variation in variations:
            by_parent.setdefault(variation.family.product_id, []).append(variation)
        # a parent created in this run has no variations yet: nothing to list, and a SKU held
        # elsewhere is refused by the store per item (named after the fact, variation_send)
        old = [f for f in families if f.product_id not in self.created]
        store: dict[int, list[dict[str, Any]]] = {f.woo_id: [] for f in families}
        store.update(
            self.client.variations_of([f.woo_id for f in old], concurrency=self.concurrency)
        )
        locals_of = {
            f.product_id: [self.local(v) for v in by_parent.get(f.product_id, [])] for f in old
        }
        skus = [s for f in old for s in skus_to_look_up(locals_of[f.product_id], store[f.woo_id])]
        hits = self.client.lookup_skus(skus, concurrency=self.concurrency) if skus else None
        nothing_held = hits is None or not (hits.products or hits.variations)
        writes: list[VariationWrite] = []
        for family in families:
            if nothing_held and not store[family.woo_id]:
                # a parent just created: nothing to match (what ``match_parent`` says then)
                for variation in by_parent.get(family.product_id, []):
                    if int(variation.row.id) in pending:
                        write = self._write(variation, "create", list(variation.prints), None)
                        if write is not None:
                            writes.append(write)
                continue
            mine = locals_of.get(family.product_id)
            if mine is None:
                mine = [self.local(v) for v in by_parent.get(family.product_id, [])]
            matched = match_parent(family.woo_id, mine, store[family.woo_id], hits)
            own = {v.row.id: v for v in by_parent.get(family.product_id, [])}
            for match in matched.matches:
                variation = own[match.local.product_id]
                if match.local.product_id not in pending:
                    continue  # written by its link already
                if match.action == "error":
                    self.sender.finish(family, variation.row, 0, FAILED, message=match.message)
                    continue
                if match.action == "update":  # relinked: the store's copy may differ anywhere
                    variation.woo_id = int(match.woo_id or 0)
                    held = store[family.woo_id]
                    stored = next((v for v in held if v.get("id") == variation.woo_id), None)
                    adopt_variation_image(self.registry, variation.values, stored)
                write = self._write(variation, match.action, list(variation.prints), match.woo_id)
                if write is not None:
                    writes.append(write)
            writes += self._prune(family, matched.unmatched)
        return writes

    def local(self, variation: VariationItem) -> LocalVariation:
        row = variation.row
        return LocalVariation(
            int(row.id), str(row.sku or ""), variation.options, variation.woo_id or None
        )

    def _prune(self, family: Family, unmatched: list[Any]) -> list[VariationWrite]:
        """Deletes of the store variations no catalog variation matches (``prune``), but for the
        copies of variations kept out of this store: the store keeps those."""
        if not self.prune:
            return []
        unmatched = [v for v in unmatched if not family.held_by_excluded(v)]
        return [
            VariationWrite(
                family.woo_id,
                "delete",
                variation_id=int(v["id"]),
                sku=str(v.get("sku") or ""),
                tag=-family.product_id,
            )
            for v in unmatched
        ]

    def _write(
        self, variation: VariationItem, action: str, keys: list[str], woo_id: int | None
    ) -> VariationWrite | None:
        row = variation.row
        try:
            body = variation_payload(self.targets, variation.values, keys, self.registry)
            if OPTIONS_KEY in keys:
                body["attributes"] = options_payload(
                    row.attributes or {}, self.slugs, self.registry
                )
        except MissingRefError as exc:
            self.sender.finish(variation.family, row, variation.woo_id, FAILED, message=str(exc))
            return None
        if action == "create" and not self.sends_status:
            status = unpublished(getattr(row, "status", None))
            if status is not None:  # a disabled (private) variation stays so
                body["status"] = status
        quantity = body.get(stock.KEY)
        if action != "create":  # a sale made since stays (sync.stock)
            stock.as_change(body, variation.previous)
            sync = variation.family.syncs.get(int(row.id))
            download_ids.in_store_ids(body, getattr(sync, "image_sources", None))
        variation.keys = keys
        return VariationWrite(
            variation.family.woo_id,
            "create" if action == "create" else "update",
            body,
            variation_id=woo_id if action != "create" else None,
            sku=str(row.sku or ""),
            options=variation.options,
            tag=int(row.id),
            stock_quantity=quantity if stock.DELTA in body else None,
        )
