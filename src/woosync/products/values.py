"""One value of a product field checked and put in its normal form.

Each function raises ``ValueError`` with a message that does not name the field (the caller
does). Values are kept as text: prices, weights and dimensions become canonical decimal strings
(``12.5`` from JSON stays ``"12.5"``, ``"12.50"`` in a CSV stays ``"12.50"``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from woosync.core.field_checks import TARGET_CHECKS
from woosync.core.text import control_character_problem, from_decimal_comma, without_bare_point

_PLAIN_NUMBER = re.compile(r"^\d+(\.\d+)?$")
_URL = re.compile(r"^https?://[^\s/]+\S*$", re.IGNORECASE)


def normalize_text(value: Any, *, multiline: bool = False) -> str | None:
    """Text, trimmed; empty is ``None``. Integers are accepted (a JSON SKU ``123``), floats not.

    Control characters (a NUL, an escape) are refused; so are tabs and line breaks unless
    ``multiline`` (descriptions, custom fields).
    """
    if type(value) is str:  # the common case first
        return clean_text(value.strip(), multiline) or None
    if value is None:
        return None
    if isinstance(value, bool | float):
        raise ValueError(f"{value!r} must be text (quote it)")
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str):
        raise ValueError(f"must be text, not {kind_of(value)}")
    return clean_text(value.strip(), multiline) or None


def normalize_multiline_text(value: Any) -> str | None:
    """:func:`normalize_text` that keeps tabs and line breaks."""
    return normalize_text(value, multiline=True)


def clean_text(text: str, multiline: bool) -> str:
    """``text`` unless it holds a control character (or a line break, unless ``multiline``)."""
    if text.isprintable():  # the common case: no control character, no line break
        return text
    problem = control_character_problem(text, multiline=multiline)
    if problem is not None:
        raise ValueError(f"{text!r} {problem}")
    return text


def normalize_number(value: Any) -> str | None:
    """A non-negative decimal as a string: ``12`` -> ``"12"``, ``12.5`` -> ``"12.5"``, ``"12.50"`` kept."""
    if value is None:
        return None
    if type(value) is str:  # the common case: skip the checks for other types
        return _number_text(value)
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"{value} must not be negative")
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not a number")
        if value < 0:
            raise ValueError(f"{value!r} must not be negative")
        text = format(Decimal(repr(value)), "f")
        return text[:-2] if text.endswith(".0") else text
    if not isinstance(value, str):
        raise ValueError(f"must be a number, not {kind_of(value)}")
    return _number_text(value)


def _number_text(value: str) -> str | None:
    text = value.strip()
    if not text:
        return None
    if not _PLAIN_NUMBER.match(text):
        pointed = without_bare_point(text)
        if pointed is not None:
            return pointed
        fixed = from_decimal_comma(text)
        if fixed is not None and not fixed.startswith("-"):
            raise ValueError(f"{text!r} is not a number like 12.50 (write {fixed.lstrip('+')})")
        raise ValueError(f"{text!r} is not a number like 12.50")
    return text


def normalize_sku(value: Any) -> str:
    """A SKU is required text; ``0123`` stays ``"0123"``. One WooCommerce would store as another
    SKU (``sanitize_text_field``) is refused: the store could never be matched with it."""
    text = normalize_text(value)
    if text is None:
        raise ValueError("is required")
    problem = _altered_sku(text)
    if problem is not None:
        raise ValueError(f"{text!r} {problem}")
    return text


_PERCENT_OCTET = re.compile(r"%[0-9a-fA-F]{2}")
_SPACE_RUN = re.compile(r"[\r\n\t ]{2,}")  # what sanitize_text_field collapses


def _altered_sku(text: str) -> str | None:
    """Why WooCommerce would save the SKU ``text`` as another one (None: it keeps it)."""
    if "<" in text:
        return (
            "contains '<': WooCommerce strips tags from a SKU (and writes a lone '<' as "
            "'&lt;'); use another character"
        )
    found = _PERCENT_OCTET.search(text)
    if found is not None:
        return (
            f"contains {found.group()!r}: WooCommerce removes percent-encoded characters from a "
            "SKU; use another character"
        )
    if _SPACE_RUN.search(text):
        return "has a run of spaces: WooCommerce keeps one space of each run in a SKU; write one"
    return None


def normalize_choice(value: Any, choices: tuple[str, ...]) -> str | None:
    text = normalize_text(value)
    if text is None:
        return None
    if text.lower() not in choices:
        raise ValueError(f"{text!r} is not one of {', '.join(choices)}")
    return text.lower()


def normalize_list(value: Any, *, urls: bool = False, fold: bool = False) -> list[str]:
    """A list of distinct, trimmed strings (a single string is a one-item list); ``None`` is ``[]``.
    ``fold``: distinct without regard to case, the first spelling kept (tag names and SKUs, which
    WooCommerce tells apart without regard to case: ``Red`` and ``red`` are one tag there)."""
    if value is None:
        return []
    items = [value] if isinstance(value, str | int) and not isinstance(value, bool) else value
    if not isinstance(items, list | tuple):
        raise ValueError(f"must be a list of text, not {kind_of(value)}")
    found: list[str] = []
    seen: set[str] = set()
    for item in items:
        text = normalize_text(item)
        if text is None:
            continue
        key = text.casefold() if fold else text
        if key in seen:
            continue
        if urls and not _URL.match(text):
            raise ValueError(f"{text!r} is not an http(s) URL")
        seen.add(key)
        found.append(text)
    return found


def normalize_attribute_value(value: Any) -> str | list[str] | None:
    """An attribute is one string (``"10x20"``) or a list of strings (``["Red", "Blue"]``)."""
    if isinstance(value, list | tuple):
        items = normalize_list(list(value))
        return items or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return normalize_number(value) if value >= 0 else str(value)
    return normalize_text(value)


DEFAULT_OPTIONS_EXAMPLE = "{Size: M, Color: Red}"


def normalize_default_options(value: Any) -> dict[str, str] | None:
    """A variable product's default options, ``{attribute: option}``; a text (a CSV cell) writes
    them ``Size=M|Color=Red``. Empty is ``None``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        pairs: dict[str, Any] = {}
        for part in value.split("|"):
            name, equals, option = part.partition("=")
            if not equals and part.strip():
                raise ValueError(
                    f"{part.strip()!r} is not ATTRIBUTE=OPTION (write them Size=M|Color=Red)"
                )
            if equals:
                pairs[name] = option
        value = pairs
    if not isinstance(value, Mapping):
        raise ValueError(
            f"must be an object of attribute: option, e.g. {DEFAULT_OPTIONS_EXAMPLE}, "
            f"not {kind_of(value)}"
        )
    found: dict[str, str] = {}
    for name, option in value.items():
        key = normalize_text(name)
        if key is None:
            raise ValueError("an attribute name is empty")
        if isinstance(option, list | tuple | dict):
            raise ValueError(f"{key}: a default is one option, not {kind_of(option)}")
        text = normalize_attribute_value(option)
        if text == "*":
            raise ValueError(f"{key}: a default is one of the attribute's options, not any (*)")
        if isinstance(text, str):
            found[key] = text
    return found or None


