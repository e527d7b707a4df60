"""The field vocabulary a mapping may use, as data (``woosync fields``).

Everything comes from ``core.fields``: the local standard fields and where each goes by default,
and the WooCommerce targets with their types. Nothing here is a second list that could drift.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from woosync.core.errors import ValidationError, param
from woosync.core.fields import (
    DIMENSION_PARTS,
    REQUIRED_FIELDS,
    STANDARD_FIELDS,
    WOO_FIELD_TYPES,
    is_global_attribute,
)
from woosync.core.meta_keys import (
    META_KEY_HINT,
    is_meta_target,
    meta_key,
    meta_target_problem,
)

ATTRIBUTE = "attribute"  # the type shown for a pa_ slug
META = "meta"  # the type shown for a meta:KEY target

ATTRIBUTE_NOTE = (
    "pa_<slug> (e.g. pa_color) sends a value to the store's global attribute with that slug "
    "(created when missing, its terms too)."
)
CUSTOM_FIELD_NOTE = (
    "Any other local name (an attribute such as COLOR or a custom field such as wholesalePrice) "
    "goes to the target its fieldMappings entry names, or, unmapped, becomes a product attribute "
    "of that name. meta:KEY (e.g. meta:_wholesale_price) sends it to the product's (or "
    "variation's) meta data under KEY, as text or a list; keys WooCommerce keeps its own fields "
    "under (_sku, _price, _stock ...) are refused."
)


@dataclass(frozen=True)
class LocalField:
    """A standard field of the local catalog and where it goes when a mapping does not say."""

    name: str
    default_target: str
    type: str  # the kind of value of its default target: money, text, choice, ...
    required: bool
    note: str


@dataclass(frozen=True)
class WooField:
    """A WooCommerce product field (or global attribute slug) a mapping may target."""

    name: str
    type: str  # money, measure, text, choice, ...
    description: str  # what values it takes, said to a person
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldList:
    local_fields: list[LocalField]
    woo_fields: list[WooField]


def _local_fields() -> list[LocalField]:
    found: list[LocalField] = []
    for name, target in STANDARD_FIELDS.items():
        required = name in REQUIRED_FIELDS
        note = "required in every export mapping" if required else ""
        if name == "dimensions":
            note = "cannot be selected with length, width or height"
        found.append(LocalField(name, target, WOO_FIELD_TYPES[target].kind, required, note))
    for part in DIMENSION_PARTS:
        found.append(
            LocalField(part, part, WOO_FIELD_TYPES[part].kind, False, "one part of dimensions")
        )
    return found


def _woo_field(name: str) -> WooField:
    kind = WOO_FIELD_TYPES[name]
    return WooField(name, kind.kind, kind.describe(), kind.choices)


def list_fields(target: str | None = None) -> FieldList:
    """The local standard fields and the WooCommerce targets; with ``target``, only that target
    (a WooCommerce field, a ``pa_`` slug or ``meta:KEY``) and the standard fields that go there by default.

    An unknown ``target`` is a :class:`ValidationError` listing the valid names.
    """
    local = _local_fields()
    if target is None:
        return FieldList(local, [_woo_field(name) for name in WOO_FIELD_TYPES])
    name = target.strip()
    if name in WOO_FIELD_TYPES:
        woo = _woo_field(name)
    elif is_global_attribute(name):
        woo = WooField(name, ATTRIBUTE, "the global attribute with this slug: one or more terms")
    elif is_meta_target(name):
        problem = meta_target_problem(name)
        if problem is not None:
            raise ValidationError(f'"{target}" {problem}', hint=META_KEY_HINT)
        woo = WooField(
            name,
            META,
            f"the meta data key {meta_key(name)!r} of the product or variation: text, or a list",
        )
    elif name in STANDARD_FIELDS:
        raise ValidationError(
            f'"{name}" is a local field, not a WooCommerce field',
            hint=f"it goes to {STANDARD_FIELDS[name]} by default: woosync fields "
            f"{param('target')} {STANDARD_FIELDS[name]}",
        )
    else:
        close = difflib.get_close_matches(name, list(WOO_FIELD_TYPES), n=1)
        guess = f" (did you mean {close[0]}?)" if close else ""
        raise ValidationError(
            f'"{target}" is not a WooCommerce field a mapping may target{guess}',
            hint="use one of " + ", ".join(WOO_FIELD_TYPES) + ", pa_<slug> or meta:KEY",
        )
    return FieldList([field for field in local if field.default_target == name], [woo])
