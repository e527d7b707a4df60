"""``woosync import-mapping``: where a store's attributes and fields land locally (spec 13-17)."""

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
    parse_pairs,
    render_mapping,
    render_mapping_list,
)
from woosync.core.errors import ValidationError

app = typer.Typer(
    help="Import mappings: which local attributes and fields a store's products are read into.",
    no_args_is_help=True,
)

AttrOption = Annotated[
    list[str] | None,
    typer.Option(
        "--attr",
        help="ATTRIBUTE=INTERNAL, repeatable: a WooCommerce attribute slug (pa_color) or name "
        "and the local attribute it fills.",
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
    attrs: AttrOption = None,
    maps: MapOption = None,
    inactive: Annotated[
        bool, typer.Option("--inactive", help="Create it without making it the active one.")
    ] = False,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="Take the mappings from a mapping file's import: section."),
    ] = None,
    json_flag: JsonFlag = False,
) -> None:
    """Create an import mapping (it becomes the active one unless --inactive)."""
    from woosync.services import mappings

    state = app_context(ctx, json_flag)
    if file is not None:
        if attrs or maps:
            raise ValidationError("use either --file or --attr/--map, not both")
        from woosync.files.mapping_files import load_mapping_files

        documents = load_mapping_files([file])
        with state.store().session() as session:
            created = mappings.create_mapping_from_documents(
                session, "import", documents, connection, is_active=not inactive
            )
            data = mappings.import_mapping_to_dict(created)  # type: ignore[arg-type]
    else:
        if connection is None:
            raise ValidationError(
                "give CONNECTION with --attr/--map (or --file FILE.yaml)",
                hint="e.g. woosync import-mapping create 1 --attr pa_color=color",
            )
        attribute_maps, field_maps = parse_pairs(attrs, "--attr"), parse_pairs(maps, "--map")
        with state.store().session() as session:
            created = mappings.create_import_mapping(
                session, connection, attribute_maps, field_maps, is_active=not inactive
            )
            data = mappings.import_mapping_to_dict(created)
    state.output.success(f"created import mapping {data['id']}")
    state.output.emit(data, human=render_mapping(data))


@app.command("list")
def list_command(
    ctx: typer.Context, connection: ConnectionArg, json_flag: JsonFlag = False
) -> None:
    """List a connection's import mappings."""
    from woosync.services import mappings

    state = app_context(ctx, json_flag)
    with state.store().session() as session:
        items = [
            mappings.import_mapping_to_dict(m)
            for m in mappings.list_import_mappings(session, connection)
        ]
    state.output.emit(items, human=render_mapping_list(state.output, items))


@app.command("active")
def active_command(
    ctx: typer.Context, connection: ConnectionArg, json_flag: JsonFlag = False
) -> None:
    """Show the active import mapping (nothing, or JSON null, when there is none)."""
    from woosync.services import mappings

    state = app_context(ctx, json_flag)
    with state.store().session() as session:
        found = mappings.active_import_mapping(session, connection)
        data = mappings.import_mapping_to_dict(found) if found is not None else None
    if data is None:
        state.output.info("no active import mapping")
    state.output.emit(data, human=render_mapping(data))


@app.command("update")
def update_command(
    ctx: typer.Context,
    mapping_id: MappingIdArg,
    attrs: AttrOption = None,
    maps: MapOption = None,
    clear_attrs: Annotated[
        bool, typer.Option("--clear-attrs", help="Drop the current attribute mappings first.")
    ] = False,
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
    """Change an import mapping; --attr/--map add to or override its current mappings."""
    from woosync.services import mappings

    state = app_context(ctx, json_flag)
    given_attrs, given_maps = parse_pairs(attrs, "--attr"), parse_pairs(maps, "--map")
    with state.store().session() as session:
        updated = mappings.update_import_mapping(
            session,
            mapping_id,
            attribute_mappings=given_attrs if clear_attrs else None,
            merge_attribute_mappings=given_attrs if given_attrs and not clear_attrs else None,
            field_mappings=given_maps if clear_maps else None,
            merge_field_mappings=given_maps if given_maps and not clear_maps else None,
            is_active=active,
        )
        data = mappings.import_mapping_to_dict(updated)
    state.output.success(f"updated import mapping {mapping_id}")
    state.output.emit(data, human=render_mapping(data))


@app.command("delete")
def delete_command(
    ctx: typer.Context, mapping_id: MappingIdArg, yes: YesFlag = False, json_flag: JsonFlag = False
) -> None:
    """Delete an import mapping."""
    from woosync.services import mappings

    state = app_context(ctx, json_flag)
    with state.store().session() as session:
        mappings.get_import_mapping(session, mapping_id)
    confirm_delete(f"import mapping {mapping_id}", yes)
    with state.store().session() as session:
        mappings.delete_import_mapping(session, mapping_id)
    state.output.success(f"deleted import mapping {mapping_id}")
    if state.output.json_mode:
        state.output.emit({"id": mapping_id, "deleted": True})
