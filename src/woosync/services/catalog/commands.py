"""The catalog operations behind ``woosync products``: add, list, show, edit, remove."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlmodel import col, delete, func, or_, select

from woosync.core.errors import ConflictError, ValidationError, param
from woosync.core.fields import REQUIRED_FIELDS
from woosync.db.models import Product, ProductSync
from woosync.products.fields import normalize_fields
from woosync.services.catalog.changes import apply_plan, plan_fields, unset_entries
from woosync.services.catalog.lookup import (
    case_twin_message,
    case_twins,
    find_product,
    get_product_by_sku,
    products_by_sku,
)
from woosync.services.catalog.tombstones import add_tombstones, drop_tombstones
from woosync.services.catalog.views import (
    EditResult,
    ProductPage,
    ProductView,
    RemovedProduct,
    product_view,
)

if TYPE_CHECKING:
    from woosync.db.engine import Database


def add_product(db: Database, fields: Mapping[str, Any]) -> ProductView:
    """Create one product; ConflictError when its SKU exists."""
    normalized = normalize_fields(fields)
    for name in REQUIRED_FIELDS:
        if not normalized.get(name):
            raise ValidationError(f"{name}: is required", hint=f"pass {param(name)}")
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
        product = Product(sku=sku, name=normalized["name"])
        apply_plan(product, plan_fields(product, normalized))
        product.updated_at = product.created_at
        session.add(product)
        session.flush()
        drop_tombstones(session, [sku])  # added on purpose: an import may bring it in again
        return product_view(product)


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
    query = select(Product)
    wanted = [sku.strip() for sku in skus if sku.strip()]
    if wanted:
        with db.session() as session:
            ids = [product_id for product_id, _sku in case_twins(session, wanted).values()]
        query = query.where(col(Product.id).in_(ids))
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                col(Product.name).ilike(pattern, escape="\\"),
                col(Product.sku).ilike(pattern, escape="\\"),
            )
        )
    with db.session() as session:
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        query = query.order_by(col(Product.id))
        if limit:
            query = query.limit(limit)
        items = [product_view(product) for product in session.exec(query)]
    return ProductPage(items, int(total))


def show_product(
    db: Database, product_id: int | str | None = None, *, sku: str | None = None
) -> ProductView:
    """One product by id (or a reference: an id or a SKU, see ``find_product``) or by SKU."""
    if (product_id is None) == (sku is None):
        raise ValidationError(f"give a product id or {param('sku')}, not both or neither")
    with db.session() as session:
        if product_id is not None:
            return product_view(find_product(session, product_id))
        assert sku is not None
        return product_view(get_product_by_sku(session, sku))


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
        plan = plan_fields(product, normalized)
        apply_plan(product, plan)
        session.flush()
        return EditResult(product_view(product), plan.changes)


def remove_product(db: Database, product_id: int | str) -> RemovedProduct:
    """Delete a product (by id or SKU) and its sync records (the stores' copies are left alone:
    see ``services/removal.py`` to delete them too), and leave a tombstone for its SKU so that an
    import does not bring it back (``import --restore-removed`` does; ``add``/``load`` drop it)."""
    with db.session() as session:
        product = find_product(session, product_id)
        assert product.id is not None
        removed: Any = session.execute(
            delete(ProductSync).where(col(ProductSync.product_id) == product.id)
        )
        session.delete(product)
        session.flush()
        add_tombstones(session, [(product.sku, product.name)])
        return RemovedProduct(product.id, product.sku, product.name, removed.rowcount or 0)
