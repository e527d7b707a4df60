"""The spec's *Get sync status* (ARCHITECTURE.md, operations table): each product's sync state in
each store, streamed.

:func:`store_status` checks the filters and returns a :class:`StoreStatus` whose ``records()``
yields one :class:`SyncRecord` per product, in product-id order (a variation right after its
parent product), reading the database a chunk of
products at a time (only a chunk is ever in memory, whatever the catalog's size); its
:attr:`StoreStatus.summary` (counts by state, over every record of the store whatever the filters
let through) and ``conflicts`` are complete once the records have been read.
:func:`status_matrix` merges several stores' streams into :class:`MatrixRow` s: products x stores.

A product kept out of a store (deleted there, excluded by hand, or outside the store's
``products:`` selection) shows as ``excluded`` with its reason, in place of its sync status.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import col, select

from woosync.core.errors import NotFoundError, ValidationError
from woosync.db.models import SYNC_STATUSES, Product
from woosync.services.catalog.reading import field_value
from woosync.services.connections.lookup import connection_or_default
from woosync.services.imports.bookmark import parse_woo_gmt, read_cursor, read_scheduled
from woosync.services.selection import SELECTION, load_selection
from woosync.services.sync.echoes import catalog_print, conflict_target
from woosync.services.sync_records import (
    START,
    Filters,
    SyncRow,
    group_bound,
    read_exclusions,
    read_full_products,
    read_products,
    read_syncs,
)

if TYPE_CHECKING:
    from sqlmodel import Session

    from woosync.db.engine import Database

EXCLUDED_STATE = "excluded"  # not a stored sync status: the product is kept out of the store
STATES = (*SYNC_STATUSES, EXCLUDED_STATE)
__all__ = ["Filters"]  # re-exported: the filters callers build
CHUNK = 2000  # products read per query: a chunk is all a stream holds in memory


@dataclass(frozen=True, slots=True)
class SyncRecord:
    """One product in one store: its sync record (``record_id`` None when it has none, as for a
    product deleted from the store) and its state, ``excluded`` when it is kept out of it."""

    connection_id: int
    product_id: int
    sku: str
    name: str
    record_id: int | None
    woo_product_id: int
    state: str
    last_exported_at: datetime | None = None
    last_imported_at: datetime | None = None
    last_modified_fields: tuple[str, ...] | None = None
    error_message: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    excluded_reason: str | None = None  # deleted, excluded or selection
    excluded_since: datetime | None = None
    conflict_count: int = 0
    parent_product_id: int | None = None  # a variation's parent product (None: not a variation)
    parent_woo_product_id: int | None = None  # a variation's parent's id in the store

    @property
    def is_variation(self) -> bool:
        return self.parent_product_id is not None

    @property
    def key(self) -> tuple[int, int]:
        """The listing order: a product, then its variations."""
        group = self.parent_product_id
        return (group if group is not None else self.product_id, self.product_id)


@dataclass(frozen=True, slots=True)
class Conflict:
    """A field changed both in the catalog and in the store since the last sync."""

    product_id: int
    sku: str
    woo_product_id: int
    field: str
    woo_field: str
    catalog: Any  # the catalog's value now
    store: Any  # the store's value as the last import saw it


@dataclass(slots=True)
class Summary:
    """Counts by state of a store's records (filled while the records are read)."""

    synced: int = 0
    pending: int = 0
    error: int = 0
    excluded: int = 0

    @property
    def total(self) -> int:
        return self.synced + self.pending + self.error + self.excluded

    def count(self, state: str) -> int:
        return int(getattr(self, state, 0))

    def add(self, state: str) -> None:
        if state in STATES:
            setattr(self, state, self.count(state) + 1)


