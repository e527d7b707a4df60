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
- A new product comes in with all of that. A product already in the catalog takes only the store's
  edits of the fields the rules *own* (:meth:`ImportRules.owns`: those an import mapping names;
  under the default mapping, what the store's export mapping sends it, or everything when it has
  none); see :mod:`woosync.services.imports.reconcile`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from woosync.core.fields import (
    DEFAULT_IMPORT_FIELDS,
    DIMENSION_PARTS,
    OBJECT_FIELDS,
    STANDARD_FIELDS,
)
from woosync.core.meta_keys import is_meta_target, meta_key
from woosync.services.imports.readers import Reader, store_reader, text
from woosync.services.sync.default_options import store_default_options
from woosync.services.sync.echoes import key_target
from woosync.services.sync.targets import (
    ATTRIBUTE_KINDS,
    GLOBAL_ATTRIBUTE,
    META,
    SCALAR,
    Target,
    store_meta_value,
    unfit_meta,
)

# Local spellings the spec uses for standard fields (its appendix: ``salePrice`` is a standard field).
LOCAL_ALIASES: dict[str, str] = {
    "salePrice": "sale_price",
    "stockStatus": "stock_status",
}

# Local standard field -> kind of value it holds.
LIST_FIELDS = frozenset(
    {"categories", "tags", "brands", "images", "upsells", "cross_sells", "grouped_products"}
)
REQUIRED_LOCAL = ("name", "sku")

DEFAULT_OPTIONS = (
    "default_attributes"  # a variable product's default options (sync/default_options)
)
# what only an external (affiliate) product has: no custom field of them for another product
EXTERNAL_FIELDS = ("external_url", "button_text")


