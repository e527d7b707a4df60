"""Decimal commas (``12,50``) in spreadsheets saved in a European locale, read as ``12.50``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from woosync.core.errors import param
from woosync.core.fields import CUSTOM_PREFIX, NUMBER_FIELDS
from woosync.core.text import from_decimal_comma, is_dot_grouped

DECIMAL_COMMA = param("decimal_comma")  # the option that reads them (the CLI's --decimal-comma)
_CUSTOM_KEYS = ("customFields", "custom_fields")
_WRITE_HINT = re.compile(r"\(write ([^)]*)\)")


def read_decimal_commas(data: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The row with ``"12,50"`` read as ``"12.50"`` (``"1.234,50"`` as ``"1234.50"``) in every money
    and measure column (``dimensions`` too) and in custom fields whose values look like such
    numbers; and a problem when a money or measure value is ambiguous (``"1.234"``).
    """
    found = dict(data)
    for key in NUMBER_FIELDS:
        value = found.get(key)
        if isinstance(value, str):
            if is_dot_grouped(value):
                return found, _ambiguous(key, value)
            found[key] = from_decimal_comma(value) or value
    dimensions = found.get("dimensions")
    if isinstance(dimensions, Mapping):
        parts = dict(dimensions)
        for part, value in parts.items():
            if isinstance(value, str):
                if is_dot_grouped(value):
                    return found, _ambiguous(f"dimensions.{part}", value)
                parts[part] = from_decimal_comma(value) or value
        found["dimensions"] = parts
    for key, value in found.items():
        if key.startswith(CUSTOM_PREFIX):
            found[key] = _custom_decimal_comma(value)
        elif key in _CUSTOM_KEYS and isinstance(value, Mapping):
            found[key] = {name: _custom_decimal_comma(item) for name, item in value.items()}
    return found, None


def _custom_decimal_comma(value: Any) -> Any:
    if isinstance(value, str):
        return from_decimal_comma(value) or value
    if isinstance(value, list):
        return [_custom_decimal_comma(item) for item in value]
    return value


def _ambiguous(key: str, value: str) -> str:
    return (
        f"{key}: {value.strip()!r} is ambiguous with {DECIMAL_COMMA} "
        "(write it without the dot, or with a decimal comma)"
    )


def has_decimal_comma(data: Mapping[str, Any]) -> bool:
    """A money or measure value written with a decimal comma (for the hint to use the option)."""
    values = [data.get(key) for key in NUMBER_FIELDS]
    dimensions = data.get("dimensions")
    if isinstance(dimensions, Mapping):
        values += list(dimensions.values())
    return any(isinstance(value, str) and from_decimal_comma(value) for value in values)


def suggest_decimal_comma(message: str) -> str:
    """``(write 12.50)`` in a message becomes ``(write 12.50, or load the file with <option>)``."""
    return _WRITE_HINT.sub(rf"(write \1, or load the file with {DECIMAL_COMMA})", message)
