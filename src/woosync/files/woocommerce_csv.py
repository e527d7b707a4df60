"""CSV files written by WooCommerce's own product exporter (Products > Export), read as rows of
the catalog's fields, so a store's catalog loads into woosync as the store exported it.

The exporter's layout, as WooCommerce 11 writes it (checked on a real store): headers in words
(``Regular price``, ``In stock?``, ``Weight (kg)``); ``Published`` 1, 0, -1 or 2 (publish,
private, draft, pending); ``Type`` ``simple``, ``variable``, ``variation``, ``grouped`` or
``external``, followed by ``downloadable`` and ``virtual`` when they hold; lists (categories,
tags, images, attribute values) separated by commas, a comma inside a value written ``\\,``;
category paths ``Kitchen > Mugs``; names and descriptions HTML-encoded (``&amp;``), a line break
in a description written ``\\n``; a variation's ``Parent`` is its parent's SKU or ``id:ID``;
attributes in numbered groups (``Attribute 1 name``, ``... value(s)``, ``... visible``,
``... global``, ``... default``), a variation's empty value meaning "any" (``*`` in the
catalog); meta data as
``Meta: KEY``; a text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
written with a ``'`` in front.

What the catalog has a field for goes there; WooCommerce's other product fields come in as
custom fields named by their REST API field (``short_description``, ``featured``, ``tax_class``,
...: an export mapping sends them back, ``short_description: short_description``) and meta data
as custom fields named by their key. What the catalog cannot hold (downloads, columns a
plugin added) is left out
and :class:`Notes` says so, naming the columns that held anything.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from woosync.core.errors import ValidationError
from woosync.products.rows import ROW_PROBLEM, TOO_MANY_CELLS, SourceRow
from woosync.products.variations import ANY

# A header holding one of these (any case) marks a file as WooCommerce's exporter wrote it.
_MARKS = frozenset(
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
_ESCAPED_START = ("=", "+", "-", "@", "\t", "\r")

# column -> catalog field (text as it is, once HTML-decoded where marked below)
_FIELDS: dict[str, str] = {
    "sku": "sku",
    "name": "name",
    "description": "description",
    "sale price": "sale_price",
    "regular price": "price",
    "low stock amount": "low_stock_amount",
}
_MEASURES = re.compile(r"^(weight|length|width|height)(\s*\(.*\))?$")
_DATES: dict[str, str] = {
    "date sale price starts": "date_on_sale_from",
    "date sale price ends": "date_on_sale_to",
}
# column -> (custom field: the WooCommerce REST API field, kind, kept on a variation)
_EXTRA: dict[str, tuple[str, str, bool]] = {
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
}
# read for what they say about other columns, kept nowhere themselves
_USED = frozenset({"id", "type", "published", "in stock?", "stock", "backorders allowed?"})
# what the catalog cannot hold, noted when a row holds more than these (WooCommerce's defaults)
_LEFT_OUT: dict[str, tuple[str, ...]] = {
    "download limit": ("", "-1"),  # unlimited
    "download expiry days": ("", "-1"),
}
_LISTS = {"categories": "categories", "tags": "tags", "images": "images"}
# the SKUs of the products a product suggests (``id:ID`` for one the store had without a SKU)
_LINKS = {
    "upsells": "upsells",
    "cross-sells": "cross_sells",
    "grouped products": "grouped_products",
}
_ATTRIBUTE = re.compile(r"^attribute (\d+) (name|value\(s\)|visible|global|default)$")
_HEADERS = {
    "upsells": "Upsells",
    "cross-sells": "Cross-sells",
    "grouped products": "Grouped products",
}
_TYPES = ("simple", "variable", "variation", "grouped", "external")
_FLAGS = ("downloadable", "virtual")
_PUBLISHED = {"1": "publish", "0": "private", "-1": "draft", "2": "pending"}
_IN_STOCK = {"1": "instock", "0": "outofstock", "backorder": "onbackorder"}
_BACKORDERS = {"1": "yes", "0": "no", "notify": "notify", "yes": "yes", "no": "no"}
_BOOLEANS = {"1": True, "0": False, "yes": True, "no": False, "true": True, "false": False}

Cell = Callable[[str], "str | None"]  # a row's cell by column name (None: no such column)


def is_woocommerce_header(header: list[str]) -> bool:
    """Whether a CSV header is the one WooCommerce's product exporter writes."""
    names = {cell.strip().lower() for cell in header}
    return bool(names & _MARKS) or any(name.startswith("meta:") for name in names)


