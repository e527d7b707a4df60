"""Connections to WooCommerce stores (spec operations 1-7 in ARCHITECTURE.md):
create, list, show, default, update, delete, test, and ``open_client`` which every store-facing
service uses.

A connection row holds no secret: the consumer key, consumer secret and webhook secret live in the
secret chain (:mod:`woosync.secrets`), keyed by connection id and the database file.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from woosync.core import terminal
from woosync.core.errors import ConflictError, ValidationError, WoosyncError
from woosync.core.logging import register_secret, scrub
from woosync.core.text import control_character_problem
from woosync.core.timeutil import iso, utcnow
from woosync.services.common import (
    connection_or_default,
    default_connection,
    get_connection,
    normalize_store_url,
)

if TYPE_CHECKING:
    from sqlmodel import Session

    from woosync.db.engine import Database
    from woosync.db.models import Connection
    from woosync.woo import WooClient

MIN_SECRET_LENGTH = 10
SUCCESS_MESSAGE = "Connection successful"
FAILURE_PREFIX = "Failed to connect to WooCommerce store: "
MAX_RESPONSE_ENV = "WOOSYNC_MAX_RESPONSE_MB"  # cap on one answer's body (the client's default: 64)
RETRIES_ENV = "WOOSYNC_RETRIES"  # retries of a transient failure per call (the client's default: 4)

log = logging.getLogger("woosync.connections")


# shapes -------------------------------------------------------------------------------------------
def connection_to_dict(conn: Connection) -> dict[str, Any]:
    """The spec's connection object: camelCase keys, ISO-8601 UTC timestamps, never a secret."""
    return {
        "id": conn.id,
        "storeName": conn.store_name,
        "storeUrl": conn.store_url,
        "isActive": bool(conn.is_active),
        "isDefault": bool(conn.is_default),
        "lastSyncedAt": iso(conn.last_synced_at),
        "createdAt": iso(conn.created_at),
        "updatedAt": iso(conn.updated_at),
    }


def secrets_scope(db: Database) -> str:
    """What keeps this database's keyring entries apart from another database's."""
    return str(Path(db.path).expanduser().resolve())


# validation ---------------------------------------------------------------------------------------
def _valid_name(name: str | None) -> str:
    text = (name or "").strip()
    if not text:
        raise ValidationError("the store name is required", hint='pass --name "My Store"')
    problem = control_character_problem(text)
    if problem is not None:
        raise ValidationError(f"the store name {text!r} {problem}")
    return text


def _valid_secret(value: str | None, label: str, *, required: bool) -> str | None:
    if value is None and not required:
        return None
    text = (value or "").strip()
    if not text:
        raise ValidationError(
            f"the {label} is required",
            hint="copy it from WooCommerce > Settings > Advanced > REST API",
        )
    if len(text) < MIN_SECRET_LENGTH:
        raise ValidationError(
            f"the {label} must be at least {MIN_SECRET_LENGTH} characters",
            hint="copy the whole value from WooCommerce > Settings > Advanced > REST API",
        )
    register_secret(text)
    return text


