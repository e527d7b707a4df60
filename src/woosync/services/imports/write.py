"""The writing half of an import: one page of store products into the catalog.

A store product matches a local product by its sync link, then by SKU. A match is updated (with
``--update-existing``) with what :mod:`import_reconcile` lets in (the store's edits of the fields the
import mapping owns; conflicts reported) through the catalog's own field rules; a new product is
checked by the catalog's rules and inserted with the other new products of the page in one
``executemany``. A store product without a SKU is skipped (with a warning) or, with
``--link-without-sku``, imported under a made-up SKU and found again by its link. Every product that
is imported or updated gets its sync record (link, ``lastImportedAt``, fingerprints, echoes,
conflicts), upserted for the whole page in one statement. Dry runs decide everything and write
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from woosync.core.errors import ValidationError
from woosync.core.timeutil import utcnow
from woosync.db.bulk_sql import upsert_many
from woosync.products.fields import normalize_fields
from woosync.services.imports.fields import (
    LocalFields,
    map_product,
    missing_sku_reason,
    unsupported_reason,
)
from woosync.services.imports.reconcile import catalog_fields, reconcile_product
from woosync.services.imports.state import ImportRun, entry
from woosync.services.sync_echoes import Reconciled

if TYPE_CHECKING:
    from sqlmodel import Session

    from woosync.db.engine import Database
    from woosync.db.models import Product, ProductSync


REMOVED_LOCALLY = (
    "removed locally ('woosync products remove'); pass --restore-removed to import it again"
)
EXCLUDED_HERE = "excluded from this store ('woosync products include' lets it sync again)"


class PageWriter:
    """The transaction the pages are written in: kept open across pages that are already downloaded
    (fewer commits), committed before waiting for the store and every ``COMMIT_EVERY`` products, so
    other woosync runs sharing the database never wait long for it."""

    COMMIT_EVERY = 1000

    def __init__(self, db: Database, dry_run: bool) -> None:
        self.db = db
        self.dry_run = dry_run
        self._context: Any = None
        self._session: Session | None = None
        self._written = 0

    def session(self) -> Session:
        if self._session is None:
            self._context = self.db.session()
            self._session = self._context.__enter__()
            if not self.dry_run:
                # Take SQLite's write lock before the page reads the catalog: an import from another
                # store (its own run lock, the same catalog) may insert the same SKUs, and a match
                # read outside this transaction would be stale by the insert (UNIQUE products.sku).
                # A second import waits here (busy timeout), then finds those products by SKU.
                self._session.connection().exec_driver_sql("BEGIN IMMEDIATE")
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


@dataclass
class _Candidate:
    woo_id: int
    woo: dict[str, Any]
    local: LocalFields
    fields: dict[str, Any]
    without_sku: bool = False  # linked by store id (--link-without-sku); the SKU is made up


def generated_sku(connection_id: int, woo_id: int) -> str:
    """The catalog SKU of a store product without one (``--link-without-sku``): ``woo-C-ID``,
    unique across stores (the same store id in two stores is two products)."""
    return f"woo-{connection_id}-{woo_id}"


def write_products(
    writer: PageWriter,
    run: ImportRun,
    items: list[dict[str, Any]],
    slugs_by_id: dict[int, str] | None,
) -> None:
    """Match and write store products (one page, duplicates dropped; nothing written on dry runs)."""
    candidates: list[_Candidate] = []
    for woo in items:
        woo_id = int(woo["id"])
        sku = str(woo.get("sku") or "").strip()
        reason = unsupported_reason(woo)
        if reason:
            run.results[woo_id] = entry(woo_id, None, sku, "skipped", reason)
            continue
        without_sku = missing_sku_reason(woo) is not None
        if without_sku and not run.link_without_sku:
            run.results[woo_id] = entry(
                woo_id,
                None,
                sku,
                "skipped",
                "has no SKU (give it one in WooCommerce, or import with --link-without-sku)",
            )
            run.without_sku.append(f"#{woo_id} {str(woo.get('name') or '').strip()!r}")
            continue
        local = map_product(woo, run.rules, slugs_by_id)
        if without_sku:
            local.standard["sku"] = generated_sku(run.connection_id, woo_id)
        candidates.append(_Candidate(woo_id, woo, local, catalog_fields(local), without_sku))
    if candidates:
        _write_page(writer.session(), run, candidates)
        writer.wrote(len(candidates))


@dataclass
class _SyncWrites:
    """The sync records of one page, written with one statement (plus one for stale links)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    stale_ids: list[int] = field(default_factory=list)


