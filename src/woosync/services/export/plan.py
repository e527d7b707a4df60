"""The planning rules of export: the value to send for each target of a product (or the clearing
value under ``--allow-empty``) and which keys changed since the last export. The targets, values in
local terms and fingerprints are shared with the import (:mod:`woosync.services.sync.targets`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from woosync.core.fields import DIMENSION_PARTS
from woosync.services.sync.targets import (
    ATTRIBUTE_KINDS,
    BOOL_FIELDS,
    CATEGORIES,
    DIMENSIONS,
    IMAGES,
    INT_FIELDS,
    TAGS,
    Target,
    fingerprints,
    local_value,
)


def empty_value(target: Target) -> Any:
    """What ``--allow-empty`` sends to clear a field in the store."""
    if target.kind in (IMAGES, CATEGORIES, TAGS) or target.kind in ATTRIBUTE_KINDS:
        return []
    if target.kind == DIMENSIONS:
        return {part: "" for part in DIMENSION_PARTS}
    if target.woo in BOOL_FIELDS:
        return False
    if target.woo in INT_FIELDS:
        return None
    return ""


def desired_values(
    targets: Sequence[Target],
    value_of: Callable[[str], Any],
    allow_empty: Iterable[str] = (),
) -> dict[str, Any]:
    """Key -> value to send for one product. Empty values are left out (they never wipe the store)
    unless their field is in ``allow_empty``, in which case the clearing value is used."""
    allowed = set(allow_empty)
    values: dict[str, Any] = {}
    for target in targets:
        value = local_value(target, value_of(target.field))
        if value is None and (target.field in allowed or target.woo in allowed):
            value = empty_value(target)
        if value is not None:
            values[target.key] = value
    return values


def changed_keys(
    targets: Sequence[Target], values: Mapping[str, Any], previous: Mapping[str, str]
) -> list[str]:
    """Keys whose value differs from the fingerprint recorded at the last export (in target order)."""
    current = fingerprints(targets, values)
    return [t.key for t in targets if t.key in current and previous.get(t.key) != current[t.key]]
