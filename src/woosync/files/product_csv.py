"""Product CSV files as spreadsheets and WooCommerce's own CSV exporter write them: read
(:func:`iter_csv`) and written (:func:`catalog_rows`, what ``products list --format csv`` prints),
so that a catalog goes out to a spreadsheet and loads back unchanged.

A text that starts with ``=``, ``+``, ``-`` or ``@`` is written with a ``'`` in front, as
WooCommerce's exporter does, so that a spreadsheet shows it instead of running it as a formula;
reading drops that ``'`` again (a file WooCommerce exported reads the same way)."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from woosync.core.errors import ValidationError
from woosync.core.fields import (
    ATTRIBUTE_PREFIX,
    CUSTOM_PREFIX,
    LIST_FIELDS,
    OBJECT_FIELDS,
    SCALAR_FIELDS,
)
from woosync.files.merge_conflicts import MARKER, merge_conflict_error
from woosync.files.woocommerce_csv import Notes, WooCommerceRows, is_woocommerce_header
from woosync.products.downloads import download_text
from woosync.products.rows import TOO_MANY_CELLS, SourceRow

LIST_SEPARATOR = "|"
# what a spreadsheet would take for the start of a formula (WooCommerce's exporter escapes them)
FORMULA_START = ("=", "+", "-", "@")
# parent_sku: a variation row's parent (type variation), as WooCommerce's exporter lays them out
CSV_COLUMNS: tuple[str, ...] = (*SCALAR_FIELDS, *LIST_FIELDS, *OBJECT_FIELDS, "parent_sku")
DEFAULTS = "default_attributes"  # a variable product's default options: Size=M|Color=Red
DOWNLOADS = "downloads"  # a downloadable product's files: Manual=https://...|https://...
# WooCommerce's own CSV exporter's headers for these columns, read as the standard names.
CSV_ALIASES: dict[str, str] = {
    "stock": "stock_quantity",
    "low stock amount": "low_stock_amount",
    "backorders allowed?": "backorders",
    "date sale price starts": "date_on_sale_from",
    "date sale price ends": "date_on_sale_to",
    "parent": "parent_sku",
}


def parse_csv(text: str, source: str, notes: Notes | None = None) -> list[SourceRow]:
    """The rows of a CSV text (see :func:`iter_csv`)."""
    return list(iter_csv(io.StringIO(text, newline=""), source, size=len(text), notes=notes))


def iter_csv(
    lines: Iterable[str], source: str, *, size: int, notes: Notes | None = None
) -> Iterator[SourceRow]:
    """Rows of a CSV file as a spreadsheet saves it, one at a time: comma, semicolon or tab
    separated (told by the header line), with or without a byte order mark, any case of the
    standard column names. ``lines`` is the file opened with ``newline=""``; ``size`` bounds a
    cell (the file's length). A file WooCommerce's own exporter wrote is read in its layout
    (:mod:`woosync.files.woocommerce_csv`), and what it brought beyond the catalog's fields is
    told in ``notes``."""
    lines = iter(lines)
    header_line = next(lines, "")
    header_line = header_line.removeprefix("\ufeff")  # a BOM left by Excel (stdin: not decoded)
    delimiter = _delimiter(header_line.split("\n", 1)[0])
    # strict: a stray or unclosed quote is an error, not a cell that swallows the rows below it
    reader = csv.reader(itertools.chain([header_line], lines), delimiter=delimiter, strict=True)
    # the csv module refuses cells over 128 KiB by default; a long HTML description is one
    csv.field_size_limit(max(csv.field_size_limit(), size))
    records = _csv_records(reader, source)
    header = next(records, None)
    if header is None:
        return
    if is_woocommerce_header(header):
        woocommerce = WooCommerceRows(header, source, Notes() if notes is None else notes)
        yield from woocommerce.rows(records)
        return
    columns = [_csv_column(column) for column in header]
    for column in columns:
        if column in CSV_COLUMNS or (
            column.startswith((ATTRIBUTE_PREFIX, CUSTOM_PREFIX)) and column.split(":", 1)[1].strip()
        ):
            continue
        raise ValidationError(
            f"{source}: unknown column {column!r}",
            hint="use the standard fields, attribute:NAME or custom:NAME; a file from "
            "WooCommerce's own exporter is read with its headers in English",
        )
    if len(set(columns)) != len(columns):
        raise ValidationError(f"{source}: a column appears twice in the header")
    for number, cells in enumerate(records, start=2):  # spreadsheet numbering: header is row 1
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(columns):
            yield SourceRow(number, {TOO_MANY_CELLS: len(cells)})
            continue
        yield SourceRow(number, _csv_row(columns, cells))


def _delimiter(header: str) -> str:
    """The separator that splits the header into the most columns (a comma inside a quoted
    header, as in WooCommerce's "GTIN, UPC, EAN, or ISBN", does not make a semicolon file one
    of commas); a comma when none splits it."""
    counts = {d: len(next(csv.reader([header], delimiter=d), [])) for d in (",", ";", "\t")}
    best = max(counts.values())
    return next(d for d, n in counts.items() if n == best) if best > 1 else ","


def _csv_records(reader: Any, source: str) -> Iterator[list[str]]:
    """The reader's records; a CSV error names the line where the bad record starts, and so does
    a merge conflict left in the file (its rows would load as products: one side or both)."""
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problem = str(exc)
            if "unexpected end of data" in problem:
                problem += " (a quote opened on this line is never closed)"
            raise ValidationError(f"{source}:{start}: not valid CSV: {problem}") from None
        if cells and cells[0].startswith(MARKER):
            raise merge_conflict_error(source, start)
        yield cells


def _csv_column(header: str) -> str:
    """A header cell as a column name: ``SKU`` is ``sku``, ``Attribute:COLOR`` is ``attribute:COLOR``."""
    name = header.strip()
    lower = name.lower()
    if lower in CSV_COLUMNS:
        return lower
    if lower in CSV_ALIASES:
        return CSV_ALIASES[lower]
    for prefix in (ATTRIBUTE_PREFIX, CUSTOM_PREFIX):
        if lower.startswith(prefix):
            return prefix + name[len(prefix) :]
    return name


def _csv_row(columns: list[str], cells: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for column, cell in zip(columns, cells, strict=False):
        if column in LIST_FIELDS or column.startswith((ATTRIBUTE_PREFIX, CUSTOM_PREFIX)):
            parts = [
                _unescaped(part.strip()) for part in cell.split(LIST_SEPARATOR) if part.strip()
            ]
            if column in LIST_FIELDS:
                data[column] = parts
            else:
                data[column] = parts[0] if len(parts) == 1 else (parts or None)
        else:
            data[column] = _unescaped(cell)
    return data


def _unescaped(cell: str) -> str:
    """A cell as written before a spreadsheet's formula escape (``'=x`` is ``=x``)."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in FORMULA_START else cell


