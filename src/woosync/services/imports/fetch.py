"""The fetching half of an import: the listing's parameters, the pages, duplicates, totals.

All products are listed in pages of 100 (``orderby=id&order=asc``, ``context=edit``, ``_fields``
trimmed to what the run reads): the first page gives the page count, the remaining pages are fetched
with ``concurrency`` requests in flight, never more pages ahead of the one being written. Given ids go out as ``include`` chunks of 100. A product that
arrives twice (the listing shifted while it was read) is handled once, unless the store sent a newer
version of it; pages that a later answer announces beyond page 1's count are read too. The number
that arrived is checked against page 1's ``X-WP-Total``: fewer means products left the listing while
it was read, so one that stayed may have been skipped (``run.incomplete``: an incremental run then
keeps its bookmark). Only the page being written and the pages downloading are held: a page is
dropped once it is handed out.
"""

from __future__ import annotations

import contextlib
import logging
from collections import deque
from collections.abc import Callable, Container, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from woosync.core.errors import StoreError
from woosync.core.timeutil import iso
from woosync.products.variations import VARIABLE
from woosync.services.imports.bookmark import parse_woo_gmt, woo_gmt
from woosync.services.imports.fields import (
    ImportRules,
    needs_attribute_slugs,
    store_field,
)
from woosync.services.imports.results import ProductResult
from woosync.services.imports.skips import SCHEDULED, missing_sku_reason
from woosync.services.imports.state import ImportRun
from woosync.services.imports.variations import VariationLists
from woosync.services.sync.category_paths import (
    BRANDS_PATH,
    CATEGORIES_PATH,
    LISTING,
    CategoryPaths,
    has_categories,
)
from woosync.services.sync.default_options import TERMS_LISTING, TERMS_PATH, TermNames
from woosync.services.sync.default_options import WOO_FIELD as DEFAULTS
from woosync.services.sync.product_links import link_ids, linked_skus, name_links
from woosync.woo.api_limits import MAX_PER_PAGE

if TYPE_CHECKING:
    from sqlmodel import Session

    from woosync.services.imports.fingerprints import Fingerprinter
    from woosync.woo import WooClient

log = logging.getLogger("woosync.import")

PER_PAGE = 100
VARIATIONS_PER_PAGE = MAX_PER_PAGE  # a parent with more variations is read in more pages
MAX_CONCURRENCY = 16
PRODUCTS_PATH = "/products"

# What the importer itself reads from every product, whatever the mappings say.
_BOOKKEEPING_FIELDS = (
    "id",
    "sku",
    "name",
    "type",
    "status",  # a scheduled product waits (its date, date_created_gmt, is said and kept)
    "date_created_gmt",
    "parent_id",
    "date_modified_gmt",
    "attributes",
)


def wanted_fields(rules: ImportRules, fingerprinter: Fingerprinter) -> str:
    """``_fields`` for the listing: only what the mapping and the fingerprints read (smaller pages)."""
    wanted = set(_BOOKKEEPING_FIELDS) | fingerprinter.woo_fields()
    wanted.update(map(store_field, rules.field_mappings))
    return ",".join(sorted(wanted))


def variation_params(fields: str) -> dict[str, Any]:
    """The variation listing's parameters: the product fields read, and a variation's own."""
    wanted = {*fields.split(","), "image", "parent_id", "attributes", "status"}
    return {"orderby": "id", "order": "asc", "_fields": ",".join(sorted(wanted))}


def read_variations(
    run: ImportRun,
    products: list[dict[str, Any]],
    params: dict[str, Any],
    concurrency: int,
    gate: AbstractContextManager[Any] | None = None,
    relinked: Container[int] = (),
) -> VariationLists:
    """The variation lists of the page's variable products: one request per parent (more past
    ``VARIATIONS_PER_PAGE`` variations), ``concurrency`` parents at once, each retried as a
    page is; a parent whose list cannot be read is its error (its variations wait for a later
    run). ``relinked``: the ids of store products without a SKU matched by their link."""
    keep_sku_less = run.settings.link_without_sku
    parents = [
        int(p["id"])
        for p in products
        if p.get("type") == VARIABLE
        and p.get("status") != SCHEDULED
        and (keep_sku_less or missing_sku_reason(p) is None or int(p["id"]) in relinked)
    ]
    if not parents:
        return {}
    return dict(
        run.client.variation_lists(
            parents, params, concurrency=concurrency, per_page=VARIATIONS_PER_PAGE, gate=gate
        )
    )