def _valid_webhook_secret(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip()
    if not text:
        raise ValidationError("the webhook secret must not be empty", hint="leave it out instead")
    register_secret(text)
    return text


def _valid_ca_bundle(path: str | Path | None) -> str | None:
    if path is None:
        return None
    resolved = Path(path).expanduser().resolve()
    if not resolved.is_file():
        raise ValidationError(
            f"the CA bundle {resolved} does not exist or is not a file",
            hint="pass the path of a PEM file with the store's certificate chain",
        )
    return str(resolved)


def _ensure_url_free(session: Session, url: str, *, except_id: int | None = None) -> None:
    from sqlmodel import select

    from woosync.db.models import Connection

    existing = session.exec(select(Connection).where(Connection.store_url == url)).first()
    if existing is not None and existing.id != except_id:
        raise ConflictError(
            f"a connection to {url} already exists (id {existing.id}, {existing.store_name!r})",
            hint=f"change it with 'woosync connections update {existing.id}'",
        )


def _unset_other_defaults(session: Session, keep_id: int | None) -> None:
    from sqlmodel import col, select

    from woosync.db.models import Connection

    now = utcnow()
    others = session.exec(select(Connection).where(col(Connection.is_default).is_(True))).all()
    for other in others:
        if other.id != keep_id:
            other.is_default = False
            other.updated_at = now
            session.add(other)


def _integrity_conflict(exc: Exception, url: str) -> ConflictError:
    return ConflictError(
        f"a connection to {url} already exists",
        hint="run 'woosync connections list' to see it",
    )


# operations ---------------------------------------------------------------------------------------
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
) -> dict[str, Any]:
    """The spec's Create connection. Validates everything and checks for a duplicate URL first."""
    from sqlalchemy.exc import IntegrityError

    from woosync.db.models import Connection
    from woosync.secrets import check_writable, delete_secrets, store_secrets

    store_name = _valid_name(name)
    store_url = normalize_store_url(url or "")
    key = _valid_secret(consumer_key, "consumer key", required=True)
    secret = _valid_secret(consumer_secret, "consumer secret", required=True)
    webhook = _valid_webhook_secret(webhook_secret)
    bundle = _valid_ca_bundle(ca_bundle)
    if bundle and not verify_tls:
        raise ValidationError(
            "--ca-bundle and --insecure exclude each other", hint="pass only one of them"
        )
    scope = secrets_scope(db)
    with db.session() as session:
        _ensure_url_free(session, store_url)
    check_writable()

    connection_id: int | None = None
    try:
        with db.session() as session:
            if is_default:
                _unset_other_defaults(session, keep_id=None)
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
    except BaseException as exc:
        # No row, so no secrets: a failed write (a locked keyring at the second secret, a busy
        # database at commit) must not leave the first ones behind for the next connection id.
        if connection_id is not None:
            delete_secrets(connection_id, scope=scope)
        if isinstance(exc, IntegrityError):
            raise _integrity_conflict(exc, store_url) from None
        raise
    if not verify_tls:
        _warn_insecure(conn)
    assert connection_id is not None
    if kept_in == "env":
        _warn_not_stored(connection_id)
    elif kept_in == "file":
        _warn_file_store_not_kept()
    _warn_environment_overrides(connection_id)
    log.info("created connection %s (%s)", conn.id, store_url)
    return connection_to_dict(conn)


def _warn_file_store_not_kept() -> None:
    """``WOOSYNC_SECRETS=file`` for this one command: later ones would look in the keyring."""
    from woosync.core import settings

    if settings.value("secrets").source == "env" and settings.read_file().get("secrets") != "file":
        log.warning(
            "the secrets went to the file store because WOOSYNC_SECRETS=file is set; run "
            "'woosync config set secrets file' so that later commands find them without it"
        )


def _warn_not_stored(connection_id: int) -> None:
    """``WOOSYNC_SECRETS=env`` keeps nothing: say so, and which variables every run needs."""
    from woosync.secrets import MODE_ENV, env_var

    log.warning(
        "%s=env: the consumer key and secret were not stored; every run that uses connection %s "
        "needs %s and %s set",
        MODE_ENV,
        connection_id,
        env_var(connection_id, "consumer_key"),
        env_var(connection_id, "consumer_secret"),
    )


def _warn_environment_overrides(connection_id: int) -> None:
    """SQLite hands a removed connection's id out again, and ``WOOSYNC_CONN_<ID>_*`` win over the
    stored secrets: variables left from an old connection would go to this store instead."""
    from woosync.secrets import FIELDS, env_var

    names = [
        env_var(connection_id, field)
        for field in FIELDS
        if os.environ.get(env_var(connection_id, field))
    ]
    if names:
        log.warning(
            "%s set in the environment and will be used instead of the secrets just stored for "
            "connection %s; unset %s unless they belong to this store",
            " and ".join(names) + (" is" if len(names) == 1 else " are"),
            connection_id,
            "it" if len(names) == 1 else "them",
        )


