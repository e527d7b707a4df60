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
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlmodel import select

from woosync.core.timeutil import iso, parse_iso, utcnow
from woosync.db.models import SyncCursor

if TYPE_CHECKING:
    from sqlmodel import Session

CURSOR_NAME = "import"
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


def read_cursor(session: Session, connection_id: int) -> datetime | None:
    row = session.exec(
        select(SyncCursor).where(
            SyncCursor.connection_id == connection_id, SyncCursor.name == CURSOR_NAME
        )
    ).first()
    if row is None:
        return None
    try:
        return parse_iso(row.value)
    except ValueError:
        return None


def write_cursor(session: Session, connection_id: int, value: datetime) -> None:
    row = session.exec(
        select(SyncCursor).where(
            SyncCursor.connection_id == connection_id, SyncCursor.name == CURSOR_NAME
        )
    ).first()
    text = iso(value) or ""
    if row is None:
        session.add(SyncCursor(connection_id=connection_id, name=CURSOR_NAME, value=text))
    else:
        row.value = text
        row.updated_at = utcnow()
        session.add(row)


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
