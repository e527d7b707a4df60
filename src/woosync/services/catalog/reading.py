"""Reading one field of a product by its selectable name (what export and import compare)."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from woosync.core.fields import (
    ATTRIBUTE_PREFIX,
    CUSTOM_PREFIX,
    DIMENSION_PARTS,
    LIST_FIELDS,
    OBJECT_FIELDS,
    SCALAR_FIELDS,
)
from woosync.db.models import Product

if TYPE_CHECKING:
    from woosync.services.catalog.stored import StoredProduct


def field_value(product: Product | StoredProduct, name: str) -> Any:
    """The value of a selectable field: standard field, attribute, then custom field; else None.

    ``dimensions`` is ``{"length", "width", "height"}`` or None when all three are empty;
    ``categories`` / ``tags`` / ``images`` are lists (empty when there are none). ``attribute:X``
    and ``custom:X`` name one kind explicitly. Values are copies: changing them changes nothing.
    """
    if name in SCALAR_FIELDS:
        return getattr(product, name)
    if name in LIST_FIELDS:
        return list(getattr(product, name) or [])
    if name in OBJECT_FIELDS:
        return copy.deepcopy(getattr(product, name)) or None
    if name == "dimensions":
        parts = {part: getattr(product, part) for part in DIMENSION_PARTS}
        return parts if any(value not in (None, "") for value in parts.values()) else None
    attributes = product.attributes or {}
    custom = product.custom_fields or {}
    if name.startswith(ATTRIBUTE_PREFIX):
        return _copy(attributes.get(name[len(ATTRIBUTE_PREFIX) :]))
    if name.startswith(CUSTOM_PREFIX):
        return _copy(custom.get(name[len(CUSTOM_PREFIX) :]))
    if name in attributes:
        return _copy(attributes[name])
    return _copy(custom.get(name))


def _copy(value: Any) -> Any:
    """A copy of a stored value; an attribute's option list (plain text) without ``deepcopy``."""
    if type(value) is list and all(type(item) is str for item in value):
        return list(value)
    return copy.deepcopy(value)


def field_label(product: Product, name: str) -> str:
    """What ``name`` is for this product, as :func:`field_value` reads it: ``price``, ``attribute
    COLOR`` or ``custom field eurPrice``."""
    if name in (*SCALAR_FIELDS, *LIST_FIELDS, *OBJECT_FIELDS, "dimensions", *DIMENSION_PARTS):
        return name
    for prefix, kind in ((ATTRIBUTE_PREFIX, "attribute"), (CUSTOM_PREFIX, "custom field")):
        if name.startswith(prefix):
            return f"{kind} {name[len(prefix) :]}"
    return f"attribute {name}" if name in (product.attributes or {}) else f"custom field {name}"
