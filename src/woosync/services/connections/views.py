"""What the connection services return: typed values, never a secret.

``woosync.shapes.connections`` writes them as the spec's camelCase JSON. The connection object
and its details are defined in :mod:`woosync.db.quick_read`, which reads them without SQLAlchemy
for the commands that only read connections.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from woosync.db.models import Connection
from woosync.db.quick_read import ConnectionDetails, ConnectionView

if TYPE_CHECKING:
    from woosync.woo import StoreInfo

__all__ = [
    "ConnectionDetails",
    "ConnectionRemoved",
    "ConnectionTest",
    "ConnectionView",
    "view_of",
]


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
