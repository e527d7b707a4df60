"""The look at the store before a partial export updates variations (``store_edits``, for
variations): a field edited in the store since the last sync is held as a conflict, never
overwritten unseen."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Protocol

from woosync.core.errors import StoreError
from woosync.services.export.records import SyncRow, write_conflicts
from woosync.services.export.store_edits import store_edit
from woosync.services.export.variation_results import FAILED, VariationItem
from woosync.services.sync import stock
from woosync.services.sync import targets as sync_targets
from woosync.services.sync.echoes import with_catalog_images
from woosync.services.sync.variation_keys import product_shaped
from woosync.woo.api_limits import MAX_PER_PAGE

if TYPE_CHECKING:
    from woosync.db.engine import Database
    from woosync.services.export.variation_send import VariationSender
    from woosync.woo import WooClient

READ = {"context": "edit"}  # as an import reads them (a variation's own SKU, not its parent's)


class Export(Protocol):
    """What of the variation export (``variations.VariationExport``) this uses."""

    @property
    def db(self) -> Database: ...
    @property
    def connection_id(self) -> int: ...
    @property
    def concurrency(self) -> int: ...
    @property
    def targets(self) -> Sequence[sync_targets.Target]: ...
    @property
    def sender(self) -> VariationSender: ...
    @property
    def client(self) -> WooClient: ...

    def partial_keys(self, variation: VariationItem) -> list[str]: ...


def hold_variation_edits(
    export: Export, variations: Sequence[VariationItem], *, record: bool
) -> dict[int, str]:
    """:func:`hold_store_edits` for the linked variations of a partial export: their store
    variations are read (:func:`_read`: only those, many parents' a request where the store
    allows it),
    and a field the store changed since the last sync, to another value than the catalog's, is
    added to the variation's conflicts (booked now when ``record``; a dry run records nothing),
    which ``partial_keys`` then leaves out. Returns the variations whose store variations could
    not be read (row id -> why): they fail, as a write would."""
    by_key = {target.key: target for target in export.targets}
    wanted: list[tuple[VariationItem, list[str]]] = []
    for variation in variations:
        if not variation.woo_id:
            continue
        base = variation.previous
        keys = [
            key
            for key in export.partial_keys(variation)
            if key in base and key in by_key and key != stock.KEY
        ]
        if keys:
            wanted.append((variation, keys))
    if not wanted:
        return {}
    store, unread = _read(export, [variation for variation, _keys in wanted])
    failing: dict[int, str] = {}
    booked: dict[int, dict[str, Any]] = {}
    for variation, keys in wanted:
        parent_id, row_id = variation.family.woo_id, int(variation.row.id)
        if parent_id in unread:
            why = unread[parent_id]
            failing[row_id] = f"could not read the store variation before updating it: {why}"
            continue
        answer = store[parent_id].get(variation.woo_id)
        if answer is None:
            continue  # gone from the store: the write finds out and matches it again
        if str(answer.get("sku") or "").strip() == variation.family.sku:
            # no SKU of its own: WooCommerce answers its parent's (as an import reads it)
            answer = {**answer, "sku": ""}
        sync = variation.family.syncs.get(row_id)
        sources = getattr(sync, "image_sources", None) or {}
        named = with_catalog_images(product_shaped(answer, export.targets), sources)
        echoes = getattr(sync, "store_echoes", None) or {}
        held: dict[str, dict[str, Any]] = {}
        for key in keys:
            last = (echoes.get(key, variation.previous[key]), variation.previous[key])
            value, current = variation.values.get(key), variation.prints.get(key)
            found = store_edit(by_key[key], named, {}, last, value, current)
            if found is not None:
                held[key] = found
        if held and sync is not None:
            merged = {**(getattr(sync, "conflicts", None) or {}), **held}
            variation.family.syncs[row_id] = sync._replace(conflicts=merged)
            variation.conflicts = variation.conflicts | frozenset(held)
            booked[row_id] = merged
    if record and booked:
        with export.db.session() as session:
            write_conflicts(session, export.connection_id, booked)
    return failing


def _read(
    export: Export, variations: Sequence[VariationItem]
) -> tuple[dict[int, dict[int, Mapping[str, Any]]], dict[int, str]]:
    """The store variations linked to ``variations``, by parent and id, and the parents whose
    variations could not be read (id -> why). Only those variations are asked for
    (``include``), 100 a request (where the store lists many parents' at once), several requests
    in flight: the other variations of their parents are neither read nor held in memory."""
    chunks: list[list[VariationItem]] = [[]]
    for variation in sorted(variations, key=lambda v: v.family.woo_id):
        if (
            len(chunks[-1]) >= MAX_PER_PAGE
            and chunks[-1][-1].family.woo_id != variation.family.woo_id
        ):
            chunks.append([])
        chunks[-1].append(variation)

    def read(chunk: list[VariationItem]) -> list[tuple[int, list[dict[str, Any]] | StoreError]]:
        parents = list(dict.fromkeys(v.family.woo_id for v in chunk))
        query = {**READ, "include": ",".join(str(v.woo_id) for v in chunk)}
        return list(export.client.variation_lists(parents, query, concurrency=1))

    store: dict[int, dict[int, Mapping[str, Any]]] = {}
    unread: dict[int, str] = {}
    with ThreadPoolExecutor(max_workers=max(1, min(export.concurrency, len(chunks)))) as pool:
        for answers in pool.map(read, chunks):
            for parent_id, found in answers:
                if isinstance(found, StoreError):
                    unread[parent_id] = str(found)
                else:
                    store[parent_id] = {int(held.get("id") or 0): held for held in found}
    return store, unread


def without_unread(
    export: Export, variations: list[VariationItem], unread: Mapping[int, str]
) -> list[VariationItem]:
    """``variations`` but those whose store variations could not be read (row id -> why): they
    fail, their records saying so (and keeping what they knew)."""
    failed = [v for v in variations if int(v.row.id) in unread]
    rows: list[SyncRow] = []
    for variation in failed:
        why = unread[int(variation.row.id)]
        export.sender.finish(variation.family, variation.row, variation.woo_id, FAILED, message=why)
        sync = variation.family.syncs.get(int(variation.row.id))
        rows.append(
            SyncRow(
                int(variation.row.id),
                variation.woo_id,
                FAILED,
                why,
                last_exported_at=variation.last_exported_at,
                exported_values=variation.previous,
                store_echoes=getattr(sync, "store_echoes", None),
                image_sources=getattr(sync, "image_sources", None),
                conflicts=getattr(sync, "conflicts", None),
            )
        )
    export.sender.book(rows)
    return [v for v in variations if int(v.row.id) not in unread]
