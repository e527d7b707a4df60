"""Finding a connection: by id, exact store name or store URL; the default one; an active one.

Every service that works on a store starts here. Each function takes an open session.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from woosync.core.errors import NotFoundError, ValidationError, param
from woosync.core.ids import SQLITE_MAX_INTEGER, id_from_text
from woosync.core.store_urls import normalize_store_url
from woosync.core.timeutil import utcnow
from woosync.db.models import Connection


def get_connection(session: Session, ref: int | str) -> Connection:
    """A connection by id (``3``), exact store name, or store URL; else a not-found error."""
    text = str(ref).strip()
    if text.isascii() and text.isdigit():
        connection_id = id_from_text(text)
        if connection_id is None:
            raise ValidationError(
                f"{text!r} is not a connection id",
                hint=f"ids go from 1 to {SQLITE_MAX_INTEGER}; or give the store name or URL",
            )
        found = session.get(Connection, connection_id)
        if found is None:
            raise NotFoundError(
                f"connection {text} not found", hint="run 'woosync connections list' to see them"
            )
        return found
    by_name = session.exec(select(Connection).where(Connection.store_name == text)).all()
    if len(by_name) == 1:
        return by_name[0]
    if len(by_name) > 1:
        raise ValidationError(
            f"several connections are named {text!r}", hint="use the connection id instead"
        )
    try:
        url = normalize_store_url(text)
    except ValidationError:
        url = None
    if url:
        found = session.exec(select(Connection).where(Connection.store_url == url)).first()
        if found is not None:
            return found
    raise NotFoundError(
        f"connection {text!r} not found", hint="run 'woosync connections list' to see them"
    )


def default_connection(session: Session) -> Connection:
    """The default connection, else the newest active one (the spec's *Get default connection*,
    ARCHITECTURE.md, operations table)."""
    found = session.exec(
        select(Connection)
        .where(col(Connection.is_default).is_(True))
        .order_by(col(Connection.created_at).desc(), col(Connection.id).desc())
    ).first()
    if found is None:
        found = session.exec(
            select(Connection)
            .where(col(Connection.is_active).is_(True))
            .order_by(col(Connection.created_at).desc(), col(Connection.id).desc())
        ).first()
    if found is None:
        raise NotFoundError(
            "no active connections found",
            hint=f"add one with 'woosync connections add {param('name')} NAME {param('url')} URL'",
        )
    return found


def connection_or_default(session: Session, ref: int | str | None) -> Connection:
    """``ref`` when given, else the default connection (the spec's backward compatibility)."""
    return default_connection(session) if ref is None else get_connection(session, ref)


def active_connection(session: Session, ref: int | str | None) -> Connection:
    """:func:`connection_or_default`, refused when inactive: what export and import work on."""
    conn = connection_or_default(session, ref)
    if not conn.is_active:
        raise ValidationError(
            f"connection {conn.id} ({conn.store_name}) is inactive",
            hint=f"activate it with 'woosync connections update {conn.id} {param('active')}', "
            "or pick another connection",
        )
    return conn


def mark_synced(session: Session, connection_id: int, when: datetime | None = None) -> None:
    """Set the connection's ``lastSyncedAt`` (now, unless ``when``), in the caller's transaction:
    after an export, or an import where nothing failed."""
    conn = session.get(Connection, connection_id)
    if conn is not None:
        conn.last_synced_at = when or utcnow()
        session.add(conn)
