"""A connection's TLS settings: verify the store's certificate (default), against a CA bundle,
or not at all (insecure: warned about on every use)."""

from __future__ import annotations

import logging
from pathlib import Path

from woosync.core.errors import ValidationError, param
from woosync.db.models import Connection

log = logging.getLogger("woosync.connections")


def valid_ca_bundle(path: str | Path | None) -> str | None:
    """The CA bundle's absolute path; it must be a file."""
    if path is None:
        return None
    resolved = Path(path).expanduser().resolve()
    if not resolved.is_file():
        raise ValidationError(
            f"the CA bundle {resolved} does not exist or is not a file",
            hint="pass the path of a PEM file with the store's certificate chain",
        )
    return str(resolved)


def tls_choice(ca_bundle: str | Path | None, verify_tls: bool) -> str | None:
    """The checked CA bundle of a new address (``add``, ``test --url``), which excludes
    ``verify_tls=False``."""
    bundle = valid_ca_bundle(ca_bundle)
    if bundle and not verify_tls:
        raise ValidationError(
            f"{param('ca_bundle')} and {param('insecure')} exclude each other",
            hint="pass only one of them",
        )
    return bundle


def tls_verify(conn: Connection) -> bool | str:
    """What to give the client as ``verify``: the CA bundle path, ``False`` (insecure) or ``True``."""
    if conn.ca_bundle:
        return conn.ca_bundle
    return bool(conn.verify_tls)


def warn_insecure(conn: Connection) -> None:
    log.warning(
        "TLS certificate verification is OFF for connection %s (%s); anyone on the network path "
        "can read and change this traffic. Turn it back on with "
        "'woosync connections update %s --verify-tls'",
        conn.id,
        conn.store_url,
        conn.id,
    )
