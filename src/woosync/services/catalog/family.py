"""Variable products and their variations checked together, before anything is written.

A load (or an edit) may touch a parent, its variations, or both: each variation must name a
variable parent (in the same load or the catalog) and options that parent lists, no two
variations of one parent may have the same options, a parent may not drop an option a variation
uses, and a variation's name follows its parent's name and its options. Existing variations of
the parents touched are read in a few queries (by parent id, in chunks).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlmodel import col, select

from woosync.db.models import Product
from woosync.products.fields import merge_entries
from woosync.products.variations import (
    VARIABLE,
    VARIATION,
    default_options_problem,
    grouped_products_problem,
    kind,
    options_key,
    options_problem,
    removed_options_problem,
    same_options_message,
    variation_name,
)
from woosync.services.catalog.lookup import LOOKUP_CHUNK, case_twins, products_by_sku

if TYPE_CHECKING:
    from sqlmodel import Session

DEFAULTS = "default_attributes"  # a variable product's default options
GROUPED = "grouped_products"  # a grouped product's products


@dataclass(slots=True)
class Candidate:
    """One product a load or an edit writes: its row, field dict and the stored product."""

    number: int
    sku: str
    fields: dict[str, Any]
    product: Product | None = None
    parent_sku: str | None = None  # a variation's parent as the row names it
    is_variation: bool = False
    label: str = ""  # "variation 2 (TEE-M): " for a variation nested in its parent's row
    problem: str | None = None  # set when it cannot be written
    parent: Parent | None = None  # a variation's parent, once found


@dataclass(slots=True)
class Parent:
    """A variable product as it will be once the load is written."""

    sku: str
    name: str
    type: str | None
    attributes: dict[str, Any]
    product: Product | None = None
    candidate: Candidate | None = None
    children: dict[tuple[tuple[str, str], ...], str] = field(default_factory=dict)


@dataclass(slots=True)
class Renames:
    """Stored variations (not in the load) whose name follows their parent's new name."""

    products: list[tuple[Product, str]] = field(default_factory=list)


def involves_variations(candidates: Sequence[Candidate]) -> bool:
    return any(
        c.is_variation
        or kind(c.fields.get("type")) == VARIABLE
        or (c.product is not None and c.product.type == VARIABLE)
        or c.fields.get(DEFAULTS)
        or c.fields.get(GROUPED)
        for c in candidates
    )


def check_families(session: Session, candidates: Sequence[Candidate]) -> Renames:
    """Find each variation's parent, check options and name the variations (``fields["name"]``);
    a candidate that fails gets its ``problem``. Returns the stored variations to rename."""
    parents = _parents(session, candidates)
    in_load = {c.product.id for c in candidates if c.product is not None}
    products = [p.product for p in parents.values() if p.product]
    children = _stored_children(session, products, in_load)
    renames = Renames()
    for parent in parents.values():
        _check_stored(parent, children.get(_id(parent.product), []), renames)
        _check_own_fields(parent)
    by_id = {p.product.id: p for p in parents.values() if p.product and p.product.id}
    for candidate in candidates:
        if candidate.is_variation and candidate.problem is None:
            _check_variation(candidate, parents, by_id)
    return renames


def _id(product: Product | None) -> int:
    return product.id or 0 if product is not None else 0


def _parents(session: Session, candidates: Sequence[Candidate]) -> dict[str, Parent]:
    """Parents by case-folded SKU: those in the load, then those the variations name."""
    parents: dict[str, Parent] = {}
    for c in candidates:
        if not c.is_variation and c.problem is None:
            parents[c.sku.casefold()] = _parent_of(c.product, c.fields, c)
    wanted = {c.parent_sku for c in candidates if c.is_variation and c.parent_sku}
    missing = [sku for sku in wanted if sku.casefold() not in parents]
    found = products_by_sku(session, missing)
    twins = case_twins(session, [sku for sku in missing if sku not in found])
    twin_ids = [product_id for product_id, _sku in twins.values()]
    stored_parent_ids = [
        c.product.parent_id for c in candidates if c.product is not None and c.product.parent_id
    ]
    loaded = {id(p.product) for p in parents.values() if p.product is not None}
    for product in [*found.values(), *_by_ids(session, [*twin_ids, *stored_parent_ids])]:
        if id(product) not in loaded:  # a parent in the load under the SKU its file gives it
            parents.setdefault(product.sku.casefold(), _parent_of(product, {}, None))
    return parents


def _parent_of(
    product: Product | None, fields: dict[str, Any], candidate: Candidate | None
) -> Parent:
    old_attributes = product.attributes if product is not None else {}
    old_custom = product.custom_fields if product is not None else {}
    attributes, _custom = merge_entries(fields, old_attributes or {}, old_custom or {})
    return Parent(
        sku=fields.get("sku") or (product.sku if product is not None else ""),
        name=fields.get("name") or (product.name if product is not None else ""),
        type=fields.get("type", product.type if product is not None else None),
        attributes=attributes,
        product=product,
        candidate=candidate,
    )


