"""Finding catalog products: by id, by SKU (exact, or without regard to case), in bulk."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlmodel import col, select

from woosync.core.errors import NotFoundError
from woosync.db.models import Product

if TYPE_CHECKING:
    from sqlmodel import Session

LOOKUP_CHUNK = 500  # ids or SKUs per IN (...) query: well under SQLite's bound-parameter limit
_LIST_HINT = "run 'woosync products list' to see them"


def get_product(session: Session, product_id: int) -> Product:
    """The product with this id, else :class:`NotFoundError`."""
    found = session.get(Product, int(product_id))
    if found is None:
        raise NotFoundError(f"product {product_id} not found", hint=_LIST_HINT)
    return found


def get_product_by_sku(session: Session, sku: str) -> Product:
    """The product with this SKU (exact, else the one SKU equal without regard to case)."""
    wanted = sku.strip()
    found = products_by_sku(session, [wanted]).get(wanted)
    if found is None:
        twin = case_twins(session, [wanted]).get(wanted.casefold())
        found = session.get(Product, twin[0]) if twin is not None else None
    if found is None:
        raise NotFoundError(f"no product with SKU {wanted!r}", hint=_LIST_HINT)
    return found


def find_product(session: Session, ref: str | int) -> Product:
    """A product by its id or its SKU (a variation's SKU too): a number is an id when such a
    product exists, else a SKU (``004512`` is a SKU; ``12`` is product 12 unless there is none)."""
    if isinstance(ref, int):
        return get_product(session, ref)
    text = ref.strip()
    if text.isdigit() and not text.startswith("0"):
        found = session.get(Product, int(text)) if int(text) < 2**63 else None
        if found is not None:
            return found
        try:
            return get_product_by_sku(session, text)
        except NotFoundError:
            raise NotFoundError(f"product {text} not found", hint=_LIST_HINT) from None
    return get_product_by_sku(session, text)


def get_products(session: Session, ids: Iterable[int]) -> list[Product]:
    """The products with these ids, in the order given (duplicates dropped); all must exist."""
    wanted = list(dict.fromkeys(int(product_id) for product_id in ids))
    found: dict[int, Product] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = wanted[start : start + LOOKUP_CHUNK]
        for product in session.exec(select(Product).where(col(Product.id).in_(chunk))):
            assert product.id is not None
            found[product.id] = product
    missing = [str(product_id) for product_id in wanted if product_id not in found]
    if missing:
        noun = "product" if len(missing) == 1 else "products"
        raise NotFoundError(
            f"{noun} {', '.join(missing[:20])}{' ...' if len(missing) > 20 else ''} not found",
            hint=_LIST_HINT,
        )
    return [found[product_id] for product_id in wanted]


def products_by_sku(session: Session, skus: Iterable[str]) -> dict[str, Product]:
    """``{sku: product}`` for the SKUs that exist (exact match, trimmed); a few queries in all."""
    wanted = list(dict.fromkeys(sku.strip() for sku in skus if sku and sku.strip()))
    found: dict[str, Product] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = wanted[start : start + LOOKUP_CHUNK]
        for product in session.exec(select(Product).where(col(Product.sku).in_(chunk))):
            found[product.sku] = product
    return found


def case_twins(session: Session, skus: Iterable[str]) -> dict[str, tuple[int, str]]:
    """``{sku.casefold(): (id, stored SKU)}`` of the products whose SKU equals one of ``skus``
    without regard to case. WooCommerce compares SKUs that way, so the catalog keeps them apart
    that way too. One scan of the SKU column (exact for any alphabet, unlike SQLite's lower())."""
    wanted = {sku.strip().casefold() for sku in skus if sku and sku.strip()}
    if not wanted:
        return {}
    rows = session.connection().exec_driver_sql("SELECT id, sku FROM products")
    return {
        folded: (product_id, sku)
        for product_id, sku in rows
        if (folded := sku.casefold()) in wanted
    }


def case_twin_message(sku: str, holder: tuple[int, str]) -> str:
    return (
        f"SKU {sku!r} differs only in case from product {holder[0]}'s SKU {holder[1]!r} "
        "(WooCommerce treats them as one SKU)"
    )


def all_products(session: Session) -> list[Product]:
    """Every product, by id."""
    return list(session.exec(select(Product).order_by(col(Product.id))))
