"""Upsells and cross-sells: the catalog names the products a product suggests by SKU
(``upsells: [MUG-2]``), a store by its own product ids (``upsell_ids: [41]``).

Both pipelines compare them by SKU: an export turns the catalog's SKUs into this store's ids
through its sync records (:func:`store_ids`), an import and an export's answer turn the store's
ids back into SKUs (:func:`name_links`) the same way (an import also asks the store for the SKUs
of products it has not linked yet). An id no SKU is known for stays an id: the store's own link,
which an import leaves out of the catalog and an export keeps in the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# WooCommerce's fields: upsells, cross-sells, and a grouped product's products
LINK_FIELDS = ("upsell_ids", "cross_sell_ids", "grouped_products")
_CHUNK = 500  # values per IN (...) query


def link_ids(products: Iterable[Mapping[str, Any]]) -> set[int]:
    """The store ids the products' upsells and cross-sells name."""
    return {
        int(woo_id)
        for product in products
        for key in LINK_FIELDS
        for woo_id in product.get(key) or ()
        if isinstance(woo_id, int) and not isinstance(woo_id, bool) and woo_id > 0
    }


def name_links(products: Iterable[MutableMapping[str, Any]], skus: Mapping[int, str]) -> None:
    """Each product's upsell and cross-sell ids as SKUs, in place, where ``skus`` knows them."""
    for product in products:
        for key in LINK_FIELDS:
            held = product.get(key)
            if isinstance(held, list) and held:
                product[key] = [
                    skus.get(item, item) if isinstance(item, int) else item for item in held
                ]


def link_names(value: Any) -> list[str] | None:
    """A store's links in local terms (``None``: none): their SKUs. An id no SKU is known for (a
    product without a SKU, a shop manager's link) is the store's own: an export keeps it
    (``export.links``), so it is no difference from the catalog."""
    found = [item for item in value or () if isinstance(item, str)]
    return found or None


def catalog_skus(value: Any) -> list[str] | None:
    """Of a store's links as :func:`name_links` left them, the SKUs (what an import keeps)."""
    found = [item for item in value or () if isinstance(item, str) and item]
    return found or None


def linked_skus(session: Session, connection_id: int, woo_ids: Iterable[int]) -> dict[int, str]:
    """Store id -> the catalog SKU of the product (or variation) linked to it in this store, or
    of the one ``woosync delete`` deleted there (the store still names it in links)."""
    wanted = sorted(set(woo_ids))
    found: dict[int, str] = {}
    connection = session.connection()
    for start in range(0, len(wanted), _CHUNK):
        chunk = tuple(wanted[start : start + _CHUNK])
        marks = ", ".join("?" * len(chunk))
        query = (
            "SELECT s.woo_product_id, p.sku FROM product_sync s JOIN products p "
            f"ON p.id = s.product_id WHERE s.connection_id = ? AND s.woo_product_id IN ({marks}) "
            "UNION ALL SELECT e.woo_product_id, p.sku FROM product_exclusions e JOIN products p "
            f"ON p.id = e.product_id WHERE e.connection_id = ? AND e.woo_product_id IN ({marks})"
        )
        params = (connection_id, *chunk, connection_id, *chunk)
        for woo_id, sku in connection.exec_driver_sql(query, params):
            found.setdefault(int(woo_id), str(sku))
    return found


def store_ids(session: Session, connection_id: int, skus: Iterable[str]) -> dict[str, int]:
    """Catalog SKU (case-folded) -> the id of this store's product linked to it, for those it
    has (SKUs are unique without regard to case: a link written ``mug-2`` finds ``MUG-2``)."""
    wanted = sorted({sku for sku in skus if sku})
    found: dict[str, int] = {}
    connection = session.connection()
    for start in range(0, len(wanted), _CHUNK):
        chunk = tuple(wanted[start : start + _CHUNK])
        marks = ", ".join("?" * len(chunk))
        query = (
            "SELECT p.sku, s.woo_product_id FROM products p JOIN product_sync s "
            "ON s.product_id = p.id AND s.connection_id = ? WHERE s.woo_product_id > 0 "
            f"AND (p.sku IN ({marks}) OR lower(p.sku) IN ({marks}))"
        )
        params = (connection_id, *chunk, *(sku.lower() for sku in chunk))
        for sku, woo_id in connection.exec_driver_sql(query, params):
            found[str(sku).casefold()] = int(woo_id)
    return found
