"""The spec's JSON of connections: the connection object, a removal, a connection test."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from woosync.core.timeutil import iso

if TYPE_CHECKING:  # for types only: the connection services load SQLAlchemy (db/quick_read.py)
    from woosync.services.connections.views import ConnectionRemoved, ConnectionTest, ConnectionView


def connection_json(view: ConnectionView) -> dict[str, Any]:
    """The spec's connection object: camelCase keys, ISO-8601 UTC timestamps, never a secret."""
    return {
        "id": view.id,
        "storeName": view.store_name,
        "storeUrl": view.store_url,
        "isActive": view.is_active,
        "isDefault": view.is_default,
        "lastSyncedAt": iso(view.last_synced_at),
        "createdAt": iso(view.created_at),
        "updatedAt": iso(view.updated_at),
    }


def removed_json(removed: ConnectionRemoved) -> dict[str, Any]:
    """What ``connections remove --json`` prints: the connection and what went with it."""
    return {
        "id": removed.id,
        "storeName": removed.store_name,
        "storeUrl": removed.store_url,
        "deleted": True,
        "exportMappings": removed.export_mappings,
        "importMappings": removed.import_mappings,
        "syncRecords": removed.sync_records,
    }


def connection_test_json(result: ConnectionTest) -> dict[str, Any]:
    """The spec's test result: ``{success, message}``, with ``storeInfo`` after a success and
    ``warnings`` only when there is something to warn about (keeping the spec's shape)."""
    data: dict[str, Any] = {"success": result.success, "message": result.message}
    if result.store_info is not None:
        info = result.store_info
        data["storeInfo"] = {
            "wpVersion": info.wp_version,
            "wooVersion": info.woo_version,
            "storeName": info.store_name,
        }
    if result.warnings:
        data["warnings"] = list(result.warnings)
    return data
