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

import functools
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from woosync.core.errors import ValidationError
from woosync.core.fields import DIMENSION_PARTS
from woosync.core.timeutil import iso, utcnow
from woosync.files.product_files import (
    ATTRIBUTE_PREFIX,
    CUSTOM_PREFIX,
    LIST_FIELDS,
    SCALAR_FIELDS,
    normalize_fields,
)
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

    from woosync.services.import_fingerprints import Fingerprinter
    from woosync.store.engine import Store
    from woosync.store.models import Connection, ProductSync
    from woosync.woo import WooClient

log = logging.getLogger("woosync.import")

PER_PAGE = 100
MAX_CONCURRENCY = 16
PRODUCTS_PATH = "/products"

Progress = Callable[[int], None]

# Per-product outcomes: the spec's imported / updated / failed, plus ``unchanged`` (matched, updated
# with --update-existing, nothing differed) and ``skipped`` (left alone, with the reason).
STATUSES = ("imported", "updated", "unchanged", "skipped", "failed")


@dataclass
class _Run:
    """What one import run knows while it works through the pages."""

    connection_id: int
    rules: ImportRules
    update_existing: bool
    dry_run: bool
    client: WooClient
    fingerprinter: Fingerprinter
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

    Returns ``{success, connectionId, dryRun, importedCount, updatedCount, unchangedCount,
    skippedCount, failedCount, mapping, modifiedAfter, cursor, warnings, products: [{wooProductId,
    productId, sku, status, message?, changedFields?}]}`` with status ``imported | updated |
    unchanged | skipped | failed``. Raises ``ValidationError``
    for bad options, ``NotFoundError`` for an unknown connection, ``LockedError`` when another run
    holds the store, and the client's ``StoreError`` subclasses when the store cannot be listed.
    """
    from woosync.core.locks import store_lock

    ids = _check_options(woo_ids, since, incremental, concurrency)
    conn, rules, fingerprinter = _connection_and_rules(store, connection, use_mapping)
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
        run = _Run(conn.id, rules, update_existing, dry_run, woo, fingerprinter)
        log.info(
            "import from connection %s (%s): %s, %s%s",
            conn.id,
            conn.store_url,
            rules.source,
            f"modified after {woo_gmt(after)} UTC" if after else "all products",
            " (dry run)" if dry_run else "",
        )
        writer = _Writer(store, dry_run)
        try:
            params = _list_params(after, _wanted_fields(rules, fingerprinter))
            for items, next_ready in _pages(woo, params, ids, concurrency, run):
                _process_page(writer, run, items)
                if not next_ready:
                    writer.commit()  # never hold the database while waiting for the store
                if progress is not None:
                    progress(len(items))
            writer.commit()
        finally:
            writer.close()
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


def _connection_and_rules(
    store: Store, ref: int | str | None, use_mapping: bool
) -> tuple[Connection, ImportRules, Fingerprinter]:
    from woosync.services.common import connection_or_default
    from woosync.services.import_fingerprints import Fingerprinter
    from woosync.services.mappings import active_export_mapping, active_import_mapping

    with store.session() as session:
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


def _open_client(store: Store, conn: Connection) -> WooClient:
    from woosync.services.connections import open_client

    return open_client(store, conn)


# What the importer itself reads from every product, whatever the mappings say.
_BOOKKEEPING_FIELDS = ("id", "sku", "name", "type", "parent_id", "date_modified_gmt", "attributes")


def _wanted_fields(rules: ImportRules, fingerprinter: Fingerprinter) -> str:
    """``_fields`` for the listing: only what the mapping and the fingerprints read (smaller pages)."""
    wanted = set(_BOOKKEEPING_FIELDS) | fingerprinter.woo_fields()
    for woo_field in rules.field_mappings:
        wanted.add("dimensions" if woo_field in DIMENSION_PARTS else woo_field)
    return ",".join(sorted(wanted))


def _list_params(after: datetime | None, fields: str) -> dict[str, Any]:
    params: dict[str, Any] = {"orderby": "id", "order": "asc", "context": "edit", "_fields": fields}
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
) -> Iterator[tuple[list[dict[str, Any]], bool]]:
    """Yield ``(page, next page already here)`` in order while up to ``concurrency`` more download.

    All products: the first page gives the page count, then pages 2..N. Given ids: ``include`` chunks
    of 100, each one page. ``run.expected_total`` adds up ``X-WP-Total``.
    """
    jobs: list[tuple[dict[str, Any], int]]
    if ids is None:
        items, total, total_pages = client.get_page(PRODUCTS_PATH, params, 1, per_page=PER_PAGE)
        run.expected_total = total
        log.info("store reports %s products in %s pages", total, total_pages)
        yield items, False
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
            for index, future in enumerate(futures):
                items, total, _pages_count = future.result()
                if ids is not None:
                    run.expected_total += total
                following = futures[index + 1] if index + 1 < len(futures) else None
                yield items, following is not None and following.done()
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


def _catalog_fields(local: LocalFields) -> dict[str, Any]:
    """``local`` in the catalog's field-dict form (explicit ``attribute:`` / ``custom:`` names)."""
    fields: dict[str, Any] = {}
    for name, value in local.custom_fields.items():
        fields[f"custom:{name}"] = _custom_value(value)
    for name, value in local.attributes.items():
        fields[f"attribute:{name}"] = value
    fields.update(local.standard)
    return fields