def check_new_connection(db: Database, *, name: str | None, url: str | None) -> str:
    """Validate a new connection's name and URL, check the URL is free and that there is a place
    to keep its secrets (a usable keyring, or the file store); the normalised URL.

    Lets the CLI fail before it asks for secrets; :func:`create_connection` checks again.
    """
    from woosync.secrets import check_writable

    _valid_name(name)
    store_url = normalize_store_url(url or "")
    with db.session() as session:
        _ensure_url_free(session, store_url)
    check_writable()
    return store_url


def list_connections(db: Database) -> list[dict[str, Any]]:
    """The spec's List connections: the default first, then newest first."""
    from sqlmodel import col, select

    from woosync.db.models import Connection

    with db.session() as session:
        rows = session.exec(
            select(Connection).order_by(
                col(Connection.is_default).desc(),
                col(Connection.created_at).desc(),
                col(Connection.id).desc(),
            )
        ).all()
        return [connection_to_dict(row) for row in rows]


def get_connection_view(db: Database, ref: int | str) -> dict[str, Any]:
    """The spec's Get connection: one connection by id (or exact name, or store URL)."""
    with db.session() as session:
        return connection_to_dict(get_connection(session, ref))


def get_default_connection(db: Database) -> dict[str, Any]:
    """The spec's Get default connection: the default, else the newest active one, else 404."""
    with db.session() as session:
        return connection_to_dict(default_connection(session))


def connection_settings(db: Database, ref: int | str | None) -> dict[str, Any]:
    """The connection plus its local-only TLS settings (``verifyTls``, ``caBundle``), for ``show``."""
    with db.session() as session:
        conn = connection_or_default(session, ref)
    return {
        **connection_to_dict(conn),
        "verifyTls": bool(conn.verify_tls),
        "caBundle": conn.ca_bundle,
    }


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
) -> dict[str, Any]:
    """The spec's Update connection: any field. A new URL is normalised and checked for conflicts.

    A URL of a different store (see :func:`same_store_url`) is refused while the connection has
    sync records: they hold the old store's product ids, so an export would write to the wrong
    products. ``move_to_new_store`` drops them, with the old store's ids of categories, tags,
    attributes and images (``StoreRef``) and the import bookmark (``SyncCursor``), in the same
    transaction; the export and import mappings stay. ``same_store`` says the store only moved to
    the new address: everything stays. Without sync records a different store's ids and bookmark
    are dropped too (there is nothing to lose).
    """
    from sqlalchemy.exc import IntegrityError

    from woosync.secrets import check_writable, store_secrets

    store_name = _valid_name(name) if name is not None else None
    store_url = normalize_store_url(url) if url is not None else None
    key = _valid_secret(consumer_key, "consumer key", required=False)
    secret = _valid_secret(consumer_secret, "consumer secret", required=False)
    webhook = _valid_webhook_secret(webhook_secret)
    if webhook and clear_webhook_secret:
        raise ValidationError(
            "a new webhook secret and clearing it exclude each other", hint="pass only one"
        )
    bundle = _valid_ca_bundle(ca_bundle)
    if bundle and (verify_tls is False or clear_ca_bundle):
        raise ValidationError(
            "--ca-bundle excludes --insecure and --no-ca-bundle", hint="pass only one of them"
        )
    secrets: dict[str, str | None] = {}
    if key:
        secrets["consumer_key"] = key
    if secret:
        secrets["consumer_secret"] = secret
    if webhook or clear_webhook_secret:
        secrets["webhook_secret"] = webhook
    changes_given = (
        secrets
        or any(v is not None for v in (store_name, store_url, is_active, is_default, verify_tls))
        or bundle
        or clear_ca_bundle
    )
    if not changes_given:
        raise ValidationError(
            "nothing to update", hint="run 'woosync connections update --help' for the options"
        )
    if (move_to_new_store or same_store) and store_url is None:
        flag = "--move-to-new-store" if move_to_new_store else "--same-store"
        raise ValidationError(f"{flag} goes with a new --url", hint="pass --url NEW_ADDRESS")
    if move_to_new_store and same_store:
        raise ValidationError(
            "--move-to-new-store and --same-store exclude each other", hint="pass only one"
        )

    with db.session() as session:
        conn = get_connection(session, ref)
        if store_url is not None:
            _ensure_url_free(session, store_url, except_id=conn.id)
            _check_store_change(session, conn, store_url, move=move_to_new_store, same=same_store)
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
                _check_store_change(
                    session, conn, store_url, move=move_to_new_store, same=same_store
                )
                if move_to_new_store or not (
                    same_store or same_store_url(conn.store_url, store_url)
                ):
                    dropped = _forget_store(session, conn.id)
                conn.store_url = store_url
            if is_active is not None:
                conn.is_active = is_active
            if is_default is not None:
                if is_default:
                    _unset_other_defaults(session, keep_id=conn.id)
                conn.is_default = is_default
            if verify_tls is not None:
                conn.verify_tls = verify_tls
                if not verify_tls:
                    conn.ca_bundle = None
            if bundle:
                conn.ca_bundle = bundle
                conn.verify_tls = True
            if clear_ca_bundle:
                conn.ca_bundle = None
            conn.updated_at = utcnow()
            session.add(conn)
            session.flush()
            if secrets:
                kept_in = store_secrets(conn.id, secrets, scope=secrets_scope(db))
                if kept_in == "env":
                    _warn_not_stored(conn.id)
                elif kept_in == "file":
                    _warn_file_store_not_kept()
    except IntegrityError as exc:
        raise _integrity_conflict(exc, store_url or "") from None
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
        _warn_insecure(conn)
    return connection_to_dict(conn)