@dataclass
class Notes:
    """What a WooCommerce file brought in other than as the catalog's own fields, for the
    person loading it: custom fields made from WooCommerce's fields and meta data, columns left
    out, and the attributes that were global in the exporting store."""

    custom_fields: dict[str, None] = field(default_factory=dict)
    left_out: dict[str, None] = field(default_factory=dict)
    global_attributes: dict[str, None] = field(default_factory=dict)

    def lines(self) -> list[str]:
        lines: list[str] = []
        if self.custom_fields:
            names = ", ".join(self.custom_fields)
            lines.append(
                f"WooCommerce fields the catalog has no field for came in as custom fields: "
                f"{names} (an export mapping sends them, e.g. short_description: "
                "short_description; meta data: KEY: meta:KEY)"
            )
        if self.global_attributes:
            pairs = ", ".join(f"{name}: pa_{_slug(name)}" for name in self.global_attributes)
            lines.append(
                "attributes that were global in the exporting store came in by name: "
                f"{', '.join(self.global_attributes)} (to export them as global attributes, "
                f"map them: {pairs})"
            )
        if self.left_out:
            lines.append("columns woosync does not keep were left out: " + ", ".join(self.left_out))
        return lines


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "attribute"


@dataclass
class _Column:
    index: int
    header: str  # as written
    name: str  # lower case


