"""Matching one parent's store variations to the catalog: by sync link, then SKU, then options.

Per variable parent of a page (:class:`Parent`), each store variation is matched to one of the
parent's catalog variations, in three passes so that a weaker rule never takes what a stronger
one would give another variation:

1. its sync link (``product_sync.woo_product_id``) to a variation of this parent;
2. its SKU, without regard to case: held by a variation of this parent, it matches; held by any
   other catalog product (a simple product, another parent's variation) it is a conflict,
   reported and never adopted;
3. its option set (names and options without regard to case) among the parent's variations no
   store variation took yet; a variation without a SKU is linked this way.

What is left is new. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from woosync.products.variations import ANY, allowed_options, options_key
from woosync.services.catalog.stored import StoredProduct
from woosync.services.imports.match import case_twin, stored_products

if TYPE_CHECKING:
    from sqlmodel import Session

    from woosync.services.imports.links import Link
    from woosync.services.imports.state import ImportRun


@dataclass(slots=True)
class Parent:
    """A variable product of the page as the catalog has it after the page was written."""

    woo_id: int
    product_id: int | None  # None: a dry run's new parent
    sku: str
    name: str
    attributes: dict[str, Any]
    updated: bool  # its attributes came from the store in this run (new, or update_existing)
    store_sku: str = ""  # the parent's SKU in the store (what a variation without one shows)
    store_attributes: list[Any] = field(default_factory=list)  # the store's, with their flags


@dataclass(slots=True)
class StoreVariation:
    """One store variation with its options under local names."""

    woo: dict[str, Any]
    options: dict[str, str]
    parent_sku: str = ""  # the parent's SKU in the store

    @property
    def woo_id(self) -> int:
        return int(self.woo["id"])

    @property
    def sku(self) -> str:
        """Its own SKU ("" for none): WooCommerce answers a variation without a SKU with its
        parent's (which no variation may hold)."""
        sku = str(self.woo.get("sku") or "").strip()
        return "" if sku == self.parent_sku else sku


@dataclass(slots=True)
class Matched:
    """What one parent's store variations matched: each a catalog variation, a conflict, or new."""

    pairs: list[tuple[StoreVariation, StoredProduct, Link | None]] = field(default_factory=list)
    conflicts: list[tuple[StoreVariation, str]] = field(default_factory=list)
    new: list[StoreVariation] = field(default_factory=list)
    free: list[StoredProduct] = field(default_factory=list)  # the parent's variations nothing took


def children_of(session: Session, parent_ids: Iterable[int]) -> dict[int, list[StoredProduct]]:
    """The catalog variations of these parents, oldest first, by parent id, read as plain values
    (:func:`.match.stored_products`: no ORM object per variation; a changed one is loaded to be
    written)."""
    wanted = list(parent_ids)
    found: dict[int, list[StoredProduct]] = {parent_id: [] for parent_id in wanted}
    if not wanted:
        return found
    where = f"parent_id IN ({', '.join('?' * len(wanted))})"
    for child in stored_products(session, where, tuple(wanted), order="id"):
        found[int(child.parent_id or 0)].append(child)
    return found


def sku_holders(
    session: Session, run: ImportRun, skus: Iterable[str], known: Iterable[StoredProduct] = ()
) -> dict[str, StoredProduct]:
    """The catalog products holding these SKUs without regard to case, by folded SKU: those of
    ``known`` (products already read: the parents' variations), then one query for the other SKUs
    as given; one that differs only in case is looked up only when the run's hashes of the
    catalog's folded SKUs say it may exist (:func:`.match.case_twin`)."""
    wanted = {sku for sku in skus if sku}
    if not wanted:
        return {}
    found = {product.sku.casefold(): product for product in known if product.sku in wanted}
    rest = [sku for sku in wanted if sku.casefold() not in found]
    if rest:
        exact = stored_products(session, f"sku IN ({', '.join('?' * len(rest))})", tuple(rest))
        found.update((product.sku.casefold(), product) for product in exact)
    ids = [
        twin[0]
        for sku in wanted
        if sku.casefold() not in found and (twin := case_twin(session, run, sku)) is not None
    ]
    if ids:
        where = f"id IN ({', '.join('?' * len(ids))})"
        for product in stored_products(session, where, tuple(ids)):
            found[product.sku.casefold()] = product
    return found


def holder_text(product: StoredProduct) -> str:
    """How a conflict names the catalog product holding a SKU."""
    if product.parent_id is not None:
        return f"variation {product.id} of product {product.parent_id}"
    return f"product {product.id} ({product.type or 'simple'})"


def match_family(
    variations: list[StoreVariation],
    children: list[StoredProduct],
    links: Mapping[int, Link],
    holders: Mapping[str, StoredProduct],
) -> Matched:
    """Match one parent's store variations to its catalog variations (``children``)."""
    result = Matched()
    own = {int(child.id or 0): child for child in children}
    taken: dict[int, int] = {}  # catalog variation id -> the store variation that took it
    chosen: dict[int, tuple[StoredProduct, Link | None]] = {}
    for variation in variations:  # 1. the sync link
        link = links.get(variation.woo_id)
        child = own.get(link.product_id) if link is not None else None
        if child is not None and child.id not in taken:
            taken[int(child.id or 0)] = variation.woo_id
            chosen[variation.woo_id] = (child, link)
    refused: set[int] = set()
    for variation in variations:  # 2. the SKU
        if variation.woo_id in chosen or not variation.sku:
            continue
        holder = holders.get(variation.sku.casefold())
        if holder is None:
            continue
        if holder.id in own and holder.id not in taken:
            taken[int(holder.id or 0)] = variation.woo_id
            chosen[variation.woo_id] = (holder, links.get(variation.woo_id))
            continue
        refused.add(variation.woo_id)
        if holder.id in own:
            message = (
                f"its SKU {variation.sku!r} is held by catalog variation {holder.id}, which is "
                f"linked to store variation {taken[int(holder.id or 0)]}"
            )
        else:
            message = (
                f"its SKU {variation.sku!r} is held in the catalog by {holder_text(holder)}; "
                "not adopted (give one of them another SKU)"
            )
        result.conflicts.append((variation, message))
    by_options: dict[tuple[tuple[str, str], ...], StoredProduct] = {}
    for child in children:
        if child.id not in taken:
            by_options.setdefault(options_key(child.attributes or {}), child)
    for variation in variations:  # 3. the option set
        if variation.woo_id in chosen or variation.woo_id in refused:
            continue
        child = by_options.pop(options_key(variation.options), None)
        if child is not None and child.id not in taken:
            taken[int(child.id or 0)] = variation.woo_id
            chosen[variation.woo_id] = (child, links.get(variation.woo_id))
        else:
            result.new.append(variation)
    for variation in variations:
        if variation.woo_id in chosen:
            child, link = chosen[variation.woo_id]
            result.pairs.append((variation, child, link))
    result.free = [child for child in children if child.id not in taken]
    return result


def options_still_used(
    parent_attributes: Mapping[str, Any], children: Iterable[StoredProduct]
) -> tuple[dict[str, list[str]], list[str]]:
    """The parent's options with every option its catalog variations use added back, and what
    was added (``Size 'XL' (variation 'TEE-XL')``; empty when nothing was missing)."""
    kept = allowed_options(parent_attributes)
    missing: list[str] = []
    for child in children:
        for name, option in (child.attributes or {}).items():
            if option != ANY and option not in kept.setdefault(name, []):
                kept[name].append(str(option))
                missing.append(f"{name} {option!r} (variation {child.sku!r})")
    return kept, missing
