"""The reconciling stage of an import: which store values come into a product the catalog has.

For a store product that matches a local product (``update_existing``), every field the import
mapping owns (:meth:`ImportRules.owns`; every store attribute under the default mapping, only the
mapped ones under an import mapping) is compared three ways (:func:`conflicts.reconcile`): the
store's value against what the store answered at the last sync (its echo), the catalog's value
against what it held then. Only store edits come in; edits on both sides are conflicts. Images the
store holds as copies of catalog images are given back their catalog URLs first.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from woosync.core.errors import ValidationError
from woosync.core.fields import DIMENSION_PARTS, STANDARD_FIELDS
from woosync.services.catalog.reading import field_value
from woosync.services.imports.fields import (
    ImportRules,
    LocalFields,
    attribute_options,
    attribute_slug,
    find_attribute_mapping,
    is_standard_local,
    local_name,
    read_when,
)
from woosync.services.sync import download_ids
from woosync.services.sync import targets as sync_targets
from woosync.services.sync.conflicts import (
    DERIVED_ON_A_VARIABLE,
    FieldState,
    Reconciled,
    reconcile,
)
from woosync.services.sync.echoes import attribute_target, key_target, with_catalog_images
from woosync.services.sync.prints import NOTHING, catalog_print, quick_store_print

if TYPE_CHECKING:
    from woosync.db.models import Product
    from woosync.services.catalog.stored import StoredProduct
    from woosync.services.imports.links import Link


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


@dataclass(slots=True)
class _Field:
    state: FieldState
    write: Callable[[LocalFields, Any], None]  # puts the store's value into the catalog's fields

    def fields(self) -> dict[str, Any]:
        local = LocalFields()
        self.write(local, self.state.store_value)
        return catalog_fields(local)


def reconcile_product(
    woo: Mapping[str, Any],
    rules: ImportRules,
    slugs_by_id: Mapping[int, str] | None,
    product: Product | StoredProduct,
    sync: Link | None,
    on_conflict: str,
    image_sources: Mapping[str, str] | None = None,
    exported_fields: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any], Reconciled]:
    """The catalog fields to apply to ``product`` from the store product ``woo`` (``sku`` always),
    and the sync record's new base, echoes and conflicts. ``image_sources`` maps the store's media
    ids to the catalog URLs they are copies of; ``exported_fields`` the keys to the catalog field
    export reads for each (the catalog's side of a key is that field's value).

    A field whose store print equals its echo (the store did not change it: nearly every field of
    a re-import) costs its print and nothing more; the others are read whole (the store's value
    in local terms, the catalog's when needed) and decided by :func:`conflicts.reconcile`."""
    held, woo = woo, with_catalog_images(woo, image_sources)
    base = (sync.exported_values or {}) if sync is not None else {}
    echoes = (sync.store_echoes or {}) if sync is not None else {}
    found: list[_Field] = []
    unchanged: list[str] = []
    compared: set[str] = set()
    for owned in _owned(woo, rules, slugs_by_id, exported_fields or {}):
        key, printed = owned[0].key, owned[1]
        compared.add(key)
        echo = echoes[key] if key in echoes else base.get(key)
        if echo == printed or (echo is None and printed == NOTHING):
            unchanged.append(key)  # as the store had it, or nothing in the store nor the base
        else:
            found.append(_Field(_state(owned, woo, product), owned[4]))
    conflicts = (sync.conflicts or {}) if sync is not None else {}
    if conflicts.keys() - compared:  # a field the import no longer owns is in no conflict
        conflicts = {key: both for key, both in conflicts.items() if key in compared}
    result = reconcile(
        [item.state for item in found], base, echoes, conflicts, on_conflict, unchanged=unchanged
    )
    for exc in result.refused:
        if exc.target.kind != sync_targets.META:  # a plugin's object in a meta key is left out
            value = exc.value if isinstance(exc.value, str) else sync_targets.text(exc.value)
            raise ValidationError(  # (ImportRules.unfit_fields); any other value fails the product
                f"the store's {exc.target.woo} {value!r} cannot go to the catalog's "
                f"{exc.target.field}: {exc.reason}"
            )
    result.image_sources = _still_shown(image_sources, woo, held)
    fields: dict[str, Any] = {"sku": _sku(woo, product, sync is not None, echoes, base)}
    if result.taken:
        taken = set(result.taken)
        for item in found:
            if item.state.target.key in taken:
                fields.update(item.fields())
    return fields, result


_SKU = key_target("sku", "sku")


def sku_print(sku: str | None) -> str:
    """The fingerprint of a SKU, as export makes it (the base an import compares the store's
    SKU with)."""
    return catalog_print(_SKU, sku)


def _sku(
    woo: Mapping[str, Any],
    product: Product | StoredProduct,
    linked: bool,
    echoes: Mapping[str, str],
    base: Mapping[str, str],
) -> str:
    """The SKU the catalog product takes: the store's, unless the product is matched by its link
    and the store still has the SKU it had at the last sync. Then a SKU changed in the catalog,
    or taken from another store since, stays (the next export sends it), instead of going back
    and forth with each store imported."""
    store = str(woo.get("sku") or "").strip()
    if linked and product.sku and store != product.sku:
        echo = echoes["sku"] if "sku" in echoes else base.get("sku")
        if echo is not None and sku_print(store) == echo:
            return str(product.sku)
    return store


def first_sync(
    woo: Mapping[str, Any],
    rules: ImportRules,
    slugs_by_id: Mapping[int, str] | None,
    exported_fields: Mapping[str, str],
    known: Mapping[str, str],
) -> Reconciled | None:
    """For a store product just imported (new in the catalog): what the next import would take
    of the fields the import owns whose key is not among export's (``exported_fields``; the
    store's fingerprints ``known`` hold those the store has a value for): a global attribute the
    export sends under a local name, a field the export mapping sends elsewhere. So its record is
    written whole now and an unchanged re-import has nothing to add. ``None`` when there are none
    (the common case)."""
    found = _owned(woo, rules, slugs_by_id, exported_fields, known)
    states = [_state(owned, woo, None) for owned in found]
    return reconcile(states, {}, {}, {}, "store") if states else None


def _still_shown(
    sources: Mapping[str, str] | None, woo: Mapping[str, Any], held: Mapping[str, Any]
) -> dict[str, str]:
    """The entries of ``sources`` for the images the store product still has, and for its files
    (``held``: the product as the store answered it, its files under its own ids)."""
    if not sources:
        return {}
    ids = {str(image.get("id")) for image in woo.get("images") or [] if isinstance(image, Mapping)}
    found = {key: value for key, value in sources.items() if key in ids}
    return {**found, **download_ids.still_held(sources, held)}


# One field the import owns that the store product has: the target it is compared under (the
# catalog's side: the field export reads for its key), the store's print, how to read the store's
# value (``read``; None: ``value`` is it), how to write it, the catalog field holding its value
# and whether taking it sets its base. A plain tuple: a re-import makes one per field and product.
_Owned = tuple[
    sync_targets.Target,
    str,
    Callable[[Mapping[str, Any]], Any] | None,
    Any,
    Callable[[LocalFields, Any], None],
    str,
    bool,
]


def _state(
    owned: _Owned, woo: Mapping[str, Any], product: Product | StoredProduct | None
) -> FieldState:
    """The field whole, for :func:`conflicts.reconcile` (the store changed it, or it is new)."""
    target, printed, read, value, _write, name, lands = owned
    return FieldState(
        target,
        printed,
        read(woo) if read is not None else value,
        lands_in_base=lands,
        read_catalog=(lambda: field_value(product, name)) if product is not None else None,
    )


def _owned(
    woo: Mapping[str, Any],
    rules: ImportRules,
    slugs_by_id: Mapping[int, str] | None,
    exported_fields: Mapping[str, str],
    known: Mapping[str, str] | None = None,
) -> Iterator[_Owned]:
    """The fields the import owns that the store product has, each with the store's print (made
    once per field); with ``known``, only the keys neither it nor ``exported_fields`` has."""
    derived = DERIVED_ON_A_VARIABLE if woo.get("type") == "variable" else frozenset()
    for woo_field, target, read, write in rules.owned_plan:  # one key each
        present = read_when(woo_field)
        if (present is not None and present not in woo) or woo_field in derived:
            continue  # derived: the store's summary of the variations, moved by their writes
        key = target.key
        if known is not None and (key in known or key in exported_fields):
            continue
        source = exported_fields.get(key, target.field)
        if source == target.field:
            name = _CATALOG_NAMES.get(source) or _catalog_name(source, from_attribute=False)
            yield (target, quick_store_print(target, woo), read, None, write, name, True)
        else:
            yield _compared(target, source, woo, None, read, None, write, False)
    seen: set[str] = set()
    for entry in woo.get("attributes") or []:
        value = attribute_options(entry)
        if value is None:
            continue
        mapped = find_attribute_mapping(entry, rules.attribute_mappings, slugs_by_id)
        if mapped is None and not rules.all_attributes and not entry.get("variation"):
            continue  # the attributes a variable product varies by always come in (its options)
        slug = attribute_slug(entry, slugs_by_id)
        name = local_name(mapped or html.unescape(str(entry.get("name") or "")) or slug)
        if not name:
            continue
        target = attribute_target(name, entry, slug)
        if target.key in seen:
            continue
        seen.add(target.key)
        if known is not None and (target.key in known or target.key in exported_fields):
            continue
        attribute_id = int(entry.get("id") or 0) if slug else None
        writing = partial(_attribute, name)
        source = exported_fields.get(target.key, target.field)
        yield _compared(target, source, woo, attribute_id, None, value, writing, True)


def _compared(
    target: sync_targets.Target,
    source: str,
    woo: Mapping[str, Any],
    attribute_id: int | None,
    read: Callable[[Mapping[str, Any]], Any] | None,
    value: Any,
    write: Callable[[LocalFields, Any], None],
    from_attribute: bool,
) -> _Owned:
    """The field under the target it is compared under (``source``: the catalog field export
    reads for its key), with the store's print."""
    if source != target.field:  # export reads another catalog field for this key
        compared = sync_targets.Target(source, target.key, target.kind, target.woo)
        # the catalog matches attribute names whatever their case: Color lands in color
        lands = from_attribute and source.casefold() == target.field.casefold()
        printed = quick_store_print(compared, woo, attribute_id)
        return (compared, printed, read, value, write, source, lands)
    name = _catalog_name(target.field, from_attribute=from_attribute)
    printed = quick_store_print(target, woo, attribute_id)
    return (target, printed, read, value, write, name, True)


def _attribute(name: str, local: LocalFields, value: Any) -> None:
    """A store attribute into a standard field (options joined) or a local attribute."""
    if is_standard_local(name):
        local.standard[name] = value if not isinstance(value, list) else ", ".join(map(str, value))
    else:
        local.attributes[name] = value


def _catalog_name(name: str, *, from_attribute: bool) -> str:
    """The catalog field holding a store field's value (``attribute:X`` / ``custom:X`` for
    other names than the standard ones)."""
    if name == "dimensions" or is_standard_local(name):
        return name
    return f"attribute:{name}" if from_attribute else f"custom:{name}"


_CATALOG_NAMES = {name: name for name in (*STANDARD_FIELDS, *DIMENSION_PARTS, "dimensions")}
