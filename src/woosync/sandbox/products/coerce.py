"""Lenient coercion of request values, as WooCommerce stores them.

Batch items skip schema validation (as WooCommerce does), so every writer goes through these
instead of trusting JSON types: a list where a string belongs becomes "", ``"3.0"`` becomes 3.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any


def to_str(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def to_int(value: Any, default: int = 0) -> int:
    if isinstance(value, bool):
        return int(value)
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return default


def clean(value: Any) -> str:
    """``wc_clean``: tags stripped, whitespace trimmed."""
    return re.sub(r"<[^>]*>", "", to_str(value)).strip()


def decimal_text(value: Any) -> str:
    """``wc_format_decimal`` for prices, weights and dimensions (strings stay strings)."""
    return clean(value)


def stored_date(value: Any) -> str | None:
    """An ISO 8601 date as stored (UTC, seconds), or None."""
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def to_decimal(value: str) -> Decimal | None:
    """A stored price as a number (None when empty or not a number), for sorting and sales."""
    try:
        return Decimal(value) if value != "" else None
    except InvalidOperation:
        return None