def _by_ids(session: Session, ids: Iterable[int]) -> list[Product]:
    wanted = list(dict.fromkeys(ids))
    found: list[Product] = []
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = wanted[start : start + LOOKUP_CHUNK]
        found += session.exec(select(Product).where(col(Product.id).in_(chunk))).all()
    return found


def _stored_children(
    session: Session, parents: Sequence[Product], leave_out: set[int | None]
) -> dict[int, list[Product]]:
    """The stored variations of these products but those in ``leave_out`` (the load's own), by
    parent id: their ids first (a few light queries), then only the others as products."""
    ids = [p.id for p in parents if p.id is not None and p.type == VARIABLE]
    connection = session.connection()
    others: list[int] = []
    for start in range(0, len(ids), LOOKUP_CHUNK):
        chunk = tuple(ids[start : start + LOOKUP_CHUNK])
        query = f"SELECT id FROM products WHERE parent_id IN ({', '.join('?' * len(chunk))})"
        found = connection.exec_driver_sql(query, chunk)
        others += [child_id for (child_id,) in found if child_id not in leave_out]
    children: dict[int, list[Product]] = {}
    for child in sorted(_by_ids(session, others), key=lambda child: child.id or 0):
        children.setdefault(child.parent_id or 0, []).append(child)
    return children


def _check_stored(parent: Parent, stored: list[Product], renames: Renames) -> None:
    """Stored variations left as they are: the parent must still list their options (else the
    parent's row fails), they keep their option sets, and they follow the parent's name."""
    candidate = parent.candidate
    if candidate is not None and kind(parent.type) != VARIABLE and stored:
        return  # the type change itself is refused (type_change_problem)
    used = {child.sku: child.attributes or {} for child in stored}
    problem = removed_options_problem(parent.attributes, used)
    if problem is not None and candidate is not None:
        candidate.problem = problem
        return
    for child in stored:
        options = child.attributes or {}
        parent.children.setdefault(options_key(options), child.sku)
        name = variation_name(parent.name, options)
        if name != child.name:
            renames.products.append((child, name))


def _check_own_fields(parent: Parent) -> None:
    """A product's default options, as the load leaves them, must be options it lists; only
    a grouped product holds products."""
    candidate = parent.candidate
    if candidate is None or candidate.problem is not None:
        return
    product = parent.product
    defaults = candidate.fields.get(DEFAULTS, product.default_attributes if product else None)
    grouped = candidate.fields.get(GROUPED, product.grouped_products if product else None)
    problem = default_options_problem(
        parent.type, parent.attributes, defaults
    ) or grouped_products_problem(parent.type, grouped)
    if problem is not None:
        candidate.problem = problem


def _check_variation(
    candidate: Candidate, parents: dict[str, Parent], by_id: dict[int, Parent]
) -> None:
    product = candidate.product
    stored_parent = None
    if product is not None and product.parent_id is not None:
        stored_parent = by_id.get(product.parent_id)
    named = parents.get(candidate.parent_sku.casefold()) if candidate.parent_sku else None
    if candidate.parent_sku and named is None:
        candidate.problem = (
            f"parent_sku: there is no product {candidate.parent_sku!r} in the catalog nor a "
            "valid one in the file"
        )
        return
    if named is not None and stored_parent is not None and named is not stored_parent:
        candidate.problem = (
            f"parent_sku: {candidate.sku!r} is a variation of {stored_parent.sku!r} in the "
            f"catalog, not of {named.sku!r}: a variation cannot move; remove it "
            f"('woosync products remove {candidate.sku}') and add it under the other product"
        )
        return
    parent = named or stored_parent
    if parent is None:
        candidate.problem = "parent_sku: a variation needs its parent's SKU"
        return
    if kind(parent.type) != VARIABLE:
        candidate.problem = (
            f"parent_sku: {parent.sku!r} is a {kind(parent.type)} product, not a variable one "
            "(give it type: variable)"
        )
        return
    old_options = product.attributes or {} if product is not None else {}
    old_custom = product.custom_fields or {} if product is not None else {}
    options, _custom = merge_entries(candidate.fields, old_options, old_custom)
    problem = options_problem(parent.attributes, options)
    if problem is not None:
        candidate.problem = problem
        return
    other = parent.children.setdefault(options_key(options), candidate.sku)
    if other != candidate.sku:
        candidate.problem = same_options_message(candidate.sku, other)
        return
    candidate.parent = parent
    candidate.fields["name"] = variation_name(parent.name, options)
    candidate.fields["type"] = VARIATION