def _write_page(session: Session, run: ImportRun, candidates: list[_Candidate]) -> None:
    from sqlmodel import select

    from woosync.db.models import Product, ProductSync
    from woosync.services.catalog import apply_product_fields, case_twin_message

    links = _links(session, run, candidates)
    linked_ids = [link.product_id for link in links.values()]
    products = _local_products(session, linked_ids, {c.local.sku for c in candidates})
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
        # a newer copy of a product this run imported (the listing shifted while it was read)
        earlier = run.results.get(woo_id)
        imported_now = earlier is not None and earlier["status"] == "imported"
        if product is None:
            if run.dry_run and imported_now and sku in run.planned_skus:
                continue  # nothing was written: the copy would be imported as the first was
            if sku.casefold() in run.tombstones and not run.restore_removed:
                run.results[woo_id] = entry(woo_id, None, sku, "skipped", REMOVED_LOCALLY)
                continue
            twin = _case_twin(session, run, sku)
            if sku in run.planned_skus:
                run.results[woo_id] = entry(
                    woo_id, None, sku, "failed", "another store product in this run has this SKU"
                )
            elif twin is not None:
                run.results[woo_id] = entry(
                    woo_id, None, sku, "failed", case_twin_message(sku, twin)
                )
            else:
                run.planned_skus.add(sku)
                new.append(candidate)
            continue
        if product.id in run.excluded_ids:
            run.results[woo_id] = entry(woo_id, product.id, sku, "skipped", EXCLUDED_HERE)
            continue
        if not run.update_existing and not imported_now:
            run.results[woo_id] = entry(
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
            run.results[woo_id] = entry(woo_id, product.id, sku, "failed", message)
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
        sync = link if link is not None and link.product_id == product.id else None
        reconciled: Reconciled | None = None
        if imported_now:  # a newer copy of what this run imported: all of it, blanks aside
            fields = {k: v for k, v in candidate.fields.items() if v is not None and v != []}
        else:
            fields, reconciled = reconcile_product(
                candidate.woo,
                run.rules,
                run.slugs_by_id,
                product,
                sync,
                run.on_conflict,
                _image_sources(session, run, sync),
                {t.key: t.field for t in run.fingerprinter.targets(list(product.attributes or {}))},
            )
        if candidate.without_sku:
            fields["sku"] = product.sku  # matched by its link: the catalog's SKU stays
        try:
            changed = apply_product_fields(target, fields)
        except ValidationError as exc:
            run.results[woo_id] = entry(woo_id, product.id, sku, "failed", exc.message)
            continue
        if imported_now:
            run.results[woo_id] = entry(woo_id, product.id, sku, "imported")
        else:
            updated = entry(woo_id, product.id, sku, "updated" if changed else "unchanged")
            updated["changedFields"] = changed
            if reconciled is not None and reconciled.found:
                updated["conflicts"] = [conflict.as_dict() for conflict in reconciled.found]
            run.results[woo_id] = updated
        if not run.dry_run:
            session.add(product)
            attribute_names = list(product.attributes or {})
            _link(
                writes,
                run,
                product.id,
                candidate.woo,
                attribute_names,
                links,
                now,
                sync=sync,
                reconciled=reconciled,
            )
    if new:
        _create(session, run, new, writes, links, now)
        _restore(session, run, new)
    if not run.dry_run:
        session.flush()  # the products first: the sync upsert runs outside the ORM
        _write_syncs(session, writes)
        if run.maybe_linked is not None:
            run.maybe_linked.update(row["woo_product_id"] for row in writes.rows)


def _image_sources(session: Session, run: ImportRun, sync: ProductSync | None) -> dict[str, str]:
    """The sync record's map from store media ids to catalog image URLs; for a record written
    before records kept one, the images this store's registry says woosync uploaded (read once)."""
    if sync is None:
        return {}
    if sync.image_sources is not None:
        return dict(sync.image_sources)
    if run.uploaded_images is None:
        from sqlalchemy import text

        rows = session.execute(
            text("SELECT key, woo_id FROM store_refs WHERE connection_id = :id AND kind = 'image'"),
            {"id": run.connection_id},
        )
        found: dict[str, str] = {}
        for key, woo_id in rows:
            # a store URL adopted as its own key is not a catalog source: keep the other one
            if str(woo_id) not in found or "/wp-content/uploads/" in found[str(woo_id)]:
                found[str(woo_id)] = str(key)
        run.uploaded_images = found
    return run.uploaded_images


def _links(
    session: Session, run: ImportRun, candidates: list[_Candidate]
) -> dict[int, ProductSync]:
    """The sync records of the page's store products, by store product id (asked only for the
    products that may have one: see ``ImportRun.maybe_linked``)."""
    from sqlmodel import col, select

    from woosync.db.models import ProductSync

    woo_ids = [c.woo_id for c in candidates]
    if run.maybe_linked is not None:
        woo_ids = [woo_id for woo_id in woo_ids if woo_id in run.maybe_linked]
    if not woo_ids:
        return {}
    query = select(ProductSync).where(
        ProductSync.connection_id == run.connection_id,
        col(ProductSync.woo_product_id).in_(woo_ids),
    )
    return {link.woo_product_id: link for link in session.exec(query).all()}


def _case_twin(session: Session, run: ImportRun, sku: str) -> tuple[int, str] | None:
    """The local product whose SKU differs from ``sku`` only in case, if any."""
    if run.folded_skus is None:
        rows = session.connection().exec_driver_sql("SELECT id, sku FROM products")
        run.folded_skus = {stored.casefold(): (product_id, stored) for product_id, stored in rows}
    holder = run.folded_skus.get(sku.casefold())
    return holder if holder is not None and holder[1] != sku else None


def _local_products(session: Session, ids: list[int], skus: set[str]) -> dict[int, Product]:
    """The local products with these ids or SKUs, by id.

    A plain-SQL probe for their ids comes first: the pages of a first import match nothing, and an
    ORM query costs several times the probe. (Nothing is pending in the session here: every page
    ends with a flush, so the probe sees what the ORM query would.)
    """
    from sqlmodel import col, select

    from woosync.db.models import Product

    wanted = [*ids, *skus]
    where = " OR ".join(
        f"{column} IN ({', '.join('?' * len(values))})"
        for column, values in (("id", ids), ("sku", skus))
        if values
    )
    found = [
        product_id
        for (product_id,) in session.connection().exec_driver_sql(
            f"SELECT id FROM products WHERE {where}", tuple(wanted)
        )
    ]
    if not found:
        return {}
    query = select(Product).where(col(Product.id).in_(found))
    return {product.id: product for product in session.exec(query).all() if product.id is not None}


def _create(
    session: Session,
    run: ImportRun,
    new: list[_Candidate],
    writes: _SyncWrites,
    links: dict[int, ProductSync],
    now: datetime,
) -> None:
    """New products: checked by the catalog's rules, inserted with one executemany, then linked.

    The rows and the insert are the catalog's own (what ``upsert_products`` does for new SKUs). The
    importer does not call ``upsert_products`` itself: it matches by sync link before SKU, fails a SKU
    that another product of the run claimed, and links each product it writes to its store product.
    """
    from woosync.services.catalog import insert_products, new_product_row

    rows: list[dict[str, Any]] = []
    accepted: list[_Candidate] = []
    for candidate in new:
        woo_id, sku = candidate.woo_id, candidate.local.sku
        try:
            row = new_product_row(normalize_fields(candidate.fields), now)
        except ValidationError as exc:
            run.results[woo_id] = entry(woo_id, None, sku, "failed", exc.message)
            continue
        rows.append(row)
        accepted.append(candidate)
        run.results[woo_id] = entry(woo_id, None, sku, "imported")
    if run.dry_run or not rows:
        return
    ids = insert_products(session, rows)
    for candidate in accepted:
        product_id = ids[candidate.local.sku]
        run.results[candidate.woo_id]["productId"] = product_id
        attribute_names = list(candidate.local.attributes)
        _link(writes, run, product_id, candidate.woo, attribute_names, links, now)


def _link(
    writes: _SyncWrites,
    run: ImportRun,
    product_id: int | None,
    woo: dict[str, Any],
    attribute_names: list[str],
    links: dict[int, ProductSync],
    now: datetime,
    *,
    sync: ProductSync | None = None,
    reconciled: Reconciled | None = None,
) -> None:
    """Queue the sync record: link, lastImportedAt, synced, and the two-way sync's memory: a new
    link takes the store's fingerprints as its base; a reconciled product the base, echoes and
    conflicts the reconciling left (fields it did not take keep their base)."""
    from woosync.services.imports.fingerprints import store_attribute_list

    assert product_id is not None
    woo_id = int(woo["id"])
    if reconciled is not None and sync is not None:
        from woosync.services.sync_echoes import drifted, with_catalog_images

        sources: dict[str, str] | None = reconciled.image_sources
        drifted(
            reconciled,
            run.fingerprinter.for_store_product(
                with_catalog_images(woo, sources), attribute_names, run.attribute_ids()
            ),
        )
        base = reconciled.base
        echoes: dict[str, str] | None = reconciled.echoes or None
        conflicts: dict[str, Any] | None = reconciled.conflicts or None
    else:
        base = run.fingerprinter.for_store_product(woo, attribute_names, run.attribute_ids())
        if reconciled is not None:
            base.update(
                {key: reconciled.base[key] for key in reconciled.taken if key in reconciled.base}
            )
        echoes, sources, conflicts = None, {}, None  # the store's images are the catalog's
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
            "exported_values": base,
            "store_attributes": store_attribute_list(woo),
            "created_at": now,
            "updated_at": now,
            "store_echoes": echoes,
            "image_sources": sources,
            "conflicts": conflicts,
        }
    )


