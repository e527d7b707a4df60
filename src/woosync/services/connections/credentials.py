"""Where a connection's secrets are kept (the secret chain, :mod:`woosync.secrets`, keyed by the
connection id and the database file), and the warnings about what the chain will and will not do."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from woosync.core import settings
from woosync.secrets import FIELDS, MODE_ENV, env_var

if TYPE_CHECKING:
    from woosync.db.engine import Database

log = logging.getLogger("woosync.connections")


def secrets_scope(db: Database) -> str:
    """What keeps this database's keyring entries apart from another database's."""
    return str(Path(db.path).expanduser().resolve())


def warn_where_kept(connection_id: int, kept_in: str) -> None:
    """After :func:`woosync.secrets.store_secrets`: warn when the secrets were not kept where later
    commands will look (``kept_in``: what it returned)."""
    if kept_in == "env":
        _warn_not_stored(connection_id)
    elif kept_in == "file":
        _warn_file_store_not_kept()


def _warn_file_store_not_kept() -> None:
    """``WOOSYNC_SECRETS=file`` for this one command: later ones would look in the keyring."""
    if settings.value("secrets").source == "env" and settings.read_file().get("secrets") != "file":
        log.warning(
            "the secrets went to the file store because WOOSYNC_SECRETS=file is set; run "
            "'woosync config set secrets file' so that later commands find them without it"
        )


def _warn_not_stored(connection_id: int) -> None:
    """``WOOSYNC_SECRETS=env`` keeps nothing: say so, and which variables every run needs."""
    log.warning(
        "%s=env: the consumer key and secret were not stored; every run that uses connection %s "
        "needs %s and %s set",
        MODE_ENV,
        connection_id,
        env_var(connection_id, "consumer_key"),
        env_var(connection_id, "consumer_secret"),
    )


def warn_environment_overrides(connection_id: int) -> None:
    """SQLite hands a removed connection's id out again, and ``WOOSYNC_CONN_<ID>_*`` win over the
    stored secrets: variables left from an old connection would go to this store instead."""
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