def _custom_value(value: Any) -> Any:
    if isinstance(value, dict):  # dimensions into one custom field: "30x20x5"
        return "x".join(str(part) for part in value.values() if part not in (None, "")) or None
    return value


class _Writer:
    """The transaction the pages are written in: kept open across pages that are already downloaded
    (fewer commits), committed before waiting for the store and every ``COMMIT_EVERY`` products, so
    other woosync runs sharing the database never wait long for it."""

    COMMIT_EVERY = 1000

    def __init__(self, store: Store, dry_run: bool) -> None:
        self.store = store
        self.dry_run = dry_run
        self._context: Any = None
        self._session: Session | None = None
        self._written = 0

    def session(self) -> Session:
        if self._session is None:
            self._context = self.store.session()
            self._session = self._context.__enter__()
        return self._session

    def wrote(self, count: int) -> None:
        self._written += count
        if self._written >= self.COMMIT_EVERY:
            self.commit()

    def commit(self) -> None:
        if self._session is None:
            return
        if self.dry_run:
            self._session.rollback()
        context, self._context, self._session, self._written = self._context, None, None, 0
        context.__exit__(None, None, None)

    def close(self) -> None:
        """After an error: roll back what was not committed."""
        if self._session is not None:
            self._session.rollback()
            context, self._context, self._session = self._context, None, None
            context.__exit__(None, None, None)  # closes the session; nothing left to commit


def _process_page(writer: _Writer, run: _Run, items: list[dict[str, Any]]) -> None:
    """Match and write one page of store products (nothing written on dry runs)."""
    fresh = _fresh(run, items)
    if not fresh:
        return
    slugs = _attribute_slugs(run, fresh)
    candidates: list[_Candidate] = []
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
        local = map_product(woo, run.rules, slugs)
        candidates.append(_Candidate(woo_id, woo, local, _catalog_fields(local)))
    if candidates:
        _write_page(writer.session(), run, candidates)
        writer.wrote(len(candidates))


@dataclass
class _Candidate:
    woo_id: int
    woo: dict[str, Any]
    local: LocalFields
    fields: dict[str, Any]


