"""Views of products with their family: a variable product with its variations, a variation
with its parent's SKU (read in a few queries for a whole page)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlmodel import col, select

from woosync.db.models import Product
from woosync.products.variations import VARIABLE
from woosync.services.catalog.lookup import LOOKUP_CHUNK
from woosync.services.catalog.views import ProductView, product_view

if TYPE_CHECKING:
    from sqlmodel import Session


def family_views(session: Session, products: Sequence[Product]) -> list[ProductView]:
    """``products`` as views: variable ones with their variations (by id), variations with
    their parent's SKU."""
    parent_ids = [p.id for p in products if p.type == VARIABLE and p.id is not None]
    children: dict[int, list[Product]] = {}
    for start in range(0, len(parent_ids), LOOKUP_CHUNK):
        chunk = parent_ids[start : start + LOOKUP_CHUNK]
        query = select(Product).where(col(Product.parent_id).in_(chunk)).order_by(col(Product.id))
        for child in session.exec(query):
            children.setdefault(child.parent_id or 0, []).append(child)
    skus = _skus(session, [p.parent_id for p in products if p.parent_id is not None])
    views: list[ProductView] = []
    for product in products:
        variations = tuple(
            product_view(child, parent_sku=product.sku)
            for child in children.get(product.id or 0, [])
        )
        parent_sku = skus.get(product.parent_id) if product.parent_id is not None else None
        views.append(product_view(product, parent_sku=parent_sku, variations=variations))
    return views


def _skus(session: Session, ids: Sequence[int]) -> dict[int, str]:
    wanted = list(dict.fromkeys(ids))
    found: dict[int, str] = {}
    connection = session.connection()
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = tuple(wanted[start : start + LOOKUP_CHUNK])
        query = f"SELECT id, sku FROM products WHERE id IN ({', '.join('?' * len(chunk))})"
        found.update((row[0], row[1]) for row in connection.exec_driver_sql(query, chunk))
    return found


def family_view(session: Session, product: Product) -> ProductView:
    return family_views(session, [product])[0]
