"""Export: push local products to one WooCommerce store (the spec's *Export products*, *Update
product* and *Delete product*: ARCHITECTURE.md, operations table).

    export_products(db, ExportRequest(connection, product_ids=[101, 102]))  # Export products
    export_products(db, ExportRequest(2, all_products=True, partial=True))  # a cron job's run
    plan_export(db, ExportRequest(1, skus=["A"]))          # (dry_run.py) a plan, nothing written
    update_product(db, connection, 101)                    # Update product
    delete_product(db, connection, 101)                    # Delete product

The catalog goes through in chunks (``select.CHUNK`` products), each one all the way before the
next is read: select -> (unchanged) -> plan (decide, match) -> send -> book. Only a chunk and the
store's registry are in memory; each product's result goes to ``on_result`` as it is finished.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from typing import TYPE_CHECKING

from woosync.core.errors import ValidationError
from woosync.core.locks import store_lock
from woosync.core.progress import Phase, Progress
from woosync.core.timeutil import utcnow
from woosync.services.connections.client import open_client
from woosync.services.connections.lookup import active_connection, mark_synced
from woosync.services.export import book, match, notices, select
from woosync.services.export.job import (
    NOT_SYNCED,
    Chunk,
    Job,
    Tally,
    connection_id_of,
    linked_sync,
)
from woosync.services.export.phases import VARIATIONS, Phases
from woosync.services.export.records import delete_sync
from woosync.services.export.request import ExportRequest
from woosync.services.export.results import (
    SUCCESS,
    UPDATED,
    DeleteResult,
    ExportResult,
    ProductResult,
)
from woosync.services.export.results import UNCHANGED as NO_CHANGE
from woosync.services.export.send import Sender
from woosync.services.export.state import CREATE, UNCHANGED, Item
from woosync.services.export.variation_results import PrunedVariation
from woosync.services.export.variation_run import (
    export_variations,
    failed_parents,
    store_path,
    variable_parents,
    with_parents,
)
from woosync.services.selection import DELETED, Excluded, mark_excluded, remember_deleted_id
from woosync.woo.errors import WooHTTPError, WooNotFoundError

if TYPE_CHECKING:
    from woosync.db.engine import Database
    from woosync.woo import WooClient

log = logging.getLogger("woosync.export")

NOT_IN_STORE = "Product not found in WooCommerce"


def export_products(
    db: Database,
    request: ExportRequest,
    *,
    progress: Progress | Callable[[int], None] | None = None,
    on_result: Callable[[ProductResult], None] | None = None,
    on_excluded: Callable[[Excluded], None] | None = None,
    lock_wait: float = 0.0,
    client: WooClient | None = None,
    quiet_results: bool = True,
) -> ExportResult:
    """Export the products of ``request`` (:class:`ExportRequest`) to its store, under the store's
    run lock (waiting up to ``lock_wait`` seconds for another run to finish).

    Products kept out of this store (:mod:`selection`) are left out and listed in ``excluded``.
    ``progress(n)``: ``n`` more products are finished (a :class:`Progress` also hears the phases,
    with their totals: :class:`phases.Phases`). ``on_result`` receives each product's result as
    it is finished (then the returned ``results`` is empty); without it the results are returned;
    ``on_excluded`` likewise for the products left out. ``client`` replaces the one built from the
    connection's secrets. With ``request.linked_only`` (Update product) a product not linked to the
    store when the lock is held is :class:`NotFoundError`, never created. A variable product's
    variations go out after it (:mod:`variation_run`); with ``request.prune_variations``, the
    store variations no catalog variation matches are deleted and listed in ``pruned``.
    ``quiet_results=False``: the products ``--partial`` finds unchanged without reading them
    are only counted, no result made for each (a caller that shows only the others: a cron
    job's ``--quiet`` run over a large catalog).
    """
    options = request.options(dry_run=False)
    named = request.choice
    choice, chosen = with_parents(db, named)
    tally = Tally(on_result)
    phases = Phases(progress)
    job = Job(db, request, choice, options, phases, on_excluded)
    pruned: list[PrunedVariation] = []  # store variations --prune-variations deleted (or not)
    with job.opened(lock_wait, client) as run:
        phases.start(job.total)
        if request.linked_only:
            with db.session() as session:
                for product_id in named.product_ids:
                    linked_sync(session, run.connection_id, product_id)
        parents: list[int] = []
        unsent: dict[int, str] = {}  # variable products that failed: their variations say so
        created: set[int] = set()  # variable products created by this run
        quiet_parents: set[int] = set()  # variable products reported unchanged (parent_written)

        def settled(chunk: Chunk) -> None:
            """A chunk whose every write is answered: its results, in the chunk's order."""
            items = chunk.items
            done = {item.product_id: book.result_of(run, item) for item in items}
            went_out = [r.product_id for r in done.values() if not r.failed]
            chunk_parents = variable_parents(db, went_out) + chunk.variable  # (quiet: as read)
            chunk_failed = failed_parents(db, done.values())
            parents.extend(chunk_parents)
            quiet_parents.update(
                p for p in chunk_parents if p not in done or done[p].change == NO_CHANGE
            )
            unsent.update(chunk_failed)
            # only variable products: a set of every product created would grow with the catalog
            variable = set(chunk_parents).union(chunk_failed)
            created.update(
                i.product_id for i in items if i.action == CREATE and i.product_id in variable
            )
            for product_id, quiet in chunk.in_order():
                if quiet is not None and not quiet_results:
                    tally.count_unchanged()
                elif quiet is not None:
                    woo_id, last = quiet
                    tally.add(
                        ProductResult(
                            run.connection_id,
                            product_id,
                            woo_id,
                            SUCCESS,
                            (),
                            last,
                            sku=chunk.skus[product_id],
                        )
                    )
                elif product_id in done:
                    tally.add(done[product_id])
                else:  # removed from the catalog since it was chosen
                    tally.skipped += 1

        # a chunk's last writes are still in flight while the next chunk is planned (the store
        # is not left idle meanwhile); the next chunk's writes are queued behind them and go out
        # as they are answered (the store never waits for a chunk to drain); then the chunk's
        # results go out, in order. The progress hears the phases in their order: what planning
        # heard meanwhile is told once the sending phase is full, and what the next chunk's
        # writes finished meanwhile once its sending phase is entered.
        with Sender(run) as sender:
            chunks = job.chunks(run)
            previous: Chunk | None = None
            while True:
                if previous is not None:
                    phases.hold()
                chunk = next(chunks, None)
                writing: list[Item] = []
                if chunk is not None and chunk.items:
                    phases.planning()
                    writing = match.plan_chunk(run, chunk.items)
                    book.mark_pending(run, writing)
                    finished = [i for i in chunk.items if i.done or i.action == UNCHANGED]
                    book.settle(run, finished)
                    run.report(len(finished))
                    phases.planned(len(writing))
                held = phases.resume()
                if previous is not None:
                    if writing:
                        sender.queue_ahead(writing)
                    sender.finish(previous.items)
                    phases.pause()
                    settled(previous)
                phases.replay(held)
                if chunk is None:
                    break
                if writing:  # sent and booked batch by batch; the last ones answered above
                    phases.enter(Phase.SENDING, total=len(writing))
                    sender.feed(writing)
                previous = chunk
        if run.links is not None:  # links to products this run created: sent now
            run.links.finish(run)

        def sending_variations(total: int) -> None:  # counts the variations finished
            phases.enter(VARIATIONS, total)

        def parent_written(product_id: int, woo_id: int, sku: str) -> None:
            """Its variations' stage sent its attributes (a new option): updated after all."""
            if product_id in quiet_parents:
                now = utcnow()
                result = ProductResult(run.connection_id, product_id, woo_id, SUCCESS, (), now)
                tally.amend(
                    dataclasses.replace(
                        result, exported_fields=("attributes",), change=UPDATED, sku=sku
                    )
                )

        def left_out(entry: Excluded) -> None:  # a variation kept out of this store
            job.leave_out([entry])
            phases(1)

        for result in export_variations(
            run,
            parents,
            chosen,
            frozenset(created),
            prune=request.prune_variations,
            failed=unsent,
            start=sending_variations,
            on_pruned=pruned.append,
            on_excluded=left_out,
            on_parent=parent_written,
        ):
            tally.add(result)
            phases(1)
        if job.seen:
            with db.session() as session:
                mark_synced(session, run.connection_id, utcnow())
    counts = tally.counts(job.excluded_count)
    log.info(
        "export to connection %s finished: %d synced, %d failed (%d created, %d updated, "
        "%d unchanged, %d skipped, %d excluded, %d with conflicts)",
        job.connection_id,
        tally.synced,
        tally.failed,
        counts.created,
        counts.updated,
        counts.unchanged,
        counts.skipped,
        counts.excluded,
        counts.conflicts,
    )
    for (key, value), (skus, count) in run.dropped.items():
        run.warn(notices.dropped_warning(key, value, skus, count, job.connection_id))
    if counts.conflicts:
        run.warn(
            notices.held_conflicts_warning(counts.conflicts, job.connection_id, named=tally.held)
        )
    return ExportResult(
        job.connection_id,
        tally.synced,
        tally.failed,
        tuple(tally.kept),
        tuple(job.excluded),
        job.excluded_count,
        counts,
        tuple(pruned),
        tuple(run.warnings),
    )


def count_products(db: Database, request: ExportRequest) -> int:
    """How many products ``request`` covers (for a progress bar)."""
    choice = request.choice
    if choice.named:
        return len(choice.named)
    with db.session() as session:
        connection_id = (
            connection_id_of(active_connection(session, request.connection))
            if choice.retry_failed
            else 0
        )
        return select.count_chosen(session, connection_id, retry_failed=choice.retry_failed)


def update_product(
    db: Database,
    connection: int | str | None,
    product_id: int,
    *,
    fields: Sequence[str] | None = None,
    lock_wait: float = 0.0,
    client: WooClient | None = None,
) -> ProductResult:
    """The spec's Update product: push the changed fields of one product already synced there.

    The product's result (``status`` ``error`` with a ``message`` when the store refused it).
    :class:`NotFoundError` when the product was never synced to this connection,
    :class:`ValidationError` when it is kept out of this store (:mod:`selection`).
    """
    with db.session() as session:
        conn = active_connection(session, connection)
        linked_sync(session, connection_id_of(conn), product_id)
    request = ExportRequest(
        connection_id_of(conn),
        product_ids=(product_id,),
        fields=fields,
        partial=True,
        linked_only=True,  # checked again under the lock: a queued delete may have unlinked it
    )
    result = export_products(db, request, lock_wait=lock_wait, client=client)
    if not result.results:  # kept out of this store: nothing was sent
        left_out = result.excluded[0].to_dict()
        undo = (
            "edit the store's mapping file to take it"
            if left_out["reason"] == "selection"
            # a command to run (the selection's own reasons name commands too)
            else "include it again: woosync products include --connection "
            f"{connection_id_of(conn)} {left_out['sku']}"
        )
        raise ValidationError(
            f"product {product_id} is not updated: {left_out['message']}", hint=undo
        )
    # a variation goes out with its variable product: its own result, not its parent's
    own = [r for r in result.results if r.product_id == product_id]
    return own[0] if own else result.results[0]


def delete_product(
    db: Database,
    connection: int | str | None,
    product_id: int,
    *,
    lock_wait: float = 0.0,
    client: WooClient | None = None,
) -> DeleteResult:
    """The spec's Delete product: delete the product from the store for good (not to the trash).

    ``success``; when the store no longer has it, not ``success`` with the message "Product not
    found in WooCommerce". The sync record is removed either way, and the product is excluded
    from this store (later exports leave it out: :mod:`selection`).
    """
    with db.session() as session:
        conn = active_connection(session, connection)
        linked_sync(
            session, connection_id_of(conn), product_id
        )  # not linked: say so without waiting
    with ExitStack() as stack:
        if client is None:
            client = stack.enter_context(open_client(db, conn))
        stack.enter_context(
            store_lock(connection_id_of(conn), wait=lock_wait, label="delete", database=db.path)
        )
        with db.session() as session:  # under the lock: a queued run may have relinked it
            woo_id = linked_sync(session, connection_id_of(conn), product_id).woo_product_id
            path = store_path(session, connection_id_of(conn), product_id, woo_id)
        try:
            # Not replayed after a timeout: had the first attempt deleted it, a retry's 404 would
            # report a delete that worked as "not found". A rerun finds out (404: record removed).
            client.request("DELETE", path, params={"force": "true"}, idempotent=False)
            answer = DeleteResult(True)
        except WooNotFoundError:
            answer = DeleteResult(False, NOT_IN_STORE)
        except WooHTTPError as exc:
            if exc.code not in (
                "woocommerce_rest_product_invalid_id",
                "woocommerce_rest_product_variation_invalid_id",
            ):
                raise
            answer = DeleteResult(False, NOT_IN_STORE)
        with db.session() as session:
            delete_sync(session, connection_id_of(conn), product_id)
            mark_excluded(session, connection_id_of(conn), [product_id], DELETED)
            remember_deleted_id(session, connection_id_of(conn), product_id, woo_id)
    return answer


__all__ = [
    "NOT_IN_STORE",
    "NOT_SYNCED",
    "ExportRequest",
    "count_products",
    "delete_product",
    "export_products",
    "update_product",
]
