"""A partial export's look at the store before it writes: a field edited in the store since the
last sync is never overwritten unseen.

``export --partial`` (the cron job) and ``woosync update`` send the fields the catalog changed
since the last sync. The store may have changed one of them as well (a price edited in
WooCommerce since the last import): sending the catalog's value would overwrite that edit, and
nothing would ever show it. So the products about to be updated are read first (one request per
100, with the attribute merge's read: ``decide.load_store_state``), and each field to send is
compared, as an import compares it (``sync.conflicts.reconcile``), with what the store held at the
last sync: its echo, else the base. A field the store changed, to another value than the
catalog's, is a conflict: left out of the write, kept in the sync record and reported
(``heldConflicts``, the run's warning), and settled as an import's conflicts are
(``import --on-conflict``, an edit on either side, or a full export). A stock quantity is never
held (it goes out as a change, and the store's sales since are kept: ``sync.stock``), nor a field
WooCommerce works out from a variable product's variations, nor upsells, cross-sells and grouped
products: the store's ids read back as the catalog's SKUs of today, which a SKU renamed since the
last sync makes differ from the base without any edit in the store (an import takes a store's
edit of them: ``import --update-existing`` before the export).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from woosync.core.errors import StoreError
from woosync.services.export.registry import BRAND, CATEGORY
from woosync.services.export.state import UNCHANGED, UPDATE, Item, Run
from woosync.services.sync import stock
from woosync.services.sync import targets as sync_targets
from woosync.services.sync.category_paths import LISTING, CategoryPaths
from woosync.services.sync.conflicts import DERIVED_ON_A_VARIABLE, Conflict
from woosync.services.sync.echoes import with_catalog_images
from woosync.services.sync.prints import store_print
from woosync.services.sync.targets import LINKS

_TREES = {"categories": (CATEGORY, "/products/categories"), "brands": (BRAND, "/products/brands")}


def hold_store_edits(run: Run, items: Sequence[Item]) -> None:
    """Leave out of each update (read from the store: ``item.store_product``) the fields the store
    changed since the last sync to another value than the catalog's, as conflicts; an update
    left with nothing to send becomes ``unchanged`` (its conflicts are still booked:
    ``item.held``)."""
    slug_ids: dict[str, int] | None = None
    for item in items:
        woo = item.store_product
        if item.action != UPDATE or woo is None:
            continue
        derived = DERIVED_ON_A_VARIABLE if woo.get("type") == "variable" else frozenset()
        base = item.known.previous
        checked = [
            key
            for key in item.keys
            if key in base and key != stock.KEY and key not in derived and run.kinds[key] != LINKS
        ]
        if not checked:
            continue
        if slug_ids is None:
            slug_ids = run.attribute_ids()
        named = as_the_catalog_names(run, item)
        echoes = item.known.echoes or {}
        held: dict[str, dict[str, Any]] = {}
        for key in checked:
            last = (echoes.get(key, base[key]), base[key])
            found = store_edit(run.by_key[key], named, slug_ids, last, item.values.get(key))
            if found is not None:
                held[key] = found
        if held:
            item.known.conflicts = {**(item.known.conflicts or {}), **held}
            item.keys = [key for key in item.keys if key not in held]
            item.held = True
            if not item.keys and not item.restore:
                item.action = UNCHANGED


def store_edit(
    target: sync_targets.Target,
    woo: Mapping[str, Any],
    slug_ids: Mapping[str, int],
    last: tuple[str, ...],
    value: Any,
    current: str | None = None,
) -> dict[str, Any] | None:
    """The conflict (as the sync record keeps it) when the store's value of ``target`` in ``woo``
    (the store's product or variation, in the catalog's names) is none of the prints ``last``
    synced (the echo, the base) nor the catalog's ``value`` (its print ``current`` when made
    already); ``None`` when the store did not change it, or holds the catalog's value already."""
    printed = store_print(target, woo, slug_ids)
    if printed in last:
        return None
    if printed == (current or sync_targets.fingerprint(target.kind, value)):
        return None
    store = sync_targets.store_value(target, woo, slug_ids.get(target.woo))
    return Conflict(target.key, target.field, value, store).as_dict()


def as_the_catalog_names(run: Run, item: Item) -> Mapping[str, Any]:
    """The store product with what the catalog calls its images and categories: an image the
    store holds as its copy of a catalog image by that image's URL, a category (or brand) by its
    path (``Clothing > Tees``, not the store's bare ``Tees``), so that it compares with the
    catalog's values and the sync record's prints."""
    woo = item.store_product or {}
    wanted = {str(src) for src in item.values.get(sync_targets.IMAGES) or ()}
    sources = dict(item.known.image_sources or {})
    for image in woo.get("images") or []:
        media = str(image.get("id")) if isinstance(image, Mapping) else ""
        if media and media not in sources and wanted:
            known = run.registry.urls_of_image(int(media)) & wanted
            if len(known) == 1:
                sources[media] = known.pop()
    woo = with_catalog_images(woo, sources)
    for field in _TREES:
        terms = woo.get(field)
        if isinstance(terms, list) and terms:
            named = [
                {**term, "name": _path(run, field, int(term.get("id") or 0)) or term.get("name")}
                if isinstance(term, Mapping)
                else term
                for term in terms
            ]
            woo = {**woo, field: named}
    return woo


def _path(run: Run, field: str, term_id: int) -> str | None:
    """The path of the store's category (or brand) ``term_id``: as the registry knows it (the
    terms this store's exports resolved), else from the store's tree, listed once per run (a
    category added in the store, or one an import took)."""
    kind, route = _TREES[field]
    found = run.registry.category_path(term_id, kind)
    if found is not None or not term_id:
        return found
    tree = run.category_trees.get(field)
    if tree is None:
        try:
            listed = run.client.list_all(route, dict(LISTING))
        except StoreError:  # (no brands before WooCommerce 9.6): the store's bare names, then
            listed = []
        tree = run.category_trees[field] = CategoryPaths(listed, field)
    return tree.path(term_id)