class WooCommerceRows:
    """The rows of one WooCommerce export as catalog field dicts (``rows``), with ``notes``."""

    def __init__(self, header: list[str], source: str, notes: Notes) -> None:
        self.source = source
        self.notes = notes
        self.width = len(header)
        self.columns: dict[str, _Column] = {}
        self.attributes: dict[int, dict[str, int]] = {}
        self.skus_by_id: dict[str, str] = {}
        self.unknown: list[_Column] = []
        self.measures: list[tuple[str, str]] = []  # (column, field): "weight (kg)", "weight"
        for index, cell in enumerate(header):
            column = _Column(index, cell.strip(), cell.strip().lower())
            if column.name in self.columns:
                raise ValidationError(f"{source}: column {column.header!r} appears twice")
            self.columns[column.name] = column
            found = _ATTRIBUTE.match(column.name)
            measure = _MEASURES.match(column.name)
            if measure:
                self.measures.append((column.name, measure[1]))
            if found:
                self.attributes.setdefault(int(found[1]), {})[found[2]] = index
            elif not self._known(column.name):
                self.unknown.append(column)
        if "sku" not in self.columns:
            raise ValidationError(f"{source}: no SKU column (WooCommerce's exporter writes one)")

    @staticmethod
    def _known(name: str) -> bool:
        return (
            name in _FIELDS
            or name in _DATES
            or name in _EXTRA
            or name in _USED
            or name in _LISTS
            or name in _LINKS
            or name in _LEFT_OUT
            or name == "parent"
            or bool(_MEASURES.match(name))
            or name.startswith("meta:")
        )

    def rows(self, records: Iterator[list[str]]) -> Iterator[SourceRow]:
        for number, cells in enumerate(records, start=2):  # the header is row 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > self.width:
                yield SourceRow(number, {TOO_MANY_CELLS: len(cells)})
                continue
            cells = cells + [""] * (self.width - len(cells))
            yield SourceRow(number, self._row(cells))

    # one row ------------------------------------------------------------------------------
    def _row(self, cells: list[str]) -> dict[str, Any]:
        def cell(name: str) -> str | None:
            column = self.columns.get(name)
            return None if column is None else _unescaped(cells[column.index]).strip()

        kinds = [part.strip().lower() for part in (cell("type") or "").split(",")]
        product_type = next((kind for kind in kinds if kind in _TYPES), None)
        variation = product_type == "variation"
        data: dict[str, Any] = {} if product_type is None else {"type": product_type}
        sku, wc_id = cell("sku"), cell("id")
        if wc_id and sku:
            self.skus_by_id[wc_id] = sku
        self._fields(cell, data)
        self._status(cell, data, variation)
        self._stock(cell, data, product_type)
        parent = cell("parent")
        if parent:
            by_id = parent.startswith("id:")
            data["parent_sku"] = self.skus_by_id.get(parent[3:], parent) if by_id else parent
        if product_type is not None:
            for flag in _FLAGS:
                data["custom:" + flag] = flag in kinds
                self.notes.custom_fields[flag] = None
        self._extras(cell, data, variation)
        if self.attributes:
            data["attributes"] = self._attributes(cells, variation)
            if not variation:
                data["default_attributes"] = self._defaults(cells) or None
        self._left_out(cells)
        if not sku:
            return {ROW_PROBLEM: (None, _no_sku(data))}
        return data

    def _fields(self, cell: Cell, data: dict[str, Any]) -> None:
        """The columns of the catalog's own fields: texts, dates, measures and lists."""
        for name, target in _FIELDS.items():
            value = cell(name)
            if value is not None:
                if name in ("name", "description"):
                    value = _text(value, multiline=name == "description")
                data[target] = value or None
        for name, target in _DATES.items():
            value = cell(name)
            if value is not None:
                data[target] = _date(value)
        for name, target in self.measures:
            data[target] = cell(name) or None
        for name, target in _LISTS.items():
            value = cell(name)
            if value is not None:
                items = _split(value)
                data[target] = items if target == "images" else [_text(item) for item in items]
        for name, target in _LINKS.items():
            value = cell(name)
            if value is not None:
                data[target] = [self._linked(item, name) for item in _split(value)]
                data[target] = [sku for sku in data[target] if sku]

    def _linked(self, item: str, column: str) -> str:
        """An upsell's or cross-sell's SKU; ``id:ID`` is the file's row of that id (one without
        a SKU, or not yet read, is left out and noted)."""
        if not item.startswith("id:"):
            return item
        sku = self.skus_by_id.get(item[3:].strip(), "")
        if not sku:
            self.notes.left_out[f"{_HEADERS[column]} named by id (no SKU)"] = None
        return sku

    def _status(self, cell: Cell, data: dict[str, Any], variation: bool) -> None:
        published = cell("published")
        if published:
            status = _PUBLISHED.get(published, published)
            # WooCommerce's importer: a variation is enabled (publish) or disabled (private)
            data["status"] = (
                ("private" if status == "private" else "publish") if variation else status
            )

    def _stock(self, cell: Cell, data: dict[str, Any], product_type: str | None) -> None:
        in_stock = cell("in stock?")
        if in_stock is not None and product_type != "variable":  # a variable one's is a summary
            data["stock_status"] = _IN_STOCK.get(in_stock.lower(), in_stock) or None
        backorders = cell("backorders allowed?")
        if backorders is not None:
            data["backorders"] = _BACKORDERS.get(backorders.lower(), backorders) or None
        stock = cell("stock")
        if stock is None or stock.lower() == "parent":  # a variation counted on its parent
            return
        # WooCommerce's importer: a quantity means the stock is managed, none that it is not
        data["manage_stock"] = bool(stock)
        data["stock_quantity"] = stock or None

    def _extras(self, cell: Cell, data: dict[str, Any], variation: bool) -> None:
        for name, (target, kind, on_variation) in _EXTRA.items():
            value = cell(name)
            if value is None or (variation and not on_variation):
                continue
            if variation and target == "tax_class" and value == "parent":
                value = ""  # the default: the parent's tax class
            data["custom:" + target] = _extra(value, kind)
            if value:
                self.notes.custom_fields[target] = None
        for column in self.columns.values():
            if column.name.startswith("meta:"):
                key = column.header.split(":", 1)[1].strip()
                if key:
                    data["custom:" + key] = cell(column.name) or None
                    if data["custom:" + key] is not None:
                        self.notes.custom_fields[key] = None

    def _attributes(self, cells: list[str], variation: bool) -> dict[str, Any]:
        """A product's attributes, or a variation's options."""
        found: dict[str, Any] = {}
        for group in self.attributes.values():
            name = _text(cells[group["name"]].strip()) if "name" in group else ""
            if not name:
                continue
            raw = _unescaped(cells[group["value(s)"]]) if "value(s)" in group else ""
            values = [_text(value) for value in _split(raw)]
            if "global" in group and cells[group["global"]].strip() == "1":
                self.notes.global_attributes[name] = None
            if values:
                found[name] = values[0] if len(values) == 1 else values
            elif variation:  # named without a value: any option of the parent's
                found[name] = ANY
        return found

    def _defaults(self, cells: list[str]) -> dict[str, str]:
        """A variable product's default options (``Attribute N default``: an option's name)."""
        found: dict[str, str] = {}
        for group in self.attributes.values():
            name = _text(cells[group["name"]].strip()) if "name" in group else ""
            option = (
                _text(_unescaped(cells[group["default"]]).strip()) if "default" in group else ""
            )
            if name and option:
                found[name] = option
        return found

    def _left_out(self, cells: list[str]) -> None:
        """Columns the catalog cannot hold, noted when a row holds something in them."""
        for name, defaults in _LEFT_OUT.items():
            column = self.columns.get(name)
            if column is not None and cells[column.index].strip() not in defaults:
                self.notes.left_out[column.header] = None
        for column in self.unknown:  # downloads, columns a plugin added
            if cells[column.index].strip():
                self.notes.left_out[column.header] = None


