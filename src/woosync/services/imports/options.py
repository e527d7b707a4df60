"""What an import is asked to do: one typed value, checked when it is made (the spec's *Import
products* request; ARCHITECTURE.md, operations table).

    ImportRequest(2, incremental=True)                           # what a cron job runs
    ImportRequest("Retail", woo_ids=[456, 457], update_existing=True, on_conflict="store")

:func:`~woosync.services.imports.run.import_products` takes one; how the caller listens (progress,
each product's result), waits for the store's lock and an injected client stay apart from it, so a
shell builds the request from its flags (the CLI) or its JSON body (the HTTP API of ``woosync
serve``) and nothing else. Bad values are a ``ValidationError`` naming the parameter (the CLI spells
it as its flag), raised before anything is read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from woosync.core.errors import ValidationError, param
from woosync.core.timeutil import parse_iso, utcnow
from woosync.services.imports.bookmark import DEFAULT_OVERLAP
from woosync.services.imports.fetch import MAX_CONCURRENCY
from woosync.services.sync.conflicts import ON_CONFLICT

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


@dataclass(frozen=True, slots=True)
class ImportRequest:
    """An import's products and settings (``woo_ids`` kept as a tuple, deduplicated, in order).

    Products: ``woo_ids`` (those store products), else all of the store's; ``since`` only those
    modified since then; ``incremental`` those modified since the bookmark of the last complete
    run (less ``overlap``). ``update_existing`` updates products already in the catalog (else
    they are left alone), resolving fields changed on both sides by ``on_conflict`` (``skip`` |
    ``catalog`` | ``store``). ``use_mapping``: the connection's active import mapping (else the
    default field rules). ``dry_run`` reads and compares, writes nothing. ``restore_removed``
    imports SKUs removed from the catalog too; ``link_without_sku`` imports store products
    without a SKU under ``woo-<connection>-<store id>``. ``concurrency``: requests in flight
    (pages and variation lists together).
    """

    connection: int | str | None = None  # id, name or URL; None: the default connection
    woo_ids: Sequence[int] | None = None
    update_existing: bool = False
    use_mapping: bool = True
    since: datetime | None = None
    incremental: bool = False
    overlap: timedelta = DEFAULT_OVERLAP
    dry_run: bool = False
    restore_removed: bool = False
    concurrency: int = 4
    on_conflict: str = "skip"
    link_without_sku: bool = False

    def __post_init__(self) -> None:
        ids = check_options(self.woo_ids, self.since, self.incremental, self.concurrency)
        object.__setattr__(self, "woo_ids", None if ids is None else tuple(ids))
        check_on_conflict(self.on_conflict, self.update_existing)

    @property
    def ids(self) -> list[int] | None:
        """The store product ids asked for, or ``None`` for all."""
        return None if self.woo_ids is None else list(self.woo_ids)


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


__all__ = ["ImportRequest", "parse_since"]
