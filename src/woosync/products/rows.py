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
from woosync.products.record import ProductRecord, VariationRecord, describe_errors
from woosync.products.variations import VARIATION

NOT_AN_OBJECT = "__not_an_object__"  # a row that is not an object: {NOT_AN_OBJECT: the value}
TOO_MANY_CELLS = "__too_many_cells__"  # a CSV row with more cells than the header
ROW_PROBLEM = "__row_problem__"  # a row its reader found wrong: {ROW_PROBLEM: (sku, message)}


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One product as read from a file: its row number there and its raw keys and values."""

    row: int
    data: dict[str, Any]
    duplicate: str | None = None  # "key 'price' appears twice" when a key is given twice


@dataclass(frozen=True, slots=True)
class ValidRow:
    """A checked row: its normalised field dict, and for a variation its parent's SKU (when the
    row names it) and its place in the parent's ``variations`` (when nested there)."""

    row: int
    sku: str
    fields: dict[str, Any]
    parent_sku: str | None = None
    variation: int | None = None

    def label(self, message: str) -> str:
        """``message`` saying which variation of the row it is about, when nested."""
        if self.variation is None:
            return message
        return f"variation {self.variation} ({self.sku}): {message}"


@dataclass(frozen=True, slots=True)
class RowError:
    """A row that cannot be loaded: its number, its SKU when usable, and why."""

    row: int
    sku: str | None
    message: str


def validate_rows(
    rows: list[SourceRow], *, decimal_comma: bool = False
) -> tuple[list[ValidRow], list[RowError]]:
    """Check every row against :class:`ProductRecord` (a variation row, ``type: variation`` with
    ``parent_sku``, against :class:`VariationRecord`; a variable product's nested ``variations``
    one by one); a SKU given twice (a variation's too) is an error on the later row.

    ``decimal_comma`` reads ``12,50`` as ``12.50`` (:func:`read_decimal_commas`); without it a
    price written so is an error that suggests the option.
    """
    check = RowChecker(decimal_comma)
    for source in rows:
        check.row(source)
    return check.valid, check.errors


class SkuRegister:
    """The SKUs met so far in a file, without regard to case, and where each was first met.

    Kept compact for files of hundreds of thousands of rows: the case-folded SKU maps to one
    integer (row, variation, and whether the SKU was written as its folded or upper-case form),
    so only a SKU in mixed case keeps its spelling beside it.
    """

    def __init__(self) -> None:
        self._seen: dict[str, int | tuple[str, int]] = {}

    def __contains__(self, sku: str) -> bool:
        return sku.casefold() in self._seen

    def claim(self, sku: str, row: int, variation: int = 0) -> tuple[str, str] | None:
        """None when ``sku`` is met for the first time (or again at the same place); else the
        first SKU as written and where it is (``row 3`` / ``row 3, variation 2``)."""
        folded = sku.casefold()
        place = (row << 20 | variation) << 1
        first = self._seen.get(folded)
        if first is None:
            if sku == folded:
                self._seen[folded] = place
            elif sku == folded.upper():
                self._seen[folded] = place | 1
            else:
                self._seen[folded] = (sku, place)
            return None
        if isinstance(first, tuple):
            spelled, code = first
        else:
            spelled, code = (folded.upper() if first & 1 else folded), first
        if code >> 1 == place >> 1:
            return None
        first_row, first_variation = code >> 21, (code >> 1) & 0xFFFFF
        where = f"row {first_row}" + (f", variation {first_variation}" if first_variation else "")
        return spelled, where


