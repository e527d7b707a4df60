"""The catalog operations behind ``woosync products``: add, list, show, edit, remove."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import aliased
from sqlmodel import col, delete, func, or_, select

from woosync.core.errors import ConflictError, ValidationError, param
from woosync.core.fields import REQUIRED_FIELDS
from woosync.db.models import Product, ProductSync
from woosync.products.fields import normalize_fields
from woosync.products.rows import ValidRow
from woosync.products.variations import VARIATION, type_change_problem, variation_field_problem
from woosync.services.catalog.changes import FieldPlan, apply_plan, plan_fields, unset_entries
from woosync.services.catalog.family import Candidate, check_families, involves_variations
from woosync.services.catalog.family_views import family_view, family_views
from woosync.services.catalog.lookup import (
    case_twin_message,
    case_twins,
    find_product,
    get_product,
    get_product_by_sku,
    products_by_sku,
)
from woosync.services.catalog.tombstones import add_tombstones, drop_tombstones
from woosync.services.catalog.upsert import upsert_rows
from woosync.services.catalog.views import (
    EditResult,
    ProductPage,
    ProductView,
    RemovedProduct,
)

if TYPE_CHECKING:
    from sqlmodel import Session

    from woosync.db.engine import Database

Variation: Any = aliased(Product)  # a product's variations, in the listing's queries


def add_product(
    db: Database, fields: Mapping[str, Any], *, parent: str | None = None
) -> ProductView:
    """Create one product; ConflictError when its SKU exists. With ``parent`` (a variable
    product's SKU or id) it is a variation of it: its options (``attribute:Size``) must be ones
    the parent lists, and its name is the parent's and its options."""
    normalized = normalize_fields(fields)
    for name in ("sku",) if parent is not None else REQUIRED_FIELDS:
        if not normalized.get(name):
            raise ValidationError(f"{name}: is required", hint=f"pass {param(name)}")
    if parent is None and normalized.get("type") == VARIATION:
        raise ValidationError(
            "type: a variation is added under its variable product",
            hint=f"pass {param('parent')} with that product's SKU",
        )
    if parent is not None:
        problem = variation_field_problem(normalized)
        if normalized.get("type") not in (None, VARIATION):
            problem = f"type: a variation's type is variation, not {normalized['type']}"
        if problem is not None:
            raise ValidationError(problem)
    with db.session() as session:
        sku = normalized["sku"]
        holder = products_by_sku(session, [sku]).get(sku)
        if holder is not None:
            raise ConflictError(
                f"a product with SKU {sku!r} already exists (id {holder.id})",
                hint=f"change it with 'woosync products edit {holder.id}'",
            )
        twin = case_twins(session, [sku]).get(sku.casefold())
        if twin is not None:
            raise ConflictError(case_twin_message(sku, twin), hint="use the same spelling")
        if parent is not None:
            return _add_variation(session, {**normalized, "type": VARIATION}, parent)
        product = Product(sku=sku, name=normalized["name"])
        apply_plan(product, plan_fields(product, normalized))
        product.updated_at = product.created_at
        session.add(product)
        session.flush()
        drop_tombstones(session, [sku])  # added on purpose: an import may bring it in again
        return family_view(session, product)


def _add_variation(session: Session, fields: dict[str, Any], parent: str) -> ProductView:
    parent_sku = find_product(session, parent).sku
    row = ValidRow(0, fields["sku"], fields, parent_sku=parent_sku)
    result = upsert_rows(
        session, [row], [], skip_invalid=False, dry_run=False, update_existing=True
    )
    if result.errors:
        raise ValidationError(result.errors[0].message)
    return family_view(session, get_product(session, result.product_ids[fields["sku"]]))


def list_products(
    db: Database,
    *,
    skus: Sequence[str] = (),
    search: str | None = None,
    limit: int | None = None,
) -> ProductPage:
    """Products by id; ``skus`` whole SKUs in any case (as WooCommerce compares them), ``search`` a
    case-insensitive part of the name or SKU."""
    if limit is not None and limit < 0:
        raise ValidationError(f"{param('limit')} must be 0 (no limit) or more")
    query = select(Product).where(col(Product.parent_id).is_(None))
    wanted = [sku.strip() for sku in skus if sku.strip()]
    if wanted:
        with db.session() as session:
            ids = [product_id for product_id, _sku in case_twins(session, wanted).values()]
        # a variation's SKU finds its variable product (listed with its variations)
        children = select(Variation.parent_id).where(col(Variation.id).in_(ids))
        query = query.where(or_(col(Product.id).in_(ids), col(Product.id).in_(children)))
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        matching = select(Variation.parent_id).where(
            col(Variation.parent_id).is_not(None), col(Variation.sku).ilike(pattern, escape="\\")
        )
        query = query.where(
            or_(
                col(Product.name).ilike(pattern, escape="\\"),
                col(Product.sku).ilike(pattern, escape="\\"),
                col(Product.id).in_(matching),
            )
        )
    with db.session() as session:
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        matched = query.with_only_columns(col(Product.id))
        variations = session.exec(
            select(func.count()).select_from(Variation).where(col(Variation.parent_id).in_(matched))
        ).one()
        query = query.order_by(col(Product.id))
        if limit:
            query = query.limit(limit)
        items = family_views(session, list(session.exec(query)))
    return ProductPage(items, int(total), int(total) + int(variations))


def show_product(
    db: Database, product_id: int | str | None = None, *, sku: str | None = None
) -> ProductView:
    """One product by id (or a reference: an id or a SKU, see ``find_product``) or by SKU."""
    if (product_id is None) == (sku is None):
        raise ValidationError(f"give a product id or {param('sku')}, not both or neither")
    with db.session() as session:
        if product_id is not None:
            return family_view(session, find_product(session, product_id))
        assert sku is not None
        return family_view(session, get_product_by_sku(session, sku))


def edit_product(
    db: Database,
    product_id: int | str,
    fields: Mapping[str, Any],
    *,
    unset: Sequence[str] = (),
) -> EditResult:
    """Change some fields of one product (by id or SKU); ``unset`` names fields, attributes or
    custom fields to clear."""
    normalized = normalize_fields(fields)
    with db.session() as session:
        product = find_product(session, product_id)
        for name in unset:
            for key, value in unset_entries(product, name.strip()).items():
                if key in normalized:
                    raise ValidationError(f"{name!r} is both set and unset")
                normalized[key] = value
        new_sku = normalized.get("sku")
        if new_sku and new_sku != product.sku:
            holder = products_by_sku(session, [new_sku]).get(new_sku)
            if holder is not None:
                raise ConflictError(
                    f"SKU {new_sku!r} is already used by product {holder.id}",
                    hint="choose another SKU",
                )
            twin = case_twins(session, [new_sku]).get(new_sku.casefold())
            if twin is not None and twin[0] != product.id:
                raise ConflictError(case_twin_message(new_sku, twin), hint="choose another SKU")
        renames = _check_edit(session, product, normalized)
        plan = plan_fields(product, normalized)
        apply_plan(product, plan)
        for child, name in renames:
            apply_plan(child, FieldPlan([], {"name": name}))
        session.flush()
        return EditResult(family_view(session, product), plan.changes)


def _check_edit(
    session: Session, product: Product, fields: dict[str, Any]
) -> list[tuple[Product, str]]:
    """A variation's or a variable product's edit checked as a load would check it (its type
    kept, options its parent lists); ``fields`` gains a variation's new name. Returns the stored
    variations renamed by their parent's new name."""
    is_variation = product.type == VARIATION
    problem = type_change_problem(product.sku, product.type, fields.get("type"))
    if problem is None and is_variation:
        problem = variation_field_problem(fields)
    if problem is not None:
        raise ValidationError(problem)
    candidate = Candidate(0, fields.get("sku") or product.sku, fields, product, None, is_variation)
    if not involves_variations([candidate]):
        return []
    renames = check_families(session, [candidate])
    if candidate.problem is not None:
        raise ValidationError(candidate.problem)
    return renames.products


def sync_record_count(db: Database, product_id: int) -> int:
    """The sync records of a product and of its variations (what :func:`remove_product` would
    remove now)."""
    with db.session() as session:
        variations = select(Product.id).where(col(Product.parent_id) == product_id)
        found = session.exec(
            select(func.count()).where(
                or_(
                    col(ProductSync.product_id) == product_id,
                    col(ProductSync.product_id).in_(variations),
                )
            )
        ).one()
        return int(found)


def remove_product(db: Database, product_id: int | str) -> RemovedProduct:
    """Delete a product (by id or SKU; a variable product with its variations) and its sync records (the stores' copies are left alone:
    see ``services/removal.py`` to delete them too), and leave a tombstone for its SKU so that an
    import does not bring it back (``import --restore-removed`` does; ``add``/``load`` drop it)."""
    with db.session() as session:
        product = find_product(session, product_id)
        assert product.id is not None
        variations = session.exec(
            select(Product.id, Product.sku, Product.name).where(
                col(Product.parent_id) == product.id
            )
        ).all()
        ids = [product.id, *(variation_id for variation_id, _sku, _name in variations)]
        removed: Any = session.execute(
            delete(ProductSync).where(col(ProductSync.product_id).in_(ids))
        )
        session.execute(delete(Product).where(col(Product.parent_id) == product.id))
        session.delete(product)
        session.flush()
        add_tombstones(
            session,
            [(product.sku, product.name), *((sku, name) for _id, sku, name in variations)],
        )
        return RemovedProduct(
            product.id,
            product.sku,
            product.name,
            removed.rowcount or 0,
            tuple(sku for _id, sku, _name in variations),
        )
