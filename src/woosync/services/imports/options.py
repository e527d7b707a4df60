"""The options of an import, checked before anything is read: bad input is a ``ValidationError``
naming the parameter (the CLI spells it as its flag), and nothing is touched."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from woosync.core.errors import ValidationError, param
from woosync.core.timeutil import parse_iso, utcnow
from woosync.services.imports.fetch import MAX_CONCURRENCY
from woosync.services.sync_echoes import ON_CONFLICT

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


@dataclass(frozen=True, slots=True)
class ImportRequest:
    """What an import was asked to do, checked (:func:`check_request`)."""

    woo_ids: list[int] | None  # deduplicated, in order; None: all products
    since: datetime | None
    incremental: bool
    overlap: timedelta
    concurrency: int
    use_mapping: bool
    update_existing: bool
    dry_run: bool
    on_conflict: str
    link_without_sku: bool
    restore_removed: bool
    lock_wait: float


def check_request(
    *,
    woo_ids: Sequence[int] | None,
    since: datetime | None,
    incremental: bool,
    overlap: timedelta,
    concurrency: int,
    use_mapping: bool,
    update_existing: bool,
    dry_run: bool,
    on_conflict: str,
    link_without_sku: bool,
    restore_removed: bool,
    lock_wait: float,
) -> ImportRequest:
    """The request, or a ``ValidationError`` naming the parameter that is wrong."""
    ids = check_options(woo_ids, since, incremental, concurrency)
    check_on_conflict(on_conflict, update_existing)
    return ImportRequest(
        ids,
        since,
        incremental,
        overlap,
        concurrency,
        use_mapping,
        update_existing,
        dry_run,
        on_conflict,
        link_without_sku,
        restore_removed,
        lock_wait,
    )


def check_options(
    woo_ids: Sequence[int] | None, since: datetime | None, incremental: bool, concurrency: int
) -> list[int] | None:
    """The store product ids asked for (deduplicated, in order), or ``None`` for all."""
    if since is not None and incremental:
        raise ValidationError(
            f"{param('since')} and {param('incremental')} exclude each other",
            hint=f"{param('incremental')} starts from the bookmark of the last run; "
            f"{param('since')} from a time you give",
        )
    if woo_ids is not None and incremental:
        raise ValidationError(
            f"{param('woo_ids')} and {param('incremental')} exclude each other",
            hint="the bookmark can only move after a run over all products",
        )
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise ValidationError(
            f"{param('concurrency')} must be between 1 and {MAX_CONCURRENCY}, not {concurrency}",
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
            "no WooCommerce product ids given", hint=f"pass ids like {param('woo_ids')} 456,457"
        )
    return ids


def check_on_conflict(on_conflict: str, update_existing: bool) -> None:
    if on_conflict not in ON_CONFLICT:
        raise ValidationError(
            f"{param('on_conflict')} {on_conflict!r} is not one of {', '.join(ON_CONFLICT)}",
            hint="skip keeps both sides, catalog keeps the catalog's value, store takes the store's",
        )
    if on_conflict != "skip" and not update_existing:
        raise ValidationError(
            f"{param('on_conflict')} needs {param('update_existing')}",
            hint="conflicts are found when products already in the catalog are updated",
        )


def parse_since(text: str, *, now: datetime | None = None) -> datetime:
    """``since`` as text: an ISO-8601 time (``2025-12-11T10:00:00Z``; no zone = UTC) or an age
    (``90m``, ``6h``, ``2d``, ``1w``) counted back from now."""
    value = (text or "").strip()
    match = re.fullmatch(r"(\d+)\s*([smhdw])", value.lower())
    if match:
        return (now or utcnow()) - timedelta(seconds=int(match[1]) * _UNITS[match[2]])
    try:
        return parse_iso(value)
    except ValueError:
        raise ValidationError(
            f"{param('since')} {text!r} is not a time",
            hint="give 2025-12-11T10:00:00Z (UTC), or an age like 90m, 6h, 2d",
        ) from None
