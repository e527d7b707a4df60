"""``woosync mappings``: keep export and import mappings as YAML files in git (apply / dump)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from woosync.cli import diff_lines as diff
from woosync.cli.context import JsonFlag, app_context

if TYPE_CHECKING:
    from rich.console import Console

    from woosync.services.mappings.views import MappingChange

app = typer.Typer(
    help="Mapping files: make the database match YAML files (apply), or write them (dump).",
    no_args_is_help=True,
)

_VERBS = {
    "create": ("created", "would create"),
    "update": ("updated", "would update"),
    "activate": ("re-activated", "would re-activate"),
    "remove": ("removed", "would remove"),
}
_SIGNS = {
    "create": diff.CREATE,
    "update": diff.CHANGE,
    "activate": diff.CHANGE,
    "remove": diff.DELETE,
}


def change_lines(change: MappingChange, dry_run: bool) -> list[str]:
    """One mapping's change, terraform-style: a headline (``~ would update export mapping 3 for
    'Retail' (retail.yaml)``), then each value that changes (:func:`diff_lines.part_lines`)."""
    verb = _VERBS[change.action][1 if dry_run else 0]
    number = f" {change.mapping_id}" if change.mapping_id is not None else ""
    thing = (
        "the products selection"
        if change.direction == "products"
        else f"{change.direction} mapping{number}"
    )
    lines = [f"{_SIGNS[change.action]} {verb} {thing} for {change.store!r} ({change.file})"]
    for part, values in change.changes.items():  # the selection's: products.include.skus ...
        lines += diff.part_lines(part, values.before, values.after)
    return lines


def _render_changes(changes: list[MappingChange], dry_run: bool) -> Callable[[Console], None]:
    def show(console: Console) -> None:
        if not changes:
            console.print("no changes", highlight=False)
            return
        for change in changes:
            for line in change_lines(change, dry_run):
                console.print(line, markup=False, highlight=False, soft_wrap=True)

    return show


@app.command("apply")
def apply_command(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Mapping files (YAML).", show_default=False)],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; change nothing.")
    ] = False,
    json_flag: JsonFlag = False,
) -> None:
    """Make the active mappings match the files (all files or none; a second run changes nothing)."""
    from woosync.files.mapping_files import load_mapping_files
    from woosync.services.mappings.documents import apply_mapping_documents
    from woosync.shapes.mappings import change_json

    state = app_context(ctx, json_flag)
    documents = load_mapping_files(files)  # every file is read and checked before the database
    with state.db(create=not dry_run).session() as session:
        changes = apply_mapping_documents(session, documents, dry_run=dry_run)
        if dry_run:
            session.rollback()
    if dry_run:
        state.output.info("dry run: nothing was changed")
    data = [change_json(change) for change in changes]
    state.output.emit(data, human=_render_changes(changes, dry_run))


@app.command("dump")
def dump_command(
    ctx: typer.Context,
    connection: Annotated[
        str | None,
        typer.Option(
            "--connection",
            "-c",
            help="Only this connection (id, name or URL); default: every connection.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        str,
        typer.Option(
            "--output",
            "-o",
            help="A directory to write the files into (each store's mappings go back to the file "
            "'mappings apply' read them from), or - for stdout.",
        ),
    ] = "-",
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Overwrite files woosync did not write (or that were edited since)."
        ),
    ] = False,
    json_flag: JsonFlag = False,
) -> None:
    """Write YAML mapping files that reproduce the active mappings (dump then apply changes nothing)."""
    from woosync.services.connections.lookup import get_connection
    from woosync.services.mappings.documents import dump_active_mappings
    from woosync.services.mappings.dump_files import render_store, write_mapping_files
    from woosync.shapes.mappings import dumped_json, written_json

    state = app_context(ctx, json_flag)
    if output == "-":
        with state.db(create=False).session() as session:
            dumped = dump_active_mappings(session, connection)
        if not dumped:
            state.output.warn("no active mappings to dump")
        document = "---\n".join(render_store(item) for item in dumped)
        state.output.emit(
            [dumped_json(item) for item in dumped],
            human=lambda console: console.print(
                document, end="", markup=False, highlight=False, emoji=False, soft_wrap=True
            ),
        )
        return
    with state.db().session() as session:
        only = get_connection(session, connection).id if connection is not None else None
        dumped = dump_active_mappings(session)  # a file may hold several stores: all of them
        written = write_mapping_files(session, output, dumped, only=only, force=force)
    if not written:
        state.output.warn("no active mappings to dump")

    def show(console: Console) -> None:
        for entry in written:
            line = f"{entry.file} ({entry.action})"
            console.print(line, markup=False, highlight=False)

    state.output.emit([written_json(entry) for entry in written], human=show)
