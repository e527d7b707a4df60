"""One export run's frame: the connection and options checked, the store's lock, everything read
under it, and the chosen products chunk by chunk (``run.py`` drives the stages over them)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from woosync.core.errors import NotFoundError, ValidationError, param, spell_params
from woosync.core.gc_tuning import fewer_gc_passes
from woosync.core.locks import store_lock
from woosync.db.models import ExportMapping, Product
from woosync.db.raw_rows import row_reader
from woosync.services.catalog.lookup import get_product
from woosync.services.connections.client import open_client
from woosync.services.connections.lookup import active_connection
from woosync.services.export import select, unchanged
from woosync.services.export.records import load_syncs, product_columns
from woosync.services.export.registry import StoreRegistry
from woosync.services.export.request import ExportRequest
from woosync.services.export.results import (
    CREATED,
    UNCHANGED,
    UPDATED,
    ProductResult,
)
from woosync.services.export.state import Item, Options, Run
from woosync.services.mappings.active import active_row
from woosync.services.selection import Excluded, drop_exclusions, load_selection
from woosync.services.sync import store_globals
from woosync.services.sync import targets as sync_targets
from woosync.services.sync.counts import RunCounts

if TYPE_CHECKING:
    from sqlmodel import Session

    from woosync.db.engine import Database
    from woosync.db.models import Connection
    from woosync.woo import WooClient

log = logging.getLogger("woosync.export")
_NOT_READ: Any = object()

NOT_SYNCED = "Product not synced to this connection"


HELD_NAMED = 5  # products in conflict the run's warning names


@dataclass
class Tally:
    """The counts of a run's results, and the results themselves when nobody streams them."""

    on_result: Callable[[ProductResult], None] | None
    synced: int = 0
    failed: int = 0
    kept: list[ProductResult] = field(default_factory=list)
    changes: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys((CREATED, UPDATED, UNCHANGED), 0)
    )
    conflicts: int = 0
    held: list[str] = field(default_factory=list)  # the first products in conflict, by SKU
    skipped: int = 0

    def counts(self, excluded: int) -> RunCounts:
        """The run's counts, ``excluded`` products having been left out of the store."""
        changes = self.changes
        return RunCounts(
            created=changes[CREATED],
            updated=changes[UPDATED],
            unchanged=changes[UNCHANGED],
            skipped=self.skipped,
            excluded=excluded,
            conflicts=self.conflicts,
            failed=self.failed,
        )

    def amend(self, result: ProductResult) -> None:
        """A product already counted ``unchanged`` that a later stage wrote after all (a
        variable product's new option): counted as ``result.change`` instead; its new result
        replaces the kept one, or follows the streamed one (the last entry is what happened)."""
        self.changes[UNCHANGED] -= 1
        self.changes[result.change] += 1
        if self.on_result is not None:
            self.on_result(result)
            return
        self.kept = [r for r in self.kept if r.product_id != result.product_id] + [result]

    def count_unchanged(self) -> None:
        """A product found unchanged, counted without a result of its own."""
        self.changes[UNCHANGED] += 1
        self.synced += 1

    def add(self, result: ProductResult) -> None:
        if result.held_conflicts:
            self.conflicts += 1
            if len(self.held) < HELD_NAMED:
                self.held.append(f"{result.sku} ({', '.join(result.held_conflicts)})")
        if result.change in self.changes and not result.failed:
            self.changes[result.change] += 1
        if result.failed:
            self.failed += 1
            message = spell_params(result.message or "", str)  # parameters by their names
            log.info("product %s failed: %s", result.product_id, message)
        else:
            self.synced += 1
        if self.on_result is None:
            self.kept.append(result)
        else:
            self.on_result(result)


