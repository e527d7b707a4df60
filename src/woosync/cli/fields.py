"""``woosync fields``: the local standard fields and the WooCommerce targets a mapping may use."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Annotated, Any

import typer

from woosync.cli.formats import (
    Column,
    Listing,
    ListOptions,
    list_format,
    print_table,
    show_listing,
)
from woosync.cli.option_groups import with_option_groups

if TYPE_CHECKING:
    from woosync.cli.render import Output
    from woosync.services.fields import FieldList


@with_option_groups
def fields_command(
    ctx: typer.Context,
    target: Annotated[
        str | None,
        typer.Option(
            "--target",
            metavar="NAME",
            help="Show only this WooCommerce field (or pa_ slug) and the standard fields that go "
            "there by default.",
        ),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            metavar="KIND",
            help="Show only the local fields or only the WooCommerce ones: local or woocommerce "
            "(a name can be both: one kind lists each name once).",
        ),
    ] = None,
    listing: ListOptions = ListOptions(),
) -> None:
    """List the local standard fields and the WooCommerce fields a mapping may target, with types.

    On a terminal, two tables; in csv, tsv, yaml, ids and count (and on a pipe) one row per field
    with its kind (local or woocommerce)."""
    from woosync.services.fields import ATTRIBUTE_NOTE, CUSTOM_FIELD_NOTE, list_fields

    state, chosen = list_format(ctx, listing)
    output = state.output
    found = _of_kind(list_fields(target), kind)
    if chosen.name == "json":
        output.emit(fields_json(found))
        return
    if chosen.name == "table" and output.stdout_is_terminal:
        _tables(output, found)
    else:
        show_listing(output, chosen, _listing(found))
    if chosen.name == "table" and target is None:
        for note in (ATTRIBUTE_NOTE, CUSTOM_FIELD_NOTE):
            if output.stdout_is_terminal:
                output.write(note + "\n")
            else:
                output.info(note)


KINDS = ("local", "woocommerce")


def _of_kind(found: FieldList, kind: str | None) -> FieldList:
    """``found`` with only the fields of ``kind`` (``None``: both)."""
    if kind is None:
        return found
    if kind.lower() not in KINDS:
        raise typer.BadParameter(
            f"{kind!r} is not a kind: use local or woocommerce", param_hint="--kind"
        )
    if kind.lower() == "local":
        return replace(found, woo_fields=[])
    return replace(found, local_fields=[])


@dataclass(frozen=True)
class _Field:
    kind: str  # local or woocommerce
    name: str
    type: str
    default_target: str
    takes: str
    json: dict[str, Any]


def _listing(found: FieldList) -> Listing[_Field]:
    shaped = fields_json(found)
    rows = [
        _Field("local", f.name, f.type, f.default_target, f.note, entry)
        for f, entry in zip(found.local_fields, shaped["localFields"], strict=True)
    ] + [
        _Field("woocommerce", f.name, f.type, "", f.description, entry)
        for f, entry in zip(found.woo_fields, shaped["wooFields"], strict=True)
    ]
    columns: list[Column[_Field]] = [
        Column("Kind", "kind", lambda row: row.kind),
        Column("Field", "name", lambda row: row.name),
        Column("Type", "type", lambda row: row.type),
        Column("Default target", "defaultTarget", lambda row: row.default_target),
        Column("Takes", "takes", lambda row: row.takes),
    ]
    return Listing(
        columns,
        rows,
        json_of=lambda row: {"kind": row.kind, **row.json},
        id_of=lambda row: row.name,
        what="fields",
    )


def _tables(output: Output, found: FieldList) -> None:
    if found.local_fields:
        print_table(
            output,
            [
                Column("Local field", "name", lambda f: f.name),
                Column("Default WooCommerce target", "defaultTarget", lambda f: f.default_target),
                Column("Type", "type", lambda f: f.type),
                Column("Note", "note", lambda f: f.note, drop=1),
            ],
            found.local_fields,
            title="Local standard fields",
        )
    if not found.woo_fields:  # --kind local
        return
    print_table(
        output,
        [
            Column("WooCommerce field", "name", lambda f: f.name),
            Column("Type", "type", lambda f: f.type),
            Column("Takes", "takes", lambda f: f.description),
        ],
        found.woo_fields,
        title="WooCommerce targets",
    )


def fields_json(found: FieldList) -> dict[str, Any]:
    """The ``--json`` shape: ``{"localFields": [...], "wooFields": [...]}``, camelCase."""
    woo_fields: list[dict[str, Any]] = []
    for field in found.woo_fields:
        entry: dict[str, Any] = {
            "name": field.name,
            "type": field.type,
            "description": field.description,
        }
        if field.choices:
            entry["choices"] = list(field.choices)
        woo_fields.append(entry)
    return {
        "localFields": [
            {
                "name": field.name,
                "defaultTarget": field.default_target,
                "type": field.type,
                "required": field.required,
            }
            for field in found.local_fields
        ],
        "wooFields": woo_fields,
    }


def register(app: typer.Typer) -> None:
    app.command("fields")(fields_command)
