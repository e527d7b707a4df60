"""Import products from a WooCommerce store into the local catalog (spec operation 19, use case 3).

One run: resolve the connection and the import rules (active import mapping, or the default), take the
store's run lock, list the store's products in pages of 100 (``orderby=id&order=asc``, ``context=edit``;
the first page gives the page count, the remaining pages are fetched with ``concurrency`` requests in
flight), and write each page to the catalog in one transaction while the next pages download. A store
product matches a local one by its sync link, then by SKU. ``--incremental`` adds
``modified_after``/``dates_are_gmt`` from the connection's bookmark (see :mod:`import_cursor`) and moves
the bookmark only after everything is committed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from woosync.core.errors import ValidationError
from woosync.core.timeutil import iso, utcnow
from woosync.services.import_cursor import (
    DEFAULT_OVERLAP,
    modified_after,
    next_cursor,
    parse_woo_gmt,
    read_cursor,
    woo_gmt,
    write_cursor,
)
from woosync.services.import_fields import (
    ImportRules,
    LocalFields,
    map_product,
    missing_sku_reason,
    needs_attribute_slugs,
    unsupported_reason,
)

if TYPE_CHECKING:
    from sqlmodel import Session

    from woosync.store.engine import Store
    from woosync.store.models import Connection, Product, ProductSync
    from woosync.woo import WooClient

log = logging.getLogger("woosync.import")

PER_PAGE = 100
MAX_CONCURRENCY = 16
PRODUCTS_PATH = "/products"

Progress = Callable[[int], None]


@dataclass
class _Run:
    """What one import run knows while it works through the pages."""

    connection_id: int
    rules: ImportRules
    update_existing: bool
    dry_run: bool
    client: WooClient
    results: dict[int, dict[str, Any]] = field(default_factory=dict)
    seen: dict[int, datetime | None] = field(default_factory=dict)
    newest: datetime | None = None
    expected_total: int = 0
    warnings: list[str] = field(default_factory=list)
    slugs_by_id: dict[int, str] | None = None
    planned_skus: set[str] = field(default_factory=set)


# --- public API -----------------------------------------------------------------------------------


def import_products(
    store: Store,
    connection: int | str | None = None,
    *,
    woo_ids: Sequence[int] | None = None,
    update_existing: bool = False,
    use_mapping: bool = True,
    since: datetime | None = None,
    incremental: bool = False,
    dry_run: bool = False,
    concurrency: int = 4,
    lock_wait: float = 0.0,
    overlap: timedelta = DEFAULT_OVERLAP,
    progress: Progress | None = None,
    client: WooClient | None = None,
) -> dict[str, Any]:
    """Import the store's products (or ``woo_ids``) into the catalog; the spec's result plus extras.

    Returns ``{success, connectionId, dryRun, importedCount, updatedCount, skippedCount, failedCount,
    modifiedAfter, cursor, warnings, products: [{wooProductId, productId, sku, status, message?,
    changedFields?}]}`` with status ``imported | updated | skipped | failed``. Raises ``ValidationError``
    for bad options, ``NotFoundError`` for an unknown connection, ``LockedError`` when another run
    holds the store, and the client's ``StoreError`` subclasses when the store cannot be listed.
    """
    from woosync.core.locks import store_lock

    ids = _check_options(woo_ids, since, incremental, concurrency)
    conn, rules = _connection_and_rules(store, connection, use_mapping)
    assert conn.id is not None
    lock = (
        nullcontext()
        if dry_run
        else store_lock(conn.id, wait=lock_wait, label=f"import from {conn.store_name}")
    )
    with lock:
        started = time.monotonic()
        previous_cursor: datetime | None = None
        after = since
        if incremental:
            with store.session() as session:
                previous_cursor = read_cursor(session, conn.id)
            after = modified_after(previous_cursor, overlap) if previous_cursor else None
        owned = client is None
        woo = client if client is not None else _open_client(store, conn)
        run = _Run(conn.id, rules, update_existing, dry_run, woo)
        log.info(
            "import from connection %s (%s): %s, %s%s",
            conn.id,
            conn.store_url,
            rules.source,
            f"modified after {woo_gmt(after)} UTC" if after else "all products",
            " (dry run)" if dry_run else "",
        )
        try:
            for items in _pages(woo, _list_params(after), ids, concurrency, run):
                _process_page(store, run, items)
                if progress is not None:
                    progress(len(items))
        finally:
            if owned:
                woo.close()
        _check_totals(run, ids)
        cursor = previous_cursor
        if not dry_run:
            elapsed = timedelta(seconds=time.monotonic() - started)
            with store.session() as session:
                if incremental:
                    cursor = next_cursor(previous_cursor, run.newest, elapsed)
                    if cursor is not None and cursor != previous_cursor:
                        write_cursor(session, conn.id, cursor)
                _touch_connection(session, conn.id)
    result = _summary(run, conn.id, after, cursor if incremental else None)
    log.info(
        "import from connection %s finished: %s imported, %s updated, %s skipped, %s failed%s",
        conn.id,
        result["importedCount"],
        result["updatedCount"],
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


def _connection_and_rules(
    store: Store, ref: int | str | None, use_mapping: bool
) -> tuple[Connection, ImportRules]:
    from woosync.services.common import connection_or_default
    from woosync.services.mappings import active_import_mapping

    with store.session() as session:
        conn = connection_or_default(session, ref)
        if not conn.is_active:
            raise ValidationError(
                f"connection {conn.id} ({conn.store_name}) is inactive",
                hint="activate it with 'woosync connections update' or pick another connection",
            )
        mapping = active_import_mapping(session, conn.id) if use_mapping and conn.id else None
    if mapping is None:
        return conn, ImportRules.default()
    return conn, ImportRules.from_mapping(
        mapping.attribute_mappings, mapping.field_mappings, f"import mapping {mapping.id}"
    )


def _open_client(store: Store, conn: Connection) -> WooClient:
    from woosync.services.connections import open_client

    return open_client(store, conn)


def _list_params(after: datetime | None) -> dict[str, Any]:
    params: dict[str, Any] = {"orderby": "id", "order": "asc", "context": "edit"}
    if after is not None:
        params["modified_after"] = woo_gmt(after)
        params["dates_are_gmt"] = "true"
    return params


# --- fetching -------------------------------------------------------------------------------------


def _pages(
    client: WooClient,
    params: dict[str, Any],
    ids: list[int] | None,
    concurrency: int,
    run: _Run,
) -> Iterator[list[dict[str, Any]]]:
    """Yield the store's pages in order while up to ``concurrency`` more download in the background.

    All products: the first page gives the page count, then pages 2..N. Given ids: ``include`` chunks
    of 100, each one page. ``run.expected_total`` adds up ``X-WP-Total``.
    """
    jobs: list[tuple[dict[str, Any], int]]
    if ids is None:
        items, total, total_pages = client.get_page(PRODUCTS_PATH, params, 1, per_page=PER_PAGE)
        run.expected_total = total
        log.info("store reports %s products in %s pages", total, total_pages)
        yield items
        jobs = [(params, page) for page in range(2, total_pages + 1)]
    else:
        jobs = [
            ({**params, "include": ",".join(str(i) for i in ids[start : start + PER_PAGE])}, 1)
            for start in range(0, len(ids), PER_PAGE)
        ]
    if not jobs:
        return
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="woosync-import") as pool:
        futures: list[Future[tuple[list[dict[str, Any]], int, int]]] = [
            pool.submit(client.get_page, PRODUCTS_PATH, job_params, page, per_page=PER_PAGE)
            for job_params, page in jobs
        ]
        try:
            for future in futures:
                items, total, _pages_count = future.result()
                if ids is not None:
                    run.expected_total += total
                yield items
        finally:
            for future in futures:
                future.cancel()


def _check_totals(run: _Run, ids: list[int] | None) -> None:
    if ids is not None:
        for woo_id in ids:
            if woo_id not in run.results:
                run.results[woo_id] = _entry(
                    woo_id,
                    None,
                    "",
                    "failed",
                    "not found in the store (deleted, in the trash, or a variation id)",
                )
        return
    received = len(run.seen)
    if received != run.expected_total:
        message = (
            f"the store reported {run.expected_total} products but {received} arrived; "
            "products were probably added or removed during the import (run it again to catch up)"
        )
        log.warning(message)
        run.warnings.append(message)


# --- one page -------------------------------------------------------------------------------------


def _entry(
    woo_id: int, product_id: int | None, sku: str, status: str, message: str | None = None
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "wooProductId": woo_id,
        "productId": product_id,
        "sku": sku,
        "status": status,
    }
    if message:
        entry["message"] = message
    return entry


def _fresh(run: _Run, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop products already handled in this run, unless the store sent a newer version of one."""
    fresh: list[dict[str, Any]] = []
    for item in items:
        woo_id = item.get("id")
        if not isinstance(woo_id, int) or woo_id <= 0:
            continue
        modified = parse_woo_gmt(item.get("date_modified_gmt"))
        if woo_id in run.seen:
            before = run.seen[woo_id]
            if modified is None or (before is not None and modified <= before):
                continue
        run.seen[woo_id] = modified
        if modified is not None and (run.newest is None or modified > run.newest):
            run.newest = modified
        fresh.append(item)
    return fresh


