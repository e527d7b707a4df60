"""``products remove`` (from the catalog, and on request from the stores) and ``products
exclude`` / ``include`` (keep a product out of one store)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Annotated, Any

import typer

from woosync.cli.confirm import confirm_removal
from woosync.cli.context import JsonFlag, YesFlag, app_context
from woosync.core import terminal
from woosync.core.errors import ValidationError
from woosync.core.exit_codes import ExitCode

if TYPE_CHECKING:
    from rich.console import Console

RefArg = Annotated[
    str,
    typer.Argument(
        help="Product id or SKU (a variation's SKU too; see 'woosync products list').",
        show_default=False,
    ),
]
ConnectionArg = Annotated[
    str,
    typer.Option(
        "--connection", "-c", help="The store: connection id, name or URL.", show_default=False
    ),
]


def remove_command(
    ctx: typer.Context,
    product: RefArg,
    from_stores: Annotated[
        bool,
        typer.Option(
            "--from-stores",
            help="Also delete it (for good) from the stores that hold it, without asking.",
        ),
    ] = False,
    keep_in_stores: Annotated[
        bool,
        typer.Option("--keep-in-stores", help="Leave the stores' copies alone, without asking."),
    ] = False,
    yes: YesFlag = False,
    json_flag: JsonFlag = False,
) -> None:
    """Remove a product (a variable one with its variations) or one variation, and its sync
    records; a later import does not bring it back.

    On a terminal it asks whether to delete the product from the stores that hold it too.
    """
    from woosync.services.catalog.commands import remove_product, show_product, sync_record_count
    from woosync.services.catalog.views import RemovedProduct
    from woosync.services.removal import delete_from_stores, stores_holding
    from woosync.shapes.export import holder, store_deletion
    from woosync.shapes.products import removed_product_json

    if from_stores and keep_in_stores:
        raise ValidationError("--from-stores and --keep-in-stores exclude each other")
    state = app_context(ctx, json_flag)
    output = state.output
    db = state.db()
    target = show_product(db, product)
    product_id = target.id
    kind = "variation" if target.is_variation else "product"
    label = f"{kind} {target.id} ({target.sku}) {target.name!r}"
    if target.variations:
        label += f" with its {len(target.variations)} variation(s)"
    question = f"Remove {label} and its sync records?"
    confirm_removal(output, label, question, yes=yes)
    holders = [holder(found) for found in stores_holding(db, product_id)]
    if holders and not (from_stores or keep_in_stores):
        names = ", ".join(h["storeName"] for h in holders)
        if terminal.stdin_is_terminal():
            from_stores = typer.confirm(
                f"Delete it from the {len(holders)} store(s) that hold it too ({names})?",
                default=False,
                err=True,
            )
        else:
            output.info(f"the stores keep their copies ({names}); --from-stores deletes them")
    deleted: list[dict[str, Any]] = []
    records = sync_record_count(db, product_id)  # a store's delete takes its record with it
    if from_stores and holders:
        deleted = [store_deletion(entry) for entry in delete_from_stores(db, product_id)]
        for entry in deleted:
            where = f"{entry['storeName']} (connection {entry['connectionId']})"
            if entry["status"] in ("failed", "inactive"):
                output.warn(f"{where}: {entry['message']}")
            elif entry["status"] == "gone":
                output.info(f"{where}: the store no longer had it")
        if any(entry["status"] == "failed" for entry in deleted):
            output.error(
                f"{label} was not removed: some stores still hold it; run the command again"
            )
            kept_back = RemovedProduct(target.id, target.sku, target.name, 0)
            output.emit(removed_product_json(kept_back, deleted), human=lambda _console: None)
            raise typer.Exit(int(ExitCode.FAILURE))
    removed = dataclasses.replace(remove_product(db, product_id), sync_records_removed=records)
    kept = [
        h
        for h in holders
        if not any(
            d["connectionId"] == h["connectionId"] and d["status"] in ("deleted", "gone")
            for d in deleted
        )
    ]
    output.success(
        f"removed {label} and {removed.sync_records_removed} sync record(s)"
        + (f"; deleted from {len(holders) - len(kept)} store(s)" if deleted else "")
        + ("; the stores still have their copies" if kept and not deleted else "")
        + "; an import will not bring it back (import --restore-removed does)"
    )
    output.emit(removed_product_json(removed, deleted), human=lambda _console: None)


def exclude_command(
    ctx: typer.Context,
    skus: Annotated[list[str], typer.Argument(help="SKUs of the products.", show_default=False)],
    connection: ConnectionArg,
    json_flag: JsonFlag = False,
) -> None:
    """Keep products out of one store: exports leave them out, imports from it skip them.

    The store keeps its copies (woosync stops touching them); 'products include' undoes it.
    """
    from woosync.services.selection import exclude_products

    state = app_context(ctx, json_flag)
    with state.db().session() as session:
        result = exclude_products(session, connection, skus)
    store = f"{result['storeName']} (connection {result['connectionId']})"

    def human(console: Console) -> None:
        for entry in result["excluded"]:
            note = " (already excluded)" if entry["already"] else ""
            console.print(
                f"{entry['sku']}: excluded from {store}{note}", markup=False, highlight=False
            )

    state.output.emit(result, human=human)


def include_command(
    ctx: typer.Context,
    skus: Annotated[list[str], typer.Argument(help="SKUs of the products.", show_default=False)],
    connection: ConnectionArg,
    json_flag: JsonFlag = False,
) -> None:
    """Let products excluded from (or deleted from) one store go to it again on its next export."""
    from woosync.services.selection import include_products

    state = app_context(ctx, json_flag)
    with state.db().session() as session:
        result = include_products(session, connection, skus)
    store = f"{result['storeName']} (connection {result['connectionId']})"
    for entry in result["included"]:
        if entry["outsideSelection"]:
            state.output.warn(
                f"{entry['sku']}: still outside the products: selection of {store}'s mapping file"
            )

    def human(console: Console) -> None:
        for entry in result["included"]:
            note = "" if entry["wasExcluded"] else " (was not excluded)"
            console.print(
                f"{entry['sku']}: included in {store}{note}", markup=False, highlight=False
            )

    state.output.emit(result, human=human)


def register(app: typer.Typer) -> None:
    app.command("remove")(remove_command)
    app.command("exclude")(exclude_command)
    app.command("include")(include_command)
