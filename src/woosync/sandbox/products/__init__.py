"""``/products``: list, create, retrieve, update, delete and batch, as WooCommerce 11 answers them.

The package is read in this order, each module building on the ones before:

- ``schema``: product types, statuses, writable fields and the WordPress schema check;
- ``coerce``: lenient coercion of request values (batch items are not schema-checked);
- ``record``: a stored product's defaults, field writing, stock, meta, derived fields, SKU rules;
- ``media`` and ``terms``: images, and categories/tags/attributes, resolved for a write;
- ``write``: ``write_product`` and ``delete_product``, the one write path;
- ``render``: a record as the API shows it (``context=view`` or ``edit``);
- ``listing``: ``GET /products`` parameters, filtering, sorting, paging;
- ``items`` and ``batch``: the route handlers for one product and for ``/products/batch``.
"""

from __future__ import annotations

from woosync.sandbox.products.batch import BATCH_LIMIT, batch_products, batch_size
from woosync.sandbox.products.items import (
    create_product,
    get_product,
    remove_product,
    update_product,
)
from woosync.sandbox.products.listing import list_products
from woosync.sandbox.products.render import render_product
from woosync.sandbox.products.schema import ROUTE
from woosync.sandbox.products.write import delete_product, write_product

__all__ = [
    "BATCH_LIMIT",
    "ROUTE",
    "batch_products",
    "batch_size",
    "create_product",
    "delete_product",
    "get_product",
    "list_products",
    "remove_product",
    "render_product",
    "update_product",
    "write_product",
]
