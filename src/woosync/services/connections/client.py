"""The client factory: a :class:`~woosync.woo.WooClient` for a saved connection, with its
secrets from the chain, its TLS settings, and the client settings the environment may change."""

from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING, Any

from woosync import woo
from woosync.core import settings, terminal
from woosync.core.errors import ValidationError
from woosync.db.models import Connection
from woosync.secrets import resolve_credentials
from woosync.services.connections.credentials import secrets_scope
from woosync.services.connections.tls import tls_verify, warn_insecure

if TYPE_CHECKING:
    from woosync.db.engine import Database
    from woosync.woo.client import WooClient

MAX_RESPONSE_ENV = "WOOSYNC_MAX_RESPONSE_MB"  # cap on one answer's body (the client's default: 64)
RETRIES_ENV = "WOOSYNC_RETRIES"  # retries of a transient failure per call (the client's default: 4)


def client_timeout() -> float | None:
    """Seconds to wait for a store's answer: ``WOOSYNC_TIMEOUT``, else the ``timeout`` setting
    (``woosync config set timeout 60``), else ``None`` for the client's default."""
    found = settings.value("timeout")
    return None if found.source == "default" else float(found.value)


def _positive_env(name: str, example: str, *, integer: bool = False) -> float | None:
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


def client_defaults(client_kwargs: dict[str, Any]) -> None:
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
    assert connection.id is not None
    credentials = resolve_credentials(
        connection.id,
        interactive=terminal.stdin_is_terminal() if interactive is None else interactive,
        scope=secrets_scope(db),
    )
    client_defaults(client_kwargs)
    client_kwargs.setdefault("verify", tls_verify(connection))
    if client_kwargs["verify"] is False:
        warn_insecure(connection)
    # ``woo.WooClient`` loads the HTTP stack on first use: a run that sends nothing never does
    return woo.WooClient(
        connection.store_url,
        credentials.consumer_key,
        credentials.consumer_secret,
        **client_kwargs,
    )
