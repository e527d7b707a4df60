"""What a field dict changes on a product, applied in memory (the callers flush or insert)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from woosync.core.errors import ValidationError
from woosync.core.fields import (
    ATTRIBUTE_PREFIX,
    CUSTOM_PREFIX,
    DIMENSION_PARTS,
    LIST_FIELDS,
    OBJECT_FIELDS,
    REQUIRED_FIELDS,
    SCALAR_FIELDS,
)
from woosync.core.timeutil import utcnow
from woosync.db.models import Product
from woosync.products.downloads import with_ids
from woosync.products.fields import merge_entries, normalize_fields
from woosync.services.catalog.views import FieldChange

if TYPE_CHECKING:
    from woosync.services.catalog.stored import StoredProduct


@dataclass(frozen=True, slots=True)
class FieldPlan:
    changes: list[FieldChange]
    columns: dict[str, Any]  # column name -> new value


DOWNLOADS = "downloads"


def plan_fields(product: Product | StoredProduct, fields: Mapping[str, Any]) -> FieldPlan:
    """What a normalised field dict would change; raises ValidationError for an emptied name/SKU."""
    columns: dict[str, Any] = {}
    changes: list[FieldChange] = []
    for name in REQUIRED_FIELDS:
        if name in fields and fields[name] is None:
            raise ValidationError(f"{name}: is required and cannot be empty")
    for name in (*SCALAR_FIELDS, *LIST_FIELDS, *OBJECT_FIELDS):
        if name in fields:
            old, new = getattr(product, name), fields[name]
            if name in LIST_FIELDS:
                old = list(old or [])
            elif name == DOWNLOADS:  # a file keeps its id (products/downloads)
                new = with_ids(new, old)
            if old != new:
                columns[name] = new
                changes.append(FieldChange(name, old, new))

    old_attributes = dict(product.attributes or {})
    old_custom = dict(product.custom_fields or {})
    attributes, custom = merge_entries(fields, old_attributes, old_custom)
    if attributes != old_attributes:
        columns["attributes"] = attributes
        changes += _entry_changes(old_attributes, attributes)
    if custom != old_custom:
        columns["custom_fields"] = custom
        changes += _entry_changes(old_custom, custom)
    return FieldPlan(changes, columns)


def since_last_load(
    product: Product | StoredProduct, fields: Mapping[str, Any], plan: FieldPlan
) -> tuple[FieldPlan, dict[str, Any] | None]:
    """``plan`` (what a file row would change of ``product``) without what something else wrote
    since the row was last loaded (an import's store edit, ``products edit``: their columns' values
    as loaded are the product's ``load_base``) and the file did not change since either; and the
    base the product keeps (the values as loaded now where it still differs). A column the file
    changed too takes the file's value; attributes and custom fields go entry by entry (a store's
    new size stays beside the file's new colour)."""
    base = product.load_base
    if not base:
        return plan, None
    as_loaded: Any = _AsLoaded(product, base)  # read by plan_fields as a product
    by_file = plan_fields(as_loaded, fields).columns  # what the file changed since its load
    columns = dict(plan.columns)
    kept: dict[str, Any] = {}
    for column, loaded in base.items():
        if column not in by_file:  # the file did not change it: the edit made since stays
            columns.pop(column, None)
            kept[column] = loaded
        elif column in _ENTRY_COLUMNS:
            current = dict(getattr(product, column) or {})
            merged = _entries_since(current, dict(loaded or {}), by_file[column])
            if merged != by_file[column]:
                kept[column] = by_file[column]  # as loaded now; some entries stay otherwise
            if merged == current:
                columns.pop(column, None)
            else:
                columns[column] = merged
    if columns == plan.columns:
        return plan, kept or None
    return FieldPlan(_changes_of(product, columns), columns), kept or None


_ENTRY_COLUMNS = frozenset({"attributes", "custom_fields"})


def _entries_since(
    current: dict[str, Any], loaded: dict[str, Any], filed: dict[str, Any]
) -> dict[str, Any]:
    """``current`` with the entries the file changed since it was ``loaded`` set as it now has
    them (``filed``; an entry it dropped removed)."""
    merged = dict(current)
    for name in dict.fromkeys([*loaded, *filed]):
        if filed.get(name) != loaded.get(name) or (name in filed) != (name in loaded):
            if name in filed:
                merged[name] = filed[name]
            else:
                merged.pop(name, None)
    return merged


class _AsLoaded:
    """A product's columns as the file last loaded them: the base's values where it has them."""

    def __init__(self, product: Product | StoredProduct, base: Mapping[str, Any]) -> None:
        self._product, self._base = product, base

    def __getattr__(self, name: str) -> Any:
        if name in self._base:
            value = self._base[name]
            return bool(value) if name == "manage_stock" and value is not None else value
        return getattr(self._product, name)


def _changes_of(product: Product | StoredProduct, columns: Mapping[str, Any]) -> list[FieldChange]:
    """The changes ``columns`` make to ``product``, as :func:`plan_fields` lists them."""
    changes: list[FieldChange] = []
    for name in (*SCALAR_FIELDS, *LIST_FIELDS, *OBJECT_FIELDS):
        if name in columns:
            old = getattr(product, name)
            changes.append(
                FieldChange(name, list(old or []) if name in LIST_FIELDS else old, columns[name])
            )
    for column in ("attributes", "custom_fields"):
        if column in columns:
            changes += _entry_changes(dict(getattr(product, column) or {}), columns[column])
    return changes


def _entry_changes(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    names = list(dict.fromkeys([*old, *new]))
    return [
        FieldChange(name, old.get(name), new.get(name))
        for name in names
        if old.get(name) != new.get(name)
    ]


def apply_plan(product: Product, plan: FieldPlan) -> None:
    """Set the planned columns; ``updated_at`` moves only when something changed."""
    if not plan.columns:
        return
    for column, value in plan.columns.items():
        setattr(product, column, copy.deepcopy(value))
    product.updated_at = utcnow()


def apply_product_fields(product: Product, fields: Mapping[str, Any]) -> list[str]:
    """Set standard fields, attributes and custom fields from a field dict; return what changed.

    Keys: the standard fields (``None`` clears one; ``[]`` empties a list), ``dimensions``
    (``{"length": ..}``) or its parts, ``attributes`` / ``custom_fields`` (replace the whole set),
    ``attribute:NAME`` / ``custom:NAME`` (set one; ``None`` removes it), or a bare name, which
    updates the attribute or custom field of that name, else becomes an attribute when the value
    is a list and a custom field otherwise. Values are validated and normalised (prices become
    canonical strings). ``updated_at`` moves only when something changed. Raises ValidationError.
    """
    plan = plan_fields(product, normalize_fields(fields))
    apply_plan(product, plan)
    return [change.field for change in plan.changes]


def new_product_row(fields: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The ``products`` columns of a new product from a normalised field dict, every column given
    (ValidationError when the name or SKU is missing). The values are the dict's own, not copies."""
    for name in REQUIRED_FIELDS:
        if not fields.get(name):
            raise ValidationError(f"{name}: is required for a new product")
    row: dict[str, Any] = {column: fields.get(column) for column in SCALAR_FIELDS}
    row.update({column: fields.get(column) or [] for column in LIST_FIELDS})
    row.update({column: fields.get(column) or None for column in OBJECT_FIELDS})
    row[DOWNLOADS] = with_ids(row[DOWNLOADS], None)
    attributes, custom = merge_entries(fields, {}, {})
    row.update(attributes=attributes, custom_fields=custom, created_at=now, updated_at=now)
    return row


def unset_entries(product: Product, name: str) -> dict[str, Any]:
    """The normalised field-dict entries that clear ``name`` (a field, attribute or custom field)."""
    if name in REQUIRED_FIELDS:
        raise ValidationError(f"{name} is required and cannot be unset")
    if name in SCALAR_FIELDS or name in OBJECT_FIELDS:
        return {name: None}
    if name in LIST_FIELDS:
        return {name: []}
    if name == "dimensions":
        return dict.fromkeys(DIMENSION_PARTS)
    if name == "attributes":
        return {"attributes": {}}
    if name in ("custom_fields", "customFields"):
        return {"custom_fields": {}}
    attributes = product.attributes or {}
    custom = product.custom_fields or {}
    for prefix, entries, kind in (
        (ATTRIBUTE_PREFIX, attributes, "attribute"),
        (CUSTOM_PREFIX, custom, "custom field"),
    ):
        if name.startswith(prefix):
            if name[len(prefix) :] not in entries:
                raise ValidationError(f"product {product.id} has no {kind} {name[len(prefix) :]!r}")
            return {name: None}
    if name in attributes:
        return {ATTRIBUTE_PREFIX + name: None}
    if name in custom:
        return {CUSTOM_PREFIX + name: None}
    raise ValidationError(f"product {product.id} has no field, attribute or custom field {name!r}")