def list_params(after: datetime | None, fields: str) -> dict[str, Any]:
    params: dict[str, Any] = {"orderby": "id", "order": "asc", "context": "edit", "_fields": fields}
    if after is not None:
        params["modified_after"] = woo_gmt(after)
        params["dates_are_gmt"] = "true"
    return params


def pages(
    client: WooClient,
    params: dict[str, Any],
    ids: list[int] | None,
    concurrency: int,
    run: ImportRun,
    gate: AbstractContextManager[Any] | None = None,
) -> Iterator[tuple[list[dict[str, Any]], bool]]:
    """Yield ``(page, next page already here)`` in order while up to ``concurrency`` more download.

    All products: the first page gives the page count, then pages 2..N. Given ids: ``include`` chunks
    of 100, each one page. ``run.expected_total`` adds up ``X-WP-Total``. ``gate`` (shared with the
    variation lists) is held by each page's request: together never more than ``concurrency``.
    """
    gated = gate if gate is not None else contextlib.nullcontext()

    def get_page(job_params: dict[str, Any], page: int) -> tuple[list[Any], int, int]:
        with gated:
            return client.get_page(PRODUCTS_PATH, job_params, page, per_page=PER_PAGE)

    jobs: list[tuple[dict[str, Any], int]]
    planned = 0  # the last page asked for (all products); a later page may announce more
    if ids is None:
        items, total, total_pages = get_page(params, 1)
        run.expected_total = total
        log.info("store reports %s products in %s pages", total, total_pages)
        yield items, False
        jobs = [(params, page) for page in range(2, total_pages + 1)]
        planned = max(total_pages, 1)
    else:
        jobs = [
            ({**params, "include": ",".join(str(i) for i in ids[start : start + PER_PAGE])}, 1)
            for start in range(0, len(ids), PER_PAGE)
        ]
    if not jobs:
        return
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="woosync-import") as pool:

        def submit(job_params: dict[str, Any], page: int) -> Future[tuple[list[Any], int, int]]:
            return pool.submit(get_page, job_params, page)

        # At most ``concurrency`` pages are asked for ahead of the one being written: a store
        # that answers faster than the catalog is written never piles up in memory. A page's
        # future is dropped once the page is handed out.
        waiting = deque(jobs)
        futures: deque[Future[tuple[list[dict[str, Any]], int, int]]] = deque()

        def top_up() -> None:
            while waiting and len(futures) < concurrency:
                futures.append(submit(*waiting.popleft()))

        top_up()
        try:
            while futures:
                items, total, pages_count = futures.popleft().result()
                if ids is not None:
                    run.expected_total += total
                elif pages_count > planned:
                    # products joined the listing while it was read (added, or changed into an
                    # incremental window): the last ones moved past the pages page 1 announced
                    log.info("the store now reports %s pages; reading the new ones", pages_count)
                    waiting.extend((params, p) for p in range(planned + 1, pages_count + 1))
                    planned = pages_count
                top_up()  # the next pages download while this one is written
                yield items, bool(futures) and futures[0].done()
                del items  # not kept while waiting for the next page
        finally:
            for future in futures:
                future.cancel()


