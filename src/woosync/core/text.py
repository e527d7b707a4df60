"""Checks on text every input path shares: control characters and numbers written with a decimal comma.

A NUL or an escape character in a SKU or a name is never meant: it comes from a broken export, a
binary file or a terminal paste, and it would reach every store and every listing. Multi-line fields
(descriptions) may hold tabs and line breaks; nothing else below U+0020 (nor DEL) is accepted.
"""

from __future__ import annotations

import re

# C0 controls and DEL; tab, line feed and carriage return are allowed where a field is multi-line
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# "12,50", "1.234,50", "1 234,50" (space, no-break space or narrow no-break space as the thousands
# separator, the same one throughout), with an optional sign
_DECIMAL_COMMA = re.compile(r"^([+-]?)(\d{1,3}(?:([. \u00a0\u202f])\d{3})(?:\3\d{3})*|\d+),(\d+)$")
# "1.234" or "1.234.567": a decimal point or a thousands separator? Only the writer knows.
_BARE_POINT = re.compile(r"^(?:\.\d+|\d+\.)$")
_DOT_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+$")


def control_character_problem(text: str, *, multiline: bool = False) -> str | None:
    """Why ``text`` cannot be stored (``contains the control character U+0000 ...``), or None."""
    found = (_CONTROL_MULTILINE if multiline else _CONTROL).search(text)
    if found is None:
        return None
    char = found.group()
    where = f"at position {found.start() + 1}"
    if char in "\t\r\n":
        return f"contains a line break or tab ({char!r}) {where}: it must be a single line"
    return f"contains the control character U+{ord(char):04X} {where}: remove it"


def check_line(text: str) -> str:
    """``text`` when it holds no control character; else ValueError (single-line fields)."""
    problem = control_character_problem(text)
    if problem is not None:
        raise ValueError(problem)
    return text


def without_bare_point(text: str) -> str | None:
    """``.5`` as ``0.5`` and ``5.`` as ``5``, else None. WooCommerce keeps such a number as
    written (its own sample catalog has ``.5`` weights, and a store answers them so)."""
    if not _BARE_POINT.match(text):
        return None
    return "0" + text if text.startswith(".") else text[:-1]


def from_decimal_comma(text: str) -> str | None:
    """``"12,50"`` -> ``"12.50"``, ``"1.234,50"`` -> ``"1234.50"``; None unless it looks like one."""
    found = _DECIMAL_COMMA.match(text.strip())
    if found is None:
        return None
    sign, whole, separator, fraction = found.groups()
    if separator:
        whole = whole.replace(separator, "")
    return f"{sign}{whole}.{fraction}"


def is_dot_grouped(text: str) -> bool:
    """``"1.234"``: ambiguous where a comma is the decimal mark (1234, or 1.234 written wrongly)."""
    return bool(_DOT_GROUPED.match(text.strip()))
