"""What the mapping services return: typed values, read from the rows while their session is open.

``woosync.shapes.mappings`` writes them as the spec's camelCase JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import overload

from woosync.db.models import ExportMapping, ImportMapping


@dataclass(frozen=True, slots=True)
class ExportMappingView:
    """The spec's export mapping: which local fields go to the store, and to which WooCommerce
    fields or ``pa_`` attributes."""

    id: int
    connection_id: int
    selected_fields: tuple[str, ...]
    field_mappings: Mapping[str, str]
    is_active: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ImportMappingView:
    """The spec's import mapping: where the store's attributes and fields land locally."""

    id: int
    connection_id: int
    attribute_mappings: Mapping[str, str]
    field_mappings: Mapping[str, str]
    is_active: bool
    created_at: datetime
    updated_at: datetime


MappingView = ExportMappingView | ImportMappingView


@overload
def view_of(mapping: ExportMapping) -> ExportMappingView: ...
@overload
def view_of(mapping: ImportMapping) -> ImportMappingView: ...
def view_of(mapping: ExportMapping | ImportMapping) -> MappingView:
    """The view of a mapping row (its content copied)."""
    assert mapping.id is not None
    if isinstance(mapping, ExportMapping):
        return ExportMappingView(
            id=mapping.id,
            connection_id=mapping.connection_id,
            selected_fields=tuple(mapping.selected_fields),
            field_mappings=dict(mapping.field_mappings),
            is_active=bool(mapping.is_active),
            created_at=mapping.created_at,
            updated_at=mapping.updated_at,
        )
    return ImportMappingView(
        id=mapping.id,
        connection_id=mapping.connection_id,
        attribute_mappings=dict(mapping.attribute_mappings),
        field_mappings=dict(mapping.field_mappings),
        is_active=bool(mapping.is_active),
        created_at=mapping.created_at,
        updated_at=mapping.updated_at,
    )
