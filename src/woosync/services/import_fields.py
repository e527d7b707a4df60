"""From a WooCommerce product (``context=edit``) to the local catalog's fields: pure functions.

What lands where (the README's "Import and cron" section says the same):

- Field mappings rename WooCommerce fields: ``regular_price -> price`` sets the local price,
  ``weight -> productWeight`` puts the weight into the custom field ``productWeight`` (a local name that is
  not a standard field is a custom field). A mapping overrides the default target of that WooCommerce field
  (:data:`woosync.core.fields.DEFAULT_IMPORT_FIELDS`); the other defaults still apply, so ``name`` and
  ``sku`` are always imported.
- Attribute mappings match a store attribute by its slug (``pa_color``) or its name (``Color``), exact
  first, then ignoring case. The target is a local attribute, or a standard field when it names one
  (``pa_width -> width`` sets the width).
- Store attributes without a mapping are not dropped: they are kept as local attributes under their store
  name (``Material``). One option gives a string, several a list.
- Names, descriptions, category, tag and attribute names are HTML-unescaped: the store answers ``&amp;``.
- Empty strings (the store's "unset") become ``None`` (``name`` and ``sku`` excepted).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from woosync.core.fields import DEFAULT_IMPORT_FIELDS, DIMENSION_PARTS, STANDARD_FIELDS

# Local spellings the spec uses for standard fields (its appendix: ``salePrice`` is a standard field).
LOCAL_ALIASES: dict[str, str] = {
    "salePrice": "sale_price",
    "stockStatus": "stock_status",
}

# Local standard field -> kind of value it holds.
LIST_FIELDS = frozenset({"categories", "tags", "images"})
REQUIRED_LOCAL = ("name", "sku")

SUPPORTED_TYPES = frozenset({"simple"})
_TYPE_REASONS = {
    "variable": "variable products are not imported yet (woosync handles simple products)",
    "grouped": "grouped products are not imported (woosync handles simple products)",
    "external": "external/affiliate products are not imported (woosync handles simple products)",
}
_UNESCAPED_TEXT = frozenset({"name", "description", "short_description", "purchase_note"})
_TERM_LISTS = frozenset({"categories", "tags", "brands"})


@dataclass(frozen=True)
class ImportRules:
    """The effective rules of one import: WooCommerce field -> local name, attribute -> local name."""

    field_mappings: dict[str, str]
    attribute_mappings: dict[str, str]
    source: str = "default mapping"

    @classmethod
    def default(cls) -> ImportRules:
        """``--no-mapping``: the default fields, attributes kept under their store names."""
        return cls(dict(DEFAULT_IMPORT_FIELDS), {}, "default mapping")

    @classmethod
    def from_mapping(
        cls,
        attribute_mappings: Mapping[str, str] | None,
        field_mappings: Mapping[str, str] | None,
        source: str = "import mapping",
    ) -> ImportRules:
        """The defaults overlaid with a mapping's field renames; its attribute mappings as given."""
        fields = dict(DEFAULT_IMPORT_FIELDS)
        for woo_field, local in (field_mappings or {}).items():
            fields[woo_field] = local
        for required in REQUIRED_LOCAL:  # name and sku are how products are matched and shown
            fields.setdefault(required, required)
        return cls(fields, dict(attribute_mappings or {}), source)


@dataclass
class LocalFields:
    """One store product as local values: standard columns, attributes and custom fields."""

    standard: dict[str, Any] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)
    custom_fields: dict[str, Any] = field(default_factory=dict)

    @property
    def sku(self) -> str:
        return str(self.standard.get("sku") or "")

    def flat(self) -> dict[str, Any]:
        """One flat ``{local name: value}`` dict (standard fields, then attributes, custom fields)."""
        merged: dict[str, Any] = {}
        merged.update(self.custom_fields)
        merged.update(self.attributes)
        merged.update(self.standard)
        return merged


def local_name(name: str) -> str:
    """A mapping's local name in the catalog's spelling (``salePrice`` -> ``sale_price``)."""
    return LOCAL_ALIASES.get(name, name)


def is_standard_local(name: str) -> bool:
    return name in STANDARD_FIELDS or name in DIMENSION_PARTS


def unsupported_reason(woo: Mapping[str, Any]) -> str | None:
    """Why a store product cannot be imported (its type), or ``None`` when it can."""
    kind = str(woo.get("type") or "simple")
    if kind in SUPPORTED_TYPES:
        return None
    if kind == "variation" or woo.get("parent_id"):
        return f"is a variation of product {woo.get('parent_id')}; variations are not imported"
    return _TYPE_REASONS.get(kind, f"product type {kind!r} is not supported")


