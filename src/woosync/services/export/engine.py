"""The execution layer of export: match products to the store, send batches, keep the books.

One :class:`ExportRun` exports a list of products to one store:

1. every product gets its desired values (``export_plan``) and an action: linked products are
   updated (with ``partial``, only the keys whose fingerprint changed; none changed -> no write);
   products never linked are looked up by SKU in batches (``?sku=A,B,...``) and linked to what
   the store has, else created;
2. names are resolved to this store's ids through the registry (created when missing); an image
   URL the store lacks goes by ``src`` in one write only, the products sharing it wait for that
   answer and send the id it got;
3. writes go through ``/products/batch``, ``concurrency`` requests in flight; a batch that times out
   or fails with 5xx/413/429 is checked against the store (a create it may have applied is looked up
   by SKU before anything is sent again, so nothing is created twice) and split; the batch size
   grows back after fast batches; a per-item error marks only that product;
4. sync records and registry rows are written in one transaction per batch.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from woosync.core.timeutil import iso, utcnow
from woosync.services.export import plan
from woosync.services.export.records import SyncRow, linked_products, write_syncs
from woosync.services.export.registry import ATTRIBUTE, CATEGORY, IMAGE, StoreRegistry, category_key

if TYPE_CHECKING:
    from woosync.db.engine import Database
    from woosync.woo import BatchResult, WooClient

log = logging.getLogger("woosync.export")

MAX_BATCH = 100  # WooCommerce refuses more than 100 items per batch request (HTTP 413)
SKU_LOOKUP_CHUNK = 100
FAST_BATCH_SECONDS = 5.0  # a batch answered quicker than this lets the batch size grow back
MAX_SINGLE_ATTEMPTS = 3  # a lone product whose batch keeps failing is given up after this many
MAX_FAILURE_STREAK = 8  # this many failed batches in a row: the store is down, stop the run
RETRY_PAUSE = 0.25  # seconds, doubled per failure in a row (capped at 5 s)

CREATE = "create"
UPDATE = "update"
UNCHANGED = "unchanged"
ERROR = "error"

_NAME_LIST_KINDS = frozenset({plan.CATEGORIES, plan.TAGS, *plan.ATTRIBUTE_KINDS})


@dataclass
class Item:
    """One product in a run: what we want in the store, what we know of it, what happens to it."""

    product_id: int
    sku: str
    values: dict[str, Any]
    woo_id: int = 0
    previous: dict[str, Any] = field(default_factory=dict)  # fingerprints of the last export
    store_attributes: list[dict[str, Any]] | None = None
    last_exported_at: datetime | None = None
    prior_status: str | None = None
    prior_fields: list[str] | None = None
    action: str = ""
    keys: list[str] = field(default_factory=list)
    payload: dict[str, Any] | None = None
    message: str | None = None
    restore: bool = False
    store_product: dict[str, Any] | None = None
    attempts: int = 0
    relinked: bool = False
    image_retry: bool = False
    prints: dict[str, str] | None = None  # fingerprints of ``values``, made once
    exported_fields: list[str] = field(default_factory=list)
    exported_at: datetime | None = None
    done: bool = False
    # the two-way sync's memory of this store (see sync_echoes): kept, updated for what is sent
    echoes: dict[str, str] | None = None
    image_sources: dict[str, str] | None = None
    conflicts: dict[str, Any] | None = None

    def fail(self, message: str) -> None:
        self.action = ERROR
        self.message = message
        self.done = True


class ExportRun:
    def __init__(
        self,
        db: Database,
        connection_id: int,
        client: WooClient,
        targets: Sequence[plan.Target],
        items: Sequence[Item],
        registry: StoreRegistry,
        *,
        partial: bool,
        concurrency: int = 4,
        batch_size: int = MAX_BATCH,
        create_terms: bool = True,
        restore_trashed: bool = False,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.db = db
        self.connection_id = connection_id
        self.client = client
        self.targets = list(targets)
        self.items = list(items)
        self.registry = registry
        self.partial = partial
        self.concurrency = max(1, int(concurrency))
        self.batch_size = max(1, min(int(batch_size), MAX_BATCH))
        self.create_terms = create_terms
        self.restore_trashed = restore_trashed
        self.progress = progress
        self.keys = [t.key for t in self.targets]
        self.kinds = {t.key: t.kind for t in self.targets}
        self._memo: dict[tuple[str, ...], str] = {}  # fingerprints of name lists, see _prints
        # the standard fields a create does not send, by the keys it sent (the store's defaults
        # for them: see _learn_echoes)
        self._unsent: dict[frozenset[str], list[plan.Target]] = {}
        # store product id -> local products linked to it in this store (filled as needed)
        self._owners: dict[int, set[int]] = {}
        self.attribute_targets = [t for t in self.targets if t.kind in plan.ATTRIBUTE_KINDS]
        self.global_slugs = {
            t.woo: t.field for t in self.targets if t.kind == plan.GLOBAL_ATTRIBUTE
        }
        # Image URLs sent by ``src`` in a write still in flight (URL -> product), the URLs each
        # such product claimed, and the products held back until that write is answered: the
        # store downloads a URL once per run, and the others send the id it got (_next_chunk).
        self._image_claims: dict[str, int] = {}
        self._claimed: dict[int, list[str]] = {}
        self._image_waiters: dict[str, list[Item]] = {}

    # planning ---------------------------------------------------------------------------------
    def plan(self, *, dry_run: bool = False) -> None:
        """Decide every product's action and build the payloads (reads only)."""
        unlinked: list[Item] = []
        seen: dict[str, int] = {}
        for item in self.items:
            first = seen.setdefault(item.sku.casefold(), item.product_id)
            if first != item.product_id:  # WooCommerce compares SKUs without regard to case
                item.fail(
                    f'SKU "{item.sku}" differs only in case from the SKU of product {first}; '
                    "the store would treat them as one product"
                )
            if item.done:
                continue
            if item.woo_id:
                self._decide_linked(item)
            else:
                unlinked.append(item)
        if unlinked:
            if self.global_slugs:
                self._prepare_attributes_only()
            self._match(unlinked, trash=dry_run)
        writing = [i for i in self.items if i.action in (CREATE, UPDATE) and not i.done]
        self._load_store_state(writing, with_products=dry_run)
        self._prepare_refs(writing, create=self.create_terms and not dry_run)
        if not dry_run:
            for item in writing:
                if not item.done:
                    self._build(item)

    def _prints(self, item: Item) -> dict[str, str]:
        """``plan.fingerprints`` of the item's values, made once per item. Those of name lists are
        remembered for the run: categories, tags and attribute options repeat from product to
        product (a fingerprint depends on nothing but the kind and the value)."""
        if item.prints is None:
            prints: dict[str, str] = {}
            for key, value in item.values.items():
                kind = self.kinds.get(key)
                if kind is None:
                    continue
                if kind in _NAME_LIST_KINDS:  # always a list of str (export_plan.local_value)
                    memo_key = (kind, *value)
                    found = self._memo.get(memo_key)
                    if found is None:
                        found = self._memo[memo_key] = plan.fingerprint(kind, value)
                    prints[key] = found
                else:
                    prints[key] = plan.fingerprint(kind, value)
            item.prints = prints
        return item.prints

    def _decide_linked(self, item: Item) -> None:
        if self.partial:
            current = self._prints(item)
            previous = item.previous
            # a field in conflict waits for a decision (import --on-conflict, an edit, or a full
            # export): a partial export, the one cron runs, never settles it for the shop owner
            held = item.conflicts or {}
            item.keys = [
                k
                for k in self.keys
                if k in current and previous.get(k) != current[k] and k not in held
            ]
            item.action = UPDATE if item.keys else UNCHANGED
        else:
            item.keys = [t.key for t in self.targets if t.key in item.values]
            item.action = UPDATE

    def _link_to(self, item: Item, product: dict[str, Any]) -> None:
        """Adopt the store's product holding our SKU (never linked before, or relinked)."""
        item.woo_id = int(product["id"])
        item.store_product = product
        item.store_attributes = plan.normalize_store_attributes(product.get("attributes"))
        # our URLs the store product already holds (a run that died before recording them)
        self.registry.adopt_store_images(item.values.get(plan.IMAGES) or [], product.get("images"))
        for image in product.get("images") or []:  # the store's own URLs: never download them again
            src, image_id = image.get("src"), image.get("id")
            if src and image_id and self.registry.get(IMAGE, src) is None:
                self.registry.remember(IMAGE, str(src), int(image_id))
        held = plan.store_values(self.targets, product, self._attribute_ids())
        item.previous = plan.fingerprints(self.targets, held)
        item.echoes, item.image_sources, item.conflicts = None, None, None
        self._decide_linked(item)

    def _attribute_ids(self) -> dict[str, int]:
        found = {}
        for slug in self.global_slugs:
            attribute_id = self.registry.get(ATTRIBUTE, slug)
            if attribute_id is not None:
                found[slug] = attribute_id
        return found

    def _prepare_attributes_only(self) -> None:
        if all(self.registry.get(ATTRIBUTE, slug) is not None for slug in self.global_slugs):
            return
        self.registry.prepare(
            self.client,
            attributes={slug: (label, ()) for slug, label in self.global_slugs.items()},
            create=False,
        )
        for slug in self.global_slugs:  # not an error yet: a product may not use it at all
            self.registry.missing.pop((ATTRIBUTE, slug), None)

    def lookup_skus(
        self, skus: Sequence[str], *, trash: bool = False
    ) -> dict[str, list[dict[str, Any]]]:
        """Store products by SKU (folded), ``SKU_LOOKUP_CHUNK`` SKUs per request, in parallel."""
        groups: list[list[str]] = []
        plain = [s for s in dict.fromkeys(skus) if s and "," not in s]
        for start in range(0, len(plain), SKU_LOOKUP_CHUNK):
            groups.append(plain[start : start + SKU_LOOKUP_CHUNK])
        groups += [[s] for s in dict.fromkeys(skus) if s and "," in s]
        found: dict[str, list[dict[str, Any]]] = {}

        def fetch(group: list[str]) -> list[dict[str, Any]]:
            wanted = ",".join(group)
            # "0" is PHP-empty: WooCommerce would drop the filter and list the whole store. The
            # store splits the value on commas, so "0,0" asks for SKU "0" alone.
            params: dict[str, Any] = {"sku": "0,0" if wanted == "0" else wanted, "context": "edit"}
            if trash:
                params["status"] = "trash"
            return self.client.list_all("/products", params, per_page=100, concurrency=1)

        for products in self._parallel(fetch, groups):
            for product in products:
                found.setdefault(str(product.get("sku") or "").strip().casefold(), []).append(
                    product
                )
        return found

    def _parallel(self, call: Callable[[Any], Any], args: Sequence[Any]) -> list[Any]:
        if len(args) <= 1 or self.concurrency == 1:
            return [call(arg) for arg in args]
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(args))) as pool:
            return list(pool.map(call, args))

    def _match(self, items: Sequence[Item], *, trash: bool) -> None:
        """Link never-linked products to the store's product with their SKU; the rest are created.

        A trashed holder of a SKU is only looked for when ``trash`` (dry-run) or after a create
        failed: WooCommerce refuses the create, and that costs no request when nothing is trashed.
        """
        found = self._store_products_by_sku(items)
        self._load_owners(
            int(hit["id"]) for item in items for hit in found.get(item.sku.casefold(), [])
        )
        for item in items:
            hits = found.get(item.sku.casefold(), [])
            self._apply_hits(item, hits)
        if trash:
            creates = [i for i in items if i.action == CREATE]
            if creates:
                self._check_trash(creates, dry_run=True)

    def _store_products_by_sku(self, items: Sequence[Item]) -> dict[str, list[dict[str, Any]]]:
        """The store's products holding these items' SKUs, in the fewest requests.

        SKU lookups cost one request per 100 SKUs. When more than 100 are wanted, one request first
        asks how many products the store has: none (a first export to a new store) needs no lookup
        at all, and a store with fewer products than SKUs wanted is cheaper to list whole. Either
        way the store's SKU uniqueness still guards every create (see ``_recover_creates``).
        """
        lookups = -(-len(items) // SKU_LOOKUP_CHUNK)
        if lookups <= 1:
            return self.lookup_skus([i.sku for i in items])
        _first, total, _pages = self.client.get_page("/products", {"_fields": "id"}, 1, per_page=1)
        if total == 0:
            return {}
        if -(-total // 100) >= lookups:
            return self.lookup_skus([i.sku for i in items])
        found: dict[str, list[dict[str, Any]]] = {}
        listed = self.client.list_all(
            "/products", {"context": "edit"}, per_page=100, concurrency=self.concurrency
        )
        for product in listed:
            found.setdefault(str(product.get("sku") or "").strip().casefold(), []).append(product)
        return found

    def _apply_hits(self, item: Item, hits: Sequence[dict[str, Any]]) -> bool:
        """Link to a hit; False when there is none (then the item is to be created)."""
        products = [h for h in hits if h.get("type") != "variation"]
        variations = [h for h in hits if h.get("type") == "variation"]
        if products:
            hit = min(products, key=lambda p: int(p["id"]))
            if not self._may_adopt(item, hit):
                return True
            self._link_to(item, hit)
            return True
        if variations:
            hit = variations[0]
            item.fail(
                f'SKU "{item.sku}" belongs to a variation in the store (#{hit["id"]} of product '
                f"#{hit.get('parent_id', 0)}); woosync exports simple products only: give the "
                "product another SKU"
            )
            return True
        item.action = CREATE
        item.woo_id = 0
        item.keys = [t.key for t in self.targets if t.key in item.values]
        return False

    def _load_owners(self, woo_ids: Iterable[int]) -> None:
        """Learn which local products the sync records link to these store products."""
        wanted = [i for i in dict.fromkeys(woo_ids) if i and i not in self._owners]
        if not wanted:
            return
        with self.db.session() as session:
            found = linked_products(session, self.connection_id, wanted)
        for woo_id in wanted:
            self._owners[woo_id] = found.get(woo_id, set())

    def _may_adopt(self, item: Item, product: dict[str, Any]) -> bool:
        """False (and the item failed) when the store product holding the item's SKU is linked to
        another local product: adopting it would make two local products write one store product
        (a local SKU changed, and a new product took the old one)."""
        woo_id = int(product["id"])
        self._load_owners([woo_id])
        others = self._owners[woo_id] - {item.product_id}
        if not others:
            self._owners[woo_id] = {item.product_id}  # adopted in this run
            return True
        owner = min(others)
        item.fail(
            f'SKU "{item.sku}" is held by store product #{woo_id}, which is linked to local '
            f"product {owner}: export product {owner} first if its SKU changed, or give one of "
            "them another SKU"
        )
        item.woo_id = 0
        return False

    def _check_trash(self, items: Sequence[Item], *, dry_run: bool = False) -> list[Item]:
        """Items whose SKU a trashed product holds: restored (``--restore-trashed``) or failed.

        Returns those that are still to be created (no trashed holder).
        """
        trashed = self.lookup_skus([i.sku for i in items], trash=True)
        free: list[Item] = []
        for item in items:
            hits = [h for h in trashed.get(item.sku.casefold(), []) if h.get("type") != "variation"]
            if not hits:
                free.append(item)
                continue
            holder = min(hits, key=lambda p: int(p["id"]))
            if not self._may_adopt(item, holder):
                continue
            if self.restore_trashed:
                self._link_to(item, holder)
                item.restore = True
                item.action = UPDATE
                item.keys = [t.key for t in self.targets if t.key in item.values]
            else:
                item.fail(
                    f'SKU "{item.sku}" is held by product #{holder["id"]} in the store\'s trash; '
                    "run again with --restore-trashed to restore and update it, or empty the trash"
                )
                item.woo_id = 0
        return free

    def _load_store_state(self, items: Sequence[Item], *, with_products: bool) -> None:
        """Read the store's current state of products to update whose attributes change (and, for
        a dry run, of every product to update).

        WooCommerce replaces the attribute list whole, so a merge must start from the list the
        store has now, not the one we last wrote: else an attribute a shop manager added since is
        dropped. It costs one request per 100 such products; price-only updates need none.
        """
        attribute_keys = {t.key for t in self.attribute_targets}
        wanted = [
            i
            for i in items
            if i.action == UPDATE
            and i.store_product is None
            and (with_products or attribute_keys & set(i.keys))
        ]
        if not wanted:
            return
        by_id = {i.woo_id: i for i in wanted}
        ids = list(by_id)
        groups = [ids[s : s + 100] for s in range(0, len(ids), 100)]

        def fetch(group: list[int]) -> list[dict[str, Any]]:
            params = {"include": ",".join(str(i) for i in group), "context": "edit"}
            return self.client.list_all("/products", params, per_page=100, concurrency=1)

        def fetch_trash(group: list[int]) -> list[dict[str, Any]]:
            params = {"include": ",".join(str(i) for i in group), "status": "trash"}
            return self.client.list_all(
                "/products", {**params, "context": "edit"}, per_page=100, concurrency=1
            )

        for products in self._parallel(fetch, groups):
            for product in products:
                item = by_id.get(int(product.get("id") or 0))
                if item is not None:
                    item.store_product = product
                    item.store_attributes = plan.normalize_store_attributes(
                        product.get("attributes")
                    )
        # ``include`` does not see the trash: look there for the rest before merging attributes
        # with nothing (and wiping the store's) or planning an update of a trashed product
        gone = [i.woo_id for i in wanted if i.store_product is None]
        trash_groups = [gone[s : s + 100] for s in range(0, len(gone), 100)]
        for products in self._parallel(fetch_trash, trash_groups):
            for product in products:
                item = by_id.get(int(product.get("id") or 0))
                if item is not None:
                    item.store_product = product
                    item.store_attributes = plan.normalize_store_attributes(
                        product.get("attributes")
                    )
                    self._in_trash(item)
        for item in wanted:
            if item.store_attributes is None:
                item.store_attributes = []

    def _in_trash(self, item: Item) -> None:
        """The store product linked to ``item`` is in the trash: with ``--restore-trashed`` the
        update restores it, otherwise the product fails (an update would leave it trashed)."""
        if self.restore_trashed:
            item.restore = True
            return
        item.fail(
            f'store product #{item.woo_id} (SKU "{item.sku}") is in the store\'s trash; run again '
            "with --restore-trashed to restore and update it, or delete it there for good"
        )

    def _sent_keys(self, item: Item) -> set[str]:
        """Keys a write actually carries: any attribute key sends all our attributes."""
        keys = set(item.keys)
        attribute_keys = {t.key for t in self.attribute_targets}
        if keys & attribute_keys:
            keys |= attribute_keys & set(self._sendable(item))
        return keys

    def _sendable(self, item: Item) -> dict[str, Any]:
        """The values a write may carry: with ``partial``, an attribute in conflict is left out
        (the merged attribute list keeps the store's entry), as every other field in conflict."""
        if not self.partial or not item.conflicts:
            return item.values
        return {k: v for k, v in item.values.items() if k not in item.conflicts}

    def _prepare_refs(self, items: Sequence[Item], *, create: bool) -> None:
        categories: set[str] = set()
        tags: set[str] = set()
        attributes: dict[str, tuple[str, set[str]]] = {}
        for item in items:
            keys = self._sent_keys(item)
            for target in self.targets:
                if target.key not in keys or not item.values.get(target.key):
                    continue
                value = item.values[target.key]
                if target.kind == plan.CATEGORIES:
                    categories.update(value)
                elif target.kind == plan.TAGS:
                    tags.update(value)
                elif target.kind == plan.GLOBAL_ATTRIBUTE:
                    attributes.setdefault(target.woo, (target.field, set()))[1].update(value)
        if categories or tags or attributes:
            self.registry.prepare(
                self.client, categories=categories, tags=tags, attributes=attributes, create=create
            )

    def _build(self, item: Item) -> None:
        try:
            payload = plan.build_payload(
                self.targets, self._sendable(item), item.keys, self.registry, item.store_attributes
            )
        except plan.MissingRefError as exc:
            reason = str(exc)
            if not self.create_terms and "does not exist" in reason:
                reason += " (--no-create-terms is set)"
            item.fail(reason)
            return
        if item.restore:
            payload["status"] = item.values.get("status") or "publish"
        item.payload = payload

    # dry-run ----------------------------------------------------------------------------------
    def dry_run_plan(self) -> list[dict[str, Any]]:
        fields = {t.key: t for t in self.targets}
        rows: list[dict[str, Any]] = []
        for item in self.items:
            row: dict[str, Any] = {
                "productId": item.product_id,
                "sku": item.sku,
                "action": item.action,
                "wooProductId": item.woo_id or None,
            }
            waiting = self._held_conflicts(item)
            if waiting:
                row["heldConflicts"] = waiting
            if item.action == ERROR:
                row["message"] = item.message
            elif item.action in (CREATE, UPDATE):
                held = (
                    plan.store_values(self.targets, item.store_product, self._attribute_ids())
                    if item.store_product
                    else {}
                )
                changes = []
                for key in item.keys:
                    target = fields[key]
                    old = held.get(key) if item.action == UPDATE else None
                    new = item.values.get(key)
                    changes.append(
                        {"field": target.field, "wooField": target.woo, "old": old, "new": new}
                    )
                row["fields"] = changes
                missing = self._missing_for(item)
                if missing:
                    row["missing"] = missing
                if item.restore:
                    row["restoreFromTrash"] = True
            rows.append(row)
        return rows

    def _held_conflicts(self, item: Item) -> list[str]:
        """Fields a partial export leaves out because they are in conflict (their local value
        changed since the last sync, and the store's did too)."""
        if not self.partial or not item.conflicts or not item.woo_id:
            return []
        current = self._prints(item)
        return [
            t.field
            for t in self.targets
            if t.key in item.conflicts
            and t.key in current
            and item.previous.get(t.key) != current[t.key]
        ]

    def _missing_for(self, item: Item) -> list[str]:
        if self.create_terms:
            return []  # what the store lacks would be created: see would_create()
        try:
            plan.build_payload(
                self.targets,
                self._sendable(item),
                item.keys,
                _DryRefs(self.registry),
                item.store_attributes,
            )
        except plan.MissingRefError as exc:
            return [str(exc)]
        return []

    def would_create(self) -> list[dict[str, str]]:
        """Categories, tags, attributes and terms a real run would create in the store."""
        if not self.create_terms:
            return []
        return [{"kind": kind, "name": key} for kind, key in sorted(self.registry.missing)]

    # execution --------------------------------------------------------------------------------
    def execute(self) -> None:
        """Send every planned write; each product ends ``done`` with success or an error."""
        pending_rows = [
            self._row(i, "pending") for i in self.items if i.payload is not None and not i.done
        ]
        with self.db.session() as session:
            write_syncs(session, self.connection_id, pending_rows)
            if self.registry.dirty:
                self.registry.flush(session)
        finished = [i for i in self.items if i.done or i.action == UNCHANGED]
        self._settle_unchanged([i for i in finished if i.action == UNCHANGED])
        self._book([i for i in finished if i.action == ERROR])
        self._report(len(finished))
        queue: deque[Item] = deque(i for i in self.items if i.payload is not None and not i.done)
        self._send_all(queue)

    def _send_all(self, queue: deque[Item]) -> None:
        size = self.batch_size
        streak = 0
        in_flight: dict[Future[BatchResult], tuple[list[Item], float]] = {}
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            while queue or in_flight:
                while queue and len(in_flight) < self.concurrency:
                    chunk = self._next_chunk(queue, size)
                    if not chunk:
                        continue
                    future = pool.submit(self._send, chunk)
                    in_flight[future] = (chunk, time.monotonic())
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    chunk, started = in_flight.pop(future)
                    elapsed = time.monotonic() - started
                    try:
                        result = future.result()
                    except Exception as exc:  # a WooError, or anything unexpected from the client
                        streak += 1
                        size = max(1, len(chunk) // 2)
                        requeue = self._batch_failed(chunk, exc, streak)
                        requeue += self._release_images(chunk)
                        for item in reversed(requeue):
                            queue.appendleft(item)
                        if streak >= MAX_FAILURE_STREAK:
                            self._give_up(queue, exc)
                        elif requeue:
                            time.sleep(min(RETRY_PAUSE * 2 ** (streak - 1), 5.0))
                        continue
                    streak = 0
                    if elapsed < FAST_BATCH_SECONDS and size < self.batch_size:
                        size = min(self.batch_size, size * 2)
                    again = self._batch_answered(chunk, result)  # learns the image ids first
                    queue.extendleft(reversed(self._release_images(chunk)))
                    queue.extend(again)

    def _next_chunk(self, queue: deque[Item], size: int) -> list[Item]:
        """Up to ``size`` products to send together. A product whose image URL another write in
        flight (this chunk included) sends by ``src`` waits for that answer, then sends the id:
        the store downloads each URL once, and no request is added for it."""
        chunk: list[Item] = []
        while queue and len(chunk) < size:
            item = queue.popleft()
            if item.done or item.payload is None:
                continue
            blocker = self._claim_images(item)
            if blocker is not None:
                self._image_waiters.setdefault(blocker, []).append(item)
                continue
            chunk.append(item)
        return chunk

    def _claim_images(self, item: Item) -> str | None:
        """Swap URLs learnt since the payload was built for their ids; then the first URL another
        product is sending, or None after claiming the item's own URLs."""
        images = (item.payload or {}).get("images")
        srcs = item.values.get(plan.IMAGES) or []
        if not images or len(images) != len(srcs):
            return None
        for index, src in enumerate(srcs):
            if "src" in images[index] and self.registry.get(IMAGE, src) is not None:
                images[index] = self.registry.image(src)
        unsent = [image["src"] for image in images if "src" in image]
        for src in unsent:
            owner = self._image_claims.get(src)
            if owner is not None and owner != item.product_id:
                return str(src)
        for src in unsent:
            self._image_claims[src] = item.product_id
        self._claimed[item.product_id] = unsent
        return None

    def _release_images(self, chunk: list[Item]) -> list[Item]:
        """After a chunk's answer (the ids learnt): its URLs are free; the products that waited for
        them go back to the front of the queue."""
        freed: list[Item] = []
        for item in chunk:
            for src in self._claimed.pop(item.product_id, []):
                if self._image_claims.get(src) == item.product_id:
                    del self._image_claims[src]
                freed += self._image_waiters.pop(src, [])
        return freed

    def _send(self, chunk: list[Item]) -> BatchResult:
        creates = [i.payload for i in chunk if i.action == CREATE]
        updates = [{"id": i.woo_id, **(i.payload or {})} for i in chunk if i.action == UPDATE]
        return self.client.batch("/products/batch", create=creates, update=updates)  # type: ignore[arg-type]

    def _batch_answered(self, chunk: list[Item], result: BatchResult) -> list[Item]:
        """Apply one batch answer; returns items to send again."""
        creates = [i for i in chunk if i.action == CREATE]
        updates = [i for i in chunk if i.action == UPDATE]
        succeeded: list[tuple[Item, dict[str, Any]]] = []
        failed_creates: list[Item] = []
        relink: list[Item] = []
        again: list[Item] = []
        unknown_creates: list[Item] = []
        for items, answers in ((creates, result.create), (updates, result.update)):
            for index, item in enumerate(items):
                answer = answers[index] if index < len(answers) else None
                if answer is None:  # not in the answer: treat like a lost answer
                    item.message = "the store's batch answer has no entry for this product"
                    (unknown_creates if item.action == CREATE else again).append(item)
                    continue
                error = answer.get("error")
                trashed = answer.get("status") == "trash" and item.action == UPDATE
                if not error and trashed and not item.restore:  # updated but still in the trash
                    self._in_trash(item)
                    if not item.done:
                        self._build(item)
                        again.append(item)
                    continue
                if not error:
                    succeeded.append((item, answer))
                    continue
                code = str(error.get("code") or "")
                message = f"{code}: {error.get('message', '')}".strip(": ")
                if code == "woocommerce_product_invalid_image_id" and not item.image_retry:
                    # an image id we cached is gone from the store (nothing was written, a
                    # create included): send the URLs again
                    self._forget_images(item)
                    again.append(item)
                elif item.action == CREATE:
                    item.message = message
                    failed_creates.append(item)
                elif code == "woocommerce_rest_product_invalid_id" and not item.relinked:
                    relink.append(item)
                else:
                    item.fail(message)
        for item, answer in succeeded:
            self._succeeded(item, answer)
        again += self._recover_creates(failed_creates, applied_unknown=False)
        again += self._recover_creates(unknown_creates, applied_unknown=True)
        again += self._relink(relink)
        finished = [i for i in chunk if i.done]
        self._book(finished)
        self._report(len(finished))
        return again

    def _batch_failed(self, chunk: list[Item], exc: BaseException, streak: int) -> list[Item]:
        """A whole batch request failed: find what the store applied, then split and retry."""
        from woosync.woo.errors import WooAuthError, WooHTTPError, WooTransportError

        message = str(exc)
        status = exc.status if isinstance(exc, WooHTTPError) else 0
        retriable = isinstance(exc, WooTransportError) or status >= 500 or status in (413, 429)
        if isinstance(exc, WooAuthError) or not retriable:
            for item in chunk:
                item.fail(message)
            self._book(chunk)
            self._report(len(chunk))
            return []
        log.info("batch of %d failed (%s); checking what the store applied", len(chunk), message)
        creates = [i for i in chunk if i.action == CREATE]
        for item in creates:
            item.message = message
        again = self._recover_creates(creates, applied_unknown=True) if status != 413 else creates
        updates = [i for i in chunk if i.action == UPDATE and not i.done]
        if status != 413:
            self._recover_images(updates)
        again += updates
        for item in again:
            if len(chunk) == 1:
                item.attempts += 1
                if item.attempts >= MAX_SINGLE_ATTEMPTS:
                    item.fail(message)
        finished = [i for i in chunk if i.done]
        self._book(finished)
        self._report(len(finished))
        return [i for i in again if not i.done]

    def _recover_images(self, items: Sequence[Item]) -> None:
        """Updates whose answer was lost may have landed, their image URLs downloaded: learn the ids
        the store products now hold for those URLs (one request) before the updates go again."""
        from woosync.woo.errors import WooError

        wanted = {
            i.woo_id: i
            for i in items
            if any("src" in image for image in (i.payload or {}).get("images") or [])
        }
        if not wanted:
            return
        params = {"include": ",".join(str(woo_id) for woo_id in wanted), "context": "edit"}
        try:
            products = self.client.list_all("/products", params, per_page=100, concurrency=1)
        except WooError:  # the store is still failing: the retry sends the URLs
            return
        for product in products:
            item = wanted.get(int(product.get("id") or 0))
            if item is not None:
                srcs = item.values.get(plan.IMAGES) or []
                self.registry.adopt_store_images(srcs, product.get("images"))

    def _give_up(self, queue: deque[Item], exc: BaseException) -> None:
        waiting = [i for items in self._image_waiters.values() for i in items]
        self._image_waiters.clear()
        rest = [i for i in [*queue, *waiting] if not i.done]
        queue.clear()
        for item in rest:
            item.fail(f"not sent: the store failed {MAX_FAILURE_STREAK} batches in a row ({exc})")
        self._book(rest)
        self._report(len(rest))

    def _recover_creates(self, items: list[Item], *, applied_unknown: bool) -> list[Item]:
        """Creates that failed or may have been applied: look up their SKUs before any retry.

        Found after a lost answer (``applied_unknown``): it is our create, done. Found after the
        store refused the item: someone else's product holds the SKU, link and update it. Not
        found: a trashed holder is reported (or restored); otherwise a lost create is sent again and
        a refused one is an error.
        """
        if not items:
            return []
        found = self.lookup_skus([i.sku for i in items])
        again: list[Item] = []
        absent: list[Item] = []
        for item in items:
            hits = found.get(item.sku.casefold(), [])
            products = [h for h in hits if h.get("type") != "variation"]
            if applied_unknown and products:
                self._succeeded(item, min(products, key=lambda p: int(p["id"])))
                continue
            if hits:
                if item.attempts >= MAX_SINGLE_ATTEMPTS or item.relinked:
                    item.fail(item.message or "the product could not be created")
                    continue
                item.relinked = True
                self._apply_hits(item, hits)
                if self._after_link(item):
                    again.append(item)
                continue
            absent.append(item)
        if applied_unknown:
            return again + absent  # the create was lost, not refused: send it again
        for item in self._check_trash(absent) if absent else []:
            item.fail(item.message or "the product could not be created")
        for item in absent:
            if item.restore and not item.done:
                self._rebuild(item, full=True)
                if not item.done:
                    again.append(item)
        return again

    def _after_link(self, item: Item) -> bool:
        """After (re)linking during the run: True when the item is to be sent (again)."""
        if item.done:
            return False
        if item.action == UNCHANGED:
            item.exported_fields = []
            item.done = True
            return False
        self._rebuild(item, full=False)
        return not item.done

    def _relink(self, items: list[Item]) -> list[Item]:
        """Updates of a store product that no longer exists: find the SKU again, else create."""
        if not items:
            return []
        for item in items:
            item.relinked = True
            item.store_product = None
            item.store_attributes = None
            item.previous = {}
        found = self.lookup_skus([i.sku for i in items])
        again = []
        for item in items:
            self._apply_hits(item, found.get(item.sku.casefold(), []))
            if self._after_link(item):
                again.append(item)
        return again

    def _rebuild(self, item: Item, *, full: bool) -> None:
        if full:
            item.keys = [t.key for t in self.targets if t.key in item.values]
        self._prepare_refs([item], create=self.create_terms)
        self._build(item)

    def _forget_images(self, item: Item) -> None:
        item.image_retry = True
        for image in (item.payload or {}).get("images", []):
            for src in item.values.get("images", []):
                if image.get("id") and self.registry.get(IMAGE, src) == image["id"]:
                    self.registry.forget(IMAGE, src)
        self._build(item)

    def _succeeded(self, item: Item, answer: dict[str, Any]) -> None:
        item.woo_id = int(answer.get("id") or item.woo_id)
        sent = self._sent_keys(item)
        previous = dict(item.previous)
        current = self._prints(item)
        previous.update({key: current[key] for key in sent if key in current})
        item.previous = previous
        if isinstance(answer.get("attributes"), list):
            item.store_attributes = plan.normalize_store_attributes(answer["attributes"])
        elif item.payload and "attributes" in item.payload:
            item.store_attributes = plan.normalize_store_attributes(item.payload["attributes"])
        self._learn_images(item, answer)
        self._learn_echoes(item, answer, sent)
        item.exported_fields = plan.sent_fields(self.targets, item.keys)
        item.exported_at = utcnow()
        item.message = None
        item.done = True

    def _learn_images(self, item: Item, answer: dict[str, Any]) -> None:
        sent = (item.payload or {}).get("images")
        got = answer.get("images")
        if not sent or not isinstance(got, list) or len(got) != len(sent):
            return
        for image, stored in zip(sent, got, strict=True):
            if "src" in image and stored.get("id"):
                self.registry.remember(IMAGE, image["src"], int(stored["id"]))

    def _learn_echoes(self, item: Item, answer: dict[str, Any], sent: set[str]) -> None:
        """Remember what the store answered for the keys sent (see ``sync_echoes``); a field sent
        is no longer in conflict: the catalog's value is now the store's."""
        from woosync.services import sync_echoes

        if "images" in sent and "images" in item.values:
            item.image_sources = sync_echoes.learn_images(
                item.image_sources, item.values["images"], answer.get("images")
            )
        if "id" not in answer:
            return
        echoes = sync_echoes.echoes_after_write(
            self.targets,
            sent,
            answer,
            item.payload or {},
            item.values,
            item.previous,
            item.echoes,
            item.image_sources or {},
            self._attribute_ids(),
        )
        if item.action == CREATE:
            # not sent: not selected, or selected but empty in the catalog (left out of the payload)
            unsent = self._unsent.get(frozenset(sent))
            if unsent is None:
                unsent = self._unsent[frozenset(sent)] = sync_echoes.unsent_standard_targets(
                    sorted(sent)
                )
            defaults = sync_echoes.store_defaults(unsent, answer, item.previous)
            if defaults:
                echoes = {**defaults, **(echoes or {})}
        item.echoes = echoes
        if item.conflicts:
            item.conflicts = {k: v for k, v in item.conflicts.items() if k not in sent} or None

    # bookkeeping ------------------------------------------------------------------------------
    def _row(self, item: Item, status: str) -> SyncRow:
        return SyncRow(
            product_id=item.product_id,
            woo_product_id=item.woo_id,
            sync_status=status,
            error_message=item.message if status == "error" else None,
            last_exported_at=item.exported_at or item.last_exported_at,
            last_modified_fields=item.exported_fields or item.prior_fields,
            exported_values=item.previous,
            store_attributes=item.store_attributes,
            store_echoes=item.echoes or None,
            image_sources=item.image_sources,
            conflicts=item.conflicts or None,
        )

    def _book(self, items: Iterable[Item]) -> None:
        rows = [self._row(i, "error" if i.action == ERROR else "synced") for i in items]
        if not rows and not self.registry.dirty:
            return
        with self.db.session() as session:
            write_syncs(session, self.connection_id, rows)
            if self.registry.dirty:
                self.registry.flush(session)

    def _settle_unchanged(self, items: Sequence[Item]) -> None:
        for item in items:
            item.done = True
        stale = [i for i in items if i.prior_status != "synced"]
        if stale:
            self._book(stale)

    def _report(self, count: int) -> None:
        if self.progress is not None and count:
            self.progress(count)

    # results ----------------------------------------------------------------------------------
    def result_for(self, item: Item) -> dict[str, Any]:
        result: dict[str, Any] = {
            "connectionId": self.connection_id,
            "productId": item.product_id,
            "wooProductId": item.woo_id,
            "status": "error" if item.action == ERROR or not item.done else "success",
            "exportedFields": item.exported_fields,
            "lastExportedAt": iso(item.exported_at or item.last_exported_at),
        }
        if result["status"] == "error":
            result["message"] = item.message or "export failed"
        return result


class _DryRefs:
    """A resolver for dry-run: names the store lacks are only a problem when they cannot be made."""

    def __init__(self, registry: StoreRegistry) -> None:
        self.registry = registry

    def _check(self, kind: str, key: str) -> int:
        if self.registry.get(kind, key) is None and (kind, key) in self.registry.missing:
            raise plan.MissingRefError(self.registry.missing[(kind, key)])
        return self.registry.get(kind, key) or 0

    def category_id(self, name: str) -> int:
        return self._check(CATEGORY, category_key(name))

    def tag_id(self, name: str) -> int:
        return self._check("tag", name)

    def attribute_id(self, slug: str) -> int:
        return self._check(ATTRIBUTE, slug)

    def check_terms(self, slug: str, names: Sequence[str]) -> None:
        for name in names:
            self._check(f"term:{slug}", name)

    def image(self, src: str) -> dict[str, Any]:
        return self.registry.image(src)
