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
as custom fields named by their key; a downloadable product's files (``Download N ID``,
``... name``, ``... URL``) come in with their ids. What the catalog cannot hold (columns a
plugin added) is left out
and :class:`Notes` says so, naming the columns that held anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from woosync.core.errors import ValidationError
from woosync.files.woocommerce_columns import (
    ATTRIBUTE,
    BACKORDERS,
    DATES,
    DOWNLOAD,
    EXTRA,
    FIELDS,
    FLAGS,
    HEADERS,
    IN_STOCK,
    LEFT_OUT,
    LINKS,
    LISTS,
    MARKS,
    MEASURES,
    PUBLISHED,
    TYPES,
    USED,
    cell_date,
    cell_extra,
    cell_list,
    cell_text,
    unescaped,
)
from woosync.products.rows import ROW_PROBLEM, TOO_MANY_CELLS, SourceRow
from woosync.products.variations import ANY

Cell = Callable[[str], "str | None"]  # a row's cell by column name (None: no such column)


def is_woocommerce_header(header: list[str]) -> bool:
    """Whether a CSV header is the one WooCommerce's product exporter writes."""
    names = {cell.strip().lower() for cell in header}
    return bool(names & MARKS) or any(name.startswith("meta:") for name in names)


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
        self.downloads: dict[int, dict[str, int]] = {}  # "Download N ID/name/URL" by N
        self.skus_by_id: dict[str, str] = {}
        self.unknown: list[_Column] = []
        self.measures: list[tuple[str, str]] = []  # (column, field): "weight (kg)", "weight"
        for index, cell in enumerate(header):
            column = _Column(index, cell.strip(), cell.strip().lower())
            if column.name in self.columns:
                raise ValidationError(f"{source}: column {column.header!r} appears twice")
            self.columns[column.name] = column
            found = ATTRIBUTE.match(column.name)
            measure = MEASURES.match(column.name)
            if measure:
                self.measures.append((column.name, measure[1]))
            download = DOWNLOAD.match(column.name)
            if found:
                self.attributes.setdefault(int(found[1]), {})[found[2]] = index
            elif download:
                self.downloads.setdefault(int(download[1]), {})[download[2]] = index
            elif not self._known(column.name):
                self.unknown.append(column)
        if "sku" not in self.columns:
            raise ValidationError(f"{source}: no SKU column (WooCommerce's exporter writes one)")

    @staticmethod
    def _known(name: str) -> bool:
        return (
            name in FIELDS
            or name in DATES
            or name in EXTRA
            or name in USED
            or name in LISTS
            or name in LINKS
            or name in LEFT_OUT
            or name == "parent"
            or bool(MEASURES.match(name))
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
            return None if column is None else unescaped(cells[column.index]).strip()

        kinds = [part.strip().lower() for part in (cell("type") or "").split(",")]
        product_type = next((kind for kind in kinds if kind in TYPES), None)
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
            for flag in FLAGS:
                data["custom:" + flag] = flag in kinds
                self.notes.custom_fields[flag] = None
        self._extras(cell, data, variation)
        if self.attributes:
            data["attributes"] = self._attributes(cells, variation)
            if not variation:
                data["default_attributes"] = self._defaults(cells) or None
        if self.downloads:
            data["downloads"] = self._downloads(cells) or None
        self._left_out(cells)
        if not sku:
            return {ROW_PROBLEM: (None, _no_sku(data))}
        return data

    def _fields(self, cell: Cell, data: dict[str, Any]) -> None:
        """The columns of the catalog's own fields: texts, dates, measures and lists."""
        for name, target in FIELDS.items():
            value = cell(name)
            if value is not None:
                if name in ("name", "description"):
                    value = cell_text(value, multiline=name == "description")
                data[target] = value or None
        for name, target in DATES.items():
            value = cell(name)
            if value is not None:
                data[target] = cell_date(value)
        for name, target in self.measures:
            data[target] = cell(name) or None
        for name, target in LISTS.items():
            value = cell(name)
            if value is not None:
                items = cell_list(value)
                data[target] = items if target == "images" else [cell_text(item) for item in items]
        for name, target in LINKS.items():
            value = cell(name)
            if value is not None:
                data[target] = [self._linked(item, name) for item in cell_list(value)]
                data[target] = [sku for sku in data[target] if sku]

    def _linked(self, item: str, column: str) -> str:
        """An upsell's or cross-sell's SKU; ``id:ID`` is the file's row of that id (one without
        a SKU, or not yet read, is left out and noted)."""
        if not item.startswith("id:"):
            return item
        sku = self.skus_by_id.get(item[3:].strip(), "")
        if not sku:
            self.notes.left_out[f"{HEADERS[column]} named by id (no SKU)"] = None
        return sku

    def _status(self, cell: Cell, data: dict[str, Any], variation: bool) -> None:
        published = cell("published")
        if published:
            status = PUBLISHED.get(published, published)
            # WooCommerce's importer: a variation is enabled (publish) or disabled (private)
            data["status"] = (
                ("private" if status == "private" else "publish") if variation else status
            )

    def _stock(self, cell: Cell, data: dict[str, Any], product_type: str | None) -> None:
        in_stock = cell("in stock?")
        if in_stock is not None and product_type != "variable":  # a variable one's is a summary
            data["stock_status"] = IN_STOCK.get(in_stock.lower(), in_stock) or None
        backorders = cell("backorders allowed?")
        if backorders is not None:
            data["backorders"] = BACKORDERS.get(backorders.lower(), backorders) or None
        stock = cell("stock")
        if stock is None or stock.lower() == "parent":  # a variation counted on its parent
            return
        # WooCommerce's importer: a quantity means the stock is managed, none that it is not
        data["manage_stock"] = bool(stock)
        data["stock_quantity"] = stock or None

    def _extras(self, cell: Cell, data: dict[str, Any], variation: bool) -> None:
        for name, (target, kind, on_variation) in EXTRA.items():
            value = cell(name)
            if value is None or (variation and not on_variation):
                continue
            if variation and target == "tax_class" and value == "parent":
                value = ""  # the default: the parent's tax class
            data["custom:" + target] = cell_extra(value, kind)
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
            name = cell_text(cells[group["name"]].strip()) if "name" in group else ""
            if not name:
                continue
            raw = unescaped(cells[group["value(s)"]]) if "value(s)" in group else ""
            values = [cell_text(value) for value in cell_list(raw)]
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
            name = cell_text(cells[group["name"]].strip()) if "name" in group else ""
            option = (
                cell_text(unescaped(cells[group["default"]]).strip()) if "default" in group else ""
            )
            if name and option:
                found[name] = option
        return found

    def _downloads(self, cells: list[str]) -> list[dict[str, str]]:
        """A downloadable product's files, with the ids the exporting store gave them (its
        customers' download links point at them: the catalog keeps them for every store)."""
        found = []
        for _number, group in sorted(self.downloads.items()):
            part = {key: unescaped(cells[index]).strip() for key, index in group.items()}
            if part.get("url"):
                download = {"file": part["url"], "name": cell_text(part.get("name", ""))}
                found.append({**download, "id": part["id"]} if part.get("id") else download)
        return found

    def _left_out(self, cells: list[str]) -> None:
        """Columns the catalog cannot hold, noted when a row holds something in them."""
        for name, defaults in LEFT_OUT.items():
            column = self.columns.get(name)
            if column is not None and cells[column.index].strip() not in defaults:
                self.notes.left_out[column.header] = None
        for column in self.unknown:  # columns a plugin added
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
