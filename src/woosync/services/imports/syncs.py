"""The sync records an import writes: one per product it imported or updated, for the whole page
in one upsert (:func:`write_syncs`), plus the deletion of links that moved to another product.

A record holds the link (``woo_product_id``), ``last_imported_at``, status ``synced`` and the
two-way sync's memory: a new link takes the store's values as its base fingerprints
(:mod:`~woosync.services.imports.fingerprints`, in export's terms); a reconciled product the
base, echoes and conflicts :func:`~woosync.services.sync.conflicts.reconcile` left. Export's own
columns (``last_exported_at`` ...) are kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, text

from woosync.core.timeutil import utcnow
from woosync.db.bulk_sql import upsert_many, write_many
from woosync.db.models import ProductSync, StoreRef
from woosync.services.catalog.reading import field_value
from woosync.services.imports.fingerprints import store_attribute_list
from woosync.services.imports.links import Link
from woosync.services.imports.reconcile import first_sync, reconcile_product
from woosync.services.sync import clears, download_ids, stock, store_globals
from woosync.services.sync import targets as sync_targets
from woosync.services.sync.conflicts import DERIVED_ON_A_VARIABLE, Reconciled, drifted
from woosync.services.sync.echoes import with_catalog_images
from woosync.services.sync.image_files import store_copies
from woosync.services.sync.prints import catalog_print

if TYPE_CHECKING:
    from sqlmodel import Session

    from woosync.db.models import Product
    from woosync.services.catalog.stored import StoredProduct
    from woosync.services.imports.state import ImportRun


_IMAGE = "image"  # the store registry's kind of an image (export.registry.IMAGE): key = URL


@dataclass
class SyncWrites:
    """The sync records of one page, written with one statement (plus one for stale links)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    stale_ids: list[int] = field(default_factory=list)
    # the store's images by the URL the catalog holds for each (its own, or the catalog's for a
    # copy woosync uploaded or the store had): an export sends their ids, never the URL again
    images: dict[str, int] = field(default_factory=dict)
    # the store's global attributes its products hold: slug -> (id, name) (sync.store_globals)
    attributes: dict[str, tuple[int, str]] = field(default_factory=dict)
    connection_id: int = 0


