"""``woosync export-mapping``: which fields go to a store and where (the spec's export mapping
operations, ARCHITECTURE.md, operations table)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from woosync.cli.context import JsonFlag, app_context
from woosync.cli.mapping_options import (
    ActiveOption,
    ClearMapsOption,
    CreateConnectionArg,
    InactiveOption,
    MapOption,
    MappingIdArg,
    create_from_file,
    create_from_options,
    mapping_group,
    parse_fields,
    parse_pairs,
    replace_or_merge,
    show_mapping,
    update_from_options,
)
from woosync.core.errors import ValidationError

FieldsOption = Annotated[
    str | None,
    typer.Option(
        "--fields",
        help="Comma-separated fields to export; must include name and sku "
        "(e.g. name,sku,price,COLOR).",
        show_default=False,
    ),
]
FileOption = Annotated[
    Path | None,
    typer.Option("--file", help="Take the fields and mappings from a mapping file's export:."),
]


def create_command(
    ctx: typer.Context,
    connection: CreateConnectionArg = None,
    fields: FieldsOption = None,
    maps: MapOption = None,
    inactive: InactiveOption = False,
    file: FileOption = None,
    json_flag: JsonFlag = False,
) -> None:
    """Create an export mapping (it becomes the active one unless --inactive)."""
    state = app_context(ctx, json_flag)
    if file is not None:
        if fields is not None or maps:
            raise ValidationError("use either --file or --fields/--map, not both")
        data = create_from_file(state, "export", file, connection, is_active=not inactive)
    else:
        if connection is None or fields is None:
            raise ValidationError(
                "give CONNECTION and --fields (or --file FILE.yaml)",
                hint="e.g. woosync export-mapping create 1 --fields name,sku,price",
            )
        content = {
            "selectedFields": parse_fields(fields),
            "fieldMappings": parse_pairs(maps, "--map"),
        }
        data = create_from_options(state, "export", connection, content, is_active=not inactive)
    show_mapping(state, f"created export mapping {data.id}", data)


def update_command(
    ctx: typer.Context,
    mapping_id: MappingIdArg,
    fields: FieldsOption = None,
    maps: MapOption = None,
    clear_maps: ClearMapsOption = False,
    active: ActiveOption = None,
    json_flag: JsonFlag = False,
) -> None:
    """Change an export mapping; --map adds to or overrides its current field mappings."""
    state = app_context(ctx, json_flag)
    new_maps, more_maps = replace_or_merge(parse_pairs(maps, "--map"), clear=clear_maps)
    selected = parse_fields(fields) if fields is not None else None
    data = update_from_options(
        state,
        "export",
        mapping_id,
        replace={"selectedFields": selected, "fieldMappings": new_maps},
        merge={"fieldMappings": more_maps},
        is_active=active,
    )
    show_mapping(state, f"updated export mapping {mapping_id}", data)


app = mapping_group(
    "export",
    help="Export mappings: the fields sent to a store and the WooCommerce fields they go to.",
    create=create_command,
    update=update_command,
)