def _attribute_slugs(run: _Run, items: list[dict[str, Any]]) -> dict[int, str] | None:
    """The store's attribute id -> ``pa_`` slug table, fetched once when an answer lacks slugs."""
    if run.slugs_by_id is None and needs_attribute_slugs(items, run.rules):
        from woosync.core.errors import StoreError

        try:
            attributes = run.client.get("/products/attributes")
        except StoreError as exc:
            message = f"could not read the store's attributes to match slugs: {exc}"
            log.warning(message)
            run.warnings.append(message)
            run.slugs_by_id = {}
        else:
            run.slugs_by_id = {
                int(entry["id"]): str(entry.get("slug") or "")
                for entry in attributes or []
                if isinstance(entry, dict) and entry.get("id")
            }
    return run.slugs_by_id


def _process_page(store: Store, run: _Run, items: list[dict[str, Any]]) -> None:
    """Match and write one page of store products in one transaction (nothing written on dry runs)."""
    from sqlmodel import col, select

    from woosync.store.models import Product, ProductSync

    fresh = _fresh(run, items)
    if not fresh:
        return
    slugs = _attribute_slugs(run, fresh)
    candidates: list[tuple[dict[str, Any], LocalFields]] = []
    for woo in fresh:
        woo_id = int(woo["id"])
        sku = str(woo.get("sku") or "").strip()
        reason = unsupported_reason(woo)
        if reason:
            run.results[woo_id] = _entry(woo_id, None, sku, "skipped", reason)
            continue
        reason = missing_sku_reason(woo)
        if reason:
            run.results[woo_id] = _entry(woo_id, None, sku, "failed", reason)
            continue
        candidates.append((woo, map_product(woo, run.rules, slugs)))
    if not candidates:
        return

    with store.session() as session:
        woo_ids = [int(woo["id"]) for woo, _ in candidates]
        links = {
            link.woo_product_id: link
            for link in session.exec(
                select(ProductSync).where(
                    ProductSync.connection_id == run.connection_id,
                    col(ProductSync.woo_product_id).in_(woo_ids),
                )
            ).all()
        }
        skus = {local.sku for _, local in candidates}
        linked_ids = [link.product_id for link in links.values()]
        products = {
            product.id: product
            for product in session.exec(
                select(Product).where(
                    col(Product.id).in_(linked_ids) | col(Product.sku).in_(sorted(skus))
                )
            ).all()
        }
        by_sku = {product.sku: product for product in products.values()}
        sync_by_product = {
            link.product_id: link
            for link in session.exec(
                select(ProductSync).where(
                    ProductSync.connection_id == run.connection_id,
                    col(ProductSync.product_id).in_(
                        [p.id for p in products.values() if p.id is not None]
                    ),
                )
            ).all()
        }
        now = utcnow()
        created: list[tuple[int, Product, dict[str, Any], ProductSync | None]] = []
        for woo, local in candidates:
            woo_id = int(woo["id"])
            link = links.get(woo_id)
            product = products.get(link.product_id) if link is not None else None
            if product is None:
                product = by_sku.get(local.sku)
            if product is None:
                if local.sku in run.planned_skus:
                    run.results[woo_id] = _entry(
                        woo_id, None, local.sku, "failed", "another store product has this SKU"
                    )
                    continue
                run.planned_skus.add(local.sku)
                if run.dry_run:
                    run.results[woo_id] = _entry(woo_id, None, local.sku, "imported")
                    continue
                product = _new_product(local, now)
                session.add(product)
                created.append((woo_id, product, woo, link))
                continue
            if not run.update_existing:
                run.results[woo_id] = _entry(
                    woo_id,
                    product.id,
                    local.sku,
                    "skipped",
                    f"already in the catalog as product {product.id} "
                    "(pass --update-existing to update it)",
                )
                continue
            holder = by_sku.get(local.sku)
            if local.sku != product.sku and holder is None:
                holder = session.exec(select(Product).where(Product.sku == local.sku)).first()
            if holder is not None and holder.id != product.id:
                message = (
                    f"its SKU {local.sku!r} belongs to local product {holder.id}, "
                    f"but it is linked to local product {product.id}"
                )
                run.results[woo_id] = _entry(woo_id, product.id, local.sku, "failed", message)
                if not run.dry_run and link is not None:
                    link.sync_status = "error"
                    link.error_message = f"import: {message}"
                    link.updated_at = now
                    session.add(link)
                continue
            changed = _changed_fields(product, local)
            entry = _entry(woo_id, product.id, local.sku, "updated")
            entry["changedFields"] = changed
            run.results[woo_id] = entry
            if run.dry_run:
                continue
            if changed:
                _apply(product, local)
                product.updated_at = now
                session.add(product)
            sync = link if link is not None else sync_by_product.get(product.id or -1)
            _link(session, run, product, woo, sync, now)
        if created:
            session.flush()  # assigns the new products' ids
            for woo_id, product, woo, link in created:
                sync = link if link is not None else sync_by_product.get(product.id or -1)
                _link(session, run, product, woo, sync, now)
                run.results[woo_id] = _entry(woo_id, product.id, product.sku, "imported")
        if run.dry_run:
            session.rollback()


