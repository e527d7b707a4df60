"""Connection rows: create, list, show, the default, delete (the spec's *Create*, *List*, *Get*,
*Get default* and *Delete connection*, ARCHITECTURE.md, operations table). *Update connection* is
in :mod:`~woosync.services.connections.update`.

A connection row holds no secret: the consumer key, consumer secret and webhook secret live in the
secret chain (:mod:`woosync.secrets`), keyed by connection id and the database file.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from woosync.core.errors import ConflictError
from woosync.core.store_urls import normalize_store_url
from woosync.core.timeutil import utcnow
from woosync.db.models import Connection, ExportMapping, ImportMapping, ProductSync
from woosync.secrets import check_writable, delete_secrets, secrets_location, store_secrets
from woosync.services.connections.credentials import (
    secrets_scope,
    warn_environment_overrides,
    warn_where_kept,
)
from woosync.services.connections.lookup import (
    connection_or_default,
    default_connection,
    get_connection,
)
from woosync.services.connections.moves import count_rows
from woosync.services.connections.tls import tls_choice, warn_insecure
from woosync.services.connections.validate import valid_name, valid_secret, valid_webhook_secret
from woosync.services.connections.views import (
    ConnectionDetails,
    ConnectionRemoved,
    ConnectionView,
    view_of,
)

if TYPE_CHECKING:
    from woosync.db.engine import Database

log = logging.getLogger("woosync.connections")


def ensure_url_free(session: Session, url: str, *, except_id: int | None = None) -> None:
    """A conflict when another connection has this store URL."""
    existing = session.exec(select(Connection).where(Connection.store_url == url)).first()
    if existing is not None and existing.id != except_id:
        raise ConflictError(
            f"a connection to {url} already exists (id {existing.id}, {existing.store_name!r})",
            hint=f"change it with 'woosync connections update {existing.id}'",
        )


def unset_other_defaults(session: Session, keep_id: int | None) -> None:
    """One default connection: every other one stops being it."""
    now = utcnow()
    others = session.exec(select(Connection).where(col(Connection.is_default).is_(True))).all()
    for other in others:
        if other.id != keep_id:
            other.is_default = False
            other.updated_at = now
            session.add(other)


def url_conflict(url: str) -> ConflictError:
    """The conflict to raise for the database's own uniqueness error on the URL."""
    return ConflictError(
        f"a connection to {url} already exists",
        hint="run 'woosync connections list' to see it",
    )


def check_new_connection(db: Database, *, name: str | None, url: str | None) -> str:
    """Validate a new connection's name and URL, check the URL is free and that there is a place
    to keep its secrets (a usable keyring, or the file store); the normalised URL.

    Lets the CLI fail before it asks for secrets; :func:`create_connection` checks again.
    """
    valid_name(name)
    store_url = normalize_store_url(url or "")
    with db.session() as session:
        ensure_url_free(session, store_url)
    check_writable()
    return store_url


def create_connection(
    db: Database,
    *,
    name: str | None,
    url: str | None,
    consumer_key: str | None,
    consumer_secret: str | None,
    webhook_secret: str | None = None,
    is_default: bool = False,
    verify_tls: bool = True,
    ca_bundle: str | Path | None = None,
) -> ConnectionView:
    """The spec's *Create connection*. Validates everything and checks for a duplicate URL first."""
    store_name = valid_name(name)
    store_url = normalize_store_url(url or "")
    key = valid_secret(consumer_key, "consumer key", required=True)
    secret = valid_secret(consumer_secret, "consumer secret", required=True)
    webhook = valid_webhook_secret(webhook_secret)
    bundle = tls_choice(ca_bundle, verify_tls)
    scope = secrets_scope(db)
    with db.session() as session:
        ensure_url_free(session, store_url)
    check_writable()

    connection_id: int | None = None
    try:
        with db.session() as session:
            if is_default:
                unset_other_defaults(session, keep_id=None)
            now = utcnow()
            conn = Connection(
                store_name=store_name,
                store_url=store_url,
                is_active=True,
                is_default=is_default,
                verify_tls=verify_tls,
                ca_bundle=bundle,
                created_at=now,
                updated_at=now,
            )
            session.add(conn)
            session.flush()
            assert conn.id is not None
            connection_id = conn.id
            kept_in = store_secrets(
                conn.id,
                {"consumer_key": key, "consumer_secret": secret, "webhook_secret": webhook},
                scope=scope,
            )
            created = view_of(conn)
    except BaseException as exc:
        # No row, so no secrets: a failed write (a locked keyring at the second secret, a busy
        # database at commit) must not leave the first ones behind for the next connection id.
        if connection_id is not None:
            delete_secrets(connection_id, scope=scope)
        if isinstance(exc, IntegrityError):
            raise url_conflict(store_url) from None
        raise
    if not verify_tls:
        warn_insecure(conn)
    warn_where_kept(created.id, kept_in)
    warn_environment_overrides(created.id)
    log.info("created connection %s (%s)", created.id, store_url)
    return created


def list_connections(db: Database) -> list[ConnectionView]:
    """The spec's *List connections*: the default first, then newest first."""
    with db.session() as session:
        rows = session.exec(
            select(Connection).order_by(
                col(Connection.is_default).desc(),
                col(Connection.created_at).desc(),
                col(Connection.id).desc(),
            )
        ).all()
        return [view_of(row) for row in rows]


def get_connection_view(db: Database, ref: int | str) -> ConnectionView:
    """The spec's *Get connection*: one connection by id (or exact name, or store URL)."""
    with db.session() as session:
        return view_of(get_connection(session, ref))


def get_default_connection(db: Database) -> ConnectionView:
    """The spec's *Get default connection*: the default, else the newest active one, else 404."""
    with db.session() as session:
        return view_of(default_connection(session))


def connection_details(db: Database, ref: int | str | None) -> ConnectionDetails:
    """The connection (``ref``, else the default) with its local-only TLS settings and where its
    secrets come from, for ``show``."""
    with db.session() as session:
        conn = connection_or_default(session, ref)
        view = view_of(conn)
    return ConnectionDetails(
        connection=view,
        verify_tls=bool(conn.verify_tls),
        ca_bundle=conn.ca_bundle,
        secrets_from=secrets_location(view.id),
    )


def delete_connection(db: Database, ref: int | str) -> ConnectionRemoved:
    """The spec's *Delete connection*: it, its mappings and sync records (FK cascade), its secrets."""
    with db.session() as session:
        conn = get_connection(session, ref)
        connection_id = conn.id
        assert connection_id is not None
        removed = ConnectionRemoved(
            id=connection_id,
            store_name=conn.store_name,
            store_url=conn.store_url,
            export_mappings=count_rows(session, ExportMapping, connection_id),
            import_mappings=count_rows(session, ImportMapping, connection_id),
            sync_records=count_rows(session, ProductSync, connection_id),
        )
        session.delete(conn)
        session.flush()
        # Inside the transaction: when a secret cannot be removed (a locked keyring, a secrets
        # file others can read) the connection stays, so 'remove' can be run again.
        delete_secrets(connection_id, scope=secrets_scope(db))
    log.info("deleted connection %s", connection_id)
    return removed