@dataclass(frozen=True)
class ImportRules:
    """The effective rules of one import: WooCommerce field -> local name, attribute -> local name."""

    field_mappings: dict[str, str]
    attribute_mappings: dict[str, str]
    source: str = "default mapping"
    # Who owns what: the WooCommerce fields whose store edits come back into products already in
    # the catalog (``None``: every field of ``field_mappings``), and whether every store attribute
    # does (the default mapping) or only those ``attribute_mappings`` names (an import mapping).
    owned_fields: frozenset[str] | None = None
    all_attributes: bool = True

    @classmethod
    def default(cls, export_targets: Sequence[Target] = ()) -> ImportRules:
        """No import mapping (``use_mapping=False``, or none active): the default fields,
        attributes kept under their store names, but what the store's export mapping
        (``export_targets``) fills from another catalog field comes back into that field:
        ``wholesalePrice: regular_price`` exported makes ``regular_price`` come into
        ``wholesalePrice``, ``COLOR: pa_color`` makes ``pa_color`` come into ``COLOR``. So a store
        never writes its value into a catalog field the export does not fill from it (a
        wholesale store's price into the catalog's retail price).

        With an export mapping, the store owns only what that mapping sends it: its edits of
        other fields (tags in a store that is never sent tags) are its own business and stay
        out of products already in the catalog (a new product still comes in whole)."""
        fields = dict(DEFAULT_IMPORT_FIELDS)
        attributes: dict[str, str] = {}
        turned: list[str] = []
        reversed_: dict[str, str] = {}  # local name -> the WooCommerce field it now comes from
        owned = {"sku"}
        for target in export_targets:
            prefix, _, bare = target.field.rpartition(":")
            if target.kind in ATTRIBUTE_KINDS:
                if prefix in ("", "attribute"):
                    attributes[target.woo] = bare
                    if target.kind == GLOBAL_ATTRIBUTE:
                        turned.append(f"{target.woo} -> {bare}")
                continue
            if target.kind == META:  # meta:KEY comes back into the field it is sent from
                owned.add(target.key)
                fields[target.key] = bare
                reversed_[local_name(bare)] = target.key
                turned.append(f"{target.key} -> {bare}")
                continue
            owned.add("dimensions" if target.woo in DIMENSION_PARTS else target.woo)
            if target.woo not in fields and target.kind == SCALAR and prefix in ("", "custom"):
                # a WooCommerce field the catalog has no field for (short_description from a
                # custom field): it comes back where it is sent from, or the next partial export
                # would send the catalog's value over a shop manager's edit of it
                fields[target.woo] = bare
                reversed_[local_name(bare)] = target.woo
            elif (
                target.woo in fields
                and prefix in ("", "custom")
                and local_name(fields[target.woo]) != local_name(bare)
            ):
                fields[target.woo] = bare
                reversed_[local_name(bare)] = target.woo
                turned.append(f"{target.woo} -> {bare}")
        for woo_field, local in list(fields.items()):  # one source per catalog field
            source_field = reversed_.get(local_name(local))
            if (
                source_field is not None
                and source_field != woo_field
                and local not in REQUIRED_LOCAL
            ):
                del fields[woo_field]
        source = "default mapping"
        if turned:
            source += f" (as the export mapping sends them: {', '.join(turned)})"
        if not export_targets:
            return cls(fields, attributes, source)
        return cls(fields, attributes, source, frozenset(owned), all_attributes=False)

    def owns(self, woo_field: str) -> bool:
        """Whether a store edit of ``woo_field`` comes back into an existing product."""
        return self.owned_fields is None or woo_field in self.owned_fields

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
        owned = frozenset({"sku", *(field_mappings or {})})
        return cls(fields, dict(attribute_mappings or {}), source, owned, False)

    @functools.cached_property
    def field_plan(self) -> tuple[tuple[str, str | None, Reader, Writer], ...]:
        """Per field mapping, in order: the WooCommerce field, the key of the store product it
        is read from when the product has that key (``None``: read always; dimension parts come
        from ``dimensions``), its reader and its writer. Made once per run instead of deciding
        per product and field."""
        return tuple(
            (woo_field, read_when(woo_field), self._reader(woo_field), _writer(target, False))
            for woo_field, target in self.field_mappings.items()
        )

    def _reader(self, woo_field: str) -> Reader:
        if woo_field != DEFAULT_OPTIONS:
            return store_reader(woo_field)
        mappings = self.attribute_mappings

        def default_options(woo: Mapping[str, Any]) -> Any:
            """Under the names the product's attributes come in as (the attribute mappings')."""
            return store_default_options(
                woo, lambda entry: find_attribute_mapping(entry, mappings) if mappings else None
            )

        return default_options

    @functools.cached_property
    def meta_fields(self) -> tuple[tuple[str, str], ...]:
        """The field mappings that read meta data: ``(meta:KEY, local name)``."""
        return tuple(
            (woo_field, local_name(local))
            for woo_field, local in self.field_mappings.items()
            if is_meta_target(woo_field)
        )

    def unfit_fields(self, woo: Mapping[str, Any]) -> list[tuple[str, str, str]]:
        """The meta keys whose value in ``woo`` the catalog cannot hold (a plugin's object):
        ``(meta:KEY, local name, what the value is)``."""
        found = []
        for woo_field, local in self.meta_fields:
            unfit = unfit_meta(store_meta_value(woo, meta_key(woo_field)))
            if unfit is not None:
                found.append((woo_field, local, unfit))
        return found

    @functools.cached_property
    def owned_plan(self) -> tuple[tuple[str, Target, Reader, Writer], ...]:
        """The field mappings whose store edits come in (``sku`` aside: it is how products
        match), each with the export target it is compared under (its key: the WooCommerce field,
        ``dimensions.length`` for a part), its reader and its writer."""
        return tuple(
            (woo_field, key_target(local_name(self.field_mappings[woo_field]), woo_field), r, w)
            for woo_field, _always, r, w in self.field_plan
            if woo_field != "sku" and self.owns(woo_field)
        )


@dataclass
class LocalFields:
    """One store product as local values: standard columns, attributes and custom fields."""

    standard: dict[str, Any] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)
    custom_fields: dict[str, Any] = field(default_factory=dict)
    # the meta keys whose store value the catalog cannot hold, left out: (``meta:KEY``, the
    # local field, what the value is) (:func:`~woosync.services.sync.targets.unfit_meta`)
    unfit: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def sku(self) -> str:
        return str(self.standard.get("sku") or "")


def store_field(woo_field: str) -> str:
    """The key of a store product a mapped WooCommerce field is read from (``dimensions`` for
    ``length``, ``meta_data`` for ``meta:KEY``): what the listing's ``_fields`` must name."""
    if woo_field in DIMENSION_PARTS:
        return "dimensions"
    return "meta_data" if is_meta_target(woo_field) else woo_field


@functools.lru_cache(maxsize=256)  # asked per field of every store product: a few fields a run
def read_when(woo_field: str) -> str | None:
    """The key whose presence in a store product means ``woo_field`` was listed (``None``: a
    dimension part, read as empty when ``dimensions`` is missing)."""
    return None if woo_field in DIMENSION_PARTS else store_field(woo_field)


def local_name(name: str) -> str:
    """A mapping's local name in the catalog's spelling (``salePrice`` -> ``sale_price``)."""
    return LOCAL_ALIASES.get(name, name)