# --- writing --------------------------------------------------------------------------------------


def _new_product(local: LocalFields, now: datetime) -> Product:
    from woosync.store.models import Product

    product = Product(sku=local.sku, name=str(local.standard.get("name") or ""))
    _apply(product, local)
    product.created_at = now
    product.updated_at = now
    return product


def _changed_fields(product: Product, local: LocalFields) -> list[str]:
    """The local names ``local`` would change on ``product`` (attributes and custom fields merge)."""
    changed = [
        name for name, value in local.standard.items() if getattr(product, name, None) != value
    ]
    changed += [
        name for name, value in local.attributes.items() if product.attributes.get(name) != value
    ]
    changed += [
        name
        for name, value in local.custom_fields.items()
        if product.custom_fields.get(name) != value
    ]
    return changed


def _apply(product: Product, local: LocalFields) -> None:
    """Write ``local`` into ``product``: standard columns replaced, attributes and custom fields merged.

    A store value that is unset (``None``) clears the local custom field; attributes the store does
    not have are left alone (they may come from the catalog, not from this store).
    """
    for name, value in local.standard.items():
        if name == "name" and value is None:
            value = ""
        setattr(product, name, value)
    if local.attributes:
        product.attributes = {**(product.attributes or {}), **local.attributes}
    if local.custom_fields:
        merged = {**(product.custom_fields or {}), **local.custom_fields}
        product.custom_fields = {k: v for k, v in merged.items() if v is not None}


