"""The spec's *Update connection* (ARCHITECTURE.md, operations table): any field, secrets and TLS
settings included; a new URL follows the rules of :mod:`~woosync.services.connections.moves`."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError

from woosync.core.errors import ValidationError, param
from woosync.core.store_urls import normalize_store_url
from woosync.core.timeutil import utcnow
from woosync.db.models import Connection
from woosync.secrets import check_writable, store_secrets
from woosync.services.connections.credentials import secrets_scope, warn_where_kept
from woosync.services.connections.lookup import get_connection
from woosync.services.connections.moves import (
    check_move_options,
    check_store_change,
    forget_store,
    leaves_the_store,
)
from woosync.services.connections.records import (
    ensure_url_free,
    unset_other_defaults,
    url_conflict,
)
from woosync.services.connections.tls import valid_ca_bundle, warn_insecure
from woosync.services.connections.validate import valid_name, valid_secret, valid_webhook_secret
from woosync.services.connections.views import ConnectionView, view_of

if TYPE_CHECKING:
    from woosync.db.engine import Database

log = logging.getLogger("woosync.connections")


def _new_secrets(
    consumer_key: str | None,
    consumer_secret: str | None,
    webhook_secret: str | None,
    clear_webhook_secret: bool,
) -> dict[str, str | None]:
    """The secrets to write (None: remove that one), checked."""
    key = valid_secret(consumer_key, "consumer key", required=False)
    secret = valid_secret(consumer_secret, "consumer secret", required=False)
    webhook = valid_webhook_secret(webhook_secret)
    if webhook and clear_webhook_secret:
        raise ValidationError(
            "a new webhook secret and clearing it exclude each other", hint="pass only one"
        )
    secrets: dict[str, str | None] = {}
    if key:
        secrets["consumer_key"] = key
    if secret:
        secrets["consumer_secret"] = secret
    if webhook or clear_webhook_secret:
        secrets["webhook_secret"] = webhook
    return secrets


def _set_tls(
    conn: Connection, verify_tls: bool | None, bundle: str | None, clear_ca_bundle: bool
) -> None:
    if verify_tls is not None:
        conn.verify_tls = verify_tls
        if not verify_tls:
            conn.ca_bundle = None
    if bundle:
        conn.ca_bundle = bundle
        conn.verify_tls = True
    if clear_ca_bundle:
        conn.ca_bundle = None


def update_connection(
    db: Database,
    ref: int | str,
    *,
    name: str | None = None,
    url: str | None = None,
    consumer_key: str | None = None,
    consumer_secret: str | None = None,
    webhook_secret: str | None = None,
    clear_webhook_secret: bool = False,
    is_active: bool | None = None,
    is_default: bool | None = None,
    verify_tls: bool | None = None,
    ca_bundle: str | Path | None = None,
    clear_ca_bundle: bool = False,
    move_to_new_store: bool = False,
    same_store: bool = False,
) -> ConnectionView:
    """The spec's *Update connection*: any field. A new URL is normalised and checked for
    conflicts; a different store's URL follows :mod:`~woosync.services.connections.moves`
    (``move_to_new_store`` drops the old store's sync records, ids and bookmark in the same
    transaction, ``same_store`` keeps everything)."""
    store_name = valid_name(name) if name is not None else None
    store_url = normalize_store_url(url) if url is not None else None
    secrets = _new_secrets(consumer_key, consumer_secret, webhook_secret, clear_webhook_secret)
    bundle = valid_ca_bundle(ca_bundle)
    if bundle and (verify_tls is False or clear_ca_bundle):
        raise ValidationError(
            f"{param('ca_bundle')} excludes {param('insecure')} and {param('clear_ca_bundle')}",
            hint="pass only one of them",
        )
    fields = (store_name, store_url, is_active, is_default, verify_tls)
    if not (secrets or any(v is not None for v in fields) or bundle or clear_ca_bundle):
        raise ValidationError(
            "nothing to update",
            hint="give a new name, URL, secret, TLS setting, or make it (in)active or the default",
        )
    check_move_options(store_url, move=move_to_new_store, same=same_store)

    with db.session() as session:
        conn = get_connection(session, ref)
        if store_url is not None:
            ensure_url_free(session, store_url, except_id=conn.id)
            check_store_change(session, conn, store_url, move=move_to_new_store, same=same_store)
    if secrets:
        check_writable()
    dropped: dict[str, int] = {}
    try:
        with db.session() as session:
            conn = get_connection(session, ref)
            assert conn.id is not None
            old_url = conn.store_url
            if store_name is not None:
                conn.store_name = store_name
            if store_url is not None:
                check_store_change(
                    session, conn, store_url, move=move_to_new_store, same=same_store
                )
                if leaves_the_store(conn, store_url, move=move_to_new_store, same=same_store):
                    dropped = forget_store(session, conn.id)
                conn.store_url = store_url
            if is_active is not None:
                conn.is_active = is_active
            if is_default is not None:
                if is_default:
                    unset_other_defaults(session, keep_id=conn.id)
                conn.is_default = is_default
            _set_tls(conn, verify_tls, bundle, clear_ca_bundle)
            conn.updated_at = utcnow()
            session.add(conn)
            session.flush()
            if secrets:
                kept_in = store_secrets(conn.id, secrets, scope=secrets_scope(db))
                warn_where_kept(conn.id, kept_in)
            updated = view_of(conn)
    except IntegrityError:
        raise url_conflict(store_url or "") from None
    if any(dropped.values()):
        log.warning(
            "connection %s now points at another store: dropped %s sync record(s), %s store id(s) "
            "and %s import bookmark(s) of %s; its mappings stay",
            conn.id,
            dropped["syncRecords"],
            dropped["storeRefs"],
            dropped["cursors"],
            old_url,
        )
    if not conn.verify_tls:
        warn_insecure(conn)
    return updated