class RowChecker:
    """Checks rows one at a time (a file of any length: only the SKUs are remembered); the
    checked rows gather in ``valid`` and ``errors`` until the caller takes them."""

    def __init__(self, decimal_comma: bool = False) -> None:
        self.decimal_comma = decimal_comma
        self.valid: list[ValidRow] = []
        self.errors: list[RowError] = []
        self.skus = SkuRegister()

    def take(self) -> list[ValidRow]:
        """The valid rows checked since the last call."""
        taken, self.valid = self.valid, []
        return taken

    def row(self, source: SourceRow) -> None:
        if NOT_AN_OBJECT in source.data:
            self.errors.append(
                RowError(source.row, None, "a product must be an object of field: value")
            )
            return
        if TOO_MANY_CELLS in source.data:
            self.errors.append(RowError(source.row, None, "more cells than columns in the header"))
            return
        if ROW_PROBLEM in source.data:
            self.errors.append(RowError(source.row, *source.data[ROW_PROBLEM]))
            return
        data = self._numbers(source.row, source.data, "")
        if data is None:
            return
        sku = raw_sku(data)
        if not self._first(source.row, sku, 0, ""):
            return
        if source.duplicate is not None:
            self.errors.append(RowError(source.row, sku, source.duplicate))
            return
        if is_variation_row(data):
            checked = self._record(source.row, sku, VariationRecord, data, "")
            if checked is not None:
                variation, fields = checked
                assert isinstance(variation, VariationRecord)
                self.valid.append(ValidRow(source.row, variation.sku, fields, variation.parent_sku))
            return
        checked = self._record(source.row, sku, ProductRecord, data, "")
        if checked is not None:
            record, fields = checked
            assert isinstance(record, ProductRecord)
            self.valid.append(ValidRow(source.row, record.sku, fields))
            for number, item in enumerate(record.variations or [], start=1):
                self._variation(source.row, record.sku, number, item)

    def _variation(self, row: int, parent_sku: str, number: int, item: Any) -> None:
        where = f"variation {number}"
        if not isinstance(item, dict):
            self.errors.append(RowError(row, None, f"{where}: must be an object of field: value"))
            return
        sku = raw_sku(item)
        prefix = f"{where} ({sku}): " if sku else f"{where}: "
        data = self._numbers(row, item, prefix)
        if data is None or not self._first(row, sku, number, prefix):
            return
        checked = self._record(row, sku, VariationRecord, data, prefix)
        if checked is None:
            return
        record, fields = checked
        assert isinstance(record, VariationRecord)
        if record.parent_sku is not None and record.parent_sku.casefold() != parent_sku.casefold():
            message = f"parent_sku: {record.parent_sku!r} is not this product's SKU {parent_sku!r}"
            self.errors.append(RowError(row, sku, prefix + message))
            return
        self.valid.append(ValidRow(row, record.sku, fields, parent_sku, number))

    def _numbers(self, row: int, data: dict[str, Any], prefix: str) -> dict[str, Any] | None:
        if not self.decimal_comma:
            return data
        read, problem = read_decimal_commas(data)
        if problem is not None:
            self.errors.append(RowError(row, raw_sku(data), prefix + problem))
            return None
        return read

    def _first(self, row: int, sku: str | None, variation: int, prefix: str) -> bool:
        """Whether this is the first time the SKU is met (else the error is recorded)."""
        if sku is None:
            return True
        first = self.skus.claim(sku, row, variation)
        if first is None:  # even when the first row is invalid: one SKU, one row
            return True
        self.errors.append(RowError(row, sku, prefix + same_sku_message(sku, *first)))
        return False

    def _record(
        self,
        row: int,
        sku: str | None,
        model: type[ProductRecord] | type[VariationRecord],
        data: dict[str, Any],
        prefix: str,
    ) -> tuple[ProductRecord | VariationRecord, dict[str, Any]] | None:
        """The record and its field dict, else None (the error is recorded)."""
        try:
            record = model.model_validate(data)
            fields = record.to_fields()  # extra keys are checked here
        except PydanticValidationError as exc:
            message = describe_errors(exc)
            if not self.decimal_comma and has_decimal_comma(data):
                message = suggest_decimal_comma(message)
            self.errors.append(RowError(row, sku, prefix + message))
            return None
        except ValidationError as exc:
            self.errors.append(RowError(row, sku, prefix + exc.message))
            return None
        return record, fields


def is_variation_row(data: Mapping[str, Any]) -> bool:
    """A row of its own for a variation: ``type: variation`` or a ``parent_sku``."""
    kind = data.get("type")
    parent = data.get("parent_sku")
    return (isinstance(kind, str) and kind.strip().lower() == VARIATION) or bool(
        isinstance(parent, str | int) and str(parent).strip()
    )


def same_sku_message(sku: str, first_sku: str, first_row: int | str) -> str:
    """Why a row's SKU clashes with the SKU of an earlier row (WooCommerce ignores case);
    ``first_row`` is its number or where it is (``row 3, variation 2``)."""
    where = first_row if isinstance(first_row, str) else f"row {first_row}"
    if sku == first_sku:
        return f"SKU {sku!r} is also on {where}"
    return (
        f"SKU {sku!r} differs only in case from {first_sku!r} on {where} "
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
