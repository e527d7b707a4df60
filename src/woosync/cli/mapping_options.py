"""What the ``export-mapping`` and ``import-mapping`` groups share.

The groups differ only in ``create`` and ``update`` (the options that give a mapping's content);
:func:`mapping_group` builds either group around those two, with ``list``, ``active`` and ``delete``
written once. Also here: the shared options and their parsing; the human views are in
:mod:`woosync.cli.mapping_views`, the JSON in :mod:`woosync.shapes.mappings`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from woosync.cli.confirm import confirm_removal
from woosync.cli.context import AppContext, JsonFlag, YesFlag, app_context
from woosync.cli.formats import ListOptions, list_format, show_listing
from woosync.cli.mapping_views import mapping_listing, render_mapping
from woosync.cli.option_groups import with_option_groups
from woosync.core.errors import ValidationError
from woosync.core.ids import SQLITE_MAX_INTEGER

if TYPE_CHECKING:
    from woosync.services.mappings.records import Direction
    from woosync.services.mappings.views import MappingView

ConnectionArg = Annotated[
    str, typer.Argument(help="Connection id, store name or store URL.", show_default=False)
]
CreateConnectionArg = Annotated[
    str | None,
    typer.Argument(
        help="Connection id, store name or URL (with --file: defaults to the file's store).",
        show_default=False,
    ),
]
MappingIdArg = Annotated[
    int, typer.Argument(help="The mapping id (see 'list').", min=1, max=SQLITE_MAX_INTEGER)
]
MapOption = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        metavar="FIELD=TARGET",
        help="FIELD=TARGET, repeatable (export: internal=WooCommerce; import: WooCommerce=internal).",
        show_default=False,
    ),
]
InactiveOption = Annotated[
    bool, typer.Option("--inactive", help="Create it without making it the active one.")
]
ActiveOption = Annotated[
    bool | None,
    typer.Option(
        "--active/--inactive",
        help="Make it the active mapping (deactivating the others), or deactivate it.",
        show_default=False,
    ),
]
ClearMapsOption = Annotated[
    bool, typer.Option("--clear-maps", help="Drop the current field mappings first.")
]


# --- parsing -------------------------------------------------------------------------------------


def parse_fields(text: str) -> list[str]:
    """``name, sku,price`` -> ``["name", "sku", "price"]``."""
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_pairs(values: Sequence[str] | None, option: str) -> dict[str, str]:
    """``["price=regular_price"]`` -> ``{"price": "regular_price"}``; a key given twice is an error."""
    pairs: dict[str, str] = {}
    for value in values or ():
        key, sep, target = value.partition("=")
        key, target = key.strip(), target.strip()
        if not sep or not key or not target:
            raise ValidationError(
                f'{option} "{value}" must look like KEY=VALUE',
                hint=f"e.g. {option} price=regular_price",
            )
        if key in pairs:
            raise ValidationError(f'{option}: "{key}" is given twice', hint="give each key once")
        pairs[key] = target
    return pairs


def replace_or_merge(
    pairs: dict[str, str], *, clear: bool
) -> tuple[dict[str, str] | None, dict[str, str] | None]:
    """``update``'s pairs as (replacing, merged): with ``--clear-...`` they replace the current
    ones (none given empties them), else they are merged into them."""
    if clear:
        return pairs, None
    return None, pairs or None


# --- running -------------------------------------------------------------------------------------


def create_from_file(
    state: AppContext, direction: Direction, file: Path, connection: str | None, *, is_active: bool
) -> MappingView:
    """``create --file``: the new mapping from the file's ``direction`` section."""
    from woosync.files.mapping_files import load_mapping_files
    from woosync.services.mappings.documents import create_mapping_from_documents

    documents = load_mapping_files([file])
    with state.db().session() as session:
        return create_mapping_from_documents(
            session, direction, documents, connection, is_active=is_active
        )


def create_from_options(
    state: AppContext,
    direction: Direction,
    connection: str,
    content: dict[str, Any],
    *,
    is_active: bool,
) -> MappingView:
    """``create``: the new mapping from the options' content (spec keys)."""
    from woosync.services.mappings.records import create_mapping

    with state.db().session() as session:
        return create_mapping(session, direction, connection, content, is_active=is_active)


def update_from_options(
    state: AppContext,
    direction: Direction,
    mapping_id: int,
    *,
    replace: dict[str, Any],
    merge: dict[str, dict[str, str] | None],
    is_active: bool | None,
) -> MappingView:
    """``update``: parts in ``replace`` get new values, ``merge`` adds entries; None is not given."""
    from woosync.services.mappings.records import update_mapping

    with state.db().session() as session:
        return update_mapping(
            session, direction, mapping_id, replace=replace, merge=merge, is_active=is_active
        )


def show_mapping(state: AppContext, message: str, view: MappingView) -> None:
    """After a change: the confirmation on stderr, the mapping on stdout."""
    from woosync.shapes.mappings import mapping_json

    state.output.success(message)
    state.output.emit(mapping_json(view), human=render_mapping(view))


def mapping_group(
    direction: Direction,
    *,
    help: str,
    create: Callable[..., None],
    update: Callable[..., None],
) -> typer.Typer:
    """The ``export-mapping`` or ``import-mapping`` group: ``create`` and ``update`` as given,
    ``list``, ``active`` and ``delete`` the same for both directions."""

    @with_option_groups
    def list_command(
        ctx: typer.Context, connection: ConnectionArg, listing: ListOptions = ListOptions()
    ) -> None:
        from woosync.services.mappings.records import list_mappings

        state, chosen = list_format(ctx, listing)
        with state.db(create=False).session() as session:
            found = list_mappings(session, direction, connection)
        show_listing(state.output, chosen, mapping_listing(found, direction))

    def active_command(
        ctx: typer.Context, connection: ConnectionArg, json_flag: JsonFlag = False
    ) -> None:
        from woosync.services.mappings.records import active_mapping
        from woosync.shapes.mappings import mapping_json

        state = app_context(ctx, json_flag)
        with state.db(create=False).session() as session:
            found = active_mapping(session, direction, connection)
        if found is None:
            state.output.info(f"no active {direction} mapping")
        data = mapping_json(found) if found is not None else None
        state.output.emit(data, human=render_mapping(found))

    def delete_command(
        ctx: typer.Context,
        mapping_id: MappingIdArg,
        yes: YesFlag = False,
        json_flag: JsonFlag = False,
    ) -> None:
        from woosync.services.mappings.records import (
            delete_mapping,
            get_mapping,
        )

        state = app_context(ctx, json_flag)
        with state.db().session() as session:
            get_mapping(session, direction, mapping_id)  # not found: before asking
        what = f"{direction} mapping {mapping_id}"
        confirm_removal(state.output, what, f"Delete {what}?", yes=yes, verb="delete")
        with state.db().session() as session:
            delete_mapping(session, direction, mapping_id)
        state.output.success(f"deleted {direction} mapping {mapping_id}")
        if state.output.json_mode:
            state.output.emit({"id": mapping_id, "deleted": True})

    group = typer.Typer(help=help, no_args_is_help=True)
    group.command("create")(create)
    group.command("list", help=f"List a connection's {direction} mappings.")(list_command)
    group.command(
        "active",
        help=f"Show the active {direction} mapping (nothing, or JSON null, when there is none).",
    )(active_command)
    group.command("update")(update)
    group.command("delete", help=f"Delete an {direction} mapping.")(delete_command)
    return group
