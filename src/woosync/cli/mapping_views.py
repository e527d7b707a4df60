"""Human views of export and import mappings (the JSON is :mod:`woosync.shapes.mappings`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from woosync.core.timeutil import iso

if TYPE_CHECKING:
    from rich.console import Console

    from woosync.cli.render import Output
    from woosync.services.mappings import MappingView


def _pairs_text(pairs: Mapping[str, str]) -> str:
    return ", ".join(f"{key} → {value}" for key, value in pairs.items()) or "(none)"


def _content_column(view: MappingView) -> tuple[str, str]:
    """The part that tells the directions apart: (label, text)."""
    from woosync.services.mappings import ExportMappingView

    if isinstance(view, ExportMappingView):
        return "selected fields", ", ".join(view.selected_fields)
    return "attribute mappings", _pairs_text(view.attribute_mappings)


def render_mapping(view: MappingView | None) -> Callable[[Console], None]:
    """Human view of one export or import mapping."""
    from woosync.services.mappings import ExportMappingView

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


def render_mapping_list(output: Output, views: Sequence[MappingView]) -> Callable[[Console], None]:
    """Human table of a connection's mappings of one direction."""

    def show(console: Console) -> None:
        if not views:
            output.info("no mappings")
            return
        content_label = _content_column(views[0])[0]
        columns = ["id", "active", content_label, "field mappings", "updated"]
        rows = [
            [
                view.id,
                "yes" if view.is_active else "no",
                _content_column(view)[1],
                _pairs_text(view.field_mappings),
                iso(view.updated_at),
            ]
            for view in views
        ]
        console.print(output.table(columns, rows))

    return show