def same_store_url(old: str, new: str) -> bool:
    """Whether two normalised URLs name one store: equal but perhaps for http versus https."""
    from urllib.parse import urlsplit

    before, after = urlsplit(old), urlsplit(new)
    return (before.netloc, before.path) == (after.netloc, after.path)


def _count_rows(session: Session, model: Any, connection_id: int) -> int:
    from sqlalchemy import func
    from sqlmodel import select

    statement = select(func.count()).select_from(model).where(model.connection_id == connection_id)
    return int(session.exec(statement).one())


def _check_store_change(
    session: Session, conn: Connection, new_url: str, *, move: bool, same: bool
) -> None:
    """Refuse a different store's URL while sync records hold the old store's product ids."""
    from woosync.db.models import ProductSync

    if move or same or same_store_url(conn.store_url, new_url):
        return
    assert conn.id is not None
    records = _count_rows(session, ProductSync, conn.id)
    if records:
        raise ValidationError(
            f"connection {conn.id} {conn.store_name!r} has {records} sync record(s) with product "
            f"ids of {conn.store_url}; {new_url} is another store",
            hint="pass --move-to-new-store to drop them (mappings stay), or --same-store if "
            "the same store moved to this address",
        )


def _forget_store(session: Session, connection_id: int | None) -> dict[str, int]:
    """Delete the connection's sync records, store ids and bookmarks (in the caller's transaction)."""
    from sqlalchemy import delete

    from woosync.db.models import ProductSync, StoreRef, SyncCursor

    assert connection_id is not None
    dropped: dict[str, int] = {}
    models: list[tuple[str, Any]] = [
        ("syncRecords", ProductSync),
        ("storeRefs", StoreRef),
        ("cursors", SyncCursor),
    ]
    for label, model in models:
        table = model.__table__
        result: Any = session.execute(delete(table).where(table.c.connection_id == connection_id))
        dropped[label] = int(result.rowcount or 0)
    return dropped


