"""What a variation sends: its own fields through the export's targets, and its options.

A variation takes from the selected fields only what WooCommerce keeps on a variation (prices,
sale dates, stock, weight and dimensions, status, description, one image); its name, categories
and tags are its parent's, and its attributes are its options: one per variation attribute,
``{"id": attribute id, "option": "M"}`` for a global attribute (a local name the export mapping
sends to a ``pa_`` slug) or ``{"name": "Color", "option": "Red"}`` for a local one. The options
are fingerprinted under :data:`OPTIONS_KEY` like any other key, so ``--partial`` sends them only
when they changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from woosync.products.variations import ANY
from woosync.services.export import plan
from woosync.services.export.payload import RefResolver, build_payload
from woosync.services.export.select import field_readers
from woosync.services.sync import targets as sync_targets
from woosync.services.sync.variation_keys import (
    OPTIONS_KEY,
    VARIATION_SCALARS,
    global_slugs,
    options_print,
    store_options,
    variation_targets,
)

_PLAIN = (str, int, float, bool)
_MEMO_LIMIT = 50_000  # fingerprints of repeated values remembered per run

__all__ = [
    "OPTIONS_KEY",
    "VARIATION_SCALARS",
    "VariationValues",
    "fields_of_keys",
    "global_slugs",
    "options_payload",
    "options_print",
    "store_options",
    "variation_payload",
    "variation_targets",
]


def fields_of_keys(targets: Sequence[sync_targets.Target], keys: Iterable[str]) -> list[str]:
    """The catalog fields behind ``keys`` (a variation's options: ``attributes``), in the order
    of ``targets``."""
    wanted = set(keys)
    found = [t.field for t in targets if t.key in wanted]
    if OPTIONS_KEY in wanted:
        found.append("attributes")
    return found


def options_payload(
    options: Mapping[str, Any], slugs: Mapping[str, str], refs: RefResolver
) -> list[dict[str, Any]]:
    """The ``attributes`` of a variation: one ``{id|name, option}`` per option (an option "any"
    left out: the store takes any then)."""
    entries: list[dict[str, Any]] = []
    for name, option in options.items():
        if option == ANY:
            continue
        slug = slugs.get(name)
        if slug is not None:
            refs.check_terms(slug, [str(option)])
            entries.append({"id": refs.attribute_id(slug), "option": str(option)})
        else:
            entries.append({"name": name, "option": str(option)})
    return entries


def variation_payload(
    targets: Sequence[sync_targets.Target],
    values: Mapping[str, Any],
    keys: Iterable[str],
    refs: RefResolver,
) -> dict[str, Any]:
    """The body of one variation for the given keys (``targets`` from :func:`variation_targets`);
    a variation has one ``image``: the first of the images selected."""
    payload = build_payload(targets, values, keys, refs)
    images = payload.pop("images", None)
    if images:
        payload["image"] = images[0]
    elif images is not None:  # cleared: an empty object removes it (WooCommerce 11, checked)
        payload["image"] = {}
    return payload


class VariationValues:
    """What each catalog variation is in the export's terms: its values to send (through
    ``targets``, from :func:`variation_targets`), their fingerprints, and its options in store
    terms. Each field's reader is chosen once per run, and the fingerprints of plain values and
    of option sets are remembered: prices, stock and options repeat from variation to variation.
    """

    def __init__(self, targets: Sequence[sync_targets.Target], slugs: Mapping[str, str]) -> None:
        self.targets = targets
        self.slugs = slugs
        self.fields = [t.field for t in targets]
        self.readers = field_readers(self.fields)
        self.kinds = {t.key: t.kind for t in targets}
        self.memo: dict[Any, str] = {}

    def of(self, row: Any) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
        """(values, fingerprints incl. :data:`OPTIONS_KEY`, options) of one variation's row."""
        readers = self.readers
        values = plan.desired_values(self.targets, lambda name: readers[name](row))
        prints = {key: self._print(self.kinds[key], value) for key, value in values.items()}
        options = store_options(row.attributes or {}, self.slugs)
        memo_key = tuple(sorted(options.items()))
        found = self.memo.get(memo_key)
        if found is None:
            found = self._remember(memo_key, options_print(row.attributes or {}, self.slugs))
        prints[OPTIONS_KEY] = found
        return values, prints, options

    def _print(self, kind: str, value: Any) -> str:
        if type(value) not in _PLAIN:
            return sync_targets.fingerprint(kind, value)
        memo_key = (kind, type(value), value)  # True and 1 print differently
        found = self.memo.get(memo_key)
        if found is None:
            found = self._remember(memo_key, sync_targets.fingerprint(kind, value))
        return found

    def _remember(self, memo_key: Any, found: str) -> str:
        if len(self.memo) < _MEMO_LIMIT:
            self.memo[memo_key] = found
        return found
