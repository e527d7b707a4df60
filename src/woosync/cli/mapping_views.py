"""Human views of export and import mappings (the JSON is :mod:`woosync.shapes.mappings`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from woosync.cli.formats import Column, Listing
from woosync.core.timeutil import iso

if TYPE_CHECKING:
    from rich.console import Console

    from woosync.services.mappings.views import MappingView


def _pairs_text(pairs: Mapping[str, str]) -> str:
    return ", ".join(f"{key} → {value}" for key, value in pairs.items()) or "(none)"


def _content_column(view: MappingView) -> tuple[str, str]:
    """The part that tells the directions apart: (label, text)."""
    from woosync.services.mappings.views import ExportMappingView

    if isinstance(view, ExportMappingView):
        return "selected fields", ", ".join(view.selected_fields)
    return "attribute mappings", _pairs_text(view.attribute_mappings)


def render_mapping(view: MappingView | None) -> Callable[[Console], None]:
    """Human view of one export or import mapping."""
    from woosync.services.mappings.views import ExportMappingView

    def show(console: Console) -> None:
        if view is None:
            return
        direction = "export" if isinstance(view, ExportMappingView) else "import"
        state = "active" if view.is_active else "inactive"
        console.print(
            f"{direction} mapping {view.id} · connection {view.connection_id} · {state}",
            markup=False,
            highlight=False,
        )
        rows = [
            _content_column(view),
            ("field mappings", _pairs_text(view.field_mappings)),
            ("updated", str(iso(view.updated_at))),
        ]
        for label, value in rows:
            console.print(f"  {label:<19} {value}", markup=False, highlight=False)

    return show


def _content_value(view: MappingView) -> object:
    """The content column's value in csv/tsv (compact JSON there): a list or an object."""
    from woosync.services.mappings.views import ExportMappingView

    if isinstance(view, ExportMappingView):
        return list(view.selected_fields)
    return dict(view.attribute_mappings)


def mapping_listing(views: Sequence[MappingView], direction: str) -> Listing[MappingView]:
    """A connection's mappings of one ``direction`` (export or import) as a listing in any
    ``--format`` (the JSON is :func:`woosync.shapes.mappings.mapping_json` of each); the header
    is the direction's even when there are no mappings."""
    from woosync.shapes.mappings import mapping_json

    exporting = direction == "export"
    content = "selected fields" if exporting else "attribute mappings"
    key = "selectedFields" if exporting else "attributeMappings"
    columns: list[Column[MappingView]] = [
        Column("id", "id", lambda view: view.id),
        Column("active", "isActive", lambda view: view.is_active),
        Column(content, key, _content_value, human=lambda view: _content_column(view)[1]),
        Column(
            "field mappings",
            "fieldMappings",
            lambda view: dict(view.field_mappings),
            human=lambda view: _pairs_text(view.field_mappings),
        ),
        Column("updated", "updatedAt", lambda view: iso(view.updated_at), drop=1),
    ]
    return Listing(
        columns,
        views,
        json_of=mapping_json,
        id_of=lambda view: view.id,
        empty="No mappings.",
        what="mappings",
    )