def delete_connection(db: Database, ref: int | str) -> dict[str, Any]:
    """The spec's Delete connection: it, its mappings and sync records (FK cascade), its secrets."""
    from sqlalchemy import func
    from sqlmodel import select

    from woosync.db.models import ExportMapping, ImportMapping, ProductSync
    from woosync.secrets import delete_secrets

    def count(session: Session, model: Any, connection_id: int) -> int:
        statement = (
            select(func.count()).select_from(model).where(model.connection_id == connection_id)
        )
        return int(session.exec(statement).one())

    with db.session() as session:
        conn = get_connection(session, ref)
        connection_id = conn.id
        assert connection_id is not None
        summary: dict[str, Any] = {
            "id": connection_id,
            "storeName": conn.store_name,
            "storeUrl": conn.store_url,
            "deleted": True,
            "exportMappings": count(session, ExportMapping, connection_id),
            "importMappings": count(session, ImportMapping, connection_id),
            "syncRecords": count(session, ProductSync, connection_id),
        }
        session.delete(conn)
        session.flush()
        # Inside the transaction: when a secret cannot be removed (a locked keyring, a secrets
        # file others can read) the connection stays, so 'remove' can be run again.
        delete_secrets(connection_id, scope=secrets_scope(db))
    log.info("deleted connection %s", connection_id)
    return summary


# talking to the store -----------------------------------------------------------------------------
def tls_verify(conn: Connection) -> bool | str:
    """What to give the client as ``verify``: the CA bundle path, ``False`` (insecure) or ``True``."""
    if conn.ca_bundle:
        return conn.ca_bundle
    return bool(conn.verify_tls)


def _warn_insecure(conn: Connection) -> None:
    log.warning(
        "TLS certificate verification is OFF for connection %s (%s); anyone on the network path "
        "can read and change this traffic. Turn it back on with "
        "'woosync connections update %s --verify-tls'",
        conn.id,
        conn.store_url,
        conn.id,
    )


def client_timeout() -> float | None:
    """Seconds to wait for a store's answer: ``WOOSYNC_TIMEOUT``, else the ``timeout`` setting
    (``woosync config set timeout 60``), else ``None`` for the client's default."""
    from woosync.core import settings

    found = settings.value("timeout")
    return None if found.source == "default" else float(found.value)