def check_totals(run: ImportRun, ids: list[int] | None, after: datetime | None = None) -> None:
    """Given ids the store did not send fail (or, with ``after``, are skipped when the store has
    them unchanged since); otherwise warn when ``X-WP-Total`` was not met."""
    if ids is not None:
        missing = [woo_id for woo_id in ids if woo_id not in run.seen]
        unchanged = _existing(run.client, missing) if after is not None and missing else set()
        for woo_id in missing:
            if woo_id in unchanged:
                message = f"not changed since {iso(after)}"
                run.report(ProductResult(woo_id, None, "", "skipped", message))
            else:
                message = "not found in the store (deleted, in the trash, or a variation id)"
                run.report(ProductResult(woo_id, None, "", "failed", message))
        return
    received = len(run.seen)
    if received > run.expected_total:
        log.info(
            "the store reported %s products and %s arrived: products were added during the import",
            run.expected_total,
            received,
        )
    elif received < run.expected_total:
        # Products joining the listing only push others onto later pages (read too), so all that
        # page 1 counted arrive; fewer means some left it (deleted or trashed) while it was read,
        # and the pages after that moved up: a product that stayed may have been skipped.
        run.incomplete = True
        message = (
            f"the store reported {run.expected_total} products but {received} arrived; "
            "products were probably removed during the import (run it again to catch up)"
        )
        run.warn(message)


def _existing(client: WooClient, ids: list[int]) -> set[int]:
    """Which of ``ids`` the store lists (whatever their dates): ``include`` chunks, ids only."""
    found: set[int] = set()
    for start in range(0, len(ids), PER_PAGE):
        chunk = ",".join(str(woo_id) for woo_id in ids[start : start + PER_PAGE])
        params = {"include": chunk, "orderby": "id", "order": "asc", "_fields": "id"}
        items, _total, _pages = client.get_page(PRODUCTS_PATH, params, 1, per_page=PER_PAGE)
        found.update(item["id"] for item in items if isinstance(item.get("id"), int))
    return found


