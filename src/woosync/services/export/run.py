"""Export: push local products to one WooCommerce store (the spec's *Export products*, *Update
product* and *Delete product*: ARCHITECTURE.md, operations table).

    export_products(db, connection, product_ids=[101, 102])          # Export products
    export_products(db, 2, all_products=True, partial=True)         # what a cron job runs
    plan_export(db, 1, skus=["A"])                                  # a plan, nothing written
    update_product(db, connection, 101)                             # Update product
    delete_product(db, connection, 101)                             # Delete product

The catalog goes through in chunks (``select.CHUNK`` products), each one all the way before the
next is read: select -> (unchanged) -> plan (decide, match) -> send -> book. Only a chunk and the
store's registry are in memory; each product's result goes to ``on_result`` as it is finished.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from woosync.core.errors import NotFoundError, ValidationError, param
from woosync.core.gc_tuning import fewer_gc_passes
from woosync.core.locks import store_lock
from woosync.core.timeutil import utcnow
from woosync.services.catalog import get_product
from woosync.services.common import connection_or_default
from woosync.services.connections import open_client
from woosync.services.export import book, decide, dry_run, match, plan, select, unchanged
from woosync.services.export.records import (
    delete_sync,
    load_syncs,
    product_columns,
    touch_connection,
)
from woosync.services.export.registry import StoreRegistry
from woosync.services.export.results import (
    SUCCESS,
    DeleteResult,
    ExportPlan,
    ExportResult,
    PlannedProduct,
    PlanSummary,
    ProductResult,
)
from woosync.services.export.send import Sender
from woosync.services.export.state import UNCHANGED, Item, Options, Run
from woosync.services.mappings import active_export_mapping
from woosync.services.selection import (
    DELETED,
    Excluded,
    drop_exclusions,
    load_selection,
    mark_excluded,
)
from woosync.woo.api_limits import MAX_BATCH
from woosync.woo.errors import WooHTTPError, WooNotFoundError

if TYPE_CHECKING:
    from sqlmodel import Session

    from woosync.db.engine import Database
    from woosync.db.models import Connection
    from woosync.woo import WooClient

log = logging.getLogger("woosync.export")

NOT_SYNCED = "Product not synced to this connection"
NOT_IN_STORE = "Product not found in WooCommerce"


def export_products(
    db: Database,
    connection: int | str | None = None,
    *,
    product_ids: Sequence[int] | None = None,
    skus: Sequence[str] | None = None,
    all_products: bool = False,
    retry_failed: bool = False,
    fields: Sequence[str] | None = None,
    partial: bool = False,
    concurrency: int = 4,
    batch_size: int = MAX_BATCH,
    create_terms: bool = True,
    restore_trashed: bool = False,
    allow_empty: Iterable[str] = (),
    include: bool = False,
    progress: Callable[[int], None] | None = None,
    on_result: Callable[[ProductResult], None] | None = None,
    lock_wait: float = 0.0,
    client: WooClient | None = None,
    linked_only: bool = False,
) -> ExportResult:
    """Export products to one store, under its run lock.

    Products: exactly one of ``product_ids``, ``skus``, ``all_products`` or ``retry_failed``
    (those whose sync record for this store is in error, or still pending after an interrupted
    run). Products kept out of this store (deleted there, excluded, or outside its ``products:``
    selection: :mod:`selection`) are left out and listed in ``excluded``; ``include`` (with
    ``product_ids`` or ``skus``) lifts the deletes and exclusions of the products named, for good.
    Fields: ``fields`` else the connection's active export mapping; its field mappings apply
    either way. ``progress(n)``: ``n`` more products are finished. ``on_result`` receives each
    product's result as it is finished (then the returned ``results`` is empty); without it the
    results are returned. ``client`` replaces the one built from the connection's secrets.
    ``linked_only`` (Update product): a product not linked to the store when the lock is held is
    :class:`NotFoundError`, never created.
    """
    options = _options(partial, False, concurrency, batch_size, create_terms, restore_trashed)
    choice = select.Choice.of(product_ids, skus, all_products, retry_failed)
    tally = _Tally(on_result)
    job = _Job(db, connection, choice, options, fields, tuple(allow_empty), include, progress)
    with job.opened(lock_wait, client) as run:
        if linked_only:
            with db.session() as session:
                for product_id in choice.product_ids:
                    _linked_sync(session, run.connection_id, product_id)
        sender = Sender(run)
        for chunk in job.chunks(run):
            items = chunk.items
            if items:
                writing = _plan(run, items)
                book.mark_pending(run, writing)
                finished = [i for i in items if i.done or i.action == UNCHANGED]
                book.settle(run, finished)
                run.report(len(finished))
                sender.send_all(writing)
            done = {item.product_id: book.result_of(run, item) for item in items}
            for product_id in chunk.order:
                quiet = chunk.quiet.get(product_id)
                if quiet is None:
                    tally.add(done[product_id])
                else:
                    woo_id, last = quiet
                    tally.add(
                        ProductResult(run.connection_id, product_id, woo_id, SUCCESS, (), last)
                    )
        if job.seen:
            with db.session() as session:
                touch_connection(session, run.connection_id, utcnow())
    log.info(
        "export to connection %s finished: %d synced, %d failed",
        job.connection_id,
        tally.synced,
        tally.failed,
    )
    return ExportResult(
        job.connection_id, tally.synced, tally.failed, tuple(tally.kept), tuple(job.excluded)
    )


def plan_export(
    db: Database,
    connection: int | str | None = None,
    *,
    product_ids: Sequence[int] | None = None,
    skus: Sequence[str] | None = None,
    all_products: bool = False,
    retry_failed: bool = False,
    fields: Sequence[str] | None = None,
    partial: bool = False,
    concurrency: int = 4,
    create_terms: bool = True,
    restore_trashed: bool = False,
    allow_empty: Iterable[str] = (),
    include: bool = False,
    on_product: Callable[[PlannedProduct], None] | None = None,
    client: WooClient | None = None,
) -> ExportPlan:
    """What :func:`export_products` would do with the same options (a dry run): nothing is
    written, in the store or the database; no lock is taken. Each product's plan goes to
    ``on_product`` (then the returned ``products`` is empty), else it is returned."""
    options = _options(partial, True, concurrency, MAX_BATCH, create_terms, restore_trashed)
    choice = select.Choice.of(product_ids, skus, all_products, retry_failed)
    counts = dict.fromkeys(("create", "update", "unchanged", "error"), 0)
    kept: list[PlannedProduct] = []

    def add(product: PlannedProduct) -> None:
        counts[product.action if product.action in counts else "error"] += 1
        if on_product is None:
            kept.append(product)
        else:
            on_product(product)

    job = _Job(db, connection, choice, options, fields, tuple(allow_empty), include, None)
    with job.opened(None, client) as run:
        for chunk in job.chunks(run):
            if chunk.items:
                _plan(run, chunk.items)
            done = {item.product_id: dry_run.planned(run, item) for item in chunk.items}
            for product_id in chunk.order:
                quiet = chunk.quiet.get(product_id)
                if quiet is None:
                    add(done[product_id])
                else:
                    add(PlannedProduct(product_id, chunk.skus[product_id], UNCHANGED, quiet[0]))
        would_create = dry_run.would_create(run)
    summary = PlanSummary(**counts, excluded=len(job.excluded))
    return ExportPlan(
        job.connection_id, partial, summary, would_create, tuple(kept), tuple(job.excluded)
    )


def _plan(run: Run, items: list[Item]) -> list[Item]:
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
    match.match_unlinked(run, unlinked)
    return decide.prepare_writes(run, items)


def count_products(
    db: Database,
    connection: int | str | None = None,
    *,
    product_ids: Sequence[int] | None = None,
    skus: Sequence[str] | None = None,
    all_products: bool = False,
    retry_failed: bool = False,
) -> int:
    """How many products an export with these options covers (for a progress bar)."""
    if product_ids:
        return len(set(product_ids))
    if skus:
        return len({s.strip() for s in skus if s.strip()})
    if not (all_products or retry_failed):
        return 0
    with db.session() as session:
        connection_id = _id(_connection(session, connection)) if retry_failed else 0
        return select.count_chosen(session, connection_id, retry_failed=retry_failed)


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
        conn = _connection(session, connection)
        _linked_sync(session, _id(conn), product_id)
    result = export_products(
        db,
        _id(conn),
        product_ids=[product_id],
        fields=fields,
        partial=True,
        lock_wait=lock_wait,
        client=client,
        linked_only=True,  # checked again under the lock: a queued delete may have unlinked it
    )
    if not result.results:  # kept out of this store: nothing was sent
        left_out = result.excluded[0].to_dict()
        undo = (
            "edit the store's mapping file to take it"
            if left_out["reason"] == "selection"
            else f"include it again: woosync products include --connection {_id(conn)} "
            f"{left_out['sku']}"
        )
        raise ValidationError(
            f"product {product_id} is not updated: {left_out['message']}", hint=undo
        )
    return result.results[0]


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
        conn = _connection(session, connection)
        _linked_sync(session, _id(conn), product_id)  # not linked: say so without waiting
    with ExitStack() as stack:
        if client is None:
            client = stack.enter_context(open_client(db, conn))
        stack.enter_context(store_lock(_id(conn), wait=lock_wait, label="delete", database=db.path))
        with db.session() as session:  # under the lock: a queued run may have relinked it
            woo_id = _linked_sync(session, _id(conn), product_id).woo_product_id
        try:
            # Not replayed after a timeout: had the first attempt deleted it, a retry's 404 would
            # report a delete that worked as "not found". A rerun finds out (404: record removed).
            client.request(
                "DELETE", f"/products/{woo_id}", params={"force": "true"}, idempotent=False
            )
            answer = DeleteResult(True)
        except WooNotFoundError:
            answer = DeleteResult(False, NOT_IN_STORE)
        except WooHTTPError as exc:
            if exc.code != "woocommerce_rest_product_invalid_id":
                raise
            answer = DeleteResult(False, NOT_IN_STORE)
        with db.session() as session:
            delete_sync(session, _id(conn), product_id)
            mark_excluded(session, _id(conn), [product_id], DELETED)
    return answer


# one run ----------------------------------------------------------------------------------------


@dataclass
class _Tally:
    """The counts of a run's results, and the results themselves when nobody streams them."""

    on_result: Callable[[ProductResult], None] | None
    synced: int = 0
    failed: int = 0
    kept: list[ProductResult] = field(default_factory=list)

    def add(self, result: ProductResult) -> None:
        if result.failed:
            self.failed += 1
            log.info("product %s failed: %s", result.product_id, result.message)
        else:
            self.synced += 1
        if self.on_result is None:
            self.kept.append(result)
        else:
            self.on_result(result)