# columns written only when a product holds something in them
_SOMETIMES = ("brands", "upsells", "cross_sells", "grouped_products", DEFAULTS, DOWNLOADS)
# the columns written, in WooCommerce's exporter's order (then attribute:NAME and custom:NAME)
WRITTEN_COLUMNS: tuple[str, ...] = (
    "sku", "name", "type", "parent_sku", "status", "description", "price", "sale_price",
    "date_on_sale_from", "date_on_sale_to", "weight", "length", "width", "height",
    "stock_status", "manage_stock", "stock_quantity", "backorders", "low_stock_amount",
    "categories", "tags", "images",
)  # fmt: skip


def catalog_rows(products: Sequence[Mapping[str, Any]]) -> Iterator[list[str]]:
    """Products as ``products list --json`` shapes them (a variable product's ``variations``
    nested in it) as CSV records in the layout :func:`iter_csv` reads: a header, then each
    product with its variations after it (``type`` variation and ``parent_sku``); lists joined
    by ``|``, an attribute of a variable product its options (``S|M|L``) and of a variation its
    one option. ValidationError (naming the product) for a value CSV cannot hold: a list item
    with a ``|`` in it, or a custom field that is an object."""
    rows = [row for product in products for row in (product, *(product.get("variations") or ()))]
    attributes = list(dict.fromkeys(n for row in rows for n in row.get("attributes") or {}))
    custom = list(dict.fromkeys(n for row in rows for n in row.get("customFields") or {}))
    # brands, default options, upsells and cross-sells only when a product has some
    extra = [name for name in _SOMETIMES if any(row.get(name) for row in rows)]
    written = (*WRITTEN_COLUMNS, *extra)
    yield [
        *written,
        *(ATTRIBUTE_PREFIX + name for name in attributes),
        *(CUSTOM_PREFIX + name for name in custom),
    ]
    for row in rows:
        sku = str(row.get("sku"))
        values = {**row, **(row.get("dimensions") or {})}
        if values.get(DEFAULTS):
            values[DEFAULTS] = [
                f"{_pair_part(sku, name)}={option}" for name, option in values[DEFAULTS].items()
            ]
        if values.get(DOWNLOADS):  # by file: a load finds their ids again (products/downloads)
            values[DOWNLOADS] = [download_text(download) for download in values[DOWNLOADS]]
        held = row.get("attributes") or {}
        fields = row.get("customFields") or {}
        yield [
            *(_cell(sku, column, values.get(column)) for column in written),
            *(_listed(sku, ATTRIBUTE_PREFIX + name, held.get(name)) for name in attributes),
            *(_listed(sku, CUSTOM_PREFIX + name, fields.get(name)) for name in custom),
        ]


def _pair_part(sku: str, name: str) -> str:
    """An attribute's name in a ``Size=M`` pair (one with ``=`` cannot be written so)."""
    if "=" in name:
        raise ValidationError(
            f"product {sku!r}: {DEFAULTS} names the attribute {name!r}, and = separates an "
            "attribute from its option in a CSV cell",
            hint="list the products with --format json or yaml instead",
        )
    return name


def _listed(sku: str, column: str, value: Any) -> str:
    """A cell the reader splits at ``|`` (a list field, an attribute, a custom field)."""
    return _cell(sku, column, value if isinstance(value, list | tuple) else [value])


def _cell(sku: str, column: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        items = [_item(sku, column, item) for item in value if item is not None]
        return LIST_SEPARATOR.join(items)
    if isinstance(value, Mapping):
        raise ValidationError(
            f"product {sku!r}: {column} is an object, which a CSV cell cannot hold",
            hint="list the products with --format json or yaml instead",
        )
    text = str(value)
    return "'" + text if isinstance(value, str) and text.startswith(FORMULA_START) else text


def _item(sku: str, column: str, item: Any) -> str:
    text = _cell(sku, column, item)
    if LIST_SEPARATOR in text:
        raise ValidationError(
            f"product {sku!r}: {column} holds {text!r}, and | separates values in a CSV cell",
            hint="list the products with --format json or yaml instead",
        )
    return text
