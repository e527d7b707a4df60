"""The book stage of export: what a write's answer teaches, and the sync records written.

A successful write moves the item's base fingerprints to what was sent, keeps the store's
attribute list, learns the ids of images uploaded by URL, and remembers the store's echoes (see
``sync.echoes``). Sync records (and the registry rows learnt) are written in one transaction per
batch answered (:func:`book`), once per product; before any write, the records of the products
about to be sent are only marked ``pending`` (:func:`mark_pending`: an interrupted run leaves
them for ``retry_failed``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from woosync.core.timeutil import utcnow
from woosync.services.export import decide, notices, records
from woosync.services.export.records import SyncColumns, write_sync_columns
from woosync.services.export.registry import IMAGE
from woosync.services.export.results import (
    CREATED,
    FAILED,
    NOT_WRITTEN,
    SUCCESS,
    UPDATED,
    ProductResult,
)
from woosync.services.export.results import UNCHANGED as NO_CHANGE
from woosync.services.export.state import CREATE, ERROR, UNCHANGED, UPDATE, Item, Run
from woosync.services.sync import clears as held
from woosync.services.sync import echoes as sync_echoes
from woosync.services.sync import stock
from woosync.services.sync import targets as sync_targets
from woosync.services.sync.default_options import WOO_FIELD as DEFAULT_OPTIONS

SYNCED = "synced"


def columns(items: Sequence[Item]) -> SyncColumns:
    """The sync records of finished items, column by column: ``error`` for those that failed,
    ``synced`` for the others (one pass over the items per column, no object per record)."""
    knowns = [item.known for item in items]
    statuses = [ERROR if item.action == ERROR else SYNCED for item in items]
    return SyncColumns(
        product_id=[item.product_id for item in items],
        woo_product_id=[known.woo_id for known in knowns],
        last_exported_at=[
            item.exported_at or known.last_exported_at
            for item, known in zip(items, knowns, strict=True)
        ],
        last_modified_fields=[
            item.exported_fields or known.prior_fields
            for item, known in zip(items, knowns, strict=True)
        ],
        sync_status=statuses,
        error_message=[
            item.message if status == ERROR else None
            for item, status in zip(items, statuses, strict=True)
        ],
        exported_values=[known.previous for known in knowns],
        store_attributes=[known.store_attributes for known in knowns],
        store_echoes=[known.echoes or None for known in knowns],
        image_sources=[known.image_sources for known in knowns],
        conflicts=[known.conflicts or None for known in knowns],
        export_digest=[
            _digest(item) if status == SYNCED else None
            for item, status in zip(items, statuses, strict=True)
        ],
    )


def _digest(item: Item) -> str | None:
    """The item's stamp (``unchanged.stamp``), when it is in step."""
    return item.basis if item.basis is not None and _in_step(item) else None


def _in_step(item: Item) -> bool:
    """The catalog's values are the store's as far as the sync record says: the digest of the
    export's inputs may stand for "unchanged" next time (``unchanged.py``)."""
    if item.prints is None or item.known.conflicts:
        return False
    # every fingerprint is the base's (a fingerprint is never None: one C-level subset test)
    return item.prints.items() <= item.known.previous.items()


def book(run: Run, items: Iterable[Item]) -> None:
    """Write the sync records of finished items (and the registry rows learnt), one transaction."""
    finished = list(items)
    if not finished and not run.registry.dirty:
        return
    with run.db.session() as session:
        if finished:
            write_sync_columns(session, run.connection_id, columns(finished))
        if run.registry.dirty:
            run.registry.flush(session)


def mark_pending(run: Run, items: Sequence[Item]) -> None:
    """Before sending: the records of the products about to be written say ``pending``, and
    nothing more (``records.mark_pending``): each record is written in full once, by :func:`book`
    when the store's answer comes. A run that is interrupted leaves them ``pending`` for
    ``--retry-failed``; a create whose answer was lost is found by its SKU before anything is
    sent again (``match.py``), so it is never created twice."""
    if not items and not run.registry.dirty:
        return
    with run.db.session() as session:
        records.mark_pending(session, run.connection_id, [(i.product_id, i.woo_id) for i in items])
        if run.registry.dirty:
            run.registry.flush(session)


def settle(run: Run, items: Sequence[Item]) -> None:
    """Products finished before sending: unchanged ones (booked only when their record did not
    say ``synced``) and those that failed in planning."""
    quiet = [i for i in items if i.action == UNCHANGED]
    for item in quiet:
        item.done = True
        decide.prints(run, item)  # the digest is booked only when the prints agree
    stale = [
        i for i in quiet if i.held or i.known.prior_status != SYNCED or i.known.digest != _digest(i)
    ]
    book(run, [*stale, *(i for i in items if i.action == ERROR)])


