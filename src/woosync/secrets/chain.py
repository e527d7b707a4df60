"""The secret chain: where a connection's consumer key, consumer secret and webhook secret come from.

Reading, per secret, first hit wins:
1. the per-connection environment variables ``WOOSYNC_CONN_<ID>_CONSUMER_KEY``,
   ``WOOSYNC_CONN_<ID>_CONSUMER_SECRET``, ``WOOSYNC_CONN_<ID>_WEBHOOK_SECRET``;
2. the OS keyring (service ``woosync``), unless ``WOOSYNC_SECRETS=env``;
3. the opt-in file store (``secrets.json``, mode 0600, in the data directory) when
   ``WOOSYNC_SECRETS=file``;
4. a hidden prompt, only when the caller says the session is interactive.

Writing goes to exactly one place, chosen by ``WOOSYNC_SECRETS`` or else the ``secrets`` setting
(``woosync config set secrets file``, :mod:`woosync.core.settings`): ``keyring`` (the default),
``file``, or ``env`` (nothing is stored; the variables above must be set at run time). There is no
silent fallback to plaintext: a keyring that cannot keep secrets is an error that says what to do.
"""

from __future__ import annotations

import getpass
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass

from woosync.core.errors import SecretsError
from woosync.core.logging import register_credentials, register_secret
from woosync.secrets import backends

MODE_ENV = "WOOSYNC_SECRETS"
MODES = ("keyring", "file", "env")
SET_FILE_MODE = "woosync config set secrets file"  # the file store, for every later run
FIELDS = ("consumer_key", "consumer_secret", "webhook_secret")
REQUIRED_FIELDS = ("consumer_key", "consumer_secret")
log = logging.getLogger("woosync.secrets")

LABELS = {
    "consumer_key": "consumer key",
    "consumer_secret": "consumer secret",
    "webhook_secret": "webhook secret",
}


@dataclass(frozen=True)
class Credentials:
    """A connection's secrets. ``repr`` never shows them."""

    consumer_key: str
    consumer_secret: str
    webhook_secret: str | None = None

    def __repr__(self) -> str:
        webhook = "None" if self.webhook_secret is None else "'<hidden>'"
        return (
            "Credentials(consumer_key='<hidden>', consumer_secret='<hidden>', "
            f"webhook_secret={webhook})"
        )

    __str__ = __repr__


def secrets_mode() -> str:
    """``keyring`` (default), ``file`` or ``env``: ``WOOSYNC_SECRETS``, else the ``secrets``
    setting of the config file (``woosync config set secrets file``)."""
    from woosync.core import settings
    from woosync.core.errors import ValidationError

    try:
        mode = str(settings.get("secrets"))
    except ValidationError as exc:
        raise SecretsError(exc.message, hint=exc.hint) from None
    assert mode in MODES
    return mode


def env_var(connection_id: int, field: str) -> str:
    """``WOOSYNC_CONN_3_CONSUMER_KEY`` for connection 3's consumer key."""
    return f"WOOSYNC_CONN_{connection_id}_{field.upper()}"


def secrets_location(connection_id: int) -> str:
    """Where this connection's secrets are read from, in words (``connections show``); reads no
    secret."""
    variables = env_var(connection_id, "*")
    mode = secrets_mode()
    if mode == "env":
        return f"environment only ({variables}; {MODE_ENV}=env)"
    if mode == "file":
        return f"environment ({variables}), keyring, then {backends.secrets_file()}"
    return f"environment ({variables}), then the keyring (service woosync)"


def keyring_username(connection_id: int, field: str, scope: str | None = None) -> str:
    """``connection:3:consumer_key``, plus ``@<scope>`` (the database file) when given.

    The scope keeps two databases (a demo, a second catalog) from reading or overwriting each
    other's secrets when their connection ids coincide.
    """
    name = f"connection:{connection_id}:{field}"
    return f"{name}@{scope}" if scope else name


def _store_command(connection_id: int, mode: str | None = None) -> str:
    """The command that stores a connection's key and secret without needing a terminal."""
    prefix = f"{MODE_ENV}={mode} " if mode else ""
    return (
        f'printf \'%s\\n%s\\n\' "$KEY" "$SECRET" | '
        f"{prefix}woosync connections update {connection_id} --secrets-from-stdin"
    )


def _headless_hint(connection_id: int) -> str:
    return (
        f"set {env_var(connection_id, 'consumer_key')} and "
        f"{env_var(connection_id, 'consumer_secret')}; or keep them in the 0600 file store: "
        f"run '{SET_FILE_MODE}' (or set {MODE_ENV}=file), then {_store_command(connection_id)}; "
        "or install a keyring backend (e.g. Secret Service, keyrings.alt)"
    )


def _in_file_store(username: str) -> bool:
    try:
        return backends.file_get(username) is not None
    except SecretsError:
        return False


