"""Ids are SQLite integers: a number past that range is a typing mistake, never a record."""

from __future__ import annotations

SQLITE_MAX_INTEGER = 2**63 - 1  # the largest id (and number) SQLite stores


def id_from_text(text: str) -> int | None:
    """``"101"`` -> 101; None unless ``text`` is ASCII digits for a number from 1 to the largest id."""
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > len(str(SQLITE_MAX_INTEGER)):
        return None
    number = int(text)
    return number if 1 <= number <= SQLITE_MAX_INTEGER else None
