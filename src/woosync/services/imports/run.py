"""Import products from a WooCommerce store into the local catalog (the spec's Import products,
use case 3; see ARCHITECTURE.md).

One run: resolve the connection and the import rules (active import mapping, or the default), take the
store's run lock, list the store's products page by page (:mod:`import_fetch`: pages of 100, the
remaining pages fetched with ``concurrency`` requests in flight), and write each page to the catalog
(:mod:`import_write`: matched by sync link, then SKU) in one transaction while the next pages download.
``--incremental`` adds ``modified_after``/``dates_are_gmt`` from the connection's bookmark (see
:mod:`import_cursor`) and moves the bookmark only after everything is committed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from woosync.core.errors import ValidationError
from woosync.core.gc_tuning import fewer_gc_passes
from woosync.core.timeutil import utcnow
from woosync.services.imports.cursor import (
    DEFAULT_OVERLAP,
    modified_after,
    next_cursor,
    read_cursor,
    woo_gmt,
    write_cursor,
)
from woosync.services.imports.fetch import (
    MAX_CONCURRENCY,
    attribute_slugs,
    check_totals,
    fresh,
    list_params,
    pages,
    wanted_fields,
)
from woosync.services.imports.fields import ImportRules
from woosync.services.imports.state import STATUSES, ImportRun, summary
from woosync.services.imports.write import PageWriter, linked_woo_ids, write_products

if TYPE_CHECKING:
    from sqlmodel import Session

    from woosync.db.engine import Database
    from woosync.db.models import Connection
    from woosync.services.imports.fingerprints import Fingerprinter
    from woosync.woo import WooClient

__all__ = ["STATUSES", "import_products", "parse_since"]

log = logging.getLogger("woosync.import")

Progress = Callable[[int], None]


# --- public API -----------------------------------------------------------------------------------


def import_products(
    db: Database,
    connection: int | str | None = None,
    *,
    woo_ids: Sequence[int] | None = None,
    update_existing: bool = False,
    use_mapping: bool = True,
    since: datetime | None = None,
    incremental: bool = False,
    dry_run: bool = False,
    restore_removed: bool = False,
    concurrency: int = 4,
    lock_wait: float = 0.0,
    overlap: timedelta = DEFAULT_OVERLAP,
    on_conflict: str = "skip",
    link_without_sku: bool = False,
    progress: Progress | None = None,
    client: WooClient | None = None,
) -> dict[str, Any]:
    """Import the store's products (or ``woo_ids``) into the catalog; the spec's result plus extras.

    Returns ``{success, connectionId, dryRun, importedCount, updatedCount, unchangedCount,
    skippedCount, failedCount, mapping, modifiedAfter, cursor, warnings, restoredSkus, products:
    [{wooProductId, productId, sku, status, message?, changedFields?, conflicts?}]}`` with status
    ``imported | updated | unchanged | skipped | failed``, plus ``conflictCount`` and ``conflicts``
    (fields changed on both sides since the last sync, see :mod:`sync_echoes`; ``on_conflict``
    resolves them: ``skip`` | ``catalog`` | ``store``). ``link_without_sku`` imports store
    products without a SKU under ``woo-<connection>-<store id>`` (else they are skipped with a
    warning). SKUs removed from the catalog are skipped unless ``restore_removed``; products
    excluded from this store are skipped. Raises ``ValidationError``
    for bad options, ``NotFoundError`` for an unknown connection, ``LockedError`` when another run
    holds the store, and the client's ``StoreError`` subclasses when the store cannot be listed.
    """
    from woosync.core.locks import store_lock

    ids = _check_options(woo_ids, since, incremental, concurrency)
    _check_on_conflict(on_conflict, update_existing)
    with fewer_gc_passes():  # millions of short-lived objects: see core.gc_tuning
        conn, rules, fingerprinter = _connection_and_rules(db, connection, use_mapping)
        assert conn.id is not None
        lock = (
            nullcontext()
            if dry_run
            else store_lock(
                conn.id,
                wait=lock_wait,
                label=f"import from {conn.store_name}",
                database=db.path,
            )
        )
        with lock:
            if not dry_run:  # the rules as they are now, not as they were before a --wait
                _conn, rules, fingerprinter = _connection_and_rules(db, conn.id, use_mapping)
            started = time.monotonic()
            previous_cursor: datetime | None = None
            after = since
            if incremental:
                with db.session() as session:
                    previous_cursor = read_cursor(session, conn.id)
                after = modified_after(previous_cursor, overlap) if previous_cursor else None
            owned = client is None
            woo = client if client is not None else _open_client(db, conn)
            run = ImportRun(conn.id, rules, update_existing, dry_run, woo, fingerprinter)
            run.on_conflict, run.link_without_sku = on_conflict, link_without_sku
            _keep_out(db, run, restore_removed)
            if not dry_run:  # under the run lock: no other run links products of this store now
                with db.session() as session:
                    run.maybe_linked = linked_woo_ids(session, conn.id)
            log.info(
                "import from connection %s (%s): %s, %s%s",
                conn.id,
                conn.store_url,
                rules.source,
                f"modified after {woo_gmt(after)} UTC" if after else "all products",
                " (dry run)" if dry_run else "",
            )
            writer = PageWriter(db, dry_run)
            try:
                params = list_params(after, wanted_fields(rules, fingerprinter))
                for items, next_ready in pages(woo, params, ids, concurrency, run):
                    products = fresh(run, items)
                    if products:
                        write_products(writer, run, products, attribute_slugs(run, products))
                    if not next_ready:
                        writer.commit()  # never hold the database while waiting for the store
                    if progress is not None:
                        progress(len(items))
                writer.commit()
                check_totals(run, ids, after)
            finally:
                writer.close()
                if owned:
                    woo.close()
            cursor = previous_cursor
            if not dry_run:
                elapsed = timedelta(seconds=time.monotonic() - started)
                with db.session() as session:
                    if incremental and not run.incomplete:
                        cursor = next_cursor(previous_cursor, run.newest, elapsed)
                        if cursor is not None and cursor != previous_cursor:
                            write_cursor(session, conn.id, cursor)
                    if not any(e["status"] == "failed" for e in run.results.values()):
                        _touch_connection(session, conn.id)  # a failed run is not a sync
        result = summary(run, conn.id, after, cursor if incremental else None)
        log.info(
            "import from connection %s finished: %s imported, %s updated, %s unchanged, %s skipped, "
            "%s failed%s",
            conn.id,
            result["importedCount"],
            result["updatedCount"],
            result["unchangedCount"],
            result["skippedCount"],
            result["failedCount"],
            " (dry run, nothing written)" if dry_run else "",
        )
        for entry in result["products"]:
            if entry["status"] == "failed":
                log.info("store product %s failed: %s", entry["wooProductId"], entry.get("message"))
        return result


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_since(text: str, *, now: datetime | None = None) -> datetime:
    """``--since``: an ISO-8601 time (``2025-12-11T10:00:00Z``; no zone = UTC) or an age (``90m``,
    ``6h``, ``2d``, ``1w``) counted back from now."""
    import re

    from woosync.core.timeutil import parse_iso

    value = (text or "").strip()
    match = re.fullmatch(r"(\d+)\s*([smhdw])", value.lower())
    if match:
        return (now or utcnow()) - timedelta(seconds=int(match[1]) * _UNITS[match[2]])
    try:
        return parse_iso(value)
    except ValueError:
        raise ValidationError(
            f"--since {text!r} is not a time",
            hint="give 2025-12-11T10:00:00Z (UTC), or an age like 90m, 6h, 2d",
        ) from None


# --- options and set-up ---------------------------------------------------------------------------


def _check_options(
    woo_ids: Sequence[int] | None, since: datetime | None, incremental: bool, concurrency: int
) -> list[int] | None:
    if since is not None and incremental:
        raise ValidationError(
            "--since and --incremental exclude each other",
            hint="--incremental starts from the bookmark of the last run; --since from a time you give",
        )
    if woo_ids is not None and incremental:
        raise ValidationError(
            "--woo-ids and --incremental exclude each other",
            hint="the bookmark can only move after a run over all products",
        )
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise ValidationError(
            f"concurrency must be between 1 and {MAX_CONCURRENCY}, not {concurrency}",
            hint="4 is a good value; lower it for a small or busy store",
        )
    if woo_ids is None:
        return None
    ids: list[int] = []
    for value in woo_ids:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValidationError(
                f"{value!r} is not a WooCommerce product id", hint="ids are positive whole numbers"
            )
        if value not in ids:
            ids.append(value)
    if not ids:
        raise ValidationError(
            "no WooCommerce product ids given", hint="pass ids like --woo-ids 456,457"
        )
    return ids


def _check_on_conflict(on_conflict: str, update_existing: bool) -> None:
    from woosync.services.sync_echoes import ON_CONFLICT

    if on_conflict not in ON_CONFLICT:
        raise ValidationError(
            f"--on-conflict {on_conflict!r} is not one of {', '.join(ON_CONFLICT)}",
            hint="skip keeps both sides, catalog keeps the catalog's value, store takes the store's",
        )
    if on_conflict != "skip" and not update_existing:
        raise ValidationError(
            "--on-conflict needs --update-existing",
            hint="conflicts are found when products already in the catalog are updated",
        )


def _connection_and_rules(
    db: Database, ref: int | str | None, use_mapping: bool
) -> tuple[Connection, ImportRules, Fingerprinter]:
    from woosync.services.connections import connection_or_default
    from woosync.services.imports.fingerprints import Fingerprinter
    from woosync.services.mappings import active_export_mapping, active_import_mapping

    with db.session() as session:
        conn = connection_or_default(session, ref)
        if not conn.is_active:
            raise ValidationError(
                f"connection {conn.id} ({conn.store_name}) is inactive",
                hint="activate it with 'woosync connections update' or pick another connection",
            )
        assert conn.id is not None
        mapping = active_import_mapping(session, conn.id) if use_mapping else None
        export_mapping = active_export_mapping(session, conn.id)
    fingerprinter = (
        Fingerprinter(export_mapping.selected_fields, export_mapping.field_mappings)
        if export_mapping is not None
        else Fingerprinter()
    )
    if mapping is None:
        return conn, ImportRules.default(), fingerprinter
    rules = ImportRules.from_mapping(
        mapping.attribute_mappings, mapping.field_mappings, f"import mapping {mapping.id}"
    )
    return conn, rules, fingerprinter


def _keep_out(db: Database, run: ImportRun, restore_removed: bool) -> None:
    """What this import leaves alone: SKUs removed from the catalog (tombstones, unless
    ``restore_removed``) and local products excluded from this store."""
    from woosync.services.catalog import tombstones
    from woosync.services.selection import exclusions

    with db.session() as session:
        run.tombstones = tombstones(session)
        run.excluded_ids = set(exclusions(session, run.connection_id))
    run.restore_removed = restore_removed


def _open_client(db: Database, conn: Connection) -> WooClient:
    from woosync.services.connections.client import open_client

    return open_client(db, conn)


def _touch_connection(session: Session, connection_id: int) -> None:
    from woosync.db.models import Connection

    conn = session.get(Connection, connection_id)
    if conn is not None:
        conn.last_synced_at = utcnow()
        session.add(conn)
