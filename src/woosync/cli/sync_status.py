"""``woosync sync-status``: the sync records of one store and counts by status (Get sync status)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from woosync.cli.context import JsonFlag, app_context
from woosync.cli.multi_store import ConnectionsOption, render_stores, run_stores, single
from woosync.core.ids import SQLITE_MAX_INTEGER

if TYPE_CHECKING:
    from rich.console import Console

    from woosync.cli.render import Output


def sync_status_command(
    ctx: typer.Context,
    connection: ConnectionsOption = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status", help="Only records with this status: synced, pending, error or excluded."
        ),
    ] = None,
    product: Annotated[
        int | None,
        typer.Option(
            "--product",
            metavar="ID",
            min=1,
            max=SQLITE_MAX_INTEGER,
            help="Only this local product.",
        ),
    ] = None,
    conflicts: Annotated[
        bool,
        typer.Option(
            "--conflicts",
            help="List the fields changed both in the catalog and in the store since the last "
            "sync, with both values.",
        ),
    ] = False,
    json_flag: JsonFlag = False,
) -> None:
    """Show the sync records of stores and how many are synced, pending, in error or excluded."""
    from woosync.services.stores import several
    from woosync.services.sync_status import sync_status

    state = app_context(ctx, json_flag)
    output = state.output
    db = state.db(create=False)
    if several(connection):
        runs = run_stores(
            db,
            connection,
            lambda cid: sync_status(
                db, cid, status=status, product_id=product, conflicts_only=conflicts
            ),
            failed=lambda _result: False,
            parallel=1,
        )
        render_stores(output, runs, _summary_line, lambda _result: [])
        return
    result: dict[str, Any] = sync_status(
        db, single(connection), status=status, product_id=product, conflicts_only=conflicts
    )

    def human(console: Console) -> None:
        if conflicts:
            _conflicts(console, output, result)
            return
        rows = [
            [
                record["productId"],
                record["wooProductId"] or "",
                _state(record),
                record["lastExportedAt"] or "never",
                record["lastImportedAt"] or "never",
                record["errorMessage"] or "",
            ]
            for record in result["records"]
        ]
        if rows:
            console.print(
                output.table(
                    ["Product", "Woo ID", "Status", "Last exported", "Last imported", "Error"],
                    rows,
                    title=f"{result['storeName']} (connection {result['connectionId']})",
                )
            )
        else:
            console.print("No sync records match.")
        summary = result["summary"]
        console.print(
            _summary_line(result)
            + (
                f"; incremental import bookmark {result['importCursor']}"
                if result["importCursor"]
                else ""
            )
        )

        if result["conflictCount"]:
            console.print(
                f"{result['conflictCount']} field(s) changed on both sides: see "
                f"'woosync sync-status --connection {result['connectionId']} --conflicts'."
            )
        if summary["error"]:
            console.print(
                "Retry the products in error with "
                f"'woosync export --connection {result['connectionId']} --retry-failed'."
            )

    output.emit(result, human=human)


def _conflicts(console: Console, output: Output, result: dict[str, Any]) -> None:
    from woosync.cli.import_ import shown_value

    rows = [
        [
            item["productId"],
            item["sku"],
            item["wooProductId"] or "",
            item["field"],
            shown_value(item["catalog"]),
            shown_value(item["store"]),
        ]
        for item in result["conflicts"]
    ]
    if not rows:
        console.print("No conflicts.")
        return
    console.print(
        output.table(
            ["Product", "SKU", "Woo ID", "Field", "Catalog", "Store"],
            rows,
            title=f"Conflicts in {result['storeName']} (connection {result['connectionId']})",
        )
    )
    connection = result["connectionId"]
    console.print(
        f"Keep the catalog's values: 'woosync import --connection {connection} --update-existing "
        "--on-conflict catalog' (the next export sends them); take the store's: "
        "'--on-conflict store'; or edit one side."
    )


def _state(record: dict[str, Any]) -> str:
    if record["syncStatus"] == "excluded":
        return f"excluded ({record.get('excludedReason')})"
    return str(record["syncStatus"])


def _summary_line(result: dict[str, Any]) -> str:
    summary = result["summary"]
    excluded = summary.get("excluded", 0)
    return (
        f"{summary['synced']} synced, {summary['pending']} pending, {summary['error']} error"
        + (f", {excluded} excluded" if excluded else "")
        + f" ({summary['total']} total)"
        + (f", {result['conflictCount']} conflicts" if result.get("conflictCount") else "")
    )


def register(app: typer.Typer) -> None:
    app.command("sync-status")(sync_status_command)
