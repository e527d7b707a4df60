"""The match stage of export: which store product each product is, by link, SKU or trash.

A product never linked to this store is looked up by SKU (``?sku=A,B,...``, 100 per request) and
adopted when the store has it (unless another local product is linked to that store product),
else created. A trashed holder of a SKU is only looked for when a create failed (WooCommerce
refuses it; nothing trashed costs nothing) or in a dry run: restored with ``restore_trashed``,
else the product fails. During sending, :func:`recover_creates` and :func:`relink` look SKUs up
again: after a lost answer (a create the store may have applied is never sent twice), a refused
create (someone else's product holds the SKU) or an update of a store product that is gone.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Sequence
from typing import Any

from woosync.core.errors import param
from woosync.services.export import book, decide, variation_parents
from woosync.services.export.images import adopt_store_images
from woosync.services.export.records import linked_products
from woosync.services.export.registry import IMAGE
from woosync.services.export.state import CREATE, UNCHANGED, UPDATE, Item, Run
from woosync.services.sync import download_ids
from woosync.services.sync import targets as sync_targets
from woosync.services.sync.image_files import store_copies
from woosync.woo.api_limits import MAX_PER_PAGE

MAX_SINGLE_ATTEMPTS = 3  # a lone product whose batch keeps failing is given up after this many


StoreProducts = dict[str, list[dict[str, Any]]]  # folded SKU -> store products holding it


def match_unlinked(run: Run, items: Sequence[Item]) -> None:
    """Link never-linked products to the store's product with their SKU; the rest are created
    (a dry run also looks in the trash, where a real run waits for the store to refuse)."""
    if not items:
        return
    if run.global_slugs:
        decide.prepare_attributes_only(run)
    found = _store_products_by_sku(run, items)
    _load_owners(run, (int(hit["id"]) for i in items for hit in found.get(i.sku.casefold(), [])))
    for item in items:
        apply_hits(run, item, found.get(item.sku.casefold(), []))
    if run.options.dry_run:
        creates = [i for i in items if i.action == CREATE]
        if creates:
            check_trash(run, creates)


def lookup_skus(run: Run, skus: Sequence[str], *, trash: bool = False) -> StoreProducts:
    """Store products by SKU (folded), ``MAX_PER_PAGE`` SKUs per request, in parallel."""
    plain = [s for s in dict.fromkeys(skus) if s and "," not in s]
    groups = [plain[start : start + MAX_PER_PAGE] for start in range(0, len(plain), MAX_PER_PAGE)]
    groups += [[s] for s in dict.fromkeys(skus) if s and "," in s]

    def fetch(group: list[str]) -> list[dict[str, Any]]:
        wanted = ",".join(group)
        # "0" is PHP-empty: WooCommerce would drop the filter and list the whole store. The
        # store splits the value on commas, so "0,0" asks for SKU "0" alone.
        params: dict[str, Any] = {"sku": "0,0" if wanted == "0" else wanted, "context": "edit"}
        if trash:
            params["status"] = "trash"
        return run.client.list_all("/products", params, per_page=MAX_PER_PAGE, concurrency=1)

    found: StoreProducts = {}
    for products in run.parallel(fetch, groups):
        _index(found, products)
    return found


def _index(found: StoreProducts, products: Iterable[dict[str, Any]]) -> None:
    for product in products:
        found.setdefault(str(product.get("sku") or "").strip().casefold(), []).append(product)


def _store_products_by_sku(run: Run, items: Sequence[Item]) -> StoreProducts:
    """The store's products holding these items' SKUs, in the fewest requests.

    SKU lookups cost one request per 100 SKUs. When more than 100 are wanted, one request first
    asks how many products the store has: none (a first export to a new store) needs no lookup
    at all, for this chunk or any later one (a SKU this run did not create could only come from
    someone else, and the store's SKU uniqueness guards every create: see :func:`recover_creates`);
    a store with fewer products than SKUs wanted is cheaper to list whole.
    """
    if run.store_was_empty:
        return {}
    lookups = -(-len(items) // MAX_PER_PAGE)
    if lookups <= 1:
        return lookup_skus(run, [i.sku for i in items])
    _first, total, _pages = run.client.get_page("/products", {"_fields": "id"}, 1, per_page=1)
    if total == 0:
        run.store_was_empty = True
        return {}
    if -(-total // MAX_PER_PAGE) >= lookups:
        return lookup_skus(run, [i.sku for i in items])
    found: StoreProducts = {}
    _index(
        found,
        run.client.list_all(
            "/products",
            {"context": "edit"},
            per_page=MAX_PER_PAGE,
            concurrency=run.options.concurrency,
        ),
    )
    return found


def apply_hits(run: Run, item: Item, hits: Sequence[dict[str, Any]]) -> None:
    """Link to a hit; with none, the item is to be created."""
    products = [h for h in hits if h.get("type") != "variation"]
    variations = [h for h in hits if h.get("type") == "variation"]
    if products:
        hit = min(products, key=lambda p: int(p["id"]))
        if _may_adopt(run, item, hit):
            link_to(run, item, hit)
        return
    if variations:
        hit = variations[0]
        item.fail(
            f'SKU "{item.sku}" belongs to a variation in the store (#{hit["id"]} of product '
            f"#{hit.get('parent_id', 0)}); woosync exports simple products only: give the "
            "product another SKU"
        )
        return
    item.action = CREATE
    item.known.woo_id = 0
    item.keys = run.all_keys(item)


def link_to(run: Run, item: Item, product: dict[str, Any]) -> None:
    """Adopt the store's product holding our SKU (never linked before, or relinked)."""
    known = item.known
    known.woo_id = int(product["id"])
    item.store_product = product
    known.store_attributes = sync_targets.normalize_store_attributes(product.get("attributes"))
    # our URLs the store product already holds (a run that died before recording them), or
    # its own uploads of the same pictures (a store the shop ran before woosync: image_files)
    ours = item.values.get(sync_targets.IMAGES) or []
    adopt_store_images(run.registry, ours, product.get("images"))
    for store_id, url in store_copies(ours, product.get("images") or []).items():
        if run.registry.get(IMAGE, url) is None:
            run.registry.remember(IMAGE, url, int(store_id))
    for image in product.get("images") or []:  # the store's own URLs: never download them again
        src, image_id = image.get("src"), image.get("id")
        if src and image_id and run.registry.get(IMAGE, src) is None:
            run.registry.remember(IMAGE, str(src), int(image_id))
    # the store's own ids of the catalog's files, for its customers' links (sync.download_ids)
    files = download_ids.copies(
        item.values.get(sync_targets.DOWNLOADS), product.get("downloads"), None
    )
    shown = download_ids.to_catalog(product, files)
    held = sync_targets.store_values(run.targets, shown, run.attribute_ids())
    known.previous = sync_targets.fingerprints(run.targets, held)
    known.echoes, known.image_sources, known.conflicts = None, files or None, None
    decide.decide_linked(run, item)


def _load_owners(run: Run, woo_ids: Iterable[int]) -> None:
    """Learn which local products the sync records link to these store products."""
    wanted = [i for i in dict.fromkeys(woo_ids) if i and i not in run.owners]
    if not wanted:
        return
    with run.db.session() as session:
        found = linked_products(session, run.connection_id, wanted)
    for woo_id in wanted:
        run.owners[woo_id] = found.get(woo_id, set())


def _may_adopt(run: Run, item: Item, product: dict[str, Any]) -> bool:
    """False (and the item failed) when the store product holding the item's SKU is linked to
    another local product: adopting it would make two local products write one store product
    (a local SKU changed, and a new product took the old one)."""
    woo_id = int(product["id"])
    _load_owners(run, [woo_id])
    others = run.owners[woo_id] - {item.product_id}
    if not others:
        run.owners[woo_id] = {item.product_id}  # adopted in this run
        return True
    owner = min(others)
    item.fail(
        f'SKU "{item.sku}" is held by store product #{woo_id}, which is linked to local '
        f"product {owner}: export product {owner} first if its SKU changed, or give one of "
        "them another SKU"
    )
    item.known.woo_id = 0
    return False


def check_trash(run: Run, items: Sequence[Item]) -> list[Item]:
    """Items whose SKU a trashed product holds: restored (``restore_trashed``) or failed.

    Returns those that are still to be created (no trashed holder).
    """
    trashed = lookup_skus(run, [i.sku for i in items], trash=True)
    free: list[Item] = []
    for item in items:
        hits = [h for h in trashed.get(item.sku.casefold(), []) if h.get("type") != "variation"]
        if not hits:
            free.append(item)
            continue
        holder = min(hits, key=lambda p: int(p["id"]))
        if not _may_adopt(run, item, holder):
            continue
        if run.options.restore_trashed:
            link_to(run, item, holder)
            item.restore = True
            item.action = UPDATE
            item.keys = run.all_keys(item)
        else:
            item.fail(
                f'SKU "{item.sku}" is held by product #{holder["id"]} in the store\'s trash; '
                f"run again with {param('restore_trashed')} to restore and update it, or empty "
                "the trash"
            )
            item.known.woo_id = 0
    return free


def recover_creates(run: Run, items: list[Item], *, applied_unknown: bool) -> list[Item]:
    """Creates that failed or may have been applied: look up their SKUs before any retry.

    Found after a lost answer (``applied_unknown``): it is our create, done. Found after the
    store refused the item: someone else's product holds the SKU, link and update it. Not
    found: a trashed holder is reported (or restored); otherwise a lost create is sent again and
    a refused one is an error. Returns the items to send (again).
    """
    if not items:
        return []
    found = lookup_skus(run, [i.sku for i in items])
    again: list[Item] = []
    absent: list[Item] = []
    for item in items:
        hits = found.get(item.sku.casefold(), [])
        products = [h for h in hits if h.get("type") != "variation"]
        if applied_unknown and products:
            book.succeeded(run, item, min(products, key=lambda p: int(p["id"])))
            continue
        if hits:
            if item.attempts >= MAX_SINGLE_ATTEMPTS or item.relinked:
                item.fail(item.message or "the product could not be created")
                continue
            item.relinked = True
            apply_hits(run, item, hits)
            if _after_link(run, item):
                again.append(item)
            continue
        absent.append(item)
    if applied_unknown:
        return again + absent  # the create was lost, not refused: send it again
    for item in check_trash(run, absent) if absent else []:
        item.fail(item.message or "the product could not be created")
    for item in absent:
        if item.restore and not item.done:
            decide.rebuild(run, item, full=True)
            variation_parents.VariableWrites.of(run, [item]).complete([item])
            if not item.done:
                again.append(item)
    return again


def relink(run: Run, items: list[Item]) -> list[Item]:
    """Updates of a store product that no longer exists: find the SKU again, else create."""
    if not items:
        return []
    for item in items:
        item.relinked = True
        item.store_product = None
        item.known.store_attributes = None
        item.known.previous = {}
    gone = {item.product_id: item.woo_id for item in items}
    found = lookup_skus(run, [i.sku for i in items])
    again = []
    for item in items:
        apply_hits(run, item, found.get(item.sku.casefold(), []))
        if item.action == CREATE:
            run.warn(
                gone_again(item.sku, f"store product #{gone[item.product_id]}", run.connection_id)
            )
        if _after_link(run, item):
            again.append(item)
    return again


def gone_again(sku: str, what: str, connection_id: int) -> str:
    """The warning for a linked store product or variation deleted in the store and created again
    (an export makes the store hold what the catalog sends it)."""
    exclude = f"woosync products exclude {shlex.quote(sku)} --connection {connection_id}"
    return (
        f"{sku}: {what} is gone from the store (deleted there); it is created again. To keep it "
        f"out of this store: {exclude}"
    )


def _after_link(run: Run, item: Item) -> bool:
    """After (re)linking during the run: True when the item is to be sent (again)."""
    if item.done:
        return False
    if item.action == UNCHANGED:
        item.exported_fields = []
        item.done = True
        return False
    decide.rebuild(run, item, full=False)
    variation_parents.VariableWrites.of(run, [item]).complete([item])
    return not item.done


def plan_chunk(run: Run, items: list[Item]) -> list[Item]:
    """The plan stage for one chunk: each item's action and body; returns those to write."""
    decide.fail_case_twins(items)
    unlinked = []
    for item in items:
        if item.done:
            continue
        if item.woo_id:
            decide.decide_linked(run, item)
        else:
            unlinked.append(item)
    match_unlinked(run, unlinked)
    # a variable product's write carries its type and variation attributes (no fix-up after)
    variable = variation_parents.VariableWrites.of(run, items)
    return variable.complete(decide.prepare_writes(run, items))
