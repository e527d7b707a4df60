"""A *field dict* checked whole: what ``products add/edit``, file rows and imports all build.

Keys: the standard fields (``price``, ``length`` ...) with normalised values, ``attributes`` /
``custom_fields`` (replace the whole set), ``attribute:NAME`` / ``custom:NAME`` (set one entry;
``None`` removes it), or a bare name (an attribute or a custom field, see :func:`merge_entries`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from woosync.core.errors import ValidationError
from woosync.core.fields import (
    ATTRIBUTE_PREFIX,
    CHOICE_FIELDS,
    CUSTOM_PREFIX,
    DIMENSION_PARTS,
    LIST_FIELDS,
    MULTILINE_FIELDS,
    NUMBER_FIELDS,
    OBJECT_FIELDS,
    SCALAR_FIELDS,
    TEXT_FIELDS,
    TYPED_FIELDS,
)
from woosync.products.categories import canonical_category
from woosync.products.downloads import normalize_downloads
from woosync.products.values import (
    clean_text,
    kind_of,
    normalize_attribute_value,
    normalize_choice,
    normalize_custom_value,
    normalize_default_options,
    normalize_list,
    normalize_multiline_text,
    normalize_number,
    normalize_sku,
    normalize_text,
    normalize_typed,
)

# field-dict keys that are columns of their own, not attribute or custom field entries
COLUMN_KEYS = frozenset(
    (*SCALAR_FIELDS, *LIST_FIELDS, *OBJECT_FIELDS, "attributes", "custom_fields")
)
# keys a product's JSON carries that a file may give back but that are never written
READ_ONLY_KEYS = frozenset(("id", "createdAt", "updatedAt", "created_at", "updated_at"))


def _field_normalizer(name: str) -> Callable[[Any], Any]:
    if name in TYPED_FIELDS:
        return functools.partial(normalize_typed, name)
    if name in NUMBER_FIELDS:
        return normalize_number
    if name in CHOICE_FIELDS:
        return functools.partial(normalize_choice, choices=CHOICE_FIELDS[name])
    if name == "sku":
        return normalize_sku
    if name in MULTILINE_FIELDS:
        return normalize_multiline_text
    if name in TEXT_FIELDS:
        return normalize_text
    if name in ("categories", "brands"):  # paths: Kitchen > Mugs, Acme > Acme Pro
        return normalize_categories
    if name == "downloads":
        return normalize_downloads
    if name in OBJECT_FIELDS:
        return normalize_default_options
    if name == "images":
        return functools.partial(normalize_list, urls=True)
    return functools.partial(normalize_list, fold=True)  # tags, and products by SKU


def normalize_categories(value: Any) -> list[str]:
    """Category paths in their canonical form (``Kitchen>Mugs`` -> ``Kitchen > Mugs``), distinct
    without regard to case (WooCommerce's ``Home > Décor`` is ``home > décor`` too)."""
    found: dict[str, str] = {}
    for text in normalize_list(value):
        path = canonical_category(text)
        found.setdefault(path.casefold(), path)
    return list(found.values())


# standard field -> its normaliser, chosen once (normalize_fields runs per product of a load/import)
_FIELD_NORMALIZERS: dict[str, Callable[[Any], Any]] = {
    name: _field_normalizer(name) for name in (*SCALAR_FIELDS, *LIST_FIELDS, *OBJECT_FIELDS)
}


def normalize_field(name: str, value: Any) -> Any:
    """Normalise one standard field's value (``name`` must be a standard field)."""
    normalize = _FIELD_NORMALIZERS.get(name)
    if normalize is None:
        raise ValueError(f"unknown field {name!r}")
    return normalize(value)


def _named_dict(value: Any, normalize: Callable[[Any], Any]) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValueError(f"must be an object of name: value, not {kind_of(value)}")
    found: dict[str, Any] = {}
    for key, item in value.items():
        name = normalize_text(key)
        if name is None:
            raise ValueError("a name is empty")
        try:
            normalized = normalize(item)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
        if normalized is not None:
            found[name] = normalized
    return found


def normalize_attributes(value: Any) -> dict[str, str | list[str]]:
    return _named_dict(value, normalize_attribute_value)


def normalize_custom_fields(value: Any) -> dict[str, Any]:
    return _named_dict(value, normalize_custom_value)


def normalize_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Check and normalise a field dict (see the module doc); raise :class:`ValidationError`.

    Keys: standard fields, ``dimensions`` (an object of length/width/height, expanded into the
    parts), ``attributes``, ``custom_fields`` / ``customFields``, ``attribute:NAME``,
    ``custom:NAME``, or any other name (an attribute or custom field, decided by the catalog).
    """
    found: dict[str, Any] = {}
    for key, value in fields.items():
        try:
            normalize = _FIELD_NORMALIZERS.get(key)
            if normalize is not None:  # a standard field (what _normalize_into does first)
                found[key] = normalize(value)
            else:
                _normalize_into(found, key, value)
        except ValueError as exc:
            raise ValidationError(f"{key}: {exc}") from None
    return found


def _normalize_into(found: dict[str, Any], key: str, value: Any) -> None:
    if key in SCALAR_FIELDS or key in LIST_FIELDS or key in OBJECT_FIELDS:
        found[key] = normalize_field(key, value)
    elif key == "dimensions":
        if value is None:
            found.update(dict.fromkeys(DIMENSION_PARTS))
            return
        if not isinstance(value, Mapping):
            raise ValueError("must be an object with length, width and height")
        for part, part_value in value.items():
            if part not in DIMENSION_PARTS:
                raise ValueError(f"unknown part {part!r} (use length, width, height)")
            found[part] = normalize_number(part_value)
    elif key == "attributes":
        found["attributes"] = normalize_attributes(value)
    elif key in ("custom_fields", "customFields"):
        found["custom_fields"] = normalize_custom_fields(value)
    elif key.startswith(ATTRIBUTE_PREFIX):
        name = entry_name(key, ATTRIBUTE_PREFIX)
        found[ATTRIBUTE_PREFIX + name] = normalize_attribute_value(value)
    elif key.startswith(CUSTOM_PREFIX):
        found[CUSTOM_PREFIX + entry_name(key, CUSTOM_PREFIX)] = normalize_custom_value(value)
    elif key in READ_ONLY_KEYS:
        return  # read-only: a product is identified by its SKU
    else:
        if not key.strip():
            raise ValueError("empty field name")
        found[clean_text(key.strip(), False)] = normalize_custom_value(value)


def entry_name(key: str, prefix: str) -> str:
    """``attribute:COLOR`` -> ``COLOR``; ValueError when the name is empty or not one line."""
    name = key[len(prefix) :].strip()
    if not name:
        raise ValueError(f"{prefix} needs a name, e.g. {prefix}COLOR")
    return clean_text(name, False)


def merge_entries(
    fields: Mapping[str, Any], attributes: Mapping[str, Any], custom: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The attributes and custom fields once a normalised field dict applies to these (new dicts;
    whole sets first, then single entries). A bare name updates the attribute or custom field of
    that name, else becomes an attribute when the value is a list and a custom field otherwise."""
    merged_attributes = dict(fields["attributes"]) if "attributes" in fields else dict(attributes)
    merged_custom = dict(fields["custom_fields"]) if "custom_fields" in fields else dict(custom)
    for key, value in fields.items():
        if key in COLUMN_KEYS:  # most keys (none of them has a prefix): one set lookup
            continue
        if key.startswith(ATTRIBUTE_PREFIX):
            _set_entry(merged_attributes, key[len(ATTRIBUTE_PREFIX) :], value, one=True)
        elif key.startswith(CUSTOM_PREFIX):
            _set_entry(merged_custom, key[len(CUSTOM_PREFIX) :], value, one=True)
        elif key in merged_attributes or (key not in merged_custom and isinstance(value, list)):
            _set_entry(merged_attributes, key, value)
        else:
            _set_entry(merged_custom, key, value)
    return merged_attributes, merged_custom


_YES_NO = {"yes": True, "no": False, "true": True, "false": False, "1": True, "0": False}


def _set_entry(entries: dict[str, Any], name: str, value: Any, *, one: bool = False) -> None:
    """Set (None: remove) one entry. With ``one`` (an ``attribute:NAME`` or ``custom:NAME``
    column), a single value equal to the one item of the entry's list leaves the list as it is,
    and a yes/no word sets an entry that is true or false as true or false: a CSV cell cannot
    tell ``Oak`` from ``[Oak]`` nor ``yes`` from true, so a catalog listed as CSV loads back
    unchanged."""
    held = entries.get(name)
    if value is None:
        entries.pop(name, None)
    elif one and isinstance(held, bool) and isinstance(value, str) and value.lower() in _YES_NO:
        entries[name] = _YES_NO[value.lower()]
    elif not (one and held == [value]):
        entries[name] = value