class _Job:
    """One export's settings, read under the lock, and its chunks."""

    def __init__(
        self,
        db: Database,
        connection: int | str | None,
        choice: select.Choice,
        options: Options,
        fields: Sequence[str] | None,
        allow_empty: tuple[str, ...],
        include: bool,
        progress: Callable[[int], None] | None,
    ) -> None:
        if include and not choice.named:
            raise ValidationError(
                f"{param('include')} needs the products named with {param('product_ids')} or "
                f"{param('skus')}",
                hint="e.g. woosync export --connection 1 --sku MUG-1 --include",
            )
        self.db, self.connection, self.choice, self.options = db, connection, choice, options
        self.fields, self.allow_empty, self.include = fields, allow_empty, include
        self.progress = progress
        self.connection_id = 0
        self.excluded: list[Excluded] = []
        self.seen = 0  # products that went through (not excluded)

    @contextmanager
    def opened(self, lock_wait: float | None, client: WooClient | None) -> Iterator[Run]:
        """The run, under the store's lock (``lock_wait`` None: a dry run, no lock) and with
        everything read under it: a run queued behind another works from what that one wrote
        (the catalog an import changed, its sync records, the image and term ids it learnt)."""
        db = self.db
        with fewer_gc_passes(), ExitStack() as stack:
            with db.session() as session:
                conn = _connection(session, self.connection)
                _targets(session, conn, self.fields)  # bad options fail at once, not after waiting
                select.check_named(session, self.choice)
            self.connection_id = _id(conn)
            if lock_wait is not None:
                stack.enter_context(
                    store_lock(self.connection_id, wait=lock_wait, label="export", database=db.path)
                )
            with db.session() as session:
                conn = _connection(session, self.connection_id)
                self.targets = _targets(session, conn, self.fields)
                self.selection = load_selection(session, self.connection_id)
                registry = StoreRegistry.load(session, self.connection_id)
                total = len(self.choice.named) or select.count_chosen(
                    session, self.connection_id, retry_failed=self.choice.retry_failed
                )
            log.info(
                "export to connection %s (%s): %d products%s%s",
                self.connection_id,
                conn.store_url,
                total,
                ", changed fields only" if self.options.partial else "",
                " (dry run)" if self.options.dry_run else "",
            )

            def opener() -> WooClient:
                return client or stack.enter_context(open_client(db, conn))

            yield Run(
                db, self.connection_id, opener, self.targets, registry, self.options, self.progress
            )

    def chunks(self, run: Run) -> Iterator[_Chunk]:
        """The chosen products, chunk by chunk, less those this store does not take (kept in
        ``excluded``); those found unchanged without decoding are set apart."""
        fields = [t.field for t in self.targets] + self.selection.columns()
        columns = product_columns(fields)
        readers = select.field_readers([t.field for t in self.targets])
        signature = unchanged.signature(self.targets, self.allow_empty)
        width = len(columns)
        for rows in select.raw_chunks(self.db, self.connection_id, self.choice, columns):
            with self.db.session() as session:
                kept, left_out = select.split_chunk(
                    session,
                    self.connection_id,
                    rows,
                    columns,
                    self.selection,
                    ignore_manual=self.include,
                )
                if self.include and kept and not self.options.dry_run:
                    # asked for by name: the store takes them again from now on
                    drop_exclusions(session, self.connection_id, [row[0] for row in kept])
            self.excluded += left_out
            run.report(len(left_out))  # counted by count_products: done, nothing to send
            self.seen += len(kept)
            chunk = _Chunk([int(row[0]) for row in kept])
            bases: dict[int, Any] = {}
            for row in kept:
                basis = unchanged.basis(signature, row[:width])
                sync = row[width:]
                if self.options.partial and unchanged.is_unchanged(sync, basis):
                    chunk.quiet[int(row[0])] = (int(sync[0]), unchanged.last_exported(sync[5]))
                    chunk.skus[int(row[0])] = str(row[1])
                else:
                    bases[int(row[0])] = basis
            run.report(len(chunk.quiet))
            with self.db.session() as session:
                chunk.items = select.load_items(
                    session,
                    self.connection_id,
                    list(bases),
                    self.targets,
                    readers,
                    self.allow_empty,
                )
            for item in chunk.items:
                item.basis = bases[item.product_id]
            yield chunk
            run.owners.clear()


