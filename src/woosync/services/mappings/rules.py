"""The rules a mapping must follow, whether it comes from the CLI, the Python API or a file.

Errors are :class:`MappingRuleError`: a ValidationError that also names the offending key, so a
mapping file can point at the line.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence

from woosync.core.errors import ValidationError
from woosync.core.fields import (
    BOOLEAN,
    DATE,
    DEFAULT_IMPORT_FIELDS,
    DIMENSION_PARTS,
    HTML,
    INTEGER,
    MEASURE,
    MONEY,
    REQUIRED_FIELDS,
    STANDARD_FIELDS,
    TEXT,
    WOO_FIELD_TYPES,
    WOO_PRODUCT_FIELDS,
    is_global_attribute,
    is_valid_woo_target,
)
from woosync.core.meta_keys import (
    META_KEY_HINT,
    is_meta_target,
    meta_target_problem,
)
from woosync.core.text import control_character_problem
from woosync.services.imports.fields import local_name

REQUIRED_FIELDS_MESSAGE = 'Export mapping must include "name" and "sku" fields'

KeyPath = tuple[str, ...]  # e.g. ("fieldMappings", "COLOR")


class MappingRuleError(ValidationError):
    """A mapping that breaks a rule; ``path`` names the offending key (for file line numbers)."""

    def __init__(self, message: str, *, path: KeyPath = (), hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.path = path


def _check_name(value: object, what: str, path: KeyPath) -> str:
    if not isinstance(value, str) or not value.strip():
        raise MappingRuleError(f"{what} must be a non-empty name, not {value!r}", path=path)
    if value != value.strip():
        raise MappingRuleError(
            f"{what} {value!r} has spaces around it", path=path, hint="remove the spaces"
        )
    problem = control_character_problem(value)
    if problem is not None:
        raise MappingRuleError(f"{what} {value!r} {problem}", path=path)
    return value


# --- export --------------------------------------------------------------------------------------


def validate_export_fields(
    selected_fields: Sequence[str], field_mappings: Mapping[str, str] | None = None
) -> None:
    """Raise :class:`MappingRuleError` (a ValidationError naming the offending key) unless valid.

    ``name`` and ``sku`` are required; standard fields are ``core.fields.STANDARD_FIELDS`` plus the
    dimension parts, any other name is a product attribute or custom field. Each ``fieldMappings``
    key must be selected and point at a WooCommerce field or a ``pa_`` slug; no two selected fields
    may land on the same WooCommerce field.
    """
    field_mappings = dict(field_mappings or {})
    selected = _check_selected_fields(selected_fields)
    for key, target in field_mappings.items():
        _check_export_field_mapping(key, target, selected)
    _check_export_landings(selected_fields, field_mappings)


def _check_selected_fields(selected_fields: Sequence[str]) -> set[str]:
    """Names, each once, ``name`` and ``sku`` among them; returns them as a set."""
    if isinstance(selected_fields, str) or not isinstance(selected_fields, Sequence):
        raise MappingRuleError("selectedFields must be a list of field names")
    seen: set[str] = set()
    for position, name in enumerate(selected_fields):
        path = ("selectedFields", str(position))
        _check_name(name, "selectedFields entry", path)
        if name in seen:
            raise MappingRuleError(
                f'selectedFields lists "{name}" twice', path=path, hint="keep one"
            )
        seen.add(name)
    if not all(required in seen for required in REQUIRED_FIELDS):
        raise MappingRuleError(
            REQUIRED_FIELDS_MESSAGE,
            path=("selectedFields",),
            hint="add name and sku to the selected fields",
        )
    return seen


def _check_export_field_mapping(key: str, target: str, selected: set[str]) -> None:
    _check_name(key, "fieldMappings key", ("fieldMappings",))
    path = ("fieldMappings", key)
    if key not in selected:
        raise MappingRuleError(
            f'fieldMappings key "{key}" is not among the selected fields',
            path=path,
            hint=f"add {key} to the selected fields or remove its mapping",
        )
    _check_name(target, f'fieldMappings["{key}"]', path)
    _check_meta_target(target, f'fieldMappings["{key}"]', path)
    if not is_valid_woo_target(target):
        raise MappingRuleError(
            f'fieldMappings["{key}"]: "{target}" is not a WooCommerce product field '
            "or a pa_ attribute slug",
            path=path,
            hint=_target_hint(target),
        )
    _check_value_fits(key, target, path)


def _check_meta_target(target: str, what: str, path: KeyPath) -> None:
    problem = meta_target_problem(target)
    if problem is not None:
        raise MappingRuleError(f'{what}: "{target}" {problem}', path=path, hint=META_KEY_HINT)


_LIST_FIELDS = ("images", "categories", "tags", "brands")  # standard fields whose value is a list
DOWNLOADS = "downloads"  # a downloadable product's files: only to downloads


def _check_value_fits(key: str, target: str, path: KeyPath) -> None:
    """A standard field's value must fit where it goes: the export would send a list as the text
    "['a.jpg']" and drop any value but the dimensions object at ``dimensions`` without a word."""
    if key == "dimensions" and target != "dimensions":
        raise MappingRuleError(
            f'fieldMappings["{key}"]: "dimensions" can only go to "dimensions"',
            path=path,
            hint="select length, width or height to send one part elsewhere",
        )
    if target == "dimensions" and key != "dimensions":
        raise MappingRuleError(
            f'fieldMappings["{key}"]: only the "dimensions" field can go to "dimensions"',
            path=path,
            hint=f"map {key} to length, width or height",
        )
    if key == DOWNLOADS and target != DOWNLOADS:
        raise MappingRuleError(
            f'fieldMappings["{key}"]: "downloads" (files) can only go to "downloads"',
            path=path,
            hint="leave downloads unmapped: it goes to downloads",
        )
    if (
        target == DOWNLOADS
        and key != DOWNLOADS
        and (key in STANDARD_FIELDS or key in DIMENSION_PARTS)
    ):
        raise MappingRuleError(
            f'fieldMappings["{key}"]: only files (the "downloads" field, or a custom field of '
            f'them) can go to "downloads"',
            path=path,
            hint="select downloads, or map a custom field that holds files",
        )
    if (
        key in _LIST_FIELDS
        and target not in _LIST_FIELDS
        and not is_global_attribute(target)
        and not is_meta_target(target)
    ):
        raise MappingRuleError(
            f'fieldMappings["{key}"]: "{key}" is a list and cannot go to the text field "{target}"',
            path=path,
            hint="map it to images, categories, tags, brands, a pa_ attribute or meta:KEY",
        )
    kind = WOO_FIELD_TYPES.get(target)
    if kind is None:
        return
    # the catalog's own types, known before any product is read (custom fields are checked per
    # product at export time, against the same table)
    if (key in _DECIMAL_FIELDS and kind.kind not in _TAKES_DECIMALS) or (
        key in _WORD_FIELDS and kind.kind in _TAKES_NO_WORDS
    ):
        what = "a decimal number" if key in _DECIMAL_FIELDS else "text"
        raise MappingRuleError(
            f'fieldMappings["{key}"]: "{key}" is {what} and cannot go to "{target}", which takes '
            f"{kind.describe()}",
            path=path,
            hint="map it to a field of its kind, or select a custom field that holds the right value",
        )


_DECIMAL_FIELDS = ("price", "sale_price", "weight", "length", "width", "height")
_WORD_FIELDS = ("name", "sku", "description", "status", "type", "stock_status", "backorders")
_TAKES_DECIMALS = frozenset({MONEY, MEASURE, TEXT, HTML})
_TAKES_NO_WORDS = frozenset({MONEY, MEASURE, INTEGER, DATE, BOOLEAN})


def _target_hint(target: str) -> str:
    close = difflib.get_close_matches(target, sorted(WOO_PRODUCT_FIELDS), n=1, cutoff=0.75)
    if close:
        return f"did you mean {close[0]}?"
    slug = re.sub(r"[^a-z0-9_-]+", "-", target.strip().lower().removeprefix("pa_")).strip("-")
    if slug:
        return f"for a global attribute use its slug, e.g. pa_{slug}; else a field such as regular_price"
    return "use a WooCommerce field such as regular_price, or pa_<slug> for a global attribute"


def _export_target(name: str, field_mappings: Mapping[str, str]) -> str | None:
    """Where ``name`` lands in WooCommerce; None for an unmapped attribute (a local attribute)."""
    if name in field_mappings:
        return field_mappings[name]
    if name in STANDARD_FIELDS:
        return STANDARD_FIELDS[name]
    if name in DIMENSION_PARTS:
        return name
    return None


def _check_export_landings(
    selected_fields: Sequence[str], field_mappings: Mapping[str, str]
) -> None:
    """No two selected fields may land on the same WooCommerce field."""
    landed: dict[str, str] = {}  # WooCommerce field -> the selected field that goes there
    for name in selected_fields:
        target = _export_target(name, field_mappings)
        # the dimensions object fills its three parts: "dimensions" and "length" clash
        landings = DIMENSION_PARTS if target == "dimensions" else (target,) if target else ()
        for landing in landings:
            if landing in landed:
                other = landed[landing]
                key = name if name in field_mappings else other
                raise MappingRuleError(
                    f'fieldMappings: "{other}" and "{name}" would both go to the WooCommerce '
                    f'field "{landing}"',
                    path=("fieldMappings", key),
                    hint=f"map only one of them to {landing}, or drop one from the selected fields",
                )
            landed[landing] = name


# --- import --------------------------------------------------------------------------------------


def validate_import_mappings(
    attribute_mappings: Mapping[str, str] | None, field_mappings: Mapping[str, str] | None
) -> None:
    """Raise :class:`MappingRuleError` unless the import mapping is usable.

    ``attributeMappings`` keys are attribute slugs (``pa_color``) or attribute names (``Color``);
    ``fieldMappings`` keys are WooCommerce product fields; no two keys may land on the same internal
    name.
    """
    attribute_mappings = dict(attribute_mappings or {})
    field_mappings = dict(field_mappings or {})
    if not attribute_mappings and not field_mappings:
        raise MappingRuleError(
            "Import mapping must map at least one attribute or field",
            hint="give attributeMappings (pa_color: color) or fieldMappings (regular_price: price)",
        )
    for key, internal in attribute_mappings.items():
        _check_attribute_mapping(key, internal)
    for key, internal in field_mappings.items():
        _check_import_field_mapping(key, internal)
    _check_import_targets(attribute_mappings, field_mappings)


def _check_attribute_mapping(key: str, internal: str) -> None:
    _check_name(key, "attributeMappings key", ("attributeMappings",))
    path = ("attributeMappings", key)
    if key.startswith("pa_") and not is_global_attribute(key):
        raise MappingRuleError(
            f'attributeMappings key "{key}" is not a valid attribute slug',
            path=path,
            hint="slugs are lowercase letters, digits, - and _ after pa_, e.g. pa_color",
        )
    if key in WOO_PRODUCT_FIELDS and key not in DIMENSION_PARTS:
        raise MappingRuleError(
            f'attributeMappings key "{key}" is a WooCommerce product field, not an attribute',
            path=path,
            hint="put it under fieldMappings",
        )
    _check_name(internal, f'attributeMappings["{key}"]', path)


def _check_import_field_mapping(key: str, internal: str) -> None:
    _check_name(key, "fieldMappings key", ("fieldMappings",))
    path = ("fieldMappings", key)
    if is_global_attribute(key):
        raise MappingRuleError(
            f'fieldMappings key "{key}" is an attribute slug, not a product field',
            path=path,
            hint="put it under attributeMappings",
        )
    _check_meta_target(key, f'fieldMappings key "{key}"', path)
    if key not in WOO_PRODUCT_FIELDS and not is_meta_target(key):
        raise MappingRuleError(
            f'fieldMappings key "{key}" is not a WooCommerce product field',
            path=path,
            hint="use a field such as regular_price, sale_price or weight, or meta:KEY",
        )
    _check_name(internal, f'fieldMappings["{key}"]', path)
    if (key == DOWNLOADS) != (local_name(internal) == DOWNLOADS):
        raise MappingRuleError(
            f'fieldMappings["{key}"]: a product\'s files come only into "downloads", and only '
            "they do",
            path=path,
            hint="leave downloads unmapped: it comes into downloads",
        )


def _check_import_targets(
    attribute_mappings: dict[str, str], field_mappings: dict[str, str]
) -> None:
    """No two store fields or attributes may fill the same local name.

    The importer keeps the default field targets (``DEFAULT_IMPORT_FIELDS``) that the mapping does
    not override, so ``sale_price: price`` clashes with the default ``regular_price -> price``.
    Local names are compared in the catalog's spelling (``salePrice`` is ``sale_price``).
    """
    landed: dict[str, tuple[str, str | None]] = {}  # local name -> (who fills it, default field)
    for woo_field, internal in DEFAULT_IMPORT_FIELDS.items():
        if woo_field not in field_mappings:
            landed[local_name(internal)] = (f'"{woo_field}" (by default)', woo_field)
    sections = [("attributeMappings", attribute_mappings), ("fieldMappings", field_mappings)]
    for section, mappings in sections:
        for key, internal in mappings.items():
            target = local_name(internal)
            if target in landed:
                other, default_field = landed[target]
                hint = (
                    f"map {default_field} to another name as well, e.g. {default_field}=base_{default_field}"
                    if default_field
                    else "give each one its own internal name"
                )
                raise MappingRuleError(
                    f'{section}["{key}"]: "{internal}" is already filled by {other}',
                    path=(section, key),
                    hint=hint,
                )
            landed[target] = (f'{section}["{key}"]', None)
