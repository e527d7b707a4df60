"""The reconciling stage of an import: which store values come into a product the catalog has.

For a store product that matches a local product (``update_existing``), every field the import
mapping owns (:meth:`ImportRules.owns`; every store attribute under the default mapping, only the
mapped ones under an import mapping) is compared three ways (:func:`echoes.reconcile`): the
store's value against what the store answered at the last sync (its echo), the catalog's value
against what it held then. Only store edits come in; edits on both sides are conflicts. Images the
store holds as copies of catalog images are given back their catalog URLs first.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from woosync.services.catalog import field_value
from woosync.services.imports.fields import (
    ImportRules,
    LocalFields,
    attribute_options,
    attribute_slug,
    find_attribute_mapping,
    is_standard_local,
    local_name,
)
from woosync.services.sync import targets as sync_targets
from woosync.services.sync.echoes import (
    FieldState,
    Reconciled,
    attribute_target,
    key_target,
    reconcile,
    store_print,
    with_catalog_images,
)

if TYPE_CHECKING:
    from woosync.db.models import Product, ProductSync


def catalog_fields(local: LocalFields) -> dict[str, Any]:
    """``local`` in the catalog's field-dict form (explicit ``attribute:`` / ``custom:`` names)."""
    fields: dict[str, Any] = {}
    for name, value in local.custom_fields.items():
        fields[f"custom:{name}"] = _custom_value(value)
    for name, value in local.attributes.items():
        fields[f"attribute:{name}"] = value
    fields.update(local.standard)
    return fields


def _custom_value(value: Any) -> Any:
    if isinstance(value, dict):  # dimensions into one custom field: "30x20x5"
        return "x".join(str(part) for part in value.values() if part not in (None, "")) or None
    return value


@dataclass
class _Field:
    state: FieldState
    write: Callable[[LocalFields], None]  # puts the store's value into the catalog's fields

    def fields(self) -> dict[str, Any]:
        local = LocalFields()
        self.write(local)
        return catalog_fields(local)


# a variable product's fields WooCommerce works out from its variations (a variable product is
# created "outofstock" and turns "instock" when its variations come): never the parent's own edit
DERIVED_ON_A_VARIABLE = frozenset({"stock_status"})


def reconcile_product(
    woo: Mapping[str, Any],
    rules: ImportRules,
    slugs_by_id: Mapping[int, str] | None,
    product: Product,
    sync: ProductSync | None,
    on_conflict: str,
    image_sources: Mapping[str, str] | None = None,
    exported_fields: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any], Reconciled]:
    """The catalog fields to apply to ``product`` from the store product ``woo`` (``sku`` always),
    and the sync record's new base, echoes and conflicts. ``image_sources`` maps the store's media
    ids to the catalog URLs they are copies of; ``exported_fields`` the keys to the catalog field
    export reads for each (the catalog's side of a key is that field's value)."""
    woo = with_catalog_images(woo, image_sources)
    found = _owned_fields(woo, rules, slugs_by_id, product, exported_fields or {})
    result = reconcile(
        [item.state for item in found],
        (sync.exported_values or {}) if sync is not None else {},
        (sync.store_echoes or {}) if sync is not None else {},
        (sync.conflicts or {}) if sync is not None else {},
        on_conflict,
    )
    result.image_sources = _still_shown(image_sources, woo)
    taken = set(result.taken)
    fields: dict[str, Any] = {"sku": str(woo.get("sku") or "").strip()}
    for item in found:
        if item.state.target.key in taken:
            fields.update(item.fields())
    return fields, result


def _still_shown(sources: Mapping[str, str] | None, woo: Mapping[str, Any]) -> dict[str, str]:
    """The entries of ``sources`` for the images the store product still has."""
    if not sources:
        return {}
    ids = {str(image.get("id")) for image in woo.get("images") or [] if isinstance(image, Mapping)}
    return {key: value for key, value in sources.items() if key in ids}


def _owned_fields(
    woo: Mapping[str, Any],
    rules: ImportRules,
    slugs_by_id: Mapping[int, str] | None,
    product: Product,
    exported_fields: Mapping[str, str],
) -> list[_Field]:
    def state(
        target: sync_targets.Target,
        slug_ids: Mapping[str, int],
        value: Any,
        *,
        from_attribute: bool,
    ) -> FieldState:
        source = exported_fields.get(target.key, target.field)
        if source != target.field:
            compared = sync_targets.Target(source, target.key, target.kind, target.woo)
            current = field_value(product, source)
            # the catalog matches attribute names whatever their case: Color lands in color
            lands = from_attribute and source.casefold() == target.field.casefold()
            return FieldState(compared, store_print(compared, woo, slug_ids), value, current, lands)
        current = field_value(product, _catalog_name(target.field, from_attribute=from_attribute))
        return FieldState(target, store_print(target, woo, slug_ids), value, current)

    found: list[_Field] = []
    seen: set[str] = set()
    derived = DERIVED_ON_A_VARIABLE if woo.get("type") == "variable" else frozenset()
    for woo_field, always, read, write in rules.field_plan:
        if woo_field == "sku" or not rules.owns(woo_field) or not (always or woo_field in woo):
            continue
        if woo_field in derived:
            continue  # the store's summary of the variations, moved by their writes: no edit
        name = local_name(rules.field_mappings[woo_field])
        target = key_target(name, woo_field)
        if target.key in seen:
            continue
        seen.add(target.key)
        value = read(woo)
        found.append(_Field(state(target, {}, value, from_attribute=False), _writing(write, value)))
    for entry in woo.get("attributes") or []:
        value = attribute_options(entry)
        if value is None:
            continue
        mapped = find_attribute_mapping(entry, rules.attribute_mappings, slugs_by_id)
        if mapped is None and not rules.all_attributes:
            continue
        slug = attribute_slug(entry, slugs_by_id)
        name = local_name(mapped or html.unescape(str(entry.get("name") or "")) or slug)
        if not name:
            continue
        target = attribute_target(name, entry, slug)
        if target.key in seen:
            continue
        seen.add(target.key)
        ids = {slug: int(entry.get("id") or 0)} if slug else {}
        writing = _writing(partial(_attribute, name), value)
        found.append(_Field(state(target, ids, value, from_attribute=True), writing))
    return found


def _writing(
    write: Callable[[LocalFields, Any], None], value: Any
) -> Callable[[LocalFields], None]:
    return lambda local: write(local, value)


def _attribute(name: str, local: LocalFields, value: Any) -> None:
    """A store attribute into a standard field (options joined) or a local attribute."""
    if is_standard_local(name):
        local.standard[name] = value if not isinstance(value, list) else ", ".join(map(str, value))
    else:
        local.attributes[name] = value


def _catalog_name(name: str, *, from_attribute: bool) -> str:
    if name == "dimensions" or is_standard_local(name):
        return name
    return f"attribute:{name}" if from_attribute else f"custom:{name}"
