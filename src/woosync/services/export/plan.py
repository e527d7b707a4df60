"""The planning rules of export: the value to send for each target of a product (or the clearing
value under ``--allow-empty``) and which keys changed since the last export. The targets, values in
local terms and fingerprints are shared with the import (:mod:`woosync.services.sync.targets`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from woosync.core.field_checks import TARGET_CHECKS
from woosync.core.fields import (
    ATTRIBUTE_PREFIX,
    CUSTOM_PREFIX,
    DIMENSION_PARTS,
    LIST_FIELDS,
    SCALAR_FIELDS,
)
from woosync.services.sync.targets import (
    ATTRIBUTE_KINDS,
    BOOL_FIELDS,
    BRANDS,
    CATEGORIES,
    DEFAULTS,
    DIMENSIONS,
    DOWNLOADS,
    IMAGE_URL,
    IMAGES,
    INT_FIELDS,
    LINKS,
    META,
    SCALAR,
    TAGS,
    Target,
    ValueRefused,
    checked_names,
    fingerprints,
    local_value,
    names_of,
)


def empty_value(target: Target) -> Any:
    """What ``--allow-empty`` sends to clear a field in the store."""
    if (
        target.kind in (IMAGES, CATEGORIES, TAGS, BRANDS, LINKS, DOWNLOADS)
        or target.kind in ATTRIBUTE_KINDS
    ):
        return []
    if target.kind == DIMENSIONS:
        return {part: "" for part in DIMENSION_PARTS}
    if target.kind == DEFAULTS:
        return {}  # no default options: an empty list
    if target.kind == META:
        return ""  # the key stays, empty (a null value would delete it: nothing to fingerprint)
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


class ValuesOf:
    """:func:`desired_values` of one run's rows (``select.field_readers``' names as attributes),
    each target's read and check chosen once for the run rather than once per product: a plain
    column of text, a list column of text, or a product attribute's option list goes the short
    way; anything else reads through ``readers`` and :func:`local_value` as before. The values are
    :func:`desired_values`' for the same row (``tests/test_export_plan.py`` compares them)."""

    def __init__(
        self,
        targets: Sequence[Target],
        readers: Mapping[str, Callable[[Any], Any]],
        allow_empty: Iterable[str] = (),
    ) -> None:
        allowed = set(allow_empty)
        self._steps = [
            (
                target.key,
                _value_reader(target, readers[target.field]),
                target if target.field in allowed or target.woo in allowed else None,
            )
            for target in targets
        ]

    def __call__(self, row: Any) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for key, value_of, clearing in self._steps:
            value = value_of(row)
            if value is None:
                if clearing is None:
                    continue
                value = empty_value(clearing)  # None for a number: nothing to send either
                if value is None:
                    continue
            values[key] = value
        return values


def _value_reader(target: Target, reader: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``row -> local_value(target, reader(row))``, the common cases the short way."""
    field = target.field

    def generic(row: Any) -> Any:
        return local_value(target, reader(row))

    if target.kind == SCALAR and field in SCALAR_FIELDS:
        check = TARGET_CHECKS[target.woo]

        def scalar(row: Any) -> Any:
            raw = getattr(row, field)
            if type(raw) is not str:
                return local_value(target, raw)
            if not raw.strip():
                return None
            try:
                return check(raw)
            except ValueError as exc:
                raise ValueRefused(target, raw, str(exc)) from None

        return scalar
    if target.kind == IMAGES and field in LIST_FIELDS:

        def images(row: Any) -> Any:
            raw = getattr(row, field)
            if type(raw) is not list or not all(type(src) is str for src in raw):
                return generic(row)
            srcs = [src.strip() for src in raw]
            for src in srcs:
                if src and not IMAGE_URL.match(src):
                    raise ValueRefused(target, list(raw), f"{src!r} is not an http(s) URL")
            return [src for src in srcs if src] or None

        return images
    if target.kind in (CATEGORIES, TAGS, BRANDS) and field in LIST_FIELDS:

        def names(row: Any) -> Any:
            raw = getattr(row, field)
            if type(raw) is not list:
                return generic(row)
            return checked_names(target, names_of(raw)) or None  # a new list: raw is kept

        return names
    if target.kind in ATTRIBUTE_KINDS and field not in SCALAR_FIELDS and field not in LIST_FIELDS:
        stored = _stored_attribute(field)
        if stored is not None:

            def options(row: Any) -> Any:
                raw = stored(row)
                if type(raw) is not list:
                    return generic(row)
                return checked_names(target, names_of(raw)) or None  # a new list: raw is kept

            return options
    return generic


def _stored_attribute(name: str) -> Callable[[Any], Any] | None:
    """``row -> the stored value`` of a product attribute or custom field, found as
    ``catalog.reading.field_value`` finds it, uncopied (the caller never changes it); ``None``
    for the names field_value reads otherwise (dimensions)."""
    if name == "dimensions" or name in DIMENSION_PARTS:
        return None
    if name.startswith(ATTRIBUTE_PREFIX):
        own = name[len(ATTRIBUTE_PREFIX) :]
        return lambda row: (row.attributes or {}).get(own)
    if name.startswith(CUSTOM_PREFIX):
        own = name[len(CUSTOM_PREFIX) :]
        return lambda row: (row.custom_fields or {}).get(own)

    def either(row: Any) -> Any:
        attributes = row.attributes or {}
        if name in attributes:
            return attributes[name]
        return (row.custom_fields or {}).get(name)

    return either


def changed_keys(
    targets: Sequence[Target], values: Mapping[str, Any], previous: Mapping[str, str]
) -> list[str]:
    """Keys whose value differs from the fingerprint recorded at the last export (in target order)."""
    current = fingerprints(targets, values)
    return [t.key for t in targets if t.key in current and previous.get(t.key) != current[t.key]]