def _restore(session: Session, run: ImportRun, new: list[_Candidate]) -> None:
    """``--restore-removed``: the removed SKUs this page brought back lose their tombstones."""
    from woosync.services.catalog import drop_tombstones

    back = [
        c.local.sku
        for c in new
        if c.local.sku.casefold() in run.tombstones
        and run.results[c.woo_id]["status"] == "imported"
    ]
    if not back:
        return
    run.restored.extend(back)
    for candidate in new:
        if candidate.local.sku in back:
            run.results[candidate.woo_id]["message"] = "restored: it had been removed locally"
    if not run.dry_run:
        drop_tombstones(session, back)


def linked_woo_ids(session: Session, connection_id: int) -> set[int]:
    """The store product ids that have a sync record of this connection."""
    from sqlalchemy import text

    query = text("SELECT DISTINCT woo_product_id FROM product_sync WHERE connection_id = :id")
    return {woo_id for (woo_id,) in session.execute(query, {"id": connection_id})}


def _write_syncs(session: Session, writes: _SyncWrites) -> None:
    """Upsert the queued sync records; export's own columns (lastExportedAt ...) are kept."""
    from sqlalchemy import delete

    from woosync.db.models import ProductSync

    table: Any = ProductSync.__table__  # type: ignore[attr-defined]
    if writes.stale_ids:
        session.execute(delete(table).where(table.c.id.in_(writes.stale_ids)))
    upsert_many(
        session,
        table,
        writes.rows,
        conflict=("connection_id", "product_id"),
        keep=("created_at",),
    )
