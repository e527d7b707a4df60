"""Checking a value for the WooCommerce field it goes to (``core.fields.WOO_FIELD_TYPES``):
money and measures as plain decimals, integers, booleans, choices, dates, URLs and text, each
check chosen once per field (an export runs them per product and field)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from woosync.core.fields import (
    BOOLEAN,
    CHOICE,
    DATE,
    HTML,
    INTEGER,
    MEASURE,
    MONEY,
    URL,
    WOO_FIELD_TYPES,
    FieldType,
)
from woosync.core.text import control_character_problem, from_decimal_comma, without_bare_point

# checking a value for its target ----------------------------------------------------------------
_PLAIN_DECIMAL = re.compile(r"^\d+(\.\d+)?$")
_WHOLE = re.compile(r"^[+-]?\d+(\.0*)?$")
_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)
_LARGEST_INTEGER = 2**63 - 1  # WooCommerce (PHP) integers are 64-bit
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def coerce_target_value(woo_field: str, value: Any) -> Any:
    """``value`` (text, a number or a boolean) as ``woo_field`` takes it; ValueError saying why not.

    Money and measures stay the string written (``"12.50"``), integers become ``int``, booleans
    ``bool``, choices lower case; dates and text are checked and kept.
    """
    return TARGET_CHECKS[woo_field](value)


def _checker(kind: FieldType) -> Callable[[Any], Any]:
    """The check of one kind of field, chosen once (an export runs it per product and field):
    text is trimmed and the common, valid case returns at once."""
    if kind.kind == BOOLEAN:
        return _boolean

    def text_of(value: Any) -> str:
        if isinstance(value, bool):
            raise ValueError(
                f"a true/false value cannot go to a field that takes {kind.describe()}"
            )
        return _plain(value)

    if kind.kind in (MONEY, MEASURE):

        def decimal(value: Any) -> Any:
            text = value.strip() if type(value) is str else text_of(value)
            return text if _PLAIN_DECIMAL.match(text) else _decimal(text)

        return decimal
    if kind.kind == INTEGER:
        return lambda value: _integer(
            value.strip() if type(value) is str else text_of(value), signed=kind.signed
        )
    if kind.kind == CHOICE:
        return lambda value: _choice(
            value.strip() if type(value) is str else text_of(value), kind.choices
        )
    if kind.kind == DATE:
        return lambda value: _date(value.strip() if type(value) is str else text_of(value))
    if kind.kind == URL:
        return lambda value: _url(value.strip() if type(value) is str else text_of(value))
    multiline = kind.kind == HTML

    def text(value: Any) -> Any:
        found = value.strip() if type(value) is str else text_of(value)
        return found if found.isprintable() else _text(found, multiline)

    return text


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = _plain(value).lower()
    if word in _TRUE or word in _FALSE:
        return word in _TRUE
    raise ValueError("not true or false (write true, false, yes, no, 1 or 0)")


def _choice(text: str, choices: tuple[str, ...]) -> str:
    word = text.lower()
    if word not in choices:
        raise ValueError(f"not one of {', '.join(choices)}")
    return word


def _url(text: str) -> str:
    if not _URL.match(text):
        raise ValueError("not an http(s) URL")
    return text


def _text(text: str, multiline: bool) -> str:
    if text.isprintable():  # the common case: no control character, no line break
        return text
    problem = control_character_problem(text, multiline=multiline)
    if problem is not None:
        raise ValueError(problem)
    return text


def _plain(value: Any) -> str:
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f") if value == value else "nan"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value).strip()


def _decimal(text: str) -> str:
    if _PLAIN_DECIMAL.match(text):
        return text
    pointed = without_bare_point(text)
    if pointed is not None:
        return pointed
    if text.startswith("-") and _PLAIN_DECIMAL.match(text[1:]):
        raise ValueError("must not be negative")
    fixed = from_decimal_comma(text)
    if fixed is not None and not fixed.startswith("-"):
        raise ValueError(f"not a plain decimal (write {fixed.lstrip('+')})")
    raise ValueError("not a plain decimal like 12.50")


def _integer(text: str, *, signed: bool) -> int:
    if not _WHOLE.match(text):
        raise ValueError("not a whole number")
    try:
        number = int(Decimal(text))
    except (InvalidOperation, ValueError):
        raise ValueError("not a whole number") from None
    if number < 0 and not signed:
        raise ValueError("must not be negative")
    if abs(number) > _LARGEST_INTEGER:
        raise ValueError("too large")
    return number


def _date(text: str) -> str:
    try:
        if len(text) == 10:
            date.fromisoformat(text)
        else:
            datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        raise ValueError("not an ISO 8601 date (write 2026-12-24 or 2026-12-24T10:00:00)") from None
    if len(text) < 10 or text[4] != "-":
        raise ValueError("not an ISO 8601 date (write 2026-12-24 or 2026-12-24T10:00:00)")
    return text


# WooCommerce field -> its check (what coerce_target_value runs)
TARGET_CHECKS: dict[str, Callable[[Any], Any]] = {
    name: _checker(kind) for name, kind in WOO_FIELD_TYPES.items()
}
