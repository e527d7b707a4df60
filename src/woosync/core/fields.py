"""The field vocabulary shared by mappings, the catalog, export and import.

Local (internal) field names are the spec's standard fields; any other name in a mapping is a
product attribute (``COLOR``, ``Dimension``) or a custom field (``wholesalePrice``). WooCommerce
targets are the writable fields of a WooCommerce product, a dimension part, or a global attribute
slug (``pa_color``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from woosync.core.meta_keys import is_meta_target, meta_key, meta_key_problem

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
    "brands": "brands",  # WooCommerce 9.6 and later: the store's brands, by name
    "price": "regular_price",
    "sale_price": "sale_price",
    "weight": "weight",
    "dimensions": "dimensions",
    "stock_status": "stock_status",
    "manage_stock": "manage_stock",
    "stock_quantity": "stock_quantity",
    "backorders": "backorders",
    "low_stock_amount": "low_stock_amount",
    "date_on_sale_from": "date_on_sale_from",
    "date_on_sale_to": "date_on_sale_to",
    "default_attributes": "default_attributes",  # a variable product's default options
    "upsells": "upsell_ids",  # by SKU in the catalog, by this store's ids in the store
    "cross_sells": "cross_sell_ids",
    "grouped_products": "grouped_products",  # a grouped product's products
    "downloads": "downloads",  # a downloadable product's files: [{name, file, id}]
}

# Parts of ``dimensions`` that may be mapped (and selected) on their own (the spec's appendix).
DIMENSION_PARTS: tuple[str, ...] = ("length", "width", "height")

# The local catalog's fields by kind (woosync.products checks and normalises them): each is a
# column of ``products``; ``dimensions`` is kept as its three parts.
PRODUCT_STATUSES: tuple[str, ...] = ("publish", "draft", "pending", "private")
# ``variation``: one option set of a ``variable`` product, a product row of its own (parent_id)
PRODUCT_TYPES: tuple[str, ...] = ("simple", "variable", "grouped", "external", "variation")
STOCK_STATUSES: tuple[str, ...] = ("instock", "outofstock", "onbackorder")
TEXT_FIELDS: tuple[str, ...] = ("sku", "name", "description")
MULTILINE_FIELDS: tuple[str, ...] = ("description",)
NUMBER_FIELDS: tuple[str, ...] = ("price", "sale_price", "weight", *DIMENSION_PARTS)
# ``upsells`` / ``cross_sells``: the SKUs of the products a product's page and the cart suggest;
# ``grouped_products``: a grouped product's products, by SKU
PRODUCT_REF_FIELDS: tuple[str, ...] = ("upsells", "cross_sells", "grouped_products")
LIST_FIELDS: tuple[str, ...] = ("categories", "tags", "brands", "images", *PRODUCT_REF_FIELDS)
# Stock and sale dates: checked as WooCommerce takes them (TARGET_CHECKS), kept in its types
# (stock_quantity and low_stock_amount integers, manage_stock a boolean, dates ISO 8601 text).
STOCK_FIELDS: tuple[str, ...] = ("manage_stock", "stock_quantity", "backorders", "low_stock_amount")
SALE_DATE_FIELDS: tuple[str, ...] = ("date_on_sale_from", "date_on_sale_to")
TYPED_FIELDS: tuple[str, ...] = (*STOCK_FIELDS, *SALE_DATE_FIELDS)
SCALAR_FIELDS: tuple[str, ...] = (
    *TEXT_FIELDS,
    "status",
    "type",
    *NUMBER_FIELDS,
    "stock_status",
    *TYPED_FIELDS,
)
# A variable product's default options, ``{attribute: option}``, and a downloadable product's
# files, ``[{name, file, id}]`` (each a JSON column of its own).
OBJECT_FIELDS: tuple[str, ...] = ("default_attributes", "downloads")
CHOICE_FIELDS: dict[str, tuple[str, ...]] = {
    "status": PRODUCT_STATUSES,
    "type": PRODUCT_TYPES,
    "stock_status": STOCK_STATUSES,
}
# What a variation has of its own (the rest, categories, tags and brands, it takes from its parent; its
# name is the parent's name and its options); ``image`` in a file is its one image.
VARIATION_FIELDS: tuple[str, ...] = (
    "sku",
    "description",
    "status",
    "price",
    "sale_price",
    "weight",
    *DIMENSION_PARTS,
    "stock_status",
    *TYPED_FIELDS,
    "images",
    "downloads",
)
# ``attribute:COLOR`` / ``custom:wholesalePrice`` name one attribute or custom field explicitly
ATTRIBUTE_PREFIX = "attribute:"
CUSTOM_PREFIX = "custom:"

# What each writable WooCommerce field accepts (context=edit names). Kinds of value:
TEXT = "text"  # one line of text
HTML = "html"  # text that may span lines (descriptions, notes)
MONEY = "money"  # a plain non-negative decimal string: "12.50"
MEASURE = "measure"  # weight and dimensions: a plain non-negative decimal string
INTEGER = "integer"
DATE = "date"  # ISO 8601: 2026-12-24 or 2026-12-24T10:00:00 (store-local time)
CHOICE = "choice"
BOOLEAN = "boolean"
URL = "url"
NAME_LIST = "name list"  # categories, tags, brands: names, each one line
IMAGE_LIST = "image list"  # image URLs
DIMENSIONS_OBJECT = "dimensions"  # {length, width, height}, each a measure
OPTION_MAP = "option map"  # {attribute: option}: a variable product's default options
SKU_LIST = "SKU list"  # upsells, cross-sells: the catalog's SKUs of other products
DOWNLOAD_LIST = "download list"  # [{name, file, id}]: a downloadable product's files


@dataclass(frozen=True)
class FieldType:
    """What one WooCommerce product field accepts; ``describe()`` says it to a person."""

    kind: str
    choices: tuple[str, ...] = ()
    signed: bool = False  # integers: may be negative (stock below zero, menu order)

    def describe(self) -> str:
        if self.kind == CHOICE:
            return "one of " + ", ".join(self.choices)
        return {
            TEXT: "text (one line)",
            HTML: "text or HTML (may span lines)",
            MONEY: "money: a plain decimal such as 12.50",
            MEASURE: "a plain decimal such as 0.5",
            INTEGER: "a whole number" + ("" if self.signed else " (not negative)"),
            DATE: "a date in ISO 8601, e.g. 2026-12-24 or 2026-12-24T10:00:00",
            BOOLEAN: "true or false",
            URL: "an http(s) URL",
            NAME_LIST: "a list of names",
            IMAGE_LIST: "a list of image URLs",
            DIMENSIONS_OBJECT: "length, width and height, each a plain decimal",
            OPTION_MAP: "an option of each variation attribute, e.g. {Size: M}",
            SKU_LIST: "the SKUs of other products (sent as this store's ids)",
            DOWNLOAD_LIST: "a list of files: {name, file: an http(s) URL or a path on the store}",
        }[self.kind]


_TEXT = FieldType(TEXT)
_HTML = FieldType(HTML)
_MONEY = FieldType(MONEY)
_MEASURE = FieldType(MEASURE)
_BOOLEAN = FieldType(BOOLEAN)
_DATE = FieldType(DATE)

# The one table of WooCommerce targets and their types (``woosync fields`` lists it; export checks
# every mapped value against it before anything is sent).
WOO_FIELD_TYPES: dict[str, FieldType] = {
    "name": _TEXT,
    "sku": _TEXT,
    "description": _HTML,
    "short_description": _HTML,
    "status": FieldType(CHOICE, ("draft", "pending", "private", "publish", "future")),
    "type": FieldType(CHOICE, ("simple", "grouped", "external", "variable")),
    "slug": _TEXT,
    "regular_price": _MONEY,
    "sale_price": _MONEY,
    "date_on_sale_from": _DATE,
    "date_on_sale_to": _DATE,
    "weight": _MEASURE,
    "dimensions": FieldType(DIMENSIONS_OBJECT),
    "length": _MEASURE,
    "width": _MEASURE,
    "height": _MEASURE,
    "stock_status": FieldType(CHOICE, ("instock", "outofstock", "onbackorder")),
    "stock_quantity": FieldType(INTEGER, signed=True),
    "low_stock_amount": FieldType(INTEGER),
    "manage_stock": _BOOLEAN,
    "backorders": FieldType(CHOICE, ("no", "notify", "yes")),
    "images": FieldType(IMAGE_LIST),
    "categories": FieldType(NAME_LIST),
    "tags": FieldType(NAME_LIST),
    "brands": FieldType(NAME_LIST),
    "featured": _BOOLEAN,
    "catalog_visibility": FieldType(CHOICE, ("visible", "catalog", "search", "hidden")),
    "virtual": _BOOLEAN,
    "downloadable": _BOOLEAN,
    "tax_status": FieldType(CHOICE, ("taxable", "shipping", "none")),
    "tax_class": _TEXT,
    "menu_order": FieldType(INTEGER, signed=True),
    "purchase_note": _HTML,
    "external_url": FieldType(URL),
    "button_text": _TEXT,
    "global_unique_id": _TEXT,
    "reviews_allowed": _BOOLEAN,
    "sold_individually": _BOOLEAN,
    "shipping_class": _TEXT,
    "default_attributes": FieldType(OPTION_MAP),
    "upsell_ids": FieldType(SKU_LIST),
    "cross_sell_ids": FieldType(SKU_LIST),
    "grouped_products": FieldType(SKU_LIST),
    "downloads": FieldType(DOWNLOAD_LIST),
    "download_limit": FieldType(INTEGER, signed=True),  # -1: unlimited
    "download_expiry": FieldType(INTEGER, signed=True),  # days; -1: never
}

# Writable WooCommerce product fields woosync can target.
WOO_PRODUCT_FIELDS: frozenset[str] = frozenset(WOO_FIELD_TYPES)

GLOBAL_ATTRIBUTE = re.compile(r"^pa_[a-z0-9][a-z0-9_-]*$")


def is_global_attribute(target: str) -> bool:
    """``pa_color`` names a store-wide (global) attribute by its slug."""
    return bool(GLOBAL_ATTRIBUTE.match(target))


def is_valid_woo_target(target: str) -> bool:
    """A WooCommerce product field, a global attribute slug or a meta data key (``meta:KEY``)."""
    return (
        target in WOO_PRODUCT_FIELDS
        or is_global_attribute(target)
        or (is_meta_target(target) and meta_key_problem(meta_key(target)) is None)
    )


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
    "manage_stock": "manage_stock",
    "stock_quantity": "stock_quantity",
    "backorders": "backorders",
    "low_stock_amount": "low_stock_amount",
    "date_on_sale_from": "date_on_sale_from",
    "date_on_sale_to": "date_on_sale_to",
    "categories": "categories",
    "tags": "tags",
    "brands": "brands",
    "images": "images",
    "default_attributes": "default_attributes",
    "upsell_ids": "upsells",
    "cross_sell_ids": "cross_sells",
    "grouped_products": "grouped_products",
    "downloads": "downloads",
    # an external (affiliate) product's link and button: custom fields of these names
    "external_url": "external_url",
    "button_text": "button_text",
}
