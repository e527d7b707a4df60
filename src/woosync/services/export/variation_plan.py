"""``--dry-run`` of the variation export: what each variation would get (create, update with its
fields, unchanged, an error) and what ``--prune-variations`` would delete, found with reads only."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from woosync.services.export.payload import MissingRefError
from woosync.services.export.variation_attributes import marked_changes
from woosync.services.export.variation_match import match_parent, skus_to_look_up
from woosync.services.export.variation_payload import fields_of_keys
from woosync.services.export.variation_records import Family
from woosync.services.export.variation_results import (
    ParentChange,
    PlannedVariation,
    PrunedVariation,
    VariationItem,
    VariationPlan,
    excluded_of,
)
from woosync.services.export.variation_store_edits import hold_variation_edits
from woosync.services.export.variations import VariationExport


def plan_variations(
    export: VariationExport,
    parent_ids: Sequence[int],
    only: Collection[int] | None = None,
    whole: Collection[int] = (),
    adopted: Mapping[int, int] | None = None,
) -> VariationPlan:
    """What ``export.run`` would do, found with reads only (``--dry-run``). ``adopted``: parents
    (product id -> store id) the product pass would adopt by SKU: their store variations are
    read and matched, as the run would, not planned as creates."""
    families = export.families(parent_ids)
    for family in families:
        if not family.woo_id and adopted and family.product_id in adopted:
            family.woo_id = adopted[family.product_id]
    found = VariationPlan()

    def planned(
        v: VariationItem, action: str, keys: Sequence[str] = (), message: str | None = None
    ) -> None:
        found.variations.append(
            PlannedVariation(
                int(v.row.id),
                v.family.product_id,
                str(v.row.sku or ""),
                action,
                tuple(fields_of_keys(export.targets, keys)),
                message,
                v.held,
            )
        )

    listed: list[Family] = []
    chosen_of: dict[int, list[VariationItem]] = {}
    items_of: dict[int, list[VariationItem]] = {}
    for family in families:
        found.excluded += excluded_of(family, only, whole)
        chosen = items_of[family.product_id] = []
        for row in family.variations:
            if only is not None and family.product_id not in whole and row.id not in only:
                continue
            made = export.item_or_refusal(family, row)
            if isinstance(made, VariationItem):
                chosen.append(made)
            else:  # a value its store field refuses: a real run fails it
                found.variations.append(
                    PlannedVariation(
                        int(row.id), family.product_id, str(row.sku or ""), "error", (), made
                    )
                )
    unread: dict[int, str] = {}
    if export.partial:  # the fields the store changed since the last sync: held, as a run would
        linked = [v for f in families if f.woo_id for v in items_of[f.product_id] if v.woo_id]
        unread = hold_variation_edits(export, linked, record=False)
    for family in families:
        chosen = items_of[family.product_id]
        if not family.woo_id:
            for v in chosen:
                planned(v, "create", list(v.prints))
            continue
        held = family.store_attributes or []
        varied = family.varied_attributes()
        try:
            changes = marked_changes(
                varied, held, export.slugs, export.registry, family.conflicts, export.explicit_local
            )
        except MissingRefError as exc:  # the store's global attribute of a local name
            for v in chosen:
                planned(v, "error", message=str(exc))
            continue
        if changes:
            sku = str(family.sku)
            found.parents.append(
                ParentChange(family.product_id, sku, family.woo_id, tuple(changes))
            )
        if export.prune or any(not v.woo_id for v in chosen):
            listed.append(family)
            chosen_of[family.product_id] = chosen
        for v in chosen:
            if v.woo_id and int(v.row.id) in unread:
                planned(v, "error", message=unread[int(v.row.id)])
            elif v.woo_id:
                keys = export.partial_keys(v) if export.partial else list(v.prints)
                planned(v, "update" if keys else "unchanged", keys)
    if not listed:
        return found
    store = dict(
        export.client.variations_of([f.woo_id for f in listed], concurrency=export.concurrency)
    )
    for family in listed:
        variations = chosen_of[family.product_id]
        locals_ = [export.local(v) for v in variations]
        skus = skus_to_look_up(locals_, store[family.woo_id])
        hits = export.client.lookup_skus(skus, concurrency=export.concurrency) if skus else None
        matched = match_parent(family.woo_id, locals_, store[family.woo_id], hits)
        own = {int(v.row.id): v for v in variations}
        for match in matched.matches:
            v = own[match.local.product_id]
            if v.woo_id:
                continue  # planned above by its link
            if match.action == "error":
                planned(v, "error", message=match.message)
            else:
                planned(v, match.action, list(v.prints))
        if export.prune:
            found.pruned += [
                PrunedVariation(
                    family.product_id,
                    family.woo_id,
                    int(s["id"]),
                    str(s.get("sku") or ""),
                    False,
                )
                for s in matched.unmatched
                if not family.held_by_excluded(s)
            ]
    return found