def succeeded(run: Run, item: Item, answer: dict[str, Any], now: datetime | None = None) -> None:
    """The store took the item's write (``answer`` is its product as the store answered) at
    ``now`` (one time for a whole batch answer: its records share it; default: the time now)."""
    known = item.known
    known.woo_id = int(answer.get("id") or known.woo_id)
    sent = decide.sent_keys(run, item)
    for key in notices.dropped(item.payload, answer):  # not taken: sent again next time
        sent.discard(key)
        run.note_dropped(key, str((item.payload or {})[key]), item.sku)
    current = decide.prints(run, item)  # made once per item (at planning for a partial export)
    previous = dict(known.previous)
    previous.update({key: current[key] for key in sent if key in current})
    if stock.KEY in sent:  # the quantity itself, for sales in several stores (sync.stock)
        stock.remember(previous, item.values.get(stock.KEY))
    held.note_sent(previous, sent, item.values)  # what the store holds of the catalog's now
    known.previous = previous
    attributes = answer.get("attributes")
    if isinstance(attributes, list):
        known.store_attributes = sync_targets.normalize_store_attributes(attributes)
    elif item.payload and "attributes" in item.payload:
        known.store_attributes = sync_targets.normalize_store_attributes(item.payload["attributes"])
    _learn_images(run, item, answer)
    if run.links is not None and run.links.sent(sent):  # the ids sent, read back as SKUs
        run.links.name(run, [answer])
    if DEFAULT_OPTIONS in sent:  # a global default's slug, read back as its term's name
        run.term_names.name_defaults([answer])
    _learn_echoes(run, item, answer, sent)
    if item.action == CREATE and item.payload is not None:
        for notice in (notices.priceless, notices.linkless):
            warning = notice(item.sku, item.payload, run.targets, run.connection_id)
            if warning is not None:
                run.warn(warning)
    item.exported_fields = run.sent_fields(item.keys)
    item.exported_at = now or utcnow()
    item.message = None
    item.done = True


def _learn_images(run: Run, item: Item, answer: dict[str, Any]) -> None:
    sent = (item.payload or {}).get("images")
    got = answer.get("images")
    if not sent or not isinstance(got, list) or len(got) != len(sent):
        return
    remember = run.registry.remember
    for image, stored in zip(sent, got, strict=True):
        if "src" in image and stored.get("id"):
            remember(IMAGE, image["src"], int(stored["id"]))


def _learn_echoes(run: Run, item: Item, answer: dict[str, Any], sent: set[str]) -> None:
    """Remember what the store answered for the keys sent (see ``sync.echoes``); a field sent
    is no longer in conflict: the catalog's value is now the store's."""
    known = item.known
    if "images" in sent and "images" in item.values:
        known.image_sources = sync_echoes.learn_images(
            known.image_sources, item.values["images"], answer.get("images")
        )
    if "id" not in answer:
        return
    echoes = sync_echoes.echoes_after_write(
        run.targets,
        sent,
        answer,
        item.payload or {},
        item.values,
        known.previous,
        known.echoes,
        known.image_sources or {},
        run.attribute_ids(),
    )
    if item.action == CREATE:
        # not sent: not selected, or selected but empty in the catalog (left out of the payload)
        keys = frozenset(sent)
        unsent = run.unsent.get(keys)
        if unsent is None:
            unsent = run.unsent[keys] = unsent_fields(sent)
        defaults = _store_defaults(
            run.defaults.setdefault(keys, {}), *unsent, answer, known.previous
        )
        if defaults:
            # the remembered dict itself when nothing else is echoed: every record of a batch
            # holds the same object, which the bulk write encodes once (never changed in place)
            echoes = {**defaults, **echoes} if echoes else defaults
    known.echoes = echoes
    if known.conflicts:
        known.conflicts = {k: v for k, v in known.conflicts.items() if k not in sent} or None


def unsent_fields(sent: Collection[str]) -> tuple[list[sync_targets.Target], tuple[str, ...]]:
    """The standard targets a create that sent the keys ``sent`` left to the store, and the
    fields of its answer their values are read from."""
    targets = sync_echoes.unsent_standard_targets(sorted(sent))
    return targets, ("dimensions", *(t.woo for t in targets))


def _store_defaults(
    memo: dict[str, dict[str, str]],
    unsent: list[sync_targets.Target],
    read: tuple[str, ...],
    answer: dict[str, Any],
    base: dict[str, str],
) -> dict[str, str]:
    """``sync_echoes.store_defaults``, made once per distinct answer for the unsent fields: a
    store answers every create with the same defaults (status, type, stock status ...). Keyed
    by the answer's fields they are ``read`` from. The dict returned may be the one remembered:
    it is never changed in place."""
    # the repr of decoded JSON tells 1, 1.0, True and "1" apart (a different order of an
    # object's keys only misses the memory)
    key = repr(tuple(map(answer.get, read)))
    held = memo.get(key)
    if held is None:
        if len(memo) >= _DEFAULTS_MEMO:
            memo.clear()
        held = memo[key] = sync_echoes.store_defaults(unsent, answer, {})
    if base.keys().isdisjoint(held):
        return held
    return {k: v for k, v in held.items() if k not in base}


_DEFAULTS_MEMO = 256  # distinct default answers remembered per set of unsent fields


def result_of(run: Run, item: Item) -> ProductResult:
    """The item's outcome, once the run is done with it."""
    failed = item.action == ERROR or not item.done
    change = NOT_WRITTEN if failed else _CHANGES.get(item.action, NO_CHANGE)
    return ProductResult(
        connection_id=run.connection_id,
        product_id=item.product_id,
        woo_product_id=item.woo_id,
        status=FAILED if failed else SUCCESS,
        exported_fields=tuple(item.exported_fields),
        last_exported_at=item.exported_at or item.known.last_exported_at,
        message=(item.message or "export failed") if failed else None,
        change=change,
        held_conflicts=tuple(decide.held_conflicts(run, item)),
        sku=item.sku,
    )


_CHANGES = {CREATE: CREATED, UPDATE: UPDATED, UNCHANGED: NO_CHANGE}
