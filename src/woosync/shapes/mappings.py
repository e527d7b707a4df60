"""The spec's JSON of export and import mappings."""

from __future__ import annotations

from typing import Any

from woosync.core.timeutil import iso
from woosync.services.mappings import ExportMappingView, MappingView


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
