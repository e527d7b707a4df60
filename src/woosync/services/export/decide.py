"""The plan stage of export: each product's action and the body of its write.

- a linked product is updated: all its keys, or (``partial``) only those whose fingerprint changed
  since the last sync and are not in conflict; none changed -> ``unchanged``, nothing is sent;
- (products never linked go through ``match.py`` first: adopted or created)
- products to update whose attributes change get the store's current state first (WooCommerce
  replaces the attribute list whole: :func:`load_store_state`);
- names become this store's ids through the registry (created when missing:
  :func:`prepare_refs`), and :func:`build` makes the body (``payload.build_payload``).
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from typing import Any

from woosync.core.errors import SecretsError, StoreError, param
from woosync.services.export import clears
from woosync.services.export.payload import MissingRefError, build_payload
from woosync.services.export.registry import ATTRIBUTE
from woosync.services.export.state import CREATE, UNCHANGED, UPDATE, Item, Run
from woosync.services.export.store_edits import hold_store_edits
from woosync.services.sync import download_ids, stock
from woosync.services.sync import targets as sync_targets
from woosync.woo.api_limits import MAX_PER_PAGE

_NAME_LIST_KINDS = frozenset(
    {sync_targets.CATEGORIES, sync_targets.TAGS, sync_targets.BRANDS, *sync_targets.ATTRIBUTE_KINDS}
)


def fail_case_twins(items: Sequence[Item]) -> None:
    """WooCommerce compares SKUs without regard to case: a second SKU equal but for case fails."""
    seen: dict[str, int] = {}
    for item in items:
        first = seen.setdefault(item.sku.casefold(), item.product_id)
        if first != item.product_id:
            item.fail(
                f'SKU "{item.sku}" differs only in case from the SKU of product {first}; '
                "the store would treat them as one product"
            )


def prints(run: Run, item: Item) -> dict[str, str]:
    """``sync_targets.fingerprints`` of the item's values, made once per item. Those of name lists are
    remembered for the run: categories, tags and attribute options repeat from product to
    product (a fingerprint depends on nothing but the kind and the value)."""
    if item.prints is None:
        found: dict[str, str] = {}
        for key, value in item.values.items():
            kind = run.kinds.get(key)
            if kind is None:
                continue
            if kind in _NAME_LIST_KINDS:  # always a list of str (sync_targets.local_value)
                memo_key = (kind, *value)
                known = run.memo.get(memo_key)
                if known is None:
                    known = run.memo[memo_key] = sync_targets.fingerprint(kind, value)
                found[key] = known
            else:
                found[key] = sync_targets.fingerprint(kind, value)
        item.prints = found
    return item.prints


def decide_linked(run: Run, item: Item) -> None:
    """A product linked to a store product: update it (with ``partial``, only what changed). A
    field the catalog emptied since it held it with this store is cleared there (``clears``)."""
    emptied = clears.cleared(run.targets, item.values, item.known.previous)
    if emptied:
        item.values = {**item.values, **emptied}
        item.prints = None
    if not run.options.partial:
        item.keys = run.all_keys(item)
        item.action = UPDATE
        return
    current = prints(run, item)
    previous = item.known.previous
    # a field in conflict waits for a decision (import --on-conflict, an edit, or a full
    # export): a partial export, the one cron runs, never settles it for the shop owner
    held = item.known.conflicts or {}
    item.keys = [
        k for k in run.keys if k in current and previous.get(k) != current[k] and k not in held
    ]
    item.action = UPDATE if item.keys else UNCHANGED


def held_conflicts(run: Run, item: Item) -> list[str]:
    """Fields a partial export leaves out because they are in conflict (their local value
    changed since the last sync, and the store's did too)."""
    conflicts = item.known.conflicts
    if not run.options.partial or not conflicts or not item.woo_id:
        return []
    current = prints(run, item)
    return [
        t.field
        for t in run.targets
        if t.key in conflicts
        and t.key in current
        and item.known.previous.get(t.key) != current[t.key]
    ]


def sendable(run: Run, item: Item) -> dict[str, Any]:
    """The values a write may carry: with ``partial``, an attribute in conflict is left out
    (the merged attribute list keeps the store's entry), as every other field in conflict."""
    conflicts = item.known.conflicts
    if not run.options.partial or not conflicts:
        return item.values
    return {k: v for k, v in item.values.items() if k not in conflicts}


def sent_keys(run: Run, item: Item) -> set[str]:
    """Keys a write actually carries: any attribute key sends all our attributes."""
    keys = set(item.keys)
    if keys & run.attribute_keys:
        keys |= run.attribute_keys & set(sendable(run, item))
    return keys


def prepare_attributes_only(run: Run) -> None:
    """The store's ids of the global attributes exported (to compare a store product's attributes
    with ours before adopting it); none is created here."""
    if all(run.registry.get(ATTRIBUTE, slug) is not None for slug in run.global_slugs):
        return
    run.registry.prepare(
        run.client,
        attributes={slug: (label, ()) for slug, label in run.global_slugs.items()},
        create=False,
    )
    for slug in run.global_slugs:  # not an error yet: a product may not use it at all
        run.registry.missing.pop((ATTRIBUTE, slug), None)


def prepare_writes(run: Run, items: Sequence[Item]) -> list[Item]:
    """The store state, the ids and (unless a dry run) the body of every write planned; returns
    the items to write."""
    dry_run = run.options.dry_run
    writing = [i for i in items if i.action in (CREATE, UPDATE) and not i.done]
    partial = run.options.partial
    load_store_state(run, writing, with_products=dry_run or partial)
    if partial:  # never over a field edited in the store since the last sync
        hold_store_edits(run, writing)
        writing = [i for i in writing if i.action != UNCHANGED and not i.done]
    prepare_refs(run, writing, create=run.options.create_terms and not dry_run)
    if not dry_run:
        for item in writing:
            if not item.done:
                build(run, item)
    return [i for i in writing if not i.done]


def load_store_state(run: Run, items: Sequence[Item], *, with_products: bool) -> None:
    """Read the store's current state of products to update whose attributes change (and, for
    a dry run or a partial export, of every product to update: ``store_edits``).

    WooCommerce replaces the attribute list whole, so a merge must start from the list the
    store has now, not the one we last wrote: else an attribute a shop manager added since is
    dropped. It costs one request per 100 such products; price-only updates need none.
    """
    wanted = [
        i
        for i in items
        if i.action == UPDATE
        and i.store_product is None
        and (with_products or run.attribute_keys & set(i.keys))
    ]
    if not wanted:
        return
    by_id = {i.woo_id: i for i in wanted}
    ids = list(by_id)

    def fetch(group: list[int], trash: bool) -> list[dict[str, Any]]:
        params = {"include": ",".join(str(i) for i in group), "context": "edit"}
        if trash:
            params["status"] = "trash"
        try:
            return run.client.list_all("/products", params, per_page=MAX_PER_PAGE, concurrency=1)
        except (StoreError, SecretsError) as exc:  # these products fail, as a write would
            for woo_id in group:
                by_id[woo_id].fail(f"could not read the store product before updating it: {exc}")
            return []

    def take(groups: list[list[int]], trash: bool) -> None:
        for products in run.parallel(lambda group: fetch(group, trash), groups):
            if run.links is not None:  # their upsells and cross-sells by SKU, as the catalog's
                run.links.name(run, products)
            run.term_names.name_defaults(products)  # and their default options by term name
            for product in products:
                item = by_id.get(int(product.get("id") or 0))
                if item is not None:
                    item.store_product = product
                    item.known.store_attributes = sync_targets.normalize_store_attributes(
                        product.get("attributes")
                    )
                    if trash:
                        in_trash(run, item)

    take(_groups(ids), trash=False)
    # ``include`` does not see the trash: look there for the rest before merging attributes
    # with nothing (and wiping the store's) or planning an update of a trashed product
    take(_groups([i.woo_id for i in wanted if i.store_product is None and not i.done]), trash=True)
    for item in wanted:
        if item.known.store_attributes is None:
            item.known.store_attributes = []


def _groups(ids: list[int]) -> list[list[int]]:
    return [ids[s : s + MAX_PER_PAGE] for s in range(0, len(ids), MAX_PER_PAGE)]


def in_trash(run: Run, item: Item) -> None:
    """The store product linked to ``item`` is in the trash: with ``restore_trashed`` the
    update restores it, otherwise the product fails (an update would leave it trashed)."""
    if run.options.restore_trashed:
        item.restore = True
        return
    exclude = f"woosync products exclude {shlex.quote(item.sku)} --connection {run.connection_id}"
    item.fail(
        f'store product #{item.woo_id} (SKU "{item.sku}") is in the store\'s trash; run again '
        f"with {param('restore_trashed')} to restore and update it, or keep it out of this "
        f"store ('{exclude}')"
    )


def prepare_refs(run: Run, items: Sequence[Item], *, create: bool) -> None:
    """This store's ids of the categories, tags, brands and attributes these writes name (created
    when missing and ``create``; else recorded in ``registry.missing``)."""
    categories: set[str] = set()
    tags: set[str] = set()
    brands: set[str] = set()
    attributes: dict[str, tuple[str, set[str]]] = {}
    naming = [t for t in run.targets if t.kind in _NAMING_KINDS]  # the others name nothing
    for item in items if naming else ():
        keys = sent_keys(run, item)
        for target in naming:
            if target.key not in keys or not item.values.get(target.key):
                continue
            value = item.values[target.key]
            if target.kind == sync_targets.CATEGORIES:
                categories.update(value)
            elif target.kind == sync_targets.TAGS:
                tags.update(value)
            elif target.kind == sync_targets.BRANDS:
                brands.update(value)
            elif target.kind == sync_targets.GLOBAL_ATTRIBUTE:
                attributes.setdefault(target.woo, (target.field, set()))[1].update(value)
    if categories or tags or brands or attributes:
        run.registry.prepare(
            run.client,
            categories=categories,
            tags=tags,
            brands=brands,
            attributes=attributes,
            create=create,
        )
    if run.links is not None:  # upsells and cross-sells: this store's ids of their SKUs
        run.links.prepare(run, items)


_NAMING_KINDS = frozenset(
    {sync_targets.CATEGORIES, sync_targets.TAGS, sync_targets.BRANDS, sync_targets.GLOBAL_ATTRIBUTE}
)


def build(run: Run, item: Item) -> None:
    """The body of the item's write (the item fails when a name cannot be resolved)."""
    try:
        body = build_payload(
            run.targets, sendable(run, item), item.keys, run.registry, item.known.store_attributes
        )
    except MissingRefError as exc:
        reason = str(exc)
        if not run.options.create_terms and "does not exist" in reason:
            reason += f" ({param('no_create_terms')} is set)"
        item.fail(reason)
        return
    if item.restore:
        body["status"] = item.values.get("status") or "publish"
    elif item.action == CREATE and item.unpublished:  # never published where the catalog is not
        body["status"] = item.unpublished
    elif item.action == UPDATE and not item.relinked:  # a sale made since stays (sync.stock)
        stock.as_change(body, item.known.previous)
    if item.action == CREATE and item.created_type:  # never a simple product the store sells
        body["type"] = item.created_type
    if run.links is not None:
        run.links.fill(item, body, dry_run=run.options.dry_run)
    download_ids.in_store_ids(body, item.known.image_sources)  # this store's own file ids
    item.payload = body


def rebuild(run: Run, item: Item, *, full: bool) -> None:
    """Build again after the item was (re)linked during the run (``full``: every key)."""
    if full:
        item.keys = run.all_keys(item)
    prepare_refs(run, [item], create=run.options.create_terms)
    build(run, item)
