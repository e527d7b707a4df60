"""``--fields`` checked as strictly as a mapping file: a name that is no field is an error.

A field is a standard field (``core.fields.STANDARD_FIELDS``), a dimension part, an explicit
``attribute:X`` or ``custom:X``, or the name of an attribute or custom field some product of the
catalog has. Anything else (``prise``) would silently send nothing: it is refused, with the names
that would do and the closest one.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import text

from woosync.core.errors import ValidationError, param
from woosync.core.fields import DIMENSION_PARTS, STANDARD_FIELDS

if TYPE_CHECKING:
    from woosync.db.engine import Database

EXPLICIT = ("attribute:", "custom:")

# whether some product of the catalog has an attribute or custom field of this name (SQLite's
# json_each; it stops at the first product that has one, rather than reading the whole catalog)
_CATALOG_HAS = text(
    "SELECT EXISTS (SELECT 1 FROM products, json_each(products.attributes) AS a"
    " WHERE a.key = :name) OR EXISTS (SELECT 1 FROM products,"
    " json_each(products.custom_fields) AS c WHERE c.key = :name)"
)


def catalog_field_names(db: Database, names: Sequence[str]) -> set[str]:
    """Which of ``names`` are an attribute or custom field of some product of the catalog."""
    if not names:
        return set()
    with db.session() as session:
        return {
            name
            for name in dict.fromkeys(names)
            if session.execute(_CATALOG_HAS, {"name": name}).scalar()
        }


def check_field_names(db: Database, names: Sequence[str], option: str = "fields") -> None:
    """Raise a ValidationError naming the first name of ``names`` that is no field."""
    standard = [*STANDARD_FIELDS, *DIMENSION_PARTS]
    others = [
        name
        for name in names
        if name not in standard and not (name.startswith(EXPLICIT) and name.split(":", 1)[1])
    ]
    if not others:
        return
    known = catalog_field_names(db, others)
    unknown = [name for name in others if name not in known]
    if not unknown:
        return
    name = unknown[0]
    close = difflib.get_close_matches(name, standard, n=1)
    guess = f" (did you mean {close[0]}?)" if close else ""
    raise ValidationError(
        f'{param(option)}: "{name}" is not a field{guess}',
        hint=f"use {', '.join(standard)}, an attribute or custom field of your products, "
        "or attribute:NAME / custom:NAME (woosync fields lists them)",
    )
