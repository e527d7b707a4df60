"""What the connection services return: typed values, never a secret.

``woosync.shapes.connections`` writes them as the spec's camelCase JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from woosync.db.models import Connection

if TYPE_CHECKING:
    from woosync.woo import StoreInfo


@dataclass(frozen=True, slots=True)
class ConnectionView:
    """The spec's connection object."""

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


@dataclass(frozen=True, slots=True)
class ConnectionRemoved:
    """What ``delete_connection`` removed with the connection (its secrets too)."""

    id: int
    store_name: str
    store_url: str
    export_mappings: int
    import_mappings: int
    sync_records: int


@dataclass(frozen=True, slots=True)
class ConnectionTest:
    """The spec's *Test connection* result: a failure is a result, not an exception.

    ``warnings``: a key that can read but perhaps not write still passes, with the reason here.
    """

    success: bool
    message: str
    store_info: StoreInfo | None = None  # who the store says it is, when it answered
    warnings: tuple[str, ...] = ()


def view_of(conn: Connection) -> ConnectionView:
    """The view of a connection row (read while its session is open)."""
    assert conn.id is not None
    return ConnectionView(
        id=conn.id,
        store_name=conn.store_name,
        store_url=conn.store_url,
        is_active=bool(conn.is_active),
        is_default=bool(conn.is_default),
        last_synced_at=conn.last_synced_at,
        created_at=conn.created_at,
        updated_at=conn.updated_at,
    )
