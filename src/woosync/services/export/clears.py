"""The fields an export clears in a store: those the catalog held in step with it and has since
emptied (:mod:`woosync.services.sync.clears` keeps which). An empty value the catalog never held
with that store is still never sent (``--allow-empty`` sends it on purpose)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from woosync.core.fields import CHOICE, WOO_FIELD_TYPES
from woosync.services.export.plan import empty_value
from woosync.services.sync import clears
from woosync.services.sync import targets as sync_targets

# the scalar fields an empty value cannot clear: yes/no fields and choices
_NOT_CLEARED = (
    frozenset(name for name, kind in WOO_FIELD_TYPES.items() if kind.kind == CHOICE)
    | sync_targets.BOOL_FIELDS
)


def cleared(
    targets: Sequence[sync_targets.Target], values: Mapping[str, Any], base: Mapping[str, str]
) -> dict[str, Any]:
    """Key -> the value that clears it, for each target the catalog emptied since it held it
    with this store. A yes/no field has no empty value (``False`` is one), nor has a number
    (WooCommerce would make it 0), nor a choice (a status, a stock status: WooCommerce refuses
    an empty one): they are left alone."""
    missing = [t for t in targets if t.key not in values and t.key in base]
    if not missing:  # the common case: every value there (the mark is not even read)
        return {}
    keys = clears.held(base)
    found: dict[str, Any] = {}
    for target in missing:
        key = target.key
        if key not in keys:
            continue
        if target.kind == sync_targets.SCALAR and target.woo in _NOT_CLEARED:
            continue
        value = empty_value(target)
        if value is not None:
            found[key] = value
    return found