def normalize_custom_value(value: Any) -> str | bool | list[str] | None:
    """A custom field is text, a boolean or a list of text; numbers become canonical strings."""
    if isinstance(value, bool):
        return value
    if isinstance(value, dict):
        raise ValueError("must be text, a number, true/false or a list, not an object")
    if type(value) is str:  # a custom field may hold a note of several lines
        return normalize_multiline_text(value)
    return normalize_attribute_value(value)


def normalize_typed(name: str, value: Any) -> Any:
    """A stock field or sale date as WooCommerce takes it (``"5"`` -> ``5``, ``"yes"`` -> ``True``);
    empty is ``None``. CSV's ``1``/``0`` for backorders (WooCommerce's exporter) read as yes/no."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, list | dict):
        raise ValueError(f"must be a single value, not {kind_of(value)}")
    if name == "backorders" and isinstance(value, str) and value.strip() in ("0", "1"):
        value = "yes" if value.strip() == "1" else "no"
    try:
        return TARGET_CHECKS[name](value)
    except ValueError as exc:
        reason = str(exc)
        if reason.startswith(("not ", "too ")):
            reason = f"{value!r} is {reason}"
        elif reason.startswith("must "):
            reason = f"{value!r} {reason}"
        raise ValueError(reason) from None


def kind_of(value: Any) -> str:
    """``an object``, ``a list`` or the type's name, for messages."""
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__
