"""The spec's JSON of *Get sync status* (ARCHITECTURE.md, operations table), whole or streamed.

One store: ``{connectionId, storeName, records: [...], summary: {synced, pending, error, total,
excluded}, importCursor, scheduled, conflictCount, conflicts: [...]}``; several stores: the envelope of
``services.stores.envelope`` with that object as each store's ``result``. :func:`stream_store`
and :func:`stream_stores` write the same JSON a piece at a time, so a 500,000-record store is
never one list in memory.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from woosync.core.errors import spell_params
from woosync.core.timeutil import iso
from woosync.services.sync_status import (
    EXCLUDED_STATE,
    Conflict,
    StoreStatus,
    Summary,
    SyncRecord,
    summary_counts,
)

Spell = Callable[[str], str]  # how a shell writes a parameter a message names (core.errors.param)


def record_json(record: SyncRecord, spell: Spell) -> dict[str, Any]:
    """A sync record in the spec's shape (the parameters its error names written by ``spell``:
    the CLI's flags); a variation's ``wooProductId`` is its parent's id in
    the store and it adds ``wooVariationId`` (its own id there: the store's
    ``/products/{wooProductId}/variations/{wooVariationId}``) and ``parentProductId`` (its
    parent's local id); an excluded product adds ``excludedReason`` and ``excludedSince``."""
    shaped: dict[str, Any] = {
        "id": record.record_id,
        "connectionId": record.connection_id,
        "productId": record.product_id,
        "wooProductId": record.woo_product_id,
        "lastExportedAt": iso(record.last_exported_at),
        "lastImportedAt": iso(record.last_imported_at),
        "lastModifiedFields": (
            list(record.last_modified_fields) if record.last_modified_fields is not None else None
        ),
        "syncStatus": record.state,
        "errorMessage": (
            None if record.error_message is None else spell_params(record.error_message, spell)
        ),
        "createdAt": iso(record.created_at),
        "updatedAt": iso(record.updated_at),
    }
    if record.parent_product_id is not None:
        shaped["wooProductId"] = record.parent_woo_product_id or 0
        shaped["wooVariationId"] = record.woo_product_id
        shaped["parentProductId"] = record.parent_product_id
    if record.state == EXCLUDED_STATE:
        shaped["excludedReason"] = record.excluded_reason
        shaped["excludedSince"] = iso(record.excluded_since)
    return shaped


def conflict_json(conflict: Conflict) -> dict[str, Any]:
    return {
        "productId": conflict.product_id,
        "sku": conflict.sku,
        "wooProductId": conflict.woo_product_id,
        "field": conflict.field,
        "wooField": conflict.woo_field,
        "catalog": conflict.catalog,
        "store": conflict.store,
    }


def summary_json(summary: Summary) -> dict[str, int]:
    return dict(summary_counts(summary))


def _tail(status: StoreStatus) -> dict[str, Any]:
    """What follows the records (known once they have been read)."""
    return {
        "summary": summary_json(status.summary),
        "importCursor": iso(status.import_cursor),
        "scheduled": [
            {"wooProductId": woo_id, "publishesAt": iso(when)}
            for woo_id, when in sorted(status.scheduled.items())
        ],
        "conflictCount": status.conflict_count,
        "conflicts": [conflict_json(conflict) for conflict in status.conflicts],
    }


@dataclass(slots=True)
class RecordLimit:
    """``--limit N``: the first ``limit`` records go out, the others are still read (the
    summary is counted as the records are read) and counted in ``total``."""

    limit: int | None = None
    shown: int = 0
    total: int = 0

    def take(self, records: Iterable[SyncRecord]) -> Iterator[SyncRecord]:
        for record in records:
            self.total += 1
            if self.limit is None or self.shown < self.limit:
                self.shown += 1
                yield record


def _records(status: StoreStatus, cut: RecordLimit | None) -> Iterator[SyncRecord]:
    return cut.take(status.records()) if cut is not None else status.records()


def store_json(status: StoreStatus, spell: Spell, cut: RecordLimit | None = None) -> dict[str, Any]:
    """The whole JSON of one store (its records in one list: for small stores and tests)."""
    records = [record_json(record, spell) for record in _records(status, cut)]
    head = {"connectionId": status.connection_id, "storeName": status.store_name}
    return {**head, "records": records, **_tail(status)}


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def stream_store(
    status: StoreStatus, spell: Spell, indent: str = "", cut: RecordLimit | None = None
) -> Iterator[str]:
    """:func:`store_json` as text, a record per piece (one record per line)."""
    yield "{" + f'"connectionId": {_dump(status.connection_id)}, '
    yield f'"storeName": {_dump(status.store_name)}, "records": ['
    first = True
    for record in _records(status, cut):
        yield ("\n" if first else ",\n") + indent + "  " + _dump(record_json(record, spell))
        first = False
    tail = _dump(_tail(status))[1:]  # the tail's keys, after the records
    yield ("\n" + indent if not first else "") + "], " + tail


@dataclass(frozen=True, slots=True)
class StoreOutcome:
    """One store of several: its status, or the error that stopped it before anything was read."""

    connection_id: int
    store_name: str
    status: StoreStatus | None
    error_message: str | None = None
    error_hint: str | None = None
    exit_code: int = 0


def stream_stores(
    outcomes: Sequence[StoreOutcome], spell: Spell, cuts: Mapping[int, RecordLimit] | None = None
) -> Iterator[str]:
    """The several-store envelope, ``{success, exitCode, stores: [...]}``, streamed (``cuts``:
    each store's ``--limit``, by connection id)."""
    code = max((outcome.exit_code for outcome in outcomes), default=0)
    yield "{" + f'"success": {_dump(code == 0)}, "exitCode": {code}, "stores": ['
    for index, outcome in enumerate(outcomes):
        yield ("\n" if index == 0 else ",\n") + "  {"
        yield f'"connectionId": {outcome.connection_id}, '
        yield f'"storeName": {_dump(outcome.store_name)}, "exitCode": {outcome.exit_code}, '
        yield '"result": '
        if outcome.status is None:
            yield "null"
        else:
            cut = (cuts or {}).get(outcome.connection_id)
            yield from stream_store(outcome.status, spell, indent="  ", cut=cut)
        error = None
        if outcome.error_message is not None:
            error = {"message": outcome.error_message, "hint": outcome.error_hint}
        yield f', "error": {_dump(error)}' + "}"
    yield ("\n" if outcomes else "") + "]}"
