"""From a store variation to the catalog's fields: pure functions.

A store variation (``GET /products/{id}/variations``) is mapped by the same import rules as a
product (:func:`~woosync.services.imports.fields.map_product`: ``regular_price -> price``, stock,
weight and dimensions, status, custom fields), with what a variation has differently:

- its options are ``attributes: [{id, name, slug, option}]``: each becomes ``{local name: option}``,
  the local name found as for a product's attribute (the import mapping's ``pa_size -> Size``, else
  the store's name), both spelled as the parent has them in the catalog when they differ only in
  case (the store lower-cases an option it did not know);
- an attribute its parent varies by that it does not name is any option of it (``*``, ANY);
- its one ``image`` is its ``images``;
- its name, categories and tags are its parent's (``products/variations.py``): the store's name
  (``L, Blue``) is not taken; the catalog names it ``parent name - options``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from woosync.products.variations import NOT_ON_A_VARIATION, VARIATION
from woosync.services.imports.fields import (
    ImportRules,
    LocalFields,
    attribute_slug,
    find_attribute_mapping,
    local_name,
    map_product,
)
from woosync.services.imports.reconcile import catalog_fields


def variation_options(
    variation: Mapping[str, Any],
    rules: ImportRules,
    slugs_by_id: Mapping[int, str] | None,
    allowed: Mapping[str, list[str]],
) -> dict[str, str]:
    """``{Size: "M", Color: "Red"}``: the variation's options under their local names
    (``allowed``: the parent's, ``products.variations.allowed_options()``, made once per parent)."""
    names = {name.casefold(): name for name in allowed}
    options: dict[str, str] = {}
    for entry in variation.get("attributes") or []:
        if not isinstance(entry, Mapping):
            continue
        option = html.unescape(str(entry.get("option") or "")).strip()
        name = _local_name(entry, rules, slugs_by_id, names)
        if not name or not option:
            continue
        spelled = [o for o in allowed.get(name, []) if o.casefold() == option.casefold()]
        options[name] = spelled[0] if spelled else option
    return options


def varied_names(
    parent: Mapping[str, Any],
    rules: ImportRules,
    slugs_by_id: Mapping[int, str] | None,
    allowed: Mapping[str, list[str]],
) -> tuple[str, ...]:
    """The local names of the attributes a store's variable product varies by (``variation:
    true``) that the catalog's product has (``allowed``): a variation that does not name one
    takes any option of it (:data:`ANY`)."""
    names = {name.casefold(): name for name in allowed}
    found = (
        _local_name(entry, rules, slugs_by_id, names)
        for entry in parent.get("attributes") or []
        if isinstance(entry, Mapping) and entry.get("variation")
    )
    return tuple(name for name in found if name in allowed)


def _local_name(
    entry: Mapping[str, Any],
    rules: ImportRules,
    slugs_by_id: Mapping[int, str] | None,
    names: Mapping[str, str],
) -> str:
    """A store attribute entry's local name, spelled as the parent has it in the catalog."""
    mapped = find_attribute_mapping(entry, rules.attribute_mappings, slugs_by_id)
    name = local_name(
        mapped or html.unescape(str(entry.get("name") or "")) or attribute_slug(entry)
    )
    return names.get(name.casefold(), name)


class OptionReader:
    """:func:`variation_options` for many variations with the same rules, remembered: a
    catalog's variations share a few option sets (and their parents the same options), so each
    distinct (parent options, store attribute entries) pair is worked out once."""

    def __init__(self, rules: ImportRules, slugs_by_id: Mapping[int, str] | None) -> None:
        self.rules = rules
        self.slugs_by_id = slugs_by_id
        self.memo: dict[Any, dict[str, str]] = {}

    def options(
        self,
        variation: Mapping[str, Any],
        allowed: Mapping[str, list[str]],
        allowed_key: Any,
    ) -> dict[str, str]:
        """:func:`variation_options` of ``variation`` under ``allowed`` (``allowed_key``:
        :func:`allowed_key` of it, made once per parent)."""
        entries = variation.get("attributes") or []
        try:
            key = (
                allowed_key,
                tuple(
                    (e.get("id"), e.get("name"), e.get("slug"), e.get("option")) for e in entries
                ),
            )
            found = self.memo.get(key)
        except (AttributeError, TypeError):  # an entry that is not an object, a list as a value
            return variation_options(variation, self.rules, self.slugs_by_id, allowed)
        if found is None:
            found = variation_options(variation, self.rules, self.slugs_by_id, allowed)
            if len(self.memo) < _MEMO_LIMIT:
                self.memo[key] = found
        return dict(found)


_MEMO_LIMIT = 4096


def allowed_key(allowed: Mapping[str, list[str]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A parent's options (``allowed_options``) as a key of :class:`OptionReader`'s memory."""
    return tuple((name, tuple(options)) for name, options in allowed.items())


def variation_fields(
    product_shaped: Mapping[str, Any],
    rules: ImportRules,
    slugs_by_id: Mapping[int, str] | None,
    options: Mapping[str, str],
) -> tuple[LocalFields, dict[str, Any]]:
    """A new variation's local fields and its catalog field dict (type, options; no name), from
    the variation in product shape (``sync.variation_keys.as_product``, made once: its sync
    record reads it too)."""
    local = map_product(product_shaped, rules, slugs_by_id)
    for key in NOT_ON_A_VARIATION:
        local.standard.pop(key, None)
    local.standard["type"] = VARIATION
    fields = catalog_fields(local)
    fields["attributes"] = dict(options)
    return local, fields
