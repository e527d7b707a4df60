"""``woosync fields``: the local standard fields and the WooCommerce targets a mapping may use."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from woosync.cli.context import JsonFlag, app_context

if TYPE_CHECKING:
    from rich.console import Console

    from woosync.services.fields import FieldList


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
    json_flag: JsonFlag = False,
) -> None:
    """List the local standard fields and the WooCommerce fields a mapping may target, with types."""
    from woosync.services.fields import ATTRIBUTE_NOTE, CUSTOM_FIELD_NOTE, list_fields

    state = app_context(ctx, json_flag)
    output = state.output
    found = list_fields(target)

    def human(console: Console) -> None:
        if found.local_fields:
            console.print(
                output.table(
                    ["Local field", "Default WooCommerce target", "Type", "Note"],
                    [
                        [field.name, field.default_target, field.type, field.note]
                        for field in found.local_fields
                    ],
                    title="Local standard fields",
                )
            )
        console.print(
            output.table(
                ["WooCommerce field", "Type", "Takes"],
                [[field.name, field.type, field.description] for field in found.woo_fields],
                title="WooCommerce targets",
            )
        )
        if target is None:
            console.print(ATTRIBUTE_NOTE)
            console.print(CUSTOM_FIELD_NOTE)

    output.emit(fields_json(found), human=human)


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
