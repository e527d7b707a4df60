"""The bookmark stage: the per-connection bookmark of incremental imports (``incremental``).

The bookmark is a time on the *store's* clock: the newest ``date_modified_gmt`` the run saw, minus the
run's own duration. Subtracting the duration (measured locally, so clock skew does not matter) is what
keeps products changed *during* a run from being skipped: such a product was modified after the run
started, and the newest date seen is at most the store's time at the end of the run, so the bookmark
never passes the start of the run. The next request asks for ``modified_after = bookmark - overlap``
(WordPress compares strictly and to the second, so one more second comes off), so the window is
inclusive; products seen twice are
harmless. The bookmark only moves forward, only after the run's data is committed, and not at all
when fewer products arrived than the store counted (a deletion during the run shifted the pages).

Two kinds of product break "modified at most now" on a real store (WooCommerce 11.0.1): a product
made with a date ahead is modified at that date (WordPress gives a new post its post date as its
modified date), and a scheduled one (status ``future``) keeps its modified date when WordPress's
cron publishes it. So a modified date past the store's clock (its ``Date`` header) never moves
the bookmark, and the scheduled products a run sees are kept by id (:func:`write_scheduled`): the
next incremental runs ask for them by id until they come in published. A product made with a
date in the past (another integration copying its dates) is modified then: the highest product
id a run saw is kept (:func:`write_highest`), and the next incremental run asks for the ones
above it that its window did not list.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlmodel import select

from woosync.core.timeutil import iso, parse_iso, utcnow
from woosync.db.models import SyncCursor

if TYPE_CHECKING:
    from sqlmodel import Session

    from woosync.services.imports.state import ImportRun

CURSOR_NAME = "import"
SCHEDULED_NAME = "scheduled"  # the store ids of scheduled products, with their dates (JSON)
HIGHEST_NAME = "highest id"  # the highest store product id an import saw
DEFAULT_OVERLAP = timedelta(seconds=60)


def parse_woo_gmt(text: object) -> datetime | None:
    """A WooCommerce ``*_gmt`` date (``2026-11-24T17:55:11``, no zone) as aware UTC; else ``None``."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def woo_gmt(value: datetime) -> str:
    """The form ``modified_after`` takes with ``dates_are_gmt=true``: UTC, to the second, no zone."""
    return value.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat(timespec="seconds")


def modified_after(cursor: datetime, overlap: timedelta = DEFAULT_OVERLAP) -> datetime:
    """Where the next incremental request starts: the bookmark minus the overlap, in whole seconds,
    minus one more second: store dates are cut to the second and ``modified_after`` is strict, so
    this keeps a product changed in the bookmark's own second inside the window."""
    return (cursor - overlap).replace(microsecond=0) - timedelta(seconds=1)


def next_cursor(
    previous: datetime | None, newest_seen: datetime | None, elapsed: timedelta
) -> datetime | None:
    """The bookmark after a committed run: ``newest_seen - elapsed``, never moving backwards."""
    if newest_seen is None:
        return previous
    candidate = newest_seen - max(elapsed, timedelta(0))
    if previous is not None and candidate <= previous:
        return previous
    return candidate


def before_store_time(newest: datetime | None, store_time: datetime | None) -> datetime | None:
    """``newest``, but never past the store's clock (a product dated ahead is modified ahead)."""
    if newest is not None and store_time is not None and newest > store_time:
        return store_time
    return newest


# How far a bookmark may be ahead of the store's Date header before it is taken for one moved to
# a scheduled product's date: a proxy or CDN in front of the store may run on a clock a little
# behind PHP's, whose dates the bookmark comes from.
CLOCK_TOLERANCE = timedelta(minutes=5)


def ahead(cursor: datetime, store_time: datetime) -> bool:
    """Whether a bookmark is past the store's clock (beyond :data:`CLOCK_TOLERANCE`)."""
    return cursor > store_time + CLOCK_TOLERANCE


def _row(session: Session, connection_id: int, name: str) -> SyncCursor | None:
    return session.exec(
        select(SyncCursor).where(SyncCursor.connection_id == connection_id, SyncCursor.name == name)
    ).first()


def _write(session: Session, connection_id: int, name: str, text: str) -> None:
    row = _row(session, connection_id, name)
    if row is None:
        session.add(SyncCursor(connection_id=connection_id, name=name, value=text))
    elif row.value != text:
        row.value = text
        row.updated_at = utcnow()
        session.add(row)


def read_cursor(session: Session, connection_id: int) -> datetime | None:
    row = _row(session, connection_id, CURSOR_NAME)
    if row is None:
        return None
    try:
        return parse_iso(row.value)
    except ValueError:
        return None


def write_cursor(session: Session, connection_id: int, value: datetime) -> None:
    _write(session, connection_id, CURSOR_NAME, iso(value) or "")


def clear_cursor(session: Session, connection_id: int) -> None:
    """Drop the bookmark: the next incremental import reads every product."""
    row = _row(session, connection_id, CURSOR_NAME)
    if row is not None:
        session.delete(row)


def read_scheduled(session: Session, connection_id: int) -> dict[int, str]:
    """The store's scheduled products earlier runs saw: store id -> the date it is published."""
    row = _row(session, connection_id, SCHEDULED_NAME)
    try:
        found = json.loads(row.value) if row is not None else {}
    except ValueError:
        return {}
    if not isinstance(found, dict):
        return {}
    return {int(key): str(value) for key, value in found.items() if str(key).isdigit()}


def write_scheduled(session: Session, connection_id: int, scheduled: Mapping[int, str]) -> None:
    """Keep ``scheduled`` (:func:`read_scheduled`); nothing is written while there is none."""
    if scheduled or _row(session, connection_id, SCHEDULED_NAME) is not None:
        text = json.dumps({str(key): value for key, value in sorted(scheduled.items())})
        _write(session, connection_id, SCHEDULED_NAME, text)


def read_highest(session: Session, connection_id: int) -> int | None:
    """The highest store product id an import saw (``None``: none recorded yet)."""
    row = _row(session, connection_id, HIGHEST_NAME)
    return int(row.value) if row is not None and row.value.isdigit() else None


def write_highest(session: Session, connection_id: int, value: int) -> None:
    if value > 0:
        _write(session, connection_id, HIGHEST_NAME, str(value))


def still_scheduled(before: Mapping[int, str], run: ImportRun, listed_all: bool) -> dict[int, str]:
    """The scheduled products after ``run``: those it saw scheduled, and those of ``before`` it
    has no news of (neither seen, nor asked for by id and missing: gone from the store; after a
    listing of every product, ``listed_all``, nothing is left unseen)."""
    found = dict(run.scheduled)
    if listed_all:
        return found
    asked = set(run.asked_scheduled)
    for woo_id, when in before.items():
        if woo_id not in run.seen and woo_id not in asked:
            found.setdefault(woo_id, when)
    return found


def advance_bookmark(
    session: Session,
    connection_id: int,
    previous: datetime | None,
    newest_seen: datetime | None,
    elapsed: timedelta,
) -> datetime | None:
    """Move the bookmark after a committed, complete run (:func:`next_cursor`); the bookmark now."""
    cursor = next_cursor(previous, newest_seen, elapsed)
    if cursor is not None and cursor != previous:
        write_cursor(session, connection_id, cursor)
    return cursor
