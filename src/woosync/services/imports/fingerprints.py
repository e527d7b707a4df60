"""What an import records for partial export: the store's values as export fingerprints.

When an import first links a product, its sync record's ``exported_values`` hold, for every export
target of the product, the fingerprint of what the store has *now* (made with the functions the export uses,
:func:`~woosync.services.sync.targets.store_values` and
:func:`~woosync.services.sync.targets.fingerprints`). ``woosync export --partial`` then compares the
local values with the store's: a product the import left unchanged costs no write; a local change
made after the import is sent. For a product already linked, only the fields the import reconciled
(:mod:`woosync.services.sync.echoes`) and those the store changed without owning them move. The targets are the
active export mapping's, plus every standard field and every local attribute of the product at its
default target, so a later ``--fields`` selection also finds its fingerprints.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Mapping
from typing import Any, NamedTuple

from woosync.core.errors import ValidationError
from woosync.core.fields import DIMENSION_PARTS, REQUIRED_FIELDS, STANDARD_FIELDS
from woosync.services.sync.prints import NOTHING, quick_store_print, remembered_raw_print
from woosync.services.sync.store_globals import fold, implicit_mappings, learnt
from woosync.services.sync.targets import (
    ATTRIBUTE_KINDS,
    DIMENSION,
    DIMENSIONS,
    GLOBAL_ATTRIBUTE,
    IMAGES,
    LOCAL_ATTRIBUTE,
    META,
    SCALAR,
    Target,
    normalize_store_attributes,
    resolve_targets,
)
from woosync.services.sync.variation_keys import global_slugs


class _Targets(NamedTuple):
    targets: list[Target]
    fields: dict[str, str]  # key -> the catalog field export reads


class Fingerprinter:
    """Fingerprints of store products for one connection, under its export mapping (if any)."""

    def __init__(
        self,
        selected_fields: Iterable[str] | None = None,
        field_mappings: Mapping[str, str] | None = None,
        known_globals: Mapping[str, str] | None = None,
    ) -> None:
        # the store's global attributes (folded name -> slug): an unmapped name goes to its own
        # (sync.store_globals), as export sends it
        self._known = dict(known_globals or {})
        self.field_mappings = dict(field_mappings or {})
        if selected_fields and self._known:
            selected_fields = list(selected_fields)
            implicit = implicit_mappings(selected_fields, self.field_mappings, self._known)
            self.field_mappings.update(implicit)
        self._by_field: dict[str, Target | None] = {}
        # by the product's attribute names: the targets and their key -> field table
        self._targets: dict[tuple[str, ...], _Targets] = {}
        base: list[Target] = []
        if selected_fields:
            try:
                base = resolve_targets([*REQUIRED_FIELDS, *selected_fields], self.field_mappings)
            except ValidationError:
                base = []  # a broken mapping: export will say so; fall back to defaults here
        self._base = base
        self._keys = {target.key for target in base}
        self._fields = {target.field for target in base}
        self._standard = [
            target for target in map(self._target, STANDARD_FIELDS) if target is not None
        ]

    def selected_targets(self) -> tuple[Target, ...]:
        """The targets of the export mapping's selected fields (none without a mapping)."""
        return tuple(self._base)

    def exported_keys(self) -> frozenset[str] | None:
        """The keys the export mapping sends; ``None`` without one (a run's ``--fields`` may
        send any)."""
        return frozenset(self._keys) if self._base else None

    def _target(self, name: str) -> Target | None:
        """The target export gives ``name`` (``None`` when it clashes with one already chosen)."""
        if name in self._fields:
            return None
        if name not in self._by_field:
            mappings = self.field_mappings
            if self._known and name not in mappings:
                mappings = {**mappings, **implicit_mappings([name], mappings, self._known)}
            try:
                resolved = resolve_targets([*REQUIRED_FIELDS, name], mappings)
            except ValidationError:
                resolved = []
            found = next((target for target in resolved if target.field == name), None)
            if found is not None and found.key in self._keys:
                found = None
            self._by_field[name] = found
        return self._by_field[name]

    def woo_fields(self) -> set[str]:
        """The top-level WooCommerce product fields these fingerprints read."""
        found = {"attributes"}
        for target in [*self._base, *self._standard]:
            if target.kind in ATTRIBUTE_KINDS:
                continue
            if target.kind == META:
                found.add("meta_data")
                continue
            found.add("dimensions" if target.woo in DIMENSION_PARTS else target.woo)
        return found

    @functools.cached_property
    def slugs(self) -> dict[str, str]:
        """Local attribute name -> the ``pa_`` slug the export mapping sends it to (what a
        variation's options are fingerprinted under, as the export does)."""
        return global_slugs(self._base)

    def slugs_for(self, names: Iterable[str], store_attributes: Iterable[Any]) -> dict[str, str]:
        """The slugs a variable product's variations' options are fingerprinted under, as its
        store copy holds them (``store_attributes``): a global attribute by its slug, a local
        one by its name. An export that sends one as the other kind (a mapping, or the store's
        global attribute of an unmapped name: sync.store_globals) then finds the options
        changed and sends its variations with the parent, so they move with it. An attribute
        the store copy lacks is fingerprinted as the export sends it."""
        entries = [e for e in store_attributes if isinstance(e, Mapping)]
        held = {fold(name): slug for slug, (_id, name) in learnt(entries).items()}
        local = {fold(str(e.get("name") or "")) for e in entries if not int(e.get("id") or 0)}
        found: dict[str, str] = {}
        lacked: list[str] = []
        for name in names:
            folded = fold(name)
            if folded in held:
                found[name] = held[folded]
            elif folded not in local:
                lacked.append(name)
        if lacked:
            sent = {**implicit_mappings(lacked, self.field_mappings, self._known), **self.slugs}
            found.update({name: sent[name] for name in lacked if name in sent})
        return found

    @functools.cached_property
    def exported_fields(self) -> dict[str, str]:
        """Key -> the catalog field export reads for it, for a product without attributes (a
        variation: its options are not attributes of its own)."""
        return self.fields_of(())

    def fields_of(self, attribute_names: Iterable[str]) -> dict[str, str]:
        """Key -> the catalog field export reads for it, for a product with these attributes
        (made once per set of names: do not change it)."""
        return self._targets_of(tuple(attribute_names)).fields

    def targets(self, attribute_names: Iterable[str]) -> list[Target]:
        return self._targets_of(tuple(attribute_names)).targets

    def _targets_of(self, names: tuple[str, ...]) -> _Targets:
        cached = self._targets.get(names)
        if cached is None:
            targets = self._choose(names)
            cached = self._targets[names] = _Targets(targets, {t.key: t.field for t in targets})
        return cached

    def _choose(self, attribute_names: tuple[str, ...]) -> list[Target]:
        chosen = list(self._base)
        keys = set(self._keys)
        for target in [*self._standard, *map(self._target, attribute_names)]:
            if target is not None and target.key not in keys:
                chosen.append(target)
                keys.add(target.key)
        return chosen

    def for_store_product(
        self,
        woo: Mapping[str, Any],
        attribute_names: Iterable[str],
        attribute_ids: Mapping[str, int] | None = None,
        *,
        skip: Collection[str] = (),
    ) -> dict[str, str]:
        """``exported_values`` for a product whose store state is ``woo`` (``context=edit``):
        export's ``fingerprints(targets, store_values(targets, woo, ids))``, the fingerprints of
        repeated values (status, type, prices, categories ...) remembered
        (:func:`~woosync.services.sync.prints.quick_store_print`); the keys in ``skip`` left out
        (made elsewhere)."""
        targets = self._targets_of(tuple(attribute_names)).targets
        ids = attribute_ids or {}
        own: dict[str, int] | None = None  # the product's own global attributes, by slug
        for entry in woo.get("attributes") or []:
            slug = entry.get("slug")
            if slug and entry.get("id") and str(slug) not in ids:
                own = own if own is not None else {}
                own.setdefault(str(slug), int(entry["id"]))
        if own:
            ids = {**own, **ids}
        found: dict[str, str] = {}
        remembered = remembered_raw_print
        for target in targets:
            key = target.key
            if key in skip:
                continue
            if target.kind == SCALAR:  # most targets: a short text seen before costs one lookup
                raw = woo.get(target.woo)
                if raw is None:
                    continue  # no value in the store
                printed = remembered(raw)
                if printed is None:
                    printed = quick_store_print(target, woo)
            else:
                if not woo.get(_SOURCES.get(target.kind) or target.woo):
                    continue  # nothing there (a variation's categories and tags): no value
                printed = quick_store_print(target, woo, ids.get(target.woo))
            if printed != NOTHING:  # the store has a value
                found[key] = printed
        return found


# what ``targets.store_value`` reads a target of each kind from, when not from ``target.woo``
# (an empty or missing one is no value: ``None``, whose print is NOTHING)
_SOURCES = {
    DIMENSIONS: "dimensions",
    DIMENSION: "dimensions",
    IMAGES: "images",
    GLOBAL_ATTRIBUTE: "attributes",
    LOCAL_ATTRIBUTE: "attributes",
    META: "meta_data",
}


def store_attribute_list(woo: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The product's attribute list as export keeps it (``ProductSync.store_attributes``)."""
    return normalize_store_attributes(woo.get("attributes") or [])