def _positive_env(name: str, example: str, *, integer: bool = False) -> float | None:
    import math

    text = os.environ.get(name, "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or (integer and value != int(value)):
        kind = "a whole number" if integer else "a positive number"
        raise ValidationError(f"{name}={text!r} is not {kind}", hint=f"e.g. {name}={example}")
    return value


def _client_defaults(client_kwargs: dict[str, Any]) -> None:
    """The client settings the environment may change: timeout, answer size cap, retries."""
    timeout = client_timeout()
    if timeout is not None:
        client_kwargs.setdefault("timeout", timeout)
    cap = _positive_env(MAX_RESPONSE_ENV, "256")
    if cap is not None:
        if cap <= 0:
            raise ValidationError(f"{MAX_RESPONSE_ENV} must be more than 0", hint="e.g. 256")
        client_kwargs.setdefault("max_response_mb", cap)
    retries = _positive_env(RETRIES_ENV, "8", integer=True)
    if retries is not None:
        client_kwargs.setdefault("max_retries", int(retries))


def open_client(
    db: Database, connection: Connection, *, interactive: bool | None = None, **client_kwargs: Any
) -> WooClient:
    """A :class:`WooClient` for ``connection``: secrets from the chain, the connection's TLS settings.

    Prompts (hidden) for a missing secret only when stdin is a terminal (or ``interactive=True``).
    """
    from woosync.secrets import resolve_credentials
    from woosync.woo import WooClient

    assert connection.id is not None
    credentials = resolve_credentials(
        connection.id,
        interactive=terminal.stdin_is_terminal() if interactive is None else interactive,
        scope=secrets_scope(db),
    )
    _client_defaults(client_kwargs)
    client_kwargs.setdefault("verify", tls_verify(connection))
    if client_kwargs["verify"] is False:
        _warn_insecure(connection)
    return WooClient(
        connection.store_url,
        credentials.consumer_key,
        credentials.consumer_secret,
        **client_kwargs,
    )


def failure_message(exc: Exception) -> str:
    """``Failed to connect to WooCommerce store: <code>, <message>`` (spec) for a store's own error,
    else the cause on the way (DNS, TLS, redirect, HTML instead of JSON); plus the hint, if any.
    """
    from woosync.woo.errors import WooHTTPError, WooNotJSONError, WooRedirectError

    if isinstance(exc, WooHTTPError) and not isinstance(exc, WooNotJSONError | WooRedirectError):
        text = f"{exc.code}, {exc.message}"
        hint = exc.hint
    elif isinstance(exc, WoosyncError):
        text, hint = exc.message, exc.hint
        text = getattr(exc, "summary", text)
    else:
        text, hint = str(exc), None
    # a store (or a proxy in front of it) may quote what it was sent: never show a secret
    return scrub(f"{FAILURE_PREFIX}{text}" + (f" ({hint})" if hint else ""))


def probe(client: WooClient) -> dict[str, Any]:
    """Ask the store who it is; the spec's test result (success or failure, never raises WooError).

    After a successful read the key's write access is checked without writing anything
    (:meth:`WooClient.write_access`); a key that cannot write still passes, with ``"warnings"``
    saying so (the key is absent when there is nothing to warn about, keeping the spec's shape).
    """
    from woosync.woo.errors import WooError

    try:
        info = client.store_info()
    except WooError as exc:
        log.info("connection test failed: %s", exc)
        return {"success": False, "message": failure_message(exc)}
    result: dict[str, Any] = {
        "success": True,
        "message": SUCCESS_MESSAGE,
        "storeInfo": {
            "wpVersion": info.wp_version,
            "wooVersion": info.woo_version,
            "storeName": info.store_name,
        },
    }
    refused = client.write_access()
    if refused is not None:
        result["warnings"] = [write_warning(refused)]
    return result


def write_warning(exc: Exception) -> str:
    """Why the store will refuse (or may refuse) this key's writes, in one line."""
    from woosync.woo.errors import WooAuthError

    reason = failure_message(exc).removeprefix(FAILURE_PREFIX)
    if isinstance(exc, WooAuthError):
        return f"the key can read but not write: {reason}"
    return f"could not check whether the key can write: {reason}"


def test_connection(
    url: str | None,
    consumer_key: str | None,
    consumer_secret: str | None,
    *,
    verify_tls: bool = True,
    ca_bundle: str | Path | None = None,
    **client_kwargs: Any,
) -> dict[str, Any]:
    """The spec's Test connection: try credentials before saving. ``{"success", "message"...}``."""
    from woosync.woo import WooClient

    store_url = normalize_store_url(url or "")
    key = _valid_secret(consumer_key, "consumer key", required=True)
    secret = _valid_secret(consumer_secret, "consumer secret", required=True)
    bundle = _valid_ca_bundle(ca_bundle)
    if bundle and not verify_tls:
        raise ValidationError(
            "--ca-bundle and --insecure exclude each other", hint="pass only one of them"
        )
    _client_defaults(client_kwargs)
    client_kwargs.setdefault("verify", bundle or verify_tls)
    if client_kwargs["verify"] is False:
        log.warning("TLS certificate verification is OFF for this test of %s", store_url)
    assert key is not None and secret is not None
    with WooClient(store_url, key, secret, **client_kwargs) as client:
        return probe(client)


test_connection.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


def test_saved_connection(
    db: Database,
    ref: int | str | None = None,
    *,
    interactive: bool | None = None,
    **client_kwargs: Any,
) -> dict[str, Any]:
    """The spec's Test connection for a saved connection (``ref``, else the default one)."""
    with db.session() as session:
        conn = connection_or_default(session, ref)
    with open_client(db, conn, interactive=interactive, **client_kwargs) as client:
        return probe(client)


test_saved_connection.__test__ = False  # type: ignore[attr-defined]


def secrets_location(connection_id: int) -> str:
    """Where this connection's secrets are read from, in words (for the human output)."""
    from woosync.secrets import MODE_ENV, env_var, secrets_file, secrets_mode

    variables = env_var(connection_id, "*")
    mode = secrets_mode()
    if mode == "env":
        return f"environment only ({variables}; {MODE_ENV}=env)"
    if mode == "file":
        return f"environment ({variables}), keyring, then {secrets_file()}"
    return f"environment ({variables}), then the keyring (service woosync)"