def check_writable() -> str:
    """The store new secrets would go to; raises when it cannot keep them (before any write)."""
    mode = secrets_mode()
    if mode == "keyring":
        problem = backends.keyring_problem()
        if problem:
            raise SecretsError(
                f"cannot store secrets: {problem}",
                hint=(
                    f"opt in to the 0600 file store with '{SET_FILE_MODE}' (or {MODE_ENV}=file), "
                    f"or keep no secrets with "
                    f"{MODE_ENV}=env and set WOOSYNC_CONN_<ID>_CONSUMER_KEY / _CONSUMER_SECRET at "
                    "run time, or install a keyring backend (e.g. Secret Service, keyrings.alt)"
                ),
            )
    return mode


def read_secret(connection_id: int, field: str, *, scope: str | None = None) -> str | None:
    """One secret from the chain (environment, keyring, file store), or ``None``."""
    if field not in FIELDS:
        raise ValueError(f"unknown secret field {field!r}")
    mode = secrets_mode()
    value = os.environ.get(env_var(connection_id, field)) or None
    source = env_var(connection_id, field)
    username = keyring_username(connection_id, field, scope)
    if value is None and mode != "env" and backends.keyring_usable():
        source = "keyring"
        try:
            value = backends.keyring_get(username)
        except SecretsError:
            if mode == "keyring":
                raise
    if value is None and mode == "file":
        source = "file store"
        value = backends.file_get(username)
    register_secret(value)
    log.debug(
        "%s for connection %s: %s", field, connection_id, f"from {source}" if value else "not found"
    )
    return value


def resolve_credentials(
    connection_id: int, *, interactive: bool, scope: str | None = None
) -> Credentials:
    """The connection's secrets in the documented order; prompts (hidden) only if ``interactive``.

    Raises :class:`SecretsError` naming the variables to set when a required secret is missing.
    """
    values: dict[str, str | None] = {
        field: read_secret(connection_id, field, scope=scope) for field in FIELDS
    }
    for field in REQUIRED_FIELDS:
        if values[field]:
            continue
        if interactive:
            entered = getpass.getpass(
                f"{LABELS[field].capitalize()} for connection {connection_id}: "
            )
            entered = entered.strip()
            if entered:
                register_secret(entered)
                values[field] = entered
                continue
        raise _missing(connection_id, field, scope)
    register_credentials(values["consumer_key"], values["consumer_secret"])
    return Credentials(
        consumer_key=values["consumer_key"] or "",
        consumer_secret=values["consumer_secret"] or "",
        webhook_secret=values["webhook_secret"],
    )


def _missing(connection_id: int, field: str, scope: str | None = None) -> SecretsError:
    mode = secrets_mode()
    what = f"no {LABELS[field]} for connection {connection_id}"
    variable = env_var(connection_id, field)
    if mode == "keyring" and _in_file_store(keyring_username(connection_id, field, scope)):
        return SecretsError(
            f"{what} in the environment or the keyring, but the secrets file holds them: "
            f"run '{SET_FILE_MODE}'",
            hint=f"or set {MODE_ENV}=file for every run that uses the file store",
        )
    if mode == "keyring" and (problem := backends.keyring_problem()):
        return SecretsError(f"{what}: {problem}", hint=_headless_hint(connection_id))
    if mode == "env":
        return SecretsError(
            f"{what}: {variable} is not set ({MODE_ENV}=env keeps no secrets)",
            hint=f"set {variable}",
        )
    return SecretsError(
        f"{what} in the environment or the {mode}",
        hint=(
            f"set {variable}, or store the key and secret with "
            f"'woosync connections update {connection_id} --prompt-secrets' on a terminal, or "
            f"without one: {_store_command(connection_id)}"
        ),
    )


def store_secrets(
    connection_id: int, values: Mapping[str, str | None], *, scope: str | None = None
) -> str:
    """Write (a value) or remove (``None``) the given secrets; returns where they went.

    ``keyring`` / ``file`` name the store; ``env`` means nothing was stored (``WOOSYNC_SECRETS=env``).
    """
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown secret fields {sorted(unknown)}")
    for value in values.values():
        register_secret(value)
    mode = check_writable()
    usernames = {keyring_username(connection_id, f, scope): v for f, v in values.items()}
    if mode == "keyring":
        for username, value in usernames.items():
            if value is None:
                backends.keyring_delete(username)
            else:
                backends.keyring_set(username, value)
    elif mode == "file":
        backends.file_update(usernames)
        if backends.keyring_usable():  # an older keyring copy would shadow the file
            for username in usernames:
                backends.keyring_delete(username)
    log.debug("stored %s for connection %s (%s)", ", ".join(values), connection_id, mode)
    return mode


def delete_secrets(connection_id: int, *, scope: str | None = None) -> None:
    """Remove every stored secret of a connection from the keyring and the file store."""
    usernames = [keyring_username(connection_id, field, scope) for field in FIELDS]
    if backends.keyring_usable():
        for username in usernames:
            backends.keyring_delete(username)
    elif secrets_mode() == "keyring":
        log.warning(
            "the keyring is not available (%s); any secrets it keeps for connection %s stay there",
            backends.keyring_problem(),
            connection_id,
        )
    backends.file_update(dict.fromkeys(usernames))