@dataclass(eq=False)
class StoreStatus:
    """One store's sync status; iterate :meth:`records` once, then read ``summary`` and
    ``conflicts``."""

    db: Database
    connection_id: int
    store_name: str
    import_cursor: datetime | None
    filters: Filters
    # the store's scheduled products an import awaits: store id -> when the store publishes it
    scheduled: dict[int, datetime | None] = field(default_factory=dict)
    summary: Summary = field(default_factory=Summary)
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def conflict_count(self) -> int:
        return len(self.conflicts)

    def records(self) -> Iterator[SyncRecord]:
        """The store's records that pass the filters, in product-id order with each variation
        right after its parent, a chunk at a time."""
        self.summary = Summary()
        self.conflicts = []
        with self.db.session() as session:
            selection = load_selection(session, self.connection_id)
            after = START
            while True:
                upper = group_bound(session, after, CHUNK)
                syncs = read_syncs(session, self.connection_id, self.filters, after, upper)
                kept_out = read_exclusions(session, self.connection_id, self.filters, after, upper)
                if syncs or kept_out:
                    yield from self._chunk(session, syncs, kept_out, selection)
                if upper is None:
                    return
                after = upper

    def _chunk(
        self,
        session: Session,
        page: list[SyncRow],
        kept_out: dict[int, tuple[str, datetime | None]],
        selection: Any,
    ) -> Iterator[SyncRecord]:
        syncs = {sync.product_id: sync for sync in page}
        ids = list(syncs.keys() | kept_out.keys())
        products = read_products(session, ids, selection.columns() if selection else [])
        ids.sort(key=lambda pid: _key(pid, products.get(pid)))
        if selection:
            for pid in syncs:
                product = products.get(pid)
                if product is not None and not selection.admits(product):
                    kept_out.setdefault(pid, (SELECTION, None))
        wanted = self.filters.status
        disputed = [
            sync.product_id
            for sync in page
            if sync.conflicts and wanted in (None, EXCLUDED_STATE, sync.sync_status)
        ]
        full = read_full_products(session, disputed)
        for pid in ids:
            sync, product = syncs.get(pid), products.get(pid)
            record = _record(self.connection_id, pid, product, sync, kept_out.get(pid))
            self.summary.add(record.state)
            if pid in full and sync is not None:
                found = _open_conflicts(sync, full[pid])
                self.conflicts.extend(found)
                if found:
                    record = _with_conflicts(record, len(found))
            if wanted is not None and record.state != wanted:
                continue
            if self.filters.conflicts_only and not record.conflict_count:
                continue
            yield record


def _key(product_id: int, product: Any) -> tuple[int, int]:
    """The listing order: a product, then its variations (grouped under the parent's id)."""
    parent = product.parent_id if product is not None else None
    return (parent if parent is not None else product_id, product_id)


def _with_conflicts(record: SyncRecord, count: int) -> SyncRecord:
    values = {name: getattr(record, name) for name in SyncRecord.__slots__}
    values["conflict_count"] = count
    return SyncRecord(**values)


def validate_status(status: str | None) -> str | None:
    """``status`` as the records spell it (``ERROR`` -> ``error``); an unknown one is an error."""
    if status is None:
        return None
    value = status.strip().lower()
    if value not in STATES:
        raise ValidationError(
            f"unknown sync status {status!r}", hint=f"use one of {', '.join(STATES)}"
        )
    return value


def store_status(
    db: Database, connection: int | str | None = None, filters: Filters = Filters()
) -> StoreStatus:
    """A store's sync status (the default connection's when ``connection`` is None), filters
    checked: an unknown status, product id or SKU is an error before anything is read."""
    checked = Filters(
        validate_status(filters.status),
        tuple(dict.fromkeys(filters.product_ids)),
        tuple(dict.fromkeys(sku.strip() for sku in filters.skus if sku.strip())),
        filters.conflicts_only,
    )
    with db.session() as session:
        conn = connection_or_default(session, connection)
        assert conn.id is not None
        _check_products(session, checked)
        scheduled = {
            woo_id: parse_woo_gmt(when) for woo_id, when in read_scheduled(session, conn.id).items()
        }
        cursor = read_cursor(session, conn.id)
        return StoreStatus(db, conn.id, conn.store_name, cursor, checked, scheduled)


def _check_products(session: Session, filters: Filters) -> None:
    if filters.product_ids:
        known = set(
            session.exec(select(Product.id).where(col(Product.id).in_(filters.product_ids))).all()
        )
        missing = [pid for pid in filters.product_ids if pid not in known]
        if missing:
            raise NotFoundError(
                f"product {missing[0]} not found", hint="run 'woosync products list' to see them"
            )
    if filters.skus:
        folded = {sku.casefold() for sku in filters.skus}
        known_skus = {
            sku.casefold()
            for sku in session.exec(
                select(Product.sku).where(col(Product.sku).collate("NOCASE").in_(filters.skus))
            ).all()
        }
        missing_skus = sorted(folded - known_skus)
        if missing_skus:
            raise NotFoundError(
                f"no product has the SKU {missing_skus[0]!r}",
                hint="run 'woosync products list' to see them",
            )