def fresh(run: ImportRun, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop products already handled in this run, unless the store sent a newer version of one."""
    found: list[dict[str, Any]] = []
    for item in items:
        woo_id = item.get("id")
        if not isinstance(woo_id, int) or woo_id <= 0:
            continue
        modified = parse_woo_gmt(item.get("date_modified_gmt"))
        if not run.seen.note(woo_id, modified):
            continue
        run.highest_id = max(run.highest_id, woo_id)
        if item.get("status") == SCHEDULED:
            # a scheduled product was modified at its date, ahead (when made so): not a time the
            # bookmark may pass. The store publishes it without moving that date, so an
            # incremental import asks for it by id until it is published (run.scheduled).
            run.scheduled[woo_id] = str(item.get("date_created_gmt") or "")
        elif modified is not None and (run.newest is None or modified > run.newest):
            run.newest = modified
        found.append(item)
    return found


def ids_above(client: WooClient, floor: int | None, window: datetime) -> tuple[list[int], int]:
    """The ids above ``floor`` (newest first) of the store's products modified before the
    incremental ``window`` began, and the highest of those ids, by the listing ordered by id
    (ids only, a page of 100 at a time until one is at or below ``floor``; with no floor, the
    first page only). A product made with a date in the past is modified then, so the window
    does not list it: only its id, higher than any before, tells it is new. The products the
    window lists are left out here (usually all of the new ones: one small request)."""
    found: list[int] = []
    highest = 0
    before = woo_gmt(window + timedelta(seconds=1))  # modified_before is strict, as is after
    params = {
        "orderby": "id",
        "order": "desc",
        "_fields": "id",
        "modified_before": before,
        "dates_are_gmt": "true",
    }
    page = 1
    while True:
        items, _total, pages_count = client.get_page(PRODUCTS_PATH, params, page, PER_PAGE)
        ids = [int(item["id"]) for item in items if isinstance(item.get("id"), int)]
        highest = max([highest, *ids])
        if floor is None:
            return [], highest
        found.extend(woo_id for woo_id in ids if woo_id > floor)
        if not ids or min(ids) <= floor or page >= pages_count:
            return found, highest
        page += 1


def attribute_slugs(run: ImportRun, items: list[dict[str, Any]]) -> dict[int, str] | None:
    """The store's attribute id -> ``pa_`` slug table, fetched once when an answer lacks slugs."""
    if run.slugs_by_id is None and needs_attribute_slugs(items, run.rules):
        try:
            attributes = run.client.get("/products/attributes")
        except StoreError as exc:
            message = f"could not read the store's attributes to match slugs: {exc}"
            run.warn(message)
            run.slugs_by_id = {}
        else:
            run.slugs_by_id = {
                int(attribute["id"]): str(attribute.get("slug") or "")
                for attribute in attributes or []
                if isinstance(attribute, dict) and attribute.get("id")
            }
    return run.slugs_by_id


def with_product_links(
    run: ImportRun,
    session: Callable[[], Session],
    items: list[dict[str, Any]],
    before_asking: Callable[[], None],
) -> None:
    """Name each product's upsells, cross-sells and grouped products by SKU, in place: the
    catalog's SKU of a product linked in this store (``session``: the page's transaction, which
    sees the pages written before), one of this page, else the store's own SKU (asked for by id,
    100 a request, ``before_asking`` first: a link to a product of a later page); an id none of
    them knows (a product without a SKU, a deleted one) stays an id, which the catalog leaves
    out. The SKUs found are kept for the run (only those of linked-to products)."""
    known = run.link_skus
    unknown = [woo_id for woo_id in link_ids(items) if woo_id not in known]
    if unknown:
        wanted = set(unknown)
        page = {
            int(p["id"]): str(p["sku"]) for p in items if p.get("id") in wanted and p.get("sku")
        }
        known.update(page)
        unknown = [woo_id for woo_id in unknown if woo_id not in known]
    if unknown:
        known.update(linked_skus(session(), run.settings.connection_id, unknown))
        unknown = [woo_id for woo_id in unknown if woo_id not in known]
    for start in range(0, len(unknown), MAX_PER_PAGE):
        group = unknown[start : start + MAX_PER_PAGE]
        params = {"include": ",".join(map(str, group)), "_fields": "id,sku", "status": "any"}
        if start == 0:
            before_asking()
        try:
            found = run.client.list_all(PRODUCTS_PATH, params, per_page=MAX_PER_PAGE)
        except StoreError as exc:
            run.warn(f"could not read the SKUs of upsells and cross-sells: {exc}")
            break
        known.update({int(p["id"]): str(p["sku"]) for p in found if p.get("id") and p.get("sku")})
    name_links(items, known)


def with_default_names(
    run: ImportRun, items: list[dict[str, Any]], before_asking: Callable[[], None]
) -> None:
    """Name each variable product's global default options by term name, in place, where its
    slug is one no option's name makes (the store's terms of that attribute, read once a run,
    ``before_asking`` first: a term renamed since keeps its old slug)."""
    if not any(entry.get("id") for item in items for entry in item.get(DEFAULTS) or ()):
        return
    if run.term_names is None:

        def list_terms(attribute_id: int) -> list[dict[str, Any]]:
            before_asking()
            try:
                path = TERMS_PATH.format(attribute_id)
                return run.client.list_all(path, dict(TERMS_LISTING), per_page=MAX_PER_PAGE)
            except StoreError as exc:
                run.warn(f"could not read the terms of store attribute {attribute_id}: {exc}")
                return []

        run.term_names = TermNames(list_terms)
    run.term_names.name_defaults(items)


_TREES = {"categories": CATEGORIES_PATH, "brands": BRANDS_PATH}


def with_category_paths(run: ImportRun, items: list[dict[str, Any]]) -> None:
    """Name each product's categories and brands by their path (``Clothing > Tees``) from the
    store's tree of them, listed once per run (once more when a page names one created since)."""
    for field, path in _TREES.items():
        if not has_categories(items, field):
            continue
        paths = run.category_paths.get(field)
        if paths is None or (paths.missing(items) and field not in run.categories_reread):
            if paths is not None:
                run.categories_reread.add(field)
            try:
                listed = run.client.list_all(path, dict(LISTING))
            except StoreError as exc:
                message = f"could not read the store's {field}, so they come in by name: {exc}"
                run.warn(message)
                run.categories_reread.add(field)
                listed = []
            paths = run.category_paths[field] = CategoryPaths(listed, field)
        for item in items:
            paths.rewrite(item)
