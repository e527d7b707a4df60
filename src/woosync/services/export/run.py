"""Export: push local products to one WooCommerce store (spec operations 18, 20, 21:
see ARCHITECTURE.md).

    export_products(store, connection, product_ids=[101, 102])          # Export products
    export_products(store, 2, all_products=True, partial=True)         # use case 2
    export_products(store, 1, skus=["A"], dry_run=True)                # a plan, nothing written
    update_product(store, connection, 101)                             # Update product
    delete_product(store, connection, 101)                             # Delete product

The planning layer is ``export_plan`` (pure), the store registry ``registry``, the engine
``export_run`` and the SQLite bookkeeping ``export_records``.
"""

from __future__ import annotations

import logging
import operator
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

from woosync.core.errors import NotFoundError, ValidationError
from woosync.core.gc_tuning import fewer_gc_passes
from woosync.core.timeutil import utcnow
from woosync.services.export import plan
from woosync.services.export.engine import ERROR, MAX_BATCH, ExportRun, Item
from woosync.services.export.records import (
    RETRY_STATUSES,
    delete_sync,
    load_syncs,
    select_products,
    touch_connection,
)
from woosync.services.selection import (
    DELETED,
    drop_exclusions,
    load_selection,
    mark_excluded,
    split_excluded,
)

