"""Import products from a WooCommerce store into the local catalog: the spec's *Import products*
(ARCHITECTURE.md, operations table). The orchestrator; each stage is its own module:

    fetch (pages; the variable products' variation lists) -> map fields -> reconcile -> write
    -> bookmark

:func:`import_products` checks the options (:mod:`.options`), reads the connection and its rules
(:mod:`.prepare`), takes the store's run lock, then goes through the store page by page: a page is
fetched (:mod:`.fetch`, the next pages downloading meanwhile), its products mapped to catalog fields
(:mod:`.fields`), matched and reconciled (:mod:`.match`, :mod:`.reconcile`) and written in one
transaction (:mod:`.write`, :mod:`.syncs`, :mod:`.transaction`). Only the pages in flight are held;
each product's result goes to ``on_product`` once its page is committed. At the end the totals are
checked and, for ``incremental``, the bookmark moves (:mod:`.bookmark`): only after everything is
committed, never backwards.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from woosync.core.gc_tuning import fewer_gc_passes
from woosync.core.locks import store_lock
from woosync.core.progress import NO_PROGRESS, Phase
from woosync.core.progress import Progress as PhaseProgress
from woosync.core.timeutil import clock
from woosync.products.variations import VARIABLE
from woosync.services.connections.lookup import mark_synced
from woosync.services.imports.bookmark import (
    advance_bookmark,
    ahead,
    before_store_time,
    clear_cursor,
    modified_after,
    read_cursor,
    read_highest,
    read_scheduled,
    still_scheduled,
    woo_gmt,
    write_highest,
    write_scheduled,
)
from woosync.services.imports.fetch import (
    attribute_slugs,
    check_totals,
    fresh,
    ids_above,
    list_params,
    pages,
    read_variations,
    variation_params,
    wanted_fields,
    with_category_paths,
    with_default_names,
    with_product_links,
)
from woosync.services.imports.gone import gone_from_store, gone_variations_warning
from woosync.services.imports.match import sku_less_links
from woosync.services.imports.options import ImportRequest
from woosync.services.imports.prepare import (
    Start,
    client_for,
    kept_out,
    start,
)
from woosync.services.imports.results import ImportResult, ProductSink, Tally
from woosync.services.imports.sku_less import twins_warning
from woosync.services.imports.state import ImportRun, RunSettings
from woosync.services.imports.transaction import PageTransaction
from woosync.services.imports.variations import VariationLists
from woosync.services.imports.write import write_page

if TYPE_CHECKING:
    from woosync.db.engine import Database
    from woosync.woo import WooClient

__all__ = ["import_products"]

log = logging.getLogger("woosync.import")

Progress = Callable[[int], None]


def import_products(
    db: Database,
    request: ImportRequest,
    *,
    on_product: ProductSink | None = None,
    progress: Progress | None = None,
    lock_wait: float = 0.0,
    client: WooClient | None = None,
) -> ImportResult:
    """Import the store's products (or ``request.woo_ids``) into the catalog, as ``request``
    (:class:`~woosync.services.imports.options.ImportRequest`, checked when made) asks.

    Each store product's :class:`~woosync.services.imports.results.ProductResult` (imported |
    updated | unchanged | skipped | excluded | failed, with the reason, the changed fields and the
    conflicts) goes to ``on_product`` as soon as its page is committed; the :class:`ImportResult`
    counts them. ``progress(n)``: ``n`` more products written (a :class:`~woosync.core.progress.
    Progress` also hears the phases). ``lock_wait``: seconds to wait for another run on the same
    store (0: refuse at once); ``client``: a client to use instead of the connection's. A store
    product matching a catalog product excluded from this store is ``excluded`` (left alone); SKUs
    removed from the catalog are skipped unless ``request.restore_removed``. Raises
    ``NotFoundError`` for an unknown connection, ``LockedError`` when another run holds the store,
    and the client's ``StoreError`` subclasses when the store cannot be listed.
    """
    with fewer_gc_passes():  # millions of short-lived objects: see core.gc_tuning
        first = start(db, request.connection, request.use_mapping)
        with _run_lock(db, first, request, lock_wait):
            # the rules as they are now, not as they were before waiting for the lock
            ready = (
                first if request.dry_run else start(db, first.connection_id, request.use_mapping)
            )
            return _run(db, ready, request, on_product, progress, client)


def _run(
    db: Database,
    ready: Start,
    request: ImportRequest,
    on_product: ProductSink | None,
    progress: Progress | None,
    client: WooClient | None,
) -> ImportResult:
    """One run under the lock: set up, every page, then the bookmark and the result."""
    started = clock().monotonic()
    previous: datetime | None = None
    after = request.since
    with db.session() as session:
        scheduled = read_scheduled(session, ready.connection_id)
        highest = read_highest(session, ready.connection_id)
        if request.incremental:
            previous = read_cursor(session, ready.connection_id)
    if request.incremental:
        after = modified_after(previous, request.overlap) if previous is not None else None
    leave = kept_out(db, ready.connection_id)
    woo = client if client is not None else client_for(db, ready.connection)
    settings = RunSettings(
        ready.connection_id,
        request.update_existing,
        request.dry_run,
        request.on_conflict,
        request.link_without_sku,
        request.restore_removed,
    )
    run = ImportRun(
        settings,
        ready.rules,
        woo,
        ready.fingerprinter,
        Tally(on_product),
        tombstones=leave.tombstones,
        excluded_ids=leave.excluded_ids,
    )
    log.info(
        "import from connection %s (%s): %s, %s%s",
        ready.connection_id,
        ready.connection.store_url,
        ready.rules.source,
        f"modified after {woo_gmt(after)} UTC" if after else "all products",
        " (dry run)" if request.dry_run else "",
    )
    try:
        _fetch_and_write(db, run, request, after, progress, scheduled, highest)
    finally:
        if client is None:
            woo.close()
    cursor = previous
    if not request.dry_run:
        elapsed = timedelta(seconds=clock().monotonic() - started)
        with db.session() as session:
            store_time = woo.store_time
            if request.incremental and previous and store_time and ahead(previous, store_time):
                # an earlier release moved it to a scheduled product's date
                clear_cursor(session, ready.connection_id)
                cursor = None
                run.warn(
                    f"the bookmark ({woo_gmt(previous)} UTC) was ahead of the store's clock "
                    f"({woo_gmt(store_time)} UTC), so this run may have missed edits; it is "
                    "dropped, and the next incremental import reads every product"
                )
            elif request.incremental and not run.incomplete:
                newest = before_store_time(run.newest, store_time)
                cursor = advance_bookmark(session, ready.connection_id, previous, newest, elapsed)
            listed_all = request.ids is None and after is None and not run.incomplete
            write_scheduled(
                session, ready.connection_id, still_scheduled(scheduled, run, listed_all)
            )
            write_highest(session, ready.connection_id, max(highest or 0, run.highest_id))
            if run.tally.counts["failed"] == 0:
                mark_synced(session, ready.connection_id)  # a failed run is not a sync
    result = run.tally.result(
        connection_id=ready.connection_id,
        dry_run=request.dry_run,
        mapping=ready.rules.source,
        modified_after=after,
        cursor=cursor if request.incremental else None,
        warnings=run.tally.warnings(
            run.warnings, run.without_sku, run.sku_removed, run.connection_id
        ),
        restored_skus=tuple(run.restored),
    )
    log.info(
        "import from connection %s finished: %s imported, %s updated, %s unchanged, %s skipped, "
        "%s failed, %s excluded%s",
        ready.connection_id,
        result.imported_count,
        result.updated_count,
        result.unchanged_count,
        result.skipped_count,
        result.failed_count,
        result.counts.excluded,
        " (dry run, nothing written)" if request.dry_run else "",
    )
    return result


def _fetch_and_write(
    db: Database,
    run: ImportRun,
    request: ImportRequest,
    after: datetime | None,
    progress: Progress | None,
    scheduled: Iterable[int] = (),
    highest: int | None = None,
) -> None:
    """Every page: fetched, mapped, reconciled and written; results handed out per commit.
    After a window (``after``), the products it cannot list are asked for by id: those earlier
    runs saw ``scheduled``, and those whose id is above the ``highest`` an earlier run saw."""
    transaction = PageTransaction(db, run.dry_run, run.deliver)
    # product pages and variation lists share the run's --concurrency: never more in flight
    gate = threading.BoundedSemaphore(request.concurrency)
    fields = wanted_fields(run.rules, run.fingerprinter)
    params = list_params(after, fields)
    listing = variation_params(fields)
    ids = request.ids
    phases = progress if isinstance(progress, PhaseProgress) else NO_PROGRESS
    phases.phase(Phase.READING, total=len(ids) if ids else None)  # each page read, then written

    def write(items: list[dict[str, Any]], next_ready: bool) -> None:
        products = fresh(run, items)
        with_category_paths(run, products)
        # never hold the database while waiting for the store: committed before it is asked
        with_product_links(run, transaction.session, products, before_asking=transaction.commit)
        with_default_names(run, products, before_asking=transaction.commit)
        relinked = sku_less_links(transaction, run.connection_id, products)
        variations: VariationLists = {}
        if any(product.get("type") == VARIABLE for product in products):
            transaction.commit()  # never hold the database while waiting for the store
            variations = read_variations(
                run, products, listing, request.concurrency, gate, relinked
            )
        if products:
            slugs = attribute_slugs(run, products)
            write_page(transaction, run, products, slugs, variations, relinked)
            del variations  # only this page's variations are held
        if not next_ready:
            transaction.commit()  # never hold the database while waiting for the store
        if progress is not None:
            progress(len(items))

    try:
        for items, next_ready in pages(run.client, params, ids, request.concurrency, run, gate):
            write(items, next_ready)
            if ids is None and run.expected_total:  # page 1's X-WP-Total: a count and an ETA
                phases.set_total(run.expected_total)
        if request.incremental and after is not None and ids is None:
            # scheduled products seen by earlier runs: published since, they kept their
            # modified date; products made with a date in the past: modified then. No window
            # lists them, so they are asked for by id.
            run.asked_scheduled = [woo_id for woo_id in scheduled if woo_id not in run.seen]
            newer, top = ids_above(run.client, highest, after)
            run.newer_ids = [woo_id for woo_id in newer if woo_id not in run.seen]
            run.highest_id = max(run.highest_id, top)
        asked = list(dict.fromkeys([*run.asked_scheduled, *run.newer_ids]))
        if asked:
            everything = list_params(None, fields)
            for items, next_ready in pages(
                run.client, everything, asked, request.concurrency, run, gate
            ):
                write(items, next_ready)
        phases.phase(Phase.RECORDING)  # the last page's products
        transaction.commit()
        check_totals(run, ids, after)
        notes = [
            gone_variations_warning(run),
            *run.unfit_warnings(),
            run.overruled_warning(),
            run.image_copies_note(),
            run.file_copies_note(),
        ]
        if ids is None and after is None and not run.incomplete:  # the whole store was listed
            with db.session() as session:
                notes.insert(0, gone_from_store(session, run))
        if run.sku_less_names:
            with db.session() as session:
                notes.append(twins_warning(session, run))
        for warning in filter(None, notes):
            run.warn(warning)
        run.deliver()
    finally:
        transaction.close()


@contextmanager
def _run_lock(
    db: Database, first: Start, request: ImportRequest, lock_wait: float
) -> Iterator[None]:
    """The store's run lock (a dry run writes nothing and takes none)."""
    if request.dry_run:
        yield
        return
    label = f"import from {first.connection.store_name}"
    with store_lock(first.connection_id, wait=lock_wait, label=label, database=db.path):
        yield
