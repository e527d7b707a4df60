"""What the mapping services return: typed values, read from the rows while their session is open.

``woosync.shapes.mappings`` writes them as the spec's camelCase JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypedDict, overload

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

# A mapping's content by the spec's keys (``selectedFields``/``attributeMappings``,
# ``fieldMappings``): the shape of mapping files and of the JSON.
Content = dict[str, Any]
Section = Literal["export", "import", "products"]


class ExportContent(TypedDict):
    """An export mapping's content, as a mapping file's ``export:`` section holds it."""

    selectedFields: list[str]
    fieldMappings: dict[str, str]


class ImportContent(TypedDict):
    """An import mapping's content, as a mapping file's ``import:`` section holds it."""

    attributeMappings: dict[str, str]
    fieldMappings: dict[str, str]


# A store's products selection: {"include"|"exclude": {"skus"|"categories"|...: [names]}}
SelectionContent = dict[str, dict[str, list[str]]]
SectionContent = ExportContent | ImportContent | SelectionContent
PartValue = list[str] | dict[str, str] | SelectionContent | None


def export_content(mapping: ExportMapping) -> ExportContent:
    return {
        "selectedFields": list(mapping.selected_fields),
        "fieldMappings": dict(mapping.field_mappings),
    }


def import_content(mapping: ImportMapping) -> ImportContent:
    return {
        "attributeMappings": dict(mapping.attribute_mappings),
        "fieldMappings": dict(mapping.field_mappings),
    }


@dataclass(frozen=True, slots=True)
class PartChange:
    """One part of a mapping (or the products selection) before and after."""

    before: PartValue
    after: PartValue


@dataclass(frozen=True, slots=True)
class MappingChange:
    """What ``mappings apply`` changes (or, dry run, would change) for one store's section."""

    file: str
    store: str
    connection_id: int
    direction: Section
    action: Literal["create", "update", "activate", "remove"]
    mapping_id: int | None  # None for the products selection, and for a create not yet made
    changes: Mapping[str, PartChange]


@dataclass(frozen=True, slots=True)
class DumpedStore:
    """A store's active mappings and products selection, as ``mappings dump`` writes them.

    ``store`` is how the file names it (its name when that is unique, else its URL); a section
    is None when the store has none (no active mapping; every product).
    """

    store: str
    store_name: str
    store_url: str
    connection_id: int
    export: ExportContent | None
    import_: ImportContent | None
    products: SelectionContent | None

    def section(self, name: Section) -> SectionContent | None:
        if name == "export":
            return self.export
        return self.import_ if name == "import" else self.products


@dataclass(frozen=True, slots=True)
class WrittenFile:
    """A mapping file ``mappings dump -o DIR`` wrote (or left, or overwrote)."""

    file: str
    action: Literal["create", "rewrite", "unchanged", "overwrite"]
    stores: tuple[str, ...]


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