if TYPE_CHECKING:
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
    dry_run: bool = False,
    concurrency: int = 4,
    batch_size: int = MAX_BATCH,
    create_terms: bool = True,
    restore_trashed: bool = False,
    allow_empty: Iterable[str] = (),
    include: bool = False,
    progress: Callable[[int], None] | None = None,
    lock_wait: float = 0.0,
    client: WooClient | None = None,
    linked_only: bool = False,
) -> dict[str, Any]:
    """Export products to one store; the spec's result (or, with ``dry_run``, a plan).

    Products: exactly one of ``product_ids``, ``skus``, ``all_products`` or ``retry_failed``
    (those whose sync record for this store is in error, or still pending after an interrupted
    run). Products kept out of this store (deleted there, excluded, or outside its ``products:``
    selection: :mod:`selection`) are left out and listed in ``excluded``; ``include`` (with
    ``product_ids`` or ``skus``) lifts the deletes and exclusions of the products named, for good.
    Fields: ``fields`` else the connection's active export mapping; its field mappings
    apply either way. ``progress(n)`` is called as ``n`` more products are finished. ``client``
    replaces the one built from the connection's secrets. ``linked_only`` (Update product): a
    product not linked to the store when the lock is held is :class:`NotFoundError`, never created.
    """
    if include and not (product_ids or skus):
        raise ValidationError(
            "--include needs the products named with --products or --sku",
            hint="e.g. woosync export --connection 1 --sku MUG-1 --include",
        )
    if concurrency < 1:
        raise ValidationError("--concurrency must be at least 1")
    if not 1 <= batch_size <= MAX_BATCH:
        raise ValidationError(f"--batch-size must be between 1 and {MAX_BATCH}")
    with fewer_gc_passes(), ExitStack() as stack:
        with db.session() as session:
            conn = _connection(session, connection)
            _targets(session, conn, fields)  # bad options fail at once, not after a --wait
        if not dry_run:
            from woosync.core.locks import store_lock

            stack.enter_context(
                store_lock(_id(conn), wait=lock_wait, label="export", database=db.path)
            )
        # Read under the lock: a run queued behind another works from what that run wrote (the
        # catalog an import changed, its sync records, the image and term ids it learnt), never
        # from a copy read before waiting.
        with db.session() as session:
            conn = _connection(session, _id(conn))
            if linked_only:
                for product_id in product_ids or ():
                    _linked_sync(session, _id(conn), product_id)
            targets = _targets(session, conn, fields)
            selection = load_selection(session, _id(conn))
            products = select_products(
                session,
                _id(conn),
                product_ids=product_ids,
                skus=skus,
                all_products=all_products,
                retry_failed=retry_failed,
                fields=[target.field for target in targets] + selection.columns(),
            )
            products, left_out = split_excluded(
                session, _id(conn), products, selection, ignore_manual=include
            )
            excluded = [entry.to_dict() for entry in left_out]
            if progress is not None and left_out:
                progress(len(left_out))  # counted by count_products: done, nothing to send
            included = [row.id for row in products] if include else []
            items = _items(session, _id(conn), targets, products, allow_empty)
            from woosync.services.export.registry import StoreRegistry

            registry = StoreRegistry.load(session, _id(conn))
        del products
        log.info(
            "export to connection %s (%s): %d products%s%s%s",
            _id(conn),
            conn.store_url,
            len(items),
            f", {len(excluded)} excluded from this store" if excluded else "",
            ", changed fields only" if partial else "",
            " (dry run)" if dry_run else "",
        )
        if not items:
            return _with_excluded(_empty(_id(conn), dry_run, partial), excluded)
        if client is None:
            from woosync.services.connections.client import open_client

            client = stack.enter_context(open_client(db, conn))
        if included and not dry_run:  # asked for by name: the store takes them again from now on
            with db.session() as session:
                drop_exclusions(session, _id(conn), included)
        run = ExportRun(
            db,
            _id(conn),
            client,
            targets,
            items,
            registry,
            partial=partial,
            concurrency=concurrency,
            batch_size=batch_size,
            create_terms=create_terms,
            restore_trashed=restore_trashed,
            progress=progress,
        )
        run.plan(dry_run=dry_run)
        if dry_run:
            return _with_excluded(_plan_result(run, partial), excluded)
        run.execute()
        with db.session() as session:
            touch_connection(session, _id(conn), utcnow())
        results = [run.result_for(item) for item in items]
        failed = sum(1 for r in results if r["status"] == "error")
        log.info(
            "export to connection %s finished: %d synced, %d failed",
            _id(conn),
            len(results) - failed,
            failed,
        )
        for entry in results:
            if entry["status"] == "error":
                log.info("product %s failed: %s", entry["productId"], entry.get("message"))
        return _with_excluded(
            {
                "success": failed == 0,
                "connectionId": _id(conn),
                "syncedCount": len(results) - failed,
                "failedCount": failed,
                "results": results,
            },
            excluded,
        )


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
    from sqlmodel import col, func, select

    from woosync.db.models import Product, ProductSync

    with db.session() as session:
        if all_products:
            return int(session.exec(select(func.count()).select_from(Product)).one())
        if retry_failed:
            conn = _connection(session, connection)
            statement = (
                select(func.count())
                .select_from(ProductSync)
                .where(ProductSync.connection_id == _id(conn))
                .where(col(ProductSync.sync_status).in_(RETRY_STATUSES))
            )
            return int(session.exec(statement).one())
    return 0