def _record(
    connection_id: int,
    product_id: int,
    product: Any,
    sync: Any,
    kept_out: tuple[str, datetime | None] | None,
) -> SyncRecord:
    sku = product.sku if product is not None else ""
    name = product.name if product is not None else ""
    parent = product.parent_id if product is not None else None
    reason, since = kept_out if kept_out is not None else (None, None)
    if sync is None:  # excluded, its sync record gone (deleted from the store)
        return SyncRecord(
            connection_id, product_id, sku, name, None, 0, EXCLUDED_STATE,
            excluded_reason=reason, excluded_since=since, parent_product_id=parent,
        )  # fmt: skip
    fields = sync.last_modified_fields
    return SyncRecord(
        connection_id,
        product_id,
        sku,
        name,
        sync.id,
        sync.woo_product_id,
        EXCLUDED_STATE if kept_out is not None else sync.sync_status,
        sync.last_exported_at,
        sync.last_imported_at,
        tuple(fields) if fields is not None else None,
        sync.error_message,
        sync.created_at,
        sync.updated_at,
        reason,
        since,
        parent_product_id=parent,
        parent_woo_product_id=sync.parent_woo_id if parent is not None else None,
    )


def _open_conflicts(sync: Any, product: Product) -> list[Conflict]:
    """The record's conflicts that still stand: one whose catalog value was since edited to equal
    the store's is left out (the next import clears it)."""
    found: list[Conflict] = []
    for key, conflict in sorted(sync.conflicts.items()):
        target = conflict_target(str(conflict.get("field") or ""), key)
        current = field_value(product, target.field)
        if catalog_print(target, current) == catalog_print(target, conflict.get("store")):
            continue
        found.append(
            Conflict(
                sync.product_id,
                product.sku,
                sync.woo_product_id,
                target.field,
                key,
                current,
                conflict.get("store"),
            )
        )
    return found


# several stores: the matrix ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class MatrixRow:
    """One product and its record in each store asked for (None: not in that store)."""

    product_id: int
    sku: str
    name: str
    cells: tuple[SyncRecord | None, ...]
    parent_product_id: int | None = None  # a variation's parent product

    def states(self) -> tuple[str | None, ...]:
        return tuple(cell.state if cell is not None else None for cell in self.cells)


def status_matrix(stores: Sequence[StoreStatus]) -> Iterator[MatrixRow]:
    """Products x stores: each store's records (streamed) merged by product id. A product is a
    row when any store lists it; a status filter lets a row through when any store's cell has
    that status (the other cells are shown as they are)."""
    streams = [_all_states(store) for store in stores]
    heads: list[SyncRecord | None] = [next(stream, None) for stream in streams]
    wanted = stores[0].filters.status if stores else None
    while any(head is not None for head in heads):
        key = min(head.key for head in heads if head is not None)
        pid = key[1]
        cells: list[SyncRecord | None] = []
        for index, head in enumerate(heads):
            if head is not None and head.key == key:
                cells.append(head)
                heads[index] = next(streams[index], None)
            else:
                cells.append(None)
        first = next(cell for cell in cells if cell is not None)
        if _wanted(cells, wanted, conflicts_only=stores[0].filters.conflicts_only):
            yield MatrixRow(pid, first.sku, first.name, tuple(cells), first.parent_product_id)


def _wanted(cells: Sequence[SyncRecord | None], state: str | None, *, conflicts_only: bool) -> bool:
    present = [cell for cell in cells if cell is not None]
    if state is not None and not any(cell.state == state for cell in present):
        return False
    return not conflicts_only or any(cell.conflict_count for cell in present)


def _all_states(store: StoreStatus) -> Iterator[SyncRecord]:
    """The store's records with the status and conflict filters left to the matrix (a row shows
    every store's cell); the summary and conflicts are the store's all the same."""
    whole = StoreStatus(
        store.db,
        store.connection_id,
        store.store_name,
        store.import_cursor,
        Filters(None, store.filters.product_ids, store.filters.skus, False),
        store.scheduled,
    )
    yield from whole.records()
    store.summary, store.conflicts = whole.summary, whole.conflicts


def summary_counts(summary: Summary) -> Mapping[str, int]:
    """``{synced, pending, error, total, excluded}`` in the spec's order."""
    counts = {state: summary.count(state) for state in SYNC_STATUSES}
    counts["total"] = summary.total
    counts["excluded"] = summary.excluded
    return counts
