"""Two-way sync: what each store answered (echoes), and the targets a field is compared under.

Per store and product the sync record keeps, per WooCommerce key (``regular_price``,
``dimensions``, ``attribute:pa_color`` ...; the keys of ``exported_values``):

- ``exported_values[key]``: the fingerprint of the catalog's value at the last sync (what an export
  sent, or what an import took): the *base*. ``export --partial`` sends a key whose catalog value no
  longer has this fingerprint.
- ``store_echoes[key]``: the fingerprint of what the store answered for it at that sync, kept only
  where it differs from the base (the store reformatted it: sanitised HTML, a renamed term); absent
  means "the same as the base". The store's entities, number spellings and term order never count
  (:func:`woosync.services.sync.targets.canonical`).
- ``image_sources``: store media id -> the catalog's source URL of an image woosync uploaded, so
  the store's copy (``http://STORE/wp-content/uploads/...``) maps back to the catalog's URL; and
  ``download:ID`` -> the catalog's id of a file the store holds under an id of its own
  (:mod:`woosync.services.sync.download_ids`).
- ``conflicts[key]``: a field changed on both sides since the last sync, with both values (the
  import's three-way decision is :mod:`woosync.services.sync.conflicts`).

An import compares the store's value with its echo: equal means "the store did not change it" and
the catalog is left alone. A store change comes in when the catalog did not change the field too;
when both changed (to different values) it is a conflict, resolved by ``on_conflict``; until then
``export --partial`` leaves the field out. Which fields are compared at all (those the import
mapping owns) is :mod:`woosync.services.imports.reconcile`'s business.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from woosync.core.fields import (
    DIMENSION_PARTS,
    STANDARD_FIELDS,
    is_global_attribute,
)
from woosync.core.meta_keys import is_meta_target, meta_key
from woosync.products.categories import category_leaf
from woosync.services.sync import download_ids, stock
from woosync.services.sync import targets as sync_targets
from woosync.services.sync.prints import catalog_print as catalog_print  # where it was first
from woosync.services.sync.prints import store_print as store_print
from woosync.services.sync.prints import value_print
from woosync.services.sync.product_links import LINK_FIELDS


@functools.lru_cache(maxsize=4096)
def key_target(local: str, woo_field: str) -> sync_targets.Target:
    """The export target (key, kind) a WooCommerce field is compared under, for the local field
    ``local`` that an import mapping fills from it."""
    if woo_field in DIMENSION_PARTS:
        return sync_targets.Target(
            local, f"dimensions.{woo_field}", sync_targets.DIMENSION, woo_field
        )
    if woo_field == "dimensions":
        return sync_targets.Target(local, "dimensions", sync_targets.DIMENSIONS, "dimensions")
    if woo_field in (
        sync_targets.IMAGES,
        sync_targets.CATEGORIES,
        sync_targets.TAGS,
        sync_targets.BRANDS,
        sync_targets.DEFAULTS,
        sync_targets.DOWNLOADS,
    ):
        return sync_targets.Target(local, woo_field, woo_field, woo_field)
    if woo_field in LINK_FIELDS:
        return sync_targets.Target(local, woo_field, sync_targets.LINKS, woo_field)
    if is_meta_target(woo_field):
        return sync_targets.Target(local, woo_field, sync_targets.META, meta_key(woo_field))
    return sync_targets.Target(local, woo_field, sync_targets.SCALAR, woo_field)


def attribute_target(local: str, entry: Mapping[str, Any], slug: str) -> sync_targets.Target:
    """The target of one store attribute entry (global by slug, local by name)."""
    if int(entry.get("id") or 0) and slug:
        return sync_targets.Target(local, f"attribute:{slug}", sync_targets.GLOBAL_ATTRIBUTE, slug)
    name = html.unescape(str(entry.get("name") or ""))
    return sync_targets.Target(local, f"attribute:{name}", sync_targets.LOCAL_ATTRIBUTE, name)


def conflict_target(local: str, key: str) -> sync_targets.Target:
    """The target a recorded conflict was compared under (from its key)."""
    if key.startswith("attribute:"):
        name = key.split(":", 1)[1]
        kind = (
            sync_targets.GLOBAL_ATTRIBUTE
            if is_global_attribute(name)
            else sync_targets.LOCAL_ATTRIBUTE
        )
        return sync_targets.Target(local, key, kind, name)
    return key_target(local, key.split(".", 1)[1] if key.startswith("dimensions.") else key)


def with_catalog_images(woo: Mapping[str, Any], sources: Mapping[str, str] | None) -> Any:
    """``woo`` with the images woosync uploaded given back their catalog source URLs (by media
    id), and its files their catalog ids (:func:`.download_ids.to_catalog`); an image added in
    the store keeps its store URL (it is a genuinely new image)."""
    if not sources:
        return woo
    woo = download_ids.to_catalog(woo, sources)
    images = woo.get("images")
    if not isinstance(images, list):
        return woo
    mapped = [
        {**image, "src": sources.get(str(image.get("id")), image.get("src"))}
        if isinstance(image, Mapping)
        else image
        for image in images
    ]
    return {**woo, "images": mapped}


def compact_echoes(echoes: Mapping[str, str], base: Mapping[str, str]) -> dict[str, str]:
    """Only the echoes that differ from the base (an absent echo means "equal to the base")."""
    return {key: value for key, value in echoes.items() if base.get(key) != value}


def learn_images(
    known: Mapping[str, str] | None, sources: Sequence[str], answered: Any
) -> dict[str, str]:
    """``image_sources`` after a write that sent ``sources`` and got ``answered`` (the store's
    images, in the same order): each store media id -> the catalog URL it stands for."""
    found = dict(known or {})
    if not isinstance(answered, list) or len(answered) != len(sources):
        return found
    for source, image in zip(sources, answered, strict=True):
        if isinstance(image, Mapping) and image.get("id"):
            if str(image.get("src") or "") == source:
                found.pop(str(image["id"]), None)  # the store's own URL: nothing to map back
            else:
                found[str(image["id"])] = source
    return found


def echoes_after_write(
    targets: Sequence[sync_targets.Target],
    sent: set[str],
    answer: Mapping[str, Any],
    payload: Mapping[str, Any],
    values: Mapping[str, Any],
    base: Mapping[str, str],
    echoes: Mapping[str, str] | None,
    sources: Mapping[str, str],
    slug_ids: Mapping[str, int],
) -> dict[str, str] | None:
    """The store echoes after an export wrote ``sent`` keys (``payload``, made from the local
    ``values``) and the store answered ``answer``. A value the store answered as it was sent echoes
    its base: no fingerprint is made for it (the common case; an export of 10,000 products would
    otherwise make 70,000 of them). A plain field answered with the very value sent is told by
    one comparison."""
    found = dict(echoes) if echoes else {}
    woo: Any = None
    for target in targets:
        key = target.key
        if key not in sent:
            continue
        if target.kind == sync_targets.SCALAR:
            sent_value = payload.get(target.woo)
            if sent_value is not None and answer.get(target.woo) == sent_value:
                same = type(answer.get(target.woo)) is type(sent_value)
            elif key == stock.KEY and stock.DELTA in payload and type(answer.get(key)) is int:
                # sent as a change and applied: a quantity other than the catalog's is the
                # store's own sales since, which the next import must take as the store's edit,
                # not as an echo (a store that no longer manages the stock ignored it: an echo)
                same = True
            else:
                same = _answered_as_sent(target, answer, payload, None, sources, slug_ids)
        else:
            same = _answered_as_sent(target, answer, payload, values.get(key), sources, slug_ids)
        if same:
            if found:
                found.pop(key, None)
            continue
        if woo is None:
            woo = with_catalog_images(answer, sources)
        found[key] = store_print(target, woo, slug_ids)
    return (compact_echoes(found, base) or None) if found else None


def _answered_as_sent(
    target: sync_targets.Target,
    answer: Mapping[str, Any],
    payload: Mapping[str, Any],
    value: Any,
    sources: Mapping[str, str],
    slug_ids: Mapping[str, int],
) -> bool:
    """Whether the store's answer for ``target`` has the fingerprint of the value sent, told
    without making either (False when unsure: the caller then compares fingerprints)."""
    same = _SAME.get(target.kind)
    return same is not None and same(target, answer, payload, value, sources, slug_ids)


def _same_scalar(
    target: sync_targets.Target,
    answer: Mapping[str, Any],
    payload: Mapping[str, Any],
    value: Any,
    sources: Mapping[str, str],
    slug_ids: Mapping[str, int],
) -> bool:
    sent, got = payload.get(target.woo), answer.get(target.woo)
    if sent is None or type(got) is not type(sent):
        return False
    # the store's "&amp;" for "&": what store_values unescapes before fingerprinting
    return bool(got == sent or (isinstance(got, str) and html.unescape(got) == sent))


def _same_images(
    target: sync_targets.Target,
    answer: Mapping[str, Any],
    payload: Mapping[str, Any],
    value: Any,
    sources: Mapping[str, str],
    slug_ids: Mapping[str, int],
) -> bool:
    """Each image is the store's copy of the source sent for it."""
    got = answer.get("images")
    if not isinstance(got, list) or not isinstance(value, list) or len(got) != len(value):
        return False
    return all(
        isinstance(image, Mapping) and sources.get(str(image.get("id")), image.get("src")) == source
        for source, image in zip(value, got, strict=True)
    )