def update_product(
    db: Database,
    connection: int | str | None,
    product_id: int,
    *,
    fields: Sequence[str] | None = None,
    lock_wait: float = 0.0,
    client: WooClient | None = None,
) -> dict[str, Any]:
    """The spec's Update product: push the changed fields of one product already synced there.

    Returns the spec's result object (``status`` ``error`` with a ``message`` when the store
    refused it). :class:`NotFoundError` when the product was never synced to this connection,
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
    if not result["results"]:  # kept out of this store: nothing was sent
        left_out = result["excluded"][0]
        undo = (
            "edit the store's mapping file to take it"
            if left_out["reason"] == "selection"
            else f"include it again: woosync products include --connection {_id(conn)} "
            f"{left_out['sku']}"
        )
        raise ValidationError(
            f"product {product_id} is not updated: {left_out['message']}", hint=undo
        )
    found: dict[str, Any] = result["results"][0]
    return found


def delete_product(
    db: Database,
    connection: int | str | None,
    product_id: int,
    *,
    lock_wait: float = 0.0,
    client: WooClient | None = None,
) -> dict[str, Any]:
    """The spec's Delete product: delete the product from the store for good (not to the trash).

    ``{"success": true}``; when the store no longer has it, ``{"success": false, "message":
    "Product not found in WooCommerce"}``. The sync record is removed either way, and the product
    is excluded from this store (later exports leave it out: :mod:`selection`).
    """
    from woosync.woo.errors import WooHTTPError, WooNotFoundError

    with db.session() as session:
        conn = _connection(session, connection)
        _linked_sync(session, _id(conn), product_id)  # not linked: say so without waiting
    with ExitStack() as stack:
        if client is None:
            from woosync.services.connections.client import open_client

            client = stack.enter_context(open_client(db, conn))
        from woosync.core.locks import store_lock

        stack.enter_context(store_lock(_id(conn), wait=lock_wait, label="delete", database=db.path))
        with db.session() as session:  # under the lock: a queued run may have relinked it
            woo_id = _linked_sync(session, _id(conn), product_id).woo_product_id
        try:
            # Not replayed after a timeout: had the first attempt deleted it, a retry's 404 would
            # report a delete that worked as "not found". A rerun finds out (404: record removed).
            client.request(
                "DELETE", f"/products/{woo_id}", params={"force": "true"}, idempotent=False
            )
            answer: dict[str, Any] = {"success": True}
        except WooNotFoundError:
            answer = {"success": False, "message": NOT_IN_STORE}
        except WooHTTPError as exc:
            if exc.code != "woocommerce_rest_product_invalid_id":
                raise
            answer = {"success": False, "message": NOT_IN_STORE}
        with db.session() as session:
            delete_sync(session, _id(conn), product_id)
            mark_excluded(session, _id(conn), [product_id], DELETED)
    return answer


# helpers ----------------------------------------------------------------------------------------


def _id(conn: Connection) -> int:
    assert conn.id is not None
    return conn.id


def _connection(session: Any, ref: int | str | None) -> Connection:
    from woosync.services.connections import connection_or_default

    conn = connection_or_default(session, ref)
    if not conn.is_active:
        raise ValidationError(
            f"connection {conn.id} ({conn.store_name}) is inactive",
            hint="activate it again before exporting to it",
        )
    return conn


def _linked_sync(session: Any, connection_id: int, product_id: int) -> Any:
    from woosync.services.catalog import get_product

    syncs = load_syncs(session, connection_id, [int(product_id)])
    sync = syncs.get(int(product_id))
    if sync is None or not sync.woo_product_id:
        get_product(session, int(product_id))  # a product that does not exist says so first
        raise NotFoundError(
            NOT_SYNCED,
            hint=f"export it first: woosync export --connection {connection_id} --products {product_id}",
        )
    return sync


def _targets(session: Any, conn: Connection, fields: Sequence[str] | None) -> list[plan.Target]:
    from woosync.services.mappings import active_export_mapping

    mapping = active_export_mapping(session, _id(conn))
    mappings = dict(mapping.field_mappings) if mapping is not None else {}
    if fields:
        selected = [f.strip() for f in fields if f and f.strip()]
    elif mapping is not None:
        selected = list(mapping.selected_fields)
    else:
        raise ValidationError(
            f"no fields to export: connection {conn.id} has no active export mapping",
            hint="pass --fields name,sku,... or create an export mapping for it",
        )
    return plan.resolve_targets(selected, mappings)


def _items(
    session: Any,
    connection_id: int,
    targets: Sequence[plan.Target],
    products: Sequence[Any],
    allow_empty: Iterable[str],
) -> list[Item]:
    allowed = list(allow_empty)
    syncs = load_syncs(session, connection_id, [p.id for p in products])
    readers = field_readers([target.field for target in targets])
    items = []
    for product in products:
        try:
            values = plan.desired_values(targets, _reading(readers, product), allowed)
            refused = None
        except plan.ValueRefused as exc:
            values, refused = {}, refused_message(product, exc)
        item = Item(product_id=product.id, sku=product.sku, values=values)
        if refused is not None:
            item.fail(refused)  # never sent; booked as an error like a failed write
        sync = syncs.get(product.id)
        if sync is not None:
            item.woo_id = sync.woo_product_id or 0
            item.previous = dict(sync.exported_values or {})
            item.store_attributes = sync.store_attributes
            item.last_exported_at = sync.last_exported_at
            item.prior_status = sync.sync_status
            item.prior_fields = sync.last_modified_fields
            item.echoes, item.image_sources = sync.store_echoes, sync.image_sources
            item.conflicts = sync.conflicts
        items.append(item)
    return items


def refused_message(product: Any, exc: plan.ValueRefused) -> str:
    """``SKU-1: custom field eurPrice "20,90" cannot go to regular_price: not a plain decimal
    (write 20.90)``."""
    from woosync.services.catalog import field_label

    value = exc.value if isinstance(exc.value, str) else plan.text(exc.value)
    return (
        f'{product.sku}: {field_label(product, exc.target.field)} "{value}" cannot go to '
        f"{exc.target.woo}: {exc.reason}"
    )


def field_readers(names: Iterable[str]) -> dict[str, Callable[[Any], Any]]:
    """``name -> (row -> catalog.field_value(row, name))``, each chosen once per run rather than
    once per product and field: a standard scalar or list field reads its column as field_value
    does; any other name (dimensions, attributes, custom fields) goes through field_value."""
    from woosync.files.product_files import LIST_FIELDS, SCALAR_FIELDS
    from woosync.services.catalog import field_value

    def scalar(name: str) -> Callable[[Any], Any]:
        return operator.attrgetter(name)

    def listed(name: str) -> Callable[[Any], Any]:
        return lambda row: list(getattr(row, name) or [])

    def other(name: str) -> Callable[[Any], Any]:
        return lambda row: field_value(row, name)

    return {
        name: (scalar if name in SCALAR_FIELDS else listed if name in LIST_FIELDS else other)(name)
        for name in names
    }


def _reading(readers: dict[str, Callable[[Any], Any]], row: Any) -> Callable[[str], Any]:
    """The ``value_of(name)`` :func:`export_plan.desired_values` asks for one product."""
    return lambda name: readers[name](row)


def _empty(connection_id: int, dry_run: bool, partial: bool) -> dict[str, Any]:
    if dry_run:
        return {
            "dryRun": True,
            "connectionId": connection_id,
            "partial": partial,
            "summary": {"create": 0, "update": 0, "unchanged": 0, "error": 0},
            "wouldCreate": [],
            "products": [],
        }
    return {
        "success": True,
        "connectionId": connection_id,
        "syncedCount": 0,
        "failedCount": 0,
        "results": [],
    }


def _with_excluded(result: dict[str, Any], excluded: list[dict[str, Any]]) -> dict[str, Any]:
    """The products left out of this store: ``excluded`` (a plan also counts them in its summary,
    a result in ``excludedCount``)."""
    if result.get("dryRun"):
        result["summary"]["excluded"] = len(excluded)
    else:
        result["excludedCount"] = len(excluded)
    result["excluded"] = excluded
    return result


def _plan_result(run: ExportRun, partial: bool) -> dict[str, Any]:
    rows = run.dry_run_plan()
    summary = {"create": 0, "update": 0, "unchanged": 0, "error": 0}
    for row in rows:
        summary[row["action"] if row["action"] in summary else ERROR] += 1
    return {
        "dryRun": True,
        "connectionId": run.connection_id,
        "partial": partial,
        "summary": summary,
        "wouldCreate": run.would_create(),
        "products": rows,
    }


__all__ = [
    "NOT_IN_STORE",
    "NOT_SYNCED",
    "count_products",
    "delete_product",
    "export_products",
    "update_product",
]
