"""The product vocabulary: types, statuses, writable fields and their WordPress schema check.

Single endpoints (``POST``/``PUT /products``) validate a body against ``SCHEMA`` first and answer
``rest_invalid_param`` listing every bad field; batch items skip this check, as in WooCommerce.
"""

from __future__ import annotations

from typing import Any

from woosync.sandbox.http import invalid_params

ROUTE = "/wc/v3/products"
INVALID_ID = ("woocommerce_rest_product_invalid_id", "Invalid ID.")
# Writing a variation through /products (a batch create with ``type: variation``, or a variation's
# id): the message's entities are literal in WooCommerce's answer.
VARIATION_VIA_PRODUCTS = (
    "woocommerce_rest_invalid_product_id",
    "To manipulate product variations you should use the "
    "/products/&lt;product_id&gt;/variations/&lt;id&gt; endpoint.",
)
TYPES = ("simple", "grouped", "external", "variable")
STATUSES = ("draft", "pending", "private", "publish", "future")

# A field's schema: (JSON types it accepts, the values it allows or None for any).
Spec = tuple[tuple[str, ...], tuple[str, ...] | None]
STRING: Spec = (("string",), None)
STRING_OR_NULL: Spec = (("string", "null"), None)
BOOLEAN: Spec = (("boolean",), None)
INTEGER: Spec = (("integer",), None)
INTEGER_OR_NULL: Spec = (("integer", "null"), None)
ARRAY: Spec = (("array",), None)
OBJECT: Spec = (("object",), None)


def one_of(*values: str) -> Spec:
    return (("string",), values)


# Writable fields checked on the single endpoints.
SCHEMA: dict[str, Spec] = {
    "name": STRING,
    "slug": STRING,
    "type": one_of(*TYPES),
    "status": one_of(*STATUSES, "trash", "auto-draft"),
    "featured": BOOLEAN,
    "catalog_visibility": one_of("visible", "catalog", "search", "hidden"),
    "description": STRING,
    "short_description": STRING,
    "sku": STRING,
    "global_unique_id": STRING,
    "regular_price": STRING,
    "sale_price": STRING,
    "date_on_sale_from": STRING_OR_NULL,
    "date_on_sale_from_gmt": STRING_OR_NULL,
    "date_on_sale_to": STRING_OR_NULL,
    "date_on_sale_to_gmt": STRING_OR_NULL,
    "date_created": STRING_OR_NULL,
    "date_created_gmt": STRING_OR_NULL,
    "virtual": BOOLEAN,
    "downloadable": BOOLEAN,
    "downloads": ARRAY,
    "download_limit": INTEGER,
    "download_expiry": INTEGER,
    "external_url": STRING,
    "button_text": STRING,
    "tax_status": one_of("taxable", "shipping", "none"),
    "tax_class": STRING,
    "manage_stock": BOOLEAN,
    "stock_quantity": INTEGER_OR_NULL,
    "inventory_delta": INTEGER,
    "stock_status": one_of("instock", "outofstock", "onbackorder"),
    "backorders": one_of("no", "notify", "yes"),
    "low_stock_amount": INTEGER_OR_NULL,
    "sold_individually": BOOLEAN,
    "weight": STRING,
    "dimensions": OBJECT,
    "shipping_class": STRING,
    "reviews_allowed": BOOLEAN,
    "upsell_ids": ARRAY,
    "cross_sell_ids": ARRAY,
    "parent_id": INTEGER,
    "purchase_note": STRING,
    "categories": ARRAY,
    "tags": ARRAY,
    "brands": ARRAY,
    "images": ARRAY,
    "attributes": ARRAY,
    "default_attributes": ARRAY,
    "grouped_products": ARRAY,
    "menu_order": INTEGER,
    "meta_data": ARRAY,
    "post_password": STRING,
}
# Fields written the same way, grouped by how a value is coerced.
STRING_FIELDS = (
    "external_url",
    "button_text",
    "tax_class",
    "purchase_note",
    "post_password",
    "global_unique_id",
)
ENUM_FIELDS = ("catalog_visibility", "tax_status", "backorders")
BOOL_FIELDS = ("featured", "virtual", "downloadable", "sold_individually", "reviews_allowed")
INT_FIELDS = ("download_limit", "download_expiry", "menu_order", "parent_id")


def _type_ok(value: Any, kinds: tuple[str, ...]) -> bool:
    for kind in kinds:
        if kind == "null" and value is None:
            return True
        if kind == "string" and isinstance(value, str):
            return True
        if kind == "boolean" and (
            isinstance(value, bool) or value in (0, 1, "0", "1", "true", "false", "")
        ):
            return True
        if kind == "integer" and not isinstance(value, bool):
            try:
                number = float(value)
            except (TypeError, ValueError):
                continue
            if number.is_integer():
                return True
        if kind == "array" and isinstance(value, list):
            return True
        if kind == "object" and isinstance(value, dict):
            return True
    return False


def enum_text(values: tuple[str, ...]) -> str:
    """``a, b, and c`` as WordPress lists allowed values in ``rest_not_in_enum`` messages."""
    if len(values) == 2:
        return f"{values[0]} and {values[1]}"
    return ", ".join(values[:-1]) + f", and {values[-1]}"


def validate(body: dict[str, Any]) -> None:
    """WordPress schema validation of a single-endpoint body (``rest_invalid_param``)."""
    problems: dict[str, tuple[str, str, Any]] = {}
    for name, value in body.items():
        spec = SCHEMA.get(name)
        if spec is None:
            continue
        kinds, allowed = spec
        if not _type_ok(value, kinds):
            problems[name] = (
                f"{name} is not of type {','.join(kinds)}.",
                "rest_invalid_type",
                {"param": name},
            )
        elif allowed is not None and value not in allowed:
            problems[name] = (
                f"{name} is not one of {enum_text(allowed)}.",
                "rest_not_in_enum",
                None,
            )
    if problems:
        raise invalid_params(problems)
