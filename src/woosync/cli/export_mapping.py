"""``woosync export-mapping``: which fields go to a store and where (spec operations 8-12)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from woosync.cli.context import JsonFlag, YesFlag, app_context
from woosync.cli.mapping_options import (
    ConnectionArg,
    MapOption,
    MappingIdArg,
    confirm_delete,
    parse_fields,
    parse_pairs,
    render_mapping,
    render_mapping_list,
)
from woosync.core.errors import ValidationError

app = typer.Typer(
    help="Export mappings: the fields sent to a store and the WooCommerce fields they go to.",
    no_args_is_help=True,
)

FieldsOption = Annotated[
    str | None,
    typer.Option(
        "--fields",
        help="Comma-separated fields to export; must include name and sku "
        "(e.g. name,sku,price,COLOR).",
        show_default=False,
    ),
]


@app.command("create")
def create_command(
    ctx: typer.Context,
    connection: Annotated[
        str | None,
        typer.Argument(
            help="Connection id, store name or URL (with --file: defaults to the file's store).",
            show_default=False,
        ),
    ] = None,
    fields: FieldsOption = None,
    maps: MapOption = None,
    inactive: Annotated[
        bool, typer.Option("--inactive", help="Create it without making it the active one.")
    ] = False,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="Take the fields and mappings from a mapping file's export:."),
    ] = None,
    json_flag: JsonFlag = False,
) -> None:
    """Create an export mapping (it becomes the active one unless --inactive)."""
    from woosync.services import mappings

    state = app_context(ctx, json_flag)
    if file is not None:
        if fields is not None or maps:
            raise ValidationError("use either --file or --fields/--map, not both")
        from woosync.files.mapping_files import load_mapping_files

        documents = load_mapping_files([file])
        with state.store().session() as session:
            created = mappings.create_mapping_from_documents(
                session, "export", documents, connection, is_active=not inactive
            )
            data = mappings.export_mapping_to_dict(created)  # type: ignore[arg-type]
    else:
        if connection is None or fields is None:
            raise ValidationError(
                "give CONNECTION and --fields (or --file FILE.yaml)",
                hint="e.g. woosync export-mapping create 1 --fields name,sku,price",
            )
        selected, field_maps = parse_fields(fields), parse_pairs(maps, "--map")
        with state.store().session() as session:
            created = mappings.create_export_mapping(
                session, connection, selected, field_maps, is_active=not inactive
            )
            data = mappings.export_mapping_to_dict(created)
    state.output.success(f"created export mapping {data['id']}")
    state.output.emit(data, human=render_mapping(data))


@app.command("list")
def list_command(
    ctx: typer.Context, connection: ConnectionArg, json_flag: JsonFlag = False
) -> None:
    """List a connection's export mappings."""
    from woosync.services import mappings

    state = app_context(ctx, json_flag)
    with state.store().session() as session:
        items = [
            mappings.export_mapping_to_dict(m)
            for m in mappings.list_export_mappings(session, connection)
        ]
    state.output.emit(items, human=render_mapping_list(state.output, items))


@app.command("active")
def active_command(
    ctx: typer.Context, connection: ConnectionArg, json_flag: JsonFlag = False
) -> None:
    """Show the active export mapping (nothing, or JSON null, when there is none)."""
    from woosync.services import mappings

    state = app_context(ctx, json_flag)
    with state.store().session() as session:
        found = mappings.active_export_mapping(session, connection)
        data = mappings.export_mapping_to_dict(found) if found is not None else None
    if data is None:
        state.output.info("no active export mapping")
    state.output.emit(data, human=render_mapping(data))


@app.command("update")
def update_command(
    ctx: typer.Context,
    mapping_id: MappingIdArg,
    fields: FieldsOption = None,
    maps: MapOption = None,
    clear_maps: Annotated[
        bool, typer.Option("--clear-maps", help="Drop the current field mappings first.")
    ] = False,
    active: Annotated[
        bool | None,
        typer.Option(
            "--active/--inactive",
            help="Make it the active mapping (deactivating the others), or deactivate it.",
            show_default=False,
        ),
    ] = None,
    json_flag: JsonFlag = False,
) -> None:
    """Change an export mapping; --map adds to or overrides its current field mappings."""
    from woosync.services import mappings

    state = app_context(ctx, json_flag)
    given = parse_pairs(maps, "--map")
    with state.store().session() as session:
        updated = mappings.update_export_mapping(
            session,
            mapping_id,
            selected_fields=parse_fields(fields) if fields is not None else None,
            field_mappings=given if clear_maps else None,
            merge_field_mappings=given if given and not clear_maps else None,
            is_active=active,
        )
        data = mappings.export_mapping_to_dict(updated)
    state.output.success(f"updated export mapping {mapping_id}")
    state.output.emit(data, human=render_mapping(data))


@app.command("delete")
def delete_command(
    ctx: typer.Context, mapping_id: MappingIdArg, yes: YesFlag = False, json_flag: JsonFlag = False
) -> None:
    """Delete an export mapping."""
    from woosync.services import mappings

    state = app_context(ctx, json_flag)
    with state.store().session() as session:
        mappings.get_export_mapping(session, mapping_id)
    confirm_delete(f"export mapping {mapping_id}", yes)
    with state.store().session() as session:
        mappings.delete_export_mapping(session, mapping_id)
    state.output.success(f"deleted export mapping {mapping_id}")
    if state.output.json_mode:
        state.output.emit({"id": mapping_id, "deleted": True})