def queue_sync(
    writes: SyncWrites,
    run: ImportRun,
    product_id: int,
    woo: dict[str, Any],
    attribute_names: list[str],
    stale: Link | None,
    now: datetime,
    *,
    sync: Link | None = None,
    reconciled: Reconciled | None = None,
    known: Mapping[str, str] | None = None,
    changed: bool = True,
    catalog: Product | StoredProduct | None = None,
) -> None:
    """Queue the product's sync record. ``stale``: the store product's link before (deleted when
    it pointed at another local product); ``sync``: the record being reconciled; ``known``: base
    fingerprints the store's answer does not give (a variation's options). ``changed``: whether
    the import changed the catalog product; when it did not and the record would be written as
    it is (:func:`same_record`), nothing is queued: an unchanged re-import writes nothing, its
    ``lastImportedAt`` included (the connection's ``lastSyncedAt`` says when the store was read)."""
    woo_id = int(woo["id"])
    fingerprinter = run.fingerprinter
    if reconciled is not None and sync is not None:
        sources: dict[str, str] | None = reconciled.image_sources
        overrule(run, woo, attribute_names, reconciled, catalog)
        base = reconciled.base
        echoes: dict[str, str] | None = reconciled.echoes or None
        conflicts: dict[str, Any] | None = reconciled.conflicts or None
    else:  # the store's images are the catalog's, but for its copies of them (image_files)
        sources = reconciled.image_sources if reconciled is not None else {}
        shown = with_catalog_images(woo, sources)
        base = fingerprinter.for_store_product(shown, attribute_names, run.attribute_ids())
        echoes, conflicts = None, None
        if reconciled is not None:  # linked now: the store's values are the base, but for
            base.update(  # what came in, and for a field in conflict (never synced: none)
                {key: reconciled.base[key] for key in reconciled.taken if key in reconciled.base}
            )
            for key in reconciled.conflicts:
                base.pop(key, None)
            conflicts = reconciled.conflicts or None
            # the catalog holds what came in; what it held before is its own (sync.clears)
            clears.note(base, holds=[key for key in reconciled.taken if key in base])
        else:  # new: the owned fields the fingerprints lack, as the next import would take them
            first = first_sync(
                woo,
                run.rules,
                run.slugs_by_id,
                fingerprinter.fields_of(attribute_names),
                base,
            )
            if first is not None:
                base.update(first.base)
                echoes = first.echoes or None
            clears.note(base, holds=[k for k in base if clears.is_key(k)])  # new: all the store's
        stock.remember(base, woo.get(stock.KEY))  # as the store holds it (sync.stock)
    if known:
        base = {**base, **known}
    row = {
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
    _learn_refs(writes, run.connection_id, woo, sources or {})
    if not changed and sync is not None and same_record(sync, row):
        return  # nothing came in, and the record already says all of it
    if stale is not None and stale.product_id != product_id:
        # the store product was linked to a local product that is gone, or it matched another one
        writes.stale_ids.append(stale.id)
    writes.rows.append(row)


def _learn_refs(
    writes: SyncWrites, connection_id: int, woo: Mapping[str, Any], sources: Mapping[str, str]
) -> None:
    """What the store product says of the store itself: its images' ids (by the URL the catalog
    holds for each) and its global attributes; written only where the registry lacks them."""
    writes.connection_id = connection_id
    for image in woo.get("images") or []:
        if isinstance(image, Mapping) and image.get("id") and image.get("src"):
            url = sources.get(str(image["id"])) or str(image["src"])
            writes.images[url] = int(image["id"])
    writes.attributes.update(store_globals.learnt(woo.get("attributes") or []))


def overrule(
    run: ImportRun,
    woo: Mapping[str, Any],
    attribute_names: list[str],
    reconciled: Reconciled,
    catalog: Product | StoredProduct | None = None,
) -> None:
    """The store's edits of fields the import does not own (none compared them): their base
    becomes the store's value, so that the next ``export --partial`` sends the catalog's back;
    the run names those where the catalog (``catalog``: the product as the import leaves it)
    holds another value (:meth:`ImportRun.note_overruled`): one it holds too (a stock count the
    catalog's own source already has) is sent nowhere."""
    fingerprinter = run.fingerprinter
    prints = fingerprinter.for_store_product(
        with_catalog_images(woo, reconciled.image_sources),
        attribute_names,
        run.attribute_ids(),
        skip=reconciled.evaluated,
    )
    sent = fingerprinter.exported_keys()
    if sent is not None:  # a field the store is never sent stays its own: no base moves
        prints = {key: value for key, value in prints.items() if key in sent}
    moved = drifted(reconciled, prints)
    if moved:  # a variable product's stock status is its variations' doing, not an edit, and
        # a SKU removed in the store is told apart (run.sku_removed)
        derived = DERIVED_ON_A_VARIABLE if woo.get("type") == "variable" else frozenset()
        edits = [key for key in moved if key not in derived and key != "sku"]
        if catalog is not None and edits:
            targets = {target.key: target for target in fingerprinter.targets(attribute_names)}
            edits = [
                key
                for key in edits
                if key not in targets
                or catalog_print(targets[key], field_value(catalog, targets[key].field))
                != prints[key]
            ]
        run.note_overruled(edits, str(woo.get("sku") or f"#{woo['id']}"))


# what an import writes of a record besides its times (``last_imported_at``, ``updated_at``)
_COMPARED = (
    "woo_product_id",
    "sync_status",
    "error_message",
    "exported_values",
    "store_attributes",
    "store_echoes",
    "image_sources",
    "conflicts",
)


def same_record(sync: Link, row: Mapping[str, Any]) -> bool:
    """Whether writing ``row`` would leave the record ``sync`` as it is but for its times: the
    link, the status and the two-way sync's memory all equal. A record no import wrote yet (an
    export's) is written once, for its ``lastImportedAt``."""
    if not sync.imported or sync.product_id != row["product_id"]:
        return False
    return all(getattr(sync, name) == row[name] for name in _COMPARED)


def write_syncs(session: Session, writes: SyncWrites) -> None:
    """Upsert the queued sync records; export's own columns (lastExportedAt ...) are kept."""
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
    refs = [(_IMAGE, url, woo_id) for url, woo_id in writes.images.items()]
    for slug, (woo_id, name) in writes.attributes.items():
        refs += [(store_globals.SLUG_KIND, slug, woo_id), (store_globals.NAME_KIND, name, woo_id)]
    if refs:
        _remember_refs(session, writes.connection_id, refs)


def _remember_refs(
    session: Session, connection_id: int, refs: Sequence[tuple[str, str, int]]
) -> None:
    """Store registry rows (kind, key, the store's id), in one statement; a row already holding
    that id is not written again (an unchanged re-import writes nothing)."""
    now = utcnow()
    write_many(
        session,
        StoreRef.__table__,  # type: ignore[attr-defined]
        ("connection_id", "kind", "key", "woo_id", "created_at"),
        [(connection_id, kind, key, woo_id, now) for kind, key, woo_id in refs],
        conflict=("connection_id", "kind", "key"),
        keep=("created_at",),
        changed_only=True,
    )


def reconcile_with_store(
    session: Session,
    run: ImportRun,
    woo: Mapping[str, Any],
    product: Product | StoredProduct,
    sync: Link | None,
    exported_fields: Mapping[str, str],
) -> tuple[dict[str, Any], Reconciled]:
    """:func:`~woosync.services.imports.reconcile.reconcile_product` under the run's rules and
    conflict choice, with the record's image sources; before the product's images are first
    synced with this store, store images named as the catalog's are taken as its copies of them
    (:mod:`~woosync.services.sync.image_files`), and a store file at a catalog file's address
    under an id of its own is that store's id of it (:mod:`~woosync.services.sync.download_ids`)."""
    sources = image_sources(session, run, sync)
    if sync is None or sync_targets.IMAGES not in (sync.exported_values or {}):
        catalog = field_value(product, exported_fields.get(sync_targets.IMAGES, "images"))
        copies = store_copies(catalog or [], woo.get("images") or [])
        if copies:
            sources = {**sources, **copies}
            run.note_image_copies(str(woo.get("sku") or product.sku))
    files = woo.get(sync_targets.DOWNLOADS)
    if files:
        catalog = field_value(product, exported_fields.get(sync_targets.DOWNLOADS, "downloads"))
        copies = download_ids.copies(catalog, files, sources)
        if copies:
            sources = {**sources, **copies}
            run.note_file_copies(str(woo.get("sku") or product.sku))
    rules, slugs, choice = run.rules, run.slugs_by_id, run.settings.on_conflict
    return reconcile_product(woo, rules, slugs, product, sync, choice, sources, exported_fields)


def image_sources(session: Session, run: ImportRun, sync: Link | None) -> dict[str, str]:
    """The sync record's map from store media ids to catalog image URLs; for a record written
    before records kept one, the images this store's registry says woosync uploaded (read once)."""
    if sync is None:
        return {}
    if sync.image_sources is not None:
        return dict(sync.image_sources)
    if run.uploaded_images is None:
        rows = session.execute(
            text("SELECT key, woo_id FROM store_refs WHERE connection_id = :id AND kind = :kind"),
            {"id": run.connection_id, "kind": _IMAGE},
        )
        found: dict[str, str] = {}
        for key, woo_id in rows:
            # a store URL adopted as its own key is not a catalog source: keep the other one
            if str(woo_id) not in found or "/wp-content/uploads/" in found[str(woo_id)]:
                found[str(woo_id)] = str(key)
        run.uploaded_images = found
    return run.uploaded_images