def is_standard_local(name: str) -> bool:
    return name in STANDARD_FIELDS or name in DIMENSION_PARTS


def attribute_options(entry: Mapping[str, Any]) -> Any:
    """A store attribute's options as one local value: a string for one option, else a list."""
    options = [text(option) for option in entry.get("options") or [] if option not in ("", None)]
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
    keys = [key for key in (attribute_slug(entry, slugs_by_id), text(entry.get("name"))) if key]
    for key in keys:
        if key in attribute_mappings:
            return attribute_mappings[key]
    folded = {key.casefold(): target for key, target in attribute_mappings.items()}
    for key in keys:
        if key.casefold() in folded:
            return folded[key.casefold()]
    return None


Writer = Callable[[LocalFields, Any], None]


def _put(result: LocalFields, name: str, value: Any, *, from_attribute: bool) -> None:
    """Store ``value`` under the local ``name``: standard column, attribute or custom field."""
    _writer(name, from_attribute)(result, value)


@functools.lru_cache(maxsize=1024)
def _writer(name: str, from_attribute: bool) -> Writer:
    """How :func:`_put` stores a value under ``name``, decided once per name."""
    name = local_name(name)

    def dimensions(result: LocalFields, value: Any) -> None:
        parts = value if isinstance(value, dict) else {}
        for part in DIMENSION_PARTS:
            result.standard[part] = parts.get(part)

    def list_column(result: LocalFields, value: Any) -> None:
        if value is None:
            value = []
        elif not isinstance(value, list):
            value = [value]
        result.standard[name] = value

    def scalar_column(result: LocalFields, value: Any) -> None:
        if isinstance(value, list):  # several attribute options into a scalar column
            value = ", ".join(str(item) for item in value)
        result.standard[name] = value

    def object_column(result: LocalFields, value: Any) -> None:  # default options, downloads
        result.standard[name] = value

    def attribute(result: LocalFields, value: Any) -> None:
        result.attributes[name] = value

    def custom_field(result: LocalFields, value: Any) -> None:
        result.custom_fields[name] = value

    if name == "dimensions":
        return dimensions
    if is_standard_local(name):
        if name in OBJECT_FIELDS:
            return object_column
        return list_column if name in LIST_FIELDS else scalar_column
    return attribute if from_attribute else custom_field


def map_product(
    woo: Mapping[str, Any], rules: ImportRules, slugs_by_id: Mapping[int, str] | None = None
) -> LocalFields:
    """The local fields for one store product under ``rules`` (no validation of type or SKU here)."""
    result = LocalFields()
    for _woo_field, present, read, write in rules.field_plan:
        if present is None or present in woo:
            write(result, read(woo))
    if rules.meta_fields:  # a plugin's object is left out, never flattened
        result.unfit = rules.unfit_fields(woo)
        for _woo_field, local, _what in result.unfit:
            result.standard.pop(local, None)
            result.custom_fields.pop(local, None)
    for entry in woo.get("attributes") or []:
        value = attribute_options(entry)
        if value is None:
            continue
        mapped = find_attribute_mapping(entry, rules.attribute_mappings, slugs_by_id)
        name = mapped or text(entry.get("name")) or attribute_slug(entry, slugs_by_id)
        if name:
            _put(result, name, value, from_attribute=True)
    defaults = result.standard.get(DEFAULT_OPTIONS)
    if woo.get("type") != "variable":  # only a variable product has default options
        result.standard.pop(DEFAULT_OPTIONS, None)
    elif defaults:  # only options the product lists (the store keeps one it no longer does)
        fitting = {
            name: option
            for name, option in defaults.items()
            if option in _options_of(result.attributes.get(name))
        }
        result.standard[DEFAULT_OPTIONS] = fitting or None
    if woo.get("type") != "external":  # the link and button only an external product has
        for woo_field in EXTERNAL_FIELDS:
            local = local_name(rules.field_mappings.get(woo_field, ""))
            if local in result.custom_fields and result.custom_fields[local] is None:
                del result.custom_fields[local]
    return result


def _options_of(value: Any) -> list[str]:
    return [str(o) for o in value] if isinstance(value, list) else [] if value is None else [value]


def needs_attribute_slugs(products: Sequence[Mapping[str, Any]], rules: ImportRules) -> bool:
    """True when a global attribute comes without ``slug`` and the mapping has slug keys to match."""
    if not any(key.startswith("pa_") for key in rules.attribute_mappings):
        return False
    return any(
        int(entry.get("id") or 0) and not entry.get("slug")
        for product in products
        for entry in product.get("attributes") or []
    )
