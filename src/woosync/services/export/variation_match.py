"""Matching a variable product's catalog variations to the store's, without ever duplicating one.

Pure: the caller has listed the parent's variations in the store (``GET
/products/{id}/variations``) and looked the unmatched SKUs up across the store
(``?sku=``, :class:`~woosync.woo.SkuHits`). For each catalog variation, in this order:

1. its link (the store variation id its sync record holds), when the parent still has it;
2. its SKU among the parent's variations (without regard to case);
3. a SKU the store holds elsewhere -- on a variation of another parent, or on a product -- is an
   error naming the holder: never adopted silently (WooCommerce would refuse the SKU anyway);
4. its option set among the parent's variations not taken by 1-2 (a variation created by hand
   without a SKU, or whose SKU was changed in the store);
5. else it is created.

The parent's variations no catalog variation took are left in the store, or deleted with
``prune`` (``--prune-variations``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from woosync.woo import SkuHits
from woosync.woo.variation_values import OptionSet, fold_sku, option_set, store_option_set

VariationAction = Literal["create", "update", "error"]
MatchedBy = Literal["link", "sku", "options", "new", "none"]


@dataclass(frozen=True, slots=True)
class LocalVariation:
    """A catalog variation as matching sees it. ``options`` is ``{attribute: option}`` in store
    terms (a global attribute by its ``pa_`` slug, a local one by its name); ``woo_id`` is the
    store variation its sync record links it to, if any."""

    product_id: int
    sku: str
    options: Mapping[str, str]
    woo_id: int | None = None

    @property
    def option_set(self) -> OptionSet:
        return option_set(self.options)


@dataclass(frozen=True, slots=True)
class VariationMatch:
    """What to do with one catalog variation: ``update`` the store's ``woo_id`` (found by
    ``matched_by``), ``create`` it, or nothing (``error``, with the reason)."""

    local: LocalVariation
    action: VariationAction
    woo_id: int | None = None
    matched_by: MatchedBy = "none"
    message: str = ""
    store: Mapping[str, Any] | None = None  # the store variation matched, as listed


@dataclass(frozen=True, slots=True)
class ParentMatch:
    """The matches of one parent's variations, and the store's variations none of them took."""

    parent_woo_id: int
    matches: list[VariationMatch]
    unmatched: list[Mapping[str, Any]] = field(default_factory=list)


def skus_to_look_up(
    variations: Sequence[LocalVariation], store: Sequence[Mapping[str, Any]]
) -> list[str]:
    """The SKUs of catalog variations neither linked nor found under their parent: only these
    need a store-wide ``?sku=`` lookup."""
    held = {v.get("id") for v in store}
    under_parent = {fold_sku(v.get("sku")) for v in store if v.get("sku")}
    return [
        v.sku
        for v in variations
        if v.sku and v.woo_id not in held and fold_sku(v.sku) not in under_parent
    ]


def match_parent(
    parent_woo_id: int,
    variations: Sequence[LocalVariation],
    store: Sequence[Mapping[str, Any]],
    hits: SkuHits | None = None,
) -> ParentMatch:
    """Match ``variations`` (one parent's, in the catalog) to ``store`` (its variations there)."""
    if not store and (hits is None or not (hits.products or hits.variations)):
        # nothing to link to, no SKU held elsewhere (a parent just created): all are created
        created = [VariationMatch(local, "create", matched_by="new") for local in variations]
        return ParentMatch(parent_woo_id, created, [])
    hits = hits or SkuHits()
    by_id = {int(v["id"]): v for v in store if v.get("id")}
    taken: set[int] = set()
    decided: dict[int, VariationMatch] = {}
    for local in variations:  # 1. links
        if local.woo_id and local.woo_id in by_id and local.woo_id not in taken:
            taken.add(local.woo_id)
            decided[local.product_id] = _update(local, by_id[local.woo_id], "link")
    by_sku: dict[str, Mapping[str, Any]] = {}
    for held in sorted(store, key=lambda v: int(v.get("id") or 0)):
        if held.get("sku"):
            by_sku.setdefault(fold_sku(held["sku"]), held)
    for local in variations:  # 2. SKU under this parent, 3. SKU elsewhere
        if local.product_id in decided or not local.sku:
            continue
        same_sku = by_sku.get(fold_sku(local.sku))
        if same_sku is not None and int(same_sku["id"]) not in taken:
            taken.add(int(same_sku["id"]))
            decided[local.product_id] = _update(local, same_sku, "sku")
        elif same_sku is not None:
            decided[local.product_id] = _error(local, _twice(local, same_sku))
        elif (holder := holder_elsewhere(local, parent_woo_id, hits)) is not None:
            decided[local.product_id] = _error(local, holder)
    by_options: dict[OptionSet, Mapping[str, Any]] = {}
    for held in sorted(store, key=lambda v: int(v.get("id") or 0)):
        if int(held["id"]) not in taken:
            by_options.setdefault(store_option_set(held), held)
    matches: list[VariationMatch] = []
    for local in variations:  # 4. option set, 5. create
        match = decided.get(local.product_id)
        if match is None:
            same_options = by_options.get(local.option_set) if local.options else None
            if same_options is not None and int(same_options["id"]) not in taken:
                taken.add(int(same_options["id"]))
                match = _update(local, same_options, "options")
            else:
                match = VariationMatch(local, "create", matched_by="new")
        matches.append(match)
    unmatched = [v for v in store if int(v.get("id") or 0) not in taken]
    return ParentMatch(parent_woo_id, matches, unmatched)


def _update(local: LocalVariation, held: Mapping[str, Any], how: MatchedBy) -> VariationMatch:
    return VariationMatch(local, "update", int(held["id"]), how, store=held)


def _error(local: LocalVariation, message: str) -> VariationMatch:
    return VariationMatch(local, "error", message=message)


def _twice(local: LocalVariation, held: Mapping[str, Any]) -> str:
    return (
        f'SKU "{local.sku}": the store\'s variation #{held["id"]} with that SKU is linked to '
        "another catalog variation; give one of them another SKU"
    )


def holder_elsewhere(local: LocalVariation, parent_woo_id: int, hits: SkuHits) -> str | None:
    """Who else in the store holds the variation's SKU, said so a shop owner can act on it."""
    variation = hits.variation(local.sku)
    if variation is not None and int(variation.get("parent_id") or 0) != parent_woo_id:
        return (
            f'SKU "{local.sku}" is held in the store by variation #{variation["id"]} of product '
            f"#{variation.get('parent_id')}; give this variation another SKU, or change that one "
            "in the store"
        )
    product = hits.product(local.sku)
    if product is not None:
        kind = product.get("type") or "simple"
        return (
            f'SKU "{local.sku}" is held in the store by {kind} product #{product["id"]} '
            f'("{product.get("name", "")}"); give this variation another SKU, or change that one'
        )
    return None
