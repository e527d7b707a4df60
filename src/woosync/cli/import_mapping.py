"""``woosync import-mapping``: where a store's attributes and fields land locally (the spec's
import mapping operations, ARCHITECTURE.md, operations table)."""

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
    parse_pairs,
    replace_or_merge,
    show_mapping,
    update_from_options,
)
from woosync.core.errors import ValidationError

AttrOption = Annotated[
    list[str] | None,
    typer.Option(
        "--attr",
        metavar="ATTRIBUTE=NAME",
        help="ATTRIBUTE=INTERNAL, repeatable: a WooCommerce attribute slug (pa_color) or name "
        "and the local attribute it fills.",
        show_default=False,
    ),
]
FileOption = Annotated[
    Path | None,
    typer.Option("--file", help="Take the mappings from a mapping file's import: section."),
]
ClearAttrsOption = Annotated[
    bool, typer.Option("--clear-attrs", help="Drop the current attribute mappings first.")
]


def create_command(
    ctx: typer.Context,
    connection: CreateConnectionArg = None,
    attrs: AttrOption = None,
    maps: MapOption = None,
    inactive: InactiveOption = False,
    file: FileOption = None,
    json_flag: JsonFlag = False,
) -> None:
    """Create an import mapping (it becomes the active one unless --inactive)."""
    state = app_context(ctx, json_flag)
    if file is not None:
        if attrs or maps:
            raise ValidationError("use either --file or --attr/--map, not both")
        data = create_from_file(state, "import", file, connection, is_active=not inactive)
    else:
        if connection is None:
            raise ValidationError(
                "give CONNECTION with --attr/--map (or --file FILE.yaml)",
                hint="e.g. woosync import-mapping create 1 --attr pa_color=color",
            )
        content = {
            "attributeMappings": parse_pairs(attrs, "--attr"),
            "fieldMappings": parse_pairs(maps, "--map"),
        }
        data = create_from_options(state, "import", connection, content, is_active=not inactive)
    show_mapping(state, f"created import mapping {data.id}", data)


def update_command(
    ctx: typer.Context,
    mapping_id: MappingIdArg,
    attrs: AttrOption = None,
    maps: MapOption = None,
    clear_attrs: ClearAttrsOption = False,
    clear_maps: ClearMapsOption = False,
    active: ActiveOption = None,
    json_flag: JsonFlag = False,
) -> None:
    """Change an import mapping; --attr/--map add to or override its current mappings."""
    state = app_context(ctx, json_flag)
    given_attrs, given_maps = parse_pairs(attrs, "--attr"), parse_pairs(maps, "--map")
    new_attrs, more_attrs = replace_or_merge(given_attrs, clear=clear_attrs)
    new_maps, more_maps = replace_or_merge(given_maps, clear=clear_maps)
    data = update_from_options(
        state,
        "import",
        mapping_id,
        replace={"attributeMappings": new_attrs, "fieldMappings": new_maps},
        merge={"attributeMappings": more_attrs, "fieldMappings": more_maps},
        is_active=active,
    )
    show_mapping(state, f"updated import mapping {mapping_id}", data)


app = mapping_group(
    "import",
    help="Import mappings: which local attributes and fields a store's products are read into.",
    create=create_command,
    update=update_command,
)
