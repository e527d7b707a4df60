"""Export of variable products' variations, after their parents went through ``/products/batch``.

For each variable parent linked to the store (the product pass created or updated it):

1. the parent's variation attributes (:mod:`variation_parents`): ``type: variable`` and every
   attribute its variations name marked ``variation: true`` with its options;
2. each variation's values through the export's targets (:mod:`variation_payload`); with
   ``partial``, a linked variation whose fingerprints did not change sends nothing, and one that
   changed sends only the changed keys;
3. parents with a variation not yet linked (or all, with ``prune``) have their store variations
   listed (several parents at once) and matched (:mod:`variation_match`: link, SKU, a holder
   elsewhere named, option set, else create);
4. writes go through ``/products/{id}/variations/batch`` (``WooClient.write_variations``: one
   request in flight per parent, several parents at once, adaptive size, lost creates looked up
   before a resend); a linked variation the store no longer has is matched again and created;
5. the store's variations no catalog variation took are deleted with ``prune``, else left;
6. each variation's sync record is written as its request is answered.

``--dry-run`` is :mod:`variation_plan`; the typed results are in :mod:`variation_results`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import Any

from woosync.core.timeutil import utcnow
from woosync.db.engine import Database
from woosync.services.catalog import field_value
from woosync.services.export import plan
from woosync.services.export.payload import MissingRefError
from woosync.services.export.records import SyncRow, write_syncs
from woosync.services.export.registry import StoreRegistry
from woosync.services.export.variation_match import (
    LocalVariation,
    holder_elsewhere,
    match_parent,
    skus_to_look_up,
)
from woosync.services.export.variation_parents import VariableParents
from woosync.services.export.variation_payload import (
    OPTIONS_KEY,
    global_slugs,
    options_payload,
    options_print,
    store_options,
    variation_payload,
    variation_targets,
)
from woosync.services.export.variation_records import Family, load_families
from woosync.services.export.variation_results import (
    FAILED,
    SUCCESS,
    UNCHANGED,
    VariationItem,
    VariationReport,
    VariationResult,
    pruned_variation,
    refusal_message,
)
from woosync.services.sync import targets as sync_targets
from woosync.services.sync.variation_keys import memory_after_write
from woosync.woo import ItemError, VariationOutcome, VariationWrite, WooClient
from woosync.woo.api_limits import MAX_BATCH
from woosync.woo.errors import WooError

log = logging.getLogger("woosync.export")

GONE = "woocommerce_rest_product_variation_invalid_id"


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
    ) -> None:
        self.db = db
        self.client = client
        self.connection_id = connection_id
        self.targets = variation_targets(targets)
        self.slugs = global_slugs(targets)
        self.registry = registry
        self.partial = partial
        self.prune = prune
        self.concurrency = concurrency
        self.batch_size = batch_size
        self.create_terms = create_terms
        self.on_result = on_result
        self.report = VariationReport()
        self.created: frozenset[int] = frozenset()  # parents just created: no variations yet

    # the run ---------------------------------------------------------------------------------
    def run(
        self,
        parent_ids: Sequence[int],
        only: Collection[int] | None = None,
        whole: Collection[int] = (),
        created: Collection[int] = (),
    ) -> VariationReport:
        """Export the variations of ``parent_ids``: with ``only``, just those variations, except
        for the parents in ``whole`` (all of theirs). ``created``: the parents the product pass
        has just created (as simple products: they are made variable here)."""
        with self.db.session() as session:
            families = load_families(session, self.connection_id, parent_ids)
        wanted: list[VariationItem] = []
        for family in families:
            chosen = [
                v
                for v in family.variations
                if only is None or family.product_id in whole or v.id in only
            ]
            if not family.woo_id:
                for row in chosen:
                    self._finish(
                        family, row, 0, FAILED, message="its variable product is not in the store"
                    )
                continue
            wanted += [self.item(family, row) for row in chosen]
        self._prepare_terms(wanted)
        self.created = frozenset(created)
        parents = VariableParents(
            self.db,
            self.client,
            self.connection_id,
            self.registry,
            self.slugs,
            batch_size=self.batch_size,
            concurrency=self.concurrency,
        )
        unready = parents.prepare(families, self.created)
        self.report.parent_writes += parents.writes
        for variation in [v for v in wanted if v.family.product_id in unready]:
            message = unready[variation.family.product_id]
            self._finish(variation.family, variation.row, variation.woo_id, FAILED, message=message)
        wanted = [v for v in wanted if v.family.product_id not in unready]
        linked = [v for v in wanted if v.woo_id]
        unlinked = [v for v in wanted if not v.woo_id]
        to_list = {v.family.product_id: v.family for v in unlinked}
        if self.prune:
            to_list.update({f.product_id: f for f in families if f.woo_id})
        writes = [w for v in linked if (w := self._update_by_link(v)) is not None]
        gone = self._send(writes, {v.row.id: v for v in wanted})
        for variation in gone:  # linked to a variation the store no longer has: match again
            variation.woo_id = 0
            to_list[variation.family.product_id] = variation.family
        if to_list:
            # every variation of a parent listed takes part (the linked ones hold their store
            # variations, so nothing they hold is pruned); only those not written yet are sent
            family_of = [v for v in wanted if v.family.product_id in to_list]
            pending = {int(v.row.id) for v in family_of if not v.woo_id}
            writes = self._matched(list(to_list.values()), family_of, pending)
            self._send(writes, {v.row.id: v for v in wanted})
        return self.report

    def item(self, family: Family, row: Any) -> VariationItem:
        values = plan.desired_values(self.targets, lambda name: field_value(row, name))
        prints = sync_targets.fingerprints(self.targets, values)
        prints[OPTIONS_KEY] = options_print(row.attributes or {}, self.slugs)
        sync = family.syncs.get(int(row.id))
        previous = dict(getattr(sync, "exported_values", None) or {})
        woo_id = int(getattr(sync, "woo_product_id", 0) or 0)
        last = getattr(sync, "last_exported_at", None)
        return VariationItem(family, row, values, prints, previous, woo_id, last)

    def _update_by_link(self, variation: VariationItem) -> VariationWrite | None:
        keys = list(variation.prints)
        if self.partial:
            keys = [k for k in keys if variation.previous.get(k) != variation.prints[k]]
            if not keys:
                self._finish(
                    variation.family,
                    variation.row,
                    variation.woo_id,
                    UNCHANGED,
                    at=variation.last_exported_at,
                )
                return None
        return self._write(variation, "update", keys, variation.woo_id)

    def _matched(
        self, families: list[Family], variations: list[VariationItem], pending: set[int]
    ) -> list[VariationWrite]:
        """List the parents' store variations, match, and what to write (prune included)."""
        by_parent: dict[int, list[VariationItem]] = {}
        for variation in variations:
            by_parent.setdefault(variation.family.product_id, []).append(variation)
        # a parent created in this run has no variations yet: nothing to list, and a SKU held
        # elsewhere is refused by the store per item (named after the fact, _named_holders)
        old = [f for f in families if f.product_id not in self.created]
        store: dict[int, list[dict[str, Any]]] = {f.woo_id: [] for f in families}
        store.update(
            self.client.variations_of([f.woo_id for f in old], concurrency=self.concurrency)
        )
        locals_of = {
            f.product_id: [self.local(v) for v in by_parent.get(f.product_id, [])] for f in families
        }
        skus = [s for f in old for s in skus_to_look_up(locals_of[f.product_id], store[f.woo_id])]
        hits = self.client.lookup_skus(skus, concurrency=self.concurrency) if skus else None
        writes: list[VariationWrite] = []
        for family in families:
            matched = match_parent(
                family.woo_id, locals_of[family.product_id], store[family.woo_id], hits
            )
            own = {v.row.id: v for v in by_parent.get(family.product_id, [])}
            for match in matched.matches:
                variation = own[match.local.product_id]
                if match.local.product_id not in pending:
                    continue  # written by its link already
                if match.action == "error":
                    self._finish(family, variation.row, 0, FAILED, message=match.message)
                elif match.action == "create":
                    write = self._write(variation, "create", list(variation.prints), None)
                    if write is not None:
                        writes.append(write)
                else:
                    variation.woo_id = int(match.woo_id or 0)
                    keys = list(variation.prints)  # relinked: the store's copy may differ anywhere
                    write = self._write(variation, "update", keys, variation.woo_id)
                    if write is not None:
                        writes.append(write)
            writes += self._prune(family, matched.unmatched)
        return writes

    def local(self, variation: VariationItem) -> LocalVariation:
        options = store_options(variation.row.attributes or {}, self.slugs)
        return LocalVariation(
            int(variation.row.id), str(variation.row.sku or ""), options, variation.woo_id or None
        )

    def _prune(self, family: Family, unmatched: list[Any]) -> list[VariationWrite]:
        if not self.prune:
            return []
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
        try:
            body = variation_payload(self.targets, variation.values, keys, self.registry)
            if OPTIONS_KEY in keys:
                body["attributes"] = options_payload(
                    variation.row.attributes or {}, self.slugs, self.registry
                )
        except MissingRefError as exc:
            self._finish(
                variation.family, variation.row, variation.woo_id, FAILED, message=str(exc)
            )
            return None
        variation.keys = keys
        return VariationWrite(
            variation.family.woo_id,
            "create" if action == "create" else "update",
            body,
            variation_id=woo_id,
            sku=str(variation.row.sku or ""),
            options=store_options(variation.row.attributes or {}, self.slugs),
            tag=int(variation.row.id),
        )

    # sending and booking -----------------------------------------------------------------------
    def _send(
        self, writes: list[VariationWrite], by_id: dict[int, VariationItem]
    ) -> list[VariationItem]:
        """Send, book each answered request; returns the variations whose link was stale."""
        stale: list[VariationItem] = []
        if not writes:
            return stale
        outcomes = self.client.write_variations(
            writes, size=self.batch_size, concurrency=self.concurrency
        )
        for batch in outcomes:
            rows: list[SyncRow] = []
            for outcome in batch:
                if outcome.write.action == "delete":
                    self.report.pruned.append(pruned_variation(outcome))
                    continue
                variation = by_id[outcome.write.tag]
                if (
                    outcome.error is not None
                    and outcome.error.code == GONE
                    and outcome.write.action == "update"
                ):
                    stale.append(variation)
                    continue
                rows.append(self._booked(variation, outcome))
            if rows:
                with self.db.session() as session:
                    write_syncs(session, self.connection_id, rows)
        return stale

    def _booked(self, variation: VariationItem, outcome: VariationOutcome) -> SyncRow:
        now = utcnow()
        if outcome.error is not None:
            message = self._named_holder(variation, outcome.error) or refusal_message(
                str(variation.row.sku), outcome.error
            )
            self._finish(variation.family, variation.row, variation.woo_id, FAILED, message=message)
            return SyncRow(
                int(variation.row.id),
                variation.woo_id,
                FAILED,
                message,
                exported_values=variation.previous,
            )
        answer = outcome.answer or {}
        woo_id = int(answer.get("id") or variation.woo_id)
        previous = {**variation.previous, **{k: variation.prints[k] for k in variation.keys}}
        fields = [t.field for t in self.targets if t.key in variation.keys]
        if OPTIONS_KEY in variation.keys:
            fields.append("attributes")
        created = outcome.write.action == "create" and not outcome.recovered
        self._finish(
            variation.family, variation.row, woo_id, SUCCESS, fields=fields, at=now, created=created
        )
        echoes, conflicts = memory_after_write(variation, answer, previous, outcome.write.action)
        return SyncRow(
            int(variation.row.id),
            woo_id,
            "synced",
            last_exported_at=now,
            last_modified_fields=fields,
            exported_values=previous,
            store_echoes=echoes,
            conflicts=conflicts,
        )

    def _named_holder(self, variation: VariationItem, error: ItemError) -> str | None:
        """A duplicate SKU the store refused: who holds it, said as matching says it."""
        if not error.duplicate_sku or not variation.row.sku:
            return None
        try:
            hits = self.client.lookup_skus([str(variation.row.sku)], concurrency=1)
        except WooError:
            return None
        local = self.local(variation)
        return holder_elsewhere(local, variation.family.woo_id, hits)

    def _finish(
        self,
        family: Family,
        row: Any,
        woo_id: int,
        status: str,
        *,
        message: str | None = None,
        fields: Sequence[str] = (),
        at: datetime | None = None,
        created: bool = False,
    ) -> None:
        result = VariationResult(
            int(row.id),
            family.product_id,
            str(row.sku or ""),
            woo_id,
            family.woo_id,
            status,
            tuple(fields),
            at,
            message,
            created,
        )
        self.report.results.append(result)
        if self.on_result is not None:
            self.on_result(result)

    # the parent's side -------------------------------------------------------------------------
    def _prepare_terms(self, variations: Sequence[VariationItem]) -> None:
        wanted: dict[str, tuple[str, set[str]]] = {}
        for variation in variations:
            for name, option in (variation.row.attributes or {}).items():
                slug = self.slugs.get(name)
                if slug is not None:
                    wanted.setdefault(slug, (name, set()))[1].add(str(option))
        if wanted:
            self.registry.prepare(self.client, attributes=wanted, create=self.create_terms)
