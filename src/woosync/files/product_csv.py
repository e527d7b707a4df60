"""Product CSV files as spreadsheets and WooCommerce's own CSV exporter write them."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Iterator
from typing import Any

from woosync.core.errors import ValidationError
from woosync.core.fields import ATTRIBUTE_PREFIX, CUSTOM_PREFIX, LIST_FIELDS, SCALAR_FIELDS
from woosync.products.rows import TOO_MANY_CELLS, SourceRow

LIST_SEPARATOR = "|"
# parent_sku: a variation row's parent (type variation), as WooCommerce's exporter lays them out
CSV_COLUMNS: tuple[str, ...] = (*SCALAR_FIELDS, *LIST_FIELDS, "parent_sku")
# WooCommerce's own CSV exporter's headers for these columns, read as the standard names.
CSV_ALIASES: dict[str, str] = {
    "stock": "stock_quantity",
    "low stock amount": "low_stock_amount",
    "backorders allowed?": "backorders",
    "date sale price starts": "date_on_sale_from",
    "date sale price ends": "date_on_sale_to",
    "parent": "parent_sku",
}


def parse_csv(text: str, source: str) -> list[SourceRow]:
    """The rows of a CSV text (see :func:`iter_csv`)."""
    return list(iter_csv(io.StringIO(text, newline=""), source, size=len(text)))


def iter_csv(lines: Iterable[str], source: str, *, size: int) -> Iterator[SourceRow]:
    """Rows of a CSV file as a spreadsheet saves it, one at a time: comma, semicolon or tab
    separated (told by the header line), with or without a byte order mark, any case of the
    standard column names. ``lines`` is the file opened with ``newline=""``; ``size`` bounds a
    cell (the file's length)."""
    lines = iter(lines)
    header_line = next(lines, "")
    header_line = header_line.removeprefix("\ufeff")  # a BOM left by Excel (stdin: not decoded)
    delimiter = next((d for d in (",", ";", "\t") if d in header_line.split("\n", 1)[0]), ",")
    # strict: a stray or unclosed quote is an error, not a cell that swallows the rows below it
    reader = csv.reader(itertools.chain([header_line], lines), delimiter=delimiter, strict=True)
    # the csv module refuses cells over 128 KiB by default; a long HTML description is one
    csv.field_size_limit(max(csv.field_size_limit(), size))
    records = _csv_records(reader, source)
    header = next(records, None)
    if header is None:
        return
    columns = [_csv_column(column) for column in header]
    for column in columns:
        if column in CSV_COLUMNS or (
            column.startswith((ATTRIBUTE_PREFIX, CUSTOM_PREFIX)) and column.split(":", 1)[1].strip()
        ):
            continue
        raise ValidationError(
            f"{source}: unknown column {column!r}",
            hint="use the standard fields, attribute:NAME or custom:NAME",
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


def _csv_records(reader: Any, source: str) -> Iterator[list[str]]:
    """The reader's records; a CSV error names the line where the bad record starts."""
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
            parts = [part.strip() for part in cell.split(LIST_SEPARATOR) if part.strip()]
            if column in LIST_FIELDS:
                data[column] = parts
            else:
                data[column] = parts[0] if len(parts) == 1 else (parts or None)
        else:
            data[column] = cell
    return data
