"""The field vocabulary shared by mappings, the catalog, export and import.

Local (internal) field names are the spec's standard fields; any other name in a mapping is a
product attribute (``COLOR``, ``Dimension``) or a custom field (``wholesalePrice``). WooCommerce
targets are the writable fields of a WooCommerce product, a dimension part, or a global attribute
slug (``pa_color``).
"""

from __future__ import annotations

import re

REQUIRED_FIELDS: tuple[str, ...] = ("name", "sku")

# The spec's standard fields and where each goes in WooCommerce when the mapping does not say.
STANDARD_FIELDS: dict[str, str] = {
    "name": "name",
    "sku": "sku",
    "description": "description",
    "status": "status",
    "type": "type",
    "images": "images",
    "categories": "categories",
    "tags": "tags",
    "price": "regular_price",
    "sale_price": "sale_price",
    "weight": "weight",
    "dimensions": "dimensions",
    "stock_status": "stock_status",
}

# Parts of ``dimensions`` that may be mapped (and selected) on their own (the spec's appendix).
DIMENSION_PARTS: tuple[str, ...] = ("length", "width", "height")

# Writable WooCommerce product fields woosync can target (context=edit names, strings unless noted).
WOO_PRODUCT_FIELDS: frozenset[str] = frozenset(
    {
        "name",
        "sku",
        "description",
        "short_description",
        "status",
        "type",
        "slug",
        "regular_price",
        "sale_price",
        "date_on_sale_from",
        "date_on_sale_to",
        "weight",
        "dimensions",
        "length",
        "width",
        "height",
        "stock_status",
        "stock_quantity",
        "manage_stock",
        "backorders",
        "images",
        "categories",
        "tags",
        "featured",
        "catalog_visibility",
        "virtual",
        "downloadable",
        "tax_status",
        "tax_class",
        "menu_order",
        "purchase_note",
        "external_url",
        "button_text",
        "global_unique_id",
        "reviews_allowed",
        "shipping_class",
    }
)

GLOBAL_ATTRIBUTE = re.compile(r"^pa_[a-z0-9][a-z0-9_-]*$")


def is_global_attribute(target: str) -> bool:
    """``pa_color`` names a store-wide (global) attribute by its slug."""
    return bool(GLOBAL_ATTRIBUTE.match(target))


def is_valid_woo_target(target: str) -> bool:
    """A WooCommerce product field or a global attribute slug."""
    return target in WOO_PRODUCT_FIELDS or is_global_attribute(target)


# What ``woosync import --no-mapping`` does: WooCommerce field -> local field.
DEFAULT_IMPORT_FIELDS: dict[str, str] = {
    "name": "name",
    "sku": "sku",
    "description": "description",
    "status": "status",
    "type": "type",
    "regular_price": "price",
    "sale_price": "sale_price",
    "weight": "weight",
    "dimensions": "dimensions",
    "stock_status": "stock_status",
    "categories": "categories",
    "tags": "tags",
    "images": "images",
}