class Job:
    """One export's settings, read under the lock, and its chunks."""

    def __init__(
        self,
        db: Database,
        request: ExportRequest,
        choice: select.Choice,
        options: Options,
        progress: Callable[[int], None] | None,
        on_excluded: Callable[[Excluded], None] | None = None,
    ) -> None:
        """``choice``: the request's, variations in their parents' place (``with_parents``)."""
        self.db, self.choice, self.options = db, choice, options
        self.connection = request.connection
        self.fields, self.allow_empty = request.fields, tuple(request.allow_empty)
        self.include = request.include
        self.progress = progress
        self.connection_id = 0
        self.excluded: list[Excluded] = []  # kept unless on_excluded takes them
        self.excluded_count = 0
        self.on_excluded = on_excluded
        self.seen = 0  # products that went through (not excluded)
        self.total = 0  # products chosen, counted under the lock (a progress bar's total)

    @contextmanager
    def opened(self, lock_wait: float | None, client: WooClient | None) -> Iterator[Run]:
        """The run, under the store's lock (``lock_wait`` None: a dry run, no lock) and with
        everything read under it: a run queued behind another works from what that one wrote
        (the catalog an import changed, its sync records, the image and term ids it learnt)."""
        db = self.db
        with fewer_gc_passes(), ExitStack() as stack:
            with db.session() as session:
                conn = active_connection(session, self.connection)
                targets_of(
                    session, conn, self.fields
                )  # bad options fail at once, not after waiting
                select.check_named(session, self.choice)
            self.connection_id = connection_id_of(conn)
            if lock_wait is not None:
                stack.enter_context(
                    store_lock(self.connection_id, wait=lock_wait, label="export", database=db.path)
                )
            with db.session() as session:
                conn = active_connection(session, self.connection_id)
                self.targets = targets_of(session, conn, self.fields)
                slugs = variation_slugs_of(session, conn, self.targets)
                self.selection = load_selection(session, self.connection_id)
                registry = StoreRegistry.load(session, self.connection_id, db)
                total = len(self.choice.named) or select.count_chosen(
                    session, self.connection_id, retry_failed=self.choice.retry_failed
                )
            self.total = total
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
                db,
                self.connection_id,
                opener,
                self.targets,
                registry,
                self.options,
                self.progress,
                variation_slugs=slugs,
            )

    def leave_out(self, entries: Sequence[Excluded]) -> None:
        """Products (or variations) this store does not take: counted, and kept or handed on."""
        self.excluded_count += len(entries)
        if self.on_excluded is None:
            self.excluded += entries
        else:
            for entry in entries:
                self.on_excluded(entry)

    def chunks(self, run: Run) -> Iterator[Chunk]:
        """The chosen products, chunk by chunk, less those this store does not take (kept in
        ``excluded``); those found unchanged without decoding are set apart."""
        fields = [t.field for t in self.targets] + self.selection.columns()
        # status and type: select.unpublished and select.created_type
        columns = product_columns([*fields, "status", "type"])
        readers = select.field_readers([t.field for t in self.targets])
        decode = row_reader(Product.__table__, columns, self.db.engine.dialect)  # type: ignore[attr-defined]
        settings = unchanged.settings(self.targets, self.allow_empty)
        for rows in select.raw_chunks(
            self.db,
            self.connection_id,
            self.choice,
            columns,
            quiet=settings if self.options.partial else None,
            kept=self.selection.columns(),
        ):
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
            self.leave_out(left_out)
            run.report(len(left_out))  # counted by count_products: done, nothing to send
            self.seen += len(kept)
            chunk = Chunk([int(row[0]) for row in kept])
            stamps: dict[int, str] = {}  # what the loud ones are stamped with when in step
            loud: list[select.RawRow] = []
            times: dict[Any, datetime | None] = {}  # a batch's records share one time
            for row in kept:
                if row[select.QUIET]:
                    stored = row[select.LAST_EXPORTED]
                    last = times.get(stored, _NOT_READ)
                    if last is _NOT_READ:
                        last = times[stored] = unchanged.last_exported(stored)
                    chunk.quiet[row[0]] = (row[select.WOO_ID], last)
                    chunk.skus[row[0]] = row[1]
                    if row[select.VARIABLE]:
                        chunk.variable.append(row[0])
                else:
                    stamps[row[0]] = unchanged.stamp(settings, row[select.REVISION])
                    loud.append(row)
            run.report(len(chunk.quiet))
            with self.db.session() as session:
                chunk.items = select.load_items(
                    session,
                    self.connection_id,
                    loud,
                    decode,
                    self.targets,
                    readers,
                    self.allow_empty,
                )
            for item in chunk.items:
                item.basis = stamps[item.product_id]
            with self.db.session() as session:
                run.registry.load_images(
                    session,
                    [s for i in chunk.items for s in i.values.get(sync_targets.IMAGES) or []],
                )
            yield chunk
            run.owners.clear()


@dataclass
class Chunk:
    """One chunk of a run: its products in order, the items to plan, and those found unchanged
    without decoding (``product id -> (store id, last exported)``)."""

    order: list[int]
    items: list[Item] = field(default_factory=list)
    quiet: dict[int, tuple[int, datetime | None]] = field(default_factory=dict)
    skus: dict[int, str] = field(default_factory=dict)  # of the quiet ones (a dry run shows them)
    variable: list[int] = field(default_factory=list)  # the quiet variable products, in order

    def in_order(self) -> Iterator[tuple[int, tuple[int, datetime | None] | None]]:
        """Each product of the chunk, in order, with what is known when it is unchanged."""
        for product_id in self.order:
            yield product_id, self.quiet.get(product_id)


def connection_id_of(conn: Connection) -> int:
    assert conn.id is not None
    return conn.id


def linked_sync(session: Session, connection_id: int, product_id: int) -> Any:
    sync = load_syncs(session, connection_id, [int(product_id)]).get(int(product_id))
    if sync is None or not sync.woo_product_id:
        get_product(session, int(product_id))  # a product that does not exist says so first
        raise NotFoundError(
            NOT_SYNCED,
            hint=f"export it to connection {connection_id} first "
            f"({param('product_ids')} {product_id})",
        )
    return sync


def targets_of(
    session: Session, conn: Connection, fields: Sequence[str] | None
) -> list[sync_targets.Target]:
    mapping = active_row(session, ExportMapping, connection_id_of(conn))
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
    if any(name not in mappings for name in selected):  # the store's global attribute of a name
        known = store_globals.known_globals(session, connection_id_of(conn))
        mappings.update(store_globals.implicit_mappings(selected, mappings, known))
    return sync_targets.resolve_targets(selected, mappings)


def variation_slugs_of(
    session: Session, conn: Connection, targets: Sequence[sync_targets.Target]
) -> dict[str, str]:
    """The slugs this store's variation attributes go under (``store_globals.variation_slugs``)."""
    known = store_globals.known_globals(session, connection_id_of(conn))
    slugs = {t.field: t.woo for t in targets if t.kind == sync_targets.GLOBAL_ATTRIBUTE}
    local = [t.woo for t in targets if t.kind == sync_targets.LOCAL_ATTRIBUTE and ":" in t.field]
    return store_globals.variation_slugs(slugs, known, local)
