"""The columns of WooCommerce's own product CSV exporter (Products > Export) and how a cell of
each reads: which column goes to which catalog field, which come in as custom fields named by
the REST API field, which are left out, and the cells' own spellings (lists separated by commas
with ``\\,`` inside a value, ``&amp;``, the exporter's dates and formula escapes)."""

from __future__ import annotations

import html
import re
from typing import Any

# A header holding one of these (any case) marks a file as WooCommerce's exporter wrote it.
MARKS = frozenset(
    {
        "published",
        "regular price",
        "in stock?",
        "is featured?",
        "visibility in catalog",
        "short description",
        "allow customer reviews?",
        "attribute 1 name",
    }
)
# WooCommerce's exporter prefixes a text starting with one of these with a ' (formula injection)
ESCAPED_START = ("=", "+", "-", "@", "\t", "\r")

# column -> catalog field (text as it is, once HTML-decoded where marked below)
FIELDS: dict[str, str] = {
    "sku": "sku",
    "name": "name",
    "description": "description",
    "sale price": "sale_price",
    "regular price": "price",
    "low stock amount": "low_stock_amount",
}
MEASURES = re.compile(r"^(weight|length|width|height)(\s*\(.*\))?$")
DATES: dict[str, str] = {
    "date sale price starts": "date_on_sale_from",
    "date sale price ends": "date_on_sale_to",
}
# column -> (custom field: the WooCommerce REST API field, kind, kept on a variation)
EXTRA: dict[str, tuple[str, str, bool]] = {
    "gtin, upc, ean, or isbn": ("global_unique_id", "text", True),
    "is featured?": ("featured", "bool", False),
    "visibility in catalog": ("catalog_visibility", "text", False),
    "short description": ("short_description", "html", False),
    "tax status": ("tax_status", "text", True),
    "tax class": ("tax_class", "text", True),
    "sold individually?": ("sold_individually", "bool", False),
    "allow customer reviews?": ("reviews_allowed", "bool", False),
    "purchase note": ("purchase_note", "html", False),
    "shipping class": ("shipping_class", "text", True),
    "external url": ("external_url", "text", False),
    "button text": ("button_text", "text", False),
    "position": ("menu_order", "text", True),
    # how often and for how many days a buyer may download the files; -1 (the default): no limit
    "download limit": ("download_limit", "limit", True),
    "download expiry days": ("download_expiry", "limit", True),
}
# read for what they say about other columns, kept nowhere themselves
USED = frozenset({"id", "type", "published", "in stock?", "stock", "backorders allowed?"})
# what the catalog cannot hold, noted when a row holds more than these (WooCommerce's defaults)
LEFT_OUT: dict[str, tuple[str, ...]] = {}
LISTS = {"categories": "categories", "tags": "tags", "images": "images", "brands": "brands"}
# the SKUs of the products a product suggests (``id:ID`` for one the store had without a SKU)
LINKS = {
    "upsells": "upsells",
    "cross-sells": "cross_sells",
    "grouped products": "grouped_products",
}
ATTRIBUTE = re.compile(r"^attribute (\d+) (name|value\(s\)|visible|global|default)$")
DOWNLOAD = re.compile(r"^download (\d+) (id|name|url)$")  # a downloadable product's files
HEADERS = {
    "upsells": "Upsells",
    "cross-sells": "Cross-sells",
    "grouped products": "Grouped products",
}
TYPES = ("simple", "variable", "variation", "grouped", "external")
FLAGS = ("downloadable", "virtual")
PUBLISHED = {"1": "publish", "0": "private", "-1": "draft", "2": "pending"}
IN_STOCK = {"1": "instock", "0": "outofstock", "backorder": "onbackorder"}
BACKORDERS = {"1": "yes", "0": "no", "notify": "notify", "yes": "yes", "no": "no"}
BOOLEANS = {"1": True, "0": False, "yes": True, "no": False, "true": True, "false": False}


def unescaped(cell: str) -> str:
    """A cell as written before WooCommerce's formula escape (``'=x`` is ``=x``)."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in ESCAPED_START else cell


def cell_list(cell: str) -> list[str]:
    """A list cell's values: comma separated, ``\\,`` a comma inside a value (WooCommerce's
    importer's ``explode_values``)."""
    if not cell.strip():
        return []
    parts = cell.replace("\\,", "\0").split(",")
    return [part.replace("\0", ",").strip() for part in parts if part.strip()]


def cell_text(value: str, *, multiline: bool = False) -> str:
    """A name or a description as the store holds it: HTML entities decoded; in a description
    ``\\n`` is a line break and ``\\\\n`` a backslash and an n (WooCommerce's importer)."""
    if multiline:
        value = "\\n".join(part.replace("\\n", "\n") for part in value.split("\\\\n"))
    return html.unescape(value)


EXPORTED_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def cell_date(value: str) -> str | None:
    """``2026-12-01 0:00:00`` (the exporter's) as ISO 8601, ``2026-12-01T00:00:00``."""
    if not value:
        return None
    found = EXPORTED_DATE.match(value)
    if found is None:
        return value  # checked (and refused) as any date is
    day, hour, minute, second = found.groups()
    if hour is None:
        return day
    return f"{day}T{int(hour):02d}:{minute}:{second or '00'}"


def cell_extra(value: str, kind: str) -> Any:
    if not value:
        return None
    if kind == "bool":
        return BOOLEANS.get(value.lower(), value)
    if kind == "html":
        return cell_text(value, multiline=True)
    if kind == "limit":  # -1 is no limit: WooCommerce's default, kept as no value
        return None if value == "-1" else value
    return value