def _store_attributes(woo: dict[str, Any]) -> list[dict[str, Any]]:
    """The product's attributes as they would be written back (what partial export merges into)."""
    keep = ("id", "name", "position", "visible", "variation", "options")
    return [
        {key: entry[key] for key in keep if key in entry}
        for entry in woo.get("attributes") or []
        if isinstance(entry, dict)
    ]


def _link(
    session: Session,
    run: _Run,
    product: Product,
    woo: dict[str, Any],
    sync: ProductSync | None,
    now: datetime,
) -> None:
    """Create or refresh the sync record: link, lastImportedAt, synced, and the store's fingerprints."""
    from woosync.store.models import ProductSync

    assert product.id is not None
    if sync is None:
        sync = ProductSync(connection_id=run.connection_id, product_id=product.id, created_at=now)
    sync.product_id = product.id
    sync.woo_product_id = int(woo["id"])
    sync.last_imported_at = now
    sync.sync_status = "synced"
    sync.error_message = None
    sync.store_attributes = _store_attributes(woo)
    fingerprints = store_fingerprints(session, run.connection_id, product, woo)
    if fingerprints is not None:
        sync.exported_values = fingerprints
    sync.updated_at = now
    session.add(sync)


def store_fingerprints(
    session: Session, connection_id: int, product: Product, woo: dict[str, Any]
) -> dict[str, Any] | None:
    """The ``exported_values`` a sync record gets after an import, or ``None`` to leave them as they are.

    The export engine owns the fingerprint format; this is the one place the importer asks it.
    """
    try:
        from woosync.services import export_fingerprints  # type: ignore[attr-defined]
    except ImportError:
        return None
    result: dict[str, Any] = export_fingerprints.fingerprints_after_import(
        session, connection_id, product, woo
    )
    return result


def _touch_connection(session: Session, connection_id: int) -> None:
    from woosync.store.models import Connection

    conn = session.get(Connection, connection_id)
    if conn is not None:
        conn.last_synced_at = utcnow()
        session.add(conn)


# --- result ---------------------------------------------------------------------------------------


def _summary(
    run: _Run, connection_id: int, after: datetime | None, cursor: datetime | None
) -> dict[str, Any]:
    products = list(run.results.values())
    counts = {status: 0 for status in ("imported", "updated", "skipped", "failed")}
    for entry in products:
        counts[entry["status"]] += 1
    return {
        "success": counts["failed"] == 0,
        "connectionId": connection_id,
        "dryRun": run.dry_run,
        "importedCount": counts["imported"],
        "updatedCount": counts["updated"],
        "skippedCount": counts["skipped"],
        "failedCount": counts["failed"],
        "mapping": run.rules.source,
        "modifiedAfter": iso(after),
        "cursor": iso(cursor),
        "warnings": run.warnings,
        "products": products,
    }