def _write_page(session: Session, run: _Run, candidates: list[_Candidate]) -> None:
    from sqlmodel import col, select

    from woosync.services.catalog import apply_product_fields
    from woosync.store.models import Product, ProductSync

    links = {
        link.woo_product_id: link
        for link in session.exec(
            select(ProductSync).where(
                ProductSync.connection_id == run.connection_id,
                col(ProductSync.woo_product_id).in_([c.woo_id for c in candidates]),
            )
        ).all()
    }
    linked_ids = [link.product_id for link in links.values()]
    skus = sorted({c.local.sku for c in candidates})
    products = {
        product.id: product
        for product in session.exec(
            select(Product).where(col(Product.id).in_(linked_ids) | col(Product.sku).in_(skus))
        ).all()
    }
    by_sku = {product.sku: product for product in products.values()}
    now = utcnow()
    new: list[_Candidate] = []
    writes = _SyncWrites()
    for candidate in candidates:
        woo_id, sku = candidate.woo_id, candidate.local.sku
        link = links.get(woo_id)
        product = products.get(link.product_id) if link is not None else None
        if product is None:
            product = by_sku.get(sku)
        if product is None:
            if sku in run.planned_skus:
                run.results[woo_id] = _entry(
                    woo_id, None, sku, "failed", "another store product in this run has this SKU"
                )
            else:
                run.planned_skus.add(sku)
                new.append(candidate)
            continue
        if not run.update_existing:
            run.results[woo_id] = _entry(
                woo_id,
                product.id,
                sku,
                "skipped",
                f"already in the catalog as product {product.id} "
                "(pass --update-existing to update it)",
            )
            continue
        holder = by_sku.get(sku)
        if sku != product.sku and holder is None:
            holder = session.exec(select(Product).where(Product.sku == sku)).first()
        if holder is not None and holder.id != product.id:
            message = (
                f"its SKU {sku!r} belongs to local product {holder.id}, "
                f"but the store product is linked to local product {product.id}"
            )
            run.results[woo_id] = _entry(woo_id, product.id, sku, "failed", message)
            sync = session.exec(
                select(ProductSync).where(
                    ProductSync.connection_id == run.connection_id,
                    ProductSync.product_id == product.id,
                )
            ).first()
            if not run.dry_run and sync is not None:
                sync.sync_status, sync.error_message = "error", f"import: {message}"
                sync.updated_at = now
                session.add(sync)
            continue
        target = Product(**product.model_dump()) if run.dry_run else product
        try:
            changed = apply_product_fields(target, candidate.fields)
        except ValidationError as exc:
            run.results[woo_id] = _entry(woo_id, product.id, sku, "failed", exc.message)
            continue
        entry = _entry(woo_id, product.id, sku, "updated" if changed else "unchanged")
        entry["changedFields"] = changed
        run.results[woo_id] = entry
        if not run.dry_run:
            session.add(product)
            attribute_names = list(product.attributes or {})
            _link(writes, run, product.id, candidate.woo, attribute_names, links, now)
    if new:
        _create(session, run, new, writes, links, now)
    if not run.dry_run:
        session.flush()  # the products first: the sync upsert runs outside the ORM
        _write_syncs(session, writes)


def _create(
    session: Session,
    run: _Run,
    new: list[_Candidate],
    writes: _SyncWrites,
    links: dict[int, ProductSync],
    now: datetime,
) -> None:
    """New products: checked by the catalog's rules, inserted with one executemany, then linked."""
    rows: list[dict[str, Any]] = []
    accepted: list[_Candidate] = []
    for candidate in new:
        woo_id, sku = candidate.woo_id, candidate.local.sku
        try:
            row = _new_product_row(candidate.fields, now)
        except ValidationError as exc:
            run.results[woo_id] = _entry(woo_id, None, sku, "failed", exc.message)
            continue
        rows.append(row)
        accepted.append(candidate)
        run.results[woo_id] = _entry(woo_id, None, sku, "imported")
    if run.dry_run or not rows:
        return
    ids = _insert_products(session, rows)
    for candidate in accepted:
        product_id = ids[candidate.local.sku]
        run.results[candidate.woo_id]["productId"] = product_id
        attribute_names = list(candidate.local.attributes)
        _link(writes, run, product_id, candidate.woo, attribute_names, links, now)


_PRODUCT_COLUMNS = (*SCALAR_FIELDS, *LIST_FIELDS)


