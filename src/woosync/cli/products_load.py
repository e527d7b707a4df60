"""``products load``: create or update products from a CSV, JSON or YAML file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from woosync.cli.context import JsonFlag, app_context
from woosync.cli.product_render import change_line
from woosync.core.errors import ValidationError
from woosync.core.exit_codes import ExitCode

if TYPE_CHECKING:
    from rich.console import Console

MAX_ERRORS_SHOWN = 50


def load_command(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="A .csv, .json, .yaml or .yml product file ('-' for stdin).")
    ],
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="csv, json or yaml (default: from the file name)."),
    ] = None,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid",
            help="Load the valid rows and report the invalid ones (exit code 1 if any).",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; change nothing.")
    ] = False,
    decimal_comma: Annotated[
        bool,
        typer.Option(
            "--decimal-comma",
            help="Numbers use a decimal comma (12,50 or 1.234,50): prices, weights, dimensions "
            "and custom fields that look like such numbers.",
        ),
    ] = False,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite",
            help="Apply every row whole, also over edits made since the file was last loaded "
            "(imports, 'products edit'); by default a row applies only what the file changed.",
        ),
    ] = False,
    json_flag: JsonFlag = False,
) -> None:
    """Create or update products from a file, matched by SKU, in one transaction.

    Loading a file again applies what the file changed since its last load and keeps the edits
    made since (imports, 'products edit'), unless --overwrite. A file with an invalid row changes
    nothing (exit code 2) unless --skip-invalid.
    """
    from woosync.cli.flags import flag_of
    from woosync.core.errors import spell_params
    from woosync.services.catalog.load import load_products
    from woosync.shapes.products import load_report_json

    state = app_context(ctx, json_flag)
    report = load_products(
        state.db(create=not dry_run),
        file,
        fmt=fmt,
        skip_invalid=skip_invalid,
        dry_run=dry_run,
        decimal_comma=decimal_comma,
        overwrite=overwrite,
    )
    data = load_report_json(report, flag_of)
    output = state.output
    if not output.json_mode:
        for error in report.errors[:MAX_ERRORS_SHOWN]:
            nested = error.message.startswith("variation ") and f"({error.sku})" in error.message
            sku = f" ({error.sku})" if error.sku and not nested else ""
            output.warn(f"row {error.row}{sku}: {spell_params(error.message, flag_of)}")
        if len(report.errors) > MAX_ERRORS_SHOWN:
            output.warn(f"... and {len(report.errors) - MAX_ERRORS_SHOWN} more (--json lists all)")
    invalid = len(report.errors)
    if invalid and not skip_invalid:
        if output.json_mode:
            output.emit(data)
        raise ValidationError(
            f"{invalid} invalid row(s) in {file}; nothing was loaded",
            hint="fix them, or pass --skip-invalid to load the valid rows",
        )

    def human(console: Console) -> None:
        verb = "would be " if dry_run else ""
        console.print(
            f"{file}: {data['created']} {verb}created, {data['updated']} {verb}updated, "
            f"{data['unchanged']} unchanged" + (f", {invalid} invalid skipped" if invalid else ""),
            markup=False,
            highlight=False,
        )
        if dry_run:
            for sku, changes in report.result.changes.items():
                for change in changes:
                    console.print(f"  {sku}: {change_line(change)}", markup=False)

    output.emit(data, human=human)
    for note in report.notes:
        output.info(note)
    if dry_run:
        output.info("dry run: nothing was changed")
    if invalid:
        raise typer.Exit(int(ExitCode.FAILURE))


def register(app: typer.Typer) -> None:
    app.command("load")(load_command)
