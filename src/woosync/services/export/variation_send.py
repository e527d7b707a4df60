"""Sending variations and booking what the store answered: the variation export's last stage.

Writes go through ``/products/{id}/variations/batch`` (``WooClient.write_variations``: one request
in flight per parent, several parents at once, adaptive size, lost creates looked up before a
resend). Each answered variation gets its result and a sync record row; the rows are written to
the database in groups (:data:`BOOK_ROWS` rows, or every :data:`BOOK_SECONDS`, and at the end),
not one transaction per request: a run stopped between the store's answer and the booking loses
nothing, as the next run finds the store's variation by its SKU under the parent (or its option
set) and links it, never creating it twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from woosync.core.timeutil import utcnow
from woosync.db.engine import Database
from woosync.services.export import notices
from woosync.services.export.images import VariationImageClaims
from woosync.services.export.records import RETRY_STATUSES, SyncRow, write_syncs
from woosync.services.export.registry import IMAGE, StoreRegistry
from woosync.services.export.variation_match import LocalVariation, holder_elsewhere
from woosync.services.export.variation_payload import fields_of_keys
from woosync.services.export.variation_records import Family
from woosync.services.export.variation_results import (
    FAILED,
    SUCCESS,
    VariationItem,
    VariationReport,
    VariationResult,
    pruned_variation,
    refusal_message,
)
from woosync.services.sync import clears as held
from woosync.services.sync import echoes as sync_echoes
from woosync.services.sync import stock
from woosync.services.sync import targets as sync_targets
from woosync.services.sync.variation_keys import Written, memory_after_write
from woosync.woo import ItemError, VariationOutcome, VariationWrite
from woosync.woo.errors import WooError

if TYPE_CHECKING:
    from woosync.woo.client import WooClient

GONE = "woocommerce_rest_product_variation_invalid_id"
IMAGE_GONE = "woocommerce_variation_invalid_image_id"  # a cached media id the store lost
BOOK_ROWS = 600  # sync records written together (about 100 parents' requests)
BOOK_SECONDS = 2.0  # ... or after this long, whichever comes first


class VariationSender:
    """Sends one run's variation writes and books each answer (results and sync records)."""

    def __init__(
        self,
        db: Database,
        client: WooClient,
        connection_id: int,
        targets: Sequence[sync_targets.Target],
        report: VariationReport,
        *,
        batch_size: int,
        concurrency: int,
        on_result: Callable[[VariationResult], None] | None = None,
        registry: StoreRegistry | None = None,
    ) -> None:
        self.db = db
        self.registry = registry  # learns the media id of each image sent by URL
        # a new URL goes by src once, by its id after (several variations may share it)
        self.claims = (
            VariationImageClaims(registry, client, self._failed_before)
            if registry is not None
            else None
        )
        self._sending: dict[int, VariationItem] = {}  # the variations of the current send()
        self.client = client
        self.connection_id = connection_id
        self.targets = targets
        self._fields: dict[tuple[str, ...], list[str]] = {}  # keys sent -> fields exported
        self.report = report
        self.batch_size = batch_size
        self.concurrency = concurrency
        self.on_result = on_result

    def send(
        self, writes: list[VariationWrite], by_id: dict[int, VariationItem]
    ) -> list[VariationItem]:
        """Send, book the answers; returns the variations whose link was stale (the store no
        longer has the variation they were linked to: matched again by the caller)."""
        stale: list[VariationItem] = []
        if not writes:
            return stale
        rows: list[SyncRow] = []
        booked = time.monotonic()
        claims = self.claims
        retried: set[int] = set()  # sent again with their image's URL (the id was refused)
        self._sending = by_id
        try:
            while writes:
                outcomes = self.client.write_variations(
                    writes, size=self.batch_size, concurrency=self.concurrency, gate=claims
                )
                writes = []
                for batch in outcomes:
                    now = utcnow()  # one time for a batch answer: its records share it
                    for outcome in batch:
                        if claims is not None:
                            claims.release(outcome)
                        if outcome.write.action == "delete":
                            self.report.pruned.append(pruned_variation(outcome))
                            continue
                        variation = by_id[outcome.write.tag]
                        error = outcome.error
                        if (
                            error is not None
                            and error.code == GONE
                            and outcome.write.action == "update"
                        ):
                            stale.append(variation)
                            continue
                        again = self._image_again(variation, outcome, retried)
                        if again is not None:
                            writes.append(again)
                            continue
                        rows.append(self._booked(variation, outcome, now))
                    if len(rows) >= BOOK_ROWS or time.monotonic() - booked >= BOOK_SECONDS:
                        self.book(rows)
                        rows, booked = [], time.monotonic()
        finally:
            self.book(rows)
        return stale

    def _failed_before(self, tag: int) -> bool:
        """Whether the variation's last export failed (its request may have landed)."""
        variation = self._sending.get(tag)
        if variation is None:
            return False
        sync = variation.family.syncs.get(int(variation.row.id))
        return getattr(sync, "sync_status", None) in RETRY_STATUSES

    def _image_again(
        self, variation: VariationItem, outcome: VariationOutcome, retried: set[int]
    ) -> VariationWrite | None:
        """A write refused for an image id the store no longer has (nothing was written): the
        same write with the URL, once."""
        error = outcome.error
        images = variation.values.get("images")
        tag = outcome.write.tag
        if error is None or error.code != IMAGE_GONE or self.claims is None or not images:
            return None
        if tag in retried:
            return None
        retried.add(tag)
        return self.claims.forget(outcome.write, str(images[0]))

    def book(self, rows: list[SyncRow]) -> None:
        """Write these sync records and the image ids learnt with them (one transaction)."""
        registry = self.registry
        if rows or (registry is not None and registry.dirty):
            with self.db.session() as session:
                if rows:
                    write_syncs(session, self.connection_id, rows)
                if registry is not None:
                    registry.flush(session)

    def _booked(
        self, variation: VariationItem, outcome: VariationOutcome, now: datetime
    ) -> SyncRow:
        if outcome.error is not None:
            message = self._named_holder(variation, outcome.error) or refusal_message(
                str(variation.row.sku), outcome.error
            )
            self.finish(variation.family, variation.row, variation.woo_id, FAILED, message=message)
            return SyncRow(
                int(variation.row.id),
                variation.woo_id,
                FAILED,
                message,
                exported_values=variation.previous,
                image_sources=_image_sources(variation, None),
            )
        answer = outcome.answer or {}
        woo_id = int(answer.get("id") or variation.woo_id)
        keys = variation.keys
        dropped = notices.dropped(outcome.write.payload, answer)
        if dropped:  # not taken: sent again next time
            keys = [key for key in keys if key not in dropped]
            for key in dropped:
                value = str(outcome.write.payload[key])
                self.report.dropped.append((key, value, str(variation.row.sku)))
        previous = {**variation.previous, **{k: variation.prints[k] for k in keys}}
        if stock.KEY in keys:  # the quantity itself, for sales in several stores (sync.stock)
            stock.remember(previous, variation.values.get(stock.KEY))
        held.note_sent(previous, keys, variation.values)  # the catalog's values it holds now
        fields = self._fields_of(keys)
        created = outcome.write.action == "create" and not outcome.recovered
        if created:
            sku = str(variation.row.sku)
            warning = notices.priceless(
                sku, outcome.write.payload, self.targets, self.connection_id
            )
            if warning is not None:
                self.report.warnings.append(warning)
        self.finish(
            variation.family,
            variation.row,
            woo_id,
            SUCCESS,
            fields=fields,
            at=now,
            created=created,
            held=variation.held,
        )
        sources = _image_sources(variation, answer)
        written = Written(self.targets, outcome.write.payload, sources)
        echoes, conflicts = memory_after_write(
            variation, answer, previous, outcome.write.action, written
        )
        self._learn_image(outcome.write.payload, answer)
        return SyncRow(
            int(variation.row.id),
            woo_id,
            "synced",
            last_exported_at=now,
            last_modified_fields=fields,
            exported_values=previous,
            store_echoes=echoes,
            conflicts=conflicts,
            image_sources=sources,
        )

    def _fields_of(self, keys: Sequence[str]) -> list[str]:
        """The fields a write of ``keys`` exported, one list per set of keys: the variations of a
        batch hold the same list, which the bulk write encodes once (never changed in place)."""
        token = tuple(keys)
        found = self._fields.get(token)
        if found is None:
            found = fields_of_keys(self.targets, keys)
            if len(self._fields) < 64:
                self._fields[token] = found
        return found

    def _learn_image(self, body: Mapping[str, Any], answer: dict[str, Any]) -> None:
        """An image sent by URL is the store's media now: the registry learns its id, as for a
        product's images (``book._learn_images``), so the next send of that URL (this variation
        again, or another product) names the media id instead of uploading it again."""
        sent = body.get("image")
        got = answer.get("image")
        if (
            self.registry is not None
            and isinstance(sent, dict)
            and "src" in sent
            and isinstance(got, dict)
            and got.get("id")
        ):
            self.registry.remember(IMAGE, str(sent["src"]), int(got["id"]))

    def _named_holder(self, variation: VariationItem, error: ItemError) -> str | None:
        """A duplicate SKU the store refused: who holds it, said as matching says it."""
        if not error.duplicate_sku or not variation.row.sku:
            return None
        try:
            hits = self.client.lookup_skus([str(variation.row.sku)], concurrency=1)
        except WooError:
            return None
        local = LocalVariation(int(variation.row.id), str(variation.row.sku), variation.options)
        return holder_elsewhere(local, variation.family.woo_id, hits)

    def finish(
        self,
        family: Family,
        row: Any,
        woo_id: int,
        status: str,
        *,
        message: str | None = None,
        fields: Sequence[str] = (),
        at: datetime | None = None,
        created: bool = False,
        held: tuple[str, ...] = (),
    ) -> None:
        """One variation's result, reported (``held``: fields left out, in conflict)."""
        result = VariationResult(
            int(row.id),
            family.product_id,
            str(row.sku or ""),
            woo_id,
            family.woo_id,
            status,
            tuple(fields),
            at,
            message,
            created,
            held,
        )
        self.report.results.append(result)
        if self.on_result is not None:
            self.on_result(result)


def _image_sources(
    variation: VariationItem, answer: dict[str, Any] | None
) -> dict[str, str] | None:
    """The variation's map from store media ids to catalog image URLs (as a product's, see
    ``sync.echoes.learn_images``), learnt from ``answer`` when its image was sent: a variation has
    one ``image``, the first of the catalog's images, and the store answers it as its own upload,
    which an import maps back to the catalog's URL."""
    sync = variation.family.syncs.get(int(variation.row.id))
    known: dict[str, str] | None = getattr(sync, "image_sources", None)
    images = variation.values.get("images")
    if answer is None or "images" not in variation.keys or not images:
        return known
    return sync_echoes.learn_images(known, images[:1], [answer.get("image")]) or None
