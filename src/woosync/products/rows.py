"""Numbered rows of a product file checked into field dicts; every error names its row.

The file readers (``woosync.files.product_files``) make :class:`SourceRow` values: a row number
as the user counts them (a CSV's header is row 1) and the raw keys and values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from woosync.core.errors import ValidationError
from woosync.products.decimal_comma import (
    has_decimal_comma,
    read_decimal_commas,
    suggest_decimal_comma,
)
from woosync.products.record import ProductRecord, describe_errors

NOT_AN_OBJECT = "__not_an_object__"  # a row that is not an object: {NOT_AN_OBJECT: the value}
TOO_MANY_CELLS = "__too_many_cells__"  # a CSV row with more cells than the header


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One product as read from a file: its row number there and its raw keys and values."""

    row: int
    data: dict[str, Any]
    duplicate: str | None = None  # "key 'price' appears twice" when a key is given twice


@dataclass(frozen=True, slots=True)
class ValidRow:
    row: int
    sku: str
    fields: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RowError:
    """A row that cannot be loaded: its number, its SKU when usable, and why."""

    row: int
    sku: str | None
    message: str


def validate_rows(
    rows: list[SourceRow], *, decimal_comma: bool = False
) -> tuple[list[ValidRow], list[RowError]]:
    """Check every row against :class:`ProductRecord`; a SKU given twice is an error on the later row.

    ``decimal_comma`` reads ``12,50`` as ``12.50`` (:func:`read_decimal_commas`); without it a
    price written so is an error that suggests the option.
    """
    valid: list[ValidRow] = []
    errors: list[RowError] = []
    seen: dict[str, tuple[str, int]] = {}  # SKU without regard to case -> (SKU, row)
    for source in rows:
        if decimal_comma and NOT_AN_OBJECT not in source.data:
            data, problem = read_decimal_commas(source.data)
            if problem is not None:
                errors.append(RowError(source.row, raw_sku(source.data), problem))
                continue
            source = SourceRow(source.row, data, source.duplicate)
        sku = raw_sku(source.data)
        if NOT_AN_OBJECT in source.data:
            errors.append(RowError(source.row, None, "a product must be an object of field: value"))
            continue
        if TOO_MANY_CELLS in source.data:
            errors.append(RowError(source.row, None, "more cells than columns in the header"))
            continue
        if sku is not None:
            first = seen.setdefault(sku.casefold(), (sku, source.row))
            if first[1] != source.row:  # even when the first row is invalid: one SKU, one row
                errors.append(RowError(source.row, sku, same_sku_message(sku, *first)))
                continue
        if source.duplicate is not None:
            errors.append(RowError(source.row, sku, source.duplicate))
            continue
        try:
            record = ProductRecord.model_validate(source.data)
            fields = record.to_fields()
        except PydanticValidationError as exc:
            message = describe_errors(exc)
            if not decimal_comma and has_decimal_comma(source.data):
                message = suggest_decimal_comma(message)
            errors.append(RowError(source.row, sku, message))
            continue
        except ValidationError as exc:
            errors.append(RowError(source.row, sku, exc.message))
            continue
        valid.append(ValidRow(source.row, record.sku, fields))
    return valid, errors


def same_sku_message(sku: str, first_sku: str, first_row: int) -> str:
    """Why a row's SKU clashes with the SKU of an earlier row (WooCommerce ignores case)."""
    if sku == first_sku:
        return f"SKU {sku!r} is also on row {first_row}"
    return (
        f"SKU {sku!r} differs only in case from {first_sku!r} on row {first_row} "
        "(WooCommerce treats them as one SKU)"
    )


def raw_sku(data: Mapping[str, Any]) -> str | None:
    """The row's SKU as it will be stored, when it is usable at all (for messages and duplicates)."""
    value = data.get("sku")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        return None
    sku = value.strip()
    # a SKU with a control character is refused; its message shows it escaped, never raw
    return sku if sku.isprintable() else repr(sku)[1:-1]