def missing_sku_reason(woo: Mapping[str, Any]) -> str | None:
    if str(woo.get("sku") or "").strip():
        return None
    return (
        "has no SKU; woosync matches products by SKU "
        "(give it a SKU in WooCommerce and import again)"
    )


def _text(value: Any) -> Any:
    return html.unescape(value) if isinstance(value, str) else value


def _blank_to_none(value: Any) -> Any:
    return None if value == "" else value


def woo_value(woo: Mapping[str, Any], woo_field: str) -> Any:
    """The local form of one WooCommerce field's value (``None`` when absent or unset)."""
    if woo_field in DIMENSION_PARTS:
        dimensions = woo.get("dimensions") or {}
        return _blank_to_none(dimensions.get(woo_field))
    value = woo.get(woo_field)
    if woo_field in _TERM_LISTS:
        return [_text(term.get("name")) for term in value or [] if term.get("name")]
    if woo_field == "images":
        return [image["src"] for image in value or [] if image.get("src")]
    if woo_field == "dimensions":
        parts = value or {}
        return {part: _blank_to_none(parts.get(part)) for part in DIMENSION_PARTS}
    if woo_field in _UNESCAPED_TEXT:
        value = _text(value)
    if woo_field in ("name", "sku"):
        return (value or "").strip() if isinstance(value, str) else value
    return _blank_to_none(value)


def attribute_options(entry: Mapping[str, Any]) -> Any:
    """A store attribute's options as one local value: a string for one option, else a list."""
    options = [_text(option) for option in entry.get("options") or [] if option not in ("", None)]
    if not options:
        return None
    return options[0] if len(options) == 1 else options


def attribute_slug(entry: Mapping[str, Any], slugs_by_id: Mapping[int, str] | None = None) -> str:
    """``pa_color`` for a global attribute (from the entry, else the store's id -> slug table)."""
    slug = entry.get("slug")
    if isinstance(slug, str) and slug:
        return slug
    attribute_id = int(entry.get("id") or 0)
    if attribute_id and slugs_by_id:
        return slugs_by_id.get(attribute_id, "")
    return ""


def find_attribute_mapping(
    entry: Mapping[str, Any],
    attribute_mappings: Mapping[str, str],
    slugs_by_id: Mapping[int, str] | None = None,
) -> str | None:
    """The local name a store attribute maps to: by slug, then name; exact, then ignoring case."""
    if not attribute_mappings:
        return None
    keys = [key for key in (attribute_slug(entry, slugs_by_id), _text(entry.get("name"))) if key]
    for key in keys:
        if key in attribute_mappings:
            return attribute_mappings[key]
    folded = {key.casefold(): target for key, target in attribute_mappings.items()}
    for key in keys:
        if key.casefold() in folded:
            return folded[key.casefold()]
    return None


def _put(result: LocalFields, name: str, value: Any, *, from_attribute: bool) -> None:
    """Store ``value`` under the local ``name``: standard column, attribute or custom field."""
    name = local_name(name)
    if name == "dimensions":
        parts = value if isinstance(value, dict) else {}
        for part in DIMENSION_PARTS:
            result.standard[part] = parts.get(part)
    elif is_standard_local(name):
        if name in LIST_FIELDS:
            if value is None:
                value = []
            elif not isinstance(value, list):
                value = [value]
        elif isinstance(value, list):  # several attribute options into a scalar column
            value = ", ".join(str(item) for item in value)
        result.standard[name] = value
    elif from_attribute:
        result.attributes[name] = value
    else:
        result.custom_fields[name] = value


def map_product(
    woo: Mapping[str, Any], rules: ImportRules, slugs_by_id: Mapping[int, str] | None = None
) -> LocalFields:
    """The local fields for one store product under ``rules`` (no validation of type or SKU here)."""
    result = LocalFields()
    for woo_field, target in rules.field_mappings.items():
        if woo_field not in woo and woo_field not in DIMENSION_PARTS:
            continue
        _put(result, target, woo_value(woo, woo_field), from_attribute=False)
    for entry in woo.get("attributes") or []:
        value = attribute_options(entry)
        if value is None:
            continue
        mapped = find_attribute_mapping(entry, rules.attribute_mappings, slugs_by_id)
        name = mapped or _text(entry.get("name")) or attribute_slug(entry, slugs_by_id)
        if name:
            _put(result, name, value, from_attribute=True)
    return result


def needs_attribute_slugs(products: Sequence[Mapping[str, Any]], rules: ImportRules) -> bool:
    """True when a global attribute comes without ``slug`` and the mapping has slug keys to match."""
    if not any(key.startswith("pa_") for key in rules.attribute_mappings):
        return False
    return any(
        int(entry.get("id") or 0) and not entry.get("slug")
        for product in products
        for entry in product.get("attributes") or []
    )