def _new_product_row(fields: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The ``products`` row for a new product, normalised as the catalog does (ValidationError)."""
    normalized = normalize_fields(fields)
    for required in ("name", "sku"):
        if not normalized.get(required):
            raise ValidationError(f"{required}: is required for a new product")
    row: dict[str, Any] = {column: normalized.get(column) for column in SCALAR_FIELDS}
    row.update({column: normalized.get(column) or [] for column in LIST_FIELDS})
    attributes: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for key, value in normalized.items():
        if value is None:
            continue
        if key.startswith(ATTRIBUTE_PREFIX):
            attributes[key[len(ATTRIBUTE_PREFIX) :]] = value
        elif key.startswith(CUSTOM_PREFIX):
            custom[key[len(CUSTOM_PREFIX) :]] = value
    row.update(attributes=attributes, custom_fields=custom, created_at=now, updated_at=now)
    return row


def _insert_products(session: Session, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Insert ``rows`` (one executemany) and return ``{sku: id}`` for them."""
    from sqlalchemy import select

    from woosync.store.models import Product

    table: Any = Product.__table__  # type: ignore[attr-defined]
    _executemany(session, "insert", table, rows)
    skus = [row["sku"] for row in rows]
    found = session.connection().execute(
        select(table.c.sku, table.c.id).where(table.c.sku.in_(skus))
    )
    return {sku: product_id for sku, product_id in found}


def _executemany(session: Session, kind: str, table: Any, rows: list[dict[str, Any]]) -> None:
    """One ``executemany`` of an insert (``kind`` "insert") or sync upsert (``"upsert"``).

    SQLAlchemy compiles the statement and supplies each column's own value processing (JSON,
    datetimes), once per run; the rows go to the driver as plain tuples, which is what keeps a
    10,000-product import CPU-light.
    """
    connection = session.connection()
    sql, names, processors = _compiled(kind, table, tuple(rows[0]), connection.dialect)
    params = [
        tuple(
            row[name] if process is None else process(row[name])
            for name, process in zip(names, processors, strict=True)
        )
        for row in rows
    ]
    connection.exec_driver_sql(sql, params)


@functools.lru_cache(maxsize=8)
def _compiled(
    kind: str, table: Any, columns: tuple[str, ...], dialect: Any
) -> tuple[str, tuple[str, ...], tuple[Any, ...]]:
    from sqlalchemy.dialects.sqlite import insert

    statement = insert(table)
    if kind == "upsert":
        kept = ("connection_id", "product_id", "created_at")
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.connection_id, table.c.product_id],
            set_={name: statement.excluded[name] for name in columns if name not in kept},
        )
    compiled = statement.compile(dialect=dialect, column_keys=list(columns))
    names = tuple(compiled.positiontup or ())
    processors = tuple(table.c[name].type.bind_processor(dialect) for name in names)
    return str(compiled), names, processors


# --- writing --------------------------------------------------------------------------------------


@dataclass
class _SyncWrites:
    """The sync records of one page, written with one statement (plus one for stale links)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    stale_ids: list[int] = field(default_factory=list)


def _link(
    writes: _SyncWrites,
    run: _Run,
    product_id: int | None,
    woo: dict[str, Any],
    attribute_names: list[str],
    links: dict[int, ProductSync],
    now: datetime,
) -> None:
    """Queue the sync record: link, lastImportedAt, synced, and the store's fingerprints."""
    from woosync.services.import_fingerprints import store_attribute_list

    assert product_id is not None
    woo_id = int(woo["id"])
    stale = links.get(woo_id)
    if stale is not None and stale.product_id != product_id and stale.id is not None:
        # the store product was linked to a local product that is gone, or it matched another one
        writes.stale_ids.append(stale.id)
    writes.rows.append(
        {
            "connection_id": run.connection_id,
            "product_id": product_id,
            "woo_product_id": woo_id,
            "last_imported_at": now,
            "sync_status": "synced",
            "error_message": None,
            "exported_values": run.fingerprinter.for_store_product(
                woo, attribute_names, _attribute_ids(run)
            ),
            "store_attributes": store_attribute_list(woo),
            "created_at": now,
            "updated_at": now,
        }
    )


def _write_syncs(session: Session, writes: _SyncWrites) -> None:
    """Upsert the queued sync records; export's own columns (lastExportedAt ...) are kept."""
    from sqlalchemy import delete

    from woosync.store.models import ProductSync

    table: Any = ProductSync.__table__  # type: ignore[attr-defined]
    if writes.stale_ids:
        session.execute(delete(table).where(table.c.id.in_(writes.stale_ids)))
    if writes.rows:
        _executemany(session, "upsert", table, writes.rows)


def _attribute_ids(run: _Run) -> dict[str, int]:
    return {slug: woo_id for woo_id, slug in (run.slugs_by_id or {}).items() if slug}


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
    counts = {status: 0 for status in STATUSES}
    for entry in products:
        counts[entry["status"]] += 1
    return {
        "success": counts["failed"] == 0,
        "connectionId": connection_id,
        "dryRun": run.dry_run,
        "importedCount": counts["imported"],
        "updatedCount": counts["updated"],
        "unchangedCount": counts["unchanged"],
        "skippedCount": counts["skipped"],
        "failedCount": counts["failed"],
        "mapping": run.rules.source,
        "modifiedAfter": iso(after),
        "cursor": iso(cursor),
        "warnings": run.warnings,
        "products": products,
    }