def _no_sku(data: dict[str, Any]) -> str:
    """Why a row without a SKU cannot load (WooCommerce lets a product or variation have none)."""
    if data.get("type") == "variation":
        options = ", ".join(f"{k} {v}" for k, v in (data.get("attributes") or {}).items())
        what = f"a variation of {data.get('parent_sku')!r}" + (f" ({options})" if options else "")
    else:
        what = f"{data.get('name')!r}" if data.get("name") else "this product"
    return (
        f"sku: {what} has no SKU in the store it was exported from, and the catalog knows "
        "products by SKU: give it one (in the store, then export again, or in this file)"
    )


def _unescaped(cell: str) -> str:
    """A cell as written before WooCommerce's formula escape (``'=x`` is ``=x``)."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in _ESCAPED_START else cell


def _split(cell: str) -> list[str]:
    """A list cell's values: comma separated, ``\\,`` a comma inside a value (WooCommerce's
    importer's ``explode_values``)."""
    if not cell.strip():
        return []
    parts = cell.replace("\\,", "\0").split(",")
    return [part.replace("\0", ",").strip() for part in parts if part.strip()]


def _text(value: str, *, multiline: bool = False) -> str:
    """A name or a description as the store holds it: HTML entities decoded; in a description
    ``\\n`` is a line break and ``\\\\n`` a backslash and an n (WooCommerce's importer)."""
    if multiline:
        value = "\\n".join(part.replace("\\n", "\n") for part in value.split("\\\\n"))
    return html.unescape(value)


_EXPORTED_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def _date(value: str) -> str | None:
    """``2026-12-01 0:00:00`` (the exporter's) as ISO 8601, ``2026-12-01T00:00:00``."""
    if not value:
        return None
    found = _EXPORTED_DATE.match(value)
    if found is None:
        return value  # checked (and refused) as any date is
    day, hour, minute, second = found.groups()
    if hour is None:
        return day
    return f"{day}T{int(hour):02d}:{minute}:{second or '00'}"


def _extra(value: str, kind: str) -> Any:
    if not value:
        return None
    if kind == "bool":
        return _BOOLEANS.get(value.lower(), value)
    if kind == "html":
        return _text(value, multiline=True)
    return value
