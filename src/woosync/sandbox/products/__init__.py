"""``/products``: list, create, retrieve, update, delete and batch, as WooCommerce 11 answers them.

The package is read in this order, each module building on the ones before:

- ``schema``: product types, statuses, writable fields and the WordPress schema check;
- ``coerce``: lenient coercion of request values (batch items are not schema-checked);
- ``record``: a stored product's defaults, field writing, stock, meta, derived fields, SKU rules;
- ``media`` and ``terms``: images, and categories/tags/attributes, resolved for a write;
- ``write``: ``write_product`` and ``delete_product``, the one write path;
- ``render``: a record as the API shows it (``context=view`` or ``edit``);
- ``listing``: ``GET /products`` parameters, filtering, sorting, paging;
- ``items`` and ``batch``: the route handlers for one product and for ``/products/batch``;
- ``variation_attributes``, ``variation_render``, ``variation_write`` and ``variations``: the same
  for variations (``/products/{id}/variations``), stored with the products as ``type: variation``.
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
from woosync.sandbox.products.variation_render import render_variation
from woosync.sandbox.products.variation_write import write_variation
from woosync.sandbox.products.variations import (
    batch_variations,
    create_variation,
    get_variation,
    list_all_variations,
    list_variations,
    remove_variation,
    update_variation,
)
from woosync.sandbox.products.write import delete_product, publish_due, write_product

__all__ = [
    "BATCH_LIMIT",
    "ROUTE",
    "batch_products",
    "batch_size",
    "batch_variations",
    "create_product",
    "create_variation",
    "delete_product",
    "get_product",
    "get_variation",
    "list_all_variations",
    "list_products",
    "list_variations",
    "publish_due",
    "remove_product",
    "remove_variation",
    "render_product",
    "render_variation",
    "update_product",
    "update_variation",
    "write_product",
    "write_variation",
]
