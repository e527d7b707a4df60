"""The spec's JSON of export and import mappings."""

from __future__ import annotations

from typing import Any

from woosync.core.timeutil import iso
from woosync.services.mappings.views import (
    DumpedStore,
    ExportMappingView,
    MappingChange,
    MappingView,
    WrittenFile,
)


def mapping_json(view: MappingView) -> dict[str, Any]:
    """The spec's export or import mapping object (camelCase keys, ``...000Z`` timestamps)."""
    content: dict[str, Any]
    if isinstance(view, ExportMappingView):
        content = {"selectedFields": list(view.selected_fields)}
    else:
        content = {"attributeMappings": dict(view.attribute_mappings)}
    return {
        "id": view.id,
        "connectionId": view.connection_id,
        **content,
        "fieldMappings": dict(view.field_mappings),
        "isActive": view.is_active,
        "createdAt": iso(view.created_at),
        "updatedAt": iso(view.updated_at),
    }


def change_json(change: MappingChange) -> dict[str, Any]:
    """One change of ``mappings apply --json``; ``changes``: ``{part: {"from": old, "to": new}}``."""
    return {
        "file": change.file,
        "store": change.store,
        "connectionId": change.connection_id,
        "direction": change.direction,
        "action": change.action,
        "mappingId": change.mapping_id,
        "changes": {
            part: {"from": values.before, "to": values.after}
            for part, values in change.changes.items()
        },
    }


def dumped_json(item: DumpedStore) -> dict[str, Any]:
    """One store of ``mappings dump --json``: its mapping file's sections (None when absent)."""
    return {
        "store": item.store,
        "storeName": item.store_name,
        "storeUrl": item.store_url,
        "connectionId": item.connection_id,
        "export": item.export,
        "import": item.import_,
        "products": item.products,
    }


def written_json(written: WrittenFile) -> dict[str, Any]:
    """One file of ``mappings dump -o DIR --json``."""
    return {"file": written.file, "action": written.action, "stores": list(written.stores)}
