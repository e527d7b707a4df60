"""The spec's *Test connection* (ARCHITECTURE.md, operations table): ask a store who it is with
given credentials (before saving them) or a saved connection's; a failure is a result."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from woosync.core.errors import WoosyncError
from woosync.core.logging import scrub
from woosync.core.store_urls import normalize_store_url
from woosync.services.connections.client import client_defaults, open_client
from woosync.services.connections.lookup import connection_or_default
from woosync.services.connections.tls import tls_choice
from woosync.services.connections.validate import valid_secret
from woosync.services.connections.views import ConnectionTest
from woosync.woo import WooClient
from woosync.woo.errors import (
    WooAuthError,
    WooError,
    WooHTTPError,
    WooNotJSONError,
    WooRedirectError,
)

if TYPE_CHECKING:
    from woosync.db.engine import Database

SUCCESS_MESSAGE = "Connection successful"
FAILURE_PREFIX = "Failed to connect to WooCommerce store: "

log = logging.getLogger("woosync.connections")


def failure_message(exc: Exception) -> str:
    """``Failed to connect to WooCommerce store: <code>, <message>`` (spec) for a store's own error,
    else the cause on the way (DNS, TLS, redirect, HTML instead of JSON); plus the hint, if any.
    """
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


def write_warning(exc: Exception) -> str:
    """Why the store will refuse (or may refuse) this key's writes, in one line."""
    reason = failure_message(exc).removeprefix(FAILURE_PREFIX)
    if isinstance(exc, WooAuthError):
        return f"the key can read but not write: {reason}"
    return f"could not check whether the key can write: {reason}"


def probe(client: WooClient) -> ConnectionTest:
    """Ask the store who it is; the test result (success or failure, never raises WooError).

    After a successful read the key's write access is checked without writing anything
    (:meth:`WooClient.write_access`); a key that cannot write still passes, with a warning.
    """
    try:
        info = client.store_info()
    except WooError as exc:
        log.info("connection test failed: %s", exc)
        return ConnectionTest(success=False, message=failure_message(exc))
    refused = client.write_access()
    return ConnectionTest(
        success=True,
        message=SUCCESS_MESSAGE,
        store_info=info,
        warnings=() if refused is None else (write_warning(refused),),
    )


def test_connection(
    url: str | None,
    consumer_key: str | None,
    consumer_secret: str | None,
    *,
    verify_tls: bool = True,
    ca_bundle: str | Path | None = None,
    **client_kwargs: Any,
) -> ConnectionTest:
    """The spec's *Test connection*: try credentials before saving them."""
    store_url = normalize_store_url(url or "")
    key = valid_secret(consumer_key, "consumer key", required=True)
    secret = valid_secret(consumer_secret, "consumer secret", required=True)
    bundle = tls_choice(ca_bundle, verify_tls)
    client_defaults(client_kwargs)
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
) -> ConnectionTest:
    """The spec's *Test connection* for a saved connection (``ref``, else the default one)."""
    with db.session() as session:
        conn = connection_or_default(session, ref)
    with open_client(db, conn, interactive=interactive, **client_kwargs) as client:
        return probe(client)


test_saved_connection.__test__ = False  # type: ignore[attr-defined]