def _same_terms(
    target: sync_targets.Target,
    answer: Mapping[str, Any],
    payload: Mapping[str, Any],
    value: Any,
    sources: Mapping[str, str],
    slug_ids: Mapping[str, int],
) -> bool:
    got = answer.get(target.woo)
    if not isinstance(got, list) or not isinstance(value, list):
        return False
    names = {html.unescape(str(t.get("name") or "")) for t in got if isinstance(t, Mapping)}
    if target.kind in _TREES:  # the store names the leaf of a path sent
        return names == {_leaf(path) for path in value}
    return names == set(value)


def _same_attribute(
    target: sync_targets.Target,
    answer: Mapping[str, Any],
    payload: Mapping[str, Any],
    value: Any,
    sources: Mapping[str, str],
    slug_ids: Mapping[str, int],
) -> bool:
    entries = answer.get("attributes") or []
    entry = sync_targets.find_attribute(entries, target, slug_ids.get(target.woo))
    if entry is None or not isinstance(value, list):
        return False
    options = entry.get("options") or []
    if options == value:  # answered as sent, in the order sent
        return all(type(o) is str and "&" not in o for o in options)
    return {html.unescape(str(o)) for o in options} == set(value)


def _same_dimensions(
    target: sync_targets.Target,
    answer: Mapping[str, Any],
    payload: Mapping[str, Any],
    value: Any,
    sources: Mapping[str, str],
    slug_ids: Mapping[str, int],
) -> bool:
    sent_parts = payload.get("dimensions")
    got = answer.get("dimensions")
    if not isinstance(sent_parts, Mapping) or not isinstance(got, Mapping):
        return False
    if target.kind == sync_targets.DIMENSION:
        return bool(got.get(target.woo) == sent_parts.get(target.woo))
    return {k: v for k, v in got.items() if v} == {k: v for k, v in sent_parts.items() if v}


