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

from woosync.services.export.payload import RefResolver, build_payload
from woosync.services.sync import targets as sync_targets
from woosync.services.sync.variation_keys import (
    OPTIONS_KEY,
    VARIATION_SCALARS,
    global_slugs,
    options_print,
    store_options,
    variation_targets,
)

__all__ = [
    "OPTIONS_KEY",
    "VARIATION_SCALARS",
    "global_slugs",
    "options_payload",
    "options_print",
    "store_options",
    "variation_payload",
    "variation_targets",
]


def options_payload(
    options: Mapping[str, Any], slugs: Mapping[str, str], refs: RefResolver
) -> list[dict[str, Any]]:
    """The ``attributes`` of a variation: one ``{id|name, option}`` per option."""
    entries: list[dict[str, Any]] = []
    for name, option in options.items():
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
    return payload
