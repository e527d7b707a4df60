"""A variation as ``/products/{id}/variations`` shows it (``context=view`` or ``edit``).

The keys and their order are the recorded WooCommerce 11 answer's: a single ``image`` instead of
``images``, ``attributes`` as ``[{id, name, slug, option}]``, ``name`` made of the options
(``"S, Red"``), ``tax_class`` "parent" as stored (``context=view`` shows the parent's) and an
``up`` link to the parent. A variation that leaves its stock to a parent managing stock shows
``manage_stock: "parent"`` and the parent's quantity.
"""

from __future__ import annotations

from typing import Any

from woosync.sandbox.products.render import (
    _render_image,
    active_price,
    product_permalink,
    variation_tax_class,
)
from woosync.sandbox.products.schema import ROUTE
from woosync.sandbox.products.variation_attributes import (
    public_options,
    shown_options,
    variation_name,
    variation_permalink,
)
from woosync.sandbox.state import State
from woosync.sandbox.text import render_content


def variations_route(parent_id: int) -> str:
    return f"{ROUTE}/{parent_id}/variations"


def render_variation(
    state: State, home: str, record: dict[str, Any], context: str
) -> dict[str, Any]:
    view = context != "edit"
    now = state.now()
    price, on_sale = active_price(record, now)
    options = shown_options(state, record)
    parent = state.products.get(record["parent_id"])
    managed: bool | str = record["manage_stock"]
    quantity, backorders = record["stock_quantity"], record["backorders"]
    if not managed and parent is not None and parent["manage_stock"]:
        # Stock kept on the parent: WooCommerce says "parent" and shows the parent's stock.
        managed, quantity, backorders = "parent", parent["stock_quantity"], parent["backorders"]
    backorders_allowed = backorders in ("yes", "notify")
    parent_link = product_permalink(home, parent) if parent else f"{home}/?p={record['parent_id']}"
    image = _render_image(state, home, record["image_ids"][0]) if record["image_ids"] else None
    base = f"{home}/wp-json{variations_route(record['parent_id'])}"
    return {
        "id": record["id"],
        "type": "variation",
        "date_created": record["date_created"],
        "date_created_gmt": record["date_created"],
        "date_modified": record["date_modified"],
        "date_modified_gmt": record["date_modified"],
        # the variations endpoint formats a description (wc_format_content) in every context
        "description": render_content(record["description"]),
        "permalink": variation_permalink(parent_link, options),
        # WooCommerce shows a variation without a SKU with its parent's, in every context
        "sku": record["sku"] or (parent["sku"] if parent else ""),
        "global_unique_id": record["global_unique_id"],
        "price": price,
        "regular_price": record["regular_price"],
        "sale_price": record["sale_price"],
        "date_on_sale_from": record["date_on_sale_from"],
        "date_on_sale_from_gmt": record["date_on_sale_from"],
        "date_on_sale_to": record["date_on_sale_to"],
        "date_on_sale_to_gmt": record["date_on_sale_to"],
        "on_sale": on_sale,
        "status": record["status"],
        "purchasable": price != "",
        "virtual": record["virtual"],
        "downloadable": record["downloadable"],
        "downloads": [dict(d) for d in record["downloads"]],
        "download_limit": record["download_limit"],
        "download_expiry": record["download_expiry"],
        "tax_status": record["tax_status"],
        "tax_class": variation_tax_class(state, record, view),
        "manage_stock": managed,
        "stock_quantity": quantity,
        "stock_status": record["stock_status"],
        "backorders": backorders,
        "backorders_allowed": backorders_allowed,
        "backordered": bool(managed and backorders_allowed and (quantity or 0) < 0),
        "low_stock_amount": record["low_stock_amount"],
        "weight": record["weight"],
        "dimensions": dict(record["dimensions"]),
        "shipping_class": record["shipping_class"],
        "shipping_class_id": 0,
        "image": image,
        "gallery_image_ids": [],
        "attributes": public_options(options),
        "menu_order": record["menu_order"],
        "meta_data": [dict(m) for m in record["meta_data"]],
        "name": variation_name(options),
        "parent_id": record["parent_id"],
        "_links": {
            "self": [
                {
                    "href": f"{base}/{record['id']}",
                    "targetHints": {"allow": ["GET", "POST", "PUT", "PATCH", "DELETE"]},
                }
            ],
            "collection": [{"href": base}],
            "up": [{"href": f"{home}/wp-json{ROUTE}/{record['parent_id']}"}],
        },
    }