def _same_meta(
    target: sync_targets.Target,
    answer: Mapping[str, Any],
    payload: Mapping[str, Any],
    value: Any,
    sources: Mapping[str, str],
    slug_ids: Mapping[str, int],
) -> bool:
    return value is not None and sync_targets.store_meta_value(answer, target.woo) == value


def _same_downloads(
    target: sync_targets.Target,
    answer: Mapping[str, Any],
    payload: Mapping[str, Any],
    value: Any,
    sources: Mapping[str, str],
    slug_ids: Mapping[str, int],
) -> bool:
    """The files answered with the ids, names and files sent, in the order sent."""
    return value is not None and sync_targets.store_downloads(answer) == value


_SAME: dict[str, Callable[..., bool]] = {
    sync_targets.SCALAR: _same_scalar,
    sync_targets.IMAGES: _same_images,
    sync_targets.CATEGORIES: _same_terms,
    sync_targets.TAGS: _same_terms,
    sync_targets.BRANDS: _same_terms,
    sync_targets.GLOBAL_ATTRIBUTE: _same_attribute,
    sync_targets.LOCAL_ATTRIBUTE: _same_attribute,
    sync_targets.DIMENSIONS: _same_dimensions,
    sync_targets.DIMENSION: _same_dimensions,
    sync_targets.META: _same_meta,
    sync_targets.DOWNLOADS: _same_downloads,
}


_TREES = frozenset({sync_targets.CATEGORIES, sync_targets.BRANDS})  # values are paths


def _leaf(path: Any) -> str:
    """``Mugs`` of ``Kitchen > Mugs`` (an import reads the path back from the store's tree)."""
    return _leaf_of(str(path))


@functools.lru_cache(maxsize=4096)  # a catalog's category paths repeat from product to product
def _leaf_of(path: str) -> str:
    try:
        return category_leaf(path)
    except ValueError:
        return path


def store_defaults(
    targets: Sequence[sync_targets.Target], answer: Mapping[str, Any], base: Mapping[str, str]
) -> dict[str, str]:
    """Echoes of the standard fields a create did not send (status, type, stock status ... as the
    store defaults them): not edits made in the store, so an import leaves them alone."""
    held = sync_targets.store_values(targets, answer)
    return {
        target.key: value_print(target.kind, held[target.key])
        for target in targets
        if target.key in held and target.key not in base
    }


def unsent_standard_targets(keys: Sequence[str]) -> list[sync_targets.Target]:
    """The default targets of the standard fields whose keys are not among ``keys``."""
    found = []
    for name, woo_field in STANDARD_FIELDS.items():
        target = key_target(name, woo_field)
        if target.key not in keys and target.key != "sku":
            found.append(target)
    return found