@dataclass
class _Chunk:
    """One chunk of a run: its products in order, the items to plan, and those found unchanged
    without decoding (``product id -> (store id, last exported)``)."""

    order: list[int]
    items: list[Item] = field(default_factory=list)
    quiet: dict[int, tuple[int, datetime | None]] = field(default_factory=dict)
    skus: dict[int, str] = field(default_factory=dict)  # of the quiet ones (a dry run shows them)


def _options(
    partial: bool,
    dry: bool,
    concurrency: int,
    batch_size: int,
    create_terms: bool,
    restore_trashed: bool,
) -> Options:
    if concurrency < 1:
        raise ValidationError(f"{param('concurrency')} must be at least 1")
    if not 1 <= batch_size <= MAX_BATCH:
        raise ValidationError(f"{param('batch_size')} must be between 1 and {MAX_BATCH}")
    return Options(partial, dry, concurrency, batch_size, create_terms, restore_trashed)


def _id(conn: Connection) -> int:
    assert conn.id is not None
    return conn.id


def _connection(session: Session, ref: int | str | None) -> Connection:
    conn = connection_or_default(session, ref)
    if not conn.is_active:
        raise ValidationError(
            f"connection {conn.id} ({conn.store_name}) is inactive",
            hint="activate it again before exporting to it",
        )
    return conn


def _linked_sync(session: Session, connection_id: int, product_id: int) -> Any:
    sync = load_syncs(session, connection_id, [int(product_id)]).get(int(product_id))
    if sync is None or not sync.woo_product_id:
        get_product(session, int(product_id))  # a product that does not exist says so first
        raise NotFoundError(
            NOT_SYNCED,
            hint=f"export it first: woosync export --connection {connection_id} "
            f"--products {product_id}",
        )
    return sync


def _targets(session: Session, conn: Connection, fields: Sequence[str] | None) -> list[plan.Target]:
    mapping = active_export_mapping(session, _id(conn))
    mappings = dict(mapping.field_mappings) if mapping is not None else {}
    if fields:
        selected = [f.strip() for f in fields if f and f.strip()]
    elif mapping is not None:
        selected = list(mapping.selected_fields)
    else:
        raise ValidationError(
            f"no fields to export: connection {conn.id} has no active export mapping",
            hint=f"pass {param('fields')} name,sku,... or create an export mapping for it",
        )
    return plan.resolve_targets(selected, mappings)


__all__ = [
    "NOT_IN_STORE",
    "NOT_SYNCED",
    "count_products",
    "delete_product",
    "export_products",
    "plan_export",
    "update_product",
]
