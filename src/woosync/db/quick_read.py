"""Reading connections with plain ``sqlite3``: no SQLAlchemy, SQLModel or pydantic.

``connections list``, ``show`` and ``default`` are what scripts and cron jobs run most, and
importing SQLAlchemy, SQLModel and the tables cost them about 0.3 s of CPU, most of the command.
They read here when the database is there and up to date (this woosync's schema version, WAL
mode): :func:`open_quick_read` returns None otherwise (no file yet, an older schema to upgrade, a
newer one to refuse, not a woosync database), and the command takes the full path
(:mod:`woosync.db.engine` and ``woosync.services.connections``), which upgrades or says what is
wrong.

A lookup answers only what it finds: one that finds nothing, or several, returns None and the
full path raises its error, so both paths say the same. Both return the same typed values
(:class:`ConnectionView`, :class:`ConnectionDetails`, defined here so that this path need not
import the services). Nothing here writes: the connection is ``query_only``. It is opened
read-write all the same, so that, as the full path's does, it tidies the WAL files away when it
closes (a read-only one cannot).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from woosync.core.errors import ValidationError
from woosync.core.ids import id_from_text
from woosync.core.store_urls import normalize_store_url
from woosync.db.engine import BUSY_TIMEOUT_MS
from woosync.db.migrations import LATEST


@dataclass(frozen=True, slots=True)
class ConnectionView:
    """The spec's connection object (never a secret)."""

    id: int
    store_name: str
    store_url: str
    is_active: bool
    is_default: bool
    last_synced_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ConnectionDetails:
    """A connection with what only this machine knows: its TLS settings and where its secrets
    are read from (``connections show``)."""

    connection: ConnectionView
    verify_tls: bool
    ca_bundle: str | None
    secrets_from: str


_VIEW = (
    "SELECT id, store_name, store_url, is_active, is_default, last_synced_at, created_at, "
    "updated_at FROM connections"
)
_NEWEST_FIRST = "created_at DESC, id DESC"


def _utc(text: object) -> datetime:
    """A stored time as SQLModel's ``UTCDateTime`` reads it: aware UTC (the text has no offset)."""
    value = datetime.fromisoformat(str(text))
    return value.replace(tzinfo=UTC) if value.utcoffset() is None else value.astimezone(UTC)


def _view(row: tuple[object, ...]) -> ConnectionView:
    """A row of ``_VIEW``, its values as the full path reads them."""
    number, name, url, active, default, synced, created, updated = row
    assert isinstance(number, int)
    return ConnectionView(
        id=number,
        store_name=str(name),
        store_url=str(url),
        is_active=bool(active),
        is_default=bool(default),
        last_synced_at=None if synced is None else _utc(synced),
        created_at=_utc(created),
        updated_at=_utc(updated),
    )


class QuickRead:
    """Connections read from an up-to-date database; :meth:`close` when done."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def connections(self) -> list[ConnectionView]:
        """Every connection: the default first, then newest first (as ``list_connections``)."""
        rows = self._conn.execute(f"{_VIEW} ORDER BY is_default DESC, {_NEWEST_FIRST}")
        return [_view(row) for row in rows]

    def find(self, ref: int | str) -> ConnectionView | None:
        """The connection ``ref`` names (id, exact store name, store URL), as ``get_connection``
        finds it; None when it finds none, or several, or ``ref`` is no id."""
        text = str(ref).strip()
        if text.isascii() and text.isdigit():
            connection_id = id_from_text(text)
            return None if connection_id is None else self._first("id = ?", connection_id)
        named = self._conn.execute(f"{_VIEW} WHERE store_name = ? LIMIT 2", (text,)).fetchall()
        if named:
            return _view(named[0]) if len(named) == 1 else None
        try:
            url = normalize_store_url(text)
        except ValidationError:
            return None
        return self._first("store_url = ?", url)

    def default(self) -> ConnectionView | None:
        """The default connection, else the newest active one (as ``default_connection``)."""
        return self._first(f"is_default IS 1 ORDER BY {_NEWEST_FIRST}") or self._first(
            f"is_active IS 1 ORDER BY {_NEWEST_FIRST}"
        )

    def tls(self, connection_id: int) -> tuple[bool, str | None] | None:
        """The connection's ``verify_tls`` and CA bundle; None when it is gone."""
        row = self._conn.execute(
            "SELECT verify_tls, ca_bundle FROM connections WHERE id = ?", (connection_id,)
        ).fetchone()
        if row is None:
            return None
        return bool(row[0]), None if row[1] is None else str(row[1])

    def _first(self, where: str, *values: object) -> ConnectionView | None:
        row = self._conn.execute(f"{_VIEW} WHERE {where} LIMIT 1", values).fetchone()
        return None if row is None else _view(row)

    def close(self) -> None:
        self._conn.close()


def open_quick_read(path: Path) -> QuickRead | None:
    """Connections read from the database at ``path`` with plain ``sqlite3``, when it exists and
    needs nothing from the full path (its schema is :data:`~woosync.db.migrations.LATEST`, in WAL
    mode); else None, and nothing was created or changed."""
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=BUSY_TIMEOUT_MS / 1000
        )
    except sqlite3.Error:
        return None
    try:
        conn.execute("PRAGMA query_only = ON")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
    except sqlite3.Error:  # not a database (or not one SQLite can read): the full path says so
        version, journal = None, None
    if version != LATEST or str(journal).lower() != "wal":
        conn.close()
        return None
    return QuickRead(conn)
